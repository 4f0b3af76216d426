/*  notification — notification's own figures: deliveries per second to a
    webhook receiver, and the time from event to delivery.

    The bench is the receiver: a thread serving HTTP/1.1 on a free port
    (keep-alive, one poll loop over every connection) that answers 200 to
    each POST and notes when it came.  notification is restarted on a notify
    folder of the bench's own (in the stack's folder): one grid worker per
    grid of the org tree, each with a webhook to the receiver, and one rule,
    case.dispatched → the grid worker of the case's grid, whose text is the
    event's `at` (Unix ms), with rate limits far above the load.

    - Event to delivery: cases offered at a steady rate through intake and
      dispatch as in the end-to-end figures; each delivery's time is its
      arrival (wall clock) minus the `at` of the case.dispatched it tells
      of, so it covers notification alone: the event on the bus, the rule,
      the outbox, the claim and the HTTP POST (ms resolution: `at` is whole
      milliseconds).
    - Deliveries per second: with notification killed, a backlog of
      dispatched cases builds up; notification is started again and the
      rate is the deliveries over the time from the first to the last to
      arrive (catching up on the journal, queueing, claiming and sending,
      many in flight at once).  Over the same catch-up, while the other
      daemons have nothing to do, what one delivery costs Redis (INFO
      commandstats and CPU, store_cost_*): the Lua calls, the commands
      inside and outside them, and the main thread's CPU.
    Before each kill the daemons' peak RSS is sampled (scenario_sample_rss),
    and at the end notification is put back on the stack's own settings. */
#include "bench.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_CONNS     1024
#define S_BUF       16384

typedef struct {
    int fd;
    size_t used;
    char buf[S_BUF];
} s_conn_t;

/*  The receiver: deliveries counted, latencies (ms) noted. */
typedef struct {
    int listener, port;
    volatile bool stop;
    pthread_mutex_t lock;
    int64_t count, first_us, last_us;
    double *latency;
    size_t nlatency, cap;
} s_receiver_t;

static double
s_wall_ms (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (double) ts.tv_sec * 1000 + ts.tv_nsec / 1e6;
}

/*  One whole request at the start of c->buf: note it, answer, keep the rest. */
static bool
s_take_request (s_receiver_t *self, s_conn_t *c)
{
    c->buf[c->used] = 0;
    char *end = strstr (c->buf, "\r\n\r\n");
    if (!end)
        return false;
    char *length = strstr (c->buf, "Content-Length:");     /* as curl writes it */
    size_t head = (size_t) (end + 4 - c->buf);
    size_t body = length && length < end ? (size_t) atol (length + 15) : 0;
    if (c->used < head + body)
        return false;
    char *text = strstr (end + 4, "\"text\":\"");
    double at = text ? atof (text + 8) : 0;
    double now = s_wall_ms ();
    pthread_mutex_lock (&self->lock);
    int64_t us = bench_now_us ();
    if (self->count++ == 0)
        self->first_us = us;
    self->last_us = us;
    if (at > 0 && self->nlatency < self->cap)
        self->latency[self->nlatency++] = now - at;
    pthread_mutex_unlock (&self->lock);
    static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    if (write (c->fd, ok, sizeof ok - 1) < 0)
        c->used = 0;
    memmove (c->buf, c->buf + head + body, c->used - head - body);
    c->used -= head + body;
    return true;
}

