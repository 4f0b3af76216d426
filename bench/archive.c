/*  archive — closed cases leaving Redis for the archive, and search.

    On a stack of its own (the test clock, so that fifteen days pass at
    once, and journals kept short, so that they do not count as cases):
    n cases with hotline-like texts (100 to 2,000 bytes of Chinese, median
    about 800) are submitted, then accepted, resolved and called back
    (closed) through dispatch's commands.  Then:
      - the archive's CPU per case while it follows the journals (a copy
        at each change: dispatched, accepted, resolved, closed);
      - Redis memory per closed case before archiving: MEMORY USAGE of
        every key over the cases, leaving out what expires or is trimmed by
        itself (journals, the day's request ids, notification's deliveries);
      - the clock moves 16 days: archive throughput, cases a second from
        the first announcement until every case is announced and dispatch
        and intake deleted their copies;
      - the same memory after archiving (target < 200 B a case);
      - p99 of case.search over the city with text queries of 2 to 8
        characters taken from the cases' texts (target < 200 ms);
      - the archive's peak RSS (target < 128 MiB), and its file's size
        per case. */
#include "bench.h"
#include "cg_sample.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*  Case i's text: 100 to 2,000 bytes, the median 800 (cg_sample.h). */
static char *
s_text (int i)
{
    char *text = malloc (CG_SAMPLE_MAX + 1);
    assert (text);
    cg_sample_text ((uint64_t) i, text, CG_SAMPLE_MAX + 1);
    return text;
}

static int
s_cli (bench_t *b, const char *const *argv)
{
    char cli[1024];
    snprintf (cli, sizeof cli, "%s/civgrid", b->bindir);
    fflush (NULL);
    pid_t pid = fork ();
    if (pid == 0) {
        int null = open ("/dev/null", O_WRONLY);
        dup2 (null, 1);
        execv (cli, (char *const *) argv);
        _exit (127);
    }
    int status = 0;
    waitpid (pid, &status, 0);
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

/*  Submits n cases pipelined; their ids into ids (NULL where refused). */
static int
s_submit_all (bench_t *b, char **texts, char **ids, int n)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    zsock_set_rcvtimeo (dealer, 10000);
    zsock_connect (dealer, "%s", b->intake);
    int sent = 0, answered = 0, refused = 0;
    while (answered < n && !zsys_interrupted) {
        if (sent < n && sent - answered < 128) {
            char rid[48], ext[32];
            snprintf (rid, sizeof rid, "ba-%d-%d", (int) getpid (), sent);
            snprintf (ext, sizeof ext, "BA%07d", sent);
            cg_case_submit_t req = {
                .rid = rid, .source = "hotline", .ext_ref = ext, .text = texts[sent],
                .category = b->categories[(sent / b->ngrids) % b->ncategories],
                .grid = b->grids[sent % b->ngrids], .contact_phone = "13812345678" };
            msgpack_sbuffer body;
            msgpack_sbuffer_init (&body);
            cg_error_t err;
            if (cg_msg_encode (&cg_case_submit_def, &req, &body, &err) == 0)
                cg_request_send (dealer, "case.submit", rid, body.data, body.size);
            msgpack_sbuffer_destroy (&body);
            sent++;
            continue;
        }
        zmsg_t *answer = zmsg_recv (dealer);
        if (!answer)
            break;
        zframe_t *status = zmsg_first (answer);
        char *rid = zframe_strdup (zmsg_next (answer));
        zframe_t *body = zmsg_next (answer);
        int k = rid ? atoi (strrchr (rid, '-') + 1) : -1;
        cg_case_submitted_t rep;
        cg_error_t err;
        if (zframe_streq (status, "ok") && k >= 0 && k < n && body
        &&  cg_msg_decode (&cg_case_submitted_def, zframe_data (body), zframe_size (body), &rep,
                           &err) == 0) {
            ids[k] = rep.merged ? NULL : strdup (rep.id);
            cg_msg_clear (&cg_case_submitted_def, &rep);
        }
        else
            refused++;
        free (rid);
        zmsg_destroy (&answer);
        answered++;
    }
    zsock_destroy (&dealer);
    return refused + n - answered;
}

/*  Bytes of the keys that stay with the cases: every key but journals,
    the days' request ids, notification's deliveries and the test clock. */
