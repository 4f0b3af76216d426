/*  fund — the ledger's own figures: transfers a second through
    civgrid-fund, one a call and in linked batches, with the p99 latency
    of a call, from many clients at once.

    Each client is a thread with its own DEALER (cg_client_t), calling
    fund.transfer as an admin in a closed loop: one call outstanding per
    client, so the clients together keep the daemon's queue full, which is
    how many desks and the gateway would meet it.  Every transfer moves 1
    fen from an account without limits to one of a few hundred accounts,
    with a fresh id (the run, the process and the client in it, a count),
    so every one is applied (none is `exists`).  A single
    call carries one transfer; a batched call carries S_BATCH transfers in
    chains of S_CHAIN linked ones, each chain all or nothing, as a payroll
    or a month's time-bank minutes would come.  Each call's time, from
    sending to its answer, is one latency sample; p99 is over every call
    of a run.  What a call costs includes everything the daemon does: the
    rules in one Lua call, then chaining the new entries by SHA-256.

    Redemption (积分兑换, fund.redeem) is measured the same way: each call
    redeems one bag of rice at a charity site for points, two linked
    transfers (the points and the goods) with the site's and the
    resident's checks, from a resident and a site stocked beforehand with
    enough for the run. */
#include "bench.h"

#include <pthread.h>
#include <unistd.h>

#define S_DEST      256     /* accounts credited */
#define S_BATCH     100     /* transfers in a batched call */
#define S_CHAIN     10      /* linked transfers in one chain of a batch */
#define S_CLIENTS   16
#define S_ACTOR     "admin:bench"   /* raw transfers are an admin's (docs/FUND.md) */
#define S_SITE      "xq-cabin"      /* a charity site of the demo's data/kind */

typedef struct {
    const char *endpoint;
    int run, index, batch;
    bool redeem;            /* fund.redeem instead of fund.transfer */
    int64_t until_us;
    int64_t transfers, failures;
    double *ms;             /* one latency sample per call */
    size_t n, cap;
} s_client_t;

/*  Opens the accounts the runs use (again is `exists`). */
static int
s_open_accounts (const char *endpoint)
{
    static cg_fund_account_t accounts[S_DEST + 1];
    static char names[S_DEST + 1][24];
    char *no_overdraft[] = { "no_overdraft" };
    for (int k = 0; k <= S_DEST; k++) {
        snprintf (names[k], sizeof names[k], k ? "bench.dst.%d" : "bench.src", k);
        accounts[k] = (cg_fund_account_t) { .id = names[k], .ledger = "cny",
            .flags = k ? no_overdraft : NULL, .flags_count = k > 0 };
    }
    cg_client_t *client = cg_client_new (endpoint, 10000, 3);
    int rc = -1;
    for (int from = 0; client && from <= S_DEST; from += 100) {
        size_t n = S_DEST + 1 - from < 100 ? (size_t) (S_DEST + 1 - from) : 100;
        cg_fund_account_create_t req = { .accounts = accounts + from, .accounts_count = n,
                                         .actor = S_ACTOR, .role = "admin" };
        cg_fund_results_t out;
        cg_error_t err;
        rc = cg_client_call (client, &cg_cmd_fund_account, &req, &out, &err);
        if (rc) {
            fprintf (stderr, "civgrid-bench: fund.account: %s\n", err.message);
            break;
        }
        cg_msg_clear (&cg_fund_results_def, &out);
    }
    cg_client_destroy (&client);
    return rc;
}

static void
s_sample (s_client_t *self, double ms)
{
    if (self->n == self->cap) {
        self->cap = self->cap ? self->cap * 2 : 1024;
        self->ms = realloc (self->ms, self->cap * sizeof *self->ms);
        assert (self->ms);
    }
    self->ms[self->n++] = ms;
}

/*  Stocks S_SITE with rice and gives the resident `bench` points, for the
    redemptions of the runs (each run takes at most what one call gives). */
