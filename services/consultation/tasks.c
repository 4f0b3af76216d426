/*  tasks — see tasks.h.

    A task added to an adopted resolution waits in the outbox (Redis)
    until intake has answered its case.submit, so a task survives any
    kill -9 and is sent at least once.  It names itself as the case's
    ext_ref (and its request id is made from it), so intake makes exactly
    one case of it however often it is sent.  The case id intake answers
    is stored on the task, and the task in the set of its case
    (case:<case>): a case may carry more than one task, when intake or
    dispatch merged them.  The tasks follow their case: closed with it,
    carried on by the case dispatch merges it into.

    While intake does not answer, a task waits and is sent again, for as
    long as that lasts.  When intake refuses it (a category or grid intake
    does not take), it is tried again consultation/task_retry_seconds
    later (60), because a reload may mend that, up to
    consultation/task_tries (5) tries in all; then it is a dead letter,
    with intake's reason, and so is a task whose case dispatch rejected as
    invalid (无效).  `civgrid topic tasks` lists the dead letters and
    `civgrid topic retry TID [--category C] [--grid G]` sends one again as
    a new round: the round is in its ext_ref and request id (`<tid>#2`),
    so intake makes a new case rather than answer with the rejected one. */
#include "tasks.h"
#include "cg_case.h"
#include "plan.h"
#include "cg_clock.h"
#include "cg_text.h"

#define P               CONSULTATION_PREFIX
#define S_BATCH         20          /* tasks sent in one tick at most */
#define S_SILENT_MS     5000        /* when intake did not answer */

/*  The ext_ref of a task's case in its round: the task id, then
    <tid>#<round>. */
static void
s_ext_ref (const cg_topic_task_t *task, char *buf, size_t len)
{
    if (task->round)
        snprintf (buf, len, "%s#%lld", task->id, (long long) task->round);
    else
        snprintf (buf, len, "%s", task->id);
}

static void
s_run (consultation_t *self, const char *script, cg_args_t *args)
{
    cg_reply_t reply = { 0 };
    consultation_run (self, script, args, &reply, NULL, 0);
    msgpack_sbuffer_destroy (&reply.body);
}

/*  Intake refused the task: it waits for another try, or is a dead letter. */
static void
s_refused (consultation_t *self, cg_topic_task_t *task, const cg_error_t *err)
{
    char reason[400];
    snprintf (reason, sizeof reason, "intake refused it: %s%s%s%s", err->message,
              *err->field ? " (" : "", err->field, *err->field ? ")" : "");
    zsys_warning ("consultation: task %s, try %lld of %lld: %s", task->id,
                  (long long) task->tries + 1, (long long) self->task_tries, reason);
    int64_t now = cg_clock_now ();
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, P);
    cg_args_add_str (&args, task->id);
    cg_args_add_int (&args, now);
    cg_args_add_str (&args, reason);
    cg_args_add_int (&args, self->task_tries);
    cg_args_add_int (&args, zclock_time () + self->task_retry_ms);
    cg_args_add_int (&args, task->tries + 1);
    free (task->state);
    task->state = cg_strdup ("dead");
    free (task->error);
    task->error = cg_strdup (reason);
    CG_SET (task, topic_task, tries, task->tries + 1);
    CG_SET (task, topic_task, at, now);
    cg_args_add_msg (&args, &cg_topic_task_def, task);
    s_run (self, "task_refused", &args);
    cg_args_free (&args);
}

/*  Sends one task to intake; false when intake could not be reached. */
static bool
s_send (consultation_t *self, const char *tid)
{
    cg_topic_task_t task;
    int rc = plan_read_task (self, tid, &task);
    if (rc < 0)
        return false;
    if (rc == 1 || !task.text || !task.category || !streq (task.state, "pending")) {
        /*  not a task waiting (any more): nothing to send */
        redisReply *z = cg_redis_command (self->daemon->redis, "ZREM " P "outbox %s", tid);
        if (z)
            freeReplyObject (z);
        cg_msg_clear (&cg_topic_task_def, &task);
        return true;
    }
    char ext_ref[80], rid[96], text[CG_TEXT_MAX + 1];
    s_ext_ref (&task, ext_ref, sizeof ext_ref);
    snprintf (rid, sizeof rid, "task-%s", ext_ref);
    snprintf (text, sizeof text, "[议题 %s 任务] %s", task.topic, task.text);
    cg_case_submit_t submit = { .rid = rid, .source = CONSULTATION_TASK_SOURCE,
                                .ext_ref = ext_ref, .category = task.category, .text = text,
                                .grid = task.grid, .address = task.address };
    cg_case_submitted_t answer;
    cg_error_t err;
    bool reached = true;
    if (cg_client_call (self->intake, &cg_cmd_case_submit, &submit, &answer, &err) == 0) {
        int64_t now = cg_clock_now ();
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, P);
        cg_args_add_str (&args, tid);
        cg_args_add_str (&args, answer.id);
        cg_args_add_int (&args, now);
        free (task.state);
        task.state = cg_strdup ("dispatched");
        task.case_id = cg_strdup (answer.id);
        free (task.error);
        task.error = NULL;
        task.present &= ~(UINT64_C (1) << CG_FIELD_topic_task_tries);
        task.tries = 0;
        CG_SET (&task, topic_task, at, now);
        cg_args_add_msg (&args, &cg_topic_task_def, &task);
        s_run (self, "task_linked", &args);
        cg_args_free (&args);
        cg_msg_clear (&cg_case_submitted_def, &answer);
    }
    else
    if (streq (err.code, "unavailable")) {
        reached = false;
        redisReply *z = cg_redis_command (self->daemon->redis, "ZADD " P "outbox XX %lld %s",
                                          (long long) (zclock_time () + S_SILENT_MS), tid);
        if (z)
            freeReplyObject (z);
    }
    else
        s_refused (self, &task, &err);
    cg_msg_clear (&cg_topic_task_def, &task);
    return reached;
}

