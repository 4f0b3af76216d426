/*  secret — secrets with a life cycle.
        civgrid secret rotate hotline ID [--grace-hours N]
        civgrid secret rotate callback [--grace-hours N]
        civgrid secret rotate seal
        civgrid secret status
        civgrid secret retire seal N
        civgrid secret backup --out FILE
        civgrid secret restore --in FILE
    `rotate` makes a new secret for the 12345 hotline ID (cg_sign.h),
    prints it once (for the hotline's operator), and keeps the one it
    replaces good for N hours more (24 if not given; 0 ends it at once), so
    that the hotline switches when it is ready: the gateway reads the
    secrets on every push, with no restart.  `rotate callback` does the
    same for our side, the secret notification signs the status callbacks
    to the hotline with: until the old one's time is up each callback
    carries a signature under each, and notification reads them for each
    batch it sends.  Times are the stack's clock.  `rotate seal` adds a
    version of the key that seals personal data (cg_privacy.h) to the
    configuration, which intake and notification read when they start;
    older versions stay and still open what they sealed; a backup holds
    them all ("keyv N HEX" lines).  Intake seals its records again under
    the newest in the background (services/intake/reseal.c); `status`
    counts the values each version still seals, in intake's records and
    in the archive's file, and `retire seal N` takes version N out of the
    configuration only when none is left in either.  The archive copies a
    live case's record again when intake seals it again (record.resealed);
    a case that had left Redis is sealed again by intake through the
    archive (archive.sealed, archive.reseal: the archive never holds the
    key).  `status` and `stack status` say how far the pass has come.

    `backup` writes what a stack cannot be rebuilt without and Redis's own
    backups do not hold: the key that seals personal data (intake/key:
    without it no caller's name or phone opens again) and DIR/secrets (the
    daemons' keys and Redis passwords), into one file encrypted under a
    passphrase taken from $CG_PASSPHRASE (never from the command line,
    where any user sees it): Argon2id (libsodium's crypto_pwhash) makes the
    key, XSalsa20-Poly1305 (crypto_secretbox) seals.  `restore` puts them
    back into --dir: refused when that stack has secrets or another sealing
    key already, since either would be lost.  The file:

        "CGSECRETS1\n" | salt (16) | nonce (24) | sealed lines, each
        "key HEX" or "file PATH BASE64"

    Nothing else ever shows a secret. */
#include "cli.h"
#include "cg_base64.h"
#include "cg_clock.h"
#include "cg_privacy.h"
#include "cg_sign.h"

#include <dirent.h>
#include <sqlite3.h>
#include <errno.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#define S_GRACE_HOURS       24
#define S_GRACE_HOURS_MAX   168

/*  Rotates the secret of kind (cg_sign.h) for id, whose configured one
    (before the first rotation) is at path in file (NULL: civgrid.cfg). */
static int
s_rotate (cli_args_t *args, const char *kind, const char *id, const char *file,
          const char *path)
{
    const char *grace_opt = cli_opt (args, "grace-hours", NULL);
    char *end = NULL;
    long grace = grace_opt ? strtol (grace_opt, &end, 10) : S_GRACE_HOURS;
    if (grace_opt && (end == grace_opt || *end || grace < 0 || grace > S_GRACE_HOURS_MAX)) {
        fprintf (stderr, "civgrid: --grace-hours must be a whole number of hours from 0 to %d, "
                 "not \"%s\"\n", S_GRACE_HOURS_MAX, grace_opt);
        return 1;
    }
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    zconfig_t *settings = file ? zconfig_load (file) : NULL;
    const char *configured = zconfig_get (settings ? settings : config, path, NULL);
    cg_redis_t *redis = cli_redis (args);
    char made[CG_SIGN_SECRET_MAX];
    int64_t now = cli_now (args);
    int rc = redis ? cg_sign_rotate (redis, kind, id, configured, now, grace * 3600000LL,
                                     made) : -1;
    cg_redis_destroy (&redis);
    zconfig_destroy (&settings);
    zconfig_destroy (&config);
    if (rc) {
        fprintf (stderr, "civgrid: the new secret could not be stored; nothing changed\n");
        return 1;
    }
    char until[40];
    cg_time_iso (now + grace * 3600000LL, until, sizeof until);
    bool callback = streq (kind, CG_SIGN_CALLBACK);
    if (cli_flag (args, "json"))
        printf ("{\"%s\":\"%s\",\"secret\":\"%s\",\"previous_until\":\"%s\"}\n",
                callback ? "callback" : "hotline", id, made, until);
    else
    if (callback)
        printf ("%s\nthe new secret that signs the status callbacks to the hotline (shown "
                "once; give it to the hotline); until %s each callback is also signed with "
                "the one it replaces\n", made, until);
    else
        printf ("%s\nthe new secret of hotline %s (shown once); the one it replaces is "
                "good until %s\n", made, id, until);
    sodium_memzero (made, sizeof made);
    return 0;
}

