/*  dispatch — the CLI's commands of the case state machine: one per
    action of services/dispatch/machine.c, each sent as case.<action>.

        civgrid ACTION ID [--actor ROLE:SCOPE[:NAME]] [--note WHY]
                [--unit CODE] [--minutes N] [--satisfied yes|no] [--into ID]

    The actor defaults to operator:$USER (the whole tree). */
#include "cli.h"

static const char *const s_actions[] = {
    "dispatch", "transfer", "return", "return_approve", "return_refuse", "extend",
    "extend_approve", "extend_refuse", "suspend", "resume", "callback", "reopen", "merge",
    "reject", "escalate", NULL
};

void
cli_dispatch_usage (void)
{
    fprintf (stderr,
        "  dispatch|transfer ID --unit U | return ID --note WHY | return_approve ID --unit U\n"
        "  return_refuse|suspend|resume|reopen|escalate ID | reject ID --note WHY\n"
        "  extend ID --minutes N | extend_approve|extend_refuse ID\n"
        "  callback ID --satisfied yes|no | merge ID --into OTHER\n"
        "      (each with [--actor ROLE:SCOPE[:NAME]] [--note WHY])\n");
}

int
cli_dispatch (cli_args_t *args)
{
    const char *action = args->words[0];
    int known = 0;
    while (s_actions[known] && strcmp (s_actions[known], action) != 0)
        known++;
    if (!s_actions[known] || args->nwords < 2)
        return 2;
    const char *user = getenv ("USER");
    char actor[80], command[48];
    snprintf (actor, sizeof actor, "operator:%s", user ? user : "cli");
    snprintf (command, sizeof command, "case.%s", action);
    cg_case_act_t req = { .id = (char *) args->words[1],
                          .actor = (char *) cli_opt (args, "actor", actor),
                          .note = (char *) cli_opt (args, "note", NULL),
                          .unit = (char *) cli_opt (args, "unit", NULL),
                          .minutes = atoll (cli_opt (args, "minutes", "0")),
                          .satisfied = strcmp (cli_opt (args, "satisfied", "no"), "yes") == 0,
                          .into = (char *) cli_opt (args, "into", NULL) };
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    cg_client_t *client = cli_client (config, "dispatch");
    zconfig_destroy (&config);
    if (!client)
        return 1;
    cg_case_view_t view;
    cg_error_t err;
    int rc = cg_client_call (client, command, &cg_case_act_def, &req, &cg_case_view_def,
                             &view, &err);
    cg_client_destroy (&client);
    if (rc)
        return cli_fail (&err);
    return cli_print_view (args, &view);
}
