/*
 * test_themes_util.h -- what the themes tests share: three topics of five
 * excerpts each with no word shared between topics (sea s1-s5, court
 * j1-j5, garden g1-g5; five, the fewest a new theme has), and the theme
 * that holds an excerpt. Include after
 * <cmocka.h>.
 */
#ifndef QUARRY_TEST_THEMES_UTIL_H
#define QUARRY_TEST_THEMES_UTIL_H

#include <string.h>

#include "quarry/quarry.h"

static const char three_topics[] =
    "{\"id\":\"s1\",\"text\":\"boat sail harbour wind\"}\n"
    "{\"id\":\"s2\",\"text\":\"sail harbour boat tide\"}\n"
    "{\"id\":\"s3\",\"text\":\"harbour wind boat sail\"}\n"
    "{\"id\":\"s4\",\"text\":\"tide boat sail mast\"}\n"
    "{\"id\":\"s5\",\"text\":\"mast wind harbour tide\"}\n"
    "{\"id\":\"j1\",\"text\":\"judge jury verdict court\"}\n"
    "{\"id\":\"j2\",\"text\":\"jury court judge trial\"}\n"
    "{\"id\":\"j3\",\"text\":\"verdict trial court jury\"}\n"
    "{\"id\":\"j4\",\"text\":\"court judge verdict bail\"}\n"
    "{\"id\":\"j5\",\"text\":\"bail trial jury judge\"}\n"
    "{\"id\":\"g1\",\"text\":\"roses soil compost weeds\"}\n"
    "{\"id\":\"g2\",\"text\":\"compost roses weeds mulch\"}\n"
    "{\"id\":\"g3\",\"text\":\"soil mulch roses compost\"}\n"
    "{\"id\":\"g4\",\"text\":\"weeds soil compost roses\"}\n"
    "{\"id\":\"g5\",\"text\":\"mulch weeds soil roses\"}\n";

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
