/*  fuzz_rules — libFuzzer target for notification's rules folder through
    rules_load: DIR/rules.tsv and the templates it names,
    DIR/templates/NAME.LANG.txt.  The input is the three files one after
    another, each ended by a line "--": rules.tsv, then templates/t.zh-CN.txt
    and templates/t.en.txt (so a rule naming template t finds them).  Any
    bytes must load or be refused with a reason. */
#include "fuzz_file.h"
#include "../services/notification/rules.h"

#include <sys/stat.h>

static char s_dir[64];

static void
s_write (const char *name, const uint8_t *data, size_t size)
{
    char path[128];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    FILE *f = fopen (path, "w");
    if (!f || (size && fwrite (data, 1, size, f) != size))
        abort ();
    fclose (f);
}

/*  The folder goes when the run ends (a crash leaves it, with the input) */
static void
s_remove (void)
{
    static const char *const names[] = { "rules.tsv", "templates/t.zh-CN.txt",
                                         "templates/t.en.txt", "templates", "" };
    for (int i = 0; i < 5; i++) {
        char path[128];
        snprintf (path, sizeof path, "%s/%s", s_dir, names[i]);
        remove (path);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
    if (!*s_dir) {
        atexit (s_remove);
        /*  a folder of this process's own in memory (/dev/shm), reused */
        snprintf (s_dir, sizeof s_dir, "/dev/shm/cgfuzz-rules-%d", (int) getpid ());
        char templates[96];
        snprintf (templates, sizeof templates, "%s/templates", s_dir);
        if ((mkdir (s_dir, 0700) && access (s_dir, W_OK))
        ||  (mkdir (templates, 0700) && access (templates, W_OK)))
            abort ();
    }
    static const char *const names[] = { "rules.tsv", "templates/t.zh-CN.txt",
                                         "templates/t.en.txt" };
    const uint8_t *at = data, *end = data + size;
    for (int i = 0; i < 3; i++) {
        const uint8_t *cut = i < 2 ? memmem (at, end - at, "\n--\n", 4) : NULL;
        size_t len = cut ? (size_t) (cut - at) : (size_t) (end - at);
        s_write (names[i], at, len);
        at = cut ? cut + 4 : end;
    }
    char err[512] = "";
    rules_t *rules = rules_load (s_dir, err, sizeof err);
    if (rules) {
        for (size_t i = 0; i < rules_count (rules); i++)
            if (!rules_at (rules, i))
                abort ();
        rules_destroy (&rules);
    }
    else
        fuzz_check_refusal (err);
    return 0;
}
