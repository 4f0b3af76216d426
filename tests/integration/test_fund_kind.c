/*  Goods in kind at the charity sites (慈善小屋, 慈善超市) and resident
    points (积分), end to end with real parts: one stack for the suite
    (redis-server, broker, intake, consultation, fund, gateway as their own
    processes), the operator API over real HTTP, consultation's meetings
    through the CLI, a case submitted to intake and closed on dispatch's
    journal, and kill -9 of civgrid-fund while hand-outs and redemptions
    are under way: nothing lost, nothing applied twice, and `civgrid fund
    verify` passes. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <time.h>
#include <signal.h>
#include <unistd.h>
#include "cg_testenv.h"
#include "cg_testhttp.h"
#include "cg_testcli.h"

#define S_TOWN      "320602001"             /* its communities 新桥 and 虹桥 have the sites */
#define S_OTHER     "320602002"             /* another town, with yy-cabin */

static cg_teststack_t *stack;
static char *desk, *elsewhere;

static int64_t
s_beijing (int y, int mon, int d, int h)
{
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d, .tm_hour = h };
    return ((int64_t) timegm (&tm) - 8 * 3600) * 1000;
}

static void
s_set_clock (int64_t ms)
{
    redisReply *r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) ms);
    freeReplyObject (r);
}

static char points_path[600];

/*  The points rules as a file of the test's: text goes into it. */
static void
s_write_points (const char *text)
{
    FILE *f = fopen (points_path, "w");
    cr_assert (f);
    fputs (text, f);
    fclose (f);
}

#define S_RULES(attend) \
    "earn\tattend\t" attend "\t20\t参加议事协商会议\n" \
    "earn\tvolunteer\t5\t15\t志愿服务\n" \
    "earn\tcase\t5\t10\t有效反映\n" \
    "cap\tday\t30\n" \
    "price\trice\t20\nprice\toil\t30\n"

static void
s_up (void)
{
    snprintf (points_path, sizeof points_path, "%s/points-%d.tsv", getenv ("CG_TEST_TMP")
              ? getenv ("CG_TEST_TMP") : "/tmp", (int) getpid ());
    s_write_points (S_RULES ("10"));
    char extra[700];
    snprintf (extra, sizeof extra, "--set clock/test=1 --set data/points=%s", points_path);
    stack = cg_teststack_up (extra);
    s_set_clock (s_beijing (2026, 11, 5, 9));
    desk = cg_http_token (stack, "operator", S_TOWN, "desk");
    elsewhere = cg_http_token (stack, "operator", S_OTHER, "other.desk");
}

static void
s_down (void)
{
    free (desk);
    free (elsewhere);
    cg_teststack_down (&stack);
    unlink (points_path);
}

TestSuite (fund_kind, .init = s_up, .fini = s_down);

/*  POST body to path with token; asserts the status; the reply. */
static json_t *
s_post (const char *path, const char *token, int want, const char *fmt, ...)
{
    char body[2048];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (body, sizeof body, fmt, ap);
    va_end (ap);
    int status;
    json_t *reply = cg_http_post_json (stack, path, token, body, &status);
    char *text = json_dumps (reply, 0);
    cr_assert_eq (status, want, "POST %s %s: %d %s", path, body, status, text);
    free (text);
    return reply;
}

static json_t *
s_get (const char *path, const char *token, int want)
{
    int status;
    json_t *reply = cg_http_get_json (stack, path, token, &status);
    char *text = json_dumps (reply, 0);
    cr_assert_eq (status, want, "GET %s: %d %s", path, status, text);
    free (text);
    return reply;
}

static int64_t
s_int (json_t *o, const char *key)
{
    return json_integer_value (json_object_get (o, key));
}

static const char *
s_str (json_t *o, const char *key)
{
    const char *s = json_string_value (json_object_get (o, key));
    return s ? s : "";
}

/*  A refusal over HTTP: its status and the field it names. */
static void
s_refused (const char *path, const char *token, int want, const char *field, const char *words,
           const char *body)
{
    json_t *reply = s_post (path, token, want, "%s", body);
    json_t *error = json_object_get (reply, "error");
    cr_assert_str_eq (s_str (error, "field"), field, "%s", s_str (error, "message"));
    if (words)
        cr_assert (strstr (s_str (error, "message"), words), "%s", s_str (error, "message"));
    json_decref (reply);
}

