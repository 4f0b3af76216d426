/*  Statistics over years, with real parts: a store written before weeks
    and months were kept (five years of daily counters, loaded the way
    dispatch wrote them) is rolled up by dispatch at start, once across a
    kill -9, and answers by day, week and month for a county and the city,
    through the command, the CLI and the operator API; what is out of
    bounds is refused naming the field; and dispatch answers ping and a
    queue while statistics are being worked out. */
#include <criterion/criterion.h>
#include <time.h>
#include "cg_clock.h"
#include "cg_testcase.h"
#include "cg_testhttp.h"

/*  Monday 2026-11-23 09:00 China time, for the test clock */
#define S_MONDAY_9      INT64_C (1795395600000)
#define S_FIRST         "2021-11-23"    /* the first day loaded */
#define S_DAYS          1826            /* up to Sunday 2026-11-22 */
#define S_COUNTY        "320602"
#define S_TOWN_UNIT     "320602001-chengguan"
#define S_COUNTY_UNIT   "320602-chengguan"
#define S_OTHER_UNIT    "320612-chengguan"
#define S_CITY          "320600"

/*  What the old store counted on day i (0 = S_FIRST): the town's unit
    received 1..5 noise cases and redispatched one every other day, the
    county's unit resolved 2..4, and another county's unit received 3. */
static int64_t s_town_received (int i) { return 1 + i % 5; }
static int64_t s_town_redispatched (int i) { return i % 2; }
static int64_t s_county_resolved (int i) { return 2 + i % 3; }
#define S_OTHER_RECEIVED 3

static int64_t
s_day (const char *name)
{
    struct tm tm = { 0 };
    cr_assert_eq (sscanf (name, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday), 3);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t) timegm (&tm) / 86400;
}

static void
s_day_name (int64_t day, char *buf, size_t len)
{
    char iso[40];
    cg_time_iso (day * 86400000 - CG_TZ_OFFSET_MS, iso, sizeof iso);
    snprintf (buf, len, "%.10s", iso);
}

/*  The counts of days [from, to] as a query of scope must give them. */
typedef struct {
    int64_t received, dispatched, resolved;
} s_sum_t;

static s_sum_t
s_expected (const char *scope, int64_t from, int64_t to)
{
    s_sum_t sum = { 0 };
    bool city = strcmp (scope, S_CITY) == 0;
    for (int64_t day = from; day <= to; day++) {
        int i = (int) (day - s_day (S_FIRST));
        if (i < 0 || i >= S_DAYS)
            continue;
        sum.received += s_town_received (i) + (city ? S_OTHER_RECEIVED : 0);
        sum.dispatched += s_town_received (i) + s_town_redispatched (i)
                        + (city ? S_OTHER_RECEIVED : 0);
        sum.resolved += s_county_resolved (i);
    }
    return sum;
}

/*  Five years of daily counters as an older dispatch wrote them: days
    only, and no layout key. */
static void
s_load_old_store (cg_teststack_t *stack)
{
    cg_redis_t *redis = stack->redis;
    redisReply *r = cg_redis_command (redis, "DEL cg:{dispatch}:st:layout cg:{dispatch}:st:from");
    freeReplyObject (r);
    cg_args_t args;
    cg_args_init (&args);
    size_t sent = 0;
    for (int i = 0; i < S_DAYS; i++) {
        char day[16], line[160];
        s_day_name (s_day (S_FIRST) + i, day, sizeof day);
        const struct { const char *field; int64_t n; } counts[] = {
            { S_TOWN_UNIT "|noise|received", s_town_received (i) },
            { S_TOWN_UNIT "|noise|redispatched", s_town_redispatched (i) },
            { S_COUNTY_UNIT "|street_vending|resolved", s_county_resolved (i) },
            { S_OTHER_UNIT "|noise|received", S_OTHER_RECEIVED },
            /*  a metric this dispatch does not report: rolled up all the same */
            { S_TOWN_UNIT "|noise|basically_satisfied", 1 },
        };
        for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
            if (!counts[k].n)
                continue;
            snprintf (line, sizeof line, "HINCRBY cg:{dispatch}:st:%s %s %lld", day,
                      counts[k].field, (long long) counts[k].n);
            cg_args_reset (&args);
            cg_args_add_words (&args, line);
            cr_assert_eq (cg_redis_append (redis, &args), 0);
            sent++;
        }
    }
    cg_args_free (&args);
    for (size_t i = 0; i < sent; i++) {
        r = cg_redis_reply (redis);
        cr_assert (r && r->type == REDIS_REPLY_INTEGER);
        freeReplyObject (r);
    }
}

