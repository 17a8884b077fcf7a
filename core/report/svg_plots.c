/*
 * svg_plots.c -- the charts of svg.h that are not bars or heatmaps:
 * intervals (a dot and its whisker per series, in panels side by side),
 * the reliability diagram of the engine's confidence, and the small
 * chart that says in words why there is nothing to draw. Series are told
 * apart by marker shape as well as by colour, so a page printed in grey
 * still reads.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"
#include "svg_util.h"

/* A marker of series i at (x, y): circle, square, diamond, triangle up,
 * triangle down, cycling; filled with the series' colour, outlined dark. */
static void marker(FILE *f, int32_t i, double x, double y)
{
    const char *c = quarry_svg_color(i);
    const char *o = "stroke=\"#222\" stroke-width=\"0.8\"";
    switch (i % 5) {
    case 0:
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\" %s/>",
                x, y, c, o);
        break;
    case 1:
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"7\" height=\"7\" "
                "fill=\"%s\" %s/>",
                x - 3.5, y - 3.5, c, o);
        break;
    case 2:
        fprintf(f,
                "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f %.1f,%.1f\" "
                "fill=\"%s\" %s/>",
                x, y - 5, x + 5, y, x, y + 5, x - 5, y, c, o);
        break;
    case 3:
        fprintf(f,
                "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" "
                "fill=\"%s\" %s/>",
                x, y - 5, x + 5, y + 4, x - 5, y + 4, c, o);
        break;
    default:
        fprintf(f,
                "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\" "
                "fill=\"%s\" %s/>",
                x, y + 5, x + 5, y - 4, x - 5, y - 4, c, o);
        break;
    }
}

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void figure(FILE *f, double v)
{
    if (isnan(v))
        fputs("n/a", f);
    else
        fprintf(f, "%.2f", v);
}

