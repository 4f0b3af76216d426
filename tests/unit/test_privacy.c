/*  Personal data: masking, sealing, fingerprints; and the strict ISO 8601
    parser every edge uses for times. */
#include <criterion/criterion.h>
#include "cg_clock.h"
#include "cg_privacy.h"

#define S_KEY "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

Test (privacy, masks_phones_and_names)
{
    char out[64];
    cg_mask_phone ("13812345678", out, sizeof out);
    cr_assert_str_eq (out, "138****5678");
    cg_mask_phone ("+8613812345678", out, sizeof out);
    cr_assert_str_eq (out, "+86****5678");
    cg_mask_phone ("110", out, sizeof out);
    cr_assert_str_eq (out, "****");
    cg_mask_name ("张三丰", out, sizeof out);
    cr_assert_str_eq (out, "张**");
    cg_mask_name ("欧阳", out, sizeof out);
    cr_assert_str_eq (out, "欧*");
    cg_mask_name ("李", out, sizeof out);
    cr_assert_str_eq (out, "李*", "a one-character name is not shown whole");
    cg_mask_name ("Alexander", out, sizeof out);
    cr_assert_str_eq (out, "A***");
    cg_mask_email ("li.si@example.cn", out, sizeof out);
    cr_assert_str_eq (out, "l***@example.cn");
    cg_mask_email ("张三@example.cn", out, sizeof out);
    cr_assert_str_eq (out, "张***@example.cn", "the first character whole");
    cg_mask_email ("@example.cn", out, sizeof out);
    cr_assert_str_eq (out, "***@example.cn");
}

Test (privacy, seals_and_opens_only_under_the_same_key)
{
    cg_privacy_t *box = cg_privacy_new (S_KEY);
    cr_assert (box);
    char a[CG_SEALED_LEN (11)], b[CG_SEALED_LEN (11)], plain[32];
    cr_assert_eq (cg_privacy_seal (box, "13812345678", a, sizeof a), 0);
    cr_assert_eq (cg_privacy_seal (box, "13812345678", b, sizeof b), 0);
    cr_assert_str_neq (a, b, "a fresh nonce each time");
    cr_assert_null (strstr (a, "13812345678"));
    cr_assert_eq (cg_privacy_open (box, a, plain, sizeof plain), 0);
    cr_assert_str_eq (plain, "13812345678");
    cr_assert_eq (cg_privacy_seal (box, "13812345678", a, 10), -1, "too small a buffer");
    cr_assert_eq (cg_privacy_open (box, a, plain, 5), -1, "too small for the plain text");

    b[10] = b[10] == '0' ? '1' : '0';
    cr_assert_eq (cg_privacy_open (box, b, plain, sizeof plain), -1, "an altered value");
    cr_assert_eq (cg_privacy_open (box, "zz", plain, sizeof plain), -1);
    cr_assert_eq (cg_privacy_open (box, "", plain, sizeof plain), -1);

    char key[65];
    cg_privacy_new_key (key);
    cg_privacy_t *other = cg_privacy_new (key);
    cr_assert (other);
    cr_assert_eq (cg_privacy_open (other, a, plain, sizeof plain), -1, "another key");

    char f1[CG_FINGERPRINT_LEN], f2[CG_FINGERPRINT_LEN], f3[CG_FINGERPRINT_LEN];
    cg_privacy_fingerprint (box, "13812345678", f1, sizeof f1);
    cg_privacy_fingerprint (box, "+86 138-1234-5678", f2, sizeof f2);
    cg_privacy_fingerprint (other, "13812345678", f3, sizeof f3);
    cr_assert_str_eq (f1, f2, "the same caller however written");
    cr_assert_str_neq (f1, f3, "fingerprints depend on the key");
    cg_privacy_destroy (&box);
    cg_privacy_destroy (&box);
    cg_privacy_destroy (&other);

    cr_assert_null (cg_privacy_new ("abc"));
    cr_assert_null (cg_privacy_new (NULL));
    cr_assert_null (cg_privacy_new ("zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"));
}

Test (clock, parses_iso_times_with_their_offset)
{
    int64_t ms;
    cr_assert_eq (cg_time_parse ("2026-11-22T15:04:05+08:00", &ms, NULL, 0), 0);
    cr_assert_eq (ms, INT64_C (1795331045000));
    cr_assert_eq (cg_time_parse ("2026-11-22T07:04:05Z", &ms, NULL, 0), 0);
    cr_assert_eq (ms, INT64_C (1795331045000));
    cr_assert_eq (cg_time_parse ("2026-11-22T02:04:05.250-05:00", &ms, NULL, 0), 0);
    cr_assert_eq (ms, INT64_C (1795331045250));
    cr_assert_eq (cg_time_parse ("2024-02-29T00:00:00Z", &ms, NULL, 0), 0, "a leap day");
    char out[40];
    cg_time_iso (ms, out, sizeof out);
    cr_assert_eq (cg_time_parse (out, &ms, NULL, 0), 0, "round trip of %s", out);
}

