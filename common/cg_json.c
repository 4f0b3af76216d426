/*  cg_json — see cg_json.h.  Walks the field table like cg_msg.c does;
    members are reached by their offsets. */
#include "cg_json.h"
#include "cg_text.h"

#include <stdlib.h>
#include <string.h>

#define S_AT(msg, off, type)    ((type *) ((char *) (msg) + (off)))
#define S_CAT(msg, off, type)   ((const type *) ((const char *) (msg) + (off)))

static const char *
s_json_kind (const json_t *v)
{
    switch (json_typeof (v)) {
        case JSON_OBJECT:   return "an object";
        case JSON_ARRAY:    return "an array";
        case JSON_STRING:   return "a string";
        case JSON_INTEGER:  return "an integer";
        case JSON_REAL:     return "a number with a fraction";
        case JSON_TRUE:
        case JSON_FALSE:    return "a boolean";
        case JSON_NULL:     return "null";
    }
    return "?";
}

static char *
s_string (const cg_field_t *f, const json_t *v, const char *path, int64_t min, int64_t max,
          cg_error_t *err)
{
    if (!json_is_string (v)) {
        cg_error_set (err, "invalid", path, "%s must be a string, not %s", path, s_json_kind (v));
        return NULL;
    }
    size_t len = json_string_length (v);
    const char *s = json_string_value (v);
    if ((int64_t) len < min || (int64_t) len > max) {
        cg_error_set (err, "invalid", path, "%s is %zu bytes; %lld to %lld are allowed",
                      path, len, (long long) min, (long long) max);
        return NULL;
    }
    if (memchr (s, 0, len)) {
        cg_error_set (err, "invalid", path, "%s contains a NUL character", path);
        return NULL;
    }
    (void) f;
    return strndup (s, len);
}

static int s_object (const cg_msgdef_t *def, const json_t *obj, void *msg, const char *path,
                     int depth, cg_error_t *err);

static int
s_field (const cg_field_t *f, const json_t *v, void *msg, const char *path, int depth,
         cg_error_t *err)
{
    switch (f->type) {
        case CG_F_STR: {
            char *s = s_string (f, v, path, f->min, f->max, err);
            if (!s)
                return -1;
            *S_AT (msg, f->offset, char *) = s;
            return 0;
        }
        case CG_F_INT: {
            if (!json_is_integer (v)) {
                cg_error_set (err, "invalid", path, "%s must be an integer, not %s", path,
                              s_json_kind (v));
                return -1;
            }
            json_int_t n = json_integer_value (v);
            if (n < f->min || n > f->max) {
                cg_error_set (err, "invalid", path, "%s is %lld; %lld to %lld are allowed",
                              path, (long long) n, (long long) f->min, (long long) f->max);
                return -1;
            }
            *S_AT (msg, f->offset, int64_t) = n;
            return 0;
        }
        case CG_F_BOOL:
            if (!json_is_boolean (v)) {
                cg_error_set (err, "invalid", path, "%s must be true or false, not %s", path,
                              s_json_kind (v));
                return -1;
            }
            *S_AT (msg, f->offset, bool) = json_is_true (v);
            return 0;
        case CG_F_STRS:
        case CG_F_LIST: {
            if (!json_is_array (v)) {
                cg_error_set (err, "invalid", path, "%s must be an array, not %s", path,
                              s_json_kind (v));
                return -1;
            }
            size_t n = json_array_size (v);
            if ((int64_t) n < f->min || (int64_t) n > f->max) {
                cg_error_set (err, "invalid", path, "%s has %zu items; %lld to %lld are allowed",
                              path, n, (long long) f->min, (long long) f->max);
                return -1;
            }
            if (depth >= CG_MSG_MAX_DEPTH) {
                cg_error_set (err, "invalid", path, "%s is nested too deeply", path);
                return -1;
            }
            size_t elem = f->type == CG_F_LIST ? f->sub->size : sizeof (char *);
            char *items = n ? calloc (n, elem) : NULL;
            *S_AT (msg, f->offset, char *) = items;
            for (size_t i = 0; i < n; i++) {
                char at[64];
                snprintf (at, sizeof at, "%.48s[%zu]", path, i);
                json_t *item = json_array_get (v, i);
                if (f->type == CG_F_STRS) {
                    char *s = s_string (f, item, at, 0, CG_TEXT_MAX, err);
                    if (!s)
                        return -1;
                    ((char **) items)[i] = s;
                }
                else
                if (s_object (f->sub, item, items + i * elem, at, depth + 1, err))
                    return -1;
                /*  counted as soon as whole, so a failure frees just that */
                *S_AT (msg, f->count_offset, size_t) = i + 1;
            }
            return 0;
        }
    }
    return -1;
}

