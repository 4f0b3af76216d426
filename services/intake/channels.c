/*  channels — each channel's command, shaped as the channel speaks, made
    into an intake_request_t for intake_accept (docs/INTAKE.md).

    The codec has already checked types, sizes and UTF-8; here come the
    checks that need meaning: times parse strictly with their offset, URLs
    are http(s), coordinates are in range, codes exist.  Each refusal names
    its field.  A device alarm is different: a well-formed alarm that cannot
    be taken (an unknown device, a stale alarm, a bad location) is answered
    "rejected" with the reason, as the vendor's protocol expects. */
#include "intake.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <sodium.h>

#define S_FUTURE_MS     (5 * 60 * 1000)     /* clocks drift; beyond this is wrong */

/*  The hotline's request classes, in Chinese as its orders carry them. */
static const char *const s_classes_zh[CG_REQ_CLASSES] = {
    "投诉", "求助", "建议", "咨询", "举报", "表扬" };

static const char *const s_alarm_types[] = { "sos", "fall", "inactivity", "vital", NULL };
static const char *const s_alarm_words[] = { "SOS 呼救", "跌倒", "长时间未活动", "生命体征异常" };

/*  Parses an ISO time field; refuses by field when malformed or too far in
    the future.  A NULL text leaves *ms at 0. */
static int
s_time (const char *text, const char *field, int64_t *ms, cg_reply_t *reply)
{
    *ms = 0;
    if (!text)
        return 0;
    char why[96];
    if (cg_time_parse (text, ms, why, sizeof why)) {
        cg_reply_fail (reply, "invalid", field, "%s \"%s\" %s", field, text, why);
        return -1;
    }
    return 0;
}

static int
s_not_future (int64_t ms, const char *field, cg_reply_t *reply)
{
    if (ms > cg_clock_now () + S_FUTURE_MS) {
        cg_reply_fail (reply, "invalid", field, "%s is in the future", field);
        return -1;
    }
    return 0;
}

/* --- 12345 hotline -------------------------------------------------------- */

void
intake_on_hotline (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_hotline_order_t *msg = request;
    intake_request_t req = { .source = "hotline", .ext_ref = msg->order_no,
                             .text = msg->content, .address = msg->address,
                             .name = msg->caller_name, .phone = msg->caller_phone,
                             .media = msg->attachments, .media_count = msg->attachments_count,
                             .may_merge = true };
    cg_req_class_t klass;
    bool known_class = cg_req_class_parse (msg->class, &klass) == 0;
    for (int i = 0; !known_class && i < CG_REQ_CLASSES; i++)
        if (streq (msg->class, s_classes_zh[i]))
            known_class = (klass = (cg_req_class_t) i, true);
    if (!known_class) {
        cg_reply_fail (reply, "invalid", "class", "class \"%s\" is not one of 投诉 求助 建议 "
                       "咨询 举报 表扬", msg->class);
        return;
    }
    req.klass = cg_req_class_name (klass);
    if (intake_urgency (msg->urgency, &req.urgent, reply))
        return;
    if (s_time (msg->call_time, "call_time", &req.reported, reply)
    ||  s_not_future (req.reported, "call_time", reply)
    ||  s_time (msg->time_limit, "time_limit", &req.due, reply)
    ||  intake_check_phone (msg->caller_phone, "caller_phone", reply)
    ||  intake_check_urls (msg->attachments, msg->attachments_count, "attachments", false,
                           reply))
        return;
    if (req.due && req.due <= req.reported) {
        cg_reply_fail (reply, "invalid", "time_limit", "time_limit is not after call_time");
        return;
    }
    /*  the hotline's own classification first, then the words, then the
        class; an unknown classification is not an error (its list grows) */
    if (msg->category)
        req.category = classify_code (self->classify, "hotline", msg->category);
    if (!req.category)
        req.category = classify_text (self->classify, "hotline", msg->content, req.klass);
    if (!req.category)
        req.category = cg_catalog_find (self->catalog, "other");
    if (!req.category) {
        cg_reply_fail (reply, "invalid", "category", "no category fits and the catalog has "
                       "no \"other\"");
        return;
    }
    req.urgent |= req.category->urgent;
    if (intake_place (self, &req, NULL, NULL, NULL, msg->address, msg->area_code, reply))
        return;
    intake_accept (self, msg->rid, &req, INTAKE_ANSWER_CASE, reply);
}

