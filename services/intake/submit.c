/*  submit — a request becomes a case, or joins one; and case.submit, the
    channel-neutral command of operators and the consultation service,
    whose requests become cases as they are (they are not merged).

    intake_accept is the one path of every channel.  Personal data is
    sealed into intake's record and leaves intake only masked (138****5678).
    Before the Lua call it looks for an open case to merge into: one of the
    same category in the same grid, or within merge_radius_m of the same
    point, accepted within the merge window and not yet resolved or closed
    (the state is dispatch's; intake reads it and never writes it).  The
    Lua call then stores the case and its journal entry, or links the
    request to that case as a supporter and journals case.merged, and
    remembers the answer by request id and by (source, ext_ref).

    One Lua call serves a batch: every request the command server read in
    one wake-up (intake_flush, its flush function).  The script takes them
    in order, so a retry of a request, by request id or by reference, finds
    the first even within the batch; and before looking for an open case to
    merge into, intake_accept stores the batch first when a request in it
    could be that case (same category, and same grid or both with points),
    so a batch merges exactly as the requests one by one would. */
#include "intake.h"
#include "cg_clock.h"

#include <math.h>

static const char *const s_sources[] = {
    "hotline", "grid", "open311", "device", "operator", "consultation", NULL };

/*  False when dispatch has the case resolved or closed: a new request about
    the same thing is then a new case. */
static bool
s_open (intake_t *self, const char *id)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "HGET cg:{dispatch}:case:%s state", id);
    const char *state = r ? cg_reply_str (r) : "";
    bool open = strcmp (state, "resolved") != 0 && strcmp (state, "closed") != 0;
    if (r)
        freeReplyObject (r);
    return open;
}

/*  The first open case among the ids of r (an array reply), or "".  The
    grid index's entries end in the case id, after their last '|'. */
static void
s_first_open (intake_t *self, redisReply *r, const char *at_key, int64_t since,
              char *into, size_t len)
{
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && !*into; i++) {
        const char *id = cg_reply_str (r->element[i]);
        const char *bar = strrchr (id, '|');
        if (bar)
            id = bar + 1;
        if (at_key) {
            redisReply *at = cg_redis_command (self->daemon->redis, "ZSCORE %s %s", at_key, id);
            bool recent = cg_reply_int (at, 0) >= since;
            if (at)
                freeReplyObject (at);
            if (!recent)
                continue;
        }
        if (s_open (self, id))
            snprintf (into, len, "%s", id);
    }
}

static void
s_find_open (intake_t *self, const intake_request_t *req, int64_t now, char *into, size_t len)
{
    *into = 0;
    int64_t since = now - self->merge_window_ms;
    const char *category = req->category->code;
    if (req->grid) {
        /*  the grid's entries since the window opened, newest first
            (deploy/lua/intake/intake_submit.lua: grid|time|case) */
        redisReply *r = cg_redis_command (self->daemon->redis,
            "ZREVRANGEBYLEX " INTAKE_PREFIX "recent:%s (%s|~ [%s|%013lld LIMIT 0 8",
            category, req->grid->code, req->grid->code, (long long) (since > 0 ? since : 0));
        s_first_open (self, r, NULL, since, into, len);
        if (r)
            freeReplyObject (r);
    }
    if (!*into && req->has_point && self->merge_radius_m > 0) {
        redisReply *r = cg_redis_command (self->daemon->redis,
            "GEOSEARCH " INTAKE_PREFIX "geo:%s FROMLONLAT %s %s BYRADIUS %d m ASC COUNT 8",
            category, req->lon, req->lat, self->merge_radius_m);
        char at_key[96];
        snprintf (at_key, sizeof at_key, INTAKE_PREFIX "geoat:%s", category);
        s_first_open (self, r, at_key, since, into, len);
        if (r)
            freeReplyObject (r);
    }
}

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
    bool has_point;
};

