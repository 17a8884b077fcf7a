/*
 * review_settle.c -- the review screen's part for settling disagreements
 * (`quarry review PROJECT --coder lead --order disagreements`): under the
 * excerpt, each coder's codes, then the codes on offer as the final ones,
 * numbered; number keys mark and unmark them, n offers another code from
 * the codebook, Enter settles (quarry_project_settle) on the marked ones.
 *
 * The offer is the union of every coder's codes on the excerpt in
 * codebook order; the codes every coder of the excerpt gave start marked
 * (they are not in dispute). Settling with nothing marked takes a second
 * Enter: it removes the settling coder's codes from the excerpt.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "review_ui_int.h"

void settle_free(ui *u)
{
    int i;
    for (i = 0; i < u->n_offer; i++)
        free(u->offer[i]);
    free(u->offer);
    free(u->marked);
    free(u->settle_for);
    u->offer = NULL;
    u->marked = NULL;
    u->settle_for = NULL;
    u->n_offer = u->cap_offer = 0;
    u->confirm_none = 0;
}

static int offered(const ui *u, const char *code)
{
    int i;
    for (i = 0; i < u->n_offer; i++)
        if (strcmp(u->offer[i], code) == 0)
            return i;
    return -1;
}

/* Offer code (once); its index, or -1 when memory ran out. */
static int offer_add(ui *u, const char *code, int marked)
{
    int i = offered(u, code);
    if (i >= 0)
        return i;
    if (u->n_offer == u->cap_offer) {
        int cap = u->cap_offer ? 2 * u->cap_offer : 16;
        char **o = realloc(u->offer, (size_t)cap * sizeof *o);
        int *m;
        if (o == NULL)
            return -1;
        u->offer = o;
        m = realloc(u->marked, (size_t)cap * sizeof *m);
        if (m == NULL)
            return -1;
        u->marked = m;
        u->cap_offer = cap;
    }
    if ((u->offer[u->n_offer] = strdup(code)) == NULL)
        return -1;
    u->marked[u->n_offer] = marked;
    return u->n_offer++;
}

static int has_code(const char *const *codes, int32_t n, const char *code)
{
    int32_t i;
    for (i = 0; i < n; i++)
        if (strcmp(codes[i], code) == 0)
            return 1;
    return 0;
}

/* How many of the excerpt's coders (the others, and this coder when they
 * coded it) gave code; *coders the number of those coders. */
static int given_by(const quarry_review_item *it, const char *code,
                    int *coders)
{
    int32_t i;
    int n = has_code(it->codes, it->n_codes, code);
    *coders = it->n_codes > 0;
    for (i = 0; i < it->n_others; i++) {
        *coders += it->others[i].n_codes > 0;
        n += has_code(it->others[i].codes, it->others[i].n_codes, code);
    }
    return n;
}

/* The offer for a new excerpt: the coders' union in codebook order (codes
 * the codebook lacks after), the agreed ones marked. */
static int offer_build(ui *u, const quarry_review_item *it)
{
    int i, coders;
    int32_t j, k;
    settle_free(u);
    if ((u->settle_for = strdup(it->excerpt)) == NULL)
        return QUARRY_ENOMEM;
    for (i = 0; i < u->n_codes; i++) {
        int n = given_by(it, u->codes[i].id, &coders);
        if (n > 0 && offer_add(u, u->codes[i].id, n == coders) < 0)
            return QUARRY_ENOMEM;
    }
    for (j = -1; j < it->n_others; j++) {
        const char *const *codes = j < 0 ? it->codes : it->others[j].codes;
        int32_t n = j < 0 ? it->n_codes : it->others[j].n_codes;
        for (k = 0; k < n; k++)
            if (offered(u, codes[k]) < 0 &&
                offer_add(u, codes[k],
                          given_by(it, codes[k], &coders) == coders) < 0)
                return QUARRY_ENOMEM;
    }
    return QUARRY_OK;
}

static const char *name_of(const ui *u, const char *id)
{
    int i;
    for (i = 0; i < u->n_codes; i++)
        if (strcmp(u->codes[i].id, id) == 0)
            return u->codes[i].name;
    return "";
}

static const char SETTLE_KEYS[] =
    "1-9 mark/unmark · n offer another code · Enter settle on the marked · "
    "m memo · s/→ skip · j/k scroll · u undo · ? help · q quit";

