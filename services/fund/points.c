/*  points — the rules of resident points (积分).

    Residents earn points for taking part (积分权益: 活动积分随时兑):
    attending a consultation meeting, a volunteer service the person
    served confirmed, a report that became a valid case.  Each act earns
    its points once, cut by two caps a day (Beijing time): one per kind of
    act, one for all acts together, so that a busy day cannot be farmed.
    Points buy goods at a charity site at each item's price.

    The file is tab-separated like the catalog (cg_tsv): comments, blank
    lines, UTF-8, and every refusal "path:LINE: reason" naming the field.
    The daemon reads it at start and again on SIGHUP (residents.c); a file
    that does not load leaves the rules as they were. */
#include "points.h"
#include "cg_text.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define S_PRICES_MAX    64

typedef struct {
    char item[16];
    int64_t points;
    size_t lineno;
} s_price_t;

struct _points_t {
    char *path;
    int64_t earn[POINTS_ACTS];
    int64_t cap[POINTS_ACTS];
    char *name[POINTS_ACTS];
    int64_t day_cap;
    bool day_cap_set;
    s_price_t prices[S_PRICES_MAX];
    size_t nprices;
};

static const char *const s_acts[POINTS_ACTS] = { "attend", "volunteer", "case" };

int
points_act (const char *name)
{
    for (int i = 0; name && i < POINTS_ACTS; i++)
        if (streq (name, s_acts[i]))
            return i;
    return -1;
}

const char *
points_act_name (points_act_t act)
{
    return act < POINTS_ACTS ? s_acts[act] : "";
}

/*  A whole number 0..POINTS_MAX in text, or -1. */
static int64_t
s_number (const char *text)
{
    char *end;
    errno = 0;
    long long v = strtoll (text, &end, 10);
    if (!*text || *end || errno || v < 0 || v > POINTS_MAX)
        return -1;
    return v;
}

static int
s_line (points_t *self, cg_tsv_t *tsv, char **f, int n, char *err, size_t errlen)
{
    if (streq (f[0], "earn")) {
        if (n != 5)
            return cg_tsv_fail (tsv, err, errlen, "an earn line is: earn ACT POINTS DAY_CAP NAME "
                                "(%d fields)", n);
        int act = points_act (f[1]);
        if (act < 0)
            return cg_tsv_fail (tsv, err, errlen, "act '%s': attend, volunteer or case", f[1]);
        if (self->name[act])
            return cg_tsv_fail (tsv, err, errlen, "act %s is listed twice", f[1]);
        int64_t points = s_number (f[2]), cap = s_number (f[3]);
        if (points < 1)
            return cg_tsv_fail (tsv, err, errlen, "act %s: points '%s' must be a whole number "
                                "from 1 to %d", f[1], f[2], POINTS_MAX);
        if (cap < points)
            return cg_tsv_fail (tsv, err, errlen, "act %s: day_cap '%s' must be a whole number "
                                "from the act's points (%lld) to %d", f[1], f[3],
                                (long long) points, POINTS_MAX);
        if (!*f[4])
            return cg_tsv_fail (tsv, err, errlen, "act %s: name is empty", f[1]);
        self->earn[act] = points;
        self->cap[act] = cap;
        self->name[act] = cg_strdup (f[4]);
        return 0;
    }
    if (streq (f[0], "cap")) {
        if (n != 3 || !streq (f[1], "day"))
            return cg_tsv_fail (tsv, err, errlen, "a cap line is: cap day POINTS");
        if (self->day_cap_set)
            return cg_tsv_fail (tsv, err, errlen, "the day's cap is given twice");
        self->day_cap = s_number (f[2]);
        if (self->day_cap < 1)
            return cg_tsv_fail (tsv, err, errlen, "cap day: points '%s' must be a whole number "
                                "from 1 to %d", f[2], POINTS_MAX);
        self->day_cap_set = true;
        return 0;
    }
    if (streq (f[0], "price")) {
        if (n != 3)
            return cg_tsv_fail (tsv, err, errlen, "a price line is: price ITEM POINTS "
                                "(%d fields)", n);
        if (!*f[1] || strlen (f[1]) >= sizeof self->prices[0].item)
            return cg_tsv_fail (tsv, err, errlen, "price: item '%s' is not an item code", f[1]);
        for (size_t i = 0; i < self->nprices; i++)
            if (streq (self->prices[i].item, f[1]))
                return cg_tsv_fail (tsv, err, errlen, "price of %s is given twice", f[1]);
        int64_t points = s_number (f[2]);
        if (points < 1)
            return cg_tsv_fail (tsv, err, errlen, "price of %s: points '%s' must be a whole "
                                "number from 1 to %d", f[1], f[2], POINTS_MAX);
        if (self->nprices == S_PRICES_MAX)
            return cg_tsv_fail (tsv, err, errlen, "more than %d prices", S_PRICES_MAX);
        s_price_t *p = &self->prices[self->nprices++];
        snprintf (p->item, sizeof p->item, "%s", f[1]);
        p->points = points;
        p->lineno = cg_tsv_lineno (tsv);
        return 0;
    }
    return cg_tsv_fail (tsv, err, errlen, "'%s': a line is earn, cap or price", f[0]);
}

points_t *
points_load (const char *path, char *err, size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return NULL;
    points_t *self = cg_alloc (sizeof *self);
    self->path = cg_strdup (path);
    char **f;
    int n, rc = 0;
    while (rc == 0 && (n = cg_tsv_next (tsv, &f, err, errlen)) != 0)
        rc = n < 0 ? -1 : s_line (self, tsv, f, n, err, errlen);
    size_t lines = cg_tsv_lineno (tsv);
    cg_tsv_destroy (&tsv);
    for (int act = 0; rc == 0 && act < POINTS_ACTS; act++)
        if (!self->name[act]) {
            cg_errset (err, errlen, "%s:%zu: act %s has no earn line", path, lines,
                       s_acts[act]);
            rc = -1;
        }
    if (rc == 0 && !self->day_cap_set) {
        cg_errset (err, errlen, "%s:%zu: the day's cap (cap day POINTS) is missing", path, lines);
        rc = -1;
    }
    if (rc)
        points_destroy (&self);
    return self;
}

void
points_destroy (points_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    points_t *self = *self_p;
    for (int i = 0; i < POINTS_ACTS; i++)
        free (self->name[i]);
    free (self->path);
    free (self);
    *self_p = NULL;
}

int64_t
points_award (const points_t *self, points_act_t act, int64_t kind_today, int64_t all_today)
{
    if (act >= POINTS_ACTS)
        return 0;
    int64_t award = self->earn[act];
    if (award > self->cap[act] - kind_today)
        award = self->cap[act] - kind_today;
    if (award > self->day_cap - all_today)
        award = self->day_cap - all_today;
    return award > 0 ? award : 0;
}

int64_t
points_price (const points_t *self, const char *item)
{
    for (size_t i = 0; item && i < self->nprices; i++)
        if (streq (self->prices[i].item, item))
            return self->prices[i].points;
    return 0;
}

const char *
points_priced_item (const points_t *self, size_t index, size_t *lineno)
{
    if (index >= self->nprices)
        return NULL;
    *lineno = self->prices[index].lineno;
    return self->prices[index].item;
}

const char *
points_path (const points_t *self)
{
    return self->path;
}
