/*
 * project_suggest.c -- `quarry suggest` inside a project: learn from the
 * human codings, push rejected codes away, suggest for the uncoded
 * excerpts of the speakers asked for (interviewer turns left out by
 * default), and store the run with enough to reproduce it (plugins with
 * versions and options, hashes of what it read, timing) and its
 * suggestions with their evidence.
 */
#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "engine.h"
#include "project_db.h"

/* A training row that is a passage (training_corpus): its id is the
 * excerpt's, then PASSAGE_SEP, then "start-end" (code points of the
 * excerpt's text), so it never meets an excerpt's id and the evidence
 * gives the excerpt and the passage back (evidence_json). */
#define PASSAGE_SEP '\x1f'

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) +
           (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* SHA-256 over what a run read of a corpus: ids, texts and codes, each
 * ended by a unit separator, each excerpt by a record separator. */
static int corpus_hash(const quarry_corpus *c, char out[65])
{
    size_t i, len = 0, cap = 0, n = quarry_corpus_size(c);
    char *buf = NULL;
    int rc = 0;
    for (i = 0; i < n && rc == 0; i++) {
        const quarry_excerpt *x = quarry_corpus_at(c, i);
        int32_t k;
        rc = quarry_buf_append(&buf, &len, &cap, x->id, strlen(x->id));
        rc = rc ? rc : quarry_buf_append(&buf, &len, &cap, "\x1f", 1);
        rc = rc ? rc : quarry_buf_append(&buf, &len, &cap, x->text,
                                         x->text_len);
        rc = rc ? rc : quarry_buf_append(&buf, &len, &cap, "\x1f", 1);
        for (k = 0; k < x->n_codes && rc == 0; k++) {
            rc = quarry_buf_append(&buf, &len, &cap, x->codes[k],
                                   strlen(x->codes[k]));
            rc = rc ? rc : quarry_buf_append(&buf, &len, &cap, "\x1f", 1);
        }
        rc = rc ? rc : quarry_buf_append(&buf, &len, &cap, "\x1e", 1);
    }
    if (rc == 0)
        project_sha256_hex(buf ? buf : "", len, out);
    free(buf);
    return rc ? QUARRY_ENOMEM : QUARRY_OK;
}

static void add_plugin(quarry_engine *e, json_t *list, quarry_plugin_kind k,
                       const char *name)
{
    const quarry_plugin *pl = NULL;
    json_t *o;
    if (name == NULL || strcmp(name, "none") == 0)
        return;
    o = json_object();
    json_object_set_new(o, "kind", json_string(quarry_kind_name(k)));
    json_object_set_new(o, "name", json_string(name));
    if (quarry_engine_find(e, k, name, &pl) == QUARRY_OK && pl != NULL) {
        json_object_set_new(o, "version",
                            json_string(pl->version ? pl->version : ""));
    }
    json_array_append_new(list, o);
}

static json_t *opt_str(const char *s)
{
    return s ? json_string(s) : json_null();
}

static char *run_options(quarry_engine *e, const quarry_pipeline_options *po,
                         const quarry_suggest_options *so, int all,
                         int speakers, int codebook_only,
                         const quarry_suggest_choice *ch)
{
    json_t *o = json_object(), *pl = json_object(), *sg = json_object(),
           *plug = json_object();
    char *text;
    size_t i;
    json_object_set_new(pl, "tokenizer", opt_str(po->tokenizer));
    json_object_set_new(pl, "stemmer", opt_str(po->stemmer));
    json_object_set_new(pl, "weighting", opt_str(po->weighting));
    json_object_set_new(pl, "language", opt_str(po->language));
    json_object_set_new(pl, "stopwords", opt_str(po->stopwords));
    json_object_set_new(pl, "lexicon", opt_str(po->lexicon));
    json_object_set_new(pl, "min_df", json_integer(po->min_df));
    json_object_set_new(pl, "max_df", json_real(po->max_df));
    json_object_set_new(pl, "max_features", json_integer(po->max_features));
    json_object_set_new(sg, "top", json_integer(so->top));
    json_object_set_new(sg, "neighbours", json_integer(so->neighbours));
    json_object_set_new(sg, "min_confidence", json_real(so->min_confidence));
    json_object_set_new(sg, "proto_weight", json_real(so->proto_weight));
    json_object_set_new(sg, "definition_prior",
                        json_real(so->definition_prior));
    json_object_set_new(sg, "temperature", json_real(so->temperature));
    json_object_set_new(sg, "all", json_boolean(all));
    /* Only when not the defaults, so that earlier runs read the same. */
    if (speakers != QUARRY_SPEAKERS_PARTICIPANTS)
        json_object_set_new(sg, "speakers",
                            json_string(speakers == QUARRY_SPEAKERS_ALL
                                            ? "all"
                                            : "interviewers"));
    if (codebook_only)
        json_object_set_new(sg, "codebook_only", json_true());
    /* The linear model only when there was one or quarry chose (the
     * default), so that earlier runs read the same; when quarry chose,
     * what and why. */
    if (ch != NULL && (ch->auto_selected || ch->linear > 0.0)) {
        static const char *const fnames[] = {"words", "words+form",
                                             "words+chars",
                                             "words+form+chars"};
        json_object_set_new(sg, "linear", json_real(ch->linear));
        json_object_set_new(sg, "linear_c", json_real(ch->linear_c));
        json_object_set_new(sg, "features",
                            json_string(fnames[ch->features & 3u]));
        json_object_set_new(sg, "seed", json_integer((json_int_t)so->seed));
    }
    if (ch != NULL && ch->auto_selected) {
        json_t *a = json_object();
        json_object_set_new(a, "folds", json_integer(ch->folds));
        json_object_set_new(a, "rows", json_integer(ch->rows));
        json_object_set_new(a, "coded", json_integer(ch->coded));
        json_object_set_new(a, "top1", json_real(ch->top1));
        json_object_set_new(a, "top3", json_real(ch->top3));
        json_object_set_new(a, "base_top1", json_real(ch->base_top1));
        json_object_set_new(a, "base_top3", json_real(ch->base_top3));
        json_object_set_new(sg, "auto", a);
    }
    for (i = 0; i < e->n_options; i++) {
        char key[512];
        snprintf(key, sizeof key, "%s.%s", e->options[i].plugin,
                 e->options[i].key);
        json_object_set_new(plug, key, json_string(e->options[i].value));
    }
    json_object_set_new(o, "pipeline", pl);
    json_object_set_new(o, "suggest", sg);
    json_object_set_new(o, "plugin_options", plug);
    text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(10));
    json_decref(o);
    return text;
}

