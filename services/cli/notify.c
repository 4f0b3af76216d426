/*  notify — `civgrid notify ...`: what notification runs and what became
    of its deliveries.

        notify rules                        the rules in force
        notify test RECIPIENT --text T      send a test notice (person:ID or unit:CODE)
        notify log [ID]                     the delivery log, of one delivery or the latest
        notify deadletter                   deliveries given up, with the reason
        notify retry ID                     a dead letter back to the outbox
        notify ack ID [--by WHO]            acknowledge an urgent notice
        notify ack --case ID [--by WHO]     ... every one about a case (notify.ack_case) */
#include "cli.h"
#include "cg_clock.h"

static void
s_json (const cg_msgdef_t *def, const void *msg)
{
    cg_msg_json (def, msg, stdout);
    printf ("\n");
}

static int
s_rules (cli_args_t *args)
{
    cg_notify_rules_t req = { 0 };
    cg_notify_rulebook_t book;
    if (cli_call (args, &cg_cmd_notify_rules, &req, &book))
        return 1;
    if (cli_flag (args, "json"))
        s_json (&cg_notify_rulebook_def, &book);
    else
        for (size_t i = 0; i < book.rules_count; i++) {
            cg_notify_rule_t *r = &book.rules[i];
            printf ("%-18s %-22s %-30s %-22s %s", r->topic, r->when ? r->when : "-",
                    r->recipients, r->template, r->urgency);
            if (r->ack_ms)
                printf (" ack %llds", (long long) r->ack_ms / 1000);
            printf ("\n");
        }
    cg_msg_clear (&cg_notify_rulebook_def, &book);
    return 0;
}

static int
s_state (cli_args_t *args, const cg_cmddef_t *command, void *req)
{
    cg_notify_state_t state;
    if (cli_call (args, command, req, &state))
        return 1;
    if (cli_flag (args, "json"))
        cg_msg_json (&cg_notify_state_def, &state, stdout);
    else
        printf ("%s  %s", state.id, state.state);
    printf ("\n");
    cg_msg_clear (&cg_notify_state_def, &state);
    return 0;
}

static int
s_log (cli_args_t *args, const char *id)
{
    cg_notify_query_t req = { .id = (char *) id,
                              .cursor = (char *) cli_opt (args, "cursor", NULL) };
    if (cli_opt_limit (args, &req.limit))
        return 1;
    cg_notify_log_t log;
    if (cli_call (args, &cg_cmd_notify_log, &req, &log))
        return 1;
    if (cli_flag (args, "json"))
        s_json (&cg_notify_log_def, &log);
    else {
        for (size_t i = 0; i < log.attempts_count; i++) {
            cg_notify_attempt_t *a = &log.attempts[i];
            char when[40];
            cg_time_iso (a->at, when, sizeof when);
            printf ("%s  %-40s %-8s #%-2lld %-9s %s\n", when, a->delivery, a->channel,
                    (long long) a->attempt, a->outcome, a->detail ? a->detail : "");
        }
        cli_print_next (log.next);
    }
    cg_msg_clear (&cg_notify_log_def, &log);
    return 0;
}

static int
s_deadletter (cli_args_t *args)
{
    cg_notify_query_t req = { .cursor = (char *) cli_opt (args, "cursor", NULL) };
    if (cli_opt_limit (args, &req.limit))
        return 1;
    cg_notify_deadpage_t page;
    if (cli_call (args, &cg_cmd_notify_deadletter, &req, &page))
        return 1;
    if (cli_flag (args, "json"))
        s_json (&cg_notify_deadpage_def, &page);
    else {
        printf ("%lld dead letters\n", (long long) page.total);
        for (size_t i = 0; i < page.dead_count; i++) {
            char when[40];
            cg_time_iso (page.dead[i].at, when, sizeof when);
            printf ("%s  %s  %s\n    %s\n", when, page.dead[i].id,
                    page.dead[i].recipient ? page.dead[i].recipient : "", page.dead[i].reason);
        }
        cli_print_next (page.next);
    }
    cg_msg_clear (&cg_notify_deadpage_def, &page);
    return 0;
}

/*  Every urgent notice about a case still awaiting acknowledgement, as
    the console's 确认收到 does (POST /api/v1/cases/{id}/ack). */
static int
s_ack_case (cli_args_t *args, const char *id)
{
    cg_notify_ack_case_t req = { .id = (char *) id,
                                 .actor = (char *) cli_opt (args, "by", "operator") };
    cg_notify_acks_t acks;
    if (cli_call (args, &cg_cmd_notify_ack_case, &req, &acks))
        return 1;
    if (cli_flag (args, "json"))
        s_json (&cg_notify_acks_def, &acks);
    else {
        printf ("%s  %lld acknowledged now\n", acks.id, (long long) acks.acked);
        for (size_t i = 0; i < acks.deliveries_count; i++) {
            cg_notify_ack_item_t *a = &acks.deliveries[i];
            char when[40];
            cg_time_iso (a->at, when, sizeof when);
            printf ("%s  %s  %s  %s%s\n", when, a->delivery, a->recipient ? a->recipient : "-",
                    a->by, a->now ? "" : " (before)");
        }
    }
    cg_msg_clear (&cg_notify_acks_def, &acks);
    return 0;
}

int
cli_notify (cli_args_t *args)
{
    const char *cmd = args->nwords > 1 ? args->words[1] : "";
    const char *arg = args->nwords > 2 ? args->words[2] : NULL;
    if (strcmp (cmd, "rules") == 0)
        return s_rules (args);
    if (strcmp (cmd, "log") == 0)
        return s_log (args, arg);
    if (strcmp (cmd, "deadletter") == 0)
        return s_deadletter (args);
    if (strcmp (cmd, "test") == 0 && arg) {
        cg_notify_test_t req = { .recipient = (char *) arg,
                                 .text = (char *) cli_opt (args, "text", NULL),
                                 .urgent = cli_flag (args, "urgent") };
        return s_state (args, &cg_cmd_notify_test, &req);
    }
    if (strcmp (cmd, "ack") == 0 && !arg && cli_opt (args, "case", NULL))
        return s_ack_case (args, cli_opt (args, "case", NULL));
    if ((strcmp (cmd, "retry") == 0 || strcmp (cmd, "ack") == 0) && arg) {
        cg_notify_act_t req = { .id = (char *) arg, .by = (char *) cli_opt (args, "by", NULL) };
        return s_state (args, strcmp (cmd, "ack") == 0 ? &cg_cmd_notify_ack : &cg_cmd_notify_retry,
                        &req);
    }
    return 2;
}
