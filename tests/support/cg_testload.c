/*  cg_testload — see cg_testload.h. */
#include "cg_testload.h"
#include "cg_access.h"
#include "cg_msg.h"
#include "cg_orgtree.h"
#include "cg_sample.h"
#include "cg_text.h"
#include <czmq.h>
#include <assert.h>

/*  The text of request k: one of cg_sample's of 800 bytes or more (half
    of its seeds), the first such from seed k on, in steps that leave the
    seeds of the other requests alone. */
static void
s_text (uint64_t seed, char *buf, size_t size)
{
    while (cg_sample_length (seed) < 800)
        seed += UINT64_C (1) << 32;
    cg_sample_text (seed, buf, size);
}

char **
cg_testload_grids (const char *orgtree_path, const char *code, const char *except, size_t *n,
                   char *err, size_t errlen)
{
    *n = 0;
    cg_orgtree_t *org = cg_orgtree_load (orgtree_path, err, errlen);
    if (!org)
        return NULL;
    const cg_org_node_t *node = cg_orgtree_find (org, code);
    if (!node) {
        cg_errset (err, errlen, "%s is not in the org tree %s", code, orgtree_path);
        cg_orgtree_destroy (&org);
        return NULL;
    }
    size_t cap = 64;
    char **out = cg_alloc (cap * sizeof (char *));
    const cg_org_node_t **stack = cg_alloc ((cg_orgtree_size (org) + 1) * sizeof *stack);
    size_t top = 0;
    stack[top++] = node;
    while (top) {
        const cg_org_node_t *at = stack[--top];
        if (at->kind == CG_ORG_GRID && !(except && strncmp (at->code, except,
                                                           strlen (except)) == 0)) {
            if (*n == cap)
                out = cg_realloc (out, (cap *= 2) * sizeof (char *));
            out[(*n)++] = cg_strdup (at->code);
        }
        for (const cg_org_node_t *c = cg_orgtree_first_child (at); c;
             c = cg_orgtree_next_sibling (c))
            stack[top++] = c;
    }
    free (stack);
    cg_orgtree_destroy (&org);
    if (*n == 0) {
        cg_errset (err, errlen, "%s has no grids", code);
        free (out);
        return NULL;
    }
    return out;
}

void
cg_testload_grids_free (char ***grids_p, size_t n)
{
    if (!*grids_p)
        return;
    for (size_t i = 0; i < n; i++)
        free ((*grids_p)[i]);
    free (*grids_p);
    *grids_p = NULL;
}

/*  Categories a town handles, not urgent, that open no topic. */
static const char *const s_categories[] = {
    "noise", "street_vending", "illegal_parking", "price_fraud", "street_light",
    "water_outage", "sewage_overflow", "food_safety", "public_security" };
#define S_CATEGORIES (sizeof s_categories / sizeof s_categories[0])

#define S_IN_FLIGHT 256

/*  One request on the DEALER: command | rid | body. */
static void
s_send (zsock_t *dealer, const char *rid, const cg_case_submit_t *req)
{
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    cg_error_t err;
    int rc = cg_msg_encode (&cg_case_submit_def, req, &buf, &err);
    assert (rc == 0);
    zsock_send (dealer, "ssb", "case.submit", rid, buf.data, buf.size);
    msgpack_sbuffer_destroy (&buf);
}

static int64_t
s_queued (cg_redis_t *redis)
{
    redisReply *r = cg_redis_command (redis, "ZCARD cg:{dispatch}:q:all");
    int64_t n = cg_reply_int (r, -1);
    if (r)
        freeReplyObject (r);
    return n;
}

int
cg_testload_submit (const char *endpoint, cg_redis_t *redis, char **grids, size_t ngrids,
                    size_t n, uint64_t seed, const char *tag, char **ids, int timeout_ms,
                    char *err, size_t errlen)
{
    int64_t before = s_queued (redis);
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    zsock_set_sndhwm (dealer, 0);
    zsock_set_rcvhwm (dealer, 0);
    cg_access_connect (dealer, endpoint);
    if (zsock_connect (dealer, "%s", endpoint)) {
        cg_errset (err, errlen, "cannot connect to intake at %s", endpoint);
        zsock_destroy (&dealer);
        return -1;
    }
    zpoller_t *poller = zpoller_new (dealer, NULL);
    char *text = cg_alloc (2100);
    size_t sent = 0, answered = 0;
    int64_t until = zclock_mono () + timeout_ms;
    int rc = 0;
    while (answered < n && rc == 0) {
        while (sent < n && sent - answered < S_IN_FLIGHT) {
            char rid[64], marker[64];
            snprintf (rid, sizeof rid, "%s-%zu", tag, sent);
            snprintf (marker, sizeof marker, "%s-%zu ", tag, sent);
            size_t m = strlen (marker);
            memcpy (text, marker, m);
            s_text (seed + sent, text + m, 2000 - m + 1);
            cg_case_submit_t req = {
                .rid = rid, .source = "operator",
                .category = (char *) s_categories[(seed + sent) % S_CATEGORIES], .text = text,
                .grid = grids[(seed + sent) * 7919 % ngrids], .contact_phone = "13800138000" };
            s_send (dealer, rid, &req);
            sent++;
        }
        if (zclock_mono () > until) {
            cg_errset (err, errlen, "%zu of %zu answered in time", answered, n);
            rc = -1;
            break;
        }
        if (!zpoller_wait (poller, 1000))
            continue;
        zmsg_t *msg = zmsg_recv (dealer);
        char *status = msg ? zmsg_popstr (msg) : NULL, *rid = msg ? zmsg_popstr (msg) : NULL;
        zframe_t *body = msg ? zmsg_pop (msg) : NULL;
        cg_case_submitted_t rep;
        cg_error_t why;
        if (!status || !rid || !body || strcmp (status, "ok") != 0
        ||  cg_msg_decode (&cg_case_submitted_def, zframe_data (body), zframe_size (body),
                           &rep, &why)) {
            cg_errset (err, errlen, "%s was refused", rid ? rid : "a request");
            rc = -1;
        }
        else {
            /*  a repeat makes no case: the tag was used before */
            if (rep.repeat) {
                cg_errset (err, errlen, "%s was submitted before (use another tag)", rid);
                rc = -1;
            }
            size_t k = (size_t) strtoull (strrchr (rid, '-') + 1, NULL, 10);
            if (ids && k < n && !ids[k])
                ids[k] = cg_strdup (rep.id);
            cg_msg_clear (&cg_case_submitted_def, &rep);
        }
        answered++;
        zframe_destroy (&body);
        free (status);
        free (rid);
        zmsg_destroy (&msg);
    }
    free (text);
    zpoller_destroy (&poller);
    zsock_destroy (&dealer);
    /*  each answered case is routed by dispatch, which follows intake */
    int64_t want = before + (int64_t) n;
    while (rc == 0 && s_queued (redis) < want) {
        if (zclock_mono () > until) {
            cg_errset (err, errlen, "dispatch routed %lld of %zu in time",
                       (long long) (s_queued (redis) - before), n);
            rc = -1;
        }
        else
            zclock_sleep (100);
    }
    return rc;
}
