/*  civgrid-bench — the plan of `make bench` (see bench.h).

        civgrid-bench --dir DIR --out OUT [--quick]
                      [--only intake|statistics|fsync|archive|volume|needs|failover]

    DIR is a running stack (tools/run-bench.sh starts it and stops it);
    OUT receives results.json, and loads.dat and limits.gp, which
    tools/run-bench.sh hands to gnuplot.  The limits come first, so every
    later figure can stand beside them: transport, store; then a warm-up,
    sustained end to end and the ladder of offered loads, recovery, each
    service's own figures; then growth, on a store emptied for it, up to 1M
    cases, with the census of Redis memory by shape of key; and the peak
    RSS of every part.  The plan keeps to a budget (S_BUDGET_FULL,
    S_BUDGET_QUICK): every part before growth has a fixed size, and growth
    stores as many cases as the time left allows and says how many that
    was.  Each section says when it starts, each service's part how long it
    took.

    `civgrid-bench submit DIR ...` is one submitter process of the load
    generator (load.c starts them). */
#include "bench.h"
#include "cg_access.h"

#include <limits.h>
#include <unistd.h>

/*  The whole plan's time, in seconds, that growth fills to the end; the
    rest of `make bench` (building, starting and stopping the stack,
    drawing, and the console's part in a browser, bench/console.js: about
    2 minutes, 20 s with QUICK) must fit in what is left of 15 minutes, or
    2 with QUICK. */
#define S_BUDGET_FULL   660
#define S_BUDGET_QUICK  55

/* --- the stack --------------------------------------------------------------- */

static char **
s_read_codes (const char *path, int code_col, int kind_col, const char *kind, size_t *count)
{
    FILE *f = fopen (path, "r");
    char **codes = NULL, line[2048];
    size_t n = 0, cap = 0;
    while (f && fgets (line, sizeof line, f)) {
        if (*line == '#' || *line == '\n')
            continue;
        char *cols[8] = { 0 }, *save = NULL;
        int c = 0;
        for (char *tok = strtok_r (line, "\t\n", &save); tok && c < 8;
             tok = strtok_r (NULL, "\t\n", &save))
            cols[c++] = tok;
        if (!cols[code_col] || (kind && (!cols[kind_col] || strcmp (cols[kind_col], kind))))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            codes = realloc (codes, cap * sizeof *codes);
            assert (codes);
        }
        codes[n++] = strdup (cols[code_col]);
    }
    if (f)
        fclose (f);
    *count = n;
    return codes;
}

int
bench_open (bench_t *b, const char *dir, bool connect_redis)
{
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s/civgrid.cfg", dir);
    b->dir = dir;
    b->config = zconfig_load (path);
    if (!b->config) {
        fprintf (stderr, "civgrid-bench: cannot read %s\n", path);
        return -1;
    }
    if (cg_access_use (b->config, CG_ACCESS_ADMIN))
        return -1;
    b->redis_port = atoi (zconfig_get (b->config, "redis/port", "0"));
    b->intake = zconfig_get (b->config, "intake/endpoint", "");
    b->dispatch = zconfig_get (b->config, "dispatch/endpoint", "");
    b->subscribe = zconfig_get (b->config, "bus/subscribe", "");
    /*  Grids of the org tree (kind in column 3), categories of the catalog */
    b->grids = s_read_codes (zconfig_get (b->config, "data/orgtree", ""), 0, 2, "grid",
                             &b->ngrids);
    b->categories = s_read_codes (zconfig_get (b->config, "data/catalog", ""), 0, 0, NULL,
                                  &b->ncategories);
    b->units = s_read_codes (zconfig_get (b->config, "data/orgtree", ""), 0, 2, "unit",
                             &b->nunits);
    if (!b->ngrids || !b->ncategories) {
        fprintf (stderr, "civgrid-bench: no grids or no categories in the stack's data\n");
        return -1;
    }
    if (connect_redis) {
        /*  the master, wherever the Sentinels say it is (ONLY=failover) */
        b->redis = cg_redis_configured (b->config, 5000);
        if (!b->redis) {
            fprintf (stderr, "civgrid-bench: Redis on port %d does not answer\n",
                     b->redis_port);
            return -1;
        }
    }
    return 0;
}

