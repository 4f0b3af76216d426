/*  courier — the outbox worker (notifier.h).

    Every tick, and whenever deliveries were queued, it claims those due (notify_claim leases
    them, so a kill -9 while sending means the same delivery id is sent
    again after the lease, never lost), and for each decides:
    - held back: a non-urgent notice to someone who wants digests waits for
      the next digest time (digest/at), and then goes out with the others
      due to that person on that route as one message; one that falls in
      the recipient's quiet hours waits for their end; one over the token
      bucket of its recipient and channel, or of the channel, waits for a
      token (notify_take: the buckets are in Redis, on the daemon's clock).
      Urgent notices skip digests and quiet hours;
    - sent: started on the channel (channel.c), which sends on the loop, so
      that many deliveries are in flight at once (delivery/in_flight) and a
      receiver that hangs holds nobody else's.  As they finish they are
      settled in one call: sent; or tried again after an exponential
      backoff with jitter; or, after delivery/attempts failures, moved to
      the recipient's next route; or, with no route left, put on the
      dead-letter list with the reason.
    Every attempt, hold and outcome goes into the delivery log.

    A delivery in flight stays in `sending` (its id → the item) until it is
    settled; a claim that returns it again (its lease ran out on a test
    clock that jumped) leaves it alone.

    The acknowledgement watch: an urgent notice whose rule asks for an
    acknowledgement and that nobody acknowledged in time is sent again to
    the same person, and after that passed up, one org level at a time,
    to the people above (网格员 → 社区 → 街道).  An urgent notice that
    no route could deliver goes to the operators on duty (s_tell_on_duty). */
#include "notifier.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <math.h>
#include <sodium.h>

#define S_TICK_MS       200
#define S_ACK_TICK_MS   500
#define S_MAX_STEP      6

typedef struct _s_item_t s_item_t;
struct _s_item_t {
    char *id;
    cg_notify_delivery_t d;
    bool decoded;
    int route;
    int64_t attempt, held;
    char channel[16], address[400], to[40];
    const person_t *person;
    const char *outcome;
    int64_t claimed;        /* when it was claimed, and so sent: the ack deadline runs from it */
    int64_t due;
    char detail[256];
    s_item_t *carrier;      /* the item whose message carries this one (digests) */
    zlist_t *riders;        /* a carrier's: the items in its message */
    char *text;             /* a digest's joined text */
    channel_job_t job;
};

static void
s_item_destroy (void *arg)
{
    s_item_t *item = arg;
    cg_msg_clear (&cg_notify_delivery_def, &item->d);
    zlist_destroy (&item->riders);
    free (item->text);
    free (item->id);
    free (item);
}

/*  The next digest time after now. */
static int64_t
s_next_digest (notifier_t *self, int64_t now)
{
    int64_t day = CG_DAY_MS, local = now + CG_TZ_OFFSET_MS, midnight = local - local % day;
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

/*  What to do with a claimed item, short of the rate limits: "rate" when
    only they stand between it and sending. */
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
    item->outcome = "rate";
}

/*  A token bucket's interval and tolerance (notify_take), in microseconds. */
static void
s_add_bucket (cg_args_t *args, const char *key, double per_second, double burst)
{
    double interval = 1e6 / per_second;
    cg_args_add_str (args, key);
    cg_args_addf (args, "%.0f", interval);
    cg_args_addf (args, "%.0f", (burst - 1) * interval);
}

/*  The rate limits: each item that wants to go takes a token from its
    recipient's bucket on its channel and from the channel's, or waits. */
static void
s_take_tokens (notifier_t *self, s_item_t **items, size_t n, int64_t now)
{
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_int (&args, now);
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += streq (items[i]->outcome, "rate");
    if (count == 0) {
        cg_args_free (&args);
        return;
    }
    cg_args_add_int (&args, (int64_t) count);
    for (size_t i = 0; i < n; i++)
        if (streq (items[i]->outcome, "rate")) {
            char key[200];
            snprintf (key, sizeof key, "%s|%s", items[i]->d.recipient, items[i]->channel);
            s_add_bucket (&args, key, self->per_minute / 60, self->burst);
            s_add_bucket (&args, items[i]->channel, self->channel_per_second,
                          self->channel_per_second);
        }
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_take", 0, &args);
    cg_args_free (&args);
    bool ok = r && r->type == REDIS_REPLY_ARRAY && r->elements == count;
    if (!ok)
        zsys_error ("notification: notify_take: %s", r && r->type == REDIS_REPLY_ERROR
                                                     ? r->str : "no Redis");
    for (size_t i = 0, k = 0; i < n; i++)
        if (streq (items[i]->outcome, "rate")) {
            /*  no answer: try again after a second rather than exceed a limit */
            int64_t wait = ok ? cg_reply_int (r->element[k++], 1000) : 1000;
            if (wait > 0)
                s_hold (items[i], now + wait, "rate limit");
            else
                items[i]->outcome = "send";
        }
    if (r)
        freeReplyObject (r);
}

