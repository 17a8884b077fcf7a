/*
 * test_run_shown.c -- a run's command line and options as the report, the
 * web page and a .qdpx show them: every path cut to its file name, an
 * option's "--name=" kept, options naming no path kept byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "quarry/project.h"
#include "quarry/project_stats.h"

static void shown(const char *cmd, const char *want)
{
    char *got = quarry_run_command_shown(cmd);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_command(void **state)
{
    (void)state;
    shown("quarry suggest /home/ana/study/p.quarry --top 3",
          "quarry suggest p.quarry --top 3");
    shown("quarry suggest --lexicon=/home/ana/lex.json p.quarry",
          "quarry suggest --lexicon=lex.json p.quarry");
    shown("quarry import p.quarry C:\\Users\\ana\\P01.txt",
          "quarry import p.quarry P01.txt");
    shown("quarry suggest p.quarry  --top 2", "quarry suggest p.quarry  --top 2");
    shown("", "");
    shown(NULL, "");
    /* a word ending in a slash keeps its last part */
    shown("quarry themes corpora/", "quarry themes corpora/");
}

static void test_options(void **state)
{
    static const char plain[] = "{\"pipeline\": {\"min_df\": 2}}";
    char *got;
    (void)state;
    got = quarry_run_options_shown(plain);
    assert_string_equal(got, plain); /* bytes kept */
    free(got);
    got = quarry_run_options_shown(
        "{\"pipeline\":{\"lexicon\":\"/home/ana/lex.json\",\"stopwords\":null}}");
    assert_non_null(got);
    assert_null(strstr(got, "/home"));
    assert_non_null(strstr(got, "\"lex.json\""));
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_command),
        cmocka_unit_test(test_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
