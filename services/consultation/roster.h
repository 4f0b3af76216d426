/*  roster — who deliberates in each community (议事协商的参与主体).

    The rosters file (deploy/demo/rosters.tsv, format in
    docs/CONSULTATION.md) lists, per community or village, the members of
    each body: the party branch, the two committees, the party members'
    meeting, the representatives' meeting, and the parties invited to a
    plain consultation.  A topic copies the rosters of its community when
    it is raised. */
#ifndef CONSULTATION_ROSTER_H_INCLUDED
#define CONSULTATION_ROSTER_H_INCLUDED

#include "cg_daemon.h"
#include "cg_orgtree.h"

typedef struct _roster_t roster_t;

/*  Loads the file; every community must be a community of the org tree
    and every body one of roster_bodies.  NULL with "path:LINE: reason". */
roster_t *roster_load (const char *path, cg_orgtree_t *org, char *err, size_t errlen);
void roster_destroy (roster_t **self_p);

/*  The members of a community's body (body NULL: every body), in file
    order, into out (up to max); returns how many there are. */
size_t roster_members (roster_t *self, const char *community, const char *body,
                       cg_topic_member_t *out, size_t max);

/*  The bodies, NULL-terminated: party_branch, committees, party_members,
    representatives, invited. */
extern const char *const roster_bodies[];

/*  True when body is a known body name. */
bool roster_body_known (const char *body);

#endif
