/*  cg_csv — cases exported as CSV, the same from the CLI and the API.

    UTF-8 with a byte order mark, because Excel, which is what a command
    center opens an export in, reads a CSV without one in the system's
    code page (GBK on a Chinese Windows) and shows the Chinese garbled.
    RFC 4180 quoting (a field with a comma, a quote or a line break is
    quoted, quotes doubled); control characters pasted from Word (vertical
    tabs, bells, form feeds) become spaces, and a field that begins with
    = + - @ is prefixed with ' so that no cell of an export is run as a
    formula (CSV injection).  Phones are as dispatch keeps them: masked. */
#ifndef CG_CSV_H_INCLUDED
#define CG_CSV_H_INCLUDED

#include <stdio.h>
#include "cg_msg.h"
#include "cg_messages.h"

#define CG_CSV_BOM  "\xEF\xBB\xBF"

/*  The byte order mark and the header line. */
void cg_csv_head (FILE *out);
/*  One line per case. */
void cg_csv_cases (FILE *out, const cg_case_view_t *cases, size_t n);

#endif
