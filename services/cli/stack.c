/*  stack — `civgrid stack up|down|status`: the whole system on one machine.

    `up` writes DIR/civgrid.cfg (ports from --port-base, or free ones with
    --port-base auto), starts a private redis-server with AOF on and its data
    in DIR/redis, then the broker and every daemon, each with its pid file in
    DIR/run and its log in DIR/log, and returns once each answers (Redis a
    PING, a daemon a `ping` command).  Parts already running are left alone,
    so `up` after a crash starts just what is missing.  With --foreground it
    stays, starts again any daemon that dies, and stops everything on Ctrl-C.
    `down` stops the daemons, then Redis (which writes its AOF on SIGTERM).

    With --replicas N and --sentinels M (N + M at most 4, on the ports after
    the daemons'), `up` also runs N Redis replicas (replicaN, each in
    DIR/replicaN) and M Sentinels (sentinelN) watching the master as
    "civgrid", with the locks on them too (cg_access_write_replica,
    cg_access_write_sentinel); every Redis has min-replicas-to-write N, and
    the configuration tells the daemons to find the master through the
    Sentinels and to wait for N replicas (cg_redis.h).  A replica's and a
    Sentinel's files are written once: Sentinel rewrites them as the
    master moves.  The master's redis.conf is written on every `up`, so an
    old master started again comes up as a master without replicas, which
    refuses writes until the Sentinels make it a replica
    (docs/ARCHITECTURE.md, "Failover"). */
#include "cli.h"
#include "cg_access.h"
#include "cg_calendar.h"
#include "cg_token.h"
#include "cg_privacy.h"
#include "cg_ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_BASE      7400        /* the port base of deploy/civgrid.cfg */
#define S_PORTS     16          /* ports one stack takes from its base */
#define S_MAX_PARTS 16
/*  How long a part may take to answer its first ping: a sanitizer build on a
    loaded machine is slow, and dispatch answers once it has caught up. */
#define S_START_MS  60000
#define S_SUPERVISOR "supervisor"  /* run/supervisor.pid: a foreground stack's civgrid */
#define S_REDIS_EXTRA_PORT 11   /* replicas, then Sentinels, from base + 11 */
#define S_REDIS_EXTRA_MAX  4    /* up to base + 14; base + 15 is HTTP */
#define S_MASTER_NAME "civgrid" /* what the Sentinels call the master */

/*  The parts in start order, Redis first, then every section of the
    configuration that has an endpoint, in the order the file gives; they
    stop in the reverse.  A new daemon is a new section in
    deploy/civgrid.cfg. */
typedef struct {
    const char *dir;
    char bindir[PATH_MAX];
    char root[PATH_MAX];        /* the source tree, for deploy/ */
    char *parts[S_MAX_PARTS];
    int nparts;
} s_stack_t;

/*  How many replicas and Sentinels the configuration names. */
static void
s_redis_extras (zconfig_t *config, int *replicas, int *sentinels)
{
    const char *ports = zconfig_get (config, "redis/replica_ports", "");
    const char *list = zconfig_get (config, "redis/sentinels", "");
    *replicas = *ports ? 1 : 0;
    for (const char *at = ports; *at; at++)
        *replicas += *at == ',';
    *sentinels = *list ? 1 : 0;
    for (const char *at = list; *at; at++)
        *sentinels += *at == ',';
}

/*  Whether a part is one of the stack's Redis processes. */
static bool
s_is_redis (const char *part)
{
    return strcmp (part, "redis") == 0 || strncmp (part, "replica", 7) == 0
        || strncmp (part, "sentinel", 8) == 0;
}

/*  The port of a Redis part: redis/port, the Nth of redis/replica_ports,
    the Nth Sentinel's; 0 for any other. */
static int
s_redis_port (zconfig_t *config, const char *part)
{
    if (strcmp (part, "redis") == 0)
        return atoi (zconfig_get (config, "redis/port", "0"));
    bool replica = strncmp (part, "replica", 7) == 0;
    if (!replica && strncmp (part, "sentinel", 8))
        return 0;
    int n = atoi (part + (replica ? 7 : 8));
    const char *at = zconfig_get (config, replica ? "redis/replica_ports" : "redis/sentinels", "");
    for (int i = 1; i < n && at; i++) {
        at = strchr (at, ',');
        at = at ? at + 1 : NULL;
    }
    if (!at)
        return 0;
    const char *colon = strchr (at, ':');
    return atoi (colon && (!strchr (at, ',') || colon < strchr (at, ',')) ? colon + 1 : at);
}

