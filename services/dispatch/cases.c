/*  cases — the case from received to closed.

    Events from intake arrive in batches (cg_bus.h); each case.received is
    routed, given its deadlines, and the whole batch goes to Redis in one
    dispatch_received call together with dispatch's cursor on the intake
    journal.  Only then are the case.dispatched events published.

    The commands accept, resolve and close each move a case from one state
    to the next: the one table s_moves says which command moves which state
    to which, and case_move applies it with compare-and-set on the state
    and at most once per request id.  Queries read the hashes and queues
    that the scripts keep (deploy/lua/dispatch/lib.lua). */
#include "cases.h"
#include "cg_calendar.h"
#include "cg_clock.h"
#include "route.h"

#define S_PREFIX    "cg:{dispatch}:"
#define S_SUMMARY   120     /* bytes of the request's text in case.dispatched */

struct _cases_t {
    cg_daemon_t *daemon;
    cg_orgtree_t *org;
    cg_catalog_t *catalog;
    cg_calendar_t *calendar;
    char cursor_key[128];
};

/*  A state change an actor asks for: 签收 accept, 办结 resolve, 归档 close. */
typedef struct {
    const char *command;
    const char *from, *to;
    const char *topic;
    const char *score_field;    /* the deadline that orders the new queue */
} s_move_t;

static const s_move_t s_moves[] = {
    { "case.accept",  "dispatched", "accepted", "case.accepted", "done_by" },
    { "case.resolve", "accepted",   "resolved", "case.resolved", "updated" },
    { "case.close",   "resolved",   "closed",   "case.closed",   "updated" },
};

cases_t *
cases_new (cg_daemon_t *daemon)
{
    cases_t *self = calloc (1, sizeof *self);
    assert (self);
    self->daemon = daemon;
    char err[256];
    self->org = cg_orgtree_load (cg_daemon_get (daemon, "data/orgtree", "deploy/demo/orgtree.tsv"),
                                 err, sizeof err);
    if (!self->org) {
        zsys_error ("dispatch: org tree: %s", err);
        cases_destroy (&self);
        return NULL;
    }
    self->catalog = cg_catalog_load (cg_daemon_get (daemon, "data/catalog",
                                                    "deploy/demo/catalog.tsv"), err, sizeof err);
    if (!self->catalog) {
        zsys_error ("dispatch: catalog: %s", err);
        cases_destroy (&self);
        return NULL;
    }
    self->calendar = cg_calendar_load (cg_daemon_get (daemon, "data/calendar",
                                                      "deploy/demo/calendar.tsv"), err, sizeof err);
    if (!self->calendar) {
        zsys_error ("dispatch: calendar: %s", err);
        cases_destroy (&self);
        return NULL;
    }
    cg_cursor_key (self->cursor_key, sizeof self->cursor_key, "dispatch", "intake");
    return self;
}

void
cases_destroy (cases_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cases_t *self = *self_p;
    cg_orgtree_destroy (&self->org);
    cg_catalog_destroy (&self->catalog);
    cg_calendar_destroy (&self->calendar);
    free (self);
    *self_p = NULL;
}

/* --- from intake ---------------------------------------------------------- */

static void
s_add_msg (cg_args_t *args, const cg_msgdef_t *def, const void *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    cg_error_t err;
    if (cg_msg_encode (def, msg, &buf, &err))
        zsys_error ("dispatch: cannot encode %s: %s %s", def->name, err.field, err.message);
    cg_args_add (args, buf.data, buf.size);
    msgpack_sbuffer_destroy (&buf);
}

