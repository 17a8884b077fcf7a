/*
 * test_decode.c -- files that are not UTF-8 text, as people bring them:
 * Word documents (.docx) exported by transcription services or typed by
 * hand, UTF-16 with a byte-order mark (Windows' "Unicode" text), a file in
 * Windows-1252 named with --encoding, and the errors when the encoding is
 * wrong or unknown, the file is cut short, or is a format quarry does not
 * read. The .docx and encoded fixtures in tests/data/transcripts/ are
 * written by make-encoded.py there from the .txt files beside them.
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

#include "corpus.h"
#include "quarry/quarry.h"
#include "test_reader_util.h"

static quarry_corpus *read_ok(const char *name, const char *encoding)
{
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    o.encoding = encoding;
    if (read_data(c, name, &o) != QUARRY_OK)
        fail_msg("%s: %s", name, quarry_corpus_errmsg(c));
    return c;
}

/* s with every run of blank lines cut to one line break (malloc'ed). */
static char *squeeze(const char *s)
{
    char *out = malloc(strlen(s) + 1), *o = out;
    assert_non_null(out);
    for (; *s; s++)
        if (!(*s == '\n' && o > out && o[-1] == '\n'))
            *o++ = *s;
    *o = '\0';
    return out;
}

/* a and b hold the same turns: speakers, times, attributes and texts
 * (blank lines aside when loose). */
static void assert_same_turns(const quarry_corpus *a, const quarry_corpus *b,
                              int loose)
{
    size_t i, n = quarry_corpus_size(a);
    assert_int_equal(quarry_corpus_size(b), n);
    assert_true(n > 0);
    for (i = 0; i < n; i++) {
        const quarry_excerpt *x = quarry_corpus_at(a, i),
                             *y = quarry_corpus_at(b, i);
        assert_string_equal(x->speaker ? x->speaker : "",
                            y->speaker ? y->speaker : "");
        if (loose) {
            char *p = squeeze(x->text), *q = squeeze(y->text);
            assert_string_equal(p, q);
            free(p);
            free(q);
        } else {
            assert_string_equal(x->text, y->text);
        }
        assert_string_equal(x->attributes, y->attributes);
    }
}

static void test_docx_from_a_service_reads_as_its_text(void **state)
{
    /* Otter and Rev export paragraphs spaced by style, no blank ones; a
     * speaker's name in a run of its own, text cut into runs. */
    static const char *const stems[] = {"otter", "rev"};
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        char txt[64], docx[64];
        quarry_corpus *a, *b;
        snprintf(txt, sizeof txt, "transcripts/%s.txt", stems[k]);
        snprintf(docx, sizeof docx, "transcripts/%s.docx", stems[k]);
        a = read_ok(txt, NULL);
        b = read_ok(docx, NULL);
        assert_same_turns(a, b, 1);
        quarry_corpus_free(a);
        quarry_corpus_free(b);
    }
}

static void test_docx_typed_by_hand_keeps_its_header(void **state)
{
    /* Blank paragraphs where the .txt has blank lines: read line for line,
     * so the header block (Study, Participant, ...) is the .txt's. */
    quarry_corpus *a = read_ok("transcripts/header.txt", NULL);
    quarry_corpus *b = read_ok("transcripts/header.docx", NULL);
    (void)state;
    assert_same_turns(a, b, 0);
    assert_string_equal(quarry_corpus_attribute(b, 0, "participant"), "P03");
    quarry_corpus_free(a);
    quarry_corpus_free(b);
}

static void test_offsets_are_in_the_text_as_read(void **state)
{
    static const char *const files[] = {"transcripts/otter.docx",
                                        "transcripts/labels-utf16.txt"};
    size_t k;
    (void)state;
    for (k = 0; k < 2; k++) {
        quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
        quarry_corpus *c = new_corpus();
        char *text = NULL;
        size_t len = 0, i;
        assert_int_equal(
            corpus_read_file_text(c, data_path(files[k]), &o, &text, &len),
            QUARRY_OK);
        assert_non_null(text);
        assert_int_equal(strlen(text), len); /* UTF-8, no NUL inside */
        for (i = 0; i < quarry_corpus_size(c); i++) {
            const quarry_excerpt *x = quarry_corpus_at(c, i);
            assert_true(x->start >= 0 && (size_t)x->end <= len);
            assert_int_equal((size_t)(x->end - x->start), x->text_len);
            assert_memory_equal(text + x->start, x->text, x->text_len);
        }
        free(text);
        quarry_corpus_free(c);
    }
}

static void test_utf16_with_its_mark_reads_by_itself(void **state)
{
    quarry_corpus *a = read_ok("transcripts/labels.txt", NULL);
    quarry_corpus *b = read_ok("transcripts/labels-utf16.txt", NULL);
    (void)state;
    assert_same_turns(a, b, 0);
    quarry_corpus_free(a);
    quarry_corpus_free(b);
}

