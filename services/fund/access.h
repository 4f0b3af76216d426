/*  access — who may do what with a fund: the daemon's own rules, applied
    to the actor and role that the gateway authenticated and passes on
    (docs/FUND.md, "Who may do what"). */
#ifndef FUND_ACCESS_H_INCLUDED
#define FUND_ACCESS_H_INCLUDED

#include "fund.h"
#include "cg_command.h"

/*  The caller of a command, read from its actor and role. */
typedef struct {
    char person[65];                /* the actor's name: its last part */
    const cg_org_node_t *scope;     /* the center the actor speaks for; NULL: the whole tree */
    int role;                       /* a cg_role_t bit */
} fund_caller_t;

/*  What a caller asks to do; each is one rule. */
typedef enum {
    ACCESS_LEDGER,      /* open accounts: an admin */
    ACCESS_DONATE,      /* take a donation: an operator, supervisor or admin of the fund's area */
    ACCESS_REQUEST,     /* ask for a disbursement or for minutes: a person of the fund's area */
    ACCESS_DECIDE,      /* approve or reject: one of the request's approvers */
    ACCESS_PUBLISH,     /* publish a month's report: a supervisor, admin or committee member */
    ACCESS_GOODS,       /* record goods in kind or a redemption at a site: an operator,
                           supervisor or admin of the site's community (f: the site) */
} access_act_t;

/*  Reads actor and role into caller.  Returns 0, or -1 with the refusal
    in reply (the field and what is wrong with it). */
int access_caller (cg_orgtree_t *org, const char *actor, const char *role, fund_caller_t *caller,
                   cg_reply_t *reply);

/*  Whether caller may do act on fund f (NULL for ACCESS_LEDGER);
    approvers are who may decide (ACCESS_DECIDE; the committee for
    ACCESS_PUBLISH).  Returns 0, or -1 with a refusal naming the rule. */
int access_check (const fund_caller_t *caller, access_act_t act, const fund_t *f,
                  char **approvers, size_t napprovers, cg_reply_t *reply);

/*  Whether caller may apply these raw transfers: an admin any, a person
    only their own minutes of a time bank (each transfer's ledger is then
    set to min).  Returns 0, or -1 with a refusal naming the rule. */
int access_transfers (const fund_caller_t *caller, cg_fund_transfer_t *transfers, size_t n,
                      cg_reply_t *reply);

#endif
