/*  cg_photo — see cg_photo.h.

    The checksum is libsodium's streaming SHA-256, fed as the bytes come,
    so a photo is read once and never held whole in memory; the first
    CG_PHOTO_HEAD bytes are kept until they tell the type, and a file of
    no type we keep is refused as soon as they are in. */
#include "cg_photo.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _cg_photo_t {
    char dir[512];
    char tmp[600];              /* the file being written, under dir/tmp/ */
    char final[700];            /* where it goes once kept */
    int fd;
    size_t max, size;
    unsigned char head[CG_PHOTO_HEAD];
    const char *ext;
    crypto_hash_sha256_state sha;
    bool kept;
};

static const struct {
    const char *ext, *mime;
} s_types[] = {
    { "jpg", "image/jpeg" }, { "png", "image/png" }, { "webp", "image/webp" },
    { "heic", "image/heic" } };

/*  HEIF brands of an ISO-BMFF 'ftyp' box: still images and sequences. */
static const char *const s_heif_brands[] = {
    "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1" };

const char *
cg_photo_type (const void *data, size_t len)
{
    const unsigned char *h = data;
    if (len >= 3 && h[0] == 0xff && h[1] == 0xd8 && h[2] == 0xff)
        return "jpg";
    if (len >= 8 && memcmp (h, "\x89PNG\r\n\x1a\n", 8) == 0)
        return "png";
    if (len >= 12 && memcmp (h, "RIFF", 4) == 0 && memcmp (h + 8, "WEBP", 4) == 0)
        return "webp";
    if (len >= 12 && memcmp (h + 4, "ftyp", 4) == 0)
        for (size_t i = 0; i < sizeof s_heif_brands / sizeof s_heif_brands[0]; i++)
            if (memcmp (h + 8, s_heif_brands[i], 4) == 0)
                return "heic";
    return NULL;
}

const char *
cg_photo_mime (const char *ext)
{
    for (size_t i = 0; ext && i < sizeof s_types / sizeof s_types[0]; i++)
        if (strcmp (ext, s_types[i].ext) == 0)
            return s_types[i].mime;
    return NULL;
}

bool
cg_photo_ref_valid (const char *ref)
{
    if (!ref || strncmp (ref, "photo:", 6) != 0)
        return false;
    const char *hex = ref + 6;
    for (int i = 0; i < 64; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return false;
    return hex[64] == '.' && cg_photo_mime (hex + 65) != NULL;
}

int
cg_photo_path (const char *dir, const char *ref, char *buf, size_t len)
{
    if (!cg_photo_ref_valid (ref))
        return -1;
    const char *name = ref + 6;
    int n = snprintf (buf, len, "%s/%.2s/%s", dir, name, name);
    return n > 0 && (size_t) n < len ? 0 : -1;
}

static int
s_fail (char *why, size_t whylen, const char *fmt, ...) __attribute__ ((format (printf, 3, 4)));

static int
s_fail (char *why, size_t whylen, const char *fmt, ...)
{
    va_list args;
    va_start (args, fmt);
    vsnprintf (why, whylen, fmt, args);
    va_end (args);
    return -1;
}

static int
s_mkdir (const char *path)
{
    return mkdir (path, 0750) == 0 || errno == EEXIST ? 0 : -1;
}

cg_photo_t *
cg_photo_new (const char *dir, size_t max, char *why, size_t whylen)
{
    cg_photo_t *self = calloc (1, sizeof *self);
    if (!self)
        return NULL;
    snprintf (self->dir, sizeof self->dir, "%s", dir);
    self->max = max;
    self->fd = -1;
    crypto_hash_sha256_init (&self->sha);
    char tmpdir[560];
    snprintf (tmpdir, sizeof tmpdir, "%s/tmp", dir);
    snprintf (self->tmp, sizeof self->tmp, "%s/upload.XXXXXX", tmpdir);
    if (s_mkdir (dir) || s_mkdir (tmpdir) || (self->fd = mkstemp (self->tmp)) < 0) {
        s_fail (why, whylen, "the photo folder %s cannot be written: %s", dir, strerror (errno));
        *self->tmp = 0;
        cg_photo_destroy (&self);
    }
    return self;
}

int
cg_photo_write (cg_photo_t *self, const void *data, size_t len, char *why, size_t whylen)
{
    if (self->size + len > self->max)
        return s_fail (why, whylen, "the photo is larger than %zu bytes", self->max);
    size_t had = self->size;
    if (had < CG_PHOTO_HEAD) {
        size_t take = len < CG_PHOTO_HEAD - had ? len : CG_PHOTO_HEAD - had;
        memcpy (self->head + had, data, take);
        if (had + take == CG_PHOTO_HEAD
        &&  !(self->ext = cg_photo_type (self->head, CG_PHOTO_HEAD)))
            return s_fail (why, whylen, "the file is not a JPEG, PNG, HEIC or WebP image");
    }
    for (const char *p = data; len > 0; ) {
        ssize_t n = write (self->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return s_fail (why, whylen, "the photo cannot be written: %s", strerror (errno));
        crypto_hash_sha256_update (&self->sha, (const unsigned char *) p, (size_t) n);
        self->size += (size_t) n;
        p += n;
        len -= (size_t) n;
    }
    return 0;
}

int
cg_photo_end (cg_photo_t *self, char *ref, size_t len, char *why, size_t whylen)
{
    if (!self->ext)             /* fewer bytes than the head: a JPEG may be that short */
        self->ext = cg_photo_type (self->head, self->size);
    if (!self->ext || self->size == 0)
        return s_fail (why, whylen, "the file is not a JPEG, PNG, HEIC or WebP image");
    unsigned char sum[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final (&self->sha, sum);
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    sodium_bin2hex (hex, sizeof hex, sum, sizeof sum);
    snprintf (ref, len, "photo:%s.%s", hex, self->ext);
    if (fsync (self->fd))
        return s_fail (why, whylen, "the photo cannot be written: %s", strerror (errno));
    if (cg_photo_path (self->dir, ref, self->final, sizeof self->final))
        return s_fail (why, whylen, "the photo folder's name is too long");
    return 0;
}

int
cg_photo_keep (cg_photo_t *self, char *why, size_t whylen)
{
    char sub[600];
    snprintf (sub, sizeof sub, "%s/%.2s", self->dir, self->final + strlen (self->dir) + 1);
    if (!*self->final || s_mkdir (sub) || rename (self->tmp, self->final))
        return s_fail (why, whylen, "the photo cannot be kept: %s", strerror (errno));
    self->kept = true;
    /*  the rename is durable once the folder is */
    int fd = open (sub, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync (fd);
        close (fd);
    }
    return 0;
}

void
cg_photo_destroy (cg_photo_t **self_p)
{
    cg_photo_t *self = *self_p;
    if (!self)
        return;
    if (self->fd >= 0)
        close (self->fd);
    if (!self->kept && *self->tmp)
        unlink (self->tmp);
    free (self);
    *self_p = NULL;
}
