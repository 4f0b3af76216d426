/*  test_orgtree - unit tests for cg_orgtree and cg_text

    The first suite loads the shipped demo region and checks its shape and
    the queries against real codes. The second writes one small broken file
    per refusal (fixtures are inline, so each test shows its input) and
    checks the exact "path:LINE: reason" message, line number included.
*/
#include "cg_orgtree.h"
#include "cg_testfile.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

//  A valid six-line region that the refusal fixtures extend.
#define S_HEAD \
    "320600\t-\tcity\t南通市\n" \
    "320602\t320600\tcounty\t崇川区\n" \
    "320602008\t320602\ttown\t观音山街道\n" \
    "320602008001\t320602008\tcommunity\t新桥社区\n" \
    "320602008001001\t320602008001\tgrid\t第1网格\n" \
    "320602008-chengguan\t320602008\tunit\t观音山街道城管中队\tchengguan\n"

static char *
s_demo_path (void)
{
    return cg_testfile_demo ("orgtree.tsv");
}

static void *
s_load (const char *path, char *err, size_t errlen)
{
    return cg_orgtree_load (path, err, errlen);
}

//  Load content (of length size), expect exactly "path:lineno: reason".
static void
s_refused (const char *content, size_t size, size_t lineno, const char *reason)
{
    cg_testfile_refused_as (s_load, NULL, content, size, lineno, reason);
}

#define S_REFUSED(content, lineno, reason) \
    s_refused ((content), sizeof (content) - 1, (lineno), (reason))

static cg_orgtree_t *tree;

static void
s_load_demo (void)
{
    char *path = s_demo_path ();
    char err [512] = "";
    struct timespec start, end;
    clock_gettime (CLOCK_MONOTONIC, &start);
    tree = cg_orgtree_load (path, err, sizeof err);
    clock_gettime (CLOCK_MONOTONIC, &end);
    cr_assert_not_null (tree, "%s", err);
    double msecs = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
    //  The limit is for a normal build; sanitizers slow it several times.
    cr_assert_lt (msecs, 500, "loading took %.1f ms", msecs);
    free (path);
}

static void
s_destroy_demo (void)
{
    cg_orgtree_destroy (&tree);
    cr_assert_null (tree);
    cg_orgtree_destroy (&tree);
}

static size_t
s_units_under (const cg_org_node_t *center)
{
    size_t units = 0;
    for (const cg_org_node_t *child = cg_orgtree_first_child (center); child;
         child = cg_orgtree_next_sibling (child))
        if (child->kind == CG_ORG_UNIT)
            units++;
    return units;
}

TestSuite (orgtree_demo, .init = s_load_demo, .fini = s_destroy_demo);

Test (orgtree_demo, counts)
{
    cr_assert_eq (cg_orgtree_count (tree, CG_ORG_CITY), 1);
    cr_assert_eq (cg_orgtree_count (tree, CG_ORG_COUNTY), 10);
    cr_assert_eq (cg_orgtree_count (tree, CG_ORG_TOWN), 96);
    size_t communities = cg_orgtree_count (tree, CG_ORG_COMMUNITY);
    cr_assert (communities >= 96 * 8 && communities <= 96 * 12);
    size_t grids = cg_orgtree_count (tree, CG_ORG_GRID);
    cr_assert (grids >= 8300 && grids <= 8600, "%zu grids", grids);
    //  10 unit types at each of 107 centers, plus shequ at each town
    cr_assert_eq (cg_orgtree_count (tree, CG_ORG_UNIT), 107 * 10 + 96);
    size_t total = 0;
    for (int kind = 0; kind < CG_ORG_KINDS; kind++)
        total += cg_orgtree_count (tree, (cg_org_kind_t) kind);
    cr_assert_eq (cg_orgtree_size (tree), total);
}

Test (orgtree_demo, every_center_has_its_units)
{
    const cg_org_node_t *city = cg_orgtree_root (tree);
    cr_assert_str_eq (city->code, "320600");
    cr_assert_eq (s_units_under (city), 10);
    size_t towns = 0;
    for (const cg_org_node_t *county = cg_orgtree_first_child (city); county;
         county = cg_orgtree_next_sibling (county)) {
        if (county->kind != CG_ORG_COUNTY)
            continue;
        cr_assert_eq (s_units_under (county), 10, "county %s", county->code);
        for (const cg_org_node_t *town = cg_orgtree_first_child (county); town;
             town = cg_orgtree_next_sibling (town))
            if (town->kind == CG_ORG_TOWN) {
                cr_assert_eq (s_units_under (town), 11, "town %s", town->code);
                cr_assert_not_null (cg_orgtree_unit (tree, town, "shequ"));
                towns++;
            }
    }
    cr_assert_eq (towns, 96);
}

