/*  cg_text's cutting and cleaning: a text is cut only between characters,
    and no character XML 1.0 forbids reaches a document. */
#include <criterion/criterion.h>
#include "cg_text.h"

#include <stdlib.h>

Test (text, cut_keeps_whole_characters)
{
    const char *s = "噪声扰民";                 /* four characters of 3 bytes */
    cr_assert_eq (cg_utf8_prefix (s, 12), 12);
    cr_assert_eq (cg_utf8_prefix (s, 100), 12, "shorter than max: all of it");
    cr_assert_eq (cg_utf8_prefix (s, 11), 9, "never half a character");
    cr_assert_eq (cg_utf8_prefix (s, 10), 9);
    cr_assert_eq (cg_utf8_prefix (s, 9), 9);
    cr_assert_eq (cg_utf8_prefix (s, 2), 0);
    cr_assert_eq (cg_utf8_prefix ("ab😀", 5), 2, "a four-byte character whole or not at all");
    cr_assert_eq (cg_utf8_prefix ("abc", 2), 2);
    /*  a 300-byte Chinese note cut to 200 bytes: 66 whole characters */
    char note[301] = "";
    for (int i = 0; i < 100; i++)
        strcat (note, "办");
    size_t n = cg_utf8_prefix (note, 200);
    cr_assert_eq (n, 198);
    cr_assert (cg_utf8_valid (note, n));
}

Test (text, clean_removes_what_xml_forbids)
{
    cr_assert_null (cg_text_clean (NULL));
    cr_assert_null (cg_text_clean ("广场舞噪音\t夜间\r\n"), "a clean text is not copied");
    /*  Word's line break (U+000B) and page break (U+000C) become line feeds */
    char *c = cg_text_clean ("第一行\v第二行\f第三行");
    cr_assert_str_eq (c, "第一行\n第二行\n第三行");
    free (c);
    /*  the other controls, U+FFFE and U+FFFF go */
    c = cg_text_clean ("\x01噪\x1f声\x08\x7f" "\xef\xbf\xbe" "扰" "\xef\xbf\xbf" "民\x1b");
    cr_assert_str_eq (c, "噪声\x7f扰民", "U+007F is allowed by XML 1.0: %s", c);
    free (c);
    /*  a lone surrogate (CESU-8 ED A0 80) and stray bytes: U+FFFD each byte */
    c = cg_text_clean ("a\xed\xa0\x80" "b\xff" "c\xe5\x99");
    cr_assert (c);
    cr_assert (cg_utf8_valid (c, strlen (c)));
    cr_assert_eq (strncmp (c, "a\xef\xbf\xbd", 4), 0, "%s", c);
    cr_assert (strstr (c, "b\xef\xbf\xbd" "c"));
    free (c);
    /*  only controls: empty, not NULL */
    c = cg_text_clean ("\x01\x02");
    cr_assert_str_eq (c, "");
    free (c);
}
