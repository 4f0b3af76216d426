/*  cg_geo — the grids' boundaries (data/grids_geo): where a point lies,
    the centre of a grid, the rings a map draws.

    The file is `grid<TAB>lon,lat lon,lat ...` (docs/INTAKE.md), one ring a
    grid, WGS-84 decimal degrees.  Intake places a request's point by it
    (intake/place.c); the gateway draws it (GET /api/v1/map).  A ring keeps
    its bounding box: a point is tested against the boxes first and then by
    ray casting (an odd number of edge crossings to the east means inside).
    A few hundred grids a town make a linear scan cheaper than any index
    worth its code. */
#ifndef CG_GEO_H_INCLUDED
#define CG_GEO_H_INCLUDED

#include "cg_orgtree.h"

#include <stddef.h>

typedef struct {
    const cg_org_node_t *grid;
    double *x, *y;              /* lon, lat of each corner */
    size_t n;
    double min_x, max_x, min_y, max_y;
} cg_ring_t;

typedef struct _cg_geo_t cg_geo_t;

/*  Reads the boundary file against the org tree (every code a grid of
    it); NULL with "path:LINE: reason" in err on a bad file. */
cg_geo_t *cg_geo_load (cg_orgtree_t *org, const char *path, char *err, size_t errlen);
void cg_geo_destroy (cg_geo_t **self_p);

/*  Strict decimal degrees: -?DDD[.DDDDDDDDDD], within [-limit, limit].
    0, or -1 when malformed or out of range. */
int cg_geo_coord (const char *text, double limit, double *out);

/*  The grid whose boundary holds the point, or NULL. */
const cg_org_node_t *cg_geo_by_point (const cg_geo_t *self, double lat, double lon);

/*  The ring of grid, or NULL when it has none. */
const cg_ring_t *cg_geo_ring (const cg_geo_t *self, const cg_org_node_t *grid);

/*  The centre of grid's boundary (of the box around it): 0, or -1 when
    the grid has none. */
int cg_geo_centre (const cg_geo_t *self, const cg_org_node_t *grid, double *lat, double *lon);

/*  The rings, in the order of their grids' nodes: the i-th of count. */
size_t cg_geo_count (const cg_geo_t *self);
const cg_ring_t *cg_geo_at (const cg_geo_t *self, size_t i);

#endif
