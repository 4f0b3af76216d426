/*  cg_user — see cg_user.h. */
#include "cg_user.h"

#include <sodium.h>
#include <stdio.h>
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