void settle_bottom(ui *u, const quarry_review_item *it, lines *l)
{
    char buf[2048];
    int32_t i, j;
    size_t used;
    if ((u->settle_for == NULL || strcmp(u->settle_for, it->excerpt) != 0) &&
        offer_build(u, it) != QUARRY_OK) {
        l->oom = 1;
        return;
    }
    ui_lines_add(l, BOLD "Coders' codes" RESET " (they differ here):");
    for (i = -1; i < it->n_others; i++) {
        const char *who = i < 0 ? u->coder : it->others[i].coder;
        const char *const *codes = i < 0 ? it->codes : it->others[i].codes;
        int32_t n = i < 0 ? it->n_codes : it->others[i].n_codes;
        char lead[256];
        if (i < 0 && n == 0)
            continue; /* a lead who did not code it */
        used = 0;
        buf[0] = '\0';
        for (j = 0; j < n && used < sizeof buf; j++)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s",
                                     j ? ", " : "", codes[j]);
        snprintf(lead, sizeof lead, "  %s%s: ", who, i < 0 ? " (you)" : "");
        ui_wrap(l, n > 0 ? buf : "(none)", u->t->cols, CYAN, lead,
                (int)ui_cp_count(lead, strlen(lead)), "    ", 4, 2);
    }
    ui_lines_add(l, BOLD "Final codes" RESET
                         " (number keys mark them; Enter settles):");
    for (i = 0; i < u->n_offer; i++) {
        char who[512];
        size_t wu = 0;
        who[0] = '\0';
        if (has_code(it->codes, it->n_codes, u->offer[i]) &&
            wu < sizeof who)
            wu += (size_t)snprintf(who + wu, sizeof who - wu, "you");
        for (j = 0; j < it->n_others && wu < sizeof who; j++)
            if (has_code(it->others[j].codes, it->others[j].n_codes,
                         u->offer[i]))
                wu += (size_t)snprintf(who + wu, sizeof who - wu, "%s%s",
                                       wu ? ", " : "", it->others[j].coder);
        if (i < 9)
            snprintf(buf, sizeof buf, "%2d. [%s] %s · by %s · %s",
                     (int)i + 1, u->marked[i] ? "x" : " ", u->offer[i],
                     who[0] ? who : "nobody yet", name_of(u, u->offer[i]));
        else
            snprintf(buf, sizeof buf, "    [%s] %s · by %s · %s",
                     u->marked[i] ? "x" : " ", u->offer[i],
                     who[0] ? who : "nobody yet", name_of(u, u->offer[i]));
        ui_fit(l, buf, u->t->cols, u->marked[i] ? GREEN : "");
    }
    if (u->n_offer == 0)
        ui_lines_add(l, "  (none: n offers a code)");
    memo_lines(u, it->excerpt, l);
    ui_footer(u, l, SETTLE_KEYS);
}

/* Enter: settle on the marked codes. */
static void settle_now(ui *u, const quarry_review_item *it)
{
    const char **codes = NULL;
    char *xid = NULL, list[1024];
    size_t n = 0, used = 0;
    int i, status;
    for (i = 0; i < u->n_offer; i++)
        n += u->marked[i] != 0;
    if (n == 0 && !u->confirm_none) {
        u->confirm_none = 1;
        ui_say(u, YELLOW, "no code marked: Enter again settles %s with no "
                          "code (any of yours on it go); a number marks one",
               it->excerpt);
        return;
    }
    codes = calloc(n ? n : 1, sizeof *codes);
    xid = strdup(it->excerpt);
    if (codes == NULL || xid == NULL) {
        ui_say(u, RED, "out of memory");
        goto out;
    }
    list[0] = '\0';
    for (i = 0, n = 0; i < u->n_offer; i++)
        if (u->marked[i]) {
            codes[n++] = u->offer[i];
            if (used < sizeof list)
                used += (size_t)snprintf(list + used, sizeof list - used,
                                         "%s%s", used ? ", " : "",
                                         u->offer[i]);
        }
    status = quarry_project_settle(u->p, u->coder, xid, codes, n, NULL);
    if (status != QUARRY_OK) {
        ui_say(u, RED, "not saved: %s", quarry_project_errmsg(u->p));
        goto out;
    }
    u->st->settled++;
    ui_say(u, GREEN, "saved: %s settled on %s", xid, n ? list : "no code");
    ui_set_pinned(u, NULL);
    settle_free(u); /* the next excerpt starts its own offer */
out:
    free(codes);
    free(xid);
}

void settle_key(ui *u, const quarry_review_item *it, int k)
{
    char title[512];
    int i;
    u->msg[0] = '\0';
    if (k != TERM_KEY_ENTER)
        u->confirm_none = 0;
    if (k >= '1' && k <= '9') {
        i = k - '1';
        if (i >= u->n_offer) {
            ui_say(u, YELLOW, "there is no code %c here (n offers another)",
                   k);
            return;
        }
        u->marked[i] = !u->marked[i];
        return;
    }
    switch (k) {
    case TERM_KEY_ENTER:
        settle_now(u, it);
        return;
    case 'n':
        snprintf(title, sizeof title, "Offer another code for %s:",
                 it->excerpt);
        i = ui_prompt_code(u, title);
        if (i < 0) {
            ui_say(u, YELLOW, "cancelled");
            return;
        }
        if (offered(u, u->codes[i].id) >= 0) {
            u->marked[offered(u, u->codes[i].id)] = 1;
            return;
        }
        if (offer_add(u, u->codes[i].id, 1) < 0)
            ui_say(u, RED, "out of memory");
        return;
    case 'm':
        memo_key(u, it->excerpt);
        return;
    case 's':
    case TERM_KEY_RIGHT:
        ui_move_on(u, it);
        settle_free(u);
        return;
    default:
        break;
    }
    if (ui_scroll_key(u, k))
        return;
    if (k >= 32 && k < 127)
        ui_say(u, YELLOW, "\"%c\" does nothing here: ? lists the keys", k);
}
