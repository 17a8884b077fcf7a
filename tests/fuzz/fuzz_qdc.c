/*
 * fuzz_qdc.c -- the REFI-QDA codebook reader on arbitrary bytes taken as a
 * .qdc: parsed in memory, and, when that succeeds, imported into a project
 * as `quarry codebook import P FILE.qdc` does; a failed import must leave
 * the project untouched.
 */
#include "fuzz.h"
#include "refi_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarry_refi_options o = fuzz_refi_options();
    quarry_project_counts before;
    quarry_project *p;
    refi_model m;
    char path[4400];
    int32_t added = 0, updated = 0;
    int rc;
    refi_model_init(&m);
    rc = refi_read_qdc_buffer(&m, (const char *)data, size, "fuzz.qdc", &o);
    refi_model_free(&m);
    if (rc != 0 || fuzz_write("fuzz.qdc", data, size, path, sizeof path) != 0)
        return 0;
    p = fuzz_project();
    if (p == NULL)
        return 0;
    if (fuzz_counts(p, &before) == 0) {
        rc = quarry_project_import_qdc(p, path, &o, &added, &updated);
        fuzz_check_unchanged(p, rc, &before);
    }
    fuzz_project_done(p);
    return 0;
}
