/*  ledger — accounts, transfers, the hash chain and its verification.

    Every change of balances is one call of a script of deploy/lua/fund,
    whose lib.lua holds the rules (TigerBeetle's: ids applied at most once,
    amounts > 0, one ledger per transfer, no-overdraft accounts checked with
    pending amounts included, two-phase post/void, linked chains all or
    nothing).  The scripts append each applied transfer as a line of text
    to the entry list; this module then chains those lines:

        hash[i] = SHA-256 (hex (hash[i-1]) "\n" line[i]),   hash[0] = 0...0

    computed with libsodium over what fund_unchained.lua reads in one call
    (the chain's end and the entries after it), and stored by
    fund_chain.lua only if nobody extended the chain meanwhile.  The chain is brought up to date after
    every write and on start, so a kill -9 between the write and the
    chaining leaves entries that the next start chains: the hash depends
    only on the lines, never on when it was computed.

    Verification recomputes every hash from the lines and every account's
    balances from the entries alone, compares both with what is stored, and
    checks that debits equal credits on every ledger.

    Opening accounts and raw transfers are for an admin, except a
    volunteer's own minutes (access.c); the funds' own commands make their
    transfers themselves (funds.c). */
#include "ledger.h"
#include "access.h"
#include <sodium.h>
#include <ctype.h>
#include "cg_clock.h"
#include "cg_text.h"

#define S_CHAIN_BATCH   10000   /* entries hashed in one go */

struct _ledger_t {
    cg_daemon_t *daemon;
    cg_orgtree_t *org;
};

static const char *const s_transfer_flags[] = { "linked", "pending", "post_pending",
                                                "void_pending", NULL };
static const char *const s_account_flags[] = { "no_overdraft", "no_overcredit", NULL };

ledger_t *
ledger_new (cg_daemon_t *daemon, cg_orgtree_t *org)
{
    if (sodium_init () < 0)
        return NULL;
    ledger_t *self = calloc (1, sizeof *self);
    assert (self);
    self->daemon = daemon;
    self->org = org;
    return self;
}

