/*
 * arena.h -- an append-only allocator of big chunks, with marks to roll
 * back to.
 *
 * The corpus keeps a million excerpts' strings here instead of a million
 * mallocs. Memory handed out never moves, so pointers stay valid until the
 * arena is rolled back past them or freed. A mark taken before reading a
 * file and a rollback on failure make a read transactional. Internal; not
 * installed.
 */
#ifndef QUARRY_ARENA_H
#define QUARRY_ARENA_H

#include <stddef.h>

typedef struct quarry_arena_chunk quarry_arena_chunk;

typedef struct quarry_arena {
    quarry_arena_chunk **chunks; /* in allocation order; the last is open */
    size_t n, cap;
    size_t bytes; /* capacity of all chunks, for statistics */
} quarry_arena;

/* A position to roll back to: the chunk count and the fill of the last. */
typedef struct quarry_arena_mark {
    size_t n;
    size_t used;
} quarry_arena_mark;

#define QUARRY_ARENA_INIT                                                      \
    {                                                                          \
        NULL, 0, 0, 0                                                          \
    }

/* size bytes aligned to align (a power of two, at most
 * _Alignof(max_align_t)); NULL when out of memory or size is absurd. */
void *quarry_arena_alloc(quarry_arena *a, size_t size, size_t align);

/* A NUL-terminated copy of s[0..len) (s may hold NUL bytes). */
char *quarry_arena_strndup(quarry_arena *a, const char *s, size_t len);

quarry_arena_mark quarry_arena_mark_get(const quarry_arena *a);

/* Forget everything allocated since m (chunks opened since are freed). */
void quarry_arena_rollback(quarry_arena *a, quarry_arena_mark m);

/* Free every chunk; the arena is empty and usable again. */
void quarry_arena_free(quarry_arena *a);

#endif /* QUARRY_ARENA_H */
