/*  The charity fund and the time bank, with real parts: a stack started by
    the CLI, civgrid-fund as its own process, commands over ZeroMQ.  Every
    ledger rule and refusal, donations and receipts, the approval rules, the
    time bank, the hash chain caught out by a tampered entry, and many
    clients at once through kill -9 of the daemon and of redis-server,
    after which every invariant is checked from Redis itself. */
#include <criterion/criterion.h>
#include <pthread.h>
#include "cg_testenv.h"

#define S_FUND  "cg:{fund}:"
#define S_ADMIN "admin:tester"
#define S_DESK  "center:320602001:desk"     /* 观音山街道, whose community 新桥社区 has the funds */

/*  A transfer id from a number and a salt: 32 hex digits. */
static void
s_id (char *out, unsigned salt, unsigned n)
{
    snprintf (out, 33, "%08x%08x%016x", salt, 0xf0dU, n);
}

typedef struct {
    const char *id, *debit, *credit, *flags, *pending_id;
    int64_t amount, timeout;
} s_xfer_t;

/*  Sends transfers in one batch; results[i] gets each result (static
    storage, overwritten by the next call); returns -1 when the call
    itself failed. */
static char s_results[64][48];
static int64_t s_entries[64];

static int
s_batch (cg_client_t *client, const s_xfer_t *xs, size_t n, const char *rid, cg_error_t *err)
{
    cg_fund_transfer_t ts[64];
    char *flags[64][4];
    char buf[64][64];
    for (size_t i = 0; i < n; i++) {
        ts[i] = (cg_fund_transfer_t) { .id = (char *) xs[i].id, .debit = (char *) xs[i].debit,
            .credit = (char *) xs[i].credit, .amount = xs[i].amount,
            .pending_id = (char *) xs[i].pending_id, .timeout = xs[i].timeout,
            .flags = flags[i] };
        snprintf (buf[i], sizeof buf[i], "%s", xs[i].flags ? xs[i].flags : "");
        for (char *f = strtok (buf[i], ","); f; f = strtok (NULL, ","))
            flags[i][ts[i].flags_count++] = f;
    }
    cg_fund_transfer_batch_t req = { .rid = (char *) rid, .transfers = ts, .transfers_count = n,
                                     .actor = S_ADMIN, .role = "admin" };
    cg_fund_results_t out;
    if (cg_client_call (client, &cg_cmd_fund_transfer, &req, &out, err))
        return -1;
    for (size_t i = 0; i < out.results_count && i < 64; i++) {
        snprintf (s_results[i], sizeof s_results[i], "%s", out.results[i].result);
        s_entries[i] = out.results[i].entry;
    }
    cg_msg_clear (&cg_fund_results_def, &out);
    return 0;
}

/*  One transfer; its result. */
static const char *
s_one (cg_client_t *client, s_xfer_t x)
{
    cg_error_t err;
    if (s_batch (client, &x, 1, NULL, &err))
        snprintf (s_results[0], sizeof s_results[0], "%s", err.code);
    return s_results[0];
}

static void
s_open (cg_client_t *client, const char *id, const char *ledger, bool no_overdraft)
{
    char *flags[] = { "no_overdraft" };
    cg_fund_account_t a = { .id = (char *) id, .ledger = (char *) ledger,
                            .flags = no_overdraft ? flags : NULL, .flags_count = no_overdraft };
    cg_fund_account_create_t req = { .accounts = &a, .accounts_count = 1, .actor = S_ADMIN,
                                     .role = "admin" };
    cg_fund_results_t out;
    cg_error_t err;
    cr_assert_eq (cg_client_call (client, &cg_cmd_fund_account, &req, &out, &err), 0, "%s", err.message);
    cr_assert (strcmp (out.results[0].result, "ok") == 0
               || strcmp (out.results[0].result, "exists") == 0, "%s", out.results[0].result);
    cg_msg_clear (&cg_fund_results_def, &out);
}

static cg_fund_account_t
s_balance (cg_client_t *client, const char *id)
{
    cg_fund_get_t req = { .id = (char *) id };
    cg_fund_account_t a;
    cg_error_t err;
    cr_assert_eq (cg_client_call (client, &cg_cmd_fund_balance, &req, &a, &err), 0, "%s: %s", id, err.message);
    return a;
}

/*  credits posted minus debits posted */
static int64_t
s_posted (cg_client_t *client, const char *id)
{
    cg_fund_account_t a = s_balance (client, id);
    int64_t v = a.credits_posted - a.debits_posted;
    cg_msg_clear (&cg_fund_account_def, &a);
    return v;
}

