import Foundation
import QGen
import QGenArithmetic

/// The per-channel constants of a layer's output stage, as the scheme's reference stack computes
/// them from the scales (every formula cites shared/reference/requant.md). Real arithmetic is
/// evaluated here, on the host, in exactly the precision and order of that stack; the results are
/// integers (fixed-point multipliers) or float32 values carried as integer pairs.
struct OutputStage {
    /// Fixed-point families: one per channel (or one per tensor).
    var multipliers: [QuantizedMultiplier] = []
    /// float32 family: `float(acc) [+ biasTerm]) · multiplier`.
    var floatMultipliers: [Float32Parts] = []
    /// `fbgemm` only: the float bias in accumulator units, `b / (s_in · s_w)` in float32.
    var floatBiasTerms: [Float32Parts] = []
    /// `liteRT`'s FULLY_CONNECTED: `double(s_in)·double(s_w)/double(s_out)`, one per channel.
    var doubleMultipliers: [Float64Parts] = []
    /// One comment per channel: the real value and its representation.
    var texts: [String] = []
}

/// The scales a stack stores, and the formulas it applies to them.
struct ScaleSet {
    var input: Double
    var output: Double
    var weights: [Double]

    var inputF: Float { Float(input) }
    var outputF: Float { Float(output) }
    func weightF(_ c: Int) -> Float { Float(weights[c]) }

    /// FBGEMM `act_times_w_scale`: `float(s_in) · float(s_w)` (qlinear.cpp / qconv.cpp).
    func fbgemmActTimesWeight(_ c: Int) -> Float { inputF * weightF(c) }
    /// FBGEMM `C_multiplier`: `act_times_w_scale / float(s_out)`.
    func fbgemmMultiplier(_ c: Int) -> Float { fbgemmActTimesWeight(c) / outputF }
    /// PyTorch QNNPACK `requant_scale`: `(s_w · s_in) · (1 / s_out)`, all float32.
    func qnnpackMultiplier(_ c: Int) -> Float { (weightF(c) * inputF) * (Float(1) / outputF) }
    /// ONNX Runtime `ComputeOutputScale`: `X_scale · W_scale / Y_scale`, float32 left to right.
    func onnxRuntimeMultiplier(_ c: Int) -> Float { inputF * weightF(c) / outputF }
}

extension MACLowering {
    /// Builds the output stage, or logs why the scheme cannot express this layer.
    func outputStage(scales: ScaleSet, perChannel: Bool, log: inout DiagnosticLog) -> OutputStage? {
        var stage = OutputStage()
        let errorsBefore = log.errorCount
        var powerOfTwoMisses: [PowerOfTwoMiss] = []
        for c in 0..<scales.weights.count {
            let channel = perChannel ? " (channel \(c))" : ""
            if scheme == .liteRT, case .linear = mac.geometry {
                // LiteRT's reference FULLY_CONNECTED (fully_connected.cc, kReference): float32 scales
                // widened to double, multiplied, divided, and applied to double(acc) in the kernel.
                let real = Double(scales.inputF) * Double(scales.weightF(c)) / Double(scales.outputF)
                guard real.isNormal else {
                    log.error("\(what): the multiplier\(channel) s_in·s_w/s_out = \(factors(scales, c)) = \(format(real)) is not a normal double; check the scales\(weightOrigin(c))", at: node.location)
                    continue
                }
                let parts = Float64Parts(real)
                stage.doubleMultipliers.append(parts)
                stage.texts.append("s_in*s_w/s_out = \(format(real)) = \(parts.mantissa) * 2^\(parts.exponent) (double)")
                continue
            }
            switch scheme.family {
            case .tflite, .fixedPoint:
                let real = fixedPointReal(scales, c, perChannel: perChannel, outputScale: scales.outputF)
                guard let m = fixedPointMultiplier(real, scales: scales, channel: c, perChannel: perChannel, misses: &powerOfTwoMisses, log: &log) else { continue }
                stage.multipliers.append(m.multiplier)
                stage.texts.append(m.text)
            case .float32:
                let multiplier: Float
                switch scheme {
                case .qnnpack: multiplier = scales.qnnpackMultiplier(c)
                case .onnxRuntime: multiplier = scales.onnxRuntimeMultiplier(c)
                default: multiplier = scales.fbgemmMultiplier(c)
                }
                guard multiplier.isNormal else {
                    let product = Double(scales.inputF) * Double(scales.weightF(c))
                    let fix = multiplier.isInfinite || multiplier > 1
                        ? "with these input and weight scales the output scale must be above \(format(product / Double(Float.greatestFiniteMagnitude)))"
                        : "with these input and weight scales the output scale must be below \(format(product / Double(Float.leastNormalMagnitude)))"
                    log.error("\(what): the float32 multiplier\(channel) s_in·s_w/s_out = \(factors(scales, c)) = \(format(Double(multiplier))) is not a normal float32; \(fix)\(weightOrigin(c))", at: node.location)
                    continue
                }
                let parts = Float32Parts(multiplier)
                stage.floatMultipliers.append(parts)
                stage.texts.append("float32 multiplier \(format(Double(multiplier))) = \(parts.mantissa) * 2^\(parts.exponent)")
            }
        }
        if !powerOfTwoMisses.isEmpty { reportPowerOfTwoMisses(powerOfTwoMisses, scales: scales, perChannel: perChannel, log: &log) }
        return log.errorCount > errorsBefore ? nil : stage
    }

