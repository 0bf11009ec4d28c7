import QGen
import QGenArithmetic

// Add under PyTorch's engines: `torch.ops.quantized.add` / `add_relu` (FloatFunctional.add,
// add_relu; QFunctional). Measured against torch 2.15 (Tests/Fixtures/engines/pytorch_ops.json).
//
// fbgemm (aten/src/ATen/native/quantized/cpu/kernels/QuantizedOpKernels.cpp, qadd_kernel): each
// input is dequantized in binary32, summed, and quantized by multiplying with 1/s_out:
//
//     vector path  d = fma(s, float(q), float(s · −zp))     (Vectorized<quint8>::dequantize, one rounding)
//     scalar path  d = s · float(q − zp)
//     c = d_a + d_b;  ReLU: c = max(c, 0)
//     y = clamp(round_half_even(c · float(1/s_out)) + zp_out, type range)
//
// where s = float(scale). ATen's vectorized loop runs the vector path over the first
// (n / B) · B elements, B = 2 · Vectorized<quint8>::size() (64 with AVX2, 128 with AVX512:
// `RequantizationScheme.elementwiseVectorBlock`), and the scalar path over the rest; the two differ
// by an ulp in d, which moves a result by one code now and then. ReLU then equals clamping the
// output code below at zp_out. The loop runs in memory order: over two channels-last 4-D inputs
// (convolution outputs) the scalar tail is the last elements in NHWC order, and over one
// channels-last and one contiguous input TensorIterator finds no common contiguous order and
// every element takes the scalar path (measured, torch 2.15).
//
// qnnpack (aten/src/ATen/native/quantized/cpu/qnnpack/src/add.c, requantization.h
// pytorch_qnnp_compute_add_quantization_params, q8vadd), fixed point:
//
//     r_a = float(s_a) / float(s_out), r_b likewise, each in [2^-14, 2^8)
//     shift = 21 − exponent(max(r_a, r_b))                     (13...31)
//     m_a = lrintf(r_a · 2^shift), m_b likewise                (below 2^22)
//     acc = m_a · (a − zp_a) + m_b · (b − zp_b)                (int32, exact)
//     y = clamp(round_half_away(acc / 2^shift) + zp_out, lo, hi)    lo = zp_out for add_relu

/// `Add` lowered to one of PyTorch's quantized adds.
public struct LoweredPyTorchAdd: Equatable, Codable, Sendable {
    public enum Arithmetic: Equatable, Codable, Sendable {
        case fbgemm(FBGEMMAdd)
        case qnnpack(QNNPACKAdd)
    }

    public var count: Int
    public var arithmetic: Arithmetic
    public var outputZeroPoint: Int32
    public var activationMin: Int32
    public var activationMax: Int32
    public var activationText: String
}

/// fbgemm's binary32 add, its constants as exact integer pairs.
public struct FBGEMMAdd: Equatable, Codable, Sendable {
    /// float32 input scales.
    public var scales: [Float32Parts]
    /// `float(s · −zp)` of each input (the vector path's fused addend).
    public var premultiplied: [Float32Parts]
    public var zeroPoints: [Int32]
    /// `1.0f / float(s_out)`.
    public var inverseOutputScale: Float32Parts
    /// Which elements take the vector path (ATen.swift).
    public var loop: ATenLoop
    /// ATen's vector block (64 or 128), for comments.
    public var vectorBlock: Int
}

extension FBGEMMAdd {
    /// Both inputs of element `i` in binary32: ATen's vector path (fused multiply-add, Swift's
    /// `addingProduct`), or its scalar path.
    func dequantized(_ a: Int32, _ b: Int32, at i: Int) -> [Float] {
        [a, b].enumerated().map { k, q in
            loop.isVector(i) ? premultiplied[k].value.addingProduct(scales[k].value, Float(q)) : scales[k].value * Float(q - zeroPoints[k])
        }
    }
}

/// QNNPACK's fixed-point add.
public struct QNNPACKAdd: Equatable, Codable, Sendable {
    public var multipliers: [Int32]
    public var zeroPoints: [Int32]
    public var shift: Int32
    /// For comments: the two scale ratios.
    public var ratioTexts: [String]
}

