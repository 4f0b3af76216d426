/*  grid — a grid worker's reports with their photos, and the photos a
    case shows.

    POST /api/v1/grid/reports is multipart/form-data, as a phone's camera
    app uploads: the fields of intake's grid.report (report_id, grid,
    category, text, and optionally lat, lon, at) and up to
    gateway/photos_max files named "photos" (or "photo"), each at most
    gateway/photo_max bytes.  libmicrohttpd's post processor hands the
    parts over as they come, so a photo streams to disk (cg_photo.h: under
    gateway/photo_dir, checked by its first bytes, checksummed as it is
    written) and is never held whole in memory.  The token is checked
    before the body is read: nobody without a grid worker's token writes a
    byte to disk.

    The report then goes to intake as grid.report with the photos'
    addresses and the token's name as the worker; intake makes it a case
    or a supporter of an open case (docs/INTAKE.md), and refuses a report
    id sent again with other content (409 naming report_id).  Only once
    intake has taken it are the photos renamed into place, so a refused
    report leaves nothing behind; should the gateway die between the two,
    the app's retry (same report id, same photos) is answered with the
    same case and puts the photos in place.

    GET /api/v1/cases/{id}/photos/{name} serves a photo of a case to those
    who may see the case (the rule of GET /api/v1/cases/{id}) and to
    nobody else: 404, as for a case that does not exist. */
#include "gateway.h"
#include "cg_photo.h"

#include <fcntl.h>
#include <stdarg.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_FIELD_MAX     (8 * 1024)      /* a form field's value at most */
#define S_FIELDS_MAX    16              /* form fields at most (a report has 7) */
#define S_PHOTOS_MAX    9               /* what grid.report carries */
#define S_PP_BUFFER     (64 * 1024)

struct gw_upload {
    struct MHD_PostProcessor *pp;
    zhashx_t *fields;               /* name -> zchunk_t, the form's values */
    cg_photo_t *photos[S_PHOTOS_MAX];
    char refs[S_PHOTOS_MAX][CG_PHOTO_REF_MAX];
    int count;                      /* photos begun */
    size_t size, most;              /* bytes of the body so far, and at most */
    bool open;                      /* the last one is still being written */
    char claimed[64];               /* the type the client claims for it */
    char name[128];                 /* its file name, for the refusal */
    /*  the first refusal; then the rest of the body is read and dropped */
    bool failed;
    int status;
    char code[24], field[32], message[256];
};

static int
s_fail (gw_upload_t *up, int status, const char *code, const char *field, const char *fmt, ...)
    __attribute__ ((format (printf, 5, 6)));

static int
s_fail (gw_upload_t *up, int status, const char *code, const char *field, const char *fmt, ...)
{
    if (up->failed)
        return -1;
    up->failed = true;
    up->status = status;
    snprintf (up->code, sizeof up->code, "%s", code);
    snprintf (up->field, sizeof up->field, "%s", field);
    va_list args;
    va_start (args, fmt);
    vsnprintf (up->message, sizeof up->message, fmt, args);
    va_end (args);
    return -1;
}

/*  The photo being written is complete: its type must be an image's, and
    the one the client claims for it, when it claims one. */
static int
s_photo_end (gw_upload_t *up)
{
    if (!up->open)
        return 0;
    up->open = false;
    int i = up->count - 1;
    char why[160];
    if (cg_photo_end (up->photos[i], up->refs[i], sizeof up->refs[i], why, sizeof why))
        return s_fail (up, 400, "invalid", "photos", "photos[%d] (%s): %s", i, up->name, why);
    const char *ext = strrchr (up->refs[i], '.') + 1;
    const char *mime = cg_photo_mime (ext);
    if (*up->claimed && strcmp (up->claimed, "application/octet-stream") != 0
    &&  strcasecmp (up->claimed, mime) != 0
    &&  !(strcmp (ext, "jpg") == 0 && strcasecmp (up->claimed, "image/jpg") == 0)
    &&  !(strcmp (ext, "heic") == 0 && strcasecmp (up->claimed, "image/heif") == 0))
        return s_fail (up, 400, "invalid", "photos", "photos[%d] (%s) claims to be %s but is "
                       "%s", i, up->name, up->claimed, mime);
    return 0;
}

