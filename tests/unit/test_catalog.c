/*  test_catalog - unit tests for cg_catalog

    Loads the shipped demo catalog and checks a few categories the rest of
    civgrid relies on, then writes one small broken file per refusal and
    checks the exact "path:LINE: reason" message.
*/
#include "cg_catalog.h"
#include "cg_testfile.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

//  One good line, as a base for the refusals: line 2 of every fixture.
#define S_HEAD \
    "# code\tname_zh\tname_en\tclass\tlevel\tunit_town\tunit_county\tunit_city\tsign\tcomplete\turgent\tconsult\n" \
    "noise\t噪声扰民\tNoise nuisance\tcomplaint\ttown\thuanbao\thuanbao\thuanbao\t120\t6240\tno\tno\n"

static void *
s_load (const char *path, char *err, size_t errlen)
{
    return cg_catalog_load (path, err, errlen);
}

static void
s_refused (const char *content, size_t lineno, const char *reason)
{
    cg_testfile_refused (s_load, content, lineno, reason);
}

static cg_catalog_t *catalog;

static void
s_load_demo (void)
{
    char *path = cg_testfile_demo ("catalog.tsv");
    char err [512] = "";
    catalog = cg_catalog_load (path, err, sizeof err);
    cr_assert_not_null (catalog, "%s", err);
    free (path);
}

static void
s_destroy_demo (void)
{
    cg_catalog_destroy (&catalog);
    cr_assert_null (catalog);
    cg_catalog_destroy (&catalog);
}

TestSuite (catalog_demo, .init = s_load_demo, .fini = s_destroy_demo);

Test (catalog_demo, size_and_order)
{
    size_t size = cg_catalog_size (catalog);
    cr_assert (size >= 20 && size <= 40, "%zu categories", size);
    cr_assert_str_eq (cg_catalog_at (catalog, 0)->code, "street_vending");
    cr_assert_null (cg_catalog_at (catalog, size));
    //  find reaches every category, and every category keeps the rules
    for (size_t index = 0; index < size; index++) {
        const cg_category_t *category = cg_catalog_at (catalog, index);
        cr_assert_eq (cg_catalog_find (catalog, category->code), category);
        cr_assert_geq (category->complete_limit_min, category->sign_limit_min);
        cr_assert (category->unit_type [0] || category->unit_type [1] || category->unit_type [2]);
    }
    cr_assert_null (cg_catalog_find (catalog, "nonesuch"));
    cr_assert_null (cg_catalog_find (catalog, ""));
}

Test (catalog_demo, street_vending)
{
    const cg_category_t *category = cg_catalog_find (catalog, "street_vending");
    cr_assert_not_null (category);
    cr_assert_str_eq (category->name_zh, "占道经营");
    cr_assert_str_eq (category->name_en, "Street vending");
    cr_assert_eq (category->class, CG_REQ_COMPLAINT);
    cr_assert_eq (category->level, CG_ORG_TOWN);
    cr_assert_str_eq (category->unit_type [CG_LEVEL_TOWN], "chengguan");
    cr_assert_str_eq (cg_category_unit (category, CG_ORG_CITY), "chengguan");
    cr_assert_eq (category->complete_limit_min, 13 * 8 * 60);
    cr_assert_not (category->urgent);
}

Test (catalog_demo, elderly_alarm_is_same_day)
{
    const cg_category_t *category = cg_catalog_find (catalog, "elderly_alarm");
    cr_assert_not_null (category);
    cr_assert (category->urgent);
    cr_assert_eq (category->sign_limit_min, 30);
    cr_assert_eq (category->complete_limit_min, 240);
    cr_assert_str_eq (cg_category_unit (category, CG_ORG_TOWN), "shequ");
    cr_assert_str_eq (cg_category_unit (category, CG_ORG_COUNTY), "minzheng");
}

