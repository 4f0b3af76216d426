/*  msg_dispatch — the case.  Part of the one message table; see
    cg_messages.h for how a definition reads. */
#ifndef CG_MSG_DISPATCH_H_INCLUDED
#define CG_MSG_DISPATCH_H_INCLUDED

/*  The alerts a case has raised, as bits of case.view's `alerts` (kept so
    in the case's hash): each timer fires once, and a raised alert is not
    raised again until new limits are set. */
#define CG_ALERT_SIGN_WARN      (1 << 0)    /* 80% of the sign-for limit (预警) */
#define CG_ALERT_SIGN_OVER      (1 << 1)    /* the sign-for limit passed (超期) */
#define CG_ALERT_DONE_WARN      (1 << 2)    /* 80% of the completion limit */
#define CG_ALERT_DONE_OVER      (1 << 3)    /* the completion limit passed */
#define CG_ALERT_PAST_CALENDAR  (1 << 4)    /* a deadline runs past the end of the
                                               working calendar, where every weekday
                                               counts: it may fall on a holiday */
#define CG_ALERT_ALL            31

#define CG_FIELDS_case_dispatched(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, category, 1, 1, CG_CODE_MAX, _, "category code") \
    F(M, STR, level, 1, 1, 16, _, "handling level: town, county, city") \
    F(M, STR, center, 1, 1, CG_CODE_MAX, _, "the command center that owns it") \
    F(M, STR, unit, 1, 1, CG_CODE_MAX, _, "the unit it went to, or the center itself (its own queue)") \
    F(M, STR, unit_name, 0, 1, CG_NAME_MAX, _, "the unit's name") \
    F(M, STR, summary, 0, 1, 256, _, "the start of the request's text") \
    F(M, INT, sign_by, 1, 0, CG_TIME_MAX, _, "deadline to sign for it") \
    F(M, INT, done_by, 1, 0, CG_TIME_MAX, _, "deadline to complete it") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when it was dispatched") \
    F(M, STR, action, 0, 1, 16, _, "what put it there: route (intake), dispatch, transfer, return_approve, redo, reopen, escalate") \
    F(M, STR, from, 0, 1, 16, _, "state before") \
    F(M, STR, actor, 0, 1, 64, _, "who did it (absent for routing)") \
    F(M, STR, note, 0, 1, CG_TEXT_MAX, _, "why") \
    F(M, BOOL, urgent, 0, 0, 1, _, "urgent (紧急): a device alarm, an urgent category, or the hotline said so")

#define CG_FIELDS_case_changed(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, from, 1, 1, 16, _, "state before") \
    F(M, STR, to, 1, 1, 16, _, "state after") \
    F(M, STR, actor, 1, 1, 64, _, "who did it") \
    F(M, STR, note, 0, 1, CG_TEXT_MAX, _, "why, or the result") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when") \
    F(M, STR, action, 0, 1, 24, _, "the command's action: accept, return, extend, suspend, ...") \
    F(M, STR, center, 0, 1, CG_CODE_MAX, _, "the owning center after the change") \
    F(M, STR, unit, 0, 1, CG_CODE_MAX, _, "the responsible unit after the change") \
    F(M, INT, done_by, 0, 0, CG_TIME_MAX, _, "the completion deadline after the change")

#define CG_FIELDS_case_act(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, actor, 1, 1, 64, _, "who acts: ROLE:SCOPE[:NAME], e.g. center:320602001:王, unit:320602001-police, citizen:138..., operator:NAME (docs/DISPATCH.md)") \
    F(M, STR, note, 0, 1, CG_TEXT_MAX, _, "the result (resolve) or the reason") \
    F(M, STR, unit, 0, 1, CG_CODE_MAX, _, "dispatch, transfer, return_approve: the unit (or the center itself)") \
    F(M, INT, minutes, 0, 0, 999999, _, "extend: working minutes asked for") \
    F(M, BOOL, satisfied, 0, 0, 1, _, "callback, when satisfaction is absent: true is satisfied, false unsatisfied") \
    F(M, STR, satisfaction, 0, 1, 32, _, "callback: the citizen's rating, satisfied (满意), basically_satisfied (基本满意) or unsatisfied (不满意), or 1, 2, 3 (common/cg_satisfaction.h); the first two close the case, unsatisfied has it redone") \
    F(M, STR, into, 0, 1, 32, _, "merge: the case this one joins")

