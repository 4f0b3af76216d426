/*  consultation — the figures of civgrid-consultation (议事协商).

    Votes per second: a plain consultation of the largest body a topic may
    have (CG_ROSTER_MAX members, all registered present), and every member
    casts a vote at once, each from a DEALER of its own, as a meeting's
    phones would; the figure is the votes of the ballot over the time from
    the first vote sent to the last answer.  Each answer is the tally as
    it stands, so a vote costs its script and a read of the topic.

    Tally latency: topic.tally (the count, without closing) of that ballot
    once everyone has voted, one request after another, p50 and p99.

    The daemon is one thread, so votes queue there; the figures say how
    fast one community's meeting is counted, not how many meetings a city
    holds at once. */
#include "bench.h"
#include "cg_access.h"

#define S_BALLOTS_FULL      5       /* ballots per repeat */
#define S_TALLIES           200     /* tally requests timed per repeat */

static cg_client_t *
s_client (bench_t *b)
{
    return cg_client_new (zconfig_get (b->config, "consultation/endpoint", ""), 30000, 1);
}

/*  A decided-to-vote ballot: a topic of n invited members, its meeting
    open and everyone present.  Returns 0 with the topic id in id. */
static int
s_ballot (bench_t *b, cg_client_t *client, int run, int ballot, char *id, size_t len)
{
    static cg_topic_member_t invited[CG_ROSTER_MAX];
    static char ids[CG_ROSTER_MAX][16];
    static char *members[CG_ROSTER_MAX];
    (void) b;
    for (int i = 0; i < CG_ROSTER_MAX; i++) {
        snprintf (ids[i], sizeof ids[i], "bm%03d", i + 1);
        invited[i] = (cg_topic_member_t) { .body = "invited", .member = ids[i], .name = "业主",
                                           .role = "业主代表" };
        members[i] = ids[i];
    }
    char title[64];
    snprintf (title, sizeof title, "bench ballot %d.%d", run, ballot);
    cg_topic_create_t create = { .title = title, .scope = "320602001001", .source = "proposal",
                                 .procedure = "plain", .category = "other", .invited = invited,
                                 .invited_count = CG_ROSTER_MAX, .actor = "bench" };
    cg_topic_view_t view;
    cg_error_t err;
    if (cg_client_call (client, &cg_cmd_topic_create, &create, &view, &err)) {
        fprintf (stderr, "consultation: topic.create: %s\n", err.message);
        return -1;
    }
    snprintf (id, len, "%s", view.id);
    cg_msg_clear (&cg_topic_view_def, &view);
    cg_topic_act_t act = { .id = id, .actor = "bench" };
    if (cg_client_call (client, &cg_cmd_topic_stage, &act,
                        &view, &err)) {
        fprintf (stderr, "consultation: topic.stage: %s\n", err.message);
        return -1;
    }
    cg_msg_clear (&cg_topic_view_def, &view);
    act.members = members;
    act.members_count = CG_ROSTER_MAX;
    cg_topic_tally_t tally;
    if (cg_client_call (client, &cg_cmd_topic_meeting, &act,
                        &tally, &err)) {
        fprintf (stderr, "consultation: topic.meeting: %s\n", err.message);
        return -1;
    }
    cg_msg_clear (&cg_topic_tally_def, &tally);
    return 0;
}

/*  Every member votes at once; returns the seconds from the first vote
    sent to the last answer, or -1 when an answer did not come or was a
    refusal. */
