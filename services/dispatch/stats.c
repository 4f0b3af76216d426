/*  stats — counts per unit, category and day, rolled up for any subtree.

    Every count is one field "<unit>|<category>|<metric>" of the hash
    cg:{dispatch}:st:<YYYY-MM-DD> (the China-time day it happened), added
    by the same script as the change it counts: received when intake's
    case is routed (dispatch_received), the others by case_move as
    machine.c plans them.  A case routed from intake is dispatched as it
    is received, so `dispatched` is not kept twice: it is received plus
    redispatched (dispatched again: transferred, redone, reopened, sent up
    a level, ...), summed when read.  A unit answers to one center (a
    center's own queue counts as the center), so a query for a subtree
    reads the days asked for and keeps the fields whose unit lies in it,
    summing them as the total and by center, unit, category and day.  A
    day holds at most units x categories x metrics fields, so a year's
    query reads 366 hashes. */
#include "stats.h"
#include "cg_clock.h"

#include <time.h>

#define S_DAYS_MAX  366
#define S_ROWS_MAX  5000

/*  The metrics of a report, in its order; "redispatched" is kept, and
    read as dispatched. */
static const char *s_metrics[] = {
    "received", "redispatched", "signed_for", "signed_on_time", "resolved",
    "resolved_on_time", "callbacks", "satisfied", "redone", "escalated", "basically_satisfied"
};
#define S_RECEIVED      0
#define S_DISPATCHED    1
#define S_METRICS (sizeof s_metrics / sizeof s_metrics[0])

void
stats_day_key (int64_t at, char *buf, size_t len)
{
    char iso[40];
    cg_time_iso (at, iso, sizeof iso);
    snprintf (buf, len, S_PREFIX "st:%.10s", iso);
}

void
stats_count (cg_args_t *args, int64_t at, const char *unit, const char *category,
             const char *metric)
{
    char key[64];
    stats_day_key (at, key, sizeof key);
    cg_args_add_str (args, key);
    cg_args_addf (args, "%s|%s|%s", unit ? unit : "-", category ? category : "-", metric);
}

/* --- the query ------------------------------------------------------------ */

typedef struct {
    const char *by;
    char key[48];
    int64_t n[S_METRICS];
} s_row_t;

/*  The row of (by, key), made on first use; rows keep their order. */
static s_row_t *
s_row (zlistx_t *rows, zhash_t *index, const char *by, const char *key)
{
    char name[80];
    snprintf (name, sizeof name, "%s/%s", by, key);
    s_row_t *row = zhash_lookup (index, name);
    if (!row && zlistx_size (rows) < S_ROWS_MAX) {
        row = calloc (1, sizeof *row);
        assert (row);
        row->by = by;
        snprintf (row->key, sizeof row->key, "%s", key);
        zlistx_add_end (rows, row);
        zhash_insert (index, name, row);
    }
    return row;
}

static int
s_parse_day (const char *text, time_t *day)
{
    struct tm tm = { 0 };
    int n = 0;
    if (sscanf (text, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 || n != 10)
        return -1;
    int year = tm.tm_year, month = tm.tm_mon, mday = tm.tm_mday;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *day = timegm (&tm);
    gmtime_r (day, &tm);        /* 2025-02-30 comes back as March */
    return tm.tm_year + 1900 == year && tm.tm_mon + 1 == month && tm.tm_mday == mday ? 0 : -1;
}

/*  Adds one day's fields within scope to the rows. */
static void
s_add_day (cases_t *self, const cg_org_node_t *scope, const char *day, zlistx_t *rows,
           zhash_t *index)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "HGETALL " S_PREFIX "st:%s", day);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        char unit[48], category[48], metric[24];
        if (sscanf (r->element[i]->str, "%47[^|]|%47[^|]|%23s", unit, category, metric) != 3)
            continue;
        const cg_org_node_t *node = cg_orgtree_find (self->org, unit);
        size_t m = 0;
        while (m < S_METRICS && strcmp (s_metrics[m], metric) != 0)
            m++;
        if (!node || m == S_METRICS || !cg_orgtree_within (node, scope))
            continue;
        const cg_org_node_t *center = node->kind == CG_ORG_UNIT ? node->parent : node;
        int64_t n = cg_reply_int (r->element[i + 1], 0);
        s_row_t *each[] = { s_row (rows, index, "total", scope->code),
                            s_row (rows, index, "center", center->code),
                            s_row (rows, index, "unit", unit),
                            s_row (rows, index, "category", category),
                            s_row (rows, index, "day", day) };
        for (size_t k = 0; k < sizeof each / sizeof each[0]; k++)
            if (each[k]) {
                each[k]->n[m] += n;
                if (m == S_RECEIVED)
                    each[k]->n[S_DISPATCHED] += n;
            }
    }
    if (r)
        freeReplyObject (r);
}

