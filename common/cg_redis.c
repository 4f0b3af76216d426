/*  cg_redis — see cg_redis.h.  Scripts are kept by name with their SHA1,
    which is learnt from SCRIPT LOAD the first time a script is called. */
#include "cg_redis.h"
#include "cg_access.h"
#include "cg_config.h"
#include "cg_msg.h"

#include <czmq.h>
#include <stdarg.h>

#define S_SENTINELS_MAX 8
#define S_LEASE_MARK    "cg:lease"  /* then key, token, ttl: the last ARGV of a script */
#define S_LEASE_ARGS    4

struct _cg_redis_t {
    redisContext *ctx;
    char *host;                 /* the master, as configured or as Sentinel named it */
    int port;
    int retry_ms;
    char (*shas)[41];           /* per cg_scripts[] entry, "" until loaded */
    char *sentinel_host[S_SENTINELS_MAX];
    int sentinel_port[S_SENTINELS_MAX];
    int nsentinels;             /* 0: host:port is Redis itself */
    char *master;               /* the name the Sentinels watch it by */
    int replicas;               /* a script's answer waits for this many (WAIT) */
    int wait_ms;
    char *lease_key, *lease_token;
    char lease_ttl[16];
    bool lease_lost;
    bool moved;                 /* finding the master again (logged once) */
};

/* --- argument vectors ----------------------------------------------------- */

void
cg_args_init (cg_args_t *args)
{
    memset (args, 0, sizeof *args);
}

void
cg_args_add (cg_args_t *args, const void *data, size_t len)
{
    if (args->argc == args->cap) {
        args->cap = args->cap ? args->cap * 2 : 16;
        args->argv = realloc (args->argv, args->cap * sizeof (char *));
        args->lens = realloc (args->lens, args->cap * sizeof (size_t));
        assert (args->argv && args->lens);
    }
    char *copy = malloc (len + 1);
    assert (copy);
    memcpy (copy, data, len);
    copy[len] = 0;
    args->argv[args->argc] = copy;
    args->lens[args->argc++] = len;
}

int
cg_args_add_msg (cg_args_t *args, const cg_msgdef_t *def, const void *msg)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    cg_error_t err;
    int rc = cg_msg_encode (def, msg, &buf, &err);
    if (rc)
        zsys_error ("cannot encode %s: %s: %s", def->name, err.field, err.message);
    cg_args_add (args, buf.size ? buf.data : "", buf.size);
    msgpack_sbuffer_destroy (&buf);
    return rc;
}

static void
s_add_field (const char *key, const char *value, size_t len, void *arg)
{
    cg_args_add_str (arg, key);
    cg_args_add (arg, value, len);
}

int
cg_args_add_fields (cg_args_t *args, const cg_msgdef_t *def, const void *msg)
{
    int count = args->argc;
    cg_args_add_str (args, "0");
    cg_msg_fields (def, msg, s_add_field, args);
    int n = (args->argc - count - 1) / 2;
    free (args->argv[count]);
    char digits[24];
    int len = snprintf (digits, sizeof digits, "%d", n);
    args->argv[count] = strdup (digits);
    assert (args->argv[count]);
    args->lens[count] = (size_t) len;
    return n;
}

void
cg_args_add_words (cg_args_t *args, const char *line)
{
    for (const char *at = line; *at; ) {
        while (*at == ' ')
            at++;
        size_t len = strcspn (at, " ");
        if (len)
            cg_args_add (args, at, len);
        at += len;
    }
}

void
cg_args_add_str (cg_args_t *args, const char *s)
{
    cg_args_add (args, s ? s : "", s ? strlen (s) : 0);
}

void
cg_args_add_int (cg_args_t *args, int64_t v)
{
    cg_args_addf (args, "%" PRId64, v);
}

void
cg_args_addf (cg_args_t *args, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start (ap, fmt);
    int n = vsnprintf (buf, sizeof buf, fmt, ap);
    va_end (ap);
    assert (n >= 0 && (size_t) n < sizeof buf);
    cg_args_add (args, buf, (size_t) n);
}

void
cg_args_reset (cg_args_t *args)
{
    for (int i = 0; i < args->argc; i++)
        free (args->argv[i]);
    args->argc = 0;
}