/*  A stack on the test clock (Monday 2026-11-23), with extra settings,
    whose dispatch started on the old store. */
static cg_teststack_t *
s_old_stack (const char *extra)
{
    cg_teststack_t *stack = cg_teststack_up (extra);
    cg_testclock_set (stack, S_MONDAY_9);
    cg_teststack_kill9 (stack, "dispatch");
    s_load_old_store (stack);
    cg_teststack_restart (stack);
    return stack;
}

static int
s_query (cg_teststack_t *stack, const char *scope, const char *from, const char *to,
         const char *by, cg_stats_report_t *report, cg_error_t *err)
{
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    cg_stats_query_t req = { .scope = (char *) scope, .from = (char *) from, .to = (char *) to,
                             .by = (char *) by };
    int rc = cg_client_call (dispatch, &cg_cmd_case_stats, &req, report, err);
    cg_client_destroy (&dispatch);
    return rc;
}

static cg_stats_report_t
s_stats (cg_teststack_t *stack, const char *scope, const char *from, const char *to,
         const char *by)
{
    cg_stats_report_t report;
    cg_error_t err;
    cr_assert_eq (s_query (stack, scope, from, to, by, &report, &err), 0, "%s %s..%s by %s: %s",
                  scope, from, to, by, err.message);
    return report;
}

static void
s_refused (cg_teststack_t *stack, const char *from, const char *to, const char *by,
           const char *field, const char *words)
{
    cg_stats_report_t report;
    cg_error_t err;
    cr_assert_eq (s_query (stack, S_COUNTY, from, to, by, &report, &err), -1,
                  "%s..%s by %s was answered", from, to, by);
    cr_assert_str_eq (err.field, field, "%s..%s by %s: %s", from, to, by, err.message);
    cr_assert (strstr (err.message, words), "%s", err.message);
}

static void
s_assert_sum (const cg_stats_row_t *row, s_sum_t want)
{
    cr_assert_eq (row->received, want.received, "%s %s: received %lld, not %lld", row->by,
                  row->key, (long long) row->received, (long long) want.received);
    cr_assert_eq (row->dispatched, want.dispatched, "%s %s: dispatched", row->by, row->key);
    cr_assert_eq (row->resolved, want.resolved, "%s %s: resolved", row->by, row->key);
}

/*  Checks a report's total and every row over time against the days
    loaded: rows of `by` cover [from, to], each cut to the range. */
static void
s_assert_report (const cg_stats_report_t *report, const char *scope, const char *by,
                 size_t buckets)
{
    int64_t from = s_day (report->from), to = s_day (report->to);
    cr_assert_str_eq (report->rows[0].by, "total");
    s_assert_sum (&report->rows[0], s_expected (scope, from, to));
    size_t seen = 0;
    int64_t next = from;
    for (size_t i = 0; i < report->rows_count; i++) {
        const cg_stats_row_t *row = &report->rows[i];
        if (strcmp (row->by, by) != 0)
            continue;
        char first[16];
        snprintf (first, sizeof first, "%s%s", row->key, strlen (row->key) == 7 ? "-01" : "");
        int64_t start = s_day (first), end;
        if (strcmp (by, "day") == 0)
            end = start;
        else if (strcmp (by, "week") == 0)
            end = start + 6;
        else {
            time_t t = (time_t) (start * 86400);
            struct tm tm;
            gmtime_r (&t, &tm);
            tm.tm_mon++;
            end = (int64_t) timegm (&tm) / 86400 - 1;
        }
        int64_t lo = start > from ? start : from, hi = end < to ? end : to;
        cr_assert_eq (lo, next, "%s %s does not follow on", by, row->key);
        s_assert_sum (row, s_expected (scope, lo, hi));
        next = hi + 1;
        seen++;
    }
    cr_assert_eq (seen, buckets, "%zu rows by %s, not %zu", seen, by, buckets);
    cr_assert_eq (next, to + 1);
}

