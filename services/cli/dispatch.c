/*  dispatch — the CLI's commands of the case state machine: one per
    action of proto/cg_case_actions.h, each sent as case.<action>,

        civgrid ACTION ID [--actor ROLE:SCOPE[:NAME]] [--note WHY]
                [--unit CODE] [--minutes N] [--satisfaction LEVEL] [--into ID]

    (LEVEL: 满意, 基本满意, 不满意, or 1, 2, 3, or the codes; the older
    --satisfied yes|no still means 满意 or 不满意)

    (resolve's --result is its note) where the actor defaults to
    operator:<the user> (the whole tree: cli_actor); and the
    statistics of a subtree (case.stats),

        civgrid stats --scope CODE --from YYYY-MM-DD --to YYYY-MM-DD
                      [--by hour|day|week|month] [--json]

    (asked once: a query is not repeated while dispatch works it out)

    and `civgrid reload` (data.reload). */
#include "cli.h"
#include "cg_case_actions.h"
#include "cg_clock.h"


static int
s_reload (cli_args_t *args)
{
    cg_data_reload_t req = { 0 };
    cg_data_loaded_t loaded;
    if (cli_call (args, &cg_cmd_data_reload, &req, &loaded))
        return 1;
    char ends[40] = "";
    cg_time_iso (loaded.calendar_ends, ends, sizeof ends);
    ends[10] = 0;
    printf ("reloaded: %lld org-tree nodes, %lld categories, the calendar %s (ends %s)\n",
            (long long) loaded.nodes, (long long) loaded.categories,
            loaded.calendar ? loaded.calendar : "", ends);
    if (loaded.warning)
        printf ("warning: %s\n", loaded.warning);
    cg_msg_clear (&cg_data_loaded_def, &loaded);
    return 0;
}

static void
s_rate (int64_t part, int64_t whole, char *buf, size_t len)
{
    if (whole)
        snprintf (buf, len, "%5.1f%%", 100.0 * (double) part / (double) whole);
    else
        snprintf (buf, len, "%6s", "-");
}

static int
s_stats (cli_args_t *args)
{
    cg_stats_query_t req = { .scope = (char *) cli_opt (args, "scope", NULL),
                             .from = (char *) cli_opt (args, "from", NULL),
                             .to = (char *) cli_opt (args, "to", NULL),
                             .by = (char *) cli_opt (args, "by", NULL) };
    cg_stats_report_t report;
    if (cli_query (args, &cg_cmd_case_stats, &req, &report))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_stats_report_def, &report, stdout);
        printf ("\n");
    }
    else {
        printf ("%s  %s .. %s by %s\n%-9s %-24s %8s %8s %8s %7s %8s %7s %7s %7s %6s %6s\n",
                report.scope, report.from, report.to, report.by, "by", "", "received", "dispatch",
                "signed", "on time", "resolved", "on time", "满意率", "基本满意", "redo", "提级");
        for (size_t i = 0; i < report.rows_count; i++) {
            const cg_stats_row_t *r = &report.rows[i];
            char sign[16], done[16], happy[16], fair[16];
            s_rate (r->signed_on_time, r->signed_for, sign, sizeof sign);
            s_rate (r->resolved_on_time, r->resolved, done, sizeof done);
            s_rate (r->satisfied, r->callbacks, happy, sizeof happy);
            s_rate (r->basically_satisfied, r->callbacks, fair, sizeof fair);
            printf ("%-9s %-24s %8lld %8lld %8lld %7s %8lld %7s %7s %7s %6lld %6lld\n", r->by,
                    r->key, (long long) r->received, (long long) r->dispatched,
                    (long long) r->signed_for, sign, (long long) r->resolved, done, happy, fair,
                    (long long) r->redone, (long long) r->escalated);
        }
    }
    cg_msg_clear (&cg_stats_report_def, &report);
    return 0;
}

int
cli_dispatch (cli_args_t *args)
{
    const char *action = args->words[0];
    if (strcmp (action, "stats") == 0)
        return s_stats (args);
    if (strcmp (action, "reload") == 0)
        return s_reload (args);
    /*  the actions are dispatch's table (proto/cg_case_actions.h), each
        a command of proto's (cg_commands.h) */
    const cg_case_action_t *found = cg_case_action_find (action);
    if (!found || args->nwords < 2)
        return 2;
    char actor[80];
    cg_case_act_t req = { .id = (char *) args->words[1],
                          .actor = (char *) cli_actor (args, actor, sizeof actor),
                          .note = (char *) cli_opt (args, "result", cli_opt (args, "note", NULL)),
                          .unit = (char *) cli_opt (args, "unit", NULL),
                          .minutes = atoll (cli_opt (args, "minutes", "0")),
                          .satisfied = strcmp (cli_opt (args, "satisfied", "no"), "yes") == 0,
                          .satisfaction = (char *) cli_opt (args, "satisfaction", NULL),
                          .into = (char *) cli_opt (args, "into", NULL) };
    cg_case_view_t view;
    if (cli_call (args, cg_cmddef_of_action (found), &req, &view))
        return 1;
    return cli_print_view (args, &view);
}
