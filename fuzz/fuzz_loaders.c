/*  fuzz_loaders — libFuzzer targets for the data files an administrator
    edits, each through its real loader (built once per file, FUZZ_LOADER
    naming it): the org tree, the catalog (checked against the demo org
    tree), the working calendar, consultation's rosters, notification's
    directory, the funds file, the charity sites' items and sites (kind)
    and the resident points rules (points), and intake's channel classifications
    (intake_map, against the demo catalog), gazetteer, grid boundaries and
    registry of alarm devices.  Any bytes must load or be refused with
    a reason; never crash, leak or read out of bounds.  A loaded file is
    also used a little, as its daemon would. */
#include "fuzz_file.h"
#include "cg_calendar.h"
#include "cg_catalog.h"
#include "../services/consultation/roster.h"
#include "../services/notification/directory.h"
#include "../services/fund/funds.h"
#include "../services/fund/goods.h"
#include "../services/fund/points.h"
#include "../services/intake/classify.h"
#include "../services/intake/intake.h"
#include "../services/intake/place.h"
#include "cg_powers.h"
#include <sys/stat.h>
#include <unistd.h>

#define S_orgtree       1
#define S_catalog       2
#define S_calendar      3
#define S_rosters       4
#define S_directory     5
#define S_funds         6
#define S_intake_map    7
#define S_gazetteer     8
#define S_grids_geo     9
#define S_devices       10
#define S_kind          11
#define S_points        12
#define S_powers        13
#define S_CAT(a, b)     a##b
#define S_WHICH(name)   S_CAT (S_, name)

#if S_WHICH (FUZZ_LOADER) == S_powers
/*  The list's loader takes its area from the file's name: the input is
    read through a link of that name, in a folder of this process's. */
static char s_named[64];

static void
s_unname (void)
{
    unlink (s_named);
    *strrchr (s_named, '/') = 0;
    rmdir (s_named);
}
#endif

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    const char *path = fuzz_file (data, size);
    char err[512] = "";
#if S_WHICH (FUZZ_LOADER) == S_orgtree
    cg_orgtree_t *org = cg_orgtree_load (path, err, sizeof err);
    if (org) {
        /*  every node is found by its code, and lies within the root */
        const cg_org_node_t *root = cg_orgtree_root (org);
        for (const cg_org_node_t *n = cg_orgtree_first_child (root); n;
             n = cg_orgtree_next_sibling (n))
            if (cg_orgtree_find (org, n->code) != n || !cg_orgtree_within (n, root))
                abort ();
        cg_orgtree_destroy (&org);
    }
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_catalog
    cg_catalog_t *catalog = cg_catalog_load (path, err, sizeof err);
    if (catalog) {
        for (size_t i = 0; i < cg_catalog_size (catalog); i++) {
            const cg_category_t *c = cg_catalog_at (catalog, i);
            if (cg_catalog_find (catalog, c->code) != c)
                abort ();
        }
        if (cg_catalog_check (catalog, fuzz_orgtree (), path, err, sizeof err))
            fuzz_check_refusal (err);
        cg_catalog_destroy (&catalog);
    }
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_calendar
    cg_calendar_t *calendar = cg_calendar_load (path, err, sizeof err);
    if (calendar) {
        /*  a deadline of 3 working days from 2026-12-01 08:00 (+08) */
        int64_t from = INT64_C (1764547200000);
        int64_t due = cg_calendar_add (calendar, from, 3 * 8 * 3600 * INT64_C (1000));
        if (due < from)
            abort ();
        cg_calendar_destroy (&calendar);
    }
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_rosters
    roster_t *rosters = roster_load (path, fuzz_orgtree (), err, sizeof err);
    if (rosters)
        roster_destroy (&rosters);
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_directory
    directory_t *directory = directory_load (path, fuzz_orgtree (), err, sizeof err);
    if (directory)
        directory_destroy (&directory);
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_funds
    funds_t *funds = funds_load (path, fuzz_orgtree (), err, sizeof err);
    if (funds) {
        for (int i = 0; funds_at (funds, i); i++)
            if (funds_find (funds, funds_at (funds, i)->code) == NULL)
                abort ();
        funds_destroy (&funds);
    }
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_intake_map
    static cg_catalog_t *catalog;
    if (!catalog) {
        char demo[1024];
        snprintf (demo, sizeof demo, "%s/deploy/demo/catalog.tsv",
                  getenv ("CG_ROOT") ? getenv ("CG_ROOT") : ".");
        catalog = cg_catalog_load (demo, err, sizeof err);
        if (!catalog)
            abort ();
    }
    classify_t *classify = classify_new (catalog, path, err, sizeof err);
    if (classify) {
        classify_text (classify, "hotline", "小区门口夜间施工噪音扰民", NULL);
        classify_destroy (&classify);
    }
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_gazetteer || S_WHICH (FUZZ_LOADER) == S_grids_geo
    bool geo = S_WHICH (FUZZ_LOADER) == S_grids_geo;
    place_t *place = place_new (fuzz_orgtree (), geo ? path : NULL, geo ? NULL : path,
                                err, sizeof err);
    if (place) {
        place_by_point (place, 32.0, 120.9);
        place_destroy (&place);
    }
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_devices
    zhash_t *devices = zhash_new ();
    if (intake_load_devices (devices, fuzz_orgtree (), path, err, sizeof err) == 0) {
        for (intake_device_t *d = zhash_first (devices); d; d = zhash_next (devices))
            if (!d->home || d->home->kind != CG_ORG_GRID)
                abort ();
    }
    else
        fuzz_check_refusal (err);
    zhash_destroy (&devices);
#elif S_WHICH (FUZZ_LOADER) == S_kind
    goods_t *goods = goods_load (path, fuzz_orgtree (), NULL, err, sizeof err);
    if (goods)
        goods_destroy (&goods);
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_points
    points_t *points = points_load (path, err, sizeof err);
    if (points) {
        /*  an award never passes the act's points, nor goes below zero */
        for (int act = 0; act < POINTS_ACTS; act++) {
            int64_t award = points_award (points, act, 0, 0);
            if (award < 0 || award > POINTS_MAX || points_award (points, act, award, award) < 0)
                abort ();
        }
        points_destroy (&points);
    }
    else
        fuzz_check_refusal (err);
#elif S_WHICH (FUZZ_LOADER) == S_powers
    if (!*s_named) {
        snprintf (s_named, sizeof s_named, "/tmp/fuzz_powers.%d", (int) getpid ());
        mkdir (s_named, 0700);
        strcat (s_named, "/320612005003.tsv");
        unlink (s_named);
        if (symlink (path, s_named))
            abort ();
        atexit (s_unname);
    }
    const char *named = s_named;
    cg_powers_t *list = cg_powers_load (named, err, sizeof err);
    if (list) {
        for (size_t i = 0; i < cg_powers_size (list); i++) {
            const cg_power_t *p = cg_powers_at (list, i);
            if (cg_powers_find (list, p->code) != p || p->nsteps == 0)
                abort ();
        }
        if (cg_powers_supersedes (list, list, named, err, sizeof err) == 0)
            abort ();
        cg_powers_destroy (&list);
    }
    else
        fuzz_check_refusal (err);
#else
#error FUZZ_LOADER names no loader
#endif
    return 0;
}
