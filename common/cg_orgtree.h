/*  cg_orgtree - the org tree: every command center, unit and grid

    The hierarchy city → county → town → community → grid is data, loaded
    from a tab-separated file (format in docs/DATA-FORMATS.md; the demo
    region is deploy/demo/orgtree.tsv). Units (城管, 住建, 派出所, ...) hang
    under the command center they answer to: the city, a county or a town.
    Codes follow GB/T 2260: 6 digits for a city or county, plus 3 digits
    for each of town, community and grid.

    A loaded tree is read-only. Nodes live as long as the tree, so callers
    may keep node pointers and the strings they hold until they destroy it.
*/
#ifndef CG_ORGTREE_H_INCLUDED
#define CG_ORGTREE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    CG_ORG_CITY,        //  市: a city command center
    CG_ORG_COUNTY,      //  县/区: a county-level command center
    CG_ORG_TOWN,        //  镇/街道: a town-level command center
    CG_ORG_COMMUNITY,   //  社区/村: community or village
    CG_ORG_GRID,        //  网格: one grid worker's patch
    CG_ORG_UNIT         //  职能部门: a handling unit under a center
} cg_org_kind_t;

#define CG_ORG_KINDS 6

typedef struct _cg_org_node_t cg_org_node_t;
struct _cg_org_node_t {
    const char *code;               //  320602001, or 320602001-chengguan for a unit
    const char *name;               //  UTF-8, e.g. 观音山街道
    const char *unit_type;          //  chengguan, police, ...; NULL unless a unit
    cg_org_kind_t kind;
    const cg_org_node_t *parent;    //  NULL for the city at the root
    const cg_org_node_t *first_child;   //  Children in file order
    const cg_org_node_t *next_sibling;
    size_t depth;                   //  0 for the root
};

typedef struct _cg_orgtree_t cg_orgtree_t;

//  Load an org tree. NULL, with "path:LINE: reason" in err, if the file
//  cannot be read or breaks any rule; err may be NULL.
cg_orgtree_t *cg_orgtree_load (const char *path, char *err, size_t errlen);

//  Free the tree and all its nodes; nulls *self_p, safe to call twice.
void cg_orgtree_destroy (cg_orgtree_t **self_p);

//  The node with this code, or NULL.
const cg_org_node_t *cg_orgtree_find (cg_orgtree_t *self, const char *code);

//  The root (the city).
const cg_org_node_t *cg_orgtree_root (cg_orgtree_t *self);

//  The nearest node of kind level among node and its ancestors, or NULL:
//  for a grid and CG_ORG_TOWN, the town center that handles its cases.
const cg_org_node_t *cg_orgtree_center_of (cg_orgtree_t *self,
    const cg_org_node_t *node, cg_org_kind_t level);

//  The unit of this type directly under center, or NULL if there is none.
const cg_org_node_t *cg_orgtree_unit (cg_orgtree_t *self,
    const cg_org_node_t *center, const char *unit_type);

//  True if node is scope or lies under it (access scopes, --scope).
bool cg_orgtree_within (const cg_org_node_t *node, const cg_org_node_t *scope);

//  Children of node in file order: for (child = cg_orgtree_first_child (n);
//  child; child = cg_orgtree_next_sibling (child)).
const cg_org_node_t *cg_orgtree_first_child (const cg_org_node_t *node);
const cg_org_node_t *cg_orgtree_next_sibling (const cg_org_node_t *node);

//  Number of nodes, and number of nodes of one kind.
size_t cg_orgtree_size (cg_orgtree_t *self);
size_t cg_orgtree_count (cg_orgtree_t *self, cg_org_kind_t kind);

//  "city", "county", "town", "community", "grid", "unit".
const char *cg_org_kind_name (cg_org_kind_t kind);

//  Parse a kind name; 0 on success, -1 if s names no kind.
int cg_org_kind_parse (const char *s, cg_org_kind_t *out);

#endif
