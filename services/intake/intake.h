/*  intake — the state every channel handler of civgrid-intake shares, and
    the one path by which any of them turns a request into a case.

    A channel handler (channels.c, and case.submit in submit.c) checks its
    own message, classifies it (classify.h), places it (intake_place) and
    fills an intake_request_t; intake_accept then seals the personal data,
    looks for an open case to merge it into, and adds it to the batch of
    requests the command server read in this wake-up (common/cg_command.h,
    "Batches").  intake_flush makes each of them a case or a supporter of
    one in a single Lua call (deploy/lua/intake/), answers each, and
    publishes their events. */
#ifndef INTAKE_INTAKE_H_INCLUDED
#define INTAKE_INTAKE_H_INCLUDED

#include "cg_daemon.h"
#include "cg_catalog.h"
#include "cg_ids.h"
#include "cg_orgtree.h"
#include "cg_photo.h"
#include "cg_privacy.h"
#include "classify.h"
#include "place.h"
#include "powers.h"

#define INTAKE_PREFIX   "cg:{intake}:"

typedef struct {
    cg_daemon_t *daemon;
    cg_orgtree_t *org;
    cg_catalog_t *catalog;
    classify_t *classify;
    place_t *place;
    powers_t *powers;               /* the lists of small and micro powers (data/powers) */
    const char *powers_dir;
    zhash_t *devices;               /* device id -> intake_device_t */
    cg_privacy_t *privacy;
    cg_ids_t *ids;
    int64_t merge_window_ms;        /* intake/merge_window_s */
    int merge_radius_m;             /* intake/merge_radius_m */
    int64_t alarm_max_age_ms;       /* intake/alarm_max_age_s */
    int64_t ext_keep_ms;            /* intake/ext_keep_days: references remembered */
    char *reveal_roles;             /* intake/reveal_roles, comma-separated */
    /*  intake/extent: the jurisdiction's bounding box, west, south, east,
        north in degrees; an Open311 point outside it is refused */
    double west, south, east, north;
    bool has_extent;
    msgpack_sbuffer record, event;
    cg_args_t batch;                /* the arguments of the next intake_submit call */
    cg_args_t lookup;               /* a command looking for open cases to merge into */
    struct intake_pending *pending; /* the requests in it, in order */
    size_t npending, cap;
    cg_client_t *archive;           /* reseal.c: the archive's records; NULL until needed */
    int64_t archive_pause;          /* reseal.c: no call to the archive before (mono ms) */
} intake_t;

/*  A registered alarm device (deploy/demo/devices.tsv). */
typedef struct {
    char *vendor;
    char *resident;                 /* personal data: never logged, shown masked */
    const cg_org_node_t *home;      /* its home grid */
} intake_device_t;

/*  A request in intake's own terms, whatever channel it came by.  Strings
    are borrowed from the channel's message. */
typedef struct {
    const char *source, *ext_ref;
    const char *ext_key;            /* the idempotency key when not ext_ref alone */
    const cg_category_t *category;
    const char *text;
    const char *address;
    const cg_org_node_t *grid;      /* set by intake_place when it found one */
    const cg_org_node_t *place;     /* the grid, or the community an address named */
    const cg_org_node_t *county;    /* for triage when unplaced; NULL: the city */
    const char *lat, *lon;          /* as given, checked */
    double lat_deg, lon_deg;
    bool has_point;
    /*  without a point: the centre of its grid's boundary, when surveyed,
        for those who map requests (Open311's lat/long); "" when none */
    char centre_lat[CG_COORD_MAX + 1], centre_lon[CG_COORD_MAX + 1];
    const char *name, *phone, *email;   /* personal data */
    const char *caller;             /* who, for recognising repeats: a worker, a device */
    const char *klass;
    bool urgent;
    bool may_merge;                 /* false for alarms and consultation tasks */
    int64_t reported, due;
    char **media;
    size_t media_count;
    const char *detail;             /* kept in intake's record only */
    const char *digest;             /* what a replay of its reference must match, or NULL */
    const char *ref_field;          /* the field that carries its reference */
} intake_request_t;

/*  Reads the registry of alarm devices (data/devices) into devices (id ->
    intake_device_t, freed with the hash); 0, or -1 with "path:LINE:
    reason" in err. */
int intake_load_devices (zhash_t *devices, cg_orgtree_t *org, const char *path, char *err,
                         size_t errlen);
