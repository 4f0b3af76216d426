/*  cg_testcase — dispatch's cases in tests: one case as case.show gives
    it, and the test clock that dispatch's timers run on. */
#ifndef CG_TESTCASE_H_INCLUDED
#define CG_TESTCASE_H_INCLUDED

#include "cg_testenv.h"
#include "cg_orgtree.h"

/*  The case with its timeline (clear it with cg_msg_clear); fails the test
    when dispatch refuses. */
cg_case_view_t cg_testcase_show (cg_teststack_t *stack, const char *id);

/*  Accepts, resolves and closes a case (waiting up to 30 s for dispatch to
    have it), as its unit and its center would; fails the test when
    dispatch refuses a step. */
void cg_testcase_close (cg_teststack_t *stack, cg_client_t *dispatch, const char *id);

/*  A hotline order (source hotline, category noise, a grid of the demo
    region) with the hotline's own reference ext_ref, as intake takes it:
    true with the case id heard in id and whether it was a repeat, false
    when intake gave no answer. */
bool cg_testcase_order (cg_client_t *intake, const char *ext_ref, const char *text, char *id,
                        size_t len, bool *repeat);

/*  Sets the test clock (cg:{clock}:now, read by daemons started with
    --set clock/test=1) to ms. */
void cg_testclock_set (cg_teststack_t *stack, int64_t ms);

/*  Every grid of the demo region, in the file's order: tests that need
    requests intake must not merge give each its own grid. */
typedef struct {
    cg_orgtree_t *org;
    const char *grids[9000];
    size_t ngrids;
} cg_testgrids_t;

/*  Loads deploy/demo/orgtree.tsv into g (fails the test when it cannot);
    free with cg_orgtree_destroy (&g->org). */
void cg_testgrids_load (cg_testgrids_t *g);

#endif
