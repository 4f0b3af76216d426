/*  Dispatch's closed loop with real parts: every action of the state
    machine and its refusals, escalation town → county → city on the test
    clock, deadline timers that fire exactly once across a kill -9 and
    with two dispatch processes racing for them, and hot spots. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sys/wait.h>
#include "cg_testcase.h"
#include "cg_testload.h"
#include "cg_clock.h"

#define S_GRID      "320602001001001"   /* 新桥社区, 和平桥街道, 崇川区 */
#define S_TOWN      "320602001"
#define S_HUANBAO   "320602001-huanbao"
#define S_POLICE    "320602001-police"
/*  Monday 2026-11-23 09:00 China time, for the test clock */
#define S_MONDAY_9  INT64_C (1795395600000)
#define S_DAY       (86400 * INT64_C (1000))

static char *
s_submit_at (cg_teststack_t *stack, const char *ext_ref, const char *category, const char *grid)
{
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_case_submit_t req = { .source = "hotline", .ext_ref = (char *) ext_ref,
                             .category = (char *) category, .text = "夜间施工噪声",
                             .grid = (char *) grid, .contact_phone = "13812345678" };
    cg_case_submitted_t rep;
    cg_error_t err;
    cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &rep, &err), 0, "%s", err.message);
    char *id = strdup (rep.id);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    cg_client_destroy (&intake);
    char key[80];
    snprintf (key, sizeof key, "EXISTS cg:{dispatch}:case:%s", id);
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "%s", key), 1, "%s not dispatched", id);
    return id;
}

static char *
s_submit (cg_teststack_t *stack, const char *ext_ref)
{
    return s_submit_at (stack, ext_ref, "noise", S_GRID);
}

/*  n cases, their references "<prefix>-0", "<prefix>-1", ... */
static void
s_submit_many (cg_teststack_t *stack, const char *prefix, char **ids, int n)
{
    for (int i = 0; i < n; i++) {
        char ref[16];
        snprintf (ref, sizeof ref, "%s-%d", prefix, i);
        ids[i] = s_submit (stack, ref);
    }
}

/*  Sends case.<action>; returns 0 with the case in view, or -1 with err. */
static int
s_act (cg_teststack_t *stack, const char *action, cg_case_act_t req, cg_case_view_t *view,
       cg_error_t *err)
{
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    char command[48];
    snprintf (command, sizeof command, "case.%s", action);
    const cg_cmddef_t *def = cg_cmddef_find (command, "dispatch");
    cr_assert (def, "dispatch has no command %s", command);
    int rc = cg_client_call (dispatch, def, &req, view, err);
    cg_client_destroy (&dispatch);
    return rc;
}

/*  Acts and checks the state the case is in after it. */
static void
s_move (cg_teststack_t *stack, const char *action, cg_case_act_t req, const char *state)
{
    cg_case_view_t view;
    cg_error_t err;
    cr_assert_eq (s_act (stack, action, req, &view, &err), 0, "%s: %s", action, err.message);
    cr_assert_str_eq (view.state, state, "after %s", action);
    cg_msg_clear (&cg_case_view_def, &view);
}

/*  Acts and checks the refusal's code and that its message holds `says`. */
static void
s_refused (cg_teststack_t *stack, const char *action, cg_case_act_t req, const char *code,
           const char *says)
{
    cg_case_view_t view;
    cg_error_t err;
    cr_assert_eq (s_act (stack, action, req, &view, &err), -1, "%s was not refused", action);
    cr_assert_str_eq (err.code, code, "%s: %s", action, err.message);
    cr_assert (strstr (err.message, says), "%s: '%s' does not say '%s'", action, err.message,
               says);
}

/*  How many entries of the dispatch journal have this topic. */
static int
s_journal_count (cg_teststack_t *stack, const char *topic)
{
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{dispatch}:journal - +");
    int n = 0;
    for (size_t i = 0; r && i < r->elements; i++)
        n += strcmp (r->element[i]->element[1]->element[1]->str, topic) == 0;
    if (r)
        freeReplyObject (r);
    return n;
}

static void
s_await_journal (cg_teststack_t *stack, const char *topic, int want)
{
    int n = 0;
    for (int i = 0; i < 600 && (n = s_journal_count (stack, topic)) < want; i++)
        usleep (100000);
    cr_assert_eq (n, want, "%d %s in the journal, expected %d", n, topic, want);
}

#define S_AS(actor_)    .actor = (char *) (actor_)

