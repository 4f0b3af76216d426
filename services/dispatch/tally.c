/*  tally — see tally.h. */
#include "tally.h"

#define S_PIPELINE  64              /* hashes asked for at once */
#define S_ROWS_MAX  5000            /* stats.report's rows */
#define S_COLUMNS   CG_MSG_MAX_FIELDS

/*  stats.row's column of received, for s_by_received (qsort has no
    argument to pass it): the same for every tally. */
static size_t s_received;

/*  Names and their numbers: units, centers, categories. */
typedef struct {
    zhashx_t *index;                /* name -> number + 1 */
    char **names;
    size_t count, cap;
} s_names_t;

/*  What a stored field means. */
typedef struct {
    uint32_t unit, center, category;
    uint16_t column;                /* stats.row's field it adds to */
    bool known;                     /* a unit of the org tree, a metric of stats.row */
    bool city;                      /* the city's total of a metric: *|*|<metric> */
    bool also_dispatched;           /* received counts as dispatched too */
} s_meaning_t;

/*  A hash as (field number, count) pairs. */
typedef struct {
    uint32_t *fields;
    int64_t *counts;
    size_t count;
} s_hash_t;

struct _tally_t {
    cg_redis_t *redis;
    cg_orgtree_t *org;              /* the worker's: stats.c owns it */
    zhashx_t *fields;               /* stored field -> number + 1 */
    s_meaning_t *meanings;
    size_t nfields, cap;
    s_names_t units, centers, categories;
    zhashx_t *kept;                 /* key -> s_hash_t, of hashes that are over */
    size_t kept_bytes, kept_max;
    int64_t today;
    size_t dispatched;              /* stats.row's column of dispatched */
};

static uint32_t
s_number (s_names_t *names, const char *name)
{
    uintptr_t n = (uintptr_t) zhashx_lookup (names->index, name);
    if (n)
        return (uint32_t) (n - 1);
    if (names->count == names->cap) {
        names->cap = names->cap ? names->cap * 2 : 256;
        names->names = realloc (names->names, names->cap * sizeof (char *));
        assert (names->names);
    }
    names->names[names->count] = strdup (name);
    zhashx_insert (names->index, name, (void *) (uintptr_t) (names->count + 1));
    return (uint32_t) names->count++;
}

static void
s_names_reset (s_names_t *names)
{
    for (size_t i = 0; i < names->count; i++)
        free (names->names[i]);
    names->count = 0;
    if (!names->index)
        names->index = zhashx_new ();
    zhashx_purge (names->index);
}

static const cg_field_t *
s_column (const char *metric)
{
    const cg_msgdef_t *def = &cg_stats_row_def;
    if (strcmp (metric, "redispatched") == 0)
        metric = "dispatched";
    for (size_t i = 0; i < def->nfields; i++)
        if (def->fields[i].type == CG_F_INT && strcmp (def->fields[i].key, metric) == 0)
            return &def->fields[i];
    return NULL;
}

/*  The number of a stored field, its meaning worked out on first sight. */
static uint32_t
s_field (tally_t *self, const char *text)
{
    uintptr_t n = (uintptr_t) zhashx_lookup (self->fields, text);
    if (n)
        return (uint32_t) (n - 1);
    if (self->nfields == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 4096;
        self->meanings = realloc (self->meanings, self->cap * sizeof (s_meaning_t));
        assert (self->meanings);
    }
    s_meaning_t *m = &self->meanings[self->nfields];
    memset (m, 0, sizeof *m);
    char unit[48], category[48], metric[32];
    if (sscanf (text, "%47[^|]|%47[^|]|%31s", unit, category, metric) == 3
    &&  strcmp (unit, "*") == 0) {
        const cg_field_t *column = s_column (metric);
        m->city = column != NULL;
        m->column = column ? (uint16_t) (column - cg_stats_row_def.fields) : 0;
        m->also_dispatched = strcmp (metric, "received") == 0;
    }
    else
    if (sscanf (text, "%47[^|]|%47[^|]|%31s", unit, category, metric) == 3) {
        const cg_org_node_t *node = cg_orgtree_find (self->org, unit);
        const cg_field_t *column = s_column (metric);
        if (node && column) {
            const cg_org_node_t *center = node->kind == CG_ORG_UNIT ? node->parent : node;
            m->known = true;
            m->unit = s_number (&self->units, unit);
            m->center = s_number (&self->centers, center->code);
            m->category = s_number (&self->categories, category);
            m->column = (uint16_t) (column - cg_stats_row_def.fields);
            m->also_dispatched = strcmp (metric, "received") == 0;
        }
    }
    zhashx_insert (self->fields, text, (void *) (uintptr_t) (self->nfields + 1));
    return (uint32_t) self->nfields++;
}