/*  What a site holds of an item, over HTTP. */
static int64_t
s_stock (const char *site, const char *item)
{
    char path[128];
    snprintf (path, sizeof path, "/api/v1/sites/%s/stock", site);
    json_t *st = s_get (path, desk, 200);
    int64_t held = -1;
    json_t *line;
    size_t i;
    json_array_foreach (json_object_get (st, "items"), i, line)
        if (streq (s_str (line, "item"), item))
            held = s_int (line, "quantity");
    json_decref (st);
    return held;
}

static int64_t
s_points (const char *resident)
{
    char path[128];
    snprintf (path, sizeof path, "/api/v1/residents/%s/points", resident);
    json_t *p = s_get (path, desk, 200);
    int64_t balance = s_int (p, "balance");
    json_decref (p);
    return balance;
}

static void
s_verified (void)
{
    char *out = cg_testcli (stack, 0, "fund verify --json");
    cr_assert (strstr (out, "\"ok\":true"), "%s", out);
    free (out);
}

Test (fund_kind, donation_hand_out_and_move_between_sites_are_transfers_in_the_disclosure,
      .timeout = 120)
{
    /*  a donation in kind: 40 bags of rice at 新桥's cabin, the donor masked */
    const char *in = "{\"id\":\"0000000000000000000000000000a001\",\"item\":\"rice\","
                     "\"quantity\":40,\"party\":\"王建国\"}";
    json_t *r = s_post ("/api/v1/sites/xq-cabin/goods/in", desk, 200, "%s", in);
    cr_assert_str_eq (s_str (r, "action"), "in");
    cr_assert_str_eq (s_str (r, "party"), "王**", "the donor is published masked");
    cr_assert_eq (s_int (r, "stock"), 40);
    int64_t entry = s_int (r, "entry");
    json_decref (r);
    /*  sent again (the desk heard nothing): applied once, the same entry */
    r = s_post ("/api/v1/sites/xq-cabin/goods/in", desk, 200, "%s", in);
    cr_assert (json_is_true (json_object_get (r, "repeat")));
    cr_assert_eq (s_int (r, "entry"), entry);
    cr_assert_eq (s_int (r, "stock"), 40);
    json_decref (r);
    /*  a hand-out to a family in need (the name pasted from Word, with its
        line break and a bell), then one beyond what is left */
    r = s_post ("/api/v1/sites/xq-cabin/goods/out", desk, 200, "{\"item\":\"rice\","
                "\"quantity\":15,\"party\":\"\\u000b 李梅\\u0007\"}");
    cr_assert_eq (s_int (r, "stock"), 25);
    cr_assert_str_eq (s_str (r, "party"), "李*", "masked, without Word's characters");
    json_decref (r);
    s_refused ("/api/v1/sites/xq-cabin/goods/out", desk, 409, "quantity", "holds 25",
               "{\"item\":\"rice\",\"quantity\":26,\"party\":\"赵六\"}");
    /*  ten bags to 虹桥's supermarket */
    r = s_post ("/api/v1/sites/xq-cabin/goods/move", desk, 200, "{\"item\":\"rice\","
                "\"quantity\":10,\"to\":\"hq-market\"}");
    cr_assert_eq (s_int (r, "stock"), 15);
    json_decref (r);
    cr_assert_eq (s_stock ("xq-cabin", "rice"), 15);
    cr_assert_eq (s_stock ("hq-market", "rice"), 10);
    cr_assert_eq (s_stock ("hq-market", "oil"), 0);

    /*  bad input: each refused naming its field, nothing stored */
    s_refused ("/api/v1/sites/nowhere/goods/in", desk, 404, "site", "no charity site", 
               "{\"item\":\"rice\",\"quantity\":1}");
    s_refused ("/api/v1/sites/xq-cabin/goods/in", desk, 404, "item", "no item kind",
               "{\"item\":\"gold\",\"quantity\":1}");
    s_refused ("/api/v1/sites/xq-cabin/goods/move", desk, 404, "to", "no charity site",
               "{\"item\":\"rice\",\"quantity\":1,\"to\":\"nowhere\"}");
    s_refused ("/api/v1/sites/xq-cabin/goods/move", desk, 400, "to", "already at",
               "{\"item\":\"rice\",\"quantity\":1,\"to\":\"xq-cabin\"}");
    s_refused ("/api/v1/sites/xq-cabin/goods/in", desk, 400, "quantity", NULL,
               "{\"item\":\"rice\",\"quantity\":0}");
    s_refused ("/api/v1/sites/xq-cabin/goods/in", desk, 409, "id", "another movement",
               "{\"id\":\"0000000000000000000000000000a001\",\"item\":\"rice\","
               "\"quantity\":41}");
    /*  another town's desk speaks for none of these sites */
    s_refused ("/api/v1/sites/xq-cabin/goods/in", elsewhere, 403, "actor", "fund_area",
               "{\"item\":\"rice\",\"quantity\":1}");
    cr_assert_eq (s_stock ("xq-cabin", "rice"), 15, "nothing of the refusals was stored");

    /*  the month's disclosure of 白鹤's fund (新桥社区) shows its site's goods */
    s_set_clock (s_beijing (2026, 12, 1, 9));
    json_t *report = s_get ("/api/v1/funds/baihe/reports/2026-11", desk, 200);
    json_t *goods = json_object_get (report, "goods");
    cr_assert_eq (json_array_size (goods), 1, "only the sites within 新桥社区");
    json_t *line = json_array_get (goods, 0);
    cr_assert_str_eq (s_str (line, "site"), "xq-cabin");
    cr_assert_str_eq (s_str (line, "item"), "rice");
    cr_assert_eq (s_int (line, "opening"), 0);
    cr_assert_eq (s_int (line, "donated"), 40);
    cr_assert_eq (s_int (line, "handed_out"), 15);
    cr_assert_eq (s_int (line, "moved"), -10);
    cr_assert_eq (s_int (line, "quantity"), 15);
    json_decref (report);
    /*  published, anyone reads it, as JSON and as the printable page */
    cg_testcli_says (stack, 0, "2026-11", "fund publish baihe --month 2026-11");
    report = s_get ("/api/v1/public/funds/baihe/reports/2026-11", NULL, 200);
    cr_assert_eq (s_int (json_array_get (json_object_get (report, "goods"), 0), "donated"), 40);
    json_decref (report);
    cg_http_reply_t page;
    cg_http (stack, &page, "GET", "/api/v1/public/funds/baihe/reports/2026-11.html", NULL, NULL,
             NULL, 0, NULL);
    cr_assert_eq (page.status, 200);
    cr_assert (strstr (page.body, "实物捐赠 goods in kind") && strstr (page.body, "大米"),
               "%s", page.body);
    cg_http_reply_clear (&page);
    s_set_clock (s_beijing (2026, 11, 5, 9));
    s_verified ();
}

