/*
 * test_transcript.c -- the transcript reader: speaker turns as people and
 * transcription services write them (time stamps before or after the
 * name, names alone on a line, SRT and WebVTT cues), the header block and
 * its rule, speaker roles, time attributes, exact offsets, id prefixes and
 * the warning for a file whose turns were not found.
 *
 * Fixtures are under tests/data/readers/ (the first transcripts) and
 * tests/data/transcripts/ (one file per service's shape).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_files.h"

#include "quarry/quarry.h"
#include "test_reader_util.h"

/* ------------------------------------------------------------------ */
/* Helpers */

static const quarry_excerpt *at(const quarry_corpus *c, size_t i)
{
    const quarry_excerpt *e = quarry_corpus_at(c, i);
    assert_non_null(e);
    return e;
}

/* text == file[start, end) and it is NUL-terminated. */
static void assert_offsets(const quarry_excerpt *e, const char *file,
                           size_t file_len)
{
    assert_true(e->start >= 0);
    assert_true(e->end >= e->start);
    assert_true((size_t)e->end <= file_len);
    assert_int_equal((size_t)(e->end - e->start), e->text_len);
    assert_memory_equal(file + e->start, e->text, e->text_len);
    assert_int_equal(e->text[e->text_len], '\0');
}

/* An attribute of excerpt i is v (NULL: absent). */
static void assert_attr(const quarry_corpus *c, size_t i, const char *key,
                        const char *v)
{
    const char *got = quarry_corpus_attribute(c, i, key);
    if (v == NULL) {
        if (got != NULL) {
            print_error("excerpt %zu: \"%s\" is \"%s\", want none\n", i, key,
                        got);
            fail();
        }
        return;
    }
    if (got == NULL || strcmp(got, v) != 0) {
        print_error("excerpt %zu: \"%s\" is \"%s\", want \"%s\"\n", i, key,
                    got ? got : "(none)", v);
        fail();
    }
}

/* ------------------------------------------------------------------ */
/* The plain reader as it was: turns, segments, the header, bytes */

typedef struct want {
    const char *id, *speaker, *text;
    int64_t line;
} want;

static void check_transcript(const char *file, quarry_segment seg,
                             const want *w, size_t n)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    size_t len, i;
    char *buf = test_slurp(data_path(file), &len);

    o.segment = seg;
    assert_int_equal(read_data(c, file, &o), QUARRY_OK);
    if (quarry_corpus_size(c) != n) {
        for (i = 0; i < quarry_corpus_size(c); i++)
            print_message("  %s [%s]\n", at(c, i)->id, at(c, i)->text);
    }
    assert_int_equal(quarry_corpus_size(c), n);
    for (i = 0; i < n; i++) {
        const quarry_excerpt *e = at(c, i);
        assert_string_equal(e->id, w[i].id);
        if (w[i].speaker) {
            assert_string_equal(e->speaker, w[i].speaker);
            assert_string_equal(quarry_corpus_attribute(c, i, "speaker"),
                                w[i].speaker);
        } else {
            assert_null(e->speaker);
        }
        assert_string_equal(e->text, w[i].text);
        assert_int_equal(e->line, w[i].line);
        assert_offsets(e, buf, len);
    }
    free(buf);
    quarry_corpus_free(c);
}

#define ZOE "Zo\xC3\xAB \xC3\x93 Briain"

static void test_transcript_turns(void **state)
{
    static const want w[] = {
        {"interview#1", "Interviewer",
         "Thank you for joining. Could you tell me about your role?", 4},
        {"interview#2", ZOE,
         "Sure. I work as a peer support specialist on a ward.\n"
         "The staff there were unsure of me at first, e.g. they asked Dr. "
         "Smith to check my notes!\n\nOver time it got better. Now I feel "
         "part of the team.",
         5},
        {"interview#3", "Interviewer", "What helped?", 9},
        {"interview#4", ZOE,
         "Supervision, mostly. See http://example.org at 10:30 for more.", 10},
    };
    quarry_corpus *c = new_corpus();
    (void)state;

    check_transcript("readers/interview.txt", QUARRY_SEGMENT_TURN, w, 4);

    /* the header's keys, lowercased, are attributes of every excerpt */
    assert_int_equal(read_data(c, "readers/interview.txt", NULL), QUARRY_OK);
    assert_string_equal(at(c, 0)->attributes,
                        "{\"study\":\"S6\",\"date\":\"2022-03-14\","
                        "\"speaker\":\"Interviewer\","
                        "\"role\":\"interviewer\"}");
    assert_string_equal(quarry_corpus_attribute(c, 3, "study"), "S6");
    assert_string_equal(quarry_corpus_attribute(c, 3, "date"), "2022-03-14");
    assert_null(quarry_corpus_attribute(c, 3, "Study"));
    assert_int_equal(at(c, 0)->n_codes, 0);
    assert_has(at(c, 0)->source, "interview.txt");
    /* speakers are shared */
    assert_ptr_equal(at(c, 1)->speaker, at(c, 3)->speaker);
    quarry_corpus_free(c);
}