static void
s_load_parts (s_stack_t *stack, zconfig_t *config)
{
    for (int i = 0; i < stack->nparts; i++)
        free (stack->parts[i]);
    stack->nparts = 0;
    stack->parts[stack->nparts++] = strdup ("redis");
    int replicas = 0, sentinels = 0;
    s_redis_extras (config, &replicas, &sentinels);
    for (int i = 1; i <= replicas; i++)
        stack->parts[stack->nparts++] = zsys_sprintf ("replica%d", i);
    for (int i = 1; i <= sentinels; i++)
        stack->parts[stack->nparts++] = zsys_sprintf ("sentinel%d", i);
    for (zconfig_t *section = zconfig_child (config); section && stack->nparts < S_MAX_PARTS;
         section = zconfig_next (section))
        if (zconfig_locate (section, "endpoint"))
            stack->parts[stack->nparts++] = strdup (zconfig_name (section));
}

/* --- where things are ----------------------------------------------------- */

static void
s_path (char *buf, size_t len, const char *dir, const char *a, const char *b)
{
    snprintf (buf, len, "%s/%s%s", dir, a, b ? b : "");
}

static int
s_find_dirs (s_stack_t *stack)
{
    ssize_t n = readlink ("/proc/self/exe", stack->bindir, sizeof stack->bindir - 1);
    if (n <= 0)
        return -1;
    stack->bindir[n] = 0;
    *strrchr (stack->bindir, '/') = 0;
    const char *env = getenv ("CG_ROOT");
    if (env) {
        snprintf (stack->root, sizeof stack->root, "%s", env);
        return 0;
    }
    /*  build/bin or build/asan/bin, below the source tree */
    char probe[PATH_MAX + 64];
    snprintf (stack->root, sizeof stack->root, "%s", stack->bindir);
    for (int up = 0; up < 4; up++) {
        snprintf (probe, sizeof probe, "%s/deploy/civgrid.cfg", stack->root);
        if (access (probe, R_OK) == 0)
            return 0;
        char *slash = strrchr (stack->root, '/');
        if (!slash)
            break;
        *slash = 0;
    }
    fprintf (stderr, "civgrid: cannot find deploy/ above %s; set CG_ROOT\n", stack->bindir);
    return -1;
}

/* --- processes ------------------------------------------------------------ */

static void
s_write_pid (const char *dir, const char *part, pid_t pid)
{
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s/run/%s.pid", dir, part);
    FILE *f = fopen (path, "w");
    if (f) {
        fprintf (f, "%d\n", (int) pid);
        fclose (f);
    }
}

static void
s_forget_pid (const char *dir, const char *part)
{
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s/run/%s.pid", dir, part);
    unlink (path);
}

/*  Alive and still the program we started (pids are reused). */
static bool
s_alive (pid_t pid, const char *part)
{
    if (pid <= 0 || kill (pid, 0) != 0)
        return false;
    char path[64], cmd[256] = "";
    snprintf (path, sizeof path, "/proc/%d/cmdline", (int) pid);
    FILE *f = fopen (path, "r");
    if (!f)
        return false;
    size_t n = fread (cmd, 1, sizeof cmd - 1, f);
    fclose (f);
    cmd[n] = 0;
    /*  a zombie has an empty command line */
    return n > 0 && strstr (cmd, s_is_redis (part) ? "redis-" : part);
}

