import QGen
import QGenArithmetic

// Mean: TFLite Micro's int8 MEAN (reduce_common.cc, reference_ops::QuantizedMeanOrSum). With
// (M, s) = QuantizeMultiplier(s_in / s_out) and n elements per output:
//
//     k  = min(floor(log2 n), 32, 31 + s)
//     M' = (M · 2^k) / n          (int64, truncating)        s' = s − k
//     y  = clamp(MultiplyByQuantizedMultiplier(Σ x − zp_in · n, M', s') + zp_out, type range)
//
// The other fixed-point schemes represent (s_in / s_out) / n in their own form and apply it to the
// same sum.
//
// PyTorch's engines (adaptive_avg_pool2d and avg_pool2d over the whole plane, read in ATen's
// quantized kernels and measured against torch 2.15): the same sum, in binary32, times
//
//     fbgemm   float(1 / float(1 / float(float(s_in / s_out) / n)))   (qadaptive_avg_pool2d_nhwc:
//              the multiplier is handed to fbgemm::Quantize as a scale, which inverts it again)
//     qnnpack  float(s_in / float(s_out · float(n)))                  (QNNPACK's global average pool)
//
// rounded half to even, plus the output zero point, clamped to the type: the float32 Requantizer.
//
// ONNX Runtime (QLinearGlobalAveragePool, onnxruntime/core/mlas/lib/qlgavgpool.cpp, x86): the same
// sum with the zero point folded in as an int32 bias, converted to float and multiplied by
// float(s_in / float(s_out · float(n))) (QNNPACK's formula), clamped in float to the output range
// less the zero point, rounded half to even (cvtps2dq), plus the zero point. MLAS refuses a
// multiplier outside [2^-32, 256) and planes of 2^24 or more elements.

extension Mean: ResolvableOp {
    var kindName: String { "Mean" }

    func resolve(_ context: ResolveContext, log: inout DiagnosticLog) -> (ResolvedOp, OutputType)? {
        let what = context.what, at = context.location
        let source = context.inputs[0]
        let rank = source.shape.count
        let errorsBefore = log.errorCount
        guard MemoryFormats.check(memoryFormats, context, allowsStrided: true, log: &log) else { return nil }
        Resolver.checkActivationQuant(output, what: "\(what) output", at: at, log: &log)
        if output.dtype != source.quant.dtype {
            log.error("\(what): its output is \(output.dtype) but its input \(source.producerText) is \(source.quant.dtype); Mean keeps the integer type", at: at)
        }
        guard !axes.isEmpty else {
            log.error("\(what): axes is empty; name the axes to average over, e.g. [2, 3] for H and W of NCHW", at: at)
            return nil
        }
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }
        if let bad = zip(axes, resolved).first(where: { !(0..<rank).contains($0.1) }) {
            log.error("\(what): axis \(bad.0) is out of range for \(source.producerText), shape \(source.shape) (rank \(rank)): give axes in \(-rank)...\(rank - 1)", at: at)
            return nil
        }
        let sorted = Array(Set(resolved)).sorted()
        if sorted.count != resolved.count {
            log.error("\(what): axes \(axes) name an axis twice", at: at)
        } else if sorted.last! - sorted.first! + 1 != sorted.count {
            log.error("\(what): axes \(axes) are not adjacent; qgen's Mean reduces adjacent axes (H and W of NCHW or NHWC, or the last axes)", at: at)
        }
        guard log.errorCount == errorsBefore else { return nil }
        let outer = source.shape[..<sorted.first!].reduce(1, *)
        let reduced = source.shape[sorted.first!...sorted.last!].reduce(1, *)
        let inner = source.shape[(sorted.last! + 1)...].reduce(1, *)
        let range = source.quant.dtype.range
        let deviation = max(range.upperBound - source.quant.zeroPoint, source.quant.zeroPoint - range.lowerBound)
        guard reduced <= Int(Int32.max) / max(deviation, 1) else {
            log.error("\(what): it sums \(reduced) elements per output, which can leave int32 (each differs from the zero point by up to \(deviation)); average fewer elements", at: at)
            return nil
        }
        var shape = source.shape
        for axis in sorted.reversed() { if keepDims { shape[axis] = 1 } else { shape.remove(at: axis) } }
        let layout = shape.count == 4 ? source.layout : nil
        var aten: ResolvedMean.ATenMean?
        if atenOp == .mean {
            guard output.dtype == source.quant.dtype, output.scale == source.quant.scale, output.zeroPoint == source.quant.zeroPoint else {
                let text = { (q: QuantParams) in ".\(q.dtype)(scale: \(q.scale), zeroPoint: \(q.zeroPoint))" }
                log.error("\(what): atenOp .mean keeps the input's quantization (PyTorch's quantized mean does), but its output \(text(output)) differs from that of \(source.producerText), \(text(source.quant)); give output: \(text(source.quant))", at: at)
                return nil
            }
            // A channels-last tensor with one channel or a 1x1 plane is contiguous too, and ATen checks that.
            let channelsLast = rank == 4 && memoryFormats.first == .channelsLast && source.shape[1] > 1 && source.shape[2] * source.shape[3] > 1
            // ATen's float path sees the memory order: the outputs stored after the reduced block
            // (1: the reduced elements are contiguous) and where output (a, b) sits among them.
            var floatView: ResolvedMean.ATenMean.FloatView?
            if !channelsLast {
                floatView = .init(innerOutputs: inner, positionModulus: 1)
            } else if sorted == [2, 3] {
                floatView = .init(innerOutputs: source.shape[1], positionModulus: source.shape[1])
            } else if sorted == [1] {
                floatView = .init(innerOutputs: 1, positionModulus: 1)
            }
            aten = ResolvedMean.ATenMean(innermost: sorted.last == rank - 1 && !channelsLast && memoryFormats.first != .strided,
                                         qnnpackGlobalPool: source.quant.dtype == .uint8 && rank == 4 && axes == [2, 3], floatView: floatView)
        }
        return (.mean(ResolvedMean(outer: outer, reduced: reduced, inner: inner, aten: aten)), OutputType(shape: shape, layout: layout, quant: output))
    }
}

