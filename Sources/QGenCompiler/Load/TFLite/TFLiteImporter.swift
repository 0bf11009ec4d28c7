import Foundation
import QGen

/// Reads an int8 `.tflite` file (TensorFlow's converter with full-integer quantization) into the
/// model a model.swift would describe: one DSL node per operator, in the file's order, on TFLite's
/// layouts (NHWC activations, OHWI and 1HWC weights), with the file's float32 scales, zero points,
/// int8 weights and int32 biases. Layers are named after their operator and its index (`conv_3` is
/// operator 3), and every node's location is the file with the operator index as its line, so a
/// diagnostic names the operator. A float32 input behind a QUANTIZE, or a float32 output behind a
/// DEQUANTIZE, becomes the int8 boundary (`--float-io` gives TFLite's conversions back).
public enum TFLiteImporter {
    public struct ImportError: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { "error: " + message }
    }

    /// The builtin operators qgen reads (schema.fbs `BuiltinOperator`).
    enum Builtin: Int32 {
        case add = 0, averagePool2d = 1, concatenation = 2, conv2d = 3, depthwiseConv2d = 4, dequantize = 6, fullyConnected = 9
        case logistic = 14, maxPool2d = 17, mul = 18, relu = 19, relu6 = 21, reshape = 22, softmax = 25, tanh = 28, pad = 34
        case mean = 40, sub = 41, squeeze = 43, padV2 = 60, expandDims = 70, leakyRelu = 98, quantize = 114, hardSwish = 117

        var name: String {
            switch self {
            case .add: return "ADD"
            case .averagePool2d: return "AVERAGE_POOL_2D"
            case .concatenation: return "CONCATENATION"
            case .conv2d: return "CONV_2D"
            case .depthwiseConv2d: return "DEPTHWISE_CONV_2D"
            case .dequantize: return "DEQUANTIZE"
            case .fullyConnected: return "FULLY_CONNECTED"
            case .logistic: return "LOGISTIC"
            case .maxPool2d: return "MAX_POOL_2D"
            case .mul: return "MUL"
            case .relu: return "RELU"
            case .relu6: return "RELU6"
            case .reshape: return "RESHAPE"
            case .softmax: return "SOFTMAX"
            case .tanh: return "TANH"
            case .pad: return "PAD"
            case .mean: return "MEAN"
            case .sub: return "SUB"
            case .squeeze: return "SQUEEZE"
            case .padV2: return "PADV2"
            case .expandDims: return "EXPAND_DIMS"
            case .leakyRelu: return "LEAKY_RELU"
            case .quantize: return "QUANTIZE"
            case .hardSwish: return "HARD_SWISH"
            }
        }

        /// The layer-name prefix.
        var prefix: String {
            switch self {
            case .conv2d: return "conv"
            case .depthwiseConv2d: return "dw"
            case .fullyConnected: return "fc"
            case .averagePool2d: return "avgpool"
            case .maxPool2d: return "maxpool"
            case .concatenation: return "concat"
            case .padV2: return "pad"
            case .expandDims: return "reshape"
            case .leakyRelu: return "leakyrelu"
            case .hardSwish: return "hardswish"
            default: return name.lowercased()
            }
        }
    }

    /// Reads `path` into a model named after the file (its stem).
    public static func load(path: String) throws -> ModelSpec {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError(message: "\(path): cannot read the file")
        }
        let stem = url.deletingPathExtension().lastPathComponent
        return try model([UInt8](data), name: stem, fileName: url.lastPathComponent)
    }

    /// The model of a `.tflite` file's bytes.
    public static func model(_ bytes: [UInt8], name: String, fileName: String) throws -> ModelSpec {
        let file: TFLiteFile
        do {
            file = try TFLiteFile(bytes: bytes)
        } catch let error as FlatBuffer.Error {
            throw ImportError(message: "\(fileName): not a readable TFLite flatbuffer: \(error)")
        }
        var importer = Importer(file: file, fileName: fileName)
        let layers = try importer.translate()
        return ModelSpec(name: name, layers: layers, requantization: nil, location: SourceLocation(file: fileName, line: 0))
    }
}

