/*
 * project_review.c -- decisions by a named coder on the engine's
 * suggestions: the review queue and its items, one decision (and the coding
 * it makes) per transaction, undo, and decisions applied from a file.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "project_db.h"

static const char *const verdict_names[] = {
    NULL, "accept", "reject", "replace", "add", "remove", "undo", "settle"};

quarry_verdict quarry_verdict_from_name(const char *name)
{
    int v;
    for (v = 1; name != NULL && v <= 7; v++)
        if (strcmp(name, verdict_names[v]) == 0)
            return (quarry_verdict)v;
    return (quarry_verdict)0;
}

const char *quarry_verdict_name(quarry_verdict v)
{
    return v >= 1 && v <= 7 ? verdict_names[v] : "unknown";
}

/* Where a decision came from, for messages: "" from a call, or
 * "FILE:LINE: " from a decisions file. */
typedef struct origin {
    const char *file;
    int64_t line;
    int64_t already; /* lines of a decisions file in effect already */
} origin;

static int fail_at(quarry_project *p, const origin *o, int status,
                   const char *field, const char *fmt, const char *arg)
{
    char what[512];
    snprintf(what, sizeof what, fmt, arg ? arg : "");
    if (o != NULL && o->file != NULL)
        return project_fail(p, status, "%s:%lld: field \"%s\": %s", o->file,
                            (long long)o->line, field, what);
    return project_fail(p, status, "field \"%s\": %s", field, what);
}

/* 1 when s is a time that can be: "YYYY-MM-DD", optionally followed by
 * "THH:MM", ":SS", ".fraction" and "Z" or "+HH:MM" / "-HH:MM", with a
 * real month, a day the month has (leap years counted), hour 0-23,
 * minute 0-59, second 0-60 (a leap second). */
/* The number in the n digits at s, or -1 when one is not a digit. */
static int digits(const char *s, int n)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int valid_time(const char *s)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31};
    int y, mo, d, h, mi, sec = 0;
    if (strlen(s) < 10 || strlen(s) >= 40 || s[4] != '-' || s[7] != '-')
        return 0;
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1])
        return 0;
    if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
        return 0;
    s += 10;
    if (*s == '\0')
        return 1;
    if ((*s != 'T' && *s != ' ') || strlen(s) < 6 || s[3] != ':')
        return 0;
    h = digits(s + 1, 2);
    mi = digits(s + 4, 2);
    s += 6;
    if (*s == ':') {
        sec = digits(s + 1, 2);
        s += 3;
        if (sec >= 0 && *s == '.') {
            if (*++s < '0' || *s > '9')
                return 0;
            while (*s >= '0' && *s <= '9')
                s++;
        }
    }
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return 0;
    if (*s == 'Z')
        return s[1] == '\0';
    if (*s == '+' || *s == '-') {
        if (strlen(s) != 6 || s[3] != ':')
            return 0;
        h = digits(s + 1, 2);
        mi = digits(s + 4, 2);
        return h >= 0 && h <= 23 && mi >= 0 && mi <= 59;
    }
    return *s == '\0';
}

int project_valid_time(const char *s)
{
    return valid_time(s);
}

/* The row id of code name, the decision's field: a failure naming the
 * field when the codebook has no such code. */
static int known_code(quarry_project *p, const origin *o, const char *field,
                      const char *name, int64_t *id)
{
    int status = project_code_id(p, name, id);
    if (status == QUARRY_OK && *id == 0)
        status = fail_at(p, o, QUARRY_ENOTFOUND, field,
                         "unknown code \"%s\" (not in the project's "
                         "codebook)",
                         name);
    return status;
}

/* known_code for a code a decision codes with (an added code, a
 * replacement): a theme (a code with child codes that is not marked
 * codable) is refused, as suggest would refuse the coding later and every
 * run after it would fail. */
static int codable_code(quarry_project *p, const origin *o,
                        const char *field, const char *name, int64_t *id)
{
    sqlite3_stmt *st;
    int status = known_code(p, o, field, name, id), theme = 0;
    char children[200] = "";
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(
        p, "SELECT (SELECT group_concat(code, ', ') FROM (SELECT code FROM"
           " codes WHERE parent = ?1 ORDER BY position LIMIT 4)),"
           " NOT EXISTS(SELECT 1 FROM meta WHERE key = ?2 AND value = '1')");
    if (st == NULL)
        return QUARRY_EIO;
    {
        size_t n = strlen(name) + sizeof(PROJECT_META_CODABLE);
        char *key = malloc(n);
        if (key == NULL) {
            sqlite3_finalize(st);
            return project_fail(p, QUARRY_ENOMEM, "out of memory");
        }
        snprintf(key, n, "%s%s", PROJECT_META_CODABLE, name);
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
        free(key);
    }
    if (sqlite3_step(st) == SQLITE_ROW && project_col_text(st, 0) != NULL) {
        snprintf(children, sizeof children, "%s", project_col_text(st, 0));
        theme = sqlite3_column_int(st, 1);
    }
    sqlite3_finalize(st);
    if (theme) {
        char what[400];
        snprintf(what, sizeof what,
                 "\"%s\" is a theme (its codes: %s): code with one of its "
                 "codes",
                 name, children);
        return fail_at(p, o, QUARRY_EINVAL, field, "%s", what);
    }
    return QUARRY_OK;
}

/* The latest stored suggestion of code for excerpt, or 0. */
static int suggestion_of(quarry_project *p, int64_t excerpt, int64_t code,
                         int64_t *id)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT id FROM suggestions WHERE excerpt_id = ?1 AND"
           " code_id = ?2 ORDER BY run_id DESC LIMIT 1");
    int rc;
    *id = 0;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, excerpt);
    sqlite3_bind_int64(st, 2, code);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? QUARRY_OK
               : project_db_fail(p, "cannot read the suggestions");
}

static int exists(quarry_project *p, const char *sql, int64_t a, int64_t b,
                  int64_t c, int *yes)
{
    sqlite3_stmt *st = project_prepare(p, sql);
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, a);
    sqlite3_bind_int64(st, 2, b);
    sqlite3_bind_int64(st, 3, c);
    rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? QUARRY_OK
               : project_db_fail(p, "cannot read the project");
}

/* The coder's coding of code on excerpt: its row, the decision that made
 * it (0 for an imported one), its origin and time (copied into the
 * caller's buffers); *row = 0 when there is none. */
