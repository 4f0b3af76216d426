/*  load — the load generator: requests in at intake, by any of its
    channels, timed out at dispatch or at intake's own journal.

    load_run forks `clients` submitter processes.  Each has its own DEALER
    to intake and keeps up to `window` requests outstanding (the command
    protocol matches answers by request id, so a DEALER may pipeline):
    case.submit, made here, or a channel's own command (hotline.order,
    grid.report, open311.request, device.alarm), made by bench/intake.c.
    At a fixed offered load a submitter sends request k at start + k /
    rate; when it falls behind it sends at once, but the time a request
    carries is still the time it was due, so a stall on the server side
    shows in the latency instead of slowing the load (no coordinated
    omission).  At offered load 0 it sends whenever the window has room.

    The time a request was due travels in the case itself: its text holds
    the mark "B<run> <due µs>" (case.submit's text begins with it), and the
    parent, subscribed to the bus, reads it back and takes the difference on
    the same monotonic clock.  Timed at dispatch, the mark is the start of
    case.dispatched's summary (dispatch copies the start of the text), and a
    run ends when every accepted case was seen dispatched and notification's
    cursor on the dispatch journal has reached the journal's head, that is
    when every inbox entry is written.  With time_hop the subscriber also
    takes each case.received and times dispatch's own hop, from the arrival
    of case.received to that of case.dispatched, both on its own clock.
    Timed at intake (time_received), the mark is in case.received's text; a
    request that joined an open case makes case.merged instead, recognised
    by its reference ("B<run>-..."), counted but not timed.  That run ends
    when every accepted request was seen on the bus, and then waits,
    untimed, until dispatch and notification have caught up, so that the
    next run starts on a quiet stack.  Throughput is the accepted requests
    over the run's time. */
#include "bench.h"
#include "cg_access.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_DRAIN_US      (20 * 1000000)  /* answers still awaited after the end */
#define S_QUIET_US      (10 * 1000000)  /* no case.dispatched for this long: stop waiting */

typedef struct {
    int64_t sent, accepted, refused, lost;
    int64_t stray;              /* answers to no request outstanding */
    int64_t last_answer_us;
} s_counts_t;

/*  Which of a submitter's requests were answered, by number k: an answer
    is matched to its request by the request id it echoes. */
typedef struct {
    int run, index, pid;
    uint8_t *answered;
    size_t cap;
} s_requests_t;

void
bench_text (const load_request_t *r, char *buf, size_t size)
{
    int n = snprintf (buf, size, "%s ", r->mark);
    uint64_t seed = ((uint64_t) r->run << 48) ^ ((uint64_t) r->index << 40) ^ (uint64_t) r->k;
    if (n > 0 && (size_t) n < size)
        cg_sample_text (seed, buf + n, size - (size_t) n);
}

/*  case.submit, the channel-neutral command */
static const char *
s_make_submit (bench_t *b, const load_request_t *r, msgpack_sbuffer *buf, cg_error_t *err)
{
    char text[BENCH_TEXT_MAX];
    bench_text (r, text, sizeof text);
    cg_case_submit_t req = {
        .rid = (char *) r->rid, .source = "hotline", .ext_ref = (char *) r->ref,
        .category = b->categories[r->k % b->ncategories], .text = text,
        .grid = b->grids[(r->k * 7919 + r->index) % b->ngrids], .contact_phone = "13800138000" };
    return cg_msg_encode (&cg_case_submit_def, &req, buf, err) ? NULL : "case.submit";
}

static void
s_send (bench_t *b, load_make_fn *make, void *sock, int run, int index, int64_t k,
        int64_t due, msgpack_sbuffer *buf)
{
    char rid[64], ref[64], mark[48];
    snprintf (rid, sizeof rid, "b%d-%d-%lld-%d", run, index, (long long) k, (int) getpid ());
    snprintf (ref, sizeof ref, "B%d-%d-%lld-%d", run, index, (long long) k, (int) getpid ());
    snprintf (mark, sizeof mark, "B%d %lld", run, (long long) due);
    load_request_t r = { .run = run, .index = index, .k = k, .due = due, .rid = rid,
                         .ref = ref, .mark = mark };
    cg_error_t err;
    buf->size = 0;
    const char *command = make (b, &r, buf, &err);
    if (!command) {
        fprintf (stderr, "bench: cannot encode a request: %s %s\n", err.field, err.message);
        _exit (2);
    }
    zmq_send (sock, command, strlen (command), ZMQ_SNDMORE);
    zmq_send (sock, rid, strlen (rid), ZMQ_SNDMORE);
    zmq_send (sock, buf->data, buf->size, 0);
}

