/*  user — operators' accounts (cg_user.h).
        civgrid user add NAME --role R --scope CODE
        civgrid user disable NAME
        civgrid user reset NAME
        civgrid user totp NAME [--off]
        civgrid user list
    The password comes from $CG_PASSWORD (never the command line, where
    any user of the host sees it), at least 12 bytes; Redis keeps only its
    Argon2id hash.  `disable` and `reset` (a new password, the lock lifted)
    end every session of the account at once; `totp` gives it a second
    factor, the code of an authenticator app (cg_user.h). */
#include "cli.h"
#include "cg_clock.h"
#include "cg_orgtree.h"
#include "cg_token.h"
#include "cg_user.h"

#include <sodium.h>

/*  The password from the environment; NULL said. */
static const char *
s_password (void)
{
    const char *password = getenv ("CG_PASSWORD");
    size_t len = password ? strlen (password) : 0;
    if (len < CG_USER_PASS_MIN || len > CG_USER_PASS_MAX) {
        fprintf (stderr, "civgrid: set CG_PASSWORD to the account's password, %d to %d bytes "
                 "(it is never taken from the command line)\n", CG_USER_PASS_MIN,
                 CG_USER_PASS_MAX);
        return NULL;
    }
    return password;
}

/*  Ends every session of name. */
static void
s_end_sessions (cg_redis_t *redis, const char *name)
{
    char skey[160], tkey[128];
    cg_user_sessions_key (skey, sizeof skey, name);
    redisReply *r = cg_redis_command (redis, "SMEMBERS %s", skey);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        cg_token_key (tkey, sizeof tkey, r->element[i]->str);
        freeReplyObject (cg_redis_command (redis, "DEL %s", tkey));
    }
    if (r)
        freeReplyObject (r);
    freeReplyObject (cg_redis_command (redis, "DEL %s", skey));
}

/*  Whether the account exists; false said. */
static bool
s_exists (cg_redis_t *redis, const char *name, const char *key)
{
    redisReply *r = cg_redis_command (redis, "EXISTS %s", key);
    bool exists = cg_reply_int (r, 0) == 1;
    if (r)
        freeReplyObject (r);
    if (!exists)
        fprintf (stderr, "civgrid: no account named %s\n", name);
    return exists;
}

static int
s_add (cli_args_t *args, cg_redis_t *redis, const char *name, const char *key)
{
    const char *role = cli_opt (args, "role", NULL), *scope = cli_opt (args, "scope", NULL);
    int bits = cg_role_parse (role);
    if (!bits || bits & (CG_ROLE_HOTLINE | CG_ROLE_DEVICE | CG_ROLE_OPEN311)) {
        fprintf (stderr, "civgrid: --role must be a person's: operator, supervisor, admin or "
                 "grid_worker\n");
        return 1;
    }
    zconfig_t *config = cli_config (args);
    char err[256];
    cg_orgtree_t *org = config ? cg_orgtree_load (zconfig_get (config, "data/orgtree", ""),
                                                  err, sizeof err) : NULL;
    bool known = org && scope && cg_orgtree_find (org, scope);
    cg_orgtree_destroy (&org);
    zconfig_destroy (&config);
    if (!known) {
        fprintf (stderr, "civgrid: --scope must name a node of the org tree\n");
        return 1;
    }
    const char *password = s_password ();
    char hash[CG_USER_HASH_MAX];
    if (!password || cg_user_hash (password, hash))
        return 1;
    redisReply *r = cg_redis_command (redis, "HSETNX %s hash %s", key, hash);
    bool made = cg_reply_int (r, 0) == 1;
    if (r)
        freeReplyObject (r);
    if (!made) {
        fprintf (stderr, "civgrid: an account named %s exists\n", name);
        return 1;
    }
    freeReplyObject (cg_redis_command (redis, "HSET %s role %s scope %s disabled 0 failures 0 "
                                       "created %lld", key, role, scope,
                                       (long long) cg_clock_now ()));
    printf ("account %s: %s of %s\n", name, role, scope);
    return 0;
}

