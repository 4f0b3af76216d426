/*  machine — the case state machine (工单状态机) and its timers.

    The actions are one table, proto/cg_case_actions.h (which the gateway's
    routes and the CLI read too): for each action (a command case.<action>)
    the states it may start from, the state it leads to, the journal topic
    of the change and the actors that may ask for it.  A command is checked
    against the table and the actor and planned in C, as a function of the
    case and the rules with no Redis (plan.c: new fields, new deadlines
    from the working-time calendar, the events), then applied by
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
#include "plan.h"
#include "cg_case.h"
#include "cg_case_actions.h"
#include "cg_case_state.h"
#include "cg_clock.h"
#include "cg_text.h"
#include "cg_words.h"
#include "stats.h"

#define S_TIMERS_BATCH  100     /* due timers read at once */
#define S_TIMERS_TICK   2000    /* timers fired in one tick at most, so that
                                   commands and the bus get their turn */

/*  The actions, their states, topics and actors: proto/cg_case_actions.h,
    the one table the gateway's routes and the CLI read too. */
typedef cg_case_action_t s_action_t;
#define s_actions   cg_case_actions
#define S_NACTIONS  CG_ACTIONS_COUNT

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
s_add_events (cg_args_t *args, const plan_t *plan, const cg_case_view_t *before,
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
         plan_t *plan, int64_t now, const char *alert_topic, const char *alert_limit,
         int64_t alert_deadline)
{
    const cg_case_view_t *a = &plan->after;
    cg_case_step_t step = { .at = now, .actor = (char *) plan->actor, .from = before->state,
                            .to = a->state, .note = (char *) plan->note };
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
        plan_count (plan, a->unit, "redispatched");
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
    int64_t now = cg_clock_now ();
    plan_t plan = { .actor = req->actor, .note = req->note ? req->note : action->zh };
    redisReply *r = NULL;
    /*  合并: the case it joins, which the plan reads too */
    cg_case_view_t into = { 0 };
    int into_rc = action->id == CG_ACTION_MERGE && req->into && strcmp (req->into, req->id)
                ? cases_load (self, req->into, &into, false) : 1;
    cg_error_t err;
    if (into_rc == -1)
        cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
    else
    if (plan_command (&self->rules, action, req, &view, into_rc == 0 ? &into : NULL, &plan,
                      now, &err))
        cg_reply_fail (reply, err.code, *err.field ? err.field : NULL, "%s", err.message);
    else {
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
    /*  the plan may point into it (its linked state) until applied */
    cg_msg_clear (&cg_case_view_def, &into);
    cg_msg_clear (&cg_case_view_def, &view);
}

void
machine_register (cases_t *cases, cg_server_t *server)
{
    for (size_t i = 0; i < S_NACTIONS; i++) {
        s_handlers[i] = (s_handler_t) { cases, &s_actions[i] };
        cg_server_on (server, cg_cmddef_of_action (&s_actions[i]), s_on_command, &s_handlers[i]);
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
               const cg_case_view_t *c, plan_t *plan)
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
        plan_t plan = { .actor = "intake", .cursor_key = self->cursor_key,
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
    plan_t plan = { .actor = "system" };
    plan.after = view;
    plan.after.updated = now;
    const cg_category_t *category = view.category ? cg_catalog_find (self->rules.catalog, view.category)
                                                  : NULL;
    const char *topic = NULL, *limit = NULL;
    int64_t deadline = 0;
    bool sign = strncmp (kind, "sign", 4) == 0;
    if (strcmp (kind + 4, "_warn") == 0) {
        plan.after.alerts |= sign ? CG_ALERT_SIGN_WARN : CG_ALERT_DONE_WARN;
        topic = "case.warning";
        plan.note = sign ? "预警：签收时限已过 80%" : "预警：办结时限已过 80%";
    }
    else
    if (strcmp (kind + 4, "_over") == 0) {
        plan.after.alerts |= sign ? CG_ALERT_SIGN_OVER : CG_ALERT_DONE_OVER;
        plan.after.supervised = true;       /* 督办 */
        if (!view.escalate_at)
            plan.after.escalate_at = cg_calendar_add_minutes (self->rules.calendar, now,
                                                              self->grace_min);
        topic = "case.overdue";
        plan.note = sign ? "超期督办：已超过签收时限" : "超期督办：已超过办结时限";
    }
    if (topic) {
        limit = sign ? "sign" : "done";
        deadline = sign ? view.sign_by : view.done_by;
    }
    else {
        plan.after.escalate_at = 0;
        if (plan_escalate (&self->rules, &plan, category, "overdue", now) == 0)
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
