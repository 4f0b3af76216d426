/*  reseal — the archive's part in sealing archived records again under a
    rotated key (issue #17), without the archive ever holding the key.

    Intake, which holds every version of the key, asks for the rows whose
    intake hash still holds a value sealed under an old version N
    (archive.sealed: a page at a time, by the row's number, so that intake
    resumes after a kill -9 of either from the cursor it keeps), seals each
    again and sends the new hash back (archive.reseal).  The archive writes
    it only if the row still holds the hash it gave, in one statement (one
    transaction): a copy the feed wrote meanwhile (record.resealed, a
    caller merged) is never lost, only looked at again.  A row is found by
    the bytes "vN:" in its hash, as `civgrid secret status` counts them: a
    text that looks like one costs intake a look, a value is never missed.
    The same row answers archive.record, by which intake shows who reported
    a case it no longer holds (intake.show).
    Hashes travel as base64 of the msgpack map the store keeps (there are
    no binary fields in proto's messages). */
#define _GNU_SOURCE         /* memmem */
#include "archive.h"
#include "cg_base64.h"

#define S_SCAN_MAX  2000    /* rows one page looks at at most */

/*  These commands are intake's alone: the request's role must be intake,
    which the server lets only a daemon's key claim (cg_command.c), so that
    no command center's key reads or replaces sealed records. */
static bool
s_from_intake (const char *role, cg_reply_t *reply)
{
    if (streq (role, "intake"))
        return true;
    cg_reply_fail (reply, "forbidden", "role", "role must be intake: only intake seals "
                   "records, not %s", role);
    return false;
}

void
reseal_on_sealed (void *request, cg_reply_t *reply, void *arg)
{
    archive_t *self = arg;
    cg_archive_sealed_ask_t *req = request;
    if (!s_from_intake (req->role, reply))
        return;
    char mark[8];
    snprintf (mark, sizeof mark, "v%d:", (int) req->version);
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, "SELECT n, id, intake FROM cases WHERE n > ?1"
                            " AND intake IS NOT NULL ORDER BY n LIMIT ?2", -1, &stmt,
                            NULL) != SQLITE_OK) {
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be read: %s",
                       sqlite3_errmsg (self->db));
        return;
    }
    sqlite3_bind_int64 (stmt, 1, req->after);
    sqlite3_bind_int (stmt, 2, S_SCAN_MAX);
    size_t limit = req->limit > 0 ? (size_t) req->limit : CG_SEALED_PAGE_MAX;
    cg_archive_sealed_t page = { 0 };
    page.rows = calloc (limit, sizeof *page.rows);
    assert (page.rows);
    int64_t last = req->after;
    int scanned = 0, rc;
    size_t sent = 0;            /* bytes of the page so far: a frame has a limit */
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        scanned++;
        const void *blob = sqlite3_column_blob (stmt, 2);
        size_t len = (size_t) sqlite3_column_bytes (stmt, 2);
        if (!memmem (blob, len, mark, strlen (mark))) {
            last = sqlite3_column_int64 (stmt, 0);
            continue;
        }
        size_t size = cg_base64_size (len, CG_BASE64_STD);
        if (page.rows_count == limit
        ||  (page.rows_count && sent + size > CG_MSG_MAX_FRAME / 2))
            break;              /* the next page starts with this row */
        last = sqlite3_column_int64 (stmt, 0);
        if (size > CG_SEALED_BLOB_MAX) {
            zsys_warning ("archive: case %s's intake hash is too large to seal again",
                          (const char *) sqlite3_column_text (stmt, 1));
            continue;
        }
        cg_archive_sealed_row_t *row = &page.rows[page.rows_count++];
        CG_SET (row, archive_sealed_row, n, last);
        row->id = strdup ((const char *) sqlite3_column_text (stmt, 1));
        row->intake = cg_base64_encode (blob, len, CG_BASE64_STD);
        sent += size;
    }
    CG_SET (&page, archive_sealed, last, last);
    CG_SET (&page, archive_sealed, more, rc == SQLITE_ROW || scanned == S_SCAN_MAX);
    sqlite3_finalize (stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be read now");
    else
        cg_reply_ok (reply, &cg_archive_sealed_def, &page);
    cg_msg_clear (&cg_archive_sealed_def, &page);
}

void
reseal_on_reseal (void *request, cg_reply_t *reply, void *arg)
{
    archive_t *self = arg;
    cg_archive_reseal_t *req = request;
    if (!s_from_intake (req->role, reply))
        return;
    size_t old_len, new_len;
    unsigned char *old = cg_base64_decode (req->old, &old_len, CG_BASE64_STD);
    unsigned char *new_ = old ? cg_base64_decode (req->intake, &new_len, CG_BASE64_STD) : NULL;
    if (!old || !new_) {
        cg_reply_fail (reply, "invalid", old ? "intake" : "old", "%s must be base64",
                       old ? "intake" : "old");
        free (old);
        return;
    }
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2 (self->db, "UPDATE cases SET intake = ?3 WHERE id = ?1"
                                 " AND intake = ?2", -1, &stmt, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text (stmt, 1, req->id, -1, SQLITE_STATIC);
        sqlite3_bind_blob (stmt, 2, old, (int) old_len, SQLITE_STATIC);
        sqlite3_bind_blob (stmt, 3, new_, (int) new_len, SQLITE_STATIC);
        rc = sqlite3_step (stmt);
        sqlite3_finalize (stmt);
    }
    if (rc != SQLITE_DONE)
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be written now: %s",
                       sqlite3_errmsg (self->db));
    else {
        cg_archive_resealed_t done = { 0 };
        CG_SET (&done, archive_resealed, replaced, sqlite3_changes (self->db) > 0);
        cg_reply_ok (reply, &cg_archive_resealed_def, &done);
    }
    free (old);
    free (new_);
}

void
reseal_on_record (void *request, cg_reply_t *reply, void *arg)
{
    archive_t *self = arg;
    cg_archive_record_ask_t *req = request;
    if (!s_from_intake (req->role, reply))
        return;
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, "SELECT n, intake FROM cases WHERE id = ?1"
                            " AND intake IS NOT NULL", -1, &stmt, NULL) != SQLITE_OK) {
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be read: %s",
                       sqlite3_errmsg (self->db));
        return;
    }
    sqlite3_bind_text (stmt, 1, req->id, -1, SQLITE_STATIC);
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW) {
        cg_archive_sealed_row_t row = { .id = req->id };
        CG_SET (&row, archive_sealed_row, n, sqlite3_column_int64 (stmt, 0));
        row.intake = cg_base64_encode (sqlite3_column_blob (stmt, 1),
                                       (size_t) sqlite3_column_bytes (stmt, 1), CG_BASE64_STD);
        cg_reply_ok (reply, &cg_archive_sealed_row_def, &row);
        free (row.intake);
    }
    else
    if (rc == SQLITE_DONE)
        cg_reply_fail (reply, "not_found", "id", "the archive has no record of case %s",
                       req->id);
    else
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be read now");
    sqlite3_finalize (stmt);
}
