/*  cg_powers - see cg_powers.h.

    The file is read line by line with the data-file reader (cg_text.h), so
    every refusal names its line.  The first data line is the version; each
    `power` row opens an item and the `step` rows after it are its steps,
    in order.  Every string is copied into one block per item, so a list is
    a handful of allocations however many items it holds.  A text holding
    a character XML forbids (a control character pasted from Word) is
    refused, not cleaned: the list is published as written, and a village
    clerk should see where the file is wrong. */
#include "cg_powers.h"
#include "cg_text.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    cg_power_t pub;
    size_t lineno;
    char *strings;                  /* every string of the item, one block */
    size_t used;                    /* bytes of it taken */
} s_item_t;

struct _cg_powers_t {
    char *area;
    int version;
    s_item_t items [CG_POWERS_MAX];
    size_t count;
};

static bool
s_code_ok (const char *s)
{
    size_t n = strlen (s);
    return n > 0 && n <= CG_POWER_CODE_MAX && *s >= 'a' && *s <= 'z'
        && s [strspn (s, "abcdefghijklmnopqrstuvwxyz0123456789_")] == '\0';
}

/*  A text field: not empty, at most max bytes, no forbidden character. */
static int
s_text (cg_tsv_t *tsv, const char *name, const char *value, size_t max, char *err,
        size_t errlen)
{
    size_t n = strlen (value);
    if (n == 0)
        return cg_tsv_fail (tsv, err, errlen, "%s is empty", name);
    if (n > max)
        return cg_tsv_fail (tsv, err, errlen, "%s is %zu bytes, at most %zu", name, n, max);
    char *clean = cg_text_clean (value);
    if (clean) {
        free (clean);
        return cg_tsv_fail (tsv, err, errlen, "%s holds a control character", name);
    }
    return 0;
}

/*  Appends s to the item's block; the block was sized for a whole line. */
static const char *
s_keep (s_item_t *item, const char *s)
{
    char *at = item->strings + item->used;
    size_t n = strlen (s) + 1;
    memcpy (at, s, n);
    item->used += n;
    return at;
}

/*  The block of an item holds its `power` row and up to CG_POWER_STEPS_MAX
    steps, each no longer than a line. */
#define S_BLOCK ((CG_POWER_STEPS_MAX + 1) * (CG_TSV_MAX_LINE + 1))

static int
s_power (cg_powers_t *self, cg_tsv_t *tsv, char **f, int n, char *err, size_t errlen)
{
    if (n != 7)
        return cg_tsv_fail (tsv, err, errlen, "a power has 7 columns (power, code, status, "
                            "matter, holder, time_limit, basis), found %d", n);
    if (!s_code_ok (f [1]))
        return cg_tsv_fail (tsv, err, errlen, "code '%.40s' must be a lowercase ASCII "
                            "identifier of at most %d bytes", f [1], CG_POWER_CODE_MAX);
    if (cg_powers_find (self, f [1]))
        return cg_tsv_fail (tsv, err, errlen, "code %s is already on line %zu", f [1],
                            ((const s_item_t *) cg_powers_find (self, f [1]))->lineno);
    bool withdrawn = strcmp (f [2], "withdrawn") == 0;
    if (!withdrawn && strcmp (f [2], "active") != 0)
        return cg_tsv_fail (tsv, err, errlen, "status '%.40s' is not active or withdrawn", f [2]);
    if (s_text (tsv, "matter", f [3], CG_POWER_MATTER_MAX, err, errlen)
    ||  s_text (tsv, "holder", f [4], CG_POWER_MATTER_MAX, err, errlen)
    ||  s_text (tsv, "time_limit", f [5], CG_POWER_LIMIT_MAX, err, errlen)
    ||  s_text (tsv, "basis", f [6], CG_POWER_BASIS_MAX, err, errlen))
        return -1;
    if (self->count == CG_POWERS_MAX)
        return cg_tsv_fail (tsv, err, errlen, "an area has at most %d powers", CG_POWERS_MAX);
    s_item_t *item = &self->items [self->count++];
    item->lineno = cg_tsv_lineno (tsv);
    item->strings = cg_alloc (S_BLOCK);
    item->pub.code = s_keep (item, f [1]);
    item->pub.withdrawn = withdrawn;
    item->pub.matter = s_keep (item, f [3]);
    item->pub.holder = s_keep (item, f [4]);
    item->pub.time_limit = s_keep (item, f [5]);
    item->pub.basis = s_keep (item, f [6]);
    return 0;
}

