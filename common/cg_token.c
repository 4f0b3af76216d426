/*  cg_token — see cg_token.h. */
#include "cg_token.h"
#include "cg_base64.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    int role;
    const char *name;
} s_roles[] = {
    { CG_ROLE_OPERATOR, "operator" },
    { CG_ROLE_SUPERVISOR, "supervisor" },
    { CG_ROLE_ADMIN, "admin" },
    { CG_ROLE_GRID, "grid_worker" },
    { CG_ROLE_HOTLINE, "hotline" },
    { CG_ROLE_DEVICE, "device_vendor" },
    { CG_ROLE_OPEN311, "open311" },
    { CG_ROLE_MONITOR, "monitor" },
    { CG_ROLE_AUDITOR, "auditor" },
};
#define S_NROLES (sizeof s_roles / sizeof s_roles[0])

int
cg_role_parse (const char *s)
{
    for (size_t i = 0; s && i < S_NROLES; i++)
        if (strcmp (s_roles[i].name, s) == 0)
            return s_roles[i].role;
    return 0;
}

const char *
cg_role_name (int role)
{
    for (size_t i = 0; i < S_NROLES; i++)
        if (s_roles[i].role == role)
            return s_roles[i].name;
    return "none";
}

void
cg_token_make (char *buf)
{
    unsigned char raw[32];
    if (sodium_init () < 0)
        abort ();
    randombytes_buf (raw, sizeof raw);
    memcpy (buf, "cgt_", 4);
    cg_base64_encode_into (buf + 4, CG_TOKEN_MAX - 4, raw, sizeof raw, CG_BASE64_URL);
}

void
cg_token_hash (const char *token, char *hex)
{
    unsigned char hash[32];
    crypto_generichash (hash, sizeof hash, (const unsigned char *) token, strlen (token),
                        NULL, 0);
    sodium_bin2hex (hex, CG_TOKEN_HASH, hash, sizeof hash);
}

void
cg_token_key (char *buf, size_t len, const char *hash)
{
    snprintf (buf, len, "cg:{gateway}:token:%s", hash);
}
