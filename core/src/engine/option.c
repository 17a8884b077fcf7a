/*
 * option.c -- plugin options and instances.
 *
 * A plugin declares its options as a static table (name, type, offset into
 * its config struct, default, range, help); the host parses the text a user
 * wrote ("kmeans.n_init=5"), checks it and fills the struct, then calls the
 * plugin's create(). Plugins never parse option text themselves.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "engine.h"
#include "parallel.h"

static int ranged(const quarry_option *o)
{
    return o->min <= o->max;
}

int quarry_option_parse(const quarry_option *o, const char *value,
                        void *config, char *err, size_t errcap)
{
    unsigned char *field;
    if (o == NULL || value == NULL || config == NULL)
        return QUARRY_EINVAL;
    field = (unsigned char *)config + o->offset;
    switch (o->type) {
    case QUARRY_OPT_BOOL: {
        static const char *const yes[] = {"1", "true", "yes", "on"};
        static const char *const no[] = {"0", "false", "no", "off"};
        int v = -1;
        size_t i;
        for (i = 0; i < 4; i++) {
            if (strcasecmp(value, yes[i]) == 0)
                v = 1;
            if (strcasecmp(value, no[i]) == 0)
                v = 0;
        }
        if (v < 0) {
            snprintf(err, errcap, "\"%s\" is not a boolean (true or false)",
                     value);
            return QUARRY_EINVAL;
        }
        memcpy(field, &v, sizeof v);
        return QUARRY_OK;
    }
    case QUARRY_OPT_INT: {
        char *end;
        long long v;
        int64_t v64;
        errno = 0;
        v = strtoll(value, &end, 10);
        if (end == value || *end != '\0' || errno == ERANGE ||
            isspace((unsigned char)value[0])) {
            snprintf(err, errcap, "\"%s\" is not an integer", value);
            return QUARRY_EINVAL;
        }
        if (ranged(o) && ((double)v < o->min || (double)v > o->max)) {
            snprintf(err, errcap, "%lld is out of range [%.17g, %.17g]", v,
                     o->min, o->max);
            return QUARRY_ERANGE;
        }
        v64 = (int64_t)v;
        memcpy(field, &v64, sizeof v64);
        return QUARRY_OK;
    }
    case QUARRY_OPT_DOUBLE: {
        char *end;
        double v;
        errno = 0;
        v = strtod(value, &end);
        if (end == value || *end != '\0' || errno == ERANGE || !isfinite(v) ||
            isspace((unsigned char)value[0])) {
            snprintf(err, errcap, "\"%s\" is not a finite number", value);
            return QUARRY_EINVAL;
        }
        if (ranged(o) && (v < o->min || v > o->max)) {
            snprintf(err, errcap, "%g is out of range [%g, %g]", v, o->min,
                     o->max);
            return QUARRY_ERANGE;
        }
        memcpy(field, &v, sizeof v);
        return QUARRY_OK;
    }
    case QUARRY_OPT_STRING:
        memcpy(field, &value, sizeof value);
        return QUARRY_OK;
    case QUARRY_OPT_ENUM: {
        const char *c = o->choices;
        size_t vlen = strlen(value);
        int idx = 0;
        while (c != NULL && *c != '\0') {
            const char *bar = strchr(c, '|');
            size_t len = bar ? (size_t)(bar - c) : strlen(c);
            if (len == vlen && strncmp(c, value, len) == 0) {
                memcpy(field, &idx, sizeof idx);
                return QUARRY_OK;
            }
            idx++;
            c = bar ? bar + 1 : NULL;
        }
        snprintf(err, errcap, "\"%s\" is not one of %s", value,
                 o->choices ? o->choices : "(none)");
        return QUARRY_EINVAL;
    }
    }
    snprintf(err, errcap, "unknown option type %d", (int)o->type);
    return QUARRY_EINVAL;
}

int quarry_engine_set_option(quarry_engine *e, const char *spec)
{
    const char *dot, *eq;
    engine_option *slot = NULL;
    size_t i;
    char *plugin, *key, *value;

    if (e == NULL || spec == NULL)
        return QUARRY_EINVAL;
    dot = strchr(spec, '.');
    eq = strchr(spec, '=');
    if (dot == NULL || eq == NULL || dot > eq || dot == spec || eq == dot + 1)
        return engine_fail(e, QUARRY_EINVAL,
                           "option \"%s\": expected plugin.key=value "
                           "(e.g. kmeans.n_init=5)",
                           spec);
    plugin = strndup(spec, (size_t)(dot - spec));
    key = strndup(dot + 1, (size_t)(eq - dot - 1));
    value = strdup(eq + 1);
    if (plugin == NULL || key == NULL || value == NULL) {
        free(plugin);
        free(key);
        free(value);
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    }
    for (i = 0; i < e->n_options; i++)
        if (strcmp(e->options[i].plugin, plugin) == 0 &&
            strcmp(e->options[i].key, key) == 0)
            slot = &e->options[i];
    if (slot != NULL) {
        /* The last setting wins, as on a command line. */
        free(slot->plugin);
        free(slot->key);
        free(slot->value);
    } else {
        if (e->n_options == e->cap_options) {
            size_t cap = e->cap_options ? 2 * e->cap_options : 8;
            engine_option *grown = realloc(e->options, cap * sizeof *grown);
            if (grown == NULL) {
                free(plugin);
                free(key);
                free(value);
                return engine_fail(e, QUARRY_ENOMEM, "out of memory");
            }
            e->options = grown;
            e->cap_options = cap;
        }
        slot = &e->options[e->n_options++];
    }
    slot->plugin = plugin;
    slot->key = key;
    slot->value = value;
    slot->used = 0;
    return QUARRY_OK;
}

