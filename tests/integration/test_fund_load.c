/*  The fund's invariants under load and through crashes.  Four client
    threads send some 20,000 random transfers (single, two-phase and
    linked, in batches), donations and disbursement requests with their
    approvals, and send earlier batches again with the same ids; meanwhile
    civgrid-fund is killed with -9 twice and redis-server once (AOF with
    `appendfsync always`, set by the test, so that what Redis acknowledged
    survives its own crash; docs/FUND.md).  A client retries an unanswered
    call with the same request and transfer ids until it is answered.
    At the end, from Redis itself: debits equal credits on every ledger, no
    no-overdraft account is overdrawn counting pending amounts, every
    acknowledged transfer is there once, no transfer id has two entries,
    and fund.verify recomputes the chain and every balance. */
#include <criterion/criterion.h>
#include <pthread.h>
#include "cg_testenv.h"

#define S_FUND      "cg:{fund}:"
#define S_WORKERS   4
#define S_CALLS     2000            /* per worker in the crash test; ~3 transfers a call */
#define S_BATCH     6
#define S_ACCOUNTS  8

typedef struct {
    char id[33];
    int64_t amount;
} s_ack_t;

typedef struct {
    int index;
    int calls;
    const char *endpoint;
    s_ack_t *acks;                  /* every transfer answered ok or exists */
    size_t nacks;
    int attempts;                   /* transfers sent, repeats included */
    int donations;
    char failure[256];
} s_worker_t;

static volatile int s_done_calls;

/*  Calls until answered (through restarts); false on a refusal. */
static bool
s_call (cg_client_t *client, const cg_cmddef_t *command, void *req, void *rep, cg_error_t *err)
{
    for (int attempt = 0; attempt < 60; attempt++) {
        if (cg_client_call (client, command, req, rep, err) == 0)
            return true;
        if (strcmp (err->code, "unavailable") != 0)
            return false;
        usleep (200000);
    }
    cr_assert_fail ("%s was never answered: %s", command, err->message);
    return false;
}

static void
s_ack (s_worker_t *w, const char *id, int64_t amount)
{
    if (w->nacks % 1024 == 0)
        w->acks = realloc (w->acks, (w->nacks + 1024) * sizeof (s_ack_t));
    snprintf (w->acks[w->nacks].id, 33, "%s", id);
    w->acks[w->nacks++].amount = amount;
}

static void
s_account_name (char *out, unsigned k)
{
    if (k == S_ACCOUNTS)
        strcpy (out, "k.src");
    else
        sprintf (out, "k.a%u", k);
}