/// One pass over the operators: tensor index → the layer that produces it.
private struct Importer {
    typealias Builtin = TFLiteImporter.Builtin
    let file: TFLiteFile
    let fileName: String
    /// The DSL name of each tensor that a layer (or the Input) produces.
    var names: [Int: String] = [:]
    var layers: [LayerSpec] = []

    init(file: TFLiteFile, fileName: String) {
        self.file = file
        self.fileName = fileName
    }

    func fail(_ index: Int?, _ what: String) -> TFLiteImporter.ImportError {
        TFLiteImporter.ImportError(message: index.map { "\(fileName): operator \($0): \(what)" } ?? "\(fileName): \(what)")
    }

    func tensor(_ i: Int32, _ index: Int?, _ role: String) throws -> TFLiteFile.Tensor {
        guard i >= 0, Int(i) < file.tensors.count else { throw fail(index, "its \(role) is tensor \(i), but the subgraph has \(file.tensors.count) tensors") }
        return file.tensors[Int(i)]
    }

    /// The int8/uint8/int16 quantization of an activation tensor (one scale, one zero point).
    func quant(_ t: TFLiteFile.Tensor, _ index: Int?, _ role: String) throws -> QuantParams {
        let dtype: DType
        switch t.tensorType {
        case .int8?: dtype = .int8
        case .uint8?: dtype = .uint8
        case .int16?: dtype = .int16
        default: throw fail(index, "its \(role) '\(t.name)' is \(t.tensorType?.name ?? "type \(t.type)"); qgen compiles int8 models (full-integer quantization)")
        }
        guard let q = t.quantization, q.scales.count == 1, q.zeroPoints.count == 1 else {
            throw fail(index, "its \(role) '\(t.name)' has \(t.quantization?.scales.count ?? 0) scales; an activation needs one scale and one zero point")
        }
        return QuantParams(dtype: dtype, scale: Double(q.scales[0]), zeroPoint: Int(q.zeroPoints[0]))
    }

    func shape(_ t: TFLiteFile.Tensor) -> [Int] { t.shape.map(Int.init) }