static double
s_case_bytes (bench_t *b)
{
    double bytes = 0;
    char cursor[32] = "0";
    do {
        redisReply *r = cg_redis_command (b->redis, "SCAN %s COUNT 1000", cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject (r);
            return -1;
        }
        snprintf (cursor, sizeof cursor, "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            const char *key = r->element[1]->element[i]->str;
            if (strstr (key, ":journal") || strstr (key, ":rid:")
            ||  strncmp (key, "cg:{notification}", 17) == 0 || strncmp (key, "cg:{clock}", 10) == 0)
                continue;
            bytes += (double) bench_redis_int (b, 0, "MEMORY USAGE %s SAMPLES 0", key);
        }
        freeReplyObject (r);
    } while (strcmp (cursor, "0") != 0);
    return bytes;
}

static void
s_figure (bench_t *b, const char *name, const char *unit, double v, const char *target,
          int verdict)
{
    bench_figure_t f = { .section = "archive", .name = name, .unit = unit, .med = v, .min = v,
                         .max = v, .target = target, .verdict = verdict };
    bench_figure (b, &f);
}

/*  p99 of case.search with text queries taken from the cases' texts. */
static double
s_search_p99 (bench_t *b, const char *endpoint, char **texts, int n, int queries)
{
    cg_client_t *archive = cg_client_new (endpoint, 10000, 1);
    double *ms = calloc ((size_t) queries, sizeof (double));
    assert (ms);
    unsigned seed = 7;
    int done = 0;
    for (int q = 0; q < queries; q++) {
        /*  2 to 8 characters of a text, from a character's start */
        const char *text = texts[rand_r (&seed) % n];
        size_t len = strlen (text), at = (size_t) rand_r (&seed) % (len > 30 ? len - 30 : 1);
        while (at > 0 && ((unsigned char) text[at] & 0xc0) == 0x80)
            at--;
        size_t chars = 2 + (size_t) rand_r (&seed) % 7, end = at;
        for (size_t c = 0; c < chars && text[end]; c++)
            for (end++; text[end] && ((unsigned char) text[end] & 0xc0) == 0x80; end++)
                ;
        char word[64];
        snprintf (word, sizeof word, "%.*s", (int) (end - at), text + at);
        char rid[32];
        snprintf (rid, sizeof rid, "bs-%d", q);
        cg_case_search_t req = { .rid = rid, .scope = "320600", .q = word };
        cg_case_found_t page;
        cg_error_t err;
        int64_t t0 = bench_now_us ();
        if (cg_client_call (archive, &cg_cmd_case_search, &req, &page, &err) == 0) {
            ms[done++] = (bench_now_us () - t0) / 1000.0;
            cg_msg_clear (&cg_case_found_def, &page);
        }
    }
    cg_client_destroy (&archive);
    qsort (ms, (size_t) done, sizeof (double), bench_cmp_double);
    double p99 = done ? bench_quantile (ms, (size_t) done, 0.99) : -1;
    free (ms);
    (void) b;
    return p99;
}

