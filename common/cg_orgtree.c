/*  cg_orgtree - the org tree: every command center, unit and grid

    The loader reads the file once, line by line (cg_tsv_t does the shared
    checks: length, UTF-8, comments), and builds the tree as it goes. A
    node's parent must appear on an earlier line, so every parent is already
    in the tree when its child arrives; that rule alone makes a cycle
    impossible, because a node can only point back in file order. The first
    broken line stops the load and is reported as "path:LINE: reason".

    Each node is one allocation: the public cg_org_node_t, the loader's
    bookkeeping, and the node's strings after it. Nodes are kept in file
    order in an array (for size, counts and freeing) and indexed by code in
    an open-addressing hash table with linear probing, kept at most half
    full, so find is O(1). Children are a singly linked list in file order;
    the parent's last child is remembered so appending is O(1).

    Loading the demo region (10,574 nodes) takes about 5 ms.
*/
#include "cg_orgtree.h"
#include "cg_text.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CG_ORG_MAX_CODE  32     //  Bytes; unit codes are the longest
#define CG_ORG_MAX_NAME  128    //  Bytes of UTF-8, about 40 Chinese characters

typedef struct _s_node_t s_node_t;
struct _s_node_t {
    cg_org_node_t pub;          //  First, so a public pointer converts back
    s_node_t *last_child;       //  Where the next child is appended
    size_t lineno;              //  For "first on line N" messages
    char strings [];            //  code, name and unit_type live here
};

struct _cg_orgtree_t {
    s_node_t **nodes;           //  In file order; nodes [0] is the root
    size_t size;
    size_t capacity;
    s_node_t **table;           //  Hash table by code, NULL = empty slot
    size_t table_size;          //  A power of two
    size_t counts [CG_ORG_KINDS];
};

static const char *s_kind_names [CG_ORG_KINDS] = {
    "city", "county", "town", "community", "grid", "unit"
};

//  Length in digits of a code of each kind; 0 for units, whose codes are
//  free-form.
static const size_t s_code_digits [CG_ORG_KINDS] = { 6, 6, 9, 12, 15, 0 };

//  FNV-1a: short keys, no need for anything stronger.
static size_t
s_hash (const char *code)
{
    uint64_t hash = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *) code; *p; p++) {
        hash ^= *p;
        hash *= 1099511628211ULL;
    }
    return (size_t) hash;
}

static s_node_t *
s_lookup (cg_orgtree_t *self, const char *code)
{
    if (!self->table)
        return NULL;
    size_t mask = self->table_size - 1;
    for (size_t slot = s_hash (code) & mask; self->table [slot];
         slot = (slot + 1) & mask)
        if (streq (self->table [slot]->pub.code, code))
            return self->table [slot];
    return NULL;
}

static void
s_table_put (s_node_t **table, size_t table_size, s_node_t *node)
{
    size_t mask = table_size - 1;
    size_t slot = s_hash (node->pub.code) & mask;
    while (table [slot])
        slot = (slot + 1) & mask;
    table [slot] = node;
}

//  Append node to the array and the index, growing both as needed.
static void
s_insert (cg_orgtree_t *self, s_node_t *node)
{
    if (self->size == self->capacity) {
        self->capacity = self->capacity ? self->capacity * 2 : 1024;
        self->nodes = cg_realloc (self->nodes, self->capacity * sizeof (s_node_t *));
    }
    self->nodes [self->size++] = node;

    if (self->size * 2 > self->table_size) {
        size_t table_size = self->table_size ? self->table_size * 2 : 2048;
        s_node_t **table = cg_alloc (table_size * sizeof (s_node_t *));
        for (size_t index = 0; index < self->size; index++)
            s_table_put (table, table_size, self->nodes [index]);
        free (self->table);
        self->table = table;
        self->table_size = table_size;
    }
    else
        s_table_put (self->table, self->table_size, node);
}

