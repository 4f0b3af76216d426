/*  The gateway over real HTTP, against a real stack: the operator API and
    its scope rules, every kind of refusal, rate limits, the audit log, the
    12345 hotline's signed orders and live events.  Each test starts its
    own stack; requests go through libcurl to the gateway process. */
#include <criterion/criterion.h>
#include "cg_testhttp.h"
#include "cg_sign.h"
#include "cg_clock.h"

#include <unistd.h>

#define S_TOWN_A    "320602001"             /* 和平桥街道 */
#define S_TOWN_B    "320602002"             /* 任港街道 */
#define S_GRID_A    "320602001001001"
#define S_GRID_B    "320602002001001"
#define S_SECRET    "hotline-test-secret"

static cg_teststack_t *
s_stack (void)
{
    return cg_teststack_up ("--set gateway/hotline/h12345=" S_SECRET);
}

/*  Submits a request with the CLI; returns the case id (malloc'd). */
static char *
s_submit (cg_teststack_t *stack, const char *grid, const char *text)
{
    char *out = NULL;
    int rc = cg_teststack_cli (stack, &out, "submit --category noise --grid %s --text '%s'",
                               grid, text);
    cr_assert_eq (rc, 0, "submit: %s", out);
    out[strcspn (out, " \n")] = 0;
    return out;
}

/*  Waits until the case is dispatched and visible to token. */
static void
s_await_case (cg_teststack_t *stack, const char *id, const char *token)
{
    char path[128];
    snprintf (path, sizeof path, "/api/v1/cases/%s", id);
    for (int i = 0; i < 600; i++) {
        int status;
        json_t *c = cg_http_get_json (stack, path, token, &status);
        const char *state = json_string_value (json_object_get (c, "state"));
        bool ready = status == 200 && state && strcmp (state, "dispatched") == 0;
        json_decref (c);
        if (ready)
            return;
        zclock_sleep (100);
    }
    cr_assert_fail ("case %s was never dispatched", id);
}

static const char *
s_error_field (json_t *reply)
{
    return json_string_value (json_object_get (json_object_get (reply, "error"), "field"));
}

/*  The rows a list yields, paged through a case at a time (query: the
    list's parameters, without limit and cursor). */
static int64_t
s_rows (cg_teststack_t *stack, const char *query, const char *token)
{
    int64_t rows = 0;
    char *cursor = NULL;
    for (int i = 0; i < 1000; i++) {
        char path[512];
        snprintf (path, sizeof path, "/api/v1/cases?%s&limit=1%s%s", query,
                  cursor ? "&cursor=" : "", cursor ? cursor : "");
        int status;
        json_t *page = cg_http_get_json (stack, path, token, &status);
        cr_assert_eq (status, 200, "%s: %s", path, json_dumps (page, 0));
        rows += (int64_t) json_array_size (json_object_get (page, "cases"));
        const char *next = json_string_value (json_object_get (page, "next"));
        free (cursor);
        cursor = next ? strdup (next) : NULL;
        json_decref (page);
        if (!cursor)
            return rows;
    }
    cr_assert_fail ("%s never ended", query);
    return -1;
}

/*  count=1's answer: the list's count, no cases, and whether it stopped. */
static int64_t
s_count (cg_teststack_t *stack, const char *query, const char *token)
{
    char path[512];
    snprintf (path, sizeof path, "/api/v1/cases?%s&count=1", query);
    int status;
    json_t *r = cg_http_get_json (stack, path, token, &status);
    cr_assert_eq (status, 200, "%s: %s", path, json_dumps (r, 0));
    cr_assert_eq (json_array_size (json_object_get (r, "cases")), 0, "a count shows no cases");
    cr_assert_null (json_object_get (r, "next"), "a few cases are counted to the end");
    int64_t total = json_integer_value (json_object_get (r, "total"));
    json_decref (r);
    return total;
}

