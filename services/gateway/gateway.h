/*  gateway — the pieces of civgrid-gateway and what they share.

    The gateway only translates: HTTP and JSON (or Open311's XML and forms)
    at its edge, commands to the daemons behind it.  libmicrohttpd runs one
    thread per connection, so a slow daemon or a long Server-Sent Events
    stream holds up nobody else; each request borrows a link (a Redis
    connection and command clients, gw_link_t) from a pool for as long as
    it runs, since neither hiredis nor a ZeroMQ socket may be used by two
    threads at once.

    Modules:
        http.c      the server: limits, parsing, the router, replies
        auth.c      tokens, scopes, rate limits, the audit log
        api.c       the operator API: a table of routes onto commands
        cases.c     the rules that keep a caller to the cases of its scope
        topics.c    consultation topics: scope rules, and what is public
        needs.c     needs and offers (供需对接): scope rules, the public statistics
        funds.c     funds: the funds file, scope rules, public disclosure
        gather.c    one page made from the pages of several places
        open311.c   Open311 GeoReport v2, JSON and XML
        hotline.c   the 12345 hotline's signed pushes
        grid.c      grid workers' reports with photos, and a case's photos
        sms.c       citizens' SMS replies rating their cases (回访)
        stream.c    live events (SSE) from the journals
        health.c    /healthz and /metrics, from every daemon's `metrics`
        search.c    search and export of every case, from the archive
        map.c       the map: grids' boundaries and the scope's open cases
*/
#ifndef GATEWAY_H_INCLUDED
#define GATEWAY_H_INCLUDED

#include "cg_daemon.h"
#include "cg_calendar.h"
#include "cg_catalog.h"
#include "cg_geo.h"
#include "cg_json.h"
#include "cg_orgtree.h"
#include "cg_token.h"
#include <microhttpd.h>
#include <pthread.h>

typedef struct _gateway_t gateway_t;
typedef struct gw_upload gw_upload_t;

/*  What a request has to work with: Redis and one command client per
    daemon, borrowed from the pool. */
typedef struct {
    cg_redis_t *redis;
    zhashx_t *clients;          /* daemon name -> cg_client_t */
} gw_link_t;

/*  Who is calling, once a token was checked. */
typedef struct {
    int role;
    char name[64];
    char scope_code[CG_CODE_MAX + 1];
    const cg_org_node_t *scope;
    char hash[CG_TOKEN_HASH];
} gw_caller_t;

/*  One HTTP request, from its first callback to its reply. */
typedef struct {
    gateway_t *gw;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    char address[64];           /* the client's IP */
    char *body;
    size_t body_size;
    bool body_too_large;
    gw_link_t *link;
    gw_caller_t caller;
    gw_upload_t *upload;        /* a multipart upload read as it comes (grid.c) */
    bool answered;              /* the reply was queued before the body was read */
    /*  the reply */
    int status;
    struct MHD_Response *response;
} gw_request_t;

struct _gateway_t {
    cg_daemon_t *daemon;
    cg_orgtree_t *org;
    cg_catalog_t *catalog;
    cg_calendar_t *calendar;    /* dispatch's working calendar: its end, for the console */
    cg_geo_t *geo;              /* data/grids_geo: the grids' boundaries, for the map */
    struct MHD_Daemon *httpd;
    size_t body_max;
    int rate_address;           /* requests a minute from one address */
    int rate_token;             /* requests a minute with one token */
    const char *proxies;        /* gateway/proxies: whose X-Forwarded-For is believed */
    int stream_max;             /* open event streams at most */
    char console_dir[512];
    char photo_dir[512];        /* gateway/photo_dir: photos by their checksum */
    size_t photo_max;           /* gateway/photo_max: bytes of one photo at most */
    int photos_max;             /* gateway/photos_max: photos of one report at most */
    char open311_url[256];      /* gateway/open311_url: Open311's base URL, with its '/' */
    char public_url[256];       /* gateway/public_url: the public page's base URL, or "" */
    int rate_report;            /* reports a minute from one address on one power */
    zconfig_t *funds;           /* data/funds: each fund's name, ledger and scope */
    /*  the pool of links */
    pthread_mutex_t lock;
    zlistx_t *idle;
    /*  rate windows: key -> count in the current minute */
    zhashx_t *rates;
    int64_t rate_minute;
    int streams;
};

/* --- tls.c -------------------------------------------------------------- */
/*  Reads gateway/tls_cert and gateway/tls_key: 1 with the certificate
    callback for libmicrohttpd in *callback, 0 when HTTPS is not asked for,
    -1 (logged) when it cannot be had. */
int gw_tls_configure (gateway_t *gw, void **callback);
void gw_tls_end (void);

