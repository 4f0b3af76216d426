/*  intake — see intake.h: loading what intake needs, and placing a request.

    Everything intake reads at start is data: the org tree and catalog every
    daemon reads, and intake's own category table, gazetteer, grid
    boundaries and device registry (docs/INTAKE.md).  A file that is wrong
    stops the start with its line number, rather than misplacing requests
    later.  The sealing key is required: intake keeps no personal data in
    the clear, so without a key it does not start. */
#include "intake.h"
#include "cg_case.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <ctype.h>

static void
s_device_free (void *item)
{
    intake_device_t *device = item;
    free (device->vendor);
    free (device->resident);
    free (device);
}

int
intake_load_devices (zhash_t *devices, cg_orgtree_t *org, const char *path, char *err,
                     size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return -1;
    char **f;
    int n;
    while ((n = cg_tsv_next (tsv, &f, err, errlen)) > 0) {
        const cg_org_node_t *home = n == 4 ? cg_orgtree_find (org, f[3]) : NULL;
        if (!home || home->kind != CG_ORG_GRID || strlen (f[0]) > 64) {
            cg_tsv_fail (tsv, err, errlen, "want device<TAB>vendor<TAB>resident<TAB>home grid");
            n = -1;
            break;
        }
        intake_device_t *device = cg_alloc (sizeof *device);
        device->vendor = cg_strdup (f[1]);
        device->resident = cg_strdup (f[2]);
        device->home = home;
        zhash_update (devices, f[0], device);
        zhash_freefn (devices, f[0], s_device_free);
    }
    cg_tsv_destroy (&tsv);
    return n < 0 ? -1 : 0;
}

/*  intake/extent, "west,south east,north": 0, or -1 when malformed. */
static int
s_load_extent (intake_t *self, const char *text)
{
    if (!*text)
        return 0;
    char corner[2][2][CG_COORD_MAX + 1];
    int used = 0;
    if (sscanf (text, "%16[^, ],%16[^, ] %16[^, ],%16[^, ]%n", corner[0][0], corner[0][1],
                corner[1][0], corner[1][1], &used) != 4 || text[used]
    ||  place_coord (corner[0][0], 180, &self->west) || place_coord (corner[0][1], 90, &self->south)
    ||  place_coord (corner[1][0], 180, &self->east) || place_coord (corner[1][1], 90, &self->north)
    ||  self->west >= self->east || self->south >= self->north)
        return -1;
    self->has_extent = true;
    return 0;
}

intake_t *
intake_new (cg_daemon_t *daemon)
{
    intake_t *self = cg_alloc (sizeof *self);
    self->daemon = daemon;
    self->devices = zhash_new ();
    msgpack_sbuffer_init (&self->record);
    msgpack_sbuffer_init (&self->event);
    char err[256] = "";
    const char *what = "org tree";
    self->org = cg_orgtree_load (cg_daemon_get (daemon, "data/orgtree", "deploy/demo/orgtree.tsv"),
                                 err, sizeof err);
    if (self->org) {
        what = "catalog";
        self->catalog = cg_catalog_load (cg_daemon_get (daemon, "data/catalog",
                                                        "deploy/demo/catalog.tsv"), err, sizeof err);
    }
    if (self->catalog) {
        what = "category table";
        self->classify = classify_new (self->catalog, cg_daemon_get (daemon, "data/intake_map",
                                       "deploy/demo/intake-categories.tsv"), err, sizeof err);
    }
    if (self->classify) {
        what = "gazetteer or grid boundaries";
        self->place = place_new (self->org, cg_daemon_get (daemon, "data/grids_geo", ""),
                                 cg_daemon_get (daemon, "data/gazetteer", ""), err, sizeof err);
    }
    if (self->place) {
        what = "lists of powers";
        self->powers_dir = cg_daemon_get (daemon, "data/powers", "deploy/demo/powers");
        self->powers = powers_new (self->org, self->powers_dir, err, sizeof err);
        if (!self->powers)
            self->place = (place_destroy (&self->place), NULL);
    }
    if (self->place) {
        what = "device registry";
        const char *devices = cg_daemon_get (daemon, "data/devices", "");
        if (*devices && intake_load_devices (self->devices, self->org, devices, err, sizeof err))
            self->place = (place_destroy (&self->place), NULL);
    }
    if (self->place) {
        what = "intake/key";
        char why[160] = "";
        self->privacy = cg_privacy_load (daemon->config, why, sizeof why);
        snprintf (err, sizeof err, "%s: a sealing key of 64 hex digits is required: civgrid "
                  "stack up writes one into a new stack; else set intake/key (openssl rand "
                  "-hex 32)", why);
    }
    if (self->privacy && s_load_extent (self, cg_daemon_get (daemon, "intake/extent", ""))) {
        what = "intake/extent";
        snprintf (err, sizeof err, "want west,south east,north in decimal degrees, like "
                  "120.50,31.80 121.30,32.30");
        cg_privacy_destroy (&self->privacy);
    }
    if (!self->privacy) {
        zsys_error ("intake: %s: %s", what, err);
        intake_destroy (&self);
        return NULL;
    }
    self->ids = cg_ids_new (daemon->redis, "cg:{intake}:ids", 1000);
    self->merge_window_ms = cg_daemon_int (daemon, "intake/merge_window_s") * 1000;
    self->merge_radius_m = (int) cg_daemon_int (daemon, "intake/merge_radius_m");
    self->alarm_max_age_ms = cg_daemon_int (daemon, "intake/alarm_max_age_s") * 1000;
    self->ext_keep_ms = cg_daemon_int (daemon, "intake/ext_keep_days") * CG_DAY_MS;
    self->reveal_roles = cg_strfmt (",%s,", cg_daemon_get (daemon, "intake/reveal_roles",
                                                           "callback,supervisor"));
    return self;
}

