/*  Intake in batches: requests that wait on intake's socket together are
    stored by one Lua call (common/cg_command.h "Batches"), and each is
    answered exactly as it would be alone: a retry within the batch, by
    request id or by the channel's reference, gets the first answer; a
    request merges into a case that an earlier request of the same batch
    made; a refusal names its field; a cancel sees the alarm before it.
    The open cases a batch's requests join are looked for all at once, and
    each request joins its own: by grid, by point, never a resolved case.
    And a kill -9 of intake while many pipelined requests are in flight
    loses and doubles none of them.

    To make requests wait together, the test stops intake (SIGSTOP), sends
    them all on one DEALER, and lets it go on (SIGCONT). */
#include <criterion/criterion.h>
#include "cg_testenv.h"
#include "cg_clock.h"

#include <signal.h>

typedef struct {
    char rid[48], status[8];
    zframe_t *body;
} s_answer_t;

static zsock_t *
s_dealer (cg_teststack_t *stack)
{
    zsock_t *dealer = cg_teststack_dealer (stack, "intake");
    zsock_set_linger (dealer, 0);
    return dealer;
}

/*  Receives n answers (60 s at most), in the order they come. */
static size_t
s_receive (zsock_t *dealer, s_answer_t *answers, size_t n)
{
    zpoller_t *poller = zpoller_new (dealer, NULL);
    size_t got = 0;
    int64_t until = zclock_mono () + 60000;
    while (got < n && zclock_mono () < until && zpoller_wait (poller, 1000)) {
        zmsg_t *msg = zmsg_recv (dealer);
        cr_assert (msg && zmsg_size (msg) == 3);
        char *status = zmsg_popstr (msg), *rid = zmsg_popstr (msg);
        snprintf (answers[got].status, sizeof answers[got].status, "%s", status);
        snprintf (answers[got].rid, sizeof answers[got].rid, "%s", rid);
        answers[got++].body = zmsg_pop (msg);
        free (status);
        free (rid);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    return got;
}

/*  The k-th answer (from 0) to rid, decoded into rep; NULL when there is none. */
static s_answer_t *
s_answer (s_answer_t *answers, size_t n, const char *rid, int k, const cg_msgdef_t *def,
          void *rep)
{
    for (size_t i = 0; i < n; i++)
        if (streq (answers[i].rid, rid) && k-- == 0) {
            cg_error_t err;
            const cg_msgdef_t *as = streq (answers[i].status, "ok") ? def : &cg_refusal_def;
            cr_assert_eq (cg_msg_decode (as, zframe_data (answers[i].body),
                                         zframe_size (answers[i].body), rep, &err), 0,
                          "%s: %s: %s", rid, err.field, err.message);
            return &answers[i];
        }
    cr_assert_fail ("no answer %d to %s", k, rid);
    return NULL;
}

static void
s_noise (cg_hotline_order_t *order, const char *rid, const char *order_no, const char *phone,
         const char *call_time)
{
    *order = (cg_hotline_order_t) { .rid = (char *) rid, .order_no = (char *) order_no,
                                    .call_time = (char *) call_time, .class = "投诉",
                                    .caller_phone = (char *) phone,
                                    .content = "工农路噪声扰民", .address = "和平桥街道工农路" };
}

Test (intake_batch, requests_arriving_together_are_each_answered_as_alone, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    zsock_t *dealer = s_dealer (stack);
    char call_time[40], at[40];
    cg_time_iso (cg_clock_now () - 1000, call_time, sizeof call_time);
    cg_time_iso (cg_clock_now () - 1000, at, sizeof at);
    pid_t intake = cg_teststack_pid (stack, "intake");
    cr_assert_eq (kill (intake, SIGSTOP), 0);

    cg_hotline_order_t order;
    s_noise (&order, "r1", "B-1", "13800000001", call_time);
    cg_test_send (dealer, "hotline.order", order.rid, &cg_hotline_order_def, &order);
    /*  another caller about the same thing joins the case made just before */
    s_noise (&order, "r2", "B-2", "13800000002", call_time);
    cg_test_send (dealer, "hotline.order", order.rid, &cg_hotline_order_def, &order);
    /*  the first caller again: recognised */
    s_noise (&order, "r3", "B-3", "138-0000-0001", call_time);
    cg_test_send (dealer, "hotline.order", order.rid, &cg_hotline_order_def, &order);
    /*  retries: the same request id, and the same order under another id */
    s_noise (&order, "r1", "B-1", "13800000001", call_time);
    cg_test_send (dealer, "hotline.order", order.rid, &cg_hotline_order_def, &order);
    s_noise (&order, "r5", "B-1", "13800000001", call_time);
    cg_test_send (dealer, "hotline.order", order.rid, &cg_hotline_order_def, &order);
    /*  a refusal in the middle */
    s_noise (&order, "r6", "B-6", "13800000006", call_time);
    order.class = "抱怨";
    cg_test_send (dealer, "hotline.order", order.rid, &cg_hotline_order_def, &order);
    /*  an alarm, and its cancel, which must find it */
    cg_device_alarm_t alarm = { .rid = "r7", .device = "W-0001", .alarm_id = "AL-1",
                                .type = "fall", .at = at };
    cg_test_send (dealer, "device.alarm", alarm.rid, &cg_device_alarm_def, &alarm);
    cg_device_cancel_t cancel = { .rid = "r8", .device = "W-0001", .alarm_id = "AL-1",
                                  .reason = "误报" };
    cg_test_send (dealer, "device.cancel", cancel.rid, &cg_device_cancel_def, &cancel);
    /*  a point beyond what Redis's geo index holds (85.05°) is kept, not
        indexed, and spoils nothing for the rest of the batch */
    cg_grid_report_t report = { .rid = "r9", .report_id = "GR-B", .worker = "W1",
                                .grid = "320602001001001", .category = "street_light",
                                .text = "路灯不亮", .lat = "86.0", .lon = "120.85" };
    cg_test_send (dealer, "grid.report", report.rid, &cg_grid_report_def, &report);
    cg_case_submit_t submit = { .rid = "r10", .source = "operator", .category = "noise",
                                .text = "操作员登记", .grid = "320602001001001" };
    cg_test_send (dealer, "case.submit", submit.rid, &cg_case_submit_def, &submit);
    zclock_sleep (300);
    cr_assert_eq (kill (intake, SIGCONT), 0);

    s_answer_t answers[16];
    size_t n = s_receive (dealer, answers, 10);
    cr_assert_eq (n, 10, "every request answered: %zu of 10", n);
    cg_case_submitted_t first, again, rep;
    s_answer (answers, n, "r1", 0, &cg_case_submitted_def, &first);
    s_answer (answers, n, "r1", 1, &cg_case_submitted_def, &again);
    if (first.repeat) {
        cg_case_submitted_t swap = first;
        first = again;
        again = swap;
    }
    cr_assert (!first.repeat && !first.merged);
    cr_assert (again.repeat, "the same request id again: the first answer");
    cr_assert_str_eq (again.id, first.id);
    s_answer (answers, n, "r2", 0, &cg_case_submitted_def, &rep);
    cr_assert (rep.merged && !rep.known_caller, "joins the case made before it in the batch");
    cr_assert_str_eq (rep.id, first.id);
    cr_assert_eq (rep.supporters, 2);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    s_answer (answers, n, "r3", 0, &cg_case_submitted_def, &rep);
    cr_assert (rep.merged && rep.known_caller, "the first caller, recognised");
    cr_assert_eq (rep.supporters, 2);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    s_answer (answers, n, "r5", 0, &cg_case_submitted_def, &rep);
    cr_assert (rep.repeat, "the same order under another request id");
    cr_assert_str_eq (rep.id, first.id);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    cg_refusal_t refusal;
    s_answer_t *a = s_answer (answers, n, "r6", 0, &cg_case_submitted_def, &refusal);
    cr_assert_str_eq (a->status, "error");
    cr_assert_str_eq (refusal.field, "class");
    cg_msg_clear (&cg_refusal_def, &refusal);
    cg_device_answer_t accepted;
    s_answer (answers, n, "r7", 0, &cg_device_answer_def, &accepted);
    cr_assert (accepted.accepted && !accepted.repeat);
    a = s_answer (answers, n, "r8", 0, &cg_case_submitted_def, &rep);
    cr_assert_str_eq (a->status, "ok", "the cancel finds the alarm sent before it");
    cr_assert_str_eq (rep.id, accepted.id);
    cr_assert_not (rep.repeat);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    cg_msg_clear (&cg_device_answer_def, &accepted);
    a = s_answer (answers, n, "r9", 0, &cg_case_submitted_def, &rep);
    cr_assert_str_eq (a->status, "ok");
    cr_assert_not (rep.merged);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    a = s_answer (answers, n, "r10", 0, &cg_case_submitted_def, &rep);
    cr_assert_str_eq (a->status, "ok");
    cg_msg_clear (&cg_case_submitted_def, &rep);

    /*  journalled once each: 4 cases, 2 supporters, 1 withdrawal; and
        dispatch has the four cases */
    cr_assert_eq (cg_teststack_await (stack, 7, 10000, "GET cg:{intake}:seq"), 7);
    cr_assert_eq (cg_teststack_await (stack, 4, 60000, "ZCARD cg:{dispatch}:q:all"), 4);
    cr_assert_eq (cg_teststack_await (stack, 3, 1000, "HGET cg:{intake}:req:%s calls", first.id),
                  3);
    cg_msg_clear (&cg_case_submitted_def, &first);
    cg_msg_clear (&cg_case_submitted_def, &again);
    for (size_t i = 0; i < n; i++)
        zframe_destroy (&answers[i].body);
    zsock_destroy (&dealer);
    cg_teststack_down (&stack);
}

/*  Sends one grid report alone and returns its answer. */
static void
s_report (zsock_t *dealer, const char *rid, const char *grid, const char *category,
          const char *lat, const char *lon, cg_case_submitted_t *rep)
{
    cg_grid_report_t report = { .rid = (char *) rid, .report_id = (char *) rid, .worker = "W1",
                                .grid = (char *) grid, .category = (char *) category,
                                .text = "网格上报", .lat = (char *) lat, .lon = (char *) lon };
    cg_test_send (dealer, "grid.report", rid, &cg_grid_report_def, &report);
    s_answer_t answer;
    cr_assert_eq (s_receive (dealer, &answer, 1), 1, "%s answered", rid);
    s_answer (&answer, 1, rid, 0, &cg_case_submitted_def, rep);
    cr_assert_str_eq (answer.status, "ok", "%s", rid);
    zframe_destroy (&answer.body);
}

Test (intake_batch, each_request_of_a_batch_joins_its_own_open_case, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    zsock_t *dealer = s_dealer (stack);
    /*  open cases: noise in grids 001 and 002 (this one then resolved),
        a street light at a point in grid 003 */
    cg_case_submitted_t noise1, noise2, light, rep;
    s_report (dealer, "o1", "320602001001001", "noise", NULL, NULL, &noise1);
    s_report (dealer, "o2", "320602001001002", "noise", NULL, NULL, &noise2);
    s_report (dealer, "o3", "320602001001003", "street_light", "32.0029", "120.8529", &light);
    cr_assert (!noise1.merged && !noise2.merged && !light.merged);
    cr_assert_eq (cg_teststack_await (stack, 3, 60000, "ZCARD cg:{dispatch}:q:all"), 3);
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "accept %s", noise2.id), 0, "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "resolve %s --result 已处理", noise2.id), 0,
                  "%s", out);
    free (out);

    /*  one batch: each request looks in another grid or by its point */
    pid_t intake = cg_teststack_pid (stack, "intake");
    cr_assert_eq (kill (intake, SIGSTOP), 0);
    struct { const char *rid, *grid, *category, *lat, *lon; } batch[] = {
        { "b1", "320602001001004", "noise", NULL, NULL },          /* a new case */
        { "b2", "320602001001002", "noise", NULL, NULL },          /* its case is resolved */
        { "b3", "320602001001005", "street_light", "32.0029", "120.8532" },  /* 28 m away */
        { "b4", "320602001001001", "noise", NULL, NULL },          /* joins noise1 */
        { "b5", "320602001002001", "street_light", NULL, NULL } }; /* a new case */
    enum { B = sizeof batch / sizeof batch[0] };
    for (size_t i = 0; i < B; i++) {
        cg_grid_report_t report = { .rid = (char *) batch[i].rid,
                                    .report_id = (char *) batch[i].rid, .worker = "W2",
                                    .grid = (char *) batch[i].grid,
                                    .category = (char *) batch[i].category, .text = "网格上报",
                                    .lat = (char *) batch[i].lat, .lon = (char *) batch[i].lon };
        cg_test_send (dealer, "grid.report", report.rid, &cg_grid_report_def, &report);
    }
    zclock_sleep (300);
    cr_assert_eq (kill (intake, SIGCONT), 0);
    s_answer_t answers[B];
    size_t n = s_receive (dealer, answers, B);
    cr_assert_eq (n, (size_t) B, "every request answered: %zu of %d", n, (int) B);

    const char *joins[B] = { NULL, NULL, light.id, noise1.id, NULL };
    char made[B][32];
    for (size_t i = 0; i < B; i++) {
        s_answer (answers, n, batch[i].rid, 0, &cg_case_submitted_def, &rep);
        cr_assert_not (rep.repeat, "%s", batch[i].rid);
        if (joins[i]) {
            cr_assert (rep.merged, "%s joins an open case", batch[i].rid);
            cr_assert_str_eq (rep.id, joins[i], "%s joins its own case", batch[i].rid);
            cr_assert_eq (rep.supporters, 2);
        }
        else
            cr_assert_not (rep.merged, "%s is a new case", batch[i].rid);
        snprintf (made[i], sizeof made[i], "%s", rep.id);
        cg_msg_clear (&cg_case_submitted_def, &rep);
    }
    cr_assert_str_neq (made[1], noise2.id, "a resolved case is not joined");
    cr_assert_str_neq (made[0], made[1]);
    cr_assert_str_neq (made[1], made[4]);
    /*  the record of a supporter's call is kept with the case it joined */
    cr_assert_eq (cg_teststack_await (stack, 2, 10000, "HGET cg:{intake}:req:%s calls",
                                      noise1.id), 2);
    cr_assert_eq (cg_teststack_await (stack, 2, 10000, "HGET cg:{intake}:req:%s calls",
                                      light.id), 2);
    /*  dispatch has 3 + 3 new cases */
    cr_assert_eq (cg_teststack_await (stack, 6, 60000, "ZCARD cg:{dispatch}:q:all"), 6);
    cg_msg_clear (&cg_case_submitted_def, &noise1);
    cg_msg_clear (&cg_case_submitted_def, &noise2);
    cg_msg_clear (&cg_case_submitted_def, &light);
    for (size_t i = 0; i < n; i++)
        zframe_destroy (&answers[i].body);
    zsock_destroy (&dealer);
    cg_teststack_down (&stack);
}