/*  Waits until the fund's cursor on journal reaches its head. */
static void
s_caught_up (const char *journal)
{
    int64_t head = cg_teststack_int (stack, "GET cg:{%s}:seq", journal);
    cr_assert_geq (cg_teststack_await (stack, head, 30000, "GET cg:{fund}:cursor:%s",
                                       journal), head, "the fund did not follow %s to %lld",
                   journal, (long long) head);
}

/*  A plain consultation in 新桥社区 whose meeting registers members present. */
static void
s_meeting (const char *title, const char *members)
{
    char *out = cg_testcli (stack, 0, "topic create --title '%s' --scope 320602001001 "
                            "--procedure plain --json", title);
    char *at = strstr (out, "\"id\":\"");
    cr_assert (at, "%s", out);
    char id[16];
    snprintf (id, sizeof id, "%.8s", at + 6);
    free (out);
    free (cg_testcli (stack, 0, "topic stage %s consultation", id));
    free (cg_testcli (stack, 0, "topic meeting %s --members %s", id, members));
}

/*  A case reported by phone through intake; its id (for a repeat, the
    case it joined), and the first reporter's fingerprint as intake keeps
    it into fp[33]. */
static char *
s_report_case (const char *phone, const char *category, const char *grid, char *fp)
{
    json_t *r = s_post ("/api/v1/cases", desk, 200, "{\"source\":\"operator\","
                        "\"category\":\"%s\",\"grid\":\"%s\",\"text\":"
                        "\"工农路夜间施工噪声扰民，居民反映多次\",\"contact_phone\":\"%s\"}",
                        category, grid, phone);
    char *id = strdup (s_str (r, "id"));
    json_decref (r);
    redisReply *f = cg_redis_command (stack->redis, "HGET cg:{intake}:req:%s reporter", id);
    snprintf (fp, 33, "%s", cg_reply_str (f));
    freeReplyObject (f);
    cr_assert_eq (strlen (fp), 32, "intake keeps the reporter's fingerprint");
    return id;
}

