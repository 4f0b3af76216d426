/*  Consultation (议事协商) with real parts: redis-server, the broker,
    intake, dispatch, notification and consultation as processes, driven by
    the real CLI and by raw DEALER sockets.  A village matter goes through
    四议两公开 from proposal to the published result; a hot spot opens a
    plain consultation whose two tasks become dispatched cases, closed by
    dispatch's own commands; quorum, double votes (also two at once from
    two clients) and a kill -9 in the middle of a ballot. */
#include <criterion/criterion.h>
#include <stdarg.h>
#include "cg_testcli.h"
#include "cg_testhttp.h"

#define S_VILLAGE       "320612005003"      /* 通江村: rosters of every body */
#define S_COMMUNITY     "320602001001"      /* 新桥社区: invited parties */
#define S_GRID          "320602001001001"
#define S_T0            INT64_C (1795000000000)
#define S_DAY           INT64_C (86400000)

/*  Runs the CLI; asserts its exit code; returns its output (free it). */
static void
s_set_clock (cg_teststack_t *stack, int64_t ms)
{
    redisReply *r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) ms);
    freeReplyObject (r);
}

/*  Creates a topic with the CLI and returns its id in id. */
static void
s_create (cg_teststack_t *stack, char *id, const char *fmt, ...)
{
    char args[2048];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (args, sizeof args, fmt, ap);
    va_end (ap);
    char *out = cg_testcli (stack, 0, "topic create %s", args);
    cr_assert_eq (sscanf (out, "%31s", id), 1);
    cr_assert (strncmp (id, "YS", 2) == 0, "%s", out);
    free (out);
}

/*  Counts the journal's entries of one bus topic, each decoded with its
    definition (so a script that journals a malformed body fails here). */
static int
s_journaled (cg_teststack_t *stack, const char *topic)
{
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{consultation}:journal - +");
    int count = 0;
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *kv = r->element[i]->element[1];
        const cg_msgdef_t *def = strcmp (kv->element[1]->str, "topic.task") == 0
                               ? &cg_topic_task_def : &cg_topic_event_def;
        char msg[1024];
        cg_error_t err;
        cr_assert_eq (cg_msg_decode (def, kv->element[3]->str, kv->element[3]->len, msg, &err),
                      0, "%s: %s %s", kv->element[1]->str, err.field, err.message);
        cg_msg_clear (def, msg);
        count += strcmp (kv->element[1]->str, topic) == 0;
    }
    freeReplyObject (r);
    return count;
}

/*  The last journal entry of a bus topic, decoded. */
static void
s_last_event (cg_teststack_t *stack, const char *topic, cg_topic_event_t *event)
{
    redisReply *r = cg_redis_command (stack->redis, "XREVRANGE cg:{consultation}:journal + -");
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *kv = r->element[i]->element[1];
        cg_error_t err;
        if (strcmp (kv->element[1]->str, topic) == 0) {
            cr_assert_eq (cg_msg_decode (&cg_topic_event_def, kv->element[3]->str,
                                         kv->element[3]->len, event, &err), 0);
            freeReplyObject (r);
            return;
        }
    }
    cr_assert_fail ("no %s in the journal", topic);
}

/*  One meeting stage: open it, register attendance, vote, decide. */
static void
s_meeting (cg_teststack_t *stack, const char *id, const char *stage, const char *prefix,
           int present, int yes, const char *decision)
{
    char *out = cg_testcli (stack, 0, "topic stage %s %s --place 村委会会议室", id, stage);
    free (out);
    char members[1024] = "";
    for (int i = 1; i <= present; i++)
        snprintf (members + strlen (members), sizeof members - strlen (members), "%s%s%02d",
                  i > 1 ? "," : "", prefix, i);
    out = cg_testcli (stack, 0, "topic meeting %s --members %s", id, members);
    free (out);
    cg_testcli_says (stack, 1, "not on the roster", "topic vote %s outsider-01 yes", id);
    for (int i = 1; i <= present; i++) {
        out = cg_testcli (stack, 0, "topic vote %s %s%02d %s", id, prefix, i,
                          i <= yes ? "yes" : "no");
        free (out);
    }
    cg_testcli_says (stack, 0, decision, "topic tally %s --close", id);
}

