/*
 * transcript_line.c -- the shapes of a transcript line: time stamps, the
 * first line of a speaker turn as transcription services write it, speaker
 * labels and their roles, and the lines that look like turns but are not
 * read as turns (for the reader's warning).
 *
 * A turn starts with one of (the time is optional in the first three):
 *   Name: text                    Name: [00:01:23] text
 *   [00:01:23] Name: text         00:01:23 Name: text    (also (00:01:23))
 *   Name (00:01:23): text         Name [01:23]: text     (Rev, Trint)
 *   [00:01:23] Name               Name  0:03             (alone on the
 *                                 line, the text below: Otter, Descript;
 *                                 a bare time after the name needs two
 *                                 spaces or a tab before it)
 * A name is 1-40 letters, digits, marks, spaces, dots, hyphens or
 * apostrophes, the first a letter or digit. A name alone on a line with a
 * time must also look like a name: 1-5 words, each starting with a
 * capital or a digit ("Speaker 1", "Jane Doe"), so "I left at 10:30" is
 * text, not a turn.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "transcript.h"
#include "utf8.h"

/* A line ends at LF, CR LF, or a CR alone (the old Mac way, which some
 * transcription exports still write: read as one line, a whole interview
 * would be one turn). */
int tr_next_line(const char *buf, size_t len, size_t pos, tr_line *l)
{
    const char *nl, *cr;

    if (pos >= len)
        return 0;
    nl = memchr(buf + pos, '\n', len - pos);
    cr = memchr(buf + pos, '\r', (nl ? (size_t)(nl - buf) : len) - pos);
    l->start = pos;
    if (cr != NULL && cr + 1 != nl) { /* a CR alone before any LF */
        l->end = (size_t)(cr - buf);
        l->next = l->end + 1;
        return 1;
    }
    l->end = nl ? (size_t)(nl - buf) : len;
    l->next = nl ? l->end + 1 : len;
    if (l->end > l->start && buf[l->end - 1] == '\r')
        l->end--;
    return 1;
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* ---------------------------------------------------------------- */
/* Time stamps */

size_t tr_time(const char *s, size_t n, char out[TR_TIME_MAX])
{
    unsigned part[3] = {0, 0, 0}, frac = 0;
    size_t i = 0, d = 0;
    int np, has_frac = 0;
    unsigned h, m, sec;

    while (i < n && is_digit(s[i]) && d < 3) {
        part[0] = part[0] * 10 + (unsigned)(s[i] - '0');
        i++;
        d++;
    }
    if (d == 0 || (i < n && is_digit(s[i])))
        return 0;
    np = 1;
    while (np < 3 && i + 3 <= n && s[i] == ':' && is_digit(s[i + 1]) &&
           is_digit(s[i + 2])) {
        unsigned v =
            (unsigned)(s[i + 1] - '0') * 10 + (unsigned)(s[i + 2] - '0');
        if (v > 59)
            return 0;
        part[np++] = v;
        i += 3;
    }
    if (np < 2 || (i < n && (is_digit(s[i]) || s[i] == ':')))
        return 0;
    if (i + 1 < n && (s[i] == '.' || s[i] == ',') && is_digit(s[i + 1])) {
        size_t j = i + 1, fd = 0;
        while (j < n && is_digit(s[j]) && fd < 3) {
            frac = frac * 10 + (unsigned)(s[j] - '0');
            j++;
            fd++;
        }
        if (j < n && is_digit(s[j]))
            return 0;
        for (; fd < 3; fd++)
            frac *= 10;
        i = j;
        has_frac = 1;
    }
    if (np == 3) {
        h = part[0];
        m = part[1];
        sec = part[2];
    } else {
        h = part[0] / 60;
        m = part[0] % 60;
        sec = part[1];
    }
    if (has_frac)
        snprintf(out, TR_TIME_MAX, "%02u:%02u:%02u.%03u", h, m, sec, frac);
    else
        snprintf(out, TR_TIME_MAX, "%02u:%02u:%02u", h, m, sec);
    return i;
}

size_t tr_time_bracketed(const char *s, size_t n, char out[TR_TIME_MAX])
{
    size_t k;
    char close;

    if (n < 2 || (s[0] != '[' && s[0] != '('))
        return 0;
    close = s[0] == '[' ? ']' : ')';
    k = tr_time(s + 1, n - 1, out);
    if (k == 0 || 1 + k >= n || s[1 + k] != close)
        return 0;
    return k + 2;
}

/* ---------------------------------------------------------------- */
/* Names */

static int is_name_char(int32_t cp)
{
    return quarry_utf8_is_letter(cp) || quarry_utf8_is_digit(cp) ||
           quarry_utf8_is_mark(cp) || cp == ' ' || cp == '.' || cp == '-' ||
           cp == '\'' || cp == 0x2019;
}

/* The length of a run of name characters at s[0..n) that starts with a
 * letter or digit and has at most TR_NAME_MAX_CHARS characters; 0 when
 * there is none. */
static size_t name_run(const char *s, size_t n)
{
    size_t i = 0, chars = 0, k;
    int32_t cp;

    k = quarry_utf8_decode(s, n, &cp);
    if (k == 0 || !(quarry_utf8_is_letter(cp) || quarry_utf8_is_digit(cp)))
        return 0;
    while (i < n) {
        k = quarry_utf8_decode(s + i, n - i, &cp);
        if (k == 0 || !is_name_char(cp))
            break;
        if (++chars > TR_NAME_MAX_CHARS)
            return 0;
        i += k;
    }
    return i;
}

int tr_plain_turn(const char *s, size_t n, size_t *name_len, size_t *after)
{
    size_t i = name_run(s, n);
    int32_t next;

    if (i == 0 || i >= n || s[i] != ':')
        return 0;
    if (i + 1 < n && (quarry_utf8_decode(s + i + 1, n - i - 1, &next) == 0 ||
                      !quarry_utf8_is_space(next)))
        return 0;
    *after = i + 1;
    while (i > 0 && s[i - 1] == ' ')
        i--;
    *name_len = i;
    return 1;
}

/* Does s[0..n) look like a name by itself (no colon to say so): 1-5 words
 * of name characters, each starting with a capital letter or a digit, the
 * first with a capital? */
static int looks_like_name(const char *s, size_t n)
{
    size_t i = 0, words = 0;

    if (n == 0 || name_run(s, n) != n)
        return 0;
    while (i < n) {
        int32_t cp;
        size_t k;
        while (i < n && s[i] == ' ')
            i++;
        if (i >= n)
            break;
        k = quarry_utf8_decode(s + i, n - i, &cp);
        if (k == 0)
            return 0;
        if (!(quarry_utf8_is_upper(cp) ||
              (words > 0 && quarry_utf8_is_digit(cp))))
            return 0;
        if (++words > 5)
            return 0;
        while (i < n && s[i] != ' ')
            i++;
    }
    return words > 0;
}

static size_t trim_end(const char *s, size_t n)
{
    return n - quarry_utf8_space_suffix(s, n);
}

/* A time stamp, bracketed or bare, at s[0..n). */
static size_t any_time(const char *s, size_t n, char out[TR_TIME_MAX])
{
    size_t k = tr_time_bracketed(s, n, out);
    return k ? k : tr_time(s, n, out);
}

/* "Name (time):" or "Name [time]:" at s[0..n); the colon may be missing
 * when nothing follows on the line. */
static int name_time_turn(const char *s, size_t n, tr_turn *t, size_t base)
{
    size_t i = name_run(s, n), k, name_len;
    char tm[TR_TIME_MAX];

    if (i == 0 || i >= n || (s[i] != '(' && s[i] != '[') || s[i - 1] != ' ')
        return 0;
    name_len = trim_end(s, i);
    k = tr_time_bracketed(s + i, n - i, tm);
    if (k == 0 || name_len == 0)
        return 0;
    i += k;
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && s[i] == ':') {
        if (i + 1 < n && s[i + 1] != ' ' && s[i + 1] != '\t')
            return 0;
        i++;
    } else if (i < n) {
        return 0;
    }
    t->shape = TR_NAME_TIME;
    t->name = base;
    t->name_len = name_len;
    t->text = base + i;
    memcpy(t->time, tm, sizeof tm);
    return 1;
}