static cg_fund_verified_t
s_verify (cg_client_t *client)
{
    cg_fund_get_t req = { .id = "all" };
    cg_fund_verified_t v;
    cg_error_t err;
    cr_assert_eq (cg_client_call (client, &cg_cmd_fund_verify, &req, &v, &err), 0, "%s", err.message);
    return v;
}

/*  Waits up to 20 s for the daemon's timer to void everything due. */
static bool
s_expiry_empty (cg_teststack_t *stack)
{
    for (int i = 0; i < 200; i++) {
        redisReply *r = cg_redis_command (stack->redis, "ZCARD " S_FUND "expiry");
        int64_t n = cg_reply_int (r, -1);
        freeReplyObject (r);
        if (n == 0)
            return true;
        usleep (100000);
    }
    return false;
}

static void
s_set_clock (cg_teststack_t *stack, int64_t ms)
{
    redisReply *r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) ms);
    freeReplyObject (r);
}

Test (fund, ledger_rules_and_refusals, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    int64_t t0 = INT64_C (1795000000000);
    s_set_clock (stack, t0);
    cg_client_t *c = cg_teststack_client (stack, "fund");
    s_open (c, "t.src", "cny", false);
    s_open (c, "t.a", "cny", true);
    s_open (c, "t.b", "cny", true);
    s_open (c, "t.min", "min", false);

    /*  an account id is opened once; the same again is `exists` */
    char *bad_flags[] = { "overdraft_ok" };
    cg_fund_account_t bad = { .id = "t.x", .ledger = "cny", .flags = bad_flags, .flags_count = 1 };
    cg_fund_account_create_t areq = { .accounts = &bad, .accounts_count = 1, .actor = S_ADMIN,
                                      .role = "admin" };
    cg_fund_results_t aout;
    cg_error_t err;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_account, &areq, &aout, &err), -1);
    cr_assert_str_eq (err.field, "accounts[0].flags");
    bad = (cg_fund_account_t) { .id = "t.a", .ledger = "min" };
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_account, &areq, &aout, &err), 0);
    cr_assert_str_eq (aout.results[0].result, "exists_with_different_fields");
    cg_msg_clear (&cg_fund_results_def, &aout);

    char id[20][33];
    for (int i = 0; i < 20; i++)
        s_id (id[i], 1, i + 1);
    /*  refusals that change nothing */
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.src", "t.a", NULL, NULL, 0, 0 }),
                      "amount_must_not_be_zero");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.a", "t.a", NULL, NULL, 5, 0 }),
                      "accounts_must_be_different");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.src", "t.none", NULL, NULL, 5, 0 }),
                      "credit_account_not_found");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.src", "t.min", NULL, NULL, 5, 0 }),
                      "accounts_must_have_the_same_ledger");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.a", "t.b", NULL, NULL, 5, 0 }),
                      "exceeds_credits");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.src", "t.a", NULL, NULL, 5, 60 }),
                      "timeout_reserved_for_pending_transfer");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { "00000000000000000000000000000000", "t.src", "t.a",
                                             NULL, NULL, 5, 0 }), "id_must_be_32_hex_digits");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { "xyz", "t.src", "t.a", NULL, NULL, 5, 0 }),
                      "invalid");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.src", "t.a", "pending,post_pending",
                                             NULL, 5, 0 }), "flags_are_mutually_exclusive");
    cr_assert_eq (s_posted (c, "t.a"), 0);

    /*  applied once: the retry answers exists with the first entry */
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.src", "t.a", NULL, NULL, 1000, 0 }), "ok");
    int64_t entry = s_entries[0];
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.src", "t.a", NULL, NULL, 1000, 0 }),
                      "exists");
    cr_assert_eq (s_entries[0], entry);
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[0], "t.src", "t.a", NULL, NULL, 999, 0 }),
                      "exists_with_different_fields");
    cr_assert_eq (s_posted (c, "t.a"), 1000);

    /*  pending amounts count against no-overdraft: 600 reserved, 401 more is refused */
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[1], "t.a", "t.b", "pending", NULL, 600, 0 }), "ok");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[2], "t.a", "t.b", NULL, NULL, 401, 0 }),
                      "exceeds_credits");
    /*  post part of it; the rest returns; it cannot be settled twice */
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[3], NULL, NULL, "post_pending", id[1], 700, 0 }),
                      "exceeds_pending_transfer_amount");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[3], NULL, NULL, "post_pending", id[1], 250, 0 }),
                      "ok");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[4], NULL, NULL, "void_pending", id[1], 0, 0 }),
                      "pending_transfer_already_posted");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[4], NULL, NULL, "post_pending", id[0], 0, 0 }),
                      "pending_transfer_not_pending");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[4], NULL, NULL, "post_pending", id[19], 0, 0 }),
                      "pending_transfer_not_found");
    cr_assert_eq (s_posted (c, "t.a"), 750);
    cr_assert_eq (s_posted (c, "t.b"), 250);
    cg_fund_account_t a = s_balance (c, "t.a");
    cr_assert_eq (a.debits_pending, 0);
    cg_msg_clear (&cg_fund_account_def, &a);

    /*  void gives it all back */
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[5], "t.a", "t.b", "pending", NULL, 700, 0 }), "ok");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[6], NULL, NULL, "void_pending", id[5], 0, 0 }), "ok");
    cr_assert_eq (s_posted (c, "t.a"), 750);

    /*  a timeout voids by itself; posting after it is refused */
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[7], "t.a", "t.b", "pending", NULL, 700, 60 }), "ok");
    s_set_clock (stack, t0 + 61000);
    cr_assert_str_eq (s_one (c, (s_xfer_t) { id[8], NULL, NULL, "post_pending", id[7], 0, 0 }),
                      "pending_transfer_expired");
    cr_assert (s_expiry_empty (stack), "the timeout did not void");
    a = s_balance (c, "t.a");
    cr_assert_eq (a.debits_pending, 0);
    cg_msg_clear (&cg_fund_account_def, &a);

    /*  linked: the second fails, so the first is undone */
    s_xfer_t chain[2] = { { id[9], "t.a", "t.b", "linked", NULL, 100, 0 },
                          { id[10], "t.a", "t.b", NULL, NULL, 5000, 0 } };
    cr_assert_eq (s_batch (c, chain, 2, NULL, &err), 0);
    cr_assert_str_eq (s_results[0], "linked_event_failed");
    cr_assert_str_eq (s_results[1], "exceeds_credits");
    cr_assert_eq (s_posted (c, "t.b"), 250);
    chain[1].amount = 50;
    cr_assert_eq (s_batch (c, chain, 2, NULL, &err), 0);
    cr_assert_str_eq (s_results[0], "ok");
    cr_assert_str_eq (s_results[1], "ok");
    cr_assert_eq (s_posted (c, "t.b"), 400);
    s_xfer_t open_chain = { id[11], "t.src", "t.a", "linked", NULL, 5, 0 };
    cr_assert_eq (s_batch (c, &open_chain, 1, NULL, &err), 0);
    cr_assert_str_eq (s_results[0], "linked_event_chain_open");

    /*  no balance may pass 10^14 - 1 (debits or credits) */
    s_xfer_t big[10];
    char big_id[10][33];
    for (int i = 0; i < 10; i++) {
        s_id (big_id[i], 7, i + 1);
        big[i] = (s_xfer_t) { big_id[i], "t.src", "t.b", NULL, NULL, INT64_C (10000000000000), 0 };
    }
    cr_assert_eq (s_batch (c, big, 10, NULL, &err), 0);
    cr_assert_str_eq (s_results[8], "ok");
    cr_assert_str_eq (s_results[9], "overflows_debits");
    cr_assert_eq (s_posted (c, "t.b"), 400 + INT64_C (90000000000000));

    cg_fund_verified_t v = s_verify (c);
    cr_assert (v.ok, "%s", v.problem);
    cr_assert_gt (v.entries, 5);
    cg_msg_clear (&cg_fund_verified_def, &v);
    cg_client_destroy (&c);
    cg_teststack_down (&stack);
}

