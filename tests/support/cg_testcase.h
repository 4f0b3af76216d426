/*  cg_testcase — dispatch's cases in tests: one case as case.show gives
    it, and the test clock that dispatch's timers run on. */
#ifndef CG_TESTCASE_H_INCLUDED
#define CG_TESTCASE_H_INCLUDED

#include "cg_testenv.h"

/*  The case with its timeline (clear it with cg_msg_clear); fails the test
    when dispatch refuses. */
cg_case_view_t cg_testcase_show (cg_teststack_t *stack, const char *id);

/*  Sets the test clock (cg:{clock}:now, read by daemons started with
    --set clock/test=1) to ms. */
void cg_testclock_set (cg_teststack_t *stack, int64_t ms);

#endif
