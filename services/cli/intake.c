/*  intake — the CLI's channel commands, as the 12345 hotline and a device
    vendor would send them, and `intake show`, who reported a case (masked
    unless --role may see it).  See docs/INTAKE.md. */
#include "cli.h"
#include "cg_clock.h"

static void
s_print_submitted (cli_args_t *args, const cg_case_submitted_t *rep)
{
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_case_submitted_def, rep, stdout);
        printf ("\n");
        return;
    }
    printf ("%s", rep->id);
    if (rep->merged)
        printf ("  joined an open case: %lld supporters%s", (long long) rep->supporters,
                rep->known_caller ? ", a caller heard before" : "");
    if (rep->unplaced)
        printf ("  unplaced: waits in the county's triage queue");
    printf ("%s\n", rep->repeat ? "  (repeat)" : "");
}

static int
s_hotline (cli_args_t *args)
{
    char now[40];
    cg_time_iso (cli_now (args), now, sizeof now);
    cg_hotline_order_t req = {
        .order_no = (char *) cli_opt (args, "order-no", NULL),
        .call_time = (char *) cli_opt (args, "call-time", now),
        .class = (char *) cli_opt (args, "class", NULL),
        .category = (char *) cli_opt (args, "category", NULL),
        .content = (char *) cli_opt (args, "content", NULL),
        .address = (char *) cli_opt (args, "address", NULL),
        .area_code = (char *) cli_opt (args, "area", NULL),
        .urgency = (char *) cli_opt (args, "urgency", NULL),
        .time_limit = (char *) cli_opt (args, "time-limit", NULL),
        .caller_name = (char *) cli_opt (args, "name", NULL),
        .caller_phone = (char *) cli_opt (args, "phone", NULL) };
    cg_case_submitted_t rep;
    if (cli_call (args, &cg_cmd_hotline_order, &req, &rep))
        return 1;
    s_print_submitted (args, &rep);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    return 0;
}

static int
s_alarm (cli_args_t *args)
{
    char now[40];
    cg_time_iso (cli_now (args), now, sizeof now);
    cg_device_alarm_t req = {
        .device = (char *) cli_opt (args, "device", NULL),
        .alarm_id = (char *) cli_opt (args, "alarm-id", NULL),
        .type = (char *) cli_opt (args, "type", "sos"),
        .at = (char *) cli_opt (args, "at", now),
        .lat = (char *) cli_opt (args, "lat", NULL),
        .lon = (char *) cli_opt (args, "lon", NULL),
        .detail = (char *) cli_opt (args, "detail", NULL) };
    cg_device_answer_t rep;
    if (cli_call (args, &cg_cmd_device_alarm, &req, &rep))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_device_answer_def, &rep, stdout);
        printf ("\n");
    }
    else
    if (rep.accepted)
        printf ("%s  accepted%s\n", rep.id, rep.repeat ? "  (repeat)" : "");
    else
        printf ("rejected: %s (%s)\n", rep.message, rep.reason);
    int rc = rep.accepted ? 0 : 1;
    cg_msg_clear (&cg_device_answer_def, &rep);
    return rc;
}

static int
s_show (cli_args_t *args, const char *id)
{
    cg_intake_get_t req = { .id = (char *) id, .role = (char *) cli_opt (args, "role", NULL) };
    cg_intake_view_t view;
    if (cli_call (args, &cg_cmd_intake_show, &req,
                  &view))
        return 1;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_intake_view_def, &view, stdout);
        printf ("\n");
    }
    else {
        printf ("%s  from %s%s%s\n", view.id, view.source, view.ext_ref ? " " : "",
                view.ext_ref ? view.ext_ref : "");
        printf ("  %-11s %s\n", "category", view.category);
        if (view.contact_name)
            printf ("  %-11s %s\n", "name", view.contact_name);
        if (view.contact_phone)
            printf ("  %-11s %s\n", "phone", view.contact_phone);
        if (view.contact_email)
            printf ("  %-11s %s\n", "email", view.contact_email);
        if (view.detail)
            printf ("  %-11s %s\n", "detail", view.detail);
        printf ("  %-11s %lld (calls %lld)\n", "supporters", (long long) view.supporters,
                (long long) view.calls);
    }
    cg_msg_clear (&cg_intake_view_def, &view);
    return 0;
}

/*  2 when the command is not one of intake's. */
int
cli_intake (cli_args_t *args)
{
    const char *cmd = args->words[0];
    if (streq (cmd, "hotline"))
        return s_hotline (args);
    if (streq (cmd, "alarm"))
        return s_alarm (args);
    if (streq (cmd, "intake") && args->nwords == 3 && streq (args->words[1], "show"))
        return s_show (args, args->words[2]);
    return 2;
}
