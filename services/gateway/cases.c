/*  cases — the rules that keep an operator API caller to its scope, for
    cases and for the places a request names (gw_rule_t, gateway.h).

    A case lies in the caller's scope when its center does (a town's
    operator sees that town's cases, a county's the county's and its
    towns'), when its unit is the caller's (a token of a unit), or, for a
    grid worker and a case not yet routed, when its grid does.  A case
    outside the scope is answered 404, exactly like one that does not
    exist, so nothing about another town's case leaks.  A list below the
    city is gathered from the queue of each center in the scope (gather.c)
    and searched with q here.  A request naming a place (a new case's
    grid, an inbox's unit, the `scope` of statistics or of a new topic)
    must name one inside the caller's scope, else 403 naming the field. */
#include "gateway.h"
#include "cg_photo.h"

/*  Whether a case (its center, unit and grid) lies in the caller's scope. */
static bool
s_case_in_scope (gw_request_t *req, const char *center, const char *unit, const char *grid)
{
    if ((center && gw_in_scope (req, center)) || (unit && gw_in_scope (req, unit)))
        return true;
    return (!center || req->caller.role == CG_ROLE_GRID) && gw_in_scope (req, grid);
}

bool
gw_case_in_scope (gw_request_t *req, const cg_case_view_t *c)
{
    return s_case_in_scope (req, c->center, c->unit, c->grid);
}

static bool
s_shows_case (gw_request_t *req, const gw_params_t *params, const void *rep)
{
    (void) params;
    const cg_case_view_t *c = rep;
    return s_case_in_scope (req, c->center, c->unit, c->grid);
}

/*  A case as dispatch shows it, with what its first request brought, as
    intake keeps it (`media`): links as they came, and for each photo the
    gateway keeps the path where the case's viewers see it.  Without
    intake's answer the case is shown without them. */
static void
s_answer_case (gw_request_t *req, const void *rep)
{
    const cg_case_view_t *c = rep;
    json_t *json = cg_json_from_msg (&cg_case_view_def, c);
    cg_intake_get_t ask = { .id = c->id };
    cg_intake_view_t kept;
    cg_error_t err;
    if (gw_call (req, &cg_cmd_intake_show, &ask,
                 &kept, &err) == 0) {
        json_t *media = json_array ();
        for (size_t i = 0; i < kept.media_count; i++) {
            char path[160];
            if (cg_photo_ref_valid (kept.media[i]))
                snprintf (path, sizeof path, "/api/v1/cases/%s/photos/%s", c->id,
                          kept.media[i] + 6);
            json_array_append_new (media, json_string (cg_photo_ref_valid (kept.media[i])
                                                       ? path : kept.media[i]));
        }
        if (kept.media_count)
            json_object_set_new (json, "media", media);
        else
            json_decref (media);
        cg_msg_clear (&cg_intake_view_def, &kept);
    }
    gw_reply_json (req, 200, json);
}

/* --- lists ---------------------------------------------------------------- */

/*  The filters a list of cases takes beside case.query's fields: the
    gateway applies them to each page it gathers (a page may then hold
    fewer than limit and still have a next), and they are part of the
    list a cursor belongs to.  Flags are 1 or 0 (true, false). */
static const char *const s_filters[] = {
    "q", "category", "source", "place", "urgent", "supervised", "overdue", "warning",
    "approval", NULL };
static const char *const s_flags[] = {
    "urgent", "supervised", "overdue", "warning", "approval", NULL };

bool
gw_case_filter_key (const char *key)
{
    if (streq (key, "count"))
        return true;            /* a count of the list, not a page (s_count_cases) */
    for (int i = 0; s_filters[i]; i++)
        if (streq (key, s_filters[i]))
            return true;
    return false;
}

void
gw_case_filters (gw_request_t *req, char *out, size_t len)
{
    size_t at = 0;
    *out = 0;
    for (int i = 0; s_filters[i] && at < len; i++) {
        const char *v = gw_query (req, s_filters[i]);
        if (v && *v)
            at += (size_t) snprintf (out + at, len - at, "%s=%s&", s_filters[i], v);
    }
}

/*  A flag's value: 1 (true), 0 (false), -1 not asked for; -2 neither. */
static int
s_flag (gw_request_t *req, const char *name)
{
    const char *v = gw_query (req, name);
    if (!v || !*v)
        return -1;
    if (streq (v, "1") || streq (v, "true"))
        return 1;
    if (streq (v, "0") || streq (v, "false"))
        return 0;
    return -2;
}

/*  Whether a case in a list passes the filters (a list with q is the
    archive's search instead: search.c, gw_search_list): its category and
    source; place, a prefix of its grid code (a community's, a grid's);
    urgent and supervised as flagged; overdue and warning as dispatch
    flagged the deadline that runs now (CG_ALERT_*: signing for while
    dispatched, completing while accepted); approval, waiting for the
    center (a return 退单 or an extension 延期 to decide). */
