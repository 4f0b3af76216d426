/*  auth — who is calling, what they may do and where, and how often.

    A bearer token is hashed (cg_token.h) and its record read from Redis:
    role and scope.  A missing or unknown token is 401, a role the route
    does not let in is 403, each with a sentence saying what is missing.
    Places are checked against the scope with the org tree: a town's
    operator sees and acts on that town only.

    Rate limits count requests per key (an address, a token) in the
    current minute, in memory: they protect this process, so they need not
    be shared.  The audit log is a Redis stream, cg:{gateway}:audit, kept
    for gateway/audit_days (180, and no fewer: a setting below is refused
    at start) by the stack's clock and never cut by its length.  The
    archive follows it into its store, the long-term copy
    (services/archive/audit.c), and says how far it holds it
    (cg:{archive}:cursor:audit): a timer drops only entries whose `at` is
    older than audit_days, or older than gateway/audit_redis_days (30) and
    held by the archive (gw_audit_trim).  An admin, a supervisor or an
    auditor reads it newest first, a page at a time, filtered by who,
    what, from and to (GET /api/v1/audit), the entries of the caller's
    scope: Redis's newest, then the archive's older ones.  The stream's ids
    only grow, so the page's cursor is the id of the last entry looked at
    (cg_cursor.h). */
#include "gateway.h"

#include <errno.h>
#include "cg_clock.h"
#include "cg_sign.h"
#include "cg_text.h"

#include <sodium.h>

#define S_AUDIT_TRIM_BATCH  1000   /* entries a trim reads at once */

bool
gw_rate_take (gateway_t *gw, const char *key, int per_minute)
{
    int64_t minute = zclock_time () / 60000;
    pthread_mutex_lock (&gw->lock);
    if (minute != gw->rate_minute) {
        zhashx_purge (gw->rates);
        gw->rate_minute = minute;
    }
    size_t count = (size_t) zhashx_lookup (gw->rates, key) + 1;
    if (count <= (size_t) per_minute)
        zhashx_update (gw->rates, key, (void *) count);
    pthread_mutex_unlock (&gw->lock);
    return count <= (size_t) per_minute;
}

int
gw_token_check (gw_request_t *req, const char *token, int roles, char *why, size_t len)
{
    if (!token || !*token) {
        snprintf (why, len, "this needs a token: send Authorization: Bearer <token>");
        return 401;
    }
    if (strlen (token) >= CG_TOKEN_MAX) {
        snprintf (why, len, "the token is not valid");
        return 401;
    }
    gw_caller_t *caller = &req->caller;
    cg_token_hash (token, caller->hash);
    char key[128];
    cg_token_key (key, sizeof key, caller->hash);
    redisReply *r = cg_redis_command (req->link->redis, "HMGET %s role scope name expires "
                                      "idle_ms last_used", key);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 6) {
        if (r)
            freeReplyObject (r);
        snprintf (why, len, "tokens cannot be checked now");
        return 503;
    }
    caller->role = cg_role_parse (cg_reply_str (r->element[0]));
    snprintf (caller->scope_code, sizeof caller->scope_code, "%s", cg_reply_str (r->element[1]));
    snprintf (caller->name, sizeof caller->name, "%s", cg_reply_str (r->element[2]));
    /*  a token made before tokens expired has no expiry: it lasts until revoked */
    int64_t expires = cg_reply_int (r->element[3], 0);
    /*  a person's session (cg_user.h) also ends when idle */
    int64_t idle_ms = cg_reply_int (r->element[4], 0), used = cg_reply_int (r->element[5], 0);
    freeReplyObject (r);
    caller->scope = cg_orgtree_find (req->gw->org, caller->scope_code);
    if (!caller->role || !caller->scope) {
        caller->role = 0;
        snprintf (why, len, "the token is not valid (unknown or revoked)");
        return 401;
    }
    if (expires && cg_clock_now () >= expires) {
        caller->role = 0;
        char when[40];
        cg_time_iso (expires, when, sizeof when);
        snprintf (why, len, "the token expired at %s; ask for a new one", when);
        return 401;
    }
    if (idle_ms && cg_clock_now () - used > idle_ms) {
        caller->role = 0;
        snprintf (why, len, "the session ended after %lld minutes without use; sign in again",
                  (long long) (idle_ms / 60000));
        return 401;
    }
    char rate_key[80];
    snprintf (rate_key, sizeof rate_key, "t:%s", caller->hash);
    if (!gw_rate_take (req->gw, rate_key, req->gw->rate_token)) {
        snprintf (why, len, "too many requests with this token; at most %d a minute",
                  req->gw->rate_token);
        return 429;
    }
    /*  when it was last used, to the minute: one write a minute a token */
    snprintf (rate_key, sizeof rate_key, "u:%s", caller->hash);
    if (gw_rate_take (req->gw, rate_key, 1)) {
        r = cg_redis_command (req->link->redis, "HSET %s last_used %lld", key,
                              (long long) cg_clock_now ());
        if (r)
            freeReplyObject (r);
    }
    if (!(caller->role & roles)) {
        char allowed[160] = "";
        for (int bit = 1; bit <= CG_ROLE_AUDITOR; bit <<= 1)
            if (roles & bit)
                snprintf (allowed + strlen (allowed), sizeof allowed - strlen (allowed),
                          "%s%s", *allowed ? ", " : "", cg_role_name (bit));
        snprintf (why, len, "the role %s may not do this; it needs the role %s",
                  cg_role_name (caller->role), allowed);
        return 403;
    }
    return 0;
}

