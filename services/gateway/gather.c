/*  gather — one page made from the pages of several places.

    A daemon pages its lists by one place at a time (dispatch a center's
    queue, consultation a community's topics), while a caller's scope
    spans many: a county's operator has the county's queue and each of its
    towns', the county's topics are those of every community in it.  So
    the gateway asks each place for the items after where the caller's
    page starts, keeps those the caller may see, merges them in the
    daemon's own order (each item's `pos` in its list, then its `id`) and
    cuts the page itself.

    The page is paged by keyset like any other (cg_cursor.h): the
    gateway's cursor holds the (pos, id) of the last item it gave, and
    names its own list (the command, the caller's scope, the query's
    filters and the search).  For each place it makes the daemon's cursor
    at that same (pos, id), in the daemon's list for that place, so every
    place answers only what comes after: nothing is read twice, and no
    place is cut at a fixed number of items.  Each place gives at most one
    page (limit + 1 items); a place that has more bounds the page at its
    last item given (its horizon), since what lies beyond it is unknown:
    the page stops at the nearest horizon, and `next` goes on from there,
    even when the items the caller may not see left the page short.

    Which daemon, which command, which field of the query names the place
    and which items are kept are given by the caller (gw_gather_t); the
    page is found through its definition: its `total`, `next` and its one
    list of messages, whatever they are, each with an `id` and a `pos`. */
#define _GNU_SOURCE         /* qsort_r */
#include "gateway.h"
#include "cg_clock.h"

/*  A definition's field by name and type, or NULL. */
static const cg_field_t *
s_field (const cg_msgdef_t *def, const char *key, cg_ftype_t type)
{
    for (size_t i = 0; i < def->nfields; i++)
        if (def->fields[i].type == type && (!key || strcmp (def->fields[i].key, key) == 0))
            return &def->fields[i];
    return NULL;
}

#define S_AT(msg, f, type)  (*(type *) ((char *) (msg) + (f)->offset))

/*  An item's place in the merged order.  Its id in its cursor form, which
    for the lists gathered (case and topic ids, 32 bytes at most: proto/)
    is the id itself, so that strcmp orders them as their daemons do. */
static void
s_item_at (const cg_msgdef_t *def, const void *item, cg_cursor_at_t *at)
{
    const char *id = S_AT (item, s_field (def, "id", CG_F_STR), char *);
    at->pos = S_AT (item, s_field (def, "pos", CG_F_INT), int64_t);
    cg_cursor_id (at->id, id ? id : "");
}

/*  -1, 0, 1 as a comes before, with, after b in the order (desc: reversed). */
static int
s_compare (const cg_cursor_at_t *a, const cg_cursor_at_t *b, bool desc)
{
    int c = a->pos < b->pos ? -1 : a->pos > b->pos ? 1 : strcmp (a->id, b->id);
    return desc ? -c : c;
}

typedef struct {
    const cg_msgdef_t *def;
    bool desc;
} s_order_t;

static int
s_order (const void *a, const void *b, void *arg)
{
    const s_order_t *order = arg;
    cg_cursor_at_t x, y;
    s_item_at (order->def, a, &x);
    s_item_at (order->def, b, &y);
    return s_compare (&x, &y, order->desc);
}

/*  FNV-1a of text, to name a search in a list's name without its words. */
static uint64_t
s_hash (const char *text)
{
    uint64_t h = UINT64_C (14695981039346656037);
    for (; text && *text; text++)
        h = (h ^ (unsigned char) *text) * UINT64_C (1099511628211);
    return h;
}

void
gw_gather_list (gw_request_t *req, const gw_gather_t *spec, const void *query, char *buf,
                size_t len)
{
    char command[96];
    snprintf (command, sizeof command, "%s@%s", spec->command->name, req->caller.scope_code);
    cg_cursor_list (buf, len, command, spec->command->request, query);
    char filters[512];
    gw_case_filters (req, filters, sizeof filters);
    if (*filters)
        snprintf (buf + strlen (buf), len - strlen (buf), "/q:%016llx",
                  (unsigned long long) s_hash (filters));
}

