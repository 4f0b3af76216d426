/*  needs — see needs.h.  Needs and offers (供需对接) in the community.

    A volunteer (志愿者) is registered with skills, the areas they serve
    and the hours they give.  A need (需求, XQ000001) is posted for a
    resident by the community, a social organisation or an operator: who
    (the person served, an id; their name, phone and address sealed as
    intake seals a caller's, cg_privacy.h), what, where (a community),
    when (from, until), how urgent, and of which kind: a volunteer service
    (with the skill it needs) or charity goods (with the item).  An offer
    (供给, GJ000001) is posted by a registered volunteer (a service, in
    their community or an area they serve) or by a donor (goods).

    Matching (cg_match.h, a pure function) proposes the open offers of
    the need's town that suit it: the same kind and skill, time in
    common, the community's own before the rest of the town, the soonest
    first, twenty at most.  A match (PD000001) of a need and an offer is
    accepted by both sides (the need's side by the community for the
    resident, the offer's by the volunteer or donor or an operator for
    them), or declined by either before both have (the need and the offer
    are open again), carried out, and confirmed by the person served.

    Who may confirm: the person served, and only they.  When the need is
    posted its answer carries a six-digit confirmation code, shown once
    and never stored in the clear (a BLAKE2b hash of the need id and the
    code is kept); the operator gives it to the resident on paper or by
    phone.  Whoever records the confirmation (the resident at a kiosk, or
    an operator of the community on their behalf, in person) names the
    person served and gives the code: another person is refused on the
    field `person`, a wrong code on `code`, and a second confirmation of
    the same match on `id` (the time bank credits a match once).  The
    confirmation journals need.served, which civgrid-fund follows to
    credit the volunteer's minutes (services/fund/served.c).

    An actor that speaks for a place (center:CODE:NAME, unit:CODE:NAME, as
    the gateway vouches) may post and act only within that place: a need,
    offer or volunteer of another town is refused on the field
    `community`.

    Keys (cg:{consultation}:..., written only by the scripts of
    deploy/lua/consultation/need_*.lua, each change journaled):
        vol:<id>                hash: the volunteer's fields, skills and
                                areas as comma lists
        need:<id>, offer:<id>   hash: the view's fields (need.view), and for
                                a need name_sealed, phone_sealed,
                                address_sealed, code_hash
        match:<id>              hash: need.match's fields
        needs, needs:<code>     sorted sets of need ids by posting time
        needs_due               sorted set need id -> its date (until): the
                                needs that may expire
        offers:<town>           hash offer id -> "community TAB kind TAB
                                skill TAB from TAB until": the open offers
                                of a town, what matching reads in one call
        stats:<code>:<YYYY-MM>  hash posted, matched, served, minutes
        stats:<code>:<YYYY-MM>:vol  set of the volunteers who served
        need_seq, offer_seq, match_seq   the last numbers given out
    A number is taken before its script runs, so a refused post leaves a
    gap in the numbers and nothing else. */
#include "needs.h"
#include "cg_clock.h"
#include "cg_match.h"
#include "cg_privacy.h"
#include "cg_text.h"
#include <sodium.h>

#define P               CONSULTATION_PREFIX
#define S_DUE_BATCH     50          /* needs expired in one tick at most */

struct _needs_t {
    consultation_t *c;
    cg_privacy_t *privacy;
};

needs_t *
needs_new (consultation_t *consultation)
{
    cg_privacy_t *privacy = cg_privacy_new (cg_daemon_get (consultation->daemon, "intake/key",
                                                           ""));
    if (!privacy) {
        zsys_error ("consultation: intake/key must be 64 hex digits: the personal data of "
                    "needs is sealed with it");
        return NULL;
    }
    needs_t *self = cg_alloc (sizeof *self);
    self->c = consultation;
    self->privacy = privacy;
    return self;
}

void
needs_destroy (needs_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_privacy_destroy (&(*self_p)->privacy);
    free (*self_p);
    *self_p = NULL;
}

/* --- checks ----------------------------------------------------------------- */

/*  A person's id as a time bank account names them. */
static bool
s_person_ok (const char *id)
{
    if (!id || !*id || strlen (id) > CG_PERSON_MAX)
        return false;
    for (const char *p = id; *p; p++)
        if (!isalnum ((unsigned char) *p) && *p != '.' && *p != '_' && *p != '-')
            return false;
    return true;
}

/*  The community or village of code, or NULL after refusing on field. */
static const cg_org_node_t *
s_community (needs_t *self, const char *code, const char *field, cg_reply_t *reply)
{
    const cg_org_node_t *node = code ? cg_orgtree_find (self->c->org, code) : NULL;
    if (!node || node->kind != CG_ORG_COMMUNITY) {
        cg_reply_fail (reply, "invalid", field, "%s \"%s\" is not a community or village of the "
                       "org tree", field, code ? code : "");
        return NULL;
    }
    return node;
}

/*  An actor that speaks for a place (center:CODE:..., unit:CODE:...)
    acts only within it; 0, or -1 after refusing on field. */
