/*  civgrid-dispatch — owns the case from the moment intake accepts it.

    It follows the intake journal: each case.received is routed by the
    catalog and the org tree to a unit, given its deadlines, stored and
    journaled as case.dispatched, in batches, exactly once (cg_bus.h).  It
    answers the commands of the state machine (machine.c: dispatch,
    transfer, accept, return, extend, suspend, resolve, callback, reopen,
    merge, reject, escalate, ...) and the queries of operators (show,
    list), and fires the deadline timers (预警, 督办, 提级).  Statistics
    (stats.c) are rolled up at start where an older store needs it, and
    queried on a worker thread of their own. */
#include "cg_daemon.h"
#include "cases.h"
#include "gauges.h"
#include "machine.h"
#include "stats.h"

/*  intake events handed to machine_follow_intake at once: it pipelines its calls
    over the whole batch (cases.c), so a backlog is worked off with Redis
    kept busy across 4096 events, not drained every 512 */
#define S_INTAKE_BATCH  4096
/*  how often the daily statistics past keeping are looked for (stats.c) */
#define S_TRIM_MS       (600 * 1000)

int
main (int argc, char **argv)
{
    cg_daemon_t *daemon = cg_daemon_new ("dispatch", argc, argv, 0);
    if (!daemon)
        return 1;
    cases_t *cases = cases_new (daemon);
    stats_t *stats = cases && stats_start (daemon) == 0 ? stats_new (daemon) : NULL;
    if (!stats) {
        cases_destroy (&cases);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    if (cg_daemon_follow (daemon, "intake", machine_follow_intake, cases)
    ||  cg_sub_set_batch (daemon->sub, "intake", S_INTAKE_BATCH)
    ||  cg_daemon_follow (daemon, "archive", cases_on_archive, cases)) {
        cg_daemon_destroy (&daemon);
        stats_destroy (&stats);
        cases_destroy (&cases);
        return 1;
    }
    machine_register (cases, daemon->server);
    cg_server_on_worker (daemon->server, &cg_cmd_case_stats, stats_on_query, stats);
    zloop_timer (daemon->loop, S_TRIM_MS, 0, stats_on_trim, daemon);
    zloop_timer (daemon->loop, 1000, 0, stats_on_clock, NULL);
    cg_server_on (daemon->server, &cg_cmd_data_reload, cases_on_reload, cases);
    cg_daemon_on_hangup (daemon, cases_on_hangup, cases);
    cg_server_on_metrics (daemon->server, gauges_on_metrics, cases);
    zloop_timer (daemon->loop, (size_t) cg_daemon_int (daemon, "dispatch/timer_ms"), 0,
                 machine_on_tick, cases);
    cg_server_on (daemon->server, &cg_cmd_case_show, cases_on_show, cases);
    cg_server_on (daemon->server, &cg_cmd_case_list, cases_on_list, cases);
    cg_server_on (daemon->server, &cg_cmd_case_views, cases_on_views, cases);
    int rc = cg_daemon_run (daemon);
    cg_daemon_destroy (&daemon);        /* its server ends the statistics' worker */
    stats_destroy (&stats);
    cases_destroy (&cases);
    return rc;
}
