/*  resolutions — what the fund knows of consultation's topics, to check
    the resolution (议事决议) that a large disbursement request names. */
#ifndef FUND_RESOLUTIONS_H_INCLUDED
#define FUND_RESOLUTIONS_H_INCLUDED

#include "cg_daemon.h"
#include "cg_orgtree.h"
#include "residents.h"

typedef struct _resolutions_t resolutions_t;

/*  Follows consultation's journal on the daemon's bus; the members present
    at a meeting earn their points through residents. */
resolutions_t *resolutions_new (cg_daemon_t *daemon, cg_orgtree_t *org, residents_t *residents);
void resolutions_destroy (resolutions_t **self_p);

/*  Gives fn each batch of consultation's journal first, before the fund's
    cursor moves past it; fn returns 0, or -1 to have the batch come again
    (nothing of it applied). */
typedef int (resolutions_also_fn) (const cg_event_t *events, size_t n, void *arg);
void resolutions_also (resolutions_t *self, resolutions_also_fn *fn, void *arg);

/*  Whether topic has an adopted resolution within area.  Returns 0, or -1
    with the refusal (field resolution) in reply. */
int resolutions_check (resolutions_t *self, const cg_org_node_t *area, const char *topic,
                       cg_reply_t *reply);

#endif