static int
s_actor_within (needs_t *self, const char *actor, const cg_org_node_t *node, const char *field,
                cg_reply_t *reply)
{
    char code[CG_CODE_MAX + 1];
    const char *rest = actor && strncmp (actor, "center:", 7) == 0 ? actor + 7
                     : actor && strncmp (actor, "unit:", 5) == 0 ? actor + 5 : NULL;
    if (!rest)
        return 0;
    size_t len = strcspn (rest, ":");
    snprintf (code, sizeof code, "%.*s", (int) (len < sizeof code ? len : sizeof code - 1),
              rest);
    const cg_org_node_t *place = cg_orgtree_find (self->c->org, code);
    if (place && cg_orgtree_within (node, place))
        return 0;
    cg_reply_fail (reply, "forbidden", field, "%s %s %s lies outside %s, for which %s acts",
                   field, node->code, node->name, code, actor);
    return -1;
}

/*  The YYYY-MM of a time, in Beijing time. */
static void
s_month (int64_t at, char *month)
{
    char iso[40];
    cg_time_iso (at, iso, sizeof iso);
    snprintf (month, 8, "%.7s", iso);
}

/*  The hash of a need's confirmation code, in hex (33 bytes). */
static void
s_code_hash (const char *need, const char *code, char *hex)
{
    unsigned char h[16];
    char salted[96];
    snprintf (salted, sizeof salted, "%s|%s", need, code);
    crypto_generichash (h, sizeof h, (const unsigned char *) salted, strlen (salted), NULL, 0);
    sodium_bin2hex (hex, 33, h, sizeof h);
}

/*  Takes the next number of seq ("need_seq") as prefix and six digits. */
static int
s_next_id (needs_t *self, const char *seq, const char *prefix, char *id, size_t len)
{
    redisReply *r = cg_redis_command (self->c->daemon->redis, "INCR " P "%s", seq);
    int rc = r && r->type == REDIS_REPLY_INTEGER ? 0 : -1;
    if (rc == 0)
        snprintf (id, len, "%s%06lld", prefix, (long long) r->integer);
    if (r)
        freeReplyObject (r);
    return rc;
}

/*  Reads the hash key into msg of def: 0, 1 when there is none, -1. */
static int
s_read (needs_t *self, const char *key, const cg_msgdef_t *def, void *msg)
{
    memset (msg, 0, def->size);
    redisReply *r = cg_redis_command (self->c->daemon->redis, "HGETALL " P "%s", key);
    int rc = r ? cg_reply_hash_msg (r, def, msg) : -1;
    if (r)
        freeReplyObject (r);
    return rc;
}

static int
s_read_view (needs_t *self, const char *what, const char *id, cg_need_view_t *view)
{
    char key[64];
    snprintf (key, sizeof key, "%s:%s", what, id);
    return s_read (self, key, &cg_need_view_def, view);
}

/*  Refuses in reply when a read failed or found nothing; true then. */
static bool
s_missing (int rc, const char *what, const char *field, const char *id, cg_reply_t *reply)
{
    if (rc < 0)
        cg_reply_fail (reply, "unavailable", NULL, "the needs store cannot be reached");
    else
    if (rc == 1)
        cg_reply_fail (reply, "not_found", field, "there is no %s %s", what, id);
    return rc != 0;
}

static void
s_add_pairs (cg_args_t *pairs, int *n, const char *key, const char *value)
{
    cg_args_add_str (pairs, key);
    cg_args_add_str (pairs, value);
    (*n)++;
}

static void
s_add_args (cg_args_t *args, cg_args_t *more)
{
    for (int i = 0; i < more->argc; i++)
        cg_args_add (args, more->argv[i], more->lens[i]);
}

/* --- volunteers ------------------------------------------------------------- */

/*  The comma list of a list field. */
static void
s_join (char **items, size_t n, char *buf, size_t len)
{
    *buf = 0;
    for (size_t i = 0; i < n; i++)
        snprintf (buf + strlen (buf), len - strlen (buf), "%s%s", i ? "," : "", items[i]);
}

void
needs_on_volunteer (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_volunteer_t *req = request;
    const cg_org_node_t *home = s_community (self, req->community, "community", reply);
    if (!home || s_actor_within (self, req->actor, home, "community", reply))
        return;
    if (!s_person_ok (req->id)) {
        cg_reply_fail (reply, "invalid", "id", "a volunteer's id is letters, digits and . _ - "
                       "(at most %d): it names their time bank account", CG_PERSON_MAX);
        return;
    }
    for (size_t i = 0; i < req->skills_count; i++)
        if (!*req->skills[i] || strlen (req->skills[i]) > 32 || strchr (req->skills[i], ',')) {
            cg_reply_fail (reply, "invalid", "skills", "skill %zu is empty, has a comma or is "
                           "longer than 32 bytes", i + 1);
            return;
        }
    for (size_t i = 0; i < req->areas_count; i++) {
        const cg_org_node_t *area = cg_orgtree_find (self->c->org, req->areas[i]);
        if (!area || (area->kind != CG_ORG_COMMUNITY && area->kind != CG_ORG_TOWN)) {
            cg_reply_fail (reply, "invalid", "areas", "area \"%s\" is not a community or a "
                           "town of the org tree", req->areas[i]);
            return;
        }
    }
    char skills[CG_NEED_SKILLS * 34], areas[CG_NEED_SKILLS * (CG_CODE_MAX + 2)];
    s_join (req->skills, req->skills_count, skills, sizeof skills);
    s_join (req->areas, req->areas_count, areas, sizeof areas);
    cg_volunteer_view_t view = { .id = req->id, .name = req->name, .community = req->community,
                                 .skills = req->skills, .skills_count = req->skills_count,
                                 .areas = req->areas, .areas_count = req->areas_count,
                                 .hours = req->hours, .actor = req->actor,
                                 .at = cg_clock_now () };
    int64_t now = view.at;
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, P);
    cg_args_add_str (&args, req->rid);
    cg_args_add_str (&args, req->id);
    cg_args_add_int (&args, now);
    cg_args_add_str (&args, skills);
    cg_args_add_str (&args, areas);
    cg_args_add_msg (&args, &cg_volunteer_view_def, &view);
    cg_args_add_fields (&args, &cg_volunteer_view_def, &view);
    if (consultation_run (self->c, "need_volunteer", &args, reply, NULL, 0) == 0)
        cg_reply_ok (reply, &cg_volunteer_view_def, &view);
    cg_args_free (&args);
}

