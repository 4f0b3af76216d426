/*  What dispatch does with what intake tells it beyond a new case, with
    real parts: a device vendor's cancelled alarm cancels its case (撤单),
    a request that joins an open case shows in that case's timeline, an
    urgent request gets the urgent limits and the hotline's own time limit
    caps the completion deadline; and who may act on a case (an admin
    within its subtree, the citizen who reported it, a center on its own
    queue, the CLI's operator with no $USER). */
#include <criterion/criterion.h>
#include <pwd.h>
#include "cg_clock.h"
#include "cg_testcase.h"
#include "cg_testcli.h"

/*  Monday 2026-11-23 09:00 China time, for the test clock */
#define S_MONDAY_9  INT64_C (1795395600000)
#define S_MINUTE    INT64_C (60000)
#define S_HOUR      (60 * S_MINUTE)

static void
s_await_case (cg_teststack_t *stack, const char *id)
{
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "EXISTS cg:{dispatch}:case:%s", id), 1,
                  "%s was not dispatched", id);
}

/*  Waits until the case is in state (up to 60 s); returns it. */
static cg_case_view_t
s_await_state (cg_teststack_t *stack, const char *id, const char *state)
{
    cg_case_view_t view = cg_testcase_show (stack, id);
    for (int i = 0; i < 600 && strcmp (view.state, state) != 0; i++) {
        cg_msg_clear (&cg_case_view_def, &view);
        usleep (100000);
        view = cg_testcase_show (stack, id);
    }
    cr_assert_str_eq (view.state, state, "case %s", id);
    return view;
}

/*  The last step of the timeline whose note holds words, or NULL. */
static const cg_case_step_t *
s_step (const cg_case_view_t *view, const char *words)
{
    for (size_t i = view->steps_count; i-- > 0;)
        if (view->steps[i].note && strstr (view->steps[i].note, words))
            return &view->steps[i];
    return NULL;
}

static int
s_steps_saying (const cg_case_view_t *view, const char *words)
{
    int n = 0;
    for (size_t i = 0; i < view->steps_count; i++)
        n += view->steps[i].note && strstr (view->steps[i].note, words) != NULL;
    return n;
}

/*  A device alarm of W-0001 (home 新桥社区) raised at `at`; its case id. */
static char *
s_alarm (cg_teststack_t *stack, const char *alarm_id, int64_t at)
{
    char iso[40];
    cg_time_iso (at, iso, sizeof iso);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_device_alarm_t alarm = { .alarm_id = (char *) alarm_id, .device = "W-0001",
                                .type = "sos", .at = iso };
    cg_device_answer_t answer;
    cg_error_t err;
    cr_assert_eq (cg_client_call (intake, &cg_cmd_device_alarm, &alarm, &answer, &err), 0, "%s", err.message);
    cr_assert (answer.accepted, "%s", answer.message ? answer.message : "");
    char *id = strdup (answer.id);
    cg_msg_clear (&cg_device_answer_def, &answer);
    cg_client_destroy (&intake);
    s_await_case (stack, id);
    return id;
}

static void
s_cancel (cg_teststack_t *stack, const char *alarm_id, const char *reason)
{
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_device_cancel_t cancel = { .device = "W-0001", .alarm_id = (char *) alarm_id,
                                  .reason = (char *) reason };
    cg_case_submitted_t rep;
    cg_error_t err;
    cr_assert_eq (cg_client_call (intake, &cg_cmd_device_cancel, &cancel, &rep, &err), 0, "%s", err.message);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    cg_client_destroy (&intake);
}

/*  A 12345 order from the CLI, at the address 工农路 (a grid of 虹桥社区);
    its case id (of the case it joined, when it did). */
static char *
s_hotline (cg_teststack_t *stack, const char *order_no, const char *category,
           const char *extra)
{
    char *out = cg_testcli (stack, 0, "hotline --order-no %s --class 投诉 --content 工农路问题 "
                            "--category %s --address 和平桥街道工农路 --phone 13912345678 "
                            "--call-time 2026-11-23T09:00:00+08:00 %s", order_no, category,
                            extra);
    char id[40] = "";
    sscanf (out, "%39s", id);
    cr_assert (strncmp (id, "CG", 2) == 0, "%s", out);
    free (out);
    s_await_case (stack, id);
    return strdup (id);
}

static int64_t
s_timers_of (cg_teststack_t *stack, const char *id)
{
    redisReply *r = cg_redis_command (stack->redis, "ZSCORE cg:{dispatch}:timers %s", id);
    int64_t n = r->type == REDIS_REPLY_STRING;
    freeReplyObject (r);
    return n;
}

