/* Runs one emitted model on RUNS seeded inputs and prints a checksum of every output byte, the same
 * on a host (host_platform.c) and on a Cortex-M core under QEMU (semihost.c). Built by
 * Tools/check-targets.sh with -DMODEL_HEADER, -DRUN, -DINPUT_T, -DOUTPUT_T, -DINPUT_SIGNED,
 * -DINPUT_SIZE, -DOUTPUT_SIZE, -DARENA_SIZE and -DRUNS. qgen-corpus computes the same checksum from
 * the Swift reference: the input generator and the checksum must stay as they are here. */
#include <stdint.h>
#include MODEL_HEADER
#include "platform.h"

static uint32_t state = 12345u;
static INPUT_T input[INPUT_SIZE];
static OUTPUT_T output[OUTPUT_SIZE];
static unsigned char arena[ARENA_SIZE + 1];

static uint32_t next_random(void)
{
    state = state * 1664525u + 1013904223u;
    return state;
}

static void out_u32(uint32_t v)
{
    char buf[11];
    int i = 10;

    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + (v % 10u));
        v /= 10u;
    } while (v != 0u);
    out_str(&buf[i]);
}

int main(void)
{
    uint32_t check = 0u;
    int32_t r;
    int32_t i;

    for (r = 0; r < RUNS; ++r) {
        for (i = 0; i < INPUT_SIZE; ++i) {
            const int32_t byte = (int32_t)(next_random() >> 24);

            input[i] = (INPUT_T)(INPUT_SIGNED ? byte - 128 : byte);
        }
        if (RUN(input, output, arena) != 0) {
            out_str("run failed\n");
            return 1;
        }
        for (i = 0; i < OUTPUT_SIZE; ++i) {
            check = check * 31u + (uint32_t)(uint8_t)output[i];
        }
    }
    out_str("runs ");
    out_u32((uint32_t)RUNS);
    out_str(" checksum ");
    out_u32(check);
    out_str("\n");
    return 0;
}