static int
s_stock_for_redemptions (const char *endpoint, int run)
{
    cg_client_t *client = cg_client_new (endpoint, 10000, 3);
    char id[33];
    cg_error_t err;
    snprintf (id, sizeof id, "%08x%08xbe00000000000001", (unsigned) run, (unsigned) getpid ());
    cg_fund_goods_t in = { .id = id, .site = S_SITE, .item = "rice", .quantity = 100000000,
                           .actor = S_ACTOR, .role = "admin" };
    cg_fund_goods_receipt_t receipt;
    int rc = client ? cg_client_call (client, &cg_cmd_fund_goods_in, &in, &receipt, &err) : -1;
    if (rc == 0)
        cg_msg_clear (&cg_fund_goods_receipt_def, &receipt);
    char *no_overdraft[] = { "no_overdraft" };
    cg_fund_account_t resident = { .id = "pts.r.bench", .ledger = "pts", .kind = "resident",
                                   .flags = no_overdraft, .flags_count = 1 };
    cg_fund_account_create_t open = { .accounts = &resident, .accounts_count = 1,
                                      .actor = S_ACTOR, .role = "admin" };
    cg_fund_results_t out;
    if (rc == 0 && (rc = cg_client_call (client, &cg_cmd_fund_account, &open, &out, &err)) == 0)
        cg_msg_clear (&cg_fund_results_def, &out);
    id[31] = '2';
    cg_fund_transfer_t give = { .id = id, .debit = "pts.issuer", .credit = "pts.r.bench",
                                .amount = INT64_C (1000000000000) };
    cg_fund_transfer_batch_t batch = { .transfers = &give, .transfers_count = 1,
                                       .actor = S_ACTOR, .role = "admin" };
    if (rc == 0 && (rc = cg_client_call (client, &cg_cmd_fund_transfer, &batch, &out, &err)) == 0)
        cg_msg_clear (&cg_fund_results_def, &out);
    if (rc)
        fprintf (stderr, "civgrid-bench: stocking for redemptions: %s\n",
                 client ? err.message : "no client");
    cg_client_destroy (&client);
    return rc;
}

static void *
s_client_run (void *arg)
{
    s_client_t *self = arg;
    cg_client_t *client = cg_client_new (self->endpoint, 30000, 1);
    cg_fund_transfer_t ts[S_BATCH];
    char ids[S_BATCH][33], dst[S_BATCH][24];
    char *linked[] = { "linked" };
    uint64_t next = 0;
    while (client && self->redeem && bench_now_us () < self->until_us) {
        snprintf (ids[0], sizeof ids[0], "%08x%08x%016llx", (unsigned) self->run,
                  (unsigned) getpid () << 8 | (unsigned) self->index, (unsigned long long) ++next);
        cg_fund_redeem_t req = { .id = ids[0], .resident = "bench", .site = S_SITE,
                                 .item = "rice", .quantity = 1, .actor = S_ACTOR,
                                 .role = "admin" };
        cg_fund_goods_receipt_t out;
        cg_error_t err;
        int64_t sent = bench_now_us ();
        int rc = cg_client_call (client, &cg_cmd_fund_redeem, &req, &out, &err);
        double ms = (bench_now_us () - sent) / 1000.0;
        if (rc) {
            self->failures++;
            continue;
        }
        self->transfers += 2;
        cg_msg_clear (&cg_fund_goods_receipt_def, &out);
        s_sample (self, ms);
    }
    while (client && !self->redeem && bench_now_us () < self->until_us) {
        for (int i = 0; i < self->batch; i++) {
            snprintf (ids[i], sizeof ids[i], "%08x%08x%016llx", (unsigned) self->run,
                      (unsigned) getpid () << 8 | (unsigned) self->index,
                      (unsigned long long) ++next);
            snprintf (dst[i], sizeof dst[i], "bench.dst.%d", 1 + (int) (next % S_DEST));
            bool link = self->batch > 1 && (i + 1) % S_CHAIN != 0;
            ts[i] = (cg_fund_transfer_t) { .id = ids[i], .debit = "bench.src", .credit = dst[i],
                .amount = 1, .code = 9, .flags = link ? linked : NULL, .flags_count = link };
        }
        cg_fund_transfer_batch_t req = { .transfers = ts, .transfers_count = self->batch,
                                         .actor = S_ACTOR, .role = "admin" };
        cg_fund_results_t out;
        cg_error_t err;
        int64_t sent = bench_now_us ();
        int rc = cg_client_call (client, &cg_cmd_fund_transfer, &req, &out, &err);
        double ms = (bench_now_us () - sent) / 1000.0;
        if (rc) {
            self->failures += self->batch;
            continue;
        }
        for (size_t i = 0; i < out.results_count; i++)
            if (strcmp (out.results[i].result, "ok") == 0)
                self->transfers++;
            else
                self->failures++;
        cg_msg_clear (&cg_fund_results_def, &out);
        s_sample (self, ms);
    }
    cg_client_destroy (&client);
    return NULL;
}

