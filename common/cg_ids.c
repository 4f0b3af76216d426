/*  cg_ids — see cg_ids.h. */
#include "cg_ids.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <assert.h>

struct _cg_ids_t {
    cg_redis_t *redis;
    char *key;
    int block;
    int64_t next, last;         /* the block in hand: next..last */
};

cg_ids_t *
cg_ids_new (cg_redis_t *redis, const char *counter_key, int block)
{
    cg_ids_t *self = calloc (1, sizeof *self);
    assert (self);
    self->redis = redis;
    self->key = strdup (counter_key);
    self->block = block > 0 ? block : 1;
    self->next = 1;
    return self;
}

void
cg_ids_destroy (cg_ids_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free ((*self_p)->key);
    free (*self_p);
    *self_p = NULL;
}

int
cg_ids_next (cg_ids_t *self, char *buf, size_t len)
{
    if (self->next > self->last) {
        redisReply *r = cg_redis_command (self->redis, "INCRBY %s %d", self->key, self->block);
        if (!r || r->type != REDIS_REPLY_INTEGER) {
            if (r)
                freeReplyObject (r);
            return -1;
        }
        self->last = r->integer;
        self->next = r->integer - self->block + 1;
        freeReplyObject (r);
    }
    snprintf (buf, len, "CG%010" PRId64, self->next++);
    return 0;
}
