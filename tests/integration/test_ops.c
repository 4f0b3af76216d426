/*  Running civgrid as an operator does (issue 18): logs that logrotate can
    move away, SIGHUP that reopens them and reloads, times with an offset;
    /metrics and /healthz at the gateway, read as Prometheus and a load
    balancer would. */
#include <criterion/criterion.h>
#include <jansson.h>
#include "cg_testenv.h"
#include "cg_testcase.h"
#include "cg_testhttp.h"
#include "cg_clock.h"
#include "cg_share.h"

#define S_GRID      "320602001001001"   /* 新桥社区, 和平桥街道, 崇川区 */
#define S_OCT_20    INT64_C (1792458000000)     /* 2026-10-20T09:00:00+08:00 */
#define S_DEC_20    INT64_C (1797728400000)     /* 2026-12-20T09:00:00+08:00 */

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const s_daemons[] = { "broker", "intake", "dispatch", "notification",
                                         "consultation", "fund", "gateway", "archive" };
#define S_NDAEMONS (sizeof s_daemons / sizeof s_daemons[0])

/*  The text of a file, or NULL when there is none. */
static char *
s_read (const char *path)
{
    FILE *f = fopen (path, "r");
    if (!f)
        return NULL;
    char *text = calloc (1, 1 << 20);
    assert (text);
    size_t n = fread (text, 1, (1 << 20) - 1, f);
    text[n] = 0;
    fclose (f);
    return text;
}

/*  Waits up to 20 s until the file at path holds words. */
static bool
s_await_text (const char *path, const char *words)
{
    for (int t = 0; t < 200; t++) {
        char *text = s_read (path);
        bool found = text && strstr (text, words);
        free (text);
        if (found)
            return true;
        usleep (100000);
    }
    return false;
}

/*  Each line of a log is one JSON object with the time (ISO 8601, +08:00,
    milliseconds), the level, the daemon and the message; returns how many
    lines there were. */
