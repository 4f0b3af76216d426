/*  powers — see powers.h.  The lists live in a hash by area code; a reload
    builds a whole new hash and swaps it in only when every file passed,
    so a broken file changes nothing. */
#include "powers.h"
#include "cg_text.h"

#include <dirent.h>

struct _powers_t {
    zhashx_t *areas;                /* area code -> cg_powers_t */
};

static void
s_free_list (void **item)
{
    cg_powers_destroy ((cg_powers_t **) item);
}

static zhashx_t *
s_hash (void)
{
    zhashx_t *hash = zhashx_new ();
    zhashx_set_destructor (hash, s_free_list);
    return hash;
}

static int
s_by_name (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

/*  Reads every *.tsv of dir into a new hash; NULL with err. */
static zhashx_t *
s_read (cg_orgtree_t *org, const char *dir, char *err, size_t errlen)
{
    zhashx_t *hash = s_hash ();
    if (!*dir)
        return hash;
    DIR *d = opendir (dir);
    if (!d) {
        cg_errset (err, errlen, "%s: cannot read the folder of power lists", dir);
        zhashx_destroy (&hash);
        return NULL;
    }
    char *names[1024];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir (d)) && n < sizeof names / sizeof names[0]) {
        size_t len = strlen (e->d_name);
        if (len > 4 && strcmp (e->d_name + len - 4, ".tsv") == 0)
            names[n++] = cg_strdup (e->d_name);
    }
    closedir (d);
    qsort (names, n, sizeof names[0], s_by_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char *path = cg_strfmt ("%s/%s", dir, names[i]);
        cg_powers_t *list = rc ? NULL : cg_powers_load (path, err, errlen);
        if (list) {
            const cg_org_node_t *node = cg_orgtree_find (org, cg_powers_area (list));
            if (!node || node->kind != CG_ORG_COMMUNITY) {
                cg_errset (err, errlen, "%s: %s is not a village or community of the org tree",
                           path, cg_powers_area (list));
                cg_powers_destroy (&list);
            }
            else
                zhashx_insert (hash, cg_powers_area (list), list);
        }
        rc |= !list;
        free (path);
        free (names[i]);
    }
    if (rc)
        zhashx_destroy (&hash);
    return hash;
}

powers_t *
powers_new (cg_orgtree_t *org, const char *dir, char *err, size_t errlen)
{
    zhashx_t *areas = s_read (org, dir, err, errlen);
    if (!areas)
        return NULL;
    powers_t *self = cg_alloc (sizeof *self);
    self->areas = areas;
    return self;
}

void
powers_destroy (powers_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zhashx_destroy (&(*self_p)->areas);
    free (*self_p);
    *self_p = NULL;
}

int
powers_reload (powers_t *self, cg_orgtree_t *org, const char *dir, int *superseded,
               char *err, size_t errlen)
{
    zhashx_t *fresh = s_read (org, dir, err, errlen);
    if (!fresh)
        return -1;
    *superseded = 0;
    /*  every list in use must be superseded or kept as it is: a village's
        file that vanished, or came back older, is refused */
    for (cg_powers_t *old = zhashx_first (self->areas); old; old = zhashx_next (self->areas)) {
        cg_powers_t *now = zhashx_lookup (fresh, cg_powers_area (old));
        char *path = cg_strfmt ("%s/%s.tsv", dir, cg_powers_area (old));
        int rc = 0;
        if (!now) {
            cg_errset (err, errlen, "%s: the list in use (version %d) is gone: a village's "
                       "list is withdrawn item by item, not removed", path,
                       cg_powers_version (old));
            rc = -1;
        }
        else
        if (cg_powers_version (now) != cg_powers_version (old)) {
            rc = cg_powers_supersedes (now, old, path, err, errlen);
            *superseded += rc == 0;
        }
        free (path);
        if (rc) {
            zhashx_destroy (&fresh);
            return -1;
        }
    }
    zhashx_destroy (&self->areas);
    self->areas = fresh;
    return 0;
}

cg_powers_t *
powers_area (powers_t *self, const char *area)
{
    return zhashx_lookup (self->areas, area);
}

static int
s_by_area (const void *a, const void *b)
{
    return strcmp (cg_powers_area (*(cg_powers_t *const *) a),
                   cg_powers_area (*(cg_powers_t *const *) b));
}

size_t
powers_within (powers_t *self, cg_orgtree_t *org, const cg_org_node_t *scope,
               cg_powers_t **out, size_t max, size_t *total)
{
    size_t n = 0;
    cg_powers_t **all = calloc (zhashx_size (self->areas) + 1, sizeof *all);
    assert (all);
    for (cg_powers_t *list = zhashx_first (self->areas); list; list = zhashx_next (self->areas)) {
        const cg_org_node_t *node = cg_orgtree_find (org, cg_powers_area (list));
        if (node && cg_orgtree_within (node, scope))
            all[n++] = list;
    }
    qsort (all, n, sizeof *all, s_by_area);
    *total = n;
    if (n > max)
        n = max;
    memcpy (out, all, n * sizeof *all);
    free (all);
    return n;
}

size_t
powers_areas (powers_t *self)
{
    return zhashx_size (self->areas);
}

size_t
powers_items (powers_t *self)
{
    size_t n = 0;
    for (cg_powers_t *list = zhashx_first (self->areas); list;
         list = zhashx_next (self->areas))
        n += cg_powers_size (list);
    return n;
}
