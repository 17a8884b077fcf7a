/*
 * transcript.h -- what the parts of the transcript reader share:
 * reader_transcript.c (the header, attributes, the walk over the lines),
 * transcript_line.c (the shapes of a turn's first line, time stamps,
 * roles), transcript_cues.c (SRT and WebVTT cue files) and
 * transcript_segment.c (turns, paragraphs and sentences as excerpts).
 * Internal; not installed.
 *
 * The reader cuts excerpts out of a "view": the file itself (plain
 * transcripts), or a cleaned copy of a turn's cue text with, for every byte,
 * the offset in the file it came from (cue files), so an excerpt's start
 * and end are always offsets in the file.
 */
#ifndef QUARRY_TRANSCRIPT_H
#define QUARRY_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "corpus.h"

#define TR_NAME_MAX_CHARS 40
#define TR_HEADER_MAX_KEYS 64
#define TR_TIME_MAX 16 /* "123:59:59.999" and a NUL */

/* One line of a buffer. */
typedef struct tr_line {
    size_t start, end; /* content, without the line break */
    size_t next;       /* start of the next line */
} tr_line;

/* The next line at pos (below len); 0 past the end. */
int tr_next_line(const char *buf, size_t len, size_t pos, tr_line *l);

/* ---------------------------------------------------------------- */
/* Time stamps (transcript_line.c) */

/* A time stamp at s[0..n): [h]h:mm:ss or m:ss (first part 1-3 digits,
 * later parts 2 digits below 60), with an optional .mmm or ,mmm fraction
 * (1-3 digits), not followed by a digit or ':'. Returns its length (0 when
 * there is none) and writes it normalised into out, "HH:MM:SS" or
 * "HH:MM:SS.mmm" (minutes over 59 carried into hours). */
size_t tr_time(const char *s, size_t n, char out[TR_TIME_MAX]);

/* The same inside "[...]" or "(...)": the length with the brackets. */
size_t tr_time_bracketed(const char *s, size_t n, char out[TR_TIME_MAX]);

/* ---------------------------------------------------------------- */
/* The first line of a turn (transcript_line.c) */

typedef enum tr_shape {
    TR_NONE = 0,
    TR_PLAIN,          /* Name: text */
    TR_PLAIN_TIME,     /* Name: [00:01:23] text */
    TR_TIME_NAME,      /* [00:01:23] Name: text, 00:01:23 Name: text */
    TR_NAME_TIME,      /* Name (00:01:23): text, Name [01:23]: */
    TR_TIME_NAME_LINE, /* [00:01:23] Name   (alone; text below) */
    TR_NAME_TIME_LINE  /* Name  0:03       (alone; text below) */
} tr_shape;

typedef struct tr_turn {
    tr_shape shape;
    size_t name, name_len; /* the speaker, offsets in the buffer */
    size_t text;           /* where the turn's text starts */
    char time[TR_TIME_MAX]; /* "" when the line has no time */
} tr_turn;

/* Does buf[l->start, l->end) start a turn? Fills t. */
int tr_turn_line(const char *buf, const tr_line *l, tr_turn *t);

/* "Name: text" at s[0..n) (the rule before time stamps): the name's length
 * with trailing spaces cut and the offset just past the ':'. */
int tr_plain_turn(const char *s, size_t n, size_t *name_len, size_t *after);

/* Kinds of lines that look like turns but are not read as turns, for the
 * warning; TR_LOOK_NONE when the line looks like none of them. */
enum {
    TR_LOOK_NONE = -1,
    TR_LOOK_TIME_TEXT = 0, /* [00:01:23] text */
    TR_LOOK_PTIME_TEXT,    /* (00:01:23) text */
    TR_LOOK_BARE_TIME_TEXT,/* 00:01:23 text */
    TR_LOOK_DASH,          /* Name - text */
    TR_LOOK_EMPHASIS,      /* **Name:** text */
    TR_LOOK_BRACKET_NAME,  /* [Name] text */
    TR_LOOK_ANGLE_NAME,    /* <Name> text */
    TR_LOOK_NO_SPACE,      /* Name:text */
    TR_LOOK_LIST,          /* - Name: text, > Name: text */
    TR_LOOK_TIME_ALONE,    /* [00:01:23] alone, no turn after it */
    TR_LOOK_COUNT
};
int tr_looks_like_turn(const char *s, size_t n);
const char *tr_look_name(int look);

