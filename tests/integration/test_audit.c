/*  The audit log for an auditor (issue #17): the archive keeps it for its
    retention while Redis keeps only its last days, and an auditor (a role
    that reads the audit log of its scope and nothing else) finds old
    entries through the API by who, what and when, a page at a time.  Real
    HTTP, the stack's test clock moved past Redis's window. */
#include <criterion/criterion.h>
#include "cg_testcase.h"
#include "cg_testcli.h"
#include "cg_testhttp.h"

#define S_CITY      "320600"
#define S_TOWN_A    "320602001"
#define S_TOWN_B    "320602002"
#define S_SECRET    "the-hotline-secret-of-the-audit-test"

/*  An action the audit log keeps: accepting a case that is not there. */
static void
s_act (cg_teststack_t *stack, const char *token, int n)
{
    char path[128];
    snprintf (path, sizeof path, "/api/v1/cases/C-AUDIT-%d/accept", n);
    int status;
    json_decref (cg_http_post_json (stack, path, token, "{}", &status));
    cr_assert_neq (status, 403, "the operator may act on cases");
}

/*  The entries of every page of path (with its filters) for token: their
    count; each page at most limit; ids strictly newest first across pages;
    each entry's field `must` (when given) equal to `value`. */
static size_t
s_pages (cg_teststack_t *stack, const char *path, const char *token, int limit,
         const char *must, const char *value)
{
    char url[1024], last[64] = "";
    char *cursor = NULL;
    size_t total = 0;
    for (int page = 0; page < 100; page++) {
        snprintf (url, sizeof url, "%s%slimit=%d%s%s", path, strchr (path, '?') ? "&" : "?",
                  limit, cursor ? "&cursor=" : "", cursor ? cursor : "");
        free (cursor);
        cursor = NULL;
        int status;
        json_t *reply = cg_http_get_json (stack, url, token, &status);
        cr_assert_eq (status, 200, "%s", url);
        cr_assert_null (json_object_get (reply, "incomplete"), "the archive answered");
        json_t *entries = json_object_get (reply, "entries");
        cr_assert_leq (json_array_size (entries), (size_t) limit);
        for (size_t i = 0; i < json_array_size (entries); i++) {
            json_t *e = json_array_get (entries, i);
            const char *id = json_string_value (json_object_get (e, "id"));
            unsigned long long ms, sq, lms, lsq;
            cr_assert (id && sscanf (id, "%llu-%llu", &ms, &sq) == 2);
            if (*last) {
                sscanf (last, "%llu-%llu", &lms, &lsq);
                cr_assert (ms < lms || (ms == lms && sq < lsq), "%s after %s", id, last);
            }
            snprintf (last, sizeof last, "%s", id);
            if (must)
                cr_assert_str_eq (json_string_value (json_object_get (e, must)), value, "%s",
                                  json_dumps (e, 0));
            total++;
        }
        const char *next = json_string_value (json_object_get (reply, "next"));
        cursor = next ? strdup (next) : NULL;
        json_decref (reply);
        if (!cursor)
            return total;
    }
    cr_assert_fail ("more than 100 pages");
    return 0;
}

