/*
 * fuzz_codebook.c -- the JSON codebook reader (codebook.c) on arbitrary
 * bytes: the parse and validation quarry_codebook_load() runs on a file's
 * contents, every code's accessors, and, for a codebook that reads, its
 * import into a project (`quarry codebook import P FILE`).
 */
#include <stdlib.h>
#include <string.h>

#include "codebook.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarry_engine *e = fuzz_engine();
    quarry_codebook *cb = NULL;
    quarry_project *p;
    quarry_project_counts before;
    char path[4400];
    int32_t i, n, added = 0, updated = 0;
    int rc;
    if (e == NULL)
        return 0;
    if (codebook_parse(&cb, e, (const char *)data, size, "codebook.json") !=
        0)
        return 0;
    n = quarry_codebook_size(cb);
    for (i = 0; i < n; i++) {
        char *text = codebook_entry_text(&cb->codes[i]);
        if (quarry_codebook_find(cb, quarry_codebook_id(cb, i)) != i)
            abort(); /* an id the codebook cannot find again */
        (void)quarry_codebook_is_theme(cb, i);
        free(text);
    }
    quarry_codebook_free(cb);
    if (fuzz_write("codebook.json", data, size, path, sizeof path) != 0)
        return 0;
    p = fuzz_project();
    if (p == NULL)
        return 0;
    if (fuzz_counts(p, &before) == 0) {
        rc = quarry_project_codebook_import(p, e, path, &added, &updated);
        fuzz_check_unchanged(p, rc, &before);
    }
    fuzz_project_done(p);
    return 0;
}