/*  The start of a text, cut at a character boundary. */
static void
s_summary (const char *text, char *out, size_t len)
{
    size_t n = strlen (text);
    if (n >= len) {
        n = len - 1;
        while (n > 0 && ((unsigned char) text[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy (out, text, n);
    out[n] = 0;
}

/*  Adds one case's arguments for dispatch_received; false when the event
    cannot be dispatched (it is then skipped, and the cursor still moves). */
static bool
s_add_case (cases_t *self, cg_args_t *args, const cg_case_received_t *in, int64_t now)
{
    route_t route;
    if (route_case (self->org, self->catalog, in->category, in->grid, &route)) {
        zsys_warning ("dispatch: case %s has unknown category %s; dropped", in->id,
                      in->category);
        return false;
    }
    int64_t sign_by = cg_calendar_add_minutes (self->calendar, now, route.category->sign_limit_min);
    int64_t done_by = cg_calendar_add_minutes (self->calendar, now,
                                               route.category->complete_limit_min);
    char summary[S_SUMMARY];
    s_summary (in->text, summary, sizeof summary);
    char *level = (char *) route_level_name (route.level);

    cg_case_view_t view = {
        .id = in->id, .state = "dispatched", .source = in->source, .ext_ref = in->ext_ref,
        .category = in->category, .text = in->text, .grid = in->grid, .address = in->address,
        .contact = in->contact, .level = level, .center = (char *) route.center->code,
        .unit = (char *) route.unit->code, .sign_by = sign_by, .done_by = done_by,
        .created = in->at, .updated = now };
    cg_case_step_t received = { .at = in->at, .actor = in->source, .to = "received" };
    char note[192];
    snprintf (note, sizeof note, "派单 to %s", route.unit->name);
    cg_case_step_t dispatched = { .at = now, .actor = "dispatch", .from = "received",
                                  .to = "dispatched", .note = note };
    cg_case_dispatched_t event = {
        .id = in->id, .category = in->category, .level = level,
        .center = (char *) route.center->code, .unit = (char *) route.unit->code,
        .unit_name = (char *) route.unit->name, .summary = summary,
        .sign_by = sign_by, .done_by = done_by, .at = now };
    cg_args_add_str (args, in->id);
    s_add_msg (args, &cg_case_view_def, &view);
    s_add_msg (args, &cg_case_step_def, &received);
    s_add_msg (args, &cg_case_step_def, &dispatched);
    s_add_msg (args, &cg_case_dispatched_def, &event);
    return true;
}

int
cases_on_intake (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    cases_t *self = arg;
    cg_args_t batch;            /* five arguments a case */
    cg_args_init (&batch);
    int count = 0;
    int64_t now = cg_clock_now ();
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
        count += s_add_case (self, &batch, &in, now);
        cg_msg_clear (&cg_case_received_def, &in);
    }
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, S_PREFIX);
    cg_args_add_str (&args, self->cursor_key);
    cg_args_add_int (&args, cursor);
    cg_args_add_int (&args, events[n - 1].seq);
    cg_args_add_int (&args, count);
    for (int i = 0; i < batch.argc; i++)
        cg_args_add (&args, batch.argv[i], batch.lens[i]);

    redisReply *r = cg_redis_script (self->daemon->redis, "dispatch_received", 0, &args);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1) {
        rc = strcmp (cg_reply_str (r->element[0]), "moved") == 0 ? 1 : 0;
        /*  publish what was committed, in journal order; a case's body is
            the last of its five arguments */
        for (size_t k = 1; rc == 0 && k < r->elements; k++) {
            int body = (int) (k - 1) * 5 + 4;
            if (r->element[k]->integer > 0)
                cg_pub_send (self->daemon->pub, "dispatch", r->element[k]->integer,
                             "case.dispatched", batch.argv[body], batch.lens[body]);
        }
    }
    if (r)
        freeReplyObject (r);
    cg_args_free (&args);
    cg_args_free (&batch);
    return rc;
}

/* --- reading a case ------------------------------------------------------- */

/*  Fills view from the case's hash (and its timeline when with_steps).
    Returns 0, 1 when there is no such case, -1 when Redis failed. */
static int
s_load (cases_t *self, const char *id, cg_case_view_t *view, bool with_steps)
{
    memset (view, 0, sizeof *view);
    redisReply *r = cg_redis_command (self->daemon->redis, "HGETALL " S_PREFIX "case:%s", id);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    int rc = r->elements ? 0 : 1;
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        cg_msg_set (&cg_case_view_def, view, r->element[i]->str, r->element[i + 1]->str,
                    r->element[i + 1]->len);
    freeReplyObject (r);
    if (rc || !with_steps)
        return rc;
    r = cg_redis_command (self->daemon->redis, "LRANGE " S_PREFIX "case:%s:steps 0 999", id);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements) {
        view->steps = calloc (r->elements, sizeof (cg_case_step_t));
        assert (view->steps);
        for (size_t i = 0; i < r->elements; i++) {
            cg_error_t err;
            if (cg_msg_decode (&cg_case_step_def, r->element[i]->str, r->element[i]->len,
                               &view->steps[view->steps_count], &err) == 0)
                view->steps_count++;
        }
    }
    if (r)
        freeReplyObject (r);
    return 0;
}

void
cases_on_show (void *request, cg_reply_t *reply, void *arg)
{
    cg_case_get_t *req = request;
    cg_case_view_t view;
    int rc = s_load (arg, req->id, &view, true);
    if (rc == 0)
        cg_reply_ok (reply, &cg_case_view_def, &view);
    else
    if (rc == 1)
        cg_reply_fail (reply, "not_found", "id", "there is no case %s", req->id);
    else
        cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
    cg_msg_clear (&cg_case_view_def, &view);
}

