/*  volume — loads a stack with a center's hundredth day, for the browser
    test (tests/browser/console.test.js): n cases in the grids of a place,
    texts of 800–2,000 bytes of Chinese as a 12345 hotline writes them
    (tests/support/cg_testload.h).

        volume DIR PLACE N [SEED]

    DIR is the stack's folder (`civgrid stack up --dir DIR`), PLACE a code
    of the org tree (its grids and those below it take the cases); PLACE
    and SEED name the requests, so a second load needs another of them.  Waits
    until dispatch has routed every one; exits 1 with the reason if not. */
#include "cg_testload.h"
#include "cg_access.h"
#include "cg_daemon.h"

int
main (int argc, char **argv)
{
    if (argc < 4) {
        fprintf (stderr, "usage: volume DIR PLACE N [SEED]\n");
        return 2;
    }
    char path[1024], err[512];
    snprintf (path, sizeof path, "%s/civgrid.cfg", argv[1]);
    zconfig_t *config = zconfig_load (path);
    if (!config) {
        fprintf (stderr, "volume: cannot read %s\n", path);
        return 1;
    }
    if (cg_access_use (config, CG_ACCESS_ADMIN)) {
        fprintf (stderr, "volume: cannot read the stack's admin key\n");
        zconfig_destroy (&config);
        return 1;
    }
    size_t n = (size_t) strtoull (argv[3], NULL, 10);
    uint64_t seed = argc > 4 ? strtoull (argv[4], NULL, 10) : 1;
    size_t ngrids;
    char **grids = cg_testload_grids (zconfig_get (config, "data/orgtree",
                                                   "deploy/demo/orgtree.tsv"),
                                      argv[2], NULL, &ngrids, err, sizeof err);
    cg_redis_t *redis = cg_redis_configured (config, 5000);
    char tag[96];
    snprintf (tag, sizeof tag, "volume-%s-%llu", argv[2], (unsigned long long) seed);
    int rc = grids && redis
           ? cg_testload_submit (zconfig_get (config, "intake/endpoint", ""), redis, grids,
                                 ngrids, n, seed, tag, NULL, 600000, err, sizeof err)
           : -1;
    if (rc)
        fprintf (stderr, "volume: %s\n", redis ? err : "Redis cannot be reached");
    else
        printf ("%zu cases in %s\n", n, argv[2]);
    cg_testload_grids_free (&grids, ngrids);
    cg_redis_destroy (&redis);
    zconfig_destroy (&config);
    cg_access_end ();
    return rc ? 1 : 0;
}