static void
s_hash_free (void **item)
{
    s_hash_t *hash = *item;
    if (hash) {
        free (hash->fields);
        free (hash->counts);
        free (hash);
    }
    *item = NULL;
}

tally_t *
tally_new (cg_redis_t *redis, size_t cache_bytes)
{
    tally_t *self = calloc (1, sizeof *self);
    assert (self);
    self->redis = redis;
    self->fields = zhashx_new ();
    self->kept = zhashx_new ();
    zhashx_set_destructor (self->kept, s_hash_free);
    self->kept_max = cache_bytes;
    s_names_reset (&self->units);
    s_names_reset (&self->centers);
    s_names_reset (&self->categories);
    self->dispatched = (size_t) (s_column ("dispatched") - cg_stats_row_def.fields);
    s_received = (size_t) (s_column ("received") - cg_stats_row_def.fields);
    return self;
}

void
tally_destroy (tally_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    tally_t *self = *self_p;
    s_names_t *all[] = { &self->units, &self->centers, &self->categories };
    for (size_t i = 0; i < 3; i++) {
        s_names_reset (all[i]);
        zhashx_destroy (&all[i]->index);
        free (all[i]->names);
    }
    zhashx_destroy (&self->fields);
    zhashx_destroy (&self->kept);
    free (self->meanings);
    free (self);
    *self_p = NULL;
}

void
tally_set_org (tally_t *self, cg_orgtree_t *org)
{
    self->org = org;
    zhashx_purge (self->fields);
    self->nfields = 0;
    s_names_reset (&self->units);
    s_names_reset (&self->centers);
    s_names_reset (&self->categories);
    zhashx_purge (self->kept);
    self->kept_bytes = 0;
}

void
tally_set_today (tally_t *self, int64_t day)
{
    if (day < self->today) {    /* the clock went back (a test's): nothing is over */
        zhashx_purge (self->kept);
        self->kept_bytes = 0;
    }
    self->today = day;
}

/*  A hash as HGETALL answered it, as pairs. */
static s_hash_t *
s_hash_of (tally_t *self, const redisReply *r)
{
    s_hash_t *hash = calloc (1, sizeof *hash);
    assert (hash);
    size_t n = r->type == REDIS_REPLY_ARRAY ? r->elements / 2 : 0;
    hash->fields = malloc ((n ? n : 1) * sizeof (uint32_t));
    hash->counts = malloc ((n ? n : 1) * sizeof (int64_t));
    assert (hash->fields && hash->counts);
    for (size_t i = 0; i < n; i++) {
        uint32_t field = s_field (self, r->element[2 * i]->str);
        if (!self->meanings[field].known && !self->meanings[field].city)
            continue;
        hash->fields[hash->count] = field;
        hash->counts[hash->count++] = cg_reply_int (r->element[2 * i + 1], 0);
    }
    return hash;
}

/*  One query's sums: a row of columns for the total, each center, unit,
    category and row over time, by number. */