static int
s_assert_json_lines (const char *path, const char *daemon)
{
    char *text = s_read (path);
    cr_assert (text, "no log at %s", path);
    int lines = 0;
    for (char *save = NULL, *line = strtok_r (text, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        json_error_t error;
        json_t *obj = json_loads (line, 0, &error);
        cr_assert (obj, "%s: a line that is not JSON (%s): %s", path, error.text, line);
        const char *time = json_string_value (json_object_get (obj, "time"));
        int64_t ms;
        cr_assert (time && cg_time_parse (time, &ms, NULL, 0) == 0, "%s: no time in %s", path,
                   line);
        cr_assert_eq (strlen (time), strlen ("2026-12-06T15:30:00.123+08:00"), "%s", time);
        cr_assert_str_eq (time + strlen (time) - 6, "+08:00");
        cr_assert (json_string_value (json_object_get (obj, "level")), "%s", line);
        cr_assert_str_eq (json_string_value (json_object_get (obj, "daemon")), daemon);
        cr_assert (json_string_value (json_object_get (obj, "msg")), "%s", line);
        json_decref (obj);
        lines++;
    }
    free (text);
    return lines;
}

Test (ops, sighup_after_logrotate_reopens_every_log_and_no_daemon_stops, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set log/format=json");
    char path[700], moved[720];
    pid_t pids[S_NDAEMONS];
    /*  logrotate's way: the log is renamed, then the daemon is told */
    for (size_t i = 0; i < S_NDAEMONS; i++) {
        snprintf (path, sizeof path, "%s/log/%s.log", stack->dir, s_daemons[i]);
        snprintf (moved, sizeof moved, "%s.1", path);
        cr_assert_eq (rename (path, moved), 0, "%s has no log", s_daemons[i]);
        pids[i] = cg_teststack_pid (stack, s_daemons[i]);
        cr_assert_gt (pids[i], 0);
        cr_assert_eq (kill (pids[i], SIGHUP), 0);
    }
    for (size_t i = 0; i < S_NDAEMONS; i++) {
        const char *daemon = s_daemons[i];
        snprintf (path, sizeof path, "%s/log/%s.log", stack->dir, daemon);
        snprintf (moved, sizeof moved, "%s.1", path);
        cr_assert (s_await_text (path, "SIGHUP: log opened again"),
                   "%s wrote no new log after SIGHUP", daemon);
        /*  the same process answers, and what it wrote before is in the
            moved file, in the same format */
        cg_client_t *client = cg_teststack_client (stack, daemon);
        cg_ping_t ping = { 0 };
        cg_pong_t pong;
        cg_error_t err;
        cr_assert_eq (cg_client_call (client, &cg_cmd_ping, &ping, &pong,
                                      &err), 0, "%s: %s", daemon, err.message);
        cr_assert_str_eq (pong.service, daemon);
        cg_msg_clear (&cg_pong_def, &pong);
        cg_client_destroy (&client);
        cr_assert_eq (cg_teststack_pid (stack, daemon), pids[i]);
        cr_assert_eq (kill (pids[i], 0), 0, "%s is gone", daemon);
        cr_assert_geq (s_assert_json_lines (moved, daemon), 1);
        cr_assert_geq (s_assert_json_lines (path, daemon), 1);
        char *before = s_read (moved);
        cr_assert (strstr (before, "serving"), "%s's moved log lacks its start", daemon);
        cr_assert_null (strstr (before, "SIGHUP"), "%s wrote on after the move", daemon);
        free (before);
    }
    /*  dispatch reloads what `civgrid reload` reloads */
    snprintf (path, sizeof path, "%s/log/dispatch.log", stack->dir);
    cr_assert (s_await_text (path, "reloaded the org tree, the catalog and the calendar"));
    cg_teststack_down (&stack);
}

/* --- /metrics and /healthz ------------------------------------------------ */

/*  One exposition, read line by line as Prometheus does: every sample
    belongs to the family its last # TYPE line declared (a histogram's
    _bucket, _sum, _count included), no family is declared twice, and
    every value is a number.  Keeps "name{labels}" -> value. */
typedef struct {
    zhashx_t *values;
} s_expo_t;

static s_expo_t
s_expo_parse (const char *body)
{
    s_expo_t expo = { zhashx_new () };
    zhashx_set_destructor (expo.values, (zhashx_destructor_fn *) zstr_free);
    zhashx_t *families = zhashx_new ();
    char family[128] = "", type[16] = "";
    char *text = strdup (body);
    for (char *save = NULL, *line = strtok_r (text, "\n", &save); line;
         line = strtok_r (NULL, "\n", &save)) {
        if (strncmp (line, "# HELP ", 7) == 0)
            continue;
        if (strncmp (line, "# TYPE ", 7) == 0) {
            cr_assert_eq (sscanf (line + 7, "%127s %15s", family, type), 2, "%s", line);
            cr_assert (strcmp (type, "gauge") == 0 || strcmp (type, "counter") == 0
                       || strcmp (type, "histogram") == 0, "%s", line);
            cr_assert_eq (zhashx_insert (families, family, "x"), 0, "%s declared twice",
                          family);
            continue;
        }
        cr_assert_neq (line[0], '#', "%s", line);
        char *space = strrchr (line, ' ');
        cr_assert (space, "a sample without a value: %s", line);
        *space = 0;
        char *end;
        strtod (space + 1, &end);
        cr_assert (*end == 0 && end != space + 1, "not a number: %s", space + 1);
        size_t len = strcspn (line, "{");
        bool ours = strncmp (line, family, strlen (family)) == 0
                    && (len == strlen (family)
                        || (strcmp (type, "histogram") == 0
                            && (strncmp (line + strlen (family), "_bucket", 7) == 0
                                || strncmp (line + strlen (family), "_sum", 4) == 0
                                || strncmp (line + strlen (family), "_count", 6) == 0)));
        cr_assert (ours, "%s outside its family (%s)", line, family);
        if (line[len] == '{')
            cr_assert_eq (line[strlen (line) - 1], '}', "%s", line);
        cr_assert_eq (zhashx_insert (expo.values, line, strdup (space + 1)), 0,
                      "%s given twice", line);
    }
    free (text);
    zhashx_destroy (&families);
    return expo;
}

/*  The value of a sample, or -1 when it is not there. */
static double
s_expo (s_expo_t *expo, const char *sample)
{
    const char *value = zhashx_lookup (expo->values, sample);
    return value ? strtod (value, NULL) : -1;
}

static json_t *
s_healthz (cg_teststack_t *stack, const char *token, int want)
{
    int status;
    json_t *reply = cg_http_get_json (stack, "/healthz", token, &status);
    cr_assert_eq (status, want, "healthz answered %d: %s", status,
                  json_dumps (reply, JSON_COMPACT));
    return reply;
}

/*  The names of the failing checks, "a b c". */
static void
s_failing (json_t *reply, char *out, size_t len)
{
    *out = 0;
    size_t i;
    json_t *name;
    json_array_foreach (json_object_get (reply, "failing"), i, name)
        snprintf (out + strlen (out), len - strlen (out), "%s%s", *out ? " " : "",
                  json_string_value (name));
}

Test (ops, metrics_count_what_was_done_and_healthz_names_what_fails, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    cg_testclock_set (stack, S_OCT_20);
    char *monitor = cg_http_token (stack, "monitor", "320600", "普罗米修斯");
    char *operator = cg_http_token (stack, "operator", "320602001", "和平桥值班员");
    /*  locked by default: no token, or a token of another role, is refused */
    cg_http_refused (stack, "GET", "/metrics", NULL, NULL, 0, 401, "Authorization");
    cg_http_refused (stack, "GET", "/healthz", operator, NULL, 0, 403, "role");

    /*  a case comes in through intake and is dispatched */
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_case_submit_t req = { .source = "hotline", .ext_ref = "m-1", .category = "noise",
                             .text = "夜间施工噪声扰民，凌晨两点仍在浇筑混凝土，已多次反映无果",
                             .grid = S_GRID, .contact_phone = "13812345678" };
    cg_case_submitted_t rep;
    cg_error_t err;
    cr_assert_eq (cg_client_call (intake, &cg_cmd_case_submit, &req, &rep, &err), 0, "%s", err.message);
    /*  and one refused, naming the field */
    cg_case_submit_t bad = { .source = "hotline", .ext_ref = "m-2", .category = "no-such",
                             .text = "x", .grid = S_GRID };
    cg_case_submitted_t bad_rep;
    cr_assert_neq (cg_client_call (intake, &cg_cmd_case_submit, &bad, &bad_rep, &err), 0);
    cg_client_destroy (&intake);
    char key[120];
    snprintf (key, sizeof key, "EXISTS cg:{dispatch}:case:%s", rep.id);
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "%s", key), 1);
    cg_case_view_t view = cg_testcase_show (stack, rep.id);

    cg_http_reply_t reply;
    s_expo_t expo = { NULL };
    /*  dispatch's cursor reaches intake's head once the case is applied */
    for (int t = 0; t < 100; t++) {
        cg_http (stack, &reply, "GET", "/metrics", monitor, NULL, NULL, 0, NULL);
        cr_assert_eq (reply.status, 200, "%s", reply.body);
        cr_assert (strstr (reply.content_type, "text/plain; version=0.0.4"), "%s",
                   reply.content_type);
        zhashx_destroy (&expo.values);
        expo = s_expo_parse (reply.body);
        cg_http_reply_clear (&reply);
        if (s_expo (&expo, "civgrid_consumer_lag{journal=\"intake\",consumer=\"dispatch\"}")
            == 0)
            break;
        usleep (100000);
    }
    for (size_t i = 0; i < S_NDAEMONS; i++) {
        char sample[80];
        snprintf (sample, sizeof sample, "civgrid_up{daemon=\"%s\"}", s_daemons[i]);
        cr_assert_eq (s_expo (&expo, sample), 1, "%s", sample);
    }
    /*  the case is counted once, in its state and at its level */
    const char *levels[] = { "city", "county", "town" };
    for (size_t i = 0; i < 3; i++) {
        char sample[120];
        snprintf (sample, sizeof sample, "civgrid_cases{state=\"dispatched\",level=\"%s\"}",
                  levels[i]);
        cr_assert_eq (s_expo (&expo, sample), strcmp (levels[i], view.level) == 0 ? 1 : 0,
                      "%s (the case is at level %s)", sample, view.level);
        snprintf (sample, sizeof sample, "civgrid_cases{state=\"accepted\",level=\"%s\"}",
                  levels[i]);
        cr_assert_eq (s_expo (&expo, sample), 0, "%s", sample);
    }
    cr_assert_eq (s_expo (&expo, "civgrid_journal_head{journal=\"intake\"}"), 1);
    /*  two submissions, one refused, each timed */
    cr_assert_eq (s_expo (&expo, "civgrid_commands_total{daemon=\"intake\","
                                 "command=\"case.submit\"}"), 2);
    cr_assert_eq (s_expo (&expo, "civgrid_command_failures_total{daemon=\"intake\","
                                 "command=\"case.submit\"}"), 1);
    cr_assert_eq (s_expo (&expo, "civgrid_command_seconds_count{daemon=\"intake\","
                                 "command=\"case.submit\"}"), 2);
    cr_assert_eq (s_expo (&expo, "civgrid_command_seconds_bucket{daemon=\"intake\","
                                 "command=\"case.submit\",le=\"+Inf\"}"), 2);
    cr_assert_geq (s_expo (&expo, "civgrid_command_seconds_bucket{daemon=\"intake\","
                                  "command=\"case.submit\",le=\"2.5\"}"),
                   s_expo (&expo, "civgrid_command_seconds_bucket{daemon=\"intake\","
                                  "command=\"case.submit\",le=\"0.001\"}"));
    cr_assert_gt (s_expo (&expo, "civgrid_command_seconds_sum{daemon=\"intake\","
                                 "command=\"case.submit\"}"), 0);
    /*  dispatch was shown the case once */
    cr_assert_eq (s_expo (&expo, "civgrid_commands_total{daemon=\"dispatch\","
                                 "command=\"case.show\"}"), 1);
    cr_assert_eq (s_expo (&expo, "civgrid_dead_letters"), 0);
    cr_assert_geq (s_expo (&expo, "civgrid_acks_pending"), 0);
    cr_assert_gt (s_expo (&expo, "civgrid_redis_used_memory_bytes"), 100000);
    cr_assert_eq (s_expo (&expo, "civgrid_redis_up"), 1);
    zhashx_destroy (&expo.values);

    /*  all is well: each check listed */
    json_t *health = s_healthz (stack, monitor, 200);
    cr_assert_str_eq (json_string_value (json_object_get (health, "status")), "ok");
    char names[2048] = "";
    size_t i;
    json_t *check;
    json_array_foreach (json_object_get (health, "checks"), i, check) {
        cr_assert (json_is_true (json_object_get (check, "ok")), "%s",
                   json_dumps (check, JSON_COMPACT));
        snprintf (names + strlen (names), sizeof names - strlen (names), "%s ",
                  json_string_value (json_object_get (check, "check")));
    }
    cr_assert (strstr (names, "daemon:dispatch "), "%s", names);
    cr_assert (strstr (names, "redis "), "%s", names);
    cr_assert (strstr (names, "calendar "), "%s", names);
    cr_assert (strstr (names, "lag:journal=intake,consumer=dispatch "), "%s", names);
    json_decref (health);

    /*  twelve days before the calendar ends (its last holiday year) */
    cg_testclock_set (stack, S_DEC_20);
    char failing[512];
    health = s_healthz (stack, monitor, 503);
    s_failing (health, failing, sizeof failing);
    cr_assert_str_eq (failing, "calendar");
    json_decref (health);
    /*  and a daemon dies */
    cg_teststack_kill9 (stack, "notification");
    health = s_healthz (stack, monitor, 503);
    s_failing (health, failing, sizeof failing);
    cr_assert_str_eq (failing, "daemon:notification calendar");
    json_decref (health);
    cg_http (stack, &reply, "GET", "/metrics", monitor, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 200);
    expo = s_expo_parse (reply.body);
    cg_http_reply_clear (&reply);
    cr_assert_eq (s_expo (&expo, "civgrid_up{daemon=\"notification\"}"), 0);
    cr_assert_eq (s_expo (&expo, "civgrid_up{daemon=\"dispatch\"}"), 1);
    zhashx_destroy (&expo.values);

    cg_msg_clear (&cg_case_view_def, &view);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    free (monitor);
    free (operator);
    cg_teststack_down (&stack);
}

