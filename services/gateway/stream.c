/*  stream — GET /api/v1/stream: live events as Server-Sent Events.

    The stream reads the dispatch journal itself, with XREAD BLOCK on its
    own Redis connection, rather than the bus: the journal is the truth and
    numbers every event, so the event id `dispatch:<seq>` lets a browser
    that reconnects say where it was (Last-Event-ID, or last_event_id in
    the query) and get exactly what it missed.  A stream without one
    starts at the journal's head.  What it missed may have been trimmed
    meanwhile (the journal keeps its retention, cg_retention.h): then an
    event journal.trimmed names the seqs it will never get.  Each event
    is decoded with its message definition and sent as JSON only when its
    case lies in the caller's scope (its center's subtree, or its unit's
    token); events that do not
    name their case's center (case.accepted, ...) have it looked up once
    with case.show and remembered.  A comment
    line goes out every 5 s of silence, so proxies keep the connection;
    that also bounds how long an open stream delays the gateway's stop. */
#include "gateway.h"

#include <ctype.h>
#include <errno.h>

#define S_JOURNAL       "dispatch"
#define S_BLOCK_MS      5000
#define S_BATCH         64
#define S_CACHE_MAX     10000

typedef struct {
    gateway_t *gw;
    gw_caller_t caller;
    cg_redis_t *redis;
    cg_client_t *dispatch;
    zhashx_t *centers;          /* case id -> "center unit", as learned */
    int64_t seq;                /* the last event sent */
    char *pending;              /* formatted, not yet written */
    size_t pending_size, pending_at;
} s_stream_t;

/*  The definition of an event's body, from its topic. */
static const cg_msgdef_t *
s_event_def (const char *topic)
{
    const cg_msgdef_t *def = cg_msgdef_find (topic);
    if (def && strcmp (def->kind, "event") == 0)
        return def;
    if (strcmp (topic, "case.warning") == 0 || strcmp (topic, "case.overdue") == 0)
        return &cg_case_alert_def;
    if (strncmp (topic, "case.", 5) == 0)
        return &cg_case_changed_def;
    return NULL;
}

static bool
s_in_scope (s_stream_t *self, const char *code)
{
    const cg_org_node_t *node = code ? cg_orgtree_find (self->gw->org, code) : NULL;
    return node && cg_orgtree_within (node, self->caller.scope);
}

/*  Whether the case of an event lies in the caller's scope: its center
    or its unit, from the event when it names them, else as remembered or
    looked up (cached as "center unit"). */
static bool
s_case_in_scope (s_stream_t *self, json_t *data)
{
    const char *id = json_string_value (json_object_get (data, "id"));
    const char *center = json_string_value (json_object_get (data, "center"));
    const char *unit = json_string_value (json_object_get (data, "unit"));
    if (!center)
        center = json_string_value (json_object_get (data, "to_center"));
    if (!id || center) {
        if (id && center) {
            if (zhashx_size (self->centers) > S_CACHE_MAX)
                zhashx_purge (self->centers);
            zhashx_update (self->centers, id, zsys_sprintf ("%s %s", center, unit ? unit : "-"));
        }
        return s_in_scope (self, center) || s_in_scope (self, unit);
    }
    char *places = zhashx_lookup (self->centers, id);
    if (!places) {
        cg_case_get_t get = { .id = (char *) id };
        cg_case_view_t view;
        cg_error_t err;
        if (cg_client_call (self->dispatch, &cg_cmd_case_show, &get, &view, &err))
            return false;
        places = zsys_sprintf ("%s %s", view.center ? view.center : "-",
                               view.unit ? view.unit : "-");
        zhashx_update (self->centers, id, places);
        cg_msg_clear (&cg_case_view_def, &view);
    }
    char known_center[64], known_unit[64];
    if (sscanf (places, "%63s %63s", known_center, known_unit) != 2)
        return false;
    return s_in_scope (self, known_center) || s_in_scope (self, known_unit);
}

static void
s_append (s_stream_t *self, const char *text)
{
    size_t len = strlen (text);
    self->pending = realloc (self->pending, self->pending_size + len + 1);
    assert (self->pending);
    memcpy (self->pending + self->pending_size, text, len + 1);
    self->pending_size += len;
}

/*  One journal entry: formatted into pending when the caller may see it. */
static void
s_entry (s_stream_t *self, redisReply *entry)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
        return;
    self->seq = strtoll (entry->element[0]->str, NULL, 10);
    redisReply *kv = entry->element[1];
    const char *topic = NULL;
    const redisReply *body = NULL;
    for (size_t k = 0; k + 1 < kv->elements; k += 2) {
        if (strcmp (kv->element[k]->str, "t") == 0)
            topic = kv->element[k + 1]->str;
        if (strcmp (kv->element[k]->str, "b") == 0)
            body = kv->element[k + 1];
    }
    const cg_msgdef_t *def = topic ? s_event_def (topic) : NULL;
    if (!def || !body)
        return;
    void *msg = calloc (1, def->size);
    cg_error_t err;
    if (cg_msg_decode (def, body->str, body->len, msg, &err)) {
        free (msg);
        return;
    }
    json_t *data = cg_json_from_msg (def, msg);
    cg_msg_clear (def, msg);
    free (msg);
    if (s_case_in_scope (self, data)) {
        json_object_set_new (data, "topic", json_string (topic));
        char *text = json_dumps (data, JSON_COMPACT);
        char head[160];
        snprintf (head, sizeof head, "id: %s:%lld\nevent: %s\ndata: ", S_JOURNAL,
                  (long long) self->seq, topic);
        s_append (self, head);
        s_append (self, text ? text : "{}");
        s_append (self, "\n\n");
        free (text);
    }
    json_decref (data);
}

