/*
 * refi_tables.c -- a project's codings as tables for R and Python
 * (quarry/refi.h): the code-by-excerpt 0/1 matrix, the code co-occurrence
 * matrix and the quotations table, as CSV (RFC 4180: a field is quoted when
 * it holds a comma, a quote or a line break). Codes are in codebook order,
 * excerpts in import order; every human coding counts, whoever made it.
 */
#include <stdlib.h>
#include <string.h>

#include "project_db.h"

static void csv_field(FILE *out, const char *s)
{
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

typedef struct codes {
    int64_t *row;
    char **id;
    int32_t n;
} codes;

static void codes_free(codes *c)
{
    int32_t i;
    for (i = 0; i < c->n; i++)
        free(c->id[i]);
    free(c->row);
    free(c->id);
}

static int codes_load(quarry_project *p, codes *c)
{
    sqlite3_stmt *st = project_prepare(p, "SELECT count(*) FROM codes");
    int64_t n = 0;
    int rc;
    memset(c, 0, sizeof(*c));
    if (st == NULL)
        return QUARRY_EIO;
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    c->row = malloc(((size_t)n + 1) * sizeof(int64_t));
    c->id = calloc((size_t)n + 1, sizeof(char *));
    if (c->row == NULL || c->id == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    st = project_prepare(p, "SELECT id, code FROM codes ORDER BY position, id");
    if (st == NULL)
        return QUARRY_EIO;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && c->n < n) {
        c->row[c->n] = sqlite3_column_int64(st, 0);
        c->id[c->n] = strdup(project_col_text(st, 1));
        if (c->id[c->n] == NULL) {
            sqlite3_finalize(st);
            return project_fail(p, QUARRY_ENOMEM, "out of memory");
        }
        c->n++;
    }
    sqlite3_finalize(st);
    return QUARRY_OK;
}

/* Column of a code row (codes are few: a linear scan). */
static int32_t code_col(const codes *c, int64_t row)
{
    int32_t i;
    for (i = 0; i < c->n; i++)
        if (c->row[i] == row)
            return i;
    return -1;
}

static int finish(quarry_project *p, FILE *out, int status)
{
    if (status == QUARRY_OK && (fflush(out) != 0 || ferror(out)))
        return project_fail(p, QUARRY_EIO, "cannot write the table");
    return status;
}

int quarry_project_export_matrix(quarry_project *p, FILE *out)
{
    codes c;
    sqlite3_stmt *st = NULL;
    unsigned char *cells = NULL;
    int64_t last = -1;
    int32_t i;
    int rc, status = project_check(p, 0);
    char *xid = NULL, *src = NULL, *spk = NULL;
    if (status != QUARRY_OK)
        return status;
    status = codes_load(p, &c);
    if (status != QUARRY_OK)
        goto out;
    cells = calloc((size_t)c.n + 1, 1);
    if (cells == NULL) {
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    fputs("excerpt,source,speaker", out);
    for (i = 0; i < c.n; i++) {
        fputc(',', out);
        csv_field(out, c.id[i]);
    }
    fputc('\n', out);
    st = project_prepare(p, "SELECT e.id, e.xid, s.name, e.speaker, g.code_id"
                            " FROM excerpts e JOIN sources s ON s.id ="
                            " e.source_id LEFT JOIN codings g ON"
                            " g.excerpt_id = e.id ORDER BY e.seq, e.id");
    if (st == NULL) {
        status = QUARRY_EIO;
        goto out;
    }
    for (;;) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW || sqlite3_column_int64(st, 0) != last) {
            if (last >= 0) { /* the row of the excerpt before */
                csv_field(out, xid);
                fputc(',', out);
                csv_field(out, src);
                fputc(',', out);
                csv_field(out, spk);
                for (i = 0; i < c.n; i++)
                    fputs(cells[i] ? ",1" : ",0", out);
                fputc('\n', out);
            }
            if (rc != SQLITE_ROW)
                break;
            free(xid);
            free(src);
            free(spk);
            xid = strdup(project_col_text(st, 1));
            src = project_col_text(st, 2) ? strdup(project_col_text(st, 2))
                                          : NULL;
            spk = project_col_text(st, 3) ? strdup(project_col_text(st, 3))
                                          : NULL;
            memset(cells, 0, (size_t)c.n);
            last = sqlite3_column_int64(st, 0);
        }
        if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
            int32_t k = code_col(&c, sqlite3_column_int64(st, 4));
            if (k >= 0)
                cells[k] = 1;
        }
    }
    if (rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the codings");
out:
    sqlite3_finalize(st);
    free(cells);
    free(xid);
    free(src);
    free(spk);
    codes_free(&c);
    return finish(p, out, status);
}

