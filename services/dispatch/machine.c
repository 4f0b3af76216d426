/*  machine — the case state machine (工单状态机) and its timers.

    The actions are one table, proto/cg_case_actions.h (which the gateway's
    routes and the CLI read too): for each action (a command case.<action>)
    the states it may start from, the state it leads to, the journal topic
    of the change and the actors that may ask for it.  A command is checked
    against the table and the actor, then planned in C (new fields, new
    deadlines from the working-time calendar, the events) and applied by
    the one script case_move with compare-and-set on the case's version,
    so that a change, its timeline step, its timers, its queue places and
    its journal entries happen together or not at all.

    Actors.  The actor is a string "ROLE:SCOPE[:NAME]" (docs/DISPATCH.md);
    the gateway makes it from the caller's token:
      center:CODE   an operator of the command center CODE; may act on cases
                    whose center lies in CODE's subtree (a county supervises
                    its towns), and do a unit's part on a case in the
                    center's own queue;
      unit:CODE     the unit CODE; may act on cases it is responsible for;
      citizen:PHONE the citizen who reported the case (reopen and note only);
      admin:CODE    every action, on cases within CODE's subtree;
      operator:NAME every action on the whole tree: the CLI's default, a
                    person at the stack's own shell.
    Timers act as "system", which no command may claim.

    Timers.  A case has up to five timers: sign_warn and done_warn at 80%
    of the sign-for and completion limits (预警, case.warning), sign_over
    and done_over at 100% (case.overdue, the case becomes supervised 督办
    and its escalation is set a grace later), and escalate (提级,
    case.escalated, to the parent center).  Which it has follows from its
    state and the alerts it already raised (deadlines.c).  The sorted set
    cg:{dispatch}:timers holds one entry per case, its id scored by when
    the first of them is due; every change of the case sets it anew.
    machine_on_tick reads the entries that are due and fires, for each
    case, its first timer through case_move, which claims the entry with
    ZREM and sets the next due time in the same call as the change: a
    timer fires once however many dispatch processes race for it (the
    change is compare-and-set on the case's version), a kill -9 before the
    call leaves it due for the next, and a case's timers fire in the order
    of their due times, as many in one tick as are due. */
#include "machine.h"
#include "deadlines.h"
#include "cg_case.h"
#include "cg_case_actions.h"
#include "cg_case_state.h"
#include "cg_clock.h"
#include "cg_privacy.h"
#include "cg_satisfaction.h"
#include "cg_text.h"
#include "cg_words.h"
#include "route.h"
#include "stats.h"

#define S_TIMERS_BATCH  100     /* due timers read at once */
#define S_TIMERS_TICK   2000    /* timers fired in one tick at most, so that
                                   commands and the bus get their turn */

/*  The actions, their states, topics and actors: proto/cg_case_actions.h,
    the one table the gateway's routes and the CLI read too. */
typedef cg_case_action_t s_action_t;
#define s_actions   cg_case_actions
#define S_NACTIONS  CG_ACTIONS_COUNT

/*  A planned change: the case after it, and what the journal says. */
typedef struct {
    cg_case_view_t after;       /* a shallow copy of the case with changes */
    const char *topic;
    const char *action;
    const char *act;            /* the timeline's act, when not action (the timers') */
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
} s_plan_t;

static void
s_count (s_plan_t *plan, const char *unit, const char *metric)
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
s_shift (cases_t *self, int64_t deadline, int64_t since, int64_t now)
{
    if (deadline <= since)
        return deadline;
    return cg_calendar_add (self->calendar, now, cg_calendar_between (self->calendar, since,
                                                                      deadline));
}

/* --- actors --------------------------------------------------------------- */

/*  True when the case's center lies in the subtree of the center mine. */
static bool
s_center_covers (cases_t *self, const cg_org_node_t *mine, const cg_case_view_t *c)
{
    const cg_org_node_t *its = c->center ? cg_orgtree_find (self->org, c->center) : NULL;
    return mine && its && cg_orgtree_within (its, mine);
}

/*  Checks the actor against the action's roles and the case's place.
    Returns 0, or -1 with the refusal in reply. */
