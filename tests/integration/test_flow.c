/*  The smallest loop, with real parts: redis-server, the broker, intake,
    dispatch and notification as separate processes, started by the CLI.
    A request submitted to intake is dispatched once and lands in exactly
    one inbox, whatever is killed with -9 on the way. */
#include <criterion/criterion.h>
#include "cg_testenv.h"
#include "cg_orgtree.h"

/*  Grids to spread requests over, and categories with a unit at town level. */
static const char *const s_categories[] = { "noise", "street_vending", "street_light",
                                            "sewage_overflow", "elderly_help", "other" };
#define S_NCAT (sizeof s_categories / sizeof s_categories[0])

typedef struct {
    cg_orgtree_t *org;
    const cg_org_node_t *grids[512];
    size_t ngrids;
} s_places_t;

static void
s_places_load (s_places_t *p)
{
    char path[512], err[256];
    snprintf (path, sizeof path, "%s/deploy/demo/orgtree.tsv", cg_test_root ());
    p->org = cg_orgtree_load (path, err, sizeof err);
    cr_assert (p->org, "%s", err);
    /*  every 16th grid of the region, walking the tree */
    size_t k = 0;
    const cg_org_node_t *stack[64];
    int top = 0;
    stack[top++] = cg_orgtree_root (p->org);
    while (top && p->ngrids < 512) {
        const cg_org_node_t *node = stack[--top];
        if (node->kind == CG_ORG_GRID && k++ % 16 == 0)
            p->grids[p->ngrids++] = node;
        for (const cg_org_node_t *c = cg_orgtree_first_child (node); c && top < 64;
             c = cg_orgtree_next_sibling (c))
            if (c->kind != CG_ORG_UNIT)
                stack[top++] = c;
    }
    cr_assert_gt (p->ngrids, 100);
}

/*  Submits request i; retries through a restart of intake are the
    client's (same rid, same ext_ref). */
static void
s_submit (cg_client_t *client, s_places_t *p, int i, char *id_out)
{
    char ext[32], text[64];
    snprintf (ext, sizeof ext, "T%06d", i);
    snprintf (text, sizeof text, "第%d号诉求：请尽快处理。", i);
    cg_case_submit_t req = { .source = "hotline", .ext_ref = ext,
                             .category = (char *) s_categories[i % S_NCAT], .text = text,
                             .grid = (char *) p->grids[i % p->ngrids]->code,
                             .contact_phone = "13812345678" };
    cg_case_submitted_t rep;
    cg_error_t err;
    int rc = -1;
    for (int attempt = 0; attempt < 10 && rc; attempt++)
        rc = cg_client_call (client, &cg_cmd_case_submit, &req, &rep, &err);
    cr_assert_eq (rc, 0, "request %d: %s", i, err.message);
    if (id_out)
        strcpy (id_out, rep.id);
    cg_msg_clear (&cg_case_submitted_def, &rep);
}

static int64_t
s_int (cg_teststack_t *stack, const char *fmt, const char *arg)
{
    redisReply *r = cg_redis_command (stack->redis, fmt, arg);
    int64_t v = cg_reply_int (r, -1);
    if (r)
        freeReplyObject (r);
    return v;
}

/*  Checks the end state after n requests: each dispatched once, each in
    one inbox once, no journal entry twice. */
