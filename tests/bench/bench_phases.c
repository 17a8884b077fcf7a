/*
 * bench_phases.c -- wall time of each phase of the text pipeline for one
 * and for several threads, through the public API: reading the JSONL
 * files, fitting the model on the first (tokenize, lexicon, stopwords,
 * stem, vocabulary, counts, weights), and vectorising the second with it.
 * Thread counts take turns, each phase timed separately: wall seconds
 * (CLOCK_MONOTONIC) and CPU seconds of the whole process, every thread
 * (CLOCK_PROCESS_CPUTIME_ID; on a shared machine the steadier figure),
 * median of --reps runs. Prints numbers; asserts nothing.
 *
 *   QUARRY_PLUGIN_PATH=BUILD/plugins BUILD/bench_phases TRAIN.jsonl \
 *       TEST.jsonl [--reps 3] [--threads 1,2] [--check-tokens]
 *
 * --check-tokens first tokenizes every excerpt of both files twice with
 * the regex plugin: with its default pattern (ASCII runs by the plugin's
 * byte scan) and with the same pattern wrapped in a group (every match by
 * PCRE2), and prints how many tokens and excerpts differ (span or form).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quarry/plugin.h"
#include "quarry/quarry.h"

#define MAX_T 8
#define MAX_R 32

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static quarry_corpus *read_file(const char *path, int threads)
{
    quarry_read_options ro = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = NULL;
    if (quarry_corpus_new(&c) != 0 || quarry_corpus_set_threads(c, threads) ||
        quarry_corpus_read_file(c, path, &ro) != 0) {
        fprintf(stderr, "bench_phases: %s\n",
                c ? quarry_corpus_errmsg(c) : "out of memory");
        exit(1);
    }
    return c;
}

/* The regex plugin's default pattern (plugins/regex/regex.c). */
#define RX_W "[\\p{L}\\p{M}\\p{N}]"
#define RX_DEFAULT RX_W "+(?:['\\x{2019}\\x{2010}\\x{2011}-]" RX_W "+)*"

typedef struct tok_list {
    size_t n, cap;
    size_t *v; /* offset, length, then the form's hash (0: none) */
} tok_list;

static int on_tok(void *payload, const quarry_token *t)
{
    tok_list *l = payload;
    uint64_t h = 0;
    if (l->n + 3 > l->cap) {
        l->cap = l->cap ? l->cap * 2 : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (l->v == NULL)
            return 1;
    }
    if (t->form != NULL) {
        h = 1469598103934665603ULL;
        for (size_t i = 0; i < t->form_len; i++)
            h = (h ^ (unsigned char)t->form[i]) * 1099511628211ULL;
        h |= 1;
    }
    l->v[l->n++] = t->offset;
    l->v[l->n++] = t->len;
    l->v[l->n++] = (size_t)h;
    return 0;
}

static const quarry_plugin *tokenizer(quarry_engine **e, quarry_instance **inst,
                                      const char *pattern)
{
    quarry_engine_options eo = QUARRY_ENGINE_OPTIONS_INIT;
    const quarry_plugin *p = NULL;
    char spec[256];
    if (quarry_engine_new(e, &eo) != 0)
        return NULL;
    if (pattern != NULL) {
        snprintf(spec, sizeof spec, "regex.pattern=%s", pattern);
        if (quarry_engine_set_option(*e, spec) != 0)
            return NULL;
    }
    if (quarry_engine_find(*e, QUARRY_KIND_TOKENIZER, "regex", &p) != 0 ||
        quarry_instance_new(inst, *e, p) != 0)
        return NULL;
    return p;
}

static int check_tokens(quarry_corpus *const *c, int n_c)
{
    quarry_engine *ea = NULL, *eb = NULL;
    quarry_instance *ia = NULL, *ib = NULL;
    const quarry_plugin *pa = tokenizer(&ea, &ia, NULL);
    const quarry_plugin *pb = tokenizer(&eb, &ib, "(?:" RX_DEFAULT ")");
    tok_list a = {0, 0, NULL}, b = {0, 0, NULL};
    size_t excerpts = 0, tokens = 0, bad = 0, bad_tokens = 0;
    char err[QUARRY_ERR_MAX];
    if (pa == NULL || pb == NULL) {
        fprintf(stderr, "bench_phases: cannot make the regex tokenizers\n");
        return 2;
    }
    for (int k = 0; k < n_c; k++)
        for (size_t i = 0; i < quarry_corpus_size(c[k]); i++) {
            const quarry_excerpt *x = quarry_corpus_at(c[k], i);
            a.n = b.n = 0;
            if (pa->tokenize(quarry_instance_self(ia), x->text, x->text_len,
                             on_tok, &a, err) != 0 ||
                pb->tokenize(quarry_instance_self(ib), x->text, x->text_len,
                             on_tok, &b, err) != 0) {
                fprintf(stderr, "bench_phases: tokenize: %s\n", err);
                return 2;
            }
            excerpts++;
            tokens += b.n / 3;
            if (a.n != b.n || memcmp(a.v, b.v, a.n * sizeof *a.v) != 0) {
                bad++;
                bad_tokens += b.n / 3;
            }
        }
    printf("tokens: %zu excerpts, %zu tokens by PCRE2; %zu excerpts (%zu "
           "tokens) tokenized differently by the byte scan\n",
           excerpts, tokens, bad, bad_tokens);
    free(a.v);
    free(b.v);
    quarry_instance_free(ia);
    quarry_instance_free(ib);
    quarry_engine_free(ea);
    quarry_engine_free(eb);
    return bad != 0;
}

