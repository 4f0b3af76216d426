/*  gauges — what dispatch adds to `metrics` (cg_command.h): its cases by
    state and handling level, and where its calendar ends.

    A count is the size of a center's queue of the state
    (qc:<center>:<state>, deploy/lua/dispatch/lib.lua), summed over the
    centers of each level of the org tree: one ZCARD per center and state,
    pipelined, a few hundred for a city, asked once a scrape.  The states
    are every state dispatch stores (cg_case_state.h). */
#include "gauges.h"
#include "cg_case_state.h"

#define S_STATES_MAX    16

/*  Every command center of the tree (city, counties, towns), depth first. */
static void
s_centers (const cg_org_node_t *node, const cg_org_node_t **out, size_t *n, size_t max)
{
    if (node->kind <= CG_ORG_TOWN && *n < max)
        out[(*n)++] = node;
    for (const cg_org_node_t *child = cg_orgtree_first_child (node); child;
         child = cg_orgtree_next_sibling (child))
        if (child->kind <= CG_ORG_TOWN)
            s_centers (child, out, n, max);
}

void
gauges_on_metrics (cg_metrics_t *metrics, void *arg)
{
    cases_t *cases = arg;
    char names[256];
    snprintf (names, sizeof names, "%s", cg_case_states (0));
    const char *states[S_STATES_MAX];
    size_t nstates = 0;
    for (char *save = NULL, *state = strtok_r (names, " ", &save);
         state && nstates < S_STATES_MAX; state = strtok_r (NULL, " ", &save))
        states[nstates++] = state;
    size_t max = cg_orgtree_count (cases->rules.org, CG_ORG_CITY)
               + cg_orgtree_count (cases->rules.org, CG_ORG_COUNTY)
               + cg_orgtree_count (cases->rules.org, CG_ORG_TOWN);
    const cg_org_node_t **centers = calloc (max ? max : 1, sizeof *centers);
    assert (centers);
    size_t ncenters = 0;
    s_centers (cg_orgtree_root (cases->rules.org), centers, &ncenters, max);
    cg_args_t args;
    cg_args_init (&args);
    for (size_t s = 0; s < nstates; s++)
        for (size_t c = 0; c < ncenters; c++) {
            cg_args_reset (&args);
            cg_args_addf (&args, "ZCARD");
            cg_args_addf (&args, S_PREFIX "qc:%s:%s", centers[c]->code, states[s]);
            cg_redis_append (cases->daemon->redis, &args);
        }
    cg_args_free (&args);
    bool answered = true;
    for (size_t s = 0; s < nstates; s++) {
        int64_t by_level[CG_ORG_TOWN + 1] = { 0 };
        for (size_t c = 0; c < ncenters; c++) {
            redisReply *r = cg_redis_reply (cases->daemon->redis);
            answered &= r && r->type == REDIS_REPLY_INTEGER;
            by_level[centers[c]->kind] += cg_reply_int (r, 0);
            if (r)
                freeReplyObject (r);
        }
        for (int level = CG_ORG_CITY; answered && level <= CG_ORG_TOWN; level++)
            cg_metrics_gauge (metrics, "civgrid_cases", by_level[level],
                              "state=\"%s\",level=\"%s\"", states[s],
                              cg_org_kind_name ((cg_org_kind_t) level));
    }
    free (centers);
    cg_metrics_gauge (metrics, "civgrid_calendar_end_seconds",
                      cg_calendar_ends (cases->rules.calendar) / 1000, NULL);
}