int quarry_svg_intervals_write(FILE *f, const quarry_svg_intervals *v)
{
    const double width = 760, row_gap = 8, step_y = 11, top = 8, gap = 24;
    double lw, pw, legend_h, lx = 0, ly, y0, h, row_h, span;
    int32_t i, j, k, t;

    if (f == NULL || v == NULL || v->n_rows < 0 || v->n_series < 1 ||
        v->n_panels < 1 || v->series == NULL || v->panels == NULL ||
        (v->n_rows > 0 && (v->rows == NULL || v->value == NULL ||
                           v->lo == NULL || v->hi == NULL)) ||
        !(v->hi_axis > v->lo_axis))
        return -1;
    span = v->hi_axis - v->lo_axis;
    lw = 4;
    for (i = 0; i < v->n_rows; i++) {
        double l = (double)svg_cp_len(v->rows[i] ? v->rows[i] : "");
        if (l > lw)
            lw = l;
    }
    if (lw > SVG_LABEL_MAX)
        lw = SVG_LABEL_MAX + 1;
    lw = lw * SVG_CHAR_W + 12;
    if (lw > width / 3)
        lw = width / 3;
    pw = (width - lw - 14) / v->n_panels - gap;
    /* Legend rows, as wide as the chart. */
    ly = 0;
    for (j = 0; j < v->n_series; j++) {
        double w = 22 + (double)svg_cp_len(v->series[j] ? v->series[j] : "") *
                            SVG_CHAR_W + 14;
        if (lx > 0 && lx + w > width) {
            lx = 0;
            ly += 18;
        }
        lx += w;
    }
    legend_h = ly + 18 + top;
    row_h = step_y * v->n_series + row_gap;
    y0 = legend_h + top + 18; /* below the panels' names */
    h = y0 + row_h * v->n_rows + 30;
    svg_open(f, width, h, v->title, v->desc);
    fputs("<g " SVG_FONT " font-size=\"12\" fill=\"#222\">\n", f);
    lx = 0;
    ly = top;
    for (j = 0; j < v->n_series; j++) {
        const char *s = v->series[j] ? v->series[j] : "";
        double w = 22 + (double)svg_cp_len(s) * SVG_CHAR_W + 14;
        if (lx > 0 && lx + w > width) {
            lx = 0;
            ly += 18;
        }
        marker(f, j, lx + 6, ly + 6);
        fputc('\n', f);
        svg_label(f, s, lx + 16, ly + 10, "");
        lx += w;
    }
    for (k = 0; k < v->n_panels; k++) {
        double px = lw + k * (pw + gap), y1 = y0 + row_h * v->n_rows;
        double zero = px + pw * (clamp(0, v->lo_axis, v->hi_axis) -
                                 v->lo_axis) / span;
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                   "font-weight=\"bold\">",
                px + pw / 2, y0 - 8);
        quarry_xml_escape(f, v->panels[k]);
        fputs("</text>\n", f);
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "fill=\"none\" stroke=\"#999\" stroke-width=\"0.6\"/>\n",
                px, y0 - 4, pw, y1 - y0 + 4);
        for (t = 0; t <= 4; t++) {
            double tv = v->lo_axis + span * t / 4, x = px + pw * t / 4.0;
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                    "stroke=\"#e4e4e4\"/>\n<text x=\"%.1f\" y=\"%.1f\" "
                    "text-anchor=\"middle\" font-size=\"10\">%g</text>\n",
                    x, y0 - 4, x, y1, x, y1 + 12, tv);
        }
        /* Zero: chance agreement for the chance-corrected figures. */
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#555\" stroke-dasharray=\"3 2\"/>\n",
                zero, y0 - 4, zero, y1);
    }
    for (i = 0; i < v->n_rows; i++) {
        double ry = y0 + row_h * i;
        svg_label(f, v->rows[i], lw - 8, ry + step_y * v->n_series / 2 + 3,
                  "text-anchor=\"end\"");
        if (i > 0)
            fprintf(f,
                    "<line x1=\"0\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                    "stroke=\"#eee\"/>\n",
                    ry - row_gap / 2, width, ry - row_gap / 2);
        for (j = 0; j < v->n_series; j++) {
            double y = ry + step_y * j + step_y / 2;
            for (k = 0; k < v->n_panels; k++) {
                size_t at = ((size_t)i * v->n_series + j) * v->n_panels + k;
                double px = lw + k * (pw + gap);
                double val = v->value[at], lo = v->lo[at], hi = v->hi[at];
                fputs("<g><title>", f);
                quarry_xml_escape(f, v->rows[i]);
                fputs(", ", f);
                quarry_xml_escape(f, v->series[j]);
                fputs(", ", f);
                quarry_xml_escape(f, v->panels[k]);
                fputs(": ", f);
                figure(f, val);
                if (!isnan(lo) && !isnan(hi))
                    fprintf(f, " [%.2f, %.2f]", lo, hi);
                fputs("</title>", f);
                if (isnan(val)) {
                    fprintf(f,
                            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\" "
                            "fill=\"#555\">n/a</text>",
                            px + 3, y + 3);
                } else {
                    double x = px + pw * (clamp(val, v->lo_axis, v->hi_axis) -
                                          v->lo_axis) / span;
                    if (!isnan(lo) && !isnan(hi)) {
                        double x1 = px + pw * (clamp(lo, v->lo_axis,
                                                     v->hi_axis) -
                                               v->lo_axis) / span;
                        double x2 = px + pw * (clamp(hi, v->lo_axis,
                                                     v->hi_axis) -
                                               v->lo_axis) / span;
                        fprintf(f,
                                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                                "y2=\"%.1f\" stroke=\"%s\" "
                                "stroke-width=\"1.6\"/>"
                                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                                "y2=\"%.1f\" stroke=\"#222\"/>"
                                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                                "y2=\"%.1f\" stroke=\"#222\"/>",
                                x1, y, x2, y, quarry_svg_color(j), x1, y - 3,
                                x1, y + 3, x2, y - 3, x2, y + 3);
                    }
                    marker(f, j, x, y);
                }
                fputs("</g>\n", f);
            }
        }
    }
    fputs("</g>\n</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

int quarry_svg_reliability_write(FILE *f, const quarry_svg_reliability *r)
{
    const double side = 300, x0 = 60, y0 = 40, width = 560;
    const double h = y0 + side + 66;
    int64_t total = 0;
    int32_t b, t;

    if (f == NULL || r == NULL || r->n_bins < 1 || r->n == NULL ||
        r->right == NULL || r->mean_conf == NULL)
        return -1;
    for (b = 0; b < r->n_bins; b++)
        total += r->n[b];
    svg_open(f, width, h, r->title, r->desc);
    fputs("<g " SVG_FONT " font-size=\"12\" fill=\"#222\">\n", f);
    fprintf(f, "<text x=\"%.1f\" y=\"16\" font-weight=\"bold\">"
               "Expected calibration error (ECE): ",
            x0);
    if (isnan(r->ece))
        fputs("n/a", f);
    else
        fprintf(f, "%.3f", r->ece);
    fprintf(f, ", over %lld decided suggestions</text>\n", (long long)total);
    /* Axes, grid and ticks: confidence across, accuracy up. */
    for (t = 0; t <= 5; t++) {
        double v = t / 5.0, x = x0 + side * v, y = y0 + side - side * v;
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#e4e4e4\"/>\n<line x1=\"%.1f\" y1=\"%.1f\" "
                "x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>\n",
                x, y0, x, y0 + side, x0, y, x0 + side, y);
        fprintf(f,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                "font-size=\"10\">%.1f</text>\n<text x=\"%.1f\" y=\"%.1f\" "
                "text-anchor=\"end\" font-size=\"10\">%.1f</text>\n",
                x, y0 + side + 13, v, x0 - 5, y + 3, v);
    }
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" "
            "font-size=\"10\">n</text>\n",
            x0 - 5, y0 + side + 28);
    fprintf(f,
            "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
            "font-size=\"11\">the engine's confidence</text>\n"
            "<text x=\"14\" y=\"%.1f\" text-anchor=\"middle\" "
            "font-size=\"11\" transform=\"rotate(-90 14 %.1f)\">share "
            "accepted (observed accuracy)</text>\n",
            x0 + side / 2, y0 + side + 46, y0 + side / 2, y0 + side / 2);
    for (b = 0; b < r->n_bins; b++) {
        double w = side / r->n_bins, x = x0 + w * b;
        double lo = (double)b / r->n_bins, hi = (double)(b + 1) / r->n_bins;
        double acc = r->n[b] > 0 ? (double)r->right[b] / (double)r->n[b] : 0;
        double bh = side * acc;
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "fill=\"#56B4E9\" stroke=\"#0072B2\" stroke-width=\"1\">"
                "<title>confidence %.2f to %.2f: %lld decided, %lld "
                "accepted",
                x + 1, y0 + side - bh, w - 2, bh, lo, hi, (long long)r->n[b],
                (long long)r->right[b]);
        if (r->n[b] > 0)
            fprintf(f, " (%.0f%%), mean confidence %.2f", 100 * acc,
                    r->mean_conf[b]);
        fputs("</title></rect>\n", f);
        /* The bin's decisions in a row under the axis, clear of the
         * bars and dots. */
        fprintf(f,
                "<text class=\"count\" x=\"%.1f\" y=\"%.1f\" "
                "text-anchor=\"middle\" font-size=\"10\">%lld</text>\n",
                x + w / 2, y0 + side + 28, (long long)r->n[b]);
        if (r->n[b] > 0 && !isnan(r->mean_conf[b]))
            /* Where the bin's suggestions sit: their mean confidence. */
            fprintf(f,
                    "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#000\"/>\n",
                    x0 + side * clamp(r->mean_conf[b], 0, 1),
                    y0 + side - bh);
    }
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#222\" stroke-width=\"1.2\" stroke-dasharray=\"5 3\"/>\n"
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            "fill=\"none\" stroke=\"#444\"/>\n",
            x0, y0 + side, x0 + side, y0, x0, y0, side, side);
    /* The key, right of the plot. */
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#222\" stroke-dasharray=\"5 3\"/>\n"
            "<text x=\"%.1f\" y=\"%.1f\">perfect calibration</text>\n"
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"20\" height=\"10\" "
            "fill=\"#56B4E9\" stroke=\"#0072B2\"/>\n"
            "<text x=\"%.1f\" y=\"%.1f\">share accepted in the bin</text>\n"
            "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"#000\"/>\n"
            "<text x=\"%.1f\" y=\"%.1f\">its mean confidence</text>\n"
            "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\">n: "
            "decisions per bin</text>\n",
            x0 + side + 14, y0 + 10, x0 + side + 34, y0 + 10,
            x0 + side + 40, y0 + 14, x0 + side + 14, y0 + 25,
            x0 + side + 40, y0 + 34, x0 + side + 24, y0 + 50,
            x0 + side + 40, y0 + 54, x0 + side + 14, y0 + 74);
    fputs("</g>\n</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

/* The line of s starting at at: up to per_line code points, broken at
 * the last space when the rest is longer. *end ends the line, *next
 * starts the next one. */
static void next_line(const char *s, size_t len, size_t at, size_t per_line,
                      size_t *end, size_t *next)
{
    size_t n = 0, cut = at, i;
    for (i = at; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80 && n++ == per_line)
            break;
        if (s[i] == ' ')
            cut = i;
    }
    *end = i >= len ? len : cut > at ? cut : i;
    *next = *end < len && s[*end] == ' ' ? *end + 1 : *end;
}

