/*  Every channel carries over HTTP what it carries from the CLI (issue
    #14): "me too" merging on each channel that makes cases, by intake's
    one rule, and the answer that says a request joined a case; grid
    workers' reports with their photos; callbacks to the 12345 system.
    Real HTTP against the real gateway of a real stack. */
#include <criterion/criterion.h>
#include "cg_testhttp.h"
#include "cg_testreceiver.h"
#include "cg_testcli.h"

#define S_GRID_A    "320602001001001"       /* 和平桥街道, 1st grid */
#define S_GRID_B    "320602002001001"       /* 任港街道 */

/*  A citizen's text as operators type it: 800-odd bytes of Chinese. */
#define S_LONG_TEXT "和平桥街道工农路小区南门外的广场每天晚上七点到十点有广场舞，音响开得很大，" \
    "噪音严重影响附近居民休息，楼上有高三学生需要复习，也有上夜班的居民白天要睡觉、晚上需要安静，" \
    "多次与组织者沟通未果，物业表示无权管理。希望有关部门协调，限定音量和时间，或者另找合适的场地，" \
    "在不影响跳舞的老人们锻炼的同时也照顾周边居民的正常生活。居民们已经联名写了意见书，" \
    "愿意配合社区一起想办法。另外广场边上的路灯也坏了两盏，晚上散场时老人们走路不太安全。"

static const char *
s_str (json_t *obj, const char *key)
{
    return json_string_value (json_object_get (obj, key));
}

/*  POSTs a new case through the operator API; returns the answer. */
static json_t *
s_post_case (cg_teststack_t *stack, const char *token, const char *grid, const char *phone,
             const char *extra)
{
    char body[4096];
    snprintf (body, sizeof body, "{\"category\":\"noise\",\"text\":\"%s\",\"grid\":\"%s\","
              "\"contact_phone\":\"%s\"%s}", S_LONG_TEXT, grid, phone, extra);
    int status;
    json_t *answer = cg_http_post_json (stack, "/api/v1/cases", token, body, &status);
    cr_assert_eq (status, 200, "%s", json_dumps (answer, 0));
    return answer;
}

Test (channels, every_channel_that_makes_cases_merges_by_one_rule, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *op = cg_http_token (stack, "operator", "320602001", "和平桥值班员");
    char *worker = cg_http_token (stack, "grid_worker", S_GRID_A, "网格员李四");
    char *client = cg_http_token (stack, "open311", "320600", "open311-app");

    /*  the first request makes the case */
    json_t *first = s_post_case (stack, op, S_GRID_A, "13800000001", "");
    const char *id = s_str (first, "id");
    cr_assert (id && !json_is_true (json_object_get (first, "merged")));

    /*  the operator API: another caller about the same problem joins it */
    json_t *a = s_post_case (stack, op, S_GRID_A, "13800000002", "");
    cr_assert (json_is_true (json_object_get (a, "merged")), "%s", json_dumps (a, 0));
    cr_assert_str_eq (s_str (a, "id"), id);
    cr_assert_eq (json_integer_value (json_object_get (a, "supporters")), 2);
    /*  the same caller again is known, and not counted twice */
    json_t *b = s_post_case (stack, op, S_GRID_A, "138 0000 0002", "");
    cr_assert (json_is_true (json_object_get (b, "known_caller")), "%s", json_dumps (b, 0));
    cr_assert_eq (json_integer_value (json_object_get (b, "supporters")), 2);
    /*  an operator who means a new case says so */
    json_t *c = s_post_case (stack, op, S_GRID_A, "13800000003", ",\"merge\":false");
    cr_assert (!json_is_true (json_object_get (c, "merged")));
    cr_assert_str_neq (s_str (c, "id"), id);
    /*  another grid is another problem */
    char *city = cg_http_token (stack, "admin", "320600", "市管理员");
    json_t *d = s_post_case (stack, city, S_GRID_B, "13800000004", "");
    cr_assert (!json_is_true (json_object_get (d, "merged")));

    /*  a grid worker's report through the operator API */
    json_t *e = s_post_case (stack, worker, S_GRID_A, "13800000005", "");
    cr_assert (json_is_true (json_object_get (e, "merged")), "%s", json_dumps (e, 0));
    cr_assert_str_eq (s_str (e, "id"), id);
    cr_assert_eq (json_integer_value (json_object_get (e, "supporters")), 3);

    /*  Open311: the POST's answer carries it as an extension, in JSON and XML */
    char form[2048];
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&address_id=" S_GRID_A
              "&description=%%E5%%B9%%BF%%E5%%9C%%BA%%E8%%88%%9E%%E5%%99%%AA%%E9%%9F%%B3"
              "&phone=13800000006", client);
    cg_http_reply_t reply;
    cg_http (stack, &reply, "POST", "/open311/v2/requests.json", NULL, NULL, form,
             strlen (form), "application/x-www-form-urlencoded");
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    json_t *o = json_loads (reply.body, 0, NULL);
    json_t *o0 = json_array_get (o, 0);
    cr_assert_str_eq (s_str (o0, "service_request_id"), id, "%s", reply.body);
    cr_assert (json_is_true (json_object_get (o0, "merged")), "%s", reply.body);
    cr_assert_eq (json_integer_value (json_object_get (o0, "supporters")), 4);
    json_decref (o);
    cg_http_reply_clear (&reply);
    snprintf (form, sizeof form, "api_key=%s&service_code=noise&address_id=" S_GRID_A
              "&description=x&phone=13800000007", client);
    cg_http (stack, &reply, "POST", "/open311/v2/requests.xml", NULL, NULL, form,
             strlen (form), "application/x-www-form-urlencoded");
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    cr_assert (strstr (reply.body, "<merged>true</merged>")
               && strstr (reply.body, "<supporters>5</supporters>"), "%s", reply.body);
    cg_http_reply_clear (&reply);

    /*  intake counts every one of them behind the one case */
    char *out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "intake show %s", id), 0, "%s", out);
    cr_assert (strstr (out, "5"), "%s", out);
    free (out);
    json_decref (first);
    json_decref (a);
    json_decref (b);
    json_decref (c);
    json_decref (d);
    json_decref (e);
    free (op);
    free (city);
    free (worker);
    free (client);
    cg_teststack_down (&stack);
}

