/*  secret — shared secrets with a life cycle (cg_sign.h).
        civgrid secret rotate hotline ID [--grace-hours N]
    makes a new secret for the 12345 hotline ID, prints it once (for the
    hotline's operator), and keeps the one it replaces good for N hours
    more (24 if not given; 0 ends it at once), so that the hotline switches
    when it is ready: the gateway reads the secrets on every push, with no
    restart.  Nothing else ever shows a secret. */
#include "cli.h"
#include "cg_clock.h"
#include "cg_sign.h"

#include <sodium.h>

#define S_GRACE_HOURS       24
#define S_GRACE_HOURS_MAX   168

static int
s_rotate_hotline (cli_args_t *args, const char *id)
{
    if (!*id || strlen (id) > 64
    ||  strspn (id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        != strlen (id)) {
        fprintf (stderr, "civgrid: a hotline's id is 1 to 64 letters, digits, '_' or '-', not "
                 "\"%.80s\"\n", id);
        return 1;
    }
    const char *grace_opt = cli_opt (args, "grace-hours", NULL);
    char *end = NULL;
    long grace = grace_opt ? strtol (grace_opt, &end, 10) : S_GRACE_HOURS;
    if (grace_opt && (end == grace_opt || *end || grace < 0 || grace > S_GRACE_HOURS_MAX)) {
        fprintf (stderr, "civgrid: --grace-hours must be a whole number of hours from 0 to %d, "
                 "not \"%s\"\n", S_GRACE_HOURS_MAX, grace_opt);
        return 1;
    }
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    char path[128];
    snprintf (path, sizeof path, "gateway/hotline/%s", id);
    const char *configured = zconfig_get (config, path, NULL);
    cg_redis_t *redis = cli_redis (args);
    char made[CG_SIGN_SECRET_MAX];
    int64_t now = cg_clock_now ();
    int rc = redis ? cg_sign_rotate (redis, id, configured, now, grace * 3600000LL, made) : -1;
    cg_redis_destroy (&redis);
    zconfig_destroy (&config);
    if (rc) {
        fprintf (stderr, "civgrid: the new secret could not be stored; nothing changed\n");
        return 1;
    }
    char until[40];
    cg_time_iso (now + grace * 3600000LL, until, sizeof until);
    if (cli_flag (args, "json"))
        printf ("{\"hotline\":\"%s\",\"secret\":\"%s\",\"previous_until\":\"%s\"}\n", id, made,
                until);
    else
        printf ("%s\nthe new secret of hotline %s (shown once); the one it replaces is "
                "good until %s\n", made, id, until);
    sodium_memzero (made, sizeof made);
    return 0;
}

int
cli_secret (cli_args_t *args)
{
    const char *verb = args->nwords > 1 ? args->words[1] : "";
    const char *kind = args->nwords > 2 ? args->words[2] : "";
    if (streq (verb, "rotate") && streq (kind, "hotline") && args->nwords == 4)
        return s_rotate_hotline (args, args->words[3]);
    fprintf (stderr, "usage: civgrid secret rotate hotline ID [--grace-hours N]\n");
    return 2;
}
