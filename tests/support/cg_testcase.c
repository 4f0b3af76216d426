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
cg_testcase_close (cg_teststack_t *stack, cg_client_t *dispatch, const char *id)
{
    int64_t until = zclock_mono () + 30000;
    while (cg_teststack_int (stack, "EXISTS cg:{dispatch}:case:%s", id) != 1
           && zclock_mono () < until)
        zclock_sleep (20);
    cg_case_view_t c = cg_testcase_show (stack, id);
    char unit[80], center[80];
    snprintf (unit, sizeof unit, "unit:%s", c.unit);
    snprintf (center, sizeof center, "center:%s:王", c.center);
    const struct { const cg_cmddef_t *command; const char *actor; } steps[] = {
        { &cg_cmd_case_accept, unit }, { &cg_cmd_case_resolve, unit },
        { &cg_cmd_case_close, center } };
    for (int k = 0; k < 3; k++) {
        char rid[40];
        cg_client_new_rid (rid, sizeof rid);
        cg_case_act_t act = { .rid = rid, .id = (char *) id, .actor = (char *) steps[k].actor,
                              .note = k == 1 ? "已协调物业处理完毕" : NULL };
        cg_case_view_t after;
        cg_error_t err;
        cr_assert_eq (cg_client_call (dispatch, steps[k].command, &act, &after, &err), 0,
                      "%s %s: %s", steps[k].command->name, id, err.message);
        cg_msg_clear (&cg_case_view_def, &after);
    }
    cg_msg_clear (&cg_case_view_def, &c);
}

bool
cg_testcase_order (cg_client_t *intake, const char *ext_ref, const char *text, char *id,
                   size_t len, bool *repeat)
{
    cg_case_submit_t req = { .source = "hotline", .ext_ref = (char *) ext_ref,
                             .category = "noise", .text = (char *) text,
                             .grid = "320602001001001", .contact_phone = "13812345678" };
    cg_case_submitted_t rep;
    cg_error_t err;
    if (cg_client_call (intake, &cg_cmd_case_submit, &req, &rep, &err))
        return false;
    snprintf (id, len, "%s", rep.id);
    *repeat = rep.repeat;
    cg_msg_clear (&cg_case_submitted_def, &rep);
    return true;
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