Test (gateway, operator_api_keeps_each_town_to_itself)
{
    cg_teststack_t *stack = s_stack ();
    char *city = cg_http_token (stack, "supervisor", "320600", "市督办");
    char *town_a = cg_http_token (stack, "operator", S_TOWN_A, "和平桥值班员");
    char *town_b = cg_http_token (stack, "operator", S_TOWN_B, "任港值班员");
    char *county = cg_http_token (stack, "operator", "320602", "崇川区值班员");
    char *unit_a = cg_http_token (stack, "operator", S_TOWN_A "-huanbao", "和平桥环保所");
    char *id = s_submit (stack, S_GRID_A, "楼下广场舞噪音");
    s_await_case (stack, id, city);
    char path[128];
    snprintf (path, sizeof path, "/api/v1/cases/%s", id);
    int status;

    /*  town A and the county see it; town B gets 404 and not a word of it */
    json_t *c = cg_http_get_json (stack, path, town_a, &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (c, "center")), S_TOWN_A);
    cr_assert (json_array_size (json_object_get (c, "steps")) >= 2, "the timeline is there");
    json_decref (c);
    c = cg_http_get_json (stack, path, county, &status);
    cr_assert_eq (status, 200);
    json_decref (c);
    cg_http_reply_t raw;
    cg_http (stack, &raw, "GET", path, town_b, NULL, NULL, 0, NULL);
    cr_assert_eq (raw.status, 404);
    cr_assert_null (strstr (raw.body, "广场舞"), "another town's case leaked: %s", raw.body);
    cg_http_reply_clear (&raw);
    json_t *page = cg_http_get_json (stack, "/api/v1/cases", town_b, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_integer_value (json_object_get (page, "total")), 0);
    json_decref (page);
    page = cg_http_get_json (stack, "/api/v1/cases", town_a, &status);
    cr_assert_eq (json_integer_value (json_object_get (page, "total")), 1);
    json_decref (page);
    page = cg_http_get_json (stack, "/api/v1/cases?center=" S_TOWN_A, town_b, &status);
    cr_assert_eq (status, 403);
    cr_assert_str_eq (s_error_field (page), "center");
    json_decref (page);

    /*  town B can neither accept it nor learn that it exists */
    snprintf (path, sizeof path, "/api/v1/cases/%s/accept", id);
    json_t *r = cg_http_post_json (stack, path, town_b, NULL, &status);
    cr_assert_eq (status, 404);
    json_decref (r);
    /*  the unit signs for it: the timeline names the unit and the holder */
    r = cg_http_post_json (stack, path, unit_a, NULL, &status);
    cr_assert_eq (status, 200, "accept: %s", json_dumps (r, 0));
    cr_assert_str_eq (json_string_value (json_object_get (r, "state")), "accepted");
    json_t *steps = json_object_get (r, "steps");
    json_t *last = json_array_get (steps, json_array_size (steps) - 1);
    cr_assert_str_eq (json_string_value (json_object_get (last, "actor")),
                      "unit:" S_TOWN_A "-huanbao:和平桥环保所");
    json_decref (r);
    /*  accepting twice is a conflict the daemon explains */
    r = cg_http_post_json (stack, path, unit_a, NULL, &status);
    cr_assert_eq (status, 409);
    json_decref (r);

    snprintf (path, sizeof path, "/api/v1/cases/%s/resolve", id);
    r = cg_http_post_json (stack, path, unit_a, "{\"note\": 5}", &status);
    cr_assert_eq (status, 400);
    cr_assert_str_eq (s_error_field (r), "note");
    json_decref (r);
    r = cg_http_post_json (stack, path, unit_a, "{\"note\": \"已劝导，音量降低\"}", &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (r, "result")), "已劝导，音量降低");
    json_decref (r);

    /*  closing needs a supervisor */
    snprintf (path, sizeof path, "/api/v1/cases/%s/close", id);
    r = cg_http_post_json (stack, path, town_a, NULL, &status);
    cr_assert_eq (status, 403);
    cr_assert_str_eq (s_error_field (r), "role");
    cr_assert (strstr (json_string_value (json_object_get (json_object_get (r, "error"),
                                                           "message")), "supervisor"));
    json_decref (r);
    r = cg_http_post_json (stack, path, city, NULL, &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (r, "state")), "closed");
    json_decref (r);

    /*  submitting: only within one's own scope */
    r = cg_http_post_json (stack, "/api/v1/cases", town_a,
                           "{\"category\":\"noise\",\"text\":\"工地夜间施工\",\"grid\":\""
                           S_GRID_B "\"}", &status);
    cr_assert_eq (status, 403);
    cr_assert_str_eq (s_error_field (r), "grid");
    json_decref (r);
    r = cg_http_post_json (stack, "/api/v1/cases", town_a,
                           "{\"category\":\"noise\",\"text\":\"工地夜间施工\",\"grid\":\""
                           S_GRID_A "\"}", &status);
    cr_assert_eq (status, 200);
    char *second = strdup (json_string_value (json_object_get (r, "id")));
    json_decref (r);
    /*  an action that takes a case out of one's scope is still answered
        with the case as it now stands; from then on it is out of reach */
    s_await_case (stack, second, town_a);
    snprintf (path, sizeof path, "/api/v1/cases/%s/escalate", second);
    r = cg_http_post_json (stack, path, town_a, "{\"note\": \"需区级协调\"}", &status);
    cr_assert_eq (status, 200, "escalate: %s", json_dumps (r, 0));
    cr_assert_str_eq (json_string_value (json_object_get (r, "center")), "320602");
    json_decref (r);
    snprintf (path, sizeof path, "/api/v1/cases/%s", second);
    json_decref (cg_http_get_json (stack, path, town_a, &status));
    cr_assert_eq (status, 404);
    json_decref (cg_http_get_json (stack, path, county, &status));
    cr_assert_eq (status, 200);
    free (second);
    r = cg_http_post_json (stack, "/api/v1/cases", town_a,
                           "{\"category\":\"noise\",\"grid\":\"" S_GRID_A "\"}", &status);
    cr_assert_eq (status, 400);
    cr_assert_str_eq (s_error_field (r), "text");
    json_decref (r);

    /*  an inbox of another town's unit is out of reach */
    r = cg_http_get_json (stack, "/api/v1/inbox/" S_TOWN_B "-huanbao", town_a, &status);
    cr_assert_eq (status, 403);
    json_decref (r);
    r = cg_http_get_json (stack, "/api/v1/inbox/" S_TOWN_A "-huanbao", town_a, &status);
    cr_assert_eq (status, 200);
    json_decref (r);

    /*  statistics: a town's own, never another's */
    char today[40], stats[160];
    cg_time_iso (cg_clock_now (), today, sizeof today);
    today[10] = 0;
    snprintf (stats, sizeof stats, "/api/v1/stats?scope=%s&from=%s&to=%s", S_TOWN_A, today,
              today);
    /*  the case just submitted is counted when dispatch has taken its
        case.received from the bus: wait for it */
    json_t *total = NULL;
    for (int64_t until = zclock_mono () + 60000; ; zclock_sleep (100)) {
        r = cg_http_get_json (stack, stats, town_a, &status);
        cr_assert_eq (status, 200, "stats: %s", json_dumps (r, 0));
        total = json_array_get (json_object_get (r, "rows"), 0);
        if (json_integer_value (json_object_get (total, "received")) == 2
            || zclock_mono () > until)
            break;
        json_decref (r);
    }
    cr_assert_str_eq (json_string_value (json_object_get (total, "by")), "total");
    cr_assert_eq (json_integer_value (json_object_get (total, "received")), 2);
    cr_assert_eq (json_integer_value (json_object_get (total, "signed_for")), 1);
    cr_assert_eq (json_integer_value (json_object_get (total, "resolved")), 1);
    json_decref (r);
    r = cg_http_get_json (stack, stats, town_b, &status);
    cr_assert_eq (status, 403);
    cr_assert_str_eq (s_error_field (r), "scope");
    json_decref (r);

    /*  every action is in the audit log: who, what, on what, from where */
    redisReply *audit = cg_redis_command (stack->redis, "XRANGE cg:{gateway}:audit - +");
    cr_assert (audit && audit->type == REDIS_REPLY_ARRAY);
    bool seen_accept = false, seen_close = false;
    for (size_t i = 0; i < audit->elements; i++) {
        redisReply *kv = audit->element[i]->element[1];
        const char *actor = NULL, *action = NULL, *target = NULL, *from = NULL, *st = NULL;
        for (size_t k = 0; k + 1 < kv->elements; k += 2) {
            const char *key = kv->element[k]->str, *value = kv->element[k + 1]->str;
            if (!strcmp (key, "actor")) actor = value;
            if (!strcmp (key, "action")) action = value;
            if (!strcmp (key, "target")) target = value;
            if (!strcmp (key, "from")) from = value;
            if (!strcmp (key, "status")) st = value;
        }
        cr_assert (actor && action && from && st);
        cr_assert_str_eq (from, "127.0.0.1");
        if (!strcmp (action, "case.accept") && !strcmp (actor, "和平桥环保所")
        &&  !strcmp (target, id) && !strcmp (st, "200"))
            seen_accept = true;
        if (!strcmp (action, "case.close") && !strcmp (actor, "市督办"))
            seen_close = true;
    }
    cr_assert (seen_accept && seen_close, "the audit log misses the accept or the close");
    /*  the city's supervisor reads it newest first, a page at a time; an
        operator may not; a bad cursor or page size is refused by name */
    json_t *log = cg_http_get_json (stack, "/api/v1/audit?limit=1", city, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_integer_value (json_object_get (log, "total")), (int64_t) audit->elements);
    cr_assert_eq (json_array_size (json_object_get (log, "entries")), 1);
    char newest[64], more[600];
    snprintf (newest, sizeof newest, "%s", json_string_value (json_object_get (json_array_get (
                  json_object_get (log, "entries"), 0), "id")));
    snprintf (more, sizeof more, "/api/v1/audit?limit=200&cursor=%s",
              json_string_value (json_object_get (log, "next")));
    json_decref (log);
    log = cg_http_get_json (stack, more, city, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_array_size (json_object_get (log, "entries")), audit->elements - 1,
                  "the rest, each once");
    cr_assert_str_eq (newest, audit->element[audit->elements - 1]->element[0]->str,
                      "the newest first");
    cr_assert_null (json_object_get (log, "next"));
    json_decref (log);
    cg_http_refused (stack, "GET", "/api/v1/audit", town_a, NULL, 0, 403, "role");
    cg_http_refused (stack, "GET", "/api/v1/audit?limit=500", city, NULL, 0, 400, "limit");
    cg_http_refused (stack, "GET", "/api/v1/audit?cursor=bm90IGEgY3Vyc29y", city, NULL, 0, 400,
                     "cursor");
    freeReplyObject (audit);
    free (id);
    free (city);
    free (town_a);
    free (town_b);
    free (county);
    free (unit_a);
    cg_teststack_down (&stack);
}

