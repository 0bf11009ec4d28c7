/// The integer type of an activation tensor. `int16` is the output of TFLite's int8 → int16
/// Softmax only, and only as a model output (int16 tensors are never stored in the arena).
public enum DType: String, Codable, Equatable, Sendable {
    case uint8
    case int8
    case int16

    public var range: ClosedRange<Int> {
        switch self {
        case .uint8: return 0...255
        case .int8: return -128...127
        case .int16: return -32768...32767
        }
    }

    /// Bytes per element.
    public var size: Int { self == .int16 ? 2 : 1 }
}

/// The quantization of an activation tensor: `real = scale · (q − zeroPoint)`.
public struct QuantParams: Codable, Equatable, Sendable {
    public var dtype: DType
    public var scale: Double
    public var zeroPoint: Int
    /// Set by `.calibrated(observer)`: scale and zero point are still to be computed from data.
    public var calibration: Observer?

    public init(dtype: DType, scale: Double, zeroPoint: Int) {
        self.dtype = dtype
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    public static func uint8(scale: Double, zeroPoint: Int) -> QuantParams { .init(dtype: .uint8, scale: scale, zeroPoint: zeroPoint) }
    public static func int8(scale: Double, zeroPoint: Int) -> QuantParams { .init(dtype: .int8, scale: scale, zeroPoint: zeroPoint) }
    /// int16: the output of an int8 → int16 Softmax (scale 1/65536, zero point −32768).
    public static func int16(scale: Double, zeroPoint: Int) -> QuantParams { .init(dtype: .int16, scale: scale, zeroPoint: zeroPoint) }
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
///   `std::round`).
/// - The full range is computed as PyTorch computes it, bit for bit: the weights as float32, the
///   observer's scale in float32, and `w · (1 / scale)` in float32 (FBGEMM's Quantize). The narrow
///   range is computed in IEEE double.
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

/// The requantization scheme of a model, by its canonical name (the same text `--scheme` takes).
/// The compiler parses and validates the name; see README "Requantization schemes" for each
/// scheme's arithmetic and the stack it matches bit for bit.
public struct Requantization: Codable, Equatable, Sendable {
    public var name: String
    public init(name: String) { self.name = name }

    /// How a single rounding step breaks ties (`powerOfTwo`, `fixedPoint`).
    public enum Rounding: String, Codable, Sendable {
        /// Ties toward +infinity: `(v + 2^(n-1)) >> n`.
        case halfUp
        /// Ties away from zero (C `round`).
        case halfAwayFromZero
        /// Ties to even (IEEE default).
        case halfEven
    }

    /// TFLite / TFLite Micro / CMSIS-NN default: Q31 multiplier, double rounding.
    public static let tflite = Requantization(name: "tflite")
    /// LiteRT's (the TFLite interpreter's) builtin reference kernels: `tflite` except where they
    /// differ from TFLite Micro (FULLY_CONNECTED rescales `double(acc)` by a double multiplier).
    public static let liteRT = Requantization(name: "liteRT")
    /// TFLite single rounding (`TFLITE_SINGLE_ROUNDING`, CMSIS-NN option, ruy).
    public static let singleRounding = Requantization(name: "singleRounding")
    /// PyTorch's `fbgemm`/`x86` engines: float32 multiplier, float bias, ties to even.
    public static let fbgemm = Requantization(name: "fbgemm")
    /// PyTorch's `fbgemm` engine on x86 CPUs without AVX512-VNNI when `saturatingPairs` is true:
    /// each adjacent pair of uint8 × int8 products saturates to int16, as `vpmaddubsw` does.
    /// `avx512`: ATen's AVX512 elementwise kernels (PyTorch reports the CPU capability `AVX512`),
    /// which split elementwise ops into 128-code vector blocks instead of 64.
    public static func fbgemm(saturatingPairs: Bool = false, avx512: Bool = false) -> Requantization {
        let flags = (saturatingPairs ? ["saturatingPairs"] : []) + (avx512 ? ["avx512"] : [])
        return Requantization(name: flags.isEmpty ? "fbgemm" : "fbgemm(\(flags.joined(separator: ",")))")
    }
    /// PyTorch's `qnnpack` engine: int32 bias, float32 multiplier `(s_w·s_in)·(1/s_out)`.
    public static let qnnpack = Requantization(name: "qnnpack")
    /// ONNX Runtime's QLinearConv / QLinearMatMul: int32 bias, float32 `s_in·s_w/s_out`.
    public static let onnxRuntime = Requantization(name: "onnxRuntime")
    /// Shift only: the nearest power of two, refused beyond `tolerance` relative error.
    public static let powerOfTwo = Requantization(name: "powerOfTwo")
    public static func powerOfTwo(rounding: Rounding = .halfUp, tolerance: Double = 1.0 / 256.0) -> Requantization {
        Requantization(name: "powerOfTwo(rounding:\(rounding.rawValue),tolerance:\(tolerance))")
    }
    /// A signed `multiplierBits`-bit multiplier (2...32) and one rounding of the exact product.
    public static func fixedPoint(multiplierBits: Int, rounding: Rounding) -> Requantization {
        Requantization(name: "fixedPoint(multiplierBits:\(multiplierBits),rounding:\(rounding.rawValue))")
    }
}
