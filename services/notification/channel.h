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

    A batch goes out in parallel through one curl multi handle, and no
    transfer outlives its timeout, so the daemon's loop is held for at most
    one timeout per batch. */
#ifndef CHANNEL_H_INCLUDED
#define CHANNEL_H_INCLUDED

#include "cg_msg.h"
#include <czmq.h>

typedef struct {
    const cg_notify_delivery_t *delivery;
    const char *channel;        /* webhook, sms, hotline, email */
    const char *address;        /* URL, or e-mail address */
    const char *to;             /* sms: the phone number */
    const char *text;           /* the text to send (a digest joins several) */
    int64_t now;
    bool ok;                    /* out: the receiver took it */
    char detail[256];           /* out: its answer or the error */
} channel_job_t;

typedef struct _channel_t channel_t;

/*  Settings from the notify section of the configuration. */
channel_t *channel_new (zconfig_t *settings);
void channel_destroy (channel_t **self_p);

/*  True when the channel name is one this module sends. */
bool channel_known (const char *channel);

void channel_send (channel_t *self, channel_job_t *jobs, size_t n);

#endif
