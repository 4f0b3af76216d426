/*  cg_match — see cg_match.h.

    One pass over the offers keeps the best `max` in a small array sorted
    by rank (insertion: max is at most 20), so proposing over a town of
    thousands of offers costs one comparison or two per offer and no
    allocation. */
#include "cg_match.h"
#include <string.h>

static int
s_eq (const char *a, const char *b)
{
    return a && b && strcmp (a, b) == 0;
}

cg_match_place_t
cg_match_suits (const cg_match_item_t *need, const cg_match_item_t *offer)
{
    if (!s_eq (need->kind, offer->kind) || !s_eq (need->skill, offer->skill))
        return CG_MATCH_AWAY;
    if (!(offer->from < need->until && need->from < offer->until))
        return CG_MATCH_AWAY;
    if (s_eq (need->community, offer->community))
        return CG_MATCH_COMMUNITY;
    if (s_eq (need->town, offer->town))
        return CG_MATCH_TOWN;
    return CG_MATCH_AWAY;
}

typedef struct {
    cg_match_place_t place;
    int64_t start;              /* the later of the two froms */
    const char *id;
} s_rank_t;

/*  <0 when a ranks before b. */
static int
s_compare (const s_rank_t *a, const s_rank_t *b)
{
    if (a->place != b->place)
        return a->place < b->place ? -1 : 1;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return strcmp (a->id ? a->id : "", b->id ? b->id : "");
}

size_t
cg_match_propose (const cg_match_item_t *need, const cg_match_item_t *offers, size_t n,
                  size_t *best, size_t max)
{
    s_rank_t ranks[CG_MATCH_MAX];
    if (max > CG_MATCH_MAX)
        max = CG_MATCH_MAX;
    size_t count = 0;
    for (size_t i = 0; i < n && max; i++) {
        cg_match_place_t place = cg_match_suits (need, &offers[i]);
        if (place == CG_MATCH_AWAY)
            continue;
        s_rank_t r = { place, offers[i].from > need->from ? offers[i].from : need->from,
                       offers[i].id };
        if (count == max && s_compare (&r, &ranks[count - 1]) >= 0)
            continue;
        size_t at = count < max ? count++ : count - 1;
        while (at > 0 && s_compare (&r, &ranks[at - 1]) < 0) {
            ranks[at] = ranks[at - 1];
            best[at] = best[at - 1];
            at--;
        }
        ranks[at] = r;
        best[at] = i;
    }
    return count;
}
