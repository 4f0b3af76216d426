/*  rules — see rules.h.  A template is kept as its text; rendering scans
    it for {placeholders}, which load has already checked, so rendering
    never meets a field it does not know. */
#include "rules.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <czmq.h>

#define S_MAX_RULES     256
#define S_MAX_TEMPLATE  4096

struct _template_t {
    char *subject;      /* NULL when the file has no subject line */
    char *body;
};

struct _rules_t {
    rule_t rules[S_MAX_RULES];
    size_t count;
};

static const char *const s_filters[] = { "time", "iso", "category", "org", "stage", "yuan",
                                          NULL };

/*  The stages of a topic's procedure (topic.stage) as people call them. */
static const struct { const char *code, *zh, *en; } s_stages[] = {
    { "proposal", "提议", "proposal" },
    { "discussion", "商议", "discussion" },
    { "review", "审议", "review" },
    { "resolution", "决议", "resolution" },
    { "consultation", "协商", "consultation" },
    { "resolution_published", "决议公开", "publication of the resolution" },
    { "result_published", "实施结果公开", "publication of the result" },
};

static void
s_template_destroy (template_t **self_p)
{
    if (!*self_p)
        return;
    free ((*self_p)->subject);
    free ((*self_p)->body);
    free (*self_p);
    *self_p = NULL;
}

/*  The recipients' fields of a rule and of its alternatives. */
static void
s_who_free (rule_t *rule)
{
    free (rule->who_text);
    free (rule->who_role);
    free (rule->who_field);
    free (rule->who_except);
    if (rule->otherwise) {
        s_who_free (rule->otherwise);
        free (rule->otherwise);
    }
}

void
rules_destroy (rules_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    rules_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        rule_t *r = &self->rules[i];
        free (r->topic);
        free (r->when_field);
        free (r->when_value);
        s_who_free (r);
        free (r->template_name);
        s_template_destroy (&r->zh);
        s_template_destroy (&r->en);
    }
    free (self);
    *self_p = NULL;
}

/*  The field of def called key, or NULL. */
static const cg_field_t *
s_field (const cg_msgdef_t *def, const char *key)
{
    for (size_t i = 0; i < def->nfields; i++)
        if (streq (def->fields[i].key, key))
            return &def->fields[i];
    return NULL;
}

/*  Checks that name is a field the rule can read: of the event, or
    case.X of the case record. */
static int
s_check_field (rule_t *rule, const char *name, char *why, size_t whylen)
{
    if (strncmp (name, "case.", 5) == 0) {
        rule->needs_case = true;
        if (s_field (&cg_case_view_def, name + 5))
            return 0;
        cg_errset (why, whylen, "the case record (case.view) has no field \"%s\"", name + 5);
        return -1;
    }
    if (s_field (rule->kind->def, name))
        return 0;
    cg_errset (why, whylen, "%s (%s) has no field \"%s\"", rule->topic, rule->kind->def->name,
               name);
    return -1;
}

/*  Checks every {placeholder} of text against the rule. */
static int
s_check_text (rule_t *rule, const char *text, char *why, size_t whylen)
{
    for (const char *p = strchr (text, '{'); p; p = strchr (p + 1, '{')) {
        const char *end = strchr (p, '}');
        if (!end || end - p > 64) {
            cg_errset (why, whylen, "a { without its }");
            return -1;
        }
        char name[80];
        snprintf (name, sizeof name, "%.*s", (int) (end - p - 1), p + 1);
        char *bar = strchr (name, '|');
        if (bar) {
            *bar++ = 0;
            bool known = false;
            for (int i = 0; s_filters[i]; i++)
                known |= streq (bar, s_filters[i]);
            if (!known) {
                cg_errset (why, whylen, "{%s|%s}: no filter \"%s\" (time, iso, category, org)",
                           name, bar, bar);
                return -1;
            }
        }
        if (s_check_field (rule, name, why, whylen))
            return -1;
    }
    return 0;
}

