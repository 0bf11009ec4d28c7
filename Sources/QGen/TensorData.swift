/// Where a constant tensor's values come from.
///
/// - `npy(path)`: a NumPy `.npy` file, path relative to the directory of model.swift. Accepted
///   element types: float32, float64, int8, uint8, int16, int32, int64 (little-endian, C order).
/// - `values([...])`: a small inline array (an array literal works directly: `[0.5, -1, 2]`). Keep
///   inline arrays to a few hundred elements: Swift compiles large array literals very slowly.
public enum TensorData: Codable, Equatable, Sendable, ExpressibleByArrayLiteral {
    case npy(String)
    case values([Double])

    public init(arrayLiteral elements: Double...) { self = .values(elements) }
}

/// How a layer's weights are given.
public enum Weights: Codable, Equatable, Sendable {
    /// Real-valued weights, quantized to int8 at lowering by `rule`.
    case float(TensorData, WeightQuantization)
    /// Already-quantized int8 weights (what an exported quantized model holds), with one scale and
    /// zero point for the tensor or one per output channel: `real = scale[c] · (q − zeroPoint[c])`.
    case quantized(TensorData, scales: [Double], zeroPoints: [Int])

    /// Real-valued weights quantized by `rule` (default: per-channel symmetric, full range).
    public static func float(_ data: TensorData) -> Weights { .float(data, .perChannel(.symmetric)) }

    /// int8 weights with one scale and zero point for the whole tensor.
    public static func int8(_ data: TensorData, scale: Double, zeroPoint: Int = 0) -> Weights {
        .quantized(data, scales: [scale], zeroPoints: [zeroPoint])
    }

    /// int8 weights with one scale (and zero point, default 0) per output channel.
    public static func int8(_ data: TensorData, scales: [Double], zeroPoints: [Int]? = nil) -> Weights {
        .quantized(data, scales: scales, zeroPoints: zeroPoints ?? Array(repeating: 0, count: scales.count))
    }

    /// PyTorch spelling of `int8`.
    public static func qint8(_ data: TensorData, scale: Double, zeroPoint: Int = 0) -> Weights {
        int8(data, scale: scale, zeroPoint: zeroPoint)
    }
}

/// How a layer's bias is given (one value per output channel).
public enum Bias: Codable, Equatable, Sendable {
    /// Real-valued bias, quantized to int32 at lowering with scale `s_in · s_w[c]` and zero point 0,
    /// rounding half away from zero (TFLite's converter rule).
    case float(TensorData)
    /// int32 bias already in units of `s_in · s_w[c]` (what TFLite files hold).
    case int32(TensorData)
}