int
gw_auth_token (gw_request_t *req, const char *token, int roles)
{
    char why[256];
    int status = gw_token_check (req, token, roles, why, sizeof why);
    if (status)
        gw_reply_error (req, status, status == 401 ? "unauthorized" : status == 403
                        ? "forbidden" : status == 429 ? "rate_limited" : "unavailable",
                        status == 403 ? "role" : status == 401 ? "Authorization" : "",
                        "%s", why);
    return status ? -1 : 0;
}

/*  The bearer token of Authorization; with from_query, access_token of the
    query when there is no such header (EventSource cannot send one). */
static int
s_auth (gw_request_t *req, int roles, bool from_query)
{
    const char *header = gw_header (req, "Authorization");
    const char *token = NULL;
    if (header && strncasecmp (header, "Bearer ", 7) == 0)
        token = header + 7;
    else
    if (!header && from_query)
        token = gw_query (req, "access_token");
    return gw_auth_token (req, token, roles);
}

int
gw_auth (gw_request_t *req, int roles)
{
    return s_auth (req, roles, false);
}

int
gw_auth_stream (gw_request_t *req, int roles)
{
    return s_auth (req, roles, true);
}

void
gw_actor (gw_request_t *req, char *buf, size_t len)
{
    const gw_caller_t *caller = &req->caller;
    if (caller->role == CG_ROLE_ADMIN)
        snprintf (buf, len, "admin:%s:%s", caller->scope_code, caller->name);
    else
        snprintf (buf, len, "%s:%s:%s", caller->scope && caller->scope->kind == CG_ORG_UNIT
                  ? "unit" : "center", caller->scope_code, caller->name);
    /*  a name cut inside a character loses that character */
    size_t n = strlen (buf);
    while (n && !cg_utf8_valid (buf, n))
        buf[--n] = 0;
}

bool
gw_in_scope (gw_request_t *req, const char *code)
{
    if (!code || !req->caller.scope)
        return false;
    const cg_org_node_t *node = cg_orgtree_find (req->gw->org, code);
    return node && cg_orgtree_within (node, req->caller.scope);
}

int
gw_check_place (gw_request_t *req, const char *field, const char *code, bool optional)
{
    if ((optional && !code) || gw_in_scope (req, code))
        return 0;
    gw_reply_error (req, 403, "forbidden", field, "%s %s is outside your scope %s", field,
                    code ? code : "(none)", req->caller.scope_code);
    return -1;
}

const cg_org_node_t *
gw_scope_asked (gw_request_t *req)
{
    if (gw_auth (req, CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN | CG_ROLE_GRID))
        return NULL;
    const char *code = gw_query (req, "scope");
    if (code && gw_check_place (req, "scope", code, false))
        return NULL;
    return code ? cg_orgtree_find (req->gw->org, code) : req->caller.scope;
}