static bool
s_all_digits (const char *s)
{
    return *s && s [strspn (s, "0123456789")] == '\0';
}

//  Unit codes go into URLs, Redis keys and log lines: printable ASCII,
//  no spaces.
static bool
s_printable_ascii (const char *s)
{
    for (; *s; s++)
        if (*s < 0x21 || *s > 0x7E)
            return false;
    return true;
}

//  A unit type names a kind of handling unit in the catalog: a lowercase
//  ASCII identifier.
static bool
s_identifier (const char *s)
{
    if (*s < 'a' || *s > 'z')
        return false;
    return s [strspn (s, "abcdefghijklmnopqrstuvwxyz0123456789_")] == '\0';
}

//  The kind a node of this kind must hang under; for a unit, any center.
static bool
s_nesting_ok (cg_org_kind_t kind, cg_org_kind_t parent)
{
    switch (kind) {
        case CG_ORG_COUNTY:    return parent == CG_ORG_CITY;
        case CG_ORG_TOWN:      return parent == CG_ORG_COUNTY;
        case CG_ORG_COMMUNITY: return parent == CG_ORG_TOWN;
        case CG_ORG_GRID:      return parent == CG_ORG_COMMUNITY;
        case CG_ORG_UNIT:      return parent <= CG_ORG_TOWN;
        case CG_ORG_CITY:      return false;
    }
    return false;
}

static const char *
s_expected_parent (cg_org_kind_t kind)
{
    switch (kind) {
        case CG_ORG_COUNTY:    return "a city";
        case CG_ORG_TOWN:      return "a county";
        case CG_ORG_COMMUNITY: return "a town";
        case CG_ORG_GRID:      return "a community";
        case CG_ORG_UNIT:      return "a city, county or town";
        case CG_ORG_CITY:      return "nothing";
    }
    return "nothing";
}

//  Check the code's shape against its kind and its parent's code: digits
//  of the right length, extending the parent's code. A county sits beside
//  its city in GB/T 2260 (320600 and 320602) rather than under it, so it
//  shares the first 4 digits (the prefecture) instead.
static int
s_check_code (cg_tsv_t *tsv, char *err, size_t errlen, const char *code,
              cg_org_kind_t kind, const s_node_t *parent)
{
    const char *kind_name = s_kind_names [kind];
    if (kind == CG_ORG_UNIT) {
        if (!s_printable_ascii (code) || streq (code, "-"))
            return cg_tsv_fail (tsv, err, errlen,
                "unit code '%s' must be printable ASCII without spaces", code);
        return 0;
    }
    size_t digits = s_code_digits [kind];
    if (!s_all_digits (code) || strlen (code) != digits)
        return cg_tsv_fail (tsv, err, errlen,
            "a %s code has %zu digits, not '%s'", kind_name, digits, code);
    if (!parent)
        return 0;
    const char *parent_code = parent->pub.code;
    if (kind == CG_ORG_COUNTY) {
        if (strncmp (code, parent_code, 4) != 0)
            return cg_tsv_fail (tsv, err, errlen,
                "county %s is not in city %s (their codes must share the first 4 digits)",
                code, parent_code);
    }
    else
    if (strncmp (code, parent_code, strlen (parent_code)) != 0)
        return cg_tsv_fail (tsv, err, errlen,
            "%s code %s does not start with its parent's code %s",
            kind_name, code, parent_code);
    return 0;
}

