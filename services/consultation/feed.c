/*  feed — see feed.h.

    Hot spots (预警预判).  A hotspot.detected of a category that may be
    deliberated (the catalog's consult flag, or the categories listed in
    consultation/hotspot_categories; "none" turns this off) opens a draft
    plain consultation in its community, with the cases behind it and the
    community's invited parties; once per hot spot, however often the
    event is read.

    Tasks (tasks.c sends them).  A case.closed of a task's case closes
    the task; a case.rejected (无效) makes it a dead letter, with the
    reason, for an operator to send again; a case.merged hands it to the
    case it went into.

    Due dates.  Every second the publications past due are raised as
    topic.publication_overdue, once each (publication_overdue.lua), by
    cg_clock_now, so tests move time with the test clock. */
#include "feed.h"
#include "plan.h"
#include "tasks.h"
#include "cg_clock.h"
#include "cg_text.h"

#define P           CONSULTATION_PREFIX

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

/*  Adds a hot spot's item to the batch; `fresh` counts the topics the
    batch raises so far, for their ids.  False when it opens no topic. */
static bool
s_add_hotspot (consultation_t *self, cg_args_t *items, const cg_hotspot_detected_t *h,
               int *fresh, int64_t now)
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
    char title[200], description[600], from[40], to[40], id[24] = "";
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
    /*  a hot spot that has its topic already plans none */
    redisReply *r = cg_redis_command (self->daemon->redis, "HEXISTS " P "hotspot %s", h->id);
    if (cg_reply_int (r, 1) == 0)
        plan_next_topic (self, (*fresh)++, id, sizeof id);
    if (r)
        freeReplyObject (r);
    cg_args_add_str (items, "hotspot");
    cg_args_add_str (items, h->id);
    cg_args_add_str (items, id);
    cg_topic_event_t created = { .id = id, .scope = h->community, .hotspot = h->id,
                                 .actor = "dispatch" };
    CG_SET (&created, topic_event, at, now);
    cg_args_add_msg (items, &cg_topic_event_def, &created);
    consultation_add_spec (self, items, &topic, h->id);
    return true;
}

int
feed_on_dispatch (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    consultation_t *self = arg;
    int64_t now = cg_clock_now ();
    cg_args_t items;
    cg_args_init (&items);
    int count = 0, fresh = 0;
    zhash_t *moved = zhash_new ();      /* what earlier items did to tasks */
    zhash_autofree (moved);
    for (size_t i = 0; i < n; i++) {
        cg_error_t err;
        if (streq (events[i].topic, "hotspot.detected")) {
            cg_hotspot_detected_t h;
            if (cg_msg_decode (&cg_hotspot_detected_def, events[i].body, events[i].size, &h,
                               &err) == 0) {
                count += s_add_hotspot (self, &items, &h, &fresh, now);
                cg_msg_clear (&cg_hotspot_detected_def, &h);
            }
            else
                zsys_warning ("consultation: dropped dispatch #%lld: %s: %s",
                              (long long) events[i].seq, err.field, err.message);
        }
        else
        if (streq (events[i].topic, "case.closed") || streq (events[i].topic, "case.rejected")
        ||  streq (events[i].topic, "case.merged")) {
            cg_case_changed_t c;
            if (cg_msg_decode (&cg_case_changed_def, events[i].body, events[i].size, &c,
                               &err) == 0) {
                count += tasks_add_case_item (self, &items, events[i].topic + 5, &c, moved, now);
                cg_msg_clear (&cg_case_changed_def, &c);
            }
        }
    }
    cg_args_t args;
    cg_feed_args (&args, P, self->cursor_key, cursor, events, n);
    cg_args_add_int (&args, now);
    cg_args_add_int (&args, count);
    for (int i = 0; i < items.argc; i++)
        cg_args_add (&args, items.argv[i], items.lens[i]);
    cg_reply_t reply = { 0 };
    int rc = consultation_run (self, "consultation_dispatch", &args, &reply, NULL, 0);
    msgpack_sbuffer_destroy (&reply.body);
    cg_args_free (&args);
    cg_args_free (&items);
    zhash_destroy (&moved);
    return rc == 2 ? 1 : rc;
}

/*  Raises the open publications past their due dates, each once. */
static void
s_overdue (consultation_t *self, int64_t now)
{
    redisReply *due = cg_redis_command (self->daemon->redis, "ZRANGEBYSCORE " P "due -inf %lld "
                                        "WITHSCORES LIMIT 0 100", (long long) now);
    if (!due || due->type != REDIS_REPLY_ARRAY || due->elements == 0) {
        if (due)
            freeReplyObject (due);
        return;
    }
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, P);
    cg_args_add_int (&args, due->elements / 2);
    for (size_t i = 0; i + 1 < due->elements; i += 2) {
        const char *item = due->element[i]->str;
        const char *bar = strrchr (item, '|');
        char id[33];
        snprintf (id, sizeof id, "%.*s", bar ? (int) (bar - item) : 0, item);
        int n = bar ? atoi (bar + 1) : 0;
        plan_t plan;
        const plan_stage_t *stage = plan_read (self, id, &plan) == 0 ? plan_stage (&plan, n) : NULL;
        cg_args_add_str (&args, item);
        if (stage && streq (stage->state, "open")) {
            cg_topic_event_t alarm = { .scope = plan.scope };
            CG_SET (&alarm, topic_event, due, cg_reply_int (due->element[i + 1], 0));
            plan_add_event (&args, &plan, n, &alarm, now);
        }
        else
            cg_args_add_str (&args, "");
    }
    freeReplyObject (due);
    cg_reply_t reply = { 0 };
    consultation_run (self, "publication_overdue", &args, &reply, NULL, 0);
    msgpack_sbuffer_destroy (&reply.body);
    cg_args_free (&args);
}

int
feed_on_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    consultation_t *self = arg;
    s_overdue (self, cg_clock_now ());
    tasks_send_due (self);
    consultation_compact_aof (self);
    return 0;
}