/* Is s[0..n) a short speaker label (I, R, Q, A, P1, Int, Interviewer 2,
 * Participant 3, Speaker 1, ...) that can never be a header key? */
int tr_is_label(const char *s, size_t n);

/* The role a label names by itself: 1 for an interviewer label (I, Int,
 * Interviewer, Q, Moderator, Facilitator, Researcher, each with an
 * optional number), 0 otherwise. */
int tr_label_is_interviewer(const char *s, size_t n);

/* Is name s[0..n) in the list "A, B; C and D" (case-insensitive)? */
int tr_name_in_list(const char *list, size_t list_len, const char *s,
                    size_t n);

/* ---------------------------------------------------------------- */
/* The reader's state (reader_transcript.c) */

/* The longest first line read as a transcript's title. */
#define TR_TITLE_MAX 200

typedef struct tr_header_entry {
    size_t key_off, key_len; /* lowercased key in keys */
    corpus_span name;        /* the key as written */
    corpus_span value;
} tr_header_entry;

typedef struct tr_state {
    corpus_reader *r;
    const char *buf; /* the file */
    size_t len;
    /* The view excerpts are cut from: the file (map NULL), or a cleaned
     * text whose byte i came from file offset map[i]. */
    const char *text;
    size_t text_len;
    const size_t *map, *map_end; /* [map[i], map_end[i]) in the file */
    size_t text_at; /* file offset of an empty view's excerpt */
    /* Header. */
    tr_header_entry header[TR_HEADER_MAX_KEYS];
    size_t n_header;
    char *keys;
    size_t n_keys, cap_keys;
    /* The current turn's attributes. */
    corpus_span speaker;
    corpus_span attrs[2 * (TR_HEADER_MAX_KEYS + 4)];
    size_t n_attrs;
    char time[TR_TIME_MAX], time_end[TR_TIME_MAX];
    char *json;
    size_t json_len;
    /* Output. */
    char stem[256];
    int64_t n; /* excerpts so far */
    int64_t turns;
    int64_t text_lines; /* lines that are not blank (plain transcripts) */
    /* The first speakers met, and whether one is an interviewer: a file
     * of several speakers and no interviewer gets a notice. */
    char speakers[4][TR_NAME_MAX_CHARS * 4 + 1];
    int n_speakers, more_speakers, any_interviewer;
    size_t line_pos;
    int64_t line_no; /* line of line_pos */
    /* The longest excerpt (bytes) and its line: a turn of a whole book
     * is a file whose line breaks or speaker names were lost. */
    size_t longest;
    int64_t longest_line;
} tr_state;

/* An excerpt longer than this (bytes, about 8,000 words) gets a notice. */
#define TR_LONG_EXCERPT 50000

/* Start a turn: its speaker (s == NULL for none) and times ("" for none);
 * builds the attributes of the excerpts that follow. */
int tr_set_turn(tr_state *st, corpus_span speaker, const char *time,
                const char *time_end);

/* Cut the view's text[s, e) into excerpts by the segmentation option
 * (transcript_segment.c). */
int tr_emit_region(tr_state *st, size_t s, size_t e);

/* Is path named .srt or .vtt? */
int tr_cue_name(const char *path);

/* Read buf as SRT or WebVTT cues (transcript_cues.c). */
int tr_read_cues(tr_state *st, size_t pos);

/* Is the file at pos (past a BOM) a cue file: a WEBVTT first line, or a
 * first block of a number and a "00:00:01,000 --> ..." line? */
int tr_is_cue_file(const char *buf, size_t len, size_t pos);

#endif /* QUARRY_TRANSCRIPT_H */
