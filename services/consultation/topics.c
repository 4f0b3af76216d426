/*  topics — see topics.h.

    Every rule of the procedure lives in the scripts of
    deploy/lua/consultation, where it is checked and applied in one atomic
    call: a stage out of order, a vote from someone not on the roster or
    not present, a second vote, a vote on a closed ballot, a decision
    without quorum, a second publication are refused there with the rule
    that refuses.  Here the commands are checked for what needs the org
    tree or the catalog, passed on, and answered with the topic (or the
    tally) as it stands afterwards.  Each change is planned first (plan.h):
    the events it will journal are encoded here from their definitions. */
#include "topics.h"
#include "plan.h"
#include "cg_clock.h"
#include "cg_share.h"
#include "cg_text.h"

#define P CONSULTATION_PREFIX
#define S_TASK_TEXT_MAX     1000    /* bytes: fifty tasks still fit in one topic.view */

/* --- reading ---------------------------------------------------------- */

/*  Fills msg (of def, zeroed) from the hash at key; 0, 1 when there is
    none, -1. */
static int
s_hash (consultation_t *self, const char *key, const cg_msgdef_t *def, void *msg)
{
    redisReply *r = cg_redis_command (self->daemon->redis, "HGETALL %s", key);
    int rc = cg_reply_hash_msg (r, def, msg);
    if (r)
        freeReplyObject (r);
    return rc;
}

/*  The members of a Redis set, or the fields and values of a hash, as
    strings (ids and choices: text without NUL). */
static char **
s_strings (consultation_t *self, const char *command, const char *key, size_t *count)
{
    *count = 0;
    redisReply *r = cg_redis_command (self->daemon->redis, "%s %s", command, key);
    char **list = NULL;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements) {
        list = cg_alloc (r->elements * sizeof (char *));
        for (size_t i = 0; i < r->elements; i++)
            list[(*count)++] = cg_strdup (r->element[i]->str);
    }
    if (r)
        freeReplyObject (r);
    return list;
}

static void
s_load_stages (consultation_t *self, cg_topic_view_t *view, int nstages)
{
    view->stages = cg_alloc ((nstages ? nstages : 1) * sizeof (cg_topic_stage_t));
    for (int n = 1; n <= nstages && n <= 16; n++) {
        char key[128];
        snprintf (key, sizeof key, P "topic:%s:s:%d", view->id, n);
        cg_topic_stage_t *s = &view->stages[view->stages_count];
        if (s_hash (self, key, &cg_topic_stage_def, s) != 0)
            continue;
        if (s->body && !*s->body) {
            free (s->body);
            s->body = NULL;
        }
        if (s->place && !*s->place) {
            free (s->place);
            s->place = NULL;
        }
        strcat (key, ":present");
        s->attendees = s_strings (self, "SMEMBERS", key, &s->attendees_count);
        view->stages_count++;
    }
}

static void
s_load_rest (consultation_t *self, cg_topic_view_t *view)
{
    char key[128];
    snprintf (key, sizeof key, P "topic:%s:members", view->id);
    redisReply *r = cg_redis_command (self->daemon->redis, "HVALS %s", key);
    view->members = cg_reply_decode_list (r, &cg_topic_member_def, &view->members_count);
    if (r)
        freeReplyObject (r);
    snprintf (key, sizeof key, P "topic:%s:tasks", view->id);
    r = cg_redis_command (self->daemon->redis, "ZRANGE %s 0 -1", key);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements) {
        view->tasks = cg_alloc (r->elements * sizeof (cg_topic_task_t));
        for (size_t i = 0; i < r->elements; i++) {
            snprintf (key, sizeof key, P "task:%s", r->element[i]->str);
            if (s_hash (self, key, &cg_topic_task_def, &view->tasks[view->tasks_count]) == 0)
                view->tasks_count++;
        }
    }
    if (r)
        freeReplyObject (r);
}

