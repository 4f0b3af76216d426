/*  civgrid-broker — the event bus.

    Publishers connect PUB sockets to its XSUB (bus/publish), subscribers
    connect SUB sockets to its XPUB (bus/subscribe); it forwards events one
    way and subscriptions the other.  It keeps nothing: a restart loses only
    what was in flight, which subscribers read back from the journals.  It
    answers `ping` at broker/endpoint like every daemon. */
#include "cg_daemon.h"
#include "cg_access.h"

typedef struct {
    zsock_t *xsub, *xpub;
    int64_t forwarded;
} broker_t;

/*  Moves everything waiting on one side to the other, message by message. */
static int
s_forward (zloop_t *loop, zsock_t *from, void *arg)
{
    (void) loop;
    broker_t *self = arg;
    zsock_t *to = from == self->xsub ? self->xpub : self->xsub;
    for (int i = 0; i < 4096 && (zsock_events (from) & ZMQ_POLLIN); i++) {
        zmsg_t *msg = zmsg_recv (from);
        if (!msg)
            break;
        if (from == self->xsub)
            self->forwarded++;
        zmsg_send (&msg, to);
    }
    return 0;
}

static int64_t
s_forwarded (void *arg)
{
    return ((broker_t *) arg)->forwarded;
}

int
main (int argc, char **argv)
{
    cg_daemon_t *daemon = cg_daemon_new ("broker", argc, argv, CG_DAEMON_STATELESS);
    if (!daemon)
        return 1;
    broker_t broker = { 0 };
    const char *in = cg_daemon_get (daemon, "bus/publish", "tcp://127.0.0.1:7401");
    const char *out = cg_daemon_get (daemon, "bus/subscribe", "tcp://127.0.0.1:7402");
    broker.xsub = zsock_new (ZMQ_XSUB);
    broker.xpub = zsock_new (ZMQ_XPUB);
    zsock_set_rcvhwm (broker.xsub, CG_BUS_HWM);
    zsock_set_sndhwm (broker.xpub, CG_BUS_HWM);
    int rc = 1;
    zactor_t *watch_in = NULL, *watch_out = NULL;
    if (cg_access_serve (broker.xsub, in) < 0 || cg_access_serve (broker.xpub, out) < 0
    ||  zsock_bind (broker.xsub, "%s", in) < 0 || zsock_bind (broker.xpub, "%s", out) < 0)
        zsys_error ("broker: cannot bind %s and %s", in, out);
    else {
        zloop_reader (daemon->loop, broker.xsub, s_forward, &broker);
        zloop_reader (daemon->loop, broker.xpub, s_forward, &broker);
        watch_in = cg_access_watch (broker.xsub, in, daemon->loop);
        watch_out = cg_access_watch (broker.xpub, out, daemon->loop);
        cg_server_set_counter (daemon->server, s_forwarded, &broker);
        rc = cg_daemon_run (daemon);
    }
    zactor_destroy (&watch_in);
    zactor_destroy (&watch_out);
    zsock_destroy (&broker.xsub);
    zsock_destroy (&broker.xpub);
    cg_daemon_destroy (&daemon);
    return rc;
}
