/*  reseal — records sealed under an old version of the key, sealed again
    under the newest (cg_privacy.h, issue #17).

    After `civgrid secret rotate seal` and a restart, intake seals new
    records with the newest version; what older versions sealed still
    opens, and this pass seals it again in the background, so that an old
    version can be retired (`civgrid secret retire seal N` refuses while a
    value of N is left; `civgrid secret status` counts them).

    A timer takes a few cases at a time: SCAN of req:* from the pass's
    cursor, each case's records (`record`, `record:<n>`) read, each one
    holding a value of an older version opened and sealed again, and
    written by intake_reseal.lua only if the record is still the one read:
    a concurrent write is never lost, it is only looked at in the next
    pass.  The SCAN cursor and the version the pass is for are kept in
    cg:{intake}:reseal after each batch, so a kill -9 goes on where the
    last batch ended (SCAN may give a key twice, which costs one more
    look).  A pass that ends with nothing left to do stops; a pass that
    met a changed record starts again; a newer version starts a new pass.
    Each record written again puts record.resealed on intake's journal:
    the archive copies the case's record again (it cannot seal, it never
    holds the key). */
#include "intake.h"

#include "cg_base64.h"
#include "cg_clock.h"

#include <sodium.h>

#define S_RESEAL_KEY    INTAKE_PREFIX "reseal"
#define S_RESEAL_COUNT  50      /* keys a SCAN asks for */
#define S_ARCHIVE_TIMEOUT_MS    500     /* an archive that does not answer by then ... */
#define S_ARCHIVE_PAUSE_MS      2000    /* ... is asked again after this pause */

/*  Seals again, in place, a value of an older version; 1 when it did, 0
    when it was current, -1 when it does not open. */
static int
s_again (intake_t *self, char **value)
{
    if (!*value || cg_privacy_version_of (*value) == cg_privacy_current (self->privacy))
        return 0;
    char plain[1024], sealed[CG_SEALED_LEN (1024)];
    if (cg_privacy_open (self->privacy, *value, plain, sizeof plain)
    ||  cg_privacy_seal (self->privacy, plain, sealed, sizeof sealed)) {
        sodium_memzero (plain, sizeof plain);
        return -1;
    }
    sodium_memzero (plain, sizeof plain);
    free (*value);
    *value = strdup (sealed);
    return 1;
}

/*  One record (msgpack intake.record, bytes) sealed again into out; 1 when
    a value was, 0 when every one was current (or the record does not
    decode: it is left as it is). */
static int
s_record (intake_t *self, const char *id, const char *field, const char *bytes, size_t len,
          msgpack_sbuffer *out)
{
    cg_intake_record_t record;
    cg_error_t err;
    if (cg_msg_decode (&cg_intake_record_def, bytes, len, &record, &err))
        return 0;
    int changed = 0, got;
    char **values[] = { &record.name_sealed, &record.phone_sealed, &record.email_sealed };
    for (int v = 0; v < 3; v++)
        if ((got = s_again (self, values[v])) > 0)
            changed = 1;
        else
        if (got < 0)
            zsys_warning ("intake: a value of case %s (%s) does not open under any "
                          "version of the key", id, field);
    if (changed && cg_msg_encode (&cg_intake_record_def, &record, out, &err))
        changed = 0;
    cg_msg_clear (&cg_intake_record_def, &record);
    return changed;
}

static bool
s_is_record (const char *field, size_t len)
{
    return (len == 6 && memcmp (field, "record", 6) == 0)
        || (len > 7 && memcmp (field, "record:", 7) == 0);
}

/*  One case's records; how many were written again, or -1 when one
    changed meanwhile (the pass must look again). */