static int
s_photo_begin (gw_upload_t *up, gateway_t *gw, const char *key, const char *filename,
               const char *type)
{
    if (s_photo_end (up))
        return -1;
    if (strcmp (key, "photos") != 0 && strcmp (key, "photo") != 0)
        return s_fail (up, 400, "invalid", key, "%.30s is not a file field of a grid report; "
                       "photos are sent as \"photos\"", key);
    if (up->count == gw->photos_max)
        return s_fail (up, 400, "invalid", "photos", "a report carries at most %d photos",
                       gw->photos_max);
    snprintf (up->name, sizeof up->name, "%s", filename);
    gw_utf8_scrub (up->name);
    if (strchr (filename, '/') || strchr (filename, '\\') || strstr (filename, "..")
    ||  strlen (filename) > 120)
        return s_fail (up, 400, "invalid", "photos", "photos[%d]: the file name \"%.60s\" holds "
                       "a path or is longer than 120 bytes; send the name alone", up->count,
                       up->name);
    snprintf (up->claimed, sizeof up->claimed, "%s", type ? type : "");
    char why[200];
    up->photos[up->count] = cg_photo_new (gw->photo_dir, gw->photo_max, why, sizeof why);
    if (!up->photos[up->count])
        return s_fail (up, 503, "unavailable", "photos", "%s", why);
    up->count++;
    up->open = true;
    return 0;
}

static enum MHD_Result
s_on_part (void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
           const char *type, const char *encoding, const char *data, uint64_t off, size_t size)
{
    (void) kind;
    (void) encoding;
    gw_request_t *req = cls;
    gw_upload_t *up = req->upload;
    if (up->failed)
        return MHD_NO;
    if (filename) {
        if (off == 0 && s_photo_begin (up, req->gw, key, filename, type))
            return MHD_NO;
        char why[160];
        if (size && cg_photo_write (up->photos[up->count - 1], data, size, why, sizeof why)) {
            bool large = strstr (why, "larger") != NULL;
            s_fail (up, large ? 413 : 400, large ? "too_large" : "invalid", "photos",
                    "photos[%d] (%s): %s", up->count - 1, up->name, why);
            return MHD_NO;
        }
        return MHD_YES;
    }
    if (s_photo_end (up))
        return MHD_NO;
    if (strcmp (key, "worker") == 0 || strcmp (key, "rid") == 0 || strcmp (key, "photos") == 0) {
        s_fail (up, 400, "invalid", key, "%s is set by the gateway (the token's worker, the "
                "uploaded files)", key);
        return MHD_NO;
    }
    zchunk_t *value = zhashx_lookup (up->fields, key);
    if (!value && zhashx_size (up->fields) == S_FIELDS_MAX) {
        s_fail (up, 400, "invalid", key, "a grid report has at most %d fields", S_FIELDS_MAX);
        return MHD_NO;
    }
    if (!value) {
        value = zchunk_new (NULL, 256);
        zhashx_insert (up->fields, key, value);
    }
    if (zchunk_size (value) + size > S_FIELD_MAX) {
        s_fail (up, 400, "invalid", key, "%.30s is longer than %d bytes", key, S_FIELD_MAX);
        return MHD_NO;
    }
    zchunk_extend (value, data, size);
    return MHD_YES;
}

static void
s_chunk_free (void **item)
{
    zchunk_destroy ((zchunk_t **) item);
}

size_t
gw_upload_most (gateway_t *gw)
{
    return gw->body_max + (size_t) gw->photos_max * (gw->photo_max + 1024);
}

bool
gw_grid_route (gw_request_t *req)
{
    return strcmp (req->path, "/api/v1/grid/reports") == 0 && strcmp (req->method, "POST") == 0;
}

