/*  audit — the gateway's audit log, kept in the store for an auditor.

    The gateway writes every action to a Redis stream, cg:{gateway}:audit
    (services/gateway/auth.c).  The archive follows it like a journal
    (DESIGN.md §3): a timer reads what follows its cursor, a batch at a
    time, and writes the entries with the new cursor (meta audit_ms,
    audit_sq: the stream id of the last entry it holds) in one SQLite
    transaction, so a kill -9 at any moment loses nothing and writes
    nothing twice.  Only then is the cursor copied to
    cg:{archive}:cursor:audit, where the gateway reads it: Redis may drop an
    entry the archive holds once it is gateway/audit_redis_days old, and
    never one the archive does not hold before gateway/audit_days.  The
    store keeps every entry; it is the long-term copy (no trim: the
    retention is a minimum, and the rows are small).

    audit.search pages it newest first by stream id, filtered by who
    (actor), what (action), from and to (at) and the caller's scope (the
    entry's scope within it).  A page looks at S_SCAN_MAX rows at most: one
    that filled up or stopped there says `last`, the id the next page goes
    on before.  It runs on the searches' worker, with their connection. */
#include "archive.h"
#include "cg_clock.h"

#define S_FOLLOW_BATCH  500     /* entries one transaction takes at most */
#define S_SCAN_MAX      2000    /* rows one page looks at */

/*  The field of an XRANGE entry's [field, value, ...], or "". */
static const char *
s_field (const redisReply *kv, const char *name)
{
    for (size_t k = 0; k + 1 < kv->elements; k += 2)
        if (strcmp (cg_reply_str (kv->element[k]), name) == 0)
            return cg_reply_str (kv->element[k + 1]);
    return "";
}

/*  One batch; how many entries it took, or -1. */
static int
s_follow (archive_t *self)
{
    long long ms = store_meta (self, "audit_ms"), sq = store_meta (self, "audit_sq");
    redisReply *r = cg_redis_command (self->daemon->redis,
                                      "XRANGE cg:{gateway}:audit (%lld-%lld + COUNT %d", ms, sq,
                                      S_FOLLOW_BATCH);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    size_t n = r->elements;
    sqlite3_stmt *add = NULL;
    int rc = n ? 0 : -2;
    if (rc == 0 && (store_begin (self)
                    || sqlite3_prepare_v2 (self->db, "INSERT OR IGNORE INTO audit VALUES"
                                           " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", -1,
                                           &add, NULL) != SQLITE_OK))
        rc = -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2) {
            rc = -1;
            break;
        }
        const redisReply *kv = e->element[1];
        unsigned long long ems = 0, esq = 0;
        sscanf (cg_reply_str (e->element[0]), "%llu-%llu", &ems, &esq);
        sqlite3_reset (add);
        sqlite3_bind_int64 (add, 1, (sqlite3_int64) ems);
        sqlite3_bind_int64 (add, 2, (sqlite3_int64) esq);
        sqlite3_bind_int64 (add, 3, strtoll (s_field (kv, "at"), NULL, 10));
        const char *texts[] = { "actor", "role", "scope", "action", "target", "from" };
        for (int k = 0; k < 6; k++)
            sqlite3_bind_text (add, 4 + k, s_field (kv, texts[k]), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64 (add, 10, strtoll (s_field (kv, "status"), NULL, 10));
        if (sqlite3_step (add) != SQLITE_DONE)
            rc = -1;
        ms = (long long) ems, sq = (long long) esq;
    }
    sqlite3_finalize (add);
    if (rc == 0 && (store_set_meta (self, "audit_ms", ms) || store_set_meta (self, "audit_sq", sq)
                    || store_commit (self)))
        rc = -1;
    if (rc == -1 && n)
        store_rollback (self);
    freeReplyObject (r);
    if (rc == -2)
        return 0;
    if (rc)
        return -1;
    /*  the gateway's trim goes by this copy: only after the commit */
    r = cg_redis_command (self->daemon->redis, "SET " S_PREFIX "cursor:audit %lld-%lld", ms, sq);
    if (r)
        freeReplyObject (r);
    return (int) n;
}

