/*  cg_bus — see cg_bus.h for the contract.

    The subscriber drains what the socket holds (up to a few thousand
    messages) before applying anything, so that under load events reach the
    handler in batches of up to CG_BUS_BATCH and one Lua call applies many.
    Each feed keeps the events it has queued but not applied; the copies are
    freed once the handler has run.

    A hole in a journal's entries right after the cursor means its owner
    trimmed them before this consumer applied them (cg_retention.h): the
    feed stops there (`lost_after` holds the first seq kept after it), says
    so every minute, ignores the bus, and reloads its cursor on each
    catch-up, so that it goes on once an operator has moved the cursor. */
#include "cg_bus.h"
#include "cg_access.h"

#define S_DRAIN_MAX     4096    /* messages read from the socket per wake-up */
#define S_CATCH_UP_MS   1000
#define S_LOST_TELL_MS  60000   /* how often a stopped feed says so again */

/* --- publishing ----------------------------------------------------------- */

struct _cg_pub_t {
    zsock_t *sock;
};

cg_pub_t *
cg_pub_new (const char *endpoint)
{
    cg_pub_t *self = calloc (1, sizeof *self);
    assert (self);
    self->sock = zsock_new (ZMQ_PUB);
    assert (self->sock);
    zsock_set_sndhwm (self->sock, CG_BUS_HWM);
    cg_access_connect (self->sock, endpoint);
    if (zsock_connect (self->sock, "%s", endpoint)) {
        zsys_error ("bus: cannot connect publisher to %s", endpoint);
        cg_pub_destroy (&self);
    }
    return self;
}

void
cg_pub_destroy (cg_pub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zsock_destroy (&(*self_p)->sock);
    free (*self_p);
    *self_p = NULL;
}

