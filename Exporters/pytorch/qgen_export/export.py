"""Traces a converted quantized nn.Module with torch.fx and writes it in qgen's Swift DSL.

The walk keeps, for every fx node, what it stands for: a float tensor (the model's input, or a
dequantized tensor) or a quantized tensor that a qgen layer produces. Quantized modules and
quantized ops become qgen layers; a quantize at the input becomes qgen's Input (the C takes codes);
the dequantize at the end marks the C's outputs (codes, with their scale and zero point). Every
scale is written with repr(), which round-trips PyTorch's float64 exactly.
"""
import math
import operator
import os
import platform
import tempfile

import numpy as np
import torch
import torch.fx
from torch.ao.quantization import observer as obs
from torch.fx.passes.shape_prop import ShapeProp


class ExportError(Exception):
    """What in the module cannot be written as qgen layers, naming the module path or node."""


# The most per-channel scales written inline in model.swift; wider layers get <layer>_scales.npy.
INLINE_PARAMETER_LIMIT = 8

# Module and function families, by name so that the exporter works across torch versions (and
# without importing modules a version lacks).
_LINEAR = {"Linear", "LinearReLU"}
_CONV2D = {"Conv2d", "ConvReLU2d"}
_CONV1D = {"Conv1d", "ConvReLU1d"}
_IDENTITY = {"Identity", "Dropout", "Dropout2d", "Dropout1d"}
# Activation modules (float modules applied to quantized tensors, or their quantized versions) and
# the qgen layer each becomes.
_ACTIVATIONS = {"ReLU": "ReLU", "ReLU6": "ReLU6", "Hardswish": "HardSwish", "Hardsigmoid": "HardSigmoid", "LeakyReLU": "LeakyReLU",
                "Sigmoid": "Logistic", "Tanh": "Tanh"}
_ACTIVATION_FUNCTIONS = {"relu": "ReLU", "relu6": "ReLU6", "hardswish": "HardSwish", "hardsigmoid": "HardSigmoid", "leaky_relu": "LeakyReLU",
                         "sigmoid": "Logistic", "tanh": "Tanh"}


# Python arithmetic on static sizes (e.g. channels // groups in a channel shuffle).
_ARITHMETIC = {operator.floordiv: operator.floordiv, operator.mul: operator.mul, operator.add: operator.add,
               operator.sub: operator.sub, operator.mod: operator.mod, operator.neg: operator.neg}


def _is_quantized_module(mod):
    return type(mod).__module__.startswith(("torch.ao.nn.quantized", "torch.ao.nn.intrinsic.quantized", "torch.nn.quantized",
                                            "torch.nn.intrinsic.quantized"))


class _Quantized:
    """A quantized tensor that a qgen layer (or the Input) produces."""

    def __init__(self, layer, shape, dtype, scale, zero_point):
        self.layer, self.shape, self.dtype, self.scale, self.zero_point = layer, list(shape), dtype, scale, zero_point

    def quant(self):
        return f".{self.dtype}(scale: {_number(self.scale)}, zeroPoint: {self.zero_point})"


class _Float:
    """A float tensor: the model's input, a dequantized tensor (`source`), or a plain number."""

    def __init__(self, shape=None, source=None, is_input=False, name=None):
        self.shape, self.source, self.is_input, self.name = shape, source, is_input, name


def _number(x):
    """A float64 written so that Swift reads back the same double (repr round-trips)."""
    x = float(x)
    if not math.isfinite(x):
        raise ExportError(f"a scale or parameter is {x}")
    return repr(x)


def _dtype_name(dtype):
    if dtype == torch.quint8:
        return "uint8"
    if dtype == torch.qint8:
        return "int8"
    raise ExportError(f"activations of type {dtype} are not supported (qgen takes quint8 or qint8)")


def _swift_string(text):
    """A Swift string literal of any text: no character can leave it."""
    out = []
    for ch in text:
        if ch in "\"\\":
            out.append("\\" + ch)
        elif 0x20 <= ord(ch) < 0x7F:
            out.append(ch)
        else:
            out.append("\\u{%x}" % ord(ch))
    return '"' + "".join(out) + '"'


def _comment(text):
    """Text safe inside a // comment (one line, no control characters)."""
    return "".join(ch if 0x20 <= ord(ch) < 0x7F else "?" for ch in text)


def _scheme(engine):
    capability = ""
    try:
        capability = torch.backends.cpu.get_cpu_capability()
    except Exception:  # older torch
        pass
    if engine in ("fbgemm", "x86"):
        return ("fbgemm(avx512)" if capability.upper().startswith("AVX512") else "fbgemm"), capability
    if engine == "qnnpack":
        return "qnnpack", capability
    raise ExportError(f"the quantized engine '{engine}' has no qgen scheme (qgen reproduces fbgemm, x86 and qnnpack); "
                      "convert the model with torch.backends.quantized.engine set to one of them")


