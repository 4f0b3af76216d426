/*  test_route - dispatch's routing (services/dispatch/route.c) as a
    function of its inputs, on the demo org tree and catalog, with no Redis
    and no daemon: the category's level above the grid, the unit of the
    catalog's type there or the center's own queue, a place above the
    level, and the triage queues of what intake could not place. */
#include "route.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include "cg_testfile.h"
#include <stdlib.h>

static cg_orgtree_t *org;
static cg_catalog_t *catalog;

static void
s_load (void)
{
    char err[512] = "";
    char *path = cg_testfile_demo ("orgtree.tsv");
    org = cg_orgtree_load (path, err, sizeof err);
    free (path);
    cr_assert (org, "%s", err);
    path = cg_testfile_demo ("catalog.tsv");
    catalog = cg_catalog_load (path, err, sizeof err);
    free (path);
    cr_assert (catalog, "%s", err);
}

static void
s_unload (void)
{
    cg_catalog_destroy (&catalog);
    cg_orgtree_destroy (&org);
}

static route_t
s_route (const char *category, route_place_t where)
{
    route_t route;
    cr_assert_eq (route_case (org, catalog, category, &where, &route), 0, "%s", category);
    return route;
}

TestSuite (route, .init = s_load, .fini = s_unload);

Test (route, a_town_category_goes_to_the_unit_of_its_type_at_the_grids_town)
{
    route_t r = s_route ("noise", (route_place_t) { .grid = "320602001001001" });
    cr_assert_str_eq (r.center->code, "320602001");
    cr_assert_str_eq (r.unit->code, "320602001-huanbao");
    cr_assert_str_eq (route_level_name (r.level), "town");
    cr_assert_not (r.unplaced);
}

Test (route, a_category_with_no_unit_type_stays_in_the_centers_own_queue)
{
    route_t r = s_route ("other", (route_place_t) { .grid = "320602001001001" });
    cr_assert_str_eq (r.unit->code, "320602001");
    cr_assert_eq (r.unit, r.center);
}

Test (route, a_place_above_the_level_goes_to_its_county)
{
    /*  a road the gazetteer gives to the county, not to one town */
    route_t r = s_route ("noise", (route_place_t) { .place = "320602" });
    cr_assert_str_eq (r.center->code, "320602");
    cr_assert_str_eq (route_level_name (r.level), "county");
}

Test (route, what_cannot_be_placed_waits_in_a_triage_queue)
{
    route_t r = s_route ("noise", (route_place_t) { .unplaced = true, .county = "320614" });
    cr_assert (r.unplaced);
    cr_assert_str_eq (r.center->code, "320614");
    cr_assert_eq (r.unit, r.center, "a center's own queue, never one of its units");
    r = s_route ("noise", (route_place_t) { .unplaced = true });
    cr_assert_str_eq (r.center->code, "320600", "no county known: the city's triage");
    r = s_route ("noise", (route_place_t) { .unplaced = true, .county = "320602001" });
    cr_assert_str_eq (r.center->code, "320600", "a town is no county");
}

Test (route, an_unknown_category_is_refused)
{
    route_t r;
    route_place_t where = { .grid = "320602001001001" };
    cr_assert_eq (route_case (org, catalog, "no_such_category", &where, &r), -1);
}
