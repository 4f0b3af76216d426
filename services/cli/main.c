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
        civgrid messages                    the message reference (Markdown)
*/
#include "cli.h"
#include "cg_access.h"

static const char *const s_flags[] = { "json", "foreground", "demo", "secret", "revote", "close",
                                        "urgent", "off", NULL };

static void
s_usage (void)
{
    fprintf (stderr,
        "usage: civgrid COMMAND [--dir DIR] [--json] [--key FILE]\n"
        "  stack up [--port-base N|auto] [--foreground] [--demo] [--set PATH=VALUE]\n"
        "  stack down | stack status\n"
        "  submit --source S --category C --text T (--grid G | --address A)\n"
        "         [--ext-ref R] [--name N] [--phone P]\n"
        "  case show ID | case list [--state S] [--center C | --unit U] [--offset N] [--limit N]\n"
        "  accept ID | resolve ID --result TEXT | close ID   [--actor WHO]\n"
        "  inbox UNIT [--offset N] [--limit N]\n"
        "  topic create|show|list|stage|meeting|vote|tally|publish|task|tasks|retry|public ...\n"
        "  fund account|donate|request|approve|reject|transfer|balance|statement|show|verify\n"
        "       ... (docs/FUND.md)\n"
        "  hotline --order-no N --class 投诉 --content T [--address A] [--area CODE]\n"
        "         [--category C] [--urgency urgent] [--call-time ISO] [--name N] [--phone P]\n"
        "  alarm --device D --alarm-id A [--type sos|fall|inactivity|vital] [--at ISO]\n"
        "  intake show ID [--role R]\n"
        "  token create --role R --scope CODE [--name WHO] [--days N] | token list\n"
        "         | token revoke ID\n"
        "  notify rules | test RECIPIENT --text T [--urgent] | log [ID] [--limit N]\n"
        "         | deadletter [--limit N] | retry ID | ack ID [--by WHO]\n"
        "  journal | journal skip CONSUMER JOURNAL | journal forget CONSUMER JOURNAL\n"
        "  key add NAME --roles R1,R2 [--out FILE] | key list | key remove NAME\n"
        "  secret rotate hotline ID [--grace-hours N] | secret backup --out FILE\n"
        "         | secret restore --in FILE\n"
        "  user add NAME --role R --scope CODE | user disable NAME | user reset NAME\n"
        "         | user totp NAME [--off] | user list\n"
        "  messages\n");
    cli_dispatch_usage ();
}

static int
s_messages (cli_args_t *args)
{
    (void) args;
    cg_msg_document (stdout);
    return 0;
}

static int
s_help (cli_args_t *args)
{
    (void) args;
    s_usage ();
    return 0;
}

/*  Commands by their first word; anything else is tried as intake's, then
    as a case's (cli_cases, which passes topics and dispatch's actions on). */
static const struct {
    const char *name;
    int (*fn) (cli_args_t *args);
} s_commands[] = {
    { "stack", cli_stack },
    { "token", cli_token },
    { "notify", cli_notify },
    { "fund", cli_fund },
    { "journal", cli_journal },
    { "key", cli_key },
    { "secret", cli_secret },
    { "user", cli_user },
    { "messages", s_messages },
    { "help", s_help },
};

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
    int rc = 2;
    bool known = false;
    for (size_t i = 0; i < sizeof s_commands / sizeof s_commands[0] && !known; i++)
        if (strcmp (command, s_commands[i].name) == 0) {
            rc = s_commands[i].fn (&args);
            known = true;
        }
    /*  the rest: intake's channels, then cases, topics and dispatch's actions */
    if (!known)
        rc = cli_intake (&args);
    if (!known && rc == 2)
        rc = cli_cases (&args);
    if (rc == 2)
        s_usage ();
    zhash_destroy (&args.opts);
    cg_access_end ();
    return rc;
}
