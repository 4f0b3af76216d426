/*  feed — see feed.h.

    Hot spots (预警预判).  A hotspot.detected of a category that may be
    deliberated (the catalog's consult flag, or the categories listed in
    consultation/hotspot_categories; "none" turns this off) opens a draft
    plain consultation in its community, with the cases behind it and the
    community's invited parties; once per hot spot, however often the
    event is read.

    Tasks.  A task added to an adopted resolution waits in the outbox
    (Redis) until intake has answered its case.submit, so a task survives
    any kill -9 and is sent at least once; it names itself as the case's
    ext_ref (and its request id is made from it), so intake makes exactly
    one case of it however often it is sent.  The case id intake answers
    is stored on the task, and the task id on the case (case_task).  A
    case.closed of such a case closes its task.

    Due dates.  Every second the publications past due are raised as
    topic.publication_overdue, once each (publication_overdue.lua), by
    cg_clock_now, so tests move time with the test clock. */
#include "feed.h"
#include "cg_clock.h"
#include "cg_text.h"

#define P           CONSULTATION_PREFIX
#define S_OUTBOX_BATCH      20      /* tasks sent in one tick at most */
#define S_RETRY_MS          5000    /* when intake did not answer */
#define S_REFUSED_RETRY_MS  60000   /* when intake refused: an operator must look */

static bool
s_hotspot_wanted (consultation_t *self, const char *category)
{
    const char *list = self->hotspot_categories;
    if (streq (list, "none"))
        return false;
    if (streq (list, "catalog")) {
        const cg_category_t *c = cg_catalog_find (self->catalog, category);
        return c && c->consult;
    }
    size_t len = strlen (category);
    for (const char *p = strstr (list, category); p; p = strstr (p + 1, category))
        if ((p == list || p[-1] == ',') && (p[len] == ',' || p[len] == 0))
            return true;
    return false;
}

/*  Adds a hot spot's item to the batch; false when it opens no topic. */
static bool
s_add_hotspot (consultation_t *self, cg_args_t *items, const cg_hotspot_detected_t *h)
{
    const cg_org_node_t *community = cg_orgtree_find (self->org, h->community);
    const cg_category_t *category = cg_catalog_find (self->catalog, h->category);
    if (!s_hotspot_wanted (self, h->category) || !category)
        return false;
    if (!community || community->kind != CG_ORG_COMMUNITY) {
        zsys_warning ("consultation: hot spot %s names %s, not a community; no topic", h->id,
                      h->community);
        return false;
    }
    char title[200], description[600], from[40], to[40];
    cg_time_iso (h->window_from, from, sizeof from);
    cg_time_iso (h->window_to, to, sizeof to);
    snprintf (title, sizeof title, "%s：%s %lld 件诉求", category->name_zh, community->name,
              (long long) h->count);
    snprintf (description, sizeof description, "预警预判: %lld cases of %s (%s) in %s from %s "
              "to %s (hot spot %s).", (long long) h->count, category->name_zh, category->code,
              community->name, from, to, h->id);
    cg_topic_create_t topic = {
        .title = title, .description = description, .scope = h->community,
        .source = "hotspot", .procedure = "plain", .category = h->category,
        .cases = h->cases, .cases_count = h->cases_count, .actor = "dispatch" };
    cg_args_add_str (items, "hotspot");
    cg_args_add_str (items, h->id);
    consultation_add_spec (self, items, &topic, h->id);
    return true;
}

int
feed_on_dispatch (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    consultation_t *self = arg;
    cg_args_t items;
    cg_args_init (&items);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        cg_error_t err;
        if (streq (events[i].topic, "hotspot.detected")) {
            cg_hotspot_detected_t h;
            if (cg_msg_decode (&cg_hotspot_detected_def, events[i].body, events[i].size, &h,
                               &err) == 0) {
                count += s_add_hotspot (self, &items, &h);
                cg_msg_clear (&cg_hotspot_detected_def, &h);
            }
            else
                zsys_warning ("consultation: dropped dispatch #%lld: %s: %s",
                              (long long) events[i].seq, err.field, err.message);
        }
        else
        if (streq (events[i].topic, "case.closed")) {
            cg_case_changed_t c;
            if (cg_msg_decode (&cg_case_changed_def, events[i].body, events[i].size, &c,
                               &err) == 0) {
                cg_args_add_str (&items, "closed");
                cg_args_add_str (&items, c.id);
                count++;
                cg_msg_clear (&cg_case_changed_def, &c);
            }
        }
    }
    cg_args_t args;
    cg_feed_args (&args, P, self->cursor_key, cursor, events, n);
    cg_args_add_int (&args, cg_clock_now ());
    cg_args_add_int (&args, count);
    for (int i = 0; i < items.argc; i++)
        cg_args_add (&args, items.argv[i], items.lens[i]);
    cg_reply_t reply = { 0 };
    int rc = consultation_run (self, "consultation_dispatch", &args, &reply, NULL, 0);
    msgpack_sbuffer_destroy (&reply.body);
    cg_args_free (&args);
    cg_args_free (&items);
    return rc == 2 ? 1 : rc;
}

