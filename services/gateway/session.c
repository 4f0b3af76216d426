/*  session — operators sign in as people (cg_user.h).

        POST   /api/v1/session   {"name","password"[,"code"]} -> a session token
        DELETE /api/v1/session   (Authorization: Bearer <session>) signs out

    A wrong name and a wrong password get the same answer, so that the
    answer does not say which names exist; each failure counts against the
    account, which is locked for a while after CG_USER_FAILURES in a row.
    Every sign-in, failed sign-in and sign-out goes to the audit log with
    the name tried and the address.  The session is a token (cg_token.h)
    with `session` 1, `idle_ms` and `expires`; auth.c ends it when idle. */
#include "gateway.h"
#include "cg_clock.h"
#include "cg_user.h"

#include <sodium.h>

/*  A hash to verify against when the name is unknown, so that an unknown
    name costs what a wrong password costs. */
static char s_decoy[CG_USER_HASH_MAX];
static pthread_once_t s_decoy_once = PTHREAD_ONCE_INIT;

static void
s_make_decoy (void)
{
    char random[33];
    unsigned char bytes[16];
    randombytes_buf (bytes, sizeof bytes);
    sodium_bin2hex (random, sizeof random, bytes, sizeof bytes);
    if (cg_user_hash (random, s_decoy))
        *s_decoy = 0;
}

static int64_t
s_field_int (redisReply *r, size_t i)
{
    return i < r->elements ? cg_reply_int (r->element[i], 0) : 0;
}

/*  Counts a failure; locks the account at the limit.  Returns the lock's
    end, or 0. */
static int64_t
s_failed (gw_request_t *req, const char *key, int64_t now)
{
    redisReply *r = cg_redis_command (req->link->redis, "HINCRBY %s failures 1", key);
    int64_t failures = cg_reply_int (r, 0);
    if (r)
        freeReplyObject (r);
    if (failures < CG_USER_FAILURES)
        return 0;
    r = cg_redis_command (req->link->redis, "HSET %s failures 0 locked_until %lld", key,
                          (long long) (now + CG_USER_LOCK_MS));
    if (r)
        freeReplyObject (r);
    return now + CG_USER_LOCK_MS;
}

/*  The authenticator's code of an account that has TOTP (cg_user.h):
    true when body's `code` is good now and new; else answered, a wrong
    code counted as a wrong password. */
static bool
s_second_factor (gw_request_t *req, const char *key, json_t *body, redisReply *user,
                 int64_t now)
{
    const char *code = json_string_value (json_object_get (body, "code"));
    if (!code) {
        gw_reply_error (req, 401, "unauthorized", "code", "this account needs the 6-digit "
                        "code of its authenticator app");
        return false;
    }
    int64_t step = cg_totp_check (cg_reply_str (user->element[5]), code, now,
                                  cg_reply_int (user->element[6], 0));
    if (step < 0) {
        int64_t until = s_failed (req, key, now);
        char when[40];
        cg_time_iso (until, when, sizeof when);
        if (until)
            gw_reply_error (req, 403, "locked", "name", "the account is locked after %d wrong "
                            "passwords or codes, until %s", CG_USER_FAILURES, when);
        else
            gw_reply_error (req, 401, "unauthorized", "code", "the code is wrong, late, or "
                            "used already");
        return false;
    }
    redisReply *w = cg_redis_command (req->link->redis, "HSET %s totp_step %lld", key,
                                      (long long) step);
    if (w)
        freeReplyObject (w);
    return true;
}

