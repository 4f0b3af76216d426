/*  tls — HTTPS at the gateway, its certificate renewed without a restart.

    With gateway/tls_cert and gateway/tls_key (PEM files: the certificate
    with its chain, and its key) the gateway speaks only HTTPS
    (libmicrohttpd over GnuTLS).  The pair is handed to GnuTLS by a
    callback at each handshake rather than once at start, so that a renewed
    certificate (the files replaced, e.g. by certbot) is taken from the
    next handshake on: the callback looks at the files' change times at
    most once a second and loads a changed pair; connections already open
    keep the pair they began with.  A pair that does not load is refused
    with the reason in the log, and the one before stays in use.  The pairs
    loaded are kept until the gateway stops, since a handshake in another
    thread may still be using an older one (renewals are rare). */
#include "gateway.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <sys/stat.h>

#define S_CHAIN_MAX     8       /* certificates in a chain */
#define S_PAIRS_MAX     64      /* renewals kept before the oldest is let go */

typedef struct {
    gnutls_pcert_st certs[S_CHAIN_MAX];
    unsigned ncerts;
    gnutls_privkey_t key;
} s_pair_t;

static struct {
    pthread_mutex_t lock;
    char cert_path[512], key_path[512];
    struct timespec cert_mtime, key_mtime;
    int64_t checked;            /* when the files were last looked at, monotonic ms */
    s_pair_t *pairs[S_PAIRS_MAX];
    size_t npairs;              /* the last is in use */
} s_tls = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
s_pair_free (s_pair_t *pair)
{
    for (unsigned i = 0; i < pair->ncerts; i++)
        gnutls_pcert_deinit (&pair->certs[i]);
    if (pair->key)
        gnutls_privkey_deinit (pair->key);
    free (pair);
}

/*  Whether the key is the certificate's: a renewal copies two files, and
    a handshake in between must not find a new certificate with the old
    key (nor the other way round). */
static bool
s_pair_matches (s_pair_t *pair)
{
    gnutls_pubkey_t of_key;
    gnutls_datum_t a = { NULL, 0 }, b = { NULL, 0 };
    bool same = false;
    if (gnutls_pubkey_init (&of_key) < 0)
        return false;
    if (gnutls_pubkey_import_privkey (of_key, pair->key, 0, 0) == 0
    &&  gnutls_pubkey_export2 (of_key, GNUTLS_X509_FMT_DER, &a) == 0
    &&  gnutls_pubkey_export2 (pair->certs[0].pubkey, GNUTLS_X509_FMT_DER, &b) == 0)
        same = a.size == b.size && memcmp (a.data, b.data, a.size) == 0;
    gnutls_free (a.data);
    gnutls_free (b.data);
    gnutls_pubkey_deinit (of_key);
    return same;
}

/*  Loads the pair from the files; NULL with the reason in why. */
static s_pair_t *
s_pair_load (char *why, size_t len)
{
    s_pair_t *pair = calloc (1, sizeof *pair);
    assert (pair);
    gnutls_datum_t cert = { NULL, 0 }, key = { NULL, 0 };
    int rc = gnutls_load_file (s_tls.cert_path, &cert);
    const char *what = "gateway/tls_cert";
    if (rc == 0) {
        pair->ncerts = S_CHAIN_MAX;
        rc = gnutls_pcert_list_import_x509_raw (pair->certs, &pair->ncerts, &cert,
                                                GNUTLS_X509_FMT_PEM, 0);
        if (rc < 0)
            pair->ncerts = 0;
    }
    if (rc >= 0) {
        what = "gateway/tls_key";
        rc = gnutls_load_file (s_tls.key_path, &key);
        if (rc == 0)
            rc = gnutls_privkey_init (&pair->key);
        if (rc == 0)
            rc = gnutls_privkey_import_x509_raw (pair->key, &key, GNUTLS_X509_FMT_PEM, NULL, 0);
    }
    gnutls_free (cert.data);
    if (key.data) {
        gnutls_memset (key.data, 0, key.size);
        gnutls_free (key.data);
    }
    if (rc < 0) {
        snprintf (why, len, "%s (%s): %s", what, streq (what, "gateway/tls_key")
                  ? s_tls.key_path : s_tls.cert_path, gnutls_strerror (rc));
        s_pair_free (pair);
        return NULL;
    }
    if (pair->ncerts == 0 || !s_pair_matches (pair)) {
        snprintf (why, len, "gateway/tls_key (%s) is not the key of gateway/tls_cert (%s)",
                  s_tls.key_path, s_tls.cert_path);
        s_pair_free (pair);
        return NULL;
    }
    return pair;
}