static pid_t
s_spawn (s_stack_t *stack, const char *part, bool detach)
{
    char log[PATH_MAX], exe[PATH_MAX + 32], cfg[PATH_MAX];
    s_path (log, sizeof log, stack->dir, "log/", part);
    strcat (log, ".log");
    s_path (cfg, sizeof cfg, stack->dir, "civgrid.cfg", NULL);
    pid_t pid = fork ();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (detach)
            setsid ();
        signal (SIGINT, detach ? SIG_IGN : SIG_DFL);
        int fd = open (log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        int null = open ("/dev/null", O_RDONLY);
        if (fd >= 0) {
            dup2 (fd, 1);
            dup2 (fd, 2);
        }
        if (null >= 0)
            dup2 (null, 0);
        if (s_is_redis (part)) {
            char conf[PATH_MAX];
            s_path (conf, sizeof conf, stack->dir, strcmp (part, "redis") ? part : "redis",
                    ".conf");
            const char *exe_ = strncmp (part, "sentinel", 8) ? "redis-server" : "redis-sentinel";
            execlp (exe_, exe_, conf, (char *) NULL);
        }
        else {
            snprintf (exe, sizeof exe, "%s/civgrid-%s", stack->bindir, part);
            execl (exe, exe, "-c", cfg, "--log", log, (char *) NULL);
        }
        fprintf (stderr, "cannot start %s: %s\n", part, strerror (errno));
        _exit (127);
    }
    s_write_pid (stack->dir, part, pid);
    return pid;
}

/* --- configuration -------------------------------------------------------- */

/*  A 64-hex-digit key at path: as set, else as the stack's configuration
    had it before, else a new one. */
static void
s_keep_key (zconfig_t *config, zconfig_t *before, const char *path)
{
    if (*zconfig_get (config, path, ""))
        return;
    char key[65];
    if (before && strlen (zconfig_get (before, path, "")) == 64)
        snprintf (key, sizeof key, "%s", zconfig_get (before, path, ""));
    else
        cg_privacy_new_key (key);
    zconfig_put (config, path, key);
}

/*  Moves an endpoint "tcp://127.0.0.1:PORT" of the defaults to the base. */
static void
s_rebase (zconfig_t *item, int base)
{
    if (!item)
        return;
    /*  a copy: zconfig_set_value frees the old value before it formats */
    char *value = zconfig_value (item) ? strdup (zconfig_value (item)) : NULL;
    char *colon = value ? strrchr (value, ':') : NULL;
    if (colon) {
        *colon = 0;
        zconfig_set_value (item, "%s:%d", value, atoi (colon + 1) - S_BASE + base);
    }
    free (value);
}

