/*  fuzz_file — what the loader targets share: the input as a file that the
    real loader opens by its path (a memory file, /proc/self/fd/N, written
    again for every input, so no disk is touched), and the demo org tree
    that catalogs, rosters, directories and funds are checked against. */
#ifndef FUZZ_FILE_H_INCLUDED
#define FUZZ_FILE_H_INCLUDED

#define _GNU_SOURCE         /* memfd_create */
#include "cg_orgtree.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/*  The input as the file at the returned path (static; valid until the
    next call).  Every call writes the same memory file anew. */
static inline const char *
fuzz_file (const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create ("fuzz", 0);
        if (fd < 0)
            abort ();
        snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate (fd, 0) || (size && pwrite (fd, data, size, 0) != (ssize_t) size))
        abort ();
    return path;
}

/*  The org tree of the demo region (deploy/demo/orgtree.tsv under
    $CG_ROOT or the working folder), loaded once. */
static inline cg_orgtree_t *
fuzz_orgtree (void)
{
    static cg_orgtree_t *org;
    if (!org) {
        char path[1024], err[256];
        snprintf (path, sizeof path, "%s/deploy/demo/orgtree.tsv",
                  getenv ("CG_ROOT") ? getenv ("CG_ROOT") : ".");
        org = cg_orgtree_load (path, err, sizeof err);
        if (!org) {
            fprintf (stderr, "fuzz: %s (run from the source tree, or set CG_ROOT)\n", err);
            abort ();
        }
    }
    return org;
}

/*  A refusal must say where: "path:LINE: reason" or at least the path
    (cg_text.h's promise), never an empty message. */
static inline void
fuzz_check_refusal (const char *err)
{
    if (!*err)
        abort ();
}

#endif
