/*  route — where a case goes: the lowest level able to handle it, and the
    unit of the catalog's type at that level's command center. */
#ifndef DISPATCH_ROUTE_H_INCLUDED
#define DISPATCH_ROUTE_H_INCLUDED

#include "cg_catalog.h"
#include "cg_orgtree.h"

#include <stdbool.h>

typedef struct {
    const cg_category_t *category;
    cg_org_kind_t level;
    const cg_org_node_t *center;
    const cg_org_node_t *unit;      /* a unit, or the center itself (its own queue) */
    bool unplaced;                  /* in the center's triage queue, to be placed by hand */
} route_t;

/*  Where intake placed a case: its grid, else the community an address
    matched (`place`); for what intake could not place, the county whose
    triage queue takes it (NULL: the city's). */
typedef struct {
    const char *grid;
    const char *place;
    bool unplaced;
    const char *county;
} route_place_t;

/*  Routes a case of category code `category`.  Returns 0, or -1 when the
    category is unknown. */
int route_case (cg_orgtree_t *org, cg_catalog_t *catalog, const char *category,
                const route_place_t *where, route_t *route);

const char *route_level_name (cg_org_kind_t level);

#endif
