/*  test_calendar - working-time arithmetic on the shipped calendar (China
    2025-2026) across weekends, public holidays, make-up working days (调休)
    and the ends of business hours, and one broken file per refusal with
    its exact "path:LINE: reason". */
#define _GNU_SOURCE
#include "cg_calendar.h"
#include "cg_clock.h"
#include "cg_testfile.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static cg_calendar_t *calendar;

static void
s_load_demo (void)
{
    char *path = cg_testfile_demo ("calendar.tsv");
    char err [512] = "";
    calendar = cg_calendar_load (path, err, sizeof err);
    cr_assert_not_null (calendar, "%s", err);
    free (path);
}

static void
s_unload (void)
{
    cg_calendar_destroy (&calendar);
}

//  "2025-09-30 17:00" China time as Unix ms.
static int64_t
s_at (const char *text)
{
    struct tm tm = { 0 };
    cr_assert (strptime (text, "%Y-%m-%d %H:%M", &tm), "bad time %s", text);
    return (int64_t) timegm (&tm) * 1000 - CG_TZ_OFFSET_MS;
}

static void
s_deadline (const char *from, int minutes, const char *expected)
{
    int64_t due = cg_calendar_add_minutes (calendar, s_at (from), minutes);
    char got [40], want [40];
    cg_time_iso (due, got, sizeof got);
    cg_time_iso (s_at (expected), want, sizeof want);
    cr_assert_str_eq (got, want, "%s + %d working minutes", from, minutes);
    cr_assert_eq (cg_calendar_between (calendar, s_at (from), due), (int64_t) minutes * 60000,
                  "working time between %s and its deadline", from);
}

TestSuite (calendar, .init = s_load_demo, .fini = s_unload);

/*  Issue 16, bug 7: the shipped calendar ends with 2026, and nothing said
    so; past its end every weekday counts (Spring Festival 2027 too). */
Test (calendar, its_end_is_known_and_warned_of_sixty_days_before)
{
    cr_assert_eq (cg_calendar_ends (calendar), s_at ("2027-01-01 00:00"));
    char why [512] = "";
    cr_assert_not (cg_calendar_ends_soon (calendar, s_at ("2026-11-01 09:00"), why, sizeof why),
                   "%s", why);
    cr_assert (cg_calendar_ends_soon (calendar, s_at ("2026-11-03 09:00"), why, sizeof why));
    cr_assert (strstr (why, "ends on 2027-01-01, in 59 days"), "%s", why);
    cr_assert (cg_calendar_ends_soon (calendar, s_at ("2027-02-10 09:00"), why, sizeof why));
    cr_assert (strstr (why, "ended on 2027-01-01"), "%s", why);
}

Test (calendar, a_deadline_inside_one_span_is_plain_arithmetic)
{
    s_deadline ("2025-11-18 09:00", 120, "2025-11-18 11:00");
}

Test (calendar, a_deadline_that_ends_a_span_falls_at_its_end)
{
    s_deadline ("2025-11-18 16:00", 120, "2025-11-18 18:00");
    s_deadline ("2025-11-18 10:00", 120, "2025-11-18 12:00");
}

Test (calendar, lunch_and_nights_do_not_count)
{
    s_deadline ("2025-11-18 11:00", 120, "2025-11-18 14:30");
    s_deadline ("2025-11-18 17:30", 60, "2025-11-19 09:00");
    s_deadline ("2025-11-18 07:00", 30, "2025-11-18 09:00");
    s_deadline ("2025-11-18 12:30", 30, "2025-11-18 14:00");
}

Test (calendar, a_weekend_is_skipped)
{
    s_deadline ("2025-11-21 17:00", 120, "2025-11-24 09:30");
    s_deadline ("2025-11-22 10:00", 30, "2025-11-24 09:00");
    cr_assert_not (cg_calendar_working_day (calendar, s_at ("2025-11-22 10:00")));
}

Test (calendar, a_public_holiday_is_skipped)
{
    //  国庆节、中秋节 2025: Oct 1 - 8 off, back on Thursday Oct 9
    s_deadline ("2025-09-30 17:00", 120, "2025-10-09 09:30");
    cr_assert_not (cg_calendar_working_day (calendar, s_at ("2025-10-06 10:00")));
    //  元旦 2026 on a Thursday, Jan 1 - 3 off
    s_deadline ("2025-12-31 17:00", 120, "2026-01-04 09:30");
}

Test (calendar, a_make_up_working_day_counts_even_on_a_weekend)
{
    //  Sunday 2025-09-28 and Saturday 2025-10-11 are 调休 working days
    s_deadline ("2025-09-26 17:30", 60, "2025-09-28 09:00");
    cr_assert (cg_calendar_working_day (calendar, s_at ("2025-10-11 10:00")));
    cr_assert_not (cg_calendar_working_day (calendar, s_at ("2025-10-12 10:00")));
    //  Spring Festival 2026: Saturday Feb 14 works, Feb 15 - 23 off
    s_deadline ("2026-02-13 17:00", 480, "2026-02-14 17:00");
    s_deadline ("2026-02-14 17:00", 120, "2026-02-24 09:30");
}

