import Foundation
import QGen
import QGenArithmetic

extension ResolvedMAC: OpLowering {
    func lower(_ node: ResolvedNode, in model: ResolvedModel, log: inout DiagnosticLog) -> (LoweredOp, RealOp)? {
        let lowering = MACLowering(scheme: model.scheme, node: node, mac: self,
                                   input: model.tensors[node.inputs[0]].quant, output: model.tensors[node.output].quant)
        guard let (lowered, real) = lowering.lower(log: &log) else { return nil }
        return (.multiplyAccumulate(lowered), .multiplyAccumulate(real))
    }
}

/// The lowering of one multiply-accumulate node under one scheme: int8 weights, the int32 bias
/// with the input zero point folded in, the output stage (a `Requantizer`) and the proof that no
/// int32 in the kernel or the reference overflows.
struct MACLowering {
    let scheme: RequantizationScheme
    let node: ResolvedNode
    let mac: ResolvedMAC
    let input: QuantParams
    let output: QuantParams

    var what: String { node.what }

    func lower(log: inout DiagnosticLog) -> (LoweredMAC, RealMAC)? {
        let at = node.location
        let channels = mac.geometry.outputChannels
        let errorsBefore = log.errorCount

        // 1. int8 weights with their scales and zero points.
        let quantized: WeightQuantizer.Result
        switch mac.weights.kind {
        case .real(let rule):
            quantized = WeightQuantizer.quantize(mac.weights.values, channels: channels, rule: rule)
        case .quantized(let scales, let zeroPoints):
            quantized = WeightQuantizer.Result(values: mac.weights.values.map { Int8($0) }, scales: scales, zeroPoints: zeroPoints)
        }
        let perChannel = quantized.scales.count > 1
        let taps = mac.geometry.tapsPerOutput

        // 2. What the scheme's stack accepts, and the scales as it stores them (float32).
        checkSchemeSupports(quantized: quantized, log: &log)
        let sIn = Float(input.scale), sOut = Float(output.scale)
        let sW = quantized.scales.map { Float($0) }
        for (label, value, original) in [("input scale", sIn, input.scale), ("output scale", sOut, output.scale)]
            + sW.enumerated().map({ ("weight scale[\($0.offset)]", $0.element, quantized.scales[$0.offset]) })
        where !(value.isFinite && value >= Float.leastNormalMagnitude) {
            log.error("\(what): \(label) \(original) is not representable as a normal float32, which the \(scheme) scheme stores scales as", at: at)
        }
        if log.errorCount > errorsBefore { return nil }

        // 3. The output stage's multipliers (and fbgemm's float bias term).
        let scales = ScaleSet(input: input.scale, output: output.scale, weights: quantized.scales)
        guard var stage = outputStage(scales: scales, perChannel: perChannel, log: &log) else { return nil }

        // 4. int32 bias, by the scheme's stack's rule (fbgemm keeps a float bias: step 3's term).
        var bias = Array(repeating: Int32(0), count: channels)
        var realBias = Array(repeating: 0.0, count: channels)
        if let b = mac.bias {
            for c in 0..<channels {
                let w = perChannel ? c : 0
                let scale = sIn * sW[w]
                if b.isInt32 {
                    bias[c] = Int32(b.values[c])
                    realBias[c] = b.values[c] * Double(scale)
                    continue
                }
                realBias[c] = b.values[c]
                let q: Float
                switch scheme {
                case .fbgemm:
                    // ReQuantizeOutput: per channel bias / act_times_w_scale; per tensor (AVX2) bias · float(1 / double(atw)).
                    let atw = scales.fbgemmActTimesWeight(w)
                    let term = perChannel ? Float(b.values[c]) / atw : Float(b.values[c]) * Float(1.0 / Double(atw))
                    guard term.isFinite, abs(Double(term)) < Double(Int32.max) else {
                        log.error("\(what): bias[\(c)] = \(b.values[c]) is \(format(Double(term))) in units of s_in·s_w = \(format(Double(atw))), beyond int32; the weight scale is too small for this bias", at: at)
                        return nil
                    }
                    stage.floatBiasTerms.append(Float32Parts(term))
                    continue
                case .qnnpack:
                    // QuantizeBias: quantize_per_channel(b, s_w·s_in (double), 0, qint32) = nearbyint(b · (1.0f / float(scale))).
                    let inverse = Float(1) / Float(quantized.scales[w] * input.scale)
                    q = (Float(b.values[c]) * inverse).rounded(.toNearestOrEven)
                case .onnxRuntime:
                    // onnxruntime.quantization (base_quantizer.py, quantize_bias_static_impl): the scale
                    // s_in · s_w is a float32 product, the division is in float64, np.round ties to even.
                    q = Float((Double(Float(b.values[c])) / Double(scale)).rounded(.toNearestOrEven))
                default:
                    // TFLite converter: round_half_away(float(b) · float(1 / (s_in · s_w))).
                    let inverse = Float(1.0 / Double(scale))
                    q = (Float(b.values[c]) * inverse).rounded(.toNearestOrAwayFromZero)
                }
                guard q.isFinite, abs(Double(q)) <= Double(Int32.max) else {
                    log.error("\(what): bias[\(c)] = \(b.values[c]) is \(format(Double(q))) in units of s_in·s_w = \(format(Double(scale))), beyond int32; the weight scale is too small for this bias", at: at)
                    return nil
                }
                bias[c] = Int32(q)
            }
        }
        if scheme.hasFloatBias && stage.floatBiasTerms.isEmpty {
            stage.floatBiasTerms = Array(repeating: Float32Parts(0), count: channels)
        }

        // 5. Fold the input zero point into the bias and bound every accumulator.
        let zx = Int64(input.zeroPoint)
        let xRange = input.dtype.range
        let maxDeviation = Int64(max(xRange.upperBound - input.zeroPoint, input.zeroPoint - xRange.lowerBound))
        let maxMagnitude = Int64(max(abs(xRange.lowerBound), abs(xRange.upperBound)))
        var folded = Array(repeating: Int32(0), count: channels)
        var bound: Int64 = 0
        var largestWeightSum: Int64 = 0
        for c in 0..<channels {
            let zw = Int64(quantized.zeroPoints[perChannel ? c : 0])
            var sum: Int64 = 0, sumAbs: Int64 = 0
            for k in 0..<taps {
                let w = Int64(quantized.values[c * taps + k]) - zw
                sum += w
                sumAbs += abs(w)
            }
            let f = Int64(bias[c]) - zx * sum
            guard let f32 = Int32(exactly: f) else {
                log.error("\(what): bias[\(c)] = \(bias[c]) minus input zero point \(zx) × Σ weights \(sum) = \(f) overflows int32", at: at)
                return nil
            }
            folded[c] = f32
            largestWeightSum = max(largestWeightSum, sumAbs)
            // The reference sums (x − zp_in)(w − zp_w) onto the bias; the C kernel sums x·(w − zp_w)
            // onto the folded bias. Every partial sum of either is bounded by these.
            let referenceBound = abs(Int64(bias[c])) + maxDeviation * sumAbs
            let kernelBound = abs(f) + maxMagnitude * sumAbs
            var channelBound = max(referenceBound, kernelBound)
            var finalBound = referenceBound
            if scheme.saturatesPairs {
                // x·w pairs (raw w, each pair clamped to int16) and −zp_w·Σx, onto the folded bias.
                var rawSumAbs: Int64 = 0
                for k in 0..<taps { rawSumAbs += abs(Int64(quantized.values[c * taps + k])) }
                let pairBound = abs(f) + maxMagnitude * (rawSumAbs + Int64(taps) * abs(zw))
                channelBound = max(channelBound, pairBound)
                finalBound = pairBound
            }
            bound = max(bound, channelBound)
            if !checkScaledRange(accumulatorBound: finalBound, stage: stage, index: perChannel ? c : 0, channel: c, log: &log) { return nil }
        }
        if bound > Int64(Int32.max) {
            log.error("\(what): an accumulator can reach \(bound) over all inputs, beyond int32 (2147483647): \(taps) taps per output, Σ|w − zp_w| up to \(largestWeightSum), inputs up to \(maxMagnitude) in magnitude; split the layer or reduce its fan-in", at: at)
            return nil
        }
        if bound > Int64(1) << 30 {
            log.warning("\(what): the accumulator bound \(bound) is within a factor of 2 of int32 overflow", at: at)
        }

        // 6. Clamp bounds from the fused activation.
        let zy = output.zeroPoint
        guard let clamp = ActivationRange(mac.activation, output: output, what: what, at: at, log: &log) else { return nil }
        if log.errorCount > errorsBefore { return nil }

        let requantizer = Requantizer(
            isPerChannel: perChannel, multipliers: stage.multipliers, floatMultipliers: stage.floatMultipliers,
            floatBiasTerms: stage.floatBiasTerms, multiplierTexts: stage.texts, outputZeroPoint: Int32(zy),
            activationMin: clamp.min, activationMax: clamp.max, activationText: clamp.text, doubleMultipliers: stage.doubleMultipliers)
        let lowered = LoweredMAC(
            geometry: mac.geometry, inputZeroPoint: Int32(input.zeroPoint),
            weights: quantized.values, weightZeroPoints: quantized.zeroPoints.map { Int32($0) },
            hasBias: mac.bias != nil, bias: bias, foldedBias: folded, requantizer: requantizer, accumulatorBound: bound)
        var floatWeights: [Double]?
        if case .real = mac.weights.kind { floatWeights = mac.weights.values }
        let floatBias = mac.bias.flatMap { $0.isInt32 ? nil : $0.values }
        let real = RealMAC(weightScales: quantized.scales, weightZeroPoints: quantized.zeroPoints, bias: realBias, activation: mac.activation,
                           floatWeights: floatWeights, floatBias: floatBias)
        return (lowered, real)
    }

