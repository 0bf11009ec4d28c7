"""Shared pieces of the engine fixture generators: seeded case shapes and the JSON fixture format.

A fixture file holds one engine's cases. Each case is one quantized layer with everything qgen needs
(integer weights, float32-valued scales, zero points, bias) and the engine's integer outputs for a
few integer inputs. Tests/QGenJITTests/EngineFixtureTests.swift runs every case through qgen's
emitted C and demands equality on every element. Scales are written as the float64 value of the
engine's own scale (a float32 or float64, printed with repr, which round-trips exactly).
"""
import base64
import json
import platform
import random

import numpy as np


def cpu_flags():
    """The x86 features that decide which kernels FBGEMM and MLAS pick."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = next(line for line in f if line.startswith("flags")).split()
    except (OSError, StopIteration):
        return platform.machine()
    wanted = ["avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx_vnni"]
    have = [w for w in wanted if w in flags]
    missing = [w for w in wanted if w not in flags]
    return platform.machine() + " with " + " ".join(have) + ("; without " + " ".join(missing) if missing else "")


def conv_shape(rng, depthwise_allowed=True, max_channels=6, max_size=8):
    """A random Conv2d geometry: channels, kernel 1/3/5, stride, padding, dilation, groups."""
    kind = rng.random()
    depthwise = depthwise_allowed and kind < 0.25
    grouped = 0.25 <= kind < 0.45            # groups > 1 that are not depthwise
    c = rng.choice([4, 6]) if grouped else rng.randint(1, max_channels)
    if depthwise:
        groups = c
        out = c * rng.choice([1, 2])
    elif grouped:
        groups = rng.choice([2, 3]) if c == 6 else 2
        out = groups * rng.randint(1, 2)
    else:
        groups = 1
        out = rng.randint(1, max_channels)
    k = rng.choice([1, 3, 5])
    stride = rng.choice([1, 1, 2])
    dilation = rng.choice([1, 1, 2]) if k > 1 else 1
    extent = dilation * (k - 1) + 1
    padding = rng.choice([0, (extent - 1) // 2]) if k > 1 else 0
    low = max(extent - 2 * padding, 1)
    h = rng.randint(low, max(low, max_size))
    w = rng.randint(low, max(low, max_size))
    return dict(in_channels=c, out_channels=out, height=h, width=w, kernel=k, stride=stride,
                padding=padding, dilation=dilation, groups=groups)


def log_uniform(rng, lo, hi):
    return lo * (hi / lo) ** rng.random()


def write(path, provenance, scheme, cases):
    with open(path, "w") as f:
        f.write('{"provenance":' + json.dumps(provenance) + ',"scheme":' + json.dumps(scheme) + ',"cases":[\n')
        f.write(",\n".join(json.dumps(c, separators=(",", ":")) for c in cases))
        f.write("\n]}\n")
    n = sum(len(c["outputs"]) for c in cases)
    # one line per case keeps diffs readable
    print(f"wrote {path}: {len(cases)} cases, {n} input vectors, scheme {scheme}")


def bytes_b64(values, dtype):
    """int8/uint8 arrays are stored as base64 of their bytes (dtype names the signedness)."""
    return base64.b64encode(np.asarray(values).astype(dtype).tobytes()).decode("ascii")


def conv_case(case_id, geometry, input_q, output_q, weights, weight_scales, weight_zero_points,
              bias, relu, inputs, outputs, **extra):
    """weights: int8 in PyTorch layout [out, in/groups, kh, kw]; inputs/outputs: NCHW, batch 1 each."""
    case = {"id": case_id, "kind": "conv2d", "geometry": geometry, "input": input_q, "output": output_q,
            "weights": bytes_b64(np.ravel(weights), np.int8), "weightScales": [float(s) for s in weight_scales],
            "weightZeroPoints": [int(z) for z in weight_zero_points], "bias": bias, "relu": bool(relu),
            "inputs": [bytes_b64(np.ravel(x), input_q["dtype"]) for x in inputs],
            "outputs": [bytes_b64(np.ravel(y), output_q["dtype"]) for y in outputs]}
    case.update(extra)
    return case


def linear_case(case_id, in_features, out_features, input_q, output_q, weights, weight_scales,
                weight_zero_points, bias, relu, inputs, outputs, **extra):
    case = conv_case(case_id, {"in_features": in_features, "out_features": out_features}, input_q, output_q,
                     weights, weight_scales, weight_zero_points, bias, relu, inputs, outputs, **extra)
    case["kind"] = "linear"
    return case


def quant(dtype, scale, zero_point):
    return {"dtype": dtype, "scale": float(scale), "zeroPoint": int(zero_point)}


def seeded(seed):
    return random.Random(seed)
