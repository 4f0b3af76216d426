/*  cg_satisfaction — see cg_satisfaction.h.  The table is the rule. */
#include "cg_satisfaction.h"

#include <stddef.h>
#include <string.h>

static const cg_satisfaction_t s_levels[CG_SATISFACTION_LEVELS] = {
    { "satisfied", "满意", '1', true },
    { "basically_satisfied", "基本满意", '2', true },
    { "unsatisfied", "不满意", '3', false },
};

const cg_satisfaction_t *
cg_satisfaction_at (int i)
{
    return i >= 0 && i < CG_SATISFACTION_LEVELS ? &s_levels[i] : NULL;
}

const cg_satisfaction_t *
cg_satisfaction_find (const char *code)
{
    for (int i = 0; code && i < CG_SATISFACTION_LEVELS; i++)
        if (strcmp (code, s_levels[i].code) == 0)
            return &s_levels[i];
    return NULL;
}

const cg_satisfaction_t *
cg_satisfaction_parse (const char *text)
{
    if (!text)
        return NULL;
    while (*text == ' ' || *text == '\t' || *text == '\r' || *text == '\n')
        text++;
    size_t len = strlen (text);
    while (len && strchr (" \t\r\n", text[len - 1]))
        len--;
    for (int i = 0; i < CG_SATISFACTION_LEVELS; i++) {
        const cg_satisfaction_t *s = &s_levels[i];
        if ((len == 1 && *text == s->digit)
        ||  (len == strlen (s->code) && strncmp (text, s->code, len) == 0)
        ||  (len == strlen (s->zh) && strncmp (text, s->zh, len) == 0))
            return s;
    }
    return NULL;
}
