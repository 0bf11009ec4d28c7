import QGen

/// `qgen import`: an imported model as a model.swift and `.npy` files (weights int8, biases int32),
/// written so that the model.swift emits byte-identical C to the `.tflite` it came from: every DSL
/// call states the file and operator index as its `file:`/`line:` (the C's comments cite them), and
/// every scale is printed as the shortest decimal that reads back to the same double.
public enum SwiftModelWriter {
    public struct Output {
        /// The model.swift text.
        public var source: String
        /// `.npy` files (name relative to model.swift, bytes).
        public var npyFiles: [(String, [UInt8])]
    }

    public struct UnsupportedLayer: Error, CustomStringConvertible {
        public var description: String
    }

    /// `spec` must come from `TFLiteImporter` or `ONNXImporter` (its layers use the forms the importers write).
    public static func write(_ spec: ModelSpec, header: String) throws -> Output {
        var lines: [String] = []
        var files: [(String, [UInt8])] = []
        func at(_ l: SourceLocation) -> String { "file: \(literal(l.file)), line: \(l.line)" }
        /// `shape` with its one `-1` (if any) inferred from the element count.
        func npy(_ name: String, _ data: TensorData, int32: Bool, shape: [Int]) throws -> String {
            guard case .values(let values) = data else { throw UnsupportedLayer(description: "layer data from a .npy path cannot be re-imported") }
            let known = shape.filter { $0 != -1 }.reduce(1, *)
            let full = shape.map { $0 == -1 ? values.count / max(known, 1) : $0 }
            let file = "\(name)_\(int32 ? "b" : "w").npy"
            files.append((file, int32 ? NpyArray.encode(shape: full, int32: values.map { Int32($0) })
                                      : NpyArray.encode(shape: full, int8: values.map { Int8($0) })))
            return ".npy(\(literal(file)))"
        }
        func weights(_ name: String, _ w: Weights, shape: [Int]) throws -> String {
            guard case .quantized(let data, .values(let scales), let zeroPointData) = w else {
                throw UnsupportedLayer(description: "layer '\(name)': real-valued weights, or scales from a .npy path")
            }
            var zeroPoints = Array(repeating: 0.0, count: scales.count)
            if let zeroPointData {
                guard case .values(let values) = zeroPointData else { throw UnsupportedLayer(description: "layer '\(name)': zero points from a .npy path") }
                zeroPoints = values
            }
            let weights = try npy(name, data, int32: false, shape: shape)
            // Past a few channels, scales and zero points go to .npy files too: swiftc type-checks and
            // compiles long literal arrays slowly (a MobileNetV2's 17k scales took 5 s).
            guard scales.count > inlineParameterLimit else {
                return ".int8(\(weights), scales: \(list(scales.map(number))), zeroPoints: \(list(zeroPoints.map { String(Int($0)) })))"
            }
            files.append(("\(name)_scales.npy", NpyArray.encode(shape: [scales.count], float64: scales)))
            var text = ".int8(\(weights), scales: .npy(\(literal("\(name)_scales.npy")))"
            if zeroPoints.contains(where: { $0 != 0 }) {
                files.append(("\(name)_zero_points.npy", NpyArray.encode(shape: [zeroPoints.count], int8: zeroPoints.map { Int8($0) })))
                text += ", zeroPoints: .npy(\(literal("\(name)_zero_points.npy")))"
            }
            return text + ")"
        }
        func bias(_ name: String, _ b: Bias?) throws -> String {
            guard let b else { return "" }
            guard case .int32(let data) = b else { throw UnsupportedLayer(description: "layer '\(name)': a real-valued bias") }
            return ", bias: .int32(\(try npy(name, data, int32: true, shape: [-1])))"
        }
        for layer in spec.layers {
            let text: String
            switch layer {
            case .input(let x):
                text = "Input(\(literal(x.name)), shape: \(list(x.shape.map(String.init))), layout: .\(x.layout.rawValue), \(quant(x.quant)), \(at(x.location)))"
            case .conv2d(let c):
                // The importers give OHWI (TFLite) or OIHW (ONNX) weights.
                let oihw = c.weightLayout == .oihw
                let shape = oihw ? [c.outChannels, -1, c.kernel.height, c.kernel.width] : [c.outChannels, c.kernel.height, c.kernel.width, -1]
                text = "Conv2d(\(literal(c.name)), input: \(literal(c.input ?? "")), outChannels: \(c.outChannels), kernel: \(size(c.kernel)), stride: \(size(c.stride)), "
                    + "padding: \(padding(c.padding)), dilation: \(size(c.dilation)), groups: \(c.groups), weightLayout: .\(oihw ? "oihw" : "ohwi"),\n"
                    + "           weight: \(try weights(c.name, c.weight, shape: shape))\(try bias(c.name, c.bias)),\n"
                    + "           output: \(quant(c.output)), activation: \(activation(c.activation)), \(at(c.location)))"
            case .depthwiseConv2d(let d):
                text = "DepthwiseConv2d(\(literal(d.name)), input: \(literal(d.input ?? "")), kernel: \(size(d.kernel)), depthMultiplier: \(d.depthMultiplier), "
                    + "stride: \(size(d.stride)), padding: \(padding(d.padding)), dilation: \(size(d.dilation)), weightLayout: .oneHWC,\n"
                    + "                    weight: \(try weights(d.name, d.weight, shape: [1, d.kernel.height, d.kernel.width, -1]))\(try bias(d.name, d.bias)),\n"
                    + "                    output: \(quant(d.output)), activation: \(activation(d.activation)), \(at(d.location)))"
            case .linear(let l):
                text = "Linear(\(literal(l.name)), input: \(literal(l.input ?? "")), outFeatures: \(l.outFeatures),\n"
                    + "           weight: \(try weights(l.name, l.weight, shape: [l.outFeatures, -1]))\(try bias(l.name, l.bias)),\n"
                    + "           output: \(quant(l.output)), activation: \(activation(l.activation)), \(at(l.location)))"
            case .add(let a):
                text = "Add(\(literal(a.name)), \(literal(a.inputs[0])), \(literal(a.inputs[1])), output: \(quant(a.output)), activation: \(activation(a.activation))"
                    + formats(a.memoryFormats) + ", \(at(a.location)))"
            case .sub(let a):
                text = "Sub(\(literal(a.name)), \(literal(a.inputs[0])), \(literal(a.inputs[1])), output: \(quant(a.output)), activation: \(activation(a.activation)), \(at(a.location)))"
            case .mul(let a):
                text = "Mul(\(literal(a.name)), \(literal(a.inputs[0])), \(literal(a.inputs[1])), output: \(quant(a.output)), activation: \(activation(a.activation)), \(at(a.location)))"
            case .pool2d(let p):
                text = "\(p.kind == .max ? "MaxPool2d" : "AvgPool2d")(\(literal(p.name)), input: \(literal(p.input ?? "")), kernel: \(size(p.kernel)), "
                    + "stride: \(size(p.stride)), padding: \(padding(p.padding)), activation: \(activation(p.activation))"
                    + (p.ceilMode ? ", ceilMode: true" : "") + (p.countIncludePad ? ", countIncludePad: true" : "")
                    + (p.divisor.map { ", divisor: \($0)" } ?? "") + formats(p.memoryFormats) + (p.output.map { ", output: \(quant($0))" } ?? "")
                    + ", \(at(p.location)))"
            case .mean(let m):
                text = "Mean(\(literal(m.name)), input: \(literal(m.input ?? "")), axes: \(list(m.axes.map(String.init))), keepDims: \(m.keepDims), output: \(quant(m.output))"
                    + (m.atenOp.map { ", atenOp: .\($0.rawValue)" } ?? "") + formats(m.memoryFormats) + ", \(at(m.location)))"
            case .reshape(let r):
                guard case .shape(let shape) = r.target else { throw UnsupportedLayer(description: "layer '\(r.name)': a Flatten or Squeeze") }
                text = "Reshape(\(literal(r.name)), input: \(literal(r.input ?? "")), shape: \(list(shape.map(String.init)))"
                    + (r.layout.map { ", layout: .\($0.rawValue)" } ?? "") + ", \(at(r.location)))"
            case .concatenation(let c):
                text = "Concatenation(\(literal(c.name)), \(list(c.inputs.map(literal))), axis: \(c.axis)"
                    + (c.output.map { ", output: \(quant($0))" } ?? "") + formats(c.memoryFormats) + ", \(at(c.location)))"
            case .pad(let p):
                text = "Pad(\(literal(p.name)), input: \(literal(p.input ?? "")), padding: \(list(p.padding.map { list($0.map(String.init)) })), \(at(p.location)))"
            case .transpose(let t):
                text = "Transpose(\(literal(t.name)), input: \(literal(t.input ?? "")), permutation: \(list(t.permutation.map(String.init)))"
                    + (t.layout.map { ", layout: .\($0.rawValue)" } ?? "") + ", \(at(t.location)))"
            case .slice(let s):
                text = "Slice(\(literal(s.name)), input: \(literal(s.input ?? "")), axis: \(s.axis), start: \(s.start), end: \(s.end)"
                    + (s.step == 1 ? "" : ", step: \(s.step)") + ", \(at(s.location)))"
            case .quantize(let q):
                text = "Quantize(\(literal(q.name)), input: \(literal(q.input ?? "")), output: \(quant(q.output)), \(at(q.location)))"
            case .softmax(let s):
                text = "Softmax(\(literal(s.name)), input: \(literal(s.input ?? "")), beta: \(number(s.beta))" + (s.output.map { ", output: \(quant($0))" } ?? "") + ", \(at(s.location)))"
            case .lookup(let l):
                let function: String
                switch l.function {
                case .logistic: function = "Logistic"
                case .tanh: function = "Tanh"
                case .relu: function = "ReLU"
                case .relu6: function = "ReLU6"
                case .leakyRelu: function = "LeakyReLU"
                case .hardSwish: function = "HardSwish"
                case .hardSigmoid: function = "HardSigmoid"
                }
                text = "\(function)(\(literal(l.name)), input: \(literal(l.input ?? ""))" + (l.alpha.map { ", alpha: \(number($0))" } ?? "")
                    + (l.output.map { ", output: \(quant($0))" } ?? "") + formats(l.memoryFormats) + ", \(at(l.location)))"
            }
            lines.append("    " + text)
        }
        let scheme = spec.requantization.map { ".requantization(Requantization(name: \(literal($0.name))))\n" } ?? ""
        let source = header + "import QGen\n\nModel(\(literal(spec.name)), \(at(spec.location))) {\n" + lines.joined(separator: "\n") + "\n}\n" + scheme
        return Output(source: source, npyFiles: files)
    }

