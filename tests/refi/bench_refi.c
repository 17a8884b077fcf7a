/*
 * bench_refi.c -- how long REFI-QDA exchange takes on a synthetic study:
 * SOURCES transcripts of about TEXT_KB kilobytes of multi-byte text with
 * CRLF line endings, SELECTIONS coded selections each (two coders), written
 * as a .qdpx, read back, imported into a fresh project and exported again.
 * Prints the sizes and the wall time of each step (best of REPEATS); it
 * asserts nothing.
 *
 *   bench_refi OUTDIR [SOURCES [SELECTIONS [TEXT_KB [REPEATS]]]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "quarry/quarry.h"
#include "refi_io.h"
#include "refi_model.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const char *const words[] = {
    "support",  "peer",     "Erfahrung",   "müde", "stolz",
    "つながり", "team",     "supervision", "role", "hope",
    "recovery", "Kollegen", "😊",           "trust"};

/* A synthetic study in a model: deterministic (a fixed LCG). */
static int build(refi_model *m, int n_src, int n_sel, int text_kb)
{
    uint64_t rng = 42;
    int s, k;
    char key[64];
    const char *ns = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    int32_t u0 = REFI_PUSH(m, users), u1 = REFI_PUSH(m, users);
    m->name = "bench";
    m->users[u0].name = "coder A";
    m->users[u0].guid = refi_guid_for(m, ns, "user", "A");
    m->users[u1].name = "coder B";
    m->users[u1].guid = refi_guid_for(m, ns, "user", "B");
    for (k = 0; k < 20; k++) {
        int32_t c = REFI_PUSH(m, codes);
        snprintf(key, sizeof(key), "code %d", k);
        m->codes[c].name = refi_str(m, key);
        m->codes[c].guid = refi_guid_for(m, ns, "code", key);
        m->codes[c].parent = k < 4 ? -1 : k % 4;
        m->codes[c].codable = k >= 4;
    }
    for (s = 0; s < n_src; s++) {
        size_t cap = (size_t)text_kb * 1024 + 64, len = 0;
        char *t = malloc(cap);
        int32_t i = REFI_PUSH(m, sources);
        refi_cpmap map;
        if (t == NULL || i < 0)
            return -1;
        while (len + 40 < cap - 64) {
            const char *w;
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            w = words[(rng >> 33) % 14];
            memcpy(t + len, w, strlen(w));
            len += strlen(w);
            if ((rng >> 20) % 12 == 0) {
                memcpy(t + len, ".\r\n", 3);
                len += 3;
            } else {
                t[len++] = ' ';
            }
        }
        snprintf(key, sizeof(key), "interview %d.txt", s);
        m->sources[i].name = refi_str(m, key);
        m->sources[i].guid = refi_guid_for(m, ns, "source", key);
        m->sources[i].text = refi_strn(m, t, len);
        m->sources[i].text_len = len;
        m->sources[i].user = -1;
        free(t);
        if (refi_cpmap_init(&map, m->sources[i].text, len) != 0)
            return -1;
        m->sources[i].n_cp = map.n_cp;
        for (k = 0; k < n_sel; k++) {
            int32_t j = REFI_PUSH(m, selections), c0, c1;
            int64_t a, b;
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            a = (int64_t)((rng >> 16) % (uint64_t)(map.n_cp - 200));
            b = a + 20 + (int64_t)((rng >> 40) % 150);
            snprintf(key, sizeof(key), "%d/%d", s, k);
            m->selections[j].guid = refi_guid_for(m, ns, "sel", key);
            m->selections[j].source = i;
            m->selections[j].start = a;
            m->selections[j].end = b;
            m->selections[j].byte_start = refi_cpmap_byte(&map, a);
            m->selections[j].byte_end = refi_cpmap_byte(&map, b);
            m->selections[j].user = u0;
            c0 = REFI_PUSH(m, codings);
            c1 = REFI_PUSH(m, codings);
            m->codings[c0].guid = refi_guid_for(m, ns, "coding0", key);
            m->codings[c0].code = 4 + (int32_t)((rng >> 8) % 16);
            m->codings[c0].user = u0;
            m->codings[c0].source = i;
            m->codings[c0].selection = j;
            m->codings[c1] = m->codings[c0];
            m->codings[c1].guid = refi_guid_for(m, ns, "coding1", key);
            m->codings[c1].user = u1;
            m->codings[c1].code = 4 + (int32_t)((rng >> 24) % 16);
        }
        refi_cpmap_free(&map);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int n_src = argc > 2 ? atoi(argv[2]) : 50;
    int n_sel = argc > 3 ? atoi(argv[3]) : 200;
    int text_kb = argc > 4 ? atoi(argv[4]) : 60;
    int reps = argc > 5 ? atoi(argv[5]) : 3, r;
    char qdpx[1024], again[1024], proj[1024];
    double best[4] = {1e9, 1e9, 1e9, 1e9};
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    refi_model m;
    struct stat st;
    if (argc < 2 || n_src < 1 || n_sel < 1 || text_kb < 1 || reps < 1) {
        fprintf(stderr, "usage: bench_refi OUTDIR [SOURCES [SELECTIONS "
                        "[TEXT_KB [REPEATS]]]]\n");
        return 1;
    }
    mkdir(argv[1], 0777);
    snprintf(qdpx, sizeof(qdpx), "%s/bench.qdpx", argv[1]);
    snprintf(again, sizeof(again), "%s/bench-export.qdpx", argv[1]);
    snprintf(proj, sizeof(proj), "%s/bench.quarry", argv[1]);
    refi_model_init(&m);
    if (build(&m, n_src, n_sel, text_kb) != 0) {
        fprintf(stderr, "bench_refi: out of memory\n");
        return 2;
    }
    for (r = 0; r < reps; r++) {
        refi_model b;
        quarry_project *p = NULL;
        double t0 = now(), t1, t2, t3, t4;
        if (refi_write_qdpx(&m, qdpx, &o) != 0) {
            fprintf(stderr, "bench_refi: %s\n", m.errmsg);
            return 2;
        }
        t1 = now();
        refi_model_init(&b);
        if (refi_read_qdpx(&b, qdpx, &o) != 0) {
            fprintf(stderr, "bench_refi: %s\n", b.errmsg);
            return 2;
        }
        refi_model_free(&b);
        t2 = now();
        remove(proj);
        quarry_project_new(&p);
        quarry_project_set_time(p, "2026-01-31T12:00:00Z");
        if (quarry_project_create(p, proj) != 0 ||
            quarry_project_import_qdpx(p, qdpx, &o, NULL) != 0) {
            fprintf(stderr, "bench_refi: %s\n", quarry_project_errmsg(p));
            return 2;
        }
        t3 = now();
        if (quarry_project_export_qdpx(p, again, &o) != 0) {
            fprintf(stderr, "bench_refi: %s\n", quarry_project_errmsg(p));
            return 2;
        }
        t4 = now();
        quarry_project_free(p);
        if (t1 - t0 < best[0])
            best[0] = t1 - t0;
        if (t2 - t1 < best[1])
            best[1] = t2 - t1;
        if (t3 - t2 < best[2])
            best[2] = t3 - t2;
        if (t4 - t3 < best[3])
            best[3] = t4 - t3;
    }
    stat(qdpx, &st);
    printf("study: %d sources of %d KB (multi-byte, CRLF), %d selections "
           "each, 2 codings per selection: %d selections, %d codings\n",
           n_src, text_kb, n_sel, n_src * n_sel, 2 * n_src * n_sel);
    printf(".qdpx: %lld bytes\n", (long long)st.st_size);
    printf("best of %d runs, wall seconds:\n", reps);
    printf("  write .qdpx (model -> zip)        %.3f\n", best[0]);
    printf("  read .qdpx (zip -> model)         %.3f\n", best[1]);
    printf("  import into a new project         %.3f\n", best[2]);
    printf("  export the project as .qdpx       %.3f\n", best[3]);
    refi_model_free(&m);
    return 0;
}
