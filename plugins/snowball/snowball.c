/*
 * snowball.c -- the stemmer plugin: Snowball stemmers through libstemmer,
 * for every language libstemmer was built with ("english" is Porter2;
 * "porter" is the original 1980 algorithm). A libstemmer stemmer keeps its
 * state between calls and is not thread-safe, which is why an instance owns
 * one and is used by one thread at a time (rule 2 of plugin.h).
 */
#include <libstemmer.h>

#include <quarry/plugin.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct sb_config {
    const char *language;
    int64_t min_len;
} sb_config;

static const quarry_option sb_options[] = {
    {"language", QUARRY_OPT_STRING, offsetof(sb_config, language), "english",
     0, -1, NULL, "Snowball algorithm, by name or ISO 639 code (\"de\")"},
    {"min_len", QUARRY_OPT_INT, offsetof(sb_config, min_len), "3", 1, 64, NULL,
     "words shorter than this many code points are left as they are"},
    QUARRY_OPTIONS_END};

typedef struct sb {
    struct sb_stemmer *stemmer;
    int64_t min_len;
} sb;

static void sb_destroy(void *self)
{
    sb *me = self;
    if (me == NULL)
        return;
    sb_stemmer_delete(me->stemmer);
    free(me);
}

/* "unknown language "xx"; known: arabic, armenian, ..." -- the list comes
 * from the library itself, so it is right for whatever build is installed.
 * (It holds canonical names only; ISO codes are accepted too.) */
static void sb_unknown_language(const char *language, char *err)
{
    size_t used = (size_t)snprintf(
        err, QUARRY_ERR_MAX, "unknown language \"%.40s\"; known:",
        language);
    for (const char **name = sb_stemmer_list(); *name && used < QUARRY_ERR_MAX;
         name++) {
        int n = snprintf(err + used, QUARRY_ERR_MAX - used, "%s %s",
                         name == sb_stemmer_list() ? "" : ",", *name);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static int sb_create(void **self, const void *config, const quarry_host *host,
                     char *err)
{
    const sb_config *cfg = config;
    const char *given = cfg->language ? cfg->language : "english";
    char language[64];
    size_t i;
    (void)host;

    /* libstemmer matches names case-sensitively and all its names are
     * lower case; be kind to "German" and "EN". */
    for (i = 0; given[i] != '\0' && i + 1 < sizeof language; i++)
        language[i] = (char)(given[i] >= 'A' && given[i] <= 'Z'
                                 ? given[i] - 'A' + 'a'
                                 : given[i]);
    language[i] = '\0';
    if (given[i] != '\0' || i == 0) {
        sb_unknown_language(given, err);
        return QUARRY_EINVAL;
    }

    sb *me = calloc(1, sizeof *me);
    if (me == NULL) {
        snprintf(err, QUARRY_ERR_MAX, "out of memory");
        return QUARRY_ENOMEM;
    }
    me->min_len = cfg->min_len;
    /* NULL for an unknown algorithm and also when out of memory; for a
     * canonical name the list of algorithms tells the two apart. */
    me->stemmer = sb_stemmer_new(language, "UTF_8");
    if (me->stemmer == NULL) {
        int known = 0;
        for (const char **name = sb_stemmer_list(); *name; name++)
            known |= strcmp(*name, language) == 0;
        sb_destroy(me);
        if (known) {
            snprintf(err, QUARRY_ERR_MAX, "out of memory");
            return QUARRY_ENOMEM;
        }
        sb_unknown_language(given, err);
        return QUARRY_EINVAL;
    }
    *self = me;
    return QUARRY_OK;
}

/* The snprintf rule of plugin.h: write what fits, NUL-terminate, report
 * the full length so the host can call again with room. */
static void sb_put(const char *s, size_t n, char *out, size_t cap,
                   size_t *out_len)
{
    if (cap > 0) {
        size_t k = n < cap ? n : cap - 1;
        memcpy(out, s, k);
        out[k] = '\0';
    }
    *out_len = n;
}

static int sb_stem(void *self, const char *word, size_t len, char *out,
                   size_t cap, size_t *out_len, char *err)
{
    sb *me = self;
    int64_t points = 0;

    for (size_t i = 0; i < len && points < me->min_len; i++)
        points += ((unsigned char)word[i] & 0xC0) != 0x80;
    if (points < me->min_len || len > INT_MAX) {
        /* Short words are left alone: what a stemmer strips from them is
         * rarely a suffix. libstemmer takes an int length; a longer "word"
         * is not one. */
        sb_put(word, len, out, cap, out_len);
        return QUARRY_OK;
    }
    const sb_symbol *stem =
        sb_stemmer_stem(me->stemmer, (const sb_symbol *)word, (int)len);
    if (stem == NULL) {
        snprintf(err, QUARRY_ERR_MAX, "out of memory");
        return QUARRY_ENOMEM;
    }
    sb_put((const char *)stem, (size_t)sb_stemmer_length(me->stemmer), out,
           cap, out_len);
    return QUARRY_OK;
}

static const quarry_plugin sb_plugin = {
    .abi = QUARRY_ABI_VERSION,
    .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_STEMMER,
    .name = "snowball",
    .version = "0.1.0",
    .license = "MIT",
    .summary = "Snowball stemmers (libstemmer), English by default",
    .author = "quarry developers",
    .config_size = sizeof(sb_config),
    .options = sb_options,
    .create = sb_create,
    .destroy = sb_destroy,
    .stem = sb_stem,
};

static const quarry_plugin *const sb_all[] = {&sb_plugin, NULL};
QUARRY_PLUGIN_ENTRY(stemmer_snowball) { return sb_all; }
