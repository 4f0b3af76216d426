/*  cg_redis — see cg_redis.h.  Scripts are kept by name with their SHA1,
    which is learnt from SCRIPT LOAD the first time a script is called. */
#include "cg_redis.h"
#include "cg_access.h"
#include "cg_msg.h"

#include <czmq.h>
#include "cg_msg.h"
#include <stdarg.h>

struct _cg_redis_t {
    redisContext *ctx;
    char *host;
    int port;
    int retry_ms;
    char (*shas)[41];           /* per cg_scripts[] entry, "" until loaded */
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

/*  Logs in as this process's principal on a locked stack (cg_access.h),
    on every connection, since a reconnection starts as nobody. */
static int
s_login (cg_redis_t *self)
{
    const char *user, *password;
    if (!cg_access_redis_login (self->port, &user, &password))
        return 0;
    redisReply *r = redisCommand (self->ctx, "AUTH %s %s", user, password);
    int rc = r && r->type == REDIS_REPLY_STATUS ? 0 : -1;
    if (rc)
        zsys_error ("redis: cannot log in as %s: %s", user,
                    r && r->type == REDIS_REPLY_ERROR ? r->str : self->ctx->errstr);
    if (r)
        freeReplyObject (r);
    return rc;
}

static int
s_connect (cg_redis_t *self)
{
    int64_t until = zclock_mono () + self->retry_ms;
    int pause = 10;
    while (true) {
        if (self->ctx)
            redisFree (self->ctx);
        struct timeval tv = { 1, 0 };
        self->ctx = redisConnectWithTimeout (self->host, self->port, tv);
        if (self->ctx && !self->ctx->err) {
            redisSetTimeout (self->ctx, (struct timeval) { 10, 0 });
            if (s_login (self) == 0)
                return 0;
        }
        if (zclock_mono () >= until || zsys_interrupted)
            break;
        zclock_sleep (pause);
        pause = pause < 500 ? pause * 2 : 500;
    }
    zsys_error ("redis: cannot connect to %s:%d: %s", self->host, self->port,
                self->ctx ? self->ctx->errstr : "out of memory");
    return -1;
}

cg_redis_t *
cg_redis_new (const char *host, int port, int retry_ms)
{
    cg_redis_t *self = calloc (1, sizeof *self);
    assert (self);
    self->host = strdup (host);
    self->port = port;
    self->retry_ms = retry_ms;
    self->shas = calloc (cg_scripts_count ? cg_scripts_count : 1, sizeof *self->shas);
    if (s_connect (self)) {
        cg_redis_destroy (&self);
        return NULL;
    }
    return self;
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

/*  Runs one command, reconnecting and trying again while the connection is
    what fails, or while Redis is still loading. */
static redisReply *
s_call (cg_redis_t *self, const cg_args_t *args)
{
    int64_t until = zclock_mono () + self->retry_ms;
    while (true) {
        if (self->ctx && !self->ctx->err) {
            redisReply *reply = redisCommandArgv (self->ctx, args->argc,
                                                  (const char **) args->argv, args->lens);
            if (s_loading (reply, until))
                continue;
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
            if (s_loading (reply, until))
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
    call->cap = call->argc + args->argc;
    call->argv = realloc (call->argv, call->cap * sizeof (char *));
    call->lens = realloc (call->lens, call->cap * sizeof (size_t));
    assert (call->argv && call->lens);
    memcpy (call->argv + call->argc, args->argv, args->argc * sizeof (char *));
    memcpy (call->lens + call->argc, args->lens, args->argc * sizeof (size_t));
    call->argc = call->cap;
    return 0;
}

static void
s_script_call_free (cg_args_t *call)
{
    for (int i = 0; i < 3; i++)
        free (call->argv[i]);
    free (call->argv);
    free (call->lens);
}

redisReply *
cg_redis_script (cg_redis_t *self, const char *name, int nkeys, const cg_args_t *args)
{
    int index = s_script_index (name);
    assert (index >= 0);        /* a script name is a constant in the code */
    for (int attempt = 0; attempt < 2; attempt++) {
        cg_args_t call;
        if (s_script_call (self, index, nkeys, args, &call))
            return NULL;
        redisReply *r = s_call (self, &call);
        s_script_call_free (&call);
        if (r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "NOSCRIPT", 8) == 0) {
            freeReplyObject (r);
            *self->shas[index] = 0;
            continue;
        }
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
    s_script_call_free (&call);
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
