/*  Consultation's tasks on their way to dispatch, and what the public may
    read, with real parts (see test_consultation.c): a task intake keeps
    refusing becomes a dead letter after its tries, shown by `civgrid topic
    tasks`, and an operator sends it again; a task whose case dispatch
    rejects is a dead letter too, and its retry makes a new case; when
    dispatch merges a task's case into another, the task follows it.  The
    published texts of a topic, and the topics of a place that published,
    are readable with the public commands, and nothing else of the topic
    is.  Every journal entry decodes with the definition of its topic
    (proto/cg_events.c), which is what docs/MESSAGES.md documents. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_events.h"

#define S_COMMUNITY     "320602001001"      /* 新桥社区, in town 320602001, county 320602 */

/*  A plain consultation of three invited members, decided: adopted. */
static void
s_adopted_topic (cg_teststack_t *stack, char *id, const char *category)
{
    char *out = cg_testcli (stack, 0, "topic create --title 小区停车管理 --scope %s --category %s "
                            "--description '内部讨论：涉及三户业主姓名' "
                            "--invite a1:甲:业主,a2:乙:业主,a3:丙:物业", S_COMMUNITY, category);
    cr_assert_eq (sscanf (out, "%31s", id), 1);
    free (out);
    free (cg_testcli (stack, 0, "topic stage %s", id));
    free (cg_testcli (stack, 0, "topic meeting %s a1 a2 a3", id));
    for (int i = 1; i <= 3; i++)
        free (cg_testcli (stack, 0, "topic vote %s a%d yes", id, i));
    cg_testcli_says (stack, 0, "adopted", "topic tally %s --close", id);
}

/*  Every entry of the consultation journal decodes with the definition
    its topic has in proto/cg_events.c; returns how many are `topic`, and
    the last of them decoded as a topic.task into task when given. */
static int
s_journal (cg_teststack_t *stack, const char *topic, cg_topic_task_t *task)
{
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{consultation}:journal - +");
    int count = 0;
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *kv = r->element[i]->element[1];
        const cg_event_kind_t *kind = cg_event_kind_find ("consultation", kv->element[1]->str);
        cr_assert (kind && strcmp (kind->journal, "consultation") == 0, "%s has no definition",
                   kv->element[1]->str);
        _Alignas (16) char msg[2048];
        cg_error_t err;
        cr_assert_eq (cg_msg_decode (kind->def, kv->element[3]->str, kv->element[3]->len, msg,
                                     &err), 0, "%s: %s %s", kv->element[1]->str, err.field,
                      err.message);
        if (strcmp (kv->element[1]->str, topic) == 0) {
            count++;
            if (task) {
                cg_msg_clear (&cg_topic_task_def, task);
                memcpy (task, msg, sizeof *task);
                continue;
            }
        }
        cg_msg_clear (kind->def, msg);
    }
    freeReplyObject (r);
    return count;
}

/*  Waits for the task's field to read want. */
static void
s_await_task (cg_teststack_t *stack, const char *tid, const char *field, const char *want)
{
    int64_t until = zclock_mono () + 90000;
    while (true) {
        redisReply *r = cg_redis_command (stack->redis, "HGET cg:{consultation}:task:%s %s", tid,
                                          field);
        bool there = r->type == REDIS_REPLY_STRING && (!want || strcmp (r->str, want) == 0);
        freeReplyObject (r);
        if (there)
            return;
        cr_assert (zclock_mono () < until, "task %s: %s never became %s", tid, field,
                   want ? want : "set");
        zclock_sleep (100);
    }
}

/*  Waits until dispatch has the case (intake answered before dispatch
    took it from the journal). */
static void
s_await_case (cg_teststack_t *stack, const char *case_id)
{
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "EXISTS cg:{dispatch}:case:%s", case_id),
                  1, "dispatch never took %s", case_id);
}

static char *
s_task_field (cg_teststack_t *stack, const char *tid, const char *field)
{
    redisReply *r = cg_redis_command (stack->redis, "HGET cg:{consultation}:task:%s %s", tid,
                                      field);
    char *value = r->type == REDIS_REPLY_STRING ? strdup (r->str) : NULL;
    freeReplyObject (r);
    return value;
}

