/*
 * refi_read_src.c -- where a REFI-QDA reader gets its bytes: zip entries
 * read whole within the limits against zip bombs, files on disk for
 * plainTextPaths outside the archive (never climbing out of their folder
 * with ".."), and source texts repaired to valid UTF-8.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refi_read.h"
#include "utf8.h"

/* ------------------------------------------------------------------ */
/* Zip entries and files                                               */

int rd_read_entry(reader *r, zip_int64_t idx, const char *what, char **out,
                  size_t *len)
{
    zip_stat_t st;
    zip_file_t *zf;
    char *buf;
    size_t cap, n = 0;
    zip_stat_init(&st);
    if (zip_stat_index(r->za, (zip_uint64_t)idx, 0, &st) != 0)
        return refi_fail(r->m, QUARRY_EPARSE, "%s: %s: %s", r->file, what,
                         zip_strerror(r->za));
    if ((st.valid & ZIP_STAT_SIZE) && st.size > r->max_entry)
        return refi_fail(r->m, QUARRY_ERANGE,
                         "%s: %s: %llu bytes uncompressed, over the limit of "
                         "%llu; refused",
                         r->file, what, (unsigned long long)st.size,
                         (unsigned long long)r->max_entry);
    cap = (st.valid & ZIP_STAT_SIZE) ? (size_t)st.size + 1 : 4096;
    buf = malloc(cap);
    if (buf == NULL)
        return rd_oom(r);
    zf = zip_fopen_index(r->za, (zip_uint64_t)idx, 0);
    if (zf == NULL) {
        free(buf);
        return refi_fail(r->m, QUARRY_EPARSE, "%s: %s: %s", r->file, what,
                         zip_strerror(r->za));
    }
    for (;;) {
        zip_int64_t got;
        if (n + 1 >= cap) {
            char *p;
            if (cap > r->max_entry) {
                zip_fclose(zf);
                free(buf);
                return refi_fail(r->m, QUARRY_ERANGE,
                                 "%s: %s: inflates past the limit of %llu "
                                 "bytes; refused",
                                 r->file, what,
                                 (unsigned long long)r->max_entry);
            }
            p = realloc(buf, cap * 2);
            if (p == NULL) {
                zip_fclose(zf);
                free(buf);
                return rd_oom(r);
            }
            buf = p;
            cap *= 2;
        }
        got = zip_fread(zf, buf + n, cap - 1 - n);
        if (got < 0) {
            refi_fail(r->m, QUARRY_EPARSE, "%s: %s: %s", r->file, what,
                      zip_file_strerror(zf));
            zip_fclose(zf);
            free(buf);
            return QUARRY_EPARSE;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > r->max_entry) {
            zip_fclose(zf);
            free(buf);
            return refi_fail(r->m, QUARRY_ERANGE,
                             "%s: %s: inflates past the limit of %llu bytes; "
                             "refused",
                             r->file, what, (unsigned long long)r->max_entry);
        }
    }
    zip_fclose(zf);
    r->total += n;
    if (r->total > r->max_total) {
        free(buf);
        return refi_fail(r->m, QUARRY_ERANGE,
                         "%s: the entries read inflate past the limit of %llu "
                         "bytes; refused",
                         r->file, (unsigned long long)r->max_total);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

/* Refuse an archive whose declared sizes already break the limits. */
int rd_check_archive(reader *r)
{
    zip_int64_t n = zip_get_num_entries(r->za, 0), i;
    uint64_t sum = 0;
    for (i = 0; i < n; i++) {
        zip_stat_t st;
        zip_stat_init(&st);
        if (zip_stat_index(r->za, (zip_uint64_t)i, 0, &st) != 0)
            continue;
        if (!(st.valid & ZIP_STAT_SIZE))
            continue;
        if (st.size > r->max_entry)
            return refi_fail(r->m, QUARRY_ERANGE,
                             "%s: entry \"%s\": %llu bytes uncompressed, over "
                             "the limit of %llu; refused",
                             r->file, st.name ? st.name : "?",
                             (unsigned long long)st.size,
                             (unsigned long long)r->max_entry);
        if ((st.valid & ZIP_STAT_COMP_SIZE) && st.size > ((uint64_t)1 << 20) &&
            st.size / (st.comp_size ? st.comp_size : 1) > r->max_ratio)
            return refi_fail(
                r->m, QUARRY_ERANGE,
                "%s: entry \"%s\": compressed %llu times (%llu "
                "bytes from %llu), over the limit of %u: a zip "
                "bomb? refused",
                r->file, st.name ? st.name : "?",
                (unsigned long long)(st.size /
                                     (st.comp_size ? st.comp_size : 1)),
                (unsigned long long)st.size, (unsigned long long)st.comp_size,
                r->max_ratio);
        sum += st.size;
    }
    if (sum > r->max_total)
        return refi_fail(r->m, QUARRY_ERANGE,
                         "%s: the entries hold %llu bytes uncompressed, over "
                         "the limit of %llu; refused",
                         r->file, (unsigned long long)sum,
                         (unsigned long long)r->max_total);
    return 0;
}

static int read_disk_file(reader *r, const xmlNode *n, const char *path,
                          char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, used = 0;
    if (f == NULL)
        return rd_fail_at(r, QUARRY_EIO, n, "cannot read \"%s\": %s", path,
                          strerror(errno));
    for (;;) {
        size_t got;
        if (used + 1 >= cap) {
            char *p;
            if (cap > r->max_entry) {
                fclose(f);
                free(buf);
                return rd_fail_at(r, QUARRY_ERANGE, n,
                                  "\"%s\" is over the limit of %llu bytes",
                                  path, (unsigned long long)r->max_entry);
            }
            cap = cap ? cap * 2 : 65536;
            p = realloc(buf, cap);
            if (p == NULL) {
                fclose(f);
                free(buf);
                return rd_oom(r);
            }
            buf = p;
        }
        got = fread(buf + used, 1, cap - 1 - used, f);
        used += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        fclose(f);
        free(buf);
        return rd_fail_at(r, QUARRY_EIO, n, "cannot read \"%s\"", path);
    }
    fclose(f);
    buf[used] = '\0';
    *out = buf;
    *len = used;
    return 0;
}

/* A path that may not climb out of its folder: no "..", no backslash, no
 * NUL, not absolute. */
static int contained(const char *p)
{
    const char *s = p;
    if (p[0] == '\0' || p[0] == '/' || strchr(p, '\\') != NULL)
        return 0;
    while (*s) {
        const char *e = strchr(s, '/');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (l == 2 && s[0] == '.' && s[1] == '.')
            return 0;
        s += l;
        if (*s == '/')
            s++;
    }
    return 1;
}

/* Repair a source text: invalid UTF-8 and NUL bytes become U+FFFD, each
 * counting as the one character it was. */
int rd_clean_text(reader *r, const xmlNode *n, char **buf, size_t *len)
{
    size_t where, i, o = 0, bad = 0;
    char *out;
    if (quarry_utf8_check(*buf, *len, &where) == QUARRY_UTF8_OK)
        return 0;
    if (*len > SIZE_MAX / 3 - 1)
        return rd_oom(r);
    out = malloc(*len * 3 + 1);
    if (out == NULL)
        return rd_oom(r);
    for (i = 0; i < *len;) {
        int32_t cp;
        size_t k = quarry_utf8_decode(*buf + i, *len - i, &cp);
        if (k == 0 || cp == 0) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
            bad++;
        } else {
            memcpy(out + o, *buf + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = '\0';
    refi_notice(r->m, "bad-utf8",
                "%s:%d: %s: the text is not valid UTF-8 from byte %zu; %zu "
                "byte(s) replaced by U+FFFD",
                r->xml_name, rd_node_line(n), (const char *)n->name, where,
                bad);
    free(*buf);
    *buf = out;
    *len = o;
    return 0;
}

/* The text of a TextSource or Note from @plainTextPath. */
int rd_load_path_text(reader *r, const xmlNode *n, const char *path, char **buf,
                      size_t *len)
{
    int rc;
    if (strncmp(path, "internal://", 11) == 0) {
        const char *rel = path + 11;
        char *entry;
        zip_int64_t idx;
        if (!contained(rel))
            return rd_fail_at(r, QUARRY_EPARSE, n,
                              "plainTextPath \"%s\" leaves the sources folder; "
                              "refused",
                              path);
        if (r->za == NULL) {
            /* An unpacked project: project.qde beside its sources/. */
            char *full;
            if (r->base_dir == NULL)
                return rd_fail_at(
                    r, QUARRY_ENOTFOUND, n,
                    "plainTextPath \"%s\" needs the .qdpx archive", path);
            full = malloc(strlen(r->base_dir) + strlen(rel) + 10);
            if (full == NULL)
                return rd_oom(r);
            sprintf(full, "%s/sources/%s", r->base_dir, rel);
            rc = read_disk_file(r, n, full, buf, len);
            free(full);
            return rc;
        }
        entry = malloc(strlen(rel) + 9);
        if (entry == NULL)
            return rd_oom(r);
        sprintf(entry, "sources/%s", rel);
        idx = zip_name_locate(r->za, entry, ZIP_FL_NOCASE);
        if (idx < 0) {
            free(entry);
            return rd_fail_at(
                r, QUARRY_ENOTFOUND, n,
                "plainTextPath \"%s\": no entry sources/%s in the "
                "archive",
                path, rel);
        }
        rc = rd_read_entry(r, idx, entry, buf, len);
        free(entry);
        return rc;
    } else {
        const char *p = path;
        char *full;
        if (strncmp(p, "file://", 7) == 0)
            p += 7;
        if (!r->o->allow_external)
            return rd_fail_at(r, QUARRY_EPARSE, n,
                              "plainTextPath \"%s\" is outside the archive and "
                              "external files are not allowed",
                              path);
        if (p[0] == '/') {
            full = strdup(p);
        } else {
            const char *base = r->base_dir ? r->base_dir : ".";
            if (!contained(p))
                return rd_fail_at(r, QUARRY_EPARSE, n,
                                  "plainTextPath \"%s\" leaves the project's "
                                  "folder; refused",
                                  path);
            full = malloc(strlen(base) + strlen(p) + 2);
            if (full != NULL)
                sprintf(full, "%s/%s", base, p);
        }
        if (full == NULL)
            return rd_oom(r);
        rc = read_disk_file(r, n, full, buf, len);
        if (rc == 0)
            refi_notice(r->m, "external",
                        "%s:%d: %s: text read from outside the archive: %s",
                        r->xml_name, rd_node_line(n), (const char *)n->name,
                        full);
        free(full);
        return rc;
    }
}
