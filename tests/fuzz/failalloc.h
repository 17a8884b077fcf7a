/*
 * failalloc.h -- allocation-failure injection for tests (failalloc.c), as
 * SQLite's test suite does it: every allocation is counted, and once armed
 * with N the Nth allocation from then on fails (returns NULL).
 *
 * What is counted: quarry's own malloc, calloc, realloc, strdup and
 * strndup (the test links with -Wl,--wrap=... for those, which reaches
 * every object linked statically: quarry_core and the test), and, through
 * their allocator hooks, SQLite (sqlite3_config), jansson
 * (json_set_alloc_funcs) and libxml2 (xmlMemSetup). Not counted:
 * allocations inside libzip, libcsv, utf8proc and the C library's own
 * (getline, fopen), which have no hook; jansson's are counted but only
 * failed with FAILALLOC_JANSSON=1 in the environment (failalloc.c says
 * why). FAILALLOC_TRACE=1 prints the stack of each failed allocation.
 */
#ifndef QUARRY_FAILALLOC_H
#define QUARRY_FAILALLOC_H

/* Install the library hooks; call first, before any SQLite, jansson or
 * libxml2 call. 0 on success. */
int failalloc_install(void);

/* Start counting from 0; fail the nth allocation (1-based; 0 = none).
 * persistent: fail every allocation from the nth on, not just that one. */
void failalloc_arm(long nth, int persistent);

/* Stop failing; the number of allocations counted since the arm. */
long failalloc_disarm(void);

/* Whose allocation was failed since the arm ("quarry", "SQLite",
 * "jansson", "libxml2"), or NULL when none was. */
const char *failalloc_fired(void);

/* Messages libxml2 would have printed on stderr (it does so on memory
 * exhaustion even with XML_PARSE_NOERROR); the hook swallows them. */
long failalloc_xml_messages(void);

/* The largest single block quarry's own malloc/calloc/realloc asked for
 * since failalloc_arm. */
size_t failalloc_largest(void);

#endif
