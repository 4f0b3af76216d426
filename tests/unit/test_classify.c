/*  test_classify - unit tests for intake's table of classifications
    (services/intake/classify.c, data/intake_map): the shipped table loads,
    and a malformed row is refused with "path:LINE: reason", never read
    past its last field (a row of one field crashed intake at start; found
    by fuzz_load_intake_map). */
#include "../../services/intake/classify.h"
#include "cg_testfile.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cg_catalog_t *
s_catalog (void)
{
    char err[512] = "";
    cg_catalog_t *catalog = cg_catalog_load ("deploy/demo/catalog.tsv", err, sizeof err);
    cr_assert (catalog, "%s", err);
    return catalog;
}

/*  intake's table against the shipped catalog, let go at once (a table
    that loads fails the test) */
static void *
s_load (const char *path, char *err, size_t errlen)
{
    cg_catalog_t *catalog = s_catalog ();
    classify_t *classify = classify_new (catalog, path, err, errlen);
    cg_catalog_destroy (&catalog);
    return classify;
}

static void
s_refused (const char *content, size_t lineno, const char *reason)
{
    cg_testfile_refused (s_load, content, lineno, reason);
}

Test (classify, the_shipped_table_loads_and_classifies)
{
    cg_catalog_t *catalog = s_catalog ();
    char err[512] = "";
    classify_t *classify = classify_new (catalog, "deploy/demo/intake-categories.tsv", err,
                                         sizeof err);
    cr_assert (classify, "%s", err);
    classify_destroy (&classify);
    classify_destroy (&classify);
    cg_catalog_destroy (&catalog);
}

Test (classify, a_row_with_too_few_fields_is_refused_by_line)
{
    s_refused ("# source\tkind\tvalue\tcategory\nhotline\n", 2,
               "want source, kind, value, category");
    s_refused ("hotline\tkeyword\n", 1, "want source, kind, value, category");
    s_refused ("*\tkeyword\t噪音\tnoise\textra\n", 1, "want source, kind, value, category");
    s_refused ("*\tword\t噪音\tnoise\n", 1, "kind is code, keyword or class");
    s_refused ("*\tkeyword\t噪音\tno_such_category\n", 1, "the category is not in the catalog");
}
