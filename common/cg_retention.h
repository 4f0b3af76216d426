/*  cg_retention — how long a journal keeps its entries.

    A journal (cg_bus.h) would grow by every event forever; its owner trims
    it, on a timer, and never below what a consumer still needs:
    - consumers are known: a subscriber registers itself in the set
      cg:{<journal>}:consumers when it follows the journal (cg_sub_follow),
      and its cursor stays at cg:{<consumer>}:cursor:<journal>; an entry
      may go only when every registered consumer has applied it, so one
      that is down finds its whole backlog when it comes back;
    - beyond the lowest cursor the journal keeps `keep_entries` entries,
      and, when `keep_seconds` is set, every entry younger than that, for
      audit and for readers that do not register (the CLI, the gateway's
      event stream, the bench), which read only recent entries;
    - a journal that no consumer has registered for is not trimmed at all:
      an unknown reader (a consumer of an older release) may still need it;
      except a journal whose owner says it has readers only, none that
      registers (cg_retention_readers_only: notification's, read by the
      gateway's stream): with no consumer registered it is trimmed as if
      all had applied it, by keep_entries and by an age of at least what
      the owner names (notification: its alarms' lifetime, dead_days).
    The trim is one Lua call (journal_trim.lua) with XTRIM MINID on whole
    stream nodes, once per tick, so it costs nothing per event.

    The same tick deletes the daemon's keys that are due: a script that
    writes a key meant to go at a time lists it in cg:{<daemon>}:expiring
    (a sorted set: key name, scored by that time in Unix ms), and
    keys_expire.lua deletes those whose time has come on civgrid's clock
    (cg_clock_now, which tests move), at most CG_RETENTION_KEYS a tick.
    Intake's references (intake/ext_keep_days, deploy/lua/intake/lib.lua)
    go this way, a whole period's hash at once.

    Every stateful daemon trims its own journal from its loop (cg_daemon
    does it, with the journal section of the configuration).  A consumer
    that finds its cursor below the first kept entry stops on that journal
    with an error in its log (cg_bus.c) rather than skip. */
#ifndef CG_RETENTION_H_INCLUDED
#define CG_RETENTION_H_INCLUDED

#include <czmq.h>
#include "cg_redis.h"

/*  Entries one trim drops at most: about a millisecond of Redis freeing
    stream nodes; a journal that grew faster is trimmed over a few ticks. */
#define CG_RETENTION_LIMIT          50000

/*  Keys one tick deletes at most (each a UNLINK: freed in the background). */
#define CG_RETENTION_KEYS           64

typedef struct _cg_retention_t cg_retention_t;

/*  Retention of journal: keep_entries below the lowest cursor at least,
    and entries younger than keep_seconds (0: no age rule). */
cg_retention_t *cg_retention_new (cg_redis_t *redis, const char *journal, int64_t keep_entries,
                                  int64_t keep_seconds);

/*  The same from a daemon's configuration: journal/keep_entries,
    journal/keep_seconds and journal/trim_ms; NULL after saying which is
    not a whole number in its range.  Both borrow the connection. */
cg_retention_t *cg_retention_configured (cg_redis_t *redis, const char *journal,
                                         zconfig_t *config);
void cg_retention_destroy (cg_retention_t **self_p);

/*  The journal is read only by readers that do not register: while no
    consumer is registered, its entries are trimmed by keep_entries and by
    age, keeping at least keep_seconds (more when journal/keep_seconds
    says more). */
void cg_retention_readers_only (cg_retention_t *self, int64_t keep_seconds);

/*  Trims once now.  Returns the entries dropped, or -1 when Redis could
    not be asked. */
int64_t cg_retention_trim (cg_retention_t *self);

/*  Deletes the keys of cg:{<journal>}:expiring whose time has come.
    Returns how many, or -1 when Redis could not be asked. */
int64_t cg_retention_expire (cg_retention_t *self);

/*  Trims, and deletes what is due, every journal/trim_ms (cg_config.h:
    its default and range). */
int cg_retention_attach (cg_retention_t *self, zloop_t *loop);

/*  The lowest cursor of the consumers registered on journal, and in
    *consumers how many there are (the cursor is -1 when there are none,
    or when Redis could not be asked: then *consumers is 0 too). */
int64_t cg_journal_lowest_cursor (cg_redis_t *redis, const char *journal, size_t *consumers);

#endif
