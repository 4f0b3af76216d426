/*  Cursors (common/cg_cursor): what a caller gives back is read as the
    place it was made for, and nothing else is: an altered token, one from
    another list, a stale one are refused with a sentence.  And a sorted
    set read page by page, by keyset, gives every member exactly once,
    however many share a score and however many arrive meanwhile. */
#include <criterion/criterion.h>
#include "cg_cursor.h"
#include "cg_testenv.h"
#include "cg_text.h"

#define S_KEY   "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define S_NOW   INT64_C (1764950400000)

Test (cursor, a_token_reads_back_as_its_place)
{
    cg_cursor_t *codec = cg_cursor_new (S_KEY);
    cr_assert_not (cg_cursor_keyless (codec));
    cg_cursor_at_t at = { .pos = 1764950400123 }, back;
    snprintf (at.id, sizeof at.id, "CG20261206-000042");
    char token[CG_CURSOR_MAX], why[256];
    cg_cursor_encode (codec, "case.list/-/320602001", &at, S_NOW, token, sizeof token);
    cr_assert (strlen (token) < CG_CURSOR_MAX);
    cr_assert_null (strpbrk (token, "+/=&?# "), "safe in a URL as it is: %s", token);
    cr_assert_eq (cg_cursor_decode (codec, token, "case.list/-/320602001", S_NOW + 60000, &back,
                                    why, sizeof why), 0, "%s", why);
    cr_assert_eq (back.pos, at.pos);
    cr_assert_str_eq (back.id, at.id);
    /*  another codec under the same key (another daemon) reads it too */
    cg_cursor_t *other = cg_cursor_new (S_KEY);
    cr_assert_eq (cg_cursor_decode (other, token, "case.list/-/320602001", S_NOW, &back, why,
                                    sizeof why), 0, "%s", why);
    cg_cursor_destroy (&other);
    cg_cursor_destroy (&codec);
    cg_cursor_destroy (&codec);
    cr_assert_null (codec);
}

Test (cursor, an_altered_foreign_or_stale_token_is_refused)
{
    cg_cursor_t *codec = cg_cursor_new (S_KEY);
    cg_cursor_at_t at = { .pos = 5, .id = "CG1" }, back;
    char token[CG_CURSOR_MAX], why[256];
    cg_cursor_encode (codec, "topic.list/320602001001", &at, S_NOW, token, sizeof token);
    /*  every single character changed */
    for (size_t i = 0; token[i]; i++) {
        char altered[CG_CURSOR_MAX];
        snprintf (altered, sizeof altered, "%s", token);
        altered[i] = altered[i] == 'A' ? 'B' : 'A';
        cr_assert_eq (cg_cursor_decode (codec, altered, "topic.list/320602001001", S_NOW, &back,
                                        why, sizeof why), -1, "character %zu", i);
        cr_assert (strstr (why, "altered"), "%s", why);
    }
    const char *junk[] = { "", "x", "next", "%%%", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        cr_assert_eq (cg_cursor_decode (codec, junk[i], "topic.list/320602001001", S_NOW, &back,
                                        why, sizeof why), -1);
        cr_assert (strstr (why, "altered"), "%s", why);
    }
    cr_assert_eq (cg_cursor_decode (codec, token, "topic.list/320602001002", S_NOW, &back,
                                    why, sizeof why), -1);
    cr_assert (strstr (why, "another list") && strstr (why, "320602001001"), "%s", why);
    cr_assert_eq (cg_cursor_decode (codec, token, "topic.list/320602001001",
                                    S_NOW + CG_CURSOR_TTL_MS + 1, &back, why, sizeof why), -1);
    cr_assert (strstr (why, "stale") && strstr (why, "24 hours"), "%s", why);
    /*  made under another key: as good as altered */
    cg_cursor_t *keyless = cg_cursor_new (NULL);
    cr_assert (cg_cursor_keyless (keyless));
    cr_assert_eq (cg_cursor_decode (keyless, token, "topic.list/320602001001", S_NOW, &back,
                                    why, sizeof why), -1);
    cr_assert (strstr (why, "altered"), "%s", why);
    cg_cursor_destroy (&keyless);
    cg_cursor_destroy (&codec);
}

Test (cursor, a_list_is_named_by_its_command_and_filters)
{
    char a[CG_CURSOR_LIST_MAX], b[CG_CURSOR_LIST_MAX];
    cg_case_query_t q = { .rid = "r1", .state = "dispatched", .center = "320602001",
                          .cursor = "abc", .limit = 20 };
    cg_cursor_list (a, sizeof a, "case.list", &cg_case_query_def, &q);
    cr_assert_str_eq (a, "case.list/dispatched/320602001/-/-");
    /*  the request id, the cursor and the page's size are no filters */
    q = (cg_case_query_t) { .rid = "r2", .state = "dispatched", .center = "320602001" };
    cg_cursor_list (b, sizeof b, "case.list", &cg_case_query_def, &q);
    cr_assert_str_eq (a, b);
    q.newest = true;
    cg_cursor_list (b, sizeof b, "case.list", &cg_case_query_def, &q);
    cr_assert_str_eq (b, "case.list/dispatched/320602001/-/1");
}