/* "Name<TAB>text", as transcripts are typed in a word processor (and a
 * Word table's row reads): a name of capitalised words, a tab, the text;
 * a time right after the tab is the turn's. Fills t (name and text
 * offsets from base); 0 when s[0..n) is not one. */
static int tab_turn(const char *s, size_t n, tr_turn *t, size_t base)
{
    size_t i = 0, nl, k, sp;
    char tm[TR_TIME_MAX];
    while (i < n && s[i] != '\t' && i <= 4 * TR_NAME_MAX_CHARS)
        i++;
    if (i == 0 || i >= n || s[i] != '\t')
        return 0;
    nl = trim_end(s, i);
    if (nl == 0 || !looks_like_name(s, nl))
        return 0;
    while (i < n && (s[i] == '\t' || s[i] == ' '))
        i++;
    if (i >= n)
        return 0;
    t->shape = TR_PLAIN;
    t->name = base;
    t->name_len = nl;
    k = any_time(s + i, n - i, tm);
    if (k > 0 && k == trim_end(s + i, n - i)) {
        memset(t, 0, sizeof *t);
        return 0; /* "Name<TAB>0:03" alone: the text is below (Descript) */
    }
    sp = k ? quarry_utf8_space_prefix(s + i + k, n - i - k) : 0;
    if (k > 0 && sp > 0) {
        memcpy(t->time, tm, sizeof tm);
        i += k + sp;
    }
    t->text = base + i;
    return 1;
}

