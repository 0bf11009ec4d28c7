import Foundation
import QGen
import QGenArithmetic

// Softmax: TFLite Micro's int8 SOFTMAX (softmax_common.cc, reference_ops::Softmax). At lowering:
//
//     (M, shift) = QuantizeMultiplierGreaterThanOne(min(β · s_in · 2^26, 2^31 − 1))
//     d_max      = floor(31 · 2^26 / 2^shift)           (TFLite's diff_min = −d_max)
//     exp[d]     = exp_on_negative_values<5>(MultiplyByQuantizedMultiplierGreaterThanOne(−d, M, shift))
//     acc[d]     = RoundingDivideByPOT(exp[d], 12)      (Rescale to Q12.19)
//
// for every difference d = max − x in 0…255 (a table, so no transcendental runs in the C). Per row:
// sum = Σ acc[d] over d ≤ d_max, (scale, n) = GetReciprocal(sum, 12), and each output is
// RoundingDivideByPOT(SRDHM(scale, exp[d]), n + 31 − output bits) + type min (the type min where d > d_max); the
// output is int8/uint8 (n + 23), or int16 for int8 input (TFLite's int16 output, n + 15).

extension Softmax: ResolvableOp {
    var kindName: String { "Softmax" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        let dtype = source.quant.dtype
        // The default is TFLite's (and ONNX Runtime's usual) output; each stack's lowering checks its own rules.
        let quant = output ?? QuantParams(dtype: dtype, scale: 1.0 / 256, zeroPoint: dtype == .int8 ? -128 : 0)
        Resolver.checkActivationQuant(quant, what: "\(what) output", at: at, log: &log)
        guard beta.isFinite && beta > 0 else {
            log.error("\(what): beta must be a finite number > 0, got \(beta)", at: at)
            return nil
        }
        let depth = source.shape.last ?? 1
        return (.softmax(ResolvedSoftmax(beta: beta, depth: depth, outer: source.count / depth)),
                OutputType(shape: source.shape, layout: source.layout, quant: quant))
    }
}

public struct ResolvedSoftmax: Equatable, Codable, Sendable {
    public var beta: Double
    public var depth: Int
    public var outer: Int
}

