"""Whole int8 networks as .tflite files, the way users make them: Keras models (random weights)
converted by TensorFlow's converter with full-integer quantization (16 normal samples of
calibration data), for qgen's .tflite importer (issue 9's acceptance networks). Each network is
run by TFLite Micro and by LiteRT's reference kernels on 20 inputs, the last two all-min and
all-max; TFLite Micro's arena is read from its interpreter's allocation report."""
import contextlib
import os
import re
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import fixtures as fx  # noqa: E402
import tflm_cases as tm  # noqa: E402
import tflm_networks as tn  # noqa: E402

L = tf.keras.layers


def _with_head(backbone, classes):
    """A Keras application's features with a static head: global average pooling and Dense (the
    applications' own top reshapes with a shape computed at run time: SHAPE, STRIDED_SLICE). The
    weights are redrawn with He initialisation (the applications' untrained Glorot weights fade to
    a constant output through 14 blocks); no Softmax, whose input scale would then be too small for
    TFLite's int8 softmax."""
    x = L.GlobalAveragePooling2D()(backbone.output)
    model = tf.keras.Model(backbone.input, L.Dense(classes)(x))
    rng = np.random.default_rng(7)
    for layer in model.layers:
        if isinstance(layer, (L.Conv2D, L.DepthwiseConv2D, L.Dense)):
            weights = layer.get_weights()
            kernel = weights[0]
            fan_in = int(np.prod(kernel.shape[:2])) if isinstance(layer, L.DepthwiseConv2D) else int(np.prod(kernel.shape[:-1]))
            weights[0] = rng.normal(0, np.sqrt(2.0 / fan_in), size=kernel.shape).astype(np.float32)
            layer.set_weights(weights)
    return model


def mobilenet_v1():
    """MobileNetV1-0.25 at 96x96 (the MLPerf Tiny visual wake words size), 2 classes."""
    inp = tf.keras.Input(shape=(96, 96, 3), batch_size=1)
    return _with_head(tf.keras.applications.MobileNet(input_tensor=inp, alpha=0.25, include_top=False, weights=None), 2), (96, 96, 3)


def mobilenet_v2():
    """MobileNetV2-0.35 at 96x96 with its inverted residuals (residual Adds), 10 classes."""
    inp = tf.keras.Input(shape=(96, 96, 3), batch_size=1)
    return _with_head(tf.keras.applications.MobileNetV2(input_tensor=inp, alpha=0.35, include_top=False, weights=None), 10), (96, 96, 3)


def autoencoder():
    """MLPerf Tiny anomaly detection: 640 inputs, Dense 128 x4, a bottleneck of 8, Dense 128 x4, 640."""
    inp = tf.keras.Input(shape=(640,), batch_size=1)
    x = inp
    for units in [128, 128, 128, 128, 8, 128, 128, 128, 128]:
        x = L.Dense(units, activation="relu")(x)
    return tf.keras.Model(inp, L.Dense(640)(x)), (640,)


def conv1d():
    """A 1-D depthwise-separable conv net (audio frames): Conv1D, SeparableConv1D blocks, pooling."""
    inp = tf.keras.Input(shape=(128, 8), batch_size=1)
    x = L.Conv1D(16, 5, strides=2, padding="same", activation="relu")(inp)
    for filters in (24, 32, 32):
        x = L.SeparableConv1D(filters, 3, padding="same", activation="relu")(x)
    x = L.GlobalAveragePooling1D()(x)
    return tf.keras.Model(inp, L.Softmax()(L.Dense(6)(x))), (128, 8)


NETWORKS = {"ds_cnn": tn.ds_cnn, "mobilenet_v1_025": mobilenet_v1, "resnet8": tn.resnet8, "autoencoder": autoencoder,
            "conv1d_ds": conv1d, "mobilenet_v2_035": mobilenet_v2, "inception_concat": tn.inception_block}


def tflm_arena(flatbuffer):
    """TFLite Micro's arena for the model, from its interpreter's allocation report (printed by C++
    to standard error): the total, and its head (the planned activation tensors)."""
    import ctypes
    libc = ctypes.CDLL(None)
    interpreter = tm.runtime.Interpreter.from_bytes(flatbuffer)
    with tempfile.TemporaryFile(mode="w+") as capture:
        sys.stderr.flush()
        libc.fflush(None)
        saved = os.dup(2)
        os.dup2(capture.fileno(), 2)
        try:
            interpreter.print_allocations()
            libc.fflush(None)
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        capture.seek(0)
        report = capture.read()
    total = re.search(r"Arena allocation total (\d+) bytes", report)
    head = re.search(r"Arena allocation head (\d+) bytes", report)
    return report, (int(total.group(1)) if total else None), (int(head.group(1)) if head else None)


def case(name, seed=1):
    tf.random.set_seed(seed)
    np_rng = np.random.default_rng(seed)
    model, shape = NETWORKS[name]()
    flatbuffer = tm._convert(model, shape, np_rng)
    xs = [np_rng.integers(-128, 128, size=(1, *shape)).astype(np.int8) for _ in range(18)]
    xs += [np.full((1, *shape), v, dtype=np.int8) for v in (-128, 127)]
    report, total, head = tflm_arena(flatbuffer)
    entry = {"file": f"net_{name}.tflite", "ops": [f"network {name}"], "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs],
             **tm.engine_outputs(flatbuffer, xs), "tfliteMicroArena": total, "tfliteMicroArenaHead": head}
    return flatbuffer, entry
