/*  cg_qr - a QR code (二维码) of a text, as PNG and as SVG, for printing

    A village prints each item of its list of powers with a QR code that
    opens the item's public page (码上监督).  libqrencode makes the modules
    (error correction M: a code on a notice board gets scratched); this
    class draws them with the quiet zone of four modules the standard asks
    for, as a PNG (8-bit grey, written here with zlib: a few dozen lines
    rather than a library) and as an SVG whose one path has a square per
    dark module, which prints sharp at any size. */
#ifndef CG_QR_H_INCLUDED
#define CG_QR_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>

#define CG_QR_TEXT_MAX  512     /* bytes of the text a code carries */
#define CG_QR_QUIET     4       /* modules of white around the code */

typedef struct _cg_qr_t cg_qr_t;

//  The code of text (at most CG_QR_TEXT_MAX bytes), or NULL.
cg_qr_t *cg_qr_new (const char *text);
void cg_qr_destroy (cg_qr_t **self_p);

//  Modules on a side, not counting the quiet zone; whether one is dark.
int cg_qr_width (cg_qr_t *self);
bool cg_qr_dark (cg_qr_t *self, int x, int y);

//  The code as a PNG of scale pixels a module (1 to 32), quiet zone
//  included: a fresh buffer (free it) of *size bytes, or NULL.
unsigned char *cg_qr_png (cg_qr_t *self, int scale, size_t *size);

//  The code as an SVG document, its text in the title: a fresh string.
char *cg_qr_svg (cg_qr_t *self);

#endif
