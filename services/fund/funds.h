/*  funds — the charity funds and the time bank on top of the ledger:
    donations, disbursement requests and their approval, expiry. */
#ifndef FUND_FUNDS_H_INCLUDED
#define FUND_FUNDS_H_INCLUDED

#include "access.h"
#include "fund.h"
#include "ledger.h"
#include "cg_orgtree.h"

typedef struct _funds_t funds_t;
typedef struct _resolutions_t resolutions_t;

/*  The funds of the file at path (zconfig), checked against the org
    tree; NULL with the reason in err.  funds_new loads data/funds so and
    opens every fund's accounts on the ledger. */
funds_t *funds_load (const char *path, cg_orgtree_t *org, char *err, size_t errlen);
funds_t *funds_new (cg_daemon_t *daemon, ledger_t *ledger, cg_orgtree_t *org,
                    resolutions_t *resolutions);
void funds_destroy (funds_t **self_p);

/*  The fund of that code, or NULL; the index-th fund, or NULL past the last. */
fund_t *funds_find (funds_t *self, const char *code);
fund_t *funds_at (funds_t *self, int index);

/*  The org tree the funds' areas are in. */
cg_orgtree_t *funds_org (funds_t *self);

/*  Opens volunteer's account of time bank f (CODE.v.VOLUNTEER, no
    overdraft) if it is not open, its id into account.  Returns 0, or -1
    with err. */
int funds_open_volunteer (funds_t *self, fund_t *f, const char *volunteer, char *account,
                          size_t len, cg_error_t *err);

/*  Voids what is past its timeout; returns how many. */
int funds_expire (funds_t *self);

/*  The fund of that code if the caller (actor, role: access_caller) may
    do act on it (approvers NULL: the fund's committee; access_check), else
    NULL with the refusal (an unknown fund included) in reply. */
fund_t *funds_for (funds_t *funds, const char *code, const char *actor, const char *role,
                   access_act_t act, char **approvers, size_t napprovers,
                   fund_caller_t *caller, cg_reply_t *reply);

cg_command_fn funds_on_donate;
cg_command_fn funds_on_request;
cg_command_fn funds_on_approve;
cg_command_fn funds_on_reject;
cg_command_fn funds_on_show;

#endif
