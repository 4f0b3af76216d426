/*  cg_cursor — where a page of a list ended, as an opaque token.

    Every list civgrid answers (a queue of cases, topics, deliveries, the
    audit log) is a Redis sorted set, and is paged by keyset: the next page
    starts after the last item given, named by its place in the set, its
    score and its id (items of one score are in the order of their ids, as
    Redis keeps them).  Unlike an offset, that place does not move when
    items arrive: a page never repeats an item nor skips one that was there
    when paging began, however many cases come in meanwhile.

    The token (`next` in a page, `cursor` in the query that follows it) is
    base64url of

        list \x1f score \x1f id \x1f issued \x1f HMAC-SHA256 (the rest)[0..16)

    under the stack's key (civgrid/cursor_key, 64 hex digits, which
    `civgrid stack up` writes), so that every daemon and the gateway read
    one another's.  `list` names the list the token belongs to (the command
    and what it was asked for: cg_cursor_list), `issued` when it was made.
    A token that was altered or is no token at all, one from another list
    and one older than CG_CURSOR_TTL_MS are refused with a sentence for the
    caller, never answered with a wrong page.

    An id goes into the token in its cursor form (cg_cursor_id), and the
    members of a page are compared with the token's id in that same form
    (cg_cursor_idcmp), so that no id is ever cut: an id shorter than
    CG_CURSOR_ID_MAX is its own form (tokens made before the form existed
    read as they did); a longer one (a delivery id runs to 160 bytes) is
    its first CG_CURSOR_ID_KEEP bytes, CG_CURSOR_ID_MARK and 16 characters
    of base64url of a BLAKE2b of the whole id, 63 bytes in all.  Members
    whose first CG_CURSOR_ID_KEEP bytes differ from the token's id are
    placed by those bytes, as Redis orders them; those that share them are
    one run in Redis's order, and the token's own member (its form equal)
    marks where the page left off within it.  Should that member be gone
    when the next page is read (a dead letter retried in between), the
    run's other members of its score are given again: a page may then
    repeat some of them, but never skips one. */
#ifndef CG_CURSOR_H_INCLUDED
#define CG_CURSOR_H_INCLUDED

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cg_msg.h"          /* CG_CURSOR_MAX: bytes of a token at most */
#include "cg_redis.h"

#define CG_CURSOR_LIST_MAX  128     /* bytes of a list's name at most */
#define CG_CURSOR_ID_MAX    64      /* bytes of an item's id at most, and its terminator */
#define CG_CURSOR_TTL_MS    (24 * 3600 * INT64_C (1000))   /* a token older is stale */
#define CG_CURSOR_ID_KEEP   46      /* bytes of a long id its cursor form keeps as they are */
#define CG_CURSOR_ID_MARK   '\x1e'  /* after them in the form: no id holds it */
#define CG_CURSOR_NEAR      INT_MIN /* cg_cursor_idcmp: order unknown */

/*  A place in a list: the score and id of the last item given. */
typedef struct {
    int64_t pos;
    char id[CG_CURSOR_ID_MAX];
} cg_cursor_at_t;

typedef struct _cg_cursor_t cg_cursor_t;

/*  Writes the cursor form of an item's id into out (CG_CURSOR_ID_MAX
    bytes): the id itself when it is shorter, else its first
    CG_CURSOR_ID_KEEP bytes, CG_CURSOR_ID_MARK and a digest of the whole.
    Every place kept in a cg_cursor_at_t takes its id through this. */
void cg_cursor_id (char *out, const char *id);

/*  Where the item id stands against form (a cursor's id, made by
    cg_cursor_id) in Redis's byte order: -1 before, 0 the same item, 1
    after; CG_CURSOR_NEAR when form is a long id's, id is another that
    shares its first CG_CURSOR_ID_KEEP bytes, and so its order is unknown:
    the caller decides by the order it meets items in. */
int cg_cursor_idcmp (const char *id, const char *form);

