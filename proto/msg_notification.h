/*  msg_notification — notices.  Part of the one message table; see
    cg_messages.h for how a definition reads. */
#ifndef CG_MSG_NOTIFICATION_H_INCLUDED
#define CG_MSG_NOTIFICATION_H_INCLUDED

/*  Acknowledgements in one page (notify.ack_list): fits the frame (test_msg.c). */
#define CG_ACK_PAGE_MAX 100

#define CG_FIELDS_inbox_item(F, M) \
    F(M, STR, delivery, 1, 1, 160, _, "delivery id, unique: a receiver drops repeats by it") \
    F(M, STR, case_id, 0, 1, 32, _, "the case it is about") \
    F(M, STR, topic, 1, 1, 64, _, "the event that caused it") \
    F(M, STR, text, 1, 1, 1024, _, "the notice, zh-CN") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when it was delivered")

#define CG_FIELDS_inbox_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, unit, 1, 1, CG_CODE_MAX, _, "the unit whose inbox") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "where to go on: the `next` of the page before (absent: the newest)") \
    F(M, INT, limit, 0, 0, 150, _, "at most this many (default 50)")

#define CG_FIELDS_inbox_page(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "entries in the inbox") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, items, 0, 0, 150, inbox_item, "this page, newest first")

#define CG_FIELDS_notify_delivery(F, M) \
    F(M, STR, id, 1, 1, 160, _, "delivery id: a receiver drops repeats by it") \
    F(M, STR, chain, 1, 1, 160, _, "the first delivery of its acknowledgement chain (itself unless re-sent or passed up)") \
    F(M, STR, recipient, 1, 1, 96, _, "who: person:<id>, unit:<code>, citizen:<case>, hotline") \
    F(M, STR, name, 0, 1, CG_NAME_MAX, _, "the recipient's name") \
    F(M, STRS, routes, 1, 1, 4, _, "\"channel address\" in order of preference: webhook URL, email ADDRESS, hotline URL, inbox KEY") \
    F(M, STR, case_id, 0, 1, 64, _, "the case (or topic, fund request) it is about") \
    F(M, STR, topic, 1, 1, 64, _, "the event that caused it") \
    F(M, STR, subject, 0, 1, 256, _, "subject line (e-mail)") \
    F(M, STR, text, 1, 1, 1024, _, "the notice, in the recipient's language") \
    F(M, BOOL, urgent, 0, 0, 1, _, "urgent: ignores quiet hours and digests") \
    F(M, INT, ack_ms, 0, 0, INT32_MAX, _, "must be acknowledged within this many ms (0: no acknowledgement)") \
    F(M, INT, step, 0, 0, 16, _, "acknowledgement step: 0 first, 1 re-sent, 2.. passed up") \
    F(M, STR, order, 0, 1, 64, _, "hotline callback: the hotline's order number") \
    F(M, STR, status, 0, 1, 32, _, "hotline callback: our status (the topic after \"case.\")") \
    F(M, STR, result, 0, 1, CG_TEXT_MAX, _, "hotline callback: the result text") \
    F(M, INT, created, 1, 0, CG_TIME_MAX, _, "when it was queued") \
    F(M, STRS, orgs, 0, 0, 8, _, "a notice awaiting acknowledgement: the org node of its recipient and every node above it, nearest first (the acknowledgement index of each)")

#define CG_FIELDS_notify_message(F, M) \
    F(M, STR, delivery, 1, 1, 160, _, "delivery id: drop repeats by it") \
    F(M, STR, recipient, 1, 1, 96, _, "who it is for") \
    F(M, STR, to, 0, 1, 64, _, "the phone number, for an SMS gateway") \
    F(M, STR, case_id, 0, 1, 64, _, "the case it is about") \
    F(M, STR, topic, 1, 1, 64, _, "the event") \
    F(M, STR, subject, 0, 1, 256, _, "subject line") \
    F(M, STR, text, 1, 1, 8192, _, "the notice") \
    F(M, BOOL, urgent, 0, 0, 1, _, "urgent; acknowledge with `civgrid notify ack DELIVERY`") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when it was sent")