static void *
s_worker (void *arg)
{
    s_worker_t *w = arg;
    cg_client_t *client = cg_client_new (w->endpoint, 3000, 2);
    unsigned seed = 7919u * (unsigned) (w->index + 1);
    unsigned next = 1;
    /*  earlier batches, to send again */
    cg_fund_transfer_t history[64][S_BATCH];
    char ids[64][S_BATCH][33], names[64][S_BATCH][2][16], flagv[64][S_BATCH][1][16];
    char *flags[64][S_BATCH][1];
    size_t history_n[64] = { 0 };
    char pending[256][33];
    int npending = 0;
    for (int call = 0; call < w->calls; call++) {
        int kind = rand_r (&seed) % 10;
        __sync_fetch_and_add (&s_done_calls, 1);
        char rid[48];
        snprintf (rid, sizeof rid, "w%d-%d", w->index, call);
        cg_error_t err;
        if (kind < 6 || (kind == 6 && call < 64)) {
            /*  a batch of transfers, maybe a linked pair, maybe pending */
            int slot = call % 64;
            size_t n = 1 + rand_r (&seed) % S_BATCH;
            for (size_t i = 0; i < n; i++) {
                snprintf (ids[slot][i], 33, "%08x%08x%016x", 0xabcu, (unsigned) w->index, next++);
                unsigned d = rand_r (&seed) % (S_ACCOUNTS + 1), c;
                do c = rand_r (&seed) % S_ACCOUNTS; while (c == d);
                s_account_name (names[slot][i][0], d);
                s_account_name (names[slot][i][1], c);
                int shape = rand_r (&seed) % 8;
                flagv[slot][i][0][0] = 0;
                if (shape == 0 && npending)
                    strcpy (flagv[slot][i][0], rand_r (&seed) % 2 ? "post_pending" : "void_pending");
                else
                if (shape == 1)
                    strcpy (flagv[slot][i][0], "pending");
                else
                if (shape == 2 && i + 1 < n)
                    strcpy (flagv[slot][i][0], "linked");
                flags[slot][i][0] = flagv[slot][i][0];
                bool settle = strstr (flagv[slot][i][0], "_pending") != NULL;
                history[slot][i] = (cg_fund_transfer_t) { .id = ids[slot][i],
                    .debit = settle ? NULL : names[slot][i][0],
                    .credit = settle ? NULL : names[slot][i][1],
                    .amount = settle ? 0 : 1 + rand_r (&seed) % (d == S_ACCOUNTS ? 2000 : 500),
                    .flags = flags[slot][i], .flags_count = flagv[slot][i][0][0] != 0,
                    .pending_id = settle ? pending[rand_r (&seed) % npending] : NULL };
            }
            history_n[slot] = n;
            w->attempts += (int) n;
            cg_fund_transfer_batch_t req = { .rid = rid, .transfers = history[slot],
                                             .transfers_count = n, .actor = "admin:load",
                                             .role = "admin" };
            cg_fund_results_t out;
            if (!s_call (client, &cg_cmd_fund_transfer, &req, &out, &err)) {
                snprintf (w->failure, sizeof w->failure, "transfer refused: %s", err.message);
                break;
            }
            for (size_t i = 0; i < out.results_count; i++) {
                const char *r = out.results[i].result;
                if (strcmp (r, "ok") == 0 || strcmp (r, "exists") == 0) {
                    s_ack (w, history[slot][i].id, history[slot][i].amount);
                    if (strcmp (flagv[slot][i][0], "pending") == 0 && npending < 256)
                        strcpy (pending[npending++], history[slot][i].id);
                }
            }
            cg_msg_clear (&cg_fund_results_def, &out);
        }
        else
        if (kind == 6) {
            /*  an earlier batch again, same ids: nothing is applied twice */
            int slot = rand_r (&seed) % 64;
            if (history_n[slot] == 0)
                continue;
            char rid2[56];
            snprintf (rid2, sizeof rid2, "%s-again", rid);
            w->attempts += (int) history_n[slot];
            cg_fund_transfer_batch_t req = { .rid = rid2, .transfers = history[slot],
                                             .transfers_count = history_n[slot],
                                             .actor = "admin:load", .role = "admin" };
            cg_fund_results_t out;
            if (s_call (client, &cg_cmd_fund_transfer, &req, &out, &err)) {
                for (size_t i = 0; i < out.results_count; i++)
                    if (strcmp (out.results[i].result, "ok") == 0
                    ||  strcmp (out.results[i].result, "exists") == 0)
                        s_ack (w, history[slot][i].id, history[slot][i].amount);
                cg_msg_clear (&cg_fund_results_def, &out);
            }
        }
        else
        if (kind < 9) {
            char id[33];
            snprintf (id, 33, "%08x%08x%016x", 0xd0du, (unsigned) w->index, next++);
            cg_fund_donate_t req = { .rid = rid, .id = id, .fund = "baihe",
                .project = kind == 7 ? "study" : NULL, .donor = "居民", .amount = 100 + call,
                .channel = "wechat", .actor = "center:320602001:desk", .role = "operator" };
            cg_fund_receipt_t out;
            if (s_call (client, &cg_cmd_fund_donate, &req,
                        &out, &err)) {
                s_ack (w, id, req.amount);
                w->attempts++;
                w->donations++;
                cg_msg_clear (&cg_fund_receipt_def, &out);
            }
        }
        else {
            /*  a request from the study project, then two decisions */
            char id[33];
            snprintf (id, 33, "%08x%08x%016x", 0x4e9u, (unsigned) w->index, next++);
            cg_fund_request_t req = { .rid = rid, .id = id, .fund = "baihe", .project = "study",
                .beneficiary = "学生", .amount = 50 + call % 100, .purpose = "助学",
                .actor = "wang.fang", .role = "operator" };
            cg_fund_request_view_t view;
            if (!s_call (client, &cg_cmd_fund_request, &req, &view, &err))
                continue;       /* the project may not hold enough yet */
            s_ack (w, id, req.amount);
            cg_msg_clear (&cg_fund_request_view_def, &view);
            const char *command = call % 3 ? "fund.approve" : "fund.reject";
            char rid2[56];
            snprintf (rid2, sizeof rid2, "%s-d", rid);
            cg_fund_decide_t d = { .rid = rid2, .id = id, .actor = "li.qiang",
                                   .role = "operator" };
            if (s_call (client, cg_cmddef_find (command, "fund"), &d, &view, &err))
                cg_msg_clear (&cg_fund_request_view_def, &view);
            else
                snprintf (w->failure, sizeof w->failure, "decision refused: %s", err.message);
        }
    }
    cg_client_destroy (&client);
    return NULL;
}