/*  Issue 16, bug 2: a town merged its case into another town's (200, and a
    step signed by the first town in the other's timeline), and a missing
    `into` answered differently, so it learned which ids exist.  `into` is
    in the caller's scope, and out of scope answers as not found. */
Test (gateway, a_town_cannot_merge_into_another_towns_case)
{
    cg_teststack_t *stack = s_stack ();
    char *town_a = cg_http_token (stack, "operator", S_TOWN_A, "和平桥值班员");
    char *town_b = cg_http_token (stack, "operator", S_TOWN_B, "任港值班员");
    char *county = cg_http_token (stack, "operator", "320602", "崇川区值班员");
    char *mine = s_submit (stack, S_GRID_A, "楼道堆放杂物");
    char *theirs = s_submit (stack, S_GRID_B, "小区门口占道经营");
    s_await_case (stack, mine, town_a);
    s_await_case (stack, theirs, town_b);
    char path[128], body[128];
    snprintf (path, sizeof path, "/api/v1/cases/%s/merge", mine);
    int status;
    snprintf (body, sizeof body, "{\"into\":\"%s\"}", theirs);
    json_t *r = cg_http_post_json (stack, path, town_a, body, &status);
    cr_assert_eq (status, 404, "merge into another town's case: %d", status);
    cr_assert_str_eq (s_error_field (r), "into");
    json_decref (r);
    /*  a case that does not exist answers the same */
    r = cg_http_post_json (stack, path, town_a, "{\"into\":\"CG9999999999\"}", &status);
    cr_assert_eq (status, 404);
    cr_assert_str_eq (s_error_field (r), "into");
    json_decref (r);
    /*  nothing changed on either side */
    snprintf (path, sizeof path, "/api/v1/cases/%s", theirs);
    json_t *c = cg_http_get_json (stack, path, town_b, &status);
    cr_assert_eq (status, 200);
    json_t *steps = json_object_get (c, "steps");
    for (size_t i = 0; i < json_array_size (steps); i++) {
        const char *actor = json_string_value (json_object_get (json_array_get (steps, i),
                                                                "actor"));
        cr_assert (!actor || !strstr (actor, S_TOWN_A), "town A wrote into B's case: %s",
                   actor);
    }
    json_decref (c);
    snprintf (path, sizeof path, "/api/v1/cases/%s", mine);
    c = cg_http_get_json (stack, path, town_a, &status);
    cr_assert_str_eq (json_string_value (json_object_get (c, "state")), "dispatched");
    json_decref (c);
    /*  the county, whose scope holds both, may merge them */
    snprintf (path, sizeof path, "/api/v1/cases/%s/merge", mine);
    r = cg_http_post_json (stack, path, county, body, &status);
    cr_assert_eq (status, 200, "county merge: %s", json_dumps (r, 0));
    cr_assert_str_eq (json_string_value (json_object_get (r, "state")), "merged");
    json_decref (r);
    free (mine);
    free (theirs);
    free (town_a);
    free (town_b);
    free (county);
    cg_teststack_down (&stack);
}

/*  Issue 16, bug 10: ?access_token= was accepted on every route, though
    the docs allow it only on the stream (EventSource cannot send a
    header): a token in a URL ends up in logs and browser histories. */
