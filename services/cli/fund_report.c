/*  fund_report — the CLI's monthly disclosure (三务公开) of a fund:

        civgrid fund report FUND --month YYYY-MM [--json | --format csv | --html FILE]
        civgrid fund publish FUND --month YYYY-MM

    The daemon computes the report from the ledger's entries (fund.report);
    this prints it as text, JSON, CSV, or the printable HTML page of
    cg_disclosure.h (which the gateway serves too).  Money is printed from
    integer fen with integer arithmetic.  Everything a donor or a requester
    typed is escaped for the format it goes into. */
#include "fund.h"
#include <errno.h>
#include "cg_clock.h"
#include "cg_disclosure.h"

static void
s_csv_field (FILE *out, const char *text)
{
    fputc ('"', out);
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            fputc ('"', out);
        fputc (*c, out);
    }
    fputc ('"', out);
}

static void
s_print_text (const cg_fund_report_t *r)
{
    char a[40], b[40], c[40], d[40], e[40];
    cg_money_text (r->opening, r->ledger, a, sizeof a);
    cg_money_text (r->income, r->ledger, b, sizeof b);
    cg_money_text (r->spending, r->ledger, c, sizeof c);
    cg_money_text (r->other, r->ledger, d, sizeof d);
    cg_money_text (r->closing, r->ledger, e, sizeof e);
    printf ("%s %s  %s\n  opening   %s\n  income    %s\n  spending  %s\n  other     %s\n"
            "  closing   %s\n", r->name ? r->name : r->fund, r->fund, r->month, a, b, c, d, e);
    const struct { const char *title; cg_fund_line_t *lines; size_t n; } parts[] = {
        { "donations", r->donations, r->donations_count },
        { "disbursements", r->disbursements, r->disbursements_count },
        { "pending", r->pending, r->pending_count } };
    for (int p = 0; p < 3; p++) {
        if (parts[p].n)
            printf ("  %s\n", parts[p].title);
        for (size_t i = 0; i < parts[p].n; i++) {
            cg_money_text (parts[p].lines[i].amount, r->ledger, a, sizeof a);
            printf ("    %14s  x%-4lld %s\n", a, (long long) parts[p].lines[i].count,
                    parts[p].lines[i].label);
        }
    }
    if (r->goods_count)
        printf ("  goods in kind        opening  donated  out  moved  closing\n");
    for (size_t i = 0; i < r->goods_count; i++) {
        const cg_fund_stock_line_t *g = &r->goods[i];
        printf ("    %s.%s  %lld  +%lld  -%lld  %+lld  = %lld %s\n", g->site, g->item,
                (long long) g->opening, (long long) g->donated, (long long) g->handed_out,
                (long long) g->moved, (long long) g->quantity, g->unit ? g->unit : "");
    }
    printf ("  entries   %lld\n  head      %s\n", (long long) r->entries,
            r->head ? r->head : "(none)");
    char when[40];
    cg_time_iso (r->published ? r->published : r->due, when, sizeof when);
    printf ("  %s %s\n", r->published ? "published" : "due      ", when);
}

static void
s_print_csv (const cg_fund_report_t *r)
{
    printf ("fund,month,section,label,amount,count\n");
    const struct { const char *name; int64_t v; } totals[] = {
        { "opening", r->opening }, { "income", r->income }, { "spending", r->spending },
        { "other", r->other }, { "closing", r->closing } };
    for (int i = 0; i < 5; i++)
        printf ("%s,%s,total,%s,%lld,\n", r->fund, r->month, totals[i].name,
                (long long) totals[i].v);
    const struct { const char *name; cg_fund_line_t *lines; size_t n; } parts[] = {
        { "donation", r->donations, r->donations_count },
        { "disbursement", r->disbursements, r->disbursements_count },
        { "pending", r->pending, r->pending_count } };
    for (int p = 0; p < 3; p++)
        for (size_t i = 0; i < parts[p].n; i++) {
            printf ("%s,%s,%s,", r->fund, r->month, parts[p].name);
            s_csv_field (stdout, parts[p].lines[i].label);
            printf (",%lld,%lld\n", (long long) parts[p].lines[i].amount,
                    (long long) parts[p].lines[i].count);
        }
    /*  goods in kind: the closing units as amount, one line a site and item */
    for (size_t i = 0; i < r->goods_count; i++)
        printf ("%s,%s,goods,%s.%s,%lld,\n", r->fund, r->month, r->goods[i].site,
                r->goods[i].item, (long long) r->goods[i].quantity);
    printf ("%s,%s,chain,head %s,%lld,\n", r->fund, r->month, r->head ? r->head : "",
            (long long) r->entries);
}

static int
s_write_html (const cg_fund_report_t *r, const char *path)
{
    FILE *out = fopen (path, "w");
    if (!out) {
        fprintf (stderr, "civgrid: cannot write %s: %s\n", path, strerror (errno));
        return 1;
    }
    cg_disclosure_html (r, out);
    fclose (out);
    return 0;
}

int
cli_fund_report (cli_args_t *args, const cg_cmddef_t *command, const char *fund)
{
    cg_fund_get_t req = { .id = (char *) fund, .month = (char *) cli_opt (args, "month", NULL) };
    if (command == &cg_cmd_fund_publish)
        cli_fund_who (args, &req.actor, &req.role);
    if (!req.month) {
        fprintf (stderr, "civgrid: --month YYYY-MM is needed\n");
        return 2;
    }
    cg_fund_report_t r;
    if (cli_call (args, command, &req, &r))
        return 1;
    int rc = 0;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_fund_report_def, &r, stdout);
        printf ("\n");
    }
    else
    if (strcmp (cli_opt (args, "format", "text"), "csv") == 0)
        s_print_csv (&r);
    else
    if (cli_opt (args, "html", NULL))
        rc = s_write_html (&r, cli_opt (args, "html", NULL));
    else
        s_print_text (&r);
    cg_msg_clear (&cg_fund_report_def, &r);
    return rc;
}
