/*  HTTPS at the gateway (issue #17): with a certificate and key from the
    configuration the gateway speaks only TLS, and takes a renewed pair
    from the next handshake on, without a restart; a renewal half copied
    (a new certificate beside the old key) is refused and the pair before
    stays.  Real TLS with curl; the pairs made by openssl. */
#include <criterion/criterion.h>
#include "cg_testenv.h"

#include <sys/stat.h>

/*  A self-signed pair for 127.0.0.1: DIR/NAME.crt and DIR/NAME.key. */
static void
s_pair (const char *dir, const char *name)
{
    char out[4096];
    cr_assert_eq (cg_test_shell (out, sizeof out, "openssl req -x509 -newkey rsa:2048 -nodes "
                           "-days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
                           "-keyout %s/%s.key -out %s/%s.crt", dir, name, dir, name), 0,
                  "%s", out);
}

/*  GET /api/v1/me over scheme trusting DIR/ca.crt (NULL: the system's
    CAs); curl's exit code (60: the certificate is not trusted), its
    output in out. */
static int
s_get (cg_teststack_t *stack, const char *dir, const char *scheme, const char *ca, char *out,
       size_t len)
{
    char trust[700] = "";
    if (ca)
        snprintf (trust, sizeof trust, "--cacert %s/%s.crt", dir, ca);
    return cg_test_shell (out, len, "curl -s --max-time 10 %s %s://127.0.0.1:%s/api/v1/me", trust,
                    scheme, zconfig_get (stack->config, "gateway/http_port", ""));
}

/*  Puts DIR/from.ext in place of DIR/live.ext at once, as a renewal does. */
static void
s_renew (const char *dir, const char *from, const char *ext)
{
    char out[1024];
    cr_assert_eq (cg_test_shell (out, sizeof out, "cp %s/%s.%s %s/new.%s && "
                                 "mv %s/new.%s %s/live.%s", dir, from, ext, dir, ext, dir, ext,
                                 dir, ext), 0, "%s", out);
}

Test (tls, the_gateway_speaks_tls_and_takes_a_renewed_certificate, .timeout = 240)
{
    char dir[600];
    const char *tmp = getenv ("CG_TEST_TMP");
    snprintf (dir, sizeof dir, "%s/tls.XXXXXX", tmp ? tmp : "/tmp");
    cr_assert (mkdtemp (dir));
    s_pair (dir, "first");
    s_pair (dir, "second");
    s_renew (dir, "first", "crt");
    s_renew (dir, "first", "key");
    char extra[2048];
    snprintf (extra, sizeof extra, "--set gateway/tls_cert=%s/live.crt "
              "--set gateway/tls_key=%s/live.key", dir, dir);
    cg_teststack_t *stack = cg_teststack_up (extra);
    int gateway = cg_teststack_pid (stack, "gateway");
    char out[8192];

    /*  HTTPS with the certificate it was given; nothing in the clear */
    cr_assert_eq (s_get (stack, dir, "https", "first", out, sizeof out), 0, "%s", out);
    cr_assert (strstr (out, "\"field\":\"Authorization\""), "%s", out);
    cr_assert_neq (s_get (stack, dir, "http", NULL, out, sizeof out), 0, "plain: %s", out);
    cr_assert_eq (s_get (stack, dir, "https", "second", out, sizeof out), 60,
                  "a certificate it was not given: %s", out);

    /*  renewed by halves: a certificate beside the key of the one before
        is refused, and the pair before stays in use */
    s_renew (dir, "second", "crt");
    zclock_sleep (1200);
    cr_assert_eq (s_get (stack, dir, "https", "first", out, sizeof out), 0,
                  "the new certificate was taken without its key: %s", out);
    cr_assert_geq (cg_teststack_log_count (stack, "gateway",
                                           "is not the key of gateway/tls_cert"), 1);
    /*  the key follows: the next handshake has the new pair */
    s_renew (dir, "second", "key");
    zclock_sleep (1200);
    cr_assert_eq (s_get (stack, dir, "https", "second", out, sizeof out), 0, "%s", out);
    cr_assert (strstr (out, "Authorization"), "%s", out);
    cr_assert_eq (s_get (stack, dir, "https", "first", out, sizeof out), 60, "%s", out);
    cr_assert_geq (cg_teststack_log_count (stack, "gateway", "took the renewed certificate"), 1);
    cr_assert_eq (cg_teststack_pid (stack, "gateway"), gateway, "the gateway was restarted");

    /*  half a configuration stops the gateway, naming what is missing (the
        stack's gateway stopped first, letting go of its lease: else the one
        started here would wait as its standby) */
    cg_teststack_stop (stack, "gateway");
    const char *bin = getenv ("CG_BIN") ? getenv ("CG_BIN") : "build/asan/bin";
    int port = cg_test_free_port ();
    cr_assert_neq (cg_test_shell (out, sizeof out, "timeout 30 %s/civgrid-gateway -c "
                                  "%s/civgrid.cfg --set gateway/tls_key= --set "
                                  "gateway/endpoint=tcp://127.0.0.1:%d --set "
                                  "gateway/http_port=%d", bin, stack->dir, port, port + 1), 0);
    cr_assert (strstr (out, "gateway/tls_key is missing"), "%s", out);
    cg_teststack_down (&stack);
}
