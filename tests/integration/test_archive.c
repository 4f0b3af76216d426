/*  The archive with the real stack (docs/ARCHIVE.md): closed cases pass
    their reopen window on the test clock and leave Redis, dispatch's and
    intake's keys alike, and one reopened meanwhile only once it is closed
    again and its new window has passed; case show (CLI and API), Open311 and search still
    find them, by two characters and by a longer piece of an 800–2,000-byte
    Chinese text, by the hotline's order number and by the caller's phone;
    an export opens in Excel (a BOM) and shows an operator phones masked;
    a kill -9 of the archive and of Redis while it archives loses nothing
    and writes nothing twice; a store of layout 1 is upgraded and its texts
    are found page after page, newest first, while more cases arrive. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include "cg_testcase.h"
#include "cg_testcli.h"
#include "cg_testhttp.h"
#include "cg_sample.h"
#include "cg_share.h"

#define S_DAY       INT64_C (86400000)
#define S_STACK     "--set clock/test=1 --set archive/sweep_ms=100"

/*  Case i's text: 800–2,000 bytes of a hotline's Chinese with what Word
    pastes (cg_sample.h), after a sentence of its own that holds a rare
    word (鹦鹉 for case 7), so that the test knows which case a search must
    find. */
static char *
s_order_text (int i, size_t want)
{
    char *text = malloc (want + CG_SAMPLE_MAX + 256);
    assert (text);
    size_t n = (size_t) snprintf (text, 256, "来电人说家里养的%s飞到了隔壁楼顶第%d层，请物业协助。"
                                  "\r\n", i == 7 ? "鹦鹉" : "小猫", i % 30 + 1);
    for (uint64_t seed = (uint64_t) i; n < want; seed += 1000)
        n += cg_sample_text (seed, text + n, CG_SAMPLE_MAX + 1);
    return text;
}

/*  Case i's grid: the i-th of 崇川区 (320602). */
static const char *
s_grid_of (cg_testgrids_t *g, int i)
{
    for (size_t k = 0, seen = 0; k < g->ngrids; k++)
        if (strncmp (g->grids[k], "320602", 6) == 0 && seen++ == (size_t) i)
            return g->grids[k];
    cr_assert_fail ("崇川区 has fewer than %d grids", i + 1);
    return NULL;
}

/*  Case i: a hotline order HL<i> from phone 1390000<i>, in a grid of
    崇川区 (320602); its id into id.  True when intake knew the order (a
    repeat, answered with its case). */
static bool
s_submit (cg_client_t *intake, cg_testgrids_t *g, int i, char *id)
{
    char ext[32], phone[32];
    snprintf (ext, sizeof ext, "HL2026%05d", i);
    snprintf (phone, sizeof phone, "1390000%04d", i);
    char *text = s_order_text (i, 800 + (size_t) (i * 97) % 1200);
    const char *grid = s_grid_of (g, i);
    cg_case_submit_t req = { .source = "hotline", .ext_ref = ext, .category = "noise",
                             .text = text, .grid = (char *) grid, .contact_phone = phone };
    cg_case_submitted_t rep;
    cg_error_t err;
    cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &rep, &err), 0, "%s", err.message);
    cr_assert_not (rep.merged);
    snprintf (id, 33, "%s", rep.id);
    bool repeat = rep.repeat;
    cg_msg_clear (&cg_case_submitted_def, &rep);
    free (text);
    return repeat;
}

/*  How many of ids[0..n) dispatch still keeps. */
static int
s_in_redis (cg_teststack_t *stack, char ids[][33], int n)
{
    int kept = 0;
    for (int i = 0; i < n; i++)
        kept += cg_teststack_int (stack, "EXISTS cg:{dispatch}:case:%s", ids[i]) == 1;
    return kept;
}

static int
s_await_gone (cg_teststack_t *stack, char ids[][33], int n, int timeout_ms)
{
    int64_t until = zclock_mono () + timeout_ms;
    int kept;
    while ((kept = s_in_redis (stack, ids, n)) > 0 && zclock_mono () < until)
        zclock_sleep (200);
    return kept;
}

