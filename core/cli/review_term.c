/*
 * review_term.c -- raw terminal for `quarry review` (review_term.h).
 *
 * What raw mode changed is undone from one place, term_restore_now(),
 * which only calls async-signal-safe functions (tcsetattr, write), so the
 * signal handlers can call it before the signal takes its default course.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "review_term.h"

/* Enter the alternate screen, show the cursor. */
static const char ENTER_SCREEN[] = "\033[?1049h\033[H\033[2J";
/* Reset attributes, show the cursor, leave the alternate screen. */
static const char LEAVE_SCREEN[] = "\033[0m\033[?25h\033[?1049l";

/* The state the handlers need: plain statics, set before the handlers are
 * installed. */
static struct termios saved_termios;
static volatile sig_atomic_t raw_active;
static int raw_in_fd = -1, raw_out_fd = -1;
static volatile sig_atomic_t resized;
static int atexit_done;

static const int fatal_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define N_FATAL (sizeof fatal_signals / sizeof fatal_signals[0])
static struct sigaction old_actions[N_FATAL], old_winch;

static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

static void term_restore_now(void)
{
    if (!raw_active)
        return;
    raw_active = 0;
    tcsetattr(raw_in_fd, TCSAFLUSH, &saved_termios);
    write_all(raw_out_fd, LEAVE_SCREEN, sizeof LEAVE_SCREEN - 1);
}

static void on_fatal(int sig)
{
    int saved = errno;
    term_restore_now();
    /* Die of the signal, as if it had not been caught. */
    signal(sig, SIG_DFL);
    raise(sig);
    errno = saved;
}

static void on_winch(int sig)
{
    (void)sig;
    resized = 1;
}

static void restore_at_exit(void)
{
    term_restore_now();
}

int term_open(review_term *t)
{
    memset(t, 0, sizeof *t);
    t->in_fd = STDIN_FILENO;
    t->out_fd = -1;
    if (!isatty(STDIN_FILENO))
        return -1;
    if (isatty(STDERR_FILENO)) {
        t->out_fd = STDERR_FILENO;
    } else {
        t->out_fd = open("/dev/tty", O_WRONLY | O_CLOEXEC);
        if (t->out_fd < 0)
            return -1;
        t->own_out = 1;
    }
    term_size(t);
    return 0;
}

void term_close(review_term *t)
{
    term_stop(t);
    if (t->own_out && t->out_fd >= 0)
        close(t->out_fd);
    t->out_fd = -1;
    t->own_out = 0;
}

void term_size(review_term *t)
{
    struct winsize ws;
    t->cols = 80;
    t->rows = 24;
    if (ioctl(t->out_fd, TIOCGWINSZ, &ws) == 0 ||
        ioctl(t->in_fd, TIOCGWINSZ, &ws) == 0) {
        /* Too small a window gets a screen that overflows it rather
         * than none. */
        if (ws.ws_col > 0)
            t->cols = ws.ws_col < 20 ? 20 : ws.ws_col;
        if (ws.ws_row > 0)
            t->rows = ws.ws_row < 8 ? 8 : ws.ws_row;
    }
}

int term_start(review_term *t)
{
    struct termios raw;
    struct sigaction sa;
    size_t i;
    if (tcgetattr(t->in_fd, &saved_termios) != 0)
        return -1;
    raw = saved_termios;
    /* No echo, no line editing, no signals from keys, no CR/NL games, no
     * flow control; one byte at a time. Output processing stays on. */
    raw.c_lflag &= ~(tcflag_t)(ECHO | ICANON | ISIG | IEXTEN);
    raw.c_iflag &= ~(tcflag_t)(IXON | ICRNL | INLCR | IGNCR | BRKINT |
                               INPCK | ISTRIP);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;

    raw_in_fd = t->in_fd;
    raw_out_fd = t->out_fd;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_fatal;
    for (i = 0; i < N_FATAL; i++)
        sigaction(fatal_signals[i], &sa, &old_actions[i]);
    /* No SA_RESTART: a resize interrupts the read so the screen is
     * redrawn. */
    sa.sa_handler = on_winch;
    sigaction(SIGWINCH, &sa, &old_winch);
    if (!atexit_done) {
        atexit(restore_at_exit);
        atexit_done = 1;
    }
    if (tcsetattr(t->in_fd, TCSAFLUSH, &raw) != 0) {
        int saved = errno;
        for (i = 0; i < N_FATAL; i++)
            sigaction(fatal_signals[i], &old_actions[i], NULL);
        sigaction(SIGWINCH, &old_winch, NULL);
        errno = saved;
        return -1;
    }
    raw_active = 1;
    write_all(t->out_fd, ENTER_SCREEN, sizeof ENTER_SCREEN - 1);
    term_size(t);
    return 0;
}

void term_stop(review_term *t)
{
    size_t i;
    int was = raw_active;
    (void)t;
    term_restore_now();
    if (was) {
        for (i = 0; i < N_FATAL; i++)
            sigaction(fatal_signals[i], &old_actions[i], NULL);
        sigaction(SIGWINCH, &old_winch, NULL);
    }
}

void term_write(review_term *t, const char *buf, size_t len)
{
    write_all(t->out_fd, buf, len);
}

/* A byte that may follow within a short wait (the rest of an escape
 * sequence), or -1. */
static int byte_soon(int fd, int ms)
{
    struct pollfd pfd;
    unsigned char c;
    pfd.fd = fd;
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (poll(&pfd, 1, ms) <= 0)
        return -1;
    if (read(fd, &c, 1) != 1)
        return -1;
    return c;
}

/* The key an arrow sequence's final byte names, or 0. */
static int arrow(int final)
{
    switch (final) {
    case 'A':
        return TERM_KEY_UP;
    case 'B':
        return TERM_KEY_DOWN;
    case 'C':
        return TERM_KEY_RIGHT;
    case 'D':
        return TERM_KEY_LEFT;
    default:
        return 0;
    }
}

int term_key(review_term *t)
{
    unsigned char c;
    for (;;) {
        ssize_t n;
        if (resized) {
            resized = 0;
            term_size(t);
            return TERM_KEY_RESIZE;
        }
        n = read(t->in_fd, &c, 1);
        if (n == 1)
            break;
        if (n < 0 && errno == EINTR)
            continue;
        return TERM_KEY_EOF;
    }
    if (c == '\n')
        return TERM_KEY_ENTER;
    if (c == 8)
        return TERM_KEY_BACKSPACE;
    if (c != 27)
        return c;
    /* ESC alone, or the start of a sequence (CSI "ESC [ ... final" or
     * SS3 "ESC O x"): read the sequence whole; the arrows and the paging
     * keys are named, the rest ignored. */
    {
        int next = byte_soon(t->in_fd, 30);
        if (next < 0)
            return TERM_KEY_ESC;
        if (next == 'O')
            return arrow(byte_soon(t->in_fd, 30));
        if (next == '[') {
            int k, guard = 0, param = 0;
            while ((k = byte_soon(t->in_fd, 30)) >= 0 && guard++ < 32) {
                if (k >= '0' && k <= '9' && param < 1000)
                    param = param * 10 + (k - '0');
                if (k >= 0x40 && k <= 0x7e)
                    break;
            }
            if (k == '~')
                return param == 5 ? TERM_KEY_PGUP
                       : param == 6 ? TERM_KEY_PGDN
                                    : 0;
            return arrow(k);
        }
        return 0;
    }
}
