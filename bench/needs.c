/*  needs — the figures of matching needs to offers (供需对接).

    A town (和平桥街道, its eight communities) holds S_OFFERS open offers of
    goods (S_OFFERS_QUICK with --quick), posted through consultation, of
    a dozen items, each open a day or two of the month: what a town's
    charity desks and volunteers have on offer at once.

    Proposals per second: need.propose for needs of those items, one
    request after another from one client; each reads the town's open
    offers in one call (offers:<town>) and ranks them (cg_match.h), so a
    proposal costs the town's size, and the figure says how large a town
    a desk can serve.  Its p99 is beside it.

    Matching alone: cg_match_propose over the same offers in this
    process, proposals per second: what the rule costs without Redis and
    the wire, the bound of the first figure. */
#include "bench.h"
#include "cg_match.h"

#define S_OFFERS            5000
#define S_OFFERS_QUICK      2000
#define S_NEEDS             12      /* needs, one per item */
#define S_PROPOSALS         300     /* timed per repeat */
#define S_PROPOSALS_QUICK   100
#define S_DAY_MS            INT64_C(86400000)

static const char *const s_items[S_NEEDS] = {
    "rice", "oil", "quilt", "coat", "milk", "books", "wheelchair", "walker", "fan",
    "heater", "schoolbag", "medicine_box" };

static cg_client_t *
s_client (bench_t *b)
{
    return cg_client_new (zconfig_get (b->config, "consultation/endpoint", ""), 30000, 1);
}

/*  The communities of town 320602001 (320602001001 ...), as the demo tree
    numbers them. */
static void
s_community (int i, char *code)
{
    snprintf (code, 16, "320602001%03d", 1 + i % 8);
}

static int
s_load (bench_t *b, cg_client_t *c, int offers, char needs[S_NEEDS][32], int64_t t0)
{
    char what[CG_SAMPLE_MAX + 1], donor[32], community[16];
    for (int i = 0; i < offers; i++) {
        cg_sample_text ((uint64_t) i, what, 300);
        snprintf (donor, sizeof donor, "bench-donor-%d", i);
        s_community (i, community);
        int64_t from = t0 + (i % 28) * S_DAY_MS;
        cg_need_post_t req = { .community = community, .kind = "goods",
                               .skill = (char *) s_items[i % S_NEEDS], .what = what,
                               .from = from, .until = from + (1 + i % 2) * S_DAY_MS,
                               .donor = donor, .actor = "bench" };
        cg_need_view_t view;
        cg_error_t err;
        if (cg_client_call (c, &cg_cmd_offer_post, &req, &view, &err)) {
            fprintf (stderr, "needs: offer.post: %s\n", err.message);
            return -1;
        }
        cg_msg_clear (&cg_need_view_def, &view);
    }
    for (int i = 0; i < S_NEEDS; i++) {
        s_community (i, community);
        cg_need_post_t req = { .community = community, .kind = "goods",
                               .skill = (char *) s_items[i], .what = "bench need",
                               .from = t0 + 10 * S_DAY_MS, .until = t0 + 20 * S_DAY_MS,
                               .person = "bench.resident", .actor = "bench" };
        cg_need_view_t view;
        cg_error_t err;
        if (cg_client_call (c, &cg_cmd_need_post, &req, &view, &err)) {
            fprintf (stderr, "needs: need.post: %s\n", err.message);
            return -1;
        }
        snprintf (needs[i], 32, "%s", view.id);
        cg_msg_clear (&cg_need_view_def, &view);
    }
    (void) b;
    return 0;
}

/*  The pure rule over offers shaped as the town's. */
static double
s_rule_rate (int offers, int64_t t0)
{
    cg_match_item_t *items = calloc ((size_t) offers, sizeof *items);
    static char ids[S_OFFERS][16], places[S_OFFERS][16];
    for (int i = 0; i < offers; i++) {
        snprintf (ids[i], sizeof ids[i], "GJ%06d", i);
        s_community (i, places[i]);
        int64_t from = t0 + (i % 28) * S_DAY_MS;
        items[i] = (cg_match_item_t) { ids[i], places[i], "320602001", "goods",
                                       s_items[i % S_NEEDS], from,
                                       from + (1 + i % 2) * S_DAY_MS };
    }
    size_t best[CG_MATCH_MAX], total = 0;
    int rounds = 2000;
    int64_t start = bench_now_us ();
    for (int r = 0; r < rounds; r++) {
        char community[16];
        s_community (r, community);
        cg_match_item_t need = { "XQ", community, "320602001", "goods", s_items[r % S_NEEDS],
                                 t0 + 10 * S_DAY_MS, t0 + 20 * S_DAY_MS };
        total += cg_match_propose (&need, items, (size_t) offers, best, CG_MATCH_MAX);
    }
    double seconds = (bench_now_us () - start) / 1e6;
    free (items);
    return total ? rounds / seconds : 0;
}

void
bench_needs (bench_t *b)
{
    int offers = b->quick ? S_OFFERS_QUICK : S_OFFERS;
    int count = b->quick ? S_PROPOSALS_QUICK : S_PROPOSALS;
    int64_t t0 = INT64_C(1796054400000);        /* 2026-12-01 +08:00 */
    cg_client_t *c = s_client (b);
    char needs[S_NEEDS][32];
    if (s_load (b, c, offers, needs, t0)) {
        cg_client_destroy (&c);
        return;
    }
    double rate[BENCH_REPEATS], p99[BENCH_REPEATS], rule[BENCH_REPEATS];
    double *ms = calloc ((size_t) count, sizeof *ms);
    for (int run = 0; run < BENCH_REPEATS; run++) {
        int64_t start = bench_now_us ();
        for (int i = 0; i < count; i++) {
            int64_t at = bench_now_us ();
            cg_need_act_t req = { .id = needs[i % S_NEEDS] };
            cg_need_proposals_t out;
            cg_error_t err;
            if (cg_client_call (c, &cg_cmd_need_propose, &req, &out, &err)) {
                fprintf (stderr, "needs: need.propose: %s\n", err.message);
                free (ms);
                cg_client_destroy (&c);
                return;
            }
            cg_msg_clear (&cg_need_proposals_def, &out);
            ms[i] = (bench_now_us () - at) / 1e3;
        }
        rate[run] = count / ((bench_now_us () - start) / 1e6);
        qsort (ms, (size_t) count, sizeof *ms, bench_cmp_double);
        p99[run] = bench_quantile (ms, (size_t) count, 0.99);
        rule[run] = s_rule_rate (offers, t0);
    }
    free (ms);
    cg_client_destroy (&c);
    char name[96];
    snprintf (name, sizeof name, "need.propose over a town of %d offers", offers);
    bench_figure_t f = { .section = "needs", .name = name, .unit = "proposals/s",
                         .verdict = -1 };
    bench_spread (rate, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    f = (bench_figure_t) { .section = "needs", .name = "need.propose p99", .unit = "ms",
                           .verdict = -1 };
    bench_spread (p99, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    snprintf (name, sizeof name, "cg_match_propose alone over %d offers", offers);
    f = (bench_figure_t) { .section = "needs", .name = name, .unit = "proposals/s",
                           .verdict = -1 };
    bench_spread (rule, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
}
