/*
 * A test harness for any emitted model: runs it on N pseudo-random inputs and prints every output
 * value, so runs built by different compilers and flags can be compared byte for byte.
 * Build with -DMODEL_HEADER='"name.h"' -DMODEL_RUN=name_run -DMODEL_PREFIX_(IN|OUT|ARENA)=... (see
 * Tools/check-c.sh). One side effect per expression: argument evaluation order is unspecified.
 */
#include <stdio.h>
#include <stdint.h>
#include MODEL_HEADER

#ifndef RUNS
#define RUNS 20
#endif

static uint32_t state = 12345u;

static uint32_t next_random(void)
{
    state = state * 1664525u + 1013904223u;
    return state >> 8;
}

static unsigned char input[MODEL_INPUT_SIZE];
/* Room and alignment for int16 outputs (an int8 → int16 Softmax); every byte is printed. */
static int16_t output_storage[MODEL_OUTPUT_SIZE];
static unsigned char arena[MODEL_ARENA_SIZE + 1];

int main(void)
{
    const unsigned char *const output = (const unsigned char *)output_storage;
    int run;
    long i;

    for (run = 0; run < RUNS; ++run) {
        for (i = 0; i < MODEL_INPUT_SIZE; ++i) {
            uint32_t r = next_random();
            input[i] = (unsigned char)(r & 0xFFu);
        }
        if (MODEL_RUN((const void *)input, (void *)output_storage, arena) != 0) {
            printf("status error\n");
            return 1;
        }
        for (i = 0; i < (long)sizeof output_storage; ++i) {
            printf("%u%c", (unsigned)output[i], i + 1 == (long)sizeof output_storage ? '\n' : ' ');
        }
    }
    return 0;
}
