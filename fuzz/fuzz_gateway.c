/*  fuzz_gateway — libFuzzer targets for what the gateway reads of a
    request before any daemon sees it, each through the gateway's own
    function (built once per reader, FUZZ_READER naming it):
      route     the operator API's routing (gw_api_route): "METHOD PATH";
                a route found has its {segments}, each non-empty, without
                '/', within its buffer
      form      Open311's form bodies (gw_form_parse): fields decoded in
                place, every key and value valid UTF-8
      hotline   a 12345 push (gw_signed_check, then gw_hotline_order): the lines timestamp,
                signature, then the body; when the signature line is "ok"
                the target signs the body itself, so that the body's JSON
                is read too
      last_event_id  Last-Event-ID (gw_last_event_id): a sequence taken is
                one the stream can count on from
    Any bytes must be taken or refused with a reason naming what. */
#include "../services/gateway/gateway.h"
#include "cg_sign.h"
#include "cg_text.h"

#define S_route         1
#define S_form          2
#define S_hotline       3
#define S_last_event_id 4
#define S_CAT(a, b)     a##b
#define S_WHICH(name)   S_CAT (S_, name)

#define S_SECRET        "fuzz-secret"
#define S_NOW           INT64_C (1764547200)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    /*  a C string, as libmicrohttpd hands a header or a path over (it ends
        at a NUL); a body keeps its every byte */
    char *text = malloc (size + 1);
    memcpy (text, data, size);
    text[size] = 0;
#if S_WHICH (FUZZ_READER) == S_route
    char *space = strchr (text, ' ');
    if (space) {
        *space = 0;
        gw_params_t params;
        int route = gw_api_route (text, space + 1, &params);
        if (route >= 0) {
            if (params.count < 0 || params.count > GW_PARAMS)
                abort ();
            for (int i = 0; i < params.count; i++) {
                size_t len = strnlen (params.value[i], sizeof params.value[i]);
                if (len == 0 || len == sizeof params.value[i] || strchr (params.value[i], '/'))
                    abort ();
            }
        }
        else
        if (route != GW_ROUTE_NONE && route != GW_ROUTE_METHOD)
            abort ();
    }
#elif S_WHICH (FUZZ_READER) == S_form
    gw_form_t form;
    char why[160] = "";
    if (gw_form_parse (&form, text, why, sizeof why) == 0) {
        for (int i = 0; i < form.count; i++)
            if (!cg_utf8_valid (form.key[i], strlen (form.key[i]))
            ||  !cg_utf8_valid (form.value[i], strlen (form.value[i])))
                abort ();
        if (form.count && gw_form_get (&form, form.key[0]) != (*form.value[0] ? form.value[0]
                                                                               : NULL))
            abort ();
    }
    else
    if (!*why)
        abort ();
#elif S_WHICH (FUZZ_READER) == S_hotline
    char *signature = strchr (text, '\n');
    char *body = signature ? strchr (signature + 1, '\n') : NULL;
    if (body) {
        *signature++ = 0;
        *body++ = 0;
        size_t body_size = size - (size_t) (body - text);
        char sig[CG_SIGN_HEX];
        char *end;
        long long stamp = strtoll (text, &end, 10);
        if (strcmp (signature, "ok") == 0) {
            cg_sign (S_SECRET, stamp, body, body_size, sig);
            signature = sig;
        }
        cg_error_t err;
        int status = gw_signed_check (S_SECRET, text, signature, body, body_size, S_NOW, &err);
        cg_hotline_order_t order;
        if (status == 0) {
            status = gw_hotline_order (body, body_size, &order, &err);
            if (status == 0) {
                if (!order.order_no || !*order.order_no)
                    abort ();
                cg_msg_clear (&cg_hotline_order_def, &order);
            }
        }
        if (status != 0 && (status < 400 || status > 599 || !*err.field || !*err.message))
            abort ();
    }
#elif S_WHICH (FUZZ_READER) == S_last_event_id
    int64_t seqs[GW_STREAM_JOURNALS];
    if (gw_last_event_id (text, seqs) == 0) {
        bool named = false;
        for (int j = 0; j < GW_STREAM_JOURNALS; j++) {
            if (seqs[j] < -1 || seqs[j] == INT64_MAX)
                abort ();
            named |= seqs[j] >= 0;
        }
        if (!named)
            abort ();
    }
#else
#error FUZZ_READER names no reader
#endif
    free (text);
    return 0;
}
