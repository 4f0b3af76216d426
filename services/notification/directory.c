/*  directory — see directory.h.  The people live in one array in file
    order; a hash by id finds one, and lookups by org node walk the array,
    which is fine for the thousands of people of a county. */
#include "directory.h"
#include "cg_clock.h"
#include "cg_text.h"

#include <czmq.h>

#define S_MAX_PEOPLE    100000

struct _directory_t {
    person_t *people;
    size_t count;
    zhash_t *by_id;
};

static void
s_person_clear (person_t *p)
{
    free (p->id);
    free (p->name);
    free (p->role);
    free (p->lang);
    for (int i = 0; i < p->nroutes; i++)
        free (p->routes[i]);
    for (int i = 0; i < p->nurgent; i++)
        free (p->urgent[i]);
}

void
directory_destroy (directory_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    directory_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++)
        s_person_clear (&self->people[i]);
    free (self->people);
    zhash_destroy (&self->by_id);
    free (self);
    *self_p = NULL;
}

int
directory_parse_window (const char *text, int *from, int *to)
{
    int h1, m1, h2, m2;
    char tail;
    if (sscanf (text, "%d:%d-%d:%d%c", &h1, &m1, &h2, &m2, &tail) != 4
        || h1 < 0 || h1 > 23 || h2 < 0 || h2 > 23 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
        return -1;
    *from = h1 * 60 + m1;
    *to = h2 * 60 + m2;
    return 0;
}

/*  "webhook:URL,email:ADDR,inbox" into routes "CHANNEL ADDRESS"; the
    person's own inbox needs no address.  Returns -1 with the reason. */
static int
s_parse_routes (const char *text, const char *id, char **routes, int *count, char *why,
                size_t whylen)
{
    *count = 0;
    if (streq (text, "-"))
        return 0;
    char *copy = cg_strdup (text), *save = NULL;
    int rc = 0;
    for (char *item = strtok_r (copy, ",", &save); item; item = strtok_r (NULL, ",", &save)) {
        if (*count == DIRECTORY_ROUTES) {
            cg_errset (why, whylen, "more than %d channels", DIRECTORY_ROUTES);
            rc = -1;
            break;
        }
        char *colon = strchr (item, ':');
        if (streq (item, "inbox"))
            routes[(*count)++] = cg_strfmt ("inbox %s", id);
        else
        if (colon && colon[1] && !strchr (colon, ' ')
            && (strncmp (item, "webhook:", 8) == 0 || strncmp (item, "email:", 6) == 0)) {
            *colon = 0;
            routes[(*count)++] = cg_strfmt ("%s %s", item, colon + 1);
        }
        else {
            cg_errset (why, whylen, "channel \"%s\" is not inbox, webhook:URL or email:ADDRESS",
                       item);
            rc = -1;
            break;
        }
    }
    free (copy);
    return rc;
}

static int
s_parse_line (directory_t *self, cg_tsv_t *tsv, cg_orgtree_t *org, char **f, int n,
              char *err, size_t errlen)
{
    if (n != 9)
        return cg_tsv_fail (tsv, err, errlen, "%d columns, want 9: id name role org lang "
                            "channels urgent_channels quiet mode", n);
    if (self->count == S_MAX_PEOPLE)
        return cg_tsv_fail (tsv, err, errlen, "more than %d people", S_MAX_PEOPLE);
    person_t *p = &self->people[self->count];
    memset (p, 0, sizeof *p);
    p->id = cg_strfmt ("person:%s", f[0]);
    if (strlen (f[0]) > 48 || strchr (f[0], ' ') || zhash_lookup (self->by_id, p->id)) {
        free (p->id);
        return cg_tsv_fail (tsv, err, errlen, "id \"%s\" is repeated, too long or has a space",
                            f[0]);
    }
    self->count++;
    p->name = cg_strdup (f[1]);
    p->role = cg_strdup (f[2]);
    p->org = cg_orgtree_find (org, f[3]);
    p->lang = cg_strdup (f[4]);
    char why[160];
    if (!p->org)
        return cg_tsv_fail (tsv, err, errlen, "org \"%s\" is not in the org tree", f[3]);
    if (!streq (f[4], "zh-CN") && !streq (f[4], "en"))
        return cg_tsv_fail (tsv, err, errlen, "lang \"%s\" is not zh-CN or en", f[4]);
    if (s_parse_routes (f[5], p->id, p->routes, &p->nroutes, why, sizeof why))
        return cg_tsv_fail (tsv, err, errlen, "channels: %s", why);
    if (p->nroutes == 0)
        return cg_tsv_fail (tsv, err, errlen, "channels: a person needs at least one");
    if (s_parse_routes (f[6], p->id, p->urgent, &p->nurgent, why, sizeof why))
        return cg_tsv_fail (tsv, err, errlen, "urgent_channels: %s", why);
    p->quiet_from = p->quiet_to = -1;
    if (!streq (f[7], "-") && directory_parse_window (f[7], &p->quiet_from, &p->quiet_to))
        return cg_tsv_fail (tsv, err, errlen, "quiet \"%s\" is not HH:MM-HH:MM or -", f[7]);
    if (!streq (f[8], "immediate") && !streq (f[8], "digest"))
        return cg_tsv_fail (tsv, err, errlen, "mode \"%s\" is not immediate or digest", f[8]);
    p->digest = streq (f[8], "digest");
    zhash_insert (self->by_id, p->id, p);
    return 0;
}

directory_t *
directory_load (const char *path, cg_orgtree_t *org, char *err, size_t errlen)
{
    directory_t *self = cg_alloc (sizeof *self);
    self->by_id = zhash_new ();
    size_t cap = 64;
    self->people = cg_alloc (cap * sizeof (person_t));
    if (!path)
        return self;
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv) {
        directory_destroy (&self);
        return NULL;
    }
    char **fields;
    int n;
    while ((n = cg_tsv_next (tsv, &fields, err, errlen)) > 0) {
        if (self->count == cap)
            self->people = cg_realloc (self->people, (cap *= 2) * sizeof (person_t));
        if (s_parse_line (self, tsv, org, fields, n, err, errlen)) {
            n = -1;
            break;
        }
    }
    cg_tsv_destroy (&tsv);
    if (n < 0) {
        directory_destroy (&self);
        return NULL;
    }
    /*  the array may have moved while growing: index the final places */
    zhash_destroy (&self->by_id);
    self->by_id = zhash_new ();
    for (size_t i = 0; i < self->count; i++)
        zhash_insert (self->by_id, self->people[i].id, &self->people[i]);
    return self;
}