static int
s_rotate_hotline (cli_args_t *args, const char *id)
{
    if (!*id || strlen (id) > 64
    ||  strspn (id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
        != strlen (id)) {
        fprintf (stderr, "civgrid: a hotline's id is 1 to 64 letters, digits, '_' or '-', not "
                 "\"%.80s\"\n", id);
        return 1;
    }
    char path[128];
    snprintf (path, sizeof path, "gateway/hotline/%s", id);
    return s_rotate (args, "hotline", id, NULL, path);
}

/*  The secret notification signs the hotline's status callbacks with:
    notify.cfg's channels/hotline_secret until its first rotation. */
static int
s_rotate_callback (cli_args_t *args)
{
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    char file[PATH_MAX];
    snprintf (file, sizeof file, "%s/notify.cfg",
              zconfig_get (config, "data/notify", "deploy/notify"));
    zconfig_destroy (&config);
    return s_rotate (args, CG_SIGN_CALLBACK, "hotline", file, "channels/hotline_secret");
}

/*  A new version of the sealing key (cg_privacy.h), into the stack's
    configuration: intake and notification take it when they start next;
    every older version stays, so what it sealed still opens. */
static int
s_rotate_seal (cli_args_t *args)
{
    char cfg[PATH_MAX];
    snprintf (cfg, sizeof cfg, "%s/civgrid.cfg", cli_opt (args, "dir", "var"));
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    char err[200] = "";
    cg_privacy_t *now = cg_privacy_load (config, err, sizeof err);
    if (!now) {
        fprintf (stderr, "civgrid: %s: %s\n", cfg, err);
        zconfig_destroy (&config);
        return 1;
    }
    int version = cg_privacy_current (now) + 1;
    cg_privacy_destroy (&now);
    if (version > CG_PRIVACY_VERSIONS) {
        fprintf (stderr, "civgrid: the sealing key has %d versions already\n",
                 CG_PRIVACY_VERSIONS);
        zconfig_destroy (&config);
        return 1;
    }
    char key[65], path[32];
    cg_privacy_new_key (key);
    snprintf (path, sizeof path, "intake/keys/%d", version);
    zconfig_put (config, path, key);
    sodium_memzero (key, sizeof key);
    int rc = zconfig_save (config, cfg) || chmod (cfg, 0600);
    zconfig_destroy (&config);
    if (rc) {
        fprintf (stderr, "civgrid: cannot write %s; nothing changed\n", cfg);
        return 1;
    }
    if (cli_flag (args, "json"))
        printf ("{\"seal\":%d}\n", version);
    else
        printf ("the sealing key's version %d is in %s; intake and notification seal with it "
                "once restarted (civgrid stack down, stack up); what older versions sealed "
                "still opens. Take a new `civgrid secret backup`.\n", version, cfg);
    return 0;
}

/* --- re-sealing: status and retiring ---------------------------------------- */

/*  Counts the sealed values of each version in Redis's records (counts[v],
    v from 1 to CG_PRIVACY_VERSIONS) and in the archive's file (archived[v],
    v >= 2: the archive holds intake's records as they were sealed; a row
    whose bytes hold "vN:" counts, which may count a text that looks like
    it, never miss a value).  0, or -1 said. */
static int
s_seal_count (cli_args_t *args, zconfig_t *config, int64_t *counts, int64_t *archived,
              int current)
{
    cg_redis_t *redis = cli_redis (args);
    if (!redis)
        return -1;
    char cursor[32] = "0";
    int rc = 0;
    do {
        redisReply *r = cg_redis_command (redis, "SCAN %s MATCH cg:{intake}:req:* COUNT 500",
                                          cursor);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            if (r)
                freeReplyObject (r);
            rc = -1;
            break;
        }
        snprintf (cursor, sizeof cursor, "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            redisReply *h = cg_redis_command (redis, "HGETALL %s", r->element[1]->element[i]->str);
            for (size_t k = 0; h && h->type == REDIS_REPLY_ARRAY && k + 1 < h->elements; k += 2) {
                const char *field = h->element[k]->str;
                if (strcmp (field, "record") && strncmp (field, "record:", 7))
                    continue;
                cg_intake_record_t record;
                cg_error_t err;
                if (cg_msg_decode (&cg_intake_record_def, h->element[k + 1]->str,
                                   h->element[k + 1]->len, &record, &err))
                    continue;
                const char *values[] = { record.name_sealed, record.phone_sealed,
                                         record.email_sealed };
                for (int v = 0; v < 3; v++)
                    if (values[v])
                        counts[cg_privacy_version_of (values[v])]++;
                cg_msg_clear (&cg_intake_record_def, &record);
            }
            if (h)
                freeReplyObject (h);
        }
        freeReplyObject (r);
    } while (strcmp (cursor, "0") != 0);
    cg_redis_destroy (&redis);
    if (rc) {
        fprintf (stderr, "civgrid: intake's records cannot be read now\n");
        return -1;
    }
    /*  the archive's file, read only; none yet is none to count */
    char path[PATH_MAX];
    const char *db = zconfig_get (config, "archive/db", "archive.db");
    if (*db == '/')
        snprintf (path, sizeof path, "%s", db);
    else
        snprintf (path, sizeof path, "%s/%s", cli_opt (args, "dir", "var"), db);
    sqlite3 *file = NULL;
    if (access (path, F_OK) != 0)
        return 0;
    if (sqlite3_open_v2 (path, &file, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf (stderr, "civgrid: cannot read the archive %s\n", path);
        sqlite3_close (file);
        return -1;
    }
    sqlite3_busy_timeout (file, 5000);
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2 (file, "SELECT count(*) FROM cases WHERE instr (intake,"
                            " CAST (?1 AS BLOB)) > 0", -1, &stmt, NULL) != SQLITE_OK)
        rc = -1;
    for (int v = 2; rc == 0 && v <= current; v++) {
        char mark[8];
        snprintf (mark, sizeof mark, "v%d:", v);
        sqlite3_reset (stmt);
        sqlite3_bind_text (stmt, 1, mark, -1, SQLITE_TRANSIENT);
        if (sqlite3_step (stmt) == SQLITE_ROW)
            archived[v] = sqlite3_column_int64 (stmt, 0);
        else
            rc = -1;
    }
    sqlite3_finalize (stmt);
    sqlite3_close (file);
    if (rc)
        fprintf (stderr, "civgrid: cannot read the archive %s\n", path);
    return rc;
}

