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
                                       failures, locked_until (ms), created
        cg:{gateway}:sessions:<name>   set: the hashes of its sessions' tokens,
                                       ended together when it is disabled or reset */
#ifndef CG_USER_H_INCLUDED
#define CG_USER_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

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

#endif
