"""Whole PyTorch networks through qgen-export (Exporters/pytorch): torchvision's quantizable ResNet-18,
MobileNetV2, MobileNetV3-Large and GoogLeNet (224x224, random initialisation), two small CNNs and a 1-D CNN, fused, calibrated on random data,
converted under fbgemm (default qconfig, reduce_range) or qnnpack (eager mode), and a classifier quantized by FX graph mode, exported as model.swift + .npy,
and run on inputs drawn like the calibration data. The engine's input and output codes are taken
at the QuantStub and the DeQuantStub.

Run with ATEN_CPU_CAPABILITY=avx2 (make_fixtures.py sets it) so that ATen's elementwise kernels are
the AVX2 ones qgen's `fbgemm` scheme names; the exporter writes `fbgemm(avx512)` otherwise.
"""
import base64
import os
import pathlib
import warnings

import numpy as np
import torch
import torch.nn as nn

import qgen_export

warnings.filterwarnings("ignore")


class SmallCNN(nn.Module):
    """Conv+BN+ReLU, max pool, conv+ReLU, depthwise conv, residual add_relu, global average, Linear."""

    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu1 = nn.ReLU()
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 16, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.dw = nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.skip = nn.quantized.FloatFunctional()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 10)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pool(self.relu1(self.bn1(self.conv1(x))))
        y = self.dw(self.relu2(self.conv2(x)))
        x = self.skip.add_relu(x, y)
        x = torch.flatten(self.gap(x), 1)
        return self.dequant(self.fc(x))

    def fuse_model(self):
        torch.ao.quantization.fuse_modules(self, [["conv1", "bn1", "relu1"], ["conv2", "relu2"]], inplace=True)


class BranchyCNN(nn.Module):
    """The ops whose ATen kernel depends on memory formats: an add of the (contiguous) input and a
    convolution (mixed formats: ATen's scalar path throughout), a cat of two convolutions (ATen's
    NHWC cat), a cat of the input and a convolution (its generic cat), a gating mul, and a residual
    add over 20x7x7 channels-last values (980, so ATen's scalar tail is the last 20 in NHWC order)."""

    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.e = nn.Conv2d(3, 3, 1)
        self.mixed = nn.quantized.FloatFunctional()
        self.a = nn.Conv2d(3, 8, 1)
        self.relu_a = nn.ReLU()
        self.b = nn.Conv2d(3, 12, 3, padding=1)
        self.join = nn.quantized.FloatFunctional()
        self.mix = nn.quantized.FloatFunctional()
        self.g = nn.Conv2d(11, 20, 1)
        self.gate = nn.quantized.FloatFunctional()
        self.pool = nn.MaxPool2d(2)
        self.c = nn.Conv2d(20, 20, 3, padding=1)
        self.skip = nn.quantized.FloatFunctional()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(20, 10)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        w = self.mixed.add(x, self.e(x))
        a = self.relu_a(self.a(x))
        y = self.join.cat([a, self.b(w)], 1)
        z = self.mix.cat([x, a], 1)
        p = self.pool(self.gate.mul(y, self.g(z)))
        r = self.skip.add(p, self.c(p))
        return self.dequant(self.fc(torch.flatten(self.gap(r), 1)))

    def fuse_model(self):
        torch.ao.quantization.fuse_modules(self, [["a", "relu_a"]], inplace=True)


class Conv1dNet(nn.Module):
    """1-D convolutions (ATen computes quantized conv1d as conv2d on [N, C, 1, L]): Conv1d+BN+ReLU,
    a strided depthwise Conv1d, a pointwise Conv1d, flatten, Linear."""

    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv1 = nn.Conv1d(4, 8, 5, padding=2)
        self.bn1 = nn.BatchNorm1d(8)
        self.relu1 = nn.ReLU()
        self.dw = nn.Conv1d(8, 8, 3, stride=2, padding=1, groups=8)
        self.pw = nn.Conv1d(8, 6, 1)
        self.fc = nn.Linear(6 * 32, 5)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.pw(self.dw(self.relu1(self.bn1(self.conv1(x)))))
        return self.dequant(self.fc(torch.flatten(x, 1)))

    def fuse_model(self):
        torch.ao.quantization.fuse_modules(self, [["conv1", "bn1", "relu1"]], inplace=True)


class FXClassifier(nn.Module):
    """Quantized by FX graph mode (prepare_fx/convert_fx, no stubs): Conv+BN+ReLU, a hardswish branch
    added back, torch.cat with its sigmoid, adaptive average pooling, flatten, Linear, and nn.Softmax
    with PyTorch's fixed 0-to-1 observer (scale 1/256, zero point 0): ATen's float softmax under fbgemm,
    QNNPACK's integer one under qnnpack."""

    FX = True

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 12, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(12)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(12, 12, 3, padding=1)
        self.hs = nn.Hardswish()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(24, 10)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        x = self.relu1(self.bn1(self.conv1(x)))
        x = x + self.hs(self.conv2(x))
        x = torch.cat([x, torch.sigmoid(x)], 1)
        return self.softmax(self.fc(torch.flatten(self.pool(x), 1)))


