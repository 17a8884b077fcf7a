/*
 * fuzz_jsonl.c -- the JSONL reader (reader_jsonl.c) on arbitrary bytes, as
 * `quarry suggest FILE.jsonl` reads them: quarry_corpus_read_buffer().
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_corpus(data, size, QUARRY_FORMAT_JSONL, QUARRY_SEGMENT_TURN,
                     "fuzz.jsonl");
    return 0;
}
