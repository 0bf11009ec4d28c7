"""TensorFlow's converter calibrating activations (full-integer int8 post-training quantization with a
representative dataset), for qgen's `.calibrated(.tflite())`: Tests/Fixtures/tflite/calibration.json.
Each case is a Keras model Input(n) -> Dense(m) (+ ReLU) whose weights, biases and data are small
dyadic numbers, so that every activation is exact in float32 whatever the summation order: the
ranges the converter's calibrator saw are then known exactly, and the case tests the rule that turns
them into scales and zero points (and the range rules: every sample's min/max kept, 0 included).
The cases span ranges: symmetric, all positive, all negative, tiny, huge, a zero range, a single
sample, ranges whose zero point lands exactly half-way. Run by make_fixtures.py (`tflite_calibration`)."""
import base64
import os
import struct

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import fixtures as fx  # noqa: E402


def bits(value):
    return "%08x" % struct.unpack("<I", struct.pack("<f", float(value)))[0]


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array, dtype=np.float32).tobytes()).decode("ascii")


def dyadic(rng, shape, lo, hi, denominator):
    return (rng.integers(lo, hi + 1, size=shape) / denominator).astype(np.float32)


def convert(n, m, weights, bias, relu, samples):
    inputs = tf.keras.Input(shape=(n,), batch_size=1)
    dense = tf.keras.layers.Dense(m, activation="relu" if relu else None)
    model = tf.keras.Model(inputs, dense(inputs))
    dense.set_weights([weights.T.copy(), bias])

    def representative():
        for s in samples:
            yield [s[None, :]]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    interpreter = tf.lite.Interpreter(model_content=converter.convert())
    interpreter.allocate_tensors()
    x = interpreter.get_input_details()[0]["quantization"]
    y = interpreter.get_output_details()[0]["quantization"]
    return x, y


def cases():
    rng = np.random.default_rng(20261202)
    plans = [
        ("symmetric", 6, 4, lambda k: dyadic(rng, (k, 6), -64, 64, 32), 8, False),
        ("positive", 5, 3, lambda k: dyadic(rng, (k, 5), 8, 200, 64), 6, False),
        ("negative", 5, 3, lambda k: dyadic(rng, (k, 5), -200, -8, 64), 6, True),
        ("tiny", 4, 4, lambda k: dyadic(rng, (k, 4), -30, 50, 1 << 20), 5, False),
        ("huge", 4, 2, lambda k: dyadic(rng, (k, 4), -3000, 1000, 1 / 256), 5, True),
        ("one_sample", 8, 5, lambda k: dyadic(rng, (1, 8), -100, 37, 16), 1, False),
        ("zero_point_tie", 2, 2, lambda k: np.float32([[-1.0, 1.5], [0.5, -0.25]]), 2, False),
        # Zero points exactly half-way: from the minimum -126.5 (range [-3, 507], scale 2), from the
        # maximum 124.5 ([-505, 5]): std::round takes them away from zero, ties-to-even would not.
        ("zero_point_half_min", 2, 2, lambda k: np.float32([[-3.0, 507.0], [10.0, 0.0]]), 2, False),
        ("zero_point_half_max", 2, 2, lambda k: np.float32([[-505.0, 5.0], [0.0, 1.0]]), 2, False),
        ("constant_input", 3, 2, lambda k: np.full((k, 3), 0.75, np.float32), 3, False),
        ("relu_positive", 6, 6, lambda k: dyadic(rng, (k, 6), -50, 90, 8), 12, True),
    ]
    out = []
    for name, n, m, draw, count, relu in plans:
        samples = draw(count)
        weights = dyadic(rng, (m, n), -8, 8, 8)
        bias = dyadic(rng, (m,), -16, 16, 16)
        (sx, zx), (sy, zy) = convert(n, m, weights, bias, relu, samples)
        out.append({"id": name, "inFeatures": n, "outFeatures": m, "relu": relu, "data": b64(samples), "samples": len(samples),
                    "weights": b64(weights), "bias": b64(bias),
                    "input": [bits(sx), int(zx)], "output": [bits(sy), int(zy)]})
        print(f"{name}: input {sx} {zx}, output {sy} {zy}")
    return out


def fixture():
    return {"provenance": f"TensorFlow {tf.__version__} TFLiteConverter, Optimize.DEFAULT with a representative dataset (one sample per "
                          f"batch), int8 builtins, int8 input and output; CPU {fx.cpu_flags()}; made by Tools/engines/make_fixtures.py tflite_calibration",
            "cases": cases()}
