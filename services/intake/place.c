/*  place — see place.h.

    Boundaries are common/cg_geo's (the gateway draws the same file).

    Address matching narrows before it matches: a county, then a town,
    named in the address (or the hotline's area code) becomes the scope, because community names
    repeat across the region (there are eleven 友谊社区), while a road name
    is meant to be unique.  Within the scope the longest name found in the
    address wins; two different places matched by names of that length is
    a tie, and a tie is not guessed. */
#include "place.h"
#include "cg_geo.h"
#include "cg_text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
    const char *name;           /* the node's own name, or owned by names_owned */
    const cg_org_node_t *node;
    bool scope;                 /* a county's or town's own name: it narrows the
                                   search; else a place's (community, road) */
} s_name_t;

struct _place_t {
    cg_orgtree_t *org;
    cg_geo_t *geo;              /* NULL without a boundary file */
    s_name_t *names;
    size_t nnames, names_cap;
    char **owned;               /* gazetteer names read from the file */
    size_t nowned;
};

int
place_coord (const char *text, double limit, double *out)
{
    return cg_geo_coord (text, limit, out);
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

place_t *
place_new (cg_orgtree_t *org, const char *geo_path, const char *gazetteer_path,
           char *err, size_t errlen)
{
    place_t *self = cg_alloc (sizeof *self);
    self->org = org;
    s_names_from_tree (self, cg_orgtree_root (org));
    if ((gazetteer_path && *gazetteer_path
         && s_load_gazetteer (self, gazetteer_path, err, errlen))
    ||  (geo_path && *geo_path && !(self->geo = cg_geo_load (org, geo_path, err, errlen))))
        place_destroy (&self);
    return self;
}

void
place_destroy (place_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    place_t *self = *self_p;
    cg_geo_destroy (&self->geo);
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
    return cg_geo_by_point (self->geo, lat, lon);
}

int
place_centre (place_t *self, const cg_org_node_t *grid, double *lat, double *lon)
{
    return cg_geo_centre (self->geo, grid, lat, lon);
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