static int
s_write_config (s_stack_t *stack, cli_args_t *args, int base)
{
    char path[PATH_MAX];
    s_path (path, sizeof path, stack->root, "deploy/civgrid.cfg", NULL);
    zconfig_t *config = zconfig_load (path);
    if (!config) {
        fprintf (stderr, "civgrid: cannot read %s\n", path);
        return -1;
    }
    char value[PATH_MAX + 64];
    char absdir[PATH_MAX];
    if (!realpath (stack->dir, absdir))
        return -1;
    zconfig_put (config, "civgrid/dir", absdir);
    zconfig_putf (config, "access/dir", "%s/secrets", absdir);
    zconfig_putf (config, "redis/port", "%d", base);
    s_rebase (zconfig_locate (config, "bus/publish"), base);
    s_rebase (zconfig_locate (config, "bus/subscribe"), base);
    for (zconfig_t *section = zconfig_child (config); section; section = zconfig_next (section)) {
        s_rebase (zconfig_locate (section, "endpoint"), base);
        /*  an HTTP port keeps its well-known default (8311) on the default
            base, and takes the base's last port on any other */
        zconfig_t *http = zconfig_locate (section, "http_port");
        if (http && base != S_BASE)
            zconfig_set_value (http, "%d", base + S_PORTS - 1);
    }
    /*  data files: relative paths in deploy/civgrid.cfg are under the tree */
    zconfig_t *data = zconfig_locate (config, "data");
    for (zconfig_t *file = data ? zconfig_child (data) : NULL; file;
         file = zconfig_next (file)) {
        const char *path_ = zconfig_value (file);
        if (path_ && *path_ && *path_ != '/') {
            snprintf (value, sizeof value, "%s/%s", stack->root, path_);
            zconfig_set_value (file, "%s", value);
        }
    }
    /*  replicas and Sentinels, on the ports after the daemons' */
    int replicas = atoi (cli_opt (args, "replicas", "0"));
    int sentinels = atoi (cli_opt (args, "sentinels", "0"));
    if (replicas < 0 || sentinels < 0 || replicas + sentinels > S_REDIS_EXTRA_MAX
    ||  (sentinels && !replicas)) {
        fprintf (stderr, "civgrid: --replicas and --sentinels take at most %d together, and "
                 "Sentinels need a replica to fail over to\n", S_REDIS_EXTRA_MAX);
        zconfig_destroy (&config);
        return -1;
    }
    if (replicas) {
        char list[256] = "";
        for (int i = 0; i < replicas; i++)
            snprintf (list + strlen (list), sizeof list - strlen (list), "%s%d", i ? "," : "",
                      base + S_REDIS_EXTRA_PORT + i);
        zconfig_put (config, "redis/replica_ports", list);
        zconfig_putf (config, "redis/replicas", "%d", replicas);
        *list = 0;
        for (int i = 0; i < sentinels; i++)
            snprintf (list + strlen (list), sizeof list - strlen (list), "%s127.0.0.1:%d",
                      i ? "," : "", base + S_REDIS_EXTRA_PORT + replicas + i);
        if (sentinels) {
            zconfig_put (config, "redis/sentinels", list);
            zconfig_put (config, "redis/master", S_MASTER_NAME);
        }
    }
    /*  every --set PATH=VALUE on `stack up` goes into the configuration */
    char *sets = strdup (cli_opt (args, "set", ""));
    for (char *save = NULL, *pair = strtok_r (sets, "\n", &save); pair;
         pair = strtok_r (NULL, "\n", &save)) {
        char *eq = strchr (pair, '=');
        if (eq) {
            *eq = 0;
            zconfig_put (config, pair, eq + 1);
        }
    }
    free (sets);
    /*  the key that seals personal data (cg_privacy.h) and the one that
        signs the cursors of pages (cg_cursor.h): a stack keeps its own
        when its configuration is written again, a new stack gets them */
    s_path (path, sizeof path, stack->dir, "civgrid.cfg", NULL);
    zconfig_t *before = zconfig_load (path);
    s_keep_key (config, before, "intake/key");
    s_keep_key (config, before, "civgrid/cursor_key");
    /*  and every later version of the sealing key (civgrid secret rotate seal) */
    zconfig_t *keys = before ? zconfig_locate (before, "intake/keys") : NULL;
    for (zconfig_t *k = keys ? zconfig_child (keys) : NULL; k; k = zconfig_next (k)) {
        char path[32];
        snprintf (path, sizeof path, "intake/keys/%s", zconfig_name (k));
        if (!*zconfig_get (config, path, ""))
            zconfig_put (config, path, zconfig_value (k));
    }
    zconfig_destroy (&before);
    /*  redis/appendfsync: when an acknowledged change is on disk.  "always"
        (the default) fsyncs the AOF before Redis answers, so what a daemon
        acknowledged survives a power cut; "everysec" may lose the last
        second of them (docs/ARCHITECTURE.md, "Durability"); s_lock_stack
        writes it into redis.conf */
    const char *fsync_value = zconfig_get (config, "redis/appendfsync", "always");
    if (strcmp (fsync_value, "always") && strcmp (fsync_value, "everysec")
    &&  strcmp (fsync_value, "no")) {
        fprintf (stderr, "civgrid: redis/appendfsync in %s is \"%s\": "
                 "it must be always, everysec or no\n", path, fsync_value);
        zconfig_destroy (&config);
        return -1;
    }
    int rc = zconfig_save (config, path);
    chmod (path, 0600);         /* it holds the key */
    zconfig_destroy (&config);
    return rc;
}

/*  DIR/PART.conf of a Redis part, opened to be written (mode 0600), and
    its data folder DIR/PART made; NULL when either cannot be. */
static FILE *
s_open_conf (s_stack_t *stack, const char *part)
{
    char path[PATH_MAX], data[PATH_MAX + 64];
    snprintf (data, sizeof data, "%s/%s", stack->dir, part);
    if (mkdir (data, 0700) && errno != EEXIST)
        return NULL;
    s_path (path, sizeof path, stack->dir, part, ".conf");
    FILE *f = fopen (path, "w");
    if (f)
        fchmod (fileno (f), 0600);
    return f;
}

