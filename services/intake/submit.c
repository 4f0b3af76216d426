/*  submit — a request becomes a case, or joins one; and case.submit, the
    channel-neutral command of operators and the consultation service,
    whose requests join an open case only when they ask (`merge`).

    intake_accept is the one path of every channel.  Personal data is
    sealed into intake's record and leaves intake only masked (138****5678).
    Before the Lua call intake looks for an open case to merge into: one of
    the same category in the same grid, or within merge_radius_m of the same
    point, accepted within the merge window and in a mergeable state
    (cg_case_state.h; the state is dispatch's, intake reads it and never
    writes it).  The
    Lua call then stores the case and its journal entry, or links the
    request to that case as a supporter and journals case.merged, and
    remembers the answer by request id and by (source, ext_ref).

    One Lua call serves a batch: every request the command server read in
    one wake-up (intake_flush, its flush function).  The script takes them
    in order, so a retry of a request, by request id or by reference, finds
    the first even within the batch.  intake_flush looks for the open cases
    of the whole batch at once, pipelined (a few round trips to Redis per
    batch, not one or more per request), then gives each merged request's
    record the case it joins.  So that no request could join one still in
    the batch, intake_accept stores the batch first when a request in it
    could be that case (same category, and same grid or both with points):
    a batch merges exactly as the requests one by one would. */
#include "intake.h"
#include "cg_case.h"
#include "cg_case_state.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <math.h>
#include <stdarg.h>

static const char *const s_sources[] = {
    "hotline", "grid", "open311", "device", "operator", "consultation", NULL };

/*  Seals value into buf, or leaves it empty; returns buf or NULL. */
static char *
s_seal (intake_t *self, const char *value, char *buf, size_t len)
{
    if (!value || cg_privacy_seal (self->privacy, value, buf, len))
        return NULL;
    return buf;
}

/*  A request in the batch: how to answer it, and what intake_flush needs
    of it once the Lua call has returned. */
struct intake_pending {
    cg_reply_t *reply;
    intake_answer_t shape;
    bool unplaced;
    size_t event_arg;               /* its case.received, among the batch's arguments */
    const cg_category_t *merge_category;    /* NULL: never merged */
    const cg_org_node_t *grid;
    bool has_point;                 /* in the geo index */
    bool near;                      /* looks for an open case around its point */
    char lon[CG_COORD_MAX + 1], lat[CG_COORD_MAX + 1];
    int64_t since;                  /* when the merge window opened for it */
    redisReply *found;              /* the cases the merge index offers it */
    bool recent;                    /* found's candidate in hand is in the window */
    char into[32];                  /* the open case it joins, or "" */
    const char *ref_field;          /* the field of its reference, for a conflict */
    char ref[72];                   /* its reference */
};

/*  Its record, and the case it joins, among the batch's arguments
    (deploy/lua/intake/intake_submit.lua). */
#define S_RECORD_ARG(p)     ((p)->event_arg - 1)
#define S_INTO_ARG(p)       ((p)->event_arg + 1)

/*  The candidates looked at per request and index, newest first. */
#define S_CANDIDATES        8

/*  Redis's geo index holds latitudes up to ±85.05112878°: a point beyond
    is kept with the request but not indexed for merging. */
#define S_GEO_LAT_MAX       85.05112878

/*  True when looking for an open case to merge req into could find one of
    the requests still in the batch: they must be stored first. */
static bool
s_batch_may_hold (intake_t *self, const intake_request_t *req)
{
    for (size_t i = 0; req->may_merge && i < self->npending; i++) {
        const struct intake_pending *p = &self->pending[i];
        if (p->merge_category == req->category
            && ((p->grid && p->grid == req->grid) || (p->has_point && req->has_point)))
            return true;
    }
    return false;
}