static void test_windows_1252_needs_its_name(void **state)
{
    quarry_corpus *c = new_corpus();
    (void)state;
    /* Not named: refused where the first such byte is, with the way out. */
    assert_int_equal(read_data(c, "transcripts/cafe-cp1252.txt", NULL),
                     QUARRY_EUTF8);
    assert_msg(c, "cafe-cp1252.txt:2", NULL, "--encoding windows-1252");
    assert_int_equal(quarry_corpus_size(c), 0);
    quarry_corpus_free(c);

    c = read_ok("transcripts/cafe-cp1252.txt", "windows-1252");
    assert_int_equal(quarry_corpus_size(c), 4);
    assert_string_equal(quarry_corpus_at(c, 1)->text,
                        "At the caf\xC3\xA9 \xE2\x80\x93 the \xE2\x80\x9C"
                        "drop-in\xE2\x80\x9D one, on a Monday.");
    assert_string_equal(quarry_corpus_at(c, 3)->text,
                        "That she\xE2\x80\x99" "d been na\xC3\xAF" "ve too, "
                        "once.");
    quarry_corpus_free(c);
    /* "UTF-8" named is the default. */
    c = read_ok("transcripts/labels.txt", "UTF-8");
    assert_int_equal(quarry_corpus_size(c), 6);
    quarry_corpus_free(c);
}

static void test_bad_encodings_are_named(void **state)
{
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    static const char utf16_no_mark[] = "I\0:\0 \0h\0i\0\n\0R\0:\0 \0y\0o\0";
    (void)state;
    o.encoding = "klingon";
    assert_int_equal(read_data(c, "transcripts/labels.txt", &o),
                     QUARRY_EINVAL);
    assert_msg(c, "labels.txt", NULL, "unknown encoding \"klingon\"");

    /* A byte the encoding has no character for: the line and the byte. */
    o.encoding = "ascii";
    assert_int_equal(read_data(c, "transcripts/cafe-cp1252.txt", &o),
                     QUARRY_EUTF8);
    assert_msg(c, "cafe-cp1252.txt:2:", NULL, "is not ascii");

    /* UTF-16 cut short inside a character. */
    o.encoding = "utf-16le";
    assert_int_equal(quarry_corpus_read_buffer(c, utf16_no_mark, 5, "cut.txt",
                                               &o),
                     QUARRY_EUTF8);
    assert_msg(c, "cut.txt", NULL, "ends inside a character");

    /* UTF-16 without its mark: the NUL bytes say what to name. */
    o.encoding = NULL;
    o.format = QUARRY_FORMAT_TRANSCRIPT;
    assert_int_not_equal(quarry_corpus_read_buffer(
                             c, utf16_no_mark, sizeof utf16_no_mark - 1,
                             "nomark.txt", &o),
                         QUARRY_OK);
    assert_msg(c, "nomark.txt", NULL, "--encoding utf-16le");
    o.encoding = "utf-16le";
    assert_int_equal(quarry_corpus_read_buffer(c, utf16_no_mark,
                                               sizeof utf16_no_mark - 1,
                                               "nomark.txt", &o),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 2);
    assert_string_equal(quarry_corpus_at(c, 1)->text, "yo");
    quarry_corpus_free(c);
}

static void test_broken_docx_is_refused(void **state)
{
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    size_t len = 0, cut;
    char *buf = test_slurp(data_path("transcripts/otter.docx"), &len);
    (void)state;
    o.format = QUARRY_FORMAT_TRANSCRIPT;
    /* Cut anywhere: an error naming the file, never a crash. */
    for (cut = 4; cut < len; cut += 97) {
        assert_int_not_equal(
            quarry_corpus_read_buffer(c, buf, cut, "cut.docx", &o), QUARRY_OK);
        assert_msg(c, "cut.docx", NULL, NULL);
    }
    assert_int_equal(quarry_corpus_size(c), 0);
    /* A zip without word/document.xml. */
    assert_int_not_equal(
        read_str(c, "sheet.docx", "PK\x03\x04 not much of a zip", &o),
        QUARRY_OK);
    assert_msg(c, "sheet.docx", NULL, NULL);
    free(buf);
    quarry_corpus_free(c);
}

static void test_formats_quarry_does_not_read_say_what_to_do(void **state)
{
    static const struct {
        const char *name, *says;
    } cases[] = {{"interview.doc", "save it as .docx"},
                 {"interview.pdf", "export its text"},
                 {"codes.xlsx", "CSV UTF-8"},
                 {"notes.rtf", "save it as .docx"}};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        quarry_corpus *c = new_corpus();
        assert_int_equal(quarry_corpus_read_file(c, cases[k].name, NULL),
                         QUARRY_EINVAL);
        assert_msg(c, cases[k].name, NULL, cases[k].says);
        quarry_corpus_free(c);
    }
}

