/*  civgrid-notification — the right person hears about it.

    Event → rule → recipients → template → outbox → channel (notifier.h):
    it follows every journal named in notification/journals, turns events
    into deliveries by the rules in data/notify, and delivers them by the
    in-app inbox, webhook, e-mail, SMS gateway and the 12345 status
    callback, with retries, fallback, dead letters, rate limits, quiet
    hours, digests and acknowledgement of urgent notices.  See
    docs/NOTIFICATION.md. */
#include "notifier.h"

int
main (int argc, char **argv)
{
    cg_daemon_t *daemon = cg_daemon_new ("notification", argc, argv, 0);
    if (!daemon)
        return 1;
    notifier_t *notifier = notifier_new (daemon);
    if (!notifier || events_follow (notifier) || courier_attach (notifier, daemon->loop)) {
        if (notifier)
            courier_detach (notifier);
        notifier_destroy (&notifier);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    commands_register (notifier);
    cg_server_on_metrics (daemon->server, courier_on_metrics, notifier);
    int rc = cg_daemon_run (daemon);
    /*  the courier is main's to stop: notifier.c, which the courier uses,
        does not call back into it */
    courier_detach (notifier);
    notifier_destroy (&notifier);
    cg_daemon_destroy (&daemon);
    return rc;
}
