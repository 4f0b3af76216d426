/*  civgrid — the command line of an operator or an administrator.

        civgrid stack up|down|status        the local system
        civgrid submit ...                  a request, as any channel would
        civgrid case show|list ...          cases
        civgrid accept|resolve|close ID     move a case on
        civgrid inbox UNIT                  a unit's in-app inbox
        civgrid notify ...                  notification rules, log, dead letters
        civgrid messages                    the message reference (Markdown)
*/
#include "cli.h"

static const char *const s_flags[] = { "json", "foreground", "demo", "urgent", NULL };

static void
s_usage (void)
{
    fprintf (stderr,
        "usage: civgrid COMMAND [--dir DIR] [--json]\n"
        "  stack up [--port-base N|auto] [--foreground] [--demo] [--set PATH=VALUE]\n"
        "  stack down | stack status\n"
        "  submit --source S --category C --text T (--grid G | --address A)\n"
        "         [--ext-ref R] [--name N] [--phone P]\n"
        "  case show ID | case list [--state S] [--center C] [--offset N] [--limit N]\n"
        "  accept ID | resolve ID --result TEXT | close ID   [--actor WHO]\n"
        "  inbox UNIT [--offset N] [--limit N]\n"
        "  notify rules | test RECIPIENT --text T [--urgent] | log [ID] [--limit N]\n"
        "         | deadletter [--limit N] | retry ID | ack ID [--by WHO]\n"
        "  messages\n");
}

int
main (int argc, char **argv)
{
    zsys_init ();
    zsys_set_logstream (stderr);
    cli_args_t args;
    if (cli_args_parse (&args, argc, argv, s_flags) || args.nwords == 0) {
        s_usage ();
        zhash_destroy (&args.opts);
        return 2;
    }
    const char *command = args.words[0];
    int rc;
    if (strcmp (command, "stack") == 0)
        rc = cli_stack (&args);
    else
    if (strcmp (command, "notify") == 0)
        rc = cli_notify (&args);
    else
    if (strcmp (command, "messages") == 0) {
        cg_msg_document (stdout);
        rc = 0;
    }
    else
    if (strcmp (command, "help") == 0) {
        s_usage ();
        rc = 0;
    }
    else {
        rc = cli_cases (&args);
        if (rc == 2)
            s_usage ();
    }
    zhash_destroy (&args.opts);
    return rc;
}
