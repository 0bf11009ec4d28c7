import QGen

// Concatenation: TFLite's CONCATENATION. Each input is a run of `outer` blocks of `axis size ×
// inner` elements, copied into the output at its offset along the axis. TFLite Micro requires one
// quantization for all; an input whose quantization differs from the output's is requantized
// element by element as TFLite's QUANTIZE does (`Requantizer.rescaling`).

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
        return (.concatenation(ResolvedConcatenation(outer: outer, chunks: sources.map { $0.shape[resolvedAxis] * inner })),
                OutputType(shape: shape, layout: first.layout, quant: quant))
    }
}

public struct ResolvedConcatenation: Equatable, Codable, Sendable {
    public var outer: Int
    /// Elements each input contributes per outer block (its axis size × inner).
    public var chunks: [Int]
}

extension ResolvedConcatenation: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let output = model.tensors[node.output].quant
        var rescales: [Requantizer?] = []
        var tables: [[Int32]?] = []
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
            guard model.scheme.family != .float32 else {
                log.error("\(node.what): the \(model.scheme) scheme cannot requantize \(input.producerText) for the concatenation yet (PyTorch's requantizing cat comes in a later version of qgen); quantize every input like the output, or use tflite", at: node.location)
                return nil
            }
            guard let r = Requantizer.rescaling(from: input.quant, to: output, scheme: model.scheme, what: "\(node.what), input \(input.producerText)",
                                                at: node.location, log: &log) else { return nil }
            rescales.append(r)
        }
        let zeroPoints = node.inputs.map { Int32(model.tensors[$0].quant.zeroPoint) }
        return (.concatenation(LoweredConcatenation(outer: outer, chunks: chunks, inputZeroPoints: zeroPoints, rescales: rescales, tables: tables,
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
                    y += block.map { t[Int($0 - lowestCode)] }
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
                if let t = tables[k] { return [source + ", through ONNX Runtime's table (s_in * (x - zp_in) / s_out, rounded half to even): \(t[Int(x - lowestCode)])"] }
                guard let r = rescales[k] else { return [source + ", copied (it has the output's quantization)"] }
                return [source + "; x - zp = \(x - inputZeroPoints[k])", r.explainApply(x - inputZeroPoints[k], channel: 0, scheme: model.scheme)]
            }
            offset -= chunk
        }
        return []
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let y = model.tensors[node.output]
        let total = chunks.reduce(0, +)
        var offset = 0
        var parts: [ConcatenationKernel.Part] = []
        var arrays: [CArray] = []
        let names = EmittedNames.Layer(cName: node.cName)
        for (k, id) in node.inputs.enumerated() {
            let x = model.tensors[id]
            let r = rescales[k]
            var table: String? = nil
            if let t = tables[k] {
                let name = "\(names.weights)_\(k)"
                arrays.append(CArray(name: name, cType: Emitter.cType(y.dtype),
                                     comment: "\(node.name): input \(k + 1)'s codes \(lowestCode)...\(Int(lowestCode) + t.count - 1) in the output's quantization (ONNX Runtime's QLinearConcat table)",
                                     values: t.map(Int64.init), elementComments: nil))
                table = name
            }
            parts.append(.init(index: k, name: x.name, cType: Emitter.cType(x.dtype), chunk: chunks[k], offset: offset, isCopy: r == nil && table == nil,
                               table: table, tableOffset: -lowestCode,
                               inputZeroPoint: inputZeroPoints[k], multiplier: r?.multipliers[0].mantissa ?? 0, shift: r?.multipliers[0].shift ?? 0,
                               text: r?.multiplierTexts[0] ?? "", outputZeroPoint: r?.outputZeroPoint ?? 0,
                               outputMin: r?.activationMin ?? 0, outputMax: r?.activationMax ?? 0, isLast: k == node.inputs.count - 1))
            offset += chunks[k]
        }
        return EmittedNode(arrays: arrays, kernel: ConcatenationKernel(
            names: names, layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            outputCType: Emitter.cType(y.dtype), outer: outer, total: total, parts: parts),
            helpers: rescales.contains { $0 != nil } ? [EmittedNode.requantize] : [])
    }
}

/// Templates/kernel_concatenation.mustache.
struct ConcatenationKernel: KernelContext {
    struct Part: Sendable {
        var index: Int
        var name: String
        var cType: String
        var chunk: Int
        var offset: Int
        var isCopy: Bool
        /// The table this input is read through (onnxRuntime), and the offset of a code into it.
        var table: String?
        var tableOffset: Int32
        var inputZeroPoint: Int32
        var multiplier: Int32
        var shift: Int32
        var text: String
        var outputZeroPoint: Int32
        var outputMin: Int32
        var outputMax: Int32
        var isLast: Bool
    }
    var template: String { "kernel_concatenation" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var outputCType: String
    var outer: Int
    var total: Int
    var parts: [Part]
}
