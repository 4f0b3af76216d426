/*  Open311 GeoReport v2 conformance, over real HTTP against the real
    gateway: every resource in JSON and XML, every field the spec lists for
    what we keep, every filter of GET requests with the common extensions,
    the spec's error format and status codes (404 for what does not exist,
    403 for the api_key, 400 for anything else).  Spec:
    ../shared/reference/open311-georeport-v2.md. */
#include <criterion/criterion.h>
#include "cg_testhttp.h"
#include "cg_catalog.h"
#include "cg_clock.h"

#define S_GRID      "320602001001001"     /* 120.8500-120.8530 E, 32.0000-32.0030 N */
#define S_GRID_2    "320602001001002"     /* 120.8530-120.8560 E */
#define S_GRID_3    "320602001001003"     /* 120.8560-120.8590 E */

static json_t *
s_get (cg_teststack_t *stack, const char *path, int want)
{
    int status;
    json_t *json = cg_http_get_json (stack, path, NULL, &status);
    cr_assert_eq (status, want, "GET %s answered %d: %s", path, status, json_dumps (json, 0));
    return json;
}

static cg_http_reply_t
s_raw (cg_teststack_t *stack, const char *method, const char *path, const char *form)
{
    cg_http_reply_t reply;
    cg_http (stack, &reply, method, path, NULL, NULL, form, form ? strlen (form) : 0,
             form ? "application/x-www-form-urlencoded; charset=utf-8" : NULL);
    return reply;
}

/*  An error as the spec has it: a list of {code, description}. */
static void
s_spec_error (cg_teststack_t *stack, const char *method, const char *path, const char *form,
              int want)
{
    cg_http_reply_t reply = s_raw (stack, method, path, form);
    cr_assert_eq (reply.status, want, "%s %s answered %d: %s", method, path, reply.status,
                  reply.body);
    if (!strstr (path, ".json")) {         /* XML, the default */
        cr_assert (strstr (reply.content_type, "text/xml"), "%s", reply.content_type);
        cr_assert (strncmp (reply.body, "<?xml version=\"1.0\" encoding=\"utf-8\"?>", 38) == 0);
        char code[32];
        snprintf (code, sizeof code, "<code>%d</code>", want);
        cr_assert (strstr (reply.body, "<errors><error>") && strstr (reply.body, code)
                   && strstr (reply.body, "<description>"), "%s", reply.body);
    }
    else {
        json_t *list = json_loads (reply.body, 0, NULL);
        cr_assert (json_is_array (list) && json_array_size (list) >= 1, "%s", reply.body);
        json_t *e = json_array_get (list, 0);
        cr_assert_eq (json_integer_value (json_object_get (e, "code")), want);
        cr_assert (json_string_length (json_object_get (e, "description")) > 10);
        json_decref (list);
    }
    cg_http_reply_clear (&reply);
}

/*  Waits until dispatch has request id. */
static void
s_wait_shown (cg_teststack_t *stack, const char *id)
{
    char path[128];
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", id);
    for (int i = 0; i < 600; i++) {
        cg_http_reply_t got = s_raw (stack, "GET", path, NULL);
        int status = got.status;
        cg_http_reply_clear (&got);
        if (status == 200)
            return;
        zclock_sleep (100);
    }
    cr_assert_fail ("request %s never showed", id);
}

/*  POSTs a request in grid at the point lat,lon (its own, so that no two
    requests of one category merge); returns its id (malloc'd). */
