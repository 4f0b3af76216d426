/*  health — GET /healthz and GET /metrics, for whoever watches the system.

    Both ask every part of the configuration (each section with an
    endpoint, the gateway included) its `metrics` (cg_command.h): its
    commands' counts and latency histograms, and the gauges of what it owns
    — dispatch its cases by state and level and where its calendar ends,
    notification its deliveries by channel and outcome, dead letters and
    pending acknowledgements, every daemon its journal's head and how far
    behind each consumer is.  The gateway adds Redis: reachable, writable
    (it writes its own key cg:{gateway}:health), and its memory.

    /metrics is Prometheus's text exposition format, version 0.0.4.
    /healthz is JSON listing each check: 200 when all pass, 503 naming
    those that fail.  A daemon that does not answer within 1.5 s fails.
    Both need a token of the role monitor (or admin): counts of cases per
    state are not for the public, and a probe must not be a way to load
    every daemon at will (docs/API.md).

    Nothing here grows with the data: a reply has one line per command,
    per consumer and per gauge a daemon reports (at most
    CG_METRIC_GAUGES_MAX each), however many cases there are. */
#include "gateway.h"
#include "cg_calendar.h"
#include "cg_clock.h"

#define S_ASK_MS            1500
#define S_PARTS_MAX         16

typedef struct {
    const char *name;
    bool answered;
    cg_metrics_t m;
} s_part_t;

typedef struct {
    s_part_t parts[S_PARTS_MAX];
    size_t nparts;
    bool redis_up, redis_writable;
    int64_t redis_memory;               /* bytes, -1 when unknown */
} s_view_t;

/*  Asks every part its metrics, and Redis what the gateway wants to know. */
static void
s_gather (gw_request_t *req, s_view_t *view)
{
    zconfig_t *config = req->gw->daemon->config;
    for (zconfig_t *section = zconfig_child (config);
         section && view->nparts < S_PARTS_MAX; section = zconfig_next (section)) {
        const char *endpoint = zconfig_get (section, "endpoint", NULL);
        if (!endpoint)
            continue;
        s_part_t *part = &view->parts[view->nparts++];
        part->name = zconfig_name (section);
        cg_client_t *client = cg_client_new (endpoint, S_ASK_MS, 1);
        cg_metrics_ask_t ask = { 0 };
        cg_error_t err;
        part->answered = client && cg_client_call (client, &cg_cmd_metrics,
                                                   &ask, &part->m, &err) == 0;
        cg_client_destroy (&client);
    }
    redisReply *r = cg_redis_command (req->link->redis, "SET cg:{gateway}:health %lld PX 60000",
                                      (long long) cg_clock_now ());
    view->redis_up = r != NULL;
    view->redis_writable = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject (r);
    view->redis_memory = -1;
    r = view->redis_up ? cg_redis_command (req->link->redis, "INFO memory") : NULL;
    const char *at = r ? strstr (cg_reply_str (r), "used_memory:") : NULL;
    if (at)
        view->redis_memory = strtoll (at + strlen ("used_memory:"), NULL, 10);
    if (r)
        freeReplyObject (r);
}

static void
s_view_clear (s_view_t *view)
{
    for (size_t i = 0; i < view->nparts; i++)
        cg_msg_clear (&cg_metrics_def, &view->parts[i].m);
}

/* --- /metrics ------------------------------------------------------------- */

/*  For sorting gauges into families: by name, then in the order reported. */
typedef struct {
    const cg_gauge_t *gauge;
    size_t order;
} s_sample_t;

static int
s_sample_cmp (const void *a, const void *b)
{
    const s_sample_t *x = a, *y = b;
    int c = strcmp (x->gauge->name, y->gauge->name);
    return c ? c : (x->order > y->order) - (x->order < y->order);
}

/*  A counter family with a sample per daemon and command: each command's
    count, or its failures. */
