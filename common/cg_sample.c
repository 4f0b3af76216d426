/*  cg_sample — see cg_sample.h. */
#include "cg_sample.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>

static const char *s_sentences[] = {
    "市民来电反映，小区门口的路灯已经连续三个晚上不亮，老人晚上出门散步很不安全。",
    "该路段夜间施工噪声很大，施工单位未办理夜间施工许可证，严重影响周边居民休息。",
    "来电人称楼下餐馆油烟直排，气味刺鼻，多次与店主沟通无果，请求相关部门处理。",
    "小区化粪池堵塞，污水漫溢到道路上，臭气熏天，居民出行困难，希望尽快疏通。",
    "道路两侧有流动摊贩占道经营，早晚高峰时段车辆通行困难，存在安全隐患。",
    "来电人反映独居老人行动不便，希望社区网格员上门了解情况并提供帮扶。",
    "反映公交站台雨棚破损漏水，乘客候车时淋雨，请交通部门尽快维修。",
    "小区电梯经常停运，物业维修不及时，高层住户特别是老人上下楼困难。",
};
#define S_NSENTENCES (sizeof s_sentences / sizeof s_sentences[0])

char *
cg_sample_text (int i, size_t want, const char *marker, bool word_chars)
{
    size_t cap = want + 512;
    char *text = malloc (cap);
    assert (text);
    int n = snprintf (text, cap, "工单%06d：%s", i, marker ? marker : "");
    for (size_t k = 0; (size_t) n < want && (size_t) n < cap; k++)
        n += snprintf (text + n, cap - (size_t) n, "%s%s",
                       s_sentences[((size_t) i + k) % S_NSENTENCES],
                       !word_chars ? "" : k % 5 == 2 ? "\v" : k % 7 == 3 ? "\f" : "");
    return text;
}
