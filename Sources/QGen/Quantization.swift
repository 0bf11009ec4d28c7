/// The integer type of an activation tensor.
public enum DType: String, Codable, Equatable, Sendable {
    case uint8
    case int8

    public var range: ClosedRange<Int> { self == .uint8 ? 0...255 : -128...127 }
}

/// The quantization of an activation tensor: `real = scale · (q − zeroPoint)`.
public struct QuantParams: Codable, Equatable, Sendable {
    public var dtype: DType
    public var scale: Double
    public var zeroPoint: Int

    public init(dtype: DType, scale: Double, zeroPoint: Int) {
        self.dtype = dtype
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    public static func uint8(scale: Double, zeroPoint: Int) -> QuantParams { .init(dtype: .uint8, scale: scale, zeroPoint: zeroPoint) }
    public static func int8(scale: Double, zeroPoint: Int) -> QuantParams { .init(dtype: .int8, scale: scale, zeroPoint: zeroPoint) }
    /// PyTorch's name for `uint8`.
    public static func quint8(scale: Double, zeroPoint: Int) -> QuantParams { uint8(scale: scale, zeroPoint: zeroPoint) }
    /// PyTorch's name for `int8`.
    public static func qint8(scale: Double, zeroPoint: Int) -> QuantParams { int8(scale: scale, zeroPoint: zeroPoint) }
}

/// The rule that quantizes real-valued weights to int8 (applied per output channel or to the
/// whole tensor). With `[qmin, qmax]` = `[-128, 127]` (`.full`) or `[-127, 127]` (`.narrow`):
///
/// - symmetric: `scale = max(|min w|, |max w|) / ((qmax − qmin) / 2)`, zero point 0. Full range
///   divides by 127.5 (PyTorch's `per_channel_symmetric`, which can produce −128); narrow divides
///   by 127 (the TFLite spec, values in [−127, 127]).
/// - affine: `lo = min(min w, 0)`, `hi = max(max w, 0)`, `scale = (hi − lo) / (qmax − qmin)`,
///   `zeroPoint = clamp(qmin − round(lo / scale), qmin, qmax)` (PyTorch's MinMaxObserver).
/// - `scale` is raised to at least 2^-23 (float32 epsilon, as PyTorch does), so an all-zero
///   channel still has a valid scale.
/// - `q = clamp(round(w / scale) + zeroPoint, qmin, qmax)`, where `round` is half to even for the
///   full range (PyTorch's `nearbyint`) and half away from zero for the narrow range (TFLite's
///   `std::round`). Arithmetic is IEEE double.
public struct WeightQuantization: Codable, Equatable, Sendable {
    public enum Granularity: String, Codable, Sendable { case perTensor, perChannel }
    public enum Mode: String, Codable, Sendable { case symmetric, affine }
    public enum Range: String, Codable, Sendable { case full, narrow }

    public var granularity: Granularity
    public var mode: Mode
    public var range: Range

    public init(granularity: Granularity, mode: Mode, range: Range = .full) {
        self.granularity = granularity
        self.mode = mode
        self.range = range
    }

    public static func perChannel(_ mode: Mode, range: Range = .full) -> WeightQuantization { .init(granularity: .perChannel, mode: mode, range: range) }
    public static func perTensor(_ mode: Mode, range: Range = .full) -> WeightQuantization { .init(granularity: .perTensor, mode: mode, range: range) }
}

/// A fused activation, in real units (it becomes a clamp of the quantized output).
public enum Activation: Codable, Equatable, Sendable {
    case none
    case relu
    case relu6
    case clamp(min: Double, max: Double)
}

/// The requantization scheme of a model, by name. See `qgen emit --help` for the list; the
/// compiler rejects unknown names.
public struct Requantization: Codable, Equatable, Sendable {
    public var name: String
    public init(name: String) { self.name = name }

    /// TFLite / TFLite Micro / CMSIS-NN default: Q31 multiplier, double rounding.
    public static let tflite = Requantization(name: "tflite")
    /// TFLite single rounding (`TFLITE_SINGLE_ROUNDING`, CMSIS-NN option, ruy).
    public static let singleRounding = Requantization(name: "singleRounding")
}