static cg_fund_request_view_t
s_request (cg_client_t *c, const char *id, const char *project, int64_t amount,
           const char *requester, const char *resolution, cg_error_t *err, int *rc)
{
    cg_fund_request_t req = { .id = (char *) id, .fund = "baihe", .project = (char *) project,
        .beneficiary = "王奶奶", .amount = amount, .purpose = "助老餐 11月",
        .actor = (char *) requester, .role = "operator", .resolution = (char *) resolution };
    cg_fund_request_view_t out;
    *rc = cg_client_call (c, &cg_cmd_fund_request, &req, &out, err);
    return out;
}

static int
s_decide (cg_client_t *c, const char *command, const char *id, const char *actor,
          cg_fund_request_view_t *out, cg_error_t *err)
{
    cg_fund_decide_t req = { .id = (char *) id, .actor = (char *) actor, .role = "operator",
                             .note = "ok" };
    return cg_client_call (c, cg_cmddef_find (command, "fund"), &req, out, err);
}

Test (fund, donations_requests_approvals_and_the_time_bank, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    int64_t t0 = INT64_C (1795000000000);
    s_set_clock (stack, t0);
    cg_client_t *c = cg_teststack_client (stack, "fund");
    cg_error_t err;

    /*  a donation gives a receipt; the same id again gives the same receipt */
    char did[33];
    s_id (did, 2, 1);
    cg_fund_donate_t don = { .id = did, .fund = "baihe", .project = "elderly", .donor = "张三",
                             .amount = 2000000, .channel = "bank", .actor = S_DESK,
                             .role = "operator" };
    cg_fund_receipt_t r1, r2;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_donate, &don, &r1, &err), 0, "%s", err.message);
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_donate, &don, &r2, &err), 0);
    cr_assert_str_eq (r1.receipt, r2.receipt);
    cr_assert (r2.repeat);
    cr_assert_str_eq (r1.donor, "张三");
    cg_msg_clear (&cg_fund_receipt_def, &r1);
    cg_msg_clear (&cg_fund_receipt_def, &r2);
    s_id (did, 2, 2);
    don.anonymous = true;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_donate, &don, &r1, &err), 0);
    cr_assert_str_eq (r1.donor, "匿名");
    cg_msg_clear (&cg_fund_receipt_def, &r1);
    don.project = "nosuch";
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_donate, &don, &r1, &err), -1);
    cr_assert_str_eq (err.field, "project");
    cr_assert_eq (s_posted (c, "baihe.elderly"), 4000000);

    /*  a small request needs one approval, not the requester's */
    char q1[33], q2[33], q3[33], q4[33];
    s_id (q1, 3, 1);
    s_id (q2, 3, 2);
    s_id (q3, 3, 3);
    s_id (q4, 3, 4);
    int rc;
    cg_fund_request_view_t view = s_request (c, q1, "elderly", 30000, "wang.fang", NULL, &err, &rc);
    cr_assert_eq (rc, 0, "%s", err.message);
    cr_assert_eq (view.need, 1);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    cg_fund_account_t a = s_balance (c, "baihe.elderly");
    cr_assert_eq (a.debits_pending, 30000, "the request reserves its amount");
    cg_msg_clear (&cg_fund_account_def, &a);
    /*  fund.approval_requested is in the journal, naming the committee */
    redisReply *j = cg_redis_command (stack->redis, "XRANGE " S_FUND "journal - +");
    redisReply *body = NULL;
    for (size_t i = 0; i < j->elements; i++)
        if (strcmp (j->element[i]->element[1]->element[1]->str, "fund.approval_requested") == 0)
            body = j->element[i]->element[1]->element[3];
    cr_assert (body, "no fund.approval_requested in the journal");
    cg_fund_approval_requested_t ev;
    cr_assert_eq (cg_msg_decode (&cg_fund_approval_requested_def, body->str, body->len, &ev,
                                 &err), 0);
    cr_assert_eq (ev.approvers_count, 5);
    cr_assert_eq (ev.amount, 30000);
    cr_assert_str_eq (ev.id, q1);
    cg_msg_clear (&cg_fund_approval_requested_def, &ev);
    freeReplyObject (j);

    cr_assert_eq (s_decide (c, "fund.approve", q1, "wang.fang", &view, &err), -1);
    cr_assert_str_eq (err.code, "forbidden");
    cr_assert_eq (s_decide (c, "fund.approve", q1, "stranger", &view, &err), -1);
    cr_assert_str_eq (err.field, "actor");
    cr_assert_eq (s_decide (c, "fund.approve", q1, "li.qiang", &view, &err), 0);
    cr_assert_str_eq (view.state, "approved");
    cg_msg_clear (&cg_fund_request_view_def, &view);
    cr_assert_eq (s_decide (c, "fund.reject", q1, "zhao.lei", &view, &err), -1);
    cr_assert_str_eq (err.code, "conflict");
    cr_assert_eq (s_posted (c, "baihe.elderly"), 4000000 - 30000);

    /*  from 1000 yuan two approvals; from 5000 yuan a resolution */
    view = s_request (c, q2, "elderly", 600000, "wang.fang", NULL, &err, &rc);
    cr_assert_eq (rc, -1);
    cr_assert_str_eq (err.field, "resolution");
    view = s_request (c, q2, "elderly", 200000, "wang.fang", NULL, &err, &rc);
    cr_assert_eq (rc, 0);
    cr_assert_eq (view.need, 2);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    cr_assert_eq (s_decide (c, "fund.approve", q2, "li.qiang", &view, &err), 0);
    cr_assert_str_eq (view.state, "pending");
    cg_msg_clear (&cg_fund_request_view_def, &view);
    cr_assert_eq (s_decide (c, "fund.approve", q2, "li.qiang", &view, &err), -1,
                  "one member approves once");
    cr_assert_eq (s_decide (c, "fund.approve", q2, "chen.jie", &view, &err), 0);
    cr_assert_str_eq (view.state, "approved");
    cg_msg_clear (&cg_fund_request_view_def, &view);

    /*  more than is left is refused at the request */
    view = s_request (c, q3, "study", 10000, "wang.fang", NULL, &err, &rc);
    cr_assert_eq (rc, -1);
    cr_assert_str_eq (err.field, "amount");
    /*  a rejection gives the reservation back */
    view = s_request (c, q3, "elderly", 10000, "wang.fang", NULL, &err, &rc);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    cr_assert_eq (s_decide (c, "fund.reject", q3, "zhao.lei", &view, &err), 0);
    cr_assert_str_eq (view.state, "rejected");
    cg_msg_clear (&cg_fund_request_view_def, &view);
    /*  an undecided request expires after the fund's timeout (14 days) */
    view = s_request (c, q4, "elderly", 10000, "wang.fang", NULL, &err, &rc);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    s_set_clock (stack, t0 + INT64_C (1209600001));
    cr_assert (s_expiry_empty (stack), "the request did not expire");
    cg_fund_get_t get = { .id = q4 };
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_show, &get, &view, &err), 0);
    cr_assert_str_eq (view.state, "expired");
    cg_msg_clear (&cg_fund_request_view_def, &view);
    a = s_balance (c, "baihe.elderly");
    cr_assert_eq (a.debits_pending, 0);
    cr_assert_eq (a.credits_posted - a.debits_posted, 4000000 - 230000);
    cg_msg_clear (&cg_fund_account_def, &a);

    /*  时间银行: 90 minutes earned when the person served confirms */
    char tb[33];
    s_id (tb, 4, 1);
    cg_fund_request_t earn = { .id = tb, .fund = "tb-baihe", .beneficiary = "xiao.liu",
        .amount = 90, .purpose = "陪老人就医", .actor = "xiao.liu", .role = "operator",
        .served = "zhang.nainai" };
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_request, &earn, &view, &err), 0, "%s", err.message);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    cr_assert_eq (s_decide (c, "fund.approve", tb, "wang.fang", &view, &err), -1,
                  "only the person served confirms");
    cr_assert_eq (s_decide (c, "fund.approve", tb, "zhang.nainai", &view, &err), 0);
    cr_assert_str_eq (view.state, "approved");
    cg_msg_clear (&cg_fund_request_view_def, &view);
    cr_assert_eq (s_posted (c, "tb-baihe.v.xiao.liu"), 90);
    /*  minutes spent or donated, never more than earned */
    char sp[33];
    s_id (sp, 4, 2);
    cr_assert_str_eq (s_one (c, (s_xfer_t) { sp, "tb-baihe.v.xiao.liu", "tb-baihe", NULL, NULL,
                                             91, 0 }), "exceeds_credits");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { sp, "tb-baihe.v.xiao.liu", "tb-baihe", NULL, NULL,
                                             30, 0 }), "ok");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { sp, "tb-baihe.v.xiao.liu", "baihe", NULL, NULL,
                                             30, 0 }), "exists_with_different_fields");
    cr_assert_eq (s_posted (c, "tb-baihe"), 30);

    /*  the chain verifies; an altered entry is caught where it is */
    cg_fund_verified_t v = s_verify (c);
    cr_assert (v.ok, "%s", v.problem);
    int64_t n = v.entries;
    cg_msg_clear (&cg_fund_verified_def, &v);
    /*  and the CLI says so with exit 0, so that monitoring can tell a
        healthy ledger (0) from a broken one (3) */
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "fund verify"), 0, "%s", out);
    cr_assert (out && strstr (out, "ok: "), "%s", out);
    free (out);
    redisReply *line = cg_redis_command (stack->redis, "LINDEX " S_FUND "entries 2");
    char *original = strdup (line->str), *tampered = strdup (line->str);
    freeReplyObject (line);
    char *amount = strstr (tampered, "\t30000\t");
    cr_assert (amount, "%s", tampered);
    memcpy (amount, "\t90000\t", 7);
    freeReplyObject (cg_redis_command (stack->redis, "LSET " S_FUND "entries 2 %s", tampered));
    v = s_verify (c);
    cr_assert_not (v.ok);
    cr_assert_eq (v.broken_at, 3, "broken at %lld: %s", (long long) v.broken_at, v.problem);
    cg_msg_clear (&cg_fund_verified_def, &v);
    cr_assert_eq (cg_teststack_cli (stack, &out, "fund verify"), 3);
    cr_assert (out && strstr (out, "BROKEN at entry 3"), "%s", out);
    free (out);
    /*  put back, it verifies again; a balance altered behind the ledger's
        back is caught by the recomputation */
    freeReplyObject (cg_redis_command (stack->redis, "LSET " S_FUND "entries 2 %s", original));
    v = s_verify (c);
    cr_assert (v.ok, "%s", v.problem);
    cr_assert_eq (v.entries, n);
    cg_msg_clear (&cg_fund_verified_def, &v);
    freeReplyObject (cg_redis_command (stack->redis, "HINCRBY " S_FUND "acct:baihe.study cpo 1"));
    v = s_verify (c);
    cr_assert_not (v.ok);
    cr_assert (v.problem && strstr (v.problem, "baihe.study"), "%s", v.problem);
    cg_msg_clear (&cg_fund_verified_def, &v);
    free (original);
    free (tampered);
    cg_client_destroy (&c);
    cg_teststack_down (&stack);
}

