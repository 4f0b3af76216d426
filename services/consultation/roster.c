/*  roster — see roster.h.  The file is small (a few lines per body per
    community), so it is kept as one array in file order and searched
    whole. */
#include "roster.h"
#include "cg_text.h"

const char *const roster_bodies[] = {
    "party_branch",     /* 党支部(党组织) */
    "committees",       /* 两委: the party organisation and the villagers' committee */
    "party_members",    /* 党员大会 */
    "representatives",  /* 村(居)民代表会议 */
    "invited",          /* 议事协商的受邀方 */
    NULL };

typedef struct {
    char *community, *body, *member, *name, *role;
} s_entry_t;

struct _roster_t {
    s_entry_t *entries;
    size_t count, cap;
};

bool
roster_body_known (const char *body)
{
    for (int i = 0; roster_bodies[i]; i++)
        if (streq (body, roster_bodies[i]))
            return true;
    return false;
}

roster_t *
roster_load (const char *path, cg_orgtree_t *org, char *err, size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return NULL;
    roster_t *self = cg_alloc (sizeof *self);
    char **f;
    int n;
    while ((n = cg_tsv_next (tsv, &f, err, errlen)) > 0) {
        const cg_org_node_t *node = cg_orgtree_find (org, f[0]);
        if (n != 5)
            n = cg_tsv_fail (tsv, err, errlen, "%d columns; a roster line has 5: community, "
                             "body, member, name, role", n);
        else
        if (!node || node->kind != CG_ORG_COMMUNITY)
            n = cg_tsv_fail (tsv, err, errlen, "%s is not a community of the org tree", f[0]);
        else
        if (!roster_body_known (f[1]))
            n = cg_tsv_fail (tsv, err, errlen, "unknown body %s (party_branch, committees, "
                             "party_members, representatives, invited)", f[1]);
        else
        if (strlen (f[2]) > 64 || strlen (f[3]) > 64 || strlen (f[4]) > 64)
            n = cg_tsv_fail (tsv, err, errlen, "member, name and role have at most 64 bytes");
        else
        if (roster_members (self, f[0], f[1], NULL, 0) >= CG_ROSTER_MAX)
            n = cg_tsv_fail (tsv, err, errlen, "a body has at most %d members", CG_ROSTER_MAX);
        if (n < 0)
            break;
        if (self->count == self->cap) {
            self->cap = self->cap ? self->cap * 2 : 64;
            self->entries = cg_realloc (self->entries, self->cap * sizeof (s_entry_t));
        }
        s_entry_t *e = &self->entries[self->count++];
        e->community = cg_strdup (f[0]);
        e->body = cg_strdup (f[1]);
        e->member = cg_strdup (f[2]);
        e->name = cg_strdup (f[3]);
        e->role = cg_strdup (f[4]);
    }
    cg_tsv_destroy (&tsv);
    if (n < 0)
        roster_destroy (&self);
    return self;
}

void
roster_destroy (roster_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    roster_t *self = *self_p;
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        free (e->community);
        free (e->body);
        free (e->member);
        free (e->name);
        free (e->role);
    }
    free (self->entries);
    free (self);
    *self_p = NULL;
}

size_t
roster_members (roster_t *self, const char *community, const char *body,
                cg_topic_member_t *out, size_t max)
{
    size_t found = 0;
    for (size_t i = 0; i < self->count; i++) {
        s_entry_t *e = &self->entries[i];
        if (!streq (e->community, community) || (body && !streq (e->body, body)))
            continue;
        if (found < max)
            out[found] = (cg_topic_member_t) { .body = e->body, .member = e->member,
                                                .name = e->name, .role = e->role };
        found++;
    }
    return found;
}
