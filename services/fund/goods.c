/*  goods — the charity sites' goods in kind (慈善小屋, 慈善超市).

    A site takes donations in kind, hands them out to families in need and
    passes them to other sites.  Its goods are ledgers of the one engine
    (deploy/lua/fund/lib.lua), not counters beside it: each item kind is a
    ledger of its own, `g.ITEM`, counted in whole units of the item's unit
    (袋, 桶, 件).  A ledger per item kind rather than one "goods" ledger
    with typed accounts, because the engine's own rules then keep the kinds
    apart: a transfer stays on one ledger (rice can never be handed out
    from the oil account), and fund.verify checks that debits equal credits
    on each item kind by itself, where one mixed ledger would add bags of
    rice to quilts.

    Each site and item kind has three accounts, opened at start:
        SITE.ITEM       what the site holds (no_overdraft: never below zero)
        SITE.ITEM.in    the donors' counterparty
        SITE.ITEM.out   the families' counterparty (hand-outs, redemptions)
    so that
        donation in kind    SITE.ITEM.in  -> SITE.ITEM
        hand-out            SITE.ITEM     -> SITE.ITEM.out
        to another site     SITE.ITEM     -> OTHER.ITEM
    Each is one posted transfer with a client-made id (applied once; a
    retry answers the first receipt), never edited, in the hash chain, and
    its record and journal event in the same call (fund_goods.lua).  A
    hand-out or move beyond what the site holds is the engine's
    exceeds_credits, refused on the field `quantity`.

    The items and sites come from data/kind (deploy/demo/kind.tsv), read by
    cg_tsv so that every refusal reads "path:LINE: reason":
        item  CODE  NAME  UNIT
        site  CODE  AREA  cabin|supermarket  NAME
    A site belongs to a community of the org tree; whoever records its
    goods must speak for a place that contains it or lies within it (rule
    fund_area), as an operator, supervisor or admin (rule site_desk). */
#include "goods.h"
#include "access.h"
#include "cg_clock.h"
#include "cg_privacy.h"
#include "cg_text.h"
#include <ctype.h>

#define S_ITEMS_MAX  64
#define S_SITES_MAX  256

struct _goods_t {
    cg_daemon_t *daemon;
    ledger_t *ledger;
    cg_orgtree_t *org;
    goods_item_t items[S_ITEMS_MAX];
    size_t nitems;
    goods_site_t sites[S_SITES_MAX];
    size_t nsites;
};

const goods_item_t *
goods_item (goods_t *self, const char *code)
{
    for (size_t i = 0; code && i < self->nitems; i++)
        if (streq (self->items[i].code, code))
            return &self->items[i];
    return NULL;
}

const goods_site_t *
goods_site (goods_t *self, const char *code)
{
    for (size_t i = 0; code && i < self->nsites; i++)
        if (streq (self->sites[i].code, code))
            return &self->sites[i];
    return NULL;
}

/*  A code: lower-case letters, digits, _ and (sites) -, 1 to max bytes. */
static bool
s_code_ok (const char *code, size_t max, bool dash)
{
    size_t len = strlen (code);
    if (len < 1 || len > max)
        return false;
    for (const char *c = code; *c; c++)
        if (!islower ((unsigned char) *c) && !isdigit ((unsigned char) *c) && *c != '_'
        &&  !(dash && *c == '-'))
            return false;
    return true;
}