int tr_turn_line(const char *buf, const tr_line *l, tr_turn *t)
{
    const char *s = buf + l->start;
    size_t n = l->end - l->start, k, nl, after, sp;
    char tm[TR_TIME_MAX];

    memset(t, 0, sizeof *t);
    if (n == 0)
        return 0;
    /* A time first. */
    k = any_time(s, n, tm);
    if (k > 0) {
        size_t rest;
        sp = quarry_utf8_space_prefix(s + k, n - k);
        if (sp == 0 || k + sp >= n)
            return 0;
        k += sp;
        memcpy(t->time, tm, sizeof tm);
        t->name = l->start + k;
        if (tr_plain_turn(s + k, n - k, &nl, &after)) {
            t->shape = TR_TIME_NAME;
            t->name_len = nl;
            t->text = l->start + k + after;
            return 1;
        }
        if (tab_turn(s + k, n - k, t, l->start + k)) {
            t->shape = TR_TIME_NAME;
            memcpy(t->time, tm, sizeof tm);
            return 1;
        }
        rest = trim_end(s + k, n - k);
        if (looks_like_name(s + k, rest)) {
            t->shape = TR_TIME_NAME_LINE;
            t->name_len = rest;
            t->text = l->next;
            return 1;
        }
        memset(t, 0, sizeof *t);
        return 0;
    }
    if (name_time_turn(s, n, t, l->start))
        return 1;
    if (tr_plain_turn(s, n, &nl, &after)) {
        t->shape = TR_PLAIN;
        t->name = l->start;
        t->name_len = nl;
        t->text = l->start + after;
        sp = quarry_utf8_space_prefix(s + after, n - after);
        k = tr_time_bracketed(s + after + sp, n - after - sp, tm);
        if (k > 0) {
            t->shape = TR_PLAIN_TIME;
            memcpy(t->time, tm, sizeof tm);
            t->text = l->start + after + sp + k;
        }
        return 1;
    }
    if (tab_turn(s, n, t, l->start))
        return 1;
    /* "Name  0:03" alone on its line. */
    {
        size_t end = trim_end(s, n), i = end;
        while (i > 0 && s[i - 1] != ' ' && s[i - 1] != '\t')
            i--;
        if (i == 0 || i == end || any_time(s + i, end - i, tm) != end - i)
            return 0;
        nl = trim_end(s, i);
        /* Two spaces or a tab before a bare time, as Otter writes it: one
         * space is too often "Monday 10:30" in someone's words. */
        if (s[i] != '[' && s[i] != '(' &&
            (i - nl < 2 && s[nl] != '\t'))
            return 0;
        if (!looks_like_name(s, nl))
            return 0;
        t->shape = TR_NAME_TIME_LINE;
        t->name = l->start;
        t->name_len = nl;
        t->text = l->next;
        memcpy(t->time, tm, sizeof tm);
        return 1;
    }
}

