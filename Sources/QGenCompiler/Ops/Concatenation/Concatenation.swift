import QGen

// Concatenation: TFLite's CONCATENATION. Each input is a run of `outer` blocks of `axis size ×
// inner` elements, copied into the output at its offset along the axis. TFLite Micro requires one
// quantization for all; an input whose quantization differs from the output's is requantized
// element by element as TFLite's QUANTIZE does (`Requantizer.rescaling`), or through a table of
// its engine's requantization under ONNX Runtime (QLinearConcat) and PyTorch (PyTorchCat.swift).

extension Concatenation: ResolvableOp {
    var kindName: String { "Concatenation" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let sources = context.inputs
        guard sources.count >= 1 else {
            log.error("\(what): name at least one input", at: at)
            return nil
        }
        let first = sources[0]
        let rank = first.shape.count
        let resolvedAxis = axis < 0 ? axis + rank : axis
        guard (0..<rank).contains(resolvedAxis) else {
            log.error("\(what): axis \(axis) is out of range for \(first.producerText), shape \(first.shape) (rank \(rank)): give an axis in \(-rank)...\(rank - 1)", at: at)
            return nil
        }
        for s in sources.dropFirst() {
            var a = s.shape, b = first.shape
            if a.count == rank { a[resolvedAxis] = 0; b[resolvedAxis] = 0 }
            if a != b {
                log.error("\(what): \(s.producerText) \(s.shape) and \(first.producerText) \(first.shape) differ in shape other than along axis \(axis); Concatenation joins tensors that match in every other axis", at: at)
                return nil
            }
            if s.layout != first.layout {
                log.error("\(what): \(s.producerText) is \(s.layout?.rawValue ?? "without layout") and \(first.producerText) is \(first.layout?.rawValue ?? "without layout"); Concatenation joins tensors of one layout", at: at)
                return nil
            }
        }
        guard MemoryFormats.check(memoryFormats, context, log: &log) else { return nil }
        let quant: QuantParams
        if let output {
            Resolver.checkActivationQuant(output, what: "\(what) output", at: at, log: &log)
            quant = output
        } else if let other = sources.first(where: { $0.quant != first.quant }) {
            log.error("\(what): \(first.producerText) and \(other.producerText) are quantized differently (scale \(first.quant.scale), zero point \(first.quant.zeroPoint) and scale \(other.quant.scale), zero point \(other.quant.zeroPoint)); give output: to requantize them to one", at: at)
            return nil
        } else {
            quant = first.quant
        }
        if let other = sources.first(where: { $0.quant.dtype != quant.dtype }) {
            log.error("\(what): \(other.producerText) is \(other.quant.dtype) but the output is \(quant.dtype); Concatenation keeps the integer type (use Quantize to change it)", at: at)
            return nil
        }
        var shape = first.shape
        shape[resolvedAxis] = sources.map { $0.shape[resolvedAxis] }.reduce(0, +)
        guard SizeLimits.check(what: what, at: at, ("output", shape), log: &log) else { return nil }
        let outer = first.shape[..<resolvedAxis].reduce(1, *), inner = first.shape[(resolvedAxis + 1)...].reduce(1, *)
        return (.concatenation(ResolvedConcatenation(outer: outer, chunks: sources.map { $0.shape[resolvedAxis] * inner },
                                                     axisSizes: sources.map { $0.shape[resolvedAxis] },
                                                     // ATen's NHWC cat (qconcat.cpp, is_cat_nhwc_fast_path).
                                                     atenNHWC: resolvedAxis == 1 && !memoryFormats.isEmpty && memoryFormats.allSatisfy { $0 == .channelsLast })),
                OutputType(shape: shape, layout: first.layout, quant: quant))
    }
}

public struct ResolvedConcatenation: Equatable, Codable, Sendable {
    public var outer: Int
    /// Elements each input contributes per outer block (its axis size × inner).
    public var chunks: [Int]
    /// Each input's size along the axis.
    public var axisSizes: [Int]
    /// fbgemm and qnnpack: PyTorch runs ATen's NHWC cat (channels-last 4-D inputs joined along
    /// their channels).
    public var atenNHWC: Bool
}