void
ledger_destroy (ledger_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

bool
ledger_name_ok (const char *ledger)
{
    if (!ledger)
        return false;
    if (streq (ledger, "cny") || streq (ledger, "min") || streq (ledger, "pts"))
        return true;
    size_t len = strlen (ledger);
    if (len < 3 || len > 2 + LEDGER_ITEM_MAX || strncmp (ledger, "g.", 2))
        return false;
    for (const char *c = ledger + 2; *c; c++)
        if (!islower ((unsigned char) *c) && !isdigit ((unsigned char) *c) && *c != '_')
            return false;
    return true;
}

bool
ledger_account_id_ok (const char *id)
{
    if (!id || !*id)
        return false;
    for (const char *c = id; *c; c++)
        if (!isalnum ((unsigned char) *c) && *c != '.' && *c != '_' && *c != '-')
            return false;
    return true;
}

/*  The flags of `given` that are in `known`, space-separated in the order
    of `known`; -1 with the unknown one in err. */
static int
s_flags (char **given, size_t n, const char *const *known, const char *field, char *out,
         size_t len, cg_error_t *err)
{
    *out = 0;
    for (size_t i = 0; i < n; i++) {
        bool found = false;
        for (int k = 0; known[k]; k++)
            found |= strcmp (given[i], known[k]) == 0;
        if (!found) {
            cg_error_set (err, "invalid", field, "unknown flag %s", given[i]);
            return -1;
        }
    }
    for (int k = 0; known[k]; k++)
        for (size_t i = 0; i < n; i++)
            if (strcmp (given[i], known[k]) == 0) {
                snprintf (out + strlen (out), len - strlen (out), "%s%s", *out ? " " : "",
                          known[k]);
                break;
            }
    return 0;
}

/*  Lower-cases a 32-hex-digit id into out[33]; -1 when it is not one. */
static int
s_hex_id (const char *id, char *out)
{
    if (!id || strlen (id) != 32)
        return -1;
    for (int i = 0; i < 32; i++) {
        if (!isxdigit ((unsigned char) id[i]))
            return -1;
        out[i] = (char) tolower ((unsigned char) id[i]);
    }
    out[32] = 0;
    return 0;
}

int
ledger_add_transfer (cg_args_t *args, const cg_fund_transfer_t *t, cg_error_t *err)
{
    char id[33], pending[33] = "", flags[80];
    if (s_hex_id (t->id, id)) {
        cg_error_set (err, "invalid", "id", "a transfer id is 32 hex digits (128 bits)");
        return -1;
    }
    if (t->pending_id && s_hex_id (t->pending_id, pending)) {
        cg_error_set (err, "invalid", "pending_id", "a transfer id is 32 hex digits");
        return -1;
    }
    if ((t->debit && !ledger_account_id_ok (t->debit))
    ||  (t->credit && !ledger_account_id_ok (t->credit))) {
        cg_error_set (err, "invalid", t->debit && !ledger_account_id_ok (t->debit)
                      ? "debit" : "credit", "an account id is letters, digits and . _ -");
        return -1;
    }
    if (s_flags (t->flags, t->flags_count, s_transfer_flags, "flags", flags, sizeof flags,
                 err))
        return -1;
    cg_args_add_str (args, id);
    cg_args_add_str (args, t->debit ? t->debit : "");
    cg_args_add_str (args, t->credit ? t->credit : "");
    cg_args_add_int (args, t->amount);
    cg_args_add_str (args, t->ledger ? t->ledger : "");
    cg_args_add_int (args, t->code);
    cg_args_add_str (args, flags);
    cg_args_add_str (args, pending);
    cg_args_add_int (args, t->timeout);
    cg_args_add_str (args, t->memo ? t->memo : "");
    return 0;
}

/* --- the hash chain ------------------------------------------------------- */

static void
s_hash (const char *prev_hex, const char *line, size_t len, char *hex)
{
    crypto_hash_sha256_state st;
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_init (&st);
    crypto_hash_sha256_update (&st, (const unsigned char *) prev_hex, 64);
    crypto_hash_sha256_update (&st, (const unsigned char *) "\n", 1);
    crypto_hash_sha256_update (&st, (const unsigned char *) line, len);
    crypto_hash_sha256_final (&st, digest);
    sodium_bin2hex (hex, 65, digest, sizeof digest);
}

void
ledger_hash_of (ledger_t *self, int64_t seq, char *hex)
{
    *hex = 0;
    if (seq < 1)
        return;
    redisReply *r = cg_redis_command (self->daemon->redis, "LINDEX " LEDGER_PREFIX "chain %lld",
                                      (long long) seq - 1);
    if (r && r->type == REDIS_REPLY_STRING && r->len == 64)
        memcpy (hex, r->str, 65);
    if (r)
        freeReplyObject (r);
}

int64_t
ledger_chain (ledger_t *self)
{
    for (int attempt = 0; attempt < 5; attempt++) {
        /*  one read of the chain's end and the entries after it, one write
            of their hashes: a write after every change costs two calls */
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, LEDGER_PREFIX);
        cg_args_add_int (&args, S_CHAIN_BATCH);
        redisReply *tail = cg_redis_script (self->daemon->redis, "fund_unchained", 0, &args);
        cg_args_free (&args);
        if (!tail || tail->type != REDIS_REPLY_ARRAY || tail->elements != 3
        ||  tail->element[2]->type != REDIS_REPLY_ARRAY) {
            if (tail)
                freeReplyObject (tail);
            return -1;
        }
        int64_t have = tail->element[0]->integer;
        redisReply *lines = tail->element[2];
        char prev[65];
        snprintf (prev, sizeof prev, "%s", have ? cg_reply_str (tail->element[1]) : LEDGER_GENESIS);
        if (lines->elements == 0 || strlen (prev) != 64) {
            freeReplyObject (tail);
            return strlen (prev) == 64 ? have : -1;
        }
        cg_args_init (&args);
        cg_args_add_str (&args, LEDGER_PREFIX);
        cg_args_add_int (&args, have);
        for (size_t i = 0; i < lines->elements; i++) {
            char hex[65];
            s_hash (prev, lines->element[i]->str, lines->element[i]->len, hex);
            cg_args_add_str (&args, hex);
            memcpy (prev, hex, 65);
        }
        bool all = lines->elements < S_CHAIN_BATCH;
        freeReplyObject (tail);
        redisReply *r = cg_redis_script (self->daemon->redis, "fund_chain", 0, &args);
        cg_args_free (&args);
        bool ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2;
        bool stored = ok && streq (cg_reply_str (r->element[0]), "ok");
        int64_t length = ok ? r->element[1]->integer : -1;
        if (r)
            freeReplyObject (r);
        if (!ok)
            return -1;
        if (stored && all)
            return length;
        /*  more than one batch, or someone else chained first: look again */
    }
    return -1;
}