int quarry_svg_message_write(FILE *f, const char *title, const char *message)
{
    const double width = 560, line_h = 17;
    const size_t per_line = 76;
    const char *s = message ? message : "";
    int lines = 0, n;
    size_t len = strlen(s), at, end, next;

    if (f == NULL)
        return -1;
    /* Count the lines first: the height depends on them. */
    for (at = 0; at < len; at = next, lines++)
        next_line(s, len, at, per_line, &end, &next);
    n = lines > 0 ? lines : 1;
    svg_open(f, width, 36 + line_h * n, title, message);
    fprintf(f,
            "<g " SVG_FONT " font-size=\"13\" fill=\"#222\">\n"
            "<rect x=\"0.5\" y=\"0.5\" width=\"%.0f\" height=\"%.0f\" "
            "fill=\"#f6f6f6\" stroke=\"#bbb\"/>\n",
            width - 1, 35 + line_h * n);
    lines = 0;
    for (at = 0; at < len; at = next, lines++) {
        char *part;
        next_line(s, len, at, per_line, &end, &next);
        part = strndup(s + at, end - at);
        fprintf(f, "<text x=\"14\" y=\"%.1f\">", 24 + line_h * lines);
        quarry_xml_escape(f, part ? part : "");
        fputs("</text>\n", f);
        free(part);
    }
    fputs("</g>\n</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
