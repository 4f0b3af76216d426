/*  Ballots of consultation with real parts (see test_consultation.c):
    quorum, one member one vote (also two votes of one member sent at once
    from two clients), changed and secret votes, and a kill -9 of the
    service in the middle of a ballot. */
#define _GNU_SOURCE         /* memmem */
#include <criterion/criterion.h>
#include "cg_testcli.h"

#include <dirent.h>
#include <sys/wait.h>

#define S_VILLAGE       "320612005003"      /* 通江村 */
#define S_COMMUNITY     "320602001001"      /* 新桥社区 */

/*  A plain consultation among n invited members m01..mNN; returns its id. */
static void
s_topic (cg_teststack_t *stack, char *id, int n, const char *rule)
{
    char invite[4096] = "", members[2048] = "";
    for (int i = 1; i <= n; i++) {
        snprintf (invite + strlen (invite), sizeof invite - strlen (invite),
                  "%sm%02d:业主%02d:业主代表", i > 1 ? "," : "", i, i);
        snprintf (members + strlen (members), sizeof members - strlen (members), "%sm%02d",
                  i > 1 ? "," : "", i);
    }
    char *out = cg_testcli (stack, 0, "topic create --title '小区停车位分配' --scope %s "
                            "--procedure plain --source proposal --category property_dispute "
                            "--invite %s %s",
                            S_COMMUNITY, invite, rule);
    cr_assert_eq (sscanf (out, "%31s", id), 1);
    free (out);
    free (cg_testcli (stack, 0, "topic stage %s", id));
    free (cg_testcli (stack, 0, "topic meeting %s --members %s", id, members));
}

static cg_topic_tally_t
s_tally (cg_teststack_t *stack, const char *id)
{
    cg_client_t *client = cg_teststack_client (stack, "consultation");
    cg_topic_act_t req = { .id = (char *) id, .actor = "test" };
    cg_topic_tally_t tally;
    cg_error_t err;
    cr_assert_eq (cg_client_call (client, &cg_cmd_topic_tally, &req, &tally, &err), 0, "%s", err.message);
    cg_client_destroy (&client);
    return tally;
}

static int
s_journaled (cg_teststack_t *stack, const char *topic)
{
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{consultation}:journal - +");
    int count = 0;
    for (size_t i = 0; i < r->elements; i++)
        count += strcmp (r->element[i]->element[1]->element[1]->str, topic) == 0;
    freeReplyObject (r);
    return count;
}