class _Writer:
    def __init__(self, gm, scheme, float_model=None):
        self.gm = gm
        self.scheme = scheme
        self.float_model = float_model
        self.lines = []            # (name, swift text, input layer names)
        self.arrays = {}           # file name -> numpy array
        self.values = {}           # fx node -> _Quantized | _Float | python value
        self.names = set()

    # ----------------------------------------------------------------- helpers
    def _name(self, node):
        return self._fresh(node.name)

    def _fresh(self, text):
        """A layer name from `text` (a C-safe identifier), unused so far."""
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in text) or "layer"
        name, k = base, 1
        while name in self.names:
            k += 1
            name = f"{base}_{k}"
        self.names.add(name)
        return name

    def _where(self, node):
        if node.op == "call_module":
            return f"module '{node.target}' ({type(self.gm.get_submodule(node.target)).__name__})"
        target = getattr(node.target, "__name__", str(node.target))
        return f"node '{node.name}' ({node.op} {target})"

    def _meta(self, node):
        meta = node.meta.get("tensor_meta")
        if meta is None or not hasattr(meta, "shape"):
            raise ExportError(f"{self._where(node)}: no tensor shape was recorded for it; is the example input right?")
        return meta

    def _quantized_output(self, node, layer):
        meta = self._meta(node)
        if not meta.is_quantized:
            raise ExportError(f"{self._where(node)}: its output is not quantized")
        q = meta.qparams
        if q.get("qscheme") not in (torch.per_tensor_affine, torch.per_tensor_symmetric):
            raise ExportError(f"{self._where(node)}: its output is quantized {q.get('qscheme')}; qgen's activations are per tensor")
        return _Quantized(layer, meta.shape, _dtype_name(meta.dtype), float(q["scale"]), int(q["zero_point"]))

    def _input(self, node, index=0):
        arg = node.args[index] if index < len(node.args) else None
        value = self.values.get(arg) if isinstance(arg, torch.fx.Node) else None
        if not isinstance(value, _Quantized):
            what = "a float tensor" if isinstance(value, _Float) else f"{arg!r}"
            raise ExportError(f"{self._where(node)}: it reads {what}, not a quantized tensor; qgen runs quantized "
                              "subgraphs only (float-only parts of the model cannot be emitted)")
        return value

    def _refuse_float(self, node):
        """An op without a mapping that reads a float tensor (the model's input, or a dequantized one)
        runs in float in PyTorch: says so, as the reason it cannot be emitted."""
        for arg in list(node.args) + list(node.kwargs.values()):
            value = self.values.get(arg) if isinstance(arg, torch.fx.Node) else None
            if isinstance(value, _Float) and (value.source is not None or value.is_input):
                origin = f"the dequantized output of '{value.source.layer}'" if value.source is not None else "the model's float input"
                raise ExportError(f"{self._where(node)}: it runs in float on {origin}, which qgen's integer-only C cannot do; "
                                  "end the model at the dequantize and compute this op in the application, or quantize it "
                                  "(FX graph mode: a qconfig for its type, e.g. a fixed-qparams observer for softmax)")

    def _add(self, name, text, inputs):
        self.lines.append((name, text, inputs))

    def _float_weights(self, node, name, qweight, shape):
        """The float model's weights for the quantized module at `node` (`.float(…)` with the rule
        that reproduces `qweight`), after checking that qgen's rule gives PyTorch's int8 weights:
        the weight observer PyTorch's default qconfigs use, on the float weights, must give the
        converted module's scales, zero points and codes."""
        try:
            mod = self.float_model.get_submodule(str(node.target))
        except AttributeError:
            raise ExportError(f"{self._where(node)}: the float model has no module '{node.target}'; give the fused float "
                              "model the quantized one was prepared from") from None
        if isinstance(mod, torch.ao.nn.intrinsic._FusedModule):
            mod = mod[0]
        weight = getattr(mod, "weight", None)
        if not isinstance(weight, torch.Tensor) or tuple(weight.shape) != tuple(qweight.shape):
            raise ExportError(f"{self._where(node)}: the float model's '{node.target}' has no weight of shape {tuple(qweight.shape)}; "
                              "give the fused float model the quantized one was prepared from")
        w = weight.detach().to(torch.float32)
        per_channel = qweight.qscheme() in (torch.per_channel_symmetric, torch.per_channel_affine)
        if not per_channel and qweight.qscheme() not in (torch.per_tensor_symmetric, torch.per_tensor_affine):
            raise ExportError(f"{self._where(node)}: weights quantized {qweight.qscheme()}; qgen quantizes float weights per channel or "
                              "per tensor, symmetric or affine")
        # Packed weights unpack as affine even when the observer was symmetric (zero points 0), so
        # the rule is the one of the two that reproduces them.
        rule = None
        for mode in ("symmetric", "affine"):
            if per_channel:
                qscheme = torch.per_channel_symmetric if mode == "symmetric" else torch.per_channel_affine
                observer = obs.PerChannelMinMaxObserver(ch_axis=0, dtype=torch.qint8, qscheme=qscheme)
            else:
                qscheme = torch.per_tensor_symmetric if mode == "symmetric" else torch.per_tensor_affine
                observer = obs.MinMaxObserver(dtype=torch.qint8, qscheme=qscheme)
            observer(w)
            scales, zero_points = observer.calculate_qparams()
            if per_channel:
                expected = torch.quantize_per_channel(w, scales, zero_points, 0, torch.qint8)
                same = (torch.equal(qweight.q_per_channel_scales().to(torch.float32), scales.to(torch.float32))
                        and torch.equal(qweight.q_per_channel_zero_points().to(torch.int64), zero_points.to(torch.int64)))
            else:
                expected = torch.quantize_per_tensor(w, float(scales), int(zero_points), torch.qint8)
                same = float(qweight.q_scale()) == float(scales) and int(qweight.q_zero_point()) == int(zero_points)
            if same and torch.equal(expected.int_repr(), qweight.int_repr()):
                rule = f".{'perChannel' if per_channel else 'perTensor'}(.{mode})"
                break
        if rule is None:
            raise ExportError(f"{self._where(node)}: the converted weights are not what qgen's rules give from the float model's "
                              "weights (PyTorch's MinMax weight observers over -128...127, symmetric or affine); the weight observer "
                              "was another one, or the float model is not the one converted. Export without float_model to keep "
                              "the int8 weights")
        values = w.numpy()
        if shape is not None:
            values = values.reshape(shape)
        file = f"{name}_w.npy"
        self.arrays[file] = values
        return f'.float(.npy("{file}"), {rule})'

    def _weights(self, node, name, qweight, shape=None):
        if self.float_model is not None:
            return self._float_weights(node, name, qweight, shape)
        if qweight.qscheme() in (torch.per_channel_affine, torch.per_channel_symmetric,
                                 getattr(torch, "per_channel_affine_float_qparams", None)):
            if qweight.q_per_channel_axis() != 0:
                raise ExportError(f"{self._where(node)}: its weights are quantized per channel along axis "
                                  f"{qweight.q_per_channel_axis()}; qgen takes per-channel scales along the output channels (axis 0) only")
            scales = [float(s) for s in qweight.q_per_channel_scales().tolist()]
            zero_points = [int(z) for z in qweight.q_per_channel_zero_points().tolist()]
        else:
            scales, zero_points = [float(qweight.q_scale())], [int(qweight.q_zero_point())]
        if qweight.dtype != torch.qint8:
            raise ExportError(f"{self._where(node)}: its weights are {qweight.dtype}; qgen takes qint8 weights")
        values = qweight.int_repr().numpy().astype(np.int8)
        if shape is not None:
            values = values.reshape(shape)
        file = f"{name}_w.npy"
        self.arrays[file] = values
        if len(scales) > INLINE_PARAMETER_LIMIT:
            # swiftc compiles long literal arrays slowly (MobileNetV2's 17k scales: 5 s), so wide layers'
            # scales (float64, exact) and zero points go to .npy files like the weights.
            self.arrays[f"{name}_scales.npy"] = np.array(scales, dtype=np.float64)
            text = f'.int8(.npy("{file}"), scales: .npy("{name}_scales.npy")'
            if any(zero_points):
                self.arrays[f"{name}_zero_points.npy"] = np.array(zero_points, dtype=np.int64)
                text += f', zeroPoints: .npy("{name}_zero_points.npy")'
            return text + ")"
        scale_text = "[" + ", ".join(_number(s) for s in scales) + "]"
        zp_text = "[" + ", ".join(str(z) for z in zero_points) + "]"
        return f'.int8(.npy("{file}"), scales: {scale_text}, zeroPoints: {zp_text})'

    def _bias(self, name, bias):
        if bias is None:
            return ""
        file = f"{name}_b.npy"
        self.arrays[file] = bias.detach().to(torch.float32).numpy()
        return f', bias: .float(.npy("{file}"))'

    # ------------------------------------------------------------------ visit
    def visit(self, node):
        handler = {"placeholder": self._placeholder, "get_attr": self._get_attr, "call_module": self._call_module,
                   "call_function": self._call_function, "call_method": self._call_method, "output": self._output}[node.op]
        handler(node)

    def _placeholder(self, node):
        meta = node.meta.get("tensor_meta")
        self.values[node] = _Float(shape=list(meta.shape) if meta is not None else None, is_input=True, name=node.name)

    def _get_attr(self, node):
        value = self.gm
        for part in node.target.split("."):
            value = getattr(value, part)
        self.values[node] = value.item() if isinstance(value, torch.Tensor) and value.numel() == 1 else value

    def _quantize_input(self, node, source, scale, zero_point, dtype):
        if not (isinstance(source, _Float) and source.is_input):
            raise ExportError(f"{self._where(node)}: it quantizes a tensor computed in float inside the model; qgen runs "
                              "quantized subgraphs only: quantize the model's inputs (QuantStub first) and keep the rest quantized")
        name = self._name(node)
        meta = self._meta(node)
        q = _Quantized(name, meta.shape, _dtype_name(dtype), float(scale), int(zero_point))
        if len(q.shape) not in (2, 3, 4):
            raise ExportError(f"{self._where(node)}: the input has shape {q.shape}; qgen takes [N, features], [N, C, L] or [N, C, H, W]")
        self._add(name, f"Input({_swift_string(name)}, shape: {q.shape}, layout: .nchw, {q.quant()})", [])
        self.values[node] = q

    def _call_module(self, node):
        mod = self.gm.get_submodule(node.target)
        kind = type(mod).__name__
        if kind == "QuantStub" or kind == "DeQuantStub":
            raise ExportError(f"{self._where(node)}: the module is not converted (it still has a {kind}); "
                              "run torch.ao.quantization.convert (or convert_fx) before exporting")
        if kind == "Quantize":
            self._quantize_input(node, self.values.get(node.args[0]), mod.scale, mod.zero_point, mod.dtype)
        elif kind == "DeQuantize":
            self.values[node] = _Float(source=self._input(node))
        elif kind in _IDENTITY:
            self.values[node] = self.values[node.args[0]]
        elif kind in _LINEAR | _CONV2D | _CONV1D and not _is_quantized_module(mod):
            raise ExportError(f"{self._where(node)}: a float {kind}: the model is not converted; run torch.ao.quantization.convert "
                              "(or convert_fx) after calibrating, then export the converted module")
        elif kind in _LINEAR and _is_quantized_module(mod):
            self._linear(node, mod, relu=kind == "LinearReLU")
        elif kind in _CONV2D and _is_quantized_module(mod):
            self._conv2d(node, mod, relu=kind == "ConvReLU2d")
        elif kind in _CONV1D and _is_quantized_module(mod):
            self._conv1d(node, mod, relu=kind == "ConvReLU1d")
        elif kind == "MaxPool2d":
            self._max_pool(node, mod.kernel_size, mod.stride, mod.padding, mod.dilation, mod.ceil_mode)
        elif kind == "AvgPool2d":
            self._avg_pool(node, mod.kernel_size, mod.stride, mod.padding, mod.ceil_mode, mod.count_include_pad, mod.divisor_override)
        elif kind == "AdaptiveAvgPool2d":
            self._adaptive_avg_pool(node, mod.output_size)
        elif kind == "Flatten":
            self._flatten(node, mod.start_dim, mod.end_dim)
        elif kind == "Softmax" and _is_quantized_module(mod):
            self._softmax(node, mod.dim)
        elif kind in _ACTIVATIONS:
            self._activation(node, _ACTIVATIONS[kind], alpha=getattr(mod, "negative_slope", None))
        elif kind in ("FloatFunctional", "QFunctional", "FXFloatFunctional"):
            raise ExportError(f"{self._where(node)}: a functional module is called directly; call its add/add_relu/mul/cat")
        else:
            self._refuse_float(node)
            quantized = " (quantized)" if _is_quantized_module(mod) else ""
            raise ExportError(f"{self._where(node)}: qgen-export has no mapping for {type(mod).__module__}.{kind}{quantized}; "
                              "supported: quantized Linear, LinearReLU, Conv1d, ConvReLU1d, Conv2d, ConvReLU2d (fused Conv+BN), MaxPool2d, AvgPool2d, "
                              "AdaptiveAvgPool2d(1), Flatten, ReLU, ReLU6, Hardswish, Hardsigmoid, Sigmoid, Tanh, Softmax, LeakyReLU, FloatFunctional/QFunctional "
                              "add, add_relu, mul and cat, Dropout, Identity")

    def _call_function(self, node):
        target = node.target
        name = getattr(target, "__name__", str(target))
        if target in (torch.quantize_per_tensor,):
            args = [self.values.get(a, a) if isinstance(a, torch.fx.Node) else a for a in node.args]
            kwargs = {k: (self.values.get(v, v) if isinstance(v, torch.fx.Node) else v) for k, v in node.kwargs.items()}
            source = args[0]
            scale = args[1] if len(args) > 1 else kwargs["scale"]
            zero_point = args[2] if len(args) > 2 else kwargs["zero_point"]
            dtype = args[3] if len(args) > 3 else kwargs["dtype"]
            self._quantize_input(node, source, scale, zero_point, dtype)
        elif str(target) in ("quantized.add", "quantized.add_relu"):
            self._binary(node, "Add", relu=str(target) == "quantized.add_relu")
        elif str(target) in ("quantized.mul", "quantized.mul_relu"):
            self._binary(node, "Mul", relu=str(target) == "quantized.mul_relu")
        elif str(target) == "quantized.softmax":
            self._softmax(node, node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", -1))
        elif str(target) == "quantized.cat" or target is torch.cat:
            tensors = node.args[0] if node.args else node.kwargs.get("tensors", node.kwargs.get("qx"))
            dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim", 0)
            self._cat(node, tensors, dim)
        elif target in (torch.flatten,):
            start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
            end = node.args[2] if len(node.args) > 2 else node.kwargs.get("end_dim", -1)
            self._flatten(node, start, end)
        elif target is torch.nn.functional.adaptive_avg_pool2d:
            self._adaptive_avg_pool(node, node.args[1] if len(node.args) > 1 else node.kwargs["output_size"])
        elif target in (torch.nn.functional.max_pool2d,) or name == "max_pool2d":
            a = list(node.args) + [None] * 6
            kw = node.kwargs
            kernel = a[1] if a[1] is not None else kw["kernel_size"]
            stride = a[2] if a[2] is not None else kw.get("stride")
            self._max_pool(node, kernel, stride or kernel, a[3] if a[3] is not None else kw.get("padding", 0),
                           a[4] if a[4] is not None else kw.get("dilation", 1), a[5] if a[5] is not None else kw.get("ceil_mode", False))
        elif target is torch.nn.functional.avg_pool2d or name == "avg_pool2d":
            names = ["input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"]
            defaults = {"stride": None, "padding": 0, "ceil_mode": False, "count_include_pad": True, "divisor_override": None}
            a = dict(zip(names, node.args))
            a.update({k: v for k, v in node.kwargs.items() if k in names})
            v = {k: a.get(k, defaults.get(k)) for k in names[1:]}
            self._avg_pool(node, v["kernel_size"], v["stride"], v["padding"], v["ceil_mode"], v["count_include_pad"], v["divisor_override"])
        elif name in _ACTIVATION_FUNCTIONS:
            alpha = node.args[1] if len(node.args) > 1 else node.kwargs.get("negative_slope", 0.01)
            self._activation(node, _ACTIVATION_FUNCTIONS[name], alpha=alpha if name == "leaky_relu" else None)
        elif target is operator.getitem:
            self._getitem(node)
        elif target in _ARITHMETIC:
            self.values[node] = _ARITHMETIC[target](*[self._static(node, a) for a in node.args])
        elif target is getattr:
            if node.args[1] not in ("shape",):
                raise ExportError(f"{self._where(node)}: reads the attribute '{node.args[1]}' of a tensor; qgen-export reads only .shape")
            self.values[node] = tuple(self._shape_of(node, node.args[0]))
        elif target in (torch.transpose, torch.swapaxes, torch.swapdims):
            self._transpose(node, node.args[1:3])
        elif target is torch.permute:
            self._permute(node, node.args[1] if len(node.args) > 1 else node.kwargs["dims"])
        elif target is torch.mean:
            self._mean(node)
        elif target in (torch.chunk, torch.split, torch.narrow):
            self._split(node, target.__name__)
        else:
            self._refuse_float(node)
            raise ExportError(f"{self._where(node)}: qgen-export has no mapping for the function {target}")

    def _call_method(self, node):
        method = node.target
        if method == "dequantize":
            self.values[node] = _Float(source=self._input(node))
        elif method in ("relu", "hardsigmoid", "sigmoid", "tanh"):
            self._activation(node, _ACTIVATION_FUNCTIONS[method])
        elif method in ("contiguous",):
            self.values[node] = self.values[node.args[0]]
        elif method in ("reshape", "view"):
            source = self._input(node)
            shape = node.args[1:] if len(node.args) > 2 or not isinstance(node.args[1] if len(node.args) > 1 else None, (tuple, list)) else node.args[1]
            self._reshape(node, source, [int(self._static(node, d)) for d in shape])
        elif method == "flatten":
            start = node.args[1] if len(node.args) > 1 else node.kwargs.get("start_dim", 0)
            end = node.args[2] if len(node.args) > 2 else node.kwargs.get("end_dim", -1)
            self._flatten(node, start, end)
        elif method == "size":
            shape = self._shape_of(node, node.args[0])
            dim = node.args[1] if len(node.args) > 1 else node.kwargs.get("dim")
            self.values[node] = tuple(shape) if dim is None else shape[self._static(node, dim)]
        elif method == "dim":
            self.values[node] = len(self._shape_of(node, node.args[0]))
        elif method in ("transpose", "swapaxes", "swapdims"):
            self._transpose(node, node.args[1:3])
        elif method == "permute":
            dims = node.args[1] if len(node.args) == 2 and isinstance(node.args[1], (tuple, list)) else node.args[1:]
            self._permute(node, dims or node.kwargs["dims"])
        elif method == "mean":
            self._mean(node)
        elif method in ("chunk", "split", "narrow"):
            self._split(node, method)
        else:
            self._refuse_float(node)
            raise ExportError(f"{self._where(node)}: qgen-export has no mapping for the tensor method '{method}'")

    def _output(self, node):
        outputs = node.args[0]
        flat = list(outputs) if isinstance(outputs, (tuple, list)) else [outputs]
        self.outputs = []
        for value_node in flat:
            value = self.values.get(value_node)
            if isinstance(value, _Float) and value.source is not None:
                value = value.source
            if not isinstance(value, _Quantized):
                raise ExportError(f"model output '{getattr(value_node, 'name', value_node)}' is not computed by quantized ops "
                                  "(qgen runs quantized subgraphs only); end the model with a DeQuantStub after quantized layers")
            self.outputs.append(value)

    # ------------------------------------------------------ static values
    def _static(self, node, arg):
        """A Python value (a size, an index, a number) that `node` reads: a constant, or a value the
        exporter computed from static shapes (x.size(), its items, arithmetic on them)."""
        if isinstance(arg, torch.fx.Node):
            value = self.values.get(arg)
            if isinstance(value, (_Quantized, _Float, torch.Tensor)) or value is None:
                raise ExportError(f"{self._where(node)}: it takes a tensor where qgen needs a number known before the model runs "
                                  "(a size or an index); qgen needs static shapes")
            return value
        if isinstance(arg, (tuple, list)):
            return type(arg)(self._static(node, a) for a in arg)
        return arg

    def _shape_of(self, node, arg):
        """The static shape of the tensor `arg` (the example input fixes every shape; the batch too)."""
        value = self.values.get(arg) if isinstance(arg, torch.fx.Node) else None
        if isinstance(value, _Quantized):
            return list(value.shape)
        meta = arg.meta.get("tensor_meta") if isinstance(arg, torch.fx.Node) else None
        if meta is None or not hasattr(meta, "shape"):
            raise ExportError(f"{self._where(node)}: it reads the size of {arg!r}, whose shape was not recorded")
        return list(meta.shape)

    def _getitem(self, node):
        container, index = node.args[0], node.args[1]
        value = self.values.get(container) if isinstance(container, torch.fx.Node) else container
        if isinstance(value, _Quantized):
            self._index(node, value, self._static(node, index))
        elif isinstance(value, (tuple, list)):
            item = value[self._static(node, index)]
            self.values[node] = item
        else:
            what = "a float tensor" if isinstance(value, _Float) else repr(value)
            raise ExportError(f"{self._where(node)}: it indexes {what}; qgen-export indexes quantized tensors (with slices), "
                              "tensor sizes and the parts of chunk/split")

    # ----------------------------------------------------------------- layers
    def _slice(self, node, source, axis, start, end, step=1, base=None):
        """A Slice layer keeping indices start, start+step, ... < end of `axis` of `source`."""
        name = self._fresh(base or node.name)
        shape = list(source.shape)
        shape[axis] = len(range(start, end, step))
        step_text = f", step: {step}" if step != 1 else ""
        self._add(name, f"Slice({_swift_string(name)}, input: {_swift_string(source.layer)}, axis: {axis}, start: {start}, end: {end}{step_text})",
                  [source.layer])
        return _Quantized(name, shape, source.dtype, source.scale, source.zero_point)

    def _index(self, node, source, index):
        """x[...] of a quantized tensor with slices (and an Ellipsis): one Slice per cut axis."""
        parts = list(index) if isinstance(index, tuple) else [index]
        if any(p is None for p in parts) or sum(p is Ellipsis for p in parts) > 1 or \
                not all(isinstance(p, slice) or p is Ellipsis for p in parts):
            raise ExportError(f"{self._where(node)}: indexes a quantized tensor with {index!r}; qgen-export takes slices "
                              "(x[:, a:b], x[..., ::2]); select an index with a slice of length 1 and a reshape")
        rank = len(source.shape)
        if Ellipsis in parts:
            k = parts.index(Ellipsis)
            parts = parts[:k] + [slice(None)] * (rank - len(parts) + 1) + parts[k + 1:]
        if len(parts) > rank:
            raise ExportError(f"{self._where(node)}: {len(parts)} indices for a tensor of shape {source.shape}")
        value = source
        for axis, part in enumerate(parts):
            start, end, step = part.indices(source.shape[axis])
            if step < 1:
                raise ExportError(f"{self._where(node)}: slice step {step}; qgen's Slice takes steps of 1 or more")
            if (start, end, step) == (0, source.shape[axis], 1):
                continue
            if len(range(start, end, step)) == 0:
                raise ExportError(f"{self._where(node)}: the slice {part} of axis {axis} (size {source.shape[axis]}) is empty")
            value = self._slice(node, value, axis, start, min(end, source.shape[axis]), step)
        if value is source:
            self.values[node] = source
            return
        meta = self._meta(node)
        if list(meta.shape) != value.shape:
            raise ExportError(f"internal: slices give {value.shape}, torch gives {list(meta.shape)}")
        self.values[node] = value

    def _split(self, node, kind):
        """chunk(n, dim), split(size or sizes, dim) and narrow(dim, start, length): the parts are
        Slice layers (only those the model reads are written)."""
        source = self._input(node)
        args = [self._static(node, a) for a in node.args[1:]]
        kwargs = {k: self._static(node, v) for k, v in node.kwargs.items()}
        rank = len(source.shape)
        if kind == "narrow":
            names = ["dim", "start", "length"]
            v = dict(zip(names, args), **kwargs)
            dim = v["dim"] % rank
            start = v["start"] % source.shape[dim] if v["start"] < 0 else v["start"]
            self.values[node] = self._slice(node, source, dim, start, start + v["length"])
            return
        first = "chunks" if kind == "chunk" else "split_size_or_sections"
        v = dict(zip([first, "dim"], args), **kwargs)
        if kind == "split" and first not in v:
            v[first] = v.pop("split_size", None)
        dim = v.get("dim", 0) % rank
        size = source.shape[dim]
        if kind == "chunk":
            piece = -(-size // v["chunks"])
            sizes = [min(piece, size - k) for k in range(0, size, piece)]
        elif isinstance(v[first], int):
            sizes = [min(v[first], size - k) for k in range(0, size, v[first])]
        else:
            sizes = list(v[first])
            if sum(sizes) != size:
                raise ExportError(f"{self._where(node)}: split sizes {sizes} do not add up to {size}, the size of dimension {dim}")
        parts, start = [], 0
        for k, length in enumerate(sizes):
            parts.append(self._slice(node, source, dim, start, start + length, base=f"{node.name}_{k}"))
            start += length
        self.values[node] = tuple(parts)

    def _permute(self, node, dims):
        source = self._input(node)
        rank = len(source.shape)
        dims = [int(d) % rank for d in self._static(node, list(dims))]
        if sorted(dims) != list(range(rank)):
            raise ExportError(f"{self._where(node)}: permutation {dims} of a tensor of shape {source.shape}")
        if dims == list(range(rank)):
            self.values[node] = source
            return
        name = self._name(node)
        shape = [source.shape[d] for d in dims]
        layout = ", layout: .nchw" if rank == 4 else ""
        self._add(name, f"Transpose({_swift_string(name)}, input: {_swift_string(source.layer)}, permutation: {dims}{layout})", [source.layer])
        self.values[node] = _Quantized(name, shape, source.dtype, source.scale, source.zero_point)

    def _transpose(self, node, pair):
        source = self._input(node)
        rank = len(source.shape)
        a, b = (int(self._static(node, d)) % rank for d in pair)
        dims = list(range(rank))
        dims[a], dims[b] = dims[b], dims[a]
        self._permute(node, dims)

    def _mean(self, node):
        """torch.mean / Tensor.mean of a quantized tensor: ATen keeps the input's quantization, and
        its kernel follows the input's memory format (Mean(atenOp: .mean, memoryFormats:))."""
        source = self._input(node)
        rank = len(source.shape)
        names = ["dim", "keepdim", "dtype"]
        v = dict(zip(names, [self._static(node, a) for a in node.args[1:]]), **{k: self._static(node, x) for k, x in node.kwargs.items()})
        if v.get("dtype") is not None:
            raise ExportError(f"{self._where(node)}: a mean with dtype {v['dtype']}; qgen keeps the input's type")
        dim = v.get("dim")
        dims = list(range(rank)) if dim is None or dim == [] or dim == () else ([dim] if isinstance(dim, int) else list(dim))
        written = [int(d) for d in dims]
        axes = sorted(d % rank for d in written)
        qnnpack_pool = self.scheme == "qnnpack" and source.dtype == "uint8" and rank == 4 and written == [2, 3]
        arg = node.args[0]
        channels_last = arg.meta.get("qgen_channels_last", False)
        strided = not channels_last and not arg.meta.get("qgen_contiguous", True)
        if strided and arg.meta.get("qgen_view_channels_last", False):
            # Not contiguous, so ATen's float path, on a copy laid out channels-last.
            strided, channels_last = False, True
        if not qnnpack_pool:
            if channels_last and axes not in ([2, 3], [1]):
                raise ExportError(f"{self._where(node)}: the mean over dimensions {written} of a channels-last tensor: qgen models ATen's "
                                  "summation order for dimensions [2, 3] and [1] of channels-last tensors; call .contiguous() first")
            if axes != list(range(axes[0], axes[-1] + 1)):
                raise ExportError(f"{self._where(node)}: the mean over dimensions {written}, which are not adjacent; qgen's Mean reduces adjacent dimensions")
        name = self._name(node)
        out = self._quantized_output(node, name)
        formats = ", memoryFormats: [.strided]" if strided else ", memoryFormats: [.channelsLast]" if channels_last else ""
        self._add(name, f"Mean({_swift_string(name)}, input: {_swift_string(source.layer)}, axes: {written}, keepDims: {'true' if v.get('keepdim') else 'false'}, "
                        f"output: {out.quant()}, atenOp: .mean{formats})", [source.layer])
        self.values[node] = out

    def _linear(self, node, mod, relu):
        source = self._input(node)
        name = self._name(node)
        out = self._quantized_output(node, name)
        weight = self._weights(node, name, mod.weight())
        bias = self._bias(name, mod.bias())
        act = ", activation: .relu" if relu else ""
        self._add(name, f"Linear({_swift_string(name)}, input: {_swift_string(source.layer)}, outFeatures: {out.shape[-1]}, "
                        f"weight: {weight}{bias}, output: {out.quant()}{act})", [source.layer])
        self.values[node] = out

    def _conv2d(self, node, mod, relu):
        source = self._input(node)
        if getattr(mod, "padding_mode", "zeros") != "zeros":
            raise ExportError(f"{self._where(node)}: padding_mode '{mod.padding_mode}'; qgen pads with zeros only")
        if isinstance(mod.padding, str):
            raise ExportError(f"{self._where(node)}: padding '{mod.padding}'; give the padding as numbers")
        name = self._name(node)
        out = self._quantized_output(node, name)
        weight = self._weights(node, name, mod.weight())
        bias = self._bias(name, mod.bias())
        kh, kw = mod.kernel_size
        act = ", activation: .relu" if relu else ""
        self._add(name, f"Conv2d({_swift_string(name)}, input: {_swift_string(source.layer)}, outChannels: {mod.out_channels}, "
                        f"kernel: Size2({kh}, {kw}), stride: Size2({mod.stride[0]}, {mod.stride[1]}), "
                        f"padding: [{mod.padding[0]}, {mod.padding[1]}], dilation: Size2({mod.dilation[0]}, {mod.dilation[1]}), "
                        f"groups: {mod.groups}, weight: {weight}{bias}, output: {out.quant()}{act})", [source.layer])
        self.values[node] = out

    def _conv1d(self, node, mod, relu):
        """Conv1d as PyTorch computes it (ATen's quantized conv1d is its conv2d on [N, C, 1, L]):
        Reshape to [N, C, 1, L], Conv2d with a 1 x k kernel, Reshape back to [N, O, L_out]."""
        source = self._input(node)
        if getattr(mod, "padding_mode", "zeros") != "zeros":
            raise ExportError(f"{self._where(node)}: padding_mode '{mod.padding_mode}'; qgen pads with zeros only")
        if isinstance(mod.padding, str):
            raise ExportError(f"{self._where(node)}: padding '{mod.padding}'; give the padding as numbers")
        if len(source.shape) != 3:
            raise ExportError(f"{self._where(node)}: Conv1d reads {source.shape}; qgen-export maps Conv1d on [N, C, L] tensors")
        n, c, length = source.shape
        lift = self._fresh(f"{node.name}_2d")
        conv = self._fresh(f"{node.name}_conv")
        name = self._name(node)
        out = self._quantized_output(node, name)
        w = mod.weight()
        weight = self._weights(node, conv, w, shape=(w.shape[0], w.shape[1], 1, w.shape[2]))
        bias = self._bias(conv, mod.bias())
        act = ", activation: .relu" if relu else ""
        self._add(lift, f"Reshape({_swift_string(lift)}, input: {_swift_string(source.layer)}, shape: [{n}, {c}, 1, {length}], layout: .nchw)",
                  [source.layer])
        self._add(conv, f"Conv2d({_swift_string(conv)}, input: {_swift_string(lift)}, outChannels: {mod.out_channels}, "
                        f"kernel: Size2(1, {mod.kernel_size[0]}), stride: Size2(1, {mod.stride[0]}), padding: [0, {mod.padding[0]}], "
                        f"dilation: Size2(1, {mod.dilation[0]}), groups: {mod.groups}, weight: {weight}{bias}, output: {out.quant()}{act})", [lift])
        self._add(name, f"Reshape({_swift_string(name)}, input: {_swift_string(conv)}, shape: {list(out.shape)})", [conv])
        self.values[node] = out

    def _max_pool(self, node, kernel, stride, padding, dilation, ceil_mode):
        source = self._input(node)
        pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
        kernel, stride, padding, dilation = pair(kernel), pair(stride if stride else kernel), pair(padding), pair(dilation)
        if dilation != (1, 1):
            raise ExportError(f"{self._where(node)}: max pooling with dilation {dilation}; qgen's MaxPool2d has none")
        name = self._name(node)
        out = self._quantized_output(node, name)
        self._add(name, f"MaxPool2d({_swift_string(name)}, input: {_swift_string(source.layer)}, kernel: Size2({kernel[0]}, {kernel[1]}), "
                        f"stride: Size2({stride[0]}, {stride[1]}), padding: [{padding[0]}, {padding[1]}]{', ceilMode: true' if ceil_mode else ''})", [source.layer])
        self.values[node] = out

    def _avg_pool(self, node, kernel, stride, padding, ceil_mode, count_include_pad, divisor):
        """PyTorch's avg_pool2d with every option that changes its arithmetic, and the input's memory
        format, which picks ATen's kernel."""
        source = self._input(node)
        pair = lambda v: (v, v) if isinstance(v, int) else tuple(v)  # noqa: E731
        kernel, padding = pair(kernel), pair(padding)
        stride = pair(stride) if stride else kernel
        if len(source.shape) != 4:
            raise ExportError(f"{self._where(node)}: average pooling of a {len(source.shape)}-D tensor {list(source.shape)}; qgen's AvgPool2d takes [N, C, H, W]")
        name = self._name(node)
        out = self._quantized_output(node, name)
        options = (", ceilMode: true" if ceil_mode else "") + (", countIncludePad: true" if count_include_pad else "")
        options += f", divisor: {int(divisor)}" if divisor else ""
        self._add(name, f"AvgPool2d({_swift_string(name)}, input: {_swift_string(source.layer)}, kernel: Size2({kernel[0]}, {kernel[1]}), "
                        f"stride: Size2({stride[0]}, {stride[1]}), padding: [{padding[0]}, {padding[1]}]{options}{self._formats(node.args[:1])})",
                  [source.layer])
        self.values[node] = out

    def _adaptive_avg_pool(self, node, output_size):
        source = self._input(node)
        size = (output_size, output_size) if isinstance(output_size, int) else tuple(output_size)
        if len(source.shape) != 4 or size not in ((1, 1),) and tuple(size) != tuple(source.shape[2:]):
            raise ExportError(f"{self._where(node)}: adaptive average pooling to {size} from {source.shape}; qgen-export maps "
                              "AdaptiveAvgPool2d to 1x1 (a mean over H and W)")
        name = self._name(node)
        out = self._quantized_output(node, name)
        self._add(name, f"Mean({_swift_string(name)}, input: {_swift_string(source.layer)}, axes: [2, 3], keepDims: true, "
                        f"output: {out.quant()})", [source.layer])
        self.values[node] = out

    def _flatten(self, node, start, end):
        source = self._input(node)
        rank = len(source.shape)
        start, end = start % rank, end % rank
        if end != rank - 1:
            raise ExportError(f"{self._where(node)}: flatten up to dimension {end} of {rank}; qgen flattens to the last dimension")
        name = self._name(node)
        out = _Quantized(name, self._meta(node).shape, source.dtype, source.scale, source.zero_point)
        self._add(name, f"Flatten({_swift_string(name)}, input: {_swift_string(source.layer)}, startDim: {start})", [source.layer])
        self.values[node] = out

    def _reshape(self, node, source, shape):
        name = self._name(node)
        out = _Quantized(name, self._meta(node).shape, source.dtype, source.scale, source.zero_point)
        self._add(name, f"Reshape({_swift_string(name)}, input: {_swift_string(source.layer)}, shape: {list(out.shape)})", [source.layer])
        self.values[node] = out

    def _formats(self, nodes):
        """`, memoryFormats: [...]` for 4-D inputs of which some are channels-last (ATen's kernel
        paths depend on it), else nothing (contiguous)."""
        flags = [isinstance(n, torch.fx.Node) and n.meta.get("qgen_channels_last", False) for n in nodes]
        if not any(flags):
            return ""
        return ", memoryFormats: [" + ", ".join(".channelsLast" if f else ".contiguous" for f in flags) + "]"

    def _binary(self, node, op, relu):
        """quantized add/add_relu (op "Add") or mul/mul_relu ("Mul") of two tensors of one shape."""
        verb = {"Add": "adds", "Mul": "multiplies"}[op]
        if len(node.args) > 1 and not isinstance(node.args[1], torch.fx.Node):
            raise ExportError(f"{self._where(node)}: {verb} the number {node.args[1]!r} ({op.lower()}_scalar); qgen's {op} takes two "
                              "tensors: fold the number into a neighbouring layer's scale or bias, or use a tensor")
        a = self._input(node, 0)
        b = self._input(node, 1)
        broadcasts = len(a.shape) == len(b.shape) and all(x == y or x == 1 or y == 1 for x, y in zip(a.shape, b.shape))
        if list(a.shape) != list(b.shape) and not (op == "Mul" and broadcasts):
            rule = "equal shapes or shapes that broadcast (each axis equal or 1, one rank)" if op == "Mul" else "equal shapes (no broadcasting)"
            raise ExportError(f"{self._where(node)}: {verb} shapes {a.shape} and {b.shape}; qgen's {op} takes {rule}")
        name = self._name(node)
        out = self._quantized_output(node, name)
        act = ", activation: .relu" if relu else ""
        # Add's ATen loop order follows the memory formats; Mul's arithmetic is the same everywhere.
        formats = self._formats(node.args[:2]) if op == "Add" else ""
        self._add(name, f"{op}({_swift_string(name)}, {_swift_string(a.layer)}, {_swift_string(b.layer)}, output: {out.quant()}{act}{formats})",
                  [a.layer, b.layer])
        self.values[node] = out

    def _activation(self, node, layer, alpha=None):
        """ReLU, ReLU6, HardSwish, HardSigmoid, Logistic (sigmoid), Tanh or LeakyReLU of one quantized tensor."""
        source = self._input(node)
        name = self._name(node)
        out = self._quantized_output(node, name)
        slope = f", alpha: {_number(alpha)}" if layer == "LeakyReLU" else ""
        formats = self._formats(node.args[:1])
        self._add(name, f"{layer}({_swift_string(name)}, input: {_swift_string(source.layer)}{slope}, output: {out.quant()}{formats})", [source.layer])
        self.values[node] = out

    def _softmax(self, node, dim):
        """Quantized softmax over the last dimension (qgen's Softmax normalizes the last axis)."""
        source = self._input(node)
        rank = len(source.shape)
        dim = rank - 1 if dim is None else int(self._static(node, dim))
        if dim % rank != rank - 1:
            raise ExportError(f"{self._where(node)}: softmax over dimension {dim} of a {rank}-D tensor; qgen's Softmax normalizes the last "
                              "dimension (permute the tensor first)")
        name = self._name(node)
        out = self._quantized_output(node, name)
        self._add(name, f"Softmax({_swift_string(name)}, input: {_swift_string(source.layer)}, output: {out.quant()})", [source.layer])
        self.values[node] = out

    def _cat(self, node, tensors, dim):
        if not isinstance(tensors, (list, tuple)) or not tensors:
            raise ExportError(f"{self._where(node)}: concatenates {tensors!r}; qgen needs the list of tensors in the traced graph")
        sources = []
        for t in tensors:
            value = self.values.get(t) if isinstance(t, torch.fx.Node) else None
            if not isinstance(value, _Quantized):
                raise ExportError(f"{self._where(node)}: it concatenates {t!r}, which is not a quantized tensor; qgen runs quantized subgraphs only")
            sources.append(value)
        if any(s.dtype != sources[0].dtype for s in sources):
            raise ExportError(f"{self._where(node)}: it concatenates {', '.join(s.dtype for s in sources)} tensors; PyTorch's cat and qgen's take one type")
        rank = len(sources[0].shape)
        dim = int(dim) % rank
        name = self._name(node)
        out = self._quantized_output(node, name)
        inputs = "[" + ", ".join(_swift_string(s.layer) for s in sources) + "]"
        flag = self._formats(tensors)
        self._add(name, f"Concatenation({_swift_string(name)}, {inputs}, axis: {dim}, output: {out.quant()}{flag})", [s.layer for s in sources])
        self.values[node] = out

    # ------------------------------------------------------------------ write
    def swift(self, model_name, header):
        """The model.swift text: only the layers the outputs need, outputs last-read."""
        needed, stack = set(), [o.layer for o in self.outputs]
        by_name = {n: (text, inputs) for n, text, inputs in self.lines}
        while stack:
            n = stack.pop()
            if n not in needed:
                needed.add(n)
                stack.extend(by_name[n][1])
        output_names = [o.layer for o in self.outputs]
        if len(set(output_names)) != len(output_names):
            raise ExportError("the model returns the same tensor twice; return each output once")
        kept = [(n, t, i) for n, t, i in self.lines if n in needed]
        read = {i for _, _, ins in kept for i in ins}
        for o in output_names:
            if o in read:
                raise ExportError(f"the model output '{o}' is also read by later layers; qgen's outputs are the layers nothing reads: "
                                  "return a copy or restructure the model")
        unread = [n for n, _, _ in kept if n not in read]
        if unread != output_names:
            # qgen's outputs are the unread layers in declaration order; keep the model's order.
            if sorted(unread) != sorted(output_names):
                raise ExportError(f"internal: unread layers {unread} are not the outputs {output_names}")
            order = {n: k for k, n in enumerate(output_names)}
            tail = sorted([x for x in kept if x[0] in order], key=lambda x: order[x[0]])
            kept = [x for x in kept if x[0] not in order] + tail
        body = "\n".join(f"    {text}" for _, text, _ in kept)
        return header + f"import QGen\n\nModel({_swift_string(model_name)}) {{\n{body}\n}}\n.requantization(Requantization(name: {_swift_string(self.scheme)}))\n"


class _ShapeAndFormat(ShapeProp):
    """ShapeProp that also records whether each 4-D tensor is channels-last contiguous, which picks
    ATen's cat kernel (its NHWC kernel rounds its vector channels differently)."""

    def run_node(self, n):
        result = super().run_node(n)
        if isinstance(result, torch.Tensor):
            n.meta["qgen_contiguous"] = result.is_contiguous()
            if result.dim() == 4:
                n.meta["qgen_channels_last"] = result.is_contiguous(memory_format=torch.channels_last)
                if result.is_quantized and not result.is_contiguous() and not n.meta["qgen_channels_last"]:
                    # A strided view: ATen's float paths dequantize it in its suggested memory format
                    # (a copy both contiguous and channels-last is read as contiguous).
                    copy = result.dequantize()
                    n.meta["qgen_view_channels_last"] = copy.is_contiguous(memory_format=torch.channels_last) and not copy.is_contiguous()
        return result


def _trace(module):
    if isinstance(module, torch.fx.GraphModule):
        return module
    try:
        return torch.fx.symbolic_trace(module)
    except Exception as error:  # noqa: BLE001 - torch raises many kinds
        raise ExportError(f"torch.fx could not trace the module ({type(error).__name__}: {error}); qgen-export needs a module "
                          "without data-dependent control flow") from error


def export(module, example, path, name=None, engine=None, float_model=None):
    """Writes `path` (model.swift) and its .npy files for a converted quantized `module` run on
    `example` (a float tensor, or a tuple of them, shaped as the C's inputs will be).

    `float_model`: the fused float model `module` was prepared from. Its weights are written as
    float weights with the rule that reproduces the converted int8 ones (checked), so that
    `qgen compare` can put the float model beside the quantized one.

    `engine` defaults to torch.backends.quantized.engine, the engine the module was converted for.
    Raises ExportError naming the module path or node of anything qgen cannot express; nothing is
    written then."""
    engine = engine or torch.backends.quantized.engine
    scheme, capability = _scheme(engine)
    stubs = [path for path, m in module.named_modules() if type(m).__name__ in ("QuantStub", "DeQuantStub")]
    if stubs:
        raise ExportError(f"module '{stubs[0]}' is a {type(module.get_submodule(stubs[0])).__name__}: the model is not converted; "
                          "run torch.ao.quantization.convert (or convert_fx) after calibrating, then export the converted module")
    gm = _trace(module)
    examples = example if isinstance(example, (tuple, list)) else (example,)
    with torch.no_grad():
        try:
            _ShapeAndFormat(gm).propagate(*examples)
        except Exception as error:  # noqa: BLE001
            raise ExportError(f"running the module on the example input failed ({type(error).__name__}: {error})") from error
    writer = _Writer(gm, scheme, float_model)
    for node in gm.graph.nodes:
        writer.visit(node)
    directory = os.path.dirname(os.path.abspath(path))
    model_name = name or os.path.splitext(os.path.basename(path))[0]
    if model_name == "model":
        model_name = os.path.basename(directory) or "model"
    model_name = "".join(c if c.isalnum() or c == "_" else "_" for c in model_name)
    cpu = _comment(f"{platform.machine()} {capability}".strip())
    header = (f"// Exported by qgen-export from a converted PyTorch model ({_comment(type(module).__name__)}).\n"
              f"// torch {_comment(torch.__version__)}, quantized engine '{_comment(engine)}', ATen CPU capability {cpu}: scheme {scheme}.\n"
              "// The C takes and returns quantized codes (the QuantStub's and each output's scale and zero point below).\n")
    text = writer.swift(model_name, header)
    os.makedirs(directory, exist_ok=True)
    # Everything is computed before anything is written; each file is written whole and renamed.
    for file, array in sorted(writer.arrays.items()):
        _atomic_write(os.path.join(directory, file), lambda f, a=array: np.save(f, a))
    _atomic_write(path, lambda f: f.write(text.encode()))
    return path


def _atomic_write(path, write):
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".qgen-export-")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


__all__ = ["export", "ExportError"]
