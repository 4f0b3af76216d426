/*  Every channel carries over HTTP what it carries from the CLI (issue
    #14): "me too" merging on each channel that makes cases, by intake's
    one rule, and the answer that says a request joined a case; grid
    workers' reports with their photos; callbacks to the 12345 system.
    Real HTTP against the real gateway of a real stack. */
#include <criterion/criterion.h>
#include "cg_testhttp.h"
#include "cg_testreceiver.h"
#include "cg_testcli.h"
#include "cg_sign.h"

#include <time.h>

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

/*  A stack whose notification reaches the receiver rx (the SMS gateway,
    the 12345 callback), with settings added. */
static cg_teststack_t *
s_notify_stack (cg_testreceiver_t *rx, const char *settings)
{
    cg_testreceiver_start (rx);
    char *dir = cg_testreceiver_notify_dir (rx, "", 15000, "");
    char extra[900];
    snprintf (extra, sizeof extra, "--set data/notify=%s --set dispatch/hotspot_count=0 %s", dir,
              settings);
    return cg_teststack_up (extra);
}

Test (channels, the_hotline_hears_every_change_of_its_orders, .timeout = 240)
{
    cg_testreceiver_t rx;
    cg_teststack_t *stack = s_notify_stack (&rx, "");
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

    /*  撤单: the case is cancelled; its own order hears it, and so does
        each order that joined it */
    cg_case_changed_t cancelled = { .id = id, .from = "accepted", .to = "cancelled",
                                    .actor = "intake", .note = "来电人撤回诉求", .at = 1 };
    cg_teststack_journal (stack, "dispatch", "case.cancelled", &cg_case_changed_def, &cancelled);
    const char *orders[] = { "\"order\":\"H-1\"", "\"order\":\"H-2\"", "\"order\":\"H-3\"" };
    for (int i = 0; i < 3; i++)
        cr_assert_eq (cg_testreceiver_await (&rx, 1, path, "\"status\":\"cancelled\"", orders[i]),
                      1, "%s was not told", orders[i]);
    cr_assert_eq (cg_testreceiver_count (&rx, path, "sig=bad", NULL), 0);

    /*  our callbacks' secret rotated, with no restart: until the old one
        runs out each callback is signed under both, so the hotline checks
        with the old until it switches, then with the new */
    char *rotated = cg_testcli (stack, 0, "secret rotate callback --json");
    json_t *made = json_loads (rotated, 0, NULL);
    cr_assert (made, "%s", rotated);
    char first[CG_SIGN_SECRET_MAX];
    snprintf (first, sizeof first, "%s", s_str (made, "secret"));
    cr_assert_eq (strlen (first), 64, "%s", rotated);
    json_decref (made);
    free (rotated);
    char *fourth = s_order (stack, "H-4", "13900004444");
    cr_assert_eq (cg_testreceiver_await (&rx, 1, path, "\"order\":\"H-4\"",
                                         "sig=bad prev=ok"), 1,
                  "the hotline, still on the old secret, takes the callback by its second "
                  "signature");
    cg_testreceiver_secret (&rx, first);
    free (s_order (stack, "H-5", "13900005555"));
    cr_assert_eq (cg_testreceiver_await (&rx, 1, path, "\"order\":\"H-5\"",
                                         "sig=ok prev=bad"), 1, "switched: the new one checks");
    /*  rotated again with no grace: the one it replaces ends at once */
    rotated = cg_testcli (stack, 0, "secret rotate callback --grace-hours 0 --json");
    made = json_loads (rotated, 0, NULL);
    char second[CG_SIGN_SECRET_MAX];
    snprintf (second, sizeof second, "%s", s_str (made, "secret"));
    json_decref (made);
    free (rotated);
    cg_testreceiver_secret (&rx, second);
    free (s_order (stack, "H-6", "13900006666"));
    cr_assert_eq (cg_testreceiver_await (&rx, 1, path, "\"order\":\"H-6\"",
                                         "sig=ok prev=none"), 1);
    /*  a secret is shown once, to whoever rotates it, and never logged */
    char shell[4096];
    for (int i = 0; i < 2; i++)
        cr_assert_neq (cg_test_shell (shell, sizeof shell, "grep -rl %s %s/log",
                                      i ? second : first, stack->dir), 0,
                       "a callback secret is in the logs: %s", shell);
    free (fourth);
    free (joined);
    free (id);
    cg_teststack_down (&stack);
    cg_testreceiver_stop (&rx);
}