/*  The fingerprint of a caller of case id other than fp, into other[33]. */
static void
s_other_caller (const char *id, const char *fp, char *other)
{
    redisReply *r = cg_redis_command (stack->redis, "HKEYS cg:{intake}:req:%s", id);
    *other = 0;
    for (size_t i = 0; i < r->elements; i++)
        if (!strncmp (r->element[i]->str, "caller:", 7) && strcmp (r->element[i]->str + 7, fp))
            snprintf (other, 33, "%s", r->element[i]->str + 7);
    freeReplyObject (r);
    cr_assert_eq (strlen (other), 32);
}

static void
s_case_event (const char *id, const char *topic, const char *to)
{
    cg_case_changed_t e = { .id = (char *) id, .from = "resolved", .to = (char *) to,
                            .actor = "center:320602001:desk", .at = s_beijing (2026, 11, 5, 10) };
    cg_teststack_journal (stack, "dispatch", topic, &cg_case_changed_def, &e);
}

Test (fund_kind, points_for_meetings_volunteering_and_valid_cases_capped_and_redeemed,
      .timeout = 180)
{
    /*  stock to redeem from */
    json_decref (s_post ("/api/v1/sites/hq-market/goods/in", desk, 200,
                         "{\"item\":\"oil\",\"quantity\":20,\"party\":\"爱心企业\"}"));
    /*  meetings: 10 points each, capped at 20 a day for meetings */
    s_meeting ("小区停车位划线", "xq-iv01,xq-iv02");
    s_meeting ("楼道堆物清理", "xq-iv01,xq-iv02");
    s_meeting ("广场舞音量约定", "xq-iv01");
    s_caught_up ("consultation");
    cr_assert_eq (s_points ("xq-iv01"), 20, "the third meeting of the day is past the cap");
    cr_assert_eq (s_points ("xq-iv02"), 20);

    /*  a volunteer service confirmed by the person served: 5, and the
        day's cap of all acts (30) is not reached */
    char *out = cg_testcli (stack, 0, "fund request --fund tb-baihe --beneficiary xq-iv01 "
                            "--amount 90 --purpose '陪老人就医' --served li.ma "
                            "--id 0000000000000000000000000000b001 --actor xq-iv01 "
                            "--role grid_worker");
    free (out);
    cg_testcli_says (stack, 0, "approved", "fund approve 0000000000000000000000000000b001 "
                     "--actor li.ma --role grid_worker");
    cr_assert_eq (cg_teststack_await (stack, 25, 20000, "HGET cg:{fund}:acct:pts.r.xq-iv01 cpo"),
                  25);

    /*  a report that became a valid case: its reporter, by fingerprint;
        not the neighbour whose call was merged into it as a repeat, nor
        the reporter of a case dispatch rejected */
    char fp[33], fp_repeat[33], fp_rejected[33], first[33];
    char *case1 = s_report_case ("13805551234", "noise", "320602001001001", fp);
    char *again = s_report_case ("13805550000", "noise", "320602001001001", first);
    cr_assert_str_eq (again, case1, "the second call joined the first case");
    cr_assert_str_eq (first, fp);
    s_other_caller (case1, fp, fp_repeat);
    char *case2 = s_report_case ("13905556789", "street_vending", "320602001001002",
                                 fp_rejected);
    cr_assert_str_neq (case2, case1);
    s_case_event (case1, "case.closed", "closed");
    s_case_event (case1, "case.closed", "closed");      /* reopened and closed again */
    s_case_event (case2, "case.rejected", "rejected");
    s_caught_up ("dispatch");
    cr_assert_eq (s_points (fp), 5, "one valid case, credited once");
    /*  the resident in front of the operator gives their phone: intake's
        fingerprint of it finds their points */
    json_t *mine = s_get ("/api/v1/residents/by-phone/points?phone=138-0555-1234", desk, 200);
    cr_assert_str_eq (s_str (mine, "resident"), fp);
    cr_assert_eq (s_int (mine, "balance"), 5);
    json_decref (mine);
    json_decref (s_get ("/api/v1/residents/by-phone/points", desk, 400));
    cg_testcli_says (stack, 0, "5 points (5 earned)", "fund points --phone 13805551234");
    char path[128];
    snprintf (path, sizeof path, "/api/v1/residents/%s/points", fp_repeat);
    json_decref (s_get (path, desk, 404));
    snprintf (path, sizeof path, "/api/v1/residents/%s/points", fp_rejected);
    json_decref (s_get (path, desk, 404));
    /*  and the fund keeps no phone, only the fingerprint */
    redisReply *keys = cg_redis_command (stack->redis, "KEYS cg:{fund}:*1380555*");
    cr_assert_eq (keys->elements, 0);
    freeReplyObject (keys);

    /*  redeemed at 虹桥's supermarket: 1 bucket of oil for 30 points */
    s_refused ("/api/v1/sites/hq-market/redemptions", desk, 409, "quantity", "holds 25",
               "{\"resident\":\"xq-iv01\",\"item\":\"oil\",\"quantity\":1}");
    s_refused ("/api/v1/sites/hq-market/redemptions", desk, 404, "resident", "no points",
               "{\"resident\":\"nobody\",\"item\":\"oil\",\"quantity\":1}");
    s_refused ("/api/v1/sites/hq-market/redemptions", desk, 400, "item", "no price",
               "{\"resident\":\"xq-iv01\",\"item\":\"coat\",\"quantity\":1}");
    const char *take = "{\"id\":\"0000000000000000000000000000c001\",\"resident\":\"xq-iv01\","
                       "\"item\":\"rice\",\"quantity\":1}";
    s_refused ("/api/v1/sites/hq-market/redemptions", desk, 409, "quantity", "fewer than 1",
               take);
    json_decref (s_post ("/api/v1/sites/hq-market/goods/in", desk, 200,
                         "{\"item\":\"rice\",\"quantity\":3}"));
    json_t *r = s_post ("/api/v1/sites/hq-market/redemptions", desk, 200, "%s", take);
    cr_assert_eq (s_int (r, "points"), 20);
    cr_assert_eq (s_int (r, "balance"), 5);
    cr_assert_eq (s_int (r, "stock"), 2);
    json_decref (r);
    r = s_post ("/api/v1/sites/hq-market/redemptions", desk, 200, "%s", take);
    cr_assert (json_is_true (json_object_get (r, "repeat")), "claimed twice, taken once");
    cr_assert_eq (s_int (r, "balance"), 5);
    cr_assert_eq (s_int (r, "stock"), 2);
    json_decref (r);

    /*  the resident's history: what earned and what spent, each named */
    json_t *p = s_get ("/api/v1/residents/xq-iv01/points", desk, 200);
    cr_assert_eq (s_int (p, "balance"), 5);
    cr_assert_eq (s_int (p, "earned"), 25);
    cr_assert_eq (json_array_size (json_object_get (p, "history")), 4, "two meetings, a "
                  "service, a redemption");
    json_decref (p);
    out = cg_testcli (stack, 0, "fund points xq-iv01");
    cr_assert (strstr (out, "5 points (25 earned)") && strstr (out, "-20  redeem"), "%s", out);
    free (out);
    free (case1);
    free (again);
    free (case2);
    s_verified ();
}