static void
s_check_exactly_once (cg_teststack_t *stack, int n)
{
    int64_t dispatched = cg_teststack_await (stack, n, 60000, "ZCARD cg:{dispatch}:q:all");
    cr_assert_eq (dispatched, n, "%lld of %d cases dispatched", (long long) dispatched, n);
    int64_t delivered = cg_teststack_await_sent (stack, n, 60000);
    cr_assert_eq (delivered, n, "%lld of %d deliveries", (long long) delivered, n);
    cr_assert_eq (s_int (stack, "GET %s", "cg:{intake}:seq"), n, "intake journal length");
    cr_assert_eq (s_int (stack, "GET %s", "cg:{dispatch}:cursor:intake"), n);

    /*  every case.dispatched in the journal names a different case (the
        journal also holds hot spots and, should the real clock reach them,
        deadline warnings) */
    zhash_t *ids = zhash_new ();
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{dispatch}:journal - +");
    int dispatched_events = 0;
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *kv = r->element[i]->element[1];
        if (strcmp (kv->element[1]->str, "case.dispatched") != 0)
            continue;
        dispatched_events++;
        cg_case_dispatched_t d;
        cg_error_t err;
        cr_assert_eq (cg_msg_decode (&cg_case_dispatched_def, kv->element[3]->str,
                                     kv->element[3]->len, &d, &err), 0);
        cr_assert_eq (zhash_insert (ids, d.id, "x"), 0, "case %s dispatched twice", d.id);
        cg_msg_clear (&cg_case_dispatched_def, &d);
    }
    cr_assert_eq (dispatched_events, n, "case.dispatched events in the journal");
    freeReplyObject (r);

    /*  every inbox entry is a different case, and they add up to n */
    int64_t total = 0;
    r = cg_redis_command (stack->redis, "KEYS cg:{notification}:inbox:*");
    zhash_t *seen = zhash_new ();
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *items = cg_redis_command (stack->redis, "LRANGE %s 0 -1", r->element[i]->str);
        for (size_t k = 0; k < items->elements; k++) {
            cg_inbox_item_t item;
            cg_error_t err;
            cr_assert_eq (cg_msg_decode (&cg_inbox_item_def, items->element[k]->str,
                                         items->element[k]->len, &item, &err), 0);
            cr_assert_eq (zhash_insert (seen, item.case_id, "x"), 0,
                          "case %s is in an inbox twice", item.case_id);
            cr_assert_neq (zhash_lookup (ids, item.case_id), NULL);
            cg_msg_clear (&cg_inbox_item_def, &item);
            total++;
        }
        freeReplyObject (items);
    }
    freeReplyObject (r);
    cr_assert_eq (total, n, "%lld inbox entries for %d cases", (long long) total, n);
    zhash_destroy (&ids);
    zhash_destroy (&seen);
}

Test (flow, a_thousand_requests_each_land_in_exactly_one_inbox, .timeout = 180)
{
    s_places_t places = { 0 };
    s_places_load (&places);
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    for (int i = 0; i < 1000; i++)
        s_submit (intake, &places, i, NULL);
    s_check_exactly_once (stack, 1000);
    /*  each case sits in the inbox of the unit it was dispatched to */
    char id[32];
    s_submit (intake, &places, 5, id);      /* a repeat: T000005 */
    char key[64];
    snprintf (key, sizeof key, "cg:{dispatch}:case:%s", id);
    redisReply *unit = cg_redis_command (stack->redis, "HGET %s unit", key);
    redisReply *n = cg_redis_command (stack->redis, "LLEN cg:{notification}:inbox:%s",
                                      unit->str);
    cr_assert_geq (n->integer, 1);
    freeReplyObject (unit);
    freeReplyObject (n);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
    cg_orgtree_destroy (&places.org);
}

Test (flow, kill_9_of_dispatch_notification_and_broker_loses_and_doubles_nothing,
      .timeout = 300)
{
    s_places_t places = { 0 };
    s_places_load (&places);
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_teststack_keep_journal (stack, "dispatch");  /* read whole at the end */
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    const int n = 10000;
    for (int i = 0; i < n; i++) {
        if (i == 2000) {
            cg_teststack_kill9 (stack, "dispatch");
        }
        if (i == 3000)
            cg_teststack_restart (stack);
        if (i == 5000)
            cg_teststack_kill9 (stack, "notification");
        if (i == 6000)
            cg_teststack_restart (stack);
        if (i == 7500) {
            cg_teststack_kill9 (stack, "broker");
            cg_teststack_restart (stack);
        }
        s_submit (intake, &places, i, NULL);
    }
    s_check_exactly_once (stack, n);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
    cg_orgtree_destroy (&places.org);
}

/*  Moves rid's answer from today's hash of request ids (prelude.lua) into
    yesterday's, as if it had been given before midnight; and checks that
    a day's hash expires when the day after it ends, not before. */
