/*
 * test_project_util.h -- the small project most project tests start from:
 * a new file, its clock fixed, one JSONL file of codings imported under a
 * coder. Include after <cmocka.h> and "quarry/quarry.h".
 */
#ifndef QUARRY_TEST_PROJECT_UTIL_H
#define QUARRY_TEST_PROJECT_UTIL_H

#include <unistd.h>

/* A new project at path (any file there removed first), its time fixed at
 * 2026-01-31T12:00:00Z, with the JSONL file coded imported as coder's
 * codings. */
static inline quarry_project *test_project_fresh(const char *path,
                                                 const char *coded,
                                                 const char *coder)
{
    quarry_project *p = NULL;
    quarry_import_options io = QUARRY_IMPORT_OPTIONS_INIT;
    unlink(path);
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    assert_int_equal(quarry_project_create(p, path), QUARRY_OK);
    assert_int_equal(quarry_project_set_time(p, "2026-01-31T12:00:00Z"),
                     QUARRY_OK);
    io.coder = coder;
    if (quarry_project_import(p, coded, &io, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    return p;
}

#endif
