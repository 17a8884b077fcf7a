/*
 * fuzz_decisions.c -- decisions files (`quarry review P --decisions FILE`)
 * on arbitrary bytes: applied to a fresh copy of a project that has
 * excerpts, codes, coders and a run of suggestions, with the default coder
 * the command would take from --coder. All or nothing: a failed file must
 * leave the project as it was.
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    quarry_project_counts before;
    quarry_project *p;
    char path[4400];
    int64_t applied = 0;
    int rc;
    if (fuzz_write("decisions.jsonl", data, size, path, sizeof path) != 0)
        return 0;
    p = fuzz_project();
    if (p == NULL)
        return 0;
    if (fuzz_counts(p, &before) == 0) {
        rc = quarry_project_apply_decisions(p, path, "fuzzer", &applied);
        fuzz_check_unchanged(p, rc, &before);
    }
    fuzz_project_done(p);
    return 0;
}
