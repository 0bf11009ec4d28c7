"""Translates an int8 .tflite flatbuffer (as TensorFlow's converter writes it) into qgen's model, for
fixtures and examples: `translate` gives a list of nodes, `spec_json` the ModelSpec JSON a model.swift
hands qgen, `swift_source` a model.swift (weights in .npy files). Only the ops qgen has are accepted;
anything else raises. This is a test tool: qgen's own importer is a later issue."""
import numpy as np
from tensorflow.lite.python import schema_py_generated as schema

OPS = {v: k for k, v in schema.BuiltinOperator.__dict__.items() if not k.startswith("_")}
ACTIVATIONS = {0: "none", 1: "relu", 3: "relu6"}
TYPES = {9: "int8", 3: "uint8", 2: "int32", 7: "int16"}


PREFIXES = {"CONV_2D": "conv", "DEPTHWISE_CONV_2D": "dw", "FULLY_CONNECTED": "fc", "ADD": "add", "SUB": "sub", "MUL": "mul", "AVERAGE_POOL_2D": "avgpool",
            "MAX_POOL_2D": "maxpool", "MEAN": "mean", "RESHAPE": "reshape", "SQUEEZE": "squeeze", "CONCATENATION": "concat",
            "QUANTIZE": "quantize", "PAD": "pad", "SOFTMAX": "softmax", "LOGISTIC": "logistic", "TANH": "tanh", "RELU": "relu", "RELU6": "relu6", "LEAKY_RELU": "leakyrelu",
            "HARD_SWISH": "hardswish"}


