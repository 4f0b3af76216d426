/*  stream — GET /api/v1/stream: live events as Server-Sent Events.

    The stream reads two journals itself, dispatch's (the cases) and
    notification's (an urgent notice that failed on every channel, and the
    acknowledgement or retry that ends that alarm), with one XREAD BLOCK
    over both on its own Redis connection, rather than the bus: the
    journals are the truth and number every event, so the event id
    `dispatch:<seq>,notification:<seq>` (where the stream stands in each)
    lets a browser that reconnects say where it was (Last-Event-ID, or
    last_event_id in the query) and get exactly what it missed.  The older
    id `dispatch:<seq>` is still taken (a console of an earlier release
    resuming): the notification journal then starts at its head, as it
    does for a stream without an id.  What it missed may have been trimmed
    meanwhile (each journal keeps its retention, cg_retention.h): then an
    event journal.trimmed names the journal and the seqs it will never
    get.  Each event is decoded with its message definition (cg_events.h)
    and sent as JSON only when its case lies in the caller's scope (its
    center's subtree, or its unit's token; a failed notice also when the
    org it was for does); events that do not name their case's center
    (case.accepted, ...) have it looked up once with case.show and
    remembered.  A comment line goes out every 5 s of silence, so proxies
    keep the connection; that also bounds how long an open stream delays
    the gateway's stop.  (Two journals in one XREAD: one Redis, or one
    Cluster slot for both, as the rest of the gateway's reads assume.) */
#include "gateway.h"
#include "cg_events.h"

#include <ctype.h>
#include <errno.h>

#define S_BLOCK_MS      5000
#define S_BATCH         64
#define S_CACHE_MAX     10000

const char *const gw_stream_journals[GW_STREAM_JOURNALS] = { "dispatch", "notification" };

typedef struct {
    gateway_t *gw;
    gw_caller_t caller;
    cg_redis_t *redis;
    cg_client_t *dispatch;
    zhashx_t *centers;          /* case id -> "center unit", as learned */
    int64_t seq[GW_STREAM_JOURNALS];    /* of each journal, the last entry read */
    char *pending;              /* formatted, not yet written */
    size_t pending_size, pending_at;
} s_stream_t;

/*  The definition of an event's body, from its journal and topic. */
static const cg_msgdef_t *
s_event_def (const char *journal, const char *topic)
{
    const cg_event_kind_t *kind = cg_event_kind_find (journal, topic);
    if (kind)
        return kind->def;
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

/*  The id of what is sent now: where the stream stands in each journal. */
static void
s_append_id (s_stream_t *self)
{
    char id[160];
    size_t at = (size_t) snprintf (id, sizeof id, "id: ");
    for (int j = 0; j < GW_STREAM_JOURNALS; j++)
        at += (size_t) snprintf (id + at, sizeof id - at, "%s%s:%lld", j ? "," : "",
                                 gw_stream_journals[j], (long long) self->seq[j]);
    snprintf (id + at, sizeof id - at, "\n");
    s_append (self, id);
}

/*  One entry of journal j: formatted into pending when the caller may see it. */
static void
s_entry (s_stream_t *self, int j, redisReply *entry)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
        return;
    self->seq[j] = strtoll (entry->element[0]->str, NULL, 10);
    redisReply *kv = entry->element[1];
    const char *topic = NULL;
    const redisReply *body = NULL;
    for (size_t k = 0; k + 1 < kv->elements; k += 2) {
        if (strcmp (kv->element[k]->str, "t") == 0)
            topic = kv->element[k + 1]->str;
        if (strcmp (kv->element[k]->str, "b") == 0)
            body = kv->element[k + 1];
    }
    const cg_msgdef_t *def = topic ? s_event_def (gw_stream_journals[j], topic) : NULL;
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
        snprintf (head, sizeof head, "event: %s\ndata: ", topic);
        s_append_id (self);
        s_append (self, head);
        s_append (self, text ? text : "{}");
        s_append (self, "\n\n");
        free (text);
    }
    json_decref (data);
}

/*  When the first entry read of journal j is not the next one, the ones
    between were trimmed before this stream read them: it says which. */
