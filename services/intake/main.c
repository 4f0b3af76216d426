/*  civgrid-intake — the door every request comes in by.

    Each channel has its own command: the 12345 hotline's work orders, grid
    workers' reports, Open311 service requests and device alarms, and the
    channel-neutral case.submit of operators and the consultation service.
    Every one is checked, classified and placed (channels.c, intake.c), then
    made a case or merged into an open one by one Lua call that also
    appends `case.received` or `case.merged` to the intake journal and
    remembers the answer for the request id and the source's own reference
    (submit.c); one call serves every request the command server read in
    one wake-up.  Then the events are published.  device.cancel and
    intake.show answer at once, after that batch.  It also keeps the
    villages' lists of small and micro powers and makes a case of each
    report of a power's misuse (supervision.c).  Callers' names and phones are
    kept sealed and leave intake only masked. */
#include "intake.h"

#define S_RESEAL_MS     50      /* how often a few records are sealed again */

int
main (int argc, char **argv)
{
    cg_daemon_t *daemon = cg_daemon_new ("intake", argc, argv, 0);
    if (!daemon)
        return 1;
    intake_t *intake = intake_new (daemon);
    if (!intake) {
        cg_daemon_destroy (&daemon);
        return 1;
    }
    cg_server_t *server = daemon->server;
    cg_server_set_flush (server, intake_flush, intake);
    cg_server_on_batch (server, &cg_cmd_case_submit, intake_on_submit, intake);
    cg_server_on_batch (server, &cg_cmd_hotline_order, intake_on_hotline, intake);
    cg_server_on_batch (server, &cg_cmd_grid_report, intake_on_grid, intake);
    cg_server_on_batch (server, &cg_cmd_open311_request, intake_on_open311, intake);
    cg_server_on_batch (server, &cg_cmd_device_alarm, intake_on_alarm, intake);
    cg_server_on (server, &cg_cmd_device_cancel, intake_on_cancel, intake);
    cg_server_on (server, &cg_cmd_intake_show, intake_on_get, intake);
    cg_server_on (server, &cg_cmd_caller_fingerprint, intake_on_fingerprint, intake);
    cg_server_on_batch (server, &cg_cmd_power_report, intake_on_power_report, intake);
    cg_server_on (server, &cg_cmd_powers_list, intake_on_powers_list, intake);
    cg_server_on (server, &cg_cmd_powers_areas, intake_on_powers_areas, intake);
    cg_server_on (server, &cg_cmd_powers_show, intake_on_powers_show, intake);
    cg_server_on (server, &cg_cmd_powers_reload, intake_on_reload, intake);
    cg_server_on (server, &cg_cmd_receipt_check, intake_on_receipt, intake);
    if (cg_daemon_follow (daemon, "archive", intake_on_archive, intake)) {
        intake_destroy (&intake);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    zloop_timer (daemon->loop, S_RESEAL_MS, 0, intake_reseal, intake);
    int rc = cg_daemon_run (daemon);
    intake_destroy (&intake);
    cg_daemon_destroy (&daemon);
    return rc;
}