int
gw_upload_start (gw_request_t *req)
{
    if (gw_auth (req, CG_ROLE_GRID))
        return -1;
    gw_upload_t *up = calloc (1, sizeof *up);
    assert (up);
    up->fields = zhashx_new ();
    zhashx_set_destructor (up->fields, s_chunk_free);
    up->most = gw_upload_most (req->gw);
    req->upload = up;
    const char *type = gw_header (req, "Content-Type");
    if (!type || strncasecmp (type, "multipart/form-data", 19) != 0
    ||  !(up->pp = MHD_create_post_processor (req->conn, S_PP_BUFFER, s_on_part, req))) {
        gw_reply_error (req, 415, "invalid", "Content-Type", "a grid report is sent as "
                        "multipart/form-data with its boundary");
        return -1;
    }
    return 0;
}

void
gw_upload_feed (gw_request_t *req, const char *data, size_t size)
{
    gw_upload_t *up = req->upload;
    up->size += size;
    if (up->size > up->most)    /* sent without a Content-Length, and too much */
        s_fail (up, 413, "too_large", "body", "a report with its photos is larger than %zu "
                "bytes", up->most);
    if (!up->failed && MHD_post_process (up->pp, data, size) != MHD_YES)
        s_fail (up, 400, "invalid", "body", "the body is not well-formed multipart/form-data");
}

void
gw_upload_free (gw_request_t *req)
{
    gw_upload_t *up = req->upload;
    if (!up)
        return;
    if (up->pp)
        MHD_destroy_post_processor (up->pp);
    for (int i = 0; i < up->count; i++)
        cg_photo_destroy (&up->photos[i]);
    zhashx_destroy (&up->fields);
    free (up);
    req->upload = NULL;
}

/*  Removes what was written and not kept, before the answer goes: the
    client then finds nothing of a refused report. */
static void
s_photos_forget (gw_upload_t *up)
{
    for (int i = 0; i < up->count; i++)
        cg_photo_destroy (&up->photos[i]);
}

/*  The report from the form, the token and the photos; 0, or -1 with err. */
static int
s_report (gw_request_t *req, gw_upload_t *up, cg_grid_report_t *msg, char **photos,
          cg_error_t *err)
{
    memset (msg, 0, sizeof *msg);
    for (zchunk_t *value = zhashx_first (up->fields); value; value = zhashx_next (up->fields)) {
        const char *key = zhashx_cursor (up->fields);
        char *text = zchunk_strdup (value);
        int rc = cg_json_set_text (&cg_grid_report_def, msg, key, text, err);
        free (text);
        if (rc == 1)
            cg_error_set (err, "invalid", key, "%.30s is not a field of a grid report", key);
        if (rc)
            return -1;
    }
    const char *missing = !msg->report_id ? "report_id" : !msg->grid ? "grid"
                        : !msg->category ? "category" : !msg->text ? "text" : NULL;
    if (missing) {
        cg_error_set (err, "invalid", missing, "%s is required in a grid report", missing);
        return -1;
    }
    msg->worker = strdup (req->caller.name);
    for (int i = 0; i < up->count; i++)
        photos[i] = up->refs[i];
    msg->photos = photos;
    msg->photos_count = (size_t) up->count;
    return 0;
}

