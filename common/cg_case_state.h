/*  cg_case_state — the states of a case (工单状态) and their classes, the
    one definition every daemon, the gateway and the CLI use.

    A case is received by intake, routed by dispatch, and then moves
    through dispatch's state machine (services/dispatch/machine.c); other
    daemons only ask which class a state is in:
      open        someone still has to act on it (派单 to 挂起): dispatch's
                  timers, a withdrawal (撤单) and a merge (合并) apply;
      mergeable   a new request about the same thing joins it as a
                  supporter (intake) rather than making a new case;
      terminal    nothing more will happen to it unless it is reopened;
      reopenable  a citizen or a center may reopen it (重新打开).
    A resolved case (办结) is in none of the first three: it waits for the
    callback (回访), and a new request about it is a new case.  A state
    intake has accepted but dispatch has not stored yet reads as "" and is
    mergeable: the case is being routed. */
#ifndef CG_CASE_STATE_H_INCLUDED
#define CG_CASE_STATE_H_INCLUDED

#include <stdbool.h>

#define CG_CASE_OPEN        (1 << 0)
#define CG_CASE_MERGEABLE   (1 << 1)
#define CG_CASE_TERMINAL    (1 << 2)
#define CG_CASE_REOPENABLE  (1 << 3)

/*  S(name, classes, meaning, zh): every state, in the order of the path;
    zh is the state as the public reads it (a timeline note, Open311). */
#define CG_CASE_STATES(S) \
    S (received, CG_CASE_OPEN | CG_CASE_MERGEABLE, "accepted by intake, not yet routed", \
       "已受理") \
    S (dispatched, CG_CASE_OPEN | CG_CASE_MERGEABLE, "sent to a unit (派单), not yet signed for", \
       "已派单") \
    S (accepted, CG_CASE_OPEN | CG_CASE_MERGEABLE, "signed for by the unit (签收), being handled", \
       "办理中") \
    S (returned, CG_CASE_OPEN | CG_CASE_MERGEABLE, "sent back by the unit (退单), awaiting the center", \
       "退单待审") \
    S (suspended, CG_CASE_OPEN | CG_CASE_MERGEABLE, "suspended by the center (挂起)", "暂缓办理") \
    S (resolved, 0, "handled by the unit (办结), awaiting the callback (回访)", "已办结") \
    S (closed, CG_CASE_TERMINAL | CG_CASE_REOPENABLE, "closed (归档)", "已归档") \
    S (merged, CG_CASE_TERMINAL, "merged into another case (合并)", "已合并") \
    S (rejected, CG_CASE_TERMINAL, "rejected as invalid (无效)", "不予受理") \
    S (cancelled, CG_CASE_TERMINAL, "withdrawn by its source (撤单)", "已撤销")

/*  True when state is in every class of classes; "" (not yet stored by
    dispatch) is received.  An unknown state is in no class. */
bool cg_case_state_is (const char *state, int classes);
/*  The states dispatch stores (all but received) in every class of
    classes, space-separated, in the order of the path ("dispatched
    accepted returned suspended" for CG_CASE_OPEN): for tables that list
    the states an action starts from, and for refusals. */
const char *cg_case_states (int classes);
/*  True when state is one of the states. */
bool cg_case_state_known (const char *state);
/*  The state as the public reads it: dispatched → 已派单; one this table
    does not know reads 办理中 (being handled). */
const char *cg_case_state_zh (const char *state);

#endif