Test (ballots, a_meeting_without_quorum_cannot_decide, .timeout = 120)
{
    /*  the invited parties of a plain consultation decide with half present here */
    cg_teststack_t *stack = cg_teststack_up ("--set consultation/quorum/invited=1/2");
    char *out = cg_testcli (stack, 0, "topic create --title 村集体土地流转 --scope %s "
                            "--procedure siyi --source government --category other", S_VILLAGE);
    char id[32];
    cr_assert_eq (sscanf (out, "%31s", id), 1);
    free (out);
    free (cg_testcli (stack, 0, "topic stage %s", id));
    cg_testcli_says (stack, 1, "not on the roster of party_branch",
                     "topic meeting %s tj-pb01 tj-rp01", id);
    free (cg_testcli (stack, 0, "topic meeting %s tj-pb01", id));
    free (cg_testcli (stack, 0, "topic vote %s tj-pb01 yes", id));
    cg_testcli_says (stack, 1, "no quorum: 1 of 3 members present", "topic tally %s --close", id);
    cg_testcli_says (stack, 0, "no quorum", "topic tally %s", id);
    /*  two of three is two thirds: enough; a tie is no majority of those present */
    free (cg_testcli (stack, 0, "topic meeting %s tj-pb02", id));
    free (cg_testcli (stack, 0, "topic vote %s tj-pb02 no", id));
    cg_testcli_says (stack, 0, "rejected", "topic tally %s --close", id);
    cg_testcli_says (stack, 1, "is rejected", "topic stage %s", id);

    /*  a topic's own rule: three quarters present, two thirds of them for it */
    s_topic (stack, id, 8, "--quorum 3/4 --approval 2/3");
    cg_topic_tally_t tally = s_tally (stack, id);
    cr_assert_eq (tally.attended, 8);
    cr_assert_eq (tally.expected, 8);
    cg_msg_clear (&cg_topic_tally_def, &tally);
    char other[32];
    out = cg_testcli (stack, 0, "topic create --title 垃圾分类投放点 --scope %s --source proposal "
                      "--category rubbish_sorting --quorum 3/4 --approval 2/3", S_COMMUNITY);
    cr_assert_eq (sscanf (out, "%31s", other), 1);
    free (out);
    free (cg_testcli (stack, 0, "topic stage %s", other));
    free (cg_testcli (stack, 0, "topic meeting %s xq-iv01 xq-iv02 xq-iv03 xq-iv04", other));
    cg_testcli_says (stack, 1, "3/4 of them (5)", "topic tally %s --close", other);
    free (cg_testcli (stack, 0, "topic meeting %s xq-iv05", other));
    for (int i = 1; i <= 5; i++)
        free (cg_testcli (stack, 0, "topic vote %s xq-iv%02d %s", other, i, i <= 4 ? "yes" : "no"));
    cg_testcli_says (stack, 0, "adopted", "topic tally %s --close", other);
    out = cg_testcli (stack, 0, "topic create --title 楼道堆物清理 --scope %s --category "
                      "rubbish_sorting", S_COMMUNITY);
    cr_assert_eq (sscanf (out, "%31s", other), 1);
    free (out);
    cg_testcli_says (stack, 0, "quorum 1/2 approval >1/2", "topic stage %s", other);
    free (cg_testcli (stack, 0, "topic meeting %s xq-iv01 xq-iv02 xq-iv03", other));
    for (int i = 1; i <= 3; i++)
        free (cg_testcli (stack, 0, "topic vote %s xq-iv%02d yes", other, i));
    cg_testcli_says (stack, 0, "present 3 of 6 (quorum), voted 3: yes 3, no 0, abstain 0 -> "
                     "adopted", "topic tally %s --close", other);
    cg_testcli_says (stack, 1, "secret ballot",
                     "topic create --title x --scope %s --secret --revote", S_COMMUNITY);
    cg_testcli_says (stack, 1, "not a community", "topic create --title x --scope 320602001");
    cg_teststack_down (&stack);
}

/*  A raw vote on a DEALER of its own, answered later. */
static zsock_t *
s_send_vote (cg_teststack_t *stack, const char *rid, const char *id, const char *member,
             const char *choice)
{
    zsock_t *dealer = cg_teststack_dealer (stack, "consultation");
    cg_topic_act_t req = { .rid = (char *) rid, .id = (char *) id, .actor = "test",
                           .member = (char *) member, .choice = (char *) choice };
    cg_test_send (dealer, "topic.vote", rid, &cg_topic_act_def, &req);
    return dealer;
}

/*  The answer's first frame: true for ok. */
static bool
s_answer (zsock_t **dealer_p)
{
    zsock_set_rcvtimeo (*dealer_p, 20000);
    zmsg_t *answer = zmsg_recv (*dealer_p);
    cr_assert (answer, "no answer to a vote");
    bool ok = zframe_streq (zmsg_first (answer), "ok");
    zmsg_destroy (&answer);
    zsock_destroy (dealer_p);
    return ok;
}

