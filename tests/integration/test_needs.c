/*  Needs and offers (供需对接) end to end with real parts: a volunteer is
    registered, a need posted for a resident (1,000 bytes of Chinese as
    a form pastes them, the person's data sealed), offers posted among a
    thousand of the town, the offers that suit proposed (the community's
    own first, bounded), a match made through a kill -9 of consultation,
    accepted by both sides, confirmed by the person served with their code
    while fund lies killed, and the minutes credited in fund's time bank
    exactly once, even when fund reads the confirmation again; a need past
    its date reaches the community's staff; then the statistics of the
    month published to anyone.  Every refusal the issue
    lists names its field, stores nothing, and the daemons keep serving.
    One stack for the suite. */
#include <criterion/criterion.h>
#include "cg_testcase.h"
#include "cg_testcli.h"
#include "cg_testhttp.h"
#include "cg_testreceiver.h"
#include "cg_events.h"
#include "cg_sample.h"
#include "cg_cursor.h"

#define S_TOWN_A        "320602001"         /* 和平桥街道 */
#define S_COMMUNITY_A   "320602001001"      /* 新桥社区: the time bank tb-baihe */
#define S_NEIGHBOUR     "320602001002"      /* another community of the town */
#define S_COMMUNITY_B   "320602002001"      /* in 任港街道 */
#define S_T0            INT64_C(1794787200000)  /* 2026-11-16 09:00 +08:00 */
#define S_HOUR          INT64_C(3600000)
#define S_OFFERS        1000

static json_t *
s_post (cg_teststack_t *stack, const char *path, const char *token, const char *key,
        json_t *body, int want)
{
    char *text = json_dumps (body, JSON_COMPACT);
    char header[128];
    snprintf (header, sizeof header, "Idempotency-Key: %s", key ? key : "");
    const char *headers[] = { header, NULL };
    cg_http_reply_t reply;
    cg_http (stack, &reply, "POST", path, token, key ? headers : NULL, text, strlen (text),
             "application/json");
    cr_assert_eq (reply.status, want, "POST %s: %d %s", path, reply.status, reply.body);
    json_t *out = json_loads (reply.body, 0, NULL);
    cr_assert (out, "POST %s: not JSON: %s", path, reply.body);
    cg_http_reply_clear (&reply);
    free (text);
    json_decref (body);
    return out;
}

/*  A refusal of body (JSON text, or NULL): status and the field named. */
static void
s_refused (cg_teststack_t *stack, const char *method, const char *path, const char *token,
           const char *body, int status, const char *field)
{
    cg_http_refused (stack, method, path, token, body, body ? strlen (body) : 0, status, field);
}

static const char *
s_str (json_t *obj, const char *key)
{
    const char *s = json_string_value (json_object_get (obj, key));
    cr_assert (s, "no %s in %s", key, json_dumps (obj, JSON_COMPACT));
    return s;
}

static int64_t
s_int (json_t *obj, const char *key)
{
    return json_integer_value (json_object_get (obj, key));
}

/*  How many entries of consultation's journal are `topic`; every entry
    decodes with its topic's definition (proto/cg_events.c). */
static int
s_journaled (cg_teststack_t *stack, const char *topic)
{
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{consultation}:journal - +");
    int count = 0;
    for (size_t i = 0; r && i < r->elements; i++) {
        redisReply *kv = r->element[i]->element[1];
        const cg_event_kind_t *kind = cg_event_kind_find ("consultation", kv->element[1]->str);
        cr_assert (kind, "%s has no definition", kv->element[1]->str);
        _Alignas (16) char msg[4096];
        cg_error_t err;
        cr_assert_eq (cg_msg_decode (kind->def, kv->element[3]->str, kv->element[3]->len, msg,
                                     &err), 0, "%s: %s %s", kv->element[1]->str, err.field,
                      err.message);
        cg_msg_clear (kind->def, msg);
        count += strcmp (kv->element[1]->str, topic) == 0;
    }
    if (r)
        freeReplyObject (r);
    return count;
}

/*  The time bank balance of a volunteer, once it reaches want (or the
    last seen after a while). */
static int64_t
s_minutes (cg_teststack_t *stack, const char *volunteer, int64_t want)
{
    return cg_teststack_await (stack, want, 60000, "HGET cg:{fund}:acct:tb-baihe.v.%s cpo",
                               volunteer);
}

