/*
 * bench_json_out.c -- what the JSONL writer (core/cli/json_out.c) costs
 * beside jansson, on lines shaped like `quarry suggest`'s: an id, three
 * suggestions of a code, two reals, five {term, weight} and three
 * neighbour ids. Prints nanoseconds per real for "%.4g" through snprintf
 * and through jout_format_real, and nanoseconds per line for jansson
 * (tree + json_dumps + fputs, what write_jsonl did) and for the writer,
 * both into /dev/null. Reals are log-uniform over 1e-7 .. 1 like scores,
 * confidences and weights. Asserts nothing.
 *
 *   BUILD/bench_json_out [LINES]     (default 100000)
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "json_out.h"

#define FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4))

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static double rnd_real(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return pow(10.0, -7.0 * (double)((rng * 0x2545F4914F6CDD1DULL) >> 11) /
                         9007199254740992.0);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static const char *const terms[5] = {"atheism", "faith", "fallacy", "faq",
                                     "correct"};
static const char *const ids[3] = {"train/alt.atheism/53267/2",
                                   "test/alt.atheism/53592/1",
                                   "train/alt.atheism/53267/3"};

static void line_jansson(FILE *f, const double *v)
{
    json_t *o = json_object(), *list = json_array();
    int k, j;
    for (k = 0; k < 3; k++) {
        json_t *so = json_object(), *t = json_array(), *nb = json_array();
        for (j = 0; j < 5; j++) {
            json_t *x = json_object();
            json_object_set_new(x, "term", json_string(terms[j]));
            json_object_set_new(x, "weight", json_real(v[2 + j]));
            json_array_append_new(t, x);
        }
        for (j = 0; j < 3; j++)
            json_array_append_new(nb, json_string(ids[j]));
        json_object_set_new(so, "code", json_string("alt.atheism"));
        json_object_set_new(so, "score", json_real(v[0]));
        json_object_set_new(so, "confidence", json_real(v[1]));
        json_object_set_new(so, "terms", t);
        json_object_set_new(so, "neighbours", nb);
        json_array_append_new(list, so);
        v += 7;
    }
    json_object_set_new(o, "id", json_string("test/alt.atheism/53257/1"));
    json_object_set_new(o, "suggestions", list);
    json_object_set_new(o, "abstain", json_false());
    {
        char *s = json_dumps(o, FLAGS);
        fputs(s, f);
        fputc('\n', f);
        free(s);
    }
    json_decref(o);
}

static void line_writer(jout *w, const double *v)
{
    int k, j;
    jout_begin_object(w, NULL);
    jout_string(w, "id", "test/alt.atheism/53257/1");
    jout_begin_array(w, "suggestions");
    for (k = 0; k < 3; k++) {
        jout_begin_object(w, NULL);
        jout_string(w, "code", "alt.atheism");
        jout_real(w, "score", v[0]);
        jout_real(w, "confidence", v[1]);
        jout_begin_array(w, "terms");
        for (j = 0; j < 5; j++) {
            jout_begin_object(w, NULL);
            jout_string(w, "term", terms[j]);
            jout_real(w, "weight", v[2 + j]);
            jout_end_object(w);
        }
        jout_end_array(w);
        jout_begin_array(w, "neighbours");
        for (j = 0; j < 3; j++)
            jout_string(w, NULL, ids[j]);
        jout_end_array(w);
        jout_end_object(w);
        v += 7;
    }
    jout_end_array(w);
    jout_bool(w, "abstain", 0);
    jout_end_object(w);
    jout_end_line(w);
}

int main(int argc, char **argv)
{
    long lines = argc > 1 ? atol(argv[1]) : 100000, i;
    size_t n, r, sink = 0;
    double *v, t0, t1, t2;
    char buf[64];
    FILE *f = fopen("/dev/null", "w");
    jout w;
    if (lines < 1 || f == NULL)
        return 1;
    n = (size_t)lines * 21;
    v = malloc(n * sizeof *v);
    if (v == NULL)
        return 1;
    for (r = 0; r < n; r++)
        v[r] = rnd_real();

    t0 = now();
    for (r = 0; r < n; r++)
        sink += (size_t)snprintf(buf, sizeof buf, "%.4g", v[r]);
    t1 = now();
    for (r = 0; r < n; r++)
        sink += jout_format_real(buf, v[r]);
    t2 = now();
    printf("reals: %zu, snprintf %%.4g %.1f ns, jout_format_real %.1f ns "
           "a real\n",
           n, 1e9 * (t1 - t0) / (double)n, 1e9 * (t2 - t1) / (double)n);

    t0 = now();
    for (i = 0; i < lines; i++)
        line_jansson(f, v + 21 * i);
    fflush(f);
    t1 = now();
    jout_init(&w, f);
    for (i = 0; i < lines; i++)
        line_writer(&w, v + 21 * i);
    if (jout_finish(&w) != JOUT_OK)
        return 1;
    fflush(f);
    t2 = now();
    printf("lines: %ld, jansson tree + json_dumps %.0f ns, json_out %.0f ns "
           "a line (%zu)\n",
           lines, 1e9 * (t1 - t0) / (double)lines,
           1e9 * (t2 - t1) / (double)lines, sink % 10);
    fclose(f);
    free(v);
    return 0;
}
