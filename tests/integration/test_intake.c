/*  Intake's channels with real parts: each channel's request reaches
    dispatch; bad input is refused by field; retries give the first answer;
    duplicates merge within the window and not after it; what cannot be
    placed is kept, marked for its county's triage; device alarms are
    accepted or rejected with a reason and can be cancelled; and a caller's
    phone and name appear in no output, no log and no file on disk. */
#include <criterion/criterion.h>
#include "cg_testenv.h"
#include "cg_clock.h"

#define S_PHONE     "13812345678"
#define S_NAME      "张三丰"

/*  A call that must succeed. */
static void
s_ok (cg_client_t *intake, const cg_cmddef_t *command, void *req, void *rep)
{
    cg_error_t err;
    cr_assert_eq (cg_client_call (intake, command, req, rep, &err), 0,
                  "%s refused: %s: %s", command->name, err.field, err.message);
}

/*  A call that must be refused naming field, with words in the message. */
static void
s_refused (cg_client_t *intake, const cg_cmddef_t *command, void *req, const char *field,
           const char *words)
{
    cg_error_t err;
    cg_case_submitted_t rep;
    cr_assert_eq (cg_client_call (intake, command, req, &rep, &err),
                  -1, "%s was not refused (wanted %s: %s)", command->name, field, words);
    cr_assert_str_eq (err.field, field, "%s: %s", command->name, err.message);
    cr_assert (strstr (err.message, words), "\"%s\" lacks \"%s\"", err.message, words);
}

static void
s_now_iso (char *buf, size_t len, int64_t offset_ms)
{
    cg_time_iso (cg_clock_now () + offset_ms, buf, len);
}

/*  The intake journal entry with this topic and case id, decoded into msg. */
static bool
s_journal_find (cg_teststack_t *stack, const char *topic, const cg_msgdef_t *def,
                const char *id, void *msg)
{
    redisReply *r = cg_redis_command (stack->redis, "XRANGE cg:{intake}:journal - +");
    bool found = false;
    for (size_t i = 0; !found && i < r->elements; i++) {
        redisReply *kv = r->element[i]->element[1];
        if (strcmp (kv->element[1]->str, topic) != 0)
            continue;
        cg_error_t err;
        cr_assert_eq (cg_msg_decode (def, kv->element[3]->str, kv->element[3]->len, msg, &err),
                      0, "%s: %s", err.field, err.message);
        found = strcmp (*(char **) ((char *) msg + def->fields[0].offset), id) == 0;
        if (!found)
            cg_msg_clear (def, msg);
    }
    freeReplyObject (r);
    return found;
}

/*  dispatch's view of a case: one field of its hash ("" when absent). */
static char *
s_case_field (cg_teststack_t *stack, const char *id, const char *field)
{
    static char value[128];
    redisReply *r = cg_redis_command (stack->redis, "HGET cg:{dispatch}:case:%s %s", id, field);
    snprintf (value, sizeof value, "%s", r ? cg_reply_str (r) : "");
    if (r)
        freeReplyObject (r);
    return value;
}

