/*
 * make demo: runs the emitted tiny_cnn on a synthetic 28x28 image (a drawn "7") and prints the
 * ten int8 logits, their real values and the arg max. The model itself uses no libc; this host
 * program does (printf).
 */
#include <stdio.h>
#include "tiny_cnn.h"

static uint8_t image[TINY_CNN_INPUT_SIZE];
static int8_t logits[TINY_CNN_OUTPUT_SIZE];
static unsigned char arena[TINY_CNN_ARENA_SIZE];

int main(void)
{
    int y;
    int x;
    int i;
    int best = 0;

    /* A "7": a horizontal bar on top and a diagonal stroke. */
    for (y = 0; y < 28; ++y) {
        for (x = 0; x < 28; ++x) {
            int on = (y >= 5 && y <= 7 && x >= 6 && x <= 21) || (y > 7 && y <= 23 && x >= 21 - (y - 7) * 10 / 16 - 1 && x <= 21 - (y - 7) * 10 / 16 + 1);
            image[y * 28 + x] = on ? 255 : 0;
        }
    }
    for (y = 0; y < 28; y += 2) {
        for (x = 0; x < 28; ++x) {
            putchar(image[y * 28 + x] ? '#' : '.');
        }
        putchar('\n');
    }
    if (tiny_cnn_run(image, logits, arena) != TINY_CNN_OK) {
        printf("tiny_cnn_run failed\n");
        return 1;
    }
    printf("tiny_cnn logits (int8):");
    for (i = 0; i < TINY_CNN_OUTPUT_SIZE; ++i) {
        printf(" %d", logits[i]);
        if (logits[i] > logits[best]) {
            best = i;
        }
    }
    printf("\narg max: class %d (untrained random weights: the class means nothing; the integers are the point)\n", best);
    printf("arena: %d bytes, input %d bytes, output %d bytes\n", TINY_CNN_ARENA_SIZE, TINY_CNN_INPUT_SIZE, TINY_CNN_OUTPUT_SIZE);
    return 0;
}
