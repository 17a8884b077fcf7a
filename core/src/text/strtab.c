/*
 * strtab.c -- string interning (see strtab.h). The hash multiplies each
 * 8-byte word in and mixes once at the end; the last 1 to 8 bytes are read
 * with two overlapping loads, not a byte loop or a memcpy of variable
 * length. Terms are short, so what matters is few branches and a good
 * spread, not cryptographic strength.
 */
#include <stdlib.h>
#include <string.h>

#include "strtab.h"

/* Ids are stored as id + 1 in 32 bits of a slot. */
#define STRTAB_MAX_IDS ((int64_t)UINT32_MAX - 1)

void strtab_init(strtab *t)
{
    memset(t, 0, sizeof *t);
}

void strtab_free(strtab *t)
{
    free(t->arena);
    free(t->ents);
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

static inline uint64_t load64(const char *s)
{
    uint64_t w;
    memcpy(&w, s, 8);
    return w;
}

static inline uint64_t load32(const char *s)
{
    uint32_t w;
    memcpy(&w, s, 4);
    return w;
}

uint64_t strtab_hash(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    uint64_t h =
        0x9e3779b97f4a7c15ULL ^ ((uint64_t)len * 0xff51afd7ed558ccdULL);
    uint64_t w;
    while (len > 8) {
        h = (h ^ load64(s)) * 0x9fb21c651e98df25ULL;
        h ^= h >> 29;
        s += 8;
        u += 8;
        len -= 8;
    }
    if (len >= 4)
        w = load32(s) | (load32(s + len - 4) << 32);
    else if (len > 0)
        w = ((uint64_t)u[0] << 16) | ((uint64_t)u[len >> 1] << 8) |
            (uint64_t)u[len - 1];
    else
        w = 0;
    return mix(h ^ w);
}

/* a[0..len) == b[0..len): short strings (most terms) by two overlapping
 * loads each, never reading outside either. */
static inline int equal(const char *a, const char *b, size_t len)
{
    if (len >= 8 && len <= 16)
        return load64(a) == load64(b) &&
               load64(a + len - 8) == load64(b + len - 8);
    if (len >= 4 && len < 8)
        return load32(a) == load32(b) &&
               load32(a + len - 4) == load32(b + len - 4);
    return memcmp(a, b, len) == 0;
}

static inline int same(const strtab *t, int64_t id, const char *s, size_t len)
{
    const strtab_ent *e = &t->ents[id];
    return e->len == len && equal(t->arena + e->off, s, len);
}

int64_t strtab_find_hashed(const strtab *t, const char *s, size_t len,
                           uint64_t h)
{
    size_t mask, i;
    uint64_t tag = h >> 32 << 32;
    if (t->n_slots == 0)
        return -1;
    mask = t->n_slots - 1;
    for (i = (size_t)h & mask;; i = (i + 1) & mask) {
        uint64_t v = t->slots[i];
        if (v == 0)
            return -1;
        if ((v & 0xffffffff00000000ULL) == tag) {
            int64_t id = (int64_t)(v & 0xffffffffULL) - 1;
            if (same(t, id, s, len))
                return id;
        }
    }
}

int64_t strtab_find(const strtab *t, const char *s, size_t len)
{
    return strtab_find_hashed(t, s, len, strtab_hash(s, len));
}

static void place(uint64_t *slots, size_t mask, uint64_t h, int64_t id)
{
    size_t j = (size_t)h & mask;
    while (slots[j] != 0)
        j = (j + 1) & mask;
    slots[j] = (h >> 32 << 32) | (uint64_t)(id + 1);
}

static int grow_slots(strtab *t)
{
    size_t n = t->n_slots ? t->n_slots * 2 : 1024;
    uint64_t *slots = calloc(n, sizeof *slots);
    int64_t id;
    if (slots == NULL)
        return -1;
    for (id = 0; id < t->n; id++)
        place(slots, n - 1, t->hashes[id], id);
    free(t->slots);
    t->slots = slots;
    t->n_slots = n;
    return 0;
}

int64_t strtab_intern_hashed(strtab *t, const char *s, size_t len, uint64_t h,
                             int *is_new)
{
    int64_t id = strtab_find_hashed(t, s, len, h);
    if (is_new)
        *is_new = 0;
    if (id >= 0)
        return id;
    if (t->n >= STRTAB_MAX_IDS || len > UINT32_MAX)
        return -1;
    /* Keep the load factor under one half. */
    if ((size_t)(t->n + 1) * 2 > t->n_slots && grow_slots(t) != 0)
        return -1;
    if (t->n == t->cap_ids) {
        int64_t cap = t->cap_ids ? t->cap_ids * 2 : 1024;
        strtab_ent *ents = realloc(t->ents, (size_t)cap * sizeof *ents);
        uint64_t *hashes;
        if (ents == NULL)
            return -1;
        t->ents = ents;
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
    t->ents[id].off = (int64_t)t->arena_len;
    t->ents[id].len = (uint32_t)len;
    t->ents[id].unused = 0;
    t->hashes[id] = h;
    t->arena_len += len + 1;
    place(t->slots, t->n_slots - 1, h, id);
    if (is_new)
        *is_new = 1;
    return id;
}

int64_t strtab_intern(strtab *t, const char *s, size_t len, int *is_new)
{
    return strtab_intern_hashed(t, s, len, strtab_hash(s, len), is_new);
}
