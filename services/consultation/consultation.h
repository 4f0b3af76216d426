/*  consultation — what the daemon's modules share: the loaded data, the
    settings, and the two ways every change is made (a script that
    journals, then the events published) and every topic is raised (a
    topic spec, from a command or from a hot spot). */
#ifndef CONSULTATION_H_INCLUDED
#define CONSULTATION_H_INCLUDED

#include "cg_daemon.h"
#include "cg_catalog.h"
#include "cg_orgtree.h"
#include "roster.h"

#define CONSULTATION_PREFIX "cg:{consultation}:"

/*  The source a task's case.submit names at intake. */
#define CONSULTATION_TASK_SOURCE "consultation"

typedef struct {
    cg_daemon_t *daemon;
    cg_orgtree_t *org;
    cg_catalog_t *catalog;
    roster_t *rosters;
    cg_client_t *intake;
    int64_t publish_ms;         /* a resolution is due for publication this long after its decision */
    int64_t result_ms;          /* the result, this long after the resolution is published */
    int64_t task_tries;         /* intake may refuse a task this often before it is a dead letter */
    int64_t task_retry_ms;      /* and it is tried again this long after a refusal */
    const char *hotspot_categories;     /* "catalog" (its consult flag), "none", or a list */
    char cursor_key[128];
    bool aof_dirty;             /* a secret vote may be in the AOF's history: rewrite it */
} consultation_t;

consultation_t *consultation_new (cg_daemon_t *daemon);
void consultation_destroy (consultation_t **self_p);

/*  Runs a consultation script and publishes the events it journaled.
    Returns 0 with its answer in answer (may be NULL), 1 when it refused
    (reply filled with the rule), 2 when it changed nothing because a
    feed's cursor (see cg_feed_fn) or the topic had moved since the daemon
    read it (plan.h), -1 when Redis failed (reply filled). */
int consultation_run (consultation_t *self, const char *script, cg_args_t *args,
                      cg_reply_t *reply, char *answer, size_t len);

/*  Makes a change: plan reads where the topic stands and fills args for
    the script (0), or refuses in reply (1, or -1 when Redis failed); the
    script runs with them.  When the topic moved between the reading and
    the script (the script answers 'moved' and changes nothing), the change
    is planned again, a few times.  Returns as consultation_run. */
typedef int (consultation_plan_fn) (consultation_t *self, void *request, cg_args_t *args,
                                    cg_reply_t *reply);
int consultation_change (consultation_t *self, const char *script, consultation_plan_fn *plan,
                         void *request, cg_reply_t *reply, char *answer, size_t len);

/*  Secret ballots (无记名投票, docs/CONSULTATION.md): the script of a
    secret vote writes the voter's mark and the anonymous count together,
    so Redis's append-only file logs them side by side until it is
    rewritten from what Redis holds (a set of voters, three counts).  Asks
    Redis for that rewrite when a secret vote may have been written since
    the last one began; called after such a vote and on every tick, so that
    a rewrite already under way (begun before the vote) is followed by
    another. */
void consultation_compact_aof (consultation_t *self);

/*  A page of the ids in the sorted set at key (newest first when
    newest_first) after the query's cursor (cg_cursor_page: command's
    list, a query of def), with the set's size in total and the cursor of
    the next page in next ("" on the last).  Returns 0, or -1 after
    refusing (a bad cursor, names `cursor`) or failing in reply. */
int consultation_page (consultation_t *self, const char *command, const cg_msgdef_t *def,
                       const void *query, const char *key, bool newest_first, int64_t limit,
                       cg_zpage_t *ids, int64_t *total, char *next, cg_reply_t *reply);

/*  Checks a topic to be raised; 0, or -1 with the refusal in reply. */
int consultation_check (consultation_t *self, const cg_topic_create_t *req, cg_reply_t *reply);

/*  Adds the topic spec of req (deploy/lua/consultation/lib.lua read_spec):
    its fields, the stages of its procedure and the rosters it copies. */
void consultation_add_spec (consultation_t *self, cg_args_t *args, const cg_topic_create_t *req,
                            const char *hotspot);


#endif
