/*  fund — the CLI's commands on the charity funds and the time bank:

        civgrid fund account ID --ledger cny|min [--flags no_overdraft] [--kind K] [--name N]
        civgrid fund donate --fund F [--project P] --amount FEN --channel C
                            [--donor NAME] [--anonymous yes] [--ref R] [--id HEX32]
        civgrid fund request --fund F [--project P] --beneficiary B --amount N
                             --purpose TEXT [--served WHO]
                             [--resolution TOPIC] [--attach REF] [--id HEX32]
        civgrid fund approve|reject ID [--note WHY]
        civgrid fund transfer --debit A --credit B [--amount N] [--flags f1,f2]
                              [--pending-id HEX32] [--timeout S] [--memo M] [--id HEX32]
        civgrid fund balance ACCOUNT | statement ACCOUNT | show ID | verify | export
        civgrid fund report|publish FUND --month YYYY-MM (fund_report.c)
        civgrid fund goods in|out|move --site S --item I --quantity N [--to S2]
                                       [--party NAME] [--id HEX32]
        civgrid fund stock SITE
        civgrid fund redeem --resident R --site S --item I --quantity N [--id HEX32]
        civgrid fund points RESIDENT [--cursor C] [--limit N]

    Every command that changes something takes --actor WHO (default
    $USER) and --role ROLE (default admin), which the daemon checks as it
    checks what the gateway vouches for (docs/FUND.md).

    Amounts are integers: fen on the cny ledger, minutes on min.  A
    transfer id is made here when --id is not given; give it to make a
    retry safe (the ledger applies an id once and answers `exists`). */
#include "fund.h"
#include "cg_clock.h"
#include "cg_disclosure.h"
#include <ctype.h>
#include <errno.h>

/*  The --id, or a fresh 128-bit id. */
static const char *
s_id (cli_args_t *args, char *buf)
{
    const char *given = cli_opt (args, "id", NULL);
    if (given)
        return given;
    zuuid_t *uuid = zuuid_new ();
    snprintf (buf, 33, "%s", zuuid_str (uuid));
    zuuid_destroy (&uuid);
    for (char *c = buf; *c; c++)
        *c = (char) tolower ((unsigned char) *c);
    return buf;
}

/*  An integer option; -1 with a message when it is not one. */
static int
s_int (cli_args_t *args, const char *name, int64_t *out)
{
    const char *text = cli_opt (args, name, "0");
    char *end;
    errno = 0;
    long long v = strtoll (text, &end, 10);
    if (errno || *end || end == text || v < 0) {
        fprintf (stderr, "civgrid: --%s must be a whole number (fen, minutes, points or units), not %s\n",
                 name, text);
        return -1;
    }
    *out = v;
    return 0;
}

/*  Splits "a,b" in place into at most max words. */
static size_t
s_split (char *text, char **words, size_t max)
{
    size_t n = 0;
    for (char *w = strtok (text, ","); w && n < max; w = strtok (NULL, ","))
        words[n++] = w;
    return n;
}

static int
s_print (cli_args_t *args, const cg_msgdef_t *def, void *msg, void (*text) (void *))
{
    if (cli_flag (args, "json")) {
        cg_msg_json (def, msg, stdout);
        printf ("\n");
    }
    else
        text (msg);
    cg_msg_clear (def, msg);
    return 0;
}

static void
s_print_results (void *msg)
{
    cg_fund_results_t *out = msg;
    for (size_t i = 0; i < out->results_count; i++)
        printf ("%s  %s%s%.0lld\n", out->results[i].id, out->results[i].result,
                out->results[i].entry ? "  entry " : "",
                (long long) out->results[i].entry);
}

static void
s_print_account (void *msg)
{
    cg_fund_account_t *a = msg;
    char posted[40], available[40], reserved[40];
    cg_money_text (a->credits_posted - a->debits_posted, a->ledger, posted, sizeof posted);
    cg_money_text (a->credits_posted - a->debits_posted - a->debits_pending, a->ledger, available,
             sizeof available);
    cg_money_text (a->debits_pending, a->ledger, reserved, sizeof reserved);
    printf ("%s  %s %s\n  balance    %s\n  reserved   %s\n  available  %s\n", a->id,
            a->kind ? a->kind : "", a->name ? a->name : "", posted, reserved, available);
}

