/*  Consultation topics and funds through the gateway, over real HTTP
    against a real stack: each town's operators reach their own
    communities' topics and funds only (another town's are 404, a place
    outside the scope 403), the actor is always the token's holder, every
    action is audited, and without a token only what was published can be
    read: a topic's published texts, a fund's published month as JSON, as
    the printable page and as its head hash. */
#include <criterion/criterion.h>
#include "cg_testhttp.h"

#define S_TOWN_A        "320602001"         /* 和平桥街道 */
#define S_TOWN_B        "320602002"         /* 任港街道 */
#define S_COMMUNITY_A   "320602001001"      /* 新桥社区: rosters and the demo funds */
#define S_COMMUNITY_B   "320602002001"
#define S_GRID_B        "320602002001001"

static const char *
s_field (json_t *reply)
{
    return json_string_value (json_object_get (json_object_get (reply, "error"), "field"));
}

static const char *
s_str (json_t *json, const char *key)
{
    return json_string_value (json_object_get (json, key));
}

/*  POSTs and asserts the status; returns the reply. */
static json_t *
s_post (cg_teststack_t *stack, const char *path, const char *token, const char *body, int want)
{
    int status;
    json_t *reply = cg_http_post_json (stack, path, token, body, &status);
    char *text = json_dumps (reply, 0);
    cr_assert_eq (status, want, "POST %s answered %d: %s", path, status, text);
    free (text);
    return reply;
}

static json_t *
s_get (cg_teststack_t *stack, const char *path, const char *token, int want)
{
    int status;
    json_t *reply = cg_http_get_json (stack, path, token, &status);
    char *text = json_dumps (reply, 0);
    cr_assert_eq (status, want, "GET %s answered %d: %s", path, status, text);
    free (text);
    return reply;
}

/*  GETs and asserts how many: the integer key, or the length of the array key. */
static void
s_count (cg_teststack_t *stack, const char *path, const char *token, const char *key,
         size_t want)
{
    json_t *reply = s_get (stack, path, token, 200);
    json_t *value = json_object_get (reply, key);
    size_t have = json_is_array (value) ? json_array_size (value)
                                        : (size_t) json_integer_value (value);
    cr_assert_eq (have, want, "GET %s: %zu %s, not %zu", path, have, key, want);
    json_decref (reply);
}

/*  Whether the audit log holds action on target by actor, answered status. */
static bool
s_audited (cg_teststack_t *stack, const char *action, const char *target, const char *actor,
           const char *status)
{
    redisReply *audit = cg_redis_command (stack->redis, "XRANGE cg:{gateway}:audit - +");
    cr_assert (audit && audit->type == REDIS_REPLY_ARRAY);
    bool seen = false;
    for (size_t i = 0; i < audit->elements && !seen; i++) {
        redisReply *kv = audit->element[i]->element[1];
        int matched = 0;
        for (size_t k = 0; k + 1 < kv->elements; k += 2) {
            const char *key = kv->element[k]->str, *value = kv->element[k + 1]->str;
            matched += (!strcmp (key, "action") && !strcmp (value, action))
                    || (!strcmp (key, "target") && !strcmp (value, target))
                    || (!strcmp (key, "actor") && !strcmp (value, actor))
                    || (!strcmp (key, "status") && !strcmp (value, status))
                    || (!strcmp (key, "from") && !strcmp (value, "127.0.0.1"));
        }
        seen = matched == 5;
    }
    freeReplyObject (audit);
    return seen;
}