/* --- commands ------------------------------------------------------------- */

int
ledger_open (ledger_t *self, const cg_fund_account_t *accounts, size_t n,
             cg_fund_result_t *results, cg_error_t *err)
{
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, LEDGER_PREFIX);
    cg_args_add_int (&args, cg_clock_now ());
    for (size_t i = 0; i < n; i++) {
        const cg_fund_account_t *a = &accounts[i];
        char flags[64], field[32];
        snprintf (field, sizeof field, "accounts[%zu].id", i);
        if (!ledger_account_id_ok (a->id)) {
            cg_error_set (err, "invalid", field, "an account id is letters, digits and . _ -");
            cg_args_free (&args);
            return -1;
        }
        snprintf (field, sizeof field, "accounts[%zu].ledger", i);
        if (!ledger_name_ok (a->ledger)) {
            cg_error_set (err, "invalid", field, "the ledger is cny (fen), min (minutes), pts "
                          "(points) or g.ITEM (units of an item kind: a-z, 0-9, _)");
            cg_args_free (&args);
            return -1;
        }
        snprintf (field, sizeof field, "accounts[%zu].flags", i);
        if (s_flags (a->flags, a->flags_count, s_account_flags, field, flags, sizeof flags,
                     err)) {
            cg_args_free (&args);
            return -1;
        }
        cg_args_add_str (&args, a->id);
        cg_args_add_str (&args, a->ledger);
        cg_args_add_str (&args, a->kind ? a->kind : "");
        cg_args_add_str (&args, a->name ? a->name : "");
        cg_args_add_str (&args, a->fund ? a->fund : "");
        cg_args_add_str (&args, flags);
    }
    redisReply *r = cg_redis_script (self->daemon->redis, "fund_accounts", 0, &args);
    cg_args_free (&args);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == n) {
        for (size_t i = 0; i < n; i++)
            results[i] = (cg_fund_result_t) { .id = strdup (accounts[i].id),
                                              .result = strdup (r->element[i]->str) };
        rc = 0;
    }
    else
        cg_error_set (err, "unavailable", "", "the ledger cannot be reached");
    if (r)
        freeReplyObject (r);
    return rc;
}

/*  Whether the caller is an admin; -1 with the refusal in reply. */
static int
s_admin_only (ledger_t *self, const char *actor, const char *role, cg_reply_t *reply)
{
    fund_caller_t caller;
    if (access_caller (self->org, actor, role, &caller, reply)
    ||  access_check (&caller, ACCESS_LEDGER, NULL, NULL, 0, reply))
        return -1;
    return 0;
}

void
ledger_on_accounts (void *request, cg_reply_t *reply, void *arg)
{
    cg_fund_account_create_t *req = request;
    if (s_admin_only (arg, req->actor, req->role, reply))
        return;
    cg_fund_results_t out = { .results = calloc (req->accounts_count, sizeof (cg_fund_result_t)),
                              .results_count = req->accounts_count };
    assert (out.results);
    cg_error_t err;
    if (ledger_open (arg, req->accounts, req->accounts_count, out.results, &err)) {
        out.results_count = 0;
        cg_reply_error (reply, &err);
    }
    else
        cg_reply_ok (reply, &cg_fund_results_def, &out);
    cg_msg_clear (&cg_fund_results_def, &out);
}

