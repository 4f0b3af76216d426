/*  bench — what `make bench` measures, and the few things every part of it
    shares.

    civgrid-bench runs against a stack that tools/run-bench.sh started
    (`civgrid stack up --dir DIR --port-base auto`, Redis with AOF and
    appendfsync always, as in production) and measures each figure beside the limit of the part
    that bounds it (docs/BENCHMARKS.md):
      transport.c   raw ZeroMQ PUSH -> PULL of event-sized msgpack messages
      store.c       redis-benchmark -P 32 on the commands civgrid uses, and
                    what one case costs Redis (INFO commandstats, INFO cpu)
      load.c        the load generator: several submitter processes, each
                    with its own DEALER pipelining case.submit (or a channel's
                    command) to intake, and a bus subscriber that times each
                    case.dispatched (or case.received)
      intake.c      intake's channels: requests accepted per second and the
                    time to case.received, each channel through its own command
      scenarios.c   growth, Redis memory by class of key, sustained end to
                    end with CPU per case of every part, the ladder of
                    offered loads, recovery after kill -9, peak RSS
      dispatch.c    dispatch's own: cases dispatched per second, and
                    case.received -> case.dispatched on the bus
      stats.c       city statistics over a month and five years, on five
                    years of counters at Nantong's volume
      report.c      the figures: printed as they come, one table at the
                    end, results.json
      gateway.c     Open311 over HTTP with wrk
      archive.c     closed cases leaving Redis for the archive, and search
      needs.c       matching needs to offers over a town: proposals per second
      failover.c    the cost of WAIT for a replica; recovery from a master
                    failover and from a standby's take-over (ONLY=failover)
      main.c        the plan, in order, within a time budget

    Every figure is repeated (at least three times) and kept as its median
    with min and max.  A figure never fails the run: a target missed is
    printed as such, and the run goes on. */
#ifndef BENCH_H_INCLUDED
#define BENCH_H_INCLUDED

#include "cg_daemon.h"
#include "cg_sample.h"

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#define BENCH_REPEATS 3

/*  The stack under test and the run's settings. */
typedef struct {
    const char *dir;            /* the stack's folder */
    const char *out;            /* where results go (build/bench) */
    const char *bindir;         /* where the civgrid CLI is */
    bool quick;                 /* QUICK=1: the same plan, smaller */
    zconfig_t *config;          /* DIR/civgrid.cfg */
    cg_redis_t *redis;
    int redis_port;
    const char *intake, *dispatch, *subscribe;
    char **grids;               /* grid codes of the org tree */
    size_t ngrids;
    char **categories;          /* category codes of the catalog */
    size_t ncategories;
    char **units;               /* unit codes of the org tree */
    size_t nunits;
} bench_t;

/*  One figure of the table, with the limit it stands beside. */
typedef struct {
    const char *section;        /* transport, store, e2e, growth, ... */
    const char *name;
    const char *unit;
    double med, min, max;
    double limit;               /* 0 when the figure has none */
    const char *limit_name;
    const char *target;         /* the target, as text */
    int verdict;                /* 1 met, 0 missed, -1 no target */
} bench_figure_t;

/*  Records a figure (printed as it comes, and again in the table at the
    end); bench_figures_json writes them all as a JSON member "figures". */
void bench_figure (bench_t *b, const bench_figure_t *f);
void bench_table_print (FILE *out);
void bench_figures_json (FILE *out);

/*  Median, min and max of n values (reorders v). */
void bench_spread (double *v, size_t n, double *med, double *min, double *max);
/*  The p-quantile (0..1) of n values sorted ascending. */
double bench_quantile (const double *sorted, size_t n, double p);
int bench_cmp_double (const void *a, const void *b);

/*  Microseconds on the monotonic clock, the same in every process of the
    machine, so a submitter's timestamp can be read by the subscriber. */
