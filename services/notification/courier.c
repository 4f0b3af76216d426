/*  courier — the outbox worker (notifier.h).

    Every tick it claims the deliveries that are due (notify_claim leases
    them, so a kill -9 while sending means the same delivery id is sent
    again after the lease, never lost), and for each decides:
    - held back: a non-urgent notice to someone who wants digests waits for
      the next digest time (digest/at), and then goes out with the others
      due to that person on that route as one message; one that falls in
      the recipient's quiet hours waits for their end; one over the token
      bucket of its recipient and channel, or of the channel, waits for a
      token.  Urgent notices skip digests and quiet hours;
    - sent: all of the batch in parallel (channel.c), then settled in one
      call: sent; or tried again after an exponential backoff with jitter;
      or, after delivery/attempts failures, moved to the recipient's next
      route; or, with no route left, put on the dead-letter list with the
      reason.
    Every attempt, hold and outcome goes into the delivery log.

    The acknowledgement watch: an urgent notice whose rule asks for an
    acknowledgement and that nobody acknowledged in time is sent again to
    the same person, and after that passed up, one org level at a time,
    to the people above (网格员 → 社区 → 街道). */
#include "notifier.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <math.h>
#include <sodium.h>

#define S_TICK_MS       200
#define S_ACK_TICK_MS   500
#define S_MAX_STEP      6

typedef struct {
    char *id;
    cg_notify_delivery_t d;
    bool decoded;
    int route;
    int64_t attempt, held;
    char channel[16], address[400], to[40];
    const person_t *person;
    const char *outcome;
    int64_t due;
    char detail[256];
    int carrier;            /* the item whose message carries this one (digests), or -1 */
    char *text;             /* a digest's joined text */
} s_item_t;

typedef struct {
    double tokens;
    int64_t at;
} s_bucket_t;

/*  Takes a token from the bucket named key; 0, or the ms to wait. */
static int64_t
s_take (notifier_t *self, const char *key, double per_ms, double burst, int64_t now)
{
    s_bucket_t *b = zhash_lookup (self->buckets, key);
    if (!b) {
        b = cg_alloc (sizeof *b);
        b->tokens = burst;
        b->at = now;
        zhash_insert (self->buckets, key, b);
        zhash_freefn (self->buckets, key, free);
    }
    b->tokens = fmin (burst, b->tokens + (double) (now - b->at) * per_ms);
    b->at = now;
    if (b->tokens >= 1 - 1e-9) {      /* a whole token, give or take rounding */
        b->tokens = fmax (0, b->tokens - 1);
        return 0;
    }
    return (int64_t) ceil ((1 - b->tokens) / per_ms);
}

/*  The next digest time after now. */
static int64_t
s_next_digest (notifier_t *self, int64_t now)
{
    int64_t day = 86400000, local = now + CG_TZ_OFFSET_MS, midnight = local - local % day;
    int64_t best = INT64_MAX;
    for (int i = 0; i < self->ndigest; i++) {
        int64_t at = midnight + (int64_t) self->digest_at[i] * 60000;
        if (at <= local)
            at += day;
        if (at < best)
            best = at;
    }
    return best == INT64_MAX ? now : best - CG_TZ_OFFSET_MS;
}

static void
s_hold (s_item_t *item, int64_t until, const char *why)
{
    char when[40];
    cg_time_iso (until, when, sizeof when);
    item->outcome = "hold";
    item->due = until;
    snprintf (item->detail, sizeof item->detail, "%s until %s", why, when);
}

