/*  cg_testvolume — see cg_testvolume.h. */
#include "cg_testvolume.h"
#include "cg_orgtree.h"
#include <criterion/criterion.h>

/*  What callers say, clause by clause (each a few dozen bytes). */
static const char *const s_clauses[] = {
    "市民来电反映", "和平桥街道工农路小区楼下的餐馆油烟直排", "夜间十一点以后仍有施工噪声",
    "已经持续了半个多月", "家中老人和孩子无法正常休息", "曾多次向物业和社区反映",
    "至今没有得到解决", "希望相关部门尽快到现场核实", "依法依规处理并及时回复处理结果",
    "来电人情绪较为激动", "表示如果再不处理将向上级部门投诉", "路口的路灯已经坏了一个星期",
    "晚上出行很不安全", "雨后小区门口污水外溢", "气味难闻影响周边居民生活",
    "有商贩长期占道经营", "早晚高峰时段造成交通拥堵", "有车辆长期违章停放在消防通道上",
    "存在较大的安全隐患", "诉求：请尽快处理", "补充说明：具体位置在三号楼东侧",
    "来电人要求对其个人信息保密", "经询问，来电人称该问题去年也曾出现过", "附近菜市场有商户缺斤短两",
    "价格标示与实际收费不一致", "供水公司未提前通知即停水", "影响整栋楼居民的正常生活用水" };
#define S_CLAUSES (sizeof s_clauses / sizeof s_clauses[0])

/*  What Word leaves in text pasted from it. */
static const char *const s_word[] = {
    "\r\n", "\t", "\v", "\f", "\xc2\xa0", "\xe3\x80\x80", "\xe2\x80\x8b", "\xc2\xad",
    "\xe2\x80\x9c", "\xe2\x80\x9d" };
#define S_WORD (sizeof s_word / sizeof s_word[0])

static uint64_t
s_next (uint64_t *state)
{
    *state = *state * UINT64_C (6364136223846793005) + UINT64_C (1442695040888963407);
    return *state >> 33;
}

size_t
cg_testtext (uint64_t seed, size_t min, size_t max, char *out)
{
    uint64_t state = seed * 2654435761u + 1;
    bool word = s_next (&state) % 4 == 0;
    size_t want = min + (max > min ? s_next (&state) % (max - min + 1) : 0), len = 0;
    out[0] = 0;
    while (len < want) {
        const char *piece = s_clauses[s_next (&state) % S_CLAUSES];
        const char *stop = s_next (&state) % 3 ? "，" : "。";
        const char *junk = word && s_next (&state) % 3 == 0 ? s_word[s_next (&state) % S_WORD] : "";
        char chunk[256];
        size_t n = (size_t) snprintf (chunk, sizeof chunk, "%s%s%s", piece, junk, stop);
        if (len + n > max) {
            /*  fill the rest with whole characters of the filler clause */
            const char *fill = "。";
            while (len + strlen (fill) <= max && len < want) {
                memcpy (out + len, fill, strlen (fill));
                len += strlen (fill);
            }
            break;
        }
        memcpy (out + len, chunk, n);
        len += n;
    }
    while (len < min && len + 1 <= max)
        out[len++] = '.';
    out[len] = 0;
    return len;
}

static cg_orgtree_t *
s_orgtree (void)
{
    char path[600], err[256];
    const char *root = getenv ("CG_ROOT");
    snprintf (path, sizeof path, "%s/deploy/demo/orgtree.tsv", root ? root : ".");
    cg_orgtree_t *org = cg_orgtree_load (path, err, sizeof err);
    cr_assert (org, "%s", err);
    return org;
}

char **
cg_testvolume_grids (const char *code, size_t *n)
{
    cg_orgtree_t *org = s_orgtree ();
    const cg_org_node_t *node = cg_orgtree_find (org, code);
    cr_assert (node, "%s is not in the org tree", code);
    size_t cap = 64;
    char **out = calloc (cap, sizeof (char *));
    const cg_org_node_t **stack = calloc (cg_orgtree_size (org) + 1, sizeof *stack);
    size_t top = 0;
    *n = 0;
    stack[top++] = node;
    while (top) {
        const cg_org_node_t *at = stack[--top];
        if (at->kind == CG_ORG_GRID) {
            if (*n == cap)
                out = realloc (out, (cap *= 2) * sizeof (char *));
            out[(*n)++] = strdup (at->code);
        }
        for (const cg_org_node_t *c = cg_orgtree_first_child (at); c;
             c = cg_orgtree_next_sibling (c))
            stack[top++] = c;
    }
    free (stack);
    cg_orgtree_destroy (&org);
    cr_assert_gt (*n, 0, "%s has no grids", code);
    return out;
}

