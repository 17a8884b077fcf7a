/*
 * serve_import.c -- material in and suggestions out from the page, so a
 * researcher who never opens a terminal can add interviews and ask for
 * suggestions: POST /api/import (a file's bytes, as the page read them
 * from a file chooser or a drop) and POST /api/suggest (a run, as
 * `quarry suggest PROJECT` makes it). API.md has the contract.
 *
 * The upload never touches the disk: its bytes go to
 * quarry_project_import_buffer under the file's name (no folder), which
 * tells the format and names the source and the ids, exactly as
 * `quarry import` of that file would; a .qdpx goes to
 * quarry_project_import_qdpx_buffer, which reads nothing outside the
 * archive.
 */
#include <string.h>
#include <strings.h>

#include "serve_int.h"

static void keep_notice(void *ctx, int level, const char *msg)
{
    (void)level;
    json_array_append_new(ctx, json_string(msg));
}

/* The file's name without any folder a client sent with it. */
static const char *file_name(const char *name)
{
    const char *s = strrchr(name, '/'), *b = strrchr(name, '\\');
    if (b != NULL && (s == NULL || b > s))
        s = b;
    return s ? s + 1 : name;
}

static int has_ext(const char *name, const char *ext)
{
    size_t n = strlen(name), e = strlen(ext);
    return n > e && strcasecmp(name + n - e, ext) == 0;
}

/* A REFI-QDA project from NVivo, ATLAS.ti, MAXQDA or QualCoder: its
 * sources, codes, coders, codings and notes, as `quarry import` of the
 * file reads them; the study and participants come from its cases. */
static int import_qdpx(serve_req *r, const char *name)
{
    quarry_refi_options o = QUARRY_REFI_OPTIONS_INIT;
    quarry_refi_stats st;
    json_t *notices = json_array();
    int status;
    if (notices == NULL)
        return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "out of memory");
    o.notice = keep_notice;
    o.notice_ctx = notices;
    status = quarry_project_import_qdpx_buffer(r->s->p, name, r->upload,
                                               r->upload_len, &o, &st);
    if (status != QUARRY_OK) {
        json_decref(notices);
        return serve_fail(r, status);
    }
    return serve_answer(
        r, json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
                     "file", name, "format", "qdpx", "sources",
                     (json_int_t)st.sources, "excerpts",
                     (json_int_t)(st.excerpts + st.rest), "codings",
                     (json_int_t)st.codings, "codes", (json_int_t)st.codes,
                     "coders", (json_int_t)st.coders, "merged",
                     (json_int_t)0, "retagged", (json_int_t)0, "notices",
                     notices));
}

/* A .json that is a codebook ({"codes": [{...}, ...]}, as `quarry
 * codebook import` reads), not excerpts. */
static int is_codebook_json(const char *bytes, size_t len)
{
    json_t *root = json_loadb(bytes, len, 0, NULL);
    json_t *codes = json_object_get(root, "codes");
    int yes = json_is_object(root) && json_object_get(root, "text") == NULL &&
              json_is_array(codes) &&
              json_is_object(json_array_get(codes, 0));
    json_decref(root);
    return yes;
}

/* A .csv that is a table of codes (NVivo's codebook saved as CSV: a
 * header with a Name column and no text column), not excerpts. */
