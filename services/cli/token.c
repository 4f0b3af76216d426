/*  token — `civgrid token create --role R --scope CODE [--name WHO]`: makes
    an API token for the gateway.  The token is printed once; Redis keeps
    only its hash with the role, the scope (a node of the org tree) and the
    holder's name, which the audit log records as the actor (cg_token.h). */
#include "cli.h"
#include "cg_clock.h"
#include "cg_orgtree.h"
#include "cg_token.h"

static int
s_create (cli_args_t *args)
{
    const char *role_name = cli_opt (args, "role", NULL);
    const char *scope = cli_opt (args, "scope", NULL);
    int role = cg_role_parse (role_name);
    if (!role) {
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
    char err[256];
    cg_orgtree_t *org = cg_orgtree_load (zconfig_get (config, "data/orgtree", ""), err,
                                         sizeof err);
    const cg_org_node_t *node = org ? cg_orgtree_find (org, scope) : NULL;
    if (!node) {
        fprintf (stderr, "civgrid: %s\n", org ? "--scope names no node of the org tree" : err);
        cg_orgtree_destroy (&org);
        zconfig_destroy (&config);
        return 1;
    }
    cg_redis_t *redis = cg_redis_new (zconfig_get (config, "redis/host", "127.0.0.1"),
                                      atoi (zconfig_get (config, "redis/port", "7400")), 2000);
    zconfig_destroy (&config);
    if (!redis) {
        fprintf (stderr, "civgrid: Redis cannot be reached; is the stack up?\n");
        cg_orgtree_destroy (&org);
        return 1;
    }
    char token[CG_TOKEN_MAX], hash[CG_TOKEN_HASH], key[128];
    cg_token_make (token);
    cg_token_hash (token, hash);
    cg_token_key (key, sizeof key, hash);
    const char *name = cli_opt (args, "name", NULL);
    char made_name[64];
    if (!name) {
        snprintf (made_name, sizeof made_name, "%s@%s", role_name, scope);
        name = made_name;
    }
    redisReply *r = cg_redis_command (redis, "HSET %s role %s scope %s name %s created %lld",
                                      key, role_name, scope, name,
                                      (long long) cg_clock_now ());
    int rc = r && r->type != REDIS_REPLY_ERROR ? 0 : 1;
    if (r)
        freeReplyObject (r);
    cg_redis_destroy (&redis);
    cg_orgtree_destroy (&org);
    if (rc) {
        fprintf (stderr, "civgrid: the token could not be stored\n");
        return 1;
    }
    if (cli_flag (args, "json"))
        printf ("{\"token\":\"%s\",\"role\":\"%s\",\"scope\":\"%s\",\"name\":\"%s\"}\n",
                token, role_name, scope, name);
    else
        printf ("%s\n", token);
    return 0;
}

int
cli_token (cli_args_t *args)
{
    if (args->nwords > 1 && strcmp (args->words[1], "create") == 0)
        return s_create (args);
    fprintf (stderr, "usage: civgrid token create --role R --scope CODE [--name WHO]\n");
    return 2;
}
