/*  journal — the journals, their consumers and what is kept of them
    (cg_retention.h).
        civgrid journal                          each journal: head, entries kept,
                                                 first kept, consumers and cursors
        civgrid journal skip CONSUMER JOURNAL    a consumer stopped on trimmed
                                                 events goes on from the first kept
        civgrid journal forget CONSUMER JOURNAL  a consumer that no longer runs stops
                                                 holding back the journal's trim
    The journals are those of the daemons in the stack's configuration that
    have one.  `skip` is the operator's decision, never the consumer's: the
    events it passes over are lost to that consumer, and it says which. */
#include "cli.h"

/*  What is kept of a journal: its head and first kept seq (head + 1 when
    it keeps nothing); -1 when it has no journal. */
static int64_t
s_journal (cg_redis_t *redis, const char *journal, int64_t *first, int64_t *kept)
{
    redisReply *r = cg_redis_command (redis, "GET cg:{%s}:seq", journal);
    int64_t head = r && r->type == REDIS_REPLY_STRING ? cg_reply_int (r, -1) : -1;
    if (r)
        freeReplyObject (r);
    if (head < 0)
        return -1;
    *first = head + 1;
    r = cg_redis_command (redis, "XRANGE cg:{%s}:journal - + COUNT 1", journal);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 1)
        *first = strtoll (r->element[0]->element[0]->str, NULL, 10);
    if (r)
        freeReplyObject (r);
    r = cg_redis_command (redis, "XLEN cg:{%s}:journal", journal);
    *kept = cg_reply_int (r, 0);
    if (r)
        freeReplyObject (r);
    return head;
}

static int64_t
s_cursor (cg_redis_t *redis, const char *consumer, const char *journal)
{
    char key[128];
    cg_cursor_key (key, sizeof key, consumer, journal);
    redisReply *r = cg_redis_command (redis, "GET %s", key);
    int64_t cursor = cg_reply_int (r, 0);
    if (r)
        freeReplyObject (r);
    return cursor;
}

static void
s_show (cg_redis_t *redis, const char *journal, bool json, bool *first_out)
{
    int64_t first, kept, head = s_journal (redis, journal, &first, &kept);
    if (head < 0)
        return;
    char key[128];
    cg_consumers_key (key, sizeof key, journal);
    redisReply *r = cg_redis_command (redis, "SMEMBERS %s", key);
    size_t n = r && r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
    if (json)
        printf ("%s{\"journal\":\"%s\",\"head\":%lld,\"kept\":%lld,\"first\":%lld,"
                "\"consumers\":[", *first_out ? "" : ",", journal, (long long) head,
                (long long) kept, (long long) first);
    else
        printf ("%-14s head %-10lld kept %-8lld from %-10lld", journal, (long long) head,
                (long long) kept, (long long) first);
    for (size_t i = 0; i < n; i++) {
        const char *consumer = r->element[i]->str;
        int64_t cursor = s_cursor (redis, consumer, journal);
        if (json)
            printf ("%s{\"name\":\"%s\",\"cursor\":%lld,\"lost\":%s}", i ? "," : "", consumer,
                    (long long) cursor, cursor + 1 < first ? "true" : "false");
        else
            printf ("  %s at %lld%s", consumer, (long long) cursor,
                    cursor + 1 < first ? " (LOST events: civgrid journal skip)" : "");
    }
    if (json)
        printf ("]}");
    else
        printf ("%s\n", n ? "" : "  no consumer: kept whole");
    if (r)
        freeReplyObject (r);
    *first_out = false;
}

static int
s_status (cli_args_t *args, cg_redis_t *redis)
{
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    bool json = cli_flag (args, "json"), first = true;
    if (json)
        printf ("[");
    for (zconfig_t *part = zconfig_child (config); part; part = zconfig_next (part))
        if (zconfig_locate (part, "endpoint"))
            s_show (redis, zconfig_name (part), json, &first);
    if (json)
        printf ("]\n");
    zconfig_destroy (&config);
    return 0;
}

static int
s_skip (cg_redis_t *redis, const char *consumer, const char *journal)
{
    int64_t first, kept;
    if (s_journal (redis, journal, &first, &kept) < 0) {
        fprintf (stderr, "civgrid: JOURNAL: there is no %s journal\n", journal);
        return 1;
    }
    int64_t cursor = s_cursor (redis, consumer, journal);
    if (cursor + 1 >= first) {
        printf ("%s has lost nothing of the %s journal (its cursor is at %lld, the journal "
                "keeps entries from %lld on); nothing to skip\n", consumer, journal,
                (long long) cursor, (long long) first);
        return 0;
    }
    char key[128];
    cg_cursor_key (key, sizeof key, consumer, journal);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, key);
    cg_args_add_int (&args, cursor);
    cg_args_add_int (&args, first - 1);
    redisReply *r = cg_redis_script (redis, "cursor_advance", 1, &args);
    cg_args_free (&args);
    bool moved = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2
              && strcmp (cg_reply_str (r->element[0]), "ok") == 0;
    if (r)
        freeReplyObject (r);
    if (!moved) {
        fprintf (stderr, "civgrid: the cursor of %s on %s moved meanwhile; see `civgrid "
                 "journal` and try again\n", consumer, journal);
        return 1;
    }
    printf ("%s skips events %lld to %lld of the %s journal, which were trimmed before it "
            "applied them; it goes on from %lld\n", consumer, (long long) cursor + 1,
            (long long) first - 1, journal, (long long) first);
    return 0;
}

static int
s_forget (cg_redis_t *redis, const char *consumer, const char *journal)
{
    char key[128];
    cg_consumers_key (key, sizeof key, journal);
    redisReply *r = cg_redis_command (redis, "SREM %s %s", key, consumer);
    int64_t removed = cg_reply_int (r, 0);
    if (r)
        freeReplyObject (r);
    if (removed != 1) {
        fprintf (stderr, "civgrid: CONSUMER: %s is not a registered consumer of the %s "
                 "journal\n", consumer, journal);
        return 1;
    }
    printf ("%s no longer holds back the trim of the %s journal; it registers again when "
            "it next follows it\n", consumer, journal);
    return 0;
}

int
cli_journal (cli_args_t *args)
{
    const char *action = args->nwords > 1 ? args->words[1] : "status";
    bool named = strcmp (action, "skip") == 0 || strcmp (action, "forget") == 0;
    if (strcmp (action, "status") != 0 && !named)
        return 2;
    if (named && args->nwords != 4) {
        fprintf (stderr, "civgrid: journal %s takes CONSUMER JOURNAL\n", action);
        return 2;
    }
    cg_redis_t *redis = cli_redis (args);
    if (!redis)
        return 1;
    int rc = !named ? s_status (args, redis)
           : strcmp (action, "skip") == 0 ? s_skip (redis, args->words[2], args->words[3])
           : s_forget (redis, args->words[2], args->words[3]);
    cg_redis_destroy (&redis);
    return rc;
}