/*  Volunteer id's community and areas (comma list) into home and areas;
    0, 1 when not registered, -1. */
static int
s_volunteer (needs_t *self, const char *id, char *home, char *areas, size_t len)
{
    redisReply *r = cg_redis_command (self->c->daemon->redis, "HMGET " P "vol:%s community areas",
                                      id);
    int rc = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 ? 0 : -1;
    if (rc == 0 && r->element[0]->type != REDIS_REPLY_STRING)
        rc = 1;
    if (rc == 0) {
        snprintf (home, CG_CODE_MAX + 1, "%s", r->element[0]->str);
        snprintf (areas, len, "%s", cg_reply_str (r->element[1]));
    }
    if (r)
        freeReplyObject (r);
    return rc;
}

/*  Whether node lies in one of the comma list's places. */
static bool
s_in_areas (needs_t *self, const cg_org_node_t *node, const char *areas)
{
    char copy[CG_NEED_SKILLS * (CG_CODE_MAX + 2)];
    snprintf (copy, sizeof copy, "%s", areas);
    char *save;
    for (char *code = strtok_r (copy, ",", &save); code; code = strtok_r (NULL, ",", &save)) {
        const cg_org_node_t *area = cg_orgtree_find (self->c->org, code);
        if (area && cg_orgtree_within (node, area))
            return true;
    }
    return false;
}

/* --- needs and offers ----------------------------------------------------- */

/*  What a need and an offer check alike; 0, or -1 after refusing. */
static const cg_org_node_t *
s_check_post (needs_t *self, cg_need_post_t *req, cg_reply_t *reply)
{
    const cg_org_node_t *node = s_community (self, req->community, "community", reply);
    if (!node || s_actor_within (self, req->actor, node, "community", reply))
        return NULL;
    if (!streq (req->kind, "service") && !streq (req->kind, "goods"))
        cg_reply_fail (reply, "invalid", "kind", "kind \"%s\" is not service (a volunteer's "
                       "time) or goods (charity in kind)", req->kind);
    else
    if (strchr (req->skill, '\t'))
        cg_reply_fail (reply, "invalid", "skill", "a skill or item has no tab");
    else
    if (req->until <= req->from)
        cg_reply_fail (reply, "invalid", "until", "until must come after from");
    else
        return node;
    return NULL;
}

/*  Adds the hash fields of view to args (count, then pairs), and the
    extra pairs. */
static void
s_add_record (cg_args_t *args, cg_need_view_t *view, cg_args_t *extra, int nextra)
{
    cg_args_t fields;
    cg_args_init (&fields);
    int n = cg_args_add_fields (&fields, &cg_need_view_def, view);
    cg_args_add_int (args, n + nextra);
    /*  cg_args_add_fields put the count first */
    for (int i = 1; i < fields.argc; i++)
        cg_args_add (args, fields.argv[i], fields.lens[i]);
    s_add_args (args, extra);
    cg_args_free (&fields);
}

/*  Runs need_post for a need or an offer.  Returns 0 when it was stored
    now (the caller answers), 1 when a retry was answered with the first
    post (without its code), -1 after refusing or failing in reply. */
static int
s_post (needs_t *self, const char *rid, const char *what, cg_need_view_t *view, const char *line,
        cg_args_t *extra, int nextra, cg_reply_t *reply)
{
    cg_need_event_t event = { .id = view->id, .community = view->community, .kind = view->kind,
                              .skill = view->skill, .urgency = view->urgency,
                              .until = view->until, .at = view->created };
    char month[8];
    s_month (view->created, month);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, P);
    cg_args_add_str (&args, rid);
    cg_args_add_str (&args, what);
    cg_args_add_str (&args, view->id);
    cg_args_add_int (&args, view->created);
    cg_args_add_str (&args, month);
    cg_args_add_str (&args, view->town);
    cg_args_add_str (&args, line);
    cg_args_add_str (&args, streq (what, "need") ? "need.posted" : "offer.posted");
    cg_args_add_msg (&args, &cg_need_event_def, &event);
    s_add_record (&args, view, extra, nextra);
    char answer[64] = "";
    int rc = consultation_run (self->c, "need_post", &args, reply, answer, sizeof answer);
    cg_args_free (&args);
    if (rc != 0)
        return -1;
    if (streq (answer, view->id))
        return 0;
    cg_need_view_t first;
    if (s_missing (s_read_view (self, what, answer, &first), what, "rid", answer, reply))
        return -1;
    cg_reply_ok (reply, &cg_need_view_def, &first);
    cg_msg_clear (&cg_need_view_def, &first);
    return 1;
}

