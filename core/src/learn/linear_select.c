/*
 * linear_select.c -- left-out scores of the linear model on the
 * calibration excerpts, and auto_select's choice of its share
 * (linear_select.h says how).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "linear_select.h"

static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

typedef struct cv_plan {
    int32_t folds;
    int32_t *fold;          /* training row -> its fold, or -1 */
    unsigned char *skip;    /* scratch */
} cv_plan;

/* The items' probabilities under (set, c): out is n x C. */
static int cv_probs(quarry_engine *e, const feat_blocks *fb,
                    const lin_items *it, const cv_plan *pl, unsigned set,
                    double c, uint64_t seed, float *out)
{
    quarry_csr *xs = NULL;
    double *dec = malloc(((size_t)it->C + 1) * sizeof *dec);
    int32_t f, k;
    int64_t i, j;
    int rc = dec ? feat_stack(fb, set, 0, &xs) : QUARRY_ENOMEM;
    if (rc != 0) {
        free(dec);
        return engine_fail(e, rc, "out of memory");
    }
    for (f = 0; f < pl->folds && rc == 0; f++) {
        linear_model m;
        for (j = 0; j < it->nt; j++)
            pl->skip[j] = pl->fold[j] == f;
        if (linear_fit(&m, xs, it->lab_ptr, it->lab, it->C, pl->skip, c,
                       seed) != 0) {
            rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
            break;
        }
        for (i = 0; i < it->n; i++) {
            if (pl->fold[it->row[i]] != f)
                continue;
            if (it->cut[i] < 0)
                linear_decisions(&m, xs, it->row[i], dec);
            else
                linear_decisions(&m, it->cuts, it->cut[i], dec);
            for (k = 0; k < it->C; k++)
                out[(size_t)i * (size_t)it->C + (size_t)k] =
                    (float)linear_share(&m, k, dec[k]);
        }
        linear_free(&m);
    }
    quarry_csr_free(xs);
    free(dec);
    return rc;
}

static int has_code(const lin_items *it, int64_t j, int32_t c)
{
    return code_list_has(it->lab_ptr, it->lab, j, c);
}

/* Top-1 and top-3 over the whole rows of (1 - a) base + a p (p NULL: the
 * base); ties to the smaller code, as suggest ranks. */
static void accuracy(const lin_items *it, const float *p, double a,
                     double *top1, double *top3)
{
    int32_t C = it->C, c, r, best[3];
    int64_t i, n = 0, h1 = 0, h3 = 0;
    for (i = 0; i < it->n; i++) {
        const double *b = it->score + (size_t)i * (size_t)C;
        double v[3];
        int32_t got = 0;
        if (it->cut[i] >= 0)
            continue;
        n++;
        for (c = 0; c < C; c++) {
            double s = p ? (1.0 - a) * b[c] + a * p[(size_t)i * C + c] : b[c];
            /* insert into the three best, ties kept in code order */
            for (r = got < 3 ? got : 3; r > 0 && s > v[r - 1]; r--)
                if (r < 3) {
                    v[r] = v[r - 1];
                    best[r] = best[r - 1];
                }
            if (r < 3) {
                v[r] = s;
                best[r] = c;
                if (got < 3)
                    got++;
            }
        }
        h1 += got > 0 && has_code(it, it->row[i], best[0]);
        for (r = 0; r < got; r++)
            if (has_code(it, it->row[i], best[r])) {
                h3++;
                break;
            }
    }
    *top1 = n ? (double)h1 / (double)n : 0.0;
    *top3 = n ? (double)h3 / (double)n : 0.0;
}

