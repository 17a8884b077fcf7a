/*
 * refi_read_src.c -- where a REFI-QDA reader gets its bytes: zip entries
 * read whole within the limits against zip bombs, and the file a
 * plainTextPath (or richTextPath) names, looked up inside the archive
 * first; source texts are repaired to valid UTF-8.
 *
 * A .qdpx comes from someone else, so a path in it is untrusted. What is
 * inside the archive is always read (for a bare project.qde: the files
 * under its own folder). A file outside it only when the caller named a
 * folder (external_dir): the path's real location (symbolic links
 * resolved) must lie under that folder, and it must be a regular file
 * within the size limit, checked on the opened descriptor, so a FIFO, a
 * device, /proc or a link swapped in between is never read.
 */
#define _GNU_SOURCE 1 /* O_NOFOLLOW, O_CLOEXEC, realpath */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "refi_read.h"
#include "utf8.h"

/* ------------------------------------------------------------------ */
/* Zip entries                                                         */

/* The declared size of an entry against the limits, before inflating. */
static int check_declared(reader *r, const zip_stat_t *st, const char *what)
{
    if (!(st->valid & ZIP_STAT_SIZE))
        return 0;
    if (st->size > r->max_entry)
        return refi_fail(r->m, QUARRY_ERANGE,
                         "%s: entry \"%s\": %llu bytes uncompressed, over the "
                         "limit of %llu; refused",
                         r->file, what, (unsigned long long)st->size,
                         (unsigned long long)r->max_entry);
    if ((st->valid & ZIP_STAT_COMP_SIZE) && st->size > QUARRY_REFI_RATIO_FLOOR &&
        st->size / (st->comp_size ? st->comp_size : 1) > r->max_ratio)
        return refi_fail(
            r->m, QUARRY_ERANGE,
            "%s: entry \"%s\": compressed %llu times (%llu bytes from %llu), "
            "over the limit of %u: a zip bomb? refused",
            r->file, what,
            (unsigned long long)(st->size / (st->comp_size ? st->comp_size : 1)),
            (unsigned long long)st->size, (unsigned long long)st->comp_size,
            r->max_ratio);
    if (r->total + st->size > r->max_total)
        return refi_fail(r->m, QUARRY_ERANGE,
                         "%s: entry \"%s\": the entries read hold %llu bytes "
                         "uncompressed with it, over the limit of %llu; refused",
                         r->file, what,
                         (unsigned long long)(r->total + st->size),
                         (unsigned long long)r->max_total);
    return 0;
}

/* Read up to the limits from a zip file or a descriptor into a growing
 * buffer. */
typedef zip_int64_t (*read_fn)(void *src, char *buf, size_t n);

static zip_int64_t read_zip(void *src, char *buf, size_t n)
{
    return zip_fread((zip_file_t *)src, buf, n);
}

static zip_int64_t read_fd(void *src, char *buf, size_t n)
{
    ssize_t got;
    do
        got = read(*(int *)src, buf, n);
    while (got < 0 && errno == EINTR);
    return got;
}

