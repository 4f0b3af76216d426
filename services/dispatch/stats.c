/*  stats — counts per unit, category and day, week and month, rolled up
    for any subtree over any range up to ten years.

    Every count is one field "<unit>|<category>|<metric>", added by the
    same script as the change it counts (lib.lua's stats_add) to five
    hashes: the day's cg:{dispatch}:st:<YYYY-MM-DD>, the week's
    cg:{dispatch}:sw:<its Monday, YYYY-MM-DD>, the month's
    cg:{dispatch}:sm:<YYYY-MM>, the year's cg:{dispatch}:sy:<YYYY> and the
    hour's (below), each of the China-time day it happened.
    Received is counted when intake's case is routed (dispatch_received),
    the others by case_move as machine.c plans them.  A case routed from
    intake is dispatched as it is received, so `dispatched` is not kept
    twice: it is received plus redispatched (dispatched again: transferred,
    redone, reopened, sent up a level, ...), summed when read.  Whatever a
    metric is called, its field goes to the five hashes alike, and a
    query sums every stored metric that stats.row has a field of that name
    for: a metric added to CG_STATS_METRICS (proto/msg_dispatch.h) needs
    nothing here.

    Each count also goes to the hour's hash cg:{dispatch}:sh:<YYYY-MM-DD>T<HH>
    (China time), so that today's volume by hour is read from 24 hashes,
    not from the cases (a query by hour spans at most 7 days).  Hours are
    dropped with their day.  A store written before hours were kept has
    none for the days before the upgrade: those hours read as zero (no
    rollup can make them, the day's hash has no time of day).

    Days are kept dispatch/stats_days days (400 by default: a year by day,
    with its edges), weeks and months for good: at Nantong's 10,000 cases
    a day a month's hash holds about 25,000 fields, 2.3 MB, so ten years
    of weeks and months take about 1.5 GB, where ten years of days would
    take 6 GB (docs/BENCHMARKS.md).  cg:{dispatch}:st:from is the first day
    still kept; a timer drops the older ones (stats_on_trim).

    A unit's count also goes to its county's part of the day's, week's,
    month's and year's hash, <key>|<county> (lib.lua's stats_add: the
    county is the field's first six characters when they are digits), and
    a query below the city whose codes all start with its own reads those
    parts (s_part): a tenth of each hash at Nantong.  The parts take as
    much again as the hashes.

    A query names its rows over time: by day (at most 366 of them), week
    or month (up to ten years: 523 weeks, 121 months).  A week or month
    wholly within the range is read from its own hash; one cut by the
    range's ends is read day by day, which is refused, naming the end,
    where those days are no longer kept.  So the reply is bounded whatever
    the range, and ten years by month read 120 hashes, not 3,653.  A unit
    answers to one center (a center's own queue counts as the center), so
    a query for a subtree keeps the fields whose unit lies in it, summing
    them as the total, by center, unit, category, and over time.

    The query reads much, so it is served on a worker thread
    (cg_server_on_worker) with its own Redis connection and its own copy of
    the org tree, loaded again when dispatch's data is reloaded: the
    command loop never waits for it.  The worker reads and sums the hashes
    as tally.c does: each stored field a number, and the hashes of days,
    weeks and months that are over kept (they can no longer change), so a
    query over years asked again reads Redis only for what is current.

    Stores written before weeks and months were kept have days only:
    stats_start rolls each such day into its week and month once, at
    start (cg:{dispatch}:st:layout says it was done; st:rolled, which
    days were, should it be cut short), before dispatch writes a count. */
#include "stats.h"
#include "keys.h"
#include "cg_clock.h"
#include "tally.h"

#include <ctype.h>
#include <stdatomic.h>
#include <time.h>

#define S_DAYS_MAX      366         /* rows by day */
#define S_HOURS_DAYS_MAX 7          /* days of a range by hour: 168 rows */
#define S_YEARS_MAX     10          /* a range */
#define S_LAYOUT_WEEKS  "2"         /* days, weeks and months */
#define S_LAYOUT_YEARS  "3"         /* and years, and the city's totals */
#define S_LAYOUT        "4"         /* and the counties' parts */
#define S_PARTS         S_PREFIX "st:parts"

/*  Bumped when dispatch loads its data anew: the worker's org tree is then
    loaded again (it may not share the command loop's). */
