import Foundation
import QGen
import QGenArithmetic

// Logistic / Tanh: TFLite Micro's int8 LOGISTIC and TANH (logistic_common.cc, tanh.cc,
// reference_integer_ops::Logistic / Tanh). With 4 integer bits for the input:
//
//     (M, s) = frexp(s_in · 2^27), M = round(q · 2^31);   radius = floor(15 · 2^27 / 2^s)
//     v = x − zp_in:  v ≤ −radius → −128;  v ≥ radius → 127;  otherwise
//     y = clamp(RoundingDivideByPOT(f(MultiplyByQuantizedMultiplier(v, M, s) as Q4.27), 31 − k) + zp_out)
//
// with f = gemmlowp's logistic (k = 8, zp_out = −128) or tanh (k = 7, zp_out = 0). The function of
// one int8 code is evaluated here for all 256 codes; the C reads the table.

extension Lookup: ResolvableOp {
    var kindName: String { function == .logistic ? "Logistic" : "Tanh" }

    /// TFLite's fixed output quantization.
    var tfliteOutput: QuantParams {
        function == .logistic ? .int8(scale: 1.0 / 256, zeroPoint: -128) : .int8(scale: 1.0 / 128, zeroPoint: 0)
    }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        guard source.quant.dtype == .int8 else {
            log.error("\(what): TFLite's \(kindName) takes int8, but \(source.producerText) is \(source.quant.dtype); Quantize it to int8 first", at: at)
            return nil
        }
        let expected = tfliteOutput
        if let output, output != expected {
            log.error("\(what): TFLite's int8 \(kindName) produces scale \(expected.scale) with zero point \(expected.zeroPoint), not scale \(output.scale) with zero point \(output.zeroPoint); leave output: out", at: at)
            return nil
        }
        return (.lookup(ResolvedLookup(function: function)), OutputType(shape: source.shape, layout: source.layout, quant: expected))
    }
}

public struct ResolvedLookup: Equatable, Codable, Sendable {
    public var function: Lookup.Function
}

extension ResolvedLookup: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let scheme = model.scheme, what = node.what, at = node.location
        guard scheme == .tflite || scheme == .singleRounding else {
            log.error("\(what): \(node.kindName) follows TFLite's fixed-point algorithm, under the tflite and singleRounding schemes only; the \(scheme) scheme has no \(node.kindName) yet", at: at)
            return nil
        }
        let input = model.tensors[node.inputs[0]].quant
        let real = Double(Float(input.scale)) * Double(1 << 27)
        // frexp: real = q · 2^s with q in [0.5, 1); M = round(q · 2^31) with ties away from zero.
        let shift = Int(real.exponent) + 1
        let mantissa = (real.significand / 2 * 0x1p31).rounded(.toNearestOrAwayFromZero)
        guard shift >= 0, shift <= 31, mantissa < 0x1p31 else {
            log.error("\(what): the input scale \(input.scale) is outside what TFLite's int8 \(node.kindName) takes (s_in · 2^27 = \(FixedPointMultiplier.format(real)) needs a shift in 0...31)", at: at)
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
        return (.lookup(LoweredLookup(table: table, text: "s_in * 2^27 ~ \(multiplier.mantissa) * 2^\(shift - 31), input radius \(radius)")),
                .lookup(function))
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
        guard case .lookup(let function)? = real.nodes[node.name] else { preconditionFailure("no real parameters for '\(node.name)'") }
        return inputs[0].map { function == .logistic ? 1 / (1 + exp(-$0)) : Foundation.tanh($0) }
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
