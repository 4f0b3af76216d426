/*  Notification of consultation and the fund, against the real
    consultation and fund daemons of a test stack and the test receiver:
    the members of the body that meets hear of its meeting and of its
    decision, every participant of the publication, and the fund committee
    members who may approve a disbursement request hear of it, while the
    person who asked does not. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_testreceiver.h"

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
