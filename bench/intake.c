/*  intake — intake's own figures: for each channel (the 12345 hotline's
    orders, grid workers' reports, Open311 requests, device alarms), the
    requests accepted per second through intake's command channel, and the
    time from submission to `case.received` on the bus.

    Each figure comes from the load generator (load.c) with this file's
    request maker for the channel: 8 submitter processes, each with its own
    DEALER and many requests outstanding.  Throughput is measured at full
    speed; latency at a fixed 1,000 requests/s, where it says what intake's
    path costs rather than how long the queue in front of a saturated stack
    is.  Each run is timed to intake's event on the bus, then waits, untimed,
    until dispatch and notification have caught up.

    The requests are shaped as the channels send them.  Hotline orders name
    a community with its town's area code, so the gazetteer places them;
    grid reports and Open311 requests name a grid and a category spread
    over every grid and category of the demo region, so that few find an
    open case to join (those that do make case.merged, counted apart and
    not timed); alarms come from the registered devices.  Every request
    carries the caller's phone, so sealing it is part of the cost. */
#include "bench.h"
#include "cg_clock.h"

#include <unistd.h>

/*  Communities of the org tree (name, and the town whose code narrows the
    gazetteer's search) and registered devices, read once per submitter. */
typedef struct {
    char **code, **town, **name;
    size_t n;
} s_places_t;

static s_places_t s_communities, s_devices;

static void
s_read (const char *path, s_places_t *into, bool devices)
{
    FILE *f = fopen (path, "r");
    char line[1024];
    size_t cap = 0;
    while (f && fgets (line, sizeof line, f)) {
        char *cols[4] = { 0 }, *save = NULL;
        int c = 0;
        if (*line == '#')
            continue;
        for (char *tok = strtok_r (line, "\t\n", &save); tok && c < 4;
             tok = strtok_r (NULL, "\t\n", &save))
            cols[c++] = tok;
        if (c < (devices ? 1 : 4) || (!devices && strcmp (cols[2], "community")))
            continue;
        if (into->n == cap) {
            cap = cap ? cap * 2 : 256;
            into->code = realloc (into->code, cap * sizeof (char *));
            into->town = realloc (into->town, cap * sizeof (char *));
            into->name = realloc (into->name, cap * sizeof (char *));
            assert (into->code && into->town && into->name);
        }
        into->code[into->n] = strdup (cols[0]);
        into->town[into->n] = devices ? NULL : strdup (cols[1]);
        into->name[into->n] = devices ? NULL : strdup (cols[3]);
        into->n++;
    }
    if (f)
        fclose (f);
}

/*  Now as ISO 8601 with its offset, made again once a second. */
static const char *
s_now_iso (void)
{
    static char iso[CG_ISO_MAX];
    static int64_t second = -1;
    int64_t now = cg_clock_now ();
    if (now / 1000 != second) {
        second = now / 1000;
        cg_time_iso (now, iso, sizeof iso);
    }
    return iso;
}