int
intake_accept (intake_t *self, const char *rid, intake_request_t *req, intake_answer_t shape,
               cg_reply_t *reply)
{
    char id[32], masked[32] = "", ext[160] = "", caller[80] = "";
    char name_sealed[CG_SEALED_LEN (64)], phone_sealed[CG_SEALED_LEN (20)];
    char email_sealed[CG_SEALED_LEN (128)];
    if (cg_ids_next (self->ids, id, sizeof id)) {
        cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
        return -1;
    }
    int64_t now = cg_clock_now ();
    if (req->ext_key || req->ext_ref)
        snprintf (ext, sizeof ext, "%s|%s", req->source, req->ext_key ? req->ext_key : req->ext_ref);
    if (req->phone) {
        cg_mask_phone (req->phone, masked, sizeof masked);
        cg_privacy_fingerprint (self->privacy, req->phone, caller, sizeof caller);
    }
    else
    if (req->caller)
        snprintf (caller, sizeof caller, "%s", req->caller);
    if (req->may_merge && s_batch_may_hold (self, req))
        intake_flush (self);
    /*  no character XML 1.0 forbids is kept: one pasted from Word would
        spoil every Open311 document the case is listed in */
    char *text = cg_text_clean (req->text), *address = cg_text_clean (req->address);
    char *detail = cg_text_clean (req->detail);

    cg_intake_record_t record = {
        .id = id, .source = (char *) req->source, .ext_ref = (char *) req->ext_ref,
        .category = (char *) req->category->code,
        .name_sealed = s_seal (self, req->name, name_sealed, sizeof name_sealed),
        .phone_sealed = s_seal (self, req->phone, phone_sealed, sizeof phone_sealed),
        .email_sealed = s_seal (self, req->email, email_sealed, sizeof email_sealed),
        .detail = detail ? detail : (char *) req->detail, .at = now,
        .media = req->media, .media_count = req->media_count };
    cg_case_received_t event = {
        .id = id, .source = (char *) req->source, .ext_ref = (char *) req->ext_ref,
        .category = (char *) req->category->code, .text = text ? text : (char *) req->text,
        .grid = req->grid ? (char *) req->grid->code : NULL,
        .address = address ? address : (char *) req->address,
        .contact = *masked ? masked : NULL, .at = now,
        .place = req->place ? (char *) req->place->code : NULL, .unplaced = !req->place,
        .county = req->county ? (char *) req->county->code : NULL, .urgent = req->urgent,
        .class = (char *) req->klass, .reported = req->reported, .due = req->due,
        .lat = req->lat ? (char *) req->lat : *req->centre_lat ? req->centre_lat : NULL,
        .lon = req->lon ? (char *) req->lon : *req->centre_lon ? req->centre_lon : NULL,
        .media = req->media, .media_count = req->media_count };
    cg_error_t err;
    self->record.size = 0;
    self->event.size = 0;
    int rc = cg_msg_encode (&cg_intake_record_def, &record, &self->record, &err)
          || cg_msg_encode (&cg_case_received_def, &event, &self->event, &err);
    free (text);
    free (address);
    free (detail);
    if (rc) {
        cg_reply_error (reply, &err);
        return -1;
    }
    if (self->npending == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 64;
        self->pending = realloc (self->pending, self->cap * sizeof *self->pending);
        assert (self->pending);
    }
    bool indexed = req->has_point && fabs (req->lat_deg) <= S_GEO_LAT_MAX;
    cg_args_t *args = &self->batch;
    if (args->argc == 0) {
        cg_args_add_str (args, INTAKE_PREFIX);
        cg_args_add_int (args, self->ext_keep_ms);
    }
    struct intake_pending *p = &self->pending[self->npending++];
    *p = (struct intake_pending) {
        .reply = reply, .shape = shape, .unplaced = !req->place, .event_arg = args->argc + 4,
        .merge_category = req->may_merge ? req->category : NULL, .grid = req->grid,
        .has_point = indexed, .near = req->may_merge && req->has_point && self->merge_radius_m > 0,
        .since = now - self->merge_window_ms,
        .ref_field = req->ref_field ? req->ref_field : "ext_ref" };
    snprintf (p->ref, sizeof p->ref, "%s", req->ext_ref ? req->ext_ref : "");
    if (p->near) {
        snprintf (p->lon, sizeof p->lon, "%s", req->lon);
        snprintf (p->lat, sizeof p->lat, "%s", req->lat);
    }
    cg_args_add_str (args, rid);
    cg_args_add_str (args, ext);
    cg_args_add_str (args, id);
    cg_args_add (args, self->record.data, self->record.size);
    cg_args_add (args, self->event.data, self->event.size);
    cg_args_add_str (args, "");         /* the case it joins: intake_flush looks */
    cg_args_add_str (args, caller);
    cg_args_add_int (args, now);
    cg_args_add_str (args, req->may_merge ? req->category->code : "");
    cg_args_add_str (args, req->grid ? req->grid->code : "");
    cg_args_add_str (args, indexed ? req->lon : "");
    cg_args_add_str (args, indexed ? req->lat : "");
    cg_args_add_int (args, self->merge_window_ms);
    cg_args_add_str (args, req->source);
    cg_args_add_str (args, req->ext_ref ? req->ext_ref : "");
    cg_args_add_str (args, masked);
    cg_args_add_str (args, req->digest ? req->digest : "");
    cg_reply_defer (reply);
    return 0;
}