static int
s_check_actor (cases_t *self, const s_action_t *action, const char *actor,
               const cg_case_view_t *c, cg_reply_t *reply)
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
        cg_reply_fail (reply, "invalid", "actor", "actor '%s' is not ROLE:SCOPE[:NAME] with "
                       "ROLE center, unit, citizen, admin or operator", actor);
        return -1;
    }
    if (have == CG_ACTOR_OPERATOR)
        return 0;               /* the shell's operator: the whole tree */
    const cg_org_node_t *mine = have & (CG_ACTOR_CENTER | CG_ACTOR_ADMIN)
                              ? cg_orgtree_find (self->org, scope) : NULL;
    if (have == CG_ACTOR_ADMIN && !mine) {
        cg_reply_fail (reply, "invalid", "actor", "an admin's scope '%s' is no node of the "
                       "org tree", scope);
        return -1;
    }
    /*  a case in a center's own queue is the center's to handle itself */
    bool own_queue = have == CG_ACTOR_CENTER && c->unit && c->center
                     && strcmp (c->unit, c->center) == 0;
    if (have != CG_ACTOR_ADMIN && !(action->actors & have)
        && !(own_queue && (action->actors & CG_ACTOR_UNIT))) {
        cg_reply_fail (reply, "forbidden", "actor", "a %s may not %s a case", role,
                       action->name);
        return -1;
    }
    if (have == CG_ACTOR_UNIT && (!c->unit || strcmp (c->unit, scope) != 0)) {
        cg_reply_fail (reply, "forbidden", "actor", "case %s is %s's, not %s's", c->id,
                       c->unit ? c->unit : "no unit", scope);
        return -1;
    }
    if (have == CG_ACTOR_CITIZEN) {
        /*  the citizen who reported it: the phone, masked as the case keeps it */
        char masked[32];
        cg_mask_phone (scope, masked, sizeof masked);
        if (!c->contact || strcmp (c->contact, masked) != 0) {
            cg_reply_fail (reply, "forbidden", "actor", "case %s was not reported from %s",
                           c->id, masked);
            return -1;
        }
    }
    if ((have & (CG_ACTOR_CENTER | CG_ACTOR_ADMIN)) && !s_center_covers (self, mine, c)) {
        cg_reply_fail (reply, "forbidden", "actor", "case %s belongs to center %s, "
                       "outside %s", c->id, c->center ? c->center : "-", scope);
        return -1;
    }
    return 0;
}

/*  True when the actor may see case c at all: the one rule for a case an
    action names besides its own (合并's into), which out of scope is
    answered as not found, so that a town learns nothing of another's. */
