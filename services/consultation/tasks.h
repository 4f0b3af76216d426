/*  tasks — the tasks that carry out a resolution, on their way to
    dispatch and back: the outbox towards intake, the dead letters, and an
    operator's retry. */
#ifndef CONSULTATION_TASKS_H_INCLUDED
#define CONSULTATION_TASKS_H_INCLUDED

#include "consultation.h"

/*  Sends the tasks the outbox holds due now to intake (once a second). */
void tasks_send_due (consultation_t *self);

/*  Adds to a consultation_dispatch batch the item of a case that dispatch
    closed, rejected or merged into another (`what`: "closed", "rejected",
    "merged"): the topic.task of every task dispatched on it.  moved holds
    what earlier items of the batch did to tasks (task id -> the case it
    is on now, or "" once it is done with), and is brought up to date.
    False when the item changes nothing (a merge whose target dispatch
    does not name). */
bool tasks_add_case_item (consultation_t *self, cg_args_t *items, const char *what,
                          const cg_case_changed_t *c, zhash_t *moved, int64_t now);

/*  topic.tasks: the dead letters, or the outbox. */
cg_command_fn tasks_on_list;
/*  topic.retry: a dead letter goes back to the outbox. */
cg_command_fn tasks_on_retry;

#endif
