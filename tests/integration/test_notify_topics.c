/*  Notification of consultation and the fund, against the real
    consultation and fund daemons of a test stack and the test receiver:
    the members of the body that meets hear of its meeting and of its
    decision, every participant of the publication, and the fund committee
    members who may approve a disbursement request hear of it, while the
    person who asked does not. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_testreceiver.h"
#include "cg_clock.h"

#define S_COMMUNITY "320602001001"      /* 新桥社区 */

Test (notify_topics, participants_and_committee_members_hear_of_what_concerns_them,
      .timeout = 240)
{
    cg_testreceiver_t rx;
    cg_testreceiver_start (&rx);
    /*  two of the invited parties of 新桥社区 (deploy/demo/rosters.tsv), a
        party branch member who is not invited, and three committee members
        of 白鹤社区慈善基金 (deploy/demo/funds.cfg) */
    const char *people =
        "xq-iv01\t刘明\tcommunity\t" S_COMMUNITY "\tzh-CN\twebhook:URL/iv/1\t-\t-\timmediate\n"
        "xq-iv02\t黄志强\tinvited\t" S_COMMUNITY "\ten\twebhook:URL/iv/2\t-\t-\timmediate\n"
        "xq-pb01\t刘明\tparty_branch\t" S_COMMUNITY "\tzh-CN\twebhook:URL/pb/1\t-\t-\timmediate\n"
        "wang.fang\t王芳\tcommittee\t320602001\tzh-CN\twebhook:URL/fund/wang\t-\t-\timmediate\n"
        "zhang.min\t张敏\tcommittee\t320602001\tzh-CN\twebhook:URL/fund/zhang\t-\t-\timmediate\n"
        "li.qiang\t李强\tcommittee\t320602001\tzh-CN\twebhook:URL/fund/li\t-\t-\timmediate\n";
    char *dir = cg_testreceiver_notify_dir (&rx, cg_testreceiver_urls (&rx, people), 15000, "");
    char extra[700];
    snprintf (extra, sizeof extra, "--set data/notify=%s --set dispatch/hotspot_count=0", dir);
    cg_teststack_t *stack = cg_teststack_up (extra);

    /*  协商: the invited parties meet, vote, and the resolution is published */
    char id[32];
    char *out = cg_testcli (stack, 0, "topic create --title 电梯停运 --scope %s --procedure plain "
                            "--source proposal --category property_dispute", S_COMMUNITY);
    cr_assert_eq (sscanf (out, "%31s", id), 1);
    free (out);
    free (cg_testcli (stack, 0, "topic stage %s --place 社区议事厅", id));
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/iv/1", id, "「协商」，请按时参加会议"), 1);
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/iv/2", id, "consultation: please attend"), 1);
    free (cg_testcli (stack, 0, "topic meeting %s --members xq-iv01,xq-iv02,xq-iv03,xq-iv04", id));
    for (int i = 1; i <= 4; i++)
        free (cg_testcli (stack, 0, "topic vote %s xq-iv%02d yes", id, i));
    cg_testcli_says (stack, 0, "adopted", "topic tally %s --close", id);
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/iv/1", id, "表决结果：adopted"), 1);
    cg_testcli_says (stack, 0, "implementing", "topic publish %s resolution_published --text "
                     "'协商议定：物业限期修复电梯。'", id);
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/iv/1", id, "已公开「决议公开」"), 1);
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/iv/2", id, "publication of the resolution"),
                  1);
    /*  each heard of each thing once; the uninvited heard nothing */
    cr_assert_eq (cg_testreceiver_count (&rx, "/iv/1", NULL, NULL), 3);
    cr_assert_eq (cg_testreceiver_count (&rx, "/pb/1", NULL, NULL), 0);

    /*  慈善基金: a request waits for the committee members who may approve */
    free (cg_testcli (stack, 0, "fund donate --fund baihe --project elderly --amount 500000 "
                      "--channel wechat --donor 张三"));
    out = cg_testcli (stack, 0, "fund request --fund baihe --project elderly --beneficiary 孙大爷 "
                      "--amount 20000 --purpose 助老餐补贴 --actor li.qiang");
    free (out);
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/fund/wang", "200.00 元", "助老餐补贴"), 1);
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/fund/zhang", "200.00 元", "li.qiang"), 1);
    cr_assert_eq (cg_testreceiver_count (&rx, "/fund/li", NULL, NULL), 0,
                  "the requester was asked to approve their own request");
    cg_teststack_down (&stack);
    cg_testreceiver_stop (&rx);
}

/*  Unix ms of a local (+08:00) time. */
static int64_t
s_beijing (int year, int month, int day, int hour)
{
    char iso[40];
    int64_t ms;
    snprintf (iso, sizeof iso, "%04d-%02d-%02dT%02d:00:00+08:00", year, month, day, hour);
    cr_assert_eq (cg_time_parse (iso, &ms, NULL, 0), 0);
    return ms;
}

