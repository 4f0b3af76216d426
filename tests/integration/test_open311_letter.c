/*  Open311 to the letter of GeoReport v2 (../shared/reference/), over real
    HTTP against the real gateway and daemons: a report placed from lat and
    long alone by point in polygon, every optional field kept, description
    optional, lat/long in every request that has a place, no character XML
    1.0 forbids in any document (checked with libxml2's parser), notes
    wholly in Chinese and cut between characters, discovery with the
    configured base URL, dates in every W3C-DTF form, Idempotency-Key, and
    a place outside the jurisdiction refused naming the field.  Each test
    starts its stack with the base URL a proxy in front would give. */
#include <criterion/criterion.h>
#include "cg_testhttp.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <libxml/parser.h>

#define S_PROXY     "https://12345.example.gov.cn/open311/v2"
#define S_STACK     "--set gateway/open311_url=" S_PROXY
#define S_GRID_5    "320602001001005"   /* 120.8500-120.8530 E, 32.0030-32.0060 N */

static cg_http_reply_t
s_raw (cg_teststack_t *stack, const char *method, const char *path, const char *form,
       const char *const *headers)
{
    cg_http_reply_t reply;
    cg_http (stack, &reply, method, path, NULL, headers, form, form ? strlen (form) : 0,
             form ? "application/x-www-form-urlencoded; charset=utf-8" : NULL);
    return reply;
}

/*  The first item of a JSON list answer to GET path. */
static json_t *
s_get_item (cg_teststack_t *stack, const char *path)
{
    cg_http_reply_t reply = s_raw (stack, "GET", path, NULL, NULL);
    cr_assert_eq (reply.status, 200, "GET %s answered %d: %s", path, reply.status, reply.body);
    json_t *list = json_loads (reply.body, 0, NULL);
    cr_assert (json_is_array (list) && json_array_size (list) >= 1, "%s", reply.body);
    json_t *item = json_incref (json_array_get (list, 0));
    json_decref (list);
    cg_http_reply_clear (&reply);
    return item;
}

static const char *
s_str (json_t *obj, const char *key)
{
    return json_string_value (json_object_get (obj, key));
}

/*  POSTs form (headers may be NULL); the id answered (malloc'd), once
    dispatch shows the request; the service_notice into notice. */
static char *
s_post (cg_teststack_t *stack, const char *form, const char *const *headers, char *notice,
        size_t len)
{
    cg_http_reply_t reply = s_raw (stack, "POST", "/open311/v2/requests.json", form, headers);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    json_t *list = json_loads (reply.body, 0, NULL);
    cr_assert (json_is_array (list) && json_array_size (list) == 1, "%s", reply.body);
    char *id = strdup (s_str (json_array_get (list, 0), "service_request_id"));
    if (notice)
        snprintf (notice, len, "%s", s_str (json_array_get (list, 0), "service_notice"));
    json_decref (list);
    cg_http_reply_clear (&reply);
    char path[128];
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", id);
    for (int i = 0; i < 600; i++) {
        cg_http_reply_t got = s_raw (stack, "GET", path, NULL, NULL);
        int status = got.status;
        cg_http_reply_clear (&got);
        if (status == 200)
            return id;
        zclock_sleep (100);
    }
    cr_assert_fail ("request %s never showed", id);
    return NULL;
}

/*  Asserts POST form is refused with status, in the spec's error list,
    and that the description names field. */
static void
s_refused (cg_teststack_t *stack, const char *form, const char *const *headers, int status,
           const char *field)
{
    cg_http_reply_t reply = s_raw (stack, "POST", "/open311/v2/requests.json", form, headers);
    cr_assert_eq (reply.status, status, "%s answered %d: %s", form, reply.status, reply.body);
    json_t *list = json_loads (reply.body, 0, NULL);
    const char *description = s_str (json_array_get (list, 0), "description");
    cr_assert (description && strstr (description, field), "%s does not name %s", reply.body,
               field);
    json_decref (list);
    cg_http_reply_clear (&reply);
}