Test (dispatch, every_action_moves_the_case_or_is_refused_by_name, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *id = s_submit (stack, "D-1");
    const char *center = "center:" S_TOWN ":王", *huanbao = "unit:" S_HUANBAO ":李";
    const char *police = "unit:" S_POLICE ":张";

    /*  refusals: state, role, scope, missing reason */
    s_refused (stack, "resolve", (cg_case_act_t) { .id = id, S_AS (huanbao), .note = "x" },
               "conflict", "is dispatched; resolve is not allowed from there (allowed: "
               "accept, dispatch, transfer, return, suspend, merge, reject, escalate, note)");
    s_refused (stack, "accept", (cg_case_act_t) { .id = id, S_AS (police) }, "forbidden",
               "is 320602001-huanbao's, not 320602001-police's");
    s_refused (stack, "accept", (cg_case_act_t) { .id = id, S_AS (center) }, "forbidden",
               "a center may not accept");
    s_refused (stack, "accept", (cg_case_act_t) { .id = id, S_AS ("center:320612:x") },
               "forbidden", "a center may not accept");
    s_refused (stack, "suspend", (cg_case_act_t) { .id = id, S_AS ("center:320612:x") },
               "forbidden", "belongs to center 320602001, outside 320612");
    s_refused (stack, "accept", (cg_case_act_t) { .id = id, S_AS ("boss") }, "invalid",
               "is not ROLE:SCOPE");
    s_refused (stack, "return", (cg_case_act_t) { .id = id, S_AS (huanbao) }, "invalid",
               "needs the reason in note");
    s_refused (stack, "transfer", (cg_case_act_t) { .id = id, S_AS (center),
                                                    .unit = "320612001-police" },
               "invalid", "is not a unit of center 320602001");
    s_refused (stack, "dispatch", (cg_case_act_t) { .id = id, S_AS (center), .unit = S_POLICE },
               "conflict", "transfer it instead");

    /*  退单: refused back to the unit, then approved and re-routed */
    s_move (stack, "return", (cg_case_act_t) { .id = id, S_AS (huanbao), .note = "不属于环保" },
            "returned");
    s_move (stack, "return_refuse", (cg_case_act_t) { .id = id, S_AS (center) }, "dispatched");
    s_move (stack, "return", (cg_case_act_t) { .id = id, S_AS (huanbao), .note = "施工噪声归城管" },
            "returned");
    s_move (stack, "return_approve", (cg_case_act_t) { .id = id, S_AS (center),
                                                       .unit = S_POLICE }, "dispatched");
    s_move (stack, "accept", (cg_case_act_t) { .id = id, S_AS (police) }, "accepted");

    /*  延期: asked, approved; the completion deadline moves one working day */
    cg_case_view_t before = cg_testcase_show (stack, id);
    s_refused (stack, "extend_approve", (cg_case_act_t) { .id = id, S_AS (center) }, "conflict",
               "has no extension pending");
    s_move (stack, "extend", (cg_case_act_t) { .id = id, S_AS (police), .minutes = 480 },
            "accepted");
    s_move (stack, "extend_approve", (cg_case_act_t) { .id = id, S_AS ("center:320602:赵") },
            "accepted");
    s_move (stack, "extend", (cg_case_act_t) { .id = id, S_AS (police), .minutes = 9600 },
            "accepted");
    s_refused (stack, "extend", (cg_case_act_t) { .id = id, S_AS (police), .minutes = 60 },
               "conflict", "already has an extension pending");
    s_move (stack, "extend_refuse", (cg_case_act_t) { .id = id, S_AS (center) }, "accepted");
    cg_case_view_t after = cg_testcase_show (stack, id);
    cr_assert_str_eq (after.extension, "refused");
    cg_msg_clear (&cg_case_view_def, &after);
    after = cg_testcase_show (stack, id);
    cr_assert_gt (after.done_by - before.done_by, 86400000 - 1, "one working day is >= 24 h");
    cg_msg_clear (&cg_case_view_def, &before);
    cg_msg_clear (&cg_case_view_def, &after);

    /*  挂起 / 恢复, 办结, 回访 unsatisfied → 发回重办, then satisfied → 归档 */
    s_move (stack, "suspend", (cg_case_act_t) { .id = id, S_AS (center), .note = "等待鉴定" },
            "suspended");
    s_refused (stack, "accept", (cg_case_act_t) { .id = id, S_AS (police) }, "conflict",
               "is suspended; accept is not allowed from there (allowed: resume, merge, note)");
    s_move (stack, "resume", (cg_case_act_t) { .id = id, S_AS (center) }, "accepted");
    s_move (stack, "resolve", (cg_case_act_t) { .id = id, S_AS (police), .note = "已责令停工" },
            "resolved");
    s_move (stack, "callback", (cg_case_act_t) { .id = id, S_AS (center), .satisfied = false },
            "dispatched");
    s_move (stack, "accept", (cg_case_act_t) { .id = id, S_AS (police) }, "accepted");
    s_move (stack, "resolve", (cg_case_act_t) { .id = id, S_AS (police), .note = "已处罚" },
            "resolved");
    s_move (stack, "callback", (cg_case_act_t) { .id = id, S_AS (center), .satisfied = true },
            "closed");
    cg_case_view_t closed = cg_testcase_show (stack, id);
    cr_assert_eq (closed.redo_count, 1);
    cr_assert_str_eq (closed.satisfaction, "satisfied");
    cr_assert_str_eq (closed.unit, S_POLICE);
    /*  every step says who, from and to */
    cr_assert_geq (closed.steps_count, 16);
    cr_assert_str_eq (closed.steps[closed.steps_count - 1].actor, center);
    cr_assert_str_eq (closed.steps[closed.steps_count - 1].from, "resolved");
    cr_assert_str_eq (closed.steps[closed.steps_count - 1].to, "closed");
    cg_msg_clear (&cg_case_view_def, &closed);

    /*  a citizen reopens; the case merges into another; a third is rejected */
    s_move (stack, "reopen", (cg_case_act_t) { .id = id, S_AS ("citizen:13812345678") },
            "dispatched");
    char *other = s_submit (stack, "D-2");
    s_refused (stack, "merge", (cg_case_act_t) { .id = id, S_AS (center), .into = id },
               "invalid", "is not another open case");
    s_move (stack, "merge", (cg_case_act_t) { .id = id, S_AS (center), .into = other },
            "merged");
    s_refused (stack, "reject", (cg_case_act_t) { .id = other, S_AS (center) }, "invalid",
               "needs the reason in note");
    s_move (stack, "reject", (cg_case_act_t) { .id = other, S_AS (center), .note = "重复来电" },
            "rejected");
    s_refused (stack, "reopen", (cg_case_act_t) { .id = other, S_AS (center) }, "conflict",
               "is rejected; reopen is not allowed from there (allowed: nothing)");

    /*  a retried command (same rid) changes nothing twice */
    char *third = s_submit (stack, "D-3");
    cg_case_act_t transfer = { .rid = "t-1", .id = third, S_AS (center), .unit = S_POLICE };
    s_move (stack, "transfer", transfer, "dispatched");
    s_move (stack, "transfer", transfer, "dispatched");
    cg_case_view_t once = cg_testcase_show (stack, third);
    cr_assert_eq (once.transfer_count, 1, "a repeated request id transferred twice");
    cg_msg_clear (&cg_case_view_def, &once);

    /*  three transfers without a lead unit: 提级 to the county */
    transfer.rid = NULL;
    transfer.unit = S_HUANBAO;
    s_move (stack, "transfer", transfer, "dispatched");
    transfer.unit = S_POLICE;
    s_move (stack, "transfer", transfer, "dispatched");
    cg_case_view_t up = cg_testcase_show (stack, third);
    cr_assert_str_eq (up.center, "320602");
    cr_assert_str_eq (up.level, "county");
    cr_assert_str_eq (up.unit, "320602-huanbao");
    cr_assert (up.supervised);
    cg_msg_clear (&cg_case_view_def, &up);
    cr_assert_eq (s_journal_count (stack, "case.escalated"), 1);

    /*  the CLI walks the same commands */
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "escalate %s --actor center:320602:x --note 重大",
                                    third), 0, "%s", out);
    cr_assert (strstr (out, "center     320600"), "%s", out);
    free (out);
    cr_assert_eq (s_journal_count (stack, "case.escalated"), 2);

    /*  three redos (发回重办): 提级 to the county */
    char *fourth = s_submit (stack, "D-4");
    for (int redo = 0; redo < 3; redo++) {
        s_move (stack, "accept", (cg_case_act_t) { .id = fourth, S_AS ("admin:320600:root") },
                "accepted");
        s_move (stack, "resolve", (cg_case_act_t) { .id = fourth, S_AS ("admin:320600:root"),
                                                    .note = "已处理" }, "resolved");
        s_move (stack, "callback", (cg_case_act_t) { .id = fourth, S_AS ("admin:320600:root") },
                "dispatched");
    }
    cg_case_view_t redone = cg_testcase_show (stack, fourth);
    cr_assert_eq (redone.redo_count, 3);
    cr_assert_str_eq (redone.center, "320602");
    cr_assert_eq (redone.escalations, 1);
    cg_msg_clear (&cg_case_view_def, &redone);
    cr_assert_eq (s_journal_count (stack, "case.escalated"), 3);
    free (id);
    free (other);
    free (third);
    free (fourth);
    cg_teststack_down (&stack);
}

