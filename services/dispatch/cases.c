/*  cases — the case from received to closed.

    Events from intake arrive in batches (cg_bus.h) at machine.c's
    machine_follow_intake, which hands the case.received among them here
    (cases_route); each is routed, given its deadlines (deadlines.c), and
    the batch goes to Redis in
    dispatch_received calls of up to S_CALL_CASES events, pipelined, each
    together with dispatch's cursor on the intake journal.  Only then are
    the case.dispatched events published.  A
    case.merged (a supporter joined) or case.withdrawn (the source withdrew
    it) is machine.c's, one call each with the cursor.

    The commands that move a case on are machine.c's; the queries here
    read the hashes and queues that the scripts keep
    (deploy/lua/dispatch/lib.lua). */
#include "cases.h"
#include "cg_calendar.h"
#include "cg_case.h"
#include "cg_clock.h"
#include "cg_text.h"
#include "deadlines.h"
#include "route.h"
#include "stats.h"

#define S_SUMMARY   120     /* bytes of the request's text in case.dispatched */
#define S_CALL_CASES 128    /* events in one dispatch_received call at most */

/*  Loads the org tree, the catalog and the calendar, and checks the
    catalog against the tree; only when all is well do they replace the
    ones in use.  Returns 0, or -1 with "path:LINE: reason" in err. */
int
cases_reload (cases_t *self, char *err, size_t errlen)
{
    zconfig_t *config = cg_daemon_config_now (self->daemon);
    if (!config) {
        cg_errset (err, errlen, "the configuration cannot be read again");
        return -1;
    }
    const char *catalog_path = zconfig_get (config, "data/catalog", "deploy/demo/catalog.tsv");
    const char *calendar_path = zconfig_get (config, "data/calendar",
                                             "deploy/demo/calendar.tsv");
    cg_orgtree_t *org = cg_orgtree_load (zconfig_get (config, "data/orgtree",
                                                      "deploy/demo/orgtree.tsv"), err, errlen);
    cg_catalog_t *catalog = org ? cg_catalog_load (catalog_path, err, errlen) : NULL;
    cg_calendar_t *calendar = catalog ? cg_calendar_load (calendar_path, err, errlen) : NULL;
    if (!calendar || cg_catalog_check (catalog, org, catalog_path, err, errlen)) {
        cg_orgtree_destroy (&org);
        cg_catalog_destroy (&catalog);
        cg_calendar_destroy (&calendar);
        zconfig_destroy (&config);
        return -1;
    }
    cg_orgtree_destroy (&self->rules.org);
    cg_catalog_destroy (&self->rules.catalog);
    cg_calendar_destroy (&self->rules.calendar);
    self->rules.org = org;
    self->rules.catalog = catalog;
    self->rules.calendar = calendar;
    snprintf (self->calendar_path, sizeof self->calendar_path, "%s", calendar_path);
    zconfig_destroy (&config);
    self->calendar_checked = 0;
    cases_check_calendar (self, cg_clock_now ());
    stats_data_changed ();
    return 0;
}

void
cases_check_calendar (cases_t *self, int64_t now)
{
    if (self->calendar_checked && now >= self->calendar_checked
        && now - self->calendar_checked < CG_DAY_MS)
        return;
    self->calendar_checked = now;
    char why[512];
    if (cg_calendar_ends_soon (self->rules.calendar, now, why, sizeof why))
        zsys_warning ("dispatch: %s: %s", self->calendar_path, why);
}