static void
s_print_receipt (void *msg)
{
    cg_fund_receipt_t *r = msg;
    char amount[40];
    cg_money_text (r->amount, NULL, amount, sizeof amount);
    printf ("捐赠收据 receipt %s%s\n  donor    %s\n  amount   %s\n  to       %s\n"
            "  channel  %s\n  entry    %lld\n", r->receipt, r->repeat ? " (given before)" : "",
            r->donor, amount, r->account, r->channel, (long long) r->entry);
}

static void
s_print_request (void *msg)
{
    cg_fund_request_view_t *q = msg;
    char amount[40];
    cg_money_text (q->amount, q->ledger, amount, sizeof amount);
    printf ("%s  %s\n  fund       %s%s%s\n  amount     %s\n  for        %s\n  purpose    %s\n"
            "  requester  %s\n  approvals  %zu of %lld\n", q->id, q->state, q->fund,
            q->project ? "." : "", q->project ? q->project : "", amount, q->beneficiary,
            q->purpose, q->requester, q->approvals_count, (long long) q->need);
}

static void
s_print_statement (void *msg)
{
    cg_fund_statement_t *st = msg;
    printf ("%s  %lld entries\n", st->account, (long long) st->total);
    for (size_t i = 0; i < st->entries_count; i++) {
        cg_fund_entry_t *e = &st->entries[i];
        char when[40], amount[40];
        cg_time_short (e->at, when, sizeof when);
        cg_money_text (e->amount, e->ledger, amount, sizeof amount);
        printf ("  %6lld  %s  %-7s %12s  %s -> %s  %s\n", (long long) e->seq, when, e->kind,
                amount, e->debit, e->credit, e->memo ? e->memo : "");
    }
    cli_print_next (st->next);
}

static void
s_print_verified (void *msg)
{
    cg_fund_verified_t *v = msg;
    if (v->ok)
        printf ("ok: %lld entries verify; head %s\n", (long long) v->entries,
                v->head ? v->head : "(empty)");
    else
        printf ("BROKEN at entry %lld: %s\n", (long long) v->broken_at,
                v->problem ? v->problem : "");
}

static int
s_account (cli_args_t *args, const char *id)
{
    char flags_buf[128];
    snprintf (flags_buf, sizeof flags_buf, "%s", cli_opt (args, "flags", ""));
    char *flags[4];
    cg_fund_account_t account = { .id = (char *) id, .ledger = (char *) cli_opt (args, "ledger", "cny"),
        .kind = (char *) cli_opt (args, "kind", NULL), .name = (char *) cli_opt (args, "name", NULL),
        .fund = (char *) cli_opt (args, "fund", NULL), .flags = flags };
    account.flags_count = s_split (flags_buf, flags, 4);
    cg_fund_account_create_t req = { .accounts = &account, .accounts_count = 1 };
    cli_fund_who (args, &req.actor, &req.role);
    cg_fund_results_t out;
    if (cli_call (args, &cg_cmd_fund_account, &req,
                &out))
        return 1;
    return s_print (args, &cg_fund_results_def, &out, s_print_results);
}

