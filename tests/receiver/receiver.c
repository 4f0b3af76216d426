/*  receiver — the far end of notification's channels, for tests: a local
    HTTP server (libmicrohttpd) standing for webhooks, SMS gateways and the
    12345 hotline, and a local SMTP sink standing for the mail server.  The
    tests start it as a separate process:

        receiver --http PORT --smtp PORT --log FILE [--secret S]

    Every request it takes becomes one line of FILE, written whole:

        http <path> delivery=<id> sig=<ok|bad|none> prev=<ok|bad|none>
             mode=<ok|fail|hang> <body>
        smtp rcpt=<address> delivery=<id>

    sig checks X-CG-Timestamp and X-CG-Signature with the shared
    secret (common/cg_sign.h), the way the hotline checks our callbacks;
    prev the same with X-CG-Signature-Previous, which a callback carries
    while a rotated secret's predecessor is still good.  PUT /_secret with
    the new secret as its body is the hotline switching to it.

    How it answers is set per first path segment (/NAME/...) by a request
    PUT /_mode/NAME with the body ok (200), fail (500) or hang (no answer
    for 30 s, longer than any client waits); unset names answer ok. */
#include "cg_sign.h"

#include <microhttpd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define S_MAX_BODY  65536
#define S_MODES     64

static FILE *s_log;
static char s_secret[CG_SIGN_SECRET_MAX];
static pthread_mutex_t s_lock = PTHREAD_MUTEX_INITIALIZER;
static struct { char name[64]; char mode[8]; } s_modes[S_MODES];

static const char *
s_mode_of (const char *url)
{
    char name[64];
    const char *start = url[0] == '/' ? url + 1 : url, *slash = strchr (start, '/');
    size_t len = slash ? (size_t) (slash - start) : strlen (start);
    snprintf (name, sizeof name, "%.*s", (int) (len < 63 ? len : 63), start);
    const char *mode = "ok";
    pthread_mutex_lock (&s_lock);
    for (int i = 0; i < S_MODES; i++)
        if (strcmp (s_modes[i].name, name) == 0)
            mode = s_modes[i].mode;
    pthread_mutex_unlock (&s_lock);
    return mode;
}

static void
s_set_mode (const char *name, const char *mode)
{
    pthread_mutex_lock (&s_lock);
    int slot = -1;
    for (int i = 0; i < S_MODES && slot < 0; i++)
        if (strcmp (s_modes[i].name, name) == 0 || !s_modes[i].name[0])
            slot = i;
    if (slot >= 0) {
        snprintf (s_modes[slot].name, sizeof s_modes[slot].name, "%s", name);
        snprintf (s_modes[slot].mode, sizeof s_modes[slot].mode, "%s", mode);
    }
    pthread_mutex_unlock (&s_lock);
}

static void __attribute__ ((format (printf, 1, 2)))
s_record (const char *fmt, ...)
{
    va_list ap;
    va_start (ap, fmt);
    pthread_mutex_lock (&s_lock);
    vfprintf (s_log, fmt, ap);
    fflush (s_log);
    pthread_mutex_unlock (&s_lock);
    va_end (ap);
}

typedef struct {
    char *body;
    size_t size;
} s_request_t;

