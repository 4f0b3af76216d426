/*  funds — charity funds (社区慈善基金) and the time bank (时间银行).

    The funds come from a file (data/funds, deploy/demo/funds.cfg): each
    has a code, a ledger, a committee and an approval rule.  On start every
    fund's accounts are opened (opening is idempotent).  Each command here
    turns into one script call that does the ledger transfer and the
    fund's bookkeeping together:
    - a donation is a posted transfer CODE.donors -> CODE or CODE.PROJECT,
      with a receipt numbered per fund and year;
    - a disbursement request is a pending transfer CODE[.PROJECT] ->
      CODE.beneficiaries that reserves the money, with the fund's timeout;
      in the time bank it is CODE.issuer -> CODE.v.VOLUNTEER;
    - approvals are counted against the number the rule asks for the
      amount; the one that completes it posts the transfer, a rejection
      voids it, and the timeout voids it by itself (funds_expire).
    Who may do what is access.c's: the requester is the actor the gateway
    vouched for, never a name typed in, and may never decide their own
    request; in the time bank only the person served may confirm.  From a
    fund's resolution_above on, the request names a consultation topic
    whose resolution was adopted in the fund's area (resolutions.c). */
#include "funds.h"
#include "access.h"
#include "resolutions.h"
#include "cg_clock.h"
#include "cg_config.h"
#include <ctype.h>

#define S_ANON      "匿名"


struct _funds_t {
    cg_daemon_t *daemon;
    ledger_t *ledger;
    cg_orgtree_t *org;
    resolutions_t *resolutions;
    zconfig_t *file;
    fund_t funds[64];
    int nfunds;
};

fund_t *
funds_find (funds_t *self, const char *code)
{
    for (int i = 0; code && i < self->nfunds; i++)
        if (strcmp (self->funds[i].code, code) == 0)
            return &self->funds[i];
    return NULL;
}

cg_orgtree_t *
funds_org (funds_t *self)
{
    return self->org;
}

static int
s_load_fund (funds_t *self, fund_t *f, zconfig_t *section)
{
    f->code = zconfig_name (section);
    /*  the code prefixes account ids (CODE.beneficiaries, CODE.v.NAME) and
        names the fund's settings (fund/CODE/timeout): one that cannot is
        refused here, before a setting is read by it */
    if (!ledger_account_id_ok (f->code) || strlen (f->code) > 40)
        return -1;
    /*  a community fund (社区慈善基金) or a street's (街道), which covers its communities */
    f->area = cg_orgtree_find (self->org, zconfig_get (section, "area", ""));
    if (!f->area || (f->area->kind != CG_ORG_COMMUNITY && f->area->kind != CG_ORG_TOWN))
        return -1;
    f->name = zconfig_get (section, "name", f->code);
    snprintf (f->ledger, sizeof f->ledger, "%s", zconfig_get (section, "ledger", "cny"));
    if (!ledger_account_id_ok (f->code) || (strcmp (f->ledger, "cny") && strcmp (f->ledger, "min")))
        return -1;
    const char *rule = zconfig_get (section, "rule", "0:1");
    f->served_rule = strcmp (rule, "served") == 0;
    for (const char *p = rule; !f->served_rule && *p && f->tiers < FUND_TIERS; ) {
        long long from;
        int need, used;
        if (sscanf (p, "%lld:%d%n", &from, &need, &used) != 2 || need < 1 || need > 100)
            return -1;
        f->tier_from[f->tiers] = from;
        f->tier_need[f->tiers++] = need;
        p += used;
        while (*p == ' ')
            p++;
    }
    char *members = strdup (zconfig_get (section, "committee", ""));
    for (char *m = strtok (members, ", "); m; m = strtok (NULL, ", ")) {
        f->committee = realloc (f->committee, (f->committee_count + 1) * sizeof (char *));
        f->committee[f->committee_count++] = strdup (m);
    }
    free (members);
    /*  checked with the whole file by funds_load (cg_config_check) */
    char key[200];
    int64_t due_day;
    snprintf (key, sizeof key, "fund/%s/resolution_above", f->code);
    cg_config_int (self->file, NULL, key, &f->resolution_above, NULL, 0);
    snprintf (key, sizeof key, "fund/%s/timeout", f->code);
    cg_config_int (self->file, NULL, key, &f->timeout_s, NULL, 0);
    snprintf (key, sizeof key, "fund/%s/report_due_day", f->code);
    cg_config_int (self->file, NULL, key, &due_day, NULL, 0);
    f->due_day = (int) due_day;
    f->projects = zconfig_locate (section, "project");
    return 0;
}