    /// The element count of a shape, or nil when a dimension is negative or the product overflows.
    func elementCount(_ shape: [Int32]) -> Int? {
        var count = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(d))
            if overflow { return nil }
            count = product
        }
        return count
    }

    /// A constant tensor's bytes (its buffer), checked against its shape and element size.
    func constant(_ t: TFLiteFile.Tensor, _ index: Int, _ role: String, elementSize: Int) throws -> ArraySlice<UInt8> {
        guard Int(t.buffer) < file.buffers.count, !file.buffers[Int(t.buffer)].isEmpty else {
            throw fail(index, "its \(role) '\(t.name)' is not a constant (no buffer data); qgen needs constant weights, biases and parameters")
        }
        if t.hasSparsity { throw fail(index, "its \(role) '\(t.name)' is sparse; qgen reads dense tensors") }
        let data = file.buffers[Int(t.buffer)]
        guard let count = elementCount(t.shape), data.count / elementSize == count, data.count % elementSize == 0 else {
            throw fail(index, "its \(role) '\(t.name)' has \(data.count) bytes for shape \(t.shape) of \(elementSize)-byte elements")
        }
        return data
    }

    func int8s(_ t: TFLiteFile.Tensor, _ index: Int, _ role: String) throws -> [Double] {
        guard t.tensorType == .int8 else { throw fail(index, "its \(role) '\(t.name)' is \(t.tensorType?.name ?? "type \(t.type)"), not INT8") }
        return try constant(t, index, role, elementSize: 1).map { Double(Int8(bitPattern: $0)) }
    }

    func int32s(_ t: TFLiteFile.Tensor, _ index: Int, _ role: String) throws -> [Int] {
        switch t.tensorType {
        case .int32?:
            let b = Array(try constant(t, index, role, elementSize: 4))
            return stride(from: 0, to: b.count, by: 4).map { Int(Int32(bitPattern: UInt32(b[$0]) | UInt32(b[$0 + 1]) << 8 | UInt32(b[$0 + 2]) << 16 | UInt32(b[$0 + 3]) << 24)) }
        case .int64?:
            let b = Array(try constant(t, index, role, elementSize: 8))
            return try stride(from: 0, to: b.count, by: 8).map { i in
                let v = Int64(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[i + $1]) << (8 * UInt64($1)) })
                guard let small = Int32(exactly: v) else { throw fail(index, "its \(role) '\(t.name)' holds \(v), beyond int32") }
                return Int(small)
            }
        default:
            throw fail(index, "its \(role) '\(t.name)' is \(t.tensorType?.name ?? "type \(t.type)"), not INT32")
        }
    }

    /// Quantized weights with their per-tensor or per-channel (`axis`) scales and zero points.
    func weights(_ t: TFLiteFile.Tensor, _ index: Int, axis: Int) throws -> Weights {
        let values = try int8s(t, index, "weight")
        guard let q = t.quantization, !q.scales.isEmpty, q.scales.count == q.zeroPoints.count else {
            throw fail(index, "its weight '\(t.name)' has no quantization (scales and zero points); qgen compiles int8 models")
        }
        if q.scales.count > 1 {
            guard Int(q.quantizedDimension) == axis, axis < t.shape.count, Int(t.shape[axis]) == q.scales.count else {
                throw fail(index, "its weight '\(t.name)' \(t.shape) is quantized per axis \(q.quantizedDimension) with \(q.scales.count) scales; qgen takes per-channel scales on axis \(axis) (the output channels)")
            }
        }
        return .int8(.values(values), scales: q.scales.map(Double.init), zeroPoints: q.zeroPoints.map(Int.init))
    }

    func bias(_ op: TFLiteFile.Operator, _ index: Int) throws -> Bias? {
        guard op.inputs.count > 2, op.inputs[2] >= 0 else { return nil }
        let t = try tensor(op.inputs[2], index, "bias")
        return .int32(.values(try int32s(t, index, "bias").map(Double.init)))
    }

    func activation(_ code: Int8, _ index: Int) throws -> Activation {
        switch code {
        case 0: return .none
        case 1: return .relu
        case 2: return .clamp(min: -1, max: 1)
        case 3: return .relu6
        default: throw fail(index, "its fused activation \(code) (TANH, SIGN_BIT or RELU_N1_TO_1 variants) is not one qgen fuses; qgen takes NONE, RELU, RELU_N1_TO_1 and RELU6")
        }
    }

    func padding(_ code: Int8, _ index: Int) throws -> Padding {
        switch code {
        case 0: return .same
        case 1: return .valid
        default: throw fail(index, "its padding \(code) is neither SAME (0) nor VALID (1)")
        }
    }

    /// The operator's builtin kind, or nil (an opcode index beyond the codes, an unknown code).
    func builtin(_ op: TFLiteFile.Operator) -> Builtin? {
        guard Int(op.opcodeIndex) < file.operatorCodes.count else { return nil }
        return Builtin(rawValue: file.operatorCodes[Int(op.opcodeIndex)].builtinCode)
    }

    /// The DSL name of the tensor an operator reads.
    func source(_ i: Int32, _ index: Int, _ role: String) throws -> String {
        _ = try tensor(i, index, role)
        guard let name = names[Int(i)] else {
            throw fail(index, "its \(role) is tensor \(i) ('\(file.tensors[Int(i)].name)'), which no earlier operator produces and which is not a model input")
        }
        return name
    }

    mutating func translate() throws -> [LayerSpec] {
        if file.subgraphCount > 1 {
            throw fail(nil, "the model has \(file.subgraphCount) subgraphs (control flow); qgen compiles models with one")
        }
        var consumedAtInput: Set<Int> = []
        // Inputs: int8 tensors, or float32 behind a QUANTIZE (its output is the int8 boundary).
        for (k, i) in file.inputs.enumerated() {
            let t = try tensor(i, nil, "input \(k)")
            var boundary = Int(i)
            if t.tensorType == .float32,
               let (opIndex, op) = file.operators.enumerated().first(where: { $0.element.inputs.first == i }),
               builtin(op) == .quantize, let out = op.outputs.first {
                boundary = Int(out)
                consumedAtInput.insert(opIndex)
            }
            let bt = try tensor(Int32(boundary), nil, "input \(k)")
            let q = try quant(bt, nil, "input \(k)")
            guard q.dtype != .int16 else { throw fail(nil, "input \(k) '\(bt.name)' is INT16; qgen's inputs are int8 or uint8") }
            let name = k == 0 ? "x" : "x\(k)"
            names[boundary] = name
            layers.append(Input(name, shape: shape(bt), layout: bt.shape.count == 4 ? .nhwc : .nchw, q, file: fileName, line: 0).layerSpec)
        }
        let dequantizedOutputs = Set(file.operators.enumerated().compactMap { i, op -> Int? in
            guard builtin(op) == .dequantize, let out = op.outputs.first, file.outputs.contains(out) else { return nil }
            return i
        })
        for (i, op) in file.operators.enumerated() where !consumedAtInput.contains(i) && !dequantizedOutputs.contains(i) {
            try translate(op, index: i)
        }
        // The model outputs must be what the last layers produce (qgen's outputs are the unread layers).
        for o in file.outputs {
            var producer = o
            if let d = dequantizedOutputs.first(where: { file.operators[$0].outputs.first == o }) { producer = file.operators[d].inputs.first ?? o }
            guard names[Int(producer)] != nil else { throw fail(nil, "output tensor \(o) is produced by no operator qgen read") }
        }
        return layers
    }

    mutating func translate(_ op: TFLiteFile.Operator, index: Int) throws {
        guard Int(op.opcodeIndex) < file.operatorCodes.count else {
            throw fail(index, "its opcode index \(op.opcodeIndex) is beyond the model's \(file.operatorCodes.count) operator codes")
        }
        let code = file.operatorCodes[Int(op.opcodeIndex)]
        guard let kind = Builtin(rawValue: code.builtinCode) else {
            let what = code.builtinCode == 32 ? "the custom operator '\(code.customCode ?? "")'" : "builtin operator \(code.builtinCode)"
            throw fail(index, "\(what) is not in qgen's int8 op set (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, ADD, SUB, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, RESHAPE, SQUEEZE, EXPAND_DIMS, CONCATENATION, PAD, PADV2, SOFTMAX, LOGISTIC, TANH, HARD_SWISH, RELU, RELU6, LEAKY_RELU, QUANTIZE)")
        }
        guard op.outputs.count == 1, let outIndex = op.outputs.first else { throw fail(index, "\(kind.name) has \(op.outputs.count) outputs, not 1") }
        let out = try tensor(outIndex, index, "output")
        let name = "\(kind.prefix)_\(index)"
        let options = op.options
        func needOptions(_ type: UInt8) throws -> FlatBuffer.Table {
            guard op.optionsType == type, let o = options else {
                throw fail(index, "\(kind.name) has options of type \(op.optionsType), not \(type)")
            }
            return o
        }
        func input(_ k: Int, _ role: String = "input") throws -> String {
            guard k < op.inputs.count else { throw fail(index, "\(kind.name) has \(op.inputs.count) inputs; its \(role) is missing") }
            return try source(op.inputs[k], index, role)
        }
        func inputTensor(_ k: Int, _ role: String) throws -> TFLiteFile.Tensor {
            guard k < op.inputs.count else { throw fail(index, "\(kind.name) has \(op.inputs.count) inputs; its \(role) is missing") }
            return try tensor(op.inputs[k], index, role)
        }
        let outQuant = try quant(out, index, "output")
        var extra: [LayerSpec] = []
        let layer: LayerSpec
        switch kind {
        case .conv2d:
            let o = try needOptions(1)
            let x = try input(0), w = try inputTensor(1, "weight")
            guard w.shape.count == 4 else { throw fail(index, "CONV_2D's weight has shape \(w.shape), not [O, kH, kW, I]") }
            let inChannels = try inputTensor(0, "input").shape.last.map(Int.init) ?? 0
            let groups = Int(w.shape[3]) > 0 && inChannels % Int(w.shape[3]) == 0 ? inChannels / Int(w.shape[3]) : 1
            layer = Conv2d(name, input: x, outChannels: Int(w.shape[0]), kernel: Size2(Int(w.shape[1]), Int(w.shape[2])),
                           stride: Size2(Int(try o.int32(2)), Int(try o.int32(1))), padding: try padding(try o.int8(0), index),
                           dilation: Size2(Int(try o.int32(5, default: 1)), Int(try o.int32(4, default: 1))), groups: groups, weightLayout: .ohwi,
                           weight: try weights(w, index, axis: 0), bias: try bias(op, index), output: outQuant,
                           activation: try activation(try o.int8(3), index), file: fileName, line: index).layerSpec
        case .depthwiseConv2d:
            let o = try needOptions(2)
            let x = try input(0), w = try inputTensor(1, "weight")
            guard w.shape.count == 4, w.shape[0] == 1 else { throw fail(index, "DEPTHWISE_CONV_2D's weight has shape \(w.shape), not [1, kH, kW, C·m]") }
            let inChannels = Int(try inputTensor(0, "input").shape.last ?? 1)
            let multiplier = inChannels > 0 ? Int(w.shape[3]) / inChannels : 1
            layer = DepthwiseConv2d(name, input: x, kernel: Size2(Int(w.shape[1]), Int(w.shape[2])), depthMultiplier: max(multiplier, 1),
                                    stride: Size2(Int(try o.int32(2)), Int(try o.int32(1))), padding: try padding(try o.int8(0), index),
                                    dilation: Size2(Int(try o.int32(6, default: 1)), Int(try o.int32(5, default: 1))), weightLayout: .oneHWC,
                                    weight: try weights(w, index, axis: 3), bias: try bias(op, index), output: outQuant,
                                    activation: try activation(try o.int8(4), index), file: fileName, line: index).layerSpec
        case .fullyConnected:
            let o = try needOptions(8)
            guard try o.int8(1) == 0 else { throw fail(index, "FULLY_CONNECTED has shuffled weights (weights_format \(try o.int8(1))); qgen reads the DEFAULT format") }
            var x = try input(0)
            let w = try inputTensor(1, "weight")
            guard w.shape.count == 2 else { throw fail(index, "FULLY_CONNECTED's weight has shape \(w.shape), not [O, I]") }
            let xt = try inputTensor(0, "input")
            if !(try o.bool(2)) && (xt.shape.count != 2 || xt.shape.last != w.shape[1]) {
                // Without keep_num_dims TFLite flattens the input to [-1, I].
                let flat = "\(name)_flat"
                extra.append(Reshape(flat, input: x, shape: [-1, Int(w.shape[1])], file: fileName, line: index).layerSpec)
                x = flat
            }
            layer = Linear(name, input: x, outFeatures: Int(w.shape[0]), weight: try weights(w, index, axis: 0), bias: try bias(op, index),
                           output: outQuant, activation: try activation(try o.int8(0), index), file: fileName, line: index).layerSpec
        case .add, .sub, .mul:
            let o = try needOptions(kind == .add ? 11 : kind == .sub ? 28 : 21)
            var operands: [String] = []
            for k in 0..<2 {
                let t = try inputTensor(k, "input \(k + 1)")
                var n = try input(k, "input \(k + 1)")
                if t.shape != out.shape {
                    // TFLite broadcasts [n] against [1, n]: the same elements, a reshape.
                    guard let a = elementCount(t.shape), a == elementCount(out.shape) else {
                        throw fail(index, "\(kind.name) broadcasts \(t.shape) to \(out.shape); qgen's \(kind.name) takes inputs of the output's shape")
                    }
                    let reshaped = "\(name)_in\(k)"
                    extra.append(Reshape(reshaped, input: n, shape: shape(out), file: fileName, line: index).layerSpec)
                    n = reshaped
                }
                operands.append(n)
            }
            let act = try activation(try o.int8(0), index)
            switch kind {
            case .add: layer = Add(name, operands[0], operands[1], output: outQuant, activation: act, file: fileName, line: index).layerSpec
            case .sub: layer = Sub(name, operands[0], operands[1], output: outQuant, activation: act, file: fileName, line: index).layerSpec
            default: layer = Mul(name, operands[0], operands[1], output: outQuant, activation: act, file: fileName, line: index).layerSpec
            }
        case .averagePool2d, .maxPool2d:
            let o = try needOptions(5)
            let x = try input(0)
            let kernel = Size2(Int(try o.int32(4)), Int(try o.int32(3))), stride = Size2(Int(try o.int32(2)), Int(try o.int32(1)))
            let pad = try padding(try o.int8(0), index), act = try activation(try o.int8(5), index)
            layer = (kind == .maxPool2d ? MaxPool2d(name, input: x, kernel: kernel, stride: stride, padding: pad, activation: act, file: fileName, line: index)
                                        : AvgPool2d(name, input: x, kernel: kernel, stride: stride, padding: pad, activation: act, file: fileName, line: index)).layerSpec
        case .mean:
            let o = try needOptions(27)
            let axes = try int32s(try inputTensor(1, "axes"), index, "axes")
            layer = Mean(name, input: try input(0), axes: axes, keepDims: try o.bool(0), output: outQuant, file: fileName, line: index).layerSpec
        case .reshape, .squeeze, .expandDims:
            // TFLite's 4-D activations are NHWC.
            layer = Reshape(name, input: try input(0), shape: shape(out), layout: out.shape.count == 4 ? .nhwc : nil, file: fileName, line: index).layerSpec
        case .concatenation:
            let o = try needOptions(10)
            guard try o.int8(1) == 0 else { throw fail(index, "CONCATENATION has a fused activation; qgen's Concatenation has none") }
            let sources = try (0..<op.inputs.count).map { try input($0, "input \($0 + 1)") }
            layer = Concatenation(name, sources, axis: Int(try o.int32(0)), output: outQuant, file: fileName, line: index).layerSpec
        case .pad, .padV2:
            let amounts = try int32s(try inputTensor(1, "paddings"), index, "paddings")
            if kind == .padV2, op.inputs.count > 2 {
                let value = try int8s(try inputTensor(2, "constant value"), index, "constant value")
                guard value.count == 1, Int(value[0]) == outQuant.zeroPoint else {
                    throw fail(index, "PADV2 pads with \(value), not the zero point \(outQuant.zeroPoint); qgen's Pad pads with the zero point")
                }
            }
            guard amounts.count % 2 == 0 else { throw fail(index, "\(kind.name)'s paddings hold \(amounts.count) values, not pairs") }
            layer = Pad(name, input: try input(0), padding: stride(from: 0, to: amounts.count, by: 2).map { [amounts[$0], amounts[$0 + 1]] },
                        file: fileName, line: index).layerSpec
        case .softmax:
            let o = try needOptions(9)
            layer = Softmax(name, input: try input(0), beta: Double(try o.float32(0)), output: outQuant, file: fileName, line: index).layerSpec
        case .logistic, .tanh, .relu, .relu6, .leakyRelu, .hardSwish:
            let x = try input(0)
            switch kind {
            case .logistic: layer = Logistic(name, input: x, output: outQuant, file: fileName, line: index).layerSpec
            case .tanh: layer = Tanh(name, input: x, output: outQuant, file: fileName, line: index).layerSpec
            case .relu: layer = ReLU(name, input: x, output: outQuant, file: fileName, line: index).layerSpec
            case .relu6: layer = ReLU6(name, input: x, output: outQuant, file: fileName, line: index).layerSpec
            case .hardSwish: layer = HardSwish(name, input: x, output: outQuant, file: fileName, line: index).layerSpec
            default:
                let o = try needOptions(75)
                layer = LeakyReLU(name, input: x, alpha: Double(try o.float32(0)), output: outQuant, file: fileName, line: index).layerSpec
            }
        case .quantize:
            layer = Quantize(name, input: try input(0), output: outQuant, file: fileName, line: index).layerSpec
        case .dequantize:
            throw fail(index, "DEQUANTIZE inside the graph (not at a model output) makes float data; qgen compiles integer graphs")
        }
        layers += extra
        layers.append(layer)
        names[Int(outIndex)] = name
    }
}