static int coding_of(quarry_project *p, int64_t excerpt, int64_t code,
                     int64_t coder, int64_t *row, int64_t *made_by,
                     char from[32], char at[40], int64_t span[2])
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT id, decision_id, origin, made_at, span_start, span_end"
           " FROM codings WHERE"
           " excerpt_id = ?1 AND code_id = ?2 AND coder_id = ?3");
    int rc;
    *row = *made_by = 0;
    span[0] = span[1] = 0;
    from[0] = at[0] = '\0';
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, excerpt);
    sqlite3_bind_int64(st, 2, code);
    sqlite3_bind_int64(st, 3, coder);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *row = sqlite3_column_int64(st, 0);
        *made_by = sqlite3_column_int64(st, 1);
        snprintf(from, 32, "%s", project_col_text(st, 2));
        snprintf(at, 40, "%s", project_col_text(st, 3));
        span[0] = sqlite3_column_int64(st, 4);
        span[1] = sqlite3_column_int64(st, 5);
    }
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? QUARRY_OK
               : project_db_fail(p, "cannot read the codings");
}

static int delete_coding(quarry_project *p, int64_t row)
{
    sqlite3_stmt *st = project_prepare(p, "DELETE FROM codings WHERE id = ?1");
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, row);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(p, "cannot update the codings");
}

/* A passage of an excerpt (span end 0: the whole, stored as NULL). */
static void bind_span(sqlite3_stmt *st, int col, const int64_t span[2])
{
    if (span[1] > 0) {
        sqlite3_bind_int64(st, col, span[0]);
        sqlite3_bind_int64(st, col + 1, span[1]);
    } else {
        sqlite3_bind_null(st, col);
        sqlite3_bind_null(st, col + 1);
    }
}

static int insert_coding(quarry_project *p, int64_t excerpt, int64_t code,
                         int64_t coder, const char *origin_name,
                         const char *at, int64_t decision,
                         const int64_t span[2])
{
    sqlite3_stmt *st = project_prepare(p, "INSERT INTO codings(excerpt_id,"
                                          " code_id, coder_id, origin,"
                                          " made_at, decision_id,"
                                          " span_start, span_end)"
                                          " VALUES(?1, ?2, ?3, ?4, ?5, ?6,"
                                          " ?7, ?8)");
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, excerpt);
    sqlite3_bind_int64(st, 2, code);
    sqlite3_bind_int64(st, 3, coder);
    sqlite3_bind_text(st, 4, origin_name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, at, -1, SQLITE_STATIC);
    if (decision)
        sqlite3_bind_int64(st, 6, decision);
    else
        sqlite3_bind_null(st, 6);
    bind_span(st, 7, span);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? QUARRY_OK
                             : project_db_fail(p, "cannot store the coding");
}

/* One row of the decisions table; 0 ids and NULL strings are NULL. */
typedef struct decision_row {
    int64_t excerpt, suggestion, code, replacement, coder, reverses;
    const char *verdict, *at, *note, *batch, *coding_origin, *coding_at;
    const char *codes; /* settle: the final codes, a JSON array */
    int64_t span[2];   /* the passage coded or removed (end 0: whole) */
} decision_row;

static int insert_decision(quarry_project *p, const decision_row *r,
                           int64_t *id)
{
    sqlite3_stmt *st = project_prepare(
        p, "INSERT INTO decisions(excerpt_id, suggestion_id, code_id,"
           " verdict, replacement_id, coder_id, made_at, note, reverses,"
           " batch, coding_origin, coding_made_at, codes, span_start,"
           " span_end) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
           " ?11, ?12, ?13, ?14, ?15)");
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, r->excerpt);
    if (r->suggestion)
        sqlite3_bind_int64(st, 2, r->suggestion);
    if (r->code) /* NULL for a settle and its undo */
        sqlite3_bind_int64(st, 3, r->code);
    sqlite3_bind_text(st, 4, r->verdict, -1, SQLITE_STATIC);
    if (r->replacement)
        sqlite3_bind_int64(st, 5, r->replacement);
    sqlite3_bind_int64(st, 6, r->coder);
    sqlite3_bind_text(st, 7, r->at, -1, SQLITE_STATIC);
    project_bind_text(st, 8, r->note);
    if (r->reverses)
        sqlite3_bind_int64(st, 9, r->reverses);
    project_bind_text(st, 10, r->batch);
    project_bind_text(st, 11, r->coding_origin);
    project_bind_text(st, 12, r->coding_at);
    project_bind_text(st, 13, r->codes);
    bind_span(st, 14, r->span);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return project_db_fail(p, "cannot store the decision");
    *id = sqlite3_last_insert_rowid(p->db);
    return QUARRY_OK;
}

/* Remove: the coder's own coding of the code goes; the decision keeps its
 * origin, time and the decision that made it. */
static int decide_remove(quarry_project *p, const quarry_decision *d,
                         const origin *o, decision_row *r, int64_t *id)
{
    int64_t row, made_by;
    char from[32], at[40];
    int status = coding_of(p, r->excerpt, r->code, r->coder, &row, &made_by,
                           from, at, r->span);
    if (status != QUARRY_OK)
        return status;
    if (row == 0)
        return fail_at(p, o, QUARRY_ENOTFOUND, "code",
                       "this coder has no coding \"%s\" on this excerpt to "
                       "remove", d->code);
    r->reverses = made_by;
    r->coding_origin = from;
    r->coding_at = at;
    status = insert_decision(p, r, id);
    if (status == QUARRY_OK)
        status = delete_coding(p, row);
    return status;
}

int project_span_bytes(const char *text, int64_t start, int64_t end,
                       size_t *b0, size_t *b1)
{
    int64_t cp = 0;
    size_t i = 0;
    *b0 = *b1 = 0;
    if (text == NULL || start < 0 || end <= start)
        return -1;
    for (;; i++) {
        int lead = text[i] == '\0' || ((unsigned char)text[i] & 0xC0) != 0x80;
        if (lead) {
            if (cp == start)
                *b0 = i;
            if (cp == end) {
                *b1 = i;
                return 0;
            }
            if (text[i] == '\0')
                return -1;
            cp++;
        }
    }
}

int project_span_says(const char *text, size_t b0, size_t b1)
{
    utf8proc_int32_t c;
    utf8proc_ssize_t n;
    while (b0 < b1) {
        n = utf8proc_iterate((const utf8proc_uint8_t *)text + b0,
                             (utf8proc_ssize_t)(b1 - b0), &c);
        if (n <= 0)
            return 0;
        switch (utf8proc_category(c)) {
        case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
        case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
            return 1;
        default:
            break;
        }
        b0 += (size_t)n;
    }
    return 0;
}