/*  What to do with a claimed item before anything is sent. */
static void
s_decide (notifier_t *self, s_item_t *item, int64_t now)
{
    cg_notify_delivery_t *d = &item->d;
    if (!item->decoded || item->route >= (int) d->routes_count) {
        item->outcome = "dead";
        snprintf (item->detail, sizeof item->detail, "no route left");
        return;
    }
    const char *route = d->routes[item->route];
    item->to[0] = 0;
    sscanf (route, "%15s %399s %39s", item->channel, item->address, item->to);
    if (!*item->to && strncmp (d->recipient, "citizen:", 8) == 0) {
        notifier_citizen_phone (self, d->recipient + 8, item->to, sizeof item->to);
        if (!*item->to) {
            item->outcome = "dead";
            snprintf (item->detail, sizeof item->detail, "the citizen's phone cannot be opened");
            return;
        }
    }
    item->person = strncmp (d->recipient, "person:", 7) == 0
                   ? directory_person (self->directory, d->recipient) : NULL;
    if (!d->urgent && item->person) {
        if (item->person->digest && item->held == 0) {
            int64_t at = s_next_digest (self, now);
            s_hold (item, directory_quiet_until (item->person, at), "digest");
            return;
        }
        int64_t quiet = directory_quiet_until (item->person, now);
        if (quiet > now) {
            s_hold (item, quiet, "quiet hours");
            return;
        }
    }
    if (streq (item->channel, "inbox")) {
        item->outcome = "sent";
        return;
    }
    if (!channel_known (item->channel)) {
        item->outcome = "dead";
        snprintf (item->detail, sizeof item->detail, "no channel \"%s\"", item->channel);
        return;
    }
    char key[200];
    snprintf (key, sizeof key, "%s|%s", d->recipient, item->channel);
    int64_t wait = s_take (self, key, self->per_minute / 60000.0, self->burst, now);
    if (!wait)
        wait = s_take (self, item->channel, self->channel_per_second / 1000.0,
                       self->channel_per_second, now);
    if (wait) {
        s_hold (item, now + wait, "rate limit");
        return;
    }
    item->outcome = "send";
}

/*  Digests: items held for a digest that go to the same person on the
    same route ride in the first one's message. */
static void
s_group_digests (s_item_t *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s_item_t *a = &items[i];
        if (!streq (a->outcome, "send") || a->carrier >= 0 || !a->person || !a->person->digest
            || a->d.urgent)
            continue;
        size_t count = 1;
        for (size_t k = i + 1; k < n; k++) {
            s_item_t *b = &items[k];
            if (streq (b->outcome, "send") && b->carrier < 0 && b->person == a->person
                && !b->d.urgent && streq (b->channel, a->channel)
                && streq (b->address, a->address)) {
                b->carrier = (int) i;
                count++;
            }
        }
        if (count == 1)
            continue;
        size_t cap = 8192, used = 0;
        a->text = cg_alloc (cap);
        used += snprintf (a->text, cap, "%s (%zu)\n1. %s", streq (a->person->lang, "en")
                          ? "Digest" : "汇总", count, a->d.text);
        size_t number = 1;
        for (size_t k = i + 1; k < n && used + 1 < cap; k++)
            if (items[k].carrier == (int) i)
                used += snprintf (a->text + used, cap - used, "\n%zu. %s", ++number,
                                  items[k].d.text);
        used = strlen (a->text);
        while (used && !cg_utf8_valid (a->text, used))
            a->text[--used] = 0;
    }
}

static int64_t
s_backoff (notifier_t *self, int64_t attempt)
{
    double ms = (double) self->backoff_ms * pow (2, (double) (attempt - 1));
    if (ms > (double) self->backoff_max_ms)
        ms = (double) self->backoff_max_ms;
    return (int64_t) (ms * (0.5 + (double) randombytes_uniform (1000) / 1000.0));
}

/*  The outcome of a send. */
static void
s_after_send (notifier_t *self, s_item_t *item, const channel_job_t *job, int64_t now)
{
    snprintf (item->detail, sizeof item->detail, "%s", job->detail);
    if (job->ok)
        item->outcome = "sent";
    else
    if (item->attempt < self->attempts) {
        item->outcome = "retry";
        item->due = now + s_backoff (self, item->attempt);
    }
    else
    if (item->route + 1 < (int) item->d.routes_count) {
        item->outcome = "fallback";
        item->due = now;
    }
    else {
        item->outcome = "dead";
        snprintf (item->detail, sizeof item->detail, "%s: %s, after %lld attempts",
                  item->channel, job->detail, (long long) item->attempt);
    }
}

