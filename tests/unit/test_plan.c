/*  test_plan - what each of dispatch's actions does to a case
    (services/dispatch/plan.c) as a function of the action, the request,
    the case, the case a merge joins, the demo's org tree, catalog and
    calendar and the time, with no Redis and no daemon (issue 16): the
    states an action starts from, who may take it, the third transfer or
    redo going up a level, a late sign-for ending the sign-for escalation,
    the extension, the suspension's pause, reopening within its window,
    and a merge into another town's case answered as not found. */
#include "plan.h"
#include "deadlines.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include "cg_testfile.h"
#include <stdlib.h>

static dispatch_rules_t rules;

/*  Monday 2026-11-23 09:00 China time */
#define S_MONDAY_9  INT64_C (1795395600000)
#define S_HOUR      INT64_C (3600000)

static void
s_load (void)
{
    char err[512] = "";
    const char *files[] = { "orgtree.tsv", "catalog.tsv", "calendar.tsv" };
    for (int i = 0; i < 3; i++) {
        char *path = cg_testfile_demo (files[i]);
        if (i == 0)
            rules.org = cg_orgtree_load (path, err, sizeof err);
        else
        if (i == 1)
            rules.catalog = cg_catalog_load (path, err, sizeof err);
        else
            rules.calendar = cg_calendar_load (path, err, sizeof err);
        free (path);
        cr_assert (*err == 0, "%s", err);
    }
    rules.urgent_sign_min = 30;
    rules.urgent_done_min = 240;
    rules.reopen_days = 15;
}

static void
s_unload (void)
{
    cg_orgtree_destroy (&rules.org);
    cg_catalog_destroy (&rules.catalog);
    cg_calendar_destroy (&rules.calendar);
}

TestSuite (plan, .init = s_load, .fini = s_unload);

/*  A noise complaint at 和平桥街道, with its environment office since
    Monday 09:00 and the catalog's limits. */
static cg_case_view_t
s_case (const char *state)
{
    cg_case_view_t c = { .id = "C1", .state = (char *) state, .category = "noise",
                         .level = "town", .center = "320602001",
                         .unit = "320602001-huanbao", .contact = "138****5678" };
    deadlines_arm (&rules, cg_catalog_find (rules.catalog, "noise"), S_MONDAY_9, &c);
    return c;
}

static int
s_plan (const char *action, cg_case_act_t req, const cg_case_view_t *c,
        const cg_case_view_t *into, plan_t *plan, int64_t now, cg_error_t *err)
{
    const cg_case_action_t *a = cg_case_action_find (action);
    cr_assert (a, "%s", action);
    *plan = (plan_t) { .actor = req.actor, .note = req.note ? req.note : a->zh };
    req.id = c->id;
    return plan_command (&rules, a, &req, c, into, plan, now, err);
}

static bool
s_counts (const plan_t *plan, const char *metric)
{
    for (int i = 0; i < plan->ncounts; i++)
        if (strcmp (plan->counts[i].metric, metric) == 0)
            return true;
    return false;
}

Test (plan, an_action_starts_only_from_its_states_and_the_refusal_lists_what_may)
{
    cg_case_view_t c = s_case ("resolved");
    plan_t plan;
    cg_error_t err;
    cr_assert_eq (s_plan ("accept", (cg_case_act_t) { .actor = "unit:320602001-huanbao" }, &c,
                          NULL, &plan, S_MONDAY_9, &err), -1);
    cr_assert_str_eq (err.code, "conflict");
    cr_assert_str_eq (err.field, "id");
    cr_assert (strstr (err.message, "case C1 is resolved; accept is not allowed from there "
                       "(allowed: callback, close, note)"), "%s", err.message);
}