/*  DIR/PART.conf of a Redis part, the master (redis) or a replica, with
    its data in DIR/PART.  With replicas, every one of them has
    min-replicas-to-write as many: a master that lost its replicas refuses
    writes (the old master when it comes back after a failover), and each
    logs in to its master as user replica, whichever is master then. */
static int
s_write_redis_conf (s_stack_t *stack, zconfig_t *config, const char *part, const char *absdir)
{
    FILE *f = s_open_conf (stack, part);
    if (!f)
        return -1;
    fprintf (f, "# written by civgrid stack up\n"
             "port %d\nbind %s\nprotected-mode yes\ndaemonize no\n"
             "dir %s/%s\nappendonly yes\nappendfsync %s\nsave 3600 1 300 100 60 10000\n"
             "logfile \"\"\nhash-max-listpack-value 512\naclfile %s/redis.acl\n",
             s_redis_port (config, part), zconfig_get (config, "redis/bind", "127.0.0.1"),
             absdir, part, zconfig_get (config, "redis/appendfsync", "always"),
             zconfig_get (config, "access/dir", ""));
    int replicas = atoi (zconfig_get (config, "redis/replicas", "0"));
    int rc = 0;
    if (replicas > 0) {
        /*  repl-diskless-sync-delay 0: a replica that comes back gets
            its copy at once, not 5 s later (writes wait for it) */
        fprintf (f, "min-replicas-to-write %d\nmin-replicas-max-lag 10\n"
                 "repl-diskless-sync-delay 0\n", replicas);
        rc = cg_access_write_replica (f, config);
        /*  a replica follows the master; so does the first master once
            the Sentinels have made another the master */
        const char *host = "127.0.0.1";
        int port = atoi (zconfig_get (config, "redis/port", ""));
        char sentinel[PATH_MAX];
        s_path (sentinel, sizeof sentinel, stack->dir, "sentinel1.conf", NULL);
        cg_redis_t *master = strcmp (part, "redis") == 0
                           && *zconfig_get (config, "redis/sentinels", "")
                           && access (sentinel, R_OK) == 0
                           ? cg_redis_configured (config, 0) : NULL;
        if (master)
            cg_redis_address (master, &host, &port);
        if (port != s_redis_port (config, part))
            fprintf (f, "replicaof %s %d\n", host, port);
        cg_redis_destroy (&master);
    }
    return fclose (f) || rc ? -1 : 0;
}

/*  DIR/sentinelN.conf: watches the master (as first set up) with a quorum
    of a majority, calls it down after a second without an answer. */
static int
s_write_sentinel_conf (s_stack_t *stack, zconfig_t *config, const char *part,
                       const char *absdir)
{
    FILE *f = s_open_conf (stack, part);
    if (!f)
        return -1;
    int replicas = 0, sentinels = 0;
    s_redis_extras (config, &replicas, &sentinels);
    const char *master = zconfig_get (config, "redis/master", S_MASTER_NAME);
    fprintf (f, "# written by civgrid stack up; Sentinel rewrites it\n"
             "port %d\nbind 127.0.0.1\ndaemonize no\ndir %s/%s\nlogfile \"\"\n"
             "sentinel monitor %s 127.0.0.1 %s %d\n"
             "sentinel down-after-milliseconds %s 1000\n"
             "sentinel failover-timeout %s 10000\n"
             "sentinel parallel-syncs %s 1\n",
             s_redis_port (config, part), absdir, part, master,
             zconfig_get (config, "redis/port", ""), sentinels / 2 + 1, master, master, master);
    int rc = cg_access_write_sentinel (f, config, master);
    return fclose (f) || rc ? -1 : 0;
}

/*  The locks (cg_access.h): a stack gets its secrets on its first `up`,
    and one made before there were any (its configuration without
    access/dir) gets them on its next; missing keys and passwords are made,
    existing ones kept, and the ACL file written again.  Then Redis's
    configuration, which loads that file: each `up`, so that a stack keeps
    up with what civgrid writes there.  hash-max-listpack-value: a case's
    hashes (dispatch's case with its text and timeline, intake's sealed
    record of ~310 bytes) stay in Redis's compact encoding, about half the
    memory of a hashtable. */