Test (archive, closed_cases_leave_redis_and_are_still_found, .timeout = 280)
{
    cg_testgrids_t g;
    cg_testgrids_load (&g);
    cg_teststack_t *stack = cg_teststack_up (S_STACK);
    int64_t t0 = zclock_time ();
    cg_testclock_set (stack, t0);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    enum { N = 24, OPEN = 4 };
    char ids[N][33];
    for (int i = 0; i < N; i++)
        s_submit (intake, &g, i, ids[i]);
    for (int i = OPEN; i < N; i++)
        cg_testcase_close (stack, dispatch, ids[i]);

    /*  within the reopen window (15 days) nothing leaves; the citizen of
        one case reopens it (重新打开) */
    cg_testclock_set (stack, t0 + 14 * S_DAY);
    zclock_sleep (1500);
    cr_assert_eq (s_in_redis (stack, ids, N), N, "a case left Redis inside its reopen window");
    const char *reopened = ids[OPEN];
    cg_case_view_t c = cg_testcase_show (stack, reopened);
    char rid[40], center[80];
    cg_client_new_rid (rid, sizeof rid);
    snprintf (center, sizeof center, "center:%s:王", c.center);
    cg_msg_clear (&cg_case_view_def, &c);
    cg_case_act_t reopen = { .rid = rid, .id = (char *) reopened, .actor = center,
                             .note = "噪声又出现了" };
    cg_error_t err;
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_reopen, &reopen, &c, &err), 0, "%s", err.message);
    cg_msg_clear (&cg_case_view_def, &c);

    cg_testclock_set (stack, t0 + 16 * S_DAY);
    cr_assert_eq (s_await_gone (stack, ids + OPEN + 1, N - OPEN - 1, 60000), 0,
                  "closed cases are still in dispatch's Redis 60 s after their window");
    for (int i = 0; i < N; i++) {
        bool closed = i > OPEN;
        cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{dispatch}:case:%s", ids[i]),
                      closed ? 0 : 1, "case %s", ids[i]);
        cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{intake}:req:%s", ids[i]) == 0,
                      closed, "intake's record of %s", ids[i]);
        cr_assert_eq (cg_teststack_int (stack, "ZSCORE cg:{dispatch}:q:all %s", ids[i]) == -1,
                      closed, "q:all entry of %s", ids[i]);
    }
    cr_assert_eq (cg_teststack_int (stack, "ZCARD cg:{dispatch}:q:closed"), 0);
    /*  the reopened case leaves only once it is closed again and its new
        window has passed */
    cg_testcase_close (stack, dispatch, reopened);
    cg_testclock_set (stack, t0 + 30 * S_DAY);
    zclock_sleep (1500);
    cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{dispatch}:case:%s", reopened), 1,
                  "a case closed again left before its new window passed");
    cg_testclock_set (stack, t0 + 32 * S_DAY);
    char again[1][33];
    snprintf (again[0], sizeof again[0], "%s", reopened);
    cr_assert_eq (s_await_gone (stack, again, 1, 60000), 0, "the case closed again stays");
    /*  the order numbers stay, so that a repeat of an old order is no new case */
    cr_assert_eq (cg_teststack_refs (stack), N);

    /*  case show, CLI and API, from the archive: the whole timeline */
    char *out = cg_testcli (stack, 0, "case show %s", ids[7]);
    cr_assert (strstr (out, "closed") && strstr (out, "鹦鹉") && strstr (out, "归档")
               && strstr (out, "已协调物业处理完毕"), "%s", out);
    free (out);
    char *token = cg_http_token (stack, "operator", "320602", "王");
    char path[CG_CURSOR_MAX + 256];
    snprintf (path, sizeof path, "/api/v1/cases/%s", ids[7]);
    int status;
    json_t *view = cg_http_get_json (stack, path, token, &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (view, "state")), "closed");
    cr_assert_eq (json_array_size (json_object_get (view, "steps")), 5);
    json_decref (view);
    /*  a town outside the case's: as if it did not exist */
    char *other = cg_http_token (stack, "operator", "320602002", "李");
    cg_http_refused (stack, "GET", path, other, NULL, 0, 404, "id");
    snprintf (path, sizeof path, "/open311/v2/requests/%s.json", ids[7]);
    json_t *open311 = cg_http_get_json (stack, path, NULL, &status);
    cr_assert_eq (status, 200);
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (open311, 0),
                                                          "status")), "closed");
    json_decref (open311);
    /*  Open311's lists go on from the archive where dispatch's end: every
        case of the last 90 days once, newest first (received), and the
        timelines of archived cases among the updates */
    open311 = cg_http_get_json (stack, "/open311/v2/requests.json", NULL, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_array_size (open311), N, "%zu requests of %d", json_array_size (open311), N);
    for (int i = 0; i < N; i++) {
        int times = 0;
        for (size_t k = 0; k < json_array_size (open311); k++)
            times += strcmp (json_string_value (json_object_get (json_array_get (open311, k),
                             "service_request_id")), ids[i]) == 0;
        cr_assert_eq (times, 1, "%s is listed %d times", ids[i], times);
    }
    for (size_t k = 1; k < json_array_size (open311); k++)
        cr_assert (strcmp (json_string_value (json_object_get (json_array_get (open311, k - 1),
                           "requested_datetime")),
                           json_string_value (json_object_get (json_array_get (open311, k),
                           "requested_datetime"))) >= 0, "request %zu is newer than the one before", k);
    json_decref (open311);
    open311 = cg_http_get_json (stack, "/open311/v2/servicerequestupdates.json", NULL, &status);
    cr_assert_eq (status, 200);
    int updates = 0;
    for (size_t k = 0; k < json_array_size (open311); k++)
        updates += strcmp (json_string_value (json_object_get (json_array_get (open311, k),
                           "service_request_id")), ids[7]) == 0;
    cr_assert_eq (updates, 5, "the archived case has %d updates of its 5 steps", updates);
    json_decref (open311);
    /*  the console's search box (GET /api/v1/cases?q=) finds archived cases
        too: by a piece of the text, by the order number, by the case id */
    const char *asks[] = { "%E9%B9%A6%E9%B9%89", "HL202600007", ids[7] };
    for (size_t k = 0; k < 3; k++) {
        snprintf (path, sizeof path, "/api/v1/cases?state=all&limit=50&q=%s", asks[k]);
        json_t *list = cg_http_get_json (stack, path, token, &status);
        cr_assert_eq (status, 200);
        json_t *cases = json_object_get (list, "cases");
        cr_assert_eq (json_array_size (cases), 1, "q=%s found %zu", asks[k], json_array_size (cases));
        cr_assert_str_eq (json_string_value (json_object_get (json_array_get (cases, 0), "id")),
                          ids[7]);
        cr_assert (strstr (json_string_value (json_object_get (json_array_get (cases, 0),
                                                               "summary")), "鹦鹉"));
        json_decref (list);
    }
    cg_http_refused (stack, "GET", "/api/v1/cases?q=%E9%B9%A6", token, NULL, 0, 400, "q");

    /*  search: two characters, a longer piece, the order number, the phone */
    out = cg_testcli (stack, 0, "search --q 鹦鹉 --json");
    cr_assert (strstr (out, ids[7]), "%s", out);
    for (int i = 0; i < N; i++)
        cr_assert (i == 7 || !strstr (out, ids[i]), "%s found by 鹦鹉", ids[i]);
    free (out);
    out = cg_testcli (stack, 0, "search --q 飞到了隔壁楼顶第8层 --scope 320602");
    cr_assert (strstr (out, ids[7]) && strstr (out, "1 cases"), "%s", out);
    free (out);
    out = cg_testcli (stack, 0, "search --ext-ref HL202600007");
    cr_assert (strstr (out, ids[7]) && strstr (out, "1 cases"), "%s", out);
    free (out);
    json_t *found = cg_http_get_json (stack, "/api/v1/cases/search?phone=139-0000-0007",
                                      token, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_array_size (json_object_get (found, "cases")), 1);
    cr_assert_str_eq (json_string_value (json_object_get (
        json_array_get (json_object_get (found, "cases"), 0), "id")), ids[7]);
    json_decref (found);
    /*  the other town's operator finds nothing of 崇川区's */
    found = cg_http_get_json (stack, "/api/v1/cases/search?q=%E9%B9%A6%E9%B9%89", other,
                              &status);
    cr_assert_eq (json_array_size (json_object_get (found, "cases")), 0);
    json_decref (found);
    /*  paging: every case once, newest first.  The city's operator: by now
        the open cases are long overdue and may have gone up to the city
        (提级), out of the county's sight */
    char *city = cg_http_token (stack, "operator", "320600", "赵");
    int seen = 0;
    char cursor[CG_CURSOR_MAX] = "";
    do {
        snprintf (path, sizeof path, "/api/v1/cases/search?limit=5%s%s", *cursor ? "&cursor=" : "",
                  cursor);
        found = cg_http_get_json (stack, path, city, &status);
        cr_assert_eq (status, 200);
        seen += (int) json_array_size (json_object_get (found, "cases"));
        const char *next = json_string_value (json_object_get (found, "next"));
        snprintf (cursor, sizeof cursor, "%s", next ? next : "");
        json_decref (found);
    } while (*cursor && seen <= N);
    cr_assert_eq (seen, N, "paging found %d cases of %d", seen, N);
    /*  bad input, each naming its field and bound */
    cg_testcli_says (stack, 1, "2 to 64 characters", "search --q 鹦");
    cg_testcli_says (stack, 1, "2 to 64 characters",
                     "search --q 一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"
                     "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五");
    cg_http_refused (stack, "GET", "/api/v1/cases/search?q=%E9%B9%A6", token, NULL, 0, 400,
                     "q");
    cg_http_refused (stack, "GET", "/api/v1/cases/search?cursor=1.2.0123456789abcdef", token,
                     NULL, 0, 400, "cursor");
    cg_http_refused (stack, "GET", "/api/v1/cases/search?limit=101", token, NULL, 0, 400,
                     "limit");
    cg_http_refused (stack, "GET", "/api/v1/cases/search?scope=320603", token, NULL, 0, 403,
                     "scope");

    /*  export: a BOM, every case of the range, phones masked for an operator
        (the city's, as above) */
    char from[16], to[16];
    time_t day = (time_t) (t0 / 1000) + 8 * 3600;
    strftime (from, sizeof from, "%Y-%m-%d", gmtime (&day));
    day += 2 * 86400;
    strftime (to, sizeof to, "%Y-%m-%d", gmtime (&day));
    cg_http_reply_t csv;
    snprintf (path, sizeof path, "/api/v1/cases/export?from=%s&to=%s", from, to);
    cg_http (stack, &csv, "GET", path, city, NULL, NULL, 0, NULL);
    cr_assert_eq (csv.status, 200, "%s", csv.body);
    cr_assert (strncmp (csv.body, "\xEF\xBB\xBF", 3) == 0, "no BOM");
    cr_assert (strstr (csv.content_type, "text/csv"));
    for (int i = 0; i < N; i++)
        cr_assert (strstr (csv.body, ids[i]), "%s is not in the export", ids[i]);
    cr_assert (strstr (csv.body, "139****0007"));
    cr_assert_null (strstr (csv.body, "13900000007"), "a phone in plain in the export");
    cr_assert_null (strstr (csv.body, "\v"), "Word's vertical tab reached the CSV");
    cg_http_reply_clear (&csv);
    out = cg_testcli (stack, 0, "export cases --scope 320600 --from %s --to %s", from, to);
    cr_assert (strncmp (out, "\xEF\xBB\xBF", 3) == 0 && strstr (out, ids[7]));
    free (out);

    /*  the order numbers are remembered intake/ext_keep_days (400) after
        the 30-day period of their arrival: the hotline's repeat of an
        archived order is its case; one past that is a new case, and an
        order of a later period is still known */
    char id[33], late[33];
    cr_assert (s_submit (intake, &g, 10, id), "order 10 again was not known");
    cr_assert_str_eq (id, ids[10]);
    cr_assert_not (s_submit (intake, &g, N + 1, late));
    const int64_t period = CG_EXT_PERIOD_DAYS * S_DAY;
    int64_t forgotten = (t0 / period + 1) * period + 400 * S_DAY;
    cg_testclock_set (stack, forgotten);
    int64_t until = zclock_mono () + 10000;
    const char *left = "EVAL %s 0 cg:{intake}:ext:%" PRId64 "*";
    const char *count = "return#redis.call('KEYS',ARGV[1])";
    cr_assert_gt (cg_teststack_int (stack, left, count, t0 / period), 1,
                  "the period's references are in its buckets");
    while (cg_teststack_int (stack, left, count, t0 / period) && zclock_mono () < until)
        zclock_sleep (50);
    cr_assert_eq (cg_teststack_int (stack, left, count, t0 / period), 0,
                  "the old period's references stay past their retention");
    cr_assert_not (s_submit (intake, &g, 10, id), "an order past its retention was known");
    cr_assert_str_neq (id, ids[10]);
    char again_late[33];
    cr_assert (s_submit (intake, &g, N + 1, again_late), "an order inside its retention was "
               "forgotten");
    cr_assert_str_eq (again_late, late);

    free (token);
    free (other);
    free (city);
    cg_client_destroy (&intake);
    cg_client_destroy (&dispatch);
    cg_orgtree_destroy (&g.org);
    cg_teststack_down (&stack);
}