/*  Opens the accounts of every fund. */
static int
s_open_accounts (funds_t *self)
{
    cg_fund_account_t accounts[64];
    cg_fund_result_t results[64];
    for (int i = 0; i < self->nfunds; i++) {
        fund_t *f = &self->funds[i];
        char *no_overdraft[] = { "no_overdraft" };
        size_t n = 0;
        char ids[64][80];
        const char *suffixes[] = { "", ".donors", ".beneficiaries", ".custodian", ".issuer" };
        const char *kinds[] = { "fund", "donors", "beneficiaries", "custodian", "issuer" };
        for (int k = 0; k < 5; k++) {
            if ((k == 4) != (strcmp (f->ledger, "min") == 0) && k != 0)
                continue;
            snprintf (ids[n], sizeof ids[n], "%s%s", f->code, suffixes[k]);
            bool limited = k == 0 || k == 3;
            accounts[n] = (cg_fund_account_t) { .id = ids[n], .ledger = f->ledger,
                .kind = (char *) kinds[k], .name = f->name, .fund = f->code,
                .flags = limited ? no_overdraft : NULL, .flags_count = limited };
            n++;
        }
        for (zconfig_t *p = f->projects ? zconfig_child (f->projects) : NULL; p && n < 60;
             p = zconfig_next (p)) {
            snprintf (ids[n], sizeof ids[n], "%s.%s", f->code, zconfig_name (p));
            accounts[n] = (cg_fund_account_t) { .id = ids[n], .ledger = f->ledger,
                .kind = "project", .name = zconfig_value (p), .fund = f->code,
                .flags = no_overdraft, .flags_count = 1 };
            n++;
        }
        cg_error_t err;
        if (ledger_open (self->ledger, accounts, n, results, &err)) {
            zsys_error ("fund: cannot open the accounts of %s: %s", f->code, err.message);
            return -1;
        }
        for (size_t k = 0; k < n; k++) {
            if (strcmp (results[k].result, "exists_with_different_fields") == 0)
                zsys_warning ("fund: account %s exists with other settings", results[k].id);
            free (results[k].id);
            free (results[k].result);
        }
    }
    return 0;
}

funds_t *
funds_load (const char *path, cg_orgtree_t *org, char *err, size_t errlen)
{
    funds_t *self = calloc (1, sizeof *self);
    assert (self);
    self->org = org;
    self->file = cg_zpl_load (path);
    zconfig_t *list = self->file ? zconfig_locate (self->file, "fund") : NULL;
    if (!list) {
        snprintf (err, errlen, "cannot read the funds from %s", path);
        funds_destroy (&self);
        return NULL;
    }
    if (cg_config_check (self->file, path, err, errlen)) {
        funds_destroy (&self);
        return NULL;
    }
    for (zconfig_t *s = zconfig_child (list); s && self->nfunds < 64; s = zconfig_next (s))
        if (s_load_fund (self, &self->funds[self->nfunds++], s)) {
            snprintf (err, errlen, "%s: fund %s is invalid (code, area, ledger or rule)", path,
                      zconfig_name (s));
            funds_destroy (&self);
            return NULL;
        }
    return self;
}

funds_t *
funds_new (cg_daemon_t *daemon, ledger_t *ledger, cg_orgtree_t *org, resolutions_t *resolutions)
{
    char err[512];
    funds_t *self = funds_load (cg_daemon_get (daemon, "data/funds", "deploy/demo/funds.cfg"),
                                org, err, sizeof err);
    if (!self) {
        zsys_error ("fund: %s", err);
        return NULL;
    }
    self->daemon = daemon;
    self->ledger = ledger;
    self->resolutions = resolutions;
    if (s_open_accounts (self) || ledger_chain (ledger) < 0) {
        funds_destroy (&self);
        return NULL;
    }
    return self;
}

fund_t *
funds_at (funds_t *self, int index)
{
    return index >= 0 && index < self->nfunds ? &self->funds[index] : NULL;
}

void
funds_destroy (funds_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    funds_t *self = *self_p;
    for (int i = 0; i < self->nfunds; i++) {
        for (size_t k = 0; k < self->funds[i].committee_count; k++)
            free (self->funds[i].committee[k]);
        free (self->funds[i].committee);
    }
    zconfig_destroy (&self->file);
    free (self);
    *self_p = NULL;
}

