/*
 * engine.c -- the engine handle: its search paths for plugins and
 * dictionaries, its last error message, logging through the embedder's
 * callback, and the host service table plugins receive. Loading lives in
 * loader.c, options and instances in option.c.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

int engine_fail(quarry_engine *e, int status, const char *fmt, ...)
{
    va_list ap;
    if (e == NULL)
        return status;
    va_start(ap, fmt);
    vsnprintf(e->errmsg, sizeof e->errmsg, fmt, ap);
    va_end(ap);
    return status;
}

void engine_log(quarry_engine *e, int level, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    if (e == NULL || e->log == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    e->log(e->log_ctx, level, buf);
}

double engine_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void engine_phase(quarry_engine *e, double *t, const char *what)
{
    double now = engine_now();
    engine_log(e, QUARRY_LOG_DEBUG, "%s: %.3f s", what, now - *t);
    *t = now;
}

int engine_dirs_append(char ***dirs, size_t *n, const char *list)
{
    const char *p = list;
    if (list == NULL)
        return QUARRY_OK;
    while (*p != '\0') {
        const char *end = strchr(p, ':');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > 0) {
            char **grown = realloc(*dirs, (*n + 1) * sizeof *grown);
            if (grown == NULL)
                return QUARRY_ENOMEM;
            *dirs = grown;
            grown[*n] = strndup(p, len);
            if (grown[*n] == NULL)
                return QUARRY_ENOMEM;
            (*n)++;
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return QUARRY_OK;
}

/* The folder of the libquarry file this code runs from, so an installed
 * quarry moved to another prefix still finds its plugins and dictionaries. */