void
intake_on_fingerprint (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_caller_fingerprint_t *req = request;
    bool digits = false;
    for (const char *p = req->phone; *p; p++)
        digits |= isdigit ((unsigned char) *p) != 0;
    if (!digits) {
        cg_reply_fail (reply, "invalid", "phone", "a phone number needs digits");
        return;
    }
    char caller[80];
    cg_privacy_fingerprint (self->privacy, req->phone, caller, sizeof caller);
    cg_caller_print_t print = { .caller = caller };
    cg_reply_ok (reply, &cg_caller_print_def, &print);
}

/*  The archive holds these cases durably: their hashes leave Redis
    (deploy/lua/intake/intake_forget.lua). */
int
intake_on_archive (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    intake_t *self = arg;
    char key[128];
    cg_cursor_key (key, sizeof key, "intake", "archive");
    return cg_case_forget (self->daemon->redis, "intake_forget", INTAKE_PREFIX, key, cursor,
                           events, n, NULL, 0, false);
}

void
intake_destroy (intake_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    intake_t *self = *self_p;
    cg_orgtree_destroy (&self->org);
    cg_catalog_destroy (&self->catalog);
    classify_destroy (&self->classify);
    place_destroy (&self->place);
    powers_destroy (&self->powers);
    zhash_destroy (&self->devices);
    cg_privacy_destroy (&self->privacy);
    cg_ids_destroy (&self->ids);
    free (self->reveal_roles);
    msgpack_sbuffer_destroy (&self->record);
    msgpack_sbuffer_destroy (&self->event);
    cg_args_free (&self->batch);
    cg_args_free (&self->lookup);
    free (self->pending);
    cg_client_destroy (&self->archive);
    free (self);
    *self_p = NULL;
}

/*  The county above node (itself when it is one); NULL above the counties. */
static const cg_org_node_t *
s_county (intake_t *self, const cg_org_node_t *node)
{
    return node ? cg_orgtree_center_of (self->org, node, CG_ORG_COUNTY) : NULL;
}