def translate(flatbuffer):
    """(input description, nodes) where each node is a dict with 'op' and its fields."""
    model = schema.ModelT.InitFromPackedBuf(flatbuffer, 0)
    graph = model.subgraphs[0]
    codes = [max(c.builtinCode, c.deprecatedBuiltinCode) for c in model.operatorCodes]
    tensors = graph.tensors

    def quant(i):
        q = tensors[i].quantization
        return {"dtype": TYPES[tensors[i].type], "scale": float(np.float32(q.scale[0])), "zeroPoint": int(q.zeroPoint[0])}

    def data(i):
        t = tensors[i]
        raw = np.asarray(model.buffers[t.buffer].data, dtype=np.uint8).tobytes()
        dtype = {9: np.int8, 2: np.int32, 3: np.uint8}[t.type]
        return np.frombuffer(raw, dtype=dtype).reshape(list(t.shape))

    def weights(i):
        q = tensors[i].quantization
        return {"values": data(i), "scales": [float(np.float32(s)) for s in q.scale], "zeroPoints": [int(z) for z in q.zeroPoint]}

    assert len(graph.inputs) == 1 and len(graph.outputs) == 1
    x = graph.inputs[0]
    names = {x: "x"}
    source = {"name": "x", "shape": [int(d) for d in tensors[x].shape], "quant": quant(x)}
    nodes = []
    counts = {}
    for k, op in enumerate(graph.operators):
        kind = OPS[codes[op.opcodeIndex]]
        o = op.builtinOptions
        ins, out = [int(i) for i in op.inputs], int(op.outputs[0])
        prefix = PREFIXES.get(kind, kind.lower())
        counts[prefix] = counts.get(prefix, 0) + 1
        name = f"{prefix}{counts[prefix]}"
        names[out] = name
        node = {"name": name, "inputs": [names[ins[0]]], "output": quant(out), "outShape": [int(d) for d in tensors[out].shape]}
        act = lambda: ACTIVATIONS[o.fusedActivationFunction]  # noqa: E731
        if kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            w = weights(ins[1])
            node |= {"op": "conv2d" if kind == "CONV_2D" else "depthwiseConv2d", "weight": w,
                     "bias": data(ins[2]) if len(ins) > 2 and ins[2] >= 0 else None,
                     "kernel": [int(w["values"].shape[1]), int(w["values"].shape[2])], "stride": [o.strideH, o.strideW],
                     "dilation": [o.dilationHFactor, o.dilationWFactor], "same": o.padding == 0, "activation": act()}
            if kind == "CONV_2D":
                node["outChannels"] = int(w["values"].shape[0])
            else:
                node["depthMultiplier"] = int(w["values"].shape[3]) // int(tensors[ins[0]].shape[3])
        elif kind == "FULLY_CONNECTED":
            w = weights(ins[1])
            in_features = int(w["values"].shape[1])
            # keep_num_dims: the layer applies to the last axis of any rank, as qgen's Linear does.
            if not o.keepNumDims and (len(tensors[ins[0]].shape) != 2 or int(tensors[ins[0]].shape[-1]) != in_features):
                flat = f"{name}_flat"
                nodes.append({"op": "reshape", "name": flat, "inputs": [names[ins[0]]], "shape": [-1, in_features]})
                node["inputs"] = [flat]
            node |= {"op": "linear", "weight": w, "bias": data(ins[2]) if len(ins) > 2 and ins[2] >= 0 else None,
                     "outFeatures": int(w["values"].shape[0]), "activation": act()}
        elif kind in ("ADD", "SUB", "MUL"):
            operands = []
            for i in ins:
                # TFLite broadcasts [n] against [1, n]: the same elements, so a reshape to the output's shape.
                if [int(d) for d in tensors[i].shape] != node["outShape"]:
                    assert int(np.prod(tensors[i].shape)) == int(np.prod(node["outShape"])), (kind, tensors[i].shape, node["outShape"])
                    reshaped = f"{name}_in{len(operands)}"
                    nodes.append({"op": "reshape", "name": reshaped, "inputs": [names[i]], "shape": node["outShape"]})
                    operands.append(reshaped)
                else:
                    operands.append(names[i])
            node |= {"op": kind.lower(), "inputs": operands, "activation": act()}
        elif kind in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            node |= {"op": "pool2d", "kind": "average" if kind == "AVERAGE_POOL_2D" else "max", "kernel": [o.filterHeight, o.filterWidth],
                     "stride": [o.strideH, o.strideW], "same": o.padding == 0, "activation": act()}
        elif kind == "MEAN":
            node |= {"op": "mean", "axes": [int(a) for a in data(ins[1]).ravel()], "keepDims": bool(o.keepDims)}
        elif kind in ("RESHAPE", "SQUEEZE"):
            node |= {"op": "reshape", "shape": node["outShape"]}
        elif kind == "CONCATENATION":
            assert o.fusedActivationFunction == 0
            node |= {"op": "concatenation", "inputs": [names[i] for i in ins], "axis": int(o.axis)}
        elif kind == "PAD":
            node |= {"op": "pad", "padding": [[int(a), int(b)] for a, b in data(ins[1])]}
        elif kind == "QUANTIZE":
            node |= {"op": "quantize"}
        elif kind == "SOFTMAX":
            node |= {"op": "softmax", "beta": float(o.beta)}
        elif kind in ("LOGISTIC", "TANH", "RELU", "RELU6", "LEAKY_RELU", "HARD_SWISH"):
            function = {"LOGISTIC": "logistic", "TANH": "tanh", "RELU": "relu", "RELU6": "relu6", "LEAKY_RELU": "leakyRelu",
                        "HARD_SWISH": "hardSwish"}[kind]
            node |= {"op": "lookup", "function": function}
            if kind == "LEAKY_RELU":
                node["alpha"] = float(np.float32(o.alpha))
        else:
            raise ValueError(f"operator {k}: {kind} is not in qgen's op set")
        nodes.append(node)
    assert names[graph.outputs[0]] == nodes[-1]["name"]
    return source, nodes


AT = {"file": "fixture", "line": 1}


def _size2(v):
    return {"height": int(v[0]), "width": int(v[1]), "elementCount": 2}


def _values(array):
    return {"values": {"_0": [float(v) for v in np.ravel(array)]}}


def _activation(a):
    return {a: {}}


