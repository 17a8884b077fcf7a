/*
 * strtab.h -- a string interning table: each distinct byte string gets a
 * dense id (0, 1, 2, ...) in order of first insertion. Strings live in one
 * growing arena; lookups are open addressing on a 64-bit hash, each slot
 * holding the id and 32 bits of the hash, so a probe reads the string only
 * when those bits match. Used for the vocabulary, stopword sets and the
 * lexicon's words.
 */
#ifndef QUARRY_STRTAB_H
#define QUARRY_STRTAB_H

#include <stddef.h>
#include <stdint.h>

/* Where a string is: one read finds both. */
typedef struct strtab_ent {
    int64_t off;  /* offset in arena */
    uint32_t len;
    uint32_t unused;
} strtab_ent;

typedef struct strtab {
    char *arena;       /* NUL-separated strings */
    size_t arena_len, arena_cap;
    strtab_ent *ents;  /* id -> where its string is */
    int64_t n, cap_ids;
    uint64_t *slots;   /* hash slot -> (high 32 bits of the hash) << 32 |
                          (id + 1); 0 empty */
    uint64_t *hashes;  /* id -> hash, so growing never rehashes strings */
    size_t n_slots;
} strtab;

void strtab_init(strtab *t);
void strtab_free(strtab *t);
/* The hash every table uses: a string hashed once can be looked up in
 * several tables with the _hashed calls. */
uint64_t strtab_hash(const char *s, size_t len);
/* Id of s, or -1. */
int64_t strtab_find(const strtab *t, const char *s, size_t len);
int64_t strtab_find_hashed(const strtab *t, const char *s, size_t len,
                           uint64_t h);
/* Id of s, inserting it if new (*is_new set when non-NULL); -1 when out of
 * memory. s must not point into t's own arena. */
int64_t strtab_intern(strtab *t, const char *s, size_t len, int *is_new);
/* The same with h == strtab_hash(s, len). */
int64_t strtab_intern_hashed(strtab *t, const char *s, size_t len,
                             uint64_t h, int *is_new);
/* Start loading the slot where h would be, for a lookup soon after: the
 * analyzer asks for all the tokens of an excerpt, then looks them up. */
static inline void strtab_prefetch(const strtab *t, uint64_t h)
{
#if defined(__GNUC__)
    if (t->n_slots != 0)
        __builtin_prefetch(&t->slots[(size_t)h & (t->n_slots - 1)]);
#else
    (void)t;
    (void)h;
#endif
}
static inline const char *strtab_str(const strtab *t, int64_t id)
{
    return t->arena + t->ents[id].off;
}
static inline size_t strtab_len(const strtab *t, int64_t id)
{
    return t->ents[id].len;
}

#endif
