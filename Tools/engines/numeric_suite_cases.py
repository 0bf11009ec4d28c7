"""PyTorch's Numeric Suite (torch.ao.ns._numeric_suite) on quantized models, for `qgen compare`:
Tests/Fixtures/pytorch/numeric_suite/<model>/ holds model.swift (exported by qgen-export with the
fused float model's weights as float weights), data.npy (the compared inputs, float32, one sample per
inference) and expected.json: per layer, the SQNR of compare_weights, compare_model_outputs and
compare_model_stub (PyTorch's compute_error, float32 tensors), and the quantized model's output codes.

Models (eager mode, fbgemm default qconfig: HistogramObserver quint8 activations with reduce_range,
PerChannelMinMaxObserver qint8 symmetric weights; fuse, prepare, calibrate on random data, convert):
- small_cnn: pytorch_networks.SmallCNN (Conv+BN+ReLU fused, pool, Conv+ReLU, depthwise, add_relu, mean,
  Linear) on 3x16x16, PyTorch's random initialisation; its weights are committed as .npy.
- resnet18: torchvision's quantizable ResNet-18 (the Numeric Suite tutorial's model) on 3x32x32 with
  "random weights" that need no 47 MB of .npy: after fusing, every conv's and the fc's weights and
  biases are set by a counter-based generator (`seeded`, below; `weights.json` lists each file's
  generator arguments) whose values are exact in float32, and the tests write the .npy files from it.

- digits: the demo CNN (Examples/digits, float weights from Tools/train_digits.py) calibrated by PyTorch with
  the fbgemm default qconfig its model.swift names (HistogramObserver quint8 with reduce_range,
  PerChannelMinMaxObserver qint8 symmetric weights) on Examples/digits/calibration.npy, one image per call,
  then compared on the 360 held-out images; qgen calibrates the same model itself, so this compares the whole
  pipeline (expected.json only: the model and data are the example's).

Run by make_fixtures.py (`numeric_suite`); CI only reads the files.
"""
import base64
import copy
import json
import pathlib
import re
import warnings

import numpy as np
import torch
import torch.ao.nn.intrinsic as nni
import torch.ao.nn.quantized as nnq
import torch.ao.ns._numeric_suite as ns
from torch.ao.ns.fx.utils import compute_sqnr

import fixtures as fx
import pytorch_networks as pn
import qgen_export

warnings.filterwarnings("ignore")

MASK = (1 << 64) - 1


def seeded(stream, count, exponent):
    """`count` float32 values uniform in [-2^exponent, 2^exponent): splitmix64 of (stream << 32) + k,
    top 24 bits as a signed integer v in [-2^23, 2^23), value v · 2^(exponent - 23) (exact in float32).
    The Swift tests compute the same (NumericSuiteFixtureTests.seeded)."""
    k = np.arange(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (np.uint64(stream << 32) + k + np.uint64(0x9E3779B97F4A7C15))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    v = (z >> np.uint64(40)).astype(np.int64) - (1 << 23)
    return (v.astype(np.float64) * 2.0 ** (exponent - 23)).astype(np.float32)


def _weighted_modules(model):
    """(path, module holding weight and bias) of every fused conv and linear, in definition order."""
    out = []
    for path, m in model.named_modules():
        if isinstance(m, torch.ao.nn.intrinsic._FusedModule):
            out.append((path, m[0]))
        elif isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)) and not any(path.startswith(p + ".") for p, _ in out):
            out.append((path, m))
    return out


def _set_seeded_weights(model):
    """Replaces the fused float model's weights and biases with `seeded` values; returns the
    generator arguments per module path."""
    plan = {}
    for stream, (path, m) in enumerate(_weighted_modules(model)):
        fan_in = m.weight[0].numel()
        exponent = int(np.round(np.log2(np.sqrt(6.0 / fan_in))))    # He-uniform bound, as a power of two
        with torch.no_grad():
            m.weight.copy_(torch.from_numpy(seeded(2 * stream, m.weight.numel(), exponent)).reshape(m.weight.shape))
            if m.bias is None:
                m.bias = torch.nn.Parameter(torch.zeros(m.weight.shape[0]))
            m.bias.copy_(torch.from_numpy(seeded(2 * stream + 1, m.bias.numel(), exponent - 4)))
        plan[path] = {"weight": [2 * stream, exponent, list(m.weight.shape)], "bias": [2 * stream + 1, exponent - 4, [m.bias.numel()]]}
    return plan


def _models():
    """name -> builder of (float model, input shape, weights generated?, inferences compared)."""
    def small_cnn():
        return pn.SmallCNN(), (1, 3, 16, 16), False, 4

    def resnet18():
        import torchvision
        return torchvision.models.quantization.resnet18(weights=None, quantize=False), (1, 3, 32, 32), True, 2
    return {"small_cnn": small_cnn, "resnet18": resnet18}


def _layer_names(text):
    return re.findall(r'^    [A-Za-z0-9]+\("([^"]+)"', text, flags=re.M)