Test (gateway, a_token_in_the_query_is_accepted_only_on_the_stream)
{
    cg_teststack_t *stack = s_stack ();
    char *town_a = cg_http_token (stack, "operator", S_TOWN_A, "和平桥值班员");
    char path[1024];
    snprintf (path, sizeof path, "/api/v1/cases?access_token=%s", town_a);
    cg_http_refused (stack, "GET", path, NULL, NULL, 0, 401, "Authorization");
    const char *body = "{\"category\":\"noise\",\"text\":\"工地夜间施工\",\"grid\":\""
                       S_GRID_A "\"}";
    cg_http_refused (stack, "POST", path, NULL, body, strlen (body), 401, "Authorization");
    /*  the header still works; the stream's query token is tested with
        the stream (stream_delivers_events_in_scope_and_resumes) */
    int status;
    json_decref (cg_http_get_json (stack, "/api/v1/cases", town_a, &status));
    cr_assert_eq (status, 200);
    free (town_a);
    cg_teststack_down (&stack);
}

Test (gateway, refuses_bad_requests_with_a_reason_and_keeps_serving)
{
    cg_teststack_t *stack = s_stack ();
    char *op = cg_http_token (stack, "operator", S_TOWN_A, "op");
    char *grid = cg_http_token (stack, "grid_worker", S_GRID_A, "网格员");
    cg_http_refused (stack, "GET", "/api/v1/cases", NULL, NULL, 0, 401, "Authorization");
    cg_http_refused (stack, "GET", "/api/v1/cases", "cgt_nosuchtoken", NULL, 0, 401, "Authorization");
    cg_http_refused (stack, "POST", "/api/v1/cases/CG1/accept", grid, NULL, 0, 403, "role");
    cg_http_refused (stack, "GET", "/api/v1/cases/CG0000009999", op, NULL, 0, 404, "id");
    cg_http_refused (stack, "GET", "/api/v1/cases?limit=abc", op, NULL, 0, 400, "limit");
    cg_http_refused (stack, "GET", "/api/v1/cases?limit=5000", op, NULL, 0, 400, "limit");
    cg_http_refused (stack, "GET", "/api/v1/cases?bogus=1", op, NULL, 0, 400, "bogus");
    cg_http_refused (stack, "GET", "/api/v1/nothing", op, NULL, 0, 404, "path");
    cg_http_refused (stack, "GET", "/api/v1/%ff%e5%99", op, NULL, 0, 404, "path");
    cg_http_refused (stack, "GET", "/api/v1/cases?state=%ff", op, NULL, 0, 400, "state");
    cg_http_refused (stack, "DELETE", "/api/v1/cases", op, NULL, 0, 405, "method");
    cg_http_refused (stack, "POST", "/api/v1/cases", op, "{\"text\":", 8, 400, "body");
    cg_http_refused (stack, "POST", "/api/v1/cases", op, "[1,2]", 5, 400, "body");
    cg_http_refused (stack, "POST", "/api/v1/cases", op, "{\"text\":\"a\",\"text\":\"b\"}", 23, 400,
               "body");
    cg_http_refused (stack, "POST", "/api/v1/cases", op, "{\"text\":\"\xff\xfe\"}", 14, 400, "body");
    cg_http_refused (stack, "POST", "/api/v1/cases", op, "{\"category\":[\"noise\"]}", 22, 400,
               "category");
    char big_text[5000];
    memset (big_text, 'x', sizeof big_text);
    char body[6000];
    snprintf (body, sizeof body, "{\"category\":\"noise\",\"grid\":\"%s\",\"text\":\"%.*s\"}",
              S_GRID_A, (int) sizeof big_text, big_text);
    cg_http_refused (stack, "POST", "/api/v1/cases", op, body, strlen (body), 400, "text");
    size_t huge = 70 * 1024;
    char *blob = malloc (huge);
    memset (blob, ' ', huge);
    cg_http_refused (stack, "POST", "/api/v1/cases", op, blob, huge, 413, "body");
    free (blob);

    /*  headers beyond the limit are refused by the server itself */
    char *header = malloc (40 * 1024);
    strcpy (header, "X-Padding: ");
    memset (header + 11, 'y', 40 * 1024 - 12);
    header[40 * 1024 - 1] = 0;
    const char *headers[] = { header, NULL };
    cg_http_reply_t reply;
    cg_http (stack, &reply, "GET", "/api/v1/me", op, headers, NULL, 0, NULL);
    cr_assert (reply.status == 431 || reply.status == 413, "got %d", reply.status);
    cg_http_reply_clear (&reply);
    free (header);

    /*  a revoked token is refused from then on */
    char *doomed = cg_http_token (stack, "operator", S_TOWN_A, "临时值班员");
    char *listed = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &listed, "token list"), 0);
    cr_assert (strstr (listed, "临时值班员") && !strstr (listed, doomed), "%s", listed);
    free (listed);
    int before;
    json_decref (cg_http_get_json (stack, "/api/v1/me", doomed, &before));
    cr_assert_eq (before, 200);
    cr_assert_eq (cg_teststack_cli (stack, NULL, "token revoke %s", doomed), 0);
    cg_http_refused (stack, "GET", "/api/v1/me", doomed, NULL, 0, 401, "Authorization");
    free (doomed);

    /*  and after all that it still serves */
    int status;
    json_t *me = cg_http_get_json (stack, "/api/v1/me", op, &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (me, "scope")), S_TOWN_A);
    cr_assert_str_eq (json_string_value (json_object_get (me, "role")), "operator");
    json_decref (me);
    free (op);
    free (grid);
    cg_teststack_down (&stack);
}

Test (gateway, rate_limits_per_token_and_per_address)
{
    cg_teststack_t *stack = s_stack ();
    char *op = cg_http_token (stack, "operator", S_TOWN_A, "op");
    int ok = 0, status = 0;
    /*  600 a minute with one token; the window may turn once meanwhile */
    while (ok < 1300) {
        cg_http_reply_t reply;
        cg_http (stack, &reply, "GET", "/api/v1/me", op, NULL, NULL, 0, NULL);
        status = reply.status;
        if (status == 429)
            cr_assert (strstr (reply.body, "this token"), "%s", reply.body);
        cg_http_reply_clear (&reply);
        if (status != 200)
            break;
        ok++;
    }
    cr_assert_eq (status, 429, "no token limit after %d requests", ok);
    /*  1200 a minute from one address, with or without a token */
    ok = 0;
    while (ok < 2500) {
        cg_http_reply_t reply;
        cg_http (stack, &reply, "GET", "/open311/v2/services.json", NULL, NULL, NULL, 0, NULL);
        status = reply.status;
        if (status == 429)
            cr_assert (strstr (reply.body, "127.0.0.1"), "%s", reply.body);
        cg_http_reply_clear (&reply);
        if (status != 200)
            break;
        ok++;
    }
    cr_assert_eq (status, 429, "no address limit after %d requests", ok);
    free (op);
    cg_teststack_down (&stack);
}

