/*  search — every case of the caller's scope, live and archived, from the
    archive (docs/ARCHIVE.md), so that no search reads dispatch's Redis or
    holds up its command loop.

        GET /api/v1/cases/search?q=&phone=&ext_ref=&id=&grid=&community=&unit=
            &category=&state=&from=&to=&scope=&cursor=&limit=
        GET /api/v1/cases/export?scope=&from=&to=[&format=csv]  (also the
            filters of a search)
        GET /api/v1/cases?q=[&state=&center=&cursor=&limit=]  (the console's
            search box: the queue's list, answered by a search)

    scope defaults to the caller's, and one named must lie inside it (403).
    A phone goes to intake only, which answers its keyed fingerprint
    (caller.fingerprint); the archive never sees it.  What the archive
    finds passes the same rule as every case the API shows
    (gw_case_in_scope), so a page may hold fewer than asked: `next` says
    whether more follow.  An export is written as it is read: the response
    asks the archive for the next page of whole cases only when the client
    has taken the one before (cg_csv.h for the format). */
#include "gateway.h"
#include "cg_case.h"
#include "cg_csv.h"

#include <ctype.h>

#define S_ROLES (CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN | CG_ROLE_GRID)

typedef struct {
    cg_case_search_t *search;
    cg_error_t err;
    bool failed;
} s_fill_t;

static enum MHD_Result
s_query_arg (void *arg, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    s_fill_t *fill = arg;
    if (!fill->failed && value
    &&  cg_case_search_set (fill->search, key, value, &fill->err) < 0)
        fill->failed = true;
    return MHD_YES;
}

/*  The search a request asks for, in the caller's scope; 0, or -1 when it
    replied. */
static int
s_search_fill (gw_request_t *req, cg_case_search_t *search)
{
    memset (search, 0, sizeof *search);
    s_fill_t fill = { .search = search };
    MHD_get_connection_values (req->conn, MHD_GET_ARGUMENT_KIND, s_query_arg, &fill);
    if (fill.failed) {
        gw_reply_refusal (req, &fill.err);
        return -1;
    }
    if (!search->scope)
        search->scope = strdup (req->caller.scope_code);
    else
    if (gw_check_place (req, "scope", search->scope, false))
        return -1;
    const char *phone = gw_query (req, "phone");
    if (phone && !(search->caller = gw_caller_of_phone (req, phone)))
        return -1;
    return 0;
}

/*  Drops from a page what the caller may not see. */
static void
s_keep_in_scope (gw_request_t *req, cg_case_found_t *page)
{
    size_t kept = 0;
    for (size_t i = 0; i < page->cases_count; i++)
        if (gw_case_in_scope (req, &page->cases[i]))
            page->cases[kept++] = page->cases[i];
        else
            cg_msg_clear (&cg_case_view_def, &page->cases[i]);
    page->cases_count = kept;
}

void
gw_search_handle (gw_request_t *req)
{
    if (gw_auth (req, S_ROLES))
        return;
    cg_case_search_t search;
    if (s_search_fill (req, &search) == 0) {
        cg_case_found_t page;
        cg_error_t err;
        if (gw_call (req, &cg_cmd_case_search, &search, &page, &err))
            gw_reply_refusal (req, &err);
        else {
            s_keep_in_scope (req, &page);
            gw_reply_json (req, 200, cg_json_from_msg (&cg_case_found_def, &page));
            cg_msg_clear (&cg_case_found_def, &page);
        }
    }
    cg_msg_clear (&cg_case_search_def, &search);
}

/* --- the list's search ------------------------------------------------------ */

/*  Whether q could be a case id or an order number: letters, digits, -
    and _ only. */
static bool
s_reference_like (const char *q)
{
    for (const char *p = q; *p; p++)
        if (!isalnum ((unsigned char) *p) && *p != '-' && *p != '_')
            return false;
    return *q != 0;
}

/*  A page of the archive's search as a page of the queue's list
    (case.page: items with a summary), so that the console shows it as it
    shows its queue; `total` counts the page's own cases (a search does
    not count what it matches). */
static json_t *
s_as_list (const cg_case_found_t *found)
{
    cg_case_page_t page = { .total = (int64_t) found->cases_count, .next = found->next,
                            .cases = calloc (found->cases_count + 1, sizeof (cg_case_item_t)),
                            .cases_count = found->cases_count };
    assert (page.cases);
    for (size_t i = 0; i < found->cases_count; i++) {
        const cg_case_view_t *v = &found->cases[i];
        page.cases[i] = (cg_case_item_t) {
            .id = v->id, .state = v->state, .source = v->source, .ext_ref = v->ext_ref,
            .category = v->category, .summary = v->text, .grid = v->grid,
            .address = v->address, .level = v->level, .center = v->center, .unit = v->unit,
            .sign_by = v->sign_by, .done_by = v->done_by, .created = v->created,
            .updated = v->updated, .alerts = v->alerts, .supervised = v->supervised,
            .unplaced = v->unplaced, .extension = v->extension, .pos = v->created };
    }
    json_t *json = cg_json_from_msg (&cg_case_page_def, &page);
    free (page.cases);          /* the strings are found's */
    return json;
}