static int
s_load_line (goods_t *self, cg_tsv_t *tsv, char **f, int n, funds_t *funds, char *err,
             size_t errlen)
{
    if (streq (f[0], "item")) {
        if (n != 4)
            return cg_tsv_fail (tsv, err, errlen, "an item line is: item CODE NAME UNIT "
                                "(%d fields)", n);
        if (!s_code_ok (f[1], LEDGER_ITEM_MAX, false))
            return cg_tsv_fail (tsv, err, errlen, "item code '%s': 1 to %d of a-z, 0-9, _",
                                f[1], LEDGER_ITEM_MAX);
        if (goods_item (self, f[1]))
            return cg_tsv_fail (tsv, err, errlen, "item %s is listed twice", f[1]);
        if (!*f[2] || !*f[3] || strlen (f[2]) > CG_NAME_MAX || strlen (f[3]) > 16)
            return cg_tsv_fail (tsv, err, errlen, "item %s: a name (at most %d bytes) and a "
                                "unit (at most 16)", f[1], CG_NAME_MAX);
        if (self->nitems == S_ITEMS_MAX)
            return cg_tsv_fail (tsv, err, errlen, "more than %d item kinds", S_ITEMS_MAX);
        goods_item_t *it = &self->items[self->nitems++];
        snprintf (it->code, sizeof it->code, "%s", f[1]);
        it->name = cg_strdup (f[2]);
        it->unit = cg_strdup (f[3]);
        return 0;
    }
    if (streq (f[0], "site")) {
        if (n != 5)
            return cg_tsv_fail (tsv, err, errlen, "a site line is: site CODE AREA "
                                "cabin|supermarket NAME (%d fields)", n);
        if (!s_code_ok (f[1], GOODS_SITE_MAX, true) || streq (f[1], "pts"))
            return cg_tsv_fail (tsv, err, errlen, "site code '%s': 1 to %d of a-z, 0-9, _, - "
                                "(not pts)", f[1], GOODS_SITE_MAX);
        if (goods_site (self, f[1]) || (funds && funds_find (funds, f[1])))
            return cg_tsv_fail (tsv, err, errlen, "site %s: the code is taken (a site or a "
                                "fund has it, and it prefixes the accounts)", f[1]);
        const cg_org_node_t *area = cg_orgtree_find (self->org, f[2]);
        if (!area || area->kind != CG_ORG_COMMUNITY)
            return cg_tsv_fail (tsv, err, errlen, "site %s: area %s is not a community of the "
                                "org tree", f[1], f[2]);
        if (!streq (f[3], "cabin") && !streq (f[3], "supermarket"))
            return cg_tsv_fail (tsv, err, errlen, "site %s: kind '%s' is cabin (慈善小屋) or "
                                "supermarket (慈善超市)", f[1], f[3]);
        if (!*f[4] || strlen (f[4]) > CG_NAME_MAX)
            return cg_tsv_fail (tsv, err, errlen, "site %s: a name of 1 to %d bytes", f[1],
                                CG_NAME_MAX);
        if (self->nsites == S_SITES_MAX)
            return cg_tsv_fail (tsv, err, errlen, "more than %d sites", S_SITES_MAX);
        goods_site_t *s = &self->sites[self->nsites++];
        snprintf (s->code, sizeof s->code, "%s", f[1]);
        s->area = area;
        s->kind = cg_strdup (f[3]);
        s->name = cg_strdup (f[4]);
        return 0;
    }
    return cg_tsv_fail (tsv, err, errlen, "'%s': a line is an item or a site", f[0]);
}

goods_t *
goods_load (const char *path, cg_orgtree_t *org, funds_t *funds, char *err, size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return NULL;
    goods_t *self = cg_alloc (sizeof *self);
    self->org = org;
    char **f;
    int n, rc = 0;
    while (rc == 0 && (n = cg_tsv_next (tsv, &f, err, errlen)) != 0)
        rc = n < 0 ? -1 : s_load_line (self, tsv, f, n, funds, err, errlen);
    cg_tsv_destroy (&tsv);
    if (rc)
        goods_destroy (&self);
    return self;
}

/*  Opens every site's accounts, a batch per site. */
static int
s_open_accounts (goods_t *self)
{
    for (size_t s = 0; s < self->nsites; s++) {
        const goods_site_t *site = &self->sites[s];
        cg_fund_account_t accounts[3 * S_ITEMS_MAX + 1];
        cg_fund_result_t results[3 * S_ITEMS_MAX + 1];
        char ids[3 * S_ITEMS_MAX + 1][80], ledgers[S_ITEMS_MAX][LEDGER_ITEM_MAX + 3];
        char *no_overdraft[] = { "no_overdraft" };
        size_t n = 0;
        for (size_t i = 0; i < self->nitems; i++) {
            const char *suffix[] = { "", ".in", ".out" };
            const char *kinds[] = { "stock", "donors", "recipients" };
            snprintf (ledgers[i], sizeof ledgers[i], "g.%s", self->items[i].code);
            for (int k = 0; k < 3; k++) {
                snprintf (ids[n], sizeof ids[n], "%s.%s%s", site->code, self->items[i].code,
                          suffix[k]);
                accounts[n] = (cg_fund_account_t) { .id = ids[n], .ledger = ledgers[i],
                    .kind = (char *) kinds[k], .name = site->name, .fund = (char *) site->code,
                    .flags = k == 0 ? no_overdraft : NULL, .flags_count = k == 0 };
                n++;
            }
        }
        /*  the points residents pay at this site (resident points, points.c) */
        snprintf (ids[n], sizeof ids[n], "%s.pts", site->code);
        accounts[n] = (cg_fund_account_t) { .id = ids[n], .ledger = "pts",
            .kind = "site_points", .name = site->name, .fund = (char *) site->code };
        n++;
        cg_error_t err;
        for (size_t from = 0; from < n; from += 100) {
            size_t batch = n - from < 100 ? n - from : 100;
            if (ledger_open (self->ledger, accounts + from, batch, results + from, &err)) {
                zsys_error ("fund: cannot open the accounts of site %s: %s", site->code,
                            err.message);
                return -1;
            }
        }
        for (size_t k = 0; k < n; k++) {
            if (streq (results[k].result, "exists_with_different_fields"))
                zsys_warning ("fund: account %s exists with other settings", results[k].id);
            free (results[k].id);
            free (results[k].result);
        }
    }
    return 0;
}