/*  A hotline push, signed with secret at timestamp. */
static json_t *
s_push (cg_teststack_t *stack, const char *hotline, const char *secret, int64_t timestamp,
        const char *body, int *status)
{
    return cg_http_hotline_push (stack, hotline, secret, timestamp, body, status);
}

Test (gateway, hotline_orders_are_signed_and_idempotent)
{
    cg_teststack_t *stack = s_stack ();
    const char *order = "{\"order_no\":\"GD20261122-0001\",\"category\":\"noise\","
                        "\"call_time\":\"2026-11-22T15:04:05+08:00\",\"class\":\"投诉\","
                        "\"content\":\"市民来电反映夜间噪音\",\"address\":\"和平桥街道工农路\","
                        "\"caller_phone\":\"13812345678\"}";
    int64_t now = time (NULL);
    int status;
    json_t *first = s_push (stack, "h12345", S_SECRET, now, order, &status);
    cr_assert_eq (status, 200, "%s", json_dumps (first, 0));
    const char *id = json_string_value (json_object_get (first, "id"));
    cr_assert (id);
    cr_assert (json_is_false (json_object_get (first, "repeat")));
    /*  a replay is answered with the first result, and makes nothing new */
    json_t *again = s_push (stack, "h12345", S_SECRET, now + 1, order, &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (again, "id")), id);
    cr_assert (json_is_true (json_object_get (again, "repeat")));
    json_decref (again);
    /*  the case is the hotline's, with its order number */
    char *city = cg_http_token (stack, "admin", "320600", "admin");
    s_await_case (stack, id, city);
    char path[128];
    snprintf (path, sizeof path, "/api/v1/cases/%s", id);
    json_t *c = cg_http_get_json (stack, path, city, &status);
    cr_assert_str_eq (json_string_value (json_object_get (c, "source")), "hotline");
    cr_assert_str_eq (json_string_value (json_object_get (c, "ext_ref")), "GD20261122-0001");
    json_decref (c);
    json_decref (first);

    json_t *r = s_push (stack, "h12345", "wrong-secret", now, order, &status);
    cr_assert_eq (status, 401);
    cr_assert_str_eq (s_error_field (r), "X-CG-Signature");
    json_decref (r);
    r = s_push (stack, "h12345", S_SECRET, now - 3600, order, &status);
    cr_assert_eq (status, 401);
    cr_assert_str_eq (s_error_field (r), "X-CG-Timestamp");
    json_decref (r);
    /*  a timestamp at the edge of a 64-bit number is far from our clock too
        (the gateway's answer counted the distance past the edge and died) */
    r = s_push (stack, "h12345", S_SECRET, INT64_MIN + 1, order, &status);
    cr_assert_eq (status, 401);
    cr_assert_str_eq (s_error_field (r), "X-CG-Timestamp");
    json_decref (r);
    r = s_push (stack, "h99999", S_SECRET, now, order, &status);
    cr_assert_eq (status, 401);
    cr_assert_str_eq (s_error_field (r), "X-CG-Hotline");
    json_decref (r);
    /*  bad orders, each refused by the field at fault; the old
        case.submit shape is not a second format */
    static const struct { const char *body, *field; } bad[] = {
        { "{\"order_no\":", "body" },
        { "{\"call_time\":\"2026-11-22T15:04:05+08:00\",\"class\":\"投诉\","
          "\"content\":\"无单号\"}", "order_no" },
        { "{\"order_no\":\"GD2\",\"call_time\":\"2026-11-22T15:04:05+08:00\","
          "\"class\":\"抱怨\",\"content\":\"x\"}", "class" },
        { "{\"order_no\":\"GD3\",\"category\":\"noise\",\"text\":\"x\",\"grid\":\""
          S_GRID_A "\"}", "call_time" },
        { "{\"rid\":\"mine\",\"order_no\":\"GD4\",\"call_time\":\"2026-11-22T15:04:05"
          "+08:00\",\"class\":\"投诉\",\"content\":\"x\"}", "rid" } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        r = s_push (stack, "h12345", S_SECRET, now, bad[i].body, &status);
        cr_assert_eq (status, 400, "%s", bad[i].body);
        cr_assert_str_eq (s_error_field (r), bad[i].field, "%s", json_dumps (r, 0));
        json_decref (r);
    }
    /*  the hotline's orders are in the audit log under its name */
    redisReply *audit = cg_redis_command (stack->redis, "XRANGE cg:{gateway}:audit - +");
    cr_assert (audit && audit->type == REDIS_REPLY_ARRAY && audit->elements >= 2);
    char *entry = NULL;
    for (size_t k = 0; k < audit->element[0]->element[1]->elements; k++)
        if (!strcmp (audit->element[0]->element[1]->element[k]->str, "actor"))
            entry = audit->element[0]->element[1]->element[k + 1]->str;
    cr_assert_str_eq (entry, "hotline:h12345");
    freeReplyObject (audit);
    cg_http_reply_t reply;
    cg_http (stack, &reply, "POST", "/api/v1/hotline/orders", NULL, NULL, order, strlen (order),
             "application/json");
    cr_assert_eq (reply.status, 401);
    cr_assert (strstr (reply.body, "X-CG-Hotline"));
    cg_http_reply_clear (&reply);
    free (city);
    cg_teststack_down (&stack);
}

