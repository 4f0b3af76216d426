/*  cg_case_state — the states of a case and their classes (cg_case_state.h).
    The lists by class are built from CG_CASE_STATES once, on first use,
    for the 16 combinations of classes (pthread_once: the gateway asks from
    its HTTP threads). */
#include "cg_case_state.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *name;
    int classes;
    const char *zh;
} s_state_t;

#define S_ROW(name, classes, meaning, zh) { #name, classes, zh },
static const s_state_t s_states[] = { CG_CASE_STATES (S_ROW) };
#undef S_ROW
#define S_NSTATES (sizeof s_states / sizeof s_states[0])

static const s_state_t *
s_find (const char *state)
{
    if (state && !*state)
        return &s_states[0];
    for (size_t i = 0; state && i < S_NSTATES; i++)
        if (strcmp (s_states[i].name, state) == 0)
            return &s_states[i];
    return NULL;
}

bool
cg_case_state_is (const char *state, int classes)
{
    const s_state_t *s = s_find (state);
    return s && (s->classes & classes) == classes;
}

bool
cg_case_state_known (const char *state)
{
    return state && *state && s_find (state);
}

const char *
cg_case_state_zh (const char *state)
{
    const s_state_t *s = state && *state ? s_find (state) : NULL;
    return s ? s->zh : "办理中";
}

static char s_lists[16][128];
static pthread_once_t s_built = PTHREAD_ONCE_INIT;

/*  "received" is intake's state, never one dispatch stores: the lists are
    of the states an action of dispatch may start from. */
static void
s_build (void)
{
    for (int classes = 0; classes < 16; classes++) {
        char *out = s_lists[classes];
        for (size_t i = 1; i < S_NSTATES; i++)
            if ((s_states[i].classes & classes) == classes)
                snprintf (out + strlen (out), sizeof s_lists[0] - strlen (out), "%s%s",
                          *out ? " " : "", s_states[i].name);
    }
}

const char *
cg_case_states (int classes)
{
    pthread_once (&s_built, s_build);
    return s_lists[classes & 15];
}