Test (dispatch, an_overdue_case_escalates_town_county_city_on_the_test_clock, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    int64_t now = S_MONDAY_9;
    cg_testclock_set (stack, now);
    char *id = s_submit (stack, "E-1");
    cg_case_view_t c = cg_testcase_show (stack, id);
    /*  noise: 120 working minutes to sign for from Monday 09:00 */
    cr_assert_eq (c.sign_by, S_MONDAY_9 + 2 * 3600000);
    cr_assert_str_eq (c.center, S_TOWN);
    cg_msg_clear (&cg_case_view_def, &c);

    const char *centers[] = { "320602", "320600" };
    for (int level = 0; level < 2; level++) {
        /*  past every limit: two warnings, two overdue notices, supervised */
        now += 60 * S_DAY;
        cg_testclock_set (stack, now);
        s_await_journal (stack, "case.overdue", 2 * (level + 1));
        cr_assert_eq (s_journal_count (stack, "case.warning"), 2 * (level + 1));
        cg_case_view_t over = cg_testcase_show (stack, id);
        cr_assert (over.supervised);
        cr_assert_gt (over.escalate_at, now);
        cg_msg_clear (&cg_case_view_def, &over);
        /*  past the grace: 提级 to the parent center */
        now += 5 * S_DAY;
        cg_testclock_set (stack, now);
        s_await_journal (stack, "case.escalated", level + 1);
        cg_case_view_t up = cg_testcase_show (stack, id);
        cr_assert_str_eq (up.center, centers[level]);
        cr_assert_str_eq (up.state, "dispatched");
        cr_assert_eq (up.escalations, level + 1);
        cr_assert_gt (up.sign_by, now, "fresh limits at the new level");
        cg_msg_clear (&cg_case_view_def, &up);
    }
    /*  at the city there is no higher level: overdue again, no third escalation */
    now += 60 * S_DAY;
    cg_testclock_set (stack, now);
    s_await_journal (stack, "case.overdue", 6);
    now += 5 * S_DAY;
    cg_testclock_set (stack, now);
    int64_t timers = -1;
    for (int i = 0; i < 600 && timers != 0; i++) {
        redisReply *r = cg_redis_command (stack->redis, "ZCARD cg:{dispatch}:timers");
        timers = r->integer;
        freeReplyObject (r);
        usleep (100000);
    }
    cr_assert_eq (timers, 0, "the city's escalation timer did not fire");
    cr_assert_eq (s_journal_count (stack, "case.escalated"), 2);
    cg_case_view_t top = cg_testcase_show (stack, id);
    cr_assert_str_eq (top.level, "city");
    cr_assert_str_eq (top.unit, "320600-huanbao");
    cg_msg_clear (&cg_case_view_def, &top);
    /*  an extension comes too late once the deadline has passed */
    s_move (stack, "accept", (cg_case_act_t) { .id = id, S_AS ("unit:320600-huanbao") },
            "accepted");
    s_refused (stack, "extend", (cg_case_act_t) { .id = id, S_AS ("unit:320600-huanbao"),
                                                  .minutes = 480 },
               "conflict", "is past its deadline; an extension must be asked for before it");
    free (id);
    cg_teststack_down (&stack);
}

