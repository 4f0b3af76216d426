/*  cg_disclosure — a fund's monthly disclosure (三务公开) as people read
    it: amounts in yuan or minutes, and the printable HTML page with its
    bar charts drawn as inline SVG.  The CLI writes the page to a file
    (`civgrid fund report --html`), the gateway serves the same page to
    anyone once the month is published, so both print it here.  Money is
    printed from integer fen with integer arithmetic; every label a donor
    or a requester typed is escaped. */
#ifndef CG_DISCLOSURE_H_INCLUDED
#define CG_DISCLOSURE_H_INCLUDED

#include <stdio.h>
#include "cg_msg.h"

/*  An amount as people read it: "1234.50" (yuan from fen) or "90 min". */
void cg_money_text (int64_t amount, const char *ledger, char *buf, size_t len);

/*  Writes the report as one printable HTML page. */
void cg_disclosure_html (const cg_fund_report_t *r, FILE *out);

#endif
