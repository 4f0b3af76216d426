/*  channel — see channel.h. */
#include "channel.h"
#include "cg_base64.h"
#include "cg_sign.h"
#include "cg_text.h"

#include <curl/curl.h>
#include <sodium.h>

typedef struct _s_transfer_t s_transfer_t;
typedef struct _s_watch_t s_watch_t;

struct _channel_t {
    CURLM *multi;
    zloop_t *loop;
    channel_done_fn *done;
    void *done_arg;
    int timer;              /* curl's wake-up, a one-shot zloop timer, or -1 */
    s_transfer_t *transfers;
    s_watch_t *watches;
    char *smtp_url;         /* smtp://host:port */
    char *mail_from;
    char *hotline_secret;       /* notify.cfg's, until the store has one */
    char secrets[2][CG_SIGN_SECRET_MAX];    /* the callbacks' now: current, previous */
    int nsecrets;
    long connect_ms, timeout_ms;
};

/*  One transfer in flight, on the channel's list of them. */
struct _s_transfer_t {
    s_transfer_t *prev, *next;
    CURL *easy;
    channel_job_t *job;
    struct curl_slist *headers, *rcpt;
    char *body;
    size_t size, sent;
    char answer[200];
    size_t answer_len;
};

/*  A socket curl asked us to watch, and for what, on the channel's list of
    them. */
struct _s_watch_t {
    s_watch_t *prev, *next;
    zmq_pollitem_t item;
};

bool
channel_known (const char *channel)
{
    return streq (channel, "webhook") || streq (channel, "sms") || streq (channel, "hotline")
           || streq (channel, "email");
}

/*  Takes a transfer off the list and frees it. */
static void
s_transfer_end (channel_t *self, s_transfer_t *t)
{
    if (t->prev)
        t->prev->next = t->next;
    else
        self->transfers = t->next;
    if (t->next)
        t->next->prev = t->prev;
    curl_multi_remove_handle (self->multi, t->easy);
    curl_easy_cleanup (t->easy);
    curl_slist_free_all (t->headers);
    curl_slist_free_all (t->rcpt);
    free (t->body);
    free (t);
}

static void s_finish (channel_t *self);

/*  A watched socket is ready: tell curl, then collect what finished. */
static int
s_on_ready (zloop_t *loop, zmq_pollitem_t *item, void *arg)
{
    (void) loop;
    channel_t *self = arg;
    int flags = (item->revents & ZMQ_POLLIN ? CURL_CSELECT_IN : 0)
              | (item->revents & ZMQ_POLLOUT ? CURL_CSELECT_OUT : 0)
              | (item->revents & ZMQ_POLLERR ? CURL_CSELECT_ERR : 0), running;
    curl_multi_socket_action (self->multi, item->fd, flags, &running);
    s_finish (self);
    return 0;
}

static int
s_on_timeout (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    channel_t *self = arg;
    self->timer = -1;           /* a one-shot timer is gone once it fires */
    int running;
    curl_multi_socket_action (self->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    s_finish (self);
    return 0;
}

static void
s_unwatch (channel_t *self, s_watch_t *watch)
{
    if (watch->prev)
        watch->prev->next = watch->next;
    else
        self->watches = watch->next;
    if (watch->next)
        watch->next->prev = watch->prev;
    free (watch);
}

/*  CURLMOPT_SOCKETFUNCTION: watch fd for what curl waits for on it. */
static int
s_on_socket (CURL *easy, curl_socket_t fd, int what, void *arg, void *socketp)
{
    (void) easy;
    channel_t *self = arg;
    s_watch_t *watch = socketp;
    if (watch)
        zloop_poller_end (self->loop, &watch->item);
    if (what == CURL_POLL_REMOVE) {
        if (watch)
            s_unwatch (self, watch);
        curl_multi_assign (self->multi, fd, NULL);
        return 0;
    }
    if (!watch) {
        watch = cg_alloc (sizeof *watch);
        watch->next = self->watches;
        if (watch->next)
            watch->next->prev = watch;
        self->watches = watch;
        curl_multi_assign (self->multi, fd, watch);
    }
    watch->item = (zmq_pollitem_t) {
        .fd = fd, .events = (what & CURL_POLL_IN ? ZMQ_POLLIN : 0)
                          | (what & CURL_POLL_OUT ? ZMQ_POLLOUT : 0) };
    if (zloop_poller (self->loop, &watch->item, s_on_ready, self) == 0)
        /*  an error on the socket is curl's to report, not zloop's to drop */
        zloop_poller_set_tolerant (self->loop, &watch->item);
    return 0;
}

/*  CURLMOPT_TIMERFUNCTION: wake curl after ms (-1: never). */
static int
s_on_timer (CURLM *multi, long ms, void *arg)
{
    (void) multi;
    channel_t *self = arg;
    if (self->timer >= 0)
        zloop_timer_end (self->loop, self->timer);
    self->timer = ms < 0 ? -1 : zloop_timer (self->loop, ms > 0 ? (size_t) ms : 1, 1,
                                             s_on_timeout, self);
    return 0;
}

channel_t *
channel_new (zconfig_t *settings, int64_t connect_ms, int64_t timeout_ms, zloop_t *loop,
             channel_done_fn *done, void *arg)
{
    curl_global_init (CURL_GLOBAL_DEFAULT);
    channel_t *self = cg_alloc (sizeof *self);
    self->loop = loop;
    self->done = done;
    self->done_arg = arg;
    self->timer = -1;
    self->multi = curl_multi_init ();
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETFUNCTION, s_on_socket);
    curl_multi_setopt (self->multi, CURLMOPT_SOCKETDATA, self);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERFUNCTION, s_on_timer);
    curl_multi_setopt (self->multi, CURLMOPT_TIMERDATA, self);
    self->smtp_url = cg_strdup (zconfig_get (settings, "smtp_url", "smtp://127.0.0.1:25"));
    self->mail_from = cg_strdup (zconfig_get (settings, "mail_from", "notify@civgrid.local"));
    self->hotline_secret = cg_strdup (zconfig_get (settings, "hotline_secret", ""));
    snprintf (self->secrets[0], CG_SIGN_SECRET_MAX, "%s", self->hotline_secret);
    self->nsecrets = 1;
    self->connect_ms = (long) connect_ms;
    self->timeout_ms = (long) timeout_ms;
    return self;
}