static const cg_stats_row_t *
s_row (const cg_stats_report_t *report, const char *by, const char *key)
{
    for (size_t i = 0; i < report->rows_count; i++)
        if (strcmp (report->rows[i].by, by) == 0 && strcmp (report->rows[i].key, key) == 0)
            return &report->rows[i];
    cr_assert_fail ("no row %s %s", by, key);
    return NULL;
}

/*  Five years answer by month and week for a county and the city, the last
    year by day; ranges that cut weeks or months are answered from the days
    still kept.  Totals over the whole range come from the months alone. */
static void
s_assert_five_years (cg_teststack_t *stack)
{
    const char *scopes[] = { S_COUNTY, S_CITY };
    for (int s = 0; s < 2; s++) {
        /*  59 whole months, December 2021 to October 2026 */
        cg_stats_report_t r = s_stats (stack, scopes[s], "2021-12-01", "2026-10-31", "month");
        cr_assert_str_eq (r.by, "month");
        s_assert_report (&r, scopes[s], "month", 59);
        /*  the city's rows by unit come from years and months, not the
            rows over time: a unit's row counts the 59 months alone */
        if (strcmp (scopes[s], S_CITY) == 0)
            cr_assert_eq (s_row (&r, "unit", S_OTHER_UNIT)->received,
                          S_OTHER_RECEIVED * (s_day ("2026-10-31") - s_day ("2021-12-01") + 1));
        cg_msg_clear (&cg_stats_report_def, &r);
        /*  260 whole weeks, Monday 2021-11-29 to Sunday 2026-11-22 */
        r = s_stats (stack, scopes[s], "2021-11-29", "2026-11-22", "week");
        s_assert_report (&r, scopes[s], "week", 260);
        cg_msg_clear (&cg_stats_report_def, &r);
        /*  the last 366 days by day */
        r = s_stats (stack, scopes[s], "2025-11-22", "2026-11-22", "day");
        s_assert_report (&r, scopes[s], "day", 366);
        cg_msg_clear (&cg_stats_report_def, &r);
    }
    /*  ends within the kept days cut the first and last month and week */
    cg_stats_report_t r = s_stats (stack, S_COUNTY, "2026-01-15", "2026-11-20", "month");
    s_assert_report (&r, S_COUNTY, "month", 11);
    cr_assert_eq (s_row (&r, "month", "2026-01")->received,
                  s_expected (S_COUNTY, s_day ("2026-01-15"), s_day ("2026-01-31")).received);
    /*  by center, unit and category too, within the scope only */
    cr_assert_eq (s_row (&r, "unit", S_COUNTY_UNIT)->resolved, r.rows[0].resolved);
    cr_assert_eq (s_row (&r, "center", "320602001")->received, r.rows[0].received);
    cr_assert_eq (s_row (&r, "category", "noise")->received, r.rows[0].received);
    cg_msg_clear (&cg_stats_report_def, &r);
    r = s_stats (stack, S_CITY, "2025-12-03", "2026-11-19", "week");
    s_assert_report (&r, S_CITY, "week", 51);
    cr_assert_eq (s_row (&r, "unit", S_OTHER_UNIT)->received,
                  S_OTHER_RECEIVED * (s_day ("2026-11-19") - s_day ("2025-12-03") + 1));
    cg_msg_clear (&cg_stats_report_def, &r);
}