Test (catalog_demo, consultation_and_queues)
{
    const cg_category_t *policy = cg_catalog_find (catalog, "policy_consultation");
    cr_assert_eq (policy->class, CG_REQ_CONSULTATION);
    cr_assert_eq (policy->complete_limit_min, 3 * 8 * 60);

    const cg_category_t *property = cg_catalog_find (catalog, "property_dispute");
    cr_assert (property->consult);
    cr_assert_str_eq (property->unit_type [CG_LEVEL_TOWN], "zhujian");

    //  其他 goes to the town center's own queue.
    const cg_category_t *other = cg_catalog_find (catalog, "other");
    cr_assert_not_null (other);
    cr_assert_str_eq (other->name_zh, "其他");
    cr_assert_eq (other->level, CG_ORG_TOWN);
    cr_assert_null (cg_category_unit (other, CG_ORG_TOWN));

    const cg_category_t *road = cg_catalog_find (catalog, "road_damage");
    cr_assert_eq (road->level, CG_ORG_COUNTY);
    cr_assert_null (cg_category_unit (road, CG_ORG_GRID));
}

Test (catalog_demo, every_class_is_used)
{
    bool seen [CG_REQ_CLASSES] = { false };
    for (size_t index = 0; index < cg_catalog_size (catalog); index++)
        seen [cg_catalog_at (catalog, index)->class] = true;
    for (int class = 0; class < CG_REQ_CLASSES; class++)
        cr_assert (seen [class], "no %s category", cg_req_class_name ((cg_req_class_t) class));
}

Test (catalog_class, names_round_trip)
{
    for (int class = 0; class < CG_REQ_CLASSES; class++) {
        cg_req_class_t parsed;
        cr_assert_eq (cg_req_class_parse (cg_req_class_name ((cg_req_class_t) class), &parsed), 0);
        cr_assert_eq (parsed, (cg_req_class_t) class);
    }
    cg_req_class_t parsed;
    cr_assert_eq (cg_req_class_parse ("Complaint", &parsed), -1);
}

Test (catalog_load, missing_file)
{
    char err [256] = "";
    cr_assert_null (cg_catalog_load ("/nonexistent/catalog.tsv", err, sizeof err));
    cr_assert_str_eq (err, "/nonexistent/catalog.tsv: cannot open: No such file or directory");
}

Test (catalog_load, no_categories)
{
    s_refused ("# nothing here\n", 0, "no categories");
}

Test (catalog_refuse, duplicate_code)
{
    s_refused (S_HEAD "\n"
        "noise\t噪声\tNoise\tcomplaint\ttown\thuanbao\thuanbao\thuanbao\t120\t6240\tno\tno\n",
        4, "duplicate code noise (first on line 2)");
}

Test (catalog_refuse, bad_class)
{
    s_refused (S_HEAD
        "x\t某\tX\tgrumble\ttown\thuanbao\thuanbao\thuanbao\t120\t6240\tno\tno\n",
        3, "unknown class 'grumble' (expected complaint, help, suggestion, consultation, report or praise)");
}

Test (catalog_refuse, bad_level)
{
    s_refused (S_HEAD
        "x\t某\tX\thelp\tcommunity\thuanbao\thuanbao\thuanbao\t120\t6240\tno\tno\n",
        3, "level must be town, county or city, not 'community'");
    s_refused (S_HEAD
        "x\t某\tX\thelp\tprovince\thuanbao\thuanbao\thuanbao\t120\t6240\tno\tno\n",
        3, "level must be town, county or city, not 'province'");
}

Test (catalog_refuse, no_unit_at_any_level)
{
    s_refused (S_HEAD
        "x\t某\tX\thelp\ttown\t-\t-\t-\t120\t6240\tno\tno\n",
        3, "category x has no unit at any level");
}

Test (catalog_refuse, bad_unit_type)
{
    s_refused (S_HEAD
        "x\t某\tX\thelp\ttown\t城管\t-\t-\t120\t6240\tno\tno\n",
        3, "unit_town must be '-' or a unit type (a lowercase ASCII identifier), not '城管'");
}

Test (catalog_refuse, non_numeric_limit)
{
    s_refused (S_HEAD
        "x\t某\tX\thelp\ttown\tminzheng\t-\t-\t2h\t1440\tno\tno\n",
        3, "sign_limit_min must be a whole number of working minutes from 1 to 999999, not '2h'");
    s_refused (S_HEAD
        "x\t某\tX\thelp\ttown\tminzheng\t-\t-\t120\t-1440\tno\tno\n",
        3, "complete_limit_min must be a whole number of working minutes from 1 to 999999, not '-1440'");
    s_refused (S_HEAD
        "x\t某\tX\thelp\ttown\tminzheng\t-\t-\t0\t1440\tno\tno\n",
        3, "sign_limit_min must be a whole number of working minutes from 1 to 999999, not '0'");
    s_refused (S_HEAD
        "x\t某\tX\thelp\ttown\tminzheng\t-\t-\t120\t99999999999\tno\tno\n",
        3, "complete_limit_min must be a whole number of working minutes from 1 to 999999, not '99999999999'");
}