Test (ballots, one_member_one_vote_even_from_two_clients_at_once, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char id[32];
    s_topic (stack, id, 20, "");
    for (int i = 1; i <= 20; i++) {
        char member[8], rid_a[32], rid_b[32];
        snprintf (member, sizeof member, "m%02d", i);
        snprintf (rid_a, sizeof rid_a, "a-%d", i);
        snprintf (rid_b, sizeof rid_b, "b-%d", i);
        zsock_t *a = s_send_vote (stack, rid_a, id, member, "yes");
        zsock_t *b = s_send_vote (stack, rid_b, id, member, "no");
        int oks = s_answer (&a) + s_answer (&b);
        cr_assert_eq (oks, 1, "%s: %d votes taken", member, oks);
    }
    cg_testcli_says (stack, 1, "has already voted", "topic vote %s m07 abstain", id);
    cg_topic_tally_t tally = s_tally (stack, id);
    cr_assert_eq (tally.voted, 20);
    cr_assert_eq (tally.yes + tally.no, 20);
    cr_assert_eq (tally.ballots_count, 20);
    cr_assert_eq (tally.abstain, 0);
    cg_msg_clear (&cg_topic_tally_def, &tally);
    cr_assert_eq (s_journaled (stack, "topic.voted"), 20);

    /*  where the rule allows, a vote changes while the ballot is open */
    char again[32];
    s_topic (stack, again, 3, "--revote");
    free (cg_testcli (stack, 0, "topic vote %s m01 yes", again));
    cg_testcli_says (stack, 0, "voted 1: yes 0, no 1", "topic vote %s m01 no", again);
    free (cg_testcli (stack, 0, "topic vote %s m02 yes", again));
    free (cg_testcli (stack, 0, "topic tally %s --close", again));
    cg_testcli_says (stack, 1, "no meeting of topic", "topic vote %s m03 yes", again);

    /*  a secret ballot records who voted, never how */
    char secret[32];
    s_topic (stack, secret, 3, "--secret");
    free (cg_testcli (stack, 0, "topic vote %s m01 no", secret));
    cg_testcli_says (stack, 1, "has already voted", "topic vote %s m01 yes", secret);
    char *out = cg_testcli (stack, 0, "topic tally %s --json", secret);
    cr_assert (strstr (out, "\"voters\":[\"m01\"]") && !strstr (out, "ballots")
               && strstr (out, "\"no\":1"), "%s", out);
    free (out);
    redisReply *r = cg_redis_command (stack->redis, "XREVRANGE cg:{consultation}:journal + - "
                                      "COUNT 1");
    cg_topic_event_t voted;
    cg_error_t err;
    redisReply *kv = r->element[0]->element[1];
    cr_assert_str_eq (kv->element[1]->str, "topic.voted");
    cr_assert_eq (cg_msg_decode (&cg_topic_event_def, kv->element[3]->str, kv->element[3]->len,
                                 &voted, &err), 0);
    cr_assert_str_eq (voted.member, "m01");
    cr_assert_null (voted.choice, "a secret vote's choice was journaled");
    cg_msg_clear (&cg_topic_event_def, &voted);
    freeReplyObject (r);
    cg_teststack_down (&stack);
}

Test (ballots, kill_9_of_consultation_mid_ballot_loses_no_vote, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char id[32];
    s_topic (stack, id, 40, "");
    cg_client_t *client = cg_teststack_client (stack, "consultation");
    int yes = 0;
    for (int i = 1; i <= 40; i++) {
        char member[8], rid[32];
        snprintf (member, sizeof member, "m%02d", i);
        snprintf (rid, sizeof rid, "k-%d", i);
        const char *choice = i % 3 ? "yes" : "no";
        yes += i % 3 != 0;
        if (i == 13 || i == 29) {
            /*  the vote is in flight when the service dies */
            zsock_t *dealer = s_send_vote (stack, rid, id, member, choice);
            cg_teststack_kill9 (stack, "consultation");
            zsock_destroy (&dealer);
            cg_teststack_restart (stack);
        }
        cg_topic_act_t req = { .rid = rid, .id = id, .actor = "test", .member = member,
                               .choice = (char *) choice };
        cg_topic_tally_t tally;
        cg_error_t err;
        int rc = -1;
        for (int attempt = 0; attempt < 10 && rc; attempt++)
            rc = cg_client_call (client, &cg_cmd_topic_vote, &req, &tally, &err);
        cr_assert_eq (rc, 0, "vote %d: %s", i, err.message);
        cg_msg_clear (&cg_topic_tally_def, &tally);
    }
    cg_client_destroy (&client);
    cg_topic_tally_t tally = s_tally (stack, id);
    cr_assert_eq (tally.voted, 40);
    cr_assert_eq (tally.yes, yes);
    cr_assert_eq (tally.no, 40 - yes);
    cr_assert_eq (tally.ballots_count, 40);
    cg_msg_clear (&cg_topic_tally_def, &tally);
    cr_assert_eq (s_journaled (stack, "topic.voted"), 40);
    cg_testcli_says (stack, 0, "adopted", "topic tally %s --close", id);
    cg_teststack_down (&stack);
}

