/*  follow — the journals into the store, and the sweep out of Redis.

    The archive keeps a copy of every case, live or closed, so that search
    and export read one place and never dispatch's Redis (whose command
    loop they would hold up).  Every event of dispatch's and intake's
    journals names a case; a batch's cases are read from Redis, both hashes
    each (dispatch's case with its timeline, intake's record), pipelined,
    and written with the journal's new cursor in one SQLite transaction.
    What is read is at least as new as the events: the copy is the case as
    it stands, and a later batch writes it again.  Only then is the cursor
    copied to cg:{archive}:cursor:<journal>, for the journal's owner to trim
    by (an older copy there only keeps more).

    The sweep (archive/sweep_ms) takes the cases the store knows to be
    final past their reopen window (cg_case.h), checks each against Redis
    once more (its version and state: one that changed since the store's
    copy is read again whole), and in one transaction numbers each one's
    announcement.  Then follow_announce appends case.archived to the
    archive's journal for every number beyond the journal's head
    (archive_announce.lua): dispatch and intake follow that journal and
    delete their copies in their own scripts.  Redis's copy thus goes only
    after the archive committed, and a kill -9 between the commit and the
    announcement only delays it until the next sweep. */
#include "archive.h"
#include "cg_case.h"
#include "cg_clock.h"
#include "cg_events.h"

int64_t
follow_cursor (const char *journal, void *arg)
{
    return store_cursor (arg, journal);
}

/*  Picks the case id out of an event's fields. */
static void
s_pick_id (const char *key, const char *value, size_t len, void *arg)
{
    if (strcmp (key, "id") == 0 && len <= 32 && !*(char *) arg)
        memcpy (arg, value, len), ((char *) arg)[len] = 0;
}

/*  Reads both hashes of each case in ids (pipelined) into replies[2i],
    replies[2i+1], intake's only where with_intake[i] (all when NULL; else
    replies[2i+1] stays NULL); 0, or -1 when Redis failed (the replies are
    freed). */
static int
s_read_cases (archive_t *self, char **ids, size_t n, const bool *with_intake,
              redisReply **replies)
{
    cg_redis_t *redis = self->daemon->redis;
    cg_args_t args;
    cg_args_init (&args);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        cg_args_reset (&args);
        cg_args_add_str (&args, "HGETALL");
        cg_args_addf (&args, CG_CASE_KEY, ids[i]);
        rc |= cg_redis_append (redis, &args);
        if (with_intake && !with_intake[i])
            continue;
        cg_args_reset (&args);
        cg_args_add_str (&args, "HGETALL");
        cg_args_addf (&args, "cg:{intake}:req:%s", ids[i]);
        rc |= cg_redis_append (redis, &args);
    }
    cg_args_free (&args);
    /*  every reply is read, so that none is left for the next command */
    bool sent = rc == 0;
    for (size_t i = 0; i < 2 * n; i++) {
        if (i % 2 && with_intake && !with_intake[i / 2])
            continue;
        replies[i] = sent ? cg_redis_reply (redis) : NULL;
        if (!replies[i] || replies[i]->type != REDIS_REPLY_ARRAY)
            rc = -1;
    }
    if (rc)
        for (size_t i = 0; i < 2 * n; i++)
            if (replies[i]) {
                freeReplyObject (replies[i]);
                replies[i] = NULL;
            }
    return rc;
}

static void
s_free_replies (redisReply **replies, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (replies[i])
            freeReplyObject (replies[i]);
    free (replies);
}

/*  The Redis copy of a cursor, for the journal's trim. */
static void
s_mirror_cursor (archive_t *self, const char *journal, int64_t seq)
{
    char key[128];
    cg_cursor_key (key, sizeof key, "archive", journal);
    redisReply *r = cg_redis_command (self->daemon->redis, "SET %s %lld", key, (long long) seq);
    if (r)
        freeReplyObject (r);
}

/*  The cases events[0..n) name, written with the cursor of journal.
    Redis is read no more than the copy needs: of intake's events only
    case.merged (a caller joined) and record.resealed (its record sealed
    under a newer key) change what the archive keeps, and intake's hash is
    read for a case the store does not have yet or that one of them names;
    every other event moves the cursor only. */
