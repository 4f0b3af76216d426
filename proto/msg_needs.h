/*  msg_needs — needs and offers (供需对接): volunteers, residents' needs,
    volunteers' and donors' offers, their matches, the confirmation by the
    person served, and the statistics published per community and month
    (志愿服务统计和发布).  Served by civgrid-consultation
    (docs/CONSULTATION.md, "Needs and offers"); need.served is what the
    time bank of civgrid-fund credits.  Part of the one message table; see
    cg_messages.h for how a definition reads. */
#ifndef CG_MSG_NEEDS_H_INCLUDED
#define CG_MSG_NEEDS_H_INCLUDED

#include "cg_match.h"     /* CG_MATCH_MAX: the most offers proposed */

#define CG_NEED_SKILLS  8       /* skills, and areas, of one volunteer */
#define CG_NEED_PAGE    50      /* needs in one page: a need's text may take 4,000 bytes */
#define CG_PERSON_MAX   40      /* a person's id, as a time bank account names them */

#define CG_FIELDS_volunteer(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, CG_PERSON_MAX, _, "the volunteer's id: letters, digits and . _ - (their time bank account is CODE.v.ID)") \
    F(M, STR, name, 1, 1, 64, _, "the volunteer's name") \
    F(M, STR, community, 1, 1, CG_CODE_MAX, _, "the community or village where they are registered") \
    F(M, STRS, skills, 1, 1, CG_NEED_SKILLS, _, "what they can do: escort, companionship, repair, cleaning, tutoring, shopping, ...") \
    F(M, STRS, areas, 0, 0, CG_NEED_SKILLS, _, "communities or towns they serve besides their own") \
    F(M, INT, hours, 1, 1, 168, _, "hours a week they can give") \
    F(M, STR, actor, 1, 1, 64, _, "who registers them")

#define CG_FIELDS_volunteer_view(F, M) \
    F(M, STR, id, 1, 1, CG_PERSON_MAX, _, "the volunteer's id") \
    F(M, STR, name, 1, 1, 64, _, "their name") \
    F(M, STR, community, 1, 1, CG_CODE_MAX, _, "where they are registered") \
    F(M, STRS, skills, 1, 1, CG_NEED_SKILLS, _, "what they can do") \
    F(M, STRS, areas, 0, 0, CG_NEED_SKILLS, _, "communities or towns they serve besides their own") \
    F(M, INT, hours, 1, 1, 168, _, "hours a week they can give") \
    F(M, STR, actor, 1, 1, 64, _, "who registered them") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_need_post(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, community, 1, 1, CG_CODE_MAX, _, "need.post: where the need is; offer.post: where the offer is given") \
    F(M, STR, kind, 1, 1, 16, _, "service (a volunteer's time) or goods (charity in kind)") \
    F(M, STR, skill, 1, 1, 32, _, "service: the skill needed or offered; goods: the item") \
    F(M, STR, what, 1, 1, CG_TEXT_MAX, _, "what is needed or offered, in full") \
    F(M, INT, from, 1, 0, CG_TIME_MAX, _, "from when") \
    F(M, INT, until, 1, 0, CG_TIME_MAX, _, "until when (a need's date: unmatched after it, it goes to the community's operators)") \
    F(M, STR, urgency, 0, 1, 16, _, "need.post: normal (default) or urgent") \
    F(M, STR, poster, 0, 1, 16, _, "need.post: community, organisation (a social organisation) or operator (for a resident); default operator") \
    F(M, STR, person, 0, 1, CG_PERSON_MAX, _, "need.post: the person served, an id (letters, digits, . _ -): the only one who confirms the service") \
    F(M, STR, name, 0, 1, 64, _, "need.post: the person's name (sealed at rest, shown masked)") \
    F(M, STR, phone, 0, 1, 32, _, "need.post: the person's phone (sealed at rest, shown masked)") \
    F(M, STR, address, 0, 1, 256, _, "need.post: where to go (sealed at rest)") \
    F(M, STR, volunteer, 0, 1, CG_PERSON_MAX, _, "offer.post of a service: the registered volunteer who offers") \
    F(M, STR, donor, 0, 1, 64, _, "offer.post of goods: who gives them") \
    F(M, INT, minutes, 0, 0, 10080, _, "offer.post: minutes offered (service)") \
    F(M, STR, actor, 1, 1, 64, _, "who posts it")

