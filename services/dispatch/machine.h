/*  machine — the case state machine (工单状态机): the one table of what
    each action does, who may do it and from which states; and the timers
    (预警, 超期督办, 提级) that move cases on by themselves. */
#ifndef DISPATCH_MACHINE_H_INCLUDED
#define DISPATCH_MACHINE_H_INCLUDED

#include "cases.h"

/*  Registers case.<action> for every action of the table. */
void machine_register (cases_t *cases, cg_server_t *server);

/*  Every state a case can be in, as the table names them (each action's
    from and to states), once each; returns how many, at most max. */
size_t machine_states (const char **states, size_t max);

/*  Fires the timers due now; registered on the loop. */
int machine_on_tick (zloop_t *loop, int timer_id, void *arg);

/*  Applies intake's case.merged (a supporter joined the case: its count
    and a timeline step) or case.withdrawn (the source withdrew it: 撤单,
    when nobody else supports it) and moves dispatch's cursor on the intake
    journal from `cursor` to e->seq in the same call.  Returns 0, 1 when
    the cursor was not at `cursor` (nothing done), -1 when it could not be
    done now. */
int machine_on_intake (cases_t *cases, const cg_event_t *e, int64_t cursor);

/*  Deadlines for a case (re)starting its limits at `now`: the category's,
    no longer than the urgent limits for an urgent case, and never past the
    source's own deadline (`due`) while that lies ahead. */
void machine_arm (cases_t *cases, const cg_category_t *category, int64_t now,
                  cg_case_view_t *view);

/*  When the next of the case's timers is due, 0 when it has none: the score
    of its one entry in cg:{dispatch}:timers. */
int64_t machine_next_due (const cg_case_view_t *view);

#endif