/*  Reads every answer waiting; each is status | rid | body. */
static void
s_read_answers (void *sock, s_requests_t *reqs, s_counts_t *c, int64_t *outstanding)
{
    char status[16], rid[72];
    while (true) {
        int n = zmq_recv (sock, status, sizeof status, ZMQ_DONTWAIT);
        if (n < 0)
            return;
        int more = 1, rlen = -1;
        size_t len = sizeof more;
        char sink[256];
        if (zmq_getsockopt (sock, ZMQ_RCVMORE, &more, &len) == 0 && more)
            rlen = zmq_recv (sock, rid, sizeof rid - 1, 0);
        while (zmq_getsockopt (sock, ZMQ_RCVMORE, &more, &len) == 0 && more)
            zmq_recv (sock, sink, sizeof sink, 0);
        int run, index, pid;
        long long k;
        if (rlen > 0 && rlen < (int) sizeof rid) {
            rid[rlen] = 0;
            if (sscanf (rid, "b%d-%d-%lld-%d", &run, &index, &k, &pid) != 4)
                k = -1;
        }
        else
            k = -1;
        if (k < 0 || k >= c->sent || run != reqs->run || index != reqs->index
            || pid != reqs->pid || reqs->answered[k]) {
            c->stray++;
            continue;
        }
        reqs->answered[k] = 1;
        if (n == 2 && memcmp (status, "ok", 2) == 0)
            c->accepted++;
        else
            c->refused++;
        (*outstanding)--;
        c->last_answer_us = bench_now_us ();
    }
}

void
load_submitter (bench_t *b, const load_spec_t *spec, int run, int index, int fd, int64_t start)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_sndhwm (dealer, 0);
    zsock_set_rcvhwm (dealer, 0);
    zsock_set_linger (dealer, 0);
    load_make_fn *make = spec->channel ? intake_channel (b, spec->channel) : s_make_submit;
    cg_access_connect (dealer, b->intake);
    if (!make || zsock_connect (dealer, "%s", b->intake))
        _exit (2);
    void *sock = zsock_resolve (dealer);
    double rate = spec->offered / spec->clients;
    int64_t quota = spec->count > 0
        ? (spec->count + spec->clients - 1 - index) / spec->clients : INT64_MAX;
    int64_t end = start + (int64_t) (spec->seconds * 1e6);
    s_counts_t c = { 0 };
    s_requests_t reqs = { .run = run, .index = index, .pid = (int) getpid () };
    int64_t outstanding = 0;
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    while (bench_now_us () < start)
        zclock_sleep (1);
    while (!zsys_interrupted) {
        int64_t now = bench_now_us ();
        bool over = now >= end || c.sent >= quota;
        if (over && (outstanding == 0 || now >= end + S_DRAIN_US))
            break;
        while (!over && outstanding < spec->window && c.sent < quota) {
            int64_t due = rate > 0 ? start + (int64_t) (c.sent * 1e6 / rate) : now;
            if (due > now)
                break;
            if ((size_t) c.sent == reqs.cap) {
                size_t had = reqs.cap;
                reqs.cap = had ? had * 2 : 65536;
                reqs.answered = realloc (reqs.answered, reqs.cap);
                assert (reqs.answered);
                memset (reqs.answered + had, 0, reqs.cap - had);
            }
            s_send (b, make, sock, run, index, c.sent, due, &buf);
            c.sent++;
            outstanding++;
        }
        /*  Sleep until an answer comes or the next request is due, so the
            generator spends as little as it can of the CPU it shares */
        long wait_ms = 100;
        if (!over && outstanding < spec->window && c.sent < quota && rate > 0) {
            int64_t due = start + (int64_t) (c.sent * 1e6 / rate);
            wait_ms = (long) ((due - bench_now_us ()) / 1000);
            wait_ms = wait_ms < 0 ? 0 : wait_ms > 100 ? 100 : wait_ms;
        }
        zmq_pollitem_t item = { sock, 0, ZMQ_POLLIN, 0 };
        zmq_poll (&item, 1, wait_ms);
        s_read_answers (sock, &reqs, &c, &outstanding);
    }
    c.lost = outstanding;
    free (reqs.answered);
    msgpack_sbuffer_destroy (&buf);
    if (write (fd, &c, sizeof c) != sizeof c)
        _exit (3);
    close (fd);
    zsock_destroy (&dealer);
    _exit (0);
}

/* --- the parent: times case.dispatched ------------------------------------ */

typedef struct {
    double *v;
    size_t n, cap;
} s_series_t;

static void
s_series_add (s_series_t *s, double v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 65536;
        s->v = realloc (s->v, s->cap * sizeof (double));
        assert (s->v);
    }
    s->v[s->n++] = v;
}

