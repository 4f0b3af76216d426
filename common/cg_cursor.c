/*  cg_cursor — see cg_cursor.h.  libsodium's HMAC-SHA256, and base64url (cg_base64). */
#include "cg_cursor.h"
#include "cg_base64.h"
#include "cg_clock.h"
#include "cg_text.h"
#include <assert.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S_SEP       '\x1f'      /* between the parts of a token: no name or id holds it */
#define S_MAC       16          /* bytes of the HMAC kept */

struct _cg_cursor_t {
    unsigned char key[crypto_auth_hmacsha256_KEYBYTES];
    bool keyless;
};

cg_cursor_t *
cg_cursor_new (const char *hexkey)
{
    if (sodium_init () < 0)
        return NULL;
    cg_cursor_t *self = calloc (1, sizeof *self);
    assert (self);
    size_t n = 0;
    if (!hexkey || strlen (hexkey) != 2 * sizeof self->key
    ||  sodium_hex2bin (self->key, sizeof self->key, hexkey, strlen (hexkey), NULL, &n, NULL)
    ||  n != sizeof self->key) {
        randombytes_buf (self->key, sizeof self->key);
        self->keyless = true;
    }
    return self;
}

void
cg_cursor_destroy (cg_cursor_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sodium_memzero ((*self_p)->key, sizeof (*self_p)->key);
    free (*self_p);
    *self_p = NULL;
}

bool
cg_cursor_keyless (cg_cursor_t *self)
{
    return self->keyless;
}

/*  A field's value in text, or "-" when absent. */
static void
s_field_text (const char *key, const char *value, size_t len, void *arg)
{
    char **text = arg;
    if (strcmp (key, *text) == 0)
        *text = cg_strfmt ("%.*s", (int) len, value);
}

void
cg_cursor_list (char *buf, size_t len, const char *command, const cg_msgdef_t *def,
                const void *query)
{
    size_t at = (size_t) snprintf (buf, len, "%s", command);
    for (size_t i = 0; i < def->nfields && at < len; i++) {
        const char *key = def->fields[i].key;
        if (def->fields[i].type == CG_F_LIST || def->fields[i].type == CG_F_STRS
        ||  strcmp (key, "rid") == 0 || strcmp (key, "cursor") == 0
        ||  strcmp (key, "limit") == 0)
            continue;
        char *text = (char *) key;
        cg_msg_fields (def, query, s_field_text, &text);
        bool found = text != key;
        bool zero = found && def->fields[i].type != CG_F_STR && strcmp (text, "0") == 0;
        at += (size_t) snprintf (buf + at, len - at, "/%s",
                                 found && *text && !zero ? text : "-");
        if (found)
            free (text);
    }
}

