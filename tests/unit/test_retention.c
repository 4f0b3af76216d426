/*  Journal retention (cg_retention.h) against a real redis-server: an
    owner trims only what every registered consumer has applied, keeps its
    retention beyond that (a consumer behind the trimmed part is
    test_bus.c's). */
#include <criterion/criterion.h>
#include "cg_testenv.h"
#include "cg_clock.h"

/*  Stream nodes of 10 entries, so that trimming whole nodes shows in a
    journal of a few dozen entries. */
static cg_redis_t *
s_connect (cg_testredis_t *server)
{
    cg_redis_t *redis = cg_redis_new ("127.0.0.1", server->port, 2000);
    cr_assert (redis);
    redisReply *r = cg_redis_command (redis, "CONFIG SET stream-node-max-entries 10");
    cr_assert (r && r->type == REDIS_REPLY_STATUS, "%s", cg_reply_str (r));
    freeReplyObject (r);
    return redis;
}

static void
s_run (cg_redis_t *redis, const char *fmt, const char *arg)
{
    redisReply *r = cg_redis_command (redis, fmt, arg);
    cr_assert (r && r->type != REDIS_REPLY_ERROR, "%s", cg_reply_str (r));
    freeReplyObject (r);
}

static void
s_consumer (cg_redis_t *redis, const char *name, int cursor)
{
    redisReply *r = cg_redis_command (redis, "SADD cg:{tr}:consumers %s", name);
    freeReplyObject (r);
    r = cg_redis_command (redis, "SET cg:{%s}:cursor:tr %d", name, cursor);
    freeReplyObject (r);
}

/*  The first seq the journal keeps (0 when empty), and how many. */
static int64_t
s_first (cg_redis_t *redis, int64_t *kept)
{
    redisReply *r = cg_redis_command (redis, "XRANGE cg:{tr}:journal - + COUNT 1");
    int64_t first = r->elements ? strtoll (r->element[0]->element[0]->str, NULL, 10) : 0;
    freeReplyObject (r);
    r = cg_redis_command (redis, "XLEN cg:{tr}:journal");
    *kept = r->integer;
    freeReplyObject (r);
    return first;
}

Test (retention, trims_below_the_lowest_cursor_and_keeps_the_retention)
{
    cg_testredis_t *server = cg_testredis_start ();
    cg_redis_t *redis = s_connect (server);
    cg_testredis_journal (redis, "tr", 1, 100);
    s_consumer (redis, "fast", 90);
    s_consumer (redis, "slow", 60);
    cg_retention_t *retention = cg_retention_new (redis, "tr", 20, 0);
    cr_assert_gt (cg_retention_trim (retention), 0, "nothing was trimmed");
    int64_t kept, first = s_first (redis, &kept);
    /*  entries up to 60 - 20 may go, in whole nodes of ten: 1..40 */
    cr_assert (first > 1 && first <= 41, "the journal keeps from %lld", (long long) first);
    cr_assert_eq (kept, 100 - first + 1, "entries are missing after the first kept");

    /*  the slow consumer moves on: so does the trim, never past it */
    s_consumer (redis, "slow", 95);
    cg_retention_trim (retention);
    first = s_first (redis, &kept);
    cr_assert (first > 41 && first <= 71, "the journal keeps from %lld", (long long) first);

    /*  a consumer whose cursor is gone counts as at 0: nothing more goes */
    s_consumer (redis, "new", 0);
    cr_assert_eq (cg_retention_trim (retention), 0);
    cr_assert_eq (s_first (redis, &kept), first);
    cg_retention_destroy (&retention);
    cg_redis_destroy (&redis);
    cg_testredis_stop (&server);
}

Test (retention, a_journal_no_consumer_registered_for_is_kept_whole)
{
    cg_testredis_t *server = cg_testredis_start ();
    cg_redis_t *redis = s_connect (server);
    cg_testredis_journal (redis, "tr", 1, 100);
    s_run (redis, "SET %s 100", "cg:{someone}:cursor:tr");   /* a cursor, unregistered */
    cg_retention_t *retention = cg_retention_new (redis, "tr", 0, 0);
    cr_assert_eq (cg_retention_trim (retention), 0);
    int64_t kept;
    cr_assert_eq (s_first (redis, &kept), 1);
    cr_assert_eq (kept, 100);
    cg_retention_destroy (&retention);
    cg_redis_destroy (&redis);
    cg_testredis_stop (&server);
}

static int64_t s_now;
static int64_t
s_clock (void *arg)
{
    (void) arg;
    return s_now;
}