int
cli_reseal_line (zconfig_t *config, cg_redis_t *redis, char *line, size_t len)
{
    *line = 0;
    char err[200];
    cg_privacy_t *privacy = cg_privacy_load (config, err, sizeof err);
    int current = privacy ? cg_privacy_current (privacy) : 1;
    cg_privacy_destroy (&privacy);
    if (current < 2)
        return 0;
    redisReply *r = cg_redis_command (redis, "HMGET cg:{intake}:reseal version cursor "
                                      "archive_for archive_version archive_after");
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 5) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    bool redis_done = cg_reply_int (r->element[0], 0) == current
                   && streq (cg_reply_str (r->element[1]), "done");
    bool archive_for = cg_reply_int (r->element[2], 0) == current;
    int version = archive_for ? (int) cg_reply_int (r->element[3], 2) : 2;
    long long after = archive_for ? cg_reply_int (r->element[4], 0) : 0;
    freeReplyObject (r);
    char archive[120];
    if (version >= current)
        snprintf (archive, sizeof archive, "done");
    else
        snprintf (archive, sizeof archive, "looking for version %d after row %lld", version,
                  after);
    snprintf (line, len, "sealing key version %d: intake's records %s; archived records %s",
              current, redis_done ? "done" : "under way", archive);
    return 0;
}