/* A decision's passage: only a coding has one (accept, replace, add), and
 * it lies inside the excerpt's text and says something. */
static int check_span(quarry_project *p, const origin *o,
                      const quarry_decision *d, int64_t excerpt,
                      int64_t span[2])
{
    sqlite3_stmt *st;
    size_t b0, b1;
    int status = QUARRY_OK, ok = 0, says = 0;
    int64_t n = 0;
    if (d->verdict != QUARRY_VERDICT_ACCEPT &&
        d->verdict != QUARRY_VERDICT_REPLACE &&
        d->verdict != QUARRY_VERDICT_ADD)
        return fail_at(p, o, QUARRY_EINVAL, "span",
                       "only a coding (accept, replace, add) is of a "
                       "passage%s", NULL);
    st = project_prepare(p, "SELECT text, length(text) FROM excerpts"
                            " WHERE id = ?1");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, excerpt);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *text = project_col_text(st, 0);
        n = sqlite3_column_int64(st, 1);
        ok = project_span_bytes(text, d->span_start, d->span_end, &b0,
                                &b1) == 0;
        says = ok && project_span_says(text, b0, b1);
    } else {
        status = project_db_fail(p, "cannot read the excerpt");
    }
    sqlite3_finalize(st);
    if (status != QUARRY_OK)
        return status;
    if (!ok) {
        char what[96];
        snprintf(what, sizeof what,
                 d->span_end <= d->span_start
                     ? "[%lld, %lld] is empty or backwards (the excerpt's "
                       "text has %lld characters)"
                     : "[%lld, %lld] is not a passage of this excerpt, "
                       "whose text has %lld characters",
                 (long long)d->span_start, (long long)d->span_end,
                 (long long)n);
        return fail_at(p, o, QUARRY_EINVAL, "span", "%s", what);
    }
    if (!says)
        return fail_at(p, o, QUARRY_EINVAL, "span",
                       "the passage holds no word%s", NULL);
    span[0] = d->span_start;
    span[1] = d->span_end;
    return QUARRY_OK;
}

/* d with its code and replacement given by name made ids (the copy's
 * fields then point into names[], freed by the caller). */
static int by_names(quarry_project *p, const origin *o,
                    const quarry_decision *d, quarry_decision *copy,
                    char *names[2])
{
    int status;
    *copy = *d;
    names[0] = names[1] = NULL;
    status = project_code_by_name(p, "code", d->code, &names[0]);
    if (status == QUARRY_OK)
        status = project_code_by_name(p, "replacement", d->replacement,
                                      &names[1]);
    if (status != QUARRY_OK && o != NULL && o->file != NULL) {
        char why[512]; /* the message, before the file and line go first */
        snprintf(why, sizeof why, "%s", quarry_project_errmsg(p));
        status = project_fail(p, status, "%s:%lld: %s", o->file,
                              (long long)o->line, why);
    }
    if (names[0] != NULL)
        copy->code = names[0];
    if (names[1] != NULL)
        copy->replacement = names[1];
    return status;
}

static int decide_ids(quarry_project *p, const quarry_decision *d,
                      const origin *o, int64_t *id_out);

/* One decision inside an open transaction; a code may be named by its
 * name (any case) as well as its id. */
static int decide(quarry_project *p, const quarry_decision *d,
                  const origin *o, int64_t *id_out)
{
    quarry_decision copy;
    char *names[2];
    int status = by_names(p, o, d, &copy, names);
    if (status == QUARRY_OK)
        status = decide_ids(p, &copy, o, id_out);
    free(names[0]);
    free(names[1]);
    return status;
}

