/*  cg_ids — case ids, unique across processes and restarts.

    A daemon reserves a block of numbers at a time with one INCRBY on a
    counter in Redis and hands them out from memory, so an id costs no round
    trip.  Numbers of a block not used before a restart are skipped, never
    given twice.  Ids read "CG" + 10 digits: short enough to say on the
    phone to a hotline operator. */
#ifndef CG_IDS_H_INCLUDED
#define CG_IDS_H_INCLUDED

#include "cg_redis.h"

typedef struct _cg_ids_t cg_ids_t;

cg_ids_t *cg_ids_new (cg_redis_t *redis, const char *counter_key, int block);
void cg_ids_destroy (cg_ids_t **self_p);
/*  Writes the next id into buf; -1 when Redis cannot be reached. */
int cg_ids_next (cg_ids_t *self, char *buf, size_t len);

#endif