/*  Copies the children of from under to, all but skip (zconfig has no
    delete outside its draft API). */
static void
s_copy_but (zconfig_t *from, zconfig_t *to, zconfig_t *skip)
{
    for (zconfig_t *c = zconfig_child (from); c; c = zconfig_next (c))
        if (c != skip)
            s_copy_but (c, zconfig_new (zconfig_name (c), to), skip);
    if (zconfig_value (from))
        zconfig_set_value (to, "%s", zconfig_value (from));
}

/*  civgrid secret status: the sealing key's versions and the values each
    still seals; what is left to seal again. */
static int
s_seal_status (cli_args_t *args, int retire)
{
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    char err[200] = "";
    cg_privacy_t *privacy = cg_privacy_load (config, err, sizeof err);
    if (!privacy) {
        fprintf (stderr, "civgrid: %s\n", err);
        zconfig_destroy (&config);
        return 1;
    }
    int current = cg_privacy_current (privacy);
    cg_privacy_destroy (&privacy);
    int64_t counts[CG_PRIVACY_VERSIONS + 1] = { 0 }, archived[CG_PRIVACY_VERSIONS + 1] = { 0 };
    if (retire == 1 || retire >= current || retire > CG_PRIVACY_VERSIONS) {
        fprintf (stderr, "civgrid: version %d cannot be retired: %s\n", retire, retire == 1
                 ? "version 1 (intake/key) also makes callers' fingerprints" : retire == current
                 ? "it is the version that seals now" : "there is no such version");
        zconfig_destroy (&config);
        return 1;
    }
    char path[32];
    snprintf (path, sizeof path, "intake/keys/%d", retire);
    if (retire > 1 && !zconfig_locate (config, path)) {
        fprintf (stderr, "civgrid: version %d is not in the configuration (retired "
                 "already?)\n", retire);
        zconfig_destroy (&config);
        return 1;
    }
    if (s_seal_count (args, config, counts, archived, current)) {
        zconfig_destroy (&config);
        return 1;
    }
    int64_t left = 0;
    for (int v = 1; v < current; v++)
        left += counts[v];
    if (retire == 0) {
        char progress[256] = "";
        cg_redis_t *redis = cli_redis (args);
        if (redis)
            cli_reseal_line (config, redis, progress, sizeof progress);
        cg_redis_destroy (&redis);
        if (cli_flag (args, "json")) {
            printf ("{\"seal\":%d,\"left\":%lld,\"progress\":\"%s\",\"versions\":[",
                    current, (long long) left, progress);
            for (int v = 1; v <= current; v++)
                printf ("%s{\"version\":%d,\"values\":%lld,\"archived\":%lld}",
                        v > 1 ? "," : "", v, (long long) counts[v], (long long) archived[v]);
            printf ("]}\n");
        }
        else {
            printf ("the sealing key seals with version %d; %lld values of older versions "
                    "left to seal again\n", current, (long long) left);
            if (*progress)
                printf ("%s\n", progress);
            for (int v = 1; v <= current; v++)
                printf ("version %d: %lld values in intake's records, %lld archived records "
                        "hold it\n", v, (long long) counts[v], (long long) archived[v]);
        }
        zconfig_destroy (&config);
        return 0;
    }
    if (counts[retire] || archived[retire]) {
        fprintf (stderr, "civgrid: version %d still seals %lld values in intake's records and "
                 "%lld archived records; it cannot be retired yet (intake seals both again "
                 "in the background: `civgrid secret status`)\n", retire,
                 (long long) counts[retire], (long long) archived[retire]);
        zconfig_destroy (&config);
        return 1;
    }
    char cfg[PATH_MAX];
    snprintf (cfg, sizeof cfg, "%s/civgrid.cfg", cli_opt (args, "dir", "var"));
    zconfig_t *kept = zconfig_new ("root", NULL);
    s_copy_but (config, kept, zconfig_locate (config, path));
    int rc = zconfig_save (kept, cfg) || chmod (cfg, 0600);
    zconfig_destroy (&kept);
    zconfig_destroy (&config);
    if (rc) {
        fprintf (stderr, "civgrid: cannot write %s; nothing changed\n", cfg);
        return 1;
    }
    printf ("the sealing key's version %d is retired from %s (nothing sealed under it is "
            "left); take a new `civgrid secret backup`\n", retire, cfg);
    return 0;
}