/*  A codec under hexkey (64 hex digits).  Without one (NULL, "", or not 64
    hex digits) it makes a random key: its tokens are then good only with
    this codec, so the caller should warn. */
cg_cursor_t *cg_cursor_new (const char *hexkey);
void cg_cursor_destroy (cg_cursor_t **self_p);
/*  True when the codec runs under a random key of its own. */
bool cg_cursor_keyless (cg_cursor_t *self);

/*  The name of the list a query asks for: the command and every filter
    the query holds (each field of def but rid, cursor and limit; absent
    written "-"), joined by '/'.  E.g. case.list/-/320602001/-/dispatched/-.
    So a daemon that answers and the gateway that gathers from it name a
    list alike, without either spelling the other's keys. */
void cg_cursor_list (char *buf, size_t len, const char *command, const cg_msgdef_t *def,
                     const void *query);

/*  Writes the token for `at` in list, made at now, into out (at least
    CG_CURSOR_MAX bytes). */
void cg_cursor_encode (cg_cursor_t *self, const char *list, const cg_cursor_at_t *at,
                       int64_t now, char *out, size_t outlen);

/*  Reads token for list at now.  Returns 0 with the place in *at, or -1
    with why (a sentence that begins after "cursor "): "was altered or is
    not a cursor of civgrid", "belongs to another list ...", "is stale ...". */
int cg_cursor_decode (cg_cursor_t *self, const char *token, const char *list, int64_t now,
                      cg_cursor_at_t *at, char *why, size_t whylen);

/*  One page of a sorted set, by keyset: the members after `after` (from
    the first when NULL), lowest score first or, when desc, highest first. */
typedef struct {
    char **ids;
    int64_t *pos;
    size_t count;
} cg_zpage_t;

/*  Reads at most limit members of key after `after` into page.  Returns
    0, or -1 when Redis failed (page is then empty). */
int cg_zpage_read (cg_redis_t *redis, const char *key, bool desc, const cg_cursor_at_t *after,
                   size_t limit, cg_zpage_t *page);
void cg_zpage_free (cg_zpage_t *page);

/*  Reads the `cursor` of query (of def, asking for command's list) at
    now: 0 with *given false when it has none, or true and the place in
    *after; -1 with err (field cursor) when it is refused.  The name of
    the list goes in list (CG_CURSOR_LIST_MAX bytes), to make the next. */
int cg_cursor_query (cg_cursor_t *self, const char *command, const cg_msgdef_t *def,
                     const void *query, int64_t now, char *list, bool *given,
                     cg_cursor_at_t *after, cg_error_t *err);

/*  One page of a list a daemon answers from the sorted set key: reads the
    query's `cursor` (a query of def, asking for command's list), then the
    members after it, at most limit, into ids; the list's size into
    *total; the cursor of the next page into next (CG_CURSOR_MAX bytes;
    "" on the last page).  Returns 0, or -1 with err: a cursor refused
    (field cursor, code invalid) or Redis unreachable (code unavailable). */
int cg_cursor_page (cg_cursor_t *self, cg_redis_t *redis, const char *command,
                    const cg_msgdef_t *def, const void *query, const char *key, bool desc,
                    int64_t limit, cg_zpage_t *ids, int64_t *total, char *next,
                    cg_error_t *err);

/*  The same for a Redis list kept newest first by LPUSH and capped from
    its tail by LTRIM (an inbox, a recent log): items is LRANGE's answer
    for the page (at most limit elements, the caller frees it).  Such a
    list has no scores, so the cursor holds the index the last element had
    when it was given and a hash of its bytes: pushes since then moved it
    further from the head, trims never did, so it is looked for from that
    index on; when the trim took it, the page is the end of the list. */
int cg_cursor_lpage (cg_cursor_t *self, cg_redis_t *redis, const char *command,
                     const cg_msgdef_t *def, const void *query, const char *key,
                     int64_t limit, redisReply **items, int64_t *total, char *next,
                     cg_error_t *err);

#endif
