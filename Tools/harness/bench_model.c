/* make bench: times RUN over repeated inferences of one emitted model; prints "<runs> <seconds>".
 * Built by qgen-bench with the same -D macros as targets_main.c (MODEL_HEADER, RUN, INPUT_T,
 * OUTPUT_T, INPUT_SIZE, OUTPUT_SIZE, ARENA_SIZE) plus RUNS. */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>
#include MODEL_HEADER

static INPUT_T input[INPUT_SIZE];
static OUTPUT_T output[OUTPUT_SIZE];
static unsigned char arena[ARENA_SIZE + 1];

int main(void)
{
    struct timespec start;
    struct timespec end;
    long i;
    unsigned sink = 0;

    for (i = 0; i < INPUT_SIZE; ++i) {
        input[i] = (INPUT_T)((i * 37) & 0x7F);
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (i = 0; i < RUNS; ++i) {
        input[i % INPUT_SIZE] = (INPUT_T)(i & 0x7F);
        RUN(input, output, arena);
        sink += (unsigned)(unsigned char)output[i % OUTPUT_SIZE];
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%ld %.6f\n", (long)RUNS, (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
    return sink == 0xFFFFFFFFu;
}
