/*  cg_command — see cg_command.h. */
#include "cg_command.h"
#include "cg_access.h"
#include "cg_text.h"

#include <stdarg.h>
#include <unistd.h>

/* --- replies -------------------------------------------------------------- */

void
cg_reply_ok (cg_reply_t *reply, const cg_msgdef_t *def, const void *msg)
{
    cg_error_t err;
    reply->body.size = 0;
    if (cg_msg_encode (def, msg, &reply->body, &err)) {
        /*  The daemon built a message its own definition refuses: a bug,
            but the client still gets an answer that says so. */
        zsys_error ("command: cannot encode %s: %s: %s", def->name, err.field, err.message);
        cg_reply_fail (reply, "internal", err.field, "the answer could not be encoded: %s",
                       err.message);
        return;
    }
    reply->failed = false;
    reply->deferred = false;
}

void
cg_reply_defer (cg_reply_t *reply)
{
    reply->body.size = 0;
    reply->failed = false;
    reply->deferred = true;
}

void
cg_reply_error (cg_reply_t *reply, const cg_error_t *err)
{
    cg_refusal_t refusal = { 0 };
    refusal.code = (char *) err->code;
    refusal.field = *err->field ? (char *) err->field : NULL;
    refusal.message = (char *) err->message;
    reply->body.size = 0;
    cg_error_t bad;
    if (cg_msg_encode (&cg_refusal_def, &refusal, &reply->body, &bad))
        assert (false);         /* the fields are bounded by cg_error_t */
    reply->failed = true;
    reply->deferred = false;
}

void
cg_reply_fail (cg_reply_t *reply, const char *code, const char *field, const char *fmt, ...)
{
    cg_error_t err;
    snprintf (err.code, sizeof err.code, "%s", code);
    snprintf (err.field, sizeof err.field, "%s", field ? field : "");
    va_list ap;
    va_start (ap, fmt);
    vsnprintf (err.message, sizeof err.message, fmt, ap);
    va_end (ap);
    /*  a message cut inside a character loses that character: a refusal
        is UTF-8 text, or no client can decode it */
    size_t n = strlen (err.message);
    while (n && !cg_utf8_valid (err.message, n))
        err.message[--n] = 0;
    cg_reply_error (reply, &err);
}

/* --- the server ----------------------------------------------------------- */

#define S_READ_MAX  256         /* requests served in one wake-up */
/*  requests a worker may have waiting; beyond, they are refused at once:
    the loop must never block on a full pipe to it */
#define S_WORKER_WAITING    64

/*  The latency histogram's buckets, microseconds: what a person at the
    console feels (1 ms to 2.5 s); slower lands in +Inf only. */
static const int64_t s_bucket_us[] = { 1000, 5000, 25000, 100000, 500000, 2500000 };
#define S_NBUCKETS  (sizeof s_bucket_us / sizeof s_bucket_us[0])

/*  What a command's answers took, since start: for `metrics`. */
typedef struct {
    int64_t count, failed, sum_us;
    int64_t buckets[S_NBUCKETS];    /* answers within s_bucket_us[i], not cumulative */
} s_timing_t;

#define S_METRICS_HOOKS 4

typedef struct {
    char *name;
    const cg_msgdef_t *def;
    cg_command_fn *fn;
    void *arg;
    bool batch;                 /* may defer its answers to the flush */
    zactor_t *worker;           /* serves it on a thread of its own, or NULL */
    int waiting;                /* requests handed to the worker, not yet answered */
    s_timing_t timing;          /* touched by the loop's thread only */
} s_handler_t;

/*  A request being answered: who asked, its request id, and the answer. */
typedef struct {
    zframe_t *identity, *rid;
    cg_reply_t reply;
    size_t handler;             /* its index in handlers, for its timing */
    int64_t started_us;
} s_slot_t;

