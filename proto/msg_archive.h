/*  msg_archive — the archive on disk: what it announces, and the search and
    export it serves (docs/ARCHIVE.md).  Part of the one message table; see
    cg_messages.h for how a definition reads. */
#ifndef CG_MSG_ARCHIVE_H_INCLUDED
#define CG_MSG_ARCHIVE_H_INCLUDED

#define CG_SEARCH_PAGE_MAX  100     /* cases in one page of a search */
#define CG_EXPORT_PAGE_MAX  40      /* cases with their whole text in one page */
#define CG_SEARCH_Q_MIN     2       /* characters of a text search at least */
#define CG_SEARCH_Q_MAX     64      /* ... and at most */

#define CG_FIELDS_case_archived(F, M) \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, INT, ver, 1, 0, INT64_MAX, _, "the version of the case the archive holds: its owner deletes only that one") \
    F(M, INT, at, 1, 0, CG_TIME_MAX, _, "when the archive committed it")

#define CG_FIELDS_case_search(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, scope, 0, 1, CG_CODE_MAX, _, "only cases whose center or unit lies in this subtree of the org tree") \
    F(M, STR, id, 0, 1, 32, _, "the case with this id") \
    F(M, STR, ext_ref, 0, 1, 64, _, "the source's reference (the hotline's order number)") \
    F(M, STR, caller, 0, 1, 80, _, "a caller's fingerprint (caller.fingerprint at intake), never the phone") \
    F(M, STR, grid, 0, 1, CG_CODE_MAX, _, "grid code") \
    F(M, STR, community, 0, 1, CG_CODE_MAX, _, "community code") \
    F(M, STR, unit, 0, 1, CG_CODE_MAX, _, "responsible unit") \
    F(M, STR, category, 0, 1, CG_CODE_MAX, _, "category code") \
    F(M, STR, state, 0, 1, 16, _, "state") \
    F(M, INT, from, 0, 0, CG_TIME_MAX, _, "received at or after") \
    F(M, INT, to, 0, 0, CG_TIME_MAX, _, "received before (the CLI and the API take the last day, included)") \
    F(M, STR, q, 0, 1, 1024, _, "text: any substring of 2 to 64 characters of the request, its address or result") \
    F(M, STR, cursor, 0, 1, CG_CURSOR_MAX, _, "where the page starts: the `next` of the page before") \
    F(M, INT, limit, 0, 0, CG_SEARCH_PAGE_MAX, _, "cases in the page (default 20; at most 40 with full)") \
    F(M, BOOL, full, 0, 0, 1, _, "whole texts (export) rather than summaries")

#define CG_FIELDS_case_found(F, M) \
    F(M, LIST, cases, 0, 0, CG_SEARCH_PAGE_MAX, case_view, "this page, newest first; texts cut to a summary unless full") \
    F(M, STR, next, 0, 1, CG_CURSOR_MAX, _, "the cursor of the next page; absent on the last")

#define CG_AUDIT_PAGE_MAX   200     /* entries in one page of the audit log */

#define CG_FIELDS_audit_entry(F, M) \
    F(M, STR, id, 1, 1, 48, _, "the entry's id in the gateway's stream (ms-seq): they only grow") \
    F(M, INT, at, 0, 0, CG_TIME_MAX, _, "when, by the stack's clock") \
    F(M, STR, actor, 0, 0, CG_NAME_MAX, _, "who: the token's or person's name") \
    F(M, STR, role, 0, 0, 32, _, "the caller's role") \
    F(M, STR, scope, 0, 0, CG_CODE_MAX, _, "the caller's scope") \
    F(M, STR, action, 0, 0, 64, _, "what: the command or route") \
    F(M, STR, target, 0, 0, 256, _, "on what") \
    F(M, STR, from, 0, 0, 64, _, "from where: the caller's address") \
    F(M, INT, status, 0, 0, 999, _, "the HTTP status answered")

#define CG_FIELDS_audit_search(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, scope, 1, 1, CG_CODE_MAX, _, "only entries whose caller's scope lies in this subtree") \
    F(M, STR, before, 0, 1, 48, _, "only entries older than this stream id (the page goes on from it)") \
    F(M, STR, who, 0, 1, CG_NAME_MAX, _, "only this actor") \
    F(M, STR, what, 0, 1, 64, _, "only this action") \
    F(M, INT, from, 0, 0, CG_TIME_MAX, _, "at or after") \
    F(M, INT, to, 0, 0, CG_TIME_MAX, _, "before") \
    F(M, INT, limit, 0, 1, CG_AUDIT_PAGE_MAX, _, "entries in the page")

#define CG_FIELDS_audit_found(F, M) \
    F(M, LIST, entries, 0, 0, CG_AUDIT_PAGE_MAX, audit_entry, "newest first") \
    F(M, STR, last, 0, 1, 48, _, "the id of the last entry looked at, when more may follow: the next page goes on before it")

#define CG_FIELDS_caller_fingerprint(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, phone, 1, 1, 32, _, "the phone number")

