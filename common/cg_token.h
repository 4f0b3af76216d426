/*  cg_token — API tokens of the gateway, kept only as hashes.

    A token is "cgt_" and 43 characters of URL-safe base64 of 32 random
    bytes (libsodium's randombytes).  It is shown once, when made, and Redis
    keeps only its BLAKE2b-256 hash (libsodium's crypto_generichash), hex,
    as the key of a hash:
        cg:{gateway}:token:<hash>   role, scope, name, created, expires,
                                    last_used (written once a minute at most)
    (ms; a token made before tokens expired has none and lasts until
    revoked).  Its id, for `token list` and `token revoke`, is the start
    of the hash.
    A high-entropy random token needs no slow password hash: nobody can
    guess one, so a fast hash that cannot be reversed is enough, and the
    gateway can look it up on every request.

    Each token has a role and a scope, a node of the org tree: what its
    holder may do, and where.  The CLI makes them (`civgrid token create`);
    the gateway checks them. */
#ifndef CG_TOKEN_H_INCLUDED
#define CG_TOKEN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include "cg_redis.h"

#define CG_TOKEN_MAX    64      /* bytes of a token, with the terminator */
#define CG_TOKEN_HASH   65      /* hex of the hash, with the terminator */

/*  The roles, as bits so that a route can name the roles it lets in. */
typedef enum {
    CG_ROLE_OPERATOR    = 1 << 0,   /* 值班员: works cases of its scope */
    CG_ROLE_SUPERVISOR  = 1 << 1,   /* 督办: operator, and closes and supervises */
    CG_ROLE_ADMIN       = 1 << 2,   /* 管理员: everything within its scope */
    CG_ROLE_GRID        = 1 << 3,   /* 网格员: reports from its grids, sees its cases */
    CG_ROLE_HOTLINE     = 1 << 4,   /* the 12345 system */
    CG_ROLE_DEVICE      = 1 << 5,   /* a device vendor's alarm platform */
    CG_ROLE_OPEN311     = 1 << 6,   /* an Open311 client (its api_key) */
    CG_ROLE_MONITOR     = 1 << 7,   /* Prometheus, a load balancer: /metrics and /healthz only */
    CG_ROLE_AUDITOR     = 1 << 8,   /* 审计员: reads the audit log of its scope, nothing else */
} cg_role_t;

/*  "operator", "supervisor", "admin", "grid_worker", "hotline",
    "device_vendor", "open311", "monitor", "auditor"; 0 when s names no role. */
int cg_role_parse (const char *s);
const char *cg_role_name (int role);

/*  Makes a new token into buf (CG_TOKEN_MAX bytes). */
void cg_token_make (char *buf);

/*  The hex hash of a token (CG_TOKEN_HASH bytes). */
void cg_token_hash (const char *token, char *hex);

/*  The Redis key of a token's record, from its hash. */
void cg_token_key (char *buf, size_t len, const char *hash);

#endif
