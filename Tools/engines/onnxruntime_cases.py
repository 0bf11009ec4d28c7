"""ONNX Runtime (CPU, MLAS) QLinearMatMul and QLinearConv, uint8 and int8 activations."""
import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper

import fixtures as fx

_ONNX_TYPE = {"uint8": TensorProto.UINT8, "int8": TensorProto.INT8}


def _session(nodes, inputs, outputs, initializers):
    graph = helper.make_graph(nodes, "case", inputs, outputs, initializer=initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def _activation(rng, dtype):
    scale = np.float32(fx.log_uniform(rng, 0.002, 0.1))
    lo, hi = (0, 255) if dtype == "uint8" else (-128, 127)
    return scale, rng.choice([lo, (lo + hi + 1) // 2, rng.randint(lo, hi)])


def _weights(rng, np_rng, shape, channels, dtype, per_channel):
    # uint8 activations meet int8 weights in MLAS's u8s8 kernels, which on x86 without VNNI sum
    # pairs of products in int16 (vpmaddubsw): 7-bit weights keep every pair exact.
    limit = 64 if dtype == "uint8" else 128
    w = np_rng.integers(-limit, limit, size=shape).astype(np.int8)
    n = channels if per_channel else 1
    return w, np.array([fx.log_uniform(rng, 0.001, 0.05) for _ in range(n)], dtype=np.float32)


def _output_scale(rng, s_in, w_scales, taps):
    return np.float32(float(s_in) * float(np.mean(w_scales)) * 128 * taps ** 0.5 * fx.log_uniform(rng, 0.05, 4) / 20)


def _range(dtype):
    return (0, 256) if dtype == "uint8" else (-128, 128)


def matmul_case(index, rng, np_rng):
    dtype = rng.choice(["uint8", "int8"])
    k, n = rng.randint(1, 40), rng.randint(1, 12)
    per_channel = rng.random() < 0.5
    w, w_scales = _weights(rng, np_rng, (n, k), n, dtype, per_channel)
    s_in, zp_in = _activation(rng, dtype)
    s_out = _output_scale(rng, s_in, w_scales, k)
    zp_out = _activation(rng, dtype)[1]
    np_type = np.uint8 if dtype == "uint8" else np.int8
    init = [helper.make_tensor("a_scale", TensorProto.FLOAT, [], [s_in]),
            helper.make_tensor("a_zp", _ONNX_TYPE[dtype], [], [zp_in]),
            helper.make_tensor("b", TensorProto.INT8, [k, n], w.T.flatten().tolist()),
            helper.make_tensor("b_scale", TensorProto.FLOAT, [len(w_scales)], w_scales.tolist()),
            helper.make_tensor("b_zp", TensorProto.INT8, [len(w_scales)], [0] * len(w_scales)),
            helper.make_tensor("y_scale", TensorProto.FLOAT, [], [s_out]),
            helper.make_tensor("y_zp", _ONNX_TYPE[dtype], [], [zp_out])]
    node = helper.make_node("QLinearMatMul", ["a", "a_scale", "a_zp", "b", "b_scale", "b_zp", "y_scale", "y_zp"], ["y"])
    session = _session([node], [helper.make_tensor_value_info("a", _ONNX_TYPE[dtype], [3, k])],
                       [helper.make_tensor_value_info("y", _ONNX_TYPE[dtype], [3, n])], init)
    lo, hi = _range(dtype)
    x = np_rng.integers(lo, hi, size=(3, k)).astype(np_type)
    y = session.run(None, {"a": x})[0]
    return fx.linear_case(f"ort-matmul-{index}", k, n, fx.quant(dtype, s_in, zp_in), fx.quant(dtype, s_out, zp_out),
                          w, [float(s) for s in w_scales], [0] * len(w_scales), None, False, list(x), list(y))


def conv_case(index, rng, np_rng):
    dtype = rng.choice(["uint8", "int8"])
    g = fx.conv_shape(rng, max_channels=4, max_size=6)
    c, out, groups, k = g["in_channels"], g["out_channels"], g["groups"], g["kernel"]
    per_channel = rng.random() < 0.6
    w, w_scales = _weights(rng, np_rng, (out, c // groups, k, k), out, dtype, per_channel)
    s_in, zp_in = _activation(rng, dtype)
    taps = (c // groups) * k * k
    s_out = _output_scale(rng, s_in, w_scales, taps)
    zp_out = _activation(rng, dtype)[1]
    has_bias = rng.random() < 0.75
    bias = np_rng.integers(-20000, 20000, size=out).astype(np.int32)
    np_type = np.uint8 if dtype == "uint8" else np.int8
    init = [helper.make_tensor("x_scale", TensorProto.FLOAT, [], [s_in]),
            helper.make_tensor("x_zp", _ONNX_TYPE[dtype], [], [zp_in]),
            helper.make_tensor("w", TensorProto.INT8, list(w.shape), w.flatten().tolist()),
            helper.make_tensor("w_scale", TensorProto.FLOAT, [len(w_scales)], w_scales.tolist()),
            helper.make_tensor("w_zp", TensorProto.INT8, [len(w_scales)], [0] * len(w_scales)),
            helper.make_tensor("y_scale", TensorProto.FLOAT, [], [s_out]),
            helper.make_tensor("y_zp", _ONNX_TYPE[dtype], [], [zp_out])]
    names = ["x", "x_scale", "x_zp", "w", "w_scale", "w_zp", "y_scale", "y_zp"]
    if has_bias:
        init.append(helper.make_tensor("b", TensorProto.INT32, [out], bias.tolist()))
        names.append("b")
    p, s, d = g["padding"], g["stride"], g["dilation"]
    node = helper.make_node("QLinearConv", names, ["y"], kernel_shape=[k, k], pads=[p, p, p, p], strides=[s, s],
                            dilations=[d, d], group=groups)
    oh = (g["height"] + 2 * p - (d * (k - 1) + 1)) // s + 1
    ow = (g["width"] + 2 * p - (d * (k - 1) + 1)) // s + 1
    session = _session([node], [helper.make_tensor_value_info("x", _ONNX_TYPE[dtype], [1, c, g["height"], g["width"]])],
                       [helper.make_tensor_value_info("y", _ONNX_TYPE[dtype], [1, out, oh, ow])], init)
    lo, hi = _range(dtype)
    xs = [np_rng.integers(lo, hi, size=(1, c, g["height"], g["width"])).astype(np_type) for _ in range(2)]
    ys = [session.run(None, {"x": x})[0] for x in xs]
    bias_json = {"kind": "int32", "values": [int(v) for v in bias]} if has_bias else None
    return fx.conv_case(f"ort-conv-{index}", g, fx.quant(dtype, s_in, zp_in), fx.quant(dtype, s_out, zp_out), w,
                        [float(s) for s in w_scales], [0] * len(w_scales), bias_json, False, xs, ys)


def provenance():
    return (f"ONNX Runtime {onnxruntime.__version__} CPUExecutionProvider (MLAS), onnx {onnx.__version__}, QLinearMatMul/QLinearConv "
            f"opset 13, graph optimizations off, CPU {fx.cpu_flags()}; uint8-activation cases use weights in [-64, 63]; "
            f"made by Tools/engines/make_fixtures.py")
