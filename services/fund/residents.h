/*  residents — resident points (积分) on the ledger: earned for taking
    part, capped, redeemed at a charity site for goods. */
#ifndef FUND_RESIDENTS_H_INCLUDED
#define FUND_RESIDENTS_H_INCLUDED

#include "ledger.h"
#include "goods.h"
#include "points.h"

#define RESIDENT_MAX    40      /* a resident's id: the pts.r.ID account */

typedef struct _residents_t residents_t;

/*  One act that earns points: what, its own id (the case, the transfer,
    the topic's meeting), who, when (its day is the cap's), a note. */
typedef struct {
    points_act_t act;
    const char *id;
    const char *resident;
    int64_t at;
    const char *memo;
} residents_act_t;

/*  Loads data/points, opens pts.issuer and follows dispatch's journal
    (valid cases).  NULL when the rules do not load. */
residents_t *residents_new (cg_daemon_t *daemon, ledger_t *ledger);
void residents_destroy (residents_t **self_p);

/*  The sites and items redemptions name; checks every price of the rules
    against the item kinds.  Returns 0, or -1 after logging the line. */
int residents_set_goods (residents_t *self, goods_t *goods);

/*  Appends to args now, the number of awards and each award's fields
    (points_earn, deploy/lua/fund/lib.lua) for the acts: each act's points
    cut by the day's caps, counting what the resident earned today and the
    acts before it in the batch; an act already counted, or a resident
    whose id cannot name an account, earns nothing.  Returns 0, or -1 when
    Redis failed (nothing may be applied then). */
int residents_add_awards (residents_t *self, cg_args_t *args, const residents_act_t *acts,
                          size_t n);

/*  Chains the entries a script with awards added. */
void residents_chained (residents_t *self);

/*  Awards the volunteer minutes posted since the last look (the time
    bank's CODE.issuer -> CODE.v.VOLUNTEER, by whatever confirmed them). */
void residents_tick (residents_t *self);

/*  Reads data/points again (SIGHUP); 0, or -1 leaving the rules as they were. */
int residents_reload (void *self);

cg_command_fn residents_on_redeem;
cg_command_fn residents_on_points;

#endif
