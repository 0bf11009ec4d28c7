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
//
// Under liteRT, LOGISTIC and TANH are LiteRT's own tables (activations.cc, LUTPopulateInt8), made in
// float32 on the host: y = clamp(int(round(f(s_in · float(x − zp_in)) · (1 / s_out)) + zp_out)) with
// f = 1 / (1 + expf(−v)) or tanhf(v) and round ties away from zero; and RELU6 rescales like RELU
// (reference_ops::ReluX with clamp [zp_out, zp_out + roundf(6 / s_out)]), where TFLite Micro clamps
// the input codes without rescaling.
//
// Under onnxRuntime, Logistic and LeakyReLU are ONNX Runtime's QLinearSigmoid and QLinearLeakyRelu
// tables (ONNXRuntimeTable), on int8 or uint8, with the output quantization the model gives.

extension Lookup: ResolvableOp {
    var kindName: String {
        switch function {
        case .logistic: return "Logistic"
        case .tanh: return "Tanh"
        case .relu: return "ReLU"
        case .relu6: return "ReLU6"
        case .leakyRelu: return "LeakyReLU"
        case .hardSwish: return "HardSwish"
        case .hardSigmoid: return "HardSigmoid"
        }
    }

    /// TFLite's fixed output quantization (nil where the output's is free).
    var tfliteOutput: QuantParams? { Self.tfliteOutput(function) }

    static func tfliteOutput(_ function: Function) -> QuantParams? {
        switch function {
        case .logistic: return .int8(scale: 1.0 / 256, zeroPoint: -128)
        case .tanh: return .int8(scale: 1.0 / 128, zeroPoint: 0)
        case .hardSigmoid: return .int8(scale: 1.0 / 256, zeroPoint: -128)
        default: return nil
        }
    }

    /// The table ops read 8-bit codes. TFLite's constraints (int8, its fixed output quantizations)
    /// are checked when lowering under a TFLite scheme; ONNX Runtime's tables take uint8 too.
    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        guard source.quant.dtype != .int16 else {
            log.error("\(what): \(kindName) takes 8-bit codes (int8, or uint8 under onnxRuntime, fbgemm and qnnpack), but \(source.producerText) is int16; Quantize it to int8 first", at: at)
            return nil
        }
        let alpha = self.alpha ?? 0
        if function == .leakyRelu && !(alpha.isFinite && alpha >= 0) {
            log.error("\(what): alpha must be a finite number ≥ 0, got \(alpha)", at: at)
            return nil
        }
        guard MemoryFormats.check(memoryFormats, context, log: &log) else { return nil }
        // uint8's fixed outputs are PyTorch's (QNNPACK's and ATen's).
        let uint8Output: QuantParams? = switch function {
        case .hardSigmoid, .logistic: QuantParams(dtype: .uint8, scale: 1.0 / 256, zeroPoint: 0)
        case .tanh: QuantParams(dtype: .uint8, scale: 2.0 / 256, zeroPoint: 128)
        default: nil
        }
        let quant = output ?? (source.quant.dtype == .int8 ? tfliteOutput : uint8Output) ?? source.quant
        if let output { Resolver.checkActivationQuant(output, what: "\(what) output", at: at, log: &log) }
        if quant.dtype != source.quant.dtype {
            log.error("\(what): \(kindName) keeps the integer type, but its input \(source.producerText) is \(source.quant.dtype) and its output \(quant.dtype)", at: at)
            return nil
        }
        return (.lookup(ResolvedLookup(function: function, alpha: alpha, memoryFormats: memoryFormats)),
                OutputType(shape: source.shape, layout: source.layout, quant: quant))
    }
}

public struct ResolvedLookup: Equatable, Codable, Sendable {
    public var function: Lookup.Function
    public var alpha: Double
    /// PyTorch's memory format of the input (fbgemm and qnnpack).
    public var memoryFormats: [MemoryFormat]
}

