/*  The journal contract (DESIGN.md §3) against a real redis-server: a
    consumer sees every journal entry once, in order, whether the bus
    delivers it, delivers it twice, loses it, or the consumer restarts. */
#include <criterion/criterion.h>
#include "cg_testenv.h"

typedef struct {
    cg_redis_t *redis;
    int64_t seen[1024];
    size_t nseen;
    size_t largest;             /* the most events one call was handed */
} s_consumer_t;

/*  The handler: moves the cursor atomically with the "state change",
    which here is remembering the sequence numbers. */
static int
s_apply (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    s_consumer_t *self = arg;
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, "cg:{test}:cursor:tj");
    cg_args_add_int (&args, cursor);
    cg_args_add_int (&args, events[n - 1].seq);
    redisReply *r = cg_redis_script (self->redis, "cursor_advance", 1, &args);
    cg_args_free (&args);
    cr_assert (r && r->type == REDIS_REPLY_ARRAY);
    int rc = strcmp (r->element[0]->str, "ok") == 0 ? 0 : 1;
    freeReplyObject (r);
    if (n > self->largest)
        self->largest = n;
    if (rc == 0)
        for (size_t i = 0; i < n; i++) {
            cr_assert_str_eq (events[i].topic, "thing.happened");
            self->seen[self->nseen++] = events[i].seq;
        }
    return rc;
}

static void
s_expect (s_consumer_t *c, int from, int to)
{
    cr_assert_eq (c->nseen, (size_t) (to - from + 1), "saw %zu events, expected %d",
                  c->nseen, to - from + 1);
    for (int i = 0; i <= to - from; i++)
        cr_assert_eq (c->seen[i], from + i, "event %d was %lld", i, (long long) c->seen[i]);
}

static void
s_publish (zsock_t *pub, int seq)
{
    char num[16], body[16];
    snprintf (num, sizeof num, "%d", seq);
    snprintf (body, sizeof body, "body%d", seq);
    zstr_sendx (pub, "tj/thing.happened", body, num, NULL);
}

static int
s_stop (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop; (void) timer_id; (void) arg;
    return -1;
}

Test (bus, catch_up_reads_the_journal_once_in_order)
{
    cg_testredis_t *server = cg_testredis_start ();
    s_consumer_t c = { .redis = cg_redis_new ("127.0.0.1", server->port, 2000) };
    cg_testredis_journal (c.redis, "tj", 1, 10);
    cg_sub_t *sub = cg_sub_new (c.redis, "tcp://127.0.0.1:1", "test");
    cr_assert_eq (cg_sub_follow (sub, "tj", s_apply, &c), 0);
    cr_assert_eq (cg_sub_catch_up (sub), 10);
    cr_assert_eq (cg_sub_catch_up (sub), 0, "a second catch-up applied something again");
    s_expect (&c, 1, 10);
    cr_assert_eq (cg_journal_head (c.redis, "tj"), 10);
    cg_sub_destroy (&sub);

    /*  a restarted consumer starts from its cursor in Redis */
    s_consumer_t again = { .redis = c.redis };
    cg_testredis_journal (c.redis, "tj", 11, 12);
    sub = cg_sub_new (c.redis, "tcp://127.0.0.1:1", "test");
    cg_sub_follow (sub, "tj", s_apply, &again);
    cr_assert_eq (cg_sub_catch_up (sub), 2);
    cr_assert_eq (again.nseen, 2);
    cr_assert_eq (again.seen[0], 11);
    cg_sub_destroy (&sub);
    cg_redis_destroy (&c.redis);
    cg_testredis_stop (&server);
}

Test (bus, a_feed_hands_its_handler_as_many_events_at_once_as_it_was_set_to)
{
    cg_testredis_t *server = cg_testredis_start ();
    s_consumer_t c = { .redis = cg_redis_new ("127.0.0.1", server->port, 2000) };
    cg_testredis_journal (c.redis, "tj", 1, 10);
    cg_sub_t *sub = cg_sub_new (c.redis, "tcp://127.0.0.1:1", "test");
    cr_assert_eq (cg_sub_set_batch (sub, "tj", 3), -1, "set on a journal not followed");
    cr_assert_eq (cg_sub_follow (sub, "tj", s_apply, &c), 0);
    cr_assert_eq (cg_sub_set_batch (sub, "tj", 0), -1, "a batch of nothing");
    cr_assert_eq (cg_sub_set_batch (sub, "tj", 3), 0);
    cr_assert_eq (cg_sub_catch_up (sub), 10);
    s_expect (&c, 1, 10);
    cr_assert_eq (c.largest, 3);

    /*  more than CG_BUS_BATCH in one call, all in order */
    cg_testredis_journal (c.redis, "tj", 11, 10 + CG_BUS_BATCH + 100);
    cr_assert_eq (cg_sub_set_batch (sub, "tj", CG_BUS_BATCH * 2), 0);
    cr_assert_eq (cg_sub_catch_up (sub), CG_BUS_BATCH + 100);
    s_expect (&c, 1, 10 + CG_BUS_BATCH + 100);
    cr_assert_eq (c.largest, CG_BUS_BATCH + 100);
    cg_sub_destroy (&sub);
    cg_redis_destroy (&c.redis);
    cg_testredis_stop (&server);
}

