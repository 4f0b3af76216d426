/*  fund — a fund as the file describes it (data/funds, docs/FUND.md): the
    one type the rules of who may act on it (access.c), the ledger's
    accounts and the funds' requests (funds.c) all read. */
#ifndef FUND_FUND_H_INCLUDED
#define FUND_FUND_H_INCLUDED

#include <czmq.h>
#include "cg_orgtree.h"

#define FUND_TIERS  8

/*  A fund as the file describes it. */
typedef struct {
    char *code;
    char *name;
    const cg_org_node_t *area;          /* the community or street (town) it serves */
    char ledger[4];
    bool served_rule;                   /* time bank: the person served confirms */
    char **committee;
    size_t committee_count;
    int64_t tier_from[FUND_TIERS];      /* from this amount on ... */
    int tier_need[FUND_TIERS];          /* ... this many approvals */
    int tiers;
    int64_t resolution_above;
    int64_t timeout_s;
    zconfig_t *projects;                /* code = name of each project */
    int due_day;                        /* the month's report is due by the end of this day of the next */
} fund_t;

#endif
