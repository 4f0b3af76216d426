/*  cg_sample — see cg_sample.h. */
#include "cg_sample.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/*  splitmix64: a small generator that any seed starts well */
static uint64_t
s_next (uint64_t *state)
{
    uint64_t z = (*state += UINT64_C (0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C (0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C (0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static const char *s_openings[] = {
    "市民来电反映：", "来电人称，", "市民通过12345热线反映，", "网格员上报：", "市民来电咨询并投诉：",
    "来电人多次来电反映，", "市民通过政务服务便民热线诉求：",
};
static const char *s_places[] = {
    "崇川区和平桥街道新桥社区", "通州区金沙街道金沙社区", "海门区海门街道珠江路", "如皋市如城街道",
    "启东市汇龙镇人民中路", "崇川区任港街道北濠新村", "港闸区秦灶街道", "海安市城东镇",
};
static const char *s_matters[] = {
    "小区楼下夜间施工噪声扰民，已持续多日，影响老人和孩子休息",
    "楼道内电动车违规充电，存在严重消防安全隐患，物业劝阻无效",
    "小区门口占道经营现象严重，流动摊贩每天傍晚聚集，油烟和垃圾影响周边居民出行",
    "雨水管道堵塞，一下雨路面积水严重，已有行人滑倒受伤",
    "单元楼顶层漏水，墙面大面积发霉，联系开发商和物业多次无人处理",
    "小区内路灯损坏一个多月未修，夜间道路漆黑，居民出行不便",
    "附近餐馆油烟直排，窗户都不敢开，衣服晾在外面全是油味",
    "公交站台广告牌松动，大风天气摇晃明显，担心砸伤路人",
    "老旧小区加装电梯意见不一，低层住户阻挠施工，希望社区出面协调",
    "用人单位拖欠工资三个月，多次讨要无果，要求劳动监察部门介入",
    "小区垃圾清运不及时，垃圾桶满溢，蚊蝇滋生，气味难闻",
    "自来水水质浑浊发黄，烧开后有沉淀物，担心影响身体健康",
};
static const char *s_details[] = {
    "，具体位置在12栋3单元附近", "，时间一般在晚上十点以后至凌晨两点", "，来电人已向物业反映过三次",
    "，社区工作人员曾到现场查看但问题依旧", "，周边约有二百户居民受到影响", "，来电人表示已拍照留存证据",
    "，此前曾通过网上平台反映未得到答复", "，附近还有一所小学和一家幼儿园", "，来电人情绪较为激动",
    "，涉及的商户名称来电人不清楚", "，现场有施工单位但未见任何公示牌",
};
static const char *s_asks[] = {
    "。诉求：请相关部门尽快到现场核实处理，并将处理结果回复来电人。",
    "。来电人要求依法查处，并希望今后加强巡查，杜绝此类问题再次发生。",
    "。希望有关部门高度重视，尽快协调解决，保障居民正常生活。",
    "。来电人要求回访，如处理不满意将继续反映。",
    "。请职能部门核实情况，依法依规处理，并告知处理进度。",
};
/*  what a word processor leaves in a pasted text */
static const char *s_pasted[] = { "\t", "\r\n", "\v", "\xe3\x80\x80", "\xc2\xa0" };

#define S_COUNT(a) (sizeof (a) / sizeof (a)[0])

size_t
cg_sample_length (uint64_t seed)
{
    uint64_t state = seed;
    double u = (double) (s_next (&state) >> 11) / (double) (UINT64_C (1) << 53);
    if (u < 0.5)
        return CG_SAMPLE_MIN + (size_t) (u * 2 * (CG_SAMPLE_MEDIAN - CG_SAMPLE_MIN));
    return CG_SAMPLE_MEDIAN + (size_t) ((u - 0.5) * 2 * (CG_SAMPLE_MAX - CG_SAMPLE_MEDIAN));
}

/*  Appends piece to buf[*at..] as far as it fits within want bytes,
    never cutting a character; false when it did not fit whole. */
static int
s_append (char *buf, size_t *at, size_t want, const char *piece)
{
    size_t n = strlen (piece);
    if (*at + n > want) {
        n = want - *at;
        while (n > 0 && ((unsigned char) piece[n] & 0xc0) == 0x80)
            n--;
        memcpy (buf + *at, piece, n);
        *at += n;
        return 0;
    }
    memcpy (buf + *at, piece, n);
    *at += n;
    return 1;
}

size_t
cg_sample_text (uint64_t seed, char *buf, size_t size)
{
    if (size == 0)
        return 0;
    size_t want = cg_sample_length (seed);
    if (want > size - 1)
        want = size - 1;
    uint64_t state = seed ^ UINT64_C (0x5deece66d);
    bool pasted = s_next (&state) % 4 == 0;     /* a quarter of them */
    size_t at = 0;
    int fits = 1;
    for (int clause = 0; fits; clause++) {
        uint64_t r = s_next (&state);
        const char *piece;
        switch (clause % 5) {
            case 0:  piece = s_openings[r % S_COUNT (s_openings)]; break;
            case 1:  piece = s_places[r % S_COUNT (s_places)]; break;
            case 2:  piece = s_matters[r % S_COUNT (s_matters)]; break;
            case 3:  piece = s_details[r % S_COUNT (s_details)]; break;
            default: piece = s_asks[r % S_COUNT (s_asks)]; break;
        }
        fits = s_append (buf, &at, want, piece);
        if (fits && pasted && (r >> 32) % 3 == 0)
            fits = s_append (buf, &at, want, s_pasted[(r >> 40) % S_COUNT (s_pasted)]);
    }
    buf[at] = 0;
    return at;
}
