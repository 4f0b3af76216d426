/*  test_share - the quorum and the majority of a body (common/cg_share.h),
    written once for C and for the scripts: two thirds of twelve is eight
    exactly, and a half is not a majority. */
#include "cg_share.h"

#include <criterion/criterion.h>
#include <stdint.h>

Test (share, a_quorum_of_two_thirds_and_a_majority_of_more_than_half)
{
    cr_assert (CG_QUORUM_MET (8, 12, 2, 3), "8 of 12 is two thirds");
    cr_assert_not (CG_QUORUM_MET (7, 12, 2, 3));
    cr_assert (CG_QUORUM_MET (INT64_C (1), 1, 2, 3));
    cr_assert_not (CG_MAJORITY_FOR (6, 12, 1, 2), "half is not more than half");
    cr_assert (CG_MAJORITY_FOR (7, 12, 1, 2));
    cr_assert (CG_MAJORITY_FOR (5, 8, 1, 2));
}