/* --- backup and restore ----------------------------------------------------- */

#define S_VILLAGE   "320612005003"      /* 通江村 */
#define S_DESK      "center:320602001:desk"
#define S_LOAD_MAX  4000

/*  Cases submitted one after another, each id kept once intake answered. */
typedef struct {
    cg_teststack_t *stack;
    pthread_mutex_t lock;
    char *ids[S_LOAD_MAX];
    int acked;
    bool stop;
} s_load_t;

static void *
s_load_run (void *arg)
{
    s_load_t *load = arg;
    cg_client_t *intake = cg_teststack_client (load->stack, "intake");
    char ref[32], text[1200];
    /*  a real complaint's length: about 900 bytes of Chinese */
    text[0] = 0;
    for (int i = 0; i < 10; i++)
        strcat (text, "小区东门外夜间施工噪声扰民，凌晨仍在作业，");
    for (int n = 0; n < S_LOAD_MAX; n++) {
        pthread_mutex_lock (&load->lock);
        bool stop = load->stop;
        pthread_mutex_unlock (&load->lock);
        if (stop)
            break;
        snprintf (ref, sizeof ref, "bk-%d", n);
        cg_case_submit_t req = { .source = "hotline", .ext_ref = ref, .category = "noise",
                                 .text = text, .grid = S_GRID, .contact_phone = "13812345678" };
        cg_case_submitted_t rep;
        cg_error_t err;
        if (cg_client_call (intake, &cg_cmd_case_submit, &req, &rep, &err) == 0) {
            pthread_mutex_lock (&load->lock);
            load->ids[load->acked++] = strdup (rep.id);
            pthread_mutex_unlock (&load->lock);
            cg_msg_clear (&cg_case_submitted_def, &rep);
        }
    }
    cg_client_destroy (&intake);
    return NULL;
}