Test (intake, every_channel_reaches_dispatch, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    char call_time[40], ids[4][32];

    /*  a hotline order whose address names a road of the gazetteer (工农路
        is a grid of 虹桥社区) and whose classification the table maps */
    s_now_iso (call_time, sizeof call_time, -60000);
    cg_hotline_order_t order = {
        .order_no = "12345-20261122-0001", .call_time = call_time, .caller_name = S_NAME,
        .caller_phone = S_PHONE, .class = "投诉", .category = "城市管理/噪声污染",
        .content = "工农路夜间施工，吵得睡不着", .address = "和平桥街道工农路18号",
        .area_code = "320602", .urgency = "一般" };
    cg_case_submitted_t rep;
    s_ok (intake, &cg_cmd_hotline_order, &order, &rep);
    cr_assert_not (rep.unplaced);
    strcpy (ids[0], rep.id);
    cg_msg_clear (&cg_case_submitted_def, &rep);

    /*  a grid worker's report with photos */
    char *photos[] = { "https://img.example.cn/p/1.jpg" };
    cg_grid_report_t report = { .report_id = "GR-1", .worker = "W320602001001001",
                                .grid = "320602001001002", .category = "street_light",
                                .text = "路灯不亮", .photos = photos, .photos_count = 1,
                                .lat = "32.0015", .lon = "120.8545" };
    s_ok (intake, &cg_cmd_grid_report, &report, &rep);
    strcpy (ids[1], rep.id);
    cg_msg_clear (&cg_case_submitted_def, &rep);

    /*  an Open311 request placed by point in polygon (third grid of 新桥社区) */
    cg_open311_attribute_t attrs[] = { { .code = "size", .value = "large" } };
    cg_open311_request_t o311 = { .service_code = "002", .lat = "32.0012", .lon = "120.8575",
                                  .description = "路面塌陷一个大坑", .first_name = "四",
                                  .last_name = "李", .phone = "13900001111",
                                  .media_url = "https://img.example.cn/x.png",
                                  .attributes = attrs, .attributes_count = 1 };
    s_ok (intake, &cg_cmd_open311_request, &o311, &rep);
    strcpy (ids[2], rep.id);
    cg_msg_clear (&cg_case_submitted_def, &rep);

    /*  a watch's SOS, placed at the device's home */
    char at[40];
    s_now_iso (at, sizeof at, -1000);
    cg_device_alarm_t alarm = { .alarm_id = "A-1", .device = "W-0001", .type = "sos", .at = at };
    cg_device_answer_t answer;
    s_ok (intake, &cg_cmd_device_alarm, &alarm, &answer);
    cr_assert (answer.accepted);
    strcpy (ids[3], answer.id);
    cg_msg_clear (&cg_device_answer_def, &answer);

    cr_assert_eq (cg_teststack_await (stack, 4, 30000, "GET cg:{dispatch}:seq"), 4);
    for (int i = 0; i < 4; i++)
        cr_assert_str_eq (s_case_field (stack, ids[i], "state"), "dispatched", "case %d", i);
    cr_assert_str_eq (s_case_field (stack, ids[0], "grid"), "320602001002003");
    cr_assert_str_eq (s_case_field (stack, ids[0], "category"), "noise");
    cr_assert_str_eq (s_case_field (stack, ids[0], "unit"), "320602001-huanbao");
    cr_assert_str_eq (s_case_field (stack, ids[1], "unit"), "320602001-chengguan");
    cr_assert_str_eq (s_case_field (stack, ids[2], "grid"), "320602001001003");
    cr_assert_str_eq (s_case_field (stack, ids[2], "category"), "road_damage");
    cr_assert_str_eq (s_case_field (stack, ids[3], "category"), "elderly_alarm");
    cr_assert_str_eq (s_case_field (stack, ids[3], "grid"), "320602001001001");

    /*  what intake told dispatch beyond the old fields */
    cg_case_received_t received;
    cr_assert (s_journal_find (stack, "case.received", &cg_case_received_def, ids[0], &received));
    cr_assert_str_eq (received.class, "complaint");
    cr_assert_str_eq (received.county, "320602");
    cr_assert_not (received.unplaced);
    cr_assert_gt (received.reported, 0);
    cg_msg_clear (&cg_case_received_def, &received);
    cr_assert (s_journal_find (stack, "case.received", &cg_case_received_def, ids[3], &received));
    cr_assert (received.urgent, "an alarm is urgent");
    cg_msg_clear (&cg_case_received_def, &received);
    cr_assert (s_journal_find (stack, "case.received", &cg_case_received_def, ids[1], &received));
    cr_assert_eq (received.media_count, 1);
    cr_assert_str_eq (received.lat, "32.0015");
    cg_msg_clear (&cg_case_received_def, &received);

    /*  the vendor cancels the alarm: case.withdrawn, once */
    cg_device_cancel_t cancel = { .device = "W-0001", .alarm_id = "A-1", .reason = "误报" };
    s_ok (intake, &cg_cmd_device_cancel, &cancel, &rep);
    cr_assert_str_eq (rep.id, ids[3]);
    cr_assert_not (rep.repeat);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    cancel.rid = NULL;
    s_ok (intake, &cg_cmd_device_cancel, &cancel, &rep);
    cr_assert (rep.repeat);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    cg_case_withdrawn_t withdrawn;
    cr_assert (s_journal_find (stack, "case.withdrawn", &cg_case_withdrawn_def, ids[3],
                               &withdrawn));
    cr_assert_str_eq (withdrawn.reason, "误报");
    cg_msg_clear (&cg_case_withdrawn_def, &withdrawn);
    cancel.alarm_id = "A-404";
    s_refused (intake, &cg_cmd_device_cancel, &cancel, "alarm_id", "no alarm");
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}

