/*  scenarios — the end-to-end figures, each repeated and set beside its
    limit and target.

    - sustained: as many cases as several pipelining submitters can push
      for 30 s, with what each case cost Redis over the same runs;
    - ladder: fixed offered loads (1k, 2k, 5k, 10k/s, ...) until the stack
      no longer keeps up (saturation), with latency percentiles at each;
    - growth: on a store emptied for it, filled to 10k, 100k and 1M cases
      through the real intake at full speed (as far as the time budget
      allows), then at each level the same throughput and latency, queue
      queries and statistics over a county and over the city, and Redis
      memory per stored case; then the census of that memory by shape of
      key;
    - durability: the sustained load again, Redis switched between
      `appendfsync everysec` and `always` (the default) run by run, the
      two figures side by side (docs/ARCHITECTURE.md, "Durability");
    - recovery: dispatch killed with kill -9, a backlog left in the intake
      journal, dispatch started again, its catch-up timed;
    - peak RSS of every part, from /proc/<pid>/status VmHWM. */
#define _GNU_SOURCE         /* nftw */
#include "bench.h"
#include "cg_access.h"
#include "cg_clock.h"

#include <ctype.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_COUNTY        "320602"    /* 崇川区 in the demo region */
#define S_CITY          "320600"    /* 南通市 */

static load_point_t s_points[32];
static double s_sustained, s_store_bound;     /* drawn as lines beside the ladder */
static size_t s_npoints;
static growth_point_t s_growth[8];
static size_t s_ngrowth;
static double s_stored_bytes;       /* the census: Redis memory per stored case */

/* --- end to end --------------------------------------------------------- */

static int
s_repeat (bench_t *b, const load_spec_t *spec, load_result_t *runs, int repeats)
{
    for (int r = 0; r < repeats; r++)
        if (load_run (b, spec, &runs[r]))
            return -1;
    return 0;
}

/*  Median, min and max of one member of the runs. */
static void
s_spread_of (const load_result_t *runs, int n, size_t member, double out[3])
{
    double v[16];
    for (int i = 0; i < n; i++)
        v[i] = *(const double *) ((const char *) &runs[i] + member);
    bench_spread (v, n, &out[0], &out[1], &out[2]);
}

static void
s_load_point (const load_result_t *runs, int n, double offered, load_point_t *p)
{
    p->offered = offered;
    s_spread_of (runs, n, offsetof (load_result_t, throughput), p->throughput);
    s_spread_of (runs, n, offsetof (load_result_t, p50), p->p50);
    s_spread_of (runs, n, offsetof (load_result_t, p99), p->p99);
    s_spread_of (runs, n, offsetof (load_result_t, p999), p->p999);
    for (int i = 0; i < n; i++) {
        p->accepted += runs[i].accepted;
        p->seen += runs[i].seen;
        p->refused += runs[i].refused + runs[i].lost;
        p->stray += runs[i].stray;
    }
}

/*  The parts of the stack that work on every case, in the order `civgrid
    stack up` starts them (the archive copies every case for search). */
static const char *s_parts[] = {
    "redis", "broker", "intake", "dispatch", "notification", "archive", NULL };
#define S_NPARTS 6

pid_t
bench_pid_of (bench_t *b, const char *part)
{
    return cg_stack_pid (b->dir, part);
}

double
bench_cpu_us (bench_t *b, const char *part)
{
    double tick = 1e6 / sysconf (_SC_CLK_TCK), us = 0;
    char path[64], line[1024];
    snprintf (path, sizeof path, "/proc/%d/stat", (int) bench_pid_of (b, part));
    FILE *f = fopen (path, "r");
    if (!f)
        return 0;
    if (fgets (line, sizeof line, f)) {
        /*  after "(comm)": state is field 3, utime 14, stime 15 */
        char *at = strrchr (line, ')');
        unsigned long long utime, stime;
        if (at && sscanf (at + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                          &utime, &stime) == 2)
            us = (utime + stime) * tick;
    }
    fclose (f);
    return us;
}

/*  CPU time of each part (user and system, every thread) in µs, and of
    the load generator (this process and its finished submitters) last. */
static void
s_cpu_times (bench_t *b, double us[S_NPARTS + 1])
{
    for (int i = 0; s_parts[i]; i++)
        us[i] = bench_cpu_us (b, s_parts[i]);
    struct rusage self, children;
    getrusage (RUSAGE_SELF, &self);
    getrusage (RUSAGE_CHILDREN, &children);
    us[S_NPARTS] = (self.ru_utime.tv_sec + self.ru_stime.tv_sec
                    + children.ru_utime.tv_sec + children.ru_stime.tv_sec) * 1e6
                 + self.ru_utime.tv_usec + self.ru_stime.tv_usec
                 + children.ru_utime.tv_usec + children.ru_stime.tv_usec;
}

/*  CPU per case of each part over a run; returns what the stack as a whole
    could do with every core of the machine to itself. */
static double
s_cpu_figures (bench_t *b, const double before[], const double after[], int64_t cases)
{
    double stack = 0;
    char name[96];
    for (int i = 0; i <= S_NPARTS; i++) {
        double per = (after[i] - before[i]) / cases;
        if (i < S_NPARTS)
            stack += per;
        snprintf (name, sizeof name, "CPU per case: %s", i < S_NPARTS ? s_parts[i]
                                                                       : "load generator");
        bench_figure_t f = { .section = "cpu", .name = name, .unit = "us", .med = per,
                             .min = per, .max = per, .verdict = -1 };
        bench_figure (b, &f);
    }
    double cores = (double) sysconf (_SC_NPROCESSORS_ONLN);
    double bound = stack > 0 ? cores * 1e6 / stack : 0;
    bench_figure_t f = { .section = "cpu", .name = "CPU bound: cores / stack CPU per case",
                         .unit = "cases/s", .med = bound, .min = bound, .max = bound,
                         .verdict = -1 };
    bench_figure (b, &f);
    return bound;
}

