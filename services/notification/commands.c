/*  commands — what `civgrid notify ...` and the console ask notification
    (notifier.h): inbox.list, notify.rules, notify.test, notify.log,
    notify.deadletter, notify.retry, notify.ack, notify.ack_case and
    notify.ack_list (an org node's acknowledgements); and what the gateway
    asks of an SMS reply, sms.asked. */
#include "notifier.h"
#include "cg_text.h"

/*  inbox.list: a page of a unit's inbox (a list, newest first, capped at
    notification/inbox_max), by cursor. */
static void
s_inbox_list (void *request, cg_reply_t *reply, void *arg)
{
    notifier_t *self = arg;
    cg_inbox_query_t *req = request;
    char key[128], next[CG_CURSOR_MAX];
    snprintf (key, sizeof key, NOTIFIER_PREFIX "inbox:%s", req->unit);
    redisReply *items;
    cg_inbox_page_t page = { 0 };
    cg_error_t err;
    if (cg_cursor_lpage (self->daemon->cursor, self->daemon->redis, "inbox.list",
                         &cg_inbox_query_def, req, key, req->limit > 0 ? req->limit : 50,
                         &items, &page.total, next, &err)) {
        cg_reply_fail (reply, err.code, *err.field ? err.field : NULL, "%s", err.message);
        return;
    }
    page.next = *next ? next : NULL;
    page.items = cg_reply_decode_list (items, &cg_inbox_item_def, &page.items_count);
    cg_reply_ok (reply, &cg_inbox_page_def, &page);
    page.next = NULL;           /* ours */
    cg_msg_clear (&cg_inbox_page_def, &page);
    freeReplyObject (items);
}

static void
s_rules (void *request, cg_reply_t *reply, void *arg)
{
    (void) request;
    notifier_t *self = arg;
    size_t n = rules_count (self->rules);
    cg_notify_rulebook_t book = { .rules = cg_alloc ((n ? n : 1) * sizeof (cg_notify_rule_t)),
                                  .rules_count = n };
    for (size_t i = 0; i < n; i++) {
        const rule_t *r = rules_at (self->rules, i);
        cg_notify_rule_t *out = &book.rules[i];
        out->topic = r->topic;
        if (r->when_field)
            out->when = cg_strfmt ("%s=%s", r->when_field, r->when_value);
        out->recipients = r->who_text;
        out->template = r->template_name;
        out->urgency = r->urgent ? "urgent" : "normal";
        out->ack_ms = r->ack_ms;
    }
    cg_reply_ok (reply, &cg_notify_rulebook_def, &book);
    for (size_t i = 0; i < n; i++)
        free (book.rules[i].when);
    free (book.rules);
}

static void
s_test (void *request, cg_reply_t *reply, void *arg)
{
    notifier_t *self = arg;
    cg_notify_test_t *req = request;
    char *routes[DIRECTORY_ROUTES], inbox[128];
    int nroutes = 0;
    const char *name = NULL;
    const person_t *p = directory_person (self->directory, req->recipient);
    const cg_org_node_t *unit = strncmp (req->recipient, "unit:", 5) == 0
                                ? cg_orgtree_find (self->org, req->recipient + 5) : NULL;
    if (p) {
        bool urgent = req->urgent && p->nurgent;
        nroutes = urgent ? p->nurgent : p->nroutes;
        for (int i = 0; i < nroutes; i++)
            routes[i] = urgent ? p->urgent[i] : p->routes[i];
        name = p->name;
    }
    else
    if (unit) {
        snprintf (inbox, sizeof inbox, "inbox %s", unit->code);
        routes[nroutes++] = inbox;
        name = unit->name;
    }
    else {
        cg_reply_fail (reply, "not_found", "recipient", "no person or unit \"%s\" in the "
                       "directory or the org tree", req->recipient);
        return;
    }
    int64_t now = cg_clock_now ();
    char id[160];
    snprintf (id, sizeof id, "test:%s", req->rid);
    cg_notify_delivery_t d = { .id = id, .chain = id,
                               .recipient = p ? p->id : req->recipient, .name = (char *) name,
                               .routes = routes, .routes_count = nroutes, .topic = "notify.test",
                               .text = req->text, .urgent = req->urgent, .created = now };
    cg_args_t batch;
    cg_args_init (&batch);
    notifier_add (self, &batch, &d, now, now);
    int rc = notifier_enqueue (self, NULL, 0, 0, &batch, 1);
    cg_args_free (&batch);
    if (rc)
        cg_reply_fail (reply, "unavailable", NULL, "the outbox cannot be reached");
    else {
        cg_notify_state_t state = { .id = id, .state = unit ? "sent" : "queued" };
        cg_reply_ok (reply, &cg_notify_state_def, &state);
        courier_wake (self);
    }
}

