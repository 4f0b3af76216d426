/*  migrate — `civgrid migrate`: upgrades a stack's store to the layout
    this civgrid writes (cg_layout.h), in place.

    It runs with every daemon of the stack stopped (Redis up): a daemon
    refuses to start on a store in another layout, and one already running
    would be writing the old layout.  Each step takes the store from one
    layout to the next and records the new one in cg:layout only when it is
    done; a step is safe to run again, so a migration cut short by a crash
    or kill -9 is run again and goes on where it stopped.  Back the store
    up first (civgrid backup DIR).

    A step that a daemon does itself, on its own keys, at its next start,
    is no work here: the step records the layout, and the daemon finds its
    keys in the old shape and upgrades them (dispatch's statistics,
    resumable by st:rolled). */
#include "cli.h"
#include "cg_layout.h"

typedef struct {
    int from;
    const char *what;
    int (*fn) (cg_redis_t *redis);      /* NULL: a daemon does it at its start */
} s_step_t;

static const s_step_t s_steps[] = {
    { 1, "weeks and months of statistics: civgrid-dispatch rolls the stored days up into "
         "them at its next start (resumable: cg:{dispatch}:st:rolled)", NULL },
    { 2, "years and the city's totals of statistics: civgrid-dispatch makes them from the "
         "months at its next start; order numbers by period: civgrid-intake reads the old "
         "index as one more period until intake/ext_keep_days have passed", NULL },
    { 3, "a county's part of each statistics hash: civgrid-dispatch makes them from the "
         "hashes at its next start", NULL },
    { 4, "points' acts counted by a hash: civgrid-fund writes new acts so and still counts "
         "the stored ones by their old fields; order numbers in buckets: civgrid-intake "
         "still reads a period's one hash until it expires", NULL },
};
#define S_NSTEPS (sizeof s_steps / sizeof s_steps[0])

/*  The stack's daemons that are running, by their pid files. */
static int
s_running (zconfig_t *config, const char *dir, char *names, size_t len)
{
    int running = 0;
    *names = 0;
    for (zconfig_t *section = zconfig_child (config); section; section = zconfig_next (section)) {
        if (!zconfig_locate (section, "endpoint"))
            continue;
        if (cli_part_running (dir, zconfig_name (section))) {
            snprintf (names + strlen (names), len - strlen (names), "%s%s", running ? ", " : "",
                      zconfig_name (section));
            running++;
        }
    }
    return running;
}

int
cli_migrate (cli_args_t *args)
{
    const char *dir = cli_opt (args, "dir", "var");
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    char names[256];
    if (s_running (config, dir, names, sizeof names)) {
        fprintf (stderr, "civgrid: stop every daemon before a migration (running: %s); Redis "
                 "stays up: kill them, or `civgrid stack down` and start redis-server alone\n",
                 names);
        zconfig_destroy (&config);
        return 1;
    }
    zconfig_destroy (&config);
    cg_redis_t *redis = cli_redis (args);
    if (!redis)
        return 1;
    int64_t layout = cg_layout_of (redis);
    int rc = 0;
    if (layout < 0) {
        fprintf (stderr, "civgrid: cannot read the store's layout: Redis failed\n");
        rc = 1;
    }
    else
    if (layout > CG_LAYOUT) {
        fprintf (stderr, "civgrid: the store is in layout %lld, newer than this civgrid's %d; "
                 "run the release that wrote it\n", (long long) layout, CG_LAYOUT);
        rc = 1;
    }
    else
    if (layout == CG_LAYOUT)
        printf ("the store is in layout %d already: nothing to do\n", CG_LAYOUT);
    for (size_t i = 0; rc == 0 && i < S_NSTEPS; i++) {
        if (s_steps[i].from != layout)
            continue;
        if (s_steps[i].fn && s_steps[i].fn (redis)) {
            fprintf (stderr, "civgrid: the step from layout %d failed; run `civgrid migrate` "
                     "again: it goes on where it stopped\n", s_steps[i].from);
            rc = 1;
            break;
        }
        redisReply *r = cg_redis_command (redis, "SET cg:layout %d", s_steps[i].from + 1);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            fprintf (stderr, "civgrid: cannot record layout %d: Redis failed\n",
                     s_steps[i].from + 1);
            rc = 1;
        }
        else {
            printf ("layout %d -> %d: %s\n", s_steps[i].from, s_steps[i].from + 1,
                    s_steps[i].what);
            layout = s_steps[i].from + 1;
        }
        if (r)
            freeReplyObject (r);
    }
    if (rc == 0 && layout == CG_LAYOUT)
        printf ("the store is in layout %d; start the stack\n", CG_LAYOUT);
    cg_redis_destroy (&redis);
    return rc;
}
