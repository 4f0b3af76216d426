/*  residents — resident points (积分) on the ledger.

    Points are a ledger of the one engine, `pts`: pts.issuer -> pts.r.ID
    when a resident earns them, pts.r.ID -> SITE.pts when they redeem them
    at a charity site.  pts.r.ID is no_overdraft, so a redemption beyond
    the balance is the engine's exceeds_credits.

    Three acts earn points (the rules and caps: points.c, data/points):
    - attend: members registered present at a consultation meeting, from
      consultation's journal (topic.attended names them), applied with the
      batch and the cursor in fund_topics.lua (resolutions.c);
    - volunteer: minutes of a time bank posted from CODE.issuer to
      CODE.v.VOLUNTEER, whatever confirmed them (the person served through
      fund.approve, or a confirmed match): the fund reads its own entries
      from its cursor `cg:{fund}:cursor:points_entries` once a second;
    - case: a case dispatch closed (case.closed on its journal: not
      rejected, not merged into another as a repeat), for the resident who
      reported it, known by intake's keyed phone fingerprint (`reporter` in
      cg:{intake}:req:<id>, cg_privacy.h), never the phone itself; a grid
      worker's or a device's report earns nothing.
    The resident's id is the source's: a fingerprint, a member's or a
    volunteer's id.  Each act counts once (`points:acts`, by a 12-byte
    hash of the act, the act's id and the resident, or the three in full in
    a store older than layout 5; the transfer's id is the same hash), so
    an act claimed twice is credited once.  The caps are applied here, by
    the only writer, from the day's counters that the same script moves
    (points_earn, deploy/lua/fund/lib.lua); the batch, the points and the
    cursor go together, so a kill -9 loses or doubles nothing.

    A redemption (fund.redeem) is two linked transfers in one call
    (fund_redeem.lua): the points pts.r.ID -> SITE.pts and the goods
    SITE.ITEM -> SITE.ITEM.out, both or neither, exactly once by the
    client's id.  fund.points shows a resident's balance and a page of
    their entries; the operator API and the CLI ask it (docs/API.md). */
#include "residents.h"
#include "access.h"
#include "cg_clock.h"
#include "cg_privacy.h"
#include "cg_text.h"
#include <sodium.h>

#define P   LEDGER_PREFIX

struct _residents_t {
    cg_daemon_t *daemon;
    ledger_t *ledger;
    goods_t *goods;
    points_t *points;
    char path[512];
    char cursor_key[96];
};

static bool
s_resident_ok (const char *id)
{
    return id && strlen (id) <= RESIDENT_MAX && ledger_account_id_ok (id);
}

/*  What names an act once: a SHA-256 of the act, the act's id and the
    resident.  Its first 16 bytes, in hex, are the award's transfer id, so
    that the same act gives the same transfer; its first 12 raw bytes
    (unless field is NULL) are the act's field in `points:acts` since
    layout 5, where `act:id:resident` in full took some 70 bytes.  96 bits:
    among a billion acts, two share a field with odds of about 1 in 10^11
    (n^2 / 2^97).  A store written before layout 5 holds `act:id:resident`
    itself: both are looked for (residents_add_awards, points_earn). */
#define S_ACT_FIELD 12
static void
s_act_hash (const char *act, const char *id, const char *resident, char award_id[33],
            unsigned char field[S_ACT_FIELD])
{
    char *text = cg_strfmt ("points\n%s\n%s\n%s", act, id, resident);
    unsigned char hash[crypto_hash_sha256_BYTES];
    crypto_hash_sha256 (hash, (const unsigned char *) text, strlen (text));
    free (text);
    sodium_bin2hex (award_id, 33, hash, 16);
    if (field)
        memcpy (field, hash, S_ACT_FIELD);
}

/*  YYYYMMDD in Beijing time. */
static void
s_day (int64_t at, char out[9])
{
    char iso[40];
    cg_time_iso (at, iso, sizeof iso);
    snprintf (out, 9, "%.4s%.2s%.2s", iso, iso + 5, iso + 8);
}

static int64_t *
s_counter (zhash_t *counts, cg_redis_t *redis, const char *day, const char *resident,
           const char *field, bool *failed)
{
    char key[160];
    snprintf (key, sizeof key, "%s|%s|%s", day, resident, field);
    int64_t *n = zhash_lookup (counts, key);
    if (!n) {
        redisReply *r = cg_redis_command (redis, "HGET " P "points:day:%s:%s %s", day, resident,
                                          field);
        *failed |= !r;
        n = cg_alloc (sizeof *n);
        *n = cg_reply_int (r, 0);
        if (r)
            freeReplyObject (r);
        zhash_insert (counts, key, n);
        zhash_freefn (counts, key, free);
    }
    return n;
}