static int
s_object (const cg_msgdef_t *def, const json_t *obj, void *msg, const char *path, int depth,
          cg_error_t *err)
{
    if (!json_is_object (obj)) {
        cg_error_set (err, "invalid", path, "%s must be a JSON object, not %s",
                      *path ? path : "the body", s_json_kind (obj));
        return -1;
    }
    uint64_t *present = S_AT (msg, 0, uint64_t);
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        json_t *v = json_object_get (obj, f->key);
        if (!v || json_is_null (v))
            continue;           /* null stands for absent, as nil does */
        char at[64];
        if (*path)
            snprintf (at, sizeof at, "%.40s.%.20s", path, f->key);
        else
            snprintf (at, sizeof at, "%s", f->key);
        if (s_field (f, v, msg, at, depth, err))
            return -1;
        *present |= UINT64_C (1) << i;
    }
    return 0;
}

int
cg_json_to_msg (const cg_msgdef_t *def, const json_t *obj, void *msg, cg_error_t *err)
{
    memset (msg, 0, def->size);
    if (s_object (def, obj, msg, "", 0, err)) {
        cg_msg_clear (def, msg);
        return -1;
    }
    return 0;
}

int
cg_json_set_text (const cg_msgdef_t *def, void *msg, const char *key, const char *value,
                  cg_error_t *err)
{
    size_t len = strlen (value);
    if (!cg_utf8_valid (value, len)) {
        cg_error_set (err, "invalid", key, "%s is not valid UTF-8", key);
        return -1;
    }
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        if (strcmp (f->key, key) != 0)
            continue;
        if (f->type == CG_F_STR && ((int64_t) len < f->min || (int64_t) len > f->max)) {
            cg_error_set (err, "invalid", key, "%s is %zu bytes; %lld to %lld are allowed",
                          key, len, (long long) f->min, (long long) f->max);
            return -1;
        }
        int rc = cg_msg_set (def, msg, key, value, len);
        if (rc == 0 && f->type == CG_F_INT) {
            int64_t v = *S_CAT (msg, f->offset, int64_t);
            if (v < f->min || v > f->max) {
                cg_error_set (err, "invalid", key, "%s is %lld; %lld to %lld are allowed",
                              key, (long long) v, (long long) f->min, (long long) f->max);
                return -1;
            }
        }
        if (rc) {
            cg_error_set (err, "invalid", key, "%s must be %s", key,
                          f->type == CG_F_INT ? "a decimal integer" : "a single value");
            return -1;
        }
        return 0;
    }
    return 1;
}

json_t *
cg_json_from_msg (const cg_msgdef_t *def, const void *msg)
{
    json_t *obj = json_object ();
    uint64_t bits = *S_CAT (msg, 0, uint64_t);
    for (size_t i = 0; i < def->nfields; i++) {
        const cg_field_t *f = &def->fields[i];
        json_t *v = NULL;
        switch (f->type) {
            case CG_F_STR: {
                const char *s = *S_CAT (msg, f->offset, char *);
                if (s)
                    v = json_string (s);
                break;
            }
            case CG_F_INT: {
                int64_t n = *S_CAT (msg, f->offset, int64_t);
                if (f->required || (bits >> i & 1) || n)
                    v = json_integer (n);
                break;
            }
            case CG_F_BOOL: {
                bool b = *S_CAT (msg, f->offset, bool);
                if (f->required || (bits >> i & 1) || b)
                    v = json_boolean (b);
                break;
            }
            case CG_F_STRS:
            case CG_F_LIST: {
                const char *items = *S_CAT (msg, f->offset, char *);
                size_t n = *S_CAT (msg, f->count_offset, size_t);
                v = json_array ();
                for (size_t k = 0; k < n; k++)
                    json_array_append_new (v, f->type == CG_F_STRS
                        ? json_string (((char *const *) items)[k])
                        : cg_json_from_msg (f->sub, items + k * f->sub->size));
                break;
            }
        }
        if (v)
            json_object_set_new (obj, f->key, v);
    }
    return obj;
}
