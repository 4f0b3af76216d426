/*  Failover and standby instances (docs/ARCHITECTURE.md, "Failover" and
    "Standby instances").

    Redis: a stack with one replica and three Sentinels on loopback
    (`civgrid stack up --replicas 1 --sentinels 3`).  While a hotline
    pushes orders from a thread of its own, the master is killed with -9:
    the Sentinels promote the replica, the daemons find it, and the old
    master, started again as a supervisor would (`stack up`, which asks the
    Sentinels and makes it a replica of the new master), gives the new
    master the replica every answer waits for.  Orders are taken again
    within 10 s of the kill.  Then the new master is killed, and the old one
    comes back believing it is still the master (its own configuration, as
    Sentinel last rewrote it): it refuses every write, since it has no
    replica (min-replicas-to-write), and the daemons never ask it, since
    the Sentinels name the other.  At the end every order the hotline heard
    a case id for is there, once: sent again it is a repeat with the same
    id, and dispatch's journal dispatched each case exactly once.

    Standby: a second dispatch waits beside the first; the first is killed
    with -9 under load, the second takes over within 5 s, and no case is
    lost or dispatched twice.  Then a third waits, the second is paused
    (SIGSTOP) until the third has taken over, and when it wakes its scripts
    are refused by the lease check and it stops. */
#include <criterion/criterion.h>
#include "cg_testcase.h"
#include "cg_access.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_MAX_ORDERS 400

/*  What the hotline heard for each order; written by the submitter. */
typedef struct {
    const char *endpoint;
    const char *tag;            /* ext_ref prefix, one per test */
    int orders;
    int pause_ms;               /* between orders */
    char ids[S_MAX_ORDERS][32]; /* the case id heard, or "" */
    int64_t acked_at[S_MAX_ORDERS];
    volatile int done;          /* orders sent so far */
} s_hotline_t;

/*  An order's text: a real complaint, about 900 bytes of Chinese with a
    control character from Word in it. */
static void
s_text (char *buf, size_t len, int i)
{
    snprintf (buf, len, "第%d号来电：", i);
    const char *sentence = "市民反映小区东门路灯已损坏一周，夜间出行很不方便，老人孩子摔倒风险大，"
                           "\x0b请相关部门尽快派人维修并回复处理结果。";
    while (strlen (buf) + strlen (sentence) + 1 < len && strlen (buf) < 900)
        strcat (buf, sentence);
}

static bool
s_order (cg_client_t *intake, const char *tag, int i, char *id, size_t len, bool *repeat)
{
    char ext[48], text[1200];
    snprintf (ext, sizeof ext, "%s-%04d", tag, i);
    s_text (text, sizeof text, i);
    return cg_testcase_order (intake, ext, text, id, len, repeat);
}

static void *
s_submitter (void *arg)
{
    s_hotline_t *h = arg;
    cg_client_t *intake = cg_client_new (h->endpoint, 5000, 1);
    for (int i = 0; i < h->orders; i++) {
        bool repeat = false;
        if (s_order (intake, h->tag, i, h->ids[i], sizeof h->ids[i], &repeat))
            h->acked_at[i] = zclock_mono ();
        else
            h->ids[i][0] = 0;
        h->done = i + 1;
        if (h->pause_ms)
            zclock_sleep (h->pause_ms);
    }
    cg_client_destroy (&intake);
    return NULL;
}

/*  The hotline starts pushing orders to the stack's intake. */
static pthread_t
s_hotline_start (cg_teststack_t *stack, s_hotline_t *h, const char *tag, int orders,
                 int pause_ms)
{
    h->endpoint = zconfig_get (stack->config, "intake/endpoint", "");
    h->tag = tag;
    h->orders = orders;
    h->pause_ms = pause_ms;
    pthread_t thread;
    cr_assert_eq (pthread_create (&thread, NULL, s_submitter, h), 0);
    return thread;
}

