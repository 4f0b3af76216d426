/*  cg_command — commands: "please do something", sent to the one daemon
    that owns the thing, answered once.

    A client's DEALER talks to the daemon's ROUTER.  A request is
        command name | request id | msgpack body
    and the answer
        "ok" or "error" | request id | msgpack body
    where the body of "error" is the `error` message (code, field,
    message).  The request id is also the `rid` field of the body; the
    daemon's scripts remember the first answer to each rid, so a client that
    hears nothing may send the same request again, as cg_client_call does,
    and nothing is done twice.  Answers to an earlier try that arrive late
    are recognised by their request id and dropped.

    Every server answers `ping` itself, which is how `civgrid stack up`
    knows a daemon is serving.

    Batches.  A server reads every request already waiting on its socket
    (up to 256) in one wake-up.  A handler registered with
    cg_server_on_batch may leave its answer for later (cg_reply_defer) and
    keep the reply, so that a daemon can do the work of many requests in one
    Redis call: the server then calls the flush function
    (cg_server_set_flush) once, and sends each deferred answer, with its own
    request id, after it.  It flushes after the last request it read, and
    before it serves a request of any handler registered with plain
    cg_server_on, so that a command that reads state sees what the requests
    before it changed.  Handlers of cg_server_on answer at once, as before.

    Workers.  A query that reads much (statistics over years) would hold up
    every command behind it.  A handler registered with cg_server_on_worker
    runs on a thread of its own: the server hands it each such request
    (after flushing the deferred ones, as for any reading command) and goes
    on serving; the worker answers through the server's socket, in the
    order it took them.  Its handler gets its own `arg`, which no other
    thread may touch: its own Redis connection, its own copy of what it
    reads.  A worker has at most 64 requests waiting; more are refused at
    once with code "busy", so that the loop never waits on it.
*/
#ifndef CG_COMMAND_H_INCLUDED
#define CG_COMMAND_H_INCLUDED

#include <czmq.h>
#include "cg_msg.h"
#include "cg_commands.h"

/* --- the server side ------------------------------------------------------ */

/*  What a handler answers: cg_reply_ok with a message, or cg_reply_fail. */
typedef struct {
    bool failed;
    bool deferred;              /* answered later, by the server's flush function */
    msgpack_sbuffer body;
} cg_reply_t;

void cg_reply_ok (cg_reply_t *reply, const cg_msgdef_t *def, const void *msg);
void cg_reply_fail (cg_reply_t *reply, const char *code, const char *field,
                    const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));
void cg_reply_error (cg_reply_t *reply, const cg_error_t *err);
/*  The handler (of cg_server_on_batch) answers later: it keeps reply until
    the flush function answers it with cg_reply_ok or cg_reply_fail. */
void cg_reply_defer (cg_reply_t *reply);

/*  request is the decoded struct of the command's request definition
    (proto/cg_commands.h); the server clears it after the handler returns. */
typedef void (cg_command_fn) (void *request, cg_reply_t *reply, void *arg);

typedef struct _cg_server_t cg_server_t;

cg_server_t *cg_server_new (const char *service, const char *endpoint);
void cg_server_destroy (cg_server_t **self_p);
/*  Serves command, one of proto's (cg_commands.h), which this daemon must
    own: a handler for another daemon's command is a mistake in the code. */
void cg_server_on (cg_server_t *self, const cg_cmddef_t *command, cg_command_fn *fn,
                   void *arg);
/*  A handler that may defer its answers (see "Batches" above). */
void cg_server_on_batch (cg_server_t *self, const cg_cmddef_t *command, cg_command_fn *fn,
                         void *arg);
/*  A handler served on a worker thread of its own (see "Workers" above);
    arg belongs to that thread from now on. */
void cg_server_on_worker (cg_server_t *self, const cg_cmddef_t *command, cg_command_fn *fn,
                          void *arg);
/*  Answers every deferred reply, in one go. */
typedef void (cg_flush_fn) (void *arg);
void cg_server_set_flush (cg_server_t *self, cg_flush_fn *fn, void *arg);
int cg_server_attach (cg_server_t *self, zloop_t *loop);
/*  For ping's `handled`: a counter the daemon keeps up to date. */
void cg_server_set_counter (cg_server_t *self, int64_t (*fn) (void *), void *arg);

/*  Metrics.  Every server also answers `metrics` itself: for each command
    it serves, how many were answered and refused since start and a
    histogram of the time each took in the daemon, from the moment it was
    read to its answer (a deferred one's at the flush, a worker's on its
    thread); then the gauges its hooks add (up to 4 hooks: cg_daemon's
    journal and consumers, a daemon's own), which count what the daemon
    owns, now.  The gateway's /metrics asks every daemon (docs/API.md). */
typedef void (cg_metrics_fn) (cg_metrics_t *metrics, void *arg);
void cg_server_on_metrics (cg_server_t *self, cg_metrics_fn *fn, void *arg);
/*  Adds one sample: name (civgrid_...), its value, and its labels as
    Prometheus writes them, printf-style (NULL: none). */
void cg_metrics_gauge (cg_metrics_t *metrics, const char *name, int64_t value,
                       const char *labels, ...) __attribute__ ((format (printf, 4, 5)));

/* --- the client side ------------------------------------------------------ */

typedef struct _cg_client_t cg_client_t;

/*  Waits timeout_ms for an answer and tries `tries` times in all. */
cg_client_t *cg_client_new (const char *endpoint, int timeout_ms, int tries);
void cg_client_destroy (cg_client_t **self_p);

/*  Sends `command` (proto/cg_commands.h) with req (of its request
    definition; its rid is made when NULL) and decodes the answer into rep
    (of its reply definition).  Returns 0, or -1 with err: the daemon's
    refusal, or code "unavailable" when no answer came. */
int cg_client_call (cg_client_t *self, const cg_cmddef_t *command, void *req, void *rep,
                    cg_error_t *err);

/*  A fresh request id. */
void cg_client_new_rid (char *buf, size_t len);

/*  Sends one request as the command protocol frames it, command | rid |
    body (size bytes of msgpack), on a DEALER; for callers that pipeline
    requests and match the answers themselves (cg_client_call waits for
    each). */
void cg_request_send (zsock_t *sock, const char *command, const char *rid, const void *body,
                      size_t size);

#endif