    /// The real multiplier of channel `c` as the fixed-point families compute it from float32 scales.
    private func fixedPointReal(_ scales: ScaleSet, _ c: Int, perChannel: Bool, outputScale: Float) -> Double {
        if case .linear = mac.geometry, !perChannel, scheme.family == .tflite || scheme == .singleRounding {
            return Double(scales.inputF * scales.weightF(c)) / Double(outputScale)   // TFLite per-tensor FC: float product first
        }
        return Double(scales.inputF) * Double(scales.weightF(c)) / Double(outputScale)
    }

    /// `s_in·s_w/s_out` spelled out with the values of channel `c`'s scales.
    func factors(_ scales: ScaleSet, _ c: Int) -> String {
        "\(format(scales.input))·\(format(scales.weights[c]))/\(format(scales.output))"
    }

    /// For real weights, where the weight scale of channel `c` came from: the largest |weight|.
    func weightOrigin(_ c: Int) -> String {
        guard case .real(let rule) = mac.weights.kind else { return "" }
        let values = mac.weights.values
        let perChannel = rule.granularity == .perChannel
        let per = perChannel ? values.count / mac.geometry.outputChannels : values.count
        let range = perChannel ? (c * per)..<((c + 1) * per) : 0..<values.count
        guard let k = range.max(by: { abs(values[$0]) < abs(values[$1]) }) else { return "" }
        return "; the weight scale comes from the largest |weight|, weight[\(k)] = \(format(values[k])): check the weights"
    }

    /// A channel whose multiplier is further from a power of two than the tolerance allows.
    struct PowerOfTwoMiss {
        var channel: Int
        var real: Double
        var error: Double
        var exponent: Int
        /// The output scale that would make this channel's multiplier exactly that power of two.
        var outputScale: Double
    }

