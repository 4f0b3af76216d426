/*  cg_catalog - the category catalog (事项目录)

    The loader reads the file once through cg_tsv_t (which checks line
    length, UTF-8 and comments) and then checks each line's twelve columns;
    the first broken line stops the load with "path:LINE: reason".

    Categories are kept in file order in one array, each string its own
    copy. A second array of pointers, sorted by code once loading is done,
    serves find by binary search. Catalogs hold tens to a few hundred
    categories, so the duplicate check while loading is a plain scan.
*/
#include "cg_catalog.h"
#include "cg_text.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#define CG_CATALOG_COLUMNS   12
#define CG_CATALOG_MAX_CODE  32     //  Bytes
#define CG_CATALOG_MAX_NAME  128    //  Bytes of UTF-8
//  A year of working minutes and then some; also keeps the parse in int.
#define CG_CATALOG_MAX_LIMIT 999999

typedef struct {
    cg_category_t pub;
    size_t lineno;                  //  For "first on line N" messages
} s_entry_t;

struct _cg_catalog_t {
    s_entry_t *entries;             //  In file order
    size_t size;
    size_t capacity;
    const cg_category_t **by_code;  //  Sorted by code, for find
};

static const char *s_class_names [CG_REQ_CLASSES] = {
    "complaint", "help", "suggestion", "consultation", "report", "praise"
};

static const char *s_columns [CG_CATALOG_COLUMNS] = {
    "code", "name_zh", "name_en", "class", "level", "unit_town", "unit_county",
    "unit_city", "sign_limit_min", "complete_limit_min", "urgent", "consult"
};

//  Codes and unit types are lowercase ASCII identifiers: they appear in
//  URLs, Redis keys and the org tree's unit_type column.
static bool
s_identifier (const char *s)
{
    if (*s < 'a' || *s > 'z')
        return false;
    return s [strspn (s, "abcdefghijklmnopqrstuvwxyz0123456789_")] == '\0';
}

//  A time limit: a whole number of minutes, 1 to CG_CATALOG_MAX_LIMIT,
//  digits only (no sign, no spaces, no units).
static int
s_parse_limit (cg_tsv_t *tsv, char *err, size_t errlen, const char *column,
               const char *text, int *limit)
{
    size_t digits = strspn (text, "0123456789");
    if (text [digits] == '\0' && digits <= 6) {
        *limit = atoi (text);
        if (*limit > 0)
            return 0;
    }
    return cg_tsv_fail (tsv, err, errlen,
        "%s must be a whole number of working minutes from 1 to %d, not '%s'",
        column, CG_CATALOG_MAX_LIMIT, text);
}

static int
s_parse_flag (cg_tsv_t *tsv, char *err, size_t errlen, const char *column,
              const char *text, bool *flag)
{
    if (streq (text, "yes") || streq (text, "no")) {
        *flag = streq (text, "yes");
        return 0;
    }
    return cg_tsv_fail (tsv, err, errlen, "%s must be yes or no, not '%s'", column, text);
}