/*  A need of community A for wang.nainai, 1,000 bytes of what a form pastes. */
static json_t *
s_need_body (const char *community, int64_t from, int64_t until)
{
    char what[CG_SAMPLE_MAX + 1];
    cg_sample_text (19, what, sizeof what);
    return json_pack ("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s}",
                      "community", community, "kind", "service", "skill", "escort",
                      "what", what, "from", (json_int_t) from, "until", (json_int_t) until,
                      "urgency", "urgent", "person", "wang.nainai", "name", "王秀英",
                      "phone", "13812345678", "address", "新桥社区5栋2单元301");
}

/*  A thousand open offers of the town: goods, and services of other
    skills or other times, with a few that suit in the neighbour
    community; through the daemon itself, as the volume the town holds. */
static void
s_load_offers (cg_teststack_t *stack)
{
    cg_client_t *c = cg_teststack_client (stack, "consultation");
    char what[CG_SAMPLE_MAX + 1], donor[32];
    for (int i = 0; i < S_OFFERS; i++) {
        cg_sample_text ((uint64_t) i, what, 400);
        snprintf (donor, sizeof donor, "捐赠人%d", i);
        bool suits = i % 100 == 7;          /* ten of them suit, next door */
        cg_need_post_t req = { .community = suits ? S_NEIGHBOUR : i % 2 ? S_COMMUNITY_A
                                                                        : S_NEIGHBOUR,
                               .kind = "goods", .skill = suits ? "escort" : "rice",
                               .what = what, .from = S_T0 - S_HOUR,
                               .until = S_T0 + 48 * S_HOUR, .donor = donor,
                               .actor = "center:" S_TOWN_A ":捐赠登记" };
        cg_need_view_t view;
        cg_error_t err;
        cr_assert_eq (cg_client_call (c, &cg_cmd_offer_post, &req, &view, &err), 0,
                      "offer %d: %s", i, err.message);
        cg_msg_clear (&cg_need_view_def, &view);
    }
    cg_client_destroy (&c);
}