void
gw_audit (gw_request_t *req, const char *action, const char *target, int status)
{
    redisReply *r = cg_redis_command (
        req->link->redis,
        "XADD cg:{gateway}:audit * at %lld actor %s role %s scope %s "
        "action %s target %s from %s status %d",
        (long long) cg_clock_now (), req->caller.name,
        cg_role_name (req->caller.role), req->caller.scope_code, action,
        target ? target : "", req->address, status);
    if (!r || r->type == REDIS_REPLY_ERROR)
        zsys_warning ("gateway: audit entry for %s by %s could not be written", action,
                      req->caller.name);
    if (r)
        freeReplyObject (r);
}

/*  The `at` of an entry (XRANGE's [id, [field, value, ...]]), or -1. */
static int64_t
s_audit_at (const redisReply *e)
{
    const redisReply *kv = e->type == REDIS_REPLY_ARRAY && e->elements == 2 ? e->element[1] : NULL;
    for (size_t k = 0; kv && k + 1 < kv->elements; k += 2)
        if (strcmp (cg_reply_str (kv->element[k]), "at") == 0)
            return strtoll (cg_reply_str (kv->element[k + 1]), NULL, 10);
    return -1;
}

/*  When entries may go: past the retention in any case, and past Redis's
    shorter window once the archive holds them (up to its cursor). */
typedef struct {
    int64_t cutoff;                 /* now - gateway/audit_days */
    int64_t redis_cutoff;           /* now - gateway/audit_redis_days */
    unsigned long long ms, sq;      /* the archive's cursor; 0-0 when none */
} s_audit_trim_t;

static bool
s_audit_due (const s_audit_trim_t *trim, const redisReply *e)
{
    int64_t at = s_audit_at (e);
    if (at < 0)
        return false;
    if (at < trim->cutoff)
        return true;
    unsigned long long ms = 0, sq = 0;
    sscanf (cg_reply_str (e->element[0]), "%llu-%llu", &ms, &sq);
    return at < trim->redis_cutoff && (ms < trim->ms || (ms == trim->ms && sq <= trim->sq));
}

int
gw_audit_trim (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    gateway_t *gw = arg;
    cg_redis_t *redis = gw->daemon->redis;
    int64_t days = cg_daemon_int (gw->daemon, "gateway/audit_days");
    int64_t redis_days = cg_daemon_int (gw->daemon, "gateway/audit_redis_days");
    s_audit_trim_t trim = { .cutoff = cg_clock_now () - days * CG_DAY_MS,
                            .redis_cutoff = cg_clock_now () - redis_days * CG_DAY_MS };
    redisReply *r = cg_redis_command (redis, "GET cg:{archive}:cursor:audit");
    if (r && r->type == REDIS_REPLY_STRING)
        sscanf (r->str, "%llu-%llu", &trim.ms, &trim.sq);
    if (r)
        freeReplyObject (r);
    /*  Only a run of entries from the oldest on, each due, is dropped:
        XTRIM MINID keeps the first entry not due and all after it, so an
        entry is never dropped before its time, even when the clock went
        back between two entries. */
    r = cg_redis_command (redis, "XRANGE cg:{gateway}:audit - + COUNT 1");
    bool due = r && r->type == REDIS_REPLY_ARRAY && r->elements == 1
               && s_audit_due (&trim, r->element[0]);
    if (r)
        freeReplyObject (r);
    if (!due)
        return 0;               /* the oldest is young enough: the usual tick */
    char start[64] = "-";
    for (int round = 0; round < 10; round++) {
        r = cg_redis_command (redis, "XRANGE cg:{gateway}:audit %s + COUNT %d", start,
                              S_AUDIT_TRIM_BATCH);
        size_t n = r && r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
        char minid[64] = "";
        for (size_t i = 0; i < n && !*minid; i++)
            if (!s_audit_due (&trim, r->element[i]))
                snprintf (minid, sizeof minid, "%s", cg_reply_str (r->element[i]->element[0]));
        bool all_old = n && !*minid;
        if (all_old) {
            /*  the id after the last of them: ms-seq, one seq on */
            unsigned long long ms = 0, seq = 0;
            sscanf (cg_reply_str (r->element[n - 1]->element[0]), "%llu-%llu", &ms, &seq);
            snprintf (minid, sizeof minid, "%llu-%llu", ms, seq + 1);
        }
        if (r)
            freeReplyObject (r);
        if (!n || (!all_old && strcmp (minid, start) == 0))
            break;
        r = cg_redis_command (redis, "XTRIM cg:{gateway}:audit MINID %s", minid);
        if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0)
            zsys_info ("gateway: %lld audit entries dropped (older than %lld days, or than "
                       "%lld days and in the archive)", (long long) r->integer,
                       (long long) days, (long long) redis_days);
        if (r)
            freeReplyObject (r);
        if (!all_old || n < S_AUDIT_TRIM_BATCH)
            break;
        snprintf (start, sizeof start, "%s", minid);
    }
    return 0;
}

