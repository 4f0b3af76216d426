/*  Photos kept by their content (cg_photo.h) and the three levels of
    satisfaction (cg_satisfaction.h): every branch, every refusal. */
#include <criterion/criterion.h>
#include "cg_photo.h"
#include "cg_satisfaction.h"
#include "cg_testenv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const unsigned char s_jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0,
                                        1, 1, 1, 0, 0x48, 0, 0x48, 0, 0, 0xff, 0xd9 };

static void
s_dir (char *buf, size_t len)
{
    const char *tmp = getenv ("CG_TEST_TMP");
    snprintf (buf, len, "%s/photos.XXXXXX", tmp ? tmp : "/tmp");
    cr_assert (mkdtemp (buf));
}


Test (photo, knows_each_image_type_by_its_first_bytes)
{
    cr_assert_str_eq (cg_photo_type (s_jpeg, sizeof s_jpeg), "jpg");
    cr_assert_str_eq (cg_photo_type ("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "png");
    cr_assert_str_eq (cg_photo_type ("RIFF\x10\0\0\0WEBPVP8 ", 16), "webp");
    cr_assert_str_eq (cg_photo_type ("\0\0\0\x18" "ftypheic\0\0\0\0", 16), "heic");
    cr_assert_str_eq (cg_photo_type ("\0\0\0\x18" "ftypmif1\0\0\0\0", 16), "heic");
    cr_assert_null (cg_photo_type ("\0\0\0\x18" "ftypisom\0\0\0\0", 16), "an MP4 is no photo");
    cr_assert_null (cg_photo_type ("RIFF\x10\0\0\0WAVEfmt ", 16), "a WAV is no photo");
    cr_assert_null (cg_photo_type ("%PDF-1.7\n", 9));
    cr_assert_null (cg_photo_type ("GIF89a", 6));
    cr_assert_null (cg_photo_type ("\xff\xd8", 2), "too short to tell");
    cr_assert_str_eq (cg_photo_mime ("heic"), "image/heic");
    cr_assert_null (cg_photo_mime ("gif"));
    cr_assert_null (cg_photo_mime (NULL));
}

Test (photo, addresses_are_checksums_with_a_known_extension)
{
    char ok[80], path[200];
    snprintf (ok, sizeof ok, "photo:%064d.jpg", 0);
    cr_assert (cg_photo_ref_valid (ok));
    cr_assert_eq (cg_photo_path ("/d", ok, path, sizeof path), 0);
    cr_assert_str_eq (path, "/d/00/0000000000000000000000000000000000000000000000000000000000000000.jpg");
    const char *bad[] = {
        "photo:../../etc/passwd", "https://example.cn/a.jpg", "photo:", "photo:abc.jpg",
        "photo:000000000000000000000000000000000000000000000000000000000000000A.jpg",
        "photo:0000000000000000000000000000000000000000000000000000000000000000.gif",
        "photo:0000000000000000000000000000000000000000000000000000000000000000",
        "photo:0000000000000000000000000000000000000000000000000000000000000000.jpg/x", NULL };
    for (int i = 0; bad[i]; i++) {
        cr_assert_not (cg_photo_ref_valid (bad[i]), "%s", bad[i]);
        cr_assert_eq (cg_photo_path ("/d", bad[i], path, sizeof path), -1, "%s", bad[i]);
    }
    cr_assert_not (cg_photo_ref_valid (NULL));
    cr_assert_eq (cg_photo_path ("/d", ok, path, 10), -1, "a path that does not fit");
}

Test (photo, is_kept_whole_by_its_checksum_or_not_at_all)
{
    char dir[512], why[200], ref[CG_PHOTO_REF_MAX], again[CG_PHOTO_REF_MAX], path[700];
    s_dir (dir, sizeof dir);
    /*  written in pieces, kept under its SHA-256 */
    cg_photo_t *p = cg_photo_new (dir, 1000, why, sizeof why);
    cr_assert (p, "%s", why);
    cr_assert_eq (cg_photo_write (p, s_jpeg, 5, why, sizeof why), 0);
    cr_assert_eq (cg_photo_write (p, s_jpeg + 5, sizeof s_jpeg - 5, why, sizeof why), 0);
    cr_assert_eq (cg_photo_end (p, ref, sizeof ref, why, sizeof why), 0, "%s", why);
    cr_assert (cg_photo_ref_valid (ref) && strstr (ref, ".jpg"), "%s", ref);
    cr_assert_eq (cg_test_count_files (dir), 1, "in tmp/ until kept");
    cr_assert_eq (cg_photo_keep (p, why, sizeof why), 0, "%s", why);
    cg_photo_destroy (&p);
    cg_photo_destroy (&p);
    cr_assert_null (p);
    cr_assert_eq (cg_photo_path (dir, ref, path, sizeof path), 0);
    struct stat st;
    cr_assert_eq (stat (path, &st), 0);
    cr_assert_eq ((size_t) st.st_size, sizeof s_jpeg);
    /*  the same bytes again: the same address, one file */
    p = cg_photo_new (dir, 1000, why, sizeof why);
    cr_assert_eq (cg_photo_write (p, s_jpeg, sizeof s_jpeg, why, sizeof why), 0);
    cr_assert_eq (cg_photo_end (p, again, sizeof again, why, sizeof why), 0);
    cr_assert_str_eq (again, ref);
    cr_assert_eq (cg_photo_keep (p, why, sizeof why), 0);
    cg_photo_destroy (&p);
    cr_assert_eq (cg_test_count_files (dir), 1);
    /*  not kept: nothing stays */
    p = cg_photo_new (dir, 1000, why, sizeof why);
    cr_assert_eq (cg_photo_write (p, s_jpeg, sizeof s_jpeg, why, sizeof why), 0);
    cg_photo_destroy (&p);
    cr_assert_eq (cg_test_count_files (dir), 1);
    /*  too large, refused as it grows */
    p = cg_photo_new (dir, 10, why, sizeof why);
    cr_assert_eq (cg_photo_write (p, s_jpeg, sizeof s_jpeg, why, sizeof why), -1);
    cr_assert (strstr (why, "larger than 10 bytes"), "%s", why);
    cg_photo_destroy (&p);
    /*  no image: refused once the first bytes are in, or at the end */
    p = cg_photo_new (dir, 1000, why, sizeof why);
    cr_assert_eq (cg_photo_write (p, "%PDF-1.7\n%abcdefgh", 18, why, sizeof why), -1);
    cr_assert (strstr (why, "not a JPEG, PNG, HEIC or WebP"), "%s", why);
    cg_photo_destroy (&p);
    p = cg_photo_new (dir, 1000, why, sizeof why);
    cr_assert_eq (cg_photo_write (p, "GIF8", 4, why, sizeof why), 0);
    cr_assert_eq (cg_photo_end (p, ref, sizeof ref, why, sizeof why), -1);
    cg_photo_destroy (&p);
    p = cg_photo_new (dir, 1000, why, sizeof why);
    cr_assert_eq (cg_photo_end (p, ref, sizeof ref, why, sizeof why), -1, "an empty file");
    cg_photo_destroy (&p);
    cr_assert_eq (cg_test_count_files (dir), 1, "refusals leave nothing");
    /*  a folder that cannot be made */
    char file[600];
    snprintf (file, sizeof file, "%s/plain", dir);
    FILE *f = fopen (file, "w");
    fclose (f);
    snprintf (file, sizeof file, "%s/plain/photos", dir);
    cr_assert_null (cg_photo_new (file, 1000, why, sizeof why));
    cr_assert (strstr (why, "cannot be written"), "%s", why);
}

Test (satisfaction, three_levels_by_code_name_or_digit)
{
    const char *as[][4] = {
        { "satisfied", "满意", "1", " 1\r\n" },
        { "basically_satisfied", "基本满意", "2", "基本满意 " },
        { "unsatisfied", "不满意", "3", "\t3" } };
    for (int i = 0; i < CG_SATISFACTION_LEVELS; i++) {
        const cg_satisfaction_t *level = cg_satisfaction_at (i);
        cr_assert_str_eq (level->code, as[i][0]);
        cr_assert_eq (cg_satisfaction_find (as[i][0]), level);
        for (int k = 0; k < 4; k++)
            cr_assert_eq (cg_satisfaction_parse (as[i][k]), level, "%s", as[i][k]);
        cr_assert_eq (level->closes, i < 2, "满意 and 基本满意 close; 不满意 is redone");
    }
    const char *none[] = { "", " ", "4", "0", "12", "满", "非常满意", "yes", "Satisfied", NULL };
    for (int i = 0; none[i]; i++)
        cr_assert_null (cg_satisfaction_parse (none[i]), "%s", none[i]);
    cr_assert_null (cg_satisfaction_parse (NULL));
    cr_assert_null (cg_satisfaction_find ("1"), "find takes the stored code only");
    cr_assert_null (cg_satisfaction_at (3));
    cr_assert_null (cg_satisfaction_at (-1));
}
