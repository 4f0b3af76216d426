/*  cg_msg — the table-driven codec behind every message.

    Encoding walks a message's field table and packs what is present with
    msgpack-c's packer.  Decoding does not use msgpack-c's unpacker: that
    one trusts a container's declared count and allocates for it before the
    bytes are there, so a five-byte frame could ask for gigabytes.  Instead a
    small reader (s_reader_t) takes one msgpack head at a time, checks every
    length against the bytes left, and the decoder matches each key against
    the field table, type-checks and range-checks the value, and copies it
    out.  Whatever goes wrong, the decoder frees what it copied and says
    which field and why.
*/
#include "cg_msg.h"
#include "cg_text.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the generated tables ----------------------------------------------- */

#define CG_COUNT_STR(m, name)   0
#define CG_COUNT_INT(m, name)   0
#define CG_COUNT_BOOL(m, name)  0
#define CG_COUNT_STRS(m, name)  offsetof (cg_##m##_t, name##_count)
#define CG_COUNT_LIST(m, name)  offsetof (cg_##m##_t, name##_count)
#define CG_SUB_STR(sub)         NULL
#define CG_SUB_INT(sub)         NULL
#define CG_SUB_BOOL(sub)        NULL
#define CG_SUB_STRS(sub)        NULL
#define CG_SUB_LIST(sub)        (&cg_##sub##_def)
#define CG_DESC_FIELD(m, type, name, req, mn, mx, sub, doc) \
    { #name, CG_F_##type, req, mn, mx, offsetof (cg_##m##_t, name), \
      CG_COUNT_##type (m, name), CG_SUB_##type (sub), doc },
#define CG_DEF_MSG(id, wire, kind, FIELDS, doc) \
    static const cg_field_t s_##id##_fields[] = { FIELDS (CG_DESC_FIELD, id) }; \
    _Static_assert (sizeof s_##id##_fields / sizeof (cg_field_t) <= CG_MSG_MAX_FIELDS, \
                    #id " has too many fields"); \
    const cg_msgdef_t cg_##id##_def = { \
        wire, kind, doc, sizeof (cg_##id##_t), s_##id##_fields, \
        sizeof s_##id##_fields / sizeof (cg_field_t) };
CG_MESSAGES (CG_DEF_MSG)

#define CG_LIST_MSG(id, wire, kind, FIELDS, doc) &cg_##id##_def,
const cg_msgdef_t *const cg_msgdefs[] = { CG_MESSAGES (CG_LIST_MSG) };
const size_t cg_msgdefs_count = sizeof cg_msgdefs / sizeof cg_msgdefs[0];

const cg_msgdef_t *
cg_msgdef_find (const char *name)
{
    for (size_t i = 0; i < cg_msgdefs_count; i++)
        if (strcmp (cg_msgdefs[i]->name, name) == 0)
            return cg_msgdefs[i];
    return NULL;
}

void
cg_error_set (cg_error_t *err, const char *code, const char *field, const char *fmt, ...)
{
    if (!err)
        return;
    snprintf (err->code, sizeof err->code, "%s", code);
    snprintf (err->field, sizeof err->field, "%s", field ? field : "");
    va_list args;
    va_start (args, fmt);
    vsnprintf (err->message, sizeof err->message, fmt, args);
    va_end (args);
}

/* --- access to a field of a struct ---------------------------------------- */

#define S_AT(msg, off, type)    ((type *) ((char *) (msg) + (off)))
#define S_CAT(msg, off, type)   ((const type *) ((const char *) (msg) + (off)))

static bool
s_present (const cg_field_t *f, size_t idx, const void *msg)
{
    uint64_t bits = *S_CAT (msg, 0, uint64_t);
    switch (f->type) {
        case CG_F_STR:  return *S_CAT (msg, f->offset, char *) != NULL;
        case CG_F_INT:  return f->required || (bits >> idx & 1)
                               || *S_CAT (msg, f->offset, int64_t) != 0;
        case CG_F_BOOL: return f->required || (bits >> idx & 1)
                               || *S_CAT (msg, f->offset, bool);
        case CG_F_STRS:
        case CG_F_LIST: return *S_CAT (msg, f->count_offset, size_t) > 0;
    }
    return false;
}

/* --- encoding ------------------------------------------------------------- */

static int s_encode_map (const cg_msgdef_t *def, const void *msg, msgpack_packer *pk,
                         bool top, cg_error_t *err);

static int
s_check_str (const cg_field_t *f, const char *s, cg_error_t *err)
{
    size_t len = strlen (s);
    if ((int64_t) len < f->min || (int64_t) len > f->max) {
        cg_error_set (err, "invalid", f->key, "%s is %zu bytes; %lld to %lld are allowed",
                      f->key, len, (long long) f->min, (long long) f->max);
        return -1;
    }
    return 0;
}

/*  A list of strings or of messages holds at most its field's max. */
static int
s_check_items (const cg_field_t *f, size_t n, cg_error_t *err)
{
    if ((int64_t) n > f->max) {
        cg_error_set (err, "invalid", f->key, "%s has %zu items; at most %lld are allowed",
                      f->key, n, (long long) f->max);
        return -1;
    }
    return 0;
}

static void
s_pack_str (msgpack_packer *pk, const char *s)
{
    size_t len = strlen (s);
    msgpack_pack_str (pk, len);
    msgpack_pack_str_body (pk, s, len);
}

static int
s_encode_field (const cg_field_t *f, const void *msg, msgpack_packer *pk, cg_error_t *err)
{
    s_pack_str (pk, f->key);
    switch (f->type) {
        case CG_F_STR: {
            const char *s = *S_CAT (msg, f->offset, char *);
            if (s_check_str (f, s, err))
                return -1;
            s_pack_str (pk, s);
            return 0;
        }
        case CG_F_INT: {
            int64_t v = *S_CAT (msg, f->offset, int64_t);
            if (v < f->min || v > f->max) {
                cg_error_set (err, "invalid", f->key, "%s is %lld; %lld to %lld are allowed",
                              f->key, (long long) v, (long long) f->min, (long long) f->max);
                return -1;
            }
            msgpack_pack_int64 (pk, v);
            return 0;
        }
        case CG_F_BOOL:
            if (*S_CAT (msg, f->offset, bool))
                msgpack_pack_true (pk);
            else
                msgpack_pack_false (pk);
            return 0;
        case CG_F_STRS: {
            char *const *list = *(char **const *) ((const char *) msg + f->offset);
            size_t n = *S_CAT (msg, f->count_offset, size_t);
            if (s_check_items (f, n, err))
                return -1;
            msgpack_pack_array (pk, n);
            for (size_t i = 0; i < n; i++)
                s_pack_str (pk, list[i] ? list[i] : "");
            return 0;
        }
        case CG_F_LIST: {
            const char *items = *S_CAT (msg, f->offset, char *);
            size_t n = *S_CAT (msg, f->count_offset, size_t);
            if (s_check_items (f, n, err))
                return -1;
            msgpack_pack_array (pk, n);
            for (size_t i = 0; i < n; i++)
                if (s_encode_map (f->sub, items + i * f->sub->size, pk, false, err))
                    return -1;
            return 0;
        }
    }
    return -1;
}

static int
s_encode_map (const cg_msgdef_t *def, const void *msg, msgpack_packer *pk, bool top,
              cg_error_t *err)
{
    size_t count = top ? 1 : 0;
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        if (s_present (f, i, msg))
            count++;
        else
        if (f->required) {
            cg_error_set (err, "invalid", f->key, "%s is required in %s", f->key, def->name);
            return -1;
        }
    }
    msgpack_pack_map (pk, count);
    if (top) {
        s_pack_str (pk, "v");
        msgpack_pack_int (pk, CG_MSG_VERSION);
    }
    for (size_t i = 0; i < def->nfields; i++)
        if (s_present (&def->fields[i], i, msg)
        &&  s_encode_field (&def->fields[i], msg, pk, err))
            return -1;
    return 0;
}

int
cg_msg_encode (const cg_msgdef_t *def, const void *msg, msgpack_sbuffer *buf, cg_error_t *err)
{
    msgpack_packer pk;
    msgpack_packer_init (&pk, buf, msgpack_sbuffer_write);
    size_t start = buf->size;
    if (s_encode_map (def, msg, &pk, true, err)) {
        buf->size = start;
        return -1;
    }
    if (buf->size - start > CG_MSG_MAX_FRAME) {
        cg_error_set (err, "invalid", "", "%s is %zu bytes encoded; at most %d are allowed",
                      def->name, buf->size - start, CG_MSG_MAX_FRAME);
        buf->size = start;
        return -1;
    }
    return 0;
}

/*  The most bytes a string of at most max bytes takes: its head (a str32
    at most, 5 bytes) and the bytes. */
static size_t
s_str_max (int64_t max)
{
    return 5 + (size_t) max;
}

static size_t
s_map_max (const cg_msgdef_t *def, bool top)
{
    size_t size = 5 + (top ? s_str_max (1) + 9 : 0);       /* the head, and `v` */
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        size += s_str_max ((int64_t) strlen (f->key));
        switch (f->type) {
            case CG_F_STR:  size += s_str_max (f->max); break;
            case CG_F_INT:  size += 9; break;
            case CG_F_BOOL: size += 1; break;
            case CG_F_STRS: size += 5 + (size_t) f->max * s_str_max (CG_TEXT_MAX); break;
            case CG_F_LIST: size += 5 + (size_t) f->max * s_map_max (f->sub, false); break;
        }
    }
    return size;
}

size_t
cg_msg_max_size (const cg_msgdef_t *def)
{
    return s_map_max (def, true);
}

/* --- the reader ----------------------------------------------------------- */

typedef enum { MP_NIL, MP_BOOL, MP_INT, MP_UINT, MP_FLOAT, MP_STR, MP_BIN, MP_ARRAY,
               MP_MAP, MP_EXT } s_kind_t;

static const char *const s_kind_names[] = {
    "nil", "a boolean", "an integer", "an integer", "a float", "a string", "binary",
    "an array", "a map", "an extension" };

typedef struct {
    s_kind_t kind;
    bool b;
    int64_t i;
    uint64_t u;
    const uint8_t *ptr;     /* STR, BIN, EXT: the payload */
    uint32_t len;           /* STR, BIN, EXT: bytes; ARRAY, MAP: count */
} s_obj_t;

typedef struct {
    const uint8_t *p, *end;
} s_reader_t;

static uint64_t
s_be (const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/*  Takes n bytes, or fails when fewer are left. */
static const uint8_t *
s_take (s_reader_t *r, size_t n)
{
    if ((size_t) (r->end - r->p) < n)
        return NULL;
    const uint8_t *at = r->p;
    r->p += n;
    return at;
}

/*  Reads one head.  Strings, binaries and extensions are taken whole;
    arrays and maps leave their elements to be read, and their count must fit
    in the bytes left (every element takes at least one byte). */
static int
s_next (s_reader_t *r, s_obj_t *o)
{
    const uint8_t *p = s_take (r, 1);
    if (!p)
        return -1;
    uint8_t t = *p;
    int len_bytes = 0;
    memset (o, 0, sizeof *o);
    if (t <= 0x7f)                  { o->kind = MP_UINT; o->u = t; return 0; }
    if (t >= 0xe0)                  { o->kind = MP_INT; o->i = (int8_t) t; return 0; }
    if ((t & 0xf0) == 0x80)         { o->kind = MP_MAP; o->len = t & 0x0f; goto container; }
    if ((t & 0xf0) == 0x90)         { o->kind = MP_ARRAY; o->len = t & 0x0f; goto container; }
    if ((t & 0xe0) == 0xa0)         { o->kind = MP_STR; o->len = t & 0x1f; goto payload; }
    switch (t) {
        case 0xc0: o->kind = MP_NIL; return 0;
        case 0xc2: o->kind = MP_BOOL; o->b = false; return 0;
        case 0xc3: o->kind = MP_BOOL; o->b = true; return 0;
        case 0xc4: case 0xc5: case 0xc6:
            o->kind = MP_BIN; len_bytes = 1 << (t - 0xc4); break;
        case 0xd9: case 0xda: case 0xdb:
            o->kind = MP_STR; len_bytes = 1 << (t - 0xd9); break;
        case 0xdc: case 0xdd:
            o->kind = MP_ARRAY; len_bytes = 2 << (t - 0xdc); break;
        case 0xde: case 0xdf:
            o->kind = MP_MAP; len_bytes = 2 << (t - 0xde); break;
        case 0xcc: case 0xcd: case 0xce: case 0xcf: {
            int n = 1 << (t - 0xcc);
            if (!(p = s_take (r, n)))
                return -1;
            o->kind = MP_UINT;
            o->u = s_be (p, n);
            return 0;
        }
        case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
            int n = 1 << (t - 0xd0);
            if (!(p = s_take (r, n)))
                return -1;
            uint64_t raw = s_be (p, n);
            int shift = 64 - 8 * n;     /* sign-extend from n bytes */
            o->kind = MP_INT;
            o->i = shift ? (int64_t) (raw << shift) >> shift : (int64_t) raw;
            return 0;
        }
        case 0xca: case 0xcb:
            o->kind = MP_FLOAT;
            return s_take (r, t == 0xca ? 4 : 8) ? 0 : -1;
        case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:
            o->kind = MP_EXT;
            return s_take (r, 1 + (1 << (t - 0xd4))) ? 0 : -1;
        case 0xc7: case 0xc8: case 0xc9: {
            int n = 1 << (t - 0xc7);
            if (!(p = s_take (r, n)))
                return -1;
            o->kind = MP_EXT;
            return s_take (r, 1 + s_be (p, n)) ? 0 : -1;
        }
        default:                    /* 0xc1 is never used */
            return -1;
    }
    if (!(p = s_take (r, len_bytes)))
        return -1;
    o->len = (uint32_t) s_be (p, len_bytes);
    if (o->kind == MP_ARRAY || o->kind == MP_MAP)
        goto container;
payload:
    o->ptr = s_take (r, o->len);
    return o->ptr ? 0 : -1;
container:
    {
        uint64_t need = (uint64_t) o->len * (o->kind == MP_MAP ? 2 : 1);
        return need <= (uint64_t) (r->end - r->p) ? 0 : -1;
    }
}

static int
s_skip (s_reader_t *r, int depth)
{
    s_obj_t o;
    if (s_next (r, &o))
        return -1;
    if (o.kind != MP_ARRAY && o.kind != MP_MAP)
        return 0;
    if (depth >= CG_MSG_MAX_DEPTH)
        return -1;
    uint64_t n = (uint64_t) o.len * (o.kind == MP_MAP ? 2 : 1);
    for (uint64_t i = 0; i < n; i++)
        if (s_skip (r, depth + 1))
            return -1;
    return 0;
}

/* --- decoding ------------------------------------------------------------- */

/*  Where the decoder is, for error messages: "cases[3].id". */
typedef struct {
    char text[64];
} s_path_t;

static void
s_path_join (s_path_t *out, const char *prefix, const char *key)
{
    if (*prefix)
        snprintf (out->text, sizeof out->text, "%.40s.%.20s", prefix, key);
    else
        snprintf (out->text, sizeof out->text, "%s", key);
}

static int s_decode_map (const cg_msgdef_t *def, s_reader_t *r, void *msg, const char *path,
                         int depth, cg_error_t *err);

static char *
s_decode_str (const cg_field_t *f, const s_obj_t *o, const char *path, cg_error_t *err)
{
    if (o->kind != MP_STR) {
        cg_error_set (err, "invalid", path, "%s must be a string, not %s", path,
                      s_kind_names[o->kind]);
        return NULL;
    }
    if ((int64_t) o->len < f->min || (int64_t) o->len > f->max) {
        cg_error_set (err, "invalid", path, "%s is %u bytes; %lld to %lld are allowed",
                      path, o->len, (long long) f->min, (long long) f->max);
        return NULL;
    }
    if (memchr (o->ptr, 0, o->len)) {
        cg_error_set (err, "invalid", path, "%s contains a NUL byte", path);
        return NULL;
    }
    if (!cg_utf8_valid ((const char *) o->ptr, o->len)) {
        cg_error_set (err, "invalid", path, "%s is not valid UTF-8", path);
        return NULL;
    }
    char *s = malloc (o->len + 1);
    if (!s) {
        cg_error_set (err, "internal", path, "out of memory decoding %s", path);
        return NULL;
    }
    memcpy (s, o->ptr, o->len);
    s[o->len] = 0;
    return s;
}

static int
s_decode_list (const cg_field_t *f, s_reader_t *r, const s_obj_t *o, void *msg,
               const char *path, int depth, cg_error_t *err)
{
    if (o->kind != MP_ARRAY) {
        cg_error_set (err, "invalid", path, "%s must be an array, not %s", path,
                      s_kind_names[o->kind]);
        return -1;
    }
    if ((int64_t) o->len < f->min || (int64_t) o->len > f->max) {
        cg_error_set (err, "invalid", path, "%s has %u items; %lld to %lld are allowed",
                      path, o->len, (long long) f->min, (long long) f->max);
        return -1;
    }
    if (depth >= CG_MSG_MAX_DEPTH) {
        cg_error_set (err, "invalid", path, "%s is nested too deeply", path);
        return -1;
    }
    size_t elem = f->type == CG_F_LIST ? f->sub->size : sizeof (char *);
    char *items = o->len ? calloc (o->len, elem) : NULL;
    if (o->len && !items) {
        cg_error_set (err, "internal", path, "out of memory decoding %s", path);
        return -1;
    }
    *S_AT (msg, f->offset, char *) = items;
    for (uint32_t i = 0; i < o->len; i++) {
        s_path_t at;
        snprintf (at.text, sizeof at.text, "%.48s[%u]", path, i);
        if (f->type == CG_F_STRS) {
            s_obj_t item;
            if (s_next (r, &item)) {
                cg_error_set (err, "invalid", at.text, "%s is truncated", at.text);
                return -1;
            }
            char *s = s_decode_str (&(cg_field_t) { .min = 0, .max = CG_TEXT_MAX },
                                    &item, at.text, err);
            if (!s)
                return -1;
            ((char **) items)[i] = s;
        }
        else
        if (s_decode_map (f->sub, r, items + i * elem, at.text, depth + 1, err)) {
            /*  not counted yet, so free what of it was decoded here */
            cg_msg_clear (f->sub, items + i * elem);
            return -1;
        }
        /*  Count each element as soon as it is whole, so that clearing
            after a failure frees exactly what was decoded. */
        *S_AT (msg, f->count_offset, size_t) = i + 1;
    }
    return 0;
}

static int
s_decode_field (const cg_field_t *f, s_reader_t *r, void *msg, const char *path,
                int depth, cg_error_t *err)
{
    s_obj_t o;
    if (s_next (r, &o)) {
        cg_error_set (err, "invalid", path, "%s is truncated or malformed", path);
        return -1;
    }
    switch (f->type) {
        case CG_F_STR: {
            char *s = s_decode_str (f, &o, path, err);
            if (!s)
                return -1;
            *S_AT (msg, f->offset, char *) = s;
            return 0;
        }
        case CG_F_INT: {
            int64_t v;
            if (o.kind == MP_INT)
                v = o.i;
            else
            if (o.kind == MP_UINT && o.u <= INT64_MAX)
                v = (int64_t) o.u;
            else {
                cg_error_set (err, "invalid", path, "%s must be an integer%s", path,
                              o.kind == MP_UINT ? " that fits in 64 bits" : "");
                return -1;
            }
            if (v < f->min || v > f->max) {
                cg_error_set (err, "invalid", path, "%s is %lld; %lld to %lld are allowed",
                              path, (long long) v, (long long) f->min, (long long) f->max);
                return -1;
            }
            *S_AT (msg, f->offset, int64_t) = v;
            return 0;
        }
        case CG_F_BOOL:
            if (o.kind != MP_BOOL) {
                cg_error_set (err, "invalid", path, "%s must be true or false, not %s", path,
                              s_kind_names[o.kind]);
                return -1;
            }
            *S_AT (msg, f->offset, bool) = o.b;
            return 0;
        case CG_F_STRS:
        case CG_F_LIST:
            return s_decode_list (f, r, &o, msg, path, depth, err);
    }
    return -1;
}

static int
s_decode_map (const cg_msgdef_t *def, s_reader_t *r, void *msg, const char *path, int depth,
              cg_error_t *err)
{
    s_obj_t o;
    if (s_next (r, &o) || o.kind != MP_MAP) {
        cg_error_set (err, "invalid", path, "%s%sis not a msgpack map", path, *path ? " " : "");
        return -1;
    }
    uint64_t *present = S_AT (msg, 0, uint64_t);
    for (uint32_t k = 0; k < o.len; k++) {
        s_obj_t key;
        if (s_next (r, &key) || key.kind != MP_STR) {
            cg_error_set (err, "invalid", path, "a key of %s is not a string",
                          *path ? path : def->name);
            return -1;
        }
        const cg_field_t *f = NULL;
        size_t idx = 0;
        for (; idx < def->nfields; idx++)
            if (strlen (def->fields[idx].key) == key.len
            &&  memcmp (def->fields[idx].key, key.ptr, key.len) == 0) {
                f = &def->fields[idx];
                break;
            }
        if (!f) {                   /* unknown keys (and `v`) are skipped */
            if (s_skip (r, depth + 1)) {
                cg_error_set (err, "invalid", path, "%s is malformed or nested too deeply",
                              *path ? path : def->name);
                return -1;
            }
            continue;
        }
        s_path_t at;
        s_path_join (&at, path, f->key);
        if (*present >> idx & 1) {
            cg_error_set (err, "invalid", at.text, "%s is given twice", at.text);
            return -1;
        }
        /*  nil stands for absent, which only an optional field may be */
        const uint8_t *mark = r->p;
        if (r->p < r->end && *r->p == 0xc0) {
            r->p++;
            if (f->required) {
                cg_error_set (err, "invalid", at.text, "%s is required in %s", at.text,
                              def->name);
                return -1;
            }
            continue;
        }
        r->p = mark;
        if (s_decode_field (f, r, msg, at.text, depth, err))
            return -1;
        *present |= UINT64_C (1) << idx;
    }
    for (size_t i = 0; i < def->nfields; i++)
        if (def->fields[i].required && !(*present >> i & 1)) {
            s_path_t at;
            s_path_join (&at, path, def->fields[i].key);
            cg_error_set (err, "invalid", at.text, "%s is required in %s", at.text, def->name);
            return -1;
        }
    return 0;
}

int
cg_msg_decode (const cg_msgdef_t *def, const void *data, size_t size, void *msg,
               cg_error_t *err)
{
    memset (msg, 0, def->size);
    if (size > CG_MSG_MAX_FRAME) {
        cg_error_set (err, "invalid", "", "%s is %zu bytes; at most %d are allowed",
                      def->name, size, CG_MSG_MAX_FRAME);
        return -1;
    }
    s_reader_t r = { data, (const uint8_t *) data + size };
    if (s_decode_map (def, &r, msg, "", 0, err)) {
        cg_msg_clear (def, msg);
        return -1;
    }
    if (r.p != r.end) {
        cg_error_set (err, "invalid", "", "%s has %zu bytes after its end", def->name,
                      (size_t) (r.end - r.p));
        cg_msg_clear (def, msg);
        return -1;
    }
    return 0;
}

void
cg_msg_clear (const cg_msgdef_t *def, void *msg)
{
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        if (f->type == CG_F_STR)
            free (*S_AT (msg, f->offset, char *));
        else
        if (f->type == CG_F_STRS || f->type == CG_F_LIST) {
            char *items = *S_AT (msg, f->offset, char *);
            size_t n = *S_AT (msg, f->count_offset, size_t);
            for (size_t k = 0; items && k < n; k++) {
                if (f->type == CG_F_STRS)
                    free (((char **) items)[k]);
                else
                    cg_msg_clear (f->sub, items + k * f->sub->size);
            }
            free (items);
        }
    }
    memset (msg, 0, def->size);
}

