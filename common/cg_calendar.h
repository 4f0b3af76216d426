/*  cg_calendar - the working-time calendar (工作日历)

    Deadlines in civgrid are counted in working time: a sign-for limit of
    120 minutes given at 17:00 on a Friday before a holiday runs out days
    later, not at 19:00.  The calendar says which days are working days -
    every day but the weekend, except public holidays (法定节假日), plus the
    make-up working days (调休上班) that fall on weekends - and which hours
    of a working day count (上班时间, e.g. 08:30-12:00 and 13:30-18:00).
    It is a data file an administrator extends each November when the State
    Council publishes the next year's schedule; the format is in
    docs/DATA-FORMATS.md and the sample is deploy/demo/calendar.tsv.

    All times are Unix milliseconds UTC; days and hours are China Standard
    Time (cg_clock.h, UTC+8, no daylight saving).  A loaded calendar is
    read-only.
*/
#ifndef CG_CALENDAR_H_INCLUDED
#define CG_CALENDAR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct _cg_calendar_t cg_calendar_t;

//  Load a calendar. NULL, with "path:LINE: reason" in err, if the file
//  cannot be read or breaks any rule; err may be NULL.
cg_calendar_t *cg_calendar_load (const char *path, char *err, size_t errlen);

//  Free the calendar; nulls *self_p, safe to call twice.
void cg_calendar_destroy (cg_calendar_t **self_p);

//  True if the local day that holds the instant `at` is a working day.
bool cg_calendar_working_day (cg_calendar_t *self, int64_t at);

//  The instant at which `work_ms` milliseconds of working time have passed
//  after `from`.  A deadline that uses up a span to its last minute falls
//  at the end of that span (17:30, not 08:30 the next working day); zero
//  work is `from` itself.
int64_t cg_calendar_add (cg_calendar_t *self, int64_t from, int64_t work_ms);

//  The same for a limit in working minutes, as the catalog gives them.
int64_t cg_calendar_add_minutes (cg_calendar_t *self, int64_t from, int64_t minutes);

//  The end of what the calendar knows: local midnight of January 1 after
//  the last year it has any holiday or make-up day of (0 when it has
//  none).  Past it, every weekday counts as a working day.
int64_t cg_calendar_ends (cg_calendar_t *self);

//  A calendar that ends within this many days is warned of.
#define CG_CALENDAR_WARN_DAYS   60

//  True, with the warning in why, when the calendar ends within
//  CG_CALENDAR_WARN_DAYS of now (or has ended): the one sentence the
//  daemon's log and `civgrid stack status` show.
bool cg_calendar_ends_soon (cg_calendar_t *self, int64_t now, char *why, size_t whylen);

//  Milliseconds of working time in [from, to); 0 when to <= from.
int64_t cg_calendar_between (cg_calendar_t *self, int64_t from, int64_t to);

#endif
