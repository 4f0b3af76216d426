/*  stats — how long a city's statistics take over a month and over five
    years, when Redis holds five years of counters at Nantong's volume.

    Five years of cases cannot be run through the stack in a benchmark, so
    the counters are written as dispatch writes them (docs/DISPATCH.md):
    the hashes of the last 35 days and of the 60 months before this one,
    each with the fields a month of 10,000 cases a day leaves: every unit
    of the org tree with three categories, each with eight metrics (a
    month's hash about 25,000 fields, a day's 19,000 with six).  Then
    dispatch's own rollup scripts make the years from the months
    (stats_year.lua), each hash's city totals (stats_total.lua) and its
    counties' parts (stats_parts.lua), as
    dispatch does for a store written before it kept them.  Then the
    city's case.stats is timed, one query after the other:
      - over the last 30 days, by day (30 day hashes);
      - over five years, by month (60 month hashes).
    Each is timed once as the first query, which reads every hash from
    Redis, then n times more, when dispatch's worker has kept the hashes of
    the days that are over (services/dispatch/tally.h).  The city's reads
    the years, the edge months, whole weeks and the days at the edges
    whole and each bucket's city totals (docs/DISPATCH.md).  Then a
    town's and a county's last 30 days, last 12 months and five years are
    timed once each, the first query of its scope: they read the fields of
    their subtree alone.  The target is a p99 under 500 ms for all
    (issue 13).  Redis memory per
    month of counters is measured on the way, dispatch's peak RSS is
    sampled at the end (what the worker keeps counts in it); the counters
    are deleted after. */
#include "bench.h"
#include "cg_clock.h"

#include <time.h>

#define S_DAYS      35
#define S_MONTHS    60
#define S_TARGET_MS 500.0
#define S_PAIRS     500             /* field/value pairs in one HSET */
#define S_YEARS     (S_MONTHS / 12 + 1) /* the years the months lie in */
#define S_WEEKS     6               /* the weeks the days lie in */
#define S_KEYS      (S_DAYS + S_MONTHS + S_YEARS + S_WEEKS)

static const char *s_month_metrics[] = {
    "received", "redispatched", "signed_for", "signed_on_time", "resolved",
    "resolved_on_time", "callbacks", "satisfied"
};
#define S_DAY_METRICS 6

/*  The China-time date of `at` as struct tm (its fields only). */
static struct tm
s_date (int64_t at)
{
    time_t t = (time_t) ((at + CG_TZ_OFFSET_MS) / 1000);
    struct tm tm;
    gmtime_r (&t, &tm);
    return tm;
}

static void
s_name (struct tm tm, const char *format, char *buf, size_t len)
{
    time_t t = timegm (&tm);    /* normalises a month or day gone out of range */
    gmtime_r (&t, &tm);
    strftime (buf, len, format, &tm);
}

/*  Fills one hash as dispatch's counts leave it: each unit with three
    categories, `metrics` metrics each, counts about `per` a field. */
static void
s_fill (bench_t *b, const char *key, size_t metrics, int64_t per, int64_t *fields)
{
    cg_args_t args;
    cg_args_init (&args);
    size_t sent = 0;
    for (size_t u = 0; u < b->nunits; u++)
        for (size_t c = 0; c < 3; c++)
            for (size_t m = 0; m < metrics; m++) {
                if (args.argc == 0) {
                    cg_args_add_str (&args, "HSET");
                    cg_args_add_str (&args, key);
                }
                cg_args_addf (&args, "%s|%s|%s", b->units[u],
                              b->categories[(u * 3 + c) % b->ncategories], s_month_metrics[m]);
                cg_args_add_int (&args, per / (int64_t) (m + 1) + (int64_t) ((u + c) % 7));
                (*fields)++;
                if (args.argc >= 2 + 2 * S_PAIRS) {
                    cg_redis_append (b->redis, &args);
                    cg_args_reset (&args);
                    sent++;
                }
            }
    if (args.argc) {
        cg_redis_append (b->redis, &args);
        sent++;
    }
    cg_args_free (&args);
    for (size_t i = 0; i < sent; i++) {
        redisReply *r = cg_redis_reply (b->redis);
        if (r)
            freeReplyObject (r);
    }
}

static void
s_figure (bench_t *b, const char *name, double v, const char *why)
{
    bench_figure_t f = { .section = "statistics", .name = name, .unit = "ms", .med = v,
                         .min = v, .max = v, .target = "< 500 ms",
                         .verdict = v > 0 ? v < S_TARGET_MS : 0 };
    if (*why)
        printf ("statistics: %s refused: %s\n", name, why);
    bench_figure (b, &f);
}