/*  When the first entry read is not the next one, the ones between were
    trimmed before this stream read them: it says which. */
static void
s_trimmed (s_stream_t *self, redisReply *entry)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
        return;
    int64_t first = strtoll (entry->element[0]->str, NULL, 10);
    if (first <= self->seq + 1)
        return;
    char text[200];
    snprintf (text, sizeof text, "id: %s:%lld\nevent: journal.trimmed\ndata: {\"journal\":"
              "\"%s\",\"from\":%lld,\"to\":%lld}\n\n", S_JOURNAL, (long long) first - 1,
              S_JOURNAL, (long long) self->seq + 1, (long long) first - 1);
    s_append (self, text);
    self->seq = first - 1;
}

static ssize_t
s_read (void *cls, uint64_t pos, char *buf, size_t max)
{
    (void) pos;
    s_stream_t *self = cls;
    while (self->pending_at == self->pending_size) {
        self->pending_at = self->pending_size = 0;
        if (zsys_interrupted)
            return MHD_CONTENT_READER_END_OF_STREAM;
        char key[128], from[32];
        cg_journal_key (key, sizeof key, S_JOURNAL);
        snprintf (from, sizeof from, "%lld-0", (long long) self->seq);
        redisReply *r = cg_redis_command (self->redis, "XREAD COUNT %d BLOCK %d STREAMS %s %s",
                                          S_BATCH, S_BLOCK_MS, key, from);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            if (r)
                freeReplyObject (r);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 1
        &&  r->element[0]->elements == 2) {
            redisReply *entries = r->element[0]->element[1];
            if (entries->elements)
                s_trimmed (self, entries->element[0]);
            for (size_t i = 0; i < entries->elements; i++)
                s_entry (self, entries->element[i]);
        }
        else
            s_append (self, ": still here\n\n");
        freeReplyObject (r);
    }
    size_t n = self->pending_size - self->pending_at;
    if (n > max)
        n = max;
    memcpy (buf, self->pending + self->pending_at, n);
    self->pending_at += n;
    return (ssize_t) n;
}

static void
s_string_free (void **item)
{
    free (*item);
    *item = NULL;
}

static void
s_free (void *cls)
{
    s_stream_t *self = cls;
    pthread_mutex_lock (&self->gw->lock);
    self->gw->streams--;
    pthread_mutex_unlock (&self->gw->lock);
    cg_redis_destroy (&self->redis);
    cg_client_destroy (&self->dispatch);
    zhashx_destroy (&self->centers);
    free (self->pending);
    free (self);
}

int
gw_last_event_id (const char *text, int64_t *seq)
{
    size_t n = strlen (S_JOURNAL);
    char *end;
    if (strncmp (text, S_JOURNAL ":", n + 1) != 0 || !isdigit ((unsigned char) text[n + 1]))
        return -1;
    errno = 0;
    long long value = strtoll (text + n + 1, &end, 10);
    /*  the stream counts on from it: seq + 1 must be a number too */
    if (errno || *end || value == INT64_MAX)
        return -1;
    *seq = value;
    return 0;
}

/*  Where to start: after the event the client names, else at the head. */
static int
s_start (gw_request_t *req, int64_t *seq)
{
    const char *last = gw_header (req, "Last-Event-ID");
    if (!last)
        last = gw_query (req, "last_event_id");
    if (last && *last) {
        if (gw_last_event_id (last, seq)) {
            gw_reply_error (req, 400, "invalid", "Last-Event-ID", "Last-Event-ID must be an "
                            "event id this stream sent, like %s:42", S_JOURNAL);
            return -1;
        }
        return 0;
    }
    *seq = cg_journal_head (req->link->redis, S_JOURNAL);
    return *seq < 0 ? -1 : 0;
}

void
gw_stream_handle (gw_request_t *req)
{
    if (strcmp (req->method, "GET") != 0) {
        gw_reply_error (req, 405, "method_not_allowed", "method", "the stream is read with GET");
        return;
    }
    if (gw_auth_stream (req, CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN | CG_ROLE_GRID))
        return;
    int64_t seq;
    if (s_start (req, &seq)) {
        if (!req->response)
            gw_reply_error (req, 503, "unavailable", "", "the journal cannot be read now");
        return;
    }
    gateway_t *gw = req->gw;
    pthread_mutex_lock (&gw->lock);
    bool room = gw->streams < gw->stream_max;
    if (room)
        gw->streams++;
    pthread_mutex_unlock (&gw->lock);
    if (!room) {
        gw_reply_error (req, 503, "unavailable", "", "too many open streams; try again later");
        return;
    }
    s_stream_t *self = calloc (1, sizeof *self);
    assert (self);
    self->gw = gw;
    self->caller = req->caller;
    self->seq = seq;
    self->redis = cg_redis_new (cg_daemon_get (gw->daemon, "redis/host", "127.0.0.1"),
                                (int) cg_daemon_int (gw->daemon, "redis/port"), 2000);
    self->dispatch = cg_client_new (cg_daemon_get (gw->daemon, "dispatch/endpoint", ""),
                                    3000, 1);
    self->centers = zhashx_new ();
    zhashx_set_destructor (self->centers, s_string_free);
    if (!self->redis) {
        s_free (self);
        gw_reply_error (req, 503, "unavailable", "", "the journal cannot be read now");
        return;
    }
    req->response = MHD_create_response_from_callback (MHD_SIZE_UNKNOWN, 4096, s_read, self,
                                                       s_free);
    MHD_add_response_header (req->response, "Content-Type", "text/event-stream; charset=utf-8");
    MHD_add_response_header (req->response, "Cache-Control", "no-store");
    req->status = 200;
}