Test (consultation, siyi_liangkai_runs_a_village_matter_from_proposal_to_published_result,
      .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    s_set_clock (stack, S_T0);
    char id[32];
    s_create (stack, id, "--title '通江村村道硬化工程' --scope %s --procedure siyi --source "
              "government --category other --description '硬化村道2.4公里，预算38万元'", S_VILLAGE);
    cg_testcli_says (stack, 0, "draft", "topic show %s", id);

    /*  the stages go in order; the resolution cannot be published before it is decided */
    cg_testcli_says (stack, 1, "cannot open before stage 1 (proposal) closes",
                     "topic stage %s review", id);
    cg_testcli_says (stack, 1, "not open", "topic publish %s resolution_published --text x", id);

    s_meeting (stack, id, "proposal", "tj-pb", 3, 3, "adopted");             /* 提议 */
    cg_testcli_says (stack, 1, "no meeting of topic", "topic vote %s tj-pb01 yes", id);
    s_meeting (stack, id, "discussion", "tj-cm", 5, 4, "adopted");           /* 商议 */
    s_meeting (stack, id, "review", "tj-pm", 7, 5, "adopted");               /* 审议 */
    s_meeting (stack, id, "resolution", "tj-rp", 9, 6, "adopted");           /* 决议 */

    /*  deciding is not publishing: the resolution waits, due in 7 days */
    char *out = cg_testcli (stack, 0, "topic show %s --json", id);
    cr_assert (strstr (out, "\"state\":\"decided\"") && strstr (out, "\"attended\":9")
               && strstr (out, "\"expected\":12"), "%s", out);
    free (out);
    cg_testcli_says (stack, 0, "implementing", "topic publish %s resolution_published --text "
                     "'经村民代表会议表决通过：硬化村道2.4公里。'", id);
    cg_testcli_says (stack, 1, "immutable", "topic publish %s resolution_published --text 改", id);

    /*  the result is due 30 days later, as its opening says; on day 31
        the alarm is raised once */
    cg_topic_event_t opened;
    s_last_event (stack, "topic.stage_opened", &opened);
    cr_assert_str_eq (opened.name, "result_published");
    cr_assert_eq (opened.due, S_T0 + 30 * S_DAY);
    cg_msg_clear (&cg_topic_event_def, &opened);
    cr_assert_eq (s_journaled (stack, "topic.publication_overdue"), 0);
    s_set_clock (stack, S_T0 + 31 * S_DAY);
    int64_t until = zclock_mono () + 60000;
    while (s_journaled (stack, "topic.publication_overdue") == 0 && zclock_mono () < until)
        zclock_sleep (100);
    zclock_sleep (2500);
    cr_assert_eq (s_journaled (stack, "topic.publication_overdue"), 1);
    cg_topic_event_t alarm;
    s_last_event (stack, "topic.publication_overdue", &alarm);
    cr_assert_str_eq (alarm.name, "result_published");
    cr_assert_str_eq (alarm.scope, S_VILLAGE);
    cr_assert_eq (alarm.due, S_T0 + 30 * S_DAY);
    cg_msg_clear (&cg_topic_event_def, &alarm);
    cg_testcli_says (stack, 0, "OVERDUE", "topic show %s", id);

    cg_testcli_says (stack, 0, "done", "topic publish %s result_published --text '村道已硬化完成，"
                     "验收合格。'", id);
    out = cg_testcli (stack, 0, "topic show %s", id);
    cr_assert (strstr (out, "验收合格") && strstr (out, "经村民代表会议表决通过"), "%s", out);
    free (out);
    cr_assert_eq (s_journaled (stack, "topic.decided"), 4);
    cr_assert_eq (s_journaled (stack, "topic.published"), 2);
    cr_assert_eq (s_journaled (stack, "topic.voted"), 3 + 5 + 7 + 9);
    cg_teststack_down (&stack);
}

/*  The case id of a task, once intake has taken it. */
static void
s_task_case (cg_teststack_t *stack, const char *task, char *case_id)
{
    char key[96];
    snprintf (key, sizeof key, "cg:{consultation}:task:%s", task);
    int64_t until = zclock_mono () + 30000;
    while (true) {
        redisReply *r = cg_redis_command (stack->redis, "HGET %s case_id", key);
        bool have = r->type == REDIS_REPLY_STRING;
        if (have)
            snprintf (case_id, 32, "%s", r->str);
        freeReplyObject (r);
        if (have)
            return;
        cr_assert (zclock_mono () < until, "task %s never reached intake", task);
        zclock_sleep (100);
    }
}