void
ledger_on_transfer (void *request, cg_reply_t *reply, void *arg)
{
    ledger_t *self = arg;
    cg_fund_transfer_batch_t *req = request;
    fund_caller_t caller;
    if (access_caller (self->org, req->actor, req->role, &caller, reply)
    ||  access_transfers (&caller, req->transfers, req->transfers_count, reply))
        return;
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, LEDGER_PREFIX);
    cg_args_add_int (&args, cg_clock_now ());
    for (size_t i = 0; i < req->transfers_count; i++) {
        cg_error_t err;
        if (ledger_add_transfer (&args, &req->transfers[i], &err)) {
            char field[64];
            snprintf (field, sizeof field, "transfers[%zu].%s", i, err.field);
            cg_reply_fail (reply, err.code, field, "%s", err.message);
            cg_args_free (&args);
            return;
        }
    }
    redisReply *r = cg_redis_script (self->daemon->redis, "fund_transfer", 0, &args);
    cg_args_free (&args);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2 * req->transfers_count) {
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
        if (r)
            freeReplyObject (r);
        return;
    }
    cg_fund_results_t out = { .results = calloc (req->transfers_count, sizeof (cg_fund_result_t)),
                              .results_count = req->transfers_count };
    assert (out.results);
    for (size_t i = 0; i < req->transfers_count; i++) {
        out.results[i].id = strdup (req->transfers[i].id);
        out.results[i].result = strdup (r->element[2 * i]->str);
        CG_SET (&out.results[i], fund_result, entry, r->element[2 * i + 1]->integer);
    }
    freeReplyObject (r);
    ledger_chain (self);
    cg_reply_ok (reply, &cg_fund_results_def, &out);
    cg_msg_clear (&cg_fund_results_def, &out);
}

/*  Loads an account; 0, 1 when there is none, -1 when Redis failed. */
static int
s_account (ledger_t *self, const char *id, cg_fund_account_t *a)
{
    memset (a, 0, sizeof *a);
    redisReply *r = cg_redis_command (self->daemon->redis,
                                      "HMGET " LEDGER_PREFIX "acct:%s ledger kind name fund flags "
                                      "dp dpo cp cpo", id);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 9) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    int rc = r->element[0]->type == REDIS_REPLY_STRING ? 0 : 1;
    if (rc == 0) {
        a->id = strdup (id);
        const char *keys[] = { "ledger", "kind", "name", "fund" };
        for (int i = 0; i < 4; i++)
            if (r->element[i]->type == REDIS_REPLY_STRING && r->element[i]->len)
                cg_msg_set (&cg_fund_account_def, a, keys[i], r->element[i]->str,
                            r->element[i]->len);
        char *flags = strdup (cg_reply_str (r->element[4]));
        a->flags = calloc (4, sizeof (char *));
        assert (a->flags);
        for (char *f = strtok (flags, " "); f && a->flags_count < 4; f = strtok (NULL, " "))
            a->flags[a->flags_count++] = strdup (f);
        free (flags);
        CG_SET (a, fund_account, debits_pending, cg_reply_int (r->element[5], 0));
        CG_SET (a, fund_account, debits_posted, cg_reply_int (r->element[6], 0));
        CG_SET (a, fund_account, credits_pending, cg_reply_int (r->element[7], 0));
        CG_SET (a, fund_account, credits_posted, cg_reply_int (r->element[8], 0));
    }
    freeReplyObject (r);
    return rc;
}

void
ledger_on_balance (void *request, cg_reply_t *reply, void *arg)
{
    cg_fund_get_t *req = request;
    cg_fund_account_t a;
    int rc = s_account (arg, req->id, &a);
    if (rc == 0)
        cg_reply_ok (reply, &cg_fund_account_def, &a);
    else
    if (rc == 1)
        cg_reply_fail (reply, "not_found", "id", "there is no account %s", req->id);
    else
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
    cg_msg_clear (&cg_fund_account_def, &a);
}