Test (plan, only_the_unit_responsible_signs_for_it_and_the_center_above_may_not)
{
    cg_case_view_t c = s_case ("dispatched");
    plan_t plan;
    cg_error_t err;
    cr_assert_eq (s_plan ("accept", (cg_case_act_t) { .actor = "unit:320602002-huanbao" }, &c,
                          NULL, &plan, S_MONDAY_9, &err), -1);
    cr_assert_str_eq (err.code, "forbidden");
    cr_assert (strstr (err.message, "is 320602001-huanbao's, not 320602002-huanbao's"), "%s",
               err.message);
    cr_assert_eq (s_plan ("accept", (cg_case_act_t) { .actor = "center:320602:王" }, &c, NULL,
                          &plan, S_MONDAY_9, &err), -1, "a center does not sign for a unit");
    cr_assert_str_eq (err.message, "a center may not accept a case");
    cr_assert_eq (s_plan ("accept", (cg_case_act_t) { .actor = "system:x" }, &c, NULL, &plan,
                          S_MONDAY_9, &err), -1, "no command may act as the timers");
    cr_assert_str_eq (err.field, "actor");
    cr_assert_eq (s_plan ("accept", (cg_case_act_t) { .actor = "unit:320602001-huanbao" }, &c,
                          NULL, &plan, S_MONDAY_9 + S_HOUR, &err), 0, "%s", err.message);
    cr_assert_str_eq (plan.after.state, "accepted");
    cr_assert (s_counts (&plan, "signed_on_time"));
}

Test (plan, a_late_sign_for_ends_the_sign_for_escalation_and_counts_as_late)
{
    cg_case_view_t c = s_case ("dispatched");
    c.alerts = CG_ALERT_SIGN_WARN | CG_ALERT_SIGN_OVER;
    c.supervised = true;
    c.escalate_at = c.sign_by + S_HOUR;
    plan_t plan;
    cg_error_t err;
    cr_assert_eq (s_plan ("accept", (cg_case_act_t) { .actor = "unit:320602001-huanbao" }, &c,
                          NULL, &plan, c.sign_by + S_HOUR / 2, &err), 0, "%s", err.message);
    cr_assert_eq (plan.after.escalate_at, 0, "the unit that signed keeps it");
    cr_assert (plan.after.supervised, "still supervised (督办)");
    cr_assert (s_counts (&plan, "signed_for"));
    cr_assert_not (s_counts (&plan, "signed_on_time"));
}

Test (plan, the_third_transfer_goes_up_to_the_county_with_fresh_limits)
{
    cg_case_view_t c = s_case ("dispatched");
    c.transfer_count = 2;
    plan_t plan;
    cg_error_t err;
    int64_t now = S_MONDAY_9 + 3 * CG_DAY_MS;
    cr_assert_eq (s_plan ("transfer", (cg_case_act_t) { .actor = "center:320602001:王",
                                                        .unit = "320602001-chengguan" },
                          &c, NULL, &plan, now, &err), 0, "%s", err.message);
    cr_assert_str_eq (plan.after.center, "320602");
    cr_assert_str_eq (plan.after.level, "county");
    cr_assert_str_eq (plan.after.unit, "320602-huanbao", "the catalog's unit at the county");
    cr_assert_str_eq (plan.escalate_reason, "transfer");
    cr_assert_eq (plan.after.transfer_count, 0);
    cr_assert_eq (plan.after.escalations, 1);
    cr_assert (plan.after.sign_by > now, "limits start again at the county");
    /*  a unit of another center is no unit to transfer to */
    c.transfer_count = 0;
    cr_assert_eq (s_plan ("transfer", (cg_case_act_t) { .actor = "center:320602001:王",
                                                        .unit = "320602002-chengguan" },
                          &c, NULL, &plan, now, &err), -1);
    cr_assert_str_eq (err.field, "unit");
}

