/*  funds — charity funds and the time bank in the operator API, and
    their monthly disclosure in public.

    The gateway reads the funds file the fund daemon reads (data/funds,
    deploy/demo/funds.cfg) for what the daemon does not keep: where each
    fund belongs, its `area`, a place of the org tree (the root when not
    given).  A fund lies in a caller's scope when that place does; any
    other fund is answered 404 like one that does not exist.  Every path
    names its fund first (/api/v1/funds/{fund}/...), and what a path names
    inside it must be the fund's own: an account is the fund's when its id
    is the fund's code or starts with it and a dot (the longest such code
    wins, so fund a.b's accounts are not fund a's); a request is looked up
    and must name the fund.  Who acts is the token's holder: the gateway
    sets `actor` (gw_actor: the holder's name, with the place it speaks
    for) and `role` (the token's), overriding whatever the client sent, and
    the fund daemon decides what they may do (docs/FUND.md).  A donation or a request without an `id` gets a fresh one; send
    one to make a retry safe (the ledger applies an id once).

    In public, a fund's month is shown only once it was published
    (fund.publish): as JSON, as the printable page (cg_disclosure.h), and
    its head hash alone, which anyone can check against the ledger's
    entries (docs/FUND.md). */
#include "gateway.h"
#include "cg_disclosure.h"
#include <ctype.h>

int
gw_funds_load (gateway_t *gw, const char *path, char *err, size_t len)
{
    gw->funds = cg_zpl_load (path);
    if (!gw->funds) {
        zsys_warning ("gateway: no funds: %s cannot be read", path);
        return 0;
    }
    zconfig_t *list = zconfig_locate (gw->funds, "fund");
    for (zconfig_t *f = list ? zconfig_child (list) : NULL; f; f = zconfig_next (f)) {
        const char *scope = zconfig_get (f, "area", NULL);
        if (scope && !cg_orgtree_find (gw->org, scope)) {
            snprintf (err, len, "%s: fund %s: area %s is not a place of the org tree", path,
                      zconfig_name (f), scope);
            return -1;
        }
    }
    return 0;
}

/*  The fund of that code, or NULL. */
static zconfig_t *
s_fund (gateway_t *gw, const char *code)
{
    zconfig_t *list = gw->funds ? zconfig_locate (gw->funds, "fund") : NULL;
    for (zconfig_t *f = list ? zconfig_child (list) : NULL; f; f = zconfig_next (f))
        if (code && strcmp (zconfig_name (f), code) == 0)
            return f;
    return NULL;
}

static const cg_org_node_t *
s_scope (gateway_t *gw, zconfig_t *fund)
{
    const char *code = zconfig_get (fund, "area", NULL);
    return code ? cg_orgtree_find (gw->org, code) : cg_orgtree_root (gw->org);
}

static bool
s_fund_in_scope (gw_request_t *req, zconfig_t *fund)
{
    return fund && cg_orgtree_within (s_scope (req->gw, fund), req->caller.scope);
}

/*  The fund an account belongs to: the longest fund code that is the
    account's id or its start before a dot. */
static zconfig_t *
s_fund_of_account (gateway_t *gw, const char *account)
{
    zconfig_t *best = NULL;
    size_t best_len = 0;
    zconfig_t *list = gw->funds ? zconfig_locate (gw->funds, "fund") : NULL;
    for (zconfig_t *f = list ? zconfig_child (list) : NULL; f; f = zconfig_next (f)) {
        size_t n = strlen (zconfig_name (f));
        if (strncmp (account, zconfig_name (f), n) == 0 && (account[n] == 0 || account[n] == '.')
        &&  n > best_len) {
            best = f;
            best_len = n;
        }
    }
    return best;
}

void
gw_funds_list (gw_request_t *req, bool public)
{
    if (!public && gw_auth (req, CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN))
        return;
    json_t *funds = json_array ();
    zconfig_t *list = req->gw->funds ? zconfig_locate (req->gw->funds, "fund") : NULL;
    for (zconfig_t *f = list ? zconfig_child (list) : NULL; f; f = zconfig_next (f)) {
        if (!public && !s_fund_in_scope (req, f))
            continue;
        const cg_org_node_t *scope = s_scope (req->gw, f);
        json_array_append_new (funds, json_pack ("{s:s, s:s, s:s, s:s, s:s}",
            "code", zconfig_name (f), "name", zconfig_get (f, "name", zconfig_name (f)),
            "ledger", zconfig_get (f, "ledger", "cny"), "scope", scope->code,
            "scope_name", scope->name));
    }
    gw_reply_json (req, 200, json_pack ("{s:o}", "funds", funds));
}

/* --- the operator API ------------------------------------------------------ */

/*  A fresh transfer id into msg's `id`: 32 lower-case hex digits. */
static void
s_fresh_id (const cg_msgdef_t *def, void *msg)
{
    zuuid_t *uuid = zuuid_new ();
    char id[33];
    snprintf (id, sizeof id, "%s", zuuid_str (uuid));
    zuuid_destroy (&uuid);
    for (char *c = id; *c; c++)
        *c = (char) tolower ((unsigned char) *c);
    cg_msg_set (def, msg, "id", id, 32);
}

/*  The fund of the path (its first segment) must be in scope; the holder
    acts by name, and a transfer without an id gets one. */