void
cases_on_list (void *request, cg_reply_t *reply, void *arg)
{
    cases_t *self = arg;
    cg_case_query_t *req = request;
    const char *state = req->state ? req->state : "all";
    char key[160];
    if (req->center)
        snprintf (key, sizeof key, S_PREFIX "qc:%s:%s", req->center, state);
    else
        snprintf (key, sizeof key, S_PREFIX "q:%s", state);
    int64_t limit = req->limit > 0 ? req->limit : 50;
    redisReply *total = cg_redis_command (self->daemon->redis, "ZCARD %s", key);
    redisReply *ids = cg_redis_command (self->daemon->redis, "ZRANGE %s %lld %lld", key,
                                        (long long) req->offset,
                                        (long long) (req->offset + limit - 1));
    if (!total || !ids || ids->type != REDIS_REPLY_ARRAY) {
        cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
    }
    else {
        cg_case_page_t page = { .total = cg_reply_int (total, 0) };
        page.cases = calloc (ids->elements ? ids->elements : 1, sizeof (cg_case_view_t));
        assert (page.cases);
        for (size_t i = 0; i < ids->elements; i++)
            if (s_load (self, ids->element[i]->str, &page.cases[page.cases_count], false) == 0)
                page.cases_count++;
        cg_reply_ok (reply, &cg_case_page_def, &page);
        cg_msg_clear (&cg_case_page_def, &page);
    }
    if (total)
        freeReplyObject (total);
    if (ids)
        freeReplyObject (ids);
}

/* --- moving a case on ----------------------------------------------------- */

static const s_move_t *
s_move_for (const char *command)
{
    for (size_t i = 0; i < sizeof s_moves / sizeof s_moves[0]; i++)
        if (strcmp (s_moves[i].command, command) == 0)
            return &s_moves[i];
    return NULL;
}

/*  The states a case may be moved out of, for the refusal. */
static void
s_allowed (const char *state, char *out, size_t len)
{
    *out = 0;
    for (size_t i = 0; i < sizeof s_moves / sizeof s_moves[0]; i++)
        if (strcmp (s_moves[i].from, state) == 0)
            snprintf (out + strlen (out), len - strlen (out), "%s%s", *out ? ", " : "",
                      s_moves[i].command + 5);
    if (!*out)
        snprintf (out, len, "nothing");
}

static void
s_move (cases_t *self, const char *command, cg_case_act_t *req, cg_reply_t *reply)
{
    const s_move_t *move = s_move_for (command);
    assert (move);
    if (strcmp (command, "case.resolve") == 0 && !req->note) {
        cg_reply_fail (reply, "invalid", "note", "resolving a case needs its result in note");
        return;
    }
    cg_case_view_t view;
    int rc = s_load (self, req->id, &view, false);
    if (rc) {
        if (rc == 1)
            cg_reply_fail (reply, "not_found", "id", "there is no case %s", req->id);
        else
            cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
        return;
    }
    int64_t now = cg_clock_now ();
    int64_t score = strcmp (move->score_field, "done_by") == 0 ? view.done_by : now;
    cg_case_step_t step = { .at = now, .actor = req->actor, .from = view.state,
                            .to = (char *) move->to, .note = req->note };
    cg_case_changed_t event = { .id = req->id, .from = view.state, .to = (char *) move->to,
                                .actor = req->actor, .note = req->note, .at = now };
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, S_PREFIX);
    cg_args_add_str (&args, req->rid);
    cg_args_add_str (&args, req->id);
    cg_args_add_str (&args, move->from);
    cg_args_add_str (&args, move->to);
    cg_args_add_int (&args, now);
    cg_args_add_int (&args, score);
    s_add_msg (&args, &cg_case_step_def, &step);
    cg_args_add_str (&args, move->topic);
    s_add_msg (&args, &cg_case_changed_def, &event);
    if (strcmp (command, "case.resolve") == 0) {
        cg_args_add_str (&args, "result");
        cg_args_add_str (&args, req->note);
    }
    redisReply *r = cg_redis_script (self->daemon->redis, "case_move", 0, &args);
    const char *status = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2
                       ? cg_reply_str (r->element[0]) : NULL;
    if (!status)
        cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
    else
    if (strcmp (status, "missing") == 0)
        cg_reply_fail (reply, "not_found", "id", "there is no case %s", req->id);
    else
    if (strcmp (status, "state") == 0) {
        char allowed[128];
        s_allowed (cg_reply_str (r->element[1]), allowed, sizeof allowed);
        cg_reply_fail (reply, "conflict", "id", "case %s is %s; it cannot be %s from there "
                       "(allowed: %s)", req->id, cg_reply_str (r->element[1]), move->to,
                       allowed);
    }
    else {
        if (strcmp (status, "ok") == 0)
            cg_pub_send (self->daemon->pub, "dispatch", r->element[1]->integer, move->topic,
                         args.argv[9], args.lens[9]);
        cg_case_view_t after;
        if (s_load (self, req->id, &after, true) == 0)
            cg_reply_ok (reply, &cg_case_view_def, &after);
        else
            cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
        cg_msg_clear (&cg_case_view_def, &after);
    }
    if (r)
        freeReplyObject (r);
    cg_args_free (&args);
    cg_msg_clear (&cg_case_view_def, &view);
}

void
cases_on_accept (void *request, cg_reply_t *reply, void *arg)
{
    s_move (arg, "case.accept", request, reply);
}

void
cases_on_resolve (void *request, cg_reply_t *reply, void *arg)
{
    s_move (arg, "case.resolve", request, reply);
}

void
cases_on_close (void *request, cg_reply_t *reply, void *arg)
{
    s_move (arg, "case.close", request, reply);
}
