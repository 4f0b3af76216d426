/*  events — from events to deliveries (notifier.h).

    For each event of a followed journal that some rule wants: decode it
    with its definition from proto (cg_events.h), read the case record when
    a rule needs it, and for each rule that applies find the recipients,
    render the template in each one's language and add a delivery.  The
    deliveries of a batch are queued with the cursor move in one call, so a
    kill -9 anywhere repeats nothing and loses nothing.

    A delivery's id is what it tells, (case, event, recipient): the
    event's `id`, its topic (with the deadline, `limit`, of an alert, or
    the stage, `n`, of a topic) and the recipient, as
    "<id>:<topic>[:<limit>]:<recipient>".  The same event always makes the
    same ids, and the id is also the de-duplication key (the delivery's
    hash is there already), so the same news told twice on the journal is
    delivered once.

    Notification reads, never writes, three records of other daemons: the
    case (cg:{dispatch}:case:<id>: grid, source, the hotline's order
    number) for events that carry only the case id; the request as kept by
    intake (cg:{intake}:req:<id>) for the citizen's phone number, which no
    event carries in the clear and intake keeps sealed (it is opened with
    intake/key, and never logged, nor kept in a delivery: the courier opens
    it again as it sends); and a topic's rosters as consultation fixed them
    when it was raised (cg:{consultation}:topic:<id>:members, fields
    "body|member", and the body of stage n in
    cg:{consultation}:topic:<id>:s:<n>), for its participants. */
#include "notifier.h"
#include "cg_text.h"

#define S_MAX_TARGETS   64

typedef struct {
    notifier_t *notifier;
    char journal[32];
    char cursor_key[128];
} s_feed_t;

/*  One recipient of one rule, with the routes it takes. */
typedef struct {
    char recipient[96];
    const char *name, *lang;
    char routes[DIRECTORY_ROUTES][512];
    int nroutes;
} s_target_t;

static void
s_load_case (notifier_t *self, const char *id, cg_case_view_t *record)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "HGETALL cg:{dispatch}:case:%s", id);
    if (r && r->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i + 1 < r->elements; i += 2)
            cg_msg_set (&cg_case_view_def, record, r->element[i]->str, r->element[i + 1]->str,
                        r->element[i + 1]->len);
    if (r)
        freeReplyObject (r);
}

static void
s_target_person (s_target_t *t, const person_t *p, bool urgent)
{
    snprintf (t->recipient, sizeof t->recipient, "%s", p->id);
    t->name = p->name;
    t->lang = p->lang;
    char *const *routes = urgent && p->nurgent ? p->urgent : p->routes;
    t->nroutes = urgent && p->nurgent ? p->nurgent : p->nroutes;
    for (int i = 0; i < t->nroutes; i++)
        snprintf (t->routes[i], sizeof t->routes[i], "%s", routes[i]);
}

/*  A topic's participants that the directory can reach: of the body the
    rule names, of the event's stage ("stage") or all ("all"), each once. */
static size_t
s_topic_members (notifier_t *self, const rule_t *rule, const rule_input_t *in,
                 const person_t **out, size_t max)
{
    char id[64], body[64];
    rule_field (in, "id", NULL, "zh-CN", id, sizeof id);
    snprintf (body, sizeof body, "%s", rule->who_field);
    if (streq (body, "stage")) {
        char n[16];
        rule_field (in, "n", NULL, "zh-CN", n, sizeof n);
        redisReply *r = cg_redis_command (self->daemon->redis,
                                          "HGET cg:{consultation}:topic:%s:s:%s body", id, n);
        snprintf (body, sizeof body, "%s", r && r->type == REDIS_REPLY_STRING ? r->str : "");
        if (r)
            freeReplyObject (r);
        if (!*body)
            return 0;           /* a stage with no meeting: a publication */
    }
    redisReply *r = cg_redis_command (self->daemon->redis,
                                      "HKEYS cg:{consultation}:topic:%s:members", id);
    size_t n = 0, blen = strlen (body);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && n < max; i++) {
        const char *key = r->element[i]->str, *bar = strchr (key, '|');
        if (!bar || (!streq (body, "all") && ((size_t) (bar - key) != blen
                                              || strncmp (key, body, blen))))
            continue;
        const person_t *p = directory_person (self->directory, bar + 1);
        bool seen = false;
        for (size_t k = 0; k < n && p && !seen; k++)
            seen = out[k] == p;
        if (p && !seen)
            out[n++] = p;
    }
    if (r)
        freeReplyObject (r);
    return n;
}