int quarry_project_export_cooccurrence(quarry_project *p, FILE *out)
{
    codes c;
    sqlite3_stmt *st = NULL;
    int64_t *counts = NULL, last = -1;
    int32_t *in = NULL, n_in = 0, i, j;
    int rc, status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    status = codes_load(p, &c);
    if (status != QUARRY_OK)
        goto out;
    counts = calloc((size_t)c.n * (size_t)c.n + 1, sizeof(int64_t));
    in = malloc(((size_t)c.n + 1) * sizeof(int32_t));
    if (counts == NULL || in == NULL) {
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        goto out;
    }
    st = project_prepare(p, "SELECT DISTINCT excerpt_id, code_id FROM codings"
                            " ORDER BY excerpt_id, code_id");
    if (st == NULL) {
        status = QUARRY_EIO;
        goto out;
    }
    for (;;) {
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW || sqlite3_column_int64(st, 0) != last) {
            for (i = 0; i < n_in; i++)
                for (j = 0; j < n_in; j++)
                    counts[(size_t)in[i] * (size_t)c.n + (size_t)in[j]]++;
            n_in = 0;
            if (rc != SQLITE_ROW)
                break;
            last = sqlite3_column_int64(st, 0);
        }
        i = code_col(&c, sqlite3_column_int64(st, 1));
        if (i >= 0 && n_in < c.n)
            in[n_in++] = i;
    }
    if (rc != SQLITE_DONE) {
        status = project_db_fail(p, "cannot read the codings");
        goto out;
    }
    fputs("code", out);
    for (i = 0; i < c.n; i++) {
        fputc(',', out);
        csv_field(out, c.id[i]);
    }
    fputc('\n', out);
    for (i = 0; i < c.n; i++) {
        csv_field(out, c.id[i]);
        for (j = 0; j < c.n; j++)
            fprintf(out, ",%lld",
                    (long long)counts[(size_t)i * (size_t)c.n + (size_t)j]);
        fputc('\n', out);
    }
out:
    sqlite3_finalize(st);
    free(counts);
    free(in);
    codes_free(&c);
    return finish(p, out, status);
}

int quarry_project_export_quotes(quarry_project *p, FILE *out)
{
    sqlite3_stmt *st;
    int rc, status = project_check(p, 0);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(
        p, "SELECT k.code, coalesce(k.name, k.code), s.name, e.speaker,"
           " e.xid, e.text FROM (SELECT DISTINCT excerpt_id, code_id FROM"
           " codings) g JOIN excerpts e ON e.id = g.excerpt_id"
           " JOIN codes k ON k.id = g.code_id"
           " JOIN sources s ON s.id = e.source_id"
           " ORDER BY k.position, k.id, e.seq, e.id");
    if (st == NULL)
        return QUARRY_EIO;
    fputs("code,name,source,speaker,excerpt,text\n", out);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int k;
        for (k = 0; k < 6; k++) {
            if (k)
                fputc(',', out);
            csv_field(out, project_col_text(st, k));
        }
        fputc('\n', out);
    }
    if (rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the codings");
    sqlite3_finalize(st);
    return finish(p, out, status);
}
