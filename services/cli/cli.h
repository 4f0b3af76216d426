/*  cli — the civgrid command line: shared pieces of its subcommands.

    Every subcommand takes --dir DIR (default var/), where `stack up` keeps
    the running system's configuration (DIR/civgrid.cfg), pid files, logs
    and Redis data, and --json for output a program can read. */
#ifndef CLI_H_INCLUDED
#define CLI_H_INCLUDED

#include "cg_daemon.h"

/*  The parsed command line: positional words and --name value options.
    A flag given without a value (--json) has the value "". */
typedef struct {
    const char *words[16];
    int nwords;
    zhash_t *opts;
} cli_args_t;

int cli_args_parse (cli_args_t *args, int argc, char **argv, const char *const *flags);
const char *cli_opt (cli_args_t *args, const char *name, const char *otherwise);
bool cli_flag (cli_args_t *args, const char *name);

/*  Who acts: --actor, else operator:<the user> (into buf). */
const char *cli_actor (cli_args_t *args, char *buf, size_t len);
/*  Who acts on a fund: --actor (default $USER) into *actor and --role
    (default admin: a shell at the daemon's own port is its administrator). */
void cli_fund_who (cli_args_t *args, char **actor, char **role);

/*  The configuration the stack wrote, or NULL with a message. */
zconfig_t *cli_config (cli_args_t *args);

/*  The stack's time: its test clock (cg:{clock}:now) when it runs on one
    (clock/test = 1), else the system's; for times a command defaults. */
int64_t cli_now (cli_args_t *args);

/*  Redis of a stack's configuration (redis/host, redis/port, read with the
    checked reader), or NULL. */
cg_redis_t *cli_redis_of (zconfig_t *config, int retry_ms);

/*  Redis of the stack in --dir, or NULL with a message. */
cg_redis_t *cli_redis (cli_args_t *args);

/*  How far intake's re-sealing under the sealing key's newest version has
    come (secret.c; services/intake/reseal.c keeps it in cg:{intake}:reseal):
    one line into line, "" while the key has one version.  -1 when Redis
    cannot be read. */
int cli_reseal_line (zconfig_t *config, cg_redis_t *redis, char *line, size_t len);

/*  A client for a daemon named in the configuration. */
cg_client_t *cli_client (zconfig_t *config, const char *daemon);

/*  Sends one command (proto/cg_commands.h) to the daemon of the stack in
    --dir that owns it; prints a refusal and returns 1, or returns 0 with
    the answer in rep. */
int cli_call (cli_args_t *args, const cg_cmddef_t *command, void *req, void *rep);

/*  The same for a query that may take a while (statistics over years):
    asked once, waiting up to CLI_QUERY_MS for the answer.  A read changes
    nothing, so a retry could only ask the daemon again for what it is
    still working out: three tries of a slow query are three queries. */
#define CLI_QUERY_MS    60000
int cli_query (cli_args_t *args, const cg_cmddef_t *command, void *req, void *rep);

/*  Prints an error the way every subcommand does, and returns 1. */
int cli_fail (const cg_error_t *err);
/*  The last line of a page: "next: CURSOR" (give it back with --cursor), or
    nothing on the last page. */
void cli_print_next (const char *next);
/*  --limit, the size of a page (50 when absent): 0, or -1 after saying
    on stderr that it must be a whole number from 1 (the daemon names its
    most). */
int cli_opt_limit (cli_args_t *args, int64_t *limit);

int cli_stack (cli_args_t *args);
/*  True when a part of the stack in dir runs (by its pid file; not a
    zombie, not another process that took its pid). */
bool cli_part_running (const char *dir, const char *part);
int cli_notify (cli_args_t *args);
int cli_cases (cli_args_t *args);
int cli_topic (cli_args_t *args);
int cli_need (cli_args_t *args);       /* need ... (need.c) */
int cli_volunteer (cli_args_t *args);  /* volunteer ID ... (need.c) */
int cli_fund (cli_args_t *args);
int cli_intake (cli_args_t *args);
int cli_powers (cli_args_t *args);     /* powers (powers.c) */
int cli_token (cli_args_t *args);
int cli_journal (cli_args_t *args);
int cli_key (cli_args_t *args);
int cli_secret (cli_args_t *args);
int cli_user (cli_args_t *args);
int cli_backup (cli_args_t *args);     /* backup DIR, restore DIR (backup.c) */
int cli_migrate (cli_args_t *args);    /* migrate (migrate.c) */
int cli_search (cli_args_t *args);     /* search, export cases */
/*  Issues a gateway token (CG_TOKEN_MAX bytes into token); 0, or 1 after
    saying why. */
int cli_token_issue (zconfig_t *config, const char *role, const char *scope,
                     const char *name, char *token);
/*  The same, expiring after days (cli_token_issue: 365). */
int cli_token_issue_days (zconfig_t *config, const char *role, const char *scope,
                          const char *name, int days, char *token);
void cli_demo_load (zconfig_t *config);
int cli_print_view (cli_args_t *args, cg_case_view_t *view);
int cli_dispatch (cli_args_t *args);

/*  commands.c: the one table of commands and their options.  The options
    that take no value (for cli_args_parse); every command's usage; and
    running the command args names: its --help, an unknown option refused
    naming it, or its handler.  Returns the exit code (2: a usage error). */
const char *const *cli_flags (void);
void cli_usage (FILE *out);
int cli_run (cli_args_t *args);

#endif
