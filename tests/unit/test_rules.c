/*  test_rules - notification's rules (services/notification/rules.c) as
    functions of their inputs, on the shipped rules and templates, with no
    Redis and no daemon: who each approval and alarm is for, conditions,
    the fallback recipients A|B, and the fields a template reads. */
#include "rules.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include "cg_testenv.h"
#include <stdlib.h>

static rules_t *rules;

static void
s_load (void)
{
    const char *root = cg_test_root ();
    char err[512] = "";
    char *dir = cg_strfmt ("%s/deploy/notify", root);
    rules = rules_load (dir, err, sizeof err);
    free (dir);
    cr_assert (rules, "%s", err);
}

static void
s_unload (void)
{
    rules_destroy (&rules);
}

/*  The recipients of the rules of topic, as their text, joined by " ; ". */
static void
s_who (const char *topic, char *out, size_t len)
{
    *out = 0;
    for (size_t i = 0; i < rules_count (rules); i++) {
        const rule_t *rule = rules_at (rules, i);
        if (streq (rule->topic, topic))
            snprintf (out + strlen (out), len - strlen (out), "%s%s", *out ? " ; " : "",
                      rule->who_text);
    }
}

TestSuite (rules, .init = s_load, .fini = s_unload);

Test (rules, every_approval_waiting_for_someone_has_a_rule)
{
    char who[512];
    s_who ("case.returned", who, sizeof who);
    cr_assert (strstr (who, "role:operator@center"), "%s", who);
    s_who ("case.extension_requested", who, sizeof who);
    cr_assert_str_eq (who, "role:operator@center ; hotline", "the center decides; the 12345 "
                      "system hears of its orders");
    s_who ("fund.approved", who, sizeof who);
    cr_assert_str_eq (who, "people:requester");
    s_who ("fund.expired", who, sizeof who);
    cr_assert_str_eq (who, "people:requester");
    s_who ("fund.report_overdue", who, sizeof who);
    cr_assert_str_eq (who, "people:committee ; role:operator@area^");
    cr_assert (rules_wanted (rules, "fund.rejected"));
}

Test (rules, an_overdue_publication_falls_back_to_the_towns_operators)
{
    for (size_t i = 0; i < rules_count (rules); i++) {
        const rule_t *rule = rules_at (rules, i);
        if (!streq (rule->topic, "topic.publication_overdue"))
            continue;
        cr_assert_eq (rule->who, WHO_ROLE);
        cr_assert_str_eq (rule->who_role, "community");
        cr_assert (rule->otherwise, "no fallback");
        cr_assert_str_eq (rule->otherwise->who_role, "operator");
        cr_assert (rule->otherwise->who_parent, "the town above the community");
        cr_assert (rule->otherwise->urgent, "as urgent as the rule");
        return;
    }
    cr_assert_fail ("no rule for topic.publication_overdue");
}

Test (rules, a_condition_reads_the_case_record)
{
    cg_case_changed_t event = { .id = "CG0000000001", .from = "received", .to = "dispatched",
                                .actor = "dispatch", .at = 1 };
    cg_case_view_t device = { .id = "CG0000000001", .source = "device" };
    cg_case_view_t hotline = { .id = "CG0000000001", .source = "hotline" };
    rule_input_t in = { .def = &cg_case_changed_def, .event = &event, .record = &device };
    bool urgent_seen = false;
    for (size_t i = 0; i < rules_count (rules); i++) {
        const rule_t *rule = rules_at (rules, i);
        if (!streq (rule->topic, "case.cancelled") || !rule->when_field)
            continue;
        in.record = &device;
        cr_assert (rule_applies (rule, &in), "a cancelled alarm reaches the grid worker");
        in.record = &hotline;
        cr_assert_not (rule_applies (rule, &in), "not a hotline order's cancellation");
        urgent_seen = rule->urgent;
    }
    cr_assert (urgent_seen);
}

Test (rules, a_template_renders_the_events_fields)
{
    for (size_t i = 0; i < rules_count (rules); i++) {
        const rule_t *rule = rules_at (rules, i);
        if (!streq (rule->topic, "fund.report_overdue"))
            continue;
        char *committee[] = { "wang.fang" };
        cg_fund_report_overdue_t event = { .fund = "baihe", .month = "2026-12",
                                           .due = INT64_C (1799510400000), .at = 1,
                                           .area = "320602001001", .committee = committee,
                                           .committee_count = 1 };
        rule_input_t in = { .def = &cg_fund_report_overdue_def, .event = &event };
        char text[1024], subject[256];
        rule_render (rule, &in, "zh-CN", text, sizeof text, subject, sizeof subject);
        cr_assert (strstr (text, "baihe") && strstr (text, "2026-12"), "%s", text);
        cr_assert_str_eq (subject, "月度公示逾期 baihe");
        return;
    }
    cr_assert_fail ("no rule for fund.report_overdue");
}
