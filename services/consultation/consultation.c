/*  consultation — see consultation.h.

    The procedures are a table: a plain consultation (议事协商) is one
    meeting of the invited parties, then the publication of its
    resolution and of the result; 四议两公开 is four meetings, each of its
    own body, then the same two publications.  A topic copies its stages
    and the rosters of their bodies when it is raised. */
#include "consultation.h"
#include "cg_clock.h"
#include "cg_text.h"

typedef struct {
    const char *name;
    const char *body;           /* "" for a publication */
} s_stage_t;

static const s_stage_t s_siyi[] = {
    { "proposal", "party_branch" },         /* 提议: the party branch proposes */
    { "discussion", "committees" },         /* 商议: the two committees discuss */
    { "review", "party_members" },          /* 审议: the party members' meeting reviews */
    { "resolution", "representatives" },    /* 决议: the representatives' meeting resolves */
    { "resolution_published", "" },         /* 决议公开 */
    { "result_published", "" },             /* 实施结果公开 */
    { NULL, NULL } };

static const s_stage_t s_plain[] = {
    { "consultation", "invited" },          /* 协商: the parties meet */
    { "resolution_published", "" },
    { "result_published", "" },
    { NULL, NULL } };

static const char *const s_sources[] = { "proposal", "hotspot", "government", NULL };


/*  A share "2/3" into num and den; -1 unless 0 < num <= den <= 100. */
static int
s_share (const char *text, int64_t *num, int64_t *den)
{
    long long a, b;
    char rest;
    if (sscanf (text, "%lld/%lld%c", &a, &b, &rest) != 2 || a < 1 || a > b || b > 100)
        return -1;
    *num = a;
    *den = b;
    return 0;
}

/*  A body's rule from the configuration, by law's defaults: a quorum of
    two thirds present (consultation/quorum/<body>), and more than a half
    of those present for it (consultation/approval/<body>). */
static int
s_body_rule (consultation_t *self, const char *body, int64_t rule[4])
{
    char path[96];
    snprintf (path, sizeof path, "consultation/quorum/%s", body);
    const char *quorum = cg_daemon_get (self->daemon, path, "2/3");
    snprintf (path, sizeof path, "consultation/approval/%s", body);
    const char *approval = cg_daemon_get (self->daemon, path, "1/2");
    if (s_share (quorum, &rule[0], &rule[1]) || s_share (approval, &rule[2], &rule[3])
    ||  rule[2] >= rule[3]) {
        zsys_error ("consultation: the rule of %s is quorum %s, approval %s; each is a share "
                    "like 2/3, and approval below one", body, quorum, approval);
        return -1;
    }
    return 0;
}

consultation_t *
consultation_new (cg_daemon_t *daemon)
{
    consultation_t *self = cg_alloc (sizeof *self);
    self->daemon = daemon;
    char err[256];
    self->org = cg_orgtree_load (cg_daemon_get (daemon, "data/orgtree", "deploy/demo/orgtree.tsv"),
                                 err, sizeof err);
    if (self->org)
        self->catalog = cg_catalog_load (cg_daemon_get (daemon, "data/catalog",
                                                        "deploy/demo/catalog.tsv"),
                                         err, sizeof err);
    if (self->catalog)
        self->rosters = roster_load (cg_daemon_get (daemon, "data/rosters",
                                                    "deploy/demo/rosters.tsv"),
                                     self->org, err, sizeof err);
    if (!self->rosters) {
        zsys_error ("consultation: %s", err);
        consultation_destroy (&self);
        return NULL;
    }
    int64_t rule[4];
    for (int i = 0; roster_bodies[i]; i++)
        if (s_body_rule (self, roster_bodies[i], rule)) {
            consultation_destroy (&self);
            return NULL;
        }
    self->intake = cg_client_new (cg_daemon_get (daemon, "intake/endpoint", ""), 1000, 1);
    self->publish_ms = cg_daemon_int (daemon, "consultation/publish_days") * CG_DAY_MS;
    self->result_ms = cg_daemon_int (daemon, "consultation/result_days") * CG_DAY_MS;
    self->task_tries = cg_daemon_int (daemon, "consultation/task_tries");
    self->task_retry_ms = cg_daemon_int (daemon, "consultation/task_retry_seconds") * 1000;
    self->hotspot_categories = cg_daemon_get (daemon, "consultation/hotspot_categories",
                                              "catalog");
    cg_cursor_key (self->cursor_key, sizeof self->cursor_key, "consultation", "dispatch");
    /*  a vote written just before a crash may not have been compacted */
    self->aof_dirty = true;
    return self;
}

void
consultation_destroy (consultation_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    consultation_t *self = *self_p;
    cg_orgtree_destroy (&self->org);
    cg_catalog_destroy (&self->catalog);
    roster_destroy (&self->rosters);
    cg_client_destroy (&self->intake);
    free (self);
    *self_p = NULL;
}