static int decide_ids(quarry_project *p, const quarry_decision *d,
                      const origin *o, int64_t *id_out)
{
    int64_t excerpt, code, replacement = 0, coder, suggestion = 0, made;
    int64_t coded_code;
    decision_row r;
    char now[40];
    int status, yes;

    if (d->coder == NULL || d->coder[0] == '\0')
        return fail_at(p, o, QUARRY_EINVAL, "coder",
                       "missing: every decision names its coder%s", NULL);
    if (d->excerpt == NULL || d->excerpt[0] == '\0')
        return fail_at(p, o, QUARRY_EINVAL, "excerpt", "missing%s", NULL);
    if (d->verdict < QUARRY_VERDICT_ACCEPT ||
        d->verdict > QUARRY_VERDICT_REMOVE)
        return fail_at(p, o, QUARRY_EINVAL, "verdict",
                       "not one of accept, reject, replace, add, remove%s",
                       NULL);
    if (d->code == NULL || d->code[0] == '\0')
        return fail_at(p, o, QUARRY_EINVAL, "code", "missing%s", NULL);
    if (d->time != NULL && !valid_time(d->time))
        return fail_at(p, o, QUARRY_EINVAL, "time",
                       "\"%s\" is not a valid ISO 8601 time "
                       "(YYYY-MM-DDTHH:MM:SSZ, a date the calendar has)",
                       d->time);
    status = project_excerpt_id(p, d->excerpt, &excerpt);
    if (status != QUARRY_OK)
        return status;
    if (excerpt == 0)
        return fail_at(p, o, QUARRY_ENOTFOUND, "excerpt",
                       "no excerpt \"%s\" in the project", d->excerpt);
    status = d->verdict == QUARRY_VERDICT_ADD
                 ? codable_code(p, o, "code", d->code, &code)
                 : known_code(p, o, "code", d->code, &code);
    if (status != QUARRY_OK)
        return status;
    if (d->verdict == QUARRY_VERDICT_REPLACE) {
        if (d->replacement == NULL || d->replacement[0] == '\0')
            return fail_at(p, o, QUARRY_EINVAL, "replacement",
                           "missing: replace names the code to use%s", NULL);
        if (strcmp(d->replacement, d->code) == 0)
            return fail_at(p, o, QUARRY_EINVAL, "replacement",
                           "\"%s\" is the code itself: replace names "
                           "another code (accept keeps this one)",
                           d->replacement);
        status = codable_code(p, o, "replacement", d->replacement,
                              &replacement);
        if (status != QUARRY_OK)
            return status;
    } else if (d->replacement != NULL) {
        return fail_at(p, o, QUARRY_EINVAL, "replacement",
                       "only a replace decision names a replacement%s", NULL);
    }
    if (d->time != NULL)
        snprintf(now, sizeof now, "%s", d->time);
    else
        project_now(p, now);
    status = project_coder_id(p, d->coder, &coder);
    if (status != QUARRY_OK)
        return status;
    memset(&r, 0, sizeof r);
    r.excerpt = excerpt;
    r.code = code;
    r.coder = coder;
    r.verdict = quarry_verdict_name(d->verdict);
    r.at = now;
    r.note = d->note;
    r.batch = d->version >= 2 ? d->batch : NULL;
    if (d->version >= 3 && (d->span_start != 0 || d->span_end != 0)) {
        status = check_span(p, o, d, excerpt, r.span);
        if (status != QUARRY_OK)
            return status;
    }
    if (d->verdict == QUARRY_VERDICT_REMOVE) {
        status = decide_remove(p, d, o, &r, &made);
        if (status == QUARRY_OK && id_out)
            *id_out = made;
        return status;
    }
    if (d->verdict != QUARRY_VERDICT_ADD) {
        status = suggestion_of(p, excerpt, code, &suggestion);
        if (status != QUARRY_OK)
            return status;
        if (suggestion == 0)
            return fail_at(p, o, QUARRY_ENOTFOUND, "code",
                           "\"%s\" was never suggested for this excerpt "
                           "(\"add\" codes it anyway)", d->code);
    }
    if (suggestion != 0) {
        status = exists(p, "SELECT 1 FROM decisions d WHERE excerpt_id = ?1"
                           " AND code_id = ?2 AND coder_id = ?3 AND"
                           " verdict IN ('accept', 'reject', 'replace') AND"
                           PROJECT_NOT_UNDONE("d") " AND"
                           PROJECT_NOT_REMOVED("d"),
                        excerpt, code, coder, &yes);
        if (status != QUARRY_OK)
            return status;
        if (yes)
            return fail_at(p, o, QUARRY_EDUP, "code",
                           "this coder already decided on \"%s\" for this "
                           "excerpt (undo it first)", d->code);
    }
    coded_code = d->verdict == QUARRY_VERDICT_REPLACE ? replacement
                 : d->verdict == QUARRY_VERDICT_REJECT ? 0
                                                       : code;
    if (coded_code != 0) {
        status = exists(p, "SELECT 1 FROM codings WHERE excerpt_id = ?1"
                           " AND code_id = ?2 AND coder_id = ?3",
                        excerpt, coded_code, coder, &yes);
        if (status != QUARRY_OK)
            return status;
        if (yes && r.span[1] > 0)
            return fail_at(p, o, QUARRY_EDUP, "code",
                           "this coder already coded the excerpt \"%s\" "
                           "(a code is on an excerpt once, with one "
                           "passage or the whole: remove it first to code "
                           "another passage with it)",
                           d->code);
        if (yes)
            return fail_at(p, o, QUARRY_EDUP,
                           d->verdict == QUARRY_VERDICT_REPLACE
                               ? "replacement"
                               : "code",
                           "this coder already coded the excerpt \"%s\"",
                           d->verdict == QUARRY_VERDICT_REPLACE
                               ? d->replacement
                               : d->code);
    }
    r.suggestion = suggestion;
    r.replacement = replacement;
    status = insert_decision(p, &r, &made);
    if (status == QUARRY_OK && coded_code != 0)
        status = insert_coding(p, excerpt, coded_code, coder,
                               d->verdict == QUARRY_VERDICT_ACCEPT
                                   ? "accepted-suggestion"
                                   : "manual",
                               now, made, r.span);
    if (status == QUARRY_OK && id_out)
        *id_out = made;
    return status;
}

int project_decide_in(quarry_project *p, const quarry_decision *d,
                      int64_t *id)
{
    return decide(p, d, NULL, id);
}

int quarry_project_decide(quarry_project *p, const quarry_decision *d,
                          int64_t *id)
{
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (d == NULL)
        return project_fail(p, QUARRY_EINVAL, "no decision");
    status = project_begin(p);
    if (status != QUARRY_OK)
        return status;
    status = decide(p, d, NULL, id);
    if (status == QUARRY_OK)
        return project_commit(p);
    project_rollback(p);
    return status;
}

/* Reverse decision `id` of coder: take away the coding it made, or put
 * back the coding it removed, and append the undo decision. */
static int reverse(quarry_project *p, int64_t id, int64_t coder)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT excerpt_id, code_id, verdict, reverses, coding_origin,"
           " coding_made_at, span_start, span_end FROM decisions"
           " WHERE id = ?1");
    decision_row r;
    int64_t excerpt = 0, code = 0, made_by = 0, undo_id, span[2] = {0, 0};
    char verdict[16] = "", from[32] = "", at[40] = "", now[40];
    int status = QUARRY_OK;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        excerpt = sqlite3_column_int64(st, 0);
        code = sqlite3_column_int64(st, 1);
        snprintf(verdict, sizeof verdict, "%s", project_col_text(st, 2));
        made_by = sqlite3_column_int64(st, 3);
        snprintf(from, sizeof from, "%s",
                 project_col_text(st, 4) ? project_col_text(st, 4)
                                         : "manual");
        snprintf(at, sizeof at, "%s",
                 project_col_text(st, 5) ? project_col_text(st, 5) : "");
        span[0] = sqlite3_column_int64(st, 6);
        span[1] = sqlite3_column_int64(st, 7);
    } else {
        status = project_db_fail(p, "cannot read the decision to undo");
    }
    sqlite3_finalize(st);
    if (status != QUARRY_OK)
        return status;
    project_now(p, now);
    if (strcmp(verdict, "remove") == 0) {
        status = insert_coding(p, excerpt, code, coder, from,
                               at[0] ? at : now, made_by, span);
    } else if (strcmp(verdict, "reject") != 0 &&
               strcmp(verdict, "settle") != 0) {
        /* (a settle made no coding: its adds and removes did) */
        st = project_prepare(p, "DELETE FROM codings WHERE decision_id = ?1");
        if (st == NULL)
            return QUARRY_EIO;
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = project_db_fail(p, "cannot undo");
        sqlite3_finalize(st);
    }
    if (status != QUARRY_OK)
        return status;
    memset(&r, 0, sizeof r);
    r.excerpt = excerpt;
    r.code = code;
    r.coder = coder;
    r.verdict = "undo";
    r.at = now;
    r.reverses = id;
    r.span[0] = span[0];
    r.span[1] = span[1];
    return insert_decision(p, &r, &undo_id);
}

