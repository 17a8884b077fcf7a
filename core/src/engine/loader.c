/*
 * loader.c -- finding, opening, checking and registering plugins.
 *
 * A plugin file kind_name.so exports quarry_plugin_kind_name(), which returns
 * a NULL-terminated array of descriptors. Each descriptor is checked before
 * it is registered (ABI, size, metadata, methods of its kind, option table,
 * a unique name within its kind); a refused descriptor or file is logged with
 * the file and the reason, and the engine goes on with the others. The
 * engine keeps a normalised copy of every descriptor: fields a plugin built
 * against an older header does not have read as zero (NULL methods).
 */
#include <dirent.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"

/* The size of the first published quarry_plugin: anything smaller is not a
 * descriptor of this ABI. */
#define PLUGIN_MIN_SIZE (offsetof(quarry_plugin, cluster) + sizeof(void *))

static int valid_ident(const char *s)
{
    if (s == NULL || *s == '\0' || strlen(s) > 64)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '_'))
            return 0;
    return 1;
}

static size_t opt_type_size(quarry_opt_type t)
{
    switch (t) {
    case QUARRY_OPT_BOOL:
    case QUARRY_OPT_ENUM:
        return sizeof(int);
    case QUARRY_OPT_INT:
        return sizeof(int64_t);
    case QUARRY_OPT_DOUBLE:
        return sizeof(double);
    case QUARRY_OPT_STRING:
        return sizeof(const char *);
    }
    return 0;
}

/* Check an option table; on failure write the reason into why. */
static int check_options(const quarry_plugin *p, char *why, size_t cap)
{
    const quarry_option *o, *q;
    unsigned char *scratch;
    char err[256];
    int rc = 0;

    if (p->options == NULL)
        return 0;
    scratch = calloc(1, p->config_size ? p->config_size : 1);
    if (scratch == NULL) {
        snprintf(why, cap, "out of memory");
        return -1;
    }
    for (o = p->options; o->name != NULL; o++) {
        size_t sz = opt_type_size(o->type);
        if (!valid_ident(o->name)) {
            snprintf(why, cap, "option name \"%s\" is not [a-z0-9_]+",
                     o->name);
            rc = -1;
            break;
        }
        for (q = p->options; q != o; q++)
            if (strcmp(q->name, o->name) == 0)
                break;
        if (q != o) {
            snprintf(why, cap, "option \"%s\" is declared twice", o->name);
            rc = -1;
            break;
        }
        if (sz == 0) {
            snprintf(why, cap, "option \"%s\" has unknown type %d", o->name,
                     (int)o->type);
            rc = -1;
            break;
        }
        if (o->offset + sz > p->config_size) {
            snprintf(why, cap,
                     "option \"%s\" lies outside the config struct (offset "
                     "%zu + %zu > config_size %zu)",
                     o->name, o->offset, sz, p->config_size);
            rc = -1;
            break;
        }
        if (o->type == QUARRY_OPT_ENUM &&
            (o->choices == NULL || o->choices[0] == '\0')) {
            snprintf(why, cap, "enum option \"%s\" has no choices", o->name);
            rc = -1;
            break;
        }
        if (o->help == NULL) {
            snprintf(why, cap, "option \"%s\" has no help text", o->name);
            rc = -1;
            break;
        }
        if (o->default_value == NULL) {
            snprintf(why, cap, "option \"%s\" has no default", o->name);
            rc = -1;
            break;
        }
        if (quarry_option_parse(o, o->default_value, scratch, err,
                                sizeof err) != 0) {
            snprintf(why, cap, "default of option \"%s\" is invalid: %.160s",
                     o->name, err);
            rc = -1;
            break;
        }
    }
    free(scratch);
    return rc;
}