/*  Reads DIR/templates/NAME.LANG.txt; NULL when absent (*missing) or bad. */
static template_t *
s_template_load (rule_t *rule, const char *dir, const char *lang, bool *missing, char *err,
                 size_t errlen)
{
    char path[1024];
    snprintf (path, sizeof path, "%s/templates/%s.%s.txt", dir, rule->template_name, lang);
    *missing = false;
    FILE *f = fopen (path, "r");
    if (!f) {
        *missing = true;
        cg_errset (err, errlen, "%s: cannot read it (rule for %s)", path, rule->topic);
        return NULL;
    }
    char *text = cg_alloc (S_MAX_TEMPLATE + 1);
    size_t n = fread (text, 1, S_MAX_TEMPLATE + 1, f);
    fclose (f);
    char why[200];
    if (n > S_MAX_TEMPLATE || n == 0 || !cg_utf8_valid (text, n) || memchr (text, 0, n)) {
        cg_errset (err, errlen, "%s: empty, over %d bytes or not UTF-8", path, S_MAX_TEMPLATE);
        free (text);
        return NULL;
    }
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = 0;
    if (s_check_text (rule, text, why, sizeof why)) {
        cg_errset (err, errlen, "%s: %s", path, why);
        free (text);
        return NULL;
    }
    template_t *self = cg_alloc (sizeof *self);
    if (strncmp (text, "subject: ", 9) == 0 && strchr (text, '\n')) {
        char *nl = strchr (text, '\n');
        self->subject = cg_strfmt ("%.*s", (int) (nl - text - 9), text + 9);
        self->body = cg_strdup (nl + 1);
        free (text);
    }
    else
        self->body = text;
    return self;
}

/*  "30m", "10s", "2h", "500ms" */
static int64_t
s_duration (const char *text)
{
    char *end;
    long long v = strtoll (text, &end, 10);
    if (end == text || v <= 0 || v > 7 * 86400)
        return -1;
    if (streq (end, "ms"))
        return v;
    if (streq (end, "s"))
        return v * 1000;
    if (streq (end, "m"))
        return v * 60000;
    if (streq (end, "h"))
        return v * 3600000;
    return -1;
}

static int s_parse_one_who (rule_t *rule, const char *text, char *why, size_t whylen);

/*  A|B|...: each alternative a rule of its own, of the same topic. */
static int
s_parse_who (rule_t *rule, const char *text, char *why, size_t whylen)
{
    const char *bar = strchr (text, '|');
    if (!bar)
        return s_parse_one_who (rule, text, why, whylen);
    char *first = cg_strfmt ("%.*s", (int) (bar - text), text);
    int rc = s_parse_one_who (rule, first, why, whylen);
    free (first);
    if (rc)
        return rc;
    rule->otherwise = cg_alloc (sizeof *rule->otherwise);
    rule->otherwise->topic = rule->topic;
    rule->otherwise->kind = rule->kind;
    rc = s_parse_who (rule->otherwise, bar + 1, why, whylen);
    rule->needs_case |= rule->otherwise->needs_case;
    free (rule->who_text);
    rule->who_text = cg_strdup (text);
    return rc;
}

static int
s_parse_one_who (rule_t *rule, const char *text, char *why, size_t whylen)
{
    rule->who_text = cg_strdup (text);
    if (streq (text, "citizen") || streq (text, "hotline")) {
        rule->who = streq (text, "citizen") ? WHO_CITIZEN : WHO_HOTLINE;
        rule->needs_case = true;
        return 0;
    }
    const char *field = NULL;
    if (strncmp (text, "unit:", 5) == 0) {
        rule->who = WHO_UNIT;
        field = text + 5;
    }
    else
    if (strncmp (text, "people:", 7) == 0) {
        rule->who = WHO_PEOPLE;
        field = text + 7;
    }
    else
    if (strncmp (text, "members:", 8) == 0) {
        if (rule->kind->def != &cg_topic_event_def) {
            cg_errset (why, whylen, "members:B is for topic events, not %s (%s)", rule->topic,
                       rule->kind->def->name);
            return -1;
        }
        rule->who = WHO_MEMBERS;
        rule->who_field = cg_strdup (text + 8);
        if (!*rule->who_field) {
            cg_errset (why, whylen, "members: wants a body, stage or all");
            return -1;
        }
        return 0;
    }
    else
    if (strncmp (text, "role:", 5) == 0 && strchr (text, '@')) {
        rule->who = WHO_ROLE;
        const char *at = strchr (text, '@');
        rule->who_role = cg_strfmt ("%.*s", (int) (at - text - 5), text + 5);
        field = at + 1;
    }
    else {
        cg_errset (why, whylen, "recipients \"%s\" is not unit:F, role:R@F, role:R@F^, "
                   "people:F, members:B, citizen or hotline (or A|B: B when A finds nobody)",
                   text);
        return -1;
    }
    rule->who_field = cg_strdup (field);
    size_t len = strlen (rule->who_field);
    if (rule->who == WHO_ROLE && len && rule->who_field[len - 1] == '^') {
        rule->who_parent = true;
        rule->who_field[len - 1] = 0;
    }
    char *bang = rule->who == WHO_PEOPLE ? strchr (rule->who_field, '!') : NULL;
    if (bang) {
        *bang = 0;
        rule->who_except = cg_strdup (bang + 1);
        if (s_check_field (rule, rule->who_except, why, whylen))
            return -1;
    }
    return s_check_field (rule, rule->who_field, why, whylen);
}