/* 0, -1 on a read error, 1 when over the limit, 2 out of memory. */
static int read_all(reader *r, read_fn fn, void *src, size_t hint, char **out,
                    size_t *len)
{
    size_t cap = hint + 1 > 4096 ? hint + 1 : 4096, n = 0;
    char *buf = malloc(cap);
    if (buf == NULL)
        return 2;
    for (;;) {
        zip_int64_t got;
        if (n + 1 >= cap) {
            char *p;
            if (cap > r->max_entry + 1) {
                free(buf);
                return 1;
            }
            p = realloc(buf, cap * 2);
            if (p == NULL) {
                free(buf);
                return 2;
            }
            buf = p;
            cap *= 2;
        }
        got = fn(src, buf + n, cap - 1 - n);
        if (got < 0) {
            free(buf);
            return -1;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (n > r->max_entry || r->total + n > r->max_total) {
            free(buf);
            return 1;
        }
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int rd_read_entry(reader *r, zip_int64_t idx, const char *what, char **out,
                  size_t *len)
{
    return rd_read_entry_of(r, r->za, idx, what, out, len);
}

int rd_read_entry_of(reader *r, zip_t *za, zip_int64_t idx, const char *what,
                     char **out, size_t *len)
{
    zip_stat_t st;
    zip_file_t *zf;
    int rc;
    zip_stat_init(&st);
    if (zip_stat_index(za, (zip_uint64_t)idx, 0, &st) != 0)
        return refi_fail(r->m, QUARRY_EPARSE, "%s: %s: %s", r->file, what,
                         zip_strerror(za));
    if ((rc = check_declared(r, &st, what)) != 0)
        return rc;
    zf = zip_fopen_index(za, (zip_uint64_t)idx, 0);
    if (zf == NULL)
        return refi_fail(r->m, QUARRY_EPARSE, "%s: %s: %s", r->file, what,
                         zip_strerror(za));
    rc = read_all(r, read_zip, zf,
                  (st.valid & ZIP_STAT_SIZE) ? (size_t)st.size : 0, out, len);
    if (rc == -1)
        refi_fail(r->m, QUARRY_EPARSE, "%s: %s: %s", r->file, what,
                  zip_file_strerror(zf));
    zip_fclose(zf);
    if (rc == 1)
        return refi_fail(r->m, QUARRY_ERANGE,
                         "%s: %s: inflates past the limit of %llu bytes (or "
                         "%llu for all entries read); refused",
                         r->file, what, (unsigned long long)r->max_entry,
                         (unsigned long long)r->max_total);
    if (rc == 2)
        return rd_oom(r);
    if (rc != 0)
        return QUARRY_EPARSE;
    r->total += *len;
    return 0;
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

/* ------------------------------------------------------------------ */
/* Paths                                                               */

/* A relative path that stays in its folder: no "..", not absolute, not
 * empty (backslashes were turned into slashes before). */
static int contained(const char *p)
{
    const char *s = p;
    if (p[0] == '\0' || p[0] == '/')
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

/* "%41" -> "A" in place; -1 on a malformed escape or an escaped NUL. */
static int percent_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        char h[3] = {0, 0, 0};
        long v;
        if (*s != '%') {
            *o++ = *s;
            continue;
        }
        if (s[1] == '\0' || s[2] == '\0')
            return -1;
        h[0] = s[1];
        h[1] = s[2];
        if (strspn(h, "0123456789abcdefABCDEF") != 2)
            return -1;
        v = strtol(h, NULL, 16);
        if (v == 0)
            return -1;
        *o++ = (char)v;
        s += 2;
    }
    *o = '\0';
    return 0;
}

/* The places tried for a path, for the message when none held it. */
typedef struct tried {
    char text[600];
    size_t len;
    int n;
} tried;

static void tried_add(tried *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void tried_add(tried *t, const char *fmt, ...)
{
    va_list ap;
    int k;
    if (t->len + 8 >= sizeof(t->text))
        return;
    if (t->n++ > 0) {
        memcpy(t->text + t->len, ", ", 3);
        t->len += 2;
    }
    va_start(ap, fmt);
    k = vsnprintf(t->text + t->len, sizeof(t->text) - t->len, fmt, ap);
    va_end(ap);
    if (k > 0)
        t->len += (size_t)k < sizeof(t->text) - t->len
                      ? (size_t)k
                      : sizeof(t->text) - t->len - 1;
}

/* "TextSource \"name\" (guid ...)" for messages: the element read. */
static void label_of(const xmlNode *n, char *out, size_t cap)
{
    xmlChar *name = xmlGetNoNsProp(n, (const xmlChar *)"name");
    xmlChar *guid = xmlGetNoNsProp(n, (const xmlChar *)"guid");
    snprintf(out, cap, "\"%.80s\" (guid %.40s)",
             name ? (const char *)name : "", guid ? (const char *)guid : "?");
    xmlFree(name);
    xmlFree(guid);
}

/* Is the real path `real` the folder `root` or under it? */
static int under(const char *real, const char *root)
{
    size_t l = strlen(root);
    if (l == 1 && root[0] == '/')
        return 1;
    return strncmp(real, root, l) == 0 && (real[l] == '/' || real[l] == '\0');
}

/* What looking for a path returns: D_READ (the text is in *buf),
 * D_MISSING (nothing there: try the next place) or a negative status
 * (refused or unreadable; the model's message says why). */
#define D_READ 0
#define D_MISSING 1

static const char *kind_of(mode_t m)
{
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISCHR(m))
        return "a character device";
    if (S_ISBLK(m))
        return "a block device";
    if (S_ISDIR(m))
        return "a folder";
    if (S_ISSOCK(m))
        return "a socket";
    return "not a regular file";
}

/* Read the file at `path` if its real path lies under the real folder
 * `root` and it is a regular file within the limits. The real path is
 * opened with O_NOFOLLOW and O_NONBLOCK and checked with fstat, so what
 * is read is what was checked and a FIFO cannot block the import. */
static int read_under(reader *r, const xmlNode *n, const char *label,
                      const char *attr_name, const char *value,
                      const char *path, const char *root, char **buf,
                      size_t *len)
{
    char *real = realpath(path, NULL);
    struct stat st;
    int fd = -1, rc;
    if (real == NULL) {
        if (errno == ENOENT || errno == ENOTDIR)
            return D_MISSING;
        return rd_fail_at(r, QUARRY_EIO, n,
                          "%s: %s \"%s\": cannot resolve \"%s\": %s", label,
                          attr_name, value, path, strerror(errno));
    }
    if (!under(real, root)) {
        rc = rd_fail_at(r, QUARRY_EPARSE, n,
                        "%s: %s \"%s\" resolves to \"%s\", outside the folder "
                        "\"%s\"; refused",
                        label, attr_name, value, real, root);
        goto out;
    }
    fd = open(real, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        rc = rd_fail_at(r, QUARRY_EIO, n,
                        "%s: %s \"%s\": cannot read \"%s\": %s", label,
                        attr_name, value, real, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = rd_fail_at(r, QUARRY_EPARSE, n,
                        "%s: %s \"%s\": \"%s\" is %s; only regular files are "
                        "read; refused",
                        label, attr_name, value, real, kind_of(st.st_mode));
        goto out;
    }
    if ((uint64_t)st.st_size > r->max_entry ||
        r->total + (uint64_t)st.st_size > r->max_total) {
        rc = rd_fail_at(r, QUARRY_ERANGE, n,
                        "%s: %s \"%s\": \"%s\" holds %llu bytes, over the "
                        "limit of %llu; refused",
                        label, attr_name, value, real,
                        (unsigned long long)st.st_size,
                        (unsigned long long)r->max_entry);
        goto out;
    }
    rc = read_all(r, read_fd, &fd, (size_t)st.st_size, buf, len);
    if (rc == 0 && *len != (size_t)st.st_size) {
        /* /proc and /sys files say they are empty and are not: a file
         * whose bytes are not its size is no text file of a project. */
        free(*buf);
        *buf = NULL;
        rc = rd_fail_at(r, QUARRY_EPARSE, n,
                        "%s: %s \"%s\": \"%s\" gave %zu bytes but says it "
                        "holds %llu (a special file?); refused",
                        label, attr_name, value, real, *len,
                        (unsigned long long)st.st_size);
        goto out;
    }
    if (rc == 0) {
        r->total += *len;
        if (root != r->unpacked_real)
            refi_notice(r->m, "external",
                        "%s:%d: %s %s: text read from outside the archive: %s",
                        r->xml_name, rd_node_line(n), (const char *)n->name,
                        label, real);
    } else if (rc == 1) {
        rc = rd_fail_at(r, QUARRY_ERANGE, n,
                        "%s: %s \"%s\": \"%s\" grows past the limit of %llu "
                        "bytes; refused",
                        label, attr_name, value, real,
                        (unsigned long long)r->max_entry);
    } else if (rc == 2) {
        rc = rd_oom(r);
    } else {
        rc = rd_fail_at(r, QUARRY_EIO, n,
                        "%s: %s \"%s\": cannot read \"%s\": %s", label,
                        attr_name, value, real, strerror(errno));
    }
out:
    if (fd >= 0)
        close(fd);
    free(real);
    return rc;
}

/* The real path of a folder named by the caller, kept on the reader. */
static int real_dir(reader *r, const char *dir, char **out)
{
    if (*out != NULL)
        return 0;
    *out = realpath(dir, NULL);
    if (*out == NULL)
        return refi_fail(r->m, QUARRY_EIO, "%s: the folder \"%s\": %s",
                         r->file, dir, strerror(errno));
    return 0;
}

/* Look rel up inside the archive (sources/REL, then REL at the root; any
 * case), or under the folder of a bare project.qde. */
static int find_inside(reader *r, const xmlNode *n, const char *label,
                           const char *attr_name, const char *value,
                           const char *rel, tried *t, char **buf, size_t *len)
{
    static const char *const prefix[2] = {"sources/", ""};
    int k;
    for (k = 0; k < 2; k++) {
        size_t l = strlen(prefix[k]) + strlen(rel) + 1;
        char *entry;
        if (r->za == NULL && r->base_dir == NULL)
            break;
        entry = malloc(l + (r->base_dir ? strlen(r->base_dir) + 1 : 0));
        if (entry == NULL)
            return rd_oom(r);
        if (r->za != NULL) {
            zip_int64_t idx;
            snprintf(entry, l, "%s%s", prefix[k], rel);
            tried_add(t, "%s in the archive", entry);
            idx = zip_name_locate(r->za, entry, ZIP_FL_NOCASE);
            if (idx >= 0) {
                int rc = rd_read_entry(r, idx, entry, buf, len);
                free(entry);
                return rc;
            }
        } else {
            int d;
            sprintf(entry, "%s/%s%s", r->base_dir, prefix[k], rel);
            tried_add(t, "%s", entry);
            if ((d = real_dir(r, r->base_dir, &r->unpacked_real)) != 0) {
                free(entry);
                return d;
            }
            d = read_under(r, n, label, attr_name, value, entry,
                           r->unpacked_real, buf, len);
            if (d != D_MISSING) {
                free(entry);
                return d;
            }
        }
        free(entry);
    }
    return D_MISSING;
}

/* Look path up outside the archive, under the folder the caller allowed:
 * an absolute path as it is, a relative one under that folder, the
 * project's basePath and the .qdpx's folder. */
static int find_outside(reader *r, const xmlNode *n, const char *label,
                            const char *attr_name, const char *value,
                            const char *path, tried *t, char **buf,
                            size_t *len)
{
    const char *bases[3];
    int k, nb = 0, rc;
    if ((rc = real_dir(r, r->o->external_dir, &r->external_real)) != 0)
        return rc;
    if (path[0] == '/') {
        tried_add(t, "%s", path);
        return read_under(r, n, label, attr_name, value, path,
                          r->external_real, buf, len);
    }
    bases[nb++] = r->o->external_dir;
    if (r->base_path != NULL)
        bases[nb++] = r->base_path;
    if (r->pkg_dir != NULL)
        bases[nb++] = r->pkg_dir;
    for (k = 0; k < nb; k++) {
        char *full = malloc(strlen(bases[k]) + strlen(path) + 2);
        int d;
        if (full == NULL)
            return rd_oom(r);
        sprintf(full, "%s/%s", bases[k], path);
        tried_add(t, "%s", full);
        d = read_under(r, n, label, attr_name, value, full, r->external_real,
                       buf, len);
        free(full);
        if (d != D_MISSING)
            return d;
    }
    return D_MISSING;
}

int rd_load_path_text(reader *r, const xmlNode *n, const char *attr_name,
                      const char *path, char **buf, size_t *len)
{
    char label[160], *p;
    const char *scheme_end = strstr(path, "://");
    tried t;
    int d = D_MISSING, internal = 0, absolute = 0;
    size_t i;
    label_of(n, label, sizeof(label));
    memset(&t, 0, sizeof(t));
    if (strncmp(path, "internal://", 11) == 0) {
        internal = 1;
        p = strdup(path + 11);
    } else if (strncasecmp(path, "file:", 5) == 0) {
        const char *u = path + 5;
        if (strncmp(u, "//localhost/", 12) == 0)
            u += 11;
        else if (strncmp(u, "//", 2) == 0)
            u += 2;
        p = strdup(u);
        if (p != NULL && (p[0] != '/' || percent_decode(p) != 0)) {
            free(p);
            return rd_fail_at(r, QUARRY_EPARSE, n,
                              "%s: %s \"%s\" is not a local file URL; refused",
                              label, attr_name, path);
        }
        absolute = 1;
    } else if (scheme_end != NULL &&
               strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVW"
                            "XYZ0123456789+-.") == (size_t)(scheme_end - path)) {
        return rd_fail_at(r, QUARRY_EPARSE, n,
                          "%s: %s \"%s\": unknown scheme; refused", label,
                          attr_name, path);
    } else {
        p = strdup(path);
    }
    if (p == NULL)
        return rd_oom(r);
    for (i = 0; p[i]; i++)
        if (p[i] == '\\')
            p[i] = '/';
    /* "C:/..." or "//server/...": a Windows path, outside the archive. */
    if (p[0] == '/' ||
        (((p[0] | 0x20) >= 'a' && (p[0] | 0x20) <= 'z') && p[1] == ':'))
        absolute = 1;
    if (internal && !contained(p)) {
        free(p);
        return rd_fail_at(r, QUARRY_EPARSE, n,
                          "%s: %s \"%s\" leaves the sources folder; refused",
                          label, attr_name, path);
    }
    if (!internal && !absolute && !contained(p) &&
        r->o->external_dir == NULL) {
        free(p);
        return rd_fail_at(r, QUARRY_EPARSE, n,
                          "%s: %s \"%s\" leaves the project's folder; refused",
                          label, attr_name, path);
    }
    if (!absolute && contained(p))
        d = find_inside(r, n, label, attr_name, path, p, &t, buf, len);
    if (d == D_MISSING && !internal && r->o->external_dir != NULL &&
        !(p[0] != '/' && absolute))
        d = find_outside(r, n, label, attr_name, path, p, &t, buf, len);
    free(p);
    if (d != D_MISSING)
        return d;
    if (absolute && r->o->external_dir == NULL)
        return rd_fail_at(r, QUARRY_EPARSE, n,
                          "%s: %s \"%s\" is outside the archive; not read "
                          "(allow a folder with --allow-external DIR)",
                          label, attr_name, path);
    if (t.n == 0 && absolute)
        return rd_fail_at(r, QUARRY_ENOTFOUND, n,
                          "%s: %s \"%s\" names a file on another system; "
                          "not read",
                          label, attr_name, path);
    return rd_fail_at(r, QUARRY_ENOTFOUND, n,
                      "%s: %s \"%s\" not found; tried %s%s", label, attr_name,
                      path, t.n ? t.text : "nothing",
                      internal || r->o->external_dir != NULL
                          ? ""
                          : " (files outside the archive are read only from a "
                            "folder allowed with --allow-external DIR)");
}