Test (intake, device_alarms_are_rejected_with_a_reason, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    char fresh[40], old[40];
    s_now_iso (fresh, sizeof fresh, -1000);
    s_now_iso (old, sizeof old, -3600 * 1000);
    struct { const char *device, *at, *lat, *lon, *reason; } cases[] = {
        { "W-9999", fresh, NULL, NULL, "unknown_device" },
        { "W-0002", old, NULL, NULL, "stale_alarm" },
        { "W-0002", fresh, "91.5", "120.85", "bad_location" },
        { "W-0002", fresh, "0", "0", "bad_location" },
        { "W-0002", fresh, "32.0015", NULL, "bad_location" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cg_device_alarm_t alarm = { .alarm_id = "R-1", .device = (char *) cases[i].device,
                                    .type = "fall", .at = (char *) cases[i].at,
                                    .lat = (char *) cases[i].lat, .lon = (char *) cases[i].lon };
        cg_device_answer_t answer;
        s_ok (intake, &cg_cmd_device_alarm, &alarm,
              &answer);
        cr_assert_not (answer.accepted, "alarm %zu accepted", i);
        cr_assert_str_eq (answer.reason, cases[i].reason, "alarm %zu", i);
        cg_msg_clear (&cg_device_answer_def, &answer);
    }
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "alarm --device W-7777 --alarm-id C-1"), 1);
    cr_assert (strstr (out, "rejected") && strstr (out, "unknown_device"), "%s", out);
    free (out);
    /*  malformed ones are refused by field, as any command */
    cg_device_alarm_t alarm = { .alarm_id = "R-2", .device = "W-0002", .type = "explode",
                                .at = fresh };
    s_refused (intake, &cg_cmd_device_alarm, &alarm, "type", "not one of");
    alarm.type = "vital";
    alarm.at = "2026-11-22 10:00:00";
    s_refused (intake, &cg_cmd_device_alarm, &alarm, "at", "T and a time");
    cr_assert_eq (cg_teststack_await (stack, 1, 1000, "GET cg:{intake}:seq"), -1,
                  "a rejected alarm made a case");
    /*  the same alarm sent twice is one case */
    alarm.at = fresh;
    cg_device_answer_t a, b;
    s_ok (intake, &cg_cmd_device_alarm, &alarm, &a);
    alarm.rid = NULL;
    s_ok (intake, &cg_cmd_device_alarm, &alarm, &b);
    cr_assert (a.accepted && b.accepted && b.repeat);
    cr_assert_str_eq (a.id, b.id);
    cg_msg_clear (&cg_device_answer_def, &a);
    cg_msg_clear (&cg_device_answer_def, &b);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}