/* --- shared pieces -------------------------------------------------------- */

/*  "a,b,c", malloc'd. */
static char *
s_join (char **items, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen (items[i]) + 1;
    char *out = calloc (1, len);
    assert (out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat (out, ",");
        strcat (out, items[i]);
    }
    return out;
}

/*  The account a donation or request names: the fund, or one of its
    projects.  Returns 0 or fails the reply. */
static int
s_account_of (fund_t *f, const char *project, char *out, size_t len, cg_reply_t *reply)
{
    if (!project) {
        snprintf (out, len, "%s", f->code);
        return 0;
    }
    if (!f->projects || !zconfig_locate (f->projects, project)) {
        cg_reply_fail (reply, "not_found", "project", "fund %s has no project %s", f->code,
                       project);
        return -1;
    }
    snprintf (out, len, "%s.%s", f->code, project);
    return 0;
}

/* --- donations ------------------------------------------------------------ */

void
funds_on_donate (void *request, cg_reply_t *reply, void *arg)
{
    funds_t *self = arg;
    cg_fund_donate_t *req = request;
    fund_caller_t caller;
    fund_t *f = funds_for (self, req->fund, req->actor, req->role, ACCESS_DONATE, NULL, 0,
                           &caller, reply);
    char account[80], donors[80], year[8];
    if (!f || s_account_of (f, req->project, account, sizeof account, reply))
        return;
    snprintf (donors, sizeof donors, "%s.donors", f->code);
    int64_t now = cg_clock_now ();
    char iso[40];
    cg_time_iso (now, iso, sizeof iso);
    snprintf (year, sizeof year, "%.4s", iso);
    const char *shown = req->anonymous || !req->donor ? S_ANON : req->donor;
    cg_fund_transfer_t t = { .id = req->id, .debit = donors, .credit = account,
                             .amount = req->amount, .ledger = f->ledger, .code = 1,
                             .memo = "donation" };
    cg_args_t args;
    if (ledger_args_begin (&args, now, &t, reply))
        return;
    cg_fund_donated_t event = { .fund = f->code, .account = account, .id = args.argv[2],
                                .donor = (char *) shown, .amount = req->amount,
                                .channel = req->channel, .at = now };
    cg_args_add_str (&args, f->code);
    cg_args_add_str (&args, year);
    cg_args_add_str (&args, shown);
    cg_args_add_str (&args, req->donor ? req->donor : "");
    cg_args_add_str (&args, req->channel);
    cg_args_add_str (&args, req->ref ? req->ref : "");
    cg_args_add_str (&args, req->actor);
    cg_args_add_str (&args, req->role);
    cg_args_add_msg (&args, &cg_fund_donated_def, &event);
    const char *status;
    redisReply *r = ledger_run (self->ledger, "fund_donate", &args, "ok", "fund.donated", args.argc - 1,
                           account, &status, reply);
    if (r) {
        cg_fund_receipt_t rec = { .receipt = (char *) cg_reply_str (r->element[2]),
            .id = args.argv[2], .fund = f->code, .account = account, .donor = (char *) shown,
            .amount = req->amount, .channel = req->channel, .entry = r->element[1]->integer,
            .at = now, .repeat = strcmp (status, "exists") == 0,
            .taken_by = (char *) cg_reply_str (r->element[3]) };
        cg_reply_ok (reply, &cg_fund_receipt_def, &rec);
        freeReplyObject (r);
    }
    cg_args_free (&args);
}

/* --- requests and decisions ----------------------------------------------- */

static int
s_need (fund_t *f, int64_t amount)
{
    int need = 1;
    for (int i = 0; i < f->tiers; i++)
        if (amount >= f->tier_from[i])
            need = f->tier_need[i];
    return need;
}

/*  时间银行: a volunteer's minutes come from the issuer, once the person
    served confirms.  Opens the volunteer's account; 0 or -1 with reply. */
static int
s_time_bank (funds_t *self, fund_t *f, cg_fund_request_t *req, char *debit, size_t dlen,
             char *credit, size_t clen, cg_reply_t *reply)
{
    if (!req->served) {
        cg_reply_fail (reply, "invalid", "served", "the time bank needs the person served, "
                       "who confirms the service");
        return -1;
    }
    if (!ledger_account_id_ok (req->beneficiary) || strlen (req->beneficiary) > 40) {
        cg_reply_fail (reply, "invalid", "beneficiary", "a volunteer's id is letters, "
                       "digits and . _ - (at most 40)");
        return -1;
    }
    snprintf (debit, dlen, "%s.issuer", f->code);
    cg_error_t err;
    if (funds_open_volunteer (self, f, req->beneficiary, credit, clen, &err)) {
        cg_reply_error (reply, &err);
        return -1;
    }
    return 0;
}