/* --- http.c ------------------------------------------------------------- */
int gw_http_start (gateway_t *gw, const char *address, int port);
void gw_http_stop (gateway_t *gw);

/* --- reply.c: what every handler reads and answers ----------------------- */
/*  Replies; the body is copied. */
void gw_reply (gw_request_t *req, int status, const char *type, const char *body, size_t size);
/*  A JSON reply (takes the reference). */
void gw_reply_json (gw_request_t *req, int status, json_t *json);
/*  {"error": {"code", "field", "message"}} with status. */
void gw_reply_error (gw_request_t *req, int status, const char *code, const char *field,
                     const char *fmt, ...) __attribute__ ((format (printf, 5, 6)));
/*  Makes text that quotes the client safe for JSON: every byte that is
    not part of valid UTF-8 (a bad byte, a character cut by truncation)
    becomes '?'. */
void gw_utf8_scrub (char *s);
/*  A daemon's refusal, with the status its code calls for. */
void gw_reply_refusal (gw_request_t *req, const cg_error_t *err);
int gw_status_of (const char *code);
const char *gw_header (gw_request_t *req, const char *name);
const char *gw_query (gw_request_t *req, const char *name);
/*  ?limit=: a whole number from 1 to max, fallback when absent; -1 after
    replying 400 naming `limit`. */
int gw_query_limit (gw_request_t *req, int64_t fallback, int64_t max, int64_t *limit);
/*  The command client for a daemon, from the request's link. */
cg_client_t *gw_client (gw_request_t *req, const char *daemon);
/*  Calls the daemon that owns command (proto/cg_commands.h); 0, or -1
    with err (code "unavailable" when it is down). */
int gw_call (gw_request_t *req, const cg_cmddef_t *command, void *msg, void *rep,
             cg_error_t *err);
/*  The caller a phone number is to intake: its keyed fingerprint
    (malloc'd), by which cases and points are kept, so that the phone goes
    no further than intake; NULL when it replied (intake's refusal). */
char *gw_caller_of_phone (gw_request_t *req, const char *phone);

/* --- powers.c: the public lists of powers, their QR codes, reports ------ */
/*  /api/v1/public/powers/..., /api/v1/public/receipts/{receipt} */
void gw_powers_handle (gw_request_t *req);
/*  GET /public/...: the public page's files (console/public/) */
void gw_public_files (gw_request_t *req);

/* --- health.c: GET /healthz and GET /metrics ---------------------------- */
void gw_health_handle (gw_request_t *req);

/* --- auth.c ------------------------------------------------------------- */
/*  Drops the audit entries older than gateway/audit_days by the stack's
    clock, and none younger (a timer of the loop; arg is the gateway). */
int gw_audit_trim (zloop_t *loop, int timer_id, void *arg);
/*  Counts a request against key's budget; false when it is spent. */
bool gw_rate_take (gateway_t *gw, const char *key, int per_minute);
/*  Checks the token: 0 with req->caller filled, or the HTTP status
    (401, 403, 429, 503) with the reason in why. */
int gw_token_check (gw_request_t *req, const char *token, int roles, char *why, size_t len);
/*  Checks the token; 0 with req->caller filled, or -1 when it replied. */
int gw_auth_token (gw_request_t *req, const char *token, int roles);
/*  The bearer token from Authorization, the only place a token is taken
    from on every route but the stream. */
int gw_auth (gw_request_t *req, int roles);
/*  The same, or ?access_token= when there is no Authorization: for
    /api/v1/stream only, since EventSource cannot send a header. */
int gw_auth_stream (gw_request_t *req, int roles);
/*  The actor dispatch records and checks (docs/DISPATCH.md): "unit:CODE:NAME"
    for a token of a unit, "center:CODE:NAME" for one of a center or a
    place, "admin:CODE:NAME" for an admin of the subtree CODE; at most len
    bytes, whole characters. */
void gw_actor (gw_request_t *req, char *buf, size_t len);
/*  True when the place (a code of the org tree) lies in the caller's scope. */
bool gw_in_scope (gw_request_t *req, const char *code);
/*  0 when the place a request names in field lies in the caller's scope
    (or, when optional, is not named at all); else a 403 naming the field,
    and -1. */
int gw_check_place (gw_request_t *req, const char *field, const char *code, bool optional);
/*  The scope a view of the map's kind asks for (?scope=, the caller's by
    default) once an operator's, supervisor's, admin's or grid worker's
    token was checked; NULL when it replied (401, 403 naming scope). */
const cg_org_node_t *gw_scope_asked (gw_request_t *req);
/*  Checks a signed push (cg_sign.h): the sender named in id_header, whose
    secret is gateway/<section>/<id>, and the timestamp and signature
    headers.  0 with the sender's id, or -1 when it replied (401 naming
    the header at fault). */
