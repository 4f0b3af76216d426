/*  needs — needs and offers (供需对接) in the operator API and in public.

    A need, an offer and a volunteer belong to a community; the request
    that posts one names it (`community`), which must lie in the caller's
    scope (403 naming the field).  A need is shown, proposed for and
    matched only when its community lies in the caller's scope (else 404,
    as if it did not exist).  Accepting and confirming a match is checked
    by consultation against the actor the gateway vouches for
    (center:CODE:NAME): an actor outside the need's community is refused
    on `community` (docs/CONSULTATION.md, "Needs and offers").

    In public (no token) only the statistics of a community's month are
    shown (志愿服务统计和发布): counts and hours, never a need, a person or
    a volunteer. */
#include "gateway.h"

static bool
s_shows_need (gw_request_t *req, const gw_params_t *params, const void *rep)
{
    (void) params;
    return gw_in_scope (req, ((const cg_need_view_t *) rep)->community);
}

const gw_rule_t gw_need_place = { .place = "community", .place_needed = true };
const gw_rule_t gw_need_read = { .what = "need", .shows = s_shows_need };
const gw_rule_t gw_need_act = { .what = "need", .lookup = &cg_cmd_need_show,
                                .shows = s_shows_need };
const gw_rule_t gw_match_act = { .what = "match" };
const gw_rule_t gw_need_public = { .what = "community" };
