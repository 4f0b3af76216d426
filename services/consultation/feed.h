/*  feed — consultation and dispatch: hot spots open topics, tasks go out
    as cases and come back closed, and publications are watched for their
    due dates. */
#ifndef CONSULTATION_FEED_H_INCLUDED
#define CONSULTATION_FEED_H_INCLUDED

#include "consultation.h"

/*  Follows the dispatch journal: hotspot.detected, and case.closed,
    case.rejected and case.merged of the cases that carry tasks. */
cg_feed_fn feed_on_dispatch;

/*  Once a second: raises overdue publications and sends the outbox. */
int feed_on_timer (zloop_t *loop, int timer_id, void *arg);

#endif
