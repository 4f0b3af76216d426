/*  fuzz_decode — libFuzzer target for the decoders of one daemon's
    commands, or of one message.

    Built once per intake command (make fuzz; FUZZ_DEF names the message
    definition, e.g. cg_hotline_order_def), and once per daemon whose
    commands come from clients (FUZZ_DOMAIN names its list in proto/,
    e.g. CG_MESSAGES_CONSULTATION: the first byte picks one of its
    messages, commands and the events its consumers decode).  The bytes
    are whatever a hostile client could put in the body frame.  Decoding
    must never crash, leak or read out of bounds; and what decodes must
    encode again and decode to the same bytes, so that a daemon can store
    and forward any message it accepted. */
#include "cg_msg.h"

#include <stdlib.h>
#include <string.h>

#ifdef FUZZ_DOMAIN
#define S_DEF(id, wire, kind, FIELDS, doc) &cg_##id##_def,
static const cg_msgdef_t *const s_defs[] = { FUZZ_DOMAIN (S_DEF) };
#define S_NDEFS (sizeof s_defs / sizeof s_defs[0])
#endif

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
#ifdef FUZZ_DOMAIN
    if (size < 1)
        return 0;
    const cg_msgdef_t *def = s_defs[data[0] % S_NDEFS];
    data++;
    size--;
#else
    const cg_msgdef_t *def = &FUZZ_DEF;
#endif
    void *msg = calloc (1, def->size), *again = calloc (1, def->size);
    cg_error_t err;
    if (cg_msg_decode (def, data, size, msg, &err) == 0) {
        msgpack_sbuffer first, second;
        msgpack_sbuffer_init (&first);
        msgpack_sbuffer_init (&second);
        if (cg_msg_encode (def, msg, &first, &err)
        ||  cg_msg_decode (def, first.data, first.size, again, &err)
        ||  cg_msg_encode (def, again, &second, &err)
        ||  first.size != second.size || memcmp (first.data, second.data, first.size))
            abort ();
        msgpack_sbuffer_destroy (&first);
        msgpack_sbuffer_destroy (&second);
        cg_msg_clear (def, again);
    }
    cg_msg_clear (def, msg);
    free (msg);
    free (again);
    return 0;
}
