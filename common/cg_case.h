/*  cg_case — the case as more than one daemon reads it.

    Dispatch is the only writer of a case: the hash cg:{dispatch}:case:<id>
    with the fields of case.view and its timeline as `step:<n>`
    (deploy/lua/dispatch/lib.lua).  Dispatch reads it to answer case.show;
    the archive reads the same hash to keep its copy on disk.  Both read it
    here, so the two copies cannot drift.

    A case leaves Redis once it is terminal (cg_case_state.h: closed 归档,
    merged, rejected, cancelled) and `dispatch/reopen_days` past it (its
    closing, else its last change), when the citizen can no longer reopen
    it.  Dispatch refuses a reopening
    by the same rule, and deletes only what that rule lets go
    (docs/ARCHIVE.md). */
#ifndef CG_CASE_H_INCLUDED
#define CG_CASE_H_INCLUDED

#include "cg_msg.h"
#include "cg_messages.h"
#include "cg_bus.h"
#include "cg_command.h"
#include "cg_redis.h"

/*  A case's hash, the one spelling of its key (dispatch writes it; the
    access table, cg_access.c, names the daemons that read it). */
#define CG_CASE_KEY_PREFIX  "cg:{dispatch}:case:"
#define CG_CASE_KEY         CG_CASE_KEY_PREFIX "%s"
#define CG_CASE_STEPS_MAX   1000    /* steps of a timeline read at most */

/*  Fills view from the reply of HGETALL of a case's hash (and its timeline
    when with_steps).  Returns 0, or 1 when the hash is empty (no case). */
int cg_case_from_hash (const redisReply *r, cg_case_view_t *view, bool with_steps);

/*  Until when a closed case may be reopened (ms). */
int64_t cg_case_reopen_until (int64_t closed_at, int reopen_days);

/*  When a case may leave Redis for the archive: 0 while it is not final,
    else the end of its reopen window. */
int64_t cg_case_archivable_at (const cg_case_view_t *c, int reopen_days);

/*  The owners' side of the archive (dispatch, intake): applies a batch of
    the archive journal's case.archived events with the owner's script,
    which deletes what the archive holds and moves the owner's cursor on
    that journal in the same call.  The script's arguments are those of
    cg_feed_args, then extra[0..nextra), then, when with_ver, the terminal
    states (space-separated, cg_case_state.h), then per case its id and,
    when with_ver, the version the archive holds.  Returns what a feed handler
    returns (cg_bus.h): 0, 1 when the cursor had moved, -1. */
int cg_case_forget (cg_redis_t *redis, const char *script, const char *prefix,
                    const char *cursor_key, int64_t cursor, const cg_event_t *events, size_t n,
                    const int64_t *extra, size_t nextra, bool with_ver);

/*  case.show wherever the case is: dispatch while it has it, then the
    archive (the CLI and the gateway both ask this way).  archive may be
    NULL (an installation without one).  0, or -1 with err: dispatch's
    not_found when neither has it. */
int cg_case_show (cg_client_t *dispatch, cg_client_t *archive, const cg_case_get_t *get,
                  cg_case_view_t *view, cg_error_t *err);

/*  Sets one parameter of a search, as the CLI's options and the API's query
    name them: from and to take a day (YYYY-MM-DD, China time; `to` the
    last day, included) or an ISO time (`to` excluded); limit a whole
    number; the rest their text.  Returns 0, 1 when name
    is not a search's, -1 with err naming the field. */
int cg_case_search_set (cg_case_search_t *req, const char *name, const char *value,
                        cg_error_t *err);

#endif
