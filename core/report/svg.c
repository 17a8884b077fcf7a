/*
 * svg.c -- grouped horizontal bars and heatmaps as inline SVG (svg.h).
 * Layout is computed from the label lengths with a fixed character width
 * (no font metrics are available, and none is loaded): long labels are
 * cut with an ellipsis and kept whole in a <title> tooltip.
 */
#include <math.h>
#include <string.h>

#include "svg.h"
#include "svg_util.h"

#define FONT SVG_FONT
#define CHAR_W SVG_CHAR_W
#define LABEL_MAX SVG_LABEL_MAX

static const char *const palette[] = {
    "#0072B2", "#E69F00", "#009E73", "#CC79A7",
    "#56B4E9", "#D55E00", "#000000", "#999999"};

const char *quarry_svg_color(int32_t i)
{
    int32_t n = (int32_t)(sizeof palette / sizeof palette[0]);
    return palette[((i % n) + n) % n];
}

size_t svg_cp_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

void svg_escape_n(FILE *f, const char *s, size_t max)
{
    size_t n = 0;
    if (s == NULL)
        return;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch & 0xC0) != 0x80 && n++ == max) {
            fputs("\xE2\x80\xA6", f); /* U+2026 */
            return;
        }
        switch (ch) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default:
            if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7F)
                fputc(' ', f);
            else
                fputc(ch, f);
        }
    }
}

void quarry_xml_escape(FILE *f, const char *s)
{
    svg_escape_n(f, s, (size_t)-1);
}

void svg_label(FILE *f, const char *s, double x, double y,
               const char *attrs)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" %s>", x, y, attrs);
    if (s != NULL && svg_cp_len(s) > LABEL_MAX) {
        fputs("<title>", f);
        quarry_xml_escape(f, s);
        fputs("</title>", f);
    }
    svg_escape_n(f, s ? s : "", LABEL_MAX);
    fputs("</text>\n", f);
}

static double label_width(const char *const *v, int32_t n)
{
    size_t w = 4;
    int32_t i;
    for (i = 0; i < n; i++) {
        size_t l = v[i] ? svg_cp_len(v[i]) : 0;
        if (l > w)
            w = l;
    }
    if (w > LABEL_MAX)
        w = LABEL_MAX + 1;
    return (double)w * CHAR_W + 12;
}

