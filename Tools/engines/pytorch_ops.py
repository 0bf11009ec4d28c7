"""PyTorch's quantized add, add_relu, mul, mul_relu, cat, relu, relu6, hardswish, hardsigmoid,
leaky_relu, sigmoid, tanh, softmax (QNNPACK's and ATen's float path), avg_pool2d, torch.mean and adaptive average pooling to 1x1 on the fbgemm and qnnpack engines, on seeded scales, zero points and shapes (element counts off ATen's
64-code vector blocks, so the scalar tail is exercised; cat on contiguous and channels-last inputs,
whose kernels differ), written as qgen ModelSpec JSON with the engine's output codes.
Run with ATEN_CPU_CAPABILITY=avx2 and one intra-op thread (make_fixtures.py sets both)."""
import numpy as np
import torch

import fixtures as fx

AT = {"file": "fixture", "line": 1}


def _quant(scale, zp, dtype="uint8"):
    return {"dtype": dtype, "scale": float(scale), "zeroPoint": int(zp)}


def _qtensor(codes, scale, zp, dtype="uint8"):
    return torch._make_per_tensor_quantized_tensor(torch.tensor(codes, dtype=getattr(torch, dtype)), scale, zp)


def _range(dtype):
    return (0, 256) if dtype == "uint8" else (-128, 128)


def _input(name, shape, q):
    return {"input": {"_0": {"name": name, "shape": shape, "layout": "nchw", "quant": q, "location": AT}}}


def add_case(engine, index, rng, np_rng):
    """a + b (or add_relu) on two uint8 tensors of one random shape."""
    torch.backends.quantized.engine = engine
    shape = [1, rng.randint(1, 12), rng.randint(1, 9), rng.randint(1, 9)] if rng.random() < 0.6 else [1, rng.randint(1, 300)]
    relu = rng.random() < 0.4
    while True:
        sa, sb = fx.log_uniform(rng, 0.002, 0.2), fx.log_uniform(rng, 0.002, 0.2)
        so = max(sa, sb) * fx.log_uniform(rng, 0.3, 4)
        za, zb, zo = rng.randint(0, 255), rng.randint(0, 255), rng.choice([0, 128, rng.randint(0, 254)])
        if engine != "qnnpack" or (2 ** -14 <= sa / so < 256 and 2 ** -14 <= sb / so < 256):
            break
    xs = [[np_rng.integers(0, 256, size=shape) for _ in range(2)] for _ in range(3)]
    op = torch.ops.quantized.add_relu if relu else torch.ops.quantized.add
    ys = [op(_qtensor(a, sa, za), _qtensor(b, sb, zb), so, zo).int_repr().numpy() for a, b in xs]
    layers = [
        {"input": {"_0": {"name": "a", "shape": shape, "layout": "nchw", "quant": _quant(sa, za), "location": AT}}},
        {"input": {"_0": {"name": "b", "shape": shape, "layout": "nchw", "quant": _quant(sb, zb), "location": AT}}},
        {"add": {"_0": {"name": "sum", "inputs": ["a", "b"], "output": _quant(so, zo),
                        "activation": {"relu": {}} if relu else {"none": {}}, "location": AT}}},
    ]
    model = {"name": f"{engine}_add_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    return {"id": f"{engine}-add-{index}", "ops": ["add_relu" if relu else "add"], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(v), "uint8") for v in pair] for pair in xs],
            "outputs": [fx.bytes_b64(np.ravel(y), "uint8") for y in ys]}


def add_format_case(engine, index, rng, np_rng):
    """fbgemm's add over channels-last, contiguous or mixed inputs (ATen's loop runs in memory
    order, or all scalar when the formats differ), with scales where its vector and scalar paths
    round some pair of codes differently and codes drawn from those pairs."""
    torch.backends.quantized.engine = engine
    f32 = np.float32
    a_all, b_all = np.meshgrid(np.arange(256), np.arange(256), indexing="ij")
    a_all, b_all = a_all.ravel(), b_all.ravel()

    def codes(sa, za, sb, zb, so, vector):
        if vector:
            da = (np.float64(f32(sa)) * a_all + np.float64(f32(f32(sa) * f32(-za)))).astype(f32)
            db = (np.float64(f32(sb)) * b_all + np.float64(f32(f32(sb) * f32(-zb)))).astype(f32)
        else:
            da, db = (f32(sa) * (a_all - za).astype(f32)).astype(f32), (f32(sb) * (b_all - zb).astype(f32)).astype(f32)
        return np.rint(((da + db).astype(f32) * (f32(1) / f32(so))).astype(f32))

    while True:
        sa, sb = fx.log_uniform(rng, 0.002, 0.2), fx.log_uniform(rng, 0.002, 0.2)
        so = max(sa, sb) * fx.log_uniform(rng, 0.3, 4)
        za, zb, zo = rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)
        differ = codes(sa, za, sb, zb, so, True) != codes(sa, za, sb, zb, so, False)
        if differ.any():
            break
    formats = rng.choice([("channelsLast", "channelsLast"), ("channelsLast", "contiguous"), ("contiguous", "channelsLast"), ("contiguous", "contiguous")])
    shape = [1, rng.randint(2, 20), rng.randint(2, 7), rng.randint(2, 7)]
    xs = []
    for _ in range(3):
        pick = np_rng.integers(0, int(differ.sum()), size=shape)
        xs.append([a_all[differ][pick], b_all[differ][pick]])
    ys = []
    for a, b in xs:
        qs = [_qtensor(v, s, z) for v, s, z in ((a, sa, za), (b, sb, zb))]
        qs = [q.contiguous(memory_format=torch.channels_last) if f == "channelsLast" else q for q, f in zip(qs, formats)]
        ys.append(torch.ops.quantized.add(qs[0], qs[1], so, zo).int_repr().contiguous().numpy())
    layers = [_input("a", shape, _quant(sa, za)), _input("b", shape, _quant(sb, zb)),
              {"add": {"_0": {"name": "sum", "inputs": ["a", "b"], "output": _quant(so, zo), "activation": {"none": {}},
                              "memoryFormats": list(formats), "location": AT}}}]
    model = {"name": f"{engine}_add_formats_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    kind = "add (both channels-last)" if formats == ("channelsLast", "channelsLast") else "add (mixed formats)" if formats[0] != formats[1] else "add"
    return {"id": f"{engine}-add-{formats[0]}-{formats[1]}-{index}", "ops": [kind], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(v), "uint8") for v in pair] for pair in xs],
            "outputs": [fx.bytes_b64(np.ravel(y), "uint8") for y in ys]}