int
cg_msg_set (const cg_msgdef_t *def, void *msg, const char *key, const char *value, size_t len)
{
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        if (strcmp (f->key, key) != 0)
            continue;
        uint64_t *present = S_AT (msg, 0, uint64_t);
        if (f->type == CG_F_STR) {
            if ((int64_t) len > f->max)
                return -1;
            char **slot = S_AT (msg, f->offset, char *);
            free (*slot);
            *slot = strndup (value, len);
        }
        else
        if (f->type == CG_F_INT) {
            char digits[24], *end;
            if (len == 0 || len >= sizeof digits)
                return -1;
            memcpy (digits, value, len);
            digits[len] = 0;
            long long v = strtoll (digits, &end, 10);
            if (*end)
                return -1;
            *S_AT (msg, f->offset, int64_t) = v;
        }
        else
        if (f->type == CG_F_BOOL)
            *S_AT (msg, f->offset, bool) = (len == 1 && *value == '1')
                                         || (len == 4 && memcmp (value, "true", 4) == 0);
        else
            return -1;
        *present |= UINT64_C (1) << i;
        return 0;
    }
    return 1;
}

void
cg_msg_fields (const cg_msgdef_t *def, const void *msg, cg_msg_field_fn *fn, void *arg)
{
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        if (!s_present (f, i, msg))
            continue;
        char digits[24];
        if (f->type == CG_F_STR) {
            const char *s = *S_CAT (msg, f->offset, char *);
            fn (f->key, s, strlen (s), arg);
        }
        else
        if (f->type == CG_F_INT)
            fn (f->key, digits, (size_t) snprintf (digits, sizeof digits, "%" PRId64,
                                                   *S_CAT (msg, f->offset, int64_t)), arg);
        else
        if (f->type == CG_F_BOOL)
            fn (f->key, *S_CAT (msg, f->offset, bool) ? "1" : "0", 1, arg);
    }
}