/*  What the archive's file says: cases, how many were announced, whether
    any announcement number or case is there twice. */
static void
s_store_counts (cg_teststack_t *stack, int64_t *cases, int64_t *archived, int64_t *distinct,
                int64_t *top)
{
    char path[600];
    snprintf (path, sizeof path, "%s/archive.db", stack->dir);
    sqlite3 *db;
    cr_assert_eq (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *stmt;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT count(*), count(archived), count(DISTINCT "
                                      "archived), coalesce(max(archived), 0) FROM cases", -1,
                                      &stmt, NULL), SQLITE_OK);
    cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW);
    *cases = sqlite3_column_int64 (stmt, 0);
    *archived = sqlite3_column_int64 (stmt, 1);
    *distinct = sqlite3_column_int64 (stmt, 2);
    *top = sqlite3_column_int64 (stmt, 3);
    sqlite3_finalize (stmt);
    sqlite3_close (db);
}

Test (archive, kill9_of_the_archive_and_of_redis_loses_nothing_and_doubles_nothing,
      .timeout = 280)
{
    cg_testgrids_t g;
    cg_testgrids_load (&g);
    /*  two cases a transaction and one transaction a tick: archiving takes
        a while, and the kills fall in the middle of it */
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1 --set archive/sweep_ms=20 "
                                             "--set archive/sweep_batch=2 "
                                             "--set archive/sweep_slice_ms=1 "
                                             "--set archive/sweep_pause_ms=20");
    int64_t t0 = zclock_time ();
    cg_testclock_set (stack, t0);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    enum { N = 120 };
    static char ids[N][33];
    for (int i = 0; i < N; i++)
        s_submit (intake, &g, i, ids[i]);
    for (int i = 0; i < N; i++)
        cg_testcase_close (stack, dispatch, ids[i]);
    cg_client_destroy (&intake);
    cg_client_destroy (&dispatch);

    /*  the window passes; while the archive works, it is killed, then Redis */
    cg_testclock_set (stack, t0 + 16 * S_DAY);
    int64_t until = zclock_mono () + 30000;
    while (s_in_redis (stack, ids, N) == N && zclock_mono () < until)
        zclock_sleep (10);
    cg_teststack_kill9 (stack, "archive");
    int kept = s_in_redis (stack, ids, N);
    cr_assert (kept > 0 && kept < N, "the archive was killed before or after archiving (%d of %d "
               "cases still in Redis), not during it", kept, N);
    cg_teststack_restart (stack);
    until = zclock_mono () + 30000;
    while (s_in_redis (stack, ids, N) == kept && zclock_mono () < until)
        zclock_sleep (10);
    cg_teststack_kill9 (stack, "redis");
    cg_teststack_restart (stack);
    kept = s_in_redis (stack, ids, N);
    cr_assert (kept > 0, "Redis was killed after archiving, not during it");
    cr_assert_eq (s_await_gone (stack, ids, N, 120000), 0,
                  "cases are still in Redis 120 s after their window");

    int64_t cases, archived, distinct, top;
    s_store_counts (stack, &cases, &archived, &distinct, &top);
    cr_assert_eq (cases, N, "the archive holds %lld cases of %d", (long long) cases, N);
    cr_assert_eq (archived, N);
    cr_assert_eq (distinct, N, "an announcement number was given twice");
    cr_assert_eq (top, N, "announcements were numbered with gaps or twice");
    /*  each case announced once in the journal, in order */
    cr_assert_eq (cg_teststack_int (stack, "GET cg:{archive}:seq"), N);
    cr_assert_eq (cg_teststack_int (stack, "XLEN cg:{archive}:journal"), N);
    for (int i = 0; i < N; i++) {
        cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{intake}:req:%s", ids[i]), 0);
        char *out = cg_testcli (stack, 0, "case show %s", ids[i]);
        cr_assert (strstr (out, "closed") && strstr (out, "归档"), "%s", out);
        free (out);
    }
    cg_orgtree_destroy (&g.org);
    cg_teststack_down (&stack);
}