/*  The recipients of a rule for one event. */
static size_t
s_targets (notifier_t *self, const rule_t *rule, const rule_input_t *in, s_target_t *out)
{
    char value[512];
    const person_t *people[S_MAX_TARGETS];
    size_t n = 0;
    if (rule->who == WHO_UNIT) {
        rule_field (in, rule->who_field, NULL, "zh-CN", value, sizeof value);
        const cg_org_node_t *node = cg_orgtree_find (self->org, value);
        if (node) {
            snprintf (out[0].recipient, sizeof out[0].recipient, "unit:%s", node->code);
            out[0].name = node->name;
            out[0].lang = "zh-CN";
            snprintf (out[0].routes[0], sizeof out[0].routes[0], "inbox %s", node->code);
            out[0].nroutes = 1;
            n = 1;
        }
    }
    else
    if (rule->who == WHO_ROLE) {
        rule_field (in, rule->who_field, NULL, "zh-CN", value, sizeof value);
        const cg_org_node_t *node = cg_orgtree_find (self->org, value);
        if (node && rule->who_parent) {
            node = node->parent;
            while (node && node->kind > CG_ORG_TOWN)
                node = node->parent;
        }
        size_t found = node ? directory_at (self->directory, node->code, rule->who_role,
                                            people, S_MAX_TARGETS) : 0;
        for (size_t i = 0; i < found; i++)
            s_target_person (&out[n++], people[i], rule->urgent);
    }
    else
    if (rule->who == WHO_PEOPLE) {
        char except[96] = "";
        rule_field (in, rule->who_field, NULL, "zh-CN", value, sizeof value);
        if (rule->who_except)
            rule_field (in, rule->who_except, NULL, "zh-CN", except, sizeof except);
        char *save = NULL;
        for (char *id = strtok_r (value, ", ", &save); id && n < S_MAX_TARGETS;
             id = strtok_r (NULL, ", ", &save)) {
            const person_t *p = directory_person (self->directory, id);
            if (p && !(*except && (streq (id, except) || streq (p->id, except))))
                s_target_person (&out[n++], p, rule->urgent);
        }
    }
    else
    if (rule->who == WHO_MEMBERS) {
        size_t found = s_topic_members (self, rule, in, people, S_MAX_TARGETS);
        for (size_t i = 0; i < found; i++)
            s_target_person (&out[n++], people[i], rule->urgent);
    }
    else
    if (rule->who == WHO_CITIZEN && *self->citizen_sms && in->record && in->record->id) {
        /*  the route names no phone: the courier opens it as it sends,
            so it is kept sealed in the delivery too */
        char phone[32];
        notifier_citizen_phone (self, in->record->id, phone, sizeof phone);
        if (*phone) {
            snprintf (out[0].recipient, sizeof out[0].recipient, "citizen:%s", in->record->id);
            out[0].name = NULL;
            out[0].lang = "zh-CN";
            snprintf (out[0].routes[0], sizeof out[0].routes[0], "sms %s", self->citizen_sms);
            out[0].nroutes = 1;
            n = 1;
        }
    }
    else
    if (rule->who == WHO_HOTLINE && *self->hotline_url && in->record && in->record->id
        && in->record->source
        && streq (in->record->source, "hotline") && in->record->ext_ref) {
        snprintf (out[0].recipient, sizeof out[0].recipient, "hotline");
        out[0].name = "12345";
        out[0].lang = "zh-CN";
        snprintf (out[0].routes[0], sizeof out[0].routes[0], "hotline %s", self->hotline_url);
        out[0].nroutes = 1;
        n = 1;
    }
    return n;
}

