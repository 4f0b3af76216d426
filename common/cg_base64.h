/*  cg_base64 — base64, in the two forms civgrid writes, through libsodium.

    Base64 is written in two forms, and each place must go on reading what
    it wrote before, so each names its form:

    CG_BASE64_STD   RFC 4648 §4: '+', '/' and '=' padding (libsodium's
                    VARIANT_ORIGINAL).  The archive's sealed hashes
                    (archive.sealed, archive.reseal), the CLI's secret
                    backup ("file PATH BASE64"), a mail's RFC 2047 words.
    CG_BASE64_URL   RFC 4648 §5: '-', '_' and no padding (VARIANT_URLSAFE_
                    NO_PADDING).  Gateway tokens (cgt_...) and page
                    cursors, which travel in a URL as they are.

    Decoding is strict, as libsodium's is: a character outside the form,
    padding where the form has none (or missing where it has), or anything
    after the text makes it not base64, never a partial value. */
#ifndef CG_BASE64_H_INCLUDED
#define CG_BASE64_H_INCLUDED

#include <stddef.h>

typedef enum {
    CG_BASE64_STD,
    CG_BASE64_URL,
} cg_base64_form_t;

/*  Bytes the text of len bytes takes in form, its terminator included. */
size_t cg_base64_size (size_t len, cg_base64_form_t form);

/*  The text of bytes, malloc'd. */
char *cg_base64_encode (const void *bytes, size_t len, cg_base64_form_t form);

/*  The text of bytes into out (outlen bytes); 0, or -1 when it does not
    fit (out is then empty). */
int cg_base64_encode_into (char *out, size_t outlen, const void *bytes, size_t len,
                           cg_base64_form_t form);

/*  The bytes of text, malloc'd (one more byte than *len, a 0, so that a
    text decodes as a string too), their length into *len; NULL when text
    is not base64 of its form. */
void *cg_base64_decode (const char *text, size_t *len, cg_base64_form_t form);

/*  The bytes of text into out (at most cap), their length into *len; 0,
    or -1 when text is not base64 of its form or its bytes do not fit. */
int cg_base64_decode_into (void *out, size_t cap, const char *text, size_t *len,
                           cg_base64_form_t form);

#endif