#define CG_FIELDS_need_view(F, M) \
    F(M, STR, id, 1, 1, 32, _, "XQ (a need) or GJ (an offer) and a number") \
    F(M, STR, community, 1, 1, CG_CODE_MAX, _, "the community or village") \
    F(M, STR, town, 0, 1, CG_CODE_MAX, _, "the town or street above it") \
    F(M, STR, kind, 1, 1, 16, _, "service or goods") \
    F(M, STR, skill, 1, 1, 32, _, "the skill or the item") \
    F(M, STR, what, 0, 1, CG_TEXT_MAX, _, "what is needed or offered (cut in a list, CG_LIST_TEXT)") \
    F(M, INT, from, 1, 0, CG_TIME_MAX, _, "from when") \
    F(M, INT, until, 1, 0, CG_TIME_MAX, _, "until when") \
    F(M, STR, state, 1, 1, 16, _, "need: open, matched (proposed to an offer), accepted (by both sides), served, expired (past its date unmatched; still open to a match); offer: open, taken") \
    F(M, STR, urgency, 0, 1, 16, _, "need: normal or urgent") \
    F(M, STR, poster, 0, 1, 16, _, "need: community, organisation or operator") \
    F(M, STR, person, 0, 1, CG_PERSON_MAX, _, "need: the person served") \
    F(M, STR, name, 0, 1, 64, _, "need: the person's name, masked (张**)") \
    F(M, STR, phone, 0, 1, 32, _, "need: the person's phone, masked (138****5678)") \
    F(M, STR, volunteer, 0, 1, CG_PERSON_MAX, _, "offer: the volunteer; need: the volunteer matched") \
    F(M, STR, donor, 0, 1, 64, _, "offer of goods: the donor") \
    F(M, INT, minutes, 0, 0, 10080, _, "offer: minutes offered; need served: minutes credited") \
    F(M, STR, match, 0, 1, 32, _, "the match (PD and a number), once matched") \
    F(M, STR, code, 0, 1, 16, _, "need.post's answer only: the confirmation code, given to the person served (never stored in the clear, never shown again)") \
    F(M, STR, place, 0, 1, 16, _, "in proposals: community (the need's own) or town") \
    F(M, STR, actor, 0, 1, 64, _, "who posted it") \
    F(M, INT, created, 0, 0, CG_TIME_MAX, _, "when posted") \
    F(M, INT, pos, 0, INT64_MIN, INT64_MAX, _, "in a list: its place there (the time it was posted)")

#define CG_FIELDS_need_act(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, id, 1, 1, 32, _, "need.show, need.propose, need.match: the need; match.accept, need.confirm: the match") \
    F(M, STR, actor, 0, 1, 64, _, "who acts (required for a change)") \
    F(M, STR, offer, 0, 1, 32, _, "need.match: the offer chosen (default the first proposed)") \
    F(M, STR, side, 0, 1, 16, _, "match.accept, match.decline: need (the community, for the resident) or offer (the volunteer or donor)") \
    F(M, STR, person, 0, 1, CG_PERSON_MAX, _, "need.confirm: the person served, who confirms") \
    F(M, STR, code, 0, 1, 16, _, "need.confirm: the confirmation code the person served was given") \
    F(M, INT, minutes, 0, 1, 1440, _, "need.confirm: the minutes of service (the time bank's credit)")

#define CG_FIELDS_need_proposals(F, M) \
    F(M, STR, need, 1, 1, 32, _, "the need") \
    F(M, INT, considered, 1, 0, INT64_MAX, _, "open offers of the town considered") \
    F(M, LIST, offers, 0, 0, CG_MATCH_MAX, need_view, "the offers that suit, best first (cg_match.h): the community's own, then the town's, the soonest first")

#define CG_FIELDS_need_match(F, M) \
    F(M, STR, id, 1, 1, 32, _, "match id: PD and a number") \
    F(M, STR, need, 1, 1, 32, _, "the need") \
    F(M, STR, offer, 1, 1, 32, _, "the offer") \
    F(M, STR, community, 1, 1, CG_CODE_MAX, _, "the need's community") \
    F(M, STR, kind, 1, 1, 16, _, "service or goods") \
    F(M, STR, volunteer, 0, 1, CG_PERSON_MAX, _, "the volunteer (service)") \
    F(M, STR, state, 1, 1, 16, _, "proposed, accepted (by both sides), served (confirmed by the person served), declined (by one side before both accepted: the need and the offer are open again)") \
    F(M, STR, need_by, 0, 1, 64, _, "who accepted for the need") \
    F(M, STR, offer_by, 0, 1, 64, _, "who accepted for the offer") \
    F(M, STR, served_by, 0, 1, 64, _, "who recorded the confirmation") \
    F(M, STR, declined_by, 0, 1, 64, _, "who declined it, for which side (need:WHO or offer:WHO)") \
    F(M, INT, minutes, 0, 0, 1440, _, "minutes confirmed") \
    F(M, INT, at, 0, 0, CG_TIME_MAX, _, "last change")

#define CG_FIELDS_need_event(F, M) \
    F(M, STR, id, 1, 1, 32, _, "the need") \
    F(M, STR, community, 1, 1, CG_CODE_MAX, _, "its community") \
    F(M, STR, kind, 0, 1, 16, _, "service or goods") \
    F(M, STR, skill, 0, 1, 32, _, "the skill or item") \
    F(M, STR, urgency, 0, 1, 16, _, "normal or urgent") \
    F(M, INT, until, 0, 0, CG_TIME_MAX, _, "its date") \
    F(M, STR, match, 0, 1, 32, _, "need.matched, need.accepted: the match") \
    F(M, STR, offer, 0, 1, 32, _, "need.matched, need.accepted: the offer") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when")