#define S_ARGS_PER_REQUEST  16      /* deploy/lua/intake/intake_submit.lua */

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
    char id[32], masked[32] = "", ext[160] = "", caller[80] = "", into[32] = "";
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
    if (req->may_merge) {
        if (s_batch_may_hold (self, req))
            intake_flush (self);
        s_find_open (self, req, now, into, sizeof into);
    }

    cg_intake_record_t record = {
        .id = *into ? into : id, .source = (char *) req->source, .ext_ref = (char *) req->ext_ref,
        .category = (char *) req->category->code,
        .name_sealed = s_seal (self, req->name, name_sealed, sizeof name_sealed),
        .phone_sealed = s_seal (self, req->phone, phone_sealed, sizeof phone_sealed),
        .email_sealed = s_seal (self, req->email, email_sealed, sizeof email_sealed),
        .detail = (char *) req->detail, .at = now };
    cg_case_received_t event = {
        .id = id, .source = (char *) req->source, .ext_ref = (char *) req->ext_ref,
        .category = (char *) req->category->code, .text = (char *) req->text,
        .grid = req->grid ? (char *) req->grid->code : NULL, .address = (char *) req->address,
        .contact = *masked ? masked : NULL, .at = now,
        .place = req->place ? (char *) req->place->code : NULL, .unplaced = !req->place,
        .county = req->county ? (char *) req->county->code : NULL, .urgent = req->urgent,
        .class = (char *) req->klass, .reported = req->reported, .due = req->due,
        .lat = (char *) req->lat, .lon = (char *) req->lon,
        .media = req->media, .media_count = req->media_count };
    cg_error_t err;
    self->record.size = 0;
    self->event.size = 0;
    if (cg_msg_encode (&cg_intake_record_def, &record, &self->record, &err)
    ||  cg_msg_encode (&cg_case_received_def, &event, &self->event, &err)) {
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
    if (args->argc == 0)
        cg_args_add_str (args, INTAKE_PREFIX);
    self->pending[self->npending++] = (struct intake_pending) {
        .reply = reply, .shape = shape, .unplaced = !req->place, .event_arg = args->argc + 4,
        .merge_category = req->may_merge ? req->category : NULL, .grid = req->grid,
        .has_point = indexed };
    cg_args_add_str (args, rid);
    cg_args_add_str (args, ext);
    cg_args_add_str (args, id);
    cg_args_add (args, self->record.data, self->record.size);
    cg_args_add (args, self->event.data, self->event.size);
    cg_args_add_str (args, into);
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
    cg_reply_defer (reply);
    return 0;
}

/*  Answers p from its part of the script's answer, e: {'new', id, seq},
    {'repeat', id, 0} or {'merged', into, seq, supporters, known_caller,
    case.merged body}; and publishes its event. */
static void
s_answer (intake_t *self, const struct intake_pending *p, const redisReply *e)
{
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 3) {
        cg_reply_fail (p->reply, "unavailable", NULL, "the case store did not take the request");
        return;
    }
    const char *outcome = cg_reply_str (e->element[0]);
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
    if (p->shape == INTAKE_ANSWER_CASE) {
        cg_reply_ok (p->reply, &cg_case_submitted_def, &answer);
        return;
    }
    cg_device_answer_t alarm = { .id = answer.id, .repeat = answer.repeat };
    CG_SET (&alarm, device_answer, accepted, true);
    cg_reply_ok (p->reply, &cg_device_answer_def, &alarm);
}

void
intake_flush (void *arg)
{
    intake_t *self = arg;
    if (!self->npending)
        return;
    redisReply *r = cg_redis_script (self->daemon->redis, "intake_submit", 0, &self->batch);
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
        /*  never merged: an operator who enters a case means a case, and
            a resolution's tasks are each their own, however alike */
        .category = cg_catalog_find (self->catalog, msg->category) };
    if (!req.category) {
        cg_reply_fail (reply, "invalid", "category", "category \"%s\" is not in the catalog",
                       msg->category);
        return;
    }
    if (!msg->grid && !msg->address) {
        cg_reply_fail (reply, "invalid", "grid", "a request needs a grid or an address");
        return;
    }
    if (intake_check_phone (msg->contact_phone, "contact_phone", reply)
    ||  intake_place (self, &req, msg->grid, NULL, NULL, msg->address, NULL, reply))
        return;
    intake_accept (self, msg->rid, &req, INTAKE_ANSWER_CASE, reply);
}
