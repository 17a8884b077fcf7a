/*
 * engine.h -- the engine's insides, shared by engine.c, loader.c, option.c
 * and the pipeline modules. Never installed.
 */
#ifndef QUARRY_ENGINE_H
#define QUARRY_ENGINE_H

#include "quarry/quarry.h"

typedef struct engine_plugin {
    quarry_plugin desc; /* normalised copy: fields past the plugin's size zeroed */
    char *origin;       /* file path, or the origin given to register */
} engine_plugin;

typedef struct engine_option {
    char *plugin;
    char *key;
    char *value;
    int used;
} engine_option;

struct quarry_engine {
    char errmsg[1024];
    quarry_log_fn log;
    void *log_ctx;
    quarry_progress_fn progress;
    void *progress_ctx;

    char **dirs; /* plugin search path, in order */
    size_t n_dirs;
    char *dirs_text;
    char **dict_dirs;
    size_t n_dict_dirs;

    engine_plugin **plugins; /* each allocated once: pointers handed out stay valid */
    size_t n_plugins, cap_plugins;
    void **handles; /* dlopen handles, closed at teardown */
    size_t n_handles, cap_handles;
    char **loaded; /* file names (basenames) already opened */
    size_t n_loaded, cap_loaded;

    engine_option *options;
    size_t n_options, cap_options;

    int last_refusal; /* status of the last refused plugin or file */
    int threads;      /* worker threads (parallel.h); 0 = every core */
};

struct quarry_instance {
    quarry_engine *engine;
    const quarry_plugin *plugin;
    void *config;
    void *self;
    quarry_host host; /* ctx = this instance, so messages name the plugin */
};

/* Set the engine's message (printf-style) and return status. */
int engine_fail(quarry_engine *e, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Log through the embedder's callback, if any. */
void engine_log(quarry_engine *e, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Wall-clock phases at debug level: engine_phase(e, &t, "fit") logs
 * "fit: 0.53 s" (the seconds since *t) and sets *t to now. Start with
 * t = engine_now(). */
double engine_now(void);
void engine_phase(quarry_engine *e, double *t, const char *what);
/* Split a colon-separated list and append each non-empty folder. */
int engine_dirs_append(char ***dirs, size_t *n, const char *list);
/* Row-major SGEMM through the one BLAS wrapper (blas.c). */
void engine_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k,
                  float alpha, const float *a, int64_t lda, const float *b,
                  int64_t ldb, float beta, float *c, int64_t ldc);
/* Through the same wrapper, in double (row-major, packed): the upper
 * triangle of c (n x n) = a^T a for a (k x n), and c (m x n) = a (m x k)
 * b (k x n). */
void engine_dgram(int64_t n, int64_t k, const double *a, double *c);
void engine_dgemm_nn(int64_t m, int64_t n, int64_t k, const double *a,
                     const double *b, double *c);
/* Set the BLAS thread count (n > 0), returning the one in effect before:
 * a caller that runs its own workers, each calling BLAS on its own block,
 * sets 1 around them and puts the old count back (blas.c). */
int engine_blas_threads(int n);

#endif