static int
s_case (intake_t *self, const char *key)
{
    const char *id = key + strlen (INTAKE_PREFIX "req:");
    redisReply *r = cg_redis_command (self->daemon->redis, "HGETALL %s", key);
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    int written = 0, rc = 0;
    for (size_t k = 0; k + 1 < r->elements; k += 2) {
        const char *field = r->element[k]->str;
        if (!s_is_record (field, r->element[k]->len))
            continue;
        const redisReply *old = r->element[k + 1];
        msgpack_sbuffer buf;
        msgpack_sbuffer_init (&buf);
        if (s_record (self, id, field, old->str, old->len, &buf)) {
            cg_args_t args;
            cg_args_init (&args);
            cg_args_add_str (&args, INTAKE_PREFIX);
            cg_args_add_str (&args, id);
            cg_args_add_str (&args, field);
            cg_args_add (&args, old->str, old->len);
            cg_args_add (&args, buf.data, buf.size);
            cg_args_add_int (&args, cg_privacy_current (self->privacy));
            cg_args_add_int (&args, cg_clock_now ());
            redisReply *done = cg_redis_script (self->daemon->redis, "intake_reseal", 0, &args);
            if (done && done->type == REDIS_REPLY_ARRAY && done->elements == 3
            &&  cg_reply_int (done->element[0], 0) == 1) {
                written++;
                cg_pub_send (self->daemon->pub, "intake", done->element[1]->integer,
                             "record.resealed", done->element[2]->str, done->element[2]->len);
            }
            else
                rc = -1;
            if (done)
                freeReplyObject (done);
            cg_args_free (&args);
        }
        msgpack_sbuffer_destroy (&buf);
    }
    freeReplyObject (r);
    return rc ? -1 : written;
}

/* --- the archive's records ------------------------------------------------- */

/*  The msgpack map of an archived intake hash given in base64 into map
    (its bytes into *bytes, to free after the map); 0, or -1 when it is not
    one. */
static int
s_unpack_hash (const char *text, char **bytes, msgpack_unpacked *map)
{
    size_t len;
    *bytes = cg_base64_decode (text, &len, CG_BASE64_STD);
    msgpack_unpacked_init (map);
    return *bytes
        && msgpack_unpack_next (map, *bytes, len, NULL) == MSGPACK_UNPACK_SUCCESS
        && map->data.type == MSGPACK_OBJECT_MAP ? 0 : -1;
}

/*  An archived case's intake hash (base64 of the msgpack map the archive
    keeps, field -> bytes) sealed again into *sealed (base64, malloc'd); 1
    when a record was, 0 when none needed it, -1 when it is not such a map. */
static int
s_archived (intake_t *self, const char *id, const char *text, char **sealed)
{
    char *bytes;
    msgpack_unpacked map;
    int rc = -1;
    if (s_unpack_hash (text, &bytes, &map) == 0) {
        msgpack_sbuffer out;
        msgpack_sbuffer_init (&out);
        msgpack_packer pk;
        msgpack_packer_init (&pk, &out, msgpack_sbuffer_write);
        const msgpack_object_map *m = &map.data.via.map;
        msgpack_pack_map (&pk, m->size);
        rc = 0;
        for (uint32_t i = 0; i < m->size; i++) {
            const msgpack_object *k = &m->ptr[i].key, *v = &m->ptr[i].val;
            msgpack_pack_object (&pk, *k);
            msgpack_sbuffer record;
            msgpack_sbuffer_init (&record);
            char field[64] = "";
            if (k->type == MSGPACK_OBJECT_STR)
                snprintf (field, sizeof field, "%.*s", (int) k->via.str.size, k->via.str.ptr);
            if (k->type == MSGPACK_OBJECT_STR && v->type == MSGPACK_OBJECT_BIN
            &&  s_is_record (k->via.str.ptr, k->via.str.size)
            &&  s_record (self, id, field, v->via.bin.ptr, v->via.bin.size, &record)) {
                msgpack_pack_bin (&pk, record.size);
                msgpack_pack_bin_body (&pk, record.data, record.size);
                rc = 1;
            }
            else
                msgpack_pack_object (&pk, *v);
            msgpack_sbuffer_destroy (&record);
        }
        if (rc == 1)
            *sealed = cg_base64_encode (out.data, out.size, CG_BASE64_STD);
        msgpack_sbuffer_destroy (&out);
    }
    msgpack_unpacked_destroy (&map);
    free (bytes);
    return rc;
}