static void
s_answer_before_midnight (cg_teststack_t *stack, const char *prefix, const char *rid)
{
    redisReply *t = cg_redis_command (stack->redis, "TIME");
    cr_assert (t && t->type == REDIS_REPLY_ARRAY && t->elements == 2);
    long long now = atoll (t->element[0]->str), day = now / 86400;
    freeReplyObject (t);
    char today[64], yesterday[64];
    snprintf (today, sizeof today, "%srid:%lld", prefix, day);
    snprintf (yesterday, sizeof yesterday, "%srid:%lld", prefix, day - 1);
    redisReply *r = cg_redis_command (stack->redis, "HGET %s %s", today, rid);
    cr_assert (r && r->type == REDIS_REPLY_STRING, "no answer to %s in %s", rid, today);
    long long ttl = s_int (stack, "TTL %s", today), ends = (day + 2) * 86400 - now;
    cr_assert (ttl > ends - 60 && ttl <= ends, "%s expires in %lld s, not %lld", today, ttl, ends);
    freeReplyObject (cg_redis_command (stack->redis, "HDEL %s %s", today, rid));
    freeReplyObject (cg_redis_command (stack->redis, "HSET %s %s %b", yesterday, rid, r->str,
                                       r->len));
    freeReplyObject (r);
}

Test (flow, a_retried_submission_returns_the_first_case, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_case_submit_t req = { .rid = "rid-1", .source = "hotline", .ext_ref = "2026112200001",
                             .category = "noise", .text = "噪声", .grid = "320602001001001" };
    cg_case_submitted_t a, b, c;
    cg_error_t err;
    cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &a, &err), 0, "%s", err.message);
    cr_assert_not (a.repeat);
    /*  the hotline sends its order again, with a new request id */
    req.rid = "rid-2";
    cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &b, &err), 0);
    cr_assert_str_eq (a.id, b.id);
    cr_assert (b.repeat);
    /*  a client retries the same request id: the first answer again */
    req.rid = "rid-1";
    cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &c, &err), 0);
    cr_assert_str_eq (a.id, c.id);
    /*  the same order number from another source is another request */
    cg_case_submitted_t d;
    req.rid = "rid-3";
    req.source = "grid";
    cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &d, &err), 0);
    cr_assert_str_neq (a.id, d.id);
    /*  a request without a reference, answered just before midnight and
        retried just after it: its answer now lies in yesterday's hash of
        request ids (by Redis's clock), and the retry still gets it */
    cg_case_submitted_t e, f;
    req = (cg_case_submit_t) { .rid = "rid-4", .source = "operator", .category = "noise",
                               .text = "噪声", .grid = "320602001001001" };
    cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &e, &err), 0, "%s", err.message);
    cr_assert_eq (cg_teststack_await (stack, 3, 10000, "GET cg:{intake}:seq"), 3);
    s_answer_before_midnight (stack, "cg:{intake}:", "rid-4");
    cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &f, &err), 0, "%s", err.message);
    cr_assert_str_eq (e.id, f.id, "a retry after midnight made another case");
    cr_assert (f.repeat);
    cr_assert_eq (s_int (stack, "GET %s", "cg:{intake}:seq"), 3, "the retry changed something");
    cg_msg_clear (&cg_case_submitted_def, &a);
    cg_msg_clear (&cg_case_submitted_def, &b);
    cg_msg_clear (&cg_case_submitted_def, &c);
    cg_msg_clear (&cg_case_submitted_def, &d);
    cg_msg_clear (&cg_case_submitted_def, &e);
    cg_msg_clear (&cg_case_submitted_def, &f);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}

static void
s_encode_submit (cg_case_submit_t *req, msgpack_sbuffer *buf)
{
    cg_error_t err;
    buf->size = 0;
    cr_assert_eq (cg_msg_encode (&cg_case_submit_def, req, buf, &err), 0, "%s", err.message);
}