void
gw_search_list (gw_request_t *req)
{
    if (gw_auth (req, S_ROLES))
        return;
    const char *count = gw_query (req, "count");
    if (count && *count && strcmp (count, "0") && strcmp (count, "false")) {
        gw_reply_error (req, 400, "invalid", "count", "a search (q) is not counted: its "
                        "total is its page's; count a list without q");
        return;
    }
    cg_case_search_t search;
    if (s_search_fill (req, &search))
        return;
    /*  the list's own parameters: a queue of a state ("all": any), of a
        center of the caller's scope */
    if (search.state && strcmp (search.state, "all") == 0) {
        free (search.state);
        search.state = NULL;
    }
    const char *center = gw_query (req, "center");
    if (center && *center) {
        if (gw_check_place (req, "center", center, false)) {
            cg_msg_clear (&cg_case_search_def, &search);
            return;
        }
        free (search.scope);
        search.scope = strdup (center);
    }
    /*  a case id or an order number is looked up as such first; then, or
        else, the text (any substring of 2 to 64 characters) */
    char *q = search.q;
    search.q = NULL;
    cg_case_found_t page;
    memset (&page, 0, sizeof page);
    cg_error_t err;
    int rc = 1;
    for (int by = 0; by < 2 && rc > 0 && !search.cursor && s_reference_like (q); by++) {
        cg_case_search_t exact = search;
        if (by == 0)
            exact.id = q;
        else
            exact.ext_ref = q;
        rc = gw_call (req, &cg_cmd_case_search, &exact, &page, &err);
        if (rc == 0 && page.cases_count == 0) {
            cg_msg_clear (&cg_case_found_def, &page);
            rc = 1;
        }
    }
    if (rc > 0) {
        search.q = q;
        q = NULL;
        rc = gw_call (req, &cg_cmd_case_search, &search, &page, &err);
    }
    if (rc)
        gw_reply_refusal (req, &err);
    else {
        s_keep_in_scope (req, &page);
        gw_reply_json (req, 200, s_as_list (&page));
        cg_msg_clear (&cg_case_found_def, &page);
    }
    free (q);
    cg_msg_clear (&cg_case_search_def, &search);
}

/* --- export --------------------------------------------------------------- */

/*  An export being written: the search and where it stands, the page
    written out and not yet sent, and the caller (for gw_case_in_scope,
    once the request's handler has returned). */
typedef struct {
    gw_request_t caller;        /* gw and caller only */
    cg_client_t *archive;
    cg_case_search_t search;
    cg_error_t err;             /* why the archive refused, when it did */
    char *text;                 /* the CSV not yet sent */
    size_t size, sent;
    bool started, done;
} s_export_t;

static void
s_export_free (void *arg)
{
    s_export_t *self = arg;
    cg_client_destroy (&self->archive);
    cg_msg_clear (&cg_case_search_def, &self->search);
    free (self->text);
    free (self);
}

/*  The next page, written as CSV; -1 when the archive failed. */
static int
s_export_next (s_export_t *self)
{
    free (self->text);
    self->text = NULL;
    self->size = self->sent = 0;
    FILE *out = open_memstream (&self->text, &self->size);
    if (!out)
        return -1;
    if (!self->started) {
        cg_csv_head (out);
        self->started = true;
    }
    cg_case_found_t page;
    int rc = cg_client_call (self->archive, &cg_cmd_case_search, &self->search, &page, &self->err);
    if (rc == 0) {
        s_keep_in_scope (&self->caller, &page);
        cg_csv_cases (out, page.cases, page.cases_count);
        free (self->search.cursor);
        self->search.cursor = page.next;
        page.next = NULL;
        self->done = !self->search.cursor;
        cg_msg_clear (&cg_case_found_def, &page);
    }
    else
        zsys_warning ("gateway: an export stopped: %s", self->err.message);
    fclose (out);
    return rc;
}

static ssize_t
s_export_read (void *arg, uint64_t pos, char *buf, size_t max)
{
    (void) pos;
    s_export_t *self = arg;
    while (self->sent == self->size) {
        if (self->done)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (s_export_next (self))
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    size_t n = self->size - self->sent < max ? self->size - self->sent : max;
    memcpy (buf, self->text + self->sent, n);
    self->sent += n;
    return (ssize_t) n;
}

void
gw_export_handle (gw_request_t *req)
{
    if (gw_auth (req, S_ROLES))
        return;
    const char *format = gw_query (req, "format");
    if (format && strcmp (format, "csv") != 0) {
        gw_reply_error (req, 400, "invalid", "format", "an export is written as csv only");
        return;
    }
    s_export_t *self = calloc (1, sizeof *self);
    assert (self);
    if (s_search_fill (req, &self->search)) {
        s_export_free (self);
        return;
    }
    if (!self->search.from || !self->search.to) {
        gw_reply_error (req, 400, "invalid", self->search.from ? "to" : "from",
                        "an export needs from and to (days, 2026-12-01)");
        s_export_free (self);
        return;
    }
    self->search.full = true;
    CG_SET (&self->search, case_search, limit, CG_EXPORT_PAGE_MAX);
    self->caller.gw = req->gw;
    self->caller.caller = req->caller;
    const char *endpoint = cg_daemon_get (req->gw->daemon, "archive/endpoint", NULL);
    self->archive = endpoint ? cg_client_new (endpoint, 10000, 2) : NULL;
    /*  the first page now, so that a refusal is still a proper answer */
    if (!self->archive) {
        gw_reply_error (req, 503, "unavailable", "", "the archive is not part of this "
                        "installation");
        s_export_free (self);
        return;
    }
    if (s_export_next (self)) {
        gw_reply_refusal (req, &self->err);
        s_export_free (self);
        return;
    }
    req->response = MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, 64 * 1024,
                                                       s_export_read, self, s_export_free);
    MHD_add_response_header (req->response, "Content-Type", "text/csv; charset=utf-8");
    MHD_add_response_header (req->response, "Content-Disposition",
                             "attachment; filename=\"cases.csv\"");
    MHD_add_response_header (req->response, "Cache-Control", "no-store");
    req->status = 200;
    gw_audit (req, "case.export", self->search.scope, 200);
}
