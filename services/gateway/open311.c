/*  open311 — Open311 GeoReport v2 under /open311/v2/, in JSON and XML.

    Every resource is built once as a jansson value and written in the
    format its name asks for (.json, or .xml, the default): XML by the
    spec's own mapping, an array's items named after it (services →
    service, service_requests → request, notes → note).  Errors are the
    spec's list of {code, description}, with 404 for what does not exist,
    403 for a missing or wrong api_key and 400 for anything else.

    Our side of the mapping:
        service               a category of the catalog (service_code = its code)
        POST requests         intake's open311.request, the form as it came:
                              intake places lat/long by point in polygon,
                              keeps every optional field, and merges a
                              request about the same problem into its case;
                              address_id (or attribute[grid]) is a grid or
                              community; Idempotency-Key is its ext_ref
        status                open while a case is being worked, closed once
                              resolved, closed, merged, rejected or cancelled
        agency_responsible    the unit's name; expected_datetime its deadline
        status_notes, notes   the result or the latest note, and the public
                              timeline, wholly Chinese, each note cut at
                              S_NOTE_MAX bytes between two characters
        lat, long, media_url  as the source gave them
        POST servicerequestupdates   dispatch's note (补充说明), or reopen
    No text leaves with a character XML 1.0 forbids (cg_text_clean), in XML
    or JSON alike: intake removes them as requests come in, dispatch from
    the notes it is given, and what was stored before is filtered here.
    Services are `realtime`: the case id is known at once, so a token is
    the case id itself.  GET requests and servicerequestupdates read
    dispatch's queue of all cases newest first, a page of whole cases
    (case.views) at a time, filter them here and stop at the first case
    older than the window (by default the last 90 days) or once the page
    is full: up to 1000 requests, the spec's default, never all in one
    message.  page and page_size are our extension over the same order.
    Discovery names gateway/open311_url, the base a proxy in front gives,
    when set. */
#include "gateway.h"
#include "cg_clock.h"
#include "cg_text.h"
#include "cg_case_state.h"
#include "cg_words.h"

#define S_DEFAULT_WINDOW_MS     (90 * CG_DAY_MS)

typedef struct {
    bool xml;
    const char *resource;       /* "requests", "services/noise", ... without the format */
    char path[160];
} s_target_t;

/* --- writing JSON or XML -------------------------------------------------- */

/*  Text as XML character data: escaped, and without a character XML 1.0
    forbids, even one that reached the store before intake removed them. */
static void
s_xml_text (zchunk_t *out, const char *text)
{
    char *clean = cg_text_clean (text);
    for (const char *s = clean ? clean : text; *s; s++) {
        switch (*s) {
            case '<': zchunk_extend (out, "&lt;", 4); break;
            case '>': zchunk_extend (out, "&gt;", 4); break;
            case '&': zchunk_extend (out, "&amp;", 5); break;
            case '"': zchunk_extend (out, "&quot;", 6); break;
            default:  zchunk_extend (out, s, 1);
        }
    }
    free (clean);
}

static void s_xml_value (zchunk_t *out, const char *name, json_t *value);

/*  An array's items are named after it: services → service. */
static void
s_item_name (const char *list, char *buf, size_t len)
{
    if (strcmp (list, "service_requests") == 0)
        snprintf (buf, len, "request");
    else
    if (strcmp (list, "service_request_updates") == 0)
        snprintf (buf, len, "request_update");
    else {
        size_t n = strlen (list);
        snprintf (buf, len, "%.*s", (int) (n > 1 && list[n - 1] == 's' ? n - 1 : n), list);
    }
}

static void
s_xml_value (zchunk_t *out, const char *name, json_t *value)
{
    char line[256];
    snprintf (line, sizeof line, "<%s>", name);
    zchunk_extend (out, line, strlen (line));
    if (json_is_object (value)) {
        const char *key;
        json_t *v;
        json_object_foreach (value, key, v)
            s_xml_value (out, key, v);
    }
    else
    if (json_is_array (value)) {
        char item[64];
        s_item_name (name, item, sizeof item);
        size_t i;
        json_t *v;
        json_array_foreach (value, i, v)
            s_xml_value (out, item, v);
    }
    else
    if (json_is_string (value))
        s_xml_text (out, json_string_value (value));
    else
    if (json_is_integer (value)) {
        snprintf (line, sizeof line, "%lld", (long long) json_integer_value (value));
        zchunk_extend (out, line, strlen (line));
    }
    else
    if (json_is_boolean (value))
        zchunk_extend (out, json_is_true (value) ? "true" : "false", json_is_true (value) ? 4 : 5);
    snprintf (line, sizeof line, "</%s>", name);
    zchunk_extend (out, line, strlen (line));
}

/*  Replies with value (taken) named root in XML. */
static void
s_reply (gw_request_t *req, const s_target_t *t, int status, const char *root, json_t *value)
{
    if (!t->xml) {
        gw_reply_json (req, status, value);
        return;
    }
    zchunk_t *out = zchunk_new (NULL, 1024);
    const char *head = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";
    zchunk_extend (out, head, strlen (head));
    s_xml_value (out, root, value);
    zchunk_extend (out, "\n", 1);
    json_decref (value);
    gw_reply (req, status, "text/xml; charset=utf-8", (const char *) zchunk_data (out),
              zchunk_size (out));
    zchunk_destroy (&out);
}

