/*
 * review_ui_int.h -- the insides of the review screen shared by
 * review_ui.c (the screen, its keys and prompts), review_settle.c (the
 * screen's part for settling disagreements) and review_memo.c (memos on
 * the screen). Internal to the CLI.
 */
#ifndef QUARRY_REVIEW_UI_INT_H
#define QUARRY_REVIEW_UI_INT_H

#include <stddef.h>

#include "quarry/quarry.h"
#include "review_term.h"
#include "review_ui.h"

/* Screen lines, each already wrapped to the terminal's width. */
typedef struct lines {
    char **v;
    size_t n, cap;
    int oom;
} lines;

#define BOLD "\033[1m"
#define DIM "\033[2m"
#define RED "\033[31m"
#define GREEN "\033[32m"
#define YELLOW "\033[33m"
#define CYAN "\033[36m"
#define RESET "\033[0m"

typedef struct ui_code {
    char *id, *name;
    char *definition, *include, *exclude; /* NULL when the codebook has none */
    int depth, is_theme;
} ui_code;

/* One coding as the session started (every coder): others' codings on the
 * excerpt on screen, and what the nearest coded excerpts were coded. */
typedef struct ui_coding {
    char *excerpt, *code, *coder;
} ui_coding;

/* The first words of a coded excerpt, to name a neighbour by its words. */
typedef struct ui_opening {
    char *excerpt, *words;
    int64_t span_start, span_end; /* a coded passage's; 0, 0: the whole */
} ui_opening;

typedef struct ui {
    quarry_project *p;
    const char *project_name;
    const char *coder;
    review_term *t;
    review_stats *st;
    ui_code *codes;
    int n_codes;
    char **skip;
    size_t n_skip, cap_skip;
    int blind;    /* no other coder's codes kept or shown */
    char *pinned; /* the excerpt to show instead of the queue's first */
    int pinned_queued; /* it is the queue's first too (current_item) */
    ui_coding *codings;
    size_t n_codings, cap_codings;
    ui_opening *openings;
    size_t n_openings, cap_openings;
    char *shown; /* the excerpt drawn last: a new one starts unscrolled */
    int scroll;  /* first line of the excerpt area shown */
    int page;    /* lines in the excerpt area as last drawn */
    char msg[1200];
    const char *msg_style;
    quarry_review_progress progress;
    int quit;
    /* Settling disagreements (review_settle.c): the codes on offer for
     * the excerpt settle_for (the coders' union, then codes added here),
     * which of them are marked, and an Enter with none marked pending. */
    int settling;
    char *settle_for;
    char **offer;
    int *marked;
    int n_offer, cap_offer;
    int confirm_none;
} ui;


void ui_lines_free(lines *l);
void ui_lines_add(lines *l, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Code points in the first len bytes of a UTF-8 string. */
size_t ui_cp_count(const char *s, size_t len);
/* Wrap text to width columns (first line after first, the others after
 * rest; at most max_lines, 0 = no limit), in style. */
void ui_wrap(lines *l, const char *text, int width, const char *style,
             const char *first, int first_w, const char *rest, int rest_w,
             int max_lines);
/* One line as it is, cut to width columns. */
void ui_fit(lines *l, const char *text, int width, const char *style);
/* The message line under the keys. */
void ui_say(ui *u, const char *style, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Show xid instead of the queue's first (NULL: the queue's first). */
void ui_set_pinned(ui *u, const char *xid);
/* Write the lines to the terminal, cut to its rows. */
void ui_flush(ui *u, lines *l);
/* A rule, the keys and the message. */
void ui_footer(ui *u, lines *l, const char *keys);
/* Ask for a code; its index in u->codes, or -1 when cancelled. */
int ui_prompt_code(ui *u, const char *title);
/* Done with the excerpt on screen: passed over for this session. */
void ui_move_on(ui *u, const quarry_review_item *it);
/* A line being typed (input, cap bytes, len used): Backspace takes the
 * last character back, Ctrl-U clears, a byte key is appended; 1 when k
 * was one of them. */
int ui_edit_key(char *input, size_t cap, size_t *len, int k);
/* Scrolling keys (j k space b, arrows, page keys): 1 when k was one. */
int ui_scroll_key(ui *u, int k);

/* review_settle.c: the lines under the excerpt when settling, a key
 * there, and the settle state freed. */
void settle_bottom(ui *u, const quarry_review_item *it, lines *l);
void settle_key(ui *u, const quarry_review_item *it, int k);
void settle_free(ui *u);

/* review_memo.c: the excerpt's memo line (none when it has no memo), and
 * the m key: a memo on the excerpt asked for and saved. */
void memo_lines(ui *u, const char *xid, lines *l);
void memo_key(ui *u, const char *xid);

#endif