/* --- grid reports with photos ---------------------------------------------- */

/*  One part of a multipart body: a field, or a file when filename is set. */
typedef struct {
    const char *name, *filename, *type;
    const char *data;
    size_t size;                /* 0: strlen (data) */
} s_part_t;

#define S_BOUNDARY  "----civgrid-test-7d3a1f"

/*  A multipart/form-data body of the parts (malloc'd), its size in *size. */
static char *
s_multipart (const s_part_t *parts, size_t n, size_t *size)
{
    size_t cap = 1024;
    for (size_t i = 0; i < n; i++)
        cap += 512 + (parts[i].size ? parts[i].size : strlen (parts[i].data));
    char *body = malloc (cap), *at = body;
    for (size_t i = 0; i < n; i++) {
        const s_part_t *p = &parts[i];
        if (p->filename)
            at += sprintf (at, "--" S_BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"; "
                           "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n", p->name, p->filename,
                           p->type);
        else
            at += sprintf (at, "--" S_BOUNDARY "\r\nContent-Disposition: form-data; "
                           "name=\"%s\"\r\n\r\n", p->name);
        size_t len = p->size ? p->size : strlen (p->data);
        memcpy (at, p->data, len);
        at += len;
        at += sprintf (at, "\r\n");
    }
    at += sprintf (at, "--" S_BOUNDARY "--\r\n");
    *size = (size_t) (at - body);
    return body;
}