/* --- grid worker ---------------------------------------------------------- */

/*  What a report says, as a checksum in hex (BLAKE2b-128 of the message
    as encoded, its request id left out): a retry says the same, and a
    report id sent again with anything else is refused. */
static void
s_digest (cg_grid_report_t *msg, char *out, size_t len)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    char *rid = msg->rid;
    msg->rid = (char *) "-";
    cg_error_t err;
    unsigned char sum[16];
    if (cg_msg_encode (&cg_grid_report_def, msg, &buf, &err) == 0) {
        crypto_generichash (sum, sizeof sum, (const unsigned char *) buf.data, buf.size, NULL, 0);
        sodium_bin2hex (out, len, sum, sizeof sum);
    }
    else
        *out = 0;
    msg->rid = rid;
    msgpack_sbuffer_destroy (&buf);
}

void
intake_on_grid (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_grid_report_t *msg = request;
    char caller[80], detail[96], digest[40];
    s_digest (msg, digest, sizeof digest);
    snprintf (caller, sizeof caller, "worker:%s", msg->worker);
    snprintf (detail, sizeof detail, "grid worker %s", msg->worker);
    intake_request_t req = { .source = "grid", .ext_ref = msg->report_id, .text = msg->text,
                             .caller = caller, .detail = detail, .may_merge = true,
                             .media = msg->photos, .media_count = msg->photos_count,
                             .digest = *digest ? digest : NULL, .ref_field = "report_id" };
    req.category = classify_code (self->classify, "grid", msg->category);
    if (!req.category) {
        cg_reply_fail (reply, "invalid", "category", "category \"%s\" is neither in the catalog "
                       "nor in the intake category table", msg->category);
        return;
    }
    req.urgent = req.category->urgent;
    if (s_time (msg->at, "at", &req.reported, reply)
    ||  s_not_future (req.reported, "at", reply)
    ||  intake_check_urls (msg->photos, msg->photos_count, "photos", true, reply)
    ||  intake_place (self, &req, msg->grid, msg->lat, msg->lon, NULL, NULL, reply))
        return;
    intake_accept (self, msg->rid, &req, INTAKE_ANSWER_CASE, reply);
}

/* --- Open311 GeoReport v2 ------------------------------------------------- */

/*  Appends "; key=value" (no "; " first) to out, whole characters only. */
static void
s_detail_add (char *out, size_t len, const char *key, const char *value)
{
    size_t used = strlen (out);
    char *piece = cg_strfmt ("%s%s=%s", used ? "; " : "", key, value);
    size_t n = cg_utf8_prefix (piece, len - 1 - used);
    memcpy (out + used, piece, n);
    out[used + n] = 0;
    free (piece);
}

/*  What the request says beyond the case: "account_id=...; device_id=...;
    code=value; ..." with its attributes, as far as they fit. */
static void
s_detail (const cg_open311_request_t *msg, char *out, size_t len)
{
    *out = 0;
    if (msg->account_id)
        s_detail_add (out, len, "account_id", msg->account_id);
    if (msg->device_id)
        s_detail_add (out, len, "device_id", msg->device_id);
    for (size_t i = 0; i < msg->attributes_count; i++)
        s_detail_add (out, len, msg->attributes[i].code, msg->attributes[i].value);
}

