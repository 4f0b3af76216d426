/*  route — see route.h.

    "Small matters stay in the village, big matters stay in the town": a case
    goes to the category's default level (town, county or city) above its
    grid.  A case that could not be placed on a grid (an address only) goes
    to the top center's own queue, for an operator to place by hand.  The
    unit is the one of the catalog's type at that center; when the catalog
    names none, or the center has none, the center's own queue takes it. */
#include "route.h"

#include <string.h>

const char *
route_level_name (cg_org_kind_t level)
{
    return cg_org_kind_name (level);
}

int
route_case (cg_orgtree_t *org, cg_catalog_t *catalog, const char *category,
            const char *grid, route_t *route)
{
    memset (route, 0, sizeof *route);
    route->category = cg_catalog_find (catalog, category);
    if (!route->category)
        return -1;
    route->level = route->category->level;
    const cg_org_node_t *place = grid ? cg_orgtree_find (org, grid) : NULL;
    route->center = place ? cg_orgtree_center_of (org, place, route->level) : NULL;
    if (!route->center) {
        route->level = CG_ORG_CITY;
        route->center = cg_orgtree_root (org);
    }
    const char *type = cg_category_unit (route->category, route->level);
    route->unit = type ? cg_orgtree_unit (org, route->center, type) : NULL;
    if (!route->unit)
        route->unit = route->center;
    return 0;
}
