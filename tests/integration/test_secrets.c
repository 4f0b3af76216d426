/*  A hotline's secret is rotated without a restart (issue #17): for a
    while both the old and the new one sign, then only the new; the gateway
    reads them on each push.  Real HTTP, the test clock moved past the
    grace period.  The sealing key gets a new version that seals from the
    next start while the old still opens, and a backup of the secrets
    holds every version. */
#include <criterion/criterion.h>
#include "cg_testcli.h"
#include "cg_testhttp.h"

#include <sys/stat.h>

#define S_FIRST     "the-first-hotline-secret-of-test"
#define S_GRID      "320602001001001"

/*  An order of a hotline with its own number; the push's status, and
    the field a refusal names in field. */
static int
s_order (cg_teststack_t *stack, const char *hotline, const char *secret, int64_t now_ms, int n,
         char *field, size_t len)
{
    char order[512];
    snprintf (order, sizeof order, "{\"order_no\":\"GD-ROT-%d\",\"category\":\"noise\","
              "\"call_time\":\"2026-11-22T15:04:05+08:00\",\"class\":\"投诉\","
              "\"content\":\"市民来电反映工地夜间施工噪音扰民\","
              "\"address\":\"和平桥街道工农路\"}", n);
    int status;
    json_t *reply = cg_http_hotline_push (stack, hotline, secret, now_ms / 1000, order,
                                          &status);
    const char *named = json_string_value (json_object_get (json_object_get (reply, "error"),
                                                            "field"));
    snprintf (field, len, "%s", named ? named : "");
    json_decref (reply);
    return status;
}

Test (secrets, a_hotline_secret_is_rotated_without_a_restart, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1 --set gateway/hotline/h12345="
                                             S_FIRST);
    int64_t now = zclock_time ();
    char field[64];
    int gateway = cg_teststack_pid (stack, "gateway");
    cr_assert_eq (s_order (stack, "h12345", S_FIRST, now, 1, field, sizeof field),
                  200, "%s", field);

    /*  rotated: the new one signs at once, the old one for the grace */
    char *out = cg_testcli (stack, 0, "secret rotate hotline h12345 --grace-hours 2");
    char second[129] = "";
    sscanf (out, "%128s", second);
    cr_assert_eq (strlen (second), 64, "%s", out);
    cr_assert (strstr (out, "good until"), "%s", out);
    free (out);
    cr_assert_eq (s_order (stack, "h12345", second, now, 2, field, sizeof field),
                  200, "%s", field);
    cr_assert_eq (s_order (stack, "h12345", S_FIRST, now, 3, field, sizeof field),
                  200, "%s", field);

    /*  three hours on, only the new one */
    now += 3 * 3600000LL;
    redisReply *r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) now);
    cr_assert (r && r->type == REDIS_REPLY_STATUS);
    freeReplyObject (r);
    cr_assert_eq (s_order (stack, "h12345", S_FIRST, now, 4, field, sizeof field),
                  401);
    cr_assert_str_eq (field, "X-CG-Signature");
    cr_assert_eq (s_order (stack, "h12345", second, now, 5, field, sizeof field),
                  200, "%s", field);

    /*  rotated again with no grace: the second is refused at once */
    out = cg_testcli (stack, 0, "secret rotate hotline h12345 --grace-hours 0");
    char third[129] = "";
    sscanf (out, "%128s", third);
    free (out);
    cr_assert_eq (s_order (stack, "h12345", second, now, 6, field, sizeof field),
                  401);
    cr_assert_eq (s_order (stack, "h12345", third, now, 7, field, sizeof field),
                  200, "%s", field);
    cr_assert_eq (cg_teststack_pid (stack, "gateway"), gateway, "the gateway was restarted");

    /*  bad input, each named; a hotline never configured gets its first */
    cg_testcli_says (stack, 1, "from 0 to 168",
                     "secret rotate hotline h12345 --grace-hours 9999");
    cg_testcli_says (stack, 1, "not \"../etc\"", "secret rotate hotline ../etc");
    cg_testcli_says (stack, 2, "usage", "secret rotate token x");
    out = cg_testcli (stack, 0, "secret rotate hotline h99999");
    char fourth[129] = "";
    sscanf (out, "%128s", fourth);
    free (out);
    cr_assert_eq (s_order (stack, "h99999", fourth, now, 8, field, sizeof field), 200, "%s",
                  field);
    cr_assert_eq (s_order (stack, "h12345", fourth, now, 9, field, sizeof field), 401,
                  "one hotline's secret signs for another");
    cg_teststack_down (&stack);
}

/*  The sealing key and the stack's secrets, backed up under a passphrase,
    are what a stack is rebuilt from with Redis's own files: on another
    folder (another machine), what was sealed opens again. */
/*  How many values of the case's intake record (its msgpack) name
    version of the sealing key ("vN:"). */
static int
s_sealed_under (cg_teststack_t *stack, const char *id, int version)
{
    redisReply *r = cg_redis_command (stack->redis, "HGET cg:{intake}:req:%s record", id);
    cr_assert (r && r->type == REDIS_REPLY_STRING, "no record of %s", id);
    char tag[8];
    int n = snprintf (tag, sizeof tag, "v%d:", version), count = 0;
    for (size_t i = 0; i + n <= r->len; i++)
        count += memcmp (r->str + i, tag, n) == 0;
    freeReplyObject (r);
    return count;
}

