/*  test_base64 - common/cg_base64, the one codec of base64 in civgrid.

    Each form reads what civgrid wrote before there was one codec: an
    archived intake hash as the archive sent it (standard, padded) and a
    page cursor as the gateway gave it (URL-safe, unpadded), both written
    by the code this replaced.  Then RFC 4648's vectors, a long Chinese
    text with control characters pasted from Word and every byte value
    going through both forms and back, and what is not base64 of a form
    (the other form's characters, padding where it has none or lacks it,
    text after it, a buffer too small) refused, never half read. */
#include "cg_base64.h"
#include "cg_cursor.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/*  {"content": bin "小区噪声扰民\r\n\v夜间施工"}, msgpack, as the archive's
    s_base64 wrote it in archive.sealed before cg_base64 (f84cd19) */
#define S_SEALED_OLD "gadjb250ZW50xCHlsI/ljLrlmarlo7DmibDmsJENCgvlpJzpl7Tmlr3lt6U="
#define S_SEALED_MAP "\x81\xa7" "content" "\xc4\x21" "小区噪声扰民\r\n\v夜间施工"

/*  (case.list/-/320602001, pos 1764950400123, CG20261206-000042) as
    cg_cursor_encode wrote it before cg_base64 (f84cd19) */
#define S_KEY        "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define S_CURSOR_OLD "Y2FzZS5saXN0Ly0vMzIwNjAyMDAxHzE3NjQ5NTA0MDAxMjMfQ0cyMDI2MTIwNi0wMDAwNDIf" \
                     "MTc2NDk1MDQwMDAwMB9XMcJ5gjjB0q_5nYGficvD"

Test (base64, what_the_old_code_wrote_still_reads)
{
    size_t len;
    unsigned char *map = cg_base64_decode (S_SEALED_OLD, &len, CG_BASE64_STD);
    cr_assert_not_null (map);
    cr_assert_eq (len, sizeof S_SEALED_MAP - 1);
    cr_assert_eq (memcmp (map, S_SEALED_MAP, len), 0, "the archived hash, byte for byte");
    char *again = cg_base64_encode (map, len, CG_BASE64_STD);
    cr_assert_str_eq (again, S_SEALED_OLD, "and is written as before");
    free (again);
    free (map);

    cg_cursor_t *codec = cg_cursor_new (S_KEY);
    cg_cursor_at_t at;
    char why[256] = "";
    cr_assert_eq (cg_cursor_decode (codec, S_CURSOR_OLD, "case.list/-/320602001",
                                    INT64_C (1764950460000), &at, why, sizeof why), 0, "%s", why);
    cr_assert_eq (at.pos, INT64_C (1764950400123));
    cr_assert_str_eq (at.id, "CG20261206-000042");
    cg_cursor_at_t same = { .pos = INT64_C (1764950400123) };
    snprintf (same.id, sizeof same.id, "CG20261206-000042");
    char token[CG_CURSOR_MAX];
    cg_cursor_encode (codec, "case.list/-/320602001", &same, INT64_C (1764950400000), token,
                      sizeof token);
    cr_assert_str_eq (token, S_CURSOR_OLD, "a cursor is written as before");
    cg_cursor_destroy (&codec);
}

Test (base64, rfc_4648_vectors_in_both_forms)
{
    static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const std[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                       "Zm9vYmFy" };
    static const char *const url[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++) {
        char *text = cg_base64_encode (plain[i], strlen (plain[i]), CG_BASE64_STD);
        cr_assert_str_eq (text, std[i]);
        cr_assert_eq (cg_base64_size (strlen (plain[i]), CG_BASE64_STD), strlen (text) + 1);
        free (text);
        text = cg_base64_encode (plain[i], strlen (plain[i]), CG_BASE64_URL);
        cr_assert_str_eq (text, url[i]);
        free (text);
        size_t len;
        char *back = cg_base64_decode (url[i], &len, CG_BASE64_URL);
        cr_assert_not_null (back, "%s", url[i]);
        cr_assert_str_eq (back, plain[i], "decoded text ends in a 0");
        free (back);
    }
}

Test (base64, chinese_text_and_every_byte_go_there_and_back)
{
    char *text = cg_strdup ("");
    while (strlen (text) < 1800) {      /* a resident's long complaint, pasted from Word */
        char *more = cg_strfmt ("%s楼上住户每天夜里十一点以后还在装修，电钻声和敲打声持续不断，"
                                "\r\n\t\x0b\x0c老人孩子无法休息\x1f，多次沟通无果。", text);
        free (text);
        text = more;
    }
    unsigned char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (unsigned char) i;
    const struct { const void *bytes; size_t len; } in[] = {
        { text, strlen (text) }, { all, sizeof all } };
    for (size_t i = 0; i < 2; i++)
        for (int form = CG_BASE64_STD; form <= CG_BASE64_URL; form++) {
            char *b64 = cg_base64_encode (in[i].bytes, in[i].len, form);
            const char *alphabet = form == CG_BASE64_STD
                ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="
                : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            cr_assert_eq (strspn (b64, alphabet), strlen (b64), "only its form's characters");
            size_t len;
            void *back = cg_base64_decode (b64, &len, form);
            cr_assert_not_null (back);
            cr_assert_eq (len, in[i].len);
            cr_assert_eq (memcmp (back, in[i].bytes, len), 0);
            free (back);
            free (b64);
        }
    free (text);
}

Test (base64, what_is_not_base64_of_its_form_is_refused)
{
    static const struct { const char *text; cg_base64_form_t form; } bad[] = {
        { "Zm9v-_8", CG_BASE64_STD },   /* the URL form's characters */
        { "Zm8", CG_BASE64_STD },       /* its padding missing */
        { "Zm9v+/8=", CG_BASE64_URL },  /* the standard form's characters */
        { "Zm8=", CG_BASE64_URL },      /* padding where the form has none */
        { "Zm9v Zm9v", CG_BASE64_STD }, /* a space */
        { "Zm9vYmFy\n", CG_BASE64_STD },/* text after it */
        { "Zm9vYmFy!", CG_BASE64_URL },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t len = 99;
        cr_assert_null (cg_base64_decode (bad[i].text, &len, bad[i].form), "%s", bad[i].text);
    }
    /*  a buffer too small is refused, not filled in part */
    unsigned char out[5];
    size_t len;
    cr_assert_eq (cg_base64_decode_into (out, sizeof out, "Zm9vYmFy", &len, CG_BASE64_STD), -1);
    cr_assert_eq (cg_base64_decode_into (out, sizeof out, "Zm9vYg", &len, CG_BASE64_URL), 0);
    cr_assert_eq (len, 4);
    cr_assert_eq (memcmp (out, "foob", 4), 0);
    char text[9];
    cr_assert_eq (cg_base64_encode_into (text, 8, "foobar", 6, CG_BASE64_STD), -1);
    cr_assert_str_eq (text, "", "an encoding that does not fit leaves nothing");
    cr_assert_eq (cg_base64_encode_into (text, 9, "foobar", 6, CG_BASE64_STD), 0);
    cr_assert_str_eq (text, "Zm9vYmFy");
}
