/*  msg_intake — requests coming in.  Part of the one message table; see
    cg_messages.h for how a definition reads. */
#ifndef CG_MSG_INTAKE_H_INCLUDED
#define CG_MSG_INTAKE_H_INCLUDED

#define CG_FIELDS_case_submit(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, source, 1, 1, 16, _, "hotline, grid, open311, device, operator") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the source's own reference (the hotline's order number); with source, the idempotency key") \
    F(M, STR, category, 1, 1, CG_CODE_MAX, _, "category code from the catalog") \
    F(M, STR, text, 1, 1, CG_TEXT_MAX, _, "what the citizen reports") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "grid code; grid or address is required") \
    F(M, STR, address, 0, 1, 256, _, "street address") \
    F(M, STR, contact_name, 0, 1, 64, _, "the reporter's name (personal data)") \
    F(M, STR, contact_phone, 0, 3, 20, _, "the reporter's phone (personal data)")

#define CG_FIELDS_case_submitted(F, M) \
    F(M, STR, id, 1, 1, 32, _, "the case id") \
    F(M, BOOL, repeat, 0, 0, 1, _, "true when this answers a repeat of an earlier submission")

#define CG_FIELDS_case_received(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, source, 1, 1, 16, _, "channel it came from") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the source's own reference") \
    F(M, STR, category, 1, 1, CG_CODE_MAX, _, "category code") \
    F(M, STR, text, 1, 1, CG_TEXT_MAX, _, "the request") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "grid code") \
    F(M, STR, address, 0, 1, 256, _, "address") \
    F(M, STR, contact, 0, 1, 32, _, "the reporter's phone, masked (138****5678)") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when intake accepted it")

#define CG_MESSAGES_INTAKE(M) \
    M(case_submit, "case.submit", "command", CG_FIELDS_case_submit, \
      "To intake: a citizen's request from any channel. Idempotent by rid, and by (source, ext_ref).") \
    M(case_submitted, "case.submitted", "reply", CG_FIELDS_case_submitted, \
      "The answer to case.submit.") \
    M(case_received, "case.received", "event", CG_FIELDS_case_received, \
      "Intake accepted a request as a new case (journal intake).")

#endif
