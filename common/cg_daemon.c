/*  cg_daemon — see cg_daemon.h. */
#include "cg_daemon.h"

#include "cg_access.h"
#include "cg_clock.h"
#include "cg_config.h"
#include "cg_layout.h"
#include "cg_log.h"

#include <getopt.h>
#include <sys/signalfd.h>
#include <pthread.h>

/*  The test clock (cg_clock.h): the time a test wrote into Redis.  Any
    thread may ask the time (the gateway's HTTP threads, a worker), so it
    is read on a connection of its own, one thread at a time: on the
    daemon's connection it raced the loop's own commands (hiredis is not
    for two threads), and a reply could reach the wrong caller. */
static cg_redis_t *s_clock_redis;
static pthread_mutex_t s_clock_lock = PTHREAD_MUTEX_INITIALIZER;

static int64_t
s_test_clock (void *arg)
{
    (void) arg;
    pthread_mutex_lock (&s_clock_lock);
    redisReply *r = s_clock_redis ? cg_redis_command (s_clock_redis, "GET cg:{clock}:now")
                                  : NULL;
    pthread_mutex_unlock (&s_clock_lock);
    int64_t now = cg_reply_int (r, 0);
    if (r)
        freeReplyObject (r);
    return now;
}

zconfig_t *
cg_zpl_load (const char *path)
{
    zchunk_t *chunk = zchunk_slurp (path, 0);
    zconfig_t *config = chunk ? zconfig_chunk_load (chunk) : NULL;
    zchunk_destroy (&chunk);
    return config;
}

zconfig_t *
cg_config_load (const char *path, int argc, char **argv)
{
    zconfig_t *config = path ? cg_zpl_load (path) : zconfig_new ("root", NULL);
    if (!config) {
        fprintf (stderr, "cannot read the configuration %s\n", path);
        return NULL;
    }
    for (int i = 0; i + 1 < argc; i++) {
        if (strcmp (argv[i], "--set") != 0)
            continue;
        char *pair = strdup (argv[++i]);
        char *eq = strchr (pair, '=');
        if (!eq || eq == pair) {
            fprintf (stderr, "--set takes PATH=VALUE, not \"%s\"\n", pair);
            free (pair);
            zconfig_destroy (&config);
            return NULL;
        }
        *eq = 0;
        zconfig_put (config, pair, eq + 1);
        free (pair);
    }
    return config;
}

const char *
cg_daemon_get (cg_daemon_t *self, const char *path, const char *otherwise)
{
    return zconfig_get (self->config, path, otherwise);
}

cg_redis_t *
cg_daemon_redis_new (cg_daemon_t *self)
{
    cg_redis_t *redis = cg_redis_configured (self->config, -1);
    if (redis && self->lease_token)
        cg_redis_set_lease (redis, self->lease_key, self->lease_token,
                            (int) cg_daemon_int (self, "civgrid/lease_ms"));
    return redis;
}

/* --- the lease: one active instance, any number of standbys ---------------- */

/*  Waits as a standby until this instance holds the daemon's lease,
    cg:{NAME}:lease (SET NX with the lease's time to live: the active
    instance renews it, s_lease_renew, and when it dies the key lapses
    within lease_ms).  Then every script call of the daemon's connections
    carries the token (cg_redis_set_lease), and the prelude refuses them
    once another instance holds the lease.  Returns 0, or -1 when stopped
    while waiting or Redis went away. */
static int
s_lease_take (cg_daemon_t *self)
{
    int ttl = (int) cg_daemon_int (self, "civgrid/lease_ms");
    snprintf (self->lease_key, sizeof self->lease_key, "cg:{%s}:lease", self->name);
    char host[64] = "";
    gethostname (host, sizeof host - 1);
    zuuid_t *uuid = zuuid_new ();
    self->lease_token = zsys_sprintf ("%s:%d:%.8s", host, (int) getpid (), zuuid_str (uuid));
    zuuid_destroy (&uuid);
    bool waited = false;
    while (!zsys_interrupted) {
        redisReply *r = cg_redis_command (self->redis, "SET %s %s NX PX %d", self->lease_key,
                                          self->lease_token, ttl);
        if (!r)
            return -1;
        bool taken = r->type == REDIS_REPLY_STATUS;
        freeReplyObject (r);
        if (taken) {
            cg_redis_set_lease (self->redis, self->lease_key, self->lease_token, ttl);
            zsys_info ("%s: active, holding its lease (%s)%s", self->name, self->lease_token,
                       waited ? ": taking over from the instance that held it" : "");
            return 0;
        }
        if (!waited)
            zsys_info ("%s: standby: another instance holds %s; waiting to take over",
                       self->name, self->lease_key);
        waited = true;
        zclock_sleep (ttl / 10 < 100 ? 100 : ttl / 10);
    }
    return -1;
}

