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