struct _cg_server_t {
    char *service;
    zsock_t *sock;
    s_handler_t *handlers;
    size_t nhandlers;
    int64_t started;
    int64_t (*counter) (void *);
    void *counter_arg;
    cg_flush_fn *flush;
    void *flush_arg;
    bool locked;                /* CURVE: each peer's key says what it may claim */
    char *endpoint;
    zactor_t *monitor;          /* logs refused handshakes (cg_access_watch) */
    s_slot_t slots[S_READ_MAX];     /* deferred answers, in the order they came */
    size_t deferred;
    zloop_t *loop;              /* once attached: where workers' answers are read */
    cg_metrics_fn *metrics[S_METRICS_HOOKS];
    void *metrics_arg[S_METRICS_HOOKS];
};

static void
s_timing_add (s_handler_t *handler, int64_t us, bool failed)
{
    s_timing_t *t = &handler->timing;
    t->count++;
    t->failed += failed;
    t->sum_us += us;
    for (size_t i = 0; i < S_NBUCKETS; i++)
        if (us <= s_bucket_us[i]) {
            t->buckets[i]++;
            break;
        }
}

void
cg_metrics_gauge (cg_metrics_t *metrics, const char *name, int64_t value, const char *labels,
                  ...)
{
    if (metrics->gauges_count >= CG_METRIC_GAUGES_MAX)
        return;
    metrics->gauges = realloc (metrics->gauges,
                               (metrics->gauges_count + 1) * sizeof *metrics->gauges);
    assert (metrics->gauges);
    cg_gauge_t *g = &metrics->gauges[metrics->gauges_count++];
    *g = (cg_gauge_t) { .name = strdup (name), .value = value };
    if (labels) {
        va_list ap;
        va_start (ap, labels);
        g->labels = zsys_vprintf (labels, ap);
        va_end (ap);
    }
}

void
cg_server_on_metrics (cg_server_t *self, cg_metrics_fn *fn, void *arg)
{
    for (size_t i = 0; i < S_METRICS_HOOKS; i++)
        if (!self->metrics[i]) {
            self->metrics[i] = fn;
            self->metrics_arg[i] = arg;
            return;
        }
    assert (!"more metrics hooks than S_METRICS_HOOKS");
}

/*  `metrics`: each command's timing (the last handler of a name is the one
    serving it), then what the hooks count. */
static void
s_on_metrics (void *request, cg_reply_t *reply, void *arg)
{
    (void) request;
    cg_server_t *self = arg;
    cg_metrics_t m = { .service = strdup (self->service), .started = self->started };
    m.commands = calloc (self->nhandlers, sizeof *m.commands);
    assert (m.commands);
    for (size_t i = 0; i < self->nhandlers && m.commands_count < CG_METRIC_COMMANDS_MAX; i++) {
        bool replaced = false;
        for (size_t j = i + 1; j < self->nhandlers; j++)
            replaced |= strcmp (self->handlers[i].name, self->handlers[j].name) == 0;
        if (replaced)
            continue;
        const s_timing_t *t = &self->handlers[i].timing;
        cg_command_stat_t *c = &m.commands[m.commands_count++];
        *c = (cg_command_stat_t) { .name = strdup (self->handlers[i].name), .count = t->count,
                                   .failed = t->failed, .sum_us = t->sum_us };
        c->buckets = calloc (S_NBUCKETS, sizeof *c->buckets);
        assert (c->buckets);
        int64_t within = 0;
        for (size_t b = 0; b < S_NBUCKETS; b++) {
            within += t->buckets[b];
            c->buckets[c->buckets_count++] = (cg_latency_bucket_t) { .le_us = s_bucket_us[b],
                                                                     .count = within };
        }
    }
    for (size_t i = 0; i < S_METRICS_HOOKS && self->metrics[i]; i++)
        self->metrics[i] (&m, self->metrics_arg[i]);
    cg_reply_ok (reply, &cg_metrics_def, &m);
    cg_msg_clear (&cg_metrics_def, &m);
}

static void
s_on_ping (void *request, cg_reply_t *reply, void *arg)
{
    (void) request;
    cg_server_t *self = arg;
    cg_pong_t pong = { 0 };
    pong.service = self->service;
    pong.pid = getpid ();
    pong.started = self->started;
    pong.handled = self->counter ? self->counter (self->counter_arg) : 0;
    cg_reply_ok (reply, &cg_pong_def, &pong);
}

