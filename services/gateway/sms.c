/*  sms — POST /api/v1/sms/replies: a citizen's answer to the SMS that
    asked them to rate their resolved case (回访: 1 满意, 2 基本满意,
    3 不满意), passed on by the SMS gateway.

    The SMS gateway signs what it passes on as the hotline does (cg_sign.h):
        X-CG-SMS-Gateway  its id; its secret is gateway/sms/<id>
        X-CG-Timestamp    Unix seconds, within 300 s of our clock
        X-CG-Signature    hex HMAC-SHA256 of timestamp "\n" body
    The body is JSON: `from` (the citizen's number), `text` (what they
    wrote), and `message_id` (the SMS gateway's id of the message, which
    makes a retry do nothing twice).

    Which case the number was asked about only notification knows: it
    keeps, by the phone's keyed fingerprint, the case of the last rating
    SMS it sent (sms.asked); the number itself is never stored.  The
    rating then goes to dispatch as the callback action of the case's
    own center, "center:<center>:短信回访", as an operator's would.
    What is not a rating (a "谢谢", a "4"), and a reply to a case no
    longer awaiting its rating, is answered 200 with recorded: false and
    the reason, since the SMS gateway has nothing to correct; a number
    never asked is refused, 404 naming `from`. */
#include "gateway.h"
#include "cg_satisfaction.h"
#include "cg_sign.h"

/*  A string member of body, or NULL with a refusal naming it made. */
static const char *
s_member (gw_request_t *req, json_t *body, const char *name, size_t max, bool required)
{
    json_t *v = json_object_get (body, name);
    if (!v && !required)
        return "";
    if (!json_is_string (v) || json_string_length (v) < 1 || json_string_length (v) > max) {
        gw_reply_error (req, 400, "invalid", name, "%s must be a string of 1 to %zu bytes", name,
                        max);
        return NULL;
    }
    return json_string_value (v);
}

/*  200, the reply not recorded, and why. */
static void
s_ignored (gw_request_t *req, const char *reason, const char *id, const char *message)
{
    json_t *answer = json_pack ("{s:b, s:s, s:s}", "recorded", 0, "reason", reason,
                                "message", message);
    if (id)
        json_object_set_new (answer, "case", json_string (id));
    gw_reply_json (req, 200, answer);
}

/*  Records level against case id; replies. */
static void
s_record (gw_request_t *req, const char *id, const cg_satisfaction_t *level, const char *text,
          const char *message_id)
{
    cg_case_get_t get = { .id = (char *) id };
    cg_case_view_t view;
    cg_error_t err;
    if (gw_call (req, &cg_cmd_case_show, &get, &view,
                 &err)) {
        gw_reply_refusal (req, &err);
        return;
    }
    if (!view.state || strcmp (view.state, "resolved") != 0) {
        char message[160];
        snprintf (message, sizeof message, "case %s is %s, no longer awaiting its rating", id,
                  view.state ? view.state : "unknown");
        s_ignored (req, "not_awaiting_rating", id, message);
        cg_msg_clear (&cg_case_view_def, &view);
        return;
    }
    char actor[64], note[96], rid[72];
    snprintf (actor, sizeof actor, "center:%s:短信回访", view.center ? view.center : "");
    snprintf (note, sizeof note, "市民短信回复 %.8s", text);
    snprintf (rid, sizeof rid, "sms:%s", message_id);
    cg_case_act_t act = { .rid = *message_id ? rid : NULL, .id = (char *) id, .actor = actor,
                          .note = note, .satisfaction = (char *) level->code };
    cg_case_view_t after;
    if (gw_call (req, &cg_cmd_case_callback, &act,
                 &after, &err))
        gw_reply_refusal (req, &err);
    else {
        gw_reply_json (req, 200, json_pack ("{s:b, s:s, s:s, s:s}", "recorded", 1, "case", id,
                                            "satisfaction", level->code, "state", after.state));
        cg_msg_clear (&cg_case_view_def, &after);
    }
    cg_msg_clear (&cg_case_view_def, &view);
}

void
gw_sms_handle (gw_request_t *req)
{
    if (strcmp (req->method, "POST") != 0) {
        gw_reply_error (req, 405, "method_not_allowed", "method", "replies are POSTed");
        return;
    }
    char sender[72];
    if (gw_auth_signed (req, CG_SIGN_HEADER_SMS, "sms", sender, sizeof sender))
        return;
    snprintf (req->caller.name, sizeof req->caller.name, "sms:%.40s", sender);
    snprintf (req->caller.scope_code, sizeof req->caller.scope_code, "%s",
              cg_orgtree_root (req->gw->org)->code);
    json_error_t jerr;
    json_t *body = json_loadb (req->body ? req->body : "", req->body_size,
                               JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object (body)) {
        gw_reply_error (req, 400, "invalid", "body", "the body is not a JSON object: %s",
                        body ? "another value" : jerr.text);
        json_decref (body);
        return;
    }
    const char *from = s_member (req, body, "from", 20, true);
    const char *text = from ? s_member (req, body, "text", 480, true) : NULL;
    const char *message_id = text ? s_member (req, body, "message_id", 60, false) : NULL;
    size_t digits = 0;
    for (const char *p = from; message_id && *p; p++)
        digits += *p >= '0' && *p <= '9';
    if (message_id && (digits < 3 || strspn (from, "0123456789+- ") != strlen (from)))
        gw_reply_error (req, 400, "invalid", "from", "from must be a phone number: digits, +, "
                        "- and spaces");
    else
    if (message_id) {
        cg_sms_asked_t ask = { .phone = (char *) from };
        cg_sms_case_t asked;
        cg_error_t err;
        const cg_satisfaction_t *level = cg_satisfaction_parse (text);
        if (gw_call (req, &cg_cmd_sms_asked, &ask, &asked, &err))
            gw_reply_refusal (req, &err);
        else {
            if (!level)
                s_ignored (req, "not_a_rating", asked.id, "the reply is not 1 (满意), 2 (基本满意) "
                           "or 3 (不满意)");
            else
                s_record (req, asked.id, level, text, message_id);
            gw_audit (req, "sms.reply", asked.id, req->status);
            cg_msg_clear (&cg_sms_case_def, &asked);
            json_decref (body);
            return;
        }
    }
    gw_audit (req, "sms.reply", "", req->status);
    json_decref (body);
}
