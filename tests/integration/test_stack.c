/*  `civgrid stack` as an operator runs it.  A stack in the foreground (what
    `make run` starts) supervises its parts and starts again whatever ends;
    `civgrid stack down` from another terminal must still stop it all, the
    supervisor first, and leave no part running. */
#include <criterion/criterion.h>
#include "cg_testenv.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const s_parts[] = { "redis", "broker", "intake", "dispatch",
                                       "notification", "consultation", "fund", "gateway" };
#define S_NPARTS (sizeof s_parts / sizeof s_parts[0])


/*  The supervisor of the test, stopped as by Ctrl-C if the test ends early */
static pid_t s_supervisor;

static void
s_fini (void)
{
    if (s_supervisor > 0 && waitpid (s_supervisor, NULL, WNOHANG) == 0) {
        kill (s_supervisor, SIGTERM);
        waitpid (s_supervisor, NULL, 0);
    }
}

/*  A new stack folder DIR under the test's, the CLI, and DIR.out for its
    output (dir 512, cli 1024 and out 600 bytes). */
static void
s_new_dir (const char *name, char *dir, char *cli, char *out)
{
    const char *bin = getenv ("CG_BIN") ? getenv ("CG_BIN") : "build/asan/bin";
    const char *tmp = getenv ("CG_TEST_TMP") ? getenv ("CG_TEST_TMP") : "/tmp";
    snprintf (dir, 512, "%s/%s.XXXXXX", tmp, name);
    cr_assert (mkdtemp (dir));
    snprintf (cli, 1024, "%s/civgrid", bin);
    snprintf (out, 600, "%s.out", dir);
}

/*  Its output says it runs in the foreground once every part answers */
static bool
s_up (const char *out)
{
    char line[512];
    bool up = false;
    FILE *f = fopen (out, "r");
    while (f && !up && fgets (line, sizeof line, f))
        up = strstr (line, "Running in the foreground") != NULL;
    if (f)
        fclose (f);
    return up;
}

/*  Running, and not a zombie (an ended process keeps its pid until reaped) */
static bool
s_running (pid_t pid)
{
    char path[64], state = 0;
    snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
    FILE *f = fopen (path, "r");
    if (!f)
        return false;
    if (fscanf (f, "%*d %*s %c", &state) != 1)
        state = 0;
    fclose (f);
    return state && state != 'Z' && state != 'X';
}

Test (stack, a_foreground_stack_stops_with_stack_down_from_elsewhere, .fini = s_fini,
      .timeout = 240)
{
    char dir[512], cli[1024], out[600];
    s_new_dir ("fg", dir, cli, out);

    pid_t supervisor = fork ();
    cr_assert (supervisor >= 0);
    if (supervisor == 0) {
        if (!freopen (out, "w", stdout) || !freopen (out, "a", stderr))
            _exit (126);
        execl (cli, cli, "stack", "up", "--foreground", "--dir", dir, "--port-base", "auto",
               (char *) NULL);
        _exit (127);
    }
    s_supervisor = supervisor;
    for (int t = 0; t < 1800 && !s_up (out); t++)
        usleep (100000);
    cr_assert (s_up (out), "the foreground stack did not come up; see %s", out);
    pid_t parts[S_NPARTS];
    for (size_t i = 0; i < S_NPARTS; i++) {
        parts[i] = cg_stack_pid (dir, s_parts[i]);
        cr_assert (parts[i] > 0 && s_running (parts[i]), "%s is not running", s_parts[i]);
    }

    char command[2048];
    snprintf (command, sizeof command, "%s stack down --dir %s >/dev/null 2>&1", cli, dir);
    cr_assert_eq (system (command), 0);

    int status = 0;
    pid_t ended = 0;
    for (int t = 0; t < 600 && ended != supervisor; t++) {
        ended = waitpid (supervisor, &status, WNOHANG);
        if (ended != supervisor)
            usleep (100000);
    }
    cr_assert_eq (ended, supervisor, "the supervisor still runs after stack down");
    s_supervisor = 0;
    for (size_t i = 0; i < S_NPARTS; i++) {
        for (int t = 0; t < 300 && s_running (parts[i]); t++)
            usleep (100000);
        cr_assert (!s_running (parts[i]), "%s (%d) still runs after stack down", s_parts[i],
                   (int) parts[i]);
        cr_assert_eq (cg_stack_pid (dir, s_parts[i]), 0, "%s was started again", s_parts[i]);
    }
}

/*  Durability (docs/ARCHITECTURE.md): the Redis a stack starts fsyncs its
    AOF before it answers, so a change a daemon acknowledged survives a power
    cut; a configuration may choose everysec, and a value Redis does not know
    is refused by name before anything starts. */
static void
s_redis_fsync (const char *dir, char *value, size_t size)
{
    char path[600];
    snprintf (path, sizeof path, "%s/civgrid.cfg", dir);
    zconfig_t *config = zconfig_load (path);
    cr_assert (config, "no %s", path);
    cg_redis_t *redis = cg_redis_new ("127.0.0.1", atoi (zconfig_get (config, "redis/port", "0")),
                                      5000);
    cr_assert (redis);
    redisReply *r = cg_redis_command (redis, "CONFIG GET appendfsync");
    cr_assert (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    snprintf (value, size, "%s", cg_reply_str (r->element[1]));
    freeReplyObject (r);
    cg_redis_destroy (&redis);
    zconfig_destroy (&config);
}

Test (stack, acknowledgements_are_fsynced_unless_the_configuration_says_otherwise,
      .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char value[32];
    s_redis_fsync (stack->dir, value, sizeof value);
    cr_assert_str_eq (value, "always", "a stack's Redis runs with appendfsync %s", value);
    cg_teststack_down (&stack);

    char dir[512], cli[1024], out[600], command[2048];
    s_new_dir ("fsync", dir, cli, out);
    snprintf (command, sizeof command, "%s stack up --dir %s --port-base auto "
              "--set redis/appendfsync=sometimes >%s 2>&1", cli, dir, out);
    cr_assert_neq (system (command), 0, "a stack came up with appendfsync sometimes");
    char said[512] = "";
    FILE *f = fopen (out, "r");
    cr_assert (f);
    size_t n = fread (said, 1, sizeof said - 1, f);
    said[n] = 0;
    fclose (f);
    cr_assert (strstr (said, "redis/appendfsync") && strstr (said, "\"sometimes\"")
               && strstr (said, "always, everysec or no"), "the refusal says: %s", said);
    cr_assert_eq (cg_stack_pid (dir, "redis"), 0, "Redis started with a refused configuration");
}