/* --- signed pushes --------------------------------------------------------- */

#define S_SKEW_S    300

int
gw_signed_check (const char *secret, const char *stamp, const char *signature,
                 const char *body, size_t size, int64_t now, cg_error_t *err)
{
    char *end;
    errno = 0;
    long long timestamp = strtoll (stamp, &end, 10);
    if (*end || end == stamp || errno) {
        cg_error_set (err, "invalid", CG_SIGN_HEADER_TIME, CG_SIGN_HEADER_TIME " must be Unix "
                      "seconds");
        return 400;
    }
    if (timestamp < now - S_SKEW_S || timestamp > now + S_SKEW_S) {
        /*  as a double: the distance from a timestamp near the edge of 64
            bits would not fit */
        cg_error_set (err, "unauthorized", CG_SIGN_HEADER_TIME, "the timestamp is %.0f s from "
                      "our clock; at most %d s are allowed", (double) timestamp - (double) now,
                      S_SKEW_S);
        return 401;
    }
    if (!cg_sign_check (secret, timestamp, body, size, signature)) {
        cg_error_set (err, "unauthorized", CG_SIGN_HEADER_SIGNATURE, "the signature does not "
                      "match the body and timestamp");
        return 401;
    }
    return 0;
}

int
gw_auth_signed (gw_request_t *req, const char *id_header, const char *section, char *id,
                size_t len)
{
    const char *sender = gw_header (req, id_header);
    const char *stamp = gw_header (req, CG_SIGN_HEADER_TIME);
    const char *signature = gw_header (req, CG_SIGN_HEADER_SIGNATURE);
    const char *missing = !sender ? id_header : !stamp ? CG_SIGN_HEADER_TIME
                        : !signature ? CG_SIGN_HEADER_SIGNATURE : NULL;
    if (missing) {
        gw_reply_error (req, 401, "unauthorized", missing, "a signed push needs the %s header",
                        missing);
        return -1;
    }
    /*  its secrets: the configuration's, or once rotated the store's,
        the previous one still good during the rotation (cg_sign.h) */
    char key[128], secrets[2][CG_SIGN_SECRET_MAX];
    snprintf (key, sizeof key, "gateway/%s/%.64s", section, sender);
    int nsecrets = strchr (sender, '/') ? 0
                 : cg_sign_secrets (req->link->redis, section, sender,
                                    cg_daemon_get (req->gw->daemon, key, NULL), cg_clock_now (),
                                    secrets);
    if (nsecrets < 0) {
        gw_reply_error (req, 503, "unavailable", "", "the %s's secret cannot be read now",
                        section);
        return -1;
    }
    if (nsecrets == 0) {
        gw_reply_error (req, 401, "unauthorized", id_header, "%s %.64s is not known here",
                        section, sender);
        return -1;
    }
    cg_error_t err;
    int status = 0;
    /*  the next secret only when this one's signature did not match */
    for (int i = 0; i < nsecrets && (i == 0 || (status == 401
                                                && streq (err.field, CG_SIGN_HEADER_SIGNATURE)));
         i++)
        status = gw_signed_check (secrets[i], stamp, signature, req->body ? req->body : "",
                                  req->body_size, cg_clock_now () / 1000, &err);
    sodium_memzero (secrets, sizeof secrets);
    if (status) {
        gw_reply_error (req, status, err.code, err.field, "%s", err.message);
        return -1;
    }
    snprintf (id, len, "%s", sender);
    return 0;
}

