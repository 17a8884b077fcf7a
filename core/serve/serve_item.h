/*
 * serve_item.h -- JSON of an excerpt for the review page (serve_item.c)
 * and small JSON helpers the API shares. Internal to core/serve.
 */
#ifndef QUARRY_SERVE_ITEM_H
#define QUARRY_SERVE_ITEM_H

#include <jansson.h>

#include "quarry/project_browse.h"

/* A string, or JSON null for NULL. */
json_t *serve_jstr(const char *s);
/* Stored JSON text parsed, or null. */
json_t *serve_jparse(const char *s);
json_t *serve_memo_json(const quarry_memo *m);
/* A coding's passage as [start, end] (code points), null for the whole. */
json_t *serve_span_json(const quarry_coding_view *v);

/* ITEM (core/serve/API.md) from the review item it, for coder (may be
 * NULL: every coding is another coder's); blind: no other coder's codes
 * ("others" empty, "blind" true). Makes further calls on p, so it is
 * invalid after. A library status. */
int serve_item_json(quarry_project *p, const char *coder, int blind,
                    const quarry_review_item *it, json_t **out);
/* ITEM of one excerpt id. */
int serve_item_of(quarry_project *p, const char *coder, int blind,
                  const char *excerpt,
                  json_t **out);

#endif
