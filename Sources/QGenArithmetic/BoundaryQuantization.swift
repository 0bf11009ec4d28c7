/// How a stack turns real input values into quantized codes at the model boundary, and back.
/// One flipped input code changes many outputs, so feeding float data through the wrong formula
/// breaks bit-exactness before the first layer (requant.md §10.1, item 4).
///
/// | rule | quantize | stacks |
/// |---|---|---|
/// | `pytorch` | `clamp(RNE(x · (1/s)) + zp)`, `1/s` in float32, zp added after rounding | PyTorch `quantize_per_tensor` (fbgemm::Quantize, QNNPACK) |
/// | `onnx` | `clamp(RNE(x / s) + zp)`, float32 division | ONNX QuantizeLinear, ONNX Runtime MLAS |
/// | `tflite` | `clamp(round_half_away(x / s) + zp)`, float32 division | TFLite / TFLite Micro Quantize (AffineQuantize) |
///
/// Dequantization is `float(s) · (q − zp)` in float32 for all three.
public enum BoundaryQuantization: String, Equatable, Hashable, Codable, Sendable, CaseIterable {
    case pytorch
    case onnx
    case tflite

    /// The code of real value `x` for a tensor with `scale` (stored as float32 by every stack),
    /// `zeroPoint` and code range `range`.
    public func quantize(_ x: Float, scale: Double, zeroPoint: Int, range: ClosedRange<Int>) -> Int {
        let s = Float(scale)
        let r: Float
        switch self {
        case .pytorch: r = (x * (Float(1) / s)).rounded(.toNearestOrEven)
        case .onnx: r = (x / s).rounded(.toNearestOrEven)
        case .tflite: r = (x / s).rounded(.toNearestOrAwayFromZero)
        }
        guard !r.isNaN else { return zeroPoint }
        let v = Double(r) + Double(zeroPoint)
        return Int(min(max(v, Double(range.lowerBound)), Double(range.upperBound)))
    }

    /// The real value of code `q`: `float(scale) · (q − zeroPoint)` in float32.
    public func dequantize(_ q: Int, scale: Double, zeroPoint: Int) -> Float {
        Float(scale) * Float(q - zeroPoint)
    }
}

extension RequantizationScheme {
    /// The boundary rule of the stack this scheme reproduces. The accelerator schemes
    /// (`powerOfTwo`, `fixedPoint`) use ONNX's rule (division, ties to even).
    public var boundary: BoundaryQuantization {
        switch self {
        case .fbgemm, .qnnpack: return .pytorch
        case .tflite, .liteRT, .singleRounding: return .tflite
        case .onnxRuntime, .powerOfTwo, .fixedPoint: return .onnx
        }
    }
}
