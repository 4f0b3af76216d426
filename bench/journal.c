/*  journal — what journal retention keeps and what a trim costs
    (cg_retention.h, docs/JOURNAL.md).

    First, the bytes the journals hold (MEMORY USAGE of every daemon's
    journal) per case stored, at this point of the run: with retention it
    is the kept entries spread over all cases, where it was ~0.8 KiB a case
    when nothing was trimmed.  Then the cost of a trim on the same Redis: a
    scratch journal of event-sized entries (a 300-byte body, as a
    case.received) whose one registered consumer has applied them all is
    trimmed by cg_retention_trim with no retention; the time of that call
    over the entries it dropped is what retention costs Redis per event,
    and a second call, with nothing left to drop, is the cost of a tick
    (wall time: three round trips, most of it not Redis's). */
#include "bench.h"

#define S_JOURNAL   "benchjournal"
#define S_BODY      300

static const char *const s_journals[] = { "intake", "dispatch", "consultation", "fund",
                                          "notification" };

static void
s_clear (bench_t *b)
{
    redisReply *r = cg_redis_command (b->redis, "DEL cg:{%s}:journal cg:{%s}:seq "
                                      "cg:{%s}:consumers cg:{bench}:cursor:%s", S_JOURNAL,
                                      S_JOURNAL, S_JOURNAL, S_JOURNAL);
    if (r)
        freeReplyObject (r);
}

/*  A scratch journal of n entries, all applied by its one consumer. */
static int
s_fill (bench_t *b, int n)
{
    s_clear (b);
    char body[S_BODY];
    memset (body, 'x', sizeof body);
    cg_args_t args;
    cg_args_init (&args);
    for (int seq = 1; seq <= n; seq++) {
        cg_args_reset (&args);
        cg_args_add_str (&args, "XADD");
        cg_args_add_str (&args, "cg:{" S_JOURNAL "}:journal");
        cg_args_addf (&args, "%d-0", seq);
        cg_args_add_str (&args, "t");
        cg_args_add_str (&args, "case.received");
        cg_args_add_str (&args, "b");
        cg_args_add (&args, body, sizeof body);
        cg_redis_append (b->redis, &args);
    }
    cg_args_free (&args);
    int failed = 0;
    for (int seq = 1; seq <= n; seq++) {
        redisReply *r = cg_redis_reply (b->redis);
        failed += !r || r->type != REDIS_REPLY_STRING;
        if (r)
            freeReplyObject (r);
    }
    redisReply *r = cg_redis_command (b->redis, "MSET cg:{%s}:seq %d cg:{bench}:cursor:%s %d",
                                      S_JOURNAL, n, S_JOURNAL, n);
    if (r)
        freeReplyObject (r);
    r = cg_redis_command (b->redis, "SADD cg:{%s}:consumers bench", S_JOURNAL);
    if (r)
        freeReplyObject (r);
    return failed ? -1 : 0;
}

void
bench_journal (bench_t *b)
{
    int64_t cases = bench_redis_int (b, 0, "GET cg:{intake}:seq");
    int64_t bytes = 0;
    for (size_t i = 0; i < sizeof s_journals / sizeof s_journals[0]; i++)
        bytes += bench_redis_int (b, 0, "MEMORY USAGE cg:{%s}:journal SAMPLES 0", s_journals[i]);
    if (cases > 0) {
        double per_case = (double) bytes / (double) cases;
        bench_figure (b, &(bench_figure_t) { .section = "journal",
            .name = "journals' bytes per stored case", .unit = "B",
            .med = per_case, .min = per_case, .max = per_case, .verdict = -1 });
    }

    int n = b->quick ? 20000 : CG_RETENTION_LIMIT;
    double per_entry[BENCH_REPEATS], tick[BENCH_REPEATS];
    int runs = 0;
    cg_retention_t *retention = cg_retention_new (b->redis, S_JOURNAL, 0, 0);
    for (int rep = 0; rep < BENCH_REPEATS; rep++) {
        if (s_fill (b, n))
            break;
        int64_t t0 = bench_now_us ();
        int64_t dropped = cg_retention_trim (retention);
        int64_t t1 = bench_now_us ();
        cg_retention_trim (retention);
        int64_t t2 = bench_now_us ();
        if (dropped <= 0)
            break;
        per_entry[runs] = (double) (t1 - t0) * 1000.0 / (double) dropped;
        tick[runs++] = (double) (t2 - t1);
    }
    cg_retention_destroy (&retention);
    s_clear (b);
    if (runs == 0) {
        printf ("journal: the scratch journal could not be made or trimmed\n");
        return;
    }
    double med, min, max;
    bench_spread (per_entry, (size_t) runs, &med, &min, &max);
    bench_figure (b, &(bench_figure_t) { .section = "journal",
        .name = "trim, per entry dropped", .unit = "ns",
        .med = med, .min = min, .max = max, .verdict = -1 });
    bench_spread (tick, (size_t) runs, &med, &min, &max);
    bench_figure (b, &(bench_figure_t) { .section = "journal",
        .name = "trim tick, nothing to drop (wall)", .unit = "us",
        .med = med, .min = min, .max = max, .verdict = -1 });
}
