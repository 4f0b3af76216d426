/*  report — the monthly disclosure of a fund (三务公开) and the alarm when
    it is not published in time. */
#ifndef FUND_REPORT_H_INCLUDED
#define FUND_REPORT_H_INCLUDED

#include "funds.h"
#include "goods.h"

typedef struct _report_t report_t;

/*  goods: the charity sites whose goods in kind a fund's report shows
    (those within the fund's area). */
report_t *report_new (cg_daemon_t *daemon, funds_t *funds, goods_t *goods);
void report_destroy (report_t **self_p);

/*  Raises fund.report_overdue, once, for each fund whose last month's
    report is past its due date unpublished.  Returns alarms raised. */
int report_check_due (report_t *self);

cg_command_fn report_on_report;
cg_command_fn report_on_publish;

#endif
