/*  cg_text - small text helpers shared by the data-file loaders

    The UTF-8 check follows the Unicode table of well-formed byte sequences
    (Unicode 15, table 3-7) directly, so overlong forms, surrogates and code
    points above U+10FFFF are refused without decoding to a code point.

    cg_tsv_t reads a whole line with getline, whatever its length, and then
    judges it: that way a line that is too long is reported with its own
    line number and the following lines keep theirs. Fields are split in
    place in the line buffer, so a data line costs no allocation beyond
    the one buffer the reader reuses.
*/
#include "cg_text.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _cg_tsv_t {
    char *path;                         //  For messages
    FILE *file;
    char *line;                         //  getline's buffer, reused
    size_t line_size;
    size_t lineno;                      //  Number of the line last read
    char *fields [CG_TSV_MAX_FIELDS];   //  Point into line
};

bool
cg_utf8_valid (const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *) s;
    const unsigned char *end = p + len;
    while (p < end) {
        unsigned char c = *p;
        if (c < 0x80) {
            p++;
            continue;
        }
        //  The lead byte fixes the length and the range of the second
        //  byte; the remaining bytes are always 80..BF.
        size_t need;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            need = 1;
        else
        if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0;              //  Overlong below U+0800
            if (c == 0xED)
                hi = 0x9F;              //  Surrogates U+D800..DFFF
        }
        else
        if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;              //  Overlong below U+10000
            if (c == 0xF4)
                hi = 0x8F;              //  Above U+10FFFF
        }
        else
            return false;               //  80..C1 and F5..FF never lead
        if ((size_t) (end - p) <= need)
            return false;
        if (p [1] < lo || p [1] > hi)
            return false;
        for (size_t i = 2; i <= need; i++)
            if (p [i] < 0x80 || p [i] > 0xBF)
                return false;
        p += need + 1;
    }
    return true;
}

static void
s_out_of_memory (void)
{
    fputs ("civgrid: out of memory\n", stderr);
    abort ();
}

void
cg_utf8_cut (const char *text, char *out, size_t len)
{
    size_t n = strlen (text);
    if (n >= len) {
        n = len - 1;
        while (n > 0 && ((unsigned char) text[n] & 0xc0) == 0x80)
            n--;
    }
    memcpy (out, text, n);
    out[n] = 0;
}

void *
cg_alloc (size_t size)
{
    void *block = calloc (1, size);
    if (!block)
        s_out_of_memory ();
    return block;
}

void *
cg_realloc (void *block, size_t size)
{
    block = realloc (block, size);
    if (!block)
        s_out_of_memory ();
    return block;
}

char *
cg_strdup (const char *s)
{
    char *copy = strdup (s);
    if (!copy)
        s_out_of_memory ();
    return copy;
}

char *
cg_strfmt (const char *format, ...)
{
    //  Measure, then write: two passes keep this within standard C.
    va_list args;
    va_start (args, format);
    int size = vsnprintf (NULL, 0, format, args);
    va_end (args);
    assert (size >= 0);
    char *string = cg_alloc ((size_t) size + 1);
    va_start (args, format);
    vsnprintf (string, (size_t) size + 1, format, args);
    va_end (args);
    return string;
}

void
cg_errset (char *err, size_t errlen, const char *format, ...)
{
    if (!err || errlen == 0)
        return;
    va_list args;
    va_start (args, format);
    vsnprintf (err, errlen, format, args);
    va_end (args);
}

size_t
cg_tsv_split (char *line, char **fields, size_t max_fields)
{
    size_t count = 0;
    char *field = line;
    while (true) {
        char *tab = strchr (field, '\t');
        if (count < max_fields)
            fields [count] = field;
        count++;
        if (!tab)
            break;
        *tab = '\0';
        field = tab + 1;
    }
    return count;
}

cg_tsv_t *
cg_tsv_open (const char *path, char *err, size_t errlen)
{
    FILE *file = fopen (path, "r");
    if (!file) {
        cg_errset (err, errlen, "%s: cannot open: %s", path, strerror (errno));
        return NULL;
    }
    cg_tsv_t *self = cg_alloc (sizeof (cg_tsv_t));
    self->path = cg_strdup (path);
    self->file = file;
    return self;
}

void
cg_tsv_destroy (cg_tsv_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_tsv_t *self = *self_p;
    fclose (self->file);
    free (self->line);
    free (self->path);
    free (self);
    *self_p = NULL;
}

static bool
s_is_blank (const char *line)
{
    return line [strspn (line, " \t")] == '\0';
}

