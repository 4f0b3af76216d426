/*  Small and micro powers (小微权力清单) and supervision by QR code (码上监督),
    over real HTTP against a real stack whose lists are a folder of the
    test's (a copy of the demo's): a village's list and one power are read
    without a token; the power's QR code is a PNG of the size its modules
    make and an SVG of the same modules, and both the gateway's PNG and the
    one `civgrid powers qr` prints decode (zbarimg) to the address that
    opens the public page at the power.  A resident reports misuse
    anonymously, in 1,500 bytes of Chinese pasted from Word: the report is
    a case at the power's village, routed to the town's discipline office
    (纪检监察办公室) and not to the village committee that holds the power,
    while the village's affairs supervision committee (村务监督委员会) is
    told of it (notification, the demo's directory);
    Word's line break is gone from its text, no contact is kept, the audit
    log (which keeps addresses) has no entry of it, and the
    receipt shows its progress and the office and nothing of the text.  A
    withdrawn power has no code and takes no report (410), an unknown one
    is 404, an oversize text 400, each naming the field; a third report on
    one power from one address within a minute is 429 while another power
    still takes one; a receipt changed in one digit opens nothing.  Then
    the village publishes version 3 (a new power): `civgrid powers load`
    supersedes version 2 and the public list shows it; a version 4 that
    drops a power is refused naming it, and version 3 stays. */
#include <criterion/criterion.h>
#include "cg_testhttp.h"
#include "cg_qr.h"
#include "cg_text.h"

#include <sys/stat.h>
#include <unistd.h>

#define S_AREA      "320612005003"          /* 西亭镇通江村 */
#define S_OFFICE    "320612005-jijian"      /* 西亭镇纪检监察办公室 */
#define S_LISTS     "/powers"

static const char *
s_field (json_t *reply)
{
    return json_string_value (json_object_get (json_object_get (reply, "error"), "field"));
}

static json_t *
s_get (cg_teststack_t *stack, const char *path, int want)
{
    int status;
    json_t *reply = cg_http_get_json (stack, path, NULL, &status);
    char *text = json_dumps (reply, 0);
    cr_assert_eq (status, want, "GET %s answered %d: %s", path, status, text);
    free (text);
    return reply;
}

static json_t *
s_report (cg_teststack_t *stack, const char *code, const char *body, int want)
{
    char *path = cg_strfmt ("/api/v1/public/powers/" S_AREA "/%s/reports", code);
    int status;
    json_t *reply = cg_http_post_json (stack, path, NULL, body, &status);
    char *text = json_dumps (reply, 0);
    cr_assert_eq (status, want, "POST %s answered %d: %s", path, status, text);
    free (text);
    free (path);
    return reply;
}

/*  What zbarimg reads in the image at path, or "" when it is not installed. */
static char *
s_decode (const char *path)
{
    char out[1024] = "";
    if (cg_test_shell (out, sizeof out, "command -v zbarimg >/dev/null || exit 99; "
                       "(zbarimg -q --raw %s 2>/dev/null)", path) == 99)
        return cg_strdup ("");
    out[strcspn (out, "\n")] = 0;
    return cg_strdup (out);
}

/*  Writes a village's list, version v, into the stack's folder of lists:
    the demo's p01..p07, p08 withdrawn, and with extra rows appended;
    without p01 when drop. */
static void
s_publish (const char *dir, int v, const char *extra, bool drop)
{
    char out[256];
    int rc = cg_test_shell (out, sizeof out, "sed -e 's/^version\t2/version\t%d/' %s "
                            "%s/deploy/demo/powers/" S_AREA ".tsv > %s" S_LISTS "/" S_AREA ".tsv",
                            v, drop ? "-e '/^power\tp01/,/^power\tp02/{/^power\tp02/!d}'" : "",
                            cg_test_root (), dir);
    cr_assert_eq (rc, 0, "%s", out);
    if (extra) {
        char *path = cg_strfmt ("%s" S_LISTS "/" S_AREA ".tsv", dir);
        FILE *f = fopen (path, "a");
        fputs (extra, f);
        fclose (f);
        free (path);
    }
}

