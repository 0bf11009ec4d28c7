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

    // Coded as `{"npy": {"_0": path}}` or `{"values": {"_0": [...]}}` (Swift's form for enum cases); a
    // bare array of numbers also reads as values, the form that scales and zero points had when
    // they were plain arrays (fixtures and tools written then still decode).
    private enum CodingKeys: String, CodingKey { case npy, values }
    private enum PayloadKeys: String, CodingKey { case _0 }

    public init(from decoder: any Decoder) throws {
        if let values = try? decoder.singleValueContainer().decode([Double].self) {
            self = .values(values)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        if container.contains(.npy) {
            self = .npy(try container.nestedContainer(keyedBy: PayloadKeys.self, forKey: .npy).decode(String.self, forKey: ._0))
        } else {
            self = .values(try container.nestedContainer(keyedBy: PayloadKeys.self, forKey: .values).decode([Double].self, forKey: ._0))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .npy(let path):
            var payload = container.nestedContainer(keyedBy: PayloadKeys.self, forKey: .npy)
            try payload.encode(path, forKey: ._0)
        case .values(let values):
            var payload = container.nestedContainer(keyedBy: PayloadKeys.self, forKey: .values)
            try payload.encode(values, forKey: ._0)
        }
    }
}

/// How a layer's weights are given.
public enum Weights: Codable, Equatable, Sendable {
    /// Real-valued weights, quantized to int8 at lowering by `rule`.
    case float(TensorData, WeightQuantization)
    /// Already-quantized int8 weights (what an exported quantized model holds), with one scale and
    /// zero point for the tensor or one per output channel: `real = scale[c] · (q − zeroPoint[c])`.
    /// Scales and zero points are inline values or 1-D `.npy` files; no zero points means all 0.
    case quantized(TensorData, scales: TensorData, zeroPoints: TensorData?)

    /// Real-valued weights quantized by `rule` (default: per-channel symmetric, full range).
    public static func float(_ data: TensorData) -> Weights { .float(data, .perChannel(.symmetric)) }

    /// int8 weights with one scale and zero point for the whole tensor.
    public static func int8(_ data: TensorData, scale: Double, zeroPoint: Int = 0) -> Weights {
        .quantized(data, scales: .values([scale]), zeroPoints: .values([Double(zeroPoint)]))
    }

    /// int8 weights with one scale (and zero point, default 0) per output channel.
    public static func int8(_ data: TensorData, scales: [Double], zeroPoints: [Int]? = nil) -> Weights {
        .quantized(data, scales: .values(scales), zeroPoints: zeroPoints.map { .values($0.map(Double.init)) })
    }

    /// int8 weights whose per-channel scales (and zero points, default 0) come from `.npy` files
    /// (`scales: .npy("conv1_scales.npy")`): what exporters write for wide layers, because Swift
    /// compiles long literal arrays slowly (about 1 s per thousand scales).
    public static func int8(_ data: TensorData, scales: TensorData, zeroPoints: TensorData? = nil) -> Weights {
        .quantized(data, scales: scales, zeroPoints: zeroPoints)
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