enum PyTorchAdd {
    /// Lowers `a + b` (ReLU fused or not) under `fbgemm` or `qnnpack`; nil after logging why not.
    static func lower(_ node: ResolvedNode, activation: Activation, subtract: Bool, memoryFormats: [MemoryFormat], in model: ResolvedModel,
                      log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let scheme = model.scheme, what = node.what, at = node.location
        let a = model.tensors[node.inputs[0]].quant, b = model.tensors[node.inputs[1]].quant, output = model.tensors[node.output].quant
        if subtract {
            log.error("\(what): PyTorch has no quantized Sub (FloatFunctional offers add, add_relu, mul and cat), so the \(scheme) scheme has none; compute a + (−1)·b with Mul, or use a TFLite scheme", at: at)
            return nil
        }
        guard activation == .none || activation == .relu else {
            log.error("\(what): PyTorch's quantized add fuses no activation but ReLU (add_relu); \(activation) is not one of its ops under \(scheme): use activation .none or .relu", at: at)
            return nil
        }
        guard let clamp = ActivationRange(activation, output: output, what: what, at: at, log: &log) else { return nil }
        let count = model.tensors[node.output].count
        let arithmetic: LoweredPyTorchAdd.Arithmetic
        switch scheme {
        case .fbgemm:
            let loop = ATenLoop.make(count: count, scheme: scheme, shape: model.tensors[node.output].shape, formats: memoryFormats)
            guard let add = fbgemm(a, b, output, loop: loop, scheme: scheme, what: what, at: at, log: &log) else { return nil }
            arithmetic = .fbgemm(add)
        default:
            guard let add = qnnpack(a, b, output, relu: activation == .relu, what: what, at: at, log: &log) else { return nil }
            arithmetic = .qnnpack(add)
        }
        return (.pytorchAdd(LoweredPyTorchAdd(count: count, arithmetic: arithmetic, outputZeroPoint: Int32(output.zeroPoint),
                                              activationMin: clamp.min, activationMax: clamp.max, activationText: clamp.text)),
                .activation(activation))
    }

    private static func fbgemm(_ a: QuantParams, _ b: QuantParams, _ output: QuantParams, loop: ATenLoop, scheme: RequantizationScheme,
                               what: String, at: SourceLocation, log: inout DiagnosticLog) -> FBGEMMAdd? {
        let scales = [Float(a.scale), Float(b.scale)], zeroPoints = [a.zeroPoint, b.zeroPoint]
        let premultiplied = zip(scales, zeroPoints).map { $0 * -Float($1) }
        let inverse = 1 / Float(output.scale)
        // |c · inverse| must stay far below 2^31 (the emulation's conversion; ATen's own conversion
        // would saturate to INT_MIN there): |d| <= 256 · s per input.
        let bound = 256 * (Double(scales[0]) + Double(scales[1])) * Double(inverse)
        guard bound < 0x1p30 else {
            log.error("\(what): the output scale \(output.scale) is too small for input scales \(a.scale) and \(b.scale): sums reach \(FixedPointMultiplier.format(bound)) output steps (the limit is 2^30); choose an output scale above \(FixedPointMultiplier.format((Double(scales[0]) + Double(scales[1])) * 256 / 0x1p30))", at: at)
            return nil
        }
        let block = scheme.elementwiseVectorBlock ?? 64
        return FBGEMMAdd(scales: scales.map(Float32Parts.init), premultiplied: premultiplied.map(Float32Parts.init),
                         zeroPoints: zeroPoints.map(Int32.init), inverseOutputScale: Float32Parts(inverse),
                         loop: loop, vectorBlock: block)
    }

    private static func qnnpack(_ a: QuantParams, _ b: QuantParams, _ output: QuantParams, relu: Bool,
                                what: String, at: SourceLocation, log: inout DiagnosticLog) -> QNNPACKAdd? {
        guard a.dtype == .uint8 && b.dtype == .uint8 && output.dtype == .uint8 else {
            log.error("\(what): PyTorch's qnnpack add takes quint8 tensors (qint8 goes to XNNPACK), but these are \(a.dtype), \(b.dtype) -> \(output.dtype); quantize as uint8", at: at)
            return nil
        }
        let ratios = [Float(a.scale) / Float(output.scale), Float(b.scale) / Float(output.scale)]
        for (k, r) in ratios.enumerated() where !(r >= 0x1p-14 && r < 0x1p8) {
            log.error("\(what): input \(k + 1)'s scale over the output scale is \(r), outside QNNPACK's [2^-14, 2^8) (PyTorch's qnnpack add refuses it); choose an output scale between \(Float(k == 0 ? a.scale : b.scale) / 0x1p8) and \(Float(k == 0 ? a.scale : b.scale) / 0x1p-14)", at: at)
            return nil
        }
        if relu && output.zeroPoint == 255 {
            log.error("\(what): add_relu with output zero point 255 leaves QNNPACK the output range [255, 255], which it refuses; choose a zero point below 255", at: at)
            return nil
        }
        let largest = max(ratios[0], ratios[1])
        let shift = 21 - Int32(largest.exponent)
        let multipliers = ratios.map { Int32(($0 * Float(sign: .plus, exponent: Int(shift), significand: 1)).rounded(.toNearestOrEven)) }
        return QNNPACKAdd(multipliers: multipliers, zeroPoints: [Int32(a.zeroPoint), Int32(b.zeroPoint)], shift: shift,
                          ratioTexts: ratios.map { "\($0)" })
    }
}