/*  Digests: items held for a digest that go to the same person on the
    same route ride in the first one's message. */
static void
s_group_digests (s_item_t **items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        s_item_t *a = items[i];
        if (!streq (a->outcome, "send") || a->carrier || !a->person || !a->person->digest
            || a->d.urgent)
            continue;
        for (size_t k = i + 1; k < n; k++) {
            s_item_t *b = items[k];
            if (streq (b->outcome, "send") && !b->carrier && b->person == a->person
                && !b->d.urgent && streq (b->channel, a->channel)
                && streq (b->address, a->address)) {
                b->carrier = a;
                if (!a->riders)
                    a->riders = zlist_new ();
                zlist_append (a->riders, b);
            }
        }
        if (!a->riders)
            continue;
        size_t cap = 8192, used = 0, number = 1;
        a->text = cg_alloc (cap);
        used += snprintf (a->text, cap, "%s (%zu)\n1. %s", streq (a->person->lang, "en")
                          ? "Digest" : "汇总", zlist_size (a->riders) + 1, a->d.text);
        for (s_item_t *b = zlist_first (a->riders); b && used + 1 < cap;
             b = zlist_next (a->riders))
            used += snprintf (a->text + used, cap - used, "\n%zu. %s", ++number, b->d.text);
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
s_after_send (notifier_t *self, s_item_t *item, int64_t now)
{
    const channel_job_t *job = &item->job;
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

/*  Counts the attempts a notify_settle call settled. */
static void
s_count_settled (notifier_t *self, s_item_t **items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char key[48];
        snprintf (key, sizeof key, "%s|%s", *items[i]->channel ? items[i]->channel : "none",
                  items[i]->outcome);
        int64_t *count = zhashx_lookup (self->settled, key);
        if (!count) {
            count = calloc (1, sizeof *count);
            assert (count);
            zhashx_insert (self->settled, key, count);
        }
        (*count)++;
    }
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

/*  An urgent notice that could not be delivered on any route is never only
    dead-lettered: it goes at once to the on-duty operators of the case's
    center (or, when it has none in the directory, of the nearest center
    above), on every channel each of them has, one delivery a channel.
    Queued before the dead letter is settled, with ids made from its own,
    so that a kill -9 in between sends them once.  A notice of this kind
    that fails is not passed on again. */
static void
s_tell_on_duty (notifier_t *self, s_item_t **items, size_t n, int64_t now)
{
    cg_args_t batch;
    cg_args_init (&batch);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        s_item_t *item = items[i];
        cg_notify_delivery_t *d = &item->d;
        if (!streq (item->outcome, "dead") || !item->decoded || !d->urgent
            || strstr (item->id, NOTIFIER_UNDELIVERED))
            continue;
        const person_t *ops[16];
        size_t found = 0;
        for (const cg_org_node_t *c = notifier_center_of (self, d->case_id, d->recipient);
             c && !found; c = c->parent)
            found = directory_at (self->directory, c->code, "operator", ops, 16);
        if (!found)
            zsys_error ("notification: urgent %s undeliverable (%s), and no operator to tell",
                        item->id, item->detail);
        for (size_t k = 0; k < found; k++) {
            const person_t *op = ops[k];
            char *all[2 * DIRECTORY_ROUTES];
            int nall = 0;
            for (int j = 0; j < op->nurgent + op->nroutes; j++) {
                char *route = j < op->nurgent ? op->urgent[j] : op->routes[j - op->nurgent];
                bool seen = false;
                for (int m = 0; m < nall && !seen; m++)
                    seen = streq (all[m], route);
                if (!seen)
                    all[nall++] = route;
            }
            for (int j = 0; j < nall; j++) {
                char id[160], prefix[400], text[1024];
                snprintf (id, sizeof id, "%s" NOTIFIER_UNDELIVERED "%s:%d", item->id, op->id, j);
                snprintf (prefix, sizeof prefix, "（紧急通知未能送达 %s：%s）",
                          d->name ? d->name : d->recipient, item->detail);
                s_prefixed (text, sizeof text, prefix, d->text);
                cg_notify_delivery_t tell = *d;
                tell.id = id;
                tell.chain = id;
                tell.recipient = op->id;
                tell.name = op->name;
                tell.routes = &all[j];
                tell.routes_count = 1;
                tell.text = text;
                tell.ack_ms = 0;
                tell.step = 0;
                tell.created = now;
                tell.present = 0;
                tell.order = tell.status = tell.result = NULL;
                notifier_add (self, &batch, &tell, now, now);
                count++;
            }
        }
    }
    if (count && notifier_enqueue (self, NULL, 0, 0, &batch, count) < 0)
        zsys_error ("notification: the operators on duty could not be told of %d undelivered "
                    "urgent notices", count);
    cg_args_free (&batch);
}

/*  The journal entry of an urgent notice given up (notify.failed, the
    console's 紧急通知发送失败 alarm), with its case, appended by
    notify_settle in the call that dead-letters it, then its case and
    that case's center (its alarm's index); '' '' '' for any other
    outcome.  The notices that tell the operators on duty of one are not
    journaled again: the first already raised the alarm. */
static void
s_add_failed (notifier_t *self, cg_args_t *args, s_item_t *item, int64_t now)
{
    cg_notify_delivery_t *d = &item->d;
    if (!streq (item->outcome, "dead") || !item->decoded || !d->urgent
        || strstr (item->id, NOTIFIER_UNDELIVERED)) {
        cg_args_add_str (args, "");
        cg_args_add_str (args, "");
        cg_args_add_str (args, "");
        return;
    }
    const cg_org_node_t *center = notifier_center_of (self, d->case_id, d->recipient);
    const cg_org_node_t *unit = notifier_org_of (self, d->recipient);
    cg_notify_failed_t failed = {
        .delivery = item->id, .case_id = d->case_id,
        .center = center ? (char *) center->code : NULL,
        .unit = unit ? (char *) unit->code : NULL, .recipient = d->recipient, .name = d->name,
        .topic = d->topic, .reason = item->detail, .at = now };
    cg_args_add_msg (args, &cg_notify_failed_def, &failed);
    cg_args_add_str (args, d->case_id ? d->case_id : "");
    cg_args_add_str (args, center ? center->code : "");
}

static void
s_settle (notifier_t *self, s_item_t **items, size_t n, int64_t now)
{
    if (n == 0)
        return;
    s_tell_on_duty (self, items, n, now);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_int (&args, now);
    notifier_add_retention (self, &args);
    cg_args_add_int (&args, (int64_t) n);
    for (size_t i = 0; i < n; i++) {
        s_item_t *item = items[i];
        cg_args_add_str (&args, item->id);
        cg_args_add_str (&args, item->outcome);
        cg_args_add_int (&args, item->due);
        cg_args_add_int (&args, item->route);
        cg_args_add_int (&args, item->attempt);
        notifier_add_attempt (&args, item->id, now, *item->channel ? item->channel : "none",
                              item->attempt, item->outcome, item->detail);
        bool sent = streq (item->outcome, "sent");
        /*  the time to acknowledge runs from the send, not from its answer:
            the answer may come after the clock has moved on */
        cg_args_add_int (&args, sent && item->d.ack_ms ? item->claimed + item->d.ack_ms : 0);
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
        s_add_failed (self, &args, item, now);
    }
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_settle", 0, &args);
    if (!r || r->type == REDIS_REPLY_ERROR)
        zsys_error ("notification: notify_settle: %s", r ? r->str : "no Redis");
    else {
        s_count_settled (self, items, n);
        notifier_publish (self, r, 2, SIZE_MAX);
    }
    if (r)
        freeReplyObject (r);
    cg_args_free (&args);
}

static size_t s_pump (notifier_t *self);

/*  channel.c calls back: the sends that finished, with the items riding
    in them, are settled together, and leave `sending`. */
static void
s_on_sent (channel_job_t **jobs, size_t n, void *arg)
{
    notifier_t *self = arg;
    int64_t now = cg_clock_now ();
    zlist_t *done = zlist_new ();
    for (size_t i = 0; i < n; i++) {
        s_item_t *item = jobs[i]->owner;
        s_after_send (self, item, now);
        zlist_append (done, item);
        for (s_item_t *b = item->riders ? zlist_first (item->riders) : NULL; b;
             b = zlist_next (item->riders)) {
            b->outcome = item->outcome;
            b->due = item->due;
            snprintf (b->detail, sizeof b->detail, "in digest %s: %s", item->id, item->detail);
            zlist_append (done, b);
        }
    }
    size_t count = zlist_size (done), k = 0;
    s_item_t **items = cg_alloc (count * sizeof *items);
    for (s_item_t *item = zlist_first (done); item; item = zlist_next (done))
        items[k++] = item;
    s_settle (self, items, count, now);
    for (k = 0; k < count; k++)
        zhash_delete (self->sending, items[k]->id);
    free (items);
    zlist_destroy (&done);
    /*  room again, and more is due: do not wait for the tick, but wait
        for room for a batch worth a claim (an eighth of in_flight, at most
        delivery/batch), so that a backlog is claimed, rate-limited and
        settled in batches rather than one delivery per call */
    int worth = self->in_flight / 8 < self->batch ? self->in_flight / 8 : self->batch;
    if (self->backlog
        && (int) (self->in_flight - zhash_size (self->sending)) >= (worth > 0 ? worth : 1))
        s_pump (self);
}

/*  One claimed delivery, or NULL when it is already in flight. */
static s_item_t *
s_item_new (notifier_t *self, redisReply **e)
{
    if (zhash_lookup (self->sending, e[0]->str))
        return NULL;
    s_item_t *item = cg_alloc (sizeof *item);
    item->id = cg_strdup (e[0]->str);
    cg_error_t err;
    item->decoded = cg_msg_decode (&cg_notify_delivery_def, e[1]->str, e[1]->len,
                                   &item->d, &err) == 0;
    item->route = (int) cg_reply_int (e[2], 0);
    item->attempt = cg_reply_int (e[3], 1);
    item->held = cg_reply_int (e[4], 0);
    return item;
}

/*  One claim: decide, start what goes, settle what does not.  Returns how
    many were claimed. */
static size_t
s_pump (notifier_t *self)
{
    size_t room = (size_t) self->in_flight - zhash_size (self->sending);
    if (room == 0)
        return 0;
    int64_t now = cg_clock_now ();
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_int (&args, now);
    cg_args_add_int (&args, self->lease_ms);
    size_t want = room < (size_t) self->batch ? room : (size_t) self->batch;
    cg_args_add_int (&args, (int64_t) want);
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_claim", 0, &args);
    cg_args_free (&args);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
        if (r && r->type == REDIS_REPLY_ERROR)
            zsys_error ("notification: notify_claim: %s", r->str);
        if (r)
            freeReplyObject (r);
        self->backlog = false;
        return 0;
    }
    size_t claimed = r->elements / 5, n = 0;
    s_item_t **items = cg_alloc (claimed * sizeof *items);
    for (size_t i = 0; i < claimed; i++)
        if ((items[n] = s_item_new (self, &r->element[i * 5]))) {
            items[n]->claimed = now;
            s_decide (self, items[n++], now);
        }
    freeReplyObject (r);
    self->backlog = claimed == want;
    s_take_tokens (self, items, n, now);
    s_group_digests (items, n);
    /*  the callbacks' secret as it stands now: one read a batch */
    for (size_t i = 0; i < n; i++)
        if (streq (items[i]->outcome, "send") && streq (items[i]->channel, "hotline")) {
            channel_use_secrets (self->channel, self->daemon->redis, now);
            break;
        }
    size_t settled = 0;
    for (size_t i = 0; i < n; i++) {
        s_item_t *item = items[i];
        zhash_insert (self->sending, item->id, item);
        zhash_freefn (self->sending, item->id, s_item_destroy);
        if (streq (item->outcome, "send")) {
            if (!item->carrier) {
                item->job = (channel_job_t) {
                    .delivery = &item->d, .channel = item->channel, .address = item->address,
                    .to = *item->to ? item->to : NULL,
                    .text = item->text ? item->text : item->d.text, .now = now,
                    .owner = item };
                channel_start (self->channel, &item->job);
            }
        }
        else
            items[settled++] = item;
    }
    s_settle (self, items, settled, now);
    for (size_t i = 0; i < settled; i++)
        zhash_delete (self->sending, items[i]->id);
    free (items);
    return claimed;
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

/*  The next step of an unacknowledged chain, queued in batch; whom it
    goes to, named, into to (for the acknowledgement index). */
static int
s_next_step (notifier_t *self, const cg_notify_delivery_t *d, cg_args_t *batch, int64_t now,
             char *to, size_t tolen)
{
    *to = 0;
    if (d->step >= S_MAX_STEP)
        return 0;
    cg_notify_delivery_t next = *d;
    next.step = d->step + 1;
    next.created = now;
    next.present = 0;
    char id[160], text[1024];
    if (d->step == 0) {
        snprintf (id, sizeof id, "%s#1", d->chain);
        s_prefixed (text, sizeof text, "（再次提醒，请确认）", d->text);
        next.id = id;
        next.text = text;
        notifier_add (self, batch, &next, now, now);
        snprintf (to, tolen, "%s", d->name ? d->name : d->recipient);
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
        notifier_add (self, batch, &next, now, now);
        size_t used = strlen (to);
        snprintf (to + used, tolen - used, "%s%s", used ? "、" : "", up[i]->name);
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
    notifier_add_retention (self, &args);
    cg_args_add_int (&args, self->ack_ms);
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_ack_due", 0, &args);
    cg_args_free (&args);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        cg_notify_delivery_t d;
        cg_error_t err;
        char names[2048] = "", to[256];
        if (cg_msg_decode (&cg_notify_delivery_def, r->element[i + 1]->str,
                           r->element[i + 1]->len, &d, &err) == 0) {
            cg_args_t batch;
            cg_args_init (&batch);
            int count = s_next_step (self, &d, &batch, now, names, sizeof names);
            int rc = count ? notifier_enqueue (self, NULL, 0, 0, &batch, count) : 0;
            cg_args_free (&batch);
            cg_msg_clear (&cg_notify_delivery_def, &d);
            if (rc)
                continue;
        }
        /*  off the watch: passed on (to whom), or nobody is left to tell */
        cg_utf8_cut (names, to, sizeof to);
        cg_args_init (&args);
        cg_args_add_str (&args, NOTIFIER_PREFIX);
        cg_args_add_str (&args, r->element[i]->str);
        cg_args_add_int (&args, now);
        cg_args_add_int (&args, self->ack_ms);
        cg_args_add_str (&args, to);
        redisReply *z = cg_redis_script (self->daemon->redis, "notify_ack_passed", 0, &args);
        cg_args_free (&args);
        if (z)
            freeReplyObject (z);
    }
    if (r)
        freeReplyObject (r);
    return 0;
}

static int
s_on_wake (zloop_t *loop, int timer_id, void *arg)
{
    notifier_t *self = arg;
    self->wake = -1;
    return s_on_tick (loop, timer_id, arg);
}

/*  At the loop's next turn, not now: a wake during the catch-up at start
    must not start transfers that nothing drives until the loop runs. */
void
courier_wake (notifier_t *self)
{
    if (self->loop && self->wake < 0)
        self->wake = zloop_timer (self->loop, 1, 1, s_on_wake, self);
}

int
courier_attach (notifier_t *self, zloop_t *loop)
{
    self->loop = loop;
    self->wake = -1;
    self->sending = zhash_new ();
    self->settled = zhashx_new ();
    zhashx_set_destructor (self->settled, (zhashx_destructor_fn *) zstr_free);
    self->channel = channel_new (zconfig_locate (self->settings, "channels"), self->connect_ms,
                                 self->timeout_ms, loop, s_on_sent, self);
    if (notifier_ack_index (self))
        zsys_warning ("notification: the acknowledgement index could not be completed at start");
    if (zloop_timer (loop, S_TICK_MS, 0, s_on_tick, self) < 0
        || zloop_timer (loop, S_ACK_TICK_MS, 0, s_on_ack_tick, self) < 0)
        return -1;
    return 0;
}

void
courier_detach (notifier_t *self)
{
    channel_destroy (&self->channel);
    zhash_destroy (&self->sending);
    zhashx_destroy (&self->settled);
}

void
courier_on_metrics (cg_metrics_t *metrics, void *arg)
{
    notifier_t *self = arg;
    for (int64_t *count = zhashx_first (self->settled); count;
         count = zhashx_next (self->settled)) {
        char key[48];
        snprintf (key, sizeof key, "%s", (const char *) zhashx_cursor (self->settled));
        char *bar = strchr (key, '|');
        *bar = 0;
        cg_metrics_gauge (metrics, "civgrid_deliveries_total", *count,
                          "channel=\"%s\",outcome=\"%s\"", key, bar + 1);
    }
    static const struct {
        const char *metric, *key;
    } zsets[] = {
        { "civgrid_dead_letters", NOTIFIER_PREFIX "dead_letters" },
        { "civgrid_acks_pending", NOTIFIER_PREFIX "acks" },
        { "civgrid_outbox", NOTIFIER_PREFIX "outbox" },
    };
    for (size_t i = 0; i < sizeof zsets / sizeof zsets[0]; i++) {
        redisReply *r = cg_redis_command (self->daemon->redis, "ZCARD %s", zsets[i].key);
        if (r && r->type == REDIS_REPLY_INTEGER)
            cg_metrics_gauge (metrics, zsets[i].metric, r->integer, NULL);
        if (r)
            freeReplyObject (r);
    }
}
