/*  plan — what a change of a topic will journal, worked out before the
    change.

    Every event consultation journals is encoded here, in C, from its one
    definition in proto/msg_consultation.h (topic.event, topic.task), as
    dispatch and fund encode theirs; the scripts of deploy/lua/consultation
    only append the bodies they are given.  A body names the stage a change
    is at, so the daemon first reads where the topic stands (plan_read):
    its stages in order, the first one not closed, its ballot rule.  The
    script checks its rules, then that the topic still stands there, and
    answers 'moved' otherwise, before writing anything; the daemon then
    reads again and retries (consultation_change). */
#ifndef CONSULTATION_PLAN_H_INCLUDED
#define CONSULTATION_PLAN_H_INCLUDED

#include "consultation.h"

#define PLAN_STAGES_MAX     16

typedef struct {
    char name[33];
    char body[33];              /* "" for a publication */
    char state[17];             /* pending, open, closed */
} plan_stage_t;

typedef struct {
    char id[33];
    char scope[33];
    int nstages;
    plan_stage_t stages[PLAN_STAGES_MAX];   /* stage n is stages[n - 1] */
    int current;                /* the first stage not closed; 0 when every one is */
    bool secret;
    int64_t ntasks;
} plan_t;

/*  Reads where topic id stands.  Returns 0, 1 when there is no such
    topic, -1 when Redis failed. */
int plan_read (consultation_t *self, const char *id, plan_t *plan);

/*  Stage n of the plan (1-based), or NULL. */
const plan_stage_t *plan_stage (const plan_t *plan, int n);

/*  The stage called name, or 0. */
int plan_stage_named (const plan_t *plan, const char *name);

/*  Adds to args a topic.event about stage n of the plan (n 0: about the
    topic), encoded; event gives the rest of its fields (may be NULL). */
void plan_add_event (cg_args_t *args, const plan_t *plan, int n, cg_topic_event_t *event,
                     int64_t at);

/*  Reads task tid into task (zeroed first; cg_msg_clear it): 0, 1 when
    there is none, -1 when Redis failed. */
int plan_read_task (consultation_t *self, const char *tid, cg_topic_task_t *task);

/*  The id of the topic raised `skip` after the next one (YS and six
    digits or more), from topic_seq; -1 when Redis failed. */
int plan_next_topic (consultation_t *self, int skip, char *id, size_t len);

#endif