int
cg_daemon_lease_pid (cg_redis_t *redis, const char *name)
{
    redisReply *r = cg_redis_command (redis, "GET cg:{%s}:lease", name);
    const char *colon = r && r->type == REDIS_REPLY_STRING ? strchr (r->str, ':') : NULL;
    int pid = colon ? atoi (colon + 1) : 0;
    if (r)
        freeReplyObject (r);
    return pid;
}

/*  Renews the lease: 0, or -1 when another instance holds it now (this
    one was paused, or cut off from Redis, for longer than lease_ms). */
static int
s_lease_keep (cg_daemon_t *self)
{
    cg_args_t args;
    cg_args_init (&args);
    redisReply *r = cg_redis_script (self->redis, "lease_renew", 0, &args);
    cg_args_free (&args);
    if (r)
        freeReplyObject (r);
    if (!cg_redis_lease_lost (self->redis))
        return 0;
    zsys_error ("%s: another instance holds the lease %s now; this one stops", self->name,
                self->lease_key);
    self->lease_lost = true;
    return -1;
}

/*  An active instance that stops lets go of its lease, for its standby to
    take over at once. */
static void
s_lease_release (cg_daemon_t *self)
{
    if (!self->lease_token || self->lease_lost || !self->redis)
        return;
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, self->lease_key);
    redisReply *r = cg_redis_script (self->redis, "lease_release", 0, &args);
    cg_args_free (&args);
    if (r)
        freeReplyObject (r);
}

/*  Every third of the lease's life; an instance that lost it stops at
    once: the other is the active one now. */
static int
s_lease_renew (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    return s_lease_keep (arg);
}

/*  The value of an option `opt VALUE` on the command line, or NULL. */
static const char *
s_option (int argc, char **argv, const char *opt)
{
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp (argv[i], opt) == 0)
            return argv[i + 1];
    return NULL;
}

/*  The configuration's path, -c FILE. */
static const char *
s_config_path (int argc, char **argv)
{
    return s_option (argc, argv, "-c");
}

/*  SIGHUP: the log opened again, then the daemon's own reload. */
static int
s_on_hangup (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    cg_daemon_t *self = arg;
    struct signalfd_siginfo info;
    while (read (item->fd, &info, sizeof info) == (ssize_t) sizeof info)
        ;
    cg_log_reopen ();
    zsys_info ("%s: SIGHUP: log opened again%s", self->name,
               self->hangup_fn ? "; reloading" : "");
    if (self->hangup_fn)
        self->hangup_fn (self->hangup_arg);
    return 0;
}

/*  SIGHUP is blocked in this thread before any other starts (zmq's I/O
    threads, workers), so that they all inherit the mask, and is read from
    a signalfd in the loop. */
static int
s_catch_hangup (cg_daemon_t *self)
{
    sigset_t set;
    sigemptyset (&set);
    sigaddset (&set, SIGHUP);
    self->hangup_fd = signalfd (-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (self->hangup_fd < 0)
        return -1;
    zmq_pollitem_t item = { NULL, self->hangup_fd, ZMQ_POLLIN, 0 };
    return zloop_poller (self->loop, &item, s_on_hangup, self);
}

/*  `metrics` (cg_command.h): the head of the daemon's journal and how far
    behind it each registered consumer is. */
static void
s_journal_metrics (cg_metrics_t *metrics, void *arg)
{
    cg_daemon_t *self = arg;
    int64_t head = cg_journal_head (self->redis, self->name);
    if (head < 0)
        return;
    cg_metrics_gauge (metrics, "civgrid_journal_head", head, "journal=\"%s\"", self->name);
    char key[128];
    cg_consumers_key (key, sizeof key, self->name);
    redisReply *r = cg_redis_command (self->redis, "SMEMBERS %s", key);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        cg_cursor_key (key, sizeof key, r->element[i]->str, self->name);
        redisReply *c = cg_redis_command (self->redis, "GET %s", key);
        if (c && c->type != REDIS_REPLY_ERROR)
            cg_metrics_gauge (metrics, "civgrid_consumer_lag", head - cg_reply_int (c, 0),
                              "journal=\"%s\",consumer=\"%s\"", self->name,
                              r->element[i]->str);
        if (c)
            freeReplyObject (c);
    }
    if (r)
        freeReplyObject (r);
}