Test (gateway_civic, topics_keep_each_town_to_itself_and_only_published_texts_are_public,
      .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *town_a = cg_http_token (stack, "operator", S_TOWN_A, "和平桥值班员");
    char *town_b = cg_http_token (stack, "operator", S_TOWN_B, "任港值班员");
    char *county = cg_http_token (stack, "operator", "320602", "崇川区值班员");
    char *city = cg_http_token (stack, "supervisor", "320600", "市督办");
    char *grid = cg_http_token (stack, "grid_worker", S_COMMUNITY_A "001", "网格员");

    /*  raising: only in one's own communities; the actor is the gateway's */
    json_t *r = s_post (stack, "/api/v1/topics", town_b, "{\"title\":\"加装电梯\",\"scope\":\""
                        S_COMMUNITY_A "\",\"source\":\"proposal\",\"procedure\":\"plain\"}", 403);
    cr_assert_str_eq (s_field (r), "scope");
    json_decref (r);
    r = s_post (stack, "/api/v1/topics", town_a, "{\"title\":\"老旧小区加装电梯\",\"scope\":\""
                S_COMMUNITY_A "\",\"source\":\"proposal\",\"procedure\":\"plain\","
                "\"description\":\"3号楼住户张某提议\",\"actor\":\"someone.else\"}", 200);
    char id[40], path[160];
    snprintf (id, sizeof id, "%s", s_str (r, "id"));
    cr_assert_str_eq (s_str (r, "state"), "draft");
    cr_assert_str_eq (s_str (r, "actor"), "center:" S_TOWN_A ":和平桥值班员");
    json_decref (r);
    json_decref (s_post (stack, "/api/v1/topics", town_a, "{\"title\":\"停车位划线\",\"scope\":\""
                         S_COMMUNITY_A "\",\"source\":\"government\",\"procedure\":\"plain\"}",
                         200));

    /*  reading: town A, its county and the city; town B learns nothing */
    snprintf (path, sizeof path, "/api/v1/topics/%s", id);
    json_decref (s_get (stack, path, town_a, 200));
    json_decref (s_get (stack, path, county, 200));
    json_decref (s_get (stack, path, city, 200));
    cg_http_reply_t raw;
    cg_http (stack, &raw, "GET", path, town_b, NULL, NULL, 0, NULL);
    cr_assert_eq (raw.status, 404);
    cr_assert_null (strstr (raw.body, "电梯"), "another town's topic leaked: %s", raw.body);
    cg_http_reply_clear (&raw);
    s_count (stack, "/api/v1/topics", town_b, "total", 0);
    s_count (stack, "/api/v1/topics", town_a, "total", 2);
    json_t *page = s_get (stack, "/api/v1/topics?limit=1", county, 200);
    cr_assert_eq (json_array_size (json_object_get (page, "topics")), 1);
    char next[600];
    snprintf (next, sizeof next, "/api/v1/topics?limit=1&cursor=%s",
              s_str (page, "next"));
    json_decref (page);
    page = s_get (stack, next, county, 200);
    cr_assert_eq (json_integer_value (json_object_get (page, "total")), 2);
    cr_assert_eq (json_array_size (json_object_get (page, "topics")), 1);
    cr_assert_null (json_object_get (page, "next"), "the second of two is the last");
    cr_assert_str_eq (s_str (json_array_get (json_object_get (page, "topics"), 0), "id"), id,
                      "newest first: the first raised comes second");
    json_decref (page);
    s_count (stack, "/api/v1/topics?scope=" S_COMMUNITY_A, city, "total", 2);
    cg_http_refused (stack, "GET", "/api/v1/topics?scope=" S_COMMUNITY_A, town_b, NULL, 0, 403,
                     "scope");
    cg_http_refused (stack, "GET", "/api/v1/topics", grid, NULL, 0, 403, "role");
    cg_http_refused (stack, "GET", "/api/v1/topics", NULL, NULL, 0, 401, "Authorization");
    cg_http_refused (stack, "DELETE", path, town_a, NULL, 0, 405, "method");
    cg_http_refused (stack, "GET", "/api/v1/topics/YS999999", town_a, NULL, 0, 404, "id");
    cg_http_refused (stack, "GET", "/api/v1/topics?limit=500", town_a, NULL, 0, 400, "limit");

    /*  town B can take no step on it, and nothing moves */
    snprintf (path, sizeof path, "/api/v1/topics/%s/stage", id);
    json_decref (s_post (stack, path, town_b, "{}", 404));
    snprintf (path, sizeof path, "/api/v1/topics/%s", id);
    r = s_get (stack, path, town_a, 200);
    cr_assert_str_eq (s_str (r, "state"), "draft");
    json_decref (r);

    /*  the meeting: attendance, one vote a member, the tally decides */
    snprintf (path, sizeof path, "/api/v1/topics/%s/stage", id);
    r = s_post (stack, path, town_a, "{\"place\":\"新桥社区议事厅\"}", 200);
    cr_assert_str_eq (s_str (r, "state"), "deliberating");
    json_decref (r);
    snprintf (path, sizeof path, "/api/v1/topics/%s/meeting", id);
    r = s_post (stack, path, town_a, "{\"members\":[\"xq-iv01\",\"xq-iv02\",\"xq-iv03\","
                "\"xq-iv04\",\"xq-iv05\"]}", 200);
    cr_assert_eq (json_integer_value (json_object_get (r, "attended")), 5);
    json_decref (r);
    snprintf (path, sizeof path, "/api/v1/topics/%s/vote", id);
    r = s_post (stack, path, town_a, "{\"member\":\"xq-iv01\",\"choice\":\"maybe\"}", 400);
    cr_assert_str_eq (s_field (r), "choice");
    json_decref (r);
    const char *members[] = { "xq-iv01", "xq-iv02", "xq-iv03", "xq-iv04" };
    for (int i = 0; i < 4; i++) {
        char body[80];
        snprintf (body, sizeof body, "{\"member\":\"%s\",\"choice\":\"yes\"}", members[i]);
        json_decref (s_post (stack, path, town_a, body, 200));
    }
    json_decref (s_post (stack, path, town_a, "{\"member\":\"xq-iv01\",\"choice\":\"no\"}", 409));
    json_decref (s_post (stack, path, town_b, "{\"member\":\"xq-iv05\",\"choice\":\"no\"}", 404));
    snprintf (path, sizeof path, "/api/v1/topics/%s/tally", id);
    r = s_post (stack, path, town_a, "{\"close\":true}", 200);
    cr_assert_str_eq (s_str (r, "decision"), "adopted");
    cr_assert_eq (json_integer_value (json_object_get (r, "yes")), 4);
    json_decref (r);

    /*  decided is not published: the public sees nothing yet */
    char public[160];
    snprintf (public, sizeof public, "/api/v1/public/topics/%s", id);
    cg_http (stack, &raw, "GET", public, NULL, NULL, NULL, 0, NULL);
    cr_assert_eq (raw.status, 404);
    cr_assert_null (strstr (raw.body, "电梯"), "an unpublished topic leaked: %s", raw.body);
    cg_http_reply_clear (&raw);
    s_count (stack, "/api/v1/public/topics?scope=" S_TOWN_A, NULL, "total", 0);

    /*  a task in another town's grid is refused; publishing is town A's */
    snprintf (path, sizeof path, "/api/v1/topics/%s/task", id);
    r = s_post (stack, path, town_a, "{\"text\":\"安装电梯\",\"category\":\"noise\",\"grid\":\""
                S_GRID_B "\"}", 403);
    cr_assert_str_eq (s_field (r), "grid");
    json_decref (r);
    r = s_post (stack, path, town_a, "{\"text\":\"3号楼加装电梯施工\",\"category\":\"noise\"}",
                200);
    json_t *tasks = json_object_get (r, "tasks");
    cr_assert_eq (json_array_size (tasks), 1);
    cr_assert_str_eq (s_str (json_array_get (tasks, 0), "grid"), S_COMMUNITY_A "001",
                      "a task without a grid goes to the community's first");
    json_decref (r);
    snprintf (path, sizeof path, "/api/v1/topics/%s/publish", id);
    const char *resolution = "{\"stage\":\"resolution_published\",\"text\":\"同意加装电梯，"
                             "费用按楼层分摊。\"}";
    json_decref (s_post (stack, path, town_b, resolution, 404));
    r = s_post (stack, path, town_a, "{\"stage\":\"resolution_published\"}", 400);
    cr_assert_str_eq (s_field (r), "text");
    json_decref (r);
    r = s_post (stack, path, town_a, resolution, 200);
    cr_assert_str_eq (s_str (r, "state"), "implementing");
    json_decref (r);
    json_decref (s_post (stack, path, town_a, resolution, 409));
    cr_assert (s_audited (stack, "topic.publish", id, "和平桥值班员", "200"));
    cr_assert (s_audited (stack, "topic.publish", id, "任港值班员", "404"));

    /*  now the published text is public, and nothing else of the topic */
    r = s_get (stack, public, NULL, 200);
    cr_assert_str_eq (s_str (r, "title"), "老旧小区加装电梯");
    cr_assert_str_eq (s_str (r, "scope_name"), "新桥社区");
    json_t *texts = json_object_get (r, "publications");
    cr_assert_eq (json_array_size (texts), 1);
    cr_assert_str_eq (s_str (json_array_get (texts, 0), "text"), "同意加装电梯，费用按楼层分摊。");
    cr_assert_null (json_object_get (r, "members"));
    cr_assert_null (json_object_get (r, "description"));
    cr_assert_null (json_object_get (r, "actor"));
    json_decref (r);
    const char *scopes[] = { S_COMMUNITY_A, S_TOWN_A, "320602", "" };
    for (int i = 0; i < 4; i++) {
        snprintf (path, sizeof path, "/api/v1/public/topics%s%s", *scopes[i] ? "?scope=" : "",
                  scopes[i]);
        page = s_get (stack, path, NULL, 200);
        cr_assert_eq (json_integer_value (json_object_get (page, "total")), 1, "%s", path);
        cr_assert_str_eq (s_str (json_array_get (json_object_get (page, "topics"), 0), "id"),
                          id);
        json_decref (page);
    }
    s_count (stack, "/api/v1/public/topics?scope=" S_COMMUNITY_B, NULL, "total", 0);
    cg_http_refused (stack, "GET", "/api/v1/public/topics?scope=999999", NULL, NULL, 0, 404,
                     "scope");
    cg_http_refused (stack, "GET", "/api/v1/public/topics?actor=x", NULL, NULL, 0, 400, "actor");
    cg_http_refused (stack, "POST", public, NULL, "{}", 2, 405, "method");
    free (town_a);
    free (town_b);
    free (county);
    free (city);
    free (grid);
    cg_teststack_down (&stack);
}