/*  Waits until the workers have made n calls (at most two minutes: a
    worker that stopped early has its failure checked at the end). */
static void
s_wait_calls (int n)
{
    for (int i = 0; i < 2400 && s_done_calls < n; i++)
        usleep (50000);
}

/*  Checks the ledger invariants on one consistent snapshot of every
    account (MULTI ... EXEC), so that it can run while clients write. */
static void
s_check_ledgers (cg_teststack_t *stack)
{
    const char *ledgers[] = { "cny", "min" };
    for (int l = 0; l < 2; l++) {
        redisReply *ids = cg_redis_command (stack->redis, "SMEMBERS " S_FUND "accounts:%s",
                                            ledgers[l]);
        cr_assert (ids && ids->type == REDIS_REPLY_ARRAY);
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, "MULTI");
        cr_assert_eq (cg_redis_append (stack->redis, &args), 0);
        for (size_t i = 0; i < ids->elements; i++) {
            cg_args_reset (&args);
            cg_args_add_str (&args, "HMGET");
            cg_args_addf (&args, S_FUND "acct:%s", ids->element[i]->str);
            cg_args_add_str (&args, "flags");
            cg_args_add_str (&args, "dp");
            cg_args_add_str (&args, "dpo");
            cg_args_add_str (&args, "cp");
            cg_args_add_str (&args, "cpo");
            cr_assert_eq (cg_redis_append (stack->redis, &args), 0);
        }
        cg_args_reset (&args);
        cg_args_add_str (&args, "EXEC");
        cr_assert_eq (cg_redis_append (stack->redis, &args), 0);
        cg_args_free (&args);
        for (size_t i = 0; i < ids->elements + 1; i++)
            freeReplyObject (cg_redis_reply (stack->redis));    /* OK, QUEUED... */
        redisReply *snap = cg_redis_reply (stack->redis);
        cr_assert (snap && snap->type == REDIS_REPLY_ARRAY && snap->elements == ids->elements);
        int64_t dp = 0, dpo = 0, cp = 0, cpo = 0;
        for (size_t i = 0; i < snap->elements; i++) {
            redisReply *a = snap->element[i];
            int64_t v[4];
            for (int k = 0; k < 4; k++)
                v[k] = cg_reply_int (a->element[k + 1], -1);
            dp += v[0];
            dpo += v[1];
            cp += v[2];
            cpo += v[3];
            if (strstr (cg_reply_str (a->element[0]), "no_overdraft"))
                cr_assert_leq (v[0] + v[1], v[3], "%s is overdrawn", ids->element[i]->str);
        }
        cr_assert_eq (dpo, cpo, "ledger %s: posted debits %lld, credits %lld", ledgers[l],
                      (long long) dpo, (long long) cpo);
        cr_assert_eq (dp, cp, "ledger %s: pending debits %lld, credits %lld", ledgers[l],
                      (long long) dp, (long long) cp);
        freeReplyObject (snap);
        freeReplyObject (ids);
    }
}

/*  Opens the accounts, runs the workers (with crashes when asked), and
    checks everything at the end; returns the transfers sent. */
