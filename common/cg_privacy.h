/*  cg_privacy — personal data (个人信息): callers' names and phone numbers.

    Such data is kept only sealed, shown only masked, and never logged.
    - Masking is what every output path shows: a phone keeps its first three
      and last four digits (138****5678), a name its first character (张**).
    - Sealing is libsodium's secretbox (XSalsa20-Poly1305) under a 32-byte
      key from the configuration (`intake/key`, 64 hex digits; `civgrid
      stack up` writes a fresh one into a new stack's configuration).  A
      sealed value is hex of nonce || ciphertext, so it can sit in a msgpack
      string or a Redis hash; a fresh random nonce each time means the same
      number seals differently every time.
    - Because sealed values cannot be compared, a caller is recognised by a
      fingerprint: a keyed BLAKE2b hash of the phone's digits under the same
      key, which says "same caller" without saying who.
    - The key has versions.  intake/key is version 1; a rotation adds
      intake/keys/N = 64 hex digits (`civgrid secret rotate seal`), and the
      highest version seals from then on.  A value sealed under version N
      >= 2 names it: "vN:" before the hex; a value without it is version
      1's, as every value sealed before versions were.  Every version
      configured opens what it sealed, so old values stay readable until
      they are sealed again under the newest.  The fingerprint stays
      version 1's: the archive finds a caller's cases by it, and a new key
      would make every caller a stranger (it tells nothing without the
      phone it was made from).
*/
#ifndef CG_PRIVACY_H_INCLUDED
#define CG_PRIVACY_H_INCLUDED

#include <czmq.h>
#include <stdbool.h>
#include <stddef.h>

/*  A sealed value of n plain bytes takes this many hex characters plus
    the terminating NUL. */
#define CG_SEALED_LEN(n)    (4 + 2 * (24 + 16 + (n)) + 1)
#define CG_PRIVACY_VERSIONS 99      /* key versions at most */
#define CG_FINGERPRINT_LEN  33      /* 16 bytes in hex, and the NUL */

/*  138****5678; a number of 7 digits or fewer shows as ****. */
void cg_mask_phone (const char *phone, char *out, size_t len);

/*  张** (one star per further character, at most three): the first
    character, cut at a UTF-8 boundary. */
void cg_mask_name (const char *name, char *out, size_t len);

/*  l***@example.cn: the first character (whole) and the domain. */
void cg_mask_email (const char *email, char *out, size_t len);

typedef struct _cg_privacy_t cg_privacy_t;

/*  A sealer from a key of 64 hex digits (version 1); NULL when the key is
    malformed. */
cg_privacy_t *cg_privacy_new (const char *key_hex);

/*  A sealer from a configuration's intake/key and intake/keys/N; NULL with
    the reason in err (which key is malformed, a version out of 2 to
    CG_PRIVACY_VERSIONS) when one is unusable, or when intake/key is
    absent. */
cg_privacy_t *cg_privacy_load (zconfig_t *config, char *err, size_t errlen);

/*  Adds version (2 to CG_PRIVACY_VERSIONS) of the key; the highest seals.
    Returns 0, or -1 when the version or the key is malformed. */
int cg_privacy_add (cg_privacy_t *self, int version, const char *key_hex);

/*  The version that seals now; the version a sealed value was sealed
    under (1 without a prefix), or 0 when it is malformed. */
int cg_privacy_current (cg_privacy_t *self);
int cg_privacy_version_of (const char *sealed);
void cg_privacy_destroy (cg_privacy_t **self_p);

/*  Seals plain into out (CG_SEALED_LEN (strlen (plain)) bytes at least).
    Returns 0, or -1 when out is too small. */
int cg_privacy_seal (cg_privacy_t *self, const char *plain, char *out, size_t len);

/*  Opens a sealed value into out (NUL-terminated).  Returns 0, or -1 when
    the value is malformed, was sealed under another key, was altered, or
    does not fit. */
int cg_privacy_open (cg_privacy_t *self, const char *sealed, char *out, size_t len);

/*  The fingerprint of a phone number, in hex: only its digits count and a
    leading country code 86 is dropped, so that 138-1234-5678,
    +86 138 1234 5678 and 13812345678 are the same caller. */
void cg_privacy_fingerprint (cg_privacy_t *self, const char *phone, char *out, size_t len);

/*  A fresh key, 64 hex digits and a NUL, for a new installation. */
void cg_privacy_new_key (char out[65]);

#endif