static char *
s_post (cg_teststack_t *stack, const char *key, const char *code, const char *text,
        const char *grid, const char *lat, const char *lon)
{
    char form[1024];
    snprintf (form, sizeof form, "api_key=%s&service_code=%s&address_id=%s"
              "&address_string=%%E5%%B9%%B3%%E5%%AE%%89%%E8%%B7%%AF12%%E5%%8F%%B7"
              "&description=%s&first_name=%%E4%%B8%%89&last_name=%%E5%%BC%%A0"
              "&phone=13812345678&email=a%%40b.cn&lat=%s&long=%s", key, code, grid, text,
              lat, lon);
    cg_http_reply_t reply = s_raw (stack, "POST", "/open311/v2/requests.json", form);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    cr_assert (strstr (reply.content_type, "application/json"), "%s", reply.content_type);
    json_t *list = json_loads (reply.body, 0, NULL);
    cr_assert (json_is_array (list) && json_array_size (list) == 1, "%s", reply.body);
    json_t *r = json_array_get (list, 0);
    char *id = strdup (json_string_value (json_object_get (r, "service_request_id")));
    cr_assert (json_string_value (json_object_get (r, "service_notice")));
    json_decref (list);
    cg_http_reply_clear (&reply);
    s_wait_shown (stack, id);
    return id;
}

static size_t
s_count (const char *text, const char *word)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr (p, word)); p += strlen (word))
        n++;
    return n;
}

/*  Unix ms of an ISO 8601 time the gateway wrote, -1 when it is not one. */
static int64_t
s_ms (const char *text)
{
    int64_t ms;
    return text && cg_time_parse (text, &ms, NULL, 0) == 0 ? ms : -1;
}

