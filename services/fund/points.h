/*  points — the rules of resident points (积分): what taking part earns,
    the caps, and what goods cost in points.  Pure functions of the rules
    file and their inputs, tested as units (tests/unit/test_points.c). */
#ifndef FUND_POINTS_H_INCLUDED
#define FUND_POINTS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*  The acts that earn points. */
typedef enum {
    POINTS_ATTEND,      /* 参加议事协商会议: registered present at a consultation meeting */
    POINTS_VOLUNTEER,   /* 志愿服务: minutes of the time bank confirmed by the person served */
    POINTS_CASE,        /* 有效反映: a report that became a case, closed (not rejected, not a repeat) */
    POINTS_ACTS
} points_act_t;

#define POINTS_MAX  100000      /* points for one act, a cap, a price */

typedef struct _points_t points_t;

/*  The rules of the file at path (data/points, deploy/demo/points.tsv),
    or NULL with "path:LINE: reason" in err:
        earn   ACT   POINTS  DAY_CAP  NAME    (ACT: attend, volunteer, case)
        cap    day   POINTS                   (all acts together, in a day)
        price  ITEM  POINTS                   (per unit, to redeem at a site)
    Every act must be listed once; a price once per item. */
points_t *points_load (const char *path, char *err, size_t errlen);
void points_destroy (points_t **self_p);

/*  The act named so, or -1. */
int points_act (const char *name);
const char *points_act_name (points_act_t act);

/*  What an act earns now, given what the resident earned today for this
    kind of act and for all acts: its points, cut to what is left under
    the act's daily cap and under the daily cap of all; 0 once a cap is
    reached. */
int64_t points_award (const points_t *self, points_act_t act, int64_t kind_today,
                      int64_t all_today);

/*  The price of one unit of item in points; 0 when it cannot be redeemed. */
int64_t points_price (const points_t *self, const char *item);

/*  The index-th item with a price, and the line it was given on, for
    checking them against the item kinds; NULL past the last. */
const char *points_priced_item (const points_t *self, size_t index, size_t *lineno);

/*  The file it was loaded from. */
const char *points_path (const points_t *self);

#endif
