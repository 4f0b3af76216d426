/*  store — the archive's SQLite file.

    One file, in write-ahead-log mode, so that readers (search) never wait
    for the writer.  A transaction that returned from COMMIT survives a
    kill -9 of the archive (synchronous = NORMAL: it is in the log); the
    sweep's, after which Redis's copies are deleted, is also made to survive
    a power cut (synchronous = FULL for that transaction: store_begin_durably),
    since Redis's copy goes on its word.  What the feed commits needs no
    more: a power cut that takes back its last commits takes back their
    cursor with them, and the journals still hold those events.
    Everything the archive learns from one batch of a journal is one
    transaction together with its cursor on that journal (table cursors):
    after a kill -9 it starts from the cursor the data it holds was
    committed with, so nothing is lost and nothing written twice
    (DESIGN.md §3, with SQLite where the other consumers have Redis).

    The schema (docs/ARCHIVE.md has it with its reasons):
        meta          layout version, the last announcement, the cursor key
        cursors       journal -> the last seq applied
        cases         one row per case: the columns searched by, the whole
                      case (msgpack case.view with its timeline) and intake's
                      hash (msgpack map; names and phones still sealed)
        case_scope    (code, created, n) for the center, the unit, the grid
                      and every node above them: a subtree's cases, newest first
        case_callers  (fingerprint, n): a caller's cases
        case_keys     (tk, n): each case's place in receipt order, tk =
                      created << 16 | k (k counting the cases of the same
                      millisecond): the rowid of its text
        case_grams    FTS5, contentless: the request's text and address as
                      bigrams (search.c), rowid tk, so that FTS5's own order
                      is a search's page order (newest first) and a page
                      reads what it returns, not every match
        audit         the gateway's audit log, one row per entry, keyed by
                      its stream id (ms, sq); its cursor is meta audit_ms,
                      audit_sq (audit.c)
    Statements are prepared once; a process has one store. */
#include "archive.h"
#include "cg_case.h"

static const char *s_schema =
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS cursors (journal TEXT PRIMARY KEY, seq INTEGER NOT NULL)"
    "  WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS cases ("
    "  n INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, state TEXT, center TEXT, unit TEXT,"
    "  grid TEXT, community TEXT, category TEXT, source TEXT, ext_ref TEXT,"
    "  created INTEGER NOT NULL DEFAULT 0, ver INTEGER NOT NULL DEFAULT 0,"
    "  leaves INTEGER NOT NULL DEFAULT 0, archived INTEGER, view BLOB, intake BLOB);"
    "CREATE INDEX IF NOT EXISTS cases_created ON cases (created, n);"
    "CREATE INDEX IF NOT EXISTS cases_ext ON cases (ext_ref) WHERE ext_ref IS NOT NULL;"
    "CREATE INDEX IF NOT EXISTS cases_leaving ON cases (leaves)"
    "  WHERE archived IS NULL AND leaves > 0;"
    "CREATE UNIQUE INDEX IF NOT EXISTS cases_archived ON cases (archived)"
    "  WHERE archived IS NOT NULL;"
    "CREATE TABLE IF NOT EXISTS case_scope (code TEXT, created INTEGER, n INTEGER,"
    "  PRIMARY KEY (code, created, n)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS case_callers (caller TEXT, n INTEGER,"
    "  PRIMARY KEY (caller, n)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS case_keys (tk INTEGER PRIMARY KEY, n INTEGER NOT NULL);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS case_grams USING fts5 (grams, content='',"
    "  tokenize='ascii');"
    "CREATE TABLE IF NOT EXISTS audit (ms INTEGER NOT NULL, sq INTEGER NOT NULL, at INTEGER,"
    "  actor TEXT, role TEXT, scope TEXT, action TEXT, target TEXT, addr TEXT, status INTEGER,"
    "  PRIMARY KEY (ms, sq)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor, ms, sq);"
    "CREATE INDEX IF NOT EXISTS audit_action ON audit (action, ms, sq);";

