/*
 * codebook.h -- a codebook read from JSON (dictionaries/codebooks/, *.json):
 * codes with id, name, parent, definition, include, exclude, keywords and
 * colour. Loading validates the tree: ids are strings and unique, parents
 * exist, and no code is its own ancestor. A code with children is a theme
 * unless it says "codable": true (a codable parent, as REFI-QDA tools
 * allow); leaves and codable parents are the codes excerpts are coded to.
 */
#ifndef QUARRY_CODEBOOK_H
#define QUARRY_CODEBOOK_H

#include "quarry/quarry.h"
#include "strtab.h"

typedef struct codebook_code {
    char *id;
    char *name;
    char *parent; /* NULL for a root */
    char *definition, *include, *exclude, *color;
    char **keywords;
    int32_t n_keywords;
    int32_t parent_index; /* -1 for a root */
    int32_t n_children;
    int codable; /* "codable": true: coded to even with children */
} codebook_code;

struct quarry_codebook {
    char *path;
    char *name; /* the file name without folders, for messages */
    codebook_code *codes; /* in file order */
    int32_t n_codes;
    strtab ids; /* id -> index in codes */
};

/* Parse and validate a codebook from a JSON buffer (or a table of codes,
 * codebook.c says which); name is used in messages. On failure *out is
 * NULL and the engine's message says why. */
int codebook_parse(quarry_codebook **out, quarry_engine *e, const char *buf,
                   size_t len, const char *name);

/* An id made from a code's name, as quarry makes ids: its ASCII letters
 * (lowercased) and digits, a '-' for each run of anything else, at most
 * 40 bytes; "code" when nothing is left ("Own recovery as motive" ->
 * own-recovery-as-motive). The caller makes it unique. */
void codebook_slug(const char *name, char out[48]);

/* The text a code's entry contributes to its prototype: name, definition,
 * include notes and keywords, one string the caller frees. */
char *codebook_entry_text(const codebook_code *c);

#endif
