/*  gateway — Open311 over HTTP: `POST requests` and `GET requests/{id}`,
    requests a second and p99 latency with many connections.

    The load comes from wrk (Debian's `wrk`), 2 threads keeping 48
    connections open: many, yet below the 64 the gateway lets one address
    hold (services/gateway/http.c), so every connection is served and none
    is turned away.  The gateway notices a closed connection only a moment
    later, so each run waits a little first, for the last run's to go.  A Lua script written here drives each: the POST
    is form-encoded as the specification says, with an Open311 token's
    api_key, a category of the catalog and a grid of the org tree taken in
    turn (so intake places a new case, or merges it into an open one of
    the same category and grid, as it would for real reporters); the GET
    asks for cases that exist, read from dispatch's keys.  Its `done`
    prints one line the harness reads: requests, duration, answers 4xx or
    5xx, socket errors, p50, p99 and the last refusal, which is printed.  The stack's rate
    limits must not stand in the way: tools/run-bench.sh raises them.
    Each figure is BENCH_REPEATS runs of 3 s (1 s with --quick). */
#include "bench.h"

#include <limits.h>
#include <unistd.h>

#define S_CONNECTIONS   48
#define S_GRIDS         2000        /* grids the POSTs go round */
#define S_IDS           500         /* cases the GETs go round */

typedef struct {
    double rate;            /* requests a second */
    double p50, p99;        /* ms */
    long long refused;      /* answered 4xx or 5xx */
    long long failed;       /* socket errors and timeouts */
    char sample[200];       /* a refusal: status and the start of its body */
} s_run_t;

/*  The root of the org tree: the place whose parent is "-". */
static void
s_root (bench_t *b, char code[64])
{
    FILE *f = fopen (zconfig_get (b->config, "data/orgtree", ""), "r");
    char line[1024], parent[64];
    *code = 0;
    while (f && !*code && fgets (line, sizeof line, f))
        if (*line != '#' && sscanf (line, "%63s %63s", code, parent) == 2
        &&  strcmp (parent, "-") != 0)
            *code = 0;
    if (f)
        fclose (f);
}

/*  A token with role open311 for the POSTs' api_key, made with the CLI. */
static int
s_token (bench_t *b, char *token, size_t len)
{
    char cmd[1024], root[64];
    s_root (b, root);
    snprintf (cmd, sizeof cmd, "%s/civgrid --dir %s token create --role open311 --scope %s "
              "--name bench-open311", b->bindir, b->dir, root);
    FILE *p = popen (cmd, "r");
    *token = 0;
    if (p && fgets (token, (int) len, p))
        token[strcspn (token, "\n")] = 0;
    if (p)
        pclose (p);
    return strncmp (token, "cgt_", 4) == 0 ? 0 : -1;
}

/*  Up to max case ids that dispatch holds. */
static size_t
s_case_ids (bench_t *b, char ids[][16], size_t max)
{
    size_t n = 0;
    char cursor[32] = "0";
    do {
        redisReply *r = cg_redis_command (b->redis, "SCAN %s MATCH cg:{dispatch}:case:CG* "
                                          "COUNT 5000", cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject (r);
            break;
        }
        snprintf (cursor, sizeof cursor, "%s", r->element[0]->str);
        redisReply *keys = r->element[1];
        for (size_t i = 0; i < keys->elements && n < max; i++) {
            const char *id = strrchr (keys->element[i]->str, ':') + 1;
            if (strlen (id) == 12)          /* a case, not one of its lists */
                snprintf (ids[n++], sizeof ids[0], "%s", id);
        }
        freeReplyObject (r);
    } while (strcmp (cursor, "0") != 0 && n < max);
    return n;
}

static void
s_lua_list (FILE *f, const char *name, char **items, size_t n)
{
    fprintf (f, "local %s = {", name);
    for (size_t i = 0; i < n; i++)
        fprintf (f, "%s\"%s\"", i ? "," : "", items[i]);
    fprintf (f, "}\n");
}

/*  Each wrk thread counts what was refused and keeps the last refusal;
    done sums them over the threads. */
static const char *s_done =
    "local threads = {}\n"
    "refused, last = 0, ''\n"
    "setup = function (thread) table.insert (threads, thread) end\n"
    "response = function (status, headers, body)\n"
    "  if status >= 400 then\n"
    "    refused = refused + 1\n"
    "    last = status .. ' ' .. string.sub (body, 1, 160)\n"
    "  end\n"
    "end\n"
    "done = function (s, latency, requests)\n"
    "  local e, total, sample = s.errors, 0, ''\n"
    "  for _, t in ipairs (threads) do\n"
    "    total = total + t:get ('refused')\n"
    "    if t:get ('last') ~= '' then sample = t:get ('last') end\n"
    "  end\n"
    "  io.write (string.format (\"RESULT %d %d %d %d %.0f %.0f %s\\n\", s.requests,\n"
    "    s.duration, total, e.connect + e.read + e.write + e.timeout,\n"
    "    latency:percentile (50), latency:percentile (99), string.gsub (sample, '\\n', ' ')))\n"
    "end\n";