/* --- JSON ----------------------------------------------------------------- */

static void
s_json_str (const char *s, FILE *out)
{
    fputc ('"', out);
    for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf (out, "\\%c", *p);
        else
        if (*p < 0x20)
            fprintf (out, "\\u%04x", *p);
        else
            fputc (*p, out);
    }
    fputc ('"', out);
}

void
cg_msg_json (const cg_msgdef_t *def, const void *msg, FILE *out)
{
    fputc ('{', out);
    bool first = true;
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        if (!s_present (f, i, msg))
            continue;
        fprintf (out, "%s\"%s\":", first ? "" : ",", f->key);
        first = false;
        switch (f->type) {
            case CG_F_STR:
                s_json_str (*S_CAT (msg, f->offset, char *), out);
                break;
            case CG_F_INT:
                fprintf (out, "%lld", (long long) *S_CAT (msg, f->offset, int64_t));
                break;
            case CG_F_BOOL:
                fputs (*S_CAT (msg, f->offset, bool) ? "true" : "false", out);
                break;
            case CG_F_STRS:
            case CG_F_LIST: {
                const char *items = *S_CAT (msg, f->offset, char *);
                size_t n = *S_CAT (msg, f->count_offset, size_t);
                fputc ('[', out);
                for (size_t k = 0; k < n; k++) {
                    if (k)
                        fputc (',', out);
                    if (f->type == CG_F_STRS)
                        s_json_str (((char *const *) items)[k], out);
                    else
                        cg_msg_json (f->sub, items + k * f->sub->size, out);
                }
                fputc (']', out);
                break;
            }
        }
    }
    fputc ('}', out);
}

