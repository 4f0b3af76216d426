/*  cg_testreceiver — the far end of notification's channels, for tests.

    Starts tests/receiver as a process of its own (an HTTP server for
    webhooks, the SMS gateway and the 12345 hotline, and an SMTP sink, which
    writes one line per request it takes), tells it how to answer, reads
    what it took; and writes a notify folder (the shipped rules and
    templates, the test's people and settings) for data/notify. */
#ifndef CG_TESTRECEIVER_H_INCLUDED
#define CG_TESTRECEIVER_H_INCLUDED

#include "cg_testenv.h"

#define CG_TESTRECEIVER_SECRET  "hotline-shared-secret"

typedef struct {
    int pid, http, smtp;
    char log[600], url[64];
} cg_testreceiver_t;

void cg_testreceiver_start (cg_testreceiver_t *r);
void cg_testreceiver_stop (cg_testreceiver_t *r);

/*  How the receiver answers paths under /name/: ok, fail or hang. */
void cg_testreceiver_mode (cg_testreceiver_t *r, const char *name, const char *mode);

/*  The hotline switches to this secret for checking our callbacks. */
void cg_testreceiver_secret (cg_testreceiver_t *r, const char *secret);

/*  The lines of its log that hold every one of the words (NULL: no word). */
int cg_testreceiver_count (cg_testreceiver_t *r, const char *word1, const char *word2,
                           const char *word3);

/*  The same, polled until there are want of them or 60 s have passed. */
int cg_testreceiver_await (cg_testreceiver_t *r, int want, const char *word1,
                           const char *word2, const char *word3);

/*  people with every "URL" replaced by the receiver's base URL (a static
    buffer). */
char *cg_testreceiver_urls (cg_testreceiver_t *r, const char *people);

/*  A notify folder: deploy/notify's rules and templates, these people
    (directory.tsv) and a notify.cfg whose channels point at the receiver,
    whose transfers give up after timeout_ms, followed by settings (more
    sections: delivery, rate, digest).  Returns its path (a static buffer). */
char *cg_testreceiver_notify_dir (cg_testreceiver_t *r, const char *people, int timeout_ms,
                                  const char *settings);

#endif