Test (ballots, bad_input_is_refused_by_field_and_consultation_keeps_serving, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_testcli_says (stack, 1, "no topic YS999999", "topic vote YS999999 m01 yes");
    cg_testcli_says (stack, 1, "(invalid: procedure)",
                     "topic create --title x --scope %s --procedure vote", S_COMMUNITY);
    cg_testcli_says (stack, 1, "(invalid: source)",
                     "topic create --title x --scope %s --source rumour", S_COMMUNITY);
    cg_testcli_says (stack, 1, "not in the catalog",
                     "topic create --title x --scope %s --category nope", S_COMMUNITY);
    cg_testcli_says (stack, 1, "(invalid: invited)",
                     "topic create --title x --scope %s --procedure siyi --invite a:b:c",
                     S_VILLAGE);
    cg_testcli_says (stack, 1, "has no roster of invited", "topic create --title x --scope "
                     "320602001002");
    cg_testcli_says (stack, 1, "has no roster of party_branch",
                     "topic create --title x --procedure siyi --scope 320602001002");
    cg_testcli_says (stack, 1, "(invalid: quorum_num)",
                     "topic create --title x --scope %s --quorum 4/3", S_COMMUNITY);
    char id[32];
    s_topic (stack, id, 3, "");
    cg_testcli_says (stack, 1, "(invalid: choice)", "topic vote %s m01 maybe", id);
    cg_testcli_says (stack, 1, "adopted resolution", "topic task %s --text 修路", id);
    cg_testcli_says (stack, 1, "has no publication", "topic publish %s minutes --text x", id);
    cg_testcli_says (stack, 1, "(invalid: text)", "topic publish %s resolution_published", id);
    cg_testcli_says (stack, 1, "has no stage", "topic stage %s voting", id);

    /*  frames that are no command at all */
    zsock_t *dealer = cg_teststack_dealer (stack, "consultation");
    const char *bodies[] = { "\xc1", "\x81\xa2id\xc3", "\x82\xa3rid\xa1r\xa2id\xa2\xc3\x28" };
    for (int i = 0; i < 3; i++) {
        zmsg_t *msg = zmsg_new ();
        zmsg_addstr (msg, "topic.vote");
        zmsg_addstr (msg, "raw");
        zmsg_addmem (msg, bodies[i], strlen (bodies[i]));
        zmsg_send (&msg, dealer);
        zsock_set_rcvtimeo (dealer, 10000);
        zmsg_t *answer = zmsg_recv (dealer);
        cr_assert (answer && zframe_streq (zmsg_first (answer), "error"), "body %d", i);
        zmsg_destroy (&answer);
    }
    zsock_destroy (&dealer);
    free (cg_testcli (stack, 0, "topic vote %s m01 yes", id));
    cg_testcli_says (stack, 0, "1 topics", "topic list --scope %s", S_COMMUNITY);
    cg_teststack_down (&stack);
}

/*  Runs civgrid-consultation by hand on the stack's configuration with a
    rosters file of the given text and one more setting; returns its exit
    code and its log. */