_ACTIVATIONS = {"relu": "relu", "relu6": "relu6", "hardswish": "hardSwish", "hardsigmoid": "hardSigmoid", "leaky_relu": "leakyRelu",
                "sigmoid": "logistic", "tanh": "tanh"}


def _sleef_expf(d):
    """SLEEF's Sleef_expf8_u10 step by step in numpy binary32 (a float32 product is exact in
    float64, so float64 multiply-add then one rounding is the fused multiply-add); only to pick
    scales where ATen's sigmoid paths differ."""
    f32 = np.float32

    def fma(a, b, c):
        return f32(np.float64(a) * np.float64(b) + np.float64(c))
    d = f32(d)
    if d < -104:
        return f32(0)
    if d > 100:
        return f32(np.inf)
    q = int(np.rint(f32(d * f32(1.442695040888963407359924681001892137426645954152985934135449406931))))
    s = fma(f32(q), -f32(0.693145751953125), d)
    s = fma(f32(q), -f32(1.428606765330187045e-06), s)
    u = f32(0.000198527617612853646278381)
    for c in (0.00139304355252534151077271, 0.00833336077630519866943359, 0.0416664853692054748535156, 0.166666671633720397949219, 0.5):
        u = fma(u, s, f32(c))
    u = f32(f32(1) + fma(f32(s * s), u, s))
    return f32(np.float64(u) * 2.0 ** (q >> 1) * 2.0 ** (q - (q >> 1)))


def _sigmoid_tables(s, zp, dtype):
    """ATen's scalar path (libm expf), its vector path (SLEEF) and QNNPACK's table, for picking scales."""
    import ctypes
    expf = ctypes.CDLL("libm.so.6").expf
    expf.restype, expf.argtypes = ctypes.c_float, [ctypes.c_float]
    f32 = np.float32
    lo, hi = _range(dtype)
    zo = 0 if dtype == "uint8" else -128
    scalar, vector, table = [], [], []
    for q in range(lo, hi):
        x = f32(f32(s) * f32(q - zp))
        e = f32(expf(float(-x)))
        scalar.append(np.rint(f32(f32(1.0 / (1.0 + np.float64(e))) * f32(256))) + zo)
        vector.append(np.rint(f32(f32(f32(1) / f32(f32(1) + _sleef_expf(-x))) * f32(256))) + zo)
        table.append(np.rint(f32(f32(256) / f32(f32(1) + e))))
    return [np.clip(np.array(t), lo, hi - 1) for t in (scalar, vector, table)]


def _tanh_tables(s, zp, dtype):
    """ATen's scalar path (libm tanhf), a stand-in for its vector path (tanh in float64 of the fused
    dequantization; differs from both where the result sits near a rounding boundary) and QNNPACK's
    table, for picking scales where the paths can differ."""
    import ctypes
    tanhf = ctypes.CDLL("libm.so.6").tanhf
    tanhf.restype, tanhf.argtypes = ctypes.c_float, [ctypes.c_float]
    f32 = np.float32
    lo, hi = _range(dtype)
    zo = 0 if dtype == "int8" else 128
    scalar, vector, table = [], [], []
    for q in range(lo, hi):
        x = f32(f32(s) * f32(q - zp))
        fused = f32(np.float64(q) * np.float64(f32(s)) + np.float64(f32(f32(s) * f32(-zp))))
        scalar.append(np.rint(f32(f32(tanhf(float(x))) * f32(128))) + zo)
        exact = np.tanh(np.float64(fused)) * 128
        near = abs(exact - np.floor(exact) - 0.5) < 2e-5
        vector.append(np.rint(f32(exact)) + zo + (1000 if near else 0))
        table.append(np.rint(f32(f32(128) * f32(tanhf(float(x))) + f32(128))))
    return [np.clip(np.array(t), lo, hi - 1) if k != 1 else np.array(t) for k, t in enumerate((scalar, vector, table))]


