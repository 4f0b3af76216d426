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
        per case.
    Then the same at the volume (bench_archive_volume below; ONLY=volume runs it alone): 1,000,000
    archived cases (QUICK 20,000) written through store_put
    (archive_load.c), 50,000 open ones (QUICK 2,000), and there the p99 of
    a queue page, of a search by text and by order number, the city's
    statistics over a month and five years, and the archive's RSS. */
#include "bench.h"
#include "cg_access.h"
#include "cg_sample.h"

#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/*  Case i's text: 100 to 2,000 bytes, the median 800 (cg_sample.h). */
static char *
s_text_of_seed (uint64_t seed)
{
    char *text = malloc (CG_SAMPLE_MAX + 1);
    assert (text);
    cg_sample_text (seed, text, CG_SAMPLE_MAX + 1);
    return text;
}

static char *
s_text (int i)
{
    return s_text_of_seed ((uint64_t) i);
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

/*  Stops the stack of a part in dir and removes the folder. */
static void
s_stack_remove (bench_t *b, const char *dir)
{
    const char *down[] = { "civgrid", "stack", "down", "--dir", dir, NULL };
    s_cli (b, down);
    char rm[128];
    snprintf (rm, sizeof rm, "rm -rf %s", dir);
    if (system (rm) != 0)
        printf ("archive: %s was not removed\n", dir);
}

/*  Submits n cases pipelined; their ids into ids (NULL where refused). */
static int
s_submit_all (bench_t *b, char **texts, char **ids, int n)
{
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    zsock_set_rcvtimeo (dealer, 10000);
    cg_access_connect (dealer, b->intake);
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
    the days' request ids, notification's deliveries and the test clock.
    With families (else NULL), each family's bytes too: the key up to the
    colon after its name (cg:{intake}:ext:<period> is cg:{intake}:ext). */
static double
s_case_bytes (bench_t *b, zhashx_t *families)
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
            double used = (double) bench_redis_int (b, 0, "MEMORY USAGE %s SAMPLES 0", key);
            bytes += used;
            const char *tag = strchr (key, '}'), *end = tag ? strchr (tag + 2, ':') : NULL;
            if (families && tag) {
                char family[64];
                snprintf (family, sizeof family, "%.*s",
                          (int) (end ? end - key : (ptrdiff_t) strlen (key)), key);
                double *sum = zhashx_lookup (families, family);
                if (!sum) {
                    sum = calloc (1, sizeof *sum);
                    assert (sum);
                    zhashx_insert (families, family, sum);
                }
                *sum += used;
            }
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

/*  queries text queries of 2 to 8 characters, each from a character's
    start in one of the n texts; malloc'd, as are its strings. */
static char **
s_words (char **texts, int n, int queries)
{
    char **words = calloc ((size_t) queries, sizeof (char *));
    assert (words);
    unsigned seed = 7;
    for (int q = 0; q < queries; q++) {
        const char *text = texts[rand_r (&seed) % n];
        size_t len = strlen (text), at = (size_t) rand_r (&seed) % (len > 30 ? len - 30 : 1);
        while (at > 0 && ((unsigned char) text[at] & 0xc0) == 0x80)
            at--;
        size_t chars = 2 + (size_t) rand_r (&seed) % 7, end = at;
        for (size_t c = 0; c < chars && text[end]; c++)
            for (end++; text[end] && ((unsigned char) text[end] & 0xc0) == 0x80; end++)
                ;
        words[q] = strndup (text + at, end - at);
        assert (words[q]);
    }
    return words;
}

static void
s_words_free (char **words, int n)
{
    for (int i = 0; i < n; i++)
        free (words[i]);
    free (words);
}

/*  p99 in ms of case.search over the city, one call a query: by text
    (q), or by order number (ext_ref) when by_ext. */
static double
s_search_p99 (const char *endpoint, char **queries, int n, bool by_ext)
{
    cg_client_t *archive = cg_client_new (endpoint, 10000, 1);
    double *ms = calloc ((size_t) n, sizeof (double));
    assert (ms);
    int done = 0;
    for (int q = 0; q < n; q++) {
        char rid[32];
        snprintf (rid, sizeof rid, "bs-%d", q);
        cg_case_search_t req = { .rid = rid, .scope = "320600" };
        if (by_ext)
            req.ext_ref = queries[q];
        else
            req.q = queries[q];
        cg_case_found_t page;
        cg_error_t err;
        int64_t t0 = bench_now_us ();
        if (cg_client_call (archive, &cg_cmd_case_search, &req, &page, &err) == 0) {
            ms[done++] = (bench_now_us () - t0) / 1000.0;
            cg_msg_clear (&cg_case_found_def, &page);
        }
        else if (q == 0)
            printf ("archive: case.search refused: %s %s\n", err.code, err.message);
    }
    cg_client_destroy (&archive);
    qsort (ms, (size_t) done, sizeof (double), bench_cmp_double);
    double p99 = done ? bench_quantile (ms, (size_t) done, 0.99) : -1;
    free (ms);
    return p99;
}

/*  kB of a line of /proc/PID/status (VmRSS, VmHWM), or 0. */
static double
s_status_kib (pid_t pid, const char *what)
{
    char path[64], line[256], format[32];
    snprintf (path, sizeof path, "/proc/%d/status", (int) pid);
    snprintf (format, sizeof format, "%s: %%lf", what);
    double kib = 0;
    FILE *f = fopen (path, "r");
    while (f && fgets (line, sizeof line, f))
        sscanf (line, format, &kib);
    if (f)
        fclose (f);
    return kib;
}


/* --- at volume ------------------------------------------------------------ */

/*  The archive at volume: n cases (1,000,000; QUICK 20,000) written into a
    file through the archive's own store_put (archive_load.c), or the file
    named by CG_BENCH_ARCHIVE_DB when set (loaded before by
    `civgrid-bench archive-load`: a million cases take a quarter of an hour
    on a shared machine, and need not be written twice); then a stack of
    its own whose archive reads that file, with 50,000 open cases (QUICK
    2,000) submitted through intake.  Measured there: the p99 of a queue
    page (case.list of a county center's dispatched cases, 50 a page), of
    case.search over the city by a text substring and by order number, the
    city's statistics over a month and over five years (stats.c, cold and
    warm), and the archive's RSS while it searches. */
void
bench_archive_volume (bench_t *main)
{
    int64_t n = main->quick ? 20000 : 1000000;
    int live = main->quick ? 2000 : 50000;
    char dir[] = "/tmp/cgvolume.XXXXXX";
    if (!mkdtemp (dir))
        return;
    char db[PATH_MAX], set_db[PATH_MAX + 16];
    const char *given = getenv ("CG_BENCH_ARCHIVE_DB");
    if (given && *given) {
        snprintf (db, sizeof db, "%s", given);
        printf ("archive: the archive file %s, loaded before\n", db);
    }
    else {
        snprintf (db, sizeof db, "%s/archive-volume.db", dir);
        double rate = bench_archive_load (db, main->config, main->grids, main->ngrids,
                                          main->categories, main->ncategories, n);
        s_figure (main, "archive-load: cases written through store_put (one process, "
                  "1,000 a transaction)", "cases/s", rate, ">= 10000", rate >= 10000);
    }
    sqlite3 *file = NULL;
    if (sqlite3_open_v2 (db, &file, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        printf ("archive: cannot read %s; not measured\n", db);
        sqlite3_close (file);
        goto done;
    }
    sqlite3_stmt *count;
    if (sqlite3_prepare_v2 (file, "SELECT count(*), max(n) FROM cases", -1, &count, NULL)
        == SQLITE_OK && sqlite3_step (count) == SQLITE_ROW) {
        n = sqlite3_column_int64 (count, 0);
        printf ("archive: %lld cases in the archive file\n", (long long) n);
    }
    sqlite3_finalize (count);
    snprintf (set_db, sizeof set_db, "archive/db=%s", db);
    const char *up[] = { "civgrid", "stack", "up", "--dir", dir, "--port-base", "auto",
                         "--set", set_db, NULL };
    bench_t b = { .bindir = main->bindir, .quick = main->quick, .out = main->out };
    if (s_cli (main, up) != 0 || bench_open (&b, dir, true)) {
        printf ("archive: the volume's stack did not start; not measured\n");
        sqlite3_close (file);
        goto done;
    }
    /*  the live side: open cases through intake, dispatched */
    char **texts = calloc ((size_t) live, sizeof (char *));
    char **ids = calloc ((size_t) live, sizeof (char *));
    assert (texts && ids);
    for (int i = 0; i < live; i++)
        texts[i] = s_text (1000000 + i);
    int refused = s_submit_all (&b, texts, ids, live);
    load_await_cursor (&b, "dispatch", "intake");
    printf ("archive: %d open cases submitted, %d refused or unanswered\n", live, refused);
    for (int i = 0; i < live; i++) {
        free (texts[i]);
        free (ids[i]);
    }
    free (ids);

    /*  a queue page: a county center's dispatched cases, 50 a page */
    char why[256] = "", name[128];
    cg_case_query_t list = { 0 };
    cg_msg_set (&cg_case_query_def, &list, "center", "320602", 6);
    cg_msg_set (&cg_case_query_def, &list, "state", "dispatched", 10);
    cg_msg_set (&cg_case_query_def, &list, "limit", "50", 2);
    double page = bench_query_p99 (&b, "case.list", &cg_case_query_def, &list,
                                   main->quick ? 50 : 300, why, sizeof why);
    cg_msg_clear (&cg_case_query_def, &list);
    if (*why)
        printf ("archive: case.list refused: %s\n", why);
    snprintf (name, sizeof name, "p99 of a queue page (50 cases), %d open, %lld archived",
              live, (long long) n);
    s_figure (main, name, "ms", page, "< 20", page > 0 && page < 20);

    /*  searches: substrings of the archived texts (their seeds, as the
        loader drew them) and order numbers of random rows */
    int queries = main->quick ? 100 : 300;
    char **sample = calloc (200, sizeof (char *));
    assert (sample);
    uint64_t seed = 0x13;
    int64_t every = n / 200 > 0 ? n / 200 : 1;
    int taken = 0;
    for (int64_t k = 1; k <= n && taken < 200; k++) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        if (k % every == 0)
            sample[taken++] = s_text_of_seed (seed);
    }
    const char *endpoint = zconfig_get (b.config, "archive/endpoint", "");
    if (taken) {
        char **words = s_words (sample, taken, queries);
        double p99 = s_search_p99 (endpoint, words, queries, false);
        s_words_free (words, queries);
        snprintf (name, sizeof name, "p99 of a text search over the city, %lld archived",
                  (long long) n);
        s_figure (main, name, "ms", p99, "< 200", p99 > 0 && p99 < 200);
    }
    s_words_free (sample, 200);
    char **refs = calloc ((size_t) queries, sizeof (char *));
    assert (refs);
    sqlite3_stmt *pick;
    int nrefs = 0;
    if (sqlite3_prepare_v2 (file, "SELECT ext_ref FROM cases WHERE n = ?1", -1, &pick, NULL)
        == SQLITE_OK) {
        unsigned r = 11;
        for (int q = 0; q < queries; q++) {
            sqlite3_reset (pick);
            sqlite3_bind_int64 (pick, 1, 1 + (int64_t) rand_r (&r) * 1000 % (n > 0 ? n : 1));
            if (sqlite3_step (pick) == SQLITE_ROW && sqlite3_column_text (pick, 0))
                refs[nrefs++] = strdup ((const char *) sqlite3_column_text (pick, 0));
        }
        sqlite3_finalize (pick);
    }
    sqlite3_close (file);
    if (nrefs) {
        double p99 = s_search_p99 (endpoint, refs, nrefs, true);
        snprintf (name, sizeof name, "p99 of a search by order number, %lld archived",
                  (long long) n);
        s_figure (main, name, "ms", p99, "< 200", p99 > 0 && p99 < 200);
    }
    s_words_free (refs, queries);
    pid_t archive = bench_pid_of (&b, "archive");
    double rss = s_status_kib (archive, "VmRSS") / 1024, hwm = s_status_kib (archive, "VmHWM")
                                                               / 1024;
    snprintf (name, sizeof name, "RSS of civgrid-archive after the searches (peak %.0f MiB)",
              hwm);
    s_figure (main, name, "MiB", rss, "< 128", rss < 128 && hwm < 128);

    /*  the city's statistics on five years of counters, beside these */
    bench_stats (&b);
    cg_redis_destroy (&b.redis);
    zconfig_destroy (&b.config);
done:;
    s_stack_remove (main, dir);
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
    zhashx_t *base_families = zhashx_new (), *families = zhashx_new ();
    zhashx_set_destructor (base_families, (zhashx_destructor_fn *) zstr_free);
    zhashx_set_destructor (families, (zhashx_destructor_fn *) zstr_free);
    double base = s_case_bytes (&b, base_families);
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
    cg_access_connect (dealer, b.dispatch);
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
    double before = (s_case_bytes (&b, NULL) - base) / kept;
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
    double after = (s_case_bytes (&b, families) - base) / kept;
    s_figure (main, "Redis per closed case after archiving", "bytes", after, "< 200",
              after < 200);
    /*  what stays, by key family, over the cases (beyond the stack's own) */
    for (double *sum = zhashx_first (families); sum; sum = zhashx_next (families)) {
        const char *family = zhashx_cursor (families);
        double *was = zhashx_lookup (base_families, family);
        double per = (*sum - (was ? *was : 0)) / kept;
        if (per >= 1 || per <= -1)
            printf ("archive: after archiving, %-40s %7.1f B a case\n", family, per);
    }
    int queries = main->quick ? 100 : 300;
    char **words = s_words (texts, n, queries);
    double p99 = s_search_p99 (zconfig_get (b.config, "archive/endpoint", ""), words, queries,
                               false);
    s_words_free (words, queries);
    char name[96];
    snprintf (name, sizeof name, "p99 of a text search over the city, %d cases archived", kept);
    s_figure (main, name, "ms", p99, "< 200", p99 < 200);
    double kib = s_status_kib (bench_pid_of (&b, "archive"), "VmHWM");
    char path[128];
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
    zhashx_destroy (&base_families);
    zhashx_destroy (&families);
    for (int i = 0; i < n; i++)
        free (texts[i]);
    for (int i = 0; i < kept; i++)
        free (ids[i]);
    free (texts);
    free (ids);
    cg_redis_destroy (&b.redis);
    zconfig_destroy (&b.config);
done:;
    s_stack_remove (main, dir);
    bench_archive_volume (main);
    cg_access_use (main->config, CG_ACCESS_ADMIN);     /* back to the run's own stack */
}