Test (orgtree_demo, find)
{
    const cg_org_node_t *county = cg_orgtree_find (tree, "320602");
    cr_assert_not_null (county);
    cr_assert_str_eq (county->name, "崇川区");
    cr_assert_eq (county->kind, CG_ORG_COUNTY);
    cr_assert_null (county->unit_type);
    cr_assert_eq (county->parent, cg_orgtree_root (tree));
    cr_assert_eq (county->depth, 1);

    const cg_org_node_t *town = cg_orgtree_find (tree, "320602008");
    cr_assert_str_eq (town->name, "观音山街道");
    const cg_org_node_t *unit = cg_orgtree_find (tree, "320602008-chengguan");
    cr_assert_str_eq (unit->name, "观音山街道城管中队");
    cr_assert_str_eq (unit->unit_type, "chengguan");
    cr_assert_eq (unit->parent, town);

    cr_assert_str_eq (cg_orgtree_find (tree, "320673")->name, "通州湾示范区");
    cr_assert_null (cg_orgtree_find (tree, "320699"));
    cr_assert_null (cg_orgtree_find (tree, ""));
    cr_assert_null (cg_orgtree_find (tree, "-"));
}

Test (orgtree_demo, center_of)
{
    const cg_org_node_t *grid = cg_orgtree_find (tree, "320602008001001");
    cr_assert_not_null (grid);
    cr_assert_eq (grid->kind, CG_ORG_GRID);
    const cg_org_node_t *town = cg_orgtree_center_of (tree, grid, CG_ORG_TOWN);
    cr_assert_str_eq (town->code, "320602008");
    cr_assert_str_eq (cg_orgtree_center_of (tree, grid, CG_ORG_COUNTY)->code, "320602");
    cr_assert_str_eq (cg_orgtree_center_of (tree, grid, CG_ORG_CITY)->code, "320600");
    cr_assert_eq (cg_orgtree_center_of (tree, town, CG_ORG_TOWN), town);
    cr_assert_str_eq (cg_orgtree_center_of (tree, grid, CG_ORG_COMMUNITY)->code,
                      "320602008001");

    //  A county has no town above it; a unit belongs to its center.
    const cg_org_node_t *county = cg_orgtree_find (tree, "320623");
    cr_assert_null (cg_orgtree_center_of (tree, county, CG_ORG_TOWN));
    const cg_org_node_t *unit = cg_orgtree_find (tree, "320623-police");
    cr_assert_eq (cg_orgtree_center_of (tree, unit, CG_ORG_COUNTY), county);
    cr_assert_null (cg_orgtree_center_of (tree, unit, CG_ORG_TOWN));
    cr_assert_null (cg_orgtree_center_of (tree, NULL, CG_ORG_TOWN));
}

Test (orgtree_demo, unit)
{
    const cg_org_node_t *town = cg_orgtree_find (tree, "320602008");
    const cg_org_node_t *police = cg_orgtree_unit (tree, town, "police");
    cr_assert_not_null (police);
    cr_assert_str_eq (police->name, "观音山派出所");
    cr_assert_null (cg_orgtree_unit (tree, town, "nonesuch"));

    const cg_org_node_t *county = cg_orgtree_find (tree, "320623");
    cr_assert_str_eq (cg_orgtree_unit (tree, county, "police")->name, "如东县公安局");
    cr_assert_str_eq (cg_orgtree_unit (tree, cg_orgtree_find (tree, "320602"), "police")->name,
                      "崇川区公安分局");
    //  Only towns have a community-affairs unit.
    cr_assert_null (cg_orgtree_unit (tree, county, "shequ"));
    cr_assert_str_eq (cg_orgtree_unit (tree, cg_orgtree_root (tree), "huanbao")->name,
                      "南通市生态环境局");
    cr_assert_null (cg_orgtree_unit (tree, cg_orgtree_find (tree, "320602008001"), "police"));
    cr_assert_null (cg_orgtree_unit (tree, NULL, "police"));
}