void
scenario_warm_up (bench_t *b)
{
    load_spec_t spec = { .seconds = 30, .count = b->quick ? 1000 : 5000, .clients = 4,
                         .window = 64, .await_dispatch = true };
    load_result_t r;
    load_run (b, &spec, &r);
    printf ("warm-up: %lld cases at %.0f/s\n", (long long) r.accepted, r.throughput);
}

void
scenario_sustained (bench_t *b, const bench_limits_t *limits)
{
    load_spec_t spec = { .seconds = b->quick ? 2 : 30, .clients = 8, .window = 64,
                         .await_dispatch = true };
    load_result_t runs[BENCH_REPEATS];
    double cpu_before[S_NPARTS + 1], cpu_after[S_NPARTS + 1];
    store_cost_begin (b);
    s_cpu_times (b, cpu_before);
    if (s_repeat (b, &spec, runs, BENCH_REPEATS))
        return;
    s_cpu_times (b, cpu_after);
    int64_t cases = 0;
    for (int i = 0; i < BENCH_REPEATS; i++)
        cases += runs[i].accepted;
    store_cost_t cost;
    store_cost_end (b, cases, &cost);
    double cpu_bound = s_cpu_figures (b, cpu_before, cpu_after, cases);

    /*  What Redis could do if it did nothing but civgrid's cases */
    double model = 1 / (cost.calls_per_case / limits->evalsha_rate
                        + cost.commands_per_case / limits->command_rate);
    double measured = cost.cpu_us_per_case > 0 ? 1e6 / cost.cpu_us_per_case : 0;
    bench_figure_t f = { .section = "store", .name = "Redis script calls per case",
                         .unit = "calls", .verdict = -1 };
    f.med = f.min = f.max = cost.calls_per_case;
    bench_figure (b, &f);
    f.name = "Redis commands per case (in scripts too)";
    f.unit = "commands";
    f.med = f.min = f.max = cost.commands_per_case;
    bench_figure (b, &f);
    f.name = "Redis main-thread CPU per case";
    f.unit = "us";
    f.med = f.min = f.max = cost.cpu_us_per_case;
    bench_figure (b, &f);
    f.name = "store bound: pipelined rates / cost per case";
    f.unit = "cases/s";
    f.med = f.min = f.max = model;
    bench_figure (b, &f);
    f.name = "store bound: 1 s / Redis CPU per case";
    f.med = f.min = f.max = measured;
    bench_figure (b, &f);

    load_point_t p = { 0 };
    s_load_point (runs, BENCH_REPEATS, 0, &p);
    s_sustained = p.throughput[0];
    s_store_bound = measured;
    f = (bench_figure_t) {
        .section = "e2e", .name = "sustained cases/s, submit -> inbox written",
        .unit = "cases/s", .med = p.throughput[0], .min = p.throughput[1],
        .max = p.throughput[2], .limit = measured, .limit_name = "store bound (Redis CPU)",
        .target = ">= 50000 and >= 0.5 x bound" };
    f.verdict = f.med >= 50000 && f.med >= 0.5 * measured;
    bench_figure (b, &f);
    f.name = "sustained, beside the CPU bound";
    f.limit = cpu_bound;
    f.limit_name = "cores / stack CPU per case";
    f.target = NULL;
    f.verdict = -1;
    bench_figure (b, &f);
    f.name = "sustained, beside the transport";
    f.limit = limits->transport_rate;
    f.limit_name = "ZeroMQ PUSH->PULL";
    f.target = NULL;
    f.verdict = -1;
    bench_figure (b, &f);
    f = (bench_figure_t) { .section = "e2e", .name = "sustained: p99 submit -> dispatched",
                           .unit = "ms", .med = p.p99[0], .min = p.p99[1], .max = p.p99[2],
                           .verdict = -1 };
    bench_figure (b, &f);
    printf ("sustained: %lld cases accepted, %lld timed at dispatch, %lld refused or "
            "unanswered, %lld answers matching no request\n", (long long) p.accepted,
            (long long) p.seen, (long long) p.refused, (long long) p.stray);
}

/*  Sets Redis's appendfsync at run time (CONFIG SET takes effect at once). */
static int
s_appendfsync (bench_t *b, const char *value)
{
    redisReply *r = cg_redis_command (b->redis, "CONFIG SET appendfsync %s", value);
    int rc = r && r->type == REDIS_REPLY_STATUS ? 0 : -1;
    if (r)
        freeReplyObject (r);
    return rc;
}

