/*  test_commands - proto's table of commands (proto/cg_commands.h), the one
    definition daemons serve by and clients send by (issue 16, "write each
    rule once"): each command goes to a daemon that exists, is named once
    per daemon, can be retried without being done twice, and every action
    of dispatch's table is a command with the action's name. */
#include "cg_commands.h"
#include "cg_access.h"
#include "cg_messages.h"

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

static bool
s_has_field (const cg_msgdef_t *def, const char *key)
{
    for (size_t i = 0; i < def->nfields; i++)
        if (strcmp (def->fields[i].key, key) == 0)
            return true;
    return false;
}

Test (commands, each_goes_to_a_daemon_of_the_access_table)
{
    for (size_t i = 0; i < cg_cmddefs_count; i++) {
        const cg_cmddef_t *c = cg_cmddefs[i];
        bool known = strcmp (c->owner, CG_OWNER_ANY) == 0;
        for (size_t r = 0; r < cg_access_rules_count && !known; r++)
            known = strcmp (cg_access_rules[r].name, c->owner) == 0;
        cr_assert (known, "%s is owned by %s, which is no daemon of cg_access_rules", c->name,
                   c->owner);
        cr_assert (c->doc && *c->doc, "%s has no doc", c->name);
    }
}

Test (commands, a_name_is_served_once_by_each_daemon)
{
    for (size_t i = 0; i < cg_cmddefs_count; i++)
        for (size_t j = i + 1; j < cg_cmddefs_count; j++)
            cr_assert (strcmp (cg_cmddefs[i]->name, cg_cmddefs[j]->name) != 0
                       || strcmp (cg_cmddefs[i]->owner, cg_cmddefs[j]->owner) != 0,
                       "%s of %s twice", cg_cmddefs[i]->name, cg_cmddefs[i]->owner);
    /*  the one name two daemons serve: the archive answers for the cases
        dispatch no longer has */
    cr_assert_eq (cg_cmddef_find ("case.show", "dispatch"), &cg_cmd_case_show);
    cr_assert_eq (cg_cmddef_find ("case.show", "archive"), &cg_cmd_archive_case_show);
    cr_assert_null (cg_cmddef_find ("case.show", "fund"));
    cr_assert_null (cg_cmddef_find ("case.frobnicate", NULL));
}

Test (commands, every_request_carries_a_request_id_so_a_retry_is_not_done_twice)
{
    for (size_t i = 0; i < cg_cmddefs_count; i++) {
        const cg_cmddef_t *c = cg_cmddefs[i];
        cr_assert (s_has_field (c->request, "rid"), "%s's request (%s) has no rid", c->name,
                   c->request->name);
        cr_assert_str_eq (c->request->kind, "command", "%s takes %s, a %s", c->name,
                          c->request->name, c->request->kind);
        /*  an answer may be an event's message (topic.retry answers the
            task as topic.task tells it), never another command */
        cr_assert_str_neq (c->reply->kind, "command", "%s answers %s, a command", c->name,
                           c->reply->name);
    }
}

Test (commands, every_action_of_dispatch_is_a_command_of_its_name)
{
    for (size_t i = 0; i < CG_ACTIONS_COUNT; i++) {
        const cg_case_action_t *a = &cg_case_actions[i];
        const cg_cmddef_t *c = cg_cmddef_of_action (a);
        char name[48];
        snprintf (name, sizeof name, "case.%s", a->name);
        cr_assert_str_eq (c->name, name);
        cr_assert_str_eq (c->owner, "dispatch");
        cr_assert_eq (c->request, &cg_case_act_def);
        cr_assert_eq (c->reply, &cg_case_view_def);
        cr_assert_eq (cg_cmddef_find (name, "dispatch"), c);
    }
    cr_assert_eq (cg_cmddef_of_action (cg_case_action_find ("accept")), &cg_cmd_case_accept);
}

Test (commands, the_reference_lists_each_with_its_owner_and_messages)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&text, &size);
    cg_cmd_document (out);
    fclose (out);
    cr_assert (strstr (text, "| `fund.verify` | fund | `fund.get` | `fund.verified` |"), "%s",
               text);
    cr_assert (strstr (text, "| `case.accept` | dispatch | `case.act` | `case.view` |"));
    cr_assert (strstr (text, "| `case.show` | archive | `case.get` | `case.view` |"));
    free (text);
}