Test (orgtree_demo, within)
{
    const cg_org_node_t *city = cg_orgtree_root (tree);
    const cg_org_node_t *chongchuan = cg_orgtree_find (tree, "320602");
    const cg_org_node_t *rudong = cg_orgtree_find (tree, "320623");
    const cg_org_node_t *grid = cg_orgtree_find (tree, "320602008001001");
    const cg_org_node_t *unit = cg_orgtree_find (tree, "320602008-chengguan");

    cr_assert (cg_orgtree_within (grid, chongchuan));
    cr_assert (cg_orgtree_within (grid, city));
    cr_assert (cg_orgtree_within (grid, grid));
    cr_assert (cg_orgtree_within (unit, chongchuan));
    cr_assert_not (cg_orgtree_within (grid, rudong));
    cr_assert_not (cg_orgtree_within (chongchuan, grid));
    cr_assert_not (cg_orgtree_within (unit, cg_orgtree_find (tree, "320602008001")));
    cr_assert_not (cg_orgtree_within (NULL, city));
}

Test (orgtree_demo, children_in_file_order)
{
    const cg_org_node_t *community = cg_orgtree_find (tree, "320602008001");
    size_t number = 0;
    for (const cg_org_node_t *grid = cg_orgtree_first_child (community); grid;
         grid = cg_orgtree_next_sibling (grid)) {
        number++;
        char *code = cg_strfmt ("320602008001%03zu", number);
        cr_assert_str_eq (grid->code, code);
        cr_assert_eq (grid->parent, community);
        free (code);
    }
    cr_assert_gt (number, 0);
    cr_assert_null (cg_orgtree_first_child (cg_orgtree_find (tree, "320602008001001")));
}

Test (orgtree_kind, names_round_trip)
{
    for (int kind = 0; kind < CG_ORG_KINDS; kind++) {
        cg_org_kind_t parsed;
        cr_assert_eq (cg_org_kind_parse (cg_org_kind_name ((cg_org_kind_t) kind), &parsed), 0);
        cr_assert_eq (parsed, (cg_org_kind_t) kind);
    }
    cg_org_kind_t parsed;
    cr_assert_eq (cg_org_kind_parse ("village", &parsed), -1);
    cr_assert_eq (cg_org_kind_parse ("", &parsed), -1);
}

Test (orgtree_load, comments_blank_lines_crlf_and_bom)
{
    char *path = cg_testfile_text (
        "\xEF\xBB\xBF# a comment\r\n"
        "\n"
        "   \t \n"
        "320600\t-\tcity\t南通市\r\n"
        "# another\n"
        "320602\t320600\tcounty\t崇川区");     //  No final newline
    char err [256] = "";
    cg_orgtree_t *small = cg_orgtree_load (path, err, sizeof err);
    cr_assert_not_null (small, "%s", err);
    cr_assert_eq (cg_orgtree_size (small), 2);
    cr_assert_str_eq (cg_orgtree_find (small, "320602")->name, "崇川区");
    cr_assert_str_eq (cg_orgtree_find (small, "320600")->name, "南通市");
    cg_orgtree_destroy (&small);
    cg_testfile_remove (&path);
}

Test (orgtree_load, missing_file)
{
    char err [256] = "";
    cr_assert_null (cg_orgtree_load ("/nonexistent/orgtree.tsv", err, sizeof err));
    cr_assert_str_eq (err, "/nonexistent/orgtree.tsv: cannot open: No such file or directory");
    //  err is optional
    cr_assert_null (cg_orgtree_load ("/nonexistent/orgtree.tsv", NULL, 0));
}

Test (orgtree_load, empty_file)
{
    char *path = cg_testfile_text ("# only a comment\n\n");
    char err [256] = "";
    cr_assert_null (cg_orgtree_load (path, err, sizeof err));
    char *expected = cg_strfmt ("%s: no nodes, the file needs at least the city", path);
    cr_assert_str_eq (err, expected);
    cg_testfile_remove (&path);
    free (expected);
}

Test (orgtree_load, message_is_truncated_safely)
{
    char *path = cg_testfile_text ("320600\t-\tcity\n");
    char err [8];
    cr_assert_null (cg_orgtree_load (path, err, sizeof err));
    cr_assert_eq (strlen (err), sizeof err - 1);
    cg_testfile_remove (&path);
}

Test (orgtree_refuse, unknown_parent)
{
    S_REFUSED (S_HEAD "# comment\n\n320602009\t320612\ttown\t某街道\n",
               9, "unknown parent 320612 (a parent must come before its children)");
}

Test (orgtree_refuse, parent_after_child)
{
    S_REFUSED ("320600\t-\tcity\t南通市\n"
               "320612001\t320612\ttown\t金沙街道\n"
               "320612\t320600\tcounty\t通州区\n",
               2, "unknown parent 320612 (a parent must come before its children)");
}

Test (orgtree_refuse, duplicate_code)
{
    S_REFUSED (S_HEAD "320602008\t320602\ttown\t观音山街道\n",
               7, "duplicate code 320602008 (first on line 3)");
}