static void test_a_sheet_saved_as_unicode_text_is_a_table(void **state)
{
    /* Excel's "Unicode Text": UTF-16, tab-separated, named .txt; the
     * same rows as its Windows-1252 CSV. */
    quarry_corpus *a = read_ok("cli/excel-ansi.csv", "windows-1252");
    quarry_corpus *b = read_ok("cli/excel-unicode.txt", NULL);
    (void)state;
    assert_int_equal(quarry_corpus_size(b), 2);
    assert_same_turns(a, b, 0);
    assert_string_equal(quarry_corpus_at(b, 1)->id, "e2");
    assert_int_equal(quarry_corpus_at(b, 1)->n_codes, 1);
    assert_string_equal(quarry_corpus_at(b, 1)->codes[0], "just.pay");
    quarry_corpus_free(a);
    quarry_corpus_free(b);
    /* A transcript whose first line holds a tab is still a transcript. */
    a = new_corpus();
    assert_int_equal(read_str(a, "t.txt",
                              "I:\tHow was the week?\nR: Long.\n", NULL),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(a), 2);
    assert_string_equal(quarry_corpus_at(a, 1)->speaker, "R");
    quarry_corpus_free(a);
}

static void test_word_paragraphs_are_lines(void **state)
{
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c;
    size_t i;
    (void)state;
    /* Typed with Word's spacing, no blank paragraph: the header is a
     * header, every line of it. */
    c = read_ok("transcripts/handtyped.docx", NULL);
    assert_int_equal(quarry_corpus_size(c), 4);
    for (i = 0; i < 4; i++) {
        assert_string_equal(quarry_corpus_attribute(c, i, "study"), "S9");
        assert_string_equal(quarry_corpus_attribute(c, i, "participant"),
                            "P07");
    }
    assert_string_equal(quarry_corpus_at(c, 0)->speaker, "Interviewer");
    quarry_corpus_free(c);
    /* A paragraph of the document is a paragraph, an empty one at the
     * end or not. */
    o.segment = QUARRY_SEGMENT_PARAGRAPH;
    c = new_corpus();
    assert_int_equal(read_data(c, "transcripts/notes.docx", &o), QUARRY_OK);
    assert_int_equal(read_data(c, "transcripts/notes-trailing.docx", &o),
                     QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 8);
    for (i = 0; i < 4; i++)
        assert_string_equal(quarry_corpus_at(c, i)->text,
                            quarry_corpus_at(c, i + 4)->text);
    quarry_corpus_free(c);
}

/* A Teams transcript as a Word table (time | speaker | text), and one typed
 * with a tab after each label: their turns, speakers and times. */
static void test_word_tables_and_tabs_are_turns(void **state)
{
    quarry_corpus *c = read_ok("transcripts/teams-table.docx", NULL);
    (void)state;
    assert_int_equal(quarry_corpus_size(c), 5); /* the title, 4 turns */
    assert_string_equal(quarry_corpus_at(c, 1)->speaker, "Alex Kim");
    assert_string_equal(quarry_corpus_attribute(c, 1, "time_start"),
                        "00:00:02");
    assert_string_equal(quarry_corpus_at(c, 4)->speaker, "Sam Ortiz");
    assert_string_equal(quarry_corpus_at(c, 4)->text,
                        "I stopped apologising for being there.");
    quarry_corpus_free(c);
    c = read_ok("transcripts/tabbed.docx", NULL);
    assert_int_equal(quarry_corpus_size(c), 4);
    assert_string_equal(quarry_corpus_at(c, 0)->speaker, "INTERVIEWER");
    assert_string_equal(quarry_corpus_attribute(c, 0, "role"), "interviewer");
    assert_string_equal(quarry_corpus_at(c, 1)->text,
                        "Through my own recovery, honestly.");
    quarry_corpus_free(c);
}

/* LibreOffice's .odt reads as the same typed transcript does: its header,
 * its turns, text:s spaces, a table row as a turn; a comment is not the
 * text. */
static void test_opendocument_text(void **state)
{
    quarry_corpus *c = read_ok("transcripts/handtyped.odt", NULL);
    (void)state;
    assert_int_equal(quarry_corpus_size(c), 3);
    assert_string_equal(quarry_corpus_attribute(c, 0, "participant"), "P07");
    assert_string_equal(quarry_corpus_at(c, 1)->text,
                        "Long.  I shadowed the other peer worker.");
    assert_string_equal(quarry_corpus_at(c, 2)->speaker, "Interviewer");
    assert_string_equal(quarry_corpus_at(c, 2)->text, "And the team?");
    quarry_corpus_free(c);
    c = new_corpus();
    assert_int_equal(read_str(c, "fake.odt", "I: hi\n", NULL), QUARRY_EPARSE);
    assert_msg(c, "fake.odt", NULL, "not a text document");
    quarry_corpus_free(c);
}