static int
s_follow (archive_t *self, const char *journal, const cg_event_t *events, size_t n)
{
    bool from_intake = strcmp (journal, "intake") == 0;
    zhashx_t *seen = zhashx_new ();
    char **ids = calloc (n, sizeof (char *));
    assert (ids);
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const cg_event_kind_t *kind = cg_event_kind_find (journal, events[i].topic);
        if (!kind || strcmp (events[i].topic, "hotspot.detected") == 0
        ||  (from_intake && strcmp (events[i].topic, "case.merged") != 0
             && strcmp (events[i].topic, "record.resealed") != 0))
            continue;
        void *msg = calloc (1, kind->def->size);
        assert (msg);
        cg_error_t err;
        char id[33] = "";
        if (cg_msg_decode (kind->def, events[i].body, events[i].size, msg, &err) == 0)
            cg_msg_fields (kind->def, msg, s_pick_id, id);
        cg_msg_clear (kind->def, msg);
        free (msg);
        if (*id && !zhashx_lookup (seen, id)) {
            zhashx_insert (seen, id, (void *) 1);
            ids[count++] = strdup (id);
        }
    }
    zhashx_destroy (&seen);
    bool *with_intake = calloc (count + 1, sizeof (bool));
    assert (with_intake);
    for (size_t i = 0; i < count; i++)
        with_intake[i] = from_intake || !store_has (self, ids[i]);
    redisReply **replies = calloc (2 * count + 1, sizeof (redisReply *));
    assert (replies);
    int rc = s_read_cases (self, ids, count, with_intake, replies);
    free (with_intake);
    if (rc == 0 && store_begin (self) == 0) {
        for (size_t i = 0; i < count && rc == 0; i++)
            rc = store_put (self, replies[2 * i], replies[2 * i + 1], 0);
        if (rc == 0)
            rc = store_set_cursor (self, journal, events[n - 1].seq);
        if (rc == 0)
            rc = store_commit (self);
        if (rc)
            store_rollback (self);
    }
    else
        rc = -1;
    s_free_replies (replies, 2 * count);
    for (size_t i = 0; i < count; i++)
        free (ids[i]);
    free (ids);
    if (rc == 0)
        s_mirror_cursor (self, journal, events[n - 1].seq);
    else
        zsys_warning ("archive: %s #%lld..%lld not applied; tried again on the next catch-up",
                      journal, (long long) events[0].seq, (long long) events[n - 1].seq);
    return rc;
}

int
follow_dispatch (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    (void) cursor;
    return s_follow (arg, "dispatch", events, n);
}

int
follow_intake (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    (void) cursor;
    return s_follow (arg, "intake", events, n);
}

/* --- a new archive beside an old stack -------------------------------------- */

int
follow_backfill (archive_t *self)
{
    if (store_cursor (self, "dispatch") != 0 || store_cursor (self, "intake") != 0)
        return 0;               /* it has followed before: the journals hold the rest */
    cg_redis_t *redis = self->daemon->redis;
    /*  the heads first: whatever happens after them is read from the journals,
        and a case the scan reads is at least as new as they are */
    int64_t heads[2] = { cg_journal_head (redis, "dispatch"), cg_journal_head (redis, "intake") };
    if (heads[0] < 0 || heads[1] < 0)
        return -1;
    int64_t copied = 0;
    char cursor[32] = "0";
    do {
        redisReply *r = cg_redis_command (redis, "SCAN %s MATCH " CG_CASE_KEY_PREFIX "* COUNT 512",
                                          cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject (r);
            return -1;
        }
        snprintf (cursor, sizeof cursor, "%s", r->element[0]->str);
        redisReply *keys = r->element[1];
        size_t n = keys->elements;
        char **ids = calloc (n + 1, sizeof (char *));
        assert (ids);
        for (size_t i = 0; i < n; i++)
            ids[i] = keys->element[i]->str + strlen (CG_CASE_KEY_PREFIX);
        redisReply **replies = calloc (2 * n + 1, sizeof (redisReply *));
        assert (replies);
        int rc = n ? s_read_cases (self, ids, n, NULL, replies) : 0;
        if (rc == 0 && n && store_begin (self) == 0) {
            for (size_t i = 0; i < n && rc == 0; i++)
                rc = store_put (self, replies[2 * i], replies[2 * i + 1], 0);
            rc = rc ? rc : store_commit (self);
            if (rc)
                store_rollback (self);
        }
        s_free_replies (replies, 2 * n);
        free (ids);
        freeReplyObject (r);
        if (rc)
            return -1;
        copied += (int64_t) n;
    } while (strcmp (cursor, "0") != 0);
    if (store_begin (self) || store_set_cursor (self, "dispatch", heads[0])
    ||  store_set_cursor (self, "intake", heads[1]) || store_commit (self)) {
        store_rollback (self);
        return -1;
    }
    s_mirror_cursor (self, "dispatch", heads[0]);
    s_mirror_cursor (self, "intake", heads[1]);
    zsys_info ("archive: a new store: copied %lld cases from dispatch, then follows dispatch "
               "from #%lld and intake from #%lld", (long long) copied, (long long) heads[0],
               (long long) heads[1]);
    return 0;
}