/*  The archive's client, made when first needed; NULL when the stack has
    no archive or it did not answer a moment ago. */
static cg_client_t *
s_archive_client (intake_t *self)
{
    if (!self->archive) {
        const char *endpoint = cg_daemon_get (self->daemon, "archive/endpoint", NULL);
        if (!endpoint || !*endpoint)
            return NULL;        /* a stack without an archive */
        self->archive = cg_client_new (endpoint, S_ARCHIVE_TIMEOUT_MS, 1);
    }
    return zclock_mono () < self->archive_pause ? NULL : self->archive;
}

int
intake_archived (intake_t *self, const char *id, const char *const *fields, size_t n,
                 char **values, size_t *lens)
{
    cg_client_t *archive = s_archive_client (self);
    if (!archive)
        return -1;
    cg_archive_record_ask_t ask = { .role = "intake", .id = (char *) id };
    cg_archive_sealed_row_t row;
    cg_error_t err;
    if (cg_client_call (archive, &cg_cmd_archive_record, &ask, &row, &err)) {
        if (streq (err.code, "unavailable"))
            self->archive_pause = zclock_mono () + S_ARCHIVE_PAUSE_MS;
        return -1;
    }
    char *bytes;
    msgpack_unpacked map;
    int rc = s_unpack_hash (row.intake, &bytes, &map);
    for (uint32_t i = 0; rc == 0 && i < map.data.via.map.size; i++) {
        const msgpack_object *k = &map.data.via.map.ptr[i].key;
        const msgpack_object *v = &map.data.via.map.ptr[i].val;
        if (k->type != MSGPACK_OBJECT_STR || v->type != MSGPACK_OBJECT_BIN)
            continue;
        for (size_t f = 0; f < n; f++)
            if (!values[f] && strlen (fields[f]) == k->via.str.size
            &&  memcmp (fields[f], k->via.str.ptr, k->via.str.size) == 0) {
                values[f] = malloc (v->via.bin.size + 1);
                assert (values[f]);
                memcpy (values[f], v->via.bin.ptr, v->via.bin.size);
                values[f][v->via.bin.size] = 0;
                lens[f] = v->via.bin.size;
            }
    }
    msgpack_unpacked_destroy (&map);
    free (bytes);
    cg_msg_clear (&cg_archive_sealed_row_def, &row);
    return rc;
}

/*  One page of the archive's rows still sealed under version: each sealed
    again and sent back.  Moves *after on to the last row looked at; 1 when
    more rows may follow, 0 at the end, -1 when the archive did not answer
    (the same page is asked again later). */
static int
s_archive_page (intake_t *self, int version, int64_t *after, int *written)
{
    cg_archive_sealed_ask_t ask = { .role = "intake", .version = version };
    CG_SET (&ask, archive_sealed_ask, after, *after);
    cg_archive_sealed_t page;
    cg_error_t err;
    if (cg_client_call (self->archive, &cg_cmd_archive_sealed, &ask, &page, &err))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < page.rows_count && rc == 0; i++) {
        cg_archive_sealed_row_t *row = &page.rows[i];
        char *sealed = NULL;
        if (s_archived (self, row->id, row->intake, &sealed) == 1) {
            cg_archive_reseal_t reseal = { .role = "intake", .id = row->id,
                                           .old = row->intake, .intake = sealed };
            cg_archive_resealed_t done;
            if (cg_client_call (self->archive, &cg_cmd_archive_reseal, &reseal, &done, &err))
                rc = -1;        /* this row and the rest: asked again */
            else {
                *written += done.replaced;
                cg_msg_clear (&cg_archive_resealed_def, &done);
            }
        }
        free (sealed);
        if (rc == 0)
            *after = row->n;
    }
    if (rc == 0) {
        *after = page.last > *after ? page.last : *after;
        rc = page.more ? 1 : 0;
    }
    cg_msg_clear (&cg_archive_sealed_def, &page);
    return rc;
}