#define CG_FIELDS_case_get(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, 32, _, "case id")

#define CG_FIELDS_case_step(F, M) \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when") \
    F(M, STR, actor, 1, 1, 64, _, "who") \
    F(M, STR, from, 0, 1, 16, _, "state before") \
    F(M, STR, to, 1, 1, 16, _, "state after") \
    F(M, STR, note, 0, 1, CG_TEXT_MAX, _, "why, or the result") \
    F(M, STR, act, 0, 1, 32, _, "the act: an action of proto/cg_case_actions.h, redo, withdraw, or the timers' warning, overdue, escalate; absent on the first two steps and on steps written before it was recorded")

#define CG_FIELDS_case_view(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, state, 1, 1, 16, _, "received, dispatched, accepted, returned, suspended, resolved, closed, merged, rejected, cancelled") \
    F(M, STR, source, 0, 1, 16, _, "channel") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the source's reference") \
    F(M, STR, category, 0, 1, CG_CODE_MAX, _, "category code") \
    F(M, STR, text, 0, 1, CG_TEXT_MAX, _, "the request") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "grid code") \
    F(M, STR, address, 0, 1, 256, _, "address") \
    F(M, STR, contact, 0, 1, 32, _, "reporter's phone, masked") \
    F(M, STR, level, 0, 1, 16, _, "handling level") \
    F(M, STR, center, 0, 1, CG_CODE_MAX, _, "owning center") \
    F(M, STR, unit, 0, 1, CG_CODE_MAX, _, "responsible unit") \
    F(M, INT, sign_by, 0, 0, CG_TIME_MAX, _, "sign-for deadline") \
    F(M, INT, done_by, 0, 0, CG_TIME_MAX, _, "completion deadline") \
    F(M, STR, result, 0, 1, CG_TEXT_MAX, _, "the result, once resolved") \
    F(M, INT, created, 0, 0, CG_TIME_MAX, _, "when it was received") \
    F(M, INT, updated, 0, 0, CG_TIME_MAX, _, "last change") \
    F(M, INT, ver, 0, 0, INT64_MAX, _, "changes so far (compare-and-set)") \
    F(M, INT, sign_warn, 0, 0, CG_TIME_MAX, _, "when the sign-for warning is due (80%)") \
    F(M, INT, done_warn, 0, 0, CG_TIME_MAX, _, "when the completion warning is due (80%)") \
    F(M, INT, alerts, 0, 0, CG_ALERT_ALL, _, "alerts raised (CG_ALERT_*): 1 sign warning, 2 sign overdue, 4 done warning, 8 done overdue, 16 a deadline past the end of the working calendar") \
    F(M, INT, escalate_at, 0, 0, CG_TIME_MAX, _, "when an overdue case escalates (提级)") \
    F(M, BOOL, supervised, 0, 0, 1, _, "under supervision (督办)") \
    F(M, BOOL, unplaced, 0, 0, 1, _, "intake could not place it: it waits in its center's triage queue") \
    F(M, INT, redo_count, 0, 0, INT32_MAX, _, "redone after unsatisfied callbacks (发回重办)") \
    F(M, INT, transfer_count, 0, 0, INT32_MAX, _, "transfers between units") \
    F(M, INT, escalations, 0, 0, INT32_MAX, _, "levels it went up") \
    F(M, STR, extension, 0, 1, 16, _, "extension (延期): pending, granted, refused") \
    F(M, INT, ext_minutes, 0, 0, 999999, _, "working minutes of the extension asked for") \
    F(M, STR, satisfaction, 0, 1, 32, _, "callback (回访): satisfied, basically_satisfied, unsatisfied") \
    F(M, STR, suspended_from, 0, 1, 16, _, "the state a suspended case resumes to") \
    F(M, INT, suspended_at, 0, 0, CG_TIME_MAX, _, "when it was suspended (挂起)") \
    F(M, STR, merged_into, 0, 1, 32, _, "the case it was merged into (合并)") \
    F(M, INT, closed_at, 0, 0, CG_TIME_MAX, _, "when it was closed (归档), for reopening") \
    F(M, BOOL, urgent, 0, 0, 1, _, "urgent (紧急): limits no longer than dispatch/urgent_sign_min and urgent_done_min") \
    F(M, INT, due, 0, 0, CG_TIME_MAX, _, "the source's own deadline (the hotline's time limit); done_by is never later while it lies ahead") \
    F(M, INT, supporters, 0, 0, INT32_MAX, _, "requests behind the case (me too), once another joined it (intake's case.merged)") \
    F(M, STR, lat, 0, 1, CG_COORD_MAX, _, "latitude (WGS-84) when the source gave a point; else the centre of its grid's boundary, when surveyed") \
    F(M, STR, lon, 0, 1, CG_COORD_MAX, _, "longitude") \
    F(M, STR, media_url, 0, 1, CG_URL_MAX, _, "the first attachment or photo URL the source gave (Open311's media_url)") \
    F(M, LIST, steps, 0, 0, 1000, case_step, "the timeline, oldest first (case.show only)")

