/*  powers — the public face of the villages' lists of small and micro
    powers (小微权力清单) and of supervision by QR code (码上监督).  No token:
    anyone reads a list, scans an item's code, reports its misuse and
    follows the report by its receipt.

        GET  /api/v1/public/powers/{area}                  the list (powers.list)
        GET  /api/v1/public/powers/{area}/{code}           one power (powers.show)
        GET  /api/v1/public/powers/{area}/{code}.png       its QR code, to print
        GET  /api/v1/public/powers/{area}/{code}.svg
        POST /api/v1/public/powers/{area}/{code}/reports   a report (power.report)
        GET  /api/v1/public/receipts/{receipt}             the report's progress

    A QR code opens the public page at the item: <public_url>/public/?area=
    {area}&power={code}, public_url being gateway/public_url, else the
    address the request came to.  Only an active power has a code to print:
    a withdrawn one is 410, an unknown one 404, each naming the field.

    A report is the resident's own words and, if they choose, their name
    and phone (sealed by intake; anonymous without: its address is used
    for the rate below, in memory, and kept nowhere).  One address may
    report on one power gateway/rate_report times a minute (2): a flood of
    reports from one place is refused (429 naming `code`) before intake sees
    it.  The answer is the receipt, and the receipt the only key to the
    case's progress: its state, the office handling it, when it was
    received, last changed and is due; nothing of the report's text, the
    reporter or the notes of those handling it.

    What is published of the reports: each power's count (intake's, in the
    list and the power), and the outcomes of this year's reports of the
    village's town (dispatch's statistics of category power_misuse, which
    it keeps by center). */
#include "gateway.h"
#include "cg_qr.h"
#include "cg_clock.h"
#include "cg_text.h"

#define S_PREFIX    "/api/v1/public/powers/"

/*  Splits the path after the prefix into area, code and the rest ("",
    ".png", ".svg", "/reports"); false when it is not of that shape. */
static bool
s_parse (const char *path, char *area, char *code, char *rest)
{
    const char *at = path + strlen (S_PREFIX);
    size_t n = strcspn (at, "/");
    if (n < 6 || n > 15 || strspn (at, "0123456789") != n)
        return false;
    memcpy (area, at, n);
    area[n] = 0;
    at += n;
    *code = *rest = 0;
    if (!*at)
        return true;
    at++;
    n = strcspn (at, "/.");
    if (n == 0 || n > CG_POWER_CODE_MAX)
        return false;
    memcpy (code, at, n);
    code[n] = 0;
    at += n;
    if (strlen (at) > 16)
        return false;
    strcpy (rest, at);
    return !*rest || strcmp (rest, ".png") == 0 || strcmp (rest, ".svg") == 0
        || strcmp (rest, "/reports") == 0;
}

