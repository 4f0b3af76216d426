/*  cg_sample — texts as a 12345 hotline writes them, for benchmarks and
    volume tests.

    A real order is 800 to 900 bytes of Chinese on average, some short, a
    few long: who called, where (district, street, estate, building), what
    happened and since when, what was already tried, what the caller asks
    for; pasted together from a form and a word processor, so now and then
    with a tab, a carriage return, Word's manual line break (\v), an
    ideographic or a no-break space.  cg_sample_text writes such a text
    from clauses of that kind, its length drawn from 100 to 2,000 bytes
    with a median of 800 (uniform from 100 to 800 for half of the texts,
    from 800 to 2,000 for the other half), cut at a character boundary.
    The same seed gives the same text, so a run can be repeated and a test
    can know what it sent. */
#ifndef CG_SAMPLE_H_INCLUDED
#define CG_SAMPLE_H_INCLUDED

#include <stddef.h>
#include <stdint.h>

#define CG_SAMPLE_MIN       100
#define CG_SAMPLE_MEDIAN    800
#define CG_SAMPLE_MAX       2000

/*  The length in bytes of the text of seed: CG_SAMPLE_MIN to CG_SAMPLE_MAX,
    half of the seeds at most CG_SAMPLE_MEDIAN. */
size_t cg_sample_length (uint64_t seed);

/*  Writes the text of seed, NUL-terminated, into buf: valid UTF-8 of at
    most cg_sample_length (seed) bytes and at least that less 3 (a
    character is not cut), or of size - 1 when buf is smaller.  Returns
    its length. */
size_t cg_sample_text (uint64_t seed, char *buf, size_t size);

#endif
