"""Whole networks through ONNX Runtime's quantization, as its users make them: a float PyTorch model
(torchvision architectures with seeded random weights, no downloads) exported by torch.onnx.export,
prepared by onnxruntime.quantization.shape_inference.quant_pre_process, quantized by
quantize_static on random calibration data (default settings: QInt8 activations and weights,
per-tensor) in both formats (QDQ and QOperator), then run by ONNX Runtime (default optimization,
one thread) on random inputs.

Each network is written as <directory>/<name>_<form>.onnx, with an entry of networks.json: the
integer codes qgen's C takes (ONNX Runtime's QuantizeLinear of each float input: float32 division,
ties to even) and gives (the codes behind the final DequantizeLinear), in the file's types."""
import numpy as np
import onnx
import onnxruntime
import torch
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process
from onnx import numpy_helper

import fixtures as fx


class SmallCNN(torch.nn.Module):
    """Conv-ReLU, max pool, conv-ReLU, depthwise conv, residual add, global average pool, linear."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 16, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(2)
        self.conv2 = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.dw = torch.nn.Conv2d(16, 16, 3, padding=1, groups=16)
        self.fc = torch.nn.Linear(16, 10)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        y = self.dw(torch.relu(self.conv2(x)))
        z = torch.relu(x + y)
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(z, 1), 1))


def build(name):
    torch.manual_seed(20261201)
    if name == "small_cnn":
        return SmallCNN().eval(), (1, 3, 32, 32)
    import torchvision
    if name == "shufflenet_v2":
        # Its x.mean([2, 3]) exports as ReduceMean, which quantize_static leaves in float; the
        # global average pool that replaces it here is quantized (GlobalAveragePool).
        model = torchvision.models.shufflenet_v2_x1_0(weights=None).eval()

        def forward(x):
            x = model.conv5(model.stage4(model.stage3(model.stage2(model.maxpool(model.conv1(x))))))
            return model.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1))
        model.forward = forward
        return model, (1, 3, 224, 224)
    model = torchvision.models.mobilenet_v2 if name == "mobilenet_v2" else torchvision.models.resnet18
    return model(weights=None).eval(), (1, 3, 224, 224)


class _Reader(CalibrationDataReader):
    def __init__(self, shape, count):
        self.data = iter([{"input": np.random.default_rng(k).standard_normal(shape).astype(np.float32)} for k in range(count)])

    def get_next(self):
        return next(self.data, None)


def _scalar(model, name):
    for t in model.graph.initializer:
        if t.name == name:
            return numpy_helper.to_array(t)
    raise KeyError(name)


def _quantize_input(x, scale, zp, dtype):
    """ONNX Runtime's QuantizeLinear: x / scale in float32, ties to even, + zero point, saturated."""
    lo, hi = (0, 255) if dtype == np.uint8 else (-128, 127)
    return np.clip(np.rint(x.astype(np.float32) / np.float32(scale)) + int(zp), lo, hi).astype(np.int64)


def case(name, form, directory, inputs=20, work=None, activations="QInt8"):
    """Exports, quantizes (activations QInt8, quantize_static's default, or QUInt8) and runs one
    network; returns its networks.json entry."""
    model, shape = build(name)
    work = work or directory
    float_path, pre_path = work / f"{name}_float.onnx", work / f"{name}_pre.onnx"
    torch.onnx.export(model, (torch.zeros(shape),), float_path, input_names=["input"], output_names=["logits"],
                      opset_version=17, dynamo=False)
    quant_pre_process(str(float_path), str(pre_path))
    label = f"{name}_{form.lower()}" + ("" if activations == "QInt8" else f"_{activations.lower()}")
    path = directory / f"{label}.onnx"
    quantize_static(str(pre_path), str(path), _Reader(shape, 4), quant_format=getattr(QuantFormat, form),
                    activation_type=getattr(QuantType, activations))
    float_path.unlink()
    pre_path.unlink()
    quantized = onnx.load(path)
    q_in = next(n for n in quantized.graph.node if n.op_type == "QuantizeLinear" and n.input[0] == "input")
    dq_out = next(n for n in quantized.graph.node if n.op_type == "DequantizeLinear" and n.output[0] == "logits")
    s_in, zp_in = _scalar(quantized, q_in.input[1]), _scalar(quantized, q_in.input[2])
    s_out, zp_out = _scalar(quantized, dq_out.input[1]), _scalar(quantized, dq_out.input[2])
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(777)
    xs = [rng.standard_normal(shape).astype(np.float32) * (1 + k % 3) for k in range(inputs)]
    codes_in, codes_out = [], []
    for x in xs:
        y = session.run(None, {"input": x})[0]
        codes_in.append(_quantize_input(x, s_in, zp_in, zp_in.dtype.type))
        codes_out.append((np.rint(y.astype(np.float64) / float(s_out)) + int(zp_out)).astype(np.int64))
    dtype = "int8" if zp_in.dtype == np.int8 else "uint8"
    return {"name": label, "file": path.name, "form": form, "dtype": dtype,
            "inputs": [fx.bytes_b64(np.ravel(c), dtype) for c in codes_in],
            "outputs": [fx.bytes_b64(np.ravel(c), "int8" if zp_out.dtype == np.int8 else "uint8") for c in codes_out]}


def provenance():
    return (f"torch {torch.__version__} (torch.onnx.export, opset 17), onnx {onnx.__version__}, onnxruntime {onnxruntime.__version__} "
            f"(quant_pre_process, quantize_static with default settings; CPUExecutionProvider, default optimization, one thread), "
            f"CPU {fx.cpu_flags()}; made by Tools/engines/make_fixtures.py onnx_networks")
