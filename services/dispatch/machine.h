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

/*  Deadlines for a case (re)starting its limits at `now`. */
void machine_arm (cases_t *cases, const cg_category_t *category, int64_t now,
                  cg_case_view_t *view);

#endif
