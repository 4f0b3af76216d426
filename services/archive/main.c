/*  civgrid-archive — closed cases leave Redis for a file on disk.

    It follows the journals of dispatch and intake and keeps a copy of
    every case, its timeline and intake's record (names and phones still
    sealed) in SQLite (follow.c, store.c), with its cursors committed in the
    same transactions, so a kill -9 at any moment loses nothing and writes
    nothing twice.  Once a case is final and past its reopen window, it
    numbers and announces it (case.archived on its own journal), and
    dispatch and intake delete their copies.  It answers case.show for the
    cases they no longer have, and case.search over every case, live and
    archived, which is also how exports are paged, on a worker thread of
    its own (search.c).  It also keeps the gateway's audit log for its
    retention and pages it for an auditor (audit.c).  Why SQLite,
    the schema and the flows: docs/ARCHIVE.md. */
#include "archive.h"

#include <sodium.h>

#define S_AUDIT_FOLLOW_MS   500     /* how often the audit log is followed */

static archive_t *
s_archive_new (cg_daemon_t *daemon)
{
    archive_t *self = calloc (1, sizeof *self);
    assert (self);
    self->daemon = daemon;
    /*  checked at start against common/cg_config.h's table */
    self->reopen_days = (int) cg_daemon_int (daemon, "dispatch/reopen_days");
    self->sweep_batch = (int) cg_daemon_int (daemon, "archive/sweep_batch");
    self->sweep_slice_ms = (int) cg_daemon_int (daemon, "archive/sweep_slice_ms");
    self->sweep_pause_ms = (int) cg_daemon_int (daemon, "archive/sweep_pause_ms");
    int sweep_ms = (int) cg_daemon_int (daemon, "archive/sweep_ms");
    char err[512];
    self->org = cg_orgtree_load (cg_daemon_get (daemon, "data/orgtree",
                                                "deploy/demo/orgtree.tsv"), err, sizeof err);
    if (!self->org) {
        zsys_error ("archive: %s", err);
        goto failed;
    }
    /*  archive/db: relative to the stack's folder */
    const char *db = cg_daemon_get (daemon, "archive/db", "archive.db");
    if (*db == '/')
        snprintf (self->path, sizeof self->path, "%s", db);
    else
        snprintf (self->path, sizeof self->path, "%s/%s",
                  cg_daemon_get (daemon, "civgrid/dir", "."), db);
    self->db = store_open (self->path);
    if (!self->db)
        goto failed;
    if (store_meta (self, "layout") == 0)
        store_set_meta (self, "layout", ARCHIVE_LAYOUT);
    zloop_timer (daemon->loop, (size_t) sweep_ms, 0, follow_sweep, self);
    zloop_timer (daemon->loop, S_AUDIT_FOLLOW_MS, 0, audit_follow, self);
    return self;
failed:
    cg_orgtree_destroy (&self->org);
    free (self);
    return NULL;
}

static void
s_archive_destroy (archive_t **self_p)
{
    archive_t *self = *self_p;
    if (!self)
        return;
    sqlite3_close_v2 (self->db);
    cg_orgtree_destroy (&self->org);
    free (self);
    *self_p = NULL;
}

int
main (int argc, char **argv)
{
    if (sodium_init () < 0)
        return 1;
    cg_daemon_t *daemon = cg_daemon_new ("archive", argc, argv, 0);
    if (!daemon)
        return 1;
    archive_t *archive = s_archive_new (daemon);
    if (!archive
    ||  follow_backfill (archive)
    ||  cg_daemon_keep_cursors (daemon, follow_cursor, archive)
    ||  cg_daemon_follow (daemon, "intake", follow_intake, archive)
    ||  cg_daemon_follow (daemon, "dispatch", follow_dispatch, archive)) {
        s_archive_destroy (&archive);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    const char *cursor_key = cg_daemon_get (daemon, "civgrid/cursor_key", NULL);
    /*  each worker is a thread of its own, with a connection of its own */
    search_t *search = search_new (archive->path, cursor_key);
    search_t *audit = search_new (archive->path, cursor_key);
    if (!search || !audit) {
        search_destroy (&search);
        search_destroy (&audit);
        s_archive_destroy (&archive);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    cg_server_on (daemon->server, &cg_cmd_archive_case_show, search_on_show, archive);
    cg_server_on (daemon->server, &cg_cmd_archive_sealed, reseal_on_sealed, archive);
    cg_server_on (daemon->server, &cg_cmd_archive_reseal, reseal_on_reseal, archive);
    cg_server_on (daemon->server, &cg_cmd_archive_record, reseal_on_record, archive);
    search->org = audit->org = archive->org;
    cg_server_on_worker (daemon->server, &cg_cmd_case_search, search_on_search, search);
    cg_server_on_worker (daemon->server, &cg_cmd_audit_search, audit_on_search, audit);
    int rc = cg_daemon_run (daemon);
    cg_daemon_destroy (&daemon);        /* its server ends the searches' worker */
    search_destroy (&search);
    search_destroy (&audit);
    s_archive_destroy (&archive);
    return rc;
}