void
scenario_fsync (bench_t *b)
{
    redisReply *r = cg_redis_command (b->redis, "CONFIG GET appendfsync");
    char stack_value[16] = "always";
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
        snprintf (stack_value, sizeof stack_value, "%s", cg_reply_str (r->element[1]));
    if (r)
        freeReplyObject (r);
    /*  the two settings alternate run by run, so that a drift of the
        machine (colleagues' jobs, a warmer store) falls on both alike */
    static const char *const values[] = { "everysec", "always" };
    load_spec_t spec = { .seconds = b->quick ? 2 : 20, .clients = 8, .window = 64,
                         .await_dispatch = true };
    load_result_t runs[2][BENCH_REPEATS];
    int failed = 0;
    for (int i = 0; i < BENCH_REPEATS && !failed; i++)
        for (int v = 0; v < 2 && !failed; v++)
            failed = s_appendfsync (b, values[v]) || load_run (b, &spec, &runs[v][i]);
    s_appendfsync (b, stack_value);
    if (failed) {
        printf ("durability: a run failed; no figure\n");
        return;
    }
    load_point_t p[2] = { { 0 } };
    for (int v = 0; v < 2; v++) {
        s_load_point (runs[v], BENCH_REPEATS, 0, &p[v]);
        bench_figure_t f = { .section = "durability", .unit = "cases/s",
                             .med = p[v].throughput[0], .min = p[v].throughput[1],
                             .max = p[v].throughput[2], .verdict = -1 };
        f.name = v ? "sustained cases/s, appendfsync always (default)"
                   : "sustained cases/s, appendfsync everysec";
        if (v) {
            f.limit = p[0].throughput[0];
            f.limit_name = "the same with everysec";
        }
        bench_figure (b, &f);
        f = (bench_figure_t) { .section = "durability", .unit = "ms", .med = p[v].p99[0],
                               .min = p[v].p99[1], .max = p[v].p99[2], .verdict = -1 };
        f.name = v ? "p99 submit -> dispatched, appendfsync always"
                   : "p99 submit -> dispatched, appendfsync everysec";
        bench_figure (b, &f);
    }
}

void
scenario_ladder (bench_t *b)
{
    static const double full[] = { 1000, 2000, 5000, 10000, 20000, 50000, 100000, 0 };
    static const double quick[] = { 1000, 2000, 0 };
    const double *loads = b->quick ? quick : full;
    for (int i = 0; loads[i] > 0 && s_npoints < 16; i++) {
        load_spec_t spec = { .offered = loads[i], .seconds = b->quick ? 1.5 : 6, .clients = 4,
                             .window = 256, .await_dispatch = true };
        load_result_t runs[BENCH_REPEATS];
        if (s_repeat (b, &spec, runs, BENCH_REPEATS))
            return;
        load_point_t *p = &s_points[s_npoints++];
        s_load_point (runs, BENCH_REPEATS, loads[i], p);
        char name[96];
        snprintf (name, sizeof name, "at %.0f/s offered: cases/s", loads[i]);
        bench_figure_t f = { .section = "ladder", .name = name, .unit = "cases/s",
                             .med = p->throughput[0], .min = p->throughput[1],
                             .max = p->throughput[2], .limit = loads[i],
                             .limit_name = "offered", .verdict = -1 };
        bench_figure (b, &f);
        const char *which[] = { "p50", "p99", "p99.9" };
        double *values[] = { p->p50, p->p99, p->p999 };
        for (int q = 0; q < 3; q++) {
            snprintf (name, sizeof name, "at %.0f/s offered: %s submit -> dispatched",
                      loads[i], which[q]);
            f = (bench_figure_t) { .section = "ladder", .name = name, .unit = "ms",
                                   .med = values[q][0], .min = values[q][1],
                                   .max = values[q][2], .verdict = -1 };
            if (loads[i] == 2000 && q == 1) {
                f.target = "< 5 ms";
                f.verdict = f.med < 5;
            }
            bench_figure (b, &f);
        }
        /*  Past saturation the queue only grows: one point there is enough */
        if (p->throughput[0] < 0.9 * loads[i])
            break;
    }
}

/* --- growth --------------------------------------------------------------- */

static int64_t
s_stored (bench_t *b)
{
    return bench_redis_int (b, 0, "ZCARD cg:{dispatch}:q:all");
}

double
bench_query_p99 (bench_t *b, const char *command, const cg_msgdef_t *def, void *query, int n,
                 char *why, size_t whylen)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    zsock_set_rcvtimeo (dealer, 10000);
    cg_access_connect (dealer, b->dispatch);
    zsock_connect (dealer, "%s", b->dispatch);
    double *ms = calloc (n, sizeof *ms);
    assert (ms);
    int done = 0;
    *why = 0;
    /*  With more than one call, one first call opens the connection (its
        CURVE handshake) untimed, so that the figure is the query's own and
        a p99 of 50 calls is not the handshake's; a single call stays a
        first call in every sense (stats.c's cold figures) */
    for (int i = n > 1 ? -1 : 0; i < n && !zsys_interrupted; i++) {
        char rid[48];
        snprintf (rid, sizeof rid, "bq-%d-%d", (int) getpid (), i);
        cg_msg_set (def, query, "rid", rid, strlen (rid));
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        cg_error_t err;
        if (cg_msg_encode (def, query, &body, &err)) {
            snprintf (why, whylen, "%s: %s", err.field, err.message);
            msgpack_sbuffer_destroy (&body);
            break;
        }
        int64_t t0 = bench_now_us ();
        cg_request_send (dealer, command, rid, body.data, body.size);
        msgpack_sbuffer_destroy (&body);
        zmsg_t *answer = zmsg_recv (dealer);
        int64_t t1 = bench_now_us ();
        if (!answer) {
            snprintf (why, whylen, "no answer within 10 s");
            break;
        }
        zframe_t *status = zmsg_first (answer);
        if (!zframe_streq (status, "ok")) {
            zmsg_next (answer);
            zframe_t *data = zmsg_next (answer);
            cg_refusal_t refusal;
            cg_error_t err;
            if (data && cg_msg_decode (&cg_refusal_def, zframe_data (data), zframe_size (data),
                                       &refusal, &err) == 0) {
                snprintf (why, whylen, "%s", refusal.message);
                cg_msg_clear (&cg_refusal_def, &refusal);
            }
            else
                snprintf (why, whylen, "refused");
            zmsg_destroy (&answer);
            break;
        }
        zmsg_destroy (&answer);
        if (i >= 0)
            ms[done++] = (t1 - t0) / 1000.0;
    }
    zsock_destroy (&dealer);
    double p99 = 0;
    if (done == n) {
        qsort (ms, n, sizeof *ms, bench_cmp_double);
        p99 = bench_quantile (ms, n, 0.99);
    }
    free (ms);
    return p99;
}