Test (open311, discovery_services_and_definitions)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    json_t *d = s_get (stack, "/open311/v2/discovery.json", 200);
    json_t *endpoint = json_array_get (json_object_get (d, "endpoints"), 0);
    cr_assert_str_eq (json_string_value (json_object_get (endpoint, "specification")),
                      "http://wiki.open311.org/GeoReport_v2");
    /*  as reached, with the trailing slash (a proxy's base: test_open311_letter.c) */
    const char *url = json_string_value (json_object_get (endpoint, "url"));
    cr_assert (strncmp (url, "http://127.0.0.1:", 17) == 0, "%s", url);
    cr_assert (strlen (url) > 12 && strcmp (url + strlen (url) - 12, "/open311/v2/") == 0, "%s",
               url);
    json_t *formats = json_object_get (endpoint, "formats");
    cr_assert_eq (json_array_size (formats), 2);
    cr_assert (json_object_get (d, "changeset") && json_object_get (d, "contact"));
    json_decref (d);
    cg_http_reply_t x = s_raw (stack, "GET", "/open311/v2/discovery.xml", NULL);
    cr_assert_eq (x.status, 200);
    cr_assert_str_eq (x.content_type, "text/xml; charset=utf-8");
    cr_assert (strstr (x.body, "<discovery>") && strstr (x.body, "<endpoints><endpoint>")
               && strstr (x.body, "<format>text/xml</format>"), "%s", x.body);
    cg_http_reply_clear (&x);

    /*  the services are the catalog, every one */
    char path[512], err[256];
    snprintf (path, sizeof path, "%s/deploy/demo/catalog.tsv", cg_test_root ());
    cg_catalog_t *catalog = cg_catalog_load (path, err, sizeof err);
    cr_assert (catalog, "%s", err);
    json_t *services = s_get (stack, "/open311/v2/services.json?jurisdiction_id=", 200);
    cr_assert_eq (json_array_size (services), cg_catalog_size (catalog));
    for (size_t i = 0; i < cg_catalog_size (catalog); i++) {
        json_t *s = json_array_get (services, i);
        cr_assert_str_eq (json_string_value (json_object_get (s, "service_code")),
                          cg_catalog_at (catalog, i)->code);
        cr_assert_str_eq (json_string_value (json_object_get (s, "service_name")),
                          cg_catalog_at (catalog, i)->name_zh);
        cr_assert (json_is_boolean (json_object_get (s, "metadata")));
        const char *type = json_string_value (json_object_get (s, "type"));
        cr_assert (!strcmp (type, "realtime") || !strcmp (type, "batch")
                   || !strcmp (type, "blackbox"));
        cr_assert (json_string_value (json_object_get (s, "description")));
        cr_assert (json_string_value (json_object_get (s, "keywords")));
        cr_assert (json_string_value (json_object_get (s, "group")));
    }
    json_decref (services);
    x = s_raw (stack, "GET", "/open311/v2/services.xml", NULL);
    cr_assert_eq (s_count (x.body, "<service>"), cg_catalog_size (catalog));
    cr_assert (strstr (x.body, "<service_code>noise</service_code>"));
    cg_http_reply_clear (&x);
    x = s_raw (stack, "GET", "/open311/v2/services", NULL);
    cr_assert (strstr (x.content_type, "text/xml"), "XML is the default format");
    cg_http_reply_clear (&x);
    cg_catalog_destroy (&catalog);

    /*  a service definition, with its attributes */
    json_t *def = s_get (stack, "/open311/v2/services/noise.json", 200);
    cr_assert_str_eq (json_string_value (json_object_get (def, "service_code")), "noise");
    json_t *attribute = json_array_get (json_object_get (def, "attributes"), 0);
    const char *keys[] = { "variable", "code", "datatype", "required", "datatype_description",
                           "order", "description", NULL };
    for (int i = 0; keys[i]; i++)
        cr_assert (json_object_get (attribute, keys[i]), "attribute lacks %s", keys[i]);
    json_decref (def);
    x = s_raw (stack, "GET", "/open311/v2/services/noise.xml", NULL);
    cr_assert (strstr (x.body, "<service_definition><service_code>noise</service_code>"
                               "<attributes><attribute>"), "%s", x.body);
    cg_http_reply_clear (&x);
    s_spec_error (stack, "GET", "/open311/v2/services/no_such.json", NULL, 404);
    s_spec_error (stack, "GET", "/open311/v2/services/no_such.xml", NULL, 404);
    s_spec_error (stack, "GET", "/open311/v2/services.txt", NULL, 400);
    s_spec_error (stack, "GET", "/open311/v2/services.json?jurisdiction_id=sfgov.org", NULL, 404);
    s_spec_error (stack, "GET", "/open311/v2/nothing.json", NULL, 404);
    /*  a name cut inside a character is still answered in valid UTF-8 */
    s_spec_error (stack, "GET", "/open311/v2/services/%e5%99%aa%e5%99%aa%e5%99%aa%e5%99%aa"
                  "%e5%99%aa%e5%99%aa%e5%99%aa%e5%99%aa%e5%99%aa%e5%99%aa%e5%99%aa%e5%99%aa"
                  "%e5%99%aa%e5%99%aa.json", NULL, 404);
    s_spec_error (stack, "GET", "/open311/v2/services.json?jurisdiction_id=%ff", NULL, 404);
    s_spec_error (stack, "PUT", "/open311/v2/requests.json", NULL, 400);
    cg_teststack_down (&stack);
}