//  Check one data line into category; strings still point into the line.
static int
s_parse_line (cg_catalog_t *self, cg_tsv_t *tsv, char **fields, int count,
              cg_category_t *category, char *err, size_t errlen)
{
    if (count != CG_CATALOG_COLUMNS)
        return cg_tsv_fail (tsv, err, errlen,
            "expected %d tab-separated columns, found %d", CG_CATALOG_COLUMNS, count);
    for (int index = 0; index < count; index++)
        if (!*fields [index])
            return cg_tsv_fail (tsv, err, errlen, "the %s column is empty", s_columns [index]);

    const char *code = fields [0];
    if (strlen (code) > CG_CATALOG_MAX_CODE || !s_identifier (code))
        return cg_tsv_fail (tsv, err, errlen,
            "code '%s' must be a lowercase ASCII identifier of at most %d bytes",
            code, CG_CATALOG_MAX_CODE);
    for (size_t index = 0; index < self->size; index++)
        if (streq (self->entries [index].pub.code, code))
            return cg_tsv_fail (tsv, err, errlen,
                "duplicate code %s (first on line %zu)", code, self->entries [index].lineno);
    category->code = code;

    for (int index = 1; index <= 2; index++)
        if (strlen (fields [index]) > CG_CATALOG_MAX_NAME)
            return cg_tsv_fail (tsv, err, errlen, "%s is %zu bytes long, the limit is %d",
                s_columns [index], strlen (fields [index]), CG_CATALOG_MAX_NAME);
    category->name_zh = fields [1];
    category->name_en = fields [2];

    if (cg_req_class_parse (fields [3], &category->class))
        return cg_tsv_fail (tsv, err, errlen,
            "unknown class '%s' (expected complaint, help, suggestion, "
            "consultation, report or praise)", fields [3]);
    if (cg_org_kind_parse (fields [4], &category->level)
    ||  category->level > CG_ORG_TOWN)
        return cg_tsv_fail (tsv, err, errlen,
            "level must be town, county or city, not '%s'", fields [4]);

    bool any_unit = false;
    for (int level = CG_LEVEL_TOWN; level <= CG_LEVEL_CITY; level++) {
        const char *unit = fields [5 + level];
        if (streq (unit, "-"))
            category->unit_type [level] = NULL;
        else
        if (s_identifier (unit) && strlen (unit) <= CG_CATALOG_MAX_CODE) {
            category->unit_type [level] = unit;
            any_unit = true;
        }
        else
            return cg_tsv_fail (tsv, err, errlen,
                "%s must be '-' or a unit type (a lowercase ASCII identifier), not '%s'",
                s_columns [5 + level], unit);
    }
    //  A category that no unit ever handles is almost always a typo in
    //  the unit columns, so it is refused rather than routed to queues.
    if (!any_unit)
        return cg_tsv_fail (tsv, err, errlen, "category %s has no unit at any level", code);

    if (s_parse_limit (tsv, err, errlen, s_columns [8], fields [8], &category->sign_limit_min)
    ||  s_parse_limit (tsv, err, errlen, s_columns [9], fields [9], &category->complete_limit_min))
        return -1;
    if (category->complete_limit_min < category->sign_limit_min)
        return cg_tsv_fail (tsv, err, errlen,
            "complete_limit_min (%d) is shorter than sign_limit_min (%d)",
            category->complete_limit_min, category->sign_limit_min);

    if (s_parse_flag (tsv, err, errlen, s_columns [10], fields [10], &category->urgent)
    ||  s_parse_flag (tsv, err, errlen, s_columns [11], fields [11], &category->consult))
        return -1;
    return 0;
}

//  Append category, copying its strings out of the line buffer.
static void
s_append (cg_catalog_t *self, const cg_category_t *category, size_t lineno)
{
    if (self->size == self->capacity) {
        self->capacity = self->capacity ? self->capacity * 2 : 32;
        self->entries = cg_realloc (self->entries, self->capacity * sizeof (s_entry_t));
    }
    s_entry_t *entry = &self->entries [self->size++];
    entry->pub = *category;
    entry->pub.code = cg_strdup (category->code);
    entry->pub.name_zh = cg_strdup (category->name_zh);
    entry->pub.name_en = cg_strdup (category->name_en);
    for (int level = CG_LEVEL_TOWN; level <= CG_LEVEL_CITY; level++)
        if (category->unit_type [level])
            entry->pub.unit_type [level] = cg_strdup (category->unit_type [level]);
    entry->lineno = lineno;
}

static int
s_compare_codes (const void *a, const void *b)
{
    const cg_category_t *const *left = a;
    const cg_category_t *const *right = b;
    return strcmp ((*left)->code, (*right)->code);
}

cg_catalog_t *
cg_catalog_load (const char *path, char *err, size_t errlen)
{
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv)
        return NULL;
    cg_catalog_t *self = cg_alloc (sizeof (cg_catalog_t));
    int rc;
    char **fields;
    while ((rc = cg_tsv_next (tsv, &fields, err, errlen)) > 0) {
        cg_category_t category = { 0 };
        if (s_parse_line (self, tsv, fields, rc, &category, err, errlen))
            break;
        s_append (self, &category, cg_tsv_lineno (tsv));
    }
    if (rc == 0 && self->size == 0) {
        cg_errset (err, errlen, "%s: no categories", path);
        rc = -1;
    }
    cg_tsv_destroy (&tsv);
    if (rc != 0) {
        cg_catalog_destroy (&self);
        return NULL;
    }
    self->by_code = cg_alloc (self->size * sizeof (cg_category_t *));
    for (size_t index = 0; index < self->size; index++)
        self->by_code [index] = &self->entries [index].pub;
    qsort (self->by_code, self->size, sizeof (cg_category_t *), s_compare_codes);
    return self;
}

