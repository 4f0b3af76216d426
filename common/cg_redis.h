/*  cg_redis — the connection to Redis, where civgrid keeps its truth.

    A thin layer over hiredis's blocking API, because each daemon is one
    thread on one zloop and Redis on loopback answers in microseconds (a
    worker thread, cg_command.h, has a connection of its own).  It
    adds three things every daemon needs:
    - reconnect: a call that fails on a broken connection reconnects and is
      tried again, for up to `retry_ms`.  That is safe because every civgrid
      state change is a script that is idempotent by cursor or request id;
    - scripts: the Lua scripts of deploy/lua are compiled into the binary
      (cg_scripts[], made by tools/embed-lua.sh), loaded with SCRIPT LOAD on
      first use and loaded again when Redis answers NOSCRIPT (after a
      restart or a SCRIPT FLUSH);
    - cg_args_t, to build an argument vector of strings, integers and binary
      bodies without formatting by hand.
*/
#ifndef CG_REDIS_H_INCLUDED
#define CG_REDIS_H_INCLUDED

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

typedef struct {
    const char *name;       /* the file name without .lua */
    const char *source;     /* prelude.lua + the script */
} cg_script_t;

extern const cg_script_t cg_scripts[];
extern const size_t cg_scripts_count;

/*  An argument vector; the strings are copies owned by it. */
typedef struct {
    int argc;
    char **argv;
    size_t *lens;
    int cap;
} cg_args_t;

void cg_args_init (cg_args_t *args);
void cg_args_add (cg_args_t *args, const void *data, size_t len);
void cg_args_add_str (cg_args_t *args, const char *s);
void cg_args_add_int (cg_args_t *args, int64_t v);
void cg_args_addf (cg_args_t *args, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/*  Each word of line, split at spaces, as an argument: a command written
    out whose arguments hold no space (keys, codes, numbers). */
void cg_args_add_words (cg_args_t *args, const char *line);
/*  Adds msg encoded by its definition (proto/cg_msg.h).  A message that
    breaks its own definition is a bug in the sender: logged, and added as
    whatever was encoded.  Returns 0 or -1. */
struct cg_msgdef;
int cg_args_add_msg (cg_args_t *args, const struct cg_msgdef *def, const void *msg);
/*  Adds the number of msg's fields, then its field/value pairs as a hash
    keeps them (cg_msg_fields): the inverse of cg_reply_hash_msg.  Returns
    the number of pairs. */
int cg_args_add_fields (cg_args_t *args, const struct cg_msgdef *def, const void *msg);
void cg_args_reset (cg_args_t *args);       /* empty, keeping the memory */
void cg_args_free (cg_args_t *args);

typedef struct _cg_redis_t cg_redis_t;

/*  Connects to host:port; NULL when Redis cannot be reached within retry_ms. */
cg_redis_t *cg_redis_new (const char *host, int port, int retry_ms);

/*  Connects as the redis section of config says (see above): an address
    or Sentinels, and the replicas a script's answer waits for.  retry_ms
    below 0 takes redis/retry_ms.  NULL when Redis cannot be reached (or
    a setting is out of range: logged). */
struct _zconfig_t;
cg_redis_t *cg_redis_configured (struct _zconfig_t *config, int retry_ms);

/*  From now on every script call carries the lease: key (cg:{NAME}:lease),
    this instance's token and the lease's time to live, which each call
    renews.  NULL key: none.  Returns whether an earlier call was refused
    because another instance holds the lease (cg_redis_lease_lost). */
void cg_redis_set_lease (cg_redis_t *self, const char *key, const char *token, int ttl_ms);
bool cg_redis_lease_lost (cg_redis_t *self);
void cg_redis_destroy (cg_redis_t **self_p);

/*  The port of the master that the redis section of config leads to (the
    Sentinels' answer, confirmed by ROLE; or redis/port), or 0 when there
    is none within half a second. */
int cg_redis_master_port (struct _zconfig_t *config);

/*  The address of the Redis it is connected to (the master, with
    Sentinels); host valid while self lives. */
void cg_redis_address (cg_redis_t *self, const char **host, int *port);

/*  A command; NULL only when Redis stayed unreachable.  An error reply is
    returned as a reply (type REDIS_REPLY_ERROR).  Free with freeReplyObject. */
redisReply *cg_redis_command (cg_redis_t *self, const char *fmt, ...);

/*  Every key matching pattern, by SCAN (COUNT count a step): fn gets each
    step's keys (an array reply, possibly empty) and stops the scan by
    answering non-zero.  0 when the scan went to its end, -1 when Redis
    could not be asked, else what fn answered. */
typedef int (cg_redis_scan_fn) (const redisReply *keys, void *arg);
int cg_redis_scan (cg_redis_t *self, const char *pattern, int count, cg_redis_scan_fn *fn,
                   void *arg);
redisReply *cg_redis_argv (cg_redis_t *self, const cg_args_t *args);

/*  EVALSHA of the named script with args = KEYS... then ARGV...; nkeys of
    them are keys. */
redisReply *cg_redis_script (cg_redis_t *self, const char *name, int nkeys,
                             const cg_args_t *args);

/*  Pipelining: queue commands, then read their replies in order. */
int cg_redis_append (cg_redis_t *self, const cg_args_t *args);
redisReply *cg_redis_reply (cg_redis_t *self);

/*  Sends the EVALSHA of a script at once, without waiting for its answer,
    so that the caller prepares the next call while Redis runs this one;
    cg_redis_reply reads the answers in order.  Nothing is retried: a
    broken connection gives no reply (NULL), and a NOSCRIPT answer (Redis
    lost its scripts) has them loaded again on next use.  Returns 0, or -1
    when nothing could be sent. */
int cg_redis_script_send (cg_redis_t *self, const char *name, int nkeys,
                          const cg_args_t *args);

/*  Helpers for replies. */
int64_t cg_reply_int (const redisReply *r, int64_t otherwise);   /* INTEGER or numeric STRING */
const char *cg_reply_str (const redisReply *r);                  /* STRING/STATUS or "" */

/*  Decodes every element of an array reply (a list of msgpack bodies, as
    LRANGE or HVALS answer) as a message of def, into a new array that the
    caller frees (cg_msg_clear of the message that holds it does); elements
    that do not decode are skipped.  NULL with *count 0 when there are none. */
void *cg_reply_decode_list (const redisReply *r, const struct cg_msgdef *def, size_t *count);

/*  Fills msg (of def, zeroed first) from the field/value pairs of a hash,
    as HGETALL answers them, by cg_msg_set: fields the message does not
    have are skipped.  Returns 0, 1 when the hash is empty (no such key),
    -1 when r is no such answer. */
int cg_reply_hash_msg (const redisReply *r, const struct cg_msgdef *def, void *msg);

#endif