int
residents_add_awards (residents_t *self, cg_args_t *args, const residents_act_t *acts, size_t n)
{
    cg_redis_t *redis = self->daemon->redis;
    zhash_t *counts = zhash_new (), *seen = zhash_new ();
    cg_args_t awards;
    cg_args_init (&awards);
    int64_t count = 0;
    bool failed = false;
    for (size_t i = 0; i < n && !failed; i++) {
        const residents_act_t *a = &acts[i];
        const char *act = points_act_name (a->act);
        if (!s_resident_ok (a->resident) || !a->id)
            continue;
        char key[256], id[33];
        unsigned char field[S_ACT_FIELD];
        snprintf (key, sizeof key, "%s:%s:%s", act, a->id, a->resident);
        s_act_hash (act, a->id, a->resident, id, field);
        redisReply *r = cg_redis_command (redis, "HMGET " P "points:acts %b %s", field,
                                          sizeof field, key);
        failed |= !r || r->type != REDIS_REPLY_ARRAY || r->elements != 2;
        bool counted = zhash_lookup (seen, key)
                    || (!failed && (r->element[0]->type != REDIS_REPLY_NIL
                                ||  r->element[1]->type != REDIS_REPLY_NIL));
        if (r)
            freeReplyObject (r);
        if (counted || failed)
            continue;
        zhash_insert (seen, key, "");
        char day[9];
        s_day (a->at, day);
        int64_t *kind = s_counter (counts, redis, day, a->resident, act, &failed);
        int64_t *all = s_counter (counts, redis, day, a->resident, "all", &failed);
        int64_t points = points_award (self->points, a->act, *kind, *all);
        *kind += points;
        *all += points;
        cg_args_add_str (&awards, id);
        cg_args_add_str (&awards, a->resident);
        cg_args_add_str (&awards, act);
        cg_args_add_str (&awards, a->id);
        cg_args_add_int (&awards, points);
        cg_args_add_str (&awards, day);
        cg_args_add_str (&awards, a->memo ? a->memo : act);
        cg_args_add (&awards, field, sizeof field);
        count++;
    }
    cg_args_add_int (args, cg_clock_now ());
    cg_args_add_int (args, count);
    for (int i = 0; i < awards.argc; i++)
        cg_args_add (args, awards.argv[i], awards.lens[i]);
    cg_args_free (&awards);
    zhash_destroy (&counts);
    zhash_destroy (&seen);
    return failed ? -1 : 0;
}

void
residents_chained (residents_t *self)
{
    ledger_chain (self->ledger);
}

/* --- valid cases, from dispatch's journal --------------------------------- */

static int
s_on_dispatch (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    residents_t *self = arg;
    residents_act_t *acts = cg_alloc ((n ? n : 1) * sizeof *acts);
    char (*reporters)[64] = cg_alloc ((n ? n : 1) * sizeof *reporters);
    cg_case_changed_t *changes = cg_alloc ((n ? n : 1) * sizeof *changes);
    size_t nacts = 0;
    bool failed = false;
    for (size_t i = 0; i < n; i++) {
        if (!streq (events[i].topic, "case.closed"))
            continue;
        cg_case_changed_t *e = &changes[nacts];
        cg_error_t err;
        if (cg_msg_decode (&cg_case_changed_def, events[i].body, events[i].size, e, &err)) {
            zsys_warning ("fund: dropped dispatch #%lld: %s: %s", (long long) events[i].seq,
                          err.field, err.message);
            continue;
        }
        /*  the first caller's fingerprint, as intake keeps it; a worker's
            or a device's report (worker:NAME, device:ID) is not a resident's */
        redisReply *r = cg_redis_command (self->daemon->redis, "HGET cg:{intake}:req:%s reporter",
                                          e->id);
        failed |= !r;
        snprintf (reporters[nacts], sizeof reporters[nacts], "%s", r ? cg_reply_str (r) : "");
        if (r)
            freeReplyObject (r);
        if (strlen (reporters[nacts]) != CG_FINGERPRINT_LEN - 1 || strchr (reporters[nacts], ':')) {
            cg_msg_clear (&cg_case_changed_def, e);
            continue;
        }
        acts[nacts] = (residents_act_t) { .act = POINTS_CASE, .id = e->id,
            .resident = reporters[nacts], .at = e->at, .memo = e->id };
        nacts++;
    }
    cg_args_t args;
    cg_feed_args (&args, P, self->cursor_key, cursor, events, n);
    int rc = -1;
    if (!failed && residents_add_awards (self, &args, acts, nacts) == 0) {
        redisReply *r = cg_redis_script (self->daemon->redis, "fund_points", 0, &args);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1)
            rc = streq (cg_reply_str (r->element[0]), "ok") ? 0 : 1;
        if (r)
            freeReplyObject (r);
        residents_chained (self);
    }
    cg_args_free (&args);
    for (size_t i = 0; i < nacts; i++)
        cg_msg_clear (&cg_case_changed_def, &changes[i]);
    free (changes);
    free (reporters);
    free (acts);
    return rc;
}

