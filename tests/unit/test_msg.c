#define _GNU_SOURCE
/*  The message codec: every message round-trips, and every kind of hostile
    input is refused with the field and the reason, never a crash. */
#include <criterion/criterion.h>
#include "cg_msg.h"
#include <string.h>

/* --- round trips of every message, filled from its own definition --------- */

/*  Fills every field: at its upper limits (big) or its lower ones.  Strings
    are made of 3-byte characters (网) where they fit, so that UTF-8 is
    exercised, padded with ASCII to the exact length. */
static void
s_fill (const cg_msgdef_t *def, void *msg, bool big)
{
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        char *at = (char *) msg + f->offset;
        switch (f->type) {
            case CG_F_STR: {
                size_t len = big ? (size_t) f->max : (size_t) (f->min > 0 ? f->min : 1);
                char *s = malloc (len + 1);
                size_t k = 0;
                for (; k + 3 <= len; k += 3)
                    memcpy (s + k, "\xe7\xbd\x91", 3);
                for (; k < len; k++)
                    s[k] = 'a';
                s[len] = 0;
                *(char **) at = s;
                break;
            }
            case CG_F_INT:
                *(int64_t *) at = big ? f->max : f->min;
                ((uint64_t *) msg)[0] |= UINT64_C (1) << i;
                break;
            case CG_F_BOOL:
                *(bool *) at = big;
                ((uint64_t *) msg)[0] |= UINT64_C (1) << i;
                break;
            case CG_F_STRS: {
                char **list = calloc (2, sizeof (char *));
                list[0] = strdup ("one");
                list[1] = strdup ("两");
                *(char ***) at = list;
                *(size_t *) ((char *) msg + f->count_offset) = 2;
                break;
            }
            case CG_F_LIST: {
                char *items = calloc (2, f->sub->size);
                s_fill (f->sub, items, false);
                s_fill (f->sub, items + f->sub->size, false);
                *(char **) at = items;
                *(size_t *) ((char *) msg + f->count_offset) = 2;
                break;
            }
        }
    }
}

Test (msg, every_message_round_trips)
{
    for (size_t m = 0; m < cg_msgdefs_count; m++) {
        const cg_msgdef_t *def = cg_msgdefs[m];
        for (int big = 0; big < 2; big++) {
            void *msg = calloc (1, def->size), *back = calloc (1, def->size);
            s_fill (def, msg, big);
            msgpack_sbuffer one, two;
            msgpack_sbuffer_init (&one);
            msgpack_sbuffer_init (&two);
            cg_error_t err;
            int rc = cg_msg_encode (def, msg, &one, &err);
            if (rc && big && strstr (err.message, "encoded"))
                goto next;      /* at every limit at once a few exceed the frame */
            cr_assert_eq (rc, 0, "%s: encode: %s %s", def->name, err.field, err.message);
            cr_assert_eq (cg_msg_decode (def, one.data, one.size, back, &err), 0,
                          "%s: decode: %s %s", def->name, err.field, err.message);
            cr_assert_eq (cg_msg_encode (def, back, &two, &err), 0);
            cr_assert_eq (one.size, two.size, "%s: sizes differ", def->name);
            cr_assert_eq (memcmp (one.data, two.data, one.size), 0, "%s: bytes differ",
                          def->name);
        next:
            cg_msg_clear (def, msg);
            cg_msg_clear (def, back);
            free (msg);
            free (back);
            msgpack_sbuffer_destroy (&one);
            msgpack_sbuffer_destroy (&two);
        }
    }
}

Test (msg, every_message_is_documented)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&text, &len);
    cg_msg_document (out);
    fclose (out);
    for (size_t m = 0; m < cg_msgdefs_count; m++) {
        char heading[96];
        snprintf (heading, sizeof heading, "## `%s`", cg_msgdefs[m]->name);
        cr_assert (strstr (text, heading) != NULL, "%s is missing from the reference",
                   cg_msgdefs[m]->name);
    }
    free (text);
}

/* --- hostile input -------------------------------------------------------- */

