/*  fund_report — the CLI's monthly disclosure (三务公开) of a fund:

        civgrid fund report FUND --month YYYY-MM [--json | --format csv | --html FILE]
        civgrid fund publish FUND --month YYYY-MM

    The daemon computes the report from the ledger's entries (fund.report);
    this prints it as text, JSON, CSV, or a printable HTML page with a bar
    chart drawn here as inline SVG.  Money is printed from integer fen with
    integer arithmetic.  Everything a donor or a requester typed is escaped
    for the format it goes into. */
#include "fund.h"
#include <errno.h>
#include "cg_clock.h"

void
cli_fund_money (int64_t amount, const char *ledger, char *buf, size_t len)
{
    if (ledger && strcmp (ledger, "min") == 0)
        snprintf (buf, len, "%lld min", (long long) amount);
    else
        snprintf (buf, len, "%s%lld.%02lld", amount < 0 ? "-" : "",
                  (long long) llabs (amount) / 100, (long long) llabs (amount) % 100);
}

static void
s_html (FILE *out, const char *text)
{
    for (const char *c = text; *c; c++)
        switch (*c) {
            case '<': fputs ("&lt;", out); break;
            case '>': fputs ("&gt;", out); break;
            case '&': fputs ("&amp;", out); break;
            case '"': fputs ("&quot;", out); break;
            case '\'': fputs ("&#39;", out); break;
            default: fputc (*c, out);
        }
}

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
    cli_fund_money (r->opening, r->ledger, a, sizeof a);
    cli_fund_money (r->income, r->ledger, b, sizeof b);
    cli_fund_money (r->spending, r->ledger, c, sizeof c);
    cli_fund_money (r->other, r->ledger, d, sizeof d);
    cli_fund_money (r->closing, r->ledger, e, sizeof e);
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
            cli_fund_money (parts[p].lines[i].amount, r->ledger, a, sizeof a);
            printf ("    %14s  x%-4lld %s\n", a, (long long) parts[p].lines[i].count,
                    parts[p].lines[i].label);
        }
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
    printf ("%s,%s,chain,head %s,%lld,\n", r->fund, r->month, r->head ? r->head : "",
            (long long) r->entries);
}

/*  Horizontal bars, one per line, scaled to the largest: integer widths. */
static void
s_svg_bars (FILE *out, const char *title, const cg_fund_line_t *lines, size_t n,
            const char *colour, const char *ledger)
{
    int64_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (lines[i].amount > max)
            max = lines[i].amount;
    int height = 30 + 26 * (int) n;
    fprintf (out, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"720\" height=\"%d\" "
             "role=\"img\">\n<text x=\"0\" y=\"18\" font-weight=\"bold\">", height);
    s_html (out, title);
    fprintf (out, "</text>\n");
    for (size_t i = 0; i < n; i++) {
        int y = 30 + 26 * (int) i;
        int64_t width = lines[i].amount * 400 / max;
        char amount[40];
        cli_fund_money (lines[i].amount, ledger, amount, sizeof amount);
        fprintf (out, "<text x=\"0\" y=\"%d\" font-size=\"13\">", y + 15);
        s_html (out, lines[i].label);
        fprintf (out, "</text><rect x=\"220\" y=\"%d\" width=\"%lld\" height=\"20\" fill=\"%s\"/>"
                 "<text x=\"%lld\" y=\"%d\" font-size=\"13\">%s</text>\n", y,
                 (long long) (width > 0 ? width : 1), colour, (long long) (226 + width), y + 15,
                 amount);
    }
    fprintf (out, "</svg>\n");
}

static void
s_html_table (FILE *out, const char *title, const cg_fund_line_t *lines, size_t n,
              const char *ledger)
{
    fprintf (out, "<h2>%s</h2>\n<table><tr><th>项目 item</th><th>金额 amount</th>"
             "<th>笔数 count</th></tr>\n", title);
    for (size_t i = 0; i < n; i++) {
        char amount[40];
        cli_fund_money (lines[i].amount, ledger, amount, sizeof amount);
        fprintf (out, "<tr><td>");
        s_html (out, lines[i].label);
        fprintf (out, "</td><td class=\"n\">%s</td><td class=\"n\">%lld</td></tr>\n", amount,
                 (long long) lines[i].count);
    }
    if (n == 0)
        fprintf (out, "<tr><td colspan=\"3\">无 none</td></tr>\n");
    fprintf (out, "</table>\n");
}

