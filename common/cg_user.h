/*  cg_user — operators who sign in as people (issue #17).

    An operator has an account: a name, a role and a scope (as a token
    has), and a password kept only as its Argon2id hash (libsodium's
    crypto_pwhash_str, which carries its own salt and costs).  The CLI
    makes and changes accounts (`civgrid user add|disable|reset`); the
    gateway signs people in (POST /api/v1/session) and gives them a session:
    a token (cg_token.h) with `session` set, that ends after
    CG_SESSION_IDLE_MS without use or CG_SESSION_MS after it began.  After
    CG_USER_FAILURES wrong passwords in a row the account is locked for
    CG_USER_LOCK_MS.  In the gateway's keys:

        cg:{gateway}:user:<name>       role, scope, hash, disabled (0/1),
                                       failures, locked_until (ms), created,
                                       totp, totp_step (a second factor, below)
        cg:{gateway}:sessions:<name>   set: the hashes of its sessions' tokens,
                                       ended together when it is disabled or reset */
#ifndef CG_USER_H_INCLUDED
#define CG_USER_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_USER_NAME_MAX    64              /* bytes of a name */
#define CG_USER_PASS_MIN    12              /* bytes of a password at least */
#define CG_USER_PASS_MAX    256
#define CG_USER_HASH_MAX    128             /* crypto_pwhash_STRBYTES */
#define CG_USER_FAILURES    5
#define CG_USER_LOCK_MS     (15 * 60 * 1000LL)
#define CG_SESSION_IDLE_MS  (30 * 60 * 1000LL)
#define CG_SESSION_MS       (12 * 3600 * 1000LL)

void cg_user_key (char *buf, size_t len, const char *name);
void cg_user_sessions_key (char *buf, size_t len, const char *name);

/*  A name: 1 to 64 bytes of letters, digits, '.', '_', '-' or any
    non-ASCII (a Chinese name), nothing else. */
bool cg_user_name_ok (const char *name);

/*  The Argon2id hash of password into hash; 0, or -1 (out of memory). */
int cg_user_hash (const char *password, char hash[CG_USER_HASH_MAX]);

/*  Whether password is the one hash was made of. */
bool cg_user_verify (const char *hash, const char *password);

/* --- a second factor: TOTP (RFC 6238) ------------------------------------ */

/*  An account may also need the 6-digit code of an authenticator app:
    `civgrid user totp NAME` makes its secret (20 random bytes, field
    `totp`, base32 as the apps take it) and prints the otpauth:// address
    once.  A code is HMAC-SHA1 of the 30-second step (GnuTLS: libsodium
    has no SHA-1, and the apps speak nothing else reliably); the steps
    just before and after are taken too (clocks drift), and a step once
    used is not taken again (field `totp_step`). */
#define CG_TOTP_SECRET_MAX  64      /* base32 of 20 bytes is 32 characters */
#define CG_TOTP_STEP_MS     30000

/*  A new secret, base32 without padding, into secret. */
void cg_totp_secret (char secret[CG_TOTP_SECRET_MAX]);

/*  The 6-digit code of secret (base32) at step, or -1 when the secret is
    no base32. */
int cg_totp_code (const char *secret, int64_t step);

/*  The step whose code code is, among those around now and after
    last_step; -1 when none. */
int64_t cg_totp_check (const char *secret, const char *code, int64_t now, int64_t last_step);

#endif