#define CG_FIELDS_case_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, state, 0, 1, 16, _, "only cases in this state") \
    F(M, STR, center, 0, 1, CG_CODE_MAX, _, "only cases of this center") \
    F(M, STR, unit, 0, 1, CG_CODE_MAX, _, "only cases of this unit (instead of center)") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "where to go on: the `next` of the page before (absent: the first page)") \
    F(M, INT, limit, 0, 0, CG_CASE_PAGE_MAX, _, "at most this many (default 50; case.views: at most CG_CASE_VIEWS_MAX, 25)") \
    F(M, BOOL, newest, 0, 0, 1, _, "the queue's order reversed: for state all, the newest first")

#define CG_FIELDS_case_item(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, state, 1, 1, 16, _, "its state") \
    F(M, STR, source, 0, 1, 16, _, "channel") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the source's reference") \
    F(M, STR, category, 0, 1, CG_CODE_MAX, _, "category code") \
    F(M, STR, summary, 0, 1, CG_LIST_TEXT, _, "the start of the request's text, cut at a character (the whole: case.show)") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "grid code") \
    F(M, STR, address, 0, 1, 256, _, "address") \
    F(M, STR, level, 0, 1, 16, _, "handling level") \
    F(M, STR, center, 0, 1, CG_CODE_MAX, _, "owning center") \
    F(M, STR, unit, 0, 1, CG_CODE_MAX, _, "responsible unit") \
    F(M, INT, sign_by, 0, 0, CG_TIME_MAX, _, "sign-for deadline") \
    F(M, INT, done_by, 0, 0, CG_TIME_MAX, _, "completion deadline") \
    F(M, INT, created, 0, 0, CG_TIME_MAX, _, "when it was received") \
    F(M, INT, updated, 0, 0, CG_TIME_MAX, _, "last change") \
    F(M, INT, sign_warn, 0, 0, CG_TIME_MAX, _, "when the sign-for warning is due (80% of the limit in working time)") \
    F(M, INT, done_warn, 0, 0, CG_TIME_MAX, _, "when the completion warning is due (80%, working time)") \
    F(M, INT, alerts, 0, 0, 15, _, "alerts raised: 1 sign warning, 2 sign overdue, 4 done warning, 8 done overdue") \
    F(M, BOOL, supervised, 0, 0, 1, _, "under supervision (督办)") \
    F(M, BOOL, urgent, 0, 0, 1, _, "urgent (紧急)") \
    F(M, BOOL, unplaced, 0, 0, 1, _, "waits in its center's triage queue") \
    F(M, STR, extension, 0, 1, 16, _, "extension (延期): pending, granted, refused") \
    F(M, STR, lat, 0, 1, CG_COORD_MAX, _, "latitude (WGS-84): the source's point, else its grid's centre when surveyed (the map)") \
    F(M, STR, lon, 0, 1, CG_COORD_MAX, _, "longitude") \
    F(M, INT, pos, 0, INT64_MIN, INT64_MAX, _, "its place in the list (the queue's score: a deadline or a time)")

#define CG_FIELDS_case_page(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "how many are in the list") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, cases, 0, 0, CG_CASE_PAGE_MAX, case_item, "this page, in the queue's order (by deadline)")

#define CG_FIELDS_case_views(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "how many are in the list") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, cases, 0, 0, CG_CASE_VIEWS_MAX, case_view, "this page of whole cases, without their timelines")

#define CG_FIELDS_case_alert(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, limit, 1, 1, 16, _, "which deadline: sign (签收) or done (办结)") \
    F(M, STR, level, 1, 1, 16, _, "handling level now") \
    F(M, STR, center, 1, 1, CG_CODE_MAX, _, "the owning center") \
    F(M, STR, unit, 1, 1, CG_CODE_MAX, _, "the responsible unit") \
    F(M, INT, deadline, 1, 0, CG_TIME_MAX, _, "the deadline in question") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when it was raised")