static void
s_settle (notifier_t *self, s_item_t *items, size_t n, int64_t now)
{
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_int (&args, now);
    cg_args_add_int (&args, (int64_t) n);
    for (size_t i = 0; i < n; i++) {
        s_item_t *item = &items[i];
        cg_args_add_str (&args, item->id);
        cg_args_add_str (&args, item->outcome);
        cg_args_add_int (&args, item->due);
        cg_args_addf (&args, "%s %s", item->channel, item->address);
        notifier_add_attempt (&args, item->id, now, *item->channel ? item->channel : "none",
                              item->attempt, item->outcome, item->detail);
        bool sent = streq (item->outcome, "sent");
        cg_args_add_int (&args, sent && item->d.ack_ms ? now + item->d.ack_ms : 0);
        if (streq (item->outcome, "dead")) {
            cg_notify_dead_t dead = { .id = item->id, .recipient = item->d.recipient,
                                      .topic = item->d.topic, .reason = item->detail, .at = now };
            cg_args_add_msg (&args, &cg_notify_dead_def, &dead);
        }
        else
            cg_args_add_str (&args, "");
        bool inbox = sent && streq (item->channel, "inbox");
        cg_args_add_str (&args, inbox ? item->address : "");
        if (inbox) {
            cg_inbox_item_t entry = { .delivery = item->id, .case_id = item->d.case_id,
                                      .topic = item->d.topic, .text = item->d.text, .at = now };
            cg_args_add_msg (&args, &cg_inbox_item_def, &entry);
        }
        else
            cg_args_add_str (&args, "");
    }
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_settle", 0, &args);
    if (!r || r->type == REDIS_REPLY_ERROR)
        zsys_error ("notification: notify_settle: %s", r ? r->str : "no Redis");
    if (r)
        freeReplyObject (r);
    cg_args_free (&args);
}

/*  One batch: claim, decide, send, settle.  Returns how many were claimed. */
static size_t
s_pump (notifier_t *self)
{
    int64_t now = cg_clock_now ();
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_int (&args, now);
    cg_args_add_int (&args, self->lease_ms);
    cg_args_add_int (&args, self->batch);
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_claim", 0, &args);
    cg_args_free (&args);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
        if (r && r->type == REDIS_REPLY_ERROR)
            zsys_error ("notification: notify_claim: %s", r->str);
        if (r)
            freeReplyObject (r);
        return 0;
    }
    size_t n = r->elements / 5;
    s_item_t *items = cg_alloc (n * sizeof *items);
    channel_job_t *jobs = cg_alloc (n * sizeof *jobs);
    size_t njobs = 0;
    for (size_t i = 0; i < n; i++) {
        s_item_t *item = &items[i];
        redisReply **e = &r->element[i * 5];
        item->id = e[0]->str;
        cg_error_t err;
        item->decoded = cg_msg_decode (&cg_notify_delivery_def, e[1]->str, e[1]->len,
                                       &item->d, &err) == 0;
        item->route = (int) cg_reply_int (e[2], 0);
        item->attempt = cg_reply_int (e[3], 1);
        item->held = cg_reply_int (e[4], 0);
        item->carrier = -1;
        s_decide (self, item, now);
    }
    s_group_digests (items, n);
    for (size_t i = 0; i < n; i++)
        if (streq (items[i].outcome, "send") && items[i].carrier < 0)
            jobs[njobs++] = (channel_job_t) {
                .delivery = &items[i].d, .channel = items[i].channel,
                .address = items[i].address, .to = *items[i].to ? items[i].to : NULL,
                .text = items[i].text ? items[i].text : items[i].d.text, .now = now };
    channel_send (self->channel, jobs, njobs);
    int64_t after = cg_clock_now ();
    for (size_t k = 0, i = 0; i < n; i++)
        if (streq (items[i].outcome, "send") && items[i].carrier < 0)
            s_after_send (self, &items[i], &jobs[k++], after);
    for (size_t i = 0; i < n; i++)
        if (items[i].carrier >= 0) {
            s_item_t *carrier = &items[items[i].carrier];
            items[i].outcome = carrier->outcome;
            items[i].due = carrier->due;
            snprintf (items[i].detail, sizeof items[i].detail, "in digest %s: %s", carrier->id,
                      carrier->detail);
        }
    s_settle (self, items, n, after);
    for (size_t i = 0; i < n; i++) {
        cg_msg_clear (&cg_notify_delivery_def, &items[i].d);
        free (items[i].text);
    }
    free (items);
    free (jobs);
    freeReplyObject (r);
    return n;
}