/*  Unix ms of a Beijing-time date. */
static int64_t
s_beijing (int year, int mon, int day, int hour)
{
    struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = day,
                     .tm_hour = hour };
    return (int64_t) timegm (&tm) * 1000 - 8 * INT64_C (3600000);
}

static void
s_donate (cg_client_t *c, unsigned n, const char *donor, bool anonymous, int64_t amount)
{
    char id[33];
    s_id (id, 5, n);
    cg_fund_donate_t don = { .id = id, .fund = "baihe", .donor = (char *) donor,
                             .anonymous = anonymous, .amount = amount, .channel = "wechat",
                             .actor = S_DESK, .role = "operator" };
    cg_fund_receipt_t r;
    cg_error_t err;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_donate, &don, &r, &err), 0, "%s", err.message);
    cg_msg_clear (&cg_fund_receipt_def, &r);
}

static cg_fund_report_t
s_report (cg_client_t *c, const char *command, const char *fund, const char *month)
{
    cg_fund_get_t req = { .id = (char *) fund, .month = (char *) month, .actor = S_ADMIN,
                          .role = "admin" };
    cg_fund_report_t r;
    cg_error_t err;
    cr_assert_eq (cg_client_call (c, cg_cmddef_find (command, "fund"), &req, &r, &err), 0,
                  "%s", err.message);
    return r;
}

