/*
 * review_term.h -- the terminal of `quarry review`: raw mode restored on
 * every way out (normal return, exit(), SIGINT, SIGTERM, SIGHUP, SIGQUIT),
 * the alternate screen, the window size, one key at a time. Plain ANSI;
 * no curses.
 */
#ifndef QUARRY_REVIEW_TERM_H
#define QUARRY_REVIEW_TERM_H

#include <stddef.h>

/* Keys that are not bytes. */
enum {
    TERM_KEY_EOF = -1,    /* end of input or a read error */
    TERM_KEY_RESIZE = -2, /* the window changed size: redraw */
    TERM_KEY_UP = -3,     /* arrow and paging keys */
    TERM_KEY_DOWN = -4,
    TERM_KEY_RIGHT = -5,
    TERM_KEY_LEFT = -6,
    TERM_KEY_PGUP = -7,
    TERM_KEY_PGDN = -8,
    TERM_KEY_ESC = 27,
    TERM_KEY_ENTER = 13,
    TERM_KEY_BACKSPACE = 127
};

typedef struct review_term {
    int in_fd;  /* keys come from here (standard input) */
    int out_fd; /* the screen goes here (stderr or /dev/tty) */
    int own_out; /* out_fd was opened here */
    int cols, rows;
} review_term;

/* Use standard input for keys and the terminal for the screen: stderr when
 * it is a terminal, else /dev/tty. -1 when standard input is not a
 * terminal or no terminal can be written to. */
int term_open(review_term *t);
/* Raw mode, the alternate screen, and the signal handlers that undo both.
 * -1 with errno set on failure (nothing changed then). */
int term_start(review_term *t);
/* Leave raw mode and the alternate screen; safe to call twice. */
void term_stop(review_term *t);
void term_close(review_term *t);
/* Read the window size into cols, rows (80 x 24 when unknown). */
void term_size(review_term *t);
/* The next key: a byte, TERM_KEY_UP/DOWN/RIGHT/LEFT/PGUP/PGDN for those
 * keys (other escape sequences are read whole and returned as 0),
 * TERM_KEY_ESC for Esc alone, TERM_KEY_RESIZE or TERM_KEY_EOF.
 * Ctrl-C and Ctrl-D come as the bytes 3 and 4 (no signal in raw mode). */
int term_key(review_term *t);
/* Write all of buf to the screen. */
void term_write(review_term *t, const char *buf, size_t len);

#endif