enum {
    S_GET_CURSOR, S_SET_CURSOR, S_GET_META, S_SET_META, S_FIND, S_INSERT, S_UPDATE,
    S_SCOPE_DROP, S_SCOPE_ADD, S_CALLER_ADD, S_KEY_TOP, S_KEY_ADD, S_TEXT_ADD, S_BEGIN,
    S_COMMIT, S_ROLLBACK, S_NSTMTS
};
static const char *s_sql[S_NSTMTS] = {
    [S_GET_CURSOR] = "SELECT seq FROM cursors WHERE journal = ?1",
    [S_SET_CURSOR] = "INSERT INTO cursors VALUES (?1, ?2)"
                     " ON CONFLICT (journal) DO UPDATE SET seq = ?2",
    [S_GET_META] = "SELECT value FROM meta WHERE key = ?1",
    [S_SET_META] = "INSERT INTO meta VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2",
    [S_FIND] = "SELECT n, center, unit FROM cases WHERE id = ?1",
    [S_INSERT] = "INSERT INTO cases (id, state, center, unit, grid, community, category, source,"
                 " ext_ref, created, ver, leaves, archived, view, intake)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    [S_UPDATE] = "UPDATE cases SET state = ?2, center = ?3, unit = ?4, grid = ?5,"
                 " community = ?6, category = ?7, source = ?8, ext_ref = ?9, created = ?10,"
                 " ver = ?11, leaves = ?12, archived = coalesce (?13, archived), view = ?14,"
                 " intake = coalesce (?15, intake) WHERE n = ?16",
    [S_SCOPE_DROP] = "DELETE FROM case_scope WHERE code = ?1 AND created = ?2 AND n = ?3",
    [S_SCOPE_ADD] = "INSERT OR IGNORE INTO case_scope VALUES (?1, ?2, ?3)",
    [S_CALLER_ADD] = "INSERT OR IGNORE INTO case_callers VALUES (?1, ?2)",
    [S_KEY_TOP] = "SELECT max(tk) FROM case_keys WHERE tk BETWEEN ?1 AND ?2",
    [S_KEY_ADD] = "INSERT INTO case_keys VALUES (?1, ?2)",
    [S_TEXT_ADD] = "INSERT INTO case_grams (rowid, grams) VALUES (?1, ?2)",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};
static sqlite3_stmt *s_stmts[S_NSTMTS];

/*  A prepared statement, reset and unbound for a new use.  Every use
    resets it again when done: a statement left open holds a read snapshot,
    and the write-ahead log cannot be checkpointed past it, so it grows. */
static sqlite3_stmt *
s_stmt (int which)
{
    sqlite3_stmt *stmt = s_stmts[which];
    sqlite3_reset (stmt);
    sqlite3_clear_bindings (stmt);
    return stmt;
}

/*  Runs a statement that returns no rows; 0 or -1 (logged). */
static int
s_run (sqlite3 *db, sqlite3_stmt *stmt)
{
    int rc = sqlite3_step (stmt);
    sqlite3_reset (stmt);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
        zsys_error ("archive: %s: %s", sqlite3_sql (stmt), sqlite3_errmsg (db));
        return -1;
    }
    return 0;
}

_Static_assert (STORE_TK_BITS == 16 && (INT64_C (1) << (62 - STORE_TK_BITS)) - 1
                == INT64_C (70368744177663), "STORE_TK_SQL, STORE_TK_SPAN follow STORE_TK_BITS");

int64_t
store_tk_of (int64_t created)
{
    int64_t top = (INT64_C (1) << (62 - STORE_TK_BITS)) - 1;
    return (created < 0 ? 0 : created > top ? top : created) << STORE_TK_BITS;
}

/*  Indexes a case's text and address under its text key, the next free
    one of its millisecond (store_tk_of); 0 or -1 (logged). */
static int
s_index_text (sqlite3 *db, int64_t n, int64_t created, const char *text,
              const char *address)
{
    int64_t first = store_tk_of (created), last = first + (INT64_C (1) << STORE_TK_BITS) - 1;
    sqlite3_stmt *stmt = s_stmt (S_KEY_TOP);
    sqlite3_bind_int64 (stmt, 1, first);
    sqlite3_bind_int64 (stmt, 2, last);
    int64_t tk = first;
    if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        tk = sqlite3_column_int64 (stmt, 0) + 1;
    sqlite3_reset (stmt);
    if (tk > last) {
        zsys_error ("archive: case %lld: more than %lld cases received in one millisecond",
                    (long long) n, (long long) (last - first + 1));
        return -1;
    }
    stmt = s_stmt (S_KEY_ADD);
    sqlite3_bind_int64 (stmt, 1, tk);
    sqlite3_bind_int64 (stmt, 2, n);
    if (s_run (db, stmt))
        return -1;
    size_t tlen = (text ? strlen (text) : 0) + (address ? strlen (address) : 0) + 2;
    char *both = malloc (tlen);
    assert (both);
    snprintf (both, tlen, "%s\n%s", text ? text : "", address ? address : "");
    char *grams = search_grams (both);
    free (both);
    stmt = s_stmt (S_TEXT_ADD);
    sqlite3_bind_int64 (stmt, 1, tk);
    sqlite3_bind_text (stmt, 2, grams, -1, SQLITE_TRANSIENT);
    free (grams);
    return s_run (db, stmt);
}