int
gw_gather (gw_request_t *req, const gw_gather_t *spec, const char *const *places, size_t nplaces,
           void *query, void *page, cg_error_t *err)
{
    const cg_msgdef_t *qdef = spec->command->request, *pdef = spec->command->reply;
    const cg_field_t *list = s_field (pdef, NULL, CG_F_LIST);
    const cg_field_t *newest = s_field (qdef, "newest", CG_F_BOOL);
    assert (list && s_field (list->sub, "pos", CG_F_INT) && s_field (list->sub, "id", CG_F_STR));
    const cg_msgdef_t *item_def = list->sub;
    size_t size = item_def->size;
    cg_cursor_t *codec = req->gw->daemon->cursor;
    int64_t now = cg_clock_now ();
    s_order_t order = { item_def, spec->desc != (newest && S_AT (query, newest, bool)) };

    /*  where the caller's page starts */
    char **cursor_slot = &S_AT (query, s_field (qdef, "cursor", CG_F_STR), char *);
    char *cursor = *cursor_slot;
    *cursor_slot = NULL;
    int64_t limit = S_AT (query, s_field (qdef, "limit", CG_F_INT), int64_t);
    limit = limit > 0 ? limit : 50;
    if (limit > spec->per_place - 1)
        limit = spec->per_place - 1;
    char name[CG_CURSOR_LIST_MAX], why[256];
    gw_gather_list (req, spec, query, name, sizeof name);
    cg_cursor_at_t after = { 0 };
    bool start = !cursor || !*cursor;
    if (!start && cg_cursor_decode (codec, cursor, name, now, &after, why, sizeof why)) {
        cg_error_set (err, "invalid", "cursor", "cursor %s", why);
        free (cursor);
        return -1;
    }
    free (cursor);
    char per_place[24];
    snprintf (per_place, sizeof per_place, "%lld", (long long) limit + 1);
    cg_msg_set (qdef, query, "limit", per_place, strlen (per_place));

    char *all = NULL;
    size_t count = 0, cap = 0;
    int64_t total = 0;
    bool bounded = false;           /* some place has more than it gave */
    cg_cursor_at_t horizon = { 0 }; /* the nearest such place's last item */
    int rc = 0;
    void *part = calloc (1, pdef->size);
    assert (part);
    for (size_t i = 0; i < nplaces && rc == 0; i++) {
        if (places[i])
            cg_msg_set (qdef, query, spec->place, places[i], strlen (places[i]));
        free (*cursor_slot);
        *cursor_slot = NULL;
        if (!start) {
            char daemon_list[CG_CURSOR_LIST_MAX], token[CG_CURSOR_MAX];
            cg_cursor_list (daemon_list, sizeof daemon_list, spec->command->name, qdef, query);
            cg_cursor_encode (codec, daemon_list, &after, now, token, sizeof token);
            cg_msg_set (qdef, query, "cursor", token, strlen (token));
        }
        if ((rc = gw_call (req, spec->command, query, part, err)))
            break;
        total += S_AT (part, s_field (pdef, "total", CG_F_INT), int64_t);
        char *items = S_AT (part, list, char *);
        size_t nitems = *(size_t *) ((char *) part + list->count_offset);
        if (nitems && S_AT (part, s_field (pdef, "next", CG_F_STR), char *)) {
            cg_cursor_at_t last;
            s_item_at (item_def, items + (nitems - 1) * size, &last);
            if (!bounded || s_compare (&last, &horizon, order.desc) < 0)
                horizon = last;
            bounded = true;
        }
        for (size_t k = 0; k < nitems; k++) {
            void *item = items + k * size;
            if (!spec->keep (req, item, spec->arg)) {
                cg_msg_clear (item_def, item);
                continue;
            }
            if (count == cap) {
                cap = cap ? cap * 2 : 64;
                all = realloc (all, cap * size);
                assert (all);
            }
            memcpy (all + count++ * size, item, size);     /* moved: the part lets go */
            memset (item, 0, size);
        }
        cg_msg_clear (pdef, part);
    }
    free (part);
    memset (page, 0, pdef->size);
    size_t taken = 0;
    cg_cursor_at_t last = after;
    bool more = false;
    if (rc == 0) {
        if (count)
            qsort_r (all, count, size, s_order, &order);
        char text[24];
        snprintf (text, sizeof text, "%lld", (long long) total);
        cg_msg_set (pdef, page, "total", text, strlen (text));
        S_AT (page, list, char *) = calloc (count ? count : 1, size);
        assert (S_AT (page, list, char *));
    }
    for (size_t k = 0; k < count; k++) {
        void *item = all + k * size;
        cg_cursor_at_t at;
        s_item_at (item_def, item, &at);
        bool beyond = bounded && s_compare (&at, &horizon, order.desc) > 0;
        if (rc == 0 && (int64_t) taken < limit && !beyond) {
            memcpy (S_AT (page, list, char *) + taken++ * size, item, size);
            last = at;
        }
        else {
            more |= rc == 0;
            cg_msg_clear (item_def, item);
        }
    }
    free (all);
    if (rc)
        return rc;
    *(size_t *) ((char *) page + list->count_offset) = taken;
    /*  more to come: items left over, or a place that was not read to its
        end, also when the page ends on that place's last item given */
    if (bounded && (taken == 0 || s_compare (&last, &horizon, order.desc) <= 0)) {
        more = true;
        if (taken == 0 || s_compare (&horizon, &last, order.desc) < 0)
            last = horizon;
    }
    if (more) {
        char token[CG_CURSOR_MAX];
        cg_cursor_encode (codec, name, &last, now, token, sizeof token);
        cg_msg_set (pdef, page, "next", token, strlen (token));
    }
    return 0;
}
