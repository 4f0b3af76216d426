/*  fuzz_json — libFuzzer target for the gateway's mapping of JSON and of
    text (query parameters, path segments, form values) onto civgrid's
    messages (common/cg_json.c), through the message definitions a client
    can send: every command.  The first byte picks the command; the rest is
    a JSON body, or, when it starts with '?', query pairs key=value&... as
    libmicrohttpd hands them over (already unescaped), set one by one with
    cg_json_set_text.  A message that maps must encode, decode to the same
    bytes, and map back to JSON and again to the same message. */
#include "cg_json.h"

#include <stdlib.h>
#include <string.h>

static const cg_msgdef_t *s_commands[256];
static size_t s_ncommands;

static void
s_roundtrip (const cg_msgdef_t *def, void *msg)
{
    msgpack_sbuffer first, second;
    msgpack_sbuffer_init (&first);
    msgpack_sbuffer_init (&second);
    cg_error_t err;
    /*  a message may lack what the gateway adds (rid, actor) or a
        required field: encoding refuses it, by name */
    if (cg_msg_encode (def, msg, &first, &err) == 0) {
        void *again = calloc (1, def->size);
        json_t *json = cg_json_from_msg (def, msg);
        if (!json || cg_json_to_msg (def, json, again, &err)
        ||  cg_msg_encode (def, again, &second, &err)
        ||  first.size != second.size || memcmp (first.data, second.data, first.size))
            abort ();
        json_decref (json);
        cg_msg_clear (def, again);
        free (again);
    }
    else
    if (!*err.message)
        abort ();
    msgpack_sbuffer_destroy (&first);
    msgpack_sbuffer_destroy (&second);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!s_ncommands)
        for (size_t i = 0; i < cg_msgdefs_count && s_ncommands < 256; i++)
            if (strcmp (cg_msgdefs[i]->kind, "command") == 0)
                s_commands[s_ncommands++] = cg_msgdefs[i];
    if (size < 1)
        return 0;
    const cg_msgdef_t *def = s_commands[data[0] % s_ncommands];
    void *msg = calloc (1, def->size);
    cg_error_t err;
    if (size > 1 && data[1] == '?') {
        char *query = strndup ((const char *) data + 2, size - 2);
        int rc = 0;
        for (char *save = NULL, *pair = strtok_r (query, "&", &save); pair && rc >= 0;
             pair = strtok_r (NULL, "&", &save)) {
            char *eq = strchr (pair, '=');
            if (eq)
                *eq = 0;
            rc = cg_json_set_text (def, msg, pair, eq ? eq + 1 : "", &err);
            if (rc < 0 && !*err.message)
                abort ();
        }
        if (rc >= 0)
            s_roundtrip (def, msg);
        free (query);
    }
    else {
        json_error_t jerr;
        json_t *body = json_loadb ((const char *) data + 1, size - 1, JSON_REJECT_DUPLICATES,
                                   &jerr);
        if (body) {
            if (cg_json_to_msg (def, body, msg, &err) == 0)
                s_roundtrip (def, msg);
            else
            if (!*err.message)
                abort ();
            json_decref (body);
        }
    }
    cg_msg_clear (def, msg);
    free (msg);
    return 0;
}