Test (consultation_tasks, refused_tasks_become_dead_letters_that_an_operator_sends_again,
      .timeout = 240)
{
    /*  intake gets a catalog without traffic facilities after the topic is
        decided, as when its catalog is changed and consultation's is not */
    char catalog[600], command[1500];
    snprintf (catalog, sizeof catalog, "%s/tasks-catalog-%d.tsv",
              getenv ("CG_TEST_TMP") ? getenv ("CG_TEST_TMP") : "/tmp", getpid ());
    snprintf (command, sizeof command, "cp %s/deploy/demo/catalog.tsv %s", cg_test_root (),
              catalog);
    cr_assert_eq (system (command), 0);
    char extra[900];
    snprintf (extra, sizeof extra, "--set data/catalog=%s --set consultation/task_tries=2 "
              "--set consultation/task_retry_seconds=1", catalog);
    cg_teststack_t *stack = cg_teststack_up (extra);
    char id[32], tid[48];
    s_adopted_topic (stack, id, "traffic_facility");
    snprintf (command, sizeof command, "sed -i '/^traffic_facility\t/d' %s", catalog);
    cr_assert_eq (system (command), 0);
    cg_teststack_kill9 (stack, "intake");
    cg_teststack_restart (stack);

    cg_testcli_says (stack, 0, "-1", "topic task %s --text '增设垃圾分类投放点两处'", id);
    snprintf (tid, sizeof tid, "%s-1", id);
    /*  two tries, a second apart, then a dead letter with intake's reason */
    cr_assert_eq (cg_teststack_await (stack, 1, 90000, "ZCARD cg:{consultation}:dead"), 1);
    cr_assert_eq (cg_teststack_await (stack, 0, 5000, "ZCARD cg:{consultation}:outbox"), 0);
    char *out = cg_testcli (stack, 0, "topic tasks");
    cr_assert (strstr (out, "1 tasks dead-lettered") && strstr (out, tid)
               && strstr (out, "not in the catalog") && strstr (out, "tries 2"), "%s", out);
    free (out);
    out = cg_testcli (stack, 0, "topic tasks --json");
    cr_assert (strstr (out, "\"state\":\"dead\"") && strstr (out, "\"tries\":2")
               && strstr (out, "\"error\":\"intake refused it: category"), "%s", out);
    free (out);
    cg_topic_task_t task = { 0 };
    cr_assert_eq (s_journal (stack, "topic.task", &task), 2);
    cr_assert_str_eq (task.state, "dead");
    cr_assert (strstr (task.error, "traffic_facility"), "%s", task.error);
    cg_msg_clear (&cg_topic_task_def, &task);
    /*  the result waits for a dead task as for any open one */
    free (cg_testcli (stack, 0, "topic publish %s resolution_published --text 增设投放点", id));
    cg_testcli_says (stack, 1, "1 of 1 open", "topic publish %s result_published --text 完成", id);

    /*  the operator sends it again under a category intake takes */
    cg_testcli_says (stack, 1, "(invalid: category)", "topic retry %s --category nope", tid);
    cg_testcli_says (stack, 1, "(not_found: task)", "topic retry %s-9 --category other", id);
    cg_testcli_says (stack, 1, "(invalid: state)", "topic tasks --state closed");
    cg_testcli_says (stack, 0, "pending", "topic retry %s --category other", tid);
    s_await_task (stack, tid, "state", "dispatched");
    cg_testcli_says (stack, 0, "0 tasks dead-lettered", "topic tasks");
    cg_testcli_says (stack, 1, "only a dead letter", "topic retry %s", tid);
    char *case1 = s_task_field (stack, tid, "case_id");
    s_await_case (stack, case1);
    out = cg_testcli (stack, 0, "case show %s --json", case1);
    cr_assert (strstr (out, "\"ext_ref\":\"") && strstr (out, "-1#1\"")
               && strstr (out, "\"category\":\"other\""), "%s", out);
    free (out);

    /*  dispatch rejects the case as invalid: a dead letter again, and the
        next round is a new case, not the rejected one */
    free (cg_testcli (stack, 0, "reject %s --note 重复派单 --actor center:320602:王", case1));
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "ZCARD cg:{consultation}:dead"), 1);
    cg_testcli_says (stack, 0, "dispatch rejected case", "topic tasks");
    free (cg_testcli (stack, 0, "topic retry %s", tid));
    s_await_task (stack, tid, "state", "dispatched");
    char *case2 = s_task_field (stack, tid, "case_id");
    cr_assert_str_neq (case1, case2);

    /*  dispatch merges its case into a resident's on the same matter: the
        task goes with it, and closes when that case closes */
    out = cg_testcli (stack, 0, "submit --source hotline --ext-ref TF-1 --category "
                      "property_dispute --text '停车位划线不清' --grid 320602001001002");
    char case3[16];
    cr_assert_eq (sscanf (out, "%15s", case3), 1);
    free (out);
    s_await_case (stack, case2);
    s_await_case (stack, case3);
    free (cg_testcli (stack, 0, "merge %s --into %s --actor center:320602:王", case2, case3));
    s_await_task (stack, tid, "case_id", case3);
    cr_assert_eq (cg_teststack_await (stack, 1, 10000, "SCARD cg:{consultation}:case:%s", case3),
                  1);
    free (cg_testcli (stack, 0, "accept %s --actor unit:320602001-zhujian", case3));
    free (cg_testcli (stack, 0, "resolve %s --result 已划线 --actor unit:320602001-zhujian", case3));
    free (cg_testcli (stack, 0, "close %s", case3));
    s_await_task (stack, tid, "state", "closed");
    cg_testcli_says (stack, 0, "done", "topic publish %s result_published --text 已完成", id);
    cr_assert_eq (s_journal (stack, "topic.task", NULL), 2 + 1 + 1 + 1 + 1 + 1 + 1 + 1);
    free (case1);
    free (case2);
    cg_teststack_down (&stack);
    unlink (catalog);
}

