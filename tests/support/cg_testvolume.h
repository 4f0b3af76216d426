/*  cg_testvolume — a center's hundredth day in tests: many cases whose
    texts are what a 12345 hotline really writes.

    cg_testtext makes such a text: 800–2,000 bytes (or any bounds) of
    Chinese, clauses of the complaints a hotline takes down, and in some
    of them the control characters that come with text pasted from Word
    (\r\n, a tab, Word's manual line break \v and page break \f, no-break
    and ideographic spaces, a zero-width space, a soft hyphen, curly
    quotes).  It is deterministic from its seed, so a failing test runs
    again the same.

    cg_testvolume_submit sends cases to intake as case.submit (the
    operator's channel: never merged into another case), many in flight
    on one DEALER so that intake takes them in batches, and waits until
    dispatch has routed each of them. */
#ifndef CG_TESTVOLUME_H_INCLUDED
#define CG_TESTVOLUME_H_INCLUDED

#include "cg_testenv.h"

/*  Writes a text of min..max bytes, whole UTF-8 characters, into out (at
    least max + 1 bytes): the same for the same seed; one seed in four
    has Word's control characters.  Returns its length. */
size_t cg_testtext (uint64_t seed, size_t min, size_t max, char *out);

/*  The grids of a node of the org tree (deploy/demo/orgtree.tsv) and
    below, into a new array of codes (free the array, not the codes,
    with cg_testvolume_grids_free); count in *n. */
char **cg_testvolume_grids (const char *node, size_t *n);
void cg_testvolume_grids_free (char ***grids_p, size_t n);

/*  Submits n cases spread over grids, texts of 800–2,000 bytes from seeds
    seed, seed + 1, ..., each with the marker "<tag>-<k>" at the start of
    its text (k from 0), and waits (up to timeout_ms) until dispatch has
    every one in its queue of all cases.  Writes the case ids in order
    into ids (n of them, each malloc'd) when ids is not NULL.  Fails the
    test when one is refused or does not arrive. */
void cg_testvolume_submit (cg_teststack_t *stack, char **grids, size_t ngrids, size_t n,
                           uint64_t seed, const char *tag, char **ids, int timeout_ms);

#endif
