/*  cg_csv — see cg_csv.h. */
#include "cg_csv.h"
#include "cg_clock.h"

#include <string.h>

static const char *s_columns[] = {
    "工单编号 id", "来源 source", "来源编号 ext_ref", "状态 state", "类别 category",
    "网格 grid", "地址 address", "联系电话 contact", "办理层级 level", "责任中心 center",
    "责任单位 unit", "受理时间 created", "归档时间 closed_at", "诉求内容 text", "办理结果 result" };
#define S_COLUMNS (sizeof s_columns / sizeof s_columns[0])

static void
s_field (FILE *out, const char *value, bool last)
{
    value = value ? value : "";
    bool quote = strpbrk (value, ",\"\r\n") != NULL;
    if (quote)
        fputc ('"', out);
    if (strchr ("=+-@", *value) && *value)
        fputc ('\'', out);
    for (const unsigned char *p = (const unsigned char *) value; *p; p++)
        if (*p == '"')
            fputs ("\"\"", out);
        else
        if ((*p < 0x20 && *p != '\n' && *p != '\r') || *p == 0x7f)
            fputc (' ', out);
        else
            fputc (*p, out);
    if (quote)
        fputc ('"', out);
    fputs (last ? "\r\n" : ",", out);
}

void
cg_csv_head (FILE *out)
{
    fputs (CG_CSV_BOM, out);
    for (size_t i = 0; i < S_COLUMNS; i++)
        s_field (out, s_columns[i], i + 1 == S_COLUMNS);
}

void
cg_csv_cases (FILE *out, const cg_case_view_t *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const cg_case_view_t *c = &cases[i];
        char created[40] = "", closed[40] = "";
        if (c->created)
            cg_time_iso (c->created, created, sizeof created);
        if (c->closed_at)
            cg_time_iso (c->closed_at, closed, sizeof closed);
        const char *values[S_COLUMNS] = { c->id, c->source, c->ext_ref, c->state, c->category,
                                          c->grid, c->address, c->contact, c->level, c->center,
                                          c->unit, created, closed, c->text, c->result };
        for (size_t k = 0; k < S_COLUMNS; k++)
            s_field (out, values[k], k + 1 == S_COLUMNS);
    }
}