Test (consultation_tasks, published_texts_are_public_and_nothing_else_of_the_topic_is,
      .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char id[32];
    s_adopted_topic (stack, id, "other");
    /*  decided is not published: the public sees nothing yet */
    cg_testcli_says (stack, 1, "published nothing", "topic public %s", id);
    cg_testcli_says (stack, 0, "0 topics published", "topic public --scope %s", S_COMMUNITY);
    free (cg_testcli (stack, 0, "topic publish %s resolution_published --text "
                      "'议定：夜间临时停车限两小时。'", id));
    char *out = cg_testcli (stack, 0, "topic public %s --json", id);
    cr_assert (strstr (out, "夜间临时停车限两小时") && strstr (out, "resolution_published")
               && strstr (out, "小区停车管理"), "%s", out);
    /*  the description, rosters, ballots and tasks stay inside */
    cr_assert (!strstr (out, "内部讨论") && !strstr (out, "a1") && !strstr (out, "ballot")
               && !strstr (out, "members"), "%s", out);
    free (out);
    /*  the community, its town, its county and the city list it; a
        neighbouring town does not */
    const char *places[] = { S_COMMUNITY, "320602001", "320602", "320600" };
    for (int i = 0; i < 4; i++) {
        out = cg_testcli (stack, 0, "topic public --scope %s", places[i]);
        cr_assert (strstr (out, "1 topics published") && strstr (out, id)
                   && !strstr (out, "夜间临时停车"), "%s: %s", places[i], out);
        free (out);
    }
    cg_testcli_says (stack, 0, "0 topics published", "topic public --scope 320602002");
    cg_testcli_says (stack, 1, "(invalid: scope)", "topic public --scope 999999");
    /*  published is immutable */
    cg_testcli_says (stack, 1, "immutable", "topic publish %s resolution_published --text 改", id);
    cg_testcli_says (stack, 0, "夜间临时停车限两小时", "topic public %s", id);
    free (cg_testcli (stack, 0, "topic publish %s result_published --text '已施划停车位。'", id));
    out = cg_testcli (stack, 0, "topic public %s", id);
    cr_assert (strstr (out, "夜间临时停车限两小时") && strstr (out, "已施划停车位"), "%s", out);
    free (out);
    cg_testcli_says (stack, 0, "1 topics published", "topic public");
    cr_assert_eq (s_journal (stack, "topic.published", NULL), 2);
    cg_teststack_down (&stack);
}
