/*  search — case.show and case.search from the store.

    Chinese has no spaces between words, and a caller remembers any piece
    of what was said: "any substring of two characters or more" must find
    the case.  FTS5's trigram tokenizer needs three.  So the archive indexes
    bigrams: the request's text and address become every two neighbouring
    characters, separated by spaces ("路灯坏了" -> "路灯 灯坏 坏了"), in a
    contentless FTS5 table with the ascii tokenizer (every byte above 127 is
    part of a token, so a bigram of Chinese stays one token; ASCII letters
    fold to lower case).  A query is turned into bigrams the same way and
    asked as one phrase: its bigrams in a row, which is exactly a substring
    of two characters or more.  Two characters are one bigram, a phrase of
    one token.  A bigram holding ASCII punctuation or a space splits the
    same way in text and query, so nothing is missed; what it could let in
    wrongly is dropped by comparing the text itself before a case is shown.

    Pages are newest first by (created, n) and go on from an opaque cursor
    (common/cg_cursor.h: the position, the search's filters as the list it
    belongs to, when it was made, signed under the stack's key): one that
    was altered, belongs to another search or is stale is refused naming
    `cursor`.  Keyset positions stay right while cases arrive: a page never
    repeats or skips a case because a new one came.

    The text index's rowid is the case's text key (store.c, case_keys):
    created in the high bits, the cases of that millisecond counted in the
    low ones in the order of n, so FTS5's own order is the page order and
    `ORDER BY rowid DESC` stops at the page's end.  Which index leads a
    search is said in search_on_search.

    A search runs on a worker thread of its own (cg_server_on_worker), with
    a read-only connection of its own: the write-ahead log lets it read
    while the feed and the sweep write, and neither waits for the other. */
#include "archive.h"
#include "cg_clock.h"
#include "cg_cursor.h"
#include "cg_text.h"
#include <math.h>

#define S_SUMMARY   200     /* bytes of a text in a search's page */
#define S_SCAN_MAX  2000    /* rows looked at for one page at most */


/*  The length of the UTF-8 character at s (1 for a stray byte). */
static size_t
s_char_len (const unsigned char *s)
{
    size_t n = *s < 0x80 ? 1 : *s >= 0xf0 ? 4 : *s >= 0xe0 ? 3 : *s >= 0xc0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 1;
    return n;
}

static size_t
s_chars (const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *) s; *p; p += s_char_len (p))
        n++;
    return n;
}

char *
search_grams (const char *text)
{
    size_t len = strlen (text);
    char *out = malloc (3 * len + 2);     /* ASCII: "ab " for each character */
    assert (out);
    size_t at = 0;
    const unsigned char *p = (const unsigned char *) text;
    while (*p) {
        size_t a = s_char_len (p);
        if (!p[a])
            break;
        size_t b = s_char_len (p + a);
        memcpy (out + at, p, a + b);
        at += a + b;
        out[at++] = ' ';
        p += a;
    }
    out[at] = 0;
    return out;
}

/*  Whether q has anything the tokenizer keeps: a letter, a digit or a
    character beyond ASCII. */
static bool
s_has_token (const char *q)
{
    for (const unsigned char *p = (const unsigned char *) q; *p; p++)
        if (*p >= 0x80 || isalnum (*p))
            return true;
    return false;
}

/* --- the worker's connection ---------------------------------------------- */

search_t *
search_new (const char *path, const char *cursor_key)
{
    search_t *self = calloc (1, sizeof *self);
    assert (self);
    if (sqlite3_open_v2 (path, &self->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        zsys_error ("archive: cannot open %s to search: %s", path,
                    self->db ? sqlite3_errmsg (self->db) : "no memory");
        search_destroy (&self);
        return NULL;
    }
    sqlite3_busy_timeout (self->db, 5000);
    self->cursors = cg_cursor_new (cursor_key);
    return self;
}

void
search_destroy (search_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    sqlite3_close_v2 ((*self_p)->db);
    cg_cursor_destroy (&(*self_p)->cursors);
    free (*self_p);
    *self_p = NULL;
}

/* --- show ----------------------------------------------------------------- */

void
search_on_show (void *request, cg_reply_t *reply, void *arg)
{
    archive_t *self = arg;
    cg_case_get_t *req = request;
    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, "SELECT view FROM cases WHERE id = ?1", -1, &stmt,
                            NULL) != SQLITE_OK) {
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be read");
        return;
    }
    sqlite3_bind_text (stmt, 1, req->id, -1, SQLITE_STATIC);
    cg_case_view_t view;
    cg_error_t err;
    if (sqlite3_step (stmt) != SQLITE_ROW)
        cg_reply_fail (reply, "not_found", "id", "there is no case %s", req->id);
    else
    if (cg_msg_decode (&cg_case_view_def, sqlite3_column_blob (stmt, 0),
                       (size_t) sqlite3_column_bytes (stmt, 0), &view, &err) == 0) {
        cg_reply_ok (reply, &cg_case_view_def, &view);
        cg_msg_clear (&cg_case_view_def, &view);
    }
    else
        cg_reply_fail (reply, "internal", "id", "the archive's copy of case %s does not "
                       "decode: %s", req->id, err.message);
    sqlite3_finalize (stmt);
}