static atomic_int s_generation;

/* --- days --------------------------------------------------------------- */

/*  A day is its number since 1970-01-01 (China time). */
static int64_t
s_day_of (int64_t at)
{
    int64_t local = at + CG_TZ_OFFSET_MS;
    return local >= 0 ? local / CG_DAY_MS : (local - CG_DAY_MS + 1) / CG_DAY_MS;
}

static void
s_day_name (int64_t day, char *buf, size_t len)
{
    time_t t = (time_t) (day * 86400);
    struct tm tm;
    gmtime_r (&t, &tm);
    strftime (buf, len, "%Y-%m-%d", &tm);
}

/*  The Monday of day's week (1970-01-01 was a Thursday). */
static int64_t
s_monday (int64_t day)
{
    return day - ((day % 7 + 7 + 3) % 7);
}

/*  The first day of day's month, and of the month months on from it. */
static int64_t
s_month_start (int64_t day, int months)
{
    time_t t = (time_t) (day * 86400);
    struct tm tm;
    gmtime_r (&t, &tm);
    tm.tm_mday = 1;
    tm.tm_mon += months;
    return (int64_t) timegm (&tm) / 86400;
}

static int
s_parse_day (const char *text, int64_t *day)
{
    struct tm tm = { 0 };
    int n = 0;
    if (!text || sscanf (text, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3
    ||  n != 10 || text[10])
        return -1;
    int year = tm.tm_year, month = tm.tm_mon, mday = tm.tm_mday;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    time_t t = timegm (&tm);
    gmtime_r (&t, &tm);         /* 2025-02-30 comes back as March */
    *day = (int64_t) t / 86400;
    return tm.tm_year + 1900 == year && tm.tm_mon + 1 == month && tm.tm_mday == mday ? 0 : -1;
}

/*  The hash of a day, a week (by its Monday), a month or a year. */
static void
s_key (char kind, int64_t day, char *buf, size_t len)
{
    char name[16];
    s_day_name (day, name, sizeof name);
    if (kind == 'm')
        name[7] = 0;
    if (kind == 'y')
        name[4] = 0;
    snprintf (buf, len, S_PREFIX "s%c:%s", kind, name);
}

/*  The hash of one hour of a day (0 to 23, China time). */
static void
s_hour_key (int64_t day, int hour, char *buf, size_t len)
{
    char name[16];
    s_day_name (day, name, sizeof name);
    snprintf (buf, len, S_PREFIX "sh:%sT%02d", name, hour);
}

/*  The day's, its week's, its month's and its year's hashes. */
static void
s_period_keys (int64_t day, char *buf, size_t len)
{
    char d[64], w[64], m[64], y[64];
    s_key ('t', day, d, sizeof d);
    s_key ('w', s_monday (day), w, sizeof w);
    s_key ('m', day, m, sizeof m);
    s_key ('y', day, y, sizeof y);
    snprintf (buf, len, "%s %s %s %s", d, w, m, y);
}

void
stats_keys (int64_t at, char *buf, size_t len)
{
    int64_t day = s_day_of (at);
    char periods[200], hour[64];
    s_period_keys (day, periods, sizeof periods);
    int64_t into = at + CG_TZ_OFFSET_MS - day * CG_DAY_MS;
    s_hour_key (day, (int) (into / 3600000), hour, sizeof hour);
    snprintf (buf, len, "%s %s", periods, hour);
}

void
stats_count (cg_args_t *args, int64_t at, const char *unit, const char *category,
             const char *metric)
{
    char keys[256];
    stats_keys (at, keys, sizeof keys);
    cg_args_add_str (args, keys);
    cg_args_addf (args, "%s|%s|%s", unit ? unit : "-", category ? category : "-", metric);
}

/* --- keeping: the rollup of an old store, and the days dropped --------------- */

/*  dispatch/stats_days (cg_config.h), checked when the daemon starts. */
static int64_t
s_days_kept (cg_daemon_t *daemon)
{
    return cg_daemon_int (daemon, "dispatch/stats_days");
}

/*  The first day still kept, from st:from; -1 when none is set. */
static int64_t
s_kept_from (cg_redis_t *redis)
{
    redisReply *r = cg_redis_command (redis, "GET " S_PREFIX "st:from");
    int64_t day = -1;
    if (r && r->type == REDIS_REPLY_STRING && s_parse_day (r->str, &day))
        day = -1;
    if (r)
        freeReplyObject (r);
    return day;
}

/*  Drops the days before `until` from `from` on, and makes `until` the
    first kept, in one transaction. */
static int
s_drop_days (cg_redis_t *redis, int64_t from, int64_t until)
{
    redisReply *parts = cg_redis_command (redis, "SMEMBERS " S_PARTS);
    if (!parts || parts->type != REDIS_REPLY_ARRAY) {
        if (parts)
            freeReplyObject (parts);
        return -1;
    }
    while (from < until) {
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, "DEL");
        int64_t upto = from + 256 < until ? from + 256 : until;
        for (int64_t day = from; day < upto; day++) {
            char key[64];
            s_key ('t', day, key, sizeof key);
            cg_args_add_str (&args, key);
            for (size_t i = 0; i < parts->elements; i++)
                cg_args_addf (&args, "%s|%s", key, cg_reply_str (parts->element[i]));
            for (int hour = 0; hour < 24; hour++) {
                s_hour_key (day, hour, key, sizeof key);
                cg_args_add_str (&args, key);
            }
        }
        char name[16];
        s_day_name (upto, name, sizeof name);
        redisReply *r = cg_redis_command (redis, "MULTI");
        if (r)
            freeReplyObject (r);
        r = cg_redis_command (redis, "SET " S_PREFIX "st:from %s", name);
        if (r)
            freeReplyObject (r);
        r = cg_redis_argv (redis, &args);
        if (r)
            freeReplyObject (r);
        cg_args_free (&args);
        r = cg_redis_command (redis, "EXEC");
        bool done = r && r->type == REDIS_REPLY_ARRAY;
        if (r)
            freeReplyObject (r);
        if (!done)
            break;
        from = upto;
    }
    freeReplyObject (parts);
    return from < until ? -1 : 0;
}

