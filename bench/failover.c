/*  failover — what replicas, Sentinels and standbys cost and how fast they
    recover (`make bench ONLY=failover`, on a stack that tools/run-bench.sh
    starts with `--replicas 1 --sentinels 3`; docs/ARCHITECTURE.md,
    "Failover" and "Standby instances").

    - the cost of WAIT: the sustained figure (8 submitters, 64 outstanding
      each, as scenario_fsync) with the daemons waiting for the replica
      (redis/replicas 1), then on the same stack with the daemons started
      again with redis/replicas 0: the replica is still fed, nothing waits
      for it;
    - a master failover: kill -9 of the master; time until the Sentinels
      name the replica, and until intake acknowledges an order again, with
      the old master started again as its supervisor would (`stack up`,
      which makes it a replica of the new master);
    - a standby take-over: a second dispatch waits; kill -9 of the active
      one; time until the standby holds the lease and until it answers. */
#include "bench.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

/*  Every daemon (each section with an endpoint, but the broker) started
    again with redis/replicas set to replicas. */
static int
s_daemons_wait_for (bench_t *b, int replicas)
{
    char path[1024];
    snprintf (path, sizeof path, "%s/civgrid.cfg", b->dir);
    zconfig_t *config = zconfig_load (path);
    if (!config)
        return -1;
    zconfig_putf (config, "redis/replicas", "%d", replicas);
    int rc = zconfig_save (config, path);
    for (zconfig_t *s = zconfig_child (config); s && !rc; s = zconfig_next (s)) {
        if (!zconfig_locate (s, "endpoint") || strcmp (zconfig_name (s), "broker") == 0)
            continue;
        pid_t pid = bench_pid_of (b, zconfig_name (s));
        if (pid > 0 && kill (pid, SIGTERM) == 0)
            for (int t = 0; t < 600 && kill (pid, 0) == 0; t++)
                zclock_sleep (50);
    }
    zconfig_destroy (&config);
    return rc ? -1 : bench_stack_wait (b, "up");
}

/*  One order to intake, one try of timeout_ms: acknowledged or not. */
static bool
s_order (bench_t *b, int i, int timeout_ms)
{
    cg_client_t *intake = cg_client_new (b->intake, timeout_ms, 1);
    char ext[64];
    snprintf (ext, sizeof ext, "FAILOVER-%d-%d", (int) getpid (), i);
    cg_case_submit_t req = { .source = "hotline", .ext_ref = ext,
                             .category = b->categories[0], .grid = b->grids[0],
                             .text = "小区东门路灯损坏，夜间出行不便，请尽快维修。" };
    cg_case_submitted_t rep;
    cg_error_t err;
    bool ok = cg_client_call (intake, &cg_cmd_case_submit, &req, &rep, &err) == 0;
    if (ok)
        cg_msg_clear (&cg_case_submitted_def, &rep);
    cg_client_destroy (&intake);
    return ok;
}

/*  The master's port, as the Sentinels name it (and ROLE confirms), or 0. */
static int
s_master_port (bench_t *b)
{
    return cg_redis_master_port (b->config);
}

/*  The part whose Redis is the master now: redis or replica1. */
static const char *
s_master_part (bench_t *b)
{
    return s_master_port (b) == atoi (zconfig_get (b->config, "redis/port", "0"))
         ? "redis" : "replica1";
}

static void
s_failover (bench_t *b, double *promoted, double *acked)
{
    *promoted = *acked = -1;
    int before = s_master_port (b);
    pid_t master = bench_pid_of (b, s_master_part (b));
    if (!before || master <= 0 || kill (master, SIGKILL))
        return;
    int64_t t0 = bench_now_us ();
    waitpid (master, NULL, WNOHANG);
    bool restarted = false;
    for (int i = 0; bench_now_us () - t0 < 60000000 && !zsys_interrupted; i++) {
        if (*promoted < 0) {
            int now = s_master_port (b);
            if (now && now != before) {
                *promoted = (bench_now_us () - t0) / 1e6;
                /*  the supervisor starts the old master, as a replica */
                restarted = bench_stack_wait (b, "up") == 0;
            }
        }
        if (restarted && s_order (b, i, 1000)) {
            *acked = (bench_now_us () - t0) / 1e6;
            break;
        }
        zclock_sleep (50);
    }
    printf ("failover: promoted %.2f s, orders acknowledged again %.2f s after kill -9\n",
            *promoted, *acked);
}

