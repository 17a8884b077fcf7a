/*
 * chart_calib.c -- the "reliability" chart: how far the engine's
 * confidence can be trusted, from the suggestions coders decided on. An
 * accepted suggestion was right, a rejected or replaced one wrong;
 * undone decisions are left out (quarry_project_decided_suggestions),
 * and so are those taken in a batch (accept-above): they accepted what
 * the confidence said and would vouch for themselves. The decisions are
 * put in ten bins of confidence; the expected calibration error (ECE)
 * is the mean gap between a bin's share accepted and its mean
 * confidence, weighted by the bin's decisions.
 */
#include <math.h>
#include <string.h>

#include "charts.h"
#include "quarry/project_stats.h"
#include "svg.h"

#define N_BINS 10

typedef struct calib {
    int64_t n[N_BINS], right[N_BINS];
    double conf[N_BINS];
    int64_t batch; /* left out: taken in a batch */
} calib;

static int on_decided(void *ctx, const quarry_decided_suggestion *d)
{
    calib *k = ctx;
    double conf = d->confidence;
    int b;
    if (d->batch != NULL) {
        k->batch++;
        return 0;
    }
    if (!(conf >= 0))
        conf = 0;
    if (conf > 1)
        conf = 1;
    b = (int)(conf * N_BINS);
    if (b >= N_BINS)
        b = N_BINS - 1; /* a confidence of 1 belongs to the last bin */
    k->n[b]++;
    k->right[b] += strcmp(d->verdict, "accept") == 0;
    k->conf[b] += conf;
    return 0;
}

int chart_reliability(report_ctx *c, FILE *f)
{
    static const char title[] = "Reliability of the engine's confidence";
    calib k;
    double mean[N_BINS], ece = 0;
    int64_t total = 0, right = 0;
    int b, rc;
    quarry_svg_reliability r;

    memset(&k, 0, sizeof k);
    rc = quarry_project_decided_suggestions(c->p, on_decided, &k);
    if (rc != QUARRY_OK) {
        snprintf(c->err, c->errcap, "%s", quarry_project_errmsg(c->p));
        return rc;
    }
    for (b = 0; b < N_BINS; b++) {
        total += k.n[b];
        right += k.right[b];
        mean[b] = k.n[b] > 0 ? k.conf[b] / (double)k.n[b] : NAN;
    }
    if (total == 0) {
        char msg[400];
        if (c->d->counts.runs == 0)
            snprintf(msg, sizeof msg,
                     "No reliability diagram: quarry made no suggestions "
                     "in this project yet (Suggest codes on the web page, or "
                     "quarry suggest, makes them).");
        else
            snprintf(msg, sizeof msg,
                     "No reliability diagram: no coder has decided on a "
                     "suggestion yet%s (accept, reject or replace them in "
                     "Review).",
                     k.batch > 0 ? " by hand" : "");
        return report_chart_empty(c, f, title, msg);
    }
    for (b = 0; b < N_BINS; b++)
        if (k.n[b] > 0)
            ece += (double)k.n[b] / (double)total *
                   fabs((double)k.right[b] / (double)k.n[b] - mean[b]);
    r.title = title;
    r.desc = "Bars of the share of suggestions coders accepted in each bin "
             "of the engine's confidence, against a dashed diagonal where "
             "the share equals the confidence; the row of numbers under the "
             "axis gives the decisions in each bin.";
    r.n_bins = N_BINS;
    r.n = k.n;
    r.right = k.right;
    r.mean_conf = mean;
    r.ece = ece;
    if (quarry_svg_reliability_write(f, &r) != 0)
        return QUARRY_EIO;
    report_cap(c,
               "The suggestions coders decided on, in ten bins of the "
               "engine's confidence: the bar is the share accepted "
               "(observed accuracy; rejected or replaced counts as "
               "wrong), the row n under the axis the decisions in each bin. A "
               "well calibrated engine's bars reach the dashed diagonal. "
               "%lld decisions, %lld accepted; expected calibration error "
               "(ECE, the gap to the diagonal weighted by the decisions) "
               "%.3f. Undone decisions are left out",
               (long long)total, (long long)right, ece);
    if (k.batch > 0)
        report_cap(c,
                   ", and so are %lld taken in a batch (accept-above), "
                   "which accepted what the confidence said",
                   (long long)k.batch);
    report_cap(c, ".");
    return QUARRY_OK;
}