/* --- callbacks to the 12345 system ------------------------------------------ */

#define S_CENTER    "--actor center:320602001:王"
#define S_UNIT      "--actor unit:320602001-huanbao:李"

/*  Runs `civgrid ACTION ID ARGS`, which must succeed. */
static void
s_act (cg_teststack_t *stack, const char *action, const char *id, const char *args)
{
    char *out = cg_testcli (stack, 0, "%s %s %s", action, id, args);
    free (out);
}

/*  A 12345 order from the CLI about the square of 工农路; its case id. */
static char *
s_order (cg_teststack_t *stack, const char *order_no, const char *phone)
{
    char *out = cg_testcli (stack, 0, "hotline --order-no %s --class 投诉 --content '%s' "
                            "--address 和平桥街道工农路 --phone %s", order_no, S_LONG_TEXT, phone);
    char id[40] = "";
    sscanf (out, "%39s", id);
    cr_assert (strncmp (id, "CG", 2) == 0, "%s", out);
    free (out);
    return strdup (id);
}

Test (channels, the_hotline_hears_every_change_of_its_orders, .timeout = 240)
{
    cg_testreceiver_t rx;
    cg_testreceiver_start (&rx);
    char *dir = cg_testreceiver_notify_dir (&rx, "", 15000, "");
    char extra[700];
    snprintf (extra, sizeof extra, "--set data/notify=%s --set dispatch/hotspot_count=0", dir);
    cg_teststack_t *stack = cg_teststack_up (extra);
    char *id = s_order (stack, "H-1", "13912345678");
    const char *path = "/hotline/orders";
    cr_assert_eq (cg_testreceiver_await (&rx, 1, path, "\"status\":\"dispatched\"", id), 1);

    /*  退单 refused, 延期 asked and refused: each told, signed, by order */
    s_act (stack, "return", id, "--note 不属于本单位 " S_UNIT);
    s_act (stack, "return_refuse", id, "--note 属于环保职责 " S_CENTER);
    s_act (stack, "accept", id, S_UNIT);
    s_act (stack, "extend", id, "--minutes 480 --note 需协调场地 " S_UNIT);
    s_act (stack, "extend_refuse", id, "--note 时限内办结 " S_CENTER);
    const char *statuses[] = { "returned", "return_refused", "accepted",
                               "extension_requested", "extension_refused" };
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        char word[64];
        snprintf (word, sizeof word, "\"status\":\"%s\"", statuses[i]);
        cr_assert_eq (cg_testreceiver_await (&rx, 1, path, word, "\"order\":\"H-1\""), 1,
                      "no %s callback", statuses[i]);
    }

    /*  another caller's order joins the case: the hotline hears it of that
        order, with the case it joined */
    char *joined = s_order (stack, "H-2", "13900002222");
    cr_assert_str_eq (joined, id);
    cr_assert_eq (cg_testreceiver_await (&rx, 1, path, "\"order\":\"H-2\"",
                                         "\"status\":\"merged\""), 1);
    cr_assert_eq (cg_testreceiver_count (&rx, path, "\"order\":\"H-2\"", id), 1);
    /*  a third joins: told too, not taken for the second's repeat */
    free (s_order (stack, "H-3", "13900003333"));
    cr_assert_eq (cg_testreceiver_await (&rx, 1, path, "\"order\":\"H-3\"",
                                         "\"status\":\"merged\""), 1);

    /*  撤单: the case is cancelled */
    cg_case_changed_t cancelled = { .id = id, .from = "accepted", .to = "cancelled",
                                    .actor = "intake", .note = "来电人撤回诉求", .at = 1 };
    cg_teststack_journal (stack, "dispatch", "case.cancelled", &cg_case_changed_def, &cancelled);
    cr_assert_eq (cg_testreceiver_await (&rx, 1, path, "\"status\":\"cancelled\"",
                                         "\"order\":\"H-1\""), 1);
    cr_assert_eq (cg_testreceiver_count (&rx, path, "sig=bad", NULL), 0);
    free (joined);
    free (id);
    cg_teststack_down (&stack);
    cg_testreceiver_stop (&rx);
}