/*  kill -9 of the fund while hand-outs and redemptions are under way:
    each is sent until answered, with the same id; at the end every one
    was applied exactly once. */
#define S_ROUNDS    60

static void *
s_worker (void *arg)
{
    (void) arg;
    cg_client_t *c = cg_teststack_client (stack, "fund");
    for (int i = 0; i < S_ROUNDS; i++) {
        char id[33];
        snprintf (id, sizeof id, "00000000000000000000000000%06x", 0xd000 + i);
        cg_error_t err;
        int rc = -1;
        for (int attempt = 0; rc != 0 && attempt < 40; attempt++) {
            cg_fund_goods_receipt_t out;
            if (i % 2) {
                cg_fund_redeem_t req = { .id = id, .resident = "bulk", .site = "yy-cabin",
                                         .item = "rice", .quantity = 1, .actor = "admin:load",
                                         .role = "admin" };
                rc = cg_client_call (c, &cg_cmd_fund_redeem, &req, &out, &err);
            }
            else {
                cg_fund_goods_t req = { .id = id, .site = "yy-cabin", .item = "rice",
                                        .quantity = 1, .party = "困难户", .actor = "admin:load",
                                        .role = "admin" };
                rc = cg_client_call (c, &cg_cmd_fund_goods_out, &req, &out, &err);
            }
            if (rc == 0)
                cg_msg_clear (&cg_fund_goods_receipt_def, &out);
            else {
                cr_assert (streq (err.code, "timeout") || streq (err.code, "unavailable"),
                           "%s: %s", err.code, err.message);
                usleep (200000);
            }
        }
        cr_assert_eq (rc, 0, "round %d never answered", i);
    }
    cg_client_destroy (&c);
    return NULL;
}

