/*  map — GET /api/v1/map?scope=: what the console's map draws, bounded
    whatever the volume.

    The grids are the region's own boundaries (data/grids_geo, cg_geo.h),
    those of the scope, as GeoJSON polygons ECharts registers as a map: no
    tile server, nothing from the internet.  The cases are the scope's open
    ones (cg_case_states (CG_CASE_OPEN)), read from dispatch's queues:
      - for a town and anything below it (a community, a grid, a unit), as
        points, at most S_POINTS_MAX of them in the queues' order (the
        nearest deadline first), each where dispatch placed it (the
        source's point, else its grid's centre); each grid carries the
        number of points in it, which the map shades (hot spots);
      - for a county or the city, as one cluster a command center (its
        towns and itself), with its count by state, at the centre of its
        surveyed grids: one `case.list` of one case a center and state
        answers the count (`total`), never the cases themselves.
    A case or a center with no surveyed place is counted in `unplaced`.
    With cases=0 the answer is the grids alone (no points, total 0): the
    small maps of a case's page and of the intake form. */
#include "gateway.h"
#include "cg_case_state.h"

#define S_POINTS_MAX    1000    /* points in one answer at most */
#define S_GRIDS_MAX     3000    /* grids' polygons in one answer at most */
#define S_CENTERS_MAX   512     /* clusters: a city's centers */
#define S_STATES_MAX    8

/*  The open states dispatch stores, in the order of the path. */
static size_t
s_states (char *buf, size_t len, const char **out)
{
    snprintf (buf, len, "%s", cg_case_states (CG_CASE_OPEN));
    size_t n = 0;
    for (char *save = NULL, *s = strtok_r (buf, " ", &save); s && n < S_STATES_MAX;
         s = strtok_r (NULL, " ", &save))
        out[n++] = s;
    return n;
}

/*  One page of a queue: center or unit (field) and state, after cursor. */
static int
s_list (gw_request_t *req, const char *field, const char *code, const char *state,
        const char *cursor, int64_t limit, cg_case_page_t *page, cg_error_t *err)
{
    cg_case_query_t query = { 0 };
    char text[24];
    snprintf (text, sizeof text, "%lld", (long long) limit);
    cg_msg_set (&cg_case_query_def, &query, field, code, strlen (code));
    cg_msg_set (&cg_case_query_def, &query, "state", state, strlen (state));
    cg_msg_set (&cg_case_query_def, &query, "limit", text, strlen (text));
    if (cursor)
        cg_msg_set (&cg_case_query_def, &query, "cursor", cursor, strlen (cursor));
    int rc = gw_call (req, &cg_cmd_case_list, &query, page, err);
    cg_msg_clear (&cg_case_query_def, &query);
    return rc;
}

/*  The centre of the surveyed grids under node (the mean of their
    centres): 0, or -1 when none is surveyed. */
static int
s_centre (const cg_geo_t *geo, const cg_org_node_t *node, double *lat, double *lon)
{
    double sum_lat = 0, sum_lon = 0;
    size_t n = 0;
    for (size_t i = 0; i < cg_geo_count (geo); i++) {
        const cg_ring_t *ring = cg_geo_at (geo, i);
        if (!cg_orgtree_within (ring->grid, node))
            continue;
        sum_lat += (ring->min_y + ring->max_y) / 2;
        sum_lon += (ring->min_x + ring->max_x) / 2;
        n++;
    }
    if (!n)
        return -1;
    *lat = sum_lat / n;
    *lon = sum_lon / n;
    return 0;
}

/*  The grids of scope as a GeoJSON FeatureCollection; each feature's
    `open` from counts (grid code -> number), 0 when absent. */