extension ResolvedLookup: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let scheme = model.scheme, what = node.what, at = node.location
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        let real: RealOp = function == .leakyRelu ? .leakyRelu(alpha: alpha) : .lookup(function)
        if scheme == .onnxRuntime && (function == .logistic || function == .leakyRelu) {
            let table = function == .logistic ? ONNXRuntimeTable.make(input: input, output: output, ONNXRuntimeTable.logistic)
                                              : ONNXRuntimeTable.make(input: input, output: output, ONNXRuntimeTable.leakyRelu(alpha: Float(alpha)))
            let text = function == .logistic ? "ONNX Runtime's QLinearSigmoid table: MLAS's logistic of s_in * (x - zp_in), divided by s_out, rounded half to even"
                                             : "ONNX Runtime's QLinearLeakyRelu table: v = s_in * (x - zp_in), v or alpha * v, divided by s_out, rounded half to even"
            return (.lookup(LoweredLookup(table: table, text: text, lowestCode: Int32(input.dtype.range.lowerBound), tail: nil)), real)
        }
        if scheme.family == .float32 && scheme != .onnxRuntime {
            guard let lowered = PyTorchTable.lower(function, alpha: alpha, node, formats: memoryFormats, in: model, log: &log) else { return nil }
            return (.lookup(lowered), real)
        }
        guard function != .hardSigmoid else {
            log.error("\(what): HardSigmoid is PyTorch's quantized hardsigmoid; TFLite and ONNX Runtime have no such integer op, so the \(scheme) scheme cannot run it (use fbgemm or qnnpack)", at: at)
            return nil
        }
        guard SchemeSupport.requireTFLite(node, scheme: scheme, log: &log) else { return nil }
        guard input.dtype == .int8 else {
            log.error("\(what): TFLite's \(node.kindName) takes int8, but its input '\(model.tensors[node.inputs[0]].name)' is \(input.dtype); Quantize it to int8 first (ONNX Runtime's tables, scheme onnxRuntime, take uint8)", at: at)
            return nil
        }
        if let expected = Lookup.tfliteOutput(function), output != expected {
            log.error("\(what): TFLite's int8 \(node.kindName) produces scale \(expected.scale) with zero point \(expected.zeroPoint), not scale \(output.scale) with zero point \(output.zeroPoint); leave output: out", at: at)
            return nil
        }
        let table: [Int32], text: String
        switch function {
        case .logistic where scheme == .liteRT, .tanh where scheme == .liteRT:
            (table, text) = floatTable(input, output)
        case .logistic, .tanh:
            guard let (t, description) = gemmlowpTable(input, scheme: scheme, what: what, at: at, kind: node.kindName, log: &log) else { return nil }
            (table, text) = (t, description)
        case .hardSwish:
            guard let (t, description) = hardSwishTable(input, output, what: what, at: at, log: &log) else { return nil }
            (table, text) = (t, description)
        case .hardSigmoid:
            preconditionFailure("refused above")
        case .relu, .relu6, .leakyRelu:
            if function == .relu6 && scheme != .liteRT && input != output {
                log.warning("\(what): TFLite Micro's RELU6 clamps the input codes to [zp_in, zp_in + round(6 / s_in)] and ignores the output quantization (scale \(output.scale), zero point \(output.zeroPoint)); the result matches TFLite Micro, not the rescaled ReLU6 (liteRT rescales)", at: at)
            }
            guard let (t, description) = rectifierTable(input, output, scheme: scheme, what: what, at: at, log: &log) else { return nil }
            (table, text) = (t, description)
        }
        return (.lookup(LoweredLookup(table: table, text: text, lowestCode: -128, tail: nil)), real)
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
        return (table, "TFLite's fixed-point algorithm: s_in * 2^27 ~ \(multiplier.mantissa) * 2^\(shift - 31), input radius \(radius)")
    }

    /// TFLite's int8 HARD_SWISH (hard_swish_common.cc, reference_ops::HardSwish): int16 fixed point.
    /// With s_hires = float(s_in) / 128 (float32 arithmetic throughout, as TFLite's Prepare):
    ///
    ///     (M_out, e_out) = QuantizeMultiplier(s_hires / s_out),  (M_r, e_r) = QuantizeMultiplier(s_hires / (3 / 32768))
    ///     both mantissas rounded to int16 (DownScaleInt32ToInt16Multiplier); e_out ≤ 0
    ///     v = (x − zp_in) · 2^7;  p = SRDHM16(v, M_out)
    ///     r = v, saturating-shifted left by e_r − 1 if e_r > 0;  r = SRDHM16(r, M_r);
    ///     r = e_r > 0 ? sat(r · 2) : RDBPOT(r, −e_r);  r = (r + 2^15) >> 1     (in [0, 1] as Q0.15)
    ///     y = clamp(RDBPOT(SDHM16(r, p), −e_out) + zp_out)   (SDHM16: a · b · 2 / 2^16, truncating)
    private func hardSwishTable(_ input: QuantParams, _ output: QuantParams, what: String, at: SourceLocation,
                                log: inout DiagnosticLog) -> ([Int32], String)? {
        let hires = (Float(1) / 128) * Float(input.scale)
        let outputM = QuantizedMultiplier(real: Double(hires / Float(output.scale)))
        let reluishM = QuantizedMultiplier(real: Double(hires / (Float(3) / 32768)))
        let outputExponent = Int(outputM.shift), reluishExponent = Int(reluishM.shift)
        guard outputExponent <= 0, outputExponent >= -31 else {
            log.error("\(what): TFLite's HardSwish needs 2^-32 ≤ s_in / 128 / s_out < 1, but s_in = \(input.scale) and s_out = \(output.scale) give \(FixedPointMultiplier.format(Double(hires / Float(output.scale)))); choose an output scale of at least s_in / 128 = \(FixedPointMultiplier.format(Double(hires)))", at: at)
            return nil
        }
        guard (-31...31).contains(reluishExponent) else {
            log.error("\(what): the input scale \(input.scale) is outside what TFLite's HardSwish takes (s_in / 128 / (3 / 32768) = \(FixedPointMultiplier.format(Double(hires / (Float(3) / 32768)))) needs a shift in -31...31)", at: at)
            return nil
        }
        func int16Multiplier(_ m: QuantizedMultiplier) -> Int32 {
            m.mantissa >= Int32.max - (1 << 15) ? Int32(Int16.max) : (m.mantissa + (1 << 15)) >> 16
        }
        let outputM16 = int16Multiplier(outputM), reluishM16 = int16Multiplier(reluishM)
        func saturate16(_ v: Int64) -> Int32 { Int32(min(max(v, Int64(Int16.min)), Int64(Int16.max))) }
        /// gemmlowp's SaturatingRoundingDoublingHighMul on int16.
        func srdhm16(_ a: Int32, _ b: Int32) -> Int32 {
            if a == b && a == Int32(Int16.min) { return Int32(Int16.max) }
            let ab = a * b
            return (ab + (ab >= 0 ? 1 << 14 : 1 - (1 << 14))) / (1 << 15)
        }
        let table: [Int32] = (-128...127).map { code in
            let v = (Int32(code) - Int32(input.zeroPoint)) * 128
            let preshift = srdhm16(v, outputM16)
            var reluish = v
            if reluishExponent > 0 { reluish = saturate16(Int64(reluish) << Int64(reluishExponent - 1)) }
            reluish = srdhm16(reluish, reluishM16)
            if reluishExponent > 0 { reluish = saturate16(Int64(reluish) * 2) }
            if reluishExponent < 0 { reluish = Gemmlowp.roundingDivideByPOT(reluish, Int32(-reluishExponent)) }
            reluish = (reluish + (1 << 15)) >> 1
            // SaturatingDoublingHighMul: the product's high half, truncated toward zero.
            let high = reluish == Int32(Int16.min) && preshift == Int32(Int16.min) ? Int32(Int16.max) : (reluish * preshift) / (1 << 15)
            let y = Int32(Int16(truncatingIfNeeded: Gemmlowp.roundingDivideByPOT(high, Int32(-outputExponent)) + Int32(output.zeroPoint)))
            return min(max(y, -128), 127)
        }
        return (table, "TFLite's int16 fixed-point algorithm: s_in/128/s_out ~ \(outputM16) * 2^\(outputExponent - 15), s_in/128/(3/32768) ~ \(reluishM16) * 2^\(reluishExponent - 15)")
    }

    /// `zeroPoint + roundf(v)` within int8 (a huge or infinite `v`, from a tiny scale, clamps).
    private static func clampedCode(_ v: Float, plus zeroPoint: Int32) -> Int32 {
        Int32(min(max(Double(v.rounded(.toNearestOrAwayFromZero)) + Double(zeroPoint), -128), 127))
    }

    /// LiteRT's float32 tables of Logistic and Tanh (LUTPopulateInt8). Host float32 arithmetic in
    /// LiteRT's order; expf and tanhf are the host C library's, as LiteRT's are.
    private func floatTable(_ input: QuantParams, _ output: QuantParams) -> ([Int32], String) {
        let sIn = Float(input.scale), inverse = 1 / Float(output.scale)
        let table: [Int32] = (-128...127).map { code in
            let v = sIn * Float(code - input.zeroPoint)
            let f = function == .logistic ? 1 / (1 + Foundation.exp(-v)) : Foundation.tanh(v)
            let rescaled = (f * inverse).rounded(.toNearestOrAwayFromZero)
            return Int32(min(max(rescaled + Float(output.zeroPoint), -128), 127))
        }
        return (table, "LiteRT's float32 table: round(f(s_in * (x - zp_in)) / s_out) + zp_out")
    }

    /// ReLU, ReLU6 and LeakyReLU as TFLite Micro computes them (activations_common.cc,
    /// leaky_relu_common.cc): ReLU rescales by QuantizeMultiplier(float(s_in / s_out)) and clamps
    /// below at the output zero point; ReLU6 clamps the codes to [zp, zp + round(6 / s_in)] (under
    /// liteRT it rescales like ReLU and clamps to [zp_out, zp_out + round(6 / s_out)]);
    /// LeakyReLU rescales v ≥ 0 by float(s_in / s_out) and v < 0 by float(s_in · α / s_out).
    private func rectifierTable(_ input: QuantParams, _ output: QuantParams, scheme: RequantizationScheme, what: String, at: SourceLocation,
                                log: inout DiagnosticLog) -> ([Int32], String)? {
        let (sIn, sOut) = (Float(input.scale), Float(output.scale))
        let zpIn = Int32(input.zeroPoint), zpOut = Int32(output.zeroPoint)
        if function == .relu6 && scheme != .liteRT {
            let six = Self.clampedCode(6 / sIn, plus: zpIn)
            return ((-128...127).map { min(max(Int32($0), zpIn), six) }, "TFLite Micro's algorithm: clamp [\(zpIn), \(six)]")
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
        if function == .relu || function == .relu6 {
            let low = max(-128, zpOut)
            let high = function == .relu ? 127 : Self.clampedCode(6 / sOut, plus: zpOut)
            return ((-128...127).map { min(max(zpOut + scheme.scale(Int32($0) - zpIn, by: identity), low), high) },
                    "TFLite's fixed-point algorithm: s_in/s_out ~ \(identity.mantissa) * 2^\(Int(identity.shift) - 31), clamp [\(low), \(high)]")
        }
        guard let slope = multiplier(Double(sIn * Float(alpha) / sOut), "s_in*alpha/s_out") else { return nil }
        return ((-128...127).map { code in
            let v = Int32(code) - zpIn
            return min(max(zpOut + scheme.scale(v, by: v >= 0 ? identity : slope), -128), 127)
        }, "TFLite's fixed-point algorithm: s_in/s_out ~ \(identity.mantissa) * 2^\(Int(identity.shift) - 31), s_in*alpha/s_out ~ \(slope.mantissa) * 2^\(Int(slope.shift) - 31)")
    }
}

