/*  cg_layout — which layout of keys a store is written in, and whether
    this civgrid understands it.

    The key cg:layout holds the layout's number.  Every daemon with state
    checks it before it touches the store (cg_daemon_new): the layout this
    civgrid writes, CG_LAYOUT, is the only one it works on.  An older
    store is upgraded with `civgrid migrate` (services/cli/migrate.c, one
    step per layout, each safe to run again, so that a migration cut short
    by a crash is run again and goes on); a newer one was written by a
    newer release, which is the one to run.  An empty store is given
    CG_LAYOUT by the first daemon that starts on it; a store with data and
    no cg:layout predates the key: layout 1.

    Layouts:
      1   statistics by day only (cg:{dispatch}:st:<day>)
      2   days, and weeks and months (sw:, sm:); dispatch rolls the days of
          a layout-1 store up at its start, resumably (st:layout, st:rolled:
          docs/DISPATCH.md)
      3   statistics by year (sy:) too, and the city's totals in every
          statistics hash (*|*|<metric>); dispatch makes them at its start
          from a layout-2 store's months, at once (st:layout 3); intake's
          order numbers in a hash per 30-day period (ext:<period>), the old
          `ext` and `extsum` read as one more period until they expire
          (docs/INTAKE.md)
      4   a county's part of each statistics hash but the hours',
          `<key>|<county>` (the fields of units whose code starts with the
          county's six digits) and the set of counties st:parts; dispatch
          makes them at its start from a layout-3 store's hashes, at once
          (st:layout 4; docs/DISPATCH.md)
      5   the fund's acts counted once (cg:{fund}:points:acts) by a 12-byte
          hash of act:id:resident, no longer the three in full; the fields
          of a layout-4 store are kept and still counted (nothing to
          rewrite: civgrid-fund looks for either); intake's order numbers
          in 256 hashes a period, ext:<period>:<bucket>, a period's one
          hash of layout 4 read first while it lasts (docs/INTAKE.md); an
          older civgrid, which would not know the new fields, is refused

    From now on every change of stored layout adds a layout here, its step
    in migrate.c, and a test that upgrades a store of the layout before. */
#ifndef CG_LAYOUT_H_INCLUDED
#define CG_LAYOUT_H_INCLUDED

#include "cg_redis.h"

#define CG_LAYOUT   5

/*  The store's layout (1 for a store with data and no record; an empty
    store gets CG_LAYOUT), or -1 when Redis could not be asked. */
int64_t cg_layout_of (cg_redis_t *redis);

/*  0 when the store is in CG_LAYOUT; else -1 with what to do in why:
    run `civgrid migrate` (older), run the newer release (newer). */
int cg_layout_check (cg_redis_t *redis, char *why, size_t len);

#endif