/*  A valid case.submit, as bytes. */
static void
s_valid_submit (msgpack_sbuffer *buf)
{
    cg_case_submit_t req = { .rid = "r1", .source = "hotline", .category = "noise",
                             .text = "太吵了", .grid = "320602001001001" };
    cg_error_t err;
    cr_assert_eq (cg_msg_encode (&cg_case_submit_def, &req, buf, &err), 0);
}

/*  Decodes bytes as case.submit; expects a refusal naming field and
    containing words. */
static void
s_refused (const void *data, size_t size, const char *field, const char *words)
{
    cg_case_submit_t req;
    cg_error_t err;
    cr_assert_eq (cg_msg_decode (&cg_case_submit_def, data, size, &req, &err), -1,
                  "accepted what should be refused (%s)", words);
    cr_assert_str_eq (err.field, field, "field \"%s\", expected \"%s\" (%s)", err.field,
                      field, err.message);
    cr_assert (strstr (err.message, words) != NULL, "\"%s\" does not say \"%s\"", err.message, words);
}

/*  A map of the required fields, with one key's value replaced by raw
    msgpack bytes (or one extra pair when key is new). */
static void
s_build (msgpack_sbuffer *buf, const char *key, const void *raw, size_t rawlen)
{
    const char *keys[] = { "rid", "source", "category", "text", "grid" };
    const char *values[] = { "r1", "hotline", "noise", "text", "320602001001001" };
    bool replaced = false;
    msgpack_packer pk;
    msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
    for (int i = 0; i < 5; i++)
        replaced |= strcmp (keys[i], key) == 0;
    msgpack_pack_map (&pk, replaced ? 5 : 6);
    for (int i = 0; i < 5; i++) {
        msgpack_pack_str_with_body (&pk, keys[i], strlen (keys[i]));
        if (strcmp (keys[i], key) == 0)
            msgpack_sbuffer_write (buf, raw, rawlen);
        else
            msgpack_pack_str_with_body (&pk, values[i], strlen (values[i]));
    }
    if (!replaced) {
        msgpack_pack_str_with_body (&pk, key, strlen (key));
        msgpack_sbuffer_write (buf, raw, rawlen);
    }
}

#define REFUSE(key, raw, field, words) do { \
        msgpack_sbuffer b; msgpack_sbuffer_init (&b); \
        s_build (&b, key, raw, sizeof raw - 1); \
        s_refused (b.data, b.size, field, words); \
        msgpack_sbuffer_destroy (&b); } while (0)

Test (msg, wrong_types_name_the_field)
{
    REFUSE ("rid", "\x7b", "rid", "must be a string");
    REFUSE ("text", "\xc3", "text", "must be a string");
    REFUSE ("text", "\x90", "text", "must be a string");
    REFUSE ("text", "\xc4\x01x", "text", "must be a string");
}

Test (msg, strings_are_checked)
{
    REFUSE ("text", "\xa2\xc3\x28", "text", "not valid UTF-8");        /* bad continuation */
    REFUSE ("text", "\xa2\xc0\xaf", "text", "not valid UTF-8");        /* overlong '/' */
    REFUSE ("text", "\xa3\xed\xa0\x80", "text", "not valid UTF-8");    /* a surrogate */
    REFUSE ("text", "\xa4\xf4\x90\x80\x80", "text", "not valid UTF-8");/* > U+10FFFF */
    REFUSE ("text", "\xa3" "a\0b", "text", "NUL");
    REFUSE ("text", "\xa0", "text", "0 bytes");
    REFUSE ("source", "\xb1" "aaaaaaaaaaaaaaaaa", "source", "17 bytes");
}

Test (msg, oversized_text_is_refused_with_its_size)
{
    char *big = malloc (4001 + 3);
    big[0] = (char) 0xda;
    big[1] = (char) (4001 >> 8);
    big[2] = (char) (4001 & 0xff);
    memset (big + 3, 'x', 4001);
    msgpack_sbuffer b;
    msgpack_sbuffer_init (&b);
    s_build (&b, "text", big, 4004);
    s_refused (b.data, b.size, "text", "4001 bytes");
    msgpack_sbuffer_destroy (&b);
    free (big);
}

