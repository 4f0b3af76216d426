/*  cases — dispatch's cases: routing, the state machine, the queues. */
#ifndef DISPATCH_CASES_H_INCLUDED
#define DISPATCH_CASES_H_INCLUDED

#include "cg_daemon.h"

typedef struct _cases_t cases_t;

cases_t *cases_new (cg_daemon_t *daemon);
void cases_destroy (cases_t **self_p);

cg_feed_fn cases_on_intake;
cg_command_fn cases_on_accept;
cg_command_fn cases_on_resolve;
cg_command_fn cases_on_close;
cg_command_fn cases_on_show;
cg_command_fn cases_on_list;

#endif