static int
s_acked (s_load_t *load)
{
    pthread_mutex_lock (&load->lock);
    int n = load->acked;
    pthread_mutex_unlock (&load->lock);
    return n;
}

Test (ops, a_backup_under_load_restores_every_acknowledged_case_ledger_entry_and_topic,
      .timeout = 300)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    /*  a topic and a donation (a ledger entry) before the backup */
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "topic create --title '通江村村道硬化工程' "
                                    "--scope %s --procedure siyi --source government "
                                    "--category other --description '硬化村道2.4公里，预算38万元'",
                                    S_VILLAGE), 0, "%s", out);
    char topic[32];
    cr_assert_eq (sscanf (out, "%31s", topic), 1);
    free (out);
    cg_client_t *fund = cg_teststack_client (stack, "fund");
    cg_fund_donate_t don = { .id = "0000000a00000f0d000000000000b001", .fund = "baihe",
                             .project = "elderly", .donor = "张三", .amount = 2000000,
                             .channel = "bank", .actor = S_DESK, .role = "operator" };
    cg_fund_receipt_t receipt;
    cg_error_t err;
    cr_assert_eq (cg_client_call (fund, &cg_cmd_fund_donate, &don, &receipt, &err), 0, "%s", err.message);
    cg_client_destroy (&fund);

    /*  cases arrive all along the backup */
    s_load_t *load = calloc (1, sizeof *load);
    load->stack = stack;
    pthread_mutex_init (&load->lock, NULL);
    pthread_t thread;
    cr_assert_eq (pthread_create (&thread, NULL, s_load_run, load), 0);
    while (s_acked (load) < 50)
        usleep (20000);
    int before = s_acked (load);
    char backup[600];
    snprintf (backup, sizeof backup, "%s.backup", stack->dir);
    cr_assert_eq (cg_teststack_cli (stack, &out, "backup %s", backup), 0, "%s", out);
    free (out);
    usleep (200000);
    pthread_mutex_lock (&load->lock);
    load->stop = true;
    pthread_mutex_unlock (&load->lock);
    pthread_join (thread, NULL);
    cr_assert_gt (s_acked (load), before, "no case arrived during the backup");
    char stack_dir[sizeof stack->dir];
    snprintf (stack_dir, sizeof stack_dir, "%s", stack->dir);
    cg_teststack_down (&stack);

    /*  into an empty folder, and a stack started there */
    cg_teststack_t restored;
    memset (&restored, 0, sizeof restored);
    snprintf (restored.dir, sizeof restored.dir, "%s.restored", backup);
    cr_assert_eq (cg_teststack_cli (&restored, &out, "restore %s", backup), 0, "%s", out);
    free (out);
    /*  not over a folder that holds something */
    cr_assert_eq (cg_teststack_cli (&restored, &out, "restore %s", backup), 1, "%s", out);
    cr_assert (strstr (out, "empty stack folder"), "%s", out);
    free (out);
    /*  the restored configuration names the new folder, never the old
        one: its access files (secrets), its own folder, what lay in it */
    char cfg[700], old[600], shell[4096];
    snprintf (cfg, sizeof cfg, "%s/civgrid.cfg", restored.dir);
    cr_assert (realpath (stack_dir, old), "%s", stack_dir);
    zconfig_t *config = zconfig_load (cfg);
    cr_assert (config, "%s", cfg);
    char fresh[PATH_MAX];
    cr_assert (realpath (restored.dir, fresh));
    cr_assert_str_eq (zconfig_get (config, "civgrid/dir", ""), fresh);
    cr_assert (strncmp (zconfig_get (config, "access/dir", ""), fresh, strlen (fresh)) == 0,
               "access/dir is %s", zconfig_get (config, "access/dir", ""));
    zconfig_destroy (&config);
    cr_assert_neq (cg_test_shell (shell, sizeof shell, "grep -F '%s/' %s", old, cfg), 0,
                   "the restored configuration still names %s: %s", old, shell);
    /*  and it comes up there with the old folder gone (moved aside: its
        logs are still read for sanitizer reports) */
    cr_assert_eq (cg_test_shell (shell, sizeof shell, "mv %s %s.gone", old, old), 0, "%s",
                  shell);
    stack = cg_teststack_up_in (restored.dir, NULL);
    for (int i = 0; i < before; i++) {
        char key[80];
        snprintf (key, sizeof key, "EXISTS cg:{dispatch}:case:%s", load->ids[i]);
        cr_assert_eq (cg_teststack_await (stack, 1, 60000, "%s", key), 1,
                      "%s, acknowledged before the backup, is not there", load->ids[i]);
        cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{intake}:req:%s", load->ids[i]), 1);
    }
    /*  nothing twice: one case per reference, however many were restored */
    int64_t cases = cg_teststack_int (stack, "ZCARD cg:{dispatch}:q:all");
    cr_assert_geq (cases, before);
    cr_assert_leq (cases, s_acked (load));
    fund = cg_teststack_client (stack, "fund");
    cg_fund_get_t get = { .id = "baihe.elderly" };
    cg_fund_account_t account;
    cr_assert_eq (cg_client_call (fund, &cg_cmd_fund_balance, &get, &account, &err), 0, "%s", err.message);
    cr_assert_eq (account.credits_posted - account.debits_posted, 2000000);
    cg_msg_clear (&cg_fund_account_def, &account);
    /*  the same donation again is the same receipt, not a second entry */
    cg_fund_receipt_t again;
    cr_assert_eq (cg_client_call (fund, &cg_cmd_fund_donate, &don, &again, &err), 0, "%s", err.message);
    cr_assert (again.repeat);
    cr_assert_str_eq (again.receipt, receipt.receipt);
    cg_msg_clear (&cg_fund_receipt_def, &again);
    cg_msg_clear (&cg_fund_receipt_def, &receipt);
    cg_client_destroy (&fund);
    cr_assert_eq (cg_teststack_cli (stack, &out, "topic show %s", topic), 0, "%s", out);
    cr_assert (strstr (out, "通江村村道硬化工程"), "%s", out);
    free (out);
    for (int i = 0; i < load->acked; i++)
        free (load->ids[i]);
    free (load);
    cg_teststack_down (&stack);
}