int64_t
bench_redis_int (bench_t *b, int64_t otherwise, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (line, sizeof line, fmt, ap);
    va_end (ap);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_words (&args, line);
    redisReply *r = b->redis ? cg_redis_argv (b->redis, &args) : NULL;
    cg_args_free (&args);
    int64_t v = cg_reply_int (r, otherwise);
    if (r)
        freeReplyObject (r);
    return v;
}

double
bench_info_field (bench_t *b, const char *section, const char *field)
{
    redisReply *r = cg_redis_command (b->redis, "INFO %s", section);
    double v = -1;
    size_t len = strlen (field);
    if (r && r->type == REDIS_REPLY_STRING)
        for (char *at = strstr (r->str, field); at; at = strstr (at + 1, field))
            if ((at == r->str || at[-1] == '\n') && at[len] == ':') {
                v = atof (at + len + 1);
                break;
            }
    if (r)
        freeReplyObject (r);
    return v;
}

/* --- the submitter process ---------------------------------------------------- */

static int
s_submit_main (int argc, char **argv)
{
    if (argc != 12)
        return 2;
    bench_t b = { 0 };
    if (bench_open (&b, argv[2], false))
        return 2;
    load_spec_t spec = { .offered = atof (argv[7]), .seconds = atof (argv[8]),
                         .count = atoll (argv[9]),
                         .channel = strcmp (argv[11], "case.submit") ? argv[11] : NULL };
    if (sscanf (argv[10], "%d:%d", &spec.clients, &spec.window) != 2)
        return 2;
    load_submitter (&b, &spec, atoi (argv[3]), atoi (argv[4]), atoi (argv[5]),
                    atoll (argv[6]));
    return 0;
}

/* --- the plan ------------------------------------------------------------------ */

static void
s_write_json (bench_t *b, double seconds)
{
    char path[PATH_MAX], host[256] = "";
    snprintf (path, sizeof path, "%s/results.json", b->out);
    FILE *f = fopen (path, "w");
    if (!f) {
        fprintf (stderr, "civgrid-bench: cannot write %s\n", path);
        return;
    }
    gethostname (host, sizeof host - 1);
    fprintf (f, "{\"host\":\"%s\",\"cores\":%ld,\"quick\":%s,\"seconds\":%.0f,\n", host,
             sysconf (_SC_NPROCESSORS_ONLN), b->quick ? "true" : "false", seconds);
    bench_figures_json (f);
    scenario_json (f);
    fprintf (f, "}\n");
    fclose (f);
}

/*  Opens a section of the plan, saying how far into the run it starts. */
static void
s_section (const char *name, int64_t started)
{
    printf ("== %s (at %.0f s)\n", name, (bench_now_us () - started) / 1e6);
    fflush (stdout);
}

/*  Runs one service's part of the plan and says how long it took. */
static void
s_part (bench_t *b, const char *name, void (*part) (bench_t *), int64_t started)
{
    int64_t begun = bench_now_us ();
    part (b);
    printf ("   (%s: %.0f s, at %.0f s)\n", name, (bench_now_us () - begun) / 1e6,
            (bench_now_us () - started) / 1e6);
    fflush (stdout);
}