/*  Percent-encodes s for a form. */
static char *
s_form_escape (const char *s)
{
    char *out = malloc (strlen (s) * 3 + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
            *o++ = (char) *p;
        else
            o += sprintf (o, "%%%02X", *p);
    }
    *o = 0;
    return out;
}

/*  Asserts the document is well-formed XML 1.0 by libxml2's own parser,
    which refuses a character XML forbids as a fatal error. */
static void
s_well_formed (const char *body, size_t size)
{
    xmlDocPtr doc = xmlReadMemory (body, (int) size, "requests.xml", NULL,
                                   XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    const xmlError *error = xmlGetLastError ();
    cr_assert (doc, "not well-formed XML: %s", error ? error->message : "?");
    xmlFreeDoc (doc);
}

Test (open311_letter, lat_long_alone_placed_by_polygon_and_every_field_kept)
{
    cg_teststack_t *stack = cg_teststack_up (S_STACK);
    char *key = cg_http_token (stack, "open311", "320600", "fixmystreet");
    char form[2048], path[160], notice[256];

    /*  FixMyStreet's default: lat and long only, no address, no grid */
    snprintf (form, sizeof form, "api_key=%s&service_code=street_light&lat=32.0045"
              "&long=120.8515&description=%%E8%%B7%%AF%%E7%%81%%AF%%E4%%B8%%8D%%E4%%BA%%AE",
              key);
    char *placed = s_post (stack, form, NULL, NULL, 0);
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", placed);
    json_t *r = s_get_item (stack, path);
    cr_assert_str_eq (s_str (r, "address_id"), S_GRID_5, "placed on the grid that holds it");
    cr_assert_str_eq (s_str (r, "lat"), "32.0045");
    cr_assert_str_eq (s_str (r, "long"), "120.8515");
    cr_assert_str_eq (s_str (r, "agency_responsible"), "和平桥街道城管中队");
    cr_assert_str_eq (s_str (r, "description"), "路灯不亮");
    json_decref (r);

    /*  every optional field, and no description: the spec makes it optional */
    snprintf (form, sizeof form, "api_key=%s&service_code=road_damage&lat=32.0015"
              "&long=120.8575&media_url=https%%3A%%2F%%2Fimg.example.cn%%2Fa%%2F1.jpg"
              "&address_string=%%E5%%B9%%B3%%E5%%AE%%89%%E8%%B7%%AF3%%E5%%8F%%B7"
              "&device_id=iPhone-77&account_id=fms-4711&email=li.si%%40example.cn"
              "&first_name=%%E5%%9B%%9B&last_name=%%E6%%9D%%8E&phone=13900001111"
              "&attribute%%5Bdepth%%5D=30cm&attribute%%5Blanes%%5D%%5B%%5D=east"
              "&attribute%%5Blanes%%5D%%5B%%5D=west", key);
    char *full = s_post (stack, form, NULL, NULL, 0);
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", full);
    r = s_get_item (stack, path);
    cr_assert_str_eq (s_str (r, "media_url"), "https://img.example.cn/a/1.jpg");
    cr_assert_str_eq (s_str (r, "lat"), "32.0015");
    cr_assert_str_eq (s_str (r, "long"), "120.8575");
    cr_assert_str_eq (s_str (r, "address_id"), "320602001001003");
    cr_assert (strncmp (s_str (r, "address"), "平安路3号, 第3网格", strlen ("平安路3号, 第3网格"))
               == 0, "%s", s_str (r, "address"));
    cr_assert_str_eq (s_str (r, "description"), "道路破损", "the service's name stands in");
    cr_assert_null (json_object_get (r, "email"), "personal data stays inside");
    json_decref (r);
    snprintf (path, sizeof path, "/open311/v2/requests/%s.xml", full);
    cg_http_reply_t x = s_raw (stack, "GET", path, NULL, NULL);
    cr_assert (strstr (x.body, "<lat>32.0015</lat><long>120.8575</long>"
                               "<media_url>https://img.example.cn/a/1.jpg</media_url>"), "%s",
               x.body);
    cg_http_reply_clear (&x);
    /*  the rest is kept by intake, shown to the roles that may see it */
    char *out;
    cr_assert_eq (cg_teststack_cli (stack, &out, "intake show %s --role callback", full), 0);
    cr_assert (strstr (out, "李四") && strstr (out, "13900001111")
               && strstr (out, "li.si@example.cn"), "%s", out);
    cr_assert (strstr (out, "account_id=fms-4711; device_id=iPhone-77; depth=30cm; "
                            "lanes=east; lanes=west"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "intake show %s", full), 0);
    cr_assert (strstr (out, "l***@example.cn") && !strstr (out, "li.si@"), "masked: %s", out);
    free (out);

    /*  a grid alone: the centre of its boundary stands for the point */
    snprintf (form, sizeof form, "api_key=%s&service_code=illegal_building&address_id="
              S_GRID_5 "&description=x", key);
    char *gridded = s_post (stack, form, NULL, NULL, 0);
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", gridded);
    r = s_get_item (stack, path);
    cr_assert_str_eq (s_str (r, "lat"), "32.004500");
    cr_assert_str_eq (s_str (r, "long"), "120.851500");
    json_decref (r);
    free (gridded);

    /*  inside the jurisdiction but on no surveyed grid: taken, for triage */
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&lat=32.1000&long=120.9500"
              "&description=x", key);
    char *triage = s_post (stack, form, NULL, notice, sizeof notice);
    cr_assert (strstr (notice, "待指挥中心"), "%s", notice);
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", triage);
    r = s_get_item (stack, path);
    cr_assert_str_eq (s_str (r, "lat"), "32.1000");
    cr_assert_null (json_object_get (r, "address_id"));
    json_decref (r);

    /*  outside it: refused, naming the field, and nothing is stored */
    static const struct { const char *fields, *named; } bad[] = {
        { "lat=39.9042&long=116.4074", "lat" },            /* Beijing */
        { "lat=32.0045&long=200", "long" },
        { "lat=north&long=120.85", "lat" },
        { "lat=32.0045&long=120.8515&media_url=ftp%3A%2F%2Fx", "media_url" },
        { "lat=32.0045&long=120.8515&email=nobody", "email" } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf (form, sizeof form, "api_key=%s&service_code=noise&description=x&%s", key,
                  bad[i].fields);
        s_refused (stack, form, NULL, 400, bad[i].named);
    }
    cg_http_reply_t list = s_raw (stack, "GET", "/open311/v2/requests.json", NULL, NULL);
    json_t *every = json_loads (list.body, 0, NULL);
    cr_assert_eq (json_array_size (every), 4, "only the four taken: %s", list.body);
    /*  lat/long in every request that has a place */
    for (size_t i = 0; i < json_array_size (every); i++)
        cr_assert (s_str (json_array_get (every, i), "lat")
                   && s_str (json_array_get (every, i), "long"));
    json_decref (every);
    cg_http_reply_clear (&list);

    /*  a key for one town: lat/long alone are taken there, refused elsewhere
        (403 naming the field), as is a grid of another town */
    char *town = cg_http_token (stack, "open311", "320602001", "fms-town");
    snprintf (form, sizeof form, "api_key=%s&service_code=sewage_overflow&lat=32.0045"
              "&long=120.8515&description=x", town);
    free (s_post (stack, form, NULL, NULL, 0));
    snprintf (form, sizeof form, "api_key=%s&service_code=sewage_overflow&lat=32.1000"
              "&long=120.9500&description=x", town);
    s_refused (stack, form, NULL, 403, "lat");
    snprintf (form, sizeof form, "api_key=%s&service_code=sewage_overflow"
              "&address_id=320602002001001&description=x", town);
    s_refused (stack, form, NULL, 403, "address_id");
    free (town);

    /*  Idempotency-Key: a retried POST is the same request */
    const char *headers[] = { "Idempotency-Key: fms-report-88", NULL };
    snprintf (form, sizeof form, "api_key=%s&service_code=illegal_parking&lat=32.0045"
              "&long=120.8515&description=x", key);
    char *first = s_post (stack, form, headers, NULL, 0);
    char *again = s_post (stack, form, headers, NULL, 0);
    cr_assert_str_eq (first, again);
    const char *spaced[] = { "Idempotency-Key: two words", NULL };
    s_refused (stack, form, spaced, 400, "Idempotency-Key");

    /*  discovery: the configured base, with its trailing slash */
    x = s_raw (stack, "GET", "/open311/v2/discovery.json", NULL, NULL);
    json_t *d = json_loads (x.body, 0, NULL);
    cr_assert_str_eq (s_str (json_array_get (json_object_get (d, "endpoints"), 0), "url"),
                      S_PROXY "/", "%s", x.body);
    json_decref (d);
    cg_http_reply_clear (&x);
    free (first); free (again); free (placed); free (full); free (triage); free (key);
    cg_teststack_down (&stack);
}

