/*  Who may do what with a fund, and the consultation resolution a large
    request must stand on, with real parts: a stack started by the CLI,
    civgrid-fund and civgrid-consultation as their own processes, the
    topic deliberated with `civgrid topic ...` as an operator would.

    The actor and role are what the gateway vouches for; here they are
    given as the gateway would give them (center:CODE:NAME, admin:NAME). */
#include <criterion/criterion.h>
#include "cg_testcli.h"

#define S_DESK      "center:320602001:desk"         /* 观音山街道: holds 新桥社区 */
#define S_ELSEWHERE "center:320602002:desk"         /* 任港街道: another street */

/*  A transfer id from a number: 32 hex digits. */
static void
s_id (char *out, unsigned salt, unsigned n)
{
    snprintf (out, 33, "%08x%08x%016x", salt, 0xacc5U, n);
}

/*  A donation taken by actor as role; returns 0 or -1 with err. */
static int
s_donate (cg_client_t *c, unsigned n, int64_t amount, const char *actor, const char *role,
          cg_error_t *err)
{
    char id[33];
    s_id (id, 1, n);
    cg_fund_donate_t don = { .id = id, .fund = "baihe", .donor = "张三", .amount = amount,
                             .channel = "bank", .actor = (char *) actor, .role = (char *) role };
    cg_fund_receipt_t r;
    int rc = cg_client_call (c, &cg_cmd_fund_donate, &don,
                             &r, err);
    if (rc == 0) {
        cr_assert_str_eq (r.taken_by, actor, "the receipt names who took the donation");
        cg_msg_clear (&cg_fund_receipt_def, &r);
    }
    return rc;
}

static int
s_request (cg_client_t *c, const char *id, int64_t amount, const char *actor, const char *role,
           const char *resolution, cg_fund_request_view_t *view, cg_error_t *err)
{
    cg_fund_request_t req = { .id = (char *) id, .fund = "baihe", .beneficiary = "李爷爷",
        .amount = amount, .purpose = "助老", .actor = (char *) actor, .role = (char *) role,
        .resolution = (char *) resolution };
    int rc = cg_client_call (c, &cg_cmd_fund_request, &req, view, err);
    if (rc == 0)
        cg_msg_clear (&cg_fund_request_view_def, view);
    return rc;
}

static int
s_decide (cg_client_t *c, const char *command, const char *id, const char *actor,
          const char *role, cg_fund_request_view_t *view, cg_error_t *err)
{
    cg_fund_decide_t req = { .id = (char *) id, .actor = (char *) actor, .role = (char *) role };
    return cg_client_call (c, cg_cmddef_find (command, "fund"), &req, view, err);
}

/*  Asserts a refusal: its code, its field, and the rule named. */
static void
s_refused (int rc, const cg_error_t *err, const char *code, const char *field, const char *rule)
{
    cr_assert_eq (rc, -1, "not refused (rule %s)", rule);
    cr_assert_str_eq (err->code, code, "%s", err->message);
    cr_assert_str_eq (err->field, field, "%s", err->message);
    cr_assert (strstr (err->message, rule), "%s", err->message);
}

