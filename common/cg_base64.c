/*  cg_base64 — see cg_base64.h.  libsodium's codec: constant time, and
    strict about the form it is told. */
#include "cg_base64.h"
#include "cg_text.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static int
s_variant (cg_base64_form_t form)
{
    return form == CG_BASE64_URL ? sodium_base64_VARIANT_URLSAFE_NO_PADDING
                                 : sodium_base64_VARIANT_ORIGINAL;
}

size_t
cg_base64_size (size_t len, cg_base64_form_t form)
{
    return sodium_base64_encoded_len (len, s_variant (form));
}

char *
cg_base64_encode (const void *bytes, size_t len, cg_base64_form_t form)
{
    size_t size = cg_base64_size (len, form);
    char *text = cg_alloc (size);
    sodium_bin2base64 (text, size, bytes, len, s_variant (form));
    return text;
}

int
cg_base64_encode_into (char *out, size_t outlen, const void *bytes, size_t len,
                       cg_base64_form_t form)
{
    if (outlen < cg_base64_size (len, form)) {
        if (outlen)
            *out = 0;
        return -1;
    }
    sodium_bin2base64 (out, outlen, bytes, len, s_variant (form));
    return 0;
}

int
cg_base64_decode_into (void *out, size_t cap, const char *text, size_t *len,
                       cg_base64_form_t form)
{
    *len = 0;
    return sodium_base642bin (out, cap, text, strlen (text), NULL, len, NULL,
                              s_variant (form)) == 0 ? 0 : -1;
}

void *
cg_base64_decode (const char *text, size_t *len, cg_base64_form_t form)
{
    size_t cap = strlen (text) / 4 * 3 + 3;     /* 3 bytes a 4 characters, and a rest */
    unsigned char *bytes = cg_alloc (cap + 1);
    if (cg_base64_decode_into (bytes, cap, text, len, form)) {
        free (bytes);
        return NULL;
    }
    bytes[*len] = 0;
    return bytes;
}