void
cg_args_free (cg_args_t *args)
{
    cg_args_reset (args);
    free (args->argv);
    free (args->lens);
    memset (args, 0, sizeof *args);
}

/* --- the connection ------------------------------------------------------- */

/*  Every connection logs in as this process's principal on a locked stack
    (cg_access.h), since a reconnection starts as nobody. */
/*  A connection to host:port, logged in; NULL when there is none. */
static redisContext *
s_open (const char *host, int port, int timeout_ms)
{
    struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
    redisContext *ctx = redisConnectWithTimeout (host, port, tv);
    if (!ctx || ctx->err) {
        if (ctx)
            redisFree (ctx);
        return NULL;
    }
    const char *user, *password;
    if (cg_access_redis_login (port, &user, &password)) {
        redisReply *r = redisCommand (ctx, "AUTH %s %s", user, password);
        bool ok = r && r->type == REDIS_REPLY_STATUS;
        if (!ok)
            zsys_error ("redis: cannot log in to %s:%d as %s: %s", host, port, user,
                        r && r->type == REDIS_REPLY_ERROR ? r->str : ctx->errstr);
        if (r)
            freeReplyObject (r);
        if (!ok) {
            redisFree (ctx);
            return NULL;
        }
    }
    return ctx;
}

/*  With Sentinels: asks each in turn for the master's address, into
    self->host and self->port.  Returns 0, or -1 when none knows it. */
static int
s_find_master (cg_redis_t *self)
{
    for (int i = 0; i < self->nsentinels; i++) {
        redisContext *ctx = s_open (self->sentinel_host[i], self->sentinel_port[i], 500);
        if (!ctx)
            continue;
        redisSetTimeout (ctx, (struct timeval) { 1, 0 });
        redisReply *r = redisCommand (ctx, "SENTINEL get-master-addr-by-name %s", self->master);
        bool found = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2
                  && r->element[0]->type == REDIS_REPLY_STRING;
        if (found) {
            free (self->host);
            self->host = strdup (r->element[0]->str);
            self->port = atoi (cg_reply_str (r->element[1]));
        }
        else
            zsys_warning ("redis: sentinel %s:%d does not know master %s: %s",
                          self->sentinel_host[i], self->sentinel_port[i], self->master,
                          r ? cg_reply_str (r) : ctx->errstr);
        if (r)
            freeReplyObject (r);
        redisFree (ctx);
        if (found)
            return 0;
    }
    return -1;
}

/*  Whether the Redis of self->ctx says it is a master (ROLE): one the
    Sentinels named may have been demoted since they answered. */
static bool
s_is_master (cg_redis_t *self)
{
    redisReply *r = redisCommand (self->ctx, "ROLE");
    bool master = r && r->type == REDIS_REPLY_ARRAY && r->elements > 0
               && streq (cg_reply_str (r->element[0]), "master");
    if (r)
        freeReplyObject (r);
    return master;
}

static int
s_connect (cg_redis_t *self)
{
    int64_t until = zclock_mono () + self->retry_ms;
    int pause = 10;
    while (true) {
        if (self->ctx)
            redisFree (self->ctx);
        self->ctx = NULL;
        if (self->nsentinels == 0 || s_find_master (self) == 0) {
            self->ctx = s_open (self->host, self->port, 1000);
            if (self->ctx) {
                redisSetTimeout (self->ctx, (struct timeval) { 10, 0 });
                if (self->nsentinels == 0 || s_is_master (self))
                    return 0;
            }
        }
        if (zclock_mono () >= until || zsys_interrupted)
            break;
        zclock_sleep (pause);
        pause = pause < 500 ? pause * 2 : 500;
    }
    if (self->nsentinels)
        zsys_error ("redis: no Sentinel named a master %s that answers as one (last: %s:%d)",
                    self->master, self->host, self->port);
    else
        zsys_error ("redis: cannot connect to %s:%d", self->host, self->port);
    return -1;
}

/*  Whether an error answer means this Redis is not (or no more) a master
    that may take writes, so that the master must be found again:
    READONLY (a replica now), NOREPLICAS (a master without the replicas
    min-replicas-to-write wants), MASTERDOWN (a replica that lost its
    master).  A script passes a command's error on as its own answer. */