Test (powers, read_scanned_reported_followed_and_refused_over_http, .timeout = 240)
{
    char dir[512];
    snprintf (dir, sizeof dir, "%s/powers.%d", getenv ("CG_TEST_TMP"), getpid ());
    char lists[600];
    snprintf (lists, sizeof lists, "%s" S_LISTS, dir);
    cr_assert_eq (mkdir (dir, 0700) || mkdir (lists, 0700), 0);
    s_publish (dir, 2, NULL, false);
    /*  notification with the demo's people: the village's committee */
    char out_cp[256];
    cr_assert_eq (cg_test_shell (out_cp, sizeof out_cp, "cp -r %s/deploy/notify %s/notify && sed -i "
                                 "'s/^directory = \"\"/directory = \"directory.demo.tsv\"/' "
                                 "%s/notify/notify.cfg", cg_test_root (), dir, dir), 0, "%s", out_cp);
    char *extra = cg_strfmt ("--set data/powers=%s" S_LISTS " --set data/notify=%s/notify", dir, dir);
    cg_teststack_t *stack = cg_teststack_up (extra);
    free (extra);

    /*  the list and a power, without a token */
    json_t *list = s_get (stack, "/api/v1/public/powers/" S_AREA, 200);
    cr_assert_str_eq (json_string_value (json_object_get (list, "name")), "西亭镇通江村");
    cr_assert_eq (json_integer_value (json_object_get (list, "version")), 2);
    json_t *items = json_object_get (list, "items");
    cr_assert_eq (json_array_size (items), 8);
    cr_assert_str_eq (json_string_value (json_object_get (json_array_get (items, 7), "status")),
                      "withdrawn");
    json_decref (list);
    json_t *power = s_get (stack, "/api/v1/public/powers/" S_AREA "/p02", 200);
    cr_assert_str_eq (json_string_value (json_object_get (power, "matter")), "最低生活保障评议");
    cr_assert_eq (json_array_size (json_object_get (power, "steps")), 5);
    char *url = cg_strdup (json_string_value (json_object_get (power, "url")));
    json_decref (power);
    char base[128];
    cg_http_base (stack, base, sizeof base);
    cr_assert (strncmp (url, base, strlen (base)) == 0
               && strcmp (url + strlen (base), "/public/?area=" S_AREA "&power=p02") == 0, "%s", url);

    /*  its QR code: a PNG of (modules + quiet zone) × 8 pixels, an SVG of
        the same modules, both decoding to the page's address */
    cg_qr_t *qr = cg_qr_new (url);
    int side = (cg_qr_width (qr) + 2 * CG_QR_QUIET) * 8;
    cg_http_reply_t png;
    cg_http (stack, &png, "GET", "/api/v1/public/powers/" S_AREA "/p02.png", NULL, NULL, NULL,
             0, NULL);
    cr_assert_eq (png.status, 200);
    cr_assert_str_eq (png.content_type, "image/png");
    const unsigned char *b = (const unsigned char *) png.body;
    cr_assert_eq (memcmp (b, "\x89PNG\r\n\x1a\n", 8), 0);
    cr_assert_eq ((b[16] << 24 | b[17] << 16 | b[18] << 8 | b[19]), side);
    char *file = cg_strfmt ("%s/p02.png", dir);
    FILE *f = fopen (file, "wb");
    fwrite (png.body, 1, png.size, f);
    fclose (f);
    char *read = s_decode (file);
    cr_assert (!*read || strcmp (read, url) == 0, "the code reads %s, not %s", read, url);
    free (read);
    cg_http_reply_clear (&png);
    cg_http_reply_t svg;
    cg_http (stack, &svg, "GET", "/api/v1/public/powers/" S_AREA "/p02.svg", NULL, NULL, NULL,
             0, NULL);
    cr_assert_eq (svg.status, 200);
    cr_assert_str_eq (svg.content_type, "image/svg+xml");
    int dark = 0, squares = 0;
    for (int y = 0; y < cg_qr_width (qr); y++)
        for (int x = 0; x < cg_qr_width (qr); x++)
            dark += cg_qr_dark (qr, x, y);
    for (const char *at = svg.body; (at = strstr (at, "h1v1h-1z")); at++)
        squares++;
    cr_assert_eq (squares, dark, "the SVG has a square per dark module");
    cg_http_reply_clear (&svg);
    cg_qr_destroy (&qr);

    /*  the CLI prints the same code */
    char *printed = cg_strfmt ("%s/p02-cli.png", dir);
    cr_assert_eq (cg_teststack_cli (stack, NULL, "powers qr " S_AREA " p02 --out %s", printed), 0);
    read = s_decode (printed);
    cr_assert (!*read || strcmp (read, url) == 0, "the CLI's code reads %s", read);
    free (read);
    free (printed);

    /*  an anonymous report, 1,500 bytes of Chinese with Word's line break */
    char text[2048] = "村委会主任在今年低保评议时没有召开民主评议会议，\\u000b直接把两个名额报给了自己的亲属。";
    while (strlen (text) < 1500)
        strcat (text, "村务公开栏也没有公示评议结果，村民询问时说已经报到镇里。");
    char *body = cg_strfmt ("{\"text\": \"%s\"}", text);
    json_t *taken = s_report (stack, "p02", body, 201);
    free (body);
    char *receipt = cg_strdup (json_string_value (json_object_get (taken, "receipt")));
    json_decref (taken);
    char id[33];
    snprintf (id, sizeof id, "%.*s", (int) strcspn (receipt, "-"), receipt);
    char *out = NULL;
    for (int i = 0; i < 100; i++) {
        free (out);
        out = NULL;
        if (cg_teststack_cli (stack, &out, "case show %s --json", id) == 0)
            break;
        zclock_sleep (100);
    }
    json_t *c = json_loads (out ? out : "", 0, NULL);
    cr_assert_not_null (c, "case show %s: %s", id, out);
    free (out);
    cr_assert_str_eq (json_string_value (json_object_get (c, "unit")), S_OFFICE,
                      "the report goes to the town's discipline office");
    cr_assert_str_eq (json_string_value (json_object_get (c, "category")), "power_misuse");
    const char *kept = json_string_value (json_object_get (c, "text"));
    cr_assert (strstr (kept, "最低生活保障评议") && !strchr (kept, '\v'), "%s", kept);
    cr_assert_null (json_object_get (c, "contact"), "an anonymous report keeps no contact");
    json_decref (c);
    /*  an anonymous report leaves no trace of where it came from: the
        gateway's audit log (which keeps addresses) has no entry of it */
    redisReply *audit = cg_redis_command (stack->redis, "XRANGE cg:{gateway}:audit - +");
    cr_assert (audit && audit->type == REDIS_REPLY_ARRAY);
    for (size_t i = 0; i < audit->elements; i++) {
        redisReply *kv = audit->element[i]->element[1];
        for (size_t k = 0; k < kv->elements; k++)
            cr_assert (!strstr (kv->element[k]->str, "power.report"), "the report was audited");
    }
    freeReplyObject (audit);

    /*  the village's affairs supervision committee is told, the office has
        it in its inbox, and no one else hears of it */
    char *told = NULL;
    for (int i = 0; i < 100; i++) {
        free (told);
        told = NULL;
        cg_teststack_cli (stack, &told, "notify log --json");
        if (told && strstr (told, "person:tj-jd01") && strstr (told, "unit:" S_OFFICE))
            break;
        zclock_sleep (100);
    }
    cr_assert (told && strstr (told, ":case.received:person:tj-jd01")
               && strstr (told, ":case.dispatched:unit:" S_OFFICE), "%s", told);
    json_t *log = json_loads (told, 0, NULL);
    cr_assert_eq (json_array_size (json_object_get (log, "attempts")), 2, "%s", told);
    json_decref (log);
    free (told);
    char *path = cg_strfmt ("/api/v1/public/receipts/%s", receipt);
    json_t *progress = s_get (stack, path, 200);
    cr_assert_str_eq (json_string_value (json_object_get (progress, "office")), "西亭镇纪检监察办公室");
    cr_assert_str_eq (json_string_value (json_object_get (progress, "state")), "dispatched");
    char *shown = json_dumps (progress, 0);
    cr_assert (!strstr (shown, "亲属") && !json_object_get (progress, "text")
               && !json_object_get (progress, "contact"), "the receipt shows no more: %s", shown);
    free (shown);
    json_decref (progress);
    free (path);
    receipt[strlen (receipt) - 1] = receipt[strlen (receipt) - 1] == '0' ? '1' : '0';
    path = cg_strfmt ("/api/v1/public/receipts/%s", receipt);
    json_t *refused = s_get (stack, path, 404);
    cr_assert_str_eq (s_field (refused), "receipt");
    json_decref (refused);
    free (path);
    free (receipt);

    /*  refusals, each naming its field */
    struct { const char *path; int status; const char *field; } bad[] = {
        { "/api/v1/public/powers/" S_AREA "/p08.png", 410, "code" },
        { "/api/v1/public/powers/" S_AREA "/p99", 404, "code" },
        { "/api/v1/public/powers/" S_AREA "/p99.svg", 404, "code" },
        { "/api/v1/public/powers/320612005001", 404, "area" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        refused = s_get (stack, bad[i].path, bad[i].status);
        cr_assert_str_eq (s_field (refused), bad[i].field, "%s", bad[i].path);
        json_decref (refused);
    }
    refused = s_report (stack, "p08", "{\"text\": \"已撤销的事项\"}", 410);
    cr_assert_str_eq (s_field (refused), "code");
    json_decref (refused);
    char huge[4200] = "{\"text\": \"";
    while (strlen (huge) < 4050)
        strcat (huge, "超");
    strcat (huge, "\"}");
    refused = s_report (stack, "p03", huge, 400);
    cr_assert_str_eq (s_field (refused), "text");
    json_decref (refused);
    /*  the longest report taken: 1,199 characters, whole in its case after
        the power it is about */
    char longest[3700] = "{\"text\": \"";
    for (int i = 0; i < 1199; i++)
        strcat (longest, "长");
    strcat (longest, "\"}");
    taken = s_report (stack, "p04", longest, 201);
    snprintf (id, sizeof id, "%.*s", (int) strcspn (json_string_value (json_object_get (taken,
              "receipt")), "-"), json_string_value (json_object_get (taken, "receipt")));
    json_decref (taken);
    out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "case show %s --json", id), 0, "%s", out);
    c = json_loads (out, 0, NULL);
    kept = json_string_value (json_object_get (c, "text"));
    cr_assert (strstr (kept, "集体资产资源发包出租") && strlen (kept) > 3597 && strlen (kept) <= 4000,
               "%zu bytes", strlen (kept));
    json_decref (c);
    free (out);
    json_decref (s_report (stack, "p05", "{\"text\": \"财务支出没有村务监督委员会签字\"}", 201));
    json_decref (s_report (stack, "p05", "{\"text\": \"财务支出没有村务监督委员会签字\"}", 201));
    refused = s_report (stack, "p05", "{\"text\": \"财务支出没有村务监督委员会签字\"}", 429);
    cr_assert_str_eq (s_field (refused), "code");
    json_decref (refused);
    json_decref (s_report (stack, "p06", "{\"text\": \"临时救助金被截留\", "
                           "\"contact_name\": \"王秀英\", \"contact_phone\": \"13912345678\"}", 201));

    /*  published: each power's reports, and this year's outcomes in the
        village's town (this stack's only reports) */
    json_t *outcomes = NULL;
    for (int i = 0; i < 100; i++) {
        list = s_get (stack, "/api/v1/public/powers/" S_AREA, 200);
        outcomes = json_object_get (list, "outcomes");
        if (json_integer_value (json_object_get (outcomes, "received")) == 5)
            break;
        json_decref (list);
        list = NULL;
        zclock_sleep (100);
    }
    cr_assert_not_null (list, "the town's outcomes count the 5 reports");
    cr_assert_str_eq (json_string_value (json_object_get (outcomes, "town_name")), "西亭镇");
    items = json_object_get (list, "items");
    int64_t want[] = { 0, 1, 0, 1, 2, 1, 0, 0 };
    for (size_t i = 0; i < 8; i++)
        cr_assert_eq (json_integer_value (json_object_get (json_array_get (items, i), "reports")),
                      want[i], "p0%zu's reports", i + 1);
    cr_assert_eq (json_integer_value (json_object_get (outcomes, "resolved")), 0);
    json_decref (list);

    /*  version 3 adds a power and supersedes version 2; a version 4 that
        drops one is refused naming it, and version 3 stays */
    s_publish (dir, 3, "power\tp09\tactive\t村级公益事业一事一议\t村民委员会\t方案公示后15个工作日"
               "\t《村民一事一议筹资筹劳管理办法》\nstep\t村民会议或村民代表会议讨论决定\n", false);
    out = NULL;
    cr_assert_eq (cg_teststack_cli (stack, &out, "powers load"), 0, "%s", out);
    cr_assert (strstr (out, "1 lists superseded"), "%s", out);
    free (out);
    list = s_get (stack, "/api/v1/public/powers/" S_AREA, 200);
    cr_assert_eq (json_integer_value (json_object_get (list, "version")), 3);
    cr_assert_eq (json_array_size (json_object_get (list, "items")), 9);
    json_decref (list);
    s_publish (dir, 4, NULL, true);
    out = NULL;
    cr_assert_neq (cg_teststack_cli (stack, &out, "powers load"), 0, "%s", out);
    cr_assert (strstr (out, "power p01 of version 3 is missing"), "%s", out);
    free (out);
    list = s_get (stack, "/api/v1/public/powers/" S_AREA, 200);
    cr_assert_eq (json_integer_value (json_object_get (list, "version")), 3);
    json_decref (list);

    free (url);
    free (file);
    cg_teststack_down (&stack);
}