static void
s_queries (bench_t *b, growth_point_t *g)
{
    int n = b->quick ? 30 : 200;
    char why[256], name[96];
    /*  case.list filters by owning center: the county center's own queue,
        and, with no center, the whole city's */
    const char *scopes[][2] = { { "county", S_COUNTY }, { "city", S_CITY } };
    char today[40];
    cg_time_iso (cg_clock_now (), today, sizeof today);
    today[10] = 0;                      /* YYYY-MM-DD, China time */
    for (int s = 0; s < 2; s++) {
        cg_case_query_t list = { 0 };
        if (s == 0)
            cg_msg_set (&cg_case_query_def, &list, "center", S_COUNTY, strlen (S_COUNTY));
        cg_msg_set (&cg_case_query_def, &list, "state", "dispatched", 10);
        cg_msg_set (&cg_case_query_def, &list, "limit", "50", 2);
        double v = bench_query_p99 (b, "case.list", &cg_case_query_def, &list, n, why,
                                    sizeof why);
        cg_msg_clear (&cg_case_query_def, &list);
        g->list_p99[s] = v;
        snprintf (name, sizeof name, "%lld stored: case.list over the %s, p99",
                  (long long) g->stored, scopes[s][0]);
        bench_figure_t f = { .section = "growth", .name = name, .unit = "ms", .med = v,
                             .min = v, .max = v, .verdict = -1 };
        if (*why)
            printf ("case.list over the %s refused: %s\n", scopes[s][0], why);
        bench_figure (b, &f);
        /*  Statistics of today over the subtree (dispatch's case.stats) */
        cg_stats_query_t stats = { 0 };
        cg_msg_set (&cg_stats_query_def, &stats, "scope", scopes[s][1], strlen (scopes[s][1]));
        cg_msg_set (&cg_stats_query_def, &stats, "from", today, 10);
        cg_msg_set (&cg_stats_query_def, &stats, "to", today, 10);
        v = bench_query_p99 (b, "case.stats", &cg_stats_query_def, &stats, n, why, sizeof why);
        cg_msg_clear (&cg_stats_query_def, &stats);
        g->stats_p99[s] = v;
        if (*why) {
            printf ("statistics over the %s: not available (%s)\n", scopes[s][0], why);
            continue;
        }
        snprintf (name, sizeof name, "%lld stored: stats over the %s, p99",
                  (long long) g->stored, scopes[s][0]);
        f = (bench_figure_t) { .section = "growth", .name = name, .unit = "ms", .med = v,
                               .min = v, .max = v, .verdict = -1 };
        if (s == 1) {
            f.target = "< 50 ms at 1M";
            f.verdict = v < 50;
        }
        bench_figure (b, &f);
    }
}

/*  The time one level's figures take, before the first level has said:
    its runs, their drains and the queries. */
#define S_LEVEL_GUESS_US(quick)     ((quick) ? 8000000LL : 50000000LL)
/*  The least time a fill is given */
#define S_FILL_MIN_US               2000000LL
/*  What the census and the closed cases after growth need */
#define S_CENSUS_US(quick)          ((quick) ? 6000000LL : 40000000LL)

void
scenario_growth (bench_t *b, int64_t deadline_us)
{
    static const int64_t full[] = { 10000, 100000, 1000000, 0 };
    static const int64_t quick[] = { 5000, 20000, 0 };
    const int64_t *levels = b->quick ? quick : full;
    size_t nlevels = 0;
    while (levels[nlevels])
        nlevels++;
    double baseline_memory = bench_info_field (b, "memory", "used_memory");
    int64_t level_us = S_LEVEL_GUESS_US (b->quick);
    size_t planned = nlevels;           /* the levels there is time for */
    for (size_t i = 0; i < planned && s_ngrowth < 8; i++) {
        int64_t stored = s_stored (b);
        if (stored < levels[i]) {
            /*  filling stops in time for this level's figures and every
                later level's, and the census; when that leaves too little,
                the highest levels are given up, the lowest kept */
            int64_t reserve = S_CENSUS_US (b->quick);
            while (deadline_us - reserve - (int64_t) (planned - i) * level_us - bench_now_us ()
                   < S_FILL_MIN_US && planned > i + 1) {
                planned--;
                printf ("growth: no time for the level of %lld cases\n",
                        (long long) levels[planned]);
            }
            int64_t fill_by = deadline_us - reserve - (int64_t) (planned - i) * level_us;
            double left = (fill_by - bench_now_us ()) / 1e6;
            if (left < S_FILL_MIN_US / 1e6)
                left = S_FILL_MIN_US / 1e6;
            load_spec_t fill = { .seconds = left, .count = levels[i] - stored,
                                 .clients = 4, .window = 128, .await_dispatch = true };
            load_result_t r;
            printf ("growth: storing %lld more cases (at most %.0f s)\n",
                    (long long) fill.count, fill.seconds);
            fflush (stdout);
            load_run (b, &fill, &r);
            printf ("growth: stored %lld at %.0f cases/s\n", (long long) r.accepted,
                    r.throughput);
        }
        int64_t measured_from = bench_now_us ();
        growth_point_t *g = &s_growth[s_ngrowth++];
        g->target = levels[i];
        g->stored = s_stored (b);
        double memory = bench_info_field (b, "memory", "used_memory");
        g->bytes_per_case = g->stored > 0 ? (memory - baseline_memory) / g->stored : 0;

        load_result_t runs[BENCH_REPEATS];
        load_spec_t peak = { .seconds = b->quick ? 1 : 4, .clients = 8, .window = 64,
                             .await_dispatch = true };
        s_repeat (b, &peak, runs, BENCH_REPEATS);
        load_point_t p;
        memset (&p, 0, sizeof p);
        s_load_point (runs, BENCH_REPEATS, 0, &p);
        memcpy (g->throughput, p.throughput, sizeof g->throughput);
        load_spec_t steady = { .offered = 2000, .seconds = b->quick ? 1 : 4, .clients = 4,
                               .window = 256, .await_dispatch = true };
        s_repeat (b, &steady, runs, BENCH_REPEATS);
        memset (&p, 0, sizeof p);
        s_load_point (runs, BENCH_REPEATS, 2000, &p);
        memcpy (g->p99, p.p99, sizeof g->p99);

        char name[96];
        snprintf (name, sizeof name, "%lld stored: cases/s at full speed",
                  (long long) g->stored);
        bench_figure_t f = { .section = "growth", .name = name, .unit = "cases/s",
                             .med = g->throughput[0], .min = g->throughput[1],
                             .max = g->throughput[2], .verdict = -1 };
        if (s_ngrowth > 1) {
            f.limit = s_growth[0].throughput[0];
            f.limit_name = "same at the first level";
            f.target = "flat (>= 0.8)";
            f.verdict = f.med >= 0.8 * f.limit;
        }
        bench_figure (b, &f);
        snprintf (name, sizeof name, "%lld stored: p99 at 2000/s", (long long) g->stored);
        f = (bench_figure_t) { .section = "growth", .name = name, .unit = "ms",
                               .med = g->p99[0], .min = g->p99[1], .max = g->p99[2],
                               .target = "< 5 ms", .verdict = g->p99[0] < 5 };
        bench_figure (b, &f);
        snprintf (name, sizeof name, "%lld stored: Redis memory per stored case",
                  (long long) g->stored);
        f = (bench_figure_t) { .section = "growth", .name = name, .unit = "bytes",
                               .med = g->bytes_per_case, .min = g->bytes_per_case,
                               .max = g->bytes_per_case, .target = "< 2048",
                               .verdict = g->bytes_per_case < 2048 };
        bench_figure (b, &f);
        s_queries (b, g);
        level_us = bench_now_us () - measured_from;
        if (g->stored < levels[i]) {
            printf ("growth: the time budget ran out at %lld of %lld cases\n",
                    (long long) g->stored, (long long) levels[i]);
            break;
        }
    }
}