int quarry_project_undo(quarry_project *p, const char *coder,
                        const char **undone)
{
    quarry_undone u;
    int status = quarry_project_undo_what(p, coder, &u);
    if (undone)
        *undone = status == QUARRY_OK ? u.excerpt : NULL;
    return status;
}

int quarry_project_undo_what(quarry_project *p, const char *coder,
                             quarry_undone *out)
{
    sqlite3_stmt *st;
    int64_t decision = 0, coder_id = 0;
    char *xid = NULL, *verdict = NULL, *code = NULL, *repl = NULL;
    int rc, status;
    if (out == NULL)
        return project_fail(p, QUARRY_EINVAL, "undo: nowhere to say what");
    memset(out, 0, sizeof *out);
    status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (coder == NULL)
        return project_fail(p, QUARRY_EINVAL, "undo: no coder");
    project_scratch_reset(p);
    status = project_begin(p);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(p, "SELECT d.id, e.xid, c.id, d.verdict, k.code,"
                            " r.code, d.span_start, d.span_end"
                            " FROM decisions d"
                            " JOIN coders c ON c.id = d.coder_id"
                            " JOIN excerpts e ON e.id = d.excerpt_id"
                            " LEFT JOIN codes k ON k.id = d.code_id"
                            " LEFT JOIN codes r ON r.id = d.replacement_id"
                            " WHERE c.name = ?1 AND d.verdict <> 'undo' AND"
                            PROJECT_NOT_UNDONE("d")
                            " ORDER BY d.id DESC LIMIT 1");
    if (st == NULL) {
        project_rollback(p);
        return QUARRY_EIO;
    }
    sqlite3_bind_text(st, 1, coder, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        decision = sqlite3_column_int64(st, 0);
        xid = strdup(project_col_text(st, 1));
        coder_id = sqlite3_column_int64(st, 2);
        verdict = strdup(project_col_text(st, 3));
        if (sqlite3_column_type(st, 4) != SQLITE_NULL)
            code = strdup(project_col_text(st, 4));
        if (sqlite3_column_type(st, 5) != SQLITE_NULL)
            repl = strdup(project_col_text(st, 5));
        out->span_start = sqlite3_column_int64(st, 6);
        out->span_end = sqlite3_column_int64(st, 7);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
        project_rollback(p);
        return rc == SQLITE_DONE ? QUARRY_OK
                                 : project_db_fail(p, "cannot read decisions");
    }
    status = reverse(p, decision, coder_id);
    if (status == QUARRY_OK)
        status = project_commit(p);
    else
        project_rollback(p);
    if (status == QUARRY_OK && xid && verdict) {
        if (project_scratch_keep(p, xid) == QUARRY_OK) {
            out->excerpt = xid;
            xid = NULL;
        }
        if (project_scratch_keep(p, verdict) == QUARRY_OK) {
            out->verdict = verdict;
            verdict = NULL;
        }
        if (code && project_scratch_keep(p, code) == QUARRY_OK) {
            out->code = code;
            code = NULL;
        }
        if (repl && project_scratch_keep(p, repl) == QUARRY_OK) {
            out->replacement = repl;
            repl = NULL;
        }
    }
    free(xid);
    free(verdict);
    free(code);
    free(repl);
    return status;
}

/* ------------------------------------------------------------------ */
/* Decisions from a file                                                */

static int string_field(quarry_project *p, const origin *o, json_t *obj,
                        const char *key, const char **out)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || json_is_null(v))
        return QUARRY_OK;
    if (!json_is_string(v))
        return fail_at(p, o, QUARRY_EPARSE, key, "not a string%s", NULL);
    *out = json_string_value(v);
    return QUARRY_OK;
}

static const char *const decision_keys[] = {
    "excerpt", "verdict", "code", "replacement", "coder", "note", "time",
    "codes", "span"};

/* "span": [start, end], code points of the excerpt's text. */
static int span_field(quarry_project *p, const origin *o, json_t *obj,
                      quarry_decision *d)
{
    json_t *v = json_object_get(obj, "span");
    json_t *a, *b;
    if (v == NULL || json_is_null(v))
        return QUARRY_OK;
    a = json_array_get(v, 0);
    b = json_array_get(v, 1);
    if (!json_is_array(v) || json_array_size(v) != 2 || !json_is_integer(a) ||
        !json_is_integer(b))
        return fail_at(p, o, QUARRY_EPARSE, "span",
                       "not [start, end]: two whole numbers, the passage's "
                       "first character and the one after its last, "
                       "counted from 0%s", NULL);
    d->span_start = (int64_t)json_integer_value(a);
    d->span_end = (int64_t)json_integer_value(b);
    if (d->span_end == 0 && d->span_start == 0)
        return fail_at(p, o, QUARRY_EPARSE, "span",
                       "[0, 0] is empty (without span the coding is of "
                       "the whole excerpt)%s", NULL);
    return QUARRY_OK;
}

/* A line of a decisions file that is in effect already, as when a file
 * is applied again after lines were added to it: the coder's same
 * verdict on the excerpt's code (and the same replacement) stands, not
 * undone; for an add, the coder has that coding. *yes = 0 when it is not
 * or the line is bad (decide() then says how). */
static int in_effect_ids(quarry_project *p, const origin *o,
                         const quarry_decision *d, int *yes);

static int in_effect(quarry_project *p, const origin *o,
                     const quarry_decision *d, int *yes)
{
    quarry_decision copy;
    char *names[2];
    int status;
    *yes = 0;
    status = by_names(p, o, d, &copy, names);
    if (status == QUARRY_OK)
        status = in_effect_ids(p, o, &copy, yes);
    free(names[0]);
    free(names[1]);
    return status;
}