Test (fund_access, who_may_do_what, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *c = cg_teststack_client (stack, "fund");
    cg_error_t err;

    /*  donations: at the desk of the fund's area, by a person who keeps one */
    cr_assert_eq (s_donate (c, 1, 500000, S_DESK, "operator", &err), 0, "%s", err.message);
    s_refused (s_donate (c, 2, 100, S_ELSEWHERE, "operator", &err), &err, "forbidden", "actor",
               "fund_area");
    s_refused (s_donate (c, 2, 100, "center:320602001001001:gw", "grid_worker", &err), &err, "forbidden", "role",
               "donation_desk");
    s_refused (s_donate (c, 2, 100, "center:320602002001001:gw", "operator", &err), &err,
               "forbidden", "actor", "fund_area");
    s_refused (s_donate (c, 2, 100, S_DESK, "hotline", &err), &err, "forbidden", "role",
               "people_only");
    s_refused (s_donate (c, 2, 100, S_DESK, "mayor", &err), &err, "invalid", "role", "mayor");
    s_refused (s_donate (c, 2, 100, "center:999999:x", "operator", &err), &err, "invalid",
               "actor", "999999");
    s_refused (s_donate (c, 2, 100, "a:b:c:d", "operator", &err), &err, "invalid", "actor",
               "KIND:CODE:NAME");
    cr_assert_eq (s_donate (c, 2, 100, "admin:root", "admin", &err), 0, "%s", err.message);

    /*  the ledger's own commands are an admin's */
    char tid[33];
    s_id (tid, 2, 1);
    cg_fund_transfer_t t = { .id = tid, .debit = "baihe", .credit = "baihe.custodian",
                             .amount = 100 };
    cg_fund_transfer_batch_t batch = { .transfers = &t, .transfers_count = 1, .actor = S_DESK,
                                       .role = "supervisor" };
    cg_fund_results_t results;
    s_refused (cg_client_call (c, &cg_cmd_fund_transfer, &batch, &results, &err), &err, "forbidden",
               "transfers[0].debit", "ledger_admin");
    cg_fund_account_t account = { .id = "x.acct", .ledger = "cny" };
    cg_fund_account_create_t open = { .accounts = &account, .accounts_count = 1,
                                      .actor = S_DESK, .role = "operator" };
    s_refused (cg_client_call (c, &cg_cmd_fund_account, &open, &results, &err), &err, "forbidden", "role",
               "ledger_admin");
    batch.role = "admin";
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_transfer, &batch, &results, &err), 0, "%s", err.message);
    cr_assert_str_eq (results.results[0].result, "ok");
    cg_msg_clear (&cg_fund_results_def, &results);

    /*  a request records the actor the gateway vouched for as its requester */
    char q[33];
    s_id (q, 3, 1);
    cg_fund_request_view_t view;
    s_refused (s_request (c, q, 30000, "center:320602001:wang.fang", "open311", NULL, &view,
                          &err), &err, "forbidden", "role", "people_only");
    /*  a grid worker of the fund's community asks too */
    char gq[33];
    s_id (gq, 3, 9);
    cr_assert_eq (s_request (c, gq, 100, "center:320602001001001:gw", "grid_worker", NULL, &view,
                             &err), 0, "%s", err.message);
    cr_assert_eq (s_request (c, q, 30000, "center:320602001:wang.fang", "operator", NULL, &view,
                             &err), 0, "%s", err.message);
    cg_fund_get_t get = { .id = q };
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_show, &get, &view, &err), 0);
    cr_assert_str_eq (view.requester, "wang.fang");
    cg_msg_clear (&cg_fund_request_view_def, &view);

    /*  decisions: a committee member, never the requester, whatever form
        the actor takes, and never a non-member even as admin */
    s_refused (s_decide (c, "fund.approve", q, "admin:wang.fang", "admin", &view, &err), &err,
               "forbidden", "actor", "not_ones_own");
    s_refused (s_decide (c, "fund.approve", q, "admin:root", "admin", &view, &err), &err,
               "forbidden", "actor", "approvers_decide");
    s_refused (s_decide (c, "fund.approve", q, "center:320602002:li.qiang", "operator", &view,
                         &err), &err, "forbidden", "actor", "fund_area");
    s_refused (s_decide (c, "fund.reject", q, "li.qiang", "device_vendor", &view, &err), &err,
               "forbidden", "role", "people_only");
    cr_assert_eq (s_decide (c, "fund.approve", q, "center:320602001:li.qiang", "operator", &view,
                            &err), 0, "%s", err.message);
    cr_assert_str_eq (view.state, "approved");
    cr_assert_str_eq (view.decided_by, "li.qiang");
    cg_msg_clear (&cg_fund_request_view_def, &view);

    /*  时间银行: the person served confirms; the volunteer then spends or
        donates their own minutes, and nobody else's */
    s_id (q, 3, 2);
    cg_fund_request_t earn = { .id = q, .fund = "tb-baihe", .beneficiary = "xiao.liu",
        .amount = 90, .purpose = "陪老人就医", .served = "zhang.nainai", .actor = "xiao.liu",
        .role = "grid_worker" };
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_request, &earn, &view, &err), 0, "%s", err.message);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    s_refused (s_decide (c, "fund.approve", q, "li.qiang", "operator", &view, &err), &err,
               "forbidden", "actor", "approvers_decide");
    cr_assert_eq (s_decide (c, "fund.approve", q, "zhang.nainai", "operator", &view, &err), 0,
                  "%s", err.message);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    cg_testcli_says (stack, 0, "90 min", "fund show %s", q);
    s_id (tid, 2, 2);
    t = (cg_fund_transfer_t) { .id = tid, .debit = "tb-baihe.v.xiao.liu", .credit = "tb-baihe",
                               .amount = 30 };
    batch = (cg_fund_transfer_batch_t) { .transfers = &t, .transfers_count = 1,
                                         .actor = "wang.fang", .role = "supervisor" };
    s_refused (cg_client_call (c, &cg_cmd_fund_transfer, &batch, &results, &err), &err, "forbidden",
               "transfers[0].debit", "own_minutes");
    batch.actor = "xiao.liu";
    batch.role = "grid_worker";
    t.credit = "baihe";
    s_refused (cg_client_call (c, &cg_cmd_fund_transfer, &batch, &results, &err), &err, "forbidden",
               "transfers[0].debit", "own_minutes");
    t.credit = "tb-baihe";
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_transfer, &batch, &results, &err), 0, "%s", err.message);
    cr_assert_str_eq (results.results[0].result, "ok");
    cg_msg_clear (&cg_fund_results_def, &results);
    cg_fund_account_t a;
    get.id = "tb-baihe.v.xiao.liu";
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_balance, &get, &a, &err), 0);
    cr_assert_eq (a.credits_posted - a.debits_posted, 60);
    cg_msg_clear (&cg_fund_account_def, &a);

    /*  publishing the month's report: a supervisor, admin or committee member */
    cg_testcli_says (stack, 1, "report_publisher", "fund publish baihe --month 2020-01 "
                     "--actor %s --role operator", S_DESK);
    cg_testcli_says (stack, 0, "2020-01", "fund publish baihe --month 2020-01 --actor "
                     "center:320602001:zhao.lei --role operator");
    /*  and reading stays open to anyone: 三务公开 */
    cg_testcli_says (stack, 0, "2020-01", "fund report baihe --month 2020-01");
    cg_client_destroy (&c);
    cg_teststack_down (&stack);
}