#define CG_FIELDS_case_escalated(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, from_level, 1, 1, 16, _, "level before: town, county") \
    F(M, STR, to_level, 1, 1, 16, _, "level after: county, city") \
    F(M, STR, from_center, 1, 1, CG_CODE_MAX, _, "center before") \
    F(M, STR, to_center, 1, 1, CG_CODE_MAX, _, "center after (the parent)") \
    F(M, STR, reason, 1, 1, 32, _, "overdue, redo, transfer, severity, operator") \
    F(M, STR, actor, 0, 1, 64, _, "who decided it (for operator)") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_hotspot_detected(F, M) \
    F(M, STR, id, 1, 1, 64, _, "hot spot id: category, community and window, stable for the window") \
    F(M, STR, category, 1, 1, CG_CODE_MAX, _, "category code") \
    F(M, STR, community, 1, 1, CG_CODE_MAX, _, "the community (or village) code") \
    F(M, INT, count, 1, 1, INT32_MAX, _, "cases in the window") \
    F(M, STRS, cases, 1, 1, 1000, _, "the case ids behind it") \
    F(M, INT, window_from, 1, 0, CG_TIME_MAX, _, "start of the window") \
    F(M, INT, window_to, 1, 0, CG_TIME_MAX, _, "end of the window") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when it was raised")

#define CG_STATS_METRICS(F, M) \
    F(M, INT, received, 0, 0, INT64_MAX, _, "cases received (受理)") \
    F(M, INT, dispatched, 0, 0, INT64_MAX, _, "times a case was sent to a unit (派单, including transfers, redos, escalations)") \
    F(M, INT, signed_for, 0, 0, INT64_MAX, _, "cases signed for (签收)") \
    F(M, INT, signed_on_time, 0, 0, INT64_MAX, _, "of those, before the sign-for deadline") \
    F(M, INT, resolved, 0, 0, INT64_MAX, _, "cases resolved (办结)") \
    F(M, INT, resolved_on_time, 0, 0, INT64_MAX, _, "of those, before the completion deadline") \
    F(M, INT, callbacks, 0, 0, INT64_MAX, _, "callbacks (回访)") \
    F(M, INT, satisfied, 0, 0, INT64_MAX, _, "of those, satisfied (满意)") \
    F(M, INT, basically_satisfied, 0, 0, INT64_MAX, _, "of those, basically satisfied (基本满意); the rest are unsatisfied (不满意)") \
    F(M, INT, redone, 0, 0, INT64_MAX, _, "cases sent back to be redone (发回重办)") \
    F(M, INT, escalated, 0, 0, INT64_MAX, _, "cases that went up a level from here (提级)")

#define CG_FIELDS_stats_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, scope, 1, 1, CG_CODE_MAX, _, "a center (or any node): its whole subtree") \
    F(M, STR, from, 1, 10, 10, _, "first day, YYYY-MM-DD (China time)") \
    F(M, STR, to, 1, 10, 10, _, "last day, YYYY-MM-DD, less than 10 years after from; by day at most 366 days") \
    F(M, STR, by, 0, 1, 8, _, "the rows over time: hour (at most 7 days), day (the default), week or month; days (and their hours) are kept dispatch/stats_days (docs/DISPATCH.md), so before that a range by week or month must hold whole weeks or months")

#define CG_FIELDS_stats_row(F, M) \
    F(M, STR, by, 1, 1, 16, _, "what the row counts: total, center, unit, category, or hour, day, week or month over time") \
    F(M, STR, key, 1, 1, CG_CODE_MAX, _, "the center, unit or category code; over time the hour (YYYY-MM-DDTHH, China time), the day (YYYY-MM-DD), the week's Monday (YYYY-MM-DD) or the month (YYYY-MM), whose counts are those of its days within the range") \
    CG_STATS_METRICS (F, M)