/*  Where the memory of the stored cases goes.  One SCAN over every key;
    keys of one shape (the name with its digits taken out: every case's
    hash is one shape, each journal another) are measured on a sample of
    at most S_SAMPLE with MEMORY USAGE and counted whole, so a million
    cases cost a few thousand MEMORY USAGE calls, and a shape of one key
    (a journal, a queue) is measured exactly.  Each shape's bytes go to the
    first class its name matches: a prefix after "cg:", or with a leading
    '*' a part anywhere in it.  Each class is then shown per stored case. */
#define S_SAMPLE        100

typedef struct {
    const char *name;
    const char *pattern;
    double bytes;
} s_class_t;

typedef struct {
    int64_t keys, sampled;
    double bytes;
} s_shape_t;

static bool
s_class_matches (const s_class_t *c, const char *name)
{
    if (*c->pattern == '*')
        return strstr (name, c->pattern + 1) != NULL;
    return strncmp (name, c->pattern, strlen (c->pattern)) == 0;
}

/*  One key into its shape: measured while the shape's sample is short. */
static void
s_census_key (bench_t *b, zhashx_t *shapes, const char *key)
{
    char shape[256];
    size_t n = 0;
    for (const char *at = key; *at && n + 2 < sizeof shape; at++)
        if (!isdigit ((unsigned char) *at))
            shape[n++] = *at;
        else if (n == 0 || shape[n - 1] != '#')
            shape[n++] = '#';
    shape[n] = 0;
    s_shape_t *s = zhashx_lookup (shapes, shape);
    if (!s) {
        s = calloc (1, sizeof *s);
        assert (s);
        zhashx_insert (shapes, shape, s);
    }
    s->keys++;
    if (s->sampled >= S_SAMPLE)
        return;
    redisReply *u = cg_redis_command (b->redis, "MEMORY USAGE %s", key);
    s->bytes += cg_reply_int (u, 0);
    s->sampled++;
    if (u)
        freeReplyObject (u);
}

#define S_FAMILIES      128

typedef struct {
    char name[96];
    int64_t keys;
    double bytes;
} s_family_t;