/* --- backup and restore ---------------------------------------------------- */

#define S_MAGIC         "CGSECRETS1\n"
#define S_PASS_MIN      12          /* bytes of a passphrase at least */
#define S_FILE_MAX      (64 * 1024) /* a secret file is small; anything larger is not one */

/*  The key from the passphrase ($CG_PASSPHRASE) and salt; -1 said. */
static int
s_derive (unsigned char key[crypto_secretbox_KEYBYTES], const unsigned char *salt)
{
    const char *pass = getenv ("CG_PASSPHRASE");
    if (!pass || strlen (pass) < S_PASS_MIN) {
        fprintf (stderr, "civgrid: set CG_PASSPHRASE to the backup's passphrase, at least %d "
                 "bytes (it is never taken from the command line)\n", S_PASS_MIN);
        return -1;
    }
    if (sodium_init () < 0
    ||  crypto_pwhash (key, crypto_secretbox_KEYBYTES, pass, strlen (pass), salt,
                       crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                       crypto_pwhash_ALG_ARGON2ID13)) {
        fprintf (stderr, "civgrid: not enough memory to derive the key\n");
        return -1;
    }
    return 0;
}

/*  Appends "file PATH BASE64" for every file under dir/sub (PATH relative
    to dir) to text. */
static int
s_collect (const char *dir, const char *sub, char **text)
{
    char path[PATH_MAX];
    snprintf (path, sizeof path, "%s%s%s", dir, *sub ? "/" : "", sub);
    DIR *d = opendir (path);
    if (!d)
        return -1;
    int rc = 0;
    for (struct dirent *e; rc == 0 && (e = readdir (d)); ) {
        if (*e->d_name == '.')
            continue;
        char rel[PATH_MAX], full[PATH_MAX * 2];
        snprintf (rel, sizeof rel, "%s%s%s", sub, *sub ? "/" : "", e->d_name);
        snprintf (full, sizeof full, "%s/%s", dir, rel);
        struct stat st;
        if (stat (full, &st))
            rc = -1;
        else
        if (S_ISDIR (st.st_mode))
            rc = s_collect (dir, rel, text);
        else {
            FILE *f = fopen (full, "rb");
            unsigned char *bytes = malloc (S_FILE_MAX);
            size_t n = f && bytes ? fread (bytes, 1, S_FILE_MAX, f) : 0;
            if (f)
                fclose (f);
            if (!f || !bytes || n == S_FILE_MAX || strchr (rel, ' '))
                rc = -1;
            else {
                char *b64 = cg_base64_encode (bytes, n, CG_BASE64_STD);
                char *more = zsys_sprintf ("%sfile %s %s\n", *text, rel, b64);
                sodium_memzero (b64, strlen (b64));
                free (b64);
                zstr_free (text);
                *text = more;
            }
            if (bytes)
                sodium_memzero (bytes, S_FILE_MAX);
            free (bytes);
        }
    }
    closedir (d);
    return rc;
}

