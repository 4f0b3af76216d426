/*  api — the operator API under /api/v1/: a table of routes.

    Each route maps a method and a path pattern onto one command of one
    daemon, with the message definitions of its request and its reply.
    The request message is filled GENERICALLY from the descriptor
    (cg_json.h): the JSON body's keys, the query parameters (for GET), the
    path's {segments}, then what the gateway itself vouches for: the actor
    (the token's holder) and the request id (Idempotency-Key, when given).
    The reply message goes back as JSON the same way.  So wiring a new
    dispatch command is one line in s_routes.

    What differs between routes is the rule that keeps a caller inside its
    scope, named by s_scope_t: a case's center must lie in the caller's
    subtree (else 404, so nothing about another town's case leaks), a list
    is narrowed to the subtree, a submission's grid and an inbox's unit
    must lie in it.  Every action (not a read) goes to the audit log. */
#define _GNU_SOURCE         /* qsort_r */
#include "gateway.h"

#define S_READ      (CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN | CG_ROLE_GRID)
#define S_ACT       (CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN)
#define S_CLOSE     (CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN)
#define S_PARAMS    4

typedef enum {
    S_SCOPE_CASE,       /* {id} is a case: it must be in scope */
    S_SCOPE_LIST,       /* a page of cases, narrowed to the scope */
    S_SCOPE_PLACE,      /* a new case: its grid must be in scope */
    S_SCOPE_UNIT,       /* {unit} must be in scope */
    S_SCOPE_NODE,       /* the `scope` asked for must lie in the caller's */
    S_SCOPE_VENDOR,     /* the device must be the calling vendor's own */
} s_scope_t;

typedef struct {
    const char *method;
    const char *pattern;
    int roles;
    const char *daemon;
    const char *command;
    const cg_msgdef_t *req_def;
    const cg_msgdef_t *rep_def;
    s_scope_t scope;
} s_route_t;

static const s_route_t s_routes[] = {
    { "GET",  "/api/v1/cases", S_READ, "dispatch", "case.list",
      &cg_case_query_def, &cg_case_page_def, S_SCOPE_LIST },
    { "GET",  "/api/v1/cases/{id}", S_READ, "dispatch", "case.show",
      &cg_case_get_def, &cg_case_view_def, S_SCOPE_CASE },
    { "POST", "/api/v1/cases/{id}/accept", S_ACT, "dispatch", "case.accept",
      &cg_case_act_def, &cg_case_view_def, S_SCOPE_CASE },
    { "POST", "/api/v1/cases/{id}/resolve", S_ACT, "dispatch", "case.resolve",
      &cg_case_act_def, &cg_case_view_def, S_SCOPE_CASE },
    { "POST", "/api/v1/cases/{id}/close", S_CLOSE, "dispatch", "case.close",
      &cg_case_act_def, &cg_case_view_def, S_SCOPE_CASE },
    /*  the rest of dispatch's actions (docs/DISPATCH.md): each a case.act
        with the fields it needs (unit, minutes, satisfied, into, note) */
#define S_ACTION(name) \
    { "POST", "/api/v1/cases/{id}/" name, S_ACT, "dispatch", "case." name, \
      &cg_case_act_def, &cg_case_view_def, S_SCOPE_CASE },
    S_ACTION ("dispatch") S_ACTION ("transfer") S_ACTION ("return")
    S_ACTION ("return_approve") S_ACTION ("return_refuse") S_ACTION ("extend")
    S_ACTION ("extend_approve") S_ACTION ("extend_refuse") S_ACTION ("suspend")
    S_ACTION ("resume") S_ACTION ("callback") S_ACTION ("reopen") S_ACTION ("merge")
    S_ACTION ("reject") S_ACTION ("escalate")
    { "POST", "/api/v1/cases", S_READ, "intake", "case.submit",
      &cg_case_submit_def, &cg_case_submitted_def, S_SCOPE_PLACE },
    { "POST", "/api/v1/alarms", CG_ROLE_DEVICE, "intake", "device.alarm",
      &cg_device_alarm_def, &cg_device_answer_def, S_SCOPE_VENDOR },
    { "POST", "/api/v1/alarms/{alarm_id}/cancel", CG_ROLE_DEVICE, "intake", "device.cancel",
      &cg_device_cancel_def, &cg_case_submitted_def, S_SCOPE_VENDOR },
    { "GET",  "/api/v1/inbox/{unit}", S_READ, "notification", "inbox.list",
      &cg_inbox_query_def, &cg_inbox_page_def, S_SCOPE_UNIT },
    { "GET",  "/api/v1/stats", S_READ, "dispatch", "case.stats",
      &cg_stats_query_def, &cg_stats_report_def, S_SCOPE_NODE },
};
#undef S_ACTION
#define S_NROUTES (sizeof s_routes / sizeof s_routes[0])

