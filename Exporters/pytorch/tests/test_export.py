"""qgen-export's own tests (torch only; qgen's Swift side is not needed). The expected texts are
the DSL layers the modules must become, written by hand from the modules' definitions."""
import os
import warnings

import numpy as np
import pytest
import torch
import torch.nn as nn

import qgen_export
from qgen_export import ExportError

warnings.filterwarnings("ignore")


def _convert(model, shape, engine="qnnpack"):
    torch.backends.quantized.engine = engine
    torch.manual_seed(0)
    model.eval()
    model.qconfig = torch.ao.quantization.get_default_qconfig(engine)
    prepared = torch.ao.quantization.prepare(model)
    prepared(torch.randn((4,) + shape[1:]))
    return torch.ao.quantization.convert(prepared)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(2, 4, 3, stride=2, padding=1)
        self.pool = nn.MaxPool2d(2)
        self.skip = nn.quantized.FloatFunctional()
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(4, 3)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.pool(self.conv(self.quant(x)))
        x = self.skip.add_relu(x, x)
        return self.dequant(self.fc(torch.flatten(self.gap(x), 1)))


def test_layers_scales_and_weights(tmp_path):
    q = _convert(Block(), (1, 2, 8, 8))
    path = tmp_path / "model.swift"
    qgen_export.export(q, torch.randn(1, 2, 8, 8), str(path), name="block")
    text = path.read_text()
    assert 'Model("block")' in text and 'Requantization(name: "qnnpack")' in text
    assert f'Input("quant", shape: [1, 2, 8, 8], layout: .nchw, .uint8(scale: {repr(float(q.quant.scale))}, zeroPoint: {int(q.quant.zero_point)}))' in text
    assert 'Conv2d("conv", input: "quant", outChannels: 4, kernel: Size2(3, 3), stride: Size2(2, 2), padding: [1, 1]' in text
    assert 'MaxPool2d("pool", input: "conv", kernel: Size2(2, 2), stride: Size2(2, 2), padding: [0, 0])' in text
    assert f'Add("add_relu", "pool", "pool", output: .uint8(scale: {repr(float(q.skip.scale))}, zeroPoint: {int(q.skip.zero_point)}), activation: .relu, memoryFormats: [.channelsLast, .channelsLast])' in text
    assert 'Mean("gap", input: "add_relu", axes: [2, 3], keepDims: true' in text
    assert 'Flatten("flatten", input: "gap", startDim: 1)' in text
    assert 'Linear("fc", input: "flatten", outFeatures: 3' in text
    w = np.load(tmp_path / "conv_w.npy")
    assert w.dtype == np.int8 and w.shape == (4, 2, 3, 3)
    assert (w == q.conv.weight().int_repr().numpy()).all()
    assert np.load(tmp_path / "fc_b.npy").dtype == np.float32
    # Scales round-trip exactly (float64 as PyTorch stores them).
    assert repr(float(q.fc.scale)) in text


def test_fbgemm_scheme_follows_the_engine(tmp_path):
    q = _convert(Block(), (1, 2, 8, 8), engine="fbgemm")
    qgen_export.export(q, torch.randn(1, 2, 8, 8), str(tmp_path / "m.swift"))
    text = (tmp_path / "m.swift").read_text()
    expected = "fbgemm(avx512)" if torch.backends.cpu.get_cpu_capability().startswith("AVX512") else "fbgemm"
    assert f'Requantization(name: "{expected}")' in text


class Unsupported(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.features = nn.Sequential(nn.Conv2d(1, 2, 1), nn.ELU())
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.features(self.quant(x)))


def test_unsupported_module_is_named_and_nothing_is_written(tmp_path):
    q = _convert(Unsupported(), (1, 1, 4, 4))
    with pytest.raises(ExportError, match=r"module 'features\.1' \(ELU\).*no mapping"):
        qgen_export.export(q, torch.randn(1, 1, 4, 4), str(tmp_path / "model.swift"))
    assert os.listdir(tmp_path) == []