/*  Fills view; with full, its rosters, stages and tasks too.  Returns 0,
    1 when there is no such topic, -1 when Redis failed. */
static int
s_load (consultation_t *self, const char *id, cg_topic_view_t *view, bool full)
{
    memset (view, 0, sizeof *view);
    char key[96];
    snprintf (key, sizeof key, P "topic:%s", id);
    int rc = s_hash (self, key, &cg_topic_view_def, view);
    if (rc)
        return rc;
    redisReply *r = cg_redis_command (self->daemon->redis, "HMGET %s cases nstages", key);
    int nstages = 0;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        if (r->element[0]->type == REDIS_REPLY_STRING) {
            char *list = cg_strdup (r->element[0]->str);
            view->cases = cg_alloc ((strlen (list) / 2 + 1) * sizeof (char *));
            for (char *c = strtok (list, ","); c; c = strtok (NULL, ","))
                view->cases[view->cases_count++] = cg_strdup (c);
            free (list);
        }
        nstages = (int) cg_reply_int (r->element[1], 0);
    }
    if (r)
        freeReplyObject (r);
    if (full) {
        s_load_stages (self, view, nstages);
        s_load_rest (self, view);
    }
    return 0;
}

static void
s_reply_view (consultation_t *self, const char *id, cg_reply_t *reply)
{
    cg_topic_view_t view;
    int rc = s_load (self, id, &view, true);
    if (rc == 0)
        cg_reply_ok (reply, &cg_topic_view_def, &view);
    else
    if (rc == 1)
        cg_reply_fail (reply, "not_found", "id", "there is no topic %s", id);
    else
        cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
    cg_msg_clear (&cg_topic_view_def, &view);
}

/*  The strings of an array reply (members of a set, fields and values of
    a hash), borrowed from it; NULL when there are none. */
static char **
s_borrow (const redisReply *r, size_t *count)
{
    *count = 0;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0)
        return NULL;
    char **list = cg_alloc (r->elements * sizeof (char *));
    for (size_t i = 0; i < r->elements; i++)
        list[(*count)++] = r->element[i]->str;
    return list;
}

/*  The tally of the stage that takes ballots now, or else of the last
    meeting that closed: counted by the service from the ballots.  It is
    the answer to every vote, so it reads that stage alone, in one round
    trip after the plan: the stage, its voters and its ballots. */
