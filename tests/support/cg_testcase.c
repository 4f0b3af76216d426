/*  cg_testcase — see cg_testcase.h. */
#include <criterion/criterion.h>
#include "cg_testcase.h"

cg_case_view_t
cg_testcase_show (cg_teststack_t *stack, const char *id)
{
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    cg_case_get_t req = { .id = (char *) id };
    cg_case_view_t view;
    cg_error_t err;
    cr_assert_eq (cg_client_call (dispatch, &cg_cmd_case_show, &req, &view, &err), 0, "%s", err.message);
    cg_client_destroy (&dispatch);
    return view;
}

void
cg_testclock_set (cg_teststack_t *stack, int64_t ms)
{
    redisReply *r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) ms);
    cr_assert (r && r->type != REDIS_REPLY_ERROR, "the test clock could not be set");
    freeReplyObject (r);
}

static void
s_grids_walk (cg_testgrids_t *g, const cg_org_node_t *node)
{
    if (node->kind == CG_ORG_GRID && g->ngrids < sizeof g->grids / sizeof g->grids[0])
        g->grids[g->ngrids++] = node->code;
    for (const cg_org_node_t *c = cg_orgtree_first_child (node); c;
         c = cg_orgtree_next_sibling (c))
        s_grids_walk (g, c);
}

void
cg_testgrids_load (cg_testgrids_t *g)
{
    char path[512], err[256];
    memset (g, 0, sizeof *g);
    snprintf (path, sizeof path, "%s/deploy/demo/orgtree.tsv", cg_test_root ());
    g->org = cg_orgtree_load (path, err, sizeof err);
    cr_assert (g->org, "%s", err);
    s_grids_walk (g, cg_orgtree_root (g->org));
}