Test (archive, a_new_archive_copies_the_cases_of_a_stack_that_ran_without_one, .timeout = 200)
{
    cg_testgrids_t g;
    cg_testgrids_load (&g);
    cg_teststack_t *stack = cg_teststack_up ("--set journal/keep_entries=5 "
                                             "--set journal/trim_ms=100");
    /*  a stack without an archive: its journals are trimmed past what an
        archive starting at 0 would need */
    cg_teststack_kill9 (stack, "archive");
    free (cg_testcli (stack, 0, "journal forget archive dispatch"));
    free (cg_testcli (stack, 0, "journal forget archive intake"));
    char path[600];
    snprintf (path, sizeof path, "rm -f %s/archive.db %s/archive.db-wal %s/archive.db-shm",
              stack->dir, stack->dir, stack->dir);
    cr_assert_eq (system (path), 0);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    enum { N = 30 };
    char ids[N][33];
    for (int i = 0; i < N; i++)
        s_submit (intake, &g, i, ids[i]);
    cg_client_destroy (&intake);
    int64_t until = zclock_mono () + 30000;
    while (cg_teststack_int (stack, "XLEN cg:{dispatch}:journal") > 20 && zclock_mono () < until)
        zclock_sleep (100);
    cr_assert_leq (cg_teststack_int (stack, "XLEN cg:{dispatch}:journal"), 20,
                   "the dispatch journal was not trimmed");

    cg_teststack_restart (stack);
    char *out = cg_testcli (stack, 0, "search --scope 320602 --limit 100");
    for (int i = 0; i < N; i++)
        cr_assert (strstr (out, ids[i]), "%s was not copied into the new archive", ids[i]);
    free (out);
    out = cg_testcli (stack, 0, "search --q 鹦鹉");
    cr_assert (strstr (out, ids[7]), "%s", out);
    free (out);
    cg_orgtree_destroy (&g.org);
    cg_teststack_down (&stack);
}