def _activation_tables(op, s, zp, so, zo, alpha, dtype):
    """Two plausible tables of `op` (ATen's scalar path, and its vector path or QNNPACK's), used
    only to pick scales where an engine's choice between them shows."""
    f32 = np.float32
    lo, hi = _range(dtype)
    q = np.arange(lo, hi)
    f = {"hardswish": lambda x: (x * np.minimum(np.maximum(x + f32(3), f32(0)), f32(6))).astype(f32) / f32(6),
         "hardsigmoid": lambda x: np.minimum(np.maximum(x + f32(3), f32(0)), f32(6)) / f32(6),
         "leaky_relu": lambda x: np.where(x > 0, x, (x * f32(alpha)).astype(f32))}[op]
    plain = (f32(s) * (q - zp).astype(f32)).astype(f32)
    fused = (q.astype(np.float64) * np.float64(f32(s)) + np.float64(f32(f32(s) * f32(-zp)))).astype(f32)
    scalar = np.rint((f(plain).astype(f32) * (f32(1) / f32(so))).astype(f32))
    vector = np.rint((f(fused).astype(f32) * f32(1.0 / so)).astype(f32))
    table = np.rint(((f(plain).astype(f32) * (f32(1) / f32(so))).astype(f32) + f32(zo)).astype(f32)) - zo
    return np.clip(scalar + zo, lo, hi - 1), np.clip(vector + zo, lo, hi - 1), np.clip(table + zo, lo, hi - 1)


def activation_case(engine, index, rng, np_rng, op):
    """relu, relu6, hardswish, hardsigmoid, leaky_relu, sigmoid or tanh of one contiguous or channels-last tensor
    (sizes off ATen's 64-code blocks), half of them with scales where ATen's two paths (or
    QNNPACK's table) give different codes."""
    torch.backends.quantized.engine = engine
    dtype = rng.choice(["uint8", "int8"])
    lo, hi = _range(dtype)
    # qnnpack's relu6 on a channels-last quint8 tensor permutes its values (a PyTorch bug qgen refuses).
    channels_last = rng.random() < 0.5 and not (engine == "qnnpack" and op == "relu6" and dtype == "uint8")
    discriminating = op not in ("relu", "relu6") and rng.random() < 0.5
    alpha = rng.choice([0.01, 0.1, 0.2, 0.3])
    telling = None
    for _ in range(100000):
        s, zp = fx.log_uniform(rng, 0.003, 0.3), rng.randint(lo, hi - 1)
        so, zo = fx.log_uniform(rng, 0.003, 0.3), rng.randint(lo, hi - 1)
        if op in ("relu", "relu6"):
            so, zo = s, zp
        if op in ("hardsigmoid", "sigmoid"):
            so, zo = 1 / 256, (0 if dtype == "uint8" else -128)
        if op == "tanh":
            so, zo = 2 / 256, (128 if dtype == "uint8" else 0)
        if not discriminating:
            break
        tables = {"sigmoid": lambda: _sigmoid_tables(s, zp, dtype), "tanh": lambda: _tanh_tables(s, zp, dtype)}
        scalar, vector, table = tables.get(op, lambda: _activation_tables(op, s, zp, so, zo, alpha, dtype))()
        telling = np.arange(lo, hi)[(scalar != vector) | (scalar != table)]
        if len(telling):
            break
    shape = [1, rng.randint(2, 16), rng.randint(2, 8), rng.randint(2, 8)]
    xs = [np_rng.integers(lo, hi, size=shape) for _ in range(3)]
    if discriminating:
        # Mostly the codes whose result tells the paths apart.
        xs = [np.where(np_rng.random(size=shape) < 0.7, telling[np_rng.integers(0, len(telling), size=shape)], x) for x in xs]
    ys = []
    for x in xs:
        qx = _qtensor(x, s, zp, dtype)
        if channels_last:
            qx = qx.contiguous(memory_format=torch.channels_last)
        if op == "relu":
            r = torch.relu(qx)
        elif op == "relu6":
            r = torch.nn.ReLU6()(qx)
        elif op == "hardswish":
            r = torch.ops.quantized.hardswish(qx, so, zo)
        elif op == "hardsigmoid":
            r = torch.nn.functional.hardsigmoid(qx)
        elif op == "sigmoid":
            r = torch.sigmoid(qx)
        elif op == "tanh":
            r = torch.tanh(qx)
        else:
            r = torch.ops.quantized.leaky_relu(qx, alpha, False, so, zo)
        assert (r.q_scale(), r.q_zero_point()) == (so, zo), (op, r.q_scale(), r.q_zero_point(), so, zo)
        ys.append(r.int_repr().contiguous().numpy())
    lookup = {"function": _ACTIVATIONS[op], "name": "act", "input": "x", "output": _quant(so, zo, dtype),
              "memoryFormats": ["channelsLast" if channels_last else "contiguous"], "location": AT}
    if op == "leaky_relu":
        lookup["alpha"] = alpha
    layers = [_input("x", shape, _quant(s, zp, dtype)), {"lookup": {"_0": lookup}}]
    model = {"name": f"{engine}_{op}_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    return {"id": f"{engine}-{op}-{dtype}-{'nhwc' if channels_last else 'nchw'}-{index}", "ops": [f"{op} {dtype}"], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(x), dtype)] for x in xs], "outputs": [fx.bytes_b64(np.ravel(y), dtype) for y in ys]}


def softmax_case(index, rng, np_rng):
    """torch.ops.quantized.softmax under qnnpack on quint8 with output scale 1/256 and zero point 0
    (QNNPACK's softargmax) over the last axis; rows up to 700 long (beyond 512 QNNPACK's table
    scale is UINT32_MAX / n), skipping lengths whose uint32 sum can wrap."""
    import math
    torch.backends.quantized.engine = "qnnpack"
    while True:
        depth = rng.choice([rng.randint(1, 40), rng.randint(40, 512), rng.randint(513, 700)])
        q = min((2 ** 32 - 1) / depth, 8388607.0)
        if depth * int(round(q)) <= 2 ** 32 - 1 and not (q - math.floor(q) == 0.5):
            break
    shape = [1, depth] if rng.random() < 0.5 else [1, rng.randint(2, 4), depth]
    s, zp = fx.log_uniform(rng, 0.005, 0.5), rng.randint(0, 254)
    xs = [np_rng.integers(0, 256, size=shape) for _ in range(3)]
    ys = []
    for x in xs:
        y = torch.ops.quantized.softmax(_qtensor(x, s, zp), -1, 1.0 / 256, 0)
        assert (y.q_scale(), y.q_zero_point()) == (1.0 / 256, 0)
        ys.append(y.int_repr().numpy())
    softmax = {"name": "softmax", "input": "x", "beta": 1.0, "output": _quant(1.0 / 256, 0), "location": AT}
    layers = [_input("x", shape, _quant(s, zp)), {"softmax": {"_0": softmax}}]
    model = {"name": f"qnnpack_softmax_{index}", "layers": layers, "requantization": {"name": "qnnpack"}, "location": AT}
    return {"id": f"qnnpack-softmax-{index}", "ops": ["softmax (QNNPACK)"], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(v), "uint8")] for v in xs], "outputs": [fx.bytes_b64(np.ravel(y), "uint8") for y in ys]}


