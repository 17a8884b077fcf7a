/*
 * chart_agree.c -- the "agreement" chart: kappa, alpha and AC1 per code
 * with their bootstrap intervals as whiskers, for every pair of human
 * coders and, beside them, each coder against the engine: the top
 * suggestion of the latest run taken as the code a coder named after the
 * engine gave the excerpt (quarry_project_top_suggestions), as `quarry
 * agree --engine` does, over the excerpts the engine suggested for. The
 * human pairs come from the same computation as the report's agreement
 * table, so chart and table agree.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "charts.h"
#include "svg.h"

#define MAX_SERIES 8
#define N_PANELS 3

typedef struct pair {
    char *a, *b; /* the coders, as the figures name them */
    char *label;
} pair;

typedef struct engine_ctx {
    quarry_agree_table *t;
    const char *name; /* the engine as a coder */
    char **units;     /* the excerpts it suggested for, sorted */
    size_t n, cap;
} engine_ctx;

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The human codings of the excerpts the engine suggested for: the only
 * units a coder-and-engine pair rests on, so the bootstrap resamples
 * those and not the whole project. */
static int add_human(void *ctx, const quarry_coding_row *r)
{
    engine_ctx *x = ctx;
    const char *key = r->excerpt;
    if (r->settled ||
        bsearch(&key, x->units, x->n, sizeof *x->units, str_cmp) == NULL)
        return 0; /* a settlement is not a coder's own coding */
    return quarry_agree_table_add(x->t, r->excerpt, r->coder, r->code);
}

static int add_engine(void *ctx, const quarry_coding_row *r)
{
    engine_ctx *x = ctx;
    if (x->n == x->cap) {
        size_t cap = x->cap ? 2 * x->cap : 256;
        char **u = realloc(x->units, cap * sizeof *u);
        if (u == NULL)
            return QUARRY_ENOMEM;
        x->units = u;
        x->cap = cap;
    }
    if ((x->units[x->n] = strdup(r->excerpt)) == NULL)
        return QUARRY_ENOMEM;
    x->n++;
    return quarry_agree_table_add(x->t, r->excerpt, x->name, r->code);
}

/* The series of the figure's pair, or -1. */
static int find_pair(const pair *v, int n, const quarry_agree_figure *g)
{
    int i;
    if (g->n_coders != 2)
        return -1;
    for (i = 0; i < n; i++)
        if ((strcmp(v[i].a, g->coders[0]) == 0 &&
             strcmp(v[i].b, g->coders[1]) == 0) ||
            (strcmp(v[i].a, g->coders[1]) == 0 &&
             strcmp(v[i].b, g->coders[0]) == 0))
            return i;
    return -1;
}

static int add_pair(pair *v, int *n, const char *a, const char *b,
                    const char *label)
{
    if (*n >= MAX_SERIES)
        return 0;
    v[*n].a = strdup(a);
    v[*n].b = strdup(b);
    v[*n].label = strdup(label);
    if (v[*n].a == NULL || v[*n].b == NULL || v[*n].label == NULL)
        return QUARRY_ENOMEM;
    (*n)++;
    return 0;
}

/* Put the pair figures of a into the cells of the series they belong
 * to; row_of maps a code's index to its row (row 0: overall). */
static void fill(const quarry_agreement *a, const report_data *d,
                 const int32_t *row_of, const pair *v, int nv, int first,
                 double *val, double *lo, double *hi, int64_t *units)
{
    size_t i;
    for (i = 0; a != NULL && i < quarry_agreement_size(a); i++) {
        const quarry_agree_figure *g = quarry_agreement_at(a, i);
        int s = find_pair(v + first, nv - first, g);
        int32_t row, ci;
        size_t at;
        if (s < 0)
            continue;
        s += first;
        if (g->scope == NULL) {
            row = 0;
        } else {
            ci = report_code_find(d, g->scope);
            if (ci < 0 || row_of[ci] < 0)
                continue;
            row = row_of[ci];
        }
        at = ((size_t)row * MAX_SERIES + (size_t)s) * N_PANELS;
        val[at] = g->kappa;
        lo[at] = g->kappa_ci[0];
        hi[at] = g->kappa_ci[1];
        val[at + 1] = g->alpha;
        lo[at + 1] = g->alpha_ci[0];
        hi[at + 1] = g->alpha_ci[1];
        val[at + 2] = g->ac1;
        lo[at + 2] = g->ac1_ci[0];
        hi[at + 2] = g->ac1_ci[1];
        if (g->scope == NULL)
            units[s] = g->units;
    }
}

/* The engine against each human coder (n_humans of them, names from the
 * human table), one computation per coder; *out[i] NULL when none. */
