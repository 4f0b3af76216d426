/*  fuzz_photo — libFuzzer target for the photo reader (cg_photo.h), as a
    grid worker's upload feeds it: the input is cut into pieces (each
    piece's length is its first byte), written to a photo of at most 2 KiB,
    ended and kept or dropped.  A photo is accepted only when its first
    bytes are an image's and it fits; then its address is valid, names the
    type of those bytes, and the kept file holds exactly the input.  The
    same input is also read as an address and as a satisfaction rating
    (cg_satisfaction.h), which must refuse or name a known level. */
#include "cg_photo.h"
#include "cg_satisfaction.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_MAX   2048

static char s_dir[64];

static void
s_remove_dir (void)
{
    char command[128];
    snprintf (command, sizeof command, "rm -rf '%s'", s_dir);
    if (system (command) != 0)
        fprintf (stderr, "fuzz_photo: %s is left behind\n", s_dir);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!*s_dir) {
        snprintf (s_dir, sizeof s_dir, "/tmp/fuzz_photo.XXXXXX");
        if (!mkdtemp (s_dir))
            abort ();
        atexit (s_remove_dir);
    }
    char why[200], ref[CG_PHOTO_REF_MAX];
    cg_photo_t *photo = cg_photo_new (s_dir, S_MAX, why, sizeof why);
    if (!photo)
        abort ();
    unsigned char body[S_MAX + 256];
    size_t body_size = 0;
    bool refused = false;
    for (size_t at = 0; at < size && !refused; ) {
        size_t piece = data[at++];
        if (piece > size - at)
            piece = size - at;
        refused = cg_photo_write (photo, data + at, piece, why, sizeof why) != 0;
        if (!refused) {
            memcpy (body + body_size, data + at, piece);
            body_size += piece;
        }
        at += piece;
    }
    if (!refused && cg_photo_end (photo, ref, sizeof ref, why, sizeof why) == 0) {
        const char *ext = cg_photo_type (body, body_size < CG_PHOTO_HEAD ? body_size
                                                                         : CG_PHOTO_HEAD);
        if (!cg_photo_ref_valid (ref) || !ext || strcmp (strrchr (ref, '.') + 1, ext) != 0
        ||  body_size == 0 || body_size > S_MAX)
            abort ();
        if (cg_photo_keep (photo, why, sizeof why))
            abort ();
        char path[700];
        struct stat st;
        if (cg_photo_path (s_dir, ref, path, sizeof path) || stat (path, &st)
        ||  (size_t) st.st_size != body_size)
            abort ();
        unlink (path);
    }
    cg_photo_destroy (&photo);

    char text[CG_PHOTO_REF_MAX + 8];
    size_t n = size < sizeof text - 1 ? size : sizeof text - 1;
    memcpy (text, data, n);
    text[n] = 0;
    char path[400];
    if (cg_photo_ref_valid (text) != (cg_photo_path ("/d", text, path, sizeof path) == 0))
        abort ();
    if (cg_photo_ref_valid (text) && (strstr (path, "..") || strchr (path + 3, '/') != path + 5))
        abort ();
    const cg_satisfaction_t *level = cg_satisfaction_parse (text);
    if (level && cg_satisfaction_find (level->code) != level)
        abort ();
    return 0;
}