static void
s_trimmed (s_stream_t *self, int j, redisReply *entry)
{
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2)
        return;
    int64_t first = strtoll (entry->element[0]->str, NULL, 10);
    if (first <= self->seq[j] + 1)
        return;
    int64_t from = self->seq[j] + 1;
    self->seq[j] = first - 1;
    char text[200];
    snprintf (text, sizeof text, "event: journal.trimmed\ndata: {\"journal\":"
              "\"%s\",\"from\":%lld,\"to\":%lld}\n\n", gw_stream_journals[j], (long long) from,
              (long long) first - 1);
    s_append_id (self);
    s_append (self, text);
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
        char keys[GW_STREAM_JOURNALS][128], from[GW_STREAM_JOURNALS][32];
        for (int j = 0; j < GW_STREAM_JOURNALS; j++) {
            cg_journal_key (keys[j], sizeof keys[j], gw_stream_journals[j]);
            snprintf (from[j], sizeof from[j], "%lld-0", (long long) self->seq[j]);
        }
        redisReply *r = cg_redis_command (self->redis, "XREAD COUNT %d BLOCK %d STREAMS %s %s "
                                          "%s %s", S_BATCH, S_BLOCK_MS, keys[0], keys[1],
                                          from[0], from[1]);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            if (r)
                freeReplyObject (r);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        bool read = false;
        for (size_t i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
            redisReply *one = r->element[i];
            if (one->type != REDIS_REPLY_ARRAY || one->elements != 2
                || one->element[0]->type != REDIS_REPLY_STRING)
                continue;
            for (int j = 0; j < GW_STREAM_JOURNALS; j++) {
                if (strcmp (one->element[0]->str, keys[j]) != 0)
                    continue;
                redisReply *entries = one->element[1];
                if (entries->elements)
                    s_trimmed (self, j, entries->element[0]);
                for (size_t k = 0; k < entries->elements; k++)
                    s_entry (self, j, entries->element[k]);
                read = true;
            }
        }
        if (!read)
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
gw_last_event_id (const char *text, int64_t seqs[GW_STREAM_JOURNALS])
{
    for (int j = 0; j < GW_STREAM_JOURNALS; j++)
        seqs[j] = -1;
    const char *at = text;
    do {
        int j = 0;
        size_t n = 0;
        while (j < GW_STREAM_JOURNALS
               && !(strncmp (at, gw_stream_journals[j], n = strlen (gw_stream_journals[j])) == 0
                    && at[n] == ':'))
            j++;
        if (j == GW_STREAM_JOURNALS || seqs[j] >= 0 || !isdigit ((unsigned char) at[n + 1]))
            return -1;
        char *end;
        errno = 0;
        long long value = strtoll (at + n + 1, &end, 10);
        /*  the stream counts on from it: seq + 1 must be a number too */
        if (errno || (*end && *end != ',') || value == INT64_MAX)
            return -1;
        seqs[j] = value;
        at = *end ? end + 1 : end;
        if (*end && !*at)
            return -1;
    } while (*at);
    return 0;
}

/*  Where to start in each journal: after the events the client names,
    else (a journal it does not name, or no id) at the journal's head. */
static int
s_start (gw_request_t *req, int64_t seqs[GW_STREAM_JOURNALS])
{
    const char *last = gw_header (req, "Last-Event-ID");
    if (!last)
        last = gw_query (req, "last_event_id");
    if (last && *last && gw_last_event_id (last, seqs)) {
        gw_reply_error (req, 400, "invalid", "Last-Event-ID", "Last-Event-ID must be an "
                        "event id this stream sent, like %s:42,%s:7", gw_stream_journals[0],
                        gw_stream_journals[1]);
        return -1;
    }
    for (int j = 0; j < GW_STREAM_JOURNALS; j++)
        if (!(last && *last) || seqs[j] < 0) {
            seqs[j] = cg_journal_head (req->link->redis, gw_stream_journals[j]);
            if (seqs[j] < 0)
                return -1;
        }
    return 0;
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
    int64_t seq[GW_STREAM_JOURNALS];
    if (s_start (req, seq)) {
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
    memcpy (self->seq, seq, sizeof self->seq);
    self->redis = cg_redis_configured (gw->daemon->config, 2000);
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
