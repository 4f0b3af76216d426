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
    The requester may never decide their own request; in the time bank only
    the person served may confirm. */
#include "funds.h"
#include "cg_clock.h"
#include <ctype.h>

#define S_ANON      "匿名"


struct _funds_t {
    cg_daemon_t *daemon;
    ledger_t *ledger;
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

static int
s_load_fund (fund_t *f, zconfig_t *section)
{
    f->code = zconfig_name (section);
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
    f->resolution_above = atoll (zconfig_get (section, "resolution_above", "0"));
    f->timeout_s = atoll (zconfig_get (section, "timeout", "1209600"));
    f->projects = zconfig_locate (section, "project");
    f->due_day = atoi (zconfig_get (section, "report_due_day", "10"));
    if (f->due_day < 1 || f->due_day > 28)
        return -1;
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
funds_new (cg_daemon_t *daemon, ledger_t *ledger)
{
    funds_t *self = calloc (1, sizeof *self);
    assert (self);
    self->daemon = daemon;
    self->ledger = ledger;
    const char *path = cg_daemon_get (daemon, "data/funds", "deploy/demo/funds.cfg");
    self->file = zconfig_load (path);
    zconfig_t *list = self->file ? zconfig_locate (self->file, "fund") : NULL;
    if (!list) {
        zsys_error ("fund: cannot read the funds from %s", path);
        funds_destroy (&self);
        return NULL;
    }
    for (zconfig_t *s = zconfig_child (list); s && self->nfunds < 64; s = zconfig_next (s))
        if (s_load_fund (&self->funds[self->nfunds++], s)) {
            zsys_error ("fund: %s: fund %s is invalid (code, ledger or rule)", path,
                        zconfig_name (s));
            funds_destroy (&self);
            return NULL;
        }
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

/*  Publishes the newest journal entry (the scripts append at most one). */
static void
s_publish_last (funds_t *self, const char *topic, const cg_args_t *args, int body_at)
{
    int64_t seq = cg_journal_head (self->daemon->redis, "fund");
    if (seq > 0)
        cg_pub_send (self->daemon->pub, "fund", seq, topic, args->argv[body_at],
                     args->lens[body_at]);
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

/*  A refusal for a ledger result, in words. */
static void
s_refuse (cg_reply_t *reply, const char *result, const char *account)
{
    if (strcmp (result, "exceeds_credits") == 0)
        cg_reply_fail (reply, "conflict", "amount", "%s does not hold that much that is not "
                       "already spent or reserved (exceeds_credits)", account);
    else
    if (strncmp (result, "exists", 6) == 0)
        cg_reply_fail (reply, "conflict", "id", "this id was used for a different transfer (%s)",
                       result);
    else
        cg_reply_fail (reply, "conflict", NULL, "the ledger refused it: %s", result);
}

/* --- donations ------------------------------------------------------------ */

void
funds_on_donate (void *request, cg_reply_t *reply, void *arg)
{
    funds_t *self = arg;
    cg_fund_donate_t *req = request;
    fund_t *f = funds_find (self, req->fund);
    if (!f) {
        cg_reply_fail (reply, "not_found", "fund", "there is no fund %s", req->fund);
        return;
    }
    char account[80], donors[80], year[8];
    if (s_account_of (f, req->project, account, sizeof account, reply))
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
    cg_args_init (&args);
    cg_args_add_str (&args, LEDGER_PREFIX);
    cg_args_add_int (&args, now);
    cg_error_t err;
    if (ledger_add_transfer (&args, &t, &err)) {
        cg_reply_error (reply, &err);
        cg_args_free (&args);
        return;
    }
    cg_fund_donated_t event = { .fund = f->code, .account = account, .id = args.argv[2],
                                .donor = (char *) shown, .amount = req->amount,
                                .channel = req->channel, .at = now };
    cg_args_add_str (&args, f->code);
    cg_args_add_str (&args, year);
    cg_args_add_str (&args, shown);
    cg_args_add_str (&args, req->donor ? req->donor : "");
    cg_args_add_str (&args, req->channel);
    cg_args_add_str (&args, req->ref ? req->ref : "");
    cg_args_add_msg (&args, &cg_fund_donated_def, &event);
    redisReply *r = cg_redis_script (self->daemon->redis, "fund_donate", 0, &args);
    const char *status = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1
                       ? cg_reply_str (r->element[0]) : NULL;
    if (!status)
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
    else
    if (r->elements == 3) {
        bool repeat = strcmp (status, "exists") == 0;
        if (!repeat) {
            s_publish_last (self, "fund.donated", &args, args.argc - 1);
            ledger_chain (self->ledger);
        }
        cg_fund_receipt_t rec = { .receipt = (char *) cg_reply_str (r->element[2]),
            .id = args.argv[2], .fund = f->code, .account = account, .donor = (char *) shown,
            .amount = req->amount, .channel = req->channel, .entry = r->element[1]->integer,
            .at = now, .repeat = repeat };
        cg_reply_ok (reply, &cg_fund_receipt_def, &rec);
    }
    else
        s_refuse (reply, status, account);
    if (r)
        freeReplyObject (r);
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

void
funds_on_request (void *request, cg_reply_t *reply, void *arg)
{
    funds_t *self = arg;
    cg_fund_request_t *req = request;
    fund_t *f = funds_find (self, req->fund);
    if (!f) {
        cg_reply_fail (reply, "not_found", "fund", "there is no fund %s", req->fund);
        return;
    }
    char debit[80], credit[160];
    char *served[1] = { req->served };
    char **approvers = f->committee;
    size_t napprovers = f->committee_count;
    int need = s_need (f, req->amount);
    if (f->served_rule) {
        /*  时间银行: minutes earned by a volunteer, confirmed by the person served */
        if (!req->served) {
            cg_reply_fail (reply, "invalid", "served", "the time bank needs the person served, "
                           "who confirms the service");
            return;
        }
        if (!ledger_account_id_ok (req->beneficiary) || strlen (req->beneficiary) > 40) {
            cg_reply_fail (reply, "invalid", "beneficiary", "a volunteer's id is letters, "
                           "digits and . _ - (at most 40)");
            return;
        }
        snprintf (debit, sizeof debit, "%s.issuer", f->code);
        snprintf (credit, sizeof credit, "%s.v.%s", f->code, req->beneficiary);
        cg_fund_account_t volunteer = { .id = credit, .ledger = f->ledger, .kind = "volunteer",
            .name = req->beneficiary, .fund = f->code,
            .flags = (char *[]) { "no_overdraft" }, .flags_count = 1 };
        cg_fund_result_t opened;
        cg_error_t err;
        if (ledger_open (self->ledger, &volunteer, 1, &opened, &err)) {
            cg_reply_error (reply, &err);
            return;
        }
        free (opened.id);
        free (opened.result);
        approvers = served;
        napprovers = 1;
        need = 1;
    }
    else {
        if (s_account_of (f, req->project, debit, sizeof debit, reply))
            return;
        snprintf (credit, sizeof credit, "%s.beneficiaries", f->code);
        if (f->resolution_above > 0 && req->amount >= f->resolution_above && !req->resolution) {
            cg_reply_fail (reply, "invalid", "resolution", "from %lld.%02lld yuan on, fund %s "
                           "needs the consultation resolution (议事决议) behind the request",
                           (long long) f->resolution_above / 100,
                           (long long) f->resolution_above % 100, f->code);
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
    cg_args_init (&args);
    cg_args_add_str (&args, LEDGER_PREFIX);
    cg_args_add_int (&args, now);
    cg_error_t err;
    if (ledger_add_transfer (&args, &t, &err)) {
        cg_reply_error (reply, &err);
        cg_args_free (&args);
        return;
    }
    cg_fund_approval_requested_t event = { .fund = f->code, .id = args.argv[2],
        .amount = req->amount, .purpose = req->purpose, .requester = req->requester,
        .need = need, .approvers = approvers, .approvers_count = napprovers,
        .expires = now + f->timeout_s * 1000, .at = now };
    int body_at = args.argc;
    cg_args_add_msg (&args, &cg_fund_approval_requested_def, &event);
    char need_s[8], *attachments = s_join (req->attachments, req->attachments_count);
    snprintf (need_s, sizeof need_s, "%d", need);
    char *joined = s_join (approvers, napprovers);
    const char *fields[][2] = {
        { "fund", f->code }, { "project", req->project ? req->project : "" },
        { "beneficiary", req->beneficiary }, { "amount", args.argv[5] },
        { "purpose", req->purpose }, { "requester", req->requester },
        { "resolution", req->resolution ? req->resolution : "" }, { "need", need_s },
        { "approvers", joined }, { "attachments", attachments } };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        cg_args_add_str (&args, fields[i][0]);
        cg_args_add_str (&args, fields[i][1]);
    }
    free (joined);
    free (attachments);
    redisReply *r = cg_redis_script (self->daemon->redis, "fund_request", 0, &args);
    const char *status = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1
                       ? cg_reply_str (r->element[0]) : NULL;
    if (!status)
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
    else
    if (strcmp (status, "ok") == 0 || strcmp (status, "exists") == 0) {
        if (strcmp (status, "ok") == 0) {
            s_publish_last (self, "fund.approval_requested", &args, body_at);
            ledger_chain (self->ledger);
        }
        funds_on_show (&(cg_fund_get_t) { .id = args.argv[2] }, reply, self);
    }
    else
        s_refuse (reply, status, debit);
    if (r)
        freeReplyObject (r);
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

static bool
s_may_decide (const cg_fund_request_view_t *view, const char *actor)
{
    for (size_t i = 0; i < view->approvers_count; i++)
        if (strcmp (view->approvers[i], actor) == 0)
            return true;
    return false;
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
    if (!s_may_decide (&view, req->actor)) {
        cg_reply_fail (reply, "forbidden", "actor", "%s may not decide requests of fund %s "
                       "(who may: the committee, or in the time bank the person served)",
                       req->actor, view.fund);
        cg_msg_clear (&cg_fund_request_view_def, &view);
        return;
    }
    int64_t now = cg_clock_now ();
    const char *state = strcmp (decision, "approve") == 0 ? "approved" : "rejected";
    cg_fund_decided_t event = { .fund = view.fund, .id = view.id, .amount = view.amount,
                                .state = (char *) state, .actor = req->actor, .at = now };
    zuuid_t *settle = zuuid_new ();
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, LEDGER_PREFIX);
    cg_args_add_int (&args, now);
    cg_args_add_str (&args, req->rid);
    cg_args_add_str (&args, view.id);
    cg_args_add_str (&args, req->actor);
    cg_args_add_str (&args, decision);
    char settle_id[33];
    snprintf (settle_id, sizeof settle_id, "%s", zuuid_str (settle));
    for (char *c = settle_id; *c; c++)
        *c = (char) tolower ((unsigned char) *c);
    zuuid_destroy (&settle);
    cg_args_add_str (&args, settle_id);
    cg_args_add_str (&args, req->note ? req->note : "");
    cg_args_add_msg (&args, &cg_fund_decided_def, &event);
    redisReply *r = cg_redis_script (self->daemon->redis, "fund_decide", 0, &args);
    const char *status = r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1
                       ? cg_reply_str (r->element[0]) : NULL;
    cg_msg_clear (&cg_fund_request_view_def, &view);
    if (!status)
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
    else
    if (strcmp (status, "state") == 0)
        cg_reply_fail (reply, "conflict", "id", "request %s is already %s", req->id,
                       cg_reply_str (r->element[1]));
    else
    if (strcmp (status, "own") == 0)
        cg_reply_fail (reply, "forbidden", "actor", "%s made this request and may not decide it",
                       req->actor);
    else
    if (strcmp (status, "again") == 0)
        cg_reply_fail (reply, "conflict", "actor", "%s has already approved request %s",
                       req->actor, req->id);
    else
    if (strcmp (status, "expired") == 0)
        cg_reply_fail (reply, "conflict", "id", "request %s has passed its deadline; it voids "
                       "itself", req->id);
    else
    if (strcmp (status, "missing") == 0)
        cg_reply_fail (reply, "not_found", "id", "there is no request %s", req->id);
    else
    if (strcmp (status, "approved") && strcmp (status, "rejected") && strcmp (status, "pending")
    &&  strcmp (status, "done"))
        s_refuse (reply, status, "the account");
    else {
        if (strcmp (status, "approved") == 0 || strcmp (status, "rejected") == 0) {
            s_publish_last (self, strcmp (status, "approved") == 0 ? "fund.approved"
                                                                   : "fund.rejected",
                            &args, args.argc - 1);
            ledger_chain (self->ledger);
        }
        funds_on_show (&(cg_fund_get_t) { .id = req->id }, reply, self);
    }
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
                                    .state = "expired", .at = now };
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, LEDGER_PREFIX);
        cg_args_add_int (&args, now);
        cg_args_add_str (&args, id);
        cg_args_add_msg (&args, &cg_fund_decided_def, &event);
        redisReply *r = cg_redis_script (self->daemon->redis, "fund_expire", 0, &args);
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
            expired++;
            if (is_request && strcmp (view.state, "pending") == 0)
                s_publish_last (self, "fund.expired", &args, 3);
        }
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
