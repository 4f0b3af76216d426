/*  cg_case_actions — the actions of dispatch's case state machine, the one
    table dispatch (services/dispatch/machine.c), the gateway's routes
    (services/gateway/api.c) and the CLI (services/cli/dispatch.c) read.

    For each action (a command case.<name>): the states it may start from
    (space-separated; NULL: the open states of cg_case_state.h), the state
    it leads to (NULL: decided by the plan), the journal topic of the
    change, the actors that may ask for it (CG_ACTOR_*, the actor strings
    of docs/DISPATCH.md), and the timeline's note when the actor gives
    none.  The main path comes first, so that refusals list it first.
    CG_ACTOR_SUPERVISOR marks an action the gateway takes only from a
    supervisor's or an admin's token (归档: closing a case). */
#ifndef CG_CASE_ACTIONS_H_INCLUDED
#define CG_CASE_ACTIONS_H_INCLUDED

#include <stddef.h>

/*  Who may ask: the role of the actor "ROLE:SCOPE[:NAME]". */
#define CG_ACTOR_CENTER     1       /* center:CODE, an operator of a command center */
#define CG_ACTOR_UNIT       2       /* unit:CODE, the unit responsible */
#define CG_ACTOR_CITIZEN    4       /* citizen:PHONE, who reported it */
#define CG_ACTOR_ADMIN      8       /* admin:CODE, every action within CODE */
#define CG_ACTOR_SYSTEM     16      /* dispatch's own timers; no command may claim it */
#define CG_ACTOR_OPERATOR   32      /* operator:NAME, the stack's own shell */
#define CG_ACTOR_SUPERVISOR 64      /* the gateway asks a supervisor's token */

/*  A(ID, name, from, to, topic, actors, zh) */
#define CG_CASE_ACTIONS(A) \
    A (ACCEPT, accept, "dispatched", "accepted", "case.accepted", CG_ACTOR_UNIT, "签收") \
    A (RESOLVE, resolve, "accepted", "resolved", "case.resolved", CG_ACTOR_UNIT, "办结") \
    A (CALLBACK, callback, "resolved", NULL, "case.closed", CG_ACTOR_CENTER, "回访") \
    A (CLOSE, close, "resolved", "closed", "case.closed", \
       CG_ACTOR_CENTER | CG_ACTOR_SUPERVISOR, "归档") \
    A (DISPATCH, dispatch, "dispatched", "dispatched", "case.dispatched", CG_ACTOR_CENTER, \
       "派单") \
    A (TRANSFER, transfer, "dispatched accepted", "dispatched", "case.dispatched", \
       CG_ACTOR_CENTER, "转办") \
    A (RETURN, return, "dispatched accepted", "returned", "case.returned", CG_ACTOR_UNIT, \
       "退单") \
    A (RETURN_APPROVE, return_approve, "returned", "dispatched", "case.dispatched", \
       CG_ACTOR_CENTER, "退单审核通过") \
    A (RETURN_REFUSE, return_refuse, "returned", "dispatched", "case.return_refused", \
       CG_ACTOR_CENTER, "退单驳回") \
    A (EXTEND, extend, "accepted", "accepted", "case.extension_requested", CG_ACTOR_UNIT, \
       "申请延期") \
    A (EXTEND_APPROVE, extend_approve, "accepted", "accepted", "case.extended", \
       CG_ACTOR_CENTER, "延期批准") \
    A (EXTEND_REFUSE, extend_refuse, "accepted", "accepted", "case.extension_refused", \
       CG_ACTOR_CENTER, "延期驳回") \
    A (SUSPEND, suspend, "dispatched accepted", "suspended", "case.suspended", \
       CG_ACTOR_CENTER, "挂起") \
    A (RESUME, resume, "suspended", NULL, "case.resumed", CG_ACTOR_CENTER, "恢复") \
    A (REOPEN, reopen, "closed", "dispatched", "case.dispatched", \
       CG_ACTOR_CENTER | CG_ACTOR_CITIZEN, "重新打开") \
    A (MERGE, merge, NULL, "merged", "case.merged", CG_ACTOR_CENTER, "合并") \
    A (REJECT, reject, "dispatched returned", "rejected", "case.rejected", CG_ACTOR_CENTER, \
       "无效") \
    A (ESCALATE, escalate, "dispatched accepted returned", "dispatched", "case.escalated", \
       CG_ACTOR_CENTER, "提级") \
    /*  补充说明: a word on the timeline (an Open311 client's update), the \
        state as it was */ \
    A (NOTE, note, "dispatched accepted returned suspended resolved", NULL, "case.noted", \
       CG_ACTOR_CENTER | CG_ACTOR_UNIT | CG_ACTOR_CITIZEN, "补充说明")

typedef enum {
#define CG_ACTION_ID(ID, name, from, to, topic, actors, zh) CG_ACTION_##ID,
    CG_CASE_ACTIONS (CG_ACTION_ID)
#undef CG_ACTION_ID
} cg_case_action_id_t;

#define CG_ACTION_ONE(ID, name, from, to, topic, actors, zh) + 1
#define CG_ACTIONS_COUNT    (0 CG_CASE_ACTIONS (CG_ACTION_ONE))

typedef struct {
    cg_case_action_id_t id;
    const char *name;           /* the command is case.<name> */
    const char *from;           /* the states it starts from; NULL: the open states */
    const char *to;             /* the state it leads to; NULL: decided by the plan */
    const char *topic;          /* the journal topic of the change */
    int actors;                 /* CG_ACTOR_* */
    const char *zh;             /* the timeline's note when the actor gives none */
} cg_case_action_t;

/*  The table, in the order above, and its length (CG_ACTIONS_COUNT). */
extern const cg_case_action_t cg_case_actions[];

/*  The action of that name, or NULL. */
const cg_case_action_t *cg_case_action_find (const char *name);

#endif