/* --- the reference -------------------------------------------------------- */

static const char *
s_type_name (const cg_field_t *f)
{
    switch (f->type) {
        case CG_F_STR:  return "string";
        case CG_F_INT:  return "integer";
        case CG_F_BOOL: return "boolean";
        case CG_F_STRS: return "array of string";
        case CG_F_LIST: return "array of";
    }
    return "?";
}

void
cg_msg_document (FILE *out)
{
    fprintf (out, "# civgrid messages\n\n"
             "Generated from `proto/cg_messages.h` by `civgrid messages`; do not edit.\n\n"
             "Every message is a msgpack map with string keys and `v` (schema version, now %d). "
             "Unknown keys are ignored; `nil` counts as absent. Strings are UTF-8 without NUL "
             "bytes; lengths are in bytes. No frame is larger than %d bytes. Times are Unix "
             "milliseconds UTC.\n\n", CG_MSG_VERSION, CG_MSG_MAX_FRAME);
    for (size_t m = 0; m < cg_msgdefs_count; m++) {
        const cg_msgdef_t *def = cg_msgdefs[m];
        fprintf (out, "## `%s` (%s)\n\n%s\n\n| key | type | required | limits | meaning |\n"
                 "|---|---|---|---|---|\n", def->name, def->kind, def->doc);
        for (size_t i = 0; i < def->nfields; i++) {
            const cg_field_t *f = &def->fields[i];
            char limits[64] = "";
            if (f->type == CG_F_STR)
                snprintf (limits, sizeof limits, "%lld–%lld bytes", (long long) f->min,
                          (long long) f->max);
            else
            if (f->type == CG_F_INT)
                snprintf (limits, sizeof limits, "%lld–%lld", (long long) f->min,
                          (long long) f->max);
            else
            if (f->type != CG_F_BOOL)
                snprintf (limits, sizeof limits, "at most %lld items", (long long) f->max);
            fprintf (out, "| `%s` | %s%s%s%s | %s | %s | %s |\n", f->key, s_type_name (f),
                     f->sub ? " `" : "", f->sub ? f->sub->name : "", f->sub ? "`" : "",
                     f->required ? "yes" : "no", limits, f->doc);
        }
        fprintf (out, "\n");
    }
}