def _qgen_layer(key, names, adds):
    """The model.swift layer of a Numeric Suite key ('layer1.0.conv1.stats', 'conv1.weight',
    'fc._packed_params._packed_params'): the module path with dots as underscores; the k-th
    FloatFunctional/QFunctional is the k-th Add (qgen-export names them by the traced call)."""
    path = key.split(".stats")[0].split("._packed_params")[0].removesuffix(".weight")
    if path in adds:
        return adds[path]
    if path == "quant":
        return names[0]
    name = path.replace(".", "_")
    return name if name in names else None


def _sqnr(x, y):
    """The tutorial's compute_error (torch.ao.ns.fx.utils.compute_sqnr): 20·log10(‖x‖/‖x − y‖) in float32."""
    return float(compute_sqnr(x, y))


class DigitsCNN(torch.nn.Module):
    """Tools/train_digits.py's network with PyTorch's stubs, for eager-mode quantization."""
    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.quant, self.dequant = torch.ao.quantization.QuantStub(), torch.ao.quantization.DeQuantStub()
        self.conv1, self.relu1 = nn.Conv2d(1, 8, 3, padding=1), nn.ReLU()
        self.conv2, self.relu2 = nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.ReLU()
        self.fc = nn.Linear(256, 10)

    def forward(self, x):
        x = self.relu1(self.conv1(self.quant(x)))
        x = self.relu2(self.conv2(x))
        return self.dequant(self.fc(torch.flatten(x, 1)))


def write_digits(directory: pathlib.Path):
    example = pathlib.Path(__file__).resolve().parents[2] / "Examples" / "digits"
    model = DigitsCNN().eval()
    with torch.no_grad():
        for name in ("conv1", "conv2", "fc"):
            getattr(model, name).weight.copy_(torch.from_numpy(np.load(example / f"{name}_w.npy")))
            getattr(model, name).bias.copy_(torch.from_numpy(np.load(example / f"{name}_b.npy")))
    torch.ao.quantization.fuse_modules(model, [["conv1", "relu1"], ["conv2", "relu2"]], inplace=True)
    model.qconfig = torch.ao.quantization.get_default_qconfig("fbgemm")
    prepared = torch.ao.quantization.prepare(model)
    calibration = torch.from_numpy(np.load(example / "calibration.npy"))
    with torch.no_grad():
        for i in range(len(calibration)):
            prepared(calibration[i:i + 1])
    q = torch.ao.quantization.convert(prepared)
    images = torch.from_numpy(np.load(example / "test_images.npy"))
    labels = np.load(example / "test_labels.npy")
    names = {"quant": "image", "conv1": "conv1", "conv2": "conv2", "fc": "fc"}
    swap = [torch.nn.Conv2d, nni.ConvReLU2d, torch.nn.Linear, nni.LinearReLU]
    with torch.no_grad():
        weights = ns.compare_weights(model.state_dict(), q.state_dict())
        outputs = ns.compare_model_outputs(copy.deepcopy(model), copy.deepcopy(q), images)
        stub_model = copy.deepcopy(q)
        ns.prepare_model_with_stubs(copy.deepcopy(model), stub_model, swap, ns.ShadowLogger)
        for i in range(len(images)):
            stub_model(images[i:i + 1])
        stub = ns.get_logger_dict(stub_model)
        codes = {}
        q.dequant.register_forward_pre_hook(lambda m, i: codes.__setitem__("out", i[0].int_repr().numpy().copy()))
        q(images)
        float_accuracy = int((model(images).argmax(1).numpy() == labels).sum())
        quantized_accuracy = int((q(images).argmax(1).numpy() == labels).sum())
    expected = {
        "provenance": (f"PyTorch {torch.__version__} eager prepare/calibrate/convert of Examples/digits with its model.swift's observers on "
                       f"calibration.npy (one image per call), fbgemm default qconfig; Numeric Suite on test_images.npy (stub one image per call); "
                       f"CPU {fx.cpu_flags()}; made by Tools/engines/make_fixtures.py numeric_suite"),
        "weights": {names[k.split(".")[0]]: _sqnr(v["float"], v["quantized"].dequantize()) for k, v in weights.items()},
        "activations": {names[k.split(".")[0]]: _sqnr(v["float"][0], v["quantized"][0].dequantize()) for k, v in outputs.items() if k.split(".")[0] in names},
        "shadow": {names[k.split(".")[0]]: _sqnr(torch.cat(v["float"]), torch.cat([t.dequantize() for t in v["quantized"]])) for k, v in stub.items()},
        "scales": {"image": float(q.quant.scale), "conv1": float(q.conv1.scale), "conv2": float(q.conv2.scale), "fc": float(q.fc.scale)},
        "accuracy": {"total": int(len(labels)), "float": float_accuracy, "quantized": quantized_accuracy},
        # The converted model's int8 weights and its output codes on every test image (uint8, base64, image after image).
        "int8Weights": {name: base64.b64encode(getattr(q, name).weight().int_repr().numpy().astype(np.int8).tobytes()).decode("ascii")
                        for name in ("conv1", "conv2", "fc")},
        "outputCodes": base64.b64encode(codes["out"].astype(np.uint8).tobytes()).decode("ascii"),
    }
    out = directory / "digits"
    out.mkdir(parents=True, exist_ok=True)
    (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"digits: {expected['accuracy']}, scales {expected['scales']}")


