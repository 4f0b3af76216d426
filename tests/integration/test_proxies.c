/*  Behind a TLS proxy every client shares the proxy's address (issue #17):
    the gateway believes X-Forwarded-For and X-Real-IP from the proxies
    named in gateway/proxies only, takes the last hop that is not one of
    them, and so limits the rate (and writes the audit log) per client.
    Real HTTP from two loopback addresses: 127.0.0.2 plays the proxy. */
#include <criterion/criterion.h>
#include "cg_testenv.h"

#define S_PROXY     "127.0.0.2"
#define S_LIMIT     3           /* requests a minute from one address */

/*  GET /api/v1/me (no token: 401 once the address's budget allows it)
    from the loopback address `from`, with a header (may be NULL); the
    status, and the body in body. */
static int
s_get (cg_teststack_t *stack, const char *from, const char *header, char *body, size_t len)
{
    char command[1024];
    snprintf (command, sizeof command, "curl -s --max-time 10 --interface %s %s%s%s "
              "-w '\\n%%{http_code}' http://127.0.0.1:%s/api/v1/me", from,
              header ? "-H '" : "", header ? header : "", header ? "'" : "",
              zconfig_get (stack->config, "gateway/http_port", ""));
    FILE *p = popen (command, "r");
    cr_assert (p);
    size_t n = fread (body, 1, len - 1, p);
    body[n] = 0;
    pclose (p);
    char *last = strrchr (body, '\n');
    cr_assert (last, "no answer: %s", command);
    *last = 0;
    return atoi (last + 1);
}

/*  Sends until the address's budget runs out (a minute that turns on the
    way gives it a new one: up to twice the limit and more) and returns
    the 429's body, which names the address it counted. */
static void
s_exhaust (cg_teststack_t *stack, const char *from, const char *header, const char *counted)
{
    char body[2048];
    for (int i = 0; i < 2 * S_LIMIT + 2; i++) {
        int status = s_get (stack, from, header, body, sizeof body);
        if (status == 429) {
            char words[128];
            snprintf (words, sizeof words, "too many requests from %s;", counted);
            cr_assert (strstr (body, words), "counted as someone else: %s", body);
            return;
        }
        cr_assert_eq (status, 401, "%s", body);
    }
    cr_assert_fail ("%s (%s) was never limited", from, header ? header : "no header");
}

Test (proxies, forwarded_addresses_are_believed_from_our_proxies_only, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set gateway/proxies=" S_PROXY
                                             " --set gateway/rate_address=3");
    char body[2048];
    /*  from anyone else the header is not believed: 127.0.0.1 is counted */
    s_exhaust (stack, "127.0.0.1", "X-Forwarded-For: 203.0.113.7", "127.0.0.1");
    /*  through the proxy, the client it names */
    s_exhaust (stack, S_PROXY, "X-Forwarded-For: 203.0.113.7", "203.0.113.7");
    /*  what a client wrote to the left of the proxy's hop is not believed:
        198.51.100.2 has a budget of its own, whatever it claims */
    cr_assert_eq (s_get (stack, S_PROXY, "X-Forwarded-For: 203.0.113.7, 198.51.100.2", body,
                         sizeof body), 401, "%s", body);
    /*  a chain of our proxies: the last hop not ours */
    cr_assert_eq (s_get (stack, S_PROXY, "X-Forwarded-For: 198.51.100.4, " S_PROXY, body,
                         sizeof body), 401, "%s", body);
    /*  X-Real-IP when there is no X-Forwarded-For */
    s_exhaust (stack, S_PROXY, "X-Real-IP: 2001:db8::5", "2001:db8::5");
    /*  a hop that is no address: the proxy itself is counted */
    s_exhaust (stack, S_PROXY, "X-Forwarded-For: <script>", S_PROXY);
    cg_teststack_down (&stack);
}