Test (msg, counts_larger_than_the_bytes_left_are_refused)
{
    /*  these claim four billion elements in a handful of bytes */
    REFUSE ("text", "\xdd\xff\xff\xff\xff\x01", "text", "truncated or malformed");
    REFUSE ("text", "\xdf\xff\xff\xff\xff\x01\x01", "text", "truncated or malformed");
    REFUSE ("text", "\xdb\xff\xff\xff\xff" "abc", "text", "truncated or malformed");
    REFUSE ("extra", "\xdd\xff\xff\xff\xff\x01", "", "malformed");
    const uint8_t top[] = { 0xdf, 0xff, 0xff, 0xff, 0xff };
    s_refused (top, sizeof top, "", "not a msgpack map");
}

Test (msg, deep_nesting_is_refused)
{
    char raw[200];
    memset (raw, 0x91, 100);    /* 100 arrays, one inside the other */
    raw[100] = 0x01;
    raw[101] = 0;
    msgpack_sbuffer b;
    msgpack_sbuffer_init (&b);
    s_build (&b, "extra", raw, 101);
    s_refused (b.data, b.size, "", "nested too deeply");
    msgpack_sbuffer_destroy (&b);
}

Test (msg, integers_are_range_checked)
{
    cg_case_query_t q;
    cg_error_t err;
    /* {"rid":"r","limit":5000} */
    const uint8_t over[] = { 0x82, 0xa3, 'r', 'i', 'd', 0xa1, 'r', 0xa5, 'l', 'i', 'm', 'i',
                             't', 0xcd, 0x13, 0x88 };
    cr_assert_eq (cg_msg_decode (&cg_case_query_def, over, sizeof over, &q, &err), -1);
    cr_assert_str_eq (err.field, "limit");
    cr_assert (strstr (err.message, "5000") != NULL, "%s", err.message);
    const uint8_t huge[] = { 0x82, 0xa3, 'r', 'i', 'd', 0xa1, 'r', 0xa5, 'l', 'i', 'm', 'i',
                             't', 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    cr_assert_eq (cg_msg_decode (&cg_case_query_def, huge, sizeof huge, &q, &err), -1);
    cr_assert (strstr (err.message, "fits in 64 bits") != NULL, "%s", err.message);
    const uint8_t neg[] = { 0x82, 0xa3, 'r', 'i', 'd', 0xa1, 'r', 0xa5, 'l', 'i', 'm', 'i',
                            't', 0xff };
    cr_assert_eq (cg_msg_decode (&cg_case_query_def, neg, sizeof neg, &q, &err), -1);
    cr_assert_str_eq (err.field, "limit");
    const uint8_t flt[] = { 0x82, 0xa3, 'r', 'i', 'd', 0xa1, 'r', 0xa5, 'l', 'i', 'm', 'i',
                            't', 0xca, 0, 0, 0, 0 };
    cr_assert_eq (cg_msg_decode (&cg_case_query_def, flt, sizeof flt, &q, &err), -1);
    cr_assert (strstr (err.message, "must be an integer") != NULL, "%s", err.message);
}

Test (msg, structure_is_checked)
{
    msgpack_sbuffer b;
    msgpack_sbuffer_init (&b);
    s_valid_submit (&b);
    /* trailing bytes */
    msgpack_sbuffer_write (&b, "\x01", 1);
    s_refused (b.data, b.size, "", "after its end");
    /* a required field missing */
    b.size = 0;
    msgpack_packer pk;
    msgpack_packer_init (&pk, &b, msgpack_sbuffer_write);
    msgpack_pack_map (&pk, 1);
    msgpack_pack_str_with_body (&pk, "rid", 3);
    msgpack_pack_str_with_body (&pk, "r", 1);
    s_refused (b.data, b.size, "source", "is required");
    /* nil for a required field */
    msgpack_sbuffer_destroy (&b);
    REFUSE ("rid", "\xc0", "rid", "is required");
    /* a key twice */
    REFUSE ("text", "\xa1x\xa4text\xa1y", "text", "given twice");
    /* not a map */
    s_refused ("\x93\x01\x02\x03", 4, "", "not a msgpack map");
    s_refused ("", 0, "", "not a msgpack map");
}

Test (msg, unknown_keys_and_nil_optionals_are_accepted)
{
    msgpack_sbuffer b;
    msgpack_sbuffer_init (&b);
    s_build (&b, "future_field", "\x82\xa1x\x93\x01\x02\x03\xa1y\xc0", 10);
    cg_case_submit_t req;
    cg_error_t err;
    cr_assert_eq (cg_msg_decode (&cg_case_submit_def, b.data, b.size, &req, &err), 0,
                  "%s", err.message);
    cr_assert_str_eq (req.text, "text");
    cg_msg_clear (&cg_case_submit_def, &req);
    b.size = 0;
    s_build (&b, "address", "\xc0", 1);
    cr_assert_eq (cg_msg_decode (&cg_case_submit_def, b.data, b.size, &req, &err), 0);
    cr_assert_null (req.address);
    cg_msg_clear (&cg_case_submit_def, &req);
    msgpack_sbuffer_destroy (&b);
}

Test (msg, frames_over_the_cap_are_refused)
{
    size_t size = CG_MSG_MAX_FRAME + 1;
    char *big = calloc (1, size);
    big[0] = (char) 0x80;
    s_refused (big, size, "", "at most");
    free (big);
}

Test (msg, nested_errors_name_the_path)
{
    cg_case_page_t page = { .total = 2 };
    page.cases = calloc (2, sizeof (cg_case_item_t));
    page.cases_count = 2;
    page.cases[0].id = "CG1";
    page.cases[0].state = "closed";
    page.cases[1].id = "CG2";
    page.cases[1].state = "closed";
    msgpack_sbuffer b;
    msgpack_sbuffer_init (&b);
    cg_error_t err;
    cr_assert_eq (cg_msg_encode (&cg_case_page_def, &page, &b, &err), 0);
    free (page.cases);
    /* break the second case's id: "CG2" -> a number */
    char *at = memmem (b.data, b.size, "\xa3" "CG2", 4);
    cr_assert (at != NULL);
    memcpy (at, "\x7b\xa1x\xa1", 4);   /* id: 123, then a junk pair keeps it a map */
    cg_case_page_t back;
    cr_assert_eq (cg_msg_decode (&cg_case_page_def, b.data, b.size, &back, &err), -1);
    cr_assert_str_eq (err.field, "cases[1].id", "%s", err.field);
    msgpack_sbuffer_destroy (&b);
}

Test (msg, every_truncation_and_random_damage_is_survived)
{
    msgpack_sbuffer b;
    msgpack_sbuffer_init (&b);
    s_valid_submit (&b);
    cg_case_submit_t req;
    cg_error_t err;
    for (size_t cut = 0; cut < b.size; cut++) {
        cr_assert_eq (cg_msg_decode (&cg_case_submit_def, b.data, cut, &req, &err), -1,
                      "a frame cut at %zu of %zu was accepted", cut, b.size);
        cr_assert (*err.message);
    }
    /*  flip bytes at random, deterministically: whatever comes back is
        either a whole message or a refusal with a reason */
    srand (12345);
    char *copy = malloc (b.size);
    for (int round = 0; round < 20000; round++) {
        memcpy (copy, b.data, b.size);
        for (int k = 0; k < 1 + round % 4; k++)
            copy[rand () % b.size] = (char) rand ();
        if (cg_msg_decode (&cg_case_submit_def, copy, b.size, &req, &err) == 0) {
            cr_assert (req.rid && req.source && req.category && req.text);
            cg_msg_clear (&cg_case_submit_def, &req);
        }
        else
            cr_assert (*err.message);
    }
    free (copy);
    msgpack_sbuffer_destroy (&b);
}

Test (msg, set_from_text_fills_fields)
{
    cg_case_view_t v = { 0 };
    cr_assert_eq (cg_msg_set (&cg_case_view_def, &v, "id", "CG1", 3), 0);
    cr_assert_eq (cg_msg_set (&cg_case_view_def, &v, "sign_by", "1700000000000", 13), 0);
    cr_assert_eq (cg_msg_set (&cg_case_view_def, &v, "sign_by", "12x", 3), -1);
    cr_assert_eq (cg_msg_set (&cg_case_view_def, &v, "nope", "1", 1), 1);
    cr_assert_str_eq (v.id, "CG1");
    cr_assert_eq (v.sign_by, 1700000000000);
    cg_msg_clear (&cg_case_view_def, &v);
}

static void
s_set_back (const char *key, const char *value, size_t len, void *arg)
{
    cr_assert_eq (cg_msg_set (&cg_case_view_def, arg, key, value, len), 0, "%s", key);
}

/*  A case kept as a hash's fields (cg_msg_fields) reads back as it was
    (cg_msg_set): what dispatch writes is what every reader of the hash sees. */
Test (msg, fields_as_text_read_back_by_set)
{
    cg_case_step_t step = { .at = 1, .actor = "dispatch", .to = "dispatched" };
    cg_case_view_t v = { .id = "CG1", .state = "dispatched", .text = "路灯不亮 \"x\"",
                         .sign_by = 1700000000000, .urgent = true, .unplaced = false,
                         .alerts = 0, .steps = &step, .steps_count = 1 };
    cg_case_view_t back = { 0 };
    cg_msg_fields (&cg_case_view_def, &v, s_set_back, &back);
    cr_assert_str_eq (back.id, "CG1");
    cr_assert_str_eq (back.text, v.text);
    cr_assert_eq (back.sign_by, v.sign_by);
    cr_assert (back.urgent);
    cr_assert_eq (back.steps_count, 0, "lists are no hash field");
    msgpack_sbuffer a, b;
    msgpack_sbuffer_init (&a);
    msgpack_sbuffer_init (&b);
    cg_error_t err;
    v.steps = NULL;
    v.steps_count = 0;
    cr_assert_eq (cg_msg_encode (&cg_case_view_def, &v, &a, &err), 0);
    cr_assert_eq (cg_msg_encode (&cg_case_view_def, &back, &b, &err), 0);
    cr_assert (a.size == b.size && memcmp (a.data, b.data, a.size) == 0,
               "the same message encodes the same");
    msgpack_sbuffer_destroy (&a);
    msgpack_sbuffer_destroy (&b);
    cg_msg_clear (&cg_case_view_def, &back);
}

/*  Sets every string of msg to its most bytes (3-byte characters, ASCII to
    fill) and every integer to its most: the largest message of def
    without lists. */
static void
s_fill_max (const cg_msgdef_t *def, void *msg)
{
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        char text[32];
        if (f->type == CG_F_STR) {
            char *s = calloc (1, (size_t) f->max + 1);
            size_t n = 0;
            for (; n + 3 <= (size_t) f->max; n += 3)
                memcpy (s + n, "街", 3);
            memset (s + n, 'x', (size_t) f->max - n);
            cg_msg_set (def, msg, f->key, s, (size_t) f->max);
            free (s);
        }
        else
        if (f->type == CG_F_INT) {
            snprintf (text, sizeof text, "%lld", (long long) f->max);
            cg_msg_set (def, msg, f->key, text, strlen (text));
        }
        else
        if (f->type == CG_F_BOOL)
            cg_msg_set (def, msg, f->key, "1", 1);
    }
}

