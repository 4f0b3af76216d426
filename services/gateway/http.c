/*  http — the HTTP server of the gateway, on libmicrohttpd.

    Limits come first: libmicrohttpd refuses headers larger than the
    connection's memory (431), closes connections idle past the timeout and
    caps connections in all and per address; this file caps the body
    (413, before reading it when Content-Length says so), counts every
    request against its address's budget (429), and then routes by path
    prefix: /open311/v2/, /api/v1/hotline/, /api/v1/sms/replies (signed
    pushes), /api/v1/grid/reports (read as it comes), /api/v1/stream,
    /api/v1/, and
    /console/ (the web console's files).  Every refusal is an answer with a
    body that names the problem, never a closed socket. */
#include "gateway.h"
#include "cg_case.h"
#include "cg_text.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_HEADER_MEMORY     (32 * 1024)     /* headers and a little more */
#define S_TIMEOUT_S         30
#define S_CONNECTIONS       256
#define S_PER_ADDRESS       64

/* --- links to the daemons ------------------------------------------------- */

static void
s_client_free (void **item)
{
    cg_client_destroy ((cg_client_t **) item);
}

static gw_link_t *
s_link_take (gateway_t *gw)
{
    pthread_mutex_lock (&gw->lock);
    gw_link_t *link = zlistx_detach (gw->idle, NULL);
    pthread_mutex_unlock (&gw->lock);
    if (link)
        return link;
    link = calloc (1, sizeof *link);
    assert (link);
    link->redis = cg_redis_new (cg_daemon_get (gw->daemon, "redis/host", "127.0.0.1"),
                                (int) cg_daemon_int (gw->daemon, "redis/port"), 2000);
    link->clients = zhashx_new ();
    zhashx_set_destructor (link->clients, s_client_free);
    return link;
}

static void
s_link_free (gw_link_t **link_p)
{
    gw_link_t *link = *link_p;
    if (link) {
        zhashx_destroy (&link->clients);
        cg_redis_destroy (&link->redis);
        free (link);
        *link_p = NULL;
    }
}

static void
s_link_give (gateway_t *gw, gw_link_t *link)
{
    if (!link->redis) {         /* Redis was down when it was made: try anew */
        s_link_free (&link);
        return;
    }
    pthread_mutex_lock (&gw->lock);
    zlistx_add_end (gw->idle, link);
    pthread_mutex_unlock (&gw->lock);
}

/* --- the console's files -------------------------------------------------- */