static int
s_backup (cli_args_t *args)
{
    const char *out = cli_opt (args, "out", NULL);
    if (!out) {
        fprintf (stderr, "civgrid: secret backup needs --out FILE\n");
        return 1;
    }
    if (access (out, F_OK) == 0) {
        fprintf (stderr, "civgrid: %s exists; a backup is never written over\n", out);
        return 1;
    }
    zconfig_t *config = cli_config (args);
    if (!config)
        return 1;
    const char *sealing = zconfig_get (config, "intake/key", "");
    const char *secrets = zconfig_get (config, "access/dir", "");
    char *text = zsys_sprintf ("key %s\n", sealing);
    /*  the sealing key's later versions: "keyv N HEX" */
    zconfig_t *keys = zconfig_locate (config, "intake/keys");
    for (zconfig_t *k = keys ? zconfig_child (keys) : NULL; k; k = zconfig_next (k)) {
        char *more = zsys_sprintf ("%skeyv %s %s\n", text, zconfig_name (k),
                                   zconfig_value (k));
        sodium_memzero (text, strlen (text));
        zstr_free (&text);
        text = more;
    }
    int rc = *sealing && *secrets ? s_collect (secrets, "", &text) : -1;
    zconfig_destroy (&config);
    if (rc) {
        fprintf (stderr, "civgrid: the stack's sealing key or secrets cannot be read\n");
        sodium_memzero (text, strlen (text));
        zstr_free (&text);
        return 1;
    }
    unsigned char salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
    unsigned char key[crypto_secretbox_KEYBYTES];
    randombytes_buf (salt, sizeof salt);
    randombytes_buf (nonce, sizeof nonce);
    size_t len = strlen (text);
    unsigned char *sealed = malloc (len + crypto_secretbox_MACBYTES);
    assert (sealed);
    rc = s_derive (key, salt);
    if (rc == 0)
        crypto_secretbox_easy (sealed, (unsigned char *) text, len, nonce, key);
    sodium_memzero (key, sizeof key);
    sodium_memzero (text, len);
    zstr_free (&text);
    int fd = rc ? -1 : open (out, O_WRONLY | O_CREAT | O_EXCL, 0600);
    FILE *f = fd >= 0 ? fdopen (fd, "wb") : NULL;
    bool written = f && fwrite (S_MAGIC, 1, strlen (S_MAGIC), f) == strlen (S_MAGIC)
                && fwrite (salt, 1, sizeof salt, f) == sizeof salt
                && fwrite (nonce, 1, sizeof nonce, f) == sizeof nonce
                && fwrite (sealed, 1, len + crypto_secretbox_MACBYTES, f)
                   == len + crypto_secretbox_MACBYTES;
    if (f && fclose (f))
        written = false;
    free (sealed);
    if (rc == 0 && !written)
        fprintf (stderr, "civgrid: cannot write %s: %s\n", out, strerror (errno));
    if (rc || !written)
        return 1;
    printf ("the sealing key and the stack's secrets are in %s, under the passphrase\n", out);
    return 0;
}

