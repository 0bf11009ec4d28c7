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
    ys = tm._run(flatbuffer, xs)
    model_json = {"name": f"tflm_add_{index}", "layers": layers, "requantization": {"name": "tflite"}, "location": AT}
    return {"id": f"tflm-add-{index}", "ops": ["ADD"], "model": model_json,
            "inputs": [fx.bytes_b64(np.ravel(v), "int8") for v in xs], "outputs": [fx.bytes_b64(np.ravel(v), "int8") for v in ys]}


def provenance():
    return tm.provenance().replace("; made by", " (graphs: FULLY_CONNECTED feeding ADD); made by")