static void
s_wait_orders (s_hotline_t *h, int count)
{
    int64_t until = zclock_mono () + 120000;
    while (h->done < count)
        cr_assert (zclock_mono () < until, "the hotline is stuck at %d orders", h->done);
}

/*  The first order acknowledged after `since`, and when: -1 if none. */
static int64_t
s_first_ack_after (s_hotline_t *h, int64_t since)
{
    int64_t first = -1;
    for (int i = 0; i < h->done; i++)
        if (h->ids[i][0] && h->acked_at[i] > since && (first < 0 || h->acked_at[i] < first))
            first = h->acked_at[i];
    return first;
}

/*  Every acknowledged order is there once: sent again (after the load) it
    is a repeat with the id first heard; every order sent is one case, and
    dispatch's journal dispatched each case exactly once.  Returns how many
    were acknowledged. */
static int
s_check_once (cg_teststack_t *stack, s_hotline_t *h)
{
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    zhash_t *ids = zhash_new ();
    int acked = 0;
    for (int i = 0; i < h->orders; i++) {
        char id[32];
        bool repeat = false;
        cr_assert (s_order (intake, h->tag, i, id, sizeof id, &repeat), "order %d", i);
        if (h->ids[i][0]) {
            acked++;
            cr_assert (repeat, "order %d was acknowledged as %s but is not there", i, h->ids[i]);
            cr_assert_str_eq (id, h->ids[i], "order %d was acknowledged as %s, is now %s", i,
                              h->ids[i], id);
        }
        cr_assert_null (zhash_lookup (ids, id), "orders share the case %s", id);
        zhash_insert (ids, id, (void *) "1");
    }
    cg_client_destroy (&intake);
    /*  dispatch's journal: one case.dispatched for each case of this test */
    int64_t until = zclock_mono () + 60000;
    size_t found = 0;
    while (true) {
        redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{dispatch}:journal - +");
        zhash_t *seen = zhash_new ();
        found = 0;
        for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
            redisReply *fields = r->element[i]->element[1];
            if (fields->elements < 4 || strcmp (fields->element[1]->str, "case.dispatched"))
                continue;
            cg_case_dispatched_t ev;
            cg_error_t err;
            if (cg_msg_decode (&cg_case_dispatched_def, fields->element[3]->str,
                               fields->element[3]->len, &ev, &err) == 0) {
                if (zhash_lookup (ids, ev.id)) {
                    cr_assert_null (zhash_lookup (seen, ev.id), "case %s was dispatched twice",
                                    ev.id);
                    zhash_insert (seen, ev.id, (void *) "1");
                    found++;
                }
                cg_msg_clear (&cg_case_dispatched_def, &ev);
            }
        }
        if (r)
            freeReplyObject (r);
        zhash_destroy (&seen);
        if (found == zhash_size (ids) || zclock_mono () > until)
            break;
        zclock_sleep (200);
    }
    cr_assert_eq (found, zhash_size (ids), "dispatch dispatched %zu of %zu cases", found,
                  zhash_size (ids));
    zhash_destroy (&ids);
    return acked;
}

/* --- Redis: Sentinels ---------------------------------------------------- */

/*  The master's port, as the Sentinels name it (and ROLE confirms). */
static int
s_master_port (cg_teststack_t *stack)
{
    return cg_redis_master_port (stack->config);
}

static void
s_await_master (cg_teststack_t *stack, int port)
{
    int64_t until = zclock_mono () + 30000;
    while (s_master_port (stack) != port) {
        cr_assert (zclock_mono () < until, "the Sentinels did not promote %d", port);
        zclock_sleep (100);
    }
}

