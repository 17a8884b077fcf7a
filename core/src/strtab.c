/*
 * strtab.c -- string interning (see strtab.h). The hash is a 64-bit
 * multiply-xorshift over 8-byte words: terms are short, so what matters is
 * few branches and a good spread, not cryptographic strength.
 */
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

void strtab_init(strtab *t)
{
    memset(t, 0, sizeof *t);
}

void strtab_free(strtab *t)
{
    free(t->arena);
    free(t->offsets);
    free(t->lens);
    free(t->slots);
    free(t->hashes);
    memset(t, 0, sizeof *t);
}

static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ULL;
    h ^= h >> 32;
    return h;
}

uint64_t strtab_hash(const char *s, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ (uint64_t)len;
    while (len >= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = mix(h ^ w);
        s += 8;
        len -= 8;
    }
    if (len > 0) {
        uint64_t w = 0;
        memcpy(&w, s, len);
        h = mix(h ^ w ^ 0xff51afd7ed558ccdULL);
    }
    return h;
}

int64_t strtab_find_hashed(const strtab *t, const char *s, size_t len,
                           uint64_t h)
{
    size_t mask, i;
    if (t->n_slots == 0)
        return -1;
    mask = t->n_slots - 1;
    for (i = (size_t)h & mask;; i = (i + 1) & mask) {
        int64_t id = t->slots[i];
        if (id < 0)
            return -1;
        if (t->hashes[id] == h && t->lens[id] == len &&
            memcmp(t->arena + t->offsets[id], s, len) == 0)
            return id;
    }
}

int64_t strtab_find(const strtab *t, const char *s, size_t len)
{
    return strtab_find_hashed(t, s, len, strtab_hash(s, len));
}

static int grow_slots(strtab *t)
{
    size_t n = t->n_slots ? t->n_slots * 2 : 1024, i;
    int64_t *slots = malloc(n * sizeof *slots);
    int64_t id;
    if (slots == NULL)
        return -1;
    for (i = 0; i < n; i++)
        slots[i] = -1;
    for (id = 0; id < t->n; id++) {
        size_t j = (size_t)t->hashes[id] & (n - 1);
        while (slots[j] >= 0)
            j = (j + 1) & (n - 1);
        slots[j] = id;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n;
    return 0;
}

int64_t strtab_intern(strtab *t, const char *s, size_t len, int *is_new)
{
    uint64_t h = strtab_hash(s, len);
    int64_t id = strtab_find_hashed(t, s, len, h);
    size_t j;
    if (is_new)
        *is_new = 0;
    if (id >= 0)
        return id;
    /* Keep the load factor under one half. */
    if ((size_t)(t->n + 1) * 2 > t->n_slots && grow_slots(t) != 0)
        return -1;
    if (t->n == t->cap_ids) {
        int64_t cap = t->cap_ids ? t->cap_ids * 2 : 1024;
        int64_t *offs = realloc(t->offsets, (size_t)cap * sizeof *offs);
        uint32_t *lens;
        uint64_t *hashes;
        if (offs == NULL)
            return -1;
        t->offsets = offs;
        lens = realloc(t->lens, (size_t)cap * sizeof *lens);
        if (lens == NULL)
            return -1;
        t->lens = lens;
        hashes = realloc(t->hashes, (size_t)cap * sizeof *hashes);
        if (hashes == NULL)
            return -1;
        t->hashes = hashes;
        t->cap_ids = cap;
    }
    if (t->arena_len + len + 1 > t->arena_cap) {
        size_t cap = t->arena_cap ? t->arena_cap : 16384;
        char *a;
        while (cap < t->arena_len + len + 1)
            cap *= 2;
        a = realloc(t->arena, cap);
        if (a == NULL)
            return -1;
        t->arena = a;
        t->arena_cap = cap;
    }
    memcpy(t->arena + t->arena_len, s, len);
    t->arena[t->arena_len + len] = '\0';
    id = t->n++;
    t->offsets[id] = (int64_t)t->arena_len;
    t->lens[id] = (uint32_t)len;
    t->hashes[id] = h;
    t->arena_len += len + 1;
    j = (size_t)h & (t->n_slots - 1);
    while (t->slots[j] >= 0)
        j = (j + 1) & (t->n_slots - 1);
    t->slots[j] = id;
    if (is_new)
        *is_new = 1;
    return id;
}