static int
s_trim (cg_daemon_t *daemon)
{
    int64_t until = s_day_of (cg_clock_now ()) - s_days_kept (daemon) + 1;
    int64_t from = s_kept_from (daemon->redis);
    if (from < 0) {             /* a new store: from now on */
        char name[16];
        s_day_name (until, name, sizeof name);
        redisReply *r = cg_redis_command (daemon->redis, "SET " S_PREFIX "st:from %s NX",
                                          name);
        if (r)
            freeReplyObject (r);
        return r ? 0 : -1;
    }
    return from < until ? s_drop_days (daemon->redis, from, until) : 0;
}

int
stats_on_trim (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    if (s_trim (arg))
        zsys_warning ("dispatch: could not drop old daily statistics; will try again");
    return 0;
}

/*  The day hashes of one SCAN step, as day numbers, into days. */
static int
s_scanned_days (const redisReply *keys, void *arg)
{
    for (size_t i = 0; i < keys->elements; i++) {
        int64_t day;
        if (s_parse_day (keys->element[i]->str + strlen (S_PREFIX "st:"), &day) == 0)
            zlistx_add_end (arg, (void *) (intptr_t) day);
    }
    return 0;
}

/*  Every day hash of the store, by SCAN, as day numbers, in order. */
static int
s_stored_days (cg_redis_t *redis, zlistx_t *days)
{
    if (cg_redis_scan (redis, S_PREFIX "st:\?\?\?\?-\?\?-\?\?", 1000, s_scanned_days, days))
        return -1;
    zlistx_sort (days);
    return 0;
}

static int
s_compare_days (const void *a, const void *b)
{
    intptr_t x = (intptr_t) a, y = (intptr_t) b;
    return x < y ? -1 : x > y;
}

static int
s_scanned (const redisReply *keys, void *arg)
{
    for (size_t i = 0; i < keys->elements; i++)
        zlistx_add_end (arg, keys->element[i]->str);
    return 0;
}

/*  Every key of the store that matches pattern (after the prefix), by
    SCAN, into keys (strings). */
static int
s_scan (cg_redis_t *redis, const char *pattern, zlistx_t *keys)
{
    char match[256];
    snprintf (match, sizeof match, S_PREFIX "%s", pattern);
    return cg_redis_scan (redis, match, 1000, s_scanned, keys);
}

