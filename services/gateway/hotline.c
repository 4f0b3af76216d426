/*  hotline — POST /api/v1/hotline/orders: the 12345 system pushes an order.

    The body is JSON: the fields of case.submit (category, text, grid or
    address, contact_name, contact_phone) and order_no, the hotline's own
    order number.  It is signed as cg_sign.h says, and the headers carry
    what the signature needs:
        X-CG-Hotline     the hotline's id; its secret is gateway/hotline/<id>, or
                         once rotated the store's (civgrid secret rotate, cg_sign.h)
        X-CG-Timestamp   Unix seconds; refused more than 300 s from our clock
        X-CG-Signature   hex HMAC-SHA256 of timestamp "\n" body
    The order becomes case.submit with source hotline and ext_ref = order
    number, which intake keeps idempotent: a replayed order number gets the
    first answer (its case id, with "repeat": true) and nothing twice. */
#include "gateway.h"
#include "cg_clock.h"
#include "cg_sign.h"

#include <errno.h>
#include <sodium.h>

#define S_SKEW_S    300

int
gw_hotline_order (const char *secret, const char *stamp, const char *signature,
                  const char *body, size_t size, int64_t now, cg_case_submit_t *submit,
                  cg_error_t *err)
{
    memset (submit, 0, sizeof *submit);
    char *end;
    errno = 0;
    long long timestamp = strtoll (stamp, &end, 10);
    if (*end || end == stamp || errno) {
        cg_error_set (err, "invalid", CG_SIGN_HEADER_TIME, CG_SIGN_HEADER_TIME " must be Unix "
                      "seconds");
        return 400;
    }
    if (timestamp < now - S_SKEW_S || timestamp > now + S_SKEW_S) {
        /*  as a double: the distance from a timestamp near the edge of 64
            bits would not fit */
        cg_error_set (err, "unauthorized", CG_SIGN_HEADER_TIME, "the timestamp is %.0f s from "
                      "our clock; at most %d s are allowed", (double) timestamp - (double) now,
                      S_SKEW_S);
        return 401;
    }
    if (!cg_sign_check (secret, timestamp, body, size, signature)) {
        cg_error_set (err, "unauthorized", CG_SIGN_HEADER_SIGNATURE, "the signature does not "
                      "match the body and timestamp");
        return 401;
    }
    json_error_t jerr;
    json_t *json = json_loadb (body, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!json) {
        cg_error_set (err, "invalid", "body", "the body is not valid JSON: %s (line %d, "
                      "column %d)", jerr.text, jerr.line, jerr.column);
        return 400;
    }
    if (cg_json_to_msg (&cg_case_submit_def, json, submit, err)) {
        json_decref (json);
        return gw_status_of (err->code);
    }
    json_t *order = json_object_get (json, "order_no");
    if (!json_is_string (order) || json_string_length (order) < 1
    ||  json_string_length (order) > 48) {
        json_decref (json);
        cg_msg_clear (&cg_case_submit_def, submit);
        cg_error_set (err, "invalid", "order_no", "order_no must be the hotline's order number, "
                      "1 to 48 bytes");
        return 400;
    }
    free (submit->source);
    free (submit->ext_ref);
    free (submit->rid);
    submit->source = strdup ("hotline");
    submit->ext_ref = strdup (json_string_value (order));
    char rid[64];
    snprintf (rid, sizeof rid, "hotline:%s", submit->ext_ref);
    submit->rid = strdup (rid);
    json_decref (json);
    return 0;
}

void
gw_hotline_handle (gw_request_t *req)
{
    if (strcmp (req->method, "POST") != 0) {
        gw_reply_error (req, 405, "method_not_allowed", "method", "orders are POSTed");
        return;
    }
    const char *hotline = gw_header (req, CG_SIGN_HEADER_SOURCE);
    const char *stamp = gw_header (req, CG_SIGN_HEADER_TIME);
    const char *signature = gw_header (req, CG_SIGN_HEADER_SIGNATURE);
    const char *missing = !hotline ? CG_SIGN_HEADER_SOURCE : !stamp ? CG_SIGN_HEADER_TIME
                        : !signature ? CG_SIGN_HEADER_SIGNATURE : NULL;
    if (missing) {
        gw_reply_error (req, 401, "unauthorized", missing, "a hotline order needs the %s "
                        "header", missing);
        return;
    }
    /*  its secrets: the configuration's, or once rotated the store's,
        the previous one still good during the rotation (cg_sign.h) */
    char key[128], secrets[2][CG_SIGN_SECRET_MAX];
    snprintf (key, sizeof key, "gateway/hotline/%.64s", hotline);
    int nsecrets = strchr (hotline, '/') ? 0
                 : cg_sign_secrets (req->link->redis, hotline,
                                    cg_daemon_get (req->gw->daemon, key, NULL), cg_clock_now (),
                                    secrets);
    if (nsecrets < 0) {
        gw_reply_error (req, 503, "unavailable", "", "the hotline's secret cannot be read now");
        return;
    }
    if (nsecrets == 0) {
        gw_reply_error (req, 401, "unauthorized", CG_SIGN_HEADER_SOURCE, "hotline %.64s is not known "
                        "here", hotline);
        return;
    }
    cg_case_submit_t submit;
    cg_error_t err;
    int status = 0;
    /*  the next secret only when this one's signature did not match */
    for (int i = 0; i < nsecrets && (i == 0 || (status == 401
                                                && streq (err.field, CG_SIGN_HEADER_SIGNATURE)));
         i++)
        status = gw_hotline_order (secrets[i], stamp, signature, req->body ? req->body : "",
                                   req->body_size, cg_clock_now () / 1000, &submit, &err);
    sodium_memzero (secrets, sizeof secrets);
    if (status) {
        gw_reply_error (req, status, err.code, err.field, "%s", err.message);
        return;
    }
    /*  the hotline is the actor of what follows, in the audit log */
    req->caller.role = CG_ROLE_HOTLINE;
    snprintf (req->caller.name, sizeof req->caller.name, "hotline:%.40s", hotline);
    snprintf (req->caller.scope_code, sizeof req->caller.scope_code, "%s",
              cg_orgtree_root (req->gw->org)->code);
    cg_case_submitted_t rep;
    if (gw_call (req, "intake", "case.submit", &cg_case_submit_def, &submit,
                 &cg_case_submitted_def, &rep, &err)) {
        gw_reply_refusal (req, &err);
        gw_audit (req, "hotline.order", submit.ext_ref, req->status);
    }
    else {
        json_t *answer = cg_json_from_msg (&cg_case_submitted_def, &rep);
        json_object_set_new (answer, "order_no", json_string (submit.ext_ref));
        json_object_set_new (answer, "repeat", json_boolean (rep.repeat));
        gw_reply_json (req, 200, answer);
        gw_audit (req, "hotline.order", rep.id, req->status);
        cg_msg_clear (&cg_case_submitted_def, &rep);
    }
    cg_msg_clear (&cg_case_submit_def, &submit);
}
