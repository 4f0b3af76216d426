/*  util — the CLI's argument parsing, configuration and error output. */
#include "cli.h"
#include "cg_access.h"
#include "cg_clock.h"
#include "cg_config.h"
#include <errno.h>

#include <pwd.h>

int
cli_args_parse (cli_args_t *args, int argc, char **argv, const char *const *flags)
{
    memset (args, 0, sizeof *args);
    args->opts = zhash_new ();
    zhash_autofree (args->opts);
    for (int i = 1; i < argc; i++) {
        if (strncmp (argv[i], "--", 2) != 0) {
            if (args->nwords == (int) (sizeof args->words / sizeof args->words[0]))
                return -1;
            args->words[args->nwords++] = argv[i];
            continue;
        }
        const char *name = argv[i] + 2;
        bool is_flag = false;
        for (int f = 0; flags[f]; f++)
            is_flag |= strcmp (flags[f], name) == 0;
        if (is_flag)
            zhash_update (args->opts, name, "");
        else
        if (i + 1 < argc && strcmp (name, "set") == 0 && zhash_lookup (args->opts, "set")) {
            /*  --set may be given again: the pairs are kept one a line */
            char *all = zsys_sprintf ("%s\n%s", (char *) zhash_lookup (args->opts, "set"),
                                      argv[++i]);
            zhash_update (args->opts, name, all);
            zstr_free (&all);
        }
        else
        if (i + 1 < argc)
            zhash_update (args->opts, name, argv[++i]);
        else {
            fprintf (stderr, "civgrid: --%s needs a value\n", name);
            return -1;
        }
    }
    return 0;
}

const char *
cli_opt (cli_args_t *args, const char *name, const char *otherwise)
{
    const char *value = zhash_lookup (args->opts, name);
    return value ? value : otherwise;
}

bool
cli_flag (cli_args_t *args, const char *name)
{
    return zhash_lookup (args->opts, name) != NULL;
}

const char *
cli_actor (cli_args_t *args, char *buf, size_t len)
{
    /*  $USER is not set everywhere (cron, CI, `env -i`): the account's
        name then, and "cli" when even that is unknown */
    const char *user = getenv ("USER");
    const struct passwd *pw = user && *user ? NULL : getpwuid (geteuid ());
    snprintf (buf, len, "operator:%s", user && *user ? user : pw ? pw->pw_name : "cli");
    return cli_opt (args, "actor", buf);
}

/*  The CLI talks to the stack of config as admin, unless --key names
    another key file (cg_access.h). */
static void
s_act_as (cli_args_t *args, zconfig_t *config)
{
    cg_access_use (config, cli_opt (args, "key", CG_ACCESS_ADMIN));
}

zconfig_t *
cli_config (cli_args_t *args)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/civgrid.cfg", cli_opt (args, "dir", "var"));
    zconfig_t *config = zconfig_load (path);
    if (!config)
        fprintf (stderr, "civgrid: no running stack in %s (no %s); start one with "
                 "`civgrid stack up`\n", cli_opt (args, "dir", "var"), path);
    else
        s_act_as (args, config);
    return config;
}

cg_redis_t *
cli_redis_of (zconfig_t *config, int retry_ms)
{
    int64_t port;
    char err[300];
    if (cg_config_int (config, "the stack's civgrid.cfg", "redis/port", &port, err,
                       sizeof err)) {
        fprintf (stderr, "civgrid: %s\n", err);
        return NULL;
    }
    return cg_redis_new (zconfig_get (config, "redis/host", "127.0.0.1"), (int) port, retry_ms);
}

cg_redis_t *
cli_redis (cli_args_t *args)
{
    zconfig_t *config = cli_config (args);
    if (!config)
        return NULL;
    cg_redis_t *redis = cli_redis_of (config, 2000);
    zconfig_destroy (&config);
    if (!redis)
        fprintf (stderr, "civgrid: Redis cannot be reached; is the stack up?\n");
    return redis;
}

int64_t
cli_now (cli_args_t *args)
{
    char path[4096];
    snprintf (path, sizeof path, "%s/civgrid.cfg", cli_opt (args, "dir", "var"));
    zconfig_t *config = zconfig_load (path);
    if (config)
        s_act_as (args, config);
    bool test = config && streq (zconfig_get (config, "clock/test", "0"), "1");
    int64_t now = 0;
    if (test) {
        cg_redis_t *redis = cli_redis_of (config, 2000);
        redisReply *r = redis ? cg_redis_command (redis, "GET cg:{clock}:now") : NULL;
        now = cg_reply_int (r, 0);
        if (r)
            freeReplyObject (r);
        cg_redis_destroy (&redis);
    }
    zconfig_destroy (&config);
    return now > 0 ? now : cg_clock_now ();
}

static cg_client_t *
s_client (zconfig_t *config, const char *daemon, int timeout_ms, int tries)
{
    char key[64];
    snprintf (key, sizeof key, "%s/endpoint", daemon);
    const char *endpoint = zconfig_get (config, key, NULL);
    if (!endpoint) {
        fprintf (stderr, "civgrid: the configuration names no %s\n", key);
        return NULL;
    }
    return cg_client_new (endpoint, timeout_ms, tries);
}

cg_client_t *
cli_client (zconfig_t *config, const char *daemon)
{
    return s_client (config, daemon, 3000, 3);
}

int
cli_fail (const cg_error_t *err)
{
    if (*err->field)
        fprintf (stderr, "civgrid: %s (%s: %s)\n", err->message, err->code, err->field);
    else
        fprintf (stderr, "civgrid: %s (%s)\n", err->message, err->code);
    return 1;
}

static int
s_call (cli_args_t *args, const cg_cmddef_t *command, void *req, void *rep, int timeout_ms,
        int tries)
{
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    cg_client_t *client = s_client (config, command->owner, timeout_ms, tries);
    zconfig_destroy (&config);
    if (!client)
        return 1;
    cg_error_t err;
    int rc = cg_client_call (client, command, req, rep, &err);
    cg_client_destroy (&client);
    return rc ? cli_fail (&err) : 0;
}

int
cli_call (cli_args_t *args, const cg_cmddef_t *command, void *req, void *rep)
{
    return s_call (args, command, req, rep, 3000, 3);
}

int
cli_query (cli_args_t *args, const cg_cmddef_t *command, void *req, void *rep)
{
    return s_call (args, command, req, rep, CLI_QUERY_MS, 1);
}

void
cli_print_next (const char *next)
{
    if (next)
        printf ("next: %s\n", next);
}

int
cli_opt_limit (cli_args_t *args, int64_t *limit)
{
    const char *text = cli_opt (args, "limit", "50");
    char *end;
    errno = 0;
    long long v = strtoll (text, &end, 10);
    if (errno || *end || end == text || v < 1) {
        fprintf (stderr, "civgrid: --limit must be a whole number from 1, not %s\n", text);
        return -1;
    }
    *limit = v;
    return 0;
}

void
cli_fund_who (cli_args_t *args, char **actor, char **role)
{
    const char *user = getenv ("USER");
    *actor = (char *) cli_opt (args, "actor", user && *user ? user : "cli");
    *role = (char *) cli_opt (args, "role", "admin");
}