typedef struct {
    int64_t total[S_COLUMNS];
    int64_t (*units)[S_COLUMNS], (*centers)[S_COLUMNS], (*categories)[S_COLUMNS];
    int64_t (*buckets)[S_COLUMNS];
    bool *seen_units, *seen_centers, *seen_categories;
    int8_t *within;                 /* by unit: 1 in the scope, 0 not, -1 not asked yet */
    size_t nunits, ncenters, ncategories;
    const cg_org_node_t *scope;
} s_sums_t;

/*  Makes sure the sums have room for every number seen so far. */
static void
s_sums_grow (tally_t *self, s_sums_t *sums)
{
    struct { size_t *have, want; int64_t (**rows)[S_COLUMNS]; bool **seen; } each[] = {
        { &sums->nunits, self->units.count, &sums->units, &sums->seen_units },
        { &sums->ncenters, self->centers.count, &sums->centers, &sums->seen_centers },
        { &sums->ncategories, self->categories.count, &sums->categories,
          &sums->seen_categories } };
    for (size_t k = 0; k < 3; k++) {
        size_t have = *each[k].have, want = each[k].want;
        if (want <= have)
            continue;
        *each[k].rows = realloc (*each[k].rows, want * sizeof (int64_t[S_COLUMNS]));
        *each[k].seen = realloc (*each[k].seen, want * sizeof (bool));
        assert (*each[k].rows && *each[k].seen);
        memset (*each[k].rows + have, 0, (want - have) * sizeof (int64_t[S_COLUMNS]));
        memset (*each[k].seen + have, 0, (want - have) * sizeof (bool));
        if (k == 0) {
            sums->within = realloc (sums->within, want);
            assert (sums->within);
            memset (sums->within + have, -1, want - have);
        }
        *each[k].have = want;
    }
}

static void
s_add (tally_t *self, s_sums_t *sums, const s_hash_t *hash, const tally_read_t *read)
{
    s_sums_grow (self, sums);
    int64_t *row = sums->buckets[read->bucket];
    /*  a read of the totals adds to no row over time */
    size_t nrows = read->kind == TALLY_TOTALS ? 4 : 5;
    for (size_t i = 0; i < hash->count; i++) {
        const s_meaning_t *m = &self->meanings[hash->fields[i]];
        if (m->city || read->kind == TALLY_CITY_ROW) {
            if (m->city && read->kind == TALLY_CITY_ROW) {
                row[m->column] += hash->counts[i];
                if (m->also_dispatched)
                    row[self->dispatched] += hash->counts[i];
            }
            continue;
        }
        if (sums->within[m->unit] < 0)
            sums->within[m->unit] = cg_orgtree_within (
                cg_orgtree_find (self->org, self->units.names[m->unit]), sums->scope);
        if (!sums->within[m->unit])
            continue;
        int64_t n = hash->counts[i];
        int64_t *rows[] = { sums->total, sums->centers[m->center], sums->units[m->unit],
                            sums->categories[m->category], row };
        for (size_t k = 0; k < nrows; k++) {
            rows[k][m->column] += n;
            if (m->also_dispatched)
                rows[k][self->dispatched] += n;
        }
        sums->seen_units[m->unit] = sums->seen_centers[m->center] = true;
        sums->seen_categories[m->category] = true;
    }
}

/*  The fields of the city's totals: *|*|<metric> for every number of
    stats.row, and redispatched (dispatched is received plus that). */
static size_t
s_city_fields (char (*names)[48], size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < cg_stats_row_def.nfields && n + 1 < max; i++)
        if (cg_stats_row_def.fields[i].type == CG_F_INT
        &&  strcmp (cg_stats_row_def.fields[i].key, "dispatched") != 0)
            snprintf (names[n++], 48, "*|*|%s", cg_stats_row_def.fields[i].key);
    snprintf (names[n++], 48, "*|*|redispatched");
    return n;
}