Test (msg, a_page_of_cases_fits_the_frame_whatever_the_texts)
{
    /*  summaries: by the definition's own bound */
    cr_assert_leq (cg_msg_max_size (&cg_case_page_def), CG_MSG_MAX_FRAME,
                   "case.page may take %zu bytes", cg_msg_max_size (&cg_case_page_def));
    cr_assert_gt (cg_msg_max_size (&cg_case_item_def) * 2 * CG_CASE_PAGE_MAX, CG_MSG_MAX_FRAME,
                  "the bound is not far looser than it need be");
    /*  whole cases: every field at its largest but the timeline, which a
        page leaves out */
    cg_case_views_t views = { .total = 1 };
    views.cases = calloc (CG_CASE_VIEWS_MAX, sizeof (cg_case_view_t));
    views.cases_count = CG_CASE_VIEWS_MAX;
    for (size_t i = 0; i < CG_CASE_VIEWS_MAX; i++)
        s_fill_max (&cg_case_view_def, &views.cases[i]);
    char next[CG_CURSOR_MAX + 1];
    memset (next, 'n', CG_CURSOR_MAX);
    next[CG_CURSOR_MAX] = 0;
    views.next = next;
    msgpack_sbuffer b;
    msgpack_sbuffer_init (&b);
    cg_error_t err;
    cr_assert_eq (cg_msg_encode (&cg_case_views_def, &views, &b, &err), 0, "%s", err.message);
    cr_assert_gt (b.size, CG_MSG_MAX_FRAME * 3 / 4, "%zu bytes", b.size);
    msgpack_sbuffer_destroy (&b);
    views.next = NULL;
    cg_msg_clear (&cg_case_views_def, &views);
}