void
intake_on_open311 (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_open311_request_t *msg = request;
    char caller[80] = "", detail[1024], *name = NULL;
    intake_request_t req = { .source = "open311", .ext_ref = msg->ext_ref,
                             .address = msg->address_string, .phone = msg->phone,
                             .email = msg->email, .may_merge = true };
    req.category = classify_code (self->classify, "open311", msg->service_code);
    if (!req.category) {
        cg_reply_fail (reply, "invalid", "service_code", "service_code \"%s\" is not a service "
                       "of this jurisdiction", msg->service_code);
        return;
    }
    if (!msg->lat && !msg->lon && !msg->address_string && !msg->address_id) {
        cg_reply_fail (reply, "invalid", "lat", "a request needs lat and long, address_string "
                       "or address_id");
        return;
    }
    if (msg->email && (!strchr (msg->email, '@') || strpbrk (msg->email, " \t\r\n<>"))) {
        cg_reply_fail (reply, "invalid", "email", "email is not an e-mail address");
        return;
    }
    const char *grid = NULL;
    if (msg->address_id) {
        const cg_org_node_t *node = cg_orgtree_find (self->org, msg->address_id);
        if (!node || (node->kind != CG_ORG_GRID && node->kind != CG_ORG_COMMUNITY)) {
            cg_reply_fail (reply, "invalid", "address_id", "address_id \"%s\" is not a grid or "
                           "community of the org tree", msg->address_id);
            return;
        }
        if (node->kind == CG_ORG_GRID)
            grid = node->code;
        else
            req.place = node;
    }
    char *media[1] = { msg->media_url };
    if (msg->media_url) {
        req.media = media;
        req.media_count = 1;
    }
    if (intake_check_phone (msg->phone, "phone", reply)
    ||  intake_check_urls (req.media, req.media_count, "media_url", false, reply)
    ||  intake_place (self, &req, grid, msg->lat, msg->lon, msg->address_string, NULL, reply)
    ||  intake_check_extent (self, &req, "lat", reply))
        return;
    /*  a client whose key is for one area only reports there */
    const cg_org_node_t *area = msg->within ? cg_orgtree_find (self->org, msg->within) : NULL;
    if (msg->within && (!area || !req.place || !cg_orgtree_within (req.place, area))) {
        const char *field = req.has_point ? "lat" : msg->address_id ? "address_id"
                          : "address_string";
        cg_reply_fail (reply, "forbidden", field, "%s places the request %s%s, not within %s, "
                       "where this api_key may report", field, req.place ? "in " : "nowhere",
                       req.place ? req.place->name : "", msg->within);
        return;
    }
    req.text = msg->description ? msg->description : req.category->name_zh;
    req.urgent = req.category->urgent;
    if (msg->account_id || msg->device_id) {
        snprintf (caller, sizeof caller, "%s:%s", msg->account_id ? "account" : "device",
                  msg->account_id ? msg->account_id : msg->device_id);
        req.caller = caller;
    }
    /*  family name first, as Chinese names are written */
    if (msg->first_name || msg->last_name)
        req.name = name = cg_strfmt ("%s%s", msg->last_name ? msg->last_name : "",
                                     msg->first_name ? msg->first_name : "");
    s_detail (msg, detail, sizeof detail);
    req.detail = *detail ? detail : NULL;
    intake_accept (self, msg->rid, &req, INTAKE_ANSWER_CASE, reply);
    free (name);
}

/* --- device alarms -------------------------------------------------------- */

static void
s_reject (cg_reply_t *reply, intake_t *self, const char *reason, const char *message)
{
    redisReply *r = cg_redis_command (self->daemon->redis,
                                      "HINCRBY " INTAKE_PREFIX "alarms:rejected %s 1", reason);
    if (r)
        freeReplyObject (r);
    cg_device_answer_t answer = { .reason = (char *) reason, .message = (char *) message };
    CG_SET (&answer, device_answer, accepted, false);
    cg_reply_ok (reply, &cg_device_answer_def, &answer);
}