static bool
s_actor_sees (cases_t *self, const char *actor, const cg_case_view_t *c)
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
s_unit_of_center (cases_t *self, const cg_case_view_t *c, const char *code)
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
static int
s_plan_escalate (cases_t *self, s_plan_t *plan, const cg_category_t *category,
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
    s_count (plan, c->unit, "escalated");
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
s_plan (cases_t *self, const s_action_t *action, cg_case_act_t *req, cg_case_view_t *c,
        s_plan_t *plan, int64_t now, cg_reply_t *reply)
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
            cg_reply_fail (reply, "conflict", "id", "case %s is already with unit %s; "
                           "transfer it instead", c->id, c->unit);
            return -1;
        }
        const cg_org_node_t *unit = s_unit_of_center (self, c, req->unit);
        if (!unit) {
            cg_reply_fail (reply, "invalid", "unit", "'%s' is not a unit of center %s",
                           req->unit ? req->unit : "", c->center ? c->center : "-");
            return -1;
        }
        a->unit = (char *) unit->code;
        plan->unit_name = unit->name;
        plan->redispatch = true;
        if (category)
            deadlines_arm (self, category, now, a);
        if (action->id == CG_ACTION_TRANSFER && ++a->transfer_count >= 3
        &&  s_plan_escalate (self, plan, category, "transfer", now) == 0)
            a->transfer_count = 0;
        break;
    }
    case CG_ACTION_RETURN:
    case CG_ACTION_REJECT:
        if (!req->note) {
            cg_reply_fail (reply, "invalid", "note", "%s needs the reason in note", action->name);
            return -1;
        }
        break;
    case CG_ACTION_ACCEPT:
        s_count (plan, c->unit, "signed_for");
        if (now <= c->sign_by)
            s_count (plan, c->unit, "signed_on_time");
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
            cg_reply_fail (reply, "invalid", "minutes", "an extension needs the working "
                           "minutes asked for, 1 to 999999");
            return -1;
        }
        if (now >= c->done_by) {
            cg_reply_fail (reply, "conflict", "id", "case %s is past its deadline; an "
                           "extension must be asked for before it", c->id);
            return -1;
        }
        if (c->extension && strcmp (c->extension, "pending") == 0) {
            cg_reply_fail (reply, "conflict", "id", "case %s already has an extension "
                           "pending", c->id);
            return -1;
        }
        a->extension = "pending";
        a->ext_minutes = req->minutes;
        break;
    case CG_ACTION_EXTEND_APPROVE:
    case CG_ACTION_EXTEND_REFUSE:
        if (!c->extension || strcmp (c->extension, "pending") != 0) {
            cg_reply_fail (reply, "conflict", "id", "case %s has no extension pending", c->id);
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
            cg_reply_fail (reply, "invalid", "note", "resolving a case needs its result in note");
            return -1;
        }
        a->result = req->note;
        s_count (plan, c->unit, "resolved");
        if (now <= c->done_by)
            s_count (plan, c->unit, "resolved_on_time");
        break;
    case CG_ACTION_CALLBACK: {
        const cg_satisfaction_t *level = req->satisfaction
            ? cg_satisfaction_parse (req->satisfaction)
            : cg_satisfaction_find (req->satisfied ? "satisfied" : "unsatisfied");
        if (!level) {
            cg_reply_fail (reply, "invalid", "satisfaction", "satisfaction \"%s\" is not "
                           "satisfied (满意, 1), basically_satisfied (基本满意, 2) or "
                           "unsatisfied (不满意, 3)", req->satisfaction);
            return -1;
        }
        a->satisfaction = (char *) level->code;
        /*  the timeline says the rating in words, wherever it is shown */
        snprintf (plan->note_buf, sizeof plan->note_buf, "回访：%s%s%.150s", level->zh,
                  req->note ? "。" : "", req->note ? req->note : "");
        plan->note = plan->note_buf;
        s_count (plan, c->unit, "callbacks");
        s_count (plan, c->unit, level->closes ? level->code : "redone");
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
            s_plan_escalate (self, plan, category, "redo", now);
        break;
    }
    case CG_ACTION_CLOSE:
        a->closed_at = now;
        break;
    case CG_ACTION_REOPEN:
        if (now > cg_case_reopen_until (c->closed_at, self->reopen_days)) {
            cg_reply_fail (reply, "conflict", "id", "case %s was closed more than %d days ago "
                           "and can no longer be reopened", c->id, self->reopen_days);
            return -1;
        }
        plan->redispatch = true;
        a->satisfaction = NULL;
        if (category)
            deadlines_arm (self, category, now, a);
        break;
    case CG_ACTION_MERGE: {
        cg_case_view_t into = { 0 };
        int rc = req->into && strcmp (req->into, c->id) ? cases_load (self, req->into, &into,
                                                                      false) : 1;
        bool seen = rc == 0 && s_actor_sees (self, req->actor, &into);
        bool open = seen && cg_case_state_is (into.state, CG_CASE_OPEN);
        snprintf (plan->linked_state, sizeof plan->linked_state, "%s", open ? into.state : "");
        cg_msg_clear (&cg_case_view_def, &into);
        if (rc != -1 && !seen && req->into && strcmp (req->into, c->id)) {
            cg_reply_fail (reply, "not_found", "into", "there is no case %s", req->into);
            return -1;
        }
        if (!open) {
            cg_reply_fail (reply, "invalid", "into", "'%s' is not another open case",
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
            cg_reply_fail (reply, "invalid", "note", "a note needs its text in note");
            return -1;
        }
        a->state = c->state;
        break;
    case CG_ACTION_ESCALATE:
        if (s_plan_escalate (self, plan, category, "operator", now)) {
            cg_reply_fail (reply, "conflict", "id", "case %s is at the top level already",
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

/* --- applying ------------------------------------------------------------- */

static void
s_add_field_str (cg_args_t *args, int *n, const char *key, const char *value)
{
    cg_args_add_str (args, key);
    cg_args_add_str (args, value ? value : "");
    (*n)++;
}

static void
s_add_field_int (cg_args_t *args, int *n, const char *key, int64_t value)
{
    cg_args_add_str (args, key);
    if (value)
        cg_args_add_int (args, value);
    else
        cg_args_add_str (args, "");
    (*n)++;
}

/*  The fields a change may touch; the others never change after routing. */
static void
s_add_fields (cg_args_t *args, const cg_case_view_t *a)
{
    cg_args_t fields;
    cg_args_init (&fields);
    int n = 0;
    s_add_field_str (&fields, &n, "level", a->level);
    s_add_field_str (&fields, &n, "center", a->center);
    s_add_field_str (&fields, &n, "unit", a->unit);
    s_add_field_str (&fields, &n, "result", a->result);
    s_add_field_str (&fields, &n, "extension", a->extension);
    s_add_field_str (&fields, &n, "satisfaction", a->satisfaction);
    s_add_field_str (&fields, &n, "suspended_from", a->suspended_from);
    s_add_field_str (&fields, &n, "merged_into", a->merged_into);
    s_add_field_int (&fields, &n, "sign_by", a->sign_by);
    s_add_field_int (&fields, &n, "sign_warn", a->sign_warn);
    s_add_field_int (&fields, &n, "done_by", a->done_by);
    s_add_field_int (&fields, &n, "done_warn", a->done_warn);
    s_add_field_int (&fields, &n, "alerts", a->alerts);
    s_add_field_int (&fields, &n, "escalate_at", a->escalate_at);
    s_add_field_int (&fields, &n, "supervised", a->supervised);
    s_add_field_int (&fields, &n, "redo_count", a->redo_count);
    s_add_field_int (&fields, &n, "transfer_count", a->transfer_count);
    s_add_field_int (&fields, &n, "escalations", a->escalations);
    s_add_field_int (&fields, &n, "ext_minutes", a->ext_minutes);
    s_add_field_int (&fields, &n, "suspended_at", a->suspended_at);
    s_add_field_int (&fields, &n, "closed_at", a->closed_at);
    s_add_field_int (&fields, &n, "supporters", a->supporters);
    s_add_field_int (&fields, &n, "updated", a->updated);
    cg_args_add_int (args, n);
    for (int i = 0; i < fields.argc; i++)
        cg_args_add (args, fields.argv[i], fields.lens[i]);
    cg_args_free (&fields);
}

/*  The events of a change, in journal order: topic, body, topic, body. */
static void
s_add_events (cg_args_t *args, const s_plan_t *plan, const cg_case_view_t *before,
              int64_t now)
{
    const cg_case_view_t *a = &plan->after;
    if (plan->escalate_reason) {
        cg_case_escalated_t up = { .id = a->id, .from_level = (char *) plan->from_level,
                                   .to_level = a->level, .from_center = (char *) plan->from_center,
                                   .to_center = a->center, .reason = (char *) plan->escalate_reason,
                                   .actor = (char *) plan->actor, .at = now };
        cg_args_add_str (args, "case.escalated");
        cg_args_add_msg (args, &cg_case_escalated_def, &up);
    }
    if (plan->redispatch) {
        cg_case_dispatched_t d = {
            .id = a->id, .category = a->category ? a->category : "-",
            .level = a->level ? a->level : "-", .center = a->center, .unit = a->unit,
            .unit_name = (char *) plan->unit_name, .sign_by = a->sign_by,
            .done_by = a->done_by, .at = now, .action = (char *) plan->action,
            .from = before->state, .actor = (char *) plan->actor, .note = (char *) plan->note,
            .urgent = a->urgent };
        cg_args_add_str (args, "case.dispatched");
        cg_args_add_msg (args, &cg_case_dispatched_def, &d);
    }
    if (!plan->redispatch && !plan->escalate_reason && plan->topic) {
        cg_case_changed_t ch = { .id = a->id, .from = before->state, .to = a->state,
                                 .actor = (char *) plan->actor, .note = (char *) plan->note,
                                 .at = now, .action = (char *) plan->action,
                                 .center = a->center, .unit = a->unit, .done_by = a->done_by };
        cg_args_add_str (args, plan->topic);
        cg_args_add_msg (args, &cg_case_changed_def, &ch);
    }
}

/*  An alert (预警 or 超期) as its own event. */
static void
s_add_alert (cg_args_t *args, const cg_case_view_t *c, const char *topic, const char *limit,
             int64_t deadline, int64_t now)
{
    cg_case_alert_t alert = { .id = c->id, .limit = (char *) limit,
                              .level = c->level ? c->level : "-",
                              .center = c->center ? c->center : "-",
                              .unit = c->unit ? c->unit : "-", .deadline = deadline, .at = now };
    cg_args_add_str (args, topic);
    cg_args_add_msg (args, &cg_case_alert_def, &alert);
}

/*  Runs case_move for a planned change and publishes what it journaled.
    alert_topic, when set, makes the events one alert instead.  Returns the
    script's reply (the caller frees it) or NULL. */
static redisReply *
s_apply (cases_t *self, const char *rid, const char *claim, const cg_case_view_t *before,
         s_plan_t *plan, int64_t now, const char *alert_topic, const char *alert_limit,
         int64_t alert_deadline)
{
    const cg_case_view_t *a = &plan->after;
    cg_case_step_t step = { .at = now, .actor = (char *) plan->actor, .from = before->state,
                            .to = a->state, .note = (char *) plan->note,
                            .act = (char *) (plan->act ? plan->act : plan->action) };
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, S_PREFIX);
    cg_args_add_str (&args, rid ? rid : "");
    cg_args_add_str (&args, a->id);
    cg_args_add_int (&args, before->ver);
    cg_args_add_str (&args, claim ? claim : "");
    cg_args_add_str (&args, a->state);
    bool running = strcmp (a->state, "dispatched") == 0 || strcmp (a->state, "accepted") == 0;
    cg_args_add_int (&args, strcmp (a->state, "dispatched") == 0 ? a->sign_by
                            : running ? a->done_by : now);
    cg_args_add_msg (&args, &cg_case_step_def, &step);
    cg_args_add_str (&args, plan->cursor_key ? plan->cursor_key : "");
    cg_args_add_int (&args, plan->cursor_from);
    cg_args_add_int (&args, plan->cursor_to);
    cg_args_add_str (&args, plan->linked ? plan->linked : "");
    if (plan->linked) {
        cg_case_step_t joined = { .at = now, .actor = (char *) plan->actor,
                                  .from = plan->linked_state, .to = plan->linked_state,
                                  .note = plan->linked_note };
        cg_args_add_msg (&args, &cg_case_step_def, &joined);
    }
    else
        cg_args_add_str (&args, "");
    s_add_fields (&args, a);
    cg_args_add_int (&args, deadlines_next_due (a));
    cg_args_t events;
    cg_args_init (&events);
    if (alert_topic)
        s_add_alert (&events, a, alert_topic, alert_limit, alert_deadline, now);
    else
        s_add_events (&events, plan, before, now);
    cg_args_add_int (&args, events.argc / 2);
    int first_event = args.argc;
    for (int i = 0; i < events.argc; i++)
        cg_args_add (&args, events.argv[i], events.lens[i]);
    cg_args_free (&events);
    if (plan->redispatch)
        s_count (plan, a->unit, "redispatched");
    cg_args_add_int (&args, plan->ncounts);
    for (int i = 0; i < plan->ncounts; i++)
        stats_count (&args, now, plan->counts[i].unit, a->category, plan->counts[i].metric);
    redisReply *r = cg_redis_script (self->daemon->redis, "case_move", 0, &args);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1
    &&  strcmp (cg_reply_str (r->element[0]), "ok") == 0)
        for (size_t k = 1; k < r->elements; k++) {
            int at = first_event + (int) (k - 1) * 2;
            cg_pub_send (self->daemon->pub, "dispatch", r->element[k]->integer,
                         args.argv[at], args.argv[at + 1], args.lens[at + 1]);
        }
    cg_args_free (&args);
    return r;
}

/* --- commands ------------------------------------------------------------- */

typedef struct {
    cases_t *cases;
    const s_action_t *action;
} s_handler_t;

static s_handler_t s_handlers[S_NACTIONS];

static void
s_on_command (void *request, cg_reply_t *reply, void *arg)
{
    s_handler_t *handler = arg;
    cases_t *self = handler->cases;
    const s_action_t *action = handler->action;
    cg_case_act_t *req = request;
    cg_case_view_t view;
    int rc = cases_load (self, req->id, &view, false);
    if (rc) {
        if (rc == 1)
            cg_reply_fail (reply, "not_found", "id", "there is no case %s", req->id);
        else
            cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
        return;
    }
    /*  a note pasted from Word keeps no character XML forbids: Open311
        shows the timeline (cg_text_clean) */
    char *clean = cg_text_clean (req->note);
    if (clean) {
        free (req->note);
        req->note = clean;
    }
    char allowed[256];
    int64_t now = cg_clock_now ();
    s_plan_t plan = { .actor = req->actor, .note = req->note ? req->note : action->zh };
    redisReply *r = NULL;
    if (!s_in (view.state, s_from (action))) {
        s_allowed (view.state, allowed, sizeof allowed);
        cg_reply_fail (reply, "conflict", "id", "case %s is %s; %s is not allowed from there "
                       "(allowed: %s)", req->id, view.state, action->name, allowed);
    }
    else
    if (s_check_actor (self, action, req->actor, &view, reply) == 0
    &&  s_plan (self, action, req, &view, &plan, now, reply) == 0) {
        r = s_apply (self, req->rid, NULL, &view, &plan, now, NULL, NULL, 0);
        const char *status = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1
                           ? cg_reply_str (r->element[0]) : NULL;
        cg_case_view_t after;
        if (!status)
            cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
        else
        if (strcmp (status, "state") == 0)
            cg_reply_fail (reply, "conflict", "id", "case %s changed meanwhile (now %s); "
                           "look again and retry", req->id, cg_reply_str (r->element[1]));
        else
        if (strcmp (status, "missing") == 0)
            cg_reply_fail (reply, "not_found", "id", "there is no case %s", req->id);
        else
        if (cases_load (self, req->id, &after, true) == 0)
            cg_reply_ok (reply, &cg_case_view_def, &after);
        else
            cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
        if (status)
            cg_msg_clear (&cg_case_view_def, &after);
    }
    if (r)
        freeReplyObject (r);
    cg_msg_clear (&cg_case_view_def, &view);
}

void
machine_register (cases_t *cases, cg_server_t *server)
{
    for (size_t i = 0; i < S_NACTIONS; i++) {
        char command[48];
        snprintf (command, sizeof command, "case.%s", s_actions[i].name);
        s_handlers[i] = (s_handler_t) { cases, &s_actions[i] };
        cg_server_on (server, command, &cg_case_act_def, s_on_command, &s_handlers[i]);
    }
}

/* --- intake's events ------------------------------------------------------ */

/*  Plans what case.merged (m) or case.withdrawn (w) does to the case c.
    撤单 (the source withdrew it) is no command, only intake's event, so
    the table of actions does not hold it: an open case that only its
    source stands behind is cancelled; one that others support, or that is
    no longer open, keeps its state and the timeline says so. */
static void
s_plan_intake (const cg_case_merged_t *m, const cg_case_withdrawn_t *w,
               const cg_case_view_t *c, s_plan_t *plan)
{
    cg_case_view_t *a = &plan->after;
    if (m) {
        /*  合并: another request joined; the timeline says who and how many */
        a->supporters = m->supporters;
        snprintf (plan->note_buf, sizeof plan->note_buf, "合并：%s%s%s%s%s 反映同一问题，并入本件，"
                  "共 %lld 件诉求%s", cg_source_zh (m->source), m->ext_ref ? " " : "",
                  m->ext_ref ? m->ext_ref : "", m->contact ? "，来电 " : "",
                  m->contact ? m->contact : "", (long long) m->supporters,
                  m->known_caller ? "（此前来电反映过）" : "");
        return;
    }
    snprintf (plan->actor_buf, sizeof plan->actor_buf, "%s", w->source);
    plan->actor = plan->actor_buf;
    bool own = c->source && strcmp (c->source, w->source) == 0;
    if (own && c->supporters <= 1 && cg_case_state_is (c->state, CG_CASE_OPEN)) {
        a->state = "cancelled";
        plan->topic = "case.cancelled";
        plan->action = "withdraw";
        snprintf (plan->note_buf, sizeof plan->note_buf, "撤单：%s 撤回诉求%s%s",
                  cg_source_zh (w->source), w->reason ? "：" : "", w->reason ? w->reason : "");
    }
    else
        snprintf (plan->note_buf, sizeof plan->note_buf, "%s 撤回其诉求%s%s；本件仍为%s%s",
                  cg_source_zh (w->source), w->reason ? "：" : "", w->reason ? w->reason : "",
                  cg_case_state_zh (c->state), own && c->supporters > 1 ? "，另有诉求人支持" : "");
}

int
machine_on_intake (cases_t *self, const cg_event_t *e, int64_t cursor)
{
    cg_case_merged_t merged;
    cg_case_withdrawn_t withdrawn;
    cg_case_merged_t *m = NULL;
    cg_case_withdrawn_t *w = NULL;
    cg_error_t err;
    if (strcmp (e->topic, "case.merged") == 0) {
        if (cg_msg_decode (&cg_case_merged_def, e->body, e->size, &merged, &err) == 0)
            m = &merged;
    }
    else
    if (cg_msg_decode (&cg_case_withdrawn_def, e->body, e->size, &withdrawn, &err) == 0)
        w = &withdrawn;
    const char *id = m ? m->id : w ? w->id : NULL;
    if (!id)
        zsys_warning ("dispatch: dropped intake #%lld (%s): %s: %s", (long long) e->seq,
                      e->topic, err.field, err.message);
    /*  a case that changed between reading and writing is read again */
    int result = -1;
    for (int attempt = 0; attempt < 5; attempt++) {
        cg_case_view_t view;
        int rc = id ? cases_load (self, id, &view, false) : 1;
        if (rc < 0)
            break;
        if (rc == 1) {
            /*  no such case (or no id): the event only moves the cursor */
            memset (&view, 0, sizeof view);
            view.id = id ? (char *) id : "-";
            view.state = "missing";
        }
        int64_t now = cg_clock_now ();
        s_plan_t plan = { .actor = "intake", .cursor_key = self->cursor_key,
                          .cursor_from = cursor, .cursor_to = e->seq };
        plan.note = plan.note_buf;
        plan.after = view;
        plan.after.updated = now;
        if (rc == 0)
            s_plan_intake (m, w, &view, &plan);
        redisReply *r = s_apply (self, NULL, NULL, &view, &plan, now, NULL, NULL, 0);
        const char *status = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1
                           ? cg_reply_str (r->element[0]) : "";
        result = strcmp (status, "ok") == 0 || strcmp (status, "missing") == 0 ? 0
               : strcmp (status, "moved") == 0 ? 1
               : strcmp (status, "state") == 0 ? 2 : -1;
        if (r)
            freeReplyObject (r);
        if (rc == 0)
            cg_msg_clear (&cg_case_view_def, &view);
        if (result != 2)
            break;
        result = -1;
    }
    if (m)
        cg_msg_clear (&cg_case_merged_def, m);
    if (w)
        cg_msg_clear (&cg_case_withdrawn_def, w);
    return result;
}

/* --- timers --------------------------------------------------------------- */

/*  Fires the first timer of the case whose entry in the timers is member
    (its id; "<id>|<kind>" in a store kept by an older dispatch, which had
    an entry for each timer).  Returns true when it fired or removed an
    entry that no case needs; false when the case's first timer is not due
    yet (its entry changed after it was read) or Redis did not answer. */
static bool
s_fire (cases_t *self, const char *member, int64_t now)
{
    char id[64];
    cg_case_view_t view = { 0 };
    int rc = sscanf (member, "%63[^|]", id) == 1 ? cases_load (self, id, &view, false) : 1;
    deadline_timer_t timer;
    bool due = rc == 0 && deadlines_next_timer (&view, &timer) && timer.due <= now;
    if (rc == 1 || (rc == 0 && !due && strcmp (member, id) != 0)) {
        /*  a timer of no case (or not a timer), or an older dispatch's
            entry for a timer already past: nothing to fire */
        redisReply *r = cg_redis_command (self->daemon->redis, "ZREM " S_PREFIX "timers %s",
                                          member);
        if (r)
            freeReplyObject (r);
        cg_msg_clear (&cg_case_view_def, &view);
        return true;
    }
    if (!due) {
        cg_msg_clear (&cg_case_view_def, &view);
        return false;
    }
    const char *kind = timer.kind;
    s_plan_t plan = { .actor = "system" };
    plan.after = view;
    plan.after.updated = now;
    const cg_category_t *category = view.category ? cg_catalog_find (self->catalog, view.category)
                                                  : NULL;
    const char *topic = NULL, *limit = NULL;
    int64_t deadline = 0;
    bool sign = strncmp (kind, "sign", 4) == 0;
    if (strcmp (kind + 4, "_warn") == 0) {
        plan.after.alerts |= sign ? CG_ALERT_SIGN_WARN : CG_ALERT_DONE_WARN;
        topic = "case.warning";
        plan.act = "warning";
        plan.note = sign ? "预警：签收时限已过 80%" : "预警：办结时限已过 80%";
    }
    else
    if (strcmp (kind + 4, "_over") == 0) {
        plan.after.alerts |= sign ? CG_ALERT_SIGN_OVER : CG_ALERT_DONE_OVER;
        plan.after.supervised = true;       /* 督办 */
        if (!view.escalate_at)
            plan.after.escalate_at = cg_calendar_add_minutes (self->calendar, now,
                                                              self->grace_min);
        topic = "case.overdue";
        plan.act = "overdue";
        plan.note = sign ? "超期督办：已超过签收时限" : "超期督办：已超过办结时限";
    }
    if (topic) {
        limit = sign ? "sign" : "done";
        deadline = sign ? view.sign_by : view.done_by;
    }
    else {
        plan.after.escalate_at = 0;
        plan.act = "escalate";
        if (s_plan_escalate (self, &plan, category, "overdue", now) == 0)
            snprintf (plan.note_buf, sizeof plan.note_buf, "提级：超期已过宽限，改由%s办理",
                      plan.unit_name);
        else
            snprintf (plan.note_buf, sizeof plan.note_buf, "超期已过宽限，已在最高层级，继续督办");
        plan.note = plan.note_buf;
    }
    redisReply *r = s_apply (self, NULL, member, &view, &plan, now, topic, limit, deadline);
    bool answered = r && r->type == REDIS_REPLY_ARRAY;
    if (r)
        freeReplyObject (r);
    cg_msg_clear (&cg_case_view_def, &view);
    return answered;
}

int
machine_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    cases_t *self = arg;
    int64_t now = cg_clock_now ();
    cases_check_calendar (self, now);
    /*  a case whose next timer is due as well comes round again, until a
        batch fires nothing */
    size_t fired = 0, handled = 1;
    while (handled > 0 && fired < S_TIMERS_TICK) {
        redisReply *due = cg_redis_command (self->daemon->redis, "ZRANGEBYSCORE " S_PREFIX
                                            "timers -inf %lld LIMIT 0 %d", (long long) now,
                                            S_TIMERS_BATCH);
        size_t read = due && due->type == REDIS_REPLY_ARRAY ? due->elements : 0;
        handled = 0;
        for (size_t i = 0; i < read; i++)
            handled += s_fire (self, due->element[i]->str, now);
        fired += handled;
        if (due)
            freeReplyObject (due);
    }
    return 0;
}

int
machine_follow_intake (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    cases_t *self = arg;
    /*  New cases go in batches; a case.merged or case.withdrawn is one call
        of its own, in journal order, so that a case is there before what
        follows it happens to it.  Each call moves the cursor; when one
        fails after others went through, the feed reloads the cursor. */
    bool progressed = false;
    size_t from = 0;
    for (size_t i = 0; i <= n; i++) {
        bool own = i < n && (strcmp (events[i].topic, "case.merged") == 0
                             || strcmp (events[i].topic, "case.withdrawn") == 0);
        if (i < n && !own)
            continue;
        int rc = i > from ? cases_route (self, events + from, i - from, cursor) : 0;
        if (rc == 0 && i > from) {
            cursor = events[i - 1].seq;
            progressed = true;
        }
        if (rc == 0 && i < n) {
            rc = machine_on_intake (self, &events[i], cursor);
            cursor = events[i].seq;
        }
        if (rc)
            return progressed ? 1 : rc;
        progressed |= i < n;
        from = i + 1;
    }
    return 0;
}