static double
s_vote_all (bench_t *b, const char *id, int run, int ballot)
{
    zsock_t *dealers[CG_ROSTER_MAX];
    const char *endpoint = zconfig_get (b->config, "consultation/endpoint", "");
    for (int i = 0; i < CG_ROSTER_MAX; i++) {
        dealers[i] = zsock_new (ZMQ_DEALER);
        zsock_set_rcvtimeo (dealers[i], 30000);
        cg_access_connect (dealers[i], endpoint);
        zsock_connect (dealers[i], "%s", endpoint);
    }
    zclock_sleep (200);             /* the connections are made before the clock runs */
    int64_t start = bench_now_us ();
    for (int i = 0; i < CG_ROSTER_MAX; i++) {
        char rid[64], member[16];
        snprintf (rid, sizeof rid, "bench-vote-%d-%d-%d-%d", getpid (), run, ballot, i);
        snprintf (member, sizeof member, "bm%03d", i + 1);
        cg_topic_act_t vote = { .rid = rid, .id = (char *) id, .actor = "bench", .member = member,
                                .choice = i % 3 ? "yes" : "no" };
        msgpack_sbuffer body;
        msgpack_sbuffer_init (&body);
        cg_error_t err;
        cg_msg_encode (&cg_topic_act_def, &vote, &body, &err);
        cg_request_send (dealers[i], "topic.vote", rid, body.data, body.size);
        msgpack_sbuffer_destroy (&body);
    }
    bool all = true;
    for (int i = 0; i < CG_ROSTER_MAX; i++) {
        zmsg_t *answer = zmsg_recv (dealers[i]);
        all = all && answer && zframe_streq (zmsg_first (answer), "ok");
        zmsg_destroy (&answer);
    }
    double seconds = (bench_now_us () - start) / 1e6;
    for (int i = 0; i < CG_ROSTER_MAX; i++)
        zsock_destroy (&dealers[i]);
    return all ? seconds : -1;
}

/*  topic.tally, one after another; fills ms (count of them) sorted. */
static int
s_tallies (cg_client_t *client, const char *id, double *ms, int count)
{
    for (int i = 0; i < count; i++) {
        cg_topic_act_t act = { .id = (char *) id, .actor = "bench" };
        cg_topic_tally_t tally;
        cg_error_t err;
        int64_t start = bench_now_us ();
        if (cg_client_call (client, &cg_cmd_topic_tally, &act,
                            &tally, &err)) {
            fprintf (stderr, "consultation: topic.tally: %s\n", err.message);
            return -1;
        }
        ms[i] = (bench_now_us () - start) / 1e3;
        if (tally.voted != CG_ROSTER_MAX) {
            fprintf (stderr, "consultation: the tally counts %lld votes of %d\n",
                     (long long) tally.voted, CG_ROSTER_MAX);
            cg_msg_clear (&cg_topic_tally_def, &tally);
            return -1;
        }
        cg_msg_clear (&cg_topic_tally_def, &tally);
    }
    qsort (ms, count, sizeof *ms, bench_cmp_double);
    return 0;
}

void
bench_consultation (bench_t *b)
{
    printf ("== consultation\n");
    cg_client_t *client = s_client (b);
    int ballots = b->quick ? 1 : S_BALLOTS_FULL;
    int tallies = b->quick ? S_TALLIES / 4 : S_TALLIES;
    double rate[BENCH_REPEATS], p50[BENCH_REPEATS], p99[BENCH_REPEATS];
    static double ms[S_TALLIES];
    for (int run = 0; run < BENCH_REPEATS; run++) {
        char id[32] = "";
        double seconds = 0;
        for (int k = 0; k < ballots; k++) {
            double took = s_ballot (b, client, run, k, id, sizeof id) == 0
                        ? s_vote_all (b, id, run, k) : -1;
            if (took < 0) {
                fprintf (stderr, "consultation: a ballot failed; no consultation figures\n");
                cg_client_destroy (&client);
                return;
            }
            seconds += took;
        }
        rate[run] = ballots * CG_ROSTER_MAX / seconds;
        if (s_tallies (client, id, ms, tallies)) {
            cg_client_destroy (&client);
            return;
        }
        p50[run] = bench_quantile (ms, tallies, 0.5);
        p99[run] = bench_quantile (ms, tallies, 0.99);
    }
    cg_client_destroy (&client);

    char name[96];
    snprintf (name, sizeof name, "votes/s, %d voting at once, one ballot",
              CG_ROSTER_MAX);
    bench_figure_t f = { .section = "consultation", .name = name, .unit = "votes/s",
                         .verdict = -1 };
    bench_spread (rate, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    snprintf (name, sizeof name, "tally p50, ballot of %d members", CG_ROSTER_MAX);
    f = (bench_figure_t) { .section = "consultation", .name = name, .unit = "ms",
                           .verdict = -1 };
    bench_spread (p50, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
    snprintf (name, sizeof name, "tally p99, ballot of %d members", CG_ROSTER_MAX);
    f.name = name;
    bench_spread (p99, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
}
