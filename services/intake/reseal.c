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

#include "cg_clock.h"

#include <sodium.h>

#define S_RESEAL_KEY    INTAKE_PREFIX "reseal"
#define S_RESEAL_COUNT  50      /* keys a SCAN asks for */

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
        if (strcmp (field, "record") != 0 && strncmp (field, "record:", 7) != 0)
            continue;
        const redisReply *old = r->element[k + 1];
        cg_intake_record_t record;
        cg_error_t err;
        if (cg_msg_decode (&cg_intake_record_def, old->str, old->len, &record, &err))
            continue;
        int changed = 0, got;
        char **values[] = { &record.name_sealed, &record.phone_sealed, &record.email_sealed };
        for (int v = 0; v < 3; v++)
            if ((got = s_again (self, values[v])) > 0)
                changed = 1;
            else
            if (got < 0)
                zsys_warning ("intake: a value of case %s (%s) does not open under any "
                              "version of the key", id, field);
        msgpack_sbuffer buf;
        msgpack_sbuffer_init (&buf);
        if (changed && cg_msg_encode (&cg_intake_record_def, &record, &buf, &err) == 0) {
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
        cg_msg_clear (&cg_intake_record_def, &record);
    }
    freeReplyObject (r);
    return rc ? -1 : written;
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
    redisReply *r = cg_redis_command (redis, "HMGET " S_RESEAL_KEY " version cursor again");
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        if (r)
            freeReplyObject (r);
        return 0;
    }
    int version = (int) cg_reply_int (r->element[0], 0);
    char cursor[32];
    snprintf (cursor, sizeof cursor, "%s", version == current && r->element[1]->str
              ? r->element[1]->str : "0");
    bool again = version == current && cg_reply_int (r->element[2], 0);
    freeReplyObject (r);
    if (version == current && strcmp (cursor, "done") == 0)
        return 0;
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
