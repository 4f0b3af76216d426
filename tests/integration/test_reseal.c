/*  Re-sealing under a rotated sealing key (issue #17): after `secret
    rotate seal` and a restart, intake seals its old records again under
    the newest version in the background, under load and through a kill -9
    of intake; `secret status` counts what is left, the archive's copies
    follow, and `secret retire seal N` takes the old version out only when
    nothing of it is left.  Cases archived before the rotation are sealed
    again in the archive's file by intake (the archive never holds the
    key), through a kill -9 of the archive midway.  Then every record, live
    or archived, opens without the old version. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_testhttp.h"
#include "cg_testload.h"
#include "cg_testcase.h"

#define S_TOWN      "320602001"
#define S_CASES     600
#define S_ARCHIVED  100     /* cases that leave Redis for the archive under version 2 */
#define S_DAY       (24 * 3600 * 1000LL)

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

/*  cg:{intake}:reseal's field as a number (0 when absent) */
static int64_t
s_pass (cg_teststack_t *stack, const char *field)
{
    return cg_teststack_int (stack, "HGET cg:{intake}:reseal %s", field);
}

/*  S_ARCHIVED cases of their own callers (phone 1390000<i>), closed and
    past their reopen window on the test clock: they leave Redis for the
    archive, sealed under the version intake seals with now. */
static void
s_archive (cg_teststack_t *stack, char ids[][33])
{
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_client_t *dispatch = cg_teststack_client (stack, "dispatch");
    cg_testgrids_t g;
    cg_testgrids_load (&g);
    int64_t t0 = zclock_time ();
    cg_testclock_set (stack, t0);
    for (int i = 0; i < S_ARCHIVED; i++) {
        char ext[32], phone[32];
        snprintf (ext, sizeof ext, "RS2026%05d", i);
        snprintf (phone, sizeof phone, "1390000%04d", i);
        const char *grid = NULL;        /* a grid each: none merges into another */
        for (size_t k = 0, seen = 0; k < g.ngrids && !grid; k++)
            if (strncmp (g.grids[k], "320602", 6) == 0 && seen++ == (size_t) i)
                grid = g.grids[k];
        cr_assert (grid);
        cg_case_submit_t req = { .source = "hotline", .ext_ref = ext, .category = "noise",
                                 .text = "楼下餐馆油烟直排，窗户都不敢开，请城管来看看。",
                                 .grid = (char *) grid, .contact_phone = phone };
        cg_case_submitted_t rep;
        cg_error_t err;
        cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &rep, &err), 0,
                      "%s", err.message);
        cr_assert_not (rep.merged || rep.repeat, "case %d stands alone", i);
        snprintf (ids[i], 33, "%s", rep.id);
        cg_msg_clear (&cg_case_submitted_def, &rep);
        cg_testcase_close (stack, dispatch, ids[i]);
    }
    cg_testclock_set (stack, t0 + 16 * S_DAY);
    int kept = S_ARCHIVED;
    for (int waited = 0; waited < 300 && kept; waited++) {
        kept = 0;
        for (int i = 0; i < S_ARCHIVED; i++)
            kept += cg_teststack_int (stack, "EXISTS cg:{intake}:req:%s", ids[i]) == 1;
        if (kept)
            zclock_sleep (200);
    }
    cr_assert_eq (kept, 0, "closed cases left intake's Redis for the archive");
    cg_orgtree_destroy (&g.org);
    cg_client_destroy (&dispatch);
    cg_client_destroy (&intake);
}

Test (reseal, old_records_are_sealed_again_and_the_old_version_retired, .timeout = 280)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1 --set archive/sweep_ms=100");
    /*  version 2 seals the first cases; some are archived under it */
    free (cg_testcli (stack, 0, "secret rotate seal"));
    s_restart_intake (stack);
    s_load (stack, S_CASES, 11, "v2");
    int64_t left;
    cr_assert_eq (s_status (stack, 2, false, &left), S_CASES, "each case's phone, under v2");
    static char archived[S_ARCHIVED][33];
    s_archive (stack, archived);
    /*  the archive's file holds every case, live ones too */
    cr_assert_geq (s_status (stack, 2, true, &left), S_CASES + S_ARCHIVED, "archived under v2");

    /*  version 3: intake seals them again in the background, while more
        come in, and is killed midway; so is the archive, midway through
        its rows */
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
    /*  the archive's rows follow Redis's, and the archive is killed midway */
    bool archive_killed = false;
    for (int waited = 0; waited < 60000 && !archive_killed; waited++) {
        if (s_pass (stack, "archive_for") == 3 && s_pass (stack, "archive_version") == 2
        &&  s_pass (stack, "archive_after") > 0) {
            cg_teststack_kill9 (stack, "archive");
            archive_killed = true;
        }
        else
            usleep (1000);
    }
    cr_assert (archive_killed, "the archive's pass was seen under way");
    cg_testcli_says (stack, 0, "intake's records done; archived records looking for version 2 "
                     "after row", "secret status");
    /*  an old version cannot go while it seals anything: what the archive
        holds stays under it while the archive is down */
    cg_testcli_says (stack, 1, "cannot be retired yet", "secret retire seal 2");
    cg_teststack_restart (stack);
    s_load (stack, 100, 12, "v3");
    s_status (stack, 2, false, &left);
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
    cg_testcli_says (stack, 0, "intake's records done; archived records done", "stack status");

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
    /*  the archive hands sealed records to intake alone */
    cg_client_t *archive = cg_teststack_client (stack, "archive");
    cg_archive_record_ask_t ask = { .role = "supervisor", .id = archived[0] };
    cg_archive_sealed_row_t row;
    cg_error_t refused;
    cr_assert_eq (cg_client_call (archive, &cg_cmd_archive_record, &ask, &row, &refused), -1);
    cr_assert_str_eq (refused.code, "forbidden");
    cr_assert_str_eq (refused.field, "role");
    cg_client_destroy (&archive);
    /*  and so does every archived one, to a role that sees personal data */
    for (int i = 0; i < S_ARCHIVED; i += 7) {
        cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{intake}:req:%s", archived[i]), 0);
        cg_intake_get_t get = { .rid = NULL, .id = archived[i], .role = "supervisor" };
        cg_intake_view_t view;
        cg_error_t err;
        int rc = cg_client_call (intake, &cg_cmd_intake_show, &get, &view, &err);
        cr_assert_eq (rc, 0, "archived case %s: %s", archived[i], err.message);
        char phone[32];
        snprintf (phone, sizeof phone, "1390000%04d", i);
        cr_assert_str_eq (view.contact_phone, phone, "archived case %s", archived[i]);
        cg_msg_clear (&cg_intake_view_def, &view);
    }
    freeReplyObject (keys);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}
