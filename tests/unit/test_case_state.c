/*  test_case_state - the classes of the case states (cg_case_state.h), the
    one definition intake's merging and dispatch's actions read: a request
    joins only a case still being handled, and a rejected, merged or
    cancelled case is never joined (issue 16, bug 1). */
#include "cg_case_state.h"

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
}