static int
s_write_post (bench_t *b, const char *path, const char *token)
{
    FILE *f = fopen (path, "w");
    if (!f)
        return -1;
    s_lua_list (f, "grids", b->grids, b->ngrids < S_GRIDS ? b->ngrids : S_GRIDS);
    s_lua_list (f, "categories", b->categories, b->ncategories);
    fprintf (f, "local n = 0\n"
             "wrk.method = \"POST\"\n"
             "wrk.headers[\"Content-Type\"] = \"application/x-www-form-urlencoded\"\n"
             "request = function ()\n"
             "  n = n + 1\n"
             "  local body = \"api_key=%s&service_code=\" .. categories[n %% #categories + 1]"
             " .. \"&address_id=\" .. grids[n %% #grids + 1] .. \"&description=bench+\" .. n\n"
             "  return wrk.format (nil, \"/open311/v2/requests.json\", nil, body)\n"
             "end\n%s", token, s_done);
    fclose (f);
    return 0;
}

static int
s_write_get (const char *path, char ids[][16], size_t n)
{
    FILE *f = fopen (path, "w");
    if (!f)
        return -1;
    fprintf (f, "local ids = {");
    for (size_t i = 0; i < n; i++)
        fprintf (f, "%s\"%s\"", i ? "," : "", ids[i]);
    fprintf (f, "}\nlocal n = 0\n"
             "request = function ()\n"
             "  n = n + 1\n"
             "  return wrk.format (\"GET\", \"/open311/v2/requests/\" .. ids[n %% #ids + 1]"
             " .. \".json\")\n"
             "end\n%s", s_done);
    fclose (f);
    return 0;
}

/*  One wrk run of the script; 0 with out filled, or -1. */
static int
s_wrk (bench_t *b, const char *script, s_run_t *out)
{
    char cmd[1024];
    snprintf (cmd, sizeof cmd, "wrk -t 2 -c %d -d %ds --timeout 10s -s %s "
              "http://127.0.0.1:%s 2>&1", S_CONNECTIONS, b->quick ? 1 : 3, script,
              zconfig_get (b->config, "gateway/http_port", "0"));
    FILE *p = popen (cmd, "r");
    if (!p)
        return -1;
    char line[512];
    int rc = -1;
    while (fgets (line, sizeof line, p)) {
        long long requests, duration_us;
        double p50, p99;
        int at = 0;
        if (sscanf (line, "RESULT %lld %lld %lld %lld %lf %lf %n", &requests, &duration_us,
                    &out->refused, &out->failed, &p50, &p99, &at) == 6 && duration_us > 0) {
            out->rate = requests * 1e6 / duration_us;
            out->p50 = p50 / 1000;
            out->p99 = p99 / 1000;
            snprintf (out->sample, sizeof out->sample, "%s", line + at);
            out->sample[strcspn (out->sample, "\n")] = 0;
            rc = 0;
        }
    }
    pclose (p);
    return rc;
}

static void
s_measure (bench_t *b, const char *what, const char *script)
{
    double rate[BENCH_REPEATS], p99[BENCH_REPEATS];
    int done = 0;
    for (int r = 0; r < BENCH_REPEATS && !zsys_interrupted; r++) {
        s_run_t run;
        zclock_sleep (b->quick ? 500 : 1000);
        if (s_wrk (b, script, &run))
            break;
        rate[done] = run.rate;
        p99[done++] = run.p99;
        if (run.refused || run.failed)
            printf ("  %s: %lld refused (e.g. %s), %lld socket errors\n", what, run.refused,
                    run.sample, run.failed);
    }
    if (!done) {
        printf ("  %s: wrk gave no result\n", what);
        return;
    }
    char name[128];
    snprintf (name, sizeof name, "Open311 %s, %d connections", what, S_CONNECTIONS);
    bench_figure_t f = { .section = "gateway", .name = name, .unit = "req/s", .verdict = -1 };
    bench_spread (rate, (size_t) done, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    snprintf (name, sizeof name, "Open311 %s, p99 latency", what);
    f = (bench_figure_t) { .section = "gateway", .name = name, .unit = "ms", .verdict = -1 };
    bench_spread (p99, (size_t) done, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
}

void
bench_gateway (bench_t *b)
{
    printf ("== gateway (Open311 over HTTP, wrk)\n");
    if (system ("command -v wrk >/dev/null 2>&1") != 0) {
        printf ("  wrk is not installed (deploy/install-deps.sh installs it): skipped\n");
        return;
    }
    char token[128], post[PATH_MAX], get[PATH_MAX];
    if (s_token (b, token, sizeof token)) {
        printf ("  no Open311 token could be made: skipped\n");
        return;
    }
    snprintf (post, sizeof post, "%s/wrk-open311-post.lua", b->out);
    snprintf (get, sizeof get, "%s/wrk-open311-get.lua", b->out);
    if (s_write_post (b, post, token) == 0)
        s_measure (b, "POST requests", post);
    static char ids[S_IDS][16];
    size_t n = s_case_ids (b, ids, S_IDS);
    if (n && s_write_get (get, ids, n) == 0)
        s_measure (b, "GET requests/{id}", get);
    else
        printf ("  no cases to read: GET skipped\n");
}
