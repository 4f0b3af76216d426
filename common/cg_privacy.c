/*  cg_privacy — see cg_privacy.h. */
#include "cg_privacy.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _cg_privacy_t {
    unsigned char key[crypto_secretbox_KEYBYTES];   /* version 1: fingerprints too */
    unsigned char keys[CG_PRIVACY_VERSIONS + 1][crypto_secretbox_KEYBYTES];
    bool have[CG_PRIVACY_VERSIONS + 1];
    int current;
};

static int
s_key_of (const char *key_hex, unsigned char key[crypto_secretbox_KEYBYTES])
{
    size_t bin_len = 0;
    const char *end = NULL;
    if (!key_hex || strlen (key_hex) != 2 * crypto_secretbox_KEYBYTES
    ||  sodium_hex2bin (key, crypto_secretbox_KEYBYTES, key_hex, strlen (key_hex), NULL,
                        &bin_len, &end) != 0
    ||  bin_len != crypto_secretbox_KEYBYTES || *end)
        return -1;
    return 0;
}

void
cg_mask_phone (const char *phone, char *out, size_t len)
{
    size_t n = strlen (phone);
    if (n <= 7)
        snprintf (out, len, "****");
    else
        snprintf (out, len, "%.3s****%s", phone, phone + n - 4);
}

void
cg_mask_name (const char *name, char *out, size_t len)
{
    size_t first = *name ? 1 : 0, chars = 0;
    while (name[first] && ((unsigned char) name[first] & 0xc0) == 0x80)
        first++;
    for (const char *p = name + first; *p; p++)
        chars += ((unsigned char) *p & 0xc0) != 0x80;
    if (chars > 3)
        chars = 3;
    if (chars == 0)
        chars = 1;      /* even a one-character name is not shown whole */
    snprintf (out, len, "%.*s%.*s", (int) first, name, (int) chars, "***");
}

void
cg_mask_email (const char *email, char *out, size_t len)
{
    const char *at = strchr (email, '@');
    size_t first = *email && email != at ? 1 : 0;
    while (email[first] && ((unsigned char) email[first] & 0xc0) == 0x80)
        first++;
    snprintf (out, len, "%.*s***%s", (int) first, email, at ? at : "");
}

cg_privacy_t *
cg_privacy_new (const char *key_hex)
{
    if (sodium_init () < 0 || !key_hex)
        return NULL;
    cg_privacy_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    if (s_key_of (key_hex, self->key)) {
        free (self);
        return NULL;
    }
    memcpy (self->keys[1], self->key, sizeof self->key);
    self->have[1] = true;
    self->current = 1;
    return self;
}

int
cg_privacy_add (cg_privacy_t *self, int version, const char *key_hex)
{
    if (version < 2 || version > CG_PRIVACY_VERSIONS || s_key_of (key_hex, self->keys[version]))
        return -1;
    self->have[version] = true;
    if (version > self->current)
        self->current = version;
    return 0;
}

int
cg_privacy_current (cg_privacy_t *self)
{
    return self->current;
}

int
cg_privacy_version_of (const char *sealed)
{
    if (!sealed || *sealed != 'v')
        return sealed && *sealed ? 1 : 0;
    char *end = NULL;
    long v = strtol (sealed + 1, &end, 10);
    return end && *end == ':' && v >= 2 && v <= CG_PRIVACY_VERSIONS ? (int) v : 0;
}

cg_privacy_t *
cg_privacy_load (zconfig_t *config, char *err, size_t errlen)
{
    cg_privacy_t *self = cg_privacy_new (zconfig_get (config, "intake/key", NULL));
    if (!self) {
        snprintf (err, errlen, "intake/key is not a key of 64 hex digits");
        return NULL;
    }
    zconfig_t *keys = zconfig_locate (config, "intake/keys");
    for (zconfig_t *k = keys ? zconfig_child (keys) : NULL; k; k = zconfig_next (k)) {
        char *end = NULL;
        long version = strtol (zconfig_name (k), &end, 10);
        if (!end || *end || version < 2 || version > CG_PRIVACY_VERSIONS
        ||  cg_privacy_add (self, (int) version, zconfig_value (k))) {
            snprintf (err, errlen, "intake/keys/%s: want a version from 2 to %d and a key of 64 "
                      "hex digits", zconfig_name (k), CG_PRIVACY_VERSIONS);
            cg_privacy_destroy (&self);
            return NULL;
        }
    }
    return self;
}

void
cg_privacy_destroy (cg_privacy_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sodium_memzero ((*self_p)->key, sizeof (*self_p)->key);
    sodium_memzero ((*self_p)->keys, sizeof (*self_p)->keys);
    free (*self_p);
    *self_p = NULL;
}

int
cg_privacy_seal (cg_privacy_t *self, const char *plain, char *out, size_t len)
{
    size_t n = strlen (plain);
    if (len < CG_SEALED_LEN (n))
        return -1;
    size_t box_len = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *box = malloc (box_len);
    if (!box)
        return -1;
    randombytes_buf (box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy (box + crypto_secretbox_NONCEBYTES, (const unsigned char *) plain,
                           n, box, self->keys[self->current]);
    /*  version 1's values are bare hex, as they were before versions */
    int prefix = self->current > 1 ? snprintf (out, len, "v%d:", self->current) : 0;
    sodium_bin2hex (out + prefix, len - prefix, box, box_len);
    free (box);
    return 0;
}

int
cg_privacy_open (cg_privacy_t *self, const char *sealed, char *out, size_t len)
{
    int version = cg_privacy_version_of (sealed);
    if (!version || !self->have[version])
        return -1;              /* malformed, or a version this sealer lacks */
    if (version > 1)
        sealed = strchr (sealed, ':') + 1;
    size_t hex_len = strlen (sealed);
    size_t overhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    if (hex_len % 2 || hex_len / 2 < overhead || hex_len / 2 - overhead >= len)
        return -1;
    size_t box_len = hex_len / 2, bin_len = 0;
    unsigned char *box = malloc (box_len);
    if (!box)
        return -1;
    const char *end = NULL;
    int rc = -1;
    if (sodium_hex2bin (box, box_len, sealed, hex_len, NULL, &bin_len, &end) == 0
    &&  bin_len == box_len && !*end
    &&  crypto_secretbox_open_easy ((unsigned char *) out, box + crypto_secretbox_NONCEBYTES,
                                    box_len - crypto_secretbox_NONCEBYTES, box,
                                    self->keys[version]) == 0) {
        out[box_len - overhead] = 0;
        rc = 0;
    }
    free (box);
    return rc;
}

void
cg_privacy_fingerprint (cg_privacy_t *self, const char *phone, char *out, size_t len)
{
    char digits[64];
    size_t n = 0;
    for (const char *p = phone; *p && n < sizeof digits - 1; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = 0;
    const char *number = digits;
    if (n > 4 && memcmp (digits, "0086", 4) == 0)
        number += 4;
    else
    if (n == 13 && memcmp (digits, "86", 2) == 0)
        number += 2;
    unsigned char hash[16];
    crypto_generichash (hash, sizeof hash, (const unsigned char *) number, strlen (number),
                        self->key, sizeof self->key);
    sodium_bin2hex (out, len, hash, sizeof hash);
}

void
cg_privacy_new_key (char out[65])
{
    unsigned char key[crypto_secretbox_KEYBYTES];
    if (sodium_init () < 0)
        abort ();
    randombytes_buf (key, sizeof key);
    sodium_bin2hex (out, 65, key, sizeof key);
    sodium_memzero (key, sizeof key);
}