static int
s_transfer (cli_args_t *args)
{
    char id[33], flags_buf[128];
    snprintf (flags_buf, sizeof flags_buf, "%s", cli_opt (args, "flags", ""));
    char *flags[4];
    cg_fund_transfer_t t = { .id = (char *) s_id (args, id),
        .debit = (char *) cli_opt (args, "debit", NULL),
        .credit = (char *) cli_opt (args, "credit", NULL),
        .ledger = (char *) cli_opt (args, "ledger", NULL),
        .pending_id = (char *) cli_opt (args, "pending-id", NULL),
        .memo = (char *) cli_opt (args, "memo", NULL), .flags = flags };
    t.flags_count = s_split (flags_buf, flags, 4);
    if (s_int (args, "amount", &t.amount) || s_int (args, "timeout", &t.timeout)
    ||  s_int (args, "code", &t.code))
        return 1;
    cg_fund_transfer_batch_t req = { .transfers = &t, .transfers_count = 1 };
    cli_fund_who (args, &req.actor, &req.role);
    cg_fund_results_t out;
    if (cli_call (args, &cg_cmd_fund_transfer, &req,
                &out))
        return 1;
    bool ok = out.results_count == 1 && (strcmp (out.results[0].result, "ok") == 0
                                         || strcmp (out.results[0].result, "exists") == 0);
    s_print (args, &cg_fund_results_def, &out, s_print_results);
    return ok ? 0 : 1;
}

static int
s_donate (cli_args_t *args)
{
    char id[33];
    cg_fund_donate_t req = { .id = (char *) s_id (args, id),
        .fund = (char *) cli_opt (args, "fund", NULL),
        .project = (char *) cli_opt (args, "project", NULL),
        .donor = (char *) cli_opt (args, "donor", NULL),
        .anonymous = strcmp (cli_opt (args, "anonymous", "no"), "yes") == 0,
        .channel = (char *) cli_opt (args, "channel", NULL),
        .ref = (char *) cli_opt (args, "ref", NULL) };
    cli_fund_who (args, &req.actor, &req.role);
    if (s_int (args, "amount", &req.amount))
        return 1;
    cg_fund_receipt_t out;
    if (cli_call (args, &cg_cmd_fund_donate, &req, &out))
        return 1;
    return s_print (args, &cg_fund_receipt_def, &out, s_print_receipt);
}

static int
s_request (cli_args_t *args)
{
    char id[33];
    char *attach = (char *) cli_opt (args, "attach", NULL);
    cg_fund_request_t req = { .id = (char *) s_id (args, id),
        .fund = (char *) cli_opt (args, "fund", NULL),
        .project = (char *) cli_opt (args, "project", NULL),
        .beneficiary = (char *) cli_opt (args, "beneficiary", NULL),
        .purpose = (char *) cli_opt (args, "purpose", NULL),
        .served = (char *) cli_opt (args, "served", NULL),
        .resolution = (char *) cli_opt (args, "resolution", NULL),
        .attachments = attach ? &attach : NULL, .attachments_count = attach != NULL };
    cli_fund_who (args, &req.actor, &req.role);
    if (s_int (args, "amount", &req.amount))
        return 1;
    cg_fund_request_view_t out;
    if (cli_call (args, &cg_cmd_fund_request, &req,
                &out))
        return 1;
    return s_print (args, &cg_fund_request_view_def, &out, s_print_request);
}

static int
s_decide (cli_args_t *args, const cg_cmddef_t *command, const char *id)
{
    cg_fund_decide_t req = { .id = (char *) id, .note = (char *) cli_opt (args, "note", NULL) };
    cli_fund_who (args, &req.actor, &req.role);
    cg_fund_request_view_t out;
    if (cli_call (args, command, &req, &out))
        return 1;
    return s_print (args, &cg_fund_request_view_def, &out, s_print_request);
}

static int
s_get (cli_args_t *args, const cg_cmddef_t *command, const char *id, void (*text) (void *))
{
    cg_fund_get_t req = { .id = (char *) id, .cursor = (char *) cli_opt (args, "cursor", NULL) };
    if (s_int (args, "limit", &req.limit))
        return 1;
    const cg_msgdef_t *def = command->reply;
    void *out = calloc (1, def->size);
    assert (out);
    int rc = cli_call (args, command, &req, out);
    /*  3: the ledger does not verify; read before printing clears the answer */
    if (rc == 0 && def == &cg_fund_verified_def && !((cg_fund_verified_t *) out)->ok)
        rc = 3;
    if (rc != 1)
        s_print (args, def, out, text);
    free (out);
    return rc;
}

