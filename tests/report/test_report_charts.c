/*
 * test_report_charts.c -- the report's charts by name (core/report,
 * quarry_report_chart, as the web workbench calls it) and the one
 * library function they added, quarry_project_decided_suggestions
 * (core/src/project/project_stats.c): every decision on a suggestion
 * with the suggestion's confidence, undone decisions left out, batches
 * flagged; the names in page order, each chart one well-formed <svg>,
 * an unknown name refused, the reliability diagram's bins holding the
 * decisions taken by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "quarry/project_stats.h"
#include "quarry/quarry.h"
#include "report.h"
#include "test_util.h"
#include "test_files.h"
#include "test_project_util.h"

static char dir[256];
static char path[300];

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir, "report-charts");
    snprintf(path, sizeof path, "%s/p.qry", dir);
    test_review_project(path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    rmdir(dir);
    return 0;
}

/* The first stored suggestions of the run: excerpt, code, confidence. */
typedef struct seen {
    char excerpt[4][64], code[4][64];
    double confidence[4];
    int32_t rank[4];
    int n;
} seen;

static int keep_suggestion(void *ctx, const quarry_run_suggestion *s)
{
    seen *v = ctx;
    if (v->n == 4 || s->rank > 2)
        return 0;
    snprintf(v->excerpt[v->n], 64, "%s", s->excerpt);
    snprintf(v->code[v->n], 64, "%s", s->code);
    v->confidence[v->n] = s->confidence;
    v->rank[v->n] = s->rank;
    v->n++;
    return 0;
}

typedef struct decided {
    char verdict[8][16], code[8][64];
    double confidence[8];
    int32_t rank[8];
    int batch[8];
    int n;
} decided;

static int keep_decided(void *ctx, const quarry_decided_suggestion *d)
{
    decided *v = ctx;
    if (v->n == 8)
        return 0;
    snprintf(v->verdict[v->n], 16, "%s", d->verdict);
    snprintf(v->code[v->n], 64, "%s", d->code);
    v->confidence[v->n] = d->confidence;
    v->rank[v->n] = d->rank;
    v->batch[v->n] = d->batch != NULL;
    assert_int_equal(d->run, 1);
    v->n++;
    return 0;
}