/* ---------------------------------------------------------------- */
/* Lines that look like turns */

static const char *const look_names[TR_LOOK_COUNT] = {
    "\"[00:01:23] text\"", "\"(00:01:23) text\"", "\"00:01:23 text\"",
    "\"Name - text\"",     "\"**Name:** text\"",  "\"[Name] text\"",
    "\"<Name> text\"",     "\"Name:text\"",       "\"- Name: text\"",
    "\"[00:01:23]\" alone"};

const char *tr_look_name(int look)
{
    return look >= 0 && look < TR_LOOK_COUNT ? look_names[look] : "";
}

/* A name or a label, for the shapes with no colon after it. */
static int namelike(const char *s, size_t n)
{
    return looks_like_name(s, n) || (name_run(s, n) == n && tr_is_label(s, n));
}

int tr_looks_like_turn(const char *s, size_t n)
{
    char tm[TR_TIME_MAX];
    size_t k, i, nl, after;

    n = trim_end(s, n);
    if (n == 0)
        return TR_LOOK_NONE;
    k = any_time(s, n, tm);
    if (k > 0)
        return s[0] == '[' ? TR_LOOK_TIME_TEXT
               : s[0] == '(' ? TR_LOOK_PTIME_TEXT
                             : TR_LOOK_BARE_TIME_TEXT;
    /* "- Name: text", "> Name: text", "* Name: text", "• Name: text" */
    if (n > 2 && (s[0] == '-' || s[0] == '>' || s[0] == '*') && s[1] == ' ' &&
        tr_plain_turn(s + 2, n - 2, &nl, &after))
        return TR_LOOK_LIST;
    if (n > 4 && memcmp(s, "\xE2\x80\xA2 ", 4) == 0 &&
        tr_plain_turn(s + 4, n - 4, &nl, &after))
        return TR_LOOK_LIST;
    /* "**Name:** text", "__Name__: text", "*Name:*" */
    if (s[0] == '*' || s[0] == '_') {
        i = 0;
        while (i < n && i < 3 && (s[i] == '*' || s[i] == '_'))
            i++;
        k = name_run(s + i, n - i);
        if (k > 0) {
            size_t j = i + k;
            while (j < n && (s[j] == '*' || s[j] == '_'))
                j++;
            if (j < n && s[j] == ':')
                return TR_LOOK_EMPHASIS;
        }
        return TR_LOOK_NONE;
    }
    /* "[Name] text", "<Name> text" */
    if (s[0] == '[' || s[0] == '<') {
        char close = s[0] == '[' ? ']' : '>';
        k = name_run(s + 1, n - 1);
        if (k > 0 && 1 + k < n && s[1 + k] == close &&
            (2 + k == n || s[2 + k] == ' ' || s[2 + k] == ':'))
            return s[0] == '[' ? TR_LOOK_BRACKET_NAME : TR_LOOK_ANGLE_NAME;
        return TR_LOOK_NONE;
    }
    k = name_run(s, n);
    /* "Name:text" */
    if (k > 0 && k < n && s[k] == ':' && k + 1 < n && s[k + 1] != '/' &&
        s[k + 1] != ' ' && !is_digit(s[k + 1]) && namelike(s, trim_end(s, k)))
        return TR_LOOK_NO_SPACE;
    /* "Name - text", with an en or em dash too: the name ends before the
     * dash's space. */
    for (i = 1; i + 2 < n && i <= 4 * TR_NAME_MAX_CHARS; i++) {
        if (s[i - 1] != ' ')
            continue;
        if (s[i] == '-' && s[i + 1] == ' ')
            return namelike(s, trim_end(s, i)) ? TR_LOOK_DASH : TR_LOOK_NONE;
        if (i + 3 < n && memcmp(s + i, "\xE2\x80", 2) == 0 &&
            (s[i + 2] == '\x93' || s[i + 2] == '\x94') && s[i + 3] == ' ')
            return namelike(s, trim_end(s, i)) ? TR_LOOK_DASH : TR_LOOK_NONE;
    }
    return TR_LOOK_NONE;
}