Test (intake_batch, kill_9_with_many_requests_in_flight_loses_and_doubles_none,
      .timeout = 300)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    zsock_t *dealer = s_dealer (stack);
    enum { N = 400 };
    static bool answered[N];
    memset (answered, 0, sizeof answered);
    char call_time[40];
    cg_time_iso (cg_clock_now () - 1000, call_time, sizeof call_time);
    size_t done = 0;
    bool killed = false;
    zpoller_t *poller = zpoller_new (dealer, NULL);
    int64_t until = zclock_mono () + 240000;
    /*  Send everything not yet answered, pipelined; after a quarter is
        answered, kill -9 intake and start it again; send again whatever
        is unanswered after a quiet second, under the same request id. */
    while (done < N && zclock_mono () < until) {
        for (int i = 0; i < N; i++)
            if (!answered[i]) {
                char rid[32], order_no[32], content[64];
                snprintf (rid, sizeof rid, "k-%04d", i);
                snprintf (order_no, sizeof order_no, "KB-%04d", i);
                snprintf (content, sizeof content, "第%d号：请求帮助", i);
                /*  an address nobody knows: unplaced, so nothing merges */
                cg_hotline_order_t order = { .rid = rid, .order_no = order_no,
                                             .call_time = call_time, .class = "求助",
                                             .content = content, .address = "无名小路",
                                             .area_code = "320612" };
                cg_test_send (dealer, "hotline.order", order.rid, &cg_hotline_order_def, &order);
            }
        while (done < N && zpoller_wait (poller, 1000)) {
            zmsg_t *msg = zmsg_recv (dealer);
            char *status = zmsg_popstr (msg), *rid = zmsg_popstr (msg);
            int i = -1;
            cr_assert (rid && sscanf (rid, "k-%d", &i) == 1 && i >= 0 && i < N);
            if (streq (status, "ok") && !answered[i]) {
                answered[i] = true;
                done++;
            }
            free (status);
            free (rid);
            zmsg_destroy (&msg);
            if (!killed && done >= N / 4) {
                cg_teststack_kill9 (stack, "intake");
                cg_teststack_restart (stack);
                killed = true;
            }
        }
    }
    zpoller_destroy (&poller);
    cr_assert_eq (done, N, "%zu of %d answered", done, N);
    cr_assert_eq (cg_teststack_await (stack, N, 1000, "GET cg:{intake}:seq"), N,
                  "one journal entry per order");
    cr_assert_eq (cg_teststack_await_refs (stack, N, 1000), N);
    cr_assert_eq (cg_teststack_await (stack, N, 90000, "ZCARD cg:{dispatch}:q:all"), N);
    zsock_destroy (&dealer);
    cg_teststack_down (&stack);
}
