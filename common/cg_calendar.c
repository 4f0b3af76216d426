/*  cg_calendar - the working-time calendar (工作日历)

    The file is read through cg_tsv_t (comments, line length, UTF-8) and
    each line is one record:

        hours    08:30  12:00          a span of business hours (up to 4)
        weekend  sat    sun            the days of the week that are off
        off      2025-10-01  2025-10-08  国庆节、中秋节   holidays, inclusive
        work     2025-09-28  国庆节调休                 a make-up working day

    A day is a count of local days since 1970-01-01, so the weekday is
    arithmetic and the exceptions (holidays and make-up days) are one array
    sorted by day, searched with bsearch.  Working-time arithmetic walks
    day by day over the business-hour spans: a limit of 999999 minutes is
    about 2,100 working days, so a walk is a few thousand steps at most.
*/
#include "cg_calendar.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

#define S_SPANS_MAX     4
#define S_RANGE_MAX     31          //  days in one `off` line
#define S_YEAR_MIN      2000
#define S_YEAR_MAX      2100

typedef struct {
    int64_t day;                    //  Local days since 1970-01-01
    bool working;                   //  work (调休上班) or off (节假日)
    size_t lineno;
} s_exception_t;

struct _cg_calendar_t {
    int64_t span_from [S_SPANS_MAX];    //  ms after local midnight
    int64_t span_to [S_SPANS_MAX];
    int spans;
    bool weekend [7];               //  By weekday, 0 = Sunday
    size_t weekend_line;            //  0 until a weekend line is read
    s_exception_t *exceptions;
    size_t size;
    size_t capacity;
};

