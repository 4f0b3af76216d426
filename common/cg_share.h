/*  cg_share — the quorum and the majority of a deliberating body (议事规则),
    written once for C and for Lua; and the period of intake's references.

    A body's rule is two shares, stored as numerator and denominator on
    each meeting stage (docs/CONSULTATION.md): a quorum of qn/qd of its
    members present, and an approval of more than an/ad of those present
    voting yes.  The expressions below are valid C and valid Lua: the C
    code uses the macros, and the scripts get them as the functions
    quorum_met and majority_for, which the build writes into the prelude
    of every script by running this header through the C preprocessor
    over deploy/lua/rules.lua.in (Makefile).  Whole numbers throughout, so
    that 2/3 of 12 is exactly 8 in both. */
#ifndef CG_SHARE_H_INCLUDED
#define CG_SHARE_H_INCLUDED

/*  present of expected members make a quorum of qn/qd */
#define CG_QUORUM_MET(present, expected, qn, qd)    ((present) * (qd) >= (expected) * (qn))

/*  yes of present votes pass an approval of more than an/ad */
#define CG_MAJORITY_FOR(yes, present, an, ad)       ((yes) * (ad) > (present) * (an))

/*  The references intake has seen (source|ext_ref -> case, for telling a
    repeat of an old order from a new one) are kept in one hash per period
    of this many days of their arrival, so that a whole period leaves at
    once when intake/ext_keep_days have passed since it ended
    (deploy/lua/intake/lib.lua, docs/INTAKE.md "Keys"). */
#define CG_EXT_PERIOD_DAYS      30

#endif