/* Why a descriptor cannot be registered, or NULL if it can. */
static const char *check_descriptor(const quarry_plugin *p, char *why,
                                    size_t cap)
{
    if (p->abi != QUARRY_ABI_VERSION) {
        snprintf(why, cap, "plugin %s was built for ABI %u, quarry has %d",
                 valid_ident(p->name) ? p->name : "(unnamed)", p->abi,
                 QUARRY_ABI_VERSION);
        return why;
    }
    if (p->size < PLUGIN_MIN_SIZE) {
        snprintf(why, cap, "descriptor size %u is smaller than ABI %d's %zu",
                 p->size, QUARRY_ABI_VERSION, (size_t)PLUGIN_MIN_SIZE);
        return why;
    }
    if (!valid_ident(p->name)) {
        snprintf(why, cap, "missing or invalid name (want [a-z0-9_]+)");
        return why;
    }
    if (p->version == NULL || p->license == NULL || p->summary == NULL ||
        p->version[0] == '\0' || p->license[0] == '\0' ||
        p->summary[0] == '\0') {
        snprintf(why, cap, "plugin %s lacks metadata (%s)", p->name,
                 p->version == NULL || !p->version[0]   ? "version"
                 : p->license == NULL || !p->license[0] ? "license"
                                                        : "summary");
        return why;
    }
    switch (p->kind) {
    case QUARRY_KIND_TOKENIZER:
        if (p->tokenize == NULL)
            snprintf(why, cap, "tokenizer %s has no tokenize method", p->name);
        else
            why[0] = '\0';
        break;
    case QUARRY_KIND_STEMMER:
        if (p->stem == NULL)
            snprintf(why, cap, "stemmer %s has no stem method", p->name);
        else
            why[0] = '\0';
        break;
    case QUARRY_KIND_WEIGHTING:
        if (p->weigh == NULL)
            snprintf(why, cap, "weighting %s has no weigh method", p->name);
        else
            why[0] = '\0';
        break;
    case QUARRY_KIND_CLUSTERER:
        if (p->cluster == NULL)
            snprintf(why, cap, "clusterer %s has no cluster method", p->name);
        else
            why[0] = '\0';
        break;
    default:
        snprintf(why, cap, "plugin %s has unknown kind %d", p->name,
                 (int)p->kind);
    }
    if (why[0] != '\0')
        return why;
    if (p->config_size > 0 && p->create == NULL) {
        snprintf(why, cap, "plugin %s has options but no create method",
                 p->name);
        return why;
    }
    {
        char owhy[256];
        if (check_options(p, owhy, sizeof owhy) != 0) {
            snprintf(why, cap, "plugin %s: broken option table: %s", p->name,
                     owhy);
            return why;
        }
    }
    return NULL;
}

static const engine_plugin *find_registered(const quarry_engine *e,
                                            quarry_plugin_kind kind,
                                            const char *name)
{
    size_t i;
    for (i = 0; i < e->n_plugins; i++)
        if (e->plugins[i]->desc.kind == kind &&
            strcmp(e->plugins[i]->desc.name, name) == 0)
            return e->plugins[i];
    return NULL;
}

/* Register the descriptors from one entry point. Returns how many were
 * added, or a negative status; *refused counts the refusals. */
static int register_entry(quarry_engine *e, quarry_plugin_entry_fn entry,
                          const char *origin, int *refused)
{
    const quarry_plugin *const *list = entry();
    char why[512];
    int added = 0;
    size_t i;

    if (list == NULL || list[0] == NULL) {
        engine_log(e, QUARRY_LOG_WARN, "%s: refused: no plugin descriptors",
                   origin);
        e->last_refusal = engine_fail(
            e, QUARRY_EPLUGIN, "%s: refused: no plugin descriptors", origin);
        (*refused)++;
        return 0;
    }
    for (i = 0; list[i] != NULL; i++) {
        const quarry_plugin *p = list[i];
        const engine_plugin *dup;
        engine_plugin *slot;
        size_t n;

        if (check_descriptor(p, why, sizeof why) != NULL) {
            engine_log(e, QUARRY_LOG_WARN, "%s: refused: %s", origin, why);
            e->last_refusal = engine_fail(
                e, p->abi != QUARRY_ABI_VERSION ? QUARRY_EABI : QUARRY_EPLUGIN,
                "%s: refused: %s", origin, why);
            (*refused)++;
            continue;
        }
        dup = find_registered(e, p->kind, p->name);
        if (dup != NULL) {
            engine_log(e, QUARRY_LOG_WARN,
                       "%s: refused: %s %s is already registered from %s",
                       origin, quarry_kind_name(p->kind), p->name,
                       dup->origin);
            e->last_refusal = engine_fail(
                        e, QUARRY_EDUP,
                        "%s: refused: %s %s is already registered from %s",
                        origin, quarry_kind_name(p->kind), p->name,
                        dup->origin);
            (*refused)++;
            continue;
        }
        if (e->n_plugins == e->cap_plugins) {
            size_t cap = e->cap_plugins ? 2 * e->cap_plugins : 16;
            engine_plugin **grown = realloc(e->plugins, cap * sizeof *grown);
            if (grown == NULL)
                return engine_fail(e, QUARRY_ENOMEM, "out of memory");
            e->plugins = grown;
            e->cap_plugins = cap;
        }
        slot = calloc(1, sizeof *slot);
        if (slot == NULL)
            return engine_fail(e, QUARRY_ENOMEM, "out of memory");
        n = p->size < sizeof slot->desc ? p->size : sizeof slot->desc;
        memcpy(&slot->desc, p, n);
        slot->origin = strdup(origin);
        if (slot->origin == NULL) {
            free(slot);
            return engine_fail(e, QUARRY_ENOMEM, "out of memory");
        }
        e->plugins[e->n_plugins++] = slot;
        added++;
    }
    return added;
}