goods_t *
goods_new (cg_daemon_t *daemon, ledger_t *ledger, cg_orgtree_t *org, funds_t *funds)
{
    char err[512];
    goods_t *self = goods_load (cg_daemon_get (daemon, "data/kind", "deploy/demo/kind.tsv"),
                                org, funds, err, sizeof err);
    if (!self) {
        zsys_error ("fund: %s", err);
        return NULL;
    }
    self->daemon = daemon;
    self->ledger = ledger;
    if (s_open_accounts (self) || ledger_chain (ledger) < 0)
        goods_destroy (&self);
    return self;
}

void
goods_destroy (goods_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    goods_t *self = *self_p;
    for (size_t i = 0; i < self->nitems; i++) {
        free (self->items[i].name);
        free (self->items[i].unit);
    }
    for (size_t i = 0; i < self->nsites; i++) {
        free (self->sites[i].name);
        free (self->sites[i].kind);
    }
    free (self);
    *self_p = NULL;
}

bool
goods_stock_account (goods_t *self, const char *account, const goods_site_t **site,
                     const goods_item_t **item)
{
    const char *dot = strrchr (account, '.');
    if (!dot || (size_t) (dot - account) > GOODS_SITE_MAX)
        return false;
    char code[GOODS_SITE_MAX + 1];
    snprintf (code, sizeof code, "%.*s", (int) (dot - account), account);
    *site = goods_site (self, code);
    *item = goods_item (self, dot + 1);
    return *site && *item;
}

int64_t
goods_stock_of (goods_t *self, const char *site, const char *item)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "HMGET " LEDGER_PREFIX
                                      "acct:%s.%s cpo dpo", site, item);
    int64_t held = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
        held = strtoll (cg_reply_str (r->element[0]), NULL, 10)
             - strtoll (cg_reply_str (r->element[1]), NULL, 10);
    if (r)
        freeReplyObject (r);
    return held;
}

void
goods_refuse_short (goods_t *self, const goods_site_t *site, const goods_item_t *item,
                    int64_t quantity, cg_reply_t *reply)
{
    cg_reply_fail (reply, "conflict", "quantity", "%s holds %lld %s of %s (%s), fewer than "
                   "%lld: goods cannot go below zero", site->name,
                   (long long) goods_stock_of (self, site->code, item->code), item->unit,
                   item->name, item->code, (long long) quantity);
}

void
goods_refuse (cg_reply_t *reply, const char *status, const char *account)
{
    if (streq (status, "exists_with_different_fields"))
        cg_reply_fail (reply, "conflict", "id", "this id was used for another movement "
                       "(exists_with_different_fields)");
    else
        ledger_refuse (reply, status, account);
}

const goods_site_t *
goods_site_for (goods_t *self, const char *code, const char *actor, const char *role,
                cg_reply_t *reply)
{
    const goods_site_t *site = goods_site (self, code);
    if (!site) {
        cg_reply_fail (reply, "not_found", "site", "there is no charity site %s (data/kind)",
                       code);
        return NULL;
    }
    fund_caller_t caller;
    fund_t as_fund = { .code = (char *) site->code, .name = site->name, .area = site->area };
    if (access_caller (self->org, actor, role, &caller, reply)
    ||  access_check (&caller, ACCESS_GOODS, &as_fund, NULL, 0, reply))
        return NULL;
    return site;
}

/* --- movements ------------------------------------------------------------ */

typedef enum { S_IN, S_OUT, S_MOVE } s_action_t;