Test (catalog_refuse, completion_before_sign_for)
{
    s_refused (S_HEAD
        "x\t某\tX\thelp\ttown\tminzheng\t-\t-\t120\t60\tno\tno\n",
        3, "complete_limit_min (60) is shorter than sign_limit_min (120)");
}

Test (catalog_refuse, bad_flags)
{
    s_refused (S_HEAD
        "x\t某\tX\thelp\ttown\tminzheng\t-\t-\t120\t1440\ttrue\tno\n",
        3, "urgent must be yes or no, not 'true'");
    s_refused (S_HEAD
        "x\t某\tX\thelp\ttown\tminzheng\t-\t-\t120\t1440\tno\tY\n",
        3, "consult must be yes or no, not 'Y'");
}

Test (catalog_refuse, columns)
{
    s_refused (S_HEAD "x\t某\tX\thelp\ttown\tminzheng\t-\t-\t120\t1440\tno\n",
        3, "expected 12 tab-separated columns, found 11");
    s_refused (S_HEAD "x\t\tX\thelp\ttown\tminzheng\t-\t-\t120\t1440\tno\tno\n",
        3, "the name_zh column is empty");
}

Test (catalog_refuse, bad_code)
{
    s_refused (S_HEAD "Street Vending\t某\tX\thelp\ttown\tminzheng\t-\t-\t120\t1440\tno\tno\n",
        3, "code 'Street Vending' must be a lowercase ASCII identifier of at most 32 bytes");
}

Test (catalog_refuse, invalid_utf8)
{
    s_refused (S_HEAD "x\t\xE5\x99\tX\thelp\ttown\tminzheng\t-\t-\t120\t1440\tno\tno\n",
        3, "line is not valid UTF-8");
}

Test (catalog_check, the_demo_catalog_fits_the_demo_region)
{
    s_load_demo ();
    char *path = cg_testfile_demo ("orgtree.tsv");
    char err [512] = "";
    cg_orgtree_t *org = cg_orgtree_load (path, err, sizeof err);
    cr_assert_not_null (org, "%s", err);
    cr_assert_eq (cg_catalog_check (catalog, org, "catalog.tsv", err, sizeof err), 0, "%s", err);
    cg_orgtree_destroy (&org);
    cg_catalog_destroy (&catalog);
    free (path);
}

Test (catalog_check, a_unit_type_no_center_has)
{
    char *org_path = cg_testfile_text ("320600\t-\tcity\t南通市\n"
                                "320600-huanbao\t320600\tunit\t环保局\thuanbao\n"
                                "320602\t320600\tcounty\t崇川区\n"
                                "320602-huanbao\t320602\tunit\t环保局\thuanbao\n"
                                "320602001\t320602\ttown\t和平桥街道\n"
                                "320602001-huanbao\t320602001\tunit\t环保所\thuanbao\n");
    char *cat_path = cg_testfile_text (S_HEAD
        "fumes\t油烟\tCooking fumes\tcomplaint\tcounty\t-\thuanbao\thuanbo\t120\t6240\tno\tno\n");
    char err [512] = "";
    cg_orgtree_t *org = cg_orgtree_load (org_path, err, sizeof err);
    cr_assert_not_null (org, "%s", err);
    cg_catalog_t *broken = cg_catalog_load (cat_path, err, sizeof err);
    cr_assert_not_null (broken, "%s", err);
    cr_assert_eq (cg_catalog_check (broken, org, cat_path, err, sizeof err), -1);
    char *expected = cg_strfmt ("%s:3: category fumes names unit type huanbo at city level, "
                                "but no city center in the org tree has one", cat_path);
    cr_assert_str_eq (err, expected);
    free (expected);
    cg_catalog_destroy (&broken);
    cg_orgtree_destroy (&org);
    cg_testfile_remove (&org_path);
    cg_testfile_remove (&cat_path);
}
