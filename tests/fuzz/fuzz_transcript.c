/*
 * fuzz_transcript.c -- the speaker-turn transcript reader
 * (reader_transcript.c) on arbitrary bytes, cut into turns, paragraphs and
 * sentences (`--segment`), through quarry_corpus_read_buffer().
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_corpus(data, size, QUARRY_FORMAT_TRANSCRIPT,
                     QUARRY_SEGMENT_TURN, "fuzz.txt");
    fuzz_read_corpus(data, size, QUARRY_FORMAT_TRANSCRIPT,
                     QUARRY_SEGMENT_PARAGRAPH, "fuzz.txt");
    fuzz_read_corpus(data, size, QUARRY_FORMAT_TRANSCRIPT,
                     QUARRY_SEGMENT_SENTENCE, "fuzz.txt");
    return 0;
}
