/*  deadlines — see deadlines.h.  Functions of the case, its category, the
    working calendar and the time only: dispatch's routing (cases.c), its
    actions and its timers (machine.c) use them, and the unit tests call
    them with no Redis (tests/unit/test_deadlines.c). */
#include "deadlines.h"
#include "cg_calendar.h"

#include <string.h>

void
deadlines_flag_past_calendar (const dispatch_rules_t *self, cg_case_view_t *view)
{
    int64_t ends = cg_calendar_ends (self->calendar);
    if ((view->sign_by && view->sign_by >= ends) || (view->done_by && view->done_by >= ends))
        view->alerts |= CG_ALERT_PAST_CALENDAR;
    else
        view->alerts &= ~CG_ALERT_PAST_CALENDAR;
}

void
deadlines_arm (const dispatch_rules_t *self, const cg_category_t *category, int64_t now,
               cg_case_view_t *view)
{
    int64_t sign = category->sign_limit_min, done = category->complete_limit_min;
    if (view->urgent) {
        /*  紧急: the same day at most, whatever the category allows */
        sign = sign < self->urgent_sign_min ? sign : self->urgent_sign_min;
        done = done < self->urgent_done_min ? done : self->urgent_done_min;
    }
    int64_t sign_ms = sign * 60000, done_ms = done * 60000;
    view->sign_by = cg_calendar_add (self->calendar, now, sign_ms);
    view->done_by = cg_calendar_add (self->calendar, now, done_ms);
    if (view->due > now && view->done_by > view->due) {
        /*  never later than the source's own time limit (the hotline's
            办理时限) while it lies ahead; the warnings keep to 80% of
            the working time left until it */
        view->done_by = view->due;
        done_ms = cg_calendar_between (self->calendar, now, view->due);
        if (view->sign_by > view->due) {
            view->sign_by = view->due;
            sign_ms = done_ms;
        }
    }
    view->sign_warn = cg_calendar_add (self->calendar, now, sign_ms * 4 / 5);     /* 80% */
    view->done_warn = cg_calendar_add (self->calendar, now, done_ms * 4 / 5);
    view->alerts = 0;
    view->escalate_at = 0;
    deadlines_flag_past_calendar (self, view);
}

/*  The timers a case has in its state, given the alerts already raised. */
static int
s_timers (const cg_case_view_t *c, deadline_timer_t *out)
{
    int n = 0;
    bool dispatched = strcmp (c->state, "dispatched") == 0;
    bool running = dispatched || strcmp (c->state, "accepted") == 0;
    if (dispatched && !(c->alerts & CG_ALERT_SIGN_WARN))
        out[n++] = (deadline_timer_t) { "sign_warn", c->sign_warn };
    if (dispatched && !(c->alerts & CG_ALERT_SIGN_OVER))
        out[n++] = (deadline_timer_t) { "sign_over", c->sign_by };
    if (running && !(c->alerts & CG_ALERT_DONE_WARN))
        out[n++] = (deadline_timer_t) { "done_warn", c->done_warn };
    if (running && !(c->alerts & CG_ALERT_DONE_OVER))
        out[n++] = (deadline_timer_t) { "done_over", c->done_by };
    if (running && c->escalate_at)
        out[n++] = (deadline_timer_t) { "escalate", c->escalate_at };
    return n;
}

/*  Timers due at the same time fire in the order of their names, as the
    sorted set kept them when each had an entry of its own. */
bool
deadlines_next_timer (const cg_case_view_t *c, deadline_timer_t *next)
{
    deadline_timer_t timers[5];
    int n = s_timers (c, timers);
    for (int i = 0; i < n; i++)
        if (i == 0 || timers[i].due < next->due
        ||  (timers[i].due == next->due && strcmp (timers[i].kind, next->kind) < 0))
            *next = timers[i];
    return n > 0;
}

int64_t
deadlines_next_due (const cg_case_view_t *view)
{
    deadline_timer_t next;
    return deadlines_next_timer (view, &next) ? next.due : 0;
}