//  True if some center of kind level has a unit of this type. A walk
//  over the tree per question: a catalog has a few hundred, a tree ten
//  thousand nodes, and this runs once per load.
static bool
s_unit_exists (const cg_org_node_t *node, cg_org_kind_t level, const char *type)
{
    for (const cg_org_node_t *child = cg_orgtree_first_child (node); child;
         child = cg_orgtree_next_sibling (child)) {
        if (child->kind == CG_ORG_UNIT) {
            if (node->kind == level && streq (child->unit_type, type))
                return true;
        }
        else
        if (child->kind <= CG_ORG_TOWN && s_unit_exists (child, level, type))
            return true;
    }
    return false;
}

int
cg_catalog_check (cg_catalog_t *self, cg_orgtree_t *org, const char *path,
                  char *err, size_t errlen)
{
    assert (self);
    static const cg_org_kind_t kinds [3] = { CG_ORG_TOWN, CG_ORG_COUNTY, CG_ORG_CITY };
    for (size_t index = 0; index < self->size; index++) {
        const cg_category_t *category = &self->entries [index].pub;
        for (int level = CG_LEVEL_TOWN; level <= CG_LEVEL_CITY; level++) {
            const char *type = category->unit_type [level];
            if (type && !s_unit_exists (cg_orgtree_root (org), kinds [level], type)) {
                cg_errset (err, errlen, "%s:%zu: category %s names unit type %s at %s level, "
                           "but no %s center in the org tree has one", path,
                           self->entries [index].lineno, category->code, type,
                           cg_org_kind_name (kinds [level]), cg_org_kind_name (kinds [level]));
                return -1;
            }
        }
    }
    return 0;
}

void
cg_catalog_destroy (cg_catalog_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    cg_catalog_t *self = *self_p;
    for (size_t index = 0; index < self->size; index++) {
        cg_category_t *category = &self->entries [index].pub;
        free ((char *) category->code);
        free ((char *) category->name_zh);
        free ((char *) category->name_en);
        for (int level = CG_LEVEL_TOWN; level <= CG_LEVEL_CITY; level++)
            free ((char *) category->unit_type [level]);
    }
    free (self->entries);
    free (self->by_code);
    free (self);
    *self_p = NULL;
}

const cg_category_t *
cg_catalog_find (cg_catalog_t *self, const char *code)
{
    assert (self);
    cg_category_t key = { .code = code };
    const cg_category_t *key_p = &key;
    const cg_category_t **found = bsearch (&key_p, self->by_code, self->size,
                                           sizeof (cg_category_t *), s_compare_codes);
    return found? *found: NULL;
}

size_t
cg_catalog_size (cg_catalog_t *self)
{
    assert (self);
    return self->size;
}

const cg_category_t *
cg_catalog_at (cg_catalog_t *self, size_t index)
{
    assert (self);
    return index < self->size? &self->entries [index].pub: NULL;
}

const char *
cg_category_unit (const cg_category_t *category, cg_org_kind_t level)
{
    switch (level) {
        case CG_ORG_TOWN:   return category->unit_type [CG_LEVEL_TOWN];
        case CG_ORG_COUNTY: return category->unit_type [CG_LEVEL_COUNTY];
        case CG_ORG_CITY:   return category->unit_type [CG_LEVEL_CITY];
        default:            return NULL;
    }
}

const char *
cg_req_class_name (cg_req_class_t class)
{
    assert (class < CG_REQ_CLASSES);
    return s_class_names [class];
}

int
cg_req_class_parse (const char *s, cg_req_class_t *out)
{
    for (int class = 0; class < CG_REQ_CLASSES; class++)
        if (streq (s, s_class_names [class])) {
            *out = (cg_req_class_t) class;
            return 0;
        }
    return -1;
}