/*  A delivery id as notification makes them: case, topic, deadline and
    recipient, 100 bytes and more, the first 63 the same for one case. */
static void
s_long_id (char *buf, size_t len, int n)
{
    snprintf (buf, len, "CG20261206-000042:case.overdue:2026-12-06T17:30:00+08:00:"
              "person:320602001-huanbao-%03d!undelivered:op%d:1", n, n % 3);
}

Test (cursor, a_long_id_keeps_its_own_form_and_short_ids_stay)
{
    char form[CG_CURSOR_ID_MAX], other[CG_CURSOR_ID_MAX], a[160], b[160];
    /*  short ids, to 63 bytes, are their own form: old tokens still read */
    const char *shorts[] = { "", "CG20261206-000042", "test:r1", "1764950400123-0",
                             "街道路灯坏了街道路灯坏了街道路灯坏了" };
    for (size_t i = 0; i < sizeof shorts / sizeof shorts[0]; i++) {
        cg_cursor_id (form, shorts[i]);
        cr_assert_str_eq (form, shorts[i]);
        cr_assert_eq (cg_cursor_idcmp (shorts[i], form), 0);
    }
    char edge[CG_CURSOR_ID_MAX];
    memset (edge, 'x', sizeof edge - 1);
    edge[sizeof edge - 1] = 0;
    cg_cursor_id (form, edge);
    cr_assert_str_eq (form, edge, "63 bytes is still short");
    /*  long ids alike in their first 63 bytes and more have forms apart */
    s_long_id (a, sizeof a, 1);
    s_long_id (b, sizeof b, 2);
    cr_assert (strlen (a) > 90 && strncmp (a, b, 80) == 0);
    cg_cursor_id (form, a);
    cg_cursor_id (other, b);
    cr_assert_eq (strlen (form), CG_CURSOR_ID_MAX - 1);
    cr_assert_str_neq (form, other);
    cr_assert_eq (strncmp (form, a, CG_CURSOR_ID_KEEP), 0, "the form keeps the id's start");
    cr_assert_eq (cg_cursor_idcmp (a, form), 0);
    cr_assert_eq (cg_cursor_idcmp (b, form), CG_CURSOR_NEAR, "alike at the start: unknown");
    cr_assert_eq (cg_cursor_idcmp (b, other), 0);
    /*  ids apart within the kept bytes are placed as Redis orders them */
    cr_assert_eq (cg_cursor_idcmp ("CG20261206-000041:case.overdue", form), -1);
    cr_assert_eq (cg_cursor_idcmp ("CG20261206-000043", form), 1);
    cr_assert_eq (cg_cursor_idcmp ("CG20261206", form), -1, "a prefix comes first");
    /*  through a token and back, the long id is still the same item */
    cg_cursor_t *codec = cg_cursor_new (S_KEY);
    cg_cursor_at_t at = { .pos = 1764950400123 }, back;
    cg_cursor_id (at.id, a);
    char token[CG_CURSOR_MAX], why[256];
    cg_cursor_encode (codec, "notify.deadletter/-/-", &at, S_NOW, token, sizeof token);
    cr_assert_eq (cg_cursor_decode (codec, token, "notify.deadletter/-/-", S_NOW, &back, why,
                                    sizeof why), 0, "%s", why);
    cr_assert_eq (cg_cursor_idcmp (a, back.id), 0);
    cr_assert_eq (cg_cursor_idcmp (b, back.id), CG_CURSOR_NEAR);
    cg_cursor_destroy (&codec);
}

Test (cursor, a_summary_is_cut_at_a_character)
{
    char out[8];
    cg_utf8_cut ("街道路灯坏了", out, sizeof out);     /* 3 bytes a character */
    cr_assert_str_eq (out, "街道");
    cr_assert (cg_utf8_valid (out, strlen (out)));
    cg_utf8_cut ("ok", out, sizeof out);
    cr_assert_str_eq (out, "ok");
}

/*  Every member of key, page by page of n, ascending or descending. */
static size_t
s_page_through (cg_redis_t *r, const char *key, bool desc, size_t n, char **seen, size_t max,
                void (*between) (cg_redis_t *r, size_t page))
{
    cg_cursor_at_t after;
    bool first = true;
    size_t count = 0;
    for (size_t page = 0; ; page++) {
        cg_zpage_t p;
        cr_assert_eq (cg_zpage_read (r, key, desc, first ? NULL : &after, n, &p), 0);
        for (size_t i = 0; i < p.count && count < max; i++)
            seen[count++] = strdup (p.ids[i]);
        bool more = p.count == n;
        if (more) {
            after.pos = p.pos[p.count - 1];
            cg_cursor_id (after.id, p.ids[p.count - 1]);
        }
        cg_zpage_free (&p);
        first = false;
        if (!more)
            break;
        if (between)
            between (r, page);
    }
    return count;
}

