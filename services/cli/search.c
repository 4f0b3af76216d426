/*  search — `civgrid search` and `civgrid export cases`: every case, live
    and archived, from the archive (docs/ARCHIVE.md).

        civgrid search [--scope CODE] [--q TEXT] [--phone P] [--ext-ref R] [--id ID]
                       [--grid G] [--community C] [--unit U] [--category C] [--state S]
                       [--from DATE] [--to DATE] [--cursor C] [--limit N] [--json]
        civgrid export cases --scope CODE --from DATE --to DATE [--format csv]

    A phone is never sent to the archive: intake turns it into the keyed
    fingerprint it keeps its callers by (caller.fingerprint).  An export
    asks the archive for pages of whole cases and writes each as it comes
    (cg_csv.h), so its size is bounded by the disk, not by a message. */
#include "cli.h"
#include "cg_case.h"
#include "cg_clock.h"
#include "cg_csv.h"

/*  The options a search takes, as the CLI spells them and as the search
    message names them. */
static const struct { const char *option, *param; } s_options[] = {
    { "scope", "scope" }, { "q", "q" }, { "ext-ref", "ext_ref" }, { "id", "id" },
    { "grid", "grid" }, { "community", "community" }, { "unit", "unit" },
    { "category", "category" }, { "state", "state" }, { "from", "from" }, { "to", "to" },
    { "cursor", "cursor" }, { "limit", "limit" } };

/*  Fills a search from the options; 0, or an exit code. */
static int
s_search_fill (cli_args_t *args, cg_case_search_t *req)
{
    memset (req, 0, sizeof *req);
    cg_error_t err;
    for (size_t i = 0; i < sizeof s_options / sizeof s_options[0]; i++) {
        const char *value = cli_opt (args, s_options[i].option, NULL);
        if (value && cg_case_search_set (req, s_options[i].param, value, &err))
            return cli_fail (&err);
    }
    const char *phone = cli_opt (args, "phone", NULL);
    if (phone) {
        cg_caller_fingerprint_t ask = { .phone = (char *) phone };
        cg_caller_print_t print;
        if (cli_call (args, &cg_cmd_caller_fingerprint, &ask, &print))
            return 1;
        req->caller = print.caller;
        print.caller = NULL;
        cg_msg_clear (&cg_caller_print_def, &print);
    }
    return 0;
}

static int
s_search (cli_args_t *args)
{
    cg_case_search_t req;
    int rc = s_search_fill (args, &req);
    cg_case_found_t page;
    if (rc == 0 && cli_call (args, &cg_cmd_case_search, &req, &page))
        rc = 1;
    cg_msg_clear (&cg_case_search_def, &req);
    if (rc)
        return rc;
    if (cli_flag (args, "json")) {
        cg_msg_json (&cg_case_found_def, &page, stdout);
        printf ("\n");
    }
    else {
        for (size_t i = 0; i < page.cases_count; i++) {
            const cg_case_view_t *c = &page.cases[i];
            char created[40] = "";
            cg_time_short (c->created, created, sizeof created);
            printf ("%-14s %-10s %-11s %-20s %s  %.60s\n", c->id, c->state ? c->state : "",
                    created, c->category ? c->category : "", c->ext_ref ? c->ext_ref : "-",
                    c->text ? c->text : "");
        }
        printf ("%zu cases%s%s\n", page.cases_count, page.next ? "; next page: --cursor " : "",
                page.next ? page.next : "");
    }
    cg_msg_clear (&cg_case_found_def, &page);
    return 0;
}

static int
s_export (cli_args_t *args)
{
    const char *format = cli_opt (args, "format", "csv");
    if (strcmp (format, "csv") != 0) {
        fprintf (stderr, "civgrid: export writes csv only, not \"%s\"\n", format);
        return 2;
    }
    const char *needed[] = { "scope", "from", "to" };
    for (size_t i = 0; i < 3; i++)
        if (!cli_opt (args, needed[i], NULL)) {
            fprintf (stderr, "civgrid: export cases needs --%s\n", needed[i]);
            return 2;
        }
    cg_case_search_t req;
    int rc = s_search_fill (args, &req);
    if (rc)
        return rc;
    req.full = true;
    CG_SET (&req, case_search, limit, CG_EXPORT_PAGE_MAX);
    zconfig_t *config = cli_config (args);
    cg_client_t *archive = config ? cli_client (config, "archive") : NULL;
    zconfig_destroy (&config);
    if (!archive) {
        cg_msg_clear (&cg_case_search_def, &req);
        return 1;
    }
    cg_csv_head (stdout);
    for (;;) {
        cg_case_found_t page;
        cg_error_t err;
        if (cg_client_call (archive, &cg_cmd_case_search, &req, &page, &err)) {
            rc = cli_fail (&err);
            break;
        }
        cg_csv_cases (stdout, page.cases, page.cases_count);
        free (req.cursor);
        req.cursor = page.next;
        page.next = NULL;
        cg_msg_clear (&cg_case_found_def, &page);
        if (!req.cursor)
            break;
    }
    fflush (stdout);
    cg_client_destroy (&archive);
    cg_msg_clear (&cg_case_search_def, &req);
    return rc;
}

int
cli_search (cli_args_t *args)
{
    if (strcmp (args->words[0], "search") == 0 && args->nwords == 1)
        return s_search (args);
    if (strcmp (args->words[0], "export") == 0 && args->nwords == 2
    &&  strcmp (args->words[1], "cases") == 0)
        return s_export (args);
    return 2;
}
