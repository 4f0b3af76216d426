/*  gather — one page made from the pages of several places.

    A daemon pages its lists by one place at a time (dispatch a center's
    queue, consultation a community's topics), while a caller's scope
    spans many: a county's operator has the county's queue and each of its
    towns', the county's topics are those of every community in it.  So
    the gateway asks each place for its first items, keeps those the
    caller may see, orders them as the daemon would, and cuts the page
    itself.  Which daemon, which command, which field of the query names
    the place and how items are kept and ordered are given by the caller
    (gw_gather_t); the page is found through its definition: its `total`
    and its one list of messages, whatever they are. */
#define _GNU_SOURCE         /* qsort_r */
#include "gateway.h"

/*  The page's list: the one LIST field of its definition. */
static const cg_field_t *
s_list_field (const cg_msgdef_t *def)
{
    for (size_t i = 0; i < def->nfields; i++)
        if (def->fields[i].type == CG_F_LIST)
            return &def->fields[i];
    return NULL;
}

int
gw_gather (gw_request_t *req, const gw_gather_t *spec, const char *const *places, size_t nplaces,
           void *query, int64_t offset, int64_t limit, void *page, cg_error_t *err)
{
    const cg_field_t *list = s_list_field (spec->page_def);
    assert (list);
    const cg_msgdef_t *item_def = list->sub;
    size_t size = item_def->size;
    char per_place[24];
    snprintf (per_place, sizeof per_place, "%lld", (long long) spec->per_place);
    cg_msg_set (spec->query_def, query, "offset", "0", 1);
    cg_msg_set (spec->query_def, query, "limit", per_place, strlen (per_place));
    char *all = NULL;
    size_t count = 0, cap = 0;
    int rc = 0;
    void *part = calloc (1, spec->page_def->size);
    assert (part);
    for (size_t i = 0; i < nplaces && rc == 0; i++) {
        if (places[i])
            cg_msg_set (spec->query_def, query, spec->place, places[i], strlen (places[i]));
        if ((rc = gw_call (req, spec->daemon, spec->command, spec->query_def, query,
                           spec->page_def, part, err)))
            break;
        char *items = *(char **) ((char *) part + list->offset);
        size_t nitems = *(size_t *) ((char *) part + list->count_offset);
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
        cg_msg_clear (spec->page_def, part);
    }
    free (part);
    memset (page, 0, spec->page_def->size);
    if (rc == 0) {
        if (count)
            qsort_r (all, count, size, spec->order, spec->arg);
        char total[24];
        snprintf (total, sizeof total, "%zu", count);
        cg_msg_set (spec->page_def, page, "total", total, strlen (total));
        char *items = calloc (count ? count : 1, size);
        assert (items);
        *(char **) ((char *) page + list->offset) = items;
    }
    size_t taken = 0;
    for (size_t k = 0; k < count; k++) {
        void *item = all + k * size;
        if (rc == 0 && (int64_t) k >= offset && (int64_t) taken < limit)
            memcpy (*(char **) ((char *) page + list->offset) + taken++ * size, item, size);
        else
            cg_msg_clear (item_def, item);
    }
    if (rc == 0)
        *(size_t *) ((char *) page + list->count_offset) = taken;
    free (all);
    return rc;
}
