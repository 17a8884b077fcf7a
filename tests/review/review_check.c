/*
 * review_check.c -- reads back what `quarry review` stored, for the review
 * tests (the run-*.sh scripts beside it). Opens the project through the
 * library (which refuses a damaged file) and prints, one record a line:
 *
 *   review_check decisions PROJECT       excerpt verdict code replacement coder
 *   review_check codings PROJECT [CODER] excerpt code coder origin
 *   review_check suggestions PROJECT ID  the codes suggested for ID, best first
 *   review_check queue PROJECT CODER     the excerpts CODER has to decide
 *   review_check ok PROJECT              "ok" when the project opens and
 *                                        SQLite's integrity check passes
 *
 * Exit 0 ok, 1 when the project cannot be opened or read.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quarry/quarry.h"

static int fail(quarry_project *p, const char *what)
{
    fprintf(stderr, "review_check: %s: %s\n", what,
            p ? quarry_project_errmsg(p) : "");
    quarry_project_free(p);
    return 1;
}

/* The SQLite queries that the public API has no call for. */
static int query(const char *path, const char *sql, int cols)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc, i;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "review_check: %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return 1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (i = 0; i < cols; i++) {
            const unsigned char *v = sqlite3_column_text(st, i);
            printf("%s%s", i ? " " : "", v ? (const char *)v : "-");
        }
        putchar('\n');
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc == SQLITE_DONE ? 0 : 1;
}

static int print_coding(void *ctx, const quarry_coding_row *r)
{
    const char *coder = ctx;
    if (coder == NULL || strcmp(coder, r->coder) == 0)
        printf("%s %s %s %s\n", r->excerpt, r->code, r->coder, r->origin);
    return 0;
}

int main(int argc, char **argv)
{
    quarry_project *p = NULL;
    const char *cmd, *path;
    int rc = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: review_check decisions|codings|suggestions|"
                        "queue|ok PROJECT [ARG]\n");
        return 2;
    }
    cmd = argv[1];
    path = argv[2];
    if (quarry_project_new(&p) != QUARRY_OK)
        return 2;
    if (quarry_project_open(p, path, QUARRY_PROJECT_READONLY) != QUARRY_OK)
        return fail(p, path);
    if (strcmp(cmd, "decisions") == 0) {
        rc = query(path,
                   "SELECT e.xid, d.verdict, k.code, r.code, c.name"
                   " FROM decisions d JOIN excerpts e ON e.id = d.excerpt_id"
                   " LEFT JOIN codes k ON k.id = d.code_id"
                   " LEFT JOIN codes r ON r.id = d.replacement_id"
                   " JOIN coders c ON c.id = d.coder_id ORDER BY d.id",
                   5);
    } else if (strcmp(cmd, "codings") == 0) {
        if (quarry_project_codings(p, print_coding,
                                   argc > 3 ? argv[3] : NULL) != QUARRY_OK)
            return fail(p, "codings");
    } else if (strcmp(cmd, "suggestions") == 0 && argc > 3) {
        const quarry_review_item *it = NULL;
        int32_t i;
        if (quarry_project_review_item(p, "review_check", argv[3], &it) !=
            QUARRY_OK)
            return fail(p, argv[3]);
        for (i = 0; i < it->n_suggestions; i++)
            printf("%s\n", it->suggestions[i].code);
    } else if (strcmp(cmd, "queue") == 0 && argc > 3) {
        /* Walk the queue by skipping what was seen. */
        const char **seen = NULL;
        size_t n = 0;
        for (;;) {
            const quarry_review_item *it = NULL;
            const char **grown;
            if (quarry_project_review_next_skipping(p, argv[3], seen, n, &it,
                                                    NULL) != QUARRY_OK) {
                rc = 1;
                break;
            }
            if (it == NULL)
                break;
            printf("%s\n", it->excerpt);
            grown = realloc(seen, (n + 1) * sizeof *seen);
            if (grown == NULL || (grown[n] = strdup(it->excerpt)) == NULL) {
                free(grown ? grown : seen);
                seen = NULL;
                n = 0;
                rc = 2;
                break;
            }
            seen = grown;
            n++;
        }
        while (n > 0)
            free((char *)seen[--n]);
        free(seen);
    } else if (strcmp(cmd, "ok") == 0) {
        quarry_project_free(p);
        p = NULL;
        rc = query(path, "PRAGMA integrity_check", 1);
    } else {
        fprintf(stderr, "review_check: unknown command \"%s\"\n", cmd);
        rc = 2;
    }
    quarry_project_free(p);
    return rc;
}