static void
s_mac (cg_cursor_t *self, const char *text, size_t size, unsigned char mac[S_MAC])
{
    unsigned char full[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init (&state, self->key, sizeof self->key);
    crypto_auth_hmacsha256_update (&state, (const unsigned char *) text, size);
    crypto_auth_hmacsha256_final (&state, full);
    memcpy (mac, full, S_MAC);
}

void
cg_cursor_encode (cg_cursor_t *self, const char *list, const cg_cursor_at_t *at, int64_t now,
                  char *out, size_t outlen)
{
    char raw[CG_CURSOR_LIST_MAX + CG_CURSOR_ID_MAX + 48 + S_MAC];
    int n = snprintf (raw, sizeof raw, "%.*s%c%" PRId64 "%c%.*s%c%" PRId64 "%c",
                      CG_CURSOR_LIST_MAX - 1, list, S_SEP, at->pos, S_SEP,
                      CG_CURSOR_ID_MAX - 1, at->id, S_SEP, now, S_SEP);
    assert (n > 0 && (size_t) n + S_MAC <= sizeof raw);
    s_mac (self, raw, (size_t) n, (unsigned char *) raw + n);
    assert (outlen >= cg_base64_size (sizeof raw, CG_BASE64_URL));
    cg_base64_encode_into (out, outlen, raw, (size_t) n + S_MAC, CG_BASE64_URL);
}

/*  Takes the text up to the next separator out of *p into a string. */
static bool
s_part (char **p, const char *end, char *buf, size_t len)
{
    char *sep = memchr (*p, S_SEP, (size_t) (end - *p));
    if (!sep || (size_t) (sep - *p) >= len)
        return false;
    memcpy (buf, *p, (size_t) (sep - *p));
    buf[sep - *p] = 0;
    *p = sep + 1;
    return true;
}

static bool
s_int (const char *text, int64_t *v)
{
    char *end;
    *v = strtoll (text, &end, 10);
    return *text && !*end;
}

int
cg_cursor_decode (cg_cursor_t *self, const char *token, const char *list, int64_t now,
                  cg_cursor_at_t *at, char *why, size_t whylen)
{
    char raw[CG_CURSOR_MAX];
    size_t size = 0;
    const char *bad = "was altered or is not a cursor of civgrid; start again from the "
                      "first page (without cursor)";
    if (!token || strlen (token) >= CG_CURSOR_MAX
    ||  cg_base64_decode_into (raw, sizeof raw, token, &size, CG_BASE64_URL)
    ||  size <= S_MAC) {
        snprintf (why, whylen, "%s", bad);
        return -1;
    }
    unsigned char mac[S_MAC];
    s_mac (self, raw, size - S_MAC, mac);
    if (sodium_memcmp (mac, raw + size - S_MAC, S_MAC) != 0) {
        snprintf (why, whylen, "%s", bad);
        return -1;
    }
    char *p = raw, *end = raw + size - S_MAC;
    char name[CG_CURSOR_LIST_MAX], pos[24], issued_text[24];
    int64_t issued;
    if (!s_part (&p, end, name, sizeof name) || !s_part (&p, end, pos, sizeof pos)
    ||  !s_part (&p, end, at->id, sizeof at->id) || !s_part (&p, end, issued_text,
                                                               sizeof issued_text)
    ||  p != end || !s_int (pos, &at->pos) || !s_int (issued_text, &issued)) {
        snprintf (why, whylen, "%s", bad);
        return -1;
    }
    if (strcmp (name, list) != 0) {
        snprintf (why, whylen, "belongs to another list (%s, not %s); a cursor goes back "
                  "with the query that gave it", name, list);
        return -1;
    }
    if (now - issued > CG_CURSOR_TTL_MS || issued - now > CG_CURSOR_TTL_MS) {
        snprintf (why, whylen, "is stale: it was made more than %d hours ago; start again "
                  "from the first page (without cursor)", (int) (CG_CURSOR_TTL_MS / 3600000));
        return -1;
    }
    return 0;
}

/* --- reading a sorted set by keyset ---------------------------------------- */

void
cg_zpage_free (cg_zpage_t *page)
{
    for (size_t i = 0; i < page->count; i++)
        free (page->ids[i]);
    free (page->ids);
    free (page->pos);
    memset (page, 0, sizeof *page);
}

/*  Whether member (id, pos) comes after `after` in the order asked. */
static bool
s_after (const char *id, int64_t pos, const cg_cursor_at_t *after, bool desc)
{
    if (pos != after->pos)
        return desc ? pos < after->pos : pos > after->pos;
    int c = strcmp (id, after->id);
    return desc ? c < 0 : c > 0;
}

int
cg_zpage_read (cg_redis_t *redis, const char *key, bool desc, const cg_cursor_at_t *after,
               size_t limit, cg_zpage_t *page)
{
    memset (page, 0, sizeof *page);
    page->ids = calloc (limit ? limit : 1, sizeof (char *));
    page->pos = calloc (limit ? limit : 1, sizeof (int64_t));
    assert (page->ids && page->pos);
    /*  From the first member of after's score on, in chunks: members of
        that score that come before it (or are it) are passed over, however
        many share it. */
    size_t chunk = limit + 16;
    for (size_t offset = 0; page->count < limit; offset += chunk) {
        redisReply *r;
        if (!after)
            r = cg_redis_command (redis, desc ? "ZREVRANGE %s %lld %lld WITHSCORES"
                                              : "ZRANGE %s %lld %lld WITHSCORES",
                                  key, (long long) offset, (long long) (offset + chunk - 1));
        else
            r = cg_redis_command (redis, desc ? "ZREVRANGEBYSCORE %s %lld -inf WITHSCORES "
                                                "LIMIT %lld %lld"
                                              : "ZRANGEBYSCORE %s %lld +inf WITHSCORES "
                                                "LIMIT %lld %lld",
                                  key, (long long) after->pos, (long long) offset,
                                  (long long) chunk);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            if (r)
                freeReplyObject (r);
            cg_zpage_free (page);
            return -1;
        }
        size_t got = r->elements / 2;
        for (size_t i = 0; i < got && page->count < limit; i++) {
            const char *id = r->element[2 * i]->str;
            int64_t pos = (int64_t) strtod (r->element[2 * i + 1]->str, NULL);
            if (after && !s_after (id, pos, after, desc))
                continue;
            page->ids[page->count] = strdup (id);
            assert (page->ids[page->count]);
            page->pos[page->count++] = pos;
        }
        freeReplyObject (r);
        if (got < chunk)
            break;
    }
    return 0;
}

int
cg_cursor_query (cg_cursor_t *self, const char *command, const cg_msgdef_t *def,
                 const void *query, int64_t now, char *list, bool *given,
                 cg_cursor_at_t *after, cg_error_t *err)
{
    char why[256];
    cg_cursor_list (list, CG_CURSOR_LIST_MAX, command, def, query);
    const char *cursor = NULL;
    for (size_t i = 0; i < def->nfields; i++)
        if (def->fields[i].type == CG_F_STR && strcmp (def->fields[i].key, "cursor") == 0)
            cursor = *(char *const *) ((const char *) query + def->fields[i].offset);
    *given = cursor != NULL;
    if (cursor && cg_cursor_decode (self, cursor, list, now, after, why, sizeof why)) {
        cg_error_set (err, "invalid", "cursor", "cursor %s", why);
        return -1;
    }
    return 0;
}