static void
s_command_counter (FILE *out, s_view_t *view, const char *metric, const char *help,
                   bool failed)
{
    fprintf (out, "# HELP %s %s\n# TYPE %s counter\n", metric, help, metric);
    for (size_t i = 0; i < view->nparts; i++)
        for (size_t c = 0; c < view->parts[i].m.commands_count; c++) {
            const cg_command_stat_t *s = &view->parts[i].m.commands[c];
            fprintf (out, "%s{daemon=\"%s\",command=\"%s\"} %lld\n", metric,
                     view->parts[i].name, s->name, (long long) (failed ? s->failed : s->count));
        }
}

static void
s_metrics (gw_request_t *req, s_view_t *view)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    assert (out);
    fprintf (out, "# HELP civgrid_up 1 when the daemon answered the gateway within %d ms.\n"
             "# TYPE civgrid_up gauge\n", S_ASK_MS);
    for (size_t i = 0; i < view->nparts; i++)
        fprintf (out, "civgrid_up{daemon=\"%s\"} %d\n", view->parts[i].name,
                 view->parts[i].answered);
    s_command_counter (out, view, "civgrid_commands_total",
                       "Commands answered since the daemon started.", false);
    s_command_counter (out, view, "civgrid_command_failures_total",
                       "Of those, refused or failed.", true);
    fprintf (out, "# HELP civgrid_command_seconds Time a command took in the daemon, from "
             "read to answer.\n# TYPE civgrid_command_seconds histogram\n");
    for (size_t i = 0; i < view->nparts; i++)
        for (size_t c = 0; c < view->parts[i].m.commands_count; c++) {
            const cg_command_stat_t *s = &view->parts[i].m.commands[c];
            const char *d = view->parts[i].name;
            for (size_t b = 0; b < s->buckets_count; b++)
                fprintf (out, "civgrid_command_seconds_bucket{daemon=\"%s\",command=\"%s\","
                         "le=\"%g\"} %lld\n", d, s->name, (double) s->buckets[b].le_us / 1e6,
                         (long long) s->buckets[b].count);
            fprintf (out, "civgrid_command_seconds_bucket{daemon=\"%s\",command=\"%s\","
                     "le=\"+Inf\"} %lld\n", d, s->name, (long long) s->count);
            fprintf (out, "civgrid_command_seconds_sum{daemon=\"%s\",command=\"%s\"} %.6f\n", d,
                     s->name, (double) s->sum_us / 1e6);
            fprintf (out, "civgrid_command_seconds_count{daemon=\"%s\",command=\"%s\"} %lld\n",
                     d, s->name, (long long) s->count);
        }
    /*  the daemons' gauges, each family together */
    size_t n = 0;
    for (size_t i = 0; i < view->nparts; i++)
        n += view->parts[i].m.gauges_count;
    s_sample_t *samples = calloc (n ? n : 1, sizeof *samples);
    assert (samples);
    n = 0;
    for (size_t i = 0; i < view->nparts; i++)
        for (size_t g = 0; g < view->parts[i].m.gauges_count; g++, n++)
            samples[n] = (s_sample_t) { &view->parts[i].m.gauges[g], n };
    qsort (samples, n, sizeof *samples, s_sample_cmp);
    for (size_t i = 0; i < n; i++) {
        const cg_gauge_t *g = samples[i].gauge;
        if (i == 0 || strcmp (g->name, samples[i - 1].gauge->name) != 0) {
            size_t len = strlen (g->name);
            bool counter = len > 6 && strcmp (g->name + len - 6, "_total") == 0;
            fprintf (out, "# TYPE %s %s\n", g->name, counter ? "counter" : "gauge");
        }
        if (g->labels && *g->labels)
            fprintf (out, "%s{%s} %lld\n", g->name, g->labels, (long long) g->value);
        else
            fprintf (out, "%s %lld\n", g->name, (long long) g->value);
    }
    free (samples);
    fprintf (out, "# HELP civgrid_redis_up 1 when Redis answered and took a write.\n"
             "# TYPE civgrid_redis_up gauge\ncivgrid_redis_up %d\n",
             view->redis_up && view->redis_writable);
    if (view->redis_memory >= 0)
        fprintf (out, "# HELP civgrid_redis_used_memory_bytes Redis's used_memory.\n"
                 "# TYPE civgrid_redis_used_memory_bytes gauge\n"
                 "civgrid_redis_used_memory_bytes %lld\n", (long long) view->redis_memory);
    fclose (out);
    gw_reply (req, 200, "text/plain; version=0.0.4; charset=utf-8", text, size);
    free (text);
}

