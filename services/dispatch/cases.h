/*  cases — dispatch's cases: routing from intake, the queues, and (in
    machine.c) the state machine and its timers. */
#ifndef DISPATCH_CASES_H_INCLUDED
#define DISPATCH_CASES_H_INCLUDED

#include "cg_daemon.h"
#include "keys.h"
#include "rules.h"

/*  What the daemon's modules share: the data files and the settings. */
typedef struct _cases_t {
    cg_daemon_t *daemon;
    dispatch_rules_t rules;     /* the data files and the settings the rules read */
    char calendar_path[512];    /* the file it was read from */
    int64_t calendar_checked;   /* when its end was last looked at */
    int grace_min;              /* working minutes overdue before 提级 */
    int hotspot_count;          /* cases of one category in one community ... */
    int hotspot_window_min;     /* ... within this many minutes: a hot spot */
    char cursor_key[128];
    char archive_cursor_key[128];   /* dispatch's cursor on the archive journal */
} cases_t;

cases_t *cases_new (cg_daemon_t *daemon);

/*  (Re)loads the data files (data/orgtree, data/catalog, data/calendar)
    that the configuration file names now, not at start: an edited
    civgrid.cfg takes effect on reload.  The old ones stay in use unless
    all three load and fit together.  A calendar that ends within
    CG_CALENDAR_WARN_DAYS is warned of in the log.
    Returns 0, or -1 with "path:LINE: reason" in err. */
int cases_reload (cases_t *self, char *err, size_t errlen);
void cases_destroy (cases_t **self_p);

/*  Warns in the log, once a day, while the calendar ends within
    CG_CALENDAR_WARN_DAYS (cg_calendar_ends_soon). */
void cases_check_calendar (cases_t *self, int64_t now);

/*  Fills view from the case's hash (and its timeline when with_steps).
    Returns 0, 1 when there is no such case, -1 when Redis failed. */
int cases_load (cases_t *self, const char *id, cg_case_view_t *view, bool with_steps);

/*  Appends msg, encoded, to args. */

cg_feed_fn cases_on_archive;          /* case.archived: the archive holds it; it leaves Redis */
/*  Routes the case.received among events[0..n) and moves dispatch's
    cursor on the intake journal from `cursor` to the last of them.
    Returns 0 when all were applied, 1 when the cursor had moved or only
    some were applied (the feed reads the cursor again), -1 when none
    could be. */
int cases_route (cases_t *self, const cg_event_t *events, size_t n, int64_t cursor);
cg_command_fn cases_on_show;
cg_command_fn cases_on_list;          /* case.list: summaries */
cg_command_fn cases_on_views;         /* case.views: whole cases, for Open311 */
cg_command_fn cases_on_reload;        /* data.reload */
int cases_on_hangup (void *arg);       /* SIGHUP: the same reload (cg_daemon.h) */

#endif
