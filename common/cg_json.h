/*  cg_json — any civgrid message to and from JSON, through its descriptor.

    The gateway speaks JSON at its edge and msgpack to the daemons.  Rather
    than one hand-written mapping per message, both directions walk the
    message's field table (cg_msgdef_t), as the msgpack codec does: a JSON
    object's key names the field, its JSON type must match the field's type
    (string, integer, true/false, array of strings, array of objects), and
    the field's limits are checked here so that the refusal names the field
    with its JSON path ("steps[2].note").  Unknown keys are ignored, as on
    the bus.  Required fields are checked when the message is encoded, after
    the gateway has added what it fills itself (rid, actor).

    Uses jansson; only programs that link it (the gateway) may call it. */
#ifndef CG_JSON_H_INCLUDED
#define CG_JSON_H_INCLUDED

#include <jansson.h>
#include "cg_msg.h"

/*  Fills msg (zeroed first) from the object obj.  Returns 0, or -1 with
    err (code "invalid") and msg left empty. */
int cg_json_to_msg (const cg_msgdef_t *def, const json_t *obj, void *msg, cg_error_t *err);

/*  Sets one field from its text form (a path segment, a query or form
    value).  Returns 0, 1 when def has no such field, or -1 with err
    naming the field. */
int cg_json_set_text (const cg_msgdef_t *def, void *msg, const char *key, const char *value,
                      cg_error_t *err);

/*  A new JSON object with every present field of msg. */
json_t *cg_json_from_msg (const cg_msgdef_t *def, const void *msg);

#endif