/* ---------------------------------------------------------------- */
/* Labels and roles */

/* The label's core, lowercased ASCII, without a trailing '.', number or
 * spaces, into out (cap bytes); its length, or (size_t)-1 when it does
 * not fit or is not ASCII. *numbered says whether a number was cut. */
static size_t label_core(const char *s, size_t n, char *out, size_t cap,
                         int *numbered)
{
    size_t i;

    *numbered = 0;
    while (n > 0 && (s[n - 1] == '.' || s[n - 1] == ' '))
        n--;
    while (n > 0 && is_digit(s[n - 1])) {
        n--;
        *numbered = 1;
    }
    while (n > 0 && s[n - 1] == ' ')
        n--;
    if (n >= cap)
        return (size_t)-1;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80)
            return (size_t)-1;
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[n] = '\0';
    return n;
}

static const char *const interviewer_labels[] = {
    "i",  "int",      "intv",      "iv",          "interviewer",
    "q",  "question", "mod",       "moderator",   "fac",
    "facilitator",    "researcher", "interviewers", NULL};
static const char *const other_labels[] = {
    "r",           "a",      "p",          "resp", "respondent", "participant",
    "interviewee", "answer", "speaker",    "ie",   "part",       NULL};

static int in_list(const char *const *list, const char *s)
{
    for (; *list != NULL; list++)
        if (strcmp(*list, s) == 0)
            return 1;
    return 0;
}

int tr_is_label(const char *s, size_t n)
{
    char core[32];
    int numbered;
    size_t m = label_core(s, n, core, sizeof core, &numbered);

    if (numbered)
        return 1; /* P1, R02, Speaker 2, Participant 3, 12 */
    if (m == (size_t)-1)
        return 0;
    return m <= 1 || in_list(interviewer_labels, core) ||
           in_list(other_labels, core);
}

int tr_label_is_interviewer(const char *s, size_t n)
{
    char core[32];
    int numbered;
    size_t m = label_core(s, n, core, sizeof core, &numbered);

    return m != (size_t)-1 && in_list(interviewer_labels, core);
}

int tr_name_in_list(const char *list, size_t list_len, const char *s,
                    size_t n)
{
    size_t i = 0;

    while (i < list_len) {
        size_t j = i, a, b;
        /* An item ends at ',', ';', '&' or " and ". */
        while (j < list_len && list[j] != ',' && list[j] != ';' &&
               list[j] != '&' &&
               !(j + 5 <= list_len && strncasecmp(list + j, " and ", 5) == 0))
            j++;
        a = i + quarry_utf8_space_prefix(list + i, j - i);
        b = j - quarry_utf8_space_suffix(list + a, j - a);
        if (b - a == n && n > 0 && strncasecmp(list + a, s, n) == 0)
            return 1;
        if (j < list_len && list[j] == ' ')
            j += 5;
        else
            j++;
        i = j;
    }
    return 0;
}