static bool
s_case_matches (gw_request_t *req, const cg_case_item_t *c)
{
    const char *category = gw_query (req, "category"), *source = gw_query (req, "source");
    const char *place = gw_query (req, "place");
    if ((category && *category && !(c->category && streq (c->category, category)))
    ||  (source && *source && !(c->source && streq (c->source, source)))
    ||  (place && *place && !(c->grid && strncmp (c->grid, place, strlen (place)) == 0)))
        return false;
    bool dispatched = streq (c->state, "dispatched"), accepted = streq (c->state, "accepted");
    int64_t warn = dispatched ? CG_ALERT_SIGN_WARN : accepted ? CG_ALERT_DONE_WARN : 0;
    int64_t over = dispatched ? CG_ALERT_SIGN_OVER : accepted ? CG_ALERT_DONE_OVER : 0;
    bool has[] = { c->urgent, c->supervised, (c->alerts & over) != 0,
                   (c->alerts & warn) && !(c->alerts & over),
                   streq (c->state, "returned")
                   || (accepted && c->extension && streq (c->extension, "pending")) };
    for (int i = 0; s_flags[i]; i++) {
        int want = s_flag (req, s_flags[i]);
        if (want >= 0 && has[i] != (want == 1))
            return false;
    }
    return true;
}

static bool
s_keep_case (gw_request_t *req, const void *item, void *arg)
{
    (void) arg;
    const cg_case_item_t *c = item;
    return s_case_in_scope (req, c->center, c->unit, c->grid) && s_case_matches (req, c);
}

/*  The centers whose queues make up the caller's scope: the scope and
    every center below it; for a unit, the center it answers to; for a
    scope under a town (a community, a grid), the town that handles it. */
static size_t
s_scope_centers (gw_request_t *req, const char **out, size_t max)
{
    const cg_org_node_t *scope = req->caller.scope;
    if (scope->kind == CG_ORG_UNIT) {
        out[0] = scope->parent->code;       /* the center the unit answers to */
        return 1;
    }
    if (scope->kind != CG_ORG_CITY && scope->kind != CG_ORG_COUNTY && scope->kind != CG_ORG_TOWN) {
        const cg_org_node_t *town = cg_orgtree_center_of (req->gw->org, scope, CG_ORG_TOWN);
        out[0] = town ? town->code : scope->code;
        return 1;
    }
    size_t n = 0;
    const cg_org_node_t *stack[256];
    size_t top = 0;
    stack[top++] = scope;
    while (top && n < max) {
        const cg_org_node_t *node = stack[--top];
        out[n++] = node->code;
        if (node->kind == CG_ORG_TOWN)
            continue;           /* below a town there are no centers */
        for (const cg_org_node_t *c = cg_orgtree_first_child (node); c && top < 256;
             c = cg_orgtree_next_sibling (c))
            if (c->kind == CG_ORG_COUNTY || c->kind == CG_ORG_TOWN)
                stack[top++] = c;
    }
    return n;
}

#define S_FILL_READS 20      /* reads of a filtered page: at most 20 of limit + 1 cases
                                   at each center */
#define S_COUNT_READS 25     /* reads of a count: at most 25 of CG_CASE_PAGE_MAX + 1 cases
                                   at each center, 5,000 of a queue */

/*  One page of the list from the query's cursor: gathered from the
    centers (spec), or dispatch's own (spec NULL). */
static int
s_read (gw_request_t *req, const gw_gather_t *spec, const char *const *centers, size_t ncenters,
        cg_case_query_t *query, cg_case_page_t *page, cg_error_t *err)
{
    return spec ? gw_gather (req, spec, centers, ncenters, query, page, err)
                : gw_call (req, &cg_cmd_case_list, query, page, err);
}

/*  The list read on from the query's cursor, page after page, at most
    reads pages, until want cases were read or the list ends: into page,
    whose next is where the reading stopped.  keep: its cases are kept
    (its total is the first page's, as the daemon counts); else they are
    only counted, and total is how many were read. */
