/*  cg_satisfaction — the citizen's rating of a resolved case at callback
    (回访), in the three levels of the 12345 evaluation: 满意, 基本满意,
    不满意.

    One table serves every place that speaks of it: dispatch's callback
    action (which level closes the case and which sends it back to be
    redone), its statistics, the CLI, the gateway's SMS replies (the SMS
    asks the citizen to answer 1, 2 or 3) and Open311's notes.  A level is
    named by its code (`satisfied`, `basically_satisfied`, `unsatisfied`),
    its Chinese name, or its digit in the SMS. */
#ifndef CG_SATISFACTION_H_INCLUDED
#define CG_SATISFACTION_H_INCLUDED

#include <stdbool.h>

typedef struct {
    const char *code;           /* as stored and counted: the statistics' metric */
    const char *zh;             /* 满意 */
    char digit;                 /* the citizen's SMS answer: '1' */
    bool closes;                /* true: the case is closed; false: redone (发回重办) */
} cg_satisfaction_t;

#define CG_SATISFACTION_LEVELS 3

/*  The level named by text (code, Chinese name or digit, surrounding
    spaces ignored), or NULL. */
const cg_satisfaction_t *cg_satisfaction_parse (const char *text);
/*  The level of a code as stored, or NULL. */
const cg_satisfaction_t *cg_satisfaction_find (const char *code);
/*  The levels, in order (i < CG_SATISFACTION_LEVELS). */
const cg_satisfaction_t *cg_satisfaction_at (int i);

#endif
