/*
 * serve_export.c -- the project's work as a file to keep, from the page:
 * GET /api/export?format=F answers with the file itself and a
 * Content-Disposition that names it after the project, so a researcher
 * who never opens a terminal can take the coding back to NVivo, ATLAS.ti
 * or MAXQDA (.qdpx), open it in Excel (CSV) or send the report.
 *
 * Each format is what `quarry export` (or `quarry report`) writes, made
 * in memory: nothing is written on the disk. A CSV starts with the UTF-8
 * byte-order mark, so that Excel on Windows reads its accents and curly
 * quotes as they are (without it Excel reads the bytes as Windows-1252).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "serve_int.h"

typedef enum kind { K_CSV, K_QDPX, K_QDC, K_HTML } kind;

static const struct format {
    const char *name;   /* ?format= */
    const char *suffix; /* of the file's name, after the project's */
    kind kind;
} formats[] = {
    {"qdpx", ".qdpx", K_QDPX},
    {"csv", "-codings.csv", K_CSV},
    {"quotes", "-quotes.csv", K_CSV},
    {"final", "-final-coding.csv", K_CSV},
    {"final-quotes", "-final-quotes.csv", K_CSV},
    {"matrix", "-matrix.csv", K_CSV},
    {"cooccurrence", "-cooccurrence.csv", K_CSV},
    {"memos", "-memos.csv", K_CSV},
    {"decisions", "-decisions.csv", K_CSV},
    {"code-history", "-code-history.csv", K_CSV},
    {"qdc", "-codebook.qdc", K_QDC},
    {"report", "-report.html", K_HTML},
};

/* The download's name: the project's name in letters, digits, '-', '_'
 * and '.' (a header carries no quote or line break), then the suffix. */
static void attachment(serve_req *r, const char *suffix)
{
    char stem[64];
    size_t n = 0;
    const char *s = r->s->project_name ? r->s->project_name : "";
    for (; *s != '\0' && n + 1 < sizeof stem; s++) {
        unsigned char ch = (unsigned char)*s;
        stem[n++] = isalnum(ch) || ch == '-' || ch == '_' || ch == '.'
                        ? (char)ch
                        : '_';
    }
    stem[n] = '\0';
    snprintf(r->raw_name, sizeof r->raw_name,
             "attachment; filename=\"%s%s\"", n ? stem : "project", suffix);
}

/* A table of the project written to f. */
static int write_csv(serve_req *r, const char *format, FILE *f)
{
    quarry_export_options eo = QUARRY_EXPORT_OPTIONS_INIT;
    quarry_project *p = r->s->p;
    eo.final = strncmp(format, "final", 5) == 0;
    if (strcmp(format, "csv") == 0 || strcmp(format, "final") == 0)
        return quarry_project_export_csv(p, f, &eo);
    if (strcmp(format, "quotes") == 0 || strcmp(format, "final-quotes") == 0)
        return quarry_project_export_quotes(p, f, &eo);
    if (strcmp(format, "matrix") == 0)
        return quarry_project_export_matrix(p, f, &eo);
    if (strcmp(format, "cooccurrence") == 0)
        return quarry_project_export_cooccurrence(p, f, &eo);
    if (strcmp(format, "memos") == 0)
        return quarry_project_export_memos(p, f, QUARRY_MEMOS_ALL, NULL, 1);
    if (strcmp(format, "decisions") == 0)
        return quarry_project_export_decisions(p, f, 1);
    return quarry_project_export_code_history(p, f, 1);
}

int serve_api_export(serve_req *r)
{
    const char *want = serve_query(r, "format");
    const struct format *fm = NULL;
    char err[1024] = "", *buf = NULL;
    size_t len = 0, i;
    FILE *f = NULL;
    int status;
    for (i = 0; want != NULL && i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(want, formats[i].name) == 0)
            fm = &formats[i];
    if (fm == NULL)
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "format: %s%s%s is not one of qdpx, csv, quotes, "
                           "final, final-quotes, "
                           "matrix, cooccurrence, memos, decisions, "
                           "code-history, qdc, report",
                           want ? "\"" : "missing", want ? want : "",
                           want ? "\"" : "");
    /* Blind coding: nothing that holds other coders' codes leaves. */
    if (r->s->blind && fm->kind != K_QDC &&
        strcmp(fm->name, "code-history") != 0)
        return serve_error(r, MHD_HTTP_FORBIDDEN, "%s", SERVE_BLIND_NO);
    if (fm->kind == K_HTML && r->s->engine == NULL)
        return serve_error(r, MHD_HTTP_NOT_IMPLEMENTED,
                           "this server makes no report: run quarry report "
                           "on the project");
    if (fm->kind == K_QDPX) {
        quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
        status = quarry_project_export_qdpx_buffer(r->s->p, &o, &buf, &len);
    } else {
        f = open_memstream(&buf, &len);
        if (f == NULL)
            return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                               "out of memory");
        if (fm->kind == K_CSV)
            fputs("\xEF\xBB\xBF", f);
        if (fm->kind == K_CSV) {
            status = write_csv(r, fm->name, f);
        } else if (fm->kind == K_QDC) {
            status = quarry_project_export_qdc(r->s->p, f);
        } else {
            quarry_report_options o = QUARRY_REPORT_OPTIONS_INIT;
            o.title = r->s->project_name;
            status = quarry_report_write(r->s->p, r->s->engine, f, &o, err,
                                         sizeof err);
        }
        if (fclose(f) != 0 && status == QUARRY_OK)
            status = QUARRY_ENOMEM;
    }
    if (status != QUARRY_OK) {
        free(buf);
        if (err[0] != '\0')
            return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "%s", err);
        return serve_fail(r, status);
    }
    r->raw = buf;
    r->raw_len = len;
    r->raw_type = fm->kind == K_QDPX  ? "application/zip"
                  : fm->kind == K_CSV ? "text/csv; charset=utf-8"
                  : fm->kind == K_QDC ? "application/xml"
                                      : "text/html; charset=utf-8";
    attachment(r, fm->suffix);
    r->status = MHD_HTTP_OK;
    return 0;
}
