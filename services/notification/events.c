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
#include "cg_case.h"
#include "cg_text.h"

#define S_MAX_TARGETS   64

typedef struct {
    notifier_t *notifier;
    char journal[32];
    char cursor_key[128];
} s_feed_t;

/*  One recipient of one rule, with the routes it takes: a person's own
    (the directory's, which outlive the event), or the one route made for
    a unit, a citizen or the hotline, kept in `route`.  Pointers rather
    than copies, and the rule's targets on the stack, because this runs
    for every rule of every event. */
typedef struct {
    char recipient[96];
    const char *name, *lang;
    char *routes[DIRECTORY_ROUTES];
    int nroutes;
    char route[512];
    char order[72];             /* the hotline's order number, for the hotline */
} s_target_t;

/*  The hotline order an event is news of, into buf (empty: none).  An
    event that names its own request from the hotline (intake's
    case.merged: an order joined a case, maybe another channel's) is news
    of that order, and true is returned: the recipient is then that order,
    since several orders may join one case.  Any other event is news of
    the case's own order, when the case came from the hotline; an event
    of another channel's request (a grid report joined a hotline case) is
    none of the hotline's. */
static bool
s_hotline_order (const rule_input_t *in, char *buf, size_t len)
{
    char source[32];
    rule_field (in, "source", NULL, "zh-CN", source, sizeof source);
    rule_field (in, "ext_ref", NULL, "zh-CN", buf, len);
    if (streq (source, "hotline") && *buf)
        return true;
    *buf = 0;
    if (*source)                /* another channel's request: not the hotline's news */
        return false;
    if (in->record && in->record->id && in->record->source
    &&  streq (in->record->source, "hotline") && in->record->ext_ref)
        snprintf (buf, len, "%s", in->record->ext_ref);
    return false;
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
        t->routes[i] = routes[i];
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

/*  The 12345 system as the recipient of news of one order; recipient is
    "hotline" (the case's own order) or "hotline:%s" (an order that joined
    it, named, since several may). */
static void
s_target_hotline (notifier_t *self, s_target_t *t, const char *order, const char *recipient)
{
    snprintf (t->order, sizeof t->order, "%s", order);
    snprintf (t->recipient, sizeof t->recipient, recipient, order);
    t->name = "12345";
    t->lang = "zh-CN";
    snprintf (t->route, sizeof t->route, "hotline %s", self->hotline_url);
    t->routes[0] = t->route;
    t->nroutes = 1;
}

/*  The hotline orders that joined case id (cg:{notification}:joined:<id>,
    kept as each joining was told: notifier_add), as recipients, at most
    max of them. */
static size_t
s_joined_orders (notifier_t *self, const char *id, s_target_t *out, size_t max)
{
    redisReply *r = cg_redis_command (self->daemon->redis,
                                      "SMEMBERS " NOTIFIER_PREFIX "joined:%s", id);
    size_t n = 0;
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && n < max; i++)
        if (r->element[i]->type == REDIS_REPLY_STRING && r->element[i]->len < 64)
            s_target_hotline (self, &out[n++], r->element[i]->str, "hotline:%s");
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
            snprintf (out[0].route, sizeof out[0].route, "inbox %s", node->code);
            out[0].routes[0] = out[0].route;
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
            snprintf (out[0].route, sizeof out[0].route, "sms %s", self->citizen_sms);
            out[0].routes[0] = out[0].route;
            out[0].nroutes = 1;
            n = 1;
        }
    }
    else
    if (rule->who == WHO_HOTLINE && *self->hotline_url) {
        char order[72];
        bool own = s_hotline_order (in, order, sizeof order);
        if (*order)
            s_target_hotline (self, &out[n++], order, own ? "hotline:%s" : "hotline");
        /*  a change of the case is news to each order that joined it too */
        if (!own && in->record && in->record->id)
            n += s_joined_orders (self, in->record->id, out + n, S_MAX_TARGETS - n);
    }
    if (n == 0 && rule->otherwise)
        return s_targets (self, rule->otherwise, in, out);
    return n;
}

/*  The deliveries of one rule for one event, added to batch. */
static int
s_apply_rule (notifier_t *self, const rule_t *rule, const rule_input_t *in,
              const cg_event_t *e, cg_args_t *batch, int64_t now)
{
    s_target_t targets[S_MAX_TARGETS];
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
        cg_notify_delivery_t d = {
            .id = id, .chain = id, .recipient = t->recipient, .name = (char *) t->name,
            .routes = t->routes, .routes_count = t->nroutes,
            .case_id = *event_id ? event_id : NULL, .topic = (char *) e->topic,
            .subject = *subject ? subject : NULL, .text = text, .urgent = rule->urgent,
            .ack_ms = rule->ack_ms, .created = now };
        if (rule->who == WHO_HOTLINE) {
            d.order = t->order;
            d.status = status;
            d.result = *note ? note : NULL;
        }
        notifier_add (self, batch, &d, now, now);
    }
    return (int) n;
}