public struct LoweredLookup: Equatable, Codable, Sendable {
    /// The output code for each input code, from `lowestCode` (−128 for int8, 0 for uint8) up.
    public var table: [Int32]
    public var text: String
    public var lowestCode: Int32
    /// fbgemm and qnnpack: the elements on ATen's scalar path read this table instead (nil: one table).
    public var tail: LookupTail?

    /// The table element `i` reads.
    func table(at i: Int) -> [Int32] {
        guard let tail, !tail.loop.isVector(i) else { return table }
        return tail.table
    }
}

/// ATen's scalar path of a PyTorch activation (PyTorchTable.swift).
public struct LookupTail: Equatable, Codable, Sendable {
    public var table: [Int32]
    public var loop: ATenLoop
    public var text: String
}

extension LoweredLookup: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        guard tail != nil else { return inputs[0].map { table[Int($0 - lowestCode)] } }
        return inputs[0].enumerated().map { i, x in table(at: i)[Int(x - lowestCode)] }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        switch real.nodes[node.name] {
        case .lookup(.logistic)?: return inputs[0].map { 1 / (1 + exp(-$0)) }
        case .lookup(.tanh)?: return inputs[0].map { Foundation.tanh($0) }
        case .lookup(.relu)?: return inputs[0].map { max($0, 0) }
        case .lookup(.relu6)?: return inputs[0].map { min(max($0, 0), 6) }
        case .leakyRelu(let alpha)?: return inputs[0].map { $0 >= 0 ? $0 : alpha * $0 }
        case .lookup(.hardSwish)?: return inputs[0].map { $0 * min(max($0 + 3, 0), 6) / 6 }
        case .lookup(.hardSigmoid)?: return inputs[0].map { min(max($0 + 3, 0), 6) / 6 }
        case .activation(.none)?: return inputs[0]   // a requantization read through a table
        default: preconditionFailure("no real parameters for '\(node.name)'")
        }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let x = inputs[0][flat]
        if let tail {
            let vector = tail.loop.isVector(flat)
            return ["input = \(x); \(tail.loop.describe(flat)) \(vector ? "<" : ">=") \(tail.loop.vectorEnd): the table (\(vector ? text : tail.text)) maps \(x) to \(table(at: flat)[Int(x - lowestCode)])"]
        }
        return ["input = \(x); the table (\(text)) maps \(x) to \(table[Int(x - lowestCode)])"]
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let names = EmittedNames.Layer(cName: node.cName)
        let type = model.tensors[node.output].dtype
        let codes = "\(lowestCode)...\(Int(lowestCode) + self.table.count - 1)"
        var arrays = [CArray(name: names.weights, cType: Emitter.cType(type), comment: "\(node.name): \(node.kindName) of each \(type) code \(codes) (\(text))",
                             values: self.table.map(Int64.init), elementComments: nil)]
        var split: LookupKernel.Split? = nil
        if let tail {
            let name = "\(names.weights)_scalar"
            arrays.append(CArray(name: name, cType: Emitter.cType(type), comment: "\(node.name): \(node.kindName) of each \(type) code \(codes) (\(tail.text))",
                                 values: tail.table.map(Int64.init), elementComments: nil))
            split = .init(table: name, vectorEnd: tail.loop.vectorEnd, position: tail.loop.cPosition, nhwc: tail.loop.nhwcPlane != nil)
        }
        return EmittedNode(arrays: arrays, kernel: LookupKernel(
            names: names, layerName: node.name, location: "\(node.location.fileName):\(node.location.line)", kind: node.kindName,
            count: model.tensors[node.output].count, type: type.rawValue, cType: Emitter.cType(type), offset: -lowestCode, split: split))
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
    var type: String
    var cType: String
    /// Added to a code to index the table (128 for int8, 0 for uint8).
    var offset: Int32
    /// ATen's two paths: elements at loop positions from `vectorEnd` on read `table`.
    var split: Split?

    struct Split: Sendable {
        var table: String
        var vectorEnd: Int
        var position: String
        var nhwc: Bool
    }
}