static void test_transcript_paragraphs(void **state)
{
    static const want w[] = {
        {"interview#1", "Interviewer",
         "Thank you for joining. Could you tell me about your role?", 4},
        {"interview#2", ZOE,
         "Sure. I work as a peer support specialist on a ward.\n"
         "The staff there were unsure of me at first, e.g. they asked Dr. "
         "Smith to check my notes!",
         5},
        {"interview#3", ZOE,
         "Over time it got better. Now I feel part of the team.", 8},
        {"interview#4", "Interviewer", "What helped?", 9},
        {"interview#5", ZOE,
         "Supervision, mostly. See http://example.org at 10:30 for more.", 10},
    };
    (void)state;
    check_transcript("readers/interview.txt", QUARRY_SEGMENT_PARAGRAPH, w, 5);
}

static void test_transcript_sentences(void **state)
{
    static const want w[] = {
        {"interview#1", "Interviewer", "Thank you for joining.", 4},
        {"interview#2", "Interviewer", "Could you tell me about your role?", 4},
        {"interview#3", ZOE, "Sure.", 5},
        {"interview#4", ZOE, "I work as a peer support specialist on a ward.",
         5},
        {"interview#5", ZOE,
         "The staff there were unsure of me at first, e.g. they asked Dr. "
         "Smith to check my notes!",
         6},
        {"interview#6", ZOE, "Over time it got better.", 8},
        {"interview#7", ZOE, "Now I feel part of the team.", 8},
        {"interview#8", "Interviewer", "What helped?", 9},
        {"interview#9", ZOE, "Supervision, mostly.", 10},
        {"interview#10", ZOE, "See http://example.org at 10:30 for more.", 10},
    };
    (void)state;
    check_transcript("readers/interview.txt", QUARRY_SEGMENT_SENTENCE, w, 10);
}

static void test_transcript_crlf(void **state)
{
    static const want turns[] = {
        {"crlf#1", "Facilitator", "Welcome, everyone.", 1},
        {"crlf#2", "P2",
         "I was nervous.\r\nIt felt strange.\r\n\r\nBut I stayed. Really!", 2},
        {"crlf#3", "Facilitator", "Good.", 6},
    };
    static const want paras[] = {
        {"crlf#1", "Facilitator", "Welcome, everyone.", 1},
        {"crlf#2", "P2", "I was nervous.\r\nIt felt strange.", 2},
        {"crlf#3", "P2", "But I stayed. Really!", 5},
        {"crlf#4", "Facilitator", "Good.", 6},
    };
    static const want sentences[] = {
        {"crlf#1", "Facilitator", "Welcome, everyone.", 1},
        {"crlf#2", "P2", "I was nervous.", 2},
        {"crlf#3", "P2", "It felt strange.", 3},
        {"crlf#4", "P2", "But I stayed.", 5},
        {"crlf#5", "P2", "Really!", 5},
        {"crlf#6", "Facilitator", "Good.", 6},
    };
    (void)state;
    check_transcript("readers/crlf.txt", QUARRY_SEGMENT_TURN, turns, 3);
    check_transcript("readers/crlf.txt", QUARRY_SEGMENT_PARAGRAPH, paras, 4);
    check_transcript("readers/crlf.txt", QUARRY_SEGMENT_SENTENCE, sentences, 6);
}

/* The same file with old Mac line ends (CR alone): the same turns, lines
 * and paragraphs (it was one turn of the whole interview). */
static void test_transcript_cr(void **state)
{
    static const want turns[] = {
        {"cr#1", "Facilitator", "Welcome, everyone.", 1},
        {"cr#2", "P2", "I was nervous.\rIt felt strange.\r\rBut I stayed. Really!",
         2},
        {"cr#3", "Facilitator", "Good.", 6},
    };
    static const want sentences[] = {
        {"cr#1", "Facilitator", "Welcome, everyone.", 1},
        {"cr#2", "P2", "I was nervous.", 2},
        {"cr#3", "P2", "It felt strange.", 3},
        {"cr#4", "P2", "But I stayed.", 5},
        {"cr#5", "P2", "Really!", 5},
        {"cr#6", "Facilitator", "Good.", 6},
    };
    (void)state;
    check_transcript("readers/cr.txt", QUARRY_SEGMENT_TURN, turns, 3);
    check_transcript("readers/cr.txt", QUARRY_SEGMENT_SENTENCE, sentences, 6);
}

static void test_transcript_first_block_is_dialogue(void **state)
{
    static const want w[] = {
        {"dialogue#1", "Interviewer", "Hi.", 1},
        {"dialogue#2", "P1", "Hello.", 2},
        {"dialogue#3", "Interviewer", "How was it?", 4},
        {"dialogue#4", "P1", "Hard at first.", 5},
    };
    quarry_corpus *c = new_corpus();
    (void)state;

    check_transcript("readers/dialogue.txt", QUARRY_SEGMENT_TURN, w, 4);
    assert_int_equal(read_data(c, "readers/dialogue.txt", NULL), QUARRY_OK);
    assert_string_equal(at(c, 1)->attributes,
                        "{\"speaker\":\"P1\",\"role\":\"participant\"}");
    quarry_corpus_free(c);
}

/* Read s as a transcript and check text == s[start, end) everywhere. */
static quarry_corpus *transcript(const char *name, const char *s,
                                 quarry_segment seg, int allow_empty)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    size_t i;

    o.segment = seg;
    o.allow_empty = allow_empty;
    assert_int_equal(read_str(c, name, s, &o), QUARRY_OK);
    for (i = 0; i < quarry_corpus_size(c); i++)
        assert_offsets(at(c, i), s, strlen(s));
    return c;
}