void
cg_pub_send (cg_pub_t *self, const char *journal, int64_t seq, const char *topic,
             const void *body, size_t size)
{
    char head[128], num[24];
    int hlen = snprintf (head, sizeof head, "%s/%s", journal, topic);
    int nlen = snprintf (num, sizeof num, "%" PRId64, seq);
    void *sock = zsock_resolve (self->sock);
    /*  PUB never blocks: past the high-water mark it drops, and the journal
        makes up for it. */
    zmq_send (sock, head, (size_t) hlen, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (sock, body, size, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send (sock, num, (size_t) nlen, ZMQ_DONTWAIT);
}

/* --- following journals --------------------------------------------------- */

typedef struct {
    char *journal;
    char cursor_key[128];
    char journal_key[128];
    int64_t cursor;             /* last applied, as far as we know */
    cg_feed_fn *fn;
    void *arg;
    cg_event_t *queued;         /* contiguous events after cursor, owned */
    size_t nqueued;
    size_t batch;               /* events handed to fn at most (CG_BUS_BATCH) */
    int64_t lost_after;         /* stopped: the first seq the journal keeps, else 0 */
    int64_t told_at;            /* when that was last logged, monotonic ms */
} s_feed_t;

struct _cg_sub_t {
    cg_redis_t *redis;
    zsock_t *sock;
    char *consumer;
    s_feed_t *feeds;
    size_t nfeeds;
    cg_cursor_fn *cursor_fn;    /* the consumer keeps its cursors itself */
    void *cursor_arg;
};

void
cg_journal_key (char *buf, size_t len, const char *journal)
{
    snprintf (buf, len, "cg:{%s}:journal", journal);
}

void
cg_cursor_key (char *buf, size_t len, const char *consumer, const char *journal)
{
    snprintf (buf, len, "cg:{%s}:cursor:%s", consumer, journal);
}

void
cg_consumers_key (char *buf, size_t len, const char *journal)
{
    snprintf (buf, len, "cg:{%s}:consumers", journal);
}

void
cg_feed_args (cg_args_t *args, const char *prefix, const char *cursor_key, int64_t cursor,
              const cg_event_t *events, size_t n)
{
    cg_args_init (args);
    cg_args_add_str (args, prefix);
    cg_args_add_str (args, cursor_key);
    cg_args_add_int (args, cursor);
    cg_args_add_int (args, events[n - 1].seq);
}

int64_t
cg_journal_head (cg_redis_t *redis, const char *journal)
{
    redisReply *r = cg_redis_command (redis, "GET cg:{%s}:seq", journal);
    int64_t head = cg_reply_int (r, 0);
    if (r)
        freeReplyObject (r);
    return r ? head : -1;
}

cg_sub_t *
cg_sub_new (cg_redis_t *redis, const char *endpoint, const char *consumer)
{
    return cg_sub_new_bounded (redis, endpoint, consumer, CG_BUS_HWM);
}

cg_sub_t *
cg_sub_new_bounded (cg_redis_t *redis, const char *endpoint, const char *consumer, int queue)
{
    cg_sub_t *self = calloc (1, sizeof *self);
    assert (self);
    self->redis = redis;
    self->consumer = strdup (consumer);
    self->sock = zsock_new (ZMQ_SUB);
    assert (self->sock);
    zsock_set_rcvhwm (self->sock, queue);
    cg_access_connect (self->sock, endpoint);
    if (zsock_connect (self->sock, "%s", endpoint)) {
        zsys_error ("bus: cannot connect subscriber to %s", endpoint);
        cg_sub_destroy (&self);
    }
    return self;
}

static void
s_feed_drop_queue (s_feed_t *feed)
{
    for (size_t i = 0; i < feed->nqueued; i++) {
        free ((char *) feed->queued[i].topic);
        free ((uint8_t *) feed->queued[i].body);
    }
    feed->nqueued = 0;
}

void
cg_sub_destroy (cg_sub_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_sub_t *self = *self_p;
    for (size_t i = 0; i < self->nfeeds; i++) {
        s_feed_drop_queue (&self->feeds[i]);
        free (self->feeds[i].queued);
        free (self->feeds[i].journal);
    }
    free (self->feeds);
    zsock_destroy (&self->sock);
    free (self->consumer);
    free (self);
    *self_p = NULL;
}

void
cg_sub_keep_cursors (cg_sub_t *self, cg_cursor_fn *fn, void *arg)
{
    self->cursor_fn = fn;
    self->cursor_arg = arg;
}

static int
s_feed_load_cursor (cg_sub_t *self, s_feed_t *feed)
{
    if (self->cursor_fn) {
        int64_t cursor = self->cursor_fn (feed->journal, self->cursor_arg);
        if (cursor < 0)
            return -1;
        feed->cursor = cursor;
        return 0;
    }
    redisReply *r = cg_redis_command (self->redis, "GET %s", feed->cursor_key);
    if (!r)
        return -1;
    feed->cursor = cg_reply_int (r, 0);
    freeReplyObject (r);
    return 0;
}

int
cg_sub_follow (cg_sub_t *self, const char *journal, cg_feed_fn *fn, void *arg)
{
    self->feeds = realloc (self->feeds, (self->nfeeds + 1) * sizeof *self->feeds);
    assert (self->feeds);
    s_feed_t *feed = &self->feeds[self->nfeeds++];
    memset (feed, 0, sizeof *feed);
    feed->journal = strdup (journal);
    feed->fn = fn;
    feed->arg = arg;
    feed->batch = CG_BUS_BATCH;
    feed->queued = calloc (feed->batch, sizeof (cg_event_t));
    assert (feed->queued);
    cg_journal_key (feed->journal_key, sizeof feed->journal_key, journal);
    cg_cursor_key (feed->cursor_key, sizeof feed->cursor_key, self->consumer, journal);
    char prefix[64];
    snprintf (prefix, sizeof prefix, "%s/", journal);
    zsock_set_subscribe (self->sock, prefix);
    /*  registered before the cursor is read: from here on the owner keeps
        whatever lies beyond it */
    char key[128];
    cg_consumers_key (key, sizeof key, journal);
    redisReply *r = cg_redis_command (self->redis, "SADD %s %s", key, self->consumer);
    bool registered = r && r->type == REDIS_REPLY_INTEGER;
    if (r)
        freeReplyObject (r);
    if (!registered) {
        zsys_error ("bus: %s cannot register as a consumer of the %s journal", self->consumer,
                    journal);
        return -1;
    }
    return s_feed_load_cursor (self, feed);
}

int
cg_sub_set_batch (cg_sub_t *self, const char *journal, size_t batch)
{
    s_feed_t *feed = NULL;
    for (size_t i = 0; i < self->nfeeds; i++)
        if (streq (self->feeds[i].journal, journal))
            feed = &self->feeds[i];
    if (!feed || batch == 0 || feed->nqueued > 0)
        return -1;
    cg_event_t *queued = realloc (feed->queued, batch * sizeof (cg_event_t));
    if (!queued)
        return -1;
    feed->queued = queued;
    feed->batch = batch;
    return 0;
}

/*  Hands the queued events to the handler and moves the cursor. */
static int
s_feed_flush (cg_sub_t *self, s_feed_t *feed)
{
    if (feed->nqueued == 0)
        return 0;
    int rc = feed->fn (feed->queued, feed->nqueued, feed->cursor, feed->arg);
    if (rc == 0)
        feed->cursor = feed->queued[feed->nqueued - 1].seq;
    else
    if (rc > 0) {
        zsys_warning ("bus: %s cursor on %s had moved; reloading", self->consumer,
                      feed->journal);
        s_feed_load_cursor (self, feed);
    }
    s_feed_drop_queue (feed);
    return rc < 0 ? -1 : 0;
}

static int
s_feed_queue (cg_sub_t *self, s_feed_t *feed, int64_t seq, const char *topic, size_t tlen,
              const void *body, size_t size)
{
    if (feed->nqueued == feed->batch && s_feed_flush (self, feed))
        return -1;
    cg_event_t *e = &feed->queued[feed->nqueued++];
    e->journal = feed->journal;
    e->seq = seq;
    char *t = malloc (tlen + 1);
    uint8_t *b = malloc (size ? size : 1);
    assert (t && b);
    memcpy (t, topic, tlen);
    t[tlen] = 0;
    memcpy (b, body, size);
    e->topic = t;
    e->body = b;
    e->size = size;
    return 0;
}

/*  The journal keeps nothing between the cursor and `first`: the feed
    stops, and says so (again every minute while it stays stopped). */
static void
s_feed_lost (cg_sub_t *self, s_feed_t *feed, int64_t first)
{
    int64_t now = zclock_mono ();
    if (feed->lost_after == first && now - feed->told_at < S_LOST_TELL_MS)
        return;
    zsys_error ("bus: %s has lost events of the %s journal: its cursor is at %lld, the "
                "journal keeps entries from %lld on, so %lld to %lld were trimmed before it "
                "applied them.  It applies nothing more of %s until an operator moves its "
                "cursor (civgrid journal skip %s %s)", self->consumer, feed->journal,
                (long long) feed->cursor, (long long) first, (long long) feed->cursor + 1,
                (long long) first - 1, feed->journal, self->consumer, feed->journal);
    feed->lost_after = first;
    feed->told_at = now;
}

/*  Reads the journal beyond the cursor, a batch at a time, to its head. */
static int64_t
s_feed_catch_up (cg_sub_t *self, s_feed_t *feed)
{
    if (s_feed_flush (self, feed))
        return -1;
    if (feed->lost_after && s_feed_load_cursor (self, feed))
        return -1;
    int64_t stopped_at = feed->lost_after ? feed->cursor : -1;
    int64_t total = 0, head = -1;
    while (!zsys_interrupted) {
        redisReply *r = cg_redis_command (self->redis, "XRANGE %s %lld-0 + COUNT %d",
                                          feed->journal_key, (long long) feed->cursor + 1,
                                          (int) feed->batch);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            if (r)
                freeReplyObject (r);
            return -1;
        }
        size_t got = r->elements;
        int64_t expect = feed->cursor + 1, hole = 0;
        for (size_t i = 0; i < got; i++) {
            redisReply *entry = r->element[i];
            if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
                continue;
            int64_t seq = strtoll (entry->element[0]->str, NULL, 10);
            redisReply *kv = entry->element[1];
            const redisReply *topic = NULL, *body = NULL;
            for (size_t k = 0; k + 1 < kv->elements; k += 2) {
                if (strcmp (kv->element[k]->str, "t") == 0) topic = kv->element[k + 1];
                if (strcmp (kv->element[k]->str, "b") == 0) body = kv->element[k + 1];
            }
            if (seq != expect) {
                hole = seq;     /* what came before it is applied first */
                break;
            }
            expect = seq + 1;
            if (topic && body)
                s_feed_queue (self, feed, seq, topic->str, topic->len, body->str, body->len);
            else
                zsys_error ("bus: entry %lld of the %s journal has no topic or body; "
                            "passed over", (long long) seq, feed->journal);
        }
        freeReplyObject (r);
        int64_t before = feed->cursor;
        if (s_feed_flush (self, feed))
            return -1;
        total += feed->cursor - before;
        if (hole) {
            if (expect == before + 1) {
                s_feed_lost (self, feed, hole);
                return total;
            }
            if (feed->cursor == before)
                break;
            continue;           /* applied up to the hole: meet it at the start */
        }
        if (got == 0) {
            /*  Nothing after the cursor: either it is at the head, or the
                journal was trimmed past it entirely.  The head is read
                first, so that an entry it counts was there for the XRANGE
                that follows (appends move both in one call). */
            if (head >= 0) {
                if (head > feed->cursor) {
                    s_feed_lost (self, feed, head + 1);
                    return total;
                }
                break;
            }
            head = cg_journal_head (self->redis, feed->journal);
            if (head > feed->cursor)
                continue;
            break;
        }
        if (got < feed->batch || feed->cursor == before)
            break;
    }
    if (stopped_at >= 0) {
        zsys_info ("bus: %s goes on with the %s journal from %lld", self->consumer,
                   feed->journal, (long long) stopped_at + 1);
        feed->lost_after = 0;
    }
    return total;
}

int64_t
cg_sub_catch_up (cg_sub_t *self)
{
    int64_t total = 0;
    for (size_t i = 0; i < self->nfeeds; i++) {
        int64_t n = s_feed_catch_up (self, &self->feeds[i]);
        if (n < 0)
            return -1;
        total += n;
    }
    return total;
}

static s_feed_t *
s_feed_for (cg_sub_t *self, const char *head, size_t hlen, size_t *jlen)
{
    const char *slash = memchr (head, '/', hlen);
    if (!slash)
        return NULL;
    *jlen = (size_t) (slash - head);
    for (size_t i = 0; i < self->nfeeds; i++)
        if (strlen (self->feeds[i].journal) == *jlen
        &&  memcmp (self->feeds[i].journal, head, *jlen) == 0)
            return &self->feeds[i];
    return NULL;
}

/*  One event from the bus: a repeat, the next one, or past a gap. */
static void
s_on_event (cg_sub_t *self, zmsg_t *msg)
{
    zframe_t *head = zmsg_first (msg), *body = zmsg_next (msg), *num = zmsg_next (msg);
    if (!head || !body || !num || zmsg_next (msg) || zframe_size (num) >= 24) {
        zsys_warning ("bus: dropped a malformed event (%zu frames)", zmsg_size (msg));
        return;
    }
    size_t jlen;
    s_feed_t *feed = s_feed_for (self, (const char *) zframe_data (head), zframe_size (head),
                                 &jlen);
    if (!feed || feed->lost_after)
        return;                 /* not followed, or stopped until its cursor moves */
    char digits[24];
    memcpy (digits, zframe_data (num), zframe_size (num));
    digits[zframe_size (num)] = 0;
    int64_t seq = strtoll (digits, NULL, 10);
    int64_t next = feed->cursor + (int64_t) feed->nqueued + 1;
    if (seq < next)
        return;                 /* a repeat */
    if (seq > next) {           /* a gap: the journal has what we missed */
        s_feed_catch_up (self, feed);
        return;
    }
    s_feed_queue (self, feed, seq, (const char *) zframe_data (head) + jlen + 1,
                  zframe_size (head) - jlen - 1, zframe_data (body), zframe_size (body));
}

static int
s_on_readable (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    cg_sub_t *self = arg;
    for (int i = 0; i < S_DRAIN_MAX && (zsock_events (sock) & ZMQ_POLLIN); i++) {
        zmsg_t *msg = zmsg_recv (sock);
        if (!msg)
            break;
        s_on_event (self, msg);
        zmsg_destroy (&msg);
    }
    for (size_t i = 0; i < self->nfeeds; i++)
        s_feed_flush (self, &self->feeds[i]);
    return 0;
}

static int
s_on_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    cg_sub_catch_up (arg);
    return 0;
}

int
cg_sub_attach (cg_sub_t *self, zloop_t *loop)
{
    if (zloop_reader (loop, self->sock, s_on_readable, self))
        return -1;
    return zloop_timer (loop, S_CATCH_UP_MS, 0, s_on_timer, self) < 0 ? -1 : 0;
}