#define CG_FIELDS_caller_print(F, M) \
    F(M, STR, caller, 1, 1, 80, _, "the phone's keyed fingerprint, as intake keeps its callers")

/*  Re-sealing archived records (issue #17): the archive pages the rows whose
    intake hash holds a value of an old version of the sealing key; intake,
    which holds the key, seals each again and sends it back.  A hash travels
    as base64 of the msgpack map the archive keeps (docs/ARCHIVE.md). */
#define CG_SEALED_PAGE_MAX  20          /* rows in one page of archive.sealed */
#define CG_SEALED_BLOB_MAX  (96 * 1024) /* base64 of one row's intake hash at most */

#define CG_FIELDS_archive_sealed_ask(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, role, 1, 1, 32, _, "who asks: intake alone, which only a daemon's key may claim (cg_access.h)") \
    F(M, INT, version, 1, 2, 99, _, "rows holding a value sealed under this version of the key") \
    F(M, INT, after, 0, 0, INT64_MAX, _, "rows after this one (the `last` of the page before)") \
    F(M, INT, limit, 0, 1, CG_SEALED_PAGE_MAX, _, "rows in the page (default and most: 20)")

#define CG_FIELDS_archive_sealed_row(F, M) \
    F(M, INT, n, 1, 1, INT64_MAX, _, "the row's number in the store") \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, intake, 1, 1, CG_SEALED_BLOB_MAX, _, "intake's hash as the archive keeps it (msgpack map), in base64")

#define CG_FIELDS_archive_sealed(F, M) \
    F(M, LIST, rows, 0, 0, CG_SEALED_PAGE_MAX, archive_sealed_row, "this page, in the store's order") \
    F(M, INT, last, 0, 0, INT64_MAX, _, "the last row looked at: the next page goes on after it") \
    F(M, BOOL, more, 0, 0, 1, _, "whether more rows may follow")

#define CG_FIELDS_archive_reseal(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, role, 1, 1, 32, _, "who asks: intake alone, which only a daemon's key may claim (cg_access.h)") \
    F(M, STR, id, 1, 1, 32, _, "case id") \
    F(M, STR, old, 1, 1, CG_SEALED_BLOB_MAX, _, "the hash as archive.sealed gave it (base64)") \
    F(M, STR, intake, 1, 1, CG_SEALED_BLOB_MAX, _, "the hash sealed again (base64): it replaces the row's only if that is still old")

#define CG_FIELDS_archive_record_ask(F, M) \
    F(M, STR, rid, 1, 1, 64, _, "request id") \
    F(M, STR, role, 1, 1, 32, _, "who asks: intake alone, which only a daemon's key may claim (cg_access.h)") \
    F(M, STR, id, 1, 1, 32, _, "case id")

#define CG_FIELDS_archive_resealed(F, M) \
    F(M, BOOL, replaced, 0, 0, 1, _, "false when the row holds another hash by now (it is looked at again)")

#define CG_MESSAGES_ARCHIVE(M) \
    M(case_archived, "case.archived", "event", CG_FIELDS_case_archived, \
      "The archive holds a closed case durably; its owners may delete their copies (journal archive).") \
    M(case_search, "case.search", "command", CG_FIELDS_case_search, \
      "Search every case, live and archived (archive); also pages an export.") \
    M(case_found, "case.found", "reply", CG_FIELDS_case_found, "A page of a search.") \
    M(audit_entry, "audit.entry", "record", CG_FIELDS_audit_entry, \
      "One entry of the gateway's audit log, as the archive keeps it.") \
    M(audit_search, "audit.search", "command", CG_FIELDS_audit_search, \
      "A page of the archived audit log, filtered (archive).") \
    M(audit_found, "audit.found", "reply", CG_FIELDS_audit_found, "A page of the audit log.") \
    M(caller_fingerprint, "caller.fingerprint", "command", CG_FIELDS_caller_fingerprint, \
      "The keyed fingerprint of a phone (intake), to search by caller without the phone.") \
    M(caller_print, "caller.print", "reply", CG_FIELDS_caller_print, "A caller's fingerprint.") \
    M(archive_sealed_ask, "archive.sealed", "command", CG_FIELDS_archive_sealed_ask, \
      "To the archive, from intake: a page of the rows still holding a value sealed under an old version of the key.") \
    M(archive_sealed_row, "archive.sealed.row", "record", CG_FIELDS_archive_sealed_row, \
      "One archived case's intake hash, still sealed under an old version.") \
    M(archive_sealed, "archive.sealed.page", "reply", CG_FIELDS_archive_sealed, \
      "A page of rows to seal again, and where the next starts.") \
    M(archive_reseal, "archive.reseal", "command", CG_FIELDS_archive_reseal, \
      "To the archive, from intake: a row's intake hash sealed again under the newest version.") \
    M(archive_record_ask, "archive.record", "command", CG_FIELDS_archive_record_ask, \
      "To the archive, from intake: an archived case's intake hash, still sealed (intake.show).") \
    M(archive_resealed, "archive.resealed", "reply", CG_FIELDS_archive_resealed, \
      "Whether the archive replaced the row's hash.")

#endif
