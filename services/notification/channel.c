/*  channel — see channel.h. */
#include "channel.h"
#include "cg_sign.h"
#include "cg_text.h"

#include <curl/curl.h>
#include <sodium.h>

struct _channel_t {
    CURLM *multi;
    char *smtp_url;         /* smtp://host:port */
    char *mail_from;
    char *hotline_secret;
    long connect_ms, timeout_ms;
};

/*  One transfer in flight. */
typedef struct {
    CURL *easy;
    struct curl_slist *headers, *rcpt;
    char *body;
    size_t size, sent;
    char answer[200];
    size_t answer_len;
} s_transfer_t;

bool
channel_known (const char *channel)
{
    return streq (channel, "webhook") || streq (channel, "sms") || streq (channel, "hotline")
           || streq (channel, "email");
}

channel_t *
channel_new (zconfig_t *settings)
{
    curl_global_init (CURL_GLOBAL_DEFAULT);
    channel_t *self = cg_alloc (sizeof *self);
    self->multi = curl_multi_init ();
    self->smtp_url = cg_strdup (zconfig_get (settings, "smtp_url", "smtp://127.0.0.1:25"));
    self->mail_from = cg_strdup (zconfig_get (settings, "mail_from", "notify@civgrid.local"));
    self->hotline_secret = cg_strdup (zconfig_get (settings, "hotline_secret", ""));
    self->connect_ms = atol (zconfig_get (settings, "connect_timeout_ms", "2000"));
    self->timeout_ms = atol (zconfig_get (settings, "timeout_ms", "5000"));
    return self;
}

void
channel_destroy (channel_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    channel_t *self = *self_p;
    curl_multi_cleanup (self->multi);
    free (self->smtp_url);
    free (self->mail_from);
    free (self->hotline_secret);
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
        cg_sign (self->hotline_secret, ts, t->body, t->size, hex);
        snprintf (header, sizeof header, CG_SIGN_HEADER_TIME ": %lld", (long long) ts);
        t->headers = curl_slist_append (t->headers, header);
        snprintf (header, sizeof header, CG_SIGN_HEADER_SIGNATURE ": %s", hex);
        t->headers = curl_slist_append (t->headers, header);
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
    size_t len = strlen (text), cap = sodium_base64_encoded_len (len,
                                                                 sodium_base64_VARIANT_ORIGINAL);
    char *b64 = cg_alloc (cap);
    sodium_bin2base64 (b64, cap, (const unsigned char *) text, len,
                       sodium_base64_VARIANT_ORIGINAL);
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
channel_send (channel_t *self, channel_job_t *jobs, size_t n)
{
    s_transfer_t *transfers = cg_alloc ((n ? n : 1) * sizeof *transfers);
    for (size_t i = 0; i < n; i++) {
        s_transfer_t *t = &transfers[i];
        t->easy = curl_easy_init ();
        if (streq (jobs[i].channel, "email"))
            s_prepare_email (self, &jobs[i], t);
        else
            s_prepare_http (self, &jobs[i], t);
        curl_easy_setopt (t->easy, CURLOPT_HTTPHEADER, t->headers);
        curl_easy_setopt (t->easy, CURLOPT_CONNECTTIMEOUT_MS, self->connect_ms);
        curl_easy_setopt (t->easy, CURLOPT_TIMEOUT_MS, self->timeout_ms);
        curl_easy_setopt (t->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt (t->easy, CURLOPT_WRITEFUNCTION, s_keep_answer);
        curl_easy_setopt (t->easy, CURLOPT_WRITEDATA, t);
        curl_easy_setopt (t->easy, CURLOPT_PRIVATE, &jobs[i]);
        curl_multi_add_handle (self->multi, t->easy);
    }
    int running = 1;
    while (running) {
        curl_multi_perform (self->multi, &running);
        if (running)
            curl_multi_poll (self->multi, NULL, 0, 100, NULL);
    }
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read (self->multi, &left))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        channel_job_t *job;
        curl_easy_getinfo (m->easy_handle, CURLINFO_PRIVATE, (char **) &job);
        long code = 0;
        curl_easy_getinfo (m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
        s_transfer_t *t = &transfers[job - jobs];
        if (m->data.result != CURLE_OK)
            snprintf (job->detail, sizeof job->detail, "%s", curl_easy_strerror (m->data.result));
        else
        if (streq (job->channel, "email")) {
            job->ok = code == 250;
            snprintf (job->detail, sizeof job->detail, "smtp %ld", code);
        }
        else {
            job->ok = code >= 200 && code < 300;
            snprintf (job->detail, sizeof job->detail, "http %ld %.180s", code, t->answer);
        }
    }
    for (size_t i = 0; i < n; i++) {
        curl_multi_remove_handle (self->multi, transfers[i].easy);
        curl_easy_cleanup (transfers[i].easy);
        curl_slist_free_all (transfers[i].headers);
        curl_slist_free_all (transfers[i].rcpt);
        free (transfers[i].body);
    }
    free (transfers);
}
