/*  civgrid-fund — the charity funds and the time bank (慈善基金, 时间银行).

    A double-entry ledger (ledger.c, with its rules in deploy/lua/fund)
    under the funds of a file (funds.c): donations, disbursement requests
    approved by the committee, minutes of the time bank confirmed by the
    person served, each command allowed or refused by who the caller is
    (access.c).  It follows consultation's journal to know which topics
    have an adopted resolution (resolutions.c).  Every entry is chained by
    SHA-256; fund.verify
    recomputes the chain and every balance.  A timer voids pending
    transfers whose timeout has passed and raises the alarm for a monthly
    disclosure (report.c) not published in time.  It emits fund.* on the journal
    `fund`. */
#include "cg_daemon.h"
#include "ledger.h"
#include "funds.h"
#include "report.h"
#include "resolutions.h"

typedef struct {
    funds_t *funds;
    report_t *report;
} s_timers_t;

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    s_timers_t *timers = arg;
    funds_expire (timers->funds);
    report_check_due (timers->report);
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
    resolutions_t *resolutions = org ? resolutions_new (daemon, org) : NULL;
    ledger_t *ledger = resolutions ? ledger_new (daemon, org) : NULL;
    funds_t *funds = ledger ? funds_new (daemon, ledger, org, resolutions) : NULL;
    if (!funds) {
        ledger_destroy (&ledger);
        resolutions_destroy (&resolutions);
        cg_orgtree_destroy (&org);
        cg_daemon_destroy (&daemon);
        return 1;
    }
    report_t *report = report_new (daemon, funds);
    s_timers_t timers = { funds, report };
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
    cg_server_on (server, &cg_cmd_fund_report, report_on_report, report);
    cg_server_on (server, &cg_cmd_fund_publish, report_on_publish, report);
    zloop_timer (daemon->loop, 1000, 0, s_on_tick, &timers);
    int rc = cg_daemon_run (daemon);
    report_destroy (&report);
    funds_destroy (&funds);
    ledger_destroy (&ledger);
    resolutions_destroy (&resolutions);
    cg_orgtree_destroy (&org);
    cg_daemon_destroy (&daemon);
    return rc;
}