static int
s_check_fund (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def, void *msg)
{
    if (!s_fund_in_scope (req, s_fund (req->gw, params->value[0]))) {
        gw_reply_error (req, 404, "not_found", "fund", "there is no fund %s", params->value[0]);
        return -1;
    }
    char actor[160];
    gw_actor (req, actor, sizeof actor);
    const char *role = cg_role_name (req->caller.role);
    cg_msg_set (def, msg, "actor", actor, strlen (actor));
    cg_msg_set (def, msg, "role", role, strlen (role));
    if ((def == &cg_fund_donate_def && !((cg_fund_donate_t *) msg)->id)
    ||  (def == &cg_fund_request_def && !((cg_fund_request_t *) msg)->id)) {
        s_fresh_id (def, msg);
    }
    return 0;
}

static int
s_check_account (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def,
                 void *msg)
{
    if (s_check_fund (req, params, def, msg))
        return -1;
    const char *account = gw_param (params, "id");
    zconfig_t *owner = s_fund_of_account (req->gw, account);
    if (owner && strcmp (zconfig_name (owner), params->value[0]) == 0)
        return 0;
    gw_reply_error (req, 404, "not_found", "id", "there is no account %s in fund %s", account,
                    params->value[0]);
    return -1;
}

static bool
s_shows_request (gw_request_t *req, const gw_params_t *params, const void *rep)
{
    (void) req;
    return strcmp (((const cg_fund_request_view_t *) rep)->fund, params->value[0]) == 0;
}

/*  A site's goods or a redemption: the holder acts by name, and a
    movement without an id gets one.  Which sites the caller may touch is
    the fund daemon's rule (fund_area, site_desk), as the gateway does not
    read data/kind. */
static int
s_check_site (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def, void *msg)
{
    (void) params;
    char actor[160];
    gw_actor (req, actor, sizeof actor);
    const char *role = cg_role_name (req->caller.role);
    cg_msg_set (def, msg, "actor", actor, strlen (actor));
    cg_msg_set (def, msg, "role", role, strlen (role));
    if ((def == &cg_fund_goods_def && !((cg_fund_goods_t *) msg)->id)
    ||  (def == &cg_fund_redeem_def && !((cg_fund_redeem_t *) msg)->id)) {
        s_fresh_id (def, msg);
    }
    return 0;
}

/*  A resident's points: by their id, or, for /api/v1/residents/by-phone/
    points?phone=..., by the keyed fingerprint intake makes of the phone
    (the resident in front of the operator), which is how the points of a
    reported case are kept; the phone goes no further than intake. */
static int
s_check_resident (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def,
                  void *msg)
{
    const char *phone = gw_query (req, "phone");
    if (phone && strcmp (gw_param (params, "id"), "by-phone") != 0) {
        gw_reply_error (req, 400, "invalid", "phone", "?phone= goes with "
                        "/api/v1/residents/by-phone/points");
        return -1;
    }
    if (strcmp (gw_param (params, "id"), "by-phone") == 0) {
        if (!phone) {
            gw_reply_error (req, 400, "invalid", "phone", "by-phone needs ?phone=, the "
                            "resident's phone number");
            return -1;
        }
        char *caller = gw_caller_of_phone (req, phone);
        if (!caller)
            return -1;
        cg_msg_set (def, msg, "id", caller, strlen (caller));
        free (caller);
    }
    return s_check_site (req, params, def, msg);
}

/* --- in public ------------------------------------------------------------ */

static int
s_check_known (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def, void *msg)
{
    (void) def;
    (void) msg;
    if (s_fund (req->gw, params->value[0]))
        return 0;
    gw_reply_error (req, 404, "not_found", "id", "there is no fund %.64s", params->value[0]);
    return -1;
}

static bool
s_shows_published (gw_request_t *req, const gw_params_t *params, const void *rep)
{
    (void) req;
    (void) params;
    return ((const cg_fund_report_t *) rep)->published != 0;
}

static void
s_answer_html (gw_request_t *req, const void *rep)
{
    char *page = NULL;
    size_t size = 0;
    FILE *out = open_memstream (&page, &size);
    assert (out);
    cg_disclosure_html (rep, out);
    fclose (out);
    gw_reply (req, 200, "text/html; charset=utf-8", page, size);
    /*  the page quotes what donors typed (escaped): let it run nothing */
    MHD_add_response_header (req->response, "Content-Security-Policy",
                             "default-src 'none'; style-src 'unsafe-inline'");
    free (page);
}

static void
s_answer_head (gw_request_t *req, const void *rep)
{
    const cg_fund_report_t *r = rep;
    gw_reply_json (req, 200, json_pack ("{s:s, s:s, s:I, s:s?, s:I}", "fund", r->fund,
                                        "month", r->month, "entries", (json_int_t) r->entries,
                                        "head", r->head, "published",
                                        (json_int_t) r->published));
}

const gw_rule_t gw_fund = { .check = s_check_fund };
const gw_rule_t gw_site = { .check = s_check_site };
const gw_rule_t gw_resident = { .check = s_check_resident };
const gw_rule_t gw_fund_account = { .check = s_check_account };
const gw_rule_t gw_fund_request = { .what = "request", .check = s_check_fund,
                                    .shows = s_shows_request };
const gw_rule_t gw_fund_decide = { .what = "request", .check = s_check_fund,
                                   .lookup = &cg_cmd_fund_show, .shows = s_shows_request };
const gw_rule_t gw_report_public = { .what = "published report", .check = s_check_known,
                                     .shows = s_shows_published };
const gw_rule_t gw_report_html = { .what = "published report", .check = s_check_known,
                                   .shows = s_shows_published, .answer = s_answer_html };
const gw_rule_t gw_report_head = { .what = "published report", .check = s_check_known,
                                   .shows = s_shows_published, .answer = s_answer_head };
