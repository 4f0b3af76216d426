/*  cg_msg — the message codec.

    Every message civgrid sends, command or event, is described once, in
    cg_messages.h, as an X-macro table of fields.  From that one table come
    the C struct, a field descriptor (cg_msgdef_t), and through the
    descriptor the encoder, the decoder with its validation, and the message
    reference in docs/MESSAGES.md.  No service writes pack/unpack code of
    its own.

    On the wire a message is a msgpack map with short string keys.  Every
    message carries `v`, the schema version.  Decoding treats the bytes as
    hostile: the frame size is capped, the whole frame must be consumed, no
    string or container may claim more than the bytes left, nesting depth is
    bounded, every field is type-checked and range-checked, strings must be
    valid UTF-8.  Unknown keys are skipped.  A refusal names the field and
    the problem in a cg_error_t, which becomes the error reply to a command
    or the log line of a dropped event.
*/
#ifndef CG_MSG_H_INCLUDED
#define CG_MSG_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <msgpack.h>

#define CG_MSG_VERSION      1
#define CG_MSG_MAX_FRAME    (256 * 1024)    /* no message is larger */
#define CG_MSG_MAX_DEPTH    8               /* nesting of maps and arrays */
#define CG_MSG_MAX_FIELDS   64              /* fields one message may define */

typedef enum {
    CG_F_STR,       /* char *: UTF-8 text, NULL when absent */
    CG_F_INT,       /* int64_t */
    CG_F_BOOL,      /* bool */
    CG_F_STRS,      /* char **, with NAME_count: a list of strings */
    CG_F_LIST,      /* struct pointer, with NAME_count: a list of messages */
} cg_ftype_t;

struct cg_msgdef;

typedef struct {
    const char *key;        /* the msgpack key, also the C member name */
    cg_ftype_t type;
    bool required;
    int64_t min, max;       /* STR: bytes; INT: value; STRS/LIST: count */
    size_t offset;          /* of the member in the struct */
    size_t count_offset;    /* STRS/LIST: of NAME_count */
    const struct cg_msgdef *sub;    /* LIST: the element message */
    const char *doc;
} cg_field_t;

typedef struct cg_msgdef {
    const char *name;       /* "case.submit" */
    const char *kind;       /* "command", "reply", "event", "record" */
    const char *doc;
    size_t size;            /* of the struct */
    const cg_field_t *fields;
    size_t nfields;
} cg_msgdef_t;

/*  What was wrong with a message: the field (dotted path into nested
    messages, e.g. "cases[3].id", or "" for the message as a whole) and a
    sentence a person can act on. */
typedef struct {
    char code[32];          /* machine-readable: "invalid", "not_found", ... */
    char field[64];
    char message[192];
} cg_error_t;

/*  Every generated struct starts with `present`: bit i is set when field i
    was decoded, or set by the sender with CG_SET.  Strings and lists count
    as present when non-NULL; an INT or BOOL is encoded when it is required,
    its bit is set, or it is non-zero. */
#define CG_HAS(msg, idx)    (((msg)->present >> (idx)) & 1)

/*  Encode msg into buf (appended).  Returns 0, or -1 when msg itself breaks
    its definition (a string over its limit, a missing required field):
    a bug in the sender, reported in err. */
int cg_msg_encode (const cg_msgdef_t *def, const void *msg, msgpack_sbuffer *buf,
                   cg_error_t *err);

/*  The most bytes msg can take encoded, whatever it holds: every field
    present at its largest (a list at its most items, each at its largest).
    A page whose definition stays within CG_MSG_MAX_FRAME always fits the
    cap, whatever the texts (tests/unit/test_msg.c asserts it of each). */
size_t cg_msg_max_size (const cg_msgdef_t *def);

/*  Decode size bytes into msg (zeroed first).  Returns 0, or -1 with err
    filled and msg left empty (nothing to free). */
int cg_msg_decode (const cg_msgdef_t *def, const void *data, size_t size,
                   void *msg, cg_error_t *err);

/*  Free what decode (or the caller, with malloc'd strings) put in msg and
    zero it.  Safe on a zeroed struct. */
void cg_msg_clear (const cg_msgdef_t *def, void *msg);

/*  Set the field named key from its text form (as Redis keeps it): STR is
    copied, INT parsed, BOOL is "1" or "true".  Returns 0, 1 when the
    message has no such field (the value is ignored), or -1 when the text
    does not fit the field. */
int cg_msg_set (const cg_msgdef_t *def, void *msg, const char *key, const char *value,
                size_t len);

/*  Calls fn for every scalar field msg holds (those the encoder would
    write; lists are left out), with the text form cg_msg_set reads back:
    STR as is, INT in decimal, BOOL "1" or "0".  So a message becomes the
    field/value pairs of a Redis hash without going through msgpack. */
typedef void (cg_msg_field_fn) (const char *key, const char *value, size_t len, void *arg);
void cg_msg_fields (const cg_msgdef_t *def, const void *msg, cg_msg_field_fn *fn, void *arg);

/*  Print msg as one JSON object (no `v`), for the CLI's --json. */
void cg_msg_json (const cg_msgdef_t *def, const void *msg, FILE *out);

/*  Print the reference of every message as Markdown. */
void cg_msg_document (FILE *out);

/*  Fill err; the message is printf-style. */
void cg_error_set (cg_error_t *err, const char *code, const char *field,
                   const char *fmt, ...) __attribute__ ((format (printf, 4, 5)));

#include "cg_messages.h"

#endif