extension ResolvedSoftmax: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let scheme = model.scheme, what = node.what, at = node.location
        if scheme == .onnxRuntime {
            return ONNXRuntimeSoftmax.lower(self, node, in: model, log: &log).map { (.onnxRuntimeSoftmax($0), .softmax(beta: beta)) }
        }
        if scheme.family == .float32 {
            // ATen's qsoftmax: QNNPACK's integer kernel under qnnpack for quint8 with output 1/256 and 0, else the float path.
            if QNNPACKSoftmax.applies(node, in: model) {
                return QNNPACKSoftmax.lower(self, node, in: model, log: &log).map { (.qnnpackSoftmax($0), .softmax(beta: beta)) }
            }
            return ATenSoftmax.lower(self, node, in: model, log: &log).map { (.atenSoftmax($0), .softmax(beta: beta)) }
        }
        guard SchemeSupport.requireTFLite(node, scheme: scheme, log: &log) else { return nil }
        let input = model.tensors[node.inputs[0]].quant
        let dtype = input.dtype, quant = model.tensors[node.output].quant
        let expected = QuantParams(dtype: dtype, scale: 1.0 / 256, zeroPoint: dtype == .int8 ? -128 : 0)
        // TFLite's int8 → int16 softmax: scale 1/65536, zero point −32768.
        let wide = QuantParams.int16(scale: 1.0 / 65536, zeroPoint: -32768)
        guard quant == expected || (dtype == .int8 && quant == wide) else {
            let alternative = dtype == .int8 ? ", or .int16(scale: 1.0 / 65536, zeroPoint: -32768) for TFLite's int16 output" : ""
            log.error("\(what): TFLite's \(dtype) softmax produces scale 1/256 (0.00390625) with zero point \(expected.zeroPoint), not \(quant.dtype) scale \(quant.scale) with zero point \(quant.zeroPoint); leave output: out or give .\(dtype)(scale: 1.0 / 256, zeroPoint: \(expected.zeroPoint))\(alternative)", at: at)
            return nil
        }
        guard depth <= 511 else {
            log.error("\(what): it normalizes \(depth) values (the last axis of \(model.tensors[node.inputs[0]].producerText) \(model.tensors[node.inputs[0]].shape)); TFLite's int8 softmax holds at most 511 (its sum of exponentials is Q12.19 and its output shift must stay ≤ 31)", at: at)
            return nil
        }
        let maxReal = scheme == .singleRounding ? Double((1 << 30) - 1) : Double((1 << 31) - 1)
        let real = min(Double(Float(beta)) * Double(Float(input.scale)) * Double(1 << 26), maxReal)
        let m = QuantizedMultiplier(real: real)
        guard real > 1, m.shift >= 0, m.shift <= 31 else {
            log.error("\(what): β · s_in · 2^26 = \(FixedPointMultiplier.format(real)) is not above 1, as TFLite's softmax requires: the input scale \(input.scale) is too small (it must be above \(FixedPointMultiplier.format(1 / (beta * Double(1 << 26)))))", at: at)
            return nil
        }
        let dMax = min(255, Int((31.0 * Double(1 << 26) / Double(sign: .plus, exponent: Int(m.shift), significand: 1)).rounded(.down)))
        var exps: [Int32] = [], accs: [Int32] = []
        for d in 0...dMax {
            let rescaled = scheme.scale(Int32(-d), by: m)
            let e = GemmlowpFixedPoint.expOnNegativeValues(rescaled, integerBits: 5)
            exps.append(e)
            accs.append(GemmlowpFixedPoint.multiplyByPOT(e, -12))
        }
        let type = model.tensors[node.output].quant.dtype.range
        let outputBits = model.tensors[node.output].quant.dtype.size * 8
        return (.softmax(LoweredSoftmax(depth: depth, outer: outer, multiplier: m, maxDifference: Int32(dMax), exps: exps, sums: accs,
                                        outputMin: Int32(type.lowerBound), outputMax: Int32(type.upperBound), outputBits: outputBits)), .softmax(beta: beta))
    }
}

public struct LoweredSoftmax: Equatable, Codable, Sendable {
    public var depth: Int
    public var outer: Int
    /// β · s_in · 2^26 as TFLite's `input_multiplier` and `input_left_shift` (for comments).
    public var multiplier: QuantizedMultiplier
    /// Differences `max − x` above this are left out (TFLite's `−diff_min`, at most 255).
    public var maxDifference: Int32
    /// exp of each difference in Q0.31, and the same in Q12.19 for the sum.
    public var exps: [Int32]
    public var sums: [Int32]
    public var outputMin: Int32
    public var outputMax: Int32
    /// 8, or 16 for the int16 output: the result is scaled by 2^(bits over unit + 31 − outputBits).
    public var outputBits: Int
}