Test (plan, an_unsatisfied_callback_has_it_redone_and_the_third_redo_goes_up)
{
    cg_case_view_t c = s_case ("resolved");
    plan_t plan;
    cg_error_t err;
    cr_assert_eq (s_plan ("callback", (cg_case_act_t) { .actor = "center:320602001:王",
                                                        .satisfaction = "不满意" },
                          &c, NULL, &plan, S_MONDAY_9 + CG_DAY_MS, &err), 0, "%s",
                  err.message);
    cr_assert_str_eq (plan.after.state, "dispatched");
    cr_assert_str_eq (plan.action, "redo");
    cr_assert_eq (plan.after.redo_count, 1);
    cr_assert (strstr (plan.note, "回访：不满意"), "%s", plan.note);
    cr_assert_null (plan.escalate_reason);
    c.redo_count = 2;
    cr_assert_eq (s_plan ("callback", (cg_case_act_t) { .actor = "center:320602001:王",
                                                        .satisfaction = "3" },
                          &c, NULL, &plan, S_MONDAY_9 + CG_DAY_MS, &err), 0);
    cr_assert_str_eq (plan.escalate_reason, "redo");
    cr_assert_str_eq (plan.after.center, "320602");
    /*  满意 closes it */
    cr_assert_eq (s_plan ("callback", (cg_case_act_t) { .actor = "center:320602001:王",
                                                        .satisfaction = "满意" },
                          &c, NULL, &plan, S_MONDAY_9 + CG_DAY_MS, &err), 0);
    cr_assert_str_eq (plan.after.state, "closed");
    cr_assert_eq (s_plan ("callback", (cg_case_act_t) { .actor = "center:320602001:王",
                                                        .satisfaction = "还行" },
                          &c, NULL, &plan, S_MONDAY_9 + CG_DAY_MS, &err), -1);
    cr_assert_str_eq (err.field, "satisfaction");
}

Test (plan, an_extension_is_asked_before_the_deadline_and_adds_working_minutes)
{
    cg_case_view_t c = s_case ("accepted");
    plan_t plan;
    cg_error_t err;
    char *unit = "unit:320602001-huanbao", *center = "center:320602001:王";
    cr_assert_eq (s_plan ("extend", (cg_case_act_t) { .actor = unit }, &c, NULL, &plan,
                          S_MONDAY_9, &err), -1);
    cr_assert_str_eq (err.field, "minutes");
    cr_assert_eq (s_plan ("extend", (cg_case_act_t) { .actor = unit, .minutes = 480 }, &c,
                          NULL, &plan, c.done_by + 1, &err), -1);
    cr_assert (strstr (err.message, "past its deadline"), "%s", err.message);
    cr_assert_eq (s_plan ("extend", (cg_case_act_t) { .actor = unit, .minutes = 480 }, &c,
                          NULL, &plan, S_MONDAY_9, &err), 0);
    cr_assert_str_eq (plan.after.extension, "pending");
    c = plan.after;
    cr_assert_eq (s_plan ("extend", (cg_case_act_t) { .actor = unit, .minutes = 60 }, &c,
                          NULL, &plan, S_MONDAY_9, &err), -1, "one pending at a time");
    cr_assert_eq (s_plan ("extend_approve", (cg_case_act_t) { .actor = center }, &c, NULL,
                          &plan, S_MONDAY_9, &err), 0, "%s", err.message);
    cr_assert_eq (plan.after.done_by,
                  cg_calendar_add_minutes (rules.calendar, c.done_by, 480));
    cr_assert_str_eq (plan.after.extension, "granted");
}

Test (plan, a_suspension_stops_the_clock_and_resuming_moves_the_deadlines_on)
{
    cg_case_view_t c = s_case ("accepted");
    plan_t plan;
    cg_error_t err;
    char *center = "center:320602001:王";
    cr_assert_eq (s_plan ("suspend", (cg_case_act_t) { .actor = center, .note = "等待产权认定" },
                          &c, NULL, &plan, S_MONDAY_9 + S_HOUR, &err), 0);
    cg_case_view_t s = plan.after;
    cr_assert_str_eq (s.state, "suspended");
    /*  a working day later: the working time left is the same as before */
    int64_t now = S_MONDAY_9 + S_HOUR + CG_DAY_MS;
    cr_assert_eq (s_plan ("resume", (cg_case_act_t) { .actor = center }, &s, NULL, &plan, now,
                          &err), 0, "%s", err.message);
    cr_assert_str_eq (plan.after.state, "accepted");
    cr_assert_eq (cg_calendar_between (rules.calendar, now, plan.after.done_by),
                  cg_calendar_between (rules.calendar, S_MONDAY_9 + S_HOUR, c.done_by));
}

