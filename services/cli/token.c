/*  token — the gateway's API tokens (cg_token.h).
        civgrid token create --role R --scope CODE [--name WHO] [--days N]
        civgrid token list
        civgrid token revoke ID
    `create` prints the token once; Redis keeps only its hash with the
    role, the scope (a node of the org tree), the holder's name, which the
    audit log records as the actor, and when it expires (N days, 365 if not
    given).  `list` shows the records by their id, the start of their hash
    (never the token), with their expiry and when the gateway last took
    them (to the minute); `revoke` deletes the record of a
    token, named by that id (or the token itself), which the gateway
    refuses from its next request on. */
#include "cli.h"
#include "cg_clock.h"
#include "cg_orgtree.h"
#include "cg_token.h"

#define S_DAYS          365     /* a token's life when --days is not given */
#define S_DAYS_MAX      3650
#define S_ID_MIN        8       /* hex digits of a hash that name a token */

int
cli_token_issue (zconfig_t *config, const char *role_name, const char *scope,
                 const char *name, char *token)
{
    return cli_token_issue_days (config, role_name, scope, name, S_DAYS, token);
}

int
cli_token_issue_days (zconfig_t *config, const char *role_name, const char *scope,
                      const char *name, int days, char *token)
{
    char err[256];
    cg_orgtree_t *org = cg_orgtree_load (zconfig_get (config, "data/orgtree", ""), err,
                                         sizeof err);
    bool known = org && cg_orgtree_find (org, scope);
    if (!known)
        fprintf (stderr, "civgrid: %s\n", org ? "--scope names no node of the org tree" : err);
    cg_orgtree_destroy (&org);
    if (!known)
        return 1;
    cg_redis_t *redis = cli_redis_of (config, 2000);
    if (!redis) {
        fprintf (stderr, "civgrid: Redis cannot be reached; is the stack up?\n");
        return 1;
    }
    char hash[CG_TOKEN_HASH], key[128];
    cg_token_make (token);
    cg_token_hash (token, hash);
    cg_token_key (key, sizeof key, hash);
    int64_t now = cg_clock_now ();
    redisReply *r = cg_redis_command (redis, "HSET %s role %s scope %s name %s created %lld "
                                      "expires %lld", key, role_name, scope, name,
                                      (long long) now, (long long) now + days * 86400000LL);
    int rc = r && r->type != REDIS_REPLY_ERROR ? 0 : 1;
    if (r)
        freeReplyObject (r);
    cg_redis_destroy (&redis);
    if (rc)
        fprintf (stderr, "civgrid: the token could not be stored\n");
    return rc;
}

static int
s_create (cli_args_t *args)
{
    const char *role_name = cli_opt (args, "role", NULL);
    const char *scope = cli_opt (args, "scope", NULL);
    if (!cg_role_parse (role_name)) {
        fprintf (stderr, "civgrid: --role must be one of operator, supervisor, admin, "
                 "grid_worker, hotline, device_vendor, open311\n");
        return 1;
    }
    if (!scope) {
        fprintf (stderr, "civgrid: --scope CODE is required: the org tree node the token "
                 "may act in\n");
        return 1;
    }
    const char *days_opt = cli_opt (args, "days", NULL);
    char *end = NULL;
    long days = days_opt ? strtol (days_opt, &end, 10) : S_DAYS;
    if (days_opt && (end == days_opt || *end || days < 1 || days > S_DAYS_MAX)) {
        fprintf (stderr, "civgrid: --days must be a whole number of days from 1 to %d, not "
                 "\"%s\"\n", S_DAYS_MAX, days_opt);
        return 1;
    }
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    const char *name = cli_opt (args, "name", NULL);
    char made_name[64], token[CG_TOKEN_MAX];
    if (!name) {
        snprintf (made_name, sizeof made_name, "%s@%s", role_name, scope);
        name = made_name;
    }
    int rc = cli_token_issue_days (config, role_name, scope, name, (int) days, token);
    zconfig_destroy (&config);
    if (rc)
        return 1;
    if (cli_flag (args, "json"))
        printf ("{\"token\":\"%s\",\"role\":\"%s\",\"scope\":\"%s\",\"name\":\"%s\"}\n",
                token, role_name, scope, name);
    else
        printf ("%s\n", token);
    return 0;
}

