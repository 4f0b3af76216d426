/*  msg_common — messages every daemon speaks.  Part of the one message table; see
    cg_messages.h for how a definition reads. */
#ifndef CG_MSG_COMMON_H_INCLUDED
#define CG_MSG_COMMON_H_INCLUDED

#define CG_FIELDS_refusal(F, M) \
    F(M, STR, code, 1, 1, 32, _, "machine-readable reason: invalid, not_found, conflict, forbidden, unavailable, internal") \
    F(M, STR, field, 0, 0, 64, _, "the field at fault, dotted for nested ones") \
    F(M, STR, message, 1, 1, 192, _, "a sentence a person can act on")

#define CG_FIELDS_ping(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id")

#define CG_FIELDS_pong(F, M) \
    F(M, STR, service, 1, 1, 32, _, "the daemon that answered") \
    F(M, INT, pid, 1, 0, INT32_MAX, _, "its process id") \
    F(M, INT, started, 1, 0, CG_TIME_MAX, _, "when it started") \
    F(M, INT, handled, 0, 0, INT64_MAX, _, "events applied since start")

#define CG_MESSAGES_COMMON(M) \
    M(refusal, "error", "reply", CG_FIELDS_refusal, \
      "The answer to a command that was refused.") \
    M(ping, "ping", "command", CG_FIELDS_ping, \
      "Every daemon answers it; `civgrid stack up` waits for it.") \
    M(pong, "pong", "reply", CG_FIELDS_pong, "The answer to ping.")

#endif
