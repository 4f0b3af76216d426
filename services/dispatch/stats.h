/*  stats — counts per unit, category and day, week and month (按时签收率,
    按时办结率, 满意率, 发回重办率, 提级), rolled up for any subtree of the
    org tree over any range up to ten years. */
#ifndef DISPATCH_STATS_H_INCLUDED
#define DISPATCH_STATS_H_INCLUDED

#include "cg_daemon.h"

/*  The statistics hashes a count at `at` goes to, the day's, the week's and
    the month's, as one argument separated by spaces (lib.lua's stats_add). */
void stats_keys (int64_t at, char *buf, size_t len);

/*  Adds one count (its keys and field) to args, for case_move. */
void stats_count (cg_args_t *args, int64_t at, const char *unit, const char *category,
                  const char *metric);

/*  At start, before dispatch serves or follows anything: rolls a store's
    daily counters written before weeks and months were kept up into them
    (once: the layout key says it was done), then drops the days older
    than dispatch/stats_days.  Returns 0, or -1 when Redis failed. */
int stats_start (cg_daemon_t *daemon);

/*  The rollup of a layout-2 store (stats_start), one hash at a time:
    the year's hash cg:{dispatch}:sy:<year> made anew from its months
    (stats_year.lua), and a hash's city totals *|*|<metric> set from its
    fields (stats_total.lua) or, for a layout-3 store, its counties' parts
    (stats_parts.lua), with script one of those two.  Each may run again.
    0, or -1 when Redis failed.  The bench (bench/stats.c) calls the same
    scripts. */
int stats_make_year (cg_redis_t *redis, const char *year);
int stats_make (cg_redis_t *redis, const char *script, const char *key);

/*  Drops the daily counters older than dispatch/stats_days (a timer; arg
    is the daemon). */
int stats_on_trim (zloop_t *loop, int timer_id, void *arg);

/*  Tells the worker the day of dispatch's clock (a timer, every second):
    hashes of days over are kept by it (tally.h). */
int stats_on_clock (zloop_t *loop, int timer_id, void *arg);

/*  Dispatch loaded its data files anew: the query's org tree follows. */
void stats_data_changed (void);

/*  The statistics query, served on a worker thread (cg_server_on_worker)
    with its own Redis connection and its own copy of the org tree. */
typedef struct _stats_t stats_t;

stats_t *stats_new (cg_daemon_t *daemon);
void stats_destroy (stats_t **self_p);

/*  case.stats: a subtree's counts over a range, by day, week or month;
    arg is a stats_t. */
cg_command_fn stats_on_query;

#endif