/* --- search --------------------------------------------------------------- */

/*  A WHERE clause and its arguments, built up. */
typedef struct {
    char sql[2048];
    const char *texts[16];
    int64_t ints[16];
    bool is_int[16];
    int n;
} s_query_t;

static void
s_where_text (s_query_t *query, const char *clause, const char *value)
{
    if (!value)
        return;
    size_t used = strlen (query->sql);
    snprintf (query->sql + used, sizeof query->sql - used, " AND %s ?%d", clause, query->n + 1);
    query->texts[query->n] = value;
    query->is_int[query->n++] = false;
}

static void
s_where_int (s_query_t *query, const char *clause, int64_t value)
{
    size_t used = strlen (query->sql);
    snprintf (query->sql + used, sizeof query->sql - used, " AND %s ?%d", clause, query->n + 1);
    query->ints[query->n] = value;
    query->is_int[query->n++] = true;
}

/*  Whether a scope is small enough to lead a text search: its cases
    looked up in the text index one by one (about 50 us each at 1M) cost
    less, at worst, than the text index's walk (about 20 us a match) to
    find a page of 20 of them among all matches.  With s of the store's t
    cases in the scope, the worst of either is s * 50 us (a word none of
    them holds) against 20 * t / s * 20 us (a word every case holds): the
    scope leads while s * s < 8 * t (2,830 cases of a million; 126 of
    2,000, where the text index's walk is short anyway).  The scope is
    counted only that far. */