static int
s_lock_stack (s_stack_t *stack, zconfig_t *config, const char *config_path)
{
    char absdir[PATH_MAX], path[PATH_MAX];
    if (!realpath (stack->dir, absdir))
        return -1;
    if (!*zconfig_get (config, "access/dir", "")) {
        zconfig_putf (config, "access/dir", "%s/secrets", absdir);
        if (zconfig_save (config, config_path))
            return -1;
        chmod (config_path, 0600);
    }
    if (cg_access_make (config) || cg_access_use (config, CG_ACCESS_ADMIN))
        return -1;
    int rc = s_write_redis_conf (stack, config, "redis", absdir);
    int replicas = 0, sentinels = 0;
    s_redis_extras (config, &replicas, &sentinels);
    for (int i = 1; i <= replicas + sentinels && !rc; i++) {
        char part[32];
        snprintf (part, sizeof part, i <= replicas ? "replica%d" : "sentinel%d",
                  i <= replicas ? i : i - replicas);
        s_path (path, sizeof path, stack->dir, part, ".conf");
        if (access (path, R_OK) == 0)
            continue;           /* Sentinel keeps it as the master moves */
        rc = i <= replicas ? s_write_redis_conf (stack, config, part, absdir)
                           : s_write_sentinel_conf (stack, config, part, absdir);
    }
    return rc;
}

/* --- waiting for parts ---------------------------------------------------- */

static bool
s_answers (zconfig_t *config, const char *part, int timeout_ms)
{
    if (s_is_redis (part)) {
        /*  this very process, not the master the Sentinels name */
        cg_redis_t *redis = cg_redis_new ("127.0.0.1", s_redis_port (config, part), timeout_ms);
        bool ok = redis != NULL;
        cg_redis_destroy (&redis);
        return ok;
    }
    char endpoint_key[64];
    snprintf (endpoint_key, sizeof endpoint_key, "%s/endpoint", part);
    cg_client_t *client = cg_client_new (zconfig_get (config, endpoint_key, ""), 250,
                                         timeout_ms / 250 + 1);
    cg_ping_t ping = { 0 };
    cg_pong_t pong;
    cg_error_t err;
    bool ok = cg_client_call (client, &cg_cmd_ping, &ping, &pong,
                              &err) == 0;
    if (ok)
        cg_msg_clear (&cg_pong_def, &pong);
    cg_client_destroy (&client);
    return ok;
}

/*  A foreground stack's supervisor (`stack up --foreground`), asked to
    stop as Ctrl-C would: it stops its parts itself.  Waits up to 30 s. */
static void
s_stop_supervisor (const char *dir)
{
    pid_t pid = cg_stack_pid (dir, S_SUPERVISOR);
    if (!s_alive (pid, "civgrid") || pid == getpid ())
        return;
    kill (pid, SIGTERM);
    for (int t = 0; t < 600 && s_alive (pid, "civgrid"); t++)
        zclock_sleep (50);
}

/*  Starts every part not running; returns how many failed to answer. */
static int
s_start_missing (s_stack_t *stack, zconfig_t *config, bool detach)
{
    int failed = 0;
    for (int i = 0; i < stack->nparts; i++) {
        const char *part = stack->parts[i];
        if (s_alive (cg_stack_pid (stack->dir, part), part))
            continue;
        pid_t pid = s_spawn (stack, part, detach);
        if (pid < 0 || !s_answers (config, part, S_START_MS)) {
            fprintf (stderr, "civgrid: %s did not start; see %s/log/%s.log\n", part,
                     stack->dir, part);
            failed++;
            if (i == 0)
                break;          /* nothing runs without Redis */
        }
    }
    return failed;
}

static void
s_stop_all (s_stack_t *stack)
{
    for (int i = stack->nparts - 1; i >= 0; i--) {
        const char *part = stack->parts[i];
        pid_t pid = cg_stack_pid (stack->dir, part);
        if (s_alive (pid, part)) {
            kill (pid, SIGTERM);
            for (int t = 0; t < 200 && s_alive (pid, part); t++) {
                waitpid (pid, NULL, WNOHANG);
                zclock_sleep (50);
            }
            if (s_alive (pid, part)) {
                fprintf (stderr, "civgrid: %s (%d) did not stop; killing it\n", part,
                         (int) pid);
                kill (pid, SIGKILL);
            }
            /*  reap our own children (the foreground stack); for a stack
                started by another process this returns at once */
            waitpid (pid, NULL, 0);
        }
        s_forget_pid (stack->dir, part);
    }
}

