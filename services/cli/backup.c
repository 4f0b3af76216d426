/*  backup — `civgrid backup DIR` and `civgrid restore DIR`: a stack's whole
    state, taken while it runs, put back into an empty folder.

    A backup holds, in DIR:
        sqlite/<path>     every *.sqlite and *.db under the stack's folder
                          (the archive), each copied with SQLite's VACUUM INTO:
                          a consistent copy while its writer goes on;
        redis/dump.rdb    a snapshot of Redis as its replicas get one
                          (`redis-cli --rdb`, the SYNC protocol): every
                          daemon's keys at one instant;
        civgrid.cfg       the stack's configuration, with intake/key, the key
                          that seals personal data: without it the store's
                          names and phones cannot be read;
        data/<name>       each data file or folder the configuration's data
                          section names (org tree, catalog, calendar, rules);
        MANIFEST          when, from where, and what.
    The SQLite files go first and Redis after: what the archive holds was
    read from journals in Redis, so the snapshot has at least all of it,
    and a restored archive that is behind catches up from the journals.
    Everything acknowledged before the backup started is in it.

    A restore fills an empty stack folder from DIR: Redis's snapshot is
    turned into an append-only file first (a redis-server of its own on a
    free port loads dump.rdb with AOF off, then CONFIG SET appendonly yes
    rewrites it as AOF), because a Redis started with AOF on ignores
    dump.rdb; then `civgrid stack up --dir STACK` starts it, keeping the
    restored intake/key.  The restored configuration names STACK wherever
    the old one named the old folder (its own folder, access/dir and what
    lay in it): the old folder may be gone.  The access files are not in a
    backup (`civgrid secret backup` keeps them apart); the first `up` makes
    new ones. */
#define _GNU_SOURCE             /* nftw */
#include "cli.h"
#include "cg_access.h"
#include "cg_clock.h"
#include "cg_ports.h"

#include <errno.h>
#include <ftw.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_WAIT_MS   (10 * 60 * 1000)    /* a snapshot or AOF rewrite of a city's store */

/*  Runs argv[0] with argv, output to stderr; its exit code, or -1. */
static int
s_run (char *const argv[])
{
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2 (STDERR_FILENO, STDOUT_FILENO);
        execvp (argv[0], argv);
        fprintf (stderr, "civgrid: cannot run %s: %s\n", argv[0], strerror (errno));
        _exit (127);
    }
    int status;
    if (waitpid (pid, &status, 0) < 0)
        return -1;
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static int
s_copy (const char *from, const char *to)
{
    char *argv[] = { "cp", "-a", (char *) from, (char *) to, NULL };
    return s_run (argv);
}

/*  True when path does not exist or is an empty folder. */
static bool
s_empty (const char *path)
{
    DIR *dir = opendir (path);
    if (!dir)
        return errno == ENOENT;
    struct dirent *e;
    int n = 0;
    while ((e = readdir (dir)))
        n += strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0;
    closedir (dir);
    return n == 0;
}

static int
s_mkdirs (const char *base, const char *const *subs)
{
    char path[PATH_MAX];
    if (mkdir (base, 0700) && errno != EEXIST)
        return -1;
    for (size_t i = 0; subs[i]; i++) {
        snprintf (path, sizeof path, "%s/%s", base, subs[i]);
        if (mkdir (path, 0700) && errno != EEXIST)
            return -1;
    }
    return 0;
}

/* --- backup ----------------------------------------------------------------- */

/*  nftw has no argument for its callback */
static const char *s_stack_dir;
static const char *s_backup_dir;
static FILE *s_manifest;
static int s_failed;

static bool
s_is_sqlite (const char *path)
{
    size_t n = strlen (path);
    return (n > 7 && strcmp (path + n - 7, ".sqlite") == 0)
        || (n > 3 && strcmp (path + n - 3, ".db") == 0);
}

