/*  plan — what a command does to a case, as a function of its inputs: the
    action (proto/cg_case_actions.h), the request, the case as it stands,
    the case a merge joins, the rules (the org tree, the catalog, the
    calendar and the settings: rules.h) and the time.  No Redis: machine.c
    loads what a plan reads and applies what it planned with one script
    (case_move), and the unit tests plan with data files alone
    (tests/unit/test_plan.c). */
#ifndef DISPATCH_PLAN_H_INCLUDED
#define DISPATCH_PLAN_H_INCLUDED

#include "rules.h"
#include "cg_case_actions.h"
#include "cg_msg.h"

/*  A planned change: the case after it, and what the journal says. */
typedef struct {
    cg_case_view_t after;       /* a shallow copy of the case with changes */
    const char *topic;
    const char *action;
    const char *note;
    const char *actor;
    bool redispatch;            /* the case went to a (new) unit: case.dispatched */
    const char *escalate_reason;    /* the case went up a level */
    const char *from_level, *from_center;
    const char *unit_name;
    char level_buf[16];
    char note_buf[192];
    char actor_buf[24];
    struct {
        const char *unit, *metric;
    } counts[4];                /* statistics the change adds to (stats.c) */
    int ncounts;
    const char *cursor_key;     /* an intake event caused it: the cursor moves */
    int64_t cursor_from, cursor_to;
    const char *linked;         /* another case whose timeline hears of it (合并) */
    char linked_state[16];      /* that case's state, which stays */
    char linked_note[160];
} plan_t;

/*  Plans the command `action` of req on case c into plan, whose actor and
    note the caller sets first: the state must be one the action starts
    from, the actor one that may take it on this case (docs/DISPATCH.md),
    and the request what the action needs.  into is the case req->into
    names (merge), or NULL when there is none.  Returns 0, or -1 with the
    refusal in err (its code: conflict, forbidden, invalid, not_found). */
int plan_command (const dispatch_rules_t *rules, const cg_case_action_t *action,
                  const cg_case_act_t *req, const cg_case_view_t *c,
                  const cg_case_view_t *into, plan_t *plan, int64_t now, cg_error_t *err);

/*  Up one level (提级) to the parent center, with fresh limits there, for
    `reason` (transfer, redo, overdue, operator).  Returns -1 when the
    case is already at the top. */
int plan_escalate (const dispatch_rules_t *rules, plan_t *plan, const cg_category_t *category,
                   const char *reason, int64_t now);

/*  Adds one count (a unit's metric) to what the change adds to the
    statistics (stats.c). */
void plan_count (plan_t *plan, const char *unit, const char *metric);

#endif