Test (open311, post_requests_and_their_errors)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *key = cg_http_token (stack, "open311", "320600", "app");
    char *grid = cg_http_token (stack, "grid_worker", S_GRID, "grid");
    char form[512];
    const char *path = "/open311/v2/requests.json";
    s_spec_error (stack, "POST", path, "service_code=noise&address_id=" S_GRID
                  "&description=x", 403);
    s_spec_error (stack, "POST", "/open311/v2/requests.xml", "api_key=cgt_wrong&service_code="
                  "noise&address_id=" S_GRID "&description=x", 403);
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&address_id=" S_GRID
              "&description=x", grid);
    s_spec_error (stack, "POST", path, form, 403);
    snprintf (form, sizeof form, "api_key=%s&address_id=" S_GRID "&description=x", key);
    s_spec_error (stack, "POST", path, form, 400);
    snprintf (form, sizeof form, "api_key=%s&service_code=&address_id=" S_GRID
              "&description=x", key);
    s_spec_error (stack, "POST", path, form, 400);          /* empty = absent */
    snprintf (form, sizeof form, "api_key=%s&service_code=potholes&address_id=" S_GRID
              "&description=x", key);
    s_spec_error (stack, "POST", path, form, 404);
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&description=x", key);
    s_spec_error (stack, "POST", path, form, 400);          /* no place at all */
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&lat=32.0015&description=x",
              key);
    s_spec_error (stack, "POST", path, form, 400);          /* lat without long */
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&address_id=999&description=x",
              key);
    s_spec_error (stack, "POST", path, form, 400);
    snprintf (form, sizeof form, "api_key=%s&jurisdiction_id=sfgov.org&service_code=noise"
              "&address_id=" S_GRID "&description=x", key);
    s_spec_error (stack, "POST", path, form, 404);
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&address_id=" S_GRID
              "&description=%%zz", key);
    s_spec_error (stack, "POST", path, form, 400);
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&address_id=" S_GRID
              "&description=%%ff%%fe", key);
    s_spec_error (stack, "POST", path, form, 400);

    char *id = s_post (stack, key, "noise", "%E5%B9%BF%E5%9C%BA%E8%88%9E%E5%99%AA%E9%9F%B3",
                       S_GRID, "32.0015", "120.8515");
    /*  the same request in XML, with the jurisdiction named */
    snprintf (form, sizeof form, "api_key=%s&jurisdiction_id=320600&service_code=noise"
              "&attribute%%5Bgrid%%5D=" S_GRID "&description=%%E5%%A4%%9C%%E9%%97%%B4", key);
    cg_http_reply_t x = s_raw (stack, "POST", "/open311/v2/requests.xml", form);
    cr_assert_eq (x.status, 200, "%s", x.body);
    cr_assert (strstr (x.body, "<service_requests><request><service_request_id>CG"), "%s",
               x.body);
    cg_http_reply_clear (&x);

    /*  the request as Open311 shows it: every field we keep */
    char get[128];
    snprintf (get, sizeof get, "/open311/v2/requests/%s.json", id);
    json_t *list = s_get (stack, get, 200);
    cr_assert_eq (json_array_size (list), 1);
    json_t *r = json_array_get (list, 0);
    cr_assert_str_eq (json_string_value (json_object_get (r, "service_request_id")), id);
    cr_assert_str_eq (json_string_value (json_object_get (r, "status")), "open");
    cr_assert_str_eq (json_string_value (json_object_get (r, "service_code")), "noise");
    cr_assert_str_eq (json_string_value (json_object_get (r, "service_name")), "噪声扰民");
    cr_assert_str_eq (json_string_value (json_object_get (r, "description")), "广场舞噪音");
    cr_assert_str_eq (json_string_value (json_object_get (r, "agency_responsible")),
                      "和平桥街道环保所");
    cr_assert_str_eq (json_string_value (json_object_get (r, "address_id")), S_GRID);
    cr_assert (strncmp (json_string_value (json_object_get (r, "address")), "平安路12号, 第1网格",
                        strlen ("平安路12号, 第1网格")) == 0, "most specific first");
    const char *times[] = { "requested_datetime", "updated_datetime", "expected_datetime", NULL };
    for (int i = 0; times[i]; i++)
        cr_assert_gt (s_ms (json_string_value (json_object_get (r, times[i]))), 0,
                      "%s is not a w3 date-time with a zone", times[i]);
    cr_assert_gt (s_ms (json_string_value (json_object_get (r, "expected_datetime"))),
                  s_ms (json_string_value (json_object_get (r, "requested_datetime"))));
    cr_assert (json_string_value (json_object_get (r, "service_notice")));
    cr_assert (json_array_size (json_object_get (r, "notes")) >= 2, "the public timeline");
    cr_assert_null (json_object_get (r, "phone"), "personal data stays inside");
    json_decref (list);
    snprintf (get, sizeof get, "/open311/v2/requests/%s.xml", id);
    x = s_raw (stack, "GET", get, NULL);
    cr_assert (strstr (x.body, "<service_requests><request>") && strstr (x.body, "<status>open"
               "</status>") && strstr (x.body, "<notes><note>"), "%s", x.body);
    cr_assert_null (strstr (x.body, "13812345678"));
    cg_http_reply_clear (&x);
    s_spec_error (stack, "GET", "/open311/v2/requests/CG0000009999.json", NULL, 404);
    s_spec_error (stack, "GET", "/open311/v2/requests/CG0000009999.xml", NULL, 404);

    /*  tokens: realtime services answer with the id, so the token is it */
    snprintf (get, sizeof get, "/open311/v2/tokens/%s.json", id);
    list = s_get (stack, get, 200);
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (list, 0),
                                                          "service_request_id")), id);
    json_decref (list);
    s_spec_error (stack, "GET", "/open311/v2/tokens/nope.json", NULL, 404);
    free (id);
    free (key);
    free (grid);
    cg_teststack_down (&stack);
}

