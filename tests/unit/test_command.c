/*  Batches of commands (common/cg_command.h): a server reads every request
    waiting on its socket, lets batch handlers defer their answers to one
    flush, answers each with its own request id, and flushes before any
    command that answers at once, so that it sees what the batch changed;
    and a command served on a worker thread holds up no other.

    The server is real (a ROUTER, in process, on a zloop); the requests
    are sent before the loop starts, so that they wait on the socket
    together as a busy daemon's would. */
#include <criterion/criterion.h>
#include "cg_testenv.h"
#include "cg_text.h"

/*  The test server's own commands, as proto's table would define them. */
static const cg_cmddef_t s_note = { "note", "test", &cg_ping_def, &cg_pong_def, "stores one" };
static const cg_cmddef_t s_count = { "count", "test", &cg_ping_def, &cg_pong_def, "reads" };
static const cg_cmddef_t s_slow = { "slow", "test", &cg_ping_def, &cg_pong_def, "takes long" };

typedef struct {
    cg_reply_t *deferred[64];
    size_t ndeferred;
    int64_t stored;             /* what the flushes "stored" */
    int flushes;
    bool forget_one;            /* a flush that leaves one request unanswered */
} s_store_t;

/*  "note": deferred, to be stored by the flush */
static void
s_on_note (void *request, cg_reply_t *reply, void *arg)
{
    (void) request;
    s_store_t *self = arg;
    self->deferred[self->ndeferred++] = reply;
    cg_reply_defer (reply);
}

/*  "count": answers at once with how many notes are stored */
static void
s_on_count (void *request, cg_reply_t *reply, void *arg)
{
    (void) request;
    s_store_t *self = arg;
    cg_pong_t pong = { .service = "count", .pid = self->flushes, .started = 0 };
    CG_SET (&pong, pong, handled, self->stored);
    cg_reply_ok (reply, &cg_pong_def, &pong);
}

/*  Stores every deferred note at once, answering each with its place. */
static void
s_flush (void *arg)
{
    s_store_t *self = arg;
    self->flushes++;
    for (size_t i = 0; i < self->ndeferred; i++) {
        if (self->forget_one && i == 0)
            continue;
        cg_pong_t pong = { .service = "note", .pid = self->flushes, .started = 0 };
        CG_SET (&pong, pong, handled, ++self->stored);
        cg_reply_ok (self->deferred[i], &cg_pong_def, &pong);
    }
    self->ndeferred = 0;
}

static int
s_stop (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop, (void) timer_id, (void) arg;
    return -1;
}

static void
s_send (zsock_t *dealer, const char *command, const char *rid)
{
    cg_ping_t ping = { .rid = (char *) rid };
    cg_test_send (dealer, command, rid, &cg_ping_def, &ping);
}

/*  Serves what was sent, in one wake-up, and returns the answers by rid:
    status, and the pong's service, pid (the flush it came from) and
    handled. */
typedef struct {
    char rid[16], status[8], service[16];
    int64_t flush, handled;
} s_answer_t;

static size_t
s_serve (s_store_t *store, void (*send) (zsock_t *), s_answer_t *answers, size_t max)
{
    static int servers;
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "inproc://test-command-%d", ++servers);
    cg_server_t *server = cg_server_new ("test", endpoint);
    cr_assert (server);
    cg_server_on_batch (server, &s_note, s_on_note, store);
    cg_server_on (server, &s_count, s_on_count, store);
    cg_server_set_flush (server, s_flush, store);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_rcvtimeo (dealer, 10000);
    cr_assert_eq (zsock_connect (dealer, "%s", endpoint), 0);
    send (dealer);
    zclock_sleep (500);         /* all of them wait on the server's socket */
    zloop_t *loop = zloop_new ();
    cg_server_attach (server, loop);
    zloop_timer (loop, 300, 1, s_stop, NULL);
    zloop_start (loop);
    zloop_destroy (&loop);
    size_t n = 0;
    zpoller_t *poller = zpoller_new (dealer, NULL);
    while (n < max && zpoller_wait (poller, 2000)) {
        zmsg_t *msg = zmsg_recv (dealer);
        cr_assert (msg && zmsg_size (msg) == 3);
        s_answer_t *a = &answers[n++];
        memset (a, 0, sizeof *a);
        char *status = zmsg_popstr (msg), *rid = zmsg_popstr (msg);
        snprintf (a->status, sizeof a->status, "%s", status);
        snprintf (a->rid, sizeof a->rid, "%s", rid);
        free (status);
        free (rid);
        zframe_t *body = zmsg_pop (msg);
        cg_pong_t pong;
        cg_error_t err;
        if (streq (a->status, "ok")
            && cg_msg_decode (&cg_pong_def, zframe_data (body), zframe_size (body), &pong,
                              &err) == 0) {
            snprintf (a->service, sizeof a->service, "%s", pong.service);
            a->flush = pong.pid;
            a->handled = pong.handled;
            cg_msg_clear (&cg_pong_def, &pong);
        }
        zframe_destroy (&body);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&dealer);
    cg_server_destroy (&server);
    return n;
}