/*  A slot among every grid and category, spread by a hash of the request. */
static uint64_t
s_slot (const load_request_t *r)
{
    uint64_t h = (uint64_t) r->run * 0x9E3779B97F4A7C15ull ^ (uint64_t) r->index << 40
                 ^ (uint64_t) r->k;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static const char *
s_hotline (bench_t *b, const load_request_t *r, msgpack_sbuffer *buf, cg_error_t *err)
{
    (void) b;
    size_t at = s_slot (r) % s_communities.n;
    char content[BENCH_TEXT_MAX], address[128], phone[16];
    bench_text (r, content, sizeof content);
    snprintf (address, sizeof address, "%s12号楼", s_communities.name[at]);
    snprintf (phone, sizeof phone, "139%08lld", (long long) (r->k % 100000000));
    cg_hotline_order_t req = {
        .rid = (char *) r->rid, .order_no = (char *) r->ref, .call_time = (char *) s_now_iso (),
        .caller_name = "张三", .caller_phone = phone, .class = "投诉", .content = content,
        .address = address, .area_code = s_communities.town[at] };
    return cg_msg_encode (&cg_hotline_order_def, &req, buf, err) ? NULL : "hotline.order";
}

static const char *
s_grid (bench_t *b, const load_request_t *r, msgpack_sbuffer *buf, cg_error_t *err)
{
    uint64_t slot = s_slot (r);
    char text[BENCH_TEXT_MAX], worker[32];
    bench_text (r, text, sizeof text);
    snprintf (worker, sizeof worker, "W%d", r->index);
    cg_grid_report_t req = {
        .rid = (char *) r->rid, .report_id = (char *) r->ref, .worker = worker,
        .grid = b->grids[slot % b->ngrids],
        .category = b->categories[slot / b->ngrids % b->ncategories], .text = text };
    return cg_msg_encode (&cg_grid_report_def, &req, buf, err) ? NULL : "grid.report";
}

static const char *
s_open311 (bench_t *b, const load_request_t *r, msgpack_sbuffer *buf, cg_error_t *err)
{
    uint64_t slot = s_slot (r);
    char text[BENCH_TEXT_MAX];
    bench_text (r, text, sizeof text);
    cg_open311_request_t req = {
        .rid = (char *) r->rid, .ext_ref = (char *) r->ref,
        .service_code = b->categories[slot / b->ngrids % b->ncategories],
        .address_id = b->grids[slot % b->ngrids], .description = text,
        .first_name = "三", .last_name = "张", .phone = "13912345678",
        .email = "zhang.san@example.cn" };
    return cg_msg_encode (&cg_open311_request_def, &req, buf, err) ? NULL : "open311.request";
}

static const char *
s_alarm (bench_t *b, const load_request_t *r, msgpack_sbuffer *buf, cg_error_t *err)
{
    (void) b;
    cg_device_alarm_t req = {
        .rid = (char *) r->rid, .alarm_id = (char *) r->ref,
        .device = s_devices.code[s_slot (r) % s_devices.n], .type = "fall",
        .at = (char *) s_now_iso (), .detail = (char *) r->mark };
    return cg_msg_encode (&cg_device_alarm_def, &req, buf, err) ? NULL : "device.alarm";
}

static const struct {
    const char *command, *name;
    load_make_fn *make;
} s_channels[] = {
    { "hotline.order", "hotline", s_hotline },
    { "grid.report", "grid report", s_grid },
    { "open311.request", "Open311", s_open311 },
    { "device.alarm", "device alarm", s_alarm },
};
#define S_NCHANNELS (sizeof s_channels / sizeof s_channels[0])

/*  Reads what the makers need from the stack's data; false when the stack
    has none of it. */
static bool
s_load (bench_t *b)
{
    if (!s_communities.n)
        s_read (zconfig_get (b->config, "data/orgtree", ""), &s_communities, false);
    if (!s_devices.n)
        s_read (zconfig_get (b->config, "data/devices", ""), &s_devices, true);
    return s_communities.n && s_devices.n;
}

load_make_fn *
intake_channel (bench_t *b, const char *command)
{
    for (size_t i = 0; i < S_NCHANNELS && s_load (b); i++)
        if (strcmp (s_channels[i].command, command) == 0)
            return s_channels[i].make;
    return NULL;
}

static void
s_figure (bench_t *b, const char *name, const char *unit, double v[BENCH_REPEATS])
{
    bench_figure_t f = { .section = "intake", .name = name, .unit = unit, .verdict = -1 };
    bench_spread (v, BENCH_REPEATS, &f.med, &f.min, &f.max);
    bench_figure (b, &f);
}

void
bench_intake (bench_t *b)
{
    printf ("== intake, by channel\n");
    if (!s_load (b)) {
        printf ("intake: the stack has no communities or no devices; not measured\n");
        return;
    }
    for (size_t i = 0; i < S_NCHANNELS; i++) {
        load_spec_t full = { .channel = s_channels[i].command, .time_received = true,
                             .seconds = b->quick ? 10 : 1.5, .count = b->quick ? 200 : 0,
                             .clients = 8, .window = 32 };
        /*  paced by count, not time: a submitter that starts late on a
            busy machine still sends them all */
        load_spec_t paced = full;
        paced.offered = 1000;
        paced.seconds = 30;
        paced.count = b->quick ? 200 : 1000;
        double rate[BENCH_REPEATS], p50[BENCH_REPEATS], p99[BENCH_REPEATS];
        int64_t accepted = 0, merged = 0, refused = 0;
        for (int r = 0; r < BENCH_REPEATS; r++) {
            load_result_t at_full, at_pace;
            if (load_run (b, &full, &at_full) || load_run (b, &paced, &at_pace))
                return;
            rate[r] = at_full.throughput;
            p50[r] = at_pace.p50;
            p99[r] = at_pace.p99;
            accepted += at_full.accepted + at_pace.accepted;
            merged += at_full.merged + at_pace.merged;
            refused += at_full.refused + at_full.lost + at_pace.refused + at_pace.lost;
        }
        char name[3][96];
        snprintf (name[0], sizeof name[0], "%s: accepted, 8 clients", s_channels[i].name);
        snprintf (name[1], sizeof name[1], "%s: p50 to case.received, 1k/s", s_channels[i].name);
        snprintf (name[2], sizeof name[2], "%s: p99 to case.received, 1k/s", s_channels[i].name);
        s_figure (b, name[0], "req/s", rate);
        s_figure (b, name[1], "ms", p50);
        s_figure (b, name[2], "ms", p99);
        printf ("intake %s: %lld accepted (%lld joined an open case), %lld refused or "
                "unanswered\n", s_channels[i].command, (long long) accepted, (long long) merged,
                (long long) refused);
    }
}