/*  The ids in a GET requests answer, comma-joined. */
static char *
s_ids (cg_teststack_t *stack, const char *query)
{
    char path[512];
    snprintf (path, sizeof path, "/open311/v2/requests.json%s", query);
    json_t *list = s_get (stack, path, 200);
    char *out = calloc (1, 4096);
    for (size_t i = 0; i < json_array_size (list); i++)
        snprintf (out + strlen (out), 4096 - strlen (out), "%s%s", i ? "," : "",
                  json_string_value (json_object_get (json_array_get (list, i),
                                                      "service_request_id")));
    json_decref (list);
    return out;
}

Test (open311, get_requests_filters_status_and_updates)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *key = cg_http_token (stack, "open311", "320600", "app");
    char *admin = cg_http_token (stack, "admin", "320600", "管理员");
    char *a = s_post (stack, key, "noise", "a", S_GRID, "32.0015", "120.8515");
    char *b = s_post (stack, key, "street_vending", "b", S_GRID_2, "32.0015", "120.8545");
    char *c = s_post (stack, key, "noise", "c", S_GRID_3, "32.0015", "120.8575");

    /*  a is resolved and closed: its status is closed, its notes the result */
    char path[128];
    int status;
    snprintf (path, sizeof path, "/api/v1/cases/%s/accept", a);
    json_decref (cg_http_post_json (stack, path, admin, NULL, &status));
    cr_assert_eq (status, 200);
    snprintf (path, sizeof path, "/api/v1/cases/%s/resolve", a);
    json_decref (cg_http_post_json (stack, path, admin, "{\"note\":\"已责令停止\"}", &status));
    cr_assert_eq (status, 200);
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", a);
    json_t *list = s_get (stack, path, 200);
    json_t *r = json_array_get (list, 0);
    cr_assert_str_eq (json_string_value (json_object_get (r, "status")), "closed");
    cr_assert_str_eq (json_string_value (json_object_get (r, "status_notes")), "已责令停止");
    int64_t updated_a = s_ms (json_string_value (json_object_get (r,
                                                                  "updated_datetime")));
    json_decref (list);

    char *ids = s_ids (stack, "");
    cr_assert (strstr (ids, a) && strstr (ids, b) && strstr (ids, c), "%s", ids);
    free (ids);
    ids = s_ids (stack, "?status=closed");
    cr_assert_str_eq (ids, a);
    free (ids);
    ids = s_ids (stack, "?status=open");
    cr_assert (!strstr (ids, a) && strstr (ids, b) && strstr (ids, c), "%s", ids);
    free (ids);
    ids = s_ids (stack, "?status=open,closed&service_code=street_vending");
    cr_assert_str_eq (ids, b);
    free (ids);
    ids = s_ids (stack, "?service_code=noise,street_vending,street_light&status=");
    cr_assert (strstr (ids, a) && strstr (ids, b) && strstr (ids, c), "%s", ids);
    free (ids);
    char query[256];
    snprintf (query, sizeof query, "?service_request_id=%s,%s&status=open", a, c);
    ids = s_ids (stack, query);
    cr_assert (strstr (ids, a) && strstr (ids, c) && !strstr (ids, b),
               "with ids, other filters are ignored: %s", ids);
    free (ids);
    ids = s_ids (stack, "?start_date=2099-01-01T00:00:00Z");
    cr_assert_str_eq (ids, "");
    free (ids);
    ids = s_ids (stack, "?end_date=2000-01-01T00:00:00%2B08:00");
    cr_assert_str_eq (ids, "");
    free (ids);
    ids = s_ids (stack, "?start_date=2000-01-01T00:00:00Z&end_date=2099-01-01T00:00:00Z");
    cr_assert (strstr (ids, a) && strstr (ids, b) && strstr (ids, c), "%s", ids);
    free (ids);
    char when[40];
    cg_time_iso (updated_a - 1000, when, sizeof when);
    when[19] = 0;               /* as Z: the UTC wall time of a second earlier */
    int64_t utc = updated_a - 1000;
    time_t secs = (time_t) (utc / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf (query, sizeof query, "?updated_after=%s&status=closed", when);
    ids = s_ids (stack, query);
    cr_assert_str_eq (ids, a);
    free (ids);
    snprintf (query, sizeof query, "?updated_before=%s&status=closed", when);
    ids = s_ids (stack, query);
    cr_assert_str_eq (ids, "");
    free (ids);
    /*  pages: the three, one at a time, each once */
    char *all = s_ids (stack, "?page_size=10");
    char *p1 = s_ids (stack, "?page_size=1&page=1");
    char *p2 = s_ids (stack, "?page_size=1&page=2");
    char *p3 = s_ids (stack, "?page_size=1&page=3");
    char *p4 = s_ids (stack, "?page_size=1&page=4");
    char joined[256];
    snprintf (joined, sizeof joined, "%s,%s,%s", p1, p2, p3);
    cr_assert_str_eq (joined, all);
    cr_assert_str_eq (p4, "");
    free (all); free (p1); free (p2); free (p3); free (p4);
    s_spec_error (stack, "GET", "/open311/v2/requests.json?start_date=yesterday", NULL, 400);
    s_spec_error (stack, "GET", "/open311/v2/requests.xml?updated_after=2026-13-01T00:00:00Z",
                  NULL, 400);
    s_spec_error (stack, "GET", "/open311/v2/requests.json?status=pending", NULL, 400);
    s_spec_error (stack, "GET", "/open311/v2/requests.json?page_size=0", NULL, 400);
    s_spec_error (stack, "GET", "/open311/v2/requests.json?page=x", NULL, 400);
    s_spec_error (stack, "GET", "/open311/v2/requests.json?jurisdiction_id=x", NULL, 404);

    /*  mySociety's updates: a's steps, the last one closed */
    list = s_get (stack, "/open311/v2/servicerequestupdates.json", 200);
    bool closed_a = false;
    for (size_t i = 0; i < json_array_size (list); i++) {
        json_t *u = json_array_get (list, i);
        cr_assert (json_string_value (json_object_get (u, "update_id")));
        cr_assert (json_string_value (json_object_get (u, "updated_datetime")));
        if (!strcmp (json_string_value (json_object_get (u, "service_request_id")), a)
        &&  !strcmp (json_string_value (json_object_get (u, "status")), "closed"))
            closed_a = !strcmp (json_string_value (json_object_get (u, "description")),
                                "已责令停止");
    }
    cr_assert (closed_a, "no closing update of %s", a);
    json_decref (list);
    cg_http_reply_t x = s_raw (stack, "GET", "/open311/v2/servicerequestupdates.xml", NULL);
    cr_assert (strstr (x.body, "<service_request_updates><request_update>"), "%s", x.body);
    cg_http_reply_clear (&x);
    free (a); free (b); free (c);
    free (key);
    free (admin);
    cg_teststack_down (&stack);
}