/*  A picture of size bytes that starts as an image of type does. */
static char *
s_picture (const char *type, size_t size, int seed)
{
    char *data = malloc (size);
    for (size_t i = 0; i < size; i++)
        data[i] = (char) ((i * 31 + (size_t) seed * 7) & 0xff);
    if (strcmp (type, "jpg") == 0)
        memcpy (data, "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", 12);
    else
    if (strcmp (type, "png") == 0)
        memcpy (data, "\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);
    else
    if (strcmp (type, "heic") == 0)
        memcpy (data, "\x00\x00\x00\x18" "ftypheic\x00\x00\x00\x00", 16);
    else
        memcpy (data, "%PDF-1.7\n%\xe2\xe3\xcf\xd3", 14);
    return data;
}

static cg_http_reply_t
s_upload (cg_teststack_t *stack, const char *token, const s_part_t *parts, size_t n)
{
    size_t size;
    char *body = s_multipart (parts, n, &size);
    cg_http_reply_t reply;
    cg_http (stack, &reply, "POST", "/api/v1/grid/reports", token, NULL, body, size,
             "multipart/form-data; boundary=" S_BOUNDARY);
    free (body);
    return reply;
}


/*  Asserts that the upload is refused with status, naming field, and that
    nothing was kept of it. */
static void
s_refused_upload (cg_teststack_t *stack, const char *token, const s_part_t *parts, size_t n,
                  int status, const char *field, const char *words)
{
    char photos[600];
    snprintf (photos, sizeof photos, "%s/photos", stack->dir);
    int before = cg_test_count_files (photos);
    int64_t reports = cg_teststack_refs (stack);
    cg_http_reply_t reply = s_upload (stack, token, parts, n);
    cr_assert_eq (reply.status, status, "%s", reply.body);
    json_t *json = json_loads (reply.body, 0, NULL);
    json_t *error = json_object_get (json, "error");
    cr_assert_str_eq (s_str (error, "field"), field, "%s", reply.body);
    cr_assert (!words || strstr (s_str (error, "message"), words), "%s", reply.body);
    json_decref (json);
    cg_http_reply_clear (&reply);
    cr_assert_eq (cg_test_count_files (photos), before, "a refused upload left a file behind");
    cr_assert_eq (cg_teststack_refs (stack), reports);
}

Test (channels, grid_reports_carry_photos_that_only_the_case_s_viewers_see, .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up ("--set gateway/photo_max=65536 "
                                             "--set gateway/photos_max=3");
    char *worker = cg_http_token (stack, "grid_worker", S_GRID_A, "网格员李四");
    char *town_a = cg_http_token (stack, "operator", "320602001", "和平桥值班员");
    char *town_b = cg_http_token (stack, "operator", "320602002", "任港值班员");
    char *jpg = s_picture ("jpg", 40000, 1), *png = s_picture ("png", 3000, 2);
    char *heic = s_picture ("heic", 5000, 3);
    s_part_t report[] = {
        { "report_id", NULL, NULL, "APP-20261206-0001", 0 },
        { "grid", NULL, NULL, S_GRID_A, 0 }, { "category", NULL, NULL, "noise", 0 },
        { "text", NULL, NULL, S_LONG_TEXT, 0 },
        { "lat", NULL, NULL, "32.0321", 0 }, { "lon", NULL, NULL, "120.8712", 0 },
        { "photos", "IMG_0001.jpg", "image/jpeg", jpg, 40000 },
        { "photos", "IMG_0002.png", "image/png", png, 3000 },
        { "photos", "IMG_0003.heic", "image/heic", heic, 5000 } };
    size_t nreport = sizeof report / sizeof report[0];
    cg_http_reply_t reply = s_upload (stack, worker, report, nreport);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    json_t *first = json_loads (reply.body, 0, NULL);
    cg_http_reply_clear (&reply);
    char *id = strdup (s_str (first, "id"));
    json_t *paths = json_object_get (first, "photos");
    cr_assert_eq (json_array_size (paths), 3);
    char jpg_path[200];
    snprintf (jpg_path, sizeof jpg_path, "%s", json_string_value (json_array_get (paths, 0)));
    cr_assert (strstr (jpg_path, ".jpg"), "%s", jpg_path);

    /*  kept on disk by checksum, whole, nothing left in tmp/ */
    char dir[600];
    snprintf (dir, sizeof dir, "%s/photos", stack->dir);
    cr_assert_eq (cg_test_count_files (dir), 3);

    /*  a retry (the app did not hear the answer) is the same case */
    reply = s_upload (stack, worker, report, nreport);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    json_t *again = json_loads (reply.body, 0, NULL);
    cr_assert_str_eq (s_str (again, "id"), id);
    cr_assert (json_is_true (json_object_get (again, "repeat")));
    json_decref (again);
    cg_http_reply_clear (&reply);
    cr_assert_eq (cg_test_count_files (dir), 3);

    /*  the case lists its photos, where its viewers see them */
    char case_path[100];
    snprintf (case_path, sizeof case_path, "/api/v1/cases/%s", id);
    int status = 0;
    for (int i = 0; i < 100 && status != 200; i++) {
        json_t *c = cg_http_get_json (stack, case_path, town_a, &status);
        if (status == 200) {
            json_t *media = json_object_get (c, "media");
            cr_assert_eq (json_array_size (media), 3, "%s", json_dumps (c, 0));
            cr_assert_str_eq (json_string_value (json_array_get (media, 0)), jpg_path);
        }
        json_decref (c);
        if (status != 200)
            zclock_sleep (100);
    }
    cr_assert_eq (status, 200);

    /*  the case's viewers see the photo, byte for byte; another town and
        nobody without a token do not */
    cg_http (stack, &reply, "GET", jpg_path, town_a, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    cr_assert_str_eq (reply.content_type, "image/jpeg");
    cr_assert (reply.size == 40000 && memcmp (reply.body, jpg, 40000) == 0);
    cg_http_reply_clear (&reply);
    cg_http (stack, &reply, "GET", jpg_path, worker, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 200);
    cg_http_reply_clear (&reply);
    cg_http (stack, &reply, "GET", jpg_path, town_b, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 404, "%s", reply.body);
    cr_assert_null (strstr (reply.body, "JFIF"));
    cg_http_reply_clear (&reply);
    cg_http (stack, &reply, "GET", jpg_path, NULL, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 401);
    cg_http_reply_clear (&reply);
    /*  a photo of another case is not shown through this one */
    char other[300];
    snprintf (other, sizeof other, "/api/v1/cases/CG0000000999/%s", strstr (jpg_path, "photos/"));
    cg_http (stack, &reply, "GET", other, town_a, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 404, "%s", reply.body);
    cg_http_reply_clear (&reply);

    /*  bad input: each refused by field, nothing kept of it */
    s_part_t changed[9];
    memcpy (changed, report, sizeof changed);
    changed[3].data = "别的内容";
    s_refused_upload (stack, worker, changed, nreport, 409, "report_id", "other content");
    char *big = s_picture ("jpg", 70000, 4), *pdf = s_picture ("pdf", 2000, 5);
    /*  a report of its own with one more part each, and how it is refused */
    const struct {
        s_part_t extra;
        int status;
        const char *field, *words;
    } bad[] = {
        { { "photos", "big.jpg", "image/jpeg", big, 70000 }, 413, "photos", "65536" },
        { { "photos", "scan.jpg", "image/jpeg", pdf, 2000 }, 400, "photos", "not a JPEG" },
        { { "photos", "x.jpg", "image/jpeg", png, 3000 }, 400, "photos", "claims" },
        { { "photos", "../../etc/cron.d/x.jpg", "image/jpeg", jpg, 40000 }, 400, "photos",
          "path" },
        { { "worker", NULL, NULL, "someone-else", 0 }, 400, "worker", NULL },
        { { "grid", NULL, NULL, "320602002001001", 0 }, 403, "grid", NULL } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char ref[32];
        snprintf (ref, sizeof ref, "APP-BAD-%zu", i);
        s_part_t parts[5] = { report[0], report[1], report[2], report[3], bad[i].extra };
        parts[0].data = ref;
        if (strcmp (bad[i].extra.name, "grid") == 0)
            parts[1] = bad[i].extra;
        s_refused_upload (stack, worker, parts, strcmp (parts[1].data, S_GRID_A) ? 4 : 5,
                          bad[i].status, bad[i].field, bad[i].words);
    }
    s_part_t many[] = { report[0], report[1], report[2], report[3], report[6], report[7],
                        report[8], { "photos", "IMG_4.jpg", "image/jpeg", jpg, 40000 } };
    many[0].data = "APP-5";
    s_refused_upload (stack, worker, many, 8, 400, "photos", "at most 3");
    /*  an operator's token is not a grid worker's; a body that is no form
        is refused by its Content-Type; reports are POSTed */
    cg_http_refused (stack, "POST", "/api/v1/grid/reports", town_a, "x", 1, 403, "role");
    cg_http_refused (stack, "POST", "/api/v1/grid/reports", worker, "{}", 2, 415,
                     "Content-Type");
    cg_http_refused (stack, "GET", "/api/v1/grid/reports", worker, NULL, 0, 405, "method");

    /*  and the gateway keeps serving: a new report is taken */
    s_part_t next[] = { report[0], report[1], { "category", NULL, NULL, "street_light", 0 },
                        report[3], report[7] };
    next[0].data = "APP-9";
    reply = s_upload (stack, worker, next, 5);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    cg_http_reply_clear (&reply);
    cr_assert_eq (cg_test_count_files (dir), 3, "the same photo is one file");

    /*  another worker's report of the same problem joins the case, and its
        photo is the case's too */
    char *worker2 = cg_http_token (stack, "grid_worker", S_GRID_A, "网格员王五");
    char *more = s_picture ("jpg", 5000, 11);
    s_part_t joins[] = { report[0], report[1], report[2], report[3],
                         { "photos", "IMG_9.jpg", "image/jpeg", more, 5000 } };
    joins[0].data = "APP-10";
    reply = s_upload (stack, worker2, joins, 5);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    json_t *joined = json_loads (reply.body, 0, NULL);
    cg_http_reply_clear (&reply);
    cr_assert (json_is_true (json_object_get (joined, "merged")), "%s", json_dumps (joined, 0));
    cr_assert_str_eq (s_str (joined, "id"), id);
    const char *its = json_string_value (json_array_get (json_object_get (joined, "photos"), 0));
    cg_http (stack, &reply, "GET", its, town_a, NULL, NULL, 0, NULL);
    cr_assert_eq (reply.status, 200, "%s %s", its, reply.body);
    cr_assert (reply.size == 5000 && memcmp (reply.body, more, 5000) == 0);
    cg_http_reply_clear (&reply);
    json_t *shown = cg_http_get_json (stack, case_path, town_a, &status);
    json_t *media = json_object_get (shown, "media");
    cr_assert_eq (json_array_size (media), 4, "%s", json_dumps (shown, 0));
    cr_assert_str_eq (json_string_value (json_array_get (media, 3)), its);
    json_decref (shown);
    json_decref (joined);
    free (more);
    free (worker2);

    free (big);
    free (pdf);
    free (jpg);
    free (png);
    free (heic);
    free (id);
    json_decref (first);
    free (worker);
    free (town_a);
    free (town_b);
    cg_teststack_down (&stack);
}

/* --- satisfaction in three levels, and the citizens' SMS replies ------------- */

#define S_SMS_SECRET    "sms-gateway-secret"

/*  POSTs body to path signed as sender (header) with secret; the reply's
    JSON, its status in *status. */
static json_t *
s_signed (cg_teststack_t *stack, const char *path, const char *header, const char *sender,
          const char *secret, const char *body, int *status)
{
    char sig[CG_SIGN_HEX], h1[96], h2[64], h3[128];
    int64_t now = time (NULL);
    cg_sign (secret, now, body, strlen (body), sig);
    snprintf (h1, sizeof h1, "%s: %s", header, sender);
    snprintf (h2, sizeof h2, "X-CG-Timestamp: %lld", (long long) now);
    snprintf (h3, sizeof h3, "X-CG-Signature: %s", sig);
    const char *headers[] = { h1, h2, h3, NULL };
    cg_http_reply_t reply;
    cg_http (stack, &reply, "POST", path, NULL, headers, body, strlen (body),
             "application/json");
    *status = reply.status;
    json_t *json = json_loads (reply.body, 0, NULL);
    cr_assert (json, "not JSON: %s", reply.body);
    cg_http_reply_clear (&reply);
    return json;
}

/*  A citizen's SMS reply; its answer, asserted to have status. */
static json_t *
s_sms (cg_teststack_t *stack, const char *from, const char *text, const char *message_id,
       int want)
{
    char body[512];
    snprintf (body, sizeof body, "{\"from\":\"%s\",\"text\":\"%s\",\"message_id\":\"%s\"}", from,
              text, message_id);
    int status;
    json_t *answer = s_signed (stack, "/api/v1/sms/replies", "X-CG-SMS-Gateway", "sms1",
                               S_SMS_SECRET, body, &status);
    cr_assert_eq (status, want, "%s: %s", body, json_dumps (answer, 0));
    return answer;
}

/*  A case from the CLI with the citizen's phone, signed for and resolved;
    returns its id once the SMS asking for the rating went out. */
static char *
s_resolved (cg_teststack_t *stack, cg_testreceiver_t *rx, const char *category,
            const char *grid, const char *phone, const char *unit)
{
    char *out = cg_testcli (stack, 0, "submit --source hotline --ext-ref R-%s --category %s "
                            "--grid %s --text '%s' --phone %s", phone, category, grid,
                            S_LONG_TEXT, phone);
    char id[40] = "";
    sscanf (out, "%39s", id);
    free (out);
    cr_assert_eq (cg_teststack_await (stack, 1, 60000, "EXISTS cg:{dispatch}:case:%s", id), 1);
    char actor[96];
    snprintf (actor, sizeof actor, "--actor unit:%s:李", unit);
    s_act (stack, "accept", id, actor);
    char args[160];
    snprintf (args, sizeof args, "--result 已处理完毕 %s", actor);
    s_act (stack, "resolve", id, args);
    char to[64];
    snprintf (to, sizeof to, "\"to\":\"%s\"", phone);
    cr_assert_eq (cg_testreceiver_await (rx, 1, "/sms/send", to, "满意"), 1);
    return strdup (id);
}

Test (channels, satisfaction_in_three_levels_from_operators_and_sms_replies, .timeout = 240)
{
    cg_testreceiver_t rx;
    cg_teststack_t *stack = s_notify_stack (&rx, "--set gateway/sms/sms1=" S_SMS_SECRET);
    char *a = s_resolved (stack, &rx, "noise", S_GRID_A, "13912345678", "320602001-huanbao");
    char *b = s_resolved (stack, &rx, "street_light", S_GRID_B, "13800000009",
                          "320602002-chengguan");

    /*  2: 基本满意, which closes the case and says so in its timeline */
    json_t *r = s_sms (stack, "139 1234 5678", " 2 ", "m-1", 200);
    cr_assert (json_is_true (json_object_get (r, "recorded")), "%s", json_dumps (r, 0));
    cr_assert_str_eq (s_str (r, "case"), a);
    cr_assert_str_eq (s_str (r, "satisfaction"), "basically_satisfied");
    cr_assert_str_eq (s_str (r, "state"), "closed");
    json_decref (r);
    char *city = cg_http_token (stack, "admin", "320600", "市管理员");
    char path[128];
    int status;
    snprintf (path, sizeof path, "/api/v1/cases/%s", a);
    json_t *c = cg_http_get_json (stack, path, city, &status);
    cr_assert_str_eq (s_str (c, "satisfaction"), "basically_satisfied");
    json_t *steps = json_object_get (c, "steps");
    cr_assert (strstr (s_str (json_array_get (steps, json_array_size (steps) - 1), "note"),
                       "回访：基本满意"), "%s", json_dumps (steps, 0));
    json_decref (c);
    /*  the same message again, or a second answer: recorded once */
    r = s_sms (stack, "13912345678", "1", "m-1", 200);
    cr_assert (json_is_false (json_object_get (r, "recorded")));
    cr_assert_str_eq (s_str (r, "reason"), "not_awaiting_rating");
    json_decref (r);

    /*  what is not a rating is ignored, with the reason */
    r = s_sms (stack, "13800000009", "谢谢，路灯已经亮了", "m-2", 200);
    cr_assert (json_is_false (json_object_get (r, "recorded")));
    cr_assert_str_eq (s_str (r, "reason"), "not_a_rating");
    json_decref (r);
    /*  an operator's callback names a level too; a level that is none is refused */
    snprintf (path, sizeof path, "/api/v1/cases/%s/callback", b);
    json_decref (cg_http_post_json (stack, path, city, "{\"satisfaction\":\"非常满意\"}", &status));
    cr_assert_eq (status, 400);
    /*  3: 不满意, which sends the case back to be redone */
    r = s_sms (stack, "+86 138 0000 0009", "3", "m-3", 200);
    cr_assert (json_is_true (json_object_get (r, "recorded")), "%s", json_dumps (r, 0));
    cr_assert_str_eq (s_str (r, "state"), "dispatched");
    json_decref (r);

    /*  a number never asked, a bad number, a bad signature: refused by field */
    r = s_sms (stack, "13700000000", "1", "m-4", 404);
    cr_assert_str_eq (s_str (json_object_get (r, "error"), "field"), "from");
    json_decref (r);
    r = s_sms (stack, "not-a-phone", "1", "m-5", 400);
    cr_assert_str_eq (s_str (json_object_get (r, "error"), "field"), "from");
    json_decref (r);
    r = s_signed (stack, "/api/v1/sms/replies", "X-CG-SMS-Gateway", "sms1", "wrong",
                  "{\"from\":\"13912345678\",\"text\":\"1\"}", &status);
    cr_assert_eq (status, 401);
    cr_assert_str_eq (s_str (json_object_get (r, "error"), "field"), "X-CG-Signature");
    json_decref (r);

    /*  statistics count each level */
    char today[16], query[160];
    time_t local = time (NULL) + 8 * 3600;
    strftime (today, sizeof today, "%Y-%m-%d", gmtime (&local));
    snprintf (query, sizeof query, "/api/v1/stats?scope=320602&from=%s&to=%s", today, today);
    json_t *stats = cg_http_get_json (stack, query, city, &status);
    cr_assert_eq (status, 200, "%s", json_dumps (stats, 0));
    json_t *total = json_array_get (json_object_get (stats, "rows"), 0);
    cr_assert_str_eq (s_str (total, "by"), "total");
    cr_assert_eq (json_integer_value (json_object_get (total, "callbacks")), 2);
    cr_assert_eq (json_integer_value (json_object_get (total, "basically_satisfied")), 1);
    cr_assert_eq (json_integer_value (json_object_get (total, "satisfied")), 0);
    cr_assert_eq (json_integer_value (json_object_get (total, "redone")), 1);
    json_decref (stats);
    /*  the CLI: 满意率 0 of 2, 基本满意 1 of 2 */
    char *out = cg_testcli (stack, 0, "stats --scope 320602 --from %s --to %s", today, today);
    char *row = strstr (out, "\ntotal");
    cr_assert (strstr (out, "基本满意") && row && strstr (row, " 0.0%   50.0%"), "%s", out);
    free (out);
    free (city);
    free (a);
    free (b);
    cg_teststack_down (&stack);
    cg_testreceiver_stop (&rx);
}

Test (channels, a_report_sent_while_intake_is_down_keeps_nothing_and_its_retry_keeps_it_once,
      .timeout = 180)
{
    cg_teststack_t *stack = cg_teststack_up (NULL);
    char *worker = cg_http_token (stack, "grid_worker", S_GRID_A, "网格员李四");
    char *jpg = s_picture ("jpg", 30000, 9);
    s_part_t report[] = {
        { "report_id", NULL, NULL, "APP-K9-1", 0 }, { "grid", NULL, NULL, S_GRID_A, 0 },
        { "category", NULL, NULL, "noise", 0 }, { "text", NULL, NULL, S_LONG_TEXT, 0 },
        { "photos", "IMG_0001.jpg", "image/jpeg", jpg, 30000 } };
    char dir[600];
    snprintf (dir, sizeof dir, "%s/photos", stack->dir);

    /*  intake is killed: the gateway answers 503 and keeps no photo */
    cg_teststack_kill9 (stack, "intake");
    cg_http_reply_t reply = s_upload (stack, worker, report, 5);
    cr_assert_eq (reply.status, 503, "%s", reply.body);
    cg_http_reply_clear (&reply);
    cr_assert_eq (cg_test_count_files (dir), 0, "a report intake never took left a photo");

    /*  the app retries once intake is back: one case, one photo, and a
        second retry is the same case */
    cg_teststack_restart (stack);
    reply = s_upload (stack, worker, report, 5);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    json_t *first = json_loads (reply.body, 0, NULL);
    cg_http_reply_clear (&reply);
    reply = s_upload (stack, worker, report, 5);
    cr_assert_eq (reply.status, 200, "%s", reply.body);
    json_t *again = json_loads (reply.body, 0, NULL);
    cg_http_reply_clear (&reply);
    cr_assert_str_eq (s_str (again, "id"), s_str (first, "id"));
    cr_assert (json_is_true (json_object_get (again, "repeat")));
    cr_assert_eq (cg_test_count_files (dir), 1);
    cr_assert_eq (cg_teststack_refs (stack), 1);
    json_decref (first);
    json_decref (again);
    free (jpg);
    free (worker);
    cg_teststack_down (&stack);
}
