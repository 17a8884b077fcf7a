/* stemmer_plural.so: strips an English plural "s". A whole quarry plugin,
 * built against quarry's plugin header only (README.md beside it says
 * how to build and load it). */
#include <string.h>
#include <quarry/plugin.h>

static int stem(void *self, const char *w, size_t len, char *out, size_t cap,
                size_t *out_len, char *err)
{
    (void)self; (void)err;
    /* "supports" -> "support", but "ss" stays: "stress", "class". */
    if (len > 3 && w[len - 1] == 's' && w[len - 2] != 's')
        len--;
    *out_len = len;              /* the snprintf rule: report the full size */
    if (cap > 0) {
        size_t n = len < cap ? len : cap - 1;
        memcpy(out, w, n);
        out[n] = '\0';
    }
    return QUARRY_OK;
}

static const quarry_plugin plural = {
    .abi = QUARRY_ABI_VERSION, .size = sizeof(quarry_plugin),
    .kind = QUARRY_KIND_STEMMER, .name = "plural", .version = "1.0.0",
    .license = "MIT", .summary = "strips an English plural s",
    .author = "a plugin author", .stem = stem,
};
static const quarry_plugin *const all[] = {&plural, NULL};
QUARRY_PLUGIN_ENTRY(stemmer_plural) { return all; }
