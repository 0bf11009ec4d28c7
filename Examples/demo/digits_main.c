/*
 * make demo: runs the emitted digits model (Examples/digits, calibrated by qgen) on the held-out
 * handwritten digits and prints its accuracy. Usage: digits_demo test_images.npy test_labels.npy
 *
 * The images are float32 pixels in [0, 1]; digits_quantize_input (emitted with --float-io, the
 * stack's own formula) turns each into input codes, digits_run computes the integer model, and the
 * arg max of the ten output codes is the predicted digit. The model uses no libc; this host
 * program does (stdio, to read the .npy files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "digits.h"

/* Reads a little-endian, C-order .npy of `descr` ("<f4" or "<i8"), returns its data and element count. */
static void *read_npy(const char *path, const char *descr, size_t element_size, size_t *count)
{
    FILE *f = fopen(path, "rb");
    unsigned char head[10];
    char *header;
    size_t header_size;
    long data_start;
    long end;
    void *data;
    if (f == NULL || fread(head, 1, 10, f) != 10 || memcmp(head, "\x93NUMPY", 6) != 0 || head[6] != 1) {
        fprintf(stderr, "%s: not a version 1 .npy file\n", path);
        exit(1);
    }
    header_size = (size_t)head[8] | ((size_t)head[9] << 8);
    header = malloc(header_size + 1);
    if (header == NULL || fread(header, 1, header_size, f) != header_size) {
        fprintf(stderr, "%s: truncated header\n", path);
        exit(1);
    }
    header[header_size] = '\0';
    if (strstr(header, descr) == NULL || strstr(header, "'fortran_order': False") == NULL) {
        fprintf(stderr, "%s: expected dtype %s in C order, header %s\n", path, descr, header);
        exit(1);
    }
    free(header);
    data_start = ftell(f);
    fseek(f, 0, SEEK_END);
    end = ftell(f);
    fseek(f, data_start, SEEK_SET);
    *count = (size_t)(end - data_start) / element_size;
    data = malloc(*count * element_size + 1);
    if (data == NULL || fread(data, element_size, *count, f) != *count) {
        fprintf(stderr, "%s: truncated data\n", path);
        exit(1);
    }
    fclose(f);
    return data;
}

int main(int argc, char **argv)
{
    static unsigned char arena[DIGITS_ARENA_SIZE > 0 ? DIGITS_ARENA_SIZE : 1];
    uint8_t codes[DIGITS_INPUT_SIZE];
    uint8_t scores[DIGITS_OUTPUT_SIZE];
    size_t pixels;
    size_t labels_count;
    size_t n;
    size_t i;
    size_t correct = 0;
    float *images;
    long long *labels;
    if (argc != 3) {
        fprintf(stderr, "usage: %s test_images.npy test_labels.npy\n", argv[0]);
        return 2;
    }
    images = read_npy(argv[1], "'<f4'", sizeof(float), &pixels);
    labels = read_npy(argv[2], "'<i8'", sizeof(long long), &labels_count);
    n = pixels / DIGITS_INPUT_SIZE;
    if (n != labels_count || n == 0) {
        fprintf(stderr, "%lu images of %d pixels but %lu labels\n", (unsigned long)n, DIGITS_INPUT_SIZE, (unsigned long)labels_count);
        return 1;
    }
    for (i = 0; i < n; ++i) {
        int best = 0;
        int k;
        digits_quantize_input(images + i * DIGITS_INPUT_SIZE, codes);
        if (digits_run(codes, scores, arena) != DIGITS_OK) {
            fprintf(stderr, "digits_run failed\n");
            return 1;
        }
        for (k = 1; k < DIGITS_OUTPUT_SIZE; ++k) {
            if (scores[k] > scores[best]) {
                best = k;
            }
        }
        if (best == labels[i]) {
            ++correct;
        }
        if (i < 3) {
            int y;
            int x;
            printf("held-out image %lu (label %lld), predicted %d:\n", (unsigned long)i, labels[i], best);
            for (y = 0; y < 8; ++y) {
                printf("    ");
                for (x = 0; x < 8; ++x) {
                    float v = images[i * DIGITS_INPUT_SIZE + (size_t)(y * 8 + x)];
                    putchar(v > 0.5f ? '#' : v > 0.15f ? '+' : '.');
                }
                putchar('\n');
            }
        }
    }
    printf("integer C model (cc, %d-byte arena): %lu/%lu held-out digits correct (%.2f%%)\n", DIGITS_ARENA_SIZE, (unsigned long)correct,
           (unsigned long)n, 100.0 * (double)correct / (double)n);
    free(images);
    free(labels);
    return 0;
}
