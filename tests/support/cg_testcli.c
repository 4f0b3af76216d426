/*  cg_testcli — see cg_testcli.h. */
#include "cg_testcli.h"

#include <criterion/criterion.h>
#include <stdarg.h>

static char *
s_run (cg_teststack_t *stack, int want, const char *args)
{
    char *out = NULL;
    int rc = cg_teststack_cli (stack, &out, "%s", args);
    cr_assert_eq (rc, want, "civgrid %s: exit %d, want %d:\n%s", args, rc, want, out);
    return out;
}

char *
cg_testcli (cg_teststack_t *stack, int want, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (args, sizeof args, fmt, ap);
    va_end (ap);
    return s_run (stack, want, args);
}

void
cg_testcli_says (cg_teststack_t *stack, int want, const char *words, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (args, sizeof args, fmt, ap);
    va_end (ap);
    char *out = s_run (stack, want, args);
    cr_assert (strstr (out, words), "civgrid %s: \"%s\" lacks \"%s\"", args, out, words);
    free (out);
}