#define CG_FIELDS_hotline_status(F, M) \
    F(M, STR, delivery, 1, 1, 160, _, "delivery id: drop repeats by it") \
    F(M, STR, order, 1, 1, 64, _, "the hotline's order number") \
    F(M, STR, case_id, 1, 1, 32, _, "our case id") \
    F(M, STR, status, 1, 1, 32, _, "the topic after \"case.\": dispatched, accepted, returned, return_refused, extension_requested, extended, extension_refused, suspended, resumed, resolved, closed, merged (the case was merged into another, or, for an order that joined an open case, that order: case_id is the case it joined), rejected, cancelled, escalated") \
    F(M, STR, result, 0, 1, CG_TEXT_MAX, _, "the result or the notice text") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when it was sent")

#define CG_FIELDS_notify_attempt(F, M) \
    F(M, STR, delivery, 1, 1, 160, _, "delivery id") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when") \
    F(M, STR, channel, 1, 1, 16, _, "webhook, email, hotline, inbox") \
    F(M, INT, attempt, 0, 0, INT32_MAX, _, "attempt on this channel, from 1") \
    F(M, STR, outcome, 1, 1, 16, _, "sent, failed, deferred, dead, acked, escalated") \
    F(M, STR, detail, 0, 1, 256, _, "the receiver's answer, the error, or why deferred")

#define CG_FIELDS_notify_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 0, 1, 160, _, "one delivery; all recent attempts when absent") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "where to go on: the `next` of the page before (absent: the newest)") \
    F(M, INT, limit, 0, 0, 200, _, "at most this many (default 50)")

#define CG_FIELDS_notify_log(F, M) \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page of the recent log; absent on the last") \
    F(M, LIST, attempts, 0, 0, 200, notify_attempt, "newest first")

#define CG_FIELDS_notify_dead(F, M) \
    F(M, STR, id, 1, 1, 160, _, "delivery id") \
    F(M, STR, recipient, 0, 1, 96, _, "who it was for") \
    F(M, STR, topic, 0, 1, 64, _, "the event") \
    F(M, STR, reason, 1, 1, 256, _, "why it was given up") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_notify_deadpage(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "dead letters") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, dead, 0, 0, 200, notify_dead, "newest first")

#define CG_FIELDS_notify_act(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, 160, _, "delivery id") \
    F(M, STR, by, 0, 1, 64, _, "who acknowledges (notify.ack)")

#define CG_FIELDS_notify_ack_case(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, actor, 1, 1, 64, _, "who acknowledges: ROLE:SCOPE[:NAME], as the gateway vouches for it")

#define CG_FIELDS_notify_ack_item(F, M) \
    F(M, STR, delivery, 1, 1, 160, _, "an urgent delivery of the case that awaited acknowledgement") \
    F(M, STR, recipient, 0, 1, 96, _, "who it was for") \
    F(M, STR, by, 1, 1, 64, _, "who acknowledged its chain (the first to do it)") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when") \
    F(M, BOOL, now, 0, 0, 1, _, "acknowledged by this request (false: it was already)")

#define CG_FIELDS_notify_acks(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, INT, acked, 1, 0, 64, _, "chains this request acknowledged (0 when sent again)") \
    F(M, LIST, deliveries, 0, 0, 64, notify_ack_item, "the case's urgent deliveries still on the acknowledgement watch, at most 64")

#define CG_FIELDS_notify_ack_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, org, 1, 1, CG_CODE_MAX, _, "the org node: the acknowledgements of notices to it and to the nodes below it") \
    F(M, STR, state, 0, 1, 16, _, "pending (absent: awaiting acknowledgement, soonest due first) or settled (acknowledged, passed up or expired, newest first)") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "where to go on: the `next` of the page before (absent: the first)") \
    F(M, INT, limit, 0, 0, CG_ACK_PAGE_MAX, _, "at most this many (default 50)")

#define CG_FIELDS_notify_ack_row(F, M) \
    F(M, STR, delivery, 1, 1, 160, _, "the urgent delivery") \
    F(M, STR, case_id, 0, 1, 64, _, "the case (or topic, fund request) it is about") \
    F(M, STR, topic, 0, 1, 64, _, "the event that caused it") \
    F(M, STR, recipient, 0, 1, 96, _, "who it was sent to") \
    F(M, STR, name, 0, 1, CG_NAME_MAX, _, "the recipient's name") \
    F(M, STR, org, 0, 1, CG_CODE_MAX, _, "the recipient's org node") \
    F(M, STR, text, 0, 1, 1024, _, "the notice") \
    F(M, INT, step, 0, 0, 16, _, "0 first, 1 sent again, 2.. passed up that many org levels less one") \
    F(M, INT, sent, 0, 0, CG_TIME_MAX, _, "when it was queued to be sent") \
    F(M, INT, due, 0, 0, CG_TIME_MAX, _, "when it is (or was) due to be acknowledged: the next reminder or passing up") \
    F(M, STR, state, 1, 1, 16, _, "pending, acked, passed (sent again or passed up: to), expired (nobody above to pass it to, or it went)") \
    F(M, STR, by, 0, 1, 64, _, "acked: who acknowledged its chain") \
    F(M, INT, at, 0, 0, CG_TIME_MAX, _, "settled: when") \
    F(M, STR, to, 0, 1, 256, _, "passed: to whom")