static char *evidence_json(const quarry_suggestion *g,
                           const quarry_corpus *train)
{
    json_t *o = json_object(), *terms = json_array(), *nb = json_array();
    char *text;
    int32_t k;
    for (k = 0; k < g->n_terms; k++) {
        json_t *t = json_object();
        json_object_set_new(t, "term", json_string(g->terms[k]));
        json_object_set_new(t, "weight", json_real(g->term_weights[k]));
        json_array_append_new(terms, t);
    }
    for (k = 0; k < g->n_neighbours; k++) {
        const quarry_excerpt *x = quarry_corpus_at(train, (size_t)g->neighbours[k]);
        const char *id = x ? x->id : "", *sep = strchr(id, PASSAGE_SEP);
        json_t *t = json_object();
        long long s0, s1;
        /* A passage's row: the excerpt, and the passage as "span". */
        if (sep != NULL && sscanf(sep + 1, "%lld-%lld", &s0, &s1) == 2) {
            json_object_set_new(t, "id",
                                json_stringn(id, (size_t)(sep - id)));
            json_object_set_new(t, "span", json_pack("[II]", (json_int_t)s0,
                                                     (json_int_t)s1));
        } else
            json_object_set_new(t, "id", json_string(id));
        json_object_set_new(t, "score", json_real(g->neighbour_scores[k]));
        json_array_append_new(nb, t);
    }
    json_object_set_new(o, "terms", terms);
    json_object_set_new(o, "neighbours", nb);
    text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(6));
    json_decref(o);
    return text;
}

