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

/* --- an item's id in a cursor -------------------------------------------- */

#define S_DIGEST    12      /* bytes of BLAKE2b in a long id's form: 16 base64url characters */

/*  A form of a long id: 63 bytes with the mark where cg_cursor_id puts it. */
static bool
s_long_form (const char *form)
{
    return strlen (form) == CG_CURSOR_ID_MAX - 1 && form[CG_CURSOR_ID_KEEP] == CG_CURSOR_ID_MARK;
}

void
cg_cursor_id (char *out, const char *id)
{
    size_t len = strlen (id);
    if (len < CG_CURSOR_ID_MAX) {
        memcpy (out, id, len + 1);
        return;
    }
    unsigned char digest[S_DIGEST];
    crypto_generichash (digest, sizeof digest, (const unsigned char *) id, len, NULL, 0);
    memcpy (out, id, CG_CURSOR_ID_KEEP);
    out[CG_CURSOR_ID_KEEP] = CG_CURSOR_ID_MARK;
    sodium_bin2base64 (out + CG_CURSOR_ID_KEEP + 1, CG_CURSOR_ID_MAX - CG_CURSOR_ID_KEEP - 1,
                       digest, sizeof digest, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    assert (s_long_form (out));
}

int
cg_cursor_idcmp (const char *id, const char *form)
{
    if (!s_long_form (form)) {
        int c = strcmp (id, form);
        return (c > 0) - (c < 0);
    }
    int c = strncmp (id, form, CG_CURSOR_ID_KEEP);
    if (c)
        return (c > 0) - (c < 0);
    char mine[CG_CURSOR_ID_MAX];
    cg_cursor_id (mine, id);
    return strcmp (mine, form) == 0 ? 0 : CG_CURSOR_NEAR;
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

/*  Where a member of a sorted set stands against a page's `after`. */
typedef enum { S_BEFORE, S_IT, S_AFTER, S_NEAR } s_where_t;

static s_where_t
s_where (const char *id, int64_t pos, const cg_cursor_at_t *after, bool desc)
{
    if (pos != after->pos)
        return (desc ? pos < after->pos : pos > after->pos) ? S_AFTER : S_BEFORE;
    int c = cg_cursor_idcmp (id, after->id);
    if (c == CG_CURSOR_NEAR)
        return S_NEAR;
    return c == 0 ? S_IT : (desc ? c < 0 : c > 0) ? S_AFTER : S_BEFORE;
}

static void
s_page_add (cg_zpage_t *page, size_t limit, const char *id, int64_t pos)
{
    if (page->count >= limit)
        return;
    page->ids[page->count] = strdup (id);
    assert (page->ids[page->count]);
    page->pos[page->count++] = pos;
}

/*  Members held while it is not known whether they come after `after`. */
typedef struct {
    char **ids;
    int64_t *pos;
    size_t count, cap;
} s_held_t;

static void
s_held_add (s_held_t *held, const char *id, int64_t pos)
{
    if (held->count == held->cap) {
        held->cap = held->cap ? 2 * held->cap : 16;
        held->ids = realloc (held->ids, held->cap * sizeof (char *));
        held->pos = realloc (held->pos, held->cap * sizeof (int64_t));
        assert (held->ids && held->pos);
    }
    held->ids[held->count] = strdup (id);
    assert (held->ids[held->count]);
    held->pos[held->count++] = pos;
}

/*  Lets the held members go, into page first when give. */
static void
s_held_flush (s_held_t *held, cg_zpage_t *page, size_t limit, bool give)
{
    for (size_t i = 0; i < held->count; i++) {
        if (give)
            s_page_add (page, limit, held->ids[i], held->pos[i]);
        free (held->ids[i]);
    }
    held->count = 0;
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
        many share it.  Members that share the first bytes of a long id of
        after's (S_NEAR) are one run in Redis's order: those met before
        after's own member were given, those after it were not; when the
        run ends and after's member was not in it (it was removed), the run
        is given, a repeat rather than a skip. */
    bool passed = false;
    s_held_t held = { 0 };
    int rc = 0;
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
            rc = -1;
            break;
        }
        size_t got = r->elements / 2;
        for (size_t i = 0; i < got && page->count < limit; i++) {
            const char *id = r->element[2 * i]->str;
            int64_t pos = (int64_t) strtod (r->element[2 * i + 1]->str, NULL);
            s_where_t where = after ? s_where (id, pos, after, desc) : S_AFTER;
            if (where == S_IT) {
                passed = true;
                s_held_flush (&held, page, limit, false);
            }
            else
            if (where == S_NEAR && !passed)
                s_held_add (&held, id, pos);
            else
            if (where != S_BEFORE) {
                passed = true;
                s_held_flush (&held, page, limit, true);
                s_page_add (page, limit, id, pos);
            }
        }
        freeReplyObject (r);
        if (got < chunk)
            break;
    }
    s_held_flush (&held, page, limit, rc == 0);
    free (held.ids);
    free (held.pos);
    if (rc)
        cg_zpage_free (page);
    return rc;
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
        cg_cursor_id (at.id, ids->ids[limit - 1]);
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