/* --- the subcommands ------------------------------------------------------ */

static void
s_print_status (s_stack_t *stack, zconfig_t *config, bool json, int64_t now)
{
    if (json)
        printf ("{\"dir\":\"%s\",\"parts\":[", stack->dir);
    for (int i = 0; i < stack->nparts; i++) {
        const char *part = stack->parts[i];
        pid_t pid = cg_stack_pid (stack->dir, part);
        bool alive = s_alive (pid, part);
        char key[64];
        snprintf (key, sizeof key, "%s/endpoint", part);
        char port[16];
        snprintf (port, sizeof port, "%d", s_redis_port (config, part));
        const char *where = s_is_redis (part) ? port : zconfig_get (config, key, "");
        if (json)
            printf ("%s{\"name\":\"%s\",\"pid\":%d,\"running\":%s,\"address\":\"%s\"}",
                    i ? "," : "", part, alive ? (int) pid : 0, alive ? "true" : "false",
                    where);
        else
            printf ("  %-13s %-8s pid %-7d %s%s\n", part, alive ? "running" : "stopped",
                    alive ? (int) pid : 0, s_is_redis (part) ? "port " : "", where);
    }
    /*  the working calendar the stack's dispatch reads: warned of when it
        ends within CG_CALENDAR_WARN_DAYS, on the stack's clock */
    char why[512] = "";
    cg_calendar_t *calendar = cg_calendar_load (zconfig_get (config, "data/calendar",
                                                             "deploy/demo/calendar.tsv"),
                                                why, sizeof why);
    bool warn = calendar && cg_calendar_ends_soon (calendar, now, why,
                                                   sizeof why);
    cg_calendar_destroy (&calendar);
    /*  re-sealing under a rotated sealing key, while Redis runs */
    char reseal[256] = "";
    cg_redis_t *redis = s_alive (cg_stack_pid (stack->dir, "redis"), "redis")
                      ? cli_redis_of (config, 500) : NULL;
    if (redis)
        cli_reseal_line (config, redis, reseal, sizeof reseal);
    cg_redis_destroy (&redis);
    if (json)
        printf ("]%s%s%s%s%s%s}\n", warn ? ",\"calendar_warning\":\"" : "", warn ? why : "",
                warn ? "\"" : "", *reseal ? ",\"reseal\":\"" : "", reseal,
                *reseal ? "\"" : "");
    else {
        if (warn)
            printf ("  warning       %s\n", why);
        if (*reseal)
            printf ("  reseal        %s\n", reseal);
    }
}

