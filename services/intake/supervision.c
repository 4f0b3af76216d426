/*  supervision — the lists of small and micro powers, read by anyone, and
    the reports of their misuse (码上监督), made cases (powers.h).

    A report is a request like any channel's: its text cleaned, its
    reporter's name and phone sealed when given (anonymous without), made a
    case in intake's batch with the rest.  It is placed at the power's
    village, never merged (each report is its own: two residents who saw
    the same misuse are two witnesses), and its category is power_misuse,
    which the catalog routes to the town's discipline office (纪检监察办),
    so it never reaches the holder it names.  The text the case carries
    starts with which power it is about, for the office that reads it. */
#include "intake.h"
#include "cg_text.h"

#define S_CATEGORY  "power_misuse"

/*  The list of area, or a refusal naming area. */
static cg_powers_t *
s_list (intake_t *self, const char *area, cg_reply_t *reply)
{
    cg_powers_t *list = powers_area (self->powers, area);
    if (!list)
        cg_reply_fail (reply, "not_found", "area", "area %s publishes no list of powers", area);
    return list;
}

/*  "西亭镇通江村": the village's name after its town's. */
static void
s_name (intake_t *self, const char *area, char *buf, size_t len)
{
    const cg_org_node_t *node = cg_orgtree_find (self->org, area);
    snprintf (buf, len, "%s%s", node && node->parent ? node->parent->name : "",
              node ? node->name : area);
}

/*  The reports taken of each of list's powers (or of the one, code), into
    counts, in the list's order; zeros when the store does not answer. */
static void
s_reports (intake_t *self, cg_powers_t *list, const char *code, int64_t *counts)
{
    size_t n = code ? 1 : cg_powers_size (list);
    cg_args_t args;
    cg_args_init (&args);
    cg_args_add_str (&args, "HMGET");
    cg_args_add_str (&args, INTAKE_PREFIX "powers:reports");
    for (size_t i = 0; i < n; i++) {
        cg_args_addf (&args, "%s/%s", cg_powers_area (list),
                      code ? code : cg_powers_at (list, i)->code);
        counts[i] = 0;
    }
    redisReply *r = cg_redis_argv (self->daemon->redis, &args);
    cg_args_free (&args);
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements && i < n; i++)
        if (r->element[i]->type == REDIS_REPLY_STRING)
            counts[i] = strtoll (r->element[i]->str, NULL, 10);
    if (r)
        freeReplyObject (r);
}

void
intake_on_powers_areas (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_scope_query_t *req = request;
    const cg_org_node_t *scope = cg_orgtree_find (self->org, req->scope);
    if (!scope) {
        cg_reply_fail (reply, "not_found", "scope", "scope %s is not in the org tree", req->scope);
        return;
    }
    cg_powers_t *lists[CG_PICK_MAX];
    size_t total;
    size_t n = powers_within (self->powers, self->org, scope, lists,
                              req->limit > 0 ? (size_t) req->limit : CG_PICK_MAX, &total);
    cg_power_area_t areas[CG_PICK_MAX];
    char names[CG_PICK_MAX][CG_NAME_MAX];
    for (size_t i = 0; i < n; i++) {
        s_name (self, cg_powers_area (lists[i]), names[i], sizeof names[i]);
        areas[i] = (cg_power_area_t) { .area = (char *) cg_powers_area (lists[i]), .name = names[i],
                                       .version = cg_powers_version (lists[i]),
                                       .powers = (int64_t) cg_powers_size (lists[i]) };
    }
    cg_power_areas_t page = { .scope = req->scope, .areas = areas, .areas_count = n,
                              .total = (int64_t) total };
    cg_reply_ok (reply, &cg_power_areas_def, &page);
}

void
intake_on_powers_list (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_power_query_t *req = request;
    cg_powers_t *list = s_list (self, req->area, reply);
    if (!list)
        return;
    cg_power_item_t items[CG_POWERS_MAX];
    int64_t counts[CG_POWERS_MAX];
    s_reports (self, list, NULL, counts);
    size_t n = cg_powers_size (list);
    for (size_t i = 0; i < n; i++) {
        const cg_power_t *p = cg_powers_at (list, i);
        items[i] = (cg_power_item_t) { .code = (char *) p->code, .matter = (char *) p->matter,
                                       .holder = (char *) p->holder,
                                       .status = p->withdrawn ? "withdrawn" : "active" };
        CG_SET (&items[i], power_item, reports, counts[i]);
    }
    char name[CG_NAME_MAX];
    s_name (self, req->area, name, sizeof name);
    cg_power_page_t page = { .area = req->area, .name = name, .items = items,
                             .items_count = n };
    CG_SET (&page, power_page, version, cg_powers_version (list));
    cg_reply_ok (reply, &cg_power_page_def, &page);
}

