/*
 * report_data.h -- what the report shows, gathered from a project in one
 * walk over its codings (report_data.c): the codes with their notes and
 * exemplar quotes, counts by study and by coder, co-occurrence, and the
 * agreement table. Internal to core/report.
 */
#ifndef QUARRY_REPORT_DATA_H
#define QUARRY_REPORT_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "quarry/quarry.h"

typedef struct report_quote {
    char *excerpt, *text, *participant, *study, *source;
    long score; /* lower is a better exemplar */
} report_quote;

typedef struct report_code {
    char *id, *name, *parent, *definition, *include, *exclude;
    int32_t depth;
    int is_theme;
    int64_t n_codings, n_excerpts;
    report_quote quotes[2];
    int n_quotes;
} report_code;

typedef struct report_data {
    quarry_project_counts counts;
    report_code *codes;
    int32_t n_codes;
    int32_t *by_id;       /* code indexes sorted by id, for lookup */
    char **studies;       /* in order of first appearance, then sorted */
    int32_t n_studies;
    /* [study][code]: excerpts coded with the code; then, from n_codes
     * on, excerpts coded with the code or a code under it (a theme's
     * roll-up), each excerpt once. */
    int64_t **by_study;
    int64_t *tree_total;  /* [code]: the roll-up over every excerpt */
    int32_t *parent;      /* [code]: the parent's index, or -1 */
    char **coders;
    int32_t n_coders;
    int64_t **by_coder;   /* [coder][code]: codings */
    int64_t *cooc;        /* [code][code]: excerpts coded with both */
    int64_t no_study;     /* coded excerpts with no study attribute */
    quarry_agree_table *agree;
    /* Walk state: the excerpt being read and the codes it has so far. */
    char *cur_excerpt;
    int32_t cur_study;
    char *cur_participant;
    unsigned char *cur_codes;
    unsigned char *cur_tree;
    int status;
} report_data;

/* Gather everything from p; QUARRY_OK or a status with the message in
 * err. report_data_free whatever the result. */
int report_data_load(report_data *d, quarry_project *p, char *err,
                     size_t errcap);
void report_data_free(report_data *d);
/* The index of a code by id, or -1. */
int32_t report_code_find(const report_data *d, const char *id);

#endif
