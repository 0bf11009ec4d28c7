import Foundation
import QGen
import QGenArithmetic

// Logistic / Tanh / ReLU / ReLU6 / LeakyReLU. Logistic and Tanh: TFLite Micro's int8 LOGISTIC and TANH (logistic_common.cc, tanh.cc,
// reference_integer_ops::Logistic / Tanh). With 4 integer bits for the input:
//
//     (M, s) = frexp(s_in · 2^27), M = round(q · 2^31);   radius = floor(15 · 2^27 / 2^s)
//     v = x − zp_in:  v ≤ −radius → −128;  v ≥ radius → 127;  otherwise
//     y = clamp(RoundingDivideByPOT(f(MultiplyByQuantizedMultiplier(v, M, s) as Q4.27), 31 − k) + zp_out)
//
// with f = gemmlowp's logistic (k = 8, zp_out = −128) or tanh (k = 7, zp_out = 0). The function of
// one int8 code is evaluated here for all 256 codes; the C reads the table.

extension Lookup: ResolvableOp {
    var kindName: String {
        switch function {
        case .logistic: return "Logistic"
        case .tanh: return "Tanh"
        case .relu: return "ReLU"
        case .relu6: return "ReLU6"
        case .leakyRelu: return "LeakyReLU"
        }
    }

    /// TFLite's fixed output quantization (nil where the output's is free).
    var tfliteOutput: QuantParams? {
        switch function {
        case .logistic: return .int8(scale: 1.0 / 256, zeroPoint: -128)
        case .tanh: return .int8(scale: 1.0 / 128, zeroPoint: 0)
        default: return nil
        }
    }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        guard source.quant.dtype == .int8 else {
            log.error("\(what): TFLite's \(kindName) takes int8, but \(source.producerText) is \(source.quant.dtype); Quantize it to int8 first", at: at)
            return nil
        }
        if let expected = tfliteOutput, let output, output != expected {
            log.error("\(what): TFLite's int8 \(kindName) produces scale \(expected.scale) with zero point \(expected.zeroPoint), not scale \(output.scale) with zero point \(output.zeroPoint); leave output: out", at: at)
            return nil
        }
        let alpha = self.alpha ?? 0
        if function == .leakyRelu && !(alpha.isFinite && alpha >= 0) {
            log.error("\(what): alpha must be a finite number ≥ 0, got \(alpha)", at: at)
            return nil
        }
        let quant = tfliteOutput ?? output ?? source.quant
        if let output { Resolver.checkActivationQuant(output, what: "\(what) output", at: at, log: &log) }
        if quant.dtype != .int8 {
            log.error("\(what): TFLite's \(kindName) produces int8, not \(quant.dtype)", at: at)
            return nil
        }
        return (.lookup(ResolvedLookup(function: function, alpha: alpha)), OutputType(shape: source.shape, layout: source.layout, quant: quant))
    }
}

public struct ResolvedLookup: Equatable, Codable, Sendable {
    public var function: Lookup.Function
    public var alpha: Double
}