int main(int argc, char **argv)
{
    int threads[MAX_T] = {1, 2}, n_t = 2, reps = 3, i, t, r, check = 0;
    double tm[MAX_T][3][MAX_R], tc[MAX_T][3][MAX_R];
    const char *names[3] = {"read both files", "fit on the first",
                            "transform the second"};

    if (argc < 3) {
        fprintf(stderr, "usage: bench_phases TRAIN.jsonl TEST.jsonl "
                        "[--reps N] [--threads 1,2]\n");
        return 1;
    }
    for (i = 3; i < argc; i += 2) {
        if (strcmp(argv[i], "--check-tokens") == 0) {
            check = 1;
            i--;
        } else if (i + 1 >= argc) {
            break;
        } else if (strcmp(argv[i], "--reps") == 0) {
            reps = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "--threads") == 0) {
            char *s = argv[i + 1];
            for (n_t = 0; n_t < MAX_T && *s;) {
                threads[n_t++] = (int)strtol(s, &s, 10);
                if (*s == ',')
                    s++;
            }
        }
    }
    if (reps < 1 || reps > MAX_R || n_t < 1) {
        fprintf(stderr, "bench_phases: --reps 1..%d\n", MAX_R);
        return 1;
    }
    if (check) {
        quarry_corpus *c[2];
        int rc;
        c[0] = read_file(argv[1], 0);
        c[1] = read_file(argv[2], 0);
        rc = check_tokens(c, 2);
        quarry_corpus_free(c[0]);
        quarry_corpus_free(c[1]);
        if (rc != 0)
            return rc;
    }
    for (r = 0; r < reps; r++)
        for (t = 0; t < n_t; t++) {
            quarry_engine_options eo = QUARRY_ENGINE_OPTIONS_INIT;
            quarry_pipeline_options po = QUARRY_PIPELINE_OPTIONS_INIT;
            quarry_engine *e = NULL;
            quarry_corpus *a, *b;
            quarry_model *m = NULL;
            quarry_csr *x = NULL;
            double t0, c0;
            eo.threads = threads[t];
            if (quarry_engine_new(&e, &eo) != 0) {
                fprintf(stderr, "bench_phases: cannot start the engine\n");
                return 2;
            }
            t0 = now();
            c0 = cpu();
            a = read_file(argv[1], threads[t]);
            b = read_file(argv[2], threads[t]);
            tm[t][0][r] = now() - t0;
            tc[t][0][r] = cpu() - c0;
            t0 = now();
            c0 = cpu();
            if (quarry_model_fit(&m, e, &po, a) != 0) {
                fprintf(stderr, "bench_phases: %s\n", quarry_engine_errmsg(e));
                return 2;
            }
            tm[t][1][r] = now() - t0;
            tc[t][1][r] = cpu() - c0;
            t0 = now();
            c0 = cpu();
            if (quarry_model_transform(m, b, &x) != 0) {
                fprintf(stderr, "bench_phases: %s\n", quarry_engine_errmsg(e));
                return 2;
            }
            tm[t][2][r] = now() - t0;
            tc[t][2][r] = cpu() - c0;
            quarry_csr_free(x);
            quarry_model_free(m);
            quarry_corpus_free(a);
            quarry_corpus_free(b);
            quarry_engine_free(e);
        }
    printf("median of %d runs, seconds: wall / CPU of every thread\n%-22s",
           reps, "phase");
    for (t = 0; t < n_t; t++)
        printf("  threads=%-6d", threads[t]);
    printf("\n");
    for (i = 0; i < 3; i++) {
        printf("%-22s", names[i]);
        for (t = 0; t < n_t; t++)
            printf("  %5.3f / %5.3f", median(tm[t][i], reps),
                   median(tc[t][i], reps));
        printf("\n");
    }
    return 0;
}
