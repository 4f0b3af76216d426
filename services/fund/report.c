/*  report — the monthly disclosure of a fund (三务公开).

    A month is a calendar month in Beijing time.  The report is computed
    from the hash-chained entries alone, so anyone holding them can redo
    it: the fund's money is what its own accounts hold (CODE and every
    CODE.PROJECT), counted on posted entries only.  For entries before the
    month's start that gives the opening balance, before its end the
    closing one; within the month, posted transfers from CODE.donors are
    income (grouped by the donor as they chose to appear, and the channel),
    posts to CODE.beneficiaries are spending (grouped by project), and any
    other movement in or out is `other`, so that
        opening + income − spending + other = closing.
    Requests still pending at the month's end are listed with the
    beneficiary masked.  Beside the money, the goods in kind of the charity
    sites within the fund's area (goods.c), per site and item kind, in
    units: opening, donated, handed out (to families, and redeemed for
    points), moved between sites, and closing, from the same entries.  The report carries the number of entries up to the
    month's end and the chain hash of the last of them: `fund verify` on
    the same ledger must show that hash at that entry.

    A report is due by the end of the fund's `report_due_day` of the next
    month; fund.publish records when it was published, and a timer raises
    fund.report_overdue once when the due date passes unpublished.  Anyone
    may read a report (三务公开 is public); publishing it is for those
    access.c names. */
#include "report.h"
#include "cg_text.h"
#include "access.h"
#include "cg_clock.h"

struct _report_t {
    cg_daemon_t *daemon;
    funds_t *funds;
    goods_t *goods;
    int64_t checked;                /* when the due dates were last looked at */
};

report_t *
report_new (cg_daemon_t *daemon, funds_t *funds, goods_t *goods)
{
    report_t *self = calloc (1, sizeof *self);
    assert (self);
    self->daemon = daemon;
    self->funds = funds;
    self->goods = goods;
    return self;
}

void
report_destroy (report_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    free (*self_p);
    *self_p = NULL;
}

/*  The first millisecond of month (year, mon 1..12) in Beijing time. */
static int64_t
s_month_start (int year, int mon)
{
    struct tm tm = { .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = 1 };
    return (int64_t) timegm (&tm) * 1000 - CG_TZ_OFFSET_MS;
}

/*  Parses "YYYY-MM"; -1 when it is not a month. */
static int
s_parse_month (const char *text, int *year, int *mon)
{
    char tail;
    if (!text || sscanf (text, "%4d-%2d%c", year, mon, &tail) != 2 || strlen (text) != 7
    ||  *year < 2000 || *year > 9998 || *mon < 1 || *mon > 12)
        return -1;
    return 0;
}

/*  Adds amount to the line labelled label of a list. */
static void
s_add_line (cg_fund_line_t **lines, size_t *n, const char *label, int64_t amount)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp ((*lines)[i].label, label) == 0) {
            (*lines)[i].amount += amount;
            (*lines)[i].count++;
            return;
        }
    *lines = realloc (*lines, (*n + 1) * sizeof (cg_fund_line_t));
    assert (*lines);
    (*lines)[(*n)++] = (cg_fund_line_t) { .label = strdup (label), .amount = amount,
                                          .count = 1 };
}

/*  The first character of a name, then **: 王** */
static void
s_mask (const char *name, char *out, size_t len)
{
    size_t n = 1;
    while (name[n] && ((unsigned char) name[n] & 0xc0) == 0x80)
        n++;
    snprintf (out, len, "%.*s**", (int) n, name);
}

static bool
s_own (const fund_t *f, const char *account)
{
    size_t n = strlen (f->code);
    if (strcmp (account, f->code) == 0)
        return true;
    if (strncmp (account, f->code, n) || account[n] != '.' || !f->projects)
        return false;
    return zconfig_locate (f->projects, account + n + 1) != NULL;
}

/*  A project's name for the spending lines. */
static const char *
s_project_name (const fund_t *f, const char *account)
{
    if (strcmp (account, f->code) == 0)
        return f->name;
    zconfig_t *p = zconfig_locate (f->projects, account + strlen (f->code) + 1);
    return p ? zconfig_value (p) : account;
}

static void
s_hget2 (cg_redis_t *redis, const char *key, const char *a, const char *b, char *va, char *vb,
         size_t len)
{
    redisReply *r = cg_redis_command (redis, "HMGET %s %s %s", key, a, b);
    snprintf (va, len, "%s", r && r->type == REDIS_REPLY_ARRAY ? cg_reply_str (r->element[0]) : "");
    snprintf (vb, len, "%s", r && r->type == REDIS_REPLY_ARRAY ? cg_reply_str (r->element[1]) : "");
    if (r)
        freeReplyObject (r);
}