static int
s_backup_sqlite (const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void) st;
    (void) ftw;
    if (type != FTW_F || !s_is_sqlite (path))
        return 0;
    const char *rel = path + strlen (s_stack_dir) + 1;
    char to[PATH_MAX], sql[2 * PATH_MAX + 32], quoted[2 * PATH_MAX];
    snprintf (to, sizeof to, "%s/sqlite/%s", s_backup_dir, rel);
    /*  its folders, then VACUUM INTO 'to' with quotes doubled */
    char dir[PATH_MAX];
    snprintf (dir, sizeof dir, "%s", to);
    for (char *slash = strchr (dir + strlen (s_backup_dir) + 1, '/'); slash;
         slash = strchr (slash + 1, '/')) {
        *slash = 0;
        mkdir (dir, 0700);
        *slash = '/';
    }
    size_t q = 0;
    for (const char *p = to; *p && q + 2 < sizeof quoted; p++) {
        if (*p == '\'')
            quoted[q++] = '\'';
        quoted[q++] = *p;
    }
    quoted[q] = 0;
    snprintf (sql, sizeof sql, "VACUUM INTO '%s'", quoted);
    char *argv[] = { "sqlite3", (char *) path, sql, NULL };
    if (s_run (argv) != 0) {
        fprintf (stderr, "civgrid: cannot copy %s (sqlite3 VACUUM INTO)\n", path);
        s_failed++;
        return 1;
    }
    fprintf (s_manifest, "sqlite\t%s\n", rel);
    return 0;
}

static int
s_backup (cli_args_t *args, const char *to)
{
    const char *stack = cli_opt (args, "dir", "var");
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    if (!s_empty (to)) {
        fprintf (stderr, "civgrid: a backup goes into a new or empty folder; %s is not\n", to);
        zconfig_destroy (&config);
        return 1;
    }
    char stack_abs[PATH_MAX], path[PATH_MAX], from[PATH_MAX];
    const char *subs[] = { "redis", "data", "sqlite", NULL };
    if (!realpath (stack, stack_abs) || s_mkdirs (to, subs)) {
        fprintf (stderr, "civgrid: cannot make %s: %s\n", to, strerror (errno));
        zconfig_destroy (&config);
        return 1;
    }
    snprintf (path, sizeof path, "%s/MANIFEST", to);
    s_manifest = fopen (path, "w");
    if (!s_manifest) {
        zconfig_destroy (&config);
        return 1;
    }
    char now[40];
    cg_time_iso (zclock_time (), now, sizeof now);
    fprintf (s_manifest, "civgrid backup\ntaken\t%s\nfrom\t%s\n", now, stack_abs);

    /*  1. the archive's SQLite files */
    s_stack_dir = stack_abs;
    s_backup_dir = to;
    s_failed = 0;
    nftw (stack_abs, s_backup_sqlite, 16, FTW_PHYS);
    /*  2. Redis, at one instant */
    snprintf (path, sizeof path, "%s/redis/dump.rdb", to);
    const char *port = zconfig_get (config, "redis/port", "7400");
    char *rdb[] = { "redis-cli", "-h", (char *) zconfig_get (config, "redis/host", "127.0.0.1"),
                    "-p", (char *) port, "--rdb", path, NULL, NULL, NULL };
    /*  a locked stack's Redis takes the admin's login (cg_access.h); the
        password goes by the environment, never on a command line */
    const char *user, *password;
    if (cg_access_redis_login (atoi (port), &user, &password)) {
        rdb[7] = "--user";
        rdb[8] = (char *) user;
        setenv ("REDISCLI_AUTH", password, 1);
    }
    struct stat st;
    if (s_run (rdb) != 0 || stat (path, &st) || st.st_size == 0) {
        fprintf (stderr, "civgrid: Redis gave no snapshot (redis-cli --rdb); is the stack up?\n");
        s_failed++;
    }
    else
        fprintf (s_manifest, "redis\tredis/dump.rdb\t%lld bytes\n", (long long) st.st_size);
    /*  3. the configuration with its key, and the data files */
    snprintf (from, sizeof from, "%s/civgrid.cfg", stack_abs);
    snprintf (path, sizeof path, "%s/civgrid.cfg", to);
    if (s_copy (from, path))
        s_failed++;
    zconfig_t *data = zconfig_locate (config, "data");
    for (zconfig_t *file = data ? zconfig_child (data) : NULL; file; file = zconfig_next (file)) {
        const char *source = zconfig_value (file);
        if (!source || !*source || access (source, R_OK))
            continue;
        snprintf (path, sizeof path, "%s/data/%s", to, zconfig_name (file));
        if (s_copy (source, path))
            s_failed++;
        else
            fprintf (s_manifest, "data\t%s\t%s\n", zconfig_name (file), source);
    }
    fclose (s_manifest);
    s_manifest = NULL;
    zconfig_destroy (&config);
    if (s_failed) {
        fprintf (stderr, "civgrid: the backup in %s is incomplete (%d parts failed)\n", to,
                 s_failed);
        return 1;
    }
    printf ("backup of %s in %s (see %s/MANIFEST)\n", stack_abs, to, to);
    return 0;
}

