/*  Durability under a real power cut (docs/ARCHITECTURE.md, "Durability").

    The stack's Redis keeps its files on lossyfs (tests/support/lossyfs.py,
    a FUSE file system that holds written data in memory until it is
    fsync'd, as a kernel's page cache does).  The 12345 hotline pushes
    orders and hears a case id for each; then the power goes: Redis and the
    file system are killed with -9, and what they held unsynced is gone.
    When the machine is back (the stack started again on what reached the
    disk), every order the hotline heard a case id for is still there: sent
    again, it gets the same case id as a repeat.  Skipped where FUSE cannot
    be mounted (no /dev/fuse, no python3-fusepy, not allowed to mount).
    With `--set redis/appendfsync=everysec` the same test finds none of the
    300 orders after the cut. */
#include <criterion/criterion.h>
#include "cg_testenv.h"

#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define S_ORDERS 300

/*  The file system of the test, stopped and unmounted if it ends early */
static pid_t s_fs;
static char s_mountpoint[700];

static void
s_fini (void)
{
    if (s_fs > 0) {
        kill (s_fs, SIGKILL);
        waitpid (s_fs, NULL, 0);
        umount2 (s_mountpoint, MNT_DETACH);
    }
}

static bool
s_mounted (const char *path)
{
    char line[2048];
    bool found = false;
    FILE *f = fopen ("/proc/mounts", "r");
    while (f && !found && fgets (line, sizeof line, f)) {
        char *dir = strchr (line, ' ');
        found = dir && strncmp (dir + 1, path, strlen (path)) == 0
             && dir[1 + strlen (path)] == ' ';
    }
    if (f)
        fclose (f);
    return found;
}

/*  One order of the hotline, as intake takes it; its case id in id. */
static bool
s_order (cg_client_t *intake, int i, char *id, size_t len, bool *repeat)
{
    char ext[32], text[128];
    snprintf (ext, sizeof ext, "PC20261206-%04d", i);
    snprintf (text, sizeof text, "第%d号来电：小区路灯损坏，夜间出行不便，请尽快维修。", i);
    cg_case_submit_t req = { .source = "hotline", .ext_ref = ext, .category = "noise",
                             .text = text, .grid = "320602001001001",
                             .contact_phone = "13812345678" };
    cg_case_submitted_t rep;
    cg_error_t err;
    if (cg_client_call (intake, &cg_cmd_case_submit, &req, &rep, &err))
        return false;
    snprintf (id, len, "%s", rep.id);
    *repeat = rep.repeat;
    cg_msg_clear (&cg_case_submitted_def, &rep);
    return true;
}

Test (durability, a_power_cut_loses_no_acknowledged_order, .fini = s_fini, .timeout = 300)
{
    if (access ("/dev/fuse", R_OK | W_OK) || access ("/usr/lib/python3/dist-packages/fusepy.py",
                                                      R_OK))
        cr_skip_test ("no FUSE here (/dev/fuse, python3-fusepy)");
    cg_teststack_t *stack = cg_teststack_up (NULL);
    /*  Redis stopped, its files moved to the disk under lossyfs, and
        started again on lossyfs */
    cg_teststack_kill9 (stack, "redis");
    char redis_dir[700], disk[700], script[700];
    snprintf (redis_dir, sizeof redis_dir, "%s/redis", stack->dir);
    snprintf (disk, sizeof disk, "%s/disk", stack->dir);
    snprintf (script, sizeof script, "%s/tests/support/lossyfs.py", cg_test_root ());
    cr_assert_eq (rename (redis_dir, disk), 0);
    cr_assert_eq (mkdir (redis_dir, 0755), 0);
    pid_t fs = fork ();
    cr_assert (fs >= 0);
    if (fs == 0) {
        execl ("/usr/bin/python3", "python3", script, disk, redis_dir, (char *) NULL);
        _exit (127);
    }
    s_fs = fs;
    snprintf (s_mountpoint, sizeof s_mountpoint, "%s", redis_dir);
    for (int t = 0; t < 100 && !s_mounted (redis_dir); t++)
        usleep (100000);
    if (!s_mounted (redis_dir)) {
        s_fini ();
        s_fs = 0;
        cg_teststack_down (&stack);
        cr_skip_test ("lossyfs could not be mounted here");
    }
    cg_teststack_restart (stack);

    cg_client_t *intake = cg_teststack_client (stack, "intake");
    static char ids[S_ORDERS][40];
    int acknowledged = 0;
    for (int i = 0; i < S_ORDERS; i++) {
        bool repeat;
        if (s_order (intake, i, ids[i], sizeof ids[i], &repeat)) {
            cr_assert_not (repeat);
            acknowledged++;
        }
        else
            ids[i][0] = 0;
    }
    cr_assert_eq (acknowledged, S_ORDERS);
    cg_client_destroy (&intake);

    /*  the power cut: Redis and the page cache gone at once */
    cg_teststack_kill9 (stack, "redis");
    kill (fs, SIGKILL);
    waitpid (fs, NULL, 0);
    s_fs = 0;
    cr_assert_eq (umount2 (redis_dir, MNT_DETACH), 0);
    cr_assert_eq (rmdir (redis_dir), 0);
    cr_assert_eq (rename (disk, redis_dir), 0);
    cg_teststack_restart (stack);

    intake = cg_teststack_client (stack, "intake");
    int kept = 0;
    for (int i = 0; i < S_ORDERS; i++) {
        char id[40];
        bool repeat = false;
        cr_assert (s_order (intake, i, id, sizeof id, &repeat));
        kept += repeat && strcmp (id, ids[i]) == 0;
    }
    cg_client_destroy (&intake);
    cr_assert_eq (kept, S_ORDERS, "%d of %d acknowledged orders survived the power cut", kept,
                  S_ORDERS);
    cg_teststack_down (&stack);
}
