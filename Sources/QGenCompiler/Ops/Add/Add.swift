import QGen
import QGenArithmetic

// Add: y = activation(a + b), TFLite's quantized ADD (tensorflow/lite/micro/kernels/add_common.cc,
// reference_integer_ops::AddElementwise): with left_shift = 20,
//
//     twice_max = 2 · max(s_a, s_b)                         (float32 scales, in double)
//     a' = R((a − zp_a) · 2^20, s_a / twice_max)            (each ≤ 0.5, so |a'| < 2^27)
//     b' = R((b − zp_b) · 2^20, s_b / twice_max)
//     y  = clamp(R(a' + b', twice_max / (2^20 · s_out)) + zp_out, act_min, act_max)
//
// where R is the scheme's multiply-and-round (TFLite's MultiplyByQuantizedMultiplierSmallerThanOneExp
// under `tflite`; the same algorithm with each scheme's own multipliers otherwise).

extension Add: ResolvableOp {
    var kindName: String { "Add" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        guard let type = Elementwise.outputType(context, kind: kindName, output: output, activation: activation, log: &log) else { return nil }
        guard MemoryFormats.check(memoryFormats, context, log: &log) else { return nil }
        return (.add(ResolvedAdd(activation: activation, subtract: false, memoryFormats: memoryFormats)), type)
    }
}

extension Sub: ResolvableOp {
    var kindName: String { "Sub" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        guard let type = Elementwise.outputType(context, kind: kindName, output: output, activation: activation, log: &log) else { return nil }
        return (.add(ResolvedAdd(activation: activation, subtract: true, memoryFormats: [])), type)
    }
}

/// The checks every two-input elementwise op shares: same shape (Mul: shapes that broadcast),
/// layout and integer type.
enum Elementwise {
    static func outputType(_ context: ResolveContext, kind: String, output: QuantParams, activation: Activation, broadcasts: Bool = false,
                           log: inout DiagnosticLog) -> OutputType? {
        let what = context.what, at = context.location
        let (a, b) = (context.inputs[0], context.inputs[1])
        let errorsBefore = log.errorCount
        Resolver.checkOutput(output, activation: activation, what: what, at: at, log: &log)
        let shape = broadcasts ? Broadcast.outputShape([a.shape, b.shape]) : a.shape == b.shape ? a.shape : nil
        if shape == nil {
            log.error(broadcasts ? "\(what): its inputs \(a.producerText) \(a.shape) and \(b.producerText) \(b.shape) do not broadcast; \(kind) takes two tensors of one rank whose every axis is equal or 1 in one of them"
                                 : "\(what): its inputs \(a.producerText) \(a.shape) and \(b.producerText) \(b.shape) differ in shape; \(kind) takes two tensors of the same shape", at: at)
        } else if a.layout != b.layout {
            log.error("\(what): its inputs \(a.producerText) (\(a.layout?.rawValue ?? "no layout")) and \(b.producerText) (\(b.layout?.rawValue ?? "no layout")) have different layouts; \(kind) takes two tensors of the same layout", at: at)
        }
        if a.quant.dtype != output.dtype || b.quant.dtype != output.dtype {
            log.error("\(what): \(kind) takes and produces one integer type, but its inputs are \(a.quant.dtype) (\(a.producerText)) and \(b.quant.dtype) (\(b.producerText)) and its output is \(output.dtype); quantize all three as the same type", at: at)
        }
        guard log.errorCount == errorsBefore, let shape else { return nil }
        return OutputType(shape: shape, layout: a.layout, quant: output)
    }
}

public struct ResolvedAdd: Equatable, Codable, Sendable {
    public var activation: Activation
    /// Sub: the second input's rescaled value is subtracted, and TFLite Micro computes the
    /// multipliers from float32 quotients (Add computes them in double).
    public var subtract: Bool
    /// PyTorch's memory formats of the inputs (empty: contiguous).
    public var memoryFormats: [MemoryFormat]
}