void
consultation_compact_aof (consultation_t *self)
{
    if (!self->aof_dirty)
        return;
    redisReply *r = cg_redis_command (self->daemon->redis, "BGREWRITEAOF");
    /*  started, or scheduled behind a snapshot: either way the new file is
        written from what Redis holds after the vote.  "already in
        progress": that rewrite may have begun before it, so ask again on
        the next tick */
    if (r && r->type == REDIS_REPLY_STATUS)
        self->aof_dirty = false;
    else
    if (r && r->type == REDIS_REPLY_ERROR && !strstr (r->str, "in progress"))
        zsys_warning ("consultation: cannot rewrite the AOF after a secret vote: %s", r->str);
    if (r)
        freeReplyObject (r);
}

int
consultation_run (consultation_t *self, const char *script, cg_args_t *args, cg_reply_t *reply,
                  char *answer, size_t len)
{
    redisReply *r = cg_redis_script (self->daemon->redis, script, 0, args);
    int rc = -1;
    const char *status = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 2
                       ? cg_reply_str (r->element[0]) : NULL;
    if (!status) {
        if (r && r->type == REDIS_REPLY_ERROR)
            zsys_error ("consultation: %s: %s", script, r->str);
        cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
    }
    else
    if (streq (status, "refused") && r->elements == 4) {
        cg_reply_fail (reply, cg_reply_str (r->element[1]), cg_reply_str (r->element[2]), "%s",
                       cg_reply_str (r->element[3]));
        rc = 1;
    }
    else
    if (streq (status, "moved"))
        rc = 2;
    else {
        rc = 0;
        if (answer)
            snprintf (answer, len, "%s", cg_reply_str (r->element[1]));
        /*  the events the script journaled, in journal order */
        for (size_t k = 2; k + 2 < r->elements; k += 3)
            cg_pub_send (self->daemon->pub, "consultation", r->element[k + 1]->integer,
                         cg_reply_str (r->element[k]), r->element[k + 2]->str,
                         r->element[k + 2]->len);
    }
    if (r)
        freeReplyObject (r);
    return rc;
}

int
consultation_change (consultation_t *self, const char *script, consultation_plan_fn *plan,
                     void *request, cg_reply_t *reply, char *answer, size_t len)
{
    for (int tries = 0; tries < 3; tries++) {
        cg_args_t args;
        cg_args_init (&args);
        int rc = plan (self, request, &args, reply);
        if (rc == 0)
            rc = consultation_run (self, script, &args, reply, answer, len);
        cg_args_free (&args);
        if (rc != 2)
            return rc;
    }
    cg_reply_fail (reply, "unavailable", NULL, "the topic kept changing while this change was "
                   "made; try again");
    return -1;
}

int
consultation_page (consultation_t *self, const char *command, const cg_msgdef_t *def,
                   const void *query, const char *key, bool newest_first, int64_t limit,
                   cg_zpage_t *ids, int64_t *total, char *next, cg_reply_t *reply)
{
    cg_error_t err;
    if (cg_cursor_page (self->daemon->cursor, self->daemon->redis, command, def, query, key,
                        newest_first, limit, ids, total, next, &err) == 0)
        return 0;
    cg_reply_fail (reply, err.code, *err.field ? err.field : NULL, "%s", err.message);
    return -1;
}

static bool
s_listed (const char *value, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (streq (value, list[i]))
            return true;
    return false;
}

int
consultation_check (consultation_t *self, const cg_topic_create_t *req, cg_reply_t *reply)
{
    const cg_org_node_t *scope = cg_orgtree_find (self->org, req->scope);
    if (!s_listed (req->source, s_sources))
        cg_reply_fail (reply, "invalid", "source", "source \"%s\" is not one of proposal, "
                       "hotspot, government", req->source);
    else
    if (!streq (req->procedure, "plain") && !streq (req->procedure, "siyi"))
        cg_reply_fail (reply, "invalid", "procedure", "procedure \"%s\" is not plain (议事协商) "
                       "or siyi (四议两公开)", req->procedure);
    else
    if (!scope || scope->kind != CG_ORG_COMMUNITY)
        cg_reply_fail (reply, "invalid", "scope", "scope \"%s\" is not a community or village "
                       "of the org tree", req->scope);
    else
    if (req->category && !cg_catalog_find (self->catalog, req->category))
        cg_reply_fail (reply, "invalid", "category", "category \"%s\" is not in the catalog",
                       req->category);
    else
    if (!req->quorum_num != !req->quorum_den || req->quorum_num > req->quorum_den)
        cg_reply_fail (reply, "invalid", "quorum_num", "a quorum is a share: quorum_num and "
                       "quorum_den together, num at most den");
    else
    if (!req->approval_num != !req->approval_den
    ||  (req->approval_den && req->approval_num >= req->approval_den))
        cg_reply_fail (reply, "invalid", "approval_num", "approval is a share below one: "
                       "approval_num and approval_den together, num below den");
    else
    if (req->secret && req->revote)
        cg_reply_fail (reply, "invalid", "revote", "a secret ballot keeps no record of how a "
                       "member voted, so a vote on it cannot be changed");
    else
    if (streq (req->procedure, "siyi") && req->invited_count)
        cg_reply_fail (reply, "invalid", "invited", "四议两公开 is decided by the community's own "
                       "bodies; invited parties are for a plain consultation");
    else {
        const s_stage_t *stages = streq (req->procedure, "siyi") ? s_siyi : s_plain;
        for (int i = 0; stages[i].name; i++)
            if (*stages[i].body && !(streq (stages[i].body, "invited") && req->invited_count)
            &&  roster_members (self->rosters, req->scope, stages[i].body, NULL, 0) == 0) {
                cg_reply_fail (reply, "invalid", streq (stages[i].body, "invited")
                               ? "invited" : "scope", "%s has no roster of %s (data/rosters)%s",
                               req->scope, stages[i].body, streq (stages[i].body, "invited")
                               ? "; name the invited parties" : "");
                return -1;
            }
        return 0;
    }
    return -1;
}