int
ledger_parse (char *line, cg_fund_entry_t *e)
{
    char *f[11];
    int n = 0;
    for (char *p = line; n < 11; n++) {
        f[n] = p;
        char *tab = n < 10 ? strchr (p, '\t') : NULL;
        if (n < 10 && !tab)
            return -1;
        if (tab) {
            *tab = 0;
            p = tab + 1;
        }
    }
    memset (e, 0, sizeof *e);
    e->seq = atoll (f[0]);
    e->at = atoll (f[1]);
    e->kind = f[2];
    e->id = f[3];
    e->ledger = f[4];
    e->debit = f[5];
    e->credit = f[6];
    e->amount = atoll (f[7]);
    e->pending_id = *f[8] ? f[8] : NULL;
    e->code = atoll (f[9]);
    e->memo = *f[10] ? f[10] : NULL;
    return e->seq > 0 && e->amount >= 0 ? 0 : -1;
}

/*  The entry at seq as a message, with its hash; false when unreadable. */
static bool
s_entry (ledger_t *self, int64_t seq, cg_fund_entry_t *out)
{
    redisReply *line = cg_redis_command (self->daemon->redis,
                                         "LINDEX " LEDGER_PREFIX "entries %lld", (long long) seq - 1);
    cg_fund_entry_t e;
    bool ok = line && line->type == REDIS_REPLY_STRING && ledger_parse (line->str, &e) == 0;
    if (ok) {
        char hash[65];
        ledger_hash_of (self, seq, hash);
        *out = (cg_fund_entry_t) { .seq = e.seq, .at = e.at, .amount = e.amount, .code = e.code,
            .kind = strdup (e.kind), .id = strdup (e.id), .ledger = strdup (e.ledger),
            .debit = strdup (e.debit), .credit = strdup (e.credit),
            .pending_id = e.pending_id ? strdup (e.pending_id) : NULL,
            .memo = e.memo ? strdup (e.memo) : NULL, .hash = *hash ? strdup (hash) : NULL };
    }
    if (line)
        freeReplyObject (line);
    return ok;
}

/*  An account's entries, or with id "*" the whole ledger's: the public
    record that `civgrid fund export` writes out for anyone to check.
    Both lists only grow, at their end, so a page's cursor holds the index
    of the last entry given (and its seq) and the next page starts after
    it, whatever was posted meanwhile. */
int
ledger_statement (ledger_t *self, cg_fund_get_t *req, cg_fund_statement_t *st, cg_reply_t *reply)
{
    int64_t limit = req->limit > 0 ? req->limit : 50;
    cg_redis_t *redis = self->daemon->redis;
    bool all = strcmp (req->id, "*") == 0, given;
    char list[CG_CURSOR_LIST_MAX];
    cg_cursor_at_t after;
    cg_error_t err;
    int64_t now = cg_clock_now ();
    memset (st, 0, sizeof *st);
    if (cg_cursor_query (self->daemon->cursor, "fund.statement", &cg_fund_get_def, req, now,
                         list, &given, &after, &err)) {
        cg_reply_fail (reply, err.code, err.field, "%s", err.message);
        return -1;
    }
    int64_t from = given ? after.pos + 1 : 0;
    redisReply *total = all ? cg_redis_command (redis, "LLEN " LEDGER_PREFIX "entries")
                            : cg_redis_command (redis, "LLEN " LEDGER_PREFIX "acct:%s:entries",
                                                req->id);
    redisReply *seqs = all ? NULL
                           : cg_redis_command (redis, "LRANGE " LEDGER_PREFIX "acct:%s:entries "
                                               "%lld %lld", req->id, (long long) from,
                                               (long long) (from + limit - 1));
    int rc = -1;
    if (!total || (!all && (!seqs || seqs->type != REDIS_REPLY_ARRAY)))
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
    else {
        st->account = strdup (req->id);
        st->total = cg_reply_int (total, 0);
        int64_t n = all ? st->total - from : (int64_t) seqs->elements;
        n = n < 0 ? 0 : n > limit ? limit : n;
        st->entries = calloc (n ? (size_t) n : 1, sizeof (cg_fund_entry_t));
        assert (st->entries);
        int64_t last = 0;
        for (int64_t i = 0; i < n; i++) {
            int64_t seq = all ? from + i + 1 : atoll (seqs->element[i]->str);
            st->entries_count += s_entry (self, seq, &st->entries[st->entries_count]);
            last = seq;
        }
        if (n > 0 && from + n < st->total) {
            char next[CG_CURSOR_MAX];
            cg_cursor_at_t at = { .pos = from + n - 1 };
            snprintf (at.id, sizeof at.id, "%lld", (long long) last);
            cg_cursor_encode (self->daemon->cursor, list, &at, now, next, sizeof next);
            st->next = strdup (next);
        }
        rc = 0;
    }
    if (total)
        freeReplyObject (total);
    if (seqs)
        freeReplyObject (seqs);
    return rc;
}