Test (stats, five_years_of_an_older_store_roll_up_once_and_answer_by_day_week_and_month,
      .timeout = 300)
{
    cg_teststack_t *stack = s_old_stack ("--set clock/test=1");
    s_assert_five_years (stack);
    /*  the years are made from the months, and every hash has the city's
        totals, which the city's rows over time read (docs/DISPATCH.md) */
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sy:2024 "
                                    S_TOWN_UNIT "|noise|basically_satisfied"), 366);
    cr_assert_gt (cg_teststack_int (stack, "HGET cg:{dispatch}:sm:2024-02 *|*|received"), 0);
    cr_assert_eq (cg_teststack_int (stack, "GET cg:{dispatch}:st:layout"), 4);
    /*  the month holds every metric the days had, reported or not, and so
        does its county's part (layout 4), which a county's and a town's
        queries read; the part holds no other county's unit */
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sm:2024-02 "
                                    S_TOWN_UNIT "|noise|basically_satisfied"), 29);
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sm:2024-02|320602 "
                                    S_TOWN_UNIT "|noise|basically_satisfied"), 29);
    cr_assert_eq (cg_teststack_int (stack, "HEXISTS cg:{dispatch}:sm:2024-02|320602 "
                                    S_OTHER_UNIT "|noise|received"), 0);
    /*  days older than dispatch/stats_days (400) are gone with their
        counties' parts, the rest kept */
    cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{dispatch}:st:2021-11-23"), 0);
    cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{dispatch}:st:2025-10-19"), 0);
    cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{dispatch}:st:2025-10-19|320602"), 0);
    cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{dispatch}:st:2025-10-20"), 1);
    cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{dispatch}:st:2025-10-20|320602"), 1);

    /*  a dispatch killed and started again rolls nothing up twice */
    cg_teststack_kill9 (stack, "dispatch");
    cg_teststack_restart (stack);
    s_assert_five_years (stack);
    /*  and one killed in the middle of the rollup goes on where it
        stopped: the days already rolled are remembered in st:rolled */
    cg_teststack_kill9 (stack, "dispatch");
    redisReply *r = cg_redis_command (stack->redis, "DEL cg:{dispatch}:st:layout");
    freeReplyObject (r);
    for (int64_t day = s_day ("2025-10-20"); day <= s_day ("2026-11-22"); day++) {
        char name[16];
        s_day_name (day, name, sizeof name);
        r = cg_redis_command (stack->redis, "SADD cg:{dispatch}:st:rolled %s", name);
        freeReplyObject (r);
    }
    cg_teststack_restart (stack);
    s_assert_five_years (stack);

    /*  a city with a thousand units busy today: the reply stays within
        the message cap, with the 400 units that received most */
    FILE *f = fopen (zconfig_get (stack->config, "data/orgtree", ""), "r");
    cr_assert (f);
    char line[512], fewest[64] = "", most[64] = "";
    int units = 0;
    while (fgets (line, sizeof line, f)) {
        char code[64], parent[64], kind[16];
        if (sscanf (line, "%63[^\t]\t%63[^\t]\t%15[^\t]", code, parent, kind) != 3
        ||  strcmp (kind, "unit") != 0)
            continue;
        const char *metrics[] = { "received", "redispatched", "signed_for", "signed_on_time",
                                  "resolved", "resolved_on_time", "callbacks", "satisfied",
                                  "redone", "escalated" };
        for (size_t m = 0; m < sizeof metrics / sizeof metrics[0]; m++) {
            r = cg_redis_command (stack->redis, "HINCRBY cg:{dispatch}:st:2026-11-23 "
                                  "%s|noise|%s %d", code, metrics[m], 100000 + units);
            freeReplyObject (r);
            /*  and the city's total, as lib.lua's stats_add counts */
            r = cg_redis_command (stack->redis, "HINCRBY cg:{dispatch}:st:2026-11-23 "
                                  "*|*|%s %d", metrics[m], 100000 + units);
            freeReplyObject (r);
        }
        snprintf (units ? most : fewest, 64, "%s", code);
        units++;
    }
    fclose (f);
    cr_assert_gt (units, 1000);
    cg_stats_report_t busy = s_stats (stack, S_CITY, "2025-11-23", "2026-11-23", "day");
    size_t unit_rows = 0;
    for (size_t i = 0; i < busy.rows_count; i++)
        unit_rows += strcmp (busy.rows[i].by, "unit") == 0;
    cr_assert_eq (unit_rows, 400);
    cr_assert_eq (busy.units_left_out, units - 400);
    cr_assert_eq (s_row (&busy, "unit", most)->received, 100000 + units - 1);
    for (size_t i = 0; i < busy.rows_count; i++)
        cr_assert_str_neq (busy.rows[i].key, fewest, "%s received least", fewest);
    cr_assert_eq (s_row (&busy, "day", "2026-11-23")->escalated,
                  (int64_t) units * 100000 + (int64_t) units * (units - 1) / 2);
    cg_msg_clear (&cg_stats_report_def, &busy);

    /*  hours: the older store had none, so its days read as zero by hour
        while by day they hold their counts; a case received now (09:00 on
        the test clock) counts in its hour as in its day */
    char *sent = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &sent, "submit --category noise --grid "
                                    "320602001001001 --text '凌晨两点工地还在打桩，噪声很大'"),
                  0, "%s", sent);
    free (sent);
    int64_t nine = 0;
    for (int i = 0; i < 300 && !nine; i++, zclock_sleep (nine ? 0 : 100)) {
        cg_stats_report_t today = s_stats (stack, S_COUNTY, "2026-11-23", "2026-11-23", "hour");
        nine = s_row (&today, "hour", "2026-11-23T09")->received;
        cg_msg_clear (&cg_stats_report_def, &today);
    }
    cg_stats_report_t hours = s_stats (stack, S_COUNTY, "2026-11-17", "2026-11-23", "hour");
    cr_assert_str_eq (hours.by, "hour");
    size_t nhours = 0;
    int64_t by_hour = 0;
    for (size_t i = 0; i < hours.rows_count; i++)
        if (strcmp (hours.rows[i].by, "hour") == 0) {
            nhours++;
            by_hour += hours.rows[i].received;
        }
    cr_assert_eq (nhours, 7 * 24, "a row for each hour of seven days");
    cr_assert_eq (s_row (&hours, "hour", "2026-11-23T09")->received, 1, "the case's hour");
    cr_assert_eq (s_row (&hours, "hour", "2026-11-22T09")->received, 0, "no hours before them");
    cr_assert_eq (by_hour, 1, "the hours hold what came after they were kept");
    cg_msg_clear (&cg_stats_report_def, &hours);
    s_refused (stack, "2026-11-16", "2026-11-23", "hour", "to", "7 days");

    /*  out of bounds, refused naming the field */
    s_refused (stack, "2016-11-22", "2026-11-22", "month", "to", "10 years");
    s_refused (stack, "2016-11-24", "2026-11-24", "week", "to", "10 years");
    s_refused (stack, "2025-11-21", "2026-11-22", "day", "to", "366 days");
    s_refused (stack, "2025-11-22", "2026-11-22", "year", "by", "day, week or month");
    s_refused (stack, "2026-11-22", "2026-11-21", "day", "to", "from 2026-11-22");
    /*  a week cut by the range where days are no longer kept */
    s_refused (stack, "2021-11-24", "2026-11-22", "week", "from", "kept from 2025-10-20");
    s_refused (stack, "2021-12-01", "2024-10-30", "month", "to", "by month");
    s_refused (stack, "2023-05-03", "2023-05-09", "day", "from", "kept from");
    /*  ten years less a day is within bounds */
    cg_stats_report_t ten = s_stats (stack, S_CITY, "2016-12-01", "2026-10-31", "month");
    s_assert_report (&ten, S_CITY, "month", 119);
    cg_msg_clear (&cg_stats_report_def, &ten);

    /*  the CLI asks by month, and names a refused field */
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "stats --scope " S_COUNTY " --from 2021-12-01 "
                                    "--to 2026-10-31 --by month"), 0, "%s", out);
    cr_assert (strstr (out, "by month") && strstr (out, "\nmonth     2024-02 "), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "stats --scope " S_COUNTY " --from 2021-12-01 "
                                    "--to 2026-10-31 --by year"), 1);
    cr_assert (strstr (out, "invalid: by") && strstr (out, "day, week or month"), "%s", out);
    free (out);

    /*  the operator API: the same, as JSON */
    char *county = cg_http_token (stack, "operator", S_COUNTY, "王");
    int status;
    json_t *j = cg_http_get_json (stack, "/api/v1/stats?scope=" S_COUNTY "&from=2021-11-29"
                                  "&to=2026-11-22&by=week", county, &status);
    cr_assert_eq (status, 200, "%s", json_dumps (j, 0));
    cr_assert_str_eq (json_string_value (json_object_get (j, "by")), "week");
    json_t *rows = json_object_get (j, "rows");
    cr_assert_eq (json_integer_value (json_object_get (json_array_get (rows, 0), "received")),
                  s_expected (S_COUNTY, s_day ("2021-11-29"), s_day ("2026-11-22")).received);
    json_t *last = json_array_get (rows, json_array_size (rows) - 1);
    cr_assert_str_eq (json_string_value (json_object_get (last, "key")), "2026-11-16");
    json_decref (j);
    j = cg_http_get_json (stack, "/api/v1/stats?scope=" S_COUNTY "&from=2016-01-01"
                          "&to=2026-11-22&by=month", county, &status);
    cr_assert_eq (status, 400);
    cr_assert_str_eq (json_string_value (json_object_get (json_object_get (j, "error"),
                                                          "field")), "to");
    json_decref (j);
    free (county);
    cg_teststack_down (&stack);
}