/*  The most bytes first */
static int
s_family_cmp (const void *a, const void *b)
{
    double x = ((const s_family_t *) a)->bytes, y = ((const s_family_t *) b)->bytes;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void
s_shape_free (void **item)
{
    free (*item);
    *item = NULL;
}

void
scenario_memory (bench_t *b)
{
    s_class_t classes[] = {
        { .name = "case hash and timeline", .pattern = "{dispatch}:case:" },
        { .name = "journals", .pattern = "*:journal" },
        { .name = "queues", .pattern = "{dispatch}:q" },
        { .name = "timers", .pattern = "{dispatch}:timers" },
        { .name = "dispatch, other", .pattern = "{dispatch}:" },
        { .name = "request ids (kept a day)", .pattern = "*:rid:" },
        { .name = "intake record", .pattern = "{intake}:req:" },
        { .name = "intake, other", .pattern = "{intake}:" },
        { .name = "inboxes", .pattern = "{notification}:inbox:" },
        { .name = "deliveries and their logs", .pattern = "{notification}:" },
        { .name = "other", .pattern = "" } };
    size_t nclasses = sizeof classes / sizeof classes[0];
    int64_t stored = s_stored (b);
    if (stored <= 0)
        return;
    int64_t begun = bench_now_us ();
    zhashx_t *shapes = zhashx_new ();
    zhashx_set_destructor (shapes, s_shape_free);
    char cursor[32] = "0";
    do {
        redisReply *r = cg_redis_command (b->redis, "SCAN %s COUNT 5000", cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject (r);
            break;
        }
        snprintf (cursor, sizeof cursor, "%s", cg_reply_str (r->element[0]));
        redisReply *keys = r->element[1];
        for (size_t i = 0; i < keys->elements; i++)
            s_census_key (b, shapes, keys->element[i]->str);
        freeReplyObject (r);
    } while (strcmp (cursor, "0") != 0 && !zsys_interrupted);
    /*  printed by family: the shape up to its third colon, so that the
        deliveries to each kind of unit are one line */
    s_family_t families[S_FAMILIES];
    size_t nfamilies = 0;
    for (s_shape_t *s = zhashx_first (shapes); s; s = zhashx_next (shapes)) {
        const char *key = zhashx_cursor (shapes);
        const char *name = strncmp (key, "cg:", 3) == 0 ? key + 3 : key;
        double bytes = s->sampled ? s->bytes / s->sampled * s->keys : 0;
        for (size_t k = 0; k < nclasses; k++)
            if (s_class_matches (&classes[k], name)) {
                classes[k].bytes += bytes;
                break;
            }
        s_family_t family = { .keys = s->keys, .bytes = bytes };
        snprintf (family.name, sizeof family.name, "%s", key);
        char *colon = family.name;
        for (int c = 0; c < 3 && colon; c++)
            colon = strchr (colon + 1, ':');
        if (colon)
            colon[1] = 0;
        size_t f = 0;
        while (f < nfamilies && strcmp (families[f].name, family.name))
            f++;
        if (f < nfamilies) {
            families[f].keys += family.keys;
            families[f].bytes += family.bytes;
        }
        else
        if (nfamilies < S_FAMILIES)
            families[nfamilies++] = family;
    }
    printf ("memory: %zu shapes of key, measured in %.1f s; the families over 16 B a case:\n",
            zhashx_size (shapes), (bench_now_us () - begun) / 1e6);
    qsort (families, nfamilies, sizeof *families, s_family_cmp);
    for (size_t f = 0; f < nfamilies && families[f].bytes / stored > 16; f++)
        printf ("  %8.0f B a case  %9lld keys  %s\n", families[f].bytes / stored,
                (long long) families[f].keys, families[f].name);
    zhashx_destroy (&shapes);
    double total = 0;
    for (size_t k = 0; k < nclasses; k++) {
        double per = classes[k].bytes / stored;
        total += per;
        char name[96];
        snprintf (name, sizeof name, "memory per stored case: %s", classes[k].name);
        bench_figure_t f = { .section = "memory", .name = name, .unit = "bytes",
                             .med = per, .min = per, .max = per, .verdict = -1 };
        bench_figure (b, &f);
    }
    bench_figure_t f = { .section = "memory", .name = "memory per stored case: sum of keys",
                         .unit = "bytes", .med = total, .min = total, .max = total,
                         .verdict = -1 };
    bench_figure (b, &f);
    s_stored_bytes = total;
}

/*  What closing adds to a case.  n stored cases are closed through
    dispatch's own commands, as the stack's operator: accept, resolve, and a
    satisfied callback (回访), each phase pipelined over one DEALER; Redis's
    used_memory is read before, and after notification has written what the
    closings tell.  A closed case then costs what a stored case costs (the
    census) and this. */
#define S_WINDOW        128

/*  Sends one action for every case, at most S_WINDOW outstanding; returns
    how many were refused or not answered. */
int
bench_act_on_all (zsock_t *dealer, char **ids, int n, const char *action)
{
    char command[32];
    snprintf (command, sizeof command, "case.%s", action);
    int sent = 0, answered = 0, refused = 0;
    while (answered < n && !zsys_interrupted) {
        if (sent < n && sent - answered < S_WINDOW) {
            char rid[48];
            snprintf (rid, sizeof rid, "bc-%d-%s-%d", (int) getpid (), action, sent);
            cg_case_act_t act = { .rid = rid, .id = ids[sent], .actor = "operator:bench",
                                  .note = "已处理", .satisfied = true };
            msgpack_sbuffer body;
            msgpack_sbuffer_init (&body);
            cg_error_t err;
            if (cg_msg_encode (&cg_case_act_def, &act, &body, &err) == 0)
                cg_request_send (dealer, command, rid, body.data, body.size);
            else
                refused++, answered++;
            msgpack_sbuffer_destroy (&body);
            sent++;
            continue;
        }
        zmsg_t *answer = zmsg_recv (dealer);
        if (!answer)
            return refused + n - answered;      /* 10 s without an answer */
        if (!zframe_streq (zmsg_first (answer), "ok"))
            refused++;
        zmsg_destroy (&answer);
        answered++;
    }
    return refused;
}

void
scenario_closed (bench_t *b)
{
    int n = b->quick ? 1000 : 5000;
    redisReply *r = cg_redis_command (b->redis, "ZRANGE cg:{dispatch}:q:all 0 %d", n - 1);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements < (size_t) n) {
        printf ("closed cases: fewer than %d cases stored; not measured\n", n);
        if (r)
            freeReplyObject (r);
        return;
    }
    char **ids = calloc (n, sizeof *ids);
    assert (ids);
    for (int i = 0; i < n; i++)
        ids[i] = r->element[i]->str;
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    zsock_set_rcvtimeo (dealer, 10000);
    cg_access_connect (dealer, b->dispatch);
    zsock_connect (dealer, "%s", b->dispatch);
    double before = bench_info_field (b, "memory", "used_memory");
    const char *actions[] = { "accept", "resolve", "callback" };
    int refused = 0;
    for (int a = 0; a < 3; a++)
        refused += bench_act_on_all (dealer, ids, n, actions[a]);
    zsock_destroy (&dealer);
    load_await_cursor (b, "notification", "dispatch");
    double after = bench_info_field (b, "memory", "used_memory");
    free (ids);
    freeReplyObject (r);
    if (refused) {
        printf ("closed cases: %d of %d actions refused or unanswered; not measured\n",
                refused, 3 * n);
        return;
    }
    double per = (after - before) / n;
    bench_figure_t f = { .section = "memory", .name = "what closing adds to a case",
                         .unit = "bytes", .med = per, .min = per, .max = per, .verdict = -1 };
    bench_figure (b, &f);
    double closed = s_stored_bytes + per;
    f = (bench_figure_t) { .section = "memory", .name = "memory per closed case",
                           .unit = "bytes", .med = closed, .min = closed, .max = closed,
                           .target = "< 2048", .verdict = closed < 2048 };
    bench_figure (b, &f);
}