/*  What the subscriber saw of one run: the time from submission to the
    timed event for every request; with time_hop also when each
    case.received arrived (case id -> µs, as text), case.received ->
    case.dispatched, and the first and last case.dispatched. */
typedef struct {
    s_series_t ms;
    zhash_t *received;
    s_series_t hop_ms;
    int64_t first_us, last_us;
} s_samples_t;

/*  The due time in text's mark "B<run> <due µs>", or -1. */
static int64_t
s_due_of (const char *text, int run)
{
    char mark[24];
    snprintf (mark, sizeof mark, "B%d ", run);
    const char *at = text ? strstr (text, mark) : NULL;
    long long due;
    return at && sscanf (at + strlen (mark), "%lld", &due) == 1 ? due : -1;
}

/*  case.dispatched (its summary), case.received (its text): a sample;
    case.merged of this run (by its reference): counted in merged.  With
    time_hop (s->received), case.received is no sample but the start of
    dispatch's hop, which its case.dispatched ends. */
static void
s_on_event (zmsg_t *msg, int run, int64_t now, s_samples_t *s, int64_t *merged)
{
    zframe_t *topic = zmsg_first (msg), *body = zmsg_next (msg);
    if (!topic || !body)
        return;
    const cg_msgdef_t *def = zframe_streq (topic, "dispatch/case.dispatched")
                             ? &cg_case_dispatched_def
                           : zframe_streq (topic, "intake/case.received") ? &cg_case_received_def
                           : zframe_streq (topic, "intake/case.merged") ? &cg_case_merged_def
                           : NULL;
    union {
        cg_case_dispatched_t dispatched;
        cg_case_received_t received;
        cg_case_merged_t merged;
    } m;
    cg_error_t err;
    if (!def || cg_msg_decode (def, zframe_data (body), zframe_size (body), &m, &err))
        return;
    char ref[24];
    snprintf (ref, sizeof ref, "B%d-", run);
    int64_t due = def == &cg_case_dispatched_def ? s_due_of (m.dispatched.summary, run)
                : def == &cg_case_received_def ? s_due_of (m.received.text, run) : -1;
    if (def == &cg_case_merged_def && m.merged.ext_ref
        && strncmp (m.merged.ext_ref, ref, strlen (ref)) == 0)
        (*merged)++;
    if (due >= 0 && s->received && def == &cg_case_received_def) {
        char at[24];
        snprintf (at, sizeof at, "%lld", (long long) now);
        zhash_update (s->received, m.received.id, at);
    }
    else
    if (due >= 0) {
        s_series_add (&s->ms, (now - due) / 1000.0);
        const char *received = s->received && def == &cg_case_dispatched_def
                             ? zhash_lookup (s->received, m.dispatched.id) : NULL;
        if (received) {
            s_series_add (&s->hop_ms, (now - atoll (received)) / 1000.0);
            zhash_delete (s->received, m.dispatched.id);
        }
        if (!s->first_us)
            s->first_us = now;
        s->last_us = now;
    }
    cg_msg_clear (def, &m);
}

void
load_await_cursor (bench_t *b, const char *consumer, const char *journal)
{
    int64_t head = bench_redis_int (b, 0, "GET cg:{%s}:seq", journal);
    int64_t until = bench_now_us () + 120 * 1000000LL;
    while (bench_now_us () < until && !zsys_interrupted
           && bench_redis_int (b, 0, "GET cg:{%s}:cursor:%s", consumer, journal) < head)
        zclock_sleep (2);
}

