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

/*  A list with q is the archive's search (search.c, gw_search_list). */
static bool
s_keep_case (gw_request_t *req, const void *item, void *arg)
{
    (void) arg;
    const cg_case_item_t *c = item;
    return s_case_in_scope (req, c->center, c->unit, c->grid);
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

/*  A page of the caller's cases.  The city's is dispatch's own page, and
    so is a unit's queue of a state; below the city the queues of the
    centers asked for are gathered, page by page (gather.c).  With q the
    list is not asked here: the archive's search answers it (search.c). */
static int
s_list_cases (gw_request_t *req, void *msg, void *rep, cg_error_t *err)
{
    cg_case_query_t *query = msg;
    bool root = !req->caller.scope->parent;
    if (root)
        return gw_call (req, &cg_cmd_case_list, query, rep, err);
    /*  a unit's queue of a state is its own (dispatch keeps one): its
        center's would bring a page of other units' cases to filter out */
    if (req->caller.scope->kind == CG_ORG_UNIT && query->state
    &&  strcmp (query->state, "all") != 0) {
        free (query->unit);
        query->unit = strdup (req->caller.scope_code);
        return gw_call (req, &cg_cmd_case_list, query, rep, err);
    }
    const char *centers[256];
    size_t ncenters = 1;
    if (query->center || query->unit || root)
        centers[0] = NULL;      /* as asked: one queue */
    else
        ncenters = s_scope_centers (req, centers, 256);
    gw_gather_t spec = { &cg_cmd_case_list, "center", CG_CASE_PAGE_MAX, false, s_keep_case, NULL };
    return gw_gather (req, &spec, centers, ncenters, query, rep, err);
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

const gw_rule_t gw_case_read = { .what = "case", .shows = s_shows_case,
                                 .answer = s_answer_case };
const gw_rule_t gw_case_act = { .what = "case", .lookup = &cg_cmd_case_show,
                                .shows = s_shows_case };
const gw_rule_t gw_cases = { .place = "center", .fetch = s_list_cases };
const gw_rule_t gw_case_place = { .check = s_check_place };
const gw_rule_t gw_unit = { .place = "unit", .place_needed = true };
const gw_rule_t gw_node = { .place = "scope", .place_needed = true };
const gw_rule_t gw_vendor = { .check = s_check_vendor };
