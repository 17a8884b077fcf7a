/*
 * failalloc.c -- the counting, failing allocator of failalloc.h: the
 * __wrap_ functions the linker puts in place of quarry's malloc & co.
 * (-Wl,--wrap=malloc,...), and the hooks handed to SQLite, jansson and
 * libxml2. Every path ends in the C library's allocator (__real_malloc),
 * so blocks move freely between quarry and the libraries (jansson's
 * json_dumps() result is freed by quarry with free()), and ASan still
 * sees every block.
 */
#include <execinfo.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <malloc.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "failalloc.h"

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static long counted, fail_at, fired;
/* The largest block quarry asked for while armed (small inputs must not
 * ask for large buffers). */
static size_t largest;
static const char *first_by;
static int armed, sticky, trace;

/* FAILALLOC_TRACE=1 in the environment: the stack of each failed
 * allocation on stderr (for addr2line), to find the caller. */
static void show_stack(void)
{
    void *frames[24];
    int n;
    armed = 0;
    n = backtrace(frames, 24);
    backtrace_symbols_fd(frames, n, 2);
    armed = 1;
}

/* Count one allocation; 1 when it is to fail. Threads may allocate. by:
 * whose allocator it came through. */
static int fails(const char *by)
{
    long n;
    if (!__atomic_load_n(&armed, __ATOMIC_RELAXED))
        return 0;
    n = __atomic_add_fetch(&counted, 1, __ATOMIC_RELAXED);
    if (by != NULL && fail_at > 0 &&
        (n == fail_at || (sticky && n > fail_at))) {
        __atomic_add_fetch(&fired, 1, __ATOMIC_RELAXED);
        if (n == fail_at)
            first_by = by;
        if (trace && n == fail_at)
            show_stack();
        return 1;
    }
    return 0;
}

void failalloc_arm(long nth, int persistent)
{
    counted = 0;
    largest = 0;
    fired = 0;
    first_by = NULL;
    fail_at = nth;
    sticky = persistent;
    __atomic_store_n(&armed, 1, __ATOMIC_SEQ_CST);
}

long failalloc_disarm(void)
{
    __atomic_store_n(&armed, 0, __ATOMIC_SEQ_CST);
    return counted;
}

const char *failalloc_fired(void)
{
    return fired > 0 ? first_by : NULL;
}

static void note_size(size_t n)
{
    if (__atomic_load_n(&armed, __ATOMIC_RELAXED) && n > largest)
        largest = n; /* a hint: races between threads are harmless */
}

size_t failalloc_largest(void)
{
    return largest;
}

void *__wrap_malloc(size_t n)
{
    note_size(n);
    return fails("quarry") ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
    note_size(size != 0 && n <= SIZE_MAX / size ? n * size : SIZE_MAX);
    return fails("quarry") ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
    note_size(n);
    return fails("quarry") ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s)
{
    return fails("quarry") ? NULL : __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
    return fails("quarry") ? NULL : __real_strndup(s, n);
}

/* SQLite: sizes from malloc_usable_size(), as its own allocator does
 * with SQLITE_MALLOCSIZE. */
static void *sq_malloc(int n)
{
    return fails("SQLite") ? NULL : __real_malloc((size_t)n);
}

static void sq_free(void *p)
{
    free(p);
}

static void *sq_realloc(void *p, int n)
{
    return fails("SQLite") ? NULL : __real_realloc(p, (size_t)n);
}

static int sq_size(void *p)
{
    return p ? (int)malloc_usable_size(p) : 0;
}

static int sq_roundup(int n)
{
    return (n + 7) & ~7;
}

static int sq_init(void *ctx)
{
    (void)ctx;
    return SQLITE_OK;
}

static void sq_shutdown(void *ctx)
{
    (void)ctx;
}

/* jansson is counted but never failed unless FAILALLOC_JANSSON=1: its
 * lexer drops a byte when its buffer cannot grow and later fails an
 * assert() (jansson 2.14, load.c lex_scan_string), so its failures test
 * jansson, not quarry. */
static int json_fails;

static void *json_malloc(size_t n)
{
    if (!json_fails) {
        fails(NULL);
        return __real_malloc(n);
    }
    return fails("jansson") ? NULL : __real_malloc(n);
}

static void plain_free(void *p)
{
    free(p);
}

static void *xml_malloc(size_t n)
{
    return fails("libxml2") ? NULL : __real_malloc(n);
}

static void *xml_realloc(void *p, size_t n)
{
    return fails("libxml2") ? NULL : __real_realloc(p, n);
}

static char *xml_strdup(const char *s)
{
    return fails("libxml2") ? NULL : __real_strdup(s);
}

/* libxml2 prints its out-of-memory errors whatever the parse options say;
 * counted here instead of printed. */
static long xml_messages;

static void xml_quiet(void *ctx, const char *fmt, ...)
{
    (void)ctx;
    (void)fmt;
    xml_messages++;
}

long failalloc_xml_messages(void)
{
    return xml_messages;
}

int failalloc_install(void)
{
    const char *t = getenv("FAILALLOC_TRACE");
    static const sqlite3_mem_methods sq = {sq_malloc, sq_free, sq_realloc,
                                           sq_size,   sq_roundup, sq_init,
                                           sq_shutdown, NULL};
    const char *j = getenv("FAILALLOC_JANSSON");
    trace = t != NULL && t[0] == '1';
    json_fails = j != NULL && j[0] == '1';
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &sq) != SQLITE_OK)
        return -1;
    json_set_alloc_funcs(json_malloc, plain_free);
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, xml_quiet);
    if (xmlMemSetup(plain_free, xml_malloc, xml_realloc, xml_strdup) !=
        0)
        return -1;
    return 0;
}