static void
s_reply_tally (consultation_t *self, const char *id, cg_reply_t *reply)
{
    plan_t plan;
    int rc = plan_read (self, id, &plan);
    int n = 0;
    for (int k = 1; rc == 0 && k <= plan.nstages; k++)
        if (*plan_stage (&plan, k)->body && !streq (plan_stage (&plan, k)->state, "pending"))
            n = k;
    if (rc == 1)
        cg_reply_fail (reply, "not_found", "id", "there is no topic %s", id);
    else
    if (rc < 0)
        cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
    else
    if (!n)
        cg_reply_fail (reply, "conflict", "id", "no meeting of topic %s has opened yet", id);
    if (rc || !n)
        return;

    static const char *const reads[][2] = {
        { "HGETALL", "" }, { "SMEMBERS", ":voters" }, { "HGETALL", ":ballots" } };
    redisReply *r[3] = { NULL, NULL, NULL };
    cg_args_t args;
    cg_args_init (&args);
    int appended = 0;
    for (int i = 0; i < 3 && appended == i; i++) {
        cg_args_reset (&args);
        cg_args_add_str (&args, reads[i][0]);
        cg_args_addf (&args, P "topic:%s:s:%d%s", id, n, reads[i][1]);
        appended += cg_redis_append (self->daemon->redis, &args) == 0;
    }
    cg_args_free (&args);
    for (int i = 0; i < appended; i++)
        r[i] = cg_redis_reply (self->daemon->redis);
    cg_topic_stage_t stage = { 0 };
    if (appended < 3 || cg_reply_hash_msg (r[0], &cg_topic_stage_def, &stage) != 0)
        cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
    else {
        /*  the rule's shares are on the stage beside its topic.stage fields */
        int64_t qn = 2, qd = 3;
        for (size_t i = 0; i + 1 < r[0]->elements; i += 2)
            if (streq (r[0]->element[i]->str, "qn"))
                qn = cg_reply_int (r[0]->element[i + 1], 2);
            else
            if (streq (r[0]->element[i]->str, "qd"))
                qd = cg_reply_int (r[0]->element[i + 1], 3);
        cg_topic_tally_t tally = {
            .id = (char *) id, .n = stage.n, .name = stage.name, .expected = stage.expected,
            .attended = stage.attended, .voted = stage.voted, .yes = stage.yes,
            .no = stage.no, .abstain = stage.abstain,
            .quorum = CG_QUORUM_MET (stage.attended, stage.expected, qn, qd),
            .decision = stage.decision };
        tally.voters = s_borrow (r[1], &tally.voters_count);
        size_t count;
        char **pairs = s_borrow (r[2], &count);
        tally.ballots = count ? cg_alloc (count / 2 * sizeof (cg_topic_ballot_t)) : NULL;
        for (size_t i = 0; i + 1 < count; i += 2)
            tally.ballots[tally.ballots_count++] = (cg_topic_ballot_t) {
                .member = pairs[i], .choice = pairs[i + 1] };
        cg_reply_ok (reply, &cg_topic_tally_def, &tally);
        free (pairs);
        free (tally.voters);
        free (tally.ballots);
    }
    cg_msg_clear (&cg_topic_stage_def, &stage);
    for (int i = 0; i < 3; i++)
        if (r[i])
            freeReplyObject (r[i]);
}

/* --- commands ----------------------------------------------------------- */

/*  Reads the plan of req's topic and starts the script's arguments with
    prefix, rid, topic id and now; -1 with the reply filled when Redis
    failed.  A topic that does not exist plans nothing: its script refuses. */
static int
s_plan_start (consultation_t *self, const cg_topic_act_t *req, plan_t *plan, cg_args_t *args,
              cg_reply_t *reply, int64_t *now)
{
    if (plan_read (self, req->id, plan) < 0) {
        cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
        return -1;
    }
    *now = cg_clock_now ();
    cg_args_add_str (args, P);
    cg_args_add_str (args, req->rid);
    cg_args_add_str (args, req->id);
    cg_args_add_int (args, *now);
    return 0;
}

static int
s_plan_create (consultation_t *self, void *request, cg_args_t *args, cg_reply_t *reply)
{
    cg_topic_create_t *req = request;
    char id[24];
    if (plan_next_topic (self, 0, id, sizeof id)) {
        cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
        return -1;
    }
    int64_t now = cg_clock_now ();
    cg_args_add_str (args, P);
    cg_args_add_str (args, req->rid);
    cg_args_add_int (args, now);
    cg_args_add_str (args, id);
    cg_topic_event_t created = { .id = id, .scope = req->scope, .actor = req->actor };
    CG_SET (&created, topic_event, at, now);
    cg_args_add_msg (args, &cg_topic_event_def, &created);
    consultation_add_spec (self, args, req, NULL);
    return 0;
}

void
topics_on_create (void *request, cg_reply_t *reply, void *arg)
{
    consultation_t *self = arg;
    cg_topic_create_t *req = request;
    if (consultation_check (self, req, reply))
        return;
    char id[40];
    if (consultation_change (self, "topic_create", s_plan_create, req, reply, id, sizeof id) == 0)
        s_reply_view (self, id, reply);
}

void
topics_on_show (void *request, cg_reply_t *reply, void *arg)
{
    s_reply_view (arg, ((cg_topic_get_t *) request)->id, reply);
}