void
channel_destroy (channel_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    channel_t *self = *self_p;
    while (self->transfers)
        s_transfer_end (self, self->transfers);
    curl_multi_cleanup (self->multi);
    while (self->watches) {
        zloop_poller_end (self->loop, &self->watches->item);
        s_unwatch (self, self->watches);
    }
    if (self->timer >= 0)
        zloop_timer_end (self->loop, self->timer);
    free (self->smtp_url);
    free (self->mail_from);
    sodium_memzero (self->hotline_secret, strlen (self->hotline_secret));
    free (self->hotline_secret);
    sodium_memzero (self->secrets, sizeof self->secrets);
    free (self);
    *self_p = NULL;
    curl_global_cleanup ();
}

static size_t
s_keep_answer (char *data, size_t size, size_t n, void *arg)
{
    s_transfer_t *t = arg;
    size_t len = size * n, room = sizeof t->answer - 1 - t->answer_len;
    memcpy (t->answer + t->answer_len, data, len < room ? len : room);
    t->answer_len += len < room ? len : room;
    t->answer[t->answer_len] = 0;
    return len;
}

static size_t
s_read_body (char *buf, size_t size, size_t n, void *arg)
{
    s_transfer_t *t = arg;
    size_t left = t->size - t->sent, len = size * n < left ? size * n : left;
    memcpy (buf, t->body + t->sent, len);
    t->sent += len;
    return len;
}

/*  A message as JSON, into a fresh string. */
static char *
s_json (const cg_msgdef_t *def, const void *msg, size_t *size)
{
    char *text = NULL;
    FILE *f = open_memstream (&text, size);
    assert (f);
    cg_msg_json (def, msg, f);
    fclose (f);
    return text;
}