class Dynamic(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.fc = nn.Linear(8, 2)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        return self.dequant(self.fc(x.reshape(x.size(0), -1)))


def test_sizes_read_while_running_are_the_example_input_sizes(tmp_path):
    q = _convert(Dynamic(), (1, 2, 4))
    path = tmp_path / "model.swift"
    qgen_export.export(q, torch.randn(1, 2, 4), str(path))
    assert 'Reshape("reshape", input: "quant", shape: [1, 8])' in path.read_text()


class Shuffle(nn.Module):
    """ShuffleNetV2's unit: a channel split, a branch, cat, a channel shuffle; then slicing and means."""

    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(3, 4, 1)
        self.branch = nn.Conv2d(2, 2, 3, padding=1)
        self.cat = nn.quantized.FloatFunctional()
        self.dequant = torch.ao.quantization.DeQuantStub()
        self.dequant2 = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.conv(self.quant(x))
        x1, x2 = x.chunk(2, dim=1)
        x = self.cat.cat([x1, self.branch(x2)], dim=1)
        n, c, h, w = x.size()
        x = torch.transpose(x.view(n, 2, c // 2, h, w), 1, 2).contiguous().view(n, c, h, w)
        a = x[:, 1:, :, ::2].mean([2, 3])
        b = self.branch(x2).mean([2, 3], keepdim=True)
        return self.dequant(a), self.dequant2(b)


def test_channel_split_shuffle_slices_and_means(tmp_path):
    q = _convert(Shuffle(), (1, 3, 5, 6), engine="fbgemm")
    path = tmp_path / "model.swift"
    qgen_export.export(q, torch.randn(1, 3, 5, 6), str(path))
    text = path.read_text()
    assert 'Slice("chunk_1", input: "conv", axis: 1, start: 2, end: 4)' in text
    assert 'Slice("chunk_0", input: "conv", axis: 1, start: 0, end: 2)' in text
    assert 'Reshape("view", input: "cat", shape: [1, 2, 2, 5, 6])' in text
    assert 'Transpose("transpose", input: "view", permutation: [0, 2, 1, 3, 4])' in text
    assert 'Reshape("view_1", input: "transpose", shape: [1, 4, 5, 6])' in text
    assert 'Slice("getitem_6", input: "view_1", axis: 1, start: 1, end: 4)' in text
    assert 'Slice("getitem_6_2", input: "getitem_6", axis: 3, start: 0, end: 6, step: 2)' in text
    # A strided view (the slices) and a convolution's output, channels-last under fbgemm, are
    # averaged in float by ATen, each in its own order.
    assert ('Mean("mean", input: "getitem_6_2", axes: [2, 3], keepDims: false, output: '
            f'.uint8(scale: {q.cat.scale!r}, zeroPoint: {q.cat.zero_point}), atenOp: .mean, memoryFormats: [.strided])') in text
    assert ('Mean("mean_1", input: "branch_1", axes: [2, 3], keepDims: true, output: '
            f'.uint8(scale: {q.branch.scale!r}, zeroPoint: {q.branch.zero_point}), atenOp: .mean, memoryFormats: [.channelsLast])') in text


class FloatTail(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.fc = nn.Linear(4, 2)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return torch.sigmoid(self.dequant(self.fc(self.quant(x))))


def test_float_only_subgraph_is_refused(tmp_path):
    q = _convert(FloatTail(), (1, 4))
    with pytest.raises(ExportError, match="sigmoid"):
        qgen_export.export(q, torch.randn(1, 4), str(tmp_path / "model.swift"))


def test_unconverted_module_is_refused(tmp_path):
    with pytest.raises(ExportError, match="not converted"):
        qgen_export.export(Block().eval(), torch.randn(1, 2, 8, 8), str(tmp_path / "model.swift"))


def test_cli(tmp_path):
    from qgen_export.cli import main
    model = nn.Sequential(torch.ao.quantization.QuantStub(), nn.Conv2d(2, 3, 3), nn.ReLU(), torch.ao.quantization.DeQuantStub())
    torch.ao.quantization.fuse_modules(model.eval(), [["1", "2"]], inplace=True)
    q = _convert(model, (1, 2, 6, 6))
    torch.save(q, tmp_path / "model.pt")
    np.save(tmp_path / "example.npy", np.random.default_rng(0).standard_normal((1, 2, 6, 6)).astype(np.float32))
    assert main([str(tmp_path / "model.pt"), str(tmp_path / "example.npy"), "-o", str(tmp_path / "out" / "model.swift")]) == 0
    text = (tmp_path / "out" / "model.swift").read_text()
    assert 'Conv2d("_1", input: "_0", outChannels: 3, kernel: Size2(3, 3)' in text and "activation: .relu" in text
    assert (tmp_path / "out" / "_1_w.npy").exists()
    assert main([str(tmp_path / "missing.pt"), str(tmp_path / "example.npy"), "-o", str(tmp_path / "x.swift")]) == 1


class Branches(nn.Module):
    """cat of two convolutions (channels-last: ATen's NHWC cat), cat of the input with a
    convolution (one contiguous input: ATen's generic cat), and mul."""

    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.a = nn.Conv2d(3, 8, 1)
        self.b = nn.Conv2d(3, 12, 3, padding=1)
        self.join = nn.quantized.FloatFunctional()
        self.mix = nn.quantized.FloatFunctional()
        self.g = nn.Conv2d(11, 20, 1)
        self.gate = nn.quantized.FloatFunctional()
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        a = self.a(x)
        y = self.join.cat([a, self.b(x)], 1)
        z = self.mix.cat([x, a], dim=1)
        return self.dequant(self.gate.mul(y, self.g(z)))


def test_cat_and_mul(tmp_path):
    q = _convert(Branches(), (1, 3, 6, 6), engine="fbgemm")
    path = tmp_path / "model.swift"
    qgen_export.export(q, torch.randn(1, 3, 6, 6), str(path), name="branches")
    text = path.read_text()

    def quant(m):
        return f".uint8(scale: {repr(float(m.scale))}, zeroPoint: {int(m.zero_point)})"
    assert f'Concatenation("cat", ["a", "b"], axis: 1, output: {quant(q.join)}, memoryFormats: [.channelsLast, .channelsLast])' in text
    assert f'Concatenation("cat_1", ["quant", "a"], axis: 1, output: {quant(q.mix)}, memoryFormats: [.contiguous, .channelsLast])' in text
    assert 'Conv2d("g", input: "cat_1", outChannels: 20' in text
    assert f'Mul("mul", "cat", "g", output: {quant(q.gate)})' in text


class ScalarMul(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.f = nn.quantized.FloatFunctional()
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.f.mul_scalar(self.quant(x), 0.5))


def test_scalar_mul_is_refused(tmp_path):
    q = _convert(ScalarMul(), (1, 4))
    with pytest.raises(ExportError, match="mul_scalar"):
        qgen_export.export(q, torch.randn(1, 4), str(tmp_path / "model.swift"))
    assert not (tmp_path / "model.swift").exists()


class Activations(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(3, 4, 1)
        self.relu = nn.ReLU()
        self.hswish = nn.Hardswish()
        self.hsig = nn.Hardsigmoid()
        self.leaky = nn.LeakyReLU(0.125)
        self.relu6 = nn.ReLU6()
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.relu(self.conv(self.quant(x)))
        return self.dequant(self.relu6(self.leaky(self.hsig(self.hswish(x)))))


def test_activations(tmp_path):
    q = _convert(Activations(), (1, 3, 4, 4), engine="fbgemm")
    path = tmp_path / "model.swift"
    qgen_export.export(q, torch.randn(1, 3, 4, 4), str(path), name="activations")
    text = path.read_text()
    conv = f".uint8(scale: {repr(float(q.conv.scale))}, zeroPoint: {int(q.conv.zero_point)})"
    cl = "memoryFormats: [.channelsLast]"
    assert f'ReLU("relu", input: "conv", output: {conv}, {cl})' in text
    assert f'HardSwish("hswish", input: "relu", output: .uint8(scale: {repr(float(q.hswish.scale))}, zeroPoint: {int(q.hswish.zero_point)}), {cl})' in text
    assert f'HardSigmoid("hsig", input: "hswish", output: .uint8(scale: 0.00390625, zeroPoint: 0), {cl})' in text
    assert f'LeakyReLU("leaky", input: "hsig", alpha: 0.125, output: .uint8(scale: {repr(float(q.leaky.scale))}, zeroPoint: {int(q.leaky.zero_point)}), {cl})' in text
    assert 'ReLU6("relu6", input: "leaky", output: ' in text


class WithSigmoid(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(2, 2, 1)
        self.act = nn.Sigmoid()
        self.tanh = nn.Tanh()
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(torch.tanh(self.tanh(self.act(self.conv(self.quant(x))))).tanh())


def test_sigmoid_and_tanh_with_their_fixed_outputs(tmp_path):
    q = _convert(WithSigmoid(), (1, 2, 3, 3), engine="fbgemm")
    path = tmp_path / "model.swift"
    qgen_export.export(q, torch.randn(1, 2, 3, 3), str(path))
    text = path.read_text()
    # A convolution's output is channels-last under fbgemm, and the activations keep its format.
    assert 'Logistic("act", input: "conv", output: .uint8(scale: 0.00390625, zeroPoint: 0), memoryFormats: [.channelsLast])' in text
    assert 'Tanh("tanh", input: "act", output: .uint8(scale: 0.0078125, zeroPoint: 128), memoryFormats: [.channelsLast])' in text
    assert 'Tanh("tanh_1", input: "tanh", output: .uint8(scale: 0.0078125, zeroPoint: 128), memoryFormats: [.channelsLast])' in text
    assert 'Tanh("tanh_2", input: "tanh_1", output: .uint8(scale: 0.0078125, zeroPoint: 128), memoryFormats: [.channelsLast])' in text


class OneD(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv1d(2, 3, 3, stride=2, padding=1)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.conv(self.quant(x)))


def test_conv1d_becomes_a_conv2d_between_reshapes(tmp_path):
    q = _convert(OneD(), (1, 2, 9))
    path = tmp_path / "model.swift"
    qgen_export.export(q, torch.randn(1, 2, 9), str(path), name="oned")
    text = path.read_text()
    assert 'Reshape("conv_2d", input: "quant", shape: [1, 2, 1, 9], layout: .nchw)' in text
    assert ('Conv2d("conv_conv", input: "conv_2d", outChannels: 3, kernel: Size2(1, 3), stride: Size2(1, 2), padding: [0, 1], '
            'dilation: Size2(1, 1), groups: 1, weight: .int8(.npy("conv_conv_w.npy")') in text
    assert 'Reshape("conv", input: "conv_conv", shape: [1, 3, 5])' in text
    w = np.load(tmp_path / "conv_conv_w.npy")
    assert w.shape == (3, 2, 1, 3) and (w.reshape(3, 2, 3) == q.conv.weight().int_repr().numpy()).all()


class Pools(nn.Module):
    """AvgPool2d modules with PyTorch's default count_include_pad and with every option, on a
    contiguous tensor (from the QuantStub) and a channels-last one (from the convolution), and the
    functional form."""
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.first = nn.AvgPool2d(3, stride=1, padding=1)
        self.conv = nn.Conv2d(3, 4, 1)
        self.second = nn.AvgPool2d((2, 3), stride=(2, 1), padding=(1, 1), ceil_mode=True, count_include_pad=False, divisor_override=5)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        x = self.second(self.conv(self.first(self.quant(x))))
        return self.dequant(torch.nn.functional.avg_pool2d(x, 2, count_include_pad=False))


def test_avg_pool_options_and_memory_formats(tmp_path):
    q = _convert(Pools(), (1, 3, 6, 6), engine="fbgemm")
    path = tmp_path / "model.swift"
    qgen_export.export(q, torch.randn(1, 3, 6, 6), str(path), name="pools")
    text = path.read_text()
    assert 'AvgPool2d("first", input: "quant", kernel: Size2(3, 3), stride: Size2(1, 1), padding: [1, 1], countIncludePad: true)' in text
    assert ('AvgPool2d("second", input: "conv", kernel: Size2(2, 3), stride: Size2(2, 1), padding: [1, 1], ceilMode: true, divisor: 5, '
            'memoryFormats: [.channelsLast])') in text
    assert 'AvgPool2d("avg_pool2d", input: "second", kernel: Size2(2, 2), stride: Size2(2, 2), padding: [0, 0], memoryFormats: [.channelsLast])' in text


class WithSoftmax(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.fc = nn.Linear(4, 5)
        self.softmax = nn.Identity()
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.softmax(self.fc(self.quant(x))))


def test_softmax_over_the_last_dimension(tmp_path):
    q = _convert(WithSoftmax(), (1, 4))
    # Eager mode leaves nn.Softmax float; a quantized model holds the quantized module.
    q.softmax = torch.ao.nn.quantized.Softmax(dim=-1, scale=1.0 / 256, zero_point=0)
    path = tmp_path / "model.swift"
    qgen_export.export(q, torch.randn(1, 4), str(path))
    out = f".uint8(scale: {float(q.softmax.scale)!r}, zeroPoint: {int(q.softmax.zero_point)})"
    assert f'Softmax("softmax", input: "fc", output: {out})' in path.read_text()
    q.softmax.dim = 0
    with pytest.raises(ExportError, match=r"module 'softmax' \(Softmax\): softmax over dimension 0 of a 2-D tensor"):
        qgen_export.export(q, torch.randn(1, 4), str(tmp_path / "other.swift"))


class FXHead(nn.Module):
    """A classifier head for FX graph mode (no stubs)."""

    def __init__(self, softmax):
        super().__init__()
        self.fc = nn.Linear(4, 5)
        self.softmax = nn.Softmax(dim=1) if softmax else nn.Identity()

    def forward(self, x):
        return torch.softmax(self.fc(x), dim=1) if isinstance(self.softmax, nn.Identity) else self.softmax(self.fc(x))


def _convert_fx(model, shape, engine, fixed_softmax):
    from torch.ao.quantization import QConfig, get_default_qconfig_mapping
    from torch.ao.quantization.observer import default_fixed_qparams_range_0to1_observer
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = engine
    torch.manual_seed(0)
    mapping = get_default_qconfig_mapping(engine)
    if fixed_softmax:
        mapping.set_object_type(nn.Softmax, QConfig(activation=default_fixed_qparams_range_0to1_observer, weight=mapping.global_qconfig.weight))
    prepared = prepare_fx(model.eval(), mapping, (torch.randn(shape),))
    prepared(torch.randn((4,) + shape[1:]))
    return convert_fx(prepared)


def test_fx_graph_mode_softmax_and_float_tail(tmp_path):
    # FX graph mode: the input's quantize_per_tensor is the Input; a softmax with PyTorch's fixed
    # 0-to-1 observer is quantized (scale 1/256, zero point 0) on either engine.
    for engine in ("fbgemm", "qnnpack"):
        q = _convert_fx(FXHead(softmax=True), (1, 4), engine, fixed_softmax=True)
        path = tmp_path / f"{engine}.swift"
        qgen_export.export(q, torch.randn(1, 4), str(path))
        text = path.read_text()
        assert f'Requantization(name: "{engine}' in text  # fbgemm(avx512) on an AVX512 CPU
        assert 'Input("quantize_per_tensor", shape: [1, 4], layout: .nchw, .uint8(' in text
        assert 'Softmax("softmax", input: "fc", output: .uint8(scale: 0.00390625, zeroPoint: 0))' in text
    # The default mapping leaves torch.softmax in float after a dequantize: refused with that reason.
    q = _convert_fx(FXHead(softmax=False), (1, 4), "fbgemm", fixed_softmax=False)
    with pytest.raises(ExportError, match=r"node 'softmax' \(call_function softmax\): it runs in float on the dequantized output of 'fc'"):
        qgen_export.export(q, torch.randn(1, 4), str(tmp_path / "float.swift"))


class Wide(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant = torch.ao.quantization.QuantStub()
        self.conv = nn.Conv2d(2, 12, 1)
        self.dequant = torch.ao.quantization.DeQuantStub()

    def forward(self, x):
        return self.dequant(self.conv(self.quant(x)))


def test_wide_layers_write_scales_to_npy(tmp_path):
    q = _convert(Wide(), (1, 2, 4, 4), engine="fbgemm")
    qgen_export.export(q, torch.randn(1, 2, 4, 4), str(tmp_path / "model.swift"))
    text = (tmp_path / "model.swift").read_text()
    assert 'weight: .int8(.npy("conv_w.npy"), scales: .npy("conv_scales.npy"))' in text
    scales = np.load(tmp_path / "conv_scales.npy")
    assert scales.dtype == np.float64
    assert (scales == q.conv.weight().q_per_channel_scales().numpy()).all()


def _block_and_its_conversion():
    """The float Block and the module fbgemm's default qconfig converts it to."""
    torch.backends.quantized.engine = "fbgemm"
    torch.manual_seed(0)
    model = Block().eval()
    model.qconfig = torch.ao.quantization.get_default_qconfig("fbgemm")
    prepared = torch.ao.quantization.prepare(model)
    prepared(torch.randn(4, 2, 8, 8))
    return model, torch.ao.quantization.convert(prepared)


def test_float_weights_from_the_float_model(tmp_path):
    model, q = _block_and_its_conversion()
    qgen_export.export(q, torch.randn(1, 2, 8, 8), str(tmp_path / "model.swift"), float_model=model)
    text = (tmp_path / "model.swift").read_text()
    # fbgemm's default qconfig: per-channel symmetric weights (PerChannelMinMaxObserver, qint8).
    assert 'weight: .float(.npy("conv_w.npy"), .perChannel(.symmetric))' in text
    assert 'weight: .float(.npy("fc_w.npy"), .perChannel(.symmetric))' in text
    w = np.load(tmp_path / "conv_w.npy")
    assert w.dtype == np.float32 and (w == model.conv.weight.detach().numpy()).all()


def test_float_model_that_does_not_give_the_int8_weights_is_refused(tmp_path):
    model, q = _block_and_its_conversion()
    with torch.no_grad():
        model.fc.weight.mul_(2)
    with pytest.raises(ExportError, match="not what qgen's rules give from the float model's weights"):
        qgen_export.export(q, torch.randn(1, 2, 8, 8), str(tmp_path / "model.swift"), float_model=model)
    assert not (tmp_path / "model.swift").exists()