static void
s_move (goods_t *self, cg_fund_goods_t *req, s_action_t action, cg_reply_t *reply)
{
    static const char *const actions[] = { "in", "out", "move" };
    static const char *const topics[] = { "fund.goods_in", "fund.goods_out", "fund.goods_moved" };
    const goods_site_t *site = goods_site_for (self, req->site, req->actor, req->role, reply);
    if (!site)
        return;
    const goods_item_t *item = goods_item (self, req->item);
    if (!item) {
        cg_reply_fail (reply, "not_found", "item", "there is no item kind %s (data/kind)",
                       req->item);
        return;
    }
    const goods_site_t *to = NULL;
    if (action == S_MOVE) {
        to = req->to ? goods_site (self, req->to) : NULL;
        if (!to) {
            cg_reply_fail (reply, req->to ? "not_found" : "invalid", "to", req->to
                           ? "there is no charity site %s (data/kind)"
                           : "name the site that receives the goods%s", req->to ? req->to : "");
            return;
        }
        if (to == site) {
            cg_reply_fail (reply, "invalid", "to", "the goods are already at %s", site->code);
            return;
        }
    }
    else
    if (req->to) {
        cg_reply_fail (reply, "invalid", "to", "only a move names a site that receives");
        return;
    }
    /*  published masked (王**), from the name without what Word pastes
        around it (cg_text_clean) and without leading blanks */
    char party[CG_NAME_MAX + 8] = "";
    if (req->party && action != S_MOVE) {
        char *clean = cg_text_clean (req->party);
        const char *name = clean ? clean : req->party;
        name += strspn (name, " \t\r\n");
        if (*name)
            cg_mask_name (name, party, sizeof party);
        free (clean);
    }
    char ledger[LEDGER_ITEM_MAX + 3], stock[80], other[80];
    snprintf (ledger, sizeof ledger, "g.%s", item->code);
    snprintf (stock, sizeof stock, "%s.%s", site->code, item->code);
    if (action == S_MOVE)
        snprintf (other, sizeof other, "%s.%s", to->code, item->code);
    else
        snprintf (other, sizeof other, "%s.%s.%s", site->code, item->code,
                  action == S_IN ? "in" : "out");
    int64_t now = cg_clock_now ();
    cg_fund_transfer_t t = { .id = req->id, .debit = action == S_IN ? other : stock,
                             .credit = action == S_IN ? stock : other, .amount = req->quantity,
                             .ledger = ledger, .code = (int64_t) (10 + action),
                             .memo = (char *) topics[action] };
    cg_args_t args;
    if (ledger_args_begin (&args, now, &t, reply))
        return;
    cg_fund_goods_receipt_t rec = { .id = args.argv[2], .action = (char *) actions[action],
        .site = (char *) site->code, .item = (char *) item->code, .unit = item->unit,
        .quantity = req->quantity, .to = to ? (char *) to->code : NULL, .party = *party ? party : NULL, .at = now };
    cg_args_add_str (&args, actions[action]);
    cg_args_add_str (&args, site->code);
    cg_args_add_str (&args, item->code);
    cg_args_add_str (&args, to ? to->code : "");
    cg_args_add_str (&args, party);
    cg_args_add_str (&args, req->actor);
    cg_args_add_msg (&args, &cg_fund_goods_receipt_def, &rec);
    const char *status;
    redisReply *r = ledger_run (self->ledger, "fund_goods", &args, "ok", topics[action],
                                args.argc - 1, NULL, &status, reply);
    if (r && !streq (status, "ok") && !streq (status, "exists")) {
        if (streq (status, "exceeds_credits"))
            goods_refuse_short (self, site, item, req->quantity, reply);
        else
            goods_refuse (reply, status, stock);
    }
    else
    if (r) {
        if (streq (status, "exists")) {
            /*  the first receipt again, as it was recorded */
            rec.action = (char *) cg_reply_str (r->element[3]);
            rec.party = r->element[4]->len ? r->element[4]->str : NULL;
            rec.at = strtoll (cg_reply_str (r->element[5]), NULL, 10);
        }
        rec.entry = r->element[1]->integer;
        rec.stock = goods_stock_of (self, site->code, item->code);
        rec.repeat = streq (status, "exists");
        cg_reply_ok (reply, &cg_fund_goods_receipt_def, &rec);
    }
    if (r)
        freeReplyObject (r);
    cg_args_free (&args);
}

void
goods_on_in (void *request, cg_reply_t *reply, void *arg)
{
    s_move (arg, request, S_IN, reply);
}

void
goods_on_out (void *request, cg_reply_t *reply, void *arg)
{
    s_move (arg, request, S_OUT, reply);
}

void
goods_on_move (void *request, cg_reply_t *reply, void *arg)
{
    s_move (arg, request, S_MOVE, reply);
}

