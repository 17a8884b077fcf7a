/*
 * fuzz_replay.c -- the main() of a harness in a build without libFuzzer:
 * replays every file named (a folder: every file in it, by name) through
 * LLVMFuzzerTestOneInput(), whole and cut short at 16 lengths, so the
 * ordinary test run (gcc, ASan) covers the seed corpus and truncated input
 * on every build. Each input is copied into a buffer of exactly its size,
 * so a read past the end shows under ASan.
 *
 * usage: fuzz_NAME FILE_OR_FOLDER...   exit 0 when at least one input ran
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define CUTS 16

static int replay_file(const char *path, long *runs)
{
    FILE *f = fopen(path, "rb");
    unsigned char *all = NULL, *copy;
    size_t len = 0, cap = 0, got, cut;
    int k;
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    for (;;) {
        if (len == cap) {
            unsigned char *g = realloc(all, cap ? 2 * cap : 4096);
            if (g == NULL) {
                free(all);
                fclose(f);
                return -1;
            }
            all = g;
            cap = cap ? 2 * cap : 4096;
        }
        got = fread(all + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    for (k = CUTS; k >= 0; k--) {
        cut = len * (size_t)k / CUTS;
        if (k < CUTS && cut == len)
            continue;
        copy = malloc(cut ? cut : 1);
        if (copy == NULL) {
            free(all);
            return -1;
        }
        memcpy(copy, all, cut);
        LLVMFuzzerTestOneInput(copy, cut);
        free(copy);
        (*runs)++;
    }
    free(all);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int replay_dir(const char *path, long *files, long *runs)
{
    DIR *d = opendir(path);
    struct dirent *ent;
    char **names = NULL, full[4400];
    size_t n = 0, cap = 0, i;
    int rc = 0;
    if (d == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    while ((ent = readdir(d)) != NULL) {
        char **g;
        if (ent->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            g = realloc(names, cap * sizeof *g);
            if (g == NULL)
                break;
            names = g;
        }
        names[n] = strdup(ent->d_name);
        if (names[n] != NULL)
            n++;
    }
    closedir(d);
    if (n > 0)
        qsort(names, n, sizeof *names, by_name);
    for (i = 0; i < n; i++) {
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        if (rc == 0) {
            if (replay_file(full, runs) != 0)
                rc = -1;
            else
                (*files)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    long files = 0, runs = 0;
    int i, rc = 0;
    struct stat sb;
    for (i = 1; i < argc && rc == 0; i++) {
        if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
            rc = replay_dir(argv[i], &files, &runs);
        } else if (replay_file(argv[i], &runs) == 0) {
            files++;
        } else {
            rc = -1;
        }
    }
    printf("%s: %ld files, %ld inputs replayed\n", argv[0], files, runs);
    return rc == 0 && files > 0 ? 0 : 1;
}
