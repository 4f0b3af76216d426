/*  civgrid-fund — the charity funds and the time bank (慈善基金, 时间银行).

    A double-entry ledger (ledger.c, with its rules in deploy/lua/fund)
    under the funds of a file (funds.c): donations, disbursement requests
    approved by the committee, minutes of the time bank confirmed by the
    person served, each command allowed or refused by who the caller is
    (access.c).  It follows consultation's journal to know which topics
    have an adopted resolution (resolutions.c), and credits the time bank
    for each service the person served confirmed there (need.served,
    served.c).  The charity sites keep their goods in kind on ledgers of
    the same engine (goods.c), and residents earn points for taking part
    and redeem them there (residents.c, with the rules of points.c): it
    follows dispatch's journal for valid cases, consultation's for
    attendance, and its own entries for confirmed volunteer minutes.
    Every entry is chained by SHA-256; fund.verify
    recomputes the chain and every balance.  A timer voids pending
    transfers whose timeout has passed and raises the alarm for a monthly
    disclosure (report.c) not published in time.  It emits fund.* on the journal
    `fund`. */
#include "cg_daemon.h"
#include "ledger.h"
#include "funds.h"
#include "report.h"
#include "resolutions.h"
#include "goods.h"
#include "residents.h"
#include "served.h"

typedef struct {
    funds_t *funds;
    report_t *report;
    residents_t *residents;
} s_timers_t;

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_timers_t *timers = arg;
    funds_expire (timers->funds);
    report_check_due (timers->report);
    residents_tick (timers->residents);
    return 0;
}

int
main (int argc, char **argv)
{
    cg_daemon_t *daemon = cg_daemon_new ("fund", argc, argv, 0);
    if (!daemon)
        return 1;
    char err[256];
    cg_orgtree_t *org = cg_orgtree_load (cg_daemon_get (daemon, "data/orgtree",
                                                        "deploy/demo/orgtree.tsv"), err, sizeof err);
    if (!org)
        zsys_error ("fund: %s", err);
    ledger_t *ledger = org ? ledger_new (daemon, org) : NULL;
    residents_t *residents = ledger ? residents_new (daemon, ledger) : NULL;
    resolutions_t *resolutions = residents ? resolutions_new (daemon, org, residents) : NULL;
    funds_t *funds = resolutions ? funds_new (daemon, ledger, org, resolutions) : NULL;
    goods_t *goods = funds ? goods_new (daemon, ledger, org, funds) : NULL;
    if (!goods || residents_set_goods (residents, goods)) {
        goods_destroy (&goods);
        funds_destroy (&funds);
        resolutions_destroy (&resolutions);
        residents_destroy (&residents);
        ledger_destroy (&ledger);
        cg_orgtree_destroy (&org);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    report_t *report = report_new (daemon, funds, goods);
    served_t *served = served_new (daemon, funds, ledger);
    resolutions_also (resolutions, served_credit, served);
    s_timers_t timers = { funds, report, residents };
    cg_server_t *server = daemon->server;
    cg_server_on (server, &cg_cmd_fund_account, ledger_on_accounts, ledger);
    cg_server_on (server, &cg_cmd_fund_transfer, ledger_on_transfer, ledger);
    cg_server_on (server, &cg_cmd_fund_balance, ledger_on_balance, ledger);
    cg_server_on (server, &cg_cmd_fund_statement, ledger_on_statement, ledger);
    cg_server_on (server, &cg_cmd_fund_verify, ledger_on_verify, ledger);
    cg_server_on (server, &cg_cmd_fund_donate, funds_on_donate, funds);
    cg_server_on (server, &cg_cmd_fund_request, funds_on_request, funds);
    cg_server_on (server, &cg_cmd_fund_approve, funds_on_approve, funds);
    cg_server_on (server, &cg_cmd_fund_reject, funds_on_reject, funds);
    cg_server_on (server, &cg_cmd_fund_show, funds_on_show, funds);
    cg_server_on (server, &cg_cmd_fund_requests, funds_on_requests, funds);
    cg_server_on (server, &cg_cmd_fund_report, report_on_report, report);
    cg_server_on (server, &cg_cmd_fund_publish, report_on_publish, report);
    cg_server_on (server, &cg_cmd_fund_goods_in, goods_on_in, goods);
    cg_server_on (server, &cg_cmd_fund_goods_out, goods_on_out, goods);
    cg_server_on (server, &cg_cmd_fund_goods_move, goods_on_move, goods);
    cg_server_on (server, &cg_cmd_fund_stock, goods_on_stock, goods);
    cg_server_on (server, &cg_cmd_fund_sites, goods_on_sites, goods);
    cg_server_on (server, &cg_cmd_fund_redeem, residents_on_redeem, residents);
    cg_server_on (server, &cg_cmd_fund_points, residents_on_points, residents);
    cg_daemon_on_hangup (daemon, residents_reload, residents);
    zloop_timer (daemon->loop, 1000, 0, s_on_tick, &timers);
    int rc = cg_daemon_run (daemon);
    served_destroy (&served);
    report_destroy (&report);
    goods_destroy (&goods);
    funds_destroy (&funds);
    resolutions_destroy (&resolutions);
    residents_destroy (&residents);
    ledger_destroy (&ledger);
    cg_orgtree_destroy (&org);
    cg_daemon_destroy (&daemon);
    return rc;
}