static enum MHD_Result
s_answer (struct MHD_Connection *c, unsigned code, const char *text)
{
    struct MHD_Response *r = MHD_create_response_from_buffer (strlen (text), (void *) text,
                                                              MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc = MHD_queue_response (c, code, r);
    MHD_destroy_response (r);
    return rc;
}

static enum MHD_Result
s_on_request (void *cls, struct MHD_Connection *c, const char *url, const char *method,
              const char *version, const char *data, size_t *size, void **state)
{
    (void) cls;
    (void) version;
    s_request_t *req = *state;
    if (!req) {
        *state = calloc (1, sizeof (s_request_t));
        return MHD_YES;
    }
    if (*size) {
        size_t take = req->size + *size > S_MAX_BODY ? S_MAX_BODY - req->size : *size;
        req->body = realloc (req->body, req->size + take + 1);
        memcpy (req->body + req->size, data, take);
        req->size += take;
        req->body[req->size] = 0;
        *size = 0;
        return MHD_YES;
    }
    const char *body = req->body ? req->body : "";
    if (strcmp (method, "PUT") == 0 && strncmp (url, "/_mode/", 7) == 0) {
        s_set_mode (url + 7, body);
        return s_answer (c, 200, "ok");
    }
    if (strcmp (method, "PUT") == 0 && strcmp (url, "/_secret") == 0) {
        pthread_mutex_lock (&s_lock);     /* the hotline switched */
        snprintf (s_secret, sizeof s_secret, "%s", body);
        pthread_mutex_unlock (&s_lock);
        return s_answer (c, 200, "ok");
    }
    const char *delivery = MHD_lookup_connection_value (c, MHD_HEADER_KIND, CG_DELIVERY_HEADER);
    const char *ts = MHD_lookup_connection_value (c, MHD_HEADER_KIND, CG_SIGN_HEADER_TIME);
    const char *sig = MHD_lookup_connection_value (c, MHD_HEADER_KIND, CG_SIGN_HEADER_SIGNATURE);
    const char *prev = MHD_lookup_connection_value (c, MHD_HEADER_KIND, CG_SIGN_HEADER_PREVIOUS);
    const char *verdict = "none", *prev_verdict = "none";
    pthread_mutex_lock (&s_lock);
    if (ts && sig)
        verdict = cg_sign_check (s_secret, atoll (ts), body, req->size, sig) ? "ok" : "bad";
    if (ts && prev)
        prev_verdict = cg_sign_check (s_secret, atoll (ts), body, req->size, prev) ? "ok" : "bad";
    pthread_mutex_unlock (&s_lock);
    const char *mode = s_mode_of (url);
    for (char *p = req->body; p && *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    s_record ("http %s delivery=%s sig=%s prev=%s mode=%s %s\n", url,
              delivery ? delivery : "-", verdict, prev_verdict, mode, body);
    if (strcmp (mode, "hang") == 0)
        sleep (30);
    return s_answer (c, strcmp (mode, "fail") == 0 ? 500 : 200,
                     strcmp (mode, "fail") == 0 ? "failing on purpose" : "ok");
}

static void
s_on_done (void *cls, struct MHD_Connection *c, void **state,
           enum MHD_RequestTerminationCode code)
{
    (void) cls;
    (void) c;
    (void) code;
    s_request_t *req = *state;
    if (req) {
        free (req->body);
        free (req);
    }
    *state = NULL;
}

/*  One SMTP conversation, enough of RFC 5321 for libcurl. */
static void
s_smtp_session (int fd)
{
    FILE *in = fdopen (fd, "r+");
    if (!in) {
        close (fd);
        return;
    }
    char line[2048], rcpt[256] = "-", delivery[256] = "-";
    bool data = false;
    fputs ("220 civgrid test sink\r\n", in);
    fflush (in);
    while (fgets (line, sizeof line, in)) {
        if (data) {
            if (strcmp (line, ".\r\n") == 0) {
                data = false;
                s_record ("smtp rcpt=%s delivery=%s%s%s%s\n", rcpt, delivery, "", "", "");
                fputs ("250 queued\r\n", in);
            }
            else
            if (strncasecmp (line, CG_DELIVERY_HEADER ": ", sizeof CG_DELIVERY_HEADER + 1) == 0)
                sscanf (line + sizeof CG_DELIVERY_HEADER + 1, "%255s", delivery);
        }
        else
        if (strncasecmp (line, "RCPT TO:", 8) == 0) {
            sscanf (line + 8, " %255s", rcpt);
            fputs ("250 ok\r\n", in);
        }
        else
        if (strncasecmp (line, "DATA", 4) == 0) {
            data = true;
            fputs ("354 go on\r\n", in);
        }
        else
        if (strncasecmp (line, "QUIT", 4) == 0) {
            fputs ("221 bye\r\n", in);
            fflush (in);
            break;
        }
        else
            fputs ("250 ok\r\n", in);
        fflush (in);
    }
    fclose (in);
}

static void *
s_smtp_main (void *arg)
{
    int listener = *(int *) arg;
    while (true) {
        int fd = accept (listener, NULL, NULL);
        if (fd >= 0)
            s_smtp_session (fd);
    }
    return NULL;
}

int
main (int argc, char **argv)
{
    int http = 0, smtp = 0;
    const char *log = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp (argv[i], "--http") == 0)
            http = atoi (argv[i + 1]);
        else
        if (strcmp (argv[i], "--smtp") == 0)
            smtp = atoi (argv[i + 1]);
        else
        if (strcmp (argv[i], "--log") == 0)
            log = argv[i + 1];
        else
        if (strcmp (argv[i], "--secret") == 0)
            snprintf (s_secret, sizeof s_secret, "%s", argv[i + 1]);
    }
    if (!http || !smtp || !log || !(s_log = fopen (log, "a"))) {
        fprintf (stderr, "usage: receiver --http PORT --smtp PORT --log FILE [--secret S]\n");
        return 2;
    }
    signal (SIGPIPE, SIG_IGN);
    int listener = socket (AF_INET, SOCK_STREAM, 0), on = 1;
    setsockopt (listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (smtp),
                                .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    if (bind (listener, (struct sockaddr *) &addr, sizeof addr) || listen (listener, 16)) {
        perror ("smtp");
        return 1;
    }
    pthread_t thread;
    pthread_create (&thread, NULL, s_smtp_main, &listener);
    struct MHD_Daemon *d = MHD_start_daemon (
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, (uint16_t) http,
        NULL, NULL, s_on_request, NULL, MHD_OPTION_NOTIFY_COMPLETED, s_on_done, NULL,
        MHD_OPTION_END);
    if (!d) {
        fprintf (stderr, "cannot listen on %d\n", http);
        return 1;
    }
    while (true)
        pause ();
}