/// The input seen as `[outer, reduced, inner]`: output `(a, b)` averages `input[(a·reduced + r)·inner + b]`.
public struct ResolvedMean: Equatable, Codable, Sendable {
    /// What picks ATen's kernel for `Mean(atenOp: .mean)` (mean_out_quantized_cpu).
    public struct ATenMean: Equatable, Codable, Sendable {
        /// ATen's TensorIterator view of the float path (dequantize, at::mean, quantize).
        public struct FloatView: Equatable, Codable, Sendable {
            /// The outputs stored one after another behind the reduced block; 1 when the reduced
            /// elements themselves are contiguous.
            public var innerOutputs: Int
            /// Output (a, b) is number `a % positionModulus + b` among them.
            public var positionModulus: Int
        }

        /// A contiguous tensor (not a strided view) whose axes end at the last one (ATen's
        /// is_innnermost_dim, on the axes, not their sizes): ATen's integer mean of the codes. A
        /// strided view is averaged in float from its contiguous copy.
        public var innermost: Bool
        /// uint8, 4-D, axes written exactly `[2, 3]`: QNNPACK's global average pool under qnnpack.
        public var qnnpackGlobalPool: Bool
        /// nil where qgen does not model the memory order (channels-last axes other than [2, 3] or [1]).
        public var floatView: FloatView?
    }

    public var outer: Int
    public var reduced: Int
    public var inner: Int
    /// Set for `Mean(atenOp: .mean)`.
    public var aten: ATenMean?
}

