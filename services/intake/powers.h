/*  powers — the lists of small and micro powers (小微权力清单) intake keeps,
    and the reports of their misuse (码上监督) it makes cases of.

    intake loads every list of data/powers (a folder, one file per village
    or community, cg_powers.h) at start and again on data.reload; a list
    whose version is not newer than the one in use, or that drops an item,
    is refused and the old one stays.  A report of an active power becomes
    a case of category power_misuse (source `supervision`), placed at the
    power's village: dispatch routes it by the catalog, which sends that
    category to the town's discipline office (纪检), not to the power's
    holder.  Its reporter gets a receipt (cg_privacy_receipt) to follow it
    by. */
#ifndef INTAKE_POWERS_H_INCLUDED
#define INTAKE_POWERS_H_INCLUDED

#include "cg_orgtree.h"
#include "cg_powers.h"

#include <czmq.h>

typedef struct _powers_t powers_t;

/*  The lists of folder dir (none when dir is ""), each of a village or
    community of org.  NULL with "path:LINE: reason" in err. */
powers_t *powers_new (cg_orgtree_t *org, const char *dir, char *err, size_t errlen);
void powers_destroy (powers_t **self_p);

/*  Loads dir again into self: every list whose version is newer replaces
    the one in use, new areas are added; 0 with how many were replaced in
    *superseded, or -1 with the reason in err and nothing changed. */
int powers_reload (powers_t *self, cg_orgtree_t *org, const char *dir, int *superseded,
                   char *err, size_t errlen);

/*  The list of area, or NULL. */
cg_powers_t *powers_area (powers_t *self, const char *area);

/*  Areas and items in use. */
size_t powers_areas (powers_t *self);
/*  The lists of the areas within scope, by area code, max at most, into
    out; total, all of them.  Returns how many out holds. */
size_t powers_within (powers_t *self, cg_orgtree_t *org, const cg_org_node_t *scope,
                      cg_powers_t **out, size_t max, size_t *total);
size_t powers_items (powers_t *self);

#endif
