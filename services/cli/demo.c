/*  demo — a few requests of the kinds a Nantong town sees on a weekday, so
    that `make run` shows a working system.  Submitted once: each has a
    fixed ext_ref, so loading the demo again changes nothing. */
#include "cli.h"
#include "fund.h"

typedef struct {
    const char *source, *category, *grid, *text;
} s_demo_t;

static const s_demo_t s_demo[] = {
    { "hotline", "noise", "320602001001001", "楼下烧烤店每晚营业到凌晨两点，噪声很大，影响休息。" },
    { "hotline", "street_vending", "320602001001002", "小区门口早市占道经营，电动车无法通行。" },
    { "grid", "street_light", "320602001002001", "巡查发现3号楼前路灯损坏，夜间照明不足。" },
    { "open311", "sewage_overflow", "320612001001001", "雨后窨井污水外溢，气味很大。" },
    { "hotline", "property_dispute", "320602002001001", "物业公司擅自提高停车费，业主意见很大。" },
    { "grid", "rubbish_sorting", "320602002001002", "垃圾分类投放点满溢，无人清运。" },
    { "hotline", "elderly_help", "320612002001001", "独居老人家中水管破裂，需要帮助维修。" },
    { "hotline", "policy_consultation", "320614001001001", "咨询灵活就业人员医保缴费政策。" },
    { "grid", "illegal_building", "320682001001001", "居民楼顶违章搭建彩钢棚。" },
    { "hotline", "food_safety", "320623001001001", "菜市场熟食摊位卫生条件差。" },
};

void
cli_demo_load (zconfig_t *config)
{
    cg_client_t *client = cli_client (config, "intake");
    if (!client)
        return;
    int loaded = 0;
    for (size_t i = 0; i < sizeof s_demo / sizeof s_demo[0]; i++) {
        char ext[32];
        snprintf (ext, sizeof ext, "DEMO-%03zu", i + 1);
        cg_case_submit_t req = {
            .source = (char *) s_demo[i].source, .ext_ref = ext,
            .category = (char *) s_demo[i].category, .text = (char *) s_demo[i].text,
            .grid = (char *) s_demo[i].grid, .contact_phone = "13800001234" };
        cg_case_submitted_t rep;
        cg_error_t err;
        if (cg_client_call (client, &cg_cmd_case_submit, &req, &rep, &err) == 0) {
            loaded += !rep.repeat;
            cg_msg_clear (&cg_case_submitted_def, &rep);
        }
        else
            fprintf (stderr, "civgrid: demo request %zu refused: %s\n", i + 1, err.message);
    }
    cg_client_destroy (&client);
    printf ("demo region loaded: %d new requests\n", loaded);
    cli_fund_demo_load (config);
}
