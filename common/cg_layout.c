/*  cg_layout — see cg_layout.h. */
#include "cg_layout.h"

#include <stdio.h>

int64_t
cg_layout_of (cg_redis_t *redis)
{
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_int (&args, CG_LAYOUT);
    redisReply *r = cg_redis_script (redis, "layout_check", 0, &args);
    cg_args_free (&args);
    int64_t layout = r && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    if (r)
        freeReplyObject (r);
    return layout;
}

int
cg_layout_check (cg_redis_t *redis, char *why, size_t len)
{
    int64_t layout = cg_layout_of (redis);
    if (layout == CG_LAYOUT)
        return 0;
    if (layout < 0)
        snprintf (why, len, "cannot read the store's layout (cg:layout): Redis failed");
    else
    if (layout < CG_LAYOUT)
        snprintf (why, len, "the store is in layout %lld, older than this civgrid's %d: stop "
                  "every daemon, back it up (civgrid backup DIR), and run `civgrid migrate`",
                  (long long) layout, CG_LAYOUT);
    else
        snprintf (why, len, "the store is in layout %lld, newer than this civgrid's %d: it was "
                  "written by a newer release; run that release (a layout is never taken back)",
                  (long long) layout, CG_LAYOUT);
    return -1;
}
