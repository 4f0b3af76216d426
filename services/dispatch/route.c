/*  route — see route.h.

    "Small matters stay in the village, big matters stay in the town": a case
    goes to the category's default level (town, county or city) above its
    grid, or above the community intake matched its address to; a place
    that spans several towns (a road the gazetteer gives to a county) goes
    to the county.  What intake
    could not place goes to the triage queue of the county it named (the
    county center's own queue), or the city's when not even the county is
    known, marked unplaced, for an operator to place by hand.  The unit is
    the one of the catalog's type at that center; when the catalog names
    none, or the center has none, the center's own queue takes it. */
#include "route.h"

#include <string.h>

const char *
route_level_name (cg_org_kind_t level)
{
    return cg_org_kind_name (level);
}

int
route_case (cg_orgtree_t *org, cg_catalog_t *catalog, const char *category,
            const route_place_t *where, route_t *route)
{
    memset (route, 0, sizeof *route);
    route->category = cg_catalog_find (catalog, category);
    if (!route->category)
        return -1;
    route->level = route->category->level;
    const char *code = where->grid ? where->grid : where->place;
    const cg_org_node_t *place = code && !where->unplaced ? cg_orgtree_find (org, code) : NULL;
    route->center = place ? cg_orgtree_center_of (org, place, route->level) : NULL;
    if (place && !route->center && place->kind != CG_ORG_UNIT) {
        /*  a place above the category's level (a road through several
            towns) goes to the center of its own level: the county */
        route->level = place->kind == CG_ORG_CITY ? CG_ORG_CITY : CG_ORG_COUNTY;
        route->center = cg_orgtree_center_of (org, place, route->level);
    }
    if (!route->center) {
        /*  triage: a center's own queue, never one of its units */
        const cg_org_node_t *county = where->county ? cg_orgtree_find (org, where->county) : NULL;
        bool is_county = county && county->kind == CG_ORG_COUNTY;
        route->level = is_county ? CG_ORG_COUNTY : CG_ORG_CITY;
        route->center = is_county ? county : cg_orgtree_root (org);
        route->unit = route->center;
        route->unplaced = true;
        return 0;
    }
    const char *type = cg_category_unit (route->category, route->level);
    route->unit = type ? cg_orgtree_unit (org, route->center, type) : NULL;
    if (!route->unit)
        route->unit = route->center;
    return 0;
}