void
topics_on_list (void *request, cg_reply_t *reply, void *arg)
{
    consultation_t *self = arg;
    cg_topic_query_t *req = request;
    char key[96];
    if (req->scope)
        snprintf (key, sizeof key, P "scope:%s", req->scope);
    else
        snprintf (key, sizeof key, P "topics");
    int64_t total;
    cg_zpage_t ids;
    char next[CG_CURSOR_MAX];
    if (consultation_page (self, "topic.list", &cg_topic_query_def, req, key, true,
                           req->limit > 0 ? req->limit : 50, &ids, &total, next, reply))
        return;
    cg_topic_page_t page = { .total = total, .next = *next ? next : NULL };
    page.topics = cg_alloc ((ids.count ? ids.count : 1) * sizeof (cg_topic_view_t));
    for (size_t i = 0; i < ids.count; i++) {
        cg_topic_view_t *view = &page.topics[page.topics_count];
        if (s_load (self, ids.ids[i], view, false) != 0)
            continue;
        /*  a page holds the headlines; topic.show has the rest */
        free (view->description);
        view->description = NULL;
        for (size_t k = 0; k < view->cases_count; k++)
            free (view->cases[k]);
        free (view->cases);
        view->cases = NULL;
        view->cases_count = 0;
        view->pos = ids.pos[i];
        view->present |= UINT64_C (1) << CG_FIELD_topic_view_pos;
        page.topics_count++;
    }
    cg_reply_ok (reply, &cg_topic_page_def, &page);
    page.next = NULL;           /* ours */
    cg_msg_clear (&cg_topic_page_def, &page);
    cg_zpage_free (&ids);
}

/*  topic.stage: the stage to open is the first one not closed. */
static int
s_plan_stage (consultation_t *self, void *request, cg_args_t *args, cg_reply_t *reply)
{
    cg_topic_act_t *req = request;
    plan_t plan;
    int64_t now;
    if (s_plan_start (self, req, &plan, args, reply, &now))
        return -1;
    cg_args_add_str (args, req->actor);
    cg_args_add_str (args, req->place ? req->place : "");
    cg_args_add_str (args, req->stage ? req->stage : "");
    cg_args_add_int (args, plan.current);
    plan_add_event (args, &plan, plan.current, &(cg_topic_event_t) { .actor = req->actor }, now);
    return 0;
}

void
topics_on_stage (void *request, cg_reply_t *reply, void *arg)
{
    cg_topic_act_t *req = request;
    if (consultation_change (arg, "topic_stage_open", s_plan_stage, req, reply, NULL, 0) == 0)
        s_reply_view (arg, req->id, reply);
}

/*  topic.meeting and topic.vote are taken at the stage open now. */
static int
s_plan_attend (consultation_t *self, void *request, cg_args_t *args, cg_reply_t *reply)
{
    cg_topic_act_t *req = request;
    plan_t plan;
    int64_t now;
    if (s_plan_start (self, req, &plan, args, reply, &now))
        return -1;
    cg_args_add_int (args, plan.current);
    plan_add_event (args, &plan, plan.current, &(cg_topic_event_t) { .actor = req->actor,
                    .members = req->members, .members_count = req->members_count }, now);
    for (size_t i = 0; i < req->members_count; i++)
        cg_args_add_str (args, req->members[i]);
    return 0;
}

void
topics_on_meeting (void *request, cg_reply_t *reply, void *arg)
{
    cg_topic_act_t *req = request;
    if (!req->members_count) {
        cg_reply_fail (reply, "invalid", "members", "name the members present");
        return;
    }
    if (consultation_change (arg, "topic_attend", s_plan_attend, req, reply, NULL, 0) == 0)
        s_reply_tally (arg, req->id, reply);
}

static int
s_plan_vote (consultation_t *self, void *request, cg_args_t *args, cg_reply_t *reply)
{
    cg_topic_act_t *req = request;
    plan_t plan;
    int64_t now;
    if (s_plan_start (self, req, &plan, args, reply, &now))
        return -1;
    cg_args_add_str (args, req->member);
    cg_args_add_str (args, req->choice);
    cg_args_add_int (args, plan.current);
    /*  a secret ballot's event says who voted, never how; and the AOF that
        logs the script's writes together is rewritten after it */
    if (plan.secret)
        self->aof_dirty = true;
    cg_topic_event_t voted = { .member = req->member, .choice = plan.secret ? NULL : req->choice };
    plan_add_event (args, &plan, plan.current, &voted, now);
    return 0;
}

