/*  cg_powers - a village's or community's list of small and micro powers
    (小微权力清单)

    Each village or community publishes the powers its officers hold: the
    matter (村级工程项目, 低保评议, 宅基地审批), who holds it, the steps and
    their time limit, and the legal basis.  Anyone may read how a power must
    be used, and report its misuse (码上监督: a QR code on the notice board
    opens the item).  One file per area, data/powers/<area code>.tsv, the
    format in docs/DATA-FORMATS.md:

        version <TAB> 3
        power <TAB> code <TAB> status <TAB> matter <TAB> holder <TAB> time limit <TAB> basis
        step <TAB> what is done at this step          (the power above's, in order)

    status is `active` or `withdrawn`.  A list is versioned: a new version
    supersedes the one loaded (cg_powers_supersedes) and may not drop an
    item, which is withdrawn instead and stays findable as withdrawn, so a
    QR code already printed never opens nothing.

    A loaded list is read-only; item pointers and their strings live as
    long as the list.
*/
#ifndef CG_POWERS_H_INCLUDED
#define CG_POWERS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#define CG_POWER_CODE_MAX     16      /* bytes of an item's code: a-z, 0-9, _ */
#define CG_POWER_MATTER_MAX   128     /* bytes of the matter, of the holder */
#define CG_POWER_LIMIT_MAX    128     /* bytes of the time limit (30个工作日) */
#define CG_POWER_BASIS_MAX    512     /* bytes of the legal basis */
#define CG_POWER_STEP_MAX     512     /* bytes of one step */
#define CG_POWER_STEPS_MAX    12      /* steps of one power */
#define CG_POWERS_MAX         100     /* powers of one area */
/*  bytes of a report's text (about 1,200 Chinese characters): the case's
    text is the power it is about (at most 400 bytes) and the report, and
    a case's text holds 4000 */
#define CG_POWER_REPORT_MAX   3600

typedef struct {
    const char *code;               /* p01: unique in its area, ASCII */
    const char *matter;             /* 村级工程项目 */
    const char *holder;             /* 村民委员会: who exercises it */
    const char *time_limit;         /* 30个工作日 */
    const char *basis;              /* 《中华人民共和国村民委员会组织法》第二十四条 */
    bool withdrawn;                 /* no longer held: shown as withdrawn, not reported on */
    const char *steps [CG_POWER_STEPS_MAX];
    size_t nsteps;
} cg_power_t;

typedef struct _cg_powers_t cg_powers_t;

//  Loads the list of file path, whose area is the file's name without its
//  extension (320612005003.tsv: 320612005003).  NULL, with
//  "path:LINE: reason" in err, when it cannot be read or breaks any rule.
cg_powers_t *cg_powers_load (const char *path, char *err, size_t errlen);

//  Frees the list; nulls *self_p, safe to call twice.
void cg_powers_destroy (cg_powers_t **self_p);

//  The area code, from the file's name; the version, from its first line.
const char *cg_powers_area (cg_powers_t *self);
int cg_powers_version (cg_powers_t *self);

//  The number of items, the one at index (in file order), the one of code
//  (or NULL).
size_t cg_powers_size (cg_powers_t *self);
const cg_power_t *cg_powers_at (cg_powers_t *self, size_t index);
const cg_power_t *cg_powers_find (cg_powers_t *self, const char *code);

//  Whether newer may replace older (the same area's): its version is
//  higher, and every item of older is still in it, active or withdrawn.
//  0, or -1 with "path: reason" in err, path being newer's file.
int cg_powers_supersedes (cg_powers_t *newer, cg_powers_t *older, const char *path,
                          char *err, size_t errlen);

//  The address a power's QR code carries: the public page at the item,
//  base (http(s)://host[:port], no '/' at its end) "/public/?area=AREA&
//  power=CODE".  A fresh string.
char *cg_powers_url (const char *base, const char *area, const char *code);

#endif
