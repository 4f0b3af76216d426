/*  submit — turns a case.submit into a case.

    Checks come first and each refusal names its field: the category must be
    in the catalog, the grid in the org tree, and a request needs a grid or
    an address to be placed at all.  The reporter's phone leaves intake only
    masked (138****5678); the full request stays in intake's own record. */
#include "submit.h"
#include "cg_catalog.h"
#include "cg_ids.h"
#include "cg_orgtree.h"

#include <ctype.h>

static const char *const s_sources[] = {
    "hotline", "grid", "open311", "device", "operator", NULL };

struct _intake_t {
    cg_daemon_t *daemon;
    cg_orgtree_t *org;
    cg_catalog_t *catalog;
    cg_ids_t *ids;
    msgpack_sbuffer record, event;
};

intake_t *
intake_new (cg_daemon_t *daemon)
{
    intake_t *self = calloc (1, sizeof *self);
    assert (self);
    self->daemon = daemon;
    char err[256];
    self->org = cg_orgtree_load (cg_daemon_get (daemon, "data/orgtree", "deploy/demo/orgtree.tsv"),
                                 err, sizeof err);
    if (!self->org) {
        zsys_error ("intake: org tree: %s", err);
        intake_destroy (&self);
        return NULL;
    }
    self->catalog = cg_catalog_load (cg_daemon_get (daemon, "data/catalog",
                                                    "deploy/demo/catalog.tsv"), err, sizeof err);
    if (!self->catalog) {
        zsys_error ("intake: catalog: %s", err);
        intake_destroy (&self);
        return NULL;
    }
    self->ids = cg_ids_new (daemon->redis, "cg:{intake}:ids", 1000);
    msgpack_sbuffer_init (&self->record);
    msgpack_sbuffer_init (&self->event);
    return self;
}

void
intake_destroy (intake_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    intake_t *self = *self_p;
    cg_orgtree_destroy (&self->org);
    cg_catalog_destroy (&self->catalog);
    cg_ids_destroy (&self->ids);
    msgpack_sbuffer_destroy (&self->record);
    msgpack_sbuffer_destroy (&self->event);
    free (self);
    *self_p = NULL;
}

/*  138****5678: the first three and last four digits stay. */
static void
s_mask_phone (const char *phone, char *out, size_t len)
{
    size_t n = strlen (phone);
    if (n <= 7) {
        snprintf (out, len, "****");
        return;
    }
    snprintf (out, len, "%.3s****%s", phone, phone + n - 4);
}

static int
s_check (intake_t *self, const cg_case_submit_t *req, cg_reply_t *reply)
{
    bool known_source = false;
    for (int i = 0; s_sources[i]; i++)
        known_source |= strcmp (req->source, s_sources[i]) == 0;
    if (!known_source) {
        cg_reply_fail (reply, "invalid", "source", "source \"%s\" is not one of hotline, grid, "
                       "open311, device, operator", req->source);
        return -1;
    }
    if (!cg_catalog_find (self->catalog, req->category)) {
        cg_reply_fail (reply, "invalid", "category", "category \"%s\" is not in the catalog",
                       req->category);
        return -1;
    }
    if (!req->grid && !req->address) {
        cg_reply_fail (reply, "invalid", "grid", "a request needs a grid or an address");
        return -1;
    }
    if (req->grid) {
        const cg_org_node_t *node = cg_orgtree_find (self->org, req->grid);
        if (!node || node->kind != CG_ORG_GRID) {
            cg_reply_fail (reply, "invalid", "grid", "grid \"%s\" is not in the org tree",
                           req->grid);
            return -1;
        }
    }
    if (req->contact_phone)
        for (const char *p = req->contact_phone; *p; p++)
            if (!isdigit ((unsigned char) *p) && *p != '+' && *p != '-') {
                cg_reply_fail (reply, "invalid", "contact_phone",
                               "contact_phone may hold only digits, + and -");
                return -1;
            }
    return 0;
}

void
intake_on_submit (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_case_submit_t *req = request;
    if (s_check (self, req, reply))
        return;

    char id[32], masked[32] = "", ext[96] = "";
    if (cg_ids_next (self->ids, id, sizeof id)) {
        cg_reply_fail (reply, "unavailable", NULL, "the case store cannot be reached");
        return;
    }
    if (req->ext_ref)
        snprintf (ext, sizeof ext, "%s|%s", req->source, req->ext_ref);
    if (req->contact_phone)
        s_mask_phone (req->contact_phone, masked, sizeof masked);

    cg_case_received_t event = {
        .id = id, .source = req->source, .ext_ref = req->ext_ref,
        .category = req->category, .text = req->text, .grid = req->grid,
        .address = req->address, .contact = *masked ? masked : NULL, .at = zclock_time () };
    cg_error_t err;
    self->record.size = 0;
    self->event.size = 0;
    if (cg_msg_encode (&cg_case_submit_def, req, &self->record, &err)
    ||  cg_msg_encode (&cg_case_received_def, &event, &self->event, &err)) {
        cg_reply_error (reply, &err);
        return;
    }
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, "cg:{intake}:");
    cg_args_add_str (&args, req->rid);
    cg_args_add_str (&args, ext);
    cg_args_add_str (&args, id);
    cg_args_add (&args, self->record.data, self->record.size);
    cg_args_add_str (&args, "case.received");
    cg_args_add (&args, self->event.data, self->event.size);
    redisReply *r = cg_redis_script (self->daemon->redis, "intake_submit", 0, &args);
    cg_args_free (&args);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        cg_reply_fail (reply, "unavailable", NULL, "the case store did not take the request");
        if (r)
            freeReplyObject (r);
        return;
    }
    bool fresh = strcmp (cg_reply_str (r->element[0]), "new") == 0;
    cg_case_submitted_t answer = { .id = (char *) cg_reply_str (r->element[1]),
                                   .repeat = !fresh };
    if (fresh)
        cg_pub_send (self->daemon->pub, "intake", r->element[2]->integer, "case.received",
                     self->event.data, self->event.size);
    cg_reply_ok (reply, &cg_case_submitted_def, &answer);
    freeReplyObject (r);
}