intake_t *intake_new (cg_daemon_t *daemon);
void intake_destroy (intake_t **self_p);

/*  Places req from what the channel gave: a grid code, coordinates, an
    address within an area code.  Any may be NULL.  A malformed value is
    refused by field; a request intake cannot place
    is accepted unplaced.  Returns 0, or -1 with the refusal in reply. */
int intake_place (intake_t *self, intake_request_t *req, const char *grid,
                  const char *lat, const char *lon, const char *address, const char *area,
                  cg_reply_t *reply);

/*  0 when req's point (if any) lies within intake/extent (or there is
    none); else -1 with a refusal naming field. */
int intake_check_extent (intake_t *self, const intake_request_t *req, const char *field,
                         cg_reply_t *reply);

/*  Checks a list of URLs (http or https, printable, at most CG_URL_MAX),
    or, when photos, also the addresses of photos the gateway keeps
    ("photo:<sha-256>.<ext>", cg_photo.h). */
int intake_check_urls (char **urls, size_t count, const char *field, bool photos,
                       cg_reply_t *reply);

/*  Checks a phone number: digits, +, - and spaces, 3 to 20 of them. */
int intake_check_phone (const char *phone, const char *field, cg_reply_t *reply);

/*  Reads an urgency: absent, normal or 一般 is false, urgent or 紧急 true;
    anything else is refused naming `urgency`.  Returns 0 or -1. */
int intake_urgency (const char *urgency, bool *urgent, cg_reply_t *reply);

/*  How a request is answered: case.submitted, that with the case's
    receipt (a supervision report), or device.answer. */
typedef enum { INTAKE_ANSWER_CASE, INTAKE_ANSWER_RECEIPT, INTAKE_ANSWER_DEVICE } intake_answer_t;

/*  Adds req to the batch, to be made a case or a supporter of an open one
    by intake_flush, and defers reply until then.  Returns 0, or -1 with
    reply failed. */
int intake_accept (intake_t *self, const char *rid, intake_request_t *req,
                   intake_answer_t shape, cg_reply_t *reply);
/*  Stores the batch in one Lua call, answers each request in it and
    publishes their events (the command server's flush function). */
void intake_flush (void *self);

/*  The command handlers. */
void intake_on_submit (void *request, cg_reply_t *reply, void *arg);
void intake_on_hotline (void *request, cg_reply_t *reply, void *arg);
void intake_on_grid (void *request, cg_reply_t *reply, void *arg);
void intake_on_open311 (void *request, cg_reply_t *reply, void *arg);
void intake_on_alarm (void *request, cg_reply_t *reply, void *arg);
void intake_on_cancel (void *request, cg_reply_t *reply, void *arg);
void intake_on_get (void *request, cg_reply_t *reply, void *arg);
/*  caller.fingerprint: a phone's fingerprint, for searching by caller */
void intake_on_fingerprint (void *request, cg_reply_t *reply, void *arg);
/*  the lists of powers and their reports (supervision.c): powers.list,
    powers.show, power.report, data.reload, receipt.check */
void intake_on_powers_list (void *request, cg_reply_t *reply, void *arg);
/*  powers.areas: the areas within scope that publish a list (a picking
    list, 100 at most). */
void intake_on_powers_areas (void *request, cg_reply_t *reply, void *arg);
void intake_on_powers_show (void *request, cg_reply_t *reply, void *arg);
void intake_on_power_report (void *request, cg_reply_t *reply, void *arg);
void intake_on_reload (void *request, cg_reply_t *reply, void *arg);
void intake_on_receipt (void *request, cg_reply_t *reply, void *arg);
/*  case.archived: the archive holds the case; its record leaves Redis */
cg_feed_fn intake_on_archive;

/*  reseal.c: a few cases' records sealed under an old version of the key
    sealed again under the newest (zloop timer). */
int intake_reseal (zloop_t *loop, int timer_id, void *arg);
/*  Fields of the hash the archive keeps of a case that left Redis
    (archive.record): each of fields[0..n) found into values (malloc'd,
    NUL-terminated) and lens, the others left NULL.  0, or -1 when the
    archive has no such case or does not answer. */
int intake_archived (intake_t *self, const char *id, const char *const *fields, size_t n,
                     char **values, size_t *lens);

#endif
