/*  archive_load — n archived cases written straight into an archive file
    through the archive's own store functions (services/archive/store.c,
    store_put), as the sweep leaves them, for the archive's figures at a
    volume no stack could close in a benchmark's time.

    Each case is a closed one as dispatch's hash holds it: its id and
    order number (ext_ref) varied by its number, a text of cg_sample (100
    to 2,000 bytes of Chinese, median about 800), a grid of the stack's org
    tree with its town center and one of that center's units, a category of
    the catalog, received at a time spread over the five years before now,
    its four steps (received, dispatched, resolved, closed), a result and a
    satisfaction.  Case k is numbered archived = -k: below the numbers the
    sweep gives (from 1), so that a daemon on a new Redis, whose archive
    journal is empty, neither announces these again nor collides with what
    it sweeps itself.  One transaction a thousand cases.

    `civgrid-bench archive-load FILE DIR N` loads into FILE with the org
    tree and catalog of the stack in DIR (bench_archive_load below). */
#include "bench.h"
#include "../services/archive/archive.h"
#include "cg_clock.h"

#define S_BATCH     1000
#define S_YEARS_MS  (5 * 365LL * CG_DAY_MS)

/*  A hash as HGETALL answers it, built field by field. */
typedef struct {
    redisReply reply;
    redisReply *elements[2 * 64];
    redisReply cells[2 * 64];
    char buf[16384];
    size_t used;
} s_hash_t;

static void
s_hash_reset (s_hash_t *h)
{
    memset (&h->reply, 0, sizeof h->reply);
    h->reply.type = REDIS_REPLY_ARRAY;
    h->reply.element = h->elements;
    h->used = 0;
}

static void
s_cell (s_hash_t *h, const char *data, size_t len)
{
    size_t i = h->reply.elements++;
    assert (i < 2 * 64 && h->used + len + 1 <= sizeof h->buf);
    char *at = h->buf + h->used;
    memcpy (at, data, len);
    at[len] = 0;
    h->used += len + 1;
    h->cells[i] = (redisReply) { .type = REDIS_REPLY_STRING, .str = at, .len = len };
    h->elements[i] = &h->cells[i];
}

static void
s_put (s_hash_t *h, const char *name, const char *value)
{
    s_cell (h, name, strlen (name));
    s_cell (h, value, strlen (value));
}

static void
s_put_int (s_hash_t *h, const char *name, int64_t value)
{
    char text[24];
    snprintf (text, sizeof text, "%lld", (long long) value);
    s_put (h, name, text);
}

static void
s_put_step (s_hash_t *h, int n, int64_t at, const char *actor, const char *from,
            const char *to, const char *note)
{
    cg_case_step_t step = { .actor = (char *) actor, .from = (char *) from, .to = (char *) to,
                            .note = (char *) note };
    CG_SET (&step, case_step, at, at);
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    cg_error_t err;
    if (cg_msg_encode (&cg_case_step_def, &step, &buf, &err) == 0) {
        char name[16];
        snprintf (name, sizeof name, "step:%d", n);
        s_cell (h, name, strlen (name));
        s_cell (h, buf.data, buf.size);
    }
    msgpack_sbuffer_destroy (&buf);
}

static const char *s_sources[] = { "hotline", "hotline", "hotline", "app", "grid", "open311" };
static const char *s_satisfied[] = { "satisfied", "satisfied", "basically_satisfied",
                                     "unsatisfied" };