/* --- /healthz ------------------------------------------------------------- */

static void
s_check (json_t *checks, json_t *failing, const char *name, bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    char detail[256];
    vsnprintf (detail, sizeof detail, fmt, ap);
    va_end (ap);
    json_array_append_new (checks, json_pack ("{s:s, s:b, s:s}", "check", name, "ok", ok,
                                              "detail", detail));
    if (!ok)
        json_array_append_new (failing, json_string (name));
}

static void
s_healthz (gw_request_t *req, s_view_t *view)
{
    /*  gateway/health_lag_max events behind at most; a calendar that ends
        within CG_CALENDAR_WARN_DAYS fails, as dispatch's log and `civgrid
        stack status` warn of it */
    int64_t lag_max = cg_daemon_int (req->gw->daemon, "gateway/health_lag_max");
    int64_t days = CG_CALENDAR_WARN_DAYS;
    json_t *checks = json_array (), *failing = json_array ();
    char name[160];
    for (size_t i = 0; i < view->nparts; i++) {
        snprintf (name, sizeof name, "daemon:%s", view->parts[i].name);
        s_check (checks, failing, name, view->parts[i].answered,
                 view->parts[i].answered ? "answered" : "no answer within %d ms", S_ASK_MS);
    }
    s_check (checks, failing, "redis", view->redis_up && view->redis_writable, "%s",
             !view->redis_up ? "cannot be reached"
             : !view->redis_writable ? "refuses writes" : "reachable and writable");
    int64_t calendar_end = -1;
    for (size_t i = 0; i < view->nparts; i++)
        for (size_t g = 0; g < view->parts[i].m.gauges_count; g++) {
            const cg_gauge_t *gauge = &view->parts[i].m.gauges[g];
            if (strcmp (gauge->name, "civgrid_calendar_end_seconds") == 0)
                calendar_end = gauge->value * 1000;
            if (strcmp (gauge->name, "civgrid_consumer_lag") != 0)
                continue;
            /*  lag:journal=intake,consumer=dispatch */
            size_t at = (size_t) snprintf (name, sizeof name, "lag:");
            for (const char *p = gauge->labels; p && *p && at + 1 < sizeof name; p++)
                if (*p != '"')
                    name[at++] = *p;
            name[at] = 0;
            s_check (checks, failing, name, gauge->value <= lag_max,
                     "%lld events behind (at most %lld)", (long long) gauge->value,
                     (long long) lag_max);
        }
    if (calendar_end >= 0) {
        int64_t left = (calendar_end - cg_clock_now ()) / 86400000;
        char end[40];
        cg_time_iso (calendar_end, end, sizeof end);
        s_check (checks, failing, "calendar", calendar_end - cg_clock_now () >= days * 86400000,
                 calendar_end ? "the working-time calendar ends %s, in %lld days (add the next "
                 "year's holidays to data/calendar and run civgrid reload %lld days before)"
                 : "the working-time calendar lists no holidays", end, (long long) left,
                 (long long) days);
    }
    bool ok = json_array_size (failing) == 0;
    gw_reply_json (req, ok ? 200 : 503,
                   json_pack ("{s:s, s:o, s:o}", "status", ok ? "ok" : "failing", "failing",
                              failing, "checks", checks));
}

void
gw_health_handle (gw_request_t *req)
{
    bool metrics = strcmp (req->path, "/metrics") == 0;
    if (strcmp (req->method, "GET") != 0) {
        gw_reply_error (req, 405, "invalid", "method", "%s answers GET only", req->path);
        return;
    }
    if (gw_auth (req, CG_ROLE_MONITOR | CG_ROLE_ADMIN))
        return;
    s_view_t view = { 0 };
    s_gather (req, &view);
    if (metrics)
        s_metrics (req, &view);
    else
        s_healthz (req, &view);
    s_view_clear (&view);
}