/*  How many fund.report_overdue entries of the journal name fund and month. */
static int
s_alarms (cg_teststack_t *stack, const char *fund, const char *month)
{
    redisReply *j = cg_redis_command (stack->redis, "XRANGE " S_FUND "journal - +");
    int n = 0;
    for (size_t i = 0; i < j->elements; i++) {
        redisReply *kv = j->element[i]->element[1];
        if (strcmp (kv->element[1]->str, "fund.report_overdue"))
            continue;
        cg_fund_report_overdue_t ev;
        cg_error_t err;
        cr_assert_eq (cg_msg_decode (&cg_fund_report_overdue_def, kv->element[3]->str,
                                     kv->element[3]->len, &ev, &err), 0);
        n += strcmp (ev.fund, fund) == 0 && strcmp (ev.month, month) == 0;
        cg_msg_clear (&cg_fund_report_overdue_def, &ev);
    }
    freeReplyObject (j);
    return n;
}

Test (fund, monthly_disclosure_and_the_alarm_when_it_is_late, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    cg_client_t *c = cg_teststack_client (stack, "fund");
    cg_error_t err;
    /*  October: one donation */
    s_set_clock (stack, s_beijing (2026, 10, 20, 9));
    s_donate (c, 1, "张三", false, 100000);
    /*  November: two donations, one approved request, one pending, a fee */
    s_set_clock (stack, s_beijing (2026, 11, 5, 9));
    s_donate (c, 2, "张三", false, 50000);
    s_donate (c, 3, "李四", true, 20000);
    char q1[33], q2[33], fee[33];
    s_id (q1, 6, 1);
    s_id (q2, 6, 2);
    s_id (fee, 6, 3);
    int rc;
    cg_fund_request_view_t view = s_request (c, q1, "elderly", 10000, "wang.fang", NULL, &err,
                                             &rc);
    cr_assert_eq (rc, -1, "the project holds nothing yet");
    cr_assert_str_eq (s_one (c, (s_xfer_t) { fee, "baihe", "baihe.elderly", NULL, NULL,
                                             60000, 0 }), "ok");
    view = s_request (c, q1, "elderly", 30000, "wang.fang", NULL, &err, &rc);
    cr_assert_eq (rc, 0, "%s", err.message);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    cr_assert_eq (s_decide (c, "fund.approve", q1, "li.qiang", &view, &err), 0);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    view = s_request (c, q2, NULL, 5000, "wang.fang", NULL, &err, &rc);
    cr_assert_eq (rc, 0, "%s", err.message);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    s_id (fee, 6, 4);
    cr_assert_str_eq (s_one (c, (s_xfer_t) { fee, "baihe", "baihe.custodian", NULL, NULL,
                                             1000, 0 }), "ok");

    /*  a month not over cannot be published */
    cg_fund_get_t get = { .id = "baihe", .month = "2026-11", .actor = S_ADMIN, .role = "admin" };
    cg_fund_report_t r;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_publish, &get, &r, &err), -1);
    cr_assert_str_eq (err.field, "month");
    s_set_clock (stack, s_beijing (2026, 12, 1, 1));
    cg_fund_report_t oct = s_report (c, "fund.report", "baihe", "2026-10");
    cr_assert_eq (oct.opening, 0);
    cr_assert_eq (oct.income, 100000);
    cr_assert_eq (oct.closing, 100000);
    cr_assert_eq (oct.entries, 1);
    cg_msg_clear (&cg_fund_report_def, &oct);
    r = s_report (c, "fund.report", "baihe", "2026-11");
    cr_assert_eq (r.opening, 100000, "this month opens where the last closed");
    cr_assert_eq (r.income, 70000);
    cr_assert_eq (r.spending, 30000);
    cr_assert_eq (r.other, -1000, "the fee left the fund");
    cr_assert_eq (r.closing, 100000 + 70000 - 30000 - 1000);
    cr_assert_eq (r.donations_count, 2);
    cr_assert_eq (r.disbursements_count, 1);
    cr_assert_str_eq (r.disbursements[0].label, "助老餐桌");
    cr_assert_eq (r.pending_count, 1);
    cr_assert_str_eq (r.pending[0].label, "助老餐 11月 — 王**");
    cr_assert_eq (r.pending[0].amount, 5000);
    /*  the head it publishes is what verify computes over the same entries */
    cg_fund_verified_t v = s_verify (c);
    cr_assert (v.ok, "%s", v.problem);
    cr_assert_eq (v.entries, r.entries);
    cr_assert_str_eq (v.head, r.head);
    cg_msg_clear (&cg_fund_verified_def, &v);
    /*  and what anyone computes with sha256sum over the exported ledger */
    char *exported = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &exported, "fund export"), 0);
    char path[600], command[1400];
    snprintf (path, sizeof path, "%s/entries.tsv", stack->dir);
    FILE *f = fopen (path, "w");
    cr_assert (f);
    fputs (exported, f);
    fclose (f);
    free (exported);
    snprintf (command, sizeof command, "prev=%s; while IFS= read -r line; do "
              "prev=$(printf '%%s\\n%%s' \"$prev\" \"$line\" | sha256sum | cut -c1-64); "
              "done < %s; echo $prev", "0000000000000000000000000000000000000000000000000000000000000000",
              path);
    FILE *sh = popen (command, "r");
    char head[80] = "";
    cr_assert (sh && fgets (head, sizeof head, sh));
    pclose (sh);
    head[strcspn (head, "\n")] = 0;
    cr_assert_str_eq (head, r.head, "sha256sum over `fund export` gives %s", head);
    cg_msg_clear (&cg_fund_report_def, &r);

    /*  donors appear as they chose; beneficiaries never by name */
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "fund report baihe --month 2026-11 --json"), 0);
    cr_assert (strstr (out, "张三 (wechat)") && strstr (out, "匿名 (wechat)"), "%s", out);
    cr_assert_null (strstr (out, "李四"), "%s", out);
    cr_assert_null (strstr (out, "王奶奶"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "fund report baihe --month 2026-11 "
                                    "--format csv"), 0);
    cr_assert (strstr (out, "baihe,2026-11,total,closing,139000,"), "%s", out);
    free (out);
    char html[600];
    snprintf (html, sizeof html, "%s/report.html", stack->dir);
    cr_assert_eq (cg_teststack_cli (stack, NULL, "fund report baihe --month 2026-11 --html %s",
                                    html), 0);
    f = fopen (html, "r");
    cr_assert (f);
    char page[16384];
    size_t n = fread (page, 1, sizeof page - 1, f);
    page[n] = 0;
    fclose (f);
    cr_assert (strstr (page, "<svg") && strstr (page, "1390.00"), "%s", page);

    /*  the time bank publishes on time; the fund does not, and is told once */
    r = s_report (c, "fund.publish", "tb-baihe", "2026-11");
    cr_assert_gt (r.published, 0);
    cg_msg_clear (&cg_fund_report_def, &r);
    s_set_clock (stack, s_beijing (2026, 12, 11, 1));
    for (int i = 0; i < 600 && s_alarms (stack, "baihe", "2026-11") == 0; i++)
        usleep (100000);
    cr_assert_eq (s_alarms (stack, "baihe", "2026-11"), 1);
    s_set_clock (stack, s_beijing (2026, 12, 11, 3));
    sleep (2);
    cr_assert_eq (s_alarms (stack, "baihe", "2026-11"), 1, "the alarm is raised once");
    cr_assert_eq (s_alarms (stack, "tb-baihe", "2026-11"), 0);
    r = s_report (c, "fund.publish", "baihe", "2026-11");
    cr_assert_gt (r.published, 0);
    cg_msg_clear (&cg_fund_report_def, &r);
    cg_client_destroy (&c);
    cg_teststack_down (&stack);
}

