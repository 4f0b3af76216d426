/*  Nobody gets in below the gateway (issue #17).  The attempts that worked
    before the stack was locked, repeated: as the `nobody` user on the same
    host (the suite runs as root; setpriv drops to nobody), by a program
    without the stack's keys, with a daemon's own Redis password, and with
    a client key that may assert fewer roles than it claims.  Each must
    fail, leave nothing changed, and the stack must keep serving. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_access.h"

#include <hiredis/hiredis.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_NOBODY    "setpriv --reuid=nobody --regid=nogroup --clear-groups "
#define S_CENTER    "--actor center:320602001:王"

static char *
s_submit (cg_teststack_t *stack, const char *ref)
{
    return cg_testcli_submit (stack, "--source hotline --ext-ref %s --category noise "
                              "--text 工农路夜间施工噪声扰民 --grid 320602001001001 "
                              "--name 王小明 --phone 13812345678", ref);
}

/*  A Redis connection logged in with a daemon's own password, as a
    process that stole that one file would have it. */
static redisContext *
s_redis_as (cg_teststack_t *stack, const char *user)
{
    char path[700], password[128] = "";
    snprintf (path, sizeof path, "%s/redis/%s.pass", zconfig_get (stack->config, "access/dir", ""),
              user);
    FILE *f = fopen (path, "r");
    cr_assert (f, "no password file %s", path);
    cr_assert (fgets (password, sizeof password, f));
    fclose (f);
    password[strcspn (password, "\n")] = 0;
    redisContext *ctx = redisConnect ("127.0.0.1",
                                      atoi (zconfig_get (stack->config, "redis/port", "0")));
    cr_assert (ctx && !ctx->err);
    redisReply *r = redisCommand (ctx, "AUTH %s %s", user, password);
    cr_assert (r && r->type == REDIS_REPLY_STATUS, "%s cannot log in", user);
    freeReplyObject (r);
    return ctx;
}

/*  Runs a command as that user: refused with NOPERM, or allowed. */
static void
s_redis_expect (redisContext *ctx, bool allowed, const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    redisReply *r = redisvCommand (ctx, fmt, ap);
    va_end (ap);
    cr_assert (r, "no answer to %s", fmt);
    bool refused = r->type == REDIS_REPLY_ERROR && strncmp (r->str, "NOPERM", 6) == 0;
    cr_assert (allowed ? !refused : refused, "%s: %s (want %s)", fmt,
               r->type == REDIS_REPLY_ERROR ? r->str : "answered",
               allowed ? "allowed" : "NOPERM");
    freeReplyObject (r);
}

/*  A socket of the given type without any key, connected to endpoint: what
    any process on the host can open. */
static zsock_t *
s_keyless (int type, const char *endpoint)
{
    zsock_t *sock = zsock_new (type);
    zsock_set_linger (sock, 0);
    zsock_set_sndtimeo (sock, 1000);   /* refused at the handshake: nothing to send to */
    cr_assert_eq (zsock_connect (sock, "%s", endpoint), 0);
    return sock;
}