void
goods_on_stock (void *request, cg_reply_t *reply, void *arg)
{
    goods_t *self = arg;
    cg_fund_get_t *req = request;
    const goods_site_t *site = goods_site (self, req->id);
    if (!site) {
        cg_reply_fail (reply, "not_found", "id", "there is no charity site %s (data/kind)",
                       req->id);
        return;
    }
    cg_fund_stock_line_t lines[S_ITEMS_MAX];
    for (size_t i = 0; i < self->nitems; i++) {
        int64_t held = goods_stock_of (self, site->code, self->items[i].code);
        if (held < 0) {
            cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
            return;
        }
        lines[i] = (cg_fund_stock_line_t) { .site = (char *) site->code, .item = self->items[i].code,
            .name = self->items[i].name, .unit = self->items[i].unit, .quantity = held };
    }
    cg_fund_stock_t out = { .site = (char *) site->code, .name = site->name,
                            .area = (char *) site->area->code, .items = lines,
                            .items_count = self->nitems };
    cg_reply_ok (reply, &cg_fund_stock_def, &out);
}

void
goods_on_sites (void *request, cg_reply_t *reply, void *arg)
{
    goods_t *self = arg;
    cg_scope_query_t *req = request;
    const cg_org_node_t *scope = cg_orgtree_find (self->org, req->scope);
    if (!scope) {
        cg_reply_fail (reply, "not_found", "scope", "scope %s is not in the org tree", req->scope);
        return;
    }
    size_t limit = req->limit > 0 ? (size_t) req->limit : CG_PICK_MAX;
    cg_fund_site_t sites[CG_PICK_MAX];
    size_t n = 0, total = 0;
    for (size_t i = 0; i < self->nsites; i++) {
        const goods_site_t *site = &self->sites[i];
        if (!cg_orgtree_within (site->area, scope))
            continue;
        if (total++ < limit)
            sites[n++] = (cg_fund_site_t) { .site = (char *) site->code, .name = site->name,
                .kind = site->kind, .area = (char *) site->area->code,
                .area_name = (char *) site->area->name };
    }
    cg_fund_sites_t out = { .scope = req->scope, .sites = sites, .sites_count = n,
                            .total = (int64_t) total };
    cg_reply_ok (reply, &cg_fund_sites_def, &out);
}

/* --- the monthly disclosure ----------------------------------------------- */

static cg_fund_stock_line_t *
s_line (goods_t *self, const goods_site_t *site, const goods_item_t *item,
        cg_fund_stock_line_t **lines, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        if (streq ((*lines)[i].site, site->code) && streq ((*lines)[i].item, item->code))
            return &(*lines)[i];
    if (*n == CG_PAGE_MAX) {
        /*  a street's hundreds of sites by dozens of items: the report stays
            one page; the rest is in the ledger (fund.stock, fund export) */
        zsys_warning ("fund: a report lists goods of %d site and item kinds, no more",
                      CG_PAGE_MAX);
        return NULL;
    }
    (void) self;
    *lines = cg_realloc (*lines, (*n + 1) * sizeof **lines);
    cg_fund_stock_line_t *l = &(*lines)[(*n)++];
    *l = (cg_fund_stock_line_t) { .site = cg_strdup (site->code), .item = cg_strdup (item->code),
        .name = cg_strfmt ("%s %s", site->name, item->name), .unit = cg_strdup (item->unit) };
    return l;
}

/*  One side of a posted entry: the stock account `account` of a site in
    area moves by delta; the other side says what kind of movement. */
static void
s_report_side (goods_t *self, const cg_org_node_t *area, const char *account, const char *other,
               int64_t delta, bool before, cg_fund_stock_line_t **lines, size_t *n)
{
    const goods_site_t *site, *other_site;
    const goods_item_t *item, *other_item;
    if (!goods_stock_account (self, account, &site, &item) || !cg_orgtree_within (site->area, area))
        return;
    cg_fund_stock_line_t *l = s_line (self, site, item, lines, n);
    if (!l)
        return;
    l->quantity += delta;
    if (before)
        l->opening += delta;
    else
    if (goods_stock_account (self, other, &other_site, &other_item))
        l->moved += delta;
    else
    if (delta > 0)
        l->donated += delta;
    else
        l->handed_out -= delta;
}

void
goods_report_entry (goods_t *self, const cg_org_node_t *area, const cg_fund_entry_t *e,
                    int64_t start, cg_fund_stock_line_t **lines, size_t *n)
{
    if (strncmp (e->ledger, "g.", 2) || !(streq (e->kind, "posted") || streq (e->kind, "post")))
        return;
    s_report_side (self, area, e->credit, e->debit, e->amount, e->at < start, lines, n);
    s_report_side (self, area, e->debit, e->credit, -e->amount, e->at < start, lines, n);
}
