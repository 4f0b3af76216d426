/*  hotline — POST /api/v1/hotline/orders: the 12345 system pushes an order.

    The body is JSON: intake's hotline.order, field for field, the one
    12345 order format (docs/INTAKE.md): order_no, call_time, class,
    content, and optionally category, address, area_code, urgency,
    time_limit, attachments, caller_name, caller_phone.  So a push does
    exactly what `civgrid hotline` does: classification from the class and
    the words when no category is given, placing by address and area code,
    urgency and the hotline's own time limit, attachments kept as links,
    and "me too" merging.  It is signed as cg_sign.h says, and the headers
    carry what the signature needs:
        X-CG-Hotline     the hotline's id; its secret is gateway/hotline/<id>
        X-CG-Timestamp   Unix seconds; refused more than 300 s from our clock
        X-CG-Signature   hex HMAC-SHA256 of timestamp "\n" body
    Intake keeps the order idempotent by its number: a replayed order gets
    the first answer (its case id, with "repeat": true) and nothing twice;
    an order that joined an open case says so ("merged": true, the case,
    "supporters"). */
#include "gateway.h"
#include "cg_sign.h"

int
gw_hotline_order (const char *body, size_t size, cg_hotline_order_t *order, cg_error_t *err)
{
    memset (order, 0, sizeof *order);
    json_error_t jerr;
    json_t *json = json_loadb (body, size, JSON_REJECT_DUPLICATES, &jerr);
    if (!json) {
        cg_error_set (err, "invalid", "body", "the body is not valid JSON: %s (line %d, "
                      "column %d)", jerr.text, jerr.line, jerr.column);
        return 400;
    }
    if (json_object_get (json, "rid")) {
        json_decref (json);
        cg_error_set (err, "invalid", "rid", "rid is set by the gateway; the order number is "
                      "what makes a push idempotent");
        return 400;
    }
    /*  the request id is the command client's own (a retry of the call
        keeps it); a push again of the order is known by its number */
    int rc = cg_json_to_msg (&cg_hotline_order_def, json, order, err);
    json_decref (json);
    if (rc) {
        if (!*err->field)
            snprintf (err->field, sizeof err->field, "body");
        return gw_status_of (err->code);
    }
    if (!order->order_no || !*order->order_no) {
        cg_msg_clear (&cg_hotline_order_def, order);
        cg_error_set (err, "invalid", "order_no", "order_no is required: the hotline's order "
                      "number, which makes a push idempotent");
        return 400;
    }
    return 0;
}

void
gw_hotline_handle (gw_request_t *req)
{
    if (strcmp (req->method, "POST") != 0) {
        gw_reply_error (req, 405, "method_not_allowed", "method", "orders are POSTed");
        return;
    }
    char hotline[72];
    if (gw_auth_signed (req, CG_SIGN_HEADER_SOURCE, "hotline", hotline, sizeof hotline))
        return;
    cg_hotline_order_t order;
    cg_error_t err;
    int status = gw_hotline_order (req->body ? req->body : "", req->body_size, &order, &err);
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
    if (gw_call (req, &cg_cmd_hotline_order, &order, &rep, &err)) {
        gw_reply_refusal (req, &err);
        gw_audit (req, "hotline.order", order.order_no, req->status);
    }
    else {
        json_t *answer = cg_json_from_msg (&cg_case_submitted_def, &rep);
        json_object_set_new (answer, "order_no", json_string (order.order_no));
        json_object_set_new (answer, "repeat", json_boolean (rep.repeat));
        json_object_set_new (answer, "merged", json_boolean (rep.merged));
        gw_reply_json (req, 200, answer);
        gw_audit (req, "hotline.order", rep.id, req->status);
        cg_msg_clear (&cg_case_submitted_def, &rep);
    }
    cg_msg_clear (&cg_hotline_order_def, &order);
}
