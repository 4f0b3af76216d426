/*  stats — counts per unit, category and day (按时签收率, 按时办结率, 满意率,
    发回重办率, 提级), rolled up for any subtree of the org tree. */
#ifndef DISPATCH_STATS_H_INCLUDED
#define DISPATCH_STATS_H_INCLUDED

#include "cases.h"

/*  The statistics hash of the China-time day that holds `at`. */
void stats_day_key (int64_t at, char *buf, size_t len);

/*  Adds one count (hash key and field) to args, for case_move. */
void stats_count (cg_args_t *args, int64_t at, const char *unit, const char *category,
                  const char *metric);

/*  case.stats: a subtree's counts over days. */
cg_command_fn stats_on_query;

#endif