extension ResolvedConcatenation: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let output = model.tensors[node.output].quant
        var rescales: [Requantizer?] = []
        var tables: [[Int32]?] = []
        var vectorTables = [[Int32]?](repeating: nil, count: node.inputs.count)
        var vectorLengths = [Int](repeating: 0, count: node.inputs.count)
        for id in node.inputs {
            let input = model.tensors[id]
            tables.append(nil)
            if input.quant == output { rescales.append(nil); continue }
            if model.scheme == .onnxRuntime {
                // QLinearConcat: each input quantized unlike the output goes through ONNX Runtime's table.
                tables[tables.count - 1] = ONNXRuntimeTable.make(input: input.quant, output: output) { $0 }
                rescales.append(nil)
                continue
            }
            guard model.scheme != .liteRT else {
                // tflite/kernels/concatenation.cc: "there is no re-scaling needed for Int8 quantized kernel".
                log.error("\(node.what): LiteRT's int8 CONCATENATION requires every input to have the output's quantization (scale \(output.scale), zero point \(output.zeroPoint)), but \(input.producerText) has scale \(input.quant.scale) and zero point \(input.quant.zeroPoint); quantize every input like the output, or use tflite, whose Concatenation requantizes", at: node.location)
                return nil
            }
            if model.scheme.family == .float32 {
                // PyTorch's quantized::cat: a table per path (PyTorchCat.swift).
                tables[tables.count - 1] = PyTorchCat.scalarTable(input: input.quant, output: output)
                if atenNHWC {
                    let k = tables.count - 1, v = PyTorchCat.floatsPerVector(model.scheme)
                    vectorTables[k] = PyTorchCat.vectorTable(input: input.quant, output: output)
                    vectorLengths[k] = axisSizes[k] / v * v * (chunks[k] / axisSizes[k])
                }
                rescales.append(nil)
                continue
            }
            guard let r = Requantizer.rescaling(from: input.quant, to: output, scheme: model.scheme, what: "\(node.what), input \(input.producerText)",
                                                at: node.location, log: &log) else { return nil }
            rescales.append(r)
        }
        let zeroPoints = node.inputs.map { Int32(model.tensors[$0].quant.zeroPoint) }
        return (.concatenation(LoweredConcatenation(outer: outer, chunks: chunks, inputZeroPoints: zeroPoints, rescales: rescales, tables: tables,
                                                    vectorTables: vectorTables, vectorLengths: vectorLengths,
                                                    lowestCode: Int32(output.dtype.range.lowerBound))), .activation(.none))
    }
}

public struct LoweredConcatenation: Equatable, Codable, Sendable {
    public var outer: Int
    public var chunks: [Int]
    public var inputZeroPoints: [Int32]
    /// nil: the input is copied (it has the output's quantization), or read through its table.
    public var rescales: [Requantizer?]
    /// onnxRuntime: the output code of each input code from `lowestCode` up (QLinearConcat's table);
    /// nil where the input is copied or rescaled.
    public var tables: [[Int32]?]
    /// fbgemm and qnnpack with channels-last inputs: the first `vectorLengths[k]` elements of each
    /// of input k's chunks (its vector channels) read `vectorTables[k]` instead (ATen's NHWC path).
    public var vectorTables: [[Int32]?]
    public var vectorLengths: [Int]
    public var lowestCode: Int32
}

