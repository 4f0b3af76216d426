/*  goods — the charity sites' goods in kind (慈善小屋, 慈善超市) on the
    ledger: donations in kind, hand-outs to families in need, transfers
    between sites, and what each site holds. */
#ifndef FUND_GOODS_H_INCLUDED
#define FUND_GOODS_H_INCLUDED

#include "ledger.h"
#include "funds.h"
#include "cg_orgtree.h"

#define GOODS_SITE_MAX  32      /* a site's code */

typedef struct {
    char code[LEDGER_ITEM_MAX + 1];
    char *name;
    char *unit;                         /* 袋, 桶, 件: whole units are counted */
} goods_item_t;

typedef struct {
    char code[GOODS_SITE_MAX + 1];
    char *name;
    char *kind;                         /* cabin (慈善小屋) or supermarket (慈善超市) */
    const cg_org_node_t *area;          /* the community it belongs to */
} goods_site_t;

typedef struct _goods_t goods_t;

/*  The items and sites of the file at path (data/kind), checked against
    the org tree and the funds (a site's code may not be a fund's); NULL
    with "path:LINE: reason" in err. */
goods_t *goods_load (const char *path, cg_orgtree_t *org, funds_t *funds, char *err,
                     size_t errlen);
/*  goods_load of data/kind, whose accounts are opened on the ledger. */
goods_t *goods_new (cg_daemon_t *daemon, ledger_t *ledger, cg_orgtree_t *org, funds_t *funds);
void goods_destroy (goods_t **self_p);

const goods_item_t *goods_item (goods_t *self, const char *code);
const goods_site_t *goods_site (goods_t *self, const char *code);

/*  The site and item of a site's stock account SITE.ITEM, or false. */
bool goods_stock_account (goods_t *self, const char *account, const goods_site_t **site,
                          const goods_item_t **item);

/*  What site holds of item now; -1 when Redis failed. */
int64_t goods_stock_of (goods_t *self, const char *site, const char *item);

/*  The stock lines of the report of a fund serving area: adds entry e
    (its time at, the month starting at start) to the lines of every site
    within area. */
void goods_report_entry (goods_t *self, const cg_org_node_t *area, const cg_fund_entry_t *e,
                         int64_t start, cg_fund_stock_line_t **lines, size_t *n);

/*  Checks the access rule of a movement of goods at site (site_desk) and
    fills the reply when refused; returns the site or NULL. */
const goods_site_t *goods_site_for (goods_t *self, const char *site, const char *actor,
                                    const char *role, cg_reply_t *reply);

/*  Refuses a movement of quantity beyond what site holds of item, on the
    field `quantity`; any other ledger result status on account. */
void goods_refuse_short (goods_t *self, const goods_site_t *site, const goods_item_t *item,
                         int64_t quantity, cg_reply_t *reply);
void goods_refuse (cg_reply_t *reply, const char *status, const char *account);

cg_command_fn goods_on_in;
cg_command_fn goods_on_out;
cg_command_fn goods_on_move;
cg_command_fn goods_on_stock;

/*  fund.sites: the sites whose community lies within scope, in the
    file's order, limit (100) at most, and how many there are. */
cg_command_fn goods_on_sites;

#endif