void
cg_daemon_on_hangup (cg_daemon_t *self, int (*fn) (void *arg), void *arg)
{
    self->hangup_fn = fn;
    self->hangup_arg = arg;
}

int64_t
cg_daemon_int (cg_daemon_t *self, const char *key)
{
    int64_t value;
    int rc = cg_config_int (self->config, s_config_path (self->argc, self->argv), key, &value,
                            NULL, 0);
    assert (rc == 0);           /* cg_daemon_new checked every setting */
    (void) rc;
    return value;
}

zconfig_t *
cg_daemon_config_now (cg_daemon_t *self)
{
    return cg_config_load (s_config_path (self->argc, self->argv), self->argc, self->argv);
}

cg_daemon_t *
cg_daemon_new (const char *name, int argc, char **argv, int flags)
{
    cg_daemon_t *self = calloc (1, sizeof *self);
    assert (self);
    self->name = strdup (name);
    self->hangup_fd = -1;
    sigset_t hangup;
    sigemptyset (&hangup);
    sigaddset (&hangup, SIGHUP);
    pthread_sigmask (SIG_BLOCK, &hangup, NULL);
    for (int i = 1; i < argc; i++)
        if (strcmp (argv[i], "-v") == 0)
            self->verbose = true;
    self->argc = argc;
    self->argv = argv;
    self->config = cg_config_load (s_config_path (argc, argv), argc, argv);
    if (!self->config || cg_log_open (name, s_option (argc, argv, "--log"), self->config))
        goto failed;
    char err[400];
    if (cg_config_check (self->config, s_config_path (argc, argv), err, sizeof err)) {
        zsys_error ("%s: %s", name, err);
        goto failed;
    }

    char path[64];
    snprintf (path, sizeof path, "%s/endpoint", name);
    const char *endpoint = cg_daemon_get (self, path, NULL);
    if (!endpoint) {
        zsys_error ("%s: the configuration has no %s", name, path);
        goto failed;
    }
    if (cg_access_use (self->config, name))
        goto failed;
    self->cursor = cg_cursor_new (cg_daemon_get (self, "civgrid/cursor_key", NULL));
    if (!self->cursor)
        goto failed;
    if (cg_cursor_keyless (self->cursor))
        zsys_warning ("%s: civgrid/cursor_key is not 64 hex digits; the cursors of its "
                      "pages are good only until it stops, and only with it", name);
    self->loop = zloop_new ();
    if (s_catch_hangup (self)) {
        zsys_error ("%s: cannot catch SIGHUP: %s", name, strerror (errno));
        goto failed;
    }
    if (!(flags & CG_DAEMON_STATELESS)) {
        self->redis = cg_daemon_redis_new (self);
        if (!self->redis)
            goto failed;
        char why[300];
        if (cg_layout_check (self->redis, why, sizeof why)) {
            zsys_error ("%s: will not start: %s", name, why);
            goto failed;
        }
        /*  a standby binds nothing until it is active: its clients find
            the active instance at the one command endpoint */
        if (s_lease_take (self))
            goto failed;
        int64_t ttl = cg_daemon_int (self, "civgrid/lease_ms");
        zloop_timer (self->loop, (size_t) (ttl / 3), 0, s_lease_renew, self);
    }
    self->server = cg_server_new (name, endpoint);
    /*  the instance it took over from may hold the port still: one that
        was paused lets go when it wakes and finds the lease gone */
    while (!self->server && self->lease_token && !zsys_interrupted && s_lease_keep (self) == 0) {
        zclock_sleep (500);
        self->server = cg_server_new (name, endpoint);
    }
    if (!self->server || cg_server_attach (self->server, self->loop))
        goto failed;
    if (flags & CG_DAEMON_STATELESS)
        return self;

    if (strcmp (cg_daemon_get (self, "clock/test", "0"), "1") == 0) {
        zsys_warning ("%s: using the test clock (cg:{clock}:now)", name);
        pthread_mutex_lock (&s_clock_lock);
        if (!s_clock_redis)
            s_clock_redis = cg_daemon_redis_new (self);
        pthread_mutex_unlock (&s_clock_lock);
        if (!s_clock_redis)
            goto failed;
        cg_clock_set_source (s_test_clock, NULL);
    }
    self->pub = cg_pub_new (cg_daemon_get (self, "bus/publish", "tcp://127.0.0.1:7401"));
    if (!self->pub)
        goto failed;
    cg_server_on_metrics (self->server, s_journal_metrics, self);
    self->retention = cg_retention_configured (self->redis, name, self->config);
    if (!self->retention || cg_retention_attach (self->retention, self->loop))
        goto failed;
    return self;
failed:
    cg_daemon_destroy (&self);
    return NULL;
}