static bool
s_scope_leads (search_t *self, const char *scope)
{
    sqlite3_stmt *stmt;
    int64_t total = 0, small, n;
    if (sqlite3_prepare_v2 (self->db, "SELECT max(n) FROM cases", -1, &stmt, NULL) != SQLITE_OK)
        return false;
    if (sqlite3_step (stmt) == SQLITE_ROW)
        total = sqlite3_column_int64 (stmt, 0);
    sqlite3_finalize (stmt);
    small = (int64_t) sqrt (8.0 * (double) total);
    if (sqlite3_prepare_v2 (self->db, "SELECT count(*) FROM (SELECT 1 FROM case_scope"
                            " WHERE code = ?1 LIMIT ?2)", -1, &stmt, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text (stmt, 1, scope, -1, SQLITE_STATIC);
    sqlite3_bind_int64 (stmt, 2, small);
    n = sqlite3_step (stmt) == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : small;
    sqlite3_finalize (stmt);
    return n < small;
}

/*  Whether the case's own text holds q (see the top of the file). */
static bool
s_text_holds (const cg_case_view_t *c, const char *q)
{
    return (c->text && strstr (c->text, q)) || (c->address && strstr (c->address, q));
}

/*  Cuts a case for a page: no timeline, and unless full a summary. */
static void
s_trim (cg_case_view_t *c, bool full)
{
    for (size_t i = 0; i < c->steps_count; i++)
        cg_msg_clear (&cg_case_step_def, &c->steps[i]);
    free (c->steps);
    c->steps = NULL;
    c->steps_count = 0;
    if (!full && c->text && strlen (c->text) >= S_SUMMARY) {
        size_t n = S_SUMMARY - 1;
        while (n > 0 && ((unsigned char) c->text[n] & 0xc0) == 0x80)
            n--;
        c->text[n] = 0;
    }
}

void
search_on_search (void *request, cg_reply_t *reply, void *arg)
{
    search_t *self = arg;
    cg_case_search_t *req = request;
    int64_t limit = req->limit > 0 ? req->limit : 20;
    if (req->full && limit > CG_EXPORT_PAGE_MAX) {
        cg_reply_fail (reply, "invalid", "limit", "a page of whole cases holds at most %d; "
                       "ask for %lld", CG_EXPORT_PAGE_MAX, (long long) limit);
        return;
    }
    char *phrase = NULL;
    if (req->q) {
        size_t chars = s_chars (req->q);
        if (chars < CG_SEARCH_Q_MIN || chars > CG_SEARCH_Q_MAX) {
            cg_reply_fail (reply, "invalid", "q", "a text search takes %d to %d characters; "
                           "this one has %zu", CG_SEARCH_Q_MIN, CG_SEARCH_Q_MAX, chars);
            return;
        }
        if (!s_has_token (req->q)) {
            cg_reply_fail (reply, "invalid", "q", "a text search needs letters, digits or "
                           "characters, not only punctuation and spaces");
            return;
        }
        char *grams = search_grams (req->q);
        phrase = malloc (2 * strlen (grams) + 3);
        assert (phrase);
        char *out = phrase;
        *out++ = '"';
        for (const char *g = grams; *g; g++) {
            if (*g == '"')
                *out++ = '"';
            *out++ = *g;
        }
        *out++ = '"';
        *out = 0;
        free (grams);
    }
    int64_t after_created = 0, after_n = 0;
    char list[CG_CURSOR_LIST_MAX], why[160];
    cg_cursor_list (list, sizeof list, "case.search", &cg_case_search_def, req);
    if (req->cursor) {
        cg_cursor_at_t at;
        if (cg_cursor_decode (self->cursors, req->cursor, list, cg_clock_now (), &at, why,
                              sizeof why)) {
            cg_reply_fail (reply, "invalid", "cursor", "cursor %s", why);
            free (phrase);
            return;
        }
        after_created = at.pos;
        after_n = strtoll (at.id, NULL, 10);
    }
    /*  Which index leads (see the top of the file).  A case id, an order
        number or a caller names a few cases: those are found first by
        their own index, then checked against the scope and the text (by
        the text itself), never the other way round (without the store's
        statistics SQLite would walk a city's million scope rows for one
        order).  A text search over the city or a scope of many cases
        walks the text index newest first (by_text): its rowid is the
        text key (store_tk_of), in the same order as (created, n), so a
        page reads the matches it returns and those the scope drops, and
        never gathers and sorts every match of a common bigram.  In a
        scope of few cases that would read many
        matches elsewhere for each one inside: there the scope's index
        leads (s_scope_leads) and each of its cases is looked up in the text index by its
        key.  Otherwise, with a scope, its index gives the order. */
    bool exact = req->id || req->ext_ref || req->caller;
    bool by_text = phrase && !exact && (!req->scope || !s_scope_leads (self, req->scope));
    bool by_scope = req->scope && !exact && !by_text;
    s_query_t query = { .n = 0 };
    const char *k = by_scope ? "s" : "c";
    if (by_text) {
        snprintf (query.sql, sizeof query.sql, "SELECT c.created, c.n, c.view FROM"
                  " case_grams g CROSS JOIN case_keys t ON t.tk = g.rowid"
                  " CROSS JOIN cases c ON c.n = t.n WHERE g.case_grams MATCH ?1");
        query.texts[query.n] = phrase;
        query.is_int[query.n++] = false;
    }
    else
        snprintf (query.sql, sizeof query.sql, "SELECT %s.created, %s.n, c.view FROM %s WHERE 1",
                  k, k, by_scope ? "case_scope s JOIN cases c ON c.n = s.n" : "cases c");
    if (by_scope)
        s_where_text (&query, "s.code =", req->scope);
    else {
        s_where_text (&query, "EXISTS (SELECT 1 FROM case_scope s WHERE s.created = c.created"
                      " AND s.n = c.n AND s.code =", req->scope);
        if (req->scope)
            strcat (query.sql, ")");
    }
    s_where_text (&query, "c.id =", req->id);
    s_where_text (&query, "c.ext_ref =", req->ext_ref);
    s_where_text (&query, "c.n IN (SELECT n FROM case_callers WHERE caller =", req->caller);
    if (req->caller)
        strcat (query.sql, ")");
    s_where_text (&query, "c.grid =", req->grid);
    s_where_text (&query, "c.community =", req->community);
    s_where_text (&query, "c.unit =", req->unit);
    s_where_text (&query, "c.category =", req->category);
    s_where_text (&query, "c.state =", req->state);
    if (by_scope && phrase) {
        /*  the case's key among its millisecond's, then its text */
        s_where_text (&query, "EXISTS (SELECT 1 FROM case_keys t CROSS JOIN case_grams g"
                      " WHERE t.tk BETWEEN " STORE_TK_SQL ("s.created") " AND "
                      STORE_TK_SQL ("s.created") " + " STORE_TK_SPAN " AND t.n = s.n"
                      " AND g.rowid = t.tk AND g.case_grams MATCH", phrase);
        strcat (query.sql, ")");
    }
    if (by_text) {
        if (req->from)
            s_where_int (&query, "g.rowid >=", store_tk_of (req->from));
        if (req->to)
            s_where_int (&query, "g.rowid <", store_tk_of (req->to));
        if (req->cursor)        /* the index to the cursor's millisecond, then exactly */
            s_where_int (&query, "g.rowid <", store_tk_of (after_created)
                                              + (INT64_C (1) << STORE_TK_BITS));
    }
    if (req->from)
        s_where_int (&query, by_scope ? "s.created >=" : "c.created >=", req->from);
    if (req->to)
        s_where_int (&query, by_scope ? "s.created <" : "c.created <", req->to);
    if (req->cursor) {
        size_t used = strlen (query.sql);
        snprintf (query.sql + used, sizeof query.sql - used,
                  " AND (%s.created, %s.n) < (?%d, ?%d)", k, k, query.n + 1, query.n + 2);
        query.ints[query.n] = after_created;
        query.is_int[query.n++] = true;
        query.ints[query.n] = after_n;
        query.is_int[query.n++] = true;
    }
    size_t used = strlen (query.sql);
    if (by_text)
        snprintf (query.sql + used, sizeof query.sql - used, " ORDER BY g.rowid DESC");
    else
        snprintf (query.sql + used, sizeof query.sql - used,
                  " ORDER BY %s.created DESC, %s.n DESC", k, k);

    sqlite3_stmt *stmt;
    if (sqlite3_prepare_v2 (self->db, query.sql, -1, &stmt, NULL) != SQLITE_OK) {
        zsys_error ("archive: %s: %s", query.sql, sqlite3_errmsg (self->db));
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be searched now");
        free (phrase);
        return;
    }
    for (int i = 0; i < query.n; i++)
        if (query.is_int[i])
            sqlite3_bind_int64 (stmt, i + 1, query.ints[i]);
        else
            sqlite3_bind_text (stmt, i + 1, query.texts[i], -1, SQLITE_STATIC);
    cg_case_found_t page = { .cases = calloc ((size_t) limit, sizeof (cg_case_view_t)) };
    assert (page.cases);
    char next[CG_CURSOR_MAX] = "";
    int64_t last_created = 0, last_n = 0;
    int scanned = 0, rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        int64_t created = sqlite3_column_int64 (stmt, 0), n = sqlite3_column_int64 (stmt, 1);
        if (page.cases_count == (size_t) limit || scanned == S_SCAN_MAX) {
            /*  more lie beyond: the next page starts after the last looked at */
            cg_cursor_at_t at = { .pos = last_created };
            snprintf (at.id, sizeof at.id, "%lld", (long long) last_n);
            cg_cursor_encode (self->cursors, list, &at, cg_clock_now (), next, sizeof next);
            break;
        }
        scanned++;
        last_created = created;
        last_n = n;
        cg_case_view_t *c = &page.cases[page.cases_count];
        cg_error_t err;
        if (cg_msg_decode (&cg_case_view_def, sqlite3_column_blob (stmt, 2),
                           (size_t) sqlite3_column_bytes (stmt, 2), c, &err))
            continue;
        if (req->q && !s_text_holds (c, req->q)) {
            cg_msg_clear (&cg_case_view_def, c);
            continue;
        }
        s_trim (c, req->full);
        page.cases_count++;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        zsys_error ("archive: search: %s", sqlite3_errmsg (self->db));
        cg_reply_fail (reply, "unavailable", NULL, "the archive cannot be searched now");
    }
    else {
        page.next = *next ? next : NULL;
        cg_reply_ok (reply, &cg_case_found_def, &page);
    }
    page.next = NULL;
    cg_msg_clear (&cg_case_found_def, &page);
    sqlite3_finalize (stmt);
    free (phrase);
}
