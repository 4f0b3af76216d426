/*  served — the time bank's credit for a service that consultation's
    person served confirmed (need.served, 供需对接). */
#ifndef FUND_SERVED_H_INCLUDED
#define FUND_SERVED_H_INCLUDED

#include "funds.h"

typedef struct _served_t served_t;

served_t *served_new (cg_daemon_t *daemon, funds_t *funds, ledger_t *ledger);
void served_destroy (served_t **self_p);

/*  Credits the need.served of a batch of consultation's journal, before
    the fund's cursor moves past it (resolutions.c).  Returns 0, or -1
    when the ledger could not be reached: the batch comes again. */
int served_credit (const cg_event_t *events, size_t n, void *arg);

#endif