int
main (int argc, char **argv)
{
    if (argc > 1 && strcmp (argv[1], "submit") == 0)
        return s_submit_main (argc, argv);
    if (argc > 1 && strcmp (argv[1], "archive-load") == 0)
        return bench_archive_load_main (argc, argv);
    bench_t b = { .out = "build/bench", .bindir = "build/bin" };
    const char *dir = NULL, *only = NULL;
    for (int i = 1; i < argc; i++)
        if (strcmp (argv[i], "--dir") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp (argv[i], "--out") == 0 && i + 1 < argc)
            b.out = argv[++i];
        else if (strcmp (argv[i], "--bin") == 0 && i + 1 < argc)
            b.bindir = argv[++i];
        else if (strcmp (argv[i], "--quick") == 0)
            b.quick = true;
        else if (strcmp (argv[i], "--only") == 0 && i + 1 < argc)
            only = argv[++i];
        else {
            fprintf (stderr, "usage: civgrid-bench --dir STACKDIR [--out DIR] [--bin DIR] "
                     "[--quick] [--only intake|statistics|fsync|archive|volume|needs|failover]\n");
            return 2;
        }
    if (!dir || bench_open (&b, dir, true))
        return 2;
    zsys_init ();
    int64_t started = bench_now_us ();
    int64_t budget = (b.quick ? S_BUDGET_QUICK : S_BUDGET_FULL) * 1000000LL;

    if (only && strcmp (only, "fsync") == 0) {
        scenario_warm_up (&b);
        scenario_fsync (&b);    /* the cost of durable acknowledgements alone */
        bench_table_print (stdout);
        cg_redis_destroy (&b.redis);
        zconfig_destroy (&b.config);
        return 0;
    }
    if (only && (strcmp (only, "intake") == 0 || strcmp (only, "statistics") == 0
                 || strcmp (only, "archive") == 0 || strcmp (only, "needs") == 0
                 || strcmp (only, "volume") == 0
                 || strcmp (only, "failover") == 0)) {
        /*  a service's own figures alone, while working on it */
        if (strcmp (only, "failover") == 0)
            scenario_warm_up (&b);
        (strcmp (only, "intake") == 0 ? bench_intake
         : strcmp (only, "statistics") == 0 ? bench_stats
         : strcmp (only, "needs") == 0 ? bench_needs
         : strcmp (only, "volume") == 0 ? bench_archive_volume
         : strcmp (only, "failover") == 0 ? bench_failover : bench_archive) (&b);
        bench_table_print (stdout);
        cg_redis_destroy (&b.redis);
        zconfig_destroy (&b.config);
        return 0;
    }
    bench_limits_t limits = { 0 };
    s_section ("limits", started);
    limits.transport_rate = transport_run (&b);
    store_limits (&b, &limits.evalsha_rate, &limits.command_rate);
    s_section ("end to end", started);
    scenario_warm_up (&b);
    scenario_sustained (&b, &limits);
    scenario_fsync (&b);
    scenario_ladder (&b);
    s_section ("recovery", started);
    scenario_recovery (&b, bench_now_us () + (b.quick ? 15 : 120) * 1000000LL);
    s_part (&b, "dispatch", bench_dispatch, started);
    s_part (&b, "intake", bench_intake, started);
    s_part (&b, "gateway", bench_gateway, started);
    s_part (&b, "fund", bench_fund, started);
    s_part (&b, "consultation", bench_consultation, started);
    s_part (&b, "needs", bench_needs, started);
    s_part (&b, "notification", bench_notification, started);
    s_part (&b, "journal", bench_journal, started);
    s_part (&b, "statistics", bench_stats, started);
    s_part (&b, "archive", bench_archive, started);
    /*  Growth last, on a store emptied for it, so that its levels are what
        they say; it takes what is left of the budget, and some time even
        when nothing is left, so that every part of the plan runs. */
    s_section ("growth", started);
    if (scenario_fresh_store (&b) == 0) {
        int64_t at_least = bench_now_us () + (b.quick ? 30 : 150) * 1000000LL;
        scenario_growth (&b, started + budget > at_least ? started + budget : at_least);
        scenario_memory (&b);
        scenario_closed (&b);
    }
    scenario_rss_report (&b);

    double seconds = (bench_now_us () - started) / 1e6;
    bench_table_print (stdout);
    printf ("\n(%.0f s; ratio = median / limit)\n", seconds);
    s_write_json (&b, seconds);
    scenario_plot_data (b.out);
    cg_redis_destroy (&b.redis);
    zconfig_destroy (&b.config);
    return 0;
}
