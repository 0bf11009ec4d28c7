/* make bench: times tiny_cnn_run over repeated inferences; prints "<runs> <seconds>". */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <time.h>
#include "tiny_cnn.h"

static uint8_t image[TINY_CNN_INPUT_SIZE];
static int8_t logits[TINY_CNN_OUTPUT_SIZE];
static unsigned char arena[TINY_CNN_ARENA_SIZE];

int main(void)
{
    struct timespec start;
    struct timespec end;
    long i;
    long runs = 2000;
    unsigned sink = 0;

    for (i = 0; i < TINY_CNN_INPUT_SIZE; ++i) {
        image[i] = (uint8_t)((i * 37) & 0xFF);
    }
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (i = 0; i < runs; ++i) {
        image[i % TINY_CNN_INPUT_SIZE] = (uint8_t)i;
        tiny_cnn_run(image, logits, arena);
        sink += (unsigned)(uint8_t)logits[i % TINY_CNN_OUTPUT_SIZE];
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    printf("%ld %.6f\n", runs, (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9);
    return sink == 0xFFFFFFFFu;
}