/*  One entry of the stream (XREVRANGE's [id, [field, value, ...]]) as JSON. */
static json_t *
s_audit_entry (const redisReply *e)
{
    json_t *entry = json_pack ("{s:s}", "id", e->element[0]->str);
    const redisReply *kv = e->element[1];
    for (size_t k = 0; k + 1 < kv->elements; k += 2) {
        const char *key = kv->element[k]->str, *value = kv->element[k + 1]->str;
        if (strcmp (key, "at") == 0 || strcmp (key, "status") == 0)
            json_object_set_new (entry, key, json_integer (strtoll (value, NULL, 10)));
        else {
            char *text = strdup (value);
            gw_utf8_scrub (text);
            json_object_set_new (entry, key, json_string (text));
            free (text);
        }
    }
    return entry;
}

/*  The filters of a page of the audit log, from the query; 0, or -1 when
    it replied. */
static int
s_audit_filters (gw_request_t *req, cg_audit_search_t *ask)
{
    const char *who = gw_query (req, "who"), *what = gw_query (req, "what");
    if ((who && (!*who || strlen (who) > CG_NAME_MAX))
    ||  (what && (!*what || strlen (what) > 64))) {
        gw_reply_error (req, 400, "invalid", who && (!*who || strlen (who) > CG_NAME_MAX)
                        ? "who" : "what", "%s takes a name of 1 to %d bytes",
                        who && (!*who || strlen (who) > CG_NAME_MAX) ? "who" : "what",
                        who && (!*who || strlen (who) > CG_NAME_MAX) ? CG_NAME_MAX : 64);
        return -1;
    }
    ask->who = (char *) who;
    ask->what = (char *) what;
    const char *names[] = { "from", "to" };
    for (int i = 0; i < 2; i++) {
        const char *value = gw_query (req, names[i]);
        if (!value)
            continue;
        int64_t ms;
        char why[128];
        if (cg_time_or_day_parse (value, &ms, why, sizeof why)) {
            gw_reply_error (req, 400, "invalid", names[i], "%s takes a day (2026-12-01) or a "
                            "time (2026-12-01T08:00:00Z): %s", names[i], why);
            return -1;
        }
        if (i == 0)
            CG_SET (ask, audit_search, from, ms);
        else        /* a day names the last day, included */
            CG_SET (ask, audit_search, to, ms + (strlen (value) == 10 ? CG_DAY_MS : 0));
    }
    return 0;
}

/*  Whether an entry passes the filters and the caller's scope. */
static bool
s_audit_keep (gw_request_t *req, const cg_audit_search_t *ask, json_t *entry)
{
    const char *scope = json_string_value (json_object_get (entry, "scope"));
    const char *actor = json_string_value (json_object_get (entry, "actor"));
    const char *action = json_string_value (json_object_get (entry, "action"));
    int64_t at = json_integer_value (json_object_get (entry, "at"));
    bool has_from = ask->present & (UINT64_C (1) << CG_FIELD_audit_search_from);
    bool has_to = ask->present & (UINT64_C (1) << CG_FIELD_audit_search_to);
    return scope && gw_in_scope (req, scope)
        && (!ask->who || (actor && streq (actor, ask->who)))
        && (!ask->what || (action && streq (action, ask->what)))
        && (!has_from || at >= ask->from) && (!has_to || at < ask->to);
}

