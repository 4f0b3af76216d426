/*  api — the operator API under /api/v1/: a table of routes.

    Each route maps a method and a path pattern onto one command of one
    daemon, with the message definitions of its request and its reply.
    The request message is filled GENERICALLY from the descriptor
    (cg_json.h): the JSON body's keys, the query parameters (for GET), the
    path's {segments}, then what the gateway itself vouches for: the actor
    (the token's holder) and the request id (Idempotency-Key, when given).
    The reply message goes back as JSON the same way.  So wiring a new
    command is one line in s_routes.

    What differs between routes is the rule that keeps a caller inside its
    scope (gw_rule_t: cases.c, topics.c, funds.c): a case or a topic must
    lie in the caller's subtree (else 404, so nothing about another town's
    leaks), a list is gathered from the places of the subtree, a place a
    request names must lie in it, a fund must be one of the subtree's.
    Routes without roles are public (no token, GET only): what is
    published.  Every action (not a read) goes to the audit log. */
#include "gateway.h"
#include "cg_case_actions.h"
#include "cg_clock.h"

#define S_READ      (CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN | CG_ROLE_GRID)
#define S_ACT       (CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN)
#define S_CLOSE     (CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN)
#define S_PUBLIC    0

typedef struct {
    const char *method;
    const char *pattern;
    int roles;
    const cg_cmddef_t *command;     /* proto's: the daemon, the request and the reply */
    const gw_rule_t *rule;
} s_route_t;

/*  Rows that differ only in the action's name: each a POST onto a command
    of the same name, with the same messages and rule. */