static void
s_print_goods (void *msg)
{
    cg_fund_goods_receipt_t *g = msg;
    printf ("%s  %s%s\n  site       %s%s%s\n  item       %s  %lld %s\n", g->id, g->action,
            g->repeat ? " (applied before)" : "", g->site, g->to ? " -> " : "",
            g->to ? g->to : "", g->item, (long long) g->quantity, g->unit ? g->unit : "");
    if (g->party)
        printf ("  party      %s\n", g->party);
    if (g->points)
        printf ("  points     %lld paid, %lld left\n", (long long) g->points,
                (long long) g->balance);
    printf ("  stock      %lld left\n  entry      %lld\n", (long long) g->stock,
            (long long) g->entry);
}

static void
s_print_stock (void *msg)
{
    cg_fund_stock_t *st = msg;
    printf ("%s  %s  (%s)\n", st->site, st->name ? st->name : "", st->area ? st->area : "");
    for (size_t i = 0; i < st->items_count; i++)
        printf ("  %-12s %8lld %s  %s\n", st->items[i].item, (long long) st->items[i].quantity,
                st->items[i].unit ? st->items[i].unit : "",
                st->items[i].name ? st->items[i].name : "");
}

static void
s_print_points (void *msg)
{
    cg_fund_points_t *p = msg;
    printf ("%s  %lld points (%lld earned)\n", p->resident, (long long) p->balance,
            (long long) p->earned);
    for (size_t i = 0; i < p->history_count; i++) {
        cg_fund_entry_t *e = &p->history[i];
        bool in = strncmp (e->credit, "pts.r.", 6) == 0;
        printf ("  %6lld  %c%lld  %s\n", (long long) e->seq, in ? '+' : '-',
                (long long) e->amount, e->memo ? e->memo : "");
    }
    if (p->next)
        printf ("next: %s\n", p->next);
}

/*  goods in|out|move: a donation in kind, a hand-out, a move between sites. */
static int
s_goods (cli_args_t *args, const char *action)
{
    const cg_cmddef_t *command = strcmp (action, "in") == 0 ? &cg_cmd_fund_goods_in
                               : strcmp (action, "out") == 0 ? &cg_cmd_fund_goods_out
                               : strcmp (action, "move") == 0 ? &cg_cmd_fund_goods_move : NULL;
    if (!command) {
        fprintf (stderr, "civgrid: fund goods in|out|move, not %s\n", action);
        return 1;
    }
    char id[33];
    cg_fund_goods_t req = { .id = (char *) s_id (args, id),
        .site = (char *) cli_opt (args, "site", NULL),
        .item = (char *) cli_opt (args, "item", NULL),
        .to = (char *) cli_opt (args, "to", NULL),
        .party = (char *) cli_opt (args, "party", NULL) };
    cli_fund_who (args, &req.actor, &req.role);
    if (s_int (args, "quantity", &req.quantity))
        return 1;
    cg_fund_goods_receipt_t out;
    if (cli_call (args, command, &req, &out))
        return 1;
    return s_print (args, &cg_fund_goods_receipt_def, &out, s_print_goods);
}

static int
s_redeem (cli_args_t *args)
{
    char id[33];
    cg_fund_redeem_t req = { .id = (char *) s_id (args, id),
        .resident = (char *) cli_opt (args, "resident", NULL),
        .site = (char *) cli_opt (args, "site", NULL),
        .item = (char *) cli_opt (args, "item", NULL) };
    cli_fund_who (args, &req.actor, &req.role);
    if (s_int (args, "quantity", &req.quantity))
        return 1;
    cg_fund_goods_receipt_t out;
    if (cli_call (args, &cg_cmd_fund_redeem, &req, &out))
        return 1;
    return s_print (args, &cg_fund_goods_receipt_def, &out, s_print_goods);
}

/*  points RESIDENT, or --phone P: the resident by the keyed fingerprint
    intake makes of the phone (how a reported case's points are kept). */
