/*  public — see public.h.

    topic_publish.lua lists a topic, at its first publication, in
    `published` and in `published:<code>` for its community and every
    node above it, so a page of any place is one sorted set.  Texts are
    read from the publication stages that are closed: a published text is
    written once and never changed. */
#include "public.h"
#include "cg_text.h"

#define P CONSULTATION_PREFIX

/*  Fills pub with topic id's headline and its publications (with their
    texts when `texts`).  Returns 0, 1 when it has published nothing (or
    does not exist), -1 when Redis failed. */
static int
s_load (consultation_t *self, const char *id, cg_topic_public_t *pub, bool texts)
{
    memset (pub, 0, sizeof *pub);
    redisReply *r = cg_redis_command (self->daemon->redis, "HMGET " P "topic:%s title scope "
                                      "scope_name procedure nstages", id);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 5) {
        if (r)
            freeReplyObject (r);
        return -1;
    }
    const char *keys[] = { "title", "scope", "scope_name", "procedure" };
    for (int k = 0; k < 4; k++)
        if (r->element[k]->type == REDIS_REPLY_STRING)
            cg_msg_set (&cg_topic_public_def, pub, keys[k], r->element[k]->str,
                        r->element[k]->len);
    int64_t nstages = cg_reply_int (r->element[4], 0);
    freeReplyObject (r);
    pub->id = cg_strdup (id);
    pub->publications = cg_alloc (4 * sizeof (cg_topic_publication_t));
    int rc = 0;
    for (int64_t n = 1; n <= nstages && n <= 16 && pub->publications_count < 4; n++) {
        r = cg_redis_command (self->daemon->redis, "HMGET " P "topic:%s:s:%lld body state name "
                              "closed text", id, (long long) n);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 5)
            rc = -1;
        else
        if (!*cg_reply_str (r->element[0]) && streq (cg_reply_str (r->element[1]), "closed")) {
            cg_topic_publication_t *p = &pub->publications[pub->publications_count++];
            p->n = n;
            p->name = cg_strdup (cg_reply_str (r->element[2]));
            p->published = cg_reply_int (r->element[3], 0);
            if (texts)
                p->text = cg_strdup (cg_reply_str (r->element[4]));
        }
        if (r)
            freeReplyObject (r);
    }
    if (rc == 0 && (!pub->publications_count || !pub->title || !pub->scope || !pub->procedure))
        rc = 1;
    return rc;
}

void
public_on_show (void *request, cg_reply_t *reply, void *arg)
{
    cg_topic_get_t *req = request;
    cg_topic_public_t pub;
    int rc = s_load (arg, req->id, &pub, true);
    if (rc == 0)
        cg_reply_ok (reply, &cg_topic_public_def, &pub);
    else
    if (rc == 1)
        cg_reply_fail (reply, "not_found", "id", "topic %s has published nothing", req->id);
    else
        cg_reply_fail (reply, "unavailable", NULL, "the topic store cannot be reached");
    cg_msg_clear (&cg_topic_public_def, &pub);
}

void
public_on_list (void *request, cg_reply_t *reply, void *arg)
{
    consultation_t *self = arg;
    cg_topic_query_t *req = request;
    if (req->scope && !cg_orgtree_find (self->org, req->scope)) {
        cg_reply_fail (reply, "invalid", "scope", "scope \"%s\" is not in the org tree",
                       req->scope);
        return;
    }
    char key[96];
    snprintf (key, sizeof key, P "published%s%s", req->scope ? ":" : "",
              req->scope ? req->scope : "");
    int64_t total;
    cg_zpage_t ids;
    char next[CG_CURSOR_MAX];
    if (consultation_page (self, "topic.public_list", &cg_topic_query_def, req, key, true,
                           req->limit > 0 ? req->limit : 50, &ids, &total, next, reply))
        return;
    cg_topic_public_page_t page = { .total = total, .next = *next ? next : NULL };
    page.topics = cg_alloc ((ids.count ? ids.count : 1) * sizeof (cg_topic_public_t));
    for (size_t i = 0; i < ids.count; i++)
        if (s_load (self, ids.ids[i], &page.topics[page.topics_count], false) == 0)
            page.topics_count++;
        else
            cg_msg_clear (&cg_topic_public_def, &page.topics[page.topics_count]);
    cg_reply_ok (reply, &cg_topic_public_page_def, &page);
    page.next = NULL;           /* ours */
    cg_msg_clear (&cg_topic_public_page_def, &page);
    cg_zpage_free (&ids);
}
