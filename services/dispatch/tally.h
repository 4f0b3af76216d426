/*  tally — the statistics worker's reading of the counters (stats.c).

    A query over years reads many hashes of tens of thousands of fields,
    and the same fields again and again: "<unit>|<category>|<metric>".
    So each stored field is looked up once and becomes a number, with what
    it means as numbers too (its unit, its center, its category, the
    column of stats.row it adds to); a hash read is kept as (field number,
    count) pairs; and a query sums them into arrays indexed by those
    numbers, asking the org tree once per unit whether it lies in the
    scope.  A hash of a day, week or month that is over (it ended before
    yesterday: a count always goes to the hashes of the day it is made)
    can no longer change, so its pairs are kept and the next query does
    not read Redis for it, up to dispatch/stats_cache_mb; past that no
    more are kept (a query over more than that would otherwise drop, one
    after the other, the very hashes it is about to read again).

    The worker's alone: it is not shared with the command loop. */
#ifndef DISPATCH_TALLY_H_INCLUDED
#define DISPATCH_TALLY_H_INCLUDED

#include <czmq.h>
#include "cg_msg.h"
#include "cg_orgtree.h"
#include "cg_redis.h"

typedef struct _tally_t tally_t;

tally_t *tally_new (cg_redis_t *redis, size_t cache_bytes);
void tally_destroy (tally_t **self_p);

/*  The org tree changed: what the fields mean is worked out anew. */
void tally_set_org (tally_t *self, cg_orgtree_t *org);

/*  The China-time day (number since 1970-01-01) the command loop last saw:
    hashes that ended before the day before it are kept. */
void tally_set_today (tally_t *self, int64_t day);

/*  What a read adds to: everything (the totals by center, unit and
    category, and its row over time), the totals only, or its row over time
    only, from the city's totals of the hash (`*|*|<metric>`, lib.lua):
    a few fields read with HMGET rather than the whole hash. */
typedef enum { TALLY_ALL, TALLY_TOTALS, TALLY_CITY_ROW } tally_kind_t;

/*  A hash to read, the row over time it adds to, and its last day. */
typedef struct {
    char key[64];
    size_t bucket;
    int64_t last_day;
    tally_kind_t kind;
} tally_read_t;

/*  Rows by unit a report holds at most: the units with the most received
    (a city has a thousand units; with every row over time and all of
    them, a report would outgrow the message cap). */
#define TALLY_UNIT_ROWS 400

/*  Sums the hashes of reads within scope into report's rows: the total,
    by center, unit (at most TALLY_UNIT_ROWS; units_left_out says how many
    more) and category, then the rows over time, whose `by` and keys are
    buckets[0..nbuckets).  report->rows is malloc'd.  Returns 0, or -1
    when Redis failed. */
int tally_sum (tally_t *self, const cg_org_node_t *scope, const tally_read_t *reads,
               size_t nreads, const char *by, char (*buckets)[16], size_t nbuckets,
               cg_stats_report_t *report);

#endif