static int
s_parse_rule (rules_t *self, const char *dir, cg_tsv_t *tsv, char **f, int n, char *err,
              size_t errlen)
{
    if (n != 6)
        return cg_tsv_fail (tsv, err, errlen, "%d columns, want 6: topic when recipients "
                            "template urgency ack", n);
    if (self->count == S_MAX_RULES)
        return cg_tsv_fail (tsv, err, errlen, "more than %d rules", S_MAX_RULES);
    rule_t *rule = &self->rules[self->count++];
    /*  "journal/topic" names the journal where a topic means two things */
    const char *slash = strchr (f[0], '/');
    char journal[32] = "";
    if (slash)
        snprintf (journal, sizeof journal, "%.*s", (int) (slash - f[0]), f[0]);
    rule->topic = cg_strdup (slash ? slash + 1 : f[0]);
    rule->kind = cg_event_kind_find (slash ? journal : NULL, rule->topic);
    if (!rule->kind)
        return cg_tsv_fail (tsv, err, errlen, "no event \"%s\" in proto/cg_events.c", f[0]);
    char why[200];
    if (!streq (f[1], "-")) {
        char *eq = strchr (f[1], '=');
        if (!eq)
            return cg_tsv_fail (tsv, err, errlen, "when \"%s\" is not FIELD=VALUE or -", f[1]);
        rule->when_field = cg_strfmt ("%.*s", (int) (eq - f[1]), f[1]);
        rule->when_value = cg_strdup (eq + 1);
        if (s_check_field (rule, rule->when_field, why, sizeof why))
            return cg_tsv_fail (tsv, err, errlen, "when: %s", why);
    }
    if (s_parse_who (rule, f[2], why, sizeof why))
        return cg_tsv_fail (tsv, err, errlen, "recipients: %s", why);
    if (!streq (f[4], "normal") && !streq (f[4], "urgent"))
        return cg_tsv_fail (tsv, err, errlen, "urgency \"%s\" is not normal or urgent", f[4]);
    rule->urgent = streq (f[4], "urgent");
    for (rule_t *alt = rule->otherwise; alt; alt = alt->otherwise)
        alt->urgent = rule->urgent;
    if (!streq (f[5], "-") && (rule->ack_ms = s_duration (f[5])) < 0)
        return cg_tsv_fail (tsv, err, errlen, "ack \"%s\" is not a time like 30m, 10s or -",
                            f[5]);
    rule->template_name = cg_strdup (f[3]);
    if (strchr (f[3], '/') || strchr (f[3], '.'))
        return cg_tsv_fail (tsv, err, errlen, "template \"%s\" is a name, not a path", f[3]);
    bool missing;
    rule->zh = s_template_load (rule, dir, "zh-CN", &missing, err, errlen);
    if (!rule->zh)
        return -1;
    rule->en = s_template_load (rule, dir, "en", &missing, err, errlen);
    return rule->en || missing ? 0 : -1;
}

rules_t *
rules_load (const char *dir, char *err, size_t errlen)
{
    char path[1024];
    snprintf (path, sizeof path, "%s/rules.tsv", dir);
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return NULL;
    rules_t *self = cg_alloc (sizeof *self);
    char **fields;
    int n;
    while ((n = cg_tsv_next (tsv, &fields, err, errlen)) > 0)
        if (s_parse_rule (self, dir, tsv, fields, n, err, errlen)) {
            n = -1;
            break;
        }
    cg_tsv_destroy (&tsv);
    if (n < 0)
        rules_destroy (&self);
    return self;
}

size_t
rules_count (rules_t *self)
{
    return self->count;
}

const rule_t *
rules_at (rules_t *self, size_t index)
{
    return index < self->count ? &self->rules[index] : NULL;
}