#define CG_FIELDS_notify_ack_page(F, M) \
    F(M, STR, org, 1, 1, CG_CODE_MAX, _, "the org node asked for") \
    F(M, STR, state, 1, 1, 16, _, "pending or settled") \
    F(M, INT, total, 1, 0, INT64_MAX, _, "acknowledgements of that state kept for the node") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, rows, 0, 0, CG_ACK_PAGE_MAX, notify_ack_row, "pending: soonest due first; settled: newest first")

#define CG_FIELDS_notify_state(F, M) \
    F(M, STR, id, 1, 1, 160, _, "delivery id") \
    F(M, STR, state, 1, 1, 16, _, "queued, sent, dead, acked")

#define CG_FIELDS_notify_test(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, recipient, 1, 1, 96, _, "person:<id> or unit:<code>") \
    F(M, STR, text, 1, 1, 1024, _, "what to send") \
    F(M, BOOL, urgent, 0, 0, 1, _, "send as urgent")

#define CG_FIELDS_notify_rule(F, M) \
    F(M, STR, topic, 1, 1, 64, _, "the event") \
    F(M, STR, when, 0, 1, 128, _, "condition FIELD=VALUE, or absent") \
    F(M, STR, recipients, 1, 1, 128, _, "who: unit:F, role:R@F, role:R@F^, people:F, citizen, hotline") \
    F(M, STR, template, 1, 1, 64, _, "template name") \
    F(M, STR, urgency, 1, 1, 16, _, "normal or urgent") \
    F(M, INT, ack_ms, 0, 0, INT32_MAX, _, "acknowledgement required within (ms)")

#define CG_FIELDS_notify_rules(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id")

#define CG_FIELDS_notify_rulebook(F, M) \
    F(M, LIST, rules, 0, 0, CG_PAGE_MAX, notify_rule, "in file order")

#define CG_FIELDS_sms_asked(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, phone, 1, 3, 20, _, "the number an SMS reply came from (personal data: never stored, only its keyed fingerprint)")

#define CG_FIELDS_sms_case(F, M) \
    F(M, STR, id, 1, 1, 32, _, "the case the number was last asked to rate")

#define CG_FIELDS_notify_failed(F, M) \
    F(M, STR, delivery, 1, 1, 160, _, "the urgent delivery that was dead-lettered: notify.retry takes it") \
    F(M, STR, case_id, 0, 1, 64, _, "the case it was about") \
    F(M, STR, center, 0, 1, CG_CODE_MAX, _, "the case's center, else the center above the recipient: who sees it on the stream") \
    F(M, STR, unit, 0, 1, CG_CODE_MAX, _, "the org of the person or unit it was for") \
    F(M, STR, recipient, 1, 1, 96, _, "who could not be reached: person:<id>, unit:<code>") \
    F(M, STR, name, 0, 1, CG_NAME_MAX, _, "their name") \
    F(M, STR, topic, 1, 1, 64, _, "the event the notice was about") \
    F(M, STR, reason, 1, 1, 256, _, "the last channel's error") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when it was given up")

