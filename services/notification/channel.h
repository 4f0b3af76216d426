/*  channel — sending one batch of notices over the real channels.

    webhook  an HTTP POST of the notice as JSON (notify.message) to the
             recipient's URL: SMS gateways, WeCom/DingTalk-style robots;
    sms      the same, to the SMS gateway, with the phone number in `to`;
    hotline  the 12345 status callback: an HTTP POST of hotline.status as
             JSON, signed like the hotline's own pushes (common/cg_sign.h)
             with the headers X-CG-Timestamp (Unix seconds) and
             X-CG-Signature (hex HMAC-SHA256 of timestamp "\n" body);
    email    SMTP through libcurl, UTF-8 text with the subject encoded.
    Every request carries the delivery id (X-CG-Delivery; Message-ID for
    e-mail) so a receiver can drop repeats.  The in-app inbox is not here: it
    is a Redis write, done by the outbox scripts.

    Sending never holds the daemon's loop.  Every transfer is on one curl
    multi handle driven from the zloop: curl tells us which sockets to watch
    and when to wake it (its socket and timer callbacks become zloop pollers
    and a one-shot zloop timer), so any number of deliveries are in flight
    at once, and a receiver that hangs only holds its own delivery, for at
    most timeout_ms.  When transfers finish, channel calls back with all
    that finished in that turn of the loop. */
#ifndef CHANNEL_H_INCLUDED
#define CHANNEL_H_INCLUDED

#include "cg_msg.h"
#include "cg_redis.h"
#include <czmq.h>

typedef struct {
    const cg_notify_delivery_t *delivery;
    const char *channel;        /* webhook, sms, hotline, email */
    const char *address;        /* URL, or e-mail address */
    const char *to;             /* sms: the phone number */
    const char *text;           /* the text to send (a digest joins several) */
    int64_t now;
    void *owner;                /* the caller's, untouched */
    bool ok;                    /* out: the receiver took it */
    char detail[256];           /* out: its answer or the error */
} channel_job_t;

typedef struct _channel_t channel_t;

/*  Called from the loop with the jobs that finished in one turn of it. */
typedef void (channel_done_fn) (channel_job_t **jobs, size_t n, void *arg);

/*  Settings from the channels section of notify.cfg, its timeouts as
    notifier.c read and checked them (connect_ms to connect, timeout_ms
    for the whole send); transfers run on loop. */
channel_t *channel_new (zconfig_t *settings, int64_t connect_ms, int64_t timeout_ms,
                        zloop_t *loop, channel_done_fn *done, void *arg);

/*  Drops whatever is still in flight, without calling back. */
void channel_destroy (channel_t **self_p);

/*  True when the channel name is one this module sends. */
bool channel_known (const char *channel);

/*  Starts sending job, which must stay where it is until it is called back. */
void channel_start (channel_t *self, channel_job_t *job);

/*  Reads the secrets the hotline's callbacks are signed with now (cg_sign.h,
    CG_SIGN_CALLBACK: rotated by `civgrid secret rotate callback` with no
    restart); until the store has them, notify.cfg's hotline_secret. */
void channel_use_secrets (channel_t *self, cg_redis_t *redis, int64_t now);

#endif