/*  The `scope` a request asks about (S_SCOPE_NODE), read through its
    definition so that any command with a scope field can take the rule. */
static const char *
s_scope_field (const cg_msgdef_t *def, const void *msg)
{
    for (size_t i = 0; i < def->nfields; i++)
        if (strcmp (def->fields[i].key, "scope") == 0 && def->fields[i].type == CG_F_STR)
            return *(char *const *) ((const char *) msg + def->fields[i].offset);
    return NULL;
}

typedef struct {
    const char *name[S_PARAMS];
    char value[S_PARAMS][80];
    int count;
} s_params_t;

/*  Matches path against a pattern; {name} takes one non-empty segment. */
static bool
s_match (const char *pattern, const char *path, s_params_t *params)
{
    params->count = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *close = strchr (pattern, '}');
            size_t len = strcspn (path, "/");
            if (!close || len == 0 || len >= sizeof params->value[0]
            ||  params->count == S_PARAMS)
                return false;
            params->name[params->count] = pattern + 1;
            memcpy (params->value[params->count], path, len);
            params->value[params->count][len] = 0;
            params->count++;
            pattern = close + 1;
            path += len;
        }
        else
        if (*pattern++ != *path++)
            return false;
    }
    return !*pattern && !*path;
}

/*  The name of parameter i, which ends at its '}'. */
static void
s_param_name (const s_params_t *params, int i, char *buf, size_t len)
{
    size_t n = strcspn (params->name[i], "}");
    snprintf (buf, len, "%.*s", (int) (n < len ? n : len - 1), params->name[i]);
}

/* --- scope ------------------------------------------------------------- */

/*  Whether a case lies in the caller's scope: its center does, or its
    unit is the caller's (a token of a unit), or, for a grid worker and a
    case not yet routed, its grid. */
static bool
s_case_in_scope (gw_request_t *req, const cg_case_view_t *c)
{
    if ((c->center && gw_in_scope (req, c->center)) || (c->unit && gw_in_scope (req, c->unit)))
        return true;
    return (!c->center || req->caller.role == CG_ROLE_GRID) && gw_in_scope (req, c->grid);
}

/*  Looks the case up first; 0 when the caller may act on it, else the
    reply is made (404 for another scope's case: its existence is data). */
static int
s_check_case (gw_request_t *req, const char *id)
{
    cg_case_get_t get = { .id = (char *) id };
    cg_case_view_t view;
    cg_error_t err;
    if (gw_call (req, "dispatch", "case.show", &cg_case_get_def, &get, &cg_case_view_def,
                 &view, &err)) {
        gw_reply_refusal (req, &err);
        return -1;
    }
    bool ok = s_case_in_scope (req, &view);
    cg_msg_clear (&cg_case_view_def, &view);
    if (!ok)
        gw_reply_error (req, 404, "not_found", "id", "there is no case %s", id);
    return ok ? 0 : -1;
}