Test (intake, bad_input_of_each_channel_is_refused_by_field, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    char call_time[40];
    s_now_iso (call_time, sizeof call_time, -60000);
    cg_hotline_order_t order = { .order_no = "B-1", .call_time = call_time, .class = "投诉",
                                 .content = "噪音", .area_code = "320602" };
    order.class = "抱怨";
    s_refused (intake, &cg_cmd_hotline_order, &order, "class", "not one of");
    order.class = "complaint";
    order.call_time = "2026-11-22T10:00:00";
    s_refused (intake, &cg_cmd_hotline_order, &order, "call_time", "offset");
    order.call_time = "2026-02-30T10:00:00+08:00";
    s_refused (intake, &cg_cmd_hotline_order, &order, "call_time", "real date");
    order.call_time = "2099-01-01T10:00:00+08:00";
    s_refused (intake, &cg_cmd_hotline_order, &order, "call_time", "future");
    order.call_time = call_time;
    order.time_limit = "2020-01-01T00:00:00Z";
    s_refused (intake, &cg_cmd_hotline_order, &order, "time_limit", "not after");
    order.time_limit = NULL;
    order.urgency = "very";
    s_refused (intake, &cg_cmd_hotline_order, &order, "urgency", "urgent");
    order.urgency = NULL;
    order.area_code = "999999";
    s_refused (intake, &cg_cmd_hotline_order, &order, "area_code", "org tree");
    order.area_code = NULL;
    order.caller_phone = "138<script>";
    s_refused (intake, &cg_cmd_hotline_order, &order, "caller_phone", "digits");
    order.caller_phone = NULL;
    char *bad_urls[] = { "https://ok.example/a.jpg", "javascript:alert(1)" };
    order.attachments = bad_urls;
    order.attachments_count = 2;
    s_refused (intake, &cg_cmd_hotline_order, &order, "attachments",
               "attachments[1]");
    order.attachments_count = 0;
    order.order_no = NULL;
    s_refused (intake, &cg_cmd_hotline_order, &order, "order_no", "");

    cg_grid_report_t report = { .report_id = "GR-B", .worker = "W1", .grid = "320602001001001",
                                .category = "flying_saucer", .text = "x" };
    s_refused (intake, &cg_cmd_grid_report, &report, "category", "neither");
    report.category = "noise";
    report.lat = "32.0015";
    s_refused (intake, &cg_cmd_grid_report, &report, "lat", "together");
    report.lon = "120.8515";
    report.lat = "32,0015";
    s_refused (intake, &cg_cmd_grid_report, &report, "lat", "decimal degrees");
    report.lat = "32.0015";
    report.lon = "181.0";
    s_refused (intake, &cg_cmd_grid_report, &report, "lon", "between -180");
    report.lon = "120.8515";
    report.grid = "320602001";
    s_refused (intake, &cg_cmd_grid_report, &report, "grid", "not in the org");

    cg_open311_request_t o311 = { .service_code = "999", .address_string = "人民中路" };
    s_refused (intake, &cg_cmd_open311_request, &o311, "service_code",
               "not a service");
    o311.service_code = "001";
    o311.address_string = NULL;
    s_refused (intake, &cg_cmd_open311_request, &o311, "lat", "address_string");
    o311.address_id = "320602";
    s_refused (intake, &cg_cmd_open311_request, &o311, "address_id", "grid or");
    o311.address_id = "320602001001";
    o311.email = "not-an-address";
    s_refused (intake, &cg_cmd_open311_request, &o311, "email", "e-mail");
    o311.email = NULL;
    o311.media_url = "ftp://x/y";
    s_refused (intake, &cg_cmd_open311_request, &o311, "media_url", "http");
    o311.media_url = NULL;
    char big[CG_TEXT_MAX + 2];
    memset (big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    o311.description = big;
    cg_error_t err;
    cg_case_submitted_t rep;
    cr_assert_eq (cg_client_call (intake, &cg_cmd_open311_request, &o311, &rep, &err), -1,
                  "an oversized description was sent");

    /*  broken UTF-8 in each channel's text, and a body over the frame limit */
    static const char *const text_fields[][2] = {
        { "hotline.order", "content" }, { "grid.report", "text" },
        { "open311.request", "description" }, { "device.alarm", "detail" },
        { "device.cancel", "reason" } };
    for (size_t i = 0; i < 5; i++) {
        char body[64];
        size_t key = strlen (text_fields[i][1]);
        body[0] = (char) 0x81;
        body[1] = (char) (0xa0 | key);
        memcpy (body + 2, text_fields[i][1], key);
        memcpy (body + 2 + key, "\xa2\xc3\x28", 3);
        cg_teststack_refused (stack, "intake", text_fields[i][0], body, key + 5,
                              text_fields[i][1], "not valid UTF-8");
    }
    size_t huge = CG_MSG_MAX_FRAME + 1;
    char *flood = calloc (1, huge);
    cg_teststack_refused (stack, "intake", "hotline.order", flood, huge, "", "at most");
    free (flood);

    /*  still serving, and nothing bad became a case; attributes beyond
        what intake's record holds are kept as far as they fit, cut at a
        character boundary */
    o311.description = "路灯坏了";
    cg_open311_attribute_t many[32];
    char value[256] = "";
    for (int i = 0; i < 85; i++)
        strcat (value, "很");
    for (int i = 0; i < 32; i++)
        many[i] = (cg_open311_attribute_t) { .code = "note", .value = value };
    o311.attributes = many;
    o311.attributes_count = 32;
    s_ok (intake, &cg_cmd_open311_request, &o311, &rep);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    cr_assert_eq (cg_teststack_await (stack, 1, 10000, "GET cg:{intake}:seq"), 1);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}

/*  A hotline order about noise on 工农路 from a phone. */
static void
s_noise_order (cg_client_t *intake, const char *order_no, const char *phone,
               cg_case_submitted_t *rep)
{
    char call_time[40];
    s_now_iso (call_time, sizeof call_time, -1000);
    cg_hotline_order_t order = { .order_no = (char *) order_no, .call_time = call_time,
                                 .caller_phone = (char *) phone, .class = "投诉",
                                 .content = "工农路噪声扰民", .address = "和平桥街道工农路" };
    s_ok (intake, &cg_cmd_hotline_order, &order, rep);
}

Test (intake, duplicates_merge_within_the_window_and_callers_are_recognised, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up ("--set clock/test=1");
    int64_t t0 = zclock_time ();
    redisReply *r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld", (long long) t0);
    freeReplyObject (r);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_case_submitted_t first, again, same_caller, retry, later;
    s_noise_order (intake, "M-1", "13800000001", &first);
    cr_assert_not (first.merged);
    /*  another caller about the same thing: a supporter */
    s_noise_order (intake, "M-2", "13800000002", &again);
    cr_assert (again.merged);
    cr_assert_str_eq (again.id, first.id);
    cr_assert_eq (again.supporters, 2);
    cr_assert_not (again.known_caller);
    /*  the first caller calls again: recognised, not counted twice */
    s_noise_order (intake, "M-3", "138-0000-0001", &same_caller);
    cr_assert (same_caller.merged && same_caller.known_caller);
    cr_assert_eq (same_caller.supporters, 2);
    /*  the hotline retries M-2: the first answer, nothing counted */
    s_noise_order (intake, "M-2", "13800000002", &retry);
    cr_assert (retry.repeat);
    cr_assert_str_eq (retry.id, first.id);
    /*  a grid worker's report from the same grid (工农路's), same category */
    cg_grid_report_t report = { .report_id = "GR-M", .worker = "W9", .grid = "320602001002003",
                                .category = "noise", .text = "噪声", .lat = "32.0015",
                                .lon = "120.8725" };
    cg_case_submitted_t by_grid;
    s_ok (intake, &cg_cmd_grid_report, &report, &by_grid);
    cr_assert (by_grid.merged, "same grid and category: merged");
    cr_assert_eq (by_grid.supporters, 3);
    /*  a broken street light at a grid's corner, and an Open311 request
        about it 28 m away, across the boundary in the next grid */
    cg_grid_report_t light = { .report_id = "GR-L", .worker = "W1", .grid = "320602001001001",
                               .category = "street_light", .text = "路灯不亮",
                               .lat = "32.0029", .lon = "120.8529" };
    cg_case_submitted_t lamp, near;
    s_ok (intake, &cg_cmd_grid_report, &light, &lamp);
    cr_assert_not (lamp.merged);
    cg_open311_request_t o311 = { .service_code = "001", .lat = "32.0029", .lon = "120.8532",
                                  .description = "路灯坏了" };
    s_ok (intake, &cg_cmd_open311_request, &o311, &near);
    cr_assert (near.merged);
    cr_assert_str_eq (near.id, lamp.id, "a point 28 m away joins the case");

    cg_case_merged_t merged;
    cr_assert (s_journal_find (stack, "case.merged", &cg_case_merged_def, first.id, &merged));
    cr_assert_str_eq (merged.contact, "138****0002");
    cg_msg_clear (&cg_case_merged_def, &merged);
    cg_intake_get_t get = { .id = first.id };
    cg_intake_view_t view;
    s_ok (intake, &cg_cmd_intake_show, &get, &view);
    cr_assert_eq (view.supporters, 3);
    cr_assert_eq (view.calls, 4, "three supporters and one repeated call");
    cg_msg_clear (&cg_intake_view_def, &view);

    /*  past the window (3 days), the same complaint is a new case */
    r = cg_redis_command (stack->redis, "SET cg:{clock}:now %lld",
                          (long long) (t0 + 259200 * INT64_C (1000) + 1));
    freeReplyObject (r);
    s_noise_order (intake, "M-4", "13800000004", &later);
    cr_assert_not (later.merged);
    cr_assert_str_neq (later.id, first.id);
    /*  and once it is resolved, nothing merges into it */
    cr_assert_eq (cg_teststack_await (stack, 3, 30000, "ZCARD cg:{dispatch}:q:all"), 3);
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "accept %s", later.id), 0, "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "resolve %s --result 已处理", later.id), 0,
                  "%s", out);
    free (out);
    cg_case_submitted_t after;
    s_noise_order (intake, "M-5", "13800000005", &after);
    cr_assert_not (after.merged);
    cr_assert_eq (cg_teststack_await (stack, 4, 30000, "ZCARD cg:{dispatch}:q:all"), 4,
                  "four cases (first, lamp, later, after) reach dispatch");
    cg_case_submitted_t *all[] = { &first, &again, &same_caller, &retry, &by_grid, &lamp,
                                   &near, &later, &after };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        cg_msg_clear (&cg_case_submitted_def, all[i]);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}

