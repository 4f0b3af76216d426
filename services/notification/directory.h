/*  directory — the people notification can reach, and how each wants it.

    The org tree (common/cg_orgtree) names centers, units and grids; the
    directory file (deploy/notify/directory.tsv, format in
    docs/NOTIFICATION.md) names the people who work in them: the grid
    worker (网格员) of a grid, the community's staff, a center's operators
    (值班员), fund committee members.  Each line gives a person's role, the
    org node they sit at, their language, their channels for normal and for
    urgent notices (in order of preference: the second is the fallback when
    the first keeps failing), their quiet hours and whether non-urgent
    notices come one by one or as a digest.

    A route is "CHANNEL ADDRESS": "webhook http://...", "email a@b.cn",
    "inbox person:w001". */
#ifndef DIRECTORY_H_INCLUDED
#define DIRECTORY_H_INCLUDED

#include "cg_orgtree.h"
#include <stdbool.h>
#include <stdint.h>

#define DIRECTORY_ROUTES 4

typedef struct {
    char *id;                           /* "person:w001" */
    char *name;
    char *role;                         /* grid_worker, community, operator, committee, ... */
    const cg_org_node_t *org;
    char *lang;                         /* zh-CN or en */
    char *routes[DIRECTORY_ROUTES];     /* normal notices */
    int nroutes;
    char *urgent[DIRECTORY_ROUTES];     /* urgent notices */
    int nurgent;
    int quiet_from, quiet_to;           /* minutes of the local day; -1: none */
    bool digest;                        /* non-urgent notices wait for the digest */
} person_t;

typedef struct _directory_t directory_t;

/*  Loads path (NULL: nobody); NULL with "path:LINE: reason" in err. */
directory_t *directory_load (const char *path, cg_orgtree_t *org, char *err, size_t errlen);
void directory_destroy (directory_t **self_p);

/*  The person with this id ("person:w001" or "w001"), or NULL. */
const person_t *directory_person (directory_t *self, const char *id);

/*  The people at org node code with this role ("*": any), up to max;
    returns how many. */
size_t directory_at (directory_t *self, const char *code, const char *role,
                     const person_t **out, size_t max);

/*  True when an unacknowledged urgent notice may be passed up to person:
    a center's operator or leader, a community's staff (role community at
    a community), never a topic's or a fund's parties. */
bool directory_takes_escalation (const person_t *person);

/*  The next people up from an org node (网格员 → 社区 → 街道): those who
    take escalations (directory_takes_escalation) at the nearest ancestor
    that has any. */
size_t directory_above (directory_t *self, const cg_org_node_t *node,
                        const person_t **out, size_t max);

/*  When a non-urgent notice to this person may go out, at or after now:
    now, or the end of their quiet hours. */
int64_t directory_quiet_until (const person_t *person, int64_t now);

/*  Parses "HH:MM-HH:MM" into minutes; -1 when malformed. */
int directory_parse_window (const char *text, int *from, int *to);

#endif