extension LoweredPyTorchAdd: LoweredKernel {
    /// The arithmetic above in native binary32 (Swift `Float`, whose `addingProduct` is fused) for
    /// fbgemm, and in integers for qnnpack.
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        (0..<count).map { i in clamp(unclamped(inputs[0][i], inputs[1][i], at: i)) }
    }

    private func clamp(_ v: Int64) -> Int32 { Int32(min(max(v + Int64(outputZeroPoint), Int64(activationMin)), Int64(activationMax))) }

    /// The rounded sum before the output zero point and the clamp.
    private func unclamped(_ a: Int32, _ b: Int32, at i: Int) -> Int64 {
        switch arithmetic {
        case .fbgemm(let f):
            let d = f.dequantized(a, b, at: i)
            return Int64(((d[0] + d[1]) * f.inverseOutputScale.value).rounded(.toNearestOrEven))
        case .qnnpack(let q):
            let acc = q.multipliers[0] * (a - q.zeroPoints[0]) + q.multipliers[1] * (b - q.zeroPoints[1])
            return PowerOfTwoRounding.roundHalfAwayFromZero(Int64(acc), byPowerOfTwo: Int(q.shift))
        }
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        guard case .activation(let activation)? = real.nodes[node.name] else { preconditionFailure("no real parameters for '\(node.name)'") }
        return zip(inputs[0], inputs[1]).map { activation.apply($0 + $1) }
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let a = inputs[0][flat], b = inputs[1][flat], r = unclamped(a, b, at: flat)
        var lines: [String] = []
        switch arithmetic {
        case .fbgemm(let f):
            let d = f.dequantized(a, b, at: flat)
            let at = f.loop.describe(flat), end = f.loop.vectorEnd
            lines.append(f.loop.isVector(flat) ? "\(at) < \(end): ATen's vector path, d = fma(s, q, s * -zp)" : "\(at) >= \(end): ATen's scalar path, d = s * (q - zp)")
            lines.append("input 1 = \(a): d1 = \(d[0]); input 2 = \(b): d2 = \(d[1]); d1 + d2 = \(d[0] + d[1])")
            lines.append("(d1 + d2) * (1/s_out = \(f.inverseOutputScale.value)) = \((d[0] + d[1]) * f.inverseOutputScale.value), rounded half to even = \(r)")
        case .qnnpack(let q):
            let acc = q.multipliers[0] * (a - q.zeroPoints[0]) + q.multipliers[1] * (b - q.zeroPoints[1])
            lines.append("\(q.multipliers[0]) * (\(a) - \(q.zeroPoints[0])) + \(q.multipliers[1]) * (\(b) - \(q.zeroPoints[1])) = \(acc)")
            lines.append("\(acc) / 2^\(q.shift), rounded half away from zero = \(r)")
        }
        lines.append("+ output zero point \(outputZeroPoint) = \(r + Int64(outputZeroPoint)); clamp [\(activationMin), \(activationMax)] (\(activationText)) = \(clamp(r))")
        return lines
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let a = model.tensors[node.inputs[0]], b = model.tensors[node.inputs[1]], y = model.tensors[node.output]
        var kernel = PyTorchAddKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            count: count, type: y.dtype.rawValue, input1CType: Emitter.cType(a.dtype), input2CType: Emitter.cType(b.dtype), outputCType: Emitter.cType(y.dtype),
            outputZeroPoint: outputZeroPoint, activationText: activationText, activationMin: activationMin, activationMax: activationMax,
            fbgemm: nil, qnnpack: nil)
        switch arithmetic {
        case .fbgemm(let f):
            // The vector path's exact s·q + p: p's exponent is at least s's (|zp| >= 1) or p is 0.
            func aligned(_ k: Int) -> Int64 {
                let p = f.premultiplied[k], s = f.scales[k]
                return p.mantissa == 0 ? 0 : Int64(p.mantissa) << Int64(p.exponent - s.exponent)
            }
            kernel.fbgemm = .init(
                native: options.floatRequant, vectorEnd: f.loop.vectorEnd, vectorBlock: f.vectorBlock, scalarOnly: f.loop.vectorEnd == 0,
                vectorOnly: f.loop.vectorEnd == count, nhwc: f.loop.nhwcPlane != nil, position: f.loop.cPosition,
                scale1Mantissa: f.scales[0].mantissa, scale1Exponent: f.scales[0].exponent, premultiplied1Aligned: aligned(0), zeroPoint1: f.zeroPoints[0],
                scale2Mantissa: f.scales[1].mantissa, scale2Exponent: f.scales[1].exponent, premultiplied2Aligned: aligned(1), zeroPoint2: f.zeroPoints[1],
                inverseMantissa: f.inverseOutputScale.mantissa, inverseExponent: f.inverseOutputScale.exponent,
                scale1Literal: Emitter.hexLiteral(f.scales[0].value), premultiplied1Literal: Emitter.hexLiteral(f.premultiplied[0].value),
                scale2Literal: Emitter.hexLiteral(f.scales[1].value), premultiplied2Literal: Emitter.hexLiteral(f.premultiplied[1].value),
                inverseLiteral: Emitter.hexLiteral(f.inverseOutputScale.value),
                scale1Text: "\(f.scales[0].value)", scale2Text: "\(f.scales[1].value)", inverseText: "\(f.inverseOutputScale.value)")
            return EmittedNode(arrays: [], kernel: kernel,
                               helpers: options.floatRequant ? [EmittedNode.floatRound] : [EmittedNode.float32Core, EmittedNode.float32Add])
        case .qnnpack(let q):
            kernel.qnnpack = .init(multiplier1: q.multipliers[0], zeroPoint1: q.zeroPoints[0], multiplier2: q.multipliers[1], zeroPoint2: q.zeroPoints[1],
                                   shift: q.shift, divisor: Int64(1) << Int64(q.shift), threshold: ((Int64(1) << Int64(q.shift)) - 1) >> 1,
                                   ratio1Text: q.ratioTexts[0], ratio2Text: q.ratioTexts[1])
            return EmittedNode(arrays: [], kernel: kernel, helpers: [])
        }
    }
}