cg_server_t *
cg_server_new (const char *service, const char *endpoint)
{
    cg_server_t *self = calloc (1, sizeof *self);
    assert (self);
    self->service = strdup (service);
    self->endpoint = strdup (endpoint);
    self->started = zclock_time ();
    for (size_t i = 0; i < S_READ_MAX; i++)
        msgpack_sbuffer_init (&self->slots[i].reply.body);
    self->sock = zsock_new (ZMQ_ROUTER);
    assert (self->sock);
    zsock_set_sndhwm (self->sock, 100000);
    zsock_set_rcvhwm (self->sock, 100000);
    int access = cg_access_serve (self->sock, endpoint);
    self->locked = access == 1;
    if (access < 0 || zsock_bind (self->sock, "%s", endpoint) < 0) {
        zsys_error ("%s: cannot bind %s: %s", service, endpoint, zmq_strerror (zmq_errno ()));
        cg_server_destroy (&self);
        return NULL;
    }
    cg_server_on (self, &cg_cmd_ping, s_on_ping, self);
    cg_server_on (self, &cg_cmd_metrics, s_on_metrics, self);
    return self;
}

void
cg_server_destroy (cg_server_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_server_t *self = *self_p;
    for (size_t i = 0; i < self->nhandlers; i++) {
        zactor_destroy (&self->handlers[i].worker);
        free (self->handlers[i].name);
    }
    free (self->handlers);
    for (size_t i = 0; i < S_READ_MAX; i++)
        msgpack_sbuffer_destroy (&self->slots[i].reply.body);
    zactor_destroy (&self->monitor);
    zsock_destroy (&self->sock);
    free (self->endpoint);
    free (self->service);
    free (self);
    *self_p = NULL;
}

void
cg_server_on (cg_server_t *self, const cg_cmddef_t *command, cg_command_fn *fn, void *arg)
{
    assert (streq (command->owner, CG_OWNER_ANY) || streq (command->owner, self->service));
    self->handlers = realloc (self->handlers, (self->nhandlers + 1) * sizeof (s_handler_t));
    assert (self->handlers);
    self->handlers[self->nhandlers++] = (s_handler_t) { .name = strdup (command->name),
                                                        .def = command->request, .fn = fn,
                                                        .arg = arg };
}

void
cg_server_on_batch (cg_server_t *self, const cg_cmddef_t *command, cg_command_fn *fn,
                    void *arg)
{
    cg_server_on (self, command, fn, arg);
    self->handlers[self->nhandlers - 1].batch = true;
}

void
cg_server_set_flush (cg_server_t *self, cg_flush_fn *fn, void *arg)
{
    self->flush = fn;
    self->flush_arg = arg;
}

void
cg_server_set_counter (cg_server_t *self, int64_t (*fn) (void *), void *arg)
{
    self->counter = fn;
    self->counter_arg = arg;
}

/*  The handler of msg (identity | command | rid | body), or NULL with the
    refusal in reply. */
static s_handler_t *
s_handler_of (cg_server_t *self, zmsg_t *msg, cg_reply_t *reply)
{
    zmsg_first (msg);
    zframe_t *name = zmsg_next (msg), *rid = zmsg_next (msg), *body = zmsg_next (msg);
    if (!name || !rid || !body || zmsg_next (msg)) {
        cg_reply_fail (reply, "invalid", NULL, "a request is three frames: command, request "
                       "id, body; this one had %zu", zmsg_size (msg) - 1);
        return NULL;
    }
    for (size_t i = self->nhandlers; i-- > 0; )     /* the last one registered wins */
        if (zframe_streq (name, self->handlers[i].name))
            return &self->handlers[i];
    char *text = zframe_strdup (name);
    size_t n = strlen (text);
    if (cg_utf8_valid (text, n) && n == zframe_size (name)) {
        /*  named as far as 64 bytes go, in whole characters */
        for (n = n < 64 ? n : 64; !cg_utf8_valid (text, n); n--)
            ;
        text[n] = 0;
        cg_reply_fail (reply, "invalid", NULL, "%s has no command \"%s\"", self->service, text);
    }
    else
        cg_reply_fail (reply, "invalid", NULL, "%s has no command of that name (a name of %zu "
                       "bytes that is not UTF-8 text)", self->service, zframe_size (name));
    free (text);
    return NULL;
}