int quarry_engine_register(quarry_engine *e, quarry_plugin_entry_fn entry,
                           const char *origin)
{
    int refused = 0, added;
    if (e == NULL || entry == NULL)
        return QUARRY_EINVAL;
    e->last_refusal = QUARRY_EPLUGIN;
    added = register_entry(e, entry, origin ? origin : "built-in", &refused);
    if (added < 0)
        return added;
    if (added == 0)
        return e->last_refusal;
    return QUARRY_OK;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int already_loaded(const quarry_engine *e, const char *base)
{
    size_t i;
    for (i = 0; i < e->n_loaded; i++)
        if (strcmp(e->loaded[i], base) == 0)
            return 1;
    return 0;
}

static int remember(char ***list, size_t *n, size_t *cap, char *item)
{
    if (*n == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        char **grown = realloc(*list, c * sizeof *grown);
        if (grown == NULL)
            return QUARRY_ENOMEM;
        *list = grown;
        *cap = c;
    }
    (*list)[(*n)++] = item;
    return QUARRY_OK;
}

/* Open one file; refusals are logged. Returns descriptors added (>= 0) or
 * a negative status with the message set. */
static int load_file(quarry_engine *e, const char *path, int *refused)
{
    const char *base = base_name(path);
    size_t len = strlen(base);
    char symbol[256];
    void *handle;
    void *sym;
    quarry_plugin_entry_fn entry;
    char *copy;
    int added;

    if (len <= 3 || strcmp(base + len - 3, ".so") != 0 || len - 3 > 200) {
        (*refused)++;
        engine_log(e, QUARRY_LOG_WARN,
                   "%s: refused: a plugin file is named kind_name.so", path);
        return engine_fail(e, QUARRY_EPLUGIN,
                           "%s: refused: a plugin file is named kind_name.so",
                           path);
    }
    snprintf(symbol, sizeof symbol, "quarry_plugin_%.*s", (int)(len - 3),
             base);
    dlerror();
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) {
        const char *msg = dlerror();
        char copied[512];
        snprintf(copied, sizeof copied, "%s", msg ? msg : "unknown error");
        (*refused)++;
        engine_log(e, QUARRY_LOG_WARN, "%s: refused: cannot open: %s", path,
                   copied);
        return engine_fail(e, QUARRY_EPLUGIN, "%s: refused: cannot open: %s",
                           path, copied);
    }
    sym = dlsym(handle, symbol);
    if (sym == NULL) {
        (*refused)++;
        engine_log(e, QUARRY_LOG_WARN,
                   "%s: refused: no entry point %s() in the file", path,
                   symbol);
#ifndef QUARRY_SANITIZE
        dlclose(handle);
#endif
        return engine_fail(e, QUARRY_EPLUGIN,
                           "%s: refused: no entry point %s() in the file",
                           path, symbol);
    }
    if (e->n_handles == e->cap_handles) {
        size_t c = e->cap_handles ? 2 * e->cap_handles : 16;
        void **grown = realloc(e->handles, c * sizeof *grown);
        if (grown == NULL)
            return engine_fail(e, QUARRY_ENOMEM, "out of memory");
        e->handles = grown;
        e->cap_handles = c;
    }
    e->handles[e->n_handles++] = handle;
    copy = strdup(base);
    if (copy == NULL ||
        remember(&e->loaded, &e->n_loaded, &e->cap_loaded, copy) != 0) {
        free(copy);
        return engine_fail(e, QUARRY_ENOMEM, "out of memory");
    }
    /* Converting a data pointer to a function pointer is how dlsym is
     * used; POSIX guarantees it works. */
    memcpy(&entry, &sym, sizeof entry);
    added = register_entry(e, entry, path, refused);
    return added;
}