    /// The scheme's intermediate values: `tflite` shifts the accumulator left by `max(shift, 0)`
    /// in int32; then the scaled value plus the output zero point is an int32 addition. For the
    /// float32 schemes, `|v| ≤ (bound + |bias term|) · m` up to three float roundings (each a
    /// relative 2^-24), and the emulation converts `v` to int32.
    private func checkScaledRange(accumulatorBound: Int64, stage: OutputStage, index: Int, channel: Int, log: inout DiagnosticLog) -> Bool {
        let scaled: Int128
        if !stage.doubleMultipliers.isEmpty {
            // |round(fl(acc · m))| ≤ bound · m · (1 + 2^-52) + 1/2; LiteRT's int32 conversion of a
            // larger value would be undefined behaviour.
            let v = Double(accumulatorBound) * stage.doubleMultipliers[index].value * (1 + 0x1p-50) + 1
            scaled = v < 0x1p100 ? Int128(v.rounded(.up)) : Int128(1) << 100
        } else if scheme.family == .float32 {
            let term = stage.floatBiasTerms.isEmpty ? 0 : abs(Double(stage.floatBiasTerms[channel].value))
            let v = (Double(accumulatorBound) + term) * Double(stage.floatMultipliers[index].value) * (1 + 0x1p-20) + 1
            scaled = v < 0x1p100 ? Int128(v.rounded(.up)) : Int128(1) << 100
        } else {
            let m = stage.multipliers[index]
            let left = max(Int(m.shift), 0)
            if scheme.family == .tflite && left > 0 && Int128(accumulatorBound) << Int128(left) > Int128(Int32.max) {
                log.error("\(what): channel \(channel): the accumulator (up to \(accumulatorBound)) shifted left by \(left) for a multiplier ≥ 1 overflows int32; the output scale is too small for this layer", at: node.location)
                return false
            }
            // |R(acc · m)| ≤ ceil(bound · M · 2^shift / 2^31) + 1
            let numerator = Int128(accumulatorBound) * Int128(m.mantissa) << Int128(left)
            scaled = (numerator >> Int128(31 + max(-Int(m.shift), 0))) + 2
        }
        if scaled + Int128(abs(output.zeroPoint)) > Int128(Int32.max) {
            log.error("\(what): channel \(channel): the rescaled accumulator (up to \(scaled)) plus the output zero point overflows int32; the output scale is too small for this layer", at: node.location)
            return false
        }
        return true
    }