/*  Issue 16, bug 1: intake merged a complaint into a rejected case, which
    stays rejected and is never handled.  A request about a case that is
    rejected (or merged, cancelled, resolved, closed) makes a new case. */
Test (intake, a_request_about_a_rejected_case_makes_a_new_case, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_case_submitted_t first, second;
    s_noise_order (intake, "RJ-1", "13800000011", &first);
    cr_assert_not (first.merged);
    cr_assert_eq (cg_teststack_await (stack, 1, 30000, "ZCARD cg:{dispatch}:q:all"), 1);
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "reject %s --note 无效工单", first.id), 0,
                  "%s", out);
    free (out);
    cr_assert_str_eq (s_case_field (stack, first.id, "state"), "rejected");
    s_noise_order (intake, "RJ-2", "13800000012", &second);
    cr_assert_not (second.merged, "merged into rejected case %s", first.id);
    cr_assert_str_neq (second.id, first.id);
    cr_assert_eq (cg_teststack_await (stack, 2, 30000, "ZCARD cg:{dispatch}:q:all"), 2,
                  "the second request is a case of its own at dispatch");
    cr_assert_str_eq (s_case_field (stack, second.id, "state"), "dispatched");
    cg_msg_clear (&cg_case_submitted_def, &first);
    cg_msg_clear (&cg_case_submitted_def, &second);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}