static char *dup_opt(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

/* What suggest learns from: every coded excerpt, a row per passage. A
 * code on the whole excerpt (by any coder) makes the excerpt's text a row
 * with those codes, as always; a code only on a passage makes the
 * passage's text a row of its own with the codes on that very passage
 * (the rest of the turn is not what the coder said carries the code:
 * NVivo's and ATLAS.ti's "coding by example" learn from the coded text
 * too). Excerpts in their order, the whole row before the passages, the
 * passages by their start; codes in codebook order. A project with no
 * passage gives the corpus quarry_project_corpus(CODED) gives. *n_excerpts:
 * how many coded excerpts the rows come from. */
static int training_corpus(quarry_project *p, quarry_corpus **out,
                           int64_t *n_excerpts)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT e.id, e.xid, " PROJECT_PASSAGE_SQL("r", "e") ", e.text,"
           " e.speaker, e.attributes, s.name, r.span_start, r.span_end,"
           " k.code"
           " FROM (SELECT DISTINCT g.excerpt_id, g.code_id, g.span_start,"
           "  g.span_end FROM codings g WHERE g.span_start IS NULL OR"
           "  NOT EXISTS (SELECT 1 FROM codings h WHERE h.excerpt_id ="
           "  g.excerpt_id AND h.code_id = g.code_id AND h.span_start IS"
           "  NULL)) r"
           " JOIN excerpts e ON e.id = r.excerpt_id"
           " JOIN sources s ON s.id = e.source_id"
           " JOIN codes k ON k.id = r.code_id"
           " ORDER BY e.seq, e.id, r.span_start IS NOT NULL, r.span_start,"
           " r.span_end, k.position, k.id");
    char *buf = NULL, *id = NULL;
    size_t len = 0, cap = 0;
    json_t *codes = NULL;
    int64_t row_ex = -1, row_s = -1, row_e = -1;
    char *row_xid = NULL, *row_text = NULL, *row_speaker = NULL,
         *row_attrs = NULL, *row_source = NULL;
    int rc, status = QUARRY_OK;
    *out = NULL;
    *n_excerpts = 0;
    if (st == NULL)
        return QUARRY_EIO;
    for (;;) {
        int64_t ex = 0, s0 = -1, s1 = -1;
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            ex = sqlite3_column_int64(st, 0);
            if (sqlite3_column_type(st, 7) != SQLITE_NULL) {
                s0 = sqlite3_column_int64(st, 7);
                s1 = sqlite3_column_int64(st, 8);
            }
        }
        /* A row ends where the excerpt or the passage changes. */
        if (codes != NULL &&
            (rc != SQLITE_ROW || ex != row_ex || s0 != row_s || s1 != row_e)) {
            if (row_s >= 0) {
                size_t n = strlen(row_xid) + 48;
                free(id);
                id = malloc(n);
                if (id != NULL)
                    snprintf(id, n, "%s%c%lld-%lld", row_xid, PASSAGE_SEP,
                             (long long)row_s, (long long)row_e);
            }
            status = row_s >= 0 && id == NULL
                         ? project_fail(p, QUARRY_ENOMEM, "out of memory")
                         : project_corpus_line(
                               p, &buf, &len, &cap, row_s >= 0 ? id : row_xid,
                               row_text, row_speaker, row_attrs, row_source,
                               codes);
            codes = NULL;
        }
        if (rc != SQLITE_ROW || status != QUARRY_OK)
            break;
        if (codes == NULL) {
            const char *text = project_col_text(st, 2);
            if (ex != row_ex)
                (*n_excerpts)++;
            row_ex = ex;
            row_s = s0;
            row_e = s1;
            free(row_xid);
            free(row_text);
            free(row_speaker);
            free(row_attrs);
            free(row_source);
            row_xid = dup_opt(project_col_text(st, 1));
            row_text = dup_opt(
                text != NULL ? text : project_col_text(st, 3));
            row_speaker = dup_opt(project_col_text(st, 4));
            row_attrs = dup_opt(project_col_text(st, 5));
            row_source = dup_opt(project_col_text(st, 6));
            codes = json_array();
            if (row_xid == NULL || row_text == NULL || codes == NULL ||
                (project_col_text(st, 4) != NULL && row_speaker == NULL) ||
                (project_col_text(st, 5) != NULL && row_attrs == NULL) ||
                (project_col_text(st, 6) != NULL && row_source == NULL)) {
                status = project_fail(p, QUARRY_ENOMEM, "out of memory");
                break;
            }
        }
        if (json_array_append_new(codes,
                                  json_string(project_col_text(st, 9))) != 0) {
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
            break;
        }
    }
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the codings");
    sqlite3_finalize(st);
    json_decref(codes);
    free(id);
    free(row_xid);
    free(row_text);
    free(row_speaker);
    free(row_attrs);
    free(row_source);
    if (status == QUARRY_OK)
        status = project_corpus_jsonl(p, buf, len, out);
    free(buf);
    return status;
}