static const char *
s_mime (const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        { ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" }, { ".json", "application/json" },
        { ".svg", "image/svg+xml" }, { ".png", "image/png" } };
    const char *dot = strrchr (path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp (dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

/*  Serves /console/REST from the console folder, and
    /console/vendor/echarts.min.js from the charts package npm installed
    beside it (the tree's node_modules/).  No "..", no hidden files. */
static void
s_console (gw_request_t *req)
{
    const char *rest = req->path + strlen ("/console/");
    if (!*rest)
        rest = "index.html";
    if (strstr (rest, "..") || strstr (rest, "/.") || *rest == '.' || strlen (rest) > 200) {
        gw_reply_error (req, 404, "not_found", "path", "there is no such file");
        return;
    }
    char file[1024];
    if (strncmp (rest, "vendor/echarts.min.js", 21) == 0)
        snprintf (file, sizeof file, "%s/../node_modules/echarts/dist/echarts.min.js",
                  req->gw->console_dir);
    else
        snprintf (file, sizeof file, "%s/%s", req->gw->console_dir, rest);
    int fd = open (file, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat (fd, &st) || !S_ISREG (st.st_mode)) {
        if (fd >= 0)
            close (fd);
        gw_reply_error (req, 404, "not_found", "path", "there is no file %s", rest);
        return;
    }
    if (req->response)
        MHD_destroy_response (req->response);
    req->response = MHD_create_response_from_fd ((size_t) st.st_size, fd);
    MHD_add_response_header (req->response, "Content-Type", s_mime (file));
    MHD_add_response_header (req->response, "X-Content-Type-Options", "nosniff");
    req->status = 200;
}

/* --- the request ---------------------------------------------------------- */

static void
s_route (gw_request_t *req)
{
    const char *path = req->path;
    if (strncmp (path, "/open311/v2/", 12) == 0)
        gw_open311_handle (req);
    else
    if (strcmp (path, "/api/v1/hotline/orders") == 0)
        gw_hotline_handle (req);
    else
    if (strcmp (path, "/api/v1/sms/replies") == 0)
        gw_sms_handle (req);
    else
    if (strcmp (path, "/api/v1/grid/reports") == 0)   /* a POST is read as it comes */
        gw_reply_error (req, 405, "method_not_allowed", "method", "reports are POSTed");
    else
    if (strcmp (path, "/api/v1/stream") == 0)
        gw_stream_handle (req);
    else
    if (strcmp (path, "/api/v1/session") == 0)
        gw_session_handle (req);
    else
    if (strcmp (path, "/healthz") == 0 || strcmp (path, "/metrics") == 0)
        gw_health_handle (req);
    else
    if (strncmp (path, "/api/v1/", 8) == 0)
        gw_api_handle (req);
    else
    if (strncmp (path, "/console/", 9) == 0 && strcmp (req->method, "GET") == 0)
        s_console (req);
    else
    if (strcmp (path, "/") == 0 || strcmp (path, "/console") == 0) {
        gw_reply (req, 302, "text/plain; charset=utf-8", "/console/\n", 10);
        MHD_add_response_header (req->response, "Location", "/console/");
    }
    else
        gw_reply_error (req, 404, "not_found", "path", "there is nothing at %.100s", path);
}

/*  Whether address (len bytes) is one of the proxies, a list of addresses
    separated by commas or spaces. */
static bool
s_is_proxy (const char *proxies, const char *address, size_t len)
{
    for (const char *at = proxies; *at; ) {
        at += strspn (at, ", ");
        size_t n = strcspn (at, ", ");
        if (n && n == len && memcmp (at, address, len) == 0)
            return true;
        at += n;
    }
    return false;
}

/*  An IPv4 or IPv6 address in text (len bytes, spaces around it allowed),
    written again as inet_ntop writes it into buf; false when it is none. */
static bool
s_ip (const char *text, size_t len, char *buf, size_t size)
{
    while (len && *text == ' ')
        text++, len--;
    while (len && text[len - 1] == ' ')
        len--;
    char copy[64];
    unsigned char bin[16];
    if (!len || len >= sizeof copy)
        return false;
    memcpy (copy, text, len);
    copy[len] = 0;
    int family = inet_pton (AF_INET, copy, bin) == 1 ? AF_INET
               : inet_pton (AF_INET6, copy, bin) == 1 ? AF_INET6 : 0;
    return family && inet_ntop (family, bin, buf, size) != NULL;
}

/*  Behind a proxy of ours (gateway/proxies) the client is the last hop of
    X-Forwarded-For that is not one of our proxies: each proxy appends the
    address it saw, so what lies to the left of that hop anyone could have
    written.  Without the header, X-Real-IP.  From any other peer neither
    header is believed.  A hop that is no address ends the search. */
static void
s_forwarded_for (gateway_t *gw, struct MHD_Connection *conn, char *buf, size_t len)
{
    if (!*buf || !s_is_proxy (gw->proxies, buf, strlen (buf)))
        return;
    const char *chain = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "X-Forwarded-For");
    const char *real = MHD_lookup_connection_value (conn, MHD_HEADER_KIND, "X-Real-IP");
    char client[64] = "", hop[64];
    if (chain) {
        size_t end = strlen (chain);
        while (!*client) {
            size_t start = end;
            while (start > 0 && chain[start - 1] != ',')
                start--;
            if (!s_ip (chain + start, end - start, hop, sizeof hop))
                break;
            if (!s_is_proxy (gw->proxies, hop, strlen (hop)))
                snprintf (client, sizeof client, "%s", hop);
            if (start == 0)
                break;
            end = start - 1;
        }
    }
    else
    if (real && !s_ip (real, strlen (real), client, sizeof client))
        *client = 0;
    if (*client)
        snprintf (buf, len, "%s", client);
}

static void
s_address (gateway_t *gw, struct MHD_Connection *conn, char *buf, size_t len)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info (conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    *buf = 0;
    if (!info || !info->client_addr)
        return;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop (AF_INET, &((const struct sockaddr_in *) sa)->sin_addr, buf, len);
    else
    if (sa->sa_family == AF_INET6)
        inet_ntop (AF_INET6, &((const struct sockaddr_in6 *) sa)->sin6_addr, buf, len);
    s_forwarded_for (gw, conn, buf, len);
}

static enum MHD_Result
s_on_request (void *cls, struct MHD_Connection *conn, const char *url, const char *method,
              const char *version, const char *upload, size_t *upload_size, void **state)
{
    (void) version;
    gateway_t *gw = cls;
    gw_request_t *req = *state;
    if (!req) {
        req = calloc (1, sizeof *req);
        assert (req);
        req->gw = gw;
        req->conn = conn;
        req->method = method;
        req->path = url;
        s_address (gw, conn, req->address, sizeof req->address);
        const char *length = MHD_lookup_connection_value (conn, MHD_HEADER_KIND,
                                                          "Content-Length");
        *state = req;
        if (gw_grid_route (req)) {
            /*  read as it comes, photos to disk: bounded by their limits */
            req->link = s_link_take (gw);
            size_t most = gw_upload_most (gw);
            if (length && strtoull (length, NULL, 10) > most) {
                req->body_too_large = true;
                gw_reply_error (req, 413, "too_large", "body", "a report with its photos is "
                                "larger than %zu bytes", most);
                return MHD_queue_response (conn, req->status, req->response);
            }
            if (!req->link->redis)
                gw_reply_error (req, 503, "unavailable", "", "the gateway cannot reach its store");
            if (req->response || gw_upload_start (req)) {
                req->answered = true;
                return MHD_queue_response (conn, req->status, req->response);
            }
            return MHD_YES;
        }
        if (length && strtoull (length, NULL, 10) > gw->body_max) {
            /*  answered before the body is read; the connection then closes */
            req->body_too_large = true;
            gw_reply_error (req, 413, "too_large", "body", "the body is larger than %zu bytes",
                            gw->body_max);
            return MHD_queue_response (conn, req->status, req->response);
        }
        return MHD_YES;
    }
    if (req->answered) {        /* answered before the body: the rest is dropped */
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size && req->upload) {
        gw_upload_feed (req, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!req->body_too_large && req->body_size + *upload_size <= gw->body_max) {
            req->body = realloc (req->body, req->body_size + *upload_size + 1);
            assert (req->body);
            memcpy (req->body + req->body_size, upload, *upload_size);
            req->body_size += *upload_size;
            req->body[req->body_size] = 0;
        }
        else
            req->body_too_large = true;
        *upload_size = 0;
        return MHD_YES;
    }
    char rate_key[80];
    snprintf (rate_key, sizeof rate_key, "a:%s", req->address);
    if (req->body_too_large)
        gw_reply_error (req, 413, "too_large", "body", "the body is larger than %zu bytes",
                        gw->body_max);
    else
    if (!gw_rate_take (gw, rate_key, gw->rate_address))
        gw_reply_error (req, 429, "rate_limited", "", "too many requests from %s; at most %d "
                        "a minute", req->address, gw->rate_address);
    else
    if (req->upload)
        gw_grid_handle (req);
    else {
        req->link = s_link_take (gw);
        if (!req->link->redis)
            gw_reply_error (req, 503, "unavailable", "", "the gateway cannot reach its store");
        else
            s_route (req);
    }
    if (!req->response)
        gw_reply_error (req, 500, "internal", "", "no answer was made");
    enum MHD_Result rc = MHD_queue_response (conn, req->status, req->response);
    return rc;
}

static void
s_on_done (void *cls, struct MHD_Connection *conn, void **state,
           enum MHD_RequestTerminationCode why)
{
    (void) conn;
    (void) why;
    gateway_t *gw = cls;
    gw_request_t *req = *state;
    if (!req)
        return;
    gw_upload_free (req);
    if (req->link)
        s_link_give (gw, req->link);
    if (req->response)
        MHD_destroy_response (req->response);
    free (req->body);
    free (req);
    *state = NULL;
}

int
gw_http_start (gateway_t *gw, const char *address, int port)
{
    struct sockaddr_in bind_to = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
    if (inet_pton (AF_INET, address, &bind_to.sin_addr) != 1) {
        zsys_error ("gateway: http_address %s is not an IPv4 address", address);
        return -1;
    }
    void *certificate = NULL;
    int tls = gw_tls_configure (gw, &certificate);
    if (tls < 0)
        return -1;
    gw->httpd = MHD_start_daemon (
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG
        | (tls ? MHD_USE_TLS : 0),
        (uint16_t) port, NULL, NULL, s_on_request, gw,
        MHD_OPTION_NOTIFY_COMPLETED, s_on_done, gw,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) S_HEADER_MEMORY,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) S_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int) S_CONNECTIONS,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int) S_PER_ADDRESS,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *) &bind_to,
        /*  last: without TLS it ends the options early */
        tls ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, certificate,
        MHD_OPTION_END);
    if (!gw->httpd) {
        zsys_error ("gateway: cannot listen on %s:%d", address, port);
        return -1;
    }
    return 0;
}

void
gw_http_stop (gateway_t *gw)
{
    if (gw->httpd)
        MHD_stop_daemon (gw->httpd);
    gw->httpd = NULL;
    gw_tls_end ();
    gw_link_t *link;
    while ((link = zlistx_detach (gw->idle, NULL)))
        s_link_free (&link);
}
