import QGen
import QGenArithmetic

extension Requantizer {
    /// TFLite's int8/uint8 requantization from one quantization to another (QUANTIZE,
    /// reference_ops::Requantize): `y = clamp(R(x − zp_in, s_in / s_out) + zp_out, type range)` with
    /// `QuantizeMultiplier(double(s_in) / double(s_out))` under tflite and singleRounding, each
    /// scheme's own multiplier otherwise. Nil (with an error naming `what`) when the scheme cannot
    /// hold the ratio or the left shift could leave int32.
    static func rescaling(from input: QuantParams, to output: QuantParams, scheme: RequantizationScheme, what: String, at: SourceLocation,
                          log: inout DiagnosticLog) -> Requantizer? {
        let ratio = Double(Float(input.scale)) / Double(Float(output.scale))
        let format = FixedPointMultiplier.format
        let multiplier: QuantizedMultiplier, form: String
        switch FixedPointMultiplier.represent(ratio, scheme: scheme) {
        case .multiplier(let m, let f), .flushedToZero(let m, let f, _):
            (multiplier, form) = (m, f)
        case .powerOfTwoMiss(let n, _, let error):
            log.error("\(what): rescaling s_in/s_out = \(format(input.scale)) / \(format(output.scale)) = \(format(ratio)) is \(format(error * 100))% from the nearest power of two 2^\(-n), beyond the powerOfTwo tolerance; choose scales whose ratio is a power of two, or use fixedPoint(multiplierBits:…)", at: at)
            return nil
        case .powerOfTwoOutOfRange, .tooLarge, .needsMoreBits:
            log.error("\(what): rescaling s_in/s_out = \(format(input.scale)) / \(format(output.scale)) = \(format(ratio)) cannot be held by the \(scheme) scheme; bring the scales closer together", at: at)
            return nil
        }
        let range = input.dtype.range
        let deviation = Int64(max(range.upperBound - input.zeroPoint, input.zeroPoint - range.lowerBound))
        let left = Int64(max(Int(multiplier.shift), 0))
        if scheme.family == .tflite && deviation << left > Int64(Int32.max) {
            log.error("\(what): rescaling s_in/s_out = \(format(ratio)) shifts the input left by \(left) bits, which leaves int32; the output scale is too small for the input scale \(format(input.scale))", at: at)
            return nil
        }
        let type = output.dtype.range
        return Requantizer(isPerChannel: false, multipliers: [multiplier], floatMultipliers: [], floatBiasTerms: [],
                           multiplierTexts: ["s_in/s_out = \(format(ratio)) ~ \(form)"], outputZeroPoint: Int32(output.zeroPoint),
                           activationMin: Int32(type.lowerBound), activationMax: Int32(type.upperBound), activationText: "none")
    }
}
