/*  fuzz_decode — libFuzzer target for one intake decoder.

    Built once per intake command (make fuzz; FUZZ_DEF names the message
    definition, e.g. cg_hotline_order_def).  The bytes are whatever a
    hostile client could put in the body frame.  Decoding must never crash,
    leak or read out of bounds; and what decodes must encode again and
    decode to the same bytes, so that intake can store and forward any
    message it accepted. */
#include "cg_msg.h"

#include <stdlib.h>
#include <string.h>

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const cg_msgdef_t *def = &FUZZ_DEF;
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
