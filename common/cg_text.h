/*  cg_text - small text helpers shared by the data-file loaders

    UTF-8 validation, allocation helpers that never return NULL, a bounded
    error-message writer, and cg_tsv_t, a reader for the project's
    tab-separated data files (org tree, catalog). The reader owns the rules
    every such file shares - '#' comments, blank lines, a maximum line
    length, valid UTF-8, no NUL bytes - so that each loader only checks its
    own columns, and every refusal reads "path:LINE: reason".
*/
#ifndef CG_TEXT_H_INCLUDED
#define CG_TEXT_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

//  czmq's spelling, for code that does not include czmq
#ifndef streq
#   define streq(s1,s2) (!strcmp ((s1), (s2)))
#endif

//  True if s[0..len) is well-formed UTF-8: no overlong forms, no
//  surrogates, nothing above U+10FFFF.
bool cg_utf8_valid (const char *s, size_t len);

//  Copy the start of text into out (len bytes, its terminator among them),
//  cut at a character boundary: a summary never ends in half a character.
void cg_utf8_cut (const char *text, char *out, size_t len);

//  Allocate size zeroed bytes. Aborts on out-of-memory, like every
//  allocation in civgrid: there is no useful way to go on without memory.
void *cg_alloc (size_t size);

//  Resize a block from cg_alloc or cg_realloc. Aborts on out-of-memory.
void *cg_realloc (void *block, size_t size);

//  Duplicate a string. Aborts on out-of-memory.
char *cg_strdup (const char *s);

//  printf into a fresh heap string. Aborts on out-of-memory.
char *cg_strfmt (const char *format, ...)
    __attribute__ ((format (printf, 1, 2)));

//  printf into the caller's error buffer, truncating to errlen. Does
//  nothing when err is NULL or errlen is 0, so callers may pass NULL.
void cg_errset (char *err, size_t errlen, const char *format, ...)
    __attribute__ ((format (printf, 3, 4)));

//  Split line in place at each tab. Stores up to max_fields pointers in
//  fields and returns the number of fields found, which may exceed
//  max_fields (the extra ones are not stored).
size_t cg_tsv_split (char *line, char **fields, size_t max_fields);

//  Lines longer than this, not counting the line ending, are refused.
#define CG_TSV_MAX_LINE    1024
//  No data file has more columns than this; cg_tsv_next stores this many.
#define CG_TSV_MAX_FIELDS  16

typedef struct _cg_tsv_t cg_tsv_t;

//  Open a data file for reading. NULL, with "path: reason" in err, if it
//  cannot be opened.
cg_tsv_t *cg_tsv_open (const char *path, char *err, size_t errlen);

//  Close the file and free the reader; nulls *self_p, safe to call twice.
void cg_tsv_destroy (cg_tsv_t **self_p);

//  Read the next data line, skipping blank and '#' comment lines. Returns
//  its number of tab-separated fields (1 or more) and points *fields_p at
//  them (valid until the next call), 0 at end of file, or -1 with
//  "path:LINE: reason" in err for a line that is too long, has more than
//  CG_TSV_MAX_FIELDS fields, holds a NUL byte or is not UTF-8, or for a
//  read error.
int cg_tsv_next (cg_tsv_t *self, char ***fields_p, char *err, size_t errlen);

//  The number of the line last read, counting from 1.
size_t cg_tsv_lineno (cg_tsv_t *self);

//  Write "path:LINE: " followed by the formatted reason into err, for the
//  line last read. Returns -1 so loaders can "return cg_tsv_fail (...)".
int cg_tsv_fail (cg_tsv_t *self, char *err, size_t errlen, const char *format, ...)
    __attribute__ ((format (printf, 4, 5)));

//  The length of the longest start of s, at most max bytes, that ends at a
//  character boundary: where a UTF-8 text may be cut without leaving half
//  a character.  s may be shorter than max.
size_t cg_utf8_prefix (const char *s, size_t max);

//  XML 1.0 allows in a document only the characters of its Char production:
//  tab, line feed, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and
//  U+10000-U+10FFFF.  Texts pasted from Word bring others.  U+000B (Word's
//  manual line break) and U+000C (its page break) become a line feed; the
//  other C0 controls, U+FFFE and U+FFFF are removed; a byte that is not
//  part of valid UTF-8 (a lone surrogate among them) becomes U+FFFD.
//  Returns a fresh copy holding none of them when s holds any, NULL when s
//  is NULL or already clean, so that the usual text costs no copy.
char *cg_text_clean (const char *s);

#endif
