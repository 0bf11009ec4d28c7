"""PyTorch quantized Linear/Conv2d on the fbgemm and qnnpack engines (quint8 activations)."""
import numpy as np
import torch
from torch.ao.nn.intrinsic.quantized import ConvReLU2d, LinearReLU
from torch.ao.nn.quantized import Conv2d as QConv2d
from torch.ao.nn.quantized import Linear as QLinear
from torch.ao.quantization.observer import MinMaxObserver

import fixtures as fx


def _weights(rng, np_rng, shape, channels, per_channel, allow_zero_point):
    values = np_rng.integers(-128, 128, size=shape, dtype=np.int64)
    if per_channel:
        scales = [fx.log_uniform(rng, 0.001, 0.05) for _ in range(channels)]
        q = torch._make_per_channel_quantized_tensor(torch.tensor(values, dtype=torch.int8),
                                                     torch.tensor(scales, dtype=torch.double),
                                                     torch.zeros(channels, dtype=torch.long), 0)
        return values, q, [float(s) for s in q.q_per_channel_scales()], [0] * channels
    zp = rng.randint(-10, 10) if allow_zero_point and rng.random() < 0.4 else 0
    scale = fx.log_uniform(rng, 0.001, 0.05)
    q = torch._make_per_tensor_quantized_tensor(torch.tensor(values, dtype=torch.int8), scale, zp)
    return values, q, [q.q_scale()], [zp]


def _bias(rng, np_rng, channels):
    if rng.random() < 0.25:
        return None, None
    b = torch.tensor(np_rng.uniform(-1, 1, size=channels) * fx.log_uniform(rng, 0.01, 3), dtype=torch.float32)
    return b, {"kind": "float", "values": [float(v) for v in b]}


