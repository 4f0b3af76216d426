/*  civgrid-dispatch — owns the case from the moment intake accepts it.

    It follows the intake journal: each case.received is routed by the
    catalog and the org tree to a unit, given its deadlines, stored and
    journaled as case.dispatched, in batches, exactly once (cg_bus.h).  It
    answers the commands of the state machine (machine.c: dispatch,
    transfer, accept, return, extend, suspend, resolve, callback, reopen,
    merge, reject, escalate, ...) and the queries of operators (show,
    list), and fires the deadline timers (预警, 督办, 提级). */
#include "cg_daemon.h"
#include "cases.h"
#include "machine.h"
#include "stats.h"

/*  intake events handed to cases_on_intake at once: it pipelines its calls
    over the whole batch (cases.c), so a backlog is worked off with Redis
    kept busy across 4096 events, not drained every 512 */
#define S_INTAKE_BATCH  4096

int
main (int argc, char **argv)
{
    cg_daemon_t *daemon = cg_daemon_new ("dispatch", argc, argv, 0);
    if (!daemon)
        return 1;
    cases_t *cases = cases_new (daemon);
    if (!cases) {
        cg_daemon_destroy (&daemon);
        return 1;
    }
    if (cg_daemon_follow (daemon, "intake", cases_on_intake, cases)
    ||  cg_sub_set_batch (daemon->sub, "intake", S_INTAKE_BATCH)) {
        cases_destroy (&cases);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    if (cg_daemon_follow (daemon, "archive", cases_on_archive, cases)) {
        cases_destroy (&cases);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    machine_register (cases, daemon->server);
    cg_server_on (daemon->server, "case.stats", &cg_stats_query_def, stats_on_query, cases);
    cg_server_on (daemon->server, "data.reload", &cg_data_reload_def, cases_on_reload, cases);
    zloop_timer (daemon->loop, atoi (cg_daemon_get (daemon, "dispatch/timer_ms", "500")), 0,
                 machine_on_tick, cases);
    cg_server_on (daemon->server, "case.show", &cg_case_get_def, cases_on_show, cases);
    cg_server_on (daemon->server, "case.list", &cg_case_query_def, cases_on_list, cases);
    int rc = cg_daemon_run (daemon);
    cases_destroy (&cases);
    cg_daemon_destroy (&daemon);
    return rc;
}