#define CG_FIELDS_stats_report(F, M) \
    F(M, STR, scope, 1, 1, CG_CODE_MAX, _, "the subtree") \
    F(M, STR, from, 1, 1, 10, _, "first day") \
    F(M, STR, to, 1, 1, 10, _, "last day") \
    F(M, STR, by, 1, 1, 8, _, "hour, day, week or month: the rows over time") \
    F(M, LIST, rows, 0, 0, 5000, stats_row, "the total first, then by center, unit (at most 400: those with the most received) and category, then one row for each hour, day, week or month of the range (at most 168, 366, 523 or 121), in order") \
    F(M, INT, units_left_out, 0, 0, INT64_MAX, _, "units of the scope with counts beyond the 400 in the rows by unit")

#define CG_FIELDS_data_reload(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id")

#define CG_FIELDS_data_loaded(F, M) \
    F(M, INT, nodes, 1, 0, INT64_MAX, _, "org-tree nodes now in use") \
    F(M, INT, categories, 1, 0, INT64_MAX, _, "catalog categories now in use") \
    F(M, STR, calendar, 0, 1, 512, _, "the working calendar's file now in use") \
    F(M, INT, calendar_ends, 0, 0, CG_TIME_MAX, _, "where that calendar ends: past it every weekday counts as working time") \
    F(M, STR, warning, 0, 1, 512, _, "the calendar ends within 60 days (or has ended): what to do")

#define CG_MESSAGES_DISPATCH(M) \
    M(case_dispatched, "case.dispatched", "event", CG_FIELDS_case_dispatched, \
      "Dispatch routed a case to a unit (journal dispatch).") \
    M(case_changed, "case.changed", "event", CG_FIELDS_case_changed, \
      "A case changed; the bus topic names the change: case.accepted, case.returned, case.return_refused, case.extension_requested, case.extended, case.extension_refused, case.suspended, case.resumed, case.resolved, case.closed, case.merged, case.rejected, case.cancelled (撤单: the source withdrew it, intake's case.withdrawn), case.noted (补充说明: a note on the timeline, the state unchanged) (journal dispatch).") \
    M(case_act, "case.act", "command", CG_FIELDS_case_act, \
      "To dispatch, as case.<action> for each action of the state machine (docs/DISPATCH.md): an actor moves a case on.") \
    M(case_get, "case.get", "command", CG_FIELDS_case_get, \
      "To dispatch, as case.show: one case with its timeline.") \
    M(case_step, "case.step", "record", CG_FIELDS_case_step, \
      "One entry of a case's timeline.") \
    M(case_view, "case.view", "reply", CG_FIELDS_case_view, \
      "A case as operators see it.") \
    M(case_query, "case.query", "command", CG_FIELDS_case_query, \
      "To dispatch, as case.list (summaries) or case.views (whole cases): cases by state and center, by deadline, a page at a time (docs/DISPATCH.md, paging).") \
    M(case_item, "case.item", "record", CG_FIELDS_case_item, \
      "A case in a list: what a queue shows, its text cut short.") \
    M(case_page, "case.page", "reply", CG_FIELDS_case_page, \
      "A page of case summaries, and the cursor of the next.") \
    M(case_views, "case.views", "reply", CG_FIELDS_case_views, \
      "A page of whole cases, and the cursor of the next.") \
    M(case_alert, "case.alert", "event", CG_FIELDS_case_alert, \
      "A deadline is near or past; the bus topic says which: case.warning (预警, at 80% of the limit) or case.overdue (at 100%) (journal dispatch).") \
    M(case_escalated, "case.escalated", "event", CG_FIELDS_case_escalated, \
      "A case went up one level (提级) to the parent center (journal dispatch).") \
    M(stats_query, "stats.query", "command", CG_FIELDS_stats_query, \
      "To dispatch, as case.stats: statistics of a subtree over a range of days, by day, week or month; served off dispatch's command loop.") \
    M(stats_row, "stats.row", "record", CG_FIELDS_stats_row, \
      "Counts of one center, unit, category, day, week or month (or the total).") \
    M(stats_report, "stats.report", "reply", CG_FIELDS_stats_report, \
      "The statistics of a subtree, rolled up.") \
    M(data_reload, "data.reload", "command", CG_FIELDS_data_reload, \
      "To dispatch: load the org tree, catalog and calendar files again; refused with file, line and reason when one is broken (the old ones stay).") \
    M(data_loaded, "data.loaded", "reply", CG_FIELDS_data_loaded, \
      "What a reload put in use.") \
    M(hotspot_detected, "hotspot.detected", "event", CG_FIELDS_hotspot_detected, \
      "Recurring cases of one category in one community within a window (预警预判); raised once per window (journal dispatch).")

#endif