static void
s_set_clock (cg_teststack_t *stack, int64_t ms)
{
    freeReplyObject (cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) ms));
}

/*  Issue 16, bug 6: approvals nobody heard of.  A return (退单) and an
    extension request (延期申请) wait for the case's center; a fund's
    decision is for the one who asked; an overdue monthly report is for
    the fund's committee and the town above its community; and an overdue
    publication goes to the community's staff or, when it has none in the
    directory, to the town's operators. */
Test (notify_topics, approvals_and_overdue_reports_reach_someone, .timeout = 240)
{
    cg_testreceiver_t rx;
    cg_testreceiver_start (&rx);
    /*  the town's operator, the fund's committee; 新桥社区 has no staff
        in the directory */
    const char *people =
        "op1\t值班员王芳\toperator\t320602001\tzh-CN\twebhook:URL/op/1\t-\t-\timmediate\n"
        "wang.fang\t王芳\tcommittee\t320602001\tzh-CN\twebhook:URL/fund/wang\t-\t-\timmediate\n"
        "li.qiang\t李强\tcommittee\t320602001\tzh-CN\twebhook:URL/fund/li\t-\t-\timmediate\n";
    char *dir = cg_testreceiver_notify_dir (&rx, cg_testreceiver_urls (&rx, people), 15000, "");
    char extra[700];
    snprintf (extra, sizeof extra, "--set data/notify=%s --set dispatch/hotspot_count=0 "
              "--set clock/test=1", dir);
    cg_teststack_t *stack = cg_teststack_up (extra);
    s_set_clock (stack, s_beijing (2026, 12, 1, 9));

    /*  退单 and 延期申请: the town's operator is asked to decide */
    char returned[32], extended[32];
    char *out = cg_testcli (stack, 0, "submit --category noise --grid 320602001001001 "
                            "--text '夜间施工噪音'");
    cr_assert_eq (sscanf (out, "%31s", returned), 1);
    free (out);
    out = cg_testcli (stack, 0, "submit --category street_light --grid 320602001001001 "
                      "--text '路灯不亮'");
    cr_assert_eq (sscanf (out, "%31s", extended), 1);
    free (out);
    cr_assert_eq (cg_teststack_await (stack, 2, 30000, "ZCARD cg:{dispatch}:q:all"), 2);
    free (cg_testcli (stack, 0, "return %s --note 不属于本单位职责", returned));
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/op/1", returned, "退单"), 1);
    free (cg_testcli (stack, 0, "accept %s", extended));
    free (cg_testcli (stack, 0, "extend %s --minutes 1440 --note 需更换灯杆", extended));
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/op/1", extended, "延期"), 1);

    /*  a request approved: the one who asked hears of it */
    free (cg_testcli (stack, 0, "fund donate --fund baihe --project elderly --amount 500000 "
                      "--channel wechat --donor 张三"));
    char request[40];
    out = cg_testcli (stack, 0, "fund request --fund baihe --project elderly --beneficiary 孙大爷 "
                      "--amount 20000 --purpose 助老餐补贴 --actor li.qiang --role operator");
    cr_assert_eq (sscanf (out, "%39s", request), 1);
    free (out);
    free (cg_testcli (stack, 0, "fund approve %s --actor wang.fang --role operator", request));
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/fund/li", request, "approved"), 1);

    /*  a topic whose result is due 30 days after its resolution */
    char topic[32];
    out = cg_testcli (stack, 0, "topic create --title 电梯停运 --scope %s --procedure plain "
                      "--source proposal --category property_dispute", S_COMMUNITY);
    cr_assert_eq (sscanf (out, "%31s", topic), 1);
    free (out);
    free (cg_testcli (stack, 0, "topic stage %s --place 社区议事厅", topic));
    free (cg_testcli (stack, 0, "topic meeting %s --members xq-iv01,xq-iv02,xq-iv03,xq-iv04",
                      topic));
    for (int i = 1; i <= 4; i++)
        free (cg_testcli (stack, 0, "topic vote %s xq-iv%02d yes", topic, i));
    cg_testcli_says (stack, 0, "adopted", "topic tally %s --close", topic);
    cg_testcli_says (stack, 0, "implementing", "topic publish %s resolution_published --text "
                     "'协商议定：物业限期修复电梯。'", topic);

    /*  six weeks on: the result is overdue, and so is December's report */
    s_set_clock (stack, s_beijing (2027, 1, 12, 9));
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/op/1", topic, "公开"), 1,
                  "the overdue publication reached nobody");
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/op/1", "月度公示逾期 baihe\"", "2026-12"), 1,
                  "the overdue report reached no operator");
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/fund/wang", "月度公示逾期 baihe\"", "2026-12"),
                  1,
                  "the overdue report reached no committee member");
    cg_teststack_down (&stack);
    cg_testreceiver_stop (&rx);
}
