/*  fund_demo — the demo's charity fund: a few donations and requests, so
    that `make run` has a ledger to look at (`civgrid fund report baihe
    --month ...`, `civgrid fund statement baihe.elderly`).  Every transfer
    has a fixed id, so loading the demo again changes nothing: the ledger
    answers `exists`. */
#include "fund.h"

typedef struct {
    const char *project, *donor;
    bool anonymous;
    int64_t fen;
    const char *channel;
} s_gift_t;

static const s_gift_t s_gifts[] = {
    { "elderly", "白鹤社区居民王建国", false, 50000, "wechat" },
    { "elderly", "南通某物业公司", false, 300000, "bank" },
    { "study", "热心居民", true, 100000, "cash" },
    { NULL, "白鹤社区党员志愿队", false, 88800, "alipay" },
};

void
cli_fund_demo_load (zconfig_t *config)
{
    cg_client_t *client = cli_client (config, "fund");
    if (!client)
        return;
    int loaded = 0;
    cg_error_t err;
    for (size_t i = 0; i < sizeof s_gifts / sizeof s_gifts[0]; i++) {
        char id[33];
        snprintf (id, sizeof id, "de000000000000000000000000000%03zu", i + 1);
        cg_fund_donate_t req = { .id = id, .fund = "baihe", .project = (char *) s_gifts[i].project,
            .donor = (char *) s_gifts[i].donor, .anonymous = s_gifts[i].anonymous,
            .amount = s_gifts[i].fen, .channel = (char *) s_gifts[i].channel,
            .actor = "center:320602001:demo", .role = "operator" };
        cg_fund_receipt_t rep;
        if (cg_client_call (client, &cg_cmd_fund_donate, &req, &rep, &err) == 0) {
            loaded += !rep.repeat;
            cg_msg_clear (&cg_fund_receipt_def, &rep);
        }
        else
            fprintf (stderr, "civgrid: demo donation %zu refused: %s\n", i + 1, err.message);
    }
    /*  one request waiting for the committee, one service for its confirmation */
    cg_fund_request_t requests[] = {
        { .id = "de0000000000000000000000000f0001", .fund = "baihe", .project = "elderly",
          .beneficiary = "独居老人张奶奶", .amount = 120000, .purpose = "助老餐桌 12月餐费补贴",
          .actor = "center:320602001:wang.fang", .role = "operator" },
        { .id = "de0000000000000000000000000f0002", .fund = "tb-baihe",
          .beneficiary = "xiao.liu", .amount = 90, .purpose = "陪同就医",
          .served = "zhang.nainai", .actor = "center:320602001:xiao.liu", .role = "operator" } };
    for (size_t i = 0; i < 2; i++) {
        cg_fund_request_view_t rep;
        if (cg_client_call (client, &cg_cmd_fund_request, &requests[i], &rep, &err) == 0)
            cg_msg_clear (&cg_fund_request_view_def, &rep);
        else
            fprintf (stderr, "civgrid: demo fund request refused: %s\n", err.message);
    }
    cg_client_destroy (&client);
    printf ("demo fund loaded: %d new donations\n", loaded);
}