/*  Whether a case matches a search: q in its id, text, address, grid or
    the source's reference. */
static bool
s_case_matches (const cg_case_view_t *c, const char *q)
{
    if (!q || !*q)
        return true;
    const char *fields[] = { c->id, c->text, c->address, c->grid, c->ext_ref };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i] && strstr (fields[i], q))
            return true;
    return false;
}

/*  The centers whose queues make up the caller's scope: the scope and
    every center below it; for a unit, the center it answers to; for a
    scope under a town (a community, a grid), the town that handles it. */
static size_t
s_scope_centers (gw_request_t *req, const cg_org_node_t **out, size_t max)
{
    const cg_org_node_t *scope = req->caller.scope;
    if (scope->kind == CG_ORG_UNIT) {
        out[0] = scope->parent;         /* the center the unit answers to */
        return 1;
    }
    if (scope->kind != CG_ORG_CITY && scope->kind != CG_ORG_COUNTY && scope->kind != CG_ORG_TOWN) {
        const cg_org_node_t *town = cg_orgtree_center_of (req->gw->org, scope, CG_ORG_TOWN);
        out[0] = town ? town : scope;
        return 1;
    }
    size_t n = 0;
    const cg_org_node_t *stack[256];
    size_t top = 0;
    stack[top++] = scope;
    while (top && n < max) {
        const cg_org_node_t *node = stack[--top];
        out[n++] = node;
        if (node->kind == CG_ORG_TOWN)
            continue;           /* below a town there are no centers */
        for (const cg_org_node_t *c = cg_orgtree_first_child (node); c && top < 256;
             c = cg_orgtree_next_sibling (c))
            if (c->kind == CG_ORG_COUNTY || c->kind == CG_ORG_TOWN)
                stack[top++] = c;
    }
    return n;
}

/*  What orders a queue: the deadline that matters in its state, as
    dispatch scores it (deploy/lua/dispatch/lib.lua), or creation. */
static int64_t
s_order_key (const cg_case_view_t *c, const char *state)
{
    if (!state || strcmp (state, "all") == 0)
        return c->created;
    if (strcmp (state, "dispatched") == 0 || strcmp (state, "received") == 0)
        return c->sign_by;
    if (strcmp (state, "accepted") == 0)
        return c->done_by;
    return c->updated;
}

static int
s_order (const void *a, const void *b, void *state)
{
    int64_t x = s_order_key (a, state), y = s_order_key (b, state);
    return x < y ? -1 : x > y ? 1 : strcmp (((const cg_case_view_t *) a)->id,
                                            ((const cg_case_view_t *) b)->id);
}

/*  A page of the caller's cases.  The city's is dispatch's own page; below
    it the gateway asks for each center's queue of its scope, keeps what
    lies in the scope and matches q, merges them in the queue's order and
    pages the result itself.  0, or -1 with err. */