const char *quarry_engine_unused_option(const quarry_engine *e)
{
    static __thread char buf[256];
    size_t i;
    if (e == NULL)
        return NULL;
    for (i = 0; i < e->n_options; i++)
        if (!e->options[i].used) {
            snprintf(buf, sizeof buf, "%s.%s", e->options[i].plugin,
                     e->options[i].key);
            return buf;
        }
    return NULL;
}

/* Per-instance host services: ctx is the instance, so a plugin's messages
 * carry its name. */
static void inst_log(void *ctx, int level, const char *fmt, va_list ap)
{
    quarry_instance *inst = ctx;
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    engine_log(inst->engine, level, "%s: %s", inst->plugin->name, buf);
}

static int inst_find_dictionary(void *ctx, const char *name, char *path,
                                size_t cap)
{
    quarry_instance *inst = ctx;
    return quarry_engine_find_dictionary(inst->engine, name, path, cap);
}

static void inst_sgemm(void *ctx, int ta, int tb, int64_t m, int64_t n,
                       int64_t k, float alpha, const float *a, int64_t lda,
                       const float *b, int64_t ldb, float beta, float *c,
                       int64_t ldc)
{
    (void)ctx;
    engine_sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static int inst_progress(void *ctx, int64_t done, int64_t total)
{
    quarry_instance *inst = ctx;
    quarry_engine *e = inst->engine;
    if (e->progress == NULL)
        return 0;
    return e->progress(e->progress_ctx, inst->plugin->name, done, total);
}

static int list_option_names(const quarry_plugin *p, char *buf, size_t cap)
{
    const quarry_option *o;
    size_t used = 0;
    buf[0] = '\0';
    if (p->options == NULL || p->options[0].name == NULL) {
        snprintf(buf, cap, "it has none");
        return 0;
    }
    for (o = p->options; o->name != NULL; o++) {
        int n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "",
                         o->name);
        if (n < 0 || (size_t)n >= cap - used)
            break;
        used += (size_t)n;
    }
    return 0;
}

/* Parse p's defaults and the engine's options for p into config (of
 * p->config_size bytes), marking those options used. */