static const s_answer_t *
s_find (const s_answer_t *answers, size_t n, const char *rid)
{
    for (size_t i = 0; i < n; i++)
        if (streq (answers[i].rid, rid))
            return &answers[i];
    cr_assert_fail ("no answer to %s", rid);
    return NULL;
}

static void
s_send_mixed (zsock_t *dealer)
{
    s_send (dealer, "note", "n1");
    s_send (dealer, "note", "n2");
    s_send (dealer, "nonsense", "x1");
    s_send (dealer, "note", "n3");
    s_send (dealer, "count", "c1");
    s_send (dealer, "note", "n4");
    s_send (dealer, "note", "n5");
}

Test (command, a_batch_is_flushed_once_and_before_a_command_that_answers_at_once)
{
    s_store_t store = { 0 };
    s_answer_t answers[16];
    size_t n = s_serve (&store, s_send_mixed, answers, 16);
    cr_assert_eq (n, 7, "every request answered once: %zu", n);
    /*  n1 n2 n3 stored by the first flush, before count reads the store */
    for (int i = 1; i <= 3; i++) {
        char rid[8];
        snprintf (rid, sizeof rid, "n%d", i);
        const s_answer_t *a = s_find (answers, n, rid);
        cr_assert_str_eq (a->status, "ok");
        cr_assert_eq (a->flush, 1, "%s in the first flush", rid);
        cr_assert_eq (a->handled, i, "%s stored in order", rid);
    }
    const s_answer_t *count = s_find (answers, n, "c1");
    cr_assert_str_eq (count->service, "count");
    cr_assert_eq (count->handled, 3, "count sees what the batch before it stored");
    /*  n4 n5 in the second, at the end of the wake-up */
    cr_assert_eq (s_find (answers, n, "n4")->flush, 2);
    cr_assert_eq (s_find (answers, n, "n5")->handled, 5);
    cr_assert_str_eq (s_find (answers, n, "x1")->status, "error", "refused at once");
    cr_assert_eq (store.flushes, 2);
}

static void
s_send_two (zsock_t *dealer)
{
    s_send (dealer, "note", "n1");
    s_send (dealer, "note", "n2");
}

Test (command, a_request_the_flush_leaves_unanswered_gets_an_error)
{
    s_store_t store = { .forget_one = true };
    s_answer_t answers[4];
    size_t n = s_serve (&store, s_send_two, answers, 4);
    cr_assert_eq (n, 2);
    cr_assert_str_eq (s_find (answers, n, "n1")->status, "error");
    cr_assert_str_eq (s_find (answers, n, "n2")->status, "ok");
}

/*  The refusal of a request, decoded: its message into buf. */
static void
s_refusal_of (zsock_t *dealer, char *buf, size_t len)
{
    zmsg_t *answer = zmsg_recv (dealer);
    cr_assert (answer, "no answer");
    cr_assert (zframe_streq (zmsg_first (answer), "error"));
    zframe_t *data = zmsg_last (answer);
    cg_refusal_t refusal;
    cg_error_t err;
    cr_assert_eq (cg_msg_decode (&cg_refusal_def, zframe_data (data), zframe_size (data),
                                 &refusal, &err), 0, "the refusal does not decode: %s: %s",
                  err.field, err.message);
    snprintf (buf, len, "%s", refusal.message);
    cg_msg_clear (&cg_refusal_def, &refusal);
    zmsg_destroy (&answer);
}

/*  Issue 16, bug 10: a command name that is not UTF-8, or one cut inside
    a character, was echoed into a refusal that was not UTF-8 itself, which
    no client could decode. */