Test (access, nobody_on_the_same_host_gets_nothing_below_the_gateway, .timeout = 300)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *id = s_submit (stack, "ACL-1");
    const char *secrets = zconfig_get (stack->config, "access/dir", "");
    const char *port = zconfig_get (stack->config, "redis/port", "");
    char out[8192];

    /*  the folders on the way are open to everyone, as a stack's folder
        usually is; the stack's own files are not */
    char parent[600];
    snprintf (parent, sizeof parent, "%s", stack->dir);
    *strrchr (parent, '/') = 0;
    chmod (parent, 0755);
    chmod (stack->dir, 0755);
    cr_assert_neq (cg_test_shell (out, sizeof out, S_NOBODY "cat %s/redis/admin.pass", secrets), 0,
                   "nobody read the admin's Redis password: %s", out);
    cr_assert_neq (cg_test_shell (out, sizeof out, S_NOBODY "cat %s/curve/admin.key", secrets), 0);
    cr_assert_neq (cg_test_shell (out, sizeof out, S_NOBODY "cat %s/redis/dispatch.pass",
                                  secrets), 0);
    cr_assert_neq (cg_test_shell (out, sizeof out, S_NOBODY "cat %s/civgrid.cfg", stack->dir), 0,
                   "nobody read the configuration, which holds the sealing key");
    cr_assert_neq (cg_test_shell (out, sizeof out, S_NOBODY "ls %s", secrets), 0);
    cr_assert_neq (cg_test_shell (out, sizeof out, S_NOBODY "ls %s/redis", stack->dir), 0,
                   "nobody could read Redis's AOF: %s", out);
    cr_assert_neq (cg_test_shell (out, sizeof out, S_NOBODY "cat %s/redis.conf", stack->dir), 0);
    cr_assert_neq (cg_test_shell (out, sizeof out, S_NOBODY "cat %s/log/intake.log",
                                  stack->dir), 0, "nobody read a daemon's log: %s", out);

    /*  Redis: the default user is off, so nobody writes no token and reads
        no case; a guessed admin password is refused */
    cg_test_shell (out, sizeof out, S_NOBODY "redis-cli -p %s HSET cg:{gateway}:token:forged "
             "role admin scope 320600 name mallory", port);
    cr_assert (strstr (out, "NOAUTH"), "nobody wrote a token: %s", out);
    cg_test_shell (out, sizeof out, S_NOBODY "redis-cli -p %s HGETALL cg:{dispatch}:case:%s",
                   port, id);
    cr_assert (strstr (out, "NOAUTH") && !strstr (out, "13812345678"), "%s", out);
    cg_test_shell (out, sizeof out, S_NOBODY "redis-cli -p %s --user admin --pass guess "
             "--no-auth-warning PING", port);
    cr_assert (strstr (out, "WRONGPASS"), "%s", out);
    cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{gateway}:token:forged"), 0);

    /*  the forged rejection of the issue, as nobody with what it can know
        (the ports, in a configuration of its own): no daemon answers */
    char own[700];
    snprintf (own, sizeof own, "%s/nobody", stack->dir);
    cr_assert_eq (mkdir (own, 0755), 0);
    char path[800];
    snprintf (path, sizeof path, "%s/civgrid.cfg", stack->dir);
    zconfig_t *copy = zconfig_load (path);
    cr_assert (copy);
    zconfig_put (copy, "access/dir", "");
    zconfig_put (copy, "intake/key", "");
    snprintf (path, sizeof path, "%s/civgrid.cfg", own);
    cr_assert_eq (zconfig_save (copy, path), 0);
    chmod (path, 0644);
    zconfig_destroy (&copy);
    int rc = cg_test_shell (out, sizeof out, S_NOBODY "%s/civgrid reject %s --note 恶意 "
                      "--actor admin:320600:mallory --dir %s",
                      getenv ("CG_BIN") ? getenv ("CG_BIN") : "build/asan/bin", id, own);
    cr_assert_neq (rc, 0, "nobody rejected a case: %s", out);
    cr_assert (strstr (out, "unavailable"), "%s", out);

    /*  a command without a key, at every daemon's port, and a subscription
        to the bus without one: nothing answers, nothing arrives */
    zsock_t *plain[16];
    size_t nplain = 0;
    for (zconfig_t *section = zconfig_child (stack->config); section && nplain < 16;
         section = zconfig_next (section)) {
        const char *endpoint = zconfig_get (section, "endpoint", NULL);
        if (!endpoint)
            continue;
        plain[nplain] = s_keyless (ZMQ_DEALER, endpoint);
        cg_ping_t ping = { .rid = "p-1" };
        cg_test_send (plain[nplain++], "ping", "p-1", &cg_ping_def, &ping);
    }
    cr_assert_geq (nplain, 7, "every daemon has a command port");
    const char *bus = zconfig_get (stack->config, "bus/subscribe", "");
    zsock_t *eavesdropper = s_keyless (ZMQ_SUB, bus);
    zsock_set_subscribe (eavesdropper, "");
    zsock_t *keyed = zsock_new (ZMQ_SUB);
    cr_assert_eq (cg_access_connect (keyed, bus), 0);
    zsock_connect (keyed, "%s", bus);
    zsock_set_subscribe (keyed, "intake/");
    zclock_sleep (500);
    free (s_submit (stack, "ACL-2"));
    zmsg_t *seen = NULL;
    for (int i = 0; i < 30 && !seen; i++) {
        zpoller_t *poller = zpoller_new (keyed, NULL);
        if (zpoller_wait (poller, 1000))
            seen = zmsg_recv (keyed);
        zpoller_destroy (&poller);
    }
    cr_assert (seen, "a subscriber with the admin key heard nothing");
    zmsg_destroy (&seen);
    zpoller_t *poller = zpoller_new (eavesdropper, NULL);
    for (size_t i = 0; i < nplain; i++)
        zpoller_add (poller, plain[i]);
    cr_assert_null (zpoller_wait (poller, 2000), "a socket without a key got an answer or an "
                    "event");
    zpoller_destroy (&poller);
    for (size_t i = 0; i < nplain; i++)
        zsock_destroy (&plain[i]);
    const char *logged[] = { "broker", "intake", "dispatch", "gateway" };
    for (size_t i = 0; i < sizeof logged / sizeof logged[0]; i++)
        cr_assert_geq (cg_teststack_log_count (stack, logged[i], "access: refused a connection"), 1,
                       "%s did not log the connection without a key", logged[i]);
    zsock_destroy (&eavesdropper);
    zsock_destroy (&keyed);

    /*  the case is as it was, and the stack still serves */
    cg_testcli_says (stack, 0, "dispatched", "case show %s", id);
    free (id);
    cg_teststack_down (&stack);
}