/*  Issue 16, bug 8: a case signed for late was still escalated the next
    working day, away from the unit that signed and was working it.  The
    sign-for escalation ends once the case is signed (it stays supervised,
    督办); the completion limit still counts, and escalates when it passes. */
Test (dispatch, a_case_signed_late_is_not_escalated_for_the_late_sign, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    int64_t now = S_MONDAY_9;
    cg_testclock_set (stack, now);
    char *id = s_submit (stack, "L-1");
    /*  the sign-for limit (2 working hours) passes: overdue, supervised,
        escalation set a grace later */
    now += 2 * 3600000 + 60000;
    cg_testclock_set (stack, now);
    s_await_journal (stack, "case.overdue", 1);
    cg_case_view_t c = cg_testcase_show (stack, id);
    cr_assert (c.supervised);
    cr_assert_gt (c.escalate_at, now);
    int64_t done_by = c.done_by;
    cg_msg_clear (&cg_case_view_def, &c);
    /*  the unit signs for it late */
    s_move (stack, "accept", (cg_case_act_t) { .id = id, S_AS ("unit:" S_HUANBAO) }, "accepted");
    c = cg_testcase_show (stack, id);
    cr_assert_eq (c.escalate_at, 0, "the sign-for escalation outlived the signing");
    cr_assert (c.supervised, "still supervised: it was signed late");
    cg_msg_clear (&cg_case_view_def, &c);
    /*  two working days on, well past the grace: it stays with the unit */
    now += 2 * S_DAY;
    cg_testclock_set (stack, now);
    sleep (3);
    cr_assert_eq (s_journal_count (stack, "case.escalated"), 0);
    c = cg_testcase_show (stack, id);
    cr_assert_str_eq (c.center, S_TOWN);
    cr_assert_str_eq (c.unit, S_HUANBAO);
    cr_assert_str_eq (c.state, "accepted");
    cg_msg_clear (&cg_case_view_def, &c);
    /*  the completion limit still counts: past it and its grace, 提级 */
    now = done_by + S_DAY;
    cg_testclock_set (stack, now);
    s_await_journal (stack, "case.overdue", 2);
    now += 5 * S_DAY;
    cg_testclock_set (stack, now);
    s_await_journal (stack, "case.escalated", 1);
    free (id);
    cg_teststack_down (&stack);
}

/*  A second civgrid-dispatch on the same Redis, racing the stack's for
    timers; its log goes with the stack's, where sanitizer reports are
    looked for. */
static pid_t
s_second_dispatch (cg_teststack_t *stack)
{
    char bin[600], cfg[600], log[600], endpoint[80];
    snprintf (bin, sizeof bin, "%s/civgrid-dispatch", getenv ("CG_BIN"));
    snprintf (cfg, sizeof cfg, "%s/civgrid.cfg", stack->dir);
    snprintf (log, sizeof log, "%s/log/dispatch-2.log", stack->dir);
    snprintf (endpoint, sizeof endpoint, "dispatch/endpoint=tcp://127.0.0.1:%d",
              cg_test_free_port ());
    pid_t pid = fork ();
    cr_assert_geq (pid, 0);
    if (pid == 0) {
        freopen (log, "a", stdout);
        freopen (log, "a", stderr);
        execl (bin, bin, "-c", cfg, "--set", endpoint, (char *) NULL);
        _exit (127);
    }
    return pid;
}

