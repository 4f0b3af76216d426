/*  cases — the CLI's commands on requests, cases and inboxes.  Each sends
    one command to the daemon that owns the thing and prints the answer, as
    text for a person or as JSON with --json. */
#include "cli.h"
#include "cg_case.h"
#include "cg_clock.h"

static void
s_print_time (const char *label, int64_t ms)
{
    char when[40];
    cg_time_iso (ms, when, sizeof when);
    printf ("  %-10s %s\n", label, when);
}

static void
s_print_case (const cg_case_view_t *c)
{
    printf ("%s  %s\n", c->id, c->state);
    const char *labels[] = { "category", "source", "ext_ref", "grid", "address", "contact",
                             "level", "center", "unit", "text", "result", "extension",
                             "callback", "merged", NULL };
    const char *values[] = { c->category, c->source, c->ext_ref, c->grid, c->address,
                             c->contact, c->level, c->center, c->unit, c->text, c->result,
                             c->extension, c->satisfaction, c->merged_into };
    for (int i = 0; labels[i]; i++)
        if (values[i])
            printf ("  %-10s %s\n", labels[i], values[i]);
    if (c->urgent)
        printf ("  %-10s %s\n", "urgent", "紧急");
    if (c->sign_by)
        s_print_time ("sign by", c->sign_by);
    if (c->done_by)
        s_print_time ("done by", c->done_by);
    if (c->due)
        s_print_time ("time limit", c->due);
    if (c->alerts & CG_ALERT_PAST_CALENDAR)
        printf ("  %-10s %s\n", "calendar", "a deadline runs past the end of the working "
                "calendar: every weekday there was counted as a working day");
    if (c->supporters > 1)
        printf ("  %-10s %lld\n", "supporters", (long long) c->supporters);
    if (c->supervised || c->redo_count || c->transfer_count || c->escalations)
        printf ("  %-10s %s redo %lld, transfers %lld, escalations %lld\n", "counts",
                c->supervised ? "督办," : "", (long long) c->redo_count,
                (long long) c->transfer_count, (long long) c->escalations);
    if (c->steps_count)
        printf ("  timeline\n");
    for (size_t i = 0; i < c->steps_count; i++) {
        char when[40];
        cg_time_iso (c->steps[i].at, when, sizeof when);
        printf ("    %s  %-10s -> %-10s %s%s%s\n", when,
                c->steps[i].from ? c->steps[i].from : "", c->steps[i].to,
                c->steps[i].actor, c->steps[i].note ? "  " : "",
                c->steps[i].note ? c->steps[i].note : "");
    }
}

static int
s_submit (cli_args_t *args)
{
    cg_case_submit_t req = {
        .source = (char *) cli_opt (args, "source", "operator"),
        .ext_ref = (char *) cli_opt (args, "ext-ref", NULL),
        .category = (char *) cli_opt (args, "category", NULL),
        .text = (char *) cli_opt (args, "text", NULL),
        .grid = (char *) cli_opt (args, "grid", NULL),
        .address = (char *) cli_opt (args, "address", NULL),
        .lat = (char *) cli_opt (args, "lat", NULL),
        .lon = (char *) cli_opt (args, "lon", NULL),
        .contact_name = (char *) cli_opt (args, "name", NULL),
        .contact_phone = (char *) cli_opt (args, "phone", NULL) };
    cg_case_submitted_t rep;
    if (cli_call (args, &cg_cmd_case_submit, &req, &rep))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_case_submitted_def, &rep, stdout);
        printf ("\n");
    }
    else
        printf ("%s%s\n", rep.id, rep.repeat ? " (already submitted)" : "");
    cg_msg_clear (&cg_case_submitted_def, &rep);
    return 0;
}

int
cli_print_view (cli_args_t *args, cg_case_view_t *view)
{
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_case_view_def, view, stdout);
        printf ("\n");
    }
    else
        s_print_case (view);
    cg_msg_clear (&cg_case_view_def, view);
    return 0;
}

static int
s_case_show (cli_args_t *args, const char *id)
{
    cg_case_get_t req = { .id = (char *) id };
    cg_case_view_t view;
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    cg_client_t *dispatch = cli_client (config, "dispatch");
    cg_client_t *archive = zconfig_locate (config, "archive/endpoint")
                         ? cli_client (config, "archive") : NULL;
    zconfig_destroy (&config);
    if (!dispatch) {
        cg_client_destroy (&archive);
        return 1;
    }
    cg_error_t err;
    int rc = cg_case_show (dispatch, archive, &req, &view, &err);
    cg_client_destroy (&dispatch);
    cg_client_destroy (&archive);
    if (rc)
        return cli_fail (&err);
    return cli_print_view (args, &view);
}