static int
s_list_cases (gw_request_t *req, cg_case_query_t *query, const char *q, cg_case_page_t *page,
              cg_error_t *err)
{
    bool root = !req->caller.scope->parent;
    if (root && !(q && *q))
        return gw_call (req, "dispatch", "case.list", &cg_case_query_def, query,
                        &cg_case_page_def, page, err);
    const cg_org_node_t *centers[256];
    size_t ncenters;
    if (query->center || root) {
        centers[0] = query->center ? cg_orgtree_find (req->gw->org, query->center) : NULL;
        ncenters = 1;
    }
    else
        ncenters = s_scope_centers (req, centers, 256);
    int64_t offset = query->offset, limit = query->limit ? query->limit : 50;
    size_t count = 0, cap = 0;
    cg_case_view_t *all = NULL;
    int rc = 0;
    for (size_t i = 0; i < ncenters && rc == 0; i++) {
        cg_case_query_t one = { .state = query->state, .limit = CG_PAGE_MAX,
                                .center = centers[i] ? (char *) centers[i]->code : NULL };
        cg_case_page_t part;
        if ((rc = gw_call (req, "dispatch", "case.list", &cg_case_query_def, &one,
                           &cg_case_page_def, &part, err)))
            break;
        for (size_t k = 0; k < part.cases_count; k++) {
            cg_case_view_t *c = &part.cases[k];
            if (!s_case_in_scope (req, c) || !s_case_matches (c, q))
                continue;
            if (count == cap) {
                cap = cap ? cap * 2 : 64;
                all = realloc (all, cap * sizeof *all);
                assert (all);
            }
            all[count++] = *c;          /* moved: the part lets go of it */
            memset (c, 0, sizeof *c);
        }
        cg_msg_clear (&cg_case_page_def, &part);
    }
    memset (page, 0, sizeof *page);
    if (rc == 0) {
        if (count)
            qsort_r (all, count, sizeof *all, s_order, query->state);
        page->total = (int64_t) count;
        page->cases = calloc (count ? count : 1, sizeof *all);
        assert (page->cases);
    }
    for (size_t k = 0; k < count; k++) {
        if (rc == 0 && (int64_t) k >= offset && (int64_t) page->cases_count < limit)
            page->cases[page->cases_count++] = all[k];
        else
            cg_msg_clear (&cg_case_view_def, &all[k]);
    }
    free (all);
    return rc;
}

/*  A new case: the channel is the caller's when the role says it (a grid
    worker reports as grid, a device vendor as device), and below the root
    its grid must lie in the caller's scope.  0, or -1 when it replied. */
static int
s_check_place (gw_request_t *req, cg_case_submit_t *submit)
{
    int role = req->caller.role;
    if (role == CG_ROLE_GRID || role == CG_ROLE_DEVICE || !submit->source) {
        free (submit->source);
        submit->source = strdup (role == CG_ROLE_GRID ? "grid" : role == CG_ROLE_DEVICE
                                 ? "device" : "operator");
    }
    if (req->caller.scope->parent && (!submit->grid || !gw_in_scope (req, submit->grid))) {
        gw_reply_error (req, 403, "forbidden", "grid", "a request from you must name a grid "
                        "within your scope %s", req->caller.scope_code);
        return -1;
    }
    return 0;
}

/* --- filling the request ------------------------------------------------- */

typedef struct {
    const cg_msgdef_t *def;
    void *msg;
    cg_error_t err;
    bool failed;
} s_fill_t;

static enum MHD_Result
s_query_arg (void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void) kind;
    s_fill_t *fill = cls;
    if (fill->failed || strcmp (key, "access_token") == 0
    ||  (strcmp (key, "q") == 0 && fill->def == &cg_case_query_def))
        return MHD_YES;         /* q: the gateway's search over a list */
    if (strcmp (key, "rid") == 0 || strcmp (key, "actor") == 0) {
        cg_error_set (&fill->err, "invalid", key, "%s is set by the gateway", key);
        fill->failed = true;
        return MHD_NO;
    }
    int rc = cg_json_set_text (fill->def, fill->msg, key, value ? value : "", &fill->err);
    if (rc == 1)
        cg_error_set (&fill->err, "invalid", key, "%.60s is not a parameter of this query", key);
    fill->failed = rc != 0;
    return rc ? MHD_NO : MHD_YES;
}