/*  Every case of a text search (in scope, when set), page after page of
    `limit` through the archive's case.search, into ids (at most max; n
    found); asserts that the pages come newest first and never repeat a
    case.  Before the second page, `arrive` (when set) submits cases that
    match too. */
static int
s_search_all (cg_teststack_t *stack, const char *scope, const char *q, int limit,
              char ids[][33], int max, void (*arrive) (void *), void *arg)
{
    cg_client_t *archive = cg_teststack_client (stack, "archive");
    char *cursor = NULL;
    int n = 0, pages = 0;
    int64_t last = INT64_MAX;
    do {
        char rid[40];
        cg_client_new_rid (rid, sizeof rid);
        cg_case_search_t req = { .rid = rid, .q = (char *) q, .limit = limit,
                                 .scope = (char *) scope,
                                 .cursor = cursor };
        cg_case_found_t page;
        cg_error_t err;
        cr_assert_eq (cg_client_call (archive, &cg_cmd_case_search, &req, &page, &err), 0,
                      "page %d: %s %s", pages, err.code, err.message);
        free (cursor);
        cursor = page.next ? strdup (page.next) : NULL;
        for (size_t i = 0; i < page.cases_count; i++) {
            const cg_case_view_t *c = &page.cases[i];
            cr_assert_leq (c->created, last, "page %d is not newest first", pages);
            last = c->created;
            for (int k = 0; k < n; k++)
                cr_assert_str_neq (ids[k], c->id, "case %s came twice", c->id);
            cr_assert_lt (n, max);
            snprintf (ids[n++], 33, "%s", c->id);
        }
        cg_msg_clear (&cg_case_found_def, &page);
        if (pages++ == 0 && arrive)
            arrive (arg);
    } while (cursor);
    cg_client_destroy (&archive);
    return n;
}

