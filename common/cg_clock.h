/*  cg_clock — the time, and how civgrid writes it.

    Storage and messages hold Unix milliseconds UTC; people and the edges see
    ISO 8601 with the center's offset, +08:00 (China Standard Time, which has
    no daylight saving). */
#ifndef CG_CLOCK_H_INCLUDED
#define CG_CLOCK_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define CG_TZ_OFFSET_MS     (8 * 3600 * INT64_C (1000))
/*  One day in milliseconds: the one constant every daemon counts days by. */
#define CG_DAY_MS           (86400 * INT64_C (1000))

/*  The time now.  In production it is the system clock.  Tests need hours
    to pass in seconds, so a daemon started with `clock/test = 1` in its
    configuration (never in a production file: `civgrid stack up --set
    clock/test=1`) takes the time from a source installed here, which
    cg_daemon makes read the Redis key cg:{clock}:now (Unix ms, set by the
    test), falling back to the system clock while that key is absent. */
int64_t cg_clock_now (void);

typedef int64_t (cg_clock_source_fn) (void *arg);
void cg_clock_set_source (cg_clock_source_fn *fn, void *arg);

/*  "2026-11-22T15:04:05+08:00" */
void cg_time_iso (int64_t ms, char *buf, size_t len);
/*  "2026-11-22T15:04:05.123+08:00", for logs */
void cg_time_iso_ms (int64_t ms, char *buf, size_t len);

/*  Parses an ISO 8601 time with its offset, strictly, in every form the
    W3C note on date-times (W3C-DTF) gives a time:
    YYYY-MM-DDTHH:MM[:SS[.f...]](Z|+HH:MM|-HH:MM), and ISO 8601's basic
    format (20261122T1504[05]Z), a comma as the decimal sign, and +HHMM and
    +HH as offsets; nothing before or after, every field in range (February 29
    only in leap years), years 1970–9999.  A time without an offset is
    refused: whose 15:04 would it be?  Returns 0 with Unix ms in *ms, or -1
    with the problem in why (may be NULL). */
int cg_time_parse (const char *text, int64_t *ms, char *why, size_t why_len);

/*  A time as people give it at the edges: an ISO 8601 time as
    cg_time_parse takes it, or a date without a time, W3C-DTF's YYYY,
    YYYY-MM and YYYY-MM-DD and ISO 8601's basic YYYYMMDD, each read as its
    first moment in China time (+08:00), as a search from a day means that
    day here.  0 with Unix ms in *ms, or -1 with the problem in why. */
int cg_time_or_day_parse (const char *text, int64_t *ms, char *why, size_t why_len);

/*  "11-22 15:04", for notices and tables */
void cg_time_short (int64_t ms, char *buf, size_t len);

#endif