/* A tick step of 1, 2 or 5 times a power of ten giving about 5 ticks. */
static double nice_step(double max)
{
    double raw = max / 5, p, m;
    if (raw <= 0)
        return 1;
    p = pow(10, floor(log10(raw)));
    m = raw / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

void svg_number(FILE *f, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        fprintf(f, "%.0f", v);
    else
        fprintf(f, "%.2f", v);
}

void svg_open(FILE *f, double w, double h, const char *title,
              const char *desc)
{
    fprintf(f,
            "<svg class=\"chart\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"",
            w, h, w, h);
    quarry_xml_escape(f, title ? title : "chart");
    fputs("\">\n<title>", f);
    quarry_xml_escape(f, title ? title : "chart");
    fputs("</title>\n", f);
    if (desc != NULL) {
        fputs("<desc>", f);
        quarry_xml_escape(f, desc);
        fputs("</desc>\n", f);
    }
}

int quarry_svg_bars_write(FILE *f, const quarry_svg_bars *b)
{
    const double width = 760, bar_h = 12, gap = 10, top_pad = 8;
    double lw, plot_w, max = 0, step, legend_h, group_h, h, x0, y, t;
    double lx, ly;
    int32_t i, j;

    if (f == NULL || b == NULL || b->n_cats < 0 || b->n_series < 1 ||
        (b->n_cats > 0 && (b->cats == NULL || b->values == NULL)) ||
        b->series == NULL)
        return -1;
    for (i = 0; i < b->n_cats * b->n_series; i++)
        if (b->values[i] > max)
            max = b->values[i];
    step = nice_step(max);
    if (max <= 0)
        max = 1;
    max = ceil(max / step) * step;
    lw = label_width(b->cats, b->n_cats);
    if (lw > width / 2)
        lw = width / 2;
    x0 = lw;
    /* Room right of the longest bar for its value and, with several
     * series, the series' name: bars told apart in grey too. */
    plot_w = width - lw - (b->n_series > 1 ? 110 : 40);
    /* Legend: swatch and name, wrapped onto rows of the chart's width. */
    lx = 0;
    ly = 0;
    for (j = 0; j < b->n_series; j++) {
        double w = 18 + (double)(svg_cp_len(b->series[j] ? b->series[j] : "") >
                                         LABEL_MAX
                                     ? LABEL_MAX + 1
                                     : svg_cp_len(b->series[j] ? b->series[j]
                                                           : "")) *
                            CHAR_W +
                   16;
        if (lx > 0 && lx + w > width) {
            lx = 0;
            ly += 18;
        }
        lx += w;
    }
    legend_h = ly + 18 + top_pad;
    group_h = bar_h * b->n_series + gap;
    h = legend_h + top_pad + group_h * b->n_cats + 34;
    svg_open(f, width, h, b->title, b->desc);
    fprintf(f, "<g " FONT " font-size=\"12\" fill=\"#222\">\n");
    lx = 0;
    ly = top_pad;
    for (j = 0; j < b->n_series; j++) {
        const char *s = b->series[j] ? b->series[j] : "";
        double w = 18 + (double)(svg_cp_len(s) > LABEL_MAX ? LABEL_MAX + 1
                                                       : svg_cp_len(s)) *
                            CHAR_W +
                   16;
        if (lx > 0 && lx + w > width) {
            lx = 0;
            ly += 18;
        }
        fprintf(f,
                "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" "
                "fill=\"%s\" stroke=\"#333\" stroke-width=\"0.5\"/>\n",
                lx, ly, quarry_svg_color(j));
        svg_label(f, s, lx + 16, ly + 10, "");
        lx += w;
    }
    y = legend_h + top_pad;
    /* Grid and ticks. */
    for (t = 0; t <= max + step / 2; t += step) {
        double x = x0 + plot_w * t / max;
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "stroke=\"#ddd\"/>\n",
                x, y - 4, x, y + group_h * b->n_cats);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                   "font-size=\"10\">",
                x, y + group_h * b->n_cats + 12);
        svg_number(f, t);
        fputs("</text>\n", f);
    }
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
               "font-size=\"11\">",
            x0 + plot_w / 2, y + group_h * b->n_cats + 28);
    quarry_xml_escape(f, b->unit ? b->unit : "");
    fputs("</text>\n", f);
    for (i = 0; i < b->n_cats; i++) {
        double gy = y + group_h * i;
        svg_label(f, b->cats[i], x0 - 8, gy + bar_h * b->n_series / 2 + 4,
              "text-anchor=\"end\"");
        for (j = 0; j < b->n_series; j++) {
            double v = b->values[(size_t)i * b->n_series + j];
            double w = v > 0 ? plot_w * v / max : 0;
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\" fill=\"%s\" stroke=\"#333\" "
                    "stroke-width=\"0.4\"><title>",
                    x0, gy + bar_h * j, w, bar_h - 1, quarry_svg_color(j));
            quarry_xml_escape(f, b->cats[i]);
            fputs(", ", f);
            quarry_xml_escape(f, b->series[j]);
            fputs(": ", f);
            svg_number(f, v > 0 ? v : 0);
            fputs("</title></rect>\n", f);
            if (v > 0) {
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"9\">",
                        x0 + w + 3, gy + bar_h * j + 9);
                svg_number(f, v);
                if (b->n_series > 1) {
                    fputs(" \xC2\xB7 ", f); /* U+00B7 */
                    svg_escape_n(f, b->series[j], 12);
                }
                fputs("</text>\n", f);
            }
        }
    }
    fprintf(f,
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
            "stroke=\"#444\"/>\n",
            x0, y - 4, x0, y + group_h * b->n_cats);
    fputs("</g>\n</svg>\n", f);
    return ferror(f) ? -1 : 0;
}

/* A colour on a light-to-dark blue ramp for t in [0, 1]. */
static void ramp(double t, char out[8])
{
    static const unsigned char stops[5][3] = {{247, 251, 255},
                                              {198, 219, 239},
                                              {107, 174, 214},
                                              {33, 113, 181},
                                              {8, 48, 107}};
    double pos;
    int k, c;
    unsigned char rgb[3];
    if (!(t > 0))
        t = 0;
    if (t > 1)
        t = 1;
    pos = t * 4;
    k = (int)pos;
    if (k > 3)
        k = 3;
    pos -= k;
    for (c = 0; c < 3; c++)
        rgb[c] = (unsigned char)lround(stops[k][c] +
                                       (stops[k + 1][c] - stops[k][c]) * pos);
    snprintf(out, 8, "#%02X%02X%02X", rgb[0], rgb[1], rgb[2]);
}