/* The rejected suggestions, as a corpus whose codes are the codes rejected
 * for each excerpt (any coder): what pushes those codes away. */
static int rejected_corpus(quarry_project *p, quarry_corpus **out)
{
    sqlite3_stmt *st = project_prepare(
        p, "SELECT e.xid, e.text, json_group_array(k.code) FROM decisions d"
           " JOIN excerpts e ON e.id = d.excerpt_id"
           " JOIN codes k ON k.id = d.code_id"
           " WHERE d.verdict IN ('reject', 'replace') AND"
           PROJECT_NOT_UNDONE("d")
           " AND NOT EXISTS (SELECT 1 FROM codings g WHERE"
           "  g.excerpt_id = d.excerpt_id AND g.code_id = d.code_id)"
           " GROUP BY e.id ORDER BY e.seq, e.id");
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc, status = QUARRY_OK;
    *out = NULL;
    if (st == NULL)
        return QUARRY_EIO;
    while (status == QUARRY_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *line = json_object();
        char *s;
        json_object_set_new(line, "id", json_string(project_col_text(st, 0)));
        json_object_set_new(line, "text",
                            json_string(project_col_text(st, 1)));
        json_object_set_new(line, "code",
                            json_loads(project_col_text(st, 2), 0, NULL));
        s = json_dumps(line, JSON_COMPACT);
        json_decref(line);
        if (s == NULL ||
            quarry_buf_append(&buf, &len, &cap, s, strlen(s)) != 0 ||
            quarry_buf_append(&buf, &len, &cap, "\n", 1) != 0)
            status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        free(s);
    }
    if (status == QUARRY_OK && rc != SQLITE_DONE)
        status = project_db_fail(p, "cannot read the decisions");
    sqlite3_finalize(st);
    if (status == QUARRY_OK && len > 0)
        status = project_corpus_jsonl(p, buf, len, out);
    free(buf);
    return status;
}

static int speakers_of(const quarry_project_suggest_options *ps)
{
    return ps->version >= 2 ? ps->speakers : QUARRY_SPEAKERS_PARTICIPANTS;
}

/* The run's held-out calibration rows (quarry_suggestions_heldout), in
 * the calibration table: what a batch accept's expected error is
 * measured on (project_batch.c). */
