/*  Journal retention with the real stack (cg_retention.h): every daemon
    trims its own journal, here to 20 entries beyond the lowest cursor every
    100 ms, in stream nodes of 8 entries.  A consumer killed with a backlog
    finds all of it and applies it once; journals stay small under load; a
    consumer that was unregistered while the journal moved on stops and
    says so, and goes on only when an operator skips the lost events. */
#include <criterion/criterion.h>
#include "cg_testcase.h"
#include "cg_testhttp.h"

#define S_KEEP      20
#define S_NODE      8
#define S_STACK     "--set journal/keep_entries=20 --set journal/trim_ms=100"

static const char *const s_categories[] = { "noise", "street_vending", "street_light",
                                            "sewage_overflow", "elderly_help", "other" };
#define S_NCAT (sizeof s_categories / sizeof s_categories[0])

static cg_teststack_t *
s_stack_up (cg_testgrids_t *g)
{
    cg_testgrids_load (g);
    cr_assert_gt (g->ngrids, 2000);
    cg_teststack_t *stack = cg_teststack_up (S_STACK);
    redisReply *r = cg_redis_command (stack->redis, "CONFIG SET stream-node-max-entries %d",
                                      S_NODE);
    cr_assert (r && r->type == REDIS_REPLY_STATUS, "%s", cg_reply_str (r));
    freeReplyObject (r);
    return stack;
}

static void
s_submit (cg_client_t *intake, cg_testgrids_t *g, int i)
{
    char ext[32];
    snprintf (ext, sizeof ext, "R%06d", i);
    cg_case_submit_t req = { .source = "hotline", .ext_ref = ext,
                             .category = (char *) s_categories[i % S_NCAT], .text = "请处理",
                             .grid = (char *) g->grids[(i / S_NCAT) % g->ngrids] };
    cg_case_submitted_t rep;
    cg_error_t err;
    int rc = -1;
    for (int attempt = 0; attempt < 5 && rc; attempt++)
        rc = cg_client_call (intake, &cg_cmd_case_submit, &req, &rep, &err);
    cr_assert_eq (rc, 0, "request %d: %s", i, err.message);
    cr_assert (!rep.merged && !rep.unplaced, "request %d was not a new case of its own", i);
    cg_msg_clear (&cg_case_submitted_def, &rep);
}

/*  The first seq a journal keeps, 0 when it keeps none. */
static int64_t
s_first_kept (cg_teststack_t *stack, const char *journal)
{
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{%s}:journal - + COUNT 1",
                                      journal);
    int64_t first = r && r->elements ? strtoll (r->element[0]->element[0]->str, NULL, 10) : 0;
    if (r)
        freeReplyObject (r);
    return first;
}

/*  Waits until the journal keeps nothing at or below seq; its first kept. */
static int64_t
s_await_trimmed_past (cg_teststack_t *stack, const char *journal, int64_t seq)
{
    int64_t until = zclock_mono () + 60000, first = 0;
    while ((first = s_first_kept (stack, journal)) <= seq && zclock_mono () < until)
        zclock_sleep (50);
    return first;
}

/*  Waits until a journal holds at most n entries; how many it holds. */
static int64_t
s_await_at_most (cg_teststack_t *stack, const char *journal, int64_t n)
{
    int64_t until = zclock_mono () + 60000, len;
    while ((len = cg_teststack_int (stack, "XLEN cg:{%s}:journal", journal)) > n
           && zclock_mono () < until)
        zclock_sleep (50);
    return len;
}

/*  How many XTRIMs Redis has run. */
static int64_t
s_trims (cg_teststack_t *stack)
{
    redisReply *r = cg_redis_command (stack->redis, "INFO commandstats");
    const char *at = r ? strstr (cg_reply_str (r), "cmdstat_xtrim:calls=") : NULL;
    int64_t calls = at ? strtoll (at + strlen ("cmdstat_xtrim:calls="), NULL, 10) : 0;
    if (r)
        freeReplyObject (r);
    return calls;
}

/*  The text of a daemon's log. */
static char *
s_log (cg_teststack_t *stack, const char *daemon)
{
    char path[600];
    snprintf (path, sizeof path, "%s/log/%s.log", stack->dir, daemon);
    FILE *f = fopen (path, "r");
    cr_assert (f, "no log at %s", path);
    char *text = calloc (1, 1 << 22);
    assert (text);
    size_t n = fread (text, 1, (1 << 22) - 1, f);
    text[n] = 0;
    fclose (f);
    return text;
}