Test (clock, refuses_what_is_not_strictly_a_time)
{
    static const char *const bad[] = {
        "2026-11-22T15:04:05", "2026-11-22 15:04:05+08:00", "2026-11-22", "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-22T24:00:00Z",
        "2026-11-22T15:60:00Z", "2026-11-22T15:04:61Z", "2026-11-22T15:04:05+8:00",
        "2026-11-22T15:04:05+08:00x", "2026-11-22T15:04:05+15:00", "1969-12-31T23:59:59Z",
        "2026-11-22T15:04:05.Z", "26-11-22T15:04:05Z", "", "２０２６-11-22T15:04:05Z",
        "2026-11-22T15:04:05.1234567890Z", NULL };
    for (int i = 0; bad[i]; i++) {
        int64_t ms = 42;
        char why[96] = "";
        cr_assert_eq (cg_time_parse (bad[i], &ms, why, sizeof why), -1, "accepted %s", bad[i]);
        cr_assert (*why, "no reason for %s", bad[i]);
    }
}

/*  The sealing key's versions (#17): the newest seals and names itself,
    every configured version opens its own, a value of version 1 is bare
    hex as before versions, and the fingerprint stays version 1's. */
Test (privacy, each_sealed_value_names_its_key_version_and_old_ones_still_open)
{
    cg_privacy_t *old = cg_privacy_new (S_KEY);
    char v1[CG_SEALED_LEN (11)], v2[CG_SEALED_LEN (11)], plain[32];
    cr_assert_eq (cg_privacy_seal (old, "13812345678", v1, sizeof v1), 0);
    cr_assert_eq (cg_privacy_version_of (v1), 1);
    cr_assert_neq (*v1, 'v', "version 1 is bare hex, as every value sealed before versions");

    char key2[65], err[200] = "";
    cg_privacy_new_key (key2);
    char *text = zsys_sprintf ("intake\n    key = %s\n    keys\n        2 = %s\n", S_KEY, key2);
    zconfig_t *config = zconfig_str_load (text);
    zstr_free (&text);
    cg_privacy_t *both = cg_privacy_load (config, err, sizeof err);
    cr_assert (both, "%s", err);
    zconfig_destroy (&config);
    cr_assert_eq (cg_privacy_current (both), 2);
    cr_assert_eq (cg_privacy_seal (both, "13812345678", v2, sizeof v2), 0);
    cr_assert_eq (strncmp (v2, "v2:", 3), 0, "%s", v2);
    cr_assert_eq (cg_privacy_version_of (v2), 2);
    cr_assert_eq (cg_privacy_open (both, v2, plain, sizeof plain), 0);
    cr_assert_str_eq (plain, "13812345678");
    cr_assert_eq (cg_privacy_open (both, v1, plain, sizeof plain), 0, "the old one still opens");
    cr_assert_eq (cg_privacy_open (old, v2, plain, sizeof plain), -1,
                  "a sealer without version 2 cannot open it");
    /*  v2's box under v1's key: the version is bound to the key, not guessed */
    char forged[CG_SEALED_LEN (11)];
    snprintf (forged, sizeof forged, "v2:%s", v1);
    cr_assert_eq (cg_privacy_open (both, forged, plain, sizeof plain), -1);
    cr_assert_eq (cg_privacy_version_of ("v0:00"), 0);
    cr_assert_eq (cg_privacy_version_of ("v100:00"), 0);
    cr_assert_eq (cg_privacy_version_of ("v3x00"), 0);
    char f_old[CG_FINGERPRINT_LEN], f_both[CG_FINGERPRINT_LEN];
    cg_privacy_fingerprint (old, "13812345678", f_old, sizeof f_old);
    cg_privacy_fingerprint (both, "13812345678", f_both, sizeof f_both);
    cr_assert_str_eq (f_old, f_both, "a caller is the same caller after a rotation");

    config = zconfig_str_load ("intake\n    key = 00\n");
    cr_assert_null (cg_privacy_load (config, err, sizeof err));
    cr_assert (strstr (err, "intake/key"), "%s", err);
    zconfig_destroy (&config);
    text = zsys_sprintf ("intake\n    key = %s\n    keys\n        1 = %s\n", S_KEY, key2);
    config = zconfig_str_load (text);
    zstr_free (&text);
    cr_assert_null (cg_privacy_load (config, err, sizeof err));
    cr_assert (strstr (err, "intake/keys/1: want a version from 2 to 99"), "%s", err);
    zconfig_destroy (&config);
    cg_privacy_destroy (&both);
    cg_privacy_destroy (&old);
}
