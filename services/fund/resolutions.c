/*  resolutions — what the fund knows of consultation's topics.

    From a fund's `resolution_above` on, a disbursement request must name
    the consultation topic (议题) whose adopted resolution (议事决议) is
    behind it.  The fund learns topics from consultation's journal, which
    it follows on the bus like any subscriber (cg_bus.h, DESIGN.md §3),
    and keeps what it needs in its own keys, never reading consultation's:
        cg:{fund}:topic:<id>    scope (the community), state, at
    Three events say it all:
    - topic.created: the topic and its community (state open);
    - topic.stage_opened of resolution_published: consultation opens that
      publication exactly when the topic's last meeting adopts the
      resolution (docs/CONSULTATION.md), so the topic is adopted;
    - topic.decided rejected: a meeting rejected it, which ends the topic.
    A batch of events and the fund's cursor on the journal move together
    in one call (fund_topics.lua), so each event counts once whatever is
    killed.  Members registered present at a meeting (topic.attended)
    earn their resident points in that same call (residents.c).  Whatever
    else the fund takes from that journal (the time bank's credits,
    served.c) is done first, through resolutions_also, before the cursor
    moves.

    A request's topic must be known, lie within the fund's area (its
    community, or a community of its street), and be adopted.  When the
    fund does not know the topic or has not seen it adopted, it first reads
    consultation's journal to its head: consultation journals before it
    answers, so a resolution adopted a moment ago is never refused because
    the bus was slower than the person at the desk. */
#include "resolutions.h"
#include "cg_text.h"

#define P   "cg:{fund}:"

struct _resolutions_t {
    cg_daemon_t *daemon;
    cg_orgtree_t *org;
    residents_t *residents;         /* members present at a meeting earn points */
    char cursor_key[96];
    resolutions_also_fn *also;      /* what else the fund does with a batch */
    void *also_arg;
};

/*  Applies a batch of consultation's journal; see cg_feed_fn.  The
    members a topic.attended names earn their points in the same call. */
static int
s_on_consultation (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    resolutions_t *self = arg;
    if (self->also && self->also (events, n, self->also_arg))
        return -1;
    cg_topic_event_t *decoded = cg_alloc ((n ? n : 1) * sizeof *decoded);
    bool *ok = cg_alloc ((n ? n : 1) * sizeof *ok);
    size_t nacts = 0;
    for (size_t i = 0; i < n; i++) {
        if (!streq (events[i].topic, "topic.created") && !streq (events[i].topic, "topic.decided")
        &&  !streq (events[i].topic, "topic.stage_opened")
        &&  !streq (events[i].topic, "topic.attended"))
            continue;
        cg_error_t err;
        if (cg_msg_decode (&cg_topic_event_def, events[i].body, events[i].size, &decoded[i],
                           &err)) {
            zsys_warning ("fund: dropped consultation #%lld: %s: %s", (long long) events[i].seq,
                          err.field, err.message);
            continue;
        }
        ok[i] = true;
        if (streq (events[i].topic, "topic.attended"))
            nacts += decoded[i].members_count;
    }
    residents_act_t *acts = cg_alloc ((nacts ? nacts : 1) * sizeof *acts);
    char (*ids)[64] = cg_alloc ((nacts ? nacts : 1) * sizeof *ids);
    nacts = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t m = 0; ok[i] && streq (events[i].topic, "topic.attended")
                           && m < decoded[i].members_count; m++) {
            /*  one act per meeting: the topic's stage */
            snprintf (ids[nacts], sizeof ids[nacts], "%s#%lld", decoded[i].id,
                      (long long) decoded[i].n);
            acts[nacts] = (residents_act_t) { .act = POINTS_ATTEND, .id = ids[nacts],
                .resident = decoded[i].members[m], .at = decoded[i].at, .memo = ids[nacts] };
            nacts++;
        }
    cg_args_t args;
    cg_feed_args (&args, P, self->cursor_key, cursor, events, n);
    int rc = residents_add_awards (self->residents, &args, acts, nacts);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (!ok[i])
            continue;
        cg_topic_event_t *e = &decoded[i];
        bool created = streq (events[i].topic, "topic.created");
        const char *what = created ? "created"
                         : streq (events[i].topic, "topic.decided") && e->decision
                           && streq (e->decision, "rejected") ? "rejected"
                         : streq (events[i].topic, "topic.stage_opened") && e->name
                           && streq (e->name, "resolution_published") ? "adopted"
                         : NULL;
        if (what && (!created || e->scope)) {
            cg_args_add_str (&args, e->id);
            cg_args_add_str (&args, what);
            cg_args_add_str (&args, created ? e->scope : "");
            cg_args_add_int (&args, e->at);
        }
    }
    if (rc == 0) {
        redisReply *r = cg_redis_script (self->daemon->redis, "fund_topics", 0, &args);
        rc = -1;
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1)
            rc = streq (cg_reply_str (r->element[0]), "ok") ? 0 : 1;
        if (r)
            freeReplyObject (r);
        residents_chained (self->residents);
    }
    cg_args_free (&args);
    for (size_t i = 0; i < n; i++)
        if (ok[i])
            cg_msg_clear (&cg_topic_event_def, &decoded[i]);
    free (ids);
    free (acts);
    free (ok);
    free (decoded);
    return rc;
}