static int in_effect_ids(quarry_project *p, const origin *o,
                         const quarry_decision *d, int *yes)
{
    int64_t excerpt = 0, code = 0, repl = 0;
    sqlite3_stmt *st;
    int status, rc;
    *yes = 0;
    if ((d->verdict != QUARRY_VERDICT_ACCEPT &&
         d->verdict != QUARRY_VERDICT_REJECT &&
         d->verdict != QUARRY_VERDICT_REPLACE &&
         d->verdict != QUARRY_VERDICT_ADD) ||
        d->excerpt == NULL || d->code == NULL || d->coder == NULL)
        return QUARRY_OK;
    status = project_excerpt_id(p, d->excerpt, &excerpt);
    if (status != QUARRY_OK || excerpt == 0)
        return status;
    status = known_code(p, o, "code", d->code, &code);
    if (status != QUARRY_OK)
        return status;
    if (d->verdict == QUARRY_VERDICT_REPLACE) {
        if (d->replacement == NULL || d->replacement[0] == '\0')
            return QUARRY_OK;
        status = known_code(p, o, "replacement", d->replacement, &repl);
        if (status != QUARRY_OK)
            return status;
    }
    st = project_prepare(
        p, d->verdict == QUARRY_VERDICT_ADD
               ? "SELECT 1 FROM codings g JOIN coders c ON c.id = g.coder_id"
                 " WHERE g.excerpt_id = ?1 AND g.code_id = ?2 AND"
                 " c.name = ?3"
               : "SELECT 1 FROM decisions d JOIN coders c"
                 " ON c.id = d.coder_id WHERE d.excerpt_id = ?1 AND"
                 " d.code_id = ?2 AND c.name = ?3 AND d.verdict = ?4 AND"
                 " (?5 = 0 OR d.replacement_id = ?5) AND"
                 PROJECT_NOT_UNDONE("d"));
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, excerpt);
    sqlite3_bind_int64(st, 2, code);
    sqlite3_bind_text(st, 3, d->coder, -1, SQLITE_STATIC);
    if (d->verdict != QUARRY_VERDICT_ADD) { /* the add asks no more */
        sqlite3_bind_text(st, 4, quarry_verdict_name(d->verdict), -1,
                          SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, repl);
    }
    rc = sqlite3_step(st);
    *yes = rc == SQLITE_ROW;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE
               ? QUARRY_OK
               : project_db_fail(p, "cannot read the project");
}

/* A settle line: {"excerpt", "verdict": "settle", "codes": [...], "coder",
 * "note"} (quarry_project_settle; its time is now). */
static int apply_settle(quarry_project *p, const origin *o, json_t *obj,
                        const quarry_decision *d)
{
    json_t *a = json_object_get(obj, "codes");
    const char *list[256];
    size_t i, n;
    int status;
    if (a == NULL || !json_is_array(a))
        return fail_at(p, o, QUARRY_EPARSE, "codes",
                       "%s a settle line names the final codes as an "
                       "array of code ids ([] for none)",
                       a == NULL ? "missing:" : "not an array:");
    if (d->code != NULL || d->replacement != NULL || d->time != NULL)
        return fail_at(p, o, QUARRY_EPARSE,
                       d->code        ? "code"
                       : d->replacement ? "replacement"
                                      : "time",
                       "not part of a settle line (it has excerpt, codes, "
                       "coder and note)%s", NULL);
    n = json_array_size(a);
    if (n > sizeof list / sizeof *list)
        return fail_at(p, o, QUARRY_EPARSE, "codes",
                       "more than 256 codes%s", NULL);
    for (i = 0; i < n; i++) {
        list[i] = json_string_value(json_array_get(a, i));
        if (list[i] == NULL)
            return fail_at(p, o, QUARRY_EPARSE, "codes",
                           "an element is not a string%s", NULL);
    }
    if (d->coder == NULL || d->coder[0] == '\0')
        return fail_at(p, o, QUARRY_EINVAL, "coder",
                       "missing: every decision names its coder%s", NULL);
    status = project_settle_in(p, d->coder, d->excerpt, list, n, d->note);
    if (status != QUARRY_OK) {
        char why[512];
        snprintf(why, sizeof why, "%s", quarry_project_errmsg(p));
        return project_fail(p, status, "%s:%lld: %s", o->file,
                            (long long)o->line, why);
    }
    return QUARRY_OK;
}

static int apply_line(quarry_project *p, origin *o, const char *line,
                      size_t len, const char *default_coder)
{
    json_error_t err;
    json_t *obj = json_loadb(line, len, JSON_REJECT_DUPLICATES, &err);
    quarry_decision d = QUARRY_DECISION_INIT;
    const char *verdict = NULL, *key;
    json_t *value;
    int status = QUARRY_OK;
    size_t k;
    if (obj == NULL)
        return project_fail(p, QUARRY_EPARSE, "%s:%lld: malformed JSON: %s",
                            o->file, (long long)o->line, err.text);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return project_fail(p, QUARRY_EPARSE,
                            "%s:%lld: not a JSON object", o->file,
                            (long long)o->line);
    }
    json_object_foreach(obj, key, value)
    {
        int known = 0;
        for (k = 0; k < sizeof decision_keys / sizeof *decision_keys; k++)
            known |= strcmp(key, decision_keys[k]) == 0;
        if (!known) {
            status = fail_at(p, o, QUARRY_EPARSE, key,
                             "unknown field (a decision has excerpt, "
                             "verdict, code, replacement, coder, note, "
                             "time, span; a settle codes)%s", NULL);
            break;
        }
    }
    if (status == QUARRY_OK)
        status = string_field(p, o, obj, "excerpt", &d.excerpt);
    if (status == QUARRY_OK)
        status = string_field(p, o, obj, "verdict", &verdict);
    if (status == QUARRY_OK)
        status = string_field(p, o, obj, "code", &d.code);
    if (status == QUARRY_OK)
        status = string_field(p, o, obj, "replacement", &d.replacement);
    if (status == QUARRY_OK)
        status = string_field(p, o, obj, "coder", &d.coder);
    if (status == QUARRY_OK)
        status = string_field(p, o, obj, "note", &d.note);
    if (status == QUARRY_OK)
        status = string_field(p, o, obj, "time", &d.time);
    if (status == QUARRY_OK)
        status = span_field(p, o, obj, &d);
    if (status == QUARRY_OK) {
        if (verdict == NULL)
            status = fail_at(p, o, QUARRY_EPARSE, "verdict", "missing%s",
                             NULL);
        else if ((d.verdict = quarry_verdict_from_name(verdict)) == 0)
            status = fail_at(p, o, QUARRY_EPARSE, "verdict",
                             "\"%s\" is not one of accept, reject, replace, "
                             "add, remove, settle", verdict);
        else if (d.verdict != QUARRY_VERDICT_SETTLE &&
                 json_object_get(obj, "codes") != NULL)
            status = fail_at(p, o, QUARRY_EPARSE, "codes",
                             "only a settle line names codes (the others "
                             "name one code)%s", NULL);
    }
    if (status == QUARRY_OK) {
        if (d.coder == NULL)
            d.coder = default_coder;
        int yes = 0;
        if (d.verdict == QUARRY_VERDICT_SETTLE)
            status = apply_settle(p, o, obj, &d);
        else if ((status = in_effect(p, o, &d, &yes)) == QUARRY_OK && yes)
            o->already++; /* the same file applied again: kept once */
        else if (status == QUARRY_OK)
            status = decide(p, &d, o, NULL);
    }
    json_decref(obj);
    return status;
}