NETWORKS = {
    # name: (builder, input shape, calibration batches)
    "small_cnn": (SmallCNN, (1, 3, 32, 32), 8),
    "branchy_cnn": (BranchyCNN, (1, 3, 14, 14), 8),
    "conv1d_net": (Conv1dNet, (1, 4, 64), 8),
    "fx_classifier": (FXClassifier, (1, 3, 16, 16), 8),
    "resnet18": (lambda: __import__("torchvision").models.quantization.resnet18(weights=None, quantize=False), (1, 3, 224, 224), 4),
    "mobilenet_v2": (lambda: __import__("torchvision").models.quantization.mobilenet_v2(weights=None, quantize=False), (1, 3, 224, 224), 4),
    # Squeeze-and-excitation (a broadcast mul of a hardsigmoid gate), hardswish.
    "mobilenet_v3": (lambda: __import__("torchvision").models.quantization.mobilenet_v3_large(weights=None, quantize=False), (1, 3, 224, 224), 4),
    # Inception blocks: cat of four channels-last branches (ATen's NHWC cat), ceil_mode max pooling.
    "googlenet": (lambda: __import__("torchvision").models.quantization.googlenet(weights=None, quantize=False, aux_logits=False, init_weights=True),
                  (1, 3, 224, 224), 4),
    # Channel split (chunk), channel shuffle (x.size(), view to 5-D, transpose, contiguous, view), cat
    # of a slice and a branch, and x.mean([2, 3]) (ATen's quantized mean) before the classifier.
    "shufflenet_v2": (lambda: __import__("torchvision").models.quantization.shufflenet_v2_x1_0(weights=None, quantize=False),
                      (1, 3, 224, 224), 4),
    # avg_pool2d (count_include_pad, channels-last) in every Inception block, 299x299. Measured with
    # pytorch_networks_20 only: its weights (24 MB per engine) stay out of the repository.
    "inception_v3": (lambda: __import__("torchvision").models.quantization.inception_v3(weights=None, quantize=False, aux_logits=False,
                                                                                        init_weights=True, transform_input=False),
                     (1, 3, 299, 299), 2),
}

# The networks committed under Tests/Fixtures/pytorch (make_fixtures.py pytorch_networks).
COMMITTED = [name for name in NETWORKS if name != "inception_v3"]


def _b64(codes):
    return base64.b64encode(np.ascontiguousarray(codes).astype(np.uint8).tobytes()).decode()


def build(name, engine, seed=0):
    """The converted module and the float inputs' generator for `name` under `engine` (eager mode:
    fuse, prepare, calibrate, convert; FX graph mode for a builder with FX = True)."""
    builder, shape, batches = NETWORKS[name]
    torch.backends.quantized.engine = engine
    torch.manual_seed(seed)
    model = builder().eval()
    generator = torch.Generator().manual_seed(seed + 1)
    if getattr(builder, "FX", False):
        from torch.ao.quantization import QConfig, get_default_qconfig_mapping
        from torch.ao.quantization.observer import default_fixed_qparams_range_0to1_observer
        from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
        mapping = get_default_qconfig_mapping(engine)
        mapping.set_object_type(nn.Softmax, QConfig(activation=default_fixed_qparams_range_0to1_observer, weight=mapping.global_qconfig.weight))
        prepared = prepare_fx(model, mapping, (torch.randn(shape, generator=generator),))
    else:
        model.fuse_model()
        model.qconfig = torch.ao.quantization.get_default_qconfig(engine)
        prepared = torch.ao.quantization.prepare(model)
    with torch.no_grad():
        for _ in range(batches):
            prepared(torch.randn((4,) + shape[1:], generator=generator))
    if getattr(builder, "FX", False):
        return convert_fx(prepared), shape, generator
    return torch.ao.quantization.convert(prepared), shape, generator


def _codes_graph(quantized):
    """A copy of an FX graph-mode model that returns its input's and its output's codes: the input
    quantize_per_tensor's result and the value the final dequantize reads."""
    import copy
    gm = copy.deepcopy(quantized)
    graph = gm.graph
    first = next(n for n in graph.nodes if n.op == "call_function" and n.target is torch.quantize_per_tensor)
    output = next(n for n in graph.nodes if n.op == "output")
    last = output.args[0]
    assert last.op == "call_method" and last.target == "dequantize", "the FX model must end with a dequantize"
    output.args = ((first, last.args[0]),)
    graph.eliminate_dead_code()
    gm.recompile()
    return gm


def case(name, engine, directory, inputs=20, seed=0):
    """Exports `name` under `engine` to `directory`/model.swift and returns the fixture entry."""
    torch.set_num_threads(1)
    quantized, shape, generator = build(name, engine, seed)
    seen = {}
    if hasattr(quantized, "quant"):
        quantized.quant.register_forward_hook(lambda m, i, o: seen.__setitem__("in", o.int_repr().numpy().copy()))
        quantized.dequant.register_forward_pre_hook(lambda m, i: seen.__setitem__("out", i[0].int_repr().numpy().copy()))
        run = quantized
    else:
        codes = _codes_graph(quantized)

        def run(x):
            q_in, q_out = codes(x)
            seen["in"], seen["out"] = q_in.int_repr().numpy().copy(), q_out.int_repr().numpy().copy()
    os.makedirs(directory, exist_ok=True)
    qgen_export.export(quantized, torch.randn(shape, generator=generator), str(pathlib.Path(directory) / "model.swift"), name=f"{name}_{engine}")
    xs, ys = [], []
    with torch.no_grad():
        for _ in range(inputs):
            run(torch.randn(shape, generator=generator))
            xs.append(_b64(seen["in"]))
            ys.append(_b64(seen["out"]))
    return {"name": f"{name}_{engine}", "model": f"{name}_{engine}/model.swift", "engine": engine, "inputs": xs, "outputs": ys}


def provenance():
    import platform
    import fixtures as fx
    return (f"torch {torch.__version__} (torchvision {__import__('torchvision').__version__}), quantized engines fbgemm and qnnpack, "
            f"ATen CPU capability {torch.backends.cpu.get_cpu_capability()}, one intra-op thread, CPU {fx.cpu_flags()} ({platform.machine()}); "
            "models exported by Exporters/pytorch (qgen-export); made by Tools/engines/make_fixtures.py pytorch_networks")
