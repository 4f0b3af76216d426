/*  cg_events — which message definition each bus topic carries.

    A topic names what happened (case.accepted); a definition names the
    shape of its body (case.changed), and several topics can share one.
    Consumers that handle events generically — notification renders any
    event's fields into a template — look the definition up here, and check
    at load time that the fields they name exist.  A domain that adds events
    adds its lines to the table in cg_events.c. */
#ifndef CG_EVENTS_H_INCLUDED
#define CG_EVENTS_H_INCLUDED

#include "cg_msg.h"

typedef struct {
    const char *topic;          /* "case.accepted" */
    const char *journal;        /* the journal that carries it: "dispatch" */
    const cg_msgdef_t *def;     /* the shape of its body */
} cg_event_kind_t;

extern const cg_event_kind_t cg_event_kinds[];
extern const size_t cg_event_kinds_count;

/*  The kind of event with this topic on this journal, or NULL; with
    journal NULL, the first journal's in the table that carries the topic.
    A topic may mean two things on two journals: intake's case.merged (a
    request joined an open case) is not dispatch's (an operator merged one
    case into another), and the bodies differ. */
const cg_event_kind_t *cg_event_kind_find (const char *journal, const char *topic);

#endif