Test (orgtree_refuse, town_under_city)
{
    S_REFUSED (S_HEAD "320600001\t320600\ttown\t某镇\n",
               7, "a town's parent must be a county, 320600 is a city");
}

Test (orgtree_refuse, grid_under_town)
{
    S_REFUSED (S_HEAD "320602008009\t320602008\tgrid\t第1网格\n",
               7, "a grid's parent must be a community, 320602008 is a town");
}

Test (orgtree_refuse, unit_under_community)
{
    S_REFUSED (S_HEAD "320602008001-x\t320602008001\tunit\t某单位\tchengguan\n",
               7, "a unit's parent must be a city, county or town, 320602008001 is a community");
}

Test (orgtree_refuse, community_under_unit)
{
    S_REFUSED (S_HEAD "320602008002\t320602008-chengguan\tcommunity\t某社区\n",
               7, "a community's parent must be a town, 320602008-chengguan is a unit");
}

Test (orgtree_refuse, missing_columns)
{
    S_REFUSED (S_HEAD "320602009\t320602\ttown\n",
               7, "expected 4 or 5 tab-separated columns (code, parent, kind, name[, unit_type]), found 3");
}

Test (orgtree_refuse, too_many_columns)
{
    S_REFUSED (S_HEAD "320602008-x\t320602008\tunit\t某单位\tx\textra\n",
               7, "expected 4 or 5 tab-separated columns (code, parent, kind, name[, "
               "unit_type]), found 6");
}

Test (orgtree_refuse, empty_column)
{
    S_REFUSED (S_HEAD "320602009\t320602\ttown\t\n", 7, "the name column is empty");
    S_REFUSED ("\t-\tcity\t南通市\n", 1, "the code column is empty");
}

Test (orgtree_refuse, invalid_utf8)
{
    S_REFUSED (S_HEAD "320602009\t320602\ttown\t\xE8\xA7\n", 7, "line is not valid UTF-8");
    //  Overlong '/' and an encoded surrogate
    S_REFUSED (S_HEAD "320602009\t320602\ttown\t\xC0\xAF\n", 7, "line is not valid UTF-8");
    S_REFUSED (S_HEAD "320602009\t320602\ttown\t\xED\xA0\x80\n", 7, "line is not valid UTF-8");
    //  Even in a comment: the file as a whole must be UTF-8
    S_REFUSED ("# \xFF\n", 1, "line is not valid UTF-8");
}

Test (orgtree_refuse, nul_byte)
{
    S_REFUSED (S_HEAD "320602009\t320602\ttown\tA\0B\n", 7, "line contains a NUL byte");
}

//  A town line whose name is count copies of 镇 (3 bytes each) and tail.
static char *
s_town_named (int count, const char *tail)
{
    char name [512] = "";
    for (int index = 0; index < count; index++)
        strcat (name, "镇");
    strcat (name, tail);
    return cg_strfmt ("%s320602009\t320602\ttown\t%s\n", S_HEAD, name);
}

Test (orgtree_refuse, name_too_long)
{
    char *content = s_town_named (43, "");
    s_refused (content, strlen (content), 7, "name is 129 bytes long, the limit is 128");
    free (content);

    content = s_town_named (42, "xx");
    char *path = cg_testfile_text (content);
    char err [256] = "";
    cg_orgtree_t *small = cg_orgtree_load (path, err, sizeof err);
    cr_assert_not_null (small, "128 bytes is fine: %s", err);
    cg_orgtree_destroy (&small);
    cg_testfile_remove (&path);
    free (content);
}

Test (orgtree_refuse, code_too_long)
{
    S_REFUSED (S_HEAD "320602008-abcdefghijklmnopqrstuvw\t320602008\tunit\t某单位\tzhujian\n",
               7, "code is 33 bytes long, the limit is 32");
}

Test (orgtree_refuse, line_too_long)
{
    char *content = cg_alloc (2048);
    strcpy (content, S_HEAD "# ");
    memset (content + strlen (content), 'x', 1023);
    strcat (content, "\n");
    s_refused (content, strlen (content), 7, "line is 1025 bytes long, the limit is 1024");
    free (content);
}

Test (orgtree_refuse, unknown_kind)
{
    S_REFUSED (S_HEAD "320602008002\t320602008\tvillage\t某村\n",
               7, "unknown kind 'village' (expected city, county, town, community, grid or unit)");
}

Test (orgtree_refuse, second_root)
{
    S_REFUSED (S_HEAD "320700\t-\tcity\t连云港市\n",
               7, "a second root 320700; the root is 320600 (line 1)");
}

