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

char *
cg_testcli_submit (cg_teststack_t *stack, const char *fmt, ...)
{
    char args[4096] = "submit ";
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (args + strlen (args), sizeof args - strlen (args), fmt, ap);
    va_end (ap);
    char *out = s_run (stack, 0, args);
    char id[40] = "";
    sscanf (out, "%39s", id);
    free (out);
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "EXISTS cg:{dispatch}:case:%s", id), 1,
                  "%s was not dispatched", id);
    return strdup (id);
}