int
stats_make_year (cg_redis_t *redis, const char *year)
{
    int rc = 0;
    for (int month = 1; month <= 12 && rc == 0; month++) {
        cg_args_t args;
        cg_args_init (&args);
        cg_args_addf (&args, S_PREFIX "sy:%s", year);
        cg_args_addf (&args, S_PREFIX "sm:%s-%02d", year, month);
        cg_args_add_str (&args, month == 1 ? "1" : "0");
        cg_args_add_str (&args, month == 12 ? "1" : "0");
        redisReply *r = cg_redis_script (redis, "stats_year", 0, &args);
        cg_args_free (&args);
        if (!r || r->type != REDIS_REPLY_INTEGER)
            rc = -1;
        if (r)
            freeReplyObject (r);
    }
    return rc;
}

int
stats_make (cg_redis_t *redis, const char *script, const char *key)
{
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, key);
    redisReply *r = cg_redis_script (redis, script, 0, &args);
    cg_args_free (&args);
    int rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : -1;
    if (r)
        freeReplyObject (r);
    return rc;
}

/*  Runs script (of one argument, the key) on every day, week, month and
    year hash, counting them in *hashes; then records layout in st:layout. */
static int
s_each_hash (cg_redis_t *redis, const char *script, size_t *hashes, const char *layout)
{
    zlistx_t *keys = zlistx_new ();
    zlistx_set_destructor (keys, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_duplicator (keys, (zlistx_duplicator_fn *) strdup);
    const char *patterns[] = { "st:\?\?\?\?-\?\?-\?\?", "sw:\?\?\?\?-\?\?-\?\?",
                               "sm:\?\?\?\?-\?\?", "sy:\?\?\?\?" };
    int rc = 0;
    for (size_t k = 0; k < 4 && rc == 0; k++)
        rc = s_scan (redis, patterns[k], keys);
    for (const char *key = zlistx_first (keys); key && rc == 0; key = zlistx_next (keys)) {
        rc = stats_make (redis, script, key);
        (*hashes)++;
    }
    zlistx_destroy (&keys);
    if (rc == 0) {
        redisReply *r = cg_redis_command (redis, "SET " S_PREFIX "st:layout %s", layout);
        rc = r ? 0 : -1;
        if (r)
            freeReplyObject (r);
    }
    return rc;
}

/*  A store of layout 3 gets the counties' parts of every day, week, month
    and year hash (stats_parts.lua, lib.lua's stats_add), each made anew,
    so a rollup cut short is done again whole.  Then the layout says so. */
static int
s_roll_parts (cg_redis_t *redis)
{
    size_t hashes = 0;
    int rc = s_each_hash (redis, "stats_parts", &hashes, S_LAYOUT);
    if (rc == 0 && hashes)
        zsys_info ("dispatch: statistics: the counties' parts of %zu hashes made", hashes);
    return rc;
}

/*  A store of layout 2 gets its years, made from its months
    (stats_year.lua), and every hash the city's totals (stats_total.lua);
    both scripts write from scratch, so a rollup cut short is done again
    whole.  Then the layout says so. */
static int
s_roll_years (cg_redis_t *redis)
{
    zlistx_t *keys = zlistx_new ();
    zlistx_set_destructor (keys, (zlistx_destructor_fn *) zstr_free);
    zlistx_set_duplicator (keys, (zlistx_duplicator_fn *) strdup);
    int rc = s_scan (redis, "sm:\?\?\?\?-\?\?", keys);
    zhashx_t *years = zhashx_new ();
    for (const char *key = zlistx_first (keys); key && rc == 0; key = zlistx_next (keys)) {
        char year[8];
        snprintf (year, sizeof year, "%.4s", key + strlen (S_PREFIX "sm:"));
        if (zhashx_lookup (years, year))
            continue;
        zhashx_insert (years, year, (void *) 1);
        rc = stats_make_year (redis, year);
    }
    size_t nyears = zhashx_size (years);
    zhashx_destroy (&years);
    zlistx_destroy (&keys);
    size_t hashes = 0;
    if (rc == 0)
        rc = s_each_hash (redis, "stats_total", &hashes, S_LAYOUT_YEARS);
    if (rc == 0 && hashes)
        zsys_info ("dispatch: statistics: %zu years made from their months, the city's "
                   "totals of %zu hashes", nyears, hashes);
    return rc ? rc : s_roll_parts (redis);
}

/*  Rolls each stored day into its week and month (stats_rollup.lua), then
    makes the years and the city's totals (s_roll_years). */
static int
s_roll_up (cg_daemon_t *daemon)
{
    cg_redis_t *redis = daemon->redis;
    redisReply *r = cg_redis_command (redis, "GET " S_PREFIX "st:layout");
    bool done = r && r->type == REDIS_REPLY_STRING && strcmp (r->str, S_LAYOUT) == 0;
    bool weeks = r && r->type == REDIS_REPLY_STRING && strcmp (r->str, S_LAYOUT_WEEKS) == 0;
    bool years = r && r->type == REDIS_REPLY_STRING && strcmp (r->str, S_LAYOUT_YEARS) == 0;
    if (r)
        freeReplyObject (r);
    if (!r)
        return -1;
    if (done)
        return 0;
    if (years)
        return s_roll_parts (redis);
    if (weeks)
        return s_roll_years (redis);
    zlistx_t *days = zlistx_new ();
    zlistx_set_comparator (days, s_compare_days);
    int rc = s_stored_days (redis, days);
    size_t rolled = 0;
    for (void *it = zlistx_first (days); it && rc == 0; it = zlistx_next (days)) {
        int64_t day = (intptr_t) it;
        char name[16], keys[200];
        s_day_name (day, name, sizeof name);
        s_period_keys (day, keys, sizeof keys);     /* no hours: a store before them has none */
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, S_PREFIX);
        cg_args_add_str (&args, name);
        cg_args_add_str (&args, keys);
        cg_args_add_str (&args, S_LAYOUT_WEEKS);
        r = cg_redis_script (redis, "stats_rollup", 0, &args);
        cg_args_free (&args);
        if (!r || r->type != REDIS_REPLY_INTEGER)
            rc = -1;
        else
            rolled += r->integer > 0;
        if (r)
            freeReplyObject (r);
    }
    /*  the first day kept: the oldest stored, if older than what was */
    int64_t from = s_kept_from (redis);
    void *oldest = zlistx_first (days);
    if (rc == 0 && oldest && (from < 0 || (intptr_t) oldest < from)) {
        char name[16];
        s_day_name ((intptr_t) oldest, name, sizeof name);
        r = cg_redis_command (redis, "SET " S_PREFIX "st:from %s", name);
        rc = r ? 0 : -1;
        if (r)
            freeReplyObject (r);
    }
    if (rc == 0) {
        r = cg_redis_command (redis, "SET " S_PREFIX "st:layout " S_LAYOUT_WEEKS);
        if (r)
            freeReplyObject (r);
        r = r ? cg_redis_command (redis, "DEL " S_PREFIX "st:rolled") : NULL;
        if (r)
            freeReplyObject (r);
        rc = r ? 0 : -1;
    }
    if (rolled)
        zsys_info ("dispatch: rolled %zu days of statistics up into weeks and months", rolled);
    zlistx_destroy (&days);
    return rc ? rc : s_roll_years (redis);
}