/*  Layout 1 -> 2: the texts of a store made before case_keys, indexed
    again under their text keys, S_REGRAM_BATCH cases a transaction with
    how far it got (meta regram_n), so that a kill -9 goes on from there;
    then the old index (case_text, rowid n) goes.  Runs when the archive
    opens such a store, before it serves: 1,000,000 cases take minutes
    (docs/ARCHIVE.md has the figure).  0 or -1 (logged). */
#define S_REGRAM_BATCH 5000
static int
s_regram (sqlite3 *db)
{
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (db, "SELECT 1 FROM sqlite_master WHERE name = 'case_text'", -1,
                            &stmt, NULL) != SQLITE_OK)
        return -1;
    bool old = sqlite3_step (stmt) == SQLITE_ROW;
    sqlite3_finalize (stmt);
    if (!old)
        return 0;
    int64_t after = store_meta (NULL, "regram_n"), done = 0, total = 0;
    if (sqlite3_prepare_v2 (db, "SELECT count(*) FROM cases WHERE n > ?1", -1, &stmt, NULL)
        != SQLITE_OK)
        return -1;
    sqlite3_bind_int64 (stmt, 1, after);
    if (sqlite3_step (stmt) == SQLITE_ROW)
        total = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    zsys_info ("archive: layout 1 -> 2: indexing the texts of %lld cases again in receipt "
               "order (from case %lld)", (long long) total, (long long) after);
    if (sqlite3_prepare_v2 (db, "SELECT n, created, view FROM cases WHERE n > ?1 ORDER BY n"
                            " LIMIT ?2", -1, &stmt, NULL) != SQLITE_OK) {
        zsys_error ("archive: layout 1 -> 2: %s", sqlite3_errmsg (db));
        return -1;
    }
    int rc = 0, rows;
    int64_t said = zclock_mono ();
    do {
        rows = 0;
        if (s_run (db, s_stmt (S_BEGIN))) {
            rc = -1;
            break;
        }
        sqlite3_reset (stmt);
        sqlite3_bind_int64 (stmt, 1, after);
        sqlite3_bind_int (stmt, 2, S_REGRAM_BATCH);
        while (rc == 0 && sqlite3_step (stmt) == SQLITE_ROW) {
            int64_t n = sqlite3_column_int64 (stmt, 0);
            cg_case_view_t c;
            cg_error_t err;
            if (cg_msg_decode (&cg_case_view_def, sqlite3_column_blob (stmt, 2),
                               (size_t) sqlite3_column_bytes (stmt, 2), &c, &err) == 0) {
                rc = s_index_text (db, n, sqlite3_column_int64 (stmt, 1), c.text, c.address);
                cg_msg_clear (&cg_case_view_def, &c);
            }
            else
                zsys_warning ("archive: layout 1 -> 2: case %lld does not decode (%s); its "
                              "text is not searched", (long long) n, err.message);
            after = n;
            rows++;
        }
        sqlite3_reset (stmt);
        sqlite3_stmt *set = s_stmt (S_SET_META);
        sqlite3_bind_text (set, 1, "regram_n", -1, SQLITE_STATIC);
        sqlite3_bind_int64 (set, 2, after);
        if (rc || s_run (db, set) || s_run (db, s_stmt (S_COMMIT))) {
            rc = -1;
            break;
        }
        done += rows;
        if (rows && zclock_mono () >= said + 10000) {
            said = zclock_mono ();
            zsys_info ("archive: layout 1 -> 2: %lld of %lld cases", (long long) done,
                       (long long) total);
        }
    } while (rows == S_REGRAM_BATCH);
    sqlite3_finalize (stmt);
    char *err = NULL;
    if (rc == 0
    &&  sqlite3_exec (db, "BEGIN IMMEDIATE; DROP TABLE case_text;"
                      " DELETE FROM meta WHERE key = 'regram_n';"
                      " INSERT INTO meta VALUES ('layout', 2) ON CONFLICT (key)"
                      " DO UPDATE SET value = 2; COMMIT", NULL, NULL, &err) != SQLITE_OK) {
        zsys_error ("archive: layout 1 -> 2: %s", err);
        sqlite3_free (err);
        rc = -1;
    }
    if (rc) {
        if (!sqlite3_get_autocommit (db))
            s_run (db, s_stmt (S_ROLLBACK));
        zsys_error ("archive: layout 1 -> 2 stopped after case %lld; it goes on from there "
                    "when the archive starts again", (long long) after);
    }
    else
        zsys_info ("archive: layout 1 -> 2 done: %lld cases", (long long) done);
    return rc;
}