void
intake_on_alarm (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_device_alarm_t *msg = request;
    int type = 0;
    while (s_alarm_types[type] && !streq (s_alarm_types[type], msg->type))
        type++;
    if (!s_alarm_types[type]) {
        cg_reply_fail (reply, "invalid", "type", "type \"%s\" is not one of sos, fall, "
                       "inactivity, vital", msg->type);
        return;
    }
    int64_t at;
    if (s_time (msg->at, "at", &at, reply))
        return;
    intake_device_t *device = zhash_lookup (self->devices, msg->device);
    if (!device || (msg->vendor && !streq (msg->vendor, device->vendor))) {
        /*  another vendor's device is unknown to this one: no more is said */
        s_reject (reply, self, "unknown_device", "the device is not registered to you");
        return;
    }
    int64_t now = cg_clock_now ();
    if (at < now - self->alarm_max_age_ms || at > now + S_FUTURE_MS) {
        s_reject (reply, self, "stale_alarm", at < now ? "the alarm is too old to act on"
                                                       : "the alarm's time is in the future");
        return;
    }
    char text[512], detail[128], ext[160];
    snprintf (ext, sizeof ext, "%s|%s", msg->device, msg->alarm_id);
    snprintf (detail, sizeof detail, "device %s (%s)", msg->device, device->vendor);
    snprintf (text, sizeof text, "【智能设备报警】%s。设备 %s（%s）%s%s", s_alarm_words[type],
              msg->device, device->vendor, msg->detail ? "：" : "", msg->detail ? msg->detail : "");
    intake_request_t req = {
        .source = "device", .ext_ref = msg->alarm_id, .ext_key = ext, .text = text,
        .detail = detail, .name = msg->resident ? msg->resident : device->resident,
        .urgent = true, .reported = at,
        .category = classify_code (self->classify, "device", msg->type) };
    if (!req.category)
        req.category = cg_catalog_find (self->catalog, "elderly_alarm");
    if (!req.category) {
        cg_reply_fail (reply, "internal", NULL, "the catalog has no category for alarms");
        return;
    }
    double lat, lon;
    if (msg->lat || msg->lon) {
        /*  a watch without a fix reports 0,0 ("null island") */
        if (!msg->lat || !msg->lon || place_coord (msg->lat, 90, &lat)
        ||  place_coord (msg->lon, 180, &lon) || (lat == 0 && lon == 0)) {
            s_reject (reply, self, "bad_location", "lat and lon are not a position");
            return;
        }
        if (intake_place (self, &req, NULL, msg->lat, msg->lon, NULL, NULL, reply))
            return;
    }
    if (!req.grid)
        req.grid = req.place = device->home;
    req.county = cg_orgtree_center_of (self->org, req.grid, CG_ORG_COUNTY);
    intake_accept (self, msg->rid, &req, INTAKE_ANSWER_DEVICE, reply);
}

void
intake_on_cancel (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_device_cancel_t *msg = request;
    intake_device_t *device = zhash_lookup (self->devices, msg->device);
    if (!device || (msg->vendor && !streq (msg->vendor, device->vendor))) {
        cg_reply_fail (reply, "not_found", "device", "device %s is not registered to you",
                       msg->device);
        return;
    }
    char ext[160];
    snprintf (ext, sizeof ext, "device|%s|%s", msg->device, msg->alarm_id);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, INTAKE_PREFIX);
    cg_args_add_str (&args, msg->rid);
    cg_args_add_str (&args, ext);
    cg_args_add_str (&args, "device");
    cg_args_add_str (&args, msg->reason ? msg->reason : "");
    cg_args_add_int (&args, cg_clock_now ());
    cg_args_add_int (&args, self->ext_keep_ms);
    redisReply *r = cg_redis_script (self->daemon->redis, "intake_withdraw", 0, &args);
    cg_args_free (&args);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < 1)
        cg_reply_fail (reply, "unavailable", NULL, "the case store did not take the request");
    else
    if (streq (cg_reply_str (r->element[0]), "missing"))
        cg_reply_fail (reply, "not_found", "alarm_id", "device %s raised no alarm %s",
                       msg->device, msg->alarm_id);
    else {
        bool fresh = streq (cg_reply_str (r->element[0]), "new");
        if (fresh && r->elements == 4)
            cg_pub_send (self->daemon->pub, "intake", r->element[2]->integer, "case.withdrawn",
                         r->element[3]->str, r->element[3]->len);
        cg_case_submitted_t answer = { .id = (char *) cg_reply_str (r->element[1]),
                                       .repeat = !fresh };
        cg_reply_ok (reply, &cg_case_submitted_def, &answer);
    }
    if (r)
        freeReplyObject (r);
}

/* --- who reported it ------------------------------------------------------ */

typedef enum { S_NAME, S_PHONE, S_EMAIL } s_contact_t;