/// Templates/kernel_add_pytorch.mustache.
struct PyTorchAddKernel: KernelContext {
    var template: String { "kernel_add_pytorch" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var count: Int
    var type: String
    var input1CType: String
    var input2CType: String
    var outputCType: String
    var outputZeroPoint: Int32
    var activationText: String
    var activationMin: Int32
    var activationMax: Int32
    var fbgemm: FBGEMM?
    var qnnpack: QNNPACK?

    struct FBGEMM: Sendable {
        /// --float-requant: native binary32 (the fused step through an exact double).
        var native: Bool
        var vectorEnd: Int
        var vectorBlock: Int
        var scalarOnly: Bool
        var vectorOnly: Bool
        /// Both inputs channels-last: ATen's loop runs in NHWC order.
        var nhwc: Bool
        /// The C expression of element i's position in ATen's loop.
        var position: String
        var scale1Mantissa: Int32
        var scale1Exponent: Int32
        var premultiplied1Aligned: Int64
        var zeroPoint1: Int32
        var scale2Mantissa: Int32
        var scale2Exponent: Int32
        var premultiplied2Aligned: Int64
        var zeroPoint2: Int32
        var inverseMantissa: Int32
        var inverseExponent: Int32
        var scale1Literal: String
        var premultiplied1Literal: String
        var scale2Literal: String
        var premultiplied2Literal: String
        var inverseLiteral: String
        var scale1Text: String
        var scale2Text: String
        var inverseText: String
    }

    struct QNNPACK: Sendable {
        var multiplier1: Int32
        var zeroPoint1: Int32
        var multiplier2: Int32
        var zeroPoint2: Int32
        var shift: Int32
        var divisor: Int64
        var threshold: Int64
        var ratio1Text: String
        var ratio2Text: String
    }
}