/* --- restore ---------------------------------------------------------------- */

/*  A value of INFO persistence, or -1. */
static int64_t
s_info (cg_redis_t *redis, const char *field)
{
    redisReply *r = cg_redis_command (redis, "INFO persistence");
    char key[64];
    snprintf (key, sizeof key, "%s:", field);
    const char *at = r ? strstr (cg_reply_str (r), key) : NULL;
    int64_t value = at ? strtoll (at + strlen (key), NULL, 10) : -1;
    if (r)
        freeReplyObject (r);
    return value;
}

/*  Turns STACK/redis/dump.rdb into an append-only file, with a Redis of
    its own. */
static int
s_rdb_to_aof (const char *redis_dir)
{
    int port = cg_ports_free_base (1);
    char port_text[16];
    snprintf (port_text, sizeof port_text, "%d", port);
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open ("/dev/null", O_WRONLY);
        if (null >= 0)
            dup2 (null, STDOUT_FILENO);
        execlp ("redis-server", "redis-server", "--port", port_text, "--bind", "127.0.0.1",
                "--dir", redis_dir, "--dbfilename", "dump.rdb", "--appendonly", "no",
                "--save", "", "--hash-max-listpack-value", "512", (char *) NULL);
        _exit (127);
    }
    cg_redis_t *redis = cg_redis_new ("127.0.0.1", port, 30000);
    int rc = -1;
    int64_t waited = 0;
    while (redis && s_info (redis, "loading") == 1 && waited < S_WAIT_MS) {
        zclock_sleep (100);
        waited += 100;
    }
    redisReply *r = redis ? cg_redis_command (redis, "CONFIG SET appendonly yes") : NULL;
    if (r && r->type == REDIS_REPLY_STATUS) {
        /*  the rewrite is scheduled, then runs; done when neither */
        while (waited < S_WAIT_MS && (s_info (redis, "aof_rewrite_in_progress") != 0
                                      || s_info (redis, "aof_rewrite_scheduled") != 0
                                      || s_info (redis, "aof_enabled") != 1)) {
            zclock_sleep (100);
            waited += 100;
        }
        redisReply *status = cg_redis_command (redis, "INFO persistence");
        if (status && strstr (cg_reply_str (status), "aof_last_bgrewrite_status:ok"))
            rc = 0;
        if (status)
            freeReplyObject (status);
    }
    if (r)
        freeReplyObject (r);
    if (redis) {
        r = cg_redis_command (redis, "SHUTDOWN");
        if (r)
            freeReplyObject (r);
    }
    cg_redis_destroy (&redis);
    kill (pid, SIGTERM);
    waitpid (pid, NULL, 0);
    return rc;
}

/*  Every value of item and below that names the old stack's folder (or a
    path in it) names the same place in the new one. */