bool
rules_wanted (rules_t *self, const char *topic)
{
    for (size_t i = 0; i < self->count; i++)
        if (streq (self->rules[i].topic, topic))
            return true;
    return false;
}

void
rule_field (const rule_input_t *in, const char *name, const char *filter, const char *lang,
            char *buf, size_t len)
{
    const cg_msgdef_t *def = in->def;
    const void *msg = in->event;
    if (strncmp (name, "case.", 5) == 0) {
        def = &cg_case_view_def;
        msg = in->record;
        name += 5;
    }
    *buf = 0;
    const cg_field_t *f = msg ? s_field (def, name) : NULL;
    if (!f)
        return;
    const char *at = (const char *) msg + f->offset;
    if (f->type == CG_F_STR) {
        const char *s = *(char *const *) at;
        if (!s)
            return;
        const cg_category_t *c = NULL;
        const cg_org_node_t *node = NULL;
        if (filter && streq (filter, "category") && (c = cg_catalog_find (in->catalog, s)))
            snprintf (buf, len, "%s", streq (lang, "en") ? c->name_en : c->name_zh);
        else
        if (filter && streq (filter, "org") && (node = cg_orgtree_find (in->org, s)))
            snprintf (buf, len, "%s", node->name);
        else {
            snprintf (buf, len, "%s", s);
            for (size_t i = 0; filter && streq (filter, "stage")
                               && i < sizeof s_stages / sizeof s_stages[0]; i++)
                if (streq (s, s_stages[i].code))
                    snprintf (buf, len, "%s", streq (lang, "en") ? s_stages[i].en
                                                                 : s_stages[i].zh);
        }
    }
    else
    if (f->type == CG_F_INT) {
        int64_t v = *(const int64_t *) at;
        if (filter && streq (filter, "time"))
            cg_time_short (v, buf, len);
        else
        if (filter && streq (filter, "iso"))
            cg_time_iso (v, buf, len);
        else
        if (filter && streq (filter, "yuan"))       /* fen as 元 */
            snprintf (buf, len, "%s%lld.%02lld", v < 0 ? "-" : "", (long long) llabs (v / 100),
                      (long long) llabs (v % 100));
        else
            snprintf (buf, len, "%lld", (long long) v);
    }
    else
    if (f->type == CG_F_BOOL)
        snprintf (buf, len, "%s", *(const bool *) at ? "true" : "false");
    else
    if (f->type == CG_F_STRS) {
        char *const *items = *(char *const *const *) at;
        size_t count = *(const size_t *) ((const char *) msg + f->count_offset), used = 0;
        for (size_t i = 0; i < count && used + 1 < len; i++)
            used += snprintf (buf + used, len - used, "%s%s", i ? ", " : "", items[i]);
    }
    else
        snprintf (buf, len, "%zu", *(const size_t *) ((const char *) msg + f->count_offset));
}

bool
rule_applies (const rule_t *rule, const rule_input_t *in)
{
    if (!rule->when_field)
        return true;
    char value[256];
    rule_field (in, rule->when_field, NULL, "zh-CN", value, sizeof value);
    return streq (value, rule->when_value);
}

static void
s_render (const char *text, const rule_input_t *in, const char *lang, char *out, size_t len)
{
    size_t used = 0;
    while (*text && used + 1 < len) {
        const char *open = strchr (text, '{');
        size_t plain = open ? (size_t) (open - text) : strlen (text);
        used += snprintf (out + used, len - used, "%.*s", (int) plain, text);
        if (!open || used + 1 >= len)
            break;
        const char *close = strchr (open, '}');
        char name[80], value[1024];
        snprintf (name, sizeof name, "%.*s", (int) (close - open - 1), open + 1);
        char *bar = strchr (name, '|');
        if (bar)
            *bar++ = 0;
        rule_field (in, name, bar, lang, value, sizeof value);
        used += snprintf (out + used, len - used, "%s", value);
        text = close + 1;
    }
    /*  never cut a character in half */
    if (used >= len)
        used = len - 1;
    while (used && !cg_utf8_valid (out, used))
        out[--used] = 0;
}

void
rule_render (const rule_t *rule, const rule_input_t *in, const char *lang, char *text,
             size_t textlen, char *subject, size_t subjectlen)
{
    const template_t *t = streq (lang, "en") && rule->en ? rule->en : rule->zh;
    s_render (t->body, in, lang, text, textlen);
    if (t->subject)
        s_render (t->subject, in, lang, subject, subjectlen);
    else
        *subject = 0;
}