Test (intake, what_cannot_be_placed_is_kept_for_the_county_triage, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    char call_time[40];
    s_now_iso (call_time, sizeof call_time, -1000);
    /*  通州区, an address no gazetteer knows */
    cg_hotline_order_t order = { .order_no = "U-1", .call_time = call_time, .class = "求助",
                                 .content = "家门口的井盖不见了", .address = "老街口那棵大树旁边",
                                 .area_code = "320612" };
    cg_case_submitted_t rep;
    s_ok (intake, &cg_cmd_hotline_order, &order, &rep);
    cr_assert (rep.unplaced);
    /*  a community name that eleven towns share is not guessed */
    order.order_no = "U-2";
    order.area_code = NULL;
    order.address = "友谊社区";
    cg_case_submitted_t shared;
    s_ok (intake, &cg_cmd_hotline_order, &order, &shared);
    cr_assert (shared.unplaced);
    /*  ... unless the address names the town too */
    order.order_no = "U-3";
    order.address = "任港街道友谊社区5栋";
    cg_case_submitted_t placed;
    s_ok (intake, &cg_cmd_hotline_order, &order, &placed);
    cr_assert_not (placed.unplaced);

    /*  a trunk road through several towns belongs to the county */
    order.order_no = "U-4";
    order.address = "通富北路与城港路交叉口";
    cg_case_submitted_t road;
    s_ok (intake, &cg_cmd_hotline_order, &order, &road);
    cr_assert_not (road.unplaced);

    /*  an address that names only its county goes to that county's
        triage, not the city's (issue 16, bug 10) */
    order.order_no = "U-5";
    order.address = "海门区老街口那棵大树旁边";
    cg_case_submitted_t county_only;
    s_ok (intake, &cg_cmd_hotline_order, &order,
          &county_only);
    cr_assert (county_only.unplaced);

    cg_case_received_t received;
    cr_assert (s_journal_find (stack, "case.received", &cg_case_received_def, county_only.id,
                               &received));
    cr_assert_str_eq (received.county ? received.county : "(none)", "320614");
    cg_msg_clear (&cg_case_received_def, &received);
    cr_assert (s_journal_find (stack, "case.received", &cg_case_received_def, rep.id, &received));
    cr_assert (received.unplaced);
    cr_assert_str_eq (received.county, "320612");
    cr_assert_null (received.grid);
    cg_msg_clear (&cg_case_received_def, &received);
    cr_assert (s_journal_find (stack, "case.received", &cg_case_received_def, placed.id,
                               &received));
    cr_assert_str_eq (received.place, "320602002001");
    cg_msg_clear (&cg_case_received_def, &received);
    /*  never dropped: dispatch has all five */
    cr_assert_eq (cg_teststack_await (stack, 5, 30000, "GET cg:{dispatch}:seq"), 5);
    cr_assert_str_eq (s_case_field (stack, county_only.id, "center"), "320614");
    cg_msg_clear (&cg_case_submitted_def, &county_only);
    cr_assert_str_eq (s_case_field (stack, rep.id, "state"), "dispatched");
    /*  ... each where it belongs: the named county's triage queue, the
        city's when not even the county is known, and the matched
        community's own town */
    cr_assert_str_eq (s_case_field (stack, rep.id, "center"), "320612");
    cr_assert_str_eq (s_case_field (stack, rep.id, "unit"), "320612", "not one of its units");
    cr_assert_str_eq (s_case_field (stack, rep.id, "unplaced"), "1");
    cr_assert_str_eq (s_case_field (stack, shared.id, "center"), "320600");
    cr_assert_str_eq (s_case_field (stack, shared.id, "unplaced"), "1");
    cr_assert (strncmp (s_case_field (stack, placed.id, "center"), "320602", 6) == 0,
               "a placed case stays in its county: %s", s_case_field (stack, placed.id, "center"));
    cr_assert_str_eq (s_case_field (stack, placed.id, "unplaced"), "");
    cr_assert_str_eq (s_case_field (stack, road.id, "center"), "320602", "the road's county");
    cr_assert_str_eq (s_case_field (stack, road.id, "level"), "county");
    cr_assert_str_eq (s_case_field (stack, road.id, "unplaced"), "");
    cg_msg_clear (&cg_case_submitted_def, &road);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    cg_msg_clear (&cg_case_submitted_def, &shared);
    cg_msg_clear (&cg_case_submitted_def, &placed);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}

/*  case.submit takes a point as Open311 does (issue 15, item 7): both
    coordinates or neither, decimal degrees in range, within the
    jurisdiction, each refusal naming its field; a point with no grid puts
    the case in the grid whose boundary holds it, and the case keeps the
    point (the map draws it there, not at the grid's centre). */