Test (command, an_unknown_command_is_refused_in_valid_utf8)
{
    cg_server_t *server = cg_server_new ("test", "inproc://test-command-names");
    cr_assert (server);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_rcvtimeo (dealer, 10000);
    cr_assert_eq (zsock_connect (dealer, "inproc://test-command-names"), 0);
    char chinese[128] = "";
    for (int i = 0; i < 30; i++)
        strcat (chinese, "噪");              /* 90 bytes: a cut at 64 splits one */
    const char *names[] = { "\xff\xfe\x01nonsense", chinese, "case.frobnicate" };
    cg_ping_t ping = { .rid = "r" };
    for (size_t i = 0; i < 3; i++)
        cg_test_send (dealer, names[i], "r", &cg_ping_def, &ping);
    zloop_t *loop = zloop_new ();
    cg_server_attach (server, loop);
    zloop_timer (loop, 300, 1, s_stop, NULL);
    zloop_start (loop);
    zloop_destroy (&loop);
    char message[512];
    for (size_t i = 0; i < 3; i++) {
        s_refusal_of (dealer, message, sizeof message);
        cr_assert (cg_utf8_valid (message, strlen (message)), "%s", message);
        cr_assert (strstr (message, "no command"), "%s", message);
    }
    cr_assert (strstr (message, "\"case.frobnicate\""), "a readable name is named: %s", message);
    zsock_destroy (&dealer);
    cg_server_destroy (&server);
}

/* --- workers --------------------------------------------------------------- */

/*  "slow": on the worker's thread, waits until the test opens the gate,
    then answers with the request id it served. */
static void
s_on_slow (void *request, cg_reply_t *reply, void *arg)
{
    (void) request;
    zsock_t **gate = arg;       /* the worker's own, made on first use */
    if (!*gate)
        *gate = zsock_new_pull ("@inproc://test-command-gate");
    assert (*gate);
    char *go = zstr_recv (*gate);
    cg_pong_t pong = { .service = go ? go : "none", .pid = 1, .started = 0 };
    cg_reply_ok (reply, &cg_pong_def, &pong);
    zstr_free (&go);
}

static int
s_on_term (zloop_t *loop, zsock_t *pipe, void *arg)
{
    (void) loop, (void) arg;
    char *command = zstr_recv (pipe);
    zstr_free (&command);
    return -1;
}

/*  A daemon: a server with a worker, on its own loop, until $TERM. */
static void
s_daemon (zsock_t *pipe, void *args)
{
    (void) args;
    zsock_t *gate = NULL;
    cg_server_t *server = cg_server_new ("test", "inproc://test-command-worker");
    assert (server);
    zloop_t *loop = zloop_new ();
    cg_server_attach (server, loop);
    cg_server_on_worker (server, &s_slow, s_on_slow, &gate);
    zloop_reader (loop, pipe, s_on_term, NULL);
    zsock_signal (pipe, 0);
    zloop_start (loop);
    zloop_destroy (&loop);
    cg_server_destroy (&server);    /* ends the worker: then its gate */
    zsock_destroy (&gate);
}

static void
s_expect (zsock_t *dealer, const char *rid, const char *status)
{
    zmsg_t *msg = zmsg_recv (dealer);
    cr_assert (msg, "no answer to %s", rid);
    char *got_status = zmsg_popstr (msg), *got_rid = zmsg_popstr (msg);
    cr_assert_str_eq (got_rid, rid);
    cr_assert_str_eq (got_status, status);
    free (got_status);
    free (got_rid);
    zmsg_destroy (&msg);
}

Test (command, a_worker_s_slow_command_holds_up_no_other)
{
    zactor_t *daemon = zactor_new (s_daemon, NULL);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_rcvtimeo (dealer, 10000);
    cr_assert_eq (zsock_connect (dealer, "inproc://test-command-worker"), 0);
    s_send (dealer, "slow", "s1");
    s_send (dealer, "ping", "p1");
    s_send (dealer, "slow", "s2");
    s_send (dealer, "nonsense", "x1");
    /*  64 wait for the worker; more are refused at once, as busy */
    char rid[16];
    for (int i = 3; i <= 70; i++) {
        snprintf (rid, sizeof rid, "s%d", i);
        s_send (dealer, "slow", rid);
    }
    /*  the worker waits at the gate; the loop answers what is its own */
    s_expect (dealer, "p1", "ok");
    s_expect (dealer, "x1", "error");
    for (int i = 65; i <= 70; i++) {
        snprintf (rid, sizeof rid, "s%d", i);
        s_expect (dealer, rid, "error");
    }
    zsock_t *gate = zsock_new_push (">inproc://test-command-gate");
    for (int i = 1; i <= 64; i++) {
        zstr_send (gate, "go");
        snprintf (rid, sizeof rid, "s%d", i);
        s_expect (dealer, rid, "ok");
    }
    /*  answered, they make room again */
    s_send (dealer, "slow", "s71");
    zstr_send (gate, "go");
    s_expect (dealer, "s71", "ok");
    zsock_destroy (&gate);
    zsock_destroy (&dealer);
    zactor_destroy (&daemon);
}