static int
s_step (cg_powers_t *self, cg_tsv_t *tsv, char **f, int n, char *err, size_t errlen)
{
    if (n != 2)
        return cg_tsv_fail (tsv, err, errlen, "a step has 2 columns (step, what is done), "
                            "found %d", n);
    if (self->count == 0)
        return cg_tsv_fail (tsv, err, errlen, "a step must follow its power");
    s_item_t *item = &self->items [self->count - 1];
    if (item->pub.nsteps == CG_POWER_STEPS_MAX)
        return cg_tsv_fail (tsv, err, errlen, "power %s has more than %d steps",
                            item->pub.code, CG_POWER_STEPS_MAX);
    if (s_text (tsv, "step", f [1], CG_POWER_STEP_MAX, err, errlen))
        return -1;
    item->pub.steps [item->pub.nsteps++] = s_keep (item, f [1]);
    return 0;
}

/*  The area from the file's name: digits before the extension. */
static char *
s_area_of (const char *path)
{
    const char *base = strrchr (path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn (base, ".");
    if (n < 6 || n > 15 || strspn (base, "0123456789") != n)
        return NULL;
    return cg_strfmt ("%.*s", (int) n, base);
}

cg_powers_t *
cg_powers_load (const char *path, char *err, size_t errlen)
{
    char *area = s_area_of (path);
    if (!area) {
        cg_errset (err, errlen, "%s: the file's name must be the area's code (6 to 15 digits) "
                   "and an extension, like 320612005003.tsv", path);
        return NULL;
    }
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv) {
        free (area);
        return NULL;
    }
    cg_powers_t *self = cg_alloc (sizeof *self);
    self->area = area;
    char **f;
    int n = 0, rc = 0;
    while (rc == 0 && (n = cg_tsv_next (tsv, &f, err, errlen)) > 0) {
        if (self->version == 0) {
            char *end = NULL;
            long v = strcmp (f [0], "version") == 0 && n == 2 ? strtol (f [1], &end, 10) : 0;
            if (!end || *end || v < 1 || v > 999999)
                rc = cg_tsv_fail (tsv, err, errlen, "the first line must be the list's "
                                  "version: version<TAB>a number from 1 to 999999");
            else
                self->version = (int) v;
        }
        else
        if (strcmp (f [0], "power") == 0)
            rc = s_power (self, tsv, f, n, err, errlen);
        else
        if (strcmp (f [0], "step") == 0)
            rc = s_step (self, tsv, f, n, err, errlen);
        else
            rc = cg_tsv_fail (tsv, err, errlen, "a line is version, power or step, not "
                              "'%.40s'", f [0]);
    }
    if (rc == 0 && n < 0)
        rc = -1;
    for (size_t i = 0; rc == 0 && i < self->count; i++)
        if (self->items [i].pub.nsteps == 0) {
            cg_errset (err, errlen, "%s:%zu: power %s has no steps", path,
                       self->items [i].lineno, self->items [i].pub.code);
            rc = -1;
        }
    if (rc == 0 && self->version == 0) {
        cg_errset (err, errlen, "%s: the list is empty: not even its version", path);
        rc = -1;
    }
    cg_tsv_destroy (&tsv);
    if (rc)
        cg_powers_destroy (&self);
    return self;
}

void
cg_powers_destroy (cg_powers_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_powers_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++)
        free (self->items [i].strings);
    free (self->area);
    free (self);
    *self_p = NULL;
}

const char *
cg_powers_area (cg_powers_t *self)
{
    return self->area;
}

int
cg_powers_version (cg_powers_t *self)
{
    return self->version;
}

size_t
cg_powers_size (cg_powers_t *self)
{
    return self->count;
}

const cg_power_t *
cg_powers_at (cg_powers_t *self, size_t index)
{
    return index < self->count ? &self->items [index].pub : NULL;
}

const cg_power_t *
cg_powers_find (cg_powers_t *self, const char *code)
{
    for (size_t i = 0; i < self->count; i++)
        if (strcmp (self->items [i].pub.code, code) == 0)
            return &self->items [i].pub;
    return NULL;
}

int
cg_powers_supersedes (cg_powers_t *newer, cg_powers_t *older, const char *path,
                      char *err, size_t errlen)
{
    if (newer->version <= older->version) {
        cg_errset (err, errlen, "%s: version %d does not supersede the loaded version %d",
                   path, newer->version, older->version);
        return -1;
    }
    for (size_t i = 0; i < older->count; i++)
        if (!cg_powers_find (newer, older->items [i].pub.code)) {
            cg_errset (err, errlen, "%s: power %s of version %d is missing: withdraw it "
                       "(status withdrawn) rather than drop it, its QR code is printed",
                       path, older->items [i].pub.code, older->version);
            return -1;
        }
    return 0;
}

char *
cg_powers_url (const char *base, const char *area, const char *code)
{
    return cg_strfmt ("%s/public/?area=%s&power=%s", base, area, code);
}
