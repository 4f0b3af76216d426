/*  hotspots — GET /api/v1/hotspots?scope=&limit=: the current hot spots
    (预警预判) of a scope, bounded whatever the volume.

    Dispatch raises a hot spot when one community has hotspot_count cases
    of one category within its window (docs/DISPATCH.md, "Hot spots") and
    lists it, until that window from it is over, in its sorted set
    cg:{dispatch}:hot: member "<category>:<community>:<at>:<count>",
    score the time it covers until (dispatch_received.lua).  The set holds
    only what is current (one a category and community at most), so it is
    read whole with one ZRANGEBYSCORE; the hot spots whose community lies
    in scope are answered newest first, `limit` (S_LIMIT_MAX) at most, with
    `total` the number in scope.  Each carries the consultation topic
    opened for it, if one was (cg:{consultation}:hotspot, hot spot id ->
    topic id: one HMGET for the page).  Both keys are read as the access
    table allows (common/cg_access.c), neither is written. */
#include "gateway.h"
#include "cg_clock.h"

#define S_LIMIT_MAX     50
#define S_LIMIT         20

typedef struct {
    const char *category, *community;
    int64_t at, count, until;
} s_spot_t;

/*  Cuts member into its four parts; false when it is not one. */
static bool
s_parse (s_spot_t *spot, char *member, int64_t until)
{
    char *save = NULL;
    spot->category = strtok_r (member, ":", &save);
    spot->community = strtok_r (NULL, ":", &save);
    char *at = strtok_r (NULL, ":", &save), *count = strtok_r (NULL, ":", &save);
    if (!spot->category || !spot->community || !at || !count)
        return false;
    spot->at = strtoll (at, NULL, 10);
    spot->count = strtoll (count, NULL, 10);
    spot->until = until;
    return true;
}

static int
s_newest_first (const void *a, const void *b)
{
    const s_spot_t *x = a, *y = b;
    return x->at < y->at ? 1 : x->at > y->at ? -1 : strcmp (x->category, y->category);
}

void
gw_hotspots_handle (gw_request_t *req)
{
    const cg_org_node_t *scope = gw_scope_asked (req);
    if (!scope)
        return;
    int64_t limit;
    if (gw_query_limit (req, S_LIMIT, S_LIMIT_MAX, &limit))
        return;
    redisReply *r = cg_redis_command (req->link->redis, "ZRANGEBYSCORE cg:{dispatch}:hot (%lld "
                                      "+inf WITHSCORES", (long long) cg_clock_now ());
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject (r);
        gw_reply_error (req, 503, "unavailable", NULL, "the hot spots cannot be read now");
        return;
    }
    size_t n = 0;
    s_spot_t *spots = calloc (r->elements / 2 + 1, sizeof *spots);
    assert (spots);
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        s_spot_t *spot = &spots[n];
        if (!s_parse (spot, r->element[i]->str, strtoll (r->element[i + 1]->str, NULL, 10)))
            continue;
        const cg_org_node_t *place = cg_orgtree_find (req->gw->org, spot->community);
        if (place && cg_orgtree_within (place, scope))
            n++;
    }
    qsort (spots, n, sizeof *spots, s_newest_first);
    size_t shown = n < (size_t) limit ? n : (size_t) limit;
    /*  the topics of the page's hot spots, whose ids are "<category>:<community>:<at>" */
    char (*ids)[CG_CODE_MAX * 2 + 32] = calloc (shown + 1, sizeof *ids);
    assert (ids);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, "HMGET");
    cg_args_add_str (&args, "cg:{consultation}:hotspot");
    for (size_t i = 0; i < shown; i++) {
        snprintf (ids[i], sizeof ids[i], "%s:%s:%lld", spots[i].category, spots[i].community,
                  (long long) spots[i].at);
        cg_args_add_str (&args, ids[i]);
    }
    redisReply *topics = shown ? cg_redis_argv (req->link->redis, &args) : NULL;
    cg_args_free (&args);
    json_t *list = json_array ();
    for (size_t i = 0; i < shown; i++) {
        const s_spot_t *spot = &spots[i];
        const cg_category_t *category = cg_catalog_find (req->gw->catalog, spot->category);
        const cg_org_node_t *community = cg_orgtree_find (req->gw->org, spot->community);
        const char *topic = topics && topics->type == REDIS_REPLY_ARRAY && i < topics->elements
                          && topics->element[i]->type == REDIS_REPLY_STRING
                          ? topics->element[i]->str : NULL;
        json_array_append_new (list, json_pack (
            "{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s*}", "id", ids[i],
            "category", spot->category,
            "category_name", category ? category->name_zh : spot->category,
            "community", spot->community, "community_name", community->name,
            "count", (json_int_t) spot->count, "at", (json_int_t) spot->at,
            "until", (json_int_t) spot->until, "topic", topic && *topic ? topic : NULL));
    }
    if (topics)
        freeReplyObject (topics);
    free (ids);
    free (spots);
    freeReplyObject (r);
    gw_reply_json (req, 200, json_pack ("{s:s, s:s, s:o, s:I, s:I}", "scope", scope->code,
                                        "scope_name", scope->name, "hotspots", list,
                                        "total", (json_int_t) n, "limit", (json_int_t) limit));
}
