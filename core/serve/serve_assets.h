/*
 * serve_assets.h -- the workbench page's files, embedded in the binary at
 * build time (core/serve/embed.cmake writes serve_assets.c from
 * core/serve/assets/): nothing is read from disk at run time.
 */
#ifndef QUARRY_SERVE_ASSETS_H
#define QUARRY_SERVE_ASSETS_H

#include <stddef.h>

typedef struct serve_asset {
    const char *path; /* below assets/: "index.html", "app.js" */
    const char *type; /* its Content-Type */
    const unsigned char *bytes;
    size_t len;
} serve_asset;

/* serve_n_assets of them, by path, then one of zeros. */
extern const serve_asset serve_assets[];
extern const size_t serve_n_assets;

#endif
