/* make bench: a naive TFLite-Micro-style reference for qgen's kernels, written for the bench from
 * the structure of TFLM's reference_integer_ops (ConvPerChannel, DepthwiseConvPerChannel,
 * FullyConnected): NHWC loops out_y, out_x, out_channel, filter_y, filter_x, in_channel with a
 * bounds test per tap, acc += w * (x + input_offset), then gemmlowp's MultiplyByQuantizedMultiplier
 * per output. Prints "<label> <GMAC/s>" for issue 11's shapes. Not emitted, not tested: a yardstick.
 *
 * TFLM compiles its kernels once, apart from any model, and reads every shape from the tensors at
 * run time, so the shapes here reach the kernels through a volatile table the compiler cannot fold.
 * One more line times FullyConnected with its shapes as constants: GCC 12 then vectorizes its dot
 * product even at -O2 (about 7x faster here), a stronger yardstick printed for comparison. */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int32_t srdhm(int32_t a, int32_t b)
{
    int64_t ab = (int64_t)a * (int64_t)b;
    int32_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    if (a == b && a == INT32_MIN) {
        return INT32_MAX;
    }
    return (int32_t)((ab + nudge) / (1ll << 31));
}

static int32_t rdbpot(int32_t x, int exponent)
{
    int32_t mask = (int32_t)((1ll << exponent) - 1);
    int32_t remainder = x & mask;
    int32_t threshold = (mask >> 1) + ((x < 0) ? 1 : 0);
    return (x >> exponent) + ((remainder > threshold) ? 1 : 0);
}

static int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift)
{
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;
    return rdbpot(srdhm(x * (1 << left), multiplier), right);
}

static uint32_t state = 12345u;
static int8_t random_int8(void)
{
    state = state * 1664525u + 1013904223u;
    return (int8_t)((int32_t)(state >> 24) - 128);
}

/* ConvPerChannel (groups 1) or DepthwiseConvPerChannel (depth multiplier 1), NHWC, OHWI / 1HWO. */
static void conv(int depthwise, const uint8_t *input, const int8_t *filter, const int32_t *bias, const int32_t *mult, const int32_t *shift,
                 uint8_t *output, int h, int w, int cin, int cout, int k, int pad)
{
    const int32_t input_offset = -3, output_offset = 7;
    int oy, ox, oc, fy, fx, ic;

    for (oy = 0; oy < h; ++oy) {
        for (ox = 0; ox < w; ++ox) {
            for (oc = 0; oc < cout; ++oc) {
                int32_t acc = 0;
                for (fy = 0; fy < k; ++fy) {
                    const int iy = oy - pad + fy;
                    for (fx = 0; fx < k; ++fx) {
                        const int ix = ox - pad + fx;
                        if (!(ix >= 0 && ix < w && iy >= 0 && iy < h)) {
                            continue;
                        }
                        if (depthwise) {
                            acc += filter[(fy * k + fx) * cout + oc] * (input[(iy * w + ix) * cin + oc] + input_offset);
                        } else {
                            for (ic = 0; ic < cin; ++ic) {
                                acc += filter[((oc * k + fy) * k + fx) * cin + ic] * (input[(iy * w + ix) * cin + ic] + input_offset);
                            }
                        }
                    }
                }
                acc += bias[oc];
                acc = multiply_by_quantized_multiplier(acc, mult[oc], shift[oc]) + output_offset;
                output[(oy * w + ox) * cout + oc] = (uint8_t)(acc < 0 ? 0 : acc > 255 ? 255 : acc);
            }
        }
    }
}

static void fully_connected(const uint8_t *input, const int8_t *filter, const int32_t *bias, const int32_t *mult, const int32_t *shift,
                            uint8_t *output, int in, int out)
{
    int o, i;
    for (o = 0; o < out; ++o) {
        int32_t acc = 0;
        for (i = 0; i < in; ++i) {
            acc += filter[o * in + i] * (input[i] - 3);
        }
        acc += bias[o];
        acc = multiply_by_quantized_multiplier(acc, mult[o], shift[o]) + 7;
        output[o] = (uint8_t)(acc < 0 ? 0 : acc > 255 ? 255 : acc);
    }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(void)
{
    static uint8_t input[56 * 56 * 96], output[56 * 56 * 96];
    static int8_t filter[1024 * 1000];
    static int32_t bias[1000], mult[1000], shift[1000];
    static volatile const struct { const char *label; int kind, h, w, cin, cout, k, pad; } shapes[] = {
        { "conv 3x3, 32->32, 56x56, pad 1", 0, 56, 56, 32, 32, 3, 1 },
        { "depthwise 3x3, 96 ch, 56x56, pad 1", 1, 56, 56, 96, 96, 3, 1 },
        { "pointwise 1x1, 96->24, 56x56", 0, 56, 56, 96, 24, 1, 0 },
        { "Linear 1024->1000", 2, 1, 1, 1024, 1000, 1, 0 },
        { "Linear 1024->1000, constant shapes", 3, 1, 1, 1024, 1000, 1, 0 },
    };
    unsigned sink = 0;
    size_t i;
    int s;

    for (i = 0; i < sizeof filter; ++i) filter[i] = random_int8();
    for (i = 0; i < sizeof input; ++i) input[i] = (uint8_t)random_int8();
    for (i = 0; i < 1000; ++i) { bias[i] = random_int8() * 50; mult[i] = 1518500250 + random_int8() * 1000000; shift[i] = -9; }
    for (s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); ++s) {
        const int kind = shapes[s].kind, h = shapes[s].h, w = shapes[s].w, cin = shapes[s].cin, cout = shapes[s].cout;
        const int k = shapes[s].k, pad = shapes[s].pad;
        const double macs = kind >= 2 ? (double)cin * cout : (double)h * w * cout * k * k * (kind == 1 ? 1 : cin);
        const long runs = (long)(2e9 / macs / 20) + 4;
        double best = -1.0;
        int batch;

        /* Five batches; the fastest is printed, as Tools/harness/bench_model.c does for qgen's C. */
        for (batch = 0; batch < 5; ++batch) {
            const double start = now();
            double seconds;
            long r;

            for (r = 0; r < runs; ++r) {
                input[r % 1024] = (uint8_t)r;
                if (kind == 3) {
                    fully_connected(input, filter, bias, mult, shift, output, 1024, 1000);
                } else if (kind == 2) {
                    fully_connected(input, filter, bias, mult, shift, output, cin, cout);
                } else {
                    conv(kind, input, filter, bias, mult, shift, output, h, w, cin, cout, k, pad);
                }
                sink += output[r % 1000];
            }
            seconds = now() - start;
            best = best < 0.0 || seconds < best ? seconds : best;
        }
        printf("%s\t%.3f\n", (const char *)shapes[s].label, macs * (double)runs / best / 1e9);
    }
    return sink == 0xFFFFFFFFu;
}
