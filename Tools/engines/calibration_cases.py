"""A small float CNN calibrated by PyTorch (eager mode: QuantStub, Conv2d+ReLU fused, Linear;
MinMaxObserver quint8 activations, PerChannelMinMaxObserver qint8 symmetric weights, fbgemm; one
sample per forward call), for qgen's calibration: Tests/Fixtures/pytorch/calibration_small/ holds the
float weights and the data as .npy, model.swift (every activation .calibrated(.minMax(.uint8))) and
expected.json with PyTorch's scales (float32 bits) and zero points after convert.
Run by make_fixtures.py (`calibration`); CI only reads the files."""
import json
import pathlib
import struct

import numpy as np
import torch
import torch.nn as nn
from torch.ao.quantization import DeQuantStub, MinMaxObserver, PerChannelMinMaxObserver, QConfig, QuantStub, convert, fuse_modules, prepare

import fixtures as fx

MODEL_SWIFT = '''// Made by Tools/engines/make_fixtures.py calibration (PyTorch {version}); qgen calibrates it on data.npy.
import QGen

Model("calibration_small") {{
    Input("x", shape: [1, 1, 8, 8], .calibrated(.minMax(.uint8)))
    Conv2d("conv", outChannels: 4, kernel: 3, padding: 1, weight: .float(.npy("conv_w.npy")), bias: .float(.npy("conv_b.npy")),
           output: .calibrated(.minMax(.uint8)), activation: .relu)
    Flatten("flat")
    Linear("fc", outFeatures: 10, weight: .float(.npy("fc_w.npy")), bias: .float(.npy("fc_b.npy")),
           output: .calibrated(.minMax(.uint8)))
}}
.requantization(.fbgemm)
'''


class Small(nn.Module):
    def __init__(self):
        super().__init__()
        self.quant, self.conv, self.relu = QuantStub(), nn.Conv2d(1, 4, 3, padding=1), nn.ReLU()
        self.fc, self.dequant = nn.Linear(4 * 8 * 8, 10), DeQuantStub()

    def forward(self, x):
        x = self.relu(self.conv(self.quant(x)))
        return self.dequant(self.fc(torch.flatten(x, 1)))


def bits(value):
    return "%08x" % struct.unpack("<I", struct.pack("<f", float(value)))[0]


def write(directory: pathlib.Path):
    torch.backends.quantized.engine = "fbgemm"
    torch.manual_seed(20261202)
    model = Small().eval()
    data = np.random.default_rng(20261202).standard_normal((16, 1, 8, 8)).astype(np.float32)
    directory.mkdir(parents=True, exist_ok=True)
    for name, tensor in (("conv_w", model.conv.weight), ("conv_b", model.conv.bias), ("fc_w", model.fc.weight), ("fc_b", model.fc.bias)):
        np.save(directory / f"{name}.npy", tensor.detach().numpy().astype(np.float32))
    np.save(directory / "data.npy", data)
    model.qconfig = QConfig(activation=MinMaxObserver.with_args(dtype=torch.quint8),
                            weight=PerChannelMinMaxObserver.with_args(dtype=torch.qint8, qscheme=torch.per_channel_symmetric))
    fuse_modules(model, [["conv", "relu"]], inplace=True)
    prepared = prepare(model)
    for i in range(len(data)):
        prepared(torch.from_numpy(data[i:i + 1]))
    q = convert(prepared)
    expected = {"provenance": f"PyTorch {torch.__version__} eager prepare/calibrate/convert, fbgemm, one sample per call, CPU {fx.cpu_flags()}; made by Tools/engines/make_fixtures.py calibration",
                "tensors": {"x": [bits(q.quant.scale.item()), int(q.quant.zero_point.item())],
                            "conv": [bits(q.conv.scale), int(q.conv.zero_point)],
                            "fc": [bits(q.fc.scale), int(q.fc.zero_point)]}}
    (directory / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    (directory / "model.swift").write_text(MODEL_SWIFT.format(version=torch.__version__))
    print(f"wrote {directory}: {expected['tensors']}")