Test (failover, killing_the_master_loses_no_acknowledged_order_and_the_old_one_takes_none,
      .timeout = 280)
{
    cg_teststack_t *stack = cg_teststack_up ("--replicas 1 --sentinels 3");
    cg_teststack_keep_journal (stack, "dispatch");
    int master = atoi (zconfig_get (stack->config, "redis/port", "0"));
    int replica = atoi (zconfig_get (stack->config, "redis/replica_ports", "0"));
    cr_assert_eq (s_master_port (stack), master);

    static s_hotline_t h;
    pthread_t thread = s_hotline_start (stack, &h, "FO", 300, 20);

    /*  1. the master killed; the Sentinels promote the replica; the old
        master is started again as its supervisor would, after the
        promotion, and follows the new master */
    s_wait_orders (&h, 60);
    int64_t killed = zclock_mono ();
    cg_teststack_kill9 (stack, "redis");
    s_await_master (stack, replica);
    int64_t promoted = zclock_mono ();
    cg_teststack_restart (stack);
    int64_t first = -1;
    while ((first = s_first_ack_after (&h, killed)) < 0 && zclock_mono () < killed + 60000)
        zclock_sleep (50);
    cr_assert (first > 0, "no order was taken after the master was killed");
    fprintf (stderr, "failover: promoted %.1f s after kill -9 of the master, orders taken "
             "again after %.1f s\n", (promoted - killed) / 1000.0, (first - killed) / 1000.0);
    cr_assert_leq (first - killed, 10000, "orders were taken again only %.1f s after the kill",
                   (first - killed) / 1000.0);

    /*  2. the new master killed; the old one comes back as the master it
        was (its own configuration): it takes no write, the daemons follow
        the Sentinels to the other */
    s_wait_orders (&h, 180);
    killed = zclock_mono ();
    cg_teststack_kill9 (stack, "replica1");
    s_await_master (stack, master);
    cg_teststack_restart (stack);
    /*  asked directly (cg_redis would look for a master that takes it) */
    redisContext *old = redisConnect ("127.0.0.1", replica);
    cr_assert (old && !old->err);
    const char *user, *password;
    cr_assert (cg_access_redis_login (replica, &user, &password));
    redisReply *r = redisCommand (old, "AUTH %s %s", user, password);
    freeReplyObject (r);
    /*  (it answers LOADING to PING while it reads its files back) */
    for (int t = 0; t < 600; t++) {
        r = redisCommand (old, "PING");
        bool loading = r && r->type == REDIS_REPLY_ERROR && strncmp (r->str, "LOADING", 7) == 0;
        if (r)
            freeReplyObject (r);
        if (!loading)
            break;
        zclock_sleep (50);
    }
    r = redisCommand (old, "ROLE");
    bool was_master = r && r->type == REDIS_REPLY_ARRAY
                   && strcmp (r->element[0]->str, "master") == 0;
    freeReplyObject (r);
    /*  a master without its replica (NOREPLICAS), or already a replica
        of the new master if the Sentinels were quick (READONLY) */
    r = redisCommand (old, "EVAL %s 0", "return redis.call ('SET', 'cg:{test}:x', '1')");
    cr_assert (r && r->type == REDIS_REPLY_ERROR
               && strstr (r->str, was_master ? "NOREPLICAS" : "READONLY"),
               "the old master (%s) took a write: %s", was_master ? "a master" : "a replica",
               r ? cg_reply_str (r) : "no answer");
    freeReplyObject (r);
    redisFree (old);
    while ((first = s_first_ack_after (&h, killed)) < 0 && zclock_mono () < killed + 60000)
        zclock_sleep (50);
    cr_assert (first > 0, "no order was taken after the old master came back");
    fprintf (stderr, "failover: with the old master back as a master, orders taken again "
             "after %.1f s\n", (first - killed) / 1000.0);

    pthread_join (thread, NULL);
    int acked = s_check_once (stack, &h);
    fprintf (stderr, "failover: %d orders, %d acknowledged, all found once, none doubled\n",
             h.orders, acked);
    cr_assert_gt (acked, h.orders / 2);
    cg_teststack_down (&stack);
}

/* --- standby instances ---------------------------------------------------- */