//  Check one data line and, if it is good, add its node to the tree.
static int
s_load_line (cg_orgtree_t *self, cg_tsv_t *tsv, char **fields, int count,
             char *err, size_t errlen)
{
    if (count < 4 || count > 5)
        return cg_tsv_fail (tsv, err, errlen,
            "expected 4 or 5 tab-separated columns "
            "(code, parent, kind, name[, unit_type]), found %d", count);
    const char *code = fields [0];
    const char *parent_code = fields [1];
    const char *kind_name = fields [2];
    const char *name = fields [3];
    const char *unit_type = count == 5? fields [4]: NULL;

    static const char *columns [] = { "code", "parent", "kind", "name", "unit_type" };
    for (int index = 0; index < count; index++)
        if (!*fields [index])
            return cg_tsv_fail (tsv, err, errlen, "the %s column is empty", columns [index]);

    cg_org_kind_t kind;
    if (cg_org_kind_parse (kind_name, &kind))
        return cg_tsv_fail (tsv, err, errlen,
            "unknown kind '%s' (expected city, county, town, community, grid or unit)",
            kind_name);
    if (strlen (code) > CG_ORG_MAX_CODE)
        return cg_tsv_fail (tsv, err, errlen,
            "code is %zu bytes long, the limit is %d", strlen (code), CG_ORG_MAX_CODE);
    if (strlen (name) > CG_ORG_MAX_NAME)
        return cg_tsv_fail (tsv, err, errlen,
            "name is %zu bytes long, the limit is %d", strlen (name), CG_ORG_MAX_NAME);
    if (kind == CG_ORG_UNIT && !unit_type)
        return cg_tsv_fail (tsv, err, errlen, "a unit needs a 5th column, its unit_type");
    if (kind != CG_ORG_UNIT && unit_type)
        return cg_tsv_fail (tsv, err, errlen,
            "only a unit has a 5th column (unit_type), this is a %s", kind_name);
    if (unit_type && !s_identifier (unit_type))
        return cg_tsv_fail (tsv, err, errlen,
            "unit_type '%s' must be a lowercase ASCII identifier", unit_type);

    const s_node_t *duplicate = s_lookup (self, code);
    if (duplicate)
        return cg_tsv_fail (tsv, err, errlen,
            "duplicate code %s (first on line %zu)", code, duplicate->lineno);

    s_node_t *parent = NULL;
    if (streq (parent_code, "-")) {
        if (kind != CG_ORG_CITY)
            return cg_tsv_fail (tsv, err, errlen,
                "a %s needs a parent; only the city is a root", kind_name);
        if (self->size > 0)
            return cg_tsv_fail (tsv, err, errlen,
                "a second root %s; the root is %s (line %zu)",
                code, self->nodes [0]->pub.code, self->nodes [0]->lineno);
    }
    else {
        if (kind == CG_ORG_CITY)
            return cg_tsv_fail (tsv, err, errlen,
                "a city is the root, its parent must be '-', not %s", parent_code);
        parent = s_lookup (self, parent_code);
        if (!parent)
            return cg_tsv_fail (tsv, err, errlen,
                "unknown parent %s (a parent must come before its children)", parent_code);
        if (!s_nesting_ok (kind, parent->pub.kind))
            return cg_tsv_fail (tsv, err, errlen,
                "a %s's parent must be %s, %s is a %s", kind_name,
                s_expected_parent (kind), parent_code, s_kind_names [parent->pub.kind]);
    }
    if (s_check_code (tsv, err, errlen, code, kind, parent))
        return -1;
    //  Routing asks a center for "its" unit of a type: two would be ambiguous.
    if (unit_type) {
        const s_node_t *twin =
            (const s_node_t *) cg_orgtree_unit (self, &parent->pub, unit_type);
        if (twin)
            return cg_tsv_fail (tsv, err, errlen,
                "center %s already has a %s unit, %s (line %zu)",
                parent_code, unit_type, twin->pub.code, twin->lineno);
    }

    size_t code_size = strlen (code) + 1;
    size_t name_size = strlen (name) + 1;
    size_t type_size = unit_type? strlen (unit_type) + 1: 0;
    s_node_t *node = cg_alloc (sizeof (s_node_t) + code_size + name_size + type_size);
    char *strings = node->strings;
    node->pub.code = memcpy (strings, code, code_size);
    node->pub.name = memcpy (strings + code_size, name, name_size);
    if (unit_type)
        node->pub.unit_type = memcpy (strings + code_size + name_size, unit_type, type_size);
    node->pub.kind = kind;
    node->lineno = cg_tsv_lineno (tsv);
    if (parent) {
        node->pub.parent = &parent->pub;
        node->pub.depth = parent->pub.depth + 1;
        if (parent->last_child)
            parent->last_child->pub.next_sibling = &node->pub;
        else
            parent->pub.first_child = &node->pub;
        parent->last_child = node;
    }
    s_insert (self, node);
    self->counts [kind]++;
    return 0;
}