Test (audit, old_entries_are_found_in_the_archive_by_an_auditor, .timeout = 200)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1 --set gateway/audit_redis_days=7 "
                                             "--set gateway/hotline/h12345=" S_SECRET);
    char *op_a = cg_http_token (stack, "operator", S_TOWN_A, "op.a");
    char *op_b = cg_http_token (stack, "operator", S_TOWN_B, "op.b");
    char *auditor = cg_http_token (stack, "auditor", S_CITY, "auditor.city");
    char *auditor_a = cg_http_token (stack, "auditor", S_TOWN_A, "auditor.a");
    int64_t t0 = zclock_time ();
    cg_testclock_set (stack, t0);

    /*  on the first day: 3 actions of town A, 2 of town B, a hotline order */
    for (int i = 0; i < 3; i++)
        s_act (stack, op_a, i);
    for (int i = 0; i < 2; i++)
        s_act (stack, op_b, 10 + i);
    int status;
    json_decref (cg_http_hotline_push (stack, "h12345", S_SECRET, t0 / 1000,
                                       "{\"order_no\":\"GD-AUDIT-1\",\"category\":\"noise\","
                                       "\"call_time\":\"2026-11-22T15:04:05+08:00\","
                                       "\"class\":\"投诉\",\"content\":\"市民来电反映工地夜间施工"
                                       "噪音扰民，请尽快处理\",\"address\":\"和平桥街道工农路\"}",
                                       &status));
    cr_assert_eq (status, 200);
    int64_t first = cg_teststack_int (stack, "XLEN cg:{gateway}:audit");
    cr_assert_geq (first, 6);

    /*  ten days on, one more of town A; Redis keeps 7 days of what the
        archive holds: the first day's entries leave it */
    cg_testclock_set (stack, t0 + 10 * 86400000LL);
    s_act (stack, op_a, 3);
    int64_t left = -1;
    for (int waited = 0; waited < 150 && left != 1; waited++) {
        usleep (100000);
        left = cg_teststack_int (stack, "XLEN cg:{gateway}:audit");
    }
    cr_assert_eq (left, 1, "Redis drops what the archive holds past its 7 days");

    /*  the auditor finds them by who, across Redis and the archive, paged */
    cr_assert_eq (s_pages (stack, "/api/v1/audit?who=op.a", auditor, 2, "actor", "op.a"), 4);
    cr_assert_eq (s_pages (stack, "/api/v1/audit?who=op.a", auditor, 200, "actor", "op.a"), 4);
    /*  by what and when: the first day only (a day is China's) */
    char day[16], path[256];
    time_t secs = (time_t) ((t0 + 8 * 3600000LL) / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    strftime (day, sizeof day, "%Y-%m-%d", &tm);
    snprintf (path, sizeof path, "/api/v1/audit?what=case.accept&from=%s&to=%s", day, day);
    cr_assert_eq (s_pages (stack, path, auditor, 2, "action", "case.accept"), 5);
    cr_assert_eq (s_pages (stack, "/api/v1/audit?what=hotline.order", auditor, 50, "actor",
                           "hotline:h12345"), 1);
    /*  a town's auditor sees its town only */
    cr_assert_eq (s_pages (stack, "/api/v1/audit", auditor_a, 3, "scope", S_TOWN_A), 4);
    cr_assert_eq (s_pages (stack, "/api/v1/audit?who=op.b", auditor_a, 3, NULL, NULL), 0);

    /*  an operator may not read it; the auditor may do nothing else */
    cg_http_refused (stack, "GET", "/api/v1/audit", op_a, NULL, 0, 403, "role");
    cg_http_refused (stack, "POST", "/api/v1/cases/C-AUDIT-9/accept", auditor, "{}", 2, 403,
                     "role");
    cg_http_refused (stack, "GET", "/api/v1/cases", auditor, NULL, 0, 403, "role");
    /*  bad filters and a cursor of other filters are refused by name */
    cg_http_refused (stack, "GET", "/api/v1/audit?from=yesterday", auditor, NULL, 0, 400,
                     "from");
    cg_http_refused (stack, "GET", "/api/v1/audit?who=", auditor, NULL, 0, 400, "who");
    json_t *page = cg_http_get_json (stack, "/api/v1/audit?who=op.a&limit=1", auditor, &status);
    const char *next = json_string_value (json_object_get (page, "next"));
    cr_assert (next);
    char other[600];
    snprintf (other, sizeof other, "/api/v1/audit?who=op.b&limit=1&cursor=%s", next);
    cg_http_refused (stack, "GET", other, auditor, NULL, 0, 400, "cursor");
    json_decref (page);

    /*  nothing the archive holds twice after a kill -9 */
    cg_teststack_kill9 (stack, "archive");
    cg_teststack_restart (stack);
    cr_assert_eq (s_pages (stack, "/api/v1/audit?who=op.a", auditor, 200, "actor", "op.a"), 4);

    free (op_a);
    free (op_b);
    free (auditor);
    free (auditor_a);
    cg_teststack_down (&stack);
}