/*  Opens a backup into its lines (malloc'd); NULL said. */
static char *
s_open_backup (const char *in)
{
    FILE *f = fopen (in, "rb");
    if (!f) {
        fprintf (stderr, "civgrid: cannot read %s: %s\n", in, strerror (errno));
        return NULL;
    }
    size_t cap = 16 * S_FILE_MAX, n = 0;
    unsigned char *all = malloc (cap);
    assert (all);
    n = fread (all, 1, cap, f);
    fclose (f);
    size_t head = strlen (S_MAGIC) + crypto_pwhash_SALTBYTES + crypto_secretbox_NONCEBYTES;
    if (n <= head + crypto_secretbox_MACBYTES || n == cap
    ||  memcmp (all, S_MAGIC, strlen (S_MAGIC)) != 0) {
        fprintf (stderr, "civgrid: %s is not a backup of civgrid's secrets\n", in);
        free (all);
        return NULL;
    }
    unsigned char key[crypto_secretbox_KEYBYTES];
    const unsigned char *salt = all + strlen (S_MAGIC);
    const unsigned char *nonce = salt + crypto_pwhash_SALTBYTES;
    size_t len = n - head - crypto_secretbox_MACBYTES;
    char *text = malloc (len + 1);
    assert (text);
    int rc = s_derive (key, salt);
    if (rc == 0 && crypto_secretbox_open_easy ((unsigned char *) text, all + head,
                                               n - head, nonce, key)) {
        fprintf (stderr, "civgrid: the passphrase does not open %s (or it was changed)\n",
                 in);
        rc = -1;
    }
    sodium_memzero (key, sizeof key);
    free (all);
    if (rc) {
        free (text);
        return NULL;
    }
    text[len] = 0;
    return text;
}

/*  Writes one "file PATH BASE64" line under secrets; -1 said. */
static int
s_restore_file (const char *secrets, char *line)
{
    char *path = line + 5, *b64 = strchr (path, ' ');
    if (!b64 || strstr (path, "..") || *path == '/')
        return -1;
    *b64++ = 0;
    char full[PATH_MAX * 2];
    snprintf (full, sizeof full, "%s/%s", secrets, path);
    for (char *slash = strchr (full + strlen (secrets) + 1, '/'); slash;
         slash = strchr (slash + 1, '/')) {
        *slash = 0;
        int made = mkdir (full, 0700);
        *slash = '/';
        if (made && errno != EEXIST)
            return -1;
    }
    size_t n = 0;
    unsigned char *bytes = cg_base64_decode (b64, &n, CG_BASE64_STD);
    int rc = bytes ? 0 : -1;
    int fd = rc ? -1 : open (full, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0 || write (fd, bytes, n) != (ssize_t) n)
        rc = -1;
    if (fd >= 0 && close (fd))
        rc = -1;
    if (bytes)
        sodium_memzero (bytes, n);
    free (bytes);
    return rc;
}

