/*  cg_words — the words the public reads for the codes civgrid keeps.

    Cases keep their channel as a code (hotline); a timeline note that a
    citizen reads (Open311 shows the timeline) says it in Chinese, the same
    everywhere, so the words live here once.  A state's word is its row's
    in cg_case_state.h (cg_case_state_zh). */
#ifndef CG_WORDS_H_INCLUDED
#define CG_WORDS_H_INCLUDED

/*  A request's channel: hotline → 12345热线.  An unknown one is returned
    as it is. */
const char *cg_source_zh (const char *source);

#endif
