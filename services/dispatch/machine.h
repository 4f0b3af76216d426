/*  machine — the case state machine (工单状态机): the one table of what
    each action does, who may do it and from which states; and the timers
    (预警, 超期督办, 提级) that move cases on by themselves. */
#ifndef DISPATCH_MACHINE_H_INCLUDED
#define DISPATCH_MACHINE_H_INCLUDED

#include "cases.h"

/*  Registers case.<action> for every action of the table. */
void machine_register (cases_t *cases, cg_server_t *server);

/*  Fires the timers due now; registered on the loop. */
int machine_on_tick (zloop_t *loop, int timer_id, void *arg);

/*  The intake journal's events, as they come: new cases routed in batches
    (cases_route), case.merged and case.withdrawn each applied on its own
    (machine_on_intake), in journal order. */
cg_feed_fn machine_follow_intake;

/*  Applies intake's case.merged (a supporter joined the case: its count
    and a timeline step) or case.withdrawn (the source withdrew it: 撤单,
    when nobody else supports it) and moves dispatch's cursor on the intake
    journal from `cursor` to e->seq in the same call.  Returns 0, 1 when
    the cursor was not at `cursor` (nothing done), -1 when it could not be
    done now. */
int machine_on_intake (cases_t *cases, const cg_event_t *e, int64_t cursor);

#endif