static int is_codebook_table(const char *bytes, size_t len)
{
    size_t i = 0, end;
    int name = 0, text = 0;
    if (len >= 3 && memcmp(bytes, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    for (end = i; end < len && bytes[end] != '\n' && bytes[end] != '\r';
         end++)
        ;
    while (i < end) { /* each header field, quotes and spaces aside */
        size_t j = i, a, b;
        while (j < end && bytes[j] != ',' && bytes[j] != ';' &&
               bytes[j] != '\t')
            j++;
        for (a = i; a < j && (bytes[a] == ' ' || bytes[a] == '"'); a++)
            ;
        for (b = j; b > a && (bytes[b - 1] == ' ' || bytes[b - 1] == '"');
             b--)
            ;
        if ((b - a == 4 && (strncasecmp(bytes + a, "name", 4) == 0 ||
                            strncasecmp(bytes + a, "code", 4) == 0 ||
                            strncasecmp(bytes + a, "node", 4) == 0)))
            name = 1;
        if (b - a == 4 && strncasecmp(bytes + a, "text", 4) == 0)
            text = 1;
        i = j + 1;
    }
    return name && !text;
}

/* A difference the import lists and does not apply, as a line for
 * people: "Peers: definition \"...\" in the file, \"...\" here". */
static void keep_difference(void *ctx, const quarry_codebook_change *c)
{
    json_t *list = ctx;
    if (c->field == NULL || c->applied || json_array_size(list) >= 50)
        return;
    json_array_append_new(
        list, json_sprintf("%s: its %s is \"%s\" in the file, \"%s\" "
                           "here", c->name ? c->name : c->code,
                           strcmp(c->field, "codable") == 0
                               ? "mark as codable"
                               : c->field,
                           c->after ? c->after : "(none)",
                           c->before ? c->before : "(none)"));
}

/* A codebook (quarry's JSON or a REFI-QDA .qdc): codes new to the project
 * are added, under the page's coder in the code history; codes it has
 * already stay as they are, and the answer says how many differ, and
 * how ("differences"). */
static int import_codebook(serve_req *r, const char *name)
{
    quarry_codebook_import_options o = QUARRY_CODEBOOK_IMPORT_OPTIONS_INIT;
    quarry_codebook_import_stats st;
    json_t *notices = json_array(), *differences = NULL;
    quarry_engine *e = r->s->engine ? r->s->engine : r->s->suggest_engine;
    const char *by = serve_query(r, "by");
    int status;
    if (notices == NULL || e == NULL) {
        json_decref(notices);
        return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           notices ? "this server reads no codebooks"
                                   : "out of memory");
    }
    if (by == NULL || by[0] == '\0')
        by = r->s->coder;
    if (by == NULL) {
        json_decref(notices);
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "%s: a codebook is added under the name of who "
                           "adds it: say who you are (the coder) first",
                           name);
    }
    o.coder = by;
    o.notice = keep_notice;
    o.notice_ctx = notices;
    o.on_change = keep_difference;
    o.change_ctx = differences = json_array();
    status = quarry_project_codebook_import_buffer(
        r->s->p, e, name, r->upload, r->upload_len, &o,
        &st);
    if (status != QUARRY_OK) {
        json_decref(notices);
        json_decref(differences);
        return serve_fail(r, status);
    }
    if (st.differ > 0)
        json_array_append_new(
            notices,
            json_sprintf("%d code%s of the file differ%s from the project's "
                         "and stay as the project has them (edit them on "
                         "the Codebook page)",
                         (int)st.differ, st.differ == 1 ? "" : "s",
                         st.differ == 1 ? "s" : ""));
    return serve_answer(
        r, json_pack("{s:s, s:s, s:i, s:i, s:i, s:o, s:o}", "file", name,
                     "format", "codebook", "added", (int)st.added,
                     "differ", (int)st.differ, "unchanged",
                     (int)st.unchanged, "notices", notices, "differences",
                     differences ? differences : json_array()));
}

int serve_api_import(serve_req *r)
{
    quarry_import_options o = QUARRY_IMPORT_OPTIONS_INIT;
    quarry_import_stats st;
    const char *name = serve_query(r, "name"), *coder;
    json_t *notices;
    int status;
    if (name == NULL || file_name(name)[0] == '\0')
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "name: missing (the file's name, which tells "
                           "its format: .txt, .docx, .csv, .jsonl, .srt, "
                           ".vtt)");
    name = file_name(name);
    if (has_ext(name, ".qdpx"))
        return import_qdpx(r, name);
    if (has_ext(name, ".qdc") ||
        (has_ext(name, ".json") &&
         is_codebook_json(r->upload, r->upload_len)) ||
        (has_ext(name, ".csv") &&
         is_codebook_table(r->upload, r->upload_len)))
        return import_codebook(r, name);
    if (has_ext(name, ".qde"))
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "%s: a bare REFI-QDA project.qde names its "
                           "sources beside it, which a page cannot send; "
                           "export the project as a .qdpx and add that",
                           name);
    /* Who made the codes the file carries: as named, else "imported" (as
     * `quarry import` without --coder), never the page's own coder: a
     * colleague's file is not the reader's work. */
    coder = serve_query(r, "coder");
    o.coder = coder != NULL && coder[0] != '\0' ? coder : NULL;
    o.study = serve_query(r, "study");
    o.participant = serve_query(r, "participant");
    o.read.encoding = serve_query(r, "encoding");
    o.read.interviewers = serve_query(r, "interviewer");
    o.add_codes = serve_query(r, "add_codes") != NULL &&
                  strcmp(serve_query(r, "add_codes"), "1") == 0;
    notices = json_array();
    if (notices == NULL)
        return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "out of memory");
    o.read.notice = keep_notice;
    o.read.notice_ctx = notices;
    status = quarry_project_import_buffer(r->s->p, r->upload, r->upload_len,
                                          name, &o, &st);
    if (status != QUARRY_OK) {
        json_decref(notices);
        return serve_fail(r, status);
    }
    if (st.nameless > 0)
        json_array_append_new(
            notices,
            json_pack("s",
                      "its codings are filed under the coder \"imported\": "
                      "no coder was named"));
    return serve_answer(
        r, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "file", name,
                     "excerpts", (json_int_t)st.excerpts, "codings",
                     (json_int_t)st.codings, "codes", (json_int_t)st.codes,
                     "merged", (json_int_t)st.merged, "retagged",
                     (json_int_t)st.retagged, "notices", notices));
}