Test (access, a_daemon_password_reads_only_what_the_daemon_reads, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *id = s_submit (stack, "ACL-3");
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "EXISTS cg:{intake}:req:%s", id), 1);

    /*  intake reads the state of dispatch's cases (to merge); it may not
        change one, nor read tokens, funds or intake's ledger of others */
    redisContext *intake = s_redis_as (stack, "intake");
    s_redis_expect (intake, true, "HGET cg:{dispatch}:case:%s state", id);
    s_redis_expect (intake, false, "HSET cg:{dispatch}:case:%s state rejected", id);
    s_redis_expect (intake, false, "DEL cg:{dispatch}:case:%s", id);
    s_redis_expect (intake, false, "HSET cg:{gateway}:token:forged role admin");
    s_redis_expect (intake, false, "KEYS *");
    s_redis_expect (intake, false, "CONFIG SET appendonly no");
    s_redis_expect (intake, false, "FLUSHALL");
    s_redis_expect (intake, true, "HGET cg:{intake}:req:%s record", id);
    redisFree (intake);

    /*  dispatch follows intake's journal: it reads it, registers in its
        consumers, and reads no intake record (callers' names and phones) */
    redisContext *dispatch = s_redis_as (stack, "dispatch");
    s_redis_expect (dispatch, true, "XRANGE cg:{intake}:journal - + COUNT 1");
    s_redis_expect (dispatch, false, "HGET cg:{intake}:req:%s record", id);
    s_redis_expect (dispatch, false, "XADD cg:{intake}:journal * t forged b x");
    s_redis_expect (dispatch, false, "GET cg:{fund}:seq");
    redisFree (dispatch);

    /*  the gateway reads dispatch's journal for its stream, and writes none */
    redisContext *gateway = s_redis_as (stack, "gateway");
    s_redis_expect (gateway, true, "XRANGE cg:{dispatch}:journal - + COUNT 1");
    s_redis_expect (gateway, false, "HGETALL cg:{dispatch}:case:%s", id);
    s_redis_expect (gateway, false, "HGET cg:{intake}:req:%s record", id);
    redisFree (gateway);

    cg_testcli_says (stack, 0, "dispatched", "case show %s", id);
    free (id);
    cg_teststack_down (&stack);
}

Test (access, a_client_key_asserts_only_its_roles, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *a = s_submit (stack, "ACL-4");
    char clerk[700], stranger[700];
    snprintf (clerk, sizeof clerk, "%s/clerk.key", stack->dir);
    cg_testcli_says (stack, 0, "key clerk may assert center", "key add clerk --roles center "
                     "--out %s", clerk);
    cg_testcli_says (stack, 0, "center", "key list");
    cg_testcli_says (stack, 1, "exists", "key add clerk2 --roles center --out %s", clerk);
    cg_testcli_says (stack, 1, "on the allow list", "key add clerk --roles admin --out %s.2",
                     clerk);
    cg_testcli_says (stack, 1, "--roles", "key add clerk3 --roles 'ad min'");

    /*  the forged rejection, in the name of a city admin, with a
        key that may act for a center only: refused, naming the actor */
    char *out = cg_testcli (stack, 1, "reject %s --note 恶意 --actor admin:320600:mallory "
                            "--key %s", a, clerk);
    cr_assert (strstr (out, "forbidden: actor") && strstr (out, "may act as center"), "%s", out);
    free (out);
    /*  the citizen's phone, by claiming a role that sees it unmasked */
    out = cg_testcli (stack, 1, "intake show %s --role supervisor --key %s", a, clerk);
    cr_assert (strstr (out, "forbidden: role") && !strstr (out, "13812345678"), "%s", out);
    free (out);
    out = cg_testcli (stack, 0, "case show %s", a);
    cr_assert (strstr (out, "dispatched") && !strstr (out, "mallory"), "%s", out);
    free (out);

    /*  what the key may assert, it does; admin's key asserts anything */
    cg_testcli_says (stack, 0, "rejected", "reject %s --note 重复来电 %s --key %s", a,
                     S_CENTER, clerk);
    cg_testcli_says (stack, 0, "13812345678", "intake show %s --role supervisor", a);

    /*  a key off the allow list is refused, and the daemon logs it */
    snprintf (stranger, sizeof stranger, "%s/stranger.key", stack->dir);
    zcert_t *cert = zcert_new ();
    cr_assert_eq (zcert_save_secret (cert, stranger), 0);
    zcert_destroy (&cert);
    cg_testcli_says (stack, 1, "unavailable", "case show %s --key %s", a, stranger);
    cg_testcli_says (stack, 0, "removed", "key remove clerk");
    cg_testcli_says (stack, 1, "unavailable", "case show %s --key %s", a, clerk);
    cg_testcli_says (stack, 1, "not a client", "key remove dispatch");
    cr_assert_geq (cg_teststack_log_count (stack, "dispatch", "denied (CURVE)"), 2,
                   "dispatch did not log the refused keys");
    cr_assert_geq (cg_teststack_log_count (stack, "dispatch", "its key may not act as admin"), 1,
                   "dispatch did not log the forged actor");
    free (a);
    cg_teststack_down (&stack);
}