def spec_json(model_name, source, nodes):
    """The ModelSpec JSON of the translated model (NHWC input, TFLite's weight layouts)."""
    layers = [{"input": {"_0": {"name": "x", "shape": source["shape"], "layout": "nhwc" if len(source["shape"]) == 4 else "nchw",
                                "quant": source["quant"], "location": AT}}}]
    for n in nodes:
        common = {"name": n["name"], "location": AT}
        if n["op"] in ("conv2d", "depthwiseConv2d"):
            w = n["weight"]
            body = common | {"input": n["inputs"][0], "kernel": _size2(n["kernel"]), "stride": _size2(n["stride"]),
                             "padding": {} if n["same"] else {"size": _size2([0, 0])}, "dilation": _size2(n["dilation"]),
                             "weight": {"quantized": {"_0": _values(w["values"]), "scales": w["scales"], "zeroPoints": w["zeroPoints"]}},
                             "output": n["output"], "activation": _activation(n["activation"])}
            if n["bias"] is not None:
                body["bias"] = {"int32": {"_0": _values(n["bias"])}}
            body |= {"outChannels": n["outChannels"], "groups": 1} if n["op"] == "conv2d" else {"depthMultiplier": n["depthMultiplier"]}
        elif n["op"] == "linear":
            w = n["weight"]
            body = common | {"input": n["inputs"][0], "outFeatures": n["outFeatures"],
                             "weight": {"quantized": {"_0": _values(w["values"]), "scales": w["scales"], "zeroPoints": w["zeroPoints"]}},
                             "output": n["output"], "activation": _activation(n["activation"])}
            if n["bias"] is not None:
                body["bias"] = {"int32": {"_0": _values(n["bias"])}}
        elif n["op"] in ("add", "sub", "mul"):
            body = common | {"inputs": n["inputs"], "output": n["output"], "activation": _activation(n["activation"])}
        elif n["op"] == "pool2d":
            body = common | {"input": n["inputs"][0], "kind": n["kind"], "kernel": _size2(n["kernel"]), "stride": _size2(n["stride"]),
                             "padding": {} if n["same"] else {"size": _size2([0, 0])}, "activation": _activation(n["activation"])}
        elif n["op"] == "mean":
            body = common | {"input": n["inputs"][0], "axes": n["axes"], "keepDims": n["keepDims"], "output": n["output"]}
        elif n["op"] == "reshape":
            body = common | {"input": n["inputs"][0], "target": {"shape": {"_0": n["shape"]}}}
        elif n["op"] == "concatenation":
            body = common | {"inputs": n["inputs"], "axis": n["axis"], "output": n["output"]}
        elif n["op"] == "quantize":
            body = common | {"input": n["inputs"][0], "output": n["output"]}
        elif n["op"] == "pad":
            body = common | {"input": n["inputs"][0], "padding": n["padding"]}
        elif n["op"] == "softmax":
            body = common | {"input": n["inputs"][0], "beta": n["beta"], "output": n["output"]}
        elif n["op"] == "lookup":
            body = common | {"input": n["inputs"][0], "function": n["function"], "output": n["output"]}
            if "alpha" in n:
                body["alpha"] = n["alpha"]
        layers.append({n["op"]: {"_0": body}})
    return {"name": model_name, "layers": layers, "requantization": {"name": "tflite"}, "location": AT}


def op_names(nodes):
    return sorted({n["op"] for n in nodes})


def _swift_quant(q):
    return f".{q['dtype']}(scale: {q['scale']!r}, zeroPoint: {q['zeroPoint']})"


def _swift_list(values):
    return "[" + ", ".join(repr(v) for v in values) + "]"