static void
s_sign_in (gw_request_t *req)
{
    json_error_t jerr;
    json_t *body = json_loadb (req->body ? req->body : "", req->body_size,
                               JSON_REJECT_DUPLICATES, &jerr);
    const char *name = json_string_value (json_object_get (body, "name"));
    const char *password = json_string_value (json_object_get (body, "password"));
    const char *bad = !body ? "body" : !name || !cg_user_name_ok (name) ? "name"
                    : !password || strlen (password) > CG_USER_PASS_MAX ? "password" : NULL;
    if (bad) {
        if (!body)
            gw_reply_error (req, 400, "invalid", bad, "the body is not valid JSON: %s",
                            jerr.text);
        else
        if (streq (bad, "name"))
            gw_reply_error (req, 400, "invalid", bad, "name must be an account's name (1 to "
                            "%d bytes of letters, digits, '.', '_', '-')", CG_USER_NAME_MAX);
        else
            gw_reply_error (req, 400, "invalid", bad, "password is required (at most %d "
                            "bytes)", CG_USER_PASS_MAX);
        json_decref (body);
        return;
    }
    snprintf (req->caller.name, sizeof req->caller.name, "%s", name);
    char key[160];
    cg_user_key (key, sizeof key, name);
    redisReply *r = cg_redis_command (req->link->redis, "HMGET %s role scope hash disabled "
                                      "locked_until totp totp_step", key);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 7) {
        if (r)
            freeReplyObject (r);
        json_decref (body);
        gw_reply_error (req, 503, "unavailable", "", "accounts cannot be read now");
        return;
    }
    int64_t now = cg_clock_now ();
    bool known = *cg_reply_str (r->element[2]) != 0;
    int64_t locked = s_field_int (r, 4);
    pthread_once (&s_decoy_once, s_make_decoy);
    bool right = cg_user_verify (known ? cg_reply_str (r->element[2]) : s_decoy, password);
    char when[40];
    if (known && locked > now) {
        cg_time_iso (locked, when, sizeof when);
        gw_reply_error (req, 403, "locked", "name", "the account is locked after %d wrong "
                        "passwords, until %s", CG_USER_FAILURES, when);
    }
    else
    if (!known || !right) {
        int64_t until = known ? s_failed (req, key, now) : 0;
        if (until) {
            cg_time_iso (until, when, sizeof when);
            gw_reply_error (req, 403, "locked", "name", "the account is locked after %d wrong "
                            "passwords, until %s", CG_USER_FAILURES, when);
        }
        else
            gw_reply_error (req, 401, "unauthorized", "password", "the name or the password is "
                            "wrong");
    }
    else
    if (cg_reply_int (r->element[3], 0)) {
        gw_reply_error (req, 403, "disabled", "name", "the account is disabled");
    }
    else
    if (*cg_reply_str (r->element[5]) && !s_second_factor (req, key, body, r, now)) {
        /*  answered: the code is missing or wrong */
    }
    else {
        char token[CG_TOKEN_MAX], hash[CG_TOKEN_HASH], tkey[128], skey[160];
        cg_token_make (token);
        cg_token_hash (token, hash);
        cg_token_key (tkey, sizeof tkey, hash);
        cg_user_sessions_key (skey, sizeof skey, name);
        redisReply *w = cg_redis_command (req->link->redis, "HSET %s role %s scope %s name %s "
                                          "created %lld expires %lld idle_ms %lld last_used %lld "
                                          "session 1", tkey, cg_reply_str (r->element[0]),
                                          cg_reply_str (r->element[1]), name, (long long) now,
                                          (long long) (now + CG_SESSION_MS),
                                          (long long) CG_SESSION_IDLE_MS, (long long) now);
        bool stored = w && w->type == REDIS_REPLY_INTEGER;
        if (w)
            freeReplyObject (w);
        w = cg_redis_command (req->link->redis, "SADD %s %s", skey, hash);
        if (w)
            freeReplyObject (w);
        w = cg_redis_command (req->link->redis, "HSET %s failures 0", key);
        if (w)
            freeReplyObject (w);
        if (!stored)
            gw_reply_error (req, 503, "unavailable", "", "the session cannot be stored now");
        else {
            cg_time_iso (now + CG_SESSION_MS, when, sizeof when);
            gw_reply_json (req, 201, json_pack ("{s:s, s:s, s:s, s:s, s:s, s:I}", "token", token,
                                                "name", name, "role",
                                                cg_reply_str (r->element[0]), "scope",
                                                cg_reply_str (r->element[1]), "expires", when,
                                                "idle_minutes",
                                                (json_int_t) (CG_SESSION_IDLE_MS / 60000)));
        }
        sodium_memzero (token, sizeof token);
    }
    freeReplyObject (r);
    gw_audit (req, req->status == 201 ? "session.start" : "session.failed", name, req->status);
    json_decref (body);
}

static void
s_sign_out (gw_request_t *req)
{
    if (gw_auth (req, ~0))
        return;
    char key[128], skey[160];
    cg_token_key (key, sizeof key, req->caller.hash);
    cg_user_sessions_key (skey, sizeof skey, req->caller.name);
    redisReply *r = cg_redis_command (req->link->redis, "HGET %s session", key);
    bool session = cg_reply_int (r, 0) == 1;
    if (r)
        freeReplyObject (r);
    if (!session) {
        gw_reply_error (req, 400, "invalid", "Authorization", "this is an API token, not a "
                        "session; `civgrid token revoke` ends it");
        return;
    }
    r = cg_redis_command (req->link->redis, "DEL %s", key);
    if (r)
        freeReplyObject (r);
    r = cg_redis_command (req->link->redis, "SREM %s %s", skey, req->caller.hash);
    if (r)
        freeReplyObject (r);
    gw_reply_json (req, 200, json_pack ("{s:b}", "signed_out", 1));
    gw_audit (req, "session.end", req->caller.name, req->status);
}

void
gw_session_handle (gw_request_t *req)
{
    if (streq (req->method, "POST"))
        s_sign_in (req);
    else
    if (streq (req->method, "DELETE"))
        s_sign_out (req);
    else
        gw_reply_error (req, 405, "invalid", "method", "/api/v1/session takes POST (sign in) "
                        "or DELETE (sign out)");
}