Test (dispatch, timers_fire_once_across_kill_9_and_two_dispatch_processes, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    cg_testclock_set (stack, S_MONDAY_9);
    char *ids[20];
    s_submit_many (stack, "K", ids, 20);
    /*  dispatch dies; the warnings fall due while it is down */
    cg_teststack_kill9 (stack, "dispatch");
    cg_testclock_set (stack, S_MONDAY_9 + 100 * 60000);
    pid_t second = s_second_dispatch (stack);
    cg_teststack_restart (stack);
    s_await_journal (stack, "case.warning", 20);
    /*  then overdue, with both processes running */
    cg_testclock_set (stack, S_MONDAY_9 + 121 * 60000);
    s_await_journal (stack, "case.overdue", 20);
    usleep (1500000);       /* both have ticked again: nothing fires twice */
    cr_assert_eq (s_journal_count (stack, "case.warning"), 20);
    cr_assert_eq (s_journal_count (stack, "case.overdue"), 20);
    for (int i = 0; i < 20; i++) {
        cg_case_view_t c = cg_testcase_show (stack, ids[i]);
        cr_assert (c.supervised, "%s is overdue but not supervised", ids[i]);
        cr_assert_eq (c.alerts, 3);
        cg_msg_clear (&cg_case_view_def, &c);
        free (ids[i]);
    }
    kill (second, SIGTERM);
    waitpid (second, NULL, 0);
    cg_teststack_down (&stack);
}

/*  The alerts the journal holds for case id, in journal order, as
    "warning:sign overdue:sign ...". */
static void
s_alerts_of (cg_teststack_t *stack, const char *id, char *out, size_t len)
{
    *out = 0;
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{dispatch}:journal - +");
    for (size_t i = 0; r && i < r->elements; i++) {
        redisReply *kv = r->element[i]->element[1];
        const char *topic = kv->element[1]->str;
        cg_case_alert_t alert;
        cg_error_t err;
        if (strncmp (topic, "case.", 5) != 0 || (strcmp (topic + 5, "warning") != 0
                                                 && strcmp (topic + 5, "overdue") != 0)
        ||  cg_msg_decode (&cg_case_alert_def, kv->element[3]->str, kv->element[3]->len, &alert,
                           &err) != 0)
            continue;
        if (strcmp (alert.id, id) == 0)
            snprintf (out + strlen (out), len - strlen (out), "%s%s:%s", *out ? " " : "",
                      topic + 5, alert.limit);
        cg_msg_clear (&cg_case_alert_def, &alert);
    }
    if (r)
        freeReplyObject (r);
}

/*  A case keeps one timer entry, for its first timer due.  When all its
    deadlines passed while dispatch was down, the restarted dispatch fires
    every one, once, in the order they fell due, and the entry then waits
    for the escalation. */
Test (dispatch, a_case_s_timers_fire_in_order_after_a_kill_9, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    cg_testclock_set (stack, S_MONDAY_9);
    char *ids[3];
    s_submit_many (stack, "T", ids, 3);
    cr_assert_eq (cg_teststack_await (stack, 3, 60000, "ZCARD cg:{dispatch}:timers"), 3,
                  "one timer entry a case");
    cg_teststack_kill9 (stack, "dispatch");
    int64_t now = S_MONDAY_9 + 30 * S_DAY;
    cg_testclock_set (stack, now);
    cg_teststack_restart (stack);
    s_await_journal (stack, "case.overdue", 6);
    cr_assert_eq (s_journal_count (stack, "case.warning"), 6);
    for (int i = 0; i < 3; i++) {
        char alerts[256];
        s_alerts_of (stack, ids[i], alerts, sizeof alerts);
        cr_assert_str_eq (alerts, "warning:sign overdue:sign warning:done overdue:done",
                          "%s", ids[i]);
        cg_case_view_t c = cg_testcase_show (stack, ids[i]);
        cr_assert_eq (c.alerts, 15);
        cr_assert_gt (c.escalate_at, now);
        /*  the timeline says the same, in the same order */
        cr_assert_geq (c.steps_count, 6);
        cr_assert (strstr (c.steps[c.steps_count - 4].note, "预警：签收时限已过 80%"));
        cr_assert (strstr (c.steps[c.steps_count - 1].note, "超期督办：已超过办结时限"));
        redisReply *r = cg_redis_command (stack->redis, "ZSCORE cg:{dispatch}:timers %s",
                                          ids[i]);
        cr_assert_eq (cg_reply_int (r, 0), c.escalate_at, "the next timer is the escalation");
        freeReplyObject (r);
        cg_msg_clear (&cg_case_view_def, &c);
        free (ids[i]);
    }
    cg_teststack_down (&stack);
}

Test (dispatch, a_hot_spot_is_raised_once_per_window, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    cg_testclock_set (stack, S_MONDAY_9);
    /*  six noise cases in the four grids of 新桥社区, one of another kind */
    const char *grids[] = { "320602001001001", "320602001001002", "320602001001003",
                            "320602001001004" };
    char ref[16];
    for (int i = 0; i < 6; i++) {
        snprintf (ref, sizeof ref, "H-%d", i);
        free (s_submit_at (stack, ref, "noise", grids[i % 4]));
    }
    free (s_submit_at (stack, "H-x", "street_vending", grids[0]));
    s_await_journal (stack, "hotspot.detected", 1);
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{dispatch}:journal - +");
    cg_hotspot_detected_t hot = { 0 };
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *kv = r->element[i]->element[1];
        cg_error_t err;
        if (strcmp (kv->element[1]->str, "hotspot.detected") == 0)
            cr_assert_eq (cg_msg_decode (&cg_hotspot_detected_def, kv->element[3]->str,
                                         kv->element[3]->len, &hot, &err), 0, "%s", err.message);
    }
    freeReplyObject (r);
    cr_assert_str_eq (hot.category, "noise");
    cr_assert_str_eq (hot.community, "320602001001");
    cr_assert_eq (hot.count, 5);
    cr_assert_eq (hot.cases_count, 5);
    cg_msg_clear (&cg_hotspot_detected_def, &hot);
    /*  the sixth was inside the same window: still one; four days on, again */
    cr_assert_eq (s_journal_count (stack, "hotspot.detected"), 1);
    cg_testclock_set (stack, S_MONDAY_9 + 4 * S_DAY);
    for (int i = 0; i < 5; i++) {
        snprintf (ref, sizeof ref, "H-%d", 10 + i);
        free (s_submit_at (stack, ref, "noise", grids[i % 4]));
    }
    s_await_journal (stack, "hotspot.detected", 2);
    cg_teststack_down (&stack);
}