int
load_run (bench_t *b, const load_spec_t *spec, load_result_t *out)
{
    static int runs;
    int run = ++runs * 1000 + (int) (getpid () % 1000);
    memset (out, 0, sizeof *out);
    zsock_t *sub = zsock_new (ZMQ_SUB);
    zsock_set_rcvhwm (sub, 0);
    zsock_set_subscribe (sub, spec->time_received ? "intake/" : "dispatch/case.dispatched");
    if (spec->time_hop && !spec->time_received)
        zsock_set_subscribe (sub, "intake/case.received");
    cg_access_connect (sub, b->subscribe);
    if (zsock_connect (sub, "%s", b->subscribe)) {
        zsock_destroy (&sub);
        return -1;
    }
    zclock_sleep (150);         /* the subscription reaches the broker */

    int fds[64];
    pid_t pids[64];
    int clients = spec->clients < 64 ? spec->clients : 64;
    int64_t start = bench_now_us () + 100000;
    fflush (NULL);
    for (int i = 0; i < clients; i++) {
        int pipefd[2];
        if (pipe (pipefd))
            return -1;
        pids[i] = fork ();
        if (pids[i] == 0) {
            /*  A new program, not a forked copy: ZeroMQ's context and its
                threads do not survive fork. */
            close (pipefd[0]);
            prctl (PR_SET_PDEATHSIG, SIGKILL);      /* none outlives the harness */
            char args[8][32];
            snprintf (args[0], 32, "%d", run);
            snprintf (args[1], 32, "%d", i);
            snprintf (args[2], 32, "%d", pipefd[1]);
            snprintf (args[3], 32, "%lld", (long long) start);
            snprintf (args[4], 32, "%.3f", spec->offered);
            snprintf (args[5], 32, "%.3f", spec->seconds);
            snprintf (args[6], 32, "%lld", (long long) spec->count);
            snprintf (args[7], 32, "%d:%d", spec->clients, spec->window);
            execl ("/proc/self/exe", "civgrid-bench", "submit", b->dir, args[0], args[1],
                   args[2], args[3], args[4], args[5], args[6], args[7],
                   spec->channel ? spec->channel : "case.submit", (char *) NULL);
            _exit (127);
        }
        close (pipefd[1]);
        fds[i] = pipefd[0];
    }

    s_samples_t samples = { 0 };
    if (spec->time_hop && !spec->time_received) {
        samples.received = zhash_new ();
        zhash_autofree (samples.received);
    }
    s_counts_t total = { 0 };
    int64_t merged = 0;
    int running = clients;
    int64_t last_event = bench_now_us ();
    while (!zsys_interrupted) {
        if (running > 0)
            for (int i = 0; i < clients; i++)
                if (pids[i] > 0 && waitpid (pids[i], NULL, WNOHANG) == pids[i]) {
                    s_counts_t c = { 0 };
                    if (read (fds[i], &c, sizeof c) != sizeof c)
                        fprintf (stderr, "bench: submitter %d reported nothing\n", i);
                    close (fds[i]);
                    total.sent += c.sent;
                    total.accepted += c.accepted;
                    total.refused += c.refused;
                    total.lost += c.lost;
                    total.stray += c.stray;
                    if (c.last_answer_us > total.last_answer_us)
                        total.last_answer_us = c.last_answer_us;
                    pids[i] = 0;
                    running--;
                }
        bool awaited = spec->await_dispatch || spec->time_received;
        if (running == 0 && (!awaited || (int64_t) samples.ms.n + merged >= total.accepted
                             || bench_now_us () - last_event > S_QUIET_US))
            break;
        zmq_pollitem_t item = { zsock_resolve (sub), 0, ZMQ_POLLIN, 0 };
        if (zmq_poll (&item, 1, 5) <= 0)
            continue;
        for (int i = 0; i < 4096 && (zsock_events (sub) & ZMQ_POLLIN); i++) {
            zmsg_t *msg = zmsg_recv (sub);
            if (!msg)
                break;
            last_event = bench_now_us ();
            s_on_event (msg, run, last_event, &samples, &merged);
            zmsg_destroy (&msg);
        }
    }
    zsock_destroy (&sub);
    int64_t end = total.last_answer_us;
    if (spec->await_dispatch) {
        /*  every inbox entry written */
        load_await_cursor (b, "notification", "dispatch");
        end = bench_now_us ();
    }
    else
    if (spec->time_received) {
        end = last_event > end ? last_event : end;
        load_await_cursor (b, "dispatch", "intake");
        load_await_cursor (b, "notification", "dispatch");
    }
    out->sent = total.sent;
    out->accepted = total.accepted;
    out->refused = total.refused;
    out->lost = total.lost;
    out->stray = total.stray;
    out->seen = (int64_t) samples.ms.n;
    out->merged = merged;
    out->seconds = (end - start) / 1e6;
    out->throughput = out->seconds > 0 ? out->accepted / out->seconds : 0;
    if (samples.ms.n) {
        qsort (samples.ms.v, samples.ms.n, sizeof (double), bench_cmp_double);
        out->p50 = bench_quantile (samples.ms.v, samples.ms.n, 0.50);
        out->p99 = bench_quantile (samples.ms.v, samples.ms.n, 0.99);
        out->p999 = bench_quantile (samples.ms.v, samples.ms.n, 0.999);
    }
    out->hops = (int64_t) samples.hop_ms.n;
    if (samples.hop_ms.n) {
        qsort (samples.hop_ms.v, samples.hop_ms.n, sizeof (double), bench_cmp_double);
        out->hop_p50 = bench_quantile (samples.hop_ms.v, samples.hop_ms.n, 0.50);
        out->hop_p99 = bench_quantile (samples.hop_ms.v, samples.hop_ms.n, 0.99);
    }
    if (samples.last_us > samples.first_us)
        out->dispatch_rate = (samples.ms.n - 1) / ((samples.last_us - samples.first_us) / 1e6);
    free (samples.ms.v);
    free (samples.hop_ms.v);
    zhash_destroy (&samples.received);
    return 0;
}