def _input_q(rng, x_max):
    """Convolution padding reads the input zero point as a raw activation, so on fbgemm (x_max
    127) the zero point stays below 128 too, or padded pairs would saturate in vpmaddubsw."""
    scale = fx.log_uniform(rng, 0.002, 0.1)
    zp = rng.choice([0, (x_max + 1) // 2, rng.randint(0, x_max)])
    return scale, zp


def linear_case(engine, index, rng, np_rng, x_max, saturating=False):
    torch.backends.quantized.engine = engine
    k, n = rng.randint(1, 40), rng.randint(1, 12)
    per_channel = rng.random() < 0.5
    w, qw, w_scales, w_zps = _weights(rng, np_rng, (n, k), n, per_channel, allow_zero_point=True)
    b, bias = _bias(rng, np_rng, n)
    s_in, zp_in = _input_q(rng, x_max)
    relu = rng.random() < 0.3
    s_out = s_in * (sum(w_scales) / len(w_scales)) * 128 * max(k, 1) ** 0.5 * fx.log_uniform(rng, 0.05, 4) / 20
    zp_out = rng.choice([0, 128, rng.randint(0, 255)])
    module = (LinearReLU if relu else QLinear)(k, n, dtype=torch.qint8)
    module.set_weight_bias(qw, b)
    module.scale, module.zero_point = s_out, zp_out
    x = np_rng.integers(0, x_max + 1, size=(3, k))
    qx = torch._make_per_tensor_quantized_tensor(torch.tensor(x, dtype=torch.uint8), s_in, zp_in)
    y = module(qx).int_repr().numpy()
    extra = {"saturates": bool(saturating and _pairs_saturate(x, w))} if saturating else {}
    return fx.linear_case(f"{engine}-linear-{index}", k, n, fx.quant("uint8", s_in, zp_in), fx.quant("uint8", s_out, zp_out),
                          w, w_scales, w_zps, bias, relu, list(x), list(y), **extra)


def _pairs_saturate(x, w):
    """Whether any adjacent pair x[2t]w[2t] + x[2t+1]w[2t+1] leaves int16 for any input row."""
    k = w.shape[1]
    wp = np.concatenate([w, np.zeros((w.shape[0], k % 2), dtype=w.dtype)], axis=1)
    xp = np.concatenate([x, np.zeros((x.shape[0], k % 2), dtype=x.dtype)], axis=1)
    prods = xp[:, None, :] * wp[None, :, :]
    pairs = prods[:, :, 0::2] + prods[:, :, 1::2]
    return bool(((pairs > 32767) | (pairs < -32768)).any())


def conv_case(engine, index, rng, np_rng, x_max, saturating=False, depthwise=False):
    """A quantized Conv2d (ConvReLU2d); `saturating`: full-range inputs, flagged when a pair of FBGEMM's
    non-VNNI reduction saturates; `depthwise`: FBGEMM's depthwise fast path (channels a multiple of 8,
    kernel 3 or 5, same padding, dilation 1)."""
    torch.backends.quantized.engine = engine
    g = fx.conv_shape(rng, max_channels=4, max_size=6)
    if depthwise:
        c, k = rng.choice([8, 16]), rng.choice([3, 5])
        g = dict(in_channels=c, out_channels=c, height=rng.randint(k, 9), width=rng.randint(k, 9), kernel=k,
                 stride=rng.choice([1, 2]), padding=k // 2, dilation=1, groups=c)
    c, out, groups, k = g["in_channels"], g["out_channels"], g["groups"], g["kernel"]
    per_channel = rng.random() < 0.6
    w, qw, w_scales, w_zps = _weights(rng, np_rng, (out, c // groups, k, k), out, per_channel, allow_zero_point=False)
    b, bias = _bias(rng, np_rng, out)
    s_in, zp_in = _input_q(rng, x_max)
    relu = rng.random() < 0.3
    taps = (c // groups) * k * k
    s_out = s_in * (sum(w_scales) / len(w_scales)) * 128 * taps ** 0.5 * fx.log_uniform(rng, 0.05, 4) / 20
    zp_out = rng.choice([0, 128, rng.randint(0, 255)])
    module = (ConvReLU2d if relu else QConv2d)(c, out, k, stride=g["stride"], padding=g["padding"], dilation=g["dilation"],
                                                 groups=groups, bias=True, dtype=torch.qint8)
    module.set_weight_bias(qw, b)
    module.scale, module.zero_point = s_out, zp_out
    x = np_rng.integers(0, x_max + 1, size=(2, c, g["height"], g["width"]))
    qx = torch._make_per_tensor_quantized_tensor(torch.tensor(x, dtype=torch.uint8), s_in, zp_in)
    y = module(qx).int_repr().numpy()
    extra = {"saturates": _conv_pairs_saturate(x, w, g, zp_in)} if saturating else {}
    kind = "dwconv" if depthwise else "conv"
    return fx.conv_case(f"{engine}-{kind}-{index}", g, fx.quant("uint8", s_in, zp_in), fx.quant("uint8", s_out, zp_out),
                        w, w_scales, w_zps, bias, relu, list(x), list(y), **extra)


def _conv_pairs_saturate(x, w, g, zp_in):
    """Whether any adjacent pair of FBGEMM's im2col reduction (ky, kx, ic within the group; padding
    taps read the input zero point) leaves int16, for any output element."""
    k, s, p, d, groups = g["kernel"], g["stride"], g["padding"], g["dilation"], g["groups"]
    out, cpg = w.shape[0], w.shape[1]
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)), constant_values=zp_in)
    oh = (x.shape[2] + 2 * p - d * (k - 1) - 1) // s + 1
    ow = (x.shape[3] + 2 * p - d * (k - 1) - 1) // s + 1
    for oc in range(out):
        grp = oc // (out // groups)
        wrow = w[oc].transpose(1, 2, 0).reshape(-1)                      # (ky, kx, ic)
        for b in range(x.shape[0]):
            for oy in range(oh):
                for ox in range(ow):
                    patch = xp[b, grp * cpg:(grp + 1) * cpg, oy * s:oy * s + d * (k - 1) + 1:d, ox * s:ox * s + d * (k - 1) + 1:d]
                    prods = patch.transpose(1, 2, 0).reshape(-1) * wrow
                    if len(prods) % 2:
                        prods = np.append(prods, 0)
                    pairs = prods[0::2] + prods[1::2]
                    if ((pairs > 32767) | (pairs < -32768)).any():
                        return True
    return False


def _story_linear(in_features, out_features, calibration):
    """The forum posts' module: QuantStub → Linear(bias=False) → DeQuantStub, MinMaxObserver quint8
    activations and qint8 weights (PyTorch's defaults for them), calibrated on calibration(), converted."""
    class M(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.quant = torch.ao.quantization.QuantStub()
            self.fc = torch.nn.Linear(in_features, out_features, bias=False)
            self.dequant = torch.ao.quantization.DeQuantStub()

        def forward(self, x):
            return self.dequant(self.fc(self.quant(x)))

    model = M().eval()
    model.qconfig = torch.ao.quantization.QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8),
                                                  weight=MinMaxObserver.with_args(dtype=torch.qint8))
    prepared = torch.ao.quantization.prepare(model)
    prepared(calibration())
    return torch.ao.quantization.convert(prepared)


def sweep_story():
    """The forum's 10→10 Linear (shared/seeds/000): MinMaxObserver quint8 activations calibrated on
    randn(100, 10) with seed 100, MinMaxObserver qint8 weights, no bias, fbgemm; a constant input
    swept over arange(-4, 4, 0.01). Returns the case with the quantized inputs and outputs."""
    torch.backends.quantized.engine = "fbgemm"
    np.random.seed(100)
    torch.manual_seed(100)

    q = _story_linear(10, 10, lambda: torch.randn((100, 10)))
    values = np.arange(-4, 4, 0.01)
    x = torch.ones((len(values), 10)) * torch.tensor(values, dtype=torch.float32)[:, None]
    qx = q.quant(x)
    y = q.fc(qx).int_repr().numpy()
    qw = q.fc.weight()
    w = qw.int_repr().numpy().astype(np.int64)
    xi = qx.int_repr().numpy().astype(np.int64)
    return fx.linear_case("fbgemm-sweep-story", 10, 10, fx.quant("uint8", qx.q_scale(), qx.q_zero_point()),
                          fx.quant("uint8", q.fc.scale, q.fc.zero_point), w, [qw.q_scale()], [qw.q_zero_point()],
                          None, False, list(xi), list(y), saturates=_pairs_saturate(xi, w))


def conv1x1_story():
    """The forum's 1×1 Conv2d (shared/seeds/002): HistogramObserver quint8 (reduce_range) activations,
    per-channel symmetric qint8 weights, calibrated on randint(0,255, (1,1,4,16))/255, fbgemm. The
    float weights and bias are the forum's printed values (0.4808, 0.0317); the input is arange(64)/255."""
    torch.backends.quantized.engine = "fbgemm"
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(1, 1, 1)
    with torch.no_grad():
        conv.weight.fill_(0.4808)
        conv.bias.fill_(0.0317)
    model = torch.nn.Sequential(torch.ao.quantization.QuantStub(), conv, torch.ao.quantization.DeQuantStub()).eval()
    model.qconfig = torch.ao.quantization.QConfig(
        activation=torch.ao.quantization.HistogramObserver.with_args(dtype=torch.quint8, qscheme=torch.per_tensor_affine, reduce_range=True),
        weight=torch.ao.quantization.PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    prepared = torch.ao.quantization.prepare(model)
    prepared(torch.randint(0, 255, (1, 1, 4, 16), dtype=torch.uint8).float() / 255)
    q = torch.ao.quantization.convert(prepared)
    x = (torch.arange(0, 64).view(1, 1, 4, 16).to(torch.uint8).float()) / 255
    qx = q[0](x)
    y = q[1](qx).int_repr().numpy()
    qw = q[1].weight()
    geometry = dict(in_channels=1, out_channels=1, height=4, width=16, kernel=1, stride=1, padding=0, dilation=1, groups=1)
    bias = {"kind": "float", "values": [float(v) for v in q[1].bias()]}
    return fx.conv_case("fbgemm-conv1x1-story", geometry, fx.quant("uint8", qx.q_scale(), qx.q_zero_point()),
                        fx.quant("uint8", q[1].scale, q[1].zero_point), qw.int_repr().numpy(),
                        [float(s) for s in qw.q_per_channel_scales()], [0], bias, False,
                        [qx.int_repr().numpy()], [y])


def provenance(engine):
    import os
    forced = os.environ.get("FBGEMM_ENABLE_INSTRUCTIONS")
    kernels = f", FBGEMM_ENABLE_INSTRUCTIONS={forced} (FBGEMM's AVX2 kernels, without VNNI)" if forced and engine == "fbgemm" else ""
    return (f"PyTorch {torch.__version__} quantized engine '{engine}' (torch.ao.nn.quantized Linear/Conv2d, LinearReLU/ConvReLU2d), "
            f"CPU {fx.cpu_flags()}{kernels}; made by Tools/engines/make_fixtures.py")


def linear2x2_story():
    """The forum's 2→2 Linear (shared/seeds/003): seed 0, MinMaxObserver quint8 activations and
    MinMaxObserver qint8 weights, no bias, calibrated and run on the same randn(1, 2), fbgemm."""
    torch.backends.quantized.engine = "fbgemm"
    np.random.seed(0)
    torch.manual_seed(0)

    x = None

    def calibration():
        nonlocal x
        x = torch.randn(1, 2)
        return x

    q = _story_linear(2, 2, calibration)
    qx = q.quant(x)
    y = q.fc(qx).int_repr().numpy()
    qw = q.fc.weight()
    return fx.linear_case("fbgemm-linear2x2-story", 2, 2, fx.quant("uint8", qx.q_scale(), qx.q_zero_point()),
                          fx.quant("uint8", q.fc.scale, q.fc.zero_point), qw.int_repr().numpy(), [qw.q_scale()],
                          [qw.q_zero_point()], None, False, list(qx.int_repr().numpy()), list(y),
                          floatInput=[float(v) for v in x.flatten()])