def swift_source(model_name, source, nodes, header, save):
    """A model.swift for the translated model; `save(file, array)` writes each weight and bias
    .npy next to it."""
    lines = [header, "import QGen", "", f'Model("{model_name}") {{',
             f'    Input("x", shape: {_swift_list(source["shape"])}, layout: .nhwc, {_swift_quant(source["quant"])})']
    previous = "x"
    for n in nodes:
        name = n["name"]
        read = "" if n["inputs"] == [previous] else f'input: "{n["inputs"][0]}", '
        args = []
        if n["op"] in ("conv2d", "depthwiseConv2d", "linear"):
            w = n["weight"]
            save(f"{name}_w.npy", w["values"])
            zero = all(z == 0 for z in w["zeroPoints"])
            scales = f"scale: {w['scales'][0]!r}" if len(w["scales"]) == 1 else f"scales: {_swift_list(w['scales'])}"
            weight = f'.int8(.npy("{name}_w.npy"), {scales}' + ("" if zero else f", zeroPoints: {_swift_list(w['zeroPoints'])}") + ")"
            if n["op"] == "linear":
                args.append(f"outFeatures: {n['outFeatures']}")
            else:
                if n["op"] == "conv2d":
                    args.append(f"outChannels: {n['outChannels']}")
                k = n["kernel"]
                args.append(f"kernel: {k[0] if k[0] == k[1] else _swift_list(k)}")
                if n["op"] == "depthwiseConv2d" and n["depthMultiplier"] != 1:
                    args.append(f"depthMultiplier: {n['depthMultiplier']}")
                st = n["stride"]
                if st != [1, 1]:
                    args.append(f"stride: {st[0] if st[0] == st[1] else _swift_list(st)}")
                if n["same"]:
                    args.append("padding: .same")
                d = n["dilation"]
                if d != [1, 1]:
                    args.append(f"dilation: {d[0] if d[0] == d[1] else _swift_list(d)}")
            args.append(f"weight: {weight}")
            if n["bias"] is not None:
                save(f"{name}_b.npy", n["bias"])
                args.append(f'bias: .int32(.npy("{name}_b.npy"))')
            args.append(f"output: {_swift_quant(n['output'])}")
            if n["activation"] != "none":
                args.append(f"activation: .{n['activation']}")
            call = {"conv2d": "Conv2d", "depthwiseConv2d": "DepthwiseConv2d", "linear": "Linear"}[n["op"]]
            text = f'{call}("{name}", {read}' + ", ".join(args) + ")"
        elif n["op"] in ("add", "sub", "mul"):
            act = "" if n["activation"] == "none" else f", activation: .{n['activation']}"
            call = n["op"].capitalize()
            text = f'{call}("{name}", "{n["inputs"][0]}", "{n["inputs"][1]}", output: {_swift_quant(n["output"])}{act})'
        elif n["op"] == "pool2d":
            call = "AvgPool2d" if n["kind"] == "average" else "MaxPool2d"
            k, st = n["kernel"], n["stride"]
            args = [f"kernel: {k[0] if k[0] == k[1] else _swift_list(k)}"]
            if st != k:
                args.append(f"stride: {st[0] if st[0] == st[1] else _swift_list(st)}")
            if n["same"]:
                args.append("padding: .same")
            if n["activation"] != "none":
                args.append(f"activation: .{n['activation']}")
            text = f'{call}("{name}", {read}' + ", ".join(args) + ")"
        elif n["op"] == "mean":
            text = f'Mean("{name}", {read}axes: {_swift_list(n["axes"])}, keepDims: {str(n["keepDims"]).lower()}, output: {_swift_quant(n["output"])})'
        elif n["op"] == "reshape":
            text = f'Reshape("{name}", {read}shape: {_swift_list(n["shape"])})'
        elif n["op"] == "concatenation":
            inputs = ", ".join(f'"{i}"' for i in n["inputs"])
            text = f'Concatenation("{name}", [{inputs}], axis: {n["axis"]}, output: {_swift_quant(n["output"])})'
        elif n["op"] == "quantize":
            text = f'Quantize("{name}", {read}output: {_swift_quant(n["output"])})'
        elif n["op"] == "pad":
            text = f'Pad("{name}", {read}padding: {n["padding"]})'
        elif n["op"] == "softmax":
            wide = f', output: {_swift_quant(n["output"])}' if n["output"]["dtype"] == "int16" else ""
            text = f'Softmax("{name}", {read}beta: {n["beta"]!r}{wide})'
        else:
            raise ValueError(n["op"])
        lines.append("    " + text)
        previous = name
    lines += ["}", ".requantization(.tflite)", ""]
    return "\n".join(lines)