Test (fund_kind, kill_9_during_hand_outs_and_redemptions_loses_and_doubles_nothing,
      .timeout = 240)
{
    cg_testcli_says (stack, 0, "100 left", "fund goods in --site yy-cabin --item rice --quantity 100 "
                     "--id 0000000000000000000000000000e001");
    cg_testcli_says (stack, 0, "ok", "fund account pts.r.bulk --ledger pts --flags "
                     "no_overdraft --kind resident");
    cg_testcli_says (stack, 0, "ok", "fund transfer --debit pts.issuer --credit pts.r.bulk "
                     "--amount 1000 --id 0000000000000000000000000000e002");
    pthread_t worker;
    pthread_create (&worker, NULL, s_worker, NULL);
    usleep (400000);
    cg_teststack_kill9 (stack, "fund");
    cg_teststack_restart (stack);
    usleep (300000);
    cg_teststack_kill9 (stack, "fund");
    cg_teststack_restart (stack);
    pthread_join (worker, NULL);
    /*  30 hand-outs and 30 redemptions of one bag each, 20 points a bag */
    cr_assert_eq (s_stock ("yy-cabin", "rice"), 100 - S_ROUNDS);
    cr_assert_eq (s_points ("bulk"), 1000 - 20 * (S_ROUNDS / 2));
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{fund}:acct:yy-cabin.rice.out cpo"),
                  S_ROUNDS);
    s_verified ();
}

/*  A store of layout 4 named each act counted `act:id:resident` in full;
    layout 5 names it by a 12-byte hash.  A case counted under the old
    name, closed again after the upgrade, earns nothing twice; a case
    counted now leaves no old name behind. */
Test (fund_kind, an_act_counted_under_the_old_field_is_not_counted_again, .timeout = 120)
{
    char fp_old[33], fp_new[33];
    char *old_case = s_report_case ("13605550401", "noise", "320602001001004", fp_old);
    char *new_case = s_report_case ("13605550502", "street_vending", "320602001001005", fp_new);
    cr_assert_str_neq (old_case, new_case);
    redisReply *r = cg_redis_command (stack->redis, "HSET cg:{fund}:points:acts case:%s:%s 5",
                                      old_case, fp_old);
    freeReplyObject (r);
    int64_t acts = cg_teststack_int (stack, "HLEN cg:{fund}:points:acts");

    s_case_event (old_case, "case.closed", "closed");
    s_case_event (new_case, "case.closed", "closed");
    s_case_event (new_case, "case.closed", "closed");      /* reopened and closed again */
    s_caught_up ("dispatch");
    char path[128];
    snprintf (path, sizeof path, "/api/v1/residents/%s/points", fp_old);
    json_decref (s_get (path, desk, 404));                  /* credited before: no new points */
    cr_assert_eq (s_points (fp_new), 5, "the new case credited once");
    cr_assert_eq (cg_teststack_int (stack, "HLEN cg:{fund}:points:acts"), acts + 1,
                  "one act more: the new case's");
    cr_assert_eq (cg_teststack_int (stack, "HEXISTS cg:{fund}:points:acts case:%s:%s", new_case,
                                    fp_new), 0, "the new case's act is kept by its hash");
    free (old_case);
    free (new_case);
}

/*  SIGHUP reads data/points again; a file that does not load leaves the
    rules as they were and says where it is wrong. */
static void
s_hangup (const char *words, int want)
{
    kill (cg_teststack_pid (stack, "fund"), SIGHUP);
    for (int i = 0; i < 100 && cg_teststack_log_count (stack, "fund", words) < want; i++)
        usleep (100000);
    cr_assert_eq (cg_teststack_log_count (stack, "fund", words), want, "%s", words);
}

