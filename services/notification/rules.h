/*  rules — which event goes to whom, and what it says.

    The rules (deploy/notify/rules.tsv) and the templates
    (deploy/notify/templates/NAME.LANG.txt, zh-CN required, en optional)
    are data: notification knows no topic by name.  A rule names a topic,
    an optional condition, who hears about it, a template, and whether it is
    urgent (and must be acknowledged within a time).  Everything a rule or
    template names is checked at load against the topic's message
    definition in proto/ (cg_events.h): a field the event does not have is a
    load error that names the file, the line and the field — never a blank
    at send time.  Fields written `case.X` come from the case record (the
    fields of case.view), for events that carry only the case id.  The
    participants of a topic (members:B) come from the topic's rosters as
    consultation keeps them.

    A template is text with {field} or {field|filter}; filters: time
    (11-22 15:04), iso (2026-11-22T15:04:05+08:00), category (the
    category's name), org (the org node's name).  A first line
    "subject: ..." is the e-mail subject. */
#ifndef RULES_H_INCLUDED
#define RULES_H_INCLUDED

#include "cg_catalog.h"
#include "cg_events.h"
#include "cg_orgtree.h"

typedef enum {
    WHO_UNIT,       /* unit:F — the unit named by field F: its in-app inbox */
    WHO_ROLE,       /* role:R@F — people with role R at the org node in F (^: its parent center) */
    WHO_PEOPLE,     /* people:F — the person ids listed in F (fund committee members);
                       people:F!G — but not the one in field G (the person who asked) */
    WHO_MEMBERS,    /* members:B — a topic's participants: of body B, of the event's stage
                       (stage) or all of them (all), as fixed when the topic was raised */
    WHO_CITIZEN,    /* citizen — the case's reporter, by SMS */
    WHO_HOTLINE     /* hotline — the 12345 status callback, for the hotline's own orders */
} who_t;
/*  Recipients A|B|...: the first of them that finds anyone (the community's
    staff, else the town's operators). */

typedef struct _template_t template_t;

typedef struct _rule_t rule_t;
struct _rule_t {
    char *topic;
    const cg_event_kind_t *kind;
    char *when_field, *when_value;      /* NULL when unconditional */
    char *who_text;
    who_t who;
    char *who_role, *who_field;
    char *who_except;                   /* people:F!G: G, else NULL */
    bool who_parent;
    char *template_name;
    template_t *zh, *en;
    bool urgent;
    int64_t ack_ms;
    bool needs_case;                    /* names case.X, or the citizen or hotline */
    rule_t *otherwise;                  /* A|B: the recipients B when A finds nobody
                                           (only its who_ fields are its own) */
};

/*  What a rule reads from: an event of the rule's kind and, when the rule
    needs it, the case record. */
typedef struct {
    const cg_msgdef_t *def;
    const void *event;
    const cg_case_view_t *record;       /* NULL when not needed or not found */
    cg_catalog_t *catalog;
    cg_orgtree_t *org;
} rule_input_t;

typedef struct _rules_t rules_t;

/*  Loads DIR/rules.tsv and the templates in DIR/templates; NULL with
    "file:LINE: reason" in err. */
rules_t *rules_load (const char *dir, char *err, size_t errlen);
void rules_destroy (rules_t **self_p);

size_t rules_count (rules_t *self);
const rule_t *rules_at (rules_t *self, size_t index);

/*  True when some rule wants events of this topic. */
bool rules_wanted (rules_t *self, const char *topic);

/*  True when the rule's condition holds. */
bool rule_applies (const rule_t *rule, const rule_input_t *in);

/*  The text of a field (with its filter), "" when absent.  lang picks the
    category name's language. */
void rule_field (const rule_input_t *in, const char *name, const char *filter,
                 const char *lang, char *buf, size_t len);

/*  Renders the rule's template in lang (falling back to zh-CN) into text,
    and its subject (if any) into subject. */
void rule_render (const rule_t *rule, const rule_input_t *in, const char *lang,
                  char *text, size_t textlen, char *subject, size_t subjectlen);

#endif