static int
s_restore (cli_args_t *args)
{
    const char *in = cli_opt (args, "in", NULL);
    const char *dir = cli_opt (args, "dir", "var");
    if (!in) {
        fprintf (stderr, "civgrid: secret restore needs --in FILE\n");
        return 1;
    }
    char cfg[PATH_MAX], secrets[PATH_MAX];
    snprintf (cfg, sizeof cfg, "%s/civgrid.cfg", dir);
    zconfig_t *config = zconfig_load (cfg);
    if (!config)
        config = zconfig_new ("root", NULL);
    const char *had = zconfig_get (config, "access/dir", "");
    if (*had)
        snprintf (secrets, sizeof secrets, "%s", had);
    else {
        char absdir[PATH_MAX];
        if (mkdir (dir, 0755) && errno != EEXIST)
            absdir[0] = 0;
        if (!realpath (dir, absdir)) {
            fprintf (stderr, "civgrid: cannot use the folder %s\n", dir);
            zconfig_destroy (&config);
            return 1;
        }
        snprintf (secrets, sizeof secrets, "%s/secrets", absdir);
    }
    if (access (secrets, F_OK) == 0) {
        fprintf (stderr, "civgrid: %s exists: restoring over a stack's secrets would lose "
                 "them; restore into a new folder\n", secrets);
        zconfig_destroy (&config);
        return 1;
    }
    char *text = s_open_backup (in);
    int rc = text ? 0 : 1;
    char *save = NULL, *key = NULL;
    if (!rc && mkdir (secrets, 0700)) {
        fprintf (stderr, "civgrid: cannot create %s: %s\n", secrets, strerror (errno));
        rc = 1;
    }
    for (char *line = rc ? NULL : strtok_r (text, "\n", &save); line && !rc;
         line = strtok_r (NULL, "\n", &save)) {
        if (strncmp (line, "key ", 4) == 0)
            key = line + 4;
        else
        if (strncmp (line, "keyv ", 5) == 0) {
            char version[8] = "", path[32];
            const char *hex = strchr (line + 5, ' ');
            snprintf (version, sizeof version, "%.*s", hex ? (int) (hex - line - 5) : 0, line + 5);
            snprintf (path, sizeof path, "intake/keys/%s", version);
            if (hex && atoi (version) >= 2 && strlen (hex + 1) == 64)
                zconfig_put (config, path, hex + 1);
            else {
                fprintf (stderr, "civgrid: the backup has a sealing key version that cannot "
                         "be restored\n");
                rc = 1;
            }
        }
        else
        if (strncmp (line, "file ", 5) != 0 || s_restore_file (secrets, line)) {
            fprintf (stderr, "civgrid: the backup has a line that cannot be restored\n");
            rc = 1;
        }
    }
    const char *before = zconfig_get (config, "intake/key", "");
    if (!rc && (!key || strlen (key) != 64 || (*before && !streq (before, key)))) {
        fprintf (stderr, key && *before ? "civgrid: %s has another sealing key; restore into "
                 "a new folder\n" : "civgrid: the backup holds no sealing key\n", cfg);
        rc = 1;
    }
    if (!rc) {
        zconfig_put (config, "intake/key", key);
        zconfig_put (config, "access/dir", secrets);
        int fd = open (cfg, O_WRONLY | O_CREAT, 0600);
        if (fd < 0 || close (fd) || zconfig_save (config, cfg) || chmod (cfg, 0600)) {
            fprintf (stderr, "civgrid: cannot write %s\n", cfg);
            rc = 1;
        }
    }
    if (text) {
        sodium_memzero (text, strlen (text));
        free (text);
    }
    zconfig_destroy (&config);
    if (!rc)
        printf ("restored the sealing key and secrets into %s; start the stack with "
                "`civgrid stack up --dir %s --port-base N|auto`\n", dir, dir);
    return rc;
}

int
cli_secret (cli_args_t *args)
{
    const char *verb = args->nwords > 1 ? args->words[1] : "";
    const char *kind = args->nwords > 2 ? args->words[2] : "";
    if (streq (verb, "rotate") && streq (kind, "hotline") && args->nwords == 4)
        return s_rotate_hotline (args, args->words[3]);
    if (streq (verb, "rotate") && streq (kind, "callback") && args->nwords == 3)
        return s_rotate_callback (args);
    if (streq (verb, "rotate") && streq (kind, "seal") && args->nwords == 3)
        return s_rotate_seal (args);
    if (streq (verb, "status") && args->nwords == 2)
        return s_seal_status (args, 0);
    if (streq (verb, "retire") && streq (kind, "seal") && args->nwords == 4) {
        char *end;
        long version = strtol (args->words[3], &end, 10);
        if (*end || end == args->words[3] || version < 1 || version > CG_PRIVACY_VERSIONS) {
            fprintf (stderr, "civgrid: secret retire seal takes a version from 1 to %d, not "
                     "\"%s\"\n", CG_PRIVACY_VERSIONS, args->words[3]);
            return 1;
        }
        return s_seal_status (args, (int) version);
    }
    if (streq (verb, "backup") && args->nwords == 2)
        return s_backup (args);
    if (streq (verb, "restore") && args->nwords == 2)
        return s_restore (args);
    fprintf (stderr, "usage: civgrid secret rotate hotline ID | callback [--grace-hours N]\n"
             "       civgrid secret rotate seal | secret status | secret retire seal N\n"
             "       civgrid secret backup --out FILE | secret restore --in FILE "
             "(passphrase in $CG_PASSPHRASE)\n");
    return 2;
}
