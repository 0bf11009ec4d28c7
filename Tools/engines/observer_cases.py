"""PyTorch's observers (torch.ao.quantization.observer) on seeded float32 batches: the scales (as float32
bit patterns) and zero points they compute, the fixtures that qgen's observers must equal bit for bit.

The file holds the data once ("data": name -> batches, each its shape and base64 of the little-endian
float32 values, observed in order) and the cases: the observer's class and options, the data's name,
and PyTorch's calculate_qparams() (or the error it raises, for an option PyTorch refuses). Run by
make_fixtures.py (`observers`); CI only reads the JSON.
"""
import base64
import struct

import numpy as np
import torch
from torch.ao.quantization import observer as obs

import fixtures as fx

DTYPES = {"quint8": torch.quint8, "qint8": torch.qint8}
SCHEMES = {"perTensorAffine": torch.per_tensor_affine, "perTensorSymmetric": torch.per_tensor_symmetric,
           "perChannelAffine": torch.per_channel_affine, "perChannelSymmetric": torch.per_channel_symmetric}


def provenance():
    return (f"PyTorch {torch.__version__} observers (torch.ao.quantization.observer: MinMaxObserver, "
            f"MovingAverageMinMaxObserver, PerChannelMinMaxObserver, HistogramObserver), CPU {fx.cpu_flags()}; "
            "made by Tools/engines/make_fixtures.py observers")


def f32_bits(value):
    return "%08x" % struct.unpack("<I", struct.pack("<f", float(value)))[0]


