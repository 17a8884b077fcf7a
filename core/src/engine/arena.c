/*
 * arena.c -- chunked append-only allocation with rollback marks.
 *
 * Chunks grow geometrically (64 KiB doubling to 4 MiB) so a small corpus
 * stays small and a big one makes few calls to malloc. A request bigger
 * than a quarter of the next chunk gets a chunk of its own; the open chunk
 * it displaces keeps its unused tail, a bounded waste that keeps marks a
 * simple (count, fill) pair.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST_CHUNK ((size_t)64 * 1024)
#define ARENA_MAX_CHUNK ((size_t)4 * 1024 * 1024)

struct quarry_arena_chunk {
    size_t size; /* bytes of data */
    size_t used;
    max_align_t data[]; /* so every chunk starts maximally aligned */
};

static size_t next_chunk_size(const quarry_arena *a)
{
    size_t size = ARENA_FIRST_CHUNK;
    size_t i;

    for (i = 0; i < a->n && size < ARENA_MAX_CHUNK; i++)
        size *= 2;
    return size;
}

static quarry_arena_chunk *open_chunk(quarry_arena *a, size_t size)
{
    quarry_arena_chunk *ch;

    if (size > SIZE_MAX - sizeof(quarry_arena_chunk))
        return NULL;
    if (a->n == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 16;
        quarry_arena_chunk **chunks = realloc(a->chunks, cap * sizeof *chunks);
        if (chunks == NULL)
            return NULL;
        a->chunks = chunks;
        a->cap = cap;
    }
    ch = malloc(sizeof *ch + size);
    if (ch == NULL)
        return NULL;
    ch->size = size;
    ch->used = 0;
    a->chunks[a->n++] = ch;
    a->bytes += size;
    return ch;
}

void *quarry_arena_alloc(quarry_arena *a, size_t size, size_t align)
{
    quarry_arena_chunk *ch = a->n ? a->chunks[a->n - 1] : NULL;
    size_t at;

    if (align == 0)
        align = 1;
    if (ch != NULL) {
        at = (ch->used + align - 1) & ~(align - 1);
        if (at <= ch->size && size <= ch->size - at) {
            ch->used = at + size;
            return (char *)ch->data + at;
        }
    }
    {
        size_t want = next_chunk_size(a);
        if (size > want / 4)
            want = size; /* a chunk of its own */
        ch = open_chunk(a, want);
        if (ch == NULL)
            return NULL;
        ch->used = size;
        return ch->data;
    }
}

char *quarry_arena_strndup(quarry_arena *a, const char *s, size_t len)
{
    char *p;

    if (len == SIZE_MAX)
        return NULL;
    p = quarry_arena_alloc(a, len + 1, 1);
    if (p == NULL)
        return NULL;
    if (len)
        memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

quarry_arena_mark quarry_arena_mark_get(const quarry_arena *a)
{
    quarry_arena_mark m;

    m.n = a->n;
    m.used = a->n ? a->chunks[a->n - 1]->used : 0;
    return m;
}

void quarry_arena_rollback(quarry_arena *a, quarry_arena_mark m)
{
    while (a->n > m.n) {
        quarry_arena_chunk *ch = a->chunks[--a->n];
        a->bytes -= ch->size;
        free(ch);
    }
    if (a->n > 0 && a->chunks[a->n - 1]->used > m.used)
        a->chunks[a->n - 1]->used = m.used;
}

void quarry_arena_free(quarry_arena *a)
{
    size_t i;

    for (i = 0; i < a->n; i++)
        free(a->chunks[i]);
    free(a->chunks);
    a->chunks = NULL;
    a->n = a->cap = 0;
    a->bytes = 0;
}