/*  The deliveries of one rule for one event, added to batch. */
static int
s_apply_rule (notifier_t *self, const rule_t *rule, const rule_input_t *in,
              const cg_event_t *e, cg_args_t *batch, int64_t now)
{
    s_target_t *targets = cg_alloc (S_MAX_TARGETS * sizeof *targets);
    size_t n = s_targets (self, rule, in, targets);
    char event_id[96], limit[32], status[32], note[CG_TEXT_MAX + 1];
    rule_field (in, "id", NULL, "zh-CN", event_id, sizeof event_id);
    /*  what makes two events of one topic on one case different news: the
        deadline of an alert, the stage of a topic */
    rule_field (in, "limit", NULL, "zh-CN", limit, sizeof limit);
    if (!*limit)
        rule_field (in, "n", NULL, "zh-CN", limit, sizeof limit);
    rule_field (in, "note", NULL, "zh-CN", note, sizeof note);
    snprintf (status, sizeof status, "%s", strchr (e->topic, '.') ? strchr (e->topic, '.') + 1
                                                                  : e->topic);
    for (size_t i = 0; i < n; i++) {
        s_target_t *t = &targets[i];
        char id[160], text[1024], subject[256];
        int len = snprintf (id, sizeof id, "%s:%s%s%s:%s", event_id, e->topic,
                            *limit ? ":" : "", limit, t->recipient);
        /*  an event with no id, or an id too long to carry: the event's
            place on its journal, which is as stable, though it tells the
            same news twice when it comes twice */
        if (!*event_id || len >= (int) sizeof id)
            snprintf (id, sizeof id, "%s#%lld:%s", e->journal, (long long) e->seq,
                      t->recipient);
        rule_render (rule, in, t->lang, text, sizeof text, subject, sizeof subject);
        char *routes[DIRECTORY_ROUTES];
        for (int k = 0; k < t->nroutes; k++)
            routes[k] = t->routes[k];
        cg_notify_delivery_t d = {
            .id = id, .chain = id, .recipient = t->recipient, .name = (char *) t->name,
            .routes = routes, .routes_count = t->nroutes,
            .case_id = *event_id ? event_id : NULL, .topic = (char *) e->topic,
            .subject = *subject ? subject : NULL, .text = text, .urgent = rule->urgent,
            .ack_ms = rule->ack_ms, .created = now };
        if (rule->who == WHO_HOTLINE) {
            d.order = in->record->ext_ref;
            d.status = status;
            d.result = *note ? note : NULL;
        }
        notifier_add (self, batch, &d, now, now);
    }
    free (targets);
    return (int) n;
}

static int
s_on_events (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    s_feed_t *feed = arg;
    notifier_t *self = feed->notifier;
    int64_t now = cg_clock_now ();
    cg_args_t batch;
    cg_args_init (&batch);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        const cg_event_t *e = &events[i];
        const cg_event_kind_t *kind = cg_event_kind_find (e->journal, e->topic);
        if (!kind || !rules_wanted (self->rules, e->topic))
            continue;
        void *event = cg_alloc (kind->def->size);
        cg_error_t err;
        if (cg_msg_decode (kind->def, e->body, e->size, event, &err)) {
            zsys_warning ("notification: dropped %s #%lld (%s): %s: %s", e->journal,
                          (long long) e->seq, e->topic, err.field, err.message);
            free (event);
            continue;
        }
        cg_case_view_t record = { 0 };
        rule_input_t in = { .def = kind->def, .event = event, .catalog = self->catalog,
                            .org = self->org };
        for (size_t r = 0; r < rules_count (self->rules); r++) {
            const rule_t *rule = rules_at (self->rules, r);
            if (rule->kind != kind)
                continue;
            if (rule->needs_case && !in.record) {
                char id[64];
                rule_field (&in, "id", NULL, "zh-CN", id, sizeof id);
                s_load_case (self, id, &record);
                in.record = &record;
            }
            if (rule_applies (rule, &in))
                count += s_apply_rule (self, rule, &in, e, &batch, now);
        }
        cg_msg_clear (&cg_case_view_def, &record);
        cg_msg_clear (kind->def, event);
        free (event);
    }
    int rc = notifier_enqueue (self, feed->cursor_key, cursor, events[n - 1].seq, now, &batch,
                               count);
    cg_args_free (&batch);
    if (rc == 0 && count)
        courier_wake (self);
    return rc;
}

int
events_follow (notifier_t *self)
{
    char *journals = cg_strdup (cg_daemon_get (self->daemon, "notification/journals",
                                               "intake,dispatch"));
    char *save = NULL;
    int rc = 0;
    for (char *j = strtok_r (journals, ", ", &save); j && !rc; j = strtok_r (NULL, ", ", &save)) {
        s_feed_t *feed = cg_alloc (sizeof *feed);
        feed->notifier = self;
        snprintf (feed->journal, sizeof feed->journal, "%s", j);
        cg_cursor_key (feed->cursor_key, sizeof feed->cursor_key, "notification", j);
        zlist_append (self->feeds, feed);
        rc = cg_daemon_follow (self->daemon, j, s_on_events, feed);
        zsys_info ("notification: following the %s journal", j);
    }
    free (journals);
    return rc;
}
