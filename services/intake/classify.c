/*  classify — see classify.h.

    The table is small (tens of rows), so it is kept as read and scanned in
    file order: the first row that fits wins, which lets the center put
    specific words before general ones. */
#include "classify.h"
#include "cg_text.h"

#include <stdlib.h>

typedef enum { S_CODE, S_KEYWORD, S_CLASS } s_kind_t;

typedef struct {
    char *source;               /* "*" for any */
    s_kind_t kind;
    char *value;
    const cg_category_t *category;
} s_row_t;

struct _classify_t {
    cg_catalog_t *catalog;
    s_row_t *rows;
    size_t nrows;
};

classify_t *
classify_new (cg_catalog_t *catalog, const char *path, char *err, size_t errlen)
{
    classify_t *self = cg_alloc (sizeof *self);
    self->catalog = catalog;
    cg_tsv_t *tsv = cg_tsv_open (path, err, errlen);
    if (!tsv) {
        classify_destroy (&self);
        return NULL;
    }
    char **f;
    int n;
    while ((n = cg_tsv_next (tsv, &f, err, errlen)) > 0) {
        /*  a row of fewer fields has no f[1] to read */
        s_kind_t kind = n != 4 ? S_CLASS : streq (f[1], "code") ? S_CODE
                      : streq (f[1], "keyword") ? S_KEYWORD : S_CLASS;
        const cg_category_t *category = n == 4 ? cg_catalog_find (catalog, f[3]) : NULL;
        if (n != 4 || (kind == S_CLASS && !streq (f[1], "class")) || !category) {
            cg_tsv_fail (tsv, err, errlen, n != 4 ? "want source, kind, value, category"
                         : !category ? "the category is not in the catalog"
                         : "kind is code, keyword or class");
            n = -1;
            break;
        }
        self->rows = cg_realloc (self->rows, (self->nrows + 1) * sizeof *self->rows);
        self->rows[self->nrows++] = (s_row_t) { cg_strdup (f[0]), kind, cg_strdup (f[2]),
                                                category };
    }
    cg_tsv_destroy (&tsv);
    if (n < 0)
        classify_destroy (&self);
    return self;
}

void
classify_destroy (classify_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    classify_t *self = *self_p;
    for (size_t i = 0; i < self->nrows; i++) {
        free (self->rows[i].source);
        free (self->rows[i].value);
    }
    free (self->rows);
    free (self);
    *self_p = NULL;
}

static const cg_category_t *
s_find (classify_t *self, const char *source, s_kind_t kind, const char *text)
{
    for (size_t i = 0; i < self->nrows; i++) {
        const s_row_t *row = &self->rows[i];
        if (row->kind != kind || (!streq (row->source, "*") && !streq (row->source, source)))
            continue;
        if (kind == S_KEYWORD ? strstr (text, row->value) != NULL : streq (text, row->value))
            return row->category;
    }
    return NULL;
}

const cg_category_t *
classify_code (classify_t *self, const char *source, const char *code)
{
    const cg_category_t *category = cg_catalog_find (self->catalog, code);
    return category ? category : s_find (self, source, S_CODE, code);
}

const cg_category_t *
classify_text (classify_t *self, const char *source, const char *text, const char *klass)
{
    const cg_category_t *category = s_find (self, source, S_KEYWORD, text);
    if (!category && klass)
        category = s_find (self, source, S_CLASS, klass);
    return category;
}