    /// Layers a scheme's reference stack cannot run are refused, naming a scheme that can.
    private func checkSchemeSupports(quantized: WeightQuantizer.Result, log: inout DiagnosticLog) {
        let at = node.location
        switch scheme {
        case .fbgemm, .qnnpack:
            let engine = scheme == .qnnpack ? "qnnpack" : "fbgemm"
            if input.dtype != .uint8 || output.dtype != .uint8 {
                log.error("\(what): PyTorch's \(engine) engine takes and produces quint8 (uint8) activations, but this layer has \(input.dtype) input and \(output.dtype) output; use uint8 activations, or the onnxRuntime or tflite scheme for int8", at: at)
            }
            if scheme.saturatesPairs, case .conv2d(let g) = mac.geometry, g.layout == .nhwc {
                log.error("\(what): fbgemm(saturatingPairs) models PyTorch's convolutions on NCHW input; this one reads NHWC (a TFLite layout): use NCHW input and OIHW weights, or the fbgemm scheme", at: at)
            }
        case .liteRT:
            if case .linear = mac.geometry, quantized.zeroPoints.count > 1, let z = quantized.zeroPoints.first(where: { $0 != 0 }) {
                log.error("\(what): LiteRT's per-channel FULLY_CONNECTED ignores weight zero points (its weights are symmetric), but this layer has weight zero point \(z); use symmetric per-channel weights, or per-tensor weights", at: at)
            }
        case .onnxRuntime:
            if Set(quantized.zeroPoints).count > 1 {
                log.error("\(what): ONNX Runtime requires one weight zero point for all channels (QLinearConv), but this layer has \(Set(quantized.zeroPoints).sorted()); use symmetric per-channel weights", at: at)
            }
        default:
            break
        }
    }

    func format(_ x: Double) -> String { String(format: "%.9g", x) }
}
