/*  The Redis connection (common/cg_redis) against a real redis-server that
    has just restarted: while it reads its data back it answers LOADING to
    everything, and a daemon starting then must wait, not fail. */
#include <criterion/criterion.h>
#include "cg_testenv.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_KEYS  2000

/*  Starts redis-server in dir on port, reading dir/dump.rdb one key a
    millisecond (a debug setting of Redis), so that it is still loading
    for about two seconds after it listens. */
static pid_t
s_start_slow (const char *dir, int port)
{
    char portarg[16];
    snprintf (portarg, sizeof portarg, "%d", port);
    pid_t pid = fork ();
    if (pid == 0) {
        execlp ("redis-server", "redis-server", "--port", portarg, "--bind", "127.0.0.1",
                "--dir", dir, "--save", "", "--appendonly", "no", "--key-load-delay", "1000",
                "--loading-process-events-interval-bytes", "1024", "--logfile", "redis2.log",
                (char *) NULL);
        _exit (127);
    }
    return pid;
}

Test (redis, a_redis_still_loading_its_data_is_waited_for, .timeout = 120)
{
    cg_testredis_t *redis = cg_testredis_start ();
    cg_redis_t *r = cg_redis_new ("127.0.0.1", redis->port, 10000);
    cr_assert (r);
    redisReply *reply = cg_redis_command (r, "EVAL %s 0 %d",
                                          "for i = 1, ARGV[1] do redis.call ('SET', 'k' .. i, "
                                          "'v' .. i) end return 1", S_KEYS);
    cr_assert (reply && reply->type == REDIS_REPLY_INTEGER);
    freeReplyObject (reply);
    reply = cg_redis_command (r, "SAVE");
    cr_assert (reply && reply->type == REDIS_REPLY_STATUS);
    freeReplyObject (reply);
    cg_redis_destroy (&r);
    kill (redis->pid, SIGKILL);
    waitpid (redis->pid, NULL, 0);

    /*  the same data, read back slowly: the first answer must be the value */
    redis->pid = s_start_slow (redis->dir, redis->port);
    r = cg_redis_new ("127.0.0.1", redis->port, 30000);
    cr_assert (r, "no connection to the restarted redis-server");
    reply = cg_redis_command (r, "PING");
    cr_assert (reply);
    if (reply->type == REDIS_REPLY_ERROR)
        cr_assert (strncmp (reply->str, "LOADING", 7) != 0, "answered %s", reply->str);
    freeReplyObject (reply);
    reply = cg_redis_command (r, "GET k%d", S_KEYS);
    cr_assert (reply && reply->type == REDIS_REPLY_STRING, "answered %s",
               reply ? cg_reply_str (reply) : "nothing");
    cr_assert_str_eq (reply->str, "v2000");
    freeReplyObject (reply);
    cg_redis_destroy (&r);
    cg_testredis_stop (&redis);
}

/*  Sends cursor_advance for key from `from` to `to` without waiting. */
static int
s_send_advance (cg_redis_t *r, int from, int to)
{
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, "cursor");
    cg_args_add_int (&args, from);
    cg_args_add_int (&args, to);
    int rc = cg_redis_script_send (r, "cursor_advance", 1, &args);
    cg_args_free (&args);
    return rc;
}

static const char *
s_status (redisReply *reply)
{
    static char status[32];
    snprintf (status, sizeof status, "%s", reply && reply->type == REDIS_REPLY_ARRAY
              ? cg_reply_str (reply->element[0]) : reply ? cg_reply_str (reply) : "nothing");
    if (reply)
        freeReplyObject (reply);
    return status;
}

/*  Scripts sent one after another without waiting (how dispatch works off
    a backlog) are answered in order; after Redis lost its scripts, the
    call in flight is refused with NOSCRIPT and the next is loaded again. */
Test (redis, pipelined_scripts_answer_in_order_and_survive_a_script_flush, .timeout = 60)
{
    cg_testredis_t *redis = cg_testredis_start ();
    cg_redis_t *r = cg_redis_new ("127.0.0.1", redis->port, 10000);
    cr_assert (r);
    cr_assert_eq (s_send_advance (r, 0, 5), 0);
    cr_assert_eq (s_send_advance (r, 5, 9), 0);
    cr_assert_eq (s_send_advance (r, 5, 7), 0);
    cr_assert_str_eq (s_status (cg_redis_reply (r)), "ok");
    cr_assert_str_eq (s_status (cg_redis_reply (r)), "ok");
    cr_assert_str_eq (s_status (cg_redis_reply (r)), "moved", "the cursor stands at 9");
    freeReplyObject (cg_redis_command (r, "SCRIPT FLUSH"));
    cr_assert_eq (s_send_advance (r, 9, 10), 0);
    cr_assert (strncmp (s_status (cg_redis_reply (r)), "NOSCRIPT", 8) == 0);
    cr_assert_eq (s_send_advance (r, 9, 10), 0);
    cr_assert_str_eq (s_status (cg_redis_reply (r)), "ok");
    redisReply *cursor = cg_redis_command (r, "GET cursor");
    cr_assert_eq (cg_reply_int (cursor, 0), 10);
    freeReplyObject (cursor);
    cg_redis_destroy (&r);
    cg_testredis_stop (&redis);
}

