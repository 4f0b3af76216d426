/*  cg_testfile — see cg_testfile.h. */
#include "cg_testfile.h"
#include "cg_testenv.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char *
cg_testfile_demo (const char *name)
{
    return cg_strfmt ("%s/deploy/demo/%s", cg_test_root (), name);
}

char *
cg_testfile_write (const char *name, const void *content, size_t size)
{
    const char *tmp = getenv ("TMPDIR");
    char *dir = cg_strfmt ("%s/cg_testfile_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    cr_assert_not_null (mkdtemp (dir), "a folder under %s", dir);
    char *path = cg_strfmt ("%s/%s", dir, name ? name : "data.tsv");
    free (dir);
    FILE *f = fopen (path, "wb");
    cr_assert_not_null (f, "%s", path);
    cr_assert_eq (fwrite (content, 1, size, f), size, "%s", path);
    cr_assert_eq (fclose (f), 0, "%s", path);
    return path;
}

char *
cg_testfile_text (const char *content)
{
    return cg_testfile_write (NULL, content, strlen (content));
}

void
cg_testfile_remove (char **path_p)
{
    if (!*path_p)
        return;
    unlink (*path_p);
    rmdir (dirname (*path_p));      /* the folder it was written in */
    free (*path_p);
    *path_p = NULL;
}

void
cg_testfile_refused_as (cg_testfile_load_fn *load, const char *name, const void *content,
                        size_t size, size_t lineno, const char *reason)
{
    char *path = cg_testfile_write (name, content, size);
    char err[1024] = "";
    cr_assert_null (load (path, err, sizeof err), "loaded, expected: %s", reason);
    char *want = lineno ? cg_strfmt ("%s:%zu: %s", path, lineno, reason)
                        : cg_strfmt ("%s: %s", path, reason);
    cr_assert_str_eq (err, want);
    free (want);
    cg_testfile_remove (&path);
}