/*  The shell block of docs/API.md that follows the marker, as written. */
static char *
s_doc_example (const char *marker)
{
    char path[1024];
    snprintf (path, sizeof path, "%s/docs/API.md", cg_test_root ());
    FILE *f = fopen (path, "r");
    cr_assert (f, "cannot read %s", path);
    static char doc[256 * 1024];
    size_t n = fread (doc, 1, sizeof doc - 1, f);
    fclose (f);
    doc[n] = 0;
    const char *at = strstr (doc, marker);
    cr_assert (at, "docs/API.md has no %s", marker);
    const char *open = strstr (at, "```sh\n");
    cr_assert (open, "no shell block after %s", marker);
    open += 6;
    const char *close = strstr (open, "\n```");
    cr_assert (close);
    return strndup (open, (size_t) (close - open + 1));
}

/*  Runs script with sh, GATEWAY and SECRET set, and returns what it
    printed, as JSON. */
static json_t *
s_run_example (cg_teststack_t *stack, const char *script)
{
    char file[512], base[128], command[1024];
    const char *tmp = getenv ("CG_TEST_TMP");
    snprintf (file, sizeof file, "%s/example-%d.sh", tmp ? tmp : "/tmp", (int) getpid ());
    FILE *f = fopen (file, "w");
    cr_assert (f);
    fputs (script, f);
    fclose (f);
    cg_http_base (stack, base, sizeof base);
    snprintf (command, sizeof command, "GATEWAY=%s SECRET=%s sh %s 2>&1", base, S_SECRET, file);
    FILE *p = popen (command, "r");
    cr_assert (p);
    static char out[8192];
    size_t n = fread (out, 1, sizeof out - 1, p);
    out[n] = 0;
    pclose (p);
    unlink (file);
    json_t *json = json_loads (out, 0, NULL);
    cr_assert (json, "the example printed no JSON: %s", out);
    return json;
}

Test (gateway, the_documented_hotline_push_works_as_written, .timeout = 180)
{
    cg_teststack_t *stack = s_stack ();
    char *script = s_doc_example ("<!-- example: hotline-push");
    json_t *first = s_run_example (stack, script);
    const char *id = json_string_value (json_object_get (first, "id"));
    cr_assert (id && strncmp (id, "CG", 2) == 0, "%s", json_dumps (first, 0));
    cr_assert (json_is_false (json_object_get (first, "merged")));
    cr_assert (json_is_false (json_object_get (first, "repeat")));

    /*  the case is what `civgrid hotline` makes of the same order: no
        category given, so classified from the words (噪音); placed by the
        address (工农路, a grid of 和平桥街道); urgent; the hotline's time
        limit as its due date; the caller's phone masked */
    char *city = cg_http_token (stack, "admin", "320600", "admin");
    s_await_case (stack, id, city);
    char path[128];
    int status;
    snprintf (path, sizeof path, "/api/v1/cases/%s", id);
    json_t *c = cg_http_get_json (stack, path, city, &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (c, "source")), "hotline");
    cr_assert_str_eq (json_string_value (json_object_get (c, "category")), "noise");
    cr_assert_str_eq (json_string_value (json_object_get (c, "grid")), "320602001002003");
    cr_assert (json_is_true (json_object_get (c, "urgent")), "%s", json_dumps (c, 0));
    cr_assert_str_eq (json_string_value (json_object_get (c, "contact")), "138****5678");
    int64_t due = json_integer_value (json_object_get (c, "due"));
    int64_t in_two_days = (int64_t) time (NULL) * 1000 + 2 * 86400000LL;
    cr_assert (due > in_two_days - 600000 && due <= in_two_days + 1000, "due %lld", (long long) due);
    cr_assert (json_integer_value (json_object_get (c, "done_by")) <= due);
    /*  the recording is kept as a link */
    cr_assert_str_eq (json_string_value (json_array_get (json_object_get (c, "media"), 0)),
                      "https://12345.example.cn/recordings/GD-0001.mp3");
    json_decref (c);

    /*  pasted again: the same order number, the first answer */
    json_t *again = s_run_example (stack, script);
    cr_assert (json_is_true (json_object_get (again, "repeat")));
    cr_assert_str_eq (json_string_value (json_object_get (again, "id")), id);
    json_decref (again);

    /*  another caller's order about the same problem joins the case */
    char *other = strdup (script);
    char *no = strstr (other, "-0001");
    cr_assert (no);
    no[4] = '2';
    char *phone = strstr (other, "13812345678");
    cr_assert (phone);
    memcpy (phone, "13900001111", 11);
    json_t *joined = s_run_example (stack, other);
    cr_assert (json_is_true (json_object_get (joined, "merged")), "%s", json_dumps (joined, 0));
    cr_assert_str_eq (json_string_value (json_object_get (joined, "id")), id);
    cr_assert_eq (json_integer_value (json_object_get (joined, "supporters")), 2);
    json_decref (joined);
    free (other);
    json_decref (first);
    free (script);
    free (city);
    cg_teststack_down (&stack);
}

