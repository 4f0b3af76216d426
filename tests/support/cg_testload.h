/*  cg_testload — a center's hundredth day in tests: many cases whose
    texts are what a 12345 hotline really writes.  It fails no test of
    its own (it answers -1 with the reason), so that both the tests and the
    loader the browser test runs (tests/volume) use it.

    The texts are cg_sample's (common/cg_sample.h) of 800 to 2,000 bytes:
    Chinese as a hotline writes it, some of it pasted from Word.

    cg_testload_submit sends cases to intake as case.submit (the
    operator's channel: never merged into another case), many in flight
    on one DEALER so that intake takes them in batches, and waits until
    dispatch has routed each of them. */
#ifndef CG_TESTLOAD_H_INCLUDED
#define CG_TESTLOAD_H_INCLUDED

#include "cg_redis.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*  The grids of a node of the org tree at orgtree_path (the demo's:
    deploy/demo/orgtree.tsv) and below, skipping those whose code begins
    with `except` (may be NULL), into a new array of codes; count in *n.
    NULL with the reason in err when the node is not there or has none. */
char **cg_testload_grids (const char *orgtree_path, const char *node, const char *except,
                          size_t *n, char *err, size_t errlen);
void cg_testload_grids_free (char ***grids_p, size_t n);

/*  Submits n cases spread over grids to intake at endpoint, texts of
    800–2,000 bytes from seeds seed, seed + 1, ..., each with the marker
    "<tag>-<k>" at the start of its text (k from 0), many in flight, and
    waits (up to timeout_ms in all) until dispatch's queue of all cases in
    redis has grown by n.  Writes the case ids in order into ids (n of
    them, each malloc'd) when ids is not NULL.  Returns 0, or -1 with the
    reason in err (a request refused, an answer or a case that did not
    come in time). */
int cg_testload_submit (const char *endpoint, cg_redis_t *redis, char **grids, size_t ngrids,
                        size_t n, uint64_t seed, const char *tag, char **ids, int timeout_ms,
                        char *err, size_t errlen);

#endif
