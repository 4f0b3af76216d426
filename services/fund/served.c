/*  served — see served.h.

    When the person served confirms a volunteer's service of a need
    (consultation's need.served: the need, the match, the community, the
    volunteer, the person served, the minutes), the time bank of the
    need's community credits the volunteer: a posted transfer of the
    minutes from CODE.issuer to CODE.v.VOLUNTEER (opened if new), memo
    "served MATCH for PERSON", reason code 4.  The time bank is the
    `served` fund whose area is the community, else the nearest place
    above it (a street's time bank).

    Exactly once per match, whatever is killed: the transfer's id is a
    hash of the match id (BLAKE2b, 32 hex digits), and the ledger applies
    an id at most once (a repeat answers `exists`).  The credit is made
    before the fund's cursor on consultation's journal moves past the
    event (resolutions.c, in the same follow loop), so a crash between
    the two makes the event come again and find its transfer there.
    Consultation confirms a match once (need_confirm.lua), so two
    need.served of one match never come.

    A community without a time bank, or a credit the ledger refuses, is
    logged and skipped: the service stays confirmed in consultation and
    nothing waits behind it. */
#include "served.h"
#include "cg_text.h"
#include <sodium.h>

#define S_CODE_SERVED   4       /* a transfer's reason: a service confirmed */

struct _served_t {
    cg_daemon_t *daemon;
    funds_t *funds;
    ledger_t *ledger;
};

served_t *
served_new (cg_daemon_t *daemon, funds_t *funds, ledger_t *ledger)
{
    served_t *self = cg_alloc (sizeof *self);
    self->daemon = daemon;
    self->funds = funds;
    self->ledger = ledger;
    return self;
}

void
served_destroy (served_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

/*  The time bank of a community: the served fund nearest above it. */
static fund_t *
s_time_bank (served_t *self, const char *community)
{
    const cg_org_node_t *node = cg_orgtree_find (funds_org (self->funds), community);
    fund_t *best = NULL;
    for (int i = 0; node && funds_at (self->funds, i); i++) {
        fund_t *f = funds_at (self->funds, i);
        if (f->served_rule && streq (f->ledger, "min") && cg_orgtree_within (node, f->area)
        &&  (!best || f->area->depth > best->area->depth))
            best = f;
    }
    return best;
}

/*  Credits one confirmation; 0, or -1 when the ledger is unreachable. */
static int
s_credit (served_t *self, const cg_need_served_t *e)
{
    fund_t *f = s_time_bank (self, e->community);
    if (!f) {
        zsys_warning ("fund: no time bank serves %s: match %s (%lld minutes of %s) is not "
                      "credited", e->community, e->match, (long long) e->minutes, e->volunteer);
        return 0;
    }
    char account[160], issuer[80], id[33], memo[200];
    cg_error_t err;
    if (funds_open_volunteer (self->funds, f, e->volunteer, account, sizeof account, &err)) {
        if (streq (err.code, "unavailable"))
            return -1;
        zsys_warning ("fund: match %s: %s", e->match, err.message);
        return 0;
    }
    unsigned char h[16];
    char salted[64];
    snprintf (salted, sizeof salted, "need.served|%s", e->match);
    crypto_generichash (h, sizeof h, (const unsigned char *) salted, strlen (salted), NULL, 0);
    sodium_bin2hex (id, sizeof id, h, sizeof h);
    snprintf (issuer, sizeof issuer, "%s.issuer", f->code);
    snprintf (memo, sizeof memo, "served %s for %s", e->match, e->served);
    cg_fund_transfer_t t = { .id = id, .debit = issuer, .credit = account,
                             .amount = e->minutes, .ledger = f->ledger,
                             .code = S_CODE_SERVED, .memo = memo };
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, LEDGER_PREFIX);
    cg_args_add_int (&args, e->at);
    int rc = ledger_add_transfer (&args, &t, &err);
    redisReply *r = rc ? NULL : cg_redis_script (self->daemon->redis, "fund_transfer", 0, &args);
    cg_args_free (&args);
    if (rc)
        zsys_warning ("fund: match %s: %s", e->match, err.message);
    else
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2)
        rc = -1;
    else {
        const char *result = cg_reply_str (r->element[0]);
        if (!streq (result, "ok") && !streq (result, "exists"))
            zsys_warning ("fund: match %s: the ledger refused %lld minutes for %s: %s",
                          e->match, (long long) e->minutes, account, result);
        ledger_chain (self->ledger);
    }
    if (r)
        freeReplyObject (r);
    return rc < 0 ? -1 : 0;
}

int
served_credit (const cg_event_t *events, size_t n, void *arg)
{
    served_t *self = arg;
    for (size_t i = 0; i < n; i++) {
        if (!streq (events[i].topic, "need.served"))
            continue;
        cg_need_served_t e;
        cg_error_t err;
        if (cg_msg_decode (&cg_need_served_def, events[i].body, events[i].size, &e, &err)) {
            zsys_warning ("fund: dropped consultation #%lld: %s: %s", (long long) events[i].seq,
                          err.field, err.message);
            continue;
        }
        int rc = e.volunteer && e.minutes > 0 ? s_credit (self, &e) : 0;
        cg_msg_clear (&cg_need_served_def, &e);
        if (rc)
            return -1;
    }
    return 0;
}