static int
s_fill (gw_request_t *req, const s_route_t *route, const s_params_t *params, void *msg,
        cg_error_t *err)
{
    const cg_msgdef_t *def = route->req_def;
    memset (msg, 0, def->size);
    if (req->body_size) {
        json_error_t jerr;
        json_t *body = json_loadb (req->body, req->body_size, JSON_REJECT_DUPLICATES, &jerr);
        if (!body) {
            cg_error_set (err, "invalid", "body", "the body is not valid JSON: %s (line %d, "
                          "column %d)", jerr.text, jerr.line, jerr.column);
            return -1;
        }
        int rc = cg_json_to_msg (def, body, msg, err);
        json_decref (body);
        if (rc && !*err->field)
            snprintf (err->field, sizeof err->field, "body");
        if (rc)
            return -1;
    }
    if (strcmp (req->method, "GET") == 0) {
        s_fill_t fill = { .def = def, .msg = msg };
        MHD_get_connection_values (req->conn, MHD_GET_ARGUMENT_KIND, s_query_arg, &fill);
        if (fill.failed) {
            *err = fill.err;
            return -1;
        }
    }
    for (int i = 0; i < params->count; i++) {
        char name[16];
        s_param_name (params, i, name, sizeof name);
        if (cg_json_set_text (def, msg, name, params->value[i], err) < 0)
            return -1;
    }
    /*  what the gateway vouches for: who acts, and the client's key */
    char actor[64];
    gw_actor (req, actor, sizeof actor);
    cg_msg_set (def, msg, "actor", actor, strlen (actor));
    const char *key = gw_header (req, "Idempotency-Key");
    if (key && cg_json_set_text (def, msg, "rid", key, err) < 0)
        return -1;
    return 0;
}

/* --- running a route ------------------------------------------------------ */

static void
s_run (gw_request_t *req, const s_route_t *route, const s_params_t *params)
{
    if (gw_auth (req, route->roles))
        return;
    const cg_msgdef_t *def = route->req_def;
    void *msg = calloc (1, def->size);
    void *rep = calloc (1, route->rep_def->size);
    assert (msg && rep);
    cg_error_t err;
    const char *target = params->count ? params->value[0] : "";
    if (s_fill (req, route, params, msg, &err)) {
        gw_reply_refusal (req, &err);
        goto done;
    }
    if (route->scope == S_SCOPE_CASE && strcmp (route->command, "case.show") != 0
    &&  s_check_case (req, target))
        goto done;
    if (route->scope == S_SCOPE_UNIT && !gw_in_scope (req, target)) {
        gw_reply_error (req, 403, "forbidden", "unit", "unit %s is outside your scope %s",
                        target, req->caller.scope_code);
        goto done;
    }
    if (route->scope == S_SCOPE_PLACE && s_check_place (req, msg))
        goto done;
    if (route->scope == S_SCOPE_VENDOR
    &&  cg_msg_set (def, msg, "vendor", req->caller.name, strlen (req->caller.name)) != 0) {
        gw_reply_error (req, 500, "internal", "vendor", "the vendor cannot be named");
        goto done;
    }
    if (route->scope == S_SCOPE_NODE) {
        const char *asked = s_scope_field (def, msg);
        if (!asked || !gw_in_scope (req, asked)) {
            gw_reply_error (req, 403, "forbidden", "scope", "%s is outside your scope %s",
                            asked ? asked : "(none)", req->caller.scope_code);
            goto done;
        }
    }
    if (route->scope == S_SCOPE_LIST) {
        cg_case_query_t *query = msg;
        if (query->center && !gw_in_scope (req, query->center)) {
            gw_reply_error (req, 403, "forbidden", "center", "center %s is outside your "
                            "scope %s", query->center, req->caller.scope_code);
            goto done;
        }
        if (s_list_cases (req, query, gw_query (req, "q"), rep, &err))
            gw_reply_refusal (req, &err);
        else
            gw_reply_json (req, 200, cg_json_from_msg (route->rep_def, rep));
        cg_msg_clear (route->rep_def, rep);
        goto done;
    }
    if (gw_call (req, route->daemon, route->command, def, msg, route->rep_def, rep, &err)) {
        gw_reply_refusal (req, &err);
        goto done;
    }
    if (route->scope == S_SCOPE_CASE && !s_case_in_scope (req, rep))
        gw_reply_error (req, 404, "not_found", "id", "there is no case %s", target);
    else {
        gw_reply_json (req, 200, cg_json_from_msg (route->rep_def, rep));
    }
    cg_msg_clear (route->rep_def, rep);
done:
    if (strcmp (req->method, "GET") != 0)
        gw_audit (req, route->command, target, req->status);
    cg_msg_clear (def, msg);
    free (msg);
    free (rep);
}