/*  The first query, which reads every hash from Redis, then n more, which
    find the hashes of days that are over kept by dispatch's worker. */
static void
s_time (bench_t *b, const char *what, cg_stats_query_t *query, int n)
{
    char name[96], why[256];
    snprintf (name, sizeof name, "%s: the first", what);
    s_figure (b, name, bench_query_p99 (b, "case.stats", &cg_stats_query_def, query, 1, why,
                                        sizeof why), why);
    snprintf (name, sizeof name, "%s: p99 after", what);
    s_figure (b, name, bench_query_p99 (b, "case.stats", &cg_stats_query_def, query, n, why,
                                        sizeof why), why);
    free (query->rid);          /* bench_query_p99 set it */
    query->rid = NULL;
}

void
bench_stats (bench_t *b)
{
    printf ("== statistics\n");
    if (!b->nunits) {
        printf ("statistics: the org tree has no units; skipped\n");
        return;
    }
    struct tm today = s_date (cg_clock_now ());
    char (*keys)[64] = calloc (S_KEYS, sizeof *keys);
    assert (keys);
    int64_t fields = 0;
    for (int m = 1; m <= S_MONTHS; m++) {
        struct tm tm = today;
        tm.tm_mday = 1;
        tm.tm_mon -= m;
        char name[16];
        s_name (tm, "%Y-%m", name, sizeof name);
        snprintf (keys[m - 1], sizeof keys[0], "cg:{dispatch}:sm:%s", name);
        s_fill (b, keys[m - 1], 8, 94, &fields);
    }
    double months = 0;          /* bytes Redis gives the month hashes */
    for (int m = 0; m < S_MONTHS; m++)
        months += (double) bench_redis_int (b, 0, "MEMORY USAGE %s SAMPLES 0", keys[m]);
    int64_t month_fields = fields;
    for (int d = 1; d <= S_DAYS; d++) {
        struct tm tm = today;
        tm.tm_mday -= d;
        char name[16];
        s_name (tm, "%Y-%m-%d", name, sizeof name);
        snprintf (keys[S_MONTHS + d - 1], sizeof keys[0], "cg:{dispatch}:st:%s", name);
        s_fill (b, keys[S_MONTHS + d - 1], S_DAY_METRICS, 3, &fields);
    }
    /*  the weeks the days lie in, each with a month's fields (a week sees
        about as many units, categories and metrics as a month) */
    struct tm first_day = today;
    first_day.tm_mday -= S_DAYS;
    time_t t = timegm (&first_day);
    gmtime_r (&t, &first_day);
    for (int w = 0; w < S_WEEKS; w++) {
        struct tm tm = first_day;
        tm.tm_mday -= (first_day.tm_wday + 6) % 7 - 7 * w;
        char name[16];
        s_name (tm, "%Y-%m-%d", name, sizeof name);
        snprintf (keys[S_MONTHS + S_DAYS + S_YEARS + w], sizeof keys[0],
                  "cg:{dispatch}:sw:%s", name);
        s_fill (b, keys[S_MONTHS + S_DAYS + S_YEARS + w], 8, 21, &fields);
    }
    printf ("statistics: %lld fields in %d month, %d week and %d day hashes\n",
            (long long) fields, S_MONTHS, S_WEEKS, S_DAYS);
    /*  the years and every hash's city totals, by dispatch's own scripts */
    for (int y = 0; y < S_YEARS; y++) {
        struct tm tm = today;
        tm.tm_mday = 1;
        tm.tm_mon = 0;
        tm.tm_year -= y;
        char name[16];
        s_name (tm, "%Y", name, sizeof name);
        snprintf (keys[S_MONTHS + S_DAYS + y], sizeof keys[0], "cg:{dispatch}:sy:%s", name);
        for (int m = 1; m <= 12; m++) {     /* as stats_make_year, a month a call */
            cg_args_t args;
            cg_args_init (&args);
            cg_args_add_str (&args, keys[S_MONTHS + S_DAYS + y]);
            cg_args_addf (&args, "cg:{dispatch}:sm:%s-%02d", name, m);
            cg_args_add_str (&args, m == 1 ? "1" : "0");
            cg_args_add_str (&args, m == 12 ? "1" : "0");
            redisReply *r = cg_redis_script (b->redis, "stats_year", 0, &args);
            if (r)
                freeReplyObject (r);
            cg_args_free (&args);
        }
    }
    for (int i = 0; i < S_KEYS; i++) {
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, keys[i]);
        redisReply *r = cg_redis_script (b->redis, "stats_total", 0, &args);
        if (r)
            freeReplyObject (r);
        r = cg_redis_script (b->redis, "stats_parts", 0, &args);
        if (r)
            freeReplyObject (r);
        cg_args_free (&args);
    }
    bench_figure_t mem = { .section = "statistics", .name = "Redis memory a month of city "
                           "counters keeps (25,000 fields)", .unit = "MB",
                           .verdict = -1 };
    mem.med = mem.min = mem.max = months / S_MONTHS / 1e6;
    bench_figure (b, &mem);
    printf ("statistics: %.1f fields a month hash\n", (double) month_fields / S_MONTHS);
    /*  what the counties' parts of the months add (layout 4) */
    redisReply *counties = cg_redis_command (b->redis, "SMEMBERS cg:{dispatch}:st:parts");
    double part_bytes = 0;
    for (int m = 0; m < S_MONTHS; m++)
        for (size_t k = 0; counties && counties->type == REDIS_REPLY_ARRAY
                        && k < counties->elements; k++)
            part_bytes += (double) bench_redis_int (b, 0, "MEMORY USAGE %s|%s SAMPLES 0", keys[m],
                                               cg_reply_str (counties->element[k]));
    if (counties)
        freeReplyObject (counties);
    bench_figure_t more = { .section = "statistics", .name = "Redis memory a month's "
                            "counties' parts keep besides", .unit = "MB", .verdict = -1 };
    more.med = more.min = more.max = part_bytes / S_MONTHS / 1e6;
    bench_figure (b, &more);

    int n = b->quick ? 20 : 100;
    char from[16], to[16];
    struct tm tm = today;
    tm.tm_mday -= 30;
    s_name (tm, "%Y-%m-%d", from, sizeof from);
    tm = today;
    tm.tm_mday -= 1;
    s_name (tm, "%Y-%m-%d", to, sizeof to);
    cg_stats_query_t month = { .scope = "320600", .from = from, .to = to, .by = "day" };
    s_time (b, "city, last 30 days by day", &month, n);
    char first[16], last[16];
    tm = today;
    tm.tm_mday = 1;
    tm.tm_mon -= S_MONTHS;
    s_name (tm, "%Y-%m-%d", first, sizeof first);
    tm = today;
    tm.tm_mday = 0;             /* the last day of the month before */
    s_name (tm, "%Y-%m-%d", last, sizeof last);
    cg_stats_query_t years = { .scope = "320600", .from = first, .to = last, .by = "month" };
    s_time (b, "city, five years by month", &years, n);
    /*  a town's and another county's month, year and five years, each
        the first query of its county: they read their county's part of
        each hash (docs/DISPATCH.md), a tenth of it; the five years' query
        finds the year's months kept by the worker */
    char year_first[16];
    tm = today;
    tm.tm_mday = 1;
    tm.tm_mon -= 12;
    s_name (tm, "%Y-%m-%d", year_first, sizeof year_first);
    const char *scopes[][2] = { { "town", "320602001" }, { "county", "320612" } };
    for (size_t k = 0; k < 2; k++) {
        cg_stats_query_t q[] = {
            { .scope = (char *) scopes[k][1], .from = from, .to = to, .by = "day" },
            { .scope = (char *) scopes[k][1], .from = year_first, .to = last, .by = "month" },
            { .scope = (char *) scopes[k][1], .from = first, .to = last, .by = "month" } };
        const char *what[] = { "last 30 days by day", "last 12 months by month",
                               "five years by month" };
        for (size_t i = 0; i < 3; i++) {
            char name[96], why[256];
            snprintf (name, sizeof name, "%s, %s: the first", scopes[k][0], what[i]);
            s_figure (b, name, bench_query_p99 (b, "case.stats", &cg_stats_query_def, &q[i],
                                                1, why, sizeof why), why);
            free (q[i].rid);
        }
    }
    scenario_sample_rss (b);    /* dispatch's peak, with what its worker keeps */
    redisReply *parts = cg_redis_command (b->redis, "SMEMBERS cg:{dispatch}:st:parts");
    for (int i = 0; i < S_KEYS; i++) {
        redisReply *r = cg_redis_command (b->redis, "UNLINK %s", keys[i]);
        if (r)
            freeReplyObject (r);
        for (size_t k = 0; parts && parts->type == REDIS_REPLY_ARRAY && k < parts->elements; k++) {
            r = cg_redis_command (b->redis, "UNLINK %s|%s", keys[i],
                                  cg_reply_str (parts->element[k]));
            if (r)
                freeReplyObject (r);
        }
    }
    if (parts)
        freeReplyObject (parts);
    free (keys);
}