static int
s_up (s_stack_t *stack, cli_args_t *args)
{
    char path[PATH_MAX];
    /*  Redis's files (the AOF: every case, token hashes, hotline secrets)
        and the logs (case ids, what was refused and why) are the stack
        owner's alone, also in a stack made before */
    const char *subdirs[] = { "", "/run", "/log", "/redis", NULL };
    for (int i = 0; subdirs[i]; i++) {
        mode_t mode = strcmp (subdirs[i], "/redis") == 0 || strcmp (subdirs[i], "/log") == 0
                    ? 0700 : 0755;
        snprintf (path, sizeof path, "%s%s", stack->dir, subdirs[i]);
        if ((mkdir (path, mode) && errno != EEXIST) || chmod (path, mode)) {
            fprintf (stderr, "civgrid: cannot create %s: %s\n", path, strerror (errno));
            return 1;
        }
    }
    s_path (path, sizeof path, stack->dir, "civgrid.cfg", NULL);
    const char *base_opt = cli_opt (args, "port-base", NULL);
    if (base_opt || access (path, R_OK) != 0) {
        int base = !base_opt ? 7400
                 : strcmp (base_opt, "auto") == 0 ? cg_ports_free_base (S_PORTS) : atoi (base_opt);
        if (base <= 0 || base > 65535 - S_PORTS) {
            fprintf (stderr, "civgrid: --port-base takes a port number or auto\n");
            return 1;
        }
        if (s_alive (cg_stack_pid (stack->dir, "redis"), "redis") && access (path, R_OK) == 0) {
            fprintf (stderr, "civgrid: the stack in %s is running; stop it before changing "
                     "its ports\n", stack->dir);
            return 1;
        }
        if (s_write_config (stack, args, base))
            return 1;
    }
    zconfig_t *config = zconfig_load (path);
    if (!config || s_lock_stack (stack, config, path)) {
        fprintf (stderr, "civgrid: cannot prepare the stack's locks in %s/secrets\n",
                 stack->dir);
        zconfig_destroy (&config);
        return 1;
    }
    s_load_parts (stack, config);
    bool foreground = cli_flag (args, "foreground");
    if (s_start_missing (stack, config, !foreground)) {
        zconfig_destroy (&config);
        return 1;
    }
    if (cli_flag (args, "demo"))
        cli_demo_load (config);
    bool json = cli_flag (args, "json");
    if (!json)
        printf ("civgrid is up in %s\n", stack->dir);
    s_print_status (stack, config, json, cli_now (args));
    if (!json) {
        printf ("  configuration %s\n  logs          %s/log/\n", path, stack->dir);
        const char *http = zconfig_get (config, "gateway/http_port", NULL);
        if (http)
            printf ("  console       %s://%s:%s/console/\n",
                    *zconfig_get (config, "gateway/tls_cert", "") ? "https" : "http",
                    zconfig_get (config, "gateway/http_address", "127.0.0.1"), http);
        /*  a token to sign in to the demo with: a supervisor of the whole city */
        char token[CG_TOKEN_MAX];
        if (http && cli_flag (args, "demo")
        &&  cli_token_issue (config, "supervisor", "320600", "演示督办员", token) == 0)
            printf ("  demo token    %s (supervisor of 320600; more with "
                    "`civgrid token create`)\n", token);
    }
    fflush (stdout);
    if (foreground) {
        /*  `stack down` from elsewhere stops this supervisor first, which
            would otherwise start again what it stops */
        s_write_pid (stack->dir, S_SUPERVISOR, getpid ());
        printf ("Running in the foreground; Ctrl-C stops everything.\n");
        fflush (stdout);
        while (!zsys_interrupted) {
            zclock_sleep (200);
            pid_t gone;
            while ((gone = waitpid (-1, NULL, WNOHANG)) > 0)
                if (!zsys_interrupted)
                    fprintf (stderr, "civgrid: process %d ended; starting what is missing\n",
                             (int) gone);
            if (!zsys_interrupted)
                s_start_missing (stack, config, false);
        }
        printf ("\nStopping civgrid ...\n");
        s_stop_all (stack);
        s_forget_pid (stack->dir, S_SUPERVISOR);
        printf ("Stopped.\n");
    }
    zconfig_destroy (&config);
    return 0;
}

static int
s_stack (s_stack_t *stack, cli_args_t *args)
{
    const char *verb = args->nwords > 1 ? args->words[1] : "";
    if (strcmp (verb, "up") == 0)
        return s_up (stack, args);
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    s_load_parts (stack, config);
    int rc = 0;
    if (strcmp (verb, "down") == 0) {
        s_stop_supervisor (stack->dir);
        s_stop_all (stack);
        if (!cli_flag (args, "json"))
            printf ("civgrid in %s is down\n", stack->dir);
    }
    else
    if (strcmp (verb, "status") == 0)
        s_print_status (stack, config, cli_flag (args, "json"), cli_now (args));
    else
        rc = 2;
    zconfig_destroy (&config);
    return rc;
}

int
cli_stack (cli_args_t *args)
{
    s_stack_t stack = { .dir = cli_opt (args, "dir", "var") };
    int rc = s_find_dirs (&stack) ? 1 : s_stack (&stack, args);
    for (int i = 0; i < stack.nparts; i++)
        free (stack.parts[i]);
    return rc;
}

bool
cli_part_running (const char *dir, const char *part)
{
    return s_alive (cg_stack_pid (dir, part), part);
}