Test (gateway, stream_delivers_events_in_scope_and_resumes)
{
    cg_teststack_t *stack = s_stack ();
    char *town_b = cg_http_token (stack, "operator", S_TOWN_B, "任港值班员");
    char *city = cg_http_token (stack, "operator", "320600", "市值班员");
    char *in_a = s_submit (stack, S_GRID_A, "和平桥的噪音");
    s_await_case (stack, in_a, city);
    char *in_b = s_submit (stack, S_GRID_B, "任港的噪音");
    s_await_case (stack, in_b, city);

    /*  the county's list is its towns' queues merged, paged by the gateway */
    char *county = cg_http_token (stack, "operator", "320602", "崇川区值班员");
    int status;
    json_t *page = cg_http_get_json (stack, "/api/v1/cases?state=dispatched", county, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_integer_value (json_object_get (page, "total")), 2);
    const char *first = json_string_value (json_object_get (json_array_get (
                            json_object_get (page, "cases"), 0), "id"));
    cr_assert_str_eq (first, in_a, "in deadline order, the earlier case first");
    json_decref (page);
    page = cg_http_get_json (stack, "/api/v1/cases?state=dispatched&limit=1", county, &status);
    char next[600];
    snprintf (next, sizeof next, "/api/v1/cases?state=dispatched&limit=1&cursor=%s",
              json_string_value (json_object_get (page, "next")));
    json_decref (page);
    page = cg_http_get_json (stack, next, county, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_array_size (json_object_get (page, "cases")), 1);
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (
                          json_object_get (page, "cases"), 0), "id")), in_b);
    json_decref (page);
    page = cg_http_get_json (stack, "/api/v1/cases", town_b, &status);
    cr_assert_eq (json_integer_value (json_object_get (page, "total")), 1);
    json_decref (page);
    free (county);

    /*  town B reads the journal from its start: its own case, never A's */
    char want[64];
    snprintf (want, sizeof want, "\"id\":\"%s\"", in_b);
    char *got = cg_http_stream (stack, "/api/v1/stream", town_b, "dispatch:0", want, 30000);
    cr_assert (strstr (got, want), "town B never heard of its case: %s", got);
    cr_assert (strstr (got, "event: case.dispatched"));
    char other[64];
    snprintf (other, sizeof other, "\"id\":\"%s\"", in_a);
    cr_assert_null (strstr (got, other), "town B heard of town A's case: %s", got);
    free (got);

    /*  the city hears both; from where it left off, only what came after */
    snprintf (want, sizeof want, "\"id\":\"%s\"", in_a);
    got = cg_http_stream (stack, "/api/v1/stream?access_token=", NULL, NULL, "x", 100);
    cr_assert (strstr (got, "Authorization"), "a stream without a token: %s", got);
    free (got);
    char path[128];
    snprintf (path, sizeof path, "/api/v1/stream?access_token=%s", city);
    got = cg_http_stream (stack, path, NULL, "dispatch:0", want, 30000);
    char *line = strstr (got, want);
    cr_assert (line, "the city never heard of case %s: %s", in_a, got);
    /*  the id line of that event */
    char *id_line = NULL;
    for (char *p = got; (p = strstr (p, "id: dispatch:")) && p < line; p++)
        id_line = p;
    cr_assert (id_line);
    long long seq = atoll (id_line + strlen ("id: dispatch:"));
    free (got);
    char from[32];
    snprintf (from, sizeof from, "dispatch:%lld", seq);
    snprintf (want, sizeof want, "\"id\":\"%s\"", in_b);
    got = cg_http_stream (stack, path, NULL, from, want, 30000);
    cr_assert (strstr (got, want), "resumed stream lacks %s: %s", in_b, got);
    cr_assert_null (strstr (got, other), "resumed stream repeated an earlier event: %s", got);
    free (got);
    /*  the gateway keeps nothing of its own: killed with -9 and started
        again, it knows the tokens and resumes the stream where asked */
    cg_teststack_kill9 (stack, "gateway");
    cg_teststack_restart (stack);
    got = cg_http_stream (stack, path, NULL, from, want, 30000);
    cr_assert (strstr (got, want), "after a restart the stream lacks %s: %s", in_b, got);
    cr_assert_null (strstr (got, other), "%s", got);
    free (got);
    /*  an id this stream never sent is refused, also one at the edge of a
        64-bit number (the stream would count past it), a journal named
        twice or not read, and a combined id cut short or joined wrong */
    static const char *const bad_ids[] = { "yesterday", "dispatch:9223372036854775807",
                                           "dispatch:99999999999999999999", "dispatch:-1",
                                           "dispatch:1,dispatch:2", "notification:1,",
                                           "dispatch:1;notification:2", "intake:3",
                                           "dispatch:1,notification:-2",
                                           "dispatch:1, notification:2" };
    for (size_t i = 0; i < sizeof bad_ids / sizeof bad_ids[0]; i++) {
        cg_http_reply_t reply;
        char header[96];
        snprintf (header, sizeof header, "Last-Event-ID: %s", bad_ids[i]);
        const char *bad[] = { header, NULL };
        cg_http (stack, &reply, "GET", path, NULL, bad, NULL, 0, NULL);
        cr_assert_eq (reply.status, 400, "Last-Event-ID %s: %d %s", bad_ids[i], reply.status,
                      reply.body);
        cr_assert (strstr (reply.body, "Last-Event-ID"), "%s", reply.body);
        cg_http_reply_clear (&reply);
    }
    free (in_a);
    free (in_b);
    free (town_b);
    free (city);
    cg_teststack_down (&stack);
}

