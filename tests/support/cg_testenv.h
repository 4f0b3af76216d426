/*  cg_testenv — real parts for tests: a private redis-server, or a whole
    stack of daemons started with the real CLI on free ports, in a folder
    under $CG_TEST_TMP (which tools/run-tests.sh makes and cleans).  The
    binaries are those in $CG_BIN (build/asan/bin under `make test`). */
#ifndef CG_TESTENV_H_INCLUDED
#define CG_TESTENV_H_INCLUDED

#include "cg_daemon.h"

typedef struct {
    char dir[512];
    zconfig_t *config;
    cg_redis_t *redis;
} cg_teststack_t;

/*  Starts a stack; extra is appended to `civgrid stack up` (e.g.
    "--set data/catalog=/path").  Fails the test if it does not come up. */
cg_teststack_t *cg_teststack_up (const char *extra);
/*  The same in a folder of the test's choosing, which may hold a stack
    already (one restored from a backup). */
cg_teststack_t *cg_teststack_up_in (const char *dir, const char *extra);
void cg_teststack_down (cg_teststack_t **self_p);

/*  The pid of a part, from its pid file. */
int cg_teststack_pid (cg_teststack_t *self, const char *part);
/*  kill -9 a part (redis, broker, intake, ...). */
void cg_teststack_kill9 (cg_teststack_t *self, const char *part);
/*  Stops a part with SIGTERM and waits until it is gone: a daemon lets go
    of its lease, and a second instance started by the test is then the
    active one at once, not a standby. */
void cg_teststack_stop (cg_teststack_t *self, const char *part);
/*  `civgrid stack up` again: starts what is missing. */
void cg_teststack_restart (cg_teststack_t *self);
/*  A client for a daemon of the stack (3 tries of 5 s: a loaded machine
    running sanitizer builds is slow, and a test must not fail for that). */
cg_client_t *cg_teststack_client (cg_teststack_t *self, const char *daemon);
/*  A DEALER with the test's key (admin's: cg_access.h), connected to a
    daemon's command endpoint: for tests that frame requests themselves. */
zsock_t *cg_teststack_dealer (cg_teststack_t *self, const char *daemon);
/*  Runs the CLI against the stack; returns its exit code and its standard
    output in out (malloc'd, may be NULL). */
int cg_teststack_cli (cg_teststack_t *self, char **out, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  Sends body as a raw command frame to a daemon of the stack and asserts
    that it is refused naming field, with words in the message. */
void cg_teststack_refused (cg_teststack_t *self, const char *daemon, const char *command,
                           const void *body, size_t size, const char *field, const char *words);

/*  Waits until the Redis integer from `cmd` reaches want, up to timeout_ms;
    returns the last value seen. */
int64_t cg_teststack_await (cg_teststack_t *self, int64_t want, int timeout_ms,
                            const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

/*  How many references (source|ext_ref) intake remembers: the fields of
    its period hashes cg:{intake}:ext:<period> (deploy/lua/intake/lib.lua);
    and the same once it reaches want, waiting up to timeout_ms. */
int64_t cg_teststack_refs (cg_teststack_t *self);
int64_t cg_teststack_await_refs (cg_teststack_t *self, int64_t want, int timeout_ms);

/*  Waits until notification has sent at least want deliveries, up to
    timeout_ms; returns how many it has sent and still keeps: the hashes
    cg:{notification}:d:<id> whose state is sent, or none (a notice that
    went straight into an in-app inbox). */
int64_t cg_teststack_await_sent (cg_teststack_t *self, int64_t want, int timeout_ms);

/*  Keeps a journal whole for a test that reads all of it at the end:
    registers the test as a consumer that has applied nothing, so the
    journal's owner trims none of it (cg_retention.h). */
void cg_teststack_keep_journal (cg_teststack_t *self, const char *journal);

/*  Appends an event to a journal exactly as its owner does (INCR the
    sequence, XADD under it, in one call), for tests that need an event its
    owner would raise only after a long story.  Returns the sequence number. */
int64_t cg_teststack_journal (cg_teststack_t *self, const char *journal, const char *topic,
                              const cg_msgdef_t *def, const void *msg);

/*  Sends msg (of def) as the command frames command | rid | body, without
    waiting for the answer: for tests that pipeline on a DEALER. */
void cg_test_send (zsock_t *dealer, const char *command, const char *rid,
                   const cg_msgdef_t *def, const void *msg);

/*  Entries from..to of a journal as its owner appends them (topic
    thing.happened, body "body<seq>"), for tests of common/. */
void cg_testredis_journal (cg_redis_t *redis, const char *journal, int from, int to);

/*  An integer answer of a Redis command of the stack (-1 when none). */
int64_t cg_teststack_int (cg_teststack_t *self, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/*  A lone redis-server on a free port, for tests of common/. */
typedef struct {
    char dir[512];
    int port;
    int pid;
} cg_testredis_t;

cg_testredis_t *cg_testredis_start (void);
void cg_testredis_stop (cg_testredis_t **self_p);

/*  Runs a shell command (stderr with stdout); its exit code, and its
    output in out (len bytes at most). */
int cg_test_shell (char *out, size_t len, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/*  Fails the test when any log of the stack holds a secret: the sealing
    key, the cursor key, a Redis password, a CURVE secret key, or any of
    more (NULL-terminated, may be NULL: passwords, tokens the test used). */
void cg_teststack_no_secrets_logged (cg_teststack_t *self, const char *const *more);

/*  How many lines of a part's log (DIR/log/PART.log) hold words. */
int cg_teststack_log_count (cg_teststack_t *self, const char *part, const char *words);

/*  Where the repository is ($CG_ROOT, else "."). */
const char *cg_test_root (void);
/*  A free TCP port on loopback. */
int cg_test_free_port (void);
/*  How many files lie under dir, in it and its folders (0 when it is not there). */
int cg_test_count_files (const char *dir);

#endif
