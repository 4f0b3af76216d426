/*  cg_bus — events between daemons, with nothing lost and nothing doubled.

    ZeroMQ is the fast path and Redis is the truth (DESIGN.md §3).  A daemon
    first commits a state change together with its journal entry (one Lua
    call), then publishes the entry on the bus with cg_pub_send.  On the
    wire an event is three frames:

        "<journal>/<topic>"   e.g. "dispatch/case.dispatched"
        body                  the msgpack message
        "<seq>"               its sequence number in that journal, decimal

    A subscriber follows whole journals (it subscribes to the prefix
    "<journal>/"), because sequence numbers are per journal: it must see
    every entry to know it has missed none.  For each journal it follows, a
    cg_sub_t keeps a feed with the consumer's cursor, the last sequence
    number it applied, which lives in Redis at cg:{consumer}:cursor:<journal>
    and moves in the same Lua call as the state change it causes.  So:
    - seq at or below the cursor: a repeat, dropped;
    - seq just above it: queued, and applied in batches;
    - seq further on: a gap (a lost publish, a restart); the feed reads the
      missing entries from the journal in Redis (XRANGE) and goes on;
    - on start and every second the feed reads whatever the journal holds
      beyond its cursor, so even a silent bus loses nothing.
    The consumer's handler applies a batch and moves the cursor atomically,
    with the cursor it was given as the expected value: if another process
    moved it first, the handler changes nothing and the feed reloads.

    Following a journal registers the consumer in cg:{journal}:consumers,
    so that the journal's owner trims only what every consumer has applied
    (cg_retention.h).  A feed whose cursor is below the first entry the
    journal still keeps (a consumer new to an old journal, or one that was
    unregistered) has lost events: it stops on that journal, saying so in
    the log with the first kept seq, and goes on only when an operator
    moves its cursor (`civgrid journal skip`); it never skips by itself.
*/
#ifndef CG_BUS_H_INCLUDED
#define CG_BUS_H_INCLUDED

#include <czmq.h>
#include "cg_redis.h"

#define CG_BUS_BATCH    512     /* events applied in one Lua call at most */
/*  Messages a bus socket holds for a peer that is behind (publisher, broker
    and subscriber alike).  What ZeroMQ drops beyond it is no loss: the
    subscriber sees the gap and reads the entries from the journal.  So the
    mark only bounds memory; 10,000 events of about 300 bytes is a few MiB
    a socket, where 100,000 let the broker grow past 500 MiB when
    subscribers fell behind under load. */
#define CG_BUS_HWM      10000

typedef struct {
    const char *journal;
    int64_t seq;
    const char *topic;
    const uint8_t *body;
    size_t size;
} cg_event_t;

/* --- publishing ----------------------------------------------------------- */

typedef struct _cg_pub_t cg_pub_t;

cg_pub_t *cg_pub_new (const char *endpoint);
void cg_pub_destroy (cg_pub_t **self_p);
void cg_pub_send (cg_pub_t *self, const char *journal, int64_t seq, const char *topic,
                  const void *body, size_t size);

/* --- following journals --------------------------------------------------- */

/*  Apply events[0..n) and move the cursor from `cursor` to events[n-1].seq
    in one atomic call.  Returns 0 when applied, 1 when the cursor was not at
    `cursor` (nothing applied), -1 when it could not be done now (the feed
    tries again on its next catch-up). */
typedef int (cg_feed_fn) (const cg_event_t *events, size_t n, int64_t cursor, void *arg);

typedef struct _cg_sub_t cg_sub_t;

cg_sub_t *cg_sub_new (cg_redis_t *redis, const char *endpoint, const char *consumer);

/*  The same, holding at most queue events received and not yet applied
    (ZeroMQ's receive high-water mark; cg_sub_new holds CG_BUS_HWM).  A
    consumer that falls behind holds no more: what the bus could not hand
    it, it reads from the journal when it gets there. */
cg_sub_t *cg_sub_new_bounded (cg_redis_t *redis, const char *endpoint, const char *consumer,
                              int queue);
void cg_sub_destroy (cg_sub_t **self_p);

/*  A consumer that keeps its cursors itself rather than at
    cg:{consumer}:cursor:<journal> (the archive commits them in SQLite with
    the data they cover): fn answers the cursor of a journal, or -1 when it
    cannot be read.  Call before cg_sub_follow.  The consumer's handler then
    moves its own cursor; it may copy it to the Redis key after, so that
    the journal's owner trims up to it (cg_retention.h). */
typedef int64_t (cg_cursor_fn) (const char *journal, void *arg);
void cg_sub_keep_cursors (cg_sub_t *self, cg_cursor_fn *fn, void *arg);

/*  Follow a journal: subscribe to it and load the cursor. */
int cg_sub_follow (cg_sub_t *self, const char *journal, cg_feed_fn *fn, void *arg);

/*  Hands the handler of a followed journal up to `batch` events at once
    instead of CG_BUS_BATCH, live and in catch-up alike: for a handler that
    splits a batch into calls of its own and pipelines them, so that a
    backlog keeps Redis busy across more of it.  Returns 0, or -1 when the
    journal is not followed, batch is 0 or events are queued. */
int cg_sub_set_batch (cg_sub_t *self, const char *journal, size_t batch);

/*  Register the socket and the catch-up timer on a loop. */
int cg_sub_attach (cg_sub_t *self, zloop_t *loop);

/*  Read every journal to its head now.  Returns events applied, or -1. */
int64_t cg_sub_catch_up (cg_sub_t *self);

/*  Starts the arguments of a feed handler's script as every consumer's
    script reads them (cursor_advance in prelude.lua): the consumer's key
    prefix, its cursor key, the cursor it was given and the cursor after
    the batch (the last event's seq). */
void cg_feed_args (cg_args_t *args, const char *prefix, const char *cursor_key, int64_t cursor,
                   const cg_event_t *events, size_t n);

/*  Key names shared by daemons and tests. */
void cg_journal_key (char *buf, size_t len, const char *journal);
void cg_cursor_key (char *buf, size_t len, const char *consumer, const char *journal);
void cg_consumers_key (char *buf, size_t len, const char *journal);

/*  The head of a journal: the last sequence number given out. */
int64_t cg_journal_head (cg_redis_t *redis, const char *journal);

#endif