cases_t *
cases_new (cg_daemon_t *daemon)
{
    cases_t *self = calloc (1, sizeof *self);
    assert (self);
    self->daemon = daemon;
    char err[512];
    if (cases_reload (self, err, sizeof err)) {
        zsys_error ("dispatch: %s", err);
        cases_destroy (&self);
        return NULL;
    }
    self->grace_min = (int) cg_daemon_int (daemon, "dispatch/escalate_grace_min");
    self->rules.urgent_sign_min = (int) cg_daemon_int (daemon, "dispatch/urgent_sign_min");
    self->rules.urgent_done_min = (int) cg_daemon_int (daemon, "dispatch/urgent_done_min");
    self->rules.reopen_days = (int) cg_daemon_int (daemon, "dispatch/reopen_days");
    self->hotspot_count = (int) cg_daemon_int (daemon, "dispatch/hotspot_count");
    self->hotspot_window_min = (int) cg_daemon_int (daemon, "dispatch/hotspot_window_min");
    cg_cursor_key (self->cursor_key, sizeof self->cursor_key, "dispatch", "intake");
    cg_cursor_key (self->archive_cursor_key, sizeof self->archive_cursor_key, "dispatch",
                   "archive");
    return self;
}

/*  A reload asked for by `civgrid reload` or by SIGHUP, logged. */
static int
s_reload_logged (cases_t *self, char *err, size_t errlen)
{
    if (cases_reload (self, err, errlen)) {
        zsys_warning ("dispatch: reload refused: %s", err);
        return -1;
    }
    zsys_info ("dispatch: reloaded the org tree, the catalog and the calendar");
    return 0;
}

int
cases_on_hangup (void *arg)
{
    char err[512];
    return s_reload_logged (arg, err, sizeof err);
}

void
cases_on_reload (void *request, cg_reply_t *reply, void *arg)
{
    (void) request;
    cases_t *self = arg;
    char err[512];
    if (s_reload_logged (self, err, sizeof err)) {
        cg_reply_fail (reply, "invalid", "file", "%s", err);
        return;
    }
    char why[512] = "";
    bool soon = cg_calendar_ends_soon (self->rules.calendar, cg_clock_now (), why, sizeof why);
    cg_data_loaded_t loaded = { .nodes = (int64_t) cg_orgtree_size (self->rules.org),
                                .categories = (int64_t) cg_catalog_size (self->rules.catalog),
                                .calendar = self->calendar_path,
                                .calendar_ends = cg_calendar_ends (self->rules.calendar),
                                .warning = soon ? why : NULL };
    cg_reply_ok (reply, &cg_data_loaded_def, &loaded);
}

void
cases_destroy (cases_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cases_t *self = *self_p;
    cg_orgtree_destroy (&self->rules.org);
    cg_catalog_destroy (&self->rules.catalog);
    cg_calendar_destroy (&self->rules.calendar);
    free (self);
    *self_p = NULL;
}

/* --- from intake ---------------------------------------------------------- */

/*  The first attachment that is a link anyone may follow (http or https):
    a grid worker's photo kept by the gateway ("photo:<sha-256>.<ext>") is
    shown only to those who may see the case, never as Open311's media_url. */
static char *
s_first_link (const cg_case_received_t *in)
{
    for (size_t i = 0; i < in->media_count; i++)
        if (strncmp (in->media[i], "https://", 8) == 0 || strncmp (in->media[i], "http://", 7) == 0)
            return in->media[i];
    return NULL;
}

/*  Adds one case's arguments for dispatch_received (the case.dispatched
    body's index goes in *body); false when the event cannot be dispatched
    (it is then skipped, and the cursor still moves). */
