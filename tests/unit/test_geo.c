/*  test_geo - unit tests for cg_geo: the grids' boundaries that intake
    places points by and the gateway's map draws.

    The demo region's boundary file (deploy/demo/grids.geo.tsv, 和平桥街道's
    67 grids of 300 m) is loaded against the demo org tree; a point is
    found in the grid that holds it and nowhere outside; a grid's centre is
    the centre of its box; a broken file is refused naming its line. */
#include "cg_geo.h"
#include "cg_testfile.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cg_orgtree_t *s_org;

static void
s_setup (void)
{
    char *path = cg_testfile_demo ("orgtree.tsv");
    char err[256];
    s_org = cg_orgtree_load (path, err, sizeof err);
    cr_assert (s_org, "%s", err);
    free (path);
}

static void
s_teardown (void)
{
    cg_orgtree_destroy (&s_org);
}

static cg_geo_t *
s_demo (void)
{
    char *path = cg_testfile_demo ("grids.geo.tsv");
    char err[256];
    cg_geo_t *geo = cg_geo_load (s_org, path, err, sizeof err);
    cr_assert (geo, "%s", err);
    free (path);
    return geo;
}

TestSuite (geo, .init = s_setup, .fini = s_teardown);

Test (geo, the_demo_towns_grids_are_loaded_in_order)
{
    cg_geo_t *geo = s_demo ();
    cr_assert_eq (cg_geo_count (geo), 67);
    for (size_t i = 0; i < cg_geo_count (geo); i++) {
        const cg_ring_t *ring = cg_geo_at (geo, i);
        cr_assert_eq (ring->grid->kind, CG_ORG_GRID);
        cr_assert_eq (strncmp (ring->grid->code, "320602001", 9), 0, "%s", ring->grid->code);
        cr_assert_eq (cg_geo_ring (geo, ring->grid), ring, "each ring is found by its grid");
    }
    cr_assert_null (cg_geo_at (geo, 67));
    cg_geo_destroy (&geo);
    cr_assert_null (geo);
}

Test (geo, a_point_lies_in_the_grid_that_holds_it_and_nowhere_outside)
{
    cg_geo_t *geo = s_demo ();
    /*  第3网格 of the first community: 120.8560–120.8590 E, 32.0000–32.0030 N */
    const cg_org_node_t *grid = cg_geo_by_point (geo, 32.0015, 120.8575);
    cr_assert (grid);
    cr_assert_str_eq (grid->code, "320602001001003");
    cr_assert_null (cg_geo_by_point (geo, 31.5, 120.8575), "south of the town");
    cr_assert_null (cg_geo_by_point (geo, 32.0015, 121.5), "east of the town");
    double lat, lon;
    cr_assert_eq (cg_geo_centre (geo, grid, &lat, &lon), 0);
    cr_assert_float_eq (lat, 32.0015, 1e-9);
    cr_assert_float_eq (lon, 120.8575, 1e-9);
    cr_assert_eq (cg_geo_centre (geo, cg_orgtree_find (s_org, "320602002001001"), &lat, &lon), -1,
                  "a grid of another town is not surveyed");
    cr_assert_null (cg_geo_by_point (NULL, 32.0015, 120.8575), "no file, no grid");
    cg_geo_destroy (&geo);
}

static void *
s_load (const char *path, char *err, size_t errlen)
{
    return cg_geo_load (s_org, path, err, errlen);
}

Test (geo, a_broken_file_is_refused_naming_its_line)
{
    cg_testfile_refused (s_load, "320602001001001\t120.85,32.0 120.853,32.0 120.853,32.003\n"
                                 "320602001001002\t120.85,32.0 120.853,32.0\n", 2,
                         "a ring is three or more lon,lat points separated by spaces, in range");
    cg_testfile_refused (s_load, "320602001\t120.85,32.0 120.853,32.0 120.853,32.003\n", 1,
                         "want the code of a grid, a TAB and its ring");
    cg_testfile_refused (s_load, "320602001001001\t120.85,92.0 120.853,32.0 120.853,32.003\n",
                         1, "a ring is three or more lon,lat points separated by spaces, "
                         "in range");
}