int
funds_open_volunteer (funds_t *self, fund_t *f, const char *volunteer, char *account,
                      size_t len, cg_error_t *err)
{
    snprintf (account, len, "%s.v.%s", f->code, volunteer);
    cg_fund_account_t a = { .id = account, .ledger = f->ledger, .kind = "volunteer",
        .name = (char *) volunteer, .fund = f->code,
        .flags = (char *[]) { "no_overdraft" }, .flags_count = 1 };
    cg_fund_result_t opened;
    if (ledger_open (self->ledger, &a, 1, &opened, err))
        return -1;
    free (opened.id);
    free (opened.result);
    return 0;
}

void
funds_on_request (void *request, cg_reply_t *reply, void *arg)
{
    funds_t *self = arg;
    cg_fund_request_t *req = request;
    fund_caller_t caller;
    fund_t *f = funds_for (self, req->fund, req->actor, req->role, ACCESS_REQUEST, NULL, 0,
                           &caller, reply);
    if (!f)
        return;
    char debit[80], credit[160];
    char *served[1] = { req->served };
    char **approvers = f->committee;
    size_t napprovers = f->committee_count;
    int need = s_need (f, req->amount);
    if (f->served_rule) {
        if (s_time_bank (self, f, req, debit, sizeof debit, credit, sizeof credit, reply))
            return;
        approvers = served;
        napprovers = 1;
        need = 1;
    }
    else {
        if (s_account_of (f, req->project, debit, sizeof debit, reply))
            return;
        snprintf (credit, sizeof credit, "%s.beneficiaries", f->code);
        if (f->resolution_above > 0 && req->amount >= f->resolution_above) {
            if (!req->resolution) {
                cg_reply_fail (reply, "invalid", "resolution", "from %lld.%02lld yuan on, fund %s "
                               "needs the consultation topic whose resolution (议事决议) is "
                               "behind the request", (long long) f->resolution_above / 100,
                               (long long) f->resolution_above % 100, f->code);
                return;
            }
            if (resolutions_check (self->resolutions, f->area, req->resolution, reply))
                return;
        }
        if ((size_t) need > napprovers) {
            cg_reply_fail (reply, "forbidden", "amount", "fund %s's committee is too small to "
                           "approve that much", f->code);
            return;
        }
    }
    int64_t now = cg_clock_now ();
    cg_fund_transfer_t t = { .id = req->id, .debit = debit, .credit = credit,
                             .amount = req->amount, .ledger = f->ledger, .code = 2,
                             .flags = (char *[]) { "pending" }, .flags_count = 1,
                             .timeout = f->timeout_s, .memo = "request" };
    cg_args_t args;
    if (ledger_args_begin (&args, now, &t, reply))
        return;
    cg_fund_approval_requested_t event = { .fund = f->code, .id = args.argv[2],
        .amount = req->amount, .purpose = req->purpose, .requester = caller.person,
        .need = need, .approvers = approvers, .approvers_count = napprovers,
        .expires = now + f->timeout_s * 1000, .at = now };
    int body_at = args.argc;
    cg_args_add_msg (&args, &cg_fund_approval_requested_def, &event);
    char need_s[8], *attachments = s_join (req->attachments, req->attachments_count);
    snprintf (need_s, sizeof need_s, "%d", need);
    char *joined = s_join (approvers, napprovers);
    const char *fields[][2] = {
        { "fund", f->code }, { "ledger", f->ledger },
        { "project", req->project ? req->project : "" },
        { "beneficiary", req->beneficiary }, { "amount", args.argv[5] },
        { "purpose", req->purpose }, { "requester", caller.person },
        { "actor", req->actor }, { "role", req->role },
        { "resolution", req->resolution ? req->resolution : "" }, { "need", need_s },
        { "approvers", joined }, { "attachments", attachments } };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        cg_args_add_str (&args, fields[i][0]);
        cg_args_add_str (&args, fields[i][1]);
    }
    free (joined);
    free (attachments);
    const char *status;
    redisReply *r = ledger_run (self->ledger, "fund_request", &args, "ok", "fund.approval_requested", body_at,
                           debit, &status, reply);
    if (r) {
        funds_on_show (&(cg_fund_get_t) { .id = args.argv[2] }, reply, self);
        freeReplyObject (r);
    }
    cg_args_free (&args);
}

