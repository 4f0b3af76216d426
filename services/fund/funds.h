/*  funds — the charity funds and the time bank on top of the ledger:
    donations, disbursement requests and their approval, expiry. */
#ifndef FUND_FUNDS_H_INCLUDED
#define FUND_FUNDS_H_INCLUDED

#include "ledger.h"

typedef struct _funds_t funds_t;

funds_t *funds_new (cg_daemon_t *daemon, ledger_t *ledger);
void funds_destroy (funds_t **self_p);

/*  Voids what is past its timeout; returns how many. */
int funds_expire (funds_t *self);

cg_command_fn funds_on_donate;
cg_command_fn funds_on_request;
cg_command_fn funds_on_approve;
cg_command_fn funds_on_reject;
cg_command_fn funds_on_show;

#endif
