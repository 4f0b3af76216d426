/*  Running civgrid as an operator does (issue 18): logs that logrotate can
    move away, SIGHUP that reopens them and reloads, times with an offset. */
#include <criterion/criterion.h>
#include <jansson.h>
#include "cg_testenv.h"
#include "cg_clock.h"

#include <signal.h>
#include <unistd.h>

static const char *const s_daemons[] = { "broker", "intake", "dispatch", "notification",
                                         "consultation", "fund", "gateway" };
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
        cr_assert_eq (cg_client_call (client, "ping", &cg_ping_def, &ping, &cg_pong_def, &pong,
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