/*  Sends a command, made from fmt, to the pipeline; false when it
    could not be sent (the connection is gone). */
static bool
s_send (intake_t *self, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static bool
s_send (intake_t *self, const char *fmt, ...)
{
    char command[256];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (command, sizeof command, fmt, ap);
    va_end (ap);
    cg_args_reset (&self->lookup);
    cg_args_add_words (&self->lookup, command);
    return cg_redis_append (self->daemon->redis, &self->lookup) == 0;
}

/*  The id of p's k-th candidate, or NULL.  A grid index's entries end in
    the case id, after their last '|' (grid|time|case). */
static const char *
s_candidate (const struct intake_pending *p, size_t k)
{
    const redisReply *r = p->found;
    if (*p->into || !r || r->type != REDIS_REPLY_ARRAY || k >= r->elements
    ||  r->element[k]->type != REDIS_REPLY_STRING)
        return NULL;
    const char *id = r->element[k]->str, *bar = strrchr (id, '|');
    return bar ? bar + 1 : id;
}

typedef bool (s_wants_fn) (const struct intake_pending *p, size_t k);
typedef void (s_take_fn) (struct intake_pending *p, size_t k, redisReply *r);

/*  Sends, for each request for which wants holds, the command send makes;
    then reads their replies in order and gives each to take.  -1 when a
    command could not be sent or Redis gave no reply. */
static int
s_ask (intake_t *self, size_t k, s_wants_fn *wants,
       bool (*send) (intake_t *, const struct intake_pending *, size_t), s_take_fn *take)
{
    for (size_t i = 0; i < self->npending; i++)
        if (wants (&self->pending[i], k) && !send (self, &self->pending[i], k))
            return -1;
    int rc = 0;
    for (size_t i = 0; i < self->npending; i++) {
        struct intake_pending *p = &self->pending[i];
        if (!wants (p, k))
            continue;
        redisReply *r = cg_redis_reply (self->daemon->redis);
        if (!r)
            rc = -1;
        take (p, k, r);
    }
    return rc;
}

static bool
s_wants_grid (const struct intake_pending *p, size_t k)
{
    return k == 0 && p->merge_category && p->grid;
}

static bool
s_wants_near (const struct intake_pending *p, size_t k)
{
    return k == 0 && p->near && !*p->into;
}

static bool
s_wants_candidate (const struct intake_pending *p, size_t k)
{
    return s_candidate (p, k) != NULL;
}

static bool
s_wants_state (const struct intake_pending *p, size_t k)
{
    return p->recent && s_candidate (p, k) != NULL;
}

static void
s_take_found (struct intake_pending *p, size_t k, redisReply *r)
{
    (void) k;
    p->found = r;
}

static void
s_take_recent (struct intake_pending *p, size_t k, redisReply *r)
{
    (void) k;
    p->recent = r && cg_reply_int (r, 0) >= p->since;
    if (r)
        freeReplyObject (r);
}

/*  A candidate joins when its state is mergeable (cg_case_state.h): not
    once it is resolved, closed, rejected, merged or cancelled, when a new
    request about the same thing is a new case. */
static void
s_take_state (struct intake_pending *p, size_t k, redisReply *r)
{
    if (r && cg_case_state_is (cg_reply_str (r), CG_CASE_MERGEABLE))
        snprintf (p->into, sizeof p->into, "%s", s_candidate (p, k));
    if (r)
        freeReplyObject (r);
}

static void
s_forget_found (intake_t *self)
{
    for (size_t i = 0; i < self->npending; i++)
        if (self->pending[i].found) {
            freeReplyObject (self->pending[i].found);
            self->pending[i].found = NULL;
        }
}

static bool
s_send_score (intake_t *self, const struct intake_pending *p, size_t k)
{
    return s_send (self, "ZSCORE " INTAKE_PREFIX "geoat:%s %s", p->merge_category->code,
                   s_candidate (p, k));
}

static bool
s_send_state (intake_t *self, const struct intake_pending *p, size_t k)
{
    return s_send (self, "HGET " CG_CASE_KEY " state", s_candidate (p, k));
}

static bool
s_send_grid (intake_t *self, const struct intake_pending *p, size_t k)
{
    (void) k;
    return s_send (self, "ZREVRANGEBYLEX " INTAKE_PREFIX "recent:%s (%s|~ [%s|%013lld LIMIT 0 %d",
                   p->merge_category->code, p->grid->code, p->grid->code,
                   (long long) (p->since > 0 ? p->since : 0), S_CANDIDATES);
}

static bool
s_send_near (intake_t *self, const struct intake_pending *p, size_t k)
{
    (void) k;
    return s_send (self, "GEOSEARCH " INTAKE_PREFIX "geo:%s FROMLONLAT %s %s BYRADIUS %d m "
                   "ASC COUNT %d", p->merge_category->code, p->lon, p->lat,
                   self->merge_radius_m, S_CANDIDATES);
}

/*  Gives each request whose index offered candidates (found) the first
    open one, newest or nearest first: the k-th candidate of every request
    at once.  A candidate from the geo index must also be in the window. */
static int
s_pick (intake_t *self, bool by_point)
{
    for (size_t k = 0; k < S_CANDIDATES; k++) {
        bool any = false;
        for (size_t i = 0; i < self->npending; i++) {
            any |= s_candidate (&self->pending[i], k) != NULL;
            self->pending[i].recent = !by_point;
        }
        if (!any)
            break;
        if ((by_point && s_ask (self, k, s_wants_candidate, s_send_score, s_take_recent))
        ||  s_ask (self, k, s_wants_state, s_send_state, s_take_state))
            return -1;
    }
    return 0;
}

/*  Finds the open case each request of the batch joins, if any: by grid
    first, then by point; each step pipelined for the whole batch, and as
    many commands as asking for each request alone.  -1 when Redis could
    not be asked. */
static int
s_find_open_once (intake_t *self)
{
    int rc = s_ask (self, 0, s_wants_grid, s_send_grid, s_take_found);
    if (rc == 0)
        rc = s_pick (self, false);
    s_forget_found (self);
    if (rc == 0)
        rc = s_ask (self, 0, s_wants_near, s_send_near, s_take_found);
    if (rc == 0)
        rc = s_pick (self, true);
    s_forget_found (self);
    return rc;
}

/*  A pipeline does not reconnect: when the connection was lost, a command
    reconnects (waiting for Redis as every command does) and the batch
    asks again from the start. */
static int
s_find_open (intake_t *self)
{
    if (s_find_open_once (self) == 0)
        return 0;
    for (size_t i = 0; i < self->npending; i++)
        *self->pending[i].into = 0;
    redisReply *r = cg_redis_command (self->daemon->redis, "PING");
    bool up = r && r->type != REDIS_REPLY_ERROR;
    if (r)
        freeReplyObject (r);
    return up ? s_find_open_once (self) : -1;
}

/*  Answers p from its part of the script's answer, e: {'new', id, seq},
    {'repeat', id, 0}, {'conflict', id, 0} (its reference came before with
    other content) or {'merged', into, seq, supporters, known_caller,
    case.merged body}; and publishes its event. */
static void
s_answer (intake_t *self, const struct intake_pending *p, const redisReply *e)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 3) {
        cg_reply_fail (p->reply, "unavailable", NULL, "the case store did not take the request");
        return;
    }
    const char *outcome = cg_reply_str (e->element[0]);
    if (streq (outcome, "conflict")) {
        cg_reply_fail (p->reply, "conflict", p->ref_field, "%s %s was sent before with other "
                       "content (case %s); a new report needs a new %s", p->ref_field, p->ref,
                       cg_reply_str (e->element[1]), p->ref_field);
        return;
    }
    cg_case_submitted_t answer = { .id = (char *) cg_reply_str (e->element[1]),
                                   .repeat = streq (outcome, "repeat") };
    if (streq (outcome, "new")) {
        answer.unplaced = p->unplaced;
        cg_pub_send (self->daemon->pub, "intake", e->element[2]->integer, "case.received",
                     self->batch.argv[p->event_arg], self->batch.lens[p->event_arg]);
    }
    else
    if (streq (outcome, "merged") && e->elements == 6) {
        answer.merged = true;
        CG_SET (&answer, case_submitted, supporters, e->element[3]->integer);
        answer.known_caller = e->element[4]->integer != 0;
        cg_pub_send (self->daemon->pub, "intake", e->element[2]->integer, "case.merged",
                     e->element[5]->str, e->element[5]->len);
    }
    char receipt[CG_RECEIPT_MAX + 1];
    if (p->shape == INTAKE_ANSWER_RECEIPT) {
        cg_privacy_receipt (self->privacy, answer.id, receipt, sizeof receipt);
        answer.receipt = receipt;
    }
    if (p->shape != INTAKE_ANSWER_DEVICE) {
        cg_reply_ok (p->reply, &cg_case_submitted_def, &answer);
        return;
    }
    cg_device_answer_t alarm = { .id = answer.id, .repeat = answer.repeat };
    CG_SET (&alarm, device_answer, accepted, true);
    cg_reply_ok (p->reply, &cg_device_answer_def, &alarm);
}

