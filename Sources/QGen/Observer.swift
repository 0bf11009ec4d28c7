/// How calibration picks an activation's scale and zero point from data: PyTorch's observers with
/// their exact float32 rules (torch.ao.quantization.observer). Use it as an output's (or an
/// Input's) quantization with `.calibrated(…)`:
///
/// ```swift
/// Conv2d("conv1", outChannels: 8, kernel: 3, weight: .float(.npy("w.npy")),
///        output: .calibrated(.histogram(.uint8)), activation: .relu)
/// ```
///
/// and give the data to `qgen emit --calibrate data.npy` or `qgen calibrate`, which writes the
/// scales back into a copy of model.swift. Each inference of the data is one observed batch, as
/// each forward call is in PyTorch.
public struct Observer: Codable, Equatable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable {
        /// `MinMaxObserver`: the least and greatest values seen.
        case minMax
        /// `MovingAverageMinMaxObserver`: the first batch's range, then `r += c · (batch − r)`.
        case movingAverageMinMax
        /// `HistogramObserver`: the range of least L2 quantization error over a histogram of every value.
        case histogram
        /// TensorFlow's converter (post-training quantization with a representative dataset): the
        /// least and greatest value, then its zero-point rule (nearest to the exact range's, rounded
        /// half away from zero).
        case tflite
    }
    /// Affine (a zero point where the data needs it) or symmetric (zero point 0, or 128 for uint8).
    public enum Mode: String, Codable, Sendable { case affine, symmetric }

    public var kind: Kind
    public var dtype: DType
    public var mode: Mode
    /// PyTorch's `reduce_range`: 7-bit activations (for FBGEMM without VNNI).
    public var reduceRange: Bool
    /// PyTorch's `quant_min`/`quant_max`: a narrower integer range (both or neither).
    public var quantMin: Int?
    public var quantMax: Int?
    /// `movingAverageMinMax`: the averaging constant (PyTorch's default 0.01).
    public var averagingConstant: Double?
    /// `histogram`: the number of bins (PyTorch's default 2048).
    public var bins: Int?

    public init(kind: Kind, dtype: DType, mode: Mode = .affine, reduceRange: Bool = false, quantMin: Int? = nil, quantMax: Int? = nil,
                averagingConstant: Double? = nil, bins: Int? = nil) {
        self.kind = kind
        self.dtype = dtype
        self.mode = mode
        self.reduceRange = reduceRange
        self.quantMin = quantMin
        self.quantMax = quantMax
        self.averagingConstant = averagingConstant
        self.bins = bins
    }

    /// PyTorch's `MinMaxObserver` (its `default_observer` is `.minMax(.uint8, reduceRange: true)`).
    public static func minMax(_ dtype: DType = .uint8, _ mode: Mode = .affine, reduceRange: Bool = false,
                              quantMin: Int? = nil, quantMax: Int? = nil) -> Observer {
        Observer(kind: .minMax, dtype: dtype, mode: mode, reduceRange: reduceRange, quantMin: quantMin, quantMax: quantMax)
    }

    /// PyTorch's `MovingAverageMinMaxObserver`.
    public static func movingAverageMinMax(_ dtype: DType = .uint8, _ mode: Mode = .affine, averagingConstant: Double = 0.01,
                                           reduceRange: Bool = false, quantMin: Int? = nil, quantMax: Int? = nil) -> Observer {
        Observer(kind: .movingAverageMinMax, dtype: dtype, mode: mode, reduceRange: reduceRange, quantMin: quantMin, quantMax: quantMax,
                 averagingConstant: averagingConstant)
    }

    /// PyTorch's `HistogramObserver` (the activation observer of `get_default_qconfig("x86")` and
    /// `("fbgemm")`, there with `reduceRange: true`).
    public static func histogram(_ dtype: DType = .uint8, _ mode: Mode = .affine, bins: Int = 2048, reduceRange: Bool = false,
                                 quantMin: Int? = nil, quantMax: Int? = nil) -> Observer {
        Observer(kind: .histogram, dtype: dtype, mode: mode, reduceRange: reduceRange, quantMin: quantMin, quantMax: quantMax, bins: bins)
    }

    /// TensorFlow's converter calibrating an activation: the least and greatest value over every
    /// inference (0 included), scale `(max − min) / (qmax − qmin)` and the zero point its quantizer
    /// derives, as TensorFlow 2.21 computes them. `.int8` (TFLite's activations, −128…127) or `.uint8`;
    /// always affine.
    public static func tflite(_ dtype: DType = .int8) -> Observer {
        Observer(kind: .tflite, dtype: dtype)
    }

    /// How the observer reads in model.swift (`.histogram(.uint8, reduceRange: true)`), for messages.
    public var swiftText: String {
        if kind == .tflite && mode == .affine && !reduceRange && quantMin == nil && quantMax == nil { return ".tflite(.\(dtype.rawValue))" }
        var arguments = [".\(dtype.rawValue)"]
        if mode == .symmetric { arguments.append(".symmetric") }
        if let averagingConstant, averagingConstant != 0.01 { arguments.append("averagingConstant: \(averagingConstant)") }
        if let bins, bins != 2048 { arguments.append("bins: \(bins)") }
        if reduceRange { arguments.append("reduceRange: true") }
        if let quantMin { arguments.append("quantMin: \(quantMin)") }
        if let quantMax { arguments.append("quantMax: \(quantMax)") }
        return ".\(kind.rawValue)(\(arguments.joined(separator: ", ")))"
    }
}

extension QuantParams {
    /// Quantization that calibration computes from data by `observer`'s rule (no scale until then).
    public static func calibrated(_ observer: Observer) -> QuantParams {
        var q = QuantParams(dtype: observer.dtype, scale: .nan, zeroPoint: 0)
        q.calibration = observer
        return q
    }
}