/* --- confirmed volunteer minutes, from the fund's own entries ------------- */

void
residents_tick (residents_t *self)
{
    cg_redis_t *redis = self->daemon->redis;
    redisReply *c = cg_redis_command (redis, "GET " P "cursor:points_entries");
    if (!c)
        return;
    int64_t from = cg_reply_int (c, 0);
    freeReplyObject (c);
    redisReply *lines = cg_redis_command (redis, "LRANGE " P "entries %lld %lld",
                                          (long long) from, (long long) from + 999);
    if (!lines || lines->type != REDIS_REPLY_ARRAY || lines->elements == 0) {
        if (lines)
            freeReplyObject (lines);
        return;
    }
    size_t n = lines->elements;
    residents_act_t *acts = cg_alloc (n * sizeof *acts);
    cg_fund_entry_t *entries = cg_alloc (n * sizeof *entries);
    size_t nacts = 0;
    for (size_t i = 0; i < n; i++) {
        cg_fund_entry_t *e = &entries[nacts];
        if (ledger_parse (lines->element[i]->str, e) || !streq (e->ledger, "min")
        ||  !(streq (e->kind, "posted") || streq (e->kind, "post")) || e->amount <= 0)
            continue;
        const char *issuer = strstr (e->debit, ".issuer"), *v = strstr (e->credit, ".v.");
        if (!issuer || issuer[7] || !v)
            continue;
        acts[nacts] = (residents_act_t) { .act = POINTS_VOLUNTEER,
            .id = e->pending_id ? e->pending_id : e->id, .resident = v + 3, .at = e->at,
            .memo = e->credit };
        nacts++;
    }
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, P);
    cg_args_add_str (&args, P "cursor:points_entries");
    cg_args_add_int (&args, from);
    cg_args_add_int (&args, from + (int64_t) n);
    if (residents_add_awards (self, &args, acts, nacts) == 0) {
        redisReply *r = cg_redis_script (redis, "fund_points", 0, &args);
        if (r)
            freeReplyObject (r);
        residents_chained (self);
    }
    cg_args_free (&args);
    free (entries);
    free (acts);
    freeReplyObject (lines);
}

/* --- life ----------------------------------------------------------------- */

residents_t *
residents_new (cg_daemon_t *daemon, ledger_t *ledger)
{
    residents_t *self = cg_alloc (sizeof *self);
    self->daemon = daemon;
    self->ledger = ledger;
    snprintf (self->path, sizeof self->path, "%s",
              cg_daemon_get (daemon, "data/points", "deploy/demo/points.tsv"));
    char err[512];
    self->points = points_load (self->path, err, sizeof err);
    if (!self->points) {
        zsys_error ("fund: %s", err);
        residents_destroy (&self);
        return NULL;
    }
    cg_fund_account_t issuer = { .id = "pts.issuer", .ledger = "pts", .kind = "issuer",
                                 .name = "积分发放", .fund = "pts" };
    cg_fund_result_t opened;
    cg_error_t e;
    if (ledger_open (ledger, &issuer, 1, &opened, &e)) {
        zsys_error ("fund: cannot open pts.issuer: %s", e.message);
        residents_destroy (&self);
        return NULL;
    }
    free (opened.id);
    free (opened.result);
    cg_cursor_key (self->cursor_key, sizeof self->cursor_key, daemon->name, "dispatch");
    /*  a store made before points existed: its past minutes were never
        promised points, so the look at the entries starts at their end */
    redisReply *n = cg_redis_command (daemon->redis, "LLEN " P "entries");
    redisReply *r = n ? cg_redis_command (daemon->redis, "SETNX " P "cursor:points_entries %lld",
                                          (long long) cg_reply_int (n, 0)) : NULL;
    if (n)
        freeReplyObject (n);
    if (r)
        freeReplyObject (r);
    return self;
}

