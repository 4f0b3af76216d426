/*  inbox — the in-app inbox of units, fed from the dispatch journal. */
#ifndef NOTIFICATION_INBOX_H_INCLUDED
#define NOTIFICATION_INBOX_H_INCLUDED

#include "cg_daemon.h"

typedef struct _inbox_t inbox_t;

inbox_t *inbox_new (cg_daemon_t *daemon);
void inbox_destroy (inbox_t **self_p);

cg_feed_fn inbox_on_dispatch;
cg_command_fn inbox_on_list;

#endif
