/*  cg_clock — see cg_clock.h. */
#include "cg_clock.h"

#include <stdio.h>
#include <time.h>

static cg_clock_source_fn *s_source;
static void *s_source_arg;

void
cg_clock_set_source (cg_clock_source_fn *fn, void *arg)
{
    s_source = fn;
    s_source_arg = arg;
}

int64_t
cg_clock_now (void)
{
    if (s_source) {
        int64_t now = s_source (s_source_arg);
        if (now > 0)
            return now;
    }
    struct timespec ts;
    clock_gettime (CLOCK_REALTIME, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
s_local (int64_t ms, struct tm *tm)
{
    time_t secs = (time_t) ((ms + CG_TZ_OFFSET_MS) / 1000);
    gmtime_r (&secs, tm);
}

void
cg_time_iso (int64_t ms, char *buf, size_t len)
{
    struct tm tm;
    s_local (ms, &tm);
    snprintf (buf, len, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900,
              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
cg_time_short (int64_t ms, char *buf, size_t len)
{
    struct tm tm;
    s_local (ms, &tm);
    snprintf (buf, len, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
              tm.tm_min);
}
