/*  civgrid-gateway — the HTTP edge of civgrid.

    Open311 GeoReport v2, the 12345 hotline's signed pushes, the operator
    API with scoped tokens, live events and the web console, all turned
    into commands to the daemons that decide (gateway.h).  Its own
    command socket answers ping, like every daemon's, so `civgrid stack up`
    knows it is serving; HTTP runs on libmicrohttpd's threads beside the
    loop.  Configuration, section gateway: http_port, http_address,
    body_max (bytes), rate_address and rate_token (requests a minute),
    stream_max, console (the folder of the console's files), and
    hotline/<id> = <secret> for each hotline that may push orders. */
#include "gateway.h"

static int
s_int (gateway_t *gw, const char *path, int otherwise)
{
    const char *value = cg_daemon_get (gw->daemon, path, NULL);
    return value ? atoi (value) : otherwise;
}

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
    gw.body_max = (size_t) s_int (&gw, "gateway/body_max", 64 * 1024);
    gw.rate_address = s_int (&gw, "gateway/rate_address", 1200);
    gw.rate_token = s_int (&gw, "gateway/rate_token", 600);
    gw.proxies = cg_daemon_get (gw.daemon, "gateway/proxies", "");
    gw.stream_max = s_int (&gw, "gateway/stream_max", 100);
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
    pthread_mutex_init (&gw.lock, NULL);
    gw.idle = zlistx_new ();
    gw.rates = zhashx_new ();
    if (gw_http_start (&gw, cg_daemon_get (gw.daemon, "gateway/http_address", "127.0.0.1"),
                       s_int (&gw, "gateway/http_port", 8311)) == 0) {
        zsys_info ("gateway: HTTP on port %d", s_int (&gw, "gateway/http_port", 8311));
        rc = cg_daemon_run (gw.daemon);
        gw_http_stop (&gw);
    }
    zhashx_destroy (&gw.rates);
    zlistx_destroy (&gw.idle);
    pthread_mutex_destroy (&gw.lock);
done:
    zconfig_destroy (&gw.funds);
    cg_catalog_destroy (&gw.catalog);
    cg_orgtree_destroy (&gw.org);
    cg_daemon_destroy (&gw.daemon);
    return rc;
}
