/*  The generic JSON mapping of messages (cg_json): every message goes to
    JSON and back unchanged, through msgpack too, and JSON that breaks a
    definition is refused naming the field by its path. */
#include <criterion/criterion.h>
#include "cg_json.h"

/*  A case view with a timeline: strings (with Chinese), integers, a list. */
static json_t *
s_case_json (void)
{
    return json_pack ("{s:s, s:s, s:s, s:I, s:[{s:I, s:s, s:s}, {s:I, s:s, s:s, s:s, s:s}]}",
        "id", "CG0000000001", "state", "accepted", "text", "楼下噪音",
        "sign_by", (json_int_t) 1795338892462,
        "steps", "at", (json_int_t) 1, "actor", "intake", "to", "received",
        "at", (json_int_t) 2, "actor", "张三", "from", "dispatched", "to", "accepted",
        "note", "已签收");
}

Test (json, round_trips_through_the_message_and_msgpack)
{
    json_t *in = s_case_json ();
    cg_case_view_t view;
    cg_error_t err;
    cr_assert_eq (cg_json_to_msg (&cg_case_view_def, in, &view, &err), 0, "%s", err.message);
    cr_assert_str_eq (view.text, "楼下噪音");
    cr_assert_eq (view.steps_count, 2);
    cr_assert_str_eq (view.steps[1].actor, "张三");
    msgpack_sbuffer buf;
    msgpack_sbuffer_init (&buf);
    cr_assert_eq (cg_msg_encode (&cg_case_view_def, &view, &buf, &err), 0, "%s", err.message);
    cg_case_view_t back;
    cr_assert_eq (cg_msg_decode (&cg_case_view_def, buf.data, buf.size, &back, &err), 0);
    json_t *out = cg_json_from_msg (&cg_case_view_def, &back);
    cr_assert (json_equal (in, out), "%s != %s", json_dumps (in, 0), json_dumps (out, 0));
    json_decref (out);
    json_decref (in);
    msgpack_sbuffer_destroy (&buf);
    cg_msg_clear (&cg_case_view_def, &view);
    cg_msg_clear (&cg_case_view_def, &back);
}

static void
s_refused (const cg_msgdef_t *def, const char *text, const char *field)
{
    json_t *in = json_loads (text, 0, NULL);
    cr_assert (in, "bad test JSON %s", text);
    void *msg = calloc (1, def->size);
    cg_error_t err;
    cr_assert_eq (cg_json_to_msg (def, in, msg, &err), -1, "%s was taken", text);
    cr_assert_str_eq (err.code, "invalid");
    cr_assert_str_eq (err.field, field, "%s: %s", text, err.message);
    cr_assert (strlen (err.message) > 10);
    json_decref (in);
    free (msg);
}

Test (json, refuses_what_breaks_the_definition)
{
    s_refused (&cg_case_view_def, "[]", "");
    s_refused (&cg_case_view_def, "{\"id\": 7}", "id");
    s_refused (&cg_case_view_def, "{\"sign_by\": \"soon\"}", "sign_by");
    s_refused (&cg_case_view_def, "{\"sign_by\": 1.5}", "sign_by");
    s_refused (&cg_case_view_def, "{\"sign_by\": -1}", "sign_by");
    s_refused (&cg_case_view_def, "{\"steps\": {}}", "steps");
    s_refused (&cg_case_view_def, "{\"steps\": [{\"at\": 1, \"actor\": 5}]}", "steps[0].actor");
    s_refused (&cg_case_view_def, "{\"id\": \"\"}", "id");
    s_refused (&cg_case_submitted_def, "{\"id\": \"x\", \"repeat\": 1}", "repeat");
    s_refused (&cg_hotspot_detected_def, "{\"cases\": [1]}", "cases[0]");
    char big[300];
    memset (big, 'a', sizeof big);
    char text[400];
    snprintf (text, sizeof text, "{\"address\": \"%.*s\"}", (int) sizeof big, big);
    s_refused (&cg_case_view_def, text, "address");
}

Test (json, takes_text_for_query_and_path_values)
{
    cg_case_query_t query = { 0 };
    cg_error_t err;
    cr_assert_eq (cg_json_set_text (&cg_case_query_def, &query, "limit", "20", &err), 0);
    cr_assert_eq (query.limit, 20);
    cr_assert_eq (cg_json_set_text (&cg_case_query_def, &query, "state", "accepted", &err), 0);
    cr_assert_str_eq (query.state, "accepted");
    cr_assert_eq (cg_json_set_text (&cg_case_query_def, &query, "nope", "1", &err), 1);
    cr_assert_eq (cg_json_set_text (&cg_case_query_def, &query, "limit", "many", &err), -1);
    cr_assert_str_eq (err.field, "limit");
    cr_assert_eq (cg_json_set_text (&cg_case_query_def, &query, "limit", "99999", &err), -1);
    cr_assert_eq (cg_json_set_text (&cg_case_query_def, &query, "state", "\xff", &err), -1);
    cr_assert_str_eq (err.field, "state");
    cg_msg_clear (&cg_case_query_def, &query);
}