static cg_stats_report_t
s_stats (cg_teststack_t *stack, const char *scope)
{
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    cg_stats_query_t req = { .scope = (char *) scope, .from = "2026-11-23", .to = "2026-11-23" };
    cg_stats_report_t report;
    cg_error_t err;
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_stats, &req, &report, &err), 0, "%s", err.message);
    cg_client_destroy (&dispatch);
    return report;
}

static const cg_stats_row_t *
s_stats_row (const cg_stats_report_t *report, const char *by, const char *key)
{
    for (size_t i = 0; i < report->rows_count; i++)
        if (strcmp (report->rows[i].by, by) == 0 && strcmp (report->rows[i].key, key) == 0)
            return &report->rows[i];
    cr_assert_fail ("no row %s %s", by, key);
    return NULL;
}

/*  The counts a day of three cases must give, worked out by hand:
    A (noise, 环保所) signed and resolved on time, callback satisfied;
    B (noise, 环保所) signed at 15:00, four working hours past its 11:00
    sign-for deadline, resolved, callback unsatisfied → redone;
    C (street vending, 城管中队) escalated by the town's operator. */
Test (dispatch, statistics_of_a_day_match_the_hand_worked_scenario, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    cg_testclock_set (stack, S_MONDAY_9);
    char *a = s_submit (stack, "S-A"), *b = s_submit (stack, "S-B");
    char *c = s_submit_at (stack, "S-C", "street_vending", S_GRID);
    const char *center = "center:" S_TOWN ":王", *huanbao = "unit:" S_HUANBAO ":李";
    s_move (stack, "accept", (cg_case_act_t) { .id = a, S_AS (huanbao) }, "accepted");
    s_move (stack, "resolve", (cg_case_act_t) { .id = a, S_AS (huanbao), .note = "ok" },
            "resolved");
    s_move (stack, "callback", (cg_case_act_t) { .id = a, S_AS (center), .satisfied = true },
            "closed");
    cg_testclock_set (stack, S_MONDAY_9 + 6 * 3600000);
    s_move (stack, "accept", (cg_case_act_t) { .id = b, S_AS (huanbao) }, "accepted");
    s_move (stack, "resolve", (cg_case_act_t) { .id = b, S_AS (huanbao), .note = "ok" },
            "resolved");
    s_move (stack, "callback", (cg_case_act_t) { .id = b, S_AS (center) }, "dispatched");
    s_move (stack, "escalate", (cg_case_act_t) { .id = c, S_AS (center) }, "dispatched");

    cg_stats_report_t town = s_stats (stack, S_TOWN);
    const cg_stats_row_t *t = s_stats_row (&town, "total", S_TOWN);
    cr_assert_eq (t->received, 3);
    cr_assert_eq (t->dispatched, 4, "three routed, B redone");
    cr_assert_eq (t->signed_for, 2);
    cr_assert_eq (t->signed_on_time, 1);
    cr_assert_eq (t->resolved, 2);
    cr_assert_eq (t->resolved_on_time, 2);
    cr_assert_eq (t->callbacks, 2);
    cr_assert_eq (t->satisfied, 1);
    cr_assert_eq (t->redone, 1);
    cr_assert_eq (t->escalated, 1);
    const cg_stats_row_t *noise = s_stats_row (&town, "category", "noise");
    cr_assert_eq (noise->received, 2);
    cr_assert_eq (noise->dispatched, 3);
    cr_assert_eq (noise->escalated, 0);
    const cg_stats_row_t *unit = s_stats_row (&town, "unit", "320602001-chengguan");
    cr_assert_eq (unit->received, 1);
    cr_assert_eq (unit->escalated, 1);
    cg_msg_clear (&cg_stats_report_def, &town);

    /*  the county's subtree also holds C's dispatch to its 城管局 */
    cg_stats_report_t county = s_stats (stack, "320602");
    cr_assert_eq (s_stats_row (&county, "total", "320602")->dispatched, 5);
    cr_assert_eq (s_stats_row (&county, "center", "320602")->dispatched, 1);
    cr_assert_eq (s_stats_row (&county, "center", S_TOWN)->received, 3);
    cg_msg_clear (&cg_stats_report_def, &county);
    /*  another county saw nothing: its total, and the day, both nothing */
    cg_stats_report_t other = s_stats (stack, "320612");
    cr_assert_eq (other.rows_count, 2);
    cr_assert_eq (other.rows[0].received, 0);
    cr_assert_str_eq (other.rows[1].by, "day");
    cr_assert_str_eq (other.rows[1].key, "2026-11-23");
    cr_assert_eq (other.rows[1].received, 0);
    cg_msg_clear (&cg_stats_report_def, &other);

    /*  the CLI: rates, and a bad date refused by field */
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "stats --scope %s --from 2026-11-23 "
                                    "--to 2026-11-23", S_TOWN), 0, "%s", out);
    cr_assert (strstr (out, " 50.0%") && strstr (out, "100.0%"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "stats --scope %s --from 2026-02-30 "
                                    "--to 2026-03-01", S_TOWN), 1);
    cr_assert (strstr (out, "not a date") && strstr (out, "from"), "%s", out);
    free (out);
    /*  a page's size: a typo, or more than a page holds, is refused by name */
    cr_assert_eq (cg_teststack_cli (stack, &out, "case list --center %s --limit many", S_TOWN), 1);
    cr_assert (strstr (out, "--limit must be a whole number"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "case list --center %s --limit 500", S_TOWN), 1);
    cr_assert (strstr (out, "limit") && strstr (out, "200"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "case list --center %s --limit 1", S_TOWN), 0);
    cr_assert (strstr (out, "next: "), "a page of one, with the cursor of the next: %s", out);
    free (out);

    /*  queues by unit and state, by deadline, in pages */
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    cg_case_query_t q = { .unit = "320602-chengguan", .state = "dispatched" };
    cg_case_page_t page;
    cg_error_t err;
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_list, &q, &page, &err), 0, "%s", err.message);
    cr_assert_eq (page.total, 1);
    cr_assert_str_eq (page.cases[0].id, c);
    cg_msg_clear (&cg_case_page_def, &page);
    q.state = NULL;
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_list, &q, &page, &err), -1, "a unit's all queue");
    cr_assert_str_eq (err.field, "state");
    cr_assert (strstr (err.message, "a unit's queues are by state"), "%s", err.message);
    /*  escalated to the county, C is in the county's list of all, by creation */
    q = (cg_case_query_t) { .center = "320602", .state = "all" };
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_list, &q, &page, &err), 0, "%s", err.message);
    cr_assert_eq (page.total, 1);
    cr_assert_str_eq (page.cases[0].id, c);
    cg_msg_clear (&cg_case_page_def, &page);
    q = (cg_case_query_t) { .center = S_TOWN, .state = "all", .limit = 1 };
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_list, &q, &page, &err), 0, "%s", err.message);
    cr_assert_eq (page.total, 2, "A and B; C went to the county");
    cr_assert_eq (page.cases_count, 1);
    cr_assert_str_eq (page.cases[0].id, a);
    cr_assert (page.next, "a second page follows");
    q.cursor = strdup (page.next);
    cg_msg_clear (&cg_case_page_def, &page);
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_list, &q, &page, &err), 0, "%s", err.message);
    cr_assert_eq (page.cases_count, 1);
    cr_assert_str_eq (page.cases[0].id, b);
    cr_assert_null (page.next, "B was the last");
    cg_msg_clear (&cg_case_page_def, &page);
    /*  the same cursor for another list is refused, naming it */
    q.center = "320602";
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_list, &q, &page, &err), -1);
    cr_assert_str_eq (err.field, "cursor");
    cr_assert (strstr (err.message, "another list"), "%s", err.message);
    free (q.cursor);
    cg_client_destroy (&dispatch);
    free (a);
    free (b);
    free (c);
    cg_teststack_down (&stack);
}

