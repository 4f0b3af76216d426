/*  cg_words — the words the public reads for the codes civgrid keeps.

    Cases keep their state and their channel as codes (dispatched,
    hotline); a timeline note or an Open311 document that a citizen reads
    says them in Chinese, and says them the same everywhere, so the words
    live here once: dispatch writes its notes with them, the gateway its
    Open311 notes. */
#ifndef CG_WORDS_H_INCLUDED
#define CG_WORDS_H_INCLUDED

/*  A case's state as the public reads it: dispatched → 已派单.  A state
    this table does not know reads 办理中 (being handled). */
const char *cg_state_zh (const char *state);

/*  A request's channel: hotline → 12345热线.  An unknown one is returned
    as it is. */
const char *cg_source_zh (const char *source);

#endif