Test (intake, a_point_places_an_operator_request_in_its_grid, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    cg_case_submit_t submit = { .rid = "P-1", .source = "operator", .category = "noise",
                                .text = "和平桥街道某小区门口夜间施工噪音，凌晨两点仍在打桩",
                                .lat = "32.0015", .lon = "120.8545" };
    cg_case_submitted_t rep;
    s_ok (intake, &cg_cmd_case_submit, &submit, &rep);
    cr_assert_not (rep.unplaced, "the point lies in a surveyed grid");
    cg_case_received_t received;
    cr_assert (s_journal_find (stack, "case.received", &cg_case_received_def, rep.id, &received));
    cr_assert_str_eq (received.grid ? received.grid : "(none)", "320602001001002",
                      "120.8545 E lies in the second grid's box (120.8530 to 120.8560)");
    cr_assert_str_eq (received.lat, "32.0015");
    cr_assert_str_eq (received.lon, "120.8545");
    cg_msg_clear (&cg_case_received_def, &received);
    cr_assert_eq (cg_teststack_await (stack, 1, 30000, "GET cg:{dispatch}:seq"), 1);
    cr_assert_str_eq (s_case_field (stack, rep.id, "grid"), "320602001001002");
    cr_assert_str_eq (s_case_field (stack, rep.id, "lat"), "32.0015");
    cg_msg_clear (&cg_case_submitted_def, &rep);

    /*  a grid given wins over the point, as in Open311 (address_id) */
    submit.rid = "P-2";
    submit.grid = "320602001001001";
    s_ok (intake, &cg_cmd_case_submit, &submit, &rep);
    cr_assert (s_journal_find (stack, "case.received", &cg_case_received_def, rep.id, &received));
    cr_assert_str_eq (received.grid, "320602001001001");
    cg_msg_clear (&cg_case_received_def, &received);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    submit.grid = NULL;

    submit.rid = "P-3";
    submit.lat = "91.5";
    s_refused (intake, &cg_cmd_case_submit, &submit, "lat", "between -90 and 90");
    submit.lat = "32,0015";
    s_refused (intake, &cg_cmd_case_submit, &submit, "lat", "decimal degrees");
    submit.lat = "32.0015";
    submit.lon = "-181";
    s_refused (intake, &cg_cmd_case_submit, &submit, "lon", "between -180 and 180");
    submit.lon = NULL;
    s_refused (intake, &cg_cmd_case_submit, &submit, "lat", "together");
    /*  in range but outside the jurisdiction (intake/extent) */
    submit.lat = "39.9042";
    submit.lon = "116.4074";
    s_refused (intake, &cg_cmd_case_submit, &submit, "lat", "outside this jurisdiction");
    /*  neither grid, address nor point */
    submit.lat = submit.lon = NULL;
    s_refused (intake, &cg_cmd_case_submit, &submit, "grid", "lat and lon");
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}

/*  True when some file under dir holds needle (grep -r, binary files too). */
static bool
s_on_disk (const char *dir, const char *needle)
{
    char command[1200];
    snprintf (command, sizeof command, "grep -r -a -l -F '%s' '%s' >/dev/null 2>&1", needle, dir);
    return system (command) == 0;
}