/*  A delivery's own log (lib.lua: lines after their length in two
    bytes, oldest first), newest first, at most limit lines. */
static cg_notify_attempt_t *
s_own_log (const char *log, size_t len, int64_t limit, size_t *count)
{
    size_t lines = 0;
    for (size_t at = 0; at + 2 <= len; lines++)
        at += 2 + ((size_t) (unsigned char) log[at] << 8 | (unsigned char) log[at + 1]);
    cg_notify_attempt_t *out = cg_alloc ((lines ? lines : 1) * sizeof *out);
    size_t n = 0, skip = lines > (size_t) limit ? lines - (size_t) limit : 0;
    for (size_t at = 0, line = 0; at + 2 <= len; line++) {
        size_t size = (size_t) (unsigned char) log[at] << 8 | (unsigned char) log[at + 1];
        cg_error_t err;
        if (line >= skip && at + 2 + size <= len
            && cg_msg_decode (&cg_notify_attempt_def, log + at + 2, size, &out[n], &err) == 0)
            n++;
        at += 2 + size;
    }
    for (size_t i = 0; i < n / 2; i++) {
        cg_notify_attempt_t swap = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = swap;
    }
    *count = n;
    return out;
}

static void
s_log (void *request, cg_reply_t *reply, void *arg)
{
    notifier_t *self = arg;
    cg_notify_query_t *req = request;
    int64_t limit = req->limit > 0 ? req->limit : 50;
    cg_notify_log_t log = { 0 };
    if (req->id) {
        /*  one delivery's own log: its few lines, newest first */
        redisReply *r = cg_redis_command (self->daemon->redis,
                                          "HGET " NOTIFIER_PREFIX "d:%s log", req->id);
        if (!r || r->type == REDIS_REPLY_ERROR)
            cg_reply_fail (reply, "unavailable", NULL, "the delivery log cannot be reached");
        else {
            log.attempts = r->type == REDIS_REPLY_STRING
                         ? s_own_log (r->str, r->len, limit, &log.attempts_count) : NULL;
            if (log.attempts_count == 0)
                cg_reply_fail (reply, "not_found", "id", "no delivery \"%s\" in the log",
                               req->id);
            else
                cg_reply_ok (reply, &cg_notify_log_def, &log);
        }
        if (r)
            freeReplyObject (r);
        cg_msg_clear (&cg_notify_log_def, &log);
        return;
    }
    /*  the recent log of every delivery: a capped list, a page at a time */
    char next[CG_CURSOR_MAX];
    redisReply *items;
    int64_t total;
    cg_error_t err;
    if (cg_cursor_lpage (self->daemon->cursor, self->daemon->redis, "notify.log",
                         &cg_notify_query_def, req, NOTIFIER_PREFIX "log", limit, &items,
                         &total, next, &err)) {
        cg_reply_fail (reply, err.code, *err.field ? err.field : NULL, "%s", err.message);
        return;
    }
    log.next = *next ? next : NULL;
    log.attempts = cg_reply_decode_list (items, &cg_notify_attempt_def, &log.attempts_count);
    cg_reply_ok (reply, &cg_notify_log_def, &log);
    log.next = NULL;            /* ours */
    cg_msg_clear (&cg_notify_log_def, &log);
    freeReplyObject (items);
}