int
stats_start (cg_daemon_t *daemon)
{
    if (s_roll_up (daemon) || s_trim (daemon)) {
        zsys_error ("dispatch: could not roll the statistics up: Redis failed");
        return -1;
    }
    return 0;
}

/* --- the query ------------------------------------------------------------ */

/*  The day the command loop last saw, for the worker (stats_on_clock). */
static _Atomic int64_t s_today = -1;

struct _stats_t {
    cg_redis_t *redis;
    char *orgtree_path;
    cg_orgtree_t *org;
    int generation;             /* of the data it loaded */
    tally_t *tally;
};

int
stats_on_clock (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    (void) arg;
    atomic_store (&s_today, s_day_of (cg_clock_now ()));
    return 0;
}

stats_t *
stats_new (cg_daemon_t *daemon)
{
    stats_t *self = calloc (1, sizeof *self);
    assert (self);
    stats_on_clock (NULL, 0, NULL);
    self->redis = cg_daemon_redis_new (daemon);
    self->orgtree_path = strdup (cg_daemon_get (daemon, "data/orgtree",
                                                "deploy/demo/orgtree.tsv"));
    char err[512];
    self->generation = atomic_load (&s_generation);
    self->org = cg_orgtree_load (self->orgtree_path, err, sizeof err);
    int64_t cache_mb = cg_daemon_int (daemon, "dispatch/stats_cache_mb");
    self->tally = tally_new (self->redis, (size_t) cache_mb << 20);
    tally_set_org (self->tally, self->org);
    if (!self->redis || !self->org) {
        zsys_error ("dispatch: statistics: %s", self->org ? "Redis cannot be reached" : err);
        stats_destroy (&self);
    }
    return self;
}