int quarry_svg_heatmap_write(FILE *f, const quarry_svg_heatmap *h)
{
    double lw, col_h, cell_w = 28, cell_h = 22, max = 0, w, hh, x0, y0;
    size_t maxcol = 1;
    int32_t i, j;
    char colour[8];

    if (f == NULL || h == NULL || h->n_rows < 0 || h->n_cols < 0 ||
        (h->n_rows > 0 && h->rows == NULL) ||
        (h->n_cols > 0 && h->cols == NULL) ||
        (h->n_rows > 0 && h->n_cols > 0 && h->values == NULL))
        return -1;
    for (i = 0; i < h->n_rows * h->n_cols; i++)
        if (h->values[i] > max &&
            !(h->plain_diagonal && i / h->n_cols == i % h->n_cols))
            max = h->values[i];
    if (h->cell_text != NULL)
        for (i = 0; i < h->n_rows * h->n_cols; i++)
            if (h->cell_text[i] && svg_cp_len(h->cell_text[i]) * 7.0 + 10 > cell_w)
                cell_w = svg_cp_len(h->cell_text[i]) * 7.0 + 10;
    for (j = 0; j < h->n_cols; j++) {
        size_t l = h->cols[j] ? svg_cp_len(h->cols[j]) : 0;
        if (l > maxcol)
            maxcol = l;
    }
    if (maxcol > LABEL_MAX)
        maxcol = LABEL_MAX + 1;
    lw = label_width(h->rows, h->n_rows);
    /* Column labels run up at 45 degrees from each column's centre. */
    col_h = (double)maxcol * CHAR_W * 0.72 + 16;
    x0 = lw;
    y0 = col_h;
    w = x0 + cell_w * h->n_cols + col_h;
    hh = y0 + cell_h * h->n_rows + 8;
    svg_open(f, w, hh, h->title, h->desc);
    fprintf(f, "<g " FONT " font-size=\"12\" fill=\"#222\">\n");
    for (j = 0; j < h->n_cols; j++) {
        double cx = x0 + cell_w * j + cell_w / 2;
        char attrs[96];
        snprintf(attrs, sizeof attrs,
                 "transform=\"rotate(-45 %.1f %.1f)\"", cx, y0 - 6);
        svg_label(f, h->cols[j], cx, y0 - 6, attrs);
    }
    for (i = 0; i < h->n_rows; i++) {
        double y = y0 + cell_h * i;
        svg_label(f, h->rows[i], x0 - 8, y + cell_h / 2 + 4,
              "text-anchor=\"end\"");
        for (j = 0; j < h->n_cols; j++) {
            size_t k = (size_t)i * h->n_cols + j;
            double v = h->values[k], t = max > 0 ? v / max : 0;
            const char *txt = h->cell_text ? h->cell_text[k] : NULL;
            int diag = h->plain_diagonal && i == j;
            if (diag)
                t = 0;
            ramp(t, colour);
            if (diag)
                snprintf(colour, sizeof colour, "#D9D9D9");
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                    "height=\"%.1f\" fill=\"%s\" stroke=\"#bbb\" "
                    "stroke-width=\"0.5\"><title>",
                    x0 + cell_w * j, y, cell_w, cell_h,
                    v > 0 || diag ? colour : "#FFFFFF");
            quarry_xml_escape(f, h->rows[i]);
            fputs(" \xC3\x97 ", f); /* U+00D7 */
            quarry_xml_escape(f, h->cols[j]);
            fputs(": ", f);
            if (txt != NULL)
                quarry_xml_escape(f, txt);
            else
                svg_number(f, v);
            fputs("</title></rect>\n", f);
            if ((txt != NULL && txt[0] != '\0') || (txt == NULL && v > 0)) {
                fprintf(f,
                        "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                        "font-size=\"11\" fill=\"%s\">",
                        x0 + cell_w * j + cell_w / 2, y + cell_h / 2 + 4,
                        t > 0.55 ? "#FFFFFF" : "#111111");
                if (txt != NULL)
                    quarry_xml_escape(f, txt);
                else
                    svg_number(f, v);
                fputs("</text>\n", f);
            }
        }
    }
    fputs("</g>\n</svg>\n", f);
    return ferror(f) ? -1 : 0;
}
