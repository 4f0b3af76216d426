/*  API tokens have a life (issue #17): each expires, and an operator
    revokes one by the id `token list` shows, without ever holding the
    token again; the audit log is kept for its retention and no shorter.
    Over real HTTP against the gateway, with the test clock moved past the
    expiry and the retention. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_testhttp.h"

#define S_TOWN  "320602001"

/*  `token create ...` as an operator types it; the token (malloc'd). */
static char *
s_create (cg_teststack_t *stack, const char *args)
{
    char *out = cg_testcli (stack, 0, "token create --role operator --scope " S_TOWN " %s",
                            args);
    out[strcspn (out, "\n")] = 0;
    cr_assert (strncmp (out, "cgt_", 4) == 0, "%s", out);
    return out;
}

/*  The line of text that holds words, into buf. */
static void
s_line (const char *text, const char *words, char *buf, size_t len)
{
    const char *at = strstr (text, words);
    cr_assert (at, "no \"%s\" in %s", words, text);
    while (at > text && at[-1] != '\n')
        at--;
    snprintf (buf, len, "%.*s", (int) strcspn (at, "\n"), at);
}

/*  Sets the stack's test clock. */
static void
s_clock_at (cg_teststack_t *stack, int64_t at)
{
    redisReply *r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) at);
    cr_assert (r && r->type == REDIS_REPLY_STATUS);
    freeReplyObject (r);
}

static int
s_status (cg_teststack_t *stack, const char *token, char *body, size_t len)
{
    cg_http_reply_t reply;
    cg_http (stack, &reply, "GET", "/api/v1/me", token, NULL, NULL, 0, NULL);
    snprintf (body, len, "%s", reply.body ? reply.body : "");
    int status = reply.status;
    cg_http_reply_clear (&reply);
    return status;
}

Test (tokens, a_token_expires_and_is_revoked_by_its_id, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    char *brief = s_create (stack, "--name 临时值班员 --days 1");
    char *yearly = s_create (stack, "--name 值班员王芳");
    char body[2048];
    cr_assert_eq (s_status (stack, brief, body, sizeof body), 200, "%s", body);
    cr_assert_eq (s_status (stack, yearly, body, sizeof body), 200, "%s", body);
    cg_testcli_says (stack, 1, "--days must be a whole number of days from 1 to 3650",
                     "token create --role operator --scope " S_TOWN " --days 0");
    cg_testcli_says (stack, 1, "not \"7d\"", "token create --role operator --scope " S_TOWN
                     " --days 7d");

    /*  two days on, the one-day token is refused, saying when it expired */
    int64_t now = zclock_time ();
    s_clock_at (stack, now + 2 * 86400000LL);
    cr_assert_eq (s_status (stack, brief, body, sizeof body), 401, "%s", body);
    cr_assert (strstr (body, "expired at") && strstr (body, "Authorization"), "%s", body);
    cr_assert_eq (s_status (stack, yearly, body, sizeof body), 200, "%s", body);

    /*  revoked by the id `token list` shows: the first 12 digits of its hash */
    char *unused = s_create (stack, "--name 从未用过");
    char *list = cg_testcli (stack, 0, "token list");
    cr_assert (!strstr (list, yearly) && strstr (list, "expires 20"), "%s", list);
    char line_of[512];
    s_line (list, "从未用过", line_of, sizeof line_of);
    cr_assert (strstr (line_of, "used never"), "%s", line_of);
    s_line (list, "值班员王芳", line_of, sizeof line_of);
    cr_assert (strstr (line_of, "used 20"), "%s", line_of);
    char id[13];
    snprintf (id, sizeof id, "%.12s", line_of);
    free (list);
    cg_testcli_says (stack, 1, "at least 8", "token revoke %.6s", id);
    cg_testcli_says (stack, 1, "no token has the id", "token revoke 0123456789ab%s",
                     strncmp (id, "0123456789ab", 12) ? "" : "c");
    cg_testcli_says (stack, 1, "not \"xyz", "token revoke xyz12345");
    cg_testcli_says (stack, 0, "revoked", "token revoke %s", id);
    cr_assert_eq (s_status (stack, yearly, body, sizeof body), 401, "%s", body);
    cr_assert (strstr (body, "unknown or revoked"), "%s", body);
    cg_testcli_says (stack, 1, "no token has the id", "token revoke %s", id);

    /*  the audit log keeps six months by the stack's clock, never cut
        sooner: failed sign-ins two days on, one more 179 days later; at
        181 days only the first ones go */
    int status;
    const char *wrong = "{\"name\":\"nobody.here\",\"password\":\"wrong-password-1\"}";
    for (int i = 0; i < 3; i++)
        json_decref (cg_http_post_json (stack, "/api/v1/session", NULL, wrong, &status));
    int64_t early = cg_teststack_int (stack, "XLEN cg:{gateway}:audit");
    cr_assert_geq (early, 3);
    s_clock_at (stack, now + 2 * 86400000LL + 179 * 86400000LL);
    json_decref (cg_http_post_json (stack, "/api/v1/session", NULL, wrong, &status));
    usleep (2500000);           /* more than one of the gateway's trim ticks */
    cr_assert_eq (cg_teststack_int (stack, "XLEN cg:{gateway}:audit"), early + 1,
                  "nothing is dropped before its 180 days");
    s_clock_at (stack, now + 2 * 86400000LL + 181 * 86400000LL);
    int64_t left = -1;
    for (int waited = 0; waited < 100 && left != 1; waited++) {
        usleep (100000);
        left = cg_teststack_int (stack, "XLEN cg:{gateway}:audit");
    }
    cr_assert_eq (left, 1, "the entries older than 180 days go, the younger one stays");
    cr_assert_eq (cg_teststack_log_count (stack, "gateway", "audit entries older than 180 days "
                                          "dropped"), 1);

    free (brief);
    free (yearly);
    free (unused);
    cg_teststack_down (&stack);
}