extension ResolvedMean: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let scheme = model.scheme, what = node.what, at = node.location
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        let isPyTorch = model.scheme.family == .float32 && model.scheme != .onnxRuntime
        if let aten, isPyTorch, !(model.scheme == .qnnpack && aten.qnnpackGlobalPool) {
            return lowerATenMean(aten, node, in: model, log: &log)
        }
        if model.scheme.family == .float32 { return lowerFloat32(node, in: model, log: &log) }
        guard SchemeSupport.requireFixedPoint(node, scheme: scheme, what: "means", log: &log) else { return nil }
        let ratio = Double(Float(input.scale)) / Double(Float(output.scale))
        let n = reduced
        let multiplier: QuantizedMultiplier, text: String
        switch scheme {
        case .tflite, .liteRT, .singleRounding:
            let m = QuantizedMultiplier(real: ratio)
            guard scheme.shiftRange.contains(m.shift) else {
                log.error("\(what): s_in/s_out = \(format(ratio)) is too large for the \(scheme) scheme (it needs < 2^\(scheme.shiftRange.upperBound)); the output scale must be above \(format(input.scale / Double(sign: .plus, exponent: Int(scheme.shiftRange.upperBound), significand: 1)))", at: at)
                return nil
            }
            var k = min(63 - Int64(n).leadingZeroBitCount, 32)
            k = min(k, 31 + Int(m.shift))
            let mantissa = (Int64(m.mantissa) << Int64(max(k, 0))) / Int64(n)
            multiplier = QuantizedMultiplier(mantissa: Int32(mantissa), shift: m.shift - Int32(k))
            text = "s_in/s_out = \(format(ratio)) ~ \(m.mantissa) * 2^\(Int(m.shift) - 31); divided by \(n): (\(m.mantissa) * 2^\(k)) / \(n) = \(mantissa), shift \(Int(m.shift) - k)"
        default:
            let real = ratio / Double(n)
            switch FixedPointMultiplier.represent(real, scheme: scheme) {
            case .multiplier(let m, let form), .flushedToZero(let m, let form, _):
                multiplier = m
                text = "s_in/(s_out*\(n)) = \(format(real)) ~ \(form)"
            case .powerOfTwoMiss(let e, _, let error):
                log.error("\(what): its multiplier s_in/(s_out·\(n)) = \(format(real)) is \(format(error * 100))% from the nearest power of two 2^\(-e), beyond the powerOfTwo tolerance; choose an output scale that makes it a power of two, or use fixedPoint(multiplierBits:…)", at: at)
                return nil
            case .powerOfTwoOutOfRange, .tooLarge, .needsMoreBits:
                log.error("\(what): its multiplier s_in/(s_out·\(n)) = \(format(real)) cannot be held by the \(scheme) scheme; bring the input and output scales closer together", at: at)
                return nil
            }
        }
        // tflite shifts the sum left by max(shift, 0) inside int32.
        let left = max(Int(multiplier.shift), 0)
        let range = input.dtype.range
        let bound = Int64(n) * Int64(max(range.upperBound - input.zeroPoint, input.zeroPoint - range.lowerBound))
        if scheme.family == .tflite && bound << Int64(left) > Int64(Int32.max) {
            log.error("\(what): the sum (up to \(bound)) shifted left by \(left) for s_in/s_out = \(format(ratio)) overflows int32; the output scale is too small for this input scale", at: at)
            return nil
        }
        let type = output.dtype.range
        let requantizer = Requantizer(isPerChannel: false, multipliers: [multiplier], floatMultipliers: [], floatBiasTerms: [], multiplierTexts: [text],
                                      outputZeroPoint: Int32(output.zeroPoint), activationMin: Int32(type.lowerBound), activationMax: Int32(type.upperBound),
                                      activationText: "none")
        return (.mean(LoweredMean(outer: outer, reduced: reduced, inner: inner, inputZeroPoint: Int32(input.zeroPoint), requantizer: requantizer)),
                .activation(.none))
    }

    private func format(_ x: Double) -> String { FixedPointMultiplier.format(x) }

    /// ATen's qmean_inner_dim_kernel: `nearbyint(float(Σ q) / n)` over the codes themselves, the
    /// output keeping the input's quantization. ATen takes it for contiguous tensors and innermost
    /// axes; otherwise it dequantizes and runs the float at::mean (ATenFloatMean).
    private func lowerATenMean(_ aten: ATenMean, _ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        guard aten.innermost else {
            guard let view = aten.floatView else {
                log.error("\(node.what): PyTorch's quantized mean of a channels-last tensor over axes other than [2, 3] or [1] sums in an order qgen does not model; average H and W ([2, 3]) or make the tensor contiguous", at: node.location)
                return nil
            }
            return ATenFloatMean.lower(self, view: view, node, in: model, log: &log)
        }
        guard reduced <= Int(Int32.max) / 255 else {
            log.error("\(node.what): it sums \(reduced) codes per output, which can leave int32; average fewer elements", at: node.location)
            return nil
        }
        let divisor = Float32Parts(Float(reduced))
        return (.mean(LoweredMean(outer: outer, reduced: reduced, inner: inner, inputZeroPoint: 0, requantizer: nil, codeDivisor: divisor)), .activation(.none))
    }

    /// fbgemm, qnnpack and onnxRuntime (above).
    private func lowerFloat32(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let input = model.tensors[node.inputs[0]].quant, output = model.tensors[node.output].quant
        let n = Float(reduced), (sIn, sOut) = (Float(input.scale), Float(output.scale))
        let multiplier: Float, text: String
        switch model.scheme {
        case .fbgemm:
            let m = (sIn / sOut) / n
            multiplier = 1 / (1 / m)
            text = "1/(1/((s_in/s_out)/\(reduced))) = \(multiplier) (ATen's NHWC average: the multiplier inverted twice in float32)"
        case .qnnpack:
            multiplier = sIn / (sOut * n)
            text = "s_in/(s_out*\(reduced)) = \(multiplier) (QNNPACK's global average pool, float32)"
        default:
            multiplier = sIn / (sOut * n)
            text = "s_in/(s_out*\(reduced)) = \(multiplier) (ONNX Runtime's QLinearGlobalAveragePool, float32)"
            guard reduced < 1 << 24 else {
                log.error("\(node.what): it averages \(reduced) elements; ONNX Runtime's QLinearGlobalAveragePool refuses planes of 2^24 elements or more", at: node.location)
                return nil
            }
            guard multiplier >= 0x1p-32 && multiplier < 256 else {
                log.error("\(node.what): its multiplier s_in/(s_out·\(reduced)) = \(multiplier) is outside [2^-32, 256), which ONNX Runtime's QLinearGlobalAveragePool refuses; bring the output scale closer to the input scale", at: node.location)
                return nil
            }
        }
        let type = output.dtype.range
        let requantizer = Requantizer(isPerChannel: false, multipliers: [], floatMultipliers: [Float32Parts(multiplier)], floatBiasTerms: [],
                                      multiplierTexts: [text], outputZeroPoint: Int32(output.zeroPoint),
                                      activationMin: Int32(type.lowerBound), activationMax: Int32(type.upperBound), activationText: "none")
        return (.mean(LoweredMean(outer: outer, reduced: reduced, inner: inner, inputZeroPoint: Int32(input.zeroPoint), requantizer: requantizer)),
                .activation(.none))
    }
}