extension ResolvedAdd: OpLowering {
    /// TFLite's left shift for 8-bit Add (15 for int16).
    static let leftShift = 20

    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let scheme = model.scheme, what = node.what, at = node.location
        let a = model.tensors[node.inputs[0]], b = model.tensors[node.inputs[1]], output = model.tensors[node.output].quant
        switch scheme {
        case .fbgemm, .qnnpack:
            return PyTorchAdd.lower(node, activation: activation, subtract: subtract, memoryFormats: memoryFormats, in: model, log: &log)
        case .onnxRuntime:
            return ONNXRuntimeAdd.lower(node, activation: activation, subtract: subtract, in: model, log: &log)
        default:
            break
        }
        guard SchemeSupport.requireFixedPoint(node, scheme: scheme, log: &log) else { return nil }
        let errorsBefore = log.errorCount
        let (sa, sb, so) = (Float(a.quant.scale), Float(b.quant.scale), Float(output.scale))
        let twiceMax = 2 * Double(max(sa, sb))
        var reals = [Double(sa) / twiceMax, Double(sb) / twiceMax, twiceMax / (Double(1 << Self.leftShift) * Double(so))]
        if subtract {
            // sub_common.cc: float twice_max_input_scale, float quotients, then double.
            let twiceMax32 = 2 * max(sa, sb)
            reals = [Double(sa / twiceMax32), Double(sb / twiceMax32), Double(twiceMax32 / (Float(1 << Self.leftShift) * so))]
        }
        let roles = ["input '\(a.name)'", "input '\(b.name)'", "output"]
        let formulas = ["s_a/(2*max(s_a,s_b))", "s_b/(2*max(s_a,s_b))", "2*max(s_a,s_b)/(2^20*s_out)"]
        if reals[2] >= 1 {
            log.error("\(what): the output multiplier 2·max(s_a, s_b)/(2^20·s_out) = \(format(reals[2])) is not below 1, as TFLite's \(node.kindName) requires: the output scale \(output.scale) is too small for input scales \(a.quant.scale) and \(b.quant.scale); it must be above \(format(twiceMax / Double(1 << Self.leftShift)))", at: at)
            return nil
        }
        var multipliers: [(QuantizedMultiplier, String)] = []
        for (k, real) in reals.enumerated() {
            let text = "\(formulas[k]) = \(format(real)) ~ "
            switch FixedPointMultiplier.represent(real, scheme: scheme) {
            case .multiplier(let m, let form):
                multipliers.append((m, text + form))
            case .flushedToZero(let m, let form, let below):
                log.warning("\(what): the \(roles[k]) multiplier \(formulas[k]) = \(format(real)) is below 2^\(below) and is flushed to 0: \(k < 2 ? "that input does not contribute to the sum" : "the output is constant")", at: at)
                multipliers.append((m, text + form))
            case .powerOfTwoMiss(let n, _, let error):
                guard case .powerOfTwo(_, let tolerance) = scheme else { return nil }
                log.error("\(what): the \(roles[k]) multiplier \(formulas[k]) = \(format(real)) is \(format(error * 100))% from the nearest power of two 2^\(-n), beyond the powerOfTwo tolerance \(format(tolerance * 100))%; choose scales whose ratios are powers of two, or use fixedPoint(multiplierBits:…)", at: at)
            case .powerOfTwoOutOfRange(let n):
                log.error("\(what): the \(roles[k]) multiplier \(formulas[k]) = \(format(real)) is nearest to 2^\(-n), outside the powerOfTwo scheme's right shifts 0...62; bring the input and output scales closer together", at: at)
            case .tooLarge, .needsMoreBits:
                // Every Add multiplier is below 1 (checked above), which every fixed-point form holds.
                preconditionFailure("Add multiplier \(real) below 1 not representable in \(scheme)")
            }
        }
        guard log.errorCount == errorsBefore,
              let clamp = ActivationRange(activation, output: output, what: what, at: at, log: &log) else { return nil }
        func rescale(_ k: Int) -> Requantizer {
            Requantizer(isPerChannel: false, multipliers: [multipliers[k].0], floatMultipliers: [], floatBiasTerms: [], multiplierTexts: [multipliers[k].1],
                        outputZeroPoint: 0, activationMin: Int32.min, activationMax: Int32.max, activationText: "none")
        }
        var out = rescale(2)
        out.outputZeroPoint = Int32(output.zeroPoint)
        (out.activationMin, out.activationMax, out.activationText) = (clamp.min, clamp.max, clamp.text)
        let lowered = LoweredAdd(count: model.tensors[node.output].count, leftShift: Int32(Self.leftShift), subtract: subtract,
                                 inputOffsets: [Int32(-a.quant.zeroPoint), Int32(-b.quant.zeroPoint)],
                                 inputRescales: [rescale(0), rescale(1)], output: out)
        return (.add(lowered), .activation(activation))
    }

    private func format(_ x: Double) -> String { FixedPointMultiplier.format(x) }
}

