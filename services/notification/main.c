/*  civgrid-notification — the right person hears about it.

    It follows the dispatch journal.  This first cut has one rule and one
    channel: a dispatched case puts a notice in the in-app inbox of the unit
    it went to, recorded as a delivery whose id ("dispatch:SEQ:UNIT") lets
    any receiver drop repeats.  `inbox.list` reads an inbox. */
#include "cg_daemon.h"
#include "inbox.h"

int
main (int argc, char **argv)
{
    cg_daemon_t *daemon = cg_daemon_new ("notification", argc, argv, 0);
    if (!daemon)
        return 1;
    inbox_t *inbox = inbox_new (daemon);
    if (!inbox || cg_daemon_follow (daemon, "dispatch", inbox_on_dispatch, inbox)) {
        inbox_destroy (&inbox);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    cg_server_on (daemon->server, "inbox.list", &cg_inbox_query_def, inbox_on_list, inbox);
    int rc = cg_daemon_run (daemon);
    inbox_destroy (&inbox);
    cg_daemon_destroy (&daemon);
    return rc;
}