extension LoweredConcatenation: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        var y: [Int32] = []
        for o in 0..<outer {
            for (k, chunk) in chunks.enumerated() {
                let block = inputs[k][(o * chunk)..<((o + 1) * chunk)]
                if let r = rescales[k] {
                    y += block.map { r.apply($0 - inputZeroPoints[k], channel: 0, scheme: model.scheme) }
                } else if let t = tables[k] {
                    let v = vectorTables[k] ?? t
                    y += block.enumerated().map { j, x in (j < vectorLengths[k] ? v : t)[Int(x - lowestCode)] }
                } else {
                    y += block
                }
            }
        }
        return y
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        var y: [Double] = []
        for o in 0..<outer { for (k, chunk) in chunks.enumerated() { y += inputs[k][(o * chunk)..<((o + 1) * chunk)] } }
        return y
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let block = chunks.reduce(0, +)
        var offset = flat % block
        let o = flat / block
        for (k, chunk) in chunks.enumerated() {
            guard offset >= chunk else {
                let x = inputs[k][o * chunk + offset]
                let source = "input \(k + 1) ('\(model.tensors[node.inputs[k]].name)'), element \(o * chunk + offset) = \(x)"
                if let v = vectorTables[k], offset < vectorLengths[k] {
                    return [source + ", a vector channel of ATen's NHWC cat: zp_out + RNE(fma(x, s_in, s_in * -zp_in) * float(1.0 / s_out)) = \(v[Int(x - lowestCode)])"]
                }
                if let t = tables[k] {
                    let rule = model.scheme == .onnxRuntime ? "ONNX Runtime's table (s_in * (x - zp_in) / s_out, rounded half to even)"
                        : "ATen's cat (zp_out + RNE(s_in * (x - zp_in) * (1.0f / s_out)))"
                    return [source + ", through \(rule): \(t[Int(x - lowestCode)])"]
                }
                guard let r = rescales[k] else { return [source + ", copied (it has the output's quantization)"] }
                return [source + "; x - zp = \(x - inputZeroPoints[k])", r.explainApply(x - inputZeroPoints[k], channel: 0, scheme: model.scheme)]
            }
            offset -= chunk
        }
        return []
    }

    /// Whether every input already lies in its slice of the output (the arena plan put it there:
    /// Resolver's concatenation links), so that the copies would change nothing and no kernel runs.
    public func inputsAreInTheirSlices(_ node: LoweredNode, in model: LoweredModel) -> Bool {
        guard outer == 1, rescales.allSatisfy({ $0 == nil }), tables.allSatisfy({ $0 == nil }),
              case .arena(let base, _) = model.tensors[node.output].buffer else { return false }
        var start = 0
        for (id, chunk) in zip(node.inputs, chunks) {
            guard model.tensors[id].buffer == .arena(offset: base + start, size: chunk) else { return false }
            start += chunk
        }
        return true
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        if inputsAreInTheirSlices(node, in: model) { return EmittedNode(arrays: [], kernel: nil, helpers: []) }
        let y = model.tensors[node.output]
        let total = chunks.reduce(0, +)
        let isPyTorch = model.scheme.family == .float32 && model.scheme != .onnxRuntime
        var offset = 0
        var parts: [ConcatenationKernel.Part] = []
        var arrays: [CArray] = []
        let names = EmittedNames.Layer(cName: node.cName)
        func tableArray(_ t: [Int32], _ name: String, _ what: String) -> String {
            arrays.append(CArray(name: name, cType: Emitter.cType(y.dtype),
                                 comment: "\(node.name): input codes \(lowestCode)...\(Int(lowestCode) + t.count - 1) in the output's quantization (\(what))",
                                 values: t.map(Int64.init), elementComments: nil))
            return name
        }
        for (k, id) in node.inputs.enumerated() {
            let x = model.tensors[id]
            let r = rescales[k]
            // Each input is one segment of its chunk, or two under ATen's NHWC cat (vector channels first).
            var segments: [(start: Int, end: Int, table: String?, text: String)] = []
            if let t = tables[k] {
                let what = model.scheme == .onnxRuntime ? "ONNX Runtime's QLinearConcat table" : isPyTorch && vectorTables[k] != nil
                    ? "ATen's NHWC cat, scalar channels" : "ATen's cat: dequantize, quantize_per_tensor"
                // Only the tables a segment reads are emitted (an unused static array would warn).
                if let v = vectorTables[k], vectorLengths[k] > 0 {
                    let vector = tableArray(v, "\(names.weights)_\(k)_vector", "input \(k + 1), ATen's NHWC cat, vector channels: a fused dequantization")
                    segments.append((0, vectorLengths[k], vector, "vector channels"))
                }
                if vectorLengths[k] < chunks[k] {
                    segments.append((vectorLengths[k], chunks[k], tableArray(t, "\(names.weights)_\(k)", "input \(k + 1), \(what)"), ""))
                }
            } else {
                segments.append((0, chunks[k], nil, ""))
            }
            for segment in segments {
                parts.append(.init(index: k, name: x.name, chunk: chunks[k], start: segment.start, end: segment.end,
                                   offset: offset, isCopy: r == nil && segment.table == nil, table: segment.table, tableOffset: -lowestCode,
                                   segmentText: segment.text.isEmpty ? "" : " (\(segment.text))",
                                   inputZeroPoint: inputZeroPoints[k], multiplier: r?.multipliers[0].mantissa ?? 0, shift: r?.multipliers[0].shift ?? 0,
                                   text: r?.multiplierTexts[0] ?? "", outputZeroPoint: r?.outputZeroPoint ?? 0,
                                   outputMin: r?.activationMin ?? 0, outputMax: r?.activationMax ?? 0))
            }
            offset += chunks[k]
        }
        let rule = model.scheme == .onnxRuntime ? "ONNX Runtime's QLinearConcat; an input quantized unlike the output is read through its table"
            : isPyTorch ? "PyTorch's quantized::cat; an input quantized unlike the output is read through a table of ATen's requantization"
            : "TFLite's CONCATENATION; an input quantized unlike the output is requantized as TFLite's QUANTIZE does"
        return EmittedNode(arrays: arrays, kernel: ConcatenationKernel(
            names: names, layerName: node.name, location: "\(node.location.fileName):\(node.location.line)", rule: rule,
            outputCType: Emitter.cType(y.dtype), outer: outer, total: total,
            inputs: node.inputs.enumerated().map { .init(index: $0, cType: Emitter.cType(model.tensors[$1].dtype)) }, parts: parts),
            helpers: rescales.contains { $0 != nil } ? [EmittedNode.requantize] : [])
    }
}

/// Templates/kernel_concatenation.mustache.
struct ConcatenationKernel: KernelContext {
    struct Input: Sendable {
        var index: Int
        var cType: String
    }
    /// A run of one input's chunk, [start, end), copied, read through a table or requantized.
    struct Part: Sendable {
        var index: Int
        var name: String
        var chunk: Int
        var start: Int
        var end: Int
        var offset: Int
        var isCopy: Bool
        /// The table this run is read through (onnxRuntime, fbgemm, qnnpack), and the offset of a code into it.
        var table: String?
        var tableOffset: Int32
        var segmentText: String
        var inputZeroPoint: Int32
        var multiplier: Int32
        var shift: Int32
        var text: String
        var outputZeroPoint: Int32
        var outputMin: Int32
        var outputMax: Int32
    }
    var template: String { "kernel_concatenation" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var rule: String
    var outputCType: String
    var outer: Int
    var total: Int
    var inputs: [Input]
    var parts: [Part]
}
