/*
 * fuzz_qde.c -- the REFI-QDA project reader (refi_read*.c) on arbitrary
 * bytes taken as a bare project.qde: parsed in memory into a model, and,
 * when that succeeds, imported into a project the way `quarry import P
 * project.qde` does (quarry_project_import_qdpx() on the file), which must
 * leave the project untouched when it fails.
 */
#include "fuzz.h"
#include "refi_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarry_refi_options o = fuzz_refi_options();
    quarry_refi_stats st;
    quarry_project_counts before;
    quarry_project *p;
    refi_model m;
    char path[4400];
    int rc;
    refi_model_init(&m);
    rc = refi_read_qde_buffer(&m, (const char *)data, size, "project.qde",
                              fuzz_dir(), &o);
    refi_model_free(&m);
    if (rc != 0 ||
        fuzz_write("project.qde", data, size, path, sizeof path) != 0)
        return 0;
    p = fuzz_project();
    if (p == NULL)
        return 0;
    if (fuzz_counts(p, &before) == 0) {
        rc = quarry_project_import_qdpx(p, path, &o, &st);
        fuzz_check_unchanged(p, rc, &before);
    }
    fuzz_project_done(p);
    return 0;
}