/*  A signed push checked with its sender's secret (cg_sign.h) against our
    clock (now, Unix seconds): 0, or the HTTP status with err naming the
    header; what gw_auth_signed checks once it has found the secret. */
int gw_signed_check (const char *secret, const char *stamp, const char *signature,
                     const char *body, size_t size, int64_t now, cg_error_t *err);
int gw_auth_signed (gw_request_t *req, const char *id_header, const char *section, char *id,
                    size_t len);
/*  Writes one entry of the audit log: who, when, what, on what, from where. */
void gw_audit (gw_request_t *req, const char *action, const char *target, int status);
/*  GET /api/v1/audit: a page of the audit log, newest first, by cursor. */
void gw_audit_list (gw_request_t *req);

/* --- api.c: routes ------------------------------------------------------- */
#define GW_PARAMS   4

/*  The {segments} of a route's path. */
typedef struct {
    const char *name[GW_PARAMS];    /* into the pattern; each ends at its '}' */
    char value[GW_PARAMS][80];
    int count;
} gw_params_t;

/*  The value of {name}, or NULL (reply.c). */
const char *gw_param (const gw_params_t *params, const char *name);
/*  The name of parameter i, which ends at its '}' (reply.c). */
void gw_param_name (const gw_params_t *params, int i, char *buf, size_t len);

/*  The route of the operator API that serves method on path, with its
    {segments} in params: its index, or GW_ROUTE_NONE (no route has that
    path: 404) or GW_ROUTE_METHOD (one has, for another method: 405). */
#define GW_ROUTE_NONE   (-1)
#define GW_ROUTE_METHOD (-2)
int gw_api_route (const char *method, const char *path, gw_params_t *params);

/*  How a route keeps its caller inside its scope.  Each part may be NULL.
    place names the request's field that names a place, which must lie in
    the caller's scope (403 naming it; when absent too if place_needed).
    check runs before the command, on the filled request (0, or -1 when it
    replied).  lookup is the command that shows what an action is on (its
    {id}, in its request; its reply is the thing): that is looked up first, and shows must admit it.  fetch runs instead of the
    route's command (a list gathered from several places: 0, or -1 with
    err).  shows says whether the thing may be shown (the reply, when there
    was no lookup), else 404: there is no <what> <the last segment>.
    answer makes the reply (else the reply message as JSON). */
typedef struct {
    const char *what;
    const char *place;
    bool place_needed;
    int (*check) (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def,
                  void *msg);
    const cg_cmddef_t *lookup;
    int (*fetch) (gw_request_t *req, void *msg, void *rep, cg_error_t *err);
    bool (*shows) (gw_request_t *req, const gw_params_t *params, const void *rep);
    void (*answer) (gw_request_t *req, const void *rep);
} gw_rule_t;

/* --- gather.c ------------------------------------------------------------- */
/*  What a page gathered from several places is made of. */
typedef struct {
    const cg_cmddef_t *command;     /* its request: a query with cursor, limit (and
                                       newest, when it pages back); its reply: a page
                                       with total, next and one list of messages */
    const char *place;              /* the query's field that names the place */
    int64_t per_place;              /* the daemon's largest page */
    bool desc;                      /* the daemon lists highest pos first (else: when the
                                       query asks for the newest first) */
    bool (*keep) (gw_request_t *req, const void *item, void *arg);
    void *arg;
} gw_gather_t;

/*  Asks for query at each place (NULL: as the query stands) after the
    query's cursor, keeps, merges and pages what came into page, with the
    cursor of the next.  0, or -1 with err (a bad cursor: field cursor). */
int gw_gather (gw_request_t *req, const gw_gather_t *spec, const char *const *places,
               size_t nplaces, void *query, void *page, cg_error_t *err);
/*  The name of the gathered list a query asks for (cg_cursor_list). */
void gw_gather_list (gw_request_t *req, const gw_gather_t *spec, const void *query, char *buf,
                     size_t len);

/* --- hotline.c ------------------------------------------------------------ */
/*  A hotline's push read into intake's hotline.order (its signature is
    checked before, by gw_auth_signed): 0 with order filled (clear it), or
    the HTTP status with err naming the field; rid is the gateway's to set. */
int gw_hotline_order (const char *body, size_t size, cg_hotline_order_t *order, cg_error_t *err);

/* --- stream.c ------------------------------------------------------------- */
/*  The journals the stream reads, in the order of a Last-Event-ID. */
#define GW_STREAM_JOURNALS  2
extern const char *const gw_stream_journals[GW_STREAM_JOURNALS];

/*  The journals' sequence numbers in a Last-Event-ID the stream sent
    ("dispatch:42,notification:7", or the older "dispatch:42"): each
    journal it names, in any order, once; seqs[j] is -1 for a journal it
    does not name.  0, or -1 when it is not one (an unknown journal, a
    repeat, a sign, a space, a number the stream cannot count on from:
    INT64_MAX and beyond). */
