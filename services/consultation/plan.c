/*  plan — see plan.h.  One round trip reads the topic and, pipelined, the
    name, body and state of each of its stages. */
#include "plan.h"
#include "cg_text.h"

#define P CONSULTATION_PREFIX

static void
s_copy (char *to, size_t len, const redisReply *r)
{
    snprintf (to, len, "%s", cg_reply_str (r));
}

int
plan_read (consultation_t *self, const char *id, plan_t *plan)
{
    memset (plan, 0, sizeof *plan);
    snprintf (plan->id, sizeof plan->id, "%s", id);
    redisReply *r = cg_redis_command (self->daemon->redis, "HMGET " P "topic:%s nstages scope "
                                      "secret ntasks", id);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 4) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    int rc = r->element[0]->type == REDIS_REPLY_STRING ? 0 : 1;
    plan->nstages = (int) cg_reply_int (r->element[0], 0);
    if (plan->nstages > PLAN_STAGES_MAX)
        plan->nstages = PLAN_STAGES_MAX;
    s_copy (plan->scope, sizeof plan->scope, r->element[1]);
    plan->secret = streq (cg_reply_str (r->element[2]), "1");
    plan->ntasks = cg_reply_int (r->element[3], 0);
    freeReplyObject (r);

    cg_args_t args;
    cg_args_init (&args);
    int appended = 0;
    for (int n = 1; n <= plan->nstages && appended == n - 1; n++) {
        cg_args_reset (&args);
        cg_args_add_str (&args, "HMGET");
        cg_args_addf (&args, P "topic:%s:s:%d", id, n);
        cg_args_add_str (&args, "name");
        cg_args_add_str (&args, "body");
        cg_args_add_str (&args, "state");
        appended += cg_redis_append (self->daemon->redis, &args) == 0;
    }
    cg_args_free (&args);
    if (appended < plan->nstages)
        rc = -1;
    /*  every reply appended is read, whatever it is */
    for (int n = 1; n <= appended; n++) {
        redisReply *s = cg_redis_reply (self->daemon->redis);
        if (!s || s->type != REDIS_REPLY_ARRAY || s->elements != 3)
            rc = -1;
        else
        if (rc >= 0) {
            plan_stage_t *stage = &plan->stages[n - 1];
            s_copy (stage->name, sizeof stage->name, s->element[0]);
            s_copy (stage->body, sizeof stage->body, s->element[1]);
            s_copy (stage->state, sizeof stage->state, s->element[2]);
            if (!plan->current && !streq (stage->state, "closed"))
                plan->current = n;
        }
        if (s)
            freeReplyObject (s);
    }
    return rc;
}

const plan_stage_t *
plan_stage (const plan_t *plan, int n)
{
    return n >= 1 && n <= plan->nstages ? &plan->stages[n - 1] : NULL;
}

int
plan_stage_named (const plan_t *plan, const char *name)
{
    for (int n = 1; n <= plan->nstages; n++)
        if (streq (plan->stages[n - 1].name, name))
            return n;
    return 0;
}

void
plan_add_event (cg_args_t *args, const plan_t *plan, int n, cg_topic_event_t *event,
                int64_t at)
{
    cg_topic_event_t none = { 0 };
    if (!event)
        event = &none;
    const plan_stage_t *stage = plan_stage (plan, n);
    event->id = (char *) plan->id;
    if (stage) {
        CG_SET (event, topic_event, n, n);
        event->name = (char *) stage->name;
    }
    CG_SET (event, topic_event, at, at);
    cg_args_add_msg (args, &cg_topic_event_def, event);
}

int
plan_read_task (consultation_t *self, const char *tid, cg_topic_task_t *task)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "HGETALL " P "task:%s", tid);
    int rc = cg_reply_hash_msg (r, &cg_topic_task_def, task);
    if (r)
        freeReplyObject (r);
    return rc;
}

int
plan_next_topic (consultation_t *self, int skip, char *id, size_t len)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "GET " P "topic_seq");
    if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL)) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    snprintf (id, len, "YS%06lld", (long long) (cg_reply_int (r, 0) + 1 + skip));
    freeReplyObject (r);
    return 0;
}