Test (dispatch_intake, a_cancelled_alarm_cancels_its_case_once, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    cg_testclock_set (stack, S_MONDAY_9);
    char *open = s_alarm (stack, "A-1", S_MONDAY_9);
    char *done = s_alarm (stack, "A-2", S_MONDAY_9);
    cr_assert_gt (s_timers_of (stack, open), 0);

    /*  the vendor cancels the first alarm (twice: intake journals it once) */
    s_cancel (stack, "A-1", "误报，老人已接听电话");
    s_cancel (stack, "A-1", "误报，老人已接听电话");
    cg_case_view_t c = s_await_state (stack, open, "cancelled");
    char c_unit[64];
    snprintf (c_unit, sizeof c_unit, "%s", c.unit);
    const cg_case_step_t *step = &c.steps[c.steps_count - 1];
    cr_assert_str_eq (step->actor, "device");
    cr_assert_str_eq (step->from, "dispatched");
    cr_assert_str_eq (step->to, "cancelled");
    cr_assert (strstr (step->note, "撤单") && strstr (step->note, "误报"), "%s", step->note);
    cg_msg_clear (&cg_case_view_def, &c);
    cr_assert_eq (s_timers_of (stack, open), 0, "a cancelled case keeps its deadline timers");
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "ZCARD cg:{dispatch}:q:cancelled"), 1);
    char *out = cg_testcli (stack, 1, "accept %s", open);
    cr_assert (strstr (out, "is cancelled; accept is not allowed from there (allowed: "
                       "nothing)"), "%s", out);
    free (out);
    cg_testcli_says (stack, 0, "cancelled", "case show %s", open);
    /*  the unit it was sent to hears that it needs no more work */
    char *inbox = NULL;
    for (int i = 0; i < 600; i++) {
        free (inbox);
        inbox = cg_testcli (stack, 0, "inbox %s", c_unit);
        if (strstr (inbox, "已撤单"))
            break;
        usleep (100000);
    }
    cr_assert (strstr (inbox, open) && strstr (inbox, "已撤单") && strstr (inbox, "误报"),
               "%s", inbox);
    free (inbox);

    /*  the second was handled already: cancelling it leaves it resolved, and
        the timeline says the vendor withdrew it */
    free (cg_testcli (stack, 0, "accept %s", done));
    free (cg_testcli (stack, 0, "resolve %s --result 已上门确认安全", done));
    s_cancel (stack, "A-2", "设备误触");
    c = cg_testcase_show (stack, done);
    for (int i = 0; i < 600 && !s_step (&c, "撤回其诉求"); i++) {
        cg_msg_clear (&cg_case_view_def, &c);
        usleep (100000);
        c = cg_testcase_show (stack, done);
    }
    cr_assert (s_step (&c, "撤回其诉求"), "no step for the late cancel");
    cr_assert_str_eq (c.state, "resolved");
    cr_assert_eq (s_steps_saying (&c, "撤回"), 1);
    cg_msg_clear (&cg_case_view_def, &c);
    cr_assert_eq (s_timers_of (stack, done), 0);
    c = cg_testcase_show (stack, open);
    cr_assert_eq (s_steps_saying (&c, "撤单"), 1, "the cancel was applied twice");
    cg_msg_clear (&cg_case_view_def, &c);
    free (open);
    free (done);
    cg_teststack_down (&stack);
}

