/*  cg_case — see cg_case.h. */
#include "cg_case.h"

#include <stdlib.h>
#include <string.h>
#include <assert.h>
#include <czmq.h>
#include "cg_case_state.h"
#include "cg_clock.h"

/*  The timeline from the fields `step:<n>` of a case's hash, in the order
    of n, the first CG_CASE_STEPS_MAX: a hash promises no order of its own.
    A step that does not decode is left out. */
static void
s_steps_read (cg_case_view_t *view, const redisReply *r)
{
    size_t count = 0;
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        if (strncmp (r->element[i]->str, "step:", 5) == 0) {
            long n = strtol (r->element[i]->str + 5, NULL, 10);
            if (n > (long) count)
                count = n < CG_CASE_STEPS_MAX ? (size_t) n : CG_CASE_STEPS_MAX;
        }
    if (count == 0)
        return;
    view->steps = calloc (count, sizeof (cg_case_step_t));
    assert (view->steps);
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        long n = strncmp (r->element[i]->str, "step:", 5) == 0
               ? strtol (r->element[i]->str + 5, NULL, 10) : 0;
        cg_error_t err;
        if (n >= 1 && (size_t) n <= count)
            cg_msg_decode (&cg_case_step_def, r->element[i + 1]->str, r->element[i + 1]->len,
                           &view->steps[n - 1], &err);
    }
    for (size_t i = 0; i < count; i++)
        if (view->steps[i].to)
            view->steps[view->steps_count++] = view->steps[i];
}

int
cg_case_from_hash (const redisReply *r, cg_case_view_t *view, bool with_steps)
{
    memset (view, 0, sizeof *view);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0)
        return 1;
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        if (strncmp (r->element[i]->str, "step:", 5) != 0)
            cg_msg_set (&cg_case_view_def, view, r->element[i]->str, r->element[i + 1]->str,
                        r->element[i + 1]->len);
    if (with_steps)
        s_steps_read (view, r);
    return 0;
}

int64_t
cg_case_reopen_until (int64_t closed_at, int reopen_days)
{
    return closed_at + (int64_t) reopen_days * CG_DAY_MS;
}

int64_t
cg_case_archivable_at (const cg_case_view_t *c, int reopen_days)
{
    if (!c->state || !*c->state || !cg_case_state_is (c->state, CG_CASE_TERMINAL))
        return 0;
    /*  closed: from its closing; merged, rejected, cancelled: from then */
    bool closed = strcmp (c->state, "closed") == 0 && c->closed_at;
    return cg_case_reopen_until (closed ? c->closed_at : c->updated, reopen_days);
}

int
cg_case_forget (cg_redis_t *redis, const char *script, const char *prefix,
                const char *cursor_key, int64_t cursor, const cg_event_t *events, size_t n,
                const int64_t *extra, size_t nextra, bool with_ver)
{
    cg_args_t args;
    cg_feed_args (&args, prefix, cursor_key, cursor, events, n);
    for (size_t i = 0; i < nextra; i++)
        cg_args_add_int (&args, extra[i]);
    if (with_ver)
        cg_args_add_str (&args, cg_case_states (CG_CASE_TERMINAL));
    for (size_t i = 0; i < n; i++) {
        if (strcmp (events[i].topic, "case.archived") != 0)
            continue;
        cg_case_archived_t archived;
        cg_error_t err;
        if (cg_msg_decode (&cg_case_archived_def, events[i].body, events[i].size, &archived,
                           &err)) {
            zsys_warning ("archive #%lld dropped: %s: %s", (long long) events[i].seq,
                          err.field, err.message);
            continue;
        }
        cg_args_add_str (&args, archived.id);
        if (with_ver)
            cg_args_add_int (&args, archived.ver);
        cg_msg_clear (&cg_case_archived_def, &archived);
    }
    redisReply *r = cg_redis_script (redis, script, 0, &args);
    cg_args_free (&args);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1)
        rc = strcmp (cg_reply_str (r->element[0]), "moved") == 0 ? 1 : 0;
    else
    if (r && r->type == REDIS_REPLY_ERROR)
        zsys_error ("redis: script %s: %s", script, r->str);
    if (r)
        freeReplyObject (r);
    return rc;
}

int
cg_case_show (cg_client_t *dispatch, cg_client_t *archive, const cg_case_get_t *get,
              cg_case_view_t *view, cg_error_t *err)
{
    int rc = cg_client_call (dispatch, &cg_cmd_case_show, (void *) get, view, err);
    if (rc == 0 || !archive || strcmp (err->code, "not_found") != 0)
        return rc;
    cg_error_t archived;
    if (cg_client_call (archive, &cg_cmd_archive_case_show, (void *) get, view, &archived) == 0)
        return 0;
    if (strcmp (archived.code, "not_found") != 0)
        *err = archived;
    return -1;
}

int
cg_case_search_set (cg_case_search_t *req, const char *name, const char *value,
                    cg_error_t *err)
{
    if (strcmp (name, "from") == 0 || strcmp (name, "to") == 0) {
        int64_t ms;
        char why[128];
        if (cg_time_or_day_parse (value, &ms, why, sizeof why)) {
            cg_error_set (err, "invalid", name, "%s takes a day (2026-12-01) or a time "
                          "(2026-12-01T08:00:00+08:00): %s", name, why);
            return -1;
        }
        if (*name == 'f')
            CG_SET (req, case_search, from, ms);
        else        /* a day names the last day, included: up to the next one's start */
            CG_SET (req, case_search, to, ms + (strlen (value) == 10 ? 86400000 : 0));
        return 0;
    }
    if (strcmp (name, "limit") == 0) {
        char *end;
        long long limit = strtoll (value, &end, 10);
        if (!*value || *end || limit < 1 || limit > CG_SEARCH_PAGE_MAX) {
            cg_error_set (err, "invalid", "limit", "limit takes a whole number from 1 to %d",
                          CG_SEARCH_PAGE_MAX);
            return -1;
        }
        CG_SET (req, case_search, limit, limit);
        return 0;
    }
    static const char *texts[] = { "scope", "id", "ext_ref", "grid", "community", "unit",
                                   "category", "state", "q", "cursor" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        if (strcmp (name, texts[i]) == 0) {
            if (cg_msg_set (&cg_case_search_def, req, name, value, strlen (value))) {
                cg_error_set (err, "invalid", name, "%s is too long", name);
                return -1;
            }
            return 0;
        }
    return 1;
}