/*  notify.deadletter: a page of the dead letters, newest first. */
static void
s_deadletter (void *request, cg_reply_t *reply, void *arg)
{
    notifier_t *self = arg;
    cg_notify_query_t *req = request;
    char next[CG_CURSOR_MAX];
    cg_zpage_t ids;
    cg_notify_deadpage_t page = { 0 };
    cg_error_t err;
    if (cg_cursor_page (self->daemon->cursor, self->daemon->redis, "notify.deadletter",
                        &cg_notify_query_def, req, NOTIFIER_PREFIX "dead_letters", true,
                        req->limit > 0 ? req->limit : 50, &ids, &page.total, next, &err)) {
        cg_reply_fail (reply, err.code, *err.field ? err.field : NULL, "%s", err.message);
        return;
    }
    page.next = *next ? next : NULL;
    page.dead = cg_alloc ((ids.count ? ids.count : 1) * sizeof (cg_notify_dead_t));
    for (size_t i = 0; i < ids.count; i++) {
        redisReply *d = cg_redis_command (self->daemon->redis,
                                          "HGET " NOTIFIER_PREFIX "d:%s dead", ids.ids[i]);
        if (d && d->type == REDIS_REPLY_STRING
            && cg_msg_decode (&cg_notify_dead_def, d->str, d->len,
                              &page.dead[page.dead_count], &err) == 0)
            page.dead_count++;
        if (d)
            freeReplyObject (d);
    }
    cg_reply_ok (reply, &cg_notify_deadpage_def, &page);
    page.next = NULL;           /* ours */
    cg_msg_clear (&cg_notify_deadpage_def, &page);
    cg_zpage_free (&ids);
}

/*  The journal entry that ends a failed urgent notice's alarm in the
    consoles (notify.cleared): for a retry, of the delivery (its case read
    from it; '' when it has none), for an acknowledgement, of the case.
    The script appends it only when there was an alarm to end.  For a
    retry the case follows (or ''): its alarm ends with the entry. */
static void
s_add_cleared (notifier_t *self, cg_args_t *args, const char *delivery, const char *case_id,
               const char *by, int64_t now)
{
    cg_notify_delivery_t d = { 0 };
    bool decoded = false;
    if (delivery) {
        redisReply *m = cg_redis_command (self->daemon->redis, "HGET " NOTIFIER_PREFIX "d:%s m",
                                          delivery);
        cg_error_t err;
        decoded = m && m->type == REDIS_REPLY_STRING
                  && cg_msg_decode (&cg_notify_delivery_def, m->str, m->len, &d, &err) == 0;
        if (m)
            freeReplyObject (m);
        case_id = decoded ? d.case_id : NULL;
    }
    if (case_id) {
        const cg_org_node_t *center = notifier_center_of (self, case_id,
                                                          decoded ? d.recipient : NULL);
        cg_notify_cleared_t cleared = {
            .case_id = (char *) case_id, .delivery = (char *) delivery,
            .center = center ? (char *) center->code : NULL, .by = (char *) by, .at = now };
        cg_args_add_msg (args, &cg_notify_cleared_def, &cleared);
    }
    else
        cg_args_add_str (args, "");
    if (delivery)
        cg_args_add_str (args, case_id ? case_id : "");
    if (decoded)
        cg_msg_clear (&cg_notify_delivery_def, &d);
}

static void
s_retry (void *request, cg_reply_t *reply, void *arg)
{
    notifier_t *self = arg;
    cg_notify_act_t *req = request;
    int64_t now = cg_clock_now ();
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_str (&args, req->rid);
    cg_args_add_str (&args, req->id);
    cg_args_add_int (&args, now);
    s_add_cleared (self, &args, req->id, NULL, NULL, now);
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_retry", 0, &args);
    cg_args_free (&args);
    const char *answer = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1
                         ? cg_reply_str (r->element[0]) : "";
    notifier_publish (self, r, 1, SIZE_MAX);
    if (streq (answer, "ok")) {
        cg_notify_state_t state = { .id = req->id, .state = "queued" };
        cg_reply_ok (reply, &cg_notify_state_def, &state);
    }
    else
    if (streq (answer, "not_found"))
        cg_reply_fail (reply, "not_found", "id", "no dead letter \"%s\"", req->id);
    else
        cg_reply_fail (reply, "unavailable", NULL, "the outbox cannot be reached");
    if (r)
        freeReplyObject (r);
}

