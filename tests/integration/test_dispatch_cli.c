/*  `civgrid` walks cases through every path of the state machine, as an
    operator types it: each action from the shell, each answer the case as
    it stands after it, and the timeline that records them all. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_testcase.h"

#define S_TOWN      "320602001"
#define S_CENTER    "--actor center:320602001:王"
#define S_HUANBAO   "--actor unit:320602001-huanbao:李"
#define S_POLICE    "--actor unit:320602001-police:张"

/*  Runs `civgrid ACTION ID ARGS` and checks it answers with the case in
    state, on its first line. */
static void
s_walk (cg_teststack_t *stack, const char *id, const char *state, const char *action,
        const char *args)
{
    char *out = cg_testcli (stack, 0, "%s %s %s", action, id, args);
    char first[96];
    snprintf (first, sizeof first, "%s  %s\n", id, state);
    cr_assert (strncmp (out, first, strlen (first)) == 0, "%s %s: %s", action, id, out);
    free (out);
}

static char *
s_submit (cg_teststack_t *stack, const char *ref, const char *category)
{
    return cg_testcli_submit (stack, "--source hotline --ext-ref %s --category %s "
                              "--text 工农路夜间施工 --grid 320602001001001 --phone 13812345678",
                              ref, category);
}

Test (dispatch_cli, every_transition_from_the_shell, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *a = s_submit (stack, "W-A", "noise");

    /*  转办, 退单 refused and approved, 签收 */
    s_walk (stack, a, "dispatched", "transfer", "--unit 320602001-police " S_CENTER);
    s_walk (stack, a, "returned", "return", "--note 不属于派出所 " S_POLICE);
    s_walk (stack, a, "dispatched", "return_refuse", S_CENTER);
    s_walk (stack, a, "returned", "return", "--note 噪声归环保 " S_POLICE);
    s_walk (stack, a, "dispatched", "return_approve", "--unit 320602001-huanbao " S_CENTER);
    s_walk (stack, a, "accepted", "accept", S_HUANBAO);
    /*  延期 asked and approved, asked again and refused */
    cg_testcli_says (stack, 0, "extension  pending", "extend %s --minutes 480 %s", a, S_HUANBAO);
    cg_testcli_says (stack, 0, "extension  granted", "extend_approve %s %s", a, S_CENTER);
    s_walk (stack, a, "accepted", "extend", "--minutes 60 " S_HUANBAO);
    cg_testcli_says (stack, 0, "extension  refused", "extend_refuse %s %s", a, S_CENTER);
    /*  挂起 / 恢复, 办结, 回访 unsatisfied (发回重办), then satisfied (归档) */
    s_walk (stack, a, "suspended", "suspend", "--note 等待噪声检测 " S_CENTER);
    s_walk (stack, a, "accepted", "resume", S_CENTER);
    s_walk (stack, a, "resolved", "resolve", "--result 已责令停工 " S_HUANBAO);
    cg_testcli_says (stack, 0, "redo 1", "callback %s --satisfied no %s", a, S_CENTER);
    s_walk (stack, a, "accepted", "accept", S_HUANBAO);
    s_walk (stack, a, "resolved", "resolve", "--result 已处罚 " S_HUANBAO);
    s_walk (stack, a, "closed", "callback", "--satisfied yes " S_CENTER);
    /*  the citizen reopens it; the town's operator escalates it (提级) */
    s_walk (stack, a, "dispatched", "reopen", "--actor citizen:13812345678");
    cg_testcli_says (stack, 0, "center     320602\n", "escalate %s --note 涉及多个部门 %s", a,
                     S_CENTER);

    /*  派单 from a center's own queue, then 合并 into the first */
    char *b = s_submit (stack, "W-B", "other");
    cg_testcli_says (stack, 0, "unit       320602001\n", "case show %s", b);
    s_walk (stack, b, "dispatched", "dispatch", "--unit 320602001-chengguan " S_CENTER);
    /*  the first is the county's now (escalated): the town may not name it,
        the county, whose scope holds both, merges (issue 16, bug 2) */
    cg_testcli_says (stack, 1, "there is no case", "merge %s --into %s %s", b, a, S_CENTER);
    cg_testcli_says (stack, 0, "merged     ", "merge %s --into %s --actor center:320602:李", b,
                     a);
    /*  无效 with a reason, and 归档 after 办结 without a callback */
    char *c = s_submit (stack, "W-C", "noise");
    s_walk (stack, c, "rejected", "reject", "--note 重复来电 " S_CENTER);
    char *d = s_submit (stack, "W-D", "noise");
    s_walk (stack, d, "accepted", "accept", S_HUANBAO);
    s_walk (stack, d, "resolved", "resolve", "--result 已处理 " S_HUANBAO);
    s_walk (stack, d, "closed", "close", S_CENTER);
    /*  a refusal names the state and what it allows */
    cg_testcli_says (stack, 1, "is closed; resolve is not allowed from there (allowed: reopen)",
                     "resolve %s --result x", d);

    /*  the timeline holds every step, with who did it */
    char *out = cg_testcli (stack, 0, "case show %s", a);
    const char *words[] = { "转办", "不属于派出所", "退单驳回", "退单审核通过", "签收",
                            "申请延期", "延期批准", "延期驳回", "等待噪声检测", "恢复",
                            "已责令停工", "回访", "已处罚", "重新打开", "涉及多个部门",
                            "citizen:13812345678", "unit:320602001-police:张", NULL };
    for (int i = 0; words[i]; i++)
        cr_assert (strstr (out, words[i]), "no '%s' in the timeline: %s", words[i], out);
    /*  and the case merged into it */
    char merged[64];
    snprintf (merged, sizeof merged, "合并：%s 已并入本件", b);
    cr_assert (strstr (out, merged), "no '%s' in the timeline: %s", merged, out);
    free (out);
    free (a);
    free (b);
    free (c);
    free (d);
    cg_teststack_down (&stack);
}