void
topics_on_vote (void *request, cg_reply_t *reply, void *arg)
{
    cg_topic_act_t *req = request;
    if (!req->member) {
        cg_reply_fail (reply, "invalid", "member", "a vote needs the member who casts it");
        return;
    }
    if (!req->choice || !(streq (req->choice, "yes") || streq (req->choice, "no")
                          || streq (req->choice, "abstain"))) {
        cg_reply_fail (reply, "invalid", "choice", "a vote is yes, no or abstain");
        return;
    }
    if (consultation_change (arg, "topic_vote", s_plan_vote, req, reply, NULL, 0) == 0) {
        consultation_compact_aof (arg);
        s_reply_tally (arg, req->id, reply);
    }
}

/*  Adds the topic.stage_opened of stage n when it is a publication, due
    `within` from now; else "". */
static void
s_add_publication (cg_args_t *args, const plan_t *plan, int n, int64_t now, int64_t within)
{
    const plan_stage_t *stage = plan_stage (plan, n);
    if (!stage || *stage->body) {
        cg_args_add_str (args, "");
        return;
    }
    cg_topic_event_t opened = { .actor = "consultation" };
    CG_SET (&opened, topic_event, due, now + within);
    plan_add_event (args, plan, n, &opened, now);
}

/*  topic.tally --close: the decision is the script's, so both outcomes
    are planned. */
static int
s_plan_decide (consultation_t *self, void *request, cg_args_t *args, cg_reply_t *reply)
{
    cg_topic_act_t *req = request;
    plan_t plan;
    int64_t now;
    if (s_plan_start (self, req, &plan, args, reply, &now))
        return -1;
    cg_args_add_int (args, self->publish_ms);
    cg_args_add_int (args, plan.current);
    plan_add_event (args, &plan, plan.current, &(cg_topic_event_t) {
                    .actor = req->actor, .decision = "adopted" }, now);
    plan_add_event (args, &plan, plan.current, &(cg_topic_event_t) {
                    .actor = req->actor, .decision = "rejected" }, now);
    s_add_publication (args, &plan, plan.current + 1, now, self->publish_ms);
    return 0;
}

void
topics_on_tally (void *request, cg_reply_t *reply, void *arg)
{
    cg_topic_act_t *req = request;
    if (req->close
    &&  consultation_change (arg, "topic_decide", s_plan_decide, req, reply, NULL, 0))
        return;
    s_reply_tally (arg, req->id, reply);
}

static int
s_plan_publish (consultation_t *self, void *request, cg_args_t *args, cg_reply_t *reply)
{
    cg_topic_act_t *req = request;
    plan_t plan;
    int64_t now;
    if (s_plan_start (self, req, &plan, args, reply, &now))
        return -1;
    int n = plan_stage_named (&plan, req->stage);
    cg_args_add_str (args, req->stage);
    cg_args_add_str (args, req->text);
    cg_args_add_int (args, self->result_ms);
    cg_args_add_int (args, n);
    plan_add_event (args, &plan, n, &(cg_topic_event_t) { .actor = req->actor }, now);
    if (n && n < plan.nstages)
        s_add_publication (args, &plan, n + 1, now, self->result_ms);
    else
        cg_args_add_str (args, "");
    /*  the public finds it under its community and every node above */
    const cg_org_node_t *node = cg_orgtree_find (self->org, plan.scope);
    for (; node; node = node->parent)
        cg_args_add_str (args, node->code);
    return 0;
}