#define CG_FIELDS_notify_cleared(F, M) \
    F(M, STR, case_id, 1, 1, 64, _, "the case") \
    F(M, STR, center, 0, 1, CG_CODE_MAX, _, "the case's center: who sees it on the stream") \
    F(M, STR, delivery, 0, 1, 160, _, "notify.retried: the dead letter sent again; absent for notify.acked (every failed notice of the case)") \
    F(M, STR, by, 0, 1, 64, _, "who acknowledged (notify.acked)") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_MESSAGES_NOTIFICATION(M) \
    M(sms_asked, "sms.asked", "command", CG_FIELDS_sms_asked, \
      "To notification: which case an SMS asked this phone to rate (1/2/3), for the gateway's SMS replies.") \
    M(sms_case, "sms.case", "reply", CG_FIELDS_sms_case, \
      "The case a phone was asked to rate.") \
    M(inbox_item, "inbox.item", "record", CG_FIELDS_inbox_item, \
      "One notice in a unit's in-app inbox.") \
    M(inbox_query, "inbox.query", "command", CG_FIELDS_inbox_query, \
      "To notification, as inbox.list: a unit's inbox.") \
    M(inbox_page, "inbox.page", "reply", CG_FIELDS_inbox_page, \
      "A page of a unit's inbox.") \
    M(notify_delivery, "notify.delivery", "record", CG_FIELDS_notify_delivery, \
      "One notice to one recipient, as the outbox keeps it.") \
    M(notify_message, "notify.message", "record", CG_FIELDS_notify_message, \
      "The JSON body of a webhook delivery (X-CG-Delivery carries the id too).") \
    M(hotline_status, "hotline.status", "record", CG_FIELDS_hotline_status, \
      "The JSON body of a 12345 status callback, signed (X-CG-Timestamp, X-CG-Signature).") \
    M(notify_attempt, "notify.attempt", "record", CG_FIELDS_notify_attempt, \
      "One line of the delivery log.") \
    M(notify_query, "notify.query", "command", CG_FIELDS_notify_query, \
      "To notification, as notify.log: the attempts of one delivery, or the latest.") \
    M(notify_log, "notify.log", "reply", CG_FIELDS_notify_log, "Delivery attempts.") \
    M(notify_dead, "notify.dead", "record", CG_FIELDS_notify_dead, \
      "A delivery given up, with the reason.") \
    M(notify_deadpage, "notify.deadpage", "reply", CG_FIELDS_notify_deadpage, \
      "The answer to notify.deadletter (command body notify.query).") \
    M(notify_act, "notify.act", "command", CG_FIELDS_notify_act, \
      "To notification, as notify.retry (a dead letter goes back to the outbox) or notify.ack (an urgent notice is acknowledged).") \
    M(notify_ack_case, "notify.ack_case", "command", CG_FIELDS_notify_ack_case, \
      "To notification, as notify.ack_case: an operator acknowledges the urgent notices about a case.") \
    M(notify_ack_item, "notify.ack_item", "record", CG_FIELDS_notify_ack_item, \
      "One urgent delivery of a case and who acknowledged it.") \
    M(notify_acks, "notify.acks", "reply", CG_FIELDS_notify_acks, \
      "The answer to notify.ack_case: the case's urgent deliveries and who acknowledged them.") \
    M(notify_ack_query, "notify.ack_query", "command", CG_FIELDS_notify_ack_query, \
      "To notification, as notify.ack_list: a page of an org node's acknowledgements.") \
    M(notify_ack_row, "notify.ack_row", "record", CG_FIELDS_notify_ack_row, \
      "One urgent delivery awaiting acknowledgement, or settled: acknowledged, passed up, expired.") \
    M(notify_ack_page, "notify.ack_page", "reply", CG_FIELDS_notify_ack_page, \
      "A page of an org node's acknowledgements.") \
    M(notify_state, "notify.state", "reply", CG_FIELDS_notify_state, \
      "A delivery's state after notify.retry, notify.ack or notify.test.") \
    M(notify_test, "notify.test", "command", CG_FIELDS_notify_test, \
      "To notification: send a test notice to a recipient through their channels.") \
    M(notify_rule, "notify.rule", "record", CG_FIELDS_notify_rule, \
      "One rule: which event goes to whom, with which template.") \
    M(notify_failed, "notify.failed", "event", CG_FIELDS_notify_failed, \
      "On notification's journal: an urgent notice failed on every channel and was dead-lettered (the console's 紧急通知发送失败 alarm).") \
    M(notify_cleared, "notify.cleared", "event", CG_FIELDS_notify_cleared, \
      "On notification's journal as notify.acked (someone acknowledged the urgent notices of a case that had a failed one) or notify.retried (a failed urgent notice's dead letter was sent again): the alarm ends.") \
    M(notify_rules, "notify.rules", "command", CG_FIELDS_notify_rules, \
      "To notification: the rules it runs.") \
    M(notify_rulebook, "notify.rulebook", "reply", CG_FIELDS_notify_rulebook, \
      "The rules, in file order.")

#endif
