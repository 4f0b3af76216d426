/*  cg_access — the locks below the gateway: who may talk to whom.

    A stack's secrets live in one folder, access/dir in its configuration
    (DIR/secrets, which `civgrid stack up` makes, mode 0700, its files 0600):

        redis.acl             Redis's ACL file: the default user off, a user
                              per daemon, and admin (SHA-256 of passwords)
        redis/NAME.pass       the password of Redis user NAME
        curve/NAME.key        NAME's CURVE key pair (zcert, secret part)
        curve/allow/NAME.cert NAME's public key: the allow list.  The cert's
                              metadata `roles` says which roles NAME may
                              assert in a command's actor or role ("*": any)

    Redis: every daemon logs in as itself and may write only its own keys,
    cg:{NAME}:*, and read only what its row of cg_access_rules says it reads
    of others' (Redis's %R~ patterns).  The CLI, the tests and the bench log
    in as admin.

    ZeroMQ: every socket is CURVE.  A daemon's command socket and the
    broker's two bus sockets are CURVE servers with the key of their owner;
    every client (a daemon's publisher, subscriber and command clients, the
    CLI, tests, bench) presents its own key and checks the server's.  A ZAP
    handler (czmq's zauth, one per serving process) admits only keys whose
    certificate is in curve/allow, and logs each one it refuses.  The
    command server (cg_command.c) then takes the actor's authority only as
    far as the peer's `roles` allow (cg_access_may_claim).

    A process acts as one principal on a stack: a daemon as itself, every
    other program as admin unless given another key.  It says so once per
    stack with cg_access_use; from then on the sockets and Redis connections
    it opens to that stack's addresses (found by address: a test may talk to
    several stacks) are locked with that principal's keys.  A stack without
    access/dir (a bare Redis in a unit test) is open, as before.

    A new daemon is one row of cg_access_rules (cg_access.c); a new key
    family of a daemon needs nothing, unless another daemon reads it: then
    that reader's row names it.
*/
#ifndef CG_ACCESS_H_INCLUDED
#define CG_ACCESS_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>

/*  What a daemon may touch of others' keys in Redis.  Its own, cg:{name}:*,
    it may read and write; the test clock (cg:{clock}:*) every daemon reads;
    a daemon with a journal reads its consumers' cursors on it
    (cg:{*}:cursor:NAME) to trim it (cg_retention.h). */
typedef struct {
    const char *name;           /* the daemon, its Redis user and its keys cg:{name}: */
    bool redis;                 /* false: no Redis at all (the broker) */
    const char *reads;          /* patterns of others' keys it reads, space-separated */
    const char *follows;        /* journals it follows (cg_bus.h), space-separated */
    const char *commands;       /* beyond every daemon's, e.g. "+bgrewriteaof", or "" */
} cg_access_rule_t;

extern const cg_access_rule_t cg_access_rules[];
extern const size_t cg_access_rules_count;

/*  The principal of programs that are not daemons: the CLI, tests, bench. */
#define CG_ACCESS_ADMIN     "admin"

/*  Makes whatever is missing of the secrets of a stack whose configuration
    is config (access/dir): a key pair and a Redis password for every daemon
    it configures and for admin, then writes the ACL file again.  Existing
    keys and passwords are kept.  Returns 0, or -1 with a message on stderr
    (e.g. a daemon without a row in cg_access_rules). */
int cg_access_make (zconfig_t *config);

/*  The lines of a Redis replica's configuration that log it in to its
    master as user replica (masteruser, masterauth), and of a Sentinel's:
    how it logs in to the Redis it watches and to the other Sentinels (as
    user sentinel), and its own users: default off, sentinel and admin with
    every right, each daemon only SENTINEL get-master-addr-by-name.  For a
    stack with redis/replicas or redis/sentinels, whose ACL file has the
    users replica and sentinel too.  Nothing for an open stack.  Returns 0
    or -1 (a password missing). */
int cg_access_write_replica (FILE *f, zconfig_t *config);
int cg_access_write_sentinel (FILE *f, zconfig_t *config, const char *master);

/*  Makes a key pair for a client NAME that may assert only `roles` (comma-
    separated; "*" for any) and puts its public key on the allow list; the
    secret part goes to out (a file path).  Returns 0 or -1. */
int cg_access_add_client (zconfig_t *config, const char *name, const char *roles,
                          const char *out);

/*  From now on, this process talks to the stack of config as principal: a
    name (a daemon, admin), or the path of a key file (cg_access_add_client),
    which gives no Redis login.  Returns 0, or -1 when the stack is locked
    and the principal's key cannot be read. */
int cg_access_use (zconfig_t *config, const char *principal);

/*  Forgets every stack and stops the ZAP handler (at the end of main). */
void cg_access_end (void);

/*  Before zsock_bind of a server socket at endpoint (one of a stack's
    addresses): makes it a CURVE server with its owner's key, behind the
    allow list.  Returns 1 when so locked, 0 for an open stack (nothing
    done), -1 when it cannot be (logged). */
int cg_access_serve (zsock_t *sock, const char *endpoint);

/*  Logs every connection to a locked server socket (at endpoint) that
    fails its handshake: a client without CURVE, or with a wrong server key
    (zauth logs the keys it refuses).  Returns the monitor, which the
    caller destroys after the loop; NULL for an open stack. */
zactor_t *cg_access_watch (zsock_t *sock, const char *endpoint, zloop_t *loop);

/*  Before zsock_connect of a client socket to endpoint: presents this
    process's key and expects the server's.  Nothing for an open stack.
    Returns 0 or -1 (logged: the connection will be refused). */
int cg_access_connect (zsock_t *sock, const char *endpoint);

/*  The Redis login of this process for the Redis at port: true with user
    and password (valid until cg_access_end), false for an open stack. */
bool cg_access_redis_login (int port, const char **user, const char **password);

/*  Whether a peer whose key allows `roles` (its certificate's metadata;
    NULL: an open stack, anything goes) may assert `role`. */
bool cg_access_may_claim (const char *roles, const char *role);

#endif