void
stats_destroy (stats_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    stats_t *self = *self_p;
    tally_destroy (&self->tally);
    cg_redis_destroy (&self->redis);
    cg_orgtree_destroy (&self->org);
    free (self->orgtree_path);
    free (self);
    *self_p = NULL;
}

void
stats_data_changed (void)
{
    atomic_fetch_add (&s_generation, 1);
}

/*  The org tree as dispatch now has it. */
static void
s_follow_data (stats_t *self)
{
    int generation = atomic_load (&s_generation);
    if (generation == self->generation)
        return;
    char err[512];
    cg_orgtree_t *org = cg_orgtree_load (self->orgtree_path, err, sizeof err);
    if (org) {
        tally_set_org (self->tally, org);
        cg_orgtree_destroy (&self->org);
        self->org = org;
    }
    else
        zsys_warning ("dispatch: statistics keep the org tree they had: %s", err);
    self->generation = generation;
}

/*  The next bucket's first day after the one that starts at `start`. */
static int64_t
s_next (char by, int64_t start)
{
    return by == 'd' ? start + 1 : by == 'w' ? start + 7 : s_month_start (start, 1);
}

/*  Plans the reads of [from, to] by hour, day, week or month: a row over
    time for each (its name in buckets), and its own hash, or its days
    where the range cuts it.  A day before `kept` is refused naming the end it is
    at.  Returns the number of reads, or -1 with the refusal in reply. */
static ssize_t
s_plan (char by, int64_t from, int64_t to, int64_t kept, tally_read_t **reads_p,
        char (*buckets)[16], size_t *nbuckets, cg_reply_t *reply)
{
    int64_t first = by == 'd' ? from : by == 'w' ? s_monday (from) : s_month_start (from, 0);
    size_t cap = 64, count = 0;
    tally_read_t *reads = malloc (cap * sizeof *reads);
    assert (reads);
    *nbuckets = 0;
    if (by == 'h') {            /* each hour its own hash, kept as long as its day */
        if (from < kept) {
            char since[16];
            s_day_name (kept, since, sizeof since);
            cg_reply_fail (reply, "invalid", "from", "hours are kept with their days, from "
                           "%s on", since);
            free (reads);
            return -1;
        }
        reads = realloc (reads, (size_t) (to - from + 1) * 24 * sizeof *reads);
        assert (reads);
        for (int64_t day = from; day <= to; day++)
            for (int hour = 0; hour < 24; hour++) {
                char name[16];
                s_day_name (day, name, sizeof name);
                snprintf (buckets[*nbuckets], 16, "%sT%02d", name, hour);
                s_hour_key (day, hour, reads[count].key, sizeof reads[count].key);
                reads[count].kind = TALLY_ALL;
                reads[count].bucket = *nbuckets;
                reads[count++].last_day = day;
                (*nbuckets)++;
            }
        *reads_p = reads;
        return (ssize_t) count;
    }
    for (int64_t start = first; start <= to; start = s_next (by, start)) {
        int64_t end = s_next (by, start) - 1;
        s_day_name (start, buckets[*nbuckets], 16);
        if (by == 'm')
            buckets[*nbuckets][7] = 0;
        bool whole = by != 'd' && start >= from && end <= to;
        int64_t lo = whole ? start : start > from ? start : from;
        int64_t hi = whole ? start : end < to ? end : to;
        for (int64_t day = lo; day <= hi; day++) {
            if (!whole && day < kept) {
                char since[16];
                s_day_name (kept, since, sizeof since);
                cg_reply_fail (reply, "invalid", start <= from ? "from" : "to", "days are "
                               "kept from %s on; before that ask by week from a Monday to a "
                               "Sunday or by month from a month's first day to its last",
                               since);
                free (reads);
                return -1;
            }
            if (count == cap) {
                cap *= 2;
                reads = realloc (reads, cap * sizeof *reads);
                assert (reads);
            }
            s_key (whole ? by : 't', day, reads[count].key, sizeof reads[count].key);
            reads[count].kind = TALLY_ALL;
            reads[count].bucket = *nbuckets;
            reads[count++].last_day = whole ? end : day;
        }
        (*nbuckets)++;
    }
    *reads_p = reads;
    return (ssize_t) count;
}