/*  Sends one task to intake; false when intake could not be reached. */
static bool
s_send_task (consultation_t *self, const char *tid, int64_t now)
{
    char key[96], rid[64], text[CG_TEXT_MAX + 1];
    snprintf (key, sizeof key, P "task:%s", tid);
    cg_topic_task_t task = { 0 };
    redisReply *r = cg_redis_command (self->daemon->redis, "HGETALL %s", key);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2)
        cg_msg_set (&cg_topic_task_def, &task, r->element[i]->str, r->element[i + 1]->str,
                    r->element[i + 1]->len);
    if (r)
        freeReplyObject (r);
    if (!task.text || !task.category) {
        /*  not a task (any more): nothing to send */
        redisReply *z = cg_redis_command (self->daemon->redis, "ZREM " P "outbox %s", tid);
        if (z)
            freeReplyObject (z);
        cg_msg_clear (&cg_topic_task_def, &task);
        return true;
    }
    snprintf (rid, sizeof rid, "task-%s", tid);
    snprintf (text, sizeof text, "[议题 %s 任务] %s", task.topic, task.text);
    cg_case_submit_t submit = { .rid = rid, .source = CONSULTATION_TASK_SOURCE, .ext_ref = task.id,
                                .category = task.category, .text = text, .grid = task.grid,
                                .address = task.address };
    cg_case_submitted_t answer;
    cg_error_t err;
    int64_t retry = 0;
    if (cg_client_call (self->intake, "case.submit", &cg_case_submit_def, &submit,
                        &cg_case_submitted_def, &answer, &err) == 0) {
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, P);
        cg_args_add_str (&args, tid);
        cg_args_add_str (&args, answer.id);
        cg_args_add_int (&args, now);
        cg_reply_t reply = { 0 };
        consultation_run (self, "task_linked", &args, &reply, NULL, 0);
        msgpack_sbuffer_destroy (&reply.body);
        cg_args_free (&args);
        cg_msg_clear (&cg_case_submitted_def, &answer);
    }
    else {
        retry = streq (err.code, "unavailable") ? S_RETRY_MS : S_REFUSED_RETRY_MS;
        if (retry == S_REFUSED_RETRY_MS)
            zsys_error ("consultation: intake refused task %s: %s (%s)", tid, err.message,
                        err.field);
        redisReply *z = cg_redis_command (self->daemon->redis, "ZADD " P "outbox XX %lld %s",
                                          (long long) (zclock_time () + retry), tid);
        if (z)
            freeReplyObject (z);
    }
    cg_msg_clear (&cg_topic_task_def, &task);
    return retry != S_RETRY_MS;
}

int
feed_on_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    consultation_t *self = arg;
    int64_t now = cg_clock_now ();
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, P);
    cg_args_add_int (&args, now);
    cg_reply_t reply = { 0 };
    consultation_run (self, "publication_overdue", &args, &reply, NULL, 0);
    msgpack_sbuffer_destroy (&reply.body);
    cg_args_free (&args);

    /*  the outbox paces retries by the system clock, not the domain's:
        a test clock standing still must not hold tasks back */
    redisReply *due = cg_redis_command (self->daemon->redis,
                                        "ZRANGEBYSCORE " P "outbox -inf %lld LIMIT 0 %d",
                                        (long long) zclock_time (), S_OUTBOX_BATCH);
    for (size_t i = 0; due && due->type == REDIS_REPLY_ARRAY && i < due->elements; i++)
        if (!s_send_task (self, due->element[i]->str, now))
            break;
    if (due)
        freeReplyObject (due);
    return 0;
}
