/*  Re-sealing under a rotated sealing key (issue #17): after `secret
    rotate seal` and a restart, intake seals its old records again under
    the newest version in the background, under load and through a kill -9
    of intake; `secret status` counts what is left, the archive's copies
    follow, and `secret retire seal N` takes the old version out only when
    nothing of it is left.  Then every record opens without it. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_testhttp.h"
#include "cg_testload.h"

#define S_TOWN      "320602001"
#define S_CASES     600

/*  The sealing key takes its newest version when intake starts again. */
static void
s_restart_intake (cg_teststack_t *stack)
{
    cg_teststack_kill9 (stack, "intake");
    cg_teststack_restart (stack);
}

/*  `secret status --json`'s values of version v in intake's records
    (archived: in the archive's), and what is left in all. */
static int64_t
s_status (cg_teststack_t *stack, int v, bool archived, int64_t *left)
{
    char *out = cg_testcli (stack, 0, "secret status --json");
    json_t *status = json_loads (out, 0, NULL);
    cr_assert (status, "%s", out);
    free (out);
    *left = json_integer_value (json_object_get (status, "left"));
    int64_t found = -1;
    json_t *versions = json_object_get (status, "versions");
    for (size_t i = 0; i < json_array_size (versions); i++) {
        json_t *e = json_array_get (versions, i);
        if (json_integer_value (json_object_get (e, "version")) == v)
            found = json_integer_value (json_object_get (e, archived ? "archived" : "values"));
    }
    json_decref (status);
    return found;
}

static void
s_load (cg_teststack_t *stack, size_t n, uint64_t seed, const char *tag)
{
    char path[600], err[256];
    snprintf (path, sizeof path, "%s/deploy/demo/orgtree.tsv", getenv ("CG_ROOT"));
    size_t ngrids;
    char **grids = cg_testload_grids (path, S_TOWN, NULL, &ngrids, err, sizeof err);
    cr_assert (grids, "%s", err);
    cr_assert_eq (cg_testload_submit (zconfig_get (stack->config, "intake/endpoint", ""),
                                      stack->redis, grids, ngrids, n, seed, tag, NULL, 180000,
                                      err, sizeof err), 0, "%s", err);
    cg_testload_grids_free (&grids, ngrids);
}

Test (reseal, old_records_are_sealed_again_and_the_old_version_retired, .timeout = 280)
{
    cg_teststack_t *stack = cg_teststack_up ("");
    /*  version 2 seals the first cases */
    free (cg_testcli (stack, 0, "secret rotate seal"));
    s_restart_intake (stack);
    s_load (stack, S_CASES, 11, "v2");
    int64_t left;
    cr_assert_eq (s_status (stack, 2, false, &left), S_CASES, "each case's phone, under v2");

    /*  version 3: intake seals them again in the background, while more
        come in, and is killed midway */
    free (cg_testcli (stack, 0, "secret rotate seal"));
    s_restart_intake (stack);
    bool midway = false;
    for (int waited = 0; waited < 2000 && !midway; waited++) {
        redisReply *r = cg_redis_command (stack->redis, "HMGET cg:{intake}:reseal version "
                                          "cursor");
        midway = r && r->type == REDIS_REPLY_ARRAY && r->elements == 2
              && cg_reply_int (r->element[0], 0) == 3 && r->element[1]->str
              && strcmp (r->element[1]->str, "0") && strcmp (r->element[1]->str, "done");
        if (r)
            freeReplyObject (r);
        usleep (5000);
    }
    cr_assert (midway, "the pass was seen under way");
    cg_teststack_kill9 (stack, "intake");
    cg_teststack_restart (stack);
    s_load (stack, 100, 12, "v3");
    /*  an old version cannot go while it seals anything */
    int64_t v2 = s_status (stack, 2, false, &left);
    if (v2 > 0)
        cg_testcli_says (stack, 1, "cannot be retired yet", "secret retire seal 2");
    for (int waited = 0; waited < 120 && (left || s_status (stack, 2, true, &left) > 0);
         waited++) {
        usleep (500000);
        s_status (stack, 2, false, &left);
    }
    cr_assert_eq (left, 0, "every record is sealed under version 3 in the end");
    cr_assert_eq (s_status (stack, 2, true, &left), 0, "the archive's copies follow");
    cr_assert_eq (s_status (stack, 3, false, &left), S_CASES + 100);
    cr_assert_eq (cg_teststack_log_count (stack, "intake", "every record is sealed under "
                                          "version 3"), 1);

    /*  the current version and version 1 (the fingerprints') stay */
    cg_testcli_says (stack, 1, "it is the version that seals now", "secret retire seal 3");
    cg_testcli_says (stack, 1, "fingerprints", "secret retire seal 1");
    cg_testcli_says (stack, 0, "is retired", "secret retire seal 2");
    cg_testcli_says (stack, 1, "not in the configuration", "secret retire seal 2");

    /*  without version 2, every record still opens */
    s_restart_intake (stack);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    redisReply *keys = cg_redis_command (stack->redis, "SCAN 0 MATCH cg:{intake}:req:* "
                                         "COUNT 1000");
    cr_assert (keys && keys->type == REDIS_REPLY_ARRAY && keys->element[1]->elements >= 20);
    for (size_t i = 0; i < keys->element[1]->elements; i += 17) {
        const char *id = keys->element[1]->element[i]->str + strlen ("cg:{intake}:req:");
        cg_intake_get_t get = { .rid = "reseal", .id = (char *) id, .role = "supervisor" };
        cg_intake_view_t view;
        cg_error_t err;
        int rc = cg_client_call (intake, &cg_cmd_intake_show, &get, &view, &err);
        cr_assert_eq (rc, 0, "%s", err.message);
        cr_assert_str_eq (view.contact_phone, "13800138000", "case %s", id);
        cg_msg_clear (&cg_intake_view_def, &view);
    }
    freeReplyObject (keys);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}
