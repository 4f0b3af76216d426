/*  civgrid-intake — the door every request comes in by.

    It takes `case.submit` from any channel, checks it against the org tree
    and the catalog, and makes it a case: one Lua call stores the request,
    remembers (source, ext_ref) so that the hotline's retries return the
    same case, appends `case.received` to the intake journal, and remembers
    the answer for the request id.  Then it publishes the event. */
#include "cg_daemon.h"
#include "submit.h"

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
    cg_server_on (daemon->server, "case.submit", &cg_case_submit_def, intake_on_submit, intake);
    int rc = cg_daemon_run (daemon);
    intake_destroy (&intake);
    cg_daemon_destroy (&daemon);
    return rc;
}