/* --- peak RSS and recovery ------------------------------------------------ */

/*  Peak RSS of each part, kept over the run: dispatch is restarted by the
    recovery test, so its peak is read before each kill. */
static double s_peak_kib[8];

void
scenario_sample_rss (bench_t *b)
{
    for (int i = 0; s_parts[i]; i++) {
        char path[64], line[256];
        snprintf (path, sizeof path, "/proc/%d/status", (int) bench_pid_of (b, s_parts[i]));
        FILE *f = fopen (path, "r");
        if (!f)
            continue;
        while (fgets (line, sizeof line, f)) {
            double kib;
            if (sscanf (line, "VmHWM: %lf", &kib) == 1 && kib > s_peak_kib[i])
                s_peak_kib[i] = kib;
        }
        fclose (f);
    }
}

void
scenario_rss_report (bench_t *b)
{
    scenario_sample_rss (b);
    for (int i = 0; s_parts[i]; i++) {
        char name[64];
        snprintf (name, sizeof name, "peak RSS of %s", s_parts[i]);
        bench_figure_t f = { .section = "rss", .name = name, .unit = "MiB",
                             .med = s_peak_kib[i] / 1024, .min = s_peak_kib[i] / 1024,
                             .max = s_peak_kib[i] / 1024, .verdict = -1 };
        if (strcmp (s_parts[i], "redis") != 0) {
            f.target = "< 64 MiB";
            f.verdict = f.med < 64;
        }
        bench_figure (b, &f);
    }
}

static bool
s_answers_ping (bench_t *b)
{
    cg_client_t *client = cg_client_new (b->dispatch, 1000, 1);
    cg_ping_t ping = { 0 };
    cg_pong_t pong;
    cg_error_t err;
    bool ok = client && cg_client_call (client, &cg_cmd_ping, &ping,
                                        &pong, &err) == 0;
    if (ok)
        cg_msg_clear (&cg_pong_def, &pong);
    cg_client_destroy (&client);
    return ok;
}

/*  `civgrid stack <verb> --dir DIR` in the background; returns the
    process.  `up` starts what is missing and returns once it answers
    ping, which dispatch does only after catching up. */
pid_t
bench_stack (bench_t *b, const char *verb)
{
    char cli[1024];
    snprintf (cli, sizeof cli, "%s/civgrid", b->bindir);
    pid_t pid = fork ();
    if (pid == 0) {
        int null = open ("/dev/null", O_WRONLY);
        dup2 (null, 1);
        execl (cli, "civgrid", "stack", verb, "--dir", b->dir, (char *) NULL);
        _exit (127);
    }
    return pid;
}

int
bench_stack_wait (bench_t *b, const char *verb)
{
    int status = 0;
    pid_t pid = bench_stack (b, verb);
    if (pid < 0 || waitpid (pid, &status, 0) != pid)
        return -1;
    return WIFEXITED (status) && WEXITSTATUS (status) == 0 ? 0 : -1;
}

static int
s_unlink (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void) st, (void) flag;
    return ftw->level > 0 ? remove (path) : 0;
}

int
scenario_fresh_store (bench_t *b)
{
    scenario_sample_rss (b);
    char path[1024];
    snprintf (path, sizeof path, "%s/redis", b->dir);
    cg_redis_destroy (&b->redis);
    if (bench_stack_wait (b, "down")
        || nftw (path, s_unlink, 16, FTW_DEPTH | FTW_PHYS)
        || bench_stack_wait (b, "up")) {
        fprintf (stderr, "civgrid-bench: could not start the stack again on an empty store\n");
        return -1;
    }
    b->redis = cg_redis_new ("127.0.0.1", b->redis_port, 5000);
    return b->redis ? 0 : -1;
}