int serve_api_suggest(serve_req *r)
{
    quarry_project_suggest_options ps = QUARRY_PROJECT_SUGGEST_OPTIONS_INIT;
    quarry_suggest_options so = QUARRY_SUGGEST_OPTIONS_INIT;
    quarry_run_info info;
    int status;
    if (r->s->suggest_engine == NULL || r->s->pipeline == NULL)
        return serve_error(r, MHD_HTTP_NOT_IMPLEMENTED,
                           "this server makes no runs: run quarry suggest "
                           "on the project");
    if (r->s->suggest != NULL)
        so = *r->s->suggest;
    ps.command = "quarry serve: Suggest codes on the page";
    memset(&info, 0, sizeof info);
    status = quarry_project_suggest(r->s->p, r->s->suggest_engine,
                                    r->s->pipeline, &so, &ps, &info);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    return serve_answer(
        r, json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:I, s:b, s:f}", "run",
                     (json_int_t)info.run, "train", (json_int_t)info.train,
                     "input", (json_int_t)info.input, "stored",
                     (json_int_t)info.stored, "abstained",
                     (json_int_t)info.abstained, "seconds", info.seconds,
                     "left_out", (json_int_t)info.left_out, "codebook_only",
                     info.codebook_only, "linear", info.choice.linear));
}

static int put_source(void *ctx, const quarry_source_row *x)
{
    return json_array_append_new(
               ctx, json_pack("{s:s, s:s?, s:s?, s:I, s:I, s:I, s:I}", "name",
                              x->name ? x->name : "", "format", x->format,
                              "imported_at", x->imported_at, "excerpts",
                              (json_int_t)x->excerpts, "codings",
                              (json_int_t)x->codings, "decisions",
                              (json_int_t)x->decisions, "memos",
                              (json_int_t)x->memos))
               ? QUARRY_ENOMEM
               : 0;
}

int serve_api_sources(serve_req *r)
{
    json_t *list = json_array();
    int status;
    if (list == NULL)
        return serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           "out of memory");
    status = quarry_project_sources(r->s->p, put_source, list);
    if (status != QUARRY_OK) {
        json_decref(list);
        return status == QUARRY_ENOMEM
                   ? serve_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
                                 "out of memory")
                   : serve_fail(r, status);
    }
    return serve_answer(r, json_pack("{s:o}", "sources", list));
}

int serve_api_source_remove(serve_req *r)
{
    quarry_source_row x;
    json_t *name = json_object_get(r->body, "name");
    int status;
    if (!json_is_string(name) || json_string_length(name) == 0)
        return serve_error(r, MHD_HTTP_BAD_REQUEST,
                           "name: missing (the source's file name)");
    status = quarry_project_source_remove(r->s->p, json_string_value(name),
                                          &x);
    if (status != QUARRY_OK)
        return serve_fail(r, status);
    return serve_answer(r, json_pack("{s:s, s:I}", "name",
                                     json_string_value(name), "excerpts",
                                     (json_int_t)x.excerpts));
}