static void
s_set_clock (cg_teststack_t *stack, int64_t ms)
{
    redisReply *r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) ms);
    freeReplyObject (r);
}

static int64_t
s_beijing (int year, int mon, int day, int hour)
{
    struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
                     .tm_hour = hour };
    return (int64_t) timegm (&tm) * 1000 - 8 * INT64_C (3600000);
}

Test (gateway_civic, funds_keep_each_town_to_itself_and_disclose_published_months,
      .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    s_set_clock (stack, s_beijing (2026, 10, 20, 9));
    /*  li.qiang and wang.fang sit on 白鹤's committee (deploy/demo/funds.cfg);
        zhang.min too, but holds a token of another town */
    char *asker = cg_http_token (stack, "operator", S_COMMUNITY_A, "li.qiang");
    char *member = cg_http_token (stack, "operator", S_TOWN_A, "wang.fang");
    char *town_b = cg_http_token (stack, "operator", S_TOWN_B, "zhang.min");
    char *county = cg_http_token (stack, "supervisor", "320602", "区督办");

    /*  which funds: one's own places', or in public all */
    json_t *r = s_get (stack, "/api/v1/funds", member, 200);
    cr_assert_eq (json_array_size (json_object_get (r, "funds")), 2);
    cr_assert_str_eq (s_str (json_array_get (json_object_get (r, "funds"), 0), "scope"),
                      S_COMMUNITY_A);
    json_decref (r);
    s_count (stack, "/api/v1/funds", town_b, "funds", 0);
    s_count (stack, "/api/v1/public/funds", NULL, "funds", 2);
    cg_http_refused (stack, "GET", "/api/v1/funds", NULL, NULL, 0, 401, "Authorization");

    /*  town B reaches nothing of 白鹤's fund */
    cg_http_reply_t raw;
    cg_http (stack, &raw, "GET", "/api/v1/funds/baihe/accounts/baihe", town_b, NULL, NULL, 0,
             NULL);
    cr_assert_eq (raw.status, 404);
    cr_assert_null (strstr (raw.body, "白鹤"), "another town's fund leaked: %s", raw.body);
    cg_http_reply_clear (&raw);
    const char *gift = "{\"amount\":50000,\"channel\":\"wechat\",\"donor\":\"张三\","
                       "\"id\":\"000000000000000000000000000000d1\"}";
    r = s_post (stack, "/api/v1/funds/baihe/donations", town_b, gift, 404);
    cr_assert_str_eq (s_field (r), "fund");
    json_decref (r);

    /*  a donation, and its retry: one receipt */
    r = s_post (stack, "/api/v1/funds/baihe/donations", member, gift, 200);
    char receipt[64];
    snprintf (receipt, sizeof receipt, "%s", s_str (r, "receipt"));
    json_decref (r);
    r = s_post (stack, "/api/v1/funds/baihe/donations", member, gift, 200);
    cr_assert_str_eq (s_str (r, "receipt"), receipt);
    cr_assert (json_is_true (json_object_get (r, "repeat")));
    json_decref (r);
    r = s_post (stack, "/api/v1/funds/baihe/donations", member, "{\"amount\":\"many\","
                "\"channel\":\"cash\"}", 400);
    cr_assert_str_eq (s_field (r), "amount");
    json_decref (r);
    r = s_post (stack, "/api/v1/funds/baihe/donations", member, "{\"amount\":100}", 400);
    cr_assert_str_eq (s_field (r), "channel");
    json_decref (r);

    /*  a request: the requester is the token's holder, whatever was sent */
    const char *rid = "000000000000000000000000000000a1";
    r = s_post (stack, "/api/v1/funds/baihe/requests", asker, "{\"beneficiary\":\"王大爷\","
                "\"amount\":20000,\"purpose\":\"助老餐\",\"requester\":\"wang.fang\","
                "\"id\":\"000000000000000000000000000000a1\"}", 200);
    cr_assert_str_eq (s_str (r, "requester"), "li.qiang");
    cr_assert_str_eq (s_str (r, "state"), "pending");
    json_decref (r);
    char path[200];
    snprintf (path, sizeof path, "/api/v1/funds/baihe/requests/%s/approve", rid);
    r = s_post (stack, path, asker, "{}", 403);
    cr_assert_str_eq (s_field (r), "actor");        /* not one's own request */
    json_decref (r);
    json_decref (s_post (stack, path, town_b, "{}", 404));
    snprintf (path, sizeof path, "/api/v1/funds/tb-baihe/requests/%s/approve", rid);
    json_decref (s_post (stack, path, member, "{}", 404));
    snprintf (path, sizeof path, "/api/v1/funds/baihe/requests/%s", rid);
    r = s_get (stack, path, member, 200);
    cr_assert_str_eq (s_str (r, "state"), "pending", "refused decisions changed nothing");
    json_decref (r);
    snprintf (path, sizeof path, "/api/v1/funds/baihe/requests/%s/approve", rid);
    r = s_post (stack, path, member, "{\"actor\":\"zhao.lei\"}", 200);
    cr_assert_str_eq (s_str (r, "state"), "approved");
    cr_assert_str_eq (s_str (r, "decided_by"), "wang.fang");
    json_decref (r);
    snprintf (path, sizeof path, "/api/v1/funds/baihe/requests/%s", rid);
    json_decref (s_get (stack, path, town_b, 404));
    snprintf (path, sizeof path, "/api/v1/funds/tb-baihe/requests/%s", rid);
    json_decref (s_get (stack, path, member, 404));
    snprintf (path, sizeof path, "baihe/%s", rid);
    cr_assert (s_audited (stack, "fund.approve", path, "wang.fang", "200"));
    cr_assert (s_audited (stack, "fund.approve", path, "zhang.min", "404"));
    cr_assert (s_audited (stack, "fund.donate", "baihe", "wang.fang", "200"));

    /*  a rejection voids the reservation; town B cannot reject */
    r = s_post (stack, "/api/v1/funds/baihe/requests", asker, "{\"beneficiary\":\"李奶奶\","
                "\"amount\":10000,\"purpose\":\"助老餐\"}", 200);
    char reject[200];
    snprintf (reject, sizeof reject, "/api/v1/funds/baihe/requests/%s/reject", s_str (r, "id"));
    json_decref (r);
    json_decref (s_post (stack, reject, town_b, "{\"note\":\"不合规\"}", 404));
    r = s_post (stack, reject, member, "{\"note\":\"已由民政救助\"}", 200);
    cr_assert_str_eq (s_str (r, "state"), "rejected");
    cr_assert_str_eq (s_str (r, "decided_by"), "wang.fang");
    json_decref (r);

    /*  balances and statements: the fund's own accounts only */
    r = s_get (stack, "/api/v1/funds/baihe/accounts/baihe", member, 200);
    cr_assert_eq (json_integer_value (json_object_get (r, "credits_posted")), 50000);
    cr_assert_eq (json_integer_value (json_object_get (r, "debits_posted")), 20000);
    json_decref (r);
    s_count (stack, "/api/v1/funds/baihe/accounts/baihe/statement", county, "total", 5);
    cg_http_refused (stack, "GET", "/api/v1/funds/baihe/accounts/tb-baihe", member, NULL, 0, 404,
                     "id");
    cg_http_refused (stack, "GET", "/api/v1/funds/baihe/accounts/baihe.nope", member, NULL, 0,
                     404, "id");

    /*  the month: an operator reads it, a supervisor publishes it once it is over */
    r = s_get (stack, "/api/v1/funds/baihe/reports/2026-10", member, 200);
    cr_assert_eq (json_integer_value (json_object_get (r, "income")), 50000);
    cr_assert_eq (json_integer_value (json_object_get (r, "spending")), 20000);
    char head[80];
    snprintf (head, sizeof head, "%s", s_str (r, "head"));
    json_decref (r);
    cg_http_refused (stack, "GET", "/api/v1/funds/baihe/reports/2026-1", member, NULL, 0, 400,
                     "month");
    const char *month = "/api/v1/public/funds/baihe/reports/2026-10";
    cg_http (stack, &raw, "GET", month, NULL, NULL, NULL, 0, NULL);
    cr_assert_eq (raw.status, 404, "unpublished: %s", raw.body);
    cr_assert_null (strstr (raw.body, "张三"), "%s", raw.body);
    cg_http_reply_clear (&raw);
    cg_http_refused (stack, "GET", "/api/v1/public/funds/baihe/reports/2026-10.html", NULL, NULL,
                     0, 404, "month");
    cg_http_refused (stack, "GET", "/api/v1/public/funds/baihe/reports/2026-10/head", NULL, NULL,
                     0, 404, "month");
    const char *publish = "/api/v1/funds/baihe/reports/2026-10/publish";
    json_decref (s_post (stack, publish, member, NULL, 403));
    json_decref (s_post (stack, publish, county, NULL, 409));      /* the month is not over */
    s_set_clock (stack, s_beijing (2026, 11, 5, 9));
    r = s_post (stack, publish, county, NULL, 200);
    cr_assert (json_integer_value (json_object_get (r, "published")) > 0);
    json_decref (r);
    cr_assert (s_audited (stack, "fund.publish", "baihe/2026-10", "区督办", "200"));

    /*  published: anyone reads it, as JSON, as the page, and its head */
    r = s_get (stack, month, NULL, 200);
    cr_assert_eq (json_integer_value (json_object_get (r, "income")), 50000);
    cr_assert_str_eq (s_str (r, "head"), head);
    json_decref (r);
    r = s_get (stack, "/api/v1/public/funds/baihe/reports/2026-10/head", NULL, 200);
    cr_assert_str_eq (s_str (r, "head"), head);
    cr_assert_eq (json_integer_value (json_object_get (r, "entries")), 5);
    json_decref (r);
    cg_http (stack, &raw, "GET", "/api/v1/public/funds/baihe/reports/2026-10.html", NULL, NULL,
             NULL, 0, NULL);
    cr_assert_eq (raw.status, 200, "%s", raw.body);
    cr_assert (strstr (raw.content_type, "text/html"), "%s", raw.content_type);
    cr_assert (strstr (raw.body, "白鹤社区慈善基金") && strstr (raw.body, "<svg")
               && strstr (raw.body, head) && strstr (raw.body, "500.00"), "%s", raw.body);
    cg_http_reply_clear (&raw);
    cg_http_refused (stack, "GET", "/api/v1/public/funds/nope/reports/2026-10", NULL, NULL, 0, 404,
                     "id");
    cg_http_refused (stack, "GET", "/api/v1/public/funds/baihe/reports/2026-09", NULL, NULL, 0,
                     404, "month");
    free (asker);
    free (member);
    free (town_b);
    free (county);
    cg_teststack_down (&stack);
}