extension LoweredSoftmax: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        let x = inputs[0]
        var y: [Int32] = []
        for row in 0..<outer {
            let values = x[(row * depth)..<((row + 1) * depth)]
            let top = values.max()!
            var sum: Int32 = 0
            for v in values where top - v <= maxDifference { sum += sums[Int(top - v)] }
            let (scale, bits) = GemmlowpFixedPoint.reciprocal(sum, integerDigits: 12)
            let exponent = Int32(bits + 31 - outputBits)
            precondition((0...31).contains(exponent), "softmax exponent \(exponent) outside 0...31 (depth was bounded at lowering)")
            for v in values {
                guard top - v <= maxDifference else { y.append(outputMin); continue }
                let unsaturated = Gemmlowp.roundingDivideByPOT(Gemmlowp.saturatingRoundingDoublingHighMul(scale, exps[Int(top - v)]), exponent)
                y.append(min(max(unsaturated + outputMin, outputMin), outputMax))
            }
        }
        return y
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        guard case .softmax(let beta)? = real.nodes[node.name] else { preconditionFailure("no real parameters for '\(node.name)'") }
        return RealSoftmax.rows(inputs[0], depth: depth, beta: beta)
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let row = flat / depth
        let values = Array(inputs[0][(row * depth)..<((row + 1) * depth)])
        let top = values.max()!
        var sum: Int32 = 0
        for v in values where top - v <= maxDifference { sum += sums[Int(top - v)] }
        let x = inputs[0][flat], d = top - x
        var lines = ["row \(row): \(depth) inputs \(values.prefix(32).map(String.init).joined(separator: ", "))\(values.count > 32 ? ", ..." : ""); max = \(top)",
                     "sum over the row of exp(-(max - x) * beta * s_in) in Q12.19 (differences beyond \(maxDifference) count 0) = \(sum)"]
        if d > maxDifference {
            lines.append("this element: max - x = \(d) > \(maxDifference): output \(outputMin)")
        } else {
            let (scale, bits) = GemmlowpFixedPoint.reciprocal(sum, integerDigits: 12)
            lines.append("this element: max - x = \(d); exp in Q0.31 = \(exps[Int(d)]); 1/sum = \(scale) * 2^-\(bits + 31) (gemmlowp's reciprocal)")
            lines.append("RDBPOT(SRDHM(1/sum, exp), \(bits + 31 - outputBits)) + \(outputMin), clamped = \(run(inputs, node: node, in: model)[flat])")
        }
        return lines
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]], y = model.tensors[node.output]
        let names = EmittedNames.Layer(cName: node.cName)
        let arrays = [
            CArray(name: names.weights, cType: "int32_t", comment: "\(node.name): exp(-d * beta * s_in) in Q0.31 for d = max - x = 0...\(maxDifference) (gemmlowp's exp_on_negative_values)",
                   values: exps.map(Int64.init), elementComments: nil),
            CArray(name: names.bias, cType: "int32_t", comment: "\(node.name): the same in Q12.19, summed per row",
                   values: sums.map(Int64.init), elementComments: nil),
        ]
        return EmittedNode(arrays: arrays, kernel: SoftmaxKernel(
            names: names, layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            inputCType: Emitter.cType(x.dtype), outputCType: Emitter.cType(y.dtype), outer: outer, depth: depth,
            maxDifference: maxDifference, outputMin: outputMin, outputMax: outputMax, exponentOffset: 31 - outputBits,
            outputScaleText: outputBits == 16 ? "1/65536" : "1/256",
            multiplierText: "\(multiplier.mantissa) * 2^\(Int(multiplier.shift) - 31)"), helpers: ["helpers_gemmlowp"])
    }
}

/// Templates/kernel_softmax.mustache.
struct SoftmaxKernel: KernelContext {
    var template: String { "kernel_softmax" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var inputCType: String
    var outputCType: String
    var outer: Int
    var depth: Int
    var maxDifference: Int32
    var outputMin: Int32
    var outputMax: Int32
    /// 31 − output bits: 23 for int8/uint8 output, 15 for int16.
    var exponentOffset: Int
    var outputScaleText: String
    var multiplierText: String
}

/// The real softmax of each row of `depth` values, exp(β·(x − max)) / Σ, for error analysis (every
/// stack's softmax has it as its real counterpart).
enum RealSoftmax {
    static func rows(_ x: [Double], depth: Int, beta: Double = 1) -> [Double] {
        stride(from: 0, to: x.count, by: depth).flatMap { start -> [Double] in
            let values = x[start..<(start + depth)], top = values.max()!
            let e = values.map { exp(beta * ($0 - top)) }, total = e.reduce(0, +)
            return e.map { $0 / total }
        }
    }
}
