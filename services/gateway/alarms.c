/*  alarms — GET /api/v1/alarms?scope=&limit=: the open 紧急通知发送失败
    alarms of a scope (an urgent notice that failed on every channel, not
    yet acknowledged or retried), newest first, bounded whatever the
    volume, for a console or wall screen opened after the failure.

    Notification keeps the alarm of a case as cg:{notification}:alarm:<case>
    (center, m: the notify.failed msgpack) and lists the case in its
    center's index cg:{notification}:alarms:<center>, scored by when the
    alarm expires (deploy/lua/notification/lib.lua, docs/NOTIFICATION.md).
    The centers (city, county, town) within the scope are walked in the
    org tree; each index is read from now on (an expired entry is not
    seen), ZCOUNT for `total` and at most `limit` newest with one
    ZREVRANGEBYSCORE; the page's alarms are read with one HGET each.  An
    alarm is answered as the stream's notify.failed event (its data), plus
    `expires`, so the console treats both alike; one from a store older
    than the index names only its case and center.  A scope below a
    center (a community, grid or unit) has no alarms of its own.  The keys
    are read as the access table allows (common/cg_access.c), never
    written. */
#include "gateway.h"
#include "cg_clock.h"
#include "cg_text.h"

#define S_LIMIT_MAX     100
#define S_LIMIT         50

typedef struct {
    char *center, *case_id;
    int64_t expires;
} s_alarm_t;

static int
s_newest_first (const void *a, const void *b)
{
    const s_alarm_t *x = *(s_alarm_t *const *) a, *y = *(s_alarm_t *const *) b;
    return x->expires < y->expires ? 1 : x->expires > y->expires ? -1
         : strcmp (x->case_id, y->case_id);
}

/*  Reads the index of center into alarms (at most limit more), adding to
    *total; -1 when Redis could not be asked. */
static int
s_read_center (gw_request_t *req, const cg_org_node_t *center, int64_t now, int64_t limit,
               zlistx_t *alarms, int64_t *total)
{
    redisReply *r = cg_redis_command (req->link->redis, "ZCOUNT cg:{notification}:alarms:%s "
                                      "(%lld +inf", center->code, (long long) now);
    if (!r || r->type != REDIS_REPLY_INTEGER) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    int64_t count = r->integer;
    freeReplyObject (r);
    if (count == 0)
        return 0;
    *total += count;
    r = cg_redis_command (req->link->redis, "ZREVRANGEBYSCORE cg:{notification}:alarms:%s "
                          "+inf (%lld WITHSCORES LIMIT 0 %lld", center->code, (long long) now,
                          (long long) limit);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        s_alarm_t *alarm = cg_alloc (sizeof *alarm);
        alarm->center = (char *) center->code;
        alarm->case_id = strdup (r->element[i]->str);
        alarm->expires = strtoll (r->element[i + 1]->str, NULL, 10);
        zlistx_add_end (alarms, alarm);
    }
    freeReplyObject (r);
    return 0;
}

/*  The centers at or below node, depth first. */
static int
s_read_subtree (gw_request_t *req, const cg_org_node_t *node, int64_t now, int64_t limit,
                zlistx_t *alarms, int64_t *total)
{
    if (node->kind > CG_ORG_TOWN)
        return 0;
    if (s_read_center (req, node, now, limit, alarms, total))
        return -1;
    for (const cg_org_node_t *child = cg_orgtree_first_child (node); child;
         child = cg_orgtree_next_sibling (child))
        if (s_read_subtree (req, child, now, limit, alarms, total))
            return -1;
    return 0;
}

/*  One alarm as JSON: its notify.failed, or its case and center alone. */
static json_t *
s_alarm_json (gw_request_t *req, const s_alarm_t *alarm)
{
    json_t *data = NULL;
    redisReply *m = cg_redis_command (req->link->redis, "HGET cg:{notification}:alarm:%s m",
                                      alarm->case_id);
    if (m && m->type == REDIS_REPLY_STRING && m->len > 0) {
        cg_notify_failed_t failed = { 0 };
        cg_error_t err;
        if (cg_msg_decode (&cg_notify_failed_def, m->str, m->len, &failed, &err) == 0) {
            data = cg_json_from_msg (&cg_notify_failed_def, &failed);
            cg_msg_clear (&cg_notify_failed_def, &failed);
        }
    }
    if (m)
        freeReplyObject (m);
    if (!data)
        data = json_pack ("{s:s, s:s}", "case_id", alarm->case_id, "center", alarm->center);
    json_object_set_new (data, "expires", json_integer (alarm->expires));
    return data;
}

static void
s_alarm_free (void **item)
{
    s_alarm_t *alarm = *item;
    if (alarm) {
        free (alarm->case_id);
        free (alarm);
        *item = NULL;
    }
}

void
gw_alarms_handle (gw_request_t *req)
{
    const cg_org_node_t *scope = gw_scope_asked (req);
    if (!scope)
        return;
    int64_t limit;
    if (gw_query_limit (req, S_LIMIT, S_LIMIT_MAX, &limit))
        return;
    zlistx_t *alarms = zlistx_new ();
    zlistx_set_destructor (alarms, s_alarm_free);
    int64_t total = 0, now = cg_clock_now ();
    if (s_read_subtree (req, scope, now, limit, alarms, &total)) {
        zlistx_destroy (&alarms);
        gw_reply_error (req, 503, "unavailable", NULL, "the alarms cannot be read now");
        return;
    }
    size_t n = zlistx_size (alarms), i = 0;
    s_alarm_t **sorted = cg_alloc ((n + 1) * sizeof *sorted);
    for (s_alarm_t *alarm = zlistx_first (alarms); alarm; alarm = zlistx_next (alarms))
        sorted[i++] = alarm;
    qsort (sorted, n, sizeof *sorted, s_newest_first);
    json_t *list = json_array ();
    for (i = 0; i < n && i < (size_t) limit; i++)
        json_array_append_new (list, s_alarm_json (req, sorted[i]));
    free (sorted);
    zlistx_destroy (&alarms);
    gw_reply_json (req, 200, json_pack ("{s:s, s:s, s:o, s:I, s:I}", "scope", scope->code,
                                        "scope_name", scope->name, "alarms", list,
                                        "total", (json_int_t) total, "limit", (json_int_t) limit));
}