static int
s_run (int calls, bool crash)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *admin = cg_teststack_client (stack, "fund");
    cg_fund_account_t accounts[S_ACCOUNTS + 1];
    char names[S_ACCOUNTS + 1][16];
    char *no_overdraft[] = { "no_overdraft" };
    for (unsigned k = 0; k <= S_ACCOUNTS; k++) {
        s_account_name (names[k], k);
        accounts[k] = (cg_fund_account_t) { .id = names[k], .ledger = "cny",
            .flags = k < S_ACCOUNTS ? no_overdraft : NULL, .flags_count = k < S_ACCOUNTS };
    }
    cg_fund_account_create_t open = { .accounts = accounts, .accounts_count = S_ACCOUNTS + 1,
                                      .actor = "admin:load", .role = "admin" };
    cg_fund_results_t opened;
    cg_error_t err;
    cr_assert_eq (cg_client_call (admin, &cg_cmd_fund_account, &open, &opened, &err), 0, "%s", err.message);
    cg_msg_clear (&cg_fund_results_def, &opened);

    s_worker_t workers[S_WORKERS];
    pthread_t threads[S_WORKERS];
    const char *endpoint = zconfig_get (stack->config, "fund/endpoint", "");
    for (int i = 0; i < S_WORKERS; i++) {
        workers[i] = (s_worker_t) { .index = i, .endpoint = endpoint, .calls = calls };
        pthread_create (&threads[i], NULL, s_worker, &workers[i]);
    }
    int total = S_WORKERS * calls;
    if (crash) {
        s_wait_calls (total / 4);
        cg_teststack_kill9 (stack, "fund");
        cg_teststack_restart (stack);
        s_wait_calls (total / 2);
        /*  acknowledged writes must survive Redis's own crash: fsync each */
        freeReplyObject (cg_redis_command (stack->redis, "CONFIG SET appendfsync always"));
        usleep (300000);
        cg_teststack_kill9 (stack, "redis");
        cg_teststack_restart (stack);
        s_wait_calls (total * 3 / 4);
        cg_teststack_kill9 (stack, "fund");
        cg_teststack_restart (stack);
    }
    else
        /*  the invariants hold at every moment, not only at the end */
        for (int k = 1; k <= 8; k++) {
            s_wait_calls (total * k / 10);
            s_check_ledgers (stack);
        }
    for (int i = 0; i < S_WORKERS; i++)
        pthread_join (threads[i], NULL);

    size_t acked = 0;
    int donations = 0, attempts = 0;
    for (int i = 0; i < S_WORKERS; i++) {
        cr_assert_eq (workers[i].failure[0], 0, "worker %d: %s", i, workers[i].failure);
        for (size_t k = 0; k < workers[i].nacks; k++) {
            s_ack_t *a = &workers[i].acks[k];
            char key[80];
            snprintf (key, sizeof key, S_FUND "xfer:%s", a->id);
            int64_t amount = cg_teststack_int (stack, "HGET %s amount", key);
            cr_assert_neq (amount, -1, "acknowledged transfer %s is lost", a->id);
            if (a->amount > 0)
                cr_assert_eq (amount, a->amount, "transfer %s", a->id);
        }
        acked += workers[i].nacks;
        attempts += workers[i].attempts;
        donations += workers[i].donations;
        free (workers[i].acks);
    }
    cr_assert_gt (acked, (size_t) attempts / 2, "only %zu of %d transfers were acknowledged",
                  acked, attempts);

    /*  no transfer has two entries, and every transfer has one */
    int64_t entries = cg_teststack_int (stack, "LLEN %s", S_FUND "entries");
    redisReply *r = cg_redis_command (stack->redis, "LRANGE " S_FUND "entries 0 -1");
    zhash_t *seen = zhash_new ();
    for (size_t i = 0; i < r->elements; i++) {
        char *id = strchr (strchr (strchr (r->element[i]->str, '\t') + 1, '\t') + 1, '\t') + 1;
        *strchr (id, '\t') = 0;
        cr_assert_eq (zhash_insert (seen, id, "x"), 0, "transfer %s has two entries", id);
    }
    freeReplyObject (r);
    zhash_destroy (&seen);
    r = cg_redis_command (stack->redis, "KEYS " S_FUND "xfer:*");
    cr_assert_eq ((int64_t) r->elements, entries);
    freeReplyObject (r);
    r = cg_redis_command (stack->redis, "KEYS " S_FUND "donation:*");
    cr_assert_geq ((int64_t) r->elements, donations);
    redisReply *counts = cg_redis_command (stack->redis, "HVALS " S_FUND "receipts");
    int64_t receipts = 0;
    for (size_t i = 0; i < counts->elements; i++)
        receipts += atoll (counts->element[i]->str);
    freeReplyObject (counts);
    cr_assert_eq (receipts, (int64_t) r->elements, "one receipt number per donation");
    freeReplyObject (r);

    s_check_ledgers (stack);
    cg_fund_get_t get = { .id = "all" };
    cg_fund_verified_t v;
    cr_assert_eq (cg_client_call (admin, &cg_cmd_fund_verify, &get, &v, &err), 0, "%s", err.message);
    cr_assert (v.ok, "%s", v.problem);
    cr_assert_eq (v.entries, entries);
    cg_msg_clear (&cg_fund_verified_def, &v);
    cg_client_destroy (&admin);
    cg_teststack_down (&stack);
    return attempts;
}

Test (fund_load, random_transfers_from_four_clients_keep_every_invariant_at_every_moment,
      .timeout = 300)
{
    s_done_calls = 0;
    int sent = s_run (800, false);
    cr_assert_gt (sent, 8000, "only %d transfers were sent", sent);
}

Test (fund_load, random_transfers_through_kill_9_of_fund_and_redis_lose_and_double_nothing,
      .timeout = 300)
{
    s_done_calls = 0;
    int sent = s_run (S_CALLS, true);
    cr_assert_gt (sent, 20000, "only %d transfers were sent", sent);
}
