/*  place — where a request is: a grid, else a community, else unplaced.

    Three ways in, most precise first: a grid code is taken as given;
    coordinates are mapped to the grid whose boundary holds them (point in
    polygon over the optional boundary file); an address is matched against
    the gazetteer, which is the org tree's town and community names plus the
    road and place names of the gazetteer file. */
#ifndef INTAKE_PLACE_H_INCLUDED
#define INTAKE_PLACE_H_INCLUDED

#include "cg_orgtree.h"

#include <stdbool.h>

typedef struct _place_t place_t;

/*  geo_path and gazetteer_path may be NULL or "" (no boundaries, only the
    org tree's names).  NULL with "path:LINE: reason" in err on a bad file. */
place_t *place_new (cg_orgtree_t *org, const char *geo_path, const char *gazetteer_path,
                    char *err, size_t errlen);
void place_destroy (place_t **self_p);

/*  Strict decimal degrees: -?DDD[.DDDDDDDDDD], within [-limit, limit].
    0, or -1 when malformed or out of range. */
int place_coord (const char *text, double limit, double *out);

/*  The grid whose boundary holds the point, or NULL. */
const cg_org_node_t *place_by_point (place_t *self, double lat, double lon);

/*  The centre of grid's boundary (of the box around it): 0, or -1 when
    the grid has none. */
int place_centre (place_t *self, const cg_org_node_t *grid, double *lat, double *lon);

/*  The grid or community the address names within scope (the root when
    NULL), or NULL when it names none or two equally well.  *narrowest is
    set to the smallest area the address did name (a town, a county, or
    scope). */
const cg_org_node_t *place_by_address (place_t *self, const char *address,
                                       const cg_org_node_t *scope,
                                       const cg_org_node_t **narrowest);

#endif