void
needs_on_post (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_post_t *req = request;
    const cg_org_node_t *node = s_check_post (self, req, reply);
    if (!node)
        return;
    const char *urgency = req->urgency ? req->urgency : "normal";
    const char *poster = req->poster ? req->poster : "operator";
    if (!streq (urgency, "normal") && !streq (urgency, "urgent")) {
        cg_reply_fail (reply, "invalid", "urgency", "urgency \"%s\" is not normal or urgent",
                       urgency);
        return;
    }
    if (!streq (poster, "community") && !streq (poster, "organisation")
    &&  !streq (poster, "operator")) {
        cg_reply_fail (reply, "invalid", "poster", "poster \"%s\" is not community, "
                       "organisation (a social organisation) or operator (for a resident)",
                       poster);
        return;
    }
    if (!s_person_ok (req->person)) {
        cg_reply_fail (reply, "invalid", "person", "a need names the person served, who alone "
                       "confirms it: an id of letters, digits and . _ - (at most %d)",
                       CG_PERSON_MAX);
        return;
    }
    if (req->volunteer || req->donor || req->minutes) {
        cg_reply_fail (reply, "invalid", req->volunteer ? "volunteer" : req->donor ? "donor"
                       : "minutes", "a need names no volunteer, donor or minutes: those are "
                       "an offer's");
        return;
    }
    char id[32], code[8], hash[33];
    if (s_next_id (self, "need_seq", "XQ", id, sizeof id)) {
        cg_reply_fail (reply, "unavailable", NULL, "the needs store cannot be reached");
        return;
    }
    snprintf (code, sizeof code, "%06u", (unsigned) (randombytes_uniform (1000000)));
    s_code_hash (id, code, hash);
    char *what = cg_text_clean (req->what);
    char name[80] = "", phone[40] = "";
    cg_args_t extra;
    cg_args_init (&extra);
    int nextra = 0;
    s_add_pairs (&extra, &nextra, "code_hash", hash);
    const char *sealed_keys[] = { "name_sealed", "phone_sealed", "address_sealed" };
    const char *plain[] = { req->name, req->phone, req->address };
    for (int i = 0; i < 3; i++)
        if (plain[i]) {
            char sealed[CG_SEALED_LEN (256)];
            cg_privacy_seal (self->privacy, plain[i], sealed, sizeof sealed);
            s_add_pairs (&extra, &nextra, sealed_keys[i], sealed);
        }
    if (req->name)
        cg_mask_name (req->name, name, sizeof name);
    if (req->phone)
        cg_mask_phone (req->phone, phone, sizeof phone);
    cg_need_view_t view = { .id = id, .community = req->community,
                            .town = (char *) node->parent->code, .kind = req->kind,
                            .skill = req->skill, .what = what ? what : req->what,
                            .from = req->from, .until = req->until, .state = "open",
                            .urgency = (char *) urgency, .poster = (char *) poster,
                            .person = req->person, .name = *name ? name : NULL,
                            .phone = *phone ? phone : NULL, .actor = req->actor,
                            .created = cg_clock_now () };
    if (s_post (self, req->rid, "need", &view, "", &extra, nextra, reply) == 0) {
        /*  the code goes out once, in this answer */
        view.code = code;
        cg_reply_ok (reply, &cg_need_view_def, &view);
    }
    cg_args_free (&extra);
    free (what);
}

/*  An open offer's line in offers:<town>, as matching reads it back
    (s_offers_read). */
#define S_LINE_MAX  (CG_CODE_MAX + 16 + 32 + 48 + 8)
static void
s_offer_line (const char *community, const char *kind, const char *skill, int64_t from,
              int64_t until, char *line)
{
    snprintf (line, S_LINE_MAX, "%s\t%s\t%s\t%lld\t%lld", community, kind, skill,
              (long long) from, (long long) until);
}

void
needs_on_offer (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_post_t *req = request;
    const cg_org_node_t *node = s_check_post (self, req, reply);
    if (!node)
        return;
    bool service = streq (req->kind, "service");
    if (req->person || req->name || req->phone || req->address || req->urgency || req->poster) {
        cg_reply_fail (reply, "invalid", req->person ? "person" : req->name ? "name"
                       : req->phone ? "phone" : req->address ? "address"
                       : req->urgency ? "urgency" : "poster",
                       "an offer names no person served: that is a need's");
        return;
    }
    if (service) {
        char home[CG_CODE_MAX + 1], areas[CG_NEED_SKILLS * (CG_CODE_MAX + 2)];
        int rc = req->volunteer ? s_volunteer (self, req->volunteer, home, areas, sizeof areas)
                                : 1;
        if (!req->volunteer) {
            cg_reply_fail (reply, "invalid", "volunteer", "a service is offered by a "
                           "registered volunteer (volunteer.register)");
            return;
        }
        if (s_missing (rc, "registered volunteer", "volunteer", req->volunteer, reply))
            return;
        const cg_org_node_t *at = cg_orgtree_find (self->c->org, home);
        if (!(at && cg_orgtree_within (node, at)) && !s_in_areas (self, node, areas)) {
            cg_reply_fail (reply, "forbidden", "community", "volunteer %s serves %s%s%s, not "
                           "%s %s", req->volunteer, home, *areas ? "," : "", areas, node->code,
                           node->name);
            return;
        }
        if (req->donor) {
            cg_reply_fail (reply, "invalid", "donor", "a service has a volunteer, not a donor");
            return;
        }
    }
    else
    if (!req->donor || req->volunteer || req->minutes) {
        cg_reply_fail (reply, "invalid", req->donor ? (req->volunteer ? "volunteer" : "minutes")
                       : "donor", "goods are offered by a donor, without volunteer or minutes");
        return;
    }
    char id[32], line[S_LINE_MAX];
    if (s_next_id (self, "offer_seq", "GJ", id, sizeof id)) {
        cg_reply_fail (reply, "unavailable", NULL, "the needs store cannot be reached");
        return;
    }
    s_offer_line (req->community, req->kind, req->skill, req->from, req->until, line);
    char *what = cg_text_clean (req->what);
    cg_need_view_t view = { .id = id, .community = req->community,
                            .town = (char *) node->parent->code, .kind = req->kind,
                            .skill = req->skill, .what = what ? what : req->what,
                            .from = req->from, .until = req->until, .state = "open",
                            .volunteer = req->volunteer, .donor = req->donor,
                            .minutes = req->minutes, .actor = req->actor,
                            .created = cg_clock_now () };
    cg_args_t extra;
    cg_args_init (&extra);
    if (s_post (self, req->rid, "offer", &view, line, &extra, 0, reply) == 0)
        cg_reply_ok (reply, &cg_need_view_def, &view);
    cg_args_free (&extra);
    free (what);
}