int
audit_follow (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    archive_t *self = arg;
    int rounds = 0, n;
    while ((n = s_follow (self)) == S_FOLLOW_BATCH && ++rounds < 10)
        ;
    if (n < 0)
        zsys_warning ("archive: the audit log could not be followed now; tried again shortly");
    return 0;
}

/*  "ms-sq" into its two numbers; -1 when it is not a stream id. */
static int
s_id_parse (const char *id, long long *ms, long long *sq)
{
    char tail;
    if (sscanf (id, "%lld-%lld%c", ms, sq, &tail) != 2 || *ms < 0 || *sq < 0)
        return -1;
    return 0;
}

void
audit_on_search (void *request, cg_reply_t *reply, void *arg)
{
    search_t *self = arg;
    cg_audit_search_t *req = request;
    const cg_org_node_t *scope = cg_orgtree_find (self->org, req->scope);
    if (!scope) {
        cg_reply_fail (reply, "invalid", "scope", "scope %s is not in the org tree", req->scope);
        return;
    }
    long long before_ms = INT64_MAX, before_sq = 0;
    if (req->before && s_id_parse (req->before, &before_ms, &before_sq)) {
        cg_reply_fail (reply, "invalid", "before", "before must be a stream id (ms-seq)");
        return;
    }
    char sql[512] = "SELECT ms, sq, at, actor, role, scope, action, target, addr, status"
                    " FROM audit WHERE (ms, sq) < (?1, ?2)";
    if (req->who)
        strcat (sql, " AND actor = ?3");
    if (req->what)
        strcat (sql, " AND action = ?4");
    if (req->present & (UINT64_C (1) << CG_FIELD_audit_search_from))
        strcat (sql, " AND at >= ?5");
    if (req->present & (UINT64_C (1) << CG_FIELD_audit_search_to))
        strcat (sql, " AND at < ?6");
    strcat (sql, " ORDER BY ms DESC, sq DESC LIMIT ?7");
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be read: %s",
                       sqlite3_errmsg (self->db));
        return;
    }
    sqlite3_bind_int64 (stmt, 1, before_ms);
    sqlite3_bind_int64 (stmt, 2, before_sq);
    if (req->who)
        sqlite3_bind_text (stmt, 3, req->who, -1, SQLITE_STATIC);
    if (req->what)
        sqlite3_bind_text (stmt, 4, req->what, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 5, req->from);
    sqlite3_bind_int64 (stmt, 6, req->to);
    sqlite3_bind_int (stmt, 7, S_SCAN_MAX);
    size_t limit = req->limit > 0 ? (size_t) req->limit : 50;
    cg_audit_found_t page = { 0 };
    page.entries = calloc (limit, sizeof *page.entries);
    assert (page.entries);
    char last[48] = "";
    int scanned = 0, rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        scanned++;
        snprintf (last, sizeof last, "%lld-%lld", (long long) sqlite3_column_int64 (stmt, 0),
                  (long long) sqlite3_column_int64 (stmt, 1));
        const char *code = (const char *) sqlite3_column_text (stmt, 5);
        const cg_org_node_t *node = code ? cg_orgtree_find (self->org, code) : NULL;
        if (!node || !cg_orgtree_within (node, scope))
            continue;
        if (page.entries_count == limit)
            break;              /* one more is there: the next page starts after the last given */
        cg_audit_entry_t *e = &page.entries[page.entries_count++];
        e->id = strdup (last);
        CG_SET (e, audit_entry, at, sqlite3_column_int64 (stmt, 2));
        char **texts[] = { &e->actor, &e->role, &e->scope, &e->action, &e->target, &e->from };
        for (int k = 0; k < 6; k++)
            *texts[k] = strdup (sqlite3_column_text (stmt, 3 + k)
                                ? (const char *) sqlite3_column_text (stmt, 3 + k) : "");
        CG_SET (e, audit_entry, status, sqlite3_column_int64 (stmt, 9));
    }
    bool more = rc == SQLITE_ROW || scanned == S_SCAN_MAX;
    sqlite3_finalize (stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be read now");
    else {
        if (more)
            page.last = strdup (page.entries_count == limit && rc == SQLITE_ROW
                                ? page.entries[limit - 1].id : last);
        cg_reply_ok (reply, &cg_audit_found_def, &page);
    }
    cg_msg_clear (&cg_audit_found_def, &page);
}