void
intake_on_powers_show (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_power_query_t *req = request;
    cg_powers_t *list = s_list (self, req->area, reply);
    if (!list)
        return;
    const cg_power_t *p = req->code ? cg_powers_find (list, req->code) : NULL;
    if (!p) {
        cg_reply_fail (reply, "not_found", "code", "area %s has no power %s", req->area,
                       req->code ? req->code : "(no code given)");
        return;
    }
    char name[CG_NAME_MAX];
    s_name (self, req->area, name, sizeof name);
    cg_power_view_t view = {
        .area = req->area, .name = name, .code = (char *) p->code,
        .status = p->withdrawn ? "withdrawn" : "active", .matter = (char *) p->matter,
        .holder = (char *) p->holder, .time_limit = (char *) p->time_limit,
        .basis = (char *) p->basis, .steps = (char **) p->steps, .steps_count = p->nsteps };
    CG_SET (&view, power_view, version, cg_powers_version (list));
    int64_t reports;
    s_reports (self, list, p->code, &reports);
    CG_SET (&view, power_view, reports, reports);
    cg_reply_ok (reply, &cg_power_view_def, &view);
}

void
intake_on_power_report (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_power_report_t *msg = request;
    cg_powers_t *list = s_list (self, msg->area, reply);
    if (!list)
        return;
    const cg_power_t *p = cg_powers_find (list, msg->code);
    if (!p) {
        cg_reply_fail (reply, "not_found", "code", "area %s has no power %s", msg->area,
                       msg->code);
        return;
    }
    if (p->withdrawn) {
        cg_reply_fail (reply, "gone", "code", "power %s (%s) of area %s was withdrawn in "
                       "version %d of its list: it is no longer held", p->code, p->matter,
                       msg->area, cg_powers_version (list));
        return;
    }
    if (intake_check_phone (msg->contact_phone, "contact_phone", reply))
        return;
    char *text = cg_strfmt ("【码上监督】%s（%s，清单第%d版 %s）\n%s", p->matter, p->holder,
                            cg_powers_version (list), p->code, msg->text);
    char detail[64];
    snprintf (detail, sizeof detail, "power=%s/%s", msg->area, p->code);
    const cg_org_node_t *village = cg_orgtree_find (self->org, msg->area);
    intake_request_t req = {
        .source = "supervision", .text = text, .detail = detail,
        .name = msg->contact_name, .phone = msg->contact_phone,
        .category = cg_catalog_find (self->catalog, S_CATEGORY), .place = village,
        .county = cg_orgtree_center_of (self->org, village, CG_ORG_COUNTY) };
    if (!req.category)
        cg_reply_fail (reply, "unavailable", "code", "the catalog has no category %s: "
                       "reports of powers cannot be taken", S_CATEGORY);
    else
        intake_accept (self, msg->rid, &req, INTAKE_ANSWER_RECEIPT, reply);
    free (text);
}

void
intake_on_reload (void *request, cg_reply_t *reply, void *arg)
{
    (void) request;
    intake_t *self = arg;
    char err[512];
    int superseded = 0;
    if (powers_reload (self->powers, self->org, self->powers_dir, &superseded, err,
                       sizeof err)) {
        zsys_warning ("intake: reload refused: %s", err);
        cg_reply_fail (reply, "invalid", "data/powers", "%s", err);
        return;
    }
    zsys_info ("intake: reloaded %zu lists of powers, %d superseded",
               powers_areas (self->powers), superseded);
    cg_powers_loaded_t loaded = { 0 };
    CG_SET (&loaded, powers_loaded, areas, (int64_t) powers_areas (self->powers));
    CG_SET (&loaded, powers_loaded, powers, (int64_t) powers_items (self->powers));
    CG_SET (&loaded, powers_loaded, superseded, superseded);
    cg_reply_ok (reply, &cg_powers_loaded_def, &loaded);
}

void
intake_on_receipt (void *request, cg_reply_t *reply, void *arg)
{
    intake_t *self = arg;
    cg_receipt_check_t *req = request;
    char id[33];
    if (cg_privacy_receipt_case (self->privacy, req->receipt, id, sizeof id)) {
        cg_reply_fail (reply, "not_found", "receipt", "%.48s is not a receipt of a report",
                       req->receipt);
        return;
    }
    cg_receipt_case_t found = { .id = id };
    cg_reply_ok (reply, &cg_receipt_case_def, &found);
}