double
bench_archive_load (const char *path, zconfig_t *config, char **grids, size_t ngrids,
                    char **categories, size_t ncategories, int64_t n)
{
    char err[512];
    archive_t self = { .reopen_days = 15 };
    self.org = cg_orgtree_load (zconfig_get (config, "data/orgtree", ""), err, sizeof err);
    if (!self.org) {
        fprintf (stderr, "archive-load: %s\n", err);
        return -1;
    }
    self.db = store_open (path);
    if (!self.db) {
        cg_orgtree_destroy (&self.org);
        return -1;
    }
    if (store_meta (&self, "layout") == 0)
        store_set_meta (&self, "layout", ARCHIVE_LAYOUT);
    s_hash_t *h = malloc (sizeof *h);
    char *text = malloc (CG_SAMPLE_MAX + 1);
    assert (h && text);
    int64_t now = cg_clock_now (), started = bench_now_us (), failed = 0, written = 0;
    uint64_t seed = 0x13;
    for (int64_t k = 1; k <= n && !zsys_interrupted; k++) {
        if ((k - 1) % S_BATCH == 0 && store_begin (&self))
            break;
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t r = (uint32_t) (seed >> 33);
        int64_t created = now - S_YEARS_MS + (int64_t) ((double) (k - 1) / (double) n
                                                          * (double) S_YEARS_MS);
        time_t t = (time_t) ((created + CG_TZ_OFFSET_MS) / 1000);
        struct tm tm;
        gmtime_r (&t, &tm);
        const char *grid = grids[r % ngrids];
        const cg_org_node_t *g = cg_orgtree_find (self.org, grid);
        const cg_org_node_t *town = g ? cg_orgtree_center_of (self.org, g, CG_ORG_TOWN) : NULL;
        const cg_org_node_t *unit = NULL;
        for (const cg_org_node_t *c = town ? town->first_child : NULL; c; c = c->next_sibling)
            if (c->kind == CG_ORG_UNIT && (!unit || (r >> 8) % 3 == 0))
                unit = c;
        char id[32], ext[32], address[128];
        snprintf (id, sizeof id, "%04d%02d%02d-%07lld", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, (long long) k);
        snprintf (ext, sizeof ext, "%02d%02d%02d%06u", tm.tm_year % 100, tm.tm_mon + 1,
                  tm.tm_mday, (unsigned) ((k * 7919) % 1000000));
        snprintf (address, sizeof address, "%s %u 号", g ? g->name : grid, 1 + r % 200);
        cg_sample_text (seed, text, CG_SAMPLE_MAX + 1);
        int64_t dispatched = created + 60000 + r % 600000;
        int64_t resolved = dispatched + 3600000 + (int64_t) (r % 72) * 3600000;
        int64_t closed = resolved + 86400000;
        s_hash_reset (h);
        s_put (h, "id", id);
        s_put (h, "state", "closed");
        s_put (h, "source", s_sources[r % 6]);
        s_put (h, "ext_ref", ext);
        s_put (h, "category", categories[(r >> 4) % ncategories]);
        s_put (h, "text", text);
        s_put (h, "grid", grid);
        s_put (h, "address", address);
        s_put (h, "contact", "138****5678");
        s_put (h, "level", "town");
        if (town)
            s_put (h, "center", town->code);
        if (unit)
            s_put (h, "unit", unit->code);
        s_put (h, "result", "已派员现场处理，问题已解决，已电话告知市民。");
        s_put (h, "satisfaction", s_satisfied[(r >> 12) % 4]);
        s_put_int (h, "created", created);
        s_put_int (h, "updated", closed);
        s_put_int (h, "closed_at", closed);
        s_put_int (h, "ver", 4);
        s_put_step (h, 1, created, "intake", NULL, "received", NULL);
        s_put_step (h, 2, dispatched, "dispatch", "received", "dispatched", NULL);
        s_put_step (h, 3, resolved, "operator:unit", "dispatched", "resolved",
                    "已派员现场处理，问题已解决。");
        s_put_step (h, 4, closed, "operator:callback", "resolved", "closed", NULL);
        if (store_put (&self, &h->reply, NULL, -k))
            failed++;
        if ((k % S_BATCH == 0 || k == n) && store_commit (&self))
            break;
        written = k;
        if (k % 100000 == 0) {
            printf ("archive-load: %lld cases, %.0f a second\n", (long long) k,
                    k / ((bench_now_us () - started) / 1e6));
            fflush (stdout);
        }
    }
    if (!sqlite3_get_autocommit (self.db))
        store_commit (&self);           /* interrupted: what was written stays */
    double rate = written / ((bench_now_us () - started) / 1e6);
    if (failed)
        printf ("archive-load: %lld cases not written\n", (long long) failed);
    free (text);
    free (h);
    sqlite3_close_v2 (self.db);
    cg_orgtree_destroy (&self.org);
    return rate;
}

/*  civgrid-bench archive-load FILE DIR N */
int
bench_archive_load_main (int argc, char **argv)
{
    if (argc != 5) {
        fprintf (stderr, "usage: civgrid-bench archive-load FILE STACKDIR N\n");
        return 2;
    }
    bench_t b = { 0 };
    if (bench_open (&b, argv[3], false))
        return 1;
    double rate = bench_archive_load (argv[2], b.config, b.grids, b.ngrids, b.categories,
                                      b.ncategories, atoll (argv[4]));
    printf ("archive-load: %s cases into %s, %.0f a second through store_put\n", argv[4],
            argv[2], rate);
    zconfig_destroy (&b.config);
    return rate > 0 ? 0 : 1;
}