Test (intake, personal_data_is_masked_in_every_output_and_sealed_at_rest, .timeout = 120)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    char call_time[40];
    s_now_iso (call_time, sizeof call_time, -1000);
    cg_hotline_order_t order = { .order_no = "P-1", .call_time = call_time,
                                 .caller_name = S_NAME, .caller_phone = S_PHONE,
                                 .class = "投诉", .content = "人民中路有人占道摆摊",
                                 .address = "和平桥街道工农路" };
    cg_case_submitted_t rep;
    s_ok (intake, &cg_cmd_hotline_order, &order, &rep);
    char id[32];
    strcpy (id, rep.id);
    cg_msg_clear (&cg_case_submitted_def, &rep);
    cr_assert_eq (cg_teststack_await (stack, 1, 30000, "LLEN cg:{notification}:inbox:"
                                      "320602001-chengguan"), 1);

    /*  the operator's view through dispatch, in text and JSON */
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "case show %s", id), 0, "%s", out);
    cr_assert (strstr (out, "138****5678"), "%s", out);
    cr_assert_null (strstr (out, S_PHONE));
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "case show %s --json", id), 0, "%s", out);
    cr_assert_null (strstr (out, S_PHONE));
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "inbox 320602001-chengguan --json"), 0);
    cr_assert_null (strstr (out, S_PHONE));
    free (out);

    /*  intake's own view: masked, unless the role may see it */
    cg_intake_get_t get = { .id = id, .role = "operator" };
    cg_intake_view_t view;
    s_ok (intake, &cg_cmd_intake_show, &get, &view);
    cr_assert_str_eq (view.contact_phone, "138****5678");
    cr_assert_str_eq (view.contact_name, "张**");
    cg_msg_clear (&cg_intake_view_def, &view);
    get.role = "callback";
    s_ok (intake, &cg_cmd_intake_show, &get, &view);
    cr_assert_str_eq (view.contact_phone, S_PHONE);
    cr_assert_str_eq (view.contact_name, S_NAME);
    cg_msg_clear (&cg_intake_view_def, &view);
    get.id = "CG0000009999";
    s_refused (intake, &cg_cmd_intake_show, &get, "id", "no case");
    cr_assert_eq (cg_teststack_cli (stack, &out, "intake show %s", id), 0, "%s", out);
    cr_assert (strstr (out, "138****5678") && strstr (out, "张**"), "%s", out);
    cr_assert_null (strstr (out, S_PHONE));
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "intake show %s --role supervisor --json", id),
                  0, "%s", out);
    cr_assert (strstr (out, S_PHONE), "%s", out);
    free (out);

    /*  an order from the CLI, as the hotline sends it, joins the case */
    cr_assert_eq (cg_teststack_cli (stack, &out, "hotline --order-no P-2 --class 举报 "
                                    "--content 有人摆摊 --address 和平桥街道工农路 "
                                    "--phone 13700000000"), 0, "%s", out);
    cr_assert (strstr (out, id) && strstr (out, "2 supporters"), "%s", out);
    free (out);

    /*  nowhere in the clear: not in Redis's append-only file (written
        as each command runs; the masked form shows it is there), not in
        any daemon's log, not in any journal */
    for (int i = 0; i < 600 && !s_on_disk (stack->dir, "138****5678"); i++)
        zclock_sleep (100);
    cr_assert (s_on_disk (stack->dir, "138****5678"), "the masked phone is not in the AOF");
    cr_assert_not (s_on_disk (stack->dir, S_PHONE), "the phone is in a file under %s", stack->dir);
    cr_assert_not (s_on_disk (stack->dir, S_NAME), "the name is in a file under %s", stack->dir);
    cg_client_destroy (&intake);

    /*  the stack's configuration written again (new ports) keeps its key:
        what was sealed still opens */
    cr_assert_eq (cg_teststack_cli (stack, &out, "stack down"), 0, "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "stack up --port-base auto"), 0, "%s", out);
    free (out);
    cr_assert_eq (cg_teststack_cli (stack, &out, "intake show %s --role supervisor", id), 0,
                  "%s", out);
    cr_assert (strstr (out, S_PHONE), "%s", out);
    free (out);
    cg_teststack_down (&stack);
}

Test (intake, kill_9_of_intake_loses_and_doubles_no_order, .timeout = 240)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    cg_client_t *intake = cg_teststack_client (stack, "intake");
    const int n = 300;
    char call_time[40];
    s_now_iso (call_time, sizeof call_time, -1000);
    for (int i = 0; i < n; i++) {
        if (i == n / 3 || i == 2 * n / 3) {
            cg_teststack_kill9 (stack, "intake");
            cg_teststack_restart (stack);
        }
        char order_no[32], rid[32], content[64];
        snprintf (order_no, sizeof order_no, "K-%04d", i);
        snprintf (rid, sizeof rid, "kill-rid-%04d", i);
        snprintf (content, sizeof content, "第%d号：请求帮助", i);
        /*  an address nobody knows: unplaced, so nothing merges */
        cg_hotline_order_t order = { .rid = rid, .order_no = order_no, .call_time = call_time,
                                     .class = "求助", .content = content,
                                     .address = "无名小路", .area_code = "320612" };
        cg_case_submitted_t rep;
        cg_error_t err;
        int rc = -1;
        for (int attempt = 0; attempt < 10 && rc; attempt++)
            rc = cg_client_call (intake, &cg_cmd_hotline_order, &order, &rep, &err);
        cr_assert_eq (rc, 0, "order %d: %s", i, err.message);
        cr_assert_not (rep.merged);
        cg_msg_clear (&cg_case_submitted_def, &rep);
    }
    cr_assert_eq (cg_teststack_await (stack, n, 60000, "ZCARD cg:{dispatch}:q:all"), n);
    cr_assert_eq (cg_teststack_await (stack, n, 1000, "GET cg:{intake}:seq"), n,
                  "one journal entry per order");
    cr_assert_eq (cg_teststack_await_refs (stack, n, 1000), n);
    cg_client_destroy (&intake);
    cg_teststack_down (&stack);
}
