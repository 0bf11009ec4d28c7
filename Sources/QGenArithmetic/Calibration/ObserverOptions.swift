/// What an observer quantizes to and how: PyTorch's observer arguments (`dtype`, `qscheme`,
/// `reduce_range`, `quant_min`/`quant_max`; torch/ao/quantization/observer.py). The observers in this
/// folder compute PyTorch's scales bit for bit: every step is the float32 operation ATen performs
/// (a Python float meeting a float32 tensor is rounded to float32 first), in ATen's order.
public struct ObserverOptions: Equatable, Hashable, Codable, Sendable {
    /// PyTorch's `torch.quint8` / `torch.qint8`.
    public enum DType: String, Codable, Sendable { case quint8, qint8 }
    /// Affine (`per_tensor_affine`, `per_channel_affine`) or symmetric (`…_symmetric`).
    public enum Mode: String, Codable, Sendable { case affine, symmetric }

    public var dtype: DType
    public var mode: Mode
    /// Halves the range (7-bit activations, for FBGEMM's vpmaddubsw; requant.md §4.4).
    public var reduceRange: Bool
    /// A custom integer range (`quant_min`, `quant_max`): both or neither.
    public var quantMin: Int?
    public var quantMax: Int?

    public init(dtype: DType, mode: Mode, reduceRange: Bool = false, quantMin: Int? = nil, quantMax: Int? = nil) {
        self.dtype = dtype
        self.mode = mode
        self.reduceRange = reduceRange
        self.quantMin = quantMin
        self.quantMax = quantMax
    }

    /// The integer range the scale maps onto, by `calculate_qmin_qmax` (torch/ao/quantization/utils.py):
    /// quint8 [0, 255] or [0, 127] reduced; qint8 [-128, 127] or [-64, 63]; a custom range (which
    /// must contain 0, and for qint8 span at most 256 values) halved with floor division when reduced.
    public func quantRange() throws(ObserverError) -> ClosedRange<Int> {
        switch (quantMin, quantMax) {
        case let (low?, high?):
            guard low <= 0, 0 <= high else {
                throw .invalidOption("quant_min \(low) and quant_max \(high) must include 0 (PyTorch's rule)")
            }
            guard low < high else { throw .invalidOption("quant_min \(low) must be below quant_max \(high)") }
            if dtype == .qint8, high - low + 1 > 256 {
                throw .invalidOption("a qint8 range of \(high - low + 1) values exceeds 256 (quant_min \(low), quant_max \(high))")
            }
            return reduceRange ? Self.floorHalf(low)...Self.floorHalf(high) : low...high
        case (nil, nil):
            switch dtype {
            case .quint8: return reduceRange ? 0...127 : 0...255
            case .qint8: return reduceRange ? -64...63 : -128...127
            }
        default:
            throw .invalidOption("quant_min and quant_max go together: give both or neither")
        }
    }

    /// Python's `//` by 2.
    private static func floorHalf(_ v: Int) -> Int { v >= 0 ? v / 2 : -((-v + 1) / 2) }

    /// PyTorch refuses a reduced symmetric quint8 range (MinMaxObserver and PerChannelMinMaxObserver:
    /// "Cannot reduce range for symmetric quantization for quint8").
    func checkSymmetricReduceRange() throws(ObserverError) {
        if mode == .symmetric && reduceRange && dtype == .quint8 {
            throw .invalidOption("reduce_range with symmetric quint8 is refused by PyTorch (\"Cannot reduce range for symmetric quantization for quint8\"); use qint8, or affine quint8")
        }
    }

    /// `torch.finfo(torch.float32).eps`, the least scale.
    public static let eps: Float = .ulpOfOne