static void decide(quarry_project *p, const seen *s, int i,
                   quarry_verdict verdict, const char *replacement)
{
    quarry_decision d = QUARRY_DECISION_INIT;
    d.excerpt = s->excerpt[i];
    d.code = s->code[i];
    d.verdict = verdict;
    d.replacement = replacement;
    d.coder = "ann";
    if (quarry_project_decide(p, &d, NULL) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
}

/* Four decisions, the last undone: three are left, with the suggestions'
 * own confidence and rank; a batch is flagged. */
static void test_decided_suggestions(void **state)
{
    quarry_project *p = NULL;
    seen s;
    decided v;
    quarry_batch_info bi;
    const char *undone = NULL;
    int i, batch = 0;
    (void)state;
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    if (quarry_project_open(p, path, 0) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    memset(&s, 0, sizeof s);
    assert_int_equal(quarry_project_run_suggestions(p, 0, keep_suggestion, &s),
                     QUARRY_OK);
    assert_int_equal(s.n, 4);
    memset(&v, 0, sizeof v);
    assert_int_equal(quarry_project_decided_suggestions(p, keep_decided, &v),
                     QUARRY_OK);
    assert_int_equal(v.n, 0);
    decide(p, &s, 0, QUARRY_VERDICT_ACCEPT, NULL);
    decide(p, &s, 1, QUARRY_VERDICT_REJECT, NULL);
    decide(p, &s, 2, QUARRY_VERDICT_REPLACE,
           strcmp(s.code[2], "sup.peers") ? "sup.peers" : "sup.supervision");
    decide(p, &s, 3, QUARRY_VERDICT_ACCEPT, NULL);
    assert_int_equal(quarry_project_undo(p, "ann", &undone), QUARRY_OK);
    assert_non_null(undone);
    memset(&v, 0, sizeof v);
    assert_int_equal(quarry_project_decided_suggestions(p, keep_decided, &v),
                     QUARRY_OK);
    assert_int_equal(v.n, 3);
    assert_string_equal(v.verdict[0], "accept");
    assert_string_equal(v.verdict[1], "reject");
    assert_string_equal(v.verdict[2], "replace");
    for (i = 0; i < 3; i++) {
        assert_string_equal(v.code[i], s.code[i]);
        assert_true(v.confidence[i] == s.confidence[i]);
        assert_int_equal(v.rank[i], s.rank[i]);
        assert_false(v.batch[i]);
    }
    /* A batch: its decisions come flagged. */
    assert_int_equal(quarry_project_accept_above(p, "bo", 0.0, 0, &bi),
                     QUARRY_OK);
    assert_true(bi.excerpts > 0);
    memset(&v, 0, sizeof v);
    assert_int_equal(quarry_project_decided_suggestions(p, keep_decided, &v),
                     QUARRY_OK);
    for (i = 0; i < v.n; i++)
        batch += v.batch[i];
    assert_int_equal(v.n, 3 + batch);
    assert_int_equal(batch, (int)bi.excerpts);
    assert_int_equal(quarry_project_decided_suggestions(p, NULL, NULL),
                     QUARRY_EINVAL);
    quarry_project_free(p);
}

static char *draw(quarry_project *p, quarry_engine *e, const char *name,
                  int *rc, char *err, size_t errcap)
{
    quarry_report_options o = QUARRY_REPORT_OPTIONS_INIT;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    o.bootstrap = 50;
    *rc = quarry_report_chart(p, e, name, f, &o, err, errcap);
    fclose(f);
    return buf;
}

static void test_charts_by_name(void **state)
{
    static const char *const names[] = {"frequencies-by-study",
                                        "frequencies-by-coder",
                                        "cooccurrence",
                                        "themes-by-study",
                                        "agreement",
                                        "reliability",
                                        "themes"};
    quarry_engine *e = test_engine();
    quarry_project *p = NULL;
    const quarry_report_chart_info *ci;
    char err[512];
    size_t n = 0, i;
    int rc;
    (void)state;
    ci = quarry_report_charts(&n);
    assert_int_equal(n, 7);
    for (i = 0; i < n; i++) {
        assert_string_equal(ci[i].name, names[i]);
        assert_true(strlen(ci[i].title) > 0);
    }
    assert_int_equal(quarry_project_new(&p), QUARRY_OK);
    if (quarry_project_open(p, path, QUARRY_PROJECT_READONLY) != QUARRY_OK)
        fail_msg("%s", quarry_project_errmsg(p));
    for (i = 0; i < n; i++) {
        char *s = draw(p, e, names[i], &rc, err, sizeof err);
        xmlDocPtr doc;
        if (rc != QUARRY_OK)
            fail_msg("%s: %s", names[i], err);
        doc = xmlReadMemory(s, (int)strlen(s), "chart.svg", "UTF-8",
                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING);
        if (doc == NULL)
            fail_msg("%s is not XML", names[i]);
        assert_string_equal((const char *)xmlDocGetRootElement(doc)->name,
                            "svg");
        xmlFreeDoc(doc);
        assert_non_null(strstr(s, "<title>"));
        assert_non_null(strstr(s, "<desc>"));
        assert_null(strstr(s, "href"));
        assert_null(strstr(s, "<script"));
        free(s);
    }
    {
        /* The three decisions taken by hand (the batch left out). */
        char *s = draw(p, e, "reliability", &rc, err, sizeof err), *at = s;
        long sum = 0;
        int bins = 0;
        assert_int_equal(rc, QUARRY_OK);
        while ((at = strstr(at, "<text class=\"count\"")) != NULL) {
            at = strchr(at, '>') + 1;
            sum += strtol(at, NULL, 10);
            bins++;
        }
        assert_int_equal(bins, 10);
        assert_int_equal(sum, 3);
        assert_non_null(strstr(s, "over 3 decided suggestions"));
        free(s);
    }
    free(draw(p, e, "pie", &rc, err, sizeof err));
    assert_int_equal(rc, QUARRY_ENOTFOUND);
    assert_non_null(strstr(err, "no chart called \"pie\""));
    assert_non_null(strstr(err, "reliability"));
    quarry_project_free(p);
    quarry_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decided_suggestions),
        cmocka_unit_test(test_charts_by_name),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