/*  Replaces the batch's argument at. */
static void
s_arg_set (cg_args_t *args, size_t at, const void *data, size_t len)
{
    char *copy = cg_alloc (len + 1);
    memcpy (copy, data, len);
    free (args->argv[at]);
    args->argv[at] = copy;
    args->lens[at] = len;
}

/*  Makes each request that joins a case say so: the case in its
    arguments, and in its record.  -1 when a record cannot be made again. */
static int
s_join (intake_t *self)
{
    for (size_t i = 0; i < self->npending; i++) {
        const struct intake_pending *p = &self->pending[i];
        if (!*p->into)
            continue;
        cg_intake_record_t record;
        cg_error_t err;
        size_t at = S_RECORD_ARG (p);
        if (cg_msg_decode (&cg_intake_record_def, self->batch.argv[at], self->batch.lens[at],
                           &record, &err))
            return -1;
        char *own = record.id;
        record.id = (char *) p->into;
        self->record.size = 0;
        int rc = cg_msg_encode (&cg_intake_record_def, &record, &self->record, &err);
        record.id = own;
        cg_msg_clear (&cg_intake_record_def, &record);
        if (rc)
            return -1;
        s_arg_set (&self->batch, at, self->record.data, self->record.size);
        s_arg_set (&self->batch, S_INTO_ARG (p), p->into, strlen (p->into));
    }
    return 0;
}

