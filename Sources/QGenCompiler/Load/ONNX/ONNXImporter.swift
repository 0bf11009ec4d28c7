import Foundation
import QGen
import SwiftProtobuf

/// Reads a quantized ONNX model into the model a model.swift would describe, under the
/// `onnxRuntime` scheme: what ONNX Runtime's CPU provider computes for the graph.
///
/// Both forms ONNX Runtime's quantization tools write are read:
/// - QOperator: QLinearConv, QLinearMatMul, QGemm, QLinearAdd, QLinearMul, QLinearGlobalAveragePool,
///   QLinearAveragePool, QLinearConcat, QLinearSigmoid, QLinearLeakyRelu, QLinearSoftmax, and MaxPool, Flatten,
///   Reshape, Transpose on quantized tensors.
/// - QDQ (`quantize_static`'s default): DequantizeLinear → float op → QuantizeLinear. ONNX Runtime
///   fuses each such group into the QOperator node above before it runs (its QDQ transformers), so
///   qgen reads the group as that node: Conv, MatMul, Gemm, Add, Mul, GlobalAveragePool, AveragePool,
///   Concat, Sigmoid, LeakyRelu, Softmax with DQ inputs
///   and one Q consumer; MaxPool, Flatten and Reshape whose Q/DQ pair it drops (equal scales and
///   zero points).
///
/// On x86-64 ONNX Runtime also converts a QDQ model's int8 activations to uint8 (its
/// QDQS8ToU8Transformer: every code and zero point + 128, weights unchanged) before running it, and
/// its uint8 QLinearAdd rounds differently from its int8 one. qgen reads such a model the same way:
/// its tensors, inputs and outputs are uint8 with the zero points + 128 (the codes of the file's
/// int8 tensors + 128; with `--float-io` the C takes and returns the same floats as the file).
///
/// Activations are NCHW (ONNX's layout) and weights keep ONNX's OIHW. A float graph input behind a
/// QuantizeLinear, or a float output behind a DequantizeLinear, becomes the integer boundary, as in
/// the `.tflite` importer. Layers are named after their op and node index (`conv_3` is node 3) and
/// located at the file with the node index as line, so a diagnostic names the node.
public enum ONNXImporter {
    public struct ImportError: Error, CustomStringConvertible, Equatable {
        public var message: String
        public var description: String { "error: " + message }
    }

    /// A model read from a file, with what qgen could read but not reproduce exactly.
    public struct Imported {
        public var model: ModelSpec
        /// One line per node whose ONNX Runtime arithmetic qgen does not reproduce bit for bit.
        public var warnings: [String]
    }

    /// Reads `path` into a model named after the file (its stem).
    public static func load(path: String) throws -> ModelSpec { try read(path: path).model }

    /// Reads `path` into a model named after the file (its stem), with the import's warnings.
    public static func read(path: String) throws -> Imported {
        let url = URL(fileURLWithPath: path)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError(message: "\(path): cannot read the file")
        }
        return try read([UInt8](data), name: url.deletingPathExtension().lastPathComponent, fileName: url.lastPathComponent)
    }

    /// The model of an `.onnx` file's bytes.
    public static func model(_ bytes: [UInt8], name: String, fileName: String) throws -> ModelSpec {
        try read(bytes, name: name, fileName: fileName).model
    }

    /// The model of an `.onnx` file's bytes, with the import's warnings.
    public static func read(_ bytes: [UInt8], name: String, fileName: String) throws -> Imported {
        let proto: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            proto = try Onnx_ModelProto(serializedBytes: bytes, options: options)
        } catch {
            throw ImportError(message: "\(fileName): not a readable ONNX protobuf (\(error))")
        }
        guard proto.hasGraph else { throw ImportError(message: "\(fileName): the model has no graph") }
        var importer = ONNXGraphReader(graph: proto.graph, fileName: fileName)
        // The default domain's opset (Softmax's axis rule changed at 13).
        importer.opsetVersion = Int(proto.opsetImport.first { $0.domain.isEmpty || $0.domain == "ai.onnx" }?.version ?? 13)
        let layers = try importer.translate()
        return Imported(model: ModelSpec(name: name, layers: layers, requantization: Requantization(name: "onnxRuntime"),
                                         location: SourceLocation(file: fileName, line: 0)),
                        warnings: importer.warnings)
    }
}

/// One pass over the nodes (ONNX stores them in topological order).
struct ONNXGraphReader {
    typealias ImportError = ONNXImporter.ImportError

    /// An integer tensor a layer (or the Input) produces.
    struct Quantized {
        var layer: String
        var quant: QuantParams
        var shape: [Int]
    }

    /// A DequantizeLinear of a constant: quantized weights or an int32 bias.
    struct QuantizedConstant {
        var constant: ONNXConstant
        var scales: [Double]
        var zeroPoints: [Int]
        var axis: Int
    }

    let graph: Onnx_GraphProto
    let fileName: String
    var constants: [String: ONNXConstant] = [:]
    var quantized: [String: Quantized] = [:]
    /// DequantizeLinear outputs of activations: the quantized tensor they read.
    var dequantized: [String: String] = [:]
    var quantizedConstants: [String: QuantizedConstant] = [:]
    /// Nodes already read as part of another node's group (QDQ).
    var consumed: Set<Int> = []
    var consumers: [String: [Int]] = [:]
    var graphOutputs: Set<String> = []
    var layers: [LayerSpec] = []
    /// A QDQ model (no QOperator nodes): int8 activations become uint8, as ONNX Runtime runs them.
    var convertsS8ToU8 = false
    /// Quantized tensors the file stores as int8.
    var int8Tensors: Set<String> = []
    var warnings: [String] = []
    /// The model's default-domain opset.
    var opsetVersion = 13

    init(graph: Onnx_GraphProto, fileName: String) {
        self.graph = graph
        self.fileName = fileName
    }

    func fail(_ index: Int?, _ what: String) -> ImportError {
        guard let index else { return ImportError(message: "\(fileName): \(what)") }
        let node = graph.node[index]
        let name = node.name.isEmpty ? "" : " '\(printable(node.name))'"
        return ImportError(message: "\(fileName): node \(index)\(name) (\(node.opType)): \(what)")
    }

    static let supported = "QOperator: QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul, QGemm, QLinearAdd, QLinearMul, QLinearGlobalAveragePool, QLinearAveragePool, QLinearConcat, QLinearSigmoid, QLinearLeakyRelu, QLinearSoftmax, MaxPool, Flatten, Reshape, Transpose, Slice, Split; QDQ: Conv, MatMul, Gemm, Add, Mul, GlobalAveragePool, AveragePool, Concat, Sigmoid, LeakyRelu, Softmax, MaxPool, Flatten, Reshape, Transpose, Slice, Split between DequantizeLinear and QuantizeLinear"

    mutating func translate() throws -> [LayerSpec] {
        for (k, t) in graph.initializer.enumerated() {
            constants[t.name] = try ONNXConstant(t, what: "\(fileName): initializer \(k) '\(printable(t.name))'")
        }
        for (i, node) in graph.node.enumerated() {
            for input in node.input where !input.isEmpty { consumers[input, default: []].append(i) }
        }
        graphOutputs = Set(graph.output.map(\.name))
        for (i, node) in graph.node.enumerated() where node.output.first.map(\.isEmpty) ?? true {
            throw fail(i, "it has no output")
        }
        let quantizedOps: Set<String> = ["QLinearConv", "QLinearMatMul", "QGemm", "QLinearAdd", "QLinearGlobalAveragePool", "QLinearMul",
                                         "QLinearConcat", "QLinearAveragePool", "QLinearSigmoid", "QLinearLeakyRelu", "QLinearSoftmax"]
        let qdqOps: Set<String> = ["Conv", "MatMul", "Gemm", "Add", "Mul", "GlobalAveragePool", "AveragePool", "MaxPool", "Concat", "Sigmoid", "LeakyRelu", "Softmax", "Transpose",
                                   "Slice", "Split"]
        // QDQ: a float op reading a DequantizeLinear (a Transpose can also read a quantized tensor directly).
        let dequantizing = Set(graph.node.filter { $0.opType == "DequantizeLinear" }.flatMap(\.output))
        convertsS8ToU8 = !graph.node.contains { quantizedOps.contains($0.opType) }
            && graph.node.contains { qdqOps.contains($0.opType) && dequantizing.contains($0.input.first ?? "") }
        try readInputs()
        for (i, node) in graph.node.enumerated() where !consumed.contains(i) {
            try translate(node, index: i)
        }
        for output in graph.output {
            guard quantized[output.name] != nil || dequantized[output.name] != nil else {
                throw fail(nil, "graph output '\(printable(output.name))' is produced by no node qgen read as integer arithmetic")
            }
        }
        return layers
    }