void
tasks_send_due (consultation_t *self)
{
    /*  the outbox paces retries by the system clock, not the domain's:
        a test clock standing still must not hold tasks back */
    redisReply *due = cg_redis_command (self->daemon->redis,
                                        "ZRANGEBYSCORE " P "outbox -inf %lld LIMIT 0 %d",
                                        (long long) zclock_time (), S_BATCH);
    for (size_t i = 0; due && due->type == REDIS_REPLY_ARRAY && i < due->elements; i++)
        if (!s_send (self, due->element[i]->str))
            break;
    if (due)
        freeReplyObject (due);
}

/*  The tasks dispatched on case now: those Redis has there, unless an
    earlier item of the batch moved them, and those it moved there. */
static zlistx_t *
s_case_tasks (consultation_t *self, const char *case_id, zhash_t *moved)
{
    zlistx_t *tids = zlistx_new ();
    zlistx_set_destructor (tids, (czmq_destructor *) zstr_free);
    redisReply *r = cg_redis_command (self->daemon->redis, "SMEMBERS " P "case:%s", case_id);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        if (!zhash_lookup (moved, r->element[i]->str))
            zlistx_add_end (tids, strdup (r->element[i]->str));
    if (r)
        freeReplyObject (r);
    for (char *now = zhash_first (moved); now; now = zhash_next (moved))
        if (streq (now, case_id))
            zlistx_add_end (tids, strdup (zhash_cursor (moved)));
    return tids;
}

bool
tasks_add_case_item (consultation_t *self, cg_args_t *items, const char *what,
                     const cg_case_changed_t *c, zhash_t *moved, int64_t now)
{
    char extra[400] = "";
    if (streq (what, "rejected"))
        snprintf (extra, sizeof extra, "dispatch rejected case %s as invalid (无效)%s%s", c->id,
                  c->note ? ": " : "", c->note ? c->note : "");
    if (streq (what, "merged")) {
        /*  the case it went into is on dispatch's case, which consultation
            reads and never writes */
        redisReply *r = cg_redis_command (self->daemon->redis,
                                          "HGET " CG_CASE_KEY " merged_into", c->id);
        snprintf (extra, sizeof extra, "%s", r && r->type == REDIS_REPLY_STRING ? r->str : "");
        if (r)
            freeReplyObject (r);
        if (!*extra)
            return false;
    }
    zlistx_t *tids = s_case_tasks (self, c->id, moved);
    cg_args_t tasks;
    cg_args_init (&tasks);
    int n = 0;
    for (char *tid = zlistx_first (tids); tid; tid = zlistx_next (tids)) {
        cg_topic_task_t task;
        if (plan_read_task (self, tid, &task) == 0 && streq (task.state, "dispatched")) {
            free (task.case_id);
            task.case_id = cg_strdup (streq (what, "merged") ? extra : c->id);
            if (!streq (what, "merged")) {
                free (task.state);
                task.state = cg_strdup (streq (what, "closed") ? "closed" : "dead");
            }
            if (streq (what, "rejected"))
                task.error = cg_strdup (extra);
            CG_SET (&task, topic_task, at, now);
            cg_args_add_str (&tasks, tid);
            cg_args_add_msg (&tasks, &cg_topic_task_def, &task);
            /*  autofree: the hash keeps a copy */
            zhash_update (moved, tid, streq (what, "merged") ? extra : "");
            n++;
        }
        cg_msg_clear (&cg_topic_task_def, &task);
    }
    cg_args_add_str (items, what);
    cg_args_add_str (items, c->id);
    cg_args_add_str (items, extra);
    cg_args_add_int (items, n);
    for (int i = 0; i < tasks.argc; i++)
        cg_args_add (items, tasks.argv[i], tasks.lens[i]);
    cg_args_free (&tasks);
    zlistx_destroy (&tids);
    return true;
}

