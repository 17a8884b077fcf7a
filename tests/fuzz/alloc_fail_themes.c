/*
 * alloc_fail_themes.c -- allocation-failure test of themes with coded
 * excerpts (failalloc.h): quarry_themes_run with coded excerpts and groups
 * (which runs suggest to tell which excerpts fit no code, and gathers
 * them: the input is three_topics.h, the coding leaves the garden out, and
 * the clean run must gather it) once to count its allocations, then once for every N up to that
 * count with the Nth failing; then the same clustering LSA rows (dims 4).
 * Each run must end with a status (or the clean result), never a crash;
 * under ASan, LeakSanitizer checks at exit that no failed run leaked. It
 * found suggest's calibration dropping the caller's scoring buffers, the
 * form block its stopword analyser, and LSA freeing its column copy
 * twice, when an allocation failed.
 *
 * usage: alloc_fail_themes PLUGIN_DIR [FIRST_N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "quarry/quarry.h"
#include "failalloc.h"
#include "../unit/three_topics.h"

static const char coded[] =
    "{\"id\":\"k1\",\"text\":\"boat sail harbour\",\"code\":\"SEA\"}\n"
    "{\"id\":\"k2\",\"text\":\"sail boat wind\",\"code\":\"SEA\"}\n"
    "{\"id\":\"k3\",\"text\":\"harbour tide boat\",\"code\":\"SEA\"}\n"
    "{\"id\":\"k4\",\"text\":\"jury verdict judge\",\"code\":\"COURT\"}\n"
    "{\"id\":\"k5\",\"text\":\"court judge trial\",\"code\":\"COURT\"}\n"
    "{\"id\":\"k6\",\"text\":\"verdict court jury\",\"code\":[\"COURT\",\"SEA\"]}\n";

static quarry_corpus *corpus(const char *s, const char *name)
{
    quarry_corpus *c = NULL;
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    ro.format = QUARRY_FORMAT_JSONL;
    if (quarry_corpus_new(&c) != 0 ||
        quarry_corpus_read_buffer(c, s, strlen(s), name, &ro) != 0)
        abort();
    return c;
}

int main(int argc, char **argv)
{
    quarry_engine_options o = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e = NULL;
    quarry_corpus *c, *k;
    quarry_themes_options to = QUARRY_THEMES_OPTIONS_INIT;
    quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_themes *t = NULL;
    long n, total, from = argc > 2 ? atol(argv[2]) : 1;
    int pass;
    if (argc < 2) {
        fprintf(stderr, "usage: alloc_fail_themes PLUGIN_DIR [FIRST_N]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines seen before a sanitizer ends it */
    failalloc_install();
    o.plugin_path = argv[1];
    o.dictionary_path = QUARRY_TEST_SOURCE_DIR "/dictionaries";
    o.use_default_paths = 0;
    o.threads = 1;
    if (quarry_engine_new(&e, &o) != 0)
        abort();
    c = corpus(three_topics, "in.jsonl");
    k = corpus(coded, "coded.jsonl");
    to.k = 3;
    to.coded = k;
    to.groups = 2;
    po.min_df = 1;
    for (pass = 0; pass < 2; pass++) {
        to.dims = pass == 0 ? 0 : 4;
        failalloc_arm(0, 0);
        if (quarry_themes_run(&t, e, &po, &to, c) != 0) {
            fprintf(stderr, "clean run failed: %s\n",
                    quarry_engine_errmsg(e));
            return 1;
        }
        total = failalloc_disarm();
        {
            /* The garden, left out of the coding, is gathered into a
             * theme of its own: the runs below fail inside that too. */
            int32_t i, gathered = 0;
            for (i = 0; i < quarry_themes_count(t); i++)
                gathered += quarry_themes_at(t, i)->fits_no_code;
            printf("dims %d: themes %d (%d gathered), allocations %ld\n",
                   to.dims, quarry_themes_count(t), gathered, total);
            if (gathered != 1) {
                fprintf(stderr, "the clean run gathered %d themes, not 1: "
                        "the fixture no longer tests the gathering\n",
                        gathered);
                return 1;
            }
        }
        quarry_themes_free(t);
        for (n = from; n <= total; n++) {
            int rc;
            t = NULL;
            failalloc_arm(n, 0);
            rc = quarry_themes_run(&t, e, &po, &to, c);
            failalloc_disarm();
            if (rc == 0 && t == NULL) {
                printf("n=%ld: status 0 without a result\n", n);
                return 1;
            }
            quarry_themes_free(t);
        }
    }
    printf("done\n");
    quarry_corpus_free(c);
    quarry_corpus_free(k);
    quarry_engine_free(e);
    return 0;
}
