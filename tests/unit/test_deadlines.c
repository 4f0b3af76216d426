/*  test_deadlines - dispatch's deadlines and timers (services/dispatch/
    deadlines.c) as functions of the case, its category, the calendar and
    the time, with no Redis: the catalog's limits in working time, the
    urgent limits, the hotline's own time limit, the 80% warnings, which
    timer comes next in each state, and the flag on a deadline past the
    calendar's end (issue 16, bug 7). */
#include "deadlines.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include "cg_testfile.h"
#include <stdlib.h>

static dispatch_rules_t cases;
static cg_catalog_t *catalog;

/*  Monday 2026-11-23 09:00 China time */
#define S_MONDAY_9  INT64_C (1795395600000)
#define S_HOUR      INT64_C (3600000)

static void
s_load (void)
{
    char err[512] = "";
    char *path = cg_testfile_demo ("calendar.tsv");
    cases.calendar = cg_calendar_load (path, err, sizeof err);
    free (path);
    cr_assert (cases.calendar, "%s", err);
    path = cg_testfile_demo ("catalog.tsv");
    catalog = cg_catalog_load (path, err, sizeof err);
    free (path);
    cr_assert (catalog, "%s", err);
    cases.urgent_sign_min = 30;
    cases.urgent_done_min = 240;
}

static void
s_unload (void)
{
    cg_calendar_destroy (&cases.calendar);
    cg_catalog_destroy (&catalog);
}

TestSuite (deadlines, .init = s_load, .fini = s_unload);

Test (deadlines, a_complaint_has_two_working_hours_to_sign_and_thirteen_days_to_finish)
{
    cg_case_view_t c = { .state = "dispatched" };
    deadlines_arm (&cases, cg_catalog_find (catalog, "noise"), S_MONDAY_9, &c);
    cr_assert_eq (c.sign_by, S_MONDAY_9 + 2 * S_HOUR);
    cr_assert_eq (c.sign_warn, S_MONDAY_9 + 96 * 60000, "80% of 120 working minutes");
    cr_assert_eq (c.done_by, cg_calendar_add_minutes (cases.calendar, S_MONDAY_9, 6240));
    cr_assert_eq (c.alerts, 0);
    /*  the next timer: the sign-for warning, then the sign-for limit */
    deadline_timer_t t;
    cr_assert (deadlines_next_timer (&c, &t));
    cr_assert_str_eq (t.kind, "sign_warn");
    c.alerts |= CG_ALERT_SIGN_WARN;
    cr_assert (deadlines_next_timer (&c, &t));
    cr_assert_str_eq (t.kind, "sign_over");
    cr_assert_eq (deadlines_next_due (&c), c.sign_by);
    /*  signed for: only the completion timers */
    c.state = "accepted";
    cr_assert (deadlines_next_timer (&c, &t));
    cr_assert_str_eq (t.kind, "done_warn");
    /*  suspended or finished: none */
    c.state = "suspended";
    cr_assert_not (deadlines_next_timer (&c, &t));
    cr_assert_eq (deadlines_next_due (&c), 0);
}

Test (deadlines, an_urgent_case_and_the_hotlines_own_limit_shorten_them)
{
    cg_case_view_t c = { .state = "dispatched", .urgent = true };
    deadlines_arm (&cases, cg_catalog_find (catalog, "noise"), S_MONDAY_9, &c);
    cr_assert_eq (c.sign_by, S_MONDAY_9 + S_HOUR / 2, "30 working minutes when urgent");
    cr_assert_eq (c.done_by, S_MONDAY_9 + 5 * S_HOUR + S_HOUR / 2,
                  "240 working minutes when urgent: 14:30, lunch not counted");
    cg_case_view_t h = { .state = "dispatched", .due = S_MONDAY_9 + 24 * S_HOUR };
    deadlines_arm (&cases, cg_catalog_find (catalog, "noise"), S_MONDAY_9, &h);
    cr_assert_eq (h.done_by, h.due, "never past the hotline's own time limit");
}

Test (deadlines, a_deadline_past_the_calendars_end_is_flagged)
{
    cg_case_view_t c = { .state = "dispatched" };
    /*  Monday 2026-12-21 09:00: thirteen working days run into 2027 */
    deadlines_arm (&cases, cg_catalog_find (catalog, "noise"), S_MONDAY_9 + 28 * CG_DAY_MS, &c);
    cr_assert (c.alerts & CG_ALERT_PAST_CALENDAR);
    c.done_by = S_MONDAY_9;
    c.sign_by = S_MONDAY_9;
    deadlines_flag_past_calendar (&cases, &c);
    cr_assert_not (c.alerts & CG_ALERT_PAST_CALENDAR, "cleared when no deadline runs past");
}
