/*  cg_geo — see cg_geo.h. */
#include "cg_geo.h"
#include "cg_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct _cg_geo_t {
    cg_ring_t *rings;           /* in the order of their grids' nodes */
    size_t nrings;
};

int
cg_geo_coord (const char *text, double limit, double *out)
{
    const char *p = text;
    if (*p == '-')
        p++;
    int whole = 0, frac = 0;
    while (*p >= '0' && *p <= '9' && whole < 4)
        p++, whole++;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9' && frac < 11)
            p++, frac++;
        if (frac == 0)
            return -1;
    }
    if (*p || whole == 0 || whole > 3 || frac > 10)
        return -1;
    double value = strtod (text, NULL);
    if (value < -limit || value > limit)
        return -1;
    *out = value;
    return 0;
}

/*  "lon,lat lon,lat ..." into a ring; -1 when malformed. */
static int
s_ring_parse (cg_ring_t *ring, char *points)
{
    size_t cap = 0;
    for (char *save = NULL, *pt = strtok_r (points, " ", &save); pt;
         pt = strtok_r (NULL, " ", &save)) {
        char *comma = strchr (pt, ',');
        double x, y;
        if (!comma)
            return -1;
        *comma = 0;
        if (cg_geo_coord (pt, 180, &x) || cg_geo_coord (comma + 1, 90, &y))
            return -1;
        if (ring->n == cap) {
            cap = cap ? cap * 2 : 8;
            ring->x = cg_realloc (ring->x, cap * sizeof (double));
            ring->y = cg_realloc (ring->y, cap * sizeof (double));
        }
        ring->x[ring->n] = x;
        ring->y[ring->n] = y;
        ring->min_x = ring->n ? (x < ring->min_x ? x : ring->min_x) : x;
        ring->max_x = ring->n ? (x > ring->max_x ? x : ring->max_x) : x;
        ring->min_y = ring->n ? (y < ring->min_y ? y : ring->min_y) : y;
        ring->max_y = ring->n ? (y > ring->max_y ? y : ring->max_y) : y;
        ring->n++;
    }
    return ring->n >= 3 ? 0 : -1;
}

static int
s_ring_order (const void *a, const void *b)
{
    uintptr_t x = (uintptr_t) ((const cg_ring_t *) a)->grid;
    uintptr_t y = (uintptr_t) ((const cg_ring_t *) b)->grid;
    return x < y ? -1 : x > y;
}

cg_geo_t *
cg_geo_load (cg_orgtree_t *org, const char *path, char *err, size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return NULL;
    cg_geo_t *self = cg_alloc (sizeof *self);
    char **f;
    int n, rc = 0;
    while ((n = cg_tsv_next (tsv, &f, err, errlen)) > 0) {
        const cg_org_node_t *grid = cg_orgtree_find (org, f[0]);
        if (n != 2 || !grid || grid->kind != CG_ORG_GRID) {
            rc = cg_tsv_fail (tsv, err, errlen, "want the code of a grid, a TAB and its ring");
            break;
        }
        self->rings = cg_realloc (self->rings, (self->nrings + 1) * sizeof *self->rings);
        cg_ring_t *ring = &self->rings[self->nrings++];
        *ring = (cg_ring_t) { .grid = grid };
        if (s_ring_parse (ring, f[1])) {
            rc = cg_tsv_fail (tsv, err, errlen, "a ring is three or more lon,lat points "
                              "separated by spaces, in range");
            break;
        }
    }
    if (n < 0)
        rc = -1;
    cg_tsv_destroy (&tsv);
    if (rc) {
        cg_geo_destroy (&self);
        return NULL;
    }
    /*  in the order of their grids, for cg_geo_ring's binary search;
        cg_geo_by_point looks at every ring, in whatever order */
    if (self->nrings)           /* qsort of no array at all is undefined */
        qsort (self->rings, self->nrings, sizeof *self->rings, s_ring_order);
    return self;
}

void
cg_geo_destroy (cg_geo_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_geo_t *self = *self_p;
    for (size_t i = 0; i < self->nrings; i++) {
        free (self->rings[i].x);
        free (self->rings[i].y);
    }
    free (self->rings);
    free (self);
    *self_p = NULL;
}

const cg_org_node_t *
cg_geo_by_point (const cg_geo_t *self, double lat, double lon)
{
    for (size_t r = 0; self && r < self->nrings; r++) {
        const cg_ring_t *ring = &self->rings[r];
        if (lon < ring->min_x || lon > ring->max_x || lat < ring->min_y || lat > ring->max_y)
            continue;
        bool inside = false;
        for (size_t i = 0, j = ring->n - 1; i < ring->n; j = i++)
            if ((ring->y[i] > lat) != (ring->y[j] > lat)
            &&  lon < (ring->x[j] - ring->x[i]) * (lat - ring->y[i])
                      / (ring->y[j] - ring->y[i]) + ring->x[i])
                inside = !inside;
        if (inside)
            return ring->grid;
    }
    return NULL;
}

const cg_ring_t *
cg_geo_ring (const cg_geo_t *self, const cg_org_node_t *grid)
{
    cg_ring_t key = { .grid = grid };
    return self && grid && self->nrings
         ? bsearch (&key, self->rings, self->nrings, sizeof key, s_ring_order) : NULL;
}

int
cg_geo_centre (const cg_geo_t *self, const cg_org_node_t *grid, double *lat, double *lon)
{
    const cg_ring_t *ring = cg_geo_ring (self, grid);
    if (!ring)
        return -1;
    *lat = (ring->min_y + ring->max_y) / 2;
    *lon = (ring->min_x + ring->max_x) / 2;
    return 0;
}

size_t
cg_geo_count (const cg_geo_t *self)
{
    return self ? self->nrings : 0;
}

const cg_ring_t *
cg_geo_at (const cg_geo_t *self, size_t i)
{
    return self && i < self->nrings ? &self->rings[i] : NULL;
}
