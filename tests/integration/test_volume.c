/*  A center's hundredth day: every list holds at any volume.  One stack
    holds a town (和平桥街道) with 3,000 open cases and a city with 20,000,
    texts of 800–2,000 bytes of Chinese as a 12345 hotline writes them,
    some pasted from Word (tests/support/cg_testload.h).  Over real HTTP:
    - the town operator's queue pages through every case exactly once
      while new cases keep arriving, each page small whatever the texts;
    - the county operator's list, gathered from the county's and each of
      its towns' queues, pages through every case of the county;
    - the city's own list pages through all 20,000;
    - Open311 GET requests (JSON and XML) answers 200 with 1,000 requests,
      the newest first;
    - a cursor altered, from another list, or stale, and a page size over
      the limit, are refused with 400 naming the field (a stale cursor is
      made with the stack's key, as the gateway and dispatch would have
      made it a day ago). */
#include <criterion/criterion.h>
#include "cg_testhttp.h"
#include "cg_testcase.h"
#include "cg_testload.h"
#include "cg_clock.h"
#include "cg_text.h"

#define S_TOWN      "320602001"
#define S_COUNTY    "320602"
#define S_TOWN_CASES    3000
#define S_CITY_CASES    20000
#define S_PAGE      200
#define S_PAGE_BYTES    (300 * 1024)    /* a page of 200 summaries is far below */

typedef struct {
    char **ids;
    size_t count, cap;
} s_seen_t;

static void
s_seen_add (s_seen_t *seen, const char *id)
{
    if (seen->count == seen->cap)
        seen->ids = realloc (seen->ids, (seen->cap = seen->cap ? seen->cap * 2 : 1024)
                                        * sizeof (char *));
    seen->ids[seen->count++] = strdup (id);
}