void
ledger_on_statement (void *request, cg_reply_t *reply, void *arg)
{
    cg_fund_statement_t st;
    if (ledger_statement (arg, request, &st, reply) == 0) {
        cg_reply_ok (reply, &cg_fund_statement_def, &st);
        cg_msg_clear (&cg_fund_statement_def, &st);
    }
}

/* --- scripts that apply transfers ----------------------------------------- */

/*  A refusal for a ledger result, in words. */
void
ledger_refuse (cg_reply_t *reply, const char *result, const char *account)
{
    if (strcmp (result, "exceeds_credits") == 0)
        cg_reply_fail (reply, "conflict", "amount", "%s does not hold that much that is not "
                       "already spent or reserved (exceeds_credits)", account);
    else
    if (strncmp (result, "exists", 6) == 0)
        cg_reply_fail (reply, "conflict", "id", "this id was used for a different transfer (%s)",
                       result);
    else
        cg_reply_fail (reply, "conflict", NULL, "the ledger refused it: %s", result);
}

/*  Starts a script's arguments with the prefix, now and transfer t.
    Returns 0, or -1 with the refusal in reply (args freed). */
int
ledger_args_begin (cg_args_t *args, int64_t now, const cg_fund_transfer_t *t, cg_reply_t *reply)
{
    cg_args_init (args);
    cg_args_add_str (args, LEDGER_PREFIX);
    cg_args_add_int (args, now);
    cg_error_t err;
    if (ledger_add_transfer (args, t, &err)) {
        cg_reply_error (reply, &err);
        cg_args_free (args);
        return -1;
    }
    return 0;
}

/*  Runs a fund script whose answer starts with its status.  When the
    status is `applied`, the script appended one journal entry, args[body_at]
    being its body: it is published as topic, and the new entries chained.
    With refuse_as (the account at stake), a status other than `applied`
    or `exists` is the ledger's refusal.  Returns the answer (free it) with
    its status in *status, or NULL with the refusal in reply. */
redisReply *
ledger_run (ledger_t *self, const char *script, cg_args_t *args, const char *applied,
       const char *topic, int body_at, const char *refuse_as, const char **status,
       cg_reply_t *reply)
{
    redisReply *r = cg_redis_script (self->daemon->redis, script, 0, args);
    *status = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1
            ? cg_reply_str (r->element[0]) : NULL;
    if (!*status) {
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
        if (r)
            freeReplyObject (r);
        return NULL;
    }
    if (strcmp (*status, applied) == 0) {
        int64_t seq = cg_journal_head (self->daemon->redis, "fund");
        if (seq > 0)
            cg_pub_send (self->daemon->pub, "fund", seq, topic, args->argv[body_at],
                         args->lens[body_at]);
        ledger_chain (self);
    }
    else
    if (refuse_as && strcmp (*status, "exists")) {
        ledger_refuse (reply, *status, refuse_as);
        freeReplyObject (r);
        return NULL;
    }
    return r;
}

/* --- verification --------------------------------------------------------- */

typedef struct {
    int64_t dp, dpo, cp, cpo;
    char ledger[17];
} s_balance_t;

static s_balance_t *
s_balance (zhash_t *accounts, const char *id, const char *ledger)
{
    s_balance_t *b = zhash_lookup (accounts, id);
    if (!b) {
        b = calloc (1, sizeof *b);
        assert (b);
        snprintf (b->ledger, sizeof b->ledger, "%s", ledger);
        zhash_insert (accounts, id, b);
        zhash_freefn (accounts, id, free);
    }
    return b;
}

