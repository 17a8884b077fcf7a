/*
 * blas_tune.c -- run OpenBLAS with the kernels this CPU can use.
 *
 * OpenBLAS built with DYNAMIC_ARCH (as Debian ships it) picks its kernels
 * when the library loads, from the CPUs it knows. On a CPU newer than its
 * table it falls back to old SSE3 kernels ("Prescott"): on the AVX-512
 * machines quarry is benchmarked on, a large SGEMM then runs at a fifth of
 * its speed (tests/bench/README.md). The choice can only be changed by
 * OPENBLAS_CORETYPE in the environment of the process before the library
 * loads, so when the loaded kernels are below what the CPU supports, the
 * command sets it and runs itself again, once. A user's own
 * OPENBLAS_CORETYPE is left alone, and QUARRY_BLAS_TUNE=0 turns this off.
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* What a core name's kernels use: 0 SSE, 1 AVX, 2 AVX2, 3 AVX-512. */
static int core_level(const char *name)
{
    static const char *const avx512[] = {"skylakex", "cooperlake",
                                         "sapphirerapids", NULL};
    static const char *const avx2[] = {"haswell", "zen", "skylake", NULL};
    static const char *const avx[] = {"sandybridge", NULL};
    size_t i;
    char lower[64];
    for (i = 0; name[i] != '\0' && i + 1 < sizeof lower; i++)
        lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z' ? name[i] + 32
                                                           : name[i]);
    lower[i] = '\0';
    for (i = 0; avx512[i]; i++)
        if (strstr(lower, avx512[i]))
            return 3;
    for (i = 0; avx2[i]; i++)
        if (strstr(lower, avx2[i]))
            return 2;
    for (i = 0; avx[i]; i++)
        if (strstr(lower, avx[i]))
            return 1;
    return 0;
}

const char *cli_blas_core(void)
{
    char *(*corename)(void) =
        (char *(*)(void))dlsym(RTLD_DEFAULT, "openblas_get_corename");
    return corename ? corename() : NULL;
}

void cli_blas_tune(char **argv)
{
    const char *core, *want = NULL, *off = getenv("QUARRY_BLAS_TUNE");
    int level = 0;
    if (getenv("OPENBLAS_CORETYPE") != NULL ||
        (off != NULL && strcmp(off, "0") == 0))
        return;
    core = cli_blas_core();
    if (core == NULL)
        return; /* not OpenBLAS */
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") &&
        __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl")) {
        want = "SkylakeX";
        level = 3;
    } else if (__builtin_cpu_supports("avx2") &&
               __builtin_cpu_supports("fma")) {
        want = "Haswell";
        level = 2;
    }
#endif
    if (want == NULL || core_level(core) >= level)
        return;
    if (setenv("OPENBLAS_CORETYPE", want, 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    /* Could not run again: go on with the kernels loaded. */
    unsetenv("OPENBLAS_CORETYPE");
}
