/*
 * test_svg.c -- the SVG charts of core/report (svg.c): each chart parses
 * as XML on its own (libxml2, strict), labels with markup come out
 * escaped, long labels are cut with their whole text kept in a tooltip,
 * control characters never reach the XML, nothing external is referenced,
 * and bad arguments are refused instead of drawn; the same for the
 * intervals (NaN written n/a), the reliability diagram (a count per bin,
 * the ECE) and the chart that only says why there is nothing to draw.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>

#include "svg.h"

/* Run a writer into memory; the text (caller frees) or NULL on failure. */
static char *render_bars(const quarry_svg_bars *b, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *rc = quarry_svg_bars_write(f, b);
    fclose(f);
    return buf;
}

/* Any writer into memory. */
#define RENDER(call, rc)                                                    \
    do {                                                                    \
        FILE *f_ = open_memstream(&buf, &len);                             \
        assert_non_null(f_);                                                \
        rc = call;                                                          \
        fclose(f_);                                                         \
    } while (0)

static char *render_heatmap(const quarry_svg_heatmap *h, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    *rc = quarry_svg_heatmap_write(f, h);
    fclose(f);
    return buf;
}

static void assert_xml(const char *s)
{
    xmlDocPtr doc = xmlReadMemory(s, (int)strlen(s), "chart.svg", "UTF-8",
                                  XML_PARSE_NONET | XML_PARSE_NOERROR |
                                      XML_PARSE_NOWARNING);
    assert_non_null(doc);
    assert_string_equal((const char *)xmlDocGetRootElement(doc)->name,
                        "svg");
    xmlFreeDoc(doc);
}

static void assert_self_contained(const char *s)
{
    assert_null(strstr(s, "http"));
    assert_null(strstr(s, "href"));
    assert_null(strstr(s, "src="));
    assert_null(strstr(s, "<script"));
    assert_null(strstr(s, "url("));
}

static void test_bars_escaped_and_well_formed(void **state)
{
    const char *cats[] = {"<b>Bold</b> & \"q\" 'a'", "plain",
                          "tab\there\x01" "ctl"};
    const char *series[] = {"S<1>", "S&2"};
    const double values[] = {3, 0, 1.5, 7, -2, 4};
    quarry_svg_bars b = {"Title & <more>", 3, cats, 2, series, values,
                         "excerpts", "Bars <of> & \"codes\""};
    int rc;
    char *s = render_bars(&b, &rc);
    (void)state;
    assert_int_equal(rc, 0);
    assert_xml(s);
    assert_self_contained(s);
    assert_non_null(strstr(s, "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;q&quot; "
                              "&#39;a&#39;"));
    assert_null(strstr(s, "<b>"));
    assert_non_null(strstr(s, "S&lt;1&gt;"));
    assert_non_null(strstr(s, "S&amp;2"));
    assert_non_null(strstr(s, "<title>Title &amp; &lt;more&gt;</title>"));
    assert_null(strchr(s, '\x01'));
    /* The values, 1.5 with its decimals; the negative one drawn as 0. */
    assert_non_null(strstr(s, ">1.50 \xC2\xB7 S&lt;1&gt;</text>"));
    /* With two series, each value names its series: told apart in grey
     * too. */
    assert_non_null(strstr(s, ">7 \xC2\xB7 S&amp;2</text>"));
    assert_non_null(strstr(s, "<desc>Bars &lt;of&gt; &amp; &quot;codes&quot;"
                              "</desc>"));
    assert_non_null(strstr(s, "S&lt;1&gt;: 0</title>"));
    free(s);
}

static void test_long_labels_cut_with_tooltip(void **state)
{
    const char *rows[] = {"An extremely long code name that goes on and on "
                          "\xC3\xA9\xC3\xA9\xC3\xA9 well past the limit"};
    const char *cols[] = {"x"};
    const double values[] = {2};
    quarry_svg_heatmap h = {"t", 1, 1, rows, cols, values, NULL, 0, NULL};
    int rc;
    char *s = render_heatmap(&h, &rc);
    (void)state;
    assert_int_equal(rc, 0);
    assert_xml(s);
    /* The whole name in a tooltip, the label cut with an ellipsis. */
    assert_non_null(strstr(s, "<title>An extremely long code name that "
                              "goes on and on \xC3\xA9\xC3\xA9\xC3\xA9 well "
                              "past the limit</title>"));
    assert_non_null(strstr(s, "\xE2\x80\xA6</text>"));
    free(s);
}

static void test_heatmap_cells(void **state)
{
    const char *names[] = {"a", "b<"};
    const double values[] = {9, 2, 2, 0};
    const char *text[] = {"9 (3)", "", "2 & 1", NULL};
    quarry_svg_heatmap h = {"co", 2, 2, names, names, values, NULL, 1, NULL};
    int rc;
    char *s = render_heatmap(&h, &rc);
    (void)state;
    assert_int_equal(rc, 0);
    assert_xml(s);
    assert_self_contained(s);
    /* The diagonal is grey, not the darkest blue; 2 is the largest off
     * it, so it gets the darkest. */
    assert_non_null(strstr(s, "fill=\"#D9D9D9\""));
    assert_non_null(strstr(s, "fill=\"#08306B\""));
    /* A zero cell is left blank. */
    assert_non_null(strstr(s, "b&lt; \xC3\x97 b&lt;: 0</title>"));
    free(s);
    h.cell_text = text;
    h.plain_diagonal = 0;
    s = render_heatmap(&h, &rc);
    assert_int_equal(rc, 0);
    assert_xml(s);
    assert_non_null(strstr(s, ">9 (3)</text>"));
    assert_non_null(strstr(s, ">2 &amp; 1</text>"));
    free(s);
}