/*  The subscriber, made on first use. */
static int
s_sub (cg_daemon_t *self)
{
    if (!self->sub) {
        /*  NAME/bus_queue: how many events from the bus it may hold unapplied */
        char key[80];
        snprintf (key, sizeof key, "%s/bus_queue", self->name);
        int queue = (int) cg_daemon_int (self, key);
        self->sub = cg_sub_new_bounded (self->redis,
                                        cg_daemon_get (self, "bus/subscribe",
                                                       "tcp://127.0.0.1:7402"),
                                        self->name, queue > 0 ? queue : CG_BUS_HWM);
        if (!self->sub || cg_sub_attach (self->sub, self->loop))
            return -1;
    }
    return 0;
}

int
cg_daemon_follow (cg_daemon_t *self, const char *journal, cg_feed_fn *fn, void *arg)
{
    return s_sub (self) ? -1 : cg_sub_follow (self->sub, journal, fn, arg);
}

int
cg_daemon_keep_cursors (cg_daemon_t *self, cg_cursor_fn *fn, void *arg)
{
    if (s_sub (self))
        return -1;
    cg_sub_keep_cursors (self->sub, fn, arg);
    return 0;
}

int
cg_daemon_run (cg_daemon_t *self)
{
    if (self->sub) {
        int64_t n = cg_sub_catch_up (self->sub);
        zsys_info ("%s: caught up %lld journal entries", self->name, (long long) n);
    }
    zsys_info ("%s: serving", self->name);
    zloop_start (self->loop);
    zsys_info ("%s: stopping", self->name);
    return self->lease_lost ? 1 : 0;
}

void
cg_daemon_destroy (cg_daemon_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_daemon_t *self = *self_p;
    cg_clock_set_source (NULL, NULL);
    pthread_mutex_lock (&s_clock_lock);
    cg_redis_destroy (&s_clock_redis);
    pthread_mutex_unlock (&s_clock_lock);
    s_lease_release (self);
    cg_sub_destroy (&self->sub);
    cg_retention_destroy (&self->retention);
    cg_pub_destroy (&self->pub);
    cg_server_destroy (&self->server);
    zloop_destroy (&self->loop);
    cg_redis_destroy (&self->redis);
    zconfig_destroy (&self->config);
    cg_access_end ();
    cg_cursor_destroy (&self->cursor);
    if (self->hangup_fd >= 0)
        close (self->hangup_fd);
    cg_log_close ();
    free (self->lease_token);
    free (self->name);
    free (self);
    *self_p = NULL;
}

pid_t
cg_stack_pid (const char *dir, const char *part)
{
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s/run/%s.pid", dir, part);
    FILE *f = fopen (path, "r");
    long pid = 0;
    if (f) {
        if (fscanf (f, "%ld", &pid) != 1)
            pid = 0;
        fclose (f);
    }
    return (pid_t) pid;
}
