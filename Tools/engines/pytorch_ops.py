"""PyTorch's quantized add, add_relu and adaptive average pooling to 1x1 on the fbgemm and qnnpack
engines, on seeded scales, zero points and shapes (element counts off ATen's 64-code vector blocks, so
the scalar tail is exercised), written as qgen ModelSpec JSON with the engine's output codes.
Run with ATEN_CPU_CAPABILITY=avx2 and one intra-op thread (make_fixtures.py sets both)."""
import numpy as np
import torch

import fixtures as fx

AT = {"file": "fixture", "line": 1}


def _quant(scale, zp):
    return {"dtype": "uint8", "scale": float(scale), "zeroPoint": int(zp)}


def _qtensor(codes, scale, zp):
    return torch._make_per_tensor_quantized_tensor(torch.tensor(codes, dtype=torch.uint8), scale, zp)


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


def provenance():
    return (f"torch {torch.__version__} quantized add / add_relu / adaptive_avg_pool2d on engines fbgemm and qnnpack, "
            f"ATen CPU capability {torch.backends.cpu.get_cpu_capability()}, one intra-op thread, CPU {fx.cpu_flags()}; "
            "made by Tools/engines/make_fixtures.py pytorch_ops")