    /// One message for all channels that miss the powerOfTwo tolerance, with one suggestion: an
    /// output scale that brings every channel within it, when there is one.
    private func reportPowerOfTwoMisses(_ misses: [PowerOfTwoMiss], scales: ScaleSet, perChannel: Bool, log: inout DiagnosticLog) {
        guard case .powerOfTwo(_, let tolerance) = scheme else { return }
        let fitsEveryChannel = misses.map(\.outputScale).first { candidate in
            (0..<scales.weights.count).allSatisfy { c in
                let real = fixedPointReal(scales, c, perChannel: perChannel, outputScale: Float(candidate))
                let nearest = FixedPointMultiplier.nearestPowerOfTwo(real)
                return (0...62).contains(nearest.n) && nearest.error <= tolerance
            }
        }
        let fix = fitsEveryChannel.map { "set the output scale to \(format($0)), which makes every multiplier a power of two within the tolerance, or use fixedPoint(multiplierBits:…)" }
            ?? "no single output scale fits every channel, because their weight scales differ by factors that are not powers of two; quantize the weights per tensor (or with power-of-two scale ratios), or use fixedPoint(multiplierBits:…)"
        let worst = misses.max { $0.error < $1.error }!
        if misses.count == 1 && !perChannel {
            log.error("\(what): multiplier s_in·s_w/s_out = \(factors(scales, 0)) = \(format(worst.real)) is \(format(worst.error * 100))% from the nearest power of two 2^\(-worst.exponent), beyond the powerOfTwo tolerance \(format(tolerance * 100))%; \(fix)", at: node.location)
        } else {
            let channels = misses.map { String($0.channel) }.joined(separator: ", ")
            log.error("\(what): the multipliers of \(misses.count) of \(scales.weights.count) channels (\(channels)) are up to \(format(worst.error * 100))% from the nearest power of two (channel \(worst.channel): s_in·s_w/s_out = \(factors(scales, worst.channel)) = \(format(worst.real)), nearest 2^\(-worst.exponent)), beyond the powerOfTwo tolerance \(format(tolerance * 100))%; \(fix)", at: node.location)
        }
    }

    private func fixedPointMultiplier(_ real: Double, scales: ScaleSet, channel c: Int, perChannel: Bool, misses: inout [PowerOfTwoMiss],
                                      log: inout DiagnosticLog) -> (multiplier: QuantizedMultiplier, text: String)? {
        let at = node.location
        let channel = perChannel ? " (channel \(c))" : ""
        let scaleProduct = Double(scales.inputF) * Double(scales.weightF(c))
        /// The advice when the multiplier must stay below `limit`: the output scale that achieves it.
        func aboveAdvice(_ limit: Double) -> String {
            "with these input and weight scales the output scale must be above \(format(scaleProduct / limit))\(weightOrigin(c))"
        }
        let text = "s_in*s_w/s_out = \(format(real)) ~ "
        switch FixedPointMultiplier.represent(real, scheme: scheme) {
        case .multiplier(let m, let form):
            return (m, text + form)
        case .flushedToZero(let m, let form, let below):
            log.warning("\(what): multiplier\(channel) s_in·s_w/s_out = \(factors(scales, c)) = \(format(real)) is below 2^\(below) and is flushed to 0: the output is constant", at: at)
            return (m, text + form)
        case .tooLarge(let limit):
            log.error("\(what): multiplier\(channel) s_in·s_w/s_out = \(factors(scales, c)) = \(format(real)) is too large for the \(scheme) scheme (it needs < 2^\(limit)); \(aboveAdvice(Double(sign: .plus, exponent: limit, significand: 1)))", at: at)
            return nil
        case .powerOfTwoOutOfRange(let n):
            let fix = n < 0 ? aboveAdvice(1) : "with these input and weight scales the output scale must be below \(format(scaleProduct * 0x1p62))"
            log.error("\(what): multiplier\(channel) s_in·s_w/s_out = \(factors(scales, c)) = \(format(real)) is nearest to 2^\(-n), outside the powerOfTwo scheme's right shifts 0...62; \(fix)", at: at)
            return nil
        case .powerOfTwoMiss(let n, let power, let error):
            misses.append(PowerOfTwoMiss(channel: c, real: real, error: error, exponent: n, outputScale: scaleProduct / power))
            return nil
        case .needsMoreBits(let needed):
            guard case .fixedPoint(let bits, _) = scheme else { return nil }
            log.error("\(what): multiplier\(channel) s_in·s_w/s_out = \(factors(scales, c)) = \(format(real)) needs \(needed) bits, more than fixedPoint's \(bits)-bit multiplier with a right shift can hold; use more multiplierBits, or \(aboveAdvice(Double(sign: .plus, exponent: bits - 1, significand: 1)))", at: at)
            return nil
        }
    }
}