/* --- leaving Redis -------------------------------------------------------- */

/*  Archives what is due: one transaction, up to sweep_batch cases.  The
    store's copy is current when dispatch's case is still at the version
    the store holds (the feed wrote it after the last change): then only
    the number is written; a case that changed since is read again whole.
    Returns how many were numbered, or -1. */
static int
s_sweep (archive_t *self, int64_t now)
{
    sqlite3_stmt *stmt, *mark;
    if (sqlite3_prepare_v2 (self->db, "SELECT id, ver FROM cases WHERE archived IS NULL"
                            " AND leaves > 0 AND leaves <= ?1 ORDER BY leaves LIMIT ?2", -1,
                            &stmt, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64 (stmt, 1, now);
    sqlite3_bind_int (stmt, 2, self->sweep_batch);
    char **ids = calloc ((size_t) self->sweep_batch, sizeof (char *));
    int64_t *vers = calloc ((size_t) self->sweep_batch, sizeof (int64_t));
    assert (ids && vers);
    size_t count = 0;
    while (count < (size_t) self->sweep_batch && sqlite3_step (stmt) == SQLITE_ROW) {
        ids[count] = strdup ((const char *) sqlite3_column_text (stmt, 0));
        vers[count++] = sqlite3_column_int64 (stmt, 1);
    }
    sqlite3_finalize (stmt);
    if (count == 0 || sqlite3_prepare_v2 (self->db, "UPDATE cases SET leaves = ?1,"
                                          " archived = ?2 WHERE id = ?3", -1, &mark,
                                          NULL) != SQLITE_OK) {
        for (size_t i = 0; i < count; i++)
            free (ids[i]);
        free (ids);
        free (vers);
        return count ? -1 : 0;
    }
    /*  what the rule needs of each case, pipelined */
    cg_redis_t *redis = self->daemon->redis;
    cg_args_t args;
    cg_args_init (&args);
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        cg_args_reset (&args);
        cg_args_add_words (&args, "HMGET");
        cg_args_addf (&args, CG_CASE_KEY, ids[i]);
        cg_args_add_words (&args, "ver state closed_at updated");
        rc = cg_redis_append (redis, &args);
    }
    cg_args_free (&args);
    redisReply **replies = calloc (count, sizeof (redisReply *));
    assert (replies);
    bool sent = rc == 0;
    for (size_t i = 0; i < count; i++) {
        replies[i] = sent ? cg_redis_reply (redis) : NULL;
        if (!replies[i] || replies[i]->type != REDIS_REPLY_ARRAY || replies[i]->elements != 4)
            rc = -1;
    }
    int numbered = 0;
    if (rc == 0 && store_begin_durably (self) == 0) {
        int64_t last = store_meta (self, "announced");
        for (size_t i = 0; i < count && rc == 0; i++) {
            redisReply **f = replies[i]->element;
            bool gone = f[1]->type != REDIS_REPLY_STRING;
            cg_case_view_t c = { .state = gone ? NULL : f[1]->str };
            c.ver = cg_reply_int (f[0], 0);
            c.closed_at = cg_reply_int (f[2], 0);
            c.updated = cg_reply_int (f[3], 0);
            /*  gone: its owners no longer have it; numbered so that it is not
                swept again, and announced (which deletes nothing) */
            int64_t leaves = gone ? now : cg_case_archivable_at (&c, self->reopen_days);
            bool due = leaves > 0 && leaves <= now;
            if (gone || c.ver == vers[i]) {
                sqlite3_reset (mark);
                sqlite3_bind_int64 (mark, 1, leaves);
                if (due)
                    sqlite3_bind_int64 (mark, 2, last + 1);
                else
                    sqlite3_bind_null (mark, 2);
                sqlite3_bind_text (mark, 3, ids[i], -1, SQLITE_STATIC);
                rc = sqlite3_step (mark) == SQLITE_DONE ? 0 : -1;
            }
            else {
                redisReply *whole[2] = { NULL, NULL };
                rc = s_read_cases (self, &ids[i], 1, NULL, whole);
                if (rc == 0)
                    rc = store_put (self, whole[0], whole[1], due ? last + 1 : 0);
                for (int k = 0; k < 2; k++)
                    if (whole[k])
                        freeReplyObject (whole[k]);
            }
            if (due)
                last++, numbered++;
        }
        if (rc == 0)
            rc = store_set_meta (self, "announced", last);
        if (rc == 0)
            rc = store_commit (self);
        if (rc) {
            store_rollback (self);
            numbered = 0;
        }
    }
    sqlite3_finalize (mark);
    for (size_t i = 0; i < count; i++) {
        if (replies[i])
            freeReplyObject (replies[i]);
        free (ids[i]);
    }
    free (replies);
    free (ids);
    free (vers);
    return rc ? -1 : numbered;
}

int
follow_announce (archive_t *self)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "GET " S_PREFIX "seq");
    if (!r)
        return -1;
    int64_t head = cg_reply_int (r, 0);
    freeReplyObject (r);
    int64_t last = store_meta (self, "announced");
    if (head > last) {
        zsys_error ("archive: the archive journal is at %lld, but the store numbered only %lld "
                    "announcements: is the store older than Redis (a restored backup)?",
                    (long long) head, (long long) last);
        return -1;
    }
    while (head < last) {
        sqlite3_stmt *stmt;
        if (sqlite3_prepare_v2 (self->db, "SELECT id, ver FROM cases WHERE archived > ?1"
                                " ORDER BY archived LIMIT 512", -1, &stmt, NULL) != SQLITE_OK)
            return -1;
        sqlite3_bind_int64 (stmt, 1, head);
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, S_PREFIX);
        cg_args_add_int (&args, head);
        int64_t now = cg_clock_now ();
        while (sqlite3_step (stmt) == SQLITE_ROW) {
            cg_case_archived_t event = { .id = (char *) sqlite3_column_text (stmt, 0) };
            CG_SET (&event, case_archived, ver, sqlite3_column_int64 (stmt, 1));
            CG_SET (&event, case_archived, at, now);
            cg_args_add_msg (&args, &cg_case_archived_def, &event);
        }
        sqlite3_finalize (stmt);
        int bodies = args.argc - 2;
        r = bodies > 0 ? cg_redis_script (self->daemon->redis, "archive_announce", 0, &args)
                       : NULL;
        bool ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == (size_t) bodies + 1
               && strcmp (cg_reply_str (r->element[0]), "ok") == 0;
        for (int i = 0; ok && i < bodies; i++)
            cg_pub_send (self->daemon->pub, "archive", r->element[i + 1]->integer,
                         "case.archived", args.argv[i + 2], args.lens[i + 2]);
        if (r)
            freeReplyObject (r);
        cg_args_free (&args);
        if (!ok)
            return -1;
        head += bodies;
    }
    return 0;
}

int
follow_sweep (zloop_t *loop, int timer_id, void *arg)
{
    (void) timer_id;
    archive_t *self = arg;
    if (timer_id == self->sweep_again)
        self->sweep_again = 0;
    int64_t now = cg_clock_now ();
    /*  batches until the slice is spent, so that searches wait no longer;
        what is left goes on after a pause in which they are answered */
    int64_t until = zclock_mono () + self->sweep_slice_ms;
    while (s_sweep (self, now) > 0) {
        if (follow_announce (self))
            return 0;
        if (zclock_mono () >= until) {
            if (!self->sweep_again)
                self->sweep_again = zloop_timer (loop, (size_t) self->sweep_pause_ms, 1,
                                                 follow_sweep, self);
            return 0;
        }
    }
    follow_announce (self);
    return 0;
}