def batch(array):
    a = np.ascontiguousarray(array, dtype="<f4")
    return {"shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode("ascii")}


def make(kind, options):
    args = {"dtype": DTYPES[options["dtype"]], "qscheme": SCHEMES[options["qscheme"]],
            "reduce_range": options.get("reduceRange", False)}
    if "quantMin" in options:
        args["quant_min"], args["quant_max"] = options["quantMin"], options["quantMax"]
    if kind == "MinMaxObserver":
        return obs.MinMaxObserver(**args)
    if kind == "MovingAverageMinMaxObserver":
        return obs.MovingAverageMinMaxObserver(averaging_constant=options["averagingConstant"], **args)
    if kind == "PerChannelMinMaxObserver":
        return obs.PerChannelMinMaxObserver(ch_axis=options["channelAxis"], **args)
    if kind == "HistogramObserver":
        return obs.HistogramObserver(bins=options["bins"], **args)
    raise ValueError(kind)


def case(case_id, kind, options, data_name, batches):
    entry = {"id": case_id, "observer": kind, "options": options, "data": data_name}
    try:
        o = make(kind, options)
        for b in batches:
            o(torch.from_numpy(np.ascontiguousarray(b, dtype=np.float32)))
        scale, zero_point = o.calculate_qparams()
    except (NotImplementedError, AssertionError, RuntimeError) as error:
        entry["error"] = " ".join(f"{type(error).__name__}: {error}".split())[:200]
        return entry
    entry["scales"] = [f32_bits(s) for s in scale.reshape(-1).tolist()]
    entry["zeroPoints"] = [int(z) for z in zero_point.reshape(-1).tolist()]
    if kind == "HistogramObserver":
        # The range the L2 search chose, before the MinMax formula (to tell a search difference from a formula one).
        new_min, new_max = o._non_linear_param_search()
        entry["searchMin"], entry["searchMax"] = f32_bits(new_min), f32_bits(new_max)
    return entry


def distributions(rng):
    """Named batch lists: one or several float32 batches each."""
    normal = lambda n, s=1.0, m=0.0: (rng.standard_normal(n) * s + m).astype(np.float32)
    d = {
        "normal": [normal(1000)],
        "relu": [np.maximum(normal(777, 2.0), 0).astype(np.float32)],
        "negative": [-np.abs(normal(300, 0.3)).astype(np.float32) - np.float32(0.01)],
        "positiveOffset": [rng.uniform(3.0, 7.5, 400).astype(np.float32)],
        "zeros": [np.zeros(64, np.float32)],
        "constant": [np.full(50, 0.37, np.float32)],
        "tiny": [(normal(200) * np.float32(1e-9)).astype(np.float32)],
        "huge": [(normal(200) * np.float32(1e30)).astype(np.float32)],
        "outliers": [np.concatenate([normal(2000, 0.5), np.float32([40.0, -25.0, 60.0])]).astype(np.float32)],
        "growing": [normal(500, 0.2), normal(500, 1.0), normal(500, 3.0, 1.0), normal(100, 0.1)],
        "shrinking": [normal(600, 5.0), normal(600, 1.0), normal(600, 0.5)],
        "constantThenSpread": [np.full(30, 1.5, np.float32), normal(400, 2.0)],
        "skewed": [rng.exponential(1.0, 3000).astype(np.float32) - np.float32(0.2)],
        "images": [rng.uniform(0, 1, (4, 3, 8, 8)).astype(np.float32) for _ in range(3)],
        # Affine zero points at a tie: min / scale = -0.5 and -2.5 (scale 1 for quint8's 255 levels),
        # which round half to even (PyTorch's torch.round) to 0 and -2.
        "tieHalf": [np.float32([-0.5, 3.0, 254.5])],
        "tieTwoAndHalf": [np.float32([-2.5, 100.0, 252.5])],
    }
    return d


def per_channel_batches(rng):
    weights = (rng.standard_normal((16, 3, 3, 3)) * rng.uniform(0.01, 2.0, (16, 1, 1, 1))).astype(np.float32)
    weights[5] = 0.0  # an all-zero output channel
    weights[7] = np.abs(weights[7])  # all positive
    linear = (rng.standard_normal((10, 32)) * 0.3).astype(np.float32)
    activations = [rng.standard_normal((2, 6, 5, 5)).astype(np.float32) * np.float32(s) for s in (0.5, 1.5)]
    return {"convWeights": ([weights], 0), "linearWeights": ([linear], 0), "activationsAxis1": (activations, 1),
            "linearAxis1": ([linear], 1)}


def fixture():
    """{"provenance", "data", "cases"}."""
    rng = np.random.default_rng(20261202)
    data = distributions(rng)
    channel_data = per_channel_batches(rng)
    out = []
    ranges = [{}, {"reduceRange": True}, {"quantMin": 0, "quantMax": 15}, {"quantMin": -8, "quantMax": 7}]
    for name, batches in data.items():
        for dtype in ("quint8", "qint8"):
            for qscheme in ("perTensorAffine", "perTensorSymmetric"):
                for extra in ranges:
                    if "quantMin" in extra and (extra["quantMin"] < 0) != (dtype == "qint8"):
                        continue
                    options = {"dtype": dtype, "qscheme": qscheme, **extra}
                    out.append(case(f"minmax-{name}-{dtype}-{qscheme}-{len(out)}", "MinMaxObserver", options, name, batches))
    for name in ("growing", "shrinking", "images", "normal", "constantThenSpread"):
        for constant in (0.01, 0.5, 1.0):
            for dtype, qscheme in (("quint8", "perTensorAffine"), ("qint8", "perTensorSymmetric"), ("quint8", "perTensorSymmetric")):
                options = {"dtype": dtype, "qscheme": qscheme, "averagingConstant": constant}
                out.append(case(f"movingaverage-{name}-{constant}-{len(out)}", "MovingAverageMinMaxObserver", options, name, data[name]))
    for name, (batches, axis) in channel_data.items():
        for dtype in ("qint8", "quint8"):
            for qscheme in ("perChannelSymmetric", "perChannelAffine"):
                for extra in ({}, {"reduceRange": True}):
                    options = {"dtype": dtype, "qscheme": qscheme, "channelAxis": axis, **extra}
                    out.append(case(f"perchannel-{name}-{dtype}-{qscheme}-{len(out)}", "PerChannelMinMaxObserver", options, name, batches))
    for name in ("normal", "relu", "outliers", "growing", "shrinking", "constantThenSpread", "skewed", "images", "negative", "zeros", "constant"):
        for bins in (2048, 256):
            for dtype, qscheme, extra in (("quint8", "perTensorAffine", {}), ("quint8", "perTensorAffine", {"reduceRange": True}),
                                          ("qint8", "perTensorSymmetric", {}), ("qint8", "perTensorAffine", {})):
                if bins == 256 and extra:
                    continue
                options = {"dtype": dtype, "qscheme": qscheme, "bins": bins, **extra}
                out.append(case(f"histogram-{name}-{bins}-{dtype}-{qscheme}-{len(out)}", "HistogramObserver", options, name, data[name]))
    named = {name: [batch(b) for b in batches] for name, batches in data.items()}
    linspaces = [linspace_probe(rng, steps) for steps in (2, 9, 16, 17, 33, 257, 2049, 4097, 32769, 4097, 32769)]
    named.update({name: [batch(b) for b in batches] for name, (batches, _) in channel_data.items()})
    return {"provenance": provenance(), "data": named, "cases": out, "linspace": linspaces, "weights": weight_cases(rng)}


def weight_cases(rng):
    """Float32 weights quantized as PyTorch's convert does it (torch.ao.nn.quantized.utils._quantize_weight
    after the weight observer): per-channel (axis 0) or per-tensor, symmetric or affine qint8; the int8
    values (base64) and the scales as float32 bits. Includes ties: a channel whose scale is exactly 1 or 2
    and whose values sit half-way between integers after division."""
    from torch.ao.nn.quantized.modules.utils import _quantize_weight
    tensors = {
        "conv": (rng.standard_normal((12, 3, 3, 3)) * rng.uniform(0.01, 1.5, (12, 1, 1, 1))).astype(np.float32),
        "linear": (rng.standard_normal((9, 40)) * 0.2).astype(np.float32),
        "depthwise": (rng.standard_normal((16, 1, 3, 3)) * rng.uniform(0.05, 3.0, (16, 1, 1, 1))).astype(np.float32),
        "ties": np.float32([[127.5, 2.5, -3.5, 0.5, -0.5, 1.5, 126.5, -127.5],
                            [255.0, 5.0, -7.0, 1.0, 3.0, -1.0, 253.0, 0.0],
                            [0.0] * 8, [0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25]]),
    }
    out = []
    for name, w in tensors.items():
        for granularity in ("perChannel", "perTensor"):
            for mode in ("symmetric", "affine"):
                qscheme = {("perChannel", "symmetric"): torch.per_channel_symmetric, ("perChannel", "affine"): torch.per_channel_affine,
                           ("perTensor", "symmetric"): torch.per_tensor_symmetric, ("perTensor", "affine"): torch.per_tensor_affine}[(granularity, mode)]
                if granularity == "perChannel":
                    o = obs.PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=qscheme)
                else:
                    o = obs.MinMaxObserver(dtype=torch.qint8, qscheme=qscheme)
                t = torch.from_numpy(w)
                o(t)
                q = _quantize_weight(t, o)
                if granularity == "perChannel":
                    scales, zero_points = q.q_per_channel_scales().float().tolist(), q.q_per_channel_zero_points().tolist()
                else:
                    scales, zero_points = [np.float32(q.q_scale())], [q.q_zero_point()]
                out.append({"id": f"{name}-{granularity}-{mode}", "granularity": granularity, "mode": mode,
                            "weights": batch(w), "values": base64.b64encode(q.int_repr().numpy().astype(np.int8).tobytes()).decode("ascii"),
                            "scales": [f32_bits(x) for x in scales], "zeroPoints": [int(z) for z in zero_points]})
    return out


def linspace_probe(rng, steps):
    """torch.linspace(start, end, steps) in float32 (HistogramObserver re-bins with it): its values at the
    start, around the halfway point, at the end and at random indices, where ATen's vectorized fill
    (8-lane vectors, each lane its vector's first value plus k steps) can differ from the formula."""
    start = np.float32(rng.standard_normal() * 3)
    end = np.float32(start + abs(rng.standard_normal() * 5) + np.float32(1e-3))
    values = torch.linspace(torch.tensor(start), torch.tensor(end), steps).numpy()
    half = steps // 2
    indices = sorted(set([i for i in range(0, min(steps, 24))] + [i for i in range(max(0, half - 12), min(steps, half + 12))]
                         + [i for i in range(max(0, steps - 24), steps)] + [int(i) for i in rng.integers(0, steps, 24)]))
    return {"start": f32_bits(start), "end": f32_bits(end), "steps": steps, "indices": indices,
            "values": [f32_bits(values[i]) for i in indices]}