static int
s_read_on (gw_request_t *req, const gw_gather_t *spec, const char *const *centers,
           size_t ncenters, int reads, int64_t want, bool keep, cg_case_query_t *query,
           cg_case_page_t *page, cg_error_t *err)
{
    char *center = query->center ? strdup (query->center) : NULL;     /* gw_gather names each */
    int64_t got = 0;
    int rc = 0;
    for (int n = 0; n < reads && got < want; n++) {
        cg_case_page_t part = { 0 };
        CG_SET (query, case_query, limit, want - got < CG_CASE_PAGE_MAX ? want - got
                                                                        : CG_CASE_PAGE_MAX);
        free (query->center);
        query->center = center ? strdup (center) : NULL;
        if (!center)
            query->present &= ~(UINT64_C (1) << CG_FIELD_case_query_center);
        if ((rc = s_read (req, spec, centers, ncenters, query, &part, err)))
            break;
        got += (int64_t) part.cases_count;
        free (query->cursor);
        query->cursor = part.next;
        part.next = NULL;
        part.present &= ~(UINT64_C (1) << CG_FIELD_case_page_next);
        if (keep && n == 0) {
            *page = part;                   /* moved: the part lets go */
            memset (&part, 0, sizeof part);
        }
        else
        if (keep && part.cases_count) {
            page->cases = realloc (page->cases, (page->cases_count + part.cases_count)
                                                * sizeof *page->cases);
            assert (page->cases);
            memcpy (page->cases + page->cases_count, part.cases,
                    part.cases_count * sizeof *part.cases);
            page->cases_count += part.cases_count;
            memset (part.cases, 0, part.cases_count * sizeof *part.cases);
        }
        cg_msg_clear (&cg_case_page_def, &part);
        if (!query->cursor)
            break;
    }
    free (center);
    if (rc == 0) {
        if (!keep)
            CG_SET (page, case_page, total, got);
        if (query->cursor) {
            page->next = query->cursor;
            page->present |= UINT64_C (1) << CG_FIELD_case_page_next;
            query->cursor = NULL;
        }
    }
    return rc;
}

/*  count=1: how many cases of the list (its filters, its scope) lie from
    the cursor on, as `total`, with no cases.  A list dispatch counts
    itself (exact) is answered from its count (a city's or a unit's queue,
    a center's and its subtree's queues unfiltered: ZCARDs), whatever its
    length.  Any other (a filter, a scope below a town) is counted by
    reading it through, at most S_COUNT_READS pages of each center's
    queue: when the list goes on beyond them, `next` says where the count
    stopped (the console shows "5000+"; a caller may count on from it).
    So a count never costs more than a bounded read, however many cases
    the store holds (docs/API.md, counts). */
static int
s_count_cases (gw_request_t *req, const gw_gather_t *spec, const char *const *centers,
               size_t ncenters, bool exact, cg_case_query_t *query, cg_case_page_t *page,
               cg_error_t *err)
{
    if (!exact)
        return s_read_on (req, spec, centers, ncenters, S_COUNT_READS, INT64_MAX, false, query,
                          page, err);
    cg_case_page_t part = { 0 };        /* its next is not followed */
    CG_SET (query, case_query, limit, 1);
    int rc = s_read (req, spec, centers, ncenters, query, &part, err);
    if (rc == 0)
        CG_SET (page, case_page, total, part.total);
    cg_msg_clear (&cg_case_page_def, &part);
    return rc;
}

/*  A page of the caller's cases.  The city's is dispatch's own page, and
    so is a unit's queue of a state; below the city the queues of the
    centers asked for are gathered, page by page (gather.c).  With q the
    list is not asked here: the archive's search answers it (search.c). */
static int
s_list_cases (gw_request_t *req, void *msg, void *rep, cg_error_t *err)
{
    cg_case_query_t *query = msg;
    bool root = !req->caller.scope->parent;
    char filters[512];
    gw_case_filters (req, filters, sizeof filters);
    for (int i = 0; s_flags[i]; i++)
        if (s_flag (req, s_flags[i]) == -2) {
            cg_error_set (err, "invalid", s_flags[i], "%s is 1 or 0 (true or false)", s_flags[i]);
            return -1;
        }
    const char *place = gw_query (req, "place");
    for (const char *p = place; p && *p; p++)
        if (!isdigit ((unsigned char) *p) || p - place >= CG_CODE_MAX) {
            cg_error_set (err, "invalid", "place", "place is a grid's or a community's code, "
                          "digits only");
            return -1;
        }
    int count = s_flag (req, "count");
    if (count == -2) {
        cg_error_set (err, "invalid", "count", "count is 1 or 0 (true or false)");
        return -1;
    }
    bool filtered = *filters != 0;
    if (root && !filtered)
        return count == 1 ? s_count_cases (req, NULL, NULL, 0, true, query, rep, err)
                          : gw_call (req, &cg_cmd_case_list, query, rep, err);
    /*  a unit's queue of a state is its own (dispatch keeps one): its
        center's would bring a page of other units' cases to filter out */
    if (req->caller.scope->kind == CG_ORG_UNIT && query->state
    &&  strcmp (query->state, "all") != 0 && !filtered) {
        free (query->unit);
        query->unit = strdup (req->caller.scope_code);
        return count == 1 ? s_count_cases (req, NULL, NULL, 0, true, query, rep, err)
                          : gw_call (req, &cg_cmd_case_list, query, rep, err);
    }
    const char *centers[256];
    size_t ncenters = 1;
    if (query->center || query->unit || root)
        centers[0] = NULL;      /* as asked: one queue */
    else
        ncenters = s_scope_centers (req, centers, 256);
    gw_gather_t spec = { &cg_cmd_case_list, "center", CG_CASE_PAGE_MAX, false, s_keep_case, NULL };
    if (count == 1) {
        /*  the queues of centers count exactly the cases of their scope */
        int kind = req->caller.scope->kind;
        bool exact = !filtered && !query->unit
                  && (kind == CG_ORG_CITY || kind == CG_ORG_COUNTY || kind == CG_ORG_TOWN);
        return s_count_cases (req, &spec, centers, ncenters, exact, query, rep, err);
    }
    /*  filtered: the page is read on from its next, at most S_FILL_READS
        times, until it holds limit cases or the list ends, so that a view
        whose cases lie deep in the queues does not answer empty pages */
    return s_read_on (req, &spec, centers, ncenters, filtered ? S_FILL_READS : 1,
                      query->limit > 0 ? query->limit : 50, true, query, rep, err);
}

