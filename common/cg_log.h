/*  cg_log — how a daemon's log lines read, and the file they go to.

    Daemons log with czmq's zsys_info, zsys_warning, zsys_error ...; czmq
    writes "I: (dispatch) 26-12-06 15:30:00 text", in the host's zone, with
    a two-digit year and no offset.  cg_log_open gives zsys a stream of its
    own (glibc's fopencookie) that writes each line again as

        2026-12-06T15:30:00.123+08:00 I (dispatch) text

    or, with `log/format = json` in the configuration, as one JSON object
    a line:

        {"time":"2026-12-06T15:30:00.123+08:00","level":"info",
         "daemon":"dispatch","msg":"text"}

    The time is the center's (+08:00, cg_clock.h) with milliseconds,
    whatever zone the host is set to.

    With a file (`civgrid-NAME --log FILE`, which `civgrid stack up` passes
    as DIR/log/NAME.log), the daemon opens FILE itself, appending, onto its
    standard output and error, so that a sanitizer's report or anything
    else written there lands in the same file; cg_log_reopen opens it again
    by name, which is what SIGHUP does after logrotate moved it away.
    Without one, lines go to standard error (systemd's journal). */
#ifndef CG_LOG_H_INCLUDED
#define CG_LOG_H_INCLUDED

#include <czmq.h>

/*  Starts logging for daemon `name` to `file` (NULL: standard error) in
    the format config's log/format names (text when absent).  Returns 0,
    or -1 after saying on standard error what is wrong. */
int cg_log_open (const char *name, const char *file, zconfig_t *config);

/*  Opens the log file again by its name; 0 when there is none.  Returns
    -1 (and keeps writing where it wrote) when it cannot be opened. */
int cg_log_reopen (void);

/*  Gives zsys back standard error and forgets the file. */
void cg_log_close (void);

/*  Writes one line of zsys's ("L: (ident) YY-MM-DD HH:MM:SS text") as the
    format says into out; for cg_log's stream and its tests. */
void cg_log_format (const char *line, size_t len, bool json, int64_t now_ms, char *out,
                    size_t outlen);

#endif