#define S_CASE(ID, name, from, to, topic, actors, zh) \
    { "POST", "/api/v1/cases/{id}/" #name, (actors) & CG_ACTOR_SUPERVISOR ? S_CLOSE : S_ACT, \
      &cg_cmd_case_##name, &gw_case_act },
#define S_TOPIC(name) \
    { "POST", "/api/v1/topics/{id}/" #name, S_ACT, &cg_cmd_topic_##name, &gw_topic_act },
#define S_DECIDE(name) \
    { "POST", "/api/v1/funds/{fund}/requests/{id}/" #name, S_ACT, &cg_cmd_fund_##name, \
      &gw_fund_decide },

static const s_route_t s_routes[] = {
    { "GET",  "/api/v1/cases", S_READ, &cg_cmd_case_list, &gw_cases },
    { "GET",  "/api/v1/cases/{id}", S_READ, &cg_cmd_case_show, &gw_case_read },
    /*  dispatch's actions (docs/DISPATCH.md), one route each from its
        table (proto/cg_case_actions.h): each a case.act with the fields it
        needs (unit, minutes, satisfied, into, note) */
    CG_CASE_ACTIONS (S_CASE)
    /*  the operator's acknowledgement of the case's urgent notices, which
        notification records and which stops their escalation */
    { "POST", "/api/v1/cases/{id}/ack", S_READ, &cg_cmd_notify_ack_case, &gw_case_act },
    { "POST", "/api/v1/cases", S_READ, &cg_cmd_case_submit, &gw_case_place },
    { "POST", "/api/v1/alarms", CG_ROLE_DEVICE, &cg_cmd_device_alarm, &gw_vendor },
    { "POST", "/api/v1/alarms/{alarm_id}/cancel", CG_ROLE_DEVICE, &cg_cmd_device_cancel,
      &gw_vendor },
    { "GET",  "/api/v1/inbox/{unit}", S_READ, &cg_cmd_inbox_list, &gw_unit },
    /*  the acknowledgements of urgent notices to an org node and below it,
        pending or settled (docs/NOTIFICATION.md): a node of the caller's subtree */
    { "GET",  "/api/v1/acks", S_READ, &cg_cmd_notify_ack_list, &gw_org },
    /*  notification's dead letters (docs/NOTIFICATION.md), the whole region's */
    { "GET",  "/api/v1/deadletters", S_CLOSE, &cg_cmd_notify_deadletter, &gw_root },
    { "POST", "/api/v1/deadletters/{id}/retry", S_CLOSE, &cg_cmd_notify_retry, &gw_root },
    { "GET",  "/api/v1/stats", S_READ, &cg_cmd_case_stats, &gw_node },
    /*  consultation (docs/CONSULTATION.md): topics of the caller's communities */
    { "GET",  "/api/v1/topics", S_ACT, &cg_cmd_topic_list, &gw_topics },
    { "POST", "/api/v1/topics", S_ACT, &cg_cmd_topic_create, &gw_node },
    { "GET",  "/api/v1/topics/{id}", S_ACT, &cg_cmd_topic_show, &gw_topic_read },
    S_TOPIC (stage) S_TOPIC (publish) S_TOPIC (task)
    { "POST", "/api/v1/topics/{id}/meeting", S_ACT, &cg_cmd_topic_meeting, &gw_topic_act },
    { "POST", "/api/v1/topics/{id}/vote", S_ACT, &cg_cmd_topic_vote, &gw_topic_act },
    { "POST", "/api/v1/topics/{id}/tally", S_ACT, &cg_cmd_topic_tally, &gw_topic_act },
    /*  needs and offers (供需对接, docs/CONSULTATION.md): of the caller's communities */
    { "POST", "/api/v1/volunteers", S_ACT, &cg_cmd_volunteer_register, &gw_need_place },
    { "POST", "/api/v1/needs", S_ACT, &cg_cmd_need_post, &gw_need_place },
    { "POST", "/api/v1/offers", S_ACT, &cg_cmd_offer_post, &gw_need_place },
    { "GET",  "/api/v1/needs", S_ACT, &cg_cmd_need_list, &gw_need_place },
    { "GET",  "/api/v1/needs/stats", S_ACT, &cg_cmd_need_stats, &gw_need_place },
    { "GET",  "/api/v1/needs/{id}", S_ACT, &cg_cmd_need_show, &gw_need_read },
    { "GET",  "/api/v1/needs/{id}/proposals", S_ACT, &cg_cmd_need_propose, &gw_need_act },
    { "POST", "/api/v1/needs/{id}/match", S_ACT, &cg_cmd_need_match, &gw_need_act },
    { "POST", "/api/v1/matches/{id}/accept", S_ACT, &cg_cmd_match_accept, &gw_match_act },
    { "POST", "/api/v1/matches/{id}/decline", S_ACT, &cg_cmd_match_decline, &gw_match_act },
    { "POST", "/api/v1/matches/{id}/confirm", S_ACT, &cg_cmd_need_confirm, &gw_match_act },
    /*  funds (docs/FUND.md): the funds of the caller's places */
    { "GET",  "/api/v1/funds/{fund}/accounts/{id}", S_ACT, &cg_cmd_fund_balance, &gw_fund_account },
    { "GET",  "/api/v1/funds/{fund}/accounts/{id}/statement", S_ACT, &cg_cmd_fund_statement,
      &gw_fund_account },
    { "POST", "/api/v1/funds/{fund}/donations", S_ACT, &cg_cmd_fund_donate, &gw_fund },
    { "POST", "/api/v1/funds/{fund}/requests", S_ACT, &cg_cmd_fund_request, &gw_fund },
    { "GET",  "/api/v1/funds/{fund}/requests", S_ACT, &cg_cmd_fund_requests, &gw_fund },
    { "GET",  "/api/v1/funds/{fund}/requests/{id}", S_ACT, &cg_cmd_fund_show, &gw_fund_request },
    S_DECIDE (approve) S_DECIDE (reject)
    { "GET",  "/api/v1/funds/{id}/reports/{month}", S_ACT, &cg_cmd_fund_report, &gw_fund },
    { "POST", "/api/v1/funds/{id}/reports/{month}/publish", S_CLOSE, &cg_cmd_fund_publish,
      &gw_fund },
    /*  charity sites' goods in kind and resident points (docs/FUND.md): the
        fund daemon checks that the caller speaks for the site's community */
    { "POST", "/api/v1/sites/{site}/goods/in", S_ACT, &cg_cmd_fund_goods_in, &gw_site },
    { "POST", "/api/v1/sites/{site}/goods/out", S_ACT, &cg_cmd_fund_goods_out, &gw_site },
    { "POST", "/api/v1/sites/{site}/goods/move", S_ACT, &cg_cmd_fund_goods_move, &gw_site },
    { "GET",  "/api/v1/sites/{id}/stock", S_ACT, &cg_cmd_fund_stock, &gw_site },
    /*  picking lists for the console: bounded, within the caller's scope */
    { "GET",  "/api/v1/sites", S_READ, &cg_cmd_fund_sites, &gw_scoped },
    { "GET",  "/api/v1/powers/areas", S_READ, &cg_cmd_powers_areas, &gw_scoped },
    { "POST", "/api/v1/sites/{site}/redemptions", S_ACT, &cg_cmd_fund_redeem, &gw_site },
    { "GET",  "/api/v1/residents/{id}/points", S_ACT, &cg_cmd_fund_points, &gw_resident },
    /*  public, no token: only what was published */
    { "GET",  "/api/v1/public/topics", S_PUBLIC, &cg_cmd_topic_public_list, &gw_topics_public },
    { "GET",  "/api/v1/public/topics/{id}", S_PUBLIC, &cg_cmd_topic_public, &gw_topic_public },
    { "GET",  "/api/v1/public/needs/stats", S_PUBLIC, &cg_cmd_need_stats, &gw_need_public },
    /*  before the JSON: {month} would take "2026-11.html" */
    { "GET",  "/api/v1/public/funds/{id}/reports/{month}.html", S_PUBLIC, &cg_cmd_fund_report,
      &gw_report_html },
    { "GET",  "/api/v1/public/funds/{id}/reports/{month}", S_PUBLIC, &cg_cmd_fund_report,
      &gw_report_public },
    { "GET",  "/api/v1/public/funds/{id}/reports/{month}/head", S_PUBLIC, &cg_cmd_fund_report,
      &gw_report_head },
};
#undef S_CASE
#undef S_TOPIC
#undef S_DECIDE
#define S_NROUTES (sizeof s_routes / sizeof s_routes[0])

/*  Matches path against a pattern; {name} takes one non-empty segment
    (which ends at a '.' when the pattern goes on with one: {month}.html). */
static bool
s_match (const char *pattern, const char *path, gw_params_t *params)
{
    params->count = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *close = strchr (pattern, '}');
            const char *stop = close && close[1] == '.' ? "/." : "/";
            size_t len = strcspn (path, stop);
            if (!close || len == 0 || len >= sizeof params->value[0]
            ||  params->count == GW_PARAMS)
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
    ||  (gw_case_filter_key (key) && fill->def == &cg_case_query_def)
    ||  (strcmp (key, "phone") == 0 && fill->def == &cg_fund_get_def))
        return MHD_YES;         /* q, category, ...: the gateway's filters over a list;
                                   phone: the gateway finds a resident by it (funds.c),
                                   the fund never sees it */
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
s_fill (gw_request_t *req, const s_route_t *route, const gw_params_t *params, void *msg,
        cg_error_t *err)
{
    const cg_msgdef_t *def = route->command->request;
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
        gw_param_name (params, i, name, sizeof name);
        if (cg_json_set_text (def, msg, name, params->value[i], err) < 0)
            return -1;
    }
    /*  what the gateway vouches for: who acts, and the client's key */
    if (route->roles != S_PUBLIC) {
        char actor[64];
        gw_actor (req, actor, sizeof actor);
        cg_msg_set (def, msg, "actor", actor, strlen (actor));
    }
    const char *key = gw_header (req, "Idempotency-Key");
    if (key && cg_json_set_text (def, msg, "rid", key, err) < 0)
        return -1;
    return 0;
}

/* --- running a route ------------------------------------------------------ */

/*  What the audit log says an action was on: the path's segments. */
static void
s_target (const gw_params_t *params, char *buf, size_t len)
{
    *buf = 0;
    for (int i = 0; i < params->count; i++)
        snprintf (buf + strlen (buf), len - strlen (buf), "%s%s", i ? "/" : "",
                  params->value[i]);
}

/*  404, as if it did not exist: there is no <what> <the last segment>. */
static void
s_not_found (gw_request_t *req, const gw_rule_t *rule, const gw_params_t *params)
{
    char name[16];
    gw_param_name (params, params->count - 1, name, sizeof name);
    gw_reply_error (req, 404, "not_found", name, "there is no %s %s", rule->what,
                    params->value[params->count - 1]);
}

/*  What an action is on, looked up first: 0 when the caller may act on
    it, or -1 when it replied. */
static int
s_look_up (gw_request_t *req, const s_route_t *route, const gw_params_t *params)
{
    const gw_rule_t *rule = route->rule;
    const char *id = gw_param (params, "id");
    const cg_msgdef_t *get_def = rule->lookup->request, *view_def = rule->lookup->reply;
    void *get = calloc (1, get_def->size);
    void *view = calloc (1, view_def->size);
    assert (get && view);
    cg_msg_set (get_def, get, "id", id, strlen (id));
    cg_error_t err;
    int rc = gw_call (req, rule->lookup, get, view, &err);
    if (rc)
        gw_reply_refusal (req, &err);
    else
    if (!rule->shows (req, params, view)) {
        s_not_found (req, rule, params);
        rc = -1;
    }
    cg_msg_clear (get_def, get);
    cg_msg_clear (view_def, view);
    free (get);
    free (view);
    return rc;
}

/*  The text of a request's field, read through its definition. */
static const char *
s_text (const cg_msgdef_t *def, const void *msg, const char *key)
{
    for (size_t i = 0; i < def->nfields; i++)
        if (strcmp (def->fields[i].key, key) == 0 && def->fields[i].type == CG_F_STR)
            return *(char *const *) ((const char *) msg + def->fields[i].offset);
    return NULL;
}

static void
s_run (gw_request_t *req, const s_route_t *route, const gw_params_t *params)
{
    if (route->roles != S_PUBLIC && gw_auth (req, route->roles))
        return;
    const gw_rule_t *rule = route->rule;
    const cg_msgdef_t *def = route->command->request;
    void *msg = calloc (1, def->size);
    void *rep = calloc (1, route->command->reply->size);
    assert (msg && rep);
    cg_error_t err;
    if (s_fill (req, route, params, msg, &err))
        gw_reply_refusal (req, &err);
    else
    if ((rule->place && gw_check_place (req, rule->place, s_text (def, msg, rule->place),
                                        !rule->place_needed))
    ||  (rule->check && rule->check (req, params, def, msg))
    ||  (rule->lookup && s_look_up (req, route, params)))
        ;                       /* it replied */
    else
    if (rule->fetch ? rule->fetch (req, msg, rep, &err)
                    : gw_call (req, route->command, msg, rep, &err))
        gw_reply_refusal (req, &err);
    else
    if (!rule->lookup && rule->shows && !rule->shows (req, params, rep))
        s_not_found (req, rule, params);
    else
    if (rule->answer)
        rule->answer (req, rep);
    else
        gw_reply_json (req, 200, cg_json_from_msg (route->command->reply, rep));
    if (strcmp (req->method, "GET") != 0) {
        char target[256];
        s_target (params, target, sizeof target);
        gw_audit (req, route->command->name, target, req->status);
    }
    cg_msg_clear (route->command->reply, rep);
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
    json_t *me = json_pack ("{s:s, s:s, s:s, s:s, s:s}",
        "name", req->caller.name, "role", cg_role_name (req->caller.role),
        "scope", scope->code, "scope_name", scope->name,
        "scope_kind", cg_org_kind_name (scope->kind));
    /*  a working calendar near its end (cg_calendar_ends_soon): the console
        warns every operator, who sees deadlines counted past it */
    char why[512], ends[40];
    if (req->gw->calendar
        && cg_calendar_ends_soon (req->gw->calendar, cg_clock_now (), why, sizeof why)) {
        cg_time_iso (cg_calendar_ends (req->gw->calendar), ends, sizeof ends);
        ends[10] = 0;
        json_object_set_new (me, "calendar_ends", json_string (ends));
        json_object_set_new (me, "calendar_warning", json_string (why));
    }
    gw_reply_json (req, 200, me);
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

int
gw_api_route (const char *method, const char *path, gw_params_t *params)
{
    int found = GW_ROUTE_NONE;
    for (size_t i = 0; i < S_NROUTES; i++) {
        if (!s_match (s_routes[i].pattern, path, params))
            continue;
        if (strcmp (s_routes[i].method, method) == 0)
            return (int) i;
        found = GW_ROUTE_METHOD;
    }
    return found;
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
    if (strcmp (req->path, "/api/v1/cases/search") == 0 && strcmp (req->method, "GET") == 0) {
        gw_search_handle (req);
        return;
    }
    if (strcmp (req->path, "/api/v1/cases") == 0 && strcmp (req->method, "GET") == 0
    &&  gw_query (req, "q") && *gw_query (req, "q")) {
        gw_search_list (req);
        return;
    }
    if (strcmp (req->path, "/api/v1/cases/export") == 0 && strcmp (req->method, "GET") == 0) {
        gw_export_handle (req);
        return;
    }
    if (strcmp (req->path, "/api/v1/funds") == 0 && strcmp (req->method, "GET") == 0) {
        gw_funds_list (req, false);
        return;
    }
    if (strcmp (req->path, "/api/v1/map") == 0 && strcmp (req->method, "GET") == 0) {
        gw_map_handle (req);
        return;
    }
    if (strcmp (req->path, "/api/v1/alarms") == 0 && strcmp (req->method, "GET") == 0) {
        gw_alarms_handle (req);
        return;
    }
    if (strcmp (req->path, "/api/v1/hotspots") == 0 && strcmp (req->method, "GET") == 0) {
        gw_hotspots_handle (req);
        return;
    }
    if (strcmp (req->path, "/api/v1/audit") == 0 && strcmp (req->method, "GET") == 0) {
        gw_audit_list (req);
        return;
    }
    if (strcmp (req->path, "/api/v1/public/funds") == 0 && strcmp (req->method, "GET") == 0) {
        gw_funds_list (req, true);
        return;
    }
    gw_params_t params;
    if (strcmp (req->method, "GET") == 0 && s_match ("/api/v1/places/{code}", req->path, &params)) {
        s_place (req, params.value[0]);
        return;
    }
    if (strcmp (req->method, "GET") == 0
    &&  s_match ("/api/v1/cases/{id}/photos/{name}", req->path, &params)) {
        gw_photo_get (req, params.value[0], params.value[1]);
        return;
    }
    int route = gw_api_route (req->method, req->path, &params);
    if (route >= 0)
        s_run (req, &s_routes[route], &params);
    else
    if (route == GW_ROUTE_METHOD)
        gw_reply_error (req, 405, "method_not_allowed", "method", "%s is not allowed on %.100s",
                        req->method, req->path);
    else
        gw_reply_error (req, 404, "not_found", "path", "there is no API at %.100s", req->path);
}
