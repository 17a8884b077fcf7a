/*
 * topk.c -- bounded selection of the best-scoring ids (see topk.h).
 */
#include <stdlib.h>

#include "topk.h"

static void sift_down(topk_item *h, int32_t n, int32_t i)
{
    for (;;) {
        int32_t l = 2 * i + 1, r = l + 1, w = i;
        if (l < n && topk_worse(&h[l], &h[w]))
            w = l;
        if (r < n && topk_worse(&h[r], &h[w]))
            w = r;
        if (w == i)
            return;
        topk_item tmp = h[i];
        h[i] = h[w];
        h[w] = tmp;
        i = w;
    }
}

void topk_push(topk *t, float score, int64_t id)
{
    topk_item it = {score, id};
    if (t->k <= 0)
        return;
    if (t->n < t->k) {
        /* Sift up: the heap's root is the worst kept item. */
        int32_t i = t->n++;
        t->items[i] = it;
        while (i > 0) {
            int32_t parent = (i - 1) / 2;
            if (!topk_worse(&t->items[i], &t->items[parent]))
                break;
            topk_item tmp = t->items[i];
            t->items[i] = t->items[parent];
            t->items[parent] = tmp;
            i = parent;
        }
        return;
    }
    if (!topk_worse(&t->items[0], &it))
        return;
    t->items[0] = it;
    sift_down(t->items, t->n, 0);
}

static int cmp_best_first(const void *a, const void *b)
{
    const topk_item *x = a, *y = b;
    if (topk_worse(x, y))
        return 1;
    if (topk_worse(y, x))
        return -1;
    return 0;
}

void topk_sort(topk *t)
{
    qsort(t->items, (size_t)t->n, sizeof *t->items, cmp_best_first);
}
