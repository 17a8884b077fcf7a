/*
 * plugin_test.h -- the harness every plugin test shares: each check runs
 * twice, once with the plugin registered statically from the object library
 * linked into the test, once with the plugin's .so found and dlopen'ed from
 * the build's plugin folder, so both ways a plugin reaches the engine are
 * covered by the same assertions. Header-only (static inline) because the
 * test build compiles exactly one source per test.
 */
#ifndef QUARRY_PLUGIN_TEST_H
#define QUARRY_PLUGIN_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <quarry/quarry.h>

#ifndef QUARRY_TEST_PLUGIN_DIR
#error "QUARRY_TEST_PLUGIN_DIR must name the build's plugin folder"
#endif

/* One test's world: an engine, the plugin as the engine found it, and an
 * instance made with the options the test asked for. */
typedef struct pt {
    int dlopen; /* 0: registered statically; 1: loaded from the .so */
    quarry_engine *e;
    const quarry_plugin *p;
    quarry_instance *inst;
    void *self;
    quarry_progress_fn progress; /* set before pt_open to get progress */
    void *progress_ctx;
} pt;

static int pt_mode_static = 0;
static int pt_mode_dlopen = 1;

static inline int pt_setup(void **state)
{
    pt *t = calloc(1, sizeof *t);
    if (t == NULL)
        return -1;
    t->dlopen = *(const int *)*state;
    *state = t;
    return 0;
}

/* Teardown runs even when an assertion failed, so nothing leaks then. */
static inline int pt_teardown(void **state)
{
    pt *t = *state;
    quarry_instance_free(t->inst);
    quarry_engine_free(t->e);
    free(t);
    return 0;
}

/* Each test twice, named by mode so a failure says which way broke. */
#define PT_BOTH(fn)                                                         \
    {#fn " [static]", fn, pt_setup, pt_teardown, &pt_mode_static},          \
    {                                                                       \
        #fn " [dlopen]", fn, pt_setup, pt_teardown, &pt_mode_dlopen         \
    }

/*
 * Make the engine and find plugin `name` of `kind`, statically registered
 * from `entry` or dlopen'ed from QUARRY_TEST_PLUGIN_DIR. Fails the test when
 * the plugin cannot be found; it also checks that the descriptor came the
 * way the mode says (dlopen'ed: from the .so, not the linked object).
 */
static inline void pt_find(pt *t, quarry_plugin_entry_fn entry,
                           quarry_plugin_kind kind, const char *name)
{
    quarry_engine_options o = QUARRY_ENGINE_OPTIONS_INIT;
    o.use_default_paths = 0;
    o.plugin_path = t->dlopen ? QUARRY_TEST_PLUGIN_DIR : NULL;
    o.progress = t->progress;
    o.progress_ctx = t->progress_ctx;
    assert_int_equal(quarry_engine_new(&t->e, &o), QUARRY_OK);
    if (!t->dlopen)
        assert_int_equal(quarry_engine_register(t->e, entry, "static"),
                         QUARRY_OK);
    int rc = quarry_engine_find(t->e, kind, name, &t->p);
    if (rc != QUARRY_OK)
        print_error("find %s: %s\n", name, quarry_engine_errmsg(t->e));
    assert_int_equal(rc, QUARRY_OK);
    assert_non_null(t->p);
    assert_string_equal(t->p->name, name);
    assert_int_equal(t->p->kind, kind);
    /* The engine keeps its own copy of a descriptor, so compare methods:
     * registered statically they are the linked object's functions,
     * dlopen'ed they are the .so's. */
    const quarry_plugin *const *linked = entry();
    for (size_t i = 0; linked[i] != NULL; i++) {
        if (strcmp(linked[i]->name, name) != 0)
            continue;
        if (t->dlopen)
            assert_ptr_not_equal((void *)(uintptr_t)t->p->create,
                                 (void *)(uintptr_t)linked[i]->create);
        else
            assert_ptr_equal((void *)(uintptr_t)t->p->create,
                             (void *)(uintptr_t)linked[i]->create);
    }
}

/*
 * pt_find, then set the options ("regex.min_len=3"; NULL-terminated, may be
 * NULL) and make an instance. Returns instance_new's status so a test can
 * check a refusal; quarry_engine_errmsg(t->e) has the message.
 */
static inline int pt_open(pt *t, quarry_plugin_entry_fn entry,
                          quarry_plugin_kind kind, const char *name,
                          const char *const *options)
{
    pt_find(t, entry, kind, name);
    for (size_t i = 0; options != NULL && options[i] != NULL; i++)
        assert_int_equal(quarry_engine_set_option(t->e, options[i]),
                         QUARRY_OK);
    int rc = quarry_instance_new(&t->inst, t->e, t->p);
    if (rc == QUARRY_OK)
        t->self = quarry_instance_self(t->inst);
    return rc;
}

/* The same, for options that must be accepted. */
static inline void pt_open_ok(pt *t, quarry_plugin_entry_fn entry,
                              quarry_plugin_kind kind, const char *name,
                              const char *const *options)
{
    int rc = pt_open(t, entry, kind, name, options);
    if (rc != QUARRY_OK)
        print_error("instance of %s: %s\n", name, quarry_engine_errmsg(t->e));
    assert_int_equal(rc, QUARRY_OK);
}

/* Options as a compound literal: PT_OPTS("regex.min_len=3", "..."). */
#define PT_OPTS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* cmocka 1.1.5's assert_float_equal compares as float; weights and
 * objectives are checked against hand-worked doubles here. */
#define assert_close(actual, expected, tol)                                 \
    pt_assert_close((double)(actual), (double)(expected), (double)(tol),    \
                    #actual, __FILE__, __LINE__)

static inline void pt_assert_close(double a, double b, double tol,
                                   const char *what, const char *file,
                                   int line)
{
    if (!(fabs(a - b) <= tol)) {
        print_error("%s:%d: %s = %.9g, expected %.9g (+/- %g)\n", file, line,
                    what, a, b, tol);
        _fail(file, line);
    }
}

/* The metadata every descriptor of this project carries. */
static inline void pt_check_descriptor(const quarry_plugin *p)
{
    assert_int_equal(p->abi, QUARRY_ABI_VERSION);
    assert_int_equal(p->size, sizeof(quarry_plugin));
    assert_string_equal(p->version, "0.1.0");
    assert_string_equal(p->license, "MIT");
    assert_string_equal(p->author, "quarry developers");
    assert_non_null(p->summary);
    assert_true(strlen(p->summary) > 0 && strchr(p->summary, '\n') == NULL);
    assert_non_null(p->create);
    assert_non_null(p->destroy);
    assert_non_null(p->options);
    size_t n = 0;
    for (const quarry_option *o = p->options; o->name != NULL; o++, n++) {
        assert_true(o->offset < p->config_size);
        assert_non_null(o->default_value);
        assert_non_null(o->help);
        assert_true((o->type == QUARRY_OPT_ENUM) == (o->choices != NULL));
    }
    assert_true(n > 0);
}

#endif /* QUARRY_PLUGIN_TEST_H */