    static func literal(_ s: String) -> String {
        "\"" + s.unicodeScalars.map { c -> String in
            switch c {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            case " "..."~": return String(c)
            default: return "\\u{\(String(c.value, radix: 16))}"
            }
        }.joined() + "\""
    }

    /// The shortest decimal that reads back to the same double (Swift's `description`).
    static func number(_ x: Double) -> String { x.description }
    /// The most per-channel scales written inline; more go to `<layer>_scales.npy`.
    static let inlineParameterLimit = 8
    static func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }

    /// `, memoryFormats: [...]`, or nothing for the default (all contiguous).
    static func formats(_ formats: [MemoryFormat]) -> String {
        formats.allSatisfy { $0 == .contiguous } ? "" : ", memoryFormats: " + list(formats.map { ".\($0.rawValue)" })
    }
    static func size(_ s: Size2) -> String { "Size2(\(s.height), \(s.width))" }
    static func padding(_ p: Padding) -> String { p.size.map { "Padding(\(size($0)))" } ?? ".same" }

    static func quant(_ q: QuantParams) -> String { ".\(q.dtype.rawValue)(scale: \(number(q.scale)), zeroPoint: \(q.zeroPoint))" }

    static func activation(_ a: Activation) -> String {
        switch a {
        case .none: return ".none"
        case .relu: return ".relu"
        case .relu6: return ".relu6"
        case .clamp(let lo, let hi): return ".clamp(min: \(number(lo)), max: \(number(hi)))"
        }
    }
}