Test (retention, a_consumer_killed_with_a_backlog_applies_every_event_once, .timeout = 240)
{
    cg_testgrids_t grids = { 0 };
    cg_teststack_t *stack = s_stack_up (&grids);
    cg_teststack_keep_journal (stack, "dispatch");  /* read whole at the end */
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    int before = 60, n = 260;
    for (int i = 0; i < before; i++)
        s_submit (intake, &grids, i);
    cr_assert_eq (cg_teststack_await (stack, before, 60000, "GET cg:{dispatch}:cursor:intake"),
                  before);

    /*  dispatch dies with a backlog to come; notification goes on alone */
    cg_teststack_kill9 (stack, "dispatch");
    for (int i = before; i < n; i++)
        s_submit (intake, &grids, i);
    cr_assert_eq (cg_teststack_await (stack, n, 60000, "GET cg:{notification}:cursor:intake"),
                  n);
    int64_t trims = s_trims (stack);
    int64_t until = zclock_mono () + 60000;
    while (s_trims (stack) < trims + 3 && zclock_mono () < until)
        zclock_sleep (50);
    cr_assert_geq (s_trims (stack), trims + 3, "intake stopped trimming its journal");
    int64_t first = s_first_kept (stack, "intake");
    cr_assert_gt (first, 1, "the intake journal was never trimmed");
    cr_assert_leq (first, before + 1, "entries dispatch had not applied were trimmed: the "
                   "journal keeps from %lld, dispatch's cursor is at %d", (long long) first,
                   before);
    cr_assert_geq (cg_teststack_int (stack, "XLEN cg:{intake}:journal"), n - before);

    cg_teststack_restart (stack);
    cr_assert_eq (cg_teststack_await (stack, n, 120000, "GET cg:{dispatch}:cursor:intake"), n);
    cr_assert_eq (cg_teststack_await (stack, n, 60000, "ZCARD cg:{dispatch}:q:all"), n);
    /*  every case dispatched once, in a journal that kept all of it */
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{dispatch}:journal - +");
    zhash_t *ids = zhash_new ();
    int dispatched = 0;
    for (size_t i = 0; i < r->elements; i++) {
        redisReply *kv = r->element[i]->element[1];
        if (strcmp (kv->element[1]->str, "case.dispatched") != 0)
            continue;
        cg_case_dispatched_t d;
        cg_error_t err;
        cr_assert_eq (cg_msg_decode (&cg_case_dispatched_def, kv->element[3]->str,
                                     kv->element[3]->len, &d, &err), 0, "%s", err.message);
        cr_assert_eq (zhash_insert (ids, d.id, "x"), 0, "case %s dispatched twice", d.id);
        cg_msg_clear (&cg_case_dispatched_def, &d);
        dispatched++;
    }
    freeReplyObject (r);
    zhash_destroy (&ids);
    cr_assert_eq (dispatched, n, "%d case.dispatched for %d cases", dispatched, n);
    /*  and now that dispatch has applied its backlog, the journal moves on */
    cr_assert_gt (s_await_trimmed_past (stack, "intake", before + 1), before + 1);
    char *log = s_log (stack, "dispatch");
    cr_assert_null (strstr (log, "has lost events"), "dispatch says it lost events");
    free (log);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
    cg_orgtree_destroy (&grids.org);
}

