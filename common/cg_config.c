/*  cg_config — the numeric settings and their checked reader (cg_config.h). */
#include "cg_config.h"
#include "cg_text.h"

#include <errno.h>

typedef struct {
    const char *key;
    int64_t otherwise, min, max;
    const char *unit;
} s_setting_t;

#define S_ROW(key, otherwise, min, max, unit) { key, otherwise, min, max, unit },
static const s_setting_t s_settings[] = { CG_SETTINGS (S_ROW) };
#undef S_ROW
#define S_NSETTINGS (sizeof s_settings / sizeof s_settings[0])

/*  True when key matches pattern, whose segment "*" matches any one. */
static bool
s_matches (const char *pattern, const char *key)
{
    while (*pattern && *key) {
        size_t p = strcspn (pattern, "/"), k = strcspn (key, "/");
        if (!(p == 1 && *pattern == '*') && (p != k || strncmp (pattern, key, p)))
            return false;
        pattern += p + (pattern[p] == '/');
        key += k + (key[k] == '/');
    }
    return !*pattern && !*key;
}

/*  The setting of key: exactly, or by a pattern of the table. */
static const s_setting_t *
s_find (const char *key)
{
    for (size_t i = 0; i < S_NSETTINGS; i++)
        if (s_matches (s_settings[i].key, key))
            return &s_settings[i];
    return NULL;
}

int
cg_config_int (zconfig_t *config, const char *file, const char *key, int64_t *value,
               char *err, size_t errlen)
{
    const s_setting_t *s = s_find (key);
    assert (s);                 /* a key the code reads is in the table */
    const char *text = config ? zconfig_get (config, key, NULL) : NULL;
    if (!text) {
        *value = s->otherwise;
        return 0;
    }
    char *end;
    errno = 0;
    long long n = strtoll (text, &end, 10);
    if (errno || end == text || *end || n < s->min || n > s->max) {
        cg_errset (err, errlen, "%s: %s is \"%s\"; it takes a whole number of %s from %lld "
                   "to %lld", file ? file : "the configuration", key, text, s->unit,
                   (long long) s->min, (long long) s->max);
        return -1;
    }
    *value = n;
    return 0;
}

/*  Checks each setting under node (whose path so far is prefix). */
static int
s_check (zconfig_t *config, zconfig_t *node, const char *prefix, const char *file, char *err,
         size_t errlen)
{
    for (zconfig_t *child = zconfig_child (node); child; child = zconfig_next (child)) {
        char key[256];
        snprintf (key, sizeof key, "%s%s%s", prefix, *prefix ? "/" : "", zconfig_name (child));
        int64_t value;
        if (s_find (key) && cg_config_int (config, file, key, &value, err, errlen))
            return -1;
        if (s_check (config, child, key, file, err, errlen))
            return -1;
    }
    return 0;
}

int
cg_config_check (zconfig_t *config, const char *file, char *err, size_t errlen)
{
    return s_check (config, config, "", file, err, errlen);
}
