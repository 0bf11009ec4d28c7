/* make bench: times RUN over repeated inferences of one emitted model; prints "<runs> <seconds>", the
 * seconds of the fastest of BATCHES (5 unless defined) batches of RUNS inferences.
 * Built by qgen-bench with the same -D macros as targets_main.c (MODEL_HEADER, RUN, INPUT_T,
 * OUTPUT_T, INPUT_SIZE, OUTPUT_SIZE, ARENA_SIZE) plus RUNS and
 * optionally BATCHES. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>
#include MODEL_HEADER

#ifndef BATCHES
#define BATCHES 5
#endif

static INPUT_T input[INPUT_SIZE];
static OUTPUT_T output[OUTPUT_SIZE];
static unsigned char arena[ARENA_SIZE + 1];

int main(void)
{
    struct timespec start;
    struct timespec end;
    double best = -1.0;
    long i;
    int batch;
    unsigned sink = 0;

    for (i = 0; i < INPUT_SIZE; ++i) {
        input[i] = (INPUT_T)((i * 37) & 0x7F);
    }
    /* BATCHES batches of RUNS inferences; the fastest is printed (a busy machine only ever adds time). */
    for (batch = 0; batch < BATCHES; ++batch) {
        double seconds;

        clock_gettime(CLOCK_MONOTONIC, &start);
        for (i = 0; i < RUNS; ++i) {
            input[i % INPUT_SIZE] = (INPUT_T)(i & 0x7F);
            RUN(input, output, arena);
            sink += (unsigned)(unsigned char)output[i % OUTPUT_SIZE];
        }
        clock_gettime(CLOCK_MONOTONIC, &end);
        seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
        best = best < 0.0 || seconds < best ? seconds : best;
    }
    printf("%ld %.6f\n", (long)RUNS, best);
    return sink == 0xFFFFFFFFu;
}
