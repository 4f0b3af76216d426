/*  civgrid-gateway — the HTTP edge of civgrid.

    Open311 GeoReport v2, the 12345 hotline's signed pushes, the operator
    API with scoped tokens, live events and the web console, all turned
    into commands to the daemons that decide (gateway.h).  Its own
    command socket answers ping, like every daemon's, so `civgrid stack up`
    knows it is serving; HTTP runs on libmicrohttpd's threads beside the
    loop.  Configuration, section gateway: http_port, http_address,
    body_max (bytes), rate_address and rate_token (requests a minute),
    stream_max, console (the folder of the console's files), photo_dir
    (grid workers' photos; DIR/photos of the stack), photo_max (bytes of
    one photo, 8 MiB), photos_max (of one report, 9), open311_url
    (Open311's base URL as clients reach it, when a proxy is in front), and
    hotline/<id> = <secret> for each hotline that may push orders. */
#include "gateway.h"

#define S_AUDIT_TRIM_MS     1000    /* how often the audit log's old end is looked at */

int
main (int argc, char **argv)
{
    gateway_t gw = { 0 };
    gw.daemon = cg_daemon_new ("gateway", argc, argv, 0);
    if (!gw.daemon)
        return 1;
    char err[256];
    gw.org = cg_orgtree_load (cg_daemon_get (gw.daemon, "data/orgtree", "deploy/demo/orgtree.tsv"),
                              err, sizeof err);
    if (gw.org)
        gw.catalog = cg_catalog_load (cg_daemon_get (gw.daemon, "data/catalog",
                                                     "deploy/demo/catalog.tsv"), err, sizeof err);
    int rc = 1;
    if (!gw.org || !gw.catalog
    ||  gw_funds_load (&gw, cg_daemon_get (gw.daemon, "data/funds", "deploy/demo/funds.cfg"),
                       err, sizeof err)) {
        zsys_error ("gateway: %s", err);
        goto done;
    }
    /*  the calendar is dispatch's to count with; the gateway reads where it
        ends, for the console's warning, and goes on without it */
    gw.calendar = cg_calendar_load (cg_daemon_get (gw.daemon, "data/calendar",
                                                   "deploy/demo/calendar.tsv"), err, sizeof err);
    if (!gw.calendar)
        zsys_warning ("gateway: %s", err);
    gw.body_max = (size_t) cg_daemon_int (gw.daemon, "gateway/body_max");
    gw.rate_address = (int) cg_daemon_int (gw.daemon, "gateway/rate_address");
    gw.rate_token = (int) cg_daemon_int (gw.daemon, "gateway/rate_token");
    gw.proxies = cg_daemon_get (gw.daemon, "gateway/proxies", "");
    gw.stream_max = (int) cg_daemon_int (gw.daemon, "gateway/stream_max");
    gw.photo_max = (size_t) cg_daemon_int (gw.daemon, "gateway/photo_max");
    gw.photos_max = (int) cg_daemon_int (gw.daemon, "gateway/photos_max");
    const char *photos = cg_daemon_get (gw.daemon, "gateway/photo_dir", NULL);
    if (photos)
        snprintf (gw.photo_dir, sizeof gw.photo_dir, "%s", photos);
    else
        snprintf (gw.photo_dir, sizeof gw.photo_dir, "%s/photos",
                  cg_daemon_get (gw.daemon, "civgrid/dir", "var"));
    const char *console = cg_daemon_get (gw.daemon, "gateway/console", NULL);
    if (console)
        snprintf (gw.console_dir, sizeof gw.console_dir, "%s", console);
    else {
        /*  beside the org tree's deploy/ folder: the tree's console/ */
        const char *orgtree = cg_daemon_get (gw.daemon, "data/orgtree", "deploy/demo/orgtree.tsv");
        const char *deploy = strstr (orgtree, "deploy/");
        snprintf (gw.console_dir, sizeof gw.console_dir, "%.*sconsole",
                  deploy ? (int) (deploy - orgtree) : 0, orgtree);
    }
    const char *open311 = cg_daemon_get (gw.daemon, "gateway/open311_url", "");
    if (*open311 && strncmp (open311, "https://", 8) && strncmp (open311, "http://", 7)) {
        zsys_error ("gateway: gateway/open311_url \"%s\" is not an http or https URL", open311);
        goto done;
    }
    if (strlen (open311) > sizeof gw.open311_url - 2) {
        zsys_error ("gateway: gateway/open311_url is longer than %zu bytes",
                    sizeof gw.open311_url - 2);
        goto done;
    }
    /*  discovery names the base with its trailing slash */
    snprintf (gw.open311_url, sizeof gw.open311_url, "%s%s", open311,
              *open311 && open311[strlen (open311) - 1] != '/' ? "/" : "");
    pthread_mutex_init (&gw.lock, NULL);
    gw.idle = zlistx_new ();
    gw.rates = zhashx_new ();
    if (gw_http_start (&gw, cg_daemon_get (gw.daemon, "gateway/http_address", "127.0.0.1"),
                       (int) cg_daemon_int (gw.daemon, "gateway/http_port")) == 0) {
        zsys_info ("gateway: HTTP on port %d", (int) cg_daemon_int (gw.daemon,
                                                                   "gateway/http_port"));
        zloop_timer (gw.daemon->loop, S_AUDIT_TRIM_MS, 0, gw_audit_trim, &gw);
        rc = cg_daemon_run (gw.daemon);
        gw_http_stop (&gw);
    }
    zhashx_destroy (&gw.rates);
    zlistx_destroy (&gw.idle);
    pthread_mutex_destroy (&gw.lock);
done:
    zconfig_destroy (&gw.funds);
    cg_calendar_destroy (&gw.calendar);
    cg_catalog_destroy (&gw.catalog);
    cg_orgtree_destroy (&gw.org);
    cg_daemon_destroy (&gw.daemon);
    return rc;
}