int quarry_project_apply_decisions(quarry_project *p, const char *path,
                                   const char *default_coder,
                                   int64_t *applied)
{
    return quarry_project_apply_decisions_again(p, path, default_coder,
                                                applied, NULL);
}

int quarry_project_apply_decisions_again(quarry_project *p, const char *path,
                                         const char *default_coder,
                                         int64_t *applied, int64_t *already)
{
    FILE *f;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    origin o;
    int64_t n = 0;
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (path == NULL)
        return project_fail(p, QUARRY_EINVAL, "no decisions file");
    f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return project_fail(p, QUARRY_EIO, "%s: cannot open: %s", path,
                            strerror(errno));
    o.file = strcmp(path, "-") == 0 ? "<stdin>" : path;
    o.line = 0;
    o.already = 0;
    status = project_begin(p);
    while (status == QUARRY_OK && (got = getline(&line, &cap, f)) >= 0) {
        size_t len = (size_t)got;
        o.line++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len == 0)
            continue;
        if (memchr(line, '\0', len) != NULL) {
            status = project_fail(p, QUARRY_EPARSE,
                                  "%s:%lld: a NUL byte in the line",
                                  o.file, (long long)o.line);
            break;
        }
        {
            int64_t before = o.already;
            status = apply_line(p, &o, line, len, default_coder);
            if (status == QUARRY_OK && o.already == before)
                n++;
        }
    }
    if (status == QUARRY_OK && ferror(f))
        status = project_fail(p, QUARRY_EIO, "%s: read error", o.file);
    free(line);
    if (f != stdin)
        fclose(f);
    if (status == QUARRY_OK)
        status = project_commit(p);
    else
        project_rollback(p);
    if (status == QUARRY_OK && applied)
        *applied = n;
    if (status == QUARRY_OK && already)
        *already = o.already;
    return status;
}

/* ------------------------------------------------------------------ */
/* The queue                                                            */

const char project_queue_from[] =
    " FROM excerpts e WHERE EXISTS (SELECT 1 FROM suggestions s"
    "  WHERE s.excerpt_id = e.id AND s.run_id = (SELECT max(id) FROM runs)"
    "  AND NOT EXISTS (SELECT 1 FROM decisions d JOIN coders c"
    "   ON c.id = d.coder_id WHERE c.name = ?1 AND d.excerpt_id = e.id"
    "   AND d.code_id = s.code_id"
    "   AND d.verdict IN ('accept', 'reject', 'replace') AND"
    PROJECT_NOT_UNDONE("d") " AND" PROJECT_NOT_REMOVED("d") "))"
    " AND NOT EXISTS (SELECT 1 FROM codings g JOIN coders c"
    "  ON c.id = g.coder_id WHERE c.name = ?1 AND g.excerpt_id = e.id)";

static int neighbour(quarry_project *p, int64_t source, int64_t seq, int dir,
                     const char **text, const char **speaker,
                     const char **id)
{
    sqlite3_stmt *st = project_prepare(
        p, dir < 0 ? "SELECT text, speaker, xid FROM excerpts"
                     " WHERE source_id = ?1"
                     " AND seq < ?2 ORDER BY seq DESC LIMIT 1"
                   : "SELECT text, speaker, xid FROM excerpts"
                     " WHERE source_id = ?1"
                     " AND seq > ?2 ORDER BY seq LIMIT 1");
    *text = *speaker = *id = NULL;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, source);
    sqlite3_bind_int64(st, 2, seq);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *text = project_scratch_dup(p, project_col_text(st, 0));
        *speaker = project_scratch_dup(p, project_col_text(st, 1));
        *id = project_scratch_dup(p, project_col_text(st, 2));
    }
    sqlite3_finalize(st);
    return QUARRY_OK;
}

typedef struct item_block {
    quarry_review_item item;
    quarry_review_suggestion sugg[64];
    const char *codes[64];
    int64_t spans[128];
    quarry_coder_codes others[32];
    const char *other_codes[512];
    int64_t other_spans[1024];
    const char *other_passages[512];
} item_block;

/* The other coders' codes on the excerpt, by coder name (people only). */
static int load_others(quarry_project *p, item_block *b, int64_t row,
                       const char *coder)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT c.name, k.code, g.span_start, g.span_end, "
           PROJECT_PASSAGE_SQL("g", "e") " FROM codings g"
           " JOIN excerpts e ON e.id = g.excerpt_id JOIN codes k ON k.id ="
           " g.code_id JOIN coders c ON c.id = g.coder_id WHERE"
           " g.excerpt_id = ?1 AND c.name <> ?2 AND c.kind = 'person'"
           " ORDER BY c.name, k.position, k.code");
    int32_t n = 0, at = -1;
    int rc;
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, row);
    sqlite3_bind_text(st, 2, coder, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < 512) {
        const char *name = project_col_text(st, 0);
        const char *last = at >= 0 ? b->others[at].coder : NULL;
        if (name == NULL)
            continue;
        if (last == NULL || strcmp(last, name) != 0) {
            if (at == 31)
                break; /* a reviewer reads no more coders than that */
            at++;
            b->others[at].coder = project_scratch_dup(p, name);
            b->others[at].codes = b->other_codes + n;
            b->others[at].spans = b->other_spans + 2 * n;
            b->others[at].passages = b->other_passages + n;
        }
        b->other_passages[n] = project_scratch_dup(p, project_col_text(st, 4));
        b->other_spans[2 * n] = sqlite3_column_int64(st, 2);
        b->other_spans[2 * n + 1] = sqlite3_column_int64(st, 3);
        b->other_codes[n++] = project_scratch_dup(p, project_col_text(st, 1));
        b->others[at].n_codes++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return project_db_fail(p, "cannot read the codings");
    b->item.n_others = at + 1;
    b->item.others = b->others;
    return QUARRY_OK;
}