resolutions_t *
resolutions_new (cg_daemon_t *daemon, cg_orgtree_t *org, residents_t *residents)
{
    resolutions_t *self = cg_alloc (sizeof *self);
    self->daemon = daemon;
    self->org = org;
    self->residents = residents;
    cg_cursor_key (self->cursor_key, sizeof self->cursor_key, daemon->name, "consultation");
    if (cg_daemon_follow (daemon, "consultation", s_on_consultation, self)) {
        resolutions_destroy (&self);
        return NULL;
    }
    return self;
}

void
resolutions_also (resolutions_t *self, resolutions_also_fn *fn, void *arg)
{
    self->also = fn;
    self->also_arg = arg;
}

void
resolutions_destroy (resolutions_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

/*  The topic's scope and state into scope[64] and state[16]; false when
    the fund knows no such topic. */
static bool
s_topic (resolutions_t *self, const char *topic, char *scope, char *state)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "HMGET " P "topic:%s scope state",
                                      topic);
    bool known = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2
              && r->element[0]->type == REDIS_REPLY_STRING;
    snprintf (scope, 64, "%s", known ? r->element[0]->str : "");
    snprintf (state, 16, "%s", known ? cg_reply_str (r->element[1]) : "");
    if (r)
        freeReplyObject (r);
    return known;
}

int
resolutions_check (resolutions_t *self, const cg_org_node_t *area, const char *topic,
                   cg_reply_t *reply)
{
    char scope[64], state[16];
    bool known = s_topic (self, topic, scope, state);
    if (!known || !streq (state, "adopted")) {
        cg_sub_catch_up (self->daemon->sub);
        known = s_topic (self, topic, scope, state);
    }
    if (!known) {
        cg_reply_fail (reply, "not_found", "resolution", "consultation has no topic %s; name "
                       "the topic (议题, like YS000001) whose resolution is behind the request",
                       topic);
        return -1;
    }
    const cg_org_node_t *where = cg_orgtree_find (self->org, scope);
    if (!where || !cg_orgtree_within (where, area)) {
        cg_reply_fail (reply, "conflict", "resolution", "topic %s was deliberated in %s %s, not "
                       "in the fund's %s %s", topic, scope, where ? where->name : "",
                       area->code, area->name);
        return -1;
    }
    if (!streq (state, "adopted")) {
        cg_reply_fail (reply, "conflict", "resolution", "topic %s has no adopted resolution: %s",
                       topic, streq (state, "rejected") ? "it was rejected"
                                                        : "it is still being deliberated");
        return -1;
    }
    return 0;
}