static bool
s_not_master (const redisReply *r)
{
    if (!r || r->type != REDIS_REPLY_ERROR)
        return false;
    const char *words[] = { "READONLY", "NOREPLICAS", "MASTERDOWN" };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strncmp (r->str, words[i], strlen (words[i])) == 0
        ||  strstr (r->str, words[i]))
            return true;
    return false;
}

static cg_redis_t *
s_new (const char *host, int port, int retry_ms)
{
    cg_redis_t *self = calloc (1, sizeof *self);
    assert (self);
    self->host = strdup (host);
    self->port = port;
    self->retry_ms = retry_ms;
    self->shas = calloc (cg_scripts_count ? cg_scripts_count : 1, sizeof *self->shas);
    return self;
}

static cg_redis_t *
s_connected (cg_redis_t *self)
{
    if (s_connect (self))
        cg_redis_destroy (&self);
    return self;
}

cg_redis_t *
cg_redis_new (const char *host, int port, int retry_ms)
{
    return s_connected (s_new (host, port, retry_ms));
}

cg_redis_t *
cg_redis_configured (zconfig_t *config, int retry_ms)
{
    const char *keys[] = { "redis/port", "redis/retry_ms", "redis/replicas", "redis/wait_ms" };
    int64_t values[4];
    char err[300];
    for (int i = 0; i < 4; i++)
        if (cg_config_int (config, "the configuration", keys[i], &values[i], err, sizeof err)) {
            zsys_error ("redis: %s", err);
            return NULL;
        }
    cg_redis_t *self = s_new (zconfig_get (config, "redis/host", "127.0.0.1"), (int) values[0],
                              retry_ms >= 0 ? retry_ms : (int) values[1]);
    self->replicas = (int) values[2];
    self->wait_ms = (int) values[3];
    const char *list = zconfig_get (config, "redis/sentinels", "");
    for (const char *at = list; *at && self->nsentinels < S_SENTINELS_MAX; ) {
        size_t len = strcspn (at, ", ");
        const char *colon = memchr (at, ':', len);
        if (len && colon) {
            self->sentinel_host[self->nsentinels] = strndup (at, (size_t) (colon - at));
            self->sentinel_port[self->nsentinels++] = atoi (colon + 1);
        }
        else
        if (len) {
            zsys_error ("redis: redis/sentinels is \"%s\": it takes HOST:PORT,HOST:PORT,...",
                        list);
            cg_redis_destroy (&self);
            return NULL;
        }
        at += len;
        at += strspn (at, ", ");
    }
    self->master = strdup (zconfig_get (config, "redis/master", "civgrid"));
    return s_connected (self);
}

int
cg_redis_master_port (zconfig_t *config)
{
    cg_redis_t *redis = cg_redis_configured (config, 500);
    int port = redis ? redis->port : 0;
    cg_redis_destroy (&redis);
    return port;
}

void
cg_redis_address (cg_redis_t *self, const char **host, int *port)
{
    *host = self->host;
    *port = self->port;
}

void
cg_redis_set_lease (cg_redis_t *self, const char *key, const char *token, int ttl_ms)
{
    free (self->lease_key);
    free (self->lease_token);
    self->lease_key = key ? strdup (key) : NULL;
    self->lease_token = key ? strdup (token) : NULL;
    snprintf (self->lease_ttl, sizeof self->lease_ttl, "%d", ttl_ms);
    self->lease_lost = false;
}

bool
cg_redis_lease_lost (cg_redis_t *self)
{
    return self->lease_lost;
}

void
cg_redis_destroy (cg_redis_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_redis_t *self = *self_p;
    if (self->ctx)
        redisFree (self->ctx);
    free (self->host);
    free (self->shas);
    for (int i = 0; i < self->nsentinels; i++)
        free (self->sentinel_host[i]);
    free (self->master);
    free (self->lease_key);
    free (self->lease_token);
    free (self);
    *self_p = NULL;
}

/*  A Redis that has just restarted answers LOADING to every command until
    it has read its data back: true (the reply freed, after a pause) while
    that is so and there is time left, so that the caller asks again; what
    a daemon asked for will be there when Redis has loaded. */