/*  Runs a plain consultation's meeting of the invited parties, with
    `present` members of prefix present and `yes` of them for. */
static void
s_consult (cg_teststack_t *stack, const char *id, const char *prefix, int present, int yes,
           const char *decision)
{
    free (cg_testcli (stack, 0, "topic stage %s consultation", id));
    char members[512] = "";
    for (int i = 1; i <= present; i++)
        snprintf (members + strlen (members), sizeof members - strlen (members), "%s%s%02d",
                  i > 1 ? "," : "", prefix, i);
    free (cg_testcli (stack, 0, "topic meeting %s --members %s", id, members));
    for (int i = 1; i <= present; i++)
        free (cg_testcli (stack, 0, "topic vote %s %s%02d %s", id, prefix, i,
                          i <= yes ? "yes" : "no"));
    cg_testcli_says (stack, 0, decision, "topic tally %s --close", id);
}

/*  `fund request` of 6000 yuan as wang.fang at the desk, naming topic,
    with transfer id n; asserts the exit code and returns the output. */
static char *
s_request_cli (cg_teststack_t *stack, int want, unsigned n, const char *topic)
{
    char id[33];
    s_id (id, 4, n);
    return cg_testcli (stack, want, "fund request --fund baihe --beneficiary 李爷爷 --amount "
                       "600000 --purpose '助老餐桌扩面' --resolution %s --id %s --actor "
                       "center:320602001:wang.fang --role operator --json", topic, id);
}

