/*  cg_match — which offers suit a need (供需对接): the rule of matching a
    resident's need to volunteers' and donors' offers, as a pure function
    of what they say, so that it is tested without Redis and measured in
    bench/ by itself.

    An offer suits a need when it is of the same kind (a volunteer
    service or charity goods), names the same skill (service) or item
    (goods), lies in the need's community or in its town (街道/乡镇), and
    its time overlaps the need's: offer.from < need.until and need.from <
    offer.until.  Suitable offers are ranked by place first (the same
    community before the rest of the town: help from next door comes
    sooner and is known), then by when the help can start (the later of
    the two froms, so the one that can come soonest leads), then by id,
    so the answer is the same whatever order the offers came in.

    The answer is bounded: at most `max` offers (CG_MATCH_MAX at most),
    however many the town holds. */
#ifndef CG_MATCH_H_INCLUDED
#define CG_MATCH_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define CG_MATCH_MAX    20      /* offers proposed for one need at most */

/*  A need or an offer as matching sees it.  Strings are not copied. */
typedef struct {
    const char *id;
    const char *community;      /* the community or village code */
    const char *town;           /* the town or street above it */
    const char *kind;           /* "service" or "goods" */
    const char *skill;          /* service: the skill; goods: the item */
    int64_t from;               /* when it may start (ms) */
    int64_t until;              /* when it must be done by (ms), after from */
} cg_match_item_t;

/*  Where an offer lies from a need: the same community, elsewhere in the
    town, or outside (never proposed). */
typedef enum { CG_MATCH_COMMUNITY = 0, CG_MATCH_TOWN = 1, CG_MATCH_AWAY = 2 } cg_match_place_t;

/*  Whether offer suits need, and where it lies (CG_MATCH_AWAY: it does
    not suit). */
cg_match_place_t cg_match_suits (const cg_match_item_t *need, const cg_match_item_t *offer);

/*  The offers among offers[0..n) that suit need, best first, as indices
    into best (room for max; max is cut to CG_MATCH_MAX).  Returns how
    many. */
size_t cg_match_propose (const cg_match_item_t *need, const cg_match_item_t *offers, size_t n,
                         size_t *best, size_t max);

#endif
