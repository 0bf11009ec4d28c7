import QGen
import QGenArithmetic

/// Quantizes real weights to int8 by a `WeightQuantization` rule (formulas in its doc comment).
/// The full range is PyTorch's: the weight observer (MinMaxObserver or PerChannelMinMaxObserver,
/// qint8) and `quantize_per_channel`/`quantize_per_tensor` in float32, bit for bit; the narrow
/// range (TFLite's) is computed in double.
enum WeightQuantizer {
    struct Result: Equatable {
        var values: [Int8]
        var scales: [Double]
        var zeroPoints: [Int]
    }

    /// float32 epsilon, the smallest scale PyTorch's observers produce.
    static let minimumScale = Double(Float.ulpOfOne)

    static func quantize(_ values: [Double], channels: Int, rule: WeightQuantization) -> Result {
        let groups = rule.granularity == .perChannel ? channels : 1
        if rule.range == .full { return pyTorch(values, groups: groups, mode: rule.mode) }
        // The narrow range, TFLite's: [-127, 127], std::round (ties away from zero).
        let per = values.count / groups
        let qmin = -127, qmax = 127
        var result = Result(values: [], scales: [], zeroPoints: [])
        result.values.reserveCapacity(values.count)
        for g in 0..<groups {
            let slice = values[(g * per)..<((g + 1) * per)]
            let lo = min(slice.min() ?? 0, 0), hi = max(slice.max() ?? 0, 0)
            var scale: Double
            var zeroPoint = 0
            switch rule.mode {
            case .symmetric:
                scale = max(-lo, hi) / (Double(qmax - qmin) / 2)
                scale = max(scale, minimumScale)
            case .affine:
                scale = max((hi - lo) / Double(qmax - qmin), minimumScale)
                zeroPoint = min(max(qmin - Int((lo / scale).rounded(.toNearestOrEven)), qmin), qmax)
            }
            for w in slice {
                let q = Int((w / scale).rounded(.toNearestOrAwayFromZero)) + zeroPoint
                result.values.append(Int8(min(max(q, qmin), qmax)))
            }
            result.scales.append(scale)
            result.zeroPoints.append(zeroPoint)
        }
        return result
    }

    /// PyTorch's convert of float weights (each value rounded to float32 first, as a float32 tensor
    /// holds it): the observer's scale and zero point per group (`ObserverOptions.qparams`, qint8),
    /// then `q = clamp(round_half_even(w · (1 / scale)) + zeroPoint, −128, 127)` with the reciprocal
    /// and the product in float32 (FBGEMM's Quantize, requant.md §5.1).
    private static func pyTorch(_ values: [Double], groups: Int, mode: WeightQuantization.Mode) -> Result {
        let per = values.count / groups
        let options = ObserverOptions(dtype: .qint8, mode: mode == .symmetric ? .symmetric : .affine)
        var result = Result(values: [], scales: [], zeroPoints: [])
        result.values.reserveCapacity(values.count)
        for g in 0..<groups {
            let slice = values[(g * per)..<((g + 1) * per)].map { Float($0) }
            // Weights are finite (the resolver checks them) and the qint8 range is valid: this cannot throw.
            let qparams = try! options.qparams(min: slice.min() ?? .infinity, max: slice.max() ?? -.infinity)
            let inverse = 1 / qparams.scale
            for w in slice {
                let q = Int((w * inverse).rounded(.toNearestOrEven)) + qparams.zeroPoint
                result.values.append(Int8(min(max(q, -128), 127)))
            }
            result.scales.append(Double(qparams.scale))
            result.zeroPoints.append(qparams.zeroPoint)
        }
        return result
    }
}