/*  Issue 16, bug 9: the CLI had no --help, ignored unknown and mistyped
    options (`case list --stat accepted` listed everything, `--frobnicate
    yes` still made a case), and `hotline` and `alarm` took their times
    from the wall clock on a stack that runs on a test clock. */
Test (dispatch_cli, every_command_has_help_and_an_unknown_option_is_an_error, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    /*  Monday 2026-11-23 09:00 China time, weeks before the wall clock */
    int64_t now = INT64_C (1795395600000);
    freeReplyObject (cg_redis_command (stack->redis, "SET cg:{clock}:now %lld",
                                       (long long) now));
    const char *commands[] = { "stack", "submit", "hotline", "alarm", "intake", "case", "inbox",
                               "accept", "merge", "stats", "reload", "topic", "fund", "token",
                               "notify", "journal", "messages", NULL };
    for (int i = 0; commands[i]; i++)
        cg_testcli_says (stack, 0, "--dir DIR", "%s --help", commands[i]);
    cg_testcli_says (stack, 0, "--state S", "case --help");
    cg_testcli_says (stack, 0, "--satisfied yes|no", "help callback");
    cg_testcli_says (stack, 0, "fund", "--help");

    /*  a mistyped option is an error naming it, and nothing is done */
    cg_testcli_says (stack, 2, "unknown option --stat", "case list --stat accepted");
    cg_testcli_says (stack, 2, "unknown option --frobnicate", "submit --category noise --text "
                     "噪声 --grid 320602001001001 --frobnicate yes");
    cg_testcli_says (stack, 2, "unknown option --into", "accept CG0000000001 --into x");
    cg_testcli_says (stack, 2, "no command \"sbumit\"", "sbumit --category noise");
    cr_assert_eq (cg_teststack_int (stack, "GET cg:{intake}:seq"), -1, "a case was made");

    /*  the times default to the stack's clock */
    char *out = cg_testcli (stack, 0, "hotline --order-no H-9 --class 投诉 --content "
                            "工农路噪声扰民 --address 和平桥街道工农路 --phone 13812345678 --json");
    free (out);
    out = cg_testcli (stack, 0, "alarm --device W-0001 --alarm-id A-9 --type fall");
    cr_assert (strstr (out, "accepted"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_await (stack, 2, 60000, "ZCARD cg:{dispatch}:q:all"), 2);
    redisReply *r = cg_redis_command (stack->redis, "ZRANGE cg:{dispatch}:q:all 0 -1");
    for (size_t i = 0; i < r->elements; i++) {
        cg_case_view_t c = cg_testcase_show (stack, r->element[i]->str);
        cr_assert_lt (c.created, now + 60000, "%s received on the wall clock",
                      r->element[i]->str);
        cg_msg_clear (&cg_case_view_def, &c);
    }
    freeReplyObject (r);
    cg_teststack_down (&stack);
}