static int
s_on_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    notifier_t *self = arg;
    for (int round = 0; round < 8; round++)
        if (s_pump (self) < (size_t) self->batch)
            break;
    return 0;
}

/*  prefix + text in len bytes, never cutting a character in half. */
static void
s_prefixed (char *out, size_t len, const char *prefix, const char *text)
{
    snprintf (out, len, "%s%s", prefix, text);
    size_t used = strlen (out);
    while (used && !cg_utf8_valid (out, used))
        out[--used] = 0;
}

/*  The next step of an unacknowledged chain, queued in batch. */
static int
s_next_step (notifier_t *self, const cg_notify_delivery_t *d, cg_args_t *batch, int64_t now)
{
    if (d->step >= S_MAX_STEP)
        return 0;
    cg_notify_delivery_t next = *d;
    next.step = d->step + 1;
    next.created = now;
    next.present = 0;
    char id[160], dedup[200], text[1024];
    if (d->step == 0) {
        snprintf (id, sizeof id, "%s#1", d->chain);
        snprintf (dedup, sizeof dedup, "ack|%s|1", d->chain);
        s_prefixed (text, sizeof text, "（再次提醒，请确认）", d->text);
        next.id = id;
        next.text = text;
        notifier_add (self, batch, &next, dedup, now, now);
        return 1;
    }
    const cg_org_node_t *from = NULL;
    const person_t *person = directory_person (self->directory, d->recipient);
    if (person)
        from = person->org;
    else
    if (strncmp (d->recipient, "unit:", 5) == 0)
        from = cg_orgtree_find (self->org, d->recipient + 5);
    const person_t *up[16];
    size_t found = directory_above (self->directory, from, up, 16);
    for (size_t i = 0; i < found; i++) {
        char *routes[DIRECTORY_ROUTES];
        int nroutes = up[i]->nurgent ? up[i]->nurgent : up[i]->nroutes;
        for (int k = 0; k < nroutes; k++)
            routes[k] = up[i]->nurgent ? up[i]->urgent[k] : up[i]->routes[k];
        snprintf (id, sizeof id, "%s#%lld:%s", d->chain, (long long) next.step, up[i]->id);
        snprintf (dedup, sizeof dedup, "ack|%s|%lld|%s", d->chain, (long long) next.step,
                  up[i]->id);
        char prefix[200];
        snprintf (prefix, sizeof prefix, "（%s 未确认，逐级上报）",
                  d->name ? d->name : d->recipient);
        s_prefixed (text, sizeof text, prefix, d->text);
        next.id = id;
        next.recipient = up[i]->id;
        next.name = up[i]->name;
        next.routes = routes;
        next.routes_count = nroutes;
        next.text = text;
        notifier_add (self, batch, &next, dedup, now, now);
    }
    return (int) found;
}

static int
s_on_ack_tick (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    notifier_t *self = arg;
    int64_t now = cg_clock_now ();
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_int (&args, now);
    cg_args_add_int (&args, 64);
    cg_args_add_int (&args, self->lease_ms);
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_ack_due", 0, &args);
    cg_args_free (&args);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        cg_notify_delivery_t d;
        cg_error_t err;
        if (cg_msg_decode (&cg_notify_delivery_def, r->element[i + 1]->str,
                           r->element[i + 1]->len, &d, &err) == 0) {
            cg_args_t batch;
            cg_args_init (&batch);
            int count = s_next_step (self, &d, &batch, now);
            int rc = count ? notifier_enqueue (self, NULL, 0, 0, now, &batch, count) : 0;
            cg_args_free (&batch);
            cg_msg_clear (&cg_notify_delivery_def, &d);
            if (rc)
                continue;
        }
        redisReply *z = cg_redis_command (self->daemon->redis, "ZREM " NOTIFIER_PREFIX "acks %s",
                                          r->element[i]->str);
        if (z)
            freeReplyObject (z);
    }
    if (r)
        freeReplyObject (r);
    return 0;
}

int
courier_attach (notifier_t *self, zloop_t *loop)
{
    if (zloop_timer (loop, S_TICK_MS, 0, s_on_tick, self) < 0
        || zloop_timer (loop, S_ACK_TICK_MS, 0, s_on_ack_tick, self) < 0)
        return -1;
    return 0;
}