typedef struct notes {
    char all[4096];
} notes;

static void keep(void *ctx, int level, const char *msg)
{
    notes *n = ctx;
    size_t used = strlen(n->all);
    (void)level;
    snprintf(n->all + used, sizeof n->all - used, "%s\n", msg);
}

static void test_an_encoding_named_for_a_batch(void **state)
{
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    notes n;
    static const char utf8[] =
        "Interviewer: Where?\nParticipant: At the caf\xC3\xA9.\n";
    (void)state;
    memset(&n, 0, sizeof n);
    o.notice = keep;
    o.notice_ctx = &n;
    /* A file of the batch that is UTF-8 already stays UTF-8, and says so. */
    o.encoding = "windows-1252";
    assert_int_equal(read_str(c, "p02.txt", utf8, &o), QUARRY_OK);
    assert_string_equal(quarry_corpus_at(c, 1)->text, "At the caf\xC3\xA9.");
    assert_has(n.all, "p02.txt: read as UTF-8, not windows-1252: it is "
                      "valid UTF-8 already");
    /* Notepad's "ANSI" is Windows-1252; the note shows a word to check. */
    o.encoding = "ANSI";
    assert_int_equal(read_data(c, "transcripts/cafe-cp1252.txt", &o),
                     QUARRY_OK);
    assert_has(n.all, "cafe-cp1252.txt: read as windows-1252 (e.g. "
                      "\"caf\xC3\xA9\", line 2: if that is garbled");
    /* A mark wins over a name given for the batch. */
    o.encoding = "windows-1252";
    assert_int_equal(read_data(c, "transcripts/labels-utf16.txt", &o),
                     QUARRY_OK);
    assert_has(n.all, "labels-utf16.txt: read as UTF-16");
    /* An unknown name is a mistake even on an ASCII file. */
    o.encoding = "klingon";
    assert_int_equal(read_str(c, "a.txt", "I: hi\n", &o), QUARRY_EINVAL);
    assert_msg(c, "a.txt", NULL, "unknown encoding \"klingon\"");
    quarry_corpus_free(c);
}

static void test_word_files_that_are_not_docx(void **state)
{
    quarry_corpus *c = new_corpus();
    static const char ole[] = "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1 more";
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    (void)state;
    o.format = QUARRY_FORMAT_TRANSCRIPT;
    assert_int_equal(quarry_corpus_read_buffer(c, ole, sizeof ole - 1,
                                               "locked.docx", &o),
                     QUARRY_EPARSE);
    assert_msg(c, "locked.docx", NULL, "password-protected Word document");
    assert_int_equal(read_str(c, "fake.docx", "I: hi\nR: yo\n", NULL),
                     QUARRY_EPARSE);
    assert_msg(c, "fake.docx", NULL, "not a Word document");
    assert_int_equal(quarry_corpus_size(c), 0);
    quarry_corpus_free(c);
}

static void test_version_2_options_know_no_encoding(void **state)
{
    /* A program built against version 2 options: its struct ends before
     * encoding, which is then read as NULL, whatever lies beyond. */
    quarry_read_options o = QUARRY_READ_OPTIONS_INIT;
    quarry_corpus *c = new_corpus();
    (void)state;
    o.version = 2;
    o.encoding = "klingon";
    assert_int_equal(read_data(c, "transcripts/labels.txt", &o), QUARRY_OK);
    assert_int_equal(quarry_corpus_size(c), 6);
    quarry_corpus_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docx_from_a_service_reads_as_its_text),
        cmocka_unit_test(test_docx_typed_by_hand_keeps_its_header),
        cmocka_unit_test(test_offsets_are_in_the_text_as_read),
        cmocka_unit_test(test_utf16_with_its_mark_reads_by_itself),
        cmocka_unit_test(test_windows_1252_needs_its_name),
        cmocka_unit_test(test_bad_encodings_are_named),
        cmocka_unit_test(test_broken_docx_is_refused),
        cmocka_unit_test(test_formats_quarry_does_not_read_say_what_to_do),
        cmocka_unit_test(test_a_sheet_saved_as_unicode_text_is_a_table),
        cmocka_unit_test(test_word_paragraphs_are_lines),
        cmocka_unit_test(test_word_tables_and_tabs_are_turns),
        cmocka_unit_test(test_opendocument_text),
        cmocka_unit_test(test_an_encoding_named_for_a_batch),
        cmocka_unit_test(test_word_files_that_are_not_docx),
        cmocka_unit_test(test_version_2_options_know_no_encoding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
