/*
 * topk.h -- keep the k best (score, id) pairs of a stream: a min-heap of
 * size k, so selecting from n candidates costs O(n log k) and never sorts
 * the whole stream. Ties go to the smaller id, so results are reproducible.
 */
#ifndef QUARRY_TOPK_H
#define QUARRY_TOPK_H

#include <stdint.h>

typedef struct topk_item {
    float score;
    int64_t id;
} topk_item;

typedef struct topk {
    topk_item *items; /* caller-provided room for k */
    int32_t k, n;
} topk;

static inline void topk_init(topk *t, topk_item *room, int32_t k)
{
    t->items = room;
    t->k = k;
    t->n = 0;
}

/* a ranks below b: lower score, or equal score and larger id. */
static inline int topk_worse(const topk_item *a, const topk_item *b)
{
    return a->score < b->score || (a->score == b->score && a->id > b->id);
}

void topk_push(topk *t, float score, int64_t id);
/* Sort the kept items best first (destroys the heap order). */
void topk_sort(topk *t);

#endif