static int
s_start_with (cg_teststack_t *stack, const char *text, const char *set, char *log, size_t len)
{
    char path[600], command[2048];
    snprintf (path, sizeof path, "%s/rosters-bad.tsv", stack->dir);
    FILE *f = fopen (path, "w");
    fputs (text, f);
    fclose (f);
    const char *bin = getenv ("CG_BIN");
    snprintf (command, sizeof command, "%s/civgrid-consultation -c %s/civgrid.cfg --set "
              "data/rosters=%s --set consultation/endpoint=tcp://127.0.0.1:%d --set %s 2>&1",
              bin ? bin : "build/asan/bin", stack->dir, path, cg_test_free_port (), set);
    FILE *p = popen (command, "r");
    size_t n = fread (log, 1, len - 1, p);
    log[n] = 0;
    int status = pclose (p);
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

Test (ballots, a_bad_rosters_file_or_rule_stops_the_service_with_the_reason, .timeout = 60)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    const char *good = "320602001001\tinvited\ta\t甲\t业主\n";
    const char *plain = "consultation/publish_days=7";
    char log[4096];
    cr_assert_eq (s_start_with (stack, "# ok\n320602001001\tinvited\ta\t甲\t业主\n"
                                "320602001\tinvited\tb\t乙\t业主\n", plain, log, sizeof log), 1);
    cr_assert (strstr (log, "rosters-bad.tsv:3: 320602001 is not a community"), "%s", log);
    cr_assert_eq (s_start_with (stack, "320602001001\tcouncil\ta\t甲\t业主\n", plain, log,
                                sizeof log), 1);
    cr_assert (strstr (log, ":1: unknown body council"), "%s", log);
    cr_assert_eq (s_start_with (stack, "320602001001\tinvited\ta\n", plain, log, sizeof log), 1);
    cr_assert (strstr (log, ":1: 3 columns"), "%s", log);
    cr_assert_eq (s_start_with (stack, good, "consultation/quorum/representatives=3/2", log,
                                sizeof log), 1);
    cr_assert (strstr (log, "the rule of representatives is quorum 3/2"), "%s", log);
    cg_teststack_down (&stack);
}

/* --- secrecy: what an administrator with every Redis file can read ------- */

#define S_VOTERS 6
static const char *const s_choices[] = { "yes", "no", "abstain" };

/*  A string names a member or a choice, as itself or as a msgpack string
    inside it (event bodies, a topic's members). */
static bool
s_names (const char *s, size_t len, const char *word)
{
    size_t n = strlen (word);
    if (len == n && memcmp (s, word, n) == 0)
        return true;
    char packed[16] = { (char) (0xa0 | n) };
    memcpy (packed + 1, word, n);
    return memmem (s, len, packed, n + 1) != NULL;
}

/*  One record read back (a key, a journal entry, a command or a MULTI block
    of the AOF): fails the test if it names a member beside a choice. */
typedef struct {
    const char *strings[4096];
    size_t lens[4096];
    size_t count;
} s_record_t;

static void
s_record_add (s_record_t *rec, const char *s, size_t len)
{
    cr_assert_lt (rec->count, 4096);
    rec->strings[rec->count] = s;
    rec->lens[rec->count++] = len;
}

static int
s_record_check (const s_record_t *rec, const char *where)
{
    for (int m = 1; m <= S_VOTERS; m++) {
        char member[8];
        snprintf (member, sizeof member, "m%02d", m);
        bool has_member = false, has_choice = false;
        for (size_t i = 0; i < rec->count; i++) {
            has_member |= s_names (rec->strings[i], rec->lens[i], member);
            for (int c = 0; c < 3; c++)
                has_choice |= s_names (rec->strings[i], rec->lens[i], s_choices[c]);
        }
        cr_assert (!(has_member && has_choice), "%s names %s beside a choice", where, member);
    }
    return 0;
}

/*  The flat strings of a reply (nested arrays too) into rec. */
static void
s_record_reply (s_record_t *rec, const redisReply *r)
{
    if (r->type == REDIS_REPLY_ARRAY)
        for (size_t i = 0; i < r->elements; i++)
            s_record_reply (rec, r->element[i]);
    else
    if (r->str)
        s_record_add (rec, r->str, r->len);
}