static bool
s_add_case (cases_t *self, cg_args_t *args, const cg_case_received_t *in, int64_t now,
            int *body)
{
    route_t route;
    route_place_t where = { .grid = in->grid, .place = in->place, .unplaced = in->unplaced,
                            .county = in->county };
    if (route_case (self->rules.org, self->rules.catalog, in->category, &where, &route)) {
        zsys_warning ("dispatch: case %s has unknown category %s; dropped", in->id,
                      in->category);
        return false;
    }
    char summary[S_SUMMARY];
    cg_utf8_cut (in->text, summary, sizeof summary);
    char *level = (char *) route_level_name (route.level);

    cg_case_view_t view = {
        .id = in->id, .state = "dispatched", .source = in->source, .ext_ref = in->ext_ref,
        .category = in->category, .text = in->text, .grid = in->grid, .address = in->address,
        .contact = in->contact, .level = level, .center = (char *) route.center->code,
        .unit = (char *) route.unit->code, .unplaced = route.unplaced, .created = in->at,
        .updated = now, .urgent = in->urgent, .due = in->due, .lat = in->lat, .lon = in->lon,
        .media_url = s_first_link (in) };
    deadlines_arm (&self->rules, route.category, now, &view);
    cg_case_step_t received = { .at = in->at, .actor = in->source, .to = "received" };
    char note[192];
    snprintf (note, sizeof note, "派单至%s", route.unit->name);
    cg_case_step_t dispatched = { .at = now, .actor = "dispatch", .from = "received",
                                  .to = "dispatched", .note = note };
    cg_case_dispatched_t event = {
        .id = in->id, .category = in->category, .level = level,
        .center = (char *) route.center->code, .unit = (char *) route.unit->code,
        .unit_name = (char *) route.unit->name, .summary = summary,
        .sign_by = view.sign_by, .done_by = view.done_by, .at = now, .action = "route",
        .urgent = in->urgent };
    const cg_org_node_t *place = in->grid ? cg_orgtree_find (self->rules.org, in->grid) : NULL;
    const cg_org_node_t *community = place ? cg_orgtree_center_of (self->rules.org, place,
                                                                   CG_ORG_COMMUNITY) : NULL;
    cg_args_add_str (args, in->id);
    cg_args_add_str (args, view.center);
    cg_args_add_str (args, view.unit);
    cg_args_add_str (args, in->category);
    cg_args_add_int (args, view.created);
    cg_args_add_int (args, view.sign_by);
    cg_args_add_int (args, deadlines_next_due (&view));
    cg_args_add_str (args, community ? community->code : "");
    *body = args->argc;
    cg_args_add_msg (args, &cg_case_dispatched_def, &event);
    cg_args_add_msg (args, &cg_case_step_def, &received);
    cg_args_add_msg (args, &cg_case_step_def, &dispatched);
    cg_args_add_fields (args, &cg_case_view_def, &view);
    return true;
}

/*  One dispatch_received call: its arguments, and where each case's
    case.dispatched body is among them, to publish once it is committed. */
typedef struct {
    cg_args_t args;
    int *bodies;
    int count;
} s_call_t;

/*  Prepares the call that routes the case.received among events[0..n)
    at now and moves the cursor from `cursor` to the last of them. */
static void
s_call_prepare (cases_t *self, s_call_t *call, const cg_event_t *events, size_t n,
                int64_t cursor, int64_t now)
{
    cg_feed_args (&call->args, S_PREFIX, self->cursor_key, cursor, events, n);
    cg_args_add_int (&call->args, self->hotspot_count);
    cg_args_add_int (&call->args, (int64_t) self->hotspot_window_min * 60000);
    char stats[200];
    stats_keys (now, stats, sizeof stats);
    cg_args_add_str (&call->args, stats);
    cg_args_add_int (&call->args, now);
    /*  then each case's arguments, one after the other */
    call->bodies = calloc (n, sizeof (int));
    assert (call->bodies);
    call->count = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp (events[i].topic, "case.received") != 0)
            continue;
        cg_case_received_t in;
        cg_error_t err;
        if (cg_msg_decode (&cg_case_received_def, events[i].body, events[i].size, &in, &err)) {
            zsys_warning ("dispatch: dropped intake #%lld: %s: %s",
                          (long long) events[i].seq, err.field, err.message);
            continue;
        }
        call->count += s_add_case (self, &call->args, &in, now, &call->bodies[call->count]);
        cg_msg_clear (&cg_case_received_def, &in);
    }
}

/*  Publishes what the call committed, in journal order (a hot spot comes
    with its own body), and frees the call and its reply.  Returns 0 when
    it was applied, 1 when the cursor had moved, -1 when it failed. */