/* --- reading ---------------------------------------------------------------- */

void
needs_on_show (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_act_t *req = request;
    const char *what = strncmp (req->id, "GJ", 2) == 0 ? "offer" : "need";
    cg_need_view_t view;
    if (!s_missing (s_read_view (self, what, req->id, &view), what, "id", req->id, reply))
        cg_reply_ok (reply, &cg_need_view_def, &view);
    cg_msg_clear (&cg_need_view_def, &view);
}

void
needs_on_list (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_query_t *req = request;
    char key[64];
    if (req->community && !s_community (self, req->community, "community", reply))
        return;
    snprintf (key, sizeof key, P "needs%s%s", req->community ? ":" : "",
              req->community ? req->community : "");
    int64_t total;
    cg_zpage_t ids;
    char next[CG_CURSOR_MAX];
    if (consultation_page (self->c, "need.list", &cg_need_query_def, req, key, true,
                           req->limit > 0 ? req->limit : CG_NEED_PAGE, &ids, &total, next, reply))
        return;
    cg_need_page_t page = { .total = total, .next = *next ? next : NULL };
    page.needs = cg_alloc ((ids.count ? ids.count : 1) * sizeof (cg_need_view_t));
    for (size_t i = 0; i < ids.count; i++) {
        cg_need_view_t *v = &page.needs[page.needs_count];
        if (s_read_view (self, "need", ids.ids[i], v) != 0) {
            cg_msg_clear (&cg_need_view_def, v);
            continue;
        }
        if (v->what && strlen (v->what) > CG_LIST_TEXT) {
            char cut[CG_LIST_TEXT + 1];
            cg_utf8_cut (v->what, cut, sizeof cut);
            free (v->what);
            v->what = cg_strdup (cut);
        }
        CG_SET (v, need_view, pos, v->created);
        page.needs_count++;
    }
    cg_reply_ok (reply, &cg_need_page_def, &page);
    page.next = NULL;           /* ours */
    cg_msg_clear (&cg_need_page_def, &page);
    cg_zpage_free (&ids);
}

/* --- matching --------------------------------------------------------------- */

/*  The open offers of a town as matching sees them: the lines of
    offers:<town>, split in place. */
typedef struct {
    redisReply *reply;
    cg_match_item_t *items;
    size_t count;
} s_offers_t;

static int
s_offers_read (needs_t *self, const char *town, s_offers_t *offers)
{
    memset (offers, 0, sizeof *offers);
    offers->reply = cg_redis_command (self->c->daemon->redis, "HGETALL " P "offers:%s", town);
    redisReply *r = offers->reply;
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return -1;
    offers->items = cg_alloc ((r->elements / 2 + 1) * sizeof (cg_match_item_t));
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        char *f[5];
        char *line = r->element[i + 1]->str;
        if (cg_tsv_split (line, f, 5) != 5)
            continue;
        offers->items[offers->count++] = (cg_match_item_t) {
            .id = r->element[i]->str, .community = f[0], .town = town, .kind = f[1],
            .skill = f[2], .from = strtoll (f[3], NULL, 10), .until = strtoll (f[4], NULL, 10) };
    }
    return 0;
}

static void
s_offers_free (s_offers_t *offers)
{
    if (offers->reply)
        freeReplyObject (offers->reply);
    free (offers->items);
}

/*  The need as matching sees it (strings point into view). */
static cg_match_item_t
s_item (const cg_need_view_t *view)
{
    return (cg_match_item_t) { .id = view->id, .community = view->community,
                               .town = view->town, .kind = view->kind, .skill = view->skill,
                               .from = view->from, .until = view->until };
}