void
cg_testvolume_grids_free (char ***grids_p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free ((*grids_p)[i]);
    free (*grids_p);
    *grids_p = NULL;
}

/*  Categories a town handles, not urgent, that open no topic. */
static const char *const s_categories[] = {
    "noise", "street_vending", "illegal_parking", "price_fraud", "street_light",
    "water_outage", "sewage_overflow", "food_safety", "public_security" };
#define S_CATEGORIES (sizeof s_categories / sizeof s_categories[0])

#define S_IN_FLIGHT 256

void
cg_testvolume_submit (cg_teststack_t *stack, char **grids, size_t ngrids, size_t n,
                      uint64_t seed, const char *tag, char **ids, int timeout_ms)
{
    int64_t before = cg_teststack_int (stack, "ZCARD cg:{dispatch}:q:all");
    zsock_t *dealer = zsock_new (ZMQ_DEALER);
    zsock_set_linger (dealer, 0);
    zsock_set_sndhwm (dealer, 0);
    zsock_set_rcvhwm (dealer, 0);
    cr_assert_eq (zsock_connect (dealer, "%s", zconfig_get (stack->config, "intake/endpoint",
                                                           "")), 0);
    zpoller_t *poller = zpoller_new (dealer, NULL);
    char *text = malloc (2100);
    size_t sent = 0, answered = 0;
    int64_t until = zclock_mono () + timeout_ms;
    while (answered < n) {
        while (sent < n && sent - answered < S_IN_FLIGHT) {
            char rid[64], marker[64];
            snprintf (rid, sizeof rid, "%s-%zu", tag, sent);
            snprintf (marker, sizeof marker, "%s-%zu ", tag, sent);
            size_t m = strlen (marker);
            memcpy (text, marker, m);
            cg_testtext (seed + sent, 800 - m, 2000 - m, text + m);
            cg_case_submit_t req = {
                .rid = rid, .source = "operator", .category = (char *) s_categories[
                    (seed + sent) % S_CATEGORIES], .text = text,
                .grid = grids[(seed + sent) * 7919 % ngrids], .contact_phone = "13800138000" };
            cg_test_send (dealer, "case.submit", rid, &cg_case_submit_def, &req);
            sent++;
        }
        cr_assert (zclock_mono () < until, "%zu of %zu answered in time", answered, n);
        if (!zpoller_wait (poller, 1000))
            continue;
        zmsg_t *msg = zmsg_recv (dealer);
        cr_assert (msg && zmsg_size (msg) == 3);
        char *status = zmsg_popstr (msg), *rid = zmsg_popstr (msg);
        zframe_t *body = zmsg_pop (msg);
        cr_assert_str_eq (status, "ok", "%s refused", rid);
        if (ids) {
            cg_case_submitted_t rep;
            cg_error_t err;
            cr_assert_eq (cg_msg_decode (&cg_case_submitted_def, zframe_data (body),
                                         zframe_size (body), &rep, &err), 0, "%s", err.message);
            size_t k = (size_t) strtoull (strrchr (rid, '-') + 1, NULL, 10);
            cr_assert (k < n && !ids[k]);
            ids[k] = strdup (rep.id);
            cg_msg_clear (&cg_case_submitted_def, &rep);
        }
        answered++;
        zframe_destroy (&body);
        free (status);
        free (rid);
        zmsg_destroy (&msg);
    }
    free (text);
    zpoller_destroy (&poller);
    zsock_destroy (&dealer);
    int64_t want = before + (int64_t) n;
    int64_t left = until - zclock_mono ();
    cr_assert_eq (cg_teststack_await (stack, want, left > 1000 ? (int) left : 1000,
                                      "ZCARD cg:{dispatch}:q:all"), want,
                  "dispatch routed every case");
}