Test (fund_kind, points_rules_are_read_again_on_sighup_and_a_bad_file_changes_nothing,
      .timeout = 120)
{
    s_write_points (S_RULES ("7"));
    s_hangup ("points rules read again", 1);
    s_meeting ("垃圾分类宣传", "xq-iv03");
    s_caught_up ("consultation");
    cr_assert_eq (s_points ("xq-iv03"), 7, "the new rules count");
    s_write_points ("earn\tattend\tten\t20\t会议\n");
    s_hangup ("stay as they were", 1);
    cr_assert_eq (cg_teststack_log_count (stack, "fund", "points-"), 2, "the log names the "
                  "file (and, for the bad one, its line)");
    cr_assert_eq (cg_teststack_log_count (stack, "fund", ":1: act attend: points 'ten'"), 1);
    s_meeting ("加装电梯意见征集", "xq-iv04");
    s_caught_up ("consultation");
    cr_assert_eq (s_points ("xq-iv04"), 7, "the rules stayed as they were");
}

/*  The console's picking lists (issue 15): the charity sites and the areas
    with a list of powers within the caller's scope, never another town's,
    bounded by limit with the total beside; a scope outside the caller's is
    refused naming scope, a limit beyond 100 naming limit. */
Test (fund_kind, picking_lists_of_sites_and_power_areas_keep_to_the_scope)
{
    int status;
    json_t *r = cg_http_get_json (stack, "/api/v1/sites", desk, &status);
    cr_assert_eq (status, 200, "%s", json_dumps (r, 0));
    json_t *sites = json_object_get (r, "sites");
    cr_assert_eq (json_array_size (sites), 2, "新桥 and 虹桥's sites: %s", json_dumps (r, 0));
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (sites, 0), "site")), "xq-cabin");
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (sites, 0), "name")),
                      "新桥社区慈善小屋");
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (sites, 0), "area_name")),
                      "新桥社区");
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (sites, 1), "site")), "hq-market");
    cr_assert_eq (json_integer_value (json_object_get (r, "total")), 2);
    json_decref (r);
    r = cg_http_get_json (stack, "/api/v1/sites?limit=1", desk, &status);
    cr_assert_eq (json_array_size (json_object_get (r, "sites")), 1, "bounded by limit");
    cr_assert_eq (json_integer_value (json_object_get (r, "total")), 2, "the total is all of them");
    json_decref (r);
    r = cg_http_get_json (stack, "/api/v1/sites", elsewhere, &status);
    cr_assert_eq (json_array_size (json_object_get (r, "sites")), 1);
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (json_object_get (r, "sites"), 0),
                                                          "site")), "yy-cabin", "the other town's own only");
    json_decref (r);
    cg_http_refused (stack, "GET", "/api/v1/sites?scope=" S_TOWN, elsewhere, NULL, 0, 403, "scope");
    cg_http_refused (stack, "GET", "/api/v1/sites?limit=101", desk, NULL, 0, 400, "limit");

    /*  the demo's lists of powers are 西亭镇's three villages */
    char *xiting = cg_http_token (stack, "operator", "320612005", "西亭镇值班员");
    r = cg_http_get_json (stack, "/api/v1/powers/areas", xiting, &status);
    cr_assert_eq (status, 200, "%s", json_dumps (r, 0));
    json_t *areas = json_object_get (r, "areas");
    cr_assert_eq (json_array_size (areas), 3, "%s", json_dumps (r, 0));
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (areas, 0), "area")), "320612005003");
    cr_assert (strstr (json_string_value (json_object_get (json_array_get (areas, 0), "name")), "通江村"));
    cr_assert (json_integer_value (json_object_get (json_array_get (areas, 0), "powers")) > 0);
    json_decref (r);
    r = cg_http_get_json (stack, "/api/v1/powers/areas?limit=2", xiting, &status);
    cr_assert_eq (json_array_size (json_object_get (r, "areas")), 2);
    cr_assert_eq (json_integer_value (json_object_get (r, "total")), 3);
    json_decref (r);
    r = cg_http_get_json (stack, "/api/v1/powers/areas", desk, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_array_size (json_object_get (r, "areas")), 0, "和平桥 publishes none");
    json_decref (r);
    cg_http_refused (stack, "GET", "/api/v1/powers/areas?scope=320612005", desk, NULL, 0, 403,
                     "scope");
    free (xiting);
}