/*  New members arrive between pages, after the end (a newer score). */
static void
s_arrive (cg_redis_t *r, size_t page)
{
    redisReply *x = cg_redis_command (r, "ZADD q 900000 late%zu", page);
    freeReplyObject (x);
}

Test (cursor, a_sorted_set_pages_through_each_member_once, .timeout = 60)
{
    cg_testredis_t *redis = cg_testredis_start ();
    cg_redis_t *r = cg_redis_new ("127.0.0.1", redis->port, 10000);
    /*  300 members in 7 scores: ties far longer than a page */
    redisReply *x = cg_redis_command (r, "EVAL %s 1 q", "for i = 1, 300 do redis.call ('ZADD', "
                                      "KEYS[1], (i % 7) * 1000, string.format ('m%03d', i)) end "
                                      "return 1");
    freeReplyObject (x);
    char *seen[400];
    size_t n = s_page_through (r, "q", false, 11, seen, 400, NULL);
    cr_assert_eq (n, 300);
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            cr_assert_str_neq (seen[i], seen[k], "%s twice", seen[i]);
    for (size_t i = 0; i < n; i++)
        free (seen[i]);
    n = s_page_through (r, "q", true, 13, seen, 400, NULL);
    cr_assert_eq (n, 300, "the newest first, the same members");
    cr_assert_str_eq (seen[0], "m300", "the highest score's last id");
    for (size_t i = 0; i < n; i++)
        free (seen[i]);
    /*  members arriving while paging do not move the pages */
    n = s_page_through (r, "q", false, 50, seen, 400, s_arrive);
    size_t old = 0;
    for (size_t i = 0; i < n; i++) {
        old += strncmp (seen[i], "m", 1) == 0;
        free (seen[i]);
    }
    cr_assert_eq (old, 300, "each of the 300 once");
    cg_redis_destroy (&r);
    cg_testredis_stop (&redis);
}

/*  Takes away the last member given before the next page is read. */
static char *s_last_given;
static void
s_remove_last (cg_redis_t *r, size_t page)
{
    (void) page;
    redisReply *x = cg_redis_command (r, "ZREM long %s", s_last_given);
    freeReplyObject (x);
}

/*  Notification's dead letters: ids of 100 bytes and more, alike in far
    more than 63 of them, many of one score (they died in one call). */
Test (cursor, long_ids_of_one_score_page_through_each_once, .timeout = 60)
{
    cg_testredis_t *redis = cg_testredis_start ();
    cg_redis_t *r = cg_redis_new ("127.0.0.1", redis->port, 10000);
    char id[160];
    for (int i = 0; i < 40; i++) {
        s_long_id (id, sizeof id, i);
        redisReply *x = cg_redis_command (r, "ZADD long %d %s", i < 30 ? 5000 : 6000, id);
        freeReplyObject (x);
    }
    redisReply *x = cg_redis_command (r, "ZADD long 5000 CG20261206-000041 5000 CG20261206-000043");
    freeReplyObject (x);
    for (int desc = 0; desc <= 1; desc++) {
        char *seen[100];
        size_t n = s_page_through (r, "long", desc, 3, seen, 100, NULL);
        cr_assert_eq (n, 42, "%s: every member, none twice or lost", desc ? "desc" : "asc");
        for (size_t i = 0; i < n; i++)
            for (size_t k = i + 1; k < n; k++)
                cr_assert_str_neq (seen[i], seen[k], "%s twice", seen[i]);
        for (size_t i = 0; i < n; i++)
            free (seen[i]);
    }
    /*  the last member given is gone when the next page is read (retried):
        nothing of the rest is skipped */
    cg_cursor_at_t after;
    cg_zpage_t p;
    cr_assert_eq (cg_zpage_read (r, "long", true, NULL, 5, &p), 0);
    after.pos = p.pos[4];
    cg_cursor_id (after.id, p.ids[4]);
    s_last_given = p.ids[4];
    s_remove_last (r, 0);
    cg_zpage_t rest;
    cr_assert_eq (cg_zpage_read (r, "long", true, &after, 100, &rest), 0);
    for (size_t i = 0; i < 40; i++) {
        s_long_id (id, sizeof id, (int) i);
        bool first = false, later = false;
        for (size_t k = 0; k < 5; k++)
            first |= strcmp (p.ids[k], id) == 0;
        for (size_t k = 0; k < rest.count; k++)
            later |= strcmp (rest.ids[k], id) == 0;
        cr_assert (first || later || strcmp (id, s_last_given) == 0, "%s skipped", id);
    }
    cg_zpage_free (&rest);
    cg_zpage_free (&p);
    cg_redis_destroy (&r);
    cg_testredis_stop (&redis);
}
