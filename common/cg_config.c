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

/*  The setting of key: exactly, or "*\/NAME" for any section's NAME. */
static const s_setting_t *
s_find (const char *key)
{
    const char *slash = strchr (key, '/');
    for (size_t i = 0; i < S_NSETTINGS; i++)
        if (streq (s_settings[i].key, key)
            || (slash && s_settings[i].key[0] == '*' && streq (s_settings[i].key + 1, slash)))
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
