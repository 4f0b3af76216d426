/*  topics — consultation topics (议题) in the operator API and in public.

    A topic belongs to a community (its `scope`); it lies in a caller's
    scope when that community does, so a town's operator deliberates on
    the town's communities only.  Another town's topic is answered 404,
    like one that does not exist.  Consultation lists topics one community
    at a time, so a town's or a county's list is gathered from each of its
    communities (gather.c), newest first, a page at a time; the city's is
    consultation's own list.

    In public (no token) only what was published is shown, and it is
    consultation that decides what that is (topic.public,
    topic.public_list, docs/CONSULTATION.md): a topic's title, its place
    and the texts of its publications, which never change once published.
    A topic that published nothing is answered 404 as if it did not exist;
    rosters, ballots, tasks and the description are never public. */
#include "gateway.h"

#define S_PER_COMMUNITY 200         /* consultation's largest page */

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

/*  The topics under base (the root: consultation's own list). */
static int
s_gather (gw_request_t *req, const cg_org_node_t *base, cg_topic_query_t *query,
          cg_topic_page_t *page, cg_error_t *err)
{
    gw_gather_t spec = { &cg_cmd_topic_list, "scope", S_PER_COMMUNITY, true, s_keep_all, NULL };
    if (!base->parent)
        return gw_call (req, &cg_cmd_topic_list, query, page, err);
    size_t n;
    const char **places = s_communities (req->gw, base, &n);
    int rc = gw_gather (req, &spec, places, n, query, page, err);
    free (places);
    return rc;
}

static int
s_list (gw_request_t *req, void *msg, void *rep, cg_error_t *err)
{
    cg_topic_query_t *query = msg;
    const cg_org_node_t *base = query->scope ? cg_orgtree_find (req->gw->org, query->scope)
                                             : req->caller.scope;
    return s_gather (req, base, query, rep, err);
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

const gw_rule_t gw_topic_read = { .what = "topic", .shows = s_shows_topic };
const gw_rule_t gw_topic_act = { .what = "topic", .place = "grid",
                                 .lookup = &cg_cmd_topic_show, .shows = s_shows_topic };
const gw_rule_t gw_topics = { .place = "scope", .fetch = s_list };
/*  Consultation answers these itself with what was published and nothing
    else (topic.public, topic.public_list); the gateway only refuses a
    place that does not exist. */
const gw_rule_t gw_topic_public = { .what = "topic" };
const gw_rule_t gw_topics_public = { .check = s_check_public_list };
