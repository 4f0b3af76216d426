/*  msg_notification — notices.  Part of the one message table; see
    cg_messages.h for how a definition reads. */
#ifndef CG_MSG_NOTIFICATION_H_INCLUDED
#define CG_MSG_NOTIFICATION_H_INCLUDED

#define CG_FIELDS_inbox_item(F, M) \
    F(M, STR, delivery, 1, 1, 64, _, "delivery id, unique: a receiver drops repeats by it") \
    F(M, STR, case_id, 0, 1, 32, _, "the case it is about") \
    F(M, STR, topic, 1, 1, 64, _, "the event that caused it") \
    F(M, STR, text, 1, 1, 1024, _, "the notice, zh-CN") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when it was delivered")

#define CG_FIELDS_inbox_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, unit, 1, 1, CG_CODE_MAX, _, "the unit whose inbox") \
    F(M, INT, offset, 0, 0, INT32_MAX, _, "skip this many, newest first") \
    F(M, INT, limit, 0, 0, CG_PAGE_MAX, _, "at most this many (default 50)")

#define CG_FIELDS_inbox_page(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "entries in the inbox") \
    F(M, LIST, items, 0, 0, CG_PAGE_MAX, inbox_item, "this page, newest first")

#define CG_MESSAGES_NOTIFICATION(M) \
    M(inbox_item, "inbox.item", "record", CG_FIELDS_inbox_item, \
      "One notice in a unit's in-app inbox.") \
    M(inbox_query, "inbox.query", "command", CG_FIELDS_inbox_query, \
      "To notification, as inbox.list: a unit's inbox.") \
    M(inbox_page, "inbox.page", "reply", CG_FIELDS_inbox_page, \
      "A page of a unit's inbox.")

#endif