void
gw_grid_handle (gw_request_t *req)
{
    gw_upload_t *up = req->upload;
    MHD_destroy_post_processor (up->pp);    /* the last part's end comes now */
    up->pp = NULL;
    s_photo_end (up);
    if (up->failed) {
        s_photos_forget (up);
        gw_reply_error (req, up->status, up->code, up->field, "%s", up->message);
        gw_audit (req, "grid.report", "", req->status);
        return;
    }
    cg_grid_report_t msg;
    char *photos[S_PHOTOS_MAX];
    cg_error_t err;
    if (s_report (req, up, &msg, photos, &err)) {
        msg.photos = NULL;
        cg_msg_clear (&cg_grid_report_def, &msg);
        s_photos_forget (up);
        gw_reply_refusal (req, &err);
        gw_audit (req, "grid.report", "", req->status);
        return;
    }
    cg_case_submitted_t rep;
    if (gw_check_place (req, "grid", msg.grid, false))
        gw_audit (req, "grid.report", msg.report_id, req->status);
    else
    if (gw_call (req, &cg_cmd_grid_report, &msg, &rep, &err)) {
        gw_reply_refusal (req, &err);
        gw_audit (req, "grid.report", msg.report_id, req->status);
    }
    else {
        char why[160] = "";
        for (int i = 0; i < up->count && !*why; i++)
            cg_photo_keep (up->photos[i], why, sizeof why);
        if (*why)
            gw_reply_error (req, 503, "unavailable", "photos", "the report is case %s, but %s; "
                            "send it again", rep.id, why);
        else {
            json_t *answer = cg_json_from_msg (&cg_case_submitted_def, &rep);
            json_object_set_new (answer, "report_id", json_string (msg.report_id));
            json_object_set_new (answer, "repeat", json_boolean (rep.repeat));
            json_object_set_new (answer, "merged", json_boolean (rep.merged));
            json_t *list = json_array ();
            for (int i = 0; i < up->count; i++) {
                char path[160];
                snprintf (path, sizeof path, "/api/v1/cases/%s/photos/%s", rep.id,
                          up->refs[i] + 6);
                json_array_append_new (list, json_string (path));
            }
            json_object_set_new (answer, "photos", list);
            gw_reply_json (req, 200, answer);
        }
        gw_audit (req, "grid.report", rep.id, req->status);
        cg_msg_clear (&cg_case_submitted_def, &rep);
    }
    s_photos_forget (up);
    msg.photos = NULL;          /* the upload's */
    msg.photos_count = 0;
    cg_msg_clear (&cg_grid_report_def, &msg);
}

/* --- a case's photos ------------------------------------------------------ */

void
gw_photo_get (gw_request_t *req, const char *id, const char *name)
{
    if (gw_auth (req, CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN | CG_ROLE_GRID))
        return;
    char ref[CG_PHOTO_REF_MAX], file[700];
    snprintf (ref, sizeof ref, "photo:%s", name);
    cg_case_get_t get = { .id = (char *) id };
    cg_case_view_t view;
    cg_intake_get_t ask = { .id = (char *) id, .photo = ref };
    cg_intake_view_t kept;
    cg_error_t err;
    bool shown = false;
    if (!cg_photo_ref_valid (ref))
        ;
    else
    if (gw_call (req, &cg_cmd_case_show, &get, &view,
                 &err) == 0) {
        shown = gw_case_read.shows (req, NULL, &view);
        cg_msg_clear (&cg_case_view_def, &view);
    }
    else
    if (strcmp (err.code, "not_found") != 0) {
        gw_reply_refusal (req, &err);
        return;
    }
    /*  the photo must be one of the case's: one of its requests brought it */
    bool its = false;
    if (shown && gw_call (req, &cg_cmd_intake_show, &ask, &kept, &err) == 0) {
        for (size_t i = 0; i < kept.media_count; i++)
            its |= strcmp (kept.media[i], ref) == 0;
        cg_msg_clear (&cg_intake_view_def, &kept);
    }
    int fd = -1;
    struct stat st;
    if (!its || cg_photo_path (req->gw->photo_dir, ref, file, sizeof file)
    ||  (fd = open (file, O_RDONLY)) < 0 || fstat (fd, &st) || !S_ISREG (st.st_mode)) {
        if (fd >= 0)
            close (fd);
        gw_reply_error (req, 404, "not_found", "name", "case %.32s has no photo %.80s", id, name);
        return;
    }
    if (req->response)
        MHD_destroy_response (req->response);
    req->response = MHD_create_response_from_fd ((size_t) st.st_size, fd);
    MHD_add_response_header (req->response, "Content-Type",
                             cg_photo_mime (strrchr (ref, '.') + 1));
    MHD_add_response_header (req->response, "Cache-Control", "private, max-age=86400, immutable");
    MHD_add_response_header (req->response, "X-Content-Type-Options", "nosniff");
    req->status = 200;
}