/*  Splits "a,b" into a list of the message (malloc'd). */
static void
s_split (const char *text, char ***items, size_t *n)
{
    char *copy = strdup (text);
    *items = NULL;
    *n = 0;
    for (char *s = strtok (copy, ","); s; s = strtok (NULL, ",")) {
        *items = realloc (*items, (*n + 1) * sizeof (char *));
        (*items)[(*n)++] = strdup (s);
    }
    free (copy);
}

/*  Loads a request; 0, 1 when there is none, -1 when Redis failed. */
static int
s_load_request (funds_t *self, const char *id, cg_fund_request_view_t *view)
{
    memset (view, 0, sizeof *view);
    redisReply *r = cg_redis_command (self->daemon->redis, "HGETALL " LEDGER_PREFIX "req:%s", id);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    int rc = r->elements ? 0 : 1;
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const char *key = r->element[i]->str, *value = r->element[i + 1]->str;
        if (r->element[i + 1]->len == 0)
            continue;
        if (strcmp (key, "approvers") == 0)
            s_split (value, &view->approvers, &view->approvers_count);
        else
        if (strcmp (key, "attachments") == 0)
            s_split (value, &view->attachments, &view->attachments_count);
        else
            cg_msg_set (&cg_fund_request_view_def, view, key, value, r->element[i + 1]->len);
    }
    freeReplyObject (r);
    if (rc)
        return rc;
    view->id = strdup (id);
    r = cg_redis_command (self->daemon->redis, "SMEMBERS " LEDGER_PREFIX "req:%s:approvals", id);
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements) {
        view->approvals = calloc (r->elements, sizeof (char *));
        assert (view->approvals);
        for (size_t i = 0; i < r->elements; i++)
            view->approvals[view->approvals_count++] = strdup (r->element[i]->str);
    }
    if (r)
        freeReplyObject (r);
    return 0;
}

void
funds_on_show (void *request, cg_reply_t *reply, void *arg)
{
    cg_fund_get_t *req = request;
    cg_fund_request_view_t view;
    int rc = s_load_request (arg, req->id, &view);
    if (rc == 0)
        cg_reply_ok (reply, &cg_fund_request_view_def, &view);
    else
    if (rc == 1)
        cg_reply_fail (reply, "not_found", "id", "there is no request %s", req->id);
    else
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
    cg_msg_clear (&cg_fund_request_view_def, &view);
}

/*  A decision's refusal from fund_decide.lua, in words; false when the
    status is not a refusal. */
static bool
s_decide_refused (cg_reply_t *reply, const char *status, redisReply *r, const char *id,
                  const char *person)
{
    if (strcmp (status, "state") == 0)
        cg_reply_fail (reply, "conflict", "id", "request %s is already %s", id,
                       r->elements > 1 ? cg_reply_str (r->element[1]) : "decided");
    else
    if (strcmp (status, "own") == 0)
        cg_reply_fail (reply, "forbidden", "actor", "%s made this request and may not decide it "
                       "(rule not_ones_own)", person);
    else
    if (strcmp (status, "again") == 0)
        cg_reply_fail (reply, "conflict", "actor", "%s has already approved request %s",
                       person, id);
    else
    if (strcmp (status, "expired") == 0)
        cg_reply_fail (reply, "conflict", "id", "request %s has passed its deadline; it voids "
                       "itself", id);
    else
    if (strcmp (status, "missing") == 0)
        cg_reply_fail (reply, "not_found", "id", "there is no request %s", id);
    else
    if (strcmp (status, "approved") && strcmp (status, "rejected") && strcmp (status, "pending")
    &&  strcmp (status, "done"))
        ledger_refuse (reply, status, "the account");
    else
        return false;
    return true;
}