/*  The sealed value opened and, unless the role may see it, masked. */
static char *
s_contact (intake_t *self, const char *sealed, bool reveal, s_contact_t kind, char *out,
           size_t len)
{
    char plain[256];
    if (!sealed || cg_privacy_open (self->privacy, sealed, plain, sizeof plain))
        return NULL;
    if (reveal)
        snprintf (out, len, "%s", plain);
    else
    if (kind == S_PHONE)
        cg_mask_phone (plain, out, len);
    else
    if (kind == S_EMAIL)
        cg_mask_email (plain, out, len);
    else
        cg_mask_name (plain, out, len);
    return out;
}

void
intake_on_get (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_intake_get_t *msg = request;
    /*  and, asked of a photo, whether any request behind the case brought it */
    redisReply *r = cg_redis_command (self->daemon->redis, "HMGET " INTAKE_PREFIX "req:%s record "
                                      "supporters calls media:%s photos", msg->id,
                                      msg->photo ? msg->photo : "");
    cg_intake_record_t record;
    cg_error_t err;
    /*  the fields, from Redis or, for a case that left it, from the archive */
    char media_field[96];
    snprintf (media_field, sizeof media_field, "media:%s", msg->photo ? msg->photo : "");
    const char *fields[5] = { "record", "supporters", "calls", media_field, "photos" };
    char *values[5] = { NULL };
    size_t lens[5] = { 0 };
    bool reached = r && r->type == REDIS_REPLY_ARRAY && r->elements == 5;
    for (int f = 0; reached && f < 5; f++)
        if (r->element[f]->type == REDIS_REPLY_STRING) {
            lens[f] = r->element[f]->len;
            values[f] = malloc (lens[f] + 1);
            assert (values[f]);
            memcpy (values[f], r->element[f]->str, lens[f] + 1);
        }
    if (reached && !values[0])
        intake_archived (self, msg->id, fields, 5, values, lens);
    if (!reached)
        cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
    else
    if (!values[0]
    ||  cg_msg_decode (&cg_intake_record_def, values[0], lens[0], &record, &err))
        cg_reply_fail (reply, "not_found", "id", "intake has no case %s", msg->id);
    else {
        char role[40];
        snprintf (role, sizeof role, ",%s,", msg->role ? msg->role : "");
        bool reveal = msg->role && strstr (self->reveal_roles, role);
        char name[128], phone[64], email[160];
        cg_intake_view_t view = {
            .id = record.id, .source = record.source, .ext_ref = record.ext_ref,
            .category = record.category,
            .contact_name = s_contact (self, record.name_sealed, reveal, S_NAME, name,
                                       sizeof name),
            .contact_phone = s_contact (self, record.phone_sealed, reveal, S_PHONE, phone,
                                        sizeof phone),
            .contact_email = s_contact (self, record.email_sealed, reveal, S_EMAIL, email,
                                        sizeof email),
            .detail = record.detail,
            /*  absent while the case has had one request */
            .supporters = (values[1] ? atoll (values[1]) : 1),
            .calls = (values[2] ? atoll (values[2]) : 1),
            .media = record.media, .media_count = record.media_count };
        /*  the first request's links and photos, then the photos later
            requests brought (the script keeps the first ten) */
        char *media[10], *words = cg_strdup (values[4] ? values[4] : ""), *save = NULL;
        size_t n = 0;
        for (size_t i = 0; i < record.media_count && n < 10; i++)
            media[n++] = record.media[i];
        for (char *w = strtok_r (words, " ", &save); w && n < 10; w = strtok_r (NULL, " ", &save)) {
            bool seen = false;
            for (size_t i = 0; i < record.media_count && !seen; i++)
                seen = streq (record.media[i], w);
            if (!seen)
                media[n++] = w;
        }
        view.media = media;
        view.media_count = n;
        char *photo[1] = { msg->photo };
        if (msg->photo) {
            bool its = values[3] != NULL;
            view.media = its ? photo : NULL;
            view.media_count = its ? 1 : 0;
        }
        cg_reply_ok (reply, &cg_intake_view_def, &view);
        cg_msg_clear (&cg_intake_record_def, &record);
        free (words);
    }
    for (int f = 0; f < 5; f++)
        free (values[f]);
    if (r)
        freeReplyObject (r);
}
