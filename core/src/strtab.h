/*
 * strtab.h -- a string interning table: each distinct byte string gets a
 * dense id (0, 1, 2, ...) in order of first insertion. Strings live in one
 * growing arena; lookups are open addressing on a 64-bit hash. Used for the
 * vocabulary, stopword sets and the lexicon's words.
 */
#ifndef QUARRY_STRTAB_H
#define QUARRY_STRTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct strtab {
    char *arena;       /* NUL-separated strings */
    size_t arena_len, arena_cap;
    int64_t *offsets;  /* id -> offset in arena */
    uint32_t *lens;    /* id -> length */
    int64_t n, cap_ids;
    int64_t *slots;    /* hash slot -> id, -1 empty */
    uint64_t *hashes;  /* id -> hash, so growing never rehashes strings */
    size_t n_slots;
} strtab;

void strtab_init(strtab *t);
void strtab_free(strtab *t);
uint64_t strtab_hash(const char *s, size_t len);
/* Id of s, or -1. */
int64_t strtab_find(const strtab *t, const char *s, size_t len);
int64_t strtab_find_hashed(const strtab *t, const char *s, size_t len,
                           uint64_t h);
/* Id of s, inserting it if new (*is_new set when non-NULL); -1 when out of
 * memory. */
int64_t strtab_intern(strtab *t, const char *s, size_t len, int *is_new);
static inline const char *strtab_str(const strtab *t, int64_t id)
{
    return t->arena + t->offsets[id];
}
static inline size_t strtab_len(const strtab *t, int64_t id)
{
    return t->lens[id];
}

#endif
