/*  cg_sign — see cg_sign.h.  libsodium's HMAC-SHA256. */
#include "cg_sign.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void
cg_sign (const char *secret, int64_t timestamp, const void *body, size_t size,
         char hex[CG_SIGN_HEX])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    char stamp[32];
    int n = snprintf (stamp, sizeof stamp, "%lld\n", (long long) timestamp);
    crypto_auth_hmacsha256_init (&state, (const unsigned char *) secret, strlen (secret));
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) stamp, (size_t) n);
    crypto_auth_hmacsha256_update (&state, body, size);
    crypto_auth_hmacsha256_final (&state, mac);
    sodium_bin2hex (hex, CG_SIGN_HEX, mac, sizeof mac);
}

bool
cg_sign_check (const char *secret, int64_t timestamp, const void *body, size_t size,
               const char *hex)
{
    char want[CG_SIGN_HEX];
    cg_sign (secret, timestamp, body, size, want);
    return hex && strlen (hex) == CG_SIGN_HEX - 1
        && sodium_memcmp (want, hex, CG_SIGN_HEX - 1) == 0;
}
