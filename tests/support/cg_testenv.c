#define _GNU_SOURCE             /* memmem */
/*  cg_testenv — see cg_testenv.h. */
#include "cg_testenv.h"
#include "cg_access.h"
#include "cg_ports.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
s_bin (void)
{
    const char *bin = getenv ("CG_BIN");
    return bin ? bin : "build/asan/bin";
}

const char *
cg_test_root (void)
{
    const char *root = getenv ("CG_ROOT");
    return root ? root : ".";
}

static void
s_make_dir (char *buf, size_t len)
{
    const char *tmp = getenv ("CG_TEST_TMP");
    snprintf (buf, len, "%s/stack.XXXXXX", tmp ? tmp : "/tmp");
    cr_assert (mkdtemp (buf), "cannot make a folder under %s", tmp ? tmp : "/tmp");
}

static int
s_run (char **out, const char *command)
{
    FILE *p = popen (command, "r");
    cr_assert (p, "cannot run %s", command);
    size_t cap = 4096, len = 0;
    char *buf = malloc (cap);
    size_t n;
    while ((n = fread (buf + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 1024)
            buf = realloc (buf, cap *= 2);
    }
    buf[len] = 0;
    int status = pclose (p);
    if (out)
        *out = buf;
    else
        free (buf);
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

cg_teststack_t *
cg_teststack_up (const char *extra)
{
    char dir[512];
    s_make_dir (dir, sizeof dir);
    return cg_teststack_up_in (dir, extra);
}

cg_teststack_t *
cg_teststack_up_in (const char *dir, const char *extra)
{
    cg_teststack_t *self = calloc (1, sizeof *self);
    snprintf (self->dir, sizeof self->dir, "%s", dir);
    char command[2048];
    snprintf (command, sizeof command, "%s/civgrid stack up --dir %s --port-base auto %s "
              ">%s/stack-up.out 2>&1", s_bin (), self->dir, extra ? extra : "", self->dir);
    int rc = s_run (NULL, command);
    cr_assert_eq (rc, 0, "civgrid stack up failed (%d); see %s", rc, self->dir);
    char path[600];
    snprintf (path, sizeof path, "%s/civgrid.cfg", self->dir);
    self->config = zconfig_load (path);
    cr_assert (self->config);
    cr_assert_eq (cg_access_use (self->config, CG_ACCESS_ADMIN), 0);
    self->redis = cg_redis_configured (self->config, 5000);
    cr_assert (self->redis);
    return self;
}

void
cg_teststack_down (cg_teststack_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_teststack_t *self = *self_p;
    char command[1024];
    snprintf (command, sizeof command, "%s/civgrid stack down --dir %s >/dev/null 2>&1",
              s_bin (), self->dir);
    s_run (NULL, command);
    cg_redis_destroy (&self->redis);
    zconfig_destroy (&self->config);
    free (self);
    *self_p = NULL;
}

/*  True when pid has exited and waits to be reaped (state Z). */
static bool
s_zombie (int pid)
{
    char path[64], stat[512] = "";
    snprintf (path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen (path, "r");
    if (!f)
        return true;
    size_t n = fread (stat, 1, sizeof stat - 1, f);
    fclose (f);
    stat[n] = 0;
    const char *end = strrchr (stat, ')');      /* the name may hold anything */
    return end && end[1] == ' ' && end[2] == 'Z';
}

int
cg_teststack_pid (cg_teststack_t *self, const char *part)
{
    pid_t pid = cg_stack_pid (self->dir, part);
    cr_assert (pid > 0, "%s has no pid file", part);
    return (int) pid;
}

void
cg_test_send (zsock_t *dealer, const char *command, const char *rid, const cg_msgdef_t *def,
              const void *msg)
{
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    cg_error_t err;
    cr_assert_eq (cg_msg_encode (def, msg, &body, &err), 0, "%s: %s", err.field, err.message);
    cg_request_send (dealer, command, rid, body.data, body.size);
    msgpack_sbuffer_destroy (&body);
}

void
cg_teststack_kill9 (cg_teststack_t *self, const char *part)
{
    int pid = cg_teststack_pid (self, part);
    cr_assert_eq (kill (pid, SIGKILL), 0, "cannot kill %s (%d)", part, pid);
    /*  wait until it is really gone, so that a restart binds its ports: a
        killed process closes its sockets only after it has let go of its
        memory, which for a sanitizer build on a busy machine can take
        seconds; gone is reaped, or a zombie (nobody may reap it here) */
    int64_t until = zclock_mono () + 60000;
    while (kill (pid, 0) == 0 && !s_zombie (pid)) {
        cr_assert (zclock_mono () < until, "%s (%d) is still there 60 s after kill -9", part,
                   pid);
        usleep (10000);
    }
}

void
cg_teststack_stop (cg_teststack_t *self, const char *part)
{
    int pid = cg_teststack_pid (self, part);
    cr_assert_eq (kill (pid, SIGTERM), 0, "cannot stop %s (%d)", part, pid);
    int64_t until = zclock_mono () + 60000;
    while (kill (pid, 0) == 0 && !s_zombie (pid)) {
        cr_assert (zclock_mono () < until, "%s (%d) is still there 60 s after SIGTERM", part,
                   pid);
        usleep (10000);
    }
}

void
cg_teststack_restart (cg_teststack_t *self)
{
    char command[1024];
    snprintf (command, sizeof command, "%s/civgrid stack up --dir %s >>%s/stack-up.out 2>&1",
              s_bin (), self->dir, self->dir);
    cr_assert_eq (s_run (NULL, command), 0, "civgrid stack up (restart) failed; see %s",
                  self->dir);
}

cg_client_t *
cg_teststack_client (cg_teststack_t *self, const char *daemon)
{
    char key[64];
    snprintf (key, sizeof key, "%s/endpoint", daemon);
    return cg_client_new (zconfig_get (self->config, key, ""), 5000, 3);
}

zsock_t *
cg_teststack_dealer (cg_teststack_t *self, const char *daemon)
{
    char key[64];
    snprintf (key, sizeof key, "%s/endpoint", daemon);
    const char *endpoint = zconfig_get (self->config, key, "");
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    cr_assert (dealer);
    cr_assert_eq (cg_access_connect (dealer, endpoint), 0);
    cr_assert_eq (zsock_connect (dealer, "%s", endpoint), 0);
    return dealer;
}

int
cg_teststack_cli (cg_teststack_t *self, char **out, const char *fmt, ...)
{
    char args[2048], command[3072];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (args, sizeof args, fmt, ap);
    va_end (ap);
    snprintf (command, sizeof command, "%s/civgrid %s --dir %s 2>&1", s_bin (), args,
              self->dir);
    return s_run (out, command);
}

void
cg_teststack_refused (cg_teststack_t *self, const char *daemon, const char *command,
                      const void *body, size_t size, const char *field, const char *words)
{
    char key[64];
    snprintf (key, sizeof key, "%s/endpoint", daemon);
    zsock_t *dealer = cg_teststack_dealer (self, daemon);
    zsock_set_rcvtimeo (dealer, 10000);
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, command);
    zmsg_addstr (msg, "raw-1");
    zmsg_addmem (msg, body, size);
    zmsg_send (&msg, dealer);
    zmsg_t *answer = zmsg_recv (dealer);
    cr_assert (answer, "no answer to %s (%s)", command, words);
    cr_assert (zframe_streq (zmsg_first (answer), "error"), "%s not refused: %s", command, words);
    zframe_t *data = zmsg_last (answer);
    cg_refusal_t refusal;
    cg_error_t err;
    cr_assert_eq (cg_msg_decode (&cg_refusal_def, zframe_data (data), zframe_size (data),
                                 &refusal, &err), 0);
    cr_assert_str_eq (refusal.field ? refusal.field : "", field, "%s: %s", command,
                      refusal.message);
    cr_assert (strstr (refusal.message, words) != NULL, "%s: \"%s\" lacks \"%s\"", command,
               refusal.message, words);
    cg_msg_clear (&cg_refusal_def, &refusal);
    zmsg_destroy (&answer);
    zsock_destroy (&dealer);
}

int64_t
cg_teststack_refs (cg_teststack_t *self)
{
    redisReply *r = cg_redis_command (self->redis, "EVAL %s 1 cg:{intake}:expiring",
        "local n = 0 "
        "for _, k in ipairs (redis.call ('ZRANGE', KEYS[1], 0, -1)) do "
        "  if string.find (k, ':ext:', 1, true) then n = n + redis.call ('HLEN', k) end "
        "end return n");
    int64_t n = cg_reply_int (r, -1);
    if (r)
        freeReplyObject (r);
    return n;
}

int64_t
cg_teststack_await_refs (cg_teststack_t *self, int64_t want, int timeout_ms)
{
    int64_t until = zclock_mono () + timeout_ms, value;
    while ((value = cg_teststack_refs (self)) < want && zclock_mono () <= until)
        zclock_sleep (50);
    return value;
}

int64_t
cg_teststack_await (cg_teststack_t *self, int64_t want, int timeout_ms, const char *fmt, ...)
{
    char command[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (command, sizeof command, fmt, ap);
    va_end (ap);
    cg_args_t args;             /* the words of the command */
    cg_args_init (&args);
    for (char *word = strtok (command, " "); word; word = strtok (NULL, " "))
        cg_args_add_str (&args, word);
    int64_t until = zclock_mono () + timeout_ms, value = -1;
    while (true) {
        redisReply *r = cg_redis_argv (self->redis, &args);
        value = cg_reply_int (r, -1);
        if (r)
            freeReplyObject (r);
        if (value >= want || zclock_mono () > until) {
            cg_args_free (&args);
            return value;
        }
        zclock_sleep (50);
    }
}

int64_t
cg_teststack_await_sent (cg_teststack_t *self, int64_t want, int timeout_ms)
{
    /*  every delivery is one hash, so the count is over their keys */
    const char *count =
        "local n = 0 "
        "for _, key in ipairs (redis.call ('KEYS', 'cg:{notification}:d:*')) do "
        "    local state = redis.call ('HGET', key, 'state') "
        "    if not state or state == 'sent' then n = n + 1 end "
        "end "
        "return n";
    int64_t until = zclock_mono () + timeout_ms, value = -1;
    while (true) {
        redisReply *r = cg_redis_command (self->redis, "EVAL %s 0", count);
        value = cg_reply_int (r, -1);
        if (r)
            freeReplyObject (r);
        if (value >= want || zclock_mono () > until)
            return value;
        zclock_sleep (50);
    }
}

void
cg_teststack_keep_journal (cg_teststack_t *self, const char *journal)
{
    redisReply *r = cg_redis_command (self->redis, "SADD cg:{%s}:consumers test", journal);
    cr_assert (r && r->type == REDIS_REPLY_INTEGER, "%s", cg_reply_str (r));
    freeReplyObject (r);
}

int64_t
cg_teststack_journal (cg_teststack_t *self, const char *journal, const char *topic,
                      const cg_msgdef_t *def, const void *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    cg_error_t err;
    cr_assert_eq (cg_msg_encode (def, msg, &buf, &err), 0, "%s", err.message);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, "EVAL");
    cg_args_add_str (&args, "local seq = redis.call ('INCR', KEYS[1]) "
                     "redis.call ('XADD', KEYS[2], seq .. '-0', 't', ARGV[1], 'b', ARGV[2]) "
                     "return seq");
    cg_args_add_str (&args, "2");
    cg_args_addf (&args, "cg:{%s}:seq", journal);
    cg_args_addf (&args, "cg:{%s}:journal", journal);
    cg_args_add_str (&args, topic);
    cg_args_add (&args, buf.data, buf.size);
    redisReply *r = cg_redis_argv (self->redis, &args);
    cr_assert (r && r->type == REDIS_REPLY_INTEGER, "%s", cg_reply_str (r));
    int64_t seq = r->integer;
    freeReplyObject (r);
    cg_args_free (&args);
    msgpack_sbuffer_destroy (&buf);
    return seq;
}

void
cg_testredis_journal (cg_redis_t *redis, const char *journal, int from, int to)
{
    for (int seq = from; seq <= to; seq++) {
        redisReply *r = cg_redis_command (redis, "XADD cg:{%s}:journal %d-0 t thing.happened "
                                          "b body%d", journal, seq, seq);
        cr_assert (r && r->type == REDIS_REPLY_STRING, "%s", cg_reply_str (r));
        freeReplyObject (r);
        r = cg_redis_command (redis, "SET cg:{%s}:seq %d", journal, seq);
        freeReplyObject (r);
    }
}

int64_t
cg_teststack_int (cg_teststack_t *self, const char *fmt, ...)
{
    char command[512];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (command, sizeof command, fmt, ap);
    va_end (ap);
    return cg_teststack_await (self, INT64_MIN, 0, "%s", command);
}

int
cg_test_free_port (void)
{
    int port = cg_ports_free_base (1);
    cr_assert (port > 0, "no free port below the ephemeral range");
    return port;
}

cg_testredis_t *
cg_testredis_start (void)
{
    cg_testredis_t *self = calloc (1, sizeof *self);
    s_make_dir (self->dir, sizeof self->dir);
    self->port = cg_test_free_port ();
    char conf[600];
    snprintf (conf, sizeof conf, "%s/redis.conf", self->dir);
    FILE *f = fopen (conf, "w");
    fprintf (f, "port %d\nbind 127.0.0.1\ndir %s\nsave \"\"\nappendonly no\n"
             "logfile %s/redis.log\n", self->port, self->dir, self->dir);
    fclose (f);
    pid_t pid = fork ();
    if (pid == 0) {
        execlp ("redis-server", "redis-server", conf, (char *) NULL);
        _exit (127);
    }
    self->pid = pid;
    char path[600];
    snprintf (path, sizeof path, "%s/redis.pid", self->dir);
    f = fopen (path, "w");
    fprintf (f, "%d\n", pid);
    fclose (f);
    cg_redis_t *probe = cg_redis_new ("127.0.0.1", self->port, 10000);
    cr_assert (probe, "redis-server did not start on %d", self->port);
    cg_redis_destroy (&probe);
    return self;
}

void
cg_testredis_stop (cg_testredis_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    kill ((*self_p)->pid, SIGKILL);
    waitpid ((*self_p)->pid, NULL, 0);
    free (*self_p);
    *self_p = NULL;
}

int
cg_test_shell (char *out, size_t len, const char *fmt, ...)
{
    char command[4096];
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (command, sizeof command, fmt, ap);
    va_end (ap);
    strncat (command, " 2>&1", sizeof command - strlen (command) - 1);
    FILE *p = popen (command, "r");
    cr_assert (p, "cannot run %s", command);
    size_t n = fread (out, 1, len - 1, p);
    out[n] = 0;
    int status = pclose (p);
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

int
cg_teststack_log_count (cg_teststack_t *self, const char *part, const char *words)
{
    char path[700], line[1024];
    snprintf (path, sizeof path, "%s/log/%s.log", self->dir, part);
    FILE *f = fopen (path, "r");
    int n = 0;
    while (f && fgets (line, sizeof line, f))
        n += strstr (line, words) != NULL;
    if (f)
        fclose (f);
    return n;
}

/*  Fails the test when any daemon's log holds text (named what, for the
    message). */
static void
s_not_logged (cg_teststack_t *self, const char *text, const char *what)
{
    if (!text || strlen (text) < 8)
        return;                 /* too short to tell from ordinary words */
    char path[700];
    snprintf (path, sizeof path, "%s/log", self->dir);
    DIR *dir = opendir (path);
    cr_assert (dir, "%s", path);
    for (struct dirent *e = readdir (dir); e; e = readdir (dir)) {
        if (*e->d_name == '.')
            continue;
        snprintf (path, sizeof path, "%s/log/%s", self->dir, e->d_name);
        FILE *f = fopen (path, "r");
        char *data = NULL;
        size_t size = 0;
        FILE *mem = open_memstream (&data, &size);
        char chunk[65536];
        size_t n;
        while (f && (n = fread (chunk, 1, sizeof chunk, f)) > 0)
            fwrite (chunk, 1, n, mem);
        fclose (mem);
        if (f)
            fclose (f);
        bool found = memmem (data, size, text, strlen (text)) != NULL;
        free (data);
        cr_assert_not (found, "%s is in %s", what, path);
    }
    closedir (dir);
}

void
cg_teststack_no_secrets_logged (cg_teststack_t *self, const char *const *more)
{
    char path[700];
    snprintf (path, sizeof path, "%s/civgrid.cfg", self->dir);
    zconfig_t *config = zconfig_load (path);
    cr_assert (config, "%s", path);
    s_not_logged (self, zconfig_get (config, "intake/key", NULL), "the sealing key");
    s_not_logged (self, zconfig_get (config, "civgrid/cursor_key", NULL), "the cursor key");
    const char *secrets = zconfig_get (config, "access/dir", "");
    const char *subs[] = { "redis", "curve" };
    for (int i = 0; i < 2 && *secrets; i++) {
        snprintf (path, sizeof path, "%s/%s", secrets, subs[i]);
        DIR *dir = opendir (path);
        for (struct dirent *e = dir ? readdir (dir) : NULL; e; e = readdir (dir)) {
            char file[1200];
            snprintf (file, sizeof file, "%s/%s", path, e->d_name);
            if (i == 0 && strstr (e->d_name, ".pass")) {
                FILE *f = fopen (file, "r");
                char line[256] = "";
                if (f && fgets (line, sizeof line, f))
                    line[strcspn (line, "\r\n")] = 0;
                if (f)
                    fclose (f);
                s_not_logged (self, line, file);
            }
            else
            if (i == 1 && strstr (e->d_name, ".key")) {
                zconfig_t *cert = zconfig_load (file);
                s_not_logged (self, cert ? zconfig_get (cert, "curve/secret-key", NULL) : NULL,
                              file);
                zconfig_destroy (&cert);
            }
        }
        if (dir)
            closedir (dir);
    }
    zconfig_destroy (&config);
    for (size_t i = 0; more && more[i]; i++)
        s_not_logged (self, more[i], "a secret the test used");
}

int
cg_test_count_files (const char *dir)
{
    char command[700];
    snprintf (command, sizeof command, "find '%s' -type f 2>/dev/null | wc -l", dir);
    FILE *p = popen (command, "r");
    int n = -1;
    cr_assert (p && fscanf (p, "%d", &n) == 1, "cannot count the files under %s", dir);
    pclose (p);
    return n;
}