extension ResolvedLookup: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let scheme = model.scheme, what = node.what, at = node.location
        guard SchemeSupport.requireTFLite(node, scheme: scheme, log: &log) else { return nil }
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        let table: [Int32], text: String
        switch function {
        case .logistic, .tanh:
            guard let (t, description) = gemmlowpTable(input, scheme: scheme, what: what, at: at, kind: node.kindName, log: &log) else { return nil }
            (table, text) = (t, description)
        case .relu, .relu6, .leakyRelu:
            guard let (t, description) = rectifierTable(input, output, scheme: scheme, what: what, at: at, log: &log) else { return nil }
            (table, text) = (t, description)
        }
        let real: RealOp = function == .leakyRelu ? .leakyRelu(alpha: alpha) : .lookup(function)
        return (.lookup(LoweredLookup(table: table, text: text)), real)
    }

    /// Logistic and Tanh: TFLite's Q4.27 input and gemmlowp's fixed-point function.
    private func gemmlowpTable(_ input: QuantParams, scheme: RequantizationScheme, what: String, at: SourceLocation, kind: String,
                               log: inout DiagnosticLog) -> ([Int32], String)? {
        let real = Double(Float(input.scale)) * Double(1 << 27)
        // frexp: real = q · 2^s with q in [0.5, 1); M = round(q · 2^31) with ties away from zero.
        let shift = Int(real.exponent) + 1
        let mantissa = (real.significand / 2 * 0x1p31).rounded(.toNearestOrAwayFromZero)
        guard shift >= 0, shift <= 31, mantissa < 0x1p31 else {
            log.error("\(what): the input scale \(input.scale) is outside what TFLite's int8 \(kind) takes (s_in · 2^27 = \(FixedPointMultiplier.format(real)) needs a shift in 0...31)", at: at)
            return nil
        }
        let multiplier = QuantizedMultiplier(mantissa: Int32(mantissa), shift: Int32(shift))
        let radius = Int32((15.0 * Double(1 << 27) / Double(sign: .plus, exponent: shift, significand: 1)).rounded(.down))
        let logistic = function == .logistic
        let table: [Int32] = (-128...127).map { code in
            let v = Int32(code) - Int32(input.zeroPoint)
            if v <= -radius { return -128 }
            if v >= radius { return 127 }
            let q4 = scheme.scale(v, by: multiplier)
            let q0 = logistic ? GemmlowpFixedPoint.logistic(q4, integerBits: 4) : GemmlowpFixedPoint.tanh(q4, integerBits: 4)
            let y = Gemmlowp.roundingDivideByPOT(q0, logistic ? 23 : 24) + (logistic ? -128 : 0)
            return min(max(y, -128), 127)
        }
        return (table, "s_in * 2^27 ~ \(multiplier.mantissa) * 2^\(shift - 31), input radius \(radius)")
    }

    /// ReLU, ReLU6 and LeakyReLU as TFLite Micro computes them (activations_common.cc,
    /// leaky_relu_common.cc): ReLU rescales by QuantizeMultiplier(float(s_in / s_out)) and clamps
    /// below at the output zero point; ReLU6 clamps the codes to [zp, zp + round(6 / s_in)];
    /// LeakyReLU rescales v ≥ 0 by float(s_in / s_out) and v < 0 by float(s_in · α / s_out).
    private func rectifierTable(_ input: QuantParams, _ output: QuantParams, scheme: RequantizationScheme, what: String, at: SourceLocation,
                                log: inout DiagnosticLog) -> ([Int32], String)? {
        let (sIn, sOut) = (Float(input.scale), Float(output.scale))
        let zpIn = Int32(input.zeroPoint), zpOut = Int32(output.zeroPoint)
        if function == .relu6 {
            let six = min(max(Int32((6 / sIn).rounded(.toNearestOrAwayFromZero)) + zpIn, -128), 127)
            return ((-128...127).map { min(max(Int32($0), zpIn), six) }, "clamp [\(zpIn), \(six)]")
        }
        func multiplier(_ real: Double, _ label: String) -> QuantizedMultiplier? {
            let m = QuantizedMultiplier(real: real)
            let left = Int64(max(Int(m.shift), 0))
            guard m.isFlushedToZero || real == 0 || scheme.shiftRange.contains(m.shift), 255 << left <= Int64(Int32.max) else {
                log.error("\(what): its \(label) multiplier \(FixedPointMultiplier.format(real)) is too large for TFLite's arithmetic; the output scale \(output.scale) is too small for the input scale \(input.scale)", at: at)
                return nil
            }
            return m
        }
        guard let identity = multiplier(Double(sIn / sOut), "s_in/s_out") else { return nil }
        if function == .relu {
            let low = max(-128, zpOut)
            return ((-128...127).map { min(max(zpOut + scheme.scale(Int32($0) - zpIn, by: identity), low), 127) },
                    "s_in/s_out ~ \(identity.mantissa) * 2^\(Int(identity.shift) - 31), clamp [\(low), 127]")
        }
        guard let slope = multiplier(Double(sIn * Float(alpha) / sOut), "s_in*alpha/s_out") else { return nil }
        return ((-128...127).map { code in
            let v = Int32(code) - zpIn
            return min(max(zpOut + scheme.scale(v, by: v >= 0 ? identity : slope), -128), 127)
        }, "s_in/s_out ~ \(identity.mantissa) * 2^\(Int(identity.shift) - 31), s_in*alpha/s_out ~ \(slope.mantissa) * 2^\(Int(slope.shift) - 31)")
    }
}

public struct LoweredLookup: Equatable, Codable, Sendable {
    /// The output code for input codes −128 … 127.
    public var table: [Int32]
    public var text: String
}

extension LoweredLookup: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        inputs[0].map { table[Int($0) + 128] }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        switch real.nodes[node.name] {
        case .lookup(.logistic)?: return inputs[0].map { 1 / (1 + exp(-$0)) }
        case .lookup(.tanh)?: return inputs[0].map { Foundation.tanh($0) }
        case .lookup(.relu)?: return inputs[0].map { max($0, 0) }
        case .lookup(.relu6)?: return inputs[0].map { min(max($0, 0), 6) }
        case .leakyRelu(let alpha)?: return inputs[0].map { $0 >= 0 ? $0 : alpha * $0 }
        default: preconditionFailure("no real parameters for '\(node.name)'")
        }
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let names = EmittedNames.Layer(cName: node.cName)
        let table = CArray(name: names.weights, cType: "int8_t", comment: "\(node.name): \(node.kindName) of each int8 code -128...127 (TFLite's fixed-point algorithm: \(text))",
                           values: table.map(Int64.init), elementComments: nil)
        return EmittedNode(arrays: [table], kernel: LookupKernel(
            names: names, layerName: node.name, location: "\(node.location.fileName):\(node.location.line)", kind: node.kindName,
            count: model.tensors[node.output].count))
    }
}

/// Templates/kernel_lookup.mustache.
struct LookupKernel: KernelContext {
    var template: String { "kernel_lookup" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var kind: String
    var count: Int
}
