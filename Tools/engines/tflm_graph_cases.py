"""TFLite Micro on small int8 graphs made by TensorFlow's converter, written as qgen ModelSpec JSON
(the form a model.swift hands qgen) with the engine's outputs. Each case exercises one op (named in
"ops") in a graph; the other ops in it are ones already checked alone (FULLY_CONNECTED)."""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import fixtures as fx  # noqa: E402
import tflm_cases as tm  # noqa: E402

AT = {"file": "fixture", "line": 1}


def _quant(details):
    scale, zp = details["quantization"]
    return {"dtype": "int8", "scale": float(np.float32(scale)), "zeroPoint": int(zp)}


def _values(array):
    return {"values": {"_0": [float(v) for v in np.ravel(array)]}}


def _activation(relu):
    return {"relu": {}} if relu else {"none": {}}


def _graph(flatbuffer):
    """The ops (without QUANTIZE/DEQUANTIZE) and tensor details of a converted model."""
    interpreter = tf.lite.Interpreter(model_content=flatbuffer,
                                      experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    interpreter.allocate_tensors()
    ops = [op for op in interpreter._get_ops_details() if op["op_name"] not in ("QUANTIZE", "DEQUANTIZE")]
    details = {d["index"]: d for d in interpreter.get_tensor_details()}
    return interpreter, ops, details


def residual_add_case(index, rng, np_rng):
    """x -> Dense(n) -> Add(dense, x) [-> ReLU, fused]: the two Add inputs have unrelated scales."""
    n = rng.randint(1, 48)
    relu = rng.random() < 0.4
    swap = rng.random() < 0.5
    spread = fx.log_uniform(rng, 0.05, 20)      # the dense branch's range relative to x's
    tf.random.set_seed(rng.randint(0, 2**31))
    inp = tf.keras.Input(shape=(n,), batch_size=1)
    dense = tf.keras.layers.Dense(n, kernel_initializer=tf.keras.initializers.RandomNormal(0, spread / max(n, 1) ** 0.5),
                                  bias_initializer=tf.keras.initializers.RandomUniform(-spread, spread))(inp)
    total = tf.keras.layers.Add()([inp, dense] if swap else [dense, inp])
    if relu:
        total = tf.keras.layers.ReLU()(total)
    model = tf.keras.Model(inp, total)
    flatbuffer = tm._convert(model, (n,), np_rng)
    interpreter, ops, details = _graph(flatbuffer)
    names = {}
    # The converter may put a RESHAPE after FULLY_CONNECTED ([1, n] -> [n], which ADD broadcasts back): the same
    # bytes and quantization, so its output is the FC's tensor.
    for op in ops:
        if op["op_name"] == "RESHAPE":
            src, dst = details[op["inputs"][0]], details[op["outputs"][0]]
            assert np.prod(src["shape"]) == np.prod(dst["shape"]) and src["quantization"] == dst["quantization"], (src, dst)
            names[op["outputs"][0]] = op["inputs"][0]
    ops = [op for op in ops if op["op_name"] != "RESHAPE"]
    assert [op["op_name"] for op in ops] == ["FULLY_CONNECTED", "ADD"], [op["op_name"] for op in ops]
    fc, add = ops
    x = details[fc["inputs"][0]]
    w = details[fc["inputs"][1]]
    b = details[fc["inputs"][2]]
    names = {k: {fc["inputs"][0]: "x", fc["outputs"][0]: "fc"}[v] for k, v in names.items()} | {fc["inputs"][0]: "x", fc["outputs"][0]: "fc"}
    wq = w["quantization_parameters"]
    layers = [
        {"input": {"_0": {"name": "x", "shape": [1, n], "layout": "nchw", "quant": _quant(x), "location": AT}}},
        {"linear": {"_0": {"name": "fc", "outFeatures": n,
                           "weight": {"quantized": {"_0": _values(interpreter.get_tensor(w["index"])),
                                                    "scales": [float(s) for s in wq["scales"]],
                                                    "zeroPoints": [int(z) for z in wq["zero_points"]]}},
                           "bias": {"int32": {"_0": _values(interpreter.get_tensor(b["index"]))}},
                           "output": _quant(details[fc["outputs"][0]]), "activation": _activation(False), "location": AT}}},
        {"add": {"_0": {"name": "sum", "inputs": [names[i] for i in add["inputs"]],
                        "output": _quant(details[add["outputs"][0]]), "activation": _activation(relu), "location": AT}}},
    ]
    xs = [np_rng.integers(-128, 128, size=(1, n)).astype(np.int8) for _ in range(3)]
    model_json = {"name": f"tflm_add_{index}", "layers": layers, "requantization": {"name": "tflite"}, "location": AT}
    return {"id": f"tflm-add-{index}", "ops": ["ADD"], "model": model_json,
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def provenance():
    return tm.provenance(litert=True).replace("; made by", " (graphs: FULLY_CONNECTED feeding ADD; NHWC CONV_2D, DEPTHWISE_CONV_2D, MAX_POOL_2D, AVERAGE_POOL_2D, MEAN, SOFTMAX, LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, SUB, MUL, PAD, FULLY_CONNECTED alone, HARD_SWISH); made by")


def nhwc_conv_case(index, rng, np_rng):
    """One CONV_2D or DEPTHWISE_CONV_2D on NHWC input, as TFLite has it: OHWI or 1HWC weights,
    SAME (possibly asymmetric) or VALID padding, strides, dilations, depth multipliers."""
    depthwise = rng.random() < 0.45
    c = rng.randint(1, 6)
    k = [rng.choice([1, 2, 3, 5]), rng.choice([1, 2, 3, 5])]
    stride = rng.choice([1, 1, 2, 3])
    dilation = rng.choice([1, 2]) if stride == 1 and max(k) > 1 else 1
    same = rng.random() < 0.6
    extent = [dilation * (kk - 1) + 1 for kk in k]
    h, w = rng.randint(max(extent[0], 1), 9), rng.randint(max(extent[1], 1), 9)
    relu = rng.choice([None, None, "relu", "relu6"])
    tf.random.set_seed(rng.randint(0, 2**31))
    inp = tf.keras.Input(shape=(h, w, c), batch_size=1)
    common = dict(strides=stride, padding="same" if same else "valid", dilation_rate=dilation, use_bias=rng.random() < 0.8,
                  activation=relu, bias_initializer=tf.keras.initializers.RandomUniform(-0.5, 0.5))
    if depthwise:
        multiplier = rng.choice([1, 1, 2, 3])
        layer = tf.keras.layers.DepthwiseConv2D(k, depth_multiplier=multiplier, **common)
        out = c * multiplier
    else:
        out = rng.randint(1, 8)
        layer = tf.keras.layers.Conv2D(out, k, **common)
    model = tf.keras.Model(inp, layer(inp))
    flatbuffer = tm._convert(model, (h, w, c), np_rng)
    interpreter, ops, details = _graph(flatbuffer)
    assert len(ops) == 1, [op["op_name"] for op in ops]
    op = ops[0]
    expected = "DEPTHWISE_CONV_2D" if depthwise else "CONV_2D"
    assert op["op_name"] == expected, op["op_name"]
    x, wt, y = details[op["inputs"][0]], details[op["inputs"][1]], details[op["outputs"][0]]
    b = details[op["inputs"][2]] if len(op["inputs"]) > 2 and op["inputs"][2] >= 0 else None
    wq = wt["quantization_parameters"]
    activation = {"relu": {"relu": {}}, "relu6": {"relu6": {}}}.get(relu, {"none": {}})
    size2 = lambda a, b: {"height": a, "width": b, "elementCount": 2}  # noqa: E731
    body = {"name": "conv", "kernel": size2(*k), "stride": size2(stride, stride),
            "padding": {} if same else {"size": size2(0, 0)}, "dilation": size2(dilation, dilation),
            "weight": {"quantized": {"_0": _values(interpreter.get_tensor(wt["index"])), "scales": [float(s) for s in wq["scales"]],
                                     "zeroPoints": [int(z) for z in wq["zero_points"]]}},
            "output": _quant(y), "activation": activation, "location": AT}
    if b is not None:
        body["bias"] = {"int32": {"_0": _values(interpreter.get_tensor(b["index"]))}}
    if depthwise:
        body |= {"depthMultiplier": multiplier}
        node = {"depthwiseConv2d": {"_0": body}}
    else:
        body |= {"outChannels": out, "groups": 1}
        node = {"conv2d": {"_0": body}}
    layers = [{"input": {"_0": {"name": "x", "shape": [1, h, w, c], "layout": "nhwc", "quant": _quant(x), "location": AT}}}, node]
    xs = [np_rng.integers(-128, 128, size=(1, h, w, c)).astype(np.int8) for _ in range(2)]
    model_json = {"name": f"tflm_{expected.lower()}_{index}", "layers": layers, "requantization": {"name": "tflite"}, "location": AT}
    return {"id": f"tflm-nhwc-{expected.lower()}-{index}", "ops": [expected + (" SAME" if same else " VALID")], "model": model_json,
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def _single_op_case(index, expected_op, label, model, shape, np_rng, node_for):
    """Converts a one-op Keras model on NHWC input `shape` and builds the case with `node_for(op,
    details, interpreter)`, which returns the qgen node."""
    flatbuffer = tm._convert(model, shape, np_rng)
    interpreter, ops, details = _graph(flatbuffer)
    assert [op["op_name"] for op in ops] == [expected_op], [op["op_name"] for op in ops]
    op = ops[0]
    x = details[op["inputs"][0]]
    layers = [{"input": {"_0": {"name": "x", "shape": [1, *shape], "layout": "nhwc" if len(shape) == 3 else "nchw",
                                "quant": _quant(x), "location": AT}}},
              node_for(op, details, interpreter)]
    xs = [np_rng.integers(-128, 128, size=(1, *shape)).astype(np.int8) for _ in range(3)]
    model_json = {"name": f"tflm_{expected_op.lower()}_{index}", "layers": layers, "requantization": {"name": "tflite"}, "location": AT}
    return {"id": f"tflm-{expected_op.lower()}-{index}", "ops": [label], "model": model_json,
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def pool_case(index, rng, np_rng):
    """MAX_POOL_2D or AVERAGE_POOL_2D, SAME or VALID, with strides that overlap, skip or tile."""
    average = rng.random() < 0.5
    k = [rng.randint(1, 4), rng.randint(2, 4)]          # a 1x1 window is converted away
    stride = [rng.randint(1, 3), rng.randint(1, 3)]
    same = rng.random() < 0.5
    h, w, c = rng.randint(k[0], 9), rng.randint(k[1], 9), rng.randint(1, 5)
    layer = (tf.keras.layers.AveragePooling2D if average else tf.keras.layers.MaxPooling2D)(
        pool_size=k, strides=stride, padding="same" if same else "valid")
    inp = tf.keras.Input(shape=(h, w, c), batch_size=1)
    model = tf.keras.Model(inp, layer(inp))
    size2 = lambda a, b: {"height": a, "width": b, "elementCount": 2}  # noqa: E731
    expected = "AVERAGE_POOL_2D" if average else "MAX_POOL_2D"

    def node(op, details, interpreter):
        return {"pool2d": {"_0": {"kind": "average" if average else "max", "name": "pool", "kernel": size2(*k), "stride": size2(*stride),
                                  "padding": {} if same else {"size": size2(0, 0)}, "activation": {"none": {}}, "location": AT}}}
    return _single_op_case(index, expected, expected + (" SAME" if same else " VALID"), model, (h, w, c), np_rng, node)


def mean_case(index, rng, np_rng):
    """MEAN over H and W (GlobalAveragePooling2D, keepdims either way) with its own output scale."""
    h, w, c = rng.randint(1, 12), rng.randint(2, 12), rng.randint(1, 8)
    keep = rng.random() < 0.5
    inp = tf.keras.Input(shape=(h, w, c), batch_size=1)
    # A scale after the mean makes the calibrated output range differ from the input's.
    out = tf.keras.layers.GlobalAveragePooling2D(keepdims=keep)(inp)
    model = tf.keras.Model(inp, out)

    def node(op, details, interpreter):
        return {"mean": {"_0": {"name": "mean", "axes": [1, 2], "keepDims": keep, "output": _quant(details[op["outputs"][0]]), "location": AT}}}
    return _single_op_case(index, "MEAN", "MEAN", model, (h, w, c), np_rng, node)


def softmax_case(index, rng, np_rng):
    """FULLY_CONNECTED (or a 1x1 CONV_2D on NHWC) feeding SOFTMAX over the last axis: the layer in
    front gives the softmax input scales over a wide range."""
    import tflite_spec as ts
    image = rng.random() < 0.4
    n = rng.randint(2, 40)
    spread = fx.log_uniform(rng, 0.05, 30)
    tf.random.set_seed(rng.randint(0, 2**31))
    init = tf.keras.initializers.RandomNormal(0, spread)
    if image:
        shape = (rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 6))
        inp = tf.keras.Input(shape=shape, batch_size=1)
        x = tf.keras.layers.Conv2D(n, 1, kernel_initializer=init)(inp)
    else:
        shape = (rng.randint(1, 30),)
        inp = tf.keras.Input(shape=shape, batch_size=1)
        x = tf.keras.layers.Dense(n, kernel_initializer=init)(inp)
    model = tf.keras.Model(inp, tf.keras.layers.Softmax()(x))
    flatbuffer = tm._convert(model, shape, np_rng)
    source, nodes = ts.translate(flatbuffer)
    assert [n["op"] for n in nodes][-1] == "softmax", [n["op"] for n in nodes]
    xs = [np_rng.integers(-128, 128, size=(1, *shape)).astype(np.int8) for _ in range(3)]
    return {"id": f"tflm-softmax-{index}", "ops": ["SOFTMAX"], "model": ts.spec_json(f"tflm_softmax_{index}", source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def lookup_case(index, rng, np_rng):
    """LOGISTIC, TANH, RELU, RELU6 or LEAKY_RELU straight on the input, calibrated on normal data of a random spread so
    that the input scale ranges widely."""
    import tflite_spec as ts
    function = rng.choice(["sigmoid", "tanh", "relu", "relu6", "leaky"])
    shape = (rng.randint(1, 64),)
    sigma = fx.log_uniform(rng, 0.02, 20)
    inp = tf.keras.Input(shape=shape, batch_size=1)
    if function == "relu6":
        layer = tf.keras.layers.ReLU(max_value=6)
    elif function == "leaky":
        layer = tf.keras.layers.LeakyReLU(negative_slope=rng.choice([0.01, 0.1, 0.2, 0.3, 0.7]))
    else:
        layer = tf.keras.layers.Activation(function)
    model = tf.keras.Model(inp, layer(inp))

    flatbuffer = tm._convert(model, shape, np_rng, sigma=sigma)
    source, nodes = ts.translate(flatbuffer)
    xs = [np_rng.integers(-128, 128, size=(1, *shape)).astype(np.int8) for _ in range(3)]
    # Every code once, too.
    xs.append(np.resize(np.arange(-128, 128, dtype=np.int8), (1, *shape)))
    op = {"sigmoid": "LOGISTIC", "tanh": "TANH", "relu": "RELU", "relu6": "RELU6", "leaky": "LEAKY_RELU"}[function]
    assert nodes[-1]["op"] == "lookup", [n["op"] for n in nodes]
    return {"id": f"tflm-{op.lower()}-{index}", "ops": [op], "model": ts.spec_json(f"tflm_{op.lower()}_{index}", source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def binary_case(index, rng, np_rng):
    """x → FULLY_CONNECTED → SUB or MUL with x (either order), fused ReLU sometimes: the two inputs
    have unrelated scales."""
    import tflite_spec as ts
    n = rng.randint(1, 48)
    multiply = rng.random() < 0.5
    spread = fx.log_uniform(rng, 0.05, 20)
    tf.random.set_seed(rng.randint(0, 2**31))
    inp = tf.keras.Input(shape=(n,), batch_size=1)
    dense = tf.keras.layers.Dense(n, kernel_initializer=tf.keras.initializers.RandomNormal(0, spread / max(n, 1) ** 0.5),
                                  bias_initializer=tf.keras.initializers.RandomUniform(-spread, spread))(inp)
    operands = [inp, dense] if rng.random() < 0.5 else [dense, inp]
    y = (tf.keras.layers.Multiply() if multiply else tf.keras.layers.Subtract())(operands)
    if rng.random() < 0.4:
        y = tf.keras.layers.ReLU()(y)
    model = tf.keras.Model(inp, y)
    flatbuffer = tm._convert(model, (n,), np_rng)
    source, nodes = ts.translate(flatbuffer)
    op = "MUL" if multiply else "SUB"
    assert op.lower() in [n["op"] for n in nodes], [n["op"] for n in nodes]
    xs = [np_rng.integers(-128, 128, size=(1, n)).astype(np.int8) for _ in range(3)]
    return {"id": f"tflm-{op.lower()}-{index}", "ops": [op], "model": ts.spec_json(f"tflm_{op.lower()}_{index}", source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def pad_case(index, rng, np_rng):
    """PAD (ZeroPadding2D) of an NHWC tensor, then a 3x3 VALID CONV_2D that reads the padding, so that
    the padded value (the zero point) shows in the result."""
    import tflite_spec as ts
    shape = (rng.randint(1, 6), rng.randint(1, 6), rng.randint(1, 4))
    padding = ((rng.randint(0, 2), rng.randint(0, 2)), (rng.randint(0, 2), rng.randint(0, 2)))
    if sum(map(sum, padding)) == 0:
        padding = ((1, 0), (0, 2))
    tf.random.set_seed(rng.randint(0, 2**31))
    inp = tf.keras.Input(shape=shape, batch_size=1)
    x = tf.keras.layers.ZeroPadding2D(padding)(inp)
    if rng.random() < 0.5 and x.shape[1] >= 2 and x.shape[2] >= 2:
        x = tf.keras.layers.Conv2D(3, 2)(x)
    model = tf.keras.Model(inp, x)
    flatbuffer = tm._convert(model, shape, np_rng)
    source, nodes = ts.translate(flatbuffer)
    assert "pad" in [n["op"] for n in nodes], [n["op"] for n in nodes]
    xs = [np_rng.integers(-128, 128, size=(1, *shape)).astype(np.int8) for _ in range(3)]
    return {"id": f"tflm-pad-{index}", "ops": ["PAD"], "model": ts.spec_json(f"tflm_pad_{index}", source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def fc_case(index, rng, np_rng):
    """FULLY_CONNECTED alone: per-channel weights (the converter's default) or per-tensor ones, a 2-D
    input or a 3-D one (keep_num_dims: the layer applies to the last axis), fused ReLU/ReLU6, and
    input and weight spreads over a wide range, so that the multipliers and accumulators vary."""
    import tflite_spec as ts
    k, n = rng.randint(1, 96), rng.randint(1, 64)
    shape = (rng.randint(2, 5), k) if rng.random() < 0.3 else (k,)
    per_tensor = rng.random() < 0.4
    activation = rng.choice([None, None, "relu", "relu6"])
    sigma, spread = fx.log_uniform(rng, 0.05, 20), fx.log_uniform(rng, 0.05, 20)
    tf.random.set_seed(rng.randint(0, 2**31))
    inp = tf.keras.Input(shape=shape, batch_size=1)
    dense = tf.keras.layers.Dense(n, activation=activation, kernel_initializer=tf.keras.initializers.RandomNormal(0, spread / k ** 0.5),
                                  bias_initializer=tf.keras.initializers.RandomUniform(-spread, spread))
    model = tf.keras.Model(inp, dense(inp))

    flatbuffer = tm._convert(model, shape, np_rng, sigma=sigma, per_tensor_dense=per_tensor)
    source, nodes = ts.translate(flatbuffer)
    assert [n["op"] for n in nodes if n["op"] != "reshape"] == ["linear"], [n["op"] for n in nodes]
    assert (len(nodes[-1]["weight"]["scales"]) == 1) == per_tensor, (per_tensor, len(nodes[-1]["weight"]["scales"]))
    xs = [np_rng.integers(-128, 128, size=(1, *shape)).astype(np.int8) for _ in range(4)]
    label = "FULLY_CONNECTED " + ("per-tensor" if per_tensor else "per-channel")
    return {"id": f"tflm-fc-{index}", "ops": [label], "model": ts.spec_json(f"tflm_fc_{index}", source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def hard_swish_case(index, rng, np_rng):
    """HARD_SWISH (Keras hard_swish, x · relu6(x + 3) / 6) straight on the input, calibrated
    on normal data of a random spread, with every int8 code once."""
    import tflite_spec as ts
    shape = (rng.randint(1, 64),)
    sigma = fx.log_uniform(rng, 0.05, 20)
    inp = tf.keras.Input(shape=shape, batch_size=1)
    model = tf.keras.Model(inp, tf.keras.layers.Activation("hard_swish")(inp))

    flatbuffer = tm._convert(model, shape, np_rng, sigma=sigma)
    source, nodes = ts.translate(flatbuffer)
    assert [n["op"] for n in nodes] == ["lookup"] and nodes[0]["function"] == "hardSwish", [n["op"] for n in nodes]
    xs = [np_rng.integers(-128, 128, size=(1, *shape)).astype(np.int8) for _ in range(3)]
    xs.append(np.resize(np.arange(-128, 128, dtype=np.int8), (1, *shape)))
    return {"id": f"tflm-hard_swish-{index}", "ops": ["HARD_SWISH"], "model": ts.spec_json(f"tflm_hard_swish_{index}", source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def softmax16_case(index, rng, np_rng):
    """SOFTMAX with int8 input and int16 output (TFLite's scale 1/65536, zero point -32768): a
    converted FULLY_CONNECTED + SOFTMAX model whose softmax output tensor is rewritten to int16 in
    the flatbuffer (the converter's int8 models end in an int8 softmax)."""
    from tensorflow.lite.python import schema_py_generated as schema
    import flatbuffers
    import tflite_spec as ts
    n = rng.randint(2, 40)
    spread = fx.log_uniform(rng, 0.05, 30)
    tf.random.set_seed(rng.randint(0, 2**31))
    shape = (rng.randint(1, 30),)
    inp = tf.keras.Input(shape=shape, batch_size=1)
    x = tf.keras.layers.Dense(n, kernel_initializer=tf.keras.initializers.RandomNormal(0, spread))(inp)
    model = tf.keras.Model(inp, tf.keras.layers.Softmax()(x))
    flatbuffer = tm._convert(model, shape, np_rng)
    m = schema.ModelT.InitFromPackedBuf(flatbuffer, 0)
    graph = m.subgraphs[0]
    out = graph.tensors[graph.outputs[0]]
    codes = [max(c.builtinCode, c.deprecatedBuiltinCode) for c in m.operatorCodes]
    assert ts.OPS[codes[graph.operators[-1].opcodeIndex]] == "SOFTMAX"
    out.type = schema.TensorType.INT16
    out.quantization.scale = [1.0 / 65536]
    out.quantization.zeroPoint = [-32768]
    builder = flatbuffers.Builder(1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    flatbuffer = bytes(builder.Output())
    source, nodes = ts.translate(flatbuffer)
    assert nodes[-1]["op"] == "softmax" and nodes[-1]["output"]["dtype"] == "int16", nodes[-1]
    xs = [np_rng.integers(-128, 128, size=(1, *shape)).astype(np.int8) for _ in range(3)]
    fields = {"outputs": [fx.bytes_b64(np.ravel(v), "int16") for v in tm._run(flatbuffer, xs)]}
    try:
        fields["liteRTOutputs"] = [fx.bytes_b64(np.ravel(v), "int16") for v in tm._run_litert(flatbuffer, xs)]
    except RuntimeError as error:
        fields["liteRTRefusal"] = str(error).strip().splitlines()[0]
    return {"id": f"tflm-softmax16-{index}", "ops": ["SOFTMAX int8 -> int16"], "model": ts.spec_json(f"tflm_softmax16_{index}", source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **fields}


def concat_case(index, rng, np_rng):
    """CONCATENATION of two or three branches on a random axis: NHWC images (axis 1, 2 or 3, or
    negative) behind 1x1 CONV_2Ds, or [N, F] vectors behind FULLY_CONNECTEDs, sometimes with the
    input itself as a branch. The converter gives every input the concatenation's quantization."""
    import tflite_spec as ts
    image = rng.random() < 0.6
    tf.random.set_seed(rng.randint(0, 2**31))
    if image:
        shape = (rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 4))
        axis = rng.choice([1, 2, 3, -1, -3])
    else:
        shape = (rng.randint(1, 24),)
        axis = rng.choice([1, -1])
    inp = tf.keras.Input(shape=shape, batch_size=1)
    branches = []
    for _ in range(rng.choice([2, 2, 3])):
        spread = fx.log_uniform(rng, 0.1, 10)
        init = tf.keras.initializers.RandomNormal(0, spread)
        units = rng.randint(1, 6)
        layer = tf.keras.layers.Conv2D(units, 1, kernel_initializer=init) if image else tf.keras.layers.Dense(units, kernel_initializer=init)
        branch = layer(inp)
        if image and axis % 4 != 3:
            # Along H or W the branches must agree on the channels.
            branch = tf.keras.layers.Conv2D(shape[2], 1, kernel_initializer=init)(inp)
        branches.append(branch)
    if rng.random() < 0.3 and (not image or axis % 4 == 3):
        branches.insert(rng.randint(0, len(branches)), inp)
    model = tf.keras.Model(inp, tf.keras.layers.Concatenate(axis=axis)(branches))
    flatbuffer = tm._convert(model, shape, np_rng)
    source, nodes = ts.translate(flatbuffer)
    kinds = [n["op"] for n in nodes]
    assert "concatenation" in kinds, kinds
    xs = [np_rng.integers(-128, 128, size=(1, *shape)).astype(np.int8) for _ in range(3)]
    ops = [f"CONCATENATION axis {axis % (4 if image else 2)}"]
    return {"id": f"tflm-concat-{index}", "ops": ops, "model": ts.spec_json(f"tflm_concat_{index}", source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}


def quantize_case(index, rng, np_rng):
    """QUANTIZE from int8 to int8 (a requantization: TFLite's Requantize with QuantizeMultiplier of
    s_in / s_out), written directly as a one-op flatbuffer with random scales and zero points (the
    converter emits it only inside larger graphs)."""
    from tensorflow.lite.python import schema_py_generated as schema
    import flatbuffers
    import tflite_spec as ts
    n = rng.randint(1, 64)
    s_in = float(np.float32(fx.log_uniform(rng, 0.002, 2)))
    s_out = float(np.float32(s_in * fx.log_uniform(rng, 0.05, 20)))
    zps = [rng.randint(-128, 127), rng.randint(-128, 127)]
    m = schema.ModelT()
    m.version = 3
    code = schema.OperatorCodeT()
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.QUANTIZE
    m.operatorCodes = [code]
    m.buffers = [schema.BufferT(), schema.BufferT(), schema.BufferT()]
    tensors = []
    for k, (scale, zp) in enumerate([(s_in, zps[0]), (s_out, zps[1])]):
        t = schema.TensorT()
        t.shape, t.type, t.buffer, t.name = [1, n], schema.TensorType.INT8, k + 1, f"t{k}".encode()
        t.quantization = schema.QuantizationParametersT()
        t.quantization.scale, t.quantization.zeroPoint = [scale], [zp]
        tensors.append(t)
    op = schema.OperatorT()
    op.opcodeIndex, op.inputs, op.outputs = 0, [0], [1]
    op.builtinOptionsType = schema.BuiltinOptions.QuantizeOptions
    op.builtinOptions = schema.QuantizeOptionsT()
    graph = schema.SubGraphT()
    graph.tensors, graph.operators, graph.inputs, graph.outputs = tensors, [op], [0], [1]
    m.subgraphs = [graph]
    builder = flatbuffers.Builder(1024)
    builder.Finish(m.Pack(builder), file_identifier=b"TFL3")
    flatbuffer = bytes(builder.Output())
    source, nodes = ts.translate(flatbuffer)
    assert [x["op"] for x in nodes] == ["quantize"], nodes
    xs = [np_rng.integers(-128, 128, size=(1, n)).astype(np.int8) for _ in range(3)]
    xs.append(np.resize(np.arange(-128, 128, dtype=np.int8), (1, n)))
    return {"id": f"tflm-quantize-{index}", "ops": ["QUANTIZE int8 -> int8"], "model": ts.spec_json(f"tflm_quantize_{index}", source, nodes),
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], **tm.engine_outputs(flatbuffer, xs)}
