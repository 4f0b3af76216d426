/*  cg_sample — requests' texts as a 12345 hotline writes them, for the
    tests and the bench: 800–2,000 bytes of Chinese are what real orders
    carry, and what every page, index and copy must hold. */
#ifndef CG_SAMPLE_H_INCLUDED
#define CG_SAMPLE_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

/*  Text number i: "工单<i>：", then marker (a sentence of its own, may be
    NULL), then sentences of real orders, starting at one that depends on
    i, up to want bytes (whole sentences, so a little more).  With
    word_chars, a vertical tab or a form feed follows some sentences, as
    text pasted from Word brings them.  malloc'd. */
char *cg_sample_text (int i, size_t want, const char *marker, bool word_chars);

#endif