static bool
s_loading (redisReply *reply, int64_t until)
{
    if (!reply || reply->type != REDIS_REPLY_ERROR || strncmp (reply->str, "LOADING", 7) != 0
    ||  zclock_mono () >= until || zsys_interrupted)
        return false;
    freeReplyObject (reply);
    zclock_sleep (50);
    return true;
}

/*  When reply says this Redis is not a master that takes writes, and there
    is time left: true (the reply freed, the connection dropped, after a
    pause), so that the caller finds the master again and asks again. */
static bool
s_moved (cg_redis_t *self, redisReply *reply, int64_t until)
{
    if (!s_not_master (reply) || zclock_mono () >= until || zsys_interrupted)
        return false;
    if (!self->moved)
        zsys_warning ("redis: %s:%d answered %.60s; finding the master again", self->host,
                      self->port, reply->str);
    self->moved = true;
    freeReplyObject (reply);
    redisFree (self->ctx);
    self->ctx = NULL;
    zclock_sleep (100);
    return true;
}

/*  Runs one command, reconnecting and trying again while the connection is
    what fails, while Redis is still loading, or while it is not the master
    (s_moved). */
static redisReply *
s_call (cg_redis_t *self, const cg_args_t *args)
{
    int64_t until = zclock_mono () + self->retry_ms;
    while (true) {
        if (self->ctx && !self->ctx->err) {
            redisReply *reply = redisCommandArgv (self->ctx, args->argc,
                                                  (const char **) args->argv, args->lens);
            if (s_loading (reply, until) || s_moved (self, reply, until))
                continue;
            if (reply && self->moved && reply->type != REDIS_REPLY_ERROR) {
                zsys_info ("redis: writing to %s:%d", self->host, self->port);
                self->moved = false;
            }
            if (reply)
                return reply;
            zsys_warning ("redis: %s; reconnecting", self->ctx->errstr);
        }
        if (zclock_mono () >= until || zsys_interrupted || s_connect (self))
            return NULL;
    }
}

redisReply *
cg_redis_argv (cg_redis_t *self, const cg_args_t *args)
{
    return s_call (self, args);
}

int
cg_redis_scan (cg_redis_t *self, const char *pattern, int count, cg_redis_scan_fn *fn, void *arg)
{
    char cursor[32] = "0";
    do {
        redisReply *r = cg_redis_command (self, "SCAN %s MATCH %s COUNT %d", cursor, pattern,
                                          count);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2
            || r->element[1]->type != REDIS_REPLY_ARRAY) {
            if (r)
                freeReplyObject (r);
            return -1;
        }
        snprintf (cursor, sizeof cursor, "%s", cg_reply_str (r->element[0]));
        int rc = fn (r->element[1], arg);
        freeReplyObject (r);
        if (rc)
            return rc;
    } while (strcmp (cursor, "0") != 0);
    return 0;
}

redisReply *
cg_redis_command (cg_redis_t *self, const char *fmt, ...)
{
    /*  Formatting goes through hiredis, then the words are split back into
        an argument vector so that the reconnecting path is the same. */
    va_list ap;
    va_start (ap, fmt);
    char *cmd = NULL;
    int len = redisvFormatCommand (&cmd, fmt, ap);
    va_end (ap);
    if (len < 0)
        return NULL;
    int64_t until = zclock_mono () + self->retry_ms;
    redisReply *reply = NULL;
    while (true) {
        if (self->ctx && !self->ctx->err
        &&  redisAppendFormattedCommand (self->ctx, cmd, len) == REDIS_OK
        &&  redisGetReply (self->ctx, (void **) &reply) == REDIS_OK) {
            if (s_loading (reply, until) || s_moved (self, reply, until))
                continue;
            break;
        }
        reply = NULL;
        if (zclock_mono () >= until || zsys_interrupted || s_connect (self))
            break;
    }
    redisFreeCommand (cmd);
    return reply;
}

static int
s_script_index (const char *name)
{
    for (size_t i = 0; i < cg_scripts_count; i++)
        if (strcmp (cg_scripts[i].name, name) == 0)
            return (int) i;
    return -1;
}