static int
s_points (cli_args_t *args, const char *resident)
{
    const char *phone = cli_opt (args, "phone", NULL);
    if (!phone)
        return s_get (args, &cg_cmd_fund_points, resident, s_print_points);
    cg_caller_fingerprint_t ask = { .phone = (char *) phone };
    cg_caller_print_t print;
    if (cli_call (args, &cg_cmd_caller_fingerprint, &ask, &print))
        return 1;
    int rc = s_get (args, &cg_cmd_fund_points, print.caller, s_print_points);
    cg_msg_clear (&cg_caller_print_def, &print);
    return rc;
}

/*  Writes the whole ledger as its entry lines, exactly as they are hashed,
    oldest first: anyone can recompute the chain from this file with
    sha256sum (docs/FUND.md) and compare the last hash with a report's. */
static int
s_export (cli_args_t *args)
{
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    cg_client_t *client = cli_client (config, "fund");
    zconfig_destroy (&config);
    if (!client)
        return 1;
    int rc = 0;
    char *cursor = NULL;
    do {
        cg_fund_get_t req = { .id = "*", .cursor = cursor, .limit = 200 };
        cg_fund_statement_t st;
        cg_error_t err;
        int failed = cg_client_call (client, &cg_cmd_fund_statement, &req, &st, &err);
        free (cursor);
        cursor = NULL;
        if (failed) {
            rc = cli_fail (&err);
            break;
        }
        for (size_t i = 0; i < st.entries_count; i++) {
            cg_fund_entry_t *e = &st.entries[i];
            printf ("%lld\t%lld\t%s\t%s\t%s\t%s\t%s\t%lld\t%s\t%lld\t%s\n", (long long) e->seq,
                    (long long) e->at, e->kind, e->id, e->ledger, e->debit, e->credit,
                    (long long) e->amount, e->pending_id ? e->pending_id : "",
                    (long long) e->code, e->memo ? e->memo : "");
        }
        cursor = st.next ? strdup (st.next) : NULL;
        cg_msg_clear (&cg_fund_statement_def, &st);
    } while (cursor);
    cg_client_destroy (&client);
    return rc;
}

int
cli_fund (cli_args_t *args)
{
    const char *what = args->nwords > 1 ? args->words[1] : "";
    const char *arg = args->nwords > 2 ? args->words[2] : NULL;
    if (strcmp (what, "account") == 0 && arg)
        return s_account (args, arg);
    if (strcmp (what, "transfer") == 0)
        return s_transfer (args);
    if (strcmp (what, "donate") == 0)
        return s_donate (args);
    if (strcmp (what, "goods") == 0 && arg)
        return s_goods (args, arg);
    if (strcmp (what, "redeem") == 0)
        return s_redeem (args);
    if (strcmp (what, "stock") == 0 && arg)
        return s_get (args, &cg_cmd_fund_stock, arg, s_print_stock);
    if (strcmp (what, "points") == 0 && (arg || cli_opt (args, "phone", NULL)))
        return s_points (args, arg);
    if (strcmp (what, "request") == 0)
        return s_request (args);
    if ((strcmp (what, "approve") == 0 || strcmp (what, "reject") == 0) && arg)
        return s_decide (args, strcmp (what, "approve") == 0 ? &cg_cmd_fund_approve : &cg_cmd_fund_reject,
                         arg);
    if (strcmp (what, "balance") == 0 && arg)
        return s_get (args, &cg_cmd_fund_balance, arg, s_print_account);
    if (strcmp (what, "statement") == 0 && arg)
        return s_get (args, &cg_cmd_fund_statement, arg, s_print_statement);
    if (strcmp (what, "show") == 0 && arg)
        return s_get (args, &cg_cmd_fund_show, arg, s_print_request);
    if ((strcmp (what, "report") == 0 || strcmp (what, "publish") == 0) && arg)
        return cli_fund_report (args, strcmp (what, "report") == 0 ? &cg_cmd_fund_report
                                                                   : &cg_cmd_fund_publish, arg);
    if (strcmp (what, "export") == 0)
        return s_export (args);
    if (strcmp (what, "verify") == 0)
        return s_get (args, &cg_cmd_fund_verify, "all", s_print_verified);
    return 2;
}
