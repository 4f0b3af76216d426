/*  store — the limit Redis sets, and what one case costs it.

    The limit: redis-benchmark with 32 commands pipelined per round trip,
    over loopback TCP like the daemons, on the same server the stack uses
    (in database 9, flushed afterwards, so the stack's data is untouched),
    for each command civgrid's scripts use per case (SET GET INCR HSET ZADD
    LPUSH RPUSH XADD) and for EVALSHA of a script that does nothing.

    The cost: over an end-to-end run, INFO commandstats (reset before)
    counts every command Redis ran, including those a script ran with
    redis.call, and INFO cpu gives the main thread's CPU time.  Per case,
    that is the number of script calls, the number of commands, and the
    microseconds of Redis.  The bound is then what Redis could do if
    it did nothing else: 1 / (scripts/case ÷ EVALSHA rate + commands/case ÷
    command rate), and, measured rather than modelled, 1 s ÷ Redis CPU per
    case. */
#include "bench.h"

#define S_DB    9

static const char *const s_commands[] = {
    "set", "get", "incr", "hset", "zadd", "lpush", "rpush", NULL };

/*  Runs redis-benchmark and returns the rps of each CSV line, in order. */
static int
s_benchmark (bench_t *b, const char *what, double *rps, int max)
{
    char cmd[1024];
    int n = b->quick ? 20000 : 200000;
    snprintf (cmd, sizeof cmd, "redis-benchmark -h 127.0.0.1 -p %d -P 32 -n %d -r 100000 "
              "--dbnum %d --csv %s 2>/dev/null", b->redis_port, n, S_DB, what);
    FILE *p = popen (cmd, "r");
    if (!p)
        return 0;
    char line[512];
    int got = 0;
    while (fgets (line, sizeof line, p) && got < max) {
        char name[256];
        double rate;
        if (sscanf (line, "\"%255[^\"]\",\"%lf\"", name, &rate) == 2)
            rps[got++] = rate;
    }
    pclose (p);
    return got;
}

static void
s_figure (bench_t *b, const char *name, double *v, int n)
{
    bench_figure_t f = { .section = "store", .name = name, .unit = "ops/s", .verdict = -1 };
    bench_spread (v, n, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
}

void
store_limits (bench_t *b, double *evalsha_rate, double *command_rate)
{
    size_t ncmd = 0;
    while (s_commands[ncmd])
        ncmd++;
    double rates[8][BENCH_REPEATS], xadd[BENCH_REPEATS], evalsha[BENCH_REPEATS];
    char tests[128] = "";
    for (size_t i = 0; i < ncmd; i++)
        snprintf (tests + strlen (tests), sizeof tests - strlen (tests), "%s%s", i ? "," : "",
                  s_commands[i]);
    redisReply *sha = cg_redis_command (b->redis, "SCRIPT LOAD %s", "return 1");
    char what[256];
    for (int r = 0; r < BENCH_REPEATS; r++) {
        double got[8] = { 0 };
        snprintf (what, sizeof what, "-t %s", tests);
        s_benchmark (b, what, got, (int) ncmd);
        for (size_t i = 0; i < ncmd; i++)
            rates[i][r] = got[i];
        s_benchmark (b, "XADD bench:journal '*' t case.received b __rand_int__", &xadd[r], 1);
        snprintf (what, sizeof what, "EVALSHA %s 0", sha ? cg_reply_str (sha) : "");
        s_benchmark (b, what, &evalsha[r], 1);
    }
    if (sha)
        freeReplyObject (sha);
    double inverse = 0, med, min, max;
    char name[64];
    for (size_t i = 0; i < ncmd; i++) {
        snprintf (name, sizeof name, "redis-benchmark -P 32 %s", s_commands[i]);
        bench_spread (rates[i], BENCH_REPEATS, &med, &min, &max);
        inverse += med > 0 ? 1 / med : 0;
        s_figure (b, name, rates[i], BENCH_REPEATS);
    }
    bench_spread (xadd, BENCH_REPEATS, &med, &min, &max);
    inverse += med > 0 ? 1 / med : 0;
    s_figure (b, "redis-benchmark -P 32 xadd", xadd, BENCH_REPEATS);
    *command_rate = inverse > 0 ? (ncmd + 1) / inverse : 0;
    s_figure (b, "redis-benchmark -P 32 evalsha (return 1)", evalsha, BENCH_REPEATS);
    bench_spread (evalsha, BENCH_REPEATS, evalsha_rate, &min, &max);

    redisReply *r = cg_redis_command (b->redis, "SELECT %d", S_DB);
    if (r)
        freeReplyObject (r);
    r = cg_redis_command (b->redis, "FLUSHDB");
    if (r)
        freeReplyObject (r);
    r = cg_redis_command (b->redis, "SELECT 0");
    if (r)
        freeReplyObject (r);
}

static double s_cpu_at_begin;

static double
s_cpu (bench_t *b)
{
    return bench_info_field (b, "cpu", "used_cpu_user_main_thread")
         + bench_info_field (b, "cpu", "used_cpu_sys_main_thread");
}

void
store_cost_begin (bench_t *b)
{
    redisReply *r = cg_redis_command (b->redis, "CONFIG RESETSTAT");
    if (r)
        freeReplyObject (r);
    s_cpu_at_begin = s_cpu (b);
}

void
store_cost_end (bench_t *b, int64_t cases, store_cost_t *cost)
{
    memset (cost, 0, sizeof *cost);
    double cpu = s_cpu (b) - s_cpu_at_begin;
    redisReply *r = cg_redis_command (b->redis, "INFO commandstats");
    if (!r || r->type != REDIS_REPLY_STRING || cases <= 0) {
        if (r)
            freeReplyObject (r);
        return;
    }
    int64_t scripts = 0, commands = 0;
    char *save = NULL;
    for (char *line = strtok_r (r->str, "\r\n", &save); line;
         line = strtok_r (NULL, "\r\n", &save)) {
        char name[64];
        long long calls;
        if (sscanf (line, "cmdstat_%63[^:]:calls=%lld", name, &calls) != 2)
            continue;
        if (strcmp (name, "evalsha") == 0 || strcmp (name, "eval") == 0)
            scripts += calls;
        else
            commands += calls;
    }
    freeReplyObject (r);
    cost->calls_per_case = (double) scripts / cases;
    cost->commands_per_case = (double) commands / cases;
    cost->cpu_us_per_case = cpu * 1e6 / cases;
}
