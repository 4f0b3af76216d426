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
