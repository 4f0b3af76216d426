/*  cg_qr - see cg_qr.h.

    A PNG is a signature and chunks, each length, type, data and the CRC
    of type and data: IHDR (size, 8-bit greyscale), one IDAT (every row
    with its filter byte 0, deflated by zlib), IEND.  zlib provides the
    CRC as well. */
#include "cg_qr.h"
#include "cg_text.h"

#include <qrencode.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

struct _cg_qr_t {
    QRcode *code;
    char *text;
};

cg_qr_t *
cg_qr_new (const char *text)
{
    if (!text || !*text || strlen (text) > CG_QR_TEXT_MAX)
        return NULL;
    QRcode *code = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
    if (!code)
        return NULL;
    cg_qr_t *self = cg_alloc (sizeof *self);
    self->code = code;
    self->text = cg_strdup (text);
    return self;
}

void
cg_qr_destroy (cg_qr_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    QRcode_free ((*self_p)->code);
    free ((*self_p)->text);
    free (*self_p);
    *self_p = NULL;
}

int
cg_qr_width (cg_qr_t *self)
{
    return self->code->width;
}

bool
cg_qr_dark (cg_qr_t *self, int x, int y)
{
    int w = self->code->width;
    return x >= 0 && y >= 0 && x < w && y < w && (self->code->data [y * w + x] & 1);
}

static void
s_be32 (unsigned char *at, uint32_t v)
{
    at [0] = (unsigned char) (v >> 24); at [1] = (unsigned char) (v >> 16);
    at [2] = (unsigned char) (v >> 8);  at [3] = (unsigned char) v;
}

/*  Writes a chunk at out: 12 bytes more than its data. */
static size_t
s_chunk (unsigned char *out, const char *type, const unsigned char *data, size_t len)
{
    s_be32 (out, (uint32_t) len);
    memcpy (out + 4, type, 4);
    if (len)
        memcpy (out + 8, data, len);
    uLong crc = crc32 (0L, out + 4, (uInt) len + 4);
    s_be32 (out + 8 + len, (uint32_t) crc);
    return len + 12;
}

unsigned char *
cg_qr_png (cg_qr_t *self, int scale, size_t *size)
{
    if (scale < 1 || scale > 32)
        return NULL;
    size_t side = (size_t) (self->code->width + 2 * CG_QR_QUIET) * (size_t) scale;
    size_t row = side + 1;
    unsigned char *raw = cg_alloc (row * side);
    for (size_t y = 0; y < side; y++) {
        unsigned char *line = raw + y * row;
        line [0] = 0;                           /* filter: none */
        for (size_t x = 0; x < side; x++) {
            int mx = (int) (x / (size_t) scale) - CG_QR_QUIET;
            int my = (int) (y / (size_t) scale) - CG_QR_QUIET;
            line [1 + x] = cg_qr_dark (self, mx, my) ? 0 : 255;
        }
    }
    uLongf zlen = compressBound ((uLong) (row * side));
    unsigned char *z = cg_alloc (zlen);
    if (compress2 (z, &zlen, raw, (uLong) (row * side), 9) != Z_OK) {
        free (raw);
        free (z);
        return NULL;
    }
    free (raw);
    unsigned char *png = cg_alloc (8 + 25 + 12 + zlen + 12);
    memcpy (png, "\x89PNG\r\n\x1a\n", 8);
    size_t at = 8;
    unsigned char ihdr [13];
    s_be32 (ihdr, (uint32_t) side);
    s_be32 (ihdr + 4, (uint32_t) side);
    ihdr [8] = 8;           /* bits a sample */
    ihdr [9] = 0;           /* greyscale */
    ihdr [10] = ihdr [11] = ihdr [12] = 0;  /* deflate, adaptive filters, no interlace */
    at += s_chunk (png + at, "IHDR", ihdr, sizeof ihdr);
    at += s_chunk (png + at, "IDAT", z, zlen);
    at += s_chunk (png + at, "IEND", NULL, 0);
    free (z);
    *size = at;
    return png;
}

/*  The text, escaped for XML character data. */
static void
s_escape (FILE *out, const char *s)
{
    for (; *s; s++)
        switch (*s) {
            case '&': fputs ("&amp;", out); break;
            case '<': fputs ("&lt;", out); break;
            case '>': fputs ("&gt;", out); break;
            default: fputc (*s, out);
        }
}

char *
cg_qr_svg (cg_qr_t *self)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream (&buf, &len);
    if (!out)
        return NULL;
    int w = self->code->width, side = w + 2 * CG_QR_QUIET;
    fprintf (out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
             "width=\"%dmm\" height=\"%dmm\" shape-rendering=\"crispEdges\">\n<title>",
             side, side, side, side);
    s_escape (out, self->text);
    fprintf (out, "</title>\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
             "<path fill=\"#000\" d=\"", side, side);
    for (int y = 0; y < w; y++)
        for (int x = 0; x < w; x++)
            if (cg_qr_dark (self, x, y))
                fprintf (out, "M%d %dh1v1h-1z", x + CG_QR_QUIET, y + CG_QR_QUIET);
    fputs ("\"/>\n</svg>\n", out);
    fclose (out);
    return buf;
}