static pid_t
s_start_dispatch (cg_teststack_t *stack, const char *log_name)
{
    char exe[600], cfg[600], log[600];
    snprintf (exe, sizeof exe, "%s/civgrid-dispatch", getenv ("CG_BIN") ? getenv ("CG_BIN")
                                                                      : "build/bin");
    snprintf (cfg, sizeof cfg, "%s/civgrid.cfg", stack->dir);
    snprintf (log, sizeof log, "%s/log/%s.log", stack->dir, log_name);
    pid_t pid = fork ();
    cr_assert (pid >= 0);
    if (pid == 0) {
        execl (exe, exe, "-c", cfg, "--log", log, (char *) NULL);
        _exit (127);
    }
    return pid;
}

static int
s_lease_pid (cg_teststack_t *stack)
{
    return cg_daemon_lease_pid (stack->redis, "dispatch");
}

static void
s_await_log (cg_teststack_t *stack, const char *part, const char *words)
{
    int64_t until = zclock_mono () + 60000;
    while (cg_teststack_log_count (stack, part, words) == 0) {
        cr_assert (zclock_mono () < until, "%s never logged \"%s\"", part, words);
        zclock_sleep (50);
    }
}

Test (failover, a_standby_dispatch_takes_over_within_5_s_and_a_paused_one_cannot_write,
      .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_teststack_keep_journal (stack, "dispatch");
    int first_pid = cg_teststack_pid (stack, "dispatch");
    pid_t second = s_start_dispatch (stack, "dispatch-2");
    s_await_log (stack, "dispatch-2", "standby: another instance holds cg:{dispatch}:lease");

    static s_hotline_t h;
    pthread_t thread = s_hotline_start (stack, &h, "SB", 200, 10);

    /*  the active one killed under load: the standby holds the lease and
        serves within 5 s */
    s_wait_orders (&h, 50);
    int64_t killed = zclock_mono ();
    cg_teststack_kill9 (stack, "dispatch");
    while (s_lease_pid (stack) != second && zclock_mono () < killed + 30000)
        zclock_sleep (20);
    int64_t took = zclock_mono () - killed;
    fprintf (stderr, "standby: took over %.2f s after kill -9 of the active dispatch\n",
             took / 1000.0);
    cr_assert_eq (s_lease_pid (stack), second);
    cr_assert_leq (took, 5000, "the standby took over after %.1f s", took / 1000.0);
    s_await_log (stack, "dispatch-2", "dispatch: serving");
    cr_assert_neq (first_pid, second);

    /*  a third waits; the second is paused until the third has the lease,
        then wakes: the lease check refuses its scripts and it stops */
    pid_t third = s_start_dispatch (stack, "dispatch-3");
    s_await_log (stack, "dispatch-3", "standby:");
    s_wait_orders (&h, 120);
    cr_assert_eq (kill (second, SIGSTOP), 0);
    while (s_lease_pid (stack) != third && zclock_mono () < killed + 90000)
        zclock_sleep (20);
    cr_assert_eq (s_lease_pid (stack), third, "the third did not take the lease over");
    cr_assert_eq (kill (second, SIGCONT), 0);
    int status = 0;
    cr_assert_eq (waitpid (second, &status, 0), second);
    cr_assert (WIFEXITED (status), "the woken dispatch did not stop by itself");
    cr_assert_gt (cg_teststack_log_count (stack, "dispatch-2", "LEASE cg:{dispatch}:lease is held by"),
                  0, "the woken dispatch's scripts were not refused");
    cr_assert_gt (cg_teststack_log_count (stack, "dispatch-2", "this one stops"), 0);
    s_await_log (stack, "dispatch-3", "dispatch: serving");

    pthread_join (thread, NULL);
    int acked = s_check_once (stack, &h);
    fprintf (stderr, "standby: %d orders, %d acknowledged, all dispatched once\n", h.orders,
             acked);
    cr_assert_eq (acked, h.orders, "intake lost orders while dispatch changed hands");
    kill (third, SIGTERM);
    waitpid (third, NULL, 0);
    cg_teststack_down (&stack);
}