int linear_select(quarry_engine *e, const feat_blocks *fb, lin_items *it,
                  uint64_t seed, quarry_suggest_choice *ch)
{
    static const double grid_a[] = LINEAR_GRID_SHARE;
    int n_a = (int)(sizeof grid_a / sizeof *grid_a), a;
    int64_t n_calib = 0, n_coded = 0, i, j;
    size_t cells = (size_t)it->n * (size_t)it->C;
    float *probs = NULL;
    cv_plan pl;
    int rc = 0;

    memset(&pl, 0, sizeof pl);
    pl.fold = malloc(((size_t)it->nt + 1) * sizeof *pl.fold);
    pl.skip = malloc((size_t)it->nt + 1);
    probs = malloc((cells ? cells : 1) * sizeof *probs);
    if (!pl.fold || !pl.skip || !probs) {
        rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    for (j = 0; j < it->nt; j++) {
        pl.fold[j] = -1;
        n_coded += it->lab_ptr[j + 1] > it->lab_ptr[j];
    }
    for (i = 0; i < it->n; i++)
        n_calib += it->cut[i] < 0;
    pl.folds = n_coded >= LINEAR_ONE_FOLD * n_calib ? 1
               : n_coded <= LINEAR_C_SEARCH_ROWS ? LINEAR_FOLDS_SMALL
                                                 : LINEAR_FOLDS;
    if (pl.folds > n_calib && n_calib > 0)
        pl.folds = (int32_t)n_calib; /* no fold without an excerpt */
    for (i = 0; i < it->n; i++)
        if (it->cut[i] < 0)
            pl.fold[it->row[i]] =
                (int32_t)(mix((uint64_t)it->row[i] ^ mix(seed)) %
                          (uint64_t)pl.folds);
    ch->folds = pl.folds;
    ch->rows = n_calib;
    accuracy(it, NULL, 0.0, &ch->base_top1, &ch->base_top3);
    if (!ch->auto_selected) {
        rc = cv_probs(e, fb, it, &pl, ch->features, ch->linear_c, seed,
                      probs);
        if (rc != 0)
            goto out;
        accuracy(it, probs, ch->linear, &ch->top1, &ch->top3);
    } else {
        /* Every block built (linear_select.h says why); C from
         * LINEAR_GRID_C on small sets, else LINEAR_AUTO_C; the share the
         * best top-1 + top-3 over the folds' whole rows, ties to the
         * first C and the smaller share; none unless it beats the scores
         * without it. */
        static const double grid_c[] = LINEAR_GRID_C;
        int n_c = n_coded <= LINEAR_C_SEARCH_ROWS
                      ? (int)(sizeof grid_c / sizeof *grid_c)
                      : 1;
        double best = ch->base_top1 + ch->base_top3;
        float *trial = NULL;
        int g;
        ch->features = fb->have;
        ch->linear_c = n_c > 1 ? grid_c[0] : LINEAR_AUTO_C;
        ch->linear = 0.0;
        ch->top1 = ch->base_top1;
        ch->top3 = ch->base_top3;
        if (n_c > 1 &&
            (trial = malloc((cells ? cells : 1) * sizeof *trial)) == NULL) {
            rc = engine_fail(e, QUARRY_ENOMEM, "out of memory");
            goto out;
        }
        for (g = 0; g < n_c; g++) {
            double c = n_c > 1 ? grid_c[g] : LINEAR_AUTO_C;
            float *p = trial != NULL ? trial : probs;
            rc = cv_probs(e, fb, it, &pl, ch->features, c, seed, p);
            if (rc != 0)
                break;
            for (a = 0; a < n_a; a++) {
                double t1, t3;
                accuracy(it, p, grid_a[a], &t1, &t3);
                if (t1 + t3 > best + 1e-12) {
                    best = t1 + t3;
                    ch->linear = grid_a[a];
                    ch->linear_c = c;
                    ch->top1 = t1;
                    ch->top3 = t3;
                    if (p != probs)
                        memcpy(probs, p, cells * sizeof *probs);
                }
            }
        }
        free(trial);
        if (rc != 0)
            goto out;
        if (ch->linear <= 0.0) {
            ch->features = 0;
            ch->linear_c = 1.0;
            goto out;
        }
    }
    for (i = 0; i < (int64_t)cells; i++)
        it->score[i] =
            (1.0 - ch->linear) * it->score[i] + ch->linear * probs[i];
out:
    free(pl.fold);
    free(pl.skip);
    free(probs);
    return rc;
}