/*  Where a read's hash is kept: the whole hash under its key; the city's
    totals alone (a read of the city's row) under '*' and its key. */
static const char *
s_kept_key (const tally_read_t *read, char *buf, size_t len)
{
    if (read->kind != TALLY_CITY_ROW)
        return read->key;
    snprintf (buf, len, "*%s", read->key);
    return buf;
}

/*  The hash a read needs, when kept: the whole, or its city's totals. */
static s_hash_t *
s_kept (tally_t *self, const tally_read_t *read)
{
    s_hash_t *hash = zhashx_lookup (self->kept, read->key);
    char key[80];
    if (!hash && read->kind == TALLY_CITY_ROW)
        hash = zhashx_lookup (self->kept, s_kept_key (read, key, sizeof key));
    return hash;
}

/*  The city's totals as HMGET answered them, as pairs. */
static s_hash_t *
s_city_of (tally_t *self, const redisReply *r, char (*names)[48], size_t nnames)
{
    s_hash_t *hash = calloc (1, sizeof *hash);
    assert (hash);
    hash->fields = malloc (nnames * sizeof (uint32_t));
    hash->counts = malloc (nnames * sizeof (int64_t));
    assert (hash->fields && hash->counts);
    for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements && i < nnames; i++) {
        if (r->element[i]->type != REDIS_REPLY_STRING)
            continue;
        hash->fields[hash->count] = s_field (self, names[i]);
        hash->counts[hash->count++] = cg_reply_int (r->element[i], 0);
    }
    return hash;
}

/*  Reads the hashes not kept, S_PIPELINE at a time, and adds every hash:
    the whole hash (HGETALL), or for a read of the city's row its totals
    alone (HMGET). */
static int
s_read (tally_t *self, s_sums_t *sums, const tally_read_t *reads, size_t nreads)
{
    char names[S_COLUMNS + 1][48];
    size_t nnames = s_city_fields (names, S_COLUMNS + 1);
    for (size_t at = 0; at < nreads; at += S_PIPELINE) {
        size_t n = nreads - at < S_PIPELINE ? nreads - at : S_PIPELINE;
        bool asked[S_PIPELINE];
        cg_args_t args;
        cg_args_init (&args);
        for (size_t i = 0; i < n; i++) {
            asked[i] = !s_kept (self, &reads[at + i]);
            if (!asked[i])
                continue;
            cg_args_reset (&args);
            cg_args_add_str (&args, reads[at + i].kind == TALLY_CITY_ROW ? "HMGET" : "HGETALL");
            cg_args_add_str (&args, reads[at + i].key);
            for (size_t k = 0; reads[at + i].kind == TALLY_CITY_ROW && k < nnames; k++)
                cg_args_add_str (&args, names[k]);
            if (cg_redis_append (self->redis, &args)) {
                cg_args_free (&args);
                return -1;
            }
        }
        cg_args_free (&args);
        for (size_t i = 0; i < n; i++) {
            const tally_read_t *read = &reads[at + i];
            s_hash_t *hash = s_kept (self, read);
            bool keep = false;
            if (asked[i]) {
                redisReply *r = cg_redis_reply (self->redis);
                if (!r || r->type == REDIS_REPLY_ERROR) {
                    if (r)
                        freeReplyObject (r);
                    return -1;
                }
                hash = read->kind == TALLY_CITY_ROW ? s_city_of (self, r, names, nnames)
                                                     : s_hash_of (self, r);
                freeReplyObject (r);
                size_t bytes = hash->count * (sizeof (uint32_t) + sizeof (int64_t)) + 128;
                keep = read->last_day < self->today - 1
                    && self->kept_bytes + bytes <= self->kept_max;
                char key[80];
                if (keep) {
                    zhashx_insert (self->kept, s_kept_key (read, key, sizeof key), hash);
                    self->kept_bytes += bytes;
                }
            }
            s_add (self, sums, hash, read);
            if (asked[i] && !keep) {
                void *item = hash;
                s_hash_free (&item);
            }
        }
    }
    return 0;
}