/*  The URL the item's QR code carries. */
static char *
s_item_url (gw_request_t *req, const char *area, const char *code)
{
    if (*req->gw->public_url)
        return cg_powers_url (req->gw->public_url, area, code);
    const char *host = gw_header (req, "Host");
    char safe[128] = "localhost";
    if (host && strlen (host) < sizeof safe
    &&  strspn (host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        == strlen (host))
        snprintf (safe, sizeof safe, "%s", host);
    char base[160];
    snprintf (base, sizeof base, "http://%s", safe);
    return cg_powers_url (base, area, code);
}

static void
s_qr (gw_request_t *req, const cg_power_view_t *view, bool png)
{
    if (strcmp (view->status, "active") != 0) {
        gw_reply_error (req, 410, "gone", "code", "power %s (%s) of %s was withdrawn: it has "
                        "no code to print", view->code, view->matter, view->name);
        return;
    }
    char *url = s_item_url (req, view->area, view->code);
    cg_qr_t *qr = cg_qr_new (url);
    free (url);
    if (!qr) {
        gw_reply_error (req, 500, "internal", "code", "the QR code could not be made");
        return;
    }
    if (png) {
        size_t size = 0;
        unsigned char *image = cg_qr_png (qr, 8, &size);
        gw_reply (req, 200, "image/png", (const char *) image, size);
        free (image);
    }
    else {
        char *svg = cg_qr_svg (qr);
        gw_reply (req, 200, "image/svg+xml", svg, strlen (svg));
        free (svg);
    }
    char disposition[96];
    snprintf (disposition, sizeof disposition, "inline; filename=\"%s-%s.%s\"", view->area,
              view->code, png ? "png" : "svg");
    MHD_add_response_header (req->response, "Content-Disposition", disposition);
    cg_qr_destroy (&qr);
}

static void
s_report (gw_request_t *req, const char *area, const char *code)
{
    char key[96];
    snprintf (key, sizeof key, "r:%s:%s/%s", req->address, area, code);
    if (!gw_rate_take (req->gw, key, req->gw->rate_report)) {
        gw_reply_error (req, 429, "rate_limited", "code", "this address reported on power %s "
                        "%d times this minute: one report is enough, follow it by its receipt",
                        code, req->gw->rate_report);
        return;
    }
    json_error_t jerr;
    json_t *json = json_loadb (req->body ? req->body : "", req->body_size,
                               JSON_REJECT_DUPLICATES, &jerr);
    if (!json || !json_is_object (json)) {
        json_decref (json);
        gw_reply_error (req, 400, "invalid", "body", "the body is not a JSON object: %s",
                        json ? "" : jerr.text);
        return;
    }
    const char *set[] = { "rid", "area", "code" };
    for (size_t i = 0; i < sizeof set / sizeof set[0]; i++)
        if (json_object_get (json, set[i])) {
            json_decref (json);
            gw_reply_error (req, 400, "invalid", set[i], "%s is set by the gateway from the "
                            "path", set[i]);
            return;
        }
    cg_power_report_t report;
    cg_error_t err;
    json_object_set_new (json, "area", json_string (area));
    json_object_set_new (json, "code", json_string (code));
    int rc = cg_json_to_msg (&cg_power_report_def, json, &report, &err);
    json_decref (json);
    if (rc) {
        gw_reply_refusal (req, &err);
        return;
    }
    cg_case_submitted_t rep;
    if (gw_call (req, &cg_cmd_power_report, &report, &rep, &err))
        gw_reply_refusal (req, &err);
    else {
        gw_reply_json (req, 201, json_pack ("{s:s, s:s, s:s}", "receipt",
                                            rep.receipt ? rep.receipt : "", "area", area,
                                            "code", code));
        cg_msg_clear (&cg_case_submitted_def, &rep);
    }
    /*  not audited: the audit log keeps the address a request came from,
        and a report may be anonymous; the case is intake's record of it */
    cg_msg_clear (&cg_power_report_def, &report);
}

/*  The progress of a receipt's case: what a resident may know of it. */
static void
s_receipt (gw_request_t *req)
{
    const char *receipt = req->path + strlen ("/api/v1/public/receipts/");
    cg_error_t err;
    if (!*receipt || strlen (receipt) > CG_RECEIPT_MAX) {
        gw_reply_error (req, 404, "not_found", "receipt", "there is no such receipt");
        return;
    }
    cg_receipt_check_t check = { .receipt = (char *) receipt };
    cg_receipt_case_t found;
    if (gw_call (req, &cg_cmd_receipt_check, &check, &found, &err)) {
        gw_reply_refusal (req, &err);
        return;
    }
    cg_case_get_t ask = { .id = found.id };
    cg_case_view_t view;
    if (gw_call (req, &cg_cmd_case_show, &ask, &view, &err)) {
        cg_msg_clear (&cg_receipt_case_def, &found);
        gw_reply_refusal (req, &err);
        return;
    }
    const cg_org_node_t *unit = view.unit ? cg_orgtree_find (req->gw->org, view.unit) : NULL;
    json_t *answer = json_pack ("{s:s, s:s, s:s}", "receipt", receipt, "state", view.state,
                                "office", unit ? unit->name : "");
    const char *times[] = { "created", "updated", "done_by" };
    int64_t values[] = { view.created, view.updated, view.done_by };
    for (int i = 0; i < 3; i++)
        if (values[i])
            json_object_set_new (answer, times[i], json_integer (values[i]));
    gw_reply_json (req, 200, answer);
    cg_msg_clear (&cg_case_view_def, &view);
    cg_msg_clear (&cg_receipt_case_def, &found);
}

/*  The outcomes of this year's reports of powers in the village's town
    (category power_misuse), from dispatch's statistics, which it keeps by
    center: how many were received, resolved (on time), called back and
    found satisfying.  NULL when dispatch does not answer: the list is
    shown without them. */
static json_t *
s_outcomes (gw_request_t *req, const char *area)
{
    char today[40], from[11];
    cg_time_iso (cg_clock_now (), today, sizeof today);
    today[10] = 0;
    snprintf (from, sizeof from, "%.4s-01-01", today);
    const cg_org_node_t *village = cg_orgtree_find (req->gw->org, area);
    const cg_org_node_t *town = village ? cg_orgtree_center_of (req->gw->org, village,
                                                                CG_ORG_TOWN) : NULL;
    if (!town)
        return NULL;
    cg_stats_query_t ask = { .scope = (char *) town->code, .from = from, .to = today,
                             .by = "month" };
    cg_stats_report_t report;
    cg_error_t err;
    if (gw_call (req, &cg_cmd_case_stats, &ask, &report, &err))
        return NULL;
    json_t *outcomes = json_pack ("{s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i}",
                                  "town", town->code, "town_name", town->name, "from", from,
                                  "to", today, "received", 0, "resolved", 0,
                                  "resolved_on_time", 0, "callbacks", 0, "satisfied", 0,
                                  "basically_satisfied", 0);
    for (size_t i = 0; i < report.rows_count; i++) {
        const cg_stats_row_t *row = &report.rows[i];
        if (strcmp (row->by, "category") || strcmp (row->key, "power_misuse"))
            continue;
        json_object_set_new (outcomes, "received", json_integer (row->received));
        json_object_set_new (outcomes, "resolved", json_integer (row->resolved));
        json_object_set_new (outcomes, "resolved_on_time", json_integer (row->resolved_on_time));
        json_object_set_new (outcomes, "callbacks", json_integer (row->callbacks));
        json_object_set_new (outcomes, "satisfied", json_integer (row->satisfied));
        json_object_set_new (outcomes, "basically_satisfied",
                             json_integer (row->basically_satisfied));
    }
    cg_msg_clear (&cg_stats_report_def, &report);
    return outcomes;
}

void
gw_powers_handle (gw_request_t *req)
{
    bool post = strcmp (req->method, "POST") == 0;
    if (strncmp (req->path, "/api/v1/public/receipts/", 24) == 0) {
        if (post)
            gw_reply_error (req, 405, "method_not_allowed", "method", "a receipt is read (GET)");
        else
            s_receipt (req);
        return;
    }
    char area[16], code[CG_POWER_CODE_MAX + 1], rest[17];
    if (!s_parse (req->path, area, code, rest)) {
        gw_reply_error (req, 404, "not_found", "path", "there is nothing at %.100s: want "
                        S_PREFIX "{area}[/{code}[.png|.svg|/reports]]", req->path);
        return;
    }
    bool reports = strcmp (rest, "/reports") == 0;
    if (post != reports) {
        gw_reply_error (req, 405, "method_not_allowed", "method", reports ? "reports are POSTed"
                        : "a list, a power and its code are read (GET)");
        return;
    }
    if (reports) {
        s_report (req, area, code);
        return;
    }
    cg_power_query_t ask = { .area = area, .code = *code ? code : NULL };
    cg_error_t err;
    if (!*code) {
        cg_power_page_t page;
        if (gw_call (req, &cg_cmd_powers_list, &ask, &page, &err))
            gw_reply_refusal (req, &err);
        else {
            json_t *json = cg_json_from_msg (&cg_power_page_def, &page);
            json_t *outcomes = s_outcomes (req, area);
            if (outcomes)
                json_object_set_new (json, "outcomes", outcomes);
            gw_reply_json (req, 200, json);
            cg_msg_clear (&cg_power_page_def, &page);
        }
        return;
    }
    cg_power_view_t view;
    if (gw_call (req, &cg_cmd_powers_show, &ask, &view, &err)) {
        gw_reply_refusal (req, &err);
        return;
    }
    if (*rest)
        s_qr (req, &view, strcmp (rest, ".png") == 0);
    else {
        json_t *json = cg_json_from_msg (&cg_power_view_def, &view);
        char *url = s_item_url (req, area, code);
        json_object_set_new (json, "url", json_string (url));
        free (url);
        gw_reply_json (req, 200, json);
    }
    cg_msg_clear (&cg_power_view_def, &view);
}
