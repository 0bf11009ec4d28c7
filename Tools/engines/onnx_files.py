"""Quantized .onnx files and ONNX Runtime's codes for them: one small model per case, in both forms
ONNX Runtime users have (QOperator nodes, and QDQ groups that ONNX Runtime fuses before running),
for the ops qgen imports: QLinearConv / Conv, QLinearMatMul / MatMul, QGemm / Gemm, QLinearAdd / Add,
QLinearGlobalAveragePool / GlobalAveragePool, QLinearSigmoid / Sigmoid, QLinearLeakyRelu / LeakyRelu,
QLinearConcat / Concat, QLinearMul / Mul, MaxPool, Flatten, Reshape.

Each case is a file Tests/Fixtures/onnx/ops/<id>.onnx and an entry of cases.json: the integer codes
qgen's C takes (the graph's QuantizeLinear output) and gives (the last QuantizeLinear's output),
for three inputs. The sessions run with ONNX Runtime's default optimization (its QDQ fusion on)
and one thread."""
from fractions import Fraction

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper

import fixtures as fx

_TYPE = {"uint8": TensorProto.UINT8, "int8": TensorProto.INT8}
_NP = {"uint8": np.uint8, "int8": np.int8}


def _range(dtype):
    return (0, 255) if dtype == "uint8" else (-128, 127)


def _quant(rng, dtype, lo=0.005, hi=0.1):
    a, b = _range(dtype)
    return np.float32(fx.log_uniform(rng, lo, hi)), rng.choice([a, (a + b + 1) // 2, rng.randint(a, b)])


def _scalar(name, dtype, value):
    return helper.make_tensor(name, _TYPE[dtype] if dtype in _TYPE else dtype, [], [value])


class Graph:
    """A graph under construction: float input -> QuantizeLinear -> ... -> DequantizeLinear -> float output."""

    def __init__(self, dtype, shape, rng):
        self.dtype, self.rng = dtype, rng
        self.nodes, self.init, self.extra_inputs = [], [], []
        self.s_in, self.zp_in = _quant(rng, dtype)
        self.shape = shape
        self.add_init(_scalar("x_scale", TensorProto.FLOAT, self.s_in), _scalar("x_zp", dtype, self.zp_in))
        self.nodes.append(helper.make_node("QuantizeLinear", ["x", "x_scale", "x_zp"], ["xq"], name="quantize_input"))

    def add_init(self, *tensors):
        self.init += tensors

    def q(self, name, src, scale, zp):
        self.add_init(_scalar(f"{name}_scale", TensorProto.FLOAT, scale), _scalar(f"{name}_zp", self.dtype, zp))
        self.nodes.append(helper.make_node("QuantizeLinear", [src, f"{name}_scale", f"{name}_zp"], [f"{name}_q"], name=f"{name}_quantize"))
        return f"{name}_q"

    def dq(self, name, src, scale, zp):
        self.add_init(_scalar(f"{name}_dscale", TensorProto.FLOAT, scale), _scalar(f"{name}_dzp", self.dtype, zp))
        self.nodes.append(helper.make_node("DequantizeLinear", [src, f"{name}_dscale", f"{name}_dzp"], [f"{name}_dq"], name=f"{name}_dequantize"))
        return f"{name}_dq"

    def finish(self, out, out_scale, out_zp, out_shape, path):
        """Dequantizes `out` as the graph output and writes the model."""
        self.out_scale, self.out_zp = out_scale, out_zp
        self.add_init(_scalar("y_scale", TensorProto.FLOAT, out_scale), _scalar("y_zp", self.dtype, out_zp))
        self.nodes.append(helper.make_node("DequantizeLinear", [out, "y_scale", "y_zp"], ["y"], name="dequantize_output"))
        inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, self.shape) for n in ["x"] + [e[0] for e in self.extra_inputs]]
        graph = helper.make_graph(self.nodes, "case", inputs,
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)], initializer=self.init)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)])
        model.ir_version = 8
        onnx.save(model, path)
        return model

    def run(self, path, codes, extra=None):
        """ONNX Runtime's output codes for integer input codes (`extra`: the second input's, if any)."""
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        outs = []
        for i, c in enumerate(codes):
            # (code - zp) * s quantizes back to the code: |error| << s/2.
            feed = {"x": ((c.astype(np.float32) - np.float32(self.zp_in)) * self.s_in).astype(np.float32)}
            if self.extra_inputs:
                name, scale, zp = self.extra_inputs[0]
                feed[name] = ((extra[i].astype(np.float32) - np.float32(zp)) * scale).astype(np.float32)
            y = session.run(None, feed)[0]
            q = np.rint(y.astype(np.float64) / float(self.out_scale)) + self.out_zp
            outs.append(q.astype(np.int64))
        return outs


def _codes(np_rng, dtype, shape, n=3):
    lo, hi = _range(dtype)
    out = [np_rng.integers(lo, hi + 1, size=shape) for _ in range(n - 1)]
    # One input at the type's extremes, where int16 pair sums and clamps are tested.
    out.append(np.where(np_rng.random(shape) < 0.5, lo, hi))
    return out


def _weights(rng, np_rng, shape, channels, per_channel, axis=0):
    w = np_rng.integers(-128, 128, size=shape).astype(np.int8)
    n = channels if per_channel else 1
    scales = np.array([fx.log_uniform(rng, 0.001, 0.02) for _ in range(n)], dtype=np.float32)
    return w, scales


def _weight_inits(name, w, scales, dtype=TensorProto.INT8):
    dims = [len(scales)] if len(scales) > 1 else []
    return [helper.make_tensor(name, dtype, w.shape, w.flatten().tolist()),
            helper.make_tensor(f"{name}_scale", TensorProto.FLOAT, dims, scales.tolist()),
            helper.make_tensor(f"{name}_zp", dtype, dims, [0] * len(scales))]


