/*  transport — the limit ZeroMQ sets: PUSH -> PULL over loopback TCP.

    The messages are what the bus carries: three frames, the topic
    "intake/case.received", a case.received body encoded by the real codec
    from a request like those the load generator sends, and the sequence
    number.  A PULL socket in its own thread (a zactor) counts them from the
    first to the last; the sender pushes as fast as the socket takes them
    for the run's time, then an end marker.  No Redis, no Lua, no daemon:
    the most events per second one socket pair can move on this machine. */
#include "bench.h"

static void
s_puller (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_t *pull = zsock_new (ZMQ_PULL);
    int port = zsock_bind (pull, "tcp://127.0.0.1:*");
    zsock_signal (pipe, 0);
    zsock_send (pipe, "i", port);
    int64_t count = 0, first = 0, last = 0;
    void *sock = zsock_resolve (pull);
    char frame[2048];
    while (!zsys_interrupted) {
        int n = zmq_recv (sock, frame, sizeof frame, 0);
        if (n < 0)
            break;
        if (n == 3 && memcmp (frame, "END", 3) == 0)
            break;
        int more = 1;
        size_t len = sizeof more;
        while (zmq_getsockopt (sock, ZMQ_RCVMORE, &more, &len) == 0 && more)
            zmq_recv (sock, frame, sizeof frame, 0);
        last = bench_now_us ();
        if (!count++)
            first = last;
    }
    zsock_send (pipe, "88", count, last - first);
    zsock_destroy (&pull);
    /*  the actor ends when its pipe says $TERM */
    char *term = zstr_recv (pipe);
    zstr_free (&term);
}

/*  One run: messages per second received. */
static double
s_run (const msgpack_sbuffer *body, double seconds)
{
    zactor_t *puller = zactor_new (s_puller, NULL);
    int port = 0;
    zsock_recv (puller, "i", &port);
    zsock_t *push = zsock_new (ZMQ_PUSH);
    zsock_connect (push, "tcp://127.0.0.1:%d", port);
    void *sock = zsock_resolve (push);
    int64_t until = bench_now_us () + (int64_t) (seconds * 1e6);
    char seq[24];
    for (int64_t i = 1; !zsys_interrupted; i++) {
        if ((i & 1023) == 0 && bench_now_us () >= until)
            break;
        int len = snprintf (seq, sizeof seq, "%lld", (long long) i);
        zmq_send (sock, "intake/case.received", 20, ZMQ_SNDMORE);
        zmq_send (sock, body->data, body->size, ZMQ_SNDMORE);
        zmq_send (sock, seq, len, 0);
    }
    zmq_send (sock, "END", 3, 0);
    int64_t count = 0, span = 0;
    zsock_recv (puller, "88", &count, &span);
    zsock_destroy (&push);
    zactor_destroy (&puller);
    return span > 0 ? count * 1e6 / span : 0;
}

double
transport_run (bench_t *b)
{
    cg_case_received_t event = {
        .id = "CG0000123456", .source = "hotline", .ext_ref = "bench1000-0-123456-4242",
        .category = b->categories[0], .grid = b->grids[0], .contact = "138****8000",
        .text = "B1000 123456789012 小区楼下夜间施工噪声扰民，已持续多日，影响老人和孩子休息，"
                "请相关部门尽快核实处理并回复。",
        .at = 1795000000000 };
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    cg_error_t err;
    if (cg_msg_encode (&cg_case_received_def, &event, &body, &err)) {
        fprintf (stderr, "bench: cannot encode case.received: %s\n", err.message);
        msgpack_sbuffer_destroy (&body);
        return 0;
    }
    double seconds = b->quick ? 1 : 3, rates[BENCH_REPEATS];
    s_run (&body, 0.5);         /* warm-up */
    for (int r = 0; r < BENCH_REPEATS; r++)
        rates[r] = s_run (&body, seconds);
    char name[96];
    snprintf (name, sizeof name, "ZeroMQ PUSH->PULL, %zu-byte case.received", body.size);
    bench_figure_t f = { .section = "transport", .name = name, .unit = "msgs/s",
                         .verdict = -1 };
    bench_spread (rates, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    msgpack_sbuffer_destroy (&body);
    return f.med;
}
