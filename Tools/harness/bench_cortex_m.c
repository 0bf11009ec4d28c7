/* make bench: executed instructions per inference of one emitted model on a Cortex-M core under
 * qemu-system-arm -icount shift=0, where every guest instruction advances the virtual clock by 1 ns.
 * SysTick counts that clock (divided by the board's core clock, 25 MHz on mps2-an386, 32 MHz on
 * mps3-an547), so the harness first times a loop of known length (subs/bne: 2 instructions per
 * iteration) to measure instructions per tick, then RUNS inferences. SysTick's 24-bit counter wraps
 * every 2^24 ticks; its interrupt counts the wraps.
 * Prints "<instructions per inference> <checksum of the outputs>" (semihosting). Built by qgen-bench
 * with the -D macros of targets_main.c; not a test: the tests prove the same C correct. */
#include <stdint.h>
#include "platform.h"
#include MODEL_HEADER

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define CALIBRATION_ITERATIONS 1000000u

static INPUT_T input[INPUT_SIZE];
static OUTPUT_T output[OUTPUT_SIZE];
static uint32_t arena[ARENA_SIZE / 4 + 1];
static volatile uint32_t wraps;

/* Overrides startup.c's weak SysTick_Handler (a fault by default). */
void SysTick_Handler(void)
{
    wraps = wraps + 1u;
}

/* Ticks since start: wraps * 2^24 + (2^24 - 1 - current); the counter is read twice around the
 * wrap count so that a wrap between the reads is seen. */
static uint64_t ticks(void)
{
    uint32_t w;
    uint32_t v;

    do {
        w = wraps;
        v = SYST_CVR;
    } while (w != wraps);
    return ((uint64_t)w << 24) + (0xFFFFFFu - v);
}

static void put_u64(uint64_t v)
{
    char text[24];
    int i = 23;

    text[i] = 0;
    do {
        text[--i] = (char)('0' + (int)(v % 10u));
        v /= 10u;
    } while (v != 0u);
    out_str(&text[i]);
}

int main(void)
{
    uint64_t start;
    uint64_t calibration;
    uint64_t model;
    uint32_t n = CALIBRATION_ITERATIONS;
    uint32_t sum = 0;
    long i;

    for (i = 0; i < INPUT_SIZE; ++i) {
        input[i] = (INPUT_T)((i * 37) & 0x7F);
    }
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0u;
    SYST_CSR = 7u; /* enable, interrupt on wrap, core clock */
    while (SYST_CVR == 0u) {
        /* until the counter has loaded the reload value */
    }
    wraps = 0u;
    start = ticks();
    __asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n) : : "cc");
    calibration = ticks() - start;
    start = ticks();
    for (i = 0; i < RUNS; ++i) {
        if (RUN(input, output, arena) != 0) {
            out_str("run failed\n");
            return 1;
        }
    }
    model = ticks() - start;
    for (i = 0; i < OUTPUT_SIZE; ++i) {
        sum = sum * 31u + (uint32_t)(uint8_t)output[i];
    }
    /* instructions = model ticks * (2 * iterations / calibration ticks) / runs */
    put_u64((model * 2u * CALIBRATION_ITERATIONS + calibration * RUNS / 2u) / (calibration * RUNS));
    out_str(" ");
    put_u64(sum);
    out_str("\n");
    return 0;
}
