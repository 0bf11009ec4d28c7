"""make bench: ONNX Runtime's time on issue 11's single layers, the yardstick qgen's kernels are held to.

Each layer is a one-node QLinearConv / QLinearMatMul graph (uint8 activations, per-channel int8 weights
for the convolutions, as ORT's own quantize_static writes them for those layers) run by ONNX Runtime
through its Python API: one intra-op thread, all graph optimizations (ORT turns QLinearConv into its
NHWC kernels itself). ORT's per-call overhead (binding, Python, the session's run machinery) is measured
on a graph of one Identity on a one-element tensor and stated next to each layer; the GMAC/s are given
with the overhead included (what a user of the Python API sees) and subtracted (the kernel alone).

Prints one line per layer: "<label>\t<seconds per call>\t<overhead seconds per call>\t<MACs>".
Run by qgen-bench when .venv-engines exists (never by CI)."""
import sys
import time

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper


def session(graph):
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    return onnxruntime.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])


def scalar(name, value, dtype):
    return numpy_helper.from_array(np.array(value, dtype=dtype), name)


def conv(label, cin, cout, size, kernel, groups, rng):
    """QLinearConv, NCHW [1, cin, size, size], padding (kernel - 1) / 2, per-channel weights."""
    pad = (kernel - 1) // 2
    w = rng.integers(-127, 128, size=(cout, cin // groups, kernel, kernel), dtype=np.int8)
    inits = [scalar("xs", 0.05, np.float32), scalar("xz", 3, np.uint8),
             numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(rng.uniform(0.002, 0.004, cout).astype(np.float32), "ws"),
             numpy_helper.from_array(np.zeros(cout, np.int8), "wz"),
             scalar("ys", 0.5, np.float32), scalar("yz", 7, np.uint8)]
    node = helper.make_node("QLinearConv", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"],
                            kernel_shape=[kernel, kernel], pads=[pad] * 4, group=groups)
    graph = helper.make_graph([node], label, [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, cin, size, size])],
                              [helper.make_tensor_value_info("y", TensorProto.UINT8, [1, cout, size, size])], inits)
    x = rng.integers(0, 256, size=(1, cin, size, size), dtype=np.uint8)
    return session(graph), x, cout * (cin // groups) * kernel * kernel * size * size


def matmul(label, k, n, rng):
    """QLinearMatMul [1, k] x [k, n]: per-tensor weight scale (ORT's QLinearMatMul takes a scalar or a
    per-column scale; quantize_static writes per-tensor for MatMul by default)."""
    w = rng.integers(-127, 128, size=(k, n), dtype=np.int8)
    inits = [scalar("xs", 0.05, np.float32), scalar("xz", 3, np.uint8), numpy_helper.from_array(w, "w"),
             numpy_helper.from_array(rng.uniform(0.002, 0.004, n).astype(np.float32), "ws"),
             numpy_helper.from_array(np.zeros(n, np.int8), "wz"), scalar("ys", 0.5, np.float32), scalar("yz", 7, np.uint8)]
    node = helper.make_node("QLinearMatMul", ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"], ["y"])
    graph = helper.make_graph([node], label, [helper.make_tensor_value_info("x", TensorProto.UINT8, [1, k])],
                              [helper.make_tensor_value_info("y", TensorProto.UINT8, [1, n])], inits)
    x = rng.integers(0, 256, size=(1, k), dtype=np.uint8)
    return session(graph), x, k * n


def identity():
    node = helper.make_node("Identity", ["x"], ["y"])
    graph = helper.make_graph([node], "empty", [helper.make_tensor_value_info("x", TensorProto.UINT8, [1])],
                              [helper.make_tensor_value_info("y", TensorProto.UINT8, [1])])
    return session(graph), np.zeros(1, np.uint8)


def seconds_per_call(sess, x, budget=0.6):
    """The fastest of 5 batches' mean time per call (a busy machine only ever adds time; qgen's harness takes
    the fastest batch too); each batch runs for about budget/5 seconds."""
    feed = {"x": x}
    sess.run(None, feed)
    start = time.perf_counter()
    calls = 0
    while time.perf_counter() - start < 0.05:
        sess.run(None, feed)
        calls += 1
    per_batch = max(1, int(calls * budget / 5 / 0.05))
    batches = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(per_batch):
            sess.run(None, feed)
        batches.append((time.perf_counter() - start) / per_batch)
    return min(batches)


def main():
    rng = np.random.default_rng(11)
    empty, zero = identity()
    overhead = seconds_per_call(empty, zero)
    layers = [conv("conv 3x3, 32->32, 56x56, pad 1", 32, 32, 56, 3, 1, rng),
              conv("depthwise 3x3, 96 ch, 56x56, pad 1", 96, 96, 56, 3, 96, rng),
              conv("pointwise 1x1, 96->24, 56x56", 96, 24, 56, 1, 1, rng),
              matmul("Linear 1024->1000", 1024, 1000, rng)]
    labels = ["conv 3x3, 32->32, 56x56, pad 1", "depthwise 3x3, 96 ch, 56x56, pad 1", "pointwise 1x1, 96->24, 56x56",
              "Linear 1024->1000"]
    print(f"onnxruntime {onnxruntime.__version__}", flush=True)
    for label, (sess, x, macs) in zip(labels, layers):
        print(f"{label}\t{seconds_per_call(sess, x):.9f}\t{overhead:.9f}\t{macs}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