Test (orgtree_refuse, root_not_a_city)
{
    S_REFUSED ("# header\n320602\t-\tcounty\t崇川区\n",
               2, "a county needs a parent; only the city is a root");
}

Test (orgtree_refuse, city_with_parent)
{
    S_REFUSED (S_HEAD "320700\t320600\tcity\t连云港市\n",
               7, "a city is the root, its parent must be '-', not 320600");
}

Test (orgtree_refuse, code_length_for_kind)
{
    S_REFUSED (S_HEAD "32060209\t320602\ttown\t某镇\n", 7, "a town code has 9 digits, not '32060209'");
    S_REFUSED ("3206\t-\tcity\t南通市\n", 1, "a city code has 6 digits, not '3206'");
    S_REFUSED (S_HEAD "320602008001a\t320602008001\tgrid\t第2网格\n",
               7, "a grid code has 15 digits, not '320602008001a'");
}

Test (orgtree_refuse, code_outside_parent)
{
    S_REFUSED (S_HEAD "320602009001\t320602008\tcommunity\t某社区\n",
               7, "community code 320602009001 does not start with its parent's code 320602008");
    S_REFUSED (S_HEAD "320702\t320600\tcounty\t某区\n",
               7, "county 320702 is not in city 320600 (their codes must share the first 4 digits)");
}

Test (orgtree_refuse, unit_columns)
{
    S_REFUSED (S_HEAD "320602008-x\t320602008\tunit\t某单位\n",
               7, "a unit needs a 5th column, its unit_type");
    S_REFUSED (S_HEAD "320602009\t320602\ttown\t某镇\tchengguan\n",
               7, "only a unit has a 5th column (unit_type), this is a town");
    S_REFUSED (S_HEAD "320602008-x\t320602008\tunit\t某单位\tChengGuan\n",
               7, "unit_type 'ChengGuan' must be a lowercase ASCII identifier");
    S_REFUSED (S_HEAD "320602008 x\t320602008\tunit\t某单位\tzhujian\n",
               7, "unit code '320602008 x' must be printable ASCII without spaces");
}

Test (orgtree_refuse, two_units_of_a_type)
{
    S_REFUSED (S_HEAD "320602008-cg2\t320602008\tunit\t第二城管中队\tchengguan\n",
               7, "center 320602008 already has a chengguan unit, 320602008-chengguan (line 6)");
}

Test (text, utf8_valid)
{
    cr_assert (cg_utf8_valid ("", 0));
    cr_assert (cg_utf8_valid ("plain", 5));
    cr_assert (cg_utf8_valid ("网格", strlen ("网格")));
    cr_assert (cg_utf8_valid ("\xF0\x9F\x98\x80", 4));           //  U+1F600
    cr_assert (cg_utf8_valid ("\xF4\x8F\xBF\xBF", 4));           //  U+10FFFF
    cr_assert_not (cg_utf8_valid ("\xF4\x90\x80\x80", 4));       //  U+110000
    cr_assert_not (cg_utf8_valid ("\xE0\x80\xAF", 3));           //  Overlong
    cr_assert_not (cg_utf8_valid ("\xC1\xBF", 2));               //  Overlong
    cr_assert_not (cg_utf8_valid ("\xED\xBF\xBF", 3));           //  Surrogate
    cr_assert_not (cg_utf8_valid ("\x80", 1));                   //  Lone continuation
    cr_assert_not (cg_utf8_valid ("\xE7\xBD", 2));               //  Truncated
    cr_assert_not (cg_utf8_valid ("\xE7\xBDx", 3));              //  Bad continuation
    cr_assert_not (cg_utf8_valid ("\xF8\x88\x80\x80\x80", 5));   //  5-byte form
}

Test (text, tsv_split)
{
    char line [] = "a\t\tb\tc";
    char *fields [2];
    cr_assert_eq (cg_tsv_split (line, fields, 2), 4);
    cr_assert_str_eq (fields [0], "a");
    cr_assert_str_eq (fields [1], "");
    char empty [] = "";
    cr_assert_eq (cg_tsv_split (empty, fields, 2), 1);
    cr_assert_str_eq (fields [0], "");
}

Test (text, strfmt_and_errset)
{
    char *string = cg_strfmt ("%s:%d", "网格", 3);
    cr_assert_str_eq (string, "网格:3");
    free (string);
    char err [4];
    cg_errset (err, sizeof err, "%s", "truncated");
    cr_assert_str_eq (err, "tru");
    cg_errset (NULL, 0, "%s", "ignored");
}
