/*  notifier — see notifier.h: loading what notification needs, and
    queueing deliveries. */
#include "notifier.h"
#include "cg_case.h"
#include "cg_config.h"
#include "cg_text.h"

static int
s_load_settings (notifier_t *self, const char *dir)
{
    char path[1024];
    snprintf (path, sizeof path, "%s/notify.cfg", dir);
    self->settings = cg_zpl_load (path);
    if (!self->settings) {
        zsys_error ("notification: cannot read %s", path);
        return -1;
    }
    zconfig_t *s = self->settings;
    self->hotline_url = zconfig_get (s, "channels/hotline_url", "");
    self->citizen_sms = zconfig_get (s, "channels/citizen_sms", "");
    int64_t attempts, batch, in_flight, keep_days;
    char err[400];
    if (cg_config_int (s, path, "delivery/attempts", &attempts, err, sizeof err)
        || cg_config_int (s, path, "delivery/backoff_ms", &self->backoff_ms, err, sizeof err)
        || cg_config_int (s, path, "delivery/backoff_max_ms", &self->backoff_max_ms, err,
                          sizeof err)
        || cg_config_int (s, path, "delivery/lease_ms", &self->lease_ms, err, sizeof err)
        || cg_config_int (s, path, "delivery/batch", &batch, err, sizeof err)
        || cg_config_int (s, path, "delivery/in_flight", &in_flight, err, sizeof err)
        || cg_config_int (s, path, "delivery/keep_days", &keep_days, err, sizeof err)
        || cg_config_int (s, path, "channels/connect_timeout_ms", &self->connect_ms, err,
                          sizeof err)
        || cg_config_int (s, path, "channels/timeout_ms", &self->timeout_ms, err, sizeof err)) {
        zsys_error ("notification: %s", err);
        return -1;
    }
    self->attempts = (int) attempts;
    self->batch = (int) batch;
    self->in_flight = (int) in_flight;
    self->keep_ms = keep_days * CG_DAY_MS;
    /*  the rates are fractions: read apart */
    self->per_minute = atof (zconfig_get (s, "rate/per_minute", "30"));
    self->burst = atof (zconfig_get (s, "rate/burst", "10"));
    self->channel_per_second = atof (zconfig_get (s, "rate/channel_per_second", "100"));
    if (self->per_minute <= 0 || self->burst < 1 || self->channel_per_second <= 0) {
        zsys_error ("notification: %s: rate/per_minute and rate/channel_per_second must be "
                    "positive, rate/burst at least 1", path);
        return -1;
    }
    char *times = cg_strdup (zconfig_get (s, "digest/at", "09:00,17:00")), *save = NULL;
    int rc = 0;
    for (char *t = strtok_r (times, ",", &save); t; t = strtok_r (NULL, ",", &save)) {
        int h, m;
        char tail;
        if (self->ndigest == NOTIFIER_DIGESTS || sscanf (t, "%d:%d%c", &h, &m, &tail) != 2
            || h < 0 || h > 23 || m < 0 || m > 59) {
            zsys_error ("notification: %s: digest/at \"%s\" is not HH:MM (at most %d)", path, t,
                        NOTIFIER_DIGESTS);
            rc = -1;
            break;
        }
        self->digest_at[self->ndigest++] = h * 60 + m;
    }
    free (times);
    return rc;
}

typedef struct {
    notifier_t *self;
    size_t skip;                /* the pattern's length before its '*' */
    bool indexes;               /* alarms:<center>, not alarm:<case> */
    int64_t listed;
} s_reindex_t;

/*  One SCAN step's keys, one notify_alarm_index call. */
static int
s_reindex_step (const redisReply *keys, void *arg)
{
    s_reindex_t *step = arg;
    notifier_t *self = step->self;
    if (keys->elements == 0)
        return 0;
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_int (&args, cg_clock_now ());
    cg_args_add_int (&args, self->dead_ms);
    for (size_t i = 0; i < keys->elements; i++) {
        const char *rest = keys->element[i]->str + step->skip;
        if (step->indexes) {
            cg_args_add_str (&args, "");
            cg_args_add_str (&args, rest);
        }
        else {
            const cg_org_node_t *center = notifier_center_of (self, rest, NULL);
            cg_args_add_str (&args, rest);
            cg_args_add_str (&args, center ? center->code : "");
        }
    }
    redisReply *done = cg_redis_script (self->daemon->redis, "notify_alarm_index", 0, &args);
    cg_args_free (&args);
    int rc = done && done->type == REDIS_REPLY_INTEGER ? 0 : -1;
    if (rc == 0)
        step->listed += done->integer;
    if (done)
        freeReplyObject (done);
    return rc;
}