/*  GET /api/v1/hotspots (issue 15, item 4): the town's operator sees the
    hot spot of its community with its category, count and the topic
    opened for it; another town's operator sees none and may not ask for
    this town's; a limit beyond 50 is refused naming it. */
static void
s_hotspots_listed (cg_teststack_t *stack, const char *topic)
{
    char *town = cg_http_token (stack, "operator", "320602001", "和平桥值班员");
    char *other = cg_http_token (stack, "operator", "320602002", "任港值班员");
    int status;
    json_t *r = cg_http_get_json (stack, "/api/v1/hotspots", town, &status);
    cr_assert_eq (status, 200, "%s", json_dumps (r, 0));
    cr_assert_eq (json_integer_value (json_object_get (r, "total")), 1, "%s", json_dumps (r, 0));
    json_t *spot = json_array_get (json_object_get (r, "hotspots"), 0);
    cr_assert_str_eq (json_string_value (json_object_get (spot, "category")), "property_dispute");
    cr_assert_str_eq (json_string_value (json_object_get (spot, "category_name")), "物业纠纷");
    cr_assert_str_eq (json_string_value (json_object_get (spot, "community")), S_COMMUNITY);
    cr_assert_eq (json_integer_value (json_object_get (spot, "count")), 3);
    cr_assert_str_eq (json_string_value (json_object_get (spot, "topic")), topic);
    json_decref (r);
    r = cg_http_get_json (stack, "/api/v1/hotspots?scope=320602&limit=5", other, &status);
    cr_assert_eq (status, 403, "the county is not the other town's");
    json_decref (r);
    r = cg_http_get_json (stack, "/api/v1/hotspots", other, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_integer_value (json_object_get (r, "total")), 0, "%s", json_dumps (r, 0));
    cr_assert_eq (json_array_size (json_object_get (r, "hotspots")), 0);
    json_decref (r);
    cg_http_refused (stack, "GET", "/api/v1/hotspots?scope=320602001", other, NULL, 0, 403,
                     "scope");
    cg_http_refused (stack, "GET", "/api/v1/hotspots?limit=51", town, NULL, 0, 400, "limit");
    free (town);
    free (other);
}