/*  Appends a read of the hash of kind (s_key) at day. */
static void
s_push (tally_read_t **reads, size_t *count, size_t *cap, char kind, int64_t day,
        int64_t last_day, tally_kind_t what)
{
    if (*count == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *reads = realloc (*reads, *cap * sizeof **reads);
        assert (*reads);
    }
    tally_read_t *read = &(*reads)[(*count)++];
    memset (read, 0, sizeof *read);
    s_key (kind, day, read->key, sizeof read->key);
    read->last_day = last_day;
    read->kind = what;
}

/*  The city's plan.  Its rows over time read only the city's totals of
    each hash s_plan names (TALLY_CITY_ROW: a few fields, not the whole
    hash); its totals by center, unit and category read the fewest hashes
    that cover [from, to] once (TALLY_TOTALS): whole years, whole months,
    whole weeks, and the days still kept at the edges.  So five years by
    month read 5 years and the months and days at the edges whole, and 60
    months' totals; the last 30 days read 3 or 4 weeks and the days at
    their edges (6 to 12 hashes), not 30 days.  Returns the number of reads,
    -1 after a refusal, or -2 when no cover exists (a range that starts
    within a week whose days are gone): then s_plan's reads serve. */
static ssize_t
s_plan_city (char by, int64_t from, int64_t to, int64_t kept, tally_read_t **reads_p,
             char (*buckets)[16], size_t *nbuckets, cg_reply_t *reply)
{
    ssize_t n = s_plan (by, from, to, kept, reads_p, buckets, nbuckets, reply);
    if (n < 0)
        return n;
    tally_read_t *reads = *reads_p;
    size_t count = (size_t) n, cap = (size_t) n;
    for (size_t i = 0; i < count; i++)
        reads[i].kind = TALLY_CITY_ROW;
    for (int64_t day = from; day <= to; ) {
        int64_t year_end = s_month_start (day, 12) - 1, month_end = s_month_start (day, 1) - 1;
        char name[16];
        s_day_name (day, name, sizeof name);
        if (strcmp (name + 4, "-01-01") == 0 && year_end <= to) {
            s_push (&reads, &count, &cap, 'y', day, year_end, TALLY_TOTALS);
            day = year_end + 1;
        }
        else
        if (s_month_start (day, 0) == day && month_end <= to) {
            s_push (&reads, &count, &cap, 'm', day, month_end, TALLY_TOTALS);
            day = month_end + 1;
        }
        else
        if (s_monday (day) == day && day + 6 <= to) {
            s_push (&reads, &count, &cap, 'w', day, day + 6, TALLY_TOTALS);
            day += 7;
        }
        else
        if (day >= kept) {
            s_push (&reads, &count, &cap, 't', day, day, TALLY_TOTALS);
            day++;
        }
        else {
            *reads_p = reads;
            return -2;
        }
    }
    *reads_p = reads;
    return (ssize_t) count;
}

/*  The county's part of each hash that holds every field of scope's
    subtree (lib.lua's stats_add: the first six characters of a field when
    they are digits), into part: where scope is below the city, its code
    starts with six digits, and so does every code under it (as centers',
    communities' and grids' codes must and units' do by convention,
    docs/DATA-FORMATS.md).  False where a code breaks the convention: the
    whole hashes are read.  Fields of other units a part holds are left
    out by tally_sum as before. */
static bool
s_part (const cg_org_node_t *scope, char part[8])
{
    size_t prefix = strlen (scope->code);
    if (!scope->parent || prefix < 6)
        return false;
    for (size_t i = 0; i < 6; i++)
        if (!isdigit ((unsigned char) scope->code[i]))
            return false;
    const cg_org_node_t *above[16];
    size_t depth = 0;
    for (const cg_org_node_t *c = cg_orgtree_first_child (scope); c; ) {
        if (strncmp (c->code, scope->code, prefix) != 0)
            return false;
        const cg_org_node_t *child = cg_orgtree_first_child (c);
        if (child) {
            if (depth == 16)
                return false;
            above[depth++] = c;
            c = child;
            continue;
        }
        while (c && !cg_orgtree_next_sibling (c))
            c = depth ? above[--depth] : NULL;
        c = c ? cg_orgtree_next_sibling (c) : NULL;
    }
    snprintf (part, 8, "%.6s", scope->code);
    return true;
}