static void
s_field (cg_args_t *fields, int *n, const char *key, const char *value)
{
    if (!value)
        return;
    cg_args_add_str (fields, key);
    cg_args_add_str (fields, value);
    (*n)++;
}

static void
s_add_member (cg_args_t *members, const cg_topic_member_t *m)
{
    cg_args_add_str (members, m->body);
    cg_args_add_str (members, m->member);
    cg_args_add_msg (members, &cg_topic_member_def, m);
}

void
consultation_add_spec (consultation_t *self, cg_args_t *args, const cg_topic_create_t *req,
                       const char *hotspot)
{
    char rule[96], cases[1000 * 33 + 1] = "";
    snprintf (rule, sizeof rule, "%s ballot%s", req->secret ? "secret" : "open",
              req->revote ? ", votes may change while open" : "");
    if (req->quorum_num)
        snprintf (rule + strlen (rule), sizeof rule - strlen (rule), "; quorum %lld/%lld",
                  (long long) req->quorum_num, (long long) req->quorum_den);
    if (req->approval_num)
        snprintf (rule + strlen (rule), sizeof rule - strlen (rule), "; approval >%lld/%lld",
                  (long long) req->approval_num, (long long) req->approval_den);
    for (size_t i = 0; i < req->cases_count; i++)
        snprintf (cases + strlen (cases), sizeof cases - strlen (cases), "%s%s", i ? "," : "",
                  req->cases[i]);
    const cg_org_node_t *scope = cg_orgtree_find (self->org, req->scope);

    cg_args_t fields;
    cg_args_init (&fields);
    int n = 0;
    s_field (&fields, &n, "title", req->title);
    s_field (&fields, &n, "description", req->description);
    s_field (&fields, &n, "scope", req->scope);
    s_field (&fields, &n, "scope_name", scope ? scope->name : NULL);
    s_field (&fields, &n, "source", req->source);
    s_field (&fields, &n, "hotspot", hotspot);
    s_field (&fields, &n, "procedure", req->procedure);
    s_field (&fields, &n, "category", req->category);
    s_field (&fields, &n, "cases", *cases ? cases : NULL);
    s_field (&fields, &n, "rule", rule);
    s_field (&fields, &n, "secret", req->secret ? "1" : "0");
    s_field (&fields, &n, "revote", req->revote ? "1" : "0");
    s_field (&fields, &n, "actor", req->actor);
    cg_args_add_int (args, n);
    for (int i = 0; i < fields.argc; i++)
        cg_args_add (args, fields.argv[i], fields.lens[i]);
    cg_args_free (&fields);

    const s_stage_t *stages = streq (req->procedure, "siyi") ? s_siyi : s_plain;
    int nstages = 0;
    while (stages[nstages].name)
        nstages++;
    cg_args_add_int (args, nstages);
    for (int i = 0; i < nstages; i++) {
        /*  the body's rule, unless the topic sets its own */
        int64_t r[4] = { 0, 0, 0, 0 };
        if (*stages[i].body && s_body_rule (self, stages[i].body, r) == 0) {
            if (req->quorum_num) {
                r[0] = req->quorum_num;
                r[1] = req->quorum_den;
            }
            if (req->approval_num) {
                r[2] = req->approval_num;
                r[3] = req->approval_den;
            }
        }
        cg_args_add_str (args, stages[i].name);
        cg_args_add_str (args, stages[i].body);
        for (int k = 0; k < 4; k++)
            cg_args_add_int (args, r[k]);
    }

    cg_args_t members;
    cg_args_init (&members);
    int count = 0;
    for (int i = 0; i < nstages; i++) {
        const char *body = stages[i].body;
        if (!*body)
            continue;
        if (streq (body, "invited") && req->invited_count) {
            for (size_t k = 0; k < req->invited_count; k++, count++) {
                cg_topic_member_t m = req->invited[k];
                m.body = "invited";
                s_add_member (&members, &m);
            }
            continue;
        }
        cg_topic_member_t found[CG_ROSTER_MAX];
        size_t have = roster_members (self->rosters, req->scope, body, found, CG_ROSTER_MAX);
        for (size_t k = 0; k < have && k < CG_ROSTER_MAX; k++, count++)
            s_add_member (&members, &found[k]);
    }
    cg_args_add_int (args, count);
    for (int i = 0; i < members.argc; i++)
        cg_args_add (args, members.argv[i], members.lens[i]);
    cg_args_free (&members);
}