/*  Computes the report of fund f for the month; 0, or -1 when Redis failed. */
static int
s_compute (report_t *self, const fund_t *f, const char *month, cg_fund_report_t *out)
{
    int year, mon;
    s_parse_month (month, &year, &mon);
    int64_t start = s_month_start (year, mon);
    int64_t end = s_month_start (mon == 12 ? year + 1 : year, mon == 12 ? 1 : mon + 1);
    cg_redis_t *redis = self->daemon->redis;
    memset (out, 0, sizeof *out);
    out->fund = strdup (f->code);
    out->name = strdup (f->name);
    out->ledger = strdup (f->ledger);
    out->month = strdup (month);
    out->due = end + (int64_t) f->due_day * CG_DAY_MS;
    char donors[80], beneficiaries[96];
    snprintf (donors, sizeof donors, "%s.donors", f->code);
    snprintf (beneficiaries, sizeof beneficiaries, "%s.beneficiaries", f->code);
    zhash_t *pending = zhash_new ();        /* request id -> "" while pending */
    int64_t last = 0;
    for (int64_t from = 0; ; from += 1000) {
        redisReply *lines = cg_redis_command (redis, "LRANGE " LEDGER_PREFIX "entries %lld %lld",
                                              (long long) from, (long long) from + 999);
        if (!lines || lines->type != REDIS_REPLY_ARRAY) {
            if (lines)
                freeReplyObject (lines);
            zhash_destroy (&pending);
            return -1;
        }
        size_t n = lines->elements;
        for (size_t i = 0; i < n; i++) {
            cg_fund_entry_t e;
            if (ledger_parse (lines->element[i]->str, &e) || e.at >= end)
                continue;
            last = e.seq > last ? e.seq : last;
            goods_report_entry (self->goods, f->area, &e, start, &out->goods,
                                &out->goods_count);
            bool in = s_own (f, e.credit), out_ = s_own (f, e.debit);
            if (strcmp (e.kind, "pending") == 0 && out_ && strcmp (e.credit, beneficiaries) == 0)
                zhash_update (pending, e.id, "");
            if (e.pending_id)
                zhash_delete (pending, e.pending_id);
            bool posted = strcmp (e.kind, "posted") == 0 || strcmp (e.kind, "post") == 0;
            if (!posted || in == out_)
                continue;
            int64_t delta = in ? e.amount : -e.amount;
            if (e.at < start) {
                out->opening += delta;
                continue;
            }
            if (in && strcmp (e.debit, donors) == 0) {
                char key[96], donor[160], channel[160], label[340];
                snprintf (key, sizeof key, LEDGER_PREFIX "donation:%s", e.id);
                s_hget2 (redis, key, "donor", "channel", donor, channel, sizeof donor);
                snprintf (label, sizeof label, "%s (%s)", *donor ? donor : "匿名", channel);
                s_add_line (&out->donations, &out->donations_count, label, e.amount);
                out->income += e.amount;
            }
            else
            if (out_ && strcmp (e.credit, beneficiaries) == 0) {
                s_add_line (&out->disbursements, &out->disbursements_count,
                            s_project_name (f, e.debit), e.amount);
                out->spending += e.amount;
            }
            else
                out->other += delta;
        }
        freeReplyObject (lines);
        if (n < 1000)
            break;
    }
    for (void *item = zhash_first (pending); item; item = zhash_next (pending)) {
        const char *id = zhash_cursor (pending);
        char key[96], purpose[520], who[520], masked[64], label[600];
        snprintf (key, sizeof key, LEDGER_PREFIX "req:%s", id);
        s_hget2 (redis, key, "purpose", "beneficiary", purpose, who, sizeof purpose);
        s_mask (*who ? who : "?", masked, sizeof masked);
        snprintf (label, sizeof label, "%.*s — %s", (int) cg_utf8_prefix (purpose, 100), purpose,
                  masked);
        redisReply *amount = cg_redis_command (redis, "HGET " LEDGER_PREFIX "xfer:%s amount", id);
        s_add_line (&out->pending, &out->pending_count, label, cg_reply_int (amount, 0));
        if (amount)
            freeReplyObject (amount);
    }
    zhash_destroy (&pending);
    out->closing = out->opening + out->income - out->spending + out->other;
    out->entries = last;
    char head[65];
    redisReply *h = cg_redis_command (redis, "LINDEX " LEDGER_PREFIX "chain %lld",
                                      (long long) last - 1);
    snprintf (head, sizeof head, "%s", last > 0 ? cg_reply_str (h) : "");
    if (h)
        freeReplyObject (h);
    out->head = strlen (head) == 64 ? strdup (head) : NULL;
    redisReply *p = cg_redis_command (redis, "HGET " LEDGER_PREFIX "published %s:%s", f->code,
                                      month);
    out->published = cg_reply_int (p, 0);
    if (p)
        freeReplyObject (p);
    return 0;
}

