/*
 * review_memo.c -- memos on the review screen: a line under the excerpt
 * with how many memos it has and the first line of the latest (with its
 * author), and the m key, which asks for a memo's text and saves it on
 * the excerpt under the coder's name (quarry_project_memo_add).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "review_ui_int.h"

typedef struct memo_seen {
    int64_t n;
    char latest[512]; /* "coder: first line" of the latest */
} memo_seen;

static int see_memo(void *ctx, const quarry_memo *m)
{
    memo_seen *s = ctx;
    const char *text = m->text ? m->text : "";
    size_t len = strcspn(text, "\r\n");
    s->n++;
    snprintf(s->latest, sizeof s->latest, "%s: %.*s%s",
             m->coder ? m->coder : "?", (int)(len > 400 ? 400 : len), text,
             text[len] != '\0' ? " ..." : "");
    return 0;
}

void memo_lines(ui *u, const char *xid, lines *l)
{
    memo_seen s;
    char buf[640];
    memset(&s, 0, sizeof s);
    /* A memo that cannot be read leaves the line out, not the screen. */
    if (quarry_project_memos(u->p, QUARRY_MEMOS_EXCERPT, xid, see_memo,
                             &s) != QUARRY_OK ||
        s.n == 0)
        return;
    snprintf(buf, sizeof buf, "Memos (%lld, m adds one) · latest by %s",
             (long long)s.n, s.latest);
    ui_fit(l, buf, u->t->cols, YELLOW);
}

static void draw_memo_prompt(ui *u, const char *xid, const char *input)
{
    lines l = {0};
    char buf[2200];
    snprintf(buf, sizeof buf, "Memo on excerpt %s, as %s:", xid, u->coder);
    ui_wrap(&l, buf, u->t->cols, BOLD, "", 0, "", 0, 2);
    ui_wrap(&l, "Type what you notice; Enter saves it, Esc cancels. Memos "
                "are kept with your name and the time, never changed.",
            u->t->cols, DIM, "", 0, "", 0, 0);
    ui_lines_add(&l, "%s", "");
    snprintf(buf, sizeof buf, "%s_", input);
    ui_wrap(&l, buf, u->t->cols, "", "> ", 2, "  ", 2, 0);
    ui_flush(u, &l);
    ui_lines_free(&l);
}

void memo_key(ui *u, const char *xid_in)
{
    char input[2048] = "";
    size_t len = 0;
    char *xid = strdup(xid_in); /* the prompt redraws; the item may go */
    if (xid == NULL) {
        ui_say(u, RED, "out of memory");
        return;
    }
    for (;;) {
        int k;
        draw_memo_prompt(u, xid, input);
        k = term_key(u->t);
        if (k == TERM_KEY_EOF) {
            u->quit = 1;
            break;
        }
        if (k == TERM_KEY_RESIZE || k == 0)
            continue;
        if (k == TERM_KEY_ESC || k == 3 || k == 7 || k == 4) {
            ui_say(u, YELLOW, "memo cancelled");
            break;
        }
        if (k == TERM_KEY_ENTER) {
            quarry_memo m = QUARRY_MEMO_INIT;
            size_t b = 0;
            while (input[b] == ' ')
                b++;
            if (input[b] == '\0') {
                ui_say(u, YELLOW, "empty memo: nothing saved");
                break;
            }
            m.excerpt = xid;
            m.coder = u->coder;
            m.text = input;
            if (quarry_project_memo_add(u->p, &m, NULL) != QUARRY_OK)
                ui_say(u, RED, "memo not saved: %s",
                       quarry_project_errmsg(u->p));
            else
                ui_say(u, GREEN, "saved: your memo on %s", xid);
            break;
        }
        ui_edit_key(input, sizeof input, &len, k);
    }
    free(xid);
}
