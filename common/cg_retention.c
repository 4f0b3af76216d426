/*  cg_retention — see cg_retention.h.

    A trim reads the registered consumers and their cursors (plain reads
    outside the script, since each cursor lives in its consumer's keyspace),
    then calls journal_trim with the lowest.  Cursors only move forward, so
    a cursor that moves between the read and the trim only makes the trim
    keep more than it had to. */
#include "cg_retention.h"
#include "cg_bus.h"
#include "cg_clock.h"
#include "cg_config.h"

struct _cg_retention_t {
    cg_redis_t *redis;
    char *journal;
    int64_t keep_entries;
    int64_t keep_ms;
    int trim_ms;                /* how often cg_retention_attach trims */
    bool told_unregistered;     /* said once that no one is registered */
    bool readers_only;          /* trimmed by age when no one is registered */
};

cg_retention_t *
cg_retention_new (cg_redis_t *redis, const char *journal, int64_t keep_entries,
                  int64_t keep_seconds)
{
    cg_retention_t *self = calloc (1, sizeof *self);
    assert (self);
    self->redis = redis;
    self->journal = strdup (journal);
    self->keep_entries = keep_entries > 0 ? keep_entries : 0;
    self->keep_ms = keep_seconds > 0 ? keep_seconds * 1000 : 0;
    int64_t trim_ms;            /* journal/trim_ms's default (cg_config.h) */
    cg_config_int (NULL, NULL, "journal/trim_ms", &trim_ms, NULL, 0);
    self->trim_ms = (int) trim_ms;
    return self;
}

cg_retention_t *
cg_retention_configured (cg_redis_t *redis, const char *journal, zconfig_t *config)
{
    int64_t entries, seconds, trim_ms;
    char err[300];
    if (cg_config_int (config, NULL, "journal/keep_entries", &entries, err, sizeof err)
        || cg_config_int (config, NULL, "journal/keep_seconds", &seconds, err, sizeof err)
        || cg_config_int (config, NULL, "journal/trim_ms", &trim_ms, err, sizeof err)) {
        zsys_error ("retention: %s", err);
        return NULL;
    }
    cg_retention_t *self = cg_retention_new (redis, journal, entries, seconds);
    self->trim_ms = (int) trim_ms;
    return self;
}

void
cg_retention_destroy (cg_retention_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->journal);
    free (*self_p);
    *self_p = NULL;
}

void
cg_retention_readers_only (cg_retention_t *self, int64_t keep_seconds)
{
    self->readers_only = true;
    if (keep_seconds * 1000 > self->keep_ms)
        self->keep_ms = keep_seconds * 1000;
}

int64_t
cg_journal_lowest_cursor (cg_redis_t *redis, const char *journal, size_t *consumers)
{
    *consumers = 0;
    char key[128];
    cg_consumers_key (key, sizeof key, journal);
    redisReply *r = cg_redis_command (redis, "SMEMBERS %s", key);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    int64_t lowest = -1;
    size_t n = 0;
    for (size_t i = 0; i < r->elements; i++) {
        cg_cursor_key (key, sizeof key, r->element[i]->str, journal);
        redisReply *c = cg_redis_command (redis, "GET %s", key);
        if (!c || c->type == REDIS_REPLY_ERROR) {
            if (c)
                freeReplyObject (c);
            freeReplyObject (r);
            return -1;
        }
        int64_t cursor = cg_reply_int (c, 0);
        freeReplyObject (c);
        if (lowest < 0 || cursor < lowest)
            lowest = cursor;
        n++;
    }
    freeReplyObject (r);
    *consumers = n;
    return lowest;
}

int64_t
cg_retention_trim (cg_retention_t *self)
{
    size_t consumers;
    int64_t lowest = cg_journal_lowest_cursor (self->redis, self->journal, &consumers);
    if (lowest < 0 && consumers == 0) {
        /*  no one registered (or Redis did not answer): trim nothing, but
            let the script say whether there is a journal to speak of;
            a journal of readers only counts as applied to its head (the
            script takes the head for a higher lowest), kept by age */
        lowest = self->readers_only && self->keep_ms > 0 ? INT64_MAX : 0;
    }
    cg_args_t args;
    cg_args_init (&args);
    cg_args_addf (&args, "cg:{%s}:seq", self->journal);
    cg_args_addf (&args, "cg:{%s}:journal", self->journal);
    cg_args_addf (&args, "cg:{%s}:journal:marks", self->journal);
    cg_args_add_int (&args, cg_clock_now ());
    cg_args_add_int (&args, lowest);
    cg_args_add_int (&args, self->keep_entries);
    cg_args_add_int (&args, self->keep_ms);
    cg_args_add_int (&args, CG_RETENTION_LIMIT);
    redisReply *r = cg_redis_script (self->redis, "journal_trim", 3, &args);
    cg_args_free (&args);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        zsys_warning ("retention: cannot trim the %s journal: %s", self->journal,
                      r ? cg_reply_str (r) : "Redis does not answer");
        if (r)
            freeReplyObject (r);
        return -1;
    }
    int64_t dropped = r->element[0]->integer, head = r->element[2]->integer;
    freeReplyObject (r);
    if (consumers == 0 && head > 0 && !self->told_unregistered && !self->readers_only) {
        zsys_info ("retention: no consumer is registered in cg:{%s}:consumers; "
                   "the %s journal is kept whole", self->journal, self->journal);
        self->told_unregistered = true;
    }
    if (consumers > 0)
        self->told_unregistered = false;
    return dropped;
}

int64_t
cg_retention_expire (cg_retention_t *self)
{
    cg_args_t args;
    cg_args_init (&args);
    cg_args_addf (&args, "cg:{%s}:expiring", self->journal);
    cg_args_add_int (&args, cg_clock_now ());
    cg_args_add_int (&args, CG_RETENTION_KEYS);
    redisReply *r = cg_redis_script (self->redis, "keys_expire", 1, &args);
    cg_args_free (&args);
    int64_t deleted = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (deleted < 0)
        zsys_warning ("retention: cannot delete the %s keys that are due: %s", self->journal,
                      r ? cg_reply_str (r) : "Redis does not answer");
    if (r)
        freeReplyObject (r);
    return deleted;
}

static int
s_on_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    cg_retention_trim (arg);
    cg_retention_expire (arg);
    return 0;
}

int
cg_retention_attach (cg_retention_t *self, zloop_t *loop)
{
    return zloop_timer (loop, (size_t) self->trim_ms, 0, s_on_timer, self) < 0 ? -1 : 0;
}