/*  The fund and month of a request, or a refusal. */
static const fund_t *
s_target (report_t *self, cg_fund_get_t *req, cg_reply_t *reply)
{
    const fund_t *f = funds_find (self->funds, req->id);
    int year, mon;
    if (!f)
        cg_reply_fail (reply, "not_found", "id", "there is no fund %s", req->id);
    else
    if (s_parse_month (req->month, &year, &mon))
        cg_reply_fail (reply, "invalid", "month", "the month is written YYYY-MM");
    else
        return f;
    return NULL;
}

static void
s_answer (report_t *self, const fund_t *f, const char *month, cg_reply_t *reply)
{
    cg_fund_report_t out;
    if (s_compute (self, f, month, &out))
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
    else
        cg_reply_ok (reply, &cg_fund_report_def, &out);
    cg_msg_clear (&cg_fund_report_def, &out);
}

void
report_on_report (void *request, cg_reply_t *reply, void *arg)
{
    report_t *self = arg;
    cg_fund_get_t *req = request;
    const fund_t *f = s_target (self, req, reply);
    if (f)
        s_answer (self, f, req->month, reply);
}

void
report_on_publish (void *request, cg_reply_t *reply, void *arg)
{
    report_t *self = arg;
    cg_fund_get_t *req = request;
    const fund_t *f = s_target (self, req, reply);
    fund_caller_t caller;
    if (!f || !funds_for (self->funds, f->code, req->actor, req->role, ACCESS_PUBLISH, NULL, 0,
                          &caller, reply))
        return;
    int year, mon;
    s_parse_month (req->month, &year, &mon);
    int64_t now = cg_clock_now ();
    if (now < s_month_start (mon == 12 ? year + 1 : year, mon == 12 ? 1 : mon + 1)) {
        cg_reply_fail (reply, "conflict", "month", "%s is not over yet", req->month);
        return;
    }
    redisReply *r = cg_redis_command (self->daemon->redis, "HSETNX " LEDGER_PREFIX
                                      "published %s:%s %lld", f->code, req->month,
                                      (long long) now);
    if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
        freeReplyObject (r);
        r = cg_redis_command (self->daemon->redis, "HSET " LEDGER_PREFIX "published_by %s:%s "
                              "%s", f->code, req->month, req->actor);
    }
    if (!r) {
        cg_reply_fail (reply, "unavailable", NULL, "the ledger cannot be reached");
        return;
    }
    freeReplyObject (r);
    s_answer (self, f, req->month, reply);
}

int
report_check_due (report_t *self)
{
    int64_t now = cg_clock_now ();
    if (now - self->checked < 60000 && now >= self->checked)
        return 0;
    self->checked = now;
    char iso[40];
    cg_time_iso (now, iso, sizeof iso);
    int year = atoi (iso), mon = atoi (iso + 5);
    /*  last month */
    int ly = mon == 1 ? year - 1 : year, lm = mon == 1 ? 12 : mon - 1;
    char month[8];
    snprintf (month, sizeof month, "%04d-%02d", ly, lm);
    int raised = 0;
    for (int i = 0; funds_at (self->funds, i); i++) {
        const fund_t *f = funds_at (self->funds, i);
        int64_t due = s_month_start (year, mon) + (int64_t) f->due_day * CG_DAY_MS;
        if (now < due)
            continue;
        cg_fund_report_overdue_t event = { .fund = f->code, .month = month, .due = due,
                                           .at = now, .area = (char *) f->area->code,
                                           .committee = f->committee,
                                           .committee_count = f->committee_count };
        cg_args_t args;
        cg_args_init (&args);
        cg_args_add_str (&args, LEDGER_PREFIX);
        cg_args_addf (&args, "%s:%s", f->code, month);
        cg_args_add_msg (&args, &cg_fund_report_overdue_def, &event);
        redisReply *r = cg_redis_script (self->daemon->redis, "fund_overdue", 0, &args);
        if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0) {
            cg_pub_send (self->daemon->pub, "fund", r->integer, "fund.report_overdue",
                         args.argv[2], args.lens[2]);
            raised++;
        }
        if (r)
            freeReplyObject (r);
        cg_args_free (&args);
    }
    return raised;
}
