/*  Operators sign in as people (issue #17): an account with a name, role
    and scope, its password kept as an Argon2id hash; a session that ends
    when idle; a lock after repeated wrong passwords; disabling and
    resetting end the sessions.  Over real HTTP, the test clock moved on;
    each sign-in and failure in the audit log. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_testhttp.h"
#include "cg_user.h"

#define S_TOWN      "320602001"
#define S_PASSWORD  "王芳的口令-correct-horse"

/*  POST /api/v1/session; the status, the token (when 201) into token, the
    field a refusal names into field. */
static int
s_sign_in (cg_teststack_t *stack, const char *name, const char *password, char *token,
           char *field)
{
    char body[512];
    snprintf (body, sizeof body, "{\"name\":\"%s\",\"password\":\"%s\"}", name, password);
    int status;
    json_t *reply = cg_http_post_json (stack, "/api/v1/session", NULL, body, &status);
    const char *t = json_string_value (json_object_get (reply, "token"));
    const char *f = json_string_value (json_object_get (json_object_get (reply, "error"),
                                                        "field"));
    snprintf (token, 80, "%s", t ? t : "");
    snprintf (field, 64, "%s", f ? f : "");
    json_decref (reply);
    return status;
}

static int
s_me (cg_teststack_t *stack, const char *token)
{
    int status;
    json_decref (cg_http_get_json (stack, "/api/v1/me", token, &status));
    return status;
}

static void
s_clock (cg_teststack_t *stack, int64_t ms)
{
    redisReply *r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) ms);
    cr_assert (r && r->type == REDIS_REPLY_STATUS);
    freeReplyObject (r);
}