void
needs_on_propose (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_act_t *req = request;
    cg_need_view_t need;
    if (s_missing (s_read_view (self, "need", req->id, &need), "need", "id", req->id, reply))
        return cg_msg_clear (&cg_need_view_def, &need);
    s_offers_t offers;
    if (s_offers_read (self, need.town ? need.town : "", &offers)) {
        cg_reply_fail (reply, "unavailable", NULL, "the needs store cannot be reached");
        s_offers_free (&offers);
        return cg_msg_clear (&cg_need_view_def, &need);
    }
    cg_match_item_t it = s_item (&need);
    size_t best[CG_MATCH_MAX];
    size_t n = cg_match_propose (&it, offers.items, offers.count, best, CG_MATCH_MAX);
    cg_need_proposals_t out = { .need = need.id, .considered = (int64_t) offers.count };
    out.offers = cg_alloc ((n ? n : 1) * sizeof (cg_need_view_t));
    for (size_t i = 0; i < n; i++) {
        cg_need_view_t *v = &out.offers[out.offers_count];
        const cg_match_item_t *o = &offers.items[best[i]];
        if (s_read_view (self, "offer", o->id, v) != 0) {
            cg_msg_clear (&cg_need_view_def, v);
            continue;
        }
        v->place = cg_strdup (cg_match_suits (&it, o) == CG_MATCH_COMMUNITY ? "community"
                                                                             : "town");
        out.offers_count++;
    }
    cg_reply_ok (reply, &cg_need_proposals_def, &out);
    out.need = NULL;            /* the need's */
    cg_msg_clear (&cg_need_proposals_def, &out);
    s_offers_free (&offers);
    cg_msg_clear (&cg_need_view_def, &need);
}

static int
s_read_match (needs_t *self, const char *id, cg_need_match_t *m)
{
    char key[64];
    snprintf (key, sizeof key, "match:%s", id);
    return s_read (self, key, &cg_need_match_def, m);
}

/*  Answers the match as it stands now. */
static void
s_reply_match (needs_t *self, const char *id, cg_reply_t *reply)
{
    cg_need_match_t m;
    if (!s_missing (s_read_match (self, id, &m), "match", "id", id, reply))
        cg_reply_ok (reply, &cg_need_match_def, &m);
    cg_msg_clear (&cg_need_match_def, &m);
}

/*  The offer for need: the one asked for if it suits, else the best
    proposed; into offer (clear it).  0, or -1 with the refusal in err. */
static int
s_choose (needs_t *self, const cg_need_view_t *need, const char *asked, cg_need_view_t *offer,
          cg_error_t *err)
{
    cg_match_item_t it = s_item (need);
    if (asked) {
        int rc = s_read_view (self, "offer", asked, offer);
        if (rc) {
            cg_error_set (err, rc < 0 ? "unavailable" : "not_found", "offer", rc < 0
                          ? "the needs store cannot be reached" : "there is no offer %s", asked);
            return -1;
        }
        cg_match_item_t o = s_item (offer);
        if (!streq (offer->state, "open")) {
            cg_error_set (err, "conflict", "offer", "offer %s is %s, not open", asked,
                          offer->state);
            return -1;
        }
        if (cg_match_suits (&it, &o) == CG_MATCH_AWAY) {
            cg_error_set (err, "invalid", "offer", "offer %s does not suit need %s: a match is "
                          "of the same kind and skill, in the need's town, with time in "
                          "common", asked, need->id);
            return -1;
        }
        return 0;
    }
    s_offers_t offers;
    size_t best[1];
    int rc = s_offers_read (self, need->town ? need->town : "", &offers);
    size_t n = rc ? 0 : cg_match_propose (&it, offers.items, offers.count, best, 1);
    char id[32] = "";
    if (n)
        snprintf (id, sizeof id, "%s", offers.items[best[0]].id);
    s_offers_free (&offers);
    if (rc) {
        cg_error_set (err, "unavailable", NULL, "the needs store cannot be reached");
        return -1;
    }
    if (!n) {
        cg_error_set (err, "not_found", "offer", "no open offer of the town suits need %s",
                      need->id);
        return -1;
    }
    return s_choose (self, need, id, offer, err);
}

/*  need.match.  A retry of a match made (same rid) finds its offer taken
    and its need matched: the script answers the first match all the
    same, because it looks at the rid before the refusal the daemon
    planned (passed to it, not answered at once). */
void
needs_on_match (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_act_t *req = request;
    cg_need_view_t need = { 0 }, offer = { 0 };
    char mid[32] = "";
    const cg_org_node_t *node = NULL;
    cg_error_t err = { .code = "" };
    if (!req->actor)
        cg_reply_fail (reply, "invalid", "actor", "who matches is required");
    else
    if (!s_missing (s_read_view (self, "need", req->id, &need), "need", "id", req->id, reply)
    &&  (node = s_community (self, need.community, "community", reply))
    &&  s_actor_within (self, req->actor, node, "community", reply) == 0) {
        if (!streq (need.state, "open") && !streq (need.state, "expired"))
            cg_error_set (&err, "conflict", "id", "need %s is %s: only an open or expired need "
                          "is matched", need.id, need.state);
        if (!*err.code && s_choose (self, &need, req->offer, &offer, &err)
        &&  streq (err.code, "unavailable"))
            cg_reply_error (reply, &err);
        else
        if (!*err.code && s_next_id (self, "match_seq", "PD", mid, sizeof mid))
            cg_reply_fail (reply, "unavailable", NULL, "the needs store cannot be reached");
        else {
            int64_t now = cg_clock_now ();
            cg_need_match_t m = { .id = mid, .need = need.id, .offer = offer.id,
                                  .community = need.community, .kind = need.kind,
                                  .volunteer = offer.volunteer, .state = "proposed",
                                  .at = now };
            cg_need_event_t event = { .id = need.id, .community = need.community,
                                      .kind = need.kind, .skill = need.skill,
                                      .urgency = need.urgency, .until = need.until,
                                      .match = mid, .offer = offer.id, .at = now };
            cg_args_t args;
            cg_args_init (&args);
            cg_args_add_str (&args, P);
            cg_args_add_str (&args, req->rid);
            cg_args_add_str (&args, err.code);
            cg_args_add_str (&args, err.field);
            cg_args_add_str (&args, err.message);
            cg_args_add_str (&args, need.id);
            cg_args_add_str (&args, offer.id ? offer.id : "");
            cg_args_add_str (&args, mid);
            cg_args_add_str (&args, offer.town ? offer.town : "");
            cg_args_add_str (&args, offer.volunteer ? offer.volunteer : "");
            if (*err.code)
                cg_args_add_str (&args, "");
            else {
                cg_args_add_msg (&args, &cg_need_event_def, &event);
                cg_args_add_fields (&args, &cg_need_match_def, &m);
            }
            char answer[64] = "";
            if (consultation_run (self->c, "need_match", &args, reply, answer,
                                  sizeof answer) == 0)
                s_reply_match (self, answer, reply);
            cg_args_free (&args);
        }
    }
    cg_msg_clear (&cg_need_view_def, &need);
    cg_msg_clear (&cg_need_view_def, &offer);
}