/*  One event of a batch, decoded, with the case record its rules need. */
typedef struct {
    const cg_event_t *e;
    const cg_event_kind_t *kind;
    void *event;
    cg_case_view_t record;
    bool needs_case;
} s_decoded_t;

/*  Whether any rule for this kind of event names the case record. */
static bool
s_needs_case (notifier_t *self, const cg_event_kind_t *kind)
{
    for (size_t r = 0; r < rules_count (self->rules); r++)
        if (rules_at (self->rules, r)->kind == kind && rules_at (self->rules, r)->needs_case)
            return true;
    return false;
}

/*  The batch's events that some rule wants, decoded, and the case records
    they need, read from dispatch in one pipelined round trip rather than
    one per event.  Sets *count to how many; false when Redis did not
    answer (the feed then tries the batch again). */
static bool
s_decode (notifier_t *self, const cg_event_t *events, size_t n, s_decoded_t *out,
          size_t *count_p)
{
    size_t count = 0, asked = 0;
    for (size_t i = 0; i < n; i++) {
        const cg_event_t *e = &events[i];
        const cg_event_kind_t *kind = cg_event_kind_find (e->journal, e->topic);
        if (!kind || !rules_wanted (self->rules, e->topic))
            continue;
        s_decoded_t *d = &out[count];
        *d = (s_decoded_t) { .e = e, .kind = kind, .event = cg_alloc (kind->def->size),
                             .needs_case = s_needs_case (self, kind) };
        cg_error_t err;
        if (cg_msg_decode (kind->def, e->body, e->size, d->event, &err)) {
            zsys_warning ("notification: dropped %s #%lld (%s): %s: %s", e->journal,
                          (long long) e->seq, e->topic, err.field, err.message);
            free (d->event);
            continue;
        }
        if (d->needs_case) {
            rule_input_t in = { .def = kind->def, .event = d->event };
            char id[64], key[128];
            rule_field (&in, "id", NULL, "zh-CN", id, sizeof id);
            snprintf (key, sizeof key, CG_CASE_KEY, id);
            cg_args_t args;
            cg_args_init (&args);
            cg_args_add_str (&args, "HGETALL");
            cg_args_add_str (&args, key);
            asked += cg_redis_append (self->daemon->redis, &args) == 0;
            cg_args_free (&args);
        }
        count++;
    }
    bool answered = true;
    for (size_t i = 0, read = 0; i < count && read < asked; i++)
        if (out[i].needs_case) {
            redisReply *r = cg_redis_reply (self->daemon->redis);
            answered = answered && r;
            cg_reply_hash_msg (r, &cg_case_view_def, &out[i].record);
            if (r)
                freeReplyObject (r);
            read++;
        }
    *count_p = count;
    return answered;
}

static int
s_on_events (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    s_feed_t *feed = arg;
    notifier_t *self = feed->notifier;
    int64_t now = cg_clock_now ();
    s_decoded_t *decoded = cg_alloc (n * sizeof *decoded);
    size_t wanted;
    bool answered = s_decode (self, events, n, decoded, &wanted);
    cg_args_t batch;
    cg_args_init (&batch);
    int count = 0;
    for (size_t i = 0; answered && i < wanted; i++) {
        s_decoded_t *d = &decoded[i];
        rule_input_t in = { .def = d->kind->def, .event = d->event, .catalog = self->catalog,
                            .org = self->org, .record = d->needs_case ? &d->record : NULL };
        for (size_t r = 0; r < rules_count (self->rules); r++) {
            const rule_t *rule = rules_at (self->rules, r);
            if (rule->kind == d->kind && rule_applies (rule, &in))
                count += s_apply_rule (self, rule, &in, d->e, &batch, now);
        }
    }
    int rc = !answered ? -1 : notifier_enqueue (self, feed->cursor_key, cursor,
                                                 events[n - 1].seq, &batch, count);
    for (size_t i = 0; i < wanted; i++) {
        cg_msg_clear (&cg_case_view_def, &decoded[i].record);
        cg_msg_clear (decoded[i].kind->def, decoded[i].event);
        free (decoded[i].event);
    }
    free (decoded);
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