/*  The report's rows of one kind, in the order of their names. */
typedef struct {
    const char *name;
    const int64_t *columns;
} s_named_t;

static int
s_by_name (const void *a, const void *b)
{
    return strcmp (((const s_named_t *) a)->name, ((const s_named_t *) b)->name);
}

/*  The most received first, then by name. */
static int
s_by_received (const void *a, const void *b)
{
    const s_named_t *x = a, *y = b;
    int64_t nx = x->columns[s_received], ny = y->columns[s_received];
    return nx > ny ? -1 : nx < ny ? 1 : strcmp (x->name, y->name);
}

static void
s_emit (cg_stats_report_t *report, const char *by, const char *key, const int64_t *columns)
{
    if (report->rows_count >= S_ROWS_MAX)
        return;
    cg_stats_row_t *out = &report->rows[report->rows_count++];
    out->by = (char *) by;
    out->key = (char *) key;
    for (size_t i = 0; i < cg_stats_row_def.nfields; i++)
        if (cg_stats_row_def.fields[i].type == CG_F_INT)
            *(int64_t *) ((char *) out + cg_stats_row_def.fields[i].offset) = columns[i];
}

/*  The rows of one kind, by name; at most `most`, those with the most
    received.  Returns how many were left out. */
static size_t
s_emit_all (cg_stats_report_t *report, const char *by, const s_names_t *names,
            int64_t (*rows)[S_COLUMNS], const bool *seen, size_t count, size_t most)
{
    s_named_t *sorted = malloc ((count ? count : 1) * sizeof *sorted);
    assert (sorted);
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        if (seen[i])
            sorted[n++] = (s_named_t) { names->names[i], rows[i] };
    size_t left_out = 0;
    if (n > most) {
        qsort (sorted, n, sizeof *sorted, s_by_received);
        left_out = n - most;
        n = most;
    }
    qsort (sorted, n, sizeof *sorted, s_by_name);
    for (size_t i = 0; i < n; i++)
        s_emit (report, by, sorted[i].name, sorted[i].columns);
    free (sorted);
    return left_out;
}

int
tally_sum (tally_t *self, const cg_org_node_t *scope, const tally_read_t *reads,
           size_t nreads, const char *by, char (*buckets)[16], size_t nbuckets,
           cg_stats_report_t *report)
{
    s_sums_t sums = { .scope = scope };
    sums.buckets = calloc (nbuckets ? nbuckets : 1, sizeof (int64_t[S_COLUMNS]));
    assert (sums.buckets);
    int rc = s_read (self, &sums, reads, nreads);
    if (rc == 0) {
        size_t rows = 1 + sums.ncenters + sums.nunits + sums.ncategories + nbuckets;
        report->rows = calloc (rows < S_ROWS_MAX ? rows : S_ROWS_MAX, sizeof (cg_stats_row_t));
        assert (report->rows);
        s_emit (report, "total", scope->code, sums.total);
        s_emit_all (report, "center", &self->centers, sums.centers, sums.seen_centers,
                    sums.ncenters, SIZE_MAX);
        report->units_left_out = (int64_t) s_emit_all (report, "unit", &self->units,
                                                        sums.units, sums.seen_units,
                                                        sums.nunits, TALLY_UNIT_ROWS);
        s_emit_all (report, "category", &self->categories, sums.categories,
                    sums.seen_categories, sums.ncategories, SIZE_MAX);
        for (size_t b = 0; b < nbuckets; b++)
            s_emit (report, by, buckets[b], sums.buckets[b]);
    }
    free (sums.buckets);
    free (sums.units);
    free (sums.centers);
    free (sums.categories);
    free (sums.seen_units);
    free (sums.seen_centers);
    free (sums.seen_categories);
    free (sums.within);
    return rc;
}