/*  Every key of the store, and every entry of a stream on its own. */
static int
s_check_keys (cg_teststack_t *stack)
{
    int keys = 0;
    char cursor[32] = "0";
    do {
        redisReply *scan = cg_redis_command (stack->redis, "SCAN %s COUNT 1000", cursor);
        cr_assert (scan && scan->type == REDIS_REPLY_ARRAY);
        snprintf (cursor, sizeof cursor, "%s", scan->element[0]->str);
        for (size_t i = 0; i < scan->element[1]->elements; i++) {
            const char *key = scan->element[1]->element[i]->str;
            redisReply *type = cg_redis_command (stack->redis, "TYPE %s", key);
            const char *t = type->str;
            redisReply *r = streq (t, "string") ? cg_redis_command (stack->redis, "GET %s", key)
                          : streq (t, "hash") ? cg_redis_command (stack->redis, "HGETALL %s", key)
                          : streq (t, "set") ? cg_redis_command (stack->redis, "SMEMBERS %s", key)
                          : streq (t, "zset") ? cg_redis_command (stack->redis,
                                                                  "ZRANGE %s 0 -1 WITHSCORES", key)
                          : streq (t, "list") ? cg_redis_command (stack->redis, "LRANGE %s 0 -1",
                                                                  key)
                          : cg_redis_command (stack->redis, "XRANGE %s - +", key);
            cr_assert (r && r->type != REDIS_REPLY_ERROR, "cannot read %s (%s)", key, t);
            char where[300];
            if (streq (t, "stream"))
                for (size_t e = 0; e < r->elements; e++) {
                    s_record_t *rec = calloc (1, sizeof *rec);
                    s_record_reply (rec, r->element[e]);
                    snprintf (where, sizeof where, "entry %s of %s", r->element[e]->element[0]->str,
                              key);
                    s_record_check (rec, where);
                    free (rec);
                }
            else {
                s_record_t *rec = calloc (1, sizeof *rec);
                s_record_add (rec, key, strlen (key));
                s_record_reply (rec, r);
                snprintf (where, sizeof where, "key %s", key);
                s_record_check (rec, where);
                free (rec);
            }
            freeReplyObject (r);
            freeReplyObject (type);
            keys++;
        }
        freeReplyObject (scan);
    } while (strcmp (cursor, "0"));
    return keys;
}

/*  One RESP array of bulk strings at *at into rec; false at the end. */
static bool
s_aof_command (const char *data, size_t size, size_t *at, s_record_t *rec, char *name,
               size_t name_len)
{
    if (*at >= size)
        return false;
    cr_assert_eq (data[*at], '*', "the AOF holds something not a command at byte %zu", *at);
    char *end;
    long n = strtol (data + *at + 1, &end, 10);
    *at = end - data + 2;
    for (long i = 0; i < n; i++) {
        cr_assert_eq (data[*at], '$');
        long len = strtol (data + *at + 1, &end, 10);
        const char *s = end + 2;
        cr_assert_leq ((size_t) (s - data) + len, size);
        if (i == 0)
            snprintf (name, name_len, "%.*s", (int) len, s);
        s_record_add (rec, s, len);
        *at = s - data + len + 2;
    }
    return true;
}

/*  Every file of the append-only folder: each command on its own, each
    MULTI ... EXEC (a script's writes) as one.  Returns the commands read. */
static int
s_check_aof (const char *dir)
{
    char path[700];
    snprintf (path, sizeof path, "%s/redis/appendonlydir", dir);
    DIR *folder = opendir (path);
    cr_assert (folder, "no %s", path);
    int commands = 0;
    struct dirent *entry;
    while ((entry = readdir (folder))) {
        size_t len = strlen (entry->d_name);
        char file[1000];
        snprintf (file, sizeof file, "%s/%s", path, entry->d_name);
        cr_assert (len < 4 || strcmp (entry->d_name + len - 4, ".rdb"),
                   "%s is a snapshot, not commands", file);
        if (len < 4 || strcmp (entry->d_name + len - 4, ".aof"))
            continue;
        FILE *f = fopen (file, "r");
        cr_assert (f);
        fseek (f, 0, SEEK_END);
        size_t size = ftell (f);
        rewind (f);
        char *data = malloc (size + 1);
        cr_assert_eq (fread (data, 1, size, f), size);
        fclose (f);
        size_t at = 0;
        s_record_t *rec = calloc (1, sizeof *rec);
        char name[32];
        bool in_multi = false;
        while (s_aof_command (data, size, &at, rec, name, sizeof name)) {
            commands++;
            if (strcasecmp (name, "MULTI") == 0)
                in_multi = true;
            if (strcasecmp (name, "EXEC") == 0)
                in_multi = false;
            if (!in_multi) {
                char where[1100];
                snprintf (where, sizeof where, "a command (%s) of %s", name, file);
                s_record_check (rec, where);
                rec->count = 0;
            }
        }
        free (rec);
        free (data);
    }
    closedir (folder);
    return commands;
}