static void
s_ack (void *request, cg_reply_t *reply, void *arg)
{
    notifier_t *self = arg;
    cg_notify_act_t *req = request;
    const char *by = req->by ? req->by : "operator";
    int64_t now = cg_clock_now ();
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_str (&args, req->id);
    cg_args_add_str (&args, by);
    cg_args_add_int (&args, now);
    notifier_add_attempt (&args, req->id, now, "ack", 0, "acked", by);
    cg_args_add_int (&args, self->ack_ms);
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_ack", 0, &args);
    cg_args_free (&args);
    const char *answer = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2
                         ? cg_reply_str (r->element[0]) : "";
    if (streq (answer, "ok")) {
        cg_notify_state_t state = { .id = req->id, .state = "acked" };
        cg_reply_ok (reply, &cg_notify_state_def, &state);
    }
    else
    if (streq (answer, "not_found"))
        cg_reply_fail (reply, "not_found", "id", "no delivery \"%s\"", req->id);
    else
        cg_reply_fail (reply, "unavailable", NULL, "the outbox cannot be reached");
    if (r)
        freeReplyObject (r);
}

/*  notify.ack_case: the operator's acknowledgement of the urgent notices
    about a case (the console's 确认收到).  The deliveries of the case on
    the acknowledgement watch are read from the lex index ackcase (ids
    begin with the case), then one call acknowledges their chains, each
    once: a chain acknowledged already keeps who did it first. */
#define S_ACK_CASE_MAX  64

static void
s_ack_case (void *request, cg_reply_t *reply, void *arg)
{
    notifier_t *self = arg;
    cg_notify_ack_case_t *req = request;
    int64_t now = cg_clock_now ();
    redisReply *ids = cg_redis_command (self->daemon->redis,
                                        "ZRANGEBYLEX " NOTIFIER_PREFIX "ackcase [%s: (%s; LIMIT 0 %d",
                                        req->id, req->id, S_ACK_CASE_MAX);
    if (!ids || ids->type != REDIS_REPLY_ARRAY) {
        cg_reply_fail (reply, "unavailable", NULL, "the outbox cannot be reached");
        if (ids)
            freeReplyObject (ids);
        return;
    }
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_str (&args, req->id);
    cg_args_add_str (&args, req->actor);
    cg_args_add_int (&args, now);
    cg_args_add_int (&args, self->ack_ms);
    s_add_cleared (self, &args, NULL, req->id, req->actor, now);
    for (size_t i = 0; i < ids->elements; i++) {
        const char *id = cg_reply_str (ids->element[i]);
        cg_args_add_str (&args, id);
        notifier_add_attempt (&args, id, now, "ack", 0, "acked", req->actor);
    }
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_ack_case", 0, &args);
    cg_args_free (&args);
    freeReplyObject (ids);
    /*  what it journaled (notify.acked: 3 elements or none), then 4 a delivery */
    size_t first = r && r->type == REDIS_REPLY_ARRAY ? r->elements % 4 : 1;
    if (!r || r->type != REDIS_REPLY_ARRAY || (first != 0 && first != 3)) {
        cg_reply_fail (reply, "unavailable", NULL, "the outbox cannot be reached");
        if (r)
            freeReplyObject (r);
        return;
    }
    notifier_publish (self, r, 0, first);
    cg_notify_acks_t acks = { .id = req->id };
    cg_notify_ack_item_t items[S_ACK_CASE_MAX];
    cg_notify_delivery_t ds[S_ACK_CASE_MAX];
    char by[S_ACK_CASE_MAX][65];
    memset (items, 0, sizeof items);
    memset (ds, 0, sizeof ds);
    size_t n = 0;
    for (size_t i = first; i + 3 < r->elements && n < S_ACK_CASE_MAX; i += 4, n++) {
        redisReply **e = r->element + i;
        cg_notify_ack_item_t *item = &items[n];
        item->delivery = (char *) cg_reply_str (e[0]);
        cg_error_t err;
        if (e[1]->type == REDIS_REPLY_STRING && e[1]->len
        &&  cg_msg_decode (&cg_notify_delivery_def, e[1]->str, e[1]->len, &ds[n], &err) == 0)
            item->recipient = ds[n].recipient;
        /*  "who when": the acknowledger never holds a space (gw_actor) */
        const char *acked = cg_reply_str (e[2]);
        const char *space = strrchr (acked, ' ');
        size_t len = space ? (size_t) (space - acked) : strlen (acked);
        snprintf (by[n], sizeof by[n], "%.*s", (int) (len < 64 ? len : 64), acked);
        item->by = by[n];
        item->at = space ? strtoll (space + 1, NULL, 10) : now;
        CG_SET (item, notify_ack_item, now, e[3]->type == REDIS_REPLY_INTEGER
                                            && e[3]->integer == 1);
        if (item->now)
            acks.acked++;
    }
    acks.deliveries = items;
    acks.deliveries_count = n;
    cg_reply_ok (reply, &cg_notify_acks_def, &acks);
    for (size_t i = 0; i < n; i++)
        if (items[i].recipient)
            cg_msg_clear (&cg_notify_delivery_def, &ds[i]);
    freeReplyObject (r);
}