/*  A daemon takes an actor's authority only as far as the peer's key
    allows (cg_access.h): the role a request claims, in its `role` field or
    as the ROLE of an `actor` written ROLE:SCOPE[:NAME], must be one of the
    roles on the peer's certificate.  True when it may; else the refusal
    names the field, and the log says who tried.  The peer (its key's
    metadata, s_peer_t) is read where the request arrived: a worker gets
    it with the request. */
typedef struct {
    const char *roles;          /* NULL: none (refused when the server is locked) */
    const char *name;
} s_peer_t;

static s_peer_t
s_peer_of (zframe_t *body)
{
    return (s_peer_t) { zframe_meta (body, "roles"), zframe_meta (body, "name") };
}

static bool
s_claims_allowed (cg_server_t *self, s_handler_t *handler, void *request, s_peer_t who,
                  cg_reply_t *reply)
{
    if (!self->locked)
        return true;
    const char *roles = who.roles && *who.roles ? who.roles : NULL;
    const char *peer = who.name && *who.name ? who.name : NULL;
    for (size_t i = 0; i < handler->def->nfields; i++) {
        const cg_field_t *field = &handler->def->fields[i];
        bool is_role = streq (field->key, "role");
        if (field->type != CG_F_STR || (!is_role && !streq (field->key, "actor")))
            continue;
        const char *value = *(char **) ((char *) request + field->offset);
        size_t len = value ? strcspn (value, ":") : 0;
        if (!value || !len || (!is_role && !value[len]))
            continue;           /* no claim, or an actor that is only a name */
        char role[64];
        snprintf (role, sizeof role, "%.*s", (int) len, value);
        if (roles && cg_access_may_claim (roles, role))
            continue;
        zsys_warning ("%s: refused %s from %s: its key may not act as %s", self->service,
                      handler->name, peer ? peer : "an unnamed key", role);
        cg_reply_fail (reply, "forbidden", field->key, "%s: this client's key (%s) may act "
                       "as %s, not as %s", field->key, peer ? peer : "unnamed",
                       roles ? roles : "nobody", role);
        return false;
    }
    return true;
}

static void
s_serve (cg_server_t *self, s_handler_t *handler, zframe_t *body, s_peer_t who,
         cg_reply_t *reply)
{
    void *request = calloc (1, handler->def->size);
    assert (request);
    cg_error_t err;
    if (cg_msg_decode (handler->def, zframe_data (body), zframe_size (body), request, &err)) {
        zsys_info ("%s: refused %s: %s: %s", self->service, handler->name, err.field,
                   err.message);
        cg_reply_error (reply, &err);
    }
    else
    if (s_claims_allowed (self, handler, request, who, reply))
        handler->fn (request, reply, handler->arg);
    cg_msg_clear (handler->def, request);
    free (request);
}

/*  identity | "ok" or "error" | rid | body: the rid is echoed as it came */
static void
s_answer (cg_server_t *self, zframe_t *identity, zframe_t *rid, const cg_reply_t *reply)
{
    zmsg_t *answer = zmsg_new ();
    zmsg_append (answer, &(zframe_t *) { zframe_dup (identity) });
    zmsg_addstr (answer, reply->failed ? "error" : "ok");
    if (rid)
        zmsg_append (answer, &(zframe_t *) { zframe_dup (rid) });
    else
        zmsg_addstr (answer, "");
    zmsg_addmem (answer, reply->body.data, reply->body.size);
    zmsg_send (&answer, self->sock);
}

/*  The worker's thread: takes identity | rid | body | the peer's roles |
    its name from the server, serves it, and hands back microseconds |
    identity | "ok" or "error" | rid | body; the server counts the first
    frame and sends the rest on as it is. */
static int s_on_worker (zloop_t *loop, zsock_t *pipe, void *arg);

typedef struct {
    cg_server_t *server;        /* read only: its service name, for the log */
    s_handler_t handler;        /* a copy: the server's array may move */
} s_worker_t;