def aten_softmax_case(engine, index, rng, np_rng):
    """torch.ops.quantized.softmax over the last axis where ATen runs its float path (dequantize,
    at::softmax, quantize_per_tensor): fbgemm on quint8 and qint8, qnnpack on qint8 or with an output
    other than 1/256 and 0. Rows shorter and longer than the 8 AVX2 lanes; input scales up to 1, so
    that exponents reach SLEEF's subnormal range (x - max below -87) and its zero (below -104)."""
    torch.backends.quantized.engine = engine
    dtype = "int8" if engine == "qnnpack" and rng.random() < 0.5 else rng.choice(["uint8", "int8"])
    lo, hi = _range(dtype)
    depth = rng.choice([rng.randint(1, 7), rng.randint(8, 40), rng.randint(40, 1100)])
    shape = [rng.randint(1, 3), depth] if rng.random() < 0.5 else [1, rng.randint(2, 4), depth]
    s, zp = fx.log_uniform(rng, 0.005, 1.0), rng.randint(lo, hi - 1)
    while True:
        so, zo = rng.choice([(1.0 / 256, lo), (1.0 / 255, lo), (fx.log_uniform(rng, 1.0 / 3000, 1.0 / 60), rng.randint(lo, lo + 40))])
        if not (engine == "qnnpack" and dtype == "uint8" and (so, zo) == (1.0 / 256, 0)):
            break
    xs = [np_rng.integers(lo, hi, size=shape) for _ in range(3)]
    ys = []
    for x in xs:
        y = torch.ops.quantized.softmax(_qtensor(x, s, zp, dtype), -1, so, zo)
        assert (y.q_scale(), y.q_zero_point()) == (so, zo)
        ys.append(y.int_repr().numpy())
    softmax = {"name": "softmax", "input": "x", "beta": 1.0, "output": _quant(so, zo, dtype), "location": AT}
    layers = [_input("x", shape, _quant(s, zp, dtype)), {"softmax": {"_0": softmax}}]
    model = {"name": f"{engine}_aten_softmax_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    return {"id": f"{engine}-aten_softmax-{dtype}-{index}", "ops": [f"softmax (ATen float) {dtype}"], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(v), dtype)] for v in xs], "outputs": [fx.bytes_b64(np.ravel(y), dtype) for y in ys]}


def aten_softmax_points_cases():
    """One case per row of softmax_aten_points.json (rows where ATen's float softmax and an
    alternative summation order, exponential or division give different codes), under fbgemm and
    under qnnpack (whose float path is the same)."""
    import json
    import pathlib
    import struct
    rows = json.loads((pathlib.Path(__file__).parent / "softmax_aten_points.json").read_text())["rows"]
    cases = []
    for index, (alternative, dtype, bits, zp, so, zo, codes) in enumerate(rows):
        s = struct.unpack("<f", struct.pack("<I", bits))[0]
        for engine in ("fbgemm", "qnnpack"):
            if engine == "qnnpack" and dtype == "uint8" and (so, zo) == (1.0 / 256, 0):
                continue
            torch.backends.quantized.engine = engine
            x = np.array([codes])
            y = torch.ops.quantized.softmax(_qtensor(x, s, zp, dtype), -1, so, zo)
            softmax = {"name": "softmax", "input": "x", "beta": 1.0, "output": _quant(so, zo, dtype), "location": AT}
            layers = [_input("x", list(x.shape), _quant(s, zp, dtype)), {"softmax": {"_0": softmax}}]
            model = {"name": f"{engine}_aten_softmax_point_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
            cases.append({"id": f"{engine}-aten_softmax_point-{index}", "ops": [f"softmax (ATen float; {alternative} differs)"], "model": model,
                          "inputs": [[fx.bytes_b64(np.ravel(x), dtype)]], "outputs": [fx.bytes_b64(np.ravel(y.int_repr().numpy()), dtype)]})
    return cases


def tanh_sleef_cases():
    """One case per code in tanh_sleef_points.json (where SLEEF's vector tanh and the C library's
    tanhf give different codes): 64 copies of the code, all on ATen's vector path; fbgemm on uint8
    and, shifted by 128, qnnpack on int8 (qnnpack's uint8 tanh is QNNPACK's table)."""
    import json
    import pathlib
    import struct
    points = json.loads((pathlib.Path(__file__).parent / "tanh_sleef_points.json").read_text())["points"]
    cases = []
    for index, (bits, zp, q) in enumerate(points):
        s = struct.unpack("<f", struct.pack("<I", bits))[0]
        for engine, dtype, shift in (("fbgemm", "uint8", 0), ("qnnpack", "int8", 128)):
            torch.backends.quantized.engine = engine
            x = np.full((1, 64), q - shift)
            y = torch.tanh(_qtensor(x, s, zp - shift, dtype))
            so, zo = 2 / 256, 128 - shift
            assert (y.q_scale(), y.q_zero_point()) == (so, zo)
            lookup = {"function": "tanh", "name": "act", "input": "x", "output": _quant(so, zo, dtype), "memoryFormats": ["contiguous"], "location": AT}
            layers = [_input("x", [1, 64], _quant(s, zp - shift, dtype)), {"lookup": {"_0": lookup}}]
            model = {"name": f"{engine}_tanh_sleef_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
            cases.append({"id": f"{engine}-tanh_sleef-{dtype}-{index}", "ops": [f"tanh {dtype} (SLEEF differs from tanhf)"], "model": model,
                          "inputs": [[fx.bytes_b64(np.ravel(x), dtype)]], "outputs": [fx.bytes_b64(np.ravel(y.int_repr().numpy()), dtype)]})
    return cases


def mean_case(engine, index, rng, np_rng):
    """adaptive_avg_pool2d(x, 1) on a channels-last uint8 tensor (as convolutions leave them)."""
    torch.backends.quantized.engine = engine
    c, h, w = rng.randint(1, 40), rng.randint(1, 10), rng.randint(1, 10)
    s, zp = fx.log_uniform(rng, 0.002, 0.5), rng.randint(0, 255)
    xs = [np_rng.integers(0, 256, size=(1, c, h, w)) for _ in range(3)]
    ys = []
    for x in xs:
        qx = _qtensor(x, s, zp).contiguous(memory_format=torch.channels_last)
        y = torch.nn.functional.adaptive_avg_pool2d(qx, 1)
        assert (y.q_scale(), y.q_zero_point()) == (s, zp)
        ys.append(y.int_repr().numpy())
    layers = [
        {"input": {"_0": {"name": "x", "shape": [1, c, h, w], "layout": "nchw", "quant": _quant(s, zp), "location": AT}}},
        {"mean": {"_0": {"name": "gap", "axes": [2, 3], "keepDims": True, "output": _quant(s, zp), "location": AT}}},
    ]
    model = {"name": f"{engine}_mean_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    return {"id": f"{engine}-mean-{index}", "ops": ["adaptive_avg_pool2d"], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(v), "uint8")] for v in xs], "outputs": [fx.bytes_b64(np.ravel(y), "uint8") for y in ys]}


def torch_mean_case(engine, index, rng, np_rng):
    """torch.mean(x, dims, keepdim) of a quantized tensor: QNNPACK's global average pool (qnnpack,
    uint8, dims written [2, 3]), ATen's integer mean of the codes (contiguous, innermost dims), or
    its float path (channels-last, or other dims) with cascade_sum's summation orders."""
    torch.backends.quantized.engine = engine
    dtype = rng.choice(["uint8", "int8"])
    lo, hi = _range(dtype)
    rank = rng.choice([3, 4, 4, 4])
    channels_last = rank == 4 and rng.random() < 0.5
    # A strided view (every other element of the last axis of a larger tensor): ATen averages its
    # contiguous float copy. A channel slice of a channels-last tensor is a view too, whose float
    # copy ATen lays out channels-last (qgen-export writes it as channels-last).
    strided = not channels_last and rng.random() < 0.25
    channel_slice = channels_last and rng.random() < 0.3
    if rank == 4:
        shape = [rng.randint(1, 2), rng.choice([rng.randint(1, 7), rng.randint(8, 40), rng.randint(30, 70)]), rng.randint(1, 20), rng.randint(1, 20)]
        choices = [[2, 3], [-2, -1], [1]] + ([] if channels_last else [[1, 2], [2], [3], [1, 2, 3]])
    else:
        shape = [rng.randint(1, 2), rng.randint(1, 40), rng.randint(1, 60)]
        choices = [[1], [2], [-1], [1, 2]]
    dims = rng.choice(choices)
    keepdim = rng.random() < 0.5
    s, zp = fx.log_uniform(rng, 0.002, 0.5), rng.randint(lo, hi - 1)
    xs = [np_rng.integers(lo, hi, size=shape) for _ in range(3)]
    ys = []
    for x in xs:
        if strided:
            wide = np.repeat(x, 2, axis=-1)
            wide[..., 1::2] = lo
            qx = _qtensor(wide, s, zp, dtype)[..., ::2]
            assert not qx.is_contiguous() and np.array_equal(qx.int_repr().numpy(), x)
        elif channel_slice:
            wide = np.concatenate([np.full_like(x[:, :1], lo), x], axis=1)
            qx = _qtensor(wide, s, zp, dtype).contiguous(memory_format=torch.channels_last)[:, 1:]
            assert not qx.is_contiguous()
        else:
            qx = _qtensor(x, s, zp, dtype)
        if channels_last and not channel_slice:
            qx = qx.contiguous(memory_format=torch.channels_last)
        y = torch.mean(qx, dims, keepdim)
        assert (y.q_scale(), y.q_zero_point()) == (s, zp)
        ys.append(y.int_repr().numpy())
    fmt = "channelsLast" if channels_last else "strided" if strided else "contiguous"
    if channel_slice:
        # As qgen-export writes a view: the layout of ATen's float copy.
        copy = qx.dequantize()
        fmt = "channelsLast" if copy.is_contiguous(memory_format=torch.channels_last) and not copy.is_contiguous() else "strided"
    mean = {"name": "mean", "axes": dims, "keepDims": keepdim, "output": _quant(s, zp, dtype), "atenOp": "mean", "memoryFormats": [fmt], "location": AT}
    layers = [_input("x", shape, _quant(s, zp, dtype)), {"mean": {"_0": mean}}]
    model = {"name": f"{engine}_torch_mean_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    wrapped = sorted(d % rank for d in dims)
    if engine == "qnnpack" and dtype == "uint8" and rank == 4 and dims == [2, 3]:
        path = "qnnpack"
    elif not channels_last and not strided and wrapped[-1] == rank - 1:  # (a channel slice is never contiguous)
        path = "codes"
    else:
        path = "float"
    return {"id": f"{engine}-torch_mean-{index}", "ops": [f"mean_{path}"], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(v), dtype)] for v in xs], "outputs": [fx.bytes_b64(np.ravel(y), dtype) for y in ys]}


def _size(h, w):
    return {"height": h, "width": w, "elementCount": 2}


def avg_pool_case(engine, index, rng, np_rng):
    """avg_pool2d with random kernel, stride, padding, ceil_mode, count_include_pad and
    divisor_override on a contiguous or channels-last tensor: ATen's contiguous kernel, its NHWC
    kernel (vector channels and the scalar rest) and, under qnnpack on quint8, QNNPACK's."""
    torch.backends.quantized.engine = engine
    dtype = rng.choice(["uint8", "int8"])
    lo, hi = _range(dtype)
    while True:
        kh, kw = rng.randint(1, 5), rng.randint(1, 5)
        if rng.random() < 0.5:
            kw = kh
        sh, sw = rng.randint(1, 3), rng.randint(1, 3)
        ph, pw = rng.randint(0, kh // 2), rng.randint(0, kw // 2)
        ceil = rng.random() < 0.3
        qnnpack_path = engine == "qnnpack" and dtype == "uint8" and not ceil
        if not (qnnpack_path and kh * kw == 1):
            break
    include_pad = rng.random() < 0.6
    divisor = rng.randint(1, 30) if rng.random() < 0.2 else None
    c = rng.choice([rng.randint(1, 7), rng.randint(8, 40)])
    h, w = rng.randint(kh, 14), rng.randint(kw, 14)
    channels_last = rng.random() < 0.5
    s, zp = fx.log_uniform(rng, 0.002, 0.5), rng.randint(lo, hi - 1)
    xs = [np_rng.integers(lo, hi, size=(1, c, h, w)) for _ in range(3)]
    ys = []
    for x in xs:
        qx = _qtensor(x, s, zp, dtype)
        if channels_last:
            qx = qx.contiguous(memory_format=torch.channels_last)
        y = torch.nn.functional.avg_pool2d(qx, (kh, kw), (sh, sw), (ph, pw), ceil, include_pad, divisor)
        assert (y.q_scale(), y.q_zero_point()) == (s, zp)
        ys.append(y.int_repr().numpy())
    fmt = "channelsLast" if qx.is_contiguous(memory_format=torch.channels_last) else "contiguous"
    pool = {"kind": "average", "name": "pool", "kernel": _size(kh, kw), "stride": _size(sh, sw), "padding": {"size": _size(ph, pw)},
            "activation": {"none": {}}, "ceilMode": ceil, "countIncludePad": include_pad, "memoryFormats": [fmt], "location": AT}
    if divisor is not None:
        pool["divisor"] = divisor
    layers = [_input("x", [1, c, h, w], _quant(s, zp, dtype)), {"pool2d": {"_0": pool}}]
    model = {"name": f"{engine}_avg_pool_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    path = "qnnpack" if qnnpack_path else fmt
    return {"id": f"{engine}-avg_pool2d-{index}", "ops": [f"avg_pool2d_{path}"], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(v), dtype)] for v in xs], "outputs": [fx.bytes_b64(np.ravel(y), dtype) for y in ys]}


def mul_case(engine, index, rng, np_rng, exhaustive=False):
    """a * b (or mul_relu) on two tensors of one random shape, or every pair of codes (exhaustive,
    with scales where the order of ATen's multiplier changes some code)."""
    torch.backends.quantized.engine = engine
    dtype = rng.choice(["uint8", "int8"])
    lo, hi = _range(dtype)
    relu = rng.random() < 0.3
    while True:
        sa, sb = fx.log_uniform(rng, 0.002, 0.3), fx.log_uniform(rng, 0.002, 0.3)
        za, zb, zo = rng.randint(lo, hi - 1), rng.randint(lo, hi - 1), rng.randint(lo, hi - 1)
        so = sa * sb * fx.log_uniform(rng, 2, 3000)
        if not exhaustive or _mul_discriminates(sa, sb, so, dtype, za, zb):
            break
    if exhaustive:
        a, b = np.meshgrid(np.arange(lo, hi), np.arange(lo, hi), indexing="ij")
        xs = [[a.reshape(1, -1), b.reshape(1, -1)]]
        shape = [1, (hi - lo) ** 2]
    else:
        shape = [1, rng.randint(1, 12), rng.randint(1, 9), rng.randint(1, 9)] if rng.random() < 0.6 else [1, rng.randint(1, 300)]
        xs = [[np_rng.integers(lo, hi, size=shape) for _ in range(2)] for _ in range(3)]
    op = torch.ops.quantized.mul_relu if relu else torch.ops.quantized.mul
    ys = [op(_qtensor(a, sa, za, dtype), _qtensor(b, sb, zb, dtype), so, zo).int_repr().numpy() for a, b in xs]
    layers = [_input("a", shape, _quant(sa, za, dtype)), _input("b", shape, _quant(sb, zb, dtype)),
              {"mul": {"_0": {"name": "product", "inputs": ["a", "b"], "output": _quant(so, zo, dtype),
                              "activation": {"relu": {}} if relu else {"none": {}}, "location": AT}}}]
    model = {"name": f"{engine}_mul_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    return {"id": f"{engine}-mul-{'all-' if exhaustive else ''}{index}", "ops": ["mul_relu" if relu else "mul"], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(v), dtype) for v in pair] for pair in xs],
            "outputs": [fx.bytes_b64(np.ravel(y), dtype) for y in ys]}


def mul_broadcast_case(engine, index, rng, np_rng):
    """A per-channel gate, [1, C, 1, 1] * [1, C, H, W] (either order), as squeeze-and-excitation
    blocks multiply, on channels-last or contiguous tensors."""
    torch.backends.quantized.engine = engine
    dtype = rng.choice(["uint8", "int8"])
    lo, hi = _range(dtype)
    sa, sb = fx.log_uniform(rng, 0.002, 0.3), fx.log_uniform(rng, 0.002, 0.3)
    za, zb, zo = rng.randint(lo, hi - 1), rng.randint(lo, hi - 1), rng.randint(lo, hi - 1)
    so = sa * sb * fx.log_uniform(rng, 2, 3000)
    c, h, w = rng.randint(1, 40), rng.randint(1, 9), rng.randint(1, 9)
    shapes = [[1, c, 1, 1], [1, c, h, w]]
    if rng.random() < 0.5:
        shapes.reverse()
    channels_last = rng.random() < 0.5
    xs = [[np_rng.integers(lo, hi, size=shape) for shape in shapes] for _ in range(3)]
    ys = []
    for a, b in xs:
        qa, qb = _qtensor(a, sa, za, dtype), _qtensor(b, sb, zb, dtype)
        if channels_last:
            qa, qb = qa.contiguous(memory_format=torch.channels_last), qb.contiguous(memory_format=torch.channels_last)
        ys.append(torch.ops.quantized.mul(qa, qb, so, zo).int_repr().contiguous().numpy())
    layers = [_input("a", shapes[0], _quant(sa, za, dtype)), _input("b", shapes[1], _quant(sb, zb, dtype)),
              {"mul": {"_0": {"name": "product", "inputs": ["a", "b"], "output": _quant(so, zo, dtype), "activation": {"none": {}}, "location": AT}}}]
    model = {"name": f"{engine}_mul_broadcast_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    return {"id": f"{engine}-mul-broadcast-{index}", "ops": ["mul (broadcast)"], "model": model,
            "inputs": [[fx.bytes_b64(np.ravel(v), dtype) for v in pair] for pair in xs],
            "outputs": [fx.bytes_b64(np.ravel(y), dtype) for y in ys]}


def _mul_discriminates(sa, sb, so, dtype, za, zb):
    """Whether ATen's multiplier float(s_a)·float(s_b)·(1/float(s_out)) and the plain quotient
    float(s_a)·float(s_b)/float(s_out) round some product of these codes differently."""
    lo, hi = _range(dtype)
    f32 = np.float32
    a, b = np.meshgrid(np.arange(lo, hi) - za, np.arange(lo, hi) - zb, indexing="ij")
    p = (a * b).astype(f32)
    aten = f32(f32(sa) * f32(sb)) * (f32(1) / f32(so))
    quotient = f32(f32(sa) * f32(sb)) / f32(so)
    return aten != quotient and bool((np.rint((p * aten).astype(f32)) != np.rint((p * quotient).astype(f32))).any())


def _cat_scales(rng, dtype, discriminating):
    """An input's scale and zero point for an output's: when `discriminating`, ones where ATen's
    two dequantizations (s·(q−zp), and fma(q, s, s·−zp)) give different codes for some q."""
    lo, hi = _range(dtype)
    f32 = np.float32
    while True:
        s, zp = fx.log_uniform(rng, 0.002, 0.3), rng.randint(lo, hi - 1)
        so, zo = s * fx.log_uniform(rng, 0.5, 4), rng.randint(lo, hi - 1)
        if not discriminating:
            return s, zp, so, zo
        q = np.arange(lo, hi)
        plain = (f32(s) * (q - zp).astype(f32)).astype(f32)
        fused = (q.astype(np.float64) * np.float64(f32(s)) + np.float64(f32(f32(s) * f32(-zp)))).astype(f32)
        inverse, inverse_double = f32(1) / f32(so), f32(1.0 / so)
        if (np.rint(plain * inverse) != np.rint(fused * inverse_double)).any():
            return s, zp, so, zo


def cat_case(engine, index, rng, np_rng):
    """torch.ops.quantized.cat of 2-4 NCHW tensors along dimension 1, contiguous or channels-last
    (ATen's generic or NHWC kernel), inputs quantized like the output or not."""
    torch.backends.quantized.engine = engine
    dtype = "uint8" if rng.random() < 0.7 else "int8"
    lo, hi = _range(dtype)
    channels_last = rng.random() < 0.6
    discriminating = rng.random() < 0.5
    count = rng.randint(2, 4)
    h, w = rng.randint(1, 6), rng.randint(1, 6)
    channels = [rng.choice([rng.randint(1, 12), rng.randint(7, 40), rng.choice([8, 16, 24, 32, 33, 64, 70])]) for _ in range(count)]
    params = [_cat_scales(rng, dtype, discriminating) for _ in range(count)]
    so, zo = params[0][2], params[0][3]
    inputs = [(s, zp) for s, zp, _, _ in params]
    for k in range(count):
        if rng.random() < 0.2:
            inputs[k] = (so, zo)  # copied
    xs = [[np_rng.integers(lo, hi, size=(1, c, h, w)) for c in channels] for _ in range(3)]
    ys = []
    for x in xs:
        qs = [_qtensor(v, s, zp, dtype) for v, (s, zp) in zip(x, inputs)]
        if channels_last:
            qs = [q.contiguous(memory_format=torch.channels_last) for q in qs]
        ys.append(torch.ops.quantized.cat(qs, 1, so, zo).int_repr().numpy())
    names = [f"x{k}" for k in range(count)]
    layers = [_input(n, [1, c, h, w], _quant(s, zp, dtype)) for n, c, (s, zp) in zip(names, channels, inputs)]
    formats = ["channelsLast" if channels_last else "contiguous"] * count
    layers.append({"concatenation": {"_0": {"name": "cat", "inputs": names, "axis": 1, "output": _quant(so, zo, dtype),
                                            "memoryFormats": formats, "location": AT}}})
    model = {"name": f"{engine}_cat_{index}", "layers": layers, "requantization": {"name": engine}, "location": AT}
    return {"id": f"{engine}-cat-{'nhwc' if channels_last else 'nchw'}-{index}", "ops": ["cat (channels-last)" if channels_last else "cat"],
            "model": model, "inputs": [[fx.bytes_b64(np.ravel(v), dtype) for v in x] for x in xs],
            "outputs": [fx.bytes_b64(np.ravel(y), dtype) for y in ys]}


def provenance():
    return (f"torch {torch.__version__} quantized add / add_relu / mul / mul_relu / cat / relu / relu6 / hardswish / hardsigmoid / leaky_relu / adaptive_avg_pool2d on engines fbgemm and qnnpack, "
            f"ATen CPU capability {torch.backends.cpu.get_cpu_capability()}, one intra-op thread, CPU {fx.cpu_flags()}; "
            "made by Tools/engines/make_fixtures.py pytorch_ops")