static int
s_list (cli_args_t *args)
{
    cg_redis_t *redis = cli_redis (args);
    if (!redis)
        return 1;
    bool json = cli_flag (args, "json");
    char cursor[32] = "0";
    bool first = true;
    if (json)
        printf ("[");
    do {
        redisReply *r = cg_redis_command (redis, "SCAN %s MATCH cg:{gateway}:token:* COUNT 500",
                                          cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject (r);
            cg_redis_destroy (&redis);
            return 1;
        }
        snprintf (cursor, sizeof cursor, "%s", cg_reply_str (r->element[0]));
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            const char *key = r->element[1]->element[i]->str;
            const char *hash = strrchr (key, ':') + 1;
            redisReply *t = cg_redis_command (redis, "HMGET %s role scope name expires "
                                              "last_used", key);
            if (t && t->type == REDIS_REPLY_ARRAY && t->elements == 5) {
                /*  a token made before tokens expired has no expiry */
                int64_t expires = cg_reply_int (t->element[3], 0);
                int64_t used = cg_reply_int (t->element[4], 0);
                char until[40] = "never", last[40] = "never";
                if (expires)
                    cg_time_iso (expires, until, sizeof until);
                if (used)
                    cg_time_iso (used, last, sizeof last);
                if (json)
                    printf ("%s{\"hash\":\"%.12s\",\"role\":\"%s\",\"scope\":\"%s\","
                            "\"name\":\"%s\",\"expires\":\"%s\",\"last_used\":\"%s\"}",
                            first ? "" : ",", hash, cg_reply_str (t->element[0]),
                            cg_reply_str (t->element[1]), cg_reply_str (t->element[2]), until,
                            last);
                else
                    printf ("%.12s  %-13s %-16s %-25s expires %s  used %s\n", hash,
                            cg_reply_str (t->element[0]), cg_reply_str (t->element[1]),
                            cg_reply_str (t->element[2]), until, last);
                first = false;
            }
            if (t)
                freeReplyObject (t);
        }
        freeReplyObject (r);
    } while (strcmp (cursor, "0") != 0);
    if (json)
        printf ("]\n");
    cg_redis_destroy (&redis);
    return 0;
}

/*  The key of the one token whose hash starts with id (as `token list`
    shows it), into key; 0, or -1 said on stderr (none, or several). */
static int
s_find_by_id (cg_redis_t *redis, const char *id, char *key, size_t len)
{
    size_t digits = strspn (id, "0123456789abcdef");
    if (digits != strlen (id) || digits < S_ID_MIN || digits >= CG_TOKEN_HASH) {
        fprintf (stderr, "civgrid: revoke takes a token's id as `token list` shows it (at "
                 "least %d of its hex digits) or the token itself, not \"%.80s\"\n", S_ID_MIN,
                 id);
        return -1;
    }
    char cursor[32] = "0";
    int found = 0;
    do {
        redisReply *r = cg_redis_command (redis, "SCAN %s MATCH cg:{gateway}:token:%s* "
                                          "COUNT 1000", cursor, id);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject (r);
            fprintf (stderr, "civgrid: the tokens cannot be read now\n");
            return -1;
        }
        snprintf (cursor, sizeof cursor, "%s", cg_reply_str (r->element[0]));
        for (size_t i = 0; i < r->element[1]->elements; i++, found++)
            snprintf (key, len, "%s", r->element[1]->element[i]->str);
        freeReplyObject (r);
    } while (strcmp (cursor, "0") != 0 && found < 2);
    if (found != 1)
        fprintf (stderr, found ? "civgrid: %s names more than one token; give more of its "
                 "digits\n" : "civgrid: no token has the id %s\n", id);
    return found == 1 ? 0 : -1;
}

static int
s_revoke (cli_args_t *args, const char *id)
{
    cg_redis_t *redis = cli_redis (args);
    if (!redis)
        return 1;
    char hash[CG_TOKEN_HASH], key[128];
    if (strncmp (id, "cgt_", 4) == 0)
        cg_token_hash (id, hash);
    else {
        if (s_find_by_id (redis, id, key, sizeof key)) {
            cg_redis_destroy (&redis);
            return 1;
        }
        snprintf (hash, sizeof hash, "%s", strrchr (key, ':') + 1);
    }
    cg_token_key (key, sizeof key, hash);
    redisReply *r = cg_redis_command (redis, "DEL %s", key);
    int64_t gone = cg_reply_int (r, -1);
    if (r)
        freeReplyObject (r);
    cg_redis_destroy (&redis);
    if (gone != 1) {
        fprintf (stderr, "civgrid: no such token\n");
        return 1;
    }
    printf ("revoked %.12s\n", hash);
    return 0;
}

int
cli_token (cli_args_t *args)
{
    const char *sub = args->nwords > 1 ? args->words[1] : "";
    if (strcmp (sub, "create") == 0)
        return s_create (args);
    if (strcmp (sub, "list") == 0)
        return s_list (args);
    if (strcmp (sub, "revoke") == 0 && args->nwords > 2)
        return s_revoke (args, args->words[2]);
    return 2;
}