void
topics_on_publish (void *request, cg_reply_t *reply, void *arg)
{
    cg_topic_act_t *req = request;
    if (!req->stage) {
        cg_reply_fail (reply, "invalid", "stage", "name the publication: resolution_published "
                       "or result_published");
        return;
    }
    if (!req->text) {
        cg_reply_fail (reply, "invalid", "text", "a publication needs its text");
        return;
    }
    if (consultation_change (arg, "topic_publish", s_plan_publish, req, reply, NULL, 0) == 0)
        s_reply_view (arg, req->id, reply);
}

/*  The first grid of a community: where a task is placed when it names none. */
static const char *
s_first_grid (consultation_t *self, const char *community)
{
    const cg_org_node_t *node = cg_orgtree_find (self->org, community);
    for (const cg_org_node_t *c = node ? cg_orgtree_first_child (node) : NULL; c;
         c = cg_orgtree_next_sibling (c))
        if (c->kind == CG_ORG_GRID)
            return c->code;
    return NULL;
}

/*  A task as checked: its topic's request with the category and grid it
    gets. */
typedef struct {
    cg_topic_act_t *req;
    const char *category, *grid;
} s_task_t;

static int
s_plan_task (consultation_t *self, void *request, cg_args_t *args, cg_reply_t *reply)
{
    s_task_t *t = request;
    plan_t plan;
    int64_t now;
    if (s_plan_start (self, t->req, &plan, args, reply, &now))
        return -1;
    char tid[48];
    snprintf (tid, sizeof tid, "%s-%lld", t->req->id, (long long) plan.ntasks + 1);
    cg_args_add_str (args, t->req->text);
    cg_args_add_str (args, t->category);
    cg_args_add_str (args, t->grid);
    cg_args_add_str (args, t->req->address ? t->req->address : "");
    cg_args_add_int (args, CG_TASKS_MAX);
    cg_args_add_int (args, plan.ntasks + 1);
    cg_topic_task_t task = { .id = tid, .topic = t->req->id, .state = "pending",
                             .text = t->req->text, .category = (char *) t->category,
                             .grid = (char *) t->grid, .address = t->req->address };
    CG_SET (&task, topic_task, at, now);
    cg_args_add_msg (args, &cg_topic_task_def, &task);
    return 0;
}

void
topics_on_task (void *request, cg_reply_t *reply, void *arg)
{
    consultation_t *self = arg;
    cg_topic_act_t *req = request;
    cg_topic_view_t view;
    int rc = s_load (self, req->id, &view, false);
    const char *category = req->category ? req->category : rc == 0 ? view.category : NULL;
    const char *grid = req->grid ? req->grid : rc == 0 ? s_first_grid (self, view.scope) : NULL;
    const cg_org_node_t *node = grid ? cg_orgtree_find (self->org, grid) : NULL;
    if (rc == 1)
        cg_reply_fail (reply, "not_found", "id", "there is no topic %s", req->id);
    else
    if (rc < 0)
        cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
    else
    if (!req->text)
        cg_reply_fail (reply, "invalid", "text", "a task needs the work to be done in text");
    else
    if (strlen (req->text) > S_TASK_TEXT_MAX)
        cg_reply_fail (reply, "invalid", "text", "a task's text has at most %d bytes",
                       S_TASK_TEXT_MAX);
    else
    if (!category || !cg_catalog_find (self->catalog, category))
        cg_reply_fail (reply, "invalid", "category", "a task needs a category of the catalog%s",
                       category ? "" : " (the topic has none)");
    else
    if (!node || node->kind != CG_ORG_GRID)
        cg_reply_fail (reply, "invalid", "grid", "grid \"%s\" is not in the org tree",
                       grid ? grid : "");
    else {
        s_task_t task = { .req = req, .category = category, .grid = grid };
        if (consultation_change (self, "topic_task_add", s_plan_task, &task, reply, NULL, 0) == 0)
            s_reply_view (self, req->id, reply);
    }
    cg_msg_clear (&cg_topic_view_def, &view);
}
