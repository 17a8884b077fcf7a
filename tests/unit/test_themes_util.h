/*
 * test_themes_util.h -- what the themes tests share: the three topics of
 * three_topics.h, and the theme that holds an excerpt. Include after
 * <cmocka.h>.
 */
#ifndef QUARRY_TEST_THEMES_UTIL_H
#define QUARRY_TEST_THEMES_UTIL_H

#include <string.h>

#include "quarry/quarry.h"
#include "three_topics.h"

/* The theme of t whose members hold the excerpt id of c (the test fails
 * when none does). */
static inline const quarry_theme *theme_of(const quarry_themes *t,
                                           const quarry_corpus *c,
                                           const char *id)
{
    int32_t i;
    int64_t j;
    for (i = 0; i < quarry_themes_count(t); i++) {
        const quarry_theme *th = quarry_themes_at(t, i);
        for (j = 0; j < th->size; j++)
            if (strcmp(quarry_corpus_at(c, (size_t)th->members[j])->id, id) ==
                0)
                return th;
    }
    fail_msg("no theme holds %s", id);
    return NULL;
}

#endif