static void
s_move_paths (zconfig_t *item, const char *old, const char *fresh)
{
    size_t n = strlen (old);
    for (; item; item = zconfig_next (item)) {
        const char *value = zconfig_value (item);
        if (value && strncmp (value, old, n) == 0 && (value[n] == 0 || value[n] == '/')) {
            char *rest = strdup (value + n);   /* set_value frees the old value first */
            zconfig_set_value (item, "%s%s", fresh, rest);
            free (rest);
        }
        s_move_paths (zconfig_child (item), old, fresh);
    }
}

/*  The restored configuration is the old stack's: its own folder
    (civgrid/dir), its access files (access/dir) and whatever else lay in
    the old folder are re-derived from where the restore put them, so that
    nothing the new stack reads or writes is in the old folder, which may
    be gone. */
static int
s_repoint (const char *cfg, const char *stack)
{
    char fresh[PATH_MAX];
    zconfig_t *config = realpath (stack, fresh) ? zconfig_load (cfg) : NULL;
    if (!config)
        return -1;
    char *old = strdup (zconfig_get (config, "civgrid/dir", ""));
    if (*old && strcmp (old, "/") != 0)
        s_move_paths (zconfig_child (config), old, fresh);
    zconfig_put (config, "civgrid/dir", fresh);
    zconfig_putf (config, "access/dir", "%s/secrets", fresh);
    free (old);
    int rc = zconfig_save (config, cfg);
    chmod (cfg, 0600);          /* it holds the sealing key */
    zconfig_destroy (&config);
    return rc;
}

static int
s_restore (cli_args_t *args, const char *from)
{
    const char *stack = cli_opt (args, "dir", "var");
    char path[PATH_MAX], to[PATH_MAX];
    snprintf (path, sizeof path, "%s/redis/dump.rdb", from);
    snprintf (to, sizeof to, "%s/civgrid.cfg", from);
    if (access (path, R_OK) || access (to, R_OK)) {
        fprintf (stderr, "civgrid: %s is not a backup: it needs redis/dump.rdb and civgrid.cfg "
                 "(civgrid backup DIR makes them)\n", from);
        return 1;
    }
    if (!s_empty (stack)) {
        fprintf (stderr, "civgrid: a restore goes into a new or empty stack folder; %s is not "
                 "(stop that stack and name another --dir)\n", stack);
        return 1;
    }
    const char *subs[] = { "redis", "run", "log", NULL };
    if (s_mkdirs (stack, subs)) {
        fprintf (stderr, "civgrid: cannot make %s: %s\n", stack, strerror (errno));
        return 1;
    }
    char redis_dir[PATH_MAX];
    snprintf (redis_dir, sizeof redis_dir, "%s/redis", stack);
    snprintf (to, sizeof to, "%s/dump.rdb", redis_dir);
    int failed = s_copy (path, to) != 0;
    snprintf (path, sizeof path, "%s/civgrid.cfg", from);
    snprintf (to, sizeof to, "%s/civgrid.cfg", stack);
    failed += s_copy (path, to) != 0 || s_repoint (to, stack) != 0;
    snprintf (path, sizeof path, "%s/data", from);
    snprintf (to, sizeof to, "%s/data", stack);
    failed += s_copy (path, to) != 0;
    /*  the archive's files go back where they were in the stack folder */
    snprintf (path, sizeof path, "%s/sqlite/.", from);
    failed += s_copy (path, stack) != 0;
    if (failed || s_rdb_to_aof (redis_dir)) {
        fprintf (stderr, "civgrid: the restore into %s failed; see the messages above\n", stack);
        return 1;
    }
    printf ("restored %s into %s; start it with `civgrid stack up --dir %s`\n"
            "(its data files as they were are in %s/data)\n", from, stack, stack, stack);
    return 0;
}

int
cli_backup (cli_args_t *args)
{
    if (args->nwords != 2) {
        fprintf (stderr, "usage: civgrid backup DIR [--dir STACK] | civgrid restore DIR "
                 "--dir EMPTY_STACK\n");
        return 2;
    }
    return strcmp (args->words[0], "backup") == 0 ? s_backup (args, args->words[1])
                                                  : s_restore (args, args->words[1]);
}
