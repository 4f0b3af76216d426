/*  dispatch — civgrid-dispatch's own figures: how many cases it dispatches
    a second, and how long it takes over a case, from case.received (intake
    journaled it) to case.dispatched (dispatch routed it, gave it its
    deadlines and journaled it).

    Both come from the load generator (load.c) with time_hop: its bus
    subscriber takes case.received as well as case.dispatched and stamps
    each on arrival with one clock, so the hop is dispatch's work on the
    case (the bus in, the batch's Lua call, the bus out) as any subscriber
    sees it, with intake's own time left out.  Two loads:
      - a light one (500 cases/s), where nothing queues before dispatch:
        the hop a case takes when dispatch is idle;
      - as fast as the submitters can go: the hop under load, and the
        case.dispatched events a second from the first to the last of the
        run, which is dispatch's rate whenever intake keeps up with it
        (intake's script costs about as much as dispatch's, so on one Redis
        the two share its CPU; the recovery scenario times dispatch alone,
        draining a backlog). */
#include "bench.h"

#define S_LIGHT     500     /* cases/s offered for the idle hop */

static void
s_figure (bench_t *b, const char *name, const char *unit, double *v, int n)
{
    bench_figure_t f = { .section = "dispatch", .name = name, .unit = unit, .verdict = -1 };
    bench_spread (v, n, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
}

/*  Runs spec BENCH_REPEATS times; the number of good runs, their figures
    in rate, p50 and p99. */
static int
s_runs (bench_t *b, const load_spec_t *spec, double *rate, double *p50, double *p99)
{
    int n = 0;
    int64_t hops = 0, accepted = 0;
    for (int r = 0; r < BENCH_REPEATS && !zsys_interrupted; r++) {
        load_result_t out;
        if (load_run (b, spec, &out) || out.hops == 0)
            continue;
        rate[n] = out.dispatch_rate;
        p50[n] = out.hop_p50;
        p99[n] = out.hop_p99;
        hops += out.hops;
        accepted += out.accepted;
        n++;
    }
    printf ("dispatch: %lld cases accepted, %lld timed from case.received to "
            "case.dispatched\n", (long long) accepted, (long long) hops);
    return n;
}

void
bench_dispatch (bench_t *b)
{
    printf ("== dispatch\n");
    double rate[BENCH_REPEATS], p50[BENCH_REPEATS], p99[BENCH_REPEATS];
    load_spec_t light = { .offered = S_LIGHT, .seconds = b->quick ? 1 : 4, .clients = 2,
                          .window = 64, .await_dispatch = true, .time_hop = true };
    int n = s_runs (b, &light, rate, p50, p99);
    if (n) {
        s_figure (b, "at 500/s: p50 received -> dispatched", "ms", p50, n);
        s_figure (b, "at 500/s: p99 received -> dispatched", "ms", p99, n);
    }
    load_spec_t full = { .seconds = b->quick ? 2 : 10, .count = b->quick ? 1500 : 12000,
                         .clients = 4, .window = 128, .await_dispatch = true,
                         .time_hop = true };
    n = s_runs (b, &full, rate, p50, p99);
    if (n) {
        s_figure (b, "dispatched/s, as fast as intake feeds", "cases/s", rate, n);
        s_figure (b, "full load: p50 received -> dispatched", "ms", p50, n);
        s_figure (b, "full load: p99 received -> dispatched", "ms", p99, n);
    }
}