int
intake_place (intake_t *self, intake_request_t *req, const char *grid,
              const char *lat, const char *lon, const char *address, const char *area,
              cg_reply_t *reply)
{
    const cg_org_node_t *scope = NULL;
    if (area) {
        scope = cg_orgtree_find (self->org, area);
        if (!scope || scope->kind == CG_ORG_UNIT) {
            cg_reply_fail (reply, "invalid", "area_code", "area \"%s\" is not in the org tree",
                           area);
            return -1;
        }
    }
    if (grid) {
        const cg_org_node_t *node = cg_orgtree_find (self->org, grid);
        if (!node || node->kind != CG_ORG_GRID) {
            cg_reply_fail (reply, "invalid", "grid", "grid \"%s\" is not in the org tree", grid);
            return -1;
        }
        req->grid = req->place = node;
    }
    if (lat || lon) {
        if (!lat || !lon) {
            cg_reply_fail (reply, "invalid", "lat", "latitude and longitude come together");
            return -1;
        }
        if (place_coord (lat, 90, &req->lat_deg)) {
            cg_reply_fail (reply, "invalid", "lat", "latitude \"%s\" is not decimal degrees "
                           "between -90 and 90", lat);
            return -1;
        }
        if (place_coord (lon, 180, &req->lon_deg)) {
            cg_reply_fail (reply, "invalid", "lon", "longitude \"%s\" is not decimal degrees between -180 and 180", lon);
            return -1;
        }
        req->lat = lat;
        req->lon = lon;
        req->has_point = true;
        if (!req->grid)
            req->grid = req->place = place_by_point (self->place, req->lat_deg, req->lon_deg);
    }
    const cg_org_node_t *narrowest = scope;
    if (address && !req->place)
        req->place = place_by_address (self->place, address, scope, &narrowest);
    if (req->place && req->place->kind == CG_ORG_GRID)
        req->grid = req->place;
    req->county = s_county (self, req->place ? req->place : narrowest);
    double centre_lat, centre_lon;
    if (!req->has_point && place_centre (self->place, req->grid, &centre_lat, &centre_lon) == 0) {
        snprintf (req->centre_lat, sizeof req->centre_lat, "%.6f", centre_lat);
        snprintf (req->centre_lon, sizeof req->centre_lon, "%.6f", centre_lon);
    }
    return 0;
}

int
intake_check_extent (intake_t *self, const intake_request_t *req, const char *field,
                     cg_reply_t *reply)
{
    if (!req->has_point || !self->has_extent
    ||  (req->lon_deg >= self->west && req->lon_deg <= self->east
         && req->lat_deg >= self->south && req->lat_deg <= self->north))
        return 0;
    cg_reply_fail (reply, "invalid", field, "lat/long %s,%s lies outside this jurisdiction "
                   "(%.4f to %.4f E, %.4f to %.4f N)", req->lat, req->lon, self->west,
                   self->east, self->south, self->north);
    return -1;
}

int
intake_check_urls (char **urls, size_t count, const char *field, bool photos,
                   cg_reply_t *reply)
{
    for (size_t i = 0; i < count; i++) {
        const char *url = urls[i];
        if (photos && cg_photo_ref_valid (url))
            continue;           /* a photo the gateway keeps (cg_photo.h) */
        bool ok = (strncmp (url, "https://", 8) == 0 || strncmp (url, "http://", 7) == 0)
                  && strlen (url) <= CG_URL_MAX && strlen (url) > 8;
        for (const char *p = url; ok && *p; p++)
            ok = (unsigned char) *p > 0x20 && *p != 0x7f;
        if (!ok) {
            cg_reply_fail (reply, "invalid", field, "%s[%zu] is not an http or https URL of at "
                           "most %d bytes without spaces%s", field, i, CG_URL_MAX,
                           photos ? ", nor a photo's address" : "");
            return -1;
        }
    }
    return 0;
}

int
intake_urgency (const char *urgency, bool *urgent, cg_reply_t *reply)
{
    if (!urgency || streq (urgency, "normal") || streq (urgency, "一般"))
        *urgent = false;
    else
    if (streq (urgency, "urgent") || streq (urgency, "紧急"))
        *urgent = true;
    else {
        cg_reply_fail (reply, "invalid", "urgency", "urgency \"%s\" is not normal (一般) or "
                       "urgent (紧急)", urgency);
        return -1;
    }
    return 0;
}

int
intake_check_phone (const char *phone, const char *field, cg_reply_t *reply)
{
    if (!phone)
        return 0;
    size_t digits = 0;
    for (const char *p = phone; *p; p++) {
        if (isdigit ((unsigned char) *p))
            digits++;
        else
        if (*p != '+' && *p != '-' && *p != ' ') {
            cg_reply_fail (reply, "invalid", field, "%s may hold only digits, +, - and spaces",
                           field);
            return -1;
        }
    }
    if (digits < 3) {
        cg_reply_fail (reply, "invalid", field, "%s has fewer than 3 digits", field);
        return -1;
    }
    return 0;
}