/*  Statistics are worked out beside dispatch's command loop: while a
    backlog of them is, ping and a queue are answered, and every query
    still gets its right answer.  Nothing is kept between queries
    (stats_cache_mb 0): each reads its hashes from Redis. */
Test (stats, dispatch_answers_ping_and_a_queue_while_statistics_are_worked_out,
      .timeout = 300)
{
    cg_teststack_t *stack = s_old_stack ("--set clock/test=1 --set dispatch/stats_cache_mb=0");

    zsock_t *dealer = cg_teststack_dealer (stack, "dispatch");
    const int queries = 16;
    for (int i = 0; i < queries; i++) {
        char rid[32];
        snprintf (rid, sizeof rid, "long-%d", i);
        cg_stats_query_t req = { .rid = rid, .scope = S_CITY, .by = i % 2 ? "week" : "month",
                                 .from = i % 2 ? "2021-11-29" : "2021-12-01",
                                 .to = i % 2 ? "2026-11-22" : "2026-10-31" };
        cg_test_send (dealer, "case.stats", rid, &cg_stats_query_def, &req);
    }
    /*  ping, and an ordinary command: a center's queue */
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    cg_ping_t ping = { 0 };
    cg_pong_t pong;
    cg_error_t err;
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_ping, &ping, &pong,
                                  &err), 0, "%s", err.message);
    cr_assert_str_eq (pong.service, "dispatch");
    cg_msg_clear (&cg_pong_def, &pong);
    cg_case_query_t list = { .center = "320602001", .state = "dispatched" };
    cg_case_page_t page;
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_list, &list, &page, &err), 0, "%s", err.message);
    cg_msg_clear (&cg_case_page_def, &page);
    /*  they were answered while statistics were still to come */
    int answered = 0;
    while (zsock_events (dealer) & ZMQ_POLLIN) {
        zmsg_t *msg = zmsg_recv (dealer);
        zmsg_destroy (&msg);
        answered++;
    }
    cr_assert_lt (answered, queries, "all %d statistics were answered before ping", queries);
    /*  and every query gets its answer, right */
    zpoller_t *poller = zpoller_new (dealer, NULL);
    for (; answered < queries; answered++) {
        cr_assert (zpoller_wait (poller, 120000), "statistics %d never answered", answered);
        zmsg_t *msg = zmsg_recv (dealer);
        char *status = zmsg_popstr (msg), *rid = zmsg_popstr (msg);
        zframe_t *body = zmsg_pop (msg);
        cr_assert_str_eq (status, "ok", "%s", rid);
        cg_stats_report_t report;
        cr_assert_eq (cg_msg_decode (&cg_stats_report_def, zframe_data (body),
                                     zframe_size (body), &report, &err), 0, "%s", err.message);
        s_assert_report (&report, S_CITY, report.by, atoi (rid + 5) % 2 ? 260 : 59);
        cg_msg_clear (&cg_stats_report_def, &report);
        zframe_destroy (&body);
        free (status);
        free (rid);
        zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    zsock_destroy (&dealer);
    cg_client_destroy (&dispatch);
    cg_teststack_down (&stack);
}