/*  A request of 6000 yuan naming topic (none when NULL) refused, saying
    words. */
static void
s_request_refused (cg_teststack_t *stack, const char *topic, const char *words)
{
    cg_testcli_says (stack, 1, words, "fund request --fund baihe --beneficiary 李爷爷 --amount "
                     "600000 --purpose x %s%s --actor wang.fang --role operator",
                     topic ? "--resolution " : "", topic ? topic : "");
}

Test (fund_access, a_large_request_needs_an_adopted_resolution_of_its_own_area, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *c = cg_teststack_client (stack, "fund");
    cg_error_t err;
    cr_assert_eq (s_donate (c, 1, 5000000, S_DESK, "operator", &err), 0, "%s", err.message);

    /*  from 5000 yuan a request names its topic, which must exist */
    s_request_refused (stack, NULL, "needs the consultation topic");
    s_request_refused (stack, "YS000009", "consultation has no topic YS000009");

    /*  新桥社区 deliberates; while it does, the request waits for it */
    cg_testcli_says (stack, 0, "YS000001", "topic create --title '助老餐桌扩面' --scope "
                     "320602001001 --procedure plain");
    s_request_refused (stack, "YS000001", "still being deliberated");
    /*  adopted: the request goes through at once, with two approvals */
    s_consult (stack, "YS000001", "xq-iv", 5, 4, "adopted");
    char *out = s_request_cli (stack, 0, 2, "YS000001");
    cr_assert (strstr (out, "\"resolution\":\"YS000001\"") && strstr (out, "\"need\":2")
               && strstr (out, "\"state\":\"pending\""), "%s", out);
    free (out);
    char id[33];
    s_id (id, 4, 2);
    cg_testcli_says (stack, 0, "pending", "fund approve %s --actor li.qiang --role operator", id);
    cg_testcli_says (stack, 0, "approved", "fund approve %s --actor chen.jie --role operator",
                     id);

    /*  another community's resolution does not serve this fund */
    cg_testcli_says (stack, 0, "YS000002", "topic create --title '电梯加装' --scope 320602001002 "
                     "--procedure plain --invite hq-01:甲:居民,hq-02:乙:居民,hq-03:丙:居民");
    s_consult (stack, "YS000002", "hq-", 3, 3, "adopted");
    s_request_refused (stack, "YS000002", "deliberated in 320602001002");
    /*  nor does a rejected one */
    cg_testcli_says (stack, 0, "YS000003", "topic create --title '广场舞音响' --scope "
                     "320602001001 --procedure plain");
    s_consult (stack, "YS000003", "xq-iv", 5, 1, "rejected");
    s_request_refused (stack, "YS000003", "it was rejected");

    /*  the fund follows consultation's journal exactly once: after a
        kill -9 it catches up to the head, and what it learned stays */
    cg_teststack_kill9 (stack, "fund");
    cg_teststack_restart (stack);
    redisReply *r = cg_redis_command (stack->redis, "GET cg:{consultation}:seq");
    int64_t head = cg_reply_int (r, -1);
    freeReplyObject (r);
    cr_assert_gt (head, 10);
    cr_assert_eq (cg_teststack_await (stack, head, 60000, "GET cg:{fund}:cursor:consultation"),
                  head);
    cg_client_destroy (&c);
    c = cg_teststack_client (stack, "fund");
    cg_fund_request_view_t view;
    s_id (id, 4, 3);
    cr_assert_eq (s_request (c, id, 600000, "wang.fang", "operator", "YS000001", &view, &err), 0,
                  "%s", err.message);
    cr_assert_eq (s_request (c, id, 600000, "wang.fang", "operator", "YS000003", &view, &err), -1);
    cr_assert_str_eq (err.field, "resolution");
    cg_client_destroy (&c);
    cg_teststack_down (&stack);
}