/*  With redis/replicas 1 and no replica, a script runs but its answer is
    refused, naming the script and what to do: nothing is acknowledged
    that a failover could lose (docs/ARCHITECTURE.md, "Failover"). */
Test (redis, a_script_answer_without_its_replica_is_refused_not_acknowledged, .timeout = 60)
{
    cg_testredis_t *redis = cg_testredis_start ();
    zconfig_t *config = zconfig_new ("root", NULL);
    zconfig_putf (config, "redis/port", "%d", redis->port);
    zconfig_put (config, "redis/replicas", "1");
    zconfig_put (config, "redis/wait_ms", "50");
    cg_redis_t *r = cg_redis_configured (config, 2000);
    cr_assert (r);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, "cg:{test}:cursor");
    cg_args_add_int (&args, 0);
    cg_args_add_int (&args, 5);
    redisReply *reply = cg_redis_script (r, "cursor_advance", 1, &args);
    cr_assert (reply && reply->type == REDIS_REPLY_ERROR);
    cr_assert (strstr (reply->str, "NOREPLICAS cursor_advance: fewer than 1 replicas")
               && strstr (reply->str, "not acknowledged"), "answered %s", reply->str);
    freeReplyObject (reply);
    cg_redis_destroy (&r);
    /*  without replicas configured, the same call is answered */
    zconfig_put (config, "redis/replicas", "0");
    r = cg_redis_configured (config, 2000);
    cg_args_reset (&args);
    cg_args_add_str (&args, "cg:{test}:cursor2");
    cg_args_add_int (&args, 0);
    cg_args_add_int (&args, 5);
    reply = cg_redis_script (r, "cursor_advance", 1, &args);
    cr_assert (reply && reply->type != REDIS_REPLY_ERROR, "answered %s", cg_reply_str (reply));
    freeReplyObject (reply);
    cg_args_free (&args);
    cg_redis_destroy (&r);
    zconfig_destroy (&config);
    cg_testredis_stop (&redis);
}

/*  The lease: a script call carrying the holder's token runs (and renews
    the lease); one carrying another's is refused by the prelude and leaves
    nothing behind; the script sees its own ARGV, without the lease's. */
Test (redis, a_script_with_a_lease_another_holds_is_refused, .timeout = 60)
{
    cg_testredis_t *redis = cg_testredis_start ();
    cg_redis_t *active = cg_redis_new ("127.0.0.1", redis->port, 2000);
    cg_redis_t *paused = cg_redis_new ("127.0.0.1", redis->port, 2000);
    cr_assert (active && paused);
    redisReply *reply = cg_redis_command (active, "SET cg:{test}:lease A PX 3000");
    freeReplyObject (reply);
    cg_redis_set_lease (active, "cg:{test}:lease", "A", 3000);
    cg_redis_set_lease (paused, "cg:{test}:lease", "B", 3000);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, "cg:{test}:cursor");
    cg_args_add_int (&args, 0);
    cg_args_add_int (&args, 7);
    reply = cg_redis_script (paused, "cursor_advance", 1, &args);
    cr_assert (reply && reply->type == REDIS_REPLY_ERROR
               && strstr (reply->str, "LEASE cg:{test}:lease is held by A, not by B"),
               "answered %s", cg_reply_str (reply));
    freeReplyObject (reply);
    cr_assert (cg_redis_lease_lost (paused));
    reply = cg_redis_command (active, "EXISTS cg:{test}:cursor");
    cr_assert_eq (cg_reply_int (reply, -1), 0, "the refused call wrote its cursor");
    freeReplyObject (reply);
    reply = cg_redis_script (active, "cursor_advance", 1, &args);
    cr_assert (reply && reply->type != REDIS_REPLY_ERROR, "answered %s", cg_reply_str (reply));
    freeReplyObject (reply);
    cr_assert_not (cg_redis_lease_lost (active));
    reply = cg_redis_command (active, "GET cg:{test}:cursor");
    cr_assert_eq (cg_reply_int (reply, -1), 7);
    freeReplyObject (reply);
    reply = cg_redis_command (active, "PTTL cg:{test}:lease");
    cr_assert_gt (cg_reply_int (reply, -1), 2000, "the holder's call did not renew its lease");
    freeReplyObject (reply);
    cg_args_free (&args);
    cg_redis_destroy (&active);
    cg_redis_destroy (&paused);
    cg_testredis_stop (&redis);
}
