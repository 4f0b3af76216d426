/*  Matching a need to offers (common/cg_match.h): what suits, in which
    order, and that the answer stays bounded over a town of thousands. */
#include <criterion/criterion.h>
#include <stdio.h>
#include "cg_match.h"

#define H   3600000LL

static const cg_match_item_t s_need = { "N1", "320602001001", "320602001", "service",
                                        "escort", 10 * H, 14 * H };

Test (match, an_offer_suits_by_kind_skill_place_and_time)
{
    cg_match_item_t o = { "O1", "320602001001", "320602001", "service", "escort", 9 * H, 11 * H };
    cr_assert_eq (cg_match_suits (&s_need, &o), CG_MATCH_COMMUNITY);
    o.community = "320602001002";
    cr_assert_eq (cg_match_suits (&s_need, &o), CG_MATCH_TOWN, "a neighbour in the town");
    o.town = "320602002";
    cr_assert_eq (cg_match_suits (&s_need, &o), CG_MATCH_AWAY, "another town is too far");
    o = (cg_match_item_t) { "O1", "320602001001", "320602001", "goods", "escort", 9 * H, 11 * H };
    cr_assert_eq (cg_match_suits (&s_need, &o), CG_MATCH_AWAY, "goods do not serve a service");
    o.kind = "service";
    o.skill = "cleaning";
    cr_assert_eq (cg_match_suits (&s_need, &o), CG_MATCH_AWAY, "another skill");
    o.skill = "escort";
    o.from = 14 * H;
    o.until = 16 * H;
    cr_assert_eq (cg_match_suits (&s_need, &o), CG_MATCH_AWAY, "starts when the need ends");
    o.from = 6 * H;
    o.until = 10 * H;
    cr_assert_eq (cg_match_suits (&s_need, &o), CG_MATCH_AWAY, "ends when the need starts");
    o.until = 10 * H + 1;
    cr_assert_eq (cg_match_suits (&s_need, &o), CG_MATCH_COMMUNITY, "a minute in common");
    o.skill = NULL;
    cr_assert_eq (cg_match_suits (&s_need, &o), CG_MATCH_AWAY, "an offer without a skill");
}

Test (match, the_community_first_then_the_soonest_then_by_id)
{
    cg_match_item_t offers[] = {
        { "O5", "320602001002", "320602001", "service", "escort", 8 * H, 20 * H },  /* town, at once */
        { "O4", "320602001001", "320602001", "service", "escort", 12 * H, 20 * H }, /* here, later */
        { "O3", "320602002001", "320602002", "service", "escort", 8 * H, 20 * H },  /* away */
        { "O2", "320602001001", "320602001", "service", "escort", 9 * H, 11 * H },  /* here, at once */
        { "O1", "320602001001", "320602001", "service", "escort", 10 * H, 12 * H }, /* here, at once */
        { "O0", "320602001001", "320602001", "service", "repair", 10 * H, 12 * H }, /* skill */
    };
    size_t best[CG_MATCH_MAX];
    size_t n = cg_match_propose (&s_need, offers, 6, best, CG_MATCH_MAX);
    cr_assert_eq (n, 4);
    const char *want[] = { "O1", "O2", "O4", "O5" };
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq (offers[best[i]].id, want[i], "place %zu", i);
    n = cg_match_propose (&s_need, offers, 6, best, 2);
    cr_assert_eq (n, 2, "a bounded answer");
    cr_assert_str_eq (offers[best[0]].id, "O1");
    cr_assert_str_eq (offers[best[1]].id, "O2");
    cr_assert_eq (cg_match_propose (&s_need, offers, 6, best, 0), 0);
    cr_assert_eq (cg_match_propose (&s_need, offers, 0, best, 5), 0);
}

Test (match, a_town_of_thousands_gives_the_same_twenty_in_any_order)
{
    static cg_match_item_t offers[5000];
    static char ids[5000][8], places[5000][16];
    for (size_t i = 0; i < 5000; i++) {
        snprintf (ids[i], sizeof ids[i], "O%04zu", i);
        snprintf (places[i], sizeof places[i], "3206020010%02zu", i % 7);
        offers[i] = (cg_match_item_t) { ids[i], places[i], "320602001",
                                        i % 3 ? "service" : "goods", i % 2 ? "escort" : "repair",
                                        (int64_t) (i % 24) * H, (int64_t) (i % 24 + 3) * H };
    }
    size_t best[CG_MATCH_MAX], again[CG_MATCH_MAX];
    size_t n = cg_match_propose (&s_need, offers, 5000, best, 100);
    cr_assert_eq (n, CG_MATCH_MAX, "at most %d however many suit", CG_MATCH_MAX);
    for (size_t i = 0; i < n; i++) {
        cr_assert_neq (cg_match_suits (&s_need, &offers[best[i]]), CG_MATCH_AWAY);
        if (i)
            cr_assert (strcmp (offers[best[i - 1]].community, "320602001001") == 0
                    || strcmp (offers[best[i]].community, "320602001001") != 0,
                       "the community's own offers come first");
    }
    size_t here = 0;
    for (size_t i = 0; i < 5000; i++)
        here += cg_match_suits (&s_need, &offers[i]) == CG_MATCH_COMMUNITY;
    cr_assert_gt (here, 0);
    cr_assert_str_eq (offers[best[here < n ? here - 1 : n - 1]].community, "320602001001");
    /*  the same answer from the offers reversed */
    static cg_match_item_t reversed[5000];
    for (size_t i = 0; i < 5000; i++)
        reversed[i] = offers[4999 - i];
    cr_assert_eq (cg_match_propose (&s_need, reversed, 5000, again, 100), n);
    for (size_t i = 0; i < n; i++)
        cr_assert_str_eq (reversed[again[i]].id, offers[best[i]].id);
}
