/*  needs — needs and offers (供需对接): volunteers registered, needs
    posted for residents, offers of volunteers and donors, the matching of
    one to the other, the confirmation by the person served (which the
    time bank of civgrid-fund credits), needs past their date, and the
    statistics published per community and month. */
#ifndef CONSULTATION_NEEDS_H_INCLUDED
#define CONSULTATION_NEEDS_H_INCLUDED

#include "consultation.h"

typedef struct _needs_t needs_t;

/*  NULL when the sealing key (intake/key) is missing or malformed. */
needs_t *needs_new (consultation_t *consultation);
void needs_destroy (needs_t **self_p);

/*  Needs past their date, unmatched, become expired (need.expired: the
    community's operators are told); on a 1 s timer. */
int needs_on_timer (zloop_t *loop, int timer_id, void *arg);

cg_command_fn needs_on_volunteer;   /* volunteer.register */
cg_command_fn needs_on_post;        /* need.post */
cg_command_fn needs_on_offer;       /* offer.post */
cg_command_fn needs_on_show;        /* need.show */
cg_command_fn needs_on_list;        /* need.list */
cg_command_fn needs_on_propose;     /* need.propose */
cg_command_fn needs_on_match;       /* need.match */
cg_command_fn needs_on_accept;      /* match.accept */
cg_command_fn needs_on_decline;     /* match.decline */
cg_command_fn needs_on_confirm;     /* need.confirm */
cg_command_fn needs_on_stats;       /* need.stats */

#endif
