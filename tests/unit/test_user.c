/*  Operators' accounts (cg_user.h): names, Argon2id hashes, and the TOTP
    second factor against RFC 6238's own test vectors. */
#include <criterion/criterion.h>
#include "cg_user.h"

#include <stdio.h>
#include <string.h>

/*  RFC 6238 appendix B, SHA-1: the key "12345678901234567890" */
#define S_RFC_KEY   "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

Test (user, totp_codes_are_rfc_6238_s)
{
    /*  the RFC's 8 digits, of which an authenticator shows the last 6 */
    cr_assert_eq (cg_totp_code (S_RFC_KEY, 59 / 30), 287082);
    cr_assert_eq (cg_totp_code (S_RFC_KEY, 1111111109 / 30), 81804);
    cr_assert_eq (cg_totp_code (S_RFC_KEY, 1234567890 / 30), 5924);
    cr_assert_eq (cg_totp_code (S_RFC_KEY, 2000000000 / 30), 279037);
    cr_assert_eq (cg_totp_code ("not base32!", 1), -1);
}

Test (user, a_code_is_taken_once_and_only_near_its_time)
{
    int64_t now = 1234567890000LL, step = now / CG_TOTP_STEP_MS;
    char code[8];
    snprintf (code, sizeof code, "%06d", cg_totp_code (S_RFC_KEY, step));
    cr_assert_eq (cg_totp_check (S_RFC_KEY, code, now, 0), step);
    cr_assert_eq (cg_totp_check (S_RFC_KEY, code, now + 30000, 0), step, "a step late");
    cr_assert_eq (cg_totp_check (S_RFC_KEY, code, now + 90000, 0), -1, "three steps late");
    cr_assert_eq (cg_totp_check (S_RFC_KEY, code, now, step), -1, "used once already");
    cr_assert_eq (cg_totp_check (S_RFC_KEY, "12345", now, 0), -1);
    cr_assert_eq (cg_totp_check (S_RFC_KEY, "12345a", now, 0), -1);
    cr_assert_eq (cg_totp_check (S_RFC_KEY, NULL, now, 0), -1);
    char secret[CG_TOTP_SECRET_MAX];
    cg_totp_secret (secret);
    cr_assert_eq (strlen (secret), 32);
    cr_assert_eq (strspn (secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
    cr_assert_geq (cg_totp_code (secret, step), 0);
}

Test (user, names_and_passwords)
{
    cr_assert (cg_user_name_ok ("wang.fang"));
    cr_assert (cg_user_name_ok ("王芳"));
    cr_assert (cg_user_name_ok ("op_01-b"));
    cr_assert_not (cg_user_name_ok (""));
    cr_assert_not (cg_user_name_ok ("a b"));
    cr_assert_not (cg_user_name_ok ("a:b"), "a colon would split an actor");
    cr_assert_not (cg_user_name_ok ("../x"));
    char hash[CG_USER_HASH_MAX];
    cr_assert_eq (cg_user_hash ("correct horse battery", hash), 0);
    cr_assert (strncmp (hash, "$argon2id$", 10) == 0, "%s", hash);
    cr_assert (cg_user_verify (hash, "correct horse battery"));
    cr_assert_not (cg_user_verify (hash, "correct horse batterY"));
    cr_assert_not (cg_user_verify ("", "x"));
}