Test (flow, bad_input_is_refused_by_field_and_intake_keeps_serving, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    cg_case_submit_t req = { .rid = "b1", .source = "hotline", .category = "noise",
                             .text = "text", .grid = "320602001001001" };
    req.category = "no_such_thing";
    s_encode_submit (&req, &buf);
    cg_teststack_refused (stack, "intake", "case.submit", buf.data, buf.size,
                          "category", "not in the catalog");
    req.category = "noise";
    req.grid = "320602999999999";
    s_encode_submit (&req, &buf);
    cg_teststack_refused (stack, "intake", "case.submit", buf.data, buf.size,
                          "grid", "not in the org tree");
    req.grid = NULL;
    s_encode_submit (&req, &buf);
    cg_teststack_refused (stack, "intake", "case.submit", buf.data, buf.size,
                          "grid", "grid or an address");
    req.grid = "320602001001001";
    req.source = "carrier-pigeon";
    s_encode_submit (&req, &buf);
    cg_teststack_refused (stack, "intake", "case.submit", buf.data, buf.size,
                          "source", "is not one of");
    req.source = "hotline";
    req.contact_phone = "1381234'; DROP";
    s_encode_submit (&req, &buf);
    cg_teststack_refused (stack, "intake", "case.submit", buf.data, buf.size,
                          "contact_phone", "digits");
    cg_teststack_refused (stack, "intake", "case.submit", "\x85\xa3rid\xa1r", 7, "", "");
    cg_teststack_refused (stack, "intake", "case.submit", "\xc1", 1, "", "not a msgpack map");
    cg_teststack_refused (stack, "intake", "case.submit", "\x81\xa4text\xa2\xc3\x28", 10,
                          "text", "not valid UTF-8");
    cg_teststack_refused (stack, "intake", "case.explode", "\x80", 1, "", "no command");
    msgpack_sbuffer_destroy (&buf);

    /*  still serving */
    char *out = NULL;
    int rc = cg_teststack_cli (stack, &out, "submit --source hotline --category noise "
                               "--text ok --grid 320602001001001");
    cr_assert_eq (rc, 0, "%s", out);
    cr_assert (strncmp (out, "CG", 2) == 0, "%s", out);
    free (out);
    cg_teststack_down (&stack);
}

Test (flow, the_cli_walks_a_case_from_submission_to_archive, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *out = NULL, id[32];
    cr_assert_eq (cg_teststack_cli (stack, &out, "submit --source hotline --ext-ref H-77 "
                  "--category noise --text '夜间施工噪声' --grid 320602001001001 "
                  "--phone 13912345678"), 0, "%s", out);
    cr_assert_eq (sscanf (out, "%31s", id), 1);
    free (out);
    cr_assert_eq (cg_teststack_await (stack, 1, 10000, "ZCARD cg:{dispatch}:q:dispatched"), 1);

    cr_assert_eq (cg_teststack_cli (stack, &out, "case show %s", id), 0, "%s", out);
    cr_assert (strstr (out, "dispatched") && strstr (out, "sign by")
               && strstr (out, "320602001-huanbao") && strstr (out, "139****5678"), "%s", out);
    cr_assert (strstr (out, "13912345678") == NULL, "the phone number is shown unmasked");
    free (out);
    cr_assert_eq (cg_teststack_await (stack, 1, 10000,
                                      "LLEN cg:{notification}:inbox:320602001-huanbao"), 1);
    cr_assert_eq (cg_teststack_cli (stack, &out, "inbox 320602001-huanbao"), 0);
    cr_assert (strstr (out, id) && strstr (out, "噪声扰民"), "%s", out);
    free (out);

    /*  out of order is refused with the state and what is allowed */
    cr_assert_eq (cg_teststack_cli (stack, &out, "close %s", id), 1);
    cr_assert (strstr (out, "is dispatched") && strstr (out, "allowed: accept"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "accept %s", id), 0, "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "resolve %s", id), 1, "resolved without result");
    cr_assert (strstr (out, "result") != NULL, "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "resolve %s --result '已停工'", id), 0);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "close %s --json", id), 0, "%s", out);
    cr_assert (strstr (out, "\"state\":\"closed\"") && strstr (out, "已停工"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "case list --state closed"), 0);
    cr_assert (strstr (out, "1 cases") && strstr (out, id), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "case show CG9999999999"), 1);
    cr_assert (strstr (out, "no case") != NULL, "%s", out);
    free (out);
    cg_teststack_down (&stack);
}
