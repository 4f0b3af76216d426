/*  test_config - the one checked reader of numeric settings (cg_config.h):
    a typo is refused naming the file, the key, the value, the range and
    the unit, never read as 0; an absent key is its one default; a
    daemon's whole configuration is checked at once (issue 16). */
#include "cg_config.h"

#include <criterion/criterion.h>

static zconfig_t *
s_config (const char *text)
{
    zconfig_t *config = zconfig_str_load (text);
    cr_assert (config, "not ZPL: %s", text);
    return config;
}

Test (config, a_typo_is_refused_naming_file_key_value_range_and_unit)
{
    zconfig_t *config = s_config ("dispatch\n    escalate_grace_min = 48O\n");
    int64_t value = -1;
    char err[400] = "";
    cr_assert_eq (cg_config_int (config, "/etc/civgrid.cfg", "dispatch/escalate_grace_min",
                                 &value, err, sizeof err), -1);
    cr_assert_str_eq (err, "/etc/civgrid.cfg: dispatch/escalate_grace_min is \"48O\"; it takes "
                      "a whole number of working minutes from 0 to 999999");
    cr_assert_eq (value, -1, "nothing is read from a refused value");
    zconfig_destroy (&config);
}

Test (config, out_of_range_and_empty_values_are_refused)
{
    const char *texts[] = { "gateway\n    http_port = 70000\n", "gateway\n    http_port = -1\n",
                            "gateway\n    http_port = \"\"\n", "gateway\n    http_port = 8 311\n" };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        zconfig_t *config = s_config (texts[i]);
        int64_t value;
        char err[400] = "";
        cr_assert_eq (cg_config_int (config, "c.cfg", "gateway/http_port", &value, err,
                                     sizeof err), -1, "%s", texts[i]);
        cr_assert (strstr (err, "a TCP port from 1 to 65535"), "%s", err);
        zconfig_destroy (&config);
    }
}

Test (config, an_absent_key_is_its_one_default)
{
    zconfig_t *config = s_config ("dispatch\n    reopen_days = 20\n");
    int64_t grace, reopen;
    cr_assert_eq (cg_config_int (config, "c.cfg", "dispatch/escalate_grace_min", &grace, NULL, 0),
                  0);
    cr_assert_eq (grace, 480);
    cr_assert_eq (cg_config_int (config, "c.cfg", "dispatch/reopen_days", &reopen, NULL, 0), 0);
    cr_assert_eq (reopen, 20);
    /*  no configuration at all: the default */
    cr_assert_eq (cg_config_int (NULL, NULL, "journal/trim_ms", &grace, NULL, 0), 0);
    cr_assert_eq (grace, 1000);
    zconfig_destroy (&config);
}

Test (config, a_whole_configuration_is_checked_and_every_section_has_its_bus_queue)
{
    zconfig_t *config = s_config ("intake\n    merge_radius_m = 100\n    bus_queue = 5000\n"
                                  "notification\n    bus_queue = lots\n");
    char err[400] = "";
    cr_assert_eq (cg_config_check (config, "stack/civgrid.cfg", err, sizeof err), -1);
    cr_assert (strstr (err, "stack/civgrid.cfg: notification/bus_queue is \"lots\""), "%s",
               err);
    zconfig_destroy (&config);
    config = s_config ("intake\n    merge_radius_m = 100\n    reveal_roles = callback\n");
    cr_assert_eq (cg_config_check (config, "c.cfg", err, sizeof err), 0, "%s", err);
    zconfig_destroy (&config);
}

Test (config, a_funds_settings_are_read_by_pattern)
{
    zconfig_t *config = s_config ("fund\n    baihe\n        timeout = 1209600\n"
                                  "        report_due_day = 31\n");
    int64_t value;
    char err[400] = "";
    cr_assert_eq (cg_config_int (config, "funds.cfg", "fund/baihe/timeout", &value, err,
                                 sizeof err), 0, "%s", err);
    cr_assert_eq (value, 1209600);
    cr_assert_eq (cg_config_check (config, "funds.cfg", err, sizeof err), -1);
    cr_assert_str_eq (err, "funds.cfg: fund/baihe/report_due_day is \"31\"; it takes a whole "
                      "number of the day of the month from 1 to 28");
    cr_assert_eq (cg_config_int (config, "funds.cfg", "fund/tb-baihe/resolution_above", &value,
                                 err, sizeof err), 0);
    cr_assert_eq (value, 0, "absent: the default");
    zconfig_destroy (&config);
}

Test (config, the_audit_log_is_kept_six_months_and_never_less)
{
    int64_t days = -1;
    cr_assert_eq (cg_config_int (NULL, NULL, "gateway/audit_days", &days, NULL, 0), 0);
    cr_assert_eq (days, 180, "six months unless told more");
    zconfig_t *config = s_config ("gateway\n    audit_days = 90\n");
    char err[400] = "";
    cr_assert_eq (cg_config_int (config, "civgrid.cfg", "gateway/audit_days", &days, err,
                                 sizeof err), -1);
    cr_assert (strstr (err, "civgrid.cfg: gateway/audit_days is \"90\"; it takes a whole number "
                       "of days the audit log is kept"), "%s", err);
    cr_assert (strstr (err, "from 180 to 36500"), "%s", err);
    cr_assert_eq (cg_config_check (config, "civgrid.cfg", err, sizeof err), -1,
                  "a gateway with it does not start");
    zconfig_destroy (&config);
}

/*  notification's send timeouts were read with atol: "5s" became 5 ms and
    every webhook timed out; now a value that is not whole milliseconds in
    range stops the daemon naming the key. */
Test (config, a_notices_send_timeouts_are_checked_milliseconds)
{
    zconfig_t *config = s_config ("channels\n    timeout_ms = 5s\n"
                                  "    connect_timeout_ms = 0\n");
    int64_t value = -1;
    char err[400] = "";
    cr_assert_eq (cg_config_int (config, "notify/notify.cfg", "channels/timeout_ms", &value, err,
                                 sizeof err), -1);
    cr_assert_str_eq (err, "notify/notify.cfg: channels/timeout_ms is \"5s\"; it takes a whole "
                      "number of milliseconds of one whole send from 1 to 3600000");
    cr_assert_eq (cg_config_int (config, "notify/notify.cfg", "channels/connect_timeout_ms",
                                 &value, err, sizeof err), -1);
    cr_assert (strstr (err, "connect_timeout_ms is \"0\""), "%s", err);
    zconfig_destroy (&config);
    cr_assert_eq (cg_config_int (NULL, NULL, "channels/timeout_ms", &value, NULL, 0), 0);
    cr_assert_eq (value, 5000, "absent: the default notify.cfg ships");
}