static void
s_worker_run (zsock_t *pipe, void *args)
{
    s_worker_t *worker = args;
    zsock_signal (pipe, 0);
    cg_reply_t reply = { 0 };
    msgpack_sbuffer_init (&reply.body);
    while (true) {
        zmsg_t *msg = zmsg_recv (pipe);
        if (!msg)
            break;
        if (zmsg_size (msg) != 5) {     /* $TERM */
            zmsg_destroy (&msg);
            break;
        }
        zframe_t *identity = zmsg_pop (msg), *rid = zmsg_pop (msg), *body = zmsg_pop (msg);
        char *roles = zmsg_popstr (msg), *name = zmsg_popstr (msg);
        reply.body.size = 0;
        int64_t started = zclock_usecs ();
        s_serve (worker->server, &worker->handler, body, (s_peer_t) { roles, name }, &reply);
        zstr_free (&roles);
        zstr_free (&name);
        zmsg_t *answer = zmsg_new ();
        zmsg_addstrf (answer, "%lld", (long long) (zclock_usecs () - started));
        zmsg_append (answer, &identity);
        zmsg_addstr (answer, reply.failed ? "error" : "ok");
        zmsg_append (answer, &rid);
        zmsg_addmem (answer, reply.body.data, reply.body.size);
        zmsg_send (&answer, pipe);
        zframe_destroy (&body);
        zmsg_destroy (&msg);
    }
    msgpack_sbuffer_destroy (&reply.body);
    free (worker);
}

void
cg_server_on_worker (cg_server_t *self, const cg_cmddef_t *command, cg_command_fn *fn,
                     void *arg)
{
    cg_server_on (self, command, fn, arg);
    s_handler_t *handler = &self->handlers[self->nhandlers - 1];
    s_worker_t *worker = calloc (1, sizeof *worker);
    assert (worker);
    worker->server = self;
    worker->handler = *handler;
    handler->worker = zactor_new (s_worker_run, worker);
    assert (handler->worker);
    if (self->loop)
        zloop_reader (self->loop, zactor_sock (handler->worker), s_on_worker, self);
}

/*  A worker's answer: on to whoever asked. */
static int
s_on_worker (zloop_t *loop, zsock_t *pipe, void *arg)
{
    (void) loop;
    cg_server_t *self = arg;
    zmsg_t *answer = zmsg_recv (pipe);
    char *us = answer ? zmsg_popstr (answer) : NULL;
    zframe_t *status = answer ? zmsg_next (answer) : NULL;
    for (size_t i = 0; i < self->nhandlers; i++)
        if (self->handlers[i].worker && zactor_sock (self->handlers[i].worker) == pipe) {
            self->handlers[i].waiting--;
            if (us)
                s_timing_add (&self->handlers[i], strtoll (us, NULL, 10),
                              status && zframe_streq (status, "error"));
        }
    free (us);
    if (answer)
        zmsg_send (&answer, self->sock);
    return 0;
}

/*  Hands the request msg (identity | command | rid | body) to its worker;
    false, with the refusal in reply, when it has enough waiting. */
static bool
s_hand_over (cg_server_t *self, s_handler_t *handler, zmsg_t *msg, cg_reply_t *reply)
{
    if (handler->waiting >= S_WORKER_WAITING) {
        cg_reply_fail (reply, "busy", NULL, "%s is working out %d %s already; ask again when "
                       "one is answered", self->service, handler->waiting, handler->name);
        return false;
    }
    handler->waiting++;
    zmsg_t *work = zmsg_new ();
    zframe_t *frame = zmsg_first (msg);
    zmsg_addmem (work, zframe_data (frame), zframe_size (frame));
    zmsg_next (msg);
    for (frame = zmsg_next (msg); frame; frame = zmsg_next (msg))
        zmsg_addmem (work, zframe_data (frame), zframe_size (frame));
    /*  the copies lose the key's metadata: it goes along */
    s_peer_t who = s_peer_of (zmsg_last (msg));
    zmsg_addstr (work, who.roles ? who.roles : "");
    zmsg_addstr (work, who.name ? who.name : "");
    zmsg_send (&work, handler->worker);
    return true;
}