Test (calendar, a_complaint_limit_of_thirteen_working_days)
{
    //  6240 minutes from Monday 2025-09-22 08:30: Sep 22-26, 28, 29, 30
    //  (8 days), Oct 9, 10, 11, 13, 14 (5 more) -> end of Oct 14
    s_deadline ("2025-09-22 08:30", 6240, "2025-10-14 18:00");
}

Test (calendar, working_time_between_two_instants)
{
    cr_assert_eq (cg_calendar_between (calendar, s_at ("2025-11-21 17:00"),
                                       s_at ("2025-11-24 09:30")), 120 * 60000);
    cr_assert_eq (cg_calendar_between (calendar, s_at ("2025-11-24 09:30"),
                                       s_at ("2025-11-21 17:00")), 0);
    cr_assert_eq (cg_calendar_between (calendar, s_at ("2025-10-01 00:00"),
                                       s_at ("2025-10-09 00:00")), 0);
}

/* --- refusals ------------------------------------------------------------- */

static void *
s_load (const char *path, char *err, size_t errlen)
{
    return cg_calendar_load (path, err, errlen);
}

static void
s_refused (const char *content, size_t lineno, const char *reason)
{
    cg_testfile_refused (s_load, content, lineno, reason);
}

#define S_HOURS "hours\t08:30\t12:00\n"

Test (calendar_refusal, an_unknown_record)
{
    s_refused (S_HOURS "holiday\t2025-10-01\n", 2,
               "unknown record 'holiday' (expected hours, weekend, off or work)");
}

Test (calendar_refusal, a_date_that_does_not_exist)
{
    s_refused (S_HOURS "work\t2025-02-29\tx\n", 2,
               "work day must be a real date YYYY-MM-DD, not '2025-02-29'");
}

Test (calendar_refusal, overlapping_hours)
{
    s_refused (S_HOURS "hours\t11:00\t14:00\n", 2,
               "hours 11:00-14:00 overlap or come before the span above them");
}

Test (calendar_refusal, a_day_both_off_and_working)
{
    s_refused (S_HOURS "off\t2025-10-01\t2025-10-08\tx\n# c\nwork\t2025-10-03\ty\n", 4,
               "2025-10-03 is already listed (line 2)");
}

Test (calendar_refusal, a_week_with_no_working_day)
{
    s_refused (S_HOURS "weekend\tmon\ttue\twed\tthu\tfri\tsat\tsun\n", 2,
               "every day of the week is weekend; nothing would be working time");
}

Test (calendar_refusal, a_backward_holiday)
{
    s_refused (S_HOURS "off\t2025-10-08\t2025-10-01\tx\n", 2,
               "off 2025-10-08 to 2025-10-01 must run forwards, at most 31 days");
}

Test (calendar_refusal, no_business_hours)
{
    s_refused ("weekend\tsat\tsun\n", 0,
               "no business hours (add a line: hours<TAB>08:30<TAB>12:00)");
}

/* --- a calendar of hours and weekends alone ------------------------------ */

/*  No public holiday and no make-up day is a calendar too (a region that
    lists none yet): it loads, and a deadline skips the weekend.  Its empty
    list of days was sorted as a null array (undefined; the sanitizer build
    of a daemon died on it; found by fuzz_load_calendar). */
Test (calendar_plain, hours_and_weekends_without_a_listed_day)
{
    char *path = cg_testfile_text ("hours\t09:00\t12:00\nhours\t13:00\t17:00\n"
                                   "weekend\tsat\tsun\n");
    char err [512] = "";
    cg_calendar_t *plain = cg_calendar_load (path, err, sizeof err);
    cg_testfile_remove (&path);
    cr_assert (plain, "%s", err);
    /*  Friday 16:00 + 2 working hours: Monday 10:00 */
    cr_assert_eq (cg_calendar_add (plain, s_at ("2025-11-21 16:00"), 2 * 3600 * INT64_C (1000)),
                  s_at ("2025-11-24 10:00"));
    cg_calendar_destroy (&plain);
}

/*  A line of more fields than any data file has (cg_text.h: 16) is refused
    by line before a loader sees it: the weekend line counted up to all of
    its fields and read past the 16 kept (found by fuzz_load_calendar). */
Test (calendar_refusal, a_line_of_more_fields_than_any_file_has)
{
    s_refused (S_HOURS "weekend\tsat\tsun\tsat\tsun\tsat\tsun\tsat\tsun\tsat\tsun\tsat\tsun\t"
               "sat\tsun\tsat\tsun\tsat\tsun\n", 2, "line has 19 fields; no data file has more "
               "than 16");
}