Test (msg, every_paged_list_fits_the_frame_whatever_it_holds)
{
    const cg_msgdef_t *pages[] = { &cg_case_page_def, &cg_inbox_page_def, &cg_notify_log_def,
                                   &cg_notify_deadpage_def, &cg_topic_task_page_def,
                                   &cg_notify_ack_page_def };
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++)
        cr_assert_leq (cg_msg_max_size (pages[i]), CG_MSG_MAX_FRAME, "%s may take %zu bytes",
                       pages[i]->name, cg_msg_max_size (pages[i]));
}

/*  A list longer than its field's limit is not sent: the sender learns
    which field and the limit, for lists of strings and of messages alike
    (a roster of 1,001 members, 1,001 cases behind a topic). */
Test (msg, a_list_longer_than_its_limit_is_not_sent)
{
    cg_topic_create_t topic = { .rid = "r1", .title = "小区停车难", .scope = "320602001001",
                                .source = "proposal", .procedure = "plain",
                                .actor = "operator:320602001:王芳" };
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    cg_error_t err;
    char **cases = calloc (1001, sizeof *cases);
    for (int i = 0; i < 1001; i++)
        cases[i] = "CG20261206-000001";
    topic.cases = cases;
    topic.cases_count = 1001;
    cr_assert_eq (cg_msg_encode (&cg_topic_create_def, &topic, &buf, &err), -1);
    cr_assert_str_eq (err.field, "cases");
    cr_assert_str_eq (err.message, "cases has 1001 items; at most 1000 are allowed");
    topic.cases_count = 1000;
    cr_assert_eq (cg_msg_encode (&cg_topic_create_def, &topic, &buf, &err), 0, "%s",
                  err.message);

    cg_topic_member_t *invited = calloc (CG_ROSTER_MAX + 1, sizeof *invited);
    for (int i = 0; i < CG_ROSTER_MAX + 1; i++)
        invited[i] = (cg_topic_member_t) { .body = "invited", .member = "m1" };
    topic.invited = invited;
    topic.invited_count = CG_ROSTER_MAX + 1;
    msgpack_sbuffer_clear (&buf);
    cr_assert_eq (cg_msg_encode (&cg_topic_create_def, &topic, &buf, &err), -1);
    cr_assert_str_eq (err.field, "invited");
    char *want = NULL;
    cr_assert (asprintf (&want, "invited has %d items; at most %d are allowed", CG_ROSTER_MAX + 1,
                         CG_ROSTER_MAX) > 0);
    cr_assert_str_eq (err.message, want);
    free (want);
    free (invited);
    free (cases);
    msgpack_sbuffer_destroy (&buf);
}