static void test_transcript_rules(void **state)
{
    quarry_corpus *c;
    (void)state;

    /* Not turns: a URL, a time, a name over 40 characters, a name that
     * starts with punctuation, an indented line. Text before the first
     * turn has no speaker. */
    c = transcript("rules.txt",
                   "Notes taken by hand\n"
                   "A: first\n"
                   "http://example.org/a\n"
                   "10:30 was the time\n"
                   "An extremely long label that is not a speaker name: x\n"
                   "-Dash: no\n"
                   "  B: indented\n"
                   "O'Neil-Smith Jr.: yes\n"
                   "\xD0\x90\xD0\xBD\xD1\x8F: \xD0\xB4\xD0\xB0\n", /* Аня: да */
                   QUARRY_SEGMENT_TURN, 0);
    assert_int_equal(quarry_corpus_size(c), 4);
    assert_null(at(c, 0)->speaker);
    assert_string_equal(at(c, 0)->text, "Notes taken by hand");
    assert_string_equal(at(c, 0)->attributes, "{}");
    assert_string_equal(at(c, 0)->id, "rules#1");
    assert_string_equal(at(c, 1)->speaker, "A");
    assert_string_equal(at(c, 1)->text,
                        "first\nhttp://example.org/a\n10:30 was the time\n"
                        "An extremely long label that is not a speaker "
                        "name: x\n-Dash: no\n  B: indented");
    assert_string_equal(at(c, 2)->speaker, "O'Neil-Smith Jr.");
    assert_string_equal(at(c, 3)->speaker, "\xD0\x90\xD0\xBD\xD1\x8F");
    assert_string_equal(at(c, 3)->text, "\xD0\xB4\xD0\xB0");
    assert_int_equal(at(c, 3)->line, 9);
    quarry_corpus_free(c);

    /* An empty turn is skipped, or kept with allow_empty. */
    c = transcript("e.txt", "A: one\nB:\nA: two\n", QUARRY_SEGMENT_TURN, 0);
    assert_int_equal(quarry_corpus_size(c), 2);
    assert_string_equal(at(c, 1)->id, "e#2");
    assert_string_equal(at(c, 1)->text, "two");
    quarry_corpus_free(c);
    c = transcript("e.txt", "A: one\nB:\nA: two\n", QUARRY_SEGMENT_TURN, 1);
    assert_int_equal(quarry_corpus_size(c), 3);
    assert_string_equal(at(c, 1)->speaker, "B");
    assert_int_equal(at(c, 1)->text_len, 0);
    quarry_corpus_free(c);

    /* A header needs a blank line after it and turns after that. */
    c = transcript("h.txt", "Study: S1\nSite: Ward 3\n\nA: hello\n",
                   QUARRY_SEGMENT_TURN, 0);
    assert_int_equal(quarry_corpus_size(c), 1);
    assert_string_equal(
        at(c, 0)->attributes,
        "{\"study\":\"S1\",\"site\":\"Ward 3\",\"speaker\":\"A\","
        "\"role\":\"participant\"}");
    assert_int_equal(at(c, 0)->line, 4);
    quarry_corpus_free(c);
    /* A short label ends the header as well as a blank line (this was
     * three turns, "Study" the first speaker, before labels were known). */
    c = transcript("h.txt", "Study: S1\nSite: Ward 3\nA: hello\n",
                   QUARRY_SEGMENT_TURN, 0);
    assert_int_equal(quarry_corpus_size(c), 1);
    assert_string_equal(at(c, 0)->speaker, "A");
    assert_string_equal(quarry_corpus_attribute(c, 0, "site"), "Ward 3");
    quarry_corpus_free(c);
    /* Notes that are neither header nor turns: no header. */
    c = transcript("h.txt", "Study: S1\nSome notes here.\n\nA: hello\n",
                   QUARRY_SEGMENT_TURN, 0);
    assert_int_equal(quarry_corpus_size(c), 2);
    assert_string_equal(at(c, 0)->speaker, "Study");
    quarry_corpus_free(c);

    /* Sentences: titles, initials, dotted abbreviations, lowercase after a
     * period, closing quotes, ellipses. */
    c = transcript("s.txt",
                   "A: Dr. Jones met Mr. Smith. They talked, e.g. about pay, "
                   "etc. and more. J. R. Smith agreed! \"Really?\" she asked. "
                   "Well... Maybe. 3.5 hours\n",
                   QUARRY_SEGMENT_SENTENCE, 0);
    {
        static const char *const want_s[] = {
            "Dr. Jones met Mr. Smith.",
            "They talked, e.g. about pay, etc. and more.",
            "J. R. Smith agreed!",
            "\"Really?\" she asked.",
            "Well...",
            "Maybe.",
            "3.5 hours",
        };
        size_t i;
        for (i = 0; i < quarry_corpus_size(c) && i < 7; i++)
            print_message("  [%s]\n", at(c, i)->text);
        assert_int_equal(quarry_corpus_size(c), 7);
        for (i = 0; i < 7; i++)
            assert_string_equal(at(c, i)->text, want_s[i]);
    }
    quarry_corpus_free(c);
}

