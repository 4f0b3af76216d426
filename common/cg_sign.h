/*  cg_sign — HMAC-SHA256 signatures between civgrid and the 12345 hotline.

    The hotline signs what it pushes to us, and we sign the status callbacks
    we push to it, the same way: the signature is the lower-case hex
    HMAC-SHA256, under a secret shared per hotline, of

        timestamp + "\n" + body

    where timestamp is the decimal Unix seconds sent beside it (a header
    at the HTTP edge).  Binding the time in stops replays of old messages;
    the receiver refuses a timestamp too far from its own clock. */
#ifndef CG_SIGN_H_INCLUDED
#define CG_SIGN_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "cg_redis.h"

#define CG_SIGN_HEX 65          /* 64 hex digits and the terminator */

/*  The HTTP headers, the same both ways: the hotline's pushes to the
    gateway and our status callbacks to the hotline (CG_SIGN_CALLBACK). */
#define CG_SIGN_HEADER_SOURCE       "X-CG-Hotline"      /* the hotline's id */
/*  The SMS gateway signs the replies it passes on the same way, naming
    itself in its own header. */
#define CG_SIGN_HEADER_SMS          "X-CG-SMS-Gateway"  /* the SMS gateway's id */
#define CG_SIGN_HEADER_TIME         "X-CG-Timestamp"    /* Unix seconds */
#define CG_SIGN_HEADER_SIGNATURE    "X-CG-Signature"    /* cg_sign's hex */
/*  Every delivery civgrid pushes names itself, so a receiver can drop repeats. */
#define CG_DELIVERY_HEADER          "X-CG-Delivery"

/*  Writes the signature into hex (CG_SIGN_HEX bytes). */
void cg_sign (const char *secret, int64_t timestamp, const void *body, size_t size,
              char hex[CG_SIGN_HEX]);

/*  True when hex is the signature of (timestamp, body), compared in
    constant time. */
bool cg_sign_check (const char *secret, int64_t timestamp, const void *body, size_t size,
                    const char *hex);

/* --- a hotline's secrets, rotated without a restart ----------------------- */

/*  Before its first rotation the secret of a sender of signed pushes (kind
    hotline or sms) is the configuration's gateway/<kind>/<id>.  `civgrid secret rotate hotline ID` makes a new
    one and keeps both in the gateway's Redis keys,

        cg:{gateway}:secret:<kind>:<id>    current, previous,
                                           previous_until (ms), rotated (ms)

    from then on the store's secrets win over the configuration's, and a
    signature made with the previous one is good until previous_until, so
    the hotline switches when it is ready and no push is refused meanwhile. */
#define CG_SIGN_SECRET_MAX  129     /* bytes of a secret, with the terminator */

/*  Our own side: the secret notification signs the status callbacks to a
    hotline with (kind "callback", source the hotline, "hotline" while there
    is one) rotates the same way, `civgrid secret rotate callback`, and
    lives in notification's keys, cg:{notification}:secret:callback:<id>;
    before its first rotation it is notify.cfg's channels/hotline_secret.
    While the previous one is good, a callback carries a signature under
    each (CG_SIGN_HEADER_PREVIOUS), so the hotline switches when it is
    ready and no callback is refused meanwhile. */
#define CG_SIGN_CALLBACK            "callback"
#define CG_SIGN_HEADER_PREVIOUS     "X-CG-Signature-Previous"

/*  The secrets a signature of source may be made with at now: the current
    one first, then the previous while it is good; configured (may be NULL)
    when the store has none.  Returns how many (0: source is unknown), or -1
    when the store cannot be read. */
int cg_sign_secrets (cg_redis_t *redis, const char *kind, const char *source,
                     const char *configured, int64_t now,
                     char secrets[2][CG_SIGN_SECRET_MAX]);

/*  Makes a new secret for source (256 random bits in hex) into made, keeps
    the one it replaces (the store's, else configured) good for grace_ms
    more.  Returns 0, or -1 when the store cannot be written. */
int cg_sign_rotate (cg_redis_t *redis, const char *kind, const char *source,
                    const char *configured, int64_t now, int64_t grace_ms,
                    char made[CG_SIGN_SECRET_MAX]);

#endif