void
gw_audit_list (gw_request_t *req)
{
    if (gw_auth (req, CG_ROLE_ADMIN | CG_ROLE_SUPERVISOR | CG_ROLE_AUDITOR))
        return;
    const char *text = gw_query (req, "limit"), *cursor = gw_query (req, "cursor");
    char *end = NULL;
    long limit = text && *text ? strtol (text, &end, 10) : 50;
    if ((end && *end) || limit < 1 || limit > CG_AUDIT_PAGE_MAX) {
        gw_reply_error (req, 400, "invalid", "limit", "limit must be a whole number from 1 "
                        "to %d", CG_AUDIT_PAGE_MAX);
        return;
    }
    cg_audit_search_t ask = { 0 };
    if (s_audit_filters (req, &ask))
        return;
    /*  a cursor belongs to its filters */
    char list[CG_CURSOR_LIST_MAX], why[256], start[CG_CURSOR_ID_MAX + 1] = "+";
    snprintf (list, sizeof list, "gateway.audit@%s|%s|%s|%lld|%lld", req->caller.scope_code,
              ask.who ? ask.who : "", ask.what ? ask.what : "", (long long) ask.from,
              (long long) ask.to);
    int64_t now = cg_clock_now ();
    cg_cursor_at_t after;
    if (cursor && *cursor) {
        if (cg_cursor_decode (req->gw->daemon->cursor, cursor, list, now, &after, why,
                              sizeof why)) {
            gw_reply_error (req, 400, "invalid", "cursor", "cursor %s", why);
            return;
        }
        snprintf (start, sizeof start, "(%s", after.id);
    }
    /*  The newest are in Redis; what Redis no longer has, the archive has
        (it drops only what the archive holds).  Redis first: one more is
        read than the page takes, and when it is there the page is Redis's
        alone; when Redis ran out, the archive gives the rest, older than
        the oldest Redis gave (or than the cursor). */
    redisReply *count = cg_redis_command (req->link->redis, "XLEN cg:{gateway}:audit");
    redisReply *r = cg_redis_command (req->link->redis,
                                      "XREVRANGE cg:{gateway}:audit %s - COUNT %ld", start,
                                      limit + 1);
    if (!count || !r || r->type != REDIS_REPLY_ARRAY) {
        gw_reply_error (req, 503, "unavailable", NULL, "the audit log cannot be read now");
        goto done;
    }
    json_t *entries = json_array ();
    size_t n = r->elements > (size_t) limit ? (size_t) limit : r->elements;
    for (size_t i = 0; i < n; i++) {
        json_t *entry = s_audit_entry (r->element[i]);
        if (s_audit_keep (req, &ask, entry))
            json_array_append_new (entries, entry);
        else
            json_decref (entry);
    }
    json_t *page = json_pack ("{s:I}", "total", (json_int_t) cg_reply_int (count, 0));
    const char *next_id = NULL;
    cg_audit_found_t older = { 0 };
    bool asked = false;
    if (r->elements > (size_t) limit)
        next_id = r->element[n - 1]->element[0]->str;
    else {
        ask.rid = "audit";
        ask.scope = req->caller.scope_code;
        ask.before = n ? r->element[n - 1]->element[0]->str
                   : strcmp (start, "+") ? start + 1 : NULL;
        CG_SET (&ask, audit_search, limit, limit - (int64_t) json_array_size (entries));
        cg_error_t err;
        if (ask.limit == 0)
            next_id = n ? r->element[n - 1]->element[0]->str : NULL;
        else
        if (gw_call (req, &cg_cmd_audit_search, &ask, &older, &err) == 0) {
            asked = true;
            for (size_t i = 0; i < older.entries_count; i++)
                json_array_append_new (entries, cg_json_from_msg (&cg_audit_entry_def,
                                                                  &older.entries[i]));
            next_id = older.last;
        }
        else        /* the newest still help; say what is missing */
            json_object_set_new (page, "incomplete", json_sprintf (
                "the archive cannot be read now (%s): older entries are missing", err.message));
    }
    json_object_set_new (page, "entries", entries);
    if (next_id) {
        cg_cursor_at_t at = { 0 };
        at.pos = strtoll (next_id, NULL, 10);
        snprintf (at.id, sizeof at.id, "%s", next_id);
        char next[CG_CURSOR_MAX];
        cg_cursor_encode (req->gw->daemon->cursor, list, &at, now, next, sizeof next);
        json_object_set_new (page, "next", json_string (next));
    }
    if (asked)
        cg_msg_clear (&cg_audit_found_def, &older);
    gw_reply_json (req, 200, page);
done:
    if (count)
        freeReplyObject (count);
    if (r)
        freeReplyObject (r);
}