static void test_transcript_bad_bytes(void **state)
{
    quarry_corpus *c = new_corpus();
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    (void)state;

    assert_int_equal(read_str(c, "u.txt", "A: fine\nB: caf\xC3(\n", NULL),
                     QUARRY_EUTF8);
    assert_msg(c, "u.txt:2:", NULL, "invalid UTF-8 at byte 7");
    assert_int_equal(
        quarry_corpus_read_buffer(c, "A: x\0y\n", 7, "z.txt", NULL),
        QUARRY_EPARSE);
    assert_msg(c, "z.txt:1:", NULL, "NUL byte at byte 5");
    /* a turn over the size limit */
    o.max_excerpt_bytes = 4;
    assert_int_equal(read_str(c, "m.txt", "A: ok\nB: too long\n", &o),
                     QUARRY_ERANGE);
    assert_msg(c, "m.txt:2:", "text", "8 bytes");
    assert_int_equal(quarry_corpus_size(c), 0);
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* Turns as transcription services write them */

typedef struct turn_want {
    const char *speaker, *role, *time, *text;
} turn_want;

static void check_turns(const quarry_corpus *c, const turn_want *w, size_t n)
{
    size_t i;
    if (quarry_corpus_size(c) != n)
        for (i = 0; i < quarry_corpus_size(c); i++)
            print_message("  %s [%s] [%s]\n", at(c, i)->id,
                          at(c, i)->speaker ? at(c, i)->speaker : "-",
                          at(c, i)->text);
    assert_int_equal(quarry_corpus_size(c), n);
    for (i = 0; i < n; i++) {
        if (w[i].speaker != NULL)
            assert_string_equal(at(c, i)->speaker, w[i].speaker);
        else
            assert_null(at(c, i)->speaker);
        assert_attr(c, i, "role", w[i].role);
        assert_attr(c, i, "time_start", w[i].time);
        if (w[i].text != NULL)
            assert_string_equal(at(c, i)->text, w[i].text);
    }
}

static void test_time_stamp_shapes(void **state)
{
    static const turn_want w[] = {
        {"Interviewer", "interviewer", "00:01:23", "Hello there."},
        {"P1", "participant", "00:01:30", "Hi."},
        {"Interviewer", "interviewer", "00:01:35", "How are you?"},
        {"P1", "participant", "00:01:40", "Fine, thanks."},
        {"I", "interviewer", "00:02:00", "Good."},
        {"Int", "interviewer", "01:02:03.500", "Long day?"},
        {"Jane Doe", "participant", "00:00:04.250",
         "Yes. I left at 10:30\nMonday 10:30\n10:30 was the time"},
        {"Q", "interviewer", "01:15:10", "Right."},
    };
    quarry_corpus *c;
    (void)state;

    c = transcript("shapes.txt",
                   "[00:01:23] Interviewer: Hello there.\n"
                   "00:01:30 P1: Hi.\n"
                   "Interviewer (00:01:35): How are you?\n"
                   "P1 [01:40]: Fine, thanks.\n"
                   "I: [00:02:00] Good.\n"
                   "(1:02:03.5) Int: Long day?\n"
                   "Jane Doe [00:00:04,250]:\n"
                   "Yes. I left at 10:30\n"
                   "Monday 10:30\n"
                   "10:30 was the time\n"
                   "75:10 Q: Right.\n",
                   QUARRY_SEGMENT_TURN, 0);
    check_turns(c, w, 8);
    assert_int_equal(at(c, 6)->line, 8);
    quarry_corpus_free(c);
}

static void test_names_alone_and_times_alone(void **state)
{
    static const turn_want alone[] = {
        {"Speaker 1", "participant", "00:00:02", "Hello."},
        {"Jane Doe", "participant", "01:05:03", "Hi."},
        {"Speaker 2", "participant", "00:00:07", "Text here."},
    };
    static const turn_want before[] = {
        {"Interviewer", "interviewer", "00:00:05", "hi"},
        {"P1", "participant", "00:00:09", "hello"},
        {"P2", "participant", NULL, "bye\n00:00:20\nand more"},
    };
    quarry_corpus *c;
    (void)state;

    /* Otter and Descript: the name and a time alone on a line. */
    c = transcript("otter.txt",
                   "Speaker 1  0:02\nHello.\n\nJane Doe\t1:05:03\nHi.\n"
                   "[00:00:07] Speaker 2\nText here.\n",
                   QUARRY_SEGMENT_TURN, 0);
    check_turns(c, alone, 3);
    quarry_corpus_free(c);
    /* A time alone on its line before a turn is the turn's time; inside a
     * turn's text it stays text. */
    c = transcript("t.txt",
                   "00:00:05\nInterviewer: hi\n\n[00:00:09]\nP1: hello\n"
                   "P2: bye\n00:00:20\nand more\n00:00:31\n",
                   QUARRY_SEGMENT_TURN, 0);
    check_turns(c, before, 3);
    quarry_corpus_free(c);
}

/* A title line (then a blank line, or a header straight after it as in a
 * Word file) is the attribute "title" of every excerpt, not a speakerless
 * excerpt coders meet first; without turns after it, it stays text. */
static void test_title_line(void **state)
{
    static const turn_want otter[] = {
        {"Speaker 1", "participant", "00:00:03", "So, how did you start?"},
        {"Speaker 2", "participant", "00:00:09", "Through the ward."},
    };
    static const turn_want typed[] = {
        {"Q", "interviewer", NULL, "How long?"},
        {"A", "participant", NULL, "Two years."},
    };
    quarry_corpus *c;
    (void)state;
    c = transcript("otter.txt",
                   "Interview with P01 - transcribed by Otter.ai\n\n"
                   "Speaker 1  0:03\nSo, how did you start?\n\n"
                   "Speaker 2  0:09\nThrough the ward.\n",
                   QUARRY_SEGMENT_TURN, 0);
    check_turns(c, otter, 2);
    assert_attr(c, 0, "title", "Interview with P01 - transcribed by Otter.ai");
    assert_attr(c, 1, "title", "Interview with P01 - transcribed by Otter.ai");
    quarry_corpus_free(c);
    c = transcript("typed.txt",
                   "Interview transcript \xE2\x80\x93 Participant 9\n"
                   "Date: 3 March 2026\n\nQ: How long?\nA: Two years.\n",
                   QUARRY_SEGMENT_TURN, 0);
    check_turns(c, typed, 2);
    assert_attr(c, 0, "title", "Interview transcript \xE2\x80\x93 Participant 9");
    assert_attr(c, 0, "date", "3 March 2026");
    quarry_corpus_free(c);
    /* No turns after it: a note, kept as text. */
    c = transcript("note.txt", "A note on the day\n\nIt rained all morning.\n",
                   QUARRY_SEGMENT_TURN, 0);
    assert_int_equal(quarry_corpus_size(c), 1);
    assert_null(quarry_corpus_attribute(c, 0, "title"));
    quarry_corpus_free(c);
}

static void test_header_rule(void **state)
{
    static const turn_want labels[] = {
        {"I", "interviewer", NULL, "Welcome to the study."},
        {"R", "participant", NULL, "Thanks."},
        {"I", "interviewer", NULL, "Shall we start?"},
        {"R", "participant", NULL, "Yes."},
    };
    static const turn_want cut[] = {
        {"Participant", "participant", NULL, "P03"},
        {"Interviewer", "interviewer", NULL, "Hello."},
        {"Participant", "participant", NULL, "Hi."},
    };
    static const turn_want declared[] = {
        {"Jane Doe", "interviewer", NULL, "Hi."},
        {"P1", "participant", NULL, "Hello."},
        {"Sam Lee", "interviewer", NULL, "And welcome."},
    };
    quarry_corpus *c;
    size_t i;
    (void)state;

    /* Short labels are speakers, never header keys ("I: Welcome" was the
     * attribute {"i": "Welcome"}). */
    c = transcript("l.txt",
                   "I: Welcome to the study.\nR: Thanks.\n\n"
                   "I: Shall we start?\nR: Yes.\n",
                   QUARRY_SEGMENT_TURN, 0);
    check_turns(c, labels, 4);
    assert_attr(c, 0, "i", NULL);
    quarry_corpus_free(c);
    /* A key that speaks later ends the header before its line. */
    c = transcript("c.txt",
                   "Study: S1\nParticipant: P03\n\nInterviewer: Hello.\n"
                   "Participant: Hi.\n",
                   QUARRY_SEGMENT_TURN, 0);
    check_turns(c, cut, 3);
    for (i = 0; i < 3; i++)
        assert_attr(c, i, "study", "S1");
    assert_attr(c, 0, "participant", NULL);
    quarry_corpus_free(c);
    c = transcript("s.txt",
                   "Location: Ward 5\nSarah: Hello.\nTom: Hi.\nSarah: Bye.\n",
                   QUARRY_SEGMENT_TURN, 0);
    assert_int_equal(quarry_corpus_size(c), 3);
    assert_string_equal(at(c, 0)->speaker, "Sarah");
    assert_attr(c, 2, "location", "Ward 5");
    quarry_corpus_free(c);
    /* The header names the interviewers. */
    c = transcript("d.txt",
                   "Interviewer: Jane Doe, Sam Lee\nDate: 2024-05-01\n\n"
                   "Jane Doe: Hi.\nP1: Hello.\nSam Lee: And welcome.\n",
                   QUARRY_SEGMENT_TURN, 0);
    check_turns(c, declared, 3);
    assert_attr(c, 1, "interviewer", "Jane Doe, Sam Lee");
    quarry_corpus_free(c);
    /* "Interviewer: Thank you for coming." is a turn, not a name. */
    c = transcript("n.txt",
                   "Interviewer: Thank you for coming.\nP1: Hi.\n\n"
                   "Interviewer: Next.\n",
                   QUARRY_SEGMENT_TURN, 0);
    assert_int_equal(quarry_corpus_size(c), 3);
    assert_attr(c, 0, "interviewer", NULL);
    quarry_corpus_free(c);
}

/* Every excerpt of a data file: text == file[start, end). */
static quarry_corpus *read_exact(const char *name,
                                 const quarry_read_options *o)
{
    quarry_corpus *c = new_corpus();
    size_t len, i;
    char *buf = test_slurp(data_path(name), &len);

    assert_non_null(buf);
    assert_int_equal(read_data(c, name, o), QUARRY_OK);
    for (i = 0; i < quarry_corpus_size(c); i++)
        assert_offsets(at(c, i), buf, len);
    free(buf);
    return c;
}

static void test_service_files(void **state)
{
    static const turn_want otter[] = {
        {"Speaker 1", "participant", "00:00:02", NULL},
        {"Amira Haddad", "participant", "00:00:09", NULL},
        {"Speaker 1", "participant", "00:00:21",
         "What does a typical night look like?"},
        {"Amira Haddad", "participant", "00:00:24",
         "Honestly, it depends on the handover. If the day team is short, we "
         "start behind.\nBy two in the morning you're just catching up."},
        {"Speaker 1", "participant", "00:01:02", NULL},
        {"Amira Haddad", "participant", "00:01:05", NULL},
    };
    static const turn_want rev[] = {
        {"Interviewer", "interviewer", "00:00:03", NULL},
        {"Participant 3", "participant", "00:00:08", NULL},
        {"Interviewer", "interviewer", "00:00:15", NULL},
        {"Participant 3", "participant", "00:00:19",
         "It doubled, more or less. We lost two colleagues to long-term sick "
         "leave [crosstalk 00:00:25] and nobody replaced them."},
        {"Interviewer", "interviewer", "00:01:02", NULL},
        {"Participant 3", "participant", "00:01:05", NULL},
    };
    static const turn_want descript[] = {
        {"Interviewer", "interviewer", "00:00:00", NULL},
        {"Mei Lin", "participant", "00:00:06", NULL},
        {"Interviewer", "interviewer", "00:00:15", NULL},
        {"Mei Lin", "participant", "00:00:19.500",
         "It's harder than I imagined. And better."},
    };
    static const turn_want labels[] = {
        {"I", "interviewer", NULL,
         "Welcome, and thank you for taking part. Is it alright if I "
         "record?"},
        {"R", "participant", NULL, "Yes, that's fine."},
        {"I", "interviewer", NULL, NULL}, {"R", "participant", NULL, NULL},
        {"Q", "interviewer", NULL, NULL}, {"A", "participant", NULL, NULL},
    };
    static const turn_want header[] = {
        {"Dana Whitfield", "interviewer", NULL, NULL},
        {"P03", "participant", NULL, NULL},
        {"Dana Whitfield", "interviewer", NULL, NULL},
        {"P03", "participant", NULL,
         "A walk home. I don't take the bus any more, I need the air."},
    };
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c;
    size_t i;
    (void)state;

    c = read_exact("transcripts/otter.txt", NULL);
    check_turns(c, otter, 6);
    assert_string_equal(at(c, 5)->id, "otter#6");
    assert_int_equal(at(c, 3)->line, 11);
    quarry_corpus_free(c);
    c = read_exact("transcripts/rev.txt", NULL);
    check_turns(c, rev, 6);
    quarry_corpus_free(c);
    c = read_exact("transcripts/descript.txt", NULL);
    check_turns(c, descript, 4);
    quarry_corpus_free(c);
    c = read_exact("transcripts/labels.txt", NULL);
    check_turns(c, labels, 6);
    assert_string_equal(at(c, 0)->attributes,
                        "{\"speaker\":\"I\",\"role\":\"interviewer\"}");
    quarry_corpus_free(c);
    c = read_exact("transcripts/header.txt", NULL);
    check_turns(c, header, 4);
    for (i = 0; i < 4; i++) {
        assert_attr(c, i, "study", "S5 Night-shift wellbeing");
        assert_attr(c, i, "participant", "P03");
        assert_attr(c, i, "date", "2024-03-12");
    }
    assert_string_equal(
        at(c, 1)->attributes,
        "{\"study\":\"S5 Night-shift wellbeing\",\"participant\":\"P03\","
        "\"interviewer\":\"Dana Whitfield\",\"date\":\"2024-03-12\","
        "\"site\":\"Ward 7B\",\"speaker\":\"P03\",\"role\":\"participant\"}");
    quarry_corpus_free(c);
    /* The interviewers option: "Speaker 1" is Otter's name for the
     * interviewer here. */
    o.interviewers = "someone else, speaker 1";
    c = read_exact("transcripts/otter.txt", &o);
    assert_attr(c, 0, "role", "interviewer");
    assert_attr(c, 1, "role", "participant");
    assert_attr(c, 4, "role", "interviewer");
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* Cue files */

/* A cue turn's span: the file from start to end holds the text's lines in
 * order, the first at start and the last ending at end. */
static void assert_cue_span(const quarry_excerpt *e, const char *file)
{
    const char *p = file + e->start, *stop = file + e->end;
    const char *t = e->text;

    while (*t != '\0') {
        const char *nl = strchr(t, '\n');
        size_t n = nl ? (size_t)(nl - t) : strlen(t);
        const char *hit = NULL, *q;
        for (q = p; q + n <= stop; q++)
            if (memcmp(q, t, n) == 0) {
                hit = q;
                break;
            }
        assert_non_null(hit);
        if (t == e->text)
            assert_ptr_equal(hit, file + e->start);
        p = hit + n;
        t += n + (nl != NULL);
    }
    assert_ptr_equal(p, stop);
}

static void test_webvtt(void **state)
{
    static const turn_want teams[] = {
        {"Dr. Lena Fischer", "participant", "00:00:01.520",
         "Thank you for agreeing to talk with me today.\nCould you describe "
         "your first week as a new graduate nurse?"},
        {"Tom\xC3\xA1s Rivera", "participant", "00:00:09.010",
         "My first week was a blur, honestly. I was on a surgical ward\nand "
         "my preceptor was off sick for three of the five days."},
        {"Dr. Lena Fischer", "participant", "00:02:19.000",
         "Who supported you instead?"},
        {"Tom\xC3\xA1s Rivera", "participant", "00:02:21.900",
         "Another new grad, mostly. We held each other up & got through it."},
    };
    static const turn_want zoom[] = {
        {"Jordan Lee", "interviewer", "00:00:02.000",
         "Okay, I think we're recording now.\nSo first, how long have you "
         "worked in the ICU?"},
        {"Priya Nair", "participant", "00:00:09.600", NULL},
        {"Jordan Lee", "interviewer", "00:00:13.800", "What made you move?"},
        {"Priya Nair", "participant", "00:00:17.400", NULL},
    };
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    size_t len, i;
    char *buf = test_slurp(data_path("transcripts/teams.vtt"), &len);
    (void)state;

    assert_int_equal(read_data(c, "transcripts/teams.vtt", NULL), QUARRY_OK);
    check_turns(c, teams, 4);
    assert_attr(c, 0, "time_end", "00:00:08.400");
    assert_attr(c, 1, "time_end", "00:00:18.700");
    for (i = 0; i < 3; i++)
        assert_cue_span(at(c, i), buf);
    assert_string_equal(at(c, 0)->id, "teams#1");
    assert_int_equal(at(c, 0)->line, 5);
    assert_int_equal(at(c, 2)->line, 23);
    /* one cue without markup is exact; &amp; ends the span after it */
    assert_offsets(at(c, 2), buf, len);
    assert_int_equal(strncmp(buf + at(c, 3)->start, "Another", 7), 0);
    assert_int_equal(strncmp(buf + at(c, 3)->end - 3, "it.</v>", 7), 0);
    quarry_corpus_free(c);
    free(buf);

    o.interviewers = "Jordan Lee";
    c = new_corpus();
    buf = test_slurp(data_path("transcripts/zoom.vtt"), &len);
    assert_int_equal(read_data(c, "transcripts/zoom.vtt", &o), QUARRY_OK);
    check_turns(c, zoom, 4);
    assert_attr(c, 0, "time_end", "00:00:09.100");
    assert_cue_span(at(c, 0), buf);
    assert_offsets(at(c, 2), buf, len);
    free(buf);
    quarry_corpus_free(c);
}

static void test_srt(void **state)
{
    static const turn_want turns[] = {
        {"Interviewer", "interviewer", "00:00:01.000",
         "Can you tell me about the night\nthe ward flooded?"},
        {"Participant", "participant", "00:00:04.000",
         "We had to move eleven patients\nin under an hour.\n"
         "Nobody had trained us for that."},
        {"Interviewer", "interviewer", "00:00:10.500", "Eleven?"},
    };
    static const turn_want sentences[] = {
        {"Interviewer", "interviewer", "00:00:01.000",
         "Can you tell me about the night\nthe ward flooded?"},
        {"Participant", "participant", "00:00:04.000",
         "We had to move eleven patients\nin under an hour."},
        {"Participant", "participant", "00:00:04.000",
         "Nobody had trained us for that."},
        {"Interviewer", "interviewer", "00:00:10.500", "Eleven?"},
    };
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    size_t len, i;
    char *buf = test_slurp(data_path("transcripts/flood.srt"), &len);
    (void)state;

    /* CRLF; a cue with no label continues the turn; <i> is markup. */
    assert_int_equal(read_data(c, "transcripts/flood.srt", NULL), QUARRY_OK);
    check_turns(c, turns, 3);
    assert_attr(c, 1, "time_end", "00:00:10.000");
    for (i = 0; i < 3; i++)
        assert_cue_span(at(c, i), buf);
    assert_offsets(at(c, 2), buf, len); /* "Eleven?" between <i> and </i> */
    assert_int_equal(at(c, 0)->line, 3);
    assert_int_equal(at(c, 1)->line, 8);
    assert_int_equal(at(c, 2)->line, 17);
    quarry_corpus_free(c);

    /* Sentences run across cues; each maps back into the file. */
    o.segment = QUARRY_SEGMENT_SENTENCE;
    c = new_corpus();
    assert_int_equal(read_data(c, "transcripts/flood.srt", &o), QUARRY_OK);
    check_turns(c, sentences, 4);
    for (i = 0; i < 4; i++)
        assert_cue_span(at(c, i), buf);
    assert_offsets(at(c, 2), buf, len);
    assert_int_equal(at(c, 2)->line, 13);
    quarry_corpus_free(c);
    free(buf);
}

static void test_cue_rules(void **state)
{
    quarry_corpus *c = new_corpus();
    const char *s;
    (void)state;

    /* No speaker at all: every cue is an excerpt, with its times. */
    s = "WEBVTT - made by hand\nKind: captions\n\n"
        "STYLE\n::cue { color: white }\n\n"
        "00:01.000 --> 00:02.000 align:start\nHello there.\n\n"
        "00:00:02.000 --> 00:00:03.000\n<c.yellow>General</c> Kenobi.\n";
    assert_int_equal(read_str(c, "hand.vtt", s, NULL), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 2);
    assert_null(at(c, 0)->speaker);
    assert_attr(c, 0, "role", NULL);
    assert_attr(c, 0, "time_start", "00:00:01.000");
    assert_attr(c, 1, "time_end", "00:00:03.000");
    assert_string_equal(at(c, 1)->text, "General Kenobi.");
    assert_offsets(at(c, 0), s, strlen(s));
    /* Found by content too, whatever the extension. */
    s = "1\n00:00:01,000 --> 00:00:02,000\nA: yes\n\n"
        "2\n00:00:02,000 --> 00:00:03,000\nB: no\n";
    assert_int_equal(read_str(c, "subs.txt", s, NULL), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 4);
    assert_string_equal(at(c, 3)->speaker, "B");
    assert_string_equal(at(c, 3)->id, "subs#2");
    /* A block with no time line is an error naming its line. */
    s = "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA: hi\n\nstray text\nmore\n";
    assert_int_equal(read_str(c, "bad.vtt", s, NULL), QUARRY_EPARSE);
    assert_msg(c, "bad.vtt:6:", NULL, "not a cue");
    s = "A: hello\n";
    assert_int_equal(read_str(c, "plain.srt", s, NULL), QUARRY_EPARSE);
    assert_msg(c, "plain.srt:1:", NULL, "time line");
    assert_int_equal(quarry_corpus_size(c), 4);
    quarry_corpus_free(c);
}

/* ------------------------------------------------------------------ */
/* The warning, ids, options */

typedef struct notices {
    int n;
    char last[1024];
} notices;

static void on_notice(void *ctx, int level, const char *msg)
{
    notices *nt = ctx;
    assert_int_equal(level, QUARRY_LOG_WARN);
    nt->n++;
    snprintf(nt->last, sizeof nt->last, "%s", msg);
}

static void test_warning(void **state)
{
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    notices nt;
    (void)state;

    memset(&nt, 0, sizeof nt);
    o.notice = on_notice;
    o.notice_ctx = &nt;
    assert_int_equal(read_data(c, "transcripts/unsupported.txt", &o),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 1);
    assert_int_equal(nt.n, 1);
    assert_has(nt.last, "unsupported.txt: 1 excerpt and no speaker turn, but "
                        "6 lines look like turns (\"Name - text\" x6 from "
                        "line 3); is the speaker format supported? see "
                        "README");
    /* Time stamps with no speakers; the most frequent shape first. */
    assert_int_equal(
        read_str(c, "timed.txt",
                 "[00:00:01] so we began\n[00:00:04] and then\n"
                 "**Moderator:** hello\n[00:00:09] it ended\n",
                 &o),
        QUARRY_OK);
    assert_int_equal(nt.n, 2);
    assert_has(nt.last, "4 lines look like turns (\"[00:01:23] text\" x3 "
                        "from line 1, \"**Name:** text\" x1 from line 3)");
    /* Files whose turns were found: no warning. */
    assert_int_equal(read_data(c, "readers/interview.txt", &o), QUARRY_OK);
    assert_int_equal(read_data(c, "transcripts/rev.txt", &o), QUARRY_OK);
    assert_int_equal(read_str(c, "two.txt", "A - one\nB - two\n", &o),
                     QUARRY_OK);
    assert_int_equal(nt.n, 2);
    /* A turn of 60,000 bytes: the line breaks were lost, most likely. */
    {
        size_t i, n = 0;
        char *big = malloc(70000);
        assert_non_null(big);
        n += (size_t)sprintf(big, "Interviewer: tell me\nP1: ");
        for (i = 0; i < 12000; i++)
            n += (size_t)sprintf(big + n, "word ");
        big[n++] = '\n';
        big[n] = '\0';
        assert_int_equal(read_str(c, "long.txt", big, &o), QUARRY_OK);
        free(big);
        assert_int_equal(nt.n, 3);
        assert_has(nt.last, "long.txt:2: one excerpt of 59999 bytes");
    }
    quarry_corpus_free(c);
}

static void test_ids_and_versions(void **state)
{
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    (void)state;

    o.id_prefix = "s1/P01";
    assert_int_equal(read_str(c, "P01.txt", "A: one\nB: two\n", &o),
                     QUARRY_OK);
    o.id_prefix = "s2/P01";
    assert_int_equal(read_str(c, "P01.txt", "A: one\nB: two\n", &o),
                     QUARRY_OK);
    assert_string_equal(at(c, 0)->id, "s1/P01#1");
    assert_string_equal(at(c, 3)->id, "s2/P01#2");
    /* the same file twice without a prefix collides */
    o.id_prefix = NULL;
    assert_int_equal(read_str(c, "P01.txt", "A: one\n", &o), QUARRY_OK);
    assert_int_equal(read_str(c, "P01.txt", "A: one\n", &o), QUARRY_EDUP);
    /* version 1 options (no interviewers, prefix or notice) still read */
    o.version = 1;
    o.interviewers = "A"; /* past a version 1 struct: not read */
    assert_int_equal(read_str(c, "v1.txt", "A: one\n", &o), QUARRY_OK);
    assert_attr(c, 5, "role", "participant");
    o.version = 4;
    assert_int_equal(read_str(c, "v4.txt", "A: one\n", &o), QUARRY_EINVAL);
    assert_msg(c, "v4.txt", NULL, "version 4");
    quarry_corpus_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transcript_turns),
        cmocka_unit_test(test_transcript_paragraphs),
        cmocka_unit_test(test_transcript_sentences),
        cmocka_unit_test(test_transcript_crlf),
        cmocka_unit_test(test_transcript_cr),
        cmocka_unit_test(test_transcript_first_block_is_dialogue),
        cmocka_unit_test(test_transcript_rules),
        cmocka_unit_test(test_transcript_bad_bytes),
        cmocka_unit_test(test_time_stamp_shapes),
        cmocka_unit_test(test_names_alone_and_times_alone),
        cmocka_unit_test(test_header_rule),
        cmocka_unit_test(test_title_line),
        cmocka_unit_test(test_service_files),
        cmocka_unit_test(test_webvtt),
        cmocka_unit_test(test_srt),
        cmocka_unit_test(test_cue_rules),
        cmocka_unit_test(test_warning),
        cmocka_unit_test(test_ids_and_versions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