static int
s_script_load (cg_redis_t *self, int index)
{
    redisReply *r = cg_redis_command (self, "SCRIPT LOAD %s", cg_scripts[index].source);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_STRING && r->len == 40) {
        memcpy (self->shas[index], r->str, 41);
        rc = 0;
    }
    else
        zsys_error ("redis: cannot load script %s: %s", cg_scripts[index].name,
                    r ? cg_reply_str (r) : "no connection");
    if (r)
        freeReplyObject (r);
    return rc;
}

/*  The EVALSHA call of script index with args, loading it first if need
    be; the arguments are args' own, not copies (a call can be megabytes),
    so the call is freed with s_script_call_free.  Returns 0, or -1 when
    the script cannot be loaded. */
static int
s_script_call (cg_redis_t *self, int index, int nkeys, const cg_args_t *args, cg_args_t *call)
{
    if (!*self->shas[index] && s_script_load (self, index))
        return -1;
    cg_args_init (call);
    cg_args_add_str (call, "EVALSHA");
    cg_args_add_str (call, self->shas[index]);
    cg_args_add_int (call, nkeys);
    int lease = self->lease_key ? S_LEASE_ARGS : 0;
    call->cap = call->argc + args->argc + lease;
    call->argv = realloc (call->argv, call->cap * sizeof (char *));
    call->lens = realloc (call->lens, call->cap * sizeof (size_t));
    assert (call->argv && call->lens);
    if (args->argc) {           /* an empty vector has no arrays */
        memcpy (call->argv + call->argc, args->argv, args->argc * sizeof (char *));
        memcpy (call->lens + call->argc, args->lens, args->argc * sizeof (size_t));
    }
    call->argc += args->argc;
    if (lease) {
        /*  the lease, last: the prelude takes it off ARGV (cg_redis.h) */
        cg_args_add_str (call, S_LEASE_MARK);
        cg_args_add_str (call, self->lease_key);
        cg_args_add_str (call, self->lease_token);
        cg_args_add_str (call, self->lease_ttl);
    }
    return 0;
}

/*  Frees what s_script_call made: its first three words and the lease. */
static void
s_script_call_free (cg_redis_t *self, cg_args_t *call)
{
    int lease = self->lease_key ? S_LEASE_ARGS : 0;
    for (int i = 0; i < call->argc; i++)
        if (i < 3 || i >= call->argc - lease)
            free (call->argv[i]);
    free (call->argv);
    free (call->lens);
}

/*  An error answer of our own, freed with freeReplyObject as any other. */
static redisReply *
s_error (const char *fmt, ...)
{
    redisReply *r = calloc (1, sizeof *r);
    assert (r);
    va_list ap;
    va_start (ap, fmt);
    char buf[300];
    int n = vsnprintf (buf, sizeof buf, fmt, ap);
    va_end (ap);
    r->type = REDIS_REPLY_ERROR;
    r->str = strdup (buf);
    r->len = n < (int) sizeof buf ? (size_t) n : sizeof buf - 1;
    assert (r->str);
    return r;
}

/*  After a script that answered: WAIT until self->replicas replicas have
    what it wrote.  0 when they have, 1 when they do not within wait_ms,
    -1 when the connection broke (it may or may not have been applied). */
static int
s_wait (cg_redis_t *self)
{
    redisReply *r = redisCommand (self->ctx, "WAIT %d %d", self->replicas, self->wait_ms);
    int rc = !r ? -1 : r->type == REDIS_REPLY_INTEGER && r->integer >= self->replicas ? 0 : 1;
    if (rc == 1)
        zsys_warning ("redis: WAIT %d %d answered %s: refusing what was not replicated",
                      self->replicas, self->wait_ms,
                      r->type == REDIS_REPLY_INTEGER ? "fewer" : r->str);
    if (r)
        freeReplyObject (r);
    return rc;
}