void
tasks_on_list (void *request, cg_reply_t *reply, void *arg)
{
    consultation_t *self = arg;
    cg_topic_task_query_t *req = request;
    const char *state = req->state ? req->state : "dead";
    if (!streq (state, "dead") && !streq (state, "pending")) {
        cg_reply_fail (reply, "invalid", "state", "state \"%s\" is not dead (the dead letters) "
                       "or pending (the outbox)", state);
        return;
    }
    bool dead = streq (state, "dead");
    int64_t total;
    cg_zpage_t ids;
    char next[CG_CURSOR_MAX];
    if (consultation_page (self, "topic.tasks", &cg_topic_task_query_def, req,
                           dead ? P "dead" : P "outbox", dead, req->limit > 0 ? req->limit : 50,
                           &ids, &total, next, reply))
        return;
    cg_topic_task_page_t page = { .total = total, .next = *next ? next : NULL };
    page.tasks = cg_alloc ((ids.count ? ids.count : 1) * sizeof (cg_topic_task_t));
    for (size_t i = 0; i < ids.count; i++)
        if (plan_read_task (self, ids.ids[i], &page.tasks[page.tasks_count]) == 0)
            page.tasks_count++;
        else
            cg_msg_clear (&cg_topic_task_def, &page.tasks[page.tasks_count]);
    cg_reply_ok (reply, &cg_topic_task_page_def, &page);
    page.next = NULL;           /* ours */
    cg_msg_clear (&cg_topic_task_page_def, &page);
    cg_zpage_free (&ids);
}

/*  topic.retry as checked, with the task as it will be sent. */
typedef struct {
    cg_topic_retry_t *req;
    cg_topic_task_t *task;
} s_retry_t;

static int
s_plan_retry (consultation_t *self, void *request, cg_args_t *args, cg_reply_t *reply)
{
    (void) self;
    (void) reply;
    s_retry_t *r = request;
    int64_t now = cg_clock_now ();
    cg_args_add_str (args, P);
    cg_args_add_str (args, r->req->rid);
    cg_args_add_str (args, r->req->task);
    cg_args_add_int (args, now);
    cg_args_add_str (args, r->req->category ? r->req->category : "");
    cg_args_add_str (args, r->req->grid ? r->req->grid : "");
    cg_args_add_str (args, r->req->address ? r->req->address : "");
    cg_topic_task_t sent = *r->task;
    sent.present = 0;
    sent.state = "pending";
    sent.category = r->req->category ? r->req->category : r->task->category;
    sent.grid = r->req->grid ? r->req->grid : r->task->grid;
    sent.address = r->req->address ? r->req->address : r->task->address;
    sent.case_id = NULL;
    sent.error = NULL;
    sent.tries = 0;
    CG_SET (&sent, topic_task, round, r->task->round + 1);
    CG_SET (&sent, topic_task, at, now);
    cg_args_add_msg (args, &cg_topic_task_def, &sent);
    return 0;
}

void
tasks_on_retry (void *request, cg_reply_t *reply, void *arg)
{
    consultation_t *self = arg;
    cg_topic_retry_t *req = request;
    cg_topic_task_t task;
    int rc = plan_read_task (self, req->task, &task);
    const cg_org_node_t *grid = req->grid ? cg_orgtree_find (self->org, req->grid) : NULL;
    if (rc < 0)
        cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
    else
    if (rc == 1)
        cg_reply_fail (reply, "not_found", "task", "there is no task %s", req->task);
    else
    if (req->category && !cg_catalog_find (self->catalog, req->category))
        cg_reply_fail (reply, "invalid", "category", "category \"%s\" is not in the catalog",
                       req->category);
    else
    if (req->grid && (!grid || grid->kind != CG_ORG_GRID))
        cg_reply_fail (reply, "invalid", "grid", "grid \"%s\" is not in the org tree", req->grid);
    else {
        s_retry_t retry = { .req = req, .task = &task };
        if (consultation_change (self, "task_retry", s_plan_retry, &retry, reply, NULL, 0) == 0) {
            cg_topic_task_t now;
            if (plan_read_task (self, req->task, &now) == 0)
                cg_reply_ok (reply, &cg_topic_task_def, &now);
            else
                cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
            cg_msg_clear (&cg_topic_task_def, &now);
        }
    }
    cg_msg_clear (&cg_topic_task_def, &task);
}