/*  Has the daemon answer every deferred request, and sends the answers. */
static void
s_flush (cg_server_t *self)
{
    if (self->deferred && self->flush)
        self->flush (self->flush_arg);
    for (size_t i = 0; i < self->deferred; i++) {
        s_slot_t *slot = &self->slots[i];
        if (slot->reply.deferred)
            cg_reply_fail (&slot->reply, "internal", NULL, "%s left the request unanswered",
                           self->service);
        s_timing_add (&self->handlers[slot->handler], zclock_usecs () - slot->started_us,
                      slot->reply.failed);
        s_answer (self, slot->identity, slot->rid, &slot->reply);
        zframe_destroy (&slot->identity);
        zframe_destroy (&slot->rid);
    }
    self->deferred = 0;
}

static int
s_on_request (zloop_t *loop, zsock_t *sock, void *arg)
{
    (void) loop;
    cg_server_t *self = arg;
    /*  Serve what is waiting, a bounded number at a time, so that timers
        and the bus get their turn. */
    for (int i = 0; i < S_READ_MAX && (zsock_events (sock) & ZMQ_POLLIN); i++) {
        zmsg_t *msg = zmsg_recv (sock);
        if (!msg)
            break;
        zframe_t *identity = zmsg_first (msg), *rid = NULL;
        if (zmsg_size (msg) >= 3) {
            zmsg_next (msg);
            rid = zmsg_next (msg);
        }
        s_slot_t *slot = &self->slots[self->deferred];
        slot->reply.body.size = 0;
        int64_t started = zclock_usecs ();
        s_handler_t *handler = s_handler_of (self, msg, &slot->reply);
        if (handler) {
            /*  a command that answers at once may read what the deferred
                ones change: they go first */
            if (!handler->batch && self->deferred) {
                s_flush (self);
                slot = &self->slots[0];
                slot->reply.body.size = 0;
            }
            if (handler->worker && s_hand_over (self, handler, msg, &slot->reply)) {
                zmsg_destroy (&msg);
                continue;
            }
            if (!handler->worker)
                s_serve (self, handler, zmsg_last (msg), s_peer_of (zmsg_last (msg)),
                         &slot->reply);
        }
        if (slot->reply.deferred) {
            slot->identity = zframe_dup (identity);
            slot->rid = rid ? zframe_dup (rid) : NULL;
            slot->handler = (size_t) (handler - self->handlers);
            slot->started_us = started;
            self->deferred++;
        }
        else {
            if (handler)
                s_timing_add (handler, zclock_usecs () - started, slot->reply.failed);
            s_answer (self, identity, rid, &slot->reply);
        }
        zmsg_destroy (&msg);
    }
    s_flush (self);
    return 0;
}

int
cg_server_attach (cg_server_t *self, zloop_t *loop)
{
    if (self->locked && !self->monitor)
        self->monitor = cg_access_watch (self->sock, self->endpoint, loop);
    self->loop = loop;
    for (size_t i = 0; i < self->nhandlers; i++)
        if (self->handlers[i].worker
        &&  zloop_reader (loop, zactor_sock (self->handlers[i].worker), s_on_worker, self))
            return -1;
    return zloop_reader (loop, self->sock, s_on_request, self);
}

/* --- the client ----------------------------------------------------------- */

struct _cg_client_t {
    zsock_t *sock;
    int timeout_ms;
    int tries;
};

cg_client_t *
cg_client_new (const char *endpoint, int timeout_ms, int tries)
{
    cg_client_t *self = calloc (1, sizeof *self);
    assert (self);
    self->timeout_ms = timeout_ms;
    self->tries = tries > 0 ? tries : 1;
    self->sock = zsock_new (ZMQ_DEALER);
    assert (self->sock);
    zsock_set_linger (self->sock, 0);
    /*  a DEALER whose server refused the handshake (a key it does not
        know) has no peer to queue for: a send would wait for ever */
    zsock_set_sndtimeo (self->sock, timeout_ms);
    cg_access_connect (self->sock, endpoint);
    if (zsock_connect (self->sock, "%s", endpoint)) {
        zsys_error ("command: cannot connect to %s", endpoint);
        cg_client_destroy (&self);
    }
    return self;
}