/*  notify.ack_list: a page of an org node's acknowledgements (lib.lua,
    "The acknowledgement index"): the pending ones, soonest due first, or
    the settled ones, newest first, by cursor.  Each row is read from its
    record, which holds the delivery as it was put on the watch. */
static void
s_ack_list (void *request, cg_reply_t *reply, void *arg)
{
    notifier_t *self = arg;
    cg_notify_ack_query_t *req = request;
    const char *state = req->state ? req->state : "pending";
    bool pending = streq (state, "pending");
    if (!pending && !streq (state, "settled")) {
        cg_reply_fail (reply, "invalid", "state", "state is \"%s\"; pending or settled are "
                       "allowed", state);
        return;
    }
    if (!cg_orgtree_find (self->org, req->org)) {
        cg_reply_fail (reply, "not_found", "org", "no org node \"%s\" in the org tree", req->org);
        return;
    }
    char key[128];
    snprintf (key, sizeof key, NOTIFIER_PREFIX "%s:%s", pending ? "ackorg" : "ackdone",
              req->org);
    if (!pending) {
        /*  what its retention took, off the list first (the records expire
            by themselves) */
        redisReply *t = cg_redis_command (self->daemon->redis, "ZREMRANGEBYSCORE %s -inf (%lld",
                                          key, (long long) (cg_clock_now () - self->ack_ms));
        if (t)
            freeReplyObject (t);
    }
    char next[CG_CURSOR_MAX];
    cg_zpage_t ids;
    cg_notify_ack_page_t page = { .org = req->org, .state = (char *) state };
    cg_error_t err;
    if (cg_cursor_page (self->daemon->cursor, self->daemon->redis, "notify.ack_list",
                        &cg_notify_ack_query_def, req, key, !pending,
                        req->limit > 0 ? req->limit : 50, &ids, &page.total, next, &err)) {
        cg_reply_fail (reply, err.code, *err.field ? err.field : NULL, "%s", err.message);
        return;
    }
    page.next = *next ? next : NULL;
    size_t n = ids.count ? ids.count : 1;
    page.rows = cg_alloc (n * sizeof (cg_notify_ack_row_t));
    cg_notify_delivery_t *ds = cg_alloc (n * sizeof *ds);
    redisReply **records = cg_alloc (n * sizeof *records);
    char (*by)[65] = cg_alloc (n * sizeof *by), (*to)[256] = cg_alloc (n * sizeof *to);
    char (*org)[CG_CODE_MAX + 1] = cg_alloc (n * sizeof *org);
    for (size_t i = 0; i < ids.count; i++) {
        redisReply *r = records[i] = cg_redis_command (
            self->daemon->redis, "HMGET " NOTIFIER_PREFIX "ack:%s id m orgs due state by at to",
            ids.ids[i]);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 8
        ||  r->element[0]->type != REDIS_REPLY_STRING)
            continue;           /* gone meanwhile */
        redisReply **e = r->element;
        cg_notify_ack_row_t *row = &page.rows[page.rows_count++];
        row->delivery = e[0]->str;
        if (e[1]->type == REDIS_REPLY_STRING
        &&  cg_msg_decode (&cg_notify_delivery_def, e[1]->str, e[1]->len, &ds[i], &err) == 0) {
            row->case_id = ds[i].case_id;
            row->topic = ds[i].topic;
            row->recipient = ds[i].recipient;
            row->name = ds[i].name;
            row->text = ds[i].text;
            row->step = ds[i].step;
            row->sent = ds[i].created;
        }
        /*  the recipient's own node: the first of the record's */
        const char *list = cg_reply_str (e[2]);
        size_t len = strcspn (list, " ");
        if (len && len <= CG_CODE_MAX) {
            snprintf (org[i], sizeof org[i], "%.*s", (int) len, list);
            row->org = org[i];
        }
        row->due = strtoll (cg_reply_str (e[3]), NULL, 10);
        row->state = *cg_reply_str (e[4]) ? (char *) cg_reply_str (e[4]) : "pending";
        cg_utf8_cut (cg_reply_str (e[5]), by[i], sizeof by[i]);
        row->by = *by[i] ? by[i] : NULL;
        row->at = strtoll (cg_reply_str (e[6]), NULL, 10);
        cg_utf8_cut (cg_reply_str (e[7]), to[i], sizeof to[i]);
        row->to = *to[i] ? to[i] : NULL;
    }
    cg_reply_ok (reply, &cg_notify_ack_page_def, &page);
    for (size_t i = 0; i < ids.count; i++) {
        if (ds[i].id)
            cg_msg_clear (&cg_notify_delivery_def, &ds[i]);
        if (records[i])
            freeReplyObject (records[i]);
    }
    free (ds);
    free (records);
    free (by);
    free (to);
    free (org);
    free (page.rows);
    cg_zpage_free (&ids);
}

