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

/* --- a hotline's secrets -------------------------------------------------- */

static void
s_secret_key (char *buf, size_t len, const char *kind, const char *source)
{
    /*  the callbacks' secret is notification's, which signs with it; the
        senders' are the gateway's, which checks them */
    snprintf (buf, len, "cg:{%s}:secret:%.16s:%.64s",
              strcmp (kind, CG_SIGN_CALLBACK) == 0 ? "notification" : "gateway", kind, source);
}

int
cg_sign_secrets (cg_redis_t *redis, const char *kind, const char *source,
                 const char *configured, int64_t now, char secrets[2][CG_SIGN_SECRET_MAX])
{
    char key[128];
    s_secret_key (key, sizeof key, kind, source);
    redisReply *r = cg_redis_command (redis, "HMGET %s current previous previous_until", key);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    int n = 0;
    if (*cg_reply_str (r->element[0])) {
        snprintf (secrets[n++], CG_SIGN_SECRET_MAX, "%s", cg_reply_str (r->element[0]));
        if (*cg_reply_str (r->element[1]) && now < cg_reply_int (r->element[2], 0))
            snprintf (secrets[n++], CG_SIGN_SECRET_MAX, "%s", cg_reply_str (r->element[1]));
    }
    else
    if (configured && *configured)
        snprintf (secrets[n++], CG_SIGN_SECRET_MAX, "%s", configured);
    freeReplyObject (r);
    return n;
}

int
cg_sign_rotate (cg_redis_t *redis, const char *kind, const char *source,
                const char *configured, int64_t now, int64_t grace_ms,
                char made[CG_SIGN_SECRET_MAX])
{
    char before[2][CG_SIGN_SECRET_MAX];
    int had = cg_sign_secrets (redis, kind, source, configured, now, before);
    if (had < 0 || sodium_init () < 0)
        return -1;
    unsigned char bytes[32];
    randombytes_buf (bytes, sizeof bytes);
    sodium_bin2hex (made, CG_SIGN_SECRET_MAX, bytes, sizeof bytes);
    sodium_memzero (bytes, sizeof bytes);
    char key[128];
    s_secret_key (key, sizeof key, kind, source);
    redisReply *r = cg_redis_command (redis, "HSET %s current %s previous %s previous_until "
                                      "%lld rotated %lld", key, made, had ? before[0] : "",
                                      (long long) (now + grace_ms), (long long) now);
    int rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : -1;
    if (r)
        freeReplyObject (r);
    sodium_memzero (before, sizeof before);
    return rc;
}
