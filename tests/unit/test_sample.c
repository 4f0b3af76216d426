/*  Realistic texts (common/cg_sample.h): lengths from 100 to 2,000 bytes
    with a median of 800, valid UTF-8, mostly Chinese, now and then what a
    word processor pastes, the same for the same seed. */
#include <criterion/criterion.h>
#include "cg_sample.h"
#include "cg_text.h"

#define S_TEXTS 10000

static int
s_compare (const void *a, const void *b)
{
    size_t x = *(const size_t *) a, y = *(const size_t *) b;
    return x < y ? -1 : x > y;
}

Test (sample, texts_are_100_to_2000_bytes_of_chinese_with_a_median_of_800)
{
    static size_t lengths[S_TEXTS];
    char text[CG_SAMPLE_MAX + 1];
    size_t pasted = 0, chinese = 0, bytes = 0;
    for (size_t i = 0; i < S_TEXTS; i++) {
        size_t want = cg_sample_length (i);
        size_t n = cg_sample_text (i, text, sizeof text);
        cr_assert (n <= want && n + 2 >= want, "text %zu: %zu bytes for %zu", i, n, want);
        cr_assert_eq (strlen (text), n);
        cr_assert (cg_utf8_valid (text, n), "text %zu is not UTF-8", i);
        lengths[i] = n;
        if (strpbrk (text, "\t\r\v") || strstr (text, "\xe3\x80\x80") || strstr (text, "\xc2\xa0"))
            pasted++;
        for (size_t k = 0; k < n; k++)
            chinese += ((unsigned char) text[k] & 0xf0) == 0xe0 ? 3 : 0;
        bytes += n;
    }
    qsort (lengths, S_TEXTS, sizeof lengths[0], s_compare);
    cr_assert_geq (lengths[0], CG_SAMPLE_MIN - 2);
    cr_assert_leq (lengths[S_TEXTS - 1], CG_SAMPLE_MAX);
    cr_assert (lengths[S_TEXTS / 2] >= 770 && lengths[S_TEXTS / 2] <= 830, "median %zu",
               lengths[S_TEXTS / 2]);
    cr_assert (lengths[S_TEXTS / 20] < 200 && lengths[S_TEXTS - S_TEXTS / 20] > 1800,
               "the lengths spread from short to long");
    cr_assert_gt (chinese * 10, bytes * 8, "mostly Chinese: %zu of %zu bytes", chinese, bytes);
    cr_assert (pasted > S_TEXTS / 10 && pasted < S_TEXTS / 2, "%zu pasted from Word", pasted);
}

Test (sample, the_same_seed_gives_the_same_text_and_a_small_buffer_a_whole_character)
{
    char a[CG_SAMPLE_MAX + 1], b[CG_SAMPLE_MAX + 1], small[11];
    cg_sample_text (42, a, sizeof a);
    cg_sample_text (42, b, sizeof b);
    cr_assert_str_eq (a, b);
    cg_sample_text (43, b, sizeof b);
    cr_assert_str_neq (a, b);
    size_t n = cg_sample_text (42, small, sizeof small);
    cr_assert (n <= 10 && n >= 8 && cg_utf8_valid (small, n), "%zu bytes", n);
    cr_assert_eq (strncmp (small, a, n), 0);
}
