/*  cg_testload — a center's hundredth day in tests: many cases whose
    texts are what a 12345 hotline really writes.  It fails no test of
    its own (it answers -1 with the reason), so that both the tests and the
    loader the browser test runs (tests/volume) use it.

    cg_testtext makes such a text: 800–2,000 bytes (or any bounds) of
    Chinese, clauses of the complaints a hotline takes down, and in some
    of them the control characters that come with text pasted from Word
    (\r\n, a tab, Word's manual line break \v and page break \f, no-break
    and ideographic spaces, a zero-width space, a soft hyphen, curly
    quotes).  It is deterministic from its seed, so a failing test runs
    again the same.

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

/*  Writes a text of min..max bytes, whole UTF-8 characters, into out (at
    least max + 1 bytes): the same for the same seed; one seed in four
    has Word's control characters.  Returns its length. */
size_t cg_testtext (uint64_t seed, size_t min, size_t max, char *out);

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