void
cg_client_destroy (cg_client_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    zsock_destroy (&(*self_p)->sock);
    free (*self_p);
    *self_p = NULL;
}

void
cg_client_new_rid (char *buf, size_t len)
{
    zuuid_t *uuid = zuuid_new ();
    snprintf (buf, len, "%s", zuuid_str_canonical (uuid));
    zuuid_destroy (&uuid);
}

/*  The rid member of a command, which by convention every command has. */
static char **
s_rid_of (const cg_msgdef_t *def, void *req)
{
    for (size_t i = 0; i < def->nfields; i++)
        if (strcmp (def->fields[i].key, "rid") == 0 && def->fields[i].type == CG_F_STR)
            return (char **) ((char *) req + def->fields[i].offset);
    return NULL;
}

/*  Waits for the answer to rid, dropping late answers to earlier tries. */
static zmsg_t *
s_await (cg_client_t *self, const char *rid)
{
    int64_t until = zclock_mono () + self->timeout_ms;
    zpoller_t *poller = zpoller_new (self->sock, NULL);
    zmsg_t *answer = NULL;
    while (!answer) {
        int64_t left = until - zclock_mono ();
        if (left <= 0 || !zpoller_wait (poller, (int) left))
            break;
        zmsg_t *msg = zmsg_recv (self->sock);
        if (!msg)
            break;
        zframe_t *status = zmsg_first (msg), *got = zmsg_next (msg);
        if (status && got && zmsg_size (msg) == 3 && zframe_streq (got, rid))
            answer = msg;
        else
            zmsg_destroy (&msg);
    }
    zpoller_destroy (&poller);
    return answer;
}

int
cg_client_call (cg_client_t *self, const cg_cmddef_t *command, void *req, void *rep,
                cg_error_t *err)
{
    const cg_msgdef_t *req_def = command->request, *rep_def = command->reply;
    char made[40];
    char **rid = s_rid_of (req_def, req);
    assert (rid);               /* every command has a rid */
    bool own_rid = *rid == NULL;
    if (own_rid) {
        cg_client_new_rid (made, sizeof made);
        *rid = made;
    }
    msgpack_sbuffer body;
    msgpack_sbuffer_init (&body);
    int rc = cg_msg_encode (req_def, req, &body, err);
    char rid_copy[72];
    snprintf (rid_copy, sizeof rid_copy, "%s", *rid);
    if (own_rid)
        *rid = NULL;
    if (rc) {
        msgpack_sbuffer_destroy (&body);
        return -1;
    }
    zmsg_t *answer = NULL;
    for (int attempt = 0; attempt < self->tries && !answer && !zsys_interrupted; attempt++) {
        cg_request_send (self->sock, command->name, rid_copy, body.data, body.size);
        answer = s_await (self, rid_copy);
    }
    msgpack_sbuffer_destroy (&body);
    if (!answer) {
        cg_error_set (err, "unavailable", "", "no answer to %s after %d tries of %d ms",
                      command->name, self->tries, self->timeout_ms);
        return -1;
    }
    zframe_t *status = zmsg_first (answer);
    zmsg_next (answer);
    zframe_t *data = zmsg_next (answer);
    if (zframe_streq (status, "ok"))
        rc = cg_msg_decode (rep_def, zframe_data (data), zframe_size (data), rep, err);
    else {
        cg_refusal_t refusal;
        if (cg_msg_decode (&cg_refusal_def, zframe_data (data), zframe_size (data), &refusal,
                           err) == 0) {
            cg_error_set (err, refusal.code, refusal.field, "%s", refusal.message);
            cg_msg_clear (&cg_refusal_def, &refusal);
        }
        rc = -1;
    }
    zmsg_destroy (&answer);
    return rc;
}

void
cg_request_send (zsock_t *sock, const char *command, const char *rid, const void *body,
                 size_t size)
{
    zmsg_t *msg = zmsg_new ();
    zmsg_addstr (msg, command);
    zmsg_addstr (msg, rid);
    zmsg_addmem (msg, body, size);
    if (zmsg_send (&msg, sock))
        zmsg_destroy (&msg);    /* not sent (no peer within the send timeout) */
}