public struct LoweredMean: Equatable, Codable, Sendable {
    public var outer: Int
    public var reduced: Int
    public var inner: Int
    public var inputZeroPoint: Int32
    /// `(s_in / s_out) / n` in the scheme's form, the output zero point, the type's range; nil
    /// with `codeDivisor`.
    public var requantizer: Requantizer?
    /// ATen's quantized mean: `nearbyint(float(Σ q) / float(n))` in binary32 over the codes, with
    /// `n` as a binary32 constant; the output keeps the input's quantization.
    public var codeDivisor: Float32Parts?

    init(outer: Int, reduced: Int, inner: Int, inputZeroPoint: Int32, requantizer: Requantizer?, codeDivisor: Float32Parts? = nil) {
        (self.outer, self.reduced, self.inner, self.inputZeroPoint) = (outer, reduced, inner, inputZeroPoint)
        (self.requantizer, self.codeDivisor) = (requantizer, codeDivisor)
    }

    /// The output for the sum `sum` of the codes of one average.
    func average(_ sum: Int32, scheme: RequantizationScheme) -> Int32 {
        guard let requantizer else { return Int32((Float(sum) / Float(reduced)).rounded(.toNearestOrEven)) }
        return requantizer.apply(sum - inputZeroPoint * Int32(reduced), channel: 0, scheme: scheme)
    }
}