static int self_dir(char *out, size_t cap)
{
    Dl_info info;
    const char *slash;
    if (dladdr((void *)quarry_engine_new, &info) == 0 ||
        info.dli_fname == NULL)
        return -1;
    slash = strrchr(info.dli_fname, '/');
    if (slash == NULL || (size_t)(slash - info.dli_fname) + 1 > cap)
        return -1;
    memcpy(out, info.dli_fname, (size_t)(slash - info.dli_fname));
    out[slash - info.dli_fname] = '\0';
    return 0;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int quarry_engine_new(quarry_engine **out, const quarry_engine_options *opts)
{
    quarry_engine_options defaults = QUARRY_ENGINE_OPTIONS_INIT;
    quarry_engine *e;
    int rc = QUARRY_ENOMEM;
    size_t i, len = 0;
    char self[4096], rel[4200], rel_dict[4200] = "";
    int have_self, in_build;

    if (out == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    if (opts == NULL)
        opts = &defaults;
    if (opts->version != 1 && opts->version != QUARRY_ENGINE_OPTIONS_VERSION)
        return QUARRY_EINVAL;
    if (opts->version >= 2 && opts->threads < 0)
        return QUARRY_ERANGE;
    e = calloc(1, sizeof *e);
    if (e == NULL)
        return QUARRY_ENOMEM;
    e->log = opts->log;
    e->log_ctx = opts->log_ctx;
    e->progress = opts->progress;
    e->progress_ctx = opts->progress_ctx;
    e->threads = opts->version >= 2 ? opts->threads : 0;

    if (engine_dirs_append(&e->dirs, &e->n_dirs, opts->plugin_path) != 0)
        goto fail;
    if (engine_dirs_append(&e->dict_dirs, &e->n_dict_dirs,
                           opts->dictionary_path) != 0)
        goto fail;
    if (opts->use_default_paths) {
        if (engine_dirs_append(&e->dirs, &e->n_dirs,
                               getenv("QUARRY_PLUGIN_PATH")) != 0)
            goto fail;
        /* The build tree's plugins serve a quarry run from the build
         * tree; an installed one looks beside its own library. */
        have_self = self_dir(self, sizeof self) == 0;
        in_build = have_self && strncmp(self, QUARRY_BUILD_ROOT,
                                        strlen(QUARRY_BUILD_ROOT)) == 0;
        if (in_build && is_dir(QUARRY_BUILD_PLUGIN_DIR) &&
            engine_dirs_append(&e->dirs, &e->n_dirs,
                               QUARRY_BUILD_PLUGIN_DIR) != 0)
            goto fail;
        if (have_self && !in_build) {
            snprintf(rel, sizeof rel, "%s/%s", self, QUARRY_REL_PLUGIN_DIR);
            if (is_dir(rel) && strcmp(rel, QUARRY_INSTALL_PLUGIN_DIR) != 0 &&
                engine_dirs_append(&e->dirs, &e->n_dirs, rel) != 0)
                goto fail;
            snprintf(rel_dict, sizeof rel_dict, "%s/%s", self,
                     QUARRY_REL_DICT_DIR);
        }
        if (engine_dirs_append(&e->dirs, &e->n_dirs,
                               QUARRY_INSTALL_PLUGIN_DIR) != 0)
            goto fail;
        if (engine_dirs_append(&e->dict_dirs, &e->n_dict_dirs,
                               getenv("QUARRY_DICT_PATH")) != 0)
            goto fail;
        if (in_build && is_dir(QUARRY_SOURCE_DICT_DIR) &&
            engine_dirs_append(&e->dict_dirs, &e->n_dict_dirs,
                               QUARRY_SOURCE_DICT_DIR) != 0)
            goto fail;
        if (rel_dict[0] != '\0' && is_dir(rel_dict) &&
            engine_dirs_append(&e->dict_dirs, &e->n_dict_dirs, rel_dict) != 0)
            goto fail;
        if (engine_dirs_append(&e->dict_dirs, &e->n_dict_dirs,
                               QUARRY_INSTALL_DICT_DIR) != 0)
            goto fail;
    }
    for (i = 0; i < e->n_dirs; i++)
        len += strlen(e->dirs[i]) + 1;
    e->dirs_text = calloc(1, len + 1);
    if (e->dirs_text == NULL)
        goto fail;
    for (i = 0; i < e->n_dirs; i++) {
        strcat(e->dirs_text, e->dirs[i]);
        strcat(e->dirs_text, "\n");
    }

    *out = e;
    return QUARRY_OK;
fail:
    quarry_engine_free(e);
    return rc;
}

void quarry_engine_free(quarry_engine *e)
{
    size_t i;
    if (e == NULL)
        return;
    for (i = 0; i < e->n_dirs; i++)
        free(e->dirs[i]);
    free(e->dirs);
    free(e->dirs_text);
    for (i = 0; i < e->n_dict_dirs; i++)
        free(e->dict_dirs[i]);
    free(e->dict_dirs);
    for (i = 0; i < e->n_plugins; i++) {
        free(e->plugins[i]->origin);
        free(e->plugins[i]);
    }
    free(e->plugins);
    for (i = 0; i < e->n_loaded; i++)
        free(e->loaded[i]);
    free(e->loaded);
    for (i = 0; i < e->n_options; i++) {
        free(e->options[i].plugin);
        free(e->options[i].key);
        free(e->options[i].value);
    }
    free(e->options);
    /* Under AddressSanitizer the objects stay mapped so that a leak report
     * can still name the plugin's functions. */
#ifndef QUARRY_SANITIZE
    for (i = 0; i < e->n_handles; i++)
        dlclose(e->handles[i]);
#endif
    free(e->handles);
    free(e);
}

const char *quarry_engine_errmsg(const quarry_engine *e)
{
    if (e == NULL)
        return "no engine";
    return e->errmsg[0] ? e->errmsg : "no error";
}

const char *quarry_engine_plugin_dirs(const quarry_engine *e)
{
    return e ? e->dirs_text : "";
}

int quarry_engine_find_dictionary(quarry_engine *e, const char *name,
                                  char *path, size_t cap)
{
    size_t i;
    if (e == NULL || name == NULL || path == NULL || cap == 0)
        return QUARRY_EINVAL;
    /* A path that exists as given wins: "./my-stopwords.txt". */
    if (strchr(name, '/') != NULL && access(name, R_OK) == 0) {
        if (strlen(name) >= cap)
            return engine_fail(e, QUARRY_ERANGE, "%s: path too long", name);
        strcpy(path, name);
        return QUARRY_OK;
    }
    for (i = 0; i < e->n_dict_dirs; i++) {
        int n = snprintf(path, cap, "%s/%s", e->dict_dirs[i], name);
        if (n < 0 || (size_t)n >= cap)
            continue;
        if (access(path, R_OK) == 0)
            return QUARRY_OK;
    }
    path[0] = '\0';
    return engine_fail(e, QUARRY_ENOTFOUND,
                       "dictionary \"%s\" not found (looked in %zu folders: "
                       "--dictionary-path, QUARRY_DICT_PATH, %s, %s)",
                       name, e->n_dict_dirs, QUARRY_SOURCE_DICT_DIR,
                       QUARRY_INSTALL_DICT_DIR);
}

const char *quarry_kind_name(quarry_plugin_kind kind)
{
    switch (kind) {
    case QUARRY_KIND_TOKENIZER:
        return "tokenizer";
    case QUARRY_KIND_STEMMER:
        return "stemmer";
    case QUARRY_KIND_WEIGHTING:
        return "weighting";
    case QUARRY_KIND_CLUSTERER:
        return "clusterer";
    }
    return "unknown";
}

quarry_plugin_kind quarry_kind_from_name(const char *name)
{
    int k;
    if (name == NULL)
        return (quarry_plugin_kind)0;
    for (k = QUARRY_KIND_TOKENIZER; k <= QUARRY_KIND_CLUSTERER; k++)
        if (strcmp(name, quarry_kind_name((quarry_plugin_kind)k)) == 0)
            return (quarry_plugin_kind)k;
    return (quarry_plugin_kind)0;
}