void
bench_archive (bench_t *main)
{
    int n = main->quick ? 2000 : 20000;
    char dir[] = "/tmp/cgarchive.XXXXXX";
    if (!mkdtemp (dir))
        return;
    const char *up[] = { "civgrid", "stack", "up", "--dir", dir, "--port-base", "auto",
                         "--set", "clock/test=1", "--set", "journal/keep_entries=100", NULL };
    bench_t b = { .bindir = main->bindir, .quick = main->quick };
    if (s_cli (main, up) != 0 || bench_open (&b, dir, true)) {
        printf ("archive: its stack did not start; not measured\n");
        goto done;
    }
    int64_t t0 = zclock_time ();
    bench_redis_int (&b, 0, "SET cg:{clock}:now %lld", (long long) t0);
    char **texts = calloc ((size_t) n, sizeof (char *));
    char **ids = calloc ((size_t) n, sizeof (char *));
    assert (texts && ids);
    size_t total = 0;
    for (int i = 0; i < n; i++) {
        texts[i] = s_text (i);
        total += strlen (texts[i]);
    }
    printf ("archive: %d cases, texts of %.0f bytes on average\n", n, (double) total / n);
    double base = s_case_bytes (&b);
    double cpu = bench_cpu_us (&b, "archive");
    int refused = s_submit_all (&b, texts, ids, n);
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (ids[i])
            ids[kept++] = ids[i];
    load_await_cursor (&b, "dispatch", "intake");
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    zsock_set_rcvtimeo (dealer, 10000);
    zsock_connect (dealer, "%s", b.dispatch);
    const char *actions[] = { "accept", "resolve", "callback" };
    for (int a = 0; a < 3; a++)
        refused += bench_act_on_all (dealer, ids, kept, actions[a]);
    zsock_destroy (&dealer);
    load_await_cursor (&b, "archive", "dispatch");
    s_figure (main, "archive CPU per case followed (copied at each of its 4 changes)", "us",
              (bench_cpu_us (&b, "archive") - cpu) / kept, NULL, -1);
    if (refused)
        printf ("archive: %d requests or actions refused or unanswered\n", refused);
    double before = (s_case_bytes (&b) - base) / kept;
    s_figure (main, "Redis per closed case before archiving", "bytes", before, NULL, -1);

    /*  sixteen days pass: every case may leave, from the archive's next
        sweep on (archive/sweep_ms), when the timing starts */
    bench_redis_int (&b, 0, "SET cg:{clock}:now %lld", (long long) (t0 + 16 * 86400000LL));
    int64_t until = bench_now_us () + 600 * 1000000LL;
    while (bench_now_us () < until && !zsys_interrupted
           && bench_redis_int (&b, 0, "GET cg:{archive}:seq") < 1)
        zclock_sleep (1);
    int64_t started = bench_now_us ();
    while (bench_now_us () < until && !zsys_interrupted
           && (bench_redis_int (&b, 0, "GET cg:{archive}:seq") < kept
               || bench_redis_int (&b, 0, "GET cg:{dispatch}:cursor:archive") < kept
               || bench_redis_int (&b, 0, "GET cg:{intake}:cursor:archive") < kept))
        zclock_sleep (5);
    double seconds = (bench_now_us () - started) / 1e6;
    if (bench_redis_int (&b, 0, "GET cg:{archive}:seq") < kept
    ||  bench_redis_int (&b, 0, "GET cg:{dispatch}:cursor:archive") < kept) {
        printf ("archive: the cases were not archived within 10 minutes; not measured\n");
        goto stop;
    }
    double rate = kept / seconds;
    s_figure (main, "archive throughput (archived, announced, deleted from Redis)", "cases/s",
              rate, ">= 10000", rate >= 10000);
    double after = (s_case_bytes (&b) - base) / kept;
    s_figure (main, "Redis per closed case after archiving", "bytes", after, "< 200",
              after < 200);
    double p99 = s_search_p99 (&b, zconfig_get (b.config, "archive/endpoint", ""), texts, n,
                               main->quick ? 100 : 300);
    char name[96];
    snprintf (name, sizeof name, "p99 of a text search over the city, %d cases archived", kept);
    s_figure (main, name, "ms", p99, "< 200", p99 < 200);
    double kib = 0;
    char path[128], line[256];
    snprintf (path, sizeof path, "/proc/%d/status", (int) bench_pid_of (&b, "archive"));
    FILE *f = fopen (path, "r");
    while (f && fgets (line, sizeof line, f))
        sscanf (line, "VmHWM: %lf", &kib);
    if (f)
        fclose (f);
    s_figure (main, "peak RSS of civgrid-archive", "MiB", kib / 1024, "< 128", kib / 1024 < 128);
    /*  the file with its write-ahead log: what a case costs the disk */
    double disk = 0;
    const char *files[] = { "archive.db", "archive.db-wal" };
    for (int i = 0; i < 2; i++) {
        struct stat st;
        snprintf (path, sizeof path, "%s/%s", dir, files[i]);
        if (stat (path, &st) == 0)
            disk += (double) st.st_size;
    }
    s_figure (main, "archive on disk per case (SQLite file and its log)", "bytes", disk / kept,
              NULL, -1);
stop:
    for (int i = 0; i < n; i++)
        free (texts[i]);
    for (int i = 0; i < kept; i++)
        free (ids[i]);
    free (texts);
    free (ids);
    cg_redis_destroy (&b.redis);
    zconfig_destroy (&b.config);
done:;
    const char *down[] = { "civgrid", "stack", "down", "--dir", dir, NULL };
    s_cli (main, down);
    char rm[128];
    snprintf (rm, sizeof rm, "rm -rf %s", dir);
    if (system (rm) != 0)
        printf ("archive: %s was not removed\n", dir);
}