static int
s_case_list (cli_args_t *args)
{
    cg_case_query_t req = {
        .state = (char *) cli_opt (args, "state", NULL),
        .center = (char *) cli_opt (args, "center", NULL),
        .unit = (char *) cli_opt (args, "unit", NULL),
        .cursor = (char *) cli_opt (args, "cursor", NULL),
        .newest = cli_flag (args, "newest") };
    if (cli_opt_limit (args, &req.limit))
        return 1;
    cg_case_page_t page;
    if (cli_call (args, &cg_cmd_case_list, &req,
                  &page))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_case_page_def, &page, stdout);
        printf ("\n");
    }
    else {
        printf ("%lld cases\n", (long long) page.total);
        for (size_t i = 0; i < page.cases_count; i++) {
            const cg_case_item_t *c = &page.cases[i];
            char due[40] = "";
            if (c->sign_by)
                cg_time_short (strcmp (c->state, "dispatched") == 0 ? c->sign_by : c->done_by,
                               due, sizeof due);
            printf ("%s  %-10s %-20s %-24s %s\n", c->id, c->state,
                    c->category ? c->category : "", c->unit ? c->unit : "", due);
        }
        cli_print_next (page.next);
    }
    cg_msg_clear (&cg_case_page_def, &page);
    return 0;
}

static int
s_inbox (cli_args_t *args, const char *unit)
{
    cg_inbox_query_t req = { .unit = (char *) unit,
                             .cursor = (char *) cli_opt (args, "cursor", NULL) };
    if (cli_opt_limit (args, &req.limit))
        return 1;
    cg_inbox_page_t page;
    if (cli_call (args, &cg_cmd_inbox_list, &req, &page))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_inbox_page_def, &page, stdout);
        printf ("\n");
    }
    else {
        printf ("%lld notices for %s\n", (long long) page.total, unit);
        for (size_t i = 0; i < page.items_count; i++) {
            char when[40];
            cg_time_short (page.items[i].at, when, sizeof when);
            printf ("  %s  %s\n", when, page.items[i].text);
        }
        cli_print_next (page.next);
    }
    cg_msg_clear (&cg_inbox_page_def, &page);
    return 0;
}

/*  civgrid acks --org CODE: a page of the acknowledgements of urgent
    notices to an org node and below it (notify.ack_list). */
static int
s_acks (cli_args_t *args)
{
    cg_notify_ack_query_t req = { .org = (char *) cli_opt (args, "org", NULL),
                                  .state = (char *) cli_opt (args, "state", NULL),
                                  .cursor = (char *) cli_opt (args, "cursor", NULL) };
    if (!req.org) {
        fprintf (stderr, "civgrid: acks needs --org CODE\n");
        return 2;
    }
    if (cli_opt_limit (args, &req.limit))
        return 1;
    cg_notify_ack_page_t page;
    if (cli_call (args, &cg_cmd_notify_ack_list, &req, &page))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_notify_ack_page_def, &page, stdout);
        printf ("\n");
    }
    else {
        printf ("%lld %s acknowledgements for %s\n", (long long) page.total, page.state,
                page.org);
        for (size_t i = 0; i < page.rows_count; i++) {
            const cg_notify_ack_row_t *a = &page.rows[i];
            char sent[40], when[40];
            cg_time_short (a->sent, sent, sizeof sent);
            cg_time_short (streq (a->state, "pending") ? a->due : a->at, when, sizeof when);
            printf ("  %s  %-8s %s  sent %s to %s (%s), step %lld  %s%s\n", when, a->state,
                    a->case_id ? a->case_id : "-", sent, a->name ? a->name : "-",
                    a->org ? a->org : "-", (long long) a->step, a->by ? a->by : "",
                    a->to ? a->to : "");
            if (a->text)
                printf ("      %s\n", a->text);
        }
        cli_print_next (page.next);
    }
    cg_msg_clear (&cg_notify_ack_page_def, &page);
    return 0;
}

int
cli_cases (cli_args_t *args)
{
    const char *cmd = args->words[0];
    const char *arg1 = args->nwords > 1 ? args->words[1] : NULL;
    const char *arg2 = args->nwords > 2 ? args->words[2] : NULL;
    if (strcmp (cmd, "submit") == 0)
        return s_submit (args);
    if (strcmp (cmd, "case") == 0 && arg1 && strcmp (arg1, "show") == 0 && arg2)
        return s_case_show (args, arg2);
    if (strcmp (cmd, "case") == 0 && arg1 && strcmp (arg1, "list") == 0)
        return s_case_list (args);
    if (strcmp (cmd, "inbox") == 0 && arg1)
        return s_inbox (args, arg1);
    if (strcmp (cmd, "acks") == 0)
        return s_acks (args);
    return 2;
}