/*  The match of req and the need it is for (both zeroed first: clear
    them); with side, the request must name one.  0, or -1 after
    refusing. */
static int
s_match_and_need (needs_t *self, cg_need_act_t *req, bool side, cg_need_match_t *m,
                  cg_need_view_t *need, cg_reply_t *reply)
{
    memset (need, 0, sizeof *need);
    memset (m, 0, sizeof *m);
    if (!req->actor) {
        cg_reply_fail (reply, "invalid", "actor", "who acts is required");
        return -1;
    }
    if (side && (!req->side || (!streq (req->side, "need") && !streq (req->side, "offer")))) {
        cg_reply_fail (reply, "invalid", "side", "side \"%s\" is not need (the community, for "
                       "the resident) or offer (the volunteer or donor)",
                       req->side ? req->side : "");
        return -1;
    }
    if (s_missing (s_read_match (self, req->id, m), "match", "id", req->id, reply)
    ||  s_missing (s_read_view (self, "need", m->need, need), "need", "id", m->need, reply))
        return -1;
    const cg_org_node_t *node = s_community (self, need->community, "community", reply);
    bool volunteer = m->volunteer && req->side && streq (req->side, "offer")
                  && strrchr (req->actor, ':') && streq (strrchr (req->actor, ':') + 1,
                                                         m->volunteer);
    if (!node || (!volunteer && s_actor_within (self, req->actor, node, "community", reply)))
        return -1;
    return 0;
}

void
needs_on_accept (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_act_t *req = request;
    cg_need_match_t m = { 0 };
    cg_need_view_t need = { 0 };
    if (s_match_and_need (self, req, true, &m, &need, reply) == 0) {
        int64_t now = cg_clock_now ();
        bool by_need = streq (req->side, "need");
        bool both = by_need ? m.offer_by != NULL : m.need_by != NULL;
        char month[8];
        s_month (now, month);
        cg_need_match_t after = m;
        after.need_by = by_need ? req->actor : m.need_by;
        after.offer_by = by_need ? m.offer_by : req->actor;
        after.state = both ? "accepted" : m.state;
        after.at = now;
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, P);
        cg_args_add_str (&args, req->rid);
        cg_args_add_str (&args, m.id);
        cg_args_add_str (&args, req->side);
        cg_args_add_str (&args, req->actor);
        cg_args_add_int (&args, now);
        cg_args_add_str (&args, month);
        cg_args_add_msg (&args, &cg_need_match_def, &after);
        if (consultation_run (self->c, "need_accept", &args, reply, NULL, 0) == 0)
            s_reply_match (self, m.id, reply);
        cg_args_free (&args);
    }
    cg_msg_clear (&cg_need_match_def, &m);
    cg_msg_clear (&cg_need_view_def, &need);
}

/*  match.decline: one side declines a proposed match (before both have
    accepted it); the need is open again (and may expire), the offer
    open again to other needs. */
void
needs_on_decline (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_act_t *req = request;
    cg_need_match_t m = { 0 };
    cg_need_view_t need = { 0 }, offer = { 0 };
    if (s_match_and_need (self, req, true, &m, &need, reply) == 0
    &&  !s_missing (s_read_view (self, "offer", m.offer, &offer), "offer", "offer", m.offer,
                    reply)) {
        int64_t now = cg_clock_now ();
        char by[96], line[S_LINE_MAX];
        snprintf (by, sizeof by, "%s:%s", req->side, req->actor);
        s_offer_line (offer.community, offer.kind, offer.skill, offer.from, offer.until, line);
        cg_need_match_t after = m;
        after.state = "declined";
        after.declined_by = by;
        after.at = now;
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, P);
        cg_args_add_str (&args, req->rid);
        cg_args_add_str (&args, m.id);
        cg_args_add_str (&args, by);
        cg_args_add_int (&args, now);
        cg_args_add_str (&args, offer.town ? offer.town : "");
        cg_args_add_str (&args, line);
        cg_args_add_msg (&args, &cg_need_match_def, &after);
        if (consultation_run (self->c, "need_decline", &args, reply, NULL, 0) == 0)
            s_reply_match (self, m.id, reply);
        cg_args_free (&args);
    }
    cg_msg_clear (&cg_need_match_def, &m);
    cg_msg_clear (&cg_need_view_def, &need);
    cg_msg_clear (&cg_need_view_def, &offer);
}

