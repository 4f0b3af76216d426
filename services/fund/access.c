/*  access — who may do what with a fund.

    The gateway authenticates a caller by its token and passes on two
    things it vouches for: the actor and the role.  The actor is written
    as the gateway writes it for every daemon (gw_actor):
        NAME                a person, the whole tree (the CLI)
        KIND:NAME           admin:NAME, operator:NAME: the whole tree
        KIND:CODE:NAME      center:CODE:NAME, unit:CODE:NAME: a person who
                            speaks for the center CODE (a unit for the
                            center it hangs under)
    The person is the last part, and it is what the fund's committee, the
    requester of a request and the person served in the time bank are
    compared with.  The role is a token's role (cg_token.h).

    The rules, each named in its refusal:
    - people_only: a machine's role (hotline, device_vendor, open311)
      never acts on a fund;
    - ledger_admin: opening accounts and raw transfers (corrections
      included) are for an admin;
    - own_minutes: but a volunteer spends or donates their own minutes of
      the time bank (时间银行) with plain transfers from CODE.v.PERSON to
      the pool CODE or another account of the same time bank;
    - donation_desk: a donation is taken by an operator, supervisor or
      admin;
    - a request is made by any person, who is recorded as its requester;
    - approvers_decide: a request is decided by one of its approvers (the
      fund's committee, or in the time bank the person served), a person;
      that the requester never decides their own is checked with the
      request itself (deploy/lua/fund/fund_decide.lua);
    - report_publisher: a month's report is published by a supervisor or
      admin, or a committee member;
    - fund_area: whoever speaks for a place acts only on funds whose area
      lies within it (a town's center, its communities' funds) or that it
      lies within (a grid's worker, the community's fund). */
#include "access.h"
#include "cg_token.h"
#include "cg_text.h"

#define S_MACHINE   (CG_ROLE_HOTLINE | CG_ROLE_DEVICE | CG_ROLE_OPEN311)

int
access_caller (cg_orgtree_t *org, const char *actor, const char *role, fund_caller_t *caller,
               cg_reply_t *reply)
{
    memset (caller, 0, sizeof *caller);
    caller->role = role ? cg_role_parse (role) : 0;
    if (!caller->role) {
        cg_reply_fail (reply, "invalid", "role", "%s is not a role (operator, supervisor, admin, "
                       "grid_worker, ...): the gateway passes the caller's", role ? role : "nothing");
        return -1;
    }
    const char *parts[4] = { actor };
    int n = 1;
    for (const char *c = actor; c && *c && n < 4; c++) {
        if ((unsigned char) *c < 0x20 || *c == 0x7f) {
            cg_reply_fail (reply, "invalid", "actor", "an actor has no control characters");
            return -1;
        }
        if (*c == ':')
            parts[n++] = c + 1;
    }
    const char *person = parts[n - 1];
    if (!actor || n > 3 || !*person) {
        cg_reply_fail (reply, "invalid", "actor", "an actor is NAME, KIND:NAME or KIND:CODE:NAME "
                       "(center:320602001:王芳), not %s", actor ? actor : "nothing");
        return -1;
    }
    snprintf (caller->person, sizeof caller->person, "%s", person);
    if (n == 3) {
        char code[64];
        snprintf (code, sizeof code, "%.*s", (int) (parts[2] - parts[1] - 1), parts[1]);
        caller->scope = cg_orgtree_find (org, code);
        if (!caller->scope || (strncmp (actor, "center:", 7) && strncmp (actor, "unit:", 5))) {
            cg_reply_fail (reply, "invalid", "actor", "%s: an actor that names a place is "
                           "center:CODE:NAME or unit:CODE:NAME, CODE in the org tree", actor);
            return -1;
        }
        if (caller->scope->kind == CG_ORG_UNIT)
            caller->scope = caller->scope->parent;
    }
    return 0;
}

static bool
s_listed (const char *person, char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp (list[i], person) == 0)
            return true;
    return false;
}