/*  Applies entry e to the recomputed balances; a sentence when it cannot
    be applied. */
static const char *
s_replay (zhash_t *accounts, zhash_t *pending, const cg_fund_entry_t *e)
{
    s_balance_t *a = s_balance (accounts, e->debit, e->ledger);
    s_balance_t *b = s_balance (accounts, e->credit, e->ledger);
    if (strcmp (a->ledger, e->ledger) || strcmp (b->ledger, e->ledger))
        return "an account appears on two ledgers";
    if (strcmp (e->kind, "posted") == 0) {
        a->dpo += e->amount;
        b->cpo += e->amount;
    }
    else
    if (strcmp (e->kind, "pending") == 0) {
        a->dp += e->amount;
        b->cp += e->amount;
        int64_t *held = malloc (sizeof *held);
        assert (held);
        *held = e->amount;
        if (zhash_insert (pending, e->id, held)) {
            free (held);
            return "a pending transfer id appears twice";
        }
        zhash_freefn (pending, e->id, free);
    }
    else {
        int64_t *held = e->pending_id ? zhash_lookup (pending, e->pending_id) : NULL;
        if (!held)
            return "it settles a pending transfer that is not pending";
        bool post = strcmp (e->kind, "post") == 0;
        if ((post && e->amount > *held) || (!post && e->amount != 0))
            return "it settles more than was pending";
        a->dp -= *held;
        b->cp -= *held;
        a->dpo += e->amount;
        b->cpo += e->amount;
        zhash_delete (pending, e->pending_id);
    }
    return NULL;
}

/*  Compares the recomputed balances with the stored ones and the ledgers'
    sums; fills problem and returns -1 at the first difference. */
static int
s_check_balances (ledger_t *self, zhash_t *accounts, char *problem, size_t len)
{
    zhash_t *sums = zhash_new ();       /* ledger -> debits minus credits */
    int rc = 0;
    /*  accounts without entries must hold nothing */
    /*  the ledgers opened (cg:{fund}:ledgers), and cny and min, which
        stores made before that set was kept have without it */
    zlist_t *ledgers = zlist_new ();
    zlist_autofree (ledgers);
    zlist_append (ledgers, "cny");
    zlist_append (ledgers, "min");
    redisReply *names = cg_redis_command (self->daemon->redis, "SMEMBERS " LEDGER_PREFIX "ledgers");
    for (size_t k = 0; names && names->type == REDIS_REPLY_ARRAY && k < names->elements; k++)
        if (!streq (names->element[k]->str, "cny") && !streq (names->element[k]->str, "min"))
            zlist_append (ledgers, names->element[k]->str);
    if (names)
        freeReplyObject (names);
    for (char *ledger = zlist_first (ledgers); ledger; ledger = zlist_next (ledgers)) {
        redisReply *r = cg_redis_command (self->daemon->redis, "SMEMBERS " LEDGER_PREFIX
                                          "accounts:%s", ledger);
        for (size_t k = 0; r && r->type == REDIS_REPLY_ARRAY && k < r->elements; k++)
            s_balance (accounts, r->element[k]->str, ledger);
        if (r)
            freeReplyObject (r);
    }
    zlist_destroy (&ledgers);
    for (s_balance_t *b = zhash_first (accounts); b && rc == 0; b = zhash_next (accounts)) {
        const char *id = zhash_cursor (accounts);
        cg_fund_account_t a;
        if (s_account (self, id, &a) != 0) {
            snprintf (problem, len, "account %s is in the entries but not stored", id);
            rc = -1;
        }
        else
        if (a.debits_pending != b->dp || a.debits_posted != b->dpo
        ||  a.credits_pending != b->cp || a.credits_posted != b->cpo) {
            snprintf (problem, len, "account %s holds dp=%lld dpo=%lld cp=%lld cpo=%lld but its "
                      "entries give dp=%lld dpo=%lld cp=%lld cpo=%lld", id,
                      (long long) a.debits_pending, (long long) a.debits_posted,
                      (long long) a.credits_pending, (long long) a.credits_posted,
                      (long long) b->dp, (long long) b->dpo, (long long) b->cp,
                      (long long) b->cpo);
            rc = -1;
        }
        cg_msg_clear (&cg_fund_account_def, &a);
        int64_t *sum = zhash_lookup (sums, b->ledger);
        if (!sum) {
            sum = calloc (1, sizeof *sum);
            assert (sum);
            zhash_insert (sums, b->ledger, sum);
            zhash_freefn (sums, b->ledger, free);
        }
        *sum += (b->dp + b->dpo) - (b->cp + b->cpo);
    }
    for (int64_t *sum = zhash_first (sums); sum && rc == 0; sum = zhash_next (sums))
        if (*sum != 0) {
            snprintf (problem, len, "on ledger %s debits and credits differ by %lld",
                      (const char *) zhash_cursor (sums), (long long) *sum);
            rc = -1;
        }
    zhash_destroy (&sums);
    return rc;
}

