/*  place — see place.h.

    Boundaries are kept as rings of points with their bounding boxes; a
    point is tested against the boxes first and then by ray casting (an odd
    number of edge crossings to the east means inside).  A few hundred grids
    a town make a linear scan cheaper than any index worth its code.

    Address matching narrows before it matches: a county, then a town,
    named in the address (or the hotline's area code) becomes the scope, because community names
    repeat across the region (there are eleven 友谊社区), while a road name
    is meant to be unique.  Within the scope the longest name found in the
    address wins; two different places matched by names of that length is
    a tie, and a tie is not guessed. */
#include "place.h"
#include "cg_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    const cg_org_node_t *grid;
    double *x, *y;              /* lon, lat of each corner */
    size_t n;
    double min_x, max_x, min_y, max_y;
} s_ring_t;

typedef struct {
    const char *name;           /* the node's own name, or owned by names_owned */
    const cg_org_node_t *node;
    bool scope;                 /* a county's or town's own name: it narrows the
                                   search; else a place's (community, road) */
} s_name_t;

struct _place_t {
    cg_orgtree_t *org;
    s_ring_t *rings;
    size_t nrings;
    s_name_t *names;
    size_t nnames, names_cap;
    char **owned;               /* gazetteer names read from the file */
    size_t nowned;
};

int
place_coord (const char *text, double limit, double *out)
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

static void
s_name_add (place_t *self, const char *name, const cg_org_node_t *node, bool scope)
{
    if (self->nnames == self->names_cap) {
        self->names_cap = self->names_cap ? self->names_cap * 2 : 1024;
        self->names = cg_realloc (self->names, self->names_cap * sizeof *self->names);
    }
    self->names[self->nnames++] = (s_name_t) { name, node, scope };
}

/*  Every county, town and community of the tree, depth first. */
static void
s_names_from_tree (place_t *self, const cg_org_node_t *node)
{
    if (node->kind == CG_ORG_COUNTY || node->kind == CG_ORG_TOWN)
        s_name_add (self, node->name, node, true);
    if (node->kind == CG_ORG_COMMUNITY)
        s_name_add (self, node->name, node, false);
    if (node->kind == CG_ORG_COMMUNITY)
        return;
    for (const cg_org_node_t *c = cg_orgtree_first_child (node); c; c = cg_orgtree_next_sibling (c))
        if (c->kind != CG_ORG_UNIT)
            s_names_from_tree (self, c);
}

static int
s_load_gazetteer (place_t *self, const char *path, char *err, size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return -1;
    char **f;
    int n, rc = 0;
    while ((n = cg_tsv_next (tsv, &f, err, errlen)) > 0) {
        const cg_org_node_t *node = cg_orgtree_find (self->org, n == 2 ? f[1] : "");
        /*  a road may run through several communities or towns: it names
            the smallest node that holds all of it */
        if (n != 2 || !node || node->kind == CG_ORG_UNIT || node->kind == CG_ORG_CITY) {
            rc = cg_tsv_fail (tsv, err, errlen, "want name<TAB>code of a grid, community, "
                              "town or county");
            break;
        }
        self->owned = cg_realloc (self->owned, (self->nowned + 1) * sizeof *self->owned);
        self->owned[self->nowned] = cg_strdup (f[0]);
        s_name_add (self, self->owned[self->nowned++], node, false);
    }
    if (n < 0)
        rc = -1;
    cg_tsv_destroy (&tsv);
    return rc;
}

