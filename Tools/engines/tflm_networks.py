"""Whole int8 networks (Keras → TensorFlow's converter → TFLite Micro): a DS-CNN keyword spotter,
a MobileNetV2 block stack, a ResNet-8 for CIFAR and an Inception-style block with Concatenation.
Each becomes a fixture case (the translated qgen model and TFLite Micro's outputs) and an example
model.swift."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import fixtures as fx  # noqa: E402
import tflite_spec as ts  # noqa: E402
import tflm_cases as tm  # noqa: E402

L = tf.keras.layers


class _Layers:
    """Keras layers with He-normal weights and small random biases, so that activations keep their
    range through the network (Keras's defaults shrink it layer by layer under ReLU)."""
    def __getattr__(self, name):
        layer = getattr(tf.keras.layers, name)
        if name in ("Conv2D", "Dense"):
            return lambda *a, **k: layer(*a, kernel_initializer="he_normal", bias_initializer=tf.keras.initializers.RandomUniform(-0.1, 0.1), **k)
        if name == "DepthwiseConv2D":
            return lambda *a, **k: layer(*a, depthwise_initializer="he_normal", bias_initializer=tf.keras.initializers.RandomUniform(-0.1, 0.1), **k)
        return layer


L = _Layers()


def ds_cnn():
    """The MLPerf Tiny keyword-spotting DS-CNN shape: 49×10 MFCCs, a 10×4 strided conv, four
    depthwise-separable blocks, average pooling over the whole map, 12 classes and a softmax."""
    inp = tf.keras.Input(shape=(49, 10, 1), batch_size=1)
    x = L.Conv2D(64, (10, 4), strides=2, padding="same", activation="relu")(inp)
    for _ in range(4):
        x = L.DepthwiseConv2D(3, padding="same", activation="relu")(x)
        x = L.Conv2D(64, 1, activation="relu")(x)
    x = L.AveragePooling2D(pool_size=(25, 5))(x)
    x = L.Flatten()(x)
    return tf.keras.Model(inp, L.Softmax()(L.Dense(12)(x))), (49, 10, 1)


def mobilenet_v2_blocks():
    """A stem and three inverted-residual blocks (expand 1×1, depthwise 3×3, project 1×1) with the
    residual Add where stride and channels allow it, global average pooling and a classifier."""
    inp = tf.keras.Input(shape=(24, 24, 3), batch_size=1)
    x = L.Conv2D(16, 3, strides=2, padding="same", activation="relu6")(inp)

    def block(x, expand, out, stride):
        y = L.Conv2D(x.shape[-1] * expand, 1, activation="relu6")(x)
        y = L.DepthwiseConv2D(3, strides=stride, padding="same", activation="relu6")(y)
        y = L.Conv2D(out, 1)(y)
        return L.Add()([x, y]) if stride == 1 and x.shape[-1] == out else y

    x = block(x, 1, 16, 1)
    x = block(x, 4, 24, 2)
    x = block(x, 4, 24, 1)
    x = L.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inp, L.Dense(10)(x)), (24, 24, 3)


def resnet8():
    """The MLPerf Tiny image-classification ResNet-8: 32×32×3, three residual stacks (16, 32, 64
    channels; 1×1 strided shortcuts), 8×8 average pooling, 10 classes."""
    inp = tf.keras.Input(shape=(32, 32, 3), batch_size=1)
    x = L.Conv2D(16, 3, padding="same", activation="relu")(inp)

    def stack(x, filters, stride):
        y = L.Conv2D(filters, 3, strides=stride, padding="same", activation="relu")(x)
        y = L.Conv2D(filters, 3, padding="same")(y)
        shortcut = x if stride == 1 else L.Conv2D(filters, 1, strides=stride)(x)
        return L.ReLU()(L.Add()([shortcut, y]))

    x = stack(x, 16, 1)
    x = stack(x, 32, 2)
    x = stack(x, 64, 2)
    x = L.AveragePooling2D(pool_size=8)(x)
    x = L.Flatten()(x)
    return tf.keras.Model(inp, L.Dense(10)(x)), (32, 32, 3)


def inception_block():
    """An Inception-style block: 1×1, 3×3 and max-pool branches joined by Concatenation on the
    channel axis, then a 1×1 conv, global average pooling and a classifier."""
    inp = tf.keras.Input(shape=(16, 16, 8), batch_size=1)
    a = L.Conv2D(8, 1, activation="relu")(inp)
    b = L.Conv2D(12, 3, padding="same", activation="relu")(L.Conv2D(6, 1, activation="relu")(inp))
    c = L.Conv2D(4, 1, activation="relu")(L.MaxPooling2D(3, strides=1, padding="same")(inp))
    x = L.Concatenate()([a, b, c])
    x = L.Conv2D(16, 1, activation="relu")(x)
    x = L.GlobalAveragePooling2D()(x)
    return tf.keras.Model(inp, L.Dense(5)(x)), (16, 16, 8)


NETWORKS = {"ds_cnn": ds_cnn, "mobilenet_v2_blocks": mobilenet_v2_blocks, "resnet8": resnet8, "inception_concat": inception_block}


def build(name, seed):
    tf.random.set_seed(seed)
    np_rng = np.random.default_rng(seed)
    model, shape = NETWORKS[name]()
    flatbuffer = tm._convert(model, shape, np_rng)
    source, nodes = ts.translate(flatbuffer)
    return flatbuffer, source, nodes, np_rng


def case(name, seed):
    flatbuffer, source, nodes, np_rng = build(name, seed)
    xs = [np_rng.integers(-128, 128, size=(1, *source["shape"][1:])).astype(np.int8) for _ in range(4)]
    return {"id": f"tflm-network-{name}-{seed}", "ops": [f"network {name}"], "model": ts.spec_json(name, source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


DESCRIPTIONS = {
    "ds_cnn": "the MLPerf Tiny keyword-spotting DS-CNN (49x10 MFCCs, a strided 10x4 conv, four depthwise-separable blocks, average pooling, 12 classes, softmax)",
    "mobilenet_v2_blocks": "a MobileNetV2 stem and three inverted-residual blocks (expand, depthwise, project, residual Add), global average pooling, 10 classes",
    "resnet8": "the MLPerf Tiny image-classification ResNet-8 (32x32x3, three residual stacks with 1x1 strided shortcuts, 8x8 average pooling, 10 classes)",
    "inception_concat": "an Inception-style block (1x1, 3x3 and max-pool branches joined by Concatenation on the channel axis), global average pooling, 5 classes",
}


def write_example(name, root, provenance):
    """Examples/<name>/model.swift and its .npy weights, from the seed-1 network."""
    flatbuffer, source, nodes, _ = build(name, 1)
    directory = root / name
    directory.mkdir(parents=True, exist_ok=True)
    header = (f"// Generated by Tools/engines/tflm_networks.py: {DESCRIPTIONS[name]}.\n"
              f"// Random Keras weights, int8-quantized by TensorFlow's converter (TFLite's layouts: NHWC, OHWI, 1HWC);\n"
              f"// Tests/Fixtures/engines/tflite_micro_networks.json holds TFLite Micro's outputs for it. {provenance}")
    text = ts.swift_source(name, source, nodes, header, lambda file, array: np.save(directory / file, np.ascontiguousarray(array)))
    (directory / "model.swift").write_text(text)
    print(f"wrote {directory / 'model.swift'}: {len(nodes)} nodes")