/*  The open failed-notice alarms back in their centers' index
    (notify_alarm_index.lua): every alarm:<case> key, by SCAN, a script
    call a step, its center looked up for an alarm of an older store that
    does not name it; then every index has its expired entries dropped.
    Idempotent; -1 when Redis could not be asked. */
static int
s_alarms_reindex (notifier_t *self)
{
    const char *patterns[] = { NOTIFIER_PREFIX "alarm:*", NOTIFIER_PREFIX "alarms:*" };
    s_reindex_t step = { .self = self };
    for (int p = 0; p < 2; p++) {
        step.skip = strlen (patterns[p]) - 1;
        step.indexes = p == 1;
        if (cg_redis_scan (self->daemon->redis, patterns[p], 500, s_reindex_step, &step))
            return -1;
    }
    if (step.listed)
        zsys_info ("notification: %lld open failed-notice alarms put back in their index",
                   (long long) step.listed);
    return 0;
}

notifier_t *
notifier_new (cg_daemon_t *daemon)
{
    notifier_t *self = cg_alloc (sizeof *self);
    self->daemon = daemon;
    self->feeds = zlist_new ();
    char err[512];
    const char *dir = cg_daemon_get (daemon, "data/notify", "deploy/notify");
    self->org = cg_orgtree_load (cg_daemon_get (daemon, "data/orgtree", "deploy/demo/orgtree.tsv"),
                                 err, sizeof err);
    if (!self->org)
        goto failed;
    self->catalog = cg_catalog_load (cg_daemon_get (daemon, "data/catalog",
                                                    "deploy/demo/catalog.tsv"), err, sizeof err);
    if (!self->catalog)
        goto failed;
    self->rules = rules_load (dir, err, sizeof err);
    if (!self->rules)
        goto failed;
    /*  the citizen's phone is sealed at rest by intake, under the key of the
        stack's configuration; without it citizens get no SMS */
    char why[160] = "";
    self->privacy = cg_privacy_load (daemon->config, why, sizeof why);
    if (!self->privacy)
        zsys_warning ("notification: %s; citizens cannot be told by SMS", why);
    /*  what is kept, and how long: the store's own bounds */
    self->inbox_max = cg_daemon_int (daemon, "notification/inbox_max");
    self->dead_ms = cg_daemon_int (daemon, "notification/dead_days") * CG_DAY_MS;
    self->dead_max = cg_daemon_int (daemon, "notification/dead_max");
    self->ack_ms = cg_daemon_int (daemon, "notification/ack_days") * CG_DAY_MS;
    /*  the journal's readers (the gateway's stream) do not register: it
        is trimmed by age, never before the alarms it raised have expired */
    if (daemon->retention)
        cg_retention_readers_only (daemon->retention, self->dead_ms / 1000);
    if (s_load_settings (self, dir)) {
        notifier_destroy (&self);
        return NULL;
    }
    const char *people = zconfig_get (self->settings, "directory", "");
    if (!*people)
        people = NULL;
    char path[1024];
    if (people && *people != '/')
        snprintf (path, sizeof path, "%s/%s", dir, people);
    else
        snprintf (path, sizeof path, "%s", people ? people : "");
    self->directory = directory_load (people ? path : NULL, self->org, err, sizeof err);
    if (!self->directory)
        goto failed;
    zsys_info ("notification: %zu rules from %s", rules_count (self->rules), dir);
    if (s_alarms_reindex (self))
        zsys_warning ("notification: the index of open alarms could not be rebuilt now");
    return self;
failed:
    zsys_error ("notification: %s", err);
    notifier_destroy (&self);
    return NULL;
}

void
notifier_destroy (notifier_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    notifier_t *self = *self_p;
    directory_destroy (&self->directory);
    rules_destroy (&self->rules);
    cg_catalog_destroy (&self->catalog);
    cg_orgtree_destroy (&self->org);
    zconfig_destroy (&self->settings);
    cg_privacy_destroy (&self->privacy);
    while (zlist_size (self->feeds))
        free (zlist_pop (self->feeds));
    zlist_destroy (&self->feeds);
    free (self);
    *self_p = NULL;
}

void
notifier_add_attempt (cg_args_t *args, const char *id, int64_t at, const char *channel,
                      int64_t attempt, const char *outcome, const char *detail)
{
    cg_notify_attempt_t a = { .delivery = (char *) id, .at = at, .channel = (char *) channel,
                              .attempt = attempt, .outcome = (char *) outcome,
                              .detail = detail && *detail ? (char *) detail : NULL };
    cg_args_add_msg (args, &cg_notify_attempt_def, &a);
}