static int
s_call_finish (cases_t *self, s_call_t *call, redisReply *r)
{
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1) {
        rc = strcmp (cg_reply_str (r->element[0]), "moved") == 0 ? 1 : 0;
        int cases_seen = 0;
        for (size_t k = 1; rc == 0 && k < r->elements; k++) {
            redisReply *e = r->element[k];
            if (e->type == REDIS_REPLY_ARRAY && e->elements == 2) {
                cg_pub_send (self->daemon->pub, "dispatch", e->element[0]->integer,
                             "hotspot.detected", e->element[1]->str, e->element[1]->len);
                continue;
            }
            int body = call->bodies[cases_seen++];
            if (e->integer > 0)
                cg_pub_send (self->daemon->pub, "dispatch", e->integer, "case.dispatched",
                             call->args.argv[body], call->args.lens[body]);
        }
    }
    else
    if (r && r->type == REDIS_REPLY_ERROR)
        zsys_error ("redis: script dispatch_received: %s", r->str);
    if (r)
        freeReplyObject (r);
    cg_args_free (&call->args);
    free (call->bodies);
    return rc;
}

/*  Routes the case.received among events[0..n) and moves the cursor from
    `cursor` to the last of them, S_CALL_CASES events a call.  The calls
    are pipelined: while Redis runs one, the next is prepared (routing,
    deadlines, encoding), so that a backlog is worked off by both at once.
    Each call moves the cursor from where the one before left it, so one
    that fails leaves the ones after it changing nothing.  The time is
    read once, before the first call: on the test clock reading it is a
    Redis command, which must not come between a call and its answer.
    Returns 0 when
    all were applied, 1 when the cursor had moved or only some were
    applied (the feed reads the cursor again), -1 when none could be. */
int
cases_route (cases_t *self, const cg_event_t *events, size_t n, int64_t cursor)
{
    s_call_t calls[2];          /* the one Redis runs, the one being prepared */
    int running = -1, rc = 0;
    bool applied = false;
    int64_t now = cg_clock_now ();
    for (size_t from = 0; from < n || running >= 0; ) {
        int next = -1;
        if (from < n) {
            size_t k = n - from < S_CALL_CASES ? n - from : S_CALL_CASES;
            next = running == 0 ? 1 : 0;
            s_call_prepare (self, &calls[next], events + from, k, cursor, now);
            cursor = events[from + k - 1].seq;
            from += k;
        }
        if (running >= 0) {
            rc = s_call_finish (self, &calls[running], cg_redis_reply (self->daemon->redis));
            applied |= rc == 0;
            running = -1;
        }
        if (next >= 0 && rc == 0
        &&  cg_redis_script_send (self->daemon->redis, "dispatch_received", 0,
                                  &calls[next].args) == 0)
            running = next;
        else
        if (next >= 0) {
            rc = rc ? rc : -1;
            s_call_finish (self, &calls[next], NULL);
            break;
        }
    }
    return rc && applied ? 1 : rc;
}

/* --- to the archive ------------------------------------------------------- */

/*  The archive holds these cases durably: each leaves Redis if it is still
    the version the archive holds and final past its reopen window
    (deploy/lua/dispatch/case_forget.lua). */
int
cases_on_archive (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    cases_t *self = arg;
    int64_t extra[] = { cg_clock_now (), cg_case_reopen_until (0, self->rules.reopen_days) };
    return cg_case_forget (self->daemon->redis, "case_forget", S_PREFIX,
                           self->archive_cursor_key, cursor, events, n, extra, 2, true);
}

/* --- reading a case ------------------------------------------------------- */

/*  Fills view from a case's hash as HGETALL answers it (and its timeline
    when with_steps; common/cg_case.c).  Returns 0, 1 when there is no such
    case, -1 when Redis failed. */
static int
s_view_read (cg_case_view_t *view, const redisReply *r, bool with_steps)
{
    memset (view, 0, sizeof *view);
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return -1;
    return cg_case_from_hash (r, view, with_steps);
}

int
cases_load (cases_t *self, const char *id, cg_case_view_t *view, bool with_steps)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "HGETALL " CG_CASE_KEY, id);
    int rc = s_view_read (view, r, with_steps);
    if (r)
        freeReplyObject (r);
    return rc;
}

