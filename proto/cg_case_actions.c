/*  cg_case_actions — the table of dispatch's actions (cg_case_actions.h). */
#include "cg_case_actions.h"

#include <string.h>

const cg_case_action_t cg_case_actions[] = {
#define S_ROW(ID, name, from, to, topic, actors, zh) \
    { CG_ACTION_##ID, #name, from, to, topic, actors, zh },
    CG_CASE_ACTIONS (S_ROW)
#undef S_ROW
};

const cg_case_action_t *
cg_case_action_find (const char *name)
{
    for (size_t i = 0; name && i < CG_ACTIONS_COUNT; i++)
        if (strcmp (cg_case_actions[i].name, name) == 0)
            return &cg_case_actions[i];
    return NULL;
}