Test (retention, journals_stay_small_and_a_consumer_behind_them_says_so, .timeout = 240)
{
    cg_testgrids_t grids = { 0 };
    cg_teststack_t *stack = s_stack_up (&grids);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    int n = 1000;
    int64_t longest = 0;
    for (int i = 0; i < n; i++) {
        s_submit (intake, &grids, i);
        int64_t len = i % 100 == 99 ? cg_teststack_int (stack, "XLEN cg:{intake}:journal") : 0;
        longest = len > longest ? len : longest;
    }
    cr_log_info ("the intake journal held %lld entries at most while %d were submitted",
                 (long long) longest, n);
    cr_assert_eq (cg_teststack_await (stack, n, 60000, "GET cg:{dispatch}:cursor:intake"), n);
    cr_assert_eq (cg_teststack_await (stack, n, 60000, "GET cg:{notification}:cursor:intake"),
                  n);
    int64_t head = cg_teststack_int (stack, "GET cg:{dispatch}:seq");
    cr_assert_geq (head, n);
    cr_assert_eq (cg_teststack_await (stack, head, 60000,
                                      "GET cg:{notification}:cursor:dispatch"), head);
    cr_assert_eq (cg_teststack_await (stack, head, 60000,
                                      "GET cg:{consultation}:cursor:dispatch"), head);
    /*  what is kept: the retention, and the rest of a stream node */
    int64_t bound = S_KEEP + 2 * S_NODE;
    int64_t len = s_await_at_most (stack, "intake", bound);
    cr_assert_leq (len, bound, "the intake journal keeps %lld of %d entries", (long long) len, n);
    len = s_await_at_most (stack, "dispatch", bound);
    cr_assert_leq (len, bound, "the dispatch journal keeps %lld of %lld entries",
                   (long long) len, (long long) head);
    cr_assert_eq (cg_teststack_await (stack, n, 60000, "ZCARD cg:{dispatch}:q:all"), n);

    /*  a browser resuming its event stream from the start is told what it
        will never get, then gets what is kept */
    char *token = cg_http_token (stack, "operator", "320600", "市值班员");
    char *got = cg_http_stream (stack, "/api/v1/stream", token, "dispatch:0",
                                "event: case.", 30000);
    int64_t kept = s_first_kept (stack, "dispatch");
    cr_assert (strstr (got, "event: journal.trimmed\ndata: {\"journal\":\"dispatch\","
                       "\"from\":1,\"to\":"), "the stream does not say what was trimmed: %s",
               got);
    cr_assert (kept > 1 && strstr (got, "event: case."), "%s", got);
    free (got);
    free (token);

    /*  notification is taken off the intake journal while it is down;
        the journal moves on without it */
    cg_teststack_kill9 (stack, "notification");
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "journal forget notification intake"), 0);
    free (out);
    int more = 100;
    for (int i = n; i < n + more; i++)
        s_submit (intake, &grids, i);
    cr_assert_eq (cg_teststack_await (stack, n + more, 60000,
                                      "GET cg:{dispatch}:cursor:intake"), n + more);
    cr_assert_gt (s_await_trimmed_past (stack, "intake", n + 1), n + 1);

    /*  back, it registers again, finds its events gone and stops on that
        journal, saying so, while it goes on with dispatch's */
    cg_teststack_restart (stack);
    head = cg_teststack_int (stack, "GET cg:{dispatch}:seq");
    cr_assert_eq (cg_teststack_await (stack, head, 60000,
                                      "GET cg:{notification}:cursor:dispatch"), head);
    int64_t until = zclock_mono () + 60000;
    char *log = s_log (stack, "notification");
    while (!strstr (log, "notification has lost events of the intake journal")
           && zclock_mono () < until) {
        free (log);
        zclock_sleep (100);
        log = s_log (stack, "notification");
    }
    char words[120];
    snprintf (words, sizeof words, "its cursor is at %d, the journal keeps entries from", n);
    cr_assert (strstr (log, words), "notification's log does not say what it lost:\n%s", log);
    free (log);
    cr_assert_eq (cg_teststack_int (stack, "GET cg:{notification}:cursor:intake"), n,
                  "notification skipped events by itself");
    cr_assert_eq (cg_teststack_cli (stack, &out, "journal"), 0);
    cr_assert (out && strstr (out, "notification at 1000 (LOST"), "%s", out ? out : "");
    free (out);

    /*  the operator skips what is lost; it goes on from the first kept */
    int64_t first = s_first_kept (stack, "intake");
    cr_assert_eq (cg_teststack_cli (stack, &out, "journal skip notification intake"), 0);
    snprintf (words, sizeof words, "skips events %d to %lld", n + 1, (long long) first - 1);
    cr_assert (out && strstr (out, words), "%s", out ? out : "");
    free (out);
    cr_assert_eq (cg_teststack_await (stack, n + more, 60000,
                                      "GET cg:{notification}:cursor:intake"), n + more);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
    cg_orgtree_destroy (&grids.org);
}
