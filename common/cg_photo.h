/*  cg_photo — photos kept on disk, addressed by their content.

    A photo a grid worker uploads is written once, under the stack's photo
    folder, as <dir>/<first two hex digits>/<SHA-256 in hex>.<ext>: the
    same picture sent twice (a retried upload) is one file, and a file's
    name is its checksum.  It is written to <dir>/tmp/ first, synced, and
    renamed into place, so a photo is there whole or not at all.

    A case refers to a photo by its address, "photo:<64 hex>.<ext>", in the
    same list as the links it keeps (a hotline's attachments, Open311's
    media_url): intake takes an address or an http(s) URL; the gateway
    serves the file behind an address only to those who may see the case.

    What a photo is comes from its first bytes, never from the name or
    the type the client claims: JPEG (FF D8 FF), PNG (89 'PNG' CR LF 1A LF),
    WebP ('RIFF' size 'WEBP') and HEIC (an ISO-BMFF 'ftyp' box of a HEIF
    brand: heic heix hevc hevx heim heis mif1 msf1). */
#ifndef CG_PHOTO_H_INCLUDED
#define CG_PHOTO_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_PHOTO_REF_MAX    80      /* "photo:" 64 hex "." ext, and the NUL */
#define CG_PHOTO_HEAD       12      /* bytes that tell the type */

/*  The extension of the image type whose first bytes are head ("jpg",
    "png", "webp", "heic"), or NULL. */
const char *cg_photo_type (const void *head, size_t len);
/*  The MIME type of an extension cg_photo_type gives, or NULL. */
const char *cg_photo_mime (const char *ext);
/*  True when ref is a photo's address: "photo:<64 lower-case hex>.<ext>". */
bool cg_photo_ref_valid (const char *ref);
/*  The file of an address under dir; -1 when ref is no address. */
int cg_photo_path (const char *dir, const char *ref, char *buf, size_t len);

/*  One photo being written.  Opaque. */
typedef struct _cg_photo_t cg_photo_t;

/*  Starts a photo under dir (made when missing), of at most max bytes.
    NULL, with the reason in why, when the folder cannot be written. */
cg_photo_t *cg_photo_new (const char *dir, size_t max, char *why, size_t whylen);
/*  Adds bytes.  -1, with the reason, when the photo grows past its
    limit or its first bytes are of no image type we keep (then nothing
    more is taken). */
int cg_photo_write (cg_photo_t *self, const void *data, size_t len, char *why, size_t whylen);
/*  Ends the upload: checks the type (-1 with the reason when none, or
    when empty) and gives its address in ref, without placing it yet. */
int cg_photo_end (cg_photo_t *self, char *ref, size_t len, char *why, size_t whylen);
/*  Renames the written photo into place (atomically; an identical file
    there already is kept).  0, or -1 with the reason. */
int cg_photo_keep (cg_photo_t *self, char *why, size_t whylen);
/*  Removes what was written but not kept, and frees it. */
void cg_photo_destroy (cg_photo_t **self_p);

#endif
