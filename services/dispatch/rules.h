/*  rules — what dispatch's rules are functions of, besides the case and
    the time: the data files (the org tree, the catalog, the working
    calendar) and the settings that bend them.  Routing (route.c),
    deadlines (deadlines.c) and planning an action (plan.c) read only
    this, never Redis, so that the unit tests call them with data files
    alone (tests/unit/test_deadlines.c, test_plan.c, test_route.c). */
#ifndef DISPATCH_RULES_H_INCLUDED
#define DISPATCH_RULES_H_INCLUDED

#include "cg_calendar.h"
#include "cg_catalog.h"
#include "cg_orgtree.h"

typedef struct {
    cg_orgtree_t *org;
    cg_catalog_t *catalog;
    cg_calendar_t *calendar;
    int urgent_sign_min;        /* an urgent case's limits at most (紧急) */
    int urgent_done_min;
    int reopen_days;            /* days after closing a citizen may reopen */
} dispatch_rules_t;

#endif