Test (plan, a_citizen_reopens_only_their_own_case_and_only_within_the_window)
{
    cg_case_view_t c = s_case ("closed");
    c.closed_at = S_MONDAY_9;
    plan_t plan;
    cg_error_t err;
    cr_assert_eq (s_plan ("reopen", (cg_case_act_t) { .actor = "citizen:13900001111" }, &c,
                          NULL, &plan, S_MONDAY_9 + CG_DAY_MS, &err), -1);
    cr_assert_str_eq (err.code, "forbidden");
    cr_assert_eq (s_plan ("reopen", (cg_case_act_t) { .actor = "citizen:13812345678" }, &c,
                          NULL, &plan, S_MONDAY_9 + CG_DAY_MS, &err), 0, "%s", err.message);
    cr_assert_str_eq (plan.after.state, "dispatched");
    cr_assert (plan.redispatch);
    cr_assert_eq (s_plan ("reopen", (cg_case_act_t) { .actor = "citizen:13812345678" }, &c,
                          NULL, &plan, S_MONDAY_9 + 16 * CG_DAY_MS, &err), -1);
    cr_assert (strstr (err.message, "more than 15 days ago"), "%s", err.message);
}

Test (plan, a_merge_joins_only_an_open_case_the_actor_may_see)
{
    cg_case_view_t c = s_case ("dispatched");
    cg_case_view_t other_town = s_case ("dispatched");
    other_town.id = "C2";
    other_town.center = "320602002";
    other_town.unit = "320602002-huanbao";
    plan_t plan;
    cg_error_t err;
    char *town = "center:320602001:王";
    cr_assert_eq (s_plan ("merge", (cg_case_act_t) { .actor = town, .into = "C2" }, &c,
                          &other_town, &plan, S_MONDAY_9, &err), -1);
    cr_assert_str_eq (err.code, "not_found", "another town's case is not shown to exist");
    cr_assert_str_eq (err.message, "there is no case C2");
    cr_assert_eq (s_plan ("merge", (cg_case_act_t) { .actor = town, .into = "C3" }, &c, NULL,
                          &plan, S_MONDAY_9, &err), -1);
    cr_assert_str_eq (err.code, "not_found", "the same answer as for a case that exists");
    cg_case_view_t closed = s_case ("closed");
    closed.id = "C4";
    cr_assert_eq (s_plan ("merge", (cg_case_act_t) { .actor = town, .into = "C4" }, &c,
                          &closed, &plan, S_MONDAY_9, &err), -1);
    cr_assert_str_eq (err.field, "into");
    cr_assert_str_eq (err.code, "invalid");
    cg_case_view_t mine = s_case ("accepted");
    mine.id = "C5";
    cr_assert_eq (s_plan ("merge", (cg_case_act_t) { .actor = town, .into = "C5" }, &c, &mine,
                          &plan, S_MONDAY_9, &err), 0, "%s", err.message);
    cr_assert_str_eq (plan.after.state, "merged");
    cr_assert_str_eq (plan.linked, "C5");
    cr_assert_str_eq (plan.linked_state, "accepted", "the case it joins keeps its state");
    /*  the county above sees both towns */
    cr_assert_eq (s_plan ("merge", (cg_case_act_t) { .actor = "center:320602:李", .into = "C2" },
                          &c, &other_town, &plan, S_MONDAY_9, &err), 0, "%s", err.message);
}