int
access_check (const fund_caller_t *caller, access_act_t act, const fund_t *f,
              char **approvers, size_t napprovers, cg_reply_t *reply)
{
    const char *role = cg_role_name (caller->role);
    if (caller->role & S_MACHINE) {
        cg_reply_fail (reply, "forbidden", "role", "the role %s is a machine's; only people act on "
                       "a fund (rule people_only)", role);
        return -1;
    }
    if (act == ACCESS_LEDGER) {
        if (caller->role != CG_ROLE_ADMIN) {
            cg_reply_fail (reply, "forbidden", "role", "opening accounts and transfers between "
                           "them (corrections too) need the role admin, not %s (rule ledger_admin)",
                           role);
            return -1;
        }
        return 0;
    }
    if (caller->scope && !cg_orgtree_within (f->area, caller->scope)
    &&  !cg_orgtree_within (caller->scope, f->area)) {
        cg_reply_fail (reply, "forbidden", "actor", "%s speaks for %s %s, and %s %s belongs to "
                       "%s %s, apart from it (rule fund_area)", caller->person,
                       caller->scope->code, caller->scope->name,
                       act == ACCESS_GOODS ? "site" : "fund", f->code, f->area->code,
                       f->area->name);
        return -1;
    }
    int desk = CG_ROLE_OPERATOR | CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN;
    if (act == ACCESS_DONATE && !(caller->role & desk)) {
        cg_reply_fail (reply, "forbidden", "role", "a donation is taken by an operator, supervisor "
                       "or admin, not a %s (rule donation_desk)", role);
        return -1;
    }
    if (act == ACCESS_GOODS && !(caller->role & desk)) {
        cg_reply_fail (reply, "forbidden", "role", "goods in kind and redemptions at site %s are "
                       "recorded by an operator, supervisor or admin, not a %s (rule site_desk)",
                       f->code, role);
        return -1;
    }
    if (act == ACCESS_DECIDE && !s_listed (caller->person, approvers, napprovers)) {
        cg_reply_fail (reply, "forbidden", "actor", "%s may not decide requests of fund %s: only "
                       "its approvers may, the committee, or in the time bank the person served "
                       "(rule approvers_decide)", caller->person, f->code);
        return -1;
    }
    if (act == ACCESS_PUBLISH && !(caller->role & (CG_ROLE_SUPERVISOR | CG_ROLE_ADMIN))
    &&  !s_listed (caller->person, approvers, napprovers)) {
        cg_reply_fail (reply, "forbidden", "actor", "%s (%s) may not publish fund %s's report: a "
                       "supervisor, an admin or a committee member does (rule report_publisher)",
                       caller->person, role, f->code);
        return -1;
    }
    return 0;
}

/*  Whether t moves the person's own minutes within their time bank. */
static bool
s_own_minutes (const char *person, const cg_fund_transfer_t *t)
{
    const char *v = t->debit ? strstr (t->debit, ".v.") : NULL;
    if (!v || !streq (v + 3, person) || !t->credit || (t->ledger && !streq (t->ledger, "min")))
        return false;
    size_t code = (size_t) (v - t->debit);
    if (strncmp (t->credit, t->debit, code) || (t->credit[code] && t->credit[code] != '.'))
        return false;
    for (size_t i = 0; i < t->flags_count; i++)
        if (!streq (t->flags[i], "linked"))
            return false;
    return true;
}

int
access_transfers (const fund_caller_t *caller, cg_fund_transfer_t *transfers, size_t n,
                  cg_reply_t *reply)
{
    if (caller->role == CG_ROLE_ADMIN)
        return 0;
    if (caller->role & S_MACHINE)
        return access_check (caller, ACCESS_LEDGER, NULL, NULL, 0, reply);
    for (size_t i = 0; i < n; i++) {
        cg_fund_transfer_t *t = &transfers[i];
        if (!s_own_minutes (caller->person, t)) {
            char field[48];
            snprintf (field, sizeof field, "transfers[%zu].debit", i);
            cg_reply_fail (reply, "forbidden", field, "transfers between accounts need the role "
                           "admin (rule ledger_admin); a %s moves only their own minutes, plain "
                           "from CODE.v.%s within its time bank (rule own_minutes)",
                           cg_role_name (caller->role), caller->person);
            return -1;
        }
        if (!t->ledger)
            t->ledger = cg_strdup ("min");
    }
    return 0;
}
