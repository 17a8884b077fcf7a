/*
 * three_topics.h -- the themes tests' input (test_themes_new, test_labels,
 * and tests/fuzz/alloc_fail_themes): three topics of five excerpts each
 * with no word shared between topics (sea s1-s5, court j1-j5, garden
 * g1-g5; five, the fewest a new theme has, so that a topic left out of
 * the coding is gathered into one). No test framework needed.
 */
#ifndef QUARRY_TEST_THREE_TOPICS_H
#define QUARRY_TEST_THREE_TOPICS_H

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

#endif