def _output_scale(rng, s_in, w_scales, taps):
    return np.float32(float(s_in) * float(np.mean(w_scales)) * 128 * taps ** 0.5 * fx.log_uniform(rng, 0.1, 2) / 8)


def conv_case(form, index, rng, np_rng, directory):
    dtype = rng.choice(["uint8", "int8"])
    geo = fx.conv_shape(rng, max_channels=8)
    c, o, k, g = geo["in_channels"], geo["out_channels"], geo["kernel"], geo["groups"]
    shape = [1, c, geo["height"], geo["width"]]
    gr = Graph(dtype, shape, rng)
    per_channel = rng.random() < 0.6
    w, ws = _weights(rng, np_rng, (o, c // g, k, k), o, per_channel)
    bias = np_rng.integers(-3000, 3000, size=o).astype(np.int32)
    s_out, zp_out = _output_scale(rng, gr.s_in, ws, k * k * c // g), _quant(rng, dtype)[1]
    pad = geo["padding"]
    pads = [pad, pad, pad, pad]
    if pad and rng.random() < 0.3:
        pads = [pad, pad - 1 if pad > 1 else 0, pad, pad]            # asymmetric
    attrs = dict(kernel_shape=[k, k], strides=[geo["stride"]] * 2, dilations=[geo["dilation"]] * 2, pads=pads, group=g)
    if form == "qop":
        gr.add_init(*_weight_inits("w", w, ws), helper.make_tensor("b", TensorProto.INT32, [o], bias.tolist()))
        gr.add_init(_scalar("conv_scale", TensorProto.FLOAT, s_out), _scalar("conv_zp", dtype, zp_out))
        gr.nodes.append(helper.make_node("QLinearConv", ["xq", "x_scale", "x_zp", "w", "w_scale", "w_zp", "conv_scale", "conv_zp", "b"],
                                         ["conv_q"], name="conv", **attrs))
        out = "conv_q"
    else:
        x = gr.dq("x", "xq", gr.s_in, gr.zp_in)
        gr.add_init(*_weight_inits("w", w, ws), helper.make_tensor("b", TensorProto.INT32, [o], bias.tolist()),
                    helper.make_tensor("b_scale", TensorProto.FLOAT, [o] if per_channel else [], (gr.s_in * ws).astype(np.float32).tolist()),
                    helper.make_tensor("b_zp", TensorProto.INT32, [o] if per_channel else [], [0] * len(ws)))
        gr.nodes.append(helper.make_node("DequantizeLinear", ["w", "w_scale", "w_zp"], ["w_dq"], axis=0))
        gr.nodes.append(helper.make_node("DequantizeLinear", ["b", "b_scale", "b_zp"], ["b_dq"], axis=0))
        gr.nodes.append(helper.make_node("Conv", [x, "w_dq", "b_dq"], ["conv"], name="conv", **attrs))
        out = gr.q("conv", "conv", s_out, zp_out)
    h = (shape[2] + pads[0] + pads[2] - geo["dilation"] * (k - 1) - 1) // geo["stride"] + 1
    wd = (shape[3] + pads[1] + pads[3] - geo["dilation"] * (k - 1) - 1) // geo["stride"] + 1
    return _finish(gr, out, s_out, zp_out, [1, o, h, wd], f"{form}-conv-{index}", ["conv"], directory, np_rng)


def gemm_case(form, index, rng, np_rng, directory):
    """QGemm / Gemm (transB = 1, bias) or QLinearMatMul / MatMul ([K, N] weights, no bias)."""
    dtype = rng.choice(["uint8", "int8"])
    matmul = rng.random() < 0.4
    k, n = rng.randint(1, 64), rng.randint(1, 16)
    gr = Graph(dtype, [1, k], rng)
    per_channel = rng.random() < 0.5
    w, ws = _weights(rng, np_rng, (k, n) if matmul else (n, k), n, per_channel)
    s_out, zp_out = _output_scale(rng, gr.s_in, ws, k), _quant(rng, dtype)[1]
    bias = np_rng.integers(-3000, 3000, size=n).astype(np.int32)
    gr.add_init(*_weight_inits("w", w, ws))
    if form == "qop":
        gr.add_init(_scalar("mm_scale", TensorProto.FLOAT, s_out), _scalar("mm_zp", dtype, zp_out))
        if matmul:
            gr.nodes.append(helper.make_node("QLinearMatMul", ["xq", "x_scale", "x_zp", "w", "w_scale", "w_zp", "mm_scale", "mm_zp"], ["mm_q"], name="matmul"))
        else:
            gr.add_init(helper.make_tensor("b", TensorProto.INT32, [n], bias.tolist()))
            gr.nodes.append(helper.make_node("QGemm", ["xq", "x_scale", "x_zp", "w", "w_scale", "w_zp", "b", "mm_scale", "mm_zp"], ["mm_q"],
                                             name="gemm", domain="com.microsoft", transB=1))
        out = "mm_q"
    else:
        x = gr.dq("x", "xq", gr.s_in, gr.zp_in)
        gr.nodes.append(helper.make_node("DequantizeLinear", ["w", "w_scale", "w_zp"], ["w_dq"], axis=1 if matmul else 0))
        if matmul:
            gr.nodes.append(helper.make_node("MatMul", [x, "w_dq"], ["mm"], name="matmul"))
        else:
            gr.add_init(helper.make_tensor("b", TensorProto.INT32, [n], bias.tolist()),
                        helper.make_tensor("b_scale", TensorProto.FLOAT, [n] if per_channel else [], (gr.s_in * ws).astype(np.float32).tolist()),
                        helper.make_tensor("b_zp", TensorProto.INT32, [n] if per_channel else [], [0] * len(ws)))
            gr.nodes.append(helper.make_node("DequantizeLinear", ["b", "b_scale", "b_zp"], ["b_dq"], axis=0))
            gr.nodes.append(helper.make_node("Gemm", [x, "w_dq", "b_dq"], ["mm"], name="gemm", transB=1))
        out = gr.q("mm", "mm", s_out, zp_out)
    return _finish(gr, out, s_out, zp_out, [1, n], f"{form}-{'matmul' if matmul else 'gemm'}-{index}", ["matmul" if matmul else "gemm"], directory, np_rng)


def add_case(form, index, rng, np_rng, directory):
    """x + b, where b is a 3x3 max pool of x (4-D) or x itself (2-D): two operands of one quantization."""
    dtype = rng.choice(["uint8", "int8"])
    shape = [1, rng.randint(1, 16), rng.randint(1, 9), rng.randint(1, 9)] if rng.random() < 0.7 else [1, rng.randint(1, 200)]
    gr = Graph(dtype, shape, rng)
    s_out = np.float32(float(gr.s_in) * fx.log_uniform(rng, 0.5, 4))
    zp_out = _quant(rng, dtype)[1]
    # b: a max pool of x (4-D) or x itself (2-D): another tensor of the same quantization.
    if len(shape) == 4:
        gr.nodes.append(helper.make_node("MaxPool", ["xq"] if form == "qop" else [gr.dq("pool_in", "xq", gr.s_in, gr.zp_in)], ["pool"],
                                         kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1], name="pool"))
        b = "pool" if form == "qop" else gr.q("pool", "pool", gr.s_in, gr.zp_in)
    else:
        b = "xq"
    if form == "qop":
        gr.add_init(_scalar("sum_scale", TensorProto.FLOAT, s_out), _scalar("sum_zp", dtype, zp_out))
        gr.nodes.append(helper.make_node("QLinearAdd", ["xq", "x_scale", "x_zp", b, "x_scale", "x_zp", "sum_scale", "sum_zp"], ["sum_q"],
                                         name="add", domain="com.microsoft"))
        out = "sum_q"
    else:
        a_dq, b_dq = gr.dq("a", "xq", gr.s_in, gr.zp_in), gr.dq("b", b, gr.s_in, gr.zp_in)
        gr.nodes.append(helper.make_node("Add", [a_dq, b_dq], ["sum"], name="add"))
        out = gr.q("sum", "sum", s_out, zp_out)
    return _finish(gr, out, s_out, zp_out, shape, f"{form}-add-{index}", ["add"], directory, np_rng)


def _rescale_draw(rng, np_rng, dtype, c):
    """The weights and output quantization of a 1x1 depthwise convolution of x: another tensor of
    x's values (each channel scaled) in its own scale and zero point."""
    w = np_rng.integers(-127, 128, size=(c, 1, 1, 1)).astype(np.int8)
    ws = np.array([fx.log_uniform(rng, 0.004, 0.02)], dtype=np.float32)
    s_b, zp_b = _quant(rng, dtype, 0.003, 0.05)
    return w, ws, s_b, zp_b


def _rescale_nodes(gr, form, c, w, ws, s_b, zp_b):
    """Adds that convolution (QLinearConv, or DQ -> Conv -> Q) and returns b's quantized tensor."""
    gr.add_init(*_weight_inits("w", w, ws))
    attrs = dict(kernel_shape=[1, 1], group=c)
    if form == "qop":
        gr.add_init(_scalar("b_scale", TensorProto.FLOAT, s_b), _scalar("b_zp", gr.dtype, zp_b))
        gr.nodes.append(helper.make_node("QLinearConv", ["xq", "x_scale", "x_zp", "w", "w_scale", "w_zp", "b_scale", "b_zp"], ["bq"], name="scale", **attrs))
        return "bq"
    x = gr.dq("x", "xq", gr.s_in, gr.zp_in)
    gr.nodes.append(helper.make_node("DequantizeLinear", ["w", "w_scale", "w_zp"], ["w_dq"], axis=0))
    gr.nodes.append(helper.make_node("Conv", [x, "w_dq"], ["bf"], name="scale", **attrs))
    return gr.q("b", "bf", s_b, zp_b)


def add2_case(form, index, rng, np_rng, directory):
    """a + b on two graph inputs' worth of data with different scales: x and a 1x1 depthwise
    QLinearConv of x (a per-channel rescale), so the two operands differ in scale and zero point."""
    dtype = rng.choice(["uint8", "int8"])
    c = rng.randint(1, 40)
    shape = [1, c, rng.randint(1, 8), rng.randint(1, 8)]
    gr = Graph(dtype, shape, rng)
    w, ws, s_b, zp_b = _rescale_draw(rng, np_rng, dtype, c)
    s_out = np.float32(max(float(gr.s_in), float(s_b)) * fx.log_uniform(rng, 0.7, 3))
    zp_out = _quant(rng, dtype)[1]
    bq = _rescale_nodes(gr, form, c, w, ws, s_b, zp_b)
    if form == "qop":
        gr.add_init(_scalar("sum_scale", TensorProto.FLOAT, s_out), _scalar("sum_zp", dtype, zp_out))
        gr.nodes.append(helper.make_node("QLinearAdd", ["xq", "x_scale", "x_zp", bq, "b_scale", "b_zp", "sum_scale", "sum_zp"], ["sum_q"],
                                         name="add", domain="com.microsoft"))
        out = "sum_q"
    else:
        a_dq, b_dq = gr.dq("a", "xq", gr.s_in, gr.zp_in), gr.dq("b2", bq, s_b, zp_b)
        gr.nodes.append(helper.make_node("Add", [a_dq, b_dq], ["sum"], name="add"))
        out = gr.q("sum", "sum", s_out, zp_out)
    return _finish(gr, out, s_out, zp_out, shape, f"{form}-add2-{index}", ["conv", "add"], directory, np_rng)


def _round_f32(v):
    """The binary32 value nearest the rational v, ties to even."""
    f = np.float32(float(v))
    candidates = [f, np.nextafter(f, np.float32(np.inf)), np.nextafter(f, np.float32(-np.inf))]
    best = min(candidates, key=lambda c: (abs(Fraction(float(c)) - v), int(c.view(np.uint32)) & 1))
    return np.float32(best)


def _fma(x, y, z):
    return _round_f32(Fraction(float(x)) * Fraction(float(y)) + Fraction(float(z)))


def _add_variants(s_a, z_a, s_b, z_b, s_o, z_o):
    """The fixed part k of MLAS's AVX2 QLinearAdd as each contraction of zp_out - (r_a*zp_a + r_b*zp_b) makes it."""
    ra, rb = np.float32(s_a / s_o), np.float32(s_b / s_o)
    za, zb, zo = np.float32(z_a), np.float32(z_b), np.float32(z_o)
    return ra, rb, {"none": zo - (ra * za + rb * zb), "fma_a": zo - _fma(ra, za, rb * zb), "fma_b": zo - _fma(rb, zb, ra * za)}


def add_pair_case(form, index, rng, np_rng, directory):
    """a + b on two graph inputs holding every pair of codes (256 x 256 elements), with scales
    chosen so that the ways a compiler may contract MLAS's fixed part, and the order of its two
    fused multiply-adds, give different codes: the fixture tells them apart."""
    dtype = rng.choice(["uint8", "int8"])
    lo, hi = _range(dtype)
    codes = np.arange(lo, hi + 1)
    a_codes, b_codes = np.repeat(codes, 256), np.tile(codes, 256)
    for _ in range(200):
        (s_a, z_a), (s_b, z_b) = _quant(rng, dtype), _quant(rng, dtype)
        s_o, z_o = np.float32(max(float(s_a), float(s_b)) * fx.log_uniform(rng, 0.5, 3)), _quant(rng, dtype)[1]
        ra, rb, ks = _add_variants(s_a, z_a, s_b, z_b, s_o, z_o)
        def out(k, a_first):
            t = [_fma(a, ra, _fma(b, rb, k)) if not a_first else _fma(b, rb, _fma(a, ra, k)) for a, b in zip(a_codes[::97], b_codes[::97])]
            return np.clip(np.rint(np.array(t, dtype=np.float64)), lo, hi)
        results = [out(k, False) for k in ks.values()] + [out(ks["fma_b"], True)]
        if any((r != results[0]).any() for r in results[1:]):
            break
    return _pair_case(form, f"{form}-addpair-{index}", "Add", rng, directory, dtype, a_codes, b_codes, (s_a, z_a), (s_b, z_b), (s_o, z_o))


def mul_pair_case(form, index, rng, np_rng, directory):
    """QLinearMul / DQ,DQ -> Mul -> Q on two graph inputs holding every pair of codes (256 x 256)."""
    dtype = rng.choice(["uint8", "int8"])
    lo, hi = _range(dtype)
    codes = np.arange(lo, hi + 1)
    a_codes, b_codes = np.repeat(codes, 256), np.tile(codes, 256)
    (s_a, z_a), (s_b, z_b) = _quant(rng, dtype), _quant(rng, dtype)
    s_o, z_o = np.float32(float(s_a) * float(s_b) * 128 * fx.log_uniform(rng, 0.3, 3)), _quant(rng, dtype)[1]
    return _pair_case(form, f"{form}-mulpair-{index}", "Mul", rng, directory, dtype, a_codes, b_codes, (s_a, z_a), (s_b, z_b), (s_o, z_o))


def _pair_case(form, case_id, op, rng, directory, dtype, a_codes, b_codes, qa, qb, qo):
    """A + B or A * B (QLinearAdd / QLinearMul, or DQ,DQ -> op -> Q) of two graph inputs, run on
    the codes a_codes and b_codes."""
    (s_a, z_a), (s_b, z_b), (s_o, z_o) = qa, qb, qo
    shape = [1, len(a_codes)]
    gr = Graph(dtype, shape, rng)
    gr.s_in, gr.zp_in = s_a, z_a
    gr.init = [_scalar("x_scale", TensorProto.FLOAT, s_a), _scalar("x_zp", dtype, z_a),
               _scalar("x1_scale", TensorProto.FLOAT, s_b), _scalar("x1_zp", dtype, z_b)]
    gr.nodes.append(helper.make_node("QuantizeLinear", ["x1", "x1_scale", "x1_zp"], ["x1q"], name="quantize_input_2"))
    gr.extra_inputs = [("x1", s_b, z_b)]
    name = {"Add": "sum", "Mul": "prod"}[op]
    if form == "qop":
        gr.add_init(_scalar(f"{name}_scale", TensorProto.FLOAT, s_o), _scalar(f"{name}_zp", dtype, z_o))
        gr.nodes.append(helper.make_node(f"QLinear{op}", ["xq", "x_scale", "x_zp", "x1q", "x1_scale", "x1_zp", f"{name}_scale", f"{name}_zp"],
                                         [f"{name}_q"], name=op.lower(), domain="com.microsoft"))
        out_name = f"{name}_q"
    else:
        gr.nodes.append(helper.make_node(op, [gr.dq("a", "xq", s_a, z_a), gr.dq("b", "x1q", s_b, z_b)], [name], name=op.lower()))
        out_name = gr.q(name, name, s_o, z_o)
    path = directory / f"{case_id}.onnx"
    gr.finish(out_name, s_o, z_o, shape, path)
    y = gr.run(path, [a_codes.reshape(shape)], extra=[b_codes.reshape(shape)])[0]
    return {"id": case_id, "file": path.name, "ops": [op.lower()], "dtype": dtype,
            "inputs": [[fx.bytes_b64(a_codes, dtype), fx.bytes_b64(b_codes, dtype)]], "outputs": [fx.bytes_b64(np.ravel(y), dtype)]}


def gap_case(form, index, rng, np_rng, directory):
    """QLinearGlobalAveragePool / GlobalAveragePool, then Flatten (or Reshape)."""
    dtype = rng.choice(["uint8", "int8"])
    c, h, w = rng.randint(1, 40), rng.randint(1, 12), rng.randint(1, 12)
    gr = Graph(dtype, [1, c, h, w], rng)
    s_out = np.float32(float(gr.s_in) * fx.log_uniform(rng, 0.3, 2))
    zp_out = _quant(rng, dtype)[1]
    flatten = rng.random() < 0.5
    if form == "qop":
        gr.add_init(_scalar("gap_scale", TensorProto.FLOAT, s_out), _scalar("gap_zp", dtype, zp_out))
        gr.nodes.append(helper.make_node("QLinearGlobalAveragePool", ["xq", "x_scale", "x_zp", "gap_scale", "gap_zp"], ["gap_q"],
                                         name="gap", domain="com.microsoft", channels_last=0))
        src = "gap_q"
    else:
        gr.nodes.append(helper.make_node("GlobalAveragePool", [gr.dq("x", "xq", gr.s_in, gr.zp_in)], ["gap"], name="gap"))
        src = gr.q("gap", "gap", s_out, zp_out)
    if flatten:
        if form == "qop":
            gr.nodes.append(helper.make_node("Flatten", [src], ["flat_q"], axis=1, name="flatten"))
            out = "flat_q"
        else:
            gr.nodes.append(helper.make_node("Flatten", [gr.dq("flat", src, s_out, zp_out)], ["flat"], axis=1, name="flatten"))
            out = gr.q("flat", "flat", s_out, zp_out)
        out_shape = [1, c]
    else:
        gr.add_init(helper.make_tensor("shape", TensorProto.INT64, [2], [1, -1]))
        if form == "qop":
            gr.nodes.append(helper.make_node("Reshape", [src, "shape"], ["flat_q"], name="reshape"))
            out = "flat_q"
        else:
            gr.nodes.append(helper.make_node("Reshape", [gr.dq("flat", src, s_out, zp_out), "shape"], ["flat"], name="reshape"))
            out = gr.q("flat", "flat", s_out, zp_out)
        out_shape = [1, c]
    return _finish(gr, out, s_out, zp_out, out_shape, f"{form}-gap-{index}", ["global_average_pool", "flatten" if flatten else "reshape"], directory, np_rng)


def activation_case(form, index, rng, np_rng, directory):
    """QLinearSigmoid / QLinearLeakyRelu (com.microsoft) or DQ -> Sigmoid / LeakyRelu -> Q."""
    dtype = rng.choice(["uint8", "int8"])
    op = rng.choice(["Sigmoid", "LeakyRelu"])
    shape = [1, rng.randint(1, 8), rng.randint(1, 6), rng.randint(1, 6)] if rng.random() < 0.7 else [1, rng.randint(1, 300)]
    gr = Graph(dtype, shape, rng)
    gr.s_in = np.float32(fx.log_uniform(rng, 0.01, 0.12))
    gr.init[0] = _scalar("x_scale", TensorProto.FLOAT, gr.s_in)
    if op == "Sigmoid":
        lo = _range(dtype)[0]
        s_out, zp_out = (np.float32(1 / 256), lo) if rng.random() < 0.5 else (np.float32(fx.log_uniform(rng, 0.002, 0.01)), _quant(rng, dtype)[1])
        attrs = {}
    else:
        s_out, zp_out = np.float32(float(gr.s_in) * fx.log_uniform(rng, 0.5, 2)), _quant(rng, dtype)[1]
        attrs = {"alpha": float(np.float32(rng.choice([0.01, 0.1, 0.2, fx.log_uniform(rng, 0.001, 0.9)])))}
    if form == "qop":
        gr.add_init(_scalar("act_scale", TensorProto.FLOAT, s_out), _scalar("act_zp", dtype, zp_out))
        gr.nodes.append(helper.make_node(f"QLinear{op}", ["xq", "x_scale", "x_zp", "act_scale", "act_zp"], ["act_q"], name="act",
                                         domain="com.microsoft", **attrs))
        out = "act_q"
    else:
        gr.nodes.append(helper.make_node(op, [gr.dq("x", "xq", gr.s_in, gr.zp_in)], ["act"], name="act", **attrs))
        out = gr.q("act", "act", s_out, zp_out)
    return _finish(gr, out, s_out, zp_out, shape, f"{form}-{op.lower()}-{index}", [op.lower()], directory, np_rng)


def concat_case(form, index, rng, np_rng, directory):
    """QLinearConcat / DQ,DQ -> Concat -> Q of x and a per-channel rescale of x (a 1x1 depthwise
    convolution, another scale and zero point), on the channel axis; the output quantized like x
    (x copied) or unlike both (both through tables)."""
    dtype = rng.choice(["uint8", "int8"])
    c = rng.randint(1, 12)
    shape = [1, c, rng.randint(1, 6), rng.randint(1, 6)]
    gr = Graph(dtype, shape, rng)
    w, ws, s_b, zp_b = _rescale_draw(rng, np_rng, dtype, c)
    s_out, zp_out = (gr.s_in, gr.zp_in) if rng.random() < 0.3 else (np.float32(max(float(gr.s_in), float(s_b)) * fx.log_uniform(rng, 0.5, 2)), _quant(rng, dtype)[1])
    bq = _rescale_nodes(gr, form, c, w, ws, s_b, zp_b)
    if form == "qop":
        gr.add_init(_scalar("cat_scale", TensorProto.FLOAT, s_out), _scalar("cat_zp", dtype, zp_out))
        gr.nodes.append(helper.make_node("QLinearConcat", ["cat_scale", "cat_zp", "xq", "x_scale", "x_zp", bq, "b_scale", "b_zp"], ["cat_q"],
                                         name="concat", domain="com.microsoft", axis=1))
        out = "cat_q"
    else:
        a_dq, b_dq = gr.dq("a", "xq", gr.s_in, gr.zp_in), gr.dq("b2", bq, s_b, zp_b)
        gr.nodes.append(helper.make_node("Concat", [a_dq, b_dq], ["cat"], name="concat", axis=1))
        out = gr.q("cat", "cat", s_out, zp_out)
    return _finish(gr, out, s_out, zp_out, [1, 2 * c, shape[2], shape[3]], f"{form}-concat-{index}", ["conv", "concat"], directory, np_rng)


def _pool_size(n, k, s, p, ceil):
    """A pooled axis's length as ONNX Runtime computes it (as PyTorch): with ceil_mode, one fewer
    when the last window would start past the input and its padding."""
    span = n + 2 * p - k
    if not ceil:
        return span // s + 1
    out = -(-span // s) + 1
    return out - 1 if (out - 1) * s >= n + p else out


def avgpool_case(form, index, rng, np_rng, directory):
    """QLinearAveragePool (com.microsoft) or DQ -> AveragePool -> Q, with random kernel, strides,
    pads, ceil_mode and count_include_pad."""
    dtype = rng.choice(["uint8", "int8"])
    k = (rng.randint(1, 4), rng.randint(1, 4))
    st = (rng.randint(1, 3), rng.randint(1, 3))
    p = (rng.randint(0, k[0] // 2), rng.randint(0, k[1] // 2))
    ceil, include_pad = rng.random() < 0.3, rng.random() < 0.5
    c, h, w = rng.randint(1, 12), rng.randint(k[0], 11), rng.randint(k[1], 11)

    gr = Graph(dtype, [1, c, h, w], rng)
    s_out, zp_out = np.float32(float(gr.s_in) * fx.log_uniform(rng, 0.3, 2)), _quant(rng, dtype)[1]
    attrs = dict(kernel_shape=list(k), strides=list(st), pads=[p[0], p[1], p[0], p[1]], ceil_mode=int(ceil), count_include_pad=int(include_pad))
    if form == "qop":
        gr.add_init(_scalar("pool_scale", TensorProto.FLOAT, s_out), _scalar("pool_zp", dtype, zp_out))
        gr.nodes.append(helper.make_node("QLinearAveragePool", ["xq", "x_scale", "x_zp", "pool_scale", "pool_zp"], ["pool_q"], name="pool",
                                         domain="com.microsoft", channels_last=0, **attrs))
        out = "pool_q"
    else:
        gr.nodes.append(helper.make_node("AveragePool", [gr.dq("x", "xq", gr.s_in, gr.zp_in)], ["pool"], name="pool", **attrs))
        out = gr.q("pool", "pool", s_out, zp_out)
    out_shape = [1, c, _pool_size(h, k[0], st[0], p[0], ceil), _pool_size(w, k[1], st[1], p[1], ceil)]
    return _finish(gr, out, s_out, zp_out, out_shape, f"{form}-avgpool-{index}", ["average_pool"], directory, np_rng)


def transpose_case(form, index, rng, np_rng, directory):
    """Transpose of a quantized tensor (QOperator) or DQ -> Transpose -> Q with one scale and zero
    point (which ONNX Runtime drops): a random permutation of 2 to 4 axes, NHWC -> NCHW among them."""
    dtype = rng.choice(["uint8", "int8"])
    rank = rng.randint(2, 4)
    shape = [1] + [rng.randint(1, 7) for _ in range(rank - 1)]
    perm = [0, 3, 1, 2] if rank == 4 and rng.random() < 0.4 else rng.sample(range(rank), rank)
    gr = Graph(dtype, shape, rng)
    s_out, zp_out = gr.s_in, gr.zp_in
    if form == "qop":
        gr.nodes.append(helper.make_node("Transpose", ["xq"], ["t_q"], name="transpose", perm=perm))
        out = "t_q"
    else:
        gr.nodes.append(helper.make_node("Transpose", [gr.dq("x", "xq", gr.s_in, gr.zp_in)], ["t"], name="transpose", perm=perm))
        out = gr.q("t", "t", s_out, zp_out)
    return _finish(gr, out, s_out, zp_out, [shape[p] for p in perm], f"{form}-transpose-{index}", ["transpose"], directory, np_rng)


def _ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def slice_case(form, index, rng, np_rng, directory):
    """Slice of a quantized tensor (QOperator) or DQ -> Slice -> Q with one scale and zero point
    (which ONNX Runtime drops): one or two axes of a 2-D to 4-D tensor, negative starts, ends
    past the axis (INT64_MAX, as exporters write them) and steps above 1."""
    dtype = rng.choice(["uint8", "int8"])
    rank = rng.randint(2, 4)
    shape = [1] + [rng.randint(2, 9) for _ in range(rank - 1)]
    axes = rng.sample(range(1, rank), min(rank - 1, rng.randint(1, 2)))
    starts, ends, steps, out_shape = [], [], [], list(shape)
    for a in axes:
        n = shape[a]
        start = rng.randint(0, n - 1)
        end = rng.choice([rng.randint(start + 1, n), 2 ** 63 - 1])
        step = rng.choice([1, 1, 2, 3])
        kept = len(range(start, min(end, n), step))
        starts.append(start - n if rng.random() < 0.3 else start)
        ends.append(end)
        steps.append(step)
        out_shape[a] = kept
    gr = Graph(dtype, shape, rng)
    gr.add_init(_ints("starts", starts), _ints("ends", ends), _ints("axes", axes), _ints("steps", steps))
    if form == "qop":
        gr.nodes.append(helper.make_node("Slice", ["xq", "starts", "ends", "axes", "steps"], ["s_q"], name="slice"))
        out = "s_q"
        s_out, zp_out = gr.s_in, gr.zp_in
    else:
        # Half the QDQ slices quantize their output with another scale and zero point: ONNX Runtime
        # then keeps DequantizeLinear -> Slice -> QuantizeLinear in float (a requantization).
        s_out, zp_out = (gr.s_in, gr.zp_in) if rng.random() < 0.5 else _quant(rng, dtype)
        gr.nodes.append(helper.make_node("Slice", [gr.dq("x", "xq", gr.s_in, gr.zp_in), "starts", "ends", "axes", "steps"], ["s"], name="slice"))
        out = gr.q("s", "s", s_out, zp_out)
    return _finish(gr, out, s_out, zp_out, out_shape, f"{form}-slice-{index}", ["slice" if (s_out, zp_out) == (gr.s_in, gr.zp_in) else "slice requantized"],
                   directory, np_rng)


def split_case(form, index, rng, np_rng, directory):
    """Split of a quantized tensor into 2 to 4 parts (given sizes, or equal parts), the parts
    concatenated again in reverse order with the same scale and zero point, so that the one output
    shows where every part went."""
    dtype = rng.choice(["uint8", "int8"])
    rank = rng.randint(2, 4)
    shape = [1] + [rng.randint(2, 9) for _ in range(rank - 1)]
    axis = rng.randint(1, rank - 1)
    n = shape[axis]
    parts = rng.randint(2, min(4, n))
    if rng.random() < 0.5 and n % parts == 0:
        sizes = None
    else:
        cuts = sorted(rng.sample(range(1, n), parts - 1))
        sizes = [b - a for a, b in zip([0] + cuts, cuts + [n])]
    gr = Graph(dtype, shape, rng)
    names = [f"p{k}" for k in range(parts)]
    inputs = ["xq"] if form == "qop" else [gr.dq("x", "xq", gr.s_in, gr.zp_in)]
    if sizes is not None:
        gr.add_init(_ints("split", sizes))
        inputs.append("split")
    if form == "qop":
        gr.nodes.append(helper.make_node("Split", inputs, [f"{p}_q" for p in names], name="split", axis=axis))
        quantized = [f"{p}_q" for p in names]
        concat_inputs = ["x_scale", "x_zp"] + [t for q in quantized[::-1] for t in (q, "x_scale", "x_zp")]
        gr.nodes.append(helper.make_node("QLinearConcat", concat_inputs, ["c_q"], name="concat", domain="com.microsoft", axis=axis))
        out = "c_q"
    else:
        gr.nodes.append(helper.make_node("Split", inputs, names, name="split", axis=axis))
        dequantized = [gr.dq(p, gr.q(p, p, gr.s_in, gr.zp_in), gr.s_in, gr.zp_in) for p in names]
        gr.nodes.append(helper.make_node("Concat", dequantized[::-1], ["c"], name="concat", axis=axis))
        out = gr.q("c", "c", gr.s_in, gr.zp_in)
    return _finish(gr, out, gr.s_in, gr.zp_in, shape, f"{form}-split-{index}", ["split"], directory, np_rng)


def softmax_case(form, index, rng, np_rng, directory):
    """QLinearSoftmax (com.microsoft, opset 13) or DQ -> Softmax -> Q over the last axis of a 2-D
    or 4-D tensor, with TFLite's output quantization or another; floor(1/s_out) stays within
    ONNX Runtime's binary32 range (below 148 times the row length)."""
    dtype = rng.choice(["uint8", "int8"])
    while True:
        shape = [1, rng.randint(1, 6)] + ([rng.randint(1, 4), rng.randint(2, 40)] if rng.random() < 0.3 else [rng.randint(2, 60)])
        s_out = np.float32(1 / 256) if rng.random() < 0.6 else np.float32(fx.log_uniform(rng, 0.002, 0.02))
        if np.floor(np.float32(1) / s_out) < 148 * shape[-1]:
            break
    zp_out = (0 if dtype == "uint8" else -128) if rng.random() < 0.7 else _quant(rng, dtype)[1]
    gr = Graph(dtype, shape, rng)
    gr.s_in = np.float32(fx.log_uniform(rng, 0.01, 0.3))
    gr.init[0] = _scalar("x_scale", TensorProto.FLOAT, gr.s_in)
    if form == "qop":
        gr.add_init(_scalar("sm_scale", TensorProto.FLOAT, s_out), _scalar("sm_zp", dtype, zp_out))
        gr.nodes.append(helper.make_node("QLinearSoftmax", ["xq", "x_scale", "x_zp", "sm_scale", "sm_zp"], ["sm_q"], name="softmax",
                                         domain="com.microsoft", axis=-1, opset=13))
        out = "sm_q"
    else:
        gr.nodes.append(helper.make_node("Softmax", [gr.dq("x", "xq", gr.s_in, gr.zp_in)], ["sm"], name="softmax", axis=-1))
        out = gr.q("sm", "sm", s_out, zp_out)
    return _finish(gr, out, s_out, zp_out, shape, f"{form}-softmax-{index}", ["softmax"], directory, np_rng)


def maxpool_case(form, index, rng, np_rng, directory):
    """MaxPool of a quantized tensor (QOperator) or DQ -> MaxPool -> Q with one scale and zero point
    (which ONNX Runtime drops), with random kernel, strides, pads and ceil_mode."""
    dtype = rng.choice(["uint8", "int8"])
    k = (rng.randint(1, 4), rng.randint(1, 4))
    st = (rng.randint(1, 3), rng.randint(1, 3))
    p = (rng.randint(0, (k[0] - 1) // 2), rng.randint(0, (k[1] - 1) // 2))
    ceil = rng.random() < 0.6
    c, h, w = rng.randint(1, 8), rng.randint(k[0], 11), rng.randint(k[1], 11)

    gr = Graph(dtype, [1, c, h, w], rng)
    attrs = dict(kernel_shape=list(k), strides=list(st), pads=[p[0], p[1], p[0], p[1]], ceil_mode=int(ceil))
    if form == "qop":
        gr.nodes.append(helper.make_node("MaxPool", ["xq"], ["pool_q"], name="pool", **attrs))
        out = "pool_q"
    else:
        gr.nodes.append(helper.make_node("MaxPool", [gr.dq("x", "xq", gr.s_in, gr.zp_in)], ["pool"], name="pool", **attrs))
        out = gr.q("pool", "pool", gr.s_in, gr.zp_in)
    out_shape = [1, c, _pool_size(h, k[0], st[0], p[0], ceil), _pool_size(w, k[1], st[1], p[1], ceil)]
    return _finish(gr, out, gr.s_in, gr.zp_in, out_shape, f"{form}-maxpool-{index}", ["max_pool"], directory, np_rng)


def _finish(gr, out, s_out, zp_out, out_shape, case_id, ops, directory, np_rng):
    path = directory / f"{case_id}.onnx"
    gr.finish(out, s_out, zp_out, out_shape, path)
    codes = _codes(np_rng, gr.dtype, gr.shape)
    outputs = gr.run(path, codes)
    lo, hi = _range(gr.dtype)
    for y in outputs:
        assert y.min() >= lo and y.max() <= hi, (case_id, y.min(), y.max())
    return {"id": case_id, "file": path.name, "ops": ops, "dtype": gr.dtype,
            "inputs": [[fx.bytes_b64(np.ravel(c), gr.dtype)] for c in codes],
            "outputs": [fx.bytes_b64(np.ravel(y), gr.dtype) for y in outputs]}


def cases(rng, np_rng, directory):
    made = []
    for form in ("qop", "qdq"):
        made += [conv_case(form, i, rng, np_rng, directory) for i in range(40)]
        made += [gemm_case(form, i, rng, np_rng, directory) for i in range(25)]
        made += [add_case(form, i, rng, np_rng, directory) for i in range(30)]
        made += [add2_case(form, i, rng, np_rng, directory) for i in range(30)]
        made += [gap_case(form, i, rng, np_rng, directory) for i in range(30)]
        made += [add_pair_case(form, i, rng, np_rng, directory) for i in range(6)]
    # Added later, from their own seed: the cases above stay as they were.
    rng2, np_rng2 = fx.seeded(20261202), np.random.default_rng(20261202)
    for form in ("qop", "qdq"):
        made += [activation_case(form, i, rng2, np_rng2, directory) for i in range(40)]
        made += [concat_case(form, i, rng2, np_rng2, directory) for i in range(30)]
    rng3 = fx.seeded(20261203)
    for form in ("qop", "qdq"):
        made += [mul_pair_case(form, i, rng3, None, directory) for i in range(8)]
    rng4, np_rng4 = fx.seeded(20261204), np.random.default_rng(20261204)
    for form in ("qop", "qdq"):
        made += [avgpool_case(form, i, rng4, np_rng4, directory) for i in range(50)]
    rng5, np_rng5 = fx.seeded(20261205), np.random.default_rng(20261205)
    for form in ("qop", "qdq"):
        made += [transpose_case(form, i, rng5, np_rng5, directory) for i in range(20)]
    rng6, np_rng6 = fx.seeded(20261206), np.random.default_rng(20261206)
    for form in ("qop", "qdq"):
        made += [softmax_case(form, i, rng6, np_rng6, directory) for i in range(40)]
    rng7, np_rng7 = fx.seeded(20261207), np.random.default_rng(20261207)
    for form in ("qop", "qdq"):
        made += [maxpool_case(form, i, rng7, np_rng7, directory) for i in range(20)]
    rng8, np_rng8 = fx.seeded(20261208), np.random.default_rng(20261208)
    for form in ("qop", "qdq"):
        made += [slice_case(form, i, rng8, np_rng8, directory) for i in range(25)]
        made += [split_case(form, i, rng8, np_rng8, directory) for i in range(25)]
    return made


def provenance():
    return (f"onnxruntime {onnxruntime.__version__} (CPUExecutionProvider, default graph optimization, one thread), onnx {onnx.__version__}, "
            f"CPU {fx.cpu_flags()}; made by Tools/engines/make_fixtures.py onnx_files")