/*  sms.asked: the case the citizen with this phone was last asked to rate
    (notifier_add keeps it by the phone's fingerprint, never the number). */
static void
s_sms_asked (void *request, cg_reply_t *reply, void *arg)
{
    notifier_t *self = arg;
    cg_sms_asked_t *req = request;
    if (!self->privacy) {
        cg_reply_fail (reply, "unavailable", NULL, "notification has no intake/key to know "
                       "phones by");
        return;
    }
    char print[40];
    cg_privacy_fingerprint (self->privacy, req->phone, print, sizeof print);
    redisReply *r = cg_redis_command (self->daemon->redis, "GET " NOTIFIER_PREFIX "asked:%s",
                                      print);
    if (!r)
        cg_reply_fail (reply, "unavailable", NULL, "the store cannot be reached");
    else
    if (r->type != REDIS_REPLY_STRING)
        cg_reply_fail (reply, "not_found", "from", "no SMS asked this number to rate a case "
                       "(or it was long ago)");
    else {
        cg_sms_case_t answer = { .id = r->str };
        cg_reply_ok (reply, &cg_sms_case_def, &answer);
    }
    if (r)
        freeReplyObject (r);
}

void
commands_register (notifier_t *self)
{
    cg_server_t *server = self->daemon->server;
    cg_server_on (server, &cg_cmd_inbox_list, s_inbox_list, self);
    cg_server_on (server, &cg_cmd_notify_rules, s_rules, self);
    cg_server_on (server, &cg_cmd_notify_test, s_test, self);
    cg_server_on (server, &cg_cmd_notify_log, s_log, self);
    cg_server_on (server, &cg_cmd_notify_deadletter, s_deadletter, self);
    cg_server_on (server, &cg_cmd_notify_retry, s_retry, self);
    cg_server_on (server, &cg_cmd_notify_ack, s_ack, self);
    cg_server_on (server, &cg_cmd_notify_ack_case, s_ack_case, self);
    cg_server_on (server, &cg_cmd_notify_ack_list, s_ack_list, self);
    cg_server_on (server, &cg_cmd_sms_asked, s_sms_asked, self);
}