/*  Whether every price of the rules names an item kind; -1 with
    "path:LINE: ..." in err when one does not. */
static int
s_prices_known (residents_t *self, points_t *points, char *err, size_t len)
{
    size_t lineno;
    const char *item;
    for (size_t i = 0; self->goods && (item = points_priced_item (points, i, &lineno)); i++)
        if (!goods_item (self->goods, item)) {
            cg_errset (err, len, "%s:%zu: price: item %s is not an item kind of data/kind",
                       self->path, lineno, item);
            return -1;
        }
    return 0;
}

int
residents_set_goods (residents_t *self, goods_t *goods)
{
    self->goods = goods;
    char err[512];
    if (s_prices_known (self, self->points, err, sizeof err)) {
        zsys_error ("fund: %s", err);
        return -1;
    }
    /*  dispatch's journal only now: every rule its events need is loaded */
    return cg_daemon_follow (self->daemon, "dispatch", s_on_dispatch, self);
}

int
residents_reload (void *arg)
{
    residents_t *self = arg;
    char err[512];
    points_t *points = points_load (self->path, err, sizeof err);
    if (!points) {
        zsys_error ("fund: the points rules stay as they were: %s", err);
        return -1;
    }
    points_t *old = self->points;
    self->points = points;
    if (s_prices_known (self, points, err, sizeof err)) {
        zsys_error ("fund: the points rules stay as they were: %s", err);
        self->points = old;
        points_destroy (&points);
        return -1;
    }
    points_destroy (&old);
    zsys_info ("fund: points rules read again from %s", self->path);
    return 0;
}

void
residents_destroy (residents_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    points_destroy (&(*self_p)->points);
    free (*self_p);
    *self_p = NULL;
}

/* --- redemption and the resident's view ----------------------------------- */

