/*  test_powers - unit tests for cg_powers (a village's list of small and
    micro powers), cg_qr (its QR codes) and the receipts of reports
    (cg_privacy_receipt).

    Loads the shipped demo lists, then writes one small broken file per
    refusal and checks the exact "path:LINE: reason" message; checks which
    new version may supersede an old one; checks that the PNG and the SVG
    of a code draw the same modules at the size asked for; and that a
    receipt names its case, and a receipt changed in one digit names none.
*/
#include "cg_powers.h"
#include "cg_privacy.h"
#include "cg_qr.h"
#include "cg_testfile.h"
#include "cg_text.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define S_AREA  "320612005003"

static cg_powers_t *
s_load (const char *name, const char *content)
{
    char *path = cg_testfile_write (name, content, strlen (content));
    char err[512] = "";
    cg_powers_t *list = cg_powers_load (path, err, sizeof err);
    cr_assert_not_null (list, "%s", err);
    cg_testfile_remove (&path);
    return list;
}

static void *
s_powers (const char *path, char *err, size_t errlen)
{
    return cg_powers_load (path, err, errlen);
}

/*  The file, named name, refused with "path:LINE: reason" (LINE 0:
    "path: reason"). */
static void
s_refused (const char *name, const char *content, int lineno, const char *reason)
{
    cg_testfile_refused_as (s_powers, name, content, strlen (content), (size_t) lineno, reason);
}

#define S_V1    "version\t1\n"
#define S_P01   "power\tp01\tactive\t村级工程项目\t村民委员会\t30个工作日\t《村民委员会组织法》第二十四条\n" \
                "step\t村两委提议\nstep\t村民代表会议决定\n"
#define S_P02   "power\tp02\tactive\t低保评议\t村民委员会\t10个工作日\t《社会救助暂行办法》\n" \
                "step\t民主评议\n"

Test (powers, the_demo_lists_load)
{
    char *path = cg_testfile_demo ("powers/" S_AREA ".tsv");
    char err[512] = "";
    cg_powers_t *list = cg_powers_load (path, err, sizeof err);
    cr_assert_not_null (list, "%s", err);
    cr_assert_str_eq (cg_powers_area (list), S_AREA);
    cr_assert_eq (cg_powers_version (list), 2);
    cr_assert_eq (cg_powers_size (list), 8);
    const cg_power_t *works = cg_powers_find (list, "p01");
    cr_assert_str_eq (works->matter, "村级工程项目建设");
    cr_assert_eq (works->nsteps, 6);
    cr_assert_not (works->withdrawn);
    cr_assert (cg_powers_find (list, "p08")->withdrawn);
    cr_assert_null (cg_powers_find (list, "p99"));
    cr_assert_null (cg_powers_at (list, 8));
    cg_powers_destroy (&list);
    cg_powers_destroy (&list);
    free (path);
}

