/*  cg_user — see cg_user.h. */
#include "cg_user.h"

#include <gnutls/crypto.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
cg_user_key (char *buf, size_t len, const char *name)
{
    snprintf (buf, len, "cg:{gateway}:user:%s", name);
}

void
cg_user_sessions_key (char *buf, size_t len, const char *name)
{
    snprintf (buf, len, "cg:{gateway}:sessions:%s", name);
}

bool
cg_user_name_ok (const char *name)
{
    size_t len = name ? strlen (name) : 0;
    if (len == 0 || len > CG_USER_NAME_MAX)
        return false;
    for (const unsigned char *c = (const unsigned char *) name; *c; c++)
        if (!(*c >= 0x80 || (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z')
        ||    (*c >= 'A' && *c <= 'Z') || *c == '.' || *c == '_' || *c == '-'))
            return false;
    return true;
}

int
cg_user_hash (const char *password, char hash[CG_USER_HASH_MAX])
{
    if (sodium_init () < 0)
        return -1;
    return crypto_pwhash_str (hash, password, strlen (password),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) ? -1 : 0;
}

bool
cg_user_verify (const char *hash, const char *password)
{
    if (sodium_init () < 0 || !hash || !*hash)
        return false;
    return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

/* --- TOTP ----------------------------------------------------------------- */

static const char s_base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void
cg_totp_secret (char secret[CG_TOTP_SECRET_MAX])
{
    unsigned char bytes[20];
    if (sodium_init () < 0)
        abort ();
    randombytes_buf (bytes, sizeof bytes);
    size_t out = 0;
    for (size_t bit = 0; bit < sizeof bytes * 8; bit += 5) {
        size_t byte = bit / 8, shift = bit % 8;
        unsigned v = (unsigned) bytes[byte] << 8 | (byte + 1 < sizeof bytes ? bytes[byte + 1] : 0);
        secret[out++] = s_base32[(v >> (11 - shift)) & 31];
    }
    secret[out] = 0;
    sodium_memzero (bytes, sizeof bytes);
}

int
cg_totp_code (const char *secret, int64_t step)
{
    unsigned char key[40];
    size_t len = 0;
    unsigned acc = 0;
    int bits = 0;
    for (const char *c = secret; *c; c++) {
        const char *at = strchr (s_base32, *c);
        if (!at || !*c || len == sizeof key)
            return -1;
        acc = acc << 5 | (unsigned) (at - s_base32);
        bits += 5;
        if (bits >= 8) {
            key[len++] = (unsigned char) (acc >> (bits - 8));
            bits -= 8;
        }
    }
    unsigned char counter[8], mac[20];
    for (int i = 7; i >= 0; i--, step >>= 8)
        counter[i] = (unsigned char) (step & 0xff);
    if (len == 0 || gnutls_hmac_fast (GNUTLS_MAC_SHA1, key, len, counter, sizeof counter, mac))
        return -1;
    sodium_memzero (key, sizeof key);
    int offset = mac[19] & 0x0f;
    uint32_t binary = (uint32_t) (mac[offset] & 0x7f) << 24 | (uint32_t) mac[offset + 1] << 16
                    | (uint32_t) mac[offset + 2] << 8 | mac[offset + 3];
    return (int) (binary % 1000000);
}

int64_t
cg_totp_check (const char *secret, const char *code, int64_t now, int64_t last_step)
{
    if (!code || strlen (code) != 6 || strspn (code, "0123456789") != 6)
        return -1;
    int want = atoi (code);
    int64_t step = now / CG_TOTP_STEP_MS;
    for (int64_t s = step - 1; s <= step + 1; s++)
        if (s > last_step && cg_totp_code (secret, s) == want)
            return s;
    return -1;
}