static json_t *
s_grids (gw_request_t *req, const cg_org_node_t *scope, json_t *counts, size_t *left_out)
{
    const cg_geo_t *geo = req->gw->geo;
    json_t *features = json_array ();
    size_t taken = 0;
    *left_out = 0;
    for (size_t i = 0; i < cg_geo_count (geo); i++) {
        const cg_ring_t *ring = cg_geo_at (geo, i);
        if (!cg_orgtree_within (ring->grid, scope))
            continue;
        if (taken == S_GRIDS_MAX) {
            (*left_out)++;
            continue;
        }
        json_t *coords = json_array ();
        for (size_t k = 0; k <= ring->n; k++)      /* GeoJSON closes the ring */
            json_array_append_new (coords, json_pack ("[f, f]", ring->x[k % ring->n],
                                                      ring->y[k % ring->n]));
        json_t *open = json_object_get (counts, ring->grid->code);
        const cg_org_node_t *community = cg_orgtree_center_of (req->gw->org, ring->grid,
                                                               CG_ORG_COMMUNITY);
        json_array_append_new (features, json_pack (
            "{s:s, s:{s:s, s:s, s:I, s:s*}, s:{s:s, s:[o]}}", "type", "Feature",
            "properties", "code", ring->grid->code, "name", ring->grid->name,
                          "open", (json_int_t) (open ? json_integer_value (open) : 0),
                          "community", community ? community->code : NULL,
            "geometry", "type", "Polygon", "coordinates", coords));
        taken++;
    }
    return json_pack ("{s:s, s:o}", "type", "FeatureCollection", "features", features);
}

/*  Completes the answer (when rc is 0) with the grids shaded by counts,
    the mode and its list (points or clusters) and the counts; takes list
    and counts. */
static void
s_answer (gw_request_t *req, const cg_org_node_t *scope, json_t *answer, int rc, const char *mode,
          json_t *list, json_t *counts, int64_t total, int64_t unplaced, bool partial)
{
    if (rc == 0) {
        size_t left_out;
        json_object_set_new (answer, "grids", s_grids (req, scope, counts, &left_out));
        json_object_set_new (answer, "grids_left_out", json_integer ((json_int_t) left_out));
        json_object_set_new (answer, "mode", json_string (mode));
        json_object_set_new (answer, mode, list);
        json_object_set_new (answer, "total", json_integer (total));
        json_object_set_new (answer, "unplaced", json_integer (unplaced));
        json_object_set_new (answer, "partial", json_boolean (partial));
    }
    else
        json_decref (list);
    json_decref (counts);
}

/*  Points: the open cases of a town's (or a unit's) queues, kept when
    they lie in scope, S_POINTS_MAX at most. */
static int
s_points (gw_request_t *req, const cg_org_node_t *scope, json_t *answer, cg_error_t *err)
{
    const cg_org_node_t *center = scope->kind == CG_ORG_UNIT ? scope
                                : cg_orgtree_center_of (req->gw->org, scope, CG_ORG_TOWN);
    const char *field = scope->kind == CG_ORG_UNIT ? "unit" : "center";
    char names[256];
    const char *states[S_STATES_MAX];
    size_t nstates = s_states (names, sizeof names, states);
    json_t *points = json_array (), *counts = json_object ();
    int64_t total = 0, unplaced = 0;
    bool partial = false;
    int rc = 0;
    /*  a town's or a unit's queues are the scope's whole: their sizes are
        its total; below a town the cases read are kept by their grid */
    bool whole = scope->kind == CG_ORG_TOWN || scope->kind == CG_ORG_UNIT;
    const char *queue = center ? center->code : scope->code;
    for (size_t s = 0; s < nstates && rc == 0; s++) {
        char *cursor = NULL;
        bool first = true;
        do {
            bool full = json_array_size (points) == S_POINTS_MAX;
            cg_case_page_t page;
            if ((rc = s_list (req, field, queue, states[s], cursor,
                              full ? 1 : CG_CASE_PAGE_MAX, &page, err)))
                break;
            free (cursor);
            cursor = NULL;
            if (first && whole)
                total += page.total;
            first = false;
            for (size_t i = 0; i < page.cases_count; i++) {
                const cg_case_item_t *c = &page.cases[i];
                const cg_org_node_t *grid = c->grid ? cg_orgtree_find (req->gw->org, c->grid) : NULL;
                if (!whole && !(grid && cg_orgtree_within (grid, scope)))
                    continue;
                total += !whole;
                if (json_array_size (points) == S_POINTS_MAX) {
                    partial = true;
                    continue;
                }
                if (!c->lat || !c->lon) {
                    unplaced++;
                    continue;
                }
                json_array_append_new (points, json_pack (
                    "{s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:s*, s:s*}", "id", c->id, "state", c->state,
                    "lat", c->lat, "lon", c->lon, "category", c->category ? c->category : "",
                    "urgent", c->urgent, "alerts", (json_int_t) c->alerts, "grid", c->grid,
                    "unit", c->unit));
                if (c->grid) {
                    json_t *n = json_object_get (counts, c->grid);
                    json_object_set_new (counts, c->grid,
                                         json_integer ((n ? json_integer_value (n) : 0) + 1));
                }
            }
            /*  once the points are full the rest is counted, not read */
            if (full && page.next)
                partial = true;
            else
                cursor = page.next ? strdup (page.next) : NULL;
            cg_msg_clear (&cg_case_page_def, &page);
        } while (cursor);
        free (cursor);
    }
    s_answer (req, scope, answer, rc, "points", points, counts, total, unplaced, partial);
    return rc;
}