    // MARK: Graph inputs

    /// Graph inputs that are not initializers: float behind QuantizeLinear nodes, or int8/uint8
    /// (whose scale and zero point the first node reading them states).
    mutating func readInputs() throws {
        let inputs = graph.input.filter { constants[$0.name] == nil }
        guard !inputs.isEmpty else { throw fail(nil, "the graph has no inputs") }
        for (k, value) in inputs.enumerated() {
            let what = "graph input '\(printable(value.name))'"
            guard value.type.tensorType.hasShape else { throw fail(nil, "\(what) has no shape; qgen compiles models with static shapes") }
            var shape: [Int] = []
            for (axis, d) in value.type.tensorType.shape.dim.enumerated() {
                switch d.value {
                case .dimValue(let v)? where v > 0 && v <= Int64(Int32.max):
                    shape.append(Int(v))
                case .dimParam? where axis == 0:
                    // A symbolic batch: the C runs one input at a time.
                    shape.append(1)
                case .dimParam(let p)?:
                    throw fail(nil, "\(what) has the symbolic dimension '\(printable(p))' on axis \(axis); qgen compiles static shapes (only the batch, axis 0, may be symbolic: it becomes 1). Fix the shape when exporting, e.g. without dynamic_axes")
                default:
                    throw fail(nil, "\(what) has no size on axis \(axis); qgen compiles static shapes")
                }
            }
            _ = try elements(shape, index: nil, what: what)
            let name = k == 0 ? "x" : "x\(k)"
            let elementType = value.type.tensorType.elemType
            var quant: QuantParams
            var tensor = value.name
            if elementType == ONNXConstant.ElementType.float.rawValue {
                let users = consumers[value.name] ?? []
                guard !users.isEmpty, users.allSatisfy({ graph.node[$0].opType == "QuantizeLinear" }) else {
                    throw fail(nil, "\(what) is float and is read by \(users.map { graph.node[$0].opType }) rather than only QuantizeLinear; qgen compiles integer graphs, whose float inputs are quantized first")
                }
                let params = try users.map { try quantizeParams(graph.node[$0], index: $0) }
                guard params.allSatisfy({ $0 == params[0] }) else {
                    throw fail(users[1], "it quantizes \(what) with another scale or zero point than node \(users[0]); qgen's input has one quantization")
                }
                quant = params[0]
                for u in users {
                    consumed.insert(u)
                    quantized[graph.node[u].output[0]] = Quantized(layer: name, quant: quant, shape: shape)
                }
                tensor = graph.node[users[0]].output[0]
            } else {
                guard let type = dtype(elementType) else {
                    throw fail(nil, "\(what) has element type \(elementType); qgen's inputs are int8, uint8 or float (before a QuantizeLinear)")
                }
                guard let q = try firstConsumerQuant(of: value.name) else {
                    throw fail(nil, "\(what) is \(type) but no node that reads it states its scale and zero point")
                }
                // A DequantizeLinear's parameters are already converted to uint8 in a QDQ model.
                quant = convertsS8ToU8 ? q : QuantParams(dtype: type, scale: q.scale, zeroPoint: q.zeroPoint)
            }
            quantized[tensor] = Quantized(layer: name, quant: quant, shape: shape)
            quantized[value.name] = quantized[tensor]
            layers.append(Input(name, shape: shape, layout: .nchw, quant, file: fileName, line: 0).layerSpec)
        }
    }

    /// The scale and zero point a QLinear node states for its input 0 (QOperator graphs with integer inputs).
    func firstConsumerQuant(of tensor: String) throws -> QuantParams? {
        for i in consumers[tensor] ?? [] {
            let node = graph.node[i]
            // QLinearConcat states its output's parameters first; the others their input's at 1 and 2.
            guard node.input.first == tensor, node.opType != "QLinearConcat",
                  node.opType.hasPrefix("QLinear") || node.opType == "QGemm" || node.opType == "DequantizeLinear" else { continue }
            if node.opType == "DequantizeLinear" { return try quantizeParams(node, index: i) }
            return try quant(node, index: i, scale: 1, zeroPoint: 2, role: "input")
        }
        return nil
    }

    // MARK: Helpers

    func dtype(_ elementType: Int32) -> DType? {
        switch ONNXConstant.ElementType(rawValue: elementType) {
        case .uint8?: return .uint8
        case .int8?: return .int8
        case .int16?: return .int16
        default: return nil
        }
    }

    /// The constant behind input `k` of a node (an initializer or a Constant node's output).
    func constant(_ node: Onnx_NodeProto, _ k: Int, index: Int, role: String) throws -> ONNXConstant {
        guard k < node.input.count, !node.input[k].isEmpty else { throw fail(index, "its \(role) (input \(k)) is missing") }
        guard let c = constants[node.input[k]] else {
            throw fail(index, "its \(role) '\(printable(node.input[k]))' is not a constant (an initializer); qgen needs constant scales, zero points, weights and shapes")
        }
        return c
    }

    func hasInput(_ node: Onnx_NodeProto, _ k: Int) -> Bool { k < node.input.count && !node.input[k].isEmpty }

    /// A scale and zero point given as inputs `scale` and `zeroPoint` (the zero point optional:
    /// 0 of uint8), both one element.
    func quant(_ node: Onnx_NodeProto, index: Int, scale: Int, zeroPoint: Int, role: String) throws -> QuantParams {
        let s = try constant(node, scale, index: index, role: "\(role) scale")
        guard s.isScalar, s.type == .float else { throw fail(index, "its \(role) scale has \(s.values.count) \(s.type.name) values; an activation has one FLOAT scale") }
        var type = DType.uint8, zp = 0
        if hasInput(node, zeroPoint) {
            let z = try constant(node, zeroPoint, index: index, role: "\(role) zero point")
            guard z.isScalar, let t = dtype(z.type.rawValue) else {
                throw fail(index, "its \(role) zero point has \(z.values.count) \(z.type.name) values; an activation has one INT8 or UINT8 zero point")
            }
            type = t
            zp = z.integers[0]
        }
        guard s.values[0] > 0 else { throw fail(index, "its \(role) scale is \(s.values[0]); scales are positive") }
        return QuantParams(dtype: type, scale: s.values[0], zeroPoint: zp)
    }

    /// QuantizeLinear's or DequantizeLinear's per-tensor scale and zero point (uint8 for int8 in a QDQ model).
    func quantizeParams(_ node: Onnx_NodeProto, index: Int) throws -> QuantParams {
        var q = try quant(node, index: index, scale: 1, zeroPoint: 2, role: node.opType == "QuantizeLinear" ? "output" : "input")
        if convertsS8ToU8 && q.dtype == .int8 { q = QuantParams(dtype: .uint8, scale: q.scale, zeroPoint: q.zeroPoint + 128) }
        return q
    }

