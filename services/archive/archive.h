/*  archive — the pieces of civgrid-archive and what they share.

    Modules:
        store.c     the SQLite file: schema, cursors, writing a case
        follow.c    the journals of dispatch and intake into the store; the
                    sweep that archives final cases and announces them
        search.c    case.show and case.search (and so exports) from the store
        audit.c     the gateway's audit log into the store, and audit.search
        reseal.c    archived records sealed again by intake (archive.sealed,
                    archive.reseal), the archive never holding the key
*/
#ifndef ARCHIVE_H_INCLUDED
#define ARCHIVE_H_INCLUDED

#include "cg_daemon.h"
#include "cg_cursor.h"
#include "cg_orgtree.h"
#include <sqlite3.h>

#define S_PREFIX        "cg:{archive}:"
#define ARCHIVE_LAYOUT  2           /* the schema's version (docs/ARCHIVE.md) */

typedef struct {
    cg_daemon_t *daemon;
    cg_orgtree_t *org;
    sqlite3 *db;
    char path[1024];
    int reopen_days;                /* dispatch/reopen_days: the same window */
    int sweep_batch;                /* cases archived in one transaction at most */
    int sweep_slice_ms;             /* a sweep holds the loop this long at most, */
    int sweep_pause_ms;             /* then goes on after this pause when more is due */
    int sweep_again;                /* that pause's timer, 0 when none */
    int64_t announced;              /* the last case.archived in the journal, as far as known */
} archive_t;

/* --- store.c ------------------------------------------------------------- */
/*  Opens (and makes) the store at path; NULL with a log line. */
sqlite3 *store_open (const char *path);
/*  The cursor of a journal as the store holds it, or -1. */
int64_t store_cursor (archive_t *self, const char *journal);
int store_set_cursor (archive_t *self, const char *journal, int64_t seq);
int store_begin (archive_t *self);
int store_commit (archive_t *self);
/*  BEGIN a transaction whose COMMIT a power cut cannot take back (the
    sweep's, before Redis's copies go); commit and rollback end it. */
int store_begin_durably (archive_t *self);
void store_rollback (archive_t *self);
/*  Writes a case from its hashes: dispatch's HGETALL (r) and intake's
    (intake, may be empty).  archived: its announcement's number, or 0 to
    leave it as it is.  Returns 0, or -1 (SQLite failed). */
int store_put (archive_t *self, const redisReply *r, const redisReply *intake,
               int64_t archived);
/*  A case's text key (case_keys): its time of receipt in the high bits,
    the cases of one millisecond counted in the low STORE_TK_BITS, so that
    the text index's rowid order is receipt order.  This is the first key
    of created's millisecond (created clamped to what fits). */
#define STORE_TK_BITS   16
int64_t store_tk_of (int64_t created);
/*  The same in SQL, of a column; and the keys of a millisecond after its
    first (store.c asserts that these follow STORE_TK_BITS). */
#define STORE_TK_SQL(col) "(min (max (" col ", 0), 70368744177663) << 16)"
#define STORE_TK_SPAN   "65535"
/*  Whether the store has a copy of the case. */
bool store_has (archive_t *self, const char *id);
/*  A meta value (0 when absent) and its setting. */
int64_t store_meta (archive_t *self, const char *key);
int store_set_meta (archive_t *self, const char *key, int64_t value);
/*  The text a case is searched by, as bigrams (search.c): every two
    neighbouring characters, one token each, so that any substring of two
    characters or more is a phrase of them.  malloc'd. */
char *search_grams (const char *text);

/* --- follow.c ------------------------------------------------------------ */
cg_cursor_fn follow_cursor;
cg_feed_fn follow_dispatch;
cg_feed_fn follow_intake;
/*  A store that has never followed the journals (a new archive beside a
    stack that ran without one, whose journals were trimmed long ago)
    first copies every case dispatch has, then follows from the journals'
    heads as they were before the copy.  0, or -1. */
int follow_backfill (archive_t *self);
/*  The sweep: cases final past their reopen window are archived and
    announced (zloop timer). */
int follow_sweep (zloop_t *loop, int timer_id, void *arg);
/*  Announces what the store archived beyond the journal's head. */
int follow_announce (archive_t *self);

/* --- search.c ------------------------------------------------------------ */
/*  What a search reads with, on its worker's thread: a read-only connection
    of its own and a cursor codec of its own (under civgrid/cursor_key). */
typedef struct {
    sqlite3 *db;
    cg_cursor_t *cursors;
    cg_orgtree_t *org;              /* the archive's, only read */
} search_t;

search_t *search_new (const char *path, const char *cursor_key);
void search_destroy (search_t **self_p);
cg_command_fn search_on_show;         /* arg: the archive */
cg_command_fn search_on_search;       /* arg: a search_t, on a worker */

/* --- audit.c ------------------------------------------------------------- */
/*  Follows cg:{gateway}:audit into the store (zloop timer). */
int audit_follow (zloop_t *loop, int timer_id, void *arg);
cg_command_fn audit_on_search;        /* arg: a search_t, on a worker */

/* --- reseal.c ------------------------------------------------------------ */
cg_command_fn reseal_on_sealed;       /* arg: the archive */
cg_command_fn reseal_on_reseal;       /* arg: the archive */
cg_command_fn reseal_on_record;       /* arg: the archive */

#endif
