/*  ledger — the double-entry engine's C side: accounts, transfers, the
    hash chain over the entries, and verification.  The rules themselves
    live in one place, deploy/lua/fund/lib.lua. */
#ifndef FUND_LEDGER_H_INCLUDED
#define FUND_LEDGER_H_INCLUDED

#include "cg_daemon.h"
#include "cg_orgtree.h"

#define LEDGER_PREFIX   "cg:{fund}:"
#define LEDGER_GENESIS  "0000000000000000000000000000000000000000000000000000000000000000"

typedef struct _ledger_t ledger_t;

/*  org: where callers' centers are looked up (access.c). */
ledger_t *ledger_new (cg_daemon_t *daemon, cg_orgtree_t *org);
void ledger_destroy (ledger_t **self_p);

/*  Checks a transfer's fields the codec cannot (id digits, account ids,
    flag names) and appends its ten script arguments, with the id in lower
    case and the flags in canonical order.  Returns 0, or -1 with err. */
int ledger_add_transfer (cg_args_t *args, const cg_fund_transfer_t *t, cg_error_t *err);

/*  Opens accounts (deploy/lua/fund/fund_accounts.lua); results[i] gets
    ok, exists or exists_with_different_fields.  Returns 0, or -1 when Redis
    failed or an account is invalid (err). */
int ledger_open (ledger_t *self, const cg_fund_account_t *accounts, size_t n,
                 cg_fund_result_t *results, cg_error_t *err);

/*  Hashes the entries not yet chained.  Returns the chain's length, -1 on
    failure. */
int64_t ledger_chain (ledger_t *self);

/*  The chain hash of entry seq (1-based) into hex[65]; "" when none. */
void ledger_hash_of (ledger_t *self, int64_t seq, char *hex);

/*  Parses an entry line into e (strings point into line, which is
    modified).  Returns 0 or -1. */
int ledger_parse (char *line, cg_fund_entry_t *e);

#define LEDGER_ITEM_MAX 12     /* an item kind's code; its ledger is g.CODE */

/*  True for a ledger's name: cny (fen), min (time-bank minutes), pts
    (resident points), or g.ITEM, one ledger per item kind of goods in
    kind, counted in whole units of the item's own unit. */
bool ledger_name_ok (const char *ledger);

/*  True when an id is a valid account id. */
bool ledger_account_id_ok (const char *id);

/*  Starts a script's arguments with the prefix, now and transfer t.
    Returns 0, or -1 with the refusal in reply (args freed). */
int ledger_args_begin (cg_args_t *args, int64_t now, const cg_fund_transfer_t *t,
                       cg_reply_t *reply);

/*  Runs a fund script whose answer starts with its status.  When the
    status is `applied`, the script appended one journal entry, args[body_at]
    being its body: it is published as topic, and the new entries chained.
    With refuse_as (the account at stake), a status other than `applied`
    or `exists` is the ledger's refusal (ledger_refuse).  Returns the answer
    (free it) with its status in *status, or NULL with the refusal in reply. */
redisReply *ledger_run (ledger_t *self, const char *script, cg_args_t *args,
                        const char *applied, const char *topic, int body_at,
                        const char *refuse_as, const char **status, cg_reply_t *reply);

/*  A refusal for a ledger result, in words: exceeds_credits is about the
    amount (refuse_as holds less), the rest as the ledger says. */
void ledger_refuse (cg_reply_t *reply, const char *result, const char *refuse_as);

/*  A page of an account's entries (req->id; "*" for the whole ledger),
    as fund.statement answers it.  Returns 0 (clear st with cg_msg_clear),
    or -1 with the refusal in reply. */
int ledger_statement (ledger_t *self, cg_fund_get_t *req, cg_fund_statement_t *st,
                      cg_reply_t *reply);

cg_command_fn ledger_on_accounts;
cg_command_fn ledger_on_transfer;
cg_command_fn ledger_on_balance;
cg_command_fn ledger_on_statement;
cg_command_fn ledger_on_verify;

#endif
