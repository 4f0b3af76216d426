/*  civgrid — the command line of an operator or an administrator.

        civgrid stack up|down|status        the local system
        civgrid submit ...                  a request, as any channel would
        civgrid hotline|alarm ...           a hotline order, a device alarm
        civgrid intake show ID              who reported a case
        civgrid case show|list ...          cases
        civgrid accept|resolve|close ID     move a case on
        civgrid transfer|return|... ID      the rest of the state machine (dispatch.c)
        civgrid inbox UNIT                  a unit's in-app inbox
        civgrid topic ...                   consultation topics (services/cli/topic.c)
        civgrid token create|list|revoke    the gateway's API tokens
        civgrid notify ...                  notification rules, log, dead letters
        civgrid journal [skip|forget] ...   journals, their consumers and retention
        civgrid key add|list|remove ...     CURVE keys of client programs (cg_access.h)
        civgrid secret rotate|backup|restore  a hotline's secret, the stack's secrets
        civgrid user add|disable|reset|totp|list  operators' accounts
        civgrid backup|restore DIR          a running stack's state, into an empty folder
        civgrid migrate                     an older store to this release's layout
        civgrid messages                    the message reference (Markdown)

    Which handler serves which command, and the options each takes, is one
    table: services/cli/commands.c.  `civgrid COMMAND --help` prints them. */
#include "cli.h"
#include "cg_access.h"

int
main (int argc, char **argv)
{
    zsys_init ();
    zsys_set_logstream (stderr);
    cli_args_t args;
    int rc;
    if (cli_args_parse (&args, argc, argv, cli_flags ())) {
        cli_usage (stderr);
        rc = 2;
    }
    else
    if (args.nwords == 0 && cli_flag (&args, "help")) {
        cli_usage (stdout);
        rc = 0;
    }
    else
        rc = cli_run (&args);
    zhash_destroy (&args.opts);
    cg_access_end ();
    return rc;
}
