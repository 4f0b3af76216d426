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
    remembers the answer by request id and by (source, ext_ref). */
#include "intake.h"
#include "cg_clock.h"

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

/*  The first open case among the ids of r (an array reply), or "". */
static void
s_first_open (intake_t *self, redisReply *r, const char *at_key, int64_t since,
              char *into, size_t len)
{
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && !*into; i++) {
        const char *id = cg_reply_str (r->element[i]);
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
        redisReply *r = cg_redis_command (self->daemon->redis,
            "ZREVRANGEBYSCORE " INTAKE_PREFIX "recent:%s:%s +inf %lld LIMIT 0 8",
            category, req->grid->code, (long long) since);
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

int
intake_accept (intake_t *self, const char *rid, intake_request_t *req,
               cg_case_submitted_t *answer, cg_reply_t *reply)
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
    if (req->may_merge)
        s_find_open (self, req, now, into, sizeof into);

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
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, INTAKE_PREFIX);
    cg_args_add_str (&args, rid);
    cg_args_add_str (&args, ext);
    cg_args_add_str (&args, id);
    cg_args_add (&args, self->record.data, self->record.size);
    cg_args_add (&args, self->event.data, self->event.size);
    cg_args_add_str (&args, into);
    cg_args_add_str (&args, caller);
    cg_args_add_int (&args, now);
    cg_args_add_str (&args, req->may_merge ? req->category->code : "");
    cg_args_add_str (&args, req->grid ? req->grid->code : "");
    cg_args_add_str (&args, req->has_point ? req->lon : "");
    cg_args_add_str (&args, req->has_point ? req->lat : "");
    cg_args_add_int (&args, self->merge_window_ms);
    cg_args_add_str (&args, req->source);
    cg_args_add_str (&args, req->ext_ref ? req->ext_ref : "");
    cg_args_add_str (&args, masked);
    redisReply *r = cg_redis_script (self->daemon->redis, "intake_submit", 0, &args);
    cg_args_free (&args);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 3) {
        cg_reply_fail (reply, "unavailable", NULL, "the case store did not take the request");
        if (r)
            freeReplyObject (r);
        return -1;
    }
    const char *outcome = cg_reply_str (r->element[0]);
    snprintf (self->answer_id, sizeof self->answer_id, "%s", cg_reply_str (r->element[1]));
    *answer = (cg_case_submitted_t) { .id = self->answer_id,
                                      .repeat = strcmp (outcome, "repeat") == 0 };
    if (strcmp (outcome, "new") == 0) {
        answer->unplaced = !req->place;
        cg_pub_send (self->daemon->pub, "intake", r->element[2]->integer, "case.received",
                     self->event.data, self->event.size);
    }
    else
    if (strcmp (outcome, "merged") == 0 && r->elements == 6) {
        answer->merged = true;
        CG_SET (answer, case_submitted, supporters, r->element[3]->integer);
        answer->known_caller = r->element[4]->integer != 0;
        cg_pub_send (self->daemon->pub, "intake", r->element[2]->integer, "case.merged",
                     r->element[5]->str, r->element[5]->len);
    }
    freeReplyObject (r);
    return 0;
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
    cg_case_submitted_t answer;
    if (intake_accept (self, msg->rid, &req, &answer, reply) == 0)
        cg_reply_ok (reply, &cg_case_submitted_def, &answer);
}