static int parse_options(quarry_engine *e, const quarry_plugin *p,
                         void *config)
{
    const quarry_option *o;
    char err[QUARRY_ERR_MAX];
    size_t i;
    int rc;
    if (p->options != NULL)
        for (o = p->options; o->name != NULL; o++)
            if (quarry_option_parse(o, o->default_value, config, err,
                                    sizeof err) != 0)
                return engine_fail(e, QUARRY_EPLUGIN,
                                   "plugin %s: default of option %s: %s",
                                   p->name, o->name, err);
    for (i = 0; i < e->n_options; i++) {
        engine_option *eo = &e->options[i];
        const quarry_option *hit = NULL;
        if (strcmp(eo->plugin, p->name) != 0)
            continue;
        if (p->options != NULL)
            for (o = p->options; o->name != NULL; o++)
                if (strcmp(o->name, eo->key) == 0)
                    hit = o;
        if (hit == NULL) {
            char names[256];
            list_option_names(p, names, sizeof names);
            return engine_fail(e, QUARRY_EINVAL,
                               "option %s.%s: %s %s has no option \"%s\" (%s)",
                               eo->plugin, eo->key, quarry_kind_name(p->kind),
                               p->name, eo->key, names);
        }
        rc = quarry_option_parse(hit, eo->value, config, err, sizeof err);
        if (rc != 0)
            return engine_fail(e, rc, "option %s.%s: %s", eo->plugin, eo->key,
                               err);
        eo->used = 1;
    }
    return QUARRY_OK;
}

int quarry_instance_check(quarry_engine *e, const quarry_plugin *p)
{
    void *config;
    int rc;
    if (e == NULL || p == NULL)
        return QUARRY_EINVAL;
    config = calloc(1, p->config_size ? p->config_size : 1);
    if (config == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    rc = parse_options(e, p, config);
    free(config);
    return rc;
}

int quarry_instance_new(quarry_instance **out, quarry_engine *e,
                        const quarry_plugin *p)
{
    quarry_instance *inst;
    char err[QUARRY_ERR_MAX];
    int rc;

    if (out == NULL || e == NULL || p == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    inst = calloc(1, sizeof *inst);
    if (inst == NULL)
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    inst->engine = e;
    inst->plugin = p;
    inst->config = calloc(1, p->config_size ? p->config_size : 1);
    if (inst->config == NULL) {
        free(inst);
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    }
    rc = parse_options(e, p, inst->config);
    if (rc != QUARRY_OK)
        goto fail;
    inst->host.size = sizeof inst->host;
    inst->host.ctx = inst;
    inst->host.log = inst_log;
    inst->host.find_dictionary = inst_find_dictionary;
    inst->host.sgemm = inst_sgemm;
    inst->host.progress = inst_progress;
    inst->host.threads = e->threads > 0 ? e->threads : parallel_cpu_count();
    if (p->create != NULL) {
        err[0] = '\0';
        rc = p->create(&inst->self, inst->config, &inst->host, err);
        if (rc != 0) {
            err[QUARRY_ERR_MAX - 1] = '\0';
            rc = engine_fail(e, rc < 0 ? rc : QUARRY_EPLUGIN, "%s %s: %s",
                             quarry_kind_name(p->kind), p->name,
                             err[0] ? err : quarry_status_str(rc));
            goto fail;
        }
    }
    *out = inst;
    return QUARRY_OK;
fail:
    free(inst->config);
    free(inst);
    return rc;
}

void quarry_instance_free(quarry_instance *inst)
{
    if (inst == NULL)
        return;
    if (inst->plugin->destroy != NULL && inst->self != NULL)
        inst->plugin->destroy(inst->self);
    free(inst->config);
    free(inst);
}

const quarry_plugin *quarry_instance_plugin(const quarry_instance *inst)
{
    return inst ? inst->plugin : NULL;
}

void *quarry_instance_self(const quarry_instance *inst)
{
    return inst ? inst->self : NULL;
}