static int
s_change (cli_args_t *args, cg_redis_t *redis, const char *name, const char *key, bool reset)
{
    (void) args;
    if (!s_exists (redis, name, key))
        return 1;
    if (reset) {
        const char *password = s_password ();
        char hash[CG_USER_HASH_MAX];
        if (!password || cg_user_hash (password, hash))
            return 1;
        freeReplyObject (cg_redis_command (redis, "HSET %s hash %s failures 0 locked_until 0 "
                                           "disabled 0", key, hash));
    }
    else
        freeReplyObject (cg_redis_command (redis, "HSET %s disabled 1", key));
    s_end_sessions (redis, name);
    printf ("account %s %s; its sessions ended\n", name, reset ? "reset" : "disabled");
    return 0;
}

/*  A second factor: a new TOTP secret (its otpauth:// address printed
    once, for the authenticator app), or --off. */
static int
s_totp (cli_args_t *args, cg_redis_t *redis, const char *name, const char *key)
{
    if (!s_exists (redis, name, key))
        return 1;
    if (cli_flag (args, "off")) {
        freeReplyObject (cg_redis_command (redis, "HDEL %s totp totp_step", key));
        printf ("account %s signs in with its password alone\n", name);
        return 0;
    }
    char secret[CG_TOTP_SECRET_MAX];
    cg_totp_secret (secret);
    freeReplyObject (cg_redis_command (redis, "HSET %s totp %s totp_step 0", key, secret));
    s_end_sessions (redis, name);
    printf ("otpauth://totp/civgrid:%s?secret=%s&issuer=civgrid&digits=6&period=30\n"
            "account %s now needs the code of an authenticator app set up with the address "
            "above (shown once); its sessions ended\n", name, secret, name);
    sodium_memzero (secret, sizeof secret);
    return 0;
}

static int
s_list (cg_redis_t *redis)
{
    char cursor[32] = "0";
    do {
        redisReply *r = cg_redis_command (redis, "SCAN %s MATCH cg:{gateway}:user:* COUNT 500",
                                          cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject (r);
            return 1;
        }
        snprintf (cursor, sizeof cursor, "%s", cg_reply_str (r->element[0]));
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            const char *key = r->element[1]->element[i]->str;
            redisReply *u = cg_redis_command (redis, "HMGET %s role scope disabled "
                                              "locked_until", key);
            if (u && u->type == REDIS_REPLY_ARRAY && u->elements == 4)
                printf ("%-20s %-12s %-16s %s\n", strrchr (key, ':') + 1,
                        cg_reply_str (u->element[0]), cg_reply_str (u->element[1]),
                        cg_reply_int (u->element[2], 0) ? "disabled"
                        : cg_reply_int (u->element[3], 0) > cg_clock_now () ? "locked"
                        : "active");
            if (u)
                freeReplyObject (u);
        }
        freeReplyObject (r);
    } while (strcmp (cursor, "0") != 0);
    return 0;
}

int
cli_user (cli_args_t *args)
{
    const char *verb = args->nwords > 1 ? args->words[1] : "";
    const char *name = args->nwords > 2 ? args->words[2] : "";
    bool list = streq (verb, "list");
    if (!list && !streq (verb, "add") && !streq (verb, "disable") && !streq (verb, "reset")
    &&  !streq (verb, "totp")) {
        fprintf (stderr, "usage: civgrid user add NAME --role R --scope CODE | user disable "
                 "NAME | user reset NAME | user totp NAME [--off] | user list  (password in "
                 "$CG_PASSWORD)\n");
        return 2;
    }
    if (!list && !cg_user_name_ok (name)) {
        fprintf (stderr, "civgrid: a name is 1 to %d bytes of letters, digits, '.', '_' or "
                 "'-', not \"%.80s\"\n", CG_USER_NAME_MAX, name);
        return 1;
    }
    cg_redis_t *redis = cli_redis (args);
    if (!redis)
        return 1;
    char key[160];
    cg_user_key (key, sizeof key, name);
    int rc = list ? s_list (redis)
           : streq (verb, "add") ? s_add (args, redis, name, key)
           : streq (verb, "totp") ? s_totp (args, redis, name, key)
           : s_change (args, redis, name, key, streq (verb, "reset"));
    cg_redis_destroy (&redis);
    return rc;
}