    /// `_calculate_qparams` for one range [min, max] (one tensor or one channel), in float32:
    ///
    ///     minNeg = min(min, 0), maxPos = max(max, 0)
    ///     symmetric: scale = max(-minNeg, maxPos) / ((qmax − qmin) / 2); zero point 0 for qint8,
    ///                128 for quint8 ((qmin + qmax) // 2 for a custom range)
    ///     affine:    scale = (maxPos − minNeg) / (qmax − qmin);
    ///                zero point = clamp(qmin − round_half_even(minNeg / scale), qmin, qmax)
    ///     scale = max(scale, eps)
    ///
    /// An observer that saw nothing (min = +inf, max = −inf) gives scale 1, zero point 0, as PyTorch does.
    public func qparams(min: Float, max: Float) throws(ObserverError) -> ObservedQParams {
        let range = try quantRange()
        if min == .infinity && max == -.infinity { return ObservedQParams(scale: 1, zeroPoint: 0) }
        guard min <= max else { throw .invalidRange(min: min, max: max) }
        let minNeg = Swift.min(min, 0)
        var maxPos = Swift.max(max, 0)
        let qmin = range.lowerBound, qmax = range.upperBound
        switch mode {
        case .symmetric:
            maxPos = Swift.max(-minNeg, maxPos)
            // (qmax − qmin) / 2 is a Python float (127.5 for qint8), exact in float32.
            let scale = Swift.max(maxPos / Float(Double(qmax - qmin) / 2), Self.eps)
            let zeroPoint: Int
            switch dtype {
            case .qint8: zeroPoint = 0
            case .quint8: zeroPoint = quantMin != nil ? Self.floorHalf(qmin + qmax) : 128
            }
            return ObservedQParams(scale: scale, zeroPoint: zeroPoint)
        case .affine:
            let scale = Swift.max((maxPos - minNeg) / Float(qmax - qmin), Self.eps)
            let rounded = (minNeg / scale).rounded(.toNearestOrEven)
            let zeroPoint = qmin - Int(rounded)
            return ObservedQParams(scale: scale, zeroPoint: Swift.min(Swift.max(zeroPoint, qmin), qmax))
        }
    }
}

/// A scale and zero point as an observer computes them (`real = scale · (q − zeroPoint)`).
public struct ObservedQParams: Equatable, Hashable, Codable, Sendable {
    public var scale: Float
    public var zeroPoint: Int

    public init(scale: Float, zeroPoint: Int) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }
}

/// Why an observer cannot give quantization parameters.
public enum ObserverError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An option PyTorch refuses, or a combination that has no meaning.
    case invalidOption(String)
    /// The data held a NaN or an infinity (at this flat index of its batch).
    case nonFinite(index: Int, value: Float)
    /// A batch's shape does not fit the observer (per-channel axis, element count).
    case shape(String)
    /// min above max (PyTorch asserts).
    case invalidRange(min: Float, max: Float)

    public var description: String {
        switch self {
        case .invalidOption(let text): return text
        case .nonFinite(let index, let value): return "calibration data holds \(value) at element \(index); observers need finite values"
        case .shape(let text): return text
        case .invalidRange(let min, let max): return "observed min \(min) is above max \(max)"
        }
    }
}

/// The least and greatest value over every batch so far (+∞, −∞ before any): what MinMaxObserver
/// and TensorFlow's calibrator keep.
public struct RunningExtrema: Equatable, Sendable {
    public private(set) var min: Float = .infinity
    public private(set) var max: Float = -.infinity

    public init() {}

    /// Widens the range by one batch (an empty batch changes nothing). Throws at a NaN or an infinity.
    public mutating func add(_ batch: [Float]) throws(ObserverError) {
        guard !batch.isEmpty else { return }
        let (low, high) = try batch.finiteExtrema()
        min = Swift.min(low, min)
        max = Swift.max(high, max)
    }
}

extension Sequence where Element == Float {
    /// The least and greatest values (`torch.aminmax`), or a `nonFinite` error naming the first NaN or
    /// infinity. (+inf, −inf) for no values.
    func finiteExtrema() throws(ObserverError) -> (min: Float, max: Float) {
        var low = Float.infinity, high = -Float.infinity
        for (index, v) in self.enumerated() {
            guard v.isFinite else { throw .nonFinite(index: index, value: v) }
            low = Swift.min(low, v)
            high = Swift.max(high, v)
        }
        return (low, high)
    }
}