Test (powers, each_broken_file_is_refused_naming_line_and_field)
{
    s_refused ("12345.tsv", S_V1, 0, "the file's name must be the area's code (6 to 15 digits) "
               "and an extension, like 320612005003.tsv");
    s_refused (S_AREA ".tsv", "", 0, "the list is empty: not even its version");
    s_refused (S_AREA ".tsv", S_P01, 1, "the first line must be the list's version: "
               "version<TAB>a number from 1 to 999999");
    s_refused (S_AREA ".tsv", "version\t0\n", 1, "the first line must be the list's version: "
               "version<TAB>a number from 1 to 999999");
    s_refused (S_AREA ".tsv", S_V1 "step\t先有步骤\n", 2, "a step must follow its power");
    s_refused (S_AREA ".tsv", S_V1 "power\tp01\tactive\t工程\n", 2, "a power has 7 columns "
               "(power, code, status, matter, holder, time_limit, basis), found 4");
    s_refused (S_AREA ".tsv", S_V1 "power\tP-1\tactive\t工程\t村委会\t30日\t依据\n", 2,
               "code 'P-1' must be a lowercase ASCII identifier of at most 16 bytes");
    s_refused (S_AREA ".tsv", S_V1 S_P01 "power\tp01\tactive\t工程\t村委会\t30日\t依据\n", 5,
               "code p01 is already on line 2");
    s_refused (S_AREA ".tsv", S_V1 "power\tp01\tpaused\t工程\t村委会\t30日\t依据\n", 2,
               "status 'paused' is not active or withdrawn");
    s_refused (S_AREA ".tsv", S_V1 "power\tp01\tactive\t\t村委会\t30日\t依据\n", 2,
               "matter is empty");
    s_refused (S_AREA ".tsv", S_V1 "power\tp01\tactive\t工程\t村\x0b委会\t30日\t依据\n", 2,
               "holder holds a control character");
    s_refused (S_AREA ".tsv", S_V1 S_P01 "step\t\n", 5, "step is empty");
    s_refused (S_AREA ".tsv", S_V1 S_P01 S_P02 "power\tp03\tactive\t工程\t村委会\t30日\t依据\n",
               7, "power p03 has no steps");
    s_refused (S_AREA ".tsv", S_V1 "vote\tp01\n", 2, "a line is version, power or step, not 'vote'");
    char *many = cg_strfmt (S_V1 "power\tp01\tactive\t工程\t村委会\t30日\t依据\n%s",
                            "step\t一步\nstep\t一步\nstep\t一步\nstep\t一步\nstep\t一步\n"
                            "step\t一步\nstep\t一步\nstep\t一步\nstep\t一步\nstep\t一步\n"
                            "step\t一步\nstep\t一步\nstep\t多一步\n");
    s_refused (S_AREA ".tsv", many, 15, "power p01 has more than 12 steps");
    free (many);
}

Test (powers, a_new_version_supersedes_and_keeps_every_item)
{
    cg_powers_t *v1 = s_load (S_AREA ".tsv", S_V1 S_P01 S_P02);
    cg_powers_t *same = s_load (S_AREA ".tsv", S_V1 S_P01 S_P02);
    cg_powers_t *dropped = s_load (S_AREA ".tsv", "version\t2\n" S_P01);
    cg_powers_t *withdrawn = s_load (S_AREA ".tsv", "version\t2\n" S_P01
        "power\tp02\twithdrawn\t低保评议\t村民委员会\t10个工作日\t《社会救助暂行办法》\n"
        "step\t已撤销\n");
    char err[512] = "";
    cr_assert_eq (cg_powers_supersedes (same, v1, "f.tsv", err, sizeof err), -1);
    cr_assert_str_eq (err, "f.tsv: version 1 does not supersede the loaded version 1");
    cr_assert_eq (cg_powers_supersedes (dropped, v1, "f.tsv", err, sizeof err), -1);
    cr_assert_str_eq (err, "f.tsv: power p02 of version 1 is missing: withdraw it (status "
                      "withdrawn) rather than drop it, its QR code is printed");
    cr_assert_eq (cg_powers_supersedes (withdrawn, v1, "f.tsv", err, sizeof err), 0);
    cr_assert (cg_powers_find (withdrawn, "p02")->withdrawn);
    cg_powers_destroy (&v1);
    cg_powers_destroy (&same);
    cg_powers_destroy (&dropped);
    cg_powers_destroy (&withdrawn);
}

Test (powers, the_url_a_code_carries)
{
    char *url = cg_powers_url ("https://12345.example.gov.cn", S_AREA, "p01");
    cr_assert_str_eq (url, "https://12345.example.gov.cn/public/?area=" S_AREA "&power=p01");
    free (url);
}

static uint32_t
s_be32 (const unsigned char *at)
{
    return (uint32_t) at[0] << 24 | (uint32_t) at[1] << 16 | (uint32_t) at[2] << 8 | at[3];
}