static inline int64_t
bench_now_us (void)
{
    struct timespec ts;
    clock_gettime (CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*  Reads a stack's configuration into b (its endpoints, grids and
    categories) and, when connect_redis, connects to its Redis; 0 or -1. */
int bench_open (bench_t *b, const char *dir, bool connect_redis);

/*  Sends case.<action> for every case of ids as operator:bench, at most
    128 outstanding on dealer; returns how many were refused or not
    answered. */
int bench_act_on_all (zsock_t *dealer, char **ids, int n, const char *action);

/*  CPU time (user and system) a part of the stack used so far, µs. */
double bench_cpu_us (bench_t *b, const char *part);

/*  The pid of a part of the stack (run/PART.pid), or 0. */
pid_t bench_pid_of (bench_t *b, const char *part);
/*  `civgrid stack VERB --dir DIR` in the background; returns the process.
    `up` starts what is missing and returns once it answers. */
pid_t bench_stack (bench_t *b, const char *verb);
/*  The same, waited for: 0 when it succeeded. */
int bench_stack_wait (bench_t *b, const char *verb);

/*  An integer from Redis (a GET, an INFO field): `otherwise` when absent. */
int64_t bench_redis_int (bench_t *b, int64_t otherwise, const char *fmt, ...);
/*  A numeric field of an INFO section ("used_memory"), or -1. */
double bench_info_field (bench_t *b, const char *section, const char *field);

/* --- the parts --------------------------------------------------------------- */

/*  Returns the median rate, msgs/s. */
double transport_run (bench_t *b);

/*  What one case costs Redis, measured over a run. */
typedef struct {
    double calls_per_case;      /* script calls (EVALSHA) */
    double commands_per_case;   /* every other command, most of them inside scripts */
    double cpu_us_per_case;     /* Redis main-thread CPU per case */
} store_cost_t;

/*  The pipelined limits; returns the EVALSHA rate and the rate of the
    commands the scripts use (harmonic mean), for the bound. */
void store_limits (bench_t *b, double *evalsha_rate, double *command_rate);
void store_cost_begin (bench_t *b);
void store_cost_end (bench_t *b, int64_t cases, store_cost_t *cost);

typedef struct {
    const char *channel;        /* the command sent: NULL is case.submit; else an intake
                                   channel's (intake_channel) */
    bool time_received;         /* time to case.received rather than to case.dispatched */
    double offered;             /* cases/s in all; 0: as fast as the stack takes them */
    double seconds;             /* how long to submit */
    int64_t count;              /* stop after this many (0: no limit) */
    int clients;                /* submitter processes */
    int window;                 /* requests outstanding per submitter */
    bool await_dispatch;        /* false: measure intake alone (recovery backlog) */
    bool time_hop;              /* also time case.received -> case.dispatched (dispatch.c) */
} load_spec_t;

typedef struct {
    int64_t sent, accepted, refused, lost;
    int64_t stray;              /* answers matching no outstanding request id */
    int64_t seen;               /* events timed (case.dispatched, or case.received) */
    int64_t merged;             /* requests that joined an open case (case.merged) */
    double seconds;             /* first submission to the last inbox entry */
    double throughput;          /* accepted cases / seconds */
    double p50, p99, p999;      /* ms, submission to case.dispatched (or case.received) */
    /*  with time_hop: the subscriber's arrival times of both events */
    int64_t hops;               /* cases whose case.received and case.dispatched it saw */
    double hop_p50, hop_p99;    /* ms, case.received -> case.dispatched */
    double dispatch_rate;       /* timed events per second, first to last seen */
} load_result_t;

/*  One request of a submitter: its number k, when it was due, its request
    id, a reference unique to it ("B<run>-<index>-<k>-<pid>"), and the mark
    "B<run> <due µs>" its text must hold for the parent to time it. */
typedef struct {
    int run, index;
    int64_t k, due;
    const char *rid, *ref, *mark;
} load_request_t;

/*  The text of request r: its mark, then a text as a hotline writes it
    (common/cg_sample.h: 100 to 2,000 bytes of Chinese, median 800), its
    own for each request. */
#define BENCH_TEXT_MAX  (64 + CG_SAMPLE_MAX)
void bench_text (const load_request_t *r, char *buf, size_t size);

/*  Encodes request r into buf; returns the command's name, or NULL with err. */
typedef const char *(load_make_fn) (bench_t *b, const load_request_t *r, msgpack_sbuffer *buf,
                                    cg_error_t *err);

int load_run (bench_t *b, const load_spec_t *spec, load_result_t *out);
/*  Waits (2 minutes at most) until consumer's cursor on journal reaches
    the journal's head as it is now: dispatch's on intake, notification's
    on dispatch. */
void load_await_cursor (bench_t *b, const char *consumer, const char *journal);
/*  The submitter process (civgrid-bench submit ...), which load_run starts. */
void load_submitter (bench_t *b, const load_spec_t *spec, int run, int index, int fd,
                     int64_t start);

/* --- the scenarios (scenarios.c) -------------------------------------------- */

/*  The limits measured first, which the end-to-end figures stand beside. */
typedef struct {
    double transport_rate;      /* ZeroMQ PUSH->PULL, msgs/s */
    double evalsha_rate;        /* EVALSHA of a trivial script, pipelined */
    double command_rate;        /* the scripts' commands, pipelined (harmonic mean) */
} bench_limits_t;

/*  One offered load: median, min, max of each figure over the repeats. */
typedef struct {
    double offered;
    double throughput[3], p50[3], p99[3], p999[3];
    int64_t accepted, seen, refused, stray;
} load_point_t;

/*  One level of stored cases. */
typedef struct {
    int64_t target, stored;
    double bytes_per_case;
    double throughput[3], p99[3];
    double list_p99[2], stats_p99[2];   /* county, city; 0 when not available */
} growth_point_t;

void scenario_warm_up (bench_t *b);
void scenario_sustained (bench_t *b, const bench_limits_t *limits);
/*  The sustained load with appendfsync everysec and with always, side by
    side; leaves Redis as the stack configured it. */
void scenario_fsync (bench_t *b);
void scenario_ladder (bench_t *b);
/*  Stores cases up to each level and measures there, leaving time for every
    level's figures and the census by deadline_us. */
void scenario_growth (bench_t *b, int64_t deadline_us);
/*  The stack stopped, its store emptied, the stack started again: growth
    starts from nothing. */
int scenario_fresh_store (bench_t *b);
/*  Redis memory per stored case, by class of key. */
void scenario_memory (bench_t *b);
/*  What closing adds to a stored case, and so Redis memory per closed case
    (after scenario_memory). */
void scenario_closed (bench_t *b);
/*  kill -9 of dispatch with a backlog, until deadline_us at most. */
void scenario_recovery (bench_t *b, int64_t deadline_us);
void scenario_sample_rss (bench_t *b);
void scenario_rss_report (bench_t *b);
/* --- the services' own figures ---------------------------------------------- */

void bench_notification (bench_t *b);

/*  The "loads" and "growth" members of results.json; loads.dat and
    limits.gp for gnuplot, in the folder out. */
void scenario_json (FILE *out);
void scenario_plot_data (const char *out);

/* --- the services' own figures ------------------------------------------------- */

/*  Journals' bytes per stored case, and the cost of a trim (journal.c). */
void bench_journal (bench_t *b);
/*  The archive (archive.c): Redis memory per closed case before and after
    archiving, archive throughput, search p99, the archive's RSS, on a
    stack of its own with the test clock. */
void bench_archive (bench_t *b);
/*  The archive at volume alone (part of bench_archive): 1M archived and
    50,000 open cases, and the figures there (ONLY=volume). */
void bench_archive_volume (bench_t *b);
/*  Writes n closed cases into the archive file at path through the
    archive's store_put, with the org tree of config and the stack's grids
    and categories; returns cases a second, or -1 (archive_load.c). */
double bench_archive_load (const char *path, zconfig_t *config, char **grids, size_t ngrids,
                           char **categories, size_t ncategories, int64_t n);
/*  civgrid-bench archive-load FILE STACKDIR N */
int bench_archive_load_main (int argc, char **argv);
/*  Dispatch's hop, case.received -> case.dispatched, and its rate (dispatch.c). */
void bench_dispatch (bench_t *b);
/*  Requests accepted per second by channel, and the time to case.received
    (intake.c). */
void bench_intake (bench_t *b);
/*  Replicas, Sentinels and standbys (failover.c): the cost of WAIT, the
    time to recover from a master failover and from a standby take-over. */
void bench_failover (bench_t *b);
/*  The request maker of an intake channel's command (bench/intake.c), or
    NULL when there is none or the stack lacks the data it needs. */
load_make_fn *intake_channel (bench_t *b, const char *command);
/*  Open311 POST requests and GET requests/{id} over HTTP (gateway.c). */
void bench_gateway (bench_t *b);
/*  The fund's ledger: transfers a second, single and in linked batches,
    with the p99 latency of a call (fund.c). */
void bench_fund (bench_t *b);
/*  Votes per second on one ballot, and the tally's latency (consultation.c). */
void bench_consultation (bench_t *b);
/*  needs.c: matching needs to offers (供需对接), proposals per second */
void bench_needs (bench_t *b);
/*  City statistics over a month and over five years, on five years of
    counters at Nantong's volume (stats.c). */
void bench_stats (bench_t *b);

/*  p99 in ms of `n` calls of a command to dispatch, the query encoded from
    its definition (a fresh rid each call; with n > 1 one untimed call
    first opens the connection); 0 when the daemon refused it, and the
    refusal in why (scenarios.c). */
double bench_query_p99 (bench_t *b, const char *command, const cg_msgdef_t *def, void *query,
                        int n, char *why, size_t whylen);

#endif
