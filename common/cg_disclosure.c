/*  cg_disclosure — see cg_disclosure.h. */
#include "cg_disclosure.h"
#include "cg_clock.h"
#include <stdlib.h>
#include <string.h>

void
cg_money_text (int64_t amount, const char *ledger, char *buf, size_t len)
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
        cg_money_text (lines[i].amount, ledger, amount, sizeof amount);
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
        cg_money_text (lines[i].amount, ledger, amount, sizeof amount);
        fprintf (out, "<tr><td>");
        s_html (out, lines[i].label);
        fprintf (out, "</td><td class=\"n\">%s</td><td class=\"n\">%lld</td></tr>\n", amount,
                 (long long) lines[i].count);
    }
    if (n == 0)
        fprintf (out, "<tr><td colspan=\"3\">无 none</td></tr>\n");
    fprintf (out, "</table>\n");
}

/*  Goods in kind of the charity sites (慈善小屋, 慈善超市), in their units. */
static void
s_goods_table (FILE *out, const cg_fund_stock_line_t *lines, size_t n)
{
    fprintf (out, "<h2>实物捐赠 goods in kind</h2>\n<table><tr><th>站点与物资 site and item</th>"
             "<th>期初 opening</th><th>捐入 donated</th><th>发放 handed out</th>"
             "<th>调剂 moved</th><th>期末 closing</th></tr>\n");
    for (size_t i = 0; i < n; i++) {
        fprintf (out, "<tr><td>");
        s_html (out, lines[i].name ? lines[i].name : lines[i].item);
        fprintf (out, " (");
        s_html (out, lines[i].unit ? lines[i].unit : "");
        fprintf (out, ")</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
                 "<td class=\"n\">%lld</td><td class=\"n\">%lld</td><td class=\"n\">%lld</td>"
                 "</tr>\n", (long long) lines[i].opening, (long long) lines[i].donated,
                 (long long) lines[i].handed_out, (long long) lines[i].moved,
                 (long long) lines[i].quantity);
    }
    if (n == 0)
        fprintf (out, "<tr><td colspan=\"6\">无 none</td></tr>\n");
    fprintf (out, "</table>\n");
}

void
cg_disclosure_html (const cg_fund_report_t *r, FILE *out)
{
    char a[40], b[40], c[40], d[40], e[40], when[40];
    cg_money_text (r->opening, r->ledger, a, sizeof a);
    cg_money_text (r->income, r->ledger, b, sizeof b);
    cg_money_text (r->spending, r->ledger, c, sizeof c);
    cg_money_text (r->other, r->ledger, d, sizeof d);
    cg_money_text (r->closing, r->ledger, e, sizeof e);
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
    s_goods_table (out, r->goods, r->goods_count);
    cg_time_iso (r->due, when, sizeof when);
    fprintf (out, "<p>账本条目 ledger entries: %lld; 哈希链头 chain head: <code>%s</code><br>"
             "核对 check: <code>civgrid fund verify</code> and <code>civgrid fund statement"
             "</code> show the same hash at entry %lld.<br>应公开日期 due: %s</p>\n"
             "</body></html>\n", (long long) r->entries, r->head ? r->head : "",
             (long long) r->entries, when);
}