int
cg_tsv_next (cg_tsv_t *self, char ***fields_p, char *err, size_t errlen)
{
    while (true) {
        errno = 0;
        ssize_t got = getline (&self->line, &self->line_size, self->file);
        if (got < 0) {
            if (ferror (self->file))
                return cg_tsv_fail (self, err, errlen, "read error: %s",
                                    strerror (errno ? errno : EIO));
            return 0;
        }
        self->lineno++;
        size_t len = (size_t) got;
        char *line = self->line;
        if (len > 0 && line [len - 1] == '\n')
            line [--len] = '\0';
        if (len > 0 && line [len - 1] == '\r')
            line [--len] = '\0';
        //  Editors on Windows like to start UTF-8 files with a byte-order
        //  mark; it is not part of the first field.
        if (self->lineno == 1 && len >= 3 && memcmp (line, "\xEF\xBB\xBF", 3) == 0) {
            line += 3;
            len -= 3;
        }
        if (len > CG_TSV_MAX_LINE)
            return cg_tsv_fail (self, err, errlen,
                "line is %zu bytes long, the limit is %d", len, CG_TSV_MAX_LINE);
        if (memchr (line, '\0', len))
            return cg_tsv_fail (self, err, errlen, "line contains a NUL byte");
        if (!cg_utf8_valid (line, len))
            return cg_tsv_fail (self, err, errlen, "line is not valid UTF-8");
        if (line [0] == '#' || s_is_blank (line))
            continue;
        *fields_p = self->fields;
        size_t count = cg_tsv_split (line, self->fields, CG_TSV_MAX_FIELDS);
        //  more than are kept: a loader that goes through its fields by
        //  the count would read past them
        if (count > CG_TSV_MAX_FIELDS)
            return cg_tsv_fail (self, err, errlen, "line has %zu fields; no data file has more "
                                "than %d", count, CG_TSV_MAX_FIELDS);
        return (int) count;
    }
}

size_t
cg_tsv_lineno (cg_tsv_t *self)
{
    return self->lineno;
}

int
cg_tsv_fail (cg_tsv_t *self, char *err, size_t errlen, const char *format, ...)
{
    if (!err || errlen == 0)
        return -1;
    int prefix = snprintf (err, errlen, "%s:%zu: ", self->path, self->lineno);
    if (prefix >= 0 && (size_t) prefix < errlen) {
        va_list args;
        va_start (args, format);
        vsnprintf (err + prefix, errlen - (size_t) prefix, format, args);
        va_end (args);
    }
    return -1;
}

/*  The length of the valid character at p (before end), 0 when there is
    none: cg_utf8_valid's rules, one character at a time. */
static size_t
s_char_len (const unsigned char *p, const unsigned char *end)
{
    size_t len = *p < 0x80 ? 1 : *p < 0xC2 ? 0 : *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : *p < 0xF5 ? 4 : 0;
    if (len == 0 || (size_t) (end - p) < len || !cg_utf8_valid ((const char *) p, len))
        return 0;
    return len;
}

size_t
cg_utf8_prefix (const char *s, size_t max)
{
    size_t n = strnlen (s, max);
    if (n < max || s [n] == 0)
        return n;
    //  back over the continuation bytes of a character cut at max
    while (n > 0 && ((unsigned char) s [n] & 0xC0) == 0x80)
        n--;
    return n;
}

/*  What becomes of the character at p of len bytes: NULL when it stays. */
static const char *
s_xml_replacement (const unsigned char *p, size_t len)
{
    if (len == 0)
        return "\xEF\xBF\xBD";                  /*  U+FFFD */
    if (len == 1 && *p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r')
        return *p == 0x0B || *p == 0x0C ? "\n" : "";
    if (len == 3 && p [0] == 0xEF && p [1] == 0xBF && (p [2] == 0xBE || p [2] == 0xBF))
        return "";                              /*  U+FFFE, U+FFFF */
    return NULL;
}

char *
cg_text_clean (const char *s)
{
    if (!s)
        return NULL;
    const unsigned char *p = (const unsigned char *) s, *end = p + strlen (s);
    while (p < end) {
        size_t len = s_char_len (p, end);
        if (s_xml_replacement (p, len))
            break;
        p += len;
    }
    if (p == end)
        return NULL;
    //  at most three bytes for each byte of s
    char *out = cg_alloc ((size_t) (end - (const unsigned char *) s) * 3 + 1);
    size_t used = (size_t) (p - (const unsigned char *) s);
    memcpy (out, s, used);
    while (p < end) {
        size_t len = s_char_len (p, end);
        const char *instead = s_xml_replacement (p, len);
        if (instead) {
            memcpy (out + used, instead, strlen (instead));
            used += strlen (instead);
            p += len ? len : 1;
        }
        else {
            memcpy (out + used, p, len);
            used += len;
            p += len;
        }
    }
    out [used] = 0;
    return out;
}