sqlite3 *
store_open (const char *path)
{
    sqlite3 *db = NULL;
    char *err = NULL;
    if (sqlite3_open (path, &db) != SQLITE_OK) {
        zsys_error ("archive: cannot open %s: %s", path, db ? sqlite3_errmsg (db) : "no memory");
        sqlite3_close (db);
        return NULL;
    }
    sqlite3_busy_timeout (db, 5000);
    if (sqlite3_exec (db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                      "PRAGMA journal_size_limit = 16777216;", NULL, NULL, &err) != SQLITE_OK
    ||  sqlite3_exec (db, s_schema, NULL, NULL, &err) != SQLITE_OK) {
        zsys_error ("archive: %s: %s", path, err);
        sqlite3_free (err);
        sqlite3_close (db);
        return NULL;
    }
    for (int i = 0; i < S_NSTMTS; i++)
        if (sqlite3_prepare_v3 (db, s_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s_stmts[i],
                                NULL) != SQLITE_OK) {
            zsys_error ("archive: %s: %s", s_sql[i], sqlite3_errmsg (db));
            sqlite3_close_v2 (db);
            return NULL;
        }
    int64_t layout = store_meta (NULL, "layout");
    if (layout > ARCHIVE_LAYOUT) {
        zsys_error ("archive: %s is of layout %lld, written by a newer release; this one "
                    "knows layouts up to %d", path, (long long) layout, ARCHIVE_LAYOUT);
        sqlite3_close_v2 (db);
        return NULL;
    }
    if (s_regram (db)) {
        sqlite3_close_v2 (db);
        return NULL;
    }
    return db;
}

int64_t
store_meta (archive_t *self, const char *key)
{
    sqlite3_stmt *stmt = s_stmt (S_GET_META);
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    int64_t value = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
    sqlite3_reset (stmt);
    (void) self;
    return value;
}

int
store_set_meta (archive_t *self, const char *key, int64_t value)
{
    sqlite3_stmt *stmt = s_stmt (S_SET_META);
    sqlite3_bind_text (stmt, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, value);
    return s_run (self->db, stmt);
}