int gw_last_event_id (const char *text, int64_t seqs[GW_STREAM_JOURNALS]);

/* --- open311.c ------------------------------------------------------------ */
#define GW_FORM_FIELDS  64

/*  An application/x-www-form-urlencoded body, parsed in place. */
typedef struct {
    char *key[GW_FORM_FIELDS];
    char *value[GW_FORM_FIELDS];
    int count;
} gw_form_t;

/*  Parses body (changed in place: %XX and + decoded, fields cut at & and
    =); 0, or -1 with why: too many fields, a bad escape, not UTF-8. */
int gw_form_parse (gw_form_t *form, char *body, char *why, size_t len);
/*  A field's value, NULL when absent or empty (Open311: empty = absent). */
const char *gw_form_get (const gw_form_t *form, const char *key);

/* --- cases.c, topics.c, funds.c: the rules -------------------------------- */
/*  Whether a case lies in the caller's scope (cases.c says when). */
bool gw_case_in_scope (gw_request_t *req, const cg_case_view_t *c);
/*  The filters a list of cases takes beside its message (q, category,
    source, place, urgent, supervised, overdue, warning, approval:
    cases.c): whether key is one, and those the request names as one
    string, for the list a cursor belongs to ("" when none). */
bool gw_case_filter_key (const char *key);
void gw_case_filters (gw_request_t *req, char *out, size_t len);

extern const gw_rule_t gw_case_read, gw_case_act, gw_cases, gw_case_place, gw_unit, gw_node, gw_scoped,
                       gw_org, gw_vendor, gw_root;
extern const gw_rule_t gw_topic_read, gw_topic_act, gw_topics, gw_topic_public,
                       gw_topics_public;
extern const gw_rule_t gw_fund, gw_site, gw_resident, gw_fund_account, gw_fund_request, gw_fund_decide,
                       gw_report_public, gw_report_html, gw_report_head;

/*  needs.c: needs and offers (供需对接) */
extern const gw_rule_t gw_need_place, gw_need_read, gw_need_act, gw_match_act, gw_need_public;

/*  Reads data/funds; 0, or -1 with err (a fund whose scope is not a place). */
int gw_funds_load (gateway_t *gw, const char *path, char *err, size_t len);
/*  GET /api/v1/funds (the caller's) and /api/v1/public/funds (all). */
void gw_funds_list (gw_request_t *req, bool public);

/* --- the handlers --------------------------------------------------------- */
void gw_api_handle (gw_request_t *req);
void gw_open311_handle (gw_request_t *req);
void gw_hotline_handle (gw_request_t *req);
void gw_sms_handle (gw_request_t *req);
void gw_stream_handle (gw_request_t *req);
void gw_session_handle (gw_request_t *req);
/*  GET /api/v1/cases/search and /api/v1/cases/export (search.c) */
void gw_search_handle (gw_request_t *req);
/*  GET /api/v1/cases with q: the list answered by the archive's search,
    so that it finds live and archived cases alike (search.c). */
void gw_search_list (gw_request_t *req);
void gw_export_handle (gw_request_t *req);

/* --- map.c ---------------------------------------------------------------- */
/*  GET /api/v1/map?scope=: the scope's grids as GeoJSON and its open cases
    as points or, above a town, as one cluster a center. */
void gw_map_handle (gw_request_t *req);

/* --- alarms.c -------------------------------------------------------------- */
/*  GET /api/v1/alarms?scope=&limit=: the scope's open failed-notice alarms,
    newest first, `total` of them. */
void gw_alarms_handle (gw_request_t *req);

/* --- hotspots.c ------------------------------------------------------------ */
/*  GET /api/v1/hotspots?scope=&limit=: the scope's current hot spots,
    newest first, each with its consultation topic when one was opened. */
void gw_hotspots_handle (gw_request_t *req);

/* --- grid.c ---------------------------------------------------------------- */
/*  The largest body of a report: its fields, and its photos at their limit. */
size_t gw_upload_most (gateway_t *gw);
/*  True for POST /api/v1/grid/reports, whose body is read as it comes. */
bool gw_grid_route (gw_request_t *req);
/*  Before its body: checks the token, starts reading the form.  0, or -1
    when it replied. */
int gw_upload_start (gw_request_t *req);
/*  Part of the body. */
void gw_upload_feed (gw_request_t *req, const char *data, size_t size);
/*  Once the body is in: the report. */
void gw_grid_handle (gw_request_t *req);
void gw_upload_free (gw_request_t *req);
/*  GET /api/v1/cases/{id}/photos/{name}. */
void gw_photo_get (gw_request_t *req, const char *id, const char *name);

#endif