def write(directory: pathlib.Path):
    torch.backends.quantized.engine = "fbgemm"
    torch.set_num_threads(1)
    for name, build in _models().items():
        out = directory / name
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("*.npy"):
            old.unlink()
        torch.manual_seed(0)
        model, shape, generated, count = build()
        model = model.eval()
        model.fuse_model()
        plan = _set_seeded_weights(model) if generated else None
        model.qconfig = torch.ao.quantization.get_default_qconfig("fbgemm")
        prepared = torch.ao.quantization.prepare(model)
        generator = torch.Generator().manual_seed(1)
        with torch.no_grad():
            for _ in range(4):
                prepared(torch.randn((4,) + shape[1:], generator=generator))
        q = torch.ao.quantization.convert(prepared)
        data = torch.randn((count,) + shape[1:], generator=generator)

        qgen_export.export(q, data[:1], str(out / "model.swift"), name=f"{name}_numeric_suite", float_model=model)
        text = (out / "model.swift").read_text()
        names = _layer_names(text)
        functional = [p for p, m in q.named_modules() if isinstance(m, nnq.QFunctional)]
        add_layers = [n for n in names if re.search(rf'^    Add\("{re.escape(n)}"', text, flags=re.M)]
        assert len(functional) == len(add_layers), (functional, add_layers)
        adds = dict(zip(functional, add_layers))
        np.save(out / "data.npy", data.numpy().astype(np.float32))
        if generated:
            # The tests write these files from weights.json: the weights are not committed.
            files = {}
            for path, args in plan.items():
                layer = path.replace(".", "_")
                assert layer in names, layer
                for part, suffix in (("weight", "w"), ("bias", "b")):
                    files[f"{layer}_{suffix}.npy"] = args[part]
                    (out / f"{layer}_{suffix}.npy").unlink()
            (out / "weights.json").write_text(json.dumps(files, indent=1, sort_keys=True) + "\n")

        with torch.no_grad():
            weights = ns.compare_weights(model.state_dict(), q.state_dict())
            outputs = ns.compare_model_outputs(copy.deepcopy(model), copy.deepcopy(q), data)
            # module_swap_list names the float modules that get a Shadow. One sample per call: the
            # ShadowLogger keeps x[0] of any x with len(x) > 1 (meant for tuples), so a batch of
            # several samples would log its first sample only; the calls' logs are concatenated.
            stub = ns.compare_model_stub(copy.deepcopy(model), copy.deepcopy(q), [torch.nn.Conv2d, nni.ConvReLU2d, torch.nn.Linear, nni.LinearReLU],
                                         data[:1])
            shadowed = [k for k in stub]
            stub_model = copy.deepcopy(q)     # prepare_model_with_stubs swaps modules in place
            ns.prepare_model_with_stubs(copy.deepcopy(model), stub_model, [torch.nn.Conv2d, nni.ConvReLU2d, torch.nn.Linear, nni.LinearReLU],
                                        ns.ShadowLogger)
            for i in range(count):
                stub_model(data[i:i + 1])
            stub = ns.get_logger_dict(stub_model)
            assert sorted(stub) == sorted(shadowed)
            codes = {}
            q.dequant.register_forward_pre_hook(lambda m, i: codes.__setitem__("out", i[0].int_repr().numpy().copy()))
            q(data)
        expected = {
            "provenance": (f"PyTorch {torch.__version__} Numeric Suite (compare_weights, compare_model_outputs, compare_model_stub over "
                           f"Conv2d, ConvReLU2d, Linear, LinearReLU), fbgemm default qconfig, eager mode, one intra-op thread, ATen "
                           f"{torch.backends.cpu.get_cpu_capability()}, CPU {fx.cpu_flags()}; made by Tools/engines/make_fixtures.py numeric_suite"),
            "weights": {}, "activations": {}, "shadow": {},
            "outputCodes": codes["out"].reshape(count, -1).astype(int).tolist(),
        }
        for key, v in weights.items():
            expected["weights"][_qgen_layer(key, names, adds)] = _sqnr(v["float"], v["quantized"].dequantize())
        for key, v in outputs.items():
            layer = _qgen_layer(key, names, adds)
            if layer is not None:
                expected["activations"][layer] = _sqnr(v["float"][0], v["quantized"][0].dequantize())
        for key, v in stub.items():
            layer = _qgen_layer(key, names, adds)
            if layer is not None and "float" in v:
                expected["shadow"][layer] = _sqnr(torch.cat(v["float"]), torch.cat([t.dequantize() for t in v["quantized"]]))
        assert None not in expected["weights"], expected["weights"]
        (out / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
        print(f"{name}: {len(expected['weights'])} weights, {len(expected['activations'])} activations, {len(expected['shadow'])} shadows")
    write_digits(directory)
