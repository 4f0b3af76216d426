/*  What an export and a search take from people: the CSV that Excel opens
    (cg_csv.h) and the parameters of a search as the CLI and the API give
    them (cg_case_search_set). */
#include <criterion/criterion.h>
#include "cg_case.h"
#include "cg_clock.h"
#include "cg_csv.h"

static char *
s_csv (const cg_case_view_t *cases, size_t n, bool head)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    if (head)
        cg_csv_head (out);
    cg_csv_cases (out, cases, n);
    fclose (out);
    return text;
}

Test (export, the_csv_opens_in_excel_in_chinese)
{
    char *text = s_csv (NULL, 0, true);
    cr_assert (strncmp (text, "\xEF\xBB\xBF" "工单编号 id,来源 source,", 3 + 27) == 0, "%s", text);
    size_t len = strlen (text);
    cr_assert (len > 2 && strcmp (text + len - 2, "\r\n") == 0, "lines end in CR LF");
    free (text);
}

Test (export, fields_are_quoted_and_nothing_runs_as_a_formula)
{
    cg_case_view_t c = { .id = "CG0000000001", .state = "closed", .contact = "138****5678",
                         .text = "他说\"路灯坏了\"，已报修,\n请回复\v谢谢", .address = "=HYPERLINK(\"x\")",
                         .result = "-已处理", .created = INT64_C (1764547200000) };
    char *text = s_csv (&c, 1, false);
    cr_assert (strstr (text, "\"他说\"\"路灯坏了\"\"，已报修,\n请回复 谢谢\""),
               "quotes doubled, the comma and the line break kept inside quotes, the vertical "
               "tab a space: %s", text);
    cr_assert (strstr (text, "\"'=HYPERLINK(\"\"x\"\")\""), "a formula is text: %s", text);
    cr_assert (strstr (text, ",'-已处理\r\n"), "%s", text);
    cr_assert (strstr (text, ",138****5678,"), "%s", text);
    cr_assert (strstr (text, "2025-12-01T08:00:00+08:00"), "times in China time: %s", text);
    free (text);
}

Test (export, search_parameters_are_read_as_people_write_them)
{
    cg_case_search_t req = { 0 };
    cg_error_t err;
    cr_assert_eq (cg_case_search_set (&req, "from", "2026-12-01", &err), 0);
    int64_t day;
    cr_assert_eq (cg_time_parse ("2026-12-01T00:00:00+08:00", &day, NULL, 0), 0);
    cr_assert_eq (req.from, day);
    cr_assert_eq (cg_case_search_set (&req, "to", "2026-12-01", &err), 0);
    cr_assert_eq (req.to, day + 86400000, "a day as `to` is included");
    cr_assert_eq (cg_case_search_set (&req, "to", "2026-12-01T12:00:00+08:00", &err), 0);
    cr_assert_eq (req.to, day + 12 * 3600000);
    cr_assert_eq (cg_case_search_set (&req, "q", "路灯", &err), 0);
    cr_assert_str_eq (req.q, "路灯");
    cr_assert_eq (cg_case_search_set (&req, "access_token", "x", &err), 1, "not a search's");

    cr_assert_eq (cg_case_search_set (&req, "from", "2026-02-30", &err), -1);
    cr_assert_str_eq (err.field, "from");
    cr_assert (strstr (err.message, "a day (2026-12-01)"), "%s", err.message);
    cr_assert_eq (cg_case_search_set (&req, "to", "12/01/2026", &err), -1);
    cr_assert_str_eq (err.field, "to");
    const char *limits[] = { "0", "101", "ten", "", "5x" };
    for (size_t i = 0; i < 5; i++) {
        cr_assert_eq (cg_case_search_set (&req, "limit", limits[i], &err), -1, "%s", limits[i]);
        cr_assert_str_eq (err.field, "limit");
        cr_assert (strstr (err.message, "1 to 100"), "%s", err.message);
    }
    char long_q[1100];
    memset (long_q, 'a', sizeof long_q - 1);
    long_q[sizeof long_q - 1] = 0;
    cr_assert_eq (cg_case_search_set (&req, "q", long_q, &err), -1);
    cr_assert_str_eq (err.field, "q");
    cg_msg_clear (&cg_case_search_def, &req);
}