/*  The spec's error: a list of {code, description}. */
static void
s_error (gw_request_t *req, const s_target_t *t, int status, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));
static void
s_error (gw_request_t *req, const s_target_t *t, int status, const char *fmt, ...)
{
    char text[256];
    va_list args;
    va_start (args, fmt);
    vsnprintf (text, sizeof text, fmt, args);
    va_end (args);
    gw_utf8_scrub (text);
    s_reply (req, t, status, "errors",
             json_pack ("[{s:i, s:s}]", "code", status, "description", text));
}

/* --- form data ------------------------------------------------------------ */

static int
s_hex (int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*  Decodes one %XX and + escaped part in place; -1 on a bad escape. */
static int
s_unescape (char *s)
{
    char *out = s;
    for (; *s; s++) {
        if (*s == '+')
            *out++ = ' ';
        else
        if (*s == '%') {
            int hi = s_hex (s[1]), lo = hi < 0 ? -1 : s_hex (s[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            *out++ = (char) (hi * 16 + lo);
            s += 2;
        }
        else
            *out++ = *s;
    }
    *out = 0;
    return 0;
}

int
gw_form_parse (gw_form_t *form, char *body, char *why, size_t len)
{
    form->count = 0;
    for (char *save = NULL, *pair = strtok_r (body, "&", &save); pair;
         pair = strtok_r (NULL, "&", &save)) {
        if (form->count == GW_FORM_FIELDS) {
            snprintf (why, len, "the form has more than %d fields", GW_FORM_FIELDS);
            return -1;
        }
        char *eq = strchr (pair, '=');
        char *value = eq ? eq + 1 : pair + strlen (pair);
        if (eq)
            *eq = 0;
        if (s_unescape (pair) || s_unescape (value)) {
            snprintf (why, len, "the form field %.40s has a bad %% escape", pair);
            return -1;
        }
        if (!cg_utf8_valid (pair, strlen (pair)) || !cg_utf8_valid (value, strlen (value))) {
            snprintf (why, len, "the form field %.40s is not valid UTF-8", pair);
            return -1;
        }
        form->key[form->count] = pair;
        form->value[form->count++] = value;
    }
    return 0;
}

const char *
gw_form_get (const gw_form_t *form, const char *key)
{
    for (int i = 0; i < form->count; i++)
        if (strcmp (form->key[i], key) == 0)
            return *form->value[i] ? form->value[i] : NULL;
    return NULL;
}

/* --- the mapping ---------------------------------------------------------- */

static bool
s_closed (const char *state)
{
    /*  closed once nobody has to act on it any more (cg_case_state.h):
        resolved, closed, merged, rejected or cancelled */
    return cg_case_state_known (state) && !cg_case_state_is (state, CG_CASE_OPEN);
}

static void
s_set_time (json_t *obj, const char *key, int64_t ms)
{
    if (ms > 0) {
        char when[40];
        cg_time_iso (ms, when, sizeof when);
        json_object_set_new (obj, key, json_string (when));
    }
}

/*  Sets key to text made fit for any document: no character XML forbids
    (cg_text_clean), so that the JSON says what the XML says. */
static void
s_set_text (json_t *obj, const char *key, const char *text)
{
    if (!text)
        return;
    char *clean = cg_text_clean (text);
    json_object_set_new (obj, key, json_string (clean ? clean : text));
    free (clean);
}

/*  A note of the public timeline: the state in Chinese and the note, cut
    at S_NOTE_MAX bytes between two characters, with an ellipsis. */
#define S_NOTE_MAX  200
static void
s_note_text (const cg_case_step_t *step, char *out, size_t len)
{
    const char *note = step->note ? step->note : "";
    size_t cut = cg_utf8_prefix (note, S_NOTE_MAX);
    snprintf (out, len, "%s%s%.*s%s", cg_case_state_zh (step->to), *note ? "：" : "", (int) cut, note,
              note[cut] ? "…" : "");
}

/*  A case as an Open311 service request. */
static json_t *
s_request (gw_request_t *req, const cg_case_view_t *c)
{
    gateway_t *gw = req->gw;
    json_t *r = json_pack ("{s:s, s:s}", "service_request_id", c->id,
                           "status", s_closed (c->state) ? "closed" : "open");
    const cg_category_t *category = c->category ? cg_catalog_find (gw->catalog, c->category)
                                                : NULL;
    s_set_text (r, "service_code", c->category);
    if (category)
        json_object_set_new (r, "service_name", json_string (category->name_zh));
    s_set_text (r, "description", c->text);
    const cg_org_node_t *unit = c->unit ? cg_orgtree_find (gw->org, c->unit) : NULL;
    if (unit)
        json_object_set_new (r, "agency_responsible", json_string (unit->name));
    /*  the result once resolved, else the latest note (case.show only) */
    s_set_text (r, "status_notes", c->result ? c->result
                                 : c->steps_count ? c->steps[c->steps_count - 1].note : NULL);
    if (c->done_by && !s_closed (c->state)) {
        char notice[160], when[40];
        cg_time_iso (c->done_by, when, sizeof when);
        snprintf (notice, sizeof notice, "承办单位将在 %s 前办结", when);
        json_object_set_new (r, "service_notice", json_string (notice));
    }
    s_set_time (r, "requested_datetime", c->created);
    s_set_time (r, "updated_datetime", c->updated);
    s_set_time (r, "expected_datetime", c->done_by);
    /*  most specific first: the address, then the grid and its places */
    char address[512] = "";
    if (c->address)
        snprintf (address, sizeof address, "%.*s", (int) cg_utf8_prefix (c->address, 256),
                  c->address);
    const cg_org_node_t *place = c->grid ? cg_orgtree_find (gw->org, c->grid) : NULL;
    for (; place; place = place->parent) {
        size_t used = strlen (address), room = sizeof address - used;
        size_t need = strlen (place->name) + (used ? 2 : 0);
        if (need >= room)
            break;
        snprintf (address + used, room, "%s%s", used ? ", " : "", place->name);
    }
    s_set_text (r, "address", *address ? address : NULL);
    s_set_text (r, "address_id", c->grid);
    /*  the point as the reporter gave it; WGS-84 decimal degrees */
    s_set_text (r, "lat", c->lat);
    s_set_text (r, "long", c->lon);
    s_set_text (r, "media_url", c->media_url);
    if (c->steps_count) {
        json_t *notes = json_array ();
        for (size_t i = 0; i < c->steps_count; i++) {
            json_t *note = json_pack ("{s:s, s:s}", "type", "status", "status",
                                      s_closed (c->steps[i].to) ? "closed" : "open");
            s_set_time (note, "datetime", c->steps[i].at);
            char text[S_NOTE_MAX + 64];
            s_note_text (&c->steps[i], text, sizeof text);
            s_set_text (note, "description", text);
            json_array_append_new (notes, note);
        }
        json_object_set_new (r, "notes", notes);
    }
    return r;
}

/* --- the resources -------------------------------------------------------- */

static void
s_discovery (gw_request_t *req, const s_target_t *t)
{
    /*  gateway/open311_url when a proxy stands in front; else as reached */
    char url[300];
    const char *host = gw_header (req, "Host");
    if (*req->gw->open311_url)
        snprintf (url, sizeof url, "%s", req->gw->open311_url);
    else
        snprintf (url, sizeof url, "http://%.200s/open311/v2/", host ? host : "localhost");
    json_t *endpoint = json_pack ("{s:s, s:s, s:s, s:s, s:[s, s]}",
        "specification", "http://wiki.open311.org/GeoReport_v2", "url", url,
        "changeset", "2026-11-22T00:00:00+08:00", "type", "production",
        "formats", "text/xml", "application/json");
    s_reply (req, t, 200, "discovery", json_pack ("{s:s, s:s, s:s, s:[o]}",
        "changeset", "2026-11-22T00:00:00+08:00", "contact", "12345 政务服务便民热线",
        "key_service", "向所在地指挥中心申请 api_key (civgrid token create --role open311)",
        "endpoints", endpoint));
}

static json_t *
s_service (const cg_category_t *c)
{
    char keywords[160];
    snprintf (keywords, sizeof keywords, "%s,%s", c->name_zh, c->name_en);
    return json_pack ("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}",
        "service_code", c->code, "service_name", c->name_zh, "description", c->name_en,
        "metadata", true, "type", "realtime", "keywords", keywords,
        "group", cg_req_class_name (c->class));
}

static void
s_services (gw_request_t *req, const s_target_t *t)
{
    json_t *list = json_array ();
    for (size_t i = 0; i < cg_catalog_size (req->gw->catalog); i++)
        json_array_append_new (list, s_service (cg_catalog_at (req->gw->catalog, i)));
    s_reply (req, t, 200, "services", list);
}

/*  The attributes every service takes: where exactly, and who reports. */
static void
s_service_definition (gw_request_t *req, const s_target_t *t, const char *code)
{
    const cg_category_t *c = cg_catalog_find (req->gw->catalog, code);
    if (!c) {
        s_error (req, t, 404, "service_code %.40s was not found", code);
        return;
    }
    json_t *attributes = json_pack ("[{s:b, s:s, s:s, s:b, s:s, s:i, s:s}]",
        "variable", true, "code", "grid", "datatype", "string", "required", false,
        "datatype_description", "网格编码 (15 位)，如 320602001001001；与 address_id 相同",
        "order", 1, "description", "事发网格");
    s_reply (req, t, 200, "service_definition",
             json_pack ("{s:s, s:o}", "service_code", c->code, "attributes", attributes));
}

/*  Whether jurisdiction_id, when given, is ours (the root's code). */
static bool
s_jurisdiction_ok (gw_request_t *req, const s_target_t *t, const char *given)
{
    if (!given || !*given)
        return true;
    const char *ours = cg_orgtree_root (req->gw->org)->code;
    if (strcmp (given, ours) == 0)
        return true;
    s_error (req, t, 404, "jurisdiction_id %.40s was not found; this endpoint serves %s",
             given, ours);
    return false;
}

/*  The attributes of the form, attribute[code]=value and, for a
    multivaluelist, attribute[code][]=value once for each; at most max. */
static size_t
s_attributes (const gw_form_t *form, cg_open311_attribute_t *out, size_t max, char *codes,
              size_t codes_len)
{
    size_t n = 0, used = 0;
    for (int i = 0; i < form->count && n < max; i++) {
        const char *key = form->key[i];
        size_t len = strlen (key);
        if (strncmp (key, "attribute[", 10) != 0 || !*form->value[i])
            continue;
        size_t code_len = strcspn (key + 10, "]");
        const char *rest = key + 10 + code_len;
        if (code_len == 0 || code_len > 64 || used + code_len + 1 > codes_len
        ||  !(strcmp (rest, "]") == 0 || strcmp (rest, "][]") == 0) || len > 80)
            continue;
        memcpy (codes + used, key + 10, code_len);
        codes[used + code_len] = 0;
        out[n].code = codes + used;
        out[n++].value = form->value[i];
        used += code_len + 1;
    }
    return n;
}

/*  Idempotency-Key, when given: 1 to 64 printable ASCII characters.  0, or
    -1 after replying. */
static int
s_idempotency_key (gw_request_t *req, const s_target_t *t, const char **key)
{
    *key = gw_header (req, "Idempotency-Key");
    if (!*key)
        return 0;
    bool ok = **key && strlen (*key) <= 64;
    for (const char *p = *key; ok && *p; p++)
        ok = *p > 0x20 && *p < 0x7f;
    if (!ok) {
        s_error (req, t, 400, "the Idempotency-Key header must be 1 to 64 printable ASCII "
                 "characters without spaces");
        return -1;
    }
    return 0;
}

/*  What every POST begins with: the form parsed, the api_key checked (a
    token of an Open311 client, an admin or an operator), the jurisdiction
    and the Idempotency-Key.  0, or -1 after replying. */
static int
s_post_begin (gw_request_t *req, const s_target_t *t, gw_form_t *form, const char **idempotency)
{
    char why[160];
    char *body = req->body ? req->body : strdup ("");
    if (!req->body)
        req->body = body;
    if (gw_form_parse (form, body, why, sizeof why)) {
        s_error (req, t, 400, "%s", why);
        return -1;
    }
    const char *key = gw_form_get (form, "api_key");
    if (!key) {
        s_error (req, t, 403, "api_key is missing; nothing can be posted without one");
        return -1;
    }
    int status = gw_token_check (req, key, CG_ROLE_OPEN311 | CG_ROLE_ADMIN | CG_ROLE_OPERATOR,
                                 why, sizeof why);
    if (status) {
        s_error (req, t, status == 401 ? 403 : status, "invalid api_key: %s", why);
        return -1;
    }
    if (!s_jurisdiction_ok (req, t, gw_form_get (form, "jurisdiction_id"))
    ||  s_idempotency_key (req, t, idempotency))
        return -1;
    return 0;
}

/*  civgrid's extension to the POST's answer, additive: a request that
    joined an open case ("me too") says so, with the case's id as its
    service_request_id and how many requests are behind it now. */
static void
s_merged_extension (json_t *answer, const cg_case_submitted_t *rep)
{
    if (!rep->merged)
        return;
    json_object_set_new (answer, "merged", json_true ());
    json_object_set_new (answer, "supporters", json_integer (rep->supporters));
}

/*  POST requests: the form as it came, to intake's open311.request, which
    places lat/long by point in polygon and keeps every optional field. */
static void
s_post_request (gw_request_t *req, const s_target_t *t)
{
    gw_form_t form;
    const char *idempotency;
    if (s_post_begin (req, t, &form, &idempotency))
        return;
    const char *code = gw_form_get (&form, "service_code");
    if (!code) {
        s_error (req, t, 400, "service_code was not provided");
        return;
    }
    if (!cg_catalog_find (req->gw->catalog, code)) {
        s_error (req, t, 404, "service_code %.40s was not found", code);
        return;
    }
    /*  address_id is a grid or community code; attribute[grid] the same */
    const char *place = gw_form_get (&form, "address_id");
    if (!place)
        place = gw_form_get (&form, "attribute[grid]");
    const char *lat = gw_form_get (&form, "lat"), *lon = gw_form_get (&form, "long");
    const char *address = gw_form_get (&form, "address_string");
    if (!place && !address && !(lat && lon)) {
        s_error (req, t, 400, "a location is required: lat and long, address_string or "
                 "address_id");
        return;
    }
    if (place && !cg_orgtree_find (req->gw->org, place)) {
        s_error (req, t, 400, "address_id %.40s is no grid of this jurisdiction", place);
        return;
    }
    /*  a key for one area: intake places the request and refuses it
        outside (within) */
    if (req->caller.scope->parent && place && !gw_in_scope (req, place)) {
        s_error (req, t, 403, "address_id %.40s is not within %s, where this api_key may "
                 "report", place, req->caller.scope_code);
        return;
    }
    cg_open311_attribute_t attributes[32];
    char codes[32 * 65];
    cg_open311_request_t request = {
        .ext_ref = (char *) idempotency, .service_code = (char *) code, .lat = (char *) lat,
        .lon = (char *) lon, .address_string = (char *) address, .address_id = (char *) place,
        .description = (char *) gw_form_get (&form, "description"),
        .media_url = (char *) gw_form_get (&form, "media_url"),
        .email = (char *) gw_form_get (&form, "email"),
        .device_id = (char *) gw_form_get (&form, "device_id"),
        .account_id = (char *) gw_form_get (&form, "account_id"),
        .first_name = (char *) gw_form_get (&form, "first_name"),
        .last_name = (char *) gw_form_get (&form, "last_name"),
        .phone = (char *) gw_form_get (&form, "phone"), .attributes = attributes,
        .within = req->caller.scope->parent ? req->caller.scope_code : NULL,
        .attributes_count = s_attributes (&form, attributes, 32, codes, sizeof codes) };
    cg_case_submitted_t rep;
    cg_error_t err;
    if (gw_call (req, &cg_cmd_open311_request, &request, &rep, &err)) {
        /*  the form's own names: GeoReport's `long` is the message's lon */
        const char *field = strcmp (err.field, "lon") == 0 ? "long" : err.field;
        s_error (req, t, strcmp (err.code, "forbidden") == 0 ? 403 : 400, "%s%s%s", field,
                 *field ? ": " : "", err.message);
        gw_audit (req, "open311.request", "", req->status);
        return;
    }
    const char *notice = rep.merged ? "同一问题已有人反映，您的诉求已并入该件一并办理"
                       : rep.unplaced ? "已受理，待指挥中心确定办理网格后派单"
                       : "已受理，将按时限派单办理";
    json_t *answer = json_pack ("{s:s, s:s}", "service_request_id", rep.id,
                                "service_notice", notice);
    s_merged_extension (answer, &rep);
    s_reply (req, t, 200, "service_requests", json_pack ("[o]", answer));
    gw_audit (req, "open311.request", rep.id, req->status);
    cg_msg_clear (&cg_case_submitted_def, &rep);
}

/*  A case by id, or -1 with the error made. */
static int
s_show (gw_request_t *req, const s_target_t *t, const char *id, cg_case_view_t *view)
{
    cg_case_get_t get = { .id = (char *) id };
    cg_error_t err;
    if (strlen (id) > 32 || gw_call (req, &cg_cmd_case_show, &get, view, &err)) {
        if (strlen (id) <= 32 && strcmp (err.code, "invalid") == 0)
            s_error (req, t, 400, "service_request_id: %s", err.message);
        else
        if (strlen (id) <= 32 && strcmp (err.code, "not_found") != 0)
            s_error (req, t, 400, "the request cannot be read now: %s", err.message);
        else
            s_error (req, t, 404, "service_request_id %.40s was not found", id);
        return -1;
    }
    return 0;
}

static void
s_get_request (gw_request_t *req, const s_target_t *t, const char *id)
{
    cg_case_view_t view;
    if (s_show (req, t, id, &view))
        return;
    s_reply (req, t, 200, "service_requests", json_pack ("[o]", s_request (req, &view)));
    cg_msg_clear (&cg_case_view_def, &view);
}

static void
s_get_token (gw_request_t *req, const s_target_t *t, const char *token)
{
    cg_case_view_t view;
    if (s_show (req, t, token, &view))
        return;
    s_reply (req, t, 200, "service_requests", json_pack ("[{s:s, s:s}]",
        "service_request_id", view.id, "token", token));
    cg_msg_clear (&cg_case_view_def, &view);
}

/*  The largest list Open311 answers: the spec's default limit. */
#define S_LIST_MAX  1000

/*  What to do with each case, newest first: 1 to go on, 0 to stop. */
typedef int (s_case_fn) (gw_request_t *req, const cg_case_view_t *c, void *arg);

/*  One of the two lists of cases newest first that s_each_case merges:
    dispatch's live cases (case.views), or the archive's (case.search
    with whole texts), which holds every case, those that have left Redis
    too.  Each is read a page at a time; never all in one message. */
typedef struct {
    const char *daemon;
    int64_t from;               /* the archive's: received at or after */
    cg_case_views_t views;      /* dispatch's page */
    cg_case_found_t found;      /* the archive's page */
    cg_case_view_t *cases;      /* the page's cases, either */
    size_t count, at;
    char *next;                 /* the cursor of the page after, or NULL */
    bool started, ended;
} s_stream_t;

static void
s_stream_clear (s_stream_t *s)
{
    if (strcmp (s->daemon, "dispatch") == 0)
        cg_msg_clear (&cg_case_views_def, &s->views);
    else
        cg_msg_clear (&cg_case_found_def, &s->found);
    s->cases = NULL;
    s->count = s->at = 0;
}

/*  The stream's next case, reading its next page when needed; NULL when it
    has no more, or (with err set, returning -1 in *rc) when it failed. */
static const cg_case_view_t *
s_stream_head (gw_request_t *req, s_stream_t *s, int *rc, cg_error_t *err)
{
    while (s->at == s->count && !s->ended) {
        if (s->started)
            s_stream_clear (s);
        if (s->started && !s->next) {
            s->ended = true;
            break;
        }
        s->started = true;
        int failed;
        if (strcmp (s->daemon, "dispatch") == 0) {
            cg_case_query_t query = { .limit = CG_CASE_VIEWS_MAX, .newest = true,
                                      .cursor = s->next };
            failed = gw_call (req, &cg_cmd_case_views, &query, &s->views, err);
            if (!failed) {
                s->cases = s->views.cases;
                s->count = s->views.cases_count;
            }
        }
        else {
            char rid[40];
            cg_client_new_rid (rid, sizeof rid);
            cg_case_search_t search = { .rid = rid, .from = s->from, .cursor = s->next,
                                        .limit = CG_EXPORT_PAGE_MAX, .full = true };
            failed = gw_call (req, &cg_cmd_case_search, &search, &s->found, err);
            if (!failed) {
                s->cases = s->found.cases;
                s->count = s->found.cases_count;
            }
        }
        free (s->next);
        s->next = NULL;
        if (failed) {
            s->ended = true;
            *rc = -1;
            return NULL;
        }
        const char *next = strcmp (s->daemon, "dispatch") == 0 ? s->views.next : s->found.next;
        s->next = next ? strdup (next) : NULL;
    }
    return s->at < s->count ? &s->cases[s->at] : NULL;
}

/*  Calls fn on every case newest first (by when it was received), live
    and archived alike, until fn stops or the cases run out: dispatch's
    pages and the archive's, received at or after from, merged.  The
    archive holds the live cases too: one dispatch listed is passed over
    there (at the same time of receipt dispatch's goes first, so it has
    been listed by then).  Without an archive (an installation without
    one), dispatch's alone.  0, or -1 with err. */
static int
s_each_case (gw_request_t *req, int64_t from, s_case_fn *fn, void *arg, cg_error_t *err)
{
    s_stream_t live = { .daemon = "dispatch" };
    s_stream_t kept = { .daemon = "archive", .from = from > 0 ? from : 0,
                        .ended = gw_client (req, "archive") == NULL };
    zhashx_t *listed = zhashx_new ();       /* the ids dispatch gave */
    int rc = 0, go = 1;
    while (go && rc == 0) {
        const cg_case_view_t *a = s_stream_head (req, &live, &rc, err);
        const cg_case_view_t *b = rc ? NULL : s_stream_head (req, &kept, &rc, err);
        if (rc || (!a && !b))
            break;
        if (a && (!b || a->created >= b->created)) {
            zhashx_insert (listed, a->id, (void *) 1);
            go = fn (req, a, arg);
            live.at++;
        }
        else {
            if (!zhashx_lookup (listed, b->id))
                go = fn (req, b, arg);
            kept.at++;
        }
    }
    s_stream_clear (&live);
    s_stream_clear (&kept);
    free (live.next);
    free (kept.next);
    zhashx_destroy (&listed);
    return rc;
}

/*  Whether word is one of a comma-separated list. */
static bool
s_in_list (const char *list, const char *word)
{
    size_t n = strlen (word);
    for (const char *p = list; p && *p; ) {
        size_t len = strcspn (p, ",");
        if (len == n && strncmp (p, word, n) == 0)
            return true;
        p += len + (p[len] == ',');
    }
    return false;
}

/*  A date filter, -1 when absent; -2 after replying to a bad one. */
static int64_t
s_date (gw_request_t *req, const s_target_t *t, const char *name)
{
    const char *text = gw_query (req, name);
    if (!text || !*text)
        return -1;
    int64_t ms;
    char why[96];
    if (cg_time_or_day_parse (text, &ms, why, sizeof why)) {
        s_error (req, t, 400, "%s %s; it must be a W3C-DTF date or date-time, like "
                 "2026-11-22T08:00:00+08:00, 2026-11-22T08:00Z or 2026-11-22", name, why);
        return -2;
    }
    return ms;
}

static int
s_number (gw_request_t *req, const s_target_t *t, const char *name, int otherwise, int max)
{
    const char *text = gw_query (req, name);
    if (!text || !*text)
        return otherwise;
    char *end;
    long v = strtol (text, &end, 10);
    if (*end || v < 1 || v > max) {
        s_error (req, t, 400, "%s must be a whole number from 1 to %d", name, max);
        return -1;
    }
    return (int) v;
}

/*  GET requests: the filters, and the page being made. */
typedef struct {
    const char *codes, *status;
    int64_t start, end, after, before;
    size_t skip, size, seen;
    json_t *list;
} s_requests_t;

static int
s_request_take (gw_request_t *req, const cg_case_view_t *c, void *arg)
{
    s_requests_t *want = arg;
    if (want->start >= 0 && c->created < want->start)
        return 0;               /* newest first: the rest are older still */
    if ((want->codes && *want->codes && !(c->category && s_in_list (want->codes, c->category)))
    ||  (want->status && *want->status
         && !s_in_list (want->status, s_closed (c->state) ? "closed" : "open"))
    ||  (want->end >= 0 && c->created > want->end)
    ||  (want->after >= 0 && c->updated <= want->after)
    ||  (want->before >= 0 && c->updated >= want->before))
        return 1;
    if (want->seen++ >= want->skip)
        json_array_append_new (want->list, s_request (req, c));
    return json_array_size (want->list) < want->size;
}

static void
s_get_requests (gw_request_t *req, const s_target_t *t)
{
    const char *ids = gw_query (req, "service_request_id");
    const char *codes = gw_query (req, "service_code");
    const char *status = gw_query (req, "status");
    if (status && *status) {
        for (const char *p = status; *p; ) {
            size_t len = strcspn (p, ",");
            if (!(len == 4 && strncmp (p, "open", 4) == 0)
            &&  !(len == 6 && strncmp (p, "closed", 6) == 0)) {
                s_error (req, t, 400, "status must be open, closed or both, comma-separated");
                return;
            }
            p += len + (p[len] == ',');
        }
    }
    int64_t start = s_date (req, t, "start_date"), end = s_date (req, t, "end_date");
    int64_t after = s_date (req, t, "updated_after"), before = s_date (req, t, "updated_before");
    if (start == -2 || end == -2 || after == -2 || before == -2)
        return;
    int page = s_number (req, t, "page", 1, 1000000);
    int page_size = s_number (req, t, "page_size", S_LIST_MAX, S_LIST_MAX);
    if (page < 0 || page_size < 0)
        return;
    if (ids && *ids) {
        /*  the spec: with service_request_id every other filter is ignored */
        json_t *list = json_array ();
        for (const char *p = ids; *p && json_array_size (list) < CG_PAGE_MAX; ) {
            size_t len = strcspn (p, ",");
            char id[40];
            if (len > 0 && len < sizeof id) {
                memcpy (id, p, len);
                id[len] = 0;
                cg_case_get_t get = { .id = id };
                cg_case_view_t view;
                cg_error_t err;
                if (gw_call (req, &cg_cmd_case_show, &get, &view, &err) == 0) {
                    json_array_append_new (list, s_request (req, &view));
                    cg_msg_clear (&cg_case_view_def, &view);
                }
            }
            p += len + (p[len] == ',');
        }
        s_reply (req, t, 200, "service_requests", list);
        return;
    }
    if (start < 0 && end < 0 && after < 0 && before < 0)
        start = cg_clock_now () - S_DEFAULT_WINDOW_MS;
    s_requests_t want = { .codes = codes, .status = status, .start = start, .end = end,
                          .after = after, .before = before,
                          .skip = (size_t) (page - 1) * (size_t) page_size,
                          .size = (size_t) page_size, .list = json_array () };
    cg_error_t err;
    if (s_each_case (req, want.start, s_request_take, &want, &err)) {
        json_decref (want.list);
        s_error (req, t, 400, "requests cannot be read now: %s", err.message);
        return;
    }
    s_reply (req, t, 200, "service_requests", want.list);
}

/*  mySociety's servicerequestupdates: each step of a case's timeline in
    [start_date, end_date) is one update, update_id "<case>-<step>". */
/*  servicerequestupdates: the window, and the updates found so far. */
typedef struct {
    int64_t start, end;
    json_t *list;
} s_updates_t;

/*  A case updated within the window gives its steps within it.  Cases are
    read newest first back to S_DEFAULT_WINDOW_MS before the window: a
    case older than that is past its time limits. */
static int
s_update_take (gw_request_t *req, const cg_case_view_t *view, void *arg)
{
    s_updates_t *want = arg;
    if (view->created < want->start - S_DEFAULT_WINDOW_MS)
        return 0;
    if (view->updated < want->start)
        return 1;
    cg_case_get_t get = { .id = view->id };
    cg_case_view_t c;
    cg_error_t err;
    if (gw_call (req, &cg_cmd_case_show, &get,
                 &c, &err))
        return 1;
    for (size_t k = 0; k < c.steps_count && json_array_size (want->list) < S_LIST_MAX; k++) {
        const cg_case_step_t *step = &c.steps[k];
        if (step->at < want->start || (want->end >= 0 && step->at >= want->end))
            continue;
        char update_id[64];
        snprintf (update_id, sizeof update_id, "%s-%zu", c.id, k);
        json_t *u = json_pack ("{s:s, s:s, s:s}", "update_id", update_id,
                               "service_request_id", c.id,
                               "status", s_closed (step->to) ? "closed" : "open");
        s_set_text (u, "description", step->note ? step->note : cg_case_state_zh (step->to));
        s_set_time (u, "updated_datetime", step->at);
        json_array_append_new (want->list, u);
    }
    cg_msg_clear (&cg_case_view_def, &c);
    return json_array_size (want->list) < S_LIST_MAX;
}

/*  mySociety's servicerequestupdates: each step of a case's timeline in
    [start_date, end_date) is one update, update_id "<case>-<step>", up to
    S_LIST_MAX. */
static void
s_get_updates (gw_request_t *req, const s_target_t *t)
{
    int64_t start = s_date (req, t, "start_date"), end = s_date (req, t, "end_date");
    if (start == -2 || end == -2)
        return;
    if (start < 0)
        start = cg_clock_now () - S_DEFAULT_WINDOW_MS;
    s_updates_t want = { .start = start, .end = end, .list = json_array () };
    cg_error_t err;
    if (s_each_case (req, start - S_DEFAULT_WINDOW_MS, s_update_take, &want, &err)) {
        json_decref (want.list);
        s_error (req, t, 400, "updates cannot be read now: %s", err.message);
        return;
    }
    s_reply (req, t, 200, "service_request_updates", want.list);
}

/*  POST servicerequestupdates (mySociety's extension, as FixMyStreet's
    client posts a citizen's comment): the description becomes a note on
    the case's timeline (dispatch's case.note, 补充说明), or, with status
    OPEN on a closed case, reopens it (case.reopen).  The answer's
    update_id is the step's, as GET servicerequestupdates lists it, so that
    the client recognises its own update there.  The client's update_id
    (or an Idempotency-Key) makes a retry the same update. */
static void
s_post_update (gw_request_t *req, const s_target_t *t)
{
    gw_form_t form;
    const char *idempotency;
    if (s_post_begin (req, t, &form, &idempotency))
        return;
    const char *id = gw_form_get (&form, "service_request_id");
    const char *text = gw_form_get (&form, "description");
    const char *state = gw_form_get (&form, "status");
    if (!id || !text) {
        s_error (req, t, 400, "%s was not provided", !id ? "service_request_id" : "description");
        return;
    }
    cg_case_view_t view;
    if (s_show (req, t, id, &view))
        return;
    if (!view.center || !gw_in_scope (req, view.center)) {
        s_error (req, t, 404, "service_request_id %.40s was not found", id);
        cg_msg_clear (&cg_case_view_def, &view);
        return;
    }
    bool reopen = state && (strcasecmp (state, "open") == 0 || strcasecmp (state, "reopen") == 0)
                && strcmp (view.state, "closed") == 0;
    cg_msg_clear (&cg_case_view_def, &view);
    /*  who wrote it, as the client names them, and the text without a
        character XML forbids */
    char actor[64], note[CG_TEXT_MAX + 1], rid[65] = "";
    gw_actor (req, actor, sizeof actor);
    const char *first = gw_form_get (&form, "first_name"), *last = gw_form_get (&form, "last_name");
    char *clean = cg_text_clean (text);
    const char *said = clean ? clean : text;
    char who[140] = "";
    if (last && strcmp (last, "-") == 0)
        last = NULL;            /* FixMyStreet's stand-in for no last name */
    if (first || last)
        snprintf (who, sizeof who, "%.*s%.*s：", (int) (last ? cg_utf8_prefix (last, 64) : 0),
                  last ? last : "", (int) (first ? cg_utf8_prefix (first, 64) : 0),
                  first ? first : "");
    size_t room = sizeof note - 1 - strlen (who);
    snprintf (note, sizeof note, "%s%.*s", who, (int) cg_utf8_prefix (said, room), said);
    free (clean);
    const char *update = gw_form_get (&form, "update_id");
    if (idempotency)
        snprintf (rid, sizeof rid, "%s", idempotency);
    else
    if (update)
        snprintf (rid, sizeof rid, "o311u:%.*s:%.*s", (int) cg_utf8_prefix (req->caller.name, 24),
                  req->caller.name, (int) cg_utf8_prefix (update, 32), update);
    cg_case_act_t act = { .rid = *rid ? rid : NULL, .id = (char *) id, .actor = actor,
                          .note = note };
    cg_error_t err;
    if (gw_call (req, reopen ? &cg_cmd_case_reopen : &cg_cmd_case_note, &act, &view, &err)) {
        s_error (req, t, strcmp (err.code, "not_found") == 0 ? 404 : 400, "%s%s%s", err.field,
                 *err.field ? ": " : "", err.message);
        gw_audit (req, "open311.update", id, req->status);
        return;
    }
    /*  its step: the last one that is this actor's with this note */
    size_t step = view.steps_count;
    while (step > 0 && !(view.steps[step - 1].note && strcmp (view.steps[step - 1].note, note) == 0
                         && strcmp (view.steps[step - 1].actor, actor) == 0))
        step--;
    char update_id[64];
    if (step == 0)
        step = view.steps_count;    /* not among the steps read: the newest */
    snprintf (update_id, sizeof update_id, "%s-%zu", view.id, step ? step - 1 : 0);
    s_reply (req, t, 200, "service_request_updates", json_pack ("[{s:s}]", "update_id",
                                                                 update_id));
    gw_audit (req, "open311.update", id, req->status);
    cg_msg_clear (&cg_case_view_def, &view);
}

/* --- routing -------------------------------------------------------------- */

void
gw_open311_handle (gw_request_t *req)
{
    s_target_t t = { .xml = true };
    const char *rest = req->path + strlen ("/open311/v2/");
    size_t len = strlen (rest);
    if (len >= sizeof t.path) {
        s_error (req, &t, 404, "there is no such resource");
        return;
    }
    memcpy (t.path, rest, len + 1);
    char *dot = strrchr (t.path, '.');
    if (dot && !strchr (dot, '/')) {
        if (strcmp (dot, ".json") == 0)
            t.xml = false;
        else
        if (strcmp (dot, ".xml") != 0) {
            s_error (req, &t, 400, "the format %.20s is not served; use .xml or .json", dot);
            return;
        }
        *dot = 0;
    }
    t.resource = t.path;
    bool get = strcmp (req->method, "GET") == 0, post = strcmp (req->method, "POST") == 0;
    const char *r = t.resource;
    if (get && !s_jurisdiction_ok (req, &t, gw_query (req, "jurisdiction_id")))
        return;
    if (get && strcmp (r, "discovery") == 0)
        s_discovery (req, &t);
    else
    if (get && strcmp (r, "services") == 0)
        s_services (req, &t);
    else
    if (get && strncmp (r, "services/", 9) == 0 && r[9] && !strchr (r + 9, '/'))
        s_service_definition (req, &t, r + 9);
    else
    if (get && strcmp (r, "requests") == 0)
        s_get_requests (req, &t);
    else
    if (post && strcmp (r, "requests") == 0)
        s_post_request (req, &t);
    else
    if (get && strncmp (r, "requests/", 9) == 0 && r[9] && !strchr (r + 9, '/'))
        s_get_request (req, &t, r + 9);
    else
    if (get && strcmp (r, "servicerequestupdates") == 0)
        s_get_updates (req, &t);
    else
    if (post && strcmp (r, "servicerequestupdates") == 0)
        s_post_update (req, &t);
    else
    if (get && strncmp (r, "tokens/", 7) == 0 && r[7] && !strchr (r + 7, '/'))
        s_get_token (req, &t, r + 7);
    else
        s_error (req, &t, (get || post) ? 404 : 400, "there is no %s %.100s here", req->method,
                 req->path);
}