public struct LoweredAdd: Equatable, Codable, Sendable {
    public var count: Int
    public var leftShift: Int32
    /// Sub: the second rescaled input is subtracted.
    public var subtract: Bool
    /// `−zp` of each input (TFLite's `input1_offset`, `input2_offset`).
    public var inputOffsets: [Int32]
    /// Each input's rescale to twice the larger input scale (no zero point, no clamp).
    public var inputRescales: [Requantizer]
    /// The sum's rescale to the output, its zero point and the activation's clamp.
    public var output: Requantizer
}

extension LoweredAdd: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<count).map { i in
            let scaled = (0..<2).map { k in inputRescales[k].apply((inputs[k][i] + inputOffsets[k]) * (1 << leftShift), channel: 0, scheme: model.scheme) }
            return output.apply(subtract ? scaled[0] - scaled[1] : scaled[0] + scaled[1], channel: 0, scheme: model.scheme)
        }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        guard case .activation(let activation)? = real.nodes[node.name] else { preconditionFailure("no real parameters for '\(node.name)'") }
        return zip(inputs[0], inputs[1]).map { activation.apply(subtract ? $0 - $1 : $0 + $1) }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        var lines: [String] = []
        var scaled: [Int32] = []
        for k in 0..<2 {
            let x = inputs[k][flat], v = (x + inputOffsets[k]) * (1 << leftShift)
            scaled.append(inputRescales[k].apply(v, channel: 0, scheme: model.scheme))
            lines.append("input \(k + 1) = \(x); (x - zp) * 2^\(leftShift) = \(v); R(\(v) * m\(k + 1)) = \(scaled[k]) (\(inputRescales[k].multiplierTexts[0]))")
        }
        let total = subtract ? scaled[0] - scaled[1] : scaled[0] + scaled[1]
        lines.append("\(scaled[0]) \(subtract ? "-" : "+") \(scaled[1]) = \(total)")
        lines.append(output.explainApply(total, channel: 0, scheme: model.scheme))
        return lines
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let a = model.tensors[node.inputs[0]], b = model.tensors[node.inputs[1]], y = model.tensors[node.output]
        let kernel = AddKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            kind: node.kindName, tfliteName: subtract ? "SUB" : "ADD", operator: subtract ? "-" : "+", count: count, type: y.dtype.rawValue, input1CType: Emitter.cType(a.dtype), input2CType: Emitter.cType(b.dtype), outputCType: Emitter.cType(y.dtype),
            leftShift: leftShift, leftShiftFactor: 1 << leftShift,
            input1Offset: inputOffsets[0], input1Multiplier: inputRescales[0].multipliers[0].mantissa, input1Shift: inputRescales[0].multipliers[0].shift,
            input1Text: inputRescales[0].multiplierTexts[0],
            input2Offset: inputOffsets[1], input2Multiplier: inputRescales[1].multipliers[0].mantissa, input2Shift: inputRescales[1].multipliers[0].shift,
            input2Text: inputRescales[1].multiplierTexts[0],
            outputMultiplier: output.multipliers[0].mantissa, outputShift: output.multipliers[0].shift, outputText: output.multiplierTexts[0],
            outputZeroPoint: output.outputZeroPoint, activationText: output.activationText, activationMin: output.activationMin, activationMax: output.activationMax)
        return EmittedNode(arrays: [], kernel: kernel, helpers: [EmittedNode.requantize])
    }
}

/// Templates/kernel_add.mustache.
struct AddKernel: KernelContext {
    var template: String { "kernel_add" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var kind: String
    var tfliteName: String
    /// `+` or `-`: C text chosen by the emitter, spliced raw.
    var `operator`: String
    var count: Int
    var type: String
    var input1CType: String
    var input2CType: String
    var outputCType: String
    var leftShift: Int32
    var leftShiftFactor: Int32
    var input1Offset: Int32
    var input1Multiplier: Int32
    var input1Shift: Int32
    var input1Text: String
    var input2Offset: Int32
    var input2Multiplier: Int32
    var input2Shift: Int32
    var input2Text: String
    var outputMultiplier: Int32
    var outputShift: Int32
    var outputText: String
    var outputZeroPoint: Int32
    var activationText: String
    var activationMin: Int32
    var activationMax: Int32
}