static bool
s_changed (const char *path, struct timespec *seen)
{
    struct stat st;
    if (stat (path, &st))
        return false;
    bool changed = st.st_mtim.tv_sec != seen->tv_sec || st.st_mtim.tv_nsec != seen->tv_nsec;
    *seen = st.st_mtim;
    return changed;
}

/*  A renewed pair, if the files changed (looked at once a second). */
static void
s_reload (void)
{
    int64_t now = zclock_mono ();
    if (now - s_tls.checked < 1000)
        return;
    s_tls.checked = now;
    bool cert = s_changed (s_tls.cert_path, &s_tls.cert_mtime);
    bool key = s_changed (s_tls.key_path, &s_tls.key_mtime);
    if (!cert && !key)
        return;
    char why[512];
    s_pair_t *pair = s_pair_load (why, sizeof why);
    if (!pair) {
        zsys_error ("gateway: the renewed certificate is refused, the one before stays: %s",
                    why);
        return;
    }
    if (s_tls.npairs == S_PAIRS_MAX) {
        s_pair_free (s_tls.pairs[0]);
        memmove (s_tls.pairs, s_tls.pairs + 1, (S_PAIRS_MAX - 1) * sizeof s_tls.pairs[0]);
        s_tls.npairs--;
    }
    s_tls.pairs[s_tls.npairs++] = pair;
    zsys_info ("gateway: took the renewed certificate of %s", s_tls.cert_path);
}

static int
s_on_handshake (gnutls_session_t session, const gnutls_datum_t *req_ca_dn, int nreqs,
                const gnutls_pk_algorithm_t *algos, int nalgos, gnutls_pcert_st **certs,
                unsigned int *ncerts, gnutls_privkey_t *key)
{
    (void) session, (void) req_ca_dn, (void) nreqs, (void) algos, (void) nalgos;
    pthread_mutex_lock (&s_tls.lock);
    s_reload ();
    s_pair_t *pair = s_tls.pairs[s_tls.npairs - 1];
    *certs = pair->certs;
    *ncerts = pair->ncerts;
    *key = pair->key;
    pthread_mutex_unlock (&s_tls.lock);
    return 0;
}

int
gw_tls_configure (gateway_t *gw, void **callback)
{
    const char *cert = cg_daemon_get (gw->daemon, "gateway/tls_cert", "");
    const char *key = cg_daemon_get (gw->daemon, "gateway/tls_key", "");
    *callback = NULL;
    if (!*cert && !*key)
        return 0;
    if (!*cert || !*key) {
        zsys_error ("gateway: HTTPS needs both gateway/tls_cert and gateway/tls_key; %s is "
                    "missing", *cert ? "gateway/tls_key" : "gateway/tls_cert");
        return -1;
    }
    snprintf (s_tls.cert_path, sizeof s_tls.cert_path, "%s", cert);
    snprintf (s_tls.key_path, sizeof s_tls.key_path, "%s", key);
    s_changed (cert, &s_tls.cert_mtime);
    s_changed (key, &s_tls.key_mtime);
    s_tls.checked = zclock_mono ();
    char why[512];
    s_pair_t *pair = s_pair_load (why, sizeof why);
    if (!pair) {
        zsys_error ("gateway: cannot use the certificate: %s", why);
        return -1;
    }
    s_tls.pairs[s_tls.npairs++] = pair;
    *callback = (void *) s_on_handshake;
    return 1;
}

void
gw_tls_end (void)
{
    pthread_mutex_lock (&s_tls.lock);
    for (size_t i = 0; i < s_tls.npairs; i++)
        s_pair_free (s_tls.pairs[i]);
    s_tls.npairs = 0;
    pthread_mutex_unlock (&s_tls.lock);
}