static const char *s_weekdays [7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

//  Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
//  days_from_civil).
static int64_t
s_days_from_civil (int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0? y: y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2? -3: 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int64_t
s_local_day (int64_t at)
{
    int64_t local = at + CG_TZ_OFFSET_MS;
    return local >= 0? local / CG_DAY_MS: -((-local + CG_DAY_MS - 1) / CG_DAY_MS);
}

//  The instant of local midnight at the start of day.
static int64_t
s_day_start (int64_t day)
{
    return day * CG_DAY_MS - CG_TZ_OFFSET_MS;
}

//  "YYYY-MM-DD" of a real date between S_YEAR_MIN and S_YEAR_MAX.
static int
s_parse_date (const char *text, int64_t *day)
{
    int y, m, d, n = 0;
    if (strlen (text) != 10 || sscanf (text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return -1;
    if (y < S_YEAR_MIN || y > S_YEAR_MAX || m < 1 || m > 12 || d < 1)
        return -1;
    static const int lengths [12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > lengths [m - 1] || (m == 2 && d == 29 && !leap))
        return -1;
    *day = s_days_from_civil (y, m, d);
    return 0;
}

//  "HH:MM" from 00:00 to 24:00.
static int
s_parse_time (const char *text, int64_t *ms)
{
    int h, m, n = 0;
    if (strlen (text) != 5 || sscanf (text, "%2d:%2d%n", &h, &m, &n) != 2 || n != 5
    ||  h < 0 || m < 0 || m > 59 || h * 60 + m > 24 * 60)
        return -1;
    *ms = (int64_t) (h * 60 + m) * 60000;
    return 0;
}

static int
s_hours (cg_calendar_t *self, cg_tsv_t *tsv, char **fields, int count, char *err, size_t errlen)
{
    if (count != 3)
        return cg_tsv_fail (tsv, err, errlen, "hours takes a start and an end (hours<TAB>08:30<TAB>12:00)");
    if (self->spans == S_SPANS_MAX)
        return cg_tsv_fail (tsv, err, errlen, "at most %d spans of business hours", S_SPANS_MAX);
    int64_t from, to;
    if (s_parse_time (fields [1], &from) || s_parse_time (fields [2], &to))
        return cg_tsv_fail (tsv, err, errlen, "hours must be HH:MM from 00:00 to 24:00, not '%s' '%s'",
                            fields [1], fields [2]);
    if (to <= from)
        return cg_tsv_fail (tsv, err, errlen, "hours end %s is not after their start %s",
                            fields [2], fields [1]);
    if (self->spans && from < self->span_to [self->spans - 1])
        return cg_tsv_fail (tsv, err, errlen,
                            "hours %s-%s overlap or come before the span above them",
                            fields [1], fields [2]);
    self->span_from [self->spans] = from;
    self->span_to [self->spans++] = to;
    return 0;
}

static int
s_weekend (cg_calendar_t *self, cg_tsv_t *tsv, char **fields, int count, char *err, size_t errlen)
{
    if (self->weekend_line)
        return cg_tsv_fail (tsv, err, errlen, "a second weekend line (the first is line %zu)",
                            self->weekend_line);
    if (count < 2)
        return cg_tsv_fail (tsv, err, errlen, "weekend names its days (weekend<TAB>sat<TAB>sun) or -");
    self->weekend_line = cg_tsv_lineno (tsv);
    if (count == 2 && streq (fields [1], "-"))
        return 0;
    for (int index = 1; index < count; index++) {
        int day = 0;
        while (day < 7 && !streq (fields [index], s_weekdays [day]))
            day++;
        if (day == 7)
            return cg_tsv_fail (tsv, err, errlen,
                                "unknown weekday '%s' (expected mon, tue, wed, thu, fri, sat or sun)",
                                fields [index]);
        self->weekend [day] = true;
    }
    for (int day = 0; day < 7; day++)
        if (!self->weekend [day])
            return 0;
    return cg_tsv_fail (tsv, err, errlen, "every day of the week is weekend; nothing would be working time");
}

static int
s_exception (cg_calendar_t *self, cg_tsv_t *tsv, int64_t day, bool working, char *err,
             size_t errlen)
{
    for (size_t index = 0; index < self->size; index++)
        if (self->exceptions [index].day == day) {
            char when [40];
            cg_time_iso (s_day_start (day), when, sizeof when);
            when [10] = 0;
            return cg_tsv_fail (tsv, err, errlen, "%s is already listed (line %zu)", when,
                                self->exceptions [index].lineno);
        }
    if (self->size == self->capacity) {
        self->capacity = self->capacity? self->capacity * 2: 64;
        self->exceptions = cg_realloc (self->exceptions, self->capacity * sizeof (s_exception_t));
    }
    self->exceptions [self->size++] = (s_exception_t) { day, working, cg_tsv_lineno (tsv) };
    return 0;
}

static int
s_off (cg_calendar_t *self, cg_tsv_t *tsv, char **fields, int count, char *err, size_t errlen)
{
    if (count != 4)
        return cg_tsv_fail (tsv, err, errlen,
                            "off takes a first day, a last day and a name (off<TAB>2025-10-01<TAB>2025-10-08<TAB>国庆节)");
    int64_t first, last;
    if (s_parse_date (fields [1], &first) || s_parse_date (fields [2], &last))
        return cg_tsv_fail (tsv, err, errlen, "off days must be real dates YYYY-MM-DD, not '%s' '%s'",
                            fields [1], fields [2]);
    if (last < first || last - first >= S_RANGE_MAX)
        return cg_tsv_fail (tsv, err, errlen, "off %s to %s must run forwards, at most %d days",
                            fields [1], fields [2], S_RANGE_MAX);
    for (int64_t day = first; day <= last; day++)
        if (s_exception (self, tsv, day, false, err, errlen))
            return -1;
    return 0;
}

static int
s_work (cg_calendar_t *self, cg_tsv_t *tsv, char **fields, int count, char *err, size_t errlen)
{
    int64_t day;
    if (count != 3)
        return cg_tsv_fail (tsv, err, errlen, "work takes a day and a name (work<TAB>2025-09-28<TAB>国庆节调休)");
    if (s_parse_date (fields [1], &day))
        return cg_tsv_fail (tsv, err, errlen, "work day must be a real date YYYY-MM-DD, not '%s'",
                            fields [1]);
    return s_exception (self, tsv, day, true, err, errlen);
}

static int
s_compare_days (const void *a, const void *b)
{
    const s_exception_t *left = a, *right = b;
    return (left->day > right->day) - (left->day < right->day);
}

cg_calendar_t *
cg_calendar_load (const char *path, char *err, size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return NULL;
    cg_calendar_t *self = cg_alloc (sizeof (cg_calendar_t));
    int rc;
    char **fields;
    while ((rc = cg_tsv_next (tsv, &fields, err, errlen)) > 0) {
        int count = rc;
        if (streq (fields [0], "hours"))
            rc = s_hours (self, tsv, fields, count, err, errlen);
        else
        if (streq (fields [0], "weekend"))
            rc = s_weekend (self, tsv, fields, count, err, errlen);
        else
        if (streq (fields [0], "off"))
            rc = s_off (self, tsv, fields, count, err, errlen);
        else
        if (streq (fields [0], "work"))
            rc = s_work (self, tsv, fields, count, err, errlen);
        else
            rc = cg_tsv_fail (tsv, err, errlen,
                              "unknown record '%s' (expected hours, weekend, off or work)", fields [0]);
        if (rc)
            break;
    }
    if (rc == 0 && self->spans == 0) {
        cg_errset (err, errlen, "%s: no business hours (add a line: hours<TAB>08:30<TAB>12:00)", path);
        rc = -1;
    }
    cg_tsv_destroy (&tsv);
    if (rc != 0) {
        cg_calendar_destroy (&self);
        return NULL;
    }
    if (self->size)             /* none listed: there is no array to sort */
        qsort (self->exceptions, self->size, sizeof (s_exception_t), s_compare_days);
    return self;
}

int64_t
cg_calendar_ends (cg_calendar_t *self)
{
    if (self->size == 0)
        return 0;
    /*  the year of the last exception, by its local date */
    char iso [40];
    cg_time_iso (self->exceptions [self->size - 1].day * CG_DAY_MS - CG_TZ_OFFSET_MS, iso,
                 sizeof iso);
    int year = atoi (iso);
    return s_days_from_civil (year + 1, 1, 1) * CG_DAY_MS - CG_TZ_OFFSET_MS;
}

bool
cg_calendar_ends_soon (cg_calendar_t *self, int64_t now, char *why, size_t whylen)
{
    int64_t ends = cg_calendar_ends (self);
    if (ends - now >= CG_CALENDAR_WARN_DAYS * CG_DAY_MS)
        return false;
    char day [40];
    cg_time_iso (ends, day, sizeof day);
    day [10] = 0;
    if (ends <= now)
        cg_errset (why, whylen, "the working calendar ended on %s: every weekday since "
                   "counts as working time, holidays included; add the State Council's "
                   "holidays for the year (docs/DATA-FORMATS.md) and reload", day);
    else
        cg_errset (why, whylen, "the working calendar ends on %s, in %lld days: after it "
                   "every weekday counts as working time, holidays included; add the State "
                   "Council's holidays for the next year (docs/DATA-FORMATS.md) and reload",
                   day, (long long) ((ends - now + CG_DAY_MS - 1) / CG_DAY_MS));
    return true;
}

void
cg_calendar_destroy (cg_calendar_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->exceptions);
    free (*self_p);
    *self_p = NULL;
}

static bool
s_working (cg_calendar_t *self, int64_t day)
{
    s_exception_t key = { .day = day };
    const s_exception_t *found = self->size
        ? bsearch (&key, self->exceptions, self->size, sizeof key, s_compare_days): NULL;
    if (found)
        return found->working;
    int weekday = (int) (((day % 7) + 7 + 4) % 7);     //  1970-01-01 was a Thursday
    return !self->weekend [weekday];
}

bool
cg_calendar_working_day (cg_calendar_t *self, int64_t at)
{
    assert (self);
    return s_working (self, s_local_day (at));
}

int64_t
cg_calendar_add (cg_calendar_t *self, int64_t from, int64_t work_ms)
{
    assert (self);
    if (work_ms <= 0)
        return from;
    int64_t day = s_local_day (from);
    int64_t offset = from - s_day_start (day);      //  ms into the day
    //  A week holds at least one working day (s_weekend refuses seven),
    //  and holidays run at most 31 days a line, so this always ends.
    while (true) {
        if (s_working (self, day))
            for (int span = 0; span < self->spans; span++) {
                if (offset >= self->span_to [span])
                    continue;
                int64_t start = offset > self->span_from [span]? offset: self->span_from [span];
                int64_t room = self->span_to [span] - start;
                if (work_ms <= room)
                    return s_day_start (day) + start + work_ms;
                work_ms -= room;
                offset = self->span_to [span];
            }
        day++;
        offset = 0;
    }
}

int64_t
cg_calendar_add_minutes (cg_calendar_t *self, int64_t from, int64_t minutes)
{
    return cg_calendar_add (self, from, minutes * 60000);
}

int64_t
cg_calendar_between (cg_calendar_t *self, int64_t from, int64_t to)
{
    assert (self);
    int64_t total = 0;
    for (int64_t day = s_local_day (from); to > from && s_day_start (day) < to; day++) {
        if (!s_working (self, day))
            continue;
        int64_t base = s_day_start (day);
        for (int span = 0; span < self->spans; span++) {
            int64_t start = base + self->span_from [span];
            int64_t end = base + self->span_to [span];
            if (start < from)
                start = from;
            if (end > to)
                end = to;
            if (end > start)
                total += end - start;
        }
    }
    return total;
}