Test (qr, png_and_svg_draw_the_same_code_at_the_size_asked)
{
    cg_qr_t *qr = cg_qr_new ("http://127.0.0.1:8311/public/?area=" S_AREA "&power=p01");
    cr_assert_not_null (qr);
    int w = cg_qr_width (qr);
    cr_assert (w >= 21 && (w - 21) % 4 == 0, "a QR code is 21 + 4k modules, not %d", w);
    size_t size = 0;
    unsigned char *png = cg_qr_png (qr, 8, &size);
    cr_assert_not_null (png);
    cr_assert_eq (memcmp (png, "\x89PNG\r\n\x1a\n", 8), 0);
    cr_assert_eq (memcmp (png + 12, "IHDR", 4), 0);
    cr_assert_eq (s_be32 (png + 16), (uint32_t) (w + 2 * CG_QR_QUIET) * 8);
    cr_assert_eq (s_be32 (png + 20), (uint32_t) (w + 2 * CG_QR_QUIET) * 8);
    cr_assert_eq (memcmp (png + size - 8, "IEND", 4), 0);
    free (png);
    cr_assert_null (cg_qr_png (qr, 0, &size));
    //  the SVG: one square per dark module, where the module is
    char *svg = cg_qr_svg (qr);
    int dark = 0;
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (cg_qr_dark (qr, x, y)) {
                char square[32];
                snprintf (square, sizeof square, "M%d %dh1v1h-1z", x + CG_QR_QUIET, y + CG_QR_QUIET);
                cr_assert_not_null (strstr (svg, square), "module %d,%d", x, y);
                dark++;
            }
    int squares = 0;
    for (const char *at = svg; (at = strstr (at, "h1v1h-1z")); at++)
        squares++;
    cr_assert_eq (squares, dark);
    cr_assert_not_null (strstr (svg, "<title>http://127.0.0.1:8311/public/?area=" S_AREA
                                "&amp;power=p01</title>"));
    free (svg);
    cg_qr_destroy (&qr);
    cg_qr_destroy (&qr);
    char big[CG_QR_TEXT_MAX + 2];
    memset (big, 'a', sizeof big - 1);
    big[sizeof big - 1] = 0;
    cr_assert_null (cg_qr_new (big));
    cr_assert_null (cg_qr_new (""));
}

Test (receipt, names_its_case_and_only_with_the_key)
{
    char key[65], other[65];
    cg_privacy_new_key (key);
    cg_privacy_new_key (other);
    cg_privacy_t *privacy = cg_privacy_new (key), *stranger = cg_privacy_new (other);
    char receipt[64], again[64], id[33];
    cg_privacy_receipt (privacy, "CG0000000042", receipt, sizeof receipt);
    cg_privacy_receipt (privacy, "CG0000000042", again, sizeof again);
    cr_assert_str_eq (receipt, again, "the same case, the same receipt: a retry is one report");
    cr_assert_eq (strlen (receipt), strlen ("CG0000000042-") + 10);
    cr_assert_eq (cg_privacy_receipt_case (privacy, receipt, id, sizeof id), 0);
    cr_assert_str_eq (id, "CG0000000042");
    cr_assert_eq (cg_privacy_receipt_case (stranger, receipt, id, sizeof id), -1);
    char *guessed = cg_strdup (receipt);
    memcpy (guessed, "CG0000000043", 12);
    cr_assert_eq (cg_privacy_receipt_case (privacy, guessed, id, sizeof id), -1,
                  "a neighbour's case number with this check opens nothing");
    cr_assert_eq (cg_privacy_receipt_case (privacy, "CG0000000042", id, sizeof id), -1);
    cr_assert_eq (cg_privacy_receipt_case (privacy, "-0123456789", id, sizeof id), -1);
    free (guessed);
    cg_privacy_destroy (&privacy);
    cg_privacy_destroy (&stranger);
}
