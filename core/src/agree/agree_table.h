/*
 * agree_table.h -- the agreement table's internals, shared by agree.c (the
 * table and the figures) and agree_read.c (long-format files and suggest
 * output). Internal; not installed.
 */
#ifndef QUARRY_AGREE_TABLE_H
#define QUARRY_AGREE_TABLE_H

#include <stdarg.h>

#include "quarry/quarry.h"
#include "strtab.h"

struct quarry_agree_table {
    strtab units, coders, codes; /* ids in order of first appearance */
    /* Triples as added (duplicates too; removed when figures are made). */
    int64_t *t_unit;
    int32_t *t_coder;
    int32_t *t_code; /* -1: coded with no code */
    size_t n_triples, cap_triples;
    /* Coder and code ids sorted by name: rank -> id. */
    int32_t *coder_order, *code_order;
    size_t cap_coder_order, cap_code_order;
    char err[QUARRY_ERR_MAX];
};

/* Set the table's message, "NAME:LINE: field \"F\": what" (the parts that
 * are NULL or 0 left out); returns status. */
int agree_fail(quarry_agree_table *t, int status, const char *name,
               int64_t line, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

#endif