cg_orgtree_t *
cg_orgtree_load (const char *path, char *err, size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return NULL;
    cg_orgtree_t *self = cg_alloc (sizeof (cg_orgtree_t));
    int rc;
    char **fields;
    while ((rc = cg_tsv_next (tsv, &fields, err, errlen)) > 0)
        if (s_load_line (self, tsv, fields, rc, err, errlen))
            break;
    if (rc == 0 && self->size == 0) {
        cg_errset (err, errlen, "%s: no nodes, the file needs at least the city", path);
        rc = -1;
    }
    cg_tsv_destroy (&tsv);
    if (rc != 0)
        cg_orgtree_destroy (&self);
    return self;
}

void
cg_orgtree_destroy (cg_orgtree_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_orgtree_t *self = *self_p;
    for (size_t index = 0; index < self->size; index++)
        free (self->nodes [index]);
    free (self->nodes);
    free (self->table);
    free (self);
    *self_p = NULL;
}

const cg_org_node_t *
cg_orgtree_find (cg_orgtree_t *self, const char *code)
{
    assert (self);
    s_node_t *node = s_lookup (self, code);
    return node? &node->pub: NULL;
}

const cg_org_node_t *
cg_orgtree_root (cg_orgtree_t *self)
{
    assert (self);
    return &self->nodes [0]->pub;
}

const cg_org_node_t *
cg_orgtree_center_of (cg_orgtree_t *self, const cg_org_node_t *node,
                      cg_org_kind_t level)
{
    assert (self);
    while (node && node->kind != level)
        node = node->parent;
    return node;
}

const cg_org_node_t *
cg_orgtree_unit (cg_orgtree_t *self, const cg_org_node_t *center,
                 const char *unit_type)
{
    assert (self);
    if (!center)
        return NULL;
    for (const cg_org_node_t *child = center->first_child; child;
         child = child->next_sibling)
        if (child->kind == CG_ORG_UNIT && streq (child->unit_type, unit_type))
            return child;
    return NULL;
}

bool
cg_orgtree_within (const cg_org_node_t *node, const cg_org_node_t *scope)
{
    if (!node || !scope)
        return false;
    while (node->depth > scope->depth)
        node = node->parent;
    return node == scope;
}

const cg_org_node_t *
cg_orgtree_first_child (const cg_org_node_t *node)
{
    return node->first_child;
}

const cg_org_node_t *
cg_orgtree_next_sibling (const cg_org_node_t *node)
{
    return node->next_sibling;
}

size_t
cg_orgtree_size (cg_orgtree_t *self)
{
    assert (self);
    return self->size;
}

size_t
cg_orgtree_count (cg_orgtree_t *self, cg_org_kind_t kind)
{
    assert (self);
    assert (kind < CG_ORG_KINDS);
    return self->counts [kind];
}

const char *
cg_org_kind_name (cg_org_kind_t kind)
{
    assert (kind < CG_ORG_KINDS);
    return s_kind_names [kind];
}

int
cg_org_kind_parse (const char *s, cg_org_kind_t *out)
{
    for (int kind = 0; kind < CG_ORG_KINDS; kind++)
        if (streq (s, s_kind_names [kind])) {
            *out = (cg_org_kind_t) kind;
            return 0;
        }
    return -1;
}