extension LoweredMean: LoweredKernel {
    public func run(_ inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [Int32] {
        let x = inputs[0]
        var y: [Int32] = []
        for a in 0..<outer {
            for b in 0..<inner {
                var sum: Int32 = 0
                for r in 0..<reduced { sum += x[(a * reduced + r) * inner + b] }
                y.append(average(sum, scheme: model.scheme))
            }
        }
        return y
    }

    public func explain(_ flat: Int, inputs: [[Int32]], node: LoweredNode, in model: LoweredModel) -> [String] {
        let (a, b) = (flat / inner, flat % inner)
        let values = (0..<reduced).map { inputs[0][(a * reduced + $0) * inner + b] }
        let sum = values.reduce(Int32(0), +)
        let elements = "\(reduced) input elements \(values.prefix(32).map(String.init).joined(separator: ", "))\(values.count > 32 ? ", ..." : ""); sum = \(sum)"
        guard let requantizer else {
            return [elements, "ATen's quantized mean: float32(\(sum)) / \(reduced).0f = \(Float(sum) / Float(reduced)), rounded half to even: \(average(sum, scheme: model.scheme))"]
        }
        return [elements, "sum - \(reduced) * zp_in = \(sum - inputZeroPoint * Int32(reduced)); the multiplier includes 1/\(reduced)",
                requantizer.explainApply(sum - inputZeroPoint * Int32(reduced), channel: 0, scheme: model.scheme)]
    }

    public func runReal(_ inputs: [[Double]], node: LoweredNode, real: RealModel) -> [Double] {
        let x = inputs[0]
        var y: [Double] = []
        for a in 0..<outer {
            for b in 0..<inner { y.append((0..<reduced).reduce(0.0) { $0 + x[(a * reduced + $1) * inner + b] } / Double(reduced)) }
        }
        return y
    }

    public func emit(_ node: LoweredNode, in model: LoweredModel, options: EmitOptions) -> EmittedNode {
        let x = model.tensors[node.inputs[0]], y = model.tensors[node.output]
        var kernel = MeanKernel(
            names: EmittedNames.Layer(cName: node.cName), layerName: node.name, location: "\(node.location.fileName):\(node.location.line)",
            inputCType: Emitter.cType(x.dtype), outputCType: Emitter.cType(y.dtype), outer: outer, reduced: reduced, inner: inner,
            inputZeroPoint: inputZeroPoint, requantizeArguments: "", multiplierText: "", outputZeroPoint: 0, outputMin: 0, outputMax: 0,
            codeDivisor: nil, native: options.floatRequant)
        guard let requantizer else {
            kernel.codeDivisor = codeDivisor
            return EmittedNode(arrays: [], kernel: kernel,
                               helpers: options.floatRequant ? [EmittedNode.floatRound] : [EmittedNode.float32Core, EmittedNode.float32Div])
        }
        kernel.requantizeArguments = requantizer.scalarArguments(scheme: model.scheme, native: options.floatRequant)
        kernel.multiplierText = requantizer.multiplierTexts[0]
        (kernel.outputZeroPoint, kernel.outputMin, kernel.outputMax) = (requantizer.outputZeroPoint, requantizer.activationMin, requantizer.activationMax)
        return EmittedNode(arrays: [], kernel: kernel, helpers: [EmittedNode.requantize])
    }
}

/// Templates/kernel_mean.mustache.
struct MeanKernel: KernelContext {
    var template: String { "kernel_mean" }
    var names: EmittedNames.Layer
    var layerName: String
    var location: String
    var inputCType: String
    var outputCType: String
    var outer: Int
    var reduced: Int
    var inner: Int
    var inputZeroPoint: Int32
    /// The scheme's requantization arguments after the value (multiplier and shift, or the float32 pair).
    var requantizeArguments: String
    var multiplierText: String
    var outputZeroPoint: Int32
    var outputMin: Int32
    var outputMax: Int32
    /// ATen's quantized mean (no requantizer): the divisor n as a binary32 mantissa and exponent.
    var codeDivisor: Float32Parts?
    var native: Bool
}
