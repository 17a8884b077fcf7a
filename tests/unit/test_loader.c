/*
 * test_loader.c -- the plugin loader: good plugins are registered, bad ones
 * (another ABI, missing metadata, duplicate names, a broken option table, no
 * entry point) are refused with a message naming the file and the reason,
 * and the engine goes on with the others.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "quarry/quarry.h"

typedef struct logbuf {
    char text[8192];
    int warnings;
} logbuf;

static void on_log(void *ctx, int level, const char *msg)
{
    logbuf *b = ctx;
    size_t used = strlen(b->text);
    if (level == QUARRY_LOG_WARN)
        b->warnings++;
    snprintf(b->text + used, sizeof b->text - used, "%s\n", msg);
}

static quarry_engine *fixture_engine(logbuf *b)
{
    quarry_engine_options o = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    memset(b, 0, sizeof *b);
    o.plugin_path = QUARRY_TEST_FIXTURE_DIR;
    o.use_default_paths = 0;
    o.log = on_log;
    o.log_ctx = b;
    assert_int_equal(quarry_engine_new(&e, &o), QUARRY_OK);
    return e;
}

static void load_one(const char *file, int want, const char *must_say)
{
    logbuf b;
    quarry_engine *e = fixture_engine(&b);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", QUARRY_TEST_FIXTURE_DIR, file);
    assert_int_equal(quarry_engine_load_file(e, path), want);
    if (must_say != NULL) {
        assert_non_null(strstr(quarry_engine_errmsg(e), must_say));
        /* The message names the file. */
        assert_non_null(strstr(quarry_engine_errmsg(e), file));
    }
    quarry_engine_free(e);
}

static void refuses_another_abi(void **state)
{
    (void)state;
    load_one("tokenizer_badabi.so", QUARRY_EABI,
             "plugin badabi was built for ABI 99, quarry has 1");
}

static void refuses_missing_metadata(void **state)
{
    (void)state;
    load_one("tokenizer_nometa.so", QUARRY_EPLUGIN, "lacks metadata");
}

static void refuses_broken_option_table(void **state)
{
    (void)state;
    load_one("clusterer_badopts.so", QUARRY_EPLUGIN,
             "option \"far\" lies outside the config struct");
}

static void refuses_missing_entry_point(void **state)
{
    (void)state;
    load_one("tokenizer_noentry.so", QUARRY_EPLUGIN,
             "no entry point quarry_plugin_tokenizer_noentry");
}

static void keeps_first_of_duplicates(void **state)
{
    logbuf b;
    quarry_engine *e = fixture_engine(&b);
    const quarry_plugin *p;
    char path[1024];
    (void)state;
    snprintf(path, sizeof path, "%s/tokenizer_dupname.so",
             QUARRY_TEST_FIXTURE_DIR);
    assert_int_equal(quarry_engine_load_file(e, path), QUARRY_OK);
    assert_int_equal(b.warnings, 1);
    assert_non_null(strstr(b.text, "tokenizer dupname is already registered"));
    assert_int_equal(quarry_engine_find(e, QUARRY_KIND_TOKENIZER, "dupname", &p),
                     QUARRY_OK);
    assert_string_equal(p->version, "1.0.0");
    quarry_engine_free(e);
}

static void load_all_goes_on_past_refusals(void **state)
{
    logbuf b;
    quarry_engine *e = fixture_engine(&b);
    const quarry_plugin *p;
    (void)state;
    /* badabi, nometa, badopts, noentry and the second dupname. */
    assert_int_equal(quarry_engine_load_all(e), 5);
    assert_int_equal(b.warnings, 5);
    /* kept: fixture, the first dupname and the stemmer flaky */
    assert_int_equal(quarry_engine_plugin_count(e), 3);
    assert_int_equal(quarry_engine_find(e, QUARRY_KIND_TOKENIZER, "fixture", &p),
                     QUARRY_OK);
    assert_int_equal(quarry_engine_find(e, QUARRY_KIND_STEMMER, "flaky", &p),
                     QUARRY_OK);
    assert_non_null(strstr(b.text, "tokenizer_badabi.so: refused"));
    quarry_engine_free(e);
}

static void find_unknown_names_what_exists(void **state)
{
    logbuf b;
    quarry_engine *e = fixture_engine(&b);
    const quarry_plugin *p = (const quarry_plugin *)&b;
    (void)state;
    assert_int_equal(quarry_engine_find(e, QUARRY_KIND_TOKENIZER, "nosuch", &p),
                     QUARRY_ENOTFOUND);
    assert_null(p);
    assert_non_null(strstr(quarry_engine_errmsg(e),
                           "no tokenizer plugin named \"nosuch\""));
    assert_non_null(strstr(quarry_engine_errmsg(e), "fixture"));
    quarry_engine_free(e);
}

static void find_opens_only_what_it_needs(void **state)
{
    logbuf b;
    quarry_engine *e = fixture_engine(&b);
    const quarry_plugin *p;
    (void)state;
    assert_int_equal(quarry_engine_find(e, QUARRY_KIND_TOKENIZER, "fixture", &p),
                     QUARRY_OK);
    assert_int_equal(quarry_engine_plugin_count(e), 1);
    assert_int_equal(b.warnings, 0);
    quarry_engine_free(e);
}

static const quarry_plugin static_tok = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_STEMMER,
    .name = "static_one",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "registered without dlopen",
    .stem = NULL,
};
static const quarry_plugin *const static_list[] = {&static_tok, NULL};
static const quarry_plugin *const *static_entry(void)
{
    return static_list;
}

static void static_registration_checks_too(void **state)
{
    logbuf b;
    quarry_engine *e = fixture_engine(&b);
    (void)state;
    /* A stemmer without a stem method is refused even when static. */
    assert_int_equal(quarry_engine_register(e, static_entry, "test"),
                     QUARRY_EPLUGIN);
    assert_non_null(strstr(quarry_engine_errmsg(e), "has no stem method"));
    assert_int_equal(quarry_engine_plugin_count(e), 0);
    quarry_engine_free(e);
}

static void status_table(void **state)
{
    (void)state;
    assert_string_equal(quarry_status_name(QUARRY_EABI), "QUARRY_EABI");
    assert_string_equal(quarry_status_str(QUARRY_EUTF8), "invalid UTF-8");
    assert_string_equal(quarry_status_name(12345), "unknown");
    assert_int_equal(quarry_kind_from_name("clusterer"), QUARRY_KIND_CLUSTERER);
    assert_int_equal(quarry_kind_from_name("nope"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(refuses_another_abi),
        cmocka_unit_test(refuses_missing_metadata),
        cmocka_unit_test(refuses_broken_option_table),
        cmocka_unit_test(refuses_missing_entry_point),
        cmocka_unit_test(keeps_first_of_duplicates),
        cmocka_unit_test(load_all_goes_on_past_refusals),
        cmocka_unit_test(find_unknown_names_what_exists),
        cmocka_unit_test(find_opens_only_what_it_needs),
        cmocka_unit_test(static_registration_checks_too),
        cmocka_unit_test(status_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