Test (bus, gaps_and_repeats_on_the_bus_are_mended_from_the_journal)
{
    cg_testredis_t *server = cg_testredis_start ();
    s_consumer_t c = { .redis = cg_redis_new ("127.0.0.1", server->port, 2000) };
    cg_testredis_journal (c.redis, "tj", 1, 10);
    int port = cg_test_free_port ();
    zsock_t *pub = zsock_new_pub (NULL);
    cr_assert_eq (zsock_bind (pub, "tcp://127.0.0.1:%d", port), port);
    char endpoint[64];
    snprintf (endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    cg_sub_t *sub = cg_sub_new (c.redis, endpoint, "test");
    cg_sub_follow (sub, "tj", s_apply, &c);
    zloop_t *loop = zloop_new ();
    cg_sub_attach (sub, loop);
    zclock_sleep (300);         /* let the subscription reach the publisher */

    /*  1 and 2 arrive, 2 twice; 3 and 4 are lost; 5 arrives, 6 twice */
    int order[] = { 1, 2, 2, 5, 6, 6, 3 };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        s_publish (pub, order[i]);
    /*  run the loop for less than the catch-up period: what happens is the
        bus path's doing */
    zloop_timer (loop, 400, 1, s_stop, NULL);
    zloop_start (loop);
    s_expect (&c, 1, 10);       /* the gap at 5 read 3..10 from the journal */

    zloop_destroy (&loop);
    cg_sub_destroy (&sub);
    zsock_destroy (&pub);
    cg_redis_destroy (&c.redis);
    cg_testredis_stop (&server);
}

Test (bus, a_cursor_moved_by_another_process_is_respected)
{
    cg_testredis_t *server = cg_testredis_start ();
    s_consumer_t c = { .redis = cg_redis_new ("127.0.0.1", server->port, 2000) };
    cg_testredis_journal (c.redis, "tj", 1, 10);
    cg_sub_t *sub = cg_sub_new (c.redis, "tcp://127.0.0.1:1", "test");
    cg_sub_follow (sub, "tj", s_apply, &c);
    /*  another instance applied 1..5 meanwhile */
    redisReply *r = cg_redis_command (c.redis, "SET cg:{test}:cursor:tj 5");
    freeReplyObject (r);
    cg_sub_catch_up (sub);      /* refused: expected 0, found 5; reloads */
    cr_assert_eq (c.nseen, 0, "applied events another instance had applied");
    cg_sub_catch_up (sub);
    s_expect (&c, 6, 10);
    cg_sub_destroy (&sub);
    cg_redis_destroy (&c.redis);
    cg_testredis_stop (&server);
}

Test (bus, a_consumer_behind_the_trimmed_part_stops_until_its_cursor_is_moved)
{
    cg_testredis_t *server = cg_testredis_start ();
    s_consumer_t c = { .redis = cg_redis_new ("127.0.0.1", server->port, 2000) };
    cg_testredis_journal (c.redis, "tj", 1, 100);
    redisReply *r = cg_redis_command (c.redis, "XTRIM cg:{tj}:journal MINID 41-0");
    freeReplyObject (r);        /* 1..40 are gone */
    cg_sub_t *sub = cg_sub_new (c.redis, "tcp://127.0.0.1:1", "test");
    cr_assert_eq (cg_sub_follow (sub, "tj", s_apply, &c), 0);
    r = cg_redis_command (c.redis, "SISMEMBER cg:{tj}:consumers test");
    cr_assert_eq (r->integer, 1, "following did not register the consumer");
    freeReplyObject (r);
    cr_assert_eq (cg_sub_catch_up (sub), 0, "applied events past a hole of lost ones");
    cr_assert_eq (cg_sub_catch_up (sub), 0);
    cr_assert_eq (c.nseen, 0);

    /*  the operator's decision (civgrid journal skip): on from 41 */
    r = cg_redis_command (c.redis, "SET cg:{test}:cursor:tj 40");
    freeReplyObject (r);
    cr_assert_eq (cg_sub_catch_up (sub), 60);
    s_expect (&c, 41, 100);

    /*  a journal trimmed past the cursor entirely is a loss as well */
    cg_testredis_journal (c.redis, "tj", 101, 110);
    r = cg_redis_command (c.redis, "XTRIM cg:{tj}:journal MAXLEN 0");
    freeReplyObject (r);
    cr_assert_eq (cg_sub_catch_up (sub), 0);
    cr_assert_eq (c.nseen, 60);
    cg_sub_destroy (&sub);
    cg_redis_destroy (&c.redis);
    cg_testredis_stop (&server);
}
