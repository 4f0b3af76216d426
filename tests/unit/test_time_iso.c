/*  Reading ISO 8601 times as Open311 sends them (cg_time_parse), and
    writing them back (cg_time_iso). */
#include <criterion/criterion.h>
#include "cg_clock.h"

static int64_t
s_ms (const char *text)
{
    int64_t ms;
    return cg_time_parse (text, &ms, NULL, 0) == 0 ? ms : -1;
}

Test (time_iso, reads_zones_and_round_trips)
{
    int64_t utc = s_ms ("2026-11-22T07:15:30Z");
    cr_assert_eq (utc, INT64_C (1795331730000));
    cr_assert_eq (s_ms ("2026-11-22T15:15:30+08:00"), utc);
    cr_assert_eq (s_ms ("2026-11-22T02:15:30-05:00"), utc);
    cr_assert_eq (s_ms ("2026-11-22T07:15:30.250Z"), utc + 250, "milliseconds are kept");
    cr_assert_eq (s_ms ("2024-02-29T00:00:00Z"), INT64_C (1709164800000));
    cr_assert_eq (s_ms ("1970-01-01T00:00:00Z"), 0);
    char text[40];
    cg_time_iso (utc, text, sizeof text);
    cr_assert_str_eq (text, "2026-11-22T15:15:30+08:00");
    cr_assert_eq (s_ms (text), utc);
}

Test (time_iso, refuses_what_is_not_a_w3_date_time)
{
    const char *bad[] = { "", "yesterday", "2026-11-22", "2026-11-22T07:15:30",
                          "2026-13-01T00:00:00Z", "2026-11-22T25:00:00Z", "2026-11-22T07:15:30+8",
                          "2026-11-22T07:15:30Zjunk", "1969-12-31T23:59:59Z", NULL };
    for (int i = 0; bad[i]; i++)
        cr_assert_eq (s_ms (bad[i]), -1, "%s was taken", bad[i]);
}

/*  Every form W3C-DTF (and ISO 8601's offsets) gives a time, as Open311
    clients send them: minutes without seconds, fractions, Z or offsets. */
Test (time_iso, reads_every_w3c_form)
{
    int64_t utc = s_ms ("2026-11-22T07:15:00Z");
    cr_assert_eq (s_ms ("2026-11-22T07:15Z"), utc, "minutes without seconds");
    cr_assert_eq (s_ms ("2026-11-22T15:15+08:00"), utc);
    cr_assert_eq (s_ms ("2026-11-22T15:15:00+0800"), utc, "ISO's basic offset");
    cr_assert_eq (s_ms ("2026-11-22T15:15:00+08"), utc, "an offset of whole hours");
    cr_assert_eq (s_ms ("2026-11-22T07:15:00.5Z"), utc + 500, "a fraction of one digit");
    cr_assert_eq (s_ms ("2026-11-22T07:15:00.123456789Z"), utc + 123);
    cr_assert_eq (s_ms ("20261122T071500Z"), utc, "ISO 8601's basic format");
    cr_assert_eq (s_ms ("20261122T1515+0800"), utc);
    cr_assert_eq (s_ms ("2026-11-22T07:15:00,5Z"), utc + 500, "a comma as the decimal sign");
    cr_assert_eq (s_ms ("20261122T07:15:00Z"), -1, "basic and extended are not mixed");
    cr_assert_eq (s_ms ("2026-11-22T0715Z"), -1);
    cr_assert_eq (s_ms ("2026-11-22T15:15.5+08:00"), -1, "a fraction needs its seconds");
    cr_assert_eq (s_ms ("2026-11-22T15:15+08:0"), -1);
    int64_t ms;
    /*  dates alone: the first moment of that day, month or year here */
    cr_assert_eq (cg_time_or_day_parse ("2026-11-22", &ms, NULL, 0), 0);
    cr_assert_eq (ms, s_ms ("2026-11-22T00:00:00+08:00"));
    cr_assert_eq (cg_time_or_day_parse ("2026-11", &ms, NULL, 0), 0);
    cr_assert_eq (ms, s_ms ("2026-11-01T00:00:00+08:00"));
    cr_assert_eq (cg_time_or_day_parse ("2026", &ms, NULL, 0), 0);
    cr_assert_eq (ms, s_ms ("2026-01-01T00:00:00+08:00"));
    cr_assert_eq (cg_time_or_day_parse ("2026-11-22T07:15Z", &ms, NULL, 0), 0);
    cr_assert_eq (ms, utc);
    char why[96];
    cr_assert_eq (cg_time_or_day_parse ("20261122", &ms, NULL, 0), 0, "ISO 8601's basic day");
    cr_assert_eq (ms, s_ms ("2026-11-22T00:00:00+08:00"));
    const char *bad[] = { "2026-13", "2026-02-30", "20261322", "26-11-22", "yesterday", NULL };
    for (int i = 0; bad[i]; i++)
        cr_assert_eq (cg_time_or_day_parse (bad[i], &ms, why, sizeof why), -1, "%s was taken",
                      bad[i]);
}
