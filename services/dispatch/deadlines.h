/*  deadlines — a case's deadlines and timers (预警, 超期督办, 提级): when
    it must be signed for and completed, its warnings at 80%, and which of
    its timers comes next, as functions of the case, its category, the
    working calendar and the time. */
#ifndef DISPATCH_DEADLINES_H_INCLUDED
#define DISPATCH_DEADLINES_H_INCLUDED

#include "rules.h"
#include "cg_msg.h"

/*  Deadlines for a case (re)starting its limits at `now`: the category's,
    no longer than the urgent limits for an urgent case, and never past the
    source's own deadline (`due`) while that lies ahead.  Its alerts start
    over; CG_ALERT_PAST_CALENDAR is set when a deadline runs past the end
    of the working calendar. */
void deadlines_arm (const dispatch_rules_t *rules, const cg_category_t *category, int64_t now,
                    cg_case_view_t *view);

/*  Sets CG_ALERT_PAST_CALENDAR when a deadline of the case runs past the
    calendar's end, where every weekday was counted as a working day (it
    may fall on a holiday the calendar does not know yet); clears it when
    none does. */
void deadlines_flag_past_calendar (const dispatch_rules_t *rules, cg_case_view_t *view);

/*  One timer of a case: sign_warn, sign_over, done_warn, done_over or
    escalate, and when it is due. */
typedef struct {
    const char *kind;
    int64_t due;
} deadline_timer_t;

/*  The first of the case's timers to come due, given its state and the
    alerts it raised already; false when it has none. */
bool deadlines_next_timer (const cg_case_view_t *c, deadline_timer_t *next);

/*  When the next of the case's timers is due, 0 when it has none: the score
    of its one entry in cg:{dispatch}:timers. */
int64_t deadlines_next_due (const cg_case_view_t *view);

#endif