static int
s_by_order (const char *by)
{
    const char *order[] = { "total", "center", "unit", "category", "day" };
    for (int i = 0; i < 5; i++)
        if (strcmp (order[i], by) == 0)
            return i;
    return 5;
}

static int
s_compare_rows (const void *a, const void *b)
{
    const s_row_t *x = a, *y = b;
    int c = s_by_order (x->by) - s_by_order (y->by);
    return c ? c : strcmp (x->key, y->key);
}

void
stats_on_query (void *request, cg_reply_t *reply, void *arg)
{
    cases_t *self = arg;
    cg_stats_query_t *req = request;
    const cg_org_node_t *scope = cg_orgtree_find (self->org, req->scope);
    time_t from, to;
    if (!scope) {
        cg_reply_fail (reply, "not_found", "scope", "there is no center or place %s", req->scope);
        return;
    }
    if (s_parse_day (req->from, &from)) {
        cg_reply_fail (reply, "invalid", "from", "'%s' is not a date YYYY-MM-DD", req->from);
        return;
    }
    if (s_parse_day (req->to, &to) || to < from || (to - from) / 86400 >= S_DAYS_MAX) {
        cg_reply_fail (reply, "invalid", "to", "'%s' must be a date YYYY-MM-DD from %s and "
                       "at most %d days on", req->to, req->from, S_DAYS_MAX);
        return;
    }
    zlistx_t *rows = zlistx_new ();
    zlistx_set_destructor (rows, (zlistx_destructor_fn *) zstr_free);
    zhash_t *index = zhash_new ();
    s_row (rows, index, "total", scope->code);
    for (time_t day = from; day <= to; day += 86400) {
        struct tm tm;
        gmtime_r (&day, &tm);
        char name[16];
        strftime (name, sizeof name, "%Y-%m-%d", &tm);
        s_add_day (self, scope, name, rows, index);
    }
    zlistx_set_comparator (rows, (zlistx_comparator_fn *) s_compare_rows);
    zlistx_sort (rows);
    cg_stats_report_t report = { .scope = req->scope, .from = req->from, .to = req->to };
    report.rows = calloc (zlistx_size (rows), sizeof (cg_stats_row_t));
    assert (report.rows);
    for (s_row_t *row = zlistx_first (rows); row; row = zlistx_next (rows)) {
        cg_stats_row_t *out = &report.rows[report.rows_count++];
        *out = (cg_stats_row_t) {
            .by = (char *) row->by, .key = row->key, .received = row->n[S_RECEIVED],
            .dispatched = row->n[S_DISPATCHED], .signed_for = row->n[2],
            .signed_on_time = row->n[3],
            .resolved = row->n[4], .resolved_on_time = row->n[5], .callbacks = row->n[6],
            .satisfied = row->n[7], .redone = row->n[8], .escalated = row->n[9],
            .basically_satisfied = row->n[10] };
    }
    cg_reply_ok (reply, &cg_stats_report_def, &report);
    free (report.rows);
    zhash_destroy (&index);
    zlistx_destroy (&rows);
}