void
notifier_add_retention (notifier_t *self, cg_args_t *args)
{
    cg_args_add_int (args, self->keep_ms);
    cg_args_add_int (args, self->inbox_max);
    cg_args_add_int (args, self->dead_ms);
    cg_args_add_int (args, self->dead_max);
}

size_t
notifier_orgs (notifier_t *self, const char *recipient, char **out, size_t max)
{
    const cg_org_node_t *node = NULL;
    const person_t *person = directory_person (self->directory, recipient);
    if (person)
        node = person->org;
    else
    if (strncmp (recipient, "unit:", 5) == 0)
        node = cg_orgtree_find (self->org, recipient + 5);
    size_t n = 0;
    for (; node && n < max; node = node->parent)
        out[n++] = (char *) node->code;
    return n;
}

#define S_INDEX_CHUNK   256

int
notifier_ack_index (notifier_t *self)
{
    int rc = 0;
    int64_t made = 0;
    for (long long at = 0; rc == 0; at += S_INDEX_CHUNK) {
        redisReply *ids = cg_redis_command (self->daemon->redis,
                                            "ZRANGE " NOTIFIER_PREFIX "acks %lld %lld", at,
                                            at + S_INDEX_CHUNK - 1);
        if (!ids || ids->type != REDIS_REPLY_ARRAY) {
            rc = -1;
            if (ids)
                freeReplyObject (ids);
            break;
        }
        size_t count = ids->elements;
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, NOTIFIER_PREFIX);
        for (size_t i = 0; i < count; i++) {
            const char *id = cg_reply_str (ids->element[i]);
            redisReply *m = cg_redis_command (self->daemon->redis,
                                              "HGET " NOTIFIER_PREFIX "d:%s m", id);
            cg_notify_delivery_t d;
            cg_error_t err;
            if (m && m->type == REDIS_REPLY_STRING && m->len
            &&  cg_msg_decode (&cg_notify_delivery_def, m->str, m->len, &d, &err) == 0) {
                char *orgs[8], joined[8 * (CG_CODE_MAX + 1)] = "";
                size_t n = notifier_orgs (self, d.recipient, orgs, 8);
                for (size_t k = 0; k < n; k++)
                    snprintf (joined + strlen (joined), sizeof joined - strlen (joined), "%s%s",
                              k ? " " : "", orgs[k]);
                cg_args_add_str (&args, id);
                cg_args_add_str (&args, joined);
                cg_msg_clear (&cg_notify_delivery_def, &d);
            }
            if (m)
                freeReplyObject (m);
        }
        freeReplyObject (ids);
        if (args.argc > 1) {
            redisReply *r = cg_redis_script (self->daemon->redis, "notify_ack_index", 0, &args);
            if (r && r->type == REDIS_REPLY_INTEGER)
                made += r->integer;
            else
                rc = -1;
            if (r)
                freeReplyObject (r);
        }
        cg_args_free (&args);
        if (count < S_INDEX_CHUNK)
            break;
    }
    if (made)
        zsys_info ("notification: %lld acknowledgements awaited joined the index by org",
                   (long long) made);
    return rc;
}