/*  Every command center within scope (itself, its counties, its towns),
    depth first. */
static void
s_centers (const cg_org_node_t *node, const cg_org_node_t **out, size_t *n)
{
    if (node->kind <= CG_ORG_TOWN && *n < S_CENTERS_MAX)
        out[(*n)++] = node;
    for (const cg_org_node_t *c = cg_orgtree_first_child (node); c; c = cg_orgtree_next_sibling (c))
        if (c->kind <= CG_ORG_TOWN)
            s_centers (c, out, n);
}

/*  Clusters: for each center within a county or the city, its open
    cases by state, counted by dispatch. */
static int
s_clusters (gw_request_t *req, const cg_org_node_t *scope, json_t *answer, cg_error_t *err)
{
    const cg_org_node_t *centers[S_CENTERS_MAX];
    size_t ncenters = 0;
    s_centers (scope, centers, &ncenters);
    char names[256];
    const char *states[S_STATES_MAX];
    size_t nstates = s_states (names, sizeof names, states);
    json_t *clusters = json_array (), *counts = json_object ();
    int64_t total = 0, unplaced = 0;
    int rc = 0;
    for (size_t i = 0; i < ncenters && rc == 0; i++) {
        json_t *by_state = json_object ();
        int64_t open = 0;
        for (size_t s = 0; s < nstates && rc == 0; s++) {
            cg_case_page_t page;
            if ((rc = s_list (req, "center", centers[i]->code, states[s], NULL, 1, &page, err)))
                break;
            if (page.total)
                json_object_set_new (by_state, states[s], json_integer (page.total));
            open += page.total;
            cg_msg_clear (&cg_case_page_def, &page);
        }
        total += open;
        double lat, lon;
        bool placed = s_centre (req->gw->geo, centers[i], &lat, &lon) == 0;
        if (!placed)
            unplaced += open;
        if (open && !placed) {
            json_decref (by_state);
            continue;
        }
        if (centers[i]->kind == CG_ORG_TOWN)
            /*  a town's grids are shaded by its count */
            for (size_t g = 0; g < cg_geo_count (req->gw->geo); g++) {
                const cg_ring_t *ring = cg_geo_at (req->gw->geo, g);
                if (cg_orgtree_within (ring->grid, centers[i]))
                    json_object_set_new (counts, ring->grid->code, json_integer (open));
            }
        if (!placed) {
            json_decref (by_state);
            continue;
        }
        json_array_append_new (clusters, json_pack (
            "{s:s, s:s, s:s, s:f, s:f, s:I, s:o}", "code", centers[i]->code,
            "name", centers[i]->name, "kind", cg_org_kind_name (centers[i]->kind),
            "lat", lat, "lon", lon, "open", (json_int_t) open, "states", by_state));
    }
    s_answer (req, scope, answer, rc, "clusters", clusters, counts, total, unplaced, false);
    return rc;
}

void
gw_map_handle (gw_request_t *req)
{
    const cg_org_node_t *scope = gw_scope_asked (req);
    if (!scope)
        return;
    json_t *answer = json_pack ("{s:s, s:s, s:s}", "scope", scope->code, "scope_name", scope->name,
                                "kind", cg_org_kind_name (scope->kind));
    cg_error_t err;
    const char *cases = gw_query (req, "cases");
    int rc = 0;
    if (cases && strcmp (cases, "0") == 0)
        /*  the grids alone: a case's or the intake form's small map */
        s_answer (req, scope, answer, 0, "points", json_array (), json_object (), 0, 0, false);
    else
        rc = scope->kind == CG_ORG_CITY || scope->kind == CG_ORG_COUNTY
           ? s_clusters (req, scope, answer, &err) : s_points (req, scope, answer, &err);
    if (rc) {
        json_decref (answer);
        gw_reply_refusal (req, &err);
        return;
    }
    gw_reply_json (req, 200, answer);
}
