/*  fund — the CLI's fund commands (fund.c) and the monthly report
    (fund_report.c). */
#ifndef CLI_FUND_H_INCLUDED
#define CLI_FUND_H_INCLUDED

#include "cli.h"

/*  `fund report` (command fund.report) or `fund publish` (fund.publish). */
int cli_fund_report (cli_args_t *args, const cg_cmddef_t *command, const char *fund);

/*  The demo's donations and requests (fund_demo.c), for `stack up --demo`. */
void cli_fund_demo_load (zconfig_t *config);

#endif
