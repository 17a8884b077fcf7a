/*
 * refi_write.c -- write a refi_model out as a REFI-QDA project.qde, .qdpx
 * or .qdc codebook (refi_io.h).
 *
 * libxml2's text writer does the escaping (& < > " in attributes, CR, LF
 * and tab as character references, so neither attribute normalisation nor
 * line-end normalisation can change a text). Characters XML 1.0 cannot
 * carry at all (C0 controls other than tab, LF and CR) are replaced by
 * U+FFFD, one character for one, so code point offsets still hold. The
 * element order is the schema's (xsd:sequence), children are written
 * grouped by owner in the model's order, and the zip entries get a fixed
 * time, so the same model always gives the same bytes.
 */
#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "refi_io.h"
#include "refi_trip.h"
#include "utf8.h"

#define NS_PROJECT_OUT "urn:QDA-XML:project:1.0"
#define NS_CODEBOOK_OUT "urn:QDA-XML:codebook:1.0"

/* An item of a grouping: sorted by (k1, k2, idx). */
typedef struct gkey {
    int64_t k1, k2;
    int32_t idx;
} gkey;

typedef struct group {
    gkey *keys;
    int32_t n;
} group;

typedef struct writer {
    refi_model *m;
    xmlTextWriterPtr w;
    int inclusive;
    refi_cpmap *crlf_maps; /* per source, when CR LF counts as one */
    int inline_text;
    int failed;
    group codes;   /* by (parent, idx) */
    group sels;    /* by (source, idx) */
    group codings; /* by (source, selection) */
    group refs;    /* by (owner kind, owner) */
    group values;  /* by (owner kind, owner) */
} writer;

static int gkey_cmp(const void *a, const void *b)
{
    const gkey *x = a, *y = b;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2)
        return x->k2 < y->k2 ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int group_alloc(group *g, int32_t n)
{
    g->n = 0;
    g->keys = malloc(((size_t)n + 1) * sizeof(gkey));
    return g->keys ? 0 : -1;
}

static void group_add(group *g, int64_t k1, int64_t k2, int32_t idx)
{
    g->keys[g->n].k1 = k1;
    g->keys[g->n].k2 = k2;
    g->keys[g->n].idx = idx;
    g->n++;
}

static void group_sort(group *g)
{
    qsort(g->keys, (size_t)g->n, sizeof(gkey), gkey_cmp);
}