Test (users, an_operator_signs_in_is_locked_out_and_the_session_ends_when_idle,
      .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    int64_t now = zclock_time ();
    s_clock (stack, now);
    char token[80], field[64];

    /*  the account; its password never on the command line, never stored */
    unsetenv ("CG_PASSWORD");
    cg_testcli_says (stack, 1, "set CG_PASSWORD", "user add wang.fang --role operator "
                     "--scope " S_TOWN);
    setenv ("CG_PASSWORD", S_PASSWORD, 1);
    cg_testcli_says (stack, 1, "--role must be a person's", "user add wang.fang --role "
                     "hotline --scope " S_TOWN);
    cg_testcli_says (stack, 1, "--scope", "user add wang.fang --role operator --scope 999");
    cg_testcli_says (stack, 1, "not \"a b\"", "user add 'a b' --role operator --scope " S_TOWN);
    cg_testcli_says (stack, 0, "operator of " S_TOWN, "user add wang.fang --role operator "
                     "--scope " S_TOWN);
    cg_testcli_says (stack, 1, "exists", "user add wang.fang --role admin --scope " S_TOWN);
    redisReply *r = cg_redis_command (stack->redis, "HGET cg:{gateway}:user:wang.fang hash");
    cr_assert (r && r->type == REDIS_REPLY_STRING && strncmp (r->str, "$argon2id$", 10) == 0
               && !strstr (r->str, "correct-horse"));
    freeReplyObject (r);

    /*  signed in, the session acts as the account */
    cr_assert_eq (s_sign_in (stack, "wang.fang", S_PASSWORD, token, field), 201, "%s", field);
    cr_assert_eq (s_me (stack, token), 200);
    int status;
    json_t *me = cg_http_get_json (stack, "/api/v1/me", token, &status);
    cr_assert_str_eq (json_string_value (json_object_get (me, "name")), "wang.fang");
    cr_assert_str_eq (json_string_value (json_object_get (me, "role")), "operator");
    json_decref (me);

    /*  idle for 31 minutes: the session has ended */
    now += 31 * 60000;
    s_clock (stack, now);
    cg_http_refused (stack, "GET", "/api/v1/me", token, NULL, 0, 401, "Authorization");
    /*  a wrong password, an unknown name: the same answer */
    cr_assert_eq (s_sign_in (stack, "wang.fang", "wrong-password-1", token, field), 401);
    cr_assert_str_eq (field, "password");
    cr_assert_eq (s_sign_in (stack, "nobody.here", "wrong-password-1", token, field), 401);
    cr_assert_str_eq (field, "password");
    cr_assert_eq (s_sign_in (stack, "wang fang", S_PASSWORD, token, field), 400);
    cr_assert_str_eq (field, "name");
    /*  five wrong in a row lock the account, even against the right one */
    for (int i = 2; i <= 4; i++)
        cr_assert_eq (s_sign_in (stack, "wang.fang", "wrong-password-x", token, field), 401);
    cr_assert_eq (s_sign_in (stack, "wang.fang", "wrong-password-5", token, field), 403);
    cr_assert_str_eq (field, "name");
    cr_assert_eq (s_sign_in (stack, "wang.fang", S_PASSWORD, token, field), 403);
    cg_testcli_says (stack, 0, "locked", "user list");
    /*  a quarter of an hour on, the right password signs in again */
    now += 16 * 60000;
    s_clock (stack, now);
    cr_assert_eq (s_sign_in (stack, "wang.fang", S_PASSWORD, token, field), 201, "%s", field);
    cr_assert_eq (s_me (stack, token), 200);

    /*  disabled: its session ends at once, and it signs in no more */
    cg_testcli_says (stack, 0, "sessions ended", "user disable wang.fang");
    cr_assert_eq (s_me (stack, token), 401);
    cr_assert_eq (s_sign_in (stack, "wang.fang", S_PASSWORD, token, field), 403);
    /*  reset with a new password: active again, the old password gone */
    setenv ("CG_PASSWORD", "新的口令-battery-staple", 1);
    cg_testcli_says (stack, 0, "reset", "user reset wang.fang");
    cr_assert_eq (s_sign_in (stack, "wang.fang", S_PASSWORD, token, field), 401);
    cr_assert_eq (s_sign_in (stack, "wang.fang", "新的口令-battery-staple", token, field), 201);
    /*  signed out: the session is gone */
    cg_http_reply_t reply;
    cg_http (stack, &reply, "DELETE", "/api/v1/session", token, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    cg_http_reply_clear (&reply);
    cr_assert_eq (s_me (stack, token), 401);
    unsetenv ("CG_PASSWORD");

    /*  every sign-in and failure is in the audit log, with the name tried */
    r = cg_redis_command (stack->redis, "XRANGE cg:{gateway}:audit - +");
    cr_assert (r && r->type == REDIS_REPLY_ARRAY);
    int started = 0, failed = 0, strangers = 0;
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *fields = r->element[i]->element[1];
        const char *action = "", *actor = "";
        for (size_t k = 0; k + 1 < fields->elements; k += 2) {
            if (streq (fields->element[k]->str, "action"))
                action = fields->element[k + 1]->str;
            if (streq (fields->element[k]->str, "actor"))
                actor = fields->element[k + 1]->str;
        }
        started += streq (action, "session.start");
        failed += streq (action, "session.failed");
        strangers += streq (action, "session.failed") && streq (actor, "nobody.here");
    }
    freeReplyObject (r);
    cr_assert_eq (started, 3);
    cr_assert_geq (failed, 9);
    cr_assert_eq (strangers, 1);

    /*  a second factor: the authenticator's code, once, near its time */
    char *out = cg_testcli (stack, 0, "user totp wang.fang");
    char *at = strstr (out, "secret=");
    cr_assert (at, "%s", out);
    char secret[CG_TOTP_SECRET_MAX];
    snprintf (secret, sizeof secret, "%.*s", (int) strcspn (at + 7, "&"), at + 7);
    free (out);
    const char *password = "新的口令-battery-staple";
    cr_assert_eq (s_sign_in (stack, "wang.fang", password, token, field), 401);
    cr_assert_str_eq (field, "code");
    char code[8], body[256];
    int right = cg_totp_code (secret, now / CG_TOTP_STEP_MS);
    snprintf (code, sizeof code, "%06d", (right + 1) % 1000000);
    snprintf (body, sizeof body, "{\"name\":\"wang.fang\",\"password\":\"%s\","
              "\"code\":\"%s\"}", password, code);
    json_decref (cg_http_post_json (stack, "/api/v1/session", NULL, body, &status));
    cr_assert_eq (status, 401, "a wrong code");
    snprintf (body, sizeof body, "{\"name\":\"wang.fang\",\"password\":\"%s\","
              "\"code\":\"%06d\"}", password, right);
    json_t *session = cg_http_post_json (stack, "/api/v1/session", NULL, body, &status);
    cr_assert_eq (status, 201, "%s", json_dumps (session, 0));
    cr_assert_eq (s_me (stack, json_string_value (json_object_get (session, "token"))), 200);
    json_decref (session);
    json_decref (cg_http_post_json (stack, "/api/v1/session", NULL, body, &status));
    cr_assert_eq (status, 401, "a code taken twice");
    cg_testcli_says (stack, 0, "password alone", "user totp wang.fang --off");
    cr_assert_eq (s_sign_in (stack, "wang.fang", password, token, field), 201, "%s", field);

    /*  tokens, passwords and keys never in a log: the people's, the
        session's, the TOTP secret, the stack's own (cg_testenv.h) */
    const char *used[] = { S_PASSWORD, password, "wrong-password-1", "wrong-password-5",
                           secret, token, NULL };
    cg_teststack_no_secrets_logged (stack, used);
    cg_teststack_down (&stack);
}