Test (dispatch_intake, urgent_limits_the_hotline_time_limit_and_supporters, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    cg_testclock_set (stack, S_MONDAY_9);

    /*  noise is 120 / 6240 working minutes; urgent (紧急): 30 / 240, so
        signed for by 09:30 and done by 14:30 (the lunch break 12:00-13:30) */
    char *urgent = s_hotline (stack, "U-1", "城市管理/噪声污染", "--urgency 紧急");
    cg_case_view_t c = cg_testcase_show (stack, urgent);
    cr_assert (c.urgent);
    cr_assert_str_eq (c.category, "noise");
    cr_assert_eq (c.sign_by, S_MONDAY_9 + 30 * S_MINUTE);
    cr_assert_eq (c.done_by, S_MONDAY_9 + 5 * S_HOUR + 30 * S_MINUTE);
    cg_msg_clear (&cg_case_view_def, &c);
    cg_testcli_says (stack, 0, "紧急", "case show %s", urgent);

    /*  the hotline's own time limit, Tuesday noon, comes before the
        catalog's 13 days: done by then; its warning at 80% of the 660
        working minutes to it, Tuesday 09:48 */
    char *limited = s_hotline (stack, "T-1", "城市管理/占道经营",
                               "--time-limit 2026-11-24T12:00:00+08:00");
    c = cg_testcase_show (stack, limited);
    cr_assert_not (c.urgent);
    cr_assert_str_eq (c.category, "street_vending");
    cr_assert_eq (c.due, S_MONDAY_9 + 27 * S_HOUR);
    cr_assert_eq (c.done_by, c.due);
    cr_assert_eq (c.done_warn, S_MONDAY_9 + 24 * S_HOUR + 48 * S_MINUTE);
    cr_assert_eq (c.sign_by, S_MONDAY_9 + 2 * S_HOUR, "the sign-for limit comes first");
    cg_msg_clear (&cg_case_view_def, &c);

    /*  a second caller joins it (合并); dispatch is killed meanwhile and
        takes the event from the journal once it is back */
    cg_teststack_kill9 (stack, "dispatch");
    char *out = cg_testcli (stack, 0, "hotline --order-no T-2 --class 投诉 --content 又有人摆摊 "
                            "--category 城市管理/占道经营 --address 和平桥街道工农路 "
                            "--phone 13700000000 --call-time 2026-11-23T09:00:00+08:00");
    cr_assert (strstr (out, limited) && strstr (out, "2 supporters"), "%s", out);
    free (out);
    cg_teststack_restart (stack);
    c = cg_testcase_show (stack, limited);
    for (int i = 0; i < 600 && c.supporters != 2; i++) {
        cg_msg_clear (&cg_case_view_def, &c);
        usleep (100000);
        c = cg_testcase_show (stack, limited);
    }
    cr_assert_eq (c.supporters, 2);
    const cg_case_step_t *joined = s_step (&c, "合并");
    cr_assert (joined, "no timeline step for the supporter");
    cr_assert (strstr (joined->note, "12345热线 T-2") && strstr (joined->note, "137****0000")
               && strstr (joined->note, "共 2 件诉求"), "%s", joined->note);
    cr_assert_str_eq (joined->to, "dispatched", "a supporter does not move the case");
    cr_assert_eq (s_steps_saying (&c, "合并"), 1);
    cg_msg_clear (&cg_case_view_def, &c);
    cg_testcli_says (stack, 0, "supporters 2", "case show %s", limited);
    free (urgent);
    free (limited);
    cg_teststack_down (&stack);
}

Test (dispatch_intake, actors_are_held_to_their_role_and_scope, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *out = cg_testcli (stack, 0, "submit --source hotline --ext-ref AC-1 --category noise "
                            "--text 夜间施工 --grid 320602001001001 --phone 13812345678");
    char id[40];
    sscanf (out, "%39s", id);
    free (out);
    s_await_case (stack, id);

    /*  an admin acts within its subtree only; its scope must be a place */
    cg_testcli_says (stack, 1, "belongs to center 320602001, outside 320612",
                     "suspend %s --actor admin:320612:x", id);
    cg_testcli_says (stack, 1, "no node of the org tree", "suspend %s --actor admin:root", id);
    cg_testcli_says (stack, 0, "suspended", "suspend %s --actor admin:320602:赵", id);
    cg_testcli_says (stack, 0, "dispatched", "resume %s --actor admin:320602:赵", id);

    /*  the CLI with no $USER acts as the account's user */
    unsetenv ("USER");
    cg_testcli_says (stack, 0, "accepted", "accept %s", id);
    const struct passwd *pw = getpwuid (geteuid ());
    char actor[128];
    snprintf (actor, sizeof actor, "operator:%s", pw ? pw->pw_name : "cli");
    cg_case_view_t c = cg_testcase_show (stack, id);
    cr_assert_str_eq (c.steps[c.steps_count - 1].actor, actor);
    cg_msg_clear (&cg_case_view_def, &c);
    free (cg_testcli (stack, 0, "resolve %s --result 已停工", id));
    free (cg_testcli (stack, 0, "callback %s --satisfied yes", id));

    /*  only the citizen who reported it may reopen it */
    cg_testcli_says (stack, 1, "was not reported from 139****0000",
                     "reopen %s --actor citizen:13900000000", id);
    cg_testcli_says (stack, 0, "dispatched", "reopen %s --actor citizen:13812345678", id);

    /*  a case in a center's own queue (other: no unit at a town) is the
        center's to sign for; not another town's center's */
    out = cg_testcli (stack, 0, "submit --source hotline --ext-ref AC-2 --category other "
                      "--text 其他问题 --grid 320602001001001");
    sscanf (out, "%39s", id);
    free (out);
    s_await_case (stack, id);
    c = cg_testcase_show (stack, id);
    cr_assert_str_eq (c.unit, "320602001");
    cg_msg_clear (&cg_case_view_def, &c);
    cg_testcli_says (stack, 1, "outside 320602002", "accept %s --actor center:320602002:x", id);
    cg_testcli_says (stack, 1, "a unit may not suspend",
                     "suspend %s --actor unit:320602001-police", id);
    cg_testcli_says (stack, 0, "accepted", "accept %s --actor center:320602001:王", id);
    cg_testcli_says (stack, 0, "resolved", "resolve %s --actor center:320602:赵 --result 已答复",
                     id);
    cg_teststack_down (&stack);
}