static int
s_reload (cg_teststack_t *stack, cg_data_loaded_t *loaded, cg_error_t *err)
{
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    cg_data_reload_t req = { 0 };
    int rc = cg_client_call (dispatch, &cg_cmd_data_reload, &req, loaded, err);
    cg_client_destroy (&dispatch);
    return rc;
}

static void
s_write (const char *path, const char *mode, const char *text)
{
    FILE *f = fopen (path, mode);
    cr_assert (f, "cannot write %s", path);
    fputs (text, f);
    fclose (f);
}

Test (dispatch, a_broken_catalog_is_refused_on_reload_and_the_old_one_serves, .timeout = 120)
{
    char path[600], command[1400];
    snprintf (path, sizeof path, "%s/issue3-catalog-%d.tsv",
              getenv ("CG_TEST_TMP") ? getenv ("CG_TEST_TMP") : "/tmp", getpid ());
    snprintf (command, sizeof command, "cp %s/deploy/demo/catalog.tsv %s", cg_test_root (), path);
    cr_assert_eq (system (command), 0);
    char extra[700];
    snprintf (extra, sizeof extra, "--set data/catalog=%s", path);
    cg_teststack_t *stack = cg_teststack_up (extra);
    cg_data_loaded_t loaded;
    cg_error_t err;
    cr_assert_eq (s_reload (stack, &loaded, &err), 0, "%s", err.message);
    int64_t categories = loaded.categories;
    cr_assert_gt (categories, 10);

    /*  a unit type that no city center has: refused with file, line, reason */
    s_write (path, "a", "fumes\t油烟扰民\tCooking fumes\tcomplaint\ttown\thuanbao\thuanbao\t"
                        "huanbo\t120\t6240\tno\tno\n");
    cr_assert_eq (s_reload (stack, &loaded, &err), -1);
    cr_assert_str_eq (err.field, "file");
    cr_assert (strstr (err.message, path) && strstr (err.message, "huanbo at city level"),
               "%s", err.message);
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "reload"), 1);
    cr_assert (strstr (out, "no city center in the org tree"), "%s", out);
    free (out);
    /*  the daemon goes on with the catalog it had */
    free (s_submit (stack, "R-1"));

    snprintf (command, sizeof command, "sed -i 's/huanbo\\t/huanbao\\t/' %s", path);
    cr_assert_eq (system (command), 0);
    cr_assert_eq (cg_teststack_cli (stack, &out, "reload"), 0, "%s", out);
    cr_assert (strstr (out, "reloaded"), "%s", out);
    free (out);
    cr_assert_eq (s_reload (stack, &loaded, &err), 0, "%s", err.message);
    cr_assert_eq (loaded.categories, categories + 1);
    cg_teststack_down (&stack);
    unlink (path);
}