static int store_heldout(quarry_project *p, int64_t run_id,
                         const quarry_suggestions *s)
{
    const double *conf = NULL;
    const int *hit = NULL;
    int64_t i, n = quarry_suggestions_heldout(s, &conf, &hit);
    sqlite3_stmt *st;
    int status = QUARRY_OK;
    if (n <= 0 || conf == NULL || hit == NULL)
        return QUARRY_OK;
    st = project_prepare(p, "INSERT INTO calibration(run_id, confidence,"
                            " correct) VALUES(?1, ?2, ?3)");
    if (st == NULL)
        return QUARRY_EIO;
    for (i = 0; i < n && status == QUARRY_OK; i++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, run_id);
        sqlite3_bind_double(st, 2, conf[i]);
        sqlite3_bind_int(st, 3, hit[i] != 0);
        if (sqlite3_step(st) != SQLITE_DONE)
            status = project_db_fail(p, "cannot store the calibration");
    }
    sqlite3_finalize(st);
    return status;
}

static int store(quarry_project *p, quarry_engine *e,
                 const quarry_pipeline_options *po,
                 const quarry_suggest_options *so,
                 const quarry_project_suggest_options *ps,
                 const quarry_corpus *train, const quarry_corpus *input,
                 const quarry_suggestions *s, const char *started,
                 double seconds, int64_t n_excerpts, quarry_run_info *info)
{
    char th[65], ih[65];
    char *opts = NULL, *plugins_text = NULL;
    json_t *plugins = json_array();
    sqlite3_stmt *run = NULL, *ins = NULL;
    int64_t run_id, stored = 0, abstained = 0;
    size_t i, n = quarry_suggestions_size(s);
    int status;

    add_plugin(e, plugins, QUARRY_KIND_TOKENIZER, po->tokenizer);
    add_plugin(e, plugins, QUARRY_KIND_STEMMER, po->stemmer);
    add_plugin(e, plugins, QUARRY_KIND_WEIGHTING, po->weighting);
    plugins_text = json_dumps(plugins, JSON_COMPACT);
    json_decref(plugins);
    {
        /* The top the run used (0 asks for the default). */
        quarry_suggest_options used = *so;
        if (used.top == 0)
            used.top = n > 0 ? quarry_suggestions_count(s, 0) : 3;
        opts = run_options(e, po, &used, ps->all, speakers_of(ps),
                           quarry_suggestions_codebook_only(s),
                           quarry_suggestions_choice(s));
    }
    status = corpus_hash(train, th);
    if (status == QUARRY_OK)
        status = corpus_hash(input, ih);
    if (status != QUARRY_OK || plugins_text == NULL || opts == NULL) {
        status = project_fail(p, QUARRY_ENOMEM, "out of memory");
        goto done;
    }
    status = project_begin(p);
    if (status != QUARRY_OK)
        goto done;
    run = project_prepare(p, "INSERT INTO runs(command, started_at, seconds,"
                             " quarry_version, plugins, options, train_sha256,"
                             " input_sha256, n_train, n_input) VALUES(?1, ?2,"
                             " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    ins = project_prepare(p, "INSERT INTO suggestions(run_id, excerpt_id,"
                             " code_id, rank, score, confidence, abstain,"
                             " evidence) VALUES(?1, (SELECT id FROM excerpts"
                             " WHERE xid = ?2), (SELECT id FROM codes WHERE"
                             " code = ?3), ?4, ?5, ?6, ?7, ?8)");
    if (run == NULL || ins == NULL) {
        status = QUARRY_EIO;
        goto rollback;
    }
    if (ps->command)
        sqlite3_bind_text(run, 1, ps->command, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(run, 1);
    sqlite3_bind_text(run, 2, started, -1, SQLITE_STATIC);
    sqlite3_bind_double(run, 3, seconds);
    sqlite3_bind_text(run, 4, quarry_version(), -1, SQLITE_STATIC);
    sqlite3_bind_text(run, 5, plugins_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(run, 6, opts, -1, SQLITE_STATIC);
    sqlite3_bind_text(run, 7, th, -1, SQLITE_STATIC);
    sqlite3_bind_text(run, 8, ih, -1, SQLITE_STATIC);
    sqlite3_bind_int64(run, 9, n_excerpts);
    sqlite3_bind_int64(run, 10, (int64_t)quarry_corpus_size(input));
    if (sqlite3_step(run) != SQLITE_DONE) {
        status = project_db_fail(p, "cannot store the run");
        goto rollback;
    }
    run_id = sqlite3_last_insert_rowid(p->db);
    for (i = 0; i < n && status == QUARRY_OK; i++) {
        const quarry_excerpt *x = quarry_corpus_at(input, i);
        int32_t r, count = quarry_suggestions_count(s, i);
        int abstain = quarry_suggestions_abstain(s, i);
        abstained += abstain != 0;
        for (r = 0; r < count; r++) {
            const quarry_suggestion *g = quarry_suggestions_at(s, i, r);
            char *ev = evidence_json(g, train);
            if (ev == NULL) {
                status = project_fail(p, QUARRY_ENOMEM, "out of memory");
                break;
            }
            sqlite3_reset(ins);
            sqlite3_bind_int64(ins, 1, run_id);
            sqlite3_bind_text(ins, 2, x->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 3, g->code, -1, SQLITE_STATIC);
            sqlite3_bind_int(ins, 4, r + 1);
            sqlite3_bind_double(ins, 5, g->score);
            sqlite3_bind_double(ins, 6, g->confidence);
            sqlite3_bind_int(ins, 7, abstain != 0);
            sqlite3_bind_text(ins, 8, ev, -1, SQLITE_TRANSIENT);
            free(ev);
            if (sqlite3_step(ins) != SQLITE_DONE) {
                status = project_db_fail(p, "cannot store a suggestion");
                break;
            }
            stored++;
        }
    }
    if (status == QUARRY_OK)
        status = store_heldout(p, run_id, s);
    if (status == QUARRY_OK)
        status = project_commit(p);
    if (status == QUARRY_OK && info != NULL) {
        info->run = run_id;
        info->train = n_excerpts;
        info->input = (int64_t)quarry_corpus_size(input);
        info->stored = stored;
        info->abstained = abstained;
        info->seconds = seconds;
        info->codebook_only = quarry_suggestions_codebook_only(s);
        info->choice = *quarry_suggestions_choice(s);
    }
rollback:
    if (status != QUARRY_OK)
        project_rollback(p);
done:
    sqlite3_finalize(run);
    sqlite3_finalize(ins);
    free(opts);
    free(plugins_text);
    return status;
}

int quarry_project_suggest(quarry_project *p, quarry_engine *e,
                           const quarry_pipeline_options *po,
                           const quarry_suggest_options *so,
                           const quarry_project_suggest_options *ps,
                           quarry_run_info *info)
{
    quarry_pipeline_options po_def = QUARRY_PIPELINE_OPTIONS_INIT;
    quarry_suggest_options so_def = QUARRY_SUGGEST_OPTIONS_INIT, sopt;
    quarry_project_suggest_options ps_def =
        QUARRY_PROJECT_SUGGEST_OPTIONS_INIT;
    quarry_corpus *train = NULL, *input = NULL, *rejected = NULL,
                  *all_turns = NULL;
    size_t left_out = 0;
    int64_t n_coded = 0;
    quarry_codebook *cb = NULL;
    quarry_suggestions *s = NULL;
    struct timespec t0;
    char started[40];
    int status = project_check(p, 1);
    if (status != QUARRY_OK)
        return status;
    if (e == NULL)
        return project_fail(p, QUARRY_EINVAL, "no engine");
    if (po == NULL)
        po = &po_def;
    if (so == NULL)
        so = &so_def;
    if (ps == NULL)
        ps = &ps_def;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    project_now(p, started);

    if (ps->version < 1 || ps->version > QUARRY_PROJECT_SUGGEST_OPTIONS_VERSION)
        return project_fail(p, QUARRY_EINVAL,
                            "project suggest options version %u (this "
                            "library reads 1 and 2)", (unsigned)ps->version);
    if (speakers_of(ps) < QUARRY_SPEAKERS_PARTICIPANTS ||
        speakers_of(ps) > QUARRY_SPEAKERS_INTERVIEWERS)
        return project_fail(p, QUARRY_EINVAL, "speakers %d: not participants"
                            " (0), all (1) or interviewers (2)",
                            speakers_of(ps));
    /* Training: every coded excerpt, interviewer turns too (a coding is a
     * person's decision whoever spoke), a passage's codes learnt from the
     * passage. Input: the uncoded ones (or all)
     * of the speakers asked for. */
    status = training_corpus(p, &train, &n_coded);
    if (status == QUARRY_OK)
        status = quarry_project_corpus(
            p, ps->all ? QUARRY_SUBSET_ALL : QUARRY_SUBSET_UNCODED,
            &all_turns);
    if (status == QUARRY_OK) {
        status = quarry_corpus_select_speakers(
            all_turns, (quarry_speakers)speakers_of(ps), &input, &left_out);
        if (status != QUARRY_OK)
            status = project_fail(p, status, "out of memory");
    }
    if (status == QUARRY_OK)
        status = quarry_project_codebook(p, e, &cb);
    if (status == QUARRY_OK && quarry_corpus_size(train) == 0 && cb == NULL)
        status = project_fail(p, QUARRY_EINVAL,
                              "%s: no coded excerpts to learn from and no "
                              "codebook (import a codebook or coded "
                              "excerpts, or code some in review)",
                              p->path);
    if (status == QUARRY_OK && quarry_corpus_size(all_turns) == 0)
        status = project_fail(p, QUARRY_EINVAL,
                              "%s: every excerpt is coded; nothing to "
                              "suggest for (--all suggests for every one)",
                              p->path);
    if (status == QUARRY_OK && quarry_corpus_size(input) == 0)
        status = project_fail(p, QUARRY_EINVAL,
                              "%s: no excerpts to suggest for after leaving "
                              "out %zu turns of other speakers (--speakers "
                              "all includes them)",
                              p->path, left_out);
    if (status == QUARRY_OK)
        status = rejected_corpus(p, &rejected);
    if (status == QUARRY_OK) {
        /* Copy what the caller's version of the struct has. */
        if (so->version < QUARRY_SUGGEST_OPTIONS_VERSION) {
            quarry_suggest_options def = QUARRY_SUGGEST_OPTIONS_INIT;
            sopt = def;
            memcpy(&sopt, so,
                   so->version == 1
                       ? offsetof(quarry_suggest_options, rejected)
                       : offsetof(quarry_suggest_options, linear));
        } else
            sopt = *so;
        sopt.codebook = cb;
#if QUARRY_SUGGEST_OPTIONS_VERSION >= 2
        sopt.version = QUARRY_SUGGEST_OPTIONS_VERSION;
        sopt.rejected = rejected;
#endif
        status = quarry_suggest_run(&s, e, po, &sopt, train, input);
        if (status != QUARRY_OK)
            project_fail(p, status, "%s", quarry_engine_errmsg(e));
    }
    if (status == QUARRY_OK)
        status = store(p, e, po, &sopt, ps, train, input, s, started,
                       seconds_since(&t0), n_coded, info);
    if (status == QUARRY_OK && info != NULL)
        info->left_out = (int64_t)left_out;
    quarry_suggestions_free(s);
    quarry_corpus_free(all_turns);
    quarry_codebook_free(cb);
    quarry_corpus_free(train);
    quarry_corpus_free(input);
    quarry_corpus_free(rejected);
    return status;
}