/* --- places ----------------------------------------------------------------- */

/*  A new case: the channel is the caller's when the role says it (a grid
    worker reports as grid, a device vendor as device), it joins an open
    case about the same problem unless the body says "merge": false, and
    below the root its grid must lie in the caller's scope. */
static int
s_check_place (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def, void *msg)
{
    (void) params;
    (void) def;
    cg_case_submit_t *submit = msg;
    int role = req->caller.role;
    if (role == CG_ROLE_GRID || role == CG_ROLE_DEVICE || !submit->source) {
        free (submit->source);
        submit->source = strdup (role == CG_ROLE_GRID ? "grid" : role == CG_ROLE_DEVICE
                                 ? "device" : "operator");
    }
    /*  "me too" by the channels' rule unless the caller says otherwise */
    if (!(submit->present & (UINT64_C (1) << CG_FIELD_case_submit_merge)))
        CG_SET (submit, case_submit, merge, true);
    if (req->caller.scope->parent && (!submit->grid || !gw_in_scope (req, submit->grid))) {
        gw_reply_error (req, 403, "forbidden", "grid", "a request from you must name a grid "
                        "within your scope %s", req->caller.scope_code);
        return -1;
    }
    return 0;
}

/*  A picking list's ?scope= (scope.query) within the caller's, the
    caller's own when absent. */
static int
s_default_scope (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def, void *msg)
{
    (void) params;
    assert (def == &cg_scope_query_def);
    if (!((cg_scope_query_t *) msg)->scope
    &&  cg_msg_set (def, msg, "scope", req->caller.scope_code, strlen (req->caller.scope_code))) {
        gw_reply_error (req, 500, "internal", "scope", "the scope cannot be named");
        return -1;
    }
    return 0;
}

/*  A device alarm is the calling vendor's: the vendor is the token's name. */
static int
s_check_vendor (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def, void *msg)
{
    (void) params;
    if (cg_msg_set (def, msg, "vendor", req->caller.name, strlen (req->caller.name)) == 0)
        return 0;
    gw_reply_error (req, 500, "internal", "vendor", "the vendor cannot be named");
    return -1;
}

/*  What concerns the whole region, not one place (notification's dead
    letters, whoever they were for): the root's callers only, else 403
    naming scope. */
static int
s_check_root (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def, void *msg)
{
    (void) params, (void) def, (void) msg;
    if (req->caller.scope && !req->caller.scope->parent)
        return 0;
    gw_reply_error (req, 403, "forbidden", "scope", "only the whole region's scope %s may see this, "
                    "not %s", cg_orgtree_root (req->gw->org)->code, req->caller.scope_code);
    return -1;
}

const gw_rule_t gw_case_read = { .what = "case", .shows = s_shows_case,
                                 .answer = s_answer_case };
const gw_rule_t gw_case_act = { .what = "case", .lookup = &cg_cmd_case_show,
                                .shows = s_shows_case };
const gw_rule_t gw_cases = { .place = "center", .fetch = s_list_cases };
const gw_rule_t gw_case_place = { .check = s_check_place };
const gw_rule_t gw_unit = { .place = "unit", .place_needed = true };
const gw_rule_t gw_node = { .place = "scope", .place_needed = true };
const gw_rule_t gw_scoped = { .place = "scope", .check = s_default_scope };
const gw_rule_t gw_org = { .place = "org", .place_needed = true };
const gw_rule_t gw_vendor = { .check = s_check_vendor };
const gw_rule_t gw_root = { .what = "dead letter", .check = s_check_root };