Test (fund, bad_input_is_refused_by_field_and_the_daemon_keeps_serving, .timeout = 60)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *c = cg_teststack_client (stack, "fund");
    cg_error_t err;
    /*  more transfers than a batch may hold */
    static cg_fund_transfer_t many[CG_FUND_BATCH_MAX + 1];
    for (size_t i = 0; i <= CG_FUND_BATCH_MAX; i++)
        many[i] = (cg_fund_transfer_t) { .id = "0123456789abcdef0123456789abcdef",
                                         .debit = "baihe.donors", .credit = "baihe", .amount = 1 };
    cg_fund_transfer_batch_t req = { .transfers = many, .transfers_count = CG_FUND_BATCH_MAX + 1,
                                     .actor = S_ADMIN, .role = "admin" };
    cg_fund_results_t out;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_transfer, &req, &out, &err), -1);
    cr_assert_str_eq (err.field, "transfers");
    /*  a bad account id, an unknown flag, a negative amount, a bad month */
    cg_fund_transfer_t t = { .id = "0123456789abcdef0123456789abcdef", .debit = "a b",
                             .credit = "baihe", .amount = 1 };
    req = (cg_fund_transfer_batch_t) { .transfers = &t, .transfers_count = 1, .actor = S_ADMIN,
                                       .role = "admin" };
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_transfer, &req, &out, &err), -1);
    cr_assert_str_eq (err.field, "transfers[0].debit");
    t.debit = "baihe.donors";
    t.flags = (char *[]) { "maybe" };
    t.flags_count = 1;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_transfer, &req, &out, &err), -1);
    cr_assert_str_eq (err.field, "transfers[0].flags");
    cg_fund_donate_t don = { .id = "0123456789abcdef0123456789abcdef", .fund = "baihe",
                             .amount = -5, .channel = "cash", .actor = S_DESK,
                             .role = "operator" };
    cg_fund_receipt_t rec;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_donate, &don, &rec, &err), -1);
    cr_assert_str_eq (err.field, "amount");
    cg_fund_get_t get = { .id = "baihe", .month = "2026-13" };
    cg_fund_report_t rep;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_report, &get,
                                  &rep, &err), -1);
    cr_assert_str_eq (err.field, "month");
    /*  garbage frames straight at the socket */
    zsock_t *raw = cg_teststack_dealer (stack, "fund");
    zstr_sendx (raw, "fund.transfer", "r1", "\xc1\xff\x00garbage", NULL);
    zstr_sendx (raw, "fund.transfer", NULL);
    zstr_sendx (raw, "no.such.command", "r2", "", NULL);
    zsock_destroy (&raw);
    /*  and it still serves */
    t.flags_count = 0;
    cr_assert_eq (cg_client_call (c, &cg_cmd_fund_transfer, &req, &out, &err), 0, "%s", err.message);
    cr_assert_str_eq (out.results[0].result, "ok");
    cg_msg_clear (&cg_fund_results_def, &out);
    cg_client_destroy (&c);
    cg_teststack_down (&stack);
}
