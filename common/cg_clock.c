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

int64_t
cg_time_parse_iso (const char *s)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf (s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6
    ||  mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
        return -1;
    const char *zone = s + n;
    if (*zone == '.')           /* fractions of a second are dropped */
        for (zone++; *zone >= '0' && *zone <= '9'; zone++);
    int64_t offset_min = 0;
    if (*zone == 'Z' && zone[1] == 0)
        offset_min = 0;
    else {
        int oh, om, m = 0;
        if ((*zone != '+' && *zone != '-')
        ||  sscanf (zone + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || zone[1 + m] || oh > 14 || om > 59)
            return -1;
        offset_min = (oh * 60 + om) * (*zone == '-' ? -1 : 1);
    }
    /*  days from the civil date (Howard Hinnant's days_from_civil) */
    int64_t yy = y - (mo <= 2);
    int64_t era = yy / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return ((days * 86400 + h * 3600 + mi * 60 + sec) - offset_min * 60) * 1000;
}