static void test_bad_arguments(void **state)
{
    const char *cats[] = {"a"};
    quarry_svg_bars b = {"t", 1, cats, 0, NULL, NULL, NULL, NULL};
    quarry_svg_heatmap h = {"t", 1, 1, NULL, NULL, NULL, NULL, 0, NULL};
    (void)state;
    assert_int_equal(quarry_svg_bars_write(stdout, NULL), -1);
    assert_int_equal(quarry_svg_bars_write(stdout, &b), -1);
    assert_int_equal(quarry_svg_heatmap_write(stdout, &h), -1);
    assert_int_equal(quarry_svg_heatmap_write(NULL, &h), -1);
}

static void test_palette_cycles(void **state)
{
    (void)state;
    assert_string_equal(quarry_svg_color(0), "#0072B2");
    assert_string_equal(quarry_svg_color(8), quarry_svg_color(0));
    assert_string_equal(quarry_svg_color(-1), quarry_svg_color(7));
}

static void test_intervals(void **state)
{
    const char *rows[] = {"All <codes>", "x & y"};
    const char *series[] = {"ana & ben", "ana & engine"};
    const char *panels[] = {"kappa", "alpha"};
    /* rows x series x panels */
    const double v[] = {0.5, 0.4, 0.9, NAN, -0.2, 2.0, 0.1, 0.3};
    const double lo[] = {0.3, 0.2, 0.8, NAN, -0.5, 0.9, NAN, 0.1};
    const double hi[] = {0.7, 0.6, 1.0, NAN, 0.1, 1.0, NAN, 0.5};
    quarry_svg_intervals iv = {"Agreement", "Dots <and> whiskers", 2, rows,
                               2, series, 2, panels, v, lo, hi, -1, 1};
    char *buf = NULL;
    size_t len = 0;
    int rc;
    (void)state;
    RENDER(quarry_svg_intervals_write(f_, &iv), rc);
    assert_int_equal(rc, 0);
    assert_xml(buf);
    assert_self_contained(buf);
    assert_non_null(strstr(buf, "<desc>Dots &lt;and&gt; whiskers</desc>"));
    assert_non_null(strstr(buf, "All &lt;codes&gt;, ana &amp; ben, kappa: "
                                "0.50 [0.30, 0.70]</title>"));
    /* Undefined: said, not drawn; out of range: drawn at the edge. */
    assert_non_null(strstr(buf, "ana &amp; engine, alpha: n/a</title>"));
    assert_non_null(strstr(buf, ">n/a</text>"));
    /* A circle for the first series, a square for the second. */
    assert_non_null(strstr(buf, "<circle"));
    assert_non_null(strstr(buf, "width=\"7\" height=\"7\""));
    free(buf);
    iv.hi_axis = -1;
    buf = NULL;
    RENDER(quarry_svg_intervals_write(f_, &iv), rc);
    assert_int_equal(rc, -1);
    free(buf);
}

static void test_reliability(void **state)
{
    const int64_t n[4] = {4, 0, 3, 5}, right[4] = {1, 0, 2, 5};
    const double mean[4] = {0.1, NAN, 0.6, 0.9};
    quarry_svg_reliability r = {"Reliability", "Bars", 4, n, right, mean,
                                0.0833};
    char *buf = NULL, *at;
    size_t len = 0;
    long sum = 0;
    int rc, bins = 0;
    (void)state;
    RENDER(quarry_svg_reliability_write(f_, &r), rc);
    assert_int_equal(rc, 0);
    assert_xml(buf);
    assert_self_contained(buf);
    for (at = buf; (at = strstr(at, "<text class=\"count\"")) != NULL;) {
        at = strchr(at, '>') + 1;
        sum += strtol(at, NULL, 10);
        bins++;
    }
    assert_int_equal(bins, 4);
    assert_int_equal(sum, 12);
    assert_non_null(strstr(buf, "(ECE): 0.083, over 12 decided"));
    assert_non_null(strstr(buf, "confidence 0.50 to 0.75: 3 decided, 2 "
                                "accepted (67%), mean confidence 0.60"));
    assert_non_null(strstr(buf, "stroke-dasharray")); /* the diagonal */
    free(buf);
    r.n_bins = 0;
    buf = NULL;
    RENDER(quarry_svg_reliability_write(f_, &r), rc);
    assert_int_equal(rc, -1);
    free(buf);
}

static void test_message(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    int rc;
    (void)state;
    RENDER(quarry_svg_message_write(
               f_, "Agreement <per> code",
               "No agreement chart: the project has one coder only & no "
               "suggestions to compare with. Import a second coder's "
               "codings of the same excerpts to compare them."),
           rc);
    assert_int_equal(rc, 0);
    assert_xml(buf);
    assert_self_contained(buf);
    assert_non_null(strstr(buf, "<title>Agreement &lt;per&gt; code</title>"));
    assert_non_null(strstr(buf, "<desc>No agreement chart: the project has "
                                "one coder only &amp; no"));
    /* Wrapped at spaces onto three lines, no word cut. */
    assert_non_null(strstr(buf, "y=\"58.0\">"));
    assert_null(strstr(buf, "y=\"75.0\">"));
    assert_non_null(strstr(buf, "y=\"24.0\">No agreement chart: the project "
                                "has one coder only &amp; no suggestions to"
                                "</text>"));
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bars_escaped_and_well_formed),
        cmocka_unit_test(test_long_labels_cut_with_tooltip),
        cmocka_unit_test(test_heatmap_cells),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_palette_cycles),
        cmocka_unit_test(test_intervals),
        cmocka_unit_test(test_reliability),
        cmocka_unit_test(test_message),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