static int
s_write_html (const cg_fund_report_t *r, const char *path)
{
    FILE *out = fopen (path, "w");
    if (!out) {
        fprintf (stderr, "civgrid: cannot write %s: %s\n", path, strerror (errno));
        return 1;
    }
    char a[40], b[40], c[40], d[40], e[40], when[40];
    cli_fund_money (r->opening, r->ledger, a, sizeof a);
    cli_fund_money (r->income, r->ledger, b, sizeof b);
    cli_fund_money (r->spending, r->ledger, c, sizeof c);
    cli_fund_money (r->other, r->ledger, d, sizeof d);
    cli_fund_money (r->closing, r->ledger, e, sizeof e);
    fprintf (out, "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\n"
             "<title>");
    s_html (out, r->name ? r->name : r->fund);
    fprintf (out, " %s 财务公开</title>\n<style>body{font-family:sans-serif;max-width:760px;"
             "margin:2em auto}table{border-collapse:collapse;width:100%%;margin-bottom:1em}"
             "td,th{border:1px solid #999;padding:4px 8px}td.n{text-align:right}"
             "code{word-break:break-all}@media print{body{margin:0}}</style></head><body>\n<h1>",
             r->month);
    s_html (out, r->name ? r->name : r->fund);
    fprintf (out, " — %s 月度财务公开 (三务公开)</h1>\n<p>%s</p>\n<table>"
             "<tr><td>期初余额 opening</td><td class=\"n\">%s</td></tr>"
             "<tr><td>本月收入 income</td><td class=\"n\">%s</td></tr>"
             "<tr><td>本月支出 spending</td><td class=\"n\">%s</td></tr>"
             "<tr><td>其他变动 other</td><td class=\"n\">%s</td></tr>"
             "<tr><td>期末余额 closing</td><td class=\"n\">%s</td></tr></table>\n",
             r->month, strcmp (r->ledger, "min") == 0 ? "单位：分钟 (minutes)"
                                                       : "金额单位：元 (CNY)", a, b, c, d, e);
    s_svg_bars (out, "捐赠来源 donations by source", r->donations, r->donations_count,
                "#2a7", r->ledger);
    s_svg_bars (out, "项目支出 disbursements by project", r->disbursements,
                r->disbursements_count, "#c52", r->ledger);
    s_html_table (out, "捐赠 donations", r->donations, r->donations_count, r->ledger);
    s_html_table (out, "支出 disbursements", r->disbursements, r->disbursements_count, r->ledger);
    s_html_table (out, "待审批 pending", r->pending, r->pending_count, r->ledger);
    cg_time_iso (r->due, when, sizeof when);
    fprintf (out, "<p>账本条目 ledger entries: %lld; 哈希链头 chain head: <code>%s</code><br>"
             "核对 check: <code>civgrid fund verify</code> and <code>civgrid fund statement"
             "</code> show the same hash at entry %lld.<br>应公开日期 due: %s</p>\n"
             "</body></html>\n", (long long) r->entries, r->head ? r->head : "",
             (long long) r->entries, when);
    fclose (out);
    return 0;
}

int
cli_fund_report (cli_args_t *args, const char *command, const char *fund)
{
    cg_fund_get_t req = { .id = (char *) fund, .month = (char *) cli_opt (args, "month", NULL) };
    if (strcmp (command, "fund.publish") == 0)
        cli_fund_who (args, &req.actor, &req.role);
    if (!req.month) {
        fprintf (stderr, "civgrid: --month YYYY-MM is needed\n");
        return 2;
    }
    cg_fund_report_t r;
    if (cli_call (args, "fund", command, &cg_fund_get_def, &req, &cg_fund_report_def, &r))
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