void
intake_flush (void *arg)
{
    intake_t *self = arg;
    if (!self->npending)
        return;
    redisReply *r = NULL;
    if (s_find_open (self) == 0 && s_join (self) == 0)
        r = cg_redis_script (self->daemon->redis, "intake_submit", 0, &self->batch);
    bool whole = r && r->type == REDIS_REPLY_ARRAY && r->elements == self->npending;
    for (size_t i = 0; i < self->npending; i++)
        if (whole)
            s_answer (self, &self->pending[i], r->element[i]);
        else
            cg_reply_fail (self->pending[i].reply, "unavailable", NULL,
                           "the case store did not take the request");
    if (r)
        freeReplyObject (r);
    cg_args_reset (&self->batch);
    self->npending = 0;
}

void
intake_on_submit (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_case_submit_t *msg = request;
    bool known_source = false;
    for (int i = 0; s_sources[i]; i++)
        known_source |= strcmp (msg->source, s_sources[i]) == 0;
    if (!known_source) {
        cg_reply_fail (reply, "invalid", "source", "source \"%s\" is not one of hotline, grid, "
                       "open311, device, operator, consultation", msg->source);
        return;
    }
    intake_request_t req = {
        .source = msg->source, .ext_ref = msg->ext_ref, .text = msg->text,
        .address = msg->address, .name = msg->contact_name, .phone = msg->contact_phone,
        /*  merged only when asked: the operator API and Open311 ask, by
            the same rule as every channel; a resolution's tasks are each
            their own, however alike */
        .may_merge = msg->merge,
        .category = cg_catalog_find (self->catalog, msg->category) };
    if (!req.category) {
        cg_reply_fail (reply, "invalid", "category", "category \"%s\" is not in the catalog",
                       msg->category);
        return;
    }
    if (!msg->grid && !msg->address && !msg->lat && !msg->lon) {
        cg_reply_fail (reply, "invalid", "grid", "a request needs a grid or an address, or a "
                       "point (lat and lon)");
        return;
    }
    /*  a point by Open311's rule: both or neither, decimal degrees, within
        the jurisdiction; it places the case when no grid is given */
    if (intake_urgency (msg->urgency, &req.urgent, reply)
    ||  intake_check_phone (msg->contact_phone, "contact_phone", reply)
    ||  intake_place (self, &req, msg->grid, msg->lat, msg->lon, msg->address, NULL, reply)
    ||  intake_check_extent (self, &req, "lat", reply))
        return;
    intake_accept (self, msg->rid, &req, INTAKE_ANSWER_CASE, reply);
}