void
notifier_add (notifier_t *self, cg_args_t *batch, const cg_notify_delivery_t *given,
              int64_t due, int64_t now)
{
    /*  one awaiting acknowledgement names its recipient's org nodes, for
        the acknowledgement index (lib.lua) */
    cg_notify_delivery_t copy = *given;
    const cg_notify_delivery_t *d = &copy;
    char *orgs[8];
    copy.orgs = orgs;
    copy.orgs_count = given->ack_ms ? notifier_orgs (self, given->recipient, orgs, 8) : 0;
    cg_args_add_str (batch, d->id);
    cg_args_add_str (batch, streq (d->chain, d->id) ? "" : d->chain);
    cg_args_add_int (batch, due);
    /*  a first route to an in-app inbox is delivered in the same call */
    const char *route = d->routes[0];
    bool inbox = strncmp (route, "inbox ", 6) == 0;
    cg_args_add_str (batch, inbox ? route + 6 : "");
    cg_args_add_msg (batch, &cg_notify_delivery_def, d);
    if (inbox) {
        cg_inbox_item_t item = { .delivery = d->id, .case_id = d->case_id, .topic = d->topic,
                                 .text = d->text, .at = now };
        cg_args_add_msg (batch, &cg_inbox_item_def, &item);
        notifier_add_attempt (batch, d->id, now, "inbox", 1, "sent", route + 6);
        cg_args_add_int (batch, d->ack_ms ? now + d->ack_ms : 0);
    }
    else {
        cg_args_add_str (batch, "");
        cg_args_add_str (batch, "");
        cg_args_add_int (batch, 0);
    }
    /*  what the delivery leaves to remember (notify_enqueue.lua): the SMS
        that tells a citizen the case is resolved asks for the rating
        (回访, templates/citizen_resolved), so whom it asked about which
        case is kept by the phone's fingerprint, for the reply; a hotline
        order told that it joined a case hears of the case from then on */
    char remember[200] = "";
    if (self->privacy && d->case_id && d->topic && streq (d->topic, NOTIFIER_ASKS_RATING)
    &&  strncmp (d->recipient, "citizen:", 8) == 0) {
        char phone[32], print[40];
        notifier_citizen_phone (self, d->case_id, phone, sizeof phone);
        if (*phone) {
            cg_privacy_fingerprint (self->privacy, phone, print, sizeof print);
            snprintf (remember, sizeof remember, "asked|%s|%s", print, d->case_id);
        }
    }
    else
    if (d->case_id && d->order && d->topic && streq (d->topic, "case.merged")
    &&  strncmp (d->recipient, "hotline:", 8) == 0)
        snprintf (remember, sizeof remember, "joined|%s|%s", d->case_id, d->order);
    cg_args_add_str (batch, remember);
}

int
notifier_enqueue (notifier_t *self, const char *cursor_key, int64_t expected, int64_t next,
                  cg_args_t *batch, int count)
{
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, NOTIFIER_PREFIX);
    cg_args_add_str (&args, cursor_key ? cursor_key : "");
    cg_args_add_int (&args, expected);
    cg_args_add_int (&args, next);
    notifier_add_retention (self, &args);
    cg_args_add_int (&args, count);
    for (int i = 0; i < batch->argc; i++)
        cg_args_add (&args, batch->argv[i], batch->lens[i]);
    redisReply *r = cg_redis_script (self->daemon->redis, "notify_enqueue", 0, &args);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
        rc = streq (cg_reply_str (r->element[0]), "moved") ? 1 : 0;
    else
        zsys_error ("notification: notify_enqueue: %s", r ? cg_reply_str (r) : "no Redis");
    if (r)
        freeReplyObject (r);
    cg_args_free (&args);
    return rc;
}

void
notifier_citizen_phone (notifier_t *self, const char *id, char *phone, size_t len)
{
    *phone = 0;
    if (!self->privacy)
        return;
    redisReply *r = cg_redis_command (self->daemon->redis, "HGET cg:{intake}:req:%s record",
                                      id);
    cg_intake_record_t record;
    cg_error_t err;
    if (r && r->type == REDIS_REPLY_STRING
        && cg_msg_decode (&cg_intake_record_def, r->str, r->len, &record, &err) == 0) {
        if (record.phone_sealed && cg_privacy_open (self->privacy, record.phone_sealed, phone,
                                                    len))
            *phone = 0;
        cg_msg_clear (&cg_intake_record_def, &record);
    }
    if (r)
        freeReplyObject (r);
}

const cg_org_node_t *
notifier_org_of (notifier_t *self, const char *recipient)
{
    if (!recipient)
        return NULL;
    const person_t *person = directory_person (self->directory, recipient);
    if (person)
        return person->org;
    return strncmp (recipient, "unit:", 5) == 0 ? cg_orgtree_find (self->org, recipient + 5)
                                                : NULL;
}

const cg_org_node_t *
notifier_center_of (notifier_t *self, const char *case_id, const char *recipient)
{
    const cg_org_node_t *node = NULL;
    if (case_id) {
        redisReply *r = cg_redis_command (self->daemon->redis, "HGET " CG_CASE_KEY " center",
                                          case_id);
        node = cg_orgtree_find (self->org, cg_reply_str (r));
        if (r)
            freeReplyObject (r);
    }
    if (!node)
        node = notifier_org_of (self, recipient);
    while (node && node->kind > CG_ORG_TOWN)
        node = node->parent;
    return node;
}

void
notifier_publish (notifier_t *self, redisReply *r, size_t from, size_t to)
{
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return;
    if (to > r->elements)
        to = r->elements;
    for (size_t k = from; k + 2 < to; k += 3)
        if (r->element[k + 1]->type == REDIS_REPLY_INTEGER)
            cg_pub_send (self->daemon->pub, "notification", r->element[k + 1]->integer,
                         cg_reply_str (r->element[k]), r->element[k + 2]->str,
                         r->element[k + 2]->len);
}
