/*  report — the figures of a run: kept as they come, printed as one table
    at the end, and written to results.json.

    A figure is a median with its min and max over the repeats, and, where
    it has one, the limit it stands beside (their ratio is printed) and the
    issue's target with whether it was met. */
#include "bench.h"

#include <math.h>

#define S_MAX_FIGURES 128

static bench_figure_t s_figures[S_MAX_FIGURES];
static size_t s_nfigures;

int
bench_cmp_double (const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return x < y ? -1 : x > y;
}

void
bench_spread (double *v, size_t n, double *med, double *min, double *max)
{
    if (n == 0) {
        *med = *min = *max = 0;
        return;
    }
    qsort (v, n, sizeof *v, bench_cmp_double);
    *min = v[0];
    *max = v[n - 1];
    *med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/*  Nearest rank: the smallest value with at least p of the values at or
    below it. */
double
bench_quantile (const double *sorted, size_t n, double p)
{
    if (n == 0)
        return 0;
    size_t rank = (size_t) ceil (p * n);
    return sorted[rank ? rank - 1 : 0];
}

static void
s_print_row (FILE *out, const bench_figure_t *f)
{
    char ratio[16] = "", limit[24] = "";
    if (f->limit > 0) {
        snprintf (limit, sizeof limit, "%.6g", f->limit);
        snprintf (ratio, sizeof ratio, "%.2f", f->med / f->limit);
    }
    fprintf (out, "%-10s %-46.46s %12.6g %11.6g %11.6g %-9s %11s %-24.24s %6s %s %s\n",
             f->section, f->name, f->med, f->min, f->max, f->unit, limit,
             f->limit_name ? f->limit_name : "", ratio, f->target ? f->target : "",
             f->verdict == 1 ? "met" : f->verdict == 0 ? "MISSED" : "");
}

void
bench_figure (bench_t *b, const bench_figure_t *f)
{
    (void) b;
    if (s_nfigures == S_MAX_FIGURES)
        return;
    bench_figure_t *copy = &s_figures[s_nfigures++];
    *copy = *f;
    copy->section = strdup (f->section);
    copy->name = strdup (f->name);
    copy->unit = strdup (f->unit);
    copy->limit_name = f->limit_name ? strdup (f->limit_name) : NULL;
    copy->target = f->target ? strdup (f->target) : NULL;
    s_print_row (stdout, copy);     /* as it comes, so a long run shows progress */
    fflush (stdout);
}

void
bench_table_print (FILE *out)
{
    fprintf (out, "\n%-10s %-46s %12s %11s %11s %-9s %11s %-24s %6s %s\n", "section", "figure",
             "median", "min", "max", "unit", "limit", "limit is", "ratio", "target");
    for (size_t i = 0; i < s_nfigures; i++)
        s_print_row (out, &s_figures[i]);
}

static void
s_json_str (FILE *out, const char *s)
{
    fputc ('"', out);
    for (; s && *s; s++)
        if (*s == '"' || *s == '\\')
            fprintf (out, "\\%c", *s);
        else if ((unsigned char) *s < 0x20)
            fprintf (out, "\\u%04x", *s);
        else
            fputc (*s, out);
    fputc ('"', out);
}

void
bench_figures_json (FILE *out)
{
    fprintf (out, "\"figures\":[");
    for (size_t i = 0; i < s_nfigures; i++) {
        const bench_figure_t *f = &s_figures[i];
        fprintf (out, "%s\n {\"section\":", i ? "," : "");
        s_json_str (out, f->section);
        fprintf (out, ",\"name\":");
        s_json_str (out, f->name);
        fprintf (out, ",\"unit\":");
        s_json_str (out, f->unit);
        fprintf (out, ",\"median\":%.6g,\"min\":%.6g,\"max\":%.6g", f->med, f->min, f->max);
        if (f->limit > 0) {
            fprintf (out, ",\"limit\":%.6g,\"limit_is\":", f->limit);
            s_json_str (out, f->limit_name);
            fprintf (out, ",\"ratio\":%.4f", f->med / f->limit);
        }
        if (f->target) {
            fprintf (out, ",\"target\":");
            s_json_str (out, f->target);
            fprintf (out, ",\"met\":%s", f->verdict == 1 ? "true" : "false");
        }
        fputc ('}', out);
    }
    fprintf (out, "]");
}
