/*  cg_messages — the one definition of every civgrid message.

    Each message is a list of fields:

        F(msg, TYPE, name, required, min, max, sub, "doc")

    TYPE is STR, INT, BOOL, STRS (list of strings) or LIST (list of the
    message `sub`); min and max bound a string's bytes, an integer's value or
    a list's length.  The member name is the msgpack key, so keep it short.
    Times are Unix milliseconds UTC.  `rid` is the client-made request id
    that makes a command idempotent.

    Each domain's file lists its messages as
    M(ident, "wire.name", "kind", FIELDS, "doc").
    A message used as a LIST element must come before its user.  Adding a
    field is backward compatible (unknown keys are skipped); changing one's
    type or meaning needs a new name.
*/
#ifndef CG_MESSAGES_H_INCLUDED
#define CG_MESSAGES_H_INCLUDED

#define CG_TEXT_MAX     4000    /* a description, as Open311 allows */
#define CG_CODE_MAX     32      /* org codes, category codes, unit codes */
#define CG_NAME_MAX     128
#define CG_PAGE_MAX     1000    /* items in one page of a query */
#define CG_CURSOR_MAX   400     /* bytes of a page's cursor (cg_cursor.h) */
#define CG_LIST_TEXT    240     /* bytes of a text in a list item, cut at a character */
#define CG_CASE_PAGE_MAX  200   /* case summaries in one page: fits the frame (test_msg.c) */
#define CG_CASE_VIEWS_MAX 25    /* whole cases (no timeline) in one page: fits the frame */
#define CG_TIME_MAX     INT64_C(253402300799999)   /* 9999-12-31 */

/*  Each domain keeps its messages in proto/msg_<domain>.h; a new domain
    adds its file here and its list to CG_MESSAGES. */
#include "msg_common.h"
#include "msg_intake.h"
#include "msg_dispatch.h"
#include "msg_notification.h"
#include "msg_consultation.h"
#include "msg_needs.h"
#include "msg_fund.h"
#include "msg_archive.h"

#define CG_MESSAGES(M) \
    CG_MESSAGES_COMMON (M) \
    CG_MESSAGES_INTAKE (M) \
    CG_MESSAGES_DISPATCH (M) \
    CG_MESSAGES_NOTIFICATION (M) \
    CG_MESSAGES_CONSULTATION (M) \
    CG_MESSAGES_NEEDS (M) \
    CG_MESSAGES_FUND (M) \
    CG_MESSAGES_ARCHIVE (M)

/* --- what the table generates ------------------------------------------- */

#define CG_DECL_STR(m, name, sub)   char *name;
#define CG_DECL_INT(m, name, sub)   int64_t name;
#define CG_DECL_BOOL(m, name, sub)  bool name;
#define CG_DECL_STRS(m, name, sub)  char **name; size_t name##_count;
#define CG_DECL_LIST(m, name, sub)  struct cg_##sub##_s *name; size_t name##_count;
#define CG_DECL_FIELD(m, type, name, req, mn, mx, sub, doc) CG_DECL_##type (m, name, sub)
#define CG_DECL_MSG(id, wire, kind, FIELDS, doc) \
    typedef struct cg_##id##_s { uint64_t present; FIELDS (CG_DECL_FIELD, id) } cg_##id##_t; \
    extern const cg_msgdef_t cg_##id##_def;
CG_MESSAGES (CG_DECL_MSG)

#define CG_INDEX_FIELD(m, type, name, req, mn, mx, sub, doc) CG_FIELD_##m##_##name,
#define CG_INDEX_MSG(id, wire, kind, FIELDS, doc) enum { FIELDS (CG_INDEX_FIELD, id) };
CG_MESSAGES (CG_INDEX_MSG)

/*  Set an INT or BOOL field and mark it present, so that it is encoded even
    when zero: CG_SET (&msg, case_view, sign_by, t). */
#define CG_SET(msg, m, name, value) \
    ((msg)->name = (value), (msg)->present |= UINT64_C (1) << CG_FIELD_##m##_##name)

/*  Every definition, for lookup by wire name and for the reference. */
extern const cg_msgdef_t *const cg_msgdefs[];
extern const size_t cg_msgdefs_count;
const cg_msgdef_t *cg_msgdef_find (const char *name);

#endif
