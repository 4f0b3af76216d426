/*  cg_testhttp — see cg_testhttp.h. */
#include "cg_testhttp.h"
#include "cg_sign.h"

#include <criterion/criterion.h>
#include <curl/curl.h>

void
cg_http_base (cg_teststack_t *stack, char *buf, size_t len)
{
    snprintf (buf, len, "http://127.0.0.1:%s",
              zconfig_get (stack->config, "gateway/http_port", "0"));
}

typedef struct {
    char *data;
    size_t size;
    const char *until;          /* stop once this was received */
} s_sink_t;

static size_t
s_write (char *ptr, size_t size, size_t n, void *arg)
{
    s_sink_t *sink = arg;
    size_t bytes = size * n;
    sink->data = realloc (sink->data, sink->size + bytes + 1);
    memcpy (sink->data + sink->size, ptr, bytes);
    sink->size += bytes;
    sink->data[sink->size] = 0;
    if (sink->until && strstr (sink->data, sink->until))
        return 0;               /* enough: ends the transfer */
    return bytes;
}

static CURL *
s_easy (cg_teststack_t *stack, const char *method, const char *path, const char *token,
        const char *const *headers, struct curl_slist **list, s_sink_t *sink)
{
    CURL *curl = curl_easy_init ();
    cr_assert (curl);
    char url[1024];
    cg_http_base (stack, url, sizeof url);
    snprintf (url + strlen (url), sizeof url - strlen (url), "%s", path);
    curl_easy_setopt (curl, CURLOPT_URL, url);
    curl_easy_setopt (curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt (curl, CURLOPT_WRITEFUNCTION, s_write);
    curl_easy_setopt (curl, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt (curl, CURLOPT_NOSIGNAL, 1L);
    *list = NULL;
    if (token) {
        char line[256];
        snprintf (line, sizeof line, "Authorization: Bearer %s", token);
        *list = curl_slist_append (*list, line);
    }
    for (int i = 0; headers && headers[i]; i++)
        *list = curl_slist_append (*list, headers[i]);
    *list = curl_slist_append (*list, "Expect:");
    curl_easy_setopt (curl, CURLOPT_HTTPHEADER, *list);
    return curl;
}

void
cg_http (cg_teststack_t *stack, cg_http_reply_t *reply, const char *method, const char *path,
         const char *token, const char *const *headers, const char *body, size_t size,
         const char *content_type)
{
    s_sink_t sink = { 0 };
    struct curl_slist *list;
    char type[160];
    const char *more[16] = { 0 };
    int n = 0;
    for (; headers && headers[n] && n < 14; n++)
        more[n] = headers[n];
    if (content_type) {
        snprintf (type, sizeof type, "Content-Type: %s", content_type);
        more[n++] = type;
    }
    CURL *curl = s_easy (stack, method, path, token, more, &list, &sink);
    if (body) {
        curl_easy_setopt (curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt (curl, CURLOPT_POSTFIELDSIZE, (long) size);
    }
    curl_easy_setopt (curl, CURLOPT_TIMEOUT, 60L);
    CURLcode rc = curl_easy_perform (curl);
    cr_assert_eq (rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror (rc));
    long status = 0;
    curl_easy_getinfo (curl, CURLINFO_RESPONSE_CODE, &status);
    char *ctype = NULL;
    curl_easy_getinfo (curl, CURLINFO_CONTENT_TYPE, &ctype);
    memset (reply, 0, sizeof *reply);
    snprintf (reply->content_type, sizeof reply->content_type, "%s", ctype ? ctype : "");
    reply->status = (int) status;
    reply->body = sink.data ? sink.data : strdup ("");
    reply->size = sink.size;
    curl_slist_free_all (list);
    curl_easy_cleanup (curl);
}

void
cg_http_reply_clear (cg_http_reply_t *reply)
{
    free (reply->body);
    reply->body = NULL;
}

static json_t *
s_json (cg_http_reply_t *reply, const char *path, int *status)
{
    json_error_t err;
    json_t *json = json_loads (reply->body, 0, &err);
    cr_assert (json, "%s answered %d with no JSON: %.300s", path, reply->status, reply->body);
    if (status)
        *status = reply->status;
    cg_http_reply_clear (reply);
    return json;
}

json_t *
cg_http_get_json (cg_teststack_t *stack, const char *path, const char *token, int *status)
{
    cg_http_reply_t reply;
    cg_http (stack, &reply, "GET", path, token, NULL, NULL, 0, NULL);
    return s_json (&reply, path, status);
}

json_t *
cg_http_post_json (cg_teststack_t *stack, const char *path, const char *token, const char *json,
                   int *status)
{
    cg_http_reply_t reply;
    cg_http (stack, &reply, "POST", path, token, NULL, json, json ? strlen (json) : 0,
             json ? "application/json" : NULL);
    return s_json (&reply, path, status);
}

char *
cg_http_stream (cg_teststack_t *stack, const char *path, const char *token,
                const char *last_event_id, const char *until, int timeout_ms)
{
    s_sink_t sink = { .until = until };
    struct curl_slist *list;
    char line[128];
    const char *headers[2] = { NULL, NULL };
    if (last_event_id) {
        snprintf (line, sizeof line, "Last-Event-ID: %s", last_event_id);
        headers[0] = line;
    }
    CURL *curl = s_easy (stack, "GET", path, token, headers, &list, &sink);
    curl_easy_setopt (curl, CURLOPT_TIMEOUT_MS, (long) timeout_ms);
    curl_easy_perform (curl);
    curl_slist_free_all (list);
    curl_easy_cleanup (curl);
    return sink.data ? sink.data : strdup ("");
}

/*  One refusal: status and the field it names. */
void
cg_http_refused (cg_teststack_t *stack, const char *method, const char *path, const char *token,
                 const char *body, size_t size, int want_status, const char *want_field)
{
    cg_http_reply_t reply;
    cg_http (stack, &reply, method, path, token, NULL, body, size,
             body ? "application/json" : NULL);
    cr_assert_eq (reply.status, want_status, "%s %s answered %d: %s", method, path,
                  reply.status, reply.body);
    cr_assert (strstr (reply.content_type, "application/json"), "%s", reply.content_type);
    json_t *json = json_loads (reply.body, 0, NULL);
    cr_assert (json, "not JSON: %s", reply.body);
    json_t *error = json_object_get (json, "error");
    cr_assert (json_string_value (json_object_get (error, "message")), "%s", reply.body);
    if (want_field)
        cr_assert_str_eq (json_string_value (json_object_get (error, "field")), want_field, "%s",
                          reply.body);
    json_decref (json);
    cg_http_reply_clear (&reply);
}

char *
cg_http_token (cg_teststack_t *stack, const char *role, const char *scope, const char *name)
{
    char *out = NULL;
    int rc = cg_teststack_cli (stack, &out, "token create --role %s --scope %s --name %s",
                               role, scope, name);
    cr_assert_eq (rc, 0, "token create: %s", out);
    out[strcspn (out, "\n")] = 0;
    cr_assert (strncmp (out, "cgt_", 4) == 0, "token create printed %s", out);
    return out;
}

json_t *
cg_http_hotline_push (cg_teststack_t *stack, const char *hotline, const char *secret,
                      int64_t timestamp, const char *body, int *status)
{
    char sig[CG_SIGN_HEX], h1[128], h2[64], h3[128];
    cg_sign (secret, timestamp, body, strlen (body), sig);
    snprintf (h1, sizeof h1, CG_SIGN_HEADER_SOURCE ": %s", hotline);
    snprintf (h2, sizeof h2, CG_SIGN_HEADER_TIME ": %lld", (long long) timestamp);
    snprintf (h3, sizeof h3, CG_SIGN_HEADER_SIGNATURE ": %s", sig);
    const char *headers[] = { h1, h2, h3, NULL };
    cg_http_reply_t reply;
    cg_http (stack, &reply, "POST", "/api/v1/hotline/orders", NULL, headers, body,
             strlen (body), "application/json");
    *status = reply.status;
    json_t *json = json_loads (reply.body, 0, NULL);
    cr_assert (json, "not JSON: %s", reply.body);
    cg_http_reply_clear (&reply);
    return json;
}