/*  Where a page of the list at key starts: what a page of both kinds
    reads first.  The query's cursor (*given, *after), the list's name and
    the time, and the list's size by count (ZCARD, LLEN) into *total.
    0, or -1 with err. */
typedef struct {
    char list[CG_CURSOR_LIST_MAX];
    bool given;
    cg_cursor_at_t after;
    int64_t now;
} s_start_t;

static int
s_start (cg_cursor_t *self, cg_redis_t *redis, const char *command, const cg_msgdef_t *def,
         const void *query, const char *count, const char *key, s_start_t *start,
         int64_t *total, cg_error_t *err)
{
    start->now = cg_clock_now ();
    if (cg_cursor_query (self, command, def, query, start->now, start->list, &start->given,
                         &start->after, err))
        return -1;
    redisReply *r = cg_redis_command (redis, "%s %s", count, key);
    *total = cg_reply_int (r, 0);
    int rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : -1;
    if (r)
        freeReplyObject (r);
    if (rc)
        cg_error_set (err, "unavailable", "", "the store cannot be reached");
    return rc;
}

int
cg_cursor_page (cg_cursor_t *self, cg_redis_t *redis, const char *command,
                const cg_msgdef_t *def, const void *query, const char *key, bool desc,
                int64_t limit, cg_zpage_t *ids, int64_t *total, char *next, cg_error_t *err)
{
    memset (ids, 0, sizeof *ids);
    *next = 0;
    s_start_t start;
    if (s_start (self, redis, command, def, query, "ZCARD", key, &start, total, err))
        return -1;
    if (cg_zpage_read (redis, key, desc, start.given ? &start.after : NULL, (size_t) limit + 1,
                       ids)) {
        cg_error_set (err, "unavailable", "", "the store cannot be reached");
        return -1;
    }
    /*  one more was read than is given: when it is there, so is a next page */
    if (ids->count > (size_t) limit) {
        while (ids->count > (size_t) limit)
            free (ids->ids[--ids->count]);
        cg_cursor_at_t at = { .pos = ids->pos[limit - 1] };
        snprintf (at.id, sizeof at.id, "%s", ids->ids[limit - 1]);
        cg_cursor_encode (self, start.list, &at, start.now, next, CG_CURSOR_MAX);
    }
    return 0;
}

/*  An element's identity in a list: the hex of a hash of its bytes. */
static void
s_element_id (const redisReply *e, char *out, size_t len)
{
    unsigned char hash[8];
    crypto_generichash (hash, sizeof hash, (const unsigned char *) e->str, e->len, NULL, 0);
    sodium_bin2hex (out, len, hash, sizeof hash);
}

#define S_LSCAN 256         /* elements read at once while looking for the cursor's */

int
cg_cursor_lpage (cg_cursor_t *self, cg_redis_t *redis, const char *command,
                 const cg_msgdef_t *def, const void *query, const char *key, int64_t limit,
                 redisReply **items, int64_t *total, char *next, cg_error_t *err)
{
    *items = NULL;
    *next = 0;
    s_start_t begin;
    if (s_start (self, redis, command, def, query, "LLEN", key, &begin, total, err))
        return -1;
    const cg_cursor_at_t *after = &begin.after;
    int rc = 0;
    /*  where the page starts: after the cursor's element, from its old index on */
    int64_t start = 0;
    for (int64_t at = begin.given ? (after->pos > 0 ? after->pos : 0) : -1; rc == 0 && at >= 0; ) {
        redisReply *r = cg_redis_command (redis, "LRANGE %s %lld %lld", key, (long long) at,
                                          (long long) (at + S_LSCAN - 1));
        if (!r || r->type != REDIS_REPLY_ARRAY)
            rc = -1;
        else
        if (r->elements == 0) {
            start = *total;     /* trimmed away: the end */
            at = -1;
        }
        else {
            for (size_t i = 0; i < r->elements && at >= 0; i++) {
                char id[CG_CURSOR_ID_MAX];
                s_element_id (r->element[i], id, sizeof id);
                if (strcmp (id, after->id) == 0) {
                    start = at + (int64_t) i + 1;
                    at = -1;
                }
            }
            if (at >= 0)
                at += (int64_t) r->elements;
        }
        if (r)
            freeReplyObject (r);
    }
    redisReply *r = rc ? NULL : cg_redis_command (redis, "LRANGE %s %lld %lld", key,
                                                  (long long) start,
                                                  (long long) (start + limit));
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject (r);
        cg_error_set (err, "unavailable", "", "the store cannot be reached");
        return -1;
    }
    if ((int64_t) r->elements > limit) {
        while ((int64_t) r->elements > limit)
            freeReplyObject (r->element[--r->elements]);
        cg_cursor_at_t at = { .pos = start + limit - 1 };
        s_element_id (r->element[limit - 1], at.id, sizeof at.id);
        cg_cursor_encode (self, begin.list, &at, begin.now, next, CG_CURSOR_MAX);
    }
    *items = r;
    return 0;
}
