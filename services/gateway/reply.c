/*  reply — what every handler of the gateway reads of its request and how
    it answers: the reply (JSON, an error naming the field, a daemon's
    refusal with the status its code calls for), the request's headers,
    query and path parameters, and the calls to the daemons through the
    request's link.  The router (http.c, api.c) and every handler use
    these; they use none of the handlers, so that the handlers and the
    router do not depend on each other both ways. */
#include "gateway.h"
#include "cg_case.h"
#include "cg_text.h"

/* --- replies -------------------------------------------------------------- */

void
gw_reply (gw_request_t *req, int status, const char *type, const char *body, size_t size)
{
    if (req->response)
        MHD_destroy_response (req->response);
    req->response = MHD_create_response_from_buffer (size, (void *) body,
                                                     MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header (req->response, "Content-Type", type);
    MHD_add_response_header (req->response, "Cache-Control", "no-store");
    MHD_add_response_header (req->response, "X-Content-Type-Options", "nosniff");
    req->status = status;
}

void
gw_reply_json (gw_request_t *req, int status, json_t *json)
{
    char *text = json_dumps (json, JSON_COMPACT);
    json_decref (json);
    if (!text) {
        gw_reply (req, 500, "application/json; charset=utf-8",
                  "{\"error\":{\"code\":\"internal\",\"message\":\"the reply could not be "
                  "written\"}}", 71);
        return;
    }
    gw_reply (req, status, "application/json; charset=utf-8", text, strlen (text));
    free (text);
}

void
gw_utf8_scrub (char *s)
{
    for (unsigned char *p = (unsigned char *) s; *p; ) {
        size_t len = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3
                   : (*p & 0xf8) == 0xf0 ? 4 : 0;
        size_t have = strnlen ((char *) p, len ? len : 1);
        if (len && have == len && cg_utf8_valid ((char *) p, len))
            p += len;
        else
            *p++ = '?';
    }
}

void
gw_reply_error (gw_request_t *req, int status, const char *code, const char *field,
                const char *fmt, ...)
{
    char message[256];
    va_list args;
    va_start (args, fmt);
    vsnprintf (message, sizeof message, fmt, args);
    va_end (args);
    gw_utf8_scrub (message);
    json_t *error = json_pack ("{s:s, s:s}", "code", code, "message", message);
    if (field && *field)
        json_object_set_new (error, "field", json_string (field));
    gw_reply_json (req, status, json_pack ("{s:o}", "error", error));
}

int
gw_status_of (const char *code)
{
    static const struct { const char *code; int status; } map[] = {
        { "invalid", 400 }, { "not_found", 404 }, { "conflict", 409 },
        { "forbidden", 403 }, { "unavailable", 503 }, { "duplicate", 409 },
        { "gone", 410 } };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp (map[i].code, code) == 0)
            return map[i].status;
    return 500;
}

void
gw_reply_refusal (gw_request_t *req, const cg_error_t *err)
{
    gw_reply_error (req, gw_status_of (err->code), err->code, err->field, "%s", err->message);
}

const char *
gw_header (gw_request_t *req, const char *name)
{
    return MHD_lookup_connection_value (req->conn, MHD_HEADER_KIND, name);
}

const char *
gw_query (gw_request_t *req, const char *name)
{
    return MHD_lookup_connection_value (req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int
gw_query_limit (gw_request_t *req, int64_t fallback, int64_t max, int64_t *limit)
{
    *limit = fallback;
    const char *text = gw_query (req, "limit");
    if (!text)
        return 0;
    char *end;
    *limit = strtoll (text, &end, 10);
    if (*end || end == text || *limit < 1 || *limit > max) {
        gw_reply_error (req, 400, "invalid", "limit", "limit must be a whole number from 1 "
                        "to %lld", (long long) max);
        return -1;
    }
    return 0;
}

/* --- path parameters ------------------------------------------------------ */

void
gw_param_name (const gw_params_t *params, int i, char *buf, size_t len)
{
    size_t n = strcspn (params->name[i], "}");
    snprintf (buf, len, "%.*s", (int) (n < len ? n : len - 1), params->name[i]);
}

const char *
gw_param (const gw_params_t *params, const char *name)
{
    for (int i = 0; i < params->count; i++) {
        char have[16];
        gw_param_name (params, i, have, sizeof have);
        if (strcmp (have, name) == 0)
            return params->value[i];
    }
    return NULL;
}

/* --- calls to the daemons ------------------------------------------------- */

cg_client_t *
gw_client (gw_request_t *req, const char *daemon)
{
    cg_client_t *client = zhashx_lookup (req->link->clients, daemon);
    if (!client) {
        char key[64];
        snprintf (key, sizeof key, "%s/endpoint", daemon);
        const char *endpoint = cg_daemon_get (req->gw->daemon, key, NULL);
        if (!endpoint)
            return NULL;
        client = cg_client_new (endpoint, 3000, 2);
        zhashx_insert (req->link->clients, daemon, client);
    }
    return client;
}

int
gw_call (gw_request_t *req, const cg_cmddef_t *command, void *msg, void *rep, cg_error_t *err)
{
    const char *daemon = command->owner;
    cg_client_t *client = gw_client (req, daemon);
    if (!client) {
        cg_error_set (err, "unavailable", "", "%s is not part of this installation", daemon);
        return -1;
    }
    /*  a case dispatch no longer has is the archive's (docs/ARCHIVE.md) */
    int rc = command == &cg_cmd_case_show
           ? cg_case_show (client, gw_client (req, cg_cmd_archive_case_show.owner), msg, rep, err)
           : cg_client_call (client, command, msg, rep, err);
    if (rc && strcmp (err->code, "unavailable") == 0) {
        /*  a socket that missed an answer may hold a late one: start afresh */
        zhashx_delete (req->link->clients, daemon);
    }
    return rc;
}

char *
gw_caller_of_phone (gw_request_t *req, const char *phone)
{
    cg_caller_fingerprint_t ask = { .phone = (char *) phone };
    cg_caller_print_t print = { 0 };
    cg_error_t err;
    if (gw_call (req, &cg_cmd_caller_fingerprint, &ask, &print, &err)) {
        gw_reply_refusal (req, &err);
        return NULL;
    }
    char *caller = print.caller;
    print.caller = NULL;
    cg_msg_clear (&cg_caller_print_def, &print);
    return caller;
}