const person_t *
directory_person (directory_t *self, const char *id)
{
    if (strncmp (id, "person:", 7) == 0)
        return zhash_lookup (self->by_id, id);
    char key[64];
    snprintf (key, sizeof key, "person:%s", id);
    return zhash_lookup (self->by_id, key);
}

size_t
directory_at (directory_t *self, const char *code, const char *role, const person_t **out,
              size_t max)
{
    size_t found = 0;
    for (size_t i = 0; i < self->count && found < max; i++)
        if (streq (self->people[i].org->code, code)
            && (streq (role, "*") || streq (self->people[i].role, role)))
            out[found++] = &self->people[i];
    return found;
}

/*  Who an unacknowledged urgent notice is passed up to: the on-duty
    operators and the leaders of a center, and a community's own staff;
    never a party of a topic (invited residents) or of a fund (committee
    members), whatever node they are listed at. */
bool
directory_takes_escalation (const person_t *person)
{
    return streq (person->role, "operator") || streq (person->role, "leader")
           || (streq (person->role, "community") && person->org->kind == CG_ORG_COMMUNITY);
}

size_t
directory_above (directory_t *self, const cg_org_node_t *node, const person_t **out,
                 size_t max)
{
    for (const cg_org_node_t *up = node ? node->parent : NULL; up; up = up->parent) {
        size_t found = 0;
        for (size_t i = 0; i < self->count && found < max; i++)
            if (streq (self->people[i].org->code, up->code)
                && directory_takes_escalation (&self->people[i]))
                out[found++] = &self->people[i];
        if (found)
            return found;
    }
    return 0;
}

int64_t
directory_quiet_until (const person_t *person, int64_t now)
{
    if (person->quiet_from < 0 || person->quiet_from == person->quiet_to)
        return now;
    int64_t day_ms = CG_DAY_MS, local = now + CG_TZ_OFFSET_MS;
    int64_t midnight = local - local % day_ms;
    int minute = (int) ((local - midnight) / 60000);
    int from = person->quiet_from, to = person->quiet_to;
    bool quiet = from < to ? (minute >= from && minute < to)
                           : (minute >= from || minute < to);
    if (!quiet)
        return now;
    int64_t end = midnight + (int64_t) to * 60000;
    if (end <= local)
        end += day_ms;
    return end - CG_TZ_OFFSET_MS;
}