/*  The archive's part of the pass, once Redis's is done: versions 2 to
    current - 1 in turn, a page each tick, where cg:{intake}:reseal's
    archive_version and archive_after left off.  A row a concurrent copy changed is not
    replaced; its new hash is found again in a later pass when it still
    holds an old value (`secret status` shows it). */
static void
s_archive (intake_t *self, int current, int version, int64_t after)
{
    if (!s_archive_client (self))
        return;
    int written = 0;
    int more = s_archive_page (self, version, &after, &written);
    if (more < 0) {
        self->archive_pause = zclock_mono () + S_ARCHIVE_PAUSE_MS;
        zsys_debug ("intake: the archive does not answer; its records are sealed again later");
        return;
    }
    if (more == 0) {
        version++;
        after = 0;
    }
    redisReply *w = cg_redis_command (self->daemon->redis, "HSET " S_RESEAL_KEY
                                      " archive_for %d archive_version %d archive_after %lld",
                                      current, version, (long long) after);
    if (w)
        freeReplyObject (w);
    if (written)
        zsys_debug ("intake: %d archived records sealed again under version %d", written,
                    current);
    if (version >= current)
        zsys_info ("intake: every archived record is sealed under version %d of the key",
                   current);
}

int
intake_reseal (zloop_t *loop, int timer_id, void *arg)
{
    (void) loop;
    (void) timer_id;
    intake_t *self = arg;
    int current = cg_privacy_current (self->privacy);
    if (current < 2)
        return 0;               /* one version: nothing is old */
    cg_redis_t *redis = self->daemon->redis;
    redisReply *r = cg_redis_command (redis, "HMGET " S_RESEAL_KEY " version cursor again "
                                      "archive_for archive_version archive_after");
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 6) {
        if (r)
            freeReplyObject (r);
        return 0;
    }
    int version = (int) cg_reply_int (r->element[0], 0);
    char cursor[32];
    snprintf (cursor, sizeof cursor, "%s", version == current && r->element[1]->str
              ? r->element[1]->str : "0");
    bool again = version == current && cg_reply_int (r->element[2], 0);
    /*  the archive's pass: from version 2, row 0, for a new current version */
    bool archive_for = cg_reply_int (r->element[3], 0) == current;
    int archive_version = archive_for ? (int) cg_reply_int (r->element[4], 2) : 2;
    int64_t archive_after = archive_for ? cg_reply_int (r->element[5], 0) : 0;
    freeReplyObject (r);
    /*  the archive's rows once Redis's are done: a case archived before
        then may carry an old record into the archive after its row was
        looked at, one archived after cannot */
    if (version == current && strcmp (cursor, "done") == 0) {
        if (archive_version < current)
            s_archive (self, current, archive_version, archive_after);
        return 0;
    }
    r = cg_redis_command (redis, "SCAN %s MATCH " INTAKE_PREFIX "req:* COUNT %d", cursor,
                          S_RESEAL_COUNT);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        if (r)
            freeReplyObject (r);
        return 0;
    }
    snprintf (cursor, sizeof cursor, "%s", r->element[0]->str);
    int written = 0;
    for (size_t i = 0; i < r->element[1]->elements; i++) {
        int n = s_case (self, r->element[1]->element[i]->str);
        if (n < 0)
            again = true;
        else
            written += n;
    }
    freeReplyObject (r);
    /*  at the end of a pass: done, or once more when a record changed */
    bool end = strcmp (cursor, "0") == 0;
    redisReply *w = cg_redis_command (redis, "HSET " S_RESEAL_KEY " version %d cursor %s "
                                      "again %d", current, end && !again ? "done" : cursor,
                                      end ? 0 : again);
    if (w)
        freeReplyObject (w);
    if (written)
        zsys_debug ("intake: %d records sealed again under version %d", written, current);
    if (end && !again)
        zsys_info ("intake: every record is sealed under version %d of the key", current);
    return 0;
}
