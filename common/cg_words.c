/*  cg_words — see cg_words.h.  A small table, looked up in order. */
#include "cg_words.h"

#include <stddef.h>
#include <string.h>

typedef struct {
    const char *code, *zh;
} s_word_t;

static const s_word_t s_sources[] = {
    { "hotline", "12345热线" }, { "grid", "网格员上报" }, { "open311", "网上诉求平台" },
    { "device", "智能设备" }, { "operator", "坐席登记" }, { "consultation", "议事协商" } };

static const char *
s_find (const s_word_t *table, size_t size, const char *code)
{
    for (size_t i = 0; code && i < size; i++)
        if (strcmp (code, table[i].code) == 0)
            return table[i].zh;
    return NULL;
}

const char *
cg_source_zh (const char *source)
{
    const char *zh = s_find (s_sources, sizeof s_sources / sizeof s_sources[0], source);
    return zh ? zh : source;
}
