/*  test_case_state - the classes of the case states (cg_case_state.h), the
    one definition intake's merging and dispatch's actions read: a request
    joins only a case still being handled, and a rejected, merged or
    cancelled case is never joined (issue 16, bug 1). */
#include "cg_case_state.h"
#include "cg_case_actions.h"

#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

Test (case_state, a_request_joins_only_a_case_still_being_handled)
{
    const char *joins[] = { "", "received", "dispatched", "accepted", "returned", "suspended" };
    for (size_t i = 0; i < sizeof joins / sizeof joins[0]; i++)
        cr_assert (cg_case_state_is (joins[i], CG_CASE_MERGEABLE), "%s", joins[i]);
    const char *new_case[] = { "resolved", "closed", "merged", "rejected", "cancelled",
                               "nonsense", "Dispatched" };
    for (size_t i = 0; i < sizeof new_case / sizeof new_case[0]; i++)
        cr_assert_not (cg_case_state_is (new_case[i], CG_CASE_MERGEABLE), "%s", new_case[i]);
    cr_assert_not (cg_case_state_is (NULL, CG_CASE_MERGEABLE));
}

Test (case_state, the_classes_list_the_states_dispatch_stores)
{
    cr_assert_str_eq (cg_case_states (CG_CASE_OPEN), "dispatched accepted returned suspended");
    cr_assert_str_eq (cg_case_states (CG_CASE_TERMINAL), "closed merged rejected cancelled");
    cr_assert_str_eq (cg_case_states (CG_CASE_REOPENABLE), "closed");
    cr_assert_str_eq (cg_case_states (CG_CASE_TERMINAL | CG_CASE_OPEN), "");
    cr_assert (cg_case_state_is ("closed", CG_CASE_TERMINAL | CG_CASE_REOPENABLE));
    cr_assert_not (cg_case_state_is ("resolved", CG_CASE_TERMINAL));
    cr_assert_not (cg_case_state_is ("resolved", CG_CASE_OPEN));
    cr_assert (cg_case_state_known ("cancelled"));
    cr_assert_not (cg_case_state_known (""));
    cr_assert_not (cg_case_state_known ("open"));
    /*  the public's word for each: Open311's notes and dispatch's own */
    cr_assert_str_eq (cg_case_state_zh ("dispatched"), "已派单");
    cr_assert_str_eq (cg_case_state_zh ("cancelled"), "已撤销");
    cr_assert_str_eq (cg_case_state_zh ("nonsense"), "办理中");
    cr_assert_str_eq (cg_case_state_zh (NULL), "办理中");
}

/*  Dispatch's actions (proto/cg_case_actions.h), the table the daemon, the
    gateway's routes and the CLI read: each starts from and leads to states
    of the one list, names a journal topic, and someone may ask for it. */
Test (case_state, every_action_moves_between_known_states)
{
    cr_assert_eq (CG_ACTIONS_COUNT, 19);      /* note (补充说明) the last */
    for (size_t i = 0; i < CG_ACTIONS_COUNT; i++) {
        const cg_case_action_t *a = &cg_case_actions[i];
        cr_assert_eq (a->id, (cg_case_action_id_t) i, "%s", a->name);
        cr_assert_eq (cg_case_action_find (a->name), a);
        char from[128];
        snprintf (from, sizeof from, "%s", a->from ? a->from : cg_case_states (CG_CASE_OPEN));
        for (char *save = NULL, *s = strtok_r (from, " ", &save); s;
             s = strtok_r (NULL, " ", &save))
            cr_assert (cg_case_state_known (s), "%s starts from %s", a->name, s);
        cr_assert (!a->to || cg_case_state_known (a->to), "%s leads to %s", a->name, a->to);
        cr_assert (strncmp (a->topic, "case.", 5) == 0, "%s", a->topic);
        cr_assert (a->actors & (CG_ACTOR_CENTER | CG_ACTOR_UNIT), "%s", a->name);
    }
    cr_assert_null (cg_case_action_find ("frobnicate"));
    cr_assert (cg_case_action_find ("close")->actors & CG_ACTOR_SUPERVISOR,
               "closing needs a supervisor at the gateway");
}