static void
s_decide (funds_t *self, cg_fund_decide_t *req, const char *decision, cg_reply_t *reply)
{
    cg_fund_request_view_t view;
    int rc = s_load_request (self, req->id, &view);
    if (rc) {
        if (rc == 1)
            cg_reply_fail (reply, "not_found", "id", "there is no request %s", req->id);
        else
            cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
        return;
    }
    fund_caller_t caller;
    if (!funds_for (self, view.fund, req->actor, req->role, ACCESS_DECIDE, view.approvers,
                    view.approvers_count, &caller, reply)) {
        cg_msg_clear (&cg_fund_request_view_def, &view);
        return;
    }
    int64_t now = cg_clock_now ();
    const char *state = strcmp (decision, "approve") == 0 ? "approved" : "rejected";
    cg_fund_decided_t event = { .fund = view.fund, .id = view.id, .amount = view.amount,
                                .state = (char *) state, .actor = caller.person, .at = now,
                                .requester = view.requester };
    zuuid_t *settle = zuuid_new ();
    char settle_id[33], who[128];
    snprintf (settle_id, sizeof settle_id, "%s", zuuid_str (settle));
    for (char *c = settle_id; *c; c++)
        *c = (char) tolower ((unsigned char) *c);
    zuuid_destroy (&settle);
    snprintf (who, sizeof who, "%s (%s)", req->actor, req->role);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, LEDGER_PREFIX);
    cg_args_add_int (&args, now);
    cg_args_add_str (&args, req->rid);
    cg_args_add_str (&args, view.id);
    cg_args_add_str (&args, caller.person);
    cg_args_add_str (&args, decision);
    cg_args_add_str (&args, settle_id);
    cg_args_add_str (&args, req->note ? req->note : "");
    cg_args_add_msg (&args, &cg_fund_decided_def, &event);
    cg_args_add_str (&args, who);
    cg_msg_clear (&cg_fund_request_view_def, &view);
    const char *status;
    redisReply *r = ledger_run (self->ledger, "fund_decide", &args, state,
                           strcmp (decision, "approve") == 0 ? "fund.approved" : "fund.rejected",
                           8, NULL, &status, reply);
    if (r && !s_decide_refused (reply, status, r, req->id, caller.person))
        funds_on_show (&(cg_fund_get_t) { .id = req->id }, reply, self);
    if (r)
        freeReplyObject (r);
    cg_args_free (&args);
}

void
funds_on_approve (void *request, cg_reply_t *reply, void *arg)
{
    s_decide (arg, request, "approve", reply);
}

void
funds_on_reject (void *request, cg_reply_t *reply, void *arg)
{
    s_decide (arg, request, "reject", reply);
}

/* --- timeouts ------------------------------------------------------------- */

int
funds_expire (funds_t *self)
{
    int64_t now = cg_clock_now ();
    redisReply *due = cg_redis_command (self->daemon->redis,
                                        "ZRANGEBYSCORE " LEDGER_PREFIX "expiry -inf %lld LIMIT 0 100",
                                        (long long) now);
    int expired = 0;
    for (size_t i = 0; due && due->type == REDIS_REPLY_ARRAY && i < due->elements; i++) {
        const char *id = due->element[i]->str;
        cg_fund_request_view_t view;
        bool is_request = s_load_request (self, id, &view) == 0;
        cg_fund_decided_t event = { .fund = is_request ? view.fund : "",
                                    .id = (char *) id, .amount = is_request ? view.amount : 1,
                                    .state = "expired", .at = now,
                                    .requester = is_request ? view.requester : NULL };
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, LEDGER_PREFIX);
        cg_args_add_int (&args, now);
        cg_args_add_str (&args, id);
        cg_args_add_msg (&args, &cg_fund_decided_def, &event);
        const char *status;
        cg_reply_t unused = { 0 };
        redisReply *r = ledger_run (self->ledger, "fund_expire", &args, "expired", "fund.expired", 3, NULL,
                               &status, &unused);
        msgpack_sbuffer_destroy (&unused.body);
        expired += r && r->elements == 2;
        if (r)
            freeReplyObject (r);
        cg_args_free (&args);
        if (is_request)
            cg_msg_clear (&cg_fund_request_view_def, &view);
    }
    if (due)
        freeReplyObject (due);
    if (expired)
        ledger_chain (self->ledger);
    return expired;
}

fund_t *
funds_for (funds_t *funds, const char *code, const char *actor, const char *role,
           access_act_t act, char **approvers, size_t napprovers, fund_caller_t *caller,
           cg_reply_t *reply)
{
    fund_t *f = funds_find (funds, code);
    if (!f) {
        cg_reply_fail (reply, "not_found", "fund", "there is no fund %s", code);
        return NULL;
    }
    if (!approvers) {
        approvers = f->committee;
        napprovers = f->committee_count;
    }
    if (access_caller (funds_org (funds), actor, role, caller, reply)
    ||  access_check (caller, act, f, approvers, napprovers, reply))
        return NULL;
    return f;
}