int64_t
store_cursor (archive_t *self, const char *journal)
{
    (void) self;
    sqlite3_stmt *stmt = s_stmt (S_GET_CURSOR);
    sqlite3_bind_text (stmt, 1, journal, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    int64_t seq = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : rc == SQLITE_DONE ? 0 : -1;
    sqlite3_reset (stmt);
    return seq;
}

int
store_set_cursor (archive_t *self, const char *journal, int64_t seq)
{
    sqlite3_stmt *stmt = s_stmt (S_SET_CURSOR);
    sqlite3_bind_text (stmt, 1, journal, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, seq);
    return s_run (self->db, stmt);
}

/*  synchronous = FULL while a durable transaction runs (it may not change
    inside one); NORMAL otherwise. */
static bool s_durable;

static int
s_synchronous (archive_t *self, const char *level)
{
    char sql[64], *err = NULL;
    snprintf (sql, sizeof sql, "PRAGMA synchronous = %s", level);
    if (sqlite3_exec (self->db, sql, NULL, NULL, &err) != SQLITE_OK) {
        zsys_error ("archive: %s: %s", sql, err);
        sqlite3_free (err);
        return -1;
    }
    return 0;
}

int
store_begin (archive_t *self)
{
    return s_run (self->db, s_stmt (S_BEGIN));
}

int
store_commit (archive_t *self)
{
    int rc = s_run (self->db, s_stmt (S_COMMIT));
    if (rc == 0 && s_durable) {
        s_durable = false;
        s_synchronous (self, "NORMAL");
    }
    return rc;
}

int
store_begin_durably (archive_t *self)
{
    if (s_synchronous (self, "FULL"))
        return -1;
    s_durable = true;
    if (store_begin (self) == 0)
        return 0;
    s_durable = false;
    s_synchronous (self, "NORMAL");
    return -1;
}

void
store_rollback (archive_t *self)
{
    if (!sqlite3_get_autocommit (self->db))
        s_run (self->db, s_stmt (S_ROLLBACK));
    if (s_durable) {
        s_durable = false;
        s_synchronous (self, "NORMAL");
    }
}

bool
store_has (archive_t *self, const char *id)
{
    (void) self;
    sqlite3_stmt *stmt = s_stmt (S_FIND);
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_STATIC);
    bool has = sqlite3_step (stmt) == SQLITE_ROW;
    sqlite3_reset (stmt);
    return has;
}

/* --- writing a case ------------------------------------------------------- */

/*  The center, the unit, the grid and every node above them, once each:
    whoever's scope holds one of them may find the case (the gateway then
    applies its own rule, gw_case_in_scope, to what it shows). */
static size_t
s_scope_codes (archive_t *self, const cg_case_view_t *c, const char **codes, size_t max)
{
    size_t n = 0;
    const char *starts[] = { c->center, c->unit, c->grid };
    for (size_t k = 0; k < 3; k++) {
        const cg_org_node_t *node = starts[k] ? cg_orgtree_find (self->org, starts[k]) : NULL;
        if (!node && starts[k] && n < max)
            codes[n++] = starts[k];         /* not in today's tree: itself at least */
        for (; node && n < max; node = node->parent) {
            bool seen = false;
            for (size_t i = 0; i < n && !seen; i++)
                seen = strcmp (codes[i], node->code) == 0;
            if (!seen)
                codes[n++] = node->code;
        }
    }
    return n;
}

/*  Binds the columns a case's row shares between insert and update. */
static void
s_bind_case (sqlite3_stmt *stmt, const cg_case_view_t *c, const char *community,
             int64_t leaves, int64_t archived, const msgpack_sbuffer *view,
             const msgpack_sbuffer *intake)
{
    sqlite3_bind_text (stmt, 1, c->id, -1, SQLITE_STATIC);
    const char *texts[] = { c->state, c->center, c->unit, c->grid, community, c->category,
                            c->source, c->ext_ref };
    for (int i = 0; i < 8; i++)
        if (texts[i])
            sqlite3_bind_text (stmt, 2 + i, texts[i], -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 10, c->created);
    sqlite3_bind_int64 (stmt, 11, c->ver);
    sqlite3_bind_int64 (stmt, 12, leaves);
    if (archived)
        sqlite3_bind_int64 (stmt, 13, archived);
    sqlite3_bind_blob (stmt, 14, view->data, (int) view->size, SQLITE_STATIC);
    if (intake)
        sqlite3_bind_blob (stmt, 15, intake->data, (int) intake->size, SQLITE_STATIC);
}

/*  Intake's hash as a msgpack map of its fields, as they are (the records
    stay sealed); its callers' fingerprints go to case_callers. */
static void
s_pack_intake (const redisReply *r, msgpack_sbuffer *out)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, out, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, r->elements / 2);
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        msgpack_pack_str (&pk, r->element[i]->len);
        msgpack_pack_str_body (&pk, r->element[i]->str, r->element[i]->len);
        msgpack_pack_bin (&pk, r->element[i + 1]->len);
        msgpack_pack_bin_body (&pk, r->element[i + 1]->str, r->element[i + 1]->len);
    }
}

