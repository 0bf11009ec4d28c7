"""BatchNorm folded by PyTorch's fuse_modules (eval mode) for qgen's `batchNorm:` parameter:
Tests/Fixtures/pytorch/batchnorm.json holds, per case, the layer's float32 weights and bias, the
BatchNorm's running mean and variance, weight (gamma), bias (beta) and eps, and what
torch.ao.quantization.fuse_modules made of them: the fused weights and bias (float32, base64) and the
int8 weights the fbgemm qconfig's weight observer and _quantize_weight give from them.
Cases: Conv2d+BatchNorm2d(+ReLU), a depthwise Conv2d+BatchNorm2d, a Conv2d without bias, a BatchNorm
without affine parameters, Linear+BatchNorm1d; running statistics spread over several decades.
Run by make_fixtures.py (`batchnorm`); CI only reads the file."""
import base64

import numpy as np
import torch
import torch.nn as nn
from torch.ao.nn.quantized.modules.utils import _quantize_weight
from torch.ao.quantization import fuse_modules
from torch.ao.quantization import observer as obs

import fixtures as fx


def b64(array):
    return base64.b64encode(np.ascontiguousarray(array).tobytes()).decode("ascii")


def _randomize(bn, rng, affine=True):
    c = bn.num_features
    with torch.no_grad():
        bn.running_mean.copy_(torch.from_numpy((rng.standard_normal(c) * 0.7).astype(np.float32)))
        bn.running_var.copy_(torch.from_numpy((10.0 ** rng.uniform(-4, 2, c)).astype(np.float32)))
        if affine:
            bn.weight.copy_(torch.from_numpy(rng.uniform(-2, 2, c).astype(np.float32)))
            bn.bias.copy_(torch.from_numpy((rng.standard_normal(c) * 0.5).astype(np.float32)))


def cases():
    rng = np.random.default_rng(20261202)
    torch.manual_seed(20261202)
    specs = [
        ("conv_bn_relu", lambda: nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU()), ["0", "1", "2"], True, 1e-5),
        ("depthwise_bn", lambda: nn.Sequential(nn.Conv2d(6, 6, 3, groups=6), nn.BatchNorm2d(6, eps=1e-3)), ["0", "1"], True, 1e-3),
        ("conv_no_bias_bn", lambda: nn.Sequential(nn.Conv2d(4, 5, 1, bias=False), nn.BatchNorm2d(5)), ["0", "1"], True, 1e-5),
        ("conv_bn_no_affine", lambda: nn.Sequential(nn.Conv2d(2, 4, 3), nn.BatchNorm2d(4, affine=False)), ["0", "1"], False, 1e-5),
        ("linear_bn", lambda: nn.Sequential(nn.Linear(12, 7), nn.BatchNorm1d(7)), ["0", "1"], True, 1e-5),
    ]
    out = []
    for name, build, group, affine, eps in specs:
        model = build().eval()
        _randomize(model[1], rng, affine)
        layer, bn = model[0], model[1]
        case = {"id": name, "kind": "linear" if isinstance(layer, nn.Linear) else "conv", "shape": list(layer.weight.shape),
                "groups": getattr(layer, "groups", 1), "weight": b64(layer.weight.detach().numpy()),
                "bias": b64(layer.bias.detach().numpy()) if layer.bias is not None else None,
                "mean": b64(bn.running_mean.numpy()), "variance": b64(bn.running_var.numpy()), "eps": eps,
                "gamma": b64(bn.weight.detach().numpy()) if affine else None, "beta": b64(bn.bias.detach().numpy()) if affine else None}
        fused = fuse_modules(model, [group], inplace=False)[0]
        fused_layer = fused[0] if isinstance(fused, torch.ao.nn.intrinsic._FusedModule) else fused
        w = fused_layer.weight.detach()
        observer = obs.PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=torch.per_channel_symmetric)
        observer(w)
        case.update({"fusedWeight": b64(w.numpy()), "fusedBias": b64(fused_layer.bias.detach().numpy()),
                     "int8": b64(_quantize_weight(w, observer).int_repr().numpy().astype(np.int8))})
        out.append(case)
    return out


def fixture():
    return {"provenance": f"PyTorch {torch.__version__} torch.ao.quantization.fuse_modules (eval), fbgemm weight observer; CPU {fx.cpu_flags()}; "
                          "made by Tools/engines/make_fixtures.py batchnorm", "cases": cases()}
