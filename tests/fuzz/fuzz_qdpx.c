/*
 * fuzz_qdpx.c -- the REFI-QDA archive reader on arbitrary bytes taken as a
 * .qdpx (zip): the zip checks, project.qde and the sources/ entries are
 * read into a model (from the file, and from the bytes as the web page
 * sends them: both must agree), and, when that succeeds, the archive is
 * imported into
 * a project as `quarry import P FILE.qdpx` does; a failed import must
 * leave the project untouched.
 */
#include <stdlib.h>

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
    if (fuzz_write("fuzz.qdpx", data, size, path, sizeof path) != 0)
        return 0;
    refi_model_init(&m);
    rc = refi_read_qdpx(&m, path, &o);
    refi_model_free(&m);
    /* The same bytes as an upload to the web page: the same answer. */
    {
        int rb;
        refi_model_init(&m);
        rb = refi_read_qdpx_buffer(&m, "fuzz.qdpx", data, size, &o);
        refi_model_free(&m);
        if ((rb == 0) != (rc == 0))
            abort();
    }
    if (rc != 0)
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
