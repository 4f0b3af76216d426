/*  topics — consultation topics (议题) in the operator API and in public.

    A topic belongs to a community (its `scope`); it lies in a caller's
    scope when that community does, so a town's operator deliberates on
    the town's communities only.  Another town's topic is answered 404,
    like one that does not exist.  Consultation lists topics one community
    at a time, so a town's or a county's list is gathered from each of its
    communities (gather.c), newest first, from the newest 200 of each; the
    city's is consultation's own list.

    In public (no token) only what was published is shown: a topic whose
    resolution was published (state implementing, then done), with its
    title, its place and the texts of its publications, which never change
    once published.  Drafts, topics under deliberation and rejected ones
    are answered 404 as if they did not exist; rosters, ballots, tasks and
    the description are never public. */
#include "gateway.h"

#define S_PER_COMMUNITY 200         /* consultation's largest page */

static bool
s_published (const cg_topic_view_t *topic)
{
    return strcmp (topic->state, "implementing") == 0 || strcmp (topic->state, "done") == 0;
}

static bool
s_shows_topic (gw_request_t *req, const gw_params_t *params, const void *rep)
{
    (void) params;
    return gw_in_scope (req, ((const cg_topic_view_t *) rep)->scope);
}

/* --- lists ---------------------------------------------------------------- */

static bool
s_keep_all (gw_request_t *req, const void *item, void *arg)
{
    (void) req;
    (void) item;
    (void) arg;
    return true;
}

static bool
s_keep_published (gw_request_t *req, const void *item, void *arg)
{
    (void) req;
    (void) arg;
    return s_published (item);
}

/*  Newest first, as consultation lists them. */
static int
s_order_topic (const void *a, const void *b, void *arg)
{
    (void) arg;
    const cg_topic_view_t *x = a, *y = b;
    return x->created > y->created ? -1 : x->created < y->created ? 1 : -strcmp (x->id, y->id);
}

/*  The communities of a subtree, into a new array; count in *n. */
static const char **
s_communities (gateway_t *gw, const cg_org_node_t *base, size_t *n)
{
    size_t max = cg_orgtree_count (gw->org, CG_ORG_COMMUNITY) + 1;
    const char **out = calloc (max, sizeof *out);
    const cg_org_node_t **stack = calloc (cg_orgtree_size (gw->org) + 1, sizeof *stack);
    assert (out && stack);
    size_t top = 0;
    *n = 0;
    stack[top++] = base;
    while (top) {
        const cg_org_node_t *node = stack[--top];
        if (node->kind == CG_ORG_COMMUNITY) {
            out[(*n)++] = node->code;
            continue;
        }
        for (const cg_org_node_t *c = cg_orgtree_first_child (node); c;
             c = cg_orgtree_next_sibling (c))
            if (c->kind != CG_ORG_UNIT && c->kind != CG_ORG_GRID)
                stack[top++] = c;
    }
    free (stack);
    return out;
}

/*  The topics under base (the root: consultation's own list) kept by keep. */
static int
s_gather (gw_request_t *req, const cg_org_node_t *base, cg_topic_query_t *query,
          bool (*keep) (gw_request_t *, const void *, void *), cg_topic_page_t *page,
          cg_error_t *err)
{
    int64_t offset = query->offset, limit = query->limit ? query->limit : 50;
    gw_gather_t spec = { "consultation", "topic.list", &cg_topic_query_def, &cg_topic_page_def,
                         "scope", S_PER_COMMUNITY, keep, s_order_topic, NULL };
    const char *root[] = { NULL };
    if (!base->parent && keep == s_keep_all)
        return gw_call (req, "consultation", "topic.list", &cg_topic_query_def, query,
                        &cg_topic_page_def, page, err);
    if (!base->parent) {
        free (query->scope);
        query->scope = NULL;
        return gw_gather (req, &spec, root, 1, query, offset, limit, page, err);
    }
    size_t n;
    const char **places = s_communities (req->gw, base, &n);
    int rc = gw_gather (req, &spec, places, n, query, offset, limit, page, err);
    free (places);
    return rc;
}

static int
s_list (gw_request_t *req, void *msg, void *rep, cg_error_t *err)
{
    cg_topic_query_t *query = msg;
    const cg_org_node_t *base = query->scope ? cg_orgtree_find (req->gw->org, query->scope)
                                             : req->caller.scope;
    return s_gather (req, base, query, s_keep_all, rep, err);
}

/* --- in public ------------------------------------------------------------ */

static int
s_check_public_list (gw_request_t *req, const gw_params_t *params, const cg_msgdef_t *def,
                     void *msg)
{
    (void) params;
    (void) def;
    const char *scope = ((cg_topic_query_t *) msg)->scope;
    if (!scope || cg_orgtree_find (req->gw->org, scope))
        return 0;
    gw_reply_error (req, 404, "not_found", "scope", "there is no place %.40s", scope);
    return -1;
}

static int
s_list_public (gw_request_t *req, void *msg, void *rep, cg_error_t *err)
{
    cg_topic_query_t *query = msg;
    const cg_org_node_t *base = query->scope ? cg_orgtree_find (req->gw->org, query->scope)
                                             : cg_orgtree_root (req->gw->org);
    return s_gather (req, base, query, s_keep_published, rep, err);
}

static bool
s_shows_public (gw_request_t *req, const gw_params_t *params, const void *rep)
{
    (void) req;
    (void) params;
    return s_published (rep);
}

/*  What anyone may read of a topic: what it is, where, and where it stands. */
static json_t *
s_public_head (const cg_topic_view_t *t)
{
    return json_pack ("{s:s, s:s, s:s, s:s?, s:s, s:s, s:I}", "id", t->id, "title", t->title,
                      "scope", t->scope, "scope_name", t->scope_name, "procedure", t->procedure,
                      "state", t->state, "created", (json_int_t) t->created);
}

/*  A published topic with the texts of its publications. */
static void
s_answer_public (gw_request_t *req, const void *rep)
{
    const cg_topic_view_t *t = rep;
    json_t *topic = s_public_head (t);
    json_t *texts = json_array ();
    for (size_t i = 0; i < t->stages_count; i++) {
        const cg_topic_stage_t *s = &t->stages[i];
        if (s->text && strcmp (s->state, "closed") == 0)
            json_array_append_new (texts, json_pack ("{s:s, s:s, s:I}", "stage", s->name,
                                                     "text", s->text,
                                                     "published", (json_int_t) s->closed));
    }
    json_object_set_new (topic, "publications", texts);
    gw_reply_json (req, 200, topic);
}

static void
s_answer_public_list (gw_request_t *req, const void *rep)
{
    const cg_topic_page_t *page = rep;
    json_t *list = json_array ();
    for (size_t i = 0; i < page->topics_count; i++)
        json_array_append_new (list, s_public_head (&page->topics[i]));
    gw_reply_json (req, 200, json_pack ("{s:I, s:o}", "total", (json_int_t) page->total,
                                        "topics", list));
}

const gw_rule_t gw_topic_read = { .what = "topic", .shows = s_shows_topic };
const gw_rule_t gw_topic_act = { .what = "topic", .place = "grid",
                                 .lookup = "topic.show", .get_def = &cg_topic_get_def,
                                 .view_def = &cg_topic_view_def, .shows = s_shows_topic };
const gw_rule_t gw_topics = { .place = "scope", .fetch = s_list };
const gw_rule_t gw_topic_public = { .what = "topic", .shows = s_shows_public,
                                    .answer = s_answer_public };
const gw_rule_t gw_topics_public = { .check = s_check_public_list, .fetch = s_list_public,
                                     .answer = s_answer_public_list };
