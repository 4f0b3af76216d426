/*  inbox — see inbox.h.  The notice reads, in the operators' language:
    新工单 CG0000000042「噪声扰民」：<start of the text>；请于 11-22 17:30 前签收 */
#include "inbox.h"
#include "cg_catalog.h"
#include "cg_clock.h"

#define S_PREFIX    "cg:{notification}:"

struct _inbox_t {
    cg_daemon_t *daemon;
    cg_catalog_t *catalog;
    char cursor_key[128];
};

inbox_t *
inbox_new (cg_daemon_t *daemon)
{
    inbox_t *self = calloc (1, sizeof *self);
    assert (self);
    self->daemon = daemon;
    char err[256];
    self->catalog = cg_catalog_load (cg_daemon_get (daemon, "data/catalog",
                                                    "deploy/demo/catalog.tsv"), err, sizeof err);
    if (!self->catalog) {
        zsys_error ("notification: catalog: %s", err);
        inbox_destroy (&self);
        return NULL;
    }
    cg_cursor_key (self->cursor_key, sizeof self->cursor_key, "notification", "dispatch");
    return self;
}

void
inbox_destroy (inbox_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_catalog_destroy (&(*self_p)->catalog);
    free (*self_p);
    *self_p = NULL;
}

/*  Adds the three arguments of one notice for inbox_deliver. */
static void
s_add_notice (inbox_t *self, cg_args_t *args, const cg_event_t *e,
              const cg_case_dispatched_t *d, int64_t now)
{
    const cg_category_t *category = cg_catalog_find (self->catalog, d->category);
    char due[32], text[1024], delivery[96];
    cg_time_short (d->sign_by, due, sizeof due);
    snprintf (text, sizeof text, "新工单 %s「%s」：%s；请于 %s 前签收", d->id,
              category ? category->name_zh : d->category, d->summary ? d->summary : "", due);
    snprintf (delivery, sizeof delivery, "dispatch:%lld:%s", (long long) e->seq, d->unit);
    cg_inbox_item_t item = { .delivery = delivery, .case_id = d->id,
                             .topic = (char *) e->topic, .text = text, .at = now };
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    cg_error_t err;
    if (cg_msg_encode (&cg_inbox_item_def, &item, &buf, &err))
        zsys_error ("notification: cannot encode a notice: %s", err.message);
    cg_args_add_str (args, delivery);
    cg_args_add_str (args, d->unit);
    cg_args_add (args, buf.data, buf.size);
    msgpack_sbuffer_destroy (&buf);
}

int
inbox_on_dispatch (const cg_event_t *events, size_t n, int64_t cursor, void *arg)
{
    inbox_t *self = arg;
    int64_t now = cg_clock_now ();
    cg_args_t notices;
    cg_args_init (&notices);
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp (events[i].topic, "case.dispatched") != 0)
            continue;
        cg_case_dispatched_t d;
        cg_error_t err;
        if (cg_msg_decode (&cg_case_dispatched_def, events[i].body, events[i].size, &d, &err)) {
            zsys_warning ("notification: dropped dispatch #%lld: %s: %s",
                          (long long) events[i].seq, err.field, err.message);
            continue;
        }
        s_add_notice (self, &notices, &events[i], &d, now);
        count++;
        cg_msg_clear (&cg_case_dispatched_def, &d);
    }
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, S_PREFIX);
    cg_args_add_str (&args, self->cursor_key);
    cg_args_add_int (&args, cursor);
    cg_args_add_int (&args, events[n - 1].seq);
    cg_args_add_int (&args, now);
    cg_args_add_int (&args, count);
    for (int i = 0; i < notices.argc; i++)
        cg_args_add (&args, notices.argv[i], notices.lens[i]);
    redisReply *r = cg_redis_script (self->daemon->redis, "inbox_deliver", 0, &args);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
        rc = strcmp (cg_reply_str (r->element[0]), "moved") == 0 ? 1 : 0;
    if (r)
        freeReplyObject (r);
    cg_args_free (&args);
    cg_args_free (&notices);
    return rc;
}

void
inbox_on_list (void *request, cg_reply_t *reply, void *arg)
{
    inbox_t *self = arg;
    cg_inbox_query_t *req = request;
    int64_t limit = req->limit > 0 ? req->limit : 50;
    redisReply *total = cg_redis_command (self->daemon->redis, "LLEN " S_PREFIX "inbox:%s",
                                          req->unit);
    redisReply *items = cg_redis_command (self->daemon->redis,
                                          "LRANGE " S_PREFIX "inbox:%s %lld %lld", req->unit,
                                          (long long) req->offset,
                                          (long long) (req->offset + limit - 1));
    if (!total || !items || items->type != REDIS_REPLY_ARRAY)
        cg_reply_fail (reply, "unavailable", NULL, "the inbox store cannot be reached");
    else {
        cg_inbox_page_t page = { .total = cg_reply_int (total, 0) };
        page.items = calloc (items->elements ? items->elements : 1, sizeof (cg_inbox_item_t));
        assert (page.items);
        for (size_t i = 0; i < items->elements; i++) {
            cg_error_t err;
            if (cg_msg_decode (&cg_inbox_item_def, items->element[i]->str,
                               items->element[i]->len, &page.items[page.items_count],
                               &err) == 0)
                page.items_count++;
        }
        cg_reply_ok (reply, &cg_inbox_page_def, &page);
        cg_msg_clear (&cg_inbox_page_def, &page);
    }
    if (total)
        freeReplyObject (total);
    if (items)
        freeReplyObject (items);
}