void
cases_on_show (void *request, cg_reply_t *reply, void *arg)
{
    cg_case_get_t *req = request;
    cg_case_view_t view;
    int rc = cases_load (arg, req->id, &view, true);
    if (rc == 0)
        cg_reply_ok (reply, &cg_case_view_def, &view);
    else
    if (rc == 1)
        cg_reply_fail (reply, "not_found", "id", "there is no case %s", req->id);
    else
        cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
    cg_msg_clear (&cg_case_view_def, &view);
}

/* --- lists ----------------------------------------------------------------- */

/*  A case's fields that a list shows (case.item), as HMGET asks for them:
    the text is cut to the item's summary. */
static const char *const s_item_fields[] = {
    "id", "state", "source", "ext_ref", "category", "text", "grid", "address", "level",
    "center", "unit", "sign_by", "done_by", "created", "updated", "alerts", "supervised",
    "urgent", "unplaced", "extension", "sign_warn", "done_warn", "lat", "lon" };
#define S_ITEM_FIELDS (sizeof s_item_fields / sizeof s_item_fields[0])

/*  The queue a query names (lib.lua's keys) and how many to give.
    Returns 0, or -1 after refusing the query. */
static int
s_list_open (const char *command, cg_case_query_t *req, int64_t most, char *key,
             size_t keylen, int64_t *limit, cg_reply_t *reply)
{
    const char *state = req->state ? req->state : "all";
    if (req->unit && strcmp (state, "all") == 0) {
        cg_reply_fail (reply, "invalid", "state", "a unit's queues are by state: name one "
                       "(dispatched, accepted, returned, suspended, resolved, ...)");
        return -1;
    }
    if (req->limit > most) {
        cg_reply_fail (reply, "invalid", "limit", "limit is %lld; %s gives at most %lld a page",
                       (long long) req->limit, command, (long long) most);
        return -1;
    }
    if (req->unit)
        snprintf (key, keylen, S_PREFIX "qu:%s:%s", req->unit, state);
    else
    if (req->center)
        snprintf (key, keylen, S_PREFIX "qc:%s:%s", req->center, state);
    else
        snprintf (key, keylen, S_PREFIX "q:%s", state);
    *limit = req->limit > 0 ? req->limit : most < 50 ? most : 50;
    return 0;
}

/*  Fills item (a case.item) from a case's fields as HMGET answered
    s_item_fields. */
static bool
s_item_read (void *msg, const redisReply *r, int64_t pos)
{
    cg_case_item_t *item = msg;
    memset (item, 0, sizeof *item);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != S_ITEM_FIELDS
    ||  r->element[0]->type != REDIS_REPLY_STRING)
        return false;
    for (size_t i = 0; i < S_ITEM_FIELDS; i++) {
        const redisReply *v = r->element[i];
        if (v->type != REDIS_REPLY_STRING)
            continue;
        if (strcmp (s_item_fields[i], "text") == 0) {
            char summary[CG_LIST_TEXT + 1];
            cg_utf8_cut (v->str, summary, sizeof summary);
            cg_msg_set (&cg_case_item_def, item, "summary", summary, strlen (summary));
        }
        else
            cg_msg_set (&cg_case_item_def, item, s_item_fields[i], v->str, v->len);
    }
    item->pos = pos;
    item->present |= UINT64_C (1) << CG_FIELD_case_item_pos;
    return item->id && item->state;
}

/*  What differs between case.list and case.views: the bound of a page,
    its definitions, what is asked of Redis for a case and how its answer
    becomes an item. */
typedef struct {
    const char *command;
    int64_t most;
    const cg_msgdef_t *page_def;    /* total, next and the list `cases` */
    const cg_msgdef_t *item_def;
    void (*ask) (cg_args_t *args, const char *id);
    bool (*read) (void *item, const redisReply *r, int64_t pos);
} s_list_t;