    /// The quantized activation input `k` reads: a layer's output, or (QDQ) what a DequantizeLinear
    /// of one reads.
    mutating func activation(_ node: Onnx_NodeProto, _ k: Int, index: Int, role: String = "input", qdq: Bool) throws -> Quantized {
        guard hasInput(node, k) else { throw fail(index, "its \(role) (input \(k)) is missing") }
        let name = node.input[k]
        if qdq {
            guard let source = dequantized[name], let q = quantized[source] else {
                if constants[name] != nil { throw fail(index, "its \(role) '\(printable(name))' is a float constant; qgen reads constants quantized by a DequantizeLinear") }
                throw fail(index, "its \(role) '\(printable(name))' is float data that no DequantizeLinear of a quantized tensor produces; ONNX Runtime would compute this node in float, and qgen compiles integer graphs")
            }
            noteFloatGroup(node, index: index, tensor: source, role: "input")
            return q
        }
        guard let q = quantized[name] else {
            throw fail(index, "its \(role) '\(printable(name))' is produced by no node qgen read as integer arithmetic (nor is it a graph input)")
        }
        return q
    }

    /// ONNX Runtime's x86-64 QDQ transformers convert an int8 QuantizeLinear → DequantizeLinear pair
    /// to uint8 only when the quantized tensor is read once (it first gives each reader a
    /// DequantizeLinear of its own), and fuse Conv, MatMul, Gemm, Add, Mul, GlobalAveragePool and AveragePool groups
    /// only when their inputs and output are all uint8: a group with an int8 input or output that
    /// several nodes read (a residual branch) runs in float32 (dequantize, float op, quantize),
    /// whose rounding qgen does not reproduce. `tensor` is one of the group's quantized tensors.
    mutating func noteFloatGroup(_ node: Onnx_NodeProto, index: Int, tensor: String, role: String) {
        guard convertsS8ToU8, int8Tensors.contains(tensor), ["Conv", "MatMul", "Gemm", "Add", "Mul", "GlobalAveragePool", "AveragePool"].contains(node.opType) else { return }
        let readers = (consumers[tensor] ?? []).reduce(0) { count, d in
            graph.node[d].opType == "DequantizeLinear" ? count + (consumers[graph.node[d].output.first ?? ""]?.count ?? 0) : count + 1
        }
        guard readers > 1 else { return }
        let name = node.name.isEmpty ? "" : " '\(printable(node.name))'"
        let text = "\(fileName): node \(index)\(name) (\(node.opType)): ONNX Runtime on x86-64 runs this QDQ group in float32, because its int8 \(role) '\(printable(tensor))' is read by \(readers) nodes (ONNX Runtime converts int8 activations to uint8 only where one node reads them, and fuses QDQ groups on uint8 only); qgen computes it as the fused integer node, which can differ from ONNX Runtime by one code. For bit-exact C quantize activations as uint8 (quantize_static(..., activation_type=QuantType.QUInt8)) or use QuantFormat.QOperator"
        if !warnings.contains(where: { $0.hasPrefix("\(fileName): node \(index)\(name) ") }) { warnings.append(text) }
    }

    /// Quantized weights: the constant `values` (int8; uint8 shifted by −128 with its zero points,
    /// which keeps every w − zp), per-tensor or per-channel on `axis`.
    func weights(_ c: ONNXConstant, scales: [Double], zeroPoints: [Int], axis: Int, channels: Int, index: Int, role: String = "weight") throws -> Weights {
        guard c.type == .int8 || c.type == .uint8 else {
            throw fail(index, "its \(role) '\(printable(c.name))' is \(c.type.name); qgen reads INT8 or UINT8 quantized weights")
        }
        guard scales.count == 1 || scales.count == channels else {
            throw fail(index, "its \(role) has \(scales.count) scales for \(channels) output channels; give one scale, or one per output channel")
        }
        guard zeroPoints.count == scales.count else {
            throw fail(index, "its \(role) has \(scales.count) scales but \(zeroPoints.count) zero points")
        }
        if let bad = scales.first(where: { !($0 > 0) }) { throw fail(index, "its \(role) scale \(bad) is not positive") }
        let shift = c.type == .uint8 ? 128 : 0
        return .int8(.values(c.values.map { $0 - Double(shift) }), scales: scales, zeroPoints: zeroPoints.map { $0 - shift })
    }

    /// Scales and zero points of a weight given as QLinear inputs (`scale`, `zeroPoint`).
    func weightQuant(_ node: Onnx_NodeProto, index: Int, scale: Int, zeroPoint: Int) throws -> ([Double], [Int]) {
        let s = try constant(node, scale, index: index, role: "weight scale")
        guard s.type == .float else { throw fail(index, "its weight scale is \(s.type.name), not FLOAT") }
        var zps = [Int](repeating: 0, count: s.values.count)
        if hasInput(node, zeroPoint) {
            let z = try constant(node, zeroPoint, index: index, role: "weight zero point")
            zps = z.integers
            if zps.count == 1 && s.values.count > 1 { zps = Array(repeating: zps[0], count: s.values.count) }
        }
        return (s.values, zps)
    }

    /// The one consumer of a float op's output, a QuantizeLinear (QDQ), whose output quantization
    /// is the op's; marks it read.
    mutating func outputQuantize(_ node: Onnx_NodeProto, index: Int, output k: Int = 0) throws -> (tensor: String, quant: QuantParams) {
        guard node.output.count > k else { throw fail(index, "it has no output \(k)") }
        let out = node.output[k]
        let users = consumers[out] ?? []
        guard users.count == 1, graph.node[users[0]].opType == "QuantizeLinear", !graphOutputs.contains(out) else {
            throw fail(index, "its float output is read by \(users.map { "\(graph.node[$0].opType) (node \($0))" }) rather than one QuantizeLinear; ONNX Runtime fuses a QDQ group only when one QuantizeLinear follows, otherwise it computes in float, which qgen does not compile")
        }
        let q = users[0]
        consumed.insert(q)
        let tensor = graph.node[q].output[0]
        if hasInput(graph.node[q], 2), constants[graph.node[q].input[2]]?.type == .int8 { int8Tensors.insert(tensor) }
        noteFloatGroup(node, index: index, tensor: tensor, role: "output")
        return (tensor, try quantizeParams(graph.node[q], index: q))
    }

    /// 2-D spatial attributes: kernel from `kernel`, strides, dilations, and pads [top, left, bottom, right].
    func window(_ node: Onnx_NodeProto, index: Int, kernel: [Int], input: [Int]) throws -> (stride: Size2, dilation: Size2, pads: [Int]) {
        guard kernel.count == 2 else { throw fail(index, "its kernel has \(kernel.count) spatial dimensions; qgen reads 2-D convolutions and pools") }
        let strides = node.ints("strides") ?? [1, 1], dilations = node.ints("dilations") ?? [1, 1]
        let limit = 1 << 16
        guard strides.count == 2, dilations.count == 2, strides.allSatisfy({ (1...limit).contains($0) }), dilations.allSatisfy({ (1...limit).contains($0) }) else {
            throw fail(index, "its strides \(strides) or dilations \(dilations) are not two sizes in 1...\(limit)")
        }
        guard kernel.allSatisfy({ (1...limit).contains($0) }) else { throw fail(index, "its kernel \(kernel) is not two sizes in 1...\(limit)") }
        var pads = node.ints("pads") ?? [0, 0, 0, 0]
        guard pads.count == 4, pads.allSatisfy({ (0...limit).contains($0) }) else { throw fail(index, "its pads \(pads) are not four sizes in 0...\(limit)") }
        switch node.string("auto_pad") ?? "NOTSET" {
        case "NOTSET":
            break
        case "VALID":
            pads = [0, 0, 0, 0]
        case let mode where mode == "SAME_UPPER" || mode == "SAME_LOWER":
            guard input.count == 4 else { throw fail(index, "auto_pad \(mode) needs a 4-D input") }
            for axis in 0..<2 {
                let extent = dilations[axis] * (kernel[axis] - 1) + 1
                let out = (input[2 + axis] + strides[axis] - 1) / strides[axis]
                let total = max((out - 1) * strides[axis] + extent - input[2 + axis], 0)
                let small = total / 2
                pads[axis] = mode == "SAME_UPPER" ? small : total - small
                pads[axis + 2] = total - pads[axis]
            }
        case let mode:
            throw fail(index, "its auto_pad '\(printable(mode))' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER")
        }
        return (Size2(strides[0], strides[1]), Size2(dilations[0], dilations[1]), pads)
    }

