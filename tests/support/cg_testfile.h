/*  cg_testfile — a data file's refusals, as the loaders promise them.

    Every loader of a data file (the org tree, the catalog, the calendar,
    the grids' boundaries, a village's powers, intake's classifications,
    the fund's points) refuses a bad file with "path:LINE: reason", or
    "path: reason" for the file as a whole (common/cg_text.h).  A test of
    one refusal writes a small file, loads it and checks that sentence to
    the letter: the path the operator gave, the line to open, the reason.
    This is that test, once; a test file adapts its loader to
    cg_testfile_load_fn (a line: the loader's own type differs) and lists
    its refusals. */
#ifndef CG_TESTFILE_H_INCLUDED
#define CG_TESTFILE_H_INCLUDED

#include <stddef.h>
#include <string.h>

/*  The path of a file of the demo region (deploy/demo/name, under
    $CG_ROOT or here), the data the loaders ship with; free it. */
char *cg_testfile_demo (const char *name);

/*  A loader: what it loaded, or NULL with its refusal in err. */
typedef void *(cg_testfile_load_fn) (const char *path, char *err, size_t errlen);

/*  Writes size bytes of content into a new file, named name (for a
    loader that reads the file's name; data.tsv when NULL) in a folder of
    its own under $TMPDIR (/tmp when unset); its path, for
    cg_testfile_remove. */
char *cg_testfile_write (const char *name, const void *content, size_t size);
/*  The same of a string, named data.tsv. */
char *cg_testfile_text (const char *content);
/*  Removes the file (and its folder) and frees path; NULL does nothing. */
void cg_testfile_remove (char **path_p);

/*  Writes content as a file (as cg_testfile_write), loads it and asserts
    the loader refused it with exactly "PATH:lineno: reason" (lineno 0:
    "PATH: reason"). */
void cg_testfile_refused_as (cg_testfile_load_fn *load, const char *name, const void *content,
                             size_t size, size_t lineno, const char *reason);
#define cg_testfile_refused(load, content, lineno, reason) \
    cg_testfile_refused_as ((load), NULL, (content), strlen (content), (lineno), (reason))

#endif
