"""TFLite Micro's own interpreter (the tflite-micro package) on int8 FULLY_CONNECTED, CONV_2D and
DEPTHWISE_CONV_2D models made by TensorFlow's converter with full-integer quantization."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tflite_micro.python.tflite_micro import runtime  # noqa: E402

import fixtures as fx  # noqa: E402


def _convert(model, input_shape, np_rng, sigma=1.0, per_tensor_dense=False):
    """Full-integer int8 conversion, calibrated on 16 samples of normal(0, sigma) data; optionally
    with per-tensor FULLY_CONNECTED weights (the converter's default is per channel)."""
    def representative():
        for _ in range(16):
            yield [np_rng.normal(0, sigma, size=(1, *input_shape)).astype(np.float32)]

    converter = tf.lite.TFLiteConverter.from_keras_model(model)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    converter._experimental_disable_per_channel_quantization_for_dense_layers = per_tensor_dense
    return converter.convert()


def _tensors(flatbuffer):
    """(op name, input details, weight, bias, output details) of the single compute op."""
    interpreter = tf.lite.Interpreter(model_content=flatbuffer,
                                      experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    ops = [op for op in interpreter._get_ops_details() if op["op_name"] not in ("QUANTIZE", "DEQUANTIZE")]
    assert len(ops) == 1, [op["op_name"] for op in interpreter._get_ops_details()]
    op = ops[0]
    details = {d["index"]: d for d in interpreter.get_tensor_details()}
    x, w = details[op["inputs"][0]], details[op["inputs"][1]]
    b = details[op["inputs"][2]] if len(op["inputs"]) > 2 and op["inputs"][2] >= 0 else None
    y = details[op["outputs"][0]]
    weight = interpreter.get_tensor(w["index"])
    bias = interpreter.get_tensor(b["index"]) if b is not None else None
    return op["op_name"], x, (weight, w["quantization_parameters"]), bias, y


def _run(flatbuffer, xs):
    interpreter = runtime.Interpreter.from_bytes(flatbuffer)
    ys = []
    for x in xs:
        interpreter.set_input(x, 0)
        interpreter.invoke()
        ys.append(interpreter.get_output(0).copy())
    return ys


def _run_litert(flatbuffer, xs):
    """LiteRT's interpreter with its builtin reference kernels (OpResolverType.BUILTIN_REF)."""
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    interpreter = Interpreter(model_content=flatbuffer, experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    interpreter.allocate_tensors()
    x_index, y_index = interpreter.get_input_details()[0]["index"], interpreter.get_output_details()[0]["index"]
    ys = []
    for x in xs:
        interpreter.set_tensor(x_index, x)
        interpreter.invoke()
        ys.append(interpreter.get_tensor(y_index).copy())
    return ys


# When a list, engine_outputs appends every flatbuffer it runs (make_fixtures.py tflite_files keeps
# the .tflite files of the cases it builds).
RECORDED = None


def engine_outputs(flatbuffer, xs):
    """The case fields of both engines' outputs for inputs `xs`: TFLite Micro's ("outputs") and
    LiteRT's builtin reference kernels' ("liteRTOutputs", or "liteRTRefusal" with LiteRT's reason
    when it will not run the model)."""
    if RECORDED is not None:
        RECORDED.append(flatbuffer)
    fields = {"outputs": [fx.bytes_b64(np.ravel(v), "int8") for v in _run(flatbuffer, xs)]}
    try:
        fields["liteRTOutputs"] = [fx.bytes_b64(np.ravel(v), "int8") for v in _run_litert(flatbuffer, xs)]
    except RuntimeError as error:
        fields["liteRTRefusal"] = str(error).strip().splitlines()[0]
    return fields


def _q(details):
    scale, zp = details["quantization"]
    return fx.quant("int8", float(np.float32(scale)), zp)


def dense_case(index, rng, np_rng):
    k, n = rng.randint(1, 40), rng.randint(1, 12)
    use_bias = rng.random() < 0.75
    relu = rng.random() < 0.3
    tf.random.set_seed(rng.randint(0, 2**31))
    inp = tf.keras.Input(shape=(k,), batch_size=1)
    layer = tf.keras.layers.Dense(n, use_bias=use_bias, activation="relu" if relu else None,
                                  bias_initializer=tf.keras.initializers.RandomUniform(-0.5, 0.5))
    model = tf.keras.Model(inp, layer(inp))
    flatbuffer = _convert(model, (k,), np_rng)
    name, x, (w, wq), bias, y = _tensors(flatbuffer)
    assert name == "FULLY_CONNECTED", name
    xs = [np_rng.integers(-128, 128, size=(1, k)).astype(np.int8) for _ in range(3)]
    ys = _run(flatbuffer, xs)
    bias_json = {"kind": "int32", "values": [int(v) for v in bias]} if bias is not None else None
    return fx.linear_case(f"tflm-fc-{index}", k, n, _q(x), _q(y), w, [float(s) for s in wq["scales"]],
                          [int(z) for z in wq["zero_points"]], bias_json, relu, xs, ys)


def conv_case(index, rng, np_rng):
    g = fx.conv_shape(rng, max_channels=4, max_size=6)
    c, out, groups, k = g["in_channels"], g["out_channels"], g["groups"], g["kernel"]
    depthwise = groups == c and out % c == 0 and groups > 1 or (c == 1 and rng.random() < 0.2)
    if not depthwise:
        groups = g["groups"] = 1
    else:
        groups = g["groups"] = c
    # TFLite pads 'same' symmetrically only when the total padding is even; strides and dilations
    # do not mix in Keras. Use 'valid' or symmetric 'same' with stride 1.
    if g["stride"] > 1:
        g["dilation"] = 1
    extent = g["dilation"] * (k - 1) + 1
    same = g["stride"] == 1 and rng.random() < 0.5
    g["padding"] = (extent - 1) // 2 if same else 0
    g["height"] = max(g["height"], extent)
    g["width"] = max(g["width"], extent)
    use_bias = rng.random() < 0.75
    relu = rng.random() < 0.3
    tf.random.set_seed(rng.randint(0, 2**31))
    inp = tf.keras.Input(shape=(g["height"], g["width"], c), batch_size=1)
    common = dict(strides=g["stride"], padding="same" if same else "valid", dilation_rate=g["dilation"],
                  use_bias=use_bias, activation="relu" if relu else None,
                  bias_initializer=tf.keras.initializers.RandomUniform(-0.5, 0.5))
    if depthwise:
        layer = tf.keras.layers.DepthwiseConv2D(k, depth_multiplier=out // c, **common)
    else:
        layer = tf.keras.layers.Conv2D(out, k, **common)
    model = tf.keras.Model(inp, layer(inp))
    flatbuffer = _convert(model, (g["height"], g["width"], c), np_rng)
    name, x, (w, wq), bias, y = _tensors(flatbuffer)
    if depthwise:
        assert name == "DEPTHWISE_CONV_2D", name
        weights = np.transpose(w, (3, 0, 1, 2))            # [1, kh, kw, out] -> [out, 1, kh, kw]
    else:
        assert name == "CONV_2D", name
        weights = np.transpose(w, (0, 3, 1, 2))            # OHWI -> OIHW
    xs = [np_rng.integers(-128, 128, size=(1, g["height"], g["width"], c)).astype(np.int8) for _ in range(2)]
    ys = _run(flatbuffer, xs)
    nchw = lambda a: np.transpose(a, (0, 3, 1, 2))  # noqa: E731
    bias_json = {"kind": "int32", "values": [int(v) for v in bias]} if bias is not None else None
    return fx.conv_case(f"tflm-{name.lower()}-{index}", g, _q(x), _q(y), weights, [float(s) for s in wq["scales"]],
                        [int(z) for z in wq["zero_points"]], bias_json, relu, [nchw(a) for a in xs], [nchw(a) for a in ys])


def provenance(litert=False):
    import importlib.metadata as md
    litert_text = f"liteRTOutputs: LiteRT interpreter ai-edge-litert {md.version('ai-edge-litert')} (OpResolverType.BUILTIN_REF); " if litert else ""
    return (f"TFLite Micro Python interpreter tflite-micro {md.version('tflite-micro')} (reference kernels); {litert_text}models converted by "
            f"TensorFlow {tf.__version__} TFLiteConverter (Optimize.DEFAULT, int8 in/out, 16 normal(0,1) calibration samples), "
            f"CPU {fx.cpu_flags()}; made by Tools/engines/make_fixtures.py")
