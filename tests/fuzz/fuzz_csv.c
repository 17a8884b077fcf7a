/*
 * fuzz_csv.c -- the CSV reader (reader_csv.c) on arbitrary bytes, as
 * `quarry suggest FILE.csv` reads them: quarry_corpus_read_buffer().
 */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_read_corpus(data, size, QUARRY_FORMAT_CSV, QUARRY_SEGMENT_TURN,
                     "fuzz.csv");
    return 0;
}