static int64_t
s_info_int (cg_teststack_t *stack, const char *field)
{
    redisReply *r = cg_redis_command (stack->redis, "INFO persistence");
    const char *at = r && r->str ? strstr (r->str, field) : NULL;
    int64_t value = at ? atoll (at + strlen (field) + 1) : -1;
    freeReplyObject (r);
    return value;
}

static void
s_await_rewrites (cg_teststack_t *stack, int64_t after)
{
    for (int t = 0; t < 300; t++) {
        if (s_info_int (stack, "aof_rewrites") > after
        &&  s_info_int (stack, "aof_rewrite_in_progress") == 0
        &&  s_info_int (stack, "aof_rewrite_scheduled") == 0)
            return;
        usleep (100000);
    }
    cr_assert_fail ("the AOF was not rewritten after the secret votes");
}

Test (ballots, a_secret_ballot_leaves_nothing_that_ties_a_choice_to_a_member, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_teststack_keep_journal (stack, "consultation");
    /*  the rewritten AOF as commands rather than a snapshot, so that the
        test reads it as it reads the rest: what it holds is the same */
    freeReplyObject (cg_redis_command (stack->redis, "CONFIG SET aof-use-rdb-preamble no"));
    char id[32];
    s_topic (stack, id, S_VOTERS, "--secret");
    static const char *const votes[S_VOTERS] = { "yes", "no", "yes", "abstain", "yes", "no" };
    int64_t rewrites = 0;
    for (int m = 1; m <= S_VOTERS; m++) {
        rewrites = s_info_int (stack, "aof_rewrites");
        free (cg_testcli (stack, 0, "topic vote %s m%02d %s", id, m, votes[m - 1]));
    }
    cg_testcli_says (stack, 1, "has already voted", "topic vote %s m02 yes", id);
    s_await_rewrites (stack, rewrites);
    /*  a rewrite under way at the last vote is followed by another within a tick */
    usleep (1500000);
    s_await_rewrites (stack, rewrites);

    /*  the count: every member once, every choice counted, none stored */
    cg_topic_tally_t tally = s_tally (stack, id);
    cr_assert_eq (tally.voted, S_VOTERS);
    cr_assert_eq (tally.voters_count, S_VOTERS);
    cr_assert_eq (tally.yes, 3);
    cr_assert_eq (tally.no, 2);
    cr_assert_eq (tally.abstain, 1);
    cr_assert_eq (tally.ballots_count, 0, "a secret ballot lists its ballots");
    cg_msg_clear (&cg_topic_tally_def, &tally);

    /*  nothing read back pairs a member with a choice */
    cr_assert_gt (s_check_keys (stack), 10);
    cr_assert_eq (s_journaled (stack, "topic.voted"), S_VOTERS);
    cr_assert_gt (s_check_aof (stack->dir), 10);

    /*  an open ballot (记名) keeps its ballots, and the same reading finds them */
    char open_id[32];
    s_topic (stack, open_id, 2, "");
    free (cg_testcli (stack, 0, "topic vote %s m01 no", open_id));
    tally = s_tally (stack, open_id);
    cr_assert_eq (tally.ballots_count, 1);
    cr_assert_str_eq (tally.ballots[0].member, "m01");
    cr_assert_str_eq (tally.ballots[0].choice, "no");
    cg_msg_clear (&cg_topic_tally_def, &tally);
    cg_teststack_down (&stack);
}