Test (retention, entries_younger_than_keep_seconds_stay)
{
    cg_testredis_t *server = cg_testredis_start ();
    cg_redis_t *redis = s_connect (server);
    cg_clock_set_source (s_clock, NULL);
    s_now = 1000000000000;
    cg_retention_t *retention = cg_retention_new (redis, "tr", 0, 60);
    cg_testredis_journal (redis, "tr", 1, 50);
    s_consumer (redis, "reader", 50);
    cg_retention_trim (retention);          /* 1..50 are a minute old at +60 s */
    s_now += 30 * 1000;
    cg_testredis_journal (redis, "tr", 51, 100);
    s_consumer (redis, "reader", 100);
    cr_assert_eq (cg_retention_trim (retention), 0, "trimmed entries younger than a minute");
    int64_t kept;
    cr_assert_eq (s_first (redis, &kept), 1);

    s_now += 31 * 1000;                     /* 1..50 are older than a minute now */
    cr_assert_gt (cg_retention_trim (retention), 0);
    int64_t first = s_first (redis, &kept);
    cr_assert (first > 1 && first <= 51, "the journal keeps from %lld", (long long) first);
    s_now += 30 * 1000;                     /* and 51..100 too */
    cg_retention_trim (retention);
    first = s_first (redis, &kept);
    cr_assert (first == 0 || first > 51, "the journal keeps from %lld", (long long) first);
    cg_clock_set_source (NULL, NULL);
    cg_retention_destroy (&retention);
    cg_redis_destroy (&redis);
    cg_testredis_stop (&server);
}

/*  Issue 15 item 3: notification's journal has readers only (the gateway's
    stream, which does not register), and grew for ever.  Such a journal is
    trimmed by age with no consumer registered, never below the age its
    owner names (the alarms' lifetime), nor below keep_entries. */
Test (retention, a_journal_of_readers_only_is_trimmed_by_age_not_before_its_owners_minimum)
{
    cg_testredis_t *server = cg_testredis_start ();
    cg_redis_t *redis = s_connect (server);
    cg_clock_set_source (s_clock, NULL);
    s_now = 1000000000000;
    /*  the configuration asks for 10 s; the owner's alarms live a minute */
    cg_retention_t *retention = cg_retention_new (redis, "tr", 10, 10);
    cg_retention_readers_only (retention, 60);
    cg_testredis_journal (redis, "tr", 1, 50);
    cg_retention_trim (retention);
    s_now += 30 * 1000;
    cg_testredis_journal (redis, "tr", 51, 100);
    cr_assert_eq (cg_retention_trim (retention), 0, "trimmed entries younger than a minute");
    int64_t kept;
    cr_assert_eq (s_first (redis, &kept), 1);
    s_now += 31 * 1000;                     /* 1..50 are older than a minute now */
    cr_assert_gt (cg_retention_trim (retention), 0, "a journal of readers only grew for ever");
    int64_t first = s_first (redis, &kept);
    cr_assert (first > 1 && first <= 51, "the journal keeps from %lld", (long long) first);
    s_now += 3600 * 1000;                   /* all of it old: keep_entries stay */
    cg_retention_trim (retention);
    s_first (redis, &kept);
    cr_assert_geq (kept, 10, "fewer than keep_entries kept: %lld", (long long) kept);
    cr_assert_lt (kept, 50, "an hour on, %lld entries kept", (long long) kept);
    cg_clock_set_source (NULL, NULL);
    cg_retention_destroy (&retention);
    cg_redis_destroy (&redis);
    cg_testredis_stop (&server);
}

Test (retention, settings_that_are_no_whole_number_in_range_are_refused)
{
    const char *bad[][2] = { { "journal/keep_entries", "lots" },
                             { "journal/keep_entries", "-1" },
                             { "journal/keep_seconds", "60s" },
                             { "journal/trim_ms", "0" } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        zconfig_t *config = zconfig_new ("root", NULL);
        zconfig_put (config, bad[i][0], bad[i][1]);
        cr_assert_null (cg_retention_configured (NULL, "tr", config), "%s = %s was taken",
                        bad[i][0], bad[i][1]);
        zconfig_destroy (&config);
    }
    zconfig_t *config = zconfig_new ("root", NULL);
    zconfig_put (config, "journal/keep_entries", "0");
    zconfig_put (config, "journal/keep_seconds", "86400");
    cg_retention_t *retention = cg_retention_configured (NULL, "tr", config);
    cr_assert_not_null (retention);
    cg_retention_destroy (&retention);
    zconfig_destroy (&config);
}