static int
s_compare (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

static void
s_seen_free (s_seen_t *seen)
{
    for (size_t i = 0; i < seen->count; i++)
        free (seen->ids[i]);
    free (seen->ids);
    memset (seen, 0, sizeof *seen);
}

/*  Asserts that no id was seen twice; sorts them. */
static void
s_seen_once (s_seen_t *seen)
{
    qsort (seen->ids, seen->count, sizeof (char *), s_compare);
    for (size_t i = 1; i < seen->count; i++)
        cr_assert_str_neq (seen->ids[i - 1], seen->ids[i], "case %s came twice", seen->ids[i]);
}

static bool
s_seen_has (const s_seen_t *seen, const char *id)
{
    return bsearch (&id, seen->ids, seen->count, sizeof (char *), s_compare) != NULL;
}

/*  Called between pages. */
typedef void (s_between_fn) (cg_teststack_t *stack, size_t page, void *arg);

/*  Follows `next` from path (a query string already there) to the last
    page, adding each case's id to seen; each page is asserted to be a
    page: at most S_PAGE cases, each a summary of whole characters, the
    reply bounded whatever the texts.  Returns how many pages. */
static size_t
s_page_through (cg_teststack_t *stack, const char *path, const char *token, s_seen_t *seen,
                s_between_fn *between, void *arg)
{
    char url[1024];
    snprintf (url, sizeof url, "%s", path);
    size_t pages = 0;
    while (true) {
        cg_http_reply_t reply;
        cg_http (stack, &reply, "GET", url, token, NULL, NULL, 0, NULL);
        cr_assert_eq (reply.status, 200, "GET %s answered %d: %.300s", url, reply.status,
                      reply.body);
        cr_assert_lt (reply.size, S_PAGE_BYTES, "a page of %zu bytes", reply.size);
        json_t *page = json_loads (reply.body, 0, NULL);
        cr_assert (page);
        json_t *cases = json_object_get (page, "cases");
        cr_assert_leq (json_array_size (cases), S_PAGE);
        size_t i;
        json_t *c;
        json_array_foreach (cases, i, c) {
            const char *summary = json_string_value (json_object_get (c, "summary"));
            cr_assert (summary && strlen (summary) <= CG_LIST_TEXT
                       && cg_utf8_valid (summary, strlen (summary)), "%s", summary);
            cr_assert_null (json_object_get (c, "text"), "a list item is a summary");
            s_seen_add (seen, json_string_value (json_object_get (c, "id")));
        }
        pages++;
        const char *next = json_string_value (json_object_get (page, "next"));
        if (next)
            snprintf (url, sizeof url, "%s%scursor=%s", path, strchr (path, '?') ? "&" : "?",
                      next);
        json_decref (page);
        cg_http_reply_clear (&reply);
        if (!next)
            break;
        if (between)
            between (stack, pages, arg);
        cr_assert_lt (pages, 1000, "paging never ends");
    }
    return pages;
}

/*  New cases arrive in the town while its operator pages. */
typedef struct {
    char **grids;
    size_t ngrids;
    size_t arrived;
} s_arrivals_t;

/*  n cases into grids, asserted to arrive. */
static void
s_submit (cg_teststack_t *stack, char **grids, size_t ngrids, size_t n, uint64_t seed,
          const char *tag, char **ids, int timeout_ms)
{
    char err[256];
    cr_assert_eq (cg_testload_submit (zconfig_get (stack->config, "intake/endpoint", ""),
                                      stack->redis, grids, ngrids, n, seed, tag, ids,
                                      timeout_ms, err, sizeof err), 0, "%s", err);
}

static char **
s_grids (const char *place, const char *except, size_t *n)
{
    char path[600], err[256];
    snprintf (path, sizeof path, "%s/deploy/demo/orgtree.tsv", getenv ("CG_ROOT"));
    char **grids = cg_testload_grids (path, place, except, n, err, sizeof err);
    cr_assert (grids, "%s", err);
    return grids;
}

static void
s_arrive (cg_teststack_t *stack, size_t page, void *arg)
{
    s_arrivals_t *a = arg;
    char tag[32];
    snprintf (tag, sizeof tag, "late%zu", page);
    s_submit (stack, a->grids, a->ngrids, 10, 900000 + page * 10, tag, NULL, 60000);
    a->arrived += 10;
}

/*  The first page's `next` of path with token. */
static char *
s_first_next (cg_teststack_t *stack, const char *path, const char *token)
{
    int status;
    json_t *page = cg_http_get_json (stack, path, token, &status);
    cr_assert_eq (status, 200);
    const char *next = json_string_value (json_object_get (page, "next"));
    cr_assert (next, "%s has a second page", path);
    char *copy = strdup (next);
    json_decref (page);
    return copy;
}

static void
s_refused_cursor (cg_teststack_t *stack, const char *path, const char *cursor,
                  const char *token, const char *words)
{
    char url[1024];
    snprintf (url, sizeof url, "%s%scursor=%s", path, strchr (path, '?') ? "&" : "?", cursor);
    cg_http_reply_t reply;
    cg_http (stack, &reply, "GET", url, token, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 400, "GET %s answered %d: %s", url, reply.status, reply.body);
    json_t *json = json_loads (reply.body, 0, NULL);
    json_t *e = json_object_get (json, "error");
    cr_assert_str_eq (json_string_value (json_object_get (e, "field")), "cursor", "%s",
                      reply.body);
    cr_assert (strstr (json_string_value (json_object_get (e, "message")), words), "%s",
               reply.body);
    json_decref (json);
    cg_http_reply_clear (&reply);
}

/*  Open311 GET requests of the last 90 days: 1,000, the newest first. */
static void
s_open311_newest (cg_teststack_t *stack)
{
    int status;
    json_t *list = cg_http_get_json (stack, "/open311/v2/requests.json", NULL, &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_array_size (list), 1000);
    const char *before = NULL;
    size_t i;
    json_t *r;
    json_array_foreach (list, i, r) {
        const char *at = json_string_value (json_object_get (r, "requested_datetime"));
        cr_assert (at && (!before || strcmp (at, before) <= 0), "newest first: %s after %s",
                   at, before);
        cr_assert_gt (json_string_length (json_object_get (r, "description")), CG_LIST_TEXT,
                      "a request's description is whole");
        before = at;
    }
    json_decref (list);
    cg_http_reply_t reply;
    cg_http (stack, &reply, "GET", "/open311/v2/requests.xml", NULL, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 200);
    size_t n = 0;
    for (const char *p = reply.body; (p = strstr (p, "<request>")); p++)
        n++;
    cr_assert_eq (n, 1000);
    cg_http_reply_clear (&reply);
    /*  our extension pages the same order */
    list = cg_http_get_json (stack, "/open311/v2/requests.json?page=3&page_size=100", NULL,
                             &status);
    cr_assert_eq (status, 200);
    cr_assert_eq (json_array_size (list), 100);
    json_decref (list);
}

Test (volume, every_list_pages_through_a_city_of_20000_cases, .timeout = 900)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    size_t ntown, ncity;
    char **town = s_grids (S_TOWN, NULL, &ntown);
    char **city = s_grids ("320600", S_TOWN, &ncity);      /* the town keeps its 3,000 */
    char **town_ids = calloc (S_TOWN_CASES, sizeof (char *));
    s_submit (stack, town, ntown, S_TOWN_CASES, 1, "town", town_ids, 300000);
    s_submit (stack, city, ncity, S_CITY_CASES - S_TOWN_CASES, 100000, "city", NULL, 600000);
    char *op = cg_http_token (stack, "operator", S_TOWN, "和平桥值班员");
    char *county = cg_http_token (stack, "operator", S_COUNTY, "崇川区值班员");
    char *root = cg_http_token (stack, "operator", "320600", "南通市值班员");

    /*  the town's queue, while new cases arrive between its pages */
    s_seen_t seen = { 0 };
    s_arrivals_t arrivals = { town, ntown, 0 };
    size_t pages = s_page_through (stack, "/api/v1/cases?state=dispatched&limit=200", op, &seen,
                                   s_arrive, &arrivals);
    cr_assert_geq (pages, S_TOWN_CASES / S_PAGE);
    s_seen_once (&seen);
    for (size_t i = 0; i < S_TOWN_CASES; i++)
        cr_assert (s_seen_has (&seen, town_ids[i]), "case %s was never shown", town_ids[i]);
    cr_assert_leq (seen.count, S_TOWN_CASES + arrivals.arrived);
    s_seen_free (&seen);

    /*  the county's list, gathered from its queue and its towns' */
    int64_t in_county = 0;
    {
        int status;
        json_t *page = cg_http_get_json (stack, "/api/v1/cases?limit=1", county, &status);
        cr_assert_eq (status, 200);
        in_county = json_integer_value (json_object_get (page, "total"));
        json_decref (page);
    }
    cr_assert_gt (in_county, S_TOWN_CASES + (int64_t) arrivals.arrived);
    s_page_through (stack, "/api/v1/cases?limit=200", county, &seen, NULL, NULL);
    s_seen_once (&seen);
    cr_assert_eq ((int64_t) seen.count, in_county, "every case of the county, once");
    s_seen_free (&seen);

    /*  a unit's queue asked by the county: one queue, each case once */
    s_page_through (stack, "/api/v1/cases?unit=" S_TOWN "-huanbao&state=dispatched&limit=200",
                    county, &seen, NULL, NULL);
    s_seen_once (&seen);
    cr_assert_eq ((int64_t) seen.count, cg_teststack_int (stack, "ZCARD cg:{dispatch}:qu:%s:%s",
                                                          S_TOWN "-huanbao", "dispatched"));
    cr_assert_gt (seen.count, 0);
    s_seen_free (&seen);

    /*  the city's own list */
    s_page_through (stack, "/api/v1/cases?limit=200", root, &seen, NULL, NULL);
    s_seen_once (&seen);
    cr_assert_eq (seen.count, S_CITY_CASES + arrivals.arrived);
    s_seen_free (&seen);

    s_open311_newest (stack);

    /*  cursors that are not the caller's to give */
    char *town_next = s_first_next (stack, "/api/v1/cases?state=dispatched", op);
    char *city_next = s_first_next (stack, "/api/v1/cases", root);
    char altered[CG_CURSOR_MAX];
    snprintf (altered, sizeof altered, "%s", town_next);
    altered[10] = altered[10] == 'A' ? 'B' : 'A';
    s_refused_cursor (stack, "/api/v1/cases?state=dispatched", altered, op, "altered");
    s_refused_cursor (stack, "/api/v1/cases?state=accepted", town_next, op, "another list");
    s_refused_cursor (stack, "/api/v1/cases", town_next, root, "another list");
    s_refused_cursor (stack, "/api/v1/cases?state=dispatched", city_next, op, "another list");
    s_refused_cursor (stack, "/api/v1/cases?state=dispatched", town_next, county,
                      "another list");
    s_refused_cursor (stack, "/api/v1/cases?state=dispatched", "bm90IGEgY3Vyc29y", op,
                      "altered");
    cg_http_refused (stack, "GET", "/api/v1/cases?limit=201", op, NULL, 0, 400, "limit");
    /*  made a day ago, each for its list */
    cg_cursor_t *codec = cg_cursor_new (zconfig_get (stack->config, "civgrid/cursor_key", ""));
    cr_assert_not (cg_cursor_keyless (codec), "stack up wrote civgrid/cursor_key");
    cg_case_query_t query = { .state = "dispatched" };
    char list[CG_CURSOR_LIST_MAX], stale[CG_CURSOR_MAX];
    cg_cursor_at_t at = { .pos = 0, .id = "CG0000000001" };
    int64_t yesterday = cg_clock_now () - 25 * 3600 * INT64_C (1000);
    cg_cursor_list (list, sizeof list, "case.list@" S_TOWN, &cg_case_query_def, &query);
    cg_cursor_encode (codec, list, &at, yesterday, stale, sizeof stale);
    s_refused_cursor (stack, "/api/v1/cases?state=dispatched", stale, op, "stale");
    query.state = NULL;
    cg_cursor_list (list, sizeof list, "case.list", &cg_case_query_def, &query);
    cg_cursor_encode (codec, list, &at, yesterday, stale, sizeof stale);
    s_refused_cursor (stack, "/api/v1/cases", stale, root, "stale");
    cg_cursor_destroy (&codec);

    free (town_next);
    free (city_next);
    for (size_t i = 0; i < S_TOWN_CASES; i++)
        free (town_ids[i]);
    free (town_ids);
    cg_testload_grids_free (&town, ntown);
    cg_testload_grids_free (&city, ncity);
    free (op);
    free (county);
    free (root);
    cg_teststack_down (&stack);
}
