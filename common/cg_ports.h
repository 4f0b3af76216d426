/*  cg_ports — free TCP ports on the loopback for a private stack or a
    test's own server.

    Ports are chosen below the kernel's ephemeral range
    (/proc/sys/net/ipv4/ip_local_port_range).  A port inside that range
    can be taken between the check and the bind by any outgoing connection
    of the machine, and, worse, a client reconnecting to a daemon that is
    down (ZeroMQ retries every 100 ms while a killed daemon restarts) can
    be given that very port as its own source port and connect to itself,
    so that the daemon cannot bind it when it comes back. */
#ifndef CG_PORTS_H_INCLUDED
#define CG_PORTS_H_INCLUDED

/*  The first of span consecutive ports that are all free now, aligned on
    span; -1 when none is found. */
int cg_ports_free_base (int span);

#endif