/*  One run of clients for seconds; the rate of transfers applied and the
    p99 of a call, ms. */
static void
s_run (const char *endpoint, int run, int clients, int batch, bool redeem, double seconds,
       double *rate, double *p99, int64_t *failures)
{
    s_client_t c[S_CLIENTS];
    pthread_t threads[S_CLIENTS];
    int64_t start = bench_now_us ();
    for (int i = 0; i < clients; i++) {
        c[i] = (s_client_t) { .endpoint = endpoint, .run = run, .index = i, .batch = batch,
                              .redeem = redeem, .until_us = start + (int64_t) (seconds * 1e6) };
        pthread_create (&threads[i], NULL, s_client_run, &c[i]);
    }
    int64_t transfers = 0;
    size_t n = 0;
    for (int i = 0; i < clients; i++) {
        pthread_join (threads[i], NULL);
        transfers += c[i].transfers;
        *failures += c[i].failures;
        n += c[i].n;
    }
    double elapsed = (bench_now_us () - start) / 1e6;
    double *all = malloc ((n ? n : 1) * sizeof *all);
    assert (all);
    size_t k = 0;
    for (int i = 0; i < clients; i++) {
        memcpy (all + k, c[i].ms, c[i].n * sizeof *all);
        k += c[i].n;
        free (c[i].ms);
    }
    qsort (all, n, sizeof *all, bench_cmp_double);
    *rate = transfers / elapsed;
    *p99 = n ? bench_quantile (all, n, 0.99) : 0;
    free (all);
}

void
bench_fund (bench_t *b)
{
    const char *endpoint = zconfig_get (b->config, "fund/endpoint", "");
    printf ("== fund\n");
    if (!*endpoint || s_open_accounts (endpoint)) {
        fprintf (stderr, "civgrid-bench: the fund cannot be measured\n");
        return;
    }
    int clients = b->quick ? 4 : S_CLIENTS;
    double seconds = b->quick ? 0.6 : 2.5;
    static int run;
    for (int batched = 0; batched < 2; batched++) {
        int batch = batched ? S_BATCH : 1;
        double rate[BENCH_REPEATS], p99[BENCH_REPEATS];
        int64_t failures = 0;
        for (int r = 0; r < BENCH_REPEATS; r++)
            s_run (endpoint, ++run, clients, batch, false, seconds, &rate[r], &p99[r],
                   &failures);
        if (failures)
            printf ("   %lld transfers not applied\n", (long long) failures);
        char name[96];
        snprintf (name, sizeof name, "fund transfers/s, %s, %d clients", batched
                  ? "linked batches of 100 (chains of 10)" : "one a call", clients);
        bench_figure_t f = { .section = "fund", .name = name, .unit = "transfers/s",
                             .verdict = -1 };
        bench_spread (rate, BENCH_REPEATS, &f.med, &f.min, &f.max);
        bench_figure (b, &f);
        snprintf (name, sizeof name, "fund p99 of a call, %s, %d clients", batched
                  ? "batch of 100" : "one transfer", clients);
        f = (bench_figure_t) { .section = "fund", .name = name, .unit = "ms", .verdict = -1 };
        bench_spread (p99, BENCH_REPEATS, &f.med, &f.min, &f.max);
        bench_figure (b, &f);
    }
    if (s_stock_for_redemptions (endpoint, ++run))
        return;
    double rate[BENCH_REPEATS], p99[BENCH_REPEATS];
    int64_t failures = 0;
    for (int r = 0; r < BENCH_REPEATS; r++)
        s_run (endpoint, ++run, clients, 1, true, seconds, &rate[r], &p99[r], &failures);
    if (failures)
        printf ("   %lld redemptions not applied\n", (long long) failures);
    char name[96];
    snprintf (name, sizeof name, "fund redemption transfers/s (points and goods linked), "
              "%d clients", clients);
    bench_figure_t f = { .section = "fund", .name = name, .unit = "transfers/s", .verdict = -1 };
    bench_spread (rate, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    snprintf (name, sizeof name, "fund p99 of a redemption, %d clients", clients);
    f = (bench_figure_t) { .section = "fund", .name = name, .unit = "ms", .verdict = -1 };
    bench_spread (p99, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
}
