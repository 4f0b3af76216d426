/*  plan — see plan.h.  The actors' rules are machine.c's header's; the
    deadlines are deadlines.c's; this file decides, for each action of the
    table, what the case becomes and what the journal and the statistics
    hear of it. */
#include "plan.h"
#include "deadlines.h"
#include "cg_case.h"
#include "cg_case_state.h"
#include "cg_privacy.h"
#include "cg_satisfaction.h"

#include <stdio.h>
#include <string.h>

typedef cg_case_action_t s_action_t;
#define s_actions   cg_case_actions
#define S_NACTIONS  CG_ACTIONS_COUNT


void
plan_count (plan_t *plan, const char *unit, const char *metric)
{
    assert (plan->ncounts < 4);
    plan->counts[plan->ncounts].unit = unit;
    plan->counts[plan->ncounts++].metric = metric;
}

/*  The states an action starts from. */
static const char *
s_from (const s_action_t *action)
{
    return action->from ? action->from : cg_case_states (CG_CASE_OPEN);
}

static bool
s_in (const char *state, const char *states)
{
    size_t n = strlen (state);
    for (const char *p = states; (p = strstr (p, state)); p += n)
        if ((p == states || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
            return true;
    return false;
}

/*  The actions a case in this state allows, for a refusal. */
static void
s_allowed (const char *state, char *out, size_t len)
{
    *out = 0;
    for (size_t i = 0; i < S_NACTIONS; i++)
        if (s_in (state, s_from (&s_actions[i])))
            snprintf (out + strlen (out), len - strlen (out), "%s%s", *out ? ", " : "",
                      s_actions[i].name);
    if (!*out)
        snprintf (out, len, "nothing");
}

/* --- deadlines and timers (deadlines.c) ---------------------------------- */

/*  A deadline that stood still while the case was suspended (挂起). */
static int64_t
s_shift (const dispatch_rules_t *self, int64_t deadline, int64_t since, int64_t now)
{
    if (deadline <= since)
        return deadline;
    return cg_calendar_add (self->calendar, now, cg_calendar_between (self->calendar, since,
                                                                      deadline));
}

/* --- actors --------------------------------------------------------------- */

/*  True when the case's center lies in the subtree of the center mine. */
static bool
s_center_covers (const dispatch_rules_t *self, const cg_org_node_t *mine, const cg_case_view_t *c)
{
    const cg_org_node_t *its = c->center ? cg_orgtree_find (self->org, c->center) : NULL;
    return mine && its && cg_orgtree_within (its, mine);
}

/*  Checks the actor against the action's roles and the case's place.
    Returns 0, or -1 with the refusal in reply. */
static int
s_check_actor (const dispatch_rules_t *self, const s_action_t *action, const char *actor,
               const cg_case_view_t *c, cg_error_t *err)
{
    char role[16] = "", scope[64] = "";
    sscanf (actor, "%15[^:]:%63[^:]", role, scope);
    int have = strcmp (role, "center") == 0 ? CG_ACTOR_CENTER
             : strcmp (role, "unit") == 0 ? CG_ACTOR_UNIT
             : strcmp (role, "citizen") == 0 ? CG_ACTOR_CITIZEN
             : strcmp (role, "admin") == 0 ? CG_ACTOR_ADMIN
             : strcmp (role, "operator") == 0 ? CG_ACTOR_OPERATOR
             : strcmp (role, "system") == 0 ? CG_ACTOR_SYSTEM : 0;
    if (!have || have == CG_ACTOR_SYSTEM || !*scope) {
        cg_error_set (err, "invalid", "actor", "actor '%s' is not ROLE:SCOPE[:NAME] with "
                       "ROLE center, unit, citizen, admin or operator", actor);
        return -1;
    }
    if (have == CG_ACTOR_OPERATOR)
        return 0;               /* the shell's operator: the whole tree */
    const cg_org_node_t *mine = have & (CG_ACTOR_CENTER | CG_ACTOR_ADMIN)
                              ? cg_orgtree_find (self->org, scope) : NULL;
    if (have == CG_ACTOR_ADMIN && !mine) {
        cg_error_set (err, "invalid", "actor", "an admin's scope '%s' is no node of the "
                       "org tree", scope);
        return -1;
    }
    /*  a case in a center's own queue is the center's to handle itself */
    bool own_queue = have == CG_ACTOR_CENTER && c->unit && c->center
                     && strcmp (c->unit, c->center) == 0;
    if (have != CG_ACTOR_ADMIN && !(action->actors & have)
        && !(own_queue && (action->actors & CG_ACTOR_UNIT))) {
        cg_error_set (err, "forbidden", "actor", "a %s may not %s a case", role,
                       action->name);
        return -1;
    }
    if (have == CG_ACTOR_UNIT && (!c->unit || strcmp (c->unit, scope) != 0)) {
        cg_error_set (err, "forbidden", "actor", "case %s is %s's, not %s's", c->id,
                       c->unit ? c->unit : "no unit", scope);
        return -1;
    }
    if (have == CG_ACTOR_CITIZEN) {
        /*  the citizen who reported it: the phone, masked as the case keeps it */
        char masked[32];
        cg_mask_phone (scope, masked, sizeof masked);
        if (!c->contact || strcmp (c->contact, masked) != 0) {
            cg_error_set (err, "forbidden", "actor", "case %s was not reported from %s",
                           c->id, masked);
            return -1;
        }
    }
    if ((have & (CG_ACTOR_CENTER | CG_ACTOR_ADMIN)) && !s_center_covers (self, mine, c)) {
        cg_error_set (err, "forbidden", "actor", "case %s belongs to center %s, "
                       "outside %s", c->id, c->center ? c->center : "-", scope);
        return -1;
    }
    return 0;
}

/*  True when the actor may see case c at all: the one rule for a case an
    action names besides its own (合并's into), which out of scope is
    answered as not found, so that a town learns nothing of another's. */
static bool
s_actor_sees (const dispatch_rules_t *self, const char *actor, const cg_case_view_t *c)
{
    char role[16] = "", scope[64] = "";
    sscanf (actor, "%15[^:]:%63[^:]", role, scope);
    if (strcmp (role, "operator") == 0)
        return true;
    if (strcmp (role, "unit") == 0)
        return c->unit && strcmp (c->unit, scope) == 0;
    if (strcmp (role, "center") == 0 || strcmp (role, "admin") == 0)
        return s_center_covers (self, cg_orgtree_find (self->org, scope), c);
    return false;
}

/* --- planning ------------------------------------------------------------- */

/*  The unit `code` under the case's center (or the center itself). */
static const cg_org_node_t *
s_unit_of_center (const dispatch_rules_t *self, const cg_case_view_t *c, const char *code)
{
    const cg_org_node_t *unit = code ? cg_orgtree_find (self->org, code) : NULL;
    if (!unit || !c->center)
        return NULL;
    if (strcmp (unit->code, c->center) == 0)
        return unit;
    return unit->kind == CG_ORG_UNIT && unit->parent
           && strcmp (unit->parent->code, c->center) == 0 ? unit : NULL;
}

/*  Up one level (提级) to the parent center, with fresh limits there.
    Returns -1 when the case is already at the top. */
int
plan_escalate (const dispatch_rules_t *self, plan_t *plan, const cg_category_t *category,
                 const char *reason, int64_t now)
{
    cg_case_view_t *c = &plan->after;
    const cg_org_node_t *center = c->center ? cg_orgtree_find (self->org, c->center) : NULL;
    if (!center || !center->parent)
        return -1;
    const cg_org_node_t *parent = center->parent;
    const char *type = category ? cg_category_unit (category, parent->kind) : NULL;
    const cg_org_node_t *unit = type ? cg_orgtree_unit (self->org, parent, type) : NULL;
    if (!unit)
        unit = parent;
    plan_count (plan, c->unit, "escalated");
    plan->escalate_reason = reason;
    plan->from_level = c->level;
    plan->from_center = c->center;
    snprintf (plan->level_buf, sizeof plan->level_buf, "%s", cg_org_kind_name (parent->kind));
    c->level = plan->level_buf;
    c->center = (char *) parent->code;
    c->unit = (char *) unit->code;
    plan->unit_name = unit->name;
    c->state = "dispatched";
    c->supervised = true;               /* 提级督办 */
    c->escalations++;
    c->extension = NULL;
    if (category)
        deadlines_arm (self, category, now, c);
    plan->redispatch = true;
    return 0;
}

/*  Plans a command's change into plan; returns 0, or -1 with the refusal. */
static int
s_plan (const dispatch_rules_t *self, const s_action_t *action, const cg_case_act_t *req,
        const cg_case_view_t *c, const cg_case_view_t *into, plan_t *plan, int64_t now,
        cg_error_t *err)
{
    const cg_category_t *category = c->category ? cg_catalog_find (self->catalog, c->category)
                                                : NULL;
    cg_case_view_t *a = &plan->after;
    *a = *c;
    a->steps = NULL;
    a->steps_count = 0;
    a->state = (char *) action->to;
    a->updated = now;
    plan->topic = action->topic;
    switch (action->id) {
    case CG_ACTION_DISPATCH:
    case CG_ACTION_TRANSFER:
    case CG_ACTION_RETURN_APPROVE: {
        if (action->id == CG_ACTION_DISPATCH && c->unit && c->center
            && strcmp (c->unit, c->center)) {
            cg_error_set (err, "conflict", "id", "case %s is already with unit %s; "
                           "transfer it instead", c->id, c->unit);
            return -1;
        }
        const cg_org_node_t *unit = s_unit_of_center (self, c, req->unit);
        if (!unit) {
            cg_error_set (err, "invalid", "unit", "'%s' is not a unit of center %s",
                           req->unit ? req->unit : "", c->center ? c->center : "-");
            return -1;
        }
        a->unit = (char *) unit->code;
        plan->unit_name = unit->name;
        plan->redispatch = true;
        if (category)
            deadlines_arm (self, category, now, a);
        if (action->id == CG_ACTION_TRANSFER && ++a->transfer_count >= 3
        &&  plan_escalate (self, plan, category, "transfer", now) == 0)
            a->transfer_count = 0;
        break;
    }
    case CG_ACTION_RETURN:
    case CG_ACTION_REJECT:
        if (!req->note) {
            cg_error_set (err, "invalid", "note", "%s needs the reason in note", action->name);
            return -1;
        }
        break;
    case CG_ACTION_ACCEPT:
        plan_count (plan, c->unit, "signed_for");
        if (now <= c->sign_by)
            plan_count (plan, c->unit, "signed_on_time");
        /*  signed late: the escalation the sign-for limit set ends here,
            with the unit that signed and works it (it stays supervised);
            the completion limit sets its own when it passes */
        if (!(c->alerts & CG_ALERT_DONE_OVER))
            a->escalate_at = 0;
        break;
    case CG_ACTION_RETURN_REFUSE:
        break;
    case CG_ACTION_EXTEND:
        if (req->minutes <= 0) {
            cg_error_set (err, "invalid", "minutes", "an extension needs the working "
                           "minutes asked for, 1 to 999999");
            return -1;
        }
        if (now >= c->done_by) {
            cg_error_set (err, "conflict", "id", "case %s is past its deadline; an "
                           "extension must be asked for before it", c->id);
            return -1;
        }
        if (c->extension && strcmp (c->extension, "pending") == 0) {
            cg_error_set (err, "conflict", "id", "case %s already has an extension "
                           "pending", c->id);
            return -1;
        }
        a->extension = "pending";
        a->ext_minutes = req->minutes;
        break;
    case CG_ACTION_EXTEND_APPROVE:
    case CG_ACTION_EXTEND_REFUSE:
        if (!c->extension || strcmp (c->extension, "pending") != 0) {
            cg_error_set (err, "conflict", "id", "case %s has no extension pending", c->id);
            return -1;
        }
        a->extension = action->id == CG_ACTION_EXTEND_APPROVE ? "granted" : "refused";
        if (action->id == CG_ACTION_EXTEND_APPROVE) {
            a->done_by = cg_calendar_add_minutes (self->calendar, c->done_by, c->ext_minutes);
            a->alerts &= ~CG_ALERT_DONE_OVER;
            deadlines_flag_past_calendar (self, a);
        }
        break;
    case CG_ACTION_SUSPEND:
        a->suspended_from = c->state;
        a->suspended_at = now;
        break;
    case CG_ACTION_RESUME:
        a->state = c->suspended_from ? c->suspended_from : "dispatched";
        a->sign_by = s_shift (self, c->sign_by, c->suspended_at, now);
        a->sign_warn = s_shift (self, c->sign_warn, c->suspended_at, now);
        a->done_by = s_shift (self, c->done_by, c->suspended_at, now);
        a->done_warn = s_shift (self, c->done_warn, c->suspended_at, now);
        if (c->escalate_at)
            a->escalate_at = s_shift (self, c->escalate_at, c->suspended_at, now);
        a->suspended_from = NULL;
        a->suspended_at = 0;
        break;
    case CG_ACTION_RESOLVE:
        if (!req->note) {
            cg_error_set (err, "invalid", "note", "resolving a case needs its result in note");
            return -1;
        }
        a->result = req->note;
        plan_count (plan, c->unit, "resolved");
        if (now <= c->done_by)
            plan_count (plan, c->unit, "resolved_on_time");
        break;
    case CG_ACTION_CALLBACK: {
        const cg_satisfaction_t *level = req->satisfaction
            ? cg_satisfaction_parse (req->satisfaction)
            : cg_satisfaction_find (req->satisfied ? "satisfied" : "unsatisfied");
        if (!level) {
            cg_error_set (err, "invalid", "satisfaction", "satisfaction \"%s\" is not "
                           "satisfied (满意, 1), basically_satisfied (基本满意, 2) or "
                           "unsatisfied (不满意, 3)", req->satisfaction);
            return -1;
        }
        a->satisfaction = (char *) level->code;
        /*  the timeline says the rating in words, wherever it is shown */
        snprintf (plan->note_buf, sizeof plan->note_buf, "回访：%s%s%.150s", level->zh,
                  req->note ? "。" : "", req->note ? req->note : "");
        plan->note = plan->note_buf;
        plan_count (plan, c->unit, "callbacks");
        plan_count (plan, c->unit, level->closes ? level->code : "redone");
        if (level->closes) {
            a->state = "closed";
            a->closed_at = now;
            break;
        }
        a->state = "dispatched";            /* 发回重办 */
        plan->topic = "case.dispatched";
        plan->action = "redo";
        plan->redispatch = true;
        a->redo_count++;
        if (category)
            deadlines_arm (self, category, now, a);
        if (a->redo_count % 3 == 0)
            plan_escalate (self, plan, category, "redo", now);
        break;
    }
    case CG_ACTION_CLOSE:
        a->closed_at = now;
        break;
    case CG_ACTION_REOPEN:
        if (now > cg_case_reopen_until (c->closed_at, self->reopen_days)) {
            cg_error_set (err, "conflict", "id", "case %s was closed more than %d days ago "
                           "and can no longer be reopened", c->id, self->reopen_days);
            return -1;
        }
        plan->redispatch = true;
        a->satisfaction = NULL;
        if (category)
            deadlines_arm (self, category, now, a);
        break;
    case CG_ACTION_MERGE: {
        bool other = req->into && strcmp (req->into, c->id);
        bool seen = other && into && s_actor_sees (self, req->actor, into);
        bool open = seen && cg_case_state_is (into->state, CG_CASE_OPEN);
        snprintf (plan->linked_state, sizeof plan->linked_state, "%s", open ? into->state : "");
        if (other && !seen) {
            cg_error_set (err, "not_found", "into", "there is no case %s", req->into);
            return -1;
        }
        if (!open) {
            cg_error_set (err, "invalid", "into", "'%s' is not another open case",
                           req->into ? req->into : "");
            return -1;
        }
        a->merged_into = req->into;
        /*  the case it joins says so in its own timeline */
        plan->linked = req->into;
        snprintf (plan->linked_note, sizeof plan->linked_note, "合并：%s 已并入本件", c->id);
        break;
    }
    case CG_ACTION_NOTE:
        if (!req->note) {
            cg_error_set (err, "invalid", "note", "a note needs its text in note");
            return -1;
        }
        a->state = c->state;
        break;
    case CG_ACTION_ESCALATE:
        if (plan_escalate (self, plan, category, "operator", now)) {
            cg_error_set (err, "conflict", "id", "case %s is at the top level already",
                           c->id);
            return -1;
        }
        plan->topic = "case.dispatched";
        break;
    }
    if (!plan->action)
        plan->action = action->name;
    return 0;
}

int
plan_command (const dispatch_rules_t *self, const cg_case_action_t *action,
              const cg_case_act_t *req, const cg_case_view_t *c, const cg_case_view_t *into,
              plan_t *plan, int64_t now, cg_error_t *err)
{
    if (!s_in (c->state, s_from (action))) {
        char allowed[256];
        s_allowed (c->state, allowed, sizeof allowed);
        cg_error_set (err, "conflict", "id", "case %s is %s; %s is not allowed from there "
                      "(allowed: %s)", c->id, c->state, action->name, allowed);
        return -1;
    }
    if (s_check_actor (self, action, req->actor, c, err))
        return -1;
    return s_plan (self, action, req, c, into, plan, now, err);
}