Test (consultation, a_hotspot_opens_a_plain_consultation_whose_tasks_are_dispatched_and_closed,
      .timeout = 180)
{
    /*  dispatch raises the hot spot itself: three cases of one category in
        one community make one here */
    cg_teststack_t *stack = cg_teststack_up ("--set dispatch/hotspot_count=3");
    char *cases[3];
    for (int i = 0; i < 3; i++) {
        char *out = cg_testcli (stack, 0, "submit --source hotline --ext-ref PD-%d --category "
                                "property_dispute --text '物业不作为，电梯停运' --grid %s", i, S_GRID);
        cases[i] = strndup (out, 12);
        free (out);
    }
    cr_assert_eq (cg_teststack_await (stack, 1, 20000, "ZCARD cg:{consultation}:topics"), 1);

    char *out = cg_testcli (stack, 0, "topic list --scope %s", S_COMMUNITY);
    cr_assert (strstr (out, "1 topics") && strstr (out, "物业纠纷"), "%s", out);
    free (out);
    const char *id = "YS000001";
    s_hotspots_listed (stack, id);
    out = cg_testcli (stack, 0, "topic show %s --json", id);
    cr_assert (strstr (out, "\"source\":\"hotspot\"") && strstr (out, cases[2])
               && strstr (out, "\"state\":\"draft\"") && strstr (out, "物业公司经理"), "%s", out);
    free (out);

    s_meeting (stack, id, "consultation", "xq-iv", 5, 4, "adopted");
    /*  tasks outlive a dead intake and a kill -9 of consultation: they wait
        in the outbox and still become one case each */
    cg_teststack_kill9 (stack, "intake");
    cg_testcli_says (stack, 0, "-1", "topic task %s --text '督促物业一周内修复2号楼电梯'", id);
    cg_testcli_says (stack, 0, "-2", "topic task %s --text '业委会牵头公示物业服务费收支' "
                     "--grid 320602001001002", id);
    cg_testcli_says (stack, 0, "implementing", "topic publish %s resolution_published --text "
                     "'协商议定：物业限期修复电梯，收支公示。'", id);
    zclock_sleep (2500);
    cr_assert_eq (cg_teststack_int (stack, "ZCARD cg:{consultation}:outbox"), 2);
    cg_testcli_says (stack, 0, "2 tasks waiting for intake", "topic tasks --state pending");
    cg_testcli_says (stack, 0, "0 tasks dead-lettered", "topic tasks");
    cg_teststack_kill9 (stack, "consultation");
    cg_teststack_restart (stack);

    char case1[32], case2[32];
    s_task_case (stack, "YS000001-1", case1);
    s_task_case (stack, "YS000001-2", case2);
    cr_assert_str_neq (case1, case2);
    /*  linked both ways: the case names the task, the task the case */
    cr_assert_eq (cg_teststack_await (stack, 5, 20000, "ZCARD cg:{dispatch}:q:all"), 5);
    out = cg_testcli (stack, 0, "case show %s --json", case1);
    cr_assert (strstr (out, "\"ext_ref\":\"YS000001-1\"") && strstr (out, "电梯"), "%s", out);
    free (out);
    /*  the result waits for the tasks; dispatch's own commands close them */
    cg_testcli_says (stack, 1, "2 of 2 open", "topic publish %s result_published --text 早", id);
    const char *closing[] = { case1, case2 };
    for (int i = 0; i < 2; i++) {
        free (cg_testcli (stack, 0, "accept %s --actor unit:320602001-zhujian", closing[i]));
        free (cg_testcli (stack, 0, "resolve %s --result 已整改 --actor unit:320602001-zhujian",
                          closing[i]));
        free (cg_testcli (stack, 0, "close %s", closing[i]));
        char key[96];
        snprintf (key, sizeof key, "cg:{consultation}:task:YS000001-%d", i + 1);
        int64_t until = zclock_mono () + 60000;
        while (true) {
            redisReply *r = cg_redis_command (stack->redis, "HGET %s state", key);
            bool closed = r->type == REDIS_REPLY_STRING && strcmp (r->str, "closed") == 0;
            freeReplyObject (r);
            if (closed)
                break;
            cr_assert (zclock_mono () < until, "task %d not closed with its case", i + 1);
            zclock_sleep (100);
        }
        if (i == 0)
            cg_testcli_says (stack, 1, "1 of 2 open", "topic publish %s result_published --text 早",
                             id);
    }
    cg_testcli_says (stack, 0, "done", "topic publish %s result_published --text "
                     "'电梯已修复，收支已公示。'", id);
    /*  one case per task, however often the outbox sent it */
    cr_assert_eq (cg_teststack_int (stack, "GET cg:{intake}:seq"), 5);
    cr_assert_eq (cg_teststack_int (stack, "ZCARD cg:{consultation}:outbox"), 0);
    cr_assert_eq (s_journaled (stack, "topic.created"), 1);
    cr_assert_eq (s_journaled (stack, "topic.task"), 2 + 2 + 2);
    cg_teststack_down (&stack);
    for (int i = 0; i < 3; i++)
        free (cases[i]);
}

Test (consultation, which_hot_spots_open_topics_is_configured_per_category, .timeout = 120)
{
    /*  noise is not deliberated by the catalog's consult flag; here it is,
        and property disputes are not */
    cg_teststack_t *stack = cg_teststack_up ("--set consultation/hotspot_categories=noise,"
                                             "illegal_building");
    char *cases[] = { "CG0000000001" };
    cg_hotspot_detected_t hot = { .id = "noise:" S_COMMUNITY ":1", .category = "noise",
                                  .community = S_COMMUNITY, .count = 1, .cases = cases,
                                  .cases_count = 1, .window_from = S_T0 - S_DAY,
                                  .window_to = S_T0, .at = S_T0 };
    cg_teststack_journal (stack, "dispatch", "hotspot.detected", &cg_hotspot_detected_def, &hot);
    hot.id = "property_dispute:" S_COMMUNITY ":1";
    hot.category = "property_dispute";
    cg_teststack_journal (stack, "dispatch", "hotspot.detected", &cg_hotspot_detected_def, &hot);
    hot.id = "noise:320602001:1";
    hot.category = "noise";
    hot.community = "320602001";            /* a town, not a community */
    cg_teststack_journal (stack, "dispatch", "hotspot.detected", &cg_hotspot_detected_def, &hot);
    cr_assert_eq (cg_teststack_await (stack, 3, 20000, "GET cg:{consultation}:cursor:dispatch"),
                  3);
    cr_assert_eq (cg_teststack_int (stack, "ZCARD cg:{consultation}:topics"), 1);
    cg_testcli_says (stack, 0, "噪声扰民：新桥社区 1 件诉求", "topic list");
    cg_teststack_down (&stack);
}
