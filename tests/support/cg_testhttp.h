/*  cg_testhttp — a small HTTP client (libcurl) for tests of the gateway:
    real HTTP against the real gateway process of a test stack. */
#ifndef CG_TESTHTTP_H_INCLUDED
#define CG_TESTHTTP_H_INCLUDED

#include "cg_testenv.h"
#include <jansson.h>

typedef struct {
    int status;
    char *body;                 /* NUL-terminated */
    size_t size;
    char content_type[128];
} cg_http_reply_t;

/*  The gateway's base URL of a stack: "http://127.0.0.1:PORT". */
void cg_http_base (cg_teststack_t *stack, char *buf, size_t len);

/*  One request.  token (may be NULL) goes as a bearer token; headers is a
    NULL-terminated list of "Name: value" lines (may be NULL); body (may be
    NULL) is sent with content_type.  Fails the test when no HTTP answer
    comes at all. */
void cg_http (cg_teststack_t *stack, cg_http_reply_t *reply, const char *method,
              const char *path, const char *token, const char *const *headers,
              const char *body, size_t size, const char *content_type);
void cg_http_reply_clear (cg_http_reply_t *reply);

/*  GET path with token; the reply's JSON (asserted to parse). */
json_t *cg_http_get_json (cg_teststack_t *stack, const char *path, const char *token,
                          int *status);
/*  POST JSON text with token; the reply's JSON. */
json_t *cg_http_post_json (cg_teststack_t *stack, const char *path, const char *token,
                           const char *json, int *status);

/*  Asserts that the request is refused with want_status and a JSON error
    whose message is there and whose field is want_field (when not NULL). */
void cg_http_refused (cg_teststack_t *stack, const char *method, const char *path,
                      const char *token, const char *body, size_t size, int want_status,
                      const char *want_field);

/*  Reads an event stream until `until` appears in what came, or timeout_ms
    passes; returns what came (malloc'd). */
char *cg_http_stream (cg_teststack_t *stack, const char *path, const char *token,
                      const char *last_event_id, const char *until, int timeout_ms);

/*  Makes a token with the CLI; returns it (malloc'd). */
char *cg_http_token (cg_teststack_t *stack, const char *role, const char *scope,
                     const char *name);

/*  A push of the 12345 hotline, signed with secret at timestamp (Unix
    seconds) as cg_sign.h says; the status into status, and the reply's
    JSON (asserted to parse). */
json_t *cg_http_hotline_push (cg_teststack_t *stack, const char *hotline, const char *secret,
                              int64_t timestamp, const char *body, int *status);

#endif