#define CG_FIELDS_need_served(F, M) \
    F(M, STR, need, 1, 1, 32, _, "the need") \
    F(M, STR, match, 1, 1, 32, _, "the match: the time bank credits it once") \
    F(M, STR, community, 1, 1, CG_CODE_MAX, _, "the need's community: its time bank (or its town's) credits") \
    F(M, STR, volunteer, 1, 1, CG_PERSON_MAX, _, "who served") \
    F(M, STR, served, 1, 1, CG_PERSON_MAX, _, "the person served, who confirmed") \
    F(M, INT, minutes, 1, 1, 1440, _, "minutes of service") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when confirmed")

#define CG_FIELDS_need_query(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, community, 0, 1, CG_CODE_MAX, _, "need.list: the community (all when absent); need.stats, need.public_stats: required") \
    F(M, STR, month, 0, 1, 7, _, "need.stats, need.public_stats: YYYY-MM (Beijing time)") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "where to go on: the `next` of the page before (absent: the first page)") \
    F(M, INT, limit, 0, 0, CG_NEED_PAGE, _, "at most this many (default and most 50)")

#define CG_FIELDS_need_page(F, M) \
    F(M, INT, total, 1, 0, INT64_MAX, _, "how many") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last") \
    F(M, LIST, needs, 0, 0, CG_NEED_PAGE, need_view, "this page, newest first (texts cut)")

#define CG_FIELDS_need_stats(F, M) \
    F(M, STR, community, 1, 1, CG_CODE_MAX, _, "the community or village") \
    F(M, STR, name, 0, 1, CG_NAME_MAX, _, "its name") \
    F(M, STR, month, 1, 7, 7, _, "YYYY-MM") \
    F(M, INT, posted, 1, 0, INT64_MAX, _, "needs posted in the month") \
    F(M, INT, matched, 1, 0, INT64_MAX, _, "matches both sides accepted in the month") \
    F(M, INT, served, 1, 0, INT64_MAX, _, "services confirmed by the person served in the month") \
    F(M, INT, minutes, 1, 0, INT64_MAX, _, "volunteer minutes confirmed in the month") \
    F(M, STR, hours, 1, 1, 24, _, "the same as hours, two decimals (志愿服务时长)") \
    F(M, INT, volunteers, 1, 0, INT64_MAX, _, "volunteers who served in the month")

#define CG_MESSAGES_NEEDS(M) \
    M(volunteer, "volunteer.register", "command", CG_FIELDS_volunteer, \
      "To consultation: register a volunteer (志愿者) with their skills, areas and hours; registering again updates them.") \
    M(volunteer_view, "volunteer.view", "reply", CG_FIELDS_volunteer_view, \
      "A volunteer as registered; as the event volunteer.registered, the registration (journal consultation).") \
    M(need_post, "need.post", "command", CG_FIELDS_need_post, \
      "To consultation, as need.post (a resident's need, 需求) or offer.post (a volunteer's or donor's offer, 供给).") \
    M(need_view, "need.view", "reply", CG_FIELDS_need_view, \
      "A need or an offer as operators see it: personal data masked.") \
    M(need_act, "need.act", "command", CG_FIELDS_need_act, \
      "To consultation, as need.show, need.propose (the offers that suit), need.match (propose one), match.accept (one side accepts), match.decline (one side declines a proposed match), need.confirm (the person served confirms: the time bank credits the minutes).") \
    M(need_proposals, "need.proposals", "reply", CG_FIELDS_need_proposals, \
      "The offers that suit a need, best first, bounded.") \
    M(need_match, "need.match", "reply", CG_FIELDS_need_match, \
      "A match of a need and an offer, from its proposal to the confirmation; as the events match.accepted and match.declined, the match once one side accepted or declined it (journal consultation).") \
    M(need_event, "need.event", "event", CG_FIELDS_need_event, \
      "Something happened to a need; the bus topic says what: need.posted, offer.posted (an offer: id, community, kind, skill, until), need.matched, need.expired (past its date unmatched: the community's operators are told) (journal consultation).") \
    M(need_served, "need.served", "event", CG_FIELDS_need_served, \
      "The person served confirmed the service of a match: civgrid-fund credits the volunteer's time bank minutes once per match (journal consultation).") \
    M(need_query, "need.query", "command", CG_FIELDS_need_query, \
      "To consultation, as need.list (needs, newest first), need.stats or need.public_stats (a community's month).") \
    M(need_page, "need.page", "reply", CG_FIELDS_need_page, \
      "A page of needs.") \
    M(need_stats, "need.stats", "reply", CG_FIELDS_need_stats, \
      "The published statistics of a community's month (志愿服务统计和发布).")

#endif