redisReply *
cg_redis_script (cg_redis_t *self, const char *name, int nkeys, const cg_args_t *args)
{
    int index = s_script_index (name);
    assert (index >= 0);        /* a script name is a constant in the code */
    int64_t until = zclock_mono () + self->retry_ms;
    for (int noscript = 0; noscript < 2; ) {
        cg_args_t call;
        if (s_script_call (self, index, nkeys, args, &call))
            return NULL;
        redisReply *r = s_call (self, &call);
        s_script_call_free (self, &call);
        if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "NOSCRIPT", 8) == 0) {
            freeReplyObject (r);
            *self->shas[index] = 0;
            noscript++;
            continue;
        }
        if (r && r->type != REDIS_REPLY_ERROR && self->replicas > 0) {
            int rc = s_wait (self);
            if (rc < 0 && zclock_mono () < until && !zsys_interrupted) {
                /*  the master went while it waited: the call again, on the
                    master found again, where its idempotency answers it */
                freeReplyObject (r);
                continue;
            }
            if (rc) {
                freeReplyObject (r);
                r = s_error ("NOREPLICAS %s: fewer than %d replicas have the change within "
                             "%d ms; not acknowledged, retry with the same request id",
                             name, self->replicas, self->wait_ms);
            }
        }
        if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "LEASE", 5) == 0)
            self->lease_lost = true;
        if (r && r->type == REDIS_REPLY_ERROR)
            zsys_error ("redis: script %s: %s", name, r->str);
        return r;
    }
    return NULL;
}

int
cg_redis_script_send (cg_redis_t *self, const char *name, int nkeys, const cg_args_t *args)
{
    int index = s_script_index (name);
    assert (index >= 0);
    cg_args_t call;
    if (!self->ctx || self->ctx->err || s_script_call (self, index, nkeys, args, &call))
        return -1;
    int rc = cg_redis_append (self, &call);
    s_script_call_free (self, &call);
    /*  written now, not when the reply is read: Redis runs it meanwhile */
    int done = 0;
    while (rc == 0 && !done)
        if (redisBufferWrite (self->ctx, &done) != REDIS_OK)
            rc = -1;
    return rc;
}

int
cg_redis_append (cg_redis_t *self, const cg_args_t *args)
{
    if (!self->ctx || self->ctx->err)
        return -1;
    return redisAppendCommandArgv (self->ctx, args->argc, (const char **) args->argv,
                                   args->lens) == REDIS_OK ? 0 : -1;
}

redisReply *
cg_redis_reply (cg_redis_t *self)
{
    redisReply *reply = NULL;
    if (!self->ctx || redisGetReply (self->ctx, (void **) &reply) != REDIS_OK)
        return NULL;
    if (reply->type == REDIS_REPLY_ERROR && strncmp (reply->str, "NOSCRIPT", 8) == 0)
        for (size_t i = 0; i < cg_scripts_count; i++)
            *self->shas[i] = 0;     /* Redis lost its scripts: load them again */
    return reply;
}

int64_t
cg_reply_int (const redisReply *r, int64_t otherwise)
{
    if (!r)
        return otherwise;
    if (r->type == REDIS_REPLY_INTEGER)
        return r->integer;
    if (r->type == REDIS_REPLY_STRING && r->len > 0) {
        char *end;
        long long v = strtoll (r->str, &end, 10);
        if (*end == 0)
            return v;
    }
    return otherwise;
}

const char *
cg_reply_str (const redisReply *r)
{
    if (r && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS
           || r->type == REDIS_REPLY_ERROR))
        return r->str;
    return "";
}

void *
cg_reply_decode_list (const redisReply *r, const cg_msgdef_t *def, size_t *count)
{
    *count = 0;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0)
        return NULL;
    char *items = calloc (r->elements, def->size);
    assert (items);
    for (size_t i = 0; i < r->elements; i++) {
        cg_error_t err;
        if (r->element[i]->type == REDIS_REPLY_STRING
        &&  cg_msg_decode (def, r->element[i]->str, r->element[i]->len,
                           items + *count * def->size, &err) == 0)
            (*count)++;
    }
    return items;
}

int
cg_reply_hash_msg (const redisReply *r, const cg_msgdef_t *def, void *msg)
{
    memset (msg, 0, def->size);
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return -1;
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        cg_msg_set (def, msg, r->element[i]->str, r->element[i + 1]->str, r->element[i + 1]->len);
    return r->elements ? 0 : 1;
}
