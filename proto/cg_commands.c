/*  cg_commands — the table of commands (cg_commands.h). */
#include "cg_commands.h"
#include "cg_messages.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#define S_DEF(ident, wire, owner, req, rep, doc) \
    const cg_cmddef_t cg_cmd_##ident = { wire, owner, &cg_##req##_def, &cg_##rep##_def, doc };
CG_COMMANDS (S_DEF)
#undef S_DEF

#define S_ACTION_DEF(ID, name, from, to, topic, actors, zh) \
    const cg_cmddef_t cg_cmd_case_##name = { "case." #name, "dispatch", &cg_case_act_def, \
                                             &cg_case_view_def, "Dispatch's action " zh \
                                             " (" #name ", docs/DISPATCH.md)." };
CG_CASE_ACTIONS (S_ACTION_DEF)
#undef S_ACTION_DEF

const cg_cmddef_t *const cg_cmddefs[] = {
#define S_REF(ident, wire, owner, req, rep, doc) &cg_cmd_##ident,
    CG_COMMANDS (S_REF)
#undef S_REF
#define S_ACTION_REF(ID, name, from, to, topic, actors, zh) &cg_cmd_case_##name,
    CG_CASE_ACTIONS (S_ACTION_REF)
#undef S_ACTION_REF
};
const size_t cg_cmddefs_count = sizeof cg_cmddefs / sizeof cg_cmddefs[0];

const cg_cmddef_t *
cg_cmddef_find (const char *name, const char *owner)
{
    for (size_t i = 0; name && i < cg_cmddefs_count; i++)
        if (strcmp (cg_cmddefs[i]->name, name) == 0
        &&  (!owner || strcmp (cg_cmddefs[i]->owner, owner) == 0))
            return cg_cmddefs[i];
    return NULL;
}

const cg_cmddef_t *
cg_cmddef_of_action (const cg_case_action_t *action)
{
    /*  the actions' rows follow the table's, in the actions' order */
    size_t first = cg_cmddefs_count - CG_ACTIONS_COUNT;
    assert (action >= cg_case_actions && action < cg_case_actions + CG_ACTIONS_COUNT);
    return cg_cmddefs[first + (size_t) (action - cg_case_actions)];
}

void
cg_cmd_document (FILE *out)
{
    fprintf (out, "# Commands\n\n"
             "Generated from `proto/cg_commands.h` by `civgrid messages`; do not edit.\n\n"
             "A command goes to the daemon that owns it and is answered once "
             "(`common/cg_command.h`); `*` is every daemon.\n\n"
             "| command | owner | request | reply | meaning |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < cg_cmddefs_count; i++) {
        const cg_cmddef_t *c = cg_cmddefs[i];
        fprintf (out, "| `%s` | %s | `%s` | `%s` | %s |\n", c->name, c->owner,
                 c->request->name, c->reply->name, c->doc);
    }
    fprintf (out, "\n");
}
