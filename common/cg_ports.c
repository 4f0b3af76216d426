/*  cg_ports — free loopback ports below the ephemeral range (cg_ports.h).

    A random start, so that stacks started at once by several processes
    rarely try the same ports, then a walk over the aligned bases of the
    range until span ports in a row bind. */
#include "cg_ports.h"

#include <czmq.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define S_LOWEST        10000   /* above the ports of well-known services */

static bool
s_port_free (int port)
{
    int fd = socket (AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons (port),
                                .sin_addr.s_addr = htonl (INADDR_LOOPBACK) };
    bool free_ = bind (fd, (struct sockaddr *) &addr, sizeof addr) == 0;
    close (fd);
    return free_;
}

/*  The lowest ephemeral port, or 32768 (Linux's default) when unreadable. */
static int
s_ephemeral_low (void)
{
    int low = 32768, high = 60999;
    FILE *f = fopen ("/proc/sys/net/ipv4/ip_local_port_range", "r");
    if (f) {
        if (fscanf (f, "%d %d", &low, &high) != 2)
            low = 32768;
        fclose (f);
    }
    return low;
}

int
cg_ports_free_base (int span)
{
    static unsigned calls;
    int top = s_ephemeral_low ();
    if (span < 1 || top - S_LOWEST < span * 16)
        return -1;
    int bases = (top - S_LOWEST) / span;
    unsigned seed = (unsigned) (getpid () * 7919u ^ zclock_usecs () ^ (++calls * 104729u));
    int start = (int) (seed % (unsigned) bases);
    for (int i = 0; i < bases && i < 2000; i++) {
        int base = S_LOWEST + ((start + i) % bases) * span;
        bool ok = true;
        for (int port = base; port < base + span && ok; port++)
            ok = s_port_free (port);
        if (ok)
            return base;
    }
    return -1;
}