/*  True when text holds a byte XML 1.0 forbids (a C0 control other than
    tab, line feed and carriage return) or is not UTF-8. */
static bool
s_has_forbidden (const char *text)
{
    for (const unsigned char *p = (const unsigned char *) text; *p; p++)
        if (*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
            return true;
    return !cg_utf8_valid (text, strlen (text)) || strstr (text, "\xef\xbf\xbf");
}

Test (open311_letter, word_control_characters_never_reach_a_document)
{
    cg_teststack_t *stack = cg_teststack_up (S_STACK);
    char *key = cg_http_token (stack, "open311", "320600", "fixmystreet");
    char *admin = cg_http_token (stack, "admin", "320600", "管理员");
    /*  a complaint of some 900 bytes pasted from Word: a manual line break
        (U+000B), a stray U+0001, a page break and a U+FFFF */
    char text[2048] = "";
    for (int i = 0; i < 12; i++)
        strcat (text, "小区南门广场每晚八点后有人跳广场舞音响很大");
    strcat (text, "\v第二段\x01：已多次反映\f无人处理\xef\xbf\xbf。");
    cr_assert_gt (strlen (text), 800);
    char *escaped = s_form_escape (text);
    char *form = malloc (strlen (escaped) + 256);
    sprintf (form, "api_key=%s&service_code=noise&lat=32.0045&long=120.8515"
             "&address_string=%%E5%%B9%%B3%%E5%%AE%%89%%E8%%B7%%AF%%0B5%%E5%%8F%%B7"
             "&description=%s", key, escaped);
    char *id = s_post (stack, form, NULL, NULL, 0);
    free (form);
    free (escaped);

    /*  removed or replaced at intake: the line breaks stay line breaks */
    char path[160];
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", id);
    json_t *r = s_get_item (stack, path);
    const char *description = s_str (r, "description");
    cr_assert (description && !s_has_forbidden (description), "%s", description);
    cr_assert (strstr (description, "很大\n第二段：已多次反映\n无人处理。"), "%s", description);
    cr_assert (strncmp (s_str (r, "address"), "平安路\n5号", strlen ("平安路\n5号")) == 0);
    json_decref (r);

    /*  a case stored before intake cleaned texts, and an operator's note
        with Word's characters: filtered again on the way out */
    redisReply *old = cg_redis_command (stack->redis, "HSET cg:{dispatch}:case:%s text %b",
                                        id, "旧数据\x01\x0b\x1f完", strlen ("旧数据\x01\x0b\x1f完"));
    cr_assert (old && old->type == REDIS_REPLY_INTEGER);
    freeReplyObject (old);
    int status;
    snprintf (path, sizeof path, "/api/v1/cases/%s/accept", id);
    json_decref (cg_http_post_json (stack, path, admin, NULL, &status));
    cr_assert_eq (status, 200);
    snprintf (path, sizeof path, "/api/v1/cases/%s/resolve", id);
    json_decref (cg_http_post_json (stack, path, admin,
                                    "{\"note\":\"已处理\\u000b\\u0001完毕\"}", &status));
    cr_assert_eq (status, 200);

    /*  the operator's note is cleaned as dispatch takes it, too */
    snprintf (path, sizeof path, "/api/v1/cases/%s", id);
    json_t *c = cg_http_get_json (stack, path, admin, &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (s_str (c, "result"), "已处理\n完毕");
    json_decref (c);

    const char *documents[] = { "/open311/v2/requests.xml", "/open311/v2/requests.json",
                                "/open311/v2/servicerequestupdates.xml",
                                "/open311/v2/servicerequestupdates.json", NULL };
    for (int i = 0; documents[i]; i++) {
        cg_http_reply_t x = s_raw (stack, "GET", documents[i], NULL, NULL);
        cr_assert_eq (x.status, 200, "%s: %s", documents[i], x.body);
        if (strstr (documents[i], ".xml")) {
            s_well_formed (x.body, x.size);
            cr_assert (strstr (documents[i], "updates")
                       || strstr (x.body, "<description>旧数据\n完</description>"), "%s", x.body);
        }
        else {
            json_t *list = json_loads (x.body, 0, NULL);
            cr_assert (json_is_array (list), "%s", x.body);
            cr_assert_null (strstr (x.body, "\\u0001"), "%s", x.body);
            cr_assert_null (strstr (x.body, "\\u000b"), "%s", x.body);
            json_decref (list);
        }
        cr_assert (strstr (x.body, "已处理") && strstr (x.body, "完毕"), "%s", x.body);
        cg_http_reply_clear (&x);
    }
    free (id);
    free (key);
    free (admin);
    cg_teststack_down (&stack);
}

/*  True when text has a letter of the Latin alphabet. */
static bool
s_has_latin (const char *text)
{
    for (const char *p = text; *p; p++)
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
            return true;
    return false;
}

/*  How many of list's items have service_request_id id. */
static int
s_found (cg_teststack_t *stack, const char *query, const char *id)
{
    char path[256];
    snprintf (path, sizeof path, "/open311/v2/requests.json?%s", query);
    cg_http_reply_t x = s_raw (stack, "GET", path, NULL, NULL);
    cr_assert_eq (x.status, 200, "%s answered %d: %s", path, x.status, x.body);
    json_t *list = json_loads (x.body, 0, NULL);
    int n = 0;
    for (size_t i = 0; i < json_array_size (list); i++)
        n += strcmp (s_str (json_array_get (list, i), "service_request_id"), id) == 0;
    json_decref (list);
    cg_http_reply_clear (&x);
    return n;
}

Test (open311_letter, notes_in_chinese_cut_between_characters_and_dates_in_every_form)
{
    cg_teststack_t *stack = cg_teststack_up (S_STACK);
    char *key = cg_http_token (stack, "open311", "320600", "fixmystreet");
    char *admin = cg_http_token (stack, "admin", "320600", "管理员");
    char form[512], path[160];
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&lat=32.0045&long=120.8515",
              key);
    char *id = s_post (stack, form, NULL, NULL, 0);
    int status;
    snprintf (path, sizeof path, "/api/v1/cases/%s/accept", id);
    json_decref (cg_http_post_json (stack, path, admin, NULL, &status));
    cr_assert_eq (status, 200);
    /*  a result of 300 bytes: a hundred characters of three bytes */
    char note[400] = "", body[512];
    for (int i = 0; i < 100; i++)
        strcat (note, "办");
    snprintf (body, sizeof body, "{\"note\":\"%s\"}", note);
    snprintf (path, sizeof path, "/api/v1/cases/%s/resolve", id);
    json_decref (cg_http_post_json (stack, path, admin, body, &status));
    cr_assert_eq (status, 200);

    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", id);
    json_t *r = s_get_item (stack, path);
    cr_assert_str_eq (s_str (r, "status_notes"), note, "the result whole");
    json_t *notes = json_object_get (r, "notes");
    cr_assert_geq (json_array_size (notes), 4);
    for (size_t i = 0; i < json_array_size (notes); i++) {
        const char *text = s_str (json_array_get (notes, i), "description");
        cr_assert (text && !s_has_latin (text), "not wholly Chinese: %s", text);
    }
    cr_assert_str_eq (s_str (json_array_get (notes, 0), "description"), "已受理");
    cr_assert_str_eq (s_str (json_array_get (notes, 1), "description"),
                      "已派单：派单至和平桥街道环保所");
    /*  the long note: cut at 200 bytes between characters, 66 of them */
    char cut[300];
    snprintf (cut, sizeof cut, "已办结：%.198s…", note);
    cr_assert_str_eq (s_str (json_array_get (notes, json_array_size (notes) - 1),
                             "description"), cut);
    json_decref (r);
    cg_http_reply_t x = s_raw (stack, "GET", "/open311/v2/servicerequestupdates.json", NULL,
                               NULL);
    json_t *updates = json_loads (x.body, 0, NULL);
    cr_assert_geq (json_array_size (updates), 4, "%s", x.body);
    for (size_t i = 0; i < json_array_size (updates); i++) {
        const char *text = s_str (json_array_get (updates, i), "description");
        cr_assert (text && !s_has_latin (text), "not wholly Chinese: %s", text);
    }
    json_decref (updates);
    cg_http_reply_clear (&x);

    /*  a citizen's comment posted as FixMyStreet does: a note on the
        timeline under the update_id the answer gives; a retry is the same */
    char update[512];
    snprintf (update, sizeof update, "api_key=%s&service_request_id=%s&status=OPEN"
              "&description=%%E8%%BF%%98%%E6%%98%%AF%%E5%%90%%B5&first_name=%%E5%%9B%%9B"
              "&last_name=%%E6%%9D%%8E&update_id=77&updated_datetime=2026-12-06T10:00:00Z",
              key, id);
    char update_id[64] = "";
    for (int i = 0; i < 2; i++) {
        x = s_raw (stack, "POST", "/open311/v2/servicerequestupdates.json", update, NULL);
        cr_assert_eq (x.status, 200, "%s", x.body);
        json_t *u = json_loads (x.body, 0, NULL);
        const char *given = s_str (json_array_get (u, 0), "update_id");
        cr_assert (given, "%s", x.body);
        if (i == 0)
            snprintf (update_id, sizeof update_id, "%s", given);
        cr_assert_str_eq (given, update_id, "a retry is the same update");
        json_decref (u);
        cg_http_reply_clear (&x);
    }
    x = s_raw (stack, "GET", "/open311/v2/servicerequestupdates.json", NULL, NULL);
    updates = json_loads (x.body, 0, NULL);
    int seen = 0;
    for (size_t i = 0; i < json_array_size (updates); i++) {
        json_t *u = json_array_get (updates, i);
        if (strcmp (s_str (u, "update_id"), update_id) == 0) {
            cr_assert_str_eq (s_str (u, "description"), "李四：还是吵");
            cr_assert_str_eq (s_str (u, "status"), "closed", "still resolved");
            seen++;
        }
    }
    cr_assert_eq (seen, 1, "%s in %s", update_id, x.body);
    json_decref (updates);
    cg_http_reply_clear (&x);
    /*  a name of 300 bytes is cut between characters, not refused */
    char *long_name = s_form_escape (note);
    char *named = malloc (strlen (long_name) + 256);
    sprintf (named, "api_key=%s&service_request_id=%s&description=%%E5%%A5%%BD&first_name=%s",
             key, id, long_name);
    x = s_raw (stack, "POST", "/open311/v2/servicerequestupdates.json", named, NULL);
    cr_assert_eq (x.status, 200, "%s", x.body);
    cg_http_reply_clear (&x);
    free (named);
    free (long_name);
    snprintf (update, sizeof update, "api_key=%s&service_request_id=CG0000099999"
              "&description=x", key);
    x = s_raw (stack, "POST", "/open311/v2/servicerequestupdates.json", update, NULL);
    cr_assert_eq (x.status, 404, "%s", x.body);
    cg_http_reply_clear (&x);
    snprintf (update, sizeof update, "api_key=%s&service_request_id=%s", key, id);
    x = s_raw (stack, "POST", "/open311/v2/servicerequestupdates.json", update, NULL);
    cr_assert_eq (x.status, 400, "%s", x.body);
    cr_assert (strstr (x.body, "description"), "%s", x.body);
    cg_http_reply_clear (&x);

    /*  a device alarm its vendor withdrew (撤单): closed, and said so in Chinese */
    char *vendor = cg_http_token (stack, "device_vendor", "320602", "安康手表");
    char alarm[512], at[40];
    cg_time_iso (cg_clock_now () - 5000, at, sizeof at);
    snprintf (alarm, sizeof alarm, "{\"alarm_id\":\"A-311\",\"device\":\"W-0001\","
              "\"type\":\"fall\",\"at\":\"%s\"}", at);
    json_t *raised = cg_http_post_json (stack, "/api/v1/alarms", vendor, alarm, &status);
    cr_assert_eq (status, 200, "%s", json_dumps (raised, 0));
    char *alarm_case = strdup (s_str (raised, "id"));
    json_decref (raised);
    json_decref (cg_http_post_json (stack, "/api/v1/alarms/A-311/cancel", vendor,
                                    "{\"device\":\"W-0001\",\"reason\":\"误触\"}", &status));
    cr_assert_eq (status, 200);
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", alarm_case);
    r = NULL;
    for (int i = 0; i < 600; i++) {
        cg_http_reply_t got = s_raw (stack, "GET", path, NULL, NULL);
        json_t *list = json_loads (got.body, 0, NULL);
        cg_http_reply_clear (&got);
        json_t *item = json_array_get (list, 0);
        if (item && strcmp (s_str (item, "status"), "closed") == 0)
            r = json_incref (item);
        json_decref (list);
        if (r)
            break;
        zclock_sleep (100);
    }
    cr_assert (r, "a cancelled case is closed to Open311");
    notes = json_object_get (r, "notes");
    cr_assert_str_eq (s_str (json_array_get (notes, json_array_size (notes) - 1),
                             "description"), "已撤销：撤单：智能设备 撤回诉求：误触");
    json_decref (r);
    free (alarm_case);
    free (vendor);

    /*  dates in every form W3C-DTF allows: the request was made today */
    time_t now = time (NULL), china = now + 8 * 3600;
    struct tm utc, here;
    gmtime_r (&now, &utc);
    gmtime_r (&china, &here);
    char query[256], day[16], month[16], year[8], minute[32], offset[40], fraction[40];
    strftime (day, sizeof day, "%Y-%m-%d", &here);
    strftime (month, sizeof month, "%Y-%m", &here);
    strftime (year, sizeof year, "%Y", &here);
    time_t before = now - 3600;
    struct tm hour_ago;
    gmtime_r (&before, &hour_ago);
    strftime (minute, sizeof minute, "%Y-%m-%dT%H:%MZ", &hour_ago);
    before += 8 * 3600;
    gmtime_r (&before, &hour_ago);
    strftime (offset, sizeof offset, "%Y-%m-%dT%H:%M:%S%%2B0800", &hour_ago);
    strftime (fraction, sizeof fraction, "%Y-%m-%dT%H:%M:%S.5%%2B08:00", &hour_ago);
    const char *starts[] = { day, month, year, minute, offset, fraction, NULL };
    for (int i = 0; starts[i]; i++) {
        snprintf (query, sizeof query, "start_date=%s", starts[i]);
        cr_assert_eq (s_found (stack, query, id), 1, "start_date=%s missed it", starts[i]);
    }
    snprintf (query, sizeof query, "start_date=%s&end_date=%d", day, utc.tm_year + 1900 + 1);
    cr_assert_eq (s_found (stack, query, id), 1);
    snprintf (query, sizeof query, "updated_after=%d-01", utc.tm_year + 1900 + 1);
    cr_assert_eq (s_found (stack, query, id), 0, "next year is after it");
    cg_http_reply_t bad = s_raw (stack, "GET", "/open311/v2/requests.json?start_date=2026-1-5",
                                 NULL, NULL);
    cr_assert_eq (bad.status, 400);
    cr_assert (strstr (bad.body, "start_date"), "%s", bad.body);
    cg_http_reply_clear (&bad);
    free (id);
    free (key);
    free (admin);
    cg_teststack_down (&stack);
}
