/*  cg_daemon — what every civgrid daemon does before and after its work.

    Options are the same for all of them:

        civgrid-NAME -c FILE [--log FILE] [--set PATH=VALUE ...] [-v]

    FILE is the ZPL configuration (czmq's zconfig; `civgrid stack up` writes
    DIR/civgrid.cfg), and each --set overrides one value, e.g.
    `--set redis/port=7400`.  cg_daemon_new reads them, connects to Redis
    (unless the daemon has no state, like the broker), binds the command
    socket at NAME/endpoint, and prepares the bus: a publisher towards the
    broker's bus/publish and, on the first cg_daemon_follow, a subscriber at
    bus/subscribe.  A daemon with state also trims its own journal,
    cg:{NAME}:journal, as the journal section says (cg_retention.h).
    cg_daemon_run catches every followed journal up, then runs the loop
    until SIGINT or SIGTERM.

    Its log goes to --log FILE, or standard error, as cg_log.h says.
    SIGHUP opens that file again (logrotate moved it away) and then does
    what cg_daemon_on_hangup asked, which is what `civgrid reload` does;
    the daemon goes on serving.  SIGHUP is blocked in every thread and read
    from a signalfd in the loop: a signal that interrupted zmq_poll would
    end czmq's zloop.
*/
#ifndef CG_DAEMON_H_INCLUDED
#define CG_DAEMON_H_INCLUDED

#include <czmq.h>
#include "cg_bus.h"
#include "cg_command.h"
#include "cg_cursor.h"
#include "cg_redis.h"
#include "cg_retention.h"

typedef struct {
    char *name;
    zconfig_t *config;
    cg_redis_t *redis;          /* NULL for a daemon without state */
    zloop_t *loop;
    cg_server_t *server;
    cg_pub_t *pub;
    cg_sub_t *sub;              /* NULL until something is followed */
    cg_retention_t *retention;  /* of its own journal; NULL for the broker */
    cg_cursor_t *cursor;        /* the codec of its pages' cursors (civgrid/cursor_key) */
    bool verbose;
    int hangup_fd;              /* signalfd of SIGHUP, or -1 */
    int (*hangup_fn) (void *arg);
    void *hangup_arg;
    char lease_key[80];         /* cg:{NAME}:lease (docs/ARCHITECTURE.md, "Standby instances") */
    char *lease_token;          /* this instance's, once active; NULL for the broker */
    bool lease_lost;            /* another instance took over: the loop ended */
    int argc;                   /* the command line, to read the configuration */
    char **argv;                /* again (cg_daemon_config_now) */
} cg_daemon_t;

/*  Flags for cg_daemon_new. */
#define CG_DAEMON_STATELESS     1   /* no Redis, no bus: the broker */

cg_daemon_t *cg_daemon_new (const char *name, int argc, char **argv, int flags);
void cg_daemon_destroy (cg_daemon_t **self_p);

/*  The configuration as its file and --set options say now, for a reload
    that must see an edited file (data/calendar pointed at another one);
    the caller destroys it.  NULL, with a message, when it cannot be read. */
zconfig_t *cg_daemon_config_now (cg_daemon_t *self);

/*  A whole-number setting (a key of CG_SETTINGS, cg_config.h): its value,
    or its one default.  Every setting was checked at start: a typo stops
    the daemon there, naming the file, the key, the range and the unit. */
int64_t cg_daemon_int (cg_daemon_t *self, const char *key);

/*  A configuration value, or `otherwise`. */
const char *cg_daemon_get (cg_daemon_t *self, const char *path, const char *otherwise);

/*  Another connection to the daemon's Redis, as the redis section says
    (an address or Sentinels: cg_redis_configured), whose scripts carry the
    daemon's lease: for a worker thread (cg_server_on_worker), which may
    not share the daemon's.  NULL when Redis cannot be reached. */
cg_redis_t *cg_daemon_redis_new (cg_daemon_t *self);

/*  The pid in the lease token (HOST:PID:RANDOM) of the instance of daemon
    name that is active now, or 0 when none holds the lease: for tests,
    the bench and operators, since the pid is on that instance's host. */
int cg_daemon_lease_pid (cg_redis_t *redis, const char *name);

/*  What SIGHUP does after opening the log again: fn(arg), which returns
    0, or -1 after logging why it changed nothing.  One per daemon. */
void cg_daemon_on_hangup (cg_daemon_t *self, int (*fn) (void *arg), void *arg);

/*  Follow a journal (see cg_bus.h). */
int cg_daemon_follow (cg_daemon_t *self, const char *journal, cg_feed_fn *fn, void *arg);

/*  The daemon keeps its cursors itself (cg_sub_keep_cursors); before it
    follows anything. */
int cg_daemon_keep_cursors (cg_daemon_t *self, cg_cursor_fn *fn, void *arg);

/*  Runs the loop; returns 0, or 1 when it ended because another instance
    took the lease over (a paused instance that woke up a standby). */
int cg_daemon_run (cg_daemon_t *self);

/*  A file in czmq's ZPL (the configuration, the funds file), or NULL when
    it cannot be read or does not parse.  Rather than zconfig_load, which
    keeps its file handle (a leak) when the text does not parse. */
zconfig_t *cg_zpl_load (const char *path);

/*  Loads a config file and applies --set overrides from argv; shared with
    the CLI.  Returns NULL with a message on stderr. */
zconfig_t *cg_config_load (const char *path, int argc, char **argv);

/*  The pid a stack folder names for one of its parts (DIR/run/PART.pid,
    which `civgrid stack up` writes), or 0. */
pid_t cg_stack_pid (const char *dir, const char *part);

#endif