/* --- upgrades ----------------------------------------------------------------- */

/*  Runs civgrid-dispatch on the stack's configuration until it ends (it
    refuses to start) or 30 s pass; its exit code, its output in out. */
static int
s_dispatch_alone (cg_teststack_t *stack, char *out, size_t len)
{
    char bin[600], cfg[600], log[600];
    snprintf (bin, sizeof bin, "%s/civgrid-dispatch", getenv ("CG_BIN"));
    snprintf (cfg, sizeof cfg, "%s/civgrid.cfg", stack->dir);
    snprintf (log, sizeof log, "%s/log/dispatch-alone.log", stack->dir);
    unlink (log);
    pid_t pid = fork ();
    cr_assert_geq (pid, 0);
    if (pid == 0) {
        execl (bin, bin, "-c", cfg, "--log", log, (char *) NULL);
        _exit (127);
    }
    int status = 0;
    for (int t = 0; t < 300 && waitpid (pid, &status, WNOHANG) == 0; t++)
        usleep (100000);
    if (kill (pid, 0) == 0) {
        kill (pid, SIGKILL);
        waitpid (pid, &status, 0);
        cr_assert_fail ("dispatch started on a store it should have refused");
    }
    char *text = s_read (log);
    snprintf (out, len, "%s", text ? text : "");
    free (text);
    return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

Test (ops, a_store_of_the_previous_layout_is_refused_until_migrated_then_upgraded,
      .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cr_assert_eq (cg_teststack_int (stack, "GET cg:layout"), 5, "a new store records its layout");
    for (size_t i = 0; i < S_NDAEMONS; i++)
        cg_teststack_kill9 (stack, s_daemons[i]);
    /*  the store as the previous release left it: daily statistics only,
        no layout recorded */
    const char *field = "320602001-huanbao|noise|received";
    redisReply *r = cg_redis_command (stack->redis, "DEL cg:layout cg:{dispatch}:st:layout "
                                      "cg:{dispatch}:st:from");
    freeReplyObject (r);
    r = cg_redis_command (stack->redis, "HSET cg:{dispatch}:st:2026-11-16 %s 3", field);
    freeReplyObject (r);
    r = cg_redis_command (stack->redis, "HSET cg:{dispatch}:st:2026-11-18 %s 4", field);
    freeReplyObject (r);
    /*  and an order number in the one index intake kept for good */
    r = cg_redis_command (stack->redis, "HSET cg:{intake}:ext hotline|HL-OLD-1 CG-OLD-1");
    freeReplyObject (r);
    /*  and one in this period's single hash, as layout 4 kept them */
    int64_t period = zclock_time () / ((int64_t) CG_EXT_PERIOD_DAYS * 86400000);
    r = cg_redis_command (stack->redis, "HSET cg:{intake}:ext:%lld hotline|HL-OLD-2 CG-OLD-2",
                          (long long) period);
    freeReplyObject (r);
    r = cg_redis_command (stack->redis, "ZADD cg:{intake}:expiring %lld cg:{intake}:ext:%lld",
                          (long long) (period + 20) * CG_EXT_PERIOD_DAYS * 86400000,
                          (long long) period);
    freeReplyObject (r);

    /*  a daemon refuses it, saying what to run */
    char out[8192];
    cr_assert_eq (s_dispatch_alone (stack, out, sizeof out), 1, "%s", out);
    cr_assert (strstr (out, "layout 1, older than this civgrid's 5"), "%s", out);
    cr_assert (strstr (out, "run `civgrid migrate`"), "%s", out);
    cr_assert_eq (cg_teststack_int (stack, "EXISTS cg:{dispatch}:sw:2026-11-16"), 0,
                  "a refusing dispatch wrote to the store");

    /*  the migration, and again: nothing more to do */
    char *said = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &said, "migrate"), 0, "%s", said);
    cr_assert (strstr (said, "layout 1 -> 2") && strstr (said, "layout 2 -> 3")
           &&  strstr (said, "layout 3 -> 4") && strstr (said, "layout 4 -> 5"), "%s", said);
    free (said);
    cr_assert_eq (cg_teststack_int (stack, "GET cg:layout"), 5);
    cr_assert_eq (cg_teststack_cli (stack, &said, "migrate"), 0, "%s", said);
    cr_assert (strstr (said, "nothing to do"), "%s", said);
    free (said);

    /*  the stack starts, and dispatch rolls the old days up */
    cg_teststack_restart (stack);
    cr_assert_eq (cg_teststack_await (stack, 7, 30000, "HGET cg:{dispatch}:sw:2026-11-16 %s",
                                      field), 7);
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sm:2026-11 %s", field), 7);
    /*  layout 3: the year, and the city's totals; the old order number is
        still known */
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sy:2026 %s", field), 7);
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sm:2026-11 *|*|received"), 7);
    /*  layout 4: the county's part of each hash but the hours' */
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sm:2026-11|320602 %s", field), 7);
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:st:2026-11-18|320602 %s", field),
                  4);
    cr_assert_eq (cg_teststack_int (stack, "SISMEMBER cg:{dispatch}:st:parts 320602"), 1);
    cr_assert_eq (cg_teststack_int (stack, "GET cg:{dispatch}:st:layout"), 4);
    char *known = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &known, "submit --source hotline --ext-ref HL-OLD-1 "
                                    "--category noise --text 重复的工单 --grid 320602001001001"),
                  0, "%s", known);
    cr_assert (strstr (known, "CG-OLD-1"), "the old order number was forgotten: %s", known);
    free (known);
    cr_assert_eq (cg_teststack_cli (stack, &known, "submit --source hotline --ext-ref HL-OLD-2 "
                                    "--category noise --text 重复的工单 --grid 320602001001001"),
                  0, "%s", known);
    cr_assert (strstr (known, "CG-OLD-2"), "layout 4's order number was forgotten: %s", known);
    free (known);
    /*  no migration while daemons run */
    cr_assert_eq (cg_teststack_cli (stack, &said, "migrate"), 1, "%s", said);
    cr_assert (strstr (said, "stop every daemon"), "%s", said);
    free (said);

    /*  a store from a newer release is refused by both */
    cg_teststack_kill9 (stack, "dispatch");
    for (size_t i = 0; i < S_NDAEMONS; i++)
        cg_teststack_kill9 (stack, s_daemons[i]);
    r = cg_redis_command (stack->redis, "SET cg:layout 6");
    freeReplyObject (r);
    cr_assert_eq (s_dispatch_alone (stack, out, sizeof out), 1, "%s", out);
    cr_assert (strstr (out, "layout 6, newer than this civgrid's 5"), "%s", out);
    cr_assert_eq (cg_teststack_cli (stack, &said, "migrate"), 1, "%s", said);
    cr_assert (strstr (said, "run the release that wrote it"), "%s", said);
    free (said);

    /*  a store of layout 3 (no counties' parts): migrated, and dispatch
        makes the parts from the hashes; a town's month, read from its
        county's part, then counts what the month's whole hash holds */
    const char *other = "320612003-chengguan|noise|resolved";
    r = cg_redis_command (stack->redis, "SET cg:layout 3");
    freeReplyObject (r);
    r = cg_redis_command (stack->redis, "SET cg:{dispatch}:st:layout 3");
    freeReplyObject (r);
    r = cg_redis_command (stack->redis, "DEL cg:{dispatch}:st:parts cg:{dispatch}:sm:2026-11|320602 "
                          "cg:{dispatch}:sw:2026-11-16|320602");
    freeReplyObject (r);
    r = cg_redis_command (stack->redis, "HSET cg:{dispatch}:sm:2026-10 %s 5 %s 2 *|*|received 5",
                          field, other);
    freeReplyObject (r);
    cr_assert_eq (cg_teststack_cli (stack, &said, "migrate"), 0, "%s", said);
    cr_assert (strstr (said, "layout 3 -> 4") && !strstr (said, "layout 2 -> 3"), "%s", said);
    free (said);
    cg_teststack_restart (stack);
    cr_assert_eq (cg_teststack_await (stack, 4, 30000, "GET cg:{dispatch}:st:layout"), 4);
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sm:2026-11|320602 %s", field), 7);
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sm:2026-10|320602 %s", field), 5);
    cr_assert_eq (cg_teststack_int (stack, "HGET cg:{dispatch}:sm:2026-10|320612 %s", other), 2);
    cr_assert_eq (cg_teststack_int (stack, "HLEN cg:{dispatch}:sm:2026-10|320602"), 1,
                  "a county's part holds its own units' fields alone");
    cr_assert_eq (cg_teststack_cli (stack, &said, "stats --scope 320602001 --from 2026-10-01 "
                                    "--to 2026-11-30 --by month --json"), 0, "%s", said);
    cr_assert (strstr (said, "\"received\":12"), "the town's two months: %s", said);
    free (said);
    cg_teststack_down (&stack);
}