static int engine_agreement(report_ctx *c, const char *engine,
                            quarry_agree_table **tp, quarry_agreement **out,
                            int n)
{
    quarry_agree_options ao = QUARRY_AGREE_OPTIONS_INIT;
    engine_ctx x;
    size_t u;
    int rc, i;
    rc = quarry_agree_table_new(tp);
    if (rc != QUARRY_OK)
        return rc;
    memset(&x, 0, sizeof x);
    x.t = *tp;
    x.name = engine;
    rc = quarry_project_top_suggestions(c->p, add_engine, &x);
    if (rc == QUARRY_OK) {
        qsort(x.units, x.n, sizeof *x.units, str_cmp);
        rc = quarry_project_codings(c->p, add_human, &x);
    }
    for (u = 0; u < x.n; u++)
        free(x.units[u]);
    free(x.units);
    if (rc != QUARRY_OK) {
        snprintf(c->err, c->errcap, "%s",
                 quarry_agree_table_errmsg(*tp)[0]
                     ? quarry_agree_table_errmsg(*tp)
                     : quarry_project_errmsg(c->p));
        return rc;
    }
    if (quarry_agree_table_find_coder(*tp, engine) < 0)
        return QUARRY_OK; /* every top suggestion abstained */
    ao.bootstrap = c->o->bootstrap;
    ao.seed = c->o->seed;
    for (i = 0; i < n; i++) {
        const char *two[2];
        two[0] = quarry_agree_table_coder(c->d->agree, i);
        if (quarry_agree_table_find_coder(*tp, two[0]) < 0)
            continue; /* coded none of the engine's excerpts */
        two[1] = engine;
        ao.coders = two;
        ao.n_coders = 2;
        rc = quarry_agreement_compute(&out[i], *tp, &ao);
        if (rc != QUARRY_OK) {
            snprintf(c->err, c->errcap, "%s", quarry_agree_table_errmsg(*tp));
            return rc;
        }
    }
    return QUARRY_OK;
}