static void
s_prepare_http (channel_t *self, channel_job_t *job, s_transfer_t *t)
{
    const cg_notify_delivery_t *d = job->delivery;
    if (streq (job->channel, "hotline")) {
        cg_hotline_status_t status = {
            .delivery = d->id, .order = d->order, .case_id = d->case_id, .status = d->status,
            .result = d->result ? d->result : (char *) job->text, .at = job->now };
        t->body = s_json (&cg_hotline_status_def, &status, &t->size);
        int64_t ts = job->now / 1000;
        char hex[CG_SIGN_HEX], header[128];
        snprintf (header, sizeof header, CG_SIGN_HEADER_TIME ": %lld", (long long) ts);
        t->headers = curl_slist_append (t->headers, header);
        const char *names[2] = { CG_SIGN_HEADER_SIGNATURE, CG_SIGN_HEADER_PREVIOUS };
        for (int i = 0; i < self->nsecrets; i++) {
            cg_sign (self->secrets[i], ts, t->body, t->size, hex);
            snprintf (header, sizeof header, "%s: %s", names[i], hex);
            t->headers = curl_slist_append (t->headers, header);
        }
    }
    else {
        cg_notify_message_t message = {
            .delivery = d->id, .recipient = d->recipient, .to = (char *) job->to,
            .case_id = d->case_id, .topic = d->topic, .subject = d->subject,
            .text = (char *) job->text, .urgent = d->urgent, .at = job->now };
        t->body = s_json (&cg_notify_message_def, &message, &t->size);
    }
    char header[200];
    snprintf (header, sizeof header, CG_DELIVERY_HEADER ": %s", d->id);
    t->headers = curl_slist_append (t->headers, header);
    t->headers = curl_slist_append (t->headers, "Content-Type: application/json");
    t->headers = curl_slist_append (t->headers, "Expect:");
    curl_easy_setopt (t->easy, CURLOPT_URL, job->address);
    curl_easy_setopt (t->easy, CURLOPT_POST, 1L);
    curl_easy_setopt (t->easy, CURLOPT_POSTFIELDS, t->body);
    curl_easy_setopt (t->easy, CURLOPT_POSTFIELDSIZE, (long) t->size);
    curl_easy_setopt (t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
}

/*  RFC 2047: a UTF-8 header word as =?UTF-8?B?...?= */
static char *
s_encoded_word (const char *text)
{
    char *b64 = cg_base64_encode (text, strlen (text), CG_BASE64_STD);
    char *word = cg_strfmt ("=?UTF-8?B?%s?=", b64);
    free (b64);
    return word;
}

static void
s_prepare_email (channel_t *self, channel_job_t *job, s_transfer_t *t)
{
    const cg_notify_delivery_t *d = job->delivery;
    char *subject = s_encoded_word (d->subject && *d->subject ? d->subject : d->topic);
    char date[64];
    time_t secs = (time_t) (job->now / 1000);
    struct tm tm;
    gmtime_r (&secs, &tm);
    strftime (date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    t->body = cg_strfmt ("Date: %s\r\nFrom: <%s>\r\nTo: <%s>\r\nSubject: %s\r\n"
                         "Message-ID: <%s@civgrid>\r\n" CG_DELIVERY_HEADER ": %s\r\n"
                         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                         "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
                         date, self->mail_from, job->address, subject, d->id, d->id, job->text);
    free (subject);
    t->size = strlen (t->body);
    char from[300];
    snprintf (from, sizeof from, "<%s>", self->mail_from);
    char rcpt[300];
    snprintf (rcpt, sizeof rcpt, "<%s>", job->address);
    t->rcpt = curl_slist_append (NULL, rcpt);
    curl_easy_setopt (t->easy, CURLOPT_URL, self->smtp_url);
    curl_easy_setopt (t->easy, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt (t->easy, CURLOPT_MAIL_RCPT, t->rcpt);
    curl_easy_setopt (t->easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt (t->easy, CURLOPT_READFUNCTION, s_read_body);
    curl_easy_setopt (t->easy, CURLOPT_READDATA, t);
    curl_easy_setopt (t->easy, CURLOPT_INFILESIZE, (long) t->size);
    curl_easy_setopt (t->easy, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
}

void
channel_start (channel_t *self, channel_job_t *job)
{
    s_transfer_t *t = cg_alloc (sizeof *t);
    t->job = job;
    t->easy = curl_easy_init ();
    if (streq (job->channel, "email"))
        s_prepare_email (self, job, t);
    else
        s_prepare_http (self, job, t);
    curl_easy_setopt (t->easy, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt (t->easy, CURLOPT_CONNECTTIMEOUT_MS, self->connect_ms);
    curl_easy_setopt (t->easy, CURLOPT_TIMEOUT_MS, self->timeout_ms);
    curl_easy_setopt (t->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt (t->easy, CURLOPT_WRITEFUNCTION, s_keep_answer);
    curl_easy_setopt (t->easy, CURLOPT_WRITEDATA, t);
    curl_easy_setopt (t->easy, CURLOPT_PRIVATE, t);
    t->next = self->transfers;
    if (t->next)
        t->next->prev = t;
    self->transfers = t;
    curl_multi_add_handle (self->multi, t->easy);
}

/*  Every transfer curl says is done: its outcome into its job, and the
    jobs to the caller in one call. */
static void
s_finish (channel_t *self)
{
    channel_job_t *finished[64];
    size_t n = 0;
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read (self->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        s_transfer_t *t;
        curl_easy_getinfo (m->easy_handle, CURLINFO_PRIVATE, (char **) &t);
        channel_job_t *job = t->job;
        long code = 0;
        curl_easy_getinfo (m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
        if (m->data.result != CURLE_OK)
            snprintf (job->detail, sizeof job->detail, "%s", curl_easy_strerror (m->data.result));
        else
        if (streq (job->channel, "email")) {
            job->ok = code == 250;
            snprintf (job->detail, sizeof job->detail, "smtp %ld", code);
        }
        else {
            job->ok = code >= 200 && code < 300;
            snprintf (job->detail, sizeof job->detail, "http %ld %.*s", code,
                      (int) cg_utf8_prefix (t->answer, 180), t->answer);
        }
        s_transfer_end (self, t);
        finished[n++] = job;
        if (n == sizeof finished / sizeof finished[0]) {
            self->done (finished, n, self->done_arg);
            n = 0;
        }
    }
    if (n)
        self->done (finished, n, self->done_arg);
}

void
channel_use_secrets (channel_t *self, cg_redis_t *redis, int64_t now)
{
    char secrets[2][CG_SIGN_SECRET_MAX];
    int n = cg_sign_secrets (redis, CG_SIGN_CALLBACK, "hotline", self->hotline_secret, now,
                             secrets);
    if (n > 0) {               /* else: what it had (the store cannot be read now) */
        memcpy (self->secrets, secrets, sizeof secrets);
        self->nsecrets = n;
    }
    sodium_memzero (secrets, sizeof secrets);
}
