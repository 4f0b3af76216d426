/*  Hotline signatures: a known answer, and what must not verify. */
#include <criterion/criterion.h>
#include "cg_sign.h"

Test (sign, matches_an_independent_hmac)
{
    /*  printf '1700000000\n{"a":1}' | openssl dgst -sha256 -hmac s3cret */
    char hex[CG_SIGN_HEX];
    cg_sign ("s3cret", 1700000000, "{\"a\":1}", 7, hex);
    cr_assert_str_eq (hex, "40a78b07e910800599449eeacdad52dd4f4543c67bd06a021dcdb1d5b18a6a05");
}

Test (sign, a_changed_body_time_or_secret_does_not_verify)
{
    char hex[CG_SIGN_HEX];
    cg_sign ("s3cret", 1700000000, "{\"a\":1}", 7, hex);
    cr_assert (cg_sign_check ("s3cret", 1700000000, "{\"a\":1}", 7, hex));
    cr_assert_not (cg_sign_check ("s3cret", 1700000000, "{\"a\":2}", 7, hex));
    cr_assert_not (cg_sign_check ("s3cret", 1700000001, "{\"a\":1}", 7, hex));
    cr_assert_not (cg_sign_check ("other", 1700000000, "{\"a\":1}", 7, hex));
    cr_assert_not (cg_sign_check ("s3cret", 1700000000, "{\"a\":1}", 7, "abc"));
    cr_assert_not (cg_sign_check ("s3cret", 1700000000, "{\"a\":1}", 7, NULL));
}