Test (needs, posted_matched_accepted_confirmed_credited_once_and_published, .timeout = 300)
{
    /*  the community's staff, who hear of a need past its date */
    cg_testreceiver_t rx;
    cg_testreceiver_start (&rx);
    const char *people = "cm-xq\t社区主任赵敏\tcommunity\t" S_COMMUNITY_A
                         "\tzh-CN\twebhook:URL/cm/1\t-\t-\timmediate\n";
    char *dir = cg_testreceiver_notify_dir (&rx, cg_testreceiver_urls (&rx, people), 15000, "");
    char extra[700];
    snprintf (extra, sizeof extra, "--set data/notify=%s --set clock/test=1", dir);
    cg_teststack_t *stack = cg_teststack_up (extra);
    cg_testclock_set (stack, S_T0);
    cg_teststack_keep_journal (stack, "consultation");
    char *here = cg_http_token (stack, "operator", S_COMMUNITY_A, "社区值班员");
    char *away = cg_http_token (stack, "operator", "320602002", "任港值班员");

    /*  a volunteer, and the bad ones: another town's community, a bad id */
    json_t *v = s_post (stack, "/api/v1/volunteers", here, NULL,
                        json_pack ("{s:s, s:s, s:s, s:[s,s], s:i}", "id", "li.ming",
                                   "name", "李明", "community", S_COMMUNITY_A,
                                   "skills", "escort", "repair", "hours", 6), 200);
    cr_assert_str_eq (s_str (v, "id"), "li.ming");
    json_decref (v);
    json_decref (s_post (stack, "/api/v1/volunteers", here, NULL,
                         json_pack ("{s:s, s:s, s:s, s:[s], s:i}", "id", "li ming",
                                    "name", "李明", "community", S_COMMUNITY_A,
                                    "skills", "escort", "hours", 6), 400));

    /*  a need outside the poster's scope: refused by the gateway (403) and
        by consultation for an actor of another town; nothing stored */
    s_refused (stack, "POST", "/api/v1/needs", away,
               "{\"community\":\"" S_COMMUNITY_A "\",\"kind\":\"service\","
               "\"skill\":\"escort\",\"what\":\"x\",\"from\":1,\"until\":2,"
               "\"person\":\"p\"}", 403, "community");
    char *out = cg_testcli (stack, 1, "need post --community %s --kind service --skill escort "
                            "--what 看护 --from 2026-11-16 --until 2026-11-17 --person p "
                            "--actor center:320602002:任港值班员", S_COMMUNITY_A);
    free (out);
    cr_assert_eq (cg_teststack_int (stack, "ZCARD cg:{consultation}:needs"), 0);

    /*  the need: its code is given once, its person's data only masked */
    json_t *need = s_post (stack, "/api/v1/needs", here, "need-1",
                           s_need_body (S_COMMUNITY_A, S_T0 + 2 * S_HOUR, S_T0 + 6 * S_HOUR),
                           200);
    char nid[32], code[16];
    snprintf (nid, sizeof nid, "%s", s_str (need, "id"));
    snprintf (code, sizeof code, "%s", s_str (need, "code"));
    cr_assert_str_eq (s_str (need, "name"), "王**");
    cr_assert_str_eq (s_str (need, "phone"), "138****5678");
    cr_assert (!strpbrk (s_str (need, "what"), "\x01\x02\x03\x0b"), "Word's controls cleaned");
    json_decref (need);
    redisReply *h = cg_redis_command (stack->redis, "HGETALL cg:{consultation}:need:%s", nid);
    for (size_t i = 0; i < h->elements; i++) {
        cr_assert (!strstr (h->element[i]->str, "13812345678"), "the phone is sealed");
        cr_assert (!strstr (h->element[i]->str, "王秀英"), "the name is sealed");
        cr_assert (!strstr (h->element[i]->str, code) || strlen (h->element[i]->str) > 20,
                   "the code is not kept in the clear");
    }
    freeReplyObject (h);
    int status;
    json_t *shown = cg_http_get_json (stack, "/api/v1/needs/XQ000001", here, &status);
    cr_assert_eq (status, 200);
    cr_assert_null (json_object_get (shown, "code"), "the code is shown once");
    json_decref (shown);
    s_refused (stack, "GET", "/api/v1/needs/XQ000001", away, NULL, 404, NULL);

    /*  offers: li.ming's in the community, a thousand of the town */
    json_t *offer = s_post (stack, "/api/v1/offers", here, NULL,
                            json_pack ("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:i}",
                                       "community", S_COMMUNITY_A, "kind", "service",
                                       "skill", "escort", "what", "周一上午可陪同就医",
                                       "from", (json_int_t) (S_T0 + 3 * S_HOUR),
                                       "until", (json_int_t) (S_T0 + 8 * S_HOUR),
                                       "volunteer", "li.ming", "minutes", 180), 200);
    char oid[32];
    snprintf (oid, sizeof oid, "%s", s_str (offer, "id"));
    json_decref (offer);
    json_decref (s_post (stack, "/api/v1/offers", here, NULL,
                         json_pack ("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}",
                                    "community", S_COMMUNITY_A, "kind", "service",
                                    "skill", "escort", "what", "x", "from", (json_int_t) 1,
                                    "until", (json_int_t) 2, "volunteer", "nobody"), 404));
    s_load_offers (stack);

    /*  proposals: the community's own first, then the town's, bounded */
    char path[128];
    snprintf (path, sizeof path, "/api/v1/needs/%s/proposals", nid);
    json_t *p = cg_http_get_json (stack, path, here, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (s_int (p, "considered"), S_OFFERS + 1);
    json_t *offers = json_object_get (p, "offers");
    cr_assert_eq (json_array_size (offers), 1, "li.ming's: the goods do not serve a service");
    cr_assert_str_eq (s_str (json_array_get (offers, 0), "id"), oid);
    cr_assert_str_eq (s_str (json_array_get (offers, 0), "place"), "community");
    json_decref (p);

    /*  the match, through a kill -9 of consultation: the retry with the
        same key finds the same match, nothing doubled */
    snprintf (path, sizeof path, "/api/v1/needs/%s/match", nid);
    json_t *m = s_post (stack, path, here, "match-1", json_object (), 200);
    char mid[32];
    snprintf (mid, sizeof mid, "%s", s_str (m, "id"));
    cr_assert_str_eq (s_str (m, "offer"), oid);
    json_decref (m);
    cg_teststack_kill9 (stack, "consultation");
    cg_teststack_restart (stack);
    m = s_post (stack, path, here, "match-1", json_object (), 200);
    cr_assert_str_eq (s_str (m, "id"), mid);
    json_decref (m);
    cr_assert_eq (s_journaled (stack, "need.matched"), 1);
    json_decref (s_post (stack, path, here, "match-2", json_object (), 409));

    /*  both sides accept; one side twice is refused on side, and so is a
        side that is neither */
    snprintf (path, sizeof path, "/api/v1/matches/%s/accept", mid);
    s_refused (stack, "POST", path, here, "{\"side\":\"both\"}", 400, "side");
    s_refused (stack, "POST", path, here, "{}", 400, "side");
    json_decref (s_post (stack, path, here, NULL, json_pack ("{s:s}", "side", "need"), 200));
    json_decref (s_post (stack, path, here, NULL, json_pack ("{s:s}", "side", "need"), 409));
    m = s_post (stack, path, here, NULL, json_pack ("{s:s}", "side", "offer"), 200);
    cr_assert_str_eq (s_str (m, "state"), "accepted");
    json_decref (m);

    /*  the confirmation, while fund lies killed: someone else, a wrong
        code are refused by name; the person served with the code is taken */
    cg_teststack_kill9 (stack, "fund");
    snprintf (path, sizeof path, "/api/v1/matches/%s/confirm", mid);
    s_refused (stack, "POST", path, here, "{\"code\":\"1\"}", 400, "person");
    s_refused (stack, "POST", path, here, "{\"person\":\"wang.nainai\"}", 400, "code");
    json_t *refused = s_post (stack, path, here, NULL,
                              json_pack ("{s:s, s:s, s:i}", "person", "zhang.san", "code", code,
                                         "minutes", 120), 403);
    cr_assert_str_eq (s_str (json_object_get (refused, "error"), "field"), "person");
    json_decref (refused);
    refused = s_post (stack, path, here, NULL,
                      json_pack ("{s:s, s:s, s:i}", "person", "wang.nainai", "code", "000000",
                                 "minutes", 120), 403);
    cr_assert_str_eq (s_str (json_object_get (refused, "error"), "field"), "code");
    json_decref (refused);
    json_decref (s_post (stack, path, away, NULL,
                         json_pack ("{s:s, s:s, s:i}", "person", "wang.nainai", "code", code,
                                    "minutes", 120), 403));
    m = s_post (stack, path, here, "confirm-1",
                json_pack ("{s:s, s:s, s:i}", "person", "wang.nainai", "code", code,
                           "minutes", 120), 200);
    cr_assert_str_eq (s_str (m, "state"), "served");
    json_decref (m);
    refused = s_post (stack, path, here, "confirm-2",
                      json_pack ("{s:s, s:s, s:i}", "person", "wang.nainai", "code", code,
                                 "minutes", 120), 409);
    cr_assert_str_eq (s_str (json_object_get (refused, "error"), "field"), "id");
    json_decref (refused);

    /*  fund comes back and credits the minutes; made to read the
        confirmation again (its cursor put back, as if killed between the
        credit and the cursor), it credits nothing more */
    cg_teststack_restart (stack);
    cr_assert_eq (s_minutes (stack, "li.ming", 120), 120);
    char ckey[128];
    cg_cursor_key (ckey, sizeof ckey, "fund", "consultation");
    cg_teststack_kill9 (stack, "fund");
    redisReply *r = cg_redis_command (stack->redis, "SET %s 0", ckey);
    freeReplyObject (r);
    cg_teststack_restart (stack);
    cg_teststack_await (stack, cg_teststack_int (stack, "GET cg:{consultation}:seq"), 60000,
                        "GET %s", ckey);
    cr_assert_eq (s_minutes (stack, "li.ming", 120), 120, "credited once");
    cr_assert_eq (s_journaled (stack, "need.served"), 1);
    cg_testcli_says (stack, 0, "ok", "fund verify");

    /*  a need past its date, unmatched: expired once, for the operators */
    json_t *late = s_post (stack, "/api/v1/needs", here, NULL,
                           s_need_body (S_COMMUNITY_A, S_T0, S_T0 + S_HOUR), 200);
    json_decref (late);
    cg_testclock_set (stack, S_T0 + 2 * S_HOUR);
    cg_teststack_await (stack, 1, 30000, "HEXISTS cg:{consultation}:need:XQ000002 state");
    int64_t until = zclock_mono () + 30000;
    while (s_journaled (stack, "need.expired") < 1 && zclock_mono () < until)
        zclock_sleep (100);
    cr_assert_eq (s_journaled (stack, "need.expired"), 1);
    cr_assert_eq (cg_testreceiver_await (&rx, 1, "/cm/1", "XQ000002", "需求逾期未对接"), 1);
    json_t *gone = cg_http_get_json (stack, "/api/v1/needs/XQ000002", here, &status);
    cr_assert_str_eq (s_str (gone, "state"), "expired");
    json_decref (gone);

    /*  charity goods: a family's need of rice meets a donor's offer of the
        community; confirmed without minutes, nothing for the time bank */
    json_t *goods = json_pack ("{s:s, s:s, s:s, s:s, s:I, s:I, s:s}", "community", S_COMMUNITY_A,
                               "kind", "goods", "skill", "rice", "what", "低保户缺米面",
                               "from", (json_int_t) S_T0, "until", (json_int_t) (S_T0 + 24 * S_HOUR),
                               "person", "zhao.family");
    json_t *g = s_post (stack, "/api/v1/needs", here, NULL, goods, 200);
    char gid[32], gcode[16];
    snprintf (gid, sizeof gid, "%s", s_str (g, "id"));
    snprintf (gcode, sizeof gcode, "%s", s_str (g, "code"));
    json_decref (g);
    /*  the donor declines the first match: the need and the offer are open
        again, and the next match takes the same offer */
    snprintf (path, sizeof path, "/api/v1/needs/%s/match", gid);
    m = s_post (stack, path, here, NULL, json_object (), 200);
    snprintf (mid, sizeof mid, "%s", s_str (m, "id"));
    char first_offer[32];
    snprintf (first_offer, sizeof first_offer, "%s", s_str (m, "offer"));
    cr_assert_str_eq (s_str (m, "kind"), "goods");
    json_decref (m);
    char decline[128];
    snprintf (decline, sizeof decline, "/api/v1/matches/%s/decline", mid);
    m = s_post (stack, decline, here, NULL, json_pack ("{s:s}", "side", "offer"), 200);
    cr_assert_str_eq (s_str (m, "state"), "declined");
    json_decref (m);
    json_decref (s_post (stack, decline, here, NULL, json_pack ("{s:s}", "side", "need"), 409));
    char gpath[64];
    snprintf (gpath, sizeof gpath, "/api/v1/needs/%s", gid);
    g = cg_http_get_json (stack, gpath, here, &status);
    cr_assert_str_eq (s_str (g, "state"), "open");
    json_decref (g);
    m = s_post (stack, path, here, NULL, json_object (), 200);
    snprintf (mid, sizeof mid, "%s", s_str (m, "id"));
    cr_assert_str_eq (s_str (m, "offer"), first_offer, "the offer is open again");
    json_decref (m);
    snprintf (path, sizeof path, "/api/v1/matches/%s/accept", mid);
    json_decref (s_post (stack, path, here, NULL, json_pack ("{s:s}", "side", "offer"), 200));
    json_decref (s_post (stack, path, here, NULL, json_pack ("{s:s}", "side", "need"), 200));
    snprintf (path, sizeof path, "/api/v1/matches/%s/confirm", mid);
    json_decref (s_post (stack, path, here, NULL, json_pack ("{s:s, s:s, s:i}", "person",
                         "zhao.family", "code", gcode, "minutes", 30), 400));
    json_decref (s_post (stack, path, here, NULL, json_pack ("{s:s, s:s}", "person",
                         "zhao.family", "code", gcode), 200));

    /*  the month's statistics, to anyone, and on the CLI */
    json_t *stats = cg_http_get_json (stack, "/api/v1/public/needs/stats?community="
                                      S_COMMUNITY_A "&month=2026-11", NULL, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (s_int (stats, "posted"), 3);
    cr_assert_eq (s_int (stats, "matched"), 2);
    cr_assert_eq (s_int (stats, "served"), 2);
    cr_assert_eq (s_int (stats, "minutes"), 120);
    cr_assert_str_eq (s_str (stats, "hours"), "2.00");
    cr_assert_eq (s_int (stats, "volunteers"), 1);
    cr_assert_null (json_object_get (stats, "needs"));
    json_decref (stats);
    s_refused (stack, "GET", "/api/v1/public/needs/stats?community=nowhere&month=2026-11",
               NULL, NULL, 400, "community");
    s_refused (stack, "GET", "/api/v1/public/needs/stats?community=" S_COMMUNITY_A
               "&month=2026-13", NULL, NULL, 400, "month");
    cg_testcli_says (stack, 0, "served 2, 2.00 hours by 1 volunteers",
                     "need stats --community %s --month 2026-11", S_COMMUNITY_A);

    /*  a page of needs stays a page: texts cut, at most the limit */
    json_t *page = cg_http_get_json (stack, "/api/v1/needs?community=" S_COMMUNITY_A "&limit=1",
                                     here, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (s_int (page, "total"), 3);
    cr_assert_eq (json_array_size (json_object_get (page, "needs")), 1);
    cr_assert_leq (strlen (s_str (json_array_get (json_object_get (page, "needs"), 0), "what")),
                   CG_LIST_TEXT);
    cr_assert (json_object_get (page, "next"), "a cursor to the next page");
    json_decref (page);

    free (here);
    free (away);
    cg_teststack_down (&stack);
    cg_testreceiver_stop (&rx);
}
