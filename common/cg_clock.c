/*  cg_clock — see cg_clock.h. */
#include "cg_clock.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
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
cg_time_iso_ms (int64_t ms, char *buf, size_t len)
{
    struct tm tm;
    s_local (ms, &tm);
    snprintf (buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+08:00", tm.tm_year + 1900,
              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int) (ms % 1000));
}

void
cg_time_short (int64_t ms, char *buf, size_t len)
{
    struct tm tm;
    s_local (ms, &tm);
    snprintf (buf, len, "%02d-%02d %02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
              tm.tm_min);
}

/*  Reads exactly n digits; -1 when one is missing. */
static int
s_digits (const char **p, int n)
{
    int value = 0;
    for (int i = 0; i < n; i++, (*p)++) {
        if (**p < '0' || **p > '9')
            return -1;
        value = value * 10 + (**p - '0');
    }
    return value;
}

/*  Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t
s_days_from_civil (int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = y / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int
s_fail (char *why, size_t len, const char *reason)
{
    if (why && len)
        snprintf (why, len, "%s", reason);
    return -1;
}

int
cg_time_parse (const char *text, int64_t *ms, char *why, size_t why_len)
{
    static const int month_days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    const char *p = text;
    int year = s_digits (&p, 4);
    /*  ISO 8601's extended format (2026-11-22T15:04:05) or its basic one
        (20261122T150405), the same for the date and the time */
    bool basic = *p >= '0' && *p <= '9';
    int month = basic ? s_digits (&p, 2) : *p == '-' ? (p++, s_digits (&p, 2)) : -1;
    int day = basic ? s_digits (&p, 2) : *p == '-' ? (p++, s_digits (&p, 2)) : -1;
    if (year < 0 || month < 0 || day < 0)
        return s_fail (why, why_len, "is not a date of the form 2026-11-22T15:04:05+08:00");
    if (*p++ != 'T')
        return s_fail (why, why_len, "needs a T and a time after the date");
    int hour = s_digits (&p, 2);
    int minute = basic ? s_digits (&p, 2) : *p == ':' ? (p++, s_digits (&p, 2)) : -1;
    int second = basic && *p >= '0' && *p <= '9' ? s_digits (&p, 2)
               : !basic && *p == ':' ? (p++, s_digits (&p, 2))
               : *p == '.' || *p == ',' ? -1 : 0;
    if (hour < 0 || minute < 0 || second < 0)
        return s_fail (why, why_len, "needs a time of the form 15:04:05 or 15:04");
    int millis = 0;
    if (*p == '.' || *p == ',') {       /* ISO 8601 allows either as the decimal sign */
        p++;
        int n = 0;
        for (; *p >= '0' && *p <= '9'; p++, n++)
            if (n < 3)
                millis = millis * 10 + (*p - '0');
        if (n == 0 || n > 9)
            return s_fail (why, why_len, "has a malformed fraction of a second");
        for (; n < 3; n++)
            millis *= 10;
    }
    int offset_min = 0;
    if (*p == 'Z')
        p++;
    else
    if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1;
        /*  ISO 8601's +08:00, +0800 and +08 alike */
        int oh = s_digits (&p, 2);
        int om = *p == ':' ? (p++, s_digits (&p, 2)) : *p ? s_digits (&p, 2) : 0;
        if (oh < 0 || om < 0 || oh > 14 || om > 59)
            return s_fail (why, why_len, "has a malformed offset (want +08:00, +0800, +08 or Z)");
        offset_min = sign * (oh * 60 + om);
    }
    else
        return s_fail (why, why_len, "has no time-zone offset (add +08:00 or Z)");
    if (*p)
        return s_fail (why, why_len, "has something after the offset");
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1]
    ||  (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 59)
        return s_fail (why, why_len, "is not a real date and time");
    int64_t secs = s_days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60
                 + second - (int64_t) offset_min * 60;
    if (secs < 0)
        return s_fail (why, why_len, "is before 1970");
    *ms = secs * 1000 + millis;
    return 0;
}

int
cg_time_or_day_parse (const char *text, int64_t *ms, char *why, size_t why_len)
{
    size_t len = strlen (text);
    bool basic_day = len == 8 && strspn (text, "0123456789") == 8;
    if (len != 4 && len != 7 && len != 10 && !basic_day)
        return cg_time_parse (text, ms, why, why_len);
    /*  a year, a month or a day (20261122 too): its first moment, in the
        center's time */
    char full[40];
    if (basic_day)
        snprintf (full, sizeof full, "%sT0000+0800", text);
    else
        snprintf (full, sizeof full, "%s%s+08:00", text,
                  len == 4 ? "-01-01T00:00" : len == 7 ? "-01T00:00" : "T00:00");
    if (cg_time_parse (full, ms, NULL, 0))
        return s_fail (why, why_len, "is not a date of the form 2026, 2026-11 or 2026-11-22");
    return 0;
}