static int load_item(quarry_project *p, const char *coder, int64_t row,
                     const quarry_review_item **out)
{
    sqlite3_stmt *st;
    item_block *b;
    int64_t source = 0, seq = 0, run = 0;
    int status = QUARRY_OK;
    b = calloc(1, sizeof *b);
    if (b == NULL)
        return project_fail(p, QUARRY_ENOMEM, "out of memory");
    p->listing = b;
    st = project_prepare(p, "SELECT e.xid, e.text, s.name, e.speaker,"
                            " e.line, e.attributes, e.source_id, e.seq,"
                            " (SELECT max(run_id) FROM suggestions g"
                            "  WHERE g.excerpt_id = e.id)"
                            " FROM excerpts e JOIN sources s"
                            " ON s.id = e.source_id WHERE e.id = ?1");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, row);
    if (sqlite3_step(st) == SQLITE_ROW) {
        b->item.excerpt = project_scratch_dup(p, project_col_text(st, 0));
        b->item.text = project_scratch_dup(p, project_col_text(st, 1));
        b->item.source = project_scratch_dup(
            p, project_source_base(project_col_text(st, 2)));
        b->item.speaker = project_scratch_dup(p, project_col_text(st, 3));
        b->item.line = sqlite3_column_int64(st, 4);
        b->item.attributes = project_scratch_dup(p, project_col_text(st, 5));
        source = sqlite3_column_int64(st, 6);
        seq = sqlite3_column_int64(st, 7);
        run = sqlite3_column_int64(st, 8);
    }
    sqlite3_finalize(st);
    b->item.run = run;
    status = neighbour(p, source, seq, -1, &b->item.before,
                       &b->item.before_speaker, &b->item.before_id);
    if (status == QUARRY_OK)
        status = neighbour(p, source, seq, 1, &b->item.after,
                           &b->item.after_speaker, &b->item.after_id);
    if (status != QUARRY_OK)
        return status;
    st = project_prepare(
        p, "SELECT k.code, k.name, s.score, s.confidence, s.evidence,"
           " s.abstain, (SELECT d.verdict FROM decisions d JOIN coders c"
           "  ON c.id = d.coder_id WHERE c.name = ?3 AND d.excerpt_id ="
           "  s.excerpt_id AND d.code_id = s.code_id"
           "  AND d.verdict IN ('accept', 'reject', 'replace') AND"
           PROJECT_NOT_UNDONE("d") " AND" PROJECT_NOT_REMOVED("d")
           "  ORDER BY d.id DESC LIMIT 1)"
           " FROM suggestions s JOIN codes k ON k.id = s.code_id"
           " WHERE s.excerpt_id = ?1 AND s.run_id = ?2 ORDER BY s.rank");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, row);
    sqlite3_bind_int64(st, 2, run);
    sqlite3_bind_text(st, 3, coder, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && b->item.n_suggestions < 64) {
        quarry_review_suggestion *g = &b->sugg[b->item.n_suggestions++];
        g->code = project_scratch_dup(p, project_col_text(st, 0));
        g->name = project_scratch_dup(p, project_col_text(st, 1));
        g->score = sqlite3_column_double(st, 2);
        g->confidence = sqlite3_column_double(st, 3);
        g->evidence = project_scratch_dup(p, project_col_text(st, 4));
        b->item.abstain = sqlite3_column_int(st, 5);
        g->verdict = project_scratch_dup(p, project_col_text(st, 6));
    }
    sqlite3_finalize(st);
    b->item.suggestions = b->sugg;
    st = project_prepare(p, "SELECT k.code, g.span_start, g.span_end"
                            " FROM codings g JOIN codes k"
                            " ON k.id = g.code_id JOIN coders c"
                            " ON c.id = g.coder_id WHERE g.excerpt_id = ?1"
                            " AND c.name = ?2 ORDER BY k.position");
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_int64(st, 1, row);
    sqlite3_bind_text(st, 2, coder, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW && b->item.n_codes < 64) {
        b->spans[2 * b->item.n_codes] = sqlite3_column_int64(st, 1);
        b->spans[2 * b->item.n_codes + 1] = sqlite3_column_int64(st, 2);
        b->codes[b->item.n_codes++] =
            project_scratch_dup(p, project_col_text(st, 0));
    }
    sqlite3_finalize(st);
    b->item.codes = b->codes;
    b->item.code_spans = b->spans;
    status = load_others(p, b, row, coder);
    if (status != QUARRY_OK)
        return status;
    *out = &b->item;
    return QUARRY_OK;
}

int quarry_project_review_next(quarry_project *p, const char *coder,
                               const quarry_review_item **item,
                               int64_t *remaining)
{
    char sql[6144];
    sqlite3_stmt *st;
    int64_t row = 0, n = 0;
    int status = project_check(p, 0);
    if (status != QUARRY_OK || coder == NULL || item == NULL)
        return status ? status : project_fail(p, QUARRY_EINVAL, "no coder");
    project_scratch_reset(p);
    *item = NULL;
    snprintf(sql, sizeof sql,
             "SELECT (SELECT e.id %s%s LIMIT 1),"
             " (SELECT count(*) %s)",
             project_queue_source(p), project_queue_order(p),
             project_queue_source(p));
    st = project_prepare(p, sql);
    if (st == NULL)
        return QUARRY_EIO;
    sqlite3_bind_text(st, 1, coder, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        row = sqlite3_column_int64(st, 0);
        n = sqlite3_column_int64(st, 1);
    } else {
        status = project_db_fail(p, "cannot read the queue");
    }
    sqlite3_finalize(st);
    if (remaining)
        *remaining = n;
    if (status != QUARRY_OK || row == 0)
        return status;
    return load_item(p, coder, row, item);
}

int quarry_project_review_item(quarry_project *p, const char *coder,
                               const char *excerpt,
                               const quarry_review_item **item)
{
    int64_t row;
    int status = project_check(p, 0);
    if (status != QUARRY_OK || coder == NULL || item == NULL ||
        excerpt == NULL)
        return status ? status : project_fail(p, QUARRY_EINVAL, "no coder");
    project_scratch_reset(p);
    *item = NULL;
    status = project_excerpt_id(p, excerpt, &row);
    if (status != QUARRY_OK)
        return status;
    if (row == 0)
        return project_fail(p, QUARRY_ENOTFOUND,
                            "no excerpt \"%s\" in the project", excerpt);
    return load_item(p, coder, row, item);
}
