/*  token — the gateway's API tokens (cg_token.h).
        civgrid token create --role R --scope CODE [--name WHO]
        civgrid token list
        civgrid token revoke TOKEN
    `create` prints the token once; Redis keeps only its hash with the
    role, the scope (a node of the org tree) and the holder's name, which
    the audit log records as the actor.  `list` shows the records (by the
    start of their hash, never the token); `revoke` deletes the record of
    a token, which the gateway refuses from its next request on. */
#include "cli.h"
#include "cg_clock.h"
#include "cg_orgtree.h"
#include "cg_token.h"

int
cli_token_issue (zconfig_t *config, const char *role_name, const char *scope,
                 const char *name, char *token)
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
    redisReply *r = cg_redis_command (redis, "HSET %s role %s scope %s name %s created %lld",
                                      key, role_name, scope, name,
                                      (long long) cg_clock_now ());
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
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    const char *name = cli_opt (args, "name", NULL);
    char made_name[64], token[CG_TOKEN_MAX];
    if (!name) {
        snprintf (made_name, sizeof made_name, "%s@%s", role_name, scope);
        name = made_name;
    }
    int rc = cli_token_issue (config, role_name, scope, name, token);
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
            redisReply *t = cg_redis_command (redis, "HMGET %s role scope name", key);
            if (t && t->type == REDIS_REPLY_ARRAY && t->elements == 3) {
                if (json)
                    printf ("%s{\"hash\":\"%.12s\",\"role\":\"%s\",\"scope\":\"%s\","
                            "\"name\":\"%s\"}", first ? "" : ",", hash,
                            cg_reply_str (t->element[0]), cg_reply_str (t->element[1]),
                            cg_reply_str (t->element[2]));
                else
                    printf ("%.12s  %-13s %-16s %s\n", hash, cg_reply_str (t->element[0]),
                            cg_reply_str (t->element[1]), cg_reply_str (t->element[2]));
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

static int
s_revoke (cli_args_t *args, const char *token)
{
    cg_redis_t *redis = cli_redis (args);
    if (!redis)
        return 1;
    char hash[CG_TOKEN_HASH], key[128];
    cg_token_hash (token, hash);
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