/* First position with (k1, k2) (or k1 alone when k2 is INT64_MIN). */
static int32_t group_first(const group *g, int64_t k1, int64_t k2)
{
    int32_t lo = 0, hi = g->n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        const gkey *k = &g->keys[mid];
        if (k->k1 < k1 || (k->k1 == k1 && k2 != INT64_MIN && k->k2 < k2))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

/* A copy of s[0..len) fit for XML 1.0 (NULL when nothing needs changing):
 * invalid UTF-8 and forbidden controls become U+FFFD. */
static char *xml_clean(const char *s, size_t len, int *err)
{
    size_t i, o = 0;
    int dirty = 0;
    char *out;
    for (i = 0; i < len;) {
        int32_t cp;
        size_t k = quarry_utf8_decode(s + i, len - i, &cp);
        if (k == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            cp == 0xFFFE || cp == 0xFFFF) {
            dirty = 1;
            break;
        }
        i += k;
    }
    if (!dirty)
        return NULL;
    out = malloc(len * 3 + 1);
    if (out == NULL) {
        *err = 1;
        return NULL;
    }
    for (i = 0; i < len;) {
        int32_t cp;
        size_t k = quarry_utf8_decode(s + i, len - i, &cp);
        if (k == 0 || (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') ||
            cp == 0xFFFE || cp == 0xFFFF) {
            memcpy(out + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i += k ? k : 1;
        } else {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        }
    }
    out[o] = '\0';
    return out;
}

static void w_check(writer *wr, int rc)
{
    if (rc < 0)
        wr->failed = 1;
}

static void w_start(writer *wr, const char *name)
{
    w_check(wr, xmlTextWriterStartElement(wr->w, (const xmlChar *)name));
}

static void w_end(writer *wr)
{
    w_check(wr, xmlTextWriterEndElement(wr->w));
}

static void w_attrn(writer *wr, const char *name, const char *v, size_t len)
{
    int err = 0;
    char *c, *z;
    if (v == NULL)
        return;
    c = xml_clean(v, len, &err);
    if (err) {
        wr->failed = 1;
        return;
    }
    if (c == NULL) {
        z = malloc(len + 1);
        if (z == NULL) {
            wr->failed = 1;
            return;
        }
        memcpy(z, v, len);
        z[len] = '\0';
        c = z;
    }
    w_check(wr, xmlTextWriterWriteAttribute(wr->w, (const xmlChar *)name,
                                            (const xmlChar *)c));
    free(c);
}

static void w_attr(writer *wr, const char *name, const char *v)
{
    if (v != NULL)
        w_attrn(wr, name, v, strlen(v));
}

static void w_attr_int(writer *wr, const char *name, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    w_attr(wr, name, buf);
}

static void w_textn(writer *wr, const char *name, const char *v, size_t len)
{
    int err = 0;
    char *c;
    if (v == NULL)
        return;
    c = xml_clean(v, len, &err);
    if (err) {
        wr->failed = 1;
        return;
    }
    w_start(wr, name);
    if (c != NULL) {
        w_check(wr, xmlTextWriterWriteString(wr->w, (const xmlChar *)c));
        free(c);
    } else {
        /* WriteString wants a NUL-terminated string: the model's are. */
        w_check(wr, xmlTextWriterWriteString(wr->w, (const xmlChar *)v));
    }
    w_end(wr);
}

static void w_text(writer *wr, const char *name, const char *v)
{
    if (v != NULL)
        w_textn(wr, name, v, strlen(v));
}

static const char *user_guid(const refi_model *m, int32_t u)
{
    return u >= 0 && u < m->n_users ? m->users[u].guid : NULL;
}

/* The references of one owner with one target kind, as elements. */
static void w_refs(writer *wr, refi_kind owner_kind, int32_t owner,
                   refi_kind target_kind, const char *elem, const char *attr)
{
    const refi_model *m = wr->m;
    int32_t p = group_first(&wr->refs, owner_kind, owner);
    for (; p < wr->refs.n && wr->refs.keys[p].k1 == owner_kind &&
           wr->refs.keys[p].k2 == owner;
         p++) {
        const refi_ref *r = &m->refs[wr->refs.keys[p].idx];
        const char *g = NULL;
        if (r->target_kind != target_kind || r->target < 0)
            continue;
        switch (target_kind) {
        case REFI_K_CODE:
            g = m->codes[r->target].guid;
            break;
        case REFI_K_SOURCE:
            g = m->sources[r->target].guid;
            break;
        case REFI_K_SELECTION:
            g = m->selections[r->target].guid;
            break;
        case REFI_K_NOTE:
            g = m->notes[r->target].guid;
            break;
        default:
            break;
        }
        if (g == NULL)
            continue;
        w_start(wr, elem);
        w_attr(wr, attr, g);
        w_end(wr);
    }
}

static void w_values(writer *wr, refi_kind owner_kind, int32_t owner)
{
    static const char *const names[] = {"TextValue",    "BooleanValue",
                                        "IntegerValue", "FloatValue",
                                        "DateValue",    "DateTimeValue"};
    const refi_model *m = wr->m;
    int32_t p = group_first(&wr->values, owner_kind, owner);
    for (; p < wr->values.n && wr->values.keys[p].k1 == owner_kind &&
           wr->values.keys[p].k2 == owner;
         p++) {
        const refi_value *v = &m->values[wr->values.keys[p].idx];
        if (v->variable < 0)
            continue;
        w_start(wr, "VariableValue");
        w_start(wr, "VariableRef");
        w_attr(wr, "targetGUID", m->variables[v->variable].guid);
        w_end(wr);
        w_text(wr, names[(unsigned)v->type < 6 ? v->type : 0],
               v->value ? v->value : "");
        w_end(wr);
    }
}

/* A Case or a Set (kind, number i): its guid, name and description, then
 * what it groups, in the schema's order (a Case: CodeRef, its variable
 * values, SourceRef, SelectionRef; a Set: MemberCode, MemberSource,
 * MemberNote). */
static void w_group(writer *wr, refi_kind kind, int32_t i, const char *guid,
                    const char *name, const char *description)
{
    int is_case = kind == REFI_K_CASE;
    w_start(wr, is_case ? "Case" : "Set");
    w_attr(wr, "guid", guid);
    w_attr(wr, "name", name);
    w_text(wr, "Description", description);
    w_refs(wr, kind, i, REFI_K_CODE, is_case ? "CodeRef" : "MemberCode",
           "targetGUID");
    if (is_case)
        w_values(wr, kind, i);
    w_refs(wr, kind, i, REFI_K_SOURCE, is_case ? "SourceRef" : "MemberSource",
           "targetGUID");
    if (is_case)
        w_refs(wr, kind, i, REFI_K_SELECTION, "SelectionRef", "targetGUID");
    else
        w_refs(wr, kind, i, REFI_K_NOTE, "MemberNote", "targetGUID");
    w_end(wr);
}

static void w_code(writer *wr, int32_t i, int project)
{
    const refi_code *c = &wr->m->codes[i];
    int32_t p;
    w_start(wr, "Code");
    w_attr(wr, "guid", c->guid);
    w_attr(wr, "name", c->name ? c->name : "");
    w_attr(wr, "isCodable", c->codable ? "true" : "false");
    w_attr(wr, "color", c->color);
    w_text(wr, "Description", c->description);
    if (project)
        w_refs(wr, REFI_K_CODE, i, REFI_K_NOTE, "NoteRef", "targetGUID");
    for (p = group_first(&wr->codes, i, INT64_MIN);
         p < wr->codes.n && wr->codes.keys[p].k1 == i; p++)
        w_code(wr, wr->codes.keys[p].idx, project);
    w_end(wr);
}

static void w_codes(writer *wr, int project)
{
    int32_t p;
    w_start(wr, project ? "CodeBook" : "Codes");
    if (project)
        w_start(wr, "Codes");
    for (p = group_first(&wr->codes, -1, INT64_MIN);
         p < wr->codes.n && wr->codes.keys[p].k1 == -1; p++)
        w_code(wr, wr->codes.keys[p].idx, project);
    if (project)
        w_end(wr);
    w_end(wr);
}

static void w_coding(writer *wr, int32_t i)
{
    const refi_model *m = wr->m;
    const refi_coding *c = &m->codings[i];
    w_start(wr, "Coding");
    w_attr(wr, "guid", c->guid);
    w_attr(wr, "creatingUser", user_guid(m, c->user));
    w_attr(wr, "creationDateTime", c->created);
    w_start(wr, "CodeRef");
    w_attr(wr, "targetGUID", m->codes[c->code].guid);
    w_end(wr);
    w_refs(wr, REFI_K_CODING, i, REFI_K_NOTE, "NoteRef", "targetGUID");
    w_end(wr);
}

static void w_codings(writer *wr, int32_t source, int32_t selection)
{
    int32_t p = group_first(&wr->codings, source, selection);
    for (; p < wr->codings.n && wr->codings.keys[p].k1 == source &&
           wr->codings.keys[p].k2 == selection;
         p++)
        w_coding(wr, wr->codings.keys[p].idx);
}

static void w_selection(writer *wr, int32_t i)
{
    refi_model *m = wr->m;
    const refi_selection *s = &m->selections[i];
    const refi_source *src = &m->sources[s->source];
    if (wr->inclusive && s->end <= s->start) {
        refi_notice(m, "empty-selection",
                    "PlainTextSelection \"%s\" is empty and has no inclusive "
                    "end; not written",
                    s->guid);
        return;
    }
    w_start(wr, "PlainTextSelection");
    w_attr(wr, "guid", s->guid);
    /* @name holds the quoted text, so any reader can check the offsets,
     * unless the selection has a name of its own (kept from an import). */
    if (s->name != NULL)
        w_attr(wr, "name", s->name);
    else if (s->byte_end <= src->text_len && s->byte_start <= s->byte_end)
        w_attrn(wr, "name", src->text + s->byte_start,
                s->byte_end - s->byte_start);
    if (wr->crlf_maps != NULL && !wr->failed) { /* as ATLAS.ti counts */
        const refi_cpmap *mp = &wr->crlf_maps[s->source];
        int64_t a = refi_cpmap_cp(mp, s->byte_start);
        int64_t b = refi_cpmap_cp(mp, s->byte_end);
        w_attr_int(wr, "startPosition", a);
        w_attr_int(wr, "endPosition", wr->inclusive ? b - 1 : b);
    } else {
        w_attr_int(wr, "startPosition", s->start);
        w_attr_int(wr, "endPosition", wr->inclusive ? s->end - 1 : s->end);
    }
    w_attr(wr, "creatingUser", user_guid(m, s->user));
    w_attr(wr, "creationDateTime", s->created);
    w_text(wr, "Description", s->description);
    w_codings(wr, s->source, i);
    w_refs(wr, REFI_K_SELECTION, i, REFI_K_NOTE, "NoteRef", "targetGUID");
    w_end(wr);
}

static void w_source(writer *wr, int32_t i)
{
    const refi_model *m = wr->m;
    const refi_source *s = &m->sources[i];
    int32_t p;
    w_start(wr, "TextSource");
    w_attr(wr, "guid", s->guid);
    w_attr(wr, "name", s->name);
    if (!wr->inline_text) {
        char path[64];
        snprintf(path, sizeof(path), "internal://%s.txt", s->guid);
        w_attr(wr, "plainTextPath", path);
    }
    w_attr(wr, "creatingUser", user_guid(m, s->user));
    w_attr(wr, "creationDateTime", s->created);
    w_text(wr, "Description", s->description);
    if (wr->inline_text)
        w_textn(wr, "PlainTextContent", s->text, s->text_len);
    for (p = group_first(&wr->sels, i, INT64_MIN);
         p < wr->sels.n && wr->sels.keys[p].k1 == i; p++)
        w_selection(wr, wr->sels.keys[p].idx);
    w_codings(wr, i, -1);
    w_refs(wr, REFI_K_SOURCE, i, REFI_K_NOTE, "NoteRef", "targetGUID");
    w_values(wr, REFI_K_SOURCE, i);
    w_end(wr);
}

static int build_groups(writer *wr)
{
    refi_model *m = wr->m;
    int32_t i;
    if (group_alloc(&wr->codes, m->n_codes) ||
        group_alloc(&wr->sels, m->n_selections) ||
        group_alloc(&wr->codings, m->n_codings) ||
        group_alloc(&wr->refs, m->n_refs) ||
        group_alloc(&wr->values, m->n_values))
        return -1;
    for (i = 0; i < m->n_codes; i++)
        group_add(&wr->codes, m->codes[i].parent, i, i);
    for (i = 0; i < m->n_selections; i++)
        group_add(&wr->sels, m->selections[i].source, i, i);
    for (i = 0; i < m->n_codings; i++)
        if (m->codings[i].code >= 0 && m->codings[i].code < m->n_codes)
            group_add(&wr->codings, m->codings[i].source,
                      m->codings[i].selection, i);
    for (i = 0; i < m->n_refs; i++)
        if (m->refs[i].target >= 0)
            group_add(&wr->refs, m->refs[i].owner_kind, m->refs[i].owner, i);
    for (i = 0; i < m->n_values; i++)
        if (m->values[i].variable >= 0)
            group_add(&wr->values, m->values[i].owner_kind, m->values[i].owner,
                      i);
    group_sort(&wr->codes);
    group_sort(&wr->sels);
    group_sort(&wr->codings);
    group_sort(&wr->refs);
    group_sort(&wr->values);
    return 0;
}

static void free_groups(writer *wr)
{
    int32_t i;
    for (i = 0; wr->crlf_maps != NULL && i < wr->m->n_sources; i++)
        refi_cpmap_free(&wr->crlf_maps[i]);
    free(wr->crlf_maps);
    wr->crlf_maps = NULL;
    free(wr->codes.keys);
    free(wr->sels.keys);
    free(wr->codings.keys);
    free(wr->refs.keys);
    free(wr->values.keys);
}

/* Start a document in memory; the caller writes the body. */
static int open_doc(writer *wr, xmlBufferPtr *buf)
{
    *buf = xmlBufferCreate();
    if (*buf == NULL)
        return -1;
    wr->w = xmlNewTextWriterMemory(*buf, 0);
    if (wr->w == NULL) {
        xmlBufferFree(*buf);
        return -1;
    }
    xmlTextWriterSetIndent(wr->w, 1);
    xmlTextWriterSetIndentString(wr->w, (const xmlChar *)"  ");
    w_check(wr, xmlTextWriterStartDocument(wr->w, "1.0", "UTF-8", NULL));
    return 0;
}

static int close_doc(writer *wr, xmlBufferPtr buf, char **out, size_t *len)
{
    int rc = 0;
    w_check(wr, xmlTextWriterEndDocument(wr->w));
    xmlFreeTextWriter(wr->w);
    wr->w = NULL;
    if (wr->failed) {
        rc = refi_fail(wr->m, QUARRY_EINTERNAL, "writing XML failed");
    } else {
        size_t n = (size_t)xmlBufferLength(buf);
        *out = malloc(n + 1);
        if (*out == NULL) {
            rc = refi_fail(wr->m, QUARRY_ENOMEM, "out of memory");
        } else {
            memcpy(*out, xmlBufferContent(buf), n);
            (*out)[n] = '\0';
            *len = n;
        }
    }
    xmlBufferFree(buf);
    return rc;
}

int refi_write_qde(refi_model *m, const quarry_refi_options *o, int inline_text,
                   char **out, size_t *len)
{
    writer wr;
    xmlBufferPtr buf;
    int32_t i;
    int rc;
    memset(&wr, 0, sizeof(wr));
    wr.m = m;
    wr.inclusive = o == NULL || o->end != QUARRY_REFI_END_EXCLUSIVE;
    if (o != NULL && o->crlf == QUARRY_REFI_CRLF_ONE) {
        wr.crlf_maps = calloc((size_t)m->n_sources + 1, sizeof(refi_cpmap));
        for (i = 0; wr.crlf_maps != NULL && i < m->n_sources; i++)
            if (refi_cpmap_init_crlf(&wr.crlf_maps[i], m->sources[i].text,
                                     m->sources[i].text_len, 1) != 0)
                wr.failed = 1;
        if (wr.crlf_maps == NULL)
            wr.failed = 1;
    }
    wr.inline_text = inline_text;
    if (build_groups(&wr) != 0) {
        free_groups(&wr);
        return refi_fail(m, QUARRY_ENOMEM, "out of memory");
    }
    if (open_doc(&wr, &buf) != 0) {
        free_groups(&wr);
        return refi_fail(m, QUARRY_ENOMEM, "out of memory");
    }
    w_start(&wr, "Project");
    w_attr(&wr, "xmlns", NS_PROJECT_OUT);
    w_attr(&wr, "name", m->name ? m->name : "quarry project");
    w_attr(&wr, "origin", m->origin);
    w_attr(&wr, "creatingUserGUID", user_guid(m, m->creating_user));
    w_attr(&wr, "creationDateTime", m->created);
    if (m->n_users > 0) {
        w_start(&wr, "Users");
        for (i = 0; i < m->n_users; i++) {
            w_start(&wr, "User");
            w_attr(&wr, "guid", m->users[i].guid);
            w_attr(&wr, "name", m->users[i].name);
            w_attr(&wr, "id", m->users[i].id);
            w_end(&wr);
        }
        w_end(&wr);
    }
    if (m->n_codes > 0)
        w_codes(&wr, 1);
    if (m->n_variables > 0) {
        w_start(&wr, "Variables");
        for (i = 0; i < m->n_variables; i++) {
            const refi_variable *v = &m->variables[i];
            w_start(&wr, "Variable");
            w_attr(&wr, "guid", v->guid);
            w_attr(&wr, "name", v->name ? v->name : "");
            w_attr(&wr, "typeOfVariable", refi_vtype_name(v->type));
            w_text(&wr, "Description", v->description);
            w_end(&wr);
        }
        w_end(&wr);
    }
    if (m->n_cases > 0) {
        w_start(&wr, "Cases");
        for (i = 0; i < m->n_cases; i++)
            w_group(&wr, REFI_K_CASE, i, m->cases[i].guid, m->cases[i].name,
                    m->cases[i].description);
        w_end(&wr);
    }
    if (m->n_sources > 0) {
        w_start(&wr, "Sources");
        for (i = 0; i < m->n_sources; i++)
            w_source(&wr, i);
        w_end(&wr);
    }
    if (m->n_notes > 0) {
        w_start(&wr, "Notes");
        for (i = 0; i < m->n_notes; i++) {
            const refi_note *n = &m->notes[i];
            w_start(&wr, "Note");
            w_attr(&wr, "guid", n->guid);
            w_attr(&wr, "name", n->name);
            w_attr(&wr, "creatingUser", user_guid(m, n->user));
            w_attr(&wr, "creationDateTime", n->created);
            w_text(&wr, "Description", n->description);
            w_textn(&wr, "PlainTextContent", n->text ? n->text : "",
                    n->text ? n->text_len : 0);
            w_refs(&wr, REFI_K_NOTE, i, REFI_K_NOTE, "NoteRef", "targetGUID");
            w_end(&wr);
        }
        w_end(&wr);
    }
    if (m->n_sets > 0) {
        w_start(&wr, "Sets");
        for (i = 0; i < m->n_sets; i++)
            w_group(&wr, REFI_K_SET, i, m->sets[i].guid,
                    m->sets[i].name ? m->sets[i].name : "",
                    m->sets[i].description);
        w_end(&wr);
    }
    w_text(&wr, "Description", m->description);
    w_refs(&wr, REFI_K_PROJECT, 0, REFI_K_NOTE, "NoteRef", "targetGUID");
    w_end(&wr);
    rc = close_doc(&wr, buf, out, len);
    free_groups(&wr);
    return rc;
}

int refi_write_qdc(refi_model *m, char **out, size_t *len)
{
    writer wr;
    xmlBufferPtr buf;
    int32_t i;
    int rc;
    if (m->n_codes == 0)
        return refi_fail(m, QUARRY_EINVAL,
                         "the codebook has no codes (an empty Codes element "
                         "is not valid REFI-QDA)");
    memset(&wr, 0, sizeof(wr));
    wr.m = m;
    if (build_groups(&wr) != 0 || open_doc(&wr, &buf) != 0) {
        free_groups(&wr);
        return refi_fail(m, QUARRY_ENOMEM, "out of memory");
    }
    w_start(&wr, "CodeBook");
    w_attr(&wr, "xmlns", NS_CODEBOOK_OUT);
    w_attr(&wr, "origin", m->origin);
    w_codes(&wr, 0);
    if (m->n_sets > 0) {
        w_start(&wr, "Sets");
        for (i = 0; i < m->n_sets; i++) {
            w_start(&wr, "Set");
            w_attr(&wr, "guid", m->sets[i].guid);
            w_attr(&wr, "name", m->sets[i].name ? m->sets[i].name : "");
            w_text(&wr, "Description", m->sets[i].description);
            /* .qdc's MemberCode names its code in @guid. */
            w_refs(&wr, REFI_K_SET, i, REFI_K_CODE, "MemberCode", "guid");
            w_end(&wr);
        }
        w_end(&wr);
    }
    w_end(&wr);
    rc = close_doc(&wr, buf, out, len);
    free_groups(&wr);
    return rc;
}

/* A zip entry from a buffer that outlives zip_close(), at a fixed time. */
static int add_entry(refi_model *m, zip_t *za, const char *name,
                     const char *data, size_t len)
{
    zip_source_t *src = zip_source_buffer(za, data, len, 0);
    zip_int64_t idx;
    if (src == NULL)
        return refi_fail(m, QUARRY_EIO, "zip: %s", zip_strerror(za));
    idx = zip_file_add(za, name, src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(src);
        return refi_fail(m, QUARRY_EIO, "zip: %s: %s", name, zip_strerror(za));
    }
    /* 1980-01-01 00:00 in DOS form: no clock, no time zone in the bytes. */
    if (zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (1 << 5) | 1, 0) != 0 ||
        zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 9) != 0)
        return refi_fail(m, QUARRY_EIO, "zip: %s: %s", name, zip_strerror(za));
    return 0;
}

/* project.qde, the sources and quarry's own entry into za; names holds
 * the entry names until zip_close (freed by the caller). */
static int fill_archive(refi_model *m, zip_t *za, const char *qde, size_t len,
                        char **names)
{
    int rc;
    int32_t i;
    if ((rc = add_entry(m, za, "project.qde", qde, len)) != 0)
        return rc;
    for (i = 0; i < m->n_sources; i++) {
        names[i] = malloc(strlen(m->sources[i].guid) + 13);
        if (names[i] == NULL)
            return refi_fail(m, QUARRY_ENOMEM, "out of memory");
        sprintf(names[i], "sources/%s.txt", m->sources[i].guid);
        if ((rc = add_entry(m, za, names[i], m->sources[i].text,
                            m->sources[i].text_len)) != 0)
            return rc;
    }
    /* quarry's own entry (refi_trip.h), after the standard's. */
    if (m->trip_json != NULL)
        return add_entry(m, za, REFI_TRIP_ENTRY, m->trip_json, m->trip_len);
    return 0;
}

/* The archive into a file at path (out NULL), or into memory (*out, *out_len,
 * malloc'ed). */
static int write_archive(refi_model *m, const char *path,
                         const quarry_refi_options *o, char **out,
                         size_t *out_len)
{
    char *qde = NULL, **names = NULL;
    size_t len = 0;
    zip_t *za = NULL;
    zip_source_t *mem = NULL;
    zip_error_t ze;
    int zerr = 0, rc;
    int32_t i;
    if ((rc = refi_write_qde(m, o, 0, &qde, &len)) != 0)
        return rc;
    zip_error_init(&ze);
    if (out != NULL) {
        /* Kept past zip_close, which writes the archive into it. */
        mem = zip_source_buffer_create(NULL, 0, 0, &ze);
        if (mem != NULL) {
            zip_source_keep(mem);
            za = zip_open_from_source(mem, ZIP_TRUNCATE, &ze);
            if (za == NULL)
                zip_source_free(mem); /* not taken: drop the keep */
        }
    } else {
        za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr);
        if (za == NULL)
            zip_error_init_with_code(&ze, zerr);
    }
    if (za == NULL) {
        rc = refi_fail(m, QUARRY_EIO, "%s: cannot write: %s",
                       path ? path : "the archive", zip_error_strerror(&ze));
        goto out;
    }
    names = calloc((size_t)m->n_sources + 1, sizeof(char *));
    rc = names == NULL ? refi_fail(m, QUARRY_ENOMEM, "out of memory")
                       : fill_archive(m, za, qde, len, names);
    if (rc != 0)
        goto out;
    if (zip_close(za) != 0) {
        rc = refi_fail(m, QUARRY_EIO, "%s: cannot write: %s",
                       path ? path : "the archive", zip_strerror(za));
        goto out;
    }
    za = NULL;
    if (out != NULL) {
        zip_int64_t size;
        char *b = NULL;
        if (zip_source_open(mem) != 0 ||
            zip_source_seek(mem, 0, SEEK_END) != 0 ||
            (size = zip_source_tell(mem)) < 0 ||
            zip_source_seek(mem, 0, SEEK_SET) != 0) {
            rc = refi_fail(m, QUARRY_EIO, "the archive: cannot read it back");
        } else if ((b = malloc((size_t)size + 1)) == NULL) {
            rc = refi_fail(m, QUARRY_ENOMEM, "out of memory");
        } else if (zip_source_read(mem, b, (zip_uint64_t)size) != size) {
            rc = refi_fail(m, QUARRY_EIO, "the archive: cannot read it back");
        } else {
            *out = b;
            *out_len = (size_t)size;
            b = NULL;
        }
        zip_source_close(mem);
        free(b);
    }
out:
    if (za != NULL)
        zip_discard(za);
    if (mem != NULL)
        zip_source_free(mem);
    zip_error_fini(&ze);
    for (i = 0; names != NULL && i < m->n_sources; i++)
        free(names[i]);
    free(names);
    free(qde);
    return rc;
}

int refi_write_qdpx(refi_model *m, const char *path,
                    const quarry_refi_options *o)
{
    return write_archive(m, path, o, NULL, NULL);
}

int refi_write_qdpx_buffer(refi_model *m, const quarry_refi_options *o,
                           char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    return write_archive(m, NULL, o, out, len);
}