void
ledger_on_verify (void *request, cg_reply_t *reply, void *arg)
{
    (void) request;
    ledger_t *self = arg;
    if (ledger_chain (self) < 0) {
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
        return;
    }
    cg_fund_verified_t out = { .ok = true };
    zhash_t *accounts = zhash_new (), *pending = zhash_new ();
    char prev[65] = LEDGER_GENESIS, problem[192] = "";
    int64_t seq = 0, broken = 0;
    bool failed = false;
    for (int64_t from = 0; !broken && !failed; from += 1000) {
        redisReply *lines = cg_redis_command (self->daemon->redis,
                                              "LRANGE " LEDGER_PREFIX "entries %lld %lld",
                                              (long long) from, (long long) from + 999);
        redisReply *hashes = cg_redis_command (self->daemon->redis,
                                               "LRANGE " LEDGER_PREFIX "chain %lld %lld",
                                               (long long) from, (long long) from + 999);
        failed = !lines || !hashes || lines->type != REDIS_REPLY_ARRAY
              || hashes->type != REDIS_REPLY_ARRAY;
        size_t n = failed ? 0 : lines->elements;
        for (size_t i = 0; i < n && !broken; i++) {
            seq = from + (int64_t) i + 1;
            char hex[65];
            s_hash (prev, lines->element[i]->str, lines->element[i]->len, hex);
            cg_fund_entry_t e;
            const char *why = NULL;
            if (i >= hashes->elements)
                why = "the entry has no hash in the chain";
            else
            if (strcmp (hex, hashes->element[i]->str) != 0)
                why = "its hash does not match: the entry or the chain was altered";
            else
            if (ledger_parse (lines->element[i]->str, &e) || e.seq != seq)
                why = "the entry is malformed or out of place";
            else
                why = s_replay (accounts, pending, &e);
            if (why) {
                broken = seq;
                snprintf (problem, sizeof problem, "entry %lld: %s", (long long) seq, why);
            }
            memcpy (prev, hex, 65);
        }
        if (!failed && hashes->elements > n && !broken) {
            broken = from + (int64_t) n + 1;
            snprintf (problem, sizeof problem, "the chain is longer than the entries");
        }
        if (lines)
            freeReplyObject (lines);
        if (hashes)
            freeReplyObject (hashes);
        if (n < 1000)
            break;
    }
    if (failed)
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
    else {
        if (!broken && s_check_balances (self, accounts, problem, sizeof problem))
            broken = 0, out.ok = false;
        if (broken) {
            out.ok = false;
            CG_SET (&out, fund_verified, broken_at, broken);
        }
        out.entries = broken ? broken - 1 : seq;
        out.head = seq > 0 && !broken ? strdup (prev) : NULL;
        out.problem = *problem ? strdup (problem) : NULL;
        cg_reply_ok (reply, &cg_fund_verified_def, &out);
        cg_msg_clear (&cg_fund_verified_def, &out);
    }
    zhash_destroy (&accounts);
    zhash_destroy (&pending);
}
