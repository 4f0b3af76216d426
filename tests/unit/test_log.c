/*  How a daemon's log lines read (cg_log_format): zsys's line written
    again with the center's time, in text or as one JSON object. */
#include <criterion/criterion.h>
#include <jansson.h>
#include "cg_log.h"

/*  2026-12-06T07:30:00.123Z, 15:30:00.123 in Beijing */
#define S_NOW   INT64_C (1796542200123)

Test (log, a_text_line_has_the_time_with_milliseconds_and_offset)
{
    char out[8192];
    cg_log_format ("W: (dispatch) 26-12-06 07:30:00 case X has unknown category\n", 60, false,
                   S_NOW, out, sizeof out);
    cr_assert_str_eq (out, "2026-12-06T15:30:00.123+08:00 W (dispatch) case X has unknown "
                      "category\n");
    /*  a line not in zsys's shape is kept whole */
    const char *odd = "cannot read the configuration x.cfg";
    cg_log_format (odd, strlen (odd), false, S_NOW, out, sizeof out);
    cr_assert (strstr (out, "2026-12-06T15:30:00.123+08:00 I "), "%s", out);
    cr_assert (strstr (out, odd), "%s", out);
}

Test (log, a_json_line_parses_whatever_the_message_holds)
{
    /*  quotes, a backslash, a tab and a vertical tab pasted from Word,
        Chinese, and a byte that is not UTF-8 */
    const char *line = "E: (intake) 26-12-06 07:30:00 refused \"地址\" C:\\x\t\v\xff end";
    char out[8192];
    cg_log_format (line, strlen (line), true, S_NOW, out, sizeof out);
    cr_assert_eq (out[strlen (out) - 1], '\n');
    json_error_t error;
    json_t *obj = json_loads (out, 0, &error);
    cr_assert (obj, "not JSON (%s): %s", error.text, out);
    cr_assert_str_eq (json_string_value (json_object_get (obj, "time")),
                      "2026-12-06T15:30:00.123+08:00");
    cr_assert_str_eq (json_string_value (json_object_get (obj, "level")), "error");
    cr_assert_str_eq (json_string_value (json_object_get (obj, "daemon")), "intake");
    cr_assert_str_eq (json_string_value (json_object_get (obj, "msg")),
                      "refused \"地址\" C:\\x\t\v\xef\xbf\xbd end");
    json_decref (obj);
}
