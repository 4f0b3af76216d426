/*  classify — the category of a request, from the channel's own
    classification and the words of the request, by the intake category
    table (deploy/demo/intake-categories.tsv; format in docs/INTAKE.md). */
#ifndef INTAKE_CLASSIFY_H_INCLUDED
#define INTAKE_CLASSIFY_H_INCLUDED

#include "cg_catalog.h"

typedef struct _classify_t classify_t;

/*  NULL with "path:LINE: reason" in err when the table is malformed or
    names a category the catalog lacks. */
classify_t *classify_new (cg_catalog_t *catalog, const char *path, char *err, size_t errlen);
void classify_destroy (classify_t **self_p);

/*  The category for a channel's own code: the catalog code itself, or the
    table's `code` row for this source; NULL when neither. */
const cg_category_t *classify_code (classify_t *self, const char *source, const char *code);

/*  The category of the first `keyword` row whose word is in text, else of
    the `class` row for klass (may be NULL); NULL when nothing matches. */
const cg_category_t *classify_text (classify_t *self, const char *source, const char *text,
                                    const char *klass);

#endif