    /// ONNX Runtime's pool output size (symmetric pads): with ceil_mode, one fewer when the last
    /// window would start past the input and its leading padding (as PyTorch's).
    static func poolOutputSize(_ input: Int, kernel: Int, stride: Int, pad: Int, ceil: Bool) -> Int {
        guard var axis = WindowAxis(input: input, kernel: kernel, stride: stride, dilation: 1, padding: pad) else { return 0 }
        if ceil { axis.roundUp(input: input, kernel: kernel, stride: stride) }
        return axis.output
    }

    static func outputSize(_ input: Int, kernel: Int, stride: Int, dilation: Int, before: Int, after: Int, ceil: Bool = false) -> Int {
        let span = input + before + after - dilation * (kernel - 1) - 1
        return (ceil ? (span + stride - 1) / stride : span / stride) + 1
    }

    mutating func add(_ layer: LayerSpec, output tensor: String, quant: QuantParams, shape: [Int]) throws {
        _ = try elements(shape, index: layer.location.line, what: "its output")
        layers.append(layer)
        quantized[tensor] = Quantized(layer: layer.name, quant: quant, shape: shape)
    }

    /// The element count of a shape, refused beyond 2^31 (no tensor of qgen's C is that large), so
    /// that every product of a known shape's dimensions fits an Int.
    func elements(_ shape: [Int], index: Int?, what: String) throws -> Int {
        var count = 1
        for d in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: d)
            guard d >= 0, !overflow, product <= 1 << 31 else { throw fail(index, "\(what) has shape \(shape), more than 2^31 elements") }
            count = product
        }
        return count
    }

    // MARK: Nodes

    mutating func translate(_ node: Onnx_NodeProto, index i: Int) throws {
        let domain = node.domain
        guard domain.isEmpty || domain == "ai.onnx" || domain == "com.microsoft" else {
            throw fail(i, "its domain '\(printable(domain))' is not ONNX's or ONNX Runtime's (com.microsoft)")
        }
        switch node.opType {
        case "Constant":
            guard let a = node.attribute("value"), a.hasT, node.output.count == 1 else {
                throw fail(i, "qgen reads Constant nodes with a tensor 'value'")
            }
            constants[node.output[0]] = try ONNXConstant(a.t, what: "\(fileName): node \(i) (Constant)")
        case "DequantizeLinear":
            try dequantizeLinear(node, index: i)
        case "QuantizeLinear":
            throw fail(i, "it quantizes float data that is neither a graph input nor the output of a node ONNX Runtime fuses with it; qgen compiles integer graphs")
        case "Identity":
            let source = node.input.first ?? ""
            if let q = quantized[source] { quantized[node.output[0]] = q } else if let d = dequantized[source] { dequantized[node.output[0]] = d }
            else if let c = constants[source] { constants[node.output[0]] = c } else if let c = quantizedConstants[source] { quantizedConstants[node.output[0]] = c }
            else { throw fail(i, "it copies '\(printable(source))', which no node qgen read produces") }
        case "QLinearConv", "Conv":
            try convolution(node, index: i, qdq: node.opType == "Conv")
        case "QLinearMatMul", "MatMul", "QGemm", "Gemm":
            try matmul(node, index: i)
        case "QLinearAdd", "Add", "QLinearMul", "Mul":
            let qdq = !node.opType.hasPrefix("QLinear")
            let a = try activation(node, 0, index: i, role: "input A", qdq: qdq)
            let b = try activation(node, qdq ? 1 : 3, index: i, role: "input B", qdq: qdq)
            if !qdq {
                try checkStated(a, try quant(node, index: i, scale: 1, zeroPoint: 2, role: "input A"), node, i, "input A")
                try checkStated(b, try quant(node, index: i, scale: 4, zeroPoint: 5, role: "input B"), node, i, "input B")
            }
            guard a.shape == b.shape else {
                throw fail(i, "it adds shapes \(a.shape) and \(b.shape); qgen's Add takes two tensors of one shape (no broadcasting)")
            }
            let (tensor, out) = qdq ? try outputQuantize(node, index: i) : (node.output[0], try quant(node, index: i, scale: 6, zeroPoint: 7, role: "output"))
            let layer = node.opType.hasSuffix("Add") ? Add("add_\(i)", a.layer, b.layer, output: out, file: fileName, line: i).layerSpec
                                                     : Mul("mul_\(i)", a.layer, b.layer, output: out, file: fileName, line: i).layerSpec
            try add(layer, output: tensor, quant: out, shape: a.shape)
        case "QLinearGlobalAveragePool", "GlobalAveragePool":
            let qdq = node.opType == "GlobalAveragePool"
            let x = try activation(node, 0, index: i, qdq: qdq)
            if !qdq { try checkStated(x, try quant(node, index: i, scale: 1, zeroPoint: 2, role: "input"), node, i, "input") }
            guard node.int("channels_last", default: 0) == 0 else { throw fail(i, "it pools channels-last data; qgen reads ONNX's NCHW") }
            guard x.shape.count == 4 else { throw fail(i, "its input has shape \(x.shape); qgen pools 4-D NCHW tensors") }
            let (tensor, out) = qdq ? try outputQuantize(node, index: i) : (node.output[0], try quant(node, index: i, scale: 3, zeroPoint: 4, role: "output"))
            try add(Mean("gap_\(i)", input: x.layer, axes: [2, 3], keepDims: true, output: out, file: fileName, line: i).layerSpec,
                output: tensor, quant: out, shape: [x.shape[0], x.shape[1], 1, 1])
        case "QLinearSigmoid", "Sigmoid", "QLinearLeakyRelu", "LeakyRelu":
            let qdq = !node.opType.hasPrefix("QLinear")
            let x = try activation(node, 0, index: i, qdq: qdq)
            if !qdq { try checkStated(x, try quant(node, index: i, scale: 1, zeroPoint: 2, role: "input"), node, i, "input") }
            let (tensor, out) = qdq ? try outputQuantize(node, index: i) : (node.output[0], try quant(node, index: i, scale: 3, zeroPoint: 4, role: "output"))
            let layer: LayerSpec
            if node.opType.hasSuffix("Sigmoid") {
                layer = Logistic("sigmoid_\(i)", input: x.layer, output: out, file: fileName, line: i).layerSpec
            } else {
                let alpha = node.float("alpha", default: 0.01)
                guard alpha.isFinite, alpha >= 0 else { throw fail(i, "its alpha is \(alpha); qgen's LeakyReLU takes a finite alpha ≥ 0") }
                layer = LeakyReLU("leakyrelu_\(i)", input: x.layer, alpha: Double(alpha), output: out, file: fileName, line: i).layerSpec
            }
            try add(layer, output: tensor, quant: out, shape: x.shape)
        case "QLinearConcat", "Concat":
            try concat(node, index: i)
        case "MaxPool":
            try maxPool(node, index: i)
        case "QLinearAveragePool", "AveragePool":
            try averagePool(node, index: i)
        case "QLinearSoftmax", "Softmax":
            let qdq = node.opType == "Softmax"
            let x = try activation(node, 0, index: i, qdq: qdq)
            if !qdq { try checkStated(x, try quant(node, index: i, scale: 1, zeroPoint: 2, role: "input"), node, i, "input") }
            let rank = x.shape.count
            // Opset 13's axis (default −1), or before it the axes from `axis` on (default 1) taken as one.
            let opset = qdq ? opsetVersion : node.int("opset", default: 13)
            var axis = node.int("axis", default: opset < 13 ? 1 : -1)
            if axis < 0 { axis += rank }
            guard (0..<rank).contains(axis), axis == rank - 1 || (opset < 13 && x.shape[(axis + 1)...].allSatisfy { $0 == 1 }) else {
                throw fail(i, "it normalizes over axis \(node.int("axis", default: opset < 13 ? 1 : -1)) of \(x.shape); qgen's Softmax normalizes the last axis")
            }
            let (tensor, out) = qdq ? try outputQuantize(node, index: i) : (node.output[0], try quant(node, index: i, scale: 3, zeroPoint: 4, role: "output"))
            try add(Softmax("softmax_\(i)", input: x.layer, output: out, file: fileName, line: i).layerSpec, output: tensor, quant: out, shape: x.shape)
        case "Flatten", "Reshape":
            try reshape(node, index: i)
        case "Transpose":
            let (x, moved) = try movement(node, index: i)
            let rank = x.shape.count
            let permutation = node.ints("perm") ?? Array((0..<rank).reversed())
            guard permutation.sorted() == Array(0..<rank) else {
                throw fail(i, "its perm \(permutation) does not reorder the \(rank) axes of its input \(x.shape)")
            }
            let shape = permutation.map { x.shape[$0] }
            // ONNX's 4-D tensors are NCHW, whatever order the input's axes had.
            try addMoved(Transpose("transpose_\(i)", input: x.layer, permutation: permutation, layout: rank == 4 ? .nchw : nil, file: fileName, line: i).layerSpec,
                         output: moved, from: x, shape: shape, index: i)
        case "DynamicQuantizeLinear", "MatMulInteger", "ConvInteger":
            // quantize_dynamic's graph: activation scales computed from each input's range while the
            // model runs, the int32 sums rescaled in float.
            throw fail(i, "\(node.opType) is ONNX Runtime's dynamic quantization (quantize_dynamic): it computes activation scales from the data while the model runs and rescales int32 sums in float, which integer-only C with scales fixed at compile time cannot do; quantize the model with onnxruntime.quantization.quantize_static (QDQ or QOperator format, calibrated) instead")
        case "ReduceMean":
            throw fail(i, "quantize_static leaves ReduceMean unquantized, so ONNX Runtime computes it in float (Eigen's summation order, which qgen does not reproduce) between a DequantizeLinear and a QuantizeLinear; for a mean over H and W use GlobalAveragePool (adaptive_avg_pool2d(x, 1) instead of x.mean([2, 3]) in PyTorch) before exporting, which ONNX Runtime quantizes and qgen reproduces")
        case "Slice":
            try slice(node, index: i)
        case "Split":
            try split(node, index: i)
        default:
            throw fail(i, "\(node.opType) is not in qgen's ONNX op set (\(Self.supported))")
        }
    }

    /// A QOperator node's stated input quantization must be the tensor's.
    func checkStated(_ x: Quantized, _ stated: QuantParams, _ node: Onnx_NodeProto, _ i: Int, _ role: String) throws {
        guard Float(stated.scale) == Float(x.quant.scale), stated.zeroPoint == x.quant.zeroPoint, stated.dtype == x.quant.dtype else {
            throw fail(i, "it reads its \(role) with scale \(stated.scale), zero point \(stated.zeroPoint) (\(stated.dtype)), but that tensor was quantized with \(x.quant.scale), \(x.quant.zeroPoint) (\(x.quant.dtype))")
        }
    }

    mutating func dequantizeLinear(_ node: Onnx_NodeProto, index i: Int) throws {
        guard node.input.count >= 2, node.output.count == 1 else { throw fail(i, "it needs an input and a scale") }
        let source = node.input[0]
        if let c = constants[source] {
            // Weights or a bias: per-tensor, or per-axis with `axis` (default 1).
            let s = try constant(node, 1, index: i, role: "scale")
            guard s.type == .float else { throw fail(i, "its scale is \(s.type.name), not FLOAT") }
            var zps = [Int](repeating: 0, count: s.values.count)
            if hasInput(node, 2) { zps = try constant(node, 2, index: i, role: "zero point").integers }
            guard zps.count == s.values.count else { throw fail(i, "it has \(s.values.count) scales but \(zps.count) zero points") }
            var axis = node.int("axis", default: 1)
            if axis < 0 { axis += c.dims.count }
            if s.values.count > 1 {
                guard (0..<c.dims.count).contains(axis), c.dims[axis] == s.values.count else {
                    throw fail(i, "it dequantizes '\(printable(c.name))' \(c.dims) with \(s.values.count) scales on axis \(axis), which does not have that many entries")
                }
            }
            guard node.int("block_size", default: 0) == 0 else { throw fail(i, "it dequantizes in blocks; qgen reads per-tensor and per-channel quantization") }
            quantizedConstants[node.output[0]] = QuantizedConstant(constant: c, scales: s.values, zeroPoints: zps, axis: axis)
            return
        }
        guard let q = quantized[source] else {
            throw fail(i, "it dequantizes '\(printable(source))', which no node qgen read produces")
        }
        let stated = try quantizeParams(node, index: i)
        try checkStated(q, stated, node, i, "input")
        dequantized[node.output[0]] = source
        if hasInput(node, 2), constants[node.input[2]]?.type == .int8 { int8Tensors.insert(source) }
    }

    // MARK: Convolution

    mutating func convolution(_ node: Onnx_NodeProto, index i: Int, qdq: Bool) throws {
        let x = try activation(node, 0, index: i, qdq: qdq)
        guard x.shape.count == 4 else { throw fail(i, "its input has shape \(x.shape); qgen reads 2-D convolutions of NCHW tensors") }
        let w: ONNXConstant, weight: Weights, bias: Bias?
        let (tensor, out): (String, QuantParams)
        if qdq {
            guard hasInput(node, 1), let wq = quantizedConstants[node.input[1]] else {
                throw fail(i, "its weight is not a DequantizeLinear of a constant; qgen reads quantized weights")
            }
            w = wq.constant
            guard w.dims.count == 4 else { throw fail(i, "its weight has shape \(w.dims), not [O, I/groups, kH, kW]") }
            guard wq.scales.count == 1 || wq.axis == 0 else {
                throw fail(i, "its weight is quantized per channel on axis \(wq.axis); qgen takes per-channel scales on axis 0 (the output channels)")
            }
            weight = try weights(w, scales: wq.scales, zeroPoints: wq.zeroPoints, axis: 0, channels: w.dims[0], index: i)
            bias = try qdqBias(node, 2, index: i, count: w.dims[0])
            (tensor, out) = try outputQuantize(node, index: i)
        } else {
            try checkStated(x, try quant(node, index: i, scale: 1, zeroPoint: 2, role: "input"), node, i, "input")
            w = try constant(node, 3, index: i, role: "weight")
            guard w.dims.count == 4 else { throw fail(i, "its weight has shape \(w.dims), not [O, I/groups, kH, kW]") }
            let (scales, zps) = try weightQuant(node, index: i, scale: 4, zeroPoint: 5)
            weight = try weights(w, scales: scales, zeroPoints: zps, axis: 0, channels: w.dims[0], index: i)
            bias = hasInput(node, 8) ? try int32Bias(try constant(node, 8, index: i, role: "bias"), count: w.dims[0], index: i) : nil
            (tensor, out) = (node.output[0], try quant(node, index: i, scale: 6, zeroPoint: 7, role: "output"))
        }
        let kernel = Array(w.dims[2...])
        if let stated = node.ints("kernel_shape"), stated != kernel {
            throw fail(i, "its kernel_shape \(stated) differs from its weight's \(kernel)")
        }
        let groups = node.int("group", default: 1)
        guard groups >= 1, groups <= x.shape[1], x.shape[1] % groups == 0, w.dims[1] * groups == x.shape[1], w.dims[0] % groups == 0 else {
            throw fail(i, "its weight \(w.dims) with group \(groups) does not fit its input's \(x.shape[1]) channels")
        }
        let (stride, dilation, pads) = try window(node, index: i, kernel: kernel, input: x.shape)
        var source = x.layer
        var padding = Size2(pads[0], pads[1])
        var height = x.shape[2], width = x.shape[3]
        if pads[0] != pads[2] || pads[1] != pads[3] {
            // Asymmetric padding: an explicit Pad (the input zero point, as the convolution pads) first.
            let padName = "conv_\(i)_pad"
            layers.append(Pad(padName, input: x.layer, padding: [[0, 0], [0, 0], [pads[0], pads[2]], [pads[1], pads[3]]], file: fileName, line: i).layerSpec)
            source = padName
            padding = Size2(0, 0)
            height += pads[0] + pads[2]
            width += pads[1] + pads[3]
        }
        let oh = Self.outputSize(height, kernel: kernel[0], stride: stride.height, dilation: dilation.height, before: padding.height, after: padding.height)
        let ow = Self.outputSize(width, kernel: kernel[1], stride: stride.width, dilation: dilation.width, before: padding.width, after: padding.width)
        guard oh >= 1, ow >= 1 else { throw fail(i, "its kernel \(kernel) does not fit its input \(x.shape) with pads \(pads)") }
        let conv = Conv2d("conv_\(i)", input: source, outChannels: w.dims[0], kernel: Size2(kernel[0], kernel[1]), stride: stride,
                          padding: padding, dilation: dilation, groups: groups, weightLayout: .oihw, weight: weight, bias: bias,
                          output: out, file: fileName, line: i)
        try add(conv.layerSpec, output: tensor, quant: out, shape: [x.shape[0], w.dims[0], oh, ow])
    }

    func int32Bias(_ c: ONNXConstant, count: Int, index: Int) throws -> Bias {
        guard c.type == .int32 else { throw fail(index, "its bias '\(printable(c.name))' is \(c.type.name); ONNX Runtime's quantized bias is INT32 (scale = input scale × weight scale)") }
        guard c.values.count == count else { throw fail(index, "its bias has \(c.values.count) values for \(count) output channels") }
        return .int32(.values(c.values))
    }

    /// A QDQ bias: DequantizeLinear of an INT32 constant with zero point 0 (quantize_static's form),
    /// which ONNX Runtime's fused node adds as it is.
    func qdqBias(_ node: Onnx_NodeProto, _ k: Int, index: Int, count: Int) throws -> Bias? {
        guard hasInput(node, k) else { return nil }
        guard let b = quantizedConstants[node.input[k]] else {
            throw fail(index, "its bias '\(printable(node.input[k]))' is not a DequantizeLinear of an INT32 constant; ONNX Runtime computes a float bias in float, which qgen does not compile")
        }
        guard b.zeroPoints.allSatisfy({ $0 == 0 }) else { throw fail(index, "its bias has zero points \(b.zeroPoints); a quantized bias has zero point 0") }
        return try int32Bias(b.constant, count: count, index: index)
    }

    // MARK: MatMul, Gemm

    mutating func matmul(_ node: Onnx_NodeProto, index i: Int) throws {
        let op = node.opType
        let qdq = op == "MatMul" || op == "Gemm"
        let gemm = op == "Gemm" || op == "QGemm"
        let x = try activation(node, 0, index: i, qdq: qdq)
        if gemm {
            guard node.int("transA", default: 0) == 0 else { throw fail(i, "transA = 1 (a transposed input) is not one qgen reads") }
            guard node.float("alpha", default: 1) == 1 else { throw fail(i, "alpha = \(node.float("alpha", default: 1)); qgen reads alpha = 1") }
            if op == "Gemm", node.float("beta", default: 1) != 1 { throw fail(i, "beta = \(node.float("beta", default: 1)); qgen reads beta = 1") }
        }
        guard x.shape.count == 2 || (!gemm && x.shape.count >= 2) else { throw fail(i, "its input has shape \(x.shape); \(op) reads a matrix") }
        let transB = gemm && node.int("transB", default: 0) == 1
        let wIndex = qdq ? 1 : 3
        let w: ONNXConstant, scales: [Double], zps: [Int], axis: Int
        if qdq {
            guard hasInput(node, 1), let wq = quantizedConstants[node.input[1]] else {
                throw fail(i, "its weight is not a DequantizeLinear of a constant; qgen reads quantized weights (a constant second input)")
            }
            (w, scales, zps, axis) = (wq.constant, wq.scales, wq.zeroPoints, wq.axis)
        } else {
            try checkStated(x, try quant(node, index: i, scale: 1, zeroPoint: 2, role: "input"), node, i, "input")
            w = try constant(node, wIndex, index: i, role: "weight")
            (scales, zps) = try weightQuant(node, index: i, scale: wIndex + 1, zeroPoint: wIndex + 2)
            axis = transB ? 0 : 1
        }
        guard w.dims.count == 2 else { throw fail(i, "its weight has shape \(w.dims), not a matrix") }
        let (k, n) = transB ? (w.dims[1], w.dims[0]) : (w.dims[0], w.dims[1])
        guard x.shape.last == k else { throw fail(i, "its input \(x.shape) does not match its weight \(w.dims)\(transB ? " (transposed)" : "")") }
        if scales.count > 1 && axis != (transB ? 0 : 1) {
            throw fail(i, "its weight is quantized per channel on axis \(axis); qgen takes per-channel scales on the output features (axis \(transB ? 0 : 1))")
        }
        // Linear's weights are [out, in].
        var rows = w
        if !transB {
            rows.values = (0..<n).flatMap { o in (0..<k).map { w.values[$0 * n + o] } }
            rows.dims = [n, k]
        }
        let weight = try weights(rows, scales: scales, zeroPoints: zps, axis: 0, channels: n, index: i)
        var bias: Bias? = nil
        let (tensor, out): (String, QuantParams)
        if qdq {
            if gemm { bias = try qdqBias(node, 2, index: i, count: n) }
            (tensor, out) = try outputQuantize(node, index: i)
        } else if op == "QGemm" {
            if hasInput(node, 6) { bias = try int32Bias(try constant(node, 6, index: i, role: "bias"), count: n, index: i) }
            guard hasInput(node, 7) else { throw fail(i, "it has no output scale, so its output is float; qgen compiles integer graphs (quantize its output)") }
            (tensor, out) = (node.output[0], try quant(node, index: i, scale: 7, zeroPoint: 8, role: "output"))
        } else {
            (tensor, out) = (node.output[0], try quant(node, index: i, scale: 6, zeroPoint: 7, role: "output"))
        }
        var source = x.layer
        if x.shape.count > 2 {
            guard x.shape.dropLast().allSatisfy({ $0 == 1 }) else { throw fail(i, "its input \(x.shape) has more than one row; qgen's Linear reads one vector") }
            let flat = "fc_\(i)_rows"
            layers.append(Reshape(flat, input: x.layer, shape: [1, k], file: fileName, line: i).layerSpec)
            source = flat
        }
        guard x.shape.dropLast().reduce(1, *) == 1 else { throw fail(i, "its input \(x.shape) has more than one row; qgen's Linear reads one vector") }
        try add(Linear("fc_\(i)", input: source, outFeatures: n, weight: weight, bias: bias, output: out, file: fileName, line: i).layerSpec,
            output: tensor, quant: out, shape: [1, n])
    }

    // MARK: Concat

    /// QLinearConcat (Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input) or a QDQ
    /// Concat; an input quantized unlike the output goes through ONNX Runtime's table.
    mutating func concat(_ node: Onnx_NodeProto, index i: Int) throws {
        let qdq = node.opType == "Concat"
        var sources: [Quantized] = []
        if qdq {
            for k in node.input.indices { sources.append(try activation(node, k, index: i, role: "input \(k + 1)", qdq: true)) }
        } else {
            guard node.input.count >= 5, (node.input.count - 2) % 3 == 0 else {
                throw fail(i, "it has \(node.input.count) inputs; QLinearConcat takes Y_scale, Y_zero_point and (X, X_scale, X_zero_point) per input")
            }
            for k in stride(from: 2, to: node.input.count, by: 3) {
                let x = try activation(node, k, index: i, role: "input \((k - 2) / 3 + 1)", qdq: false)
                try checkStated(x, try quant(node, index: i, scale: k + 1, zeroPoint: k + 2, role: "input \((k - 2) / 3 + 1)"), node, i, "input \((k - 2) / 3 + 1)")
                sources.append(x)
            }
        }
        guard let first = sources.first else { throw fail(i, "it has no inputs") }
        var axis = node.int("axis", default: 1)
        if axis < 0 { axis += first.shape.count }
        guard (0..<first.shape.count).contains(axis) else { throw fail(i, "its axis \(node.int("axis", default: 1)) is outside its inputs' rank \(first.shape.count)") }
        for s in sources where s.shape.count != first.shape.count || zip(s.shape, first.shape).enumerated().contains(where: { $0.offset != axis && $0.element.0 != $0.element.1 }) {
            throw fail(i, "it joins shapes \(sources.map(\.shape)) on axis \(axis); the other dimensions must agree")
        }
        let (tensor, out) = qdq ? try outputQuantize(node, index: i) : (node.output[0], try quant(node, index: i, scale: 0, zeroPoint: 1, role: "output"))
        var shape = first.shape
        shape[axis] = sources.reduce(0) { $0 + $1.shape[axis] }
        try add(Concatenation("concat_\(i)", sources.map(\.layer), axis: axis, output: out, file: fileName, line: i).layerSpec,
            output: tensor, quant: out, shape: shape)
    }

    // MARK: Data movement

    /// The quantized input of MaxPool, Flatten or Reshape, and where its output goes: QOperator
    /// reads the integer tensor; QDQ reads a DequantizeLinear's input and drops the QuantizeLinear
    /// after it, which must keep the scale and zero point (ONNX Runtime's DropQDQNodes rule).
    mutating func movement(_ node: Onnx_NodeProto, index i: Int) throws -> (Quantized, Moved) {
        let (x, outputs) = try movement(node, index: i, outputs: 1)
        return (x, outputs[0])
    }

    /// Where a code-moving node's result goes: its tensor and quantization.
    struct Moved {
        var tensor: String
        var quant: QuantParams
    }

    /// A node that moves codes (no arithmetic): its quantized input, and the quantized tensors its
    /// first `outputs` outputs become (each output's own QuantizeLinear in a QDQ graph).
    mutating func movement(_ node: Onnx_NodeProto, index i: Int, outputs: Int) throws -> (Quantized, [Moved]) {
        guard hasInput(node, 0), node.output.count >= outputs, outputs >= 1 else { throw fail(i, "it has no input or output") }
        if let q = quantized[node.input[0]] { return (q, node.output.prefix(outputs).map { Moved(tensor: $0, quant: q.quant) }) }
        let x = try activation(node, 0, index: i, qdq: true)
        return (x, try (0..<outputs).map { k in
            let (tensor, out) = try outputQuantize(node, index: i, output: k)
            return Moved(tensor: tensor, quant: out)
        })
    }

    /// Adds a code-moving layer whose result becomes `output`. Where its QuantizeLinear states another
    /// scale or zero point than the input's, ONNX Runtime keeps DequantizeLinear → node →
    /// QuantizeLinear in float: the same codes moved, each requantized, so a Quantize follows
    /// (ONNX Runtime's QuantizeLinear of its DequantizeLinear, a table).
    mutating func addMoved(_ layer: LayerSpec, output: Moved, from x: Quantized, shape: [Int], index i: Int) throws {
        guard output.quant != x.quant else {
            return try add(layer, output: output.tensor, quant: x.quant, shape: shape)
        }
        _ = try elements(shape, index: i, what: "its output")
        layers.append(layer)
        try add(Quantize("\(layer.name)_requantized", input: layer.name, output: output.quant, file: fileName, line: i).layerSpec,
                output: output.tensor, quant: output.quant, shape: shape)
    }

    /// Slice (starts, ends, axes and steps as constant inputs from opset 10, attributes before):
    /// one Slice layer per cut axis. Starts and ends count from the end when negative and are
    /// clamped to the axis, as ONNX specifies; steps must be positive.
    mutating func slice(_ node: Onnx_NodeProto, index i: Int) throws {
        let (x, moved) = try movement(node, index: i)
        let rank = x.shape.count
        let starts: [Int], ends: [Int], axes: [Int], steps: [Int]
        if node.attribute("starts") != nil {
            starts = node.ints("starts") ?? []
            ends = node.ints("ends") ?? []
            axes = node.ints("axes") ?? Array(0..<starts.count)
            steps = Array(repeating: 1, count: starts.count)
        } else {
            starts = try constant(node, 1, index: i, role: "starts").integers
            ends = try constant(node, 2, index: i, role: "ends").integers
            axes = hasInput(node, 3) ? try constant(node, 3, index: i, role: "axes").integers : Array(0..<starts.count)
            steps = hasInput(node, 4) ? try constant(node, 4, index: i, role: "steps").integers : Array(repeating: 1, count: starts.count)
        }
        guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
            throw fail(i, "its starts \(starts), ends \(ends), axes \(axes) and steps \(steps) do not have one entry per sliced axis")
        }
        var cuts: [(axis: Int, start: Int, end: Int, step: Int)] = [], shape = x.shape
        for k in starts.indices {
            let axis = axes[k] < 0 ? axes[k] + rank : axes[k]
            guard (0..<rank).contains(axis), !axes[..<k].contains(where: { ($0 < 0 ? $0 + rank : $0) == axis }) else {
                throw fail(i, "its axes \(axes) are not distinct axes of its input \(x.shape)")
            }
            guard steps[k] >= 1 else { throw fail(i, "its step \(steps[k]) on axis \(axis) is not positive; qgen's Slice steps forward") }
            let size = shape[axis]
            let clamp = { (v: Int) in min(max(v < 0 ? v + size : v, 0), size) }
            let (start, end) = (clamp(starts[k]), clamp(ends[k]))
            guard start < end else { throw fail(i, "it keeps nothing of axis \(axis) (size \(size)): starts \(starts[k]), ends \(ends[k])") }
            if start == 0 && end == size && steps[k] == 1 { continue }
            cuts.append((axis, start, end, steps[k]))
            shape[axis] = (end - start - 1) / steps[k] + 1
        }
        // A slice that keeps everything is a copy (the graph may have nothing else to compute).
        if cuts.isEmpty { cuts = [(0, 0, shape[0], 1)] }
        var layer = x.layer
        for (k, cut) in cuts.enumerated() {
            let slice = Slice("slice_\(i)" + (k > 0 ? "_\(k + 1)" : ""), input: layer, axis: cut.axis, start: cut.start, end: cut.end, step: cut.step,
                              file: fileName, line: i).layerSpec
            if k == cuts.count - 1 { return try addMoved(slice, output: moved, from: x, shape: shape, index: i) }
            layers.append(slice)
            layer = slice.name
        }
    }

    /// Split along `axis` into the sizes of its `split` input (opset 13) or attribute, or into
    /// equal parts (the last one smaller from opset 18): one Slice layer per output.
    mutating func split(_ node: Onnx_NodeProto, index i: Int) throws {
        let outputs = node.output.count
        let (x, moved) = try movement(node, index: i, outputs: outputs)
        let rank = x.shape.count
        var axis = node.int("axis", default: 0)
        if axis < 0 { axis += rank }
        guard (0..<rank).contains(axis) else { throw fail(i, "its axis \(node.int("axis", default: 0)) is outside its input's rank \(rank)") }
        let size = x.shape[axis]
        var sizes: [Int]
        if hasInput(node, 1) {
            sizes = try constant(node, 1, index: i, role: "split").integers
        } else if let given = node.ints("split") {
            sizes = given
        } else {
            let part = (size + outputs - 1) / outputs
            sizes = (0..<outputs).map { min(part, max(size - $0 * part, 0)) }
        }
        guard sizes.count == outputs, sizes.allSatisfy({ (1...size).contains($0) }), sizes.reduce(0, +) == size else {
            throw fail(i, "it splits axis \(axis) of \(x.shape) into \(sizes) for \(outputs) outputs; give positive sizes that add up to \(size)")
        }
        var start = 0
        for (k, length) in sizes.enumerated() {
            var shape = x.shape
            shape[axis] = length
            try addMoved(Slice("split_\(i)_\(k)", input: x.layer, axis: axis, start: start, end: start + length, file: fileName, line: i).layerSpec,
                         output: moved[k], from: x, shape: shape, index: i)
            start += length
        }
    }

    mutating func maxPool(_ node: Onnx_NodeProto, index i: Int) throws {
        let (x, moved) = try movement(node, index: i)
        guard x.shape.count == 4 else { throw fail(i, "its input has shape \(x.shape); qgen pools 4-D NCHW tensors") }
        guard node.output.count == 1 || node.output[1].isEmpty else { throw fail(i, "its Indices output is not one qgen computes") }
        guard let kernel = node.ints("kernel_shape") else { throw fail(i, "it has no kernel_shape") }
        let (stride, dilation, pads) = try window(node, index: i, kernel: kernel, input: x.shape)
        guard dilation == Size2(1, 1) else { throw fail(i, "its dilations \(dilation) are not 1; qgen's MaxPool2d has none") }
        guard pads[0] == pads[2], pads[1] == pads[3] else {
            throw fail(i, "its pads \(pads) are asymmetric; qgen's MaxPool2d pads both sides alike")
        }
        guard pads[0] < kernel[0], pads[1] < kernel[1] else { throw fail(i, "its pads \(pads) are not smaller than its kernel \(kernel)") }
        let ceil = node.int("ceil_mode", default: 0) != 0
        let oh = Self.poolOutputSize(x.shape[2], kernel: kernel[0], stride: stride.height, pad: pads[0], ceil: ceil)
        let ow = Self.poolOutputSize(x.shape[3], kernel: kernel[1], stride: stride.width, pad: pads[1], ceil: ceil)
        guard oh >= 1, ow >= 1 else { throw fail(i, "its kernel \(kernel) does not fit its input \(x.shape)") }
        // Max pooling commutes with the monotone requantization a differing QuantizeLinear adds.
        try addMoved(MaxPool2d("maxpool_\(i)", input: x.layer, kernel: Size2(kernel[0], kernel[1]), stride: stride, padding: Size2(pads[0], pads[1]),
                               ceilMode: ceil, file: fileName, line: i).layerSpec,
                     output: moved, from: x, shape: [x.shape[0], x.shape[1], oh, ow], index: i)
    }

    /// QLinearAveragePool (com.microsoft), or AveragePool between DequantizeLinear and
    /// QuantizeLinear, which ONNX Runtime fuses into it.
    mutating func averagePool(_ node: Onnx_NodeProto, index i: Int) throws {
        let qdq = node.opType == "AveragePool"
        let x = try activation(node, 0, index: i, qdq: qdq)
        if !qdq { try checkStated(x, try quant(node, index: i, scale: 1, zeroPoint: 2, role: "input"), node, i, "input") }
        guard node.int("channels_last", default: 0) == 0 else { throw fail(i, "it pools channels-last data; qgen reads ONNX's NCHW") }
        guard x.shape.count == 4 else { throw fail(i, "its input has shape \(x.shape); qgen pools 4-D NCHW tensors") }
        guard let kernel = node.ints("kernel_shape") else { throw fail(i, "it has no kernel_shape") }
        let (stride, dilation, pads) = try window(node, index: i, kernel: kernel, input: x.shape)
        guard dilation == Size2(1, 1) else { throw fail(i, "its dilations \(dilation) are not 1; ONNX Runtime's QLinearAveragePool has none") }
        guard pads[0] == pads[2], pads[1] == pads[3] else {
            throw fail(i, "its pads \(pads) are asymmetric; qgen's AvgPool2d pads both sides alike")
        }
        guard pads[0] < kernel[0], pads[1] < kernel[1] else { throw fail(i, "its pads \(pads) are not smaller than its kernel \(kernel)") }
        let ceil = node.int("ceil_mode", default: 0) != 0
        let oh = Self.poolOutputSize(x.shape[2], kernel: kernel[0], stride: stride.height, pad: pads[0], ceil: ceil)
        let ow = Self.poolOutputSize(x.shape[3], kernel: kernel[1], stride: stride.width, pad: pads[1], ceil: ceil)
        guard oh >= 1, ow >= 1 else { throw fail(i, "its kernel \(kernel) does not fit its input \(x.shape)") }
        let (tensor, out) = qdq ? try outputQuantize(node, index: i) : (node.output[0], try quant(node, index: i, scale: 3, zeroPoint: 4, role: "output"))
        try add(AvgPool2d("avgpool_\(i)", input: x.layer, kernel: Size2(kernel[0], kernel[1]), stride: stride, padding: Size2(pads[0], pads[1]),
                          ceilMode: ceil, countIncludePad: node.int("count_include_pad", default: 0) != 0, output: out, file: fileName, line: i).layerSpec,
                output: tensor, quant: out, shape: [x.shape[0], x.shape[1], oh, ow])
    }

    mutating func reshape(_ node: Onnx_NodeProto, index i: Int) throws {
        let (x, moved) = try movement(node, index: i)
        var shape: [Int]
        if node.opType == "Flatten" {
            var axis = node.int("axis", default: 1)
            if axis < 0 { axis += x.shape.count }
            guard (0...x.shape.count).contains(axis) else { throw fail(i, "its axis \(axis) is outside its input's rank \(x.shape.count)") }
            shape = [x.shape[..<axis].reduce(1, *), x.shape[axis...].reduce(1, *)]
        } else {
            let target = try constant(node, 1, index: i, role: "shape")
            guard node.int("allowzero", default: 0) == 0 else { throw fail(i, "allowzero = 1 is not one qgen reads") }
            guard target.integers.allSatisfy({ (-1...(1 << 31)).contains($0) }), target.integers.count <= 8 else {
                throw fail(i, "its shape \(target.integers) is not up to 8 sizes in -1...2^31")
            }
            shape = target.integers.enumerated().map { k, d in d == 0 && k < x.shape.count ? x.shape[k] : d }
            let known = try elements(shape.filter { $0 != -1 }, index: i, what: "its target shape"), total = x.shape.reduce(1, *)
            if let unknown = shape.firstIndex(of: -1), known > 0 { shape[unknown] = total / known }
            guard shape.allSatisfy({ $0 >= 1 }), shape.reduce(1, *) == total else {
                throw fail(i, "it reshapes \(x.shape) to \(target.integers), which does not hold the same \(total) elements")
            }
        }
        try addMoved(Reshape("reshape_\(i)", input: x.layer, shape: shape, file: fileName, line: i).layerSpec, output: moved, from: x, shape: shape, index: i)
    }
}