Test (secrets, a_stack_is_rebuilt_from_its_data_and_its_secrets_backup, .timeout = 300)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *out = cg_testcli (stack, 0, "submit --source hotline --category noise --text "
                            "工地夜间施工噪音扰民 --grid " S_GRID " --name 王小明 "
                            "--phone 13812345678");
    char id[40] = "";
    sscanf (out, "%39s", id);
    free (out);
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "EXISTS cg:{dispatch}:case:%s", id), 1);
    char backup[700], rebuilt[700], shell[8192];

    /*  the sealing key rotated: a new version seals after a restart, the
        old one still opens what it sealed (cg_privacy.h) */
    out = cg_testcli (stack, 0, "secret rotate seal --json");
    cr_assert (strstr (out, "{\"seal\":2}"), "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, NULL, "stack down"), 0);
    cr_assert_eq (cg_teststack_cli (stack, &out, "stack up"), 0, "%s", out);
    free (out);
    out = cg_testcli (stack, 0, "submit --source hotline --category noise --text "
                      "楼下餐馆油烟直排 --grid " S_GRID " --name 李小红 --phone 13900001111");
    char id2[40] = "";
    sscanf (out, "%39s", id2);
    free (out);
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "EXISTS cg:{dispatch}:case:%s", id2), 1);
    cr_assert_eq (s_sealed_under (stack, id2, 2), 2, "not sealed under version 2");
    cr_assert_eq (s_sealed_under (stack, id, 2), 0, "the older values were changed");
    out = cg_testcli (stack, 0, "intake show %s --role supervisor", id);
    cr_assert (strstr (out, "13812345678"), "version 1 still opens: %s", out);
    free (out);
    snprintf (backup, sizeof backup, "%s/secrets.cgs", stack->dir);
    snprintf (rebuilt, sizeof rebuilt, "%s.rebuilt", stack->dir);

    unsetenv ("CG_PASSPHRASE");
    cg_testcli_says (stack, 1, "set CG_PASSPHRASE", "secret backup --out %s", backup);
    setenv ("CG_PASSPHRASE", "短", 1);
    cg_testcli_says (stack, 1, "at least 12 bytes", "secret backup --out %s", backup);
    setenv ("CG_PASSPHRASE", "两个秘密都在这里-2026", 1);
    cg_testcli_says (stack, 0, "under the passphrase", "secret backup --out %s", backup);
    cg_testcli_says (stack, 1, "never written over", "secret backup --out %s", backup);
    struct stat st;
    cr_assert_eq (stat (backup, &st), 0);
    cr_assert_eq (st.st_mode & 0777, 0600);
    const char *key = zconfig_get (stack->config, "intake/key", "");
    cr_assert_eq (cg_test_shell (shell, sizeof shell, "grep -c %s %s", key, backup), 1,
                  "the sealing key is in the backup in the clear");

    /*  the data moves to a new folder; the secrets come from the backup */
    cr_assert_eq (cg_teststack_cli (stack, NULL, "stack down"), 0);
    const char *bin = getenv ("CG_BIN") ? getenv ("CG_BIN") : "build/asan/bin";
    setenv ("CG_PASSPHRASE", "不是这个口令不是这个口令", 1);
    cr_assert_eq (cg_test_shell (shell, sizeof shell, "%s/civgrid secret restore --in %s "
                                 "--dir %s", bin, backup, rebuilt), 1, "%s", shell);
    cr_assert (strstr (shell, "does not open"), "%s", shell);
    setenv ("CG_PASSPHRASE", "两个秘密都在这里-2026", 1);
    cr_assert_eq (cg_test_shell (shell, sizeof shell, "%s/civgrid secret restore --in %s "
                                 "--dir %s && cp -a %s/redis %s/ && diff -r %s/secrets "
                                 "%s/secrets", bin, backup, rebuilt, stack->dir, rebuilt,
                                 stack->dir, rebuilt), 0, "%s", shell);
    cr_assert_eq (cg_test_shell (shell, sizeof shell, "%s/civgrid secret restore --in %s "
                                 "--dir %s", bin, backup, rebuilt), 1, "%s", shell);
    cr_assert (strstr (shell, "would lose them"), "%s", shell);
    cr_assert_eq (cg_test_shell (shell, sizeof shell, "%s/civgrid stack up --dir %s "
                                 "--port-base auto", bin, rebuilt), 0, "%s", shell);
    int shown = cg_test_shell (shell, sizeof shell, "%s/civgrid intake show %s --role "
                               "supervisor --dir %s", bin, id, rebuilt);
    char down[8192];
    cg_test_shell (down, sizeof down, "%s/civgrid stack down --dir %s", bin, rebuilt);
    cr_assert_eq (shown, 0, "%s", shell);
    cr_assert (strstr (shell, "13812345678") && strstr (shell, "王小明"), "%s", shell);
    /*  and what version 2 sealed: the backup held both versions */
    cr_assert_eq (cg_test_shell (shell, sizeof shell, "%s/civgrid stack up --dir %s", bin,
                                 rebuilt), 0, "%s", shell);
    shown = cg_test_shell (shell, sizeof shell, "%s/civgrid intake show %s --role "
                           "supervisor --dir %s", bin, id2, rebuilt);
    cg_test_shell (down, sizeof down, "%s/civgrid stack down --dir %s", bin, rebuilt);
    cr_assert_eq (shown, 0, "%s", shell);
    cr_assert (strstr (shell, "13900001111") && strstr (shell, "李小红"), "%s", shell);
    unsetenv ("CG_PASSPHRASE");
    cg_teststack_down (&stack);
}