void
residents_on_redeem (void *request, cg_reply_t *reply, void *arg)
{
    residents_t *self = arg;
    cg_fund_redeem_t *req = request;
    const goods_site_t *site = goods_site_for (self->goods, req->site, req->actor, req->role,
                                               reply);
    if (!site)
        return;
    const goods_item_t *item = goods_item (self->goods, req->item);
    if (!item) {
        cg_reply_fail (reply, "not_found", "item", "there is no item kind %s (data/kind)",
                       req->item);
        return;
    }
    int64_t price = points_price (self->points, item->code);
    if (price == 0) {
        cg_reply_fail (reply, "invalid", "item", "%s (%s) cannot be redeemed for points: "
                       "data/points gives it no price", item->name, item->code);
        return;
    }
    if (!s_resident_ok (req->resident)) {
        cg_reply_fail (reply, "invalid", "resident", "a resident's id is 1 to %d letters, "
                       "digits and . _ -", RESIDENT_MAX);
        return;
    }
    int64_t points = price * req->quantity;
    char resident[64], site_pts[48], stock[64], out[64], ledger[LEDGER_ITEM_MAX + 3], id2[33];
    snprintf (resident, sizeof resident, "pts.r.%s", req->resident);
    snprintf (site_pts, sizeof site_pts, "%s.pts", site->code);
    snprintf (stock, sizeof stock, "%s.%s", site->code, item->code);
    snprintf (out, sizeof out, "%s.%s.out", site->code, item->code);
    snprintf (ledger, sizeof ledger, "g.%s", item->code);
    /*  the goods' transfer id: the client's, hashed, so a retry finds both */
    s_act_hash ("redeem", req->id, site->code, id2, NULL);
    int64_t now = cg_clock_now ();
    cg_fund_transfer_t pay = { .id = req->id, .debit = resident, .credit = site_pts,
        .amount = points, .ledger = "pts", .code = 21, .flags = (char *[]) { "linked" },
        .flags_count = 1, .memo = "redeem" };
    cg_fund_transfer_t take = { .id = id2, .debit = stock, .credit = out,
        .amount = req->quantity, .ledger = ledger, .code = 21, .memo = "redeem" };
    cg_args_t args;
    if (ledger_args_begin (&args, now, &pay, reply))
        return;
    cg_error_t err;
    if (ledger_add_transfer (&args, &take, &err)) {
        cg_reply_error (reply, &err);
        cg_args_free (&args);
        return;
    }
    cg_fund_goods_receipt_t rec = { .id = args.argv[2], .action = "redeem",
        .site = (char *) site->code, .item = (char *) item->code, .unit = item->unit,
        .quantity = req->quantity, .points = points, .at = now };
    cg_args_add_str (&args, req->resident);
    cg_args_add_str (&args, site->code);
    cg_args_add_str (&args, item->code);
    cg_args_add_str (&args, req->actor);
    cg_args_add_msg (&args, &cg_fund_goods_receipt_def, &rec);
    const char *status;
    redisReply *r = ledger_run (self->ledger, "fund_redeem", &args, "ok", "fund.redeemed",
                                args.argc - 1, NULL, &status, reply);
    if (r && !streq (status, "ok") && !streq (status, "exists")) {
        int which = r->elements > 1 ? (int) cg_reply_int (r->element[1], 0) : 0;
        if (streq (status, "debit_account_not_found") && which == 1)
            cg_reply_fail (reply, "not_found", "resident", "resident %s has no points yet",
                           req->resident);
        else
        if (streq (status, "exceeds_credits") && which == 1) {
            redisReply *b = cg_redis_command (self->daemon->redis, "HMGET " P "acct:%s cpo dpo",
                                              resident);
            int64_t held = b && b->type == REDIS_REPLY_ARRAY && b->elements == 2
                         ? cg_reply_int (b->element[0], 0) - cg_reply_int (b->element[1], 0) : 0;
            if (b)
                freeReplyObject (b);
            cg_reply_fail (reply, "conflict", "quantity", "%lld × %s at %lld points is %lld "
                           "points, and resident %s holds %lld", (long long) req->quantity,
                           item->code, (long long) price, (long long) points, req->resident,
                           (long long) held);
        }
        else
        if (streq (status, "exceeds_credits") && which == 2)
            goods_refuse_short (self->goods, site, item, req->quantity, reply);
        else
            goods_refuse (reply, status, resident);
    }
    else
    if (r) {
        rec.entry = r->element[1]->integer;
        rec.stock = goods_stock_of (self->goods, site->code, item->code);
        redisReply *b = cg_redis_command (self->daemon->redis, "HMGET " P "acct:%s cpo dpo",
                                          resident);
        rec.balance = b && b->type == REDIS_REPLY_ARRAY && b->elements == 2
                    ? cg_reply_int (b->element[0], 0) - cg_reply_int (b->element[1], 0) : 0;
        if (b)
            freeReplyObject (b);
        rec.repeat = streq (status, "exists");
        cg_reply_ok (reply, &cg_fund_goods_receipt_def, &rec);
    }
    if (r)
        freeReplyObject (r);
    cg_args_free (&args);
}

void
residents_on_points (void *request, cg_reply_t *reply, void *arg)
{
    residents_t *self = arg;
    cg_fund_get_t *req = request;
    if (!s_resident_ok (req->id)) {
        cg_reply_fail (reply, "invalid", "id", "a resident's id is 1 to %d letters, digits and "
                       ". _ -", RESIDENT_MAX);
        return;
    }
    char account[64];
    snprintf (account, sizeof account, "pts.r.%s", req->id);
    redisReply *b = cg_redis_command (self->daemon->redis, "HMGET " P "acct:%s cpo dpo", account);
    bool known = b && b->type == REDIS_REPLY_ARRAY && b->elements == 2
              && b->element[0]->type == REDIS_REPLY_STRING;
    int64_t earned = known ? cg_reply_int (b->element[0], 0) : 0;
    int64_t spent = known ? cg_reply_int (b->element[1], 0) : 0;
    if (b)
        freeReplyObject (b);
    if (!b) {
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
        return;
    }
    if (!known) {
        cg_reply_fail (reply, "not_found", "id", "resident %s has no points", req->id);
        return;
    }
    cg_fund_get_t page = *req;
    page.id = account;
    cg_fund_statement_t st;
    if (ledger_statement (self->ledger, &page, &st, reply))
        return;
    cg_fund_points_t out = { .resident = req->id, .balance = earned - spent, .earned = earned,
                             .total = st.total, .next = st.next, .history = st.entries,
                             .history_count = st.entries_count };
    cg_reply_ok (reply, &cg_fund_points_def, &out);
    cg_msg_clear (&cg_fund_statement_def, &st);
}
