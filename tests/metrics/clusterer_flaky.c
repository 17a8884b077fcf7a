/*
 * clusterer_flaky.c -- a test clusterer for `quarry bench`: deals the rows
 * out round-robin (row i gets i mod k), and aborts, hangs, hangs deaf to
 * SIGALRM (as a plugin could make the child's own alarm useless) or fails
 * when told to (in cluster() or in create()), so the bench can be shown to
 * report a plugin that crashes instead of going down with it. Built only for the tests.
 */
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <quarry/plugin.h>

typedef struct cfg {
    int fail; /* never|odd|always: seeds that crash */
    int how;  /* abort|hang|error|deaf */
    int at;   /* cluster|create: where (create: whenever fail is not never) */
} cfg;

static int create(void **self, const void *config, const quarry_host *host,
                  char *err)
{
    const cfg *want = config;
    cfg *c;
    (void)host;
    if (want->at == 1 && want->fail != 0) {
        if (want->how == 0)
            abort();
        if (want->how == 1)
            for (;;)
                pause();
        snprintf(err, QUARRY_ERR_MAX, "told to fail in create");
        return QUARRY_EPLUGIN;
    }
    c = malloc(sizeof *c);
    if (c == NULL)
        return QUARRY_ENOMEM;
    *c = *(const cfg *)config;
    *self = c;
    return QUARRY_OK;
}

static void destroy(void *self)
{
    free(self);
}

static int cluster(void *self, const quarry_cluster_input *in,
                   quarry_cluster_output *out, char *err)
{
    const cfg *c = self;
    int64_t i, rows = in->x ? in->x->rows : in->dense->rows;
    int32_t k = in->k > 0 ? in->k : 2;
    if (c->fail == 2 || (c->fail == 1 && in->seed % 2 == 1)) {
        if (c->how == 0)
            abort();
        if (c->how == 3)
            signal(SIGALRM, SIG_IGN);
        if (c->how == 1 || c->how == 3)
            for (;;)
                pause();
        snprintf(err, QUARRY_ERR_MAX, "told to fail on seed %llu",
                 (unsigned long long)in->seed);
        return QUARRY_EPLUGIN;
    }
    for (i = 0; i < rows; i++)
        out->labels[i] = (int32_t)(i % k);
    out->n_clusters = k;
    return QUARRY_OK;
}

static const quarry_option opts[] = {
    {"fail", QUARRY_OPT_ENUM, offsetof(cfg, fail), "never", 0, 0,
     "never|odd|always", "seeds on which to fail"},
    {"how", QUARRY_OPT_ENUM, offsetof(cfg, how), "abort", 0, 0,
     "abort|hang|error|deaf", "how to fail"},
    {"at", QUARRY_OPT_ENUM, offsetof(cfg, at), "cluster", 0, 0,
     "cluster|create", "where to fail"},
    QUARRY_OPTIONS_END};

static const quarry_plugin flaky = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_CLUSTERER,
    .name = "flaky",
    .version = "0.0.1",
    .license = "MIT",
    .summary = "round-robin labels; aborts, hangs or fails when told to",
    .config_size = sizeof(cfg),
    .options = opts,
    .create = create,
    .destroy = destroy,
    .needs = QUARRY_NEEDS_SPARSE,
    .cluster = cluster,
};
static const quarry_plugin *const all[] = {&flaky, NULL};
QUARRY_PLUGIN_ENTRY(clusterer_flaky) { return all; }
