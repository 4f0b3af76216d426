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
    cg_server_on_batch (server, "case.submit", &cg_case_submit_def, intake_on_submit, intake);
    cg_server_on_batch (server, "hotline.order", &cg_hotline_order_def, intake_on_hotline,
                        intake);
    cg_server_on_batch (server, "grid.report", &cg_grid_report_def, intake_on_grid, intake);
    cg_server_on_batch (server, "open311.request", &cg_open311_request_def, intake_on_open311,
                        intake);
    cg_server_on_batch (server, "device.alarm", &cg_device_alarm_def, intake_on_alarm, intake);
    cg_server_on (server, "device.cancel", &cg_device_cancel_def, intake_on_cancel, intake);
    cg_server_on (server, "intake.show", &cg_intake_get_def, intake_on_get, intake);
    cg_server_on_batch (server, "power.report", &cg_power_report_def, intake_on_power_report,
                        intake);
    cg_server_on (server, "powers.list", &cg_power_query_def, intake_on_powers_list, intake);
    cg_server_on (server, "powers.show", &cg_power_query_def, intake_on_powers_show, intake);
    cg_server_on (server, "data.reload", &cg_data_reload_def, intake_on_reload, intake);
    cg_server_on (server, "receipt.check", &cg_receipt_check_def, intake_on_receipt, intake);
    cg_server_on (server, "caller.fingerprint", &cg_caller_fingerprint_def,
                  intake_on_fingerprint, intake);
    if (cg_daemon_follow (daemon, "archive", intake_on_archive, intake)) {
        intake_destroy (&intake);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    int rc = cg_daemon_run (daemon);
    intake_destroy (&intake);
    cg_daemon_destroy (&daemon);
    return rc;
}