/*  "lon,lat lon,lat ..." into a ring; -1 when malformed. */
static int
s_ring_parse (s_ring_t *ring, char *points)
{
    size_t cap = 0;
    for (char *save = NULL, *pt = strtok_r (points, " ", &save); pt;
         pt = strtok_r (NULL, " ", &save)) {
        char *comma = strchr (pt, ',');
        double x, y;
        if (!comma)
            return -1;
        *comma = 0;
        if (place_coord (pt, 180, &x) || place_coord (comma + 1, 90, &y))
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
    uintptr_t x = (uintptr_t) ((const s_ring_t *) a)->grid;
    uintptr_t y = (uintptr_t) ((const s_ring_t *) b)->grid;
    return x < y ? -1 : x > y;
}

static int
s_load_boundaries (place_t *self, const char *path, char *err, size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return -1;
    char **f;
    int n, rc = 0;
    while ((n = cg_tsv_next (tsv, &f, err, errlen)) > 0) {
        const cg_org_node_t *grid = cg_orgtree_find (self->org, f[0]);
        if (n != 2 || !grid || grid->kind != CG_ORG_GRID) {
            rc = cg_tsv_fail (tsv, err, errlen, "want the code of a grid, a TAB and its ring");
            break;
        }
        self->rings = cg_realloc (self->rings, (self->nrings + 1) * sizeof *self->rings);
        s_ring_t *ring = &self->rings[self->nrings++];
        *ring = (s_ring_t) { .grid = grid };
        if (s_ring_parse (ring, f[1])) {
            rc = cg_tsv_fail (tsv, err, errlen, "a ring is three or more lon,lat points "
                              "separated by spaces, in range");
            break;
        }
    }
    if (n < 0)
        rc = -1;
    cg_tsv_destroy (&tsv);
    /*  in the order of their grids, for place_centre's binary search;
        place_by_point looks at every ring, in whatever order */
    if (self->nrings)           /* qsort of no array at all is undefined */
        qsort (self->rings, self->nrings, sizeof *self->rings, s_ring_order);
    return rc;
}

place_t *
place_new (cg_orgtree_t *org, const char *geo_path, const char *gazetteer_path,
           char *err, size_t errlen)
{
    place_t *self = cg_alloc (sizeof *self);
    self->org = org;
    s_names_from_tree (self, cg_orgtree_root (org));
    if ((gazetteer_path && *gazetteer_path
         && s_load_gazetteer (self, gazetteer_path, err, errlen))
    ||  (geo_path && *geo_path && s_load_boundaries (self, geo_path, err, errlen)))
        place_destroy (&self);
    return self;
}

void
place_destroy (place_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    place_t *self = *self_p;
    for (size_t i = 0; i < self->nrings; i++) {
        free (self->rings[i].x);
        free (self->rings[i].y);
    }
    free (self->rings);
    for (size_t i = 0; i < self->nowned; i++)
        free (self->owned[i]);
    free (self->owned);
    free (self->names);
    free (self);
    *self_p = NULL;
}

const cg_org_node_t *
place_by_point (place_t *self, double lat, double lon)
{
    for (size_t r = 0; r < self->nrings; r++) {
        const s_ring_t *ring = &self->rings[r];
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

int
place_centre (place_t *self, const cg_org_node_t *grid, double *lat, double *lon)
{
    s_ring_t key = { .grid = grid };
    const s_ring_t *ring = grid ? bsearch (&key, self->rings, self->nrings, sizeof key,
                                           s_ring_order) : NULL;
    if (!ring)
        return -1;
    *lat = (ring->min_y + ring->max_y) / 2;
    *lon = (ring->min_x + ring->max_x) / 2;
    return 0;
}

/*  The longest name within scope found in the address: of a scope of this
    kind (a county, a town), or of a place (kind CG_ORG_UNIT: a community,
    a road); NULL when none, or on a tie between two places. */
static const cg_org_node_t *
s_best (place_t *self, const char *address, const cg_org_node_t *scope, cg_org_kind_t kind)
{
    const cg_org_node_t *best = NULL;
    size_t best_len = 0;
    bool tie = false;
    for (size_t i = 0; i < self->nnames; i++) {
        const s_name_t *entry = &self->names[i];
        if (kind == CG_ORG_UNIT ? entry->scope : !entry->scope || entry->node->kind != kind)
            continue;
        if (!cg_orgtree_within (entry->node, scope) || !strstr (address, entry->name))
            continue;
        size_t len = strlen (entry->name);
        if (len > best_len) {
            best = entry->node;
            best_len = len;
            tie = false;
        }
        else
        if (len == best_len && entry->node != best)
            tie = true;
    }
    return tie ? NULL : best;
}

const cg_org_node_t *
place_by_address (place_t *self, const char *address, const cg_org_node_t *scope,
                  const cg_org_node_t **narrowest)
{
    if (!scope)
        scope = cg_orgtree_root (self->org);
    const cg_org_node_t *county = s_best (self, address, scope, CG_ORG_COUNTY);
    if (county)
        scope = county;
    const cg_org_node_t *town = s_best (self, address, scope, CG_ORG_TOWN);
    if (town)
        scope = town;
    if (narrowest)
        *narrowest = scope;
    return s_best (self, address, scope, CG_ORG_UNIT);
}