void
scenario_recovery (bench_t *b, int64_t deadline_us)
{
    int64_t backlog = b->quick ? 3000 : 100000;
    double rates[BENCH_REPEATS], lives[BENCH_REPEATS];
    int64_t behind = 0;
    int done = 0;
    for (int r = 0; r < BENCH_REPEATS && !zsys_interrupted; r++) {
        scenario_sample_rss (b);
        pid_t dispatch = bench_pid_of (b, "dispatch");
        if (dispatch <= 0 || kill (dispatch, SIGKILL))
            break;
        zclock_sleep (200);
        /*  the backlog is what intake takes in the time left for this repeat */
        double left = (deadline_us - bench_now_us ()) / 1e6 / (BENCH_REPEATS - r);
        load_spec_t spec = { .seconds = left > 10 ? 0.6 * left : 6, .count = backlog,
                             .clients = 4, .window = 128, .await_dispatch = false };
        load_result_t in;
        load_run (b, &spec, &in);
        int64_t head = bench_redis_int (b, 0, "GET cg:{intake}:seq");
        int64_t from = bench_redis_int (b, 0, "GET cg:{dispatch}:cursor:intake");
        int64_t t0 = bench_now_us (), first = 0;
        pid_t up = bench_stack (b, "up");
        int64_t cursor = from;
        int64_t give_up = (deadline_us > t0 ? deadline_us : t0) + 120 * 1000000LL;
        while (cursor < head && bench_now_us () < give_up && !zsys_interrupted) {
            zclock_sleep (5);
            cursor = bench_redis_int (b, from, "GET cg:{dispatch}:cursor:intake");
            if (!first && cursor > from)
                first = bench_now_us ();
        }
        int64_t caught = bench_now_us ();
        /*  `stack up` gives up on a daemon that does not answer within 30 s,
            and dispatch answers only once caught up: live is its first pong */
        waitpid (up, NULL, 0);
        while (!s_answers_ping (b) && bench_now_us () < give_up && !zsys_interrupted)
            zclock_sleep (10);
        int64_t live = bench_now_us ();
        printf ("recovery: %lld entries behind; caught up in %.2f s, answering in %.2f s\n",
                (long long) (head - from), (caught - t0) / 1e6, (live - t0) / 1e6);
        if (cursor < head || !first)
            break;
        rates[done] = (head - from) / ((caught - first) / 1e6);
        behind = head - from;
        lives[done] = (live - t0) / 1e6;
        done++;
    }
    /*  notification has the backlogs' deliveries to write: the parts that
        follow start on a quiet stack */
    int64_t settling = bench_now_us ();
    load_await_cursor (b, "notification", "dispatch");
    printf ("recovery: notification caught up with the backlogs %.1f s later\n",
            (bench_now_us () - settling) / 1e6);
    if (!done)
        return;
    bench_figure_t f = { .section = "recovery", .name = "catch-up after kill -9 of dispatch",
                         .unit = "events/s", .target = ">= 100000" };
    bench_spread (rates, done, &f.med, &f.min, &f.max);
    f.verdict = f.med >= 100000;
    bench_figure (b, &f);
    char name[96];
    snprintf (name, sizeof name, "time until live, %lld behind", (long long) behind);
    f = (bench_figure_t) { .section = "recovery", .name = name, .unit = "s", .verdict = -1 };
    bench_spread (lives, done, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
}

/* --- results ---------------------------------------------------------------- */

static void
s_json_triple (FILE *out, const char *key, const double v[3])
{
    fprintf (out, ",\"%s\":{\"median\":%.6g,\"min\":%.6g,\"max\":%.6g}", key, v[0], v[1], v[2]);
}

void
scenario_json (FILE *out)
{
    fprintf (out, ",\n\"loads\":[");
    for (size_t i = 0; i < s_npoints; i++) {
        const load_point_t *p = &s_points[i];
        fprintf (out, "%s\n {\"offered\":%.0f,\"accepted\":%lld,\"timed\":%lld", i ? "," : "",
                 p->offered, (long long) p->accepted, (long long) p->seen);
        s_json_triple (out, "throughput", p->throughput);
        s_json_triple (out, "p50_ms", p->p50);
        s_json_triple (out, "p99_ms", p->p99);
        s_json_triple (out, "p999_ms", p->p999);
        fputc ('}', out);
    }
    fprintf (out, "],\n\"growth\":[");
    for (size_t i = 0; i < s_ngrowth; i++) {
        const growth_point_t *g = &s_growth[i];
        fprintf (out, "%s\n {\"level\":%lld,\"stored\":%lld,\"bytes_per_case\":%.0f",
                 i ? "," : "", (long long) g->target, (long long) g->stored,
                 g->bytes_per_case);
        s_json_triple (out, "throughput", g->throughput);
        s_json_triple (out, "p99_at_2000_ms", g->p99);
        fprintf (out, ",\"list_p99_ms\":{\"county\":%.4g,\"city\":%.4g}", g->list_p99[0],
                 g->list_p99[1]);
        if (g->stats_p99[1] > 0)
            fprintf (out, ",\"stats_p99_ms\":{\"county\":%.4g,\"city\":%.4g}", g->stats_p99[0],
                     g->stats_p99[1]);
        else
            fprintf (out, ",\"stats_p99_ms\":\"not available\"");
        fputc ('}', out);
    }
    fprintf (out, "]");
}

/*  For gnuplot: OUT/loads.dat, offered load then median/min/max of
    throughput, p50, p99 and p99.9; and OUT/limits.gp, the sustained rate
    and the store bound, drawn as lines. */
void
scenario_plot_data (const char *out)
{
    char path[1024];
    snprintf (path, sizeof path, "%s/limits.gp", out);
    FILE *f = fopen (path, "w");
    if (f) {
        fprintf (f, "sustained = %.6g\nstore_bound = %.6g\n", s_sustained, s_store_bound);
        fclose (f);
    }
    snprintf (path, sizeof path, "%s/loads.dat", out);
    f = fopen (path, "w");
    if (!f)
        return;
    fprintf (f, "# offered thr_med thr_min thr_max p50_med p50_min p50_max p99_med p99_min "
             "p99_max p999_med p999_min p999_max\n");
    for (size_t i = 0; i < s_npoints; i++) {
        const load_point_t *p = &s_points[i];
        fprintf (f, "%.0f", p->offered);
        const double *all[] = { p->throughput, p->p50, p->p99, p->p999 };
        for (int k = 0; k < 4; k++)
            fprintf (f, " %.6g %.6g %.6g", all[k][0], all[k][1], all[k][2]);
        fputc ('\n', f);
    }
    fclose (f);
}
