/*  cg_testcli — the CLI in tests, with its exit code and output checked:
    a test reads as the commands an operator would type. */
#ifndef CG_TESTCLI_H_INCLUDED
#define CG_TESTCLI_H_INCLUDED

#include "cg_testenv.h"

/*  Runs `civgrid ARGS` against the stack, fails the test unless it exits
    with want, and returns its output (free it). */
char *cg_testcli (cg_teststack_t *stack, int want, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  The same, and fails the test unless the output holds words. */
void cg_testcli_says (cg_teststack_t *stack, int want, const char *words, const char *fmt, ...)
    __attribute__ ((format (printf, 4, 5)));

/*  `civgrid submit ARGS`: the id of the case it made, once dispatch has
    it (free it); fails the test when the CLI fails or dispatch has not
    the case within 60 s. */
char *cg_testcli_submit (cg_teststack_t *stack, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

#endif