static void
s_item_ask (cg_args_t *args, const char *id)
{
    cg_args_add_str (args, "HMGET");
    cg_args_addf (args, CG_CASE_KEY, id);
    for (size_t k = 0; k < S_ITEM_FIELDS; k++)
        cg_args_add_str (args, s_item_fields[k]);
}

static void
s_view_ask (cg_args_t *args, const char *id)
{
    cg_args_add_str (args, "HGETALL");
    cg_args_addf (args, CG_CASE_KEY, id);
}

static bool
s_view_item (void *item, const redisReply *r, int64_t pos)
{
    (void) pos;
    return s_view_read (item, r, false) == 0;
}

/*  A page of the queue the query names: the ids by keyset, then each
    case's fields in one pipeline. */
static void
s_list (cases_t *self, const s_list_t *spec, cg_case_query_t *req, cg_reply_t *reply)
{
    char key[160], next[CG_CURSOR_MAX];
    int64_t limit, count;
    if (s_list_open (spec->command, req, spec->most, key, sizeof key, &limit, reply))
        return;
    cg_redis_t *redis = self->daemon->redis;
    cg_zpage_t ids;
    cg_error_t err;
    if (cg_cursor_page (self->daemon->cursor, redis, spec->command, &cg_case_query_def, req,
                        key, req->newest, limit, &ids, &count, next, &err)) {
        cg_reply_fail (reply, err.code, *err.field ? err.field : NULL, "%s", err.message);
        return;
    }
    size_t n = ids.count;
    cg_args_t args;
    cg_args_init (&args);
    for (size_t i = 0; i < n; i++) {
        cg_args_reset (&args);
        spec->ask (&args, ids.ids[i]);
        cg_redis_append (redis, &args);
    }
    cg_args_free (&args);
    /*  the page, through its definition: total, next, and the list */
    void *page = calloc (1, spec->page_def->size);
    assert (page);
    char text[24];
    snprintf (text, sizeof text, "%lld", (long long) count);
    cg_msg_set (spec->page_def, page, "total", text, strlen (text));
    if (*next)
        cg_msg_set (spec->page_def, page, "next", next, strlen (next));
    const cg_field_t *list = NULL;
    for (size_t i = 0; i < spec->page_def->nfields; i++)
        if (spec->page_def->fields[i].type == CG_F_LIST)
            list = &spec->page_def->fields[i];
    assert (list);
    size_t size = spec->item_def->size, taken = 0;
    char *items = calloc (n ? n : 1, size);
    assert (items);
    for (size_t i = 0; i < n; i++) {
        redisReply *r = cg_redis_reply (redis);
        if (spec->read (items + taken * size, r, ids.pos[i]))
            taken++;
        else
            cg_msg_clear (spec->item_def, items + taken * size);
        if (r)
            freeReplyObject (r);
    }
    *(char **) ((char *) page + list->offset) = items;
    *(size_t *) ((char *) page + list->count_offset) = taken;
    cg_reply_ok (reply, spec->page_def, page);
    cg_msg_clear (spec->page_def, page);
    free (page);
    cg_zpage_free (&ids);
}

/*  case.list: a page of summaries, CG_CASE_PAGE_MAX at most. */
void
cases_on_list (void *request, cg_reply_t *reply, void *arg)
{
    static const s_list_t spec = { "case.list", CG_CASE_PAGE_MAX, &cg_case_page_def,
                                   &cg_case_item_def, s_item_ask, s_item_read };
    s_list (arg, &spec, request, reply);
}

/*  case.views: a page of whole cases without their timelines (Open311's
    lists), CG_CASE_VIEWS_MAX at most: a case's text and result may each
    take CG_TEXT_MAX bytes. */
void
cases_on_views (void *request, cg_reply_t *reply, void *arg)
{
    static const s_list_t spec = { "case.views", CG_CASE_VIEWS_MAX, &cg_case_views_def,
                                   &cg_case_view_def, s_view_ask, s_view_item };
    s_list (arg, &spec, request, reply);
}