typedef struct {
    cg_teststack_t *stack;
    cg_testgrids_t *g;
    int from, count;
    char (*ids)[33];
} s_arrivals_t;

/*  Waits until the archive has case id (30 s at most). */
static void
s_await_archive (cg_teststack_t *stack, const char *id)
{
    int64_t until = zclock_mono () + 30000;
    char *out = NULL;
    do {
        free (out);
        zclock_sleep (100);
        out = cg_testcli (stack, 0, "search --id %s", id);
    } while (!strstr (out, id) && zclock_mono () < until);
    free (out);
}

/*  Submits cases from..from+count (each text holds 小猫) and waits until
    the archive has them. */
static void
s_arrive (void *arg)
{
    s_arrivals_t *a = arg;
    cg_client_t *intake = cg_teststack_client (a->stack, "intake");
    for (int i = 0; i < a->count; i++)
        s_submit (intake, a->g, a->from + i, a->ids[a->from + i]);
    cg_client_destroy (&intake);
    s_await_archive (a->stack, a->ids[a->from + a->count - 1]);
}

Test (archive, a_store_of_layout_1_is_upgraded_and_its_texts_are_found_newest_first,
      .timeout = 200)
{
    cg_testgrids_t g;
    cg_testgrids_load (&g);
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    enum { N = 26, MORE = 3 };
    char ids[N + 2 * MORE][33];
    for (int i = 0; i < N; i++)
        s_submit (intake, &g, i, ids[i]);
    cg_client_destroy (&intake);
    s_await_archive (stack, ids[N - 1]);

    /*  the file as the archive of layout 1 left it: its text index keyed
        by the row number, no text keys */
    cg_teststack_kill9 (stack, "archive");
    char path[600];
    snprintf (path, sizeof path, "%s/archive.db", stack->dir);
    sqlite3 *db;
    cr_assert_eq (sqlite3_open (path, &db), SQLITE_OK);
    char *err = NULL;
    cr_assert_eq (sqlite3_exec (db, "DROP TABLE case_grams; DROP TABLE case_keys;"
                                "CREATE VIRTUAL TABLE case_text USING fts5 (grams, content='',"
                                " tokenize='ascii');"
                                "UPDATE meta SET value = 1 WHERE key = 'layout'", NULL, NULL,
                                &err), SQLITE_OK, "%s", err);
    sqlite3_close (db);

    cg_teststack_restart (stack);
    cr_assert_eq (cg_teststack_log_count (stack, "archive", "layout 1 -> 2 done"), 1);
    cr_assert (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK);
    sqlite3_stmt *stmt;
    cr_assert_eq (sqlite3_prepare_v2 (db, "SELECT (SELECT value FROM meta WHERE key = 'layout'),"
                                      " (SELECT count(*) FROM case_keys),"
                                      " (SELECT count(*) FROM sqlite_master"
                                      "  WHERE name = 'case_text')", -1, &stmt, NULL), SQLITE_OK);
    cr_assert_eq (sqlite3_step (stmt), SQLITE_ROW);
    cr_assert_eq (sqlite3_column_int64 (stmt, 0), 2, "the store's layout is not 2");
    cr_assert_eq (sqlite3_column_int64 (stmt, 1), N, "not every case's text was indexed again");
    cr_assert_eq (sqlite3_column_int64 (stmt, 2), 0, "the old text index is still there");
    sqlite3_finalize (stmt);
    sqlite3_close (db);

    /*  its old cases are found by their texts: a rare word and a longer
        piece of one case, and a common word in every case, page after page
        newest first, while more cases that hold it arrive */
    char *out = cg_testcli (stack, 0, "search --q 鹦鹉");
    cr_assert (strstr (out, ids[7]), "%s", out);
    free (out);
    out = cg_testcli (stack, 0, "search --q 家里养的鹦鹉飞到了");
    cr_assert (strstr (out, ids[7]), "%s", out);
    free (out);
    /*  the text index leads over the city (no scope); the scope's index
        leads in a scope of few cases (a town or community of 5 to 13 of
        them: under sqrt (8 * 26), search.c): both page in the same order */
    char scope[16] = "";
    for (int i = 0; i < N && !*scope; i++)
        for (size_t len = 9; len <= 12 && !*scope; len += 3) {
            int in = 0;
            for (int j = 0; j < N + 2 * MORE; j++)
                in += strncmp (s_grid_of (&g, j), s_grid_of (&g, i), len) == 0;
            if (in >= 5 && in <= 13)
                snprintf (scope, sizeof scope, "%.*s", (int) len, s_grid_of (&g, i));
        }
    cr_assert (*scope, "no town or community holds 5 to 13 of the cases");
    const char *scopes[] = { NULL, scope };
    char found[N + 2 * MORE][33];
    for (int k = 0; k < 2; k++) {
        s_arrivals_t arrivals = { .stack = stack, .g = &g, .from = N + k * MORE, .count = MORE,
                                  .ids = ids };
        int n = s_search_all (stack, scopes[k], "小猫飞到", 4, found, N + 2 * MORE, s_arrive,
                              &arrivals);
        /*  every case that held the words when it began, and no other,
            newest first: the arrivals come after its first page's place */
        int want = 0;
        for (int i = N + k * MORE - 1; i >= 0; i--)
            if (i != 7 && (!scopes[k] || strncmp (s_grid_of (&g, i), scope, strlen (scope)) == 0)) {
                cr_assert_lt (want, n, "scope %s: case %d (%s) was skipped", scopes[k], i, ids[i]);
                cr_assert_str_eq (found[want], ids[i], "scope %s: page order or case wrong at %d",
                                  scopes[k], want);
                want++;
            }
        cr_assert_eq (n, want, "scope %s: %d cases found, %d held the words", scopes[k], n, want);
    }
    /*  and the cases that arrived after the upgrade are found, newest first */
    for (int k = 0; k < 2; k++) {
        int n = s_search_all (stack, scopes[k], "小猫飞到", 40, found, N + 2 * MORE, NULL, NULL);
        int want = 0;
        for (int i = N + 2 * MORE - 1; i >= 0; i--)
            if (i != 7 && (!scopes[k] || strncmp (s_grid_of (&g, i), scope, strlen (scope)) == 0))
                cr_assert_str_eq (found[want++], ids[i], "scope %s: newest first", scopes[k]);
        cr_assert_eq (n, want);
    }
    cg_orgtree_destroy (&g.org);
    cg_teststack_down (&stack);
}