/*  A backlog of intake's journal is routed in pipelined calls; on the test
    clock, reading the time is a Redis command of its own, which must not
    come between a call and its answer (it did: dispatch read the call's
    answer as the time and stalled, routing nothing more). */
Test (dispatch, a_backlog_is_routed_whole_on_the_test_clock, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    cg_testclock_set (stack, cg_clock_now ());
    char path[600], err[256];
    snprintf (path, sizeof path, "%s/deploy/demo/orgtree.tsv", getenv ("CG_ROOT"));
    size_t n;
    char **grids = cg_testload_grids (path, S_TOWN, NULL, &n, err, sizeof err);
    cr_assert (grids, "%s", err);
    cr_assert_eq (cg_testload_submit (zconfig_get (stack->config, "intake/endpoint", ""),
                                      stack->redis, grids, n, 1000, 7, "backlog", NULL, 180000,
                                      err, sizeof err), 0, "%s", err);
    cr_assert_eq (cg_teststack_int (stack, "ZCARD cg:{dispatch}:qc:%s:all", S_TOWN), 1000);
    cg_testload_grids_free (&grids, n);
    cg_teststack_down (&stack);
}

/*  Issue 16, bug 7: the calendar ends with 2026 and nothing warned; past
    its end every weekday counts as working time (Spring Festival 2027
    included); and pointing data/calendar at another file and reloading
    was ignored, though reload said "reloaded".  A calendar that ends
    within 60 days is warned of (the log, `stack status`, the reload's
    answer); a case whose deadline runs past its end says so; reload reads
    the file the configuration names now. */
Test (dispatch, a_calendar_near_its_end_is_warned_of_and_reload_reads_the_configured_one,
      .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    /*  Monday 2026-12-21 09:00 China time */
    cg_testclock_set (stack, S_MONDAY_9 + 28 * S_DAY);
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "stack status"), 0, "%s", out);
    cr_assert (strstr (out, "the working calendar ends on 2027-01-01, in 11 days"), "%s", out);
    free (out);
    /*  a complaint has 13 working days: its deadline is past the end */
    char *id = s_submit (stack, "C-1");
    cg_case_view_t c = cg_testcase_show (stack, id);
    cr_assert (c.alerts & CG_ALERT_PAST_CALENDAR, "alerts %lld", (long long) c.alerts);
    cg_msg_clear (&cg_case_view_def, &c);
    cr_assert_eq (cg_teststack_cli (stack, &out, "case show %s", id), 0, "%s", out);
    cr_assert (strstr (out, "past the end of the working calendar"), "%s", out);
    free (out);
    free (id);
    char log[700];
    snprintf (log, sizeof log, "grep -q 'working calendar ends on 2027-01-01' %s/log/dispatch.log",
              stack->dir);
    cr_assert_eq (system (log), 0, "no warning in dispatch's log");

    /*  next year's calendar in another file, named in the configuration */
    char path[600], command[1400];
    snprintf (path, sizeof path, "%s/calendar-2027.tsv", stack->dir);
    snprintf (command, sizeof command, "cp %s/deploy/demo/calendar.tsv %s && printf "
              "'off\\t2027-01-01\\t2027-01-01\\t元旦\\n' >> %s", cg_test_root (), path, path);
    cr_assert_eq (system (command), 0);
    snprintf (command, sizeof command, "%s/civgrid.cfg", stack->dir);
    zconfig_put (stack->config, "data/calendar", path);
    cr_assert_eq (zconfig_save (stack->config, command), 0);
    cr_assert_eq (cg_teststack_cli (stack, &out, "reload"), 0, "%s", out);
    cr_assert (strstr (out, path) && strstr (out, "ends 2028-01-01"), "%s", out);
    cr_assert_null (strstr (out, "warning"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "stack status"), 0, "%s", out);
    cr_assert_null (strstr (out, "working calendar"), "%s", out);
    free (out);
    id = s_submit (stack, "C-2");
    c = cg_testcase_show (stack, id);
    cr_assert_not (c.alerts & CG_ALERT_PAST_CALENDAR);
    cg_msg_clear (&cg_case_view_def, &c);
    free (id);
    cg_teststack_down (&stack);
}