int
store_put (archive_t *self, const redisReply *r, const redisReply *intake, int64_t archived)
{
    cg_case_view_t c;
    if (cg_case_from_hash (r, &c, true) || !c.id) {
        cg_msg_clear (&cg_case_view_def, &c);
        return 0;
    }
    const cg_org_node_t *grid = c.grid ? cg_orgtree_find (self->org, c.grid) : NULL;
    const cg_org_node_t *community = grid ? cg_orgtree_center_of (self->org, grid,
                                                                  CG_ORG_COMMUNITY) : NULL;
    int64_t leaves = cg_case_archivable_at (&c, self->reopen_days);
    msgpack_sbuffer view, record;
    msgpack_sbuffer_init (&view);
    msgpack_sbuffer_init (&record);
    cg_error_t err;
    cg_msg_encode (&cg_case_view_def, &c, &view, &err);
    bool with_intake = intake && intake->type == REDIS_REPLY_ARRAY && intake->elements > 0;
    if (with_intake)
        s_pack_intake (intake, &record);

    int rc = -1;
    int64_t n = 0;
    char old_center[CG_CODE_MAX + 1] = "", old_unit[CG_CODE_MAX + 1] = "";
    sqlite3_stmt *stmt = s_stmt (S_FIND);
    sqlite3_bind_text (stmt, 1, c.id, -1, SQLITE_STATIC);
    if (sqlite3_step (stmt) == SQLITE_ROW) {
        n = sqlite3_column_int64 (stmt, 0);
        snprintf (old_center, sizeof old_center, "%s",
                  (const char *) (sqlite3_column_text (stmt, 1) ?: (const unsigned char *) ""));
        snprintf (old_unit, sizeof old_unit, "%s",
                  (const char *) (sqlite3_column_text (stmt, 2) ?: (const unsigned char *) ""));
    }
    sqlite3_reset (stmt);
    const char *codes[32];
    size_t ncodes = s_scope_codes (self, &c, codes, 32);
    if (n) {
        stmt = s_stmt (S_UPDATE);
        s_bind_case (stmt, &c, community ? community->code : NULL, leaves, archived, &view,
                     with_intake ? &record : NULL);
        sqlite3_bind_int64 (stmt, 16, n);
        if (s_run (self->db, stmt))
            goto done;
        if (strcmp (old_center, c.center ? c.center : "") || strcmp (old_unit, c.unit ? c.unit : "")) {
            /*  moved (escalated, transferred): the places above it change */
            cg_case_view_t old = { .center = old_center, .unit = old_unit, .grid = c.grid };
            const char *before[32];
            size_t nbefore = s_scope_codes (self, &old, before, 32);
            for (size_t i = 0; i < nbefore; i++) {
                stmt = s_stmt (S_SCOPE_DROP);
                sqlite3_bind_text (stmt, 1, before[i], -1, SQLITE_STATIC);
                sqlite3_bind_int64 (stmt, 2, c.created);
                sqlite3_bind_int64 (stmt, 3, n);
                if (s_run (self->db, stmt))
                    goto done;
            }
        }
        else
            ncodes = 0;
    }
    else {
        stmt = s_stmt (S_INSERT);
        s_bind_case (stmt, &c, community ? community->code : NULL, leaves, archived, &view,
                     with_intake ? &record : NULL);
        if (s_run (self->db, stmt))
            goto done;
        n = sqlite3_last_insert_rowid (self->db);
        /*  the text is indexed once: a case's request never changes */
        if (s_index_text (self->db, n, c.created, c.text, c.address))
            goto done;
    }
    for (size_t i = 0; i < ncodes; i++) {
        stmt = s_stmt (S_SCOPE_ADD);
        sqlite3_bind_text (stmt, 1, codes[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64 (stmt, 2, c.created);
        sqlite3_bind_int64 (stmt, 3, n);
        if (s_run (self->db, stmt))
            goto done;
    }
    for (size_t i = 0; with_intake && i + 1 < intake->elements; i += 2)
        if (strncmp (intake->element[i]->str, "caller:", 7) == 0) {
            stmt = s_stmt (S_CALLER_ADD);
            sqlite3_bind_text (stmt, 1, intake->element[i]->str + 7, -1, SQLITE_STATIC);
            sqlite3_bind_int64 (stmt, 2, n);
            if (s_run (self->db, stmt))
                goto done;
        }
    rc = 0;
done:
    msgpack_sbuffer_destroy (&view);
    msgpack_sbuffer_destroy (&record);
    cg_msg_clear (&cg_case_view_def, &c);
    return rc;
}
