/*  notifier — what the parts of civgrid-notification share.

    Event → rule → recipients → template → outbox → channel (DESIGN.md §8):
    - events.c turns the events of every followed journal into deliveries
      and queues them with the cursor move, in one Lua call;
    - courier.c runs the outbox: claims what is due, holds back what quiet
      hours, digests and rate limits say must wait, sends the rest through
      channel.c, and records each attempt; it also re-sends and passes up
      urgent notices nobody acknowledged;
    - commands.c answers `civgrid notify ...` and `inbox.list`.
    Settings come from DIR/notify.cfg beside the rules (data/notify). */
#ifndef NOTIFIER_H_INCLUDED
#define NOTIFIER_H_INCLUDED

#include "cg_daemon.h"
#include "cg_catalog.h"
#include "cg_clock.h"
#include "cg_privacy.h"
#include "channel.h"
#include "directory.h"
#include "rules.h"

#define NOTIFIER_PREFIX     "cg:{notification}:"
#define NOTIFIER_DIGESTS    8
/*  in the id of a notice telling the operators on duty that an urgent one
    could not be delivered: "<id>!undelivered:<operator>:<n>" */
#define NOTIFIER_UNDELIVERED "!undelivered:"

typedef struct {
    cg_daemon_t *daemon;
    cg_orgtree_t *org;
    cg_catalog_t *catalog;
    rules_t *rules;
    directory_t *directory;
    channel_t *channel;
    zconfig_t *settings;            /* notify.cfg */
    const char *hotline_url;        /* "" when the hotline takes no callbacks */
    const char *citizen_sms;        /* "" when citizens get no SMS */
    int attempts;                   /* per route, before the next route */
    int64_t backoff_ms, backoff_max_ms, lease_ms;
    int64_t connect_ms, timeout_ms; /* channels/connect_timeout_ms, timeout_ms: of one send */
    int64_t keep_ms;                /* a sent delivery (its own de-duplication key) is kept this long */
    int64_t inbox_max;              /* notification/inbox_max: notices one inbox keeps, newest */
    int64_t dead_ms, dead_max;      /* notification/dead_days, dead_max: dead letters kept */
    int64_t ack_ms;                 /* notification/ack_days: a settled acknowledgement is listed this long */
    int batch;
    int in_flight;                  /* deliveries being sent at once, at most */
    double per_minute, burst;       /* token bucket per recipient and channel */
    double channel_per_second;      /* token bucket per channel */
    int digest_at[NOTIFIER_DIGESTS];    /* minutes of the local day */
    int ndigest;
    zhash_t *sending;               /* courier.c: id → what is in flight */
    zhashx_t *settled;              /* courier.c: "channel|outcome" → attempts settled since start (int64_t *) */
    bool backlog;                   /* courier.c: the last claim was full */
    zloop_t *loop;                  /* courier.c: the loop it runs on */
    int wake;                       /* courier.c: a pending wake-up timer, or -1 */
    zlist_t *feeds;
    cg_privacy_t *privacy;          /* opens intake's sealed phone numbers; NULL: no key */
} notifier_t;

notifier_t *notifier_new (cg_daemon_t *daemon);
void notifier_destroy (notifier_t **self_p);

/*  The phone of the citizen behind case id, opened from the request as
    intake keeps it (intake.record, personal data sealed); "" when there
    is none or no key. */
void notifier_citizen_phone (notifier_t *self, const char *id, char *phone, size_t len);

/*  events.c: follow every journal named in notification/journals. */
int events_follow (notifier_t *self);

/*  Adds one delivery to a batch for notifier_enqueue, due at due.  Its
    id is its de-duplication key: a delivery of that id queued or sent
    before (for keep_ms) makes this one nothing. */
void notifier_add (notifier_t *self, cg_args_t *batch, const cg_notify_delivery_t *d,
                   int64_t due, int64_t now);

/*  The org nodes of recipient (a person of the directory, unit:CODE),
    nearest first: its own and every one above, at most max, into out.
    Returns how many (0: none known).  A delivery awaiting acknowledgement
    carries them (notify.delivery's orgs), for the acknowledgement index
    of each (lib.lua). */
size_t notifier_orgs (notifier_t *self, const char *recipient, char **out, size_t max);

/*  At start: the deliveries on the acknowledgement watch that a release
    before put there without a record in the index get one
    (notify_ack_index.lua).  0, or -1 when Redis failed. */
int notifier_ack_index (notifier_t *self);

/*  The retention settings, as the scripts that settle deliveries take
    them (deploy/lua/notification/lib.lua). */
void notifier_add_retention (notifier_t *self, cg_args_t *args);

/*  Runs notify_enqueue on a batch of count deliveries; cursor_key NULL for
    deliveries no event caused.  Returns 0, 1 when the cursor had moved,
    -1 when Redis failed. */
int notifier_enqueue (notifier_t *self, const char *cursor_key, int64_t expected,
                      int64_t next, cg_args_t *batch, int count);

/*  A log line (notify.attempt msgpack) appended to args. */
void notifier_add_attempt (cg_args_t *args, const char *id, int64_t at, const char *channel,
                           int64_t attempt, const char *outcome, const char *detail);

/*  The org a recipient (person:<id>, unit:<code>) belongs to, or NULL. */
const cg_org_node_t *notifier_org_of (notifier_t *self, const char *recipient);

/*  The center a notice about case_id (may be NULL) for recipient (may be
    NULL) concerns: the case's own (dispatch's record), else the nearest
    center above the recipient; NULL when neither is known. */
const cg_org_node_t *notifier_center_of (notifier_t *self, const char *case_id,
                                         const char *recipient);

/*  Publishes on the bus what a script appended to notification's journal
    (docs/JOURNAL.md): the reply's elements [from, to), as triples of
    topic, seq and body (to past the end: to its end). */
void notifier_publish (notifier_t *self, redisReply *r, size_t from, size_t to);

/*  courier.c: the outbox worker and the acknowledgement watch, on loop. */
int courier_attach (notifier_t *self, zloop_t *loop);

/*  courier.c: deliveries were queued; send what is due now rather than
    at the next tick. */
void courier_wake (notifier_t *self);

/*  courier.c: drops what is in flight (before the loop goes, and before
    notifier_destroy). */
void courier_detach (notifier_t *self);

/*  Its part of `metrics` (cg_command.h): attempts settled by channel and
    outcome since start, dead letters, urgent notices awaiting
    acknowledgement, deliveries queued. */
cg_metrics_fn courier_on_metrics;

/*  commands.c */
/*  The event whose SMS to the citizen asks for the rating (1/2/3). */
#define NOTIFIER_ASKS_RATING "case.resolved"

void commands_register (notifier_t *self);

#endif