/*  Checks the query; fills from, to and by, or answers the refusal. */
static int
s_check (stats_t *self, cg_stats_query_t *req, int64_t *from, int64_t *to, char *by,
         cg_reply_t *reply)
{
    if (!cg_orgtree_find (self->org, req->scope)) {
        cg_reply_fail (reply, "not_found", "scope", "there is no center or place %s", req->scope);
        return -1;
    }
    if (s_parse_day (req->from, from)) {
        cg_reply_fail (reply, "invalid", "from", "'%s' is not a date YYYY-MM-DD", req->from);
        return -1;
    }
    const char *granularity = req->by ? req->by : "day";
    if (strcmp (granularity, "day") && strcmp (granularity, "week")
    &&  strcmp (granularity, "month") && strcmp (granularity, "hour")) {
        cg_reply_fail (reply, "invalid", "by", "'%.16s' is no granularity: hour, day, week or "
                       "month", granularity);
        return -1;
    }
    *by = granularity[0];
    int64_t bound = s_month_start (*from, 12 * S_YEARS_MAX) + (*from - s_month_start (*from, 0));
    if (s_parse_day (req->to, to) || *to < *from || *to >= bound) {
        cg_reply_fail (reply, "invalid", "to", "'%s' must be a date YYYY-MM-DD from %s on and "
                       "less than %d years after it", req->to, req->from, S_YEARS_MAX);
        return -1;
    }
    if (*by == 'h' && *to - *from >= S_HOURS_DAYS_MAX) {
        cg_reply_fail (reply, "invalid", "to", "by hour a range is at most %d days (%s to %s "
                       "is %lld); ask by day", S_HOURS_DAYS_MAX, req->from, req->to,
                       (long long) (*to - *from + 1));
        return -1;
    }
    if (*by == 'd' && *to - *from >= S_DAYS_MAX) {
        cg_reply_fail (reply, "invalid", "to", "by day a range is at most %d days (%s to %s is "
                       "%lld); ask by week or month", S_DAYS_MAX, req->from, req->to,
                       (long long) (*to - *from + 1));
        return -1;
    }
    return 0;
}

void
stats_on_query (void *request, cg_reply_t *reply, void *arg)
{
    stats_t *self = arg;
    cg_stats_query_t *req = request;
    s_follow_data (self);
    tally_set_today (self->tally, atomic_load (&s_today));
    int64_t from, to;
    char by;
    if (s_check (self, req, &from, &to, &by, reply))
        return;
    static char buckets[S_DAYS_MAX + S_YEARS_MAX * 53][16];
    tally_read_t *reads = NULL;
    size_t nbuckets;
    const cg_org_node_t *scope = cg_orgtree_find (self->org, req->scope);
    int64_t kept = s_kept_from (self->redis);
    ssize_t nreads = scope->parent ? -2 : s_plan_city (by, from, to, kept, &reads, buckets,
                                                         &nbuckets, reply);
    if (nreads == -2) {
        free (reads);
        reads = NULL;
        nreads = s_plan (by, from, to, kept, &reads, buckets, &nbuckets, reply);
    }
    if (nreads < 0)
        return;
    char part[8];
    if (scope->parent && by != 'h' && s_part (scope, part))
        for (ssize_t i = 0; i < nreads; i++) {
            size_t len = strlen (reads[i].key);
            snprintf (reads[i].key + len, sizeof reads[i].key - len, "|%s", part);
        }
    cg_stats_report_t report = { .scope = req->scope, .from = req->from, .to = req->to,
                                 .by = by == 'h' ? "hour" : by == 'd' ? "day"
                                     : by == 'w' ? "week" : "month" };
    if (tally_sum (self->tally, scope, reads,
                   (size_t) nreads, report.by, buckets, nbuckets, &report))
        cg_reply_fail (reply, "unavailable", NULL, "Redis failed while reading the statistics");
    else
        cg_reply_ok (reply, &cg_stats_report_def, &report);
    free (report.rows);
    free (reads);
}