Test (gateway, device_alarms_and_search)
{
    cg_teststack_t *stack = s_stack ();
    /*  the token's name is the vendor of the registry (deploy/demo/devices.tsv) */
    char *vendor = cg_http_token (stack, "device_vendor", "320602", "安康手表");
    char *other_vendor = cg_http_token (stack, "device_vendor", "320602", "小伴机器人");
    char *op = cg_http_token (stack, "operator", S_TOWN_A, "op");
    char now[40], alarm[512];
    cg_time_iso (cg_clock_now () - 5000, now, sizeof now);
    snprintf (alarm, sizeof alarm, "{\"alarm_id\":\"WATCH-778-20261122T0801\",\"device\":"
              "\"W-0001\",\"type\":\"fall\",\"at\":\"%s\",\"vendor\":\"小伴机器人\"}", now);
    int status;
    json_t *first = cg_http_post_json (stack, "/api/v1/alarms", vendor, alarm, &status);
    cr_assert_eq (status, 200, "%s", json_dumps (first, 0));
    cr_assert (json_is_true (json_object_get (first, "accepted")), "%s", json_dumps (first, 0));
    const char *id = json_string_value (json_object_get (first, "id"));
    json_t *again = cg_http_post_json (stack, "/api/v1/alarms", vendor, alarm, &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (again, "id")), id);
    cr_assert (json_is_true (json_object_get (again, "repeat")), "a repeated alarm is one case");
    json_decref (again);
    s_await_case (stack, id, op);
    char path[128];
    snprintf (path, sizeof path, "/api/v1/cases/%s", id);
    json_t *c = cg_http_get_json (stack, path, op, &status);
    cr_assert_str_eq (json_string_value (json_object_get (c, "source")), "device");
    cr_assert_str_eq (json_string_value (json_object_get (c, "category")), "elderly_alarm");
    json_decref (c);
    /*  another vendor's device is unknown to a vendor, whatever its body
        claims; a stale alarm is refused with its reason */
    json_t *r = cg_http_post_json (stack, "/api/v1/alarms", other_vendor,
                                   "{\"alarm_id\":\"X1\",\"device\":\"W-0001\",\"type\":\"sos\","
                                   "\"at\":\"2026-01-01T08:00:00+08:00\"}", &status);
    cr_assert_eq (status, 200);
    cr_assert (json_is_false (json_object_get (r, "accepted")));
    cr_assert_str_eq (json_string_value (json_object_get (r, "reason")), "unknown_device");
    json_decref (r);
    r = cg_http_post_json (stack, "/api/v1/alarms", vendor,
                           "{\"alarm_id\":\"X2\",\"device\":\"W-0001\",\"type\":\"sos\","
                           "\"at\":\"2026-01-01T08:00:00+08:00\"}", &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (r, "reason")), "stale_alarm");
    json_decref (r);
    r = cg_http_post_json (stack, "/api/v1/alarms", vendor, "{\"device\":\"W-0001\"}", &status);
    cr_assert_eq (status, 400);
    cr_assert_str_eq (s_error_field (r), "alarm_id");
    json_decref (r);
    r = cg_http_post_json (stack, "/api/v1/alarms", op, alarm, &status);
    cr_assert_eq (status, 403);
    cr_assert_str_eq (s_error_field (r), "role");
    json_decref (r);
    r = cg_http_get_json (stack, "/api/v1/cases", vendor, &status);
    cr_assert_eq (status, 403);
    json_decref (r);
    /*  cancelling: only one's own, only what was raised */
    r = cg_http_post_json (stack, "/api/v1/alarms/WATCH-778-20261122T0801/cancel", other_vendor,
                           "{\"device\":\"W-0001\"}", &status);
    cr_assert_eq (status, 404);
    cr_assert_str_eq (s_error_field (r), "device");
    json_decref (r);
    r = cg_http_post_json (stack, "/api/v1/alarms/NEVER/cancel", vendor,
                           "{\"device\":\"W-0001\"}", &status);
    cr_assert_eq (status, 404);
    cr_assert_str_eq (s_error_field (r), "alarm_id");
    json_decref (r);
    r = cg_http_post_json (stack, "/api/v1/alarms/WATCH-778-20261122T0801/cancel", vendor,
                           "{\"device\":\"W-0001\",\"reason\":\"老人已接听电话，误触\"}", &status);
    cr_assert_eq (status, 200, "%s", json_dumps (r, 0));
    cr_assert_str_eq (json_string_value (json_object_get (r, "id")), id);
    json_decref (r);
    r = cg_http_post_json (stack, "/api/v1/alarms/WATCH-778-20261122T0801/cancel", vendor,
                           "{\"device\":\"W-0001\"}", &status);
    cr_assert_eq (status, 200);
    cr_assert (json_is_true (json_object_get (r, "repeat")), "a second cancel changes nothing");
    json_decref (r);

    /*  the search box: live and archived cases alike, by a piece of the
        text or by the whole reference (the archive's search, docs/API.md) */
    char *other = s_submit (stack, S_GRID_A, "路灯不亮");
    s_await_case (stack, other, op);
    json_t *page = cg_http_get_json (stack, "/api/v1/cases?q=%E8%B7%8C%E5%80%92", op, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_array_size (json_object_get (page, "cases")), 1,
                  "a search finds the one case");
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (
                          json_object_get (page, "cases"), 0), "id")), id);
    json_decref (page);
    page = cg_http_get_json (stack, "/api/v1/cases?q=WATCH-778-20261122T0801", op, &status);
    cr_assert_eq (json_array_size (json_object_get (page, "cases")), 1);
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (
                          json_object_get (page, "cases"), 0), "id")), id);
    json_decref (page);
    page = cg_http_get_json (stack, "/api/v1/cases", op, &status);
    cr_assert_eq (json_integer_value (json_object_get (page, "total")), 2);
    json_decref (page);

    /*  each view's count is what paging through it yields: a
        category, urgent, a state, and the whole queue (docs/API.md) */
    const char *views[] = { "category=noise", "urgent=1", "urgent=0",
                            "state=dispatched&urgent=0", "state=dispatched", "state=all" };
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        cr_assert_eq (s_count (stack, views[i], op), s_rows (stack, views[i], op),
                      "the count of %s is its rows", views[i]);
    cr_assert_eq (s_count (stack, "category=noise", op), 1);
    cr_assert_eq (s_count (stack, "state=all", op), 2);
    /*  a filtered page that ends on the last case its queue gave still goes
        on (the queue had more): by creation the alarm, then three noises */
    char *more[] = { s_submit (stack, S_GRID_A, "广场舞音响太吵"),
                     s_submit (stack, S_GRID_A, "夜间施工噪声扰民") };
    for (size_t i = 0; i < 2; i++)
        s_await_case (stack, more[i], op);
    cr_assert_eq (s_rows (stack, "state=all&category=noise", op), 3,
                  "paging a filtered list a case at a time yields each of its cases");
    cr_assert_eq (s_count (stack, "state=all&category=noise", op), 3);
    /*  a filtered page is read on until it holds its limit: newest first,
        the alarm comes after three noises, and is still on its view's
        first page (not an empty page with a next) */
    page = cg_http_get_json (stack, "/api/v1/cases?state=all&newest=1&category=elderly_alarm"
                             "&limit=1", op, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_array_size (json_object_get (page, "cases")), 1,
                  "the first page of a view holds its case: %s", json_dumps (page, 0));
    json_decref (page);
    free (more[0]);
    free (more[1]);
    r = cg_http_get_json (stack, "/api/v1/cases?count=yes", op, &status);
    cr_assert_eq (status, 400);
    cr_assert_str_eq (s_error_field (r), "count");
    json_decref (r);
    r = cg_http_get_json (stack, "/api/v1/cases?q=WATCH-778&count=1", op, &status);
    cr_assert_eq (status, 400, "a search is not counted");
    cr_assert_str_eq (s_error_field (r), "count");
    json_decref (r);
    json_decref (first);
    free (other);
    free (vendor);
    free (other_vendor);
    free (op);
    cg_teststack_down (&stack);
}