static void
s_takeover (bench_t *b, double *leased, double *live)
{
    *leased = *live = -1;
    char exe[1024], cfg[1024], log[1024];
    snprintf (exe, sizeof exe, "%s/civgrid-dispatch", b->bindir);
    snprintf (cfg, sizeof cfg, "%s/civgrid.cfg", b->dir);
    snprintf (log, sizeof log, "%s/log/dispatch-standby.log", b->dir);
    pid_t standby = fork ();
    if (standby == 0) {
        execl (exe, exe, "-c", cfg, "--log", log, (char *) NULL);
        _exit (127);
    }
    zclock_sleep (2000);        /* it connects and waits */
    pid_t active = bench_pid_of (b, "dispatch");
    if (standby < 0 || active <= 0 || kill (active, SIGKILL))
        return;
    int64_t t0 = bench_now_us ();
    while (bench_now_us () - t0 < 30000000 && !zsys_interrupted) {
        if (*leased < 0 && cg_daemon_lease_pid (b->redis, "dispatch") == standby)
            *leased = (bench_now_us () - t0) / 1e6;
        cg_client_t *client = *leased < 0 ? NULL : cg_client_new (b->dispatch, 500, 1);
        cg_ping_t ping = { 0 };
        cg_pong_t pong;
        cg_error_t err;
        if (client && cg_client_call (client, &cg_cmd_ping, &ping, &pong, &err) == 0) {
            cg_msg_clear (&cg_pong_def, &pong);
            *live = (bench_now_us () - t0) / 1e6;
        }
        cg_client_destroy (&client);
        if (*live >= 0)
            break;
        zclock_sleep (20);
    }
    /*  the stack's dispatch is the standby now: `stack down` stops it */
    char path[1024];
    snprintf (path, sizeof path, "%s/run/dispatch.pid", b->dir);
    FILE *f = fopen (path, "w");
    if (f) {
        fprintf (f, "%d\n", (int) standby);
        fclose (f);
    }
    printf ("standby: lease taken %.2f s, answering %.2f s after kill -9 of dispatch\n",
            *leased, *live);
}

void
bench_failover (bench_t *b)
{
    if (atoi (zconfig_get (b->config, "redis/replicas", "0")) < 1
    ||  !*zconfig_get (b->config, "redis/sentinels", "")) {
        printf ("failover: the stack has no replica or no Sentinels; no figure\n");
        return;
    }
    /*  the cost of WAIT: the same stack, its daemons waiting or not */
    load_spec_t spec = { .seconds = b->quick ? 2 : 20, .clients = 8, .window = 64,
                         .await_dispatch = true };
    load_result_t runs[2][BENCH_REPEATS];
    int failed = 0;
    for (int v = 0; v < 2 && !failed; v++) {
        if (v == 1)
            failed = s_daemons_wait_for (b, 0);
        for (int i = 0; i < BENCH_REPEATS && !failed; i++)
            failed = load_run (b, &spec, &runs[v][i]);
    }
    failed |= s_daemons_wait_for (b, 1);
    double rates[2][BENCH_REPEATS], p99[2][BENCH_REPEATS];
    for (int v = 0; v < 2 && !failed; v++) {
        for (int i = 0; i < BENCH_REPEATS; i++) {
            rates[v][i] = runs[v][i].throughput;
            p99[v][i] = runs[v][i].p99;
        }
        bench_figure_t f = { .section = "failover", .unit = "cases/s", .verdict = -1,
                             .name = v ? "sustained cases/s, replica fed, no WAIT"
                                       : "sustained cases/s, WAIT for 1 replica" };
        bench_spread (rates[v], BENCH_REPEATS, &f.med, &f.min, &f.max);
        bench_figure (b, &f);
        f = (bench_figure_t) { .section = "failover", .unit = "ms", .verdict = -1,
                               .name = v ? "p99 submit -> dispatched, no WAIT"
                                         : "p99 submit -> dispatched, WAIT for 1 replica" };
        bench_spread (p99[v], BENCH_REPEATS, &f.med, &f.min, &f.max);
        bench_figure (b, &f);
    }
    /*  recovery: once in QUICK; Sentinel will not fail the same master
        over again within twice its failover-timeout (20 s) */
    int repeats = b->quick ? 1 : BENCH_REPEATS;
    double promoted[BENCH_REPEATS], acked[BENCH_REPEATS];
    int done = 0;
    for (int i = 0; i < repeats && !zsys_interrupted; i++) {
        if (i)
            zclock_sleep (21000);
        s_failover (b, &promoted[done], &acked[done]);
        if (acked[done] >= 0)
            done++;
    }
    if (done) {
        bench_figure_t f = { .section = "failover", .unit = "s", .verdict = -1,
                             .name = "kill -9 of the master -> replica promoted" };
        bench_spread (promoted, done, &f.med, &f.min, &f.max);
        bench_figure (b, &f);
        f = (bench_figure_t) { .section = "failover", .unit = "s", .target = "<= 10",
                               .name = "kill -9 of the master -> orders acknowledged again" };
        bench_spread (acked, done, &f.med, &f.min, &f.max);
        f.verdict = f.med <= 10;
        bench_figure (b, &f);
    }
    double leased[BENCH_REPEATS], live[BENCH_REPEATS];
    done = 0;
    for (int i = 0; i < BENCH_REPEATS && !zsys_interrupted; i++) {
        s_takeover (b, &leased[done], &live[done]);
        if (live[done] >= 0)
            done++;
    }
    if (done) {
        bench_figure_t f = { .section = "failover", .unit = "s", .verdict = -1,
                             .name = "kill -9 of dispatch -> standby holds the lease" };
        bench_spread (leased, done, &f.med, &f.min, &f.max);
        bench_figure (b, &f);
        f = (bench_figure_t) { .section = "failover", .unit = "s", .target = "<= 5",
                               .name = "kill -9 of dispatch -> standby answering" };
        bench_spread (live, done, &f.med, &f.min, &f.max);
        f.verdict = f.med <= 5;
        bench_figure (b, &f);
    }
}