static void *
s_receiver_run (void *arg)
{
    s_receiver_t *self = arg;
    static s_conn_t conns[S_CONNS];
    struct pollfd fds[S_CONNS + 1];
    size_t n = 0;
    while (!self->stop) {
        fds[0] = (struct pollfd) { .fd = self->listener, .events = POLLIN };
        for (size_t i = 0; i < n; i++)
            fds[i + 1] = (struct pollfd) { .fd = conns[i].fd, .events = POLLIN };
        if (poll (fds, n + 1, 100) <= 0)
            continue;
        if (fds[0].revents & POLLIN) {
            int fd = accept (self->listener, NULL, NULL);
            if (fd >= 0 && n < S_CONNS)
                conns[n++] = (s_conn_t) { .fd = fd };
            else
            if (fd >= 0)
                close (fd);
        }
        for (size_t i = n; i > 0; i--) {
            s_conn_t *c = &conns[i - 1];
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t got = read (c->fd, c->buf + c->used, S_BUF - 1 - c->used);
            if (got > 0) {
                c->used += (size_t) got;
                while (s_take_request (self, c))
                    ;
            }
            if (got <= 0 || c->used == S_BUF - 1) {
                close (c->fd);
                conns[i - 1] = conns[--n];
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        close (conns[i].fd);
    return NULL;
}

static int
s_receiver_start (s_receiver_t *self, pthread_t *thread)
{
    self->listener = socket (AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt (self->listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    if (bind (self->listener, (struct sockaddr *) &addr, sizeof addr)
        || listen (self->listener, 512)
        || getsockname (self->listener, (struct sockaddr *) &addr, &len)) {
        close (self->listener);
        return -1;
    }
    self->port = ntohs (addr.sin_port);
    pthread_mutex_init (&self->lock, NULL);
    return pthread_create (thread, NULL, s_receiver_run, self);
}

/*  Forgets what came so far. */
static void
s_receiver_reset (s_receiver_t *self)
{
    pthread_mutex_lock (&self->lock);
    self->count = self->first_us = self->last_us = 0;
    self->nlatency = 0;
    pthread_mutex_unlock (&self->lock);
}

static int64_t
s_received (s_receiver_t *self)
{
    pthread_mutex_lock (&self->lock);
    int64_t count = self->count;
    pthread_mutex_unlock (&self->lock);
    return count;
}

/*  The bench's notify folder in the stack's folder; its path in dir. */
static int
s_notify_dir (bench_t *b, int port, char *dir, size_t len)
{
    snprintf (dir, len, "%s/bench-notify", b->dir);
    char command[PATH_MAX * 2];
    snprintf (command, sizeof command, "mkdir -p %s/templates", dir);
    if (system (command))
        return -1;
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s/rules.tsv", dir);
    FILE *f = fopen (path, "w");
    if (!f)
        return -1;
    fprintf (f, "case.dispatched\t-\trole:grid_worker@case.grid\tbench\tnormal\t-\n");
    fclose (f);
    snprintf (path, sizeof path, "%s/templates/bench.zh-CN.txt", dir);
    if (!(f = fopen (path, "w")))
        return -1;
    fprintf (f, "{at}\n");
    fclose (f);
    snprintf (path, sizeof path, "%s/directory.tsv", dir);
    if (!(f = fopen (path, "w")))
        return -1;
    for (size_t i = 0; i < b->ngrids; i++)
        fprintf (f, "bench%zu\tgrid worker %zu\tgrid_worker\t%s\tzh-CN\t"
                 "webhook:http://127.0.0.1:%d/g/%zu\t-\t-\timmediate\n", i, i, b->grids[i],
                 port, i);
    fclose (f);
    snprintf (path, sizeof path, "%s/notify.cfg", dir);
    if (!(f = fopen (path, "w")))
        return -1;
    fprintf (f, "directory = directory.tsv\nchannels\n    timeout_ms = 10000\n"
             "rate\n    per_minute = 1000000\n    burst = 100000\n"
             "    channel_per_second = 1000000\n");
    fclose (f);
    return 0;
}

/*  kill -9 of notification, its peak RSS sampled first. */
static void
s_kill (bench_t *b)
{
    scenario_sample_rss (b);
    pid_t pid = bench_pid_of (b, "notification");
    if (pid > 0 && kill (pid, SIGKILL) == 0)
        for (int i = 0; i < 500 && kill (pid, 0) == 0; i++)
            zclock_sleep (10);
}

/*  notification on data/notify = notify, started in the background by
    `civgrid stack up`; returns that process. */
static pid_t
s_start (bench_t *b, const char *notify)
{
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s/civgrid.cfg", b->dir);
    zconfig_t *config = zconfig_load (path);
    if (!config)
        return -1;
    zconfig_put (config, "data/notify", notify);
    zconfig_save (config, path);
    zconfig_destroy (&config);
    char cli[PATH_MAX];
    snprintf (cli, sizeof cli, "%s/civgrid", b->bindir);
    pid_t pid = fork ();
    if (pid == 0) {
        execl (cli, cli, "stack", "up", "--dir", b->dir, (char *) NULL);
        _exit (127);
    }
    return pid;
}

/*  Waits for want deliveries, or until nothing came for 20 s. */
static void
s_await (s_receiver_t *rx, int64_t want)
{
    int64_t seen = -1, since = bench_now_us ();
    while (!zsys_interrupted) {
        int64_t now = s_received (rx);
        if (now >= want || bench_now_us () - since > 20 * 1000000LL)
            break;
        if (now != seen) {
            seen = now;
            since = bench_now_us ();
        }
        zclock_sleep (5);
    }
}

void
bench_notification (bench_t *b)
{
    printf ("== notification\n");
    s_receiver_t rx = { .cap = 200000 };
    rx.latency = malloc (rx.cap * sizeof (double));
    pthread_t thread;
    char dir[PATH_MAX];
    const char *own = zconfig_get (b->config, "data/notify", "deploy/notify");
    char *original = strdup (own);
    if (!rx.latency || s_receiver_start (&rx, &thread) || s_notify_dir (b, rx.port, dir,
                                                                         sizeof dir)) {
        fprintf (stderr, "civgrid-bench: notification: no receiver\n");
        free (rx.latency);
        free (original);
        return;
    }
    int64_t started = bench_now_us ();
    load_await_cursor (b, "notification", "dispatch");
    s_kill (b);
    waitpid (s_start (b, dir), NULL, 0);

    /*  event to delivery, at a steady load */
    double p50[BENCH_REPEATS], p99[BENCH_REPEATS];
    for (int r = 0; r < BENCH_REPEATS; r++) {
        s_receiver_reset (&rx);
        load_spec_t spec = { .offered = b->quick ? 200 : 500, .seconds = b->quick ? 1 : 3,
                             .clients = 2, .window = 64, .await_dispatch = true };
        load_result_t res;
        load_run (b, &spec, &res);
        s_await (&rx, res.accepted);
        pthread_mutex_lock (&rx.lock);
        qsort (rx.latency, rx.nlatency, sizeof (double), bench_cmp_double);
        p50[r] = bench_quantile (rx.latency, rx.nlatency, 0.5);
        p99[r] = bench_quantile (rx.latency, rx.nlatency, 0.99);
        pthread_mutex_unlock (&rx.lock);
    }
    bench_figure_t f = { .section = "notification", .name = "event to webhook delivery, p50",
                         .unit = "ms", .verdict = -1 };
    bench_spread (p50, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    f.name = "event to webhook delivery, p99";
    bench_spread (p99, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);

    /*  deliveries per second: a backlog, then notification catches up */
    double rate[BENCH_REPEATS], commands[BENCH_REPEATS], calls[BENCH_REPEATS],
           cpu[BENCH_REPEATS];
    for (int r = 0; r < BENCH_REPEATS; r++) {
        s_kill (b);
        s_receiver_reset (&rx);
        load_spec_t spec = { .seconds = 60, .count = b->quick ? 300 : 6000, .clients = 4,
                             .window = 128, .await_dispatch = false };
        load_result_t res;
        load_run (b, &spec, &res);
        load_await_cursor (b, "dispatch", "intake");
        store_cost_begin (b);
        pid_t up = s_start (b, dir);
        s_await (&rx, res.accepted);
        waitpid (up, NULL, 0);
        load_await_cursor (b, "notification", "dispatch");
        pthread_mutex_lock (&rx.lock);
        double seconds = (rx.last_us - rx.first_us) / 1e6;
        rate[r] = seconds > 0 ? (rx.count - 1) / seconds : 0;
        int64_t delivered = rx.count;
        pthread_mutex_unlock (&rx.lock);
        store_cost_t cost;
        store_cost_end (b, delivered, &cost);
        commands[r] = cost.commands_per_case;
        calls[r] = cost.calls_per_case;
        cpu[r] = cost.cpu_us_per_case;
    }
    f = (bench_figure_t) { .section = "notification", .name = "webhook deliveries per second",
                           .unit = "deliveries/s", .verdict = -1 };
    bench_spread (rate, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    f = (bench_figure_t) { .section = "notification", .unit = "per delivery", .verdict = -1,
                           .name = "Redis commands per webhook delivery, catching up" };
    bench_spread (commands, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    f.name = "Redis script calls per webhook delivery, catching up";
    bench_spread (calls, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    f.name = "Redis CPU per webhook delivery, catching up";
    f.unit = "us";
    bench_spread (cpu, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);

    /*  back on the stack's own settings */
    s_kill (b);
    waitpid (s_start (b, original), NULL, 0);
    printf ("notification: %.0f s\n", (bench_now_us () - started) / 1e6);
    rx.stop = true;
    pthread_join (thread, NULL);
    close (rx.listener);
    free (rx.latency);
    free (original);
}
