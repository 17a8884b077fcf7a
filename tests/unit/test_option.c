/*
 * test_option.c -- option parsing and instances: defaults, every type, range
 * checks, unknown keys, malformed specs, the last setting winning.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "quarry/quarry.h"

typedef struct cfg {
    int flag;
    int64_t count;
    double ratio;
    const char *label;
    int mode;
} cfg;

static const quarry_option opts[] = {
    {"flag", QUARRY_OPT_BOOL, offsetof(cfg, flag), "false", 0, -1, NULL, "b"},
    {"count", QUARRY_OPT_INT, offsetof(cfg, count), "3", 1, 10, NULL, "i"},
    {"ratio", QUARRY_OPT_DOUBLE, offsetof(cfg, ratio), "0.5", 0, 1, NULL, "d"},
    {"label", QUARRY_OPT_STRING, offsetof(cfg, label), "x", 0, -1, NULL, "s"},
    {"mode", QUARRY_OPT_ENUM, offsetof(cfg, mode), "b", 0, -1, "a|b|c", "e"},
    QUARRY_OPTIONS_END};

static void parses_each_type(void **state)
{
    cfg c;
    char err[256];
    (void)state;
    memset(&c, 0, sizeof c);
    assert_int_equal(quarry_option_parse(&opts[0], "YES", &c, err, sizeof err), 0);
    assert_int_equal(c.flag, 1);
    assert_int_equal(quarry_option_parse(&opts[0], "off", &c, err, sizeof err), 0);
    assert_int_equal(c.flag, 0);
    assert_int_equal(quarry_option_parse(&opts[1], "10", &c, err, sizeof err), 0);
    assert_int_equal(c.count, 10);
    assert_int_equal(quarry_option_parse(&opts[2], "0.25", &c, err, sizeof err), 0);
    assert_true(c.ratio > 0.2499 && c.ratio < 0.2501);
    assert_int_equal(quarry_option_parse(&opts[3], "hello", &c, err, sizeof err), 0);
    assert_string_equal(c.label, "hello");
    assert_int_equal(quarry_option_parse(&opts[4], "c", &c, err, sizeof err), 0);
    assert_int_equal(c.mode, 2);
}

static void refuses_bad_values(void **state)
{
    cfg c;
    char err[256];
    (void)state;
    memset(&c, 0, sizeof c);
    c.count = 7;
    assert_int_equal(quarry_option_parse(&opts[0], "maybe", &c, err, sizeof err),
                     QUARRY_EINVAL);
    assert_non_null(strstr(err, "not a boolean"));
    assert_int_equal(quarry_option_parse(&opts[1], "11", &c, err, sizeof err),
                     QUARRY_ERANGE);
    assert_non_null(strstr(err, "out of range"));
    assert_int_equal(quarry_option_parse(&opts[1], "3x", &c, err, sizeof err),
                     QUARRY_EINVAL);
    assert_int_equal(quarry_option_parse(&opts[1], "", &c, err, sizeof err),
                     QUARRY_EINVAL);
    assert_int_equal(c.count, 7); /* untouched on failure */
    assert_int_equal(quarry_option_parse(&opts[2], "nan", &c, err, sizeof err),
                     QUARRY_EINVAL);
    assert_int_equal(quarry_option_parse(&opts[2], "1.5", &c, err, sizeof err),
                     QUARRY_ERANGE);
    assert_int_equal(quarry_option_parse(&opts[4], "d", &c, err, sizeof err),
                     QUARRY_EINVAL);
    assert_non_null(strstr(err, "a|b|c"));
}

static quarry_engine *engine(void)
{
    quarry_engine_options o = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    o.plugin_path = QUARRY_TEST_FIXTURE_DIR;
    o.use_default_paths = 0;
    assert_int_equal(quarry_engine_new(&e, &o), QUARRY_OK);
    return e;
}

static void instance_gets_defaults_and_settings(void **state)
{
    quarry_engine *e = engine();
    const quarry_plugin *p;
    quarry_instance *inst;
    const cfg *c;
    (void)state;
    assert_int_equal(quarry_engine_find(e, QUARRY_KIND_TOKENIZER, "fixture", &p), 0);
    assert_int_equal(quarry_engine_set_option(e, "fixture.count=4"), 0);
    assert_int_equal(quarry_engine_set_option(e, "fixture.count=5"), 0);
    assert_int_equal(quarry_engine_set_option(e, "fixture.mode=a"), 0);
    assert_non_null(quarry_engine_unused_option(e));
    assert_int_equal(quarry_instance_new(&inst, e, p), 0);
    c = quarry_instance_self(inst);
    assert_int_equal(c->count, 5); /* the last setting wins */
    assert_int_equal(c->mode, 0);
    assert_int_equal(c->flag, 0);
    assert_true(c->ratio > 0.49 && c->ratio < 0.51);
    assert_null(quarry_engine_unused_option(e));
    quarry_instance_free(inst);
    quarry_engine_free(e);
}

static void instance_refuses_unknown_key_and_bad_value(void **state)
{
    quarry_engine *e = engine();
    const quarry_plugin *p;
    quarry_instance *inst = NULL;
    (void)state;
    assert_int_equal(quarry_engine_find(e, QUARRY_KIND_TOKENIZER, "fixture", &p), 0);
    assert_int_equal(quarry_engine_set_option(e, "fixture.colour=red"), 0);
    assert_int_equal(quarry_instance_new(&inst, e, p), QUARRY_EINVAL);
    assert_null(inst);
    assert_non_null(strstr(quarry_engine_errmsg(e), "has no option \"colour\""));
    assert_non_null(strstr(quarry_engine_errmsg(e), "flag, count, ratio"));
    quarry_engine_free(e);

    e = engine();
    assert_int_equal(quarry_engine_find(e, QUARRY_KIND_TOKENIZER, "fixture", &p), 0);
    assert_int_equal(quarry_engine_set_option(e, "fixture.count=99"), 0);
    assert_int_equal(quarry_instance_new(&inst, e, p), QUARRY_ERANGE);
    assert_non_null(strstr(quarry_engine_errmsg(e), "option fixture.count"));
    assert_non_null(strstr(quarry_engine_errmsg(e), "out of range"));
    quarry_engine_free(e);
}

static void malformed_specs(void **state)
{
    quarry_engine *e = engine();
    (void)state;
    assert_int_equal(quarry_engine_set_option(e, "noequals"), QUARRY_EINVAL);
    assert_non_null(strstr(quarry_engine_errmsg(e), "expected plugin.key=value"));
    assert_int_equal(quarry_engine_set_option(e, "nodot=3"), QUARRY_EINVAL);
    assert_int_equal(quarry_engine_set_option(e, ".key=3"), QUARRY_EINVAL);
    assert_int_equal(quarry_engine_set_option(e, "p.=3"), QUARRY_EINVAL);
    /* An empty value is a value (a string option may want it). */
    assert_int_equal(quarry_engine_set_option(e, "p.k="), QUARRY_OK);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_each_type),
        cmocka_unit_test(refuses_bad_values),
        cmocka_unit_test(instance_gets_defaults_and_settings),
        cmocka_unit_test(instance_refuses_unknown_key_and_bad_value),
        cmocka_unit_test(malformed_specs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