/*  GET /api/v1/me: the caller as the gateway sees it, for the console. */
static void
s_me (gw_request_t *req)
{
    if (gw_auth (req, ~0))
        return;
    const cg_org_node_t *scope = req->caller.scope;
    gw_reply_json (req, 200, json_pack ("{s:s, s:s, s:s, s:s, s:s}",
        "name", req->caller.name, "role", cg_role_name (req->caller.role),
        "scope", scope->code, "scope_name", scope->name,
        "scope_kind", cg_org_kind_name (scope->kind)));
}

/*  GET /api/v1/catalog: the categories, for forms and charts. */
static void
s_catalog (gw_request_t *req)
{
    if (gw_auth (req, ~0))
        return;
    json_t *list = json_array ();
    for (size_t i = 0; i < cg_catalog_size (req->gw->catalog); i++) {
        const cg_category_t *c = cg_catalog_at (req->gw->catalog, i);
        json_array_append_new (list, json_pack ("{s:s, s:s, s:s, s:s, s:s, s:i, s:i}",
            "code", c->code, "name", c->name_zh, "name_en", c->name_en,
            "class", cg_req_class_name (c->class), "level", cg_org_kind_name (c->level),
            "sign_limit_min", c->sign_limit_min,
            "complete_limit_min", c->complete_limit_min));
    }
    gw_reply_json (req, 200, json_pack ("{s:o}", "categories", list));
}

/*  GET /api/v1/places/{code}: a place of the org tree with the places
    above it, for showing a grid as 网格 · 社区 · 街道.  Names are public. */
static void
s_place (gw_request_t *req, const char *code)
{
    if (gw_auth (req, ~0))
        return;
    const cg_org_node_t *node = cg_orgtree_find (req->gw->org, code);
    if (!node) {
        gw_reply_error (req, 404, "not_found", "code", "there is no place %.40s", code);
        return;
    }
    json_t *path = json_array ();
    for (const cg_org_node_t *n = node; n; n = n->parent)
        json_array_insert_new (path, 0, json_pack ("{s:s, s:s, s:s}", "code", n->code,
                                                   "name", n->name,
                                                   "kind", cg_org_kind_name (n->kind)));
    gw_reply_json (req, 200, json_pack ("{s:s, s:s, s:s, s:o}", "code", node->code,
        "name", node->name, "kind", cg_org_kind_name (node->kind), "path", path));
}

void
gw_api_handle (gw_request_t *req)
{
    if (strcmp (req->path, "/api/v1/me") == 0 && strcmp (req->method, "GET") == 0) {
        s_me (req);
        return;
    }
    if (strcmp (req->path, "/api/v1/catalog") == 0 && strcmp (req->method, "GET") == 0) {
        s_catalog (req);
        return;
    }
    s_params_t params;
    if (strcmp (req->method, "GET") == 0 && s_match ("/api/v1/places/{code}", req->path, &params)) {
        s_place (req, params.value[0]);
        return;
    }
    bool path_known = false;
    for (size_t i = 0; i < S_NROUTES; i++) {
        if (!s_match (s_routes[i].pattern, req->path, &params))
            continue;
        path_known = true;
        if (strcmp (s_routes[i].method, req->method) == 0) {
            s_run (req, &s_routes[i], &params);
            return;
        }
    }
    if (path_known)
        gw_reply_error (req, 405, "method_not_allowed", "method", "%s is not allowed on %.100s",
                        req->method, req->path);
    else
        gw_reply_error (req, 404, "not_found", "path", "there is no API at %.100s", req->path);
}
