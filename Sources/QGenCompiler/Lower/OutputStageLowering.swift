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

extension LayerLowering {
    /// Builds the output stage, or logs why the scheme cannot express this layer.
    func outputStage(scales: ScaleSet, perChannel: Bool, log: inout DiagnosticLog) -> OutputStage? {
        var stage = OutputStage()
        let errorsBefore = log.errorCount
        for c in 0..<scales.weights.count {
            let channel = perChannel ? " (channel \(c))" : ""
            switch scheme.family {
            case .tflite, .fixedPoint:
                let product = Double(scales.inputF) * Double(scales.weightF(c))
                let real: Double
                if case .linear = layer.geometry, !perChannel, scheme.family == .tflite || scheme == .singleRounding {
                    real = Double(scales.inputF * scales.weightF(c)) / Double(scales.outputF)   // TFLite per-tensor FC: float product first
                } else {
                    real = product / Double(scales.outputF)
                }
                guard let m = fixedPointMultiplier(real, scaleProduct: product, channel: channel, log: &log) else { continue }
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
                    log.error("\(what): the float32 multiplier\(channel) s_in·s_w/s_out = \(format(Double(multiplier))) is not a normal float32; check the scales", at: layer.location)
                    continue
                }
                let parts = Float32Parts(multiplier)
                stage.floatMultipliers.append(parts)
                stage.texts.append("float32 multiplier \(format(Double(multiplier))) = \(parts.mantissa) * 2^\(parts.exponent)")
            }
        }
        return log.errorCount > errorsBefore ? nil : stage
    }

    private func fixedPointMultiplier(_ real: Double, scaleProduct: Double, channel: String, log: inout DiagnosticLog) -> (multiplier: QuantizedMultiplier, text: String)? {
        let at = layer.location
        switch scheme {
        case .tflite, .singleRounding:
            let m = QuantizedMultiplier(real: real)
            if m.isFlushedToZero {
                log.warning("\(what): multiplier s_in·s_w/s_out = \(format(real))\(channel) is below 2^-32 and is flushed to 0: the output is constant", at: at)
            } else if real > 0 && !scheme.shiftRange.contains(m.shift) {
                log.error("\(what): multiplier s_in·s_w/s_out = \(format(real))\(channel) is too large for the \(scheme) scheme (it needs < 2^\(scheme.shiftRange.upperBound)); check the output scale (\(layer.output.scale))", at: at)
                return nil
            }
            return (m, "s_in*s_w/s_out = \(format(real)) ~ \(m.mantissa) * 2^\(Int(m.shift) - 31)")
        case .powerOfTwo(_, let tolerance):
            // The power of two with the smaller relative error: 2^floor(log2 m) or twice that.
            let below = Double(sign: .plus, exponent: real.exponent, significand: 1)
            let above = below * 2
            let (power, error) = (real - below) / real <= (above - real) / real ? (below, (real - below) / real) : (above, (above - real) / real)
            let n = -Int(power.exponent)
            guard (0...62).contains(n) else {
                log.error("\(what): multiplier s_in·s_w/s_out = \(format(real))\(channel) is nearest to 2^\(-n), outside the powerOfTwo scheme's right shifts 0...62; check the output scale (\(layer.output.scale))", at: at)
                return nil
            }
            guard error <= tolerance else {
                let suggestion = scaleProduct / power
                log.error("\(what): multiplier s_in·s_w/s_out = \(format(real))\(channel) is \(format(error * 100))% from the nearest power of two 2^\(-n), beyond the powerOfTwo tolerance \(format(tolerance * 100))%; make the output scale a power-of-two ratio (e.g. \(format(suggestion))) or use fixedPoint(multiplierBits:…)", at: at)
                return nil
            }
            return (QuantizedMultiplier(mantissa: 1, shift: Int32(31 - n)),
                    "s_in*s_w/s_out = \(format(real)) ~ 2^-\(n) (relative error \(format(error)))")
        case .fixedPoint(let bits, _):
            // real = q · 2^e with q in [0.5, 1): M = round(q · 2^(bits−1)) < 2^(bits−1), n = bits − 1 − e.
            let e = Int(real.exponent) + 1
            var n = bits - 1 - e
            var mantissa = (real.significand * Double(sign: .plus, exponent: bits - 2, significand: 1)).rounded(.toNearestOrAwayFromZero)
            if mantissa == Double(sign: .plus, exponent: bits - 1, significand: 1) {
                mantissa /= 2
                n -= 1
            }
            if n < 0 {
                log.error("\(what): multiplier s_in·s_w/s_out = \(format(real))\(channel) needs \(bits - n) bits, more than fixedPoint's \(bits)-bit multiplier with a right shift can hold; check the output scale (\(layer.output.scale)) or use more multiplierBits", at: at)
                return nil
            }
            if n > 62 {   // keep the shift in 0...62: fewer mantissa bits for tiny multipliers
                mantissa = (real * Double(sign: .plus, exponent: 62, significand: 1)).rounded(.toNearestOrAwayFromZero)
                n = 62
                if mantissa == 0 {
                    log.warning("\(what): multiplier s_in·s_w/s_out = \(format(real))\(channel) is below 2^-63 and is flushed to 0: the output is constant", at: at)
                }
            }
            let error = abs(mantissa / Double(sign: .plus, exponent: n, significand: 1) - real) / real
            return (QuantizedMultiplier(mantissa: Int32(mantissa), shift: Int32(31 - n)),
                    "s_in*s_w/s_out = \(format(real)) ~ \(Int(mantissa)) * 2^-\(n) (relative error \(format(error)))")
        case .fbgemm, .qnnpack, .onnxRuntime:
            preconditionFailure("float32 scheme in fixed-point lowering")
        }
    }
}
