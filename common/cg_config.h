/*  cg_config — the numeric settings of civgrid, each written once, and the
    one checked reader of them.

    CG_SETTINGS is the table: for every whole-number setting of civgrid.cfg
    (and of notification's notify.cfg), its key, its one default, the
    range it may take and its unit.  cg_config_int reads a setting through
    it: a value that is not a whole number in range is refused with a
    sentence that names the file, the key, the value, the range and the
    unit, so that a typo stops a daemon at start instead of turning into
    0.  A segment "*" of a key matches any one segment: "*" then
    "/bus_queue" is the same setting in every daemon's section, and "fund",
    "*", "timeout" every fund's in funds.cfg.  Every daemon checks the settings of its
    configuration at start (cg_daemon_new), so that cg_daemon_int, read
    later, cannot fail. */
#ifndef CG_CONFIG_H_INCLUDED
#define CG_CONFIG_H_INCLUDED

#include <czmq.h>
#include <stdint.h>

/*  S(key, default, min, max, unit) */
#define CG_SETTINGS(S) \
    S ("redis/port", 6379, 1, 65535, "a TCP port") \
    S ("redis/retry_ms", 30000, 0, 3600000, "milliseconds") \
    S ("redis/replicas", 0, 0, 16, "replicas a script's answer waits for (WAIT)") \
    S ("redis/wait_ms", 1000, 1, 60000, "milliseconds") \
    S ("civgrid/lease_ms", 3000, 300, 60000, "milliseconds of a daemon's lease") \
    S ("journal/keep_entries", 10000, 0, INT64_C (1000000000000), "entries") \
    S ("journal/keep_seconds", 0, 0, INT64_C (3153600000), "seconds") \
    S ("journal/trim_ms", 1000, 10, 3600000, "milliseconds") \
    S ("*/bus_queue", 0, 0, 100000000, "events (0: the bus's own bound)") \
    S ("intake/merge_window_s", 259200, 0, 31536000, "seconds") \
    S ("intake/merge_radius_m", 100, 0, 100000, "metres") \
    S ("intake/alarm_max_age_s", 600, 1, 2592000, "seconds") \
    S ("intake/ext_keep_days", 400, 1, 36500, "days") \
    S ("dispatch/timer_ms", 500, 10, 60000, "milliseconds") \
    S ("dispatch/escalate_grace_min", 480, 0, 999999, "working minutes") \
    S ("dispatch/urgent_sign_min", 30, 1, 999999, "working minutes") \
    S ("dispatch/urgent_done_min", 240, 1, 999999, "working minutes") \
    S ("dispatch/reopen_days", 15, 0, 3650, "days") \
    S ("dispatch/hotspot_count", 5, 0, 1000000, "cases (0: off)") \
    S ("dispatch/hotspot_window_min", 4320, 1, 5256000, "minutes") \
    S ("dispatch/stats_days", 400, 32, 36600, "days") \
    S ("dispatch/stats_cache_mb", 32, 0, 65536, "megabytes") \
    S ("consultation/publish_days", 7, 1, 3650, "days") \
    S ("consultation/result_days", 30, 1, 3650, "days") \
    S ("consultation/task_tries", 5, 1, 1000, "tries") \
    S ("consultation/task_retry_seconds", 60, 1, 86400, "seconds") \
    S ("notification/inbox_max", 1000, 1, INT32_MAX, "notices") \
    S ("notification/dead_days", 90, 1, 36500, "days") \
    S ("notification/dead_max", 10000, 1, INT32_MAX, "dead letters") \
    S ("notification/ack_days", 30, 1, 36500, "days") \
    S ("archive/sweep_ms", 1000, 10, 3600000, "milliseconds") \
    S ("archive/sweep_batch", 512, 1, 10000, "cases") \
    S ("archive/sweep_slice_ms", 200, 1, 60000, "milliseconds") \
    S ("archive/sweep_pause_ms", 1, 1, 60000, "milliseconds") \
    S ("gateway/http_port", 8311, 1, 65535, "a TCP port") \
    S ("gateway/body_max", 65536, 1024, 67108864, "bytes") \
    S ("gateway/rate_address", 1200, 1, 1000000000, "requests a minute") \
    S ("gateway/rate_token", 600, 1, 1000000000, "requests a minute") \
    S ("gateway/rate_report", 2, 1, 1000, "reports a minute from one address on one power") \
    S ("gateway/stream_max", 100, 1, 100000, "streams") \
    S ("gateway/photo_max", 8388608, 1, 67108864, "bytes of one photo") \
    S ("gateway/photos_max", 9, 0, 9, "photos of a grid report (grid.report carries 9)") \
    S ("gateway/health_lag_max", 10000, 0, INT64_C (1000000000000), "events") \
    S ("gateway/audit_days", 180, 180, 36500, "days the audit log is kept (at least six " \
       "months: 等保 2.0)") \
    S ("gateway/audit_redis_days", 30, 1, 36500, "days Redis keeps an audit entry the archive " \
       "has (the archive keeps it for gateway/audit_days)") \
    S ("delivery/attempts", 4, 1, 100, "attempts") \
    S ("delivery/backoff_ms", 1000, 1, 86400000, "milliseconds") \
    S ("delivery/backoff_max_ms", 300000, 1, 86400000, "milliseconds") \
    S ("delivery/lease_ms", 30000, 1000, 86400000, "milliseconds") \
    S ("delivery/batch", 32, 1, 512, "deliveries") \
    S ("delivery/in_flight", 256, 1, 4096, "deliveries") \
    S ("delivery/keep_days", 30, 1, 3650, "days") \
    S ("channels/connect_timeout_ms", 2000, 1, 600000, "milliseconds") \
    S ("channels/timeout_ms", 5000, 1, 3600000, "milliseconds of one whole send") \
    S ("fund/*/resolution_above", 0, 0, INT64_C (10000000000000), "fen (0: never)") \
    S ("fund/*/timeout", 1209600, 60, 31536000, "seconds") \
    S ("fund/*/report_due_day", 10, 1, 28, "the day of the month")

/*  Reads the setting key (a key of CG_SETTINGS) from config, which was
    read from file: its value, or its default when absent.  Returns 0, or
    -1 with "FILE: KEY is VALUE; it takes a whole number of UNIT from MIN
    to MAX" in err. */
int cg_config_int (zconfig_t *config, const char *file, const char *key, int64_t *value,
                   char *err, size_t errlen);

/*  Checks every setting of CG_SETTINGS that config holds; 0, or -1 with
    the first refusal in err. */
int cg_config_check (zconfig_t *config, const char *file, char *err, size_t errlen);

#endif