int chart_agreement(report_ctx *c, FILE *f)
{
    static const char title[] = "Agreement per code";
    static const char *const panels[N_PANELS] = {
        "Cohen's kappa", "Krippendorff's alpha", "Gwet's AC1"};
    const report_data *d = c->d;
    quarry_agreement *human = NULL, *eng[MAX_SERIES];
    quarry_agree_table *et = NULL;
    pair v[MAX_SERIES];
    const char *labels[MAX_SERIES], **rows = NULL;
    const char *engine = "quarry";
    int64_t units[MAX_SERIES];
    int32_t nh = quarry_agree_table_n_coders(d->agree), n = 0, i, j;
    int32_t *codes = NULL, *row_of = NULL;
    double *val = NULL, *lo = NULL, *hi = NULL;
    int nv = 0, ne = 0, rc, s, k, engine_first;
    size_t cells;

    memset(eng, 0, sizeof eng);
    memset(v, 0, sizeof v);
    rc = report_agreement(c, &human);
    if (rc != QUARRY_OK)
        return rc;
    if (quarry_agree_table_find_coder(d->agree, engine) >= 0)
        engine = "quarry (engine)"; /* a person is called quarry */
    if (nh > MAX_SERIES)
        nh = MAX_SERIES;
    if (d->counts.runs > 0 && nh > 0) {
        rc = engine_agreement(c, engine, &et, eng, nh);
        if (rc != QUARRY_OK)
            goto out;
    }
    /* The series: human pairs first, then each coder against the engine
     * when they share an excerpt. */
    for (i = 0; human != NULL && i < quarry_agree_table_n_coders(d->agree); i++)
        for (j = i + 1; j < quarry_agree_table_n_coders(d->agree); j++) {
            char label[256];
            const char *a = quarry_agree_table_coder(d->agree, i);
            const char *b = quarry_agree_table_coder(d->agree, j);
            snprintf(label, sizeof label, "%s & %s", a, b);
            if ((rc = add_pair(v, &nv, a, b, label)) != 0)
                goto out;
        }
    engine_first = nv;
    for (i = 0; i < nh; i++) {
        const quarry_agree_figure *g =
            eng[i] ? quarry_agreement_at(eng[i], 0) : NULL;
        char label[256];
        const char *a = quarry_agree_table_coder(d->agree, i);
        if (g == NULL || g->units == 0)
            continue;
        snprintf(label, sizeof label, "%s & engine", a);
        if ((rc = add_pair(v, &nv, a, engine, label)) != 0)
            goto out;
        ne++;
    }
    codes = report_used_codes(d, c->o->max_codes, &n);
    if (codes == NULL) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    if (nv == 0 || n == 0) {
        char msg[400];
        if (n == 0)
            snprintf(msg, sizeof msg,
                     "No agreement chart: no excerpt is coded yet.");
        else if (d->counts.runs > 0)
            snprintf(msg, sizeof msg,
                     "No agreement chart: the project has %s coder%s, and "
                     "the engine's suggestions are on no excerpt a coder "
                     "coded. Import a second coder's codings of the same "
                     "excerpts, or review the suggestions.",
                     nh == 0 ? "no" : "one", nh == 0 ? "" : " only");
        else
            snprintf(msg, sizeof msg,
                     "No agreement chart: the project has %s coder%s and "
                     "no suggestions to compare with. Import a second "
                     "coder's codings of the same excerpts to compare "
                     "them.",
                     nh == 0 ? "no" : "one", nh == 0 ? "" : " only");
        rc = report_chart_empty(c, f, title, msg);
        goto out;
    }
    row_of = malloc(sizeof *row_of * ((size_t)d->n_codes + 1));
    rows = malloc(sizeof *rows * ((size_t)n + 1));
    cells = ((size_t)n + 1) * MAX_SERIES * N_PANELS;
    val = malloc(sizeof *val * cells);
    lo = malloc(sizeof *lo * cells);
    hi = malloc(sizeof *hi * cells);
    if (row_of == NULL || rows == NULL || val == NULL || lo == NULL ||
        hi == NULL) {
        rc = QUARRY_ENOMEM;
        goto out;
    }
    for (i = 0; i < d->n_codes; i++)
        row_of[i] = -1;
    rows[0] = "All codes (overall)";
    for (i = 0; i < n; i++) {
        row_of[codes[i]] = i + 1;
        rows[i + 1] = d->codes[codes[i]].name;
    }
    for (cells = 0; cells < ((size_t)n + 1) * MAX_SERIES * N_PANELS; cells++)
        val[cells] = lo[cells] = hi[cells] = NAN;
    for (s = 0; s < MAX_SERIES; s++)
        units[s] = 0;
    fill(human, d, row_of, v, engine_first, 0, val, lo, hi, units);
    for (i = 0; i < nh; i++)
        fill(eng[i], d, row_of, v, nv, engine_first, val, lo, hi, units);
    {
        /* Every pair compares nothing: say so, not a chart of n/a. */
        int64_t any = 0;
        for (s = 0; s < nv; s++)
            any += units[s];
        if (any == 0) {
            rc = report_chart_empty(
                c, f, title,
                "No agreement chart: the coders coded no excerpt in common, "
                "so there is nothing to compare. Agreement needs two coders "
                "(or a coder and the engine's suggestions) on the same "
                "excerpts.");
            goto out;
        }
    }
    /* The intervals chart wants n_series cells per row, not MAX_SERIES:
     * pack them. */
    for (i = 0; i <= n; i++)
        for (s = 0; s < nv; s++)
            for (k = 0; k < N_PANELS; k++) {
                size_t from = ((size_t)i * MAX_SERIES + s) * N_PANELS + k;
                size_t to = ((size_t)i * nv + s) * N_PANELS + k;
                val[to] = val[from];
                lo[to] = lo[from];
                hi[to] = hi[from];
            }
    for (s = 0; s < nv; s++)
        labels[s] = v[s].label;
    {
        quarry_svg_intervals iv = {
            title,
            "Dots with whiskers: for each code (rows) and each pair of "
            "coders (marker shape and colour, in the legend), Cohen's "
            "kappa, Krippendorff's alpha and Gwet's AC1 in three panels "
            "from -1 to 1, with their 95% intervals; a dashed line marks 0, "
            "chance agreement.",
            n + 1,
            rows,
            nv,
            labels,
            N_PANELS,
            panels,
            val,
            lo,
            hi,
            -1,
            1};
        if (quarry_svg_intervals_write(f, &iv) != 0) {
            rc = QUARRY_EIO;
            goto out;
        }
    }
    report_cap(c,
               "Per code: whether each coder of a pair applied the code, over "
               "the excerpts both coded; the first row takes the code as the "
               "value over all codes. Dots are the figures; whiskers their "
               "95%% bootstrap intervals (%d resamples, seed %llu); n/a: "
               "undefined (no variation). The dashed line is 0, chance "
               "agreement; AC1 stays meaningful for a rare code where kappa "
               "collapses.",
               (int)c->o->bootstrap, (unsigned long long)c->o->seed);
    if (ne > 0) {
        report_cap(c, " <b>Coder &amp; engine</b>: the engine's top "
                      "suggestion of the latest run as a coder's code, over "
                      "the excerpts it suggested for that the coder coded (");
        for (s = engine_first; s < nv; s++) {
            report_cap(c, "%s", s > engine_first ? ", " : "");
            report_cap_esc(c, v[s].a);
            report_cap(c, ": %lld", (long long)units[s]);
        }
        report_cap(c, "). A suggestion the coder accepted counts as "
                      "agreement, so read these as the engine's agreement "
                      "with what coders kept, not as an independent "
                      "test.");
    }
    if (nv == MAX_SERIES)
        report_cap(c, " The first %d pairs are shown.", MAX_SERIES);
    rc = QUARRY_OK;
out:
    for (s = 0; s < MAX_SERIES; s++) {
        free(v[s].a);
        free(v[s].b);
        free(v[s].label);
        quarry_agreement_free(eng[s]);
    }
    quarry_agree_table_free(et);
    free(codes);
    free(row_of);
    free(rows);
    free(val);
    free(lo);
    free(hi);
    return rc;
}
