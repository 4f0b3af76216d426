/*  cg_catalog - the category catalog (事项目录)

    Every case has a category: street vending, noise, an elderly person's
    alarm. The catalog says, for each, what class of request it is, the
    lowest level whose center handles it, which unit type handles it at
    each level (or the center's own queue), and its time limits for
    signing for (签收) and completing (办结) in working minutes. Dispatch
    reads it to route and to set deadlines. The format is in
    docs/DATA-FORMATS.md; the demo catalog is deploy/demo/catalog.tsv.

    A loaded catalog is read-only; category pointers and their strings live
    as long as the catalog.
*/
#ifndef CG_CATALOG_H_INCLUDED
#define CG_CATALOG_H_INCLUDED

#include "cg_orgtree.h"

#include <stdbool.h>
#include <stddef.h>

//  The six request classes of the 12345 hotline
typedef enum {
    CG_REQ_COMPLAINT,       //  投诉
    CG_REQ_HELP,            //  求助
    CG_REQ_SUGGESTION,      //  建议
    CG_REQ_CONSULTATION,    //  咨询
    CG_REQ_REPORT,          //  举报
    CG_REQ_PRAISE           //  表扬
} cg_req_class_t;

#define CG_REQ_CLASSES 6

//  Index into cg_category_t.unit_type: the levels from the bottom up.
#define CG_LEVEL_TOWN    0
#define CG_LEVEL_COUNTY  1
#define CG_LEVEL_CITY    2

typedef struct {
    const char *code;               //  ASCII identifier, e.g. street_vending
    const char *name_zh;            //  占道经营
    const char *name_en;            //  Street vending
    cg_req_class_t class;
    cg_org_kind_t level;            //  CG_ORG_TOWN, _COUNTY or _CITY: lowest handling level
    const char *unit_type [3];      //  By CG_LEVEL_*; NULL = the center's own queue
    int sign_limit_min;             //  Working minutes to sign for, > 0
    int complete_limit_min;         //  Working minutes to complete, >= sign_limit_min
    bool urgent;                    //  Same-day emergency handling
    bool consult;                   //  May open a consultation topic (议事协商)
} cg_category_t;

typedef struct _cg_catalog_t cg_catalog_t;

//  Load a catalog. NULL, with "path:LINE: reason" in err, if the file
//  cannot be read or breaks any rule; err may be NULL.
cg_catalog_t *cg_catalog_load (const char *path, char *err, size_t errlen);

//  Check the catalog against an org tree: every unit type it names at a
//  level must be a unit of at least one center of that level, or no case
//  would ever reach such a unit (a typo: chengguan for chenguan). 0, or -1
//  with "path:LINE: reason" in err, path being the catalog's file.
int cg_catalog_check (cg_catalog_t *self, cg_orgtree_t *org, const char *path,
                      char *err, size_t errlen);

//  Free the catalog; nulls *self_p, safe to call twice.
void cg_catalog_destroy (cg_catalog_t **self_p);

//  The category with this code, or NULL.
const cg_category_t *cg_catalog_find (cg_catalog_t *self, const char *code);

//  Number of categories, and the one at index (in file order).
size_t cg_catalog_size (cg_catalog_t *self);
const cg_category_t *cg_catalog_at (cg_catalog_t *self, size_t index);

//  The unit type that handles category at a center of kind level (town,
//  county or city), or NULL for that center's own queue.
const char *cg_category_unit (const cg_category_t *category, cg_org_kind_t level);

//  "complaint", "help", "suggestion", "consultation", "report", "praise".
const char *cg_req_class_name (cg_req_class_t class);

//  Parse a class name; 0 on success, -1 if s names no class.
int cg_req_class_parse (const char *s, cg_req_class_t *out);

#endif