void
needs_on_confirm (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_act_t *req = request;
    cg_need_match_t m = { 0 };
    cg_need_view_t need = { 0 };
    bool service = false;
    if (!s_person_ok (req->person))
        cg_reply_fail (reply, "invalid", "person", "the person served, who confirms, is "
                       "required");
    else
    if (!req->code)
        cg_reply_fail (reply, "invalid", "code", "the confirmation code the person served was "
                       "given is required");
    else
    if (s_match_and_need (self, req, false, &m, &need, reply) == 0) {
        service = streq (need.kind, "service");
        if (service && req->minutes <= 0)
            cg_reply_fail (reply, "invalid", "minutes", "a service is confirmed with its "
                           "minutes (1 to 1440): the time bank credits them");
        else
        if (!service && req->minutes)
            cg_reply_fail (reply, "invalid", "minutes", "goods earn no minutes");
        else {
            int64_t now = cg_clock_now ();
            char month[8], hash[33];
            s_month (now, month);
            s_code_hash (need.id, req->code, hash);
            cg_need_served_t served = { .need = need.id, .match = m.id,
                                        .community = need.community, .volunteer = m.volunteer,
                                        .served = req->person, .minutes = req->minutes,
                                        .at = now };
            cg_args_t args;
            cg_args_init (&args);
            cg_args_add_str (&args, P);
            cg_args_add_str (&args, req->rid);
            cg_args_add_str (&args, m.id);
            cg_args_add_str (&args, need.id);
            cg_args_add_str (&args, req->person);
            cg_args_add_str (&args, hash);
            cg_args_add_int (&args, req->minutes);
            cg_args_add_str (&args, req->actor);
            cg_args_add_int (&args, now);
            cg_args_add_str (&args, month);
            cg_args_add_str (&args, m.volunteer ? m.volunteer : "");
            cg_args_add_msg (&args, &cg_need_served_def, &served);
            if (consultation_run (self->c, "need_confirm", &args, reply, NULL, 0) == 0)
                s_reply_match (self, m.id, reply);
            cg_args_free (&args);
        }
    }
    cg_msg_clear (&cg_need_match_def, &m);
    cg_msg_clear (&cg_need_view_def, &need);
}

/* --- the published statistics ------------------------------------------- */

void
needs_on_stats (void *request, cg_reply_t *reply, void *arg)
{
    needs_t *self = arg;
    cg_need_query_t *req = request;
    const cg_org_node_t *node = s_community (self, req->community, "community", reply);
    if (!node)
        return;
    int y, mo;
    char rest;
    if (!req->month || sscanf (req->month, "%4d-%2d%c", &y, &mo, &rest) != 2
    ||  strlen (req->month) != 7 || mo < 1 || mo > 12) {
        cg_reply_fail (reply, "invalid", "month", "month \"%s\" is not YYYY-MM",
                       req->month ? req->month : "");
        return;
    }
    redisReply *r = cg_redis_command (self->c->daemon->redis,
                                      "HMGET " P "stats:%s:%s posted matched served minutes",
                                      node->code, req->month);
    redisReply *v = cg_redis_command (self->c->daemon->redis, "SCARD " P "stats:%s:%s:vol",
                                      node->code, req->month);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 4 || !v) {
        cg_reply_fail (reply, "unavailable", NULL, "the needs store cannot be reached");
    }
    else {
        int64_t minutes = cg_reply_int (r->element[3], 0);
        char hours[24];
        snprintf (hours, sizeof hours, "%lld.%02lld", (long long) (minutes / 60),
                  (long long) (minutes % 60 * 100 / 60));
        cg_need_stats_t out = { .community = (char *) node->code, .name = (char *) node->name,
                                .month = req->month, .posted = cg_reply_int (r->element[0], 0),
                                .matched = cg_reply_int (r->element[1], 0),
                                .served = cg_reply_int (r->element[2], 0), .minutes = minutes,
                                .hours = hours, .volunteers = cg_reply_int (v, 0) };
        cg_reply_ok (reply, &cg_need_stats_def, &out);
    }
    if (r)
        freeReplyObject (r);
    if (v)
        freeReplyObject (v);
}

/* --- needs past their date ---------------------------------------------- */

int
needs_on_timer (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    needs_t *self = arg;
    int64_t now = cg_clock_now ();
    redisReply *due = cg_redis_command (self->c->daemon->redis,
                                        "ZRANGEBYSCORE " P "needs_due -inf %lld LIMIT 0 %d",
                                        (long long) now, S_DUE_BATCH);
    if (!due || due->type != REDIS_REPLY_ARRAY || due->elements == 0) {
        if (due)
            freeReplyObject (due);
        return 0;
    }
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, P);
    cg_args_add_int (&args, (int64_t) due->elements);
    for (size_t i = 0; i < due->elements; i++) {
        cg_need_view_t need;
        const char *id = due->element[i]->str;
        cg_args_add_str (&args, id);
        if (s_read_view (self, "need", id, &need) == 0) {
            cg_need_event_t event = { .id = need.id, .community = need.community,
                                      .kind = need.kind, .skill = need.skill,
                                      .urgency = need.urgency, .until = need.until, .at = now };
            cg_args_add_msg (&args, &cg_need_event_def, &event);
        }
        else
            cg_args_add_str (&args, "");
        cg_msg_clear (&cg_need_view_def, &need);
    }
    cg_reply_t reply = { 0 };
    consultation_run (self->c, "need_expire", &args, &reply, NULL, 0);
    msgpack_sbuffer_destroy (&reply.body);
    cg_args_free (&args);
    freeReplyObject (due);
    return 0;
}