int quarry_engine_load_file(quarry_engine *e, const char *path)
{
    int refused = 0, added;
    if (e == NULL || path == NULL)
        return QUARRY_EINVAL;
    e->last_refusal = QUARRY_EPLUGIN;
    if (already_loaded(e, base_name(path)))
        return QUARRY_OK;
    added = load_file(e, path, &refused);
    if (added < 0)
        return added;
    if (added == 0)
        return e->last_refusal;
    return QUARRY_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Load every *.so in dir whose name starts with prefix (may be ""). */
static int load_dir(quarry_engine *e, const char *dir, const char *prefix,
                    int *refused)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0, i;
    int rc = QUARRY_OK;

    if (d == NULL)
        return QUARRY_OK; /* a folder on the path that does not exist */
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        char *copy;
        if (len <= 3 || strcmp(de->d_name + len - 3, ".so") != 0)
            continue;
        if (strncmp(de->d_name, prefix, strlen(prefix)) != 0)
            continue;
        if (already_loaded(e, de->d_name))
            continue;
        copy = strdup(de->d_name);
        if (copy == NULL || remember(&names, &n, &cap, copy) != 0) {
            free(copy);
            rc = QUARRY_ENOMEM;
            break;
        }
    }
    closedir(d);
    /* Sorted, so the order of registration does not depend on the file
     * system. */
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_str);
    for (i = 0; i < n; i++) {
        char path[4096];
        if (rc == QUARRY_OK) {
            snprintf(path, sizeof path, "%s/%s", dir, names[i]);
            if (load_file(e, path, refused) == QUARRY_ENOMEM)
                rc = QUARRY_ENOMEM;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int quarry_engine_load_all(quarry_engine *e)
{
    int refused = 0;
    size_t i;
    if (e == NULL)
        return QUARRY_EINVAL;
    for (i = 0; i < e->n_dirs; i++) {
        int rc = load_dir(e, e->dirs[i], "", &refused);
        if (rc < 0)
            return rc;
    }
    return refused;
}

int quarry_engine_find(quarry_engine *e, quarry_plugin_kind kind,
                       const char *name, const quarry_plugin **out)
{
    const engine_plugin *hit;
    char prefix[64];
    size_t i;
    int refused = 0;

    if (e == NULL || name == NULL || out == NULL)
        return QUARRY_EINVAL;
    *out = NULL;
    hit = find_registered(e, kind, name);
    if (hit == NULL && valid_ident(name)) {
        /* kind_name.so first: a normal run opens only what it needs. */
        for (i = 0; i < e->n_dirs && hit == NULL; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s_%s.so", e->dirs[i],
                     quarry_kind_name(kind), name);
            if (access(path, R_OK) == 0 && !already_loaded(e, base_name(path)))
                load_file(e, path, &refused);
            hit = find_registered(e, kind, name);
        }
        /* Then any file of the kind: one file may hold several plugins. */
        snprintf(prefix, sizeof prefix, "%s_", quarry_kind_name(kind));
        for (i = 0; i < e->n_dirs && hit == NULL; i++) {
            if (load_dir(e, e->dirs[i], prefix, &refused) == QUARRY_ENOMEM)
                return engine_fail(e, QUARRY_ENOMEM, "out of memory");
            hit = find_registered(e, kind, name);
        }
    }
    if (hit == NULL) {
        char known[512] = "";
        size_t used = 0;
        for (i = 0; i < e->n_plugins; i++) {
            if (e->plugins[i]->desc.kind != kind)
                continue;
            int n = snprintf(known + used, sizeof known - used, "%s%s",
                             used ? ", " : "", e->plugins[i]->desc.name);
            if (n < 0 || (size_t)n >= sizeof known - used)
                break;
            used += (size_t)n;
        }
        return engine_fail(e, QUARRY_ENOTFOUND,
                           "no %s plugin named \"%s\" (available: %s; "
                           "searched %zu folder%s, see `quarry plugins`)",
                           quarry_kind_name(kind), name,
                           used ? known : "none", e->n_dirs,
                           e->n_dirs == 1 ? "" : "s");
    }
    *out = &hit->desc;
    return QUARRY_OK;
}

size_t quarry_engine_plugin_count(const quarry_engine *e)
{
    return e ? e->n_plugins : 0;
}

const quarry_plugin *quarry_engine_plugin_at(const quarry_engine *e, size_t i,
                                             const char **origin)
{
    if (e == NULL || i >= e->n_plugins)
        return NULL;
    if (origin)
        *origin = e->plugins[i]->origin;
    return &e->plugins[i]->desc;
}
